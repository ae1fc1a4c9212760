/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Split virtqueues (virtio 1.x, device side), pure C shared by nyx.ko and
 * the launcher.
 *
 * Everything in the rings is written by the guest, which runs concurrently
 * on other CPUs and may be hostile. Each guest value is read exactly once
 * (NYX_READ_ONCE or a private copy of the descriptor) and checked before
 * use: ring addresses and alignment, the available index (at most "size"
 * entries ahead), descriptor indexes, chain length (capped at the queue
 * size; longer means a loop), indirect tables (INDIRECT_DESC negotiated,
 * length a non-zero multiple of 16, no nesting, not combined with NEXT),
 * address + length wrap, the 32-bit totals of a chain, buffers outside
 * guest RAM, readable descriptors after writable ones. The first bad chain
 * breaks the queue: vq_pop() returns a distinct VQ_ERR_* code once, then
 * VQ_ERR_BROKEN until the queue is set up again. The device logs the code
 * (vq_strerror()) and sets DEVICE_NEEDS_RESET; the host and the other
 * queues and devices carry on.
 *
 * Guest memory is reached through the caller's vq_map_fn, which translates
 * a guest-physical range into a host pointer. A buffer that spans memory
 * slots (host-discontiguous) is split into several segments; the rings and
 * indirect tables must each be host-contiguous (VQ_ERR_RING_ADDR /
 * VQ_ERR_INDIRECT_ADDR otherwise), which they are in practice since a
 * driver allocates them from one physically contiguous block.
 *
 * The host pointers of the rings are derived state: vq_setup()/vq_load()
 * compute them once, so they must be called again if guest memory is
 * remapped. All saveable state is struct vq_state.
 *
 * Not checked: that a pushed head is one the device popped and has not
 * pushed yet (a device bug, not a guest one).
 */
#ifndef NYX_LIB_VIRTIO_VIRTQUEUE_H
#define NYX_LIB_VIRTIO_VIRTQUEUE_H

#include <nyx/types.h>

#define VQ_MAX_SIZE		32768

/* Feature bits the ring code looks at (virtio 1.x numbering). */
#define NYX_VIRTIO_F_INDIRECT_DESC	28
#define NYX_VIRTIO_F_EVENT_IDX		29

/* Descriptor flags. */
#define VQ_DESC_F_NEXT		1
#define VQ_DESC_F_WRITE		2
#define VQ_DESC_F_INDIRECT	4

/* avail->flags (driver to device) and used->flags (device to driver). */
#define VQ_AVAIL_F_NO_INTERRUPT	1
#define VQ_USED_F_NO_NOTIFY	1

/* Error codes, all negative. Each kind of bad chain has its own. */
enum vq_error {
	VQ_OK			= 0,
	VQ_ERR_BROKEN		= -1,	/* an earlier error broke the queue */
	VQ_ERR_NOT_READY	= -2,	/* vq_setup() not done or failed */
	VQ_ERR_SIZE		= -3,	/* size not a power of two in 1..32768 */
	VQ_ERR_RING_ADDR	= -4,	/* a ring misaligned or outside RAM */
	VQ_ERR_AVAIL_IDX	= -5,	/* avail->idx more than size ahead */
	VQ_ERR_HEAD		= -6,	/* head index >= size */
	VQ_ERR_NEXT		= -7,	/* next index >= size (or table size) */
	VQ_ERR_LOOP		= -8,	/* a chain visits a descriptor twice */
	VQ_ERR_CHAIN_LEN	= -9,	/* more descriptors than the queue size */
	VQ_ERR_INDIRECT_FEATURE	= -10,	/* INDIRECT without INDIRECT_DESC */
	VQ_ERR_INDIRECT_LEN	= -11,	/* table length 0 or not 16*n */
	VQ_ERR_INDIRECT_NESTED	= -12,	/* INDIRECT inside an indirect table */
	VQ_ERR_INDIRECT_NEXT	= -13,	/* INDIRECT together with NEXT */
	VQ_ERR_INDIRECT_ADDR	= -14,	/* table outside RAM / not contiguous */
	VQ_ERR_WRAP		= -15,	/* addr + len wraps around 2^64 */
	VQ_ERR_BUF_ADDR		= -16,	/* a buffer byte outside guest RAM */
	VQ_ERR_TOTAL_LEN	= -17,	/* readable or writable total > 4G-1 */
	VQ_ERR_ORDER		= -18,	/* readable descriptor after writable */
	VQ_ERR_TOO_MANY_SEGS	= -19,	/* more segments than the caller has */
	VQ_ERR_USED_ID		= -20,	/* vq_push() of an id >= size */
};

/*
 * Translate guest-physical [gpa, gpa + len) (len >= 1). Returns NULL if gpa
 * is not guest RAM; otherwise the host address of gpa, with *contig set to
 * the number of bytes from gpa on (1..len) that are RAM and contiguous in
 * the host (up to the end of gpa's memory slot). write says the device will
 * write there (for dirty tracking).
 */
