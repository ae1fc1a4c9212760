// SPDX-License-Identifier: GPL-2.0
/*
 * Split virtqueues, device side; see virtqueue.h for the checks and the
 * memory model.
 *
 * Ordering (the driver runs concurrently on other CPUs):
 *  - pop: read avail->idx, then rmb, then the ring entry and descriptors,
 *    which the driver wrote before it published the index;
 *  - push: write the used element, wmb, then used->idx;
 *  - should_notify: mb between our used->idx store and the load of
 *    avail->flags/used_event, or a driver that just re-enabled interrupts
 *    and found no new used entry could miss our interrupt;
 *  - enable_notify: mb between the store of used->flags/avail_event and
 *    the load of avail->idx, the same race from the other side.
 *
 * Chain length: a chain in the descriptor table that visits more
 * descriptors than the table has must revisit one (VQ_ERR_LOOP), so no
 * visited set is needed; likewise inside an indirect table. Indirect tables
 * may hold more entries than the queue size (Linux builds such chains, and
 * QEMU and vhost accept them) but not more than VQ_MAX_SIZE
 * (VQ_ERR_CHAIN_LEN), so a pop walks at most size + 32768 descriptors.
 */
#include <nyx/barrier.h>

#include "virtqueue.h"

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the ring accessors assume a little-endian host (virtio 1.x rings are LE)"
#endif

#define VQ_U32_MAX	0xffffffffu

static bool features_has(const struct virtqueue *vq, unsigned int bit)
{
	return (vq->s.features >> bit) & 1;
}

/* Ring fields: aligned (checked at setup), one access each. */
static u16 avail_flags(const struct virtqueue *vq)
{
	return NYX_READ_ONCE(*(u16 *)vq->avail);
}

static u16 avail_idx(const struct virtqueue *vq)
{
	return NYX_READ_ONCE(*(u16 *)(vq->avail + 2));
}

static u16 avail_ring(const struct virtqueue *vq, u16 i)
{
	return NYX_READ_ONCE(*(u16 *)(vq->avail + 4 + 2 * (u32)i));
}

static u16 used_event(const struct virtqueue *vq)
{
	return NYX_READ_ONCE(*(u16 *)(vq->avail + 4 + 2 * (u32)vq->s.size));
}

static u16 *used_flags_p(const struct virtqueue *vq)
{
	return (u16 *)vq->used;
}

static u16 *used_idx_p(const struct virtqueue *vq)
{
	return (u16 *)(vq->used + 2);
}

static u32 *used_elem_p(const struct virtqueue *vq, u16 i)
{
	return (u32 *)(vq->used + 4 + 8 * (u32)i);
}

static u16 *avail_event_p(const struct virtqueue *vq)
{
	return (u16 *)(vq->used + 4 + 8 * (u32)vq->s.size);
}

/*
 * Copy one descriptor out of guest memory, byte by byte: indirect tables
 * need not be aligned, and after the copy the guest can no longer change
 * what we check.
 */
static void read_desc(const u8 *p, struct vq_desc *d)
{
	const volatile u8 *v = p;
	u8 b[16];
	int i;

	for (i = 0; i < 16; i++)
		b[i] = v[i];
	d->addr = 0;
	for (i = 7; i >= 0; i--)
		d->addr = (d->addr << 8) | b[i];
	d->len = (u32)b[8] | (u32)b[9] << 8 | (u32)b[10] << 16 |
		 (u32)b[11] << 24;
	d->flags = (u16)(b[12] | b[13] << 8);
	d->next = (u16)(b[14] | b[15] << 8);
}

/* A whole range, host-contiguous, aligned to align in the host too. */
static u8 *map_whole(const struct vq_mem *mem, u64 gpa, u64 len, u64 align,
		     bool write)
{
	u64 contig = 0;
	u8 *p;

	if (len - 1 > ~0ull - gpa)
		return NULL;
	p = mem->map(mem->opaque, gpa, len, &contig, write);
	if (!p || contig != len || ((uintptr_t)p & (align - 1)))
		return NULL;
	return p;
}

static int fail(struct virtqueue *vq, int err)
{
	if (!vq->s.error)
		vq->s.error = (s16)err;
	return err;
}

void vq_reset(struct virtqueue *vq)
{
	nyx_memset(vq, 0, sizeof(*vq));
}

