/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virtio-blk (virtio 1.x section 5.2) over the block layer (userspace/
 * block): one request queue, requests in flight asynchronously, their
 * used-ring entries and interrupts from the completion path in the
 * device's I/O thread.
 */
#ifndef NYX_VIRTIO_BLK_H
#define NYX_VIRTIO_BLK_H

#include <sys/uio.h>

#include "block/blockdev.h"
#include "stats/hist.h"
#include "virtio/pci.h"

/* Feature bits */
#define VIRTIO_BLK_F_SIZE_MAX		1
#define VIRTIO_BLK_F_SEG_MAX		2
#define VIRTIO_BLK_F_RO			5
#define VIRTIO_BLK_F_BLK_SIZE		6
#define VIRTIO_BLK_F_FLUSH		9
#define VIRTIO_BLK_F_DISCARD		13
#define VIRTIO_BLK_F_WRITE_ZEROES	14

/* Request types and status */
#define VIRTIO_BLK_T_IN			0
#define VIRTIO_BLK_T_OUT		1
#define VIRTIO_BLK_T_FLUSH		4
#define VIRTIO_BLK_T_GET_ID		8
#define VIRTIO_BLK_T_DISCARD		11
#define VIRTIO_BLK_T_WRITE_ZEROES	13
#define VIRTIO_BLK_S_OK			0
#define VIRTIO_BLK_S_IOERR		1
#define VIRTIO_BLK_S_UNSUPP		2

#define VIRTIO_BLK_ID_BYTES		20
#define VIRTIO_BLK_CONFIG_LEN		60
#define VIRTIO_BLK_SEG_MAX		126	/* data segments per request */
#define VIRTIO_BLK_SIZE_MAX		(1u << 20)	/* per segment */
#define VIRTIO_BLK_MAX_DISCARD_SECTORS	(1u << 22)	/* 2 GiB */
/* pop array: header + data + status, each possibly split at a slot end */
#define VIRTIO_BLK_MAX_SEGS		(2 * (VIRTIO_BLK_SEG_MAX + 2))

/* What one request chain asks for (vblk_parse()). */
struct vblk_parsed {
	u32 type;
	u64 sector;
	struct iovec iov[VIRTIO_BLK_MAX_SEGS];	/* the data part */
	int iovcnt;
	u64 data_len;
	u8 *status;		/* host address of the status byte */
	/* DISCARD/WRITE_ZEROES: the (single) range */
	u64 range_sector;
	u32 range_sectors;
};

/*
 * Split a popped chain into header, data and status. Returns 0, or -1 for
 * a chain that is no virtio-blk request (header shorter than 16 bytes, no
 * writable status byte): a driver bug that makes the device NEEDS_RESET.
 */
int vblk_parse(const struct vq_seg *segs, const struct vq_chain *chain,
	       struct vblk_parsed *p);

/*
 * Turn a parsed request into a block-layer one. Returns 0 (req filled,
 * submit it), or a VIRTIO_BLK_S_* status to complete with at once
 * (> 0: unsupported type, bad range, misaligned length, read-only).
 */
int vblk_to_blk_req(const struct vblk_parsed *p, u64 capacity_sectors,
		    bool readonly, struct blk_req *req);

/* Fill the device configuration (little-endian) for a disk. */
void vblk_config(u8 cfg[VIRTIO_BLK_CONFIG_LEN], u64 sectors);

/*
 * Per-device counters: the I/O thread writes them (relaxed atomics,
 * nyx_stat_add()), query-stats reads them from the control thread.
 * Requests are counted when they complete, by type; an unknown type
 * counts in "unsupported". Bytes only for reads and writes that
 * succeeded. Latency: from the request's parse (it left the ring) to
 * its completion (status written, used entry pushed).
 */
struct vblk_stats {
	u64 reads, writes, flushes, discards, write_zeroes, get_ids;
	u64 unsupported;
	u64 errors;			/* completed with a status other than OK */
	u64 read_bytes, write_bytes;
	u64 inflight;			/* submitted to the block layer */
	struct nyx_hist latency;
};

struct vblk_req;

struct virtio_blk {
	struct virtio_pci vp;
	struct blockdev *bd;
	char id[VIRTIO_BLK_ID_BYTES];	/* GET_ID; zero-padded */
	u8 config[VIRTIO_BLK_CONFIG_LEN];
	bool readonly;
	/* Requests finished while quarantined, held for device-reset (I/O
	 * thread only; saveable as their heads and results). */
	struct vblk_req *kept;
	unsigned int nr_kept;
	struct vblk_stats stats;
};

/* Open the image and build the PCI function (register it afterwards
 * with pci_register(&b->vp.pci)). Returns 0 or an error (printed). */
int virtio_blk_init(struct virtio_blk *b, const struct disk_spec *spec,
		    const struct vm *vm);
/* Start the I/O thread (after the VM exists). */
int virtio_blk_start(struct virtio_blk *b, int vm_fd);
/* Stop it, finish requests in flight, close the image. */
void virtio_blk_exit(struct virtio_blk *b);

/*
 * Snapshot state (Documentation/architecture.rst, "Virtio device state").
 * The disk itself (image, size, serial, read-only) is configuration: the
 * loading device must have been built on the same one, which the config
 * bytes and the id show.
 */
#define VIRTIO_BLK_STATE_VERSION	1

struct virtio_blk_saved {		/* 1024 bytes */
	u32 version;			/* VIRTIO_BLK_STATE_VERSION */
	u32 size;			/* sizeof(struct virtio_blk_saved) */
	struct virtio_pci_saved vp;
	u8 config[VIRTIO_BLK_CONFIG_LEN];	/* must match on load */
	char id[VIRTIO_BLK_ID_BYTES];		/* must match on load */
	u8 readonly;				/* must match on load */
	u8 pad[7];				/* 0 */
};

/*
 * A snapshot is taken with the device quiesced: no request in flight in
 * the block layer and none kept by a backend quarantine (their buffers
 * and completions would be lost). Returns 0, or -EBUSY in those cases
 * (and during a reset): the caller stops the vCPUs, lets the I/O thread
 * finish (or ends the quarantine) and retries.
 */
int virtio_blk_save(struct virtio_blk *b, struct virtio_blk_saved *st);
/* Returns 0, or -EINVAL (nothing changed) / -EBUSY as virtio_pci_load();
 * also -EBUSY if this device has requests in flight or kept. */
int virtio_blk_load(struct virtio_blk *b, const struct virtio_blk_saved *st);

#endif