typedef void *(*vq_map_fn)(void *opaque, u64 gpa, u64 len, u64 *contig,
			   bool write);

struct vq_mem {
	vq_map_fn map;
	void *opaque;
};

/* The saveable state of one queue. */
struct vq_state {
	u64 desc_gpa, avail_gpa, used_gpa;
	u64 features;		/* negotiated feature bits */
	u16 size;		/* 0: not set up */
	u16 last_avail_idx;	/* next avail->ring slot to consume */
	u16 used_idx;		/* our copy of used->idx */
	u16 signalled_used;	/* used_idx at the last interrupt (EVENT_IDX) */
	bool signalled_used_valid;
	bool notify_disabled;	/* vq_disable_notify() in effect */
	s16 error;		/* first error (enum vq_error), 0 if fine */
};

/* Split-ring layout in guest memory (little-endian). */
struct vq_desc {
	u64 addr;
	u32 len;
	u16 flags;
	u16 next;
};

struct virtqueue {
	struct vq_state s;
	const struct vq_mem *mem;
	/* Derived from s by vq_setup()/vq_load(): host views of the rings. */
	u8 *desc;		/* 16 * size bytes */
	u8 *avail;		/* u16 flags, idx, ring[size], used_event */
	u8 *used;		/* u16 flags, idx, {u32 id, len}[size], u16 avail_event */
	bool ready;
};

/* One host-contiguous piece of a chain. */
struct vq_seg {
	void *addr;
	u32 len;
	bool write;		/* device-writable */
};

/* What vq_pop() found; segs[0..nr_out) readable, then nr_in writable. */
struct vq_chain {
	u16 head;		/* id for vq_push() */
	u32 nr_out, nr_in;
	u32 out_len, in_len;	/* readable / writable bytes */
	u32 nr_desc;		/* descriptors walked (indirect ones included) */
};

/*
 * Set a queue up from what the driver wrote (size, ring addresses) and the
 * negotiated features; indexes start at 0. Returns 0 or VQ_ERR_SIZE /
 * VQ_ERR_RING_ADDR (the queue is then unusable, s.error says why).
 */
int vq_setup(struct virtqueue *vq, const struct vq_mem *mem, u16 size,
	     u64 desc_gpa, u64 avail_gpa, u64 used_gpa, u64 features);

/* Restore a saved state (validated like vq_setup()). */
int vq_load(struct virtqueue *vq, const struct vq_mem *mem,
	    const struct vq_state *state);

/* Forget everything (device reset). */
void vq_reset(struct virtqueue *vq);

/*
 * Take the next available chain. Returns 1 and fills segs/chain, 0 if the
 * driver has made nothing new available, or a VQ_ERR_* code (the queue is
 * broken from then on). max_segs bounds the segments written to segs.
 */
int vq_pop(struct virtqueue *vq, struct vq_seg *segs, u32 max_segs,
	   struct vq_chain *chain);

/*
 * Give back the last n chains popped and not pushed, so that the next pops
 * return them again (re-reading and re-checking them): a device that found
 * it cannot use them yet (virtio-net: a frame needs more receive buffers
 * than the driver has posted). Returns 0, or VQ_ERR_USED_ID if n is more
 * than the chains popped since setup, or the queue's error if broken.
 */
int vq_unpop(struct virtqueue *vq, u16 n);

/*
 * Return a chain to the driver with len bytes written into its writable
 * part. Returns 0, VQ_ERR_USED_ID, or the queue's error if it is broken.
 */
int vq_push(struct virtqueue *vq, u16 head, u32 len);

/*
 * After one or more vq_push(): should the device interrupt the driver?
 * Honours VQ_AVAIL_F_NO_INTERRUPT, or used_event with EVENT_IDX.
 */
bool vq_should_notify(struct virtqueue *vq);

/* Ask the driver not to kick us (used->flags, or stop moving avail_event). */
void vq_disable_notify(struct virtqueue *vq);

/*
 * Ask for kicks again. Returns true if buffers became available in the
 * meantime (the caller must pop again: no kick will come for them).
 */
bool vq_enable_notify(struct virtqueue *vq);

/* Does the driver have chains we have not popped? (false when broken) */
bool vq_has_avail(struct virtqueue *vq);

/* A short English description of a VQ_ERR_* code. */
const char *vq_strerror(int err);

/* Copy between a flat buffer and a segment list; return bytes copied. */
u64 vq_copy_from_segs(void *dst, u64 len, const struct vq_seg *segs,
		      u32 nr_segs, u64 offset);
u64 vq_copy_to_segs(const struct vq_seg *segs, u32 nr_segs, u64 offset,
		    const void *src, u64 len);

#endif