/* Check vq->s and derive the ring pointers. */
static int vq_map_rings(struct virtqueue *vq)
{
	u32 size = vq->s.size;

	vq->ready = false;
	if (!size || size > VQ_MAX_SIZE || (size & (size - 1)))
		return VQ_ERR_SIZE;
	if ((vq->s.desc_gpa & 15) || (vq->s.avail_gpa & 1) ||
	    (vq->s.used_gpa & 3))
		return VQ_ERR_RING_ADDR;
	vq->desc = map_whole(vq->mem, vq->s.desc_gpa, 16ull * size, 16, false);
	vq->avail = map_whole(vq->mem, vq->s.avail_gpa, 6 + 2ull * size, 2,
			      false);
	vq->used = map_whole(vq->mem, vq->s.used_gpa, 6 + 8ull * size, 4, true);
	if (!vq->desc || !vq->avail || !vq->used)
		return VQ_ERR_RING_ADDR;
	vq->ready = true;
	return 0;
}

int vq_setup(struct virtqueue *vq, const struct vq_mem *mem, u16 size,
	     u64 desc_gpa, u64 avail_gpa, u64 used_gpa, u64 features)
{
	int ret;

	vq_reset(vq);
	vq->mem = mem;
	vq->s.size = size;
	vq->s.desc_gpa = desc_gpa;
	vq->s.avail_gpa = avail_gpa;
	vq->s.used_gpa = used_gpa;
	vq->s.features = features;
	ret = vq_map_rings(vq);
	if (ret)
		vq->s.error = (s16)ret;
	return ret;
}

int vq_load(struct virtqueue *vq, const struct vq_mem *mem,
	    const struct vq_state *state)
{
	int ret;

	vq_reset(vq);
	vq->mem = mem;
	vq->s = *state;
	ret = vq_map_rings(vq);
	if (ret)
		return fail(vq, ret);
	return 0;
}

/* Append one buffer descriptor's segments. */
static int add_buf(struct virtqueue *vq, const struct vq_desc *d,
		   struct vq_seg *segs, u32 max_segs, struct vq_chain *c)
{
	bool write = d->flags & VQ_DESC_F_WRITE;
	u64 gpa = d->addr, rem = d->len;

	if (!rem)	/* nothing to map (the spec does not forbid it) */
		return 0;
	if (rem - 1 > ~0ull - gpa)
		return VQ_ERR_WRAP;
	if ((u64)(write ? c->in_len : c->out_len) + rem > VQ_U32_MAX)
		return VQ_ERR_TOTAL_LEN;
	while (rem) {
		u64 contig = 0;
		void *p = vq->mem->map(vq->mem->opaque, gpa, rem, &contig,
				       write);

		if (!p || !contig || contig > rem)
			return VQ_ERR_BUF_ADDR;
		if (c->nr_out + c->nr_in >= max_segs)
			return VQ_ERR_TOO_MANY_SEGS;
		segs[c->nr_out + c->nr_in] = (struct vq_seg){
			.addr = p, .len = (u32)contig, .write = write,
		};
		if (write) {
			c->nr_in++;
			c->in_len += (u32)contig;
		} else {
			c->nr_out++;
			c->out_len += (u32)contig;
		}
		gpa += contig;
		rem -= contig;
	}
	return 0;
}

static int walk_chain(struct virtqueue *vq, u16 head, struct vq_seg *segs,
		      u32 max_segs, struct vq_chain *c)
{
	const u8 *table = vq->desc;
	u32 table_n = vq->s.size, idx = head, visited = 0;
	bool indirect = false, seen_write = false;
	struct vq_desc d;
	int ret;

	for (;;) {
		if (++visited > table_n)
			return VQ_ERR_LOOP;
		c->nr_desc++;
		read_desc(table + 16 * idx, &d);

		if (d.flags & VQ_DESC_F_INDIRECT) {
			if (indirect)
				return VQ_ERR_INDIRECT_NESTED;
			if (!features_has(vq, NYX_VIRTIO_F_INDIRECT_DESC))
				return VQ_ERR_INDIRECT_FEATURE;
			if (d.flags & VQ_DESC_F_NEXT)
				return VQ_ERR_INDIRECT_NEXT;
			if (!d.len || (d.len & 15))
				return VQ_ERR_INDIRECT_LEN;
			if (d.len / 16 > VQ_MAX_SIZE)
				return VQ_ERR_CHAIN_LEN;
			if (d.len - 1 > ~0ull - d.addr)
				return VQ_ERR_WRAP;
			table = map_whole(vq->mem, d.addr, d.len, 1, false);
			if (!table)
				return VQ_ERR_INDIRECT_ADDR;
			table_n = d.len / 16;
			indirect = true;
			idx = 0;
			visited = 0;
			continue;
		}

		/* Readable before writable, zero-length ones included. */
		if (d.flags & VQ_DESC_F_WRITE)
			seen_write = true;
		else if (seen_write)
			return VQ_ERR_ORDER;
		ret = add_buf(vq, &d, segs, max_segs, c);
		if (ret)
			return ret;

		if (!(d.flags & VQ_DESC_F_NEXT))
			return 0;
		idx = d.next;
		if (idx >= table_n)
			return VQ_ERR_NEXT;
	}
}

