// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for lib/virtio/virtqueue.c: the input is the guest's
 * side of a queue. Bytes 0-1 pick the queue size (1..128), the features
 * and the device's segment limit; the rest fills guest RAM (descriptor
 * table, avail ring, indirect tables, buffers) in three slots, each its
 * own exactly-sized allocation so ASan sees any access past a slot:
 *
 *   [0x0000, 0x1000)   desc table at 0, avail ring at 0x800
 *   [0x1000, 0x2000)   used ring at 0x1000; adjacent to slot 0, so buffers
 *                      and tables can span the two (host-discontiguous)
 *   [0x10000, 0x11000) after a hole
 *
 * The device pops until the queue is empty or broken, writes every
 * writable byte it got, reads every readable one, pushes and asks whether
 * to notify. Every chain it gets must obey the library's promises
 * (segments in RAM, readable first, totals right), else we abort.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "virtio/virtqueue.h"

#define NSLOTS		3
#define SLOT_SIZE	0x1000ull

static const u64 slot_gpa[NSLOTS] = { 0x0, 0x1000, 0x10000 };
static u8 *slot[NSLOTS];

static void *fuzz_map(void *opaque, u64 gpa, u64 len, u64 *contig,
		      bool write)
{
	int i;

	(void)opaque;
	(void)write;
	for (i = 0; i < NSLOTS; i++) {
		u64 off = gpa - slot_gpa[i];

		if (gpa < slot_gpa[i] || off >= SLOT_SIZE)
			continue;
		*contig = SLOT_SIZE - off < len ? SLOT_SIZE - off : len;
		return slot[i] + off;
	}
	return NULL;
}

static bool in_some_slot(const struct vq_seg *s)
{
	int i;

	for (i = 0; i < NSLOTS; i++) {
		const u8 *b = slot[i];

		if ((const u8 *)s->addr >= b &&
		    (const u8 *)s->addr + s->len <= b + SLOT_SIZE)
			return true;
	}
	return false;
}

#define MAX_SEGS	64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct vq_mem mem = { .map = fuzz_map };
	struct vq_seg segs[MAX_SEGS];
	struct virtqueue vq;
	struct vq_chain c;
	u16 qsize;
	u64 features = 0;
	u32 max_segs, i, round;
	volatile u8 sink = 0;
	int ret;

	if (size < 2)
		return 0;
	qsize = (u16)(1u << (data[0] & 7));
	if (data[1] & 1)
		features |= 1ull << NYX_VIRTIO_F_INDIRECT_DESC;
	if (data[1] & 2)
		features |= 1ull << NYX_VIRTIO_F_EVENT_IDX;
	max_segs = 1 + ((data[1] >> 2) & 63);
	data += 2;
	size -= 2;

	for (i = 0; i < NSLOTS; i++) {
		size_t n = size < SLOT_SIZE ? size : SLOT_SIZE;

		slot[i] = malloc(SLOT_SIZE);
		memset(slot[i], 0, SLOT_SIZE);
		memcpy(slot[i], data, n);
		data += n;
		size -= n;
	}

	ret = vq_setup(&vq, &mem, qsize, 0x0, 0x800, 0x1000, features);
	if (ret)
		__builtin_trap();	/* the layout above is always valid */

	for (round = 0; round < 1024; round++) {
		u32 out = 0, in = 0;

		if (round & 1)
			vq_disable_notify(&vq);
		ret = vq_pop(&vq, segs, max_segs, &c);
		if (ret <= 0) {
			if (ret < 0 && (vq.s.error != ret ||
					vq_pop(&vq, segs, max_segs, &c) !=
					VQ_ERR_BROKEN))
				__builtin_trap();
			if (!ret && vq_enable_notify(&vq))
				continue;	/* cannot be: memory is static */
			break;
		}
		if (c.head >= qsize || c.nr_out + c.nr_in > max_segs)
			__builtin_trap();
		for (i = 0; i < c.nr_out + c.nr_in; i++) {
			const struct vq_seg *s = &segs[i];

			if (!s->len || !in_some_slot(s) ||
			    s->write != (i >= c.nr_out))
				__builtin_trap();
			if (s->write) {
				in += s->len;
				memset(s->addr, 0xa5, s->len);
			} else {
				out += s->len;
				for (u32 j = 0; j < s->len; j++)
					sink ^= ((u8 *)s->addr)[j];
			}
		}
		if (in != c.in_len || out != c.out_len)
			__builtin_trap();
		/*
		 * Our writes may have hit the rings themselves: a guest may
		 * hand out its own ring as a buffer. The next pop must cope.
		 */
		if (vq_push(&vq, c.head, c.in_len))
			__builtin_trap();
		(void)vq_should_notify(&vq);
	}
	(void)sink;

	for (i = 0; i < NSLOTS; i++)
		free(slot[i]);
	return 0;
}