int vq_pop(struct virtqueue *vq, struct vq_seg *segs, u32 max_segs,
	   struct vq_chain *chain)
{
	u16 idx, pending, head;
	int ret;

	if (!vq->ready)
		return VQ_ERR_NOT_READY;
	if (vq->s.error)
		return VQ_ERR_BROKEN;

	idx = avail_idx(vq);
	pending = (u16)(idx - vq->s.last_avail_idx);
	if (!pending)
		return 0;
	if (pending > vq->s.size)
		return fail(vq, VQ_ERR_AVAIL_IDX);
	nyx_rmb();	/* the entry and its descriptors after the index */

	head = avail_ring(vq, vq->s.last_avail_idx & (vq->s.size - 1));
	if (head >= vq->s.size)
		return fail(vq, VQ_ERR_HEAD);
	nyx_memset(chain, 0, sizeof(*chain));
	chain->head = head;
	ret = walk_chain(vq, head, segs, max_segs, chain);
	if (ret)
		return fail(vq, ret);
	vq->s.last_avail_idx++;

	/*
	 * With EVENT_IDX, keep asking for a kick at the next entry while
	 * notifications are on (as QEMU does), so a device that never calls
	 * vq_disable_notify() still gets kicked.
	 */
	if (features_has(vq, NYX_VIRTIO_F_EVENT_IDX) && !vq->s.notify_disabled)
		NYX_WRITE_ONCE(*avail_event_p(vq), vq->s.last_avail_idx);
	return 1;
}

int vq_unpop(struct virtqueue *vq, u16 n)
{
	if (!vq->ready)
		return VQ_ERR_NOT_READY;
	if (vq->s.error)
		return VQ_ERR_BROKEN;
	/* only what was popped and is not back in the used ring */
	if ((u16)(vq->s.last_avail_idx - vq->s.used_idx) < n)
		return VQ_ERR_USED_ID;
	vq->s.last_avail_idx -= n;
	if (features_has(vq, NYX_VIRTIO_F_EVENT_IDX) && !vq->s.notify_disabled)
		NYX_WRITE_ONCE(*avail_event_p(vq), vq->s.last_avail_idx);
	return 0;
}

int vq_push(struct virtqueue *vq, u16 head, u32 len)
{
	u32 *elem;

	if (!vq->ready)
		return VQ_ERR_NOT_READY;
	if (vq->s.error)
		return VQ_ERR_BROKEN;
	if (head >= vq->s.size)
		return VQ_ERR_USED_ID;
	elem = used_elem_p(vq, vq->s.used_idx & (vq->s.size - 1));
	NYX_WRITE_ONCE(elem[0], (u32)head);
	NYX_WRITE_ONCE(elem[1], len);
	nyx_wmb();	/* the element before the index that publishes it */
	vq->s.used_idx++;
	NYX_WRITE_ONCE(*used_idx_p(vq), vq->s.used_idx);
	return 0;
}

bool vq_should_notify(struct virtqueue *vq)
{
	u16 old, new, event;
	bool valid;

	if (!vq->ready || vq->s.error)
		return false;
	nyx_mb();	/* used->idx store before the flags/used_event load */
	if (!features_has(vq, NYX_VIRTIO_F_EVENT_IDX))
		return !(avail_flags(vq) & VQ_AVAIL_F_NO_INTERRUPT);

	old = vq->s.signalled_used;
	valid = vq->s.signalled_used_valid;
	new = vq->s.used_idx;
	vq->s.signalled_used = new;
	vq->s.signalled_used_valid = true;
	if (!valid)
		return true;
	event = used_event(vq);
	/* vring_need_event(): did used_idx move past event since old? */
	return (u16)(new - event - 1) < (u16)(new - old);
}

void vq_disable_notify(struct virtqueue *vq)
{
	if (!vq->ready)
		return;
	vq->s.notify_disabled = true;
	if (!features_has(vq, NYX_VIRTIO_F_EVENT_IDX))
		NYX_WRITE_ONCE(*used_flags_p(vq),
			       NYX_READ_ONCE(*used_flags_p(vq)) |
			       VQ_USED_F_NO_NOTIFY);
}

bool vq_enable_notify(struct virtqueue *vq)
{
	if (!vq->ready)
		return false;
	vq->s.notify_disabled = false;
	if (features_has(vq, NYX_VIRTIO_F_EVENT_IDX))
		NYX_WRITE_ONCE(*avail_event_p(vq), vq->s.last_avail_idx);
	else
		NYX_WRITE_ONCE(*used_flags_p(vq),
			       NYX_READ_ONCE(*used_flags_p(vq)) &
			       (u16)~VQ_USED_F_NO_NOTIFY);
	nyx_mb();	/* publish before re-reading avail->idx */
	return vq_has_avail(vq);
}

bool vq_has_avail(struct virtqueue *vq)
{
	if (!vq->ready || vq->s.error)
		return false;
	return avail_idx(vq) != vq->s.last_avail_idx;
}

const char *vq_strerror(int err)
{
	switch (err) {
	case VQ_OK: return "no error";
	case VQ_ERR_BROKEN: return "queue broken by an earlier error";
	case VQ_ERR_NOT_READY: return "queue not set up";
	case VQ_ERR_SIZE: return "queue size not a power of two in 1..32768";
	case VQ_ERR_RING_ADDR: return "ring misaligned or outside guest RAM";
	case VQ_ERR_AVAIL_IDX: return "available index more than queue size ahead";
	case VQ_ERR_HEAD: return "head descriptor index out of range";
	case VQ_ERR_NEXT: return "next descriptor index out of range";
	case VQ_ERR_LOOP: return "descriptor chain loops";
	case VQ_ERR_CHAIN_LEN: return "indirect table longer than 32768 entries";
	case VQ_ERR_INDIRECT_FEATURE: return "indirect descriptor without INDIRECT_DESC";
	case VQ_ERR_INDIRECT_LEN: return "indirect table length not a non-zero multiple of 16";
	case VQ_ERR_INDIRECT_NESTED: return "indirect descriptor inside an indirect table";
	case VQ_ERR_INDIRECT_NEXT: return "indirect descriptor with NEXT set";
	case VQ_ERR_INDIRECT_ADDR: return "indirect table outside guest RAM";
	case VQ_ERR_WRAP: return "descriptor address + length wraps";
	case VQ_ERR_BUF_ADDR: return "buffer outside guest RAM";
	case VQ_ERR_TOTAL_LEN: return "chain longer than 4 GiB - 1 bytes";
	case VQ_ERR_ORDER: return "readable descriptor after a writable one";
	case VQ_ERR_TOO_MANY_SEGS: return "chain has more segments than the device supports";
	case VQ_ERR_USED_ID: return "used id out of range";
	}
	return "unknown virtqueue error";
}

/* Copy between buf and the segments' bytes from offset on, either way. */
static u64 vq_copy_segs(u8 *buf, u64 len, const struct vq_seg *segs,
			u32 nr_segs, u64 offset, bool to_segs)
{
	u64 done = 0;
	u32 i;

	for (i = 0; i < nr_segs && done < len; i++) {
		u8 *seg = (u8 *)segs[i].addr;
		u64 n;

		if (offset >= segs[i].len) {
			offset -= segs[i].len;
			continue;
		}
		n = segs[i].len - offset;
		if (n > len - done)
			n = len - done;
		if (to_segs)
			nyx_memcpy(seg + offset, buf + done, n);
		else
			nyx_memcpy(buf + done, seg + offset, n);
		done += n;
		offset = 0;
	}
	return done;
}

u64 vq_copy_from_segs(void *dst, u64 len, const struct vq_seg *segs,
		      u32 nr_segs, u64 offset)
{
	return vq_copy_segs(dst, len, segs, nr_segs, offset, false);
}

u64 vq_copy_to_segs(const struct vq_seg *segs, u32 nr_segs, u64 offset,
		    const void *src, u64 len)
{
	return vq_copy_segs((u8 *)src, len, segs, nr_segs, offset, true);
}
