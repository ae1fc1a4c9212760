// SPDX-License-Identifier: GPL-2.0
/*
 * Split virtqueue library (lib/virtio): good chains, every kind of bad
 * chain, notification suppression with and without EVENT_IDX, index
 * wrap-around, save/load, and a driver thread racing the device.
 *
 * Guest memory: two adjacent slots that are separate host allocations,
 * [0, 64K) and [64K, 128K) (a buffer across 64K is split in two), then no
 * RAM up to 1 TiB. From 1 TiB on, a "fake" slot returns a dummy pointer
 * for any length: only for the 4 GiB total-length test, whose segments are
 * never touched.
 */
#include <pthread.h>
#include <stdlib.h>

#include "virtio/virtqueue.h"
#include "test.h"

#define SLOT_SIZE	0x10000ull
#define FAKE_BASE	(1ull << 40)

static u8 *slot[2];
static u8 fake_byte;

static void *test_map(void *opaque, u64 gpa, u64 len, u64 *contig,
		      bool write)
{
	u64 s, off;

	(void)opaque;
	(void)write;
	if (gpa >= FAKE_BASE) {
		*contig = len;
		return &fake_byte;
	}
	if (gpa >= 2 * SLOT_SIZE)
		return NULL;
	s = gpa / SLOT_SIZE;
	off = gpa % SLOT_SIZE;
	*contig = SLOT_SIZE - off < len ? SLOT_SIZE - off : len;
	return slot[s] + off;
}

static const struct vq_mem mem = { .map = test_map };

static u8 *gp(u64 gpa)
{
	return slot[gpa / SLOT_SIZE] + gpa % SLOT_SIZE;
}

static void w16(u64 gpa, u16 v) { memcpy(gp(gpa), &v, 2); }
static u16 r16(u64 gpa) { u16 v; memcpy(&v, gp(gpa), 2); return v; }
static u32 r32(u64 gpa) { u32 v; memcpy(&v, gp(gpa), 4); return v; }

/* Standard layout for a queue of QSZ: desc 0x1000, avail 0x2000, used 0x3000. */
#define QSZ	8
#define DESC	0x1000ull
#define AVAIL	0x2000ull
#define USED	0x3000ull
#define IND	0x4000ull	/* indirect tables */
#define BUF	0x8000ull	/* data buffers */

static void set_desc_at(u64 table, u16 i, u64 addr, u32 len, u16 flags,
			u16 next)
{
	u8 d[16];

	memcpy(d, &addr, 8);
	memcpy(d + 8, &len, 4);
	memcpy(d + 12, &flags, 2);
	memcpy(d + 14, &next, 2);
	memcpy(gp(table + 16ull * i), d, 16);
}

static void set_desc(u16 i, u64 addr, u32 len, u16 flags, u16 next)
{
	set_desc_at(DESC, i, addr, len, flags, next);
}

/* Make head available at slot idx of the avail ring, then publish idx+1. */
static void avail_add(u16 size, u16 idx, u16 head)
{
	w16(AVAIL + 4 + 2 * (idx % size), head);
	w16(AVAIL + 2, (u16)(idx + 1));
}

static void clear_mem(void)
{
	memset(slot[0], 0, SLOT_SIZE);
	memset(slot[1], 0, SLOT_SIZE);
}

static void setup_q(struct virtqueue *vq, u64 features)
{
	clear_mem();
	CHECK_EQ(vq_setup(vq, &mem, QSZ, DESC, AVAIL, USED, features), 0);
}

/* Pop expecting an error; check it sticks. */
static void expect_err(struct virtqueue *vq, int err)
{
	struct vq_seg segs[16];
	struct vq_chain c;
	int ret = vq_pop(vq, segs, 16, &c);

	CHECK_EQ(ret, err);
	if (ret != err)
		fprintf(stderr, "  got %d (%s), want %d (%s)\n", ret,
			vq_strerror(ret), err, vq_strerror(err));
	CHECK_EQ(vq->s.error, err);
	CHECK_EQ(vq_pop(vq, segs, 16, &c), VQ_ERR_BROKEN);
	CHECK_EQ(vq_push(vq, 0, 0), VQ_ERR_BROKEN);
	CHECK(!vq_has_avail(vq));
	CHECK(!vq_should_notify(vq));
	CHECK_EQ(vq->s.last_avail_idx, 0);
}

static void test_setup(void)
{
	struct virtqueue vq;

	clear_mem();
	CHECK_EQ(vq_setup(&vq, &mem, 0, DESC, AVAIL, USED, 0), VQ_ERR_SIZE);
	CHECK_EQ(vq.s.error, VQ_ERR_SIZE);
	CHECK_EQ(vq_setup(&vq, &mem, 3, DESC, AVAIL, USED, 0), VQ_ERR_SIZE);
	CHECK_EQ(vq_setup(&vq, &mem, 0xffff, DESC, AVAIL, USED, 0),
		 VQ_ERR_SIZE);
	CHECK_EQ(vq_setup(&vq, &mem, 0x8001, DESC, AVAIL, USED, 0),
		 VQ_ERR_SIZE);
	CHECK_EQ(vq_setup(&vq, &mem, 1, DESC, AVAIL, USED, 0), 0);
	CHECK_EQ(vq_setup(&vq, &mem, 4096, 0, 0x10000, 0x12000, 0), 0);
	/* 32768: desc 512K does not fit our 128K of RAM */
	CHECK_EQ(vq_setup(&vq, &mem, 32768, 0, 0x10000, 0x12000, 0),
		 VQ_ERR_RING_ADDR);
	/* alignment: desc 16, avail 2, used 4 */
	CHECK_EQ(vq_setup(&vq, &mem, QSZ, DESC + 8, AVAIL, USED, 0),
		 VQ_ERR_RING_ADDR);
	CHECK_EQ(vq_setup(&vq, &mem, QSZ, DESC, AVAIL + 1, USED, 0),
		 VQ_ERR_RING_ADDR);
	CHECK_EQ(vq_setup(&vq, &mem, QSZ, DESC, AVAIL, USED + 2, 0),
		 VQ_ERR_RING_ADDR);
	CHECK_EQ(vq_setup(&vq, &mem, QSZ, DESC, AVAIL + 2, USED + 4, 0), 0);
	/* outside RAM, partly outside, across the slot boundary */
	CHECK_EQ(vq_setup(&vq, &mem, QSZ, 0x30000, AVAIL, USED, 0),
		 VQ_ERR_RING_ADDR);
	CHECK_EQ(vq_setup(&vq, &mem, QSZ, DESC, AVAIL, 0x1fff0, 0),
		 VQ_ERR_RING_ADDR);
	CHECK_EQ(vq_setup(&vq, &mem, QSZ, 0xfff0, AVAIL, USED, 0),
		 VQ_ERR_RING_ADDR);
	CHECK_EQ(vq_setup(&vq, &mem, QSZ, ~0ull - 15, AVAIL, USED, 0),
		 VQ_ERR_RING_ADDR);
	/* a failed queue does nothing */
	{
		struct vq_seg s[1];
		struct vq_chain c;

		CHECK_EQ(vq_pop(&vq, s, 1, &c), VQ_ERR_NOT_READY);
		CHECK_EQ(vq_push(&vq, 0, 0), VQ_ERR_NOT_READY);
		CHECK(!vq_should_notify(&vq));
		CHECK(!vq_enable_notify(&vq));
	}
}

static void test_simple_chain(void)
{
	struct virtqueue vq;
	struct vq_seg segs[8];
	struct vq_chain c;

	setup_q(&vq, 0);
	CHECK_EQ(vq_pop(&vq, segs, 8, &c), 0);
	CHECK(!vq_has_avail(&vq));

	/* head 5: 16 readable -> 8 readable -> 100 writable */
	set_desc(5, BUF, 16, VQ_DESC_F_NEXT, 2);
	set_desc(2, BUF + 0x100, 8, VQ_DESC_F_NEXT, 7);
	set_desc(7, BUF + 0x200, 100, VQ_DESC_F_WRITE, 0);
	avail_add(QSZ, 0, 5);
	CHECK(vq_has_avail(&vq));
	CHECK_EQ(vq_pop(&vq, segs, 8, &c), 1);
	CHECK_EQ(c.head, 5);
	CHECK_EQ(c.nr_out, 2);
	CHECK_EQ(c.nr_in, 1);
	CHECK_EQ(c.out_len, 24);
	CHECK_EQ(c.in_len, 100);
	CHECK_EQ(c.nr_desc, 3);
	CHECK(segs[0].addr == gp(BUF) && segs[0].len == 16 && !segs[0].write);
	CHECK(segs[1].addr == gp(BUF + 0x100) && segs[1].len == 8 &&
	      !segs[1].write);
	CHECK(segs[2].addr == gp(BUF + 0x200) && segs[2].len == 100 &&
	      segs[2].write);
	CHECK_EQ(vq.s.last_avail_idx, 1);
	CHECK_EQ(vq_pop(&vq, segs, 8, &c), 0);

	CHECK_EQ(vq_push(&vq, 5, 42), 0);
	CHECK_EQ(r16(USED + 2), 1);
	CHECK_EQ(r32(USED + 4), 5);
	CHECK_EQ(r32(USED + 8), 42);
	CHECK_EQ(vq_push(&vq, QSZ, 0), VQ_ERR_USED_ID);
	CHECK_EQ(vq.s.error, 0);	/* a device bug, not the guest's */
	CHECK_EQ(r16(USED + 2), 1);

	/* a single descriptor, then the same head again */
	set_desc(0, BUF, 1, 0, 0);
	avail_add(QSZ, 1, 0);
	avail_add(QSZ, 2, 0);
	CHECK_EQ(vq_pop(&vq, segs, 8, &c), 1);
	CHECK(c.head == 0 && c.nr_out == 1 && c.out_len == 1 && !c.nr_in);
	CHECK_EQ(vq_pop(&vq, segs, 8, &c), 1);
	CHECK_EQ(vq_pop(&vq, segs, 8, &c), 0);
	CHECK_EQ(vq_push(&vq, 0, 0), 0);
	CHECK_EQ(vq_push(&vq, 0, 0), 0);
	CHECK_EQ(r16(USED + 2), 3);
}

static void test_zero_len_and_full_chain(void)
{
	struct virtqueue vq;
	struct vq_seg segs[QSZ];
	struct vq_chain c;
	u16 i;

	setup_q(&vq, 0);
	/* zero-length descriptors produce no segment (any address) */
	set_desc(0, 0xdead00000000ull, 0, VQ_DESC_F_NEXT, 1);
	set_desc(1, BUF, 4, VQ_DESC_F_NEXT, 2);
	set_desc(2, 0xdead00000000ull, 0, VQ_DESC_F_WRITE, 0);
	avail_add(QSZ, 0, 0);
	CHECK_EQ(vq_pop(&vq, segs, QSZ, &c), 1);
	CHECK(c.nr_out == 1 && c.nr_in == 0 && c.out_len == 4 &&
	      c.nr_desc == 3);

	/* a chain of exactly the queue size through every descriptor */
	setup_q(&vq, 0);
	for (i = 0; i < QSZ; i++)
		set_desc(i, BUF + 16 * i, 16,
			 i + 1 < QSZ ? VQ_DESC_F_NEXT : 0, (u16)(i + 1));
	avail_add(QSZ, 0, 0);
	CHECK_EQ(vq_pop(&vq, segs, QSZ, &c), 1);
	CHECK(c.nr_out == QSZ && c.out_len == 16 * QSZ && c.nr_desc == QSZ);
}

static void test_slots(void)
{
	struct virtqueue vq;
	struct vq_seg segs[4];
	struct vq_chain c;

	/* a buffer across the slot boundary: two segments */
	setup_q(&vq, 0);
	set_desc(0, SLOT_SIZE - 10, 30, VQ_DESC_F_WRITE, 0);
	avail_add(QSZ, 0, 0);
	CHECK_EQ(vq_pop(&vq, segs, 4, &c), 1);
	CHECK(c.nr_in == 2 && c.in_len == 30);
	CHECK(segs[0].addr == slot[0] + SLOT_SIZE - 10 && segs[0].len == 10);
	CHECK(segs[1].addr == slot[1] && segs[1].len == 20 && segs[1].write);

	/* ... which needs two free segments */
	setup_q(&vq, 0);
	set_desc(0, SLOT_SIZE - 10, 30, 0, 0);
	avail_add(QSZ, 0, 0);
	{
		struct vq_seg one[1];

		CHECK_EQ(vq_pop(&vq, one, 1, &c), VQ_ERR_TOO_MANY_SEGS);
	}

	/* outside RAM, and running off the end of RAM */
	setup_q(&vq, 0);
	set_desc(0, 0x30000, 1, 0, 0);
	avail_add(QSZ, 0, 0);
	expect_err(&vq, VQ_ERR_BUF_ADDR);

	setup_q(&vq, 0);
	set_desc(0, BUF, 4, VQ_DESC_F_NEXT, 1);
	set_desc(1, 2 * SLOT_SIZE - 4, 5, VQ_DESC_F_WRITE, 0);
	avail_add(QSZ, 0, 0);
	expect_err(&vq, VQ_ERR_BUF_ADDR);

	/* last byte of RAM is fine */
	setup_q(&vq, 0);
	set_desc(0, 2 * SLOT_SIZE - 4, 4, 0, 0);
	avail_add(QSZ, 0, 0);
	CHECK_EQ(vq_pop(&vq, segs, 4, &c), 1);
}

static void test_bad_chains(void)
{
	struct virtqueue vq;
	struct vq_seg segs[4];
	struct vq_chain c;

	/* avail->idx more than size ahead */
	setup_q(&vq, 0);
	w16(AVAIL + 2, QSZ + 1);
	expect_err(&vq, VQ_ERR_AVAIL_IDX);
	setup_q(&vq, 0);
	w16(AVAIL + 2, 0xffff);		/* "behind": also > size ahead */
	expect_err(&vq, VQ_ERR_AVAIL_IDX);

	/* exactly size ahead is fine */
	setup_q(&vq, 0);
	set_desc(0, BUF, 1, 0, 0);
	w16(AVAIL + 2, QSZ);
	for (int i = 0; i < QSZ; i++)
		CHECK_EQ(vq_pop(&vq, segs, 4, &c), 1);
	CHECK_EQ(vq_pop(&vq, segs, 4, &c), 0);

	setup_q(&vq, 0);
	avail_add(QSZ, 0, QSZ);
	expect_err(&vq, VQ_ERR_HEAD);
	setup_q(&vq, 0);
	avail_add(QSZ, 0, 0xffff);
	expect_err(&vq, VQ_ERR_HEAD);

	setup_q(&vq, 0);
	set_desc(0, BUF, 1, VQ_DESC_F_NEXT, QSZ);
	avail_add(QSZ, 0, 0);
	expect_err(&vq, VQ_ERR_NEXT);

	/* loops: to itself, and 0 -> 1 -> 2 -> 1 */
	setup_q(&vq, 0);
	set_desc(3, BUF, 1, VQ_DESC_F_NEXT, 3);
	avail_add(QSZ, 0, 3);
	expect_err(&vq, VQ_ERR_LOOP);
	setup_q(&vq, 0);
	set_desc(0, BUF, 1, VQ_DESC_F_NEXT, 1);
	set_desc(1, BUF, 1, VQ_DESC_F_NEXT, 2);
	set_desc(2, BUF, 1, VQ_DESC_F_NEXT, 1);
	avail_add(QSZ, 0, 0);
	expect_err(&vq, VQ_ERR_LOOP);

	/* a zero-length loop produces no segment but is still a loop */
	setup_q(&vq, 0);
	set_desc(0, 0, 0, VQ_DESC_F_NEXT, 0);
	avail_add(QSZ, 0, 0);
	expect_err(&vq, VQ_ERR_LOOP);

	/* address + length wraps */
	setup_q(&vq, 0);
	set_desc(0, ~0ull - 5, 100, 0, 0);
	avail_add(QSZ, 0, 0);
	expect_err(&vq, VQ_ERR_WRAP);
	setup_q(&vq, 0);
	set_desc(0, ~0ull, 1, 0, 0);	/* the very last byte: no wrap */
	avail_add(QSZ, 0, 0);
	CHECK_EQ(vq_pop(&vq, segs, 4, &c), 1);	/* (the fake slot) */

	/* readable after writable (also when the writable one is empty) */
	setup_q(&vq, 0);
	set_desc(0, BUF, 4, VQ_DESC_F_WRITE | VQ_DESC_F_NEXT, 1);
	set_desc(1, BUF, 4, 0, 0);
	avail_add(QSZ, 0, 0);
	expect_err(&vq, VQ_ERR_ORDER);
	setup_q(&vq, 0);
	set_desc(0, BUF, 0, VQ_DESC_F_WRITE | VQ_DESC_F_NEXT, 1);
	set_desc(1, BUF, 4, 0, 0);
	avail_add(QSZ, 0, 0);
	expect_err(&vq, VQ_ERR_ORDER);

	/* more segments than the caller has */
	setup_q(&vq, 0);
	set_desc(0, BUF, 4, VQ_DESC_F_NEXT, 1);
	set_desc(1, BUF, 4, VQ_DESC_F_NEXT, 2);
	set_desc(2, BUF, 4, 0, 0);
	avail_add(QSZ, 0, 0);
	CHECK_EQ(vq_pop(&vq, segs, 2, &c), VQ_ERR_TOO_MANY_SEGS);
	CHECK_EQ(vq.s.error, VQ_ERR_TOO_MANY_SEGS);
	setup_q(&vq, 0);
	avail_add(QSZ, 0, 0);
	set_desc(0, BUF, 4, 0, 0);
	CHECK_EQ(vq_pop(&vq, segs, 0, &c), VQ_ERR_TOO_MANY_SEGS);

	/* totals over 4 GiB - 1, per direction */
	setup_q(&vq, 0);
	set_desc(0, FAKE_BASE, 0xffffffffu, VQ_DESC_F_NEXT, 1);
	set_desc(1, BUF, 1, 0, 0);
	avail_add(QSZ, 0, 0);
	expect_err(&vq, VQ_ERR_TOTAL_LEN);
	setup_q(&vq, 0);
	set_desc(0, FAKE_BASE, 0xffffffffu, VQ_DESC_F_NEXT, 1);
	set_desc(1, FAKE_BASE, 0xffffffffu, VQ_DESC_F_WRITE, 0);
	avail_add(QSZ, 0, 0);
	CHECK_EQ(vq_pop(&vq, segs, 4, &c), 1);
	CHECK(c.out_len == 0xffffffffu && c.in_len == 0xffffffffu);
	setup_q(&vq, 0);
	set_desc(0, FAKE_BASE, 0x80000000u, VQ_DESC_F_WRITE | VQ_DESC_F_NEXT, 1);
	set_desc(1, FAKE_BASE, 0x80000000u, VQ_DESC_F_WRITE, 0);
	avail_add(QSZ, 0, 0);
	expect_err(&vq, VQ_ERR_TOTAL_LEN);
}

static void test_indirect(void)
{
	u64 feat = 1ull << NYX_VIRTIO_F_INDIRECT_DESC;
	struct virtqueue vq;
	struct vq_seg segs[16];
	struct vq_chain c;

	/* a direct descriptor, then a 3-entry table: 0 -> 2 -> 1 */
	setup_q(&vq, feat);
	set_desc(4, BUF, 10, VQ_DESC_F_NEXT, 6);
	set_desc(6, IND, 48, VQ_DESC_F_INDIRECT | VQ_DESC_F_WRITE, 0);
	set_desc_at(IND, 0, BUF + 0x10, 20, VQ_DESC_F_NEXT, 2);
	set_desc_at(IND, 2, BUF + 0x40, 30, VQ_DESC_F_NEXT | VQ_DESC_F_WRITE, 1);
	set_desc_at(IND, 1, BUF + 0x80, 40, VQ_DESC_F_WRITE, 0);
	avail_add(QSZ, 0, 4);
	CHECK_EQ(vq_pop(&vq, segs, 16, &c), 1);
	CHECK(c.head == 4 && c.nr_out == 2 && c.nr_in == 2);
	CHECK(c.out_len == 30 && c.in_len == 70 && c.nr_desc == 5);
	CHECK(segs[1].addr == gp(BUF + 0x10) && segs[1].len == 20);
	CHECK(segs[2].addr == gp(BUF + 0x40) && segs[2].write);
	CHECK(segs[3].addr == gp(BUF + 0x80) && segs[3].len == 40);

	/* an unaligned table, longer than the queue size (like Linux makes) */
	setup_q(&vq, feat);
	for (u16 i = 0; i < 2 * QSZ; i++)
		set_desc_at(IND + 3, i, BUF + i, 1,
			    i + 1 < 2 * QSZ ? VQ_DESC_F_NEXT : 0, (u16)(i + 1));
	set_desc(0, IND + 3, 2 * QSZ * 16, VQ_DESC_F_INDIRECT, 0);
	avail_add(QSZ, 0, 0);
	CHECK_EQ(vq_pop(&vq, segs, 16, &c), 1);
	CHECK(c.nr_out == 16 && c.out_len == 16);

	/* the feature is not negotiated */
	setup_q(&vq, 0);
	set_desc(0, IND, 16, VQ_DESC_F_INDIRECT, 0);
	set_desc_at(IND, 0, BUF, 1, 0, 0);
	avail_add(QSZ, 0, 0);
	expect_err(&vq, VQ_ERR_INDIRECT_FEATURE);

	/* lengths: 0, not a multiple of 16, more than 32768 entries */
	setup_q(&vq, feat);
	set_desc(0, IND, 0, VQ_DESC_F_INDIRECT, 0);
	avail_add(QSZ, 0, 0);
	expect_err(&vq, VQ_ERR_INDIRECT_LEN);
	setup_q(&vq, feat);
	set_desc(0, IND, 17, VQ_DESC_F_INDIRECT, 0);
	avail_add(QSZ, 0, 0);
	expect_err(&vq, VQ_ERR_INDIRECT_LEN);
	setup_q(&vq, feat);
	set_desc(0, FAKE_BASE, (VQ_MAX_SIZE + 1) * 16, VQ_DESC_F_INDIRECT, 0);
	avail_add(QSZ, 0, 0);
	expect_err(&vq, VQ_ERR_CHAIN_LEN);

	/* nesting, INDIRECT | NEXT */
	setup_q(&vq, feat);
	set_desc(0, IND, 32, VQ_DESC_F_INDIRECT, 0);
	set_desc_at(IND, 0, BUF, 1, VQ_DESC_F_NEXT, 1);
	set_desc_at(IND, 1, IND, 32, VQ_DESC_F_INDIRECT, 0);
	avail_add(QSZ, 0, 0);
	expect_err(&vq, VQ_ERR_INDIRECT_NESTED);
	setup_q(&vq, feat);
	set_desc(0, IND, 16, VQ_DESC_F_INDIRECT | VQ_DESC_F_NEXT, 1);
	set_desc_at(IND, 0, BUF, 1, 0, 0);
	set_desc(1, BUF, 1, 0, 0);
	avail_add(QSZ, 0, 0);
	expect_err(&vq, VQ_ERR_INDIRECT_NEXT);

	/* the table outside RAM, across the end of RAM, wrapping */
	setup_q(&vq, feat);
	set_desc(0, 0x30000, 16, VQ_DESC_F_INDIRECT, 0);
	avail_add(QSZ, 0, 0);
	expect_err(&vq, VQ_ERR_INDIRECT_ADDR);
	setup_q(&vq, feat);
	set_desc(0, 2 * SLOT_SIZE - 16, 32, VQ_DESC_F_INDIRECT, 0);
	avail_add(QSZ, 0, 0);
	expect_err(&vq, VQ_ERR_INDIRECT_ADDR);
	setup_q(&vq, feat);		/* host-discontiguous table */
	set_desc(0, SLOT_SIZE - 16, 32, VQ_DESC_F_INDIRECT, 0);
	avail_add(QSZ, 0, 0);
	expect_err(&vq, VQ_ERR_INDIRECT_ADDR);
	setup_q(&vq, feat);
	set_desc(0, ~0ull - 15, 32, VQ_DESC_F_INDIRECT, 0);
	avail_add(QSZ, 0, 0);
	expect_err(&vq, VQ_ERR_WRAP);

	/* next out of the table, loop inside the table */
	setup_q(&vq, feat);
	set_desc(0, IND, 32, VQ_DESC_F_INDIRECT, 0);
	set_desc_at(IND, 0, BUF, 1, VQ_DESC_F_NEXT, 2);
	avail_add(QSZ, 0, 0);
	expect_err(&vq, VQ_ERR_NEXT);
	setup_q(&vq, feat);
	set_desc(0, IND, 32, VQ_DESC_F_INDIRECT, 0);
	set_desc_at(IND, 0, BUF, 1, VQ_DESC_F_NEXT, 1);
	set_desc_at(IND, 1, BUF, 1, VQ_DESC_F_NEXT, 0);
	avail_add(QSZ, 0, 0);
	expect_err(&vq, VQ_ERR_LOOP);

	/* order across the direct/indirect boundary */
	setup_q(&vq, feat);
	set_desc(0, BUF, 4, VQ_DESC_F_WRITE | VQ_DESC_F_NEXT, 1);
	set_desc(1, IND, 16, VQ_DESC_F_INDIRECT, 0);
	set_desc_at(IND, 0, BUF, 1, 0, 0);
	avail_add(QSZ, 0, 0);
	expect_err(&vq, VQ_ERR_ORDER);
}

/* Indexes wrap at 2^16, not at the queue size. */
static void test_wrap(void)
{
	struct virtqueue vq;
	struct vq_state st;
	struct vq_seg segs[2];
	struct vq_chain c;
	u16 i;

	setup_q(&vq, 0);
	st = vq.s;
	st.last_avail_idx = 0xfffe;
	st.used_idx = 0xfffe;
	CHECK_EQ(vq_load(&vq, &mem, &st), 0);
	set_desc(1, BUF, 1, 0, 0);
	for (i = 0; i < 4; i++)
		w16(AVAIL + 4 + 2 * ((0xfffe + i) % QSZ), 1);
	w16(AVAIL + 2, 2);	/* 0xfffe, 0xffff, 0, 1 available */
	for (i = 0; i < 4; i++) {
		CHECK_EQ(vq_pop(&vq, segs, 2, &c), 1);
		CHECK_EQ(vq_push(&vq, c.head, i), 0);
	}
	CHECK_EQ(vq_pop(&vq, segs, 2, &c), 0);
	CHECK_EQ(vq.s.last_avail_idx, 2);
	CHECK_EQ(r16(USED + 2), 2);
	/* the element for used idx 0xffff sits in slot 7, for 1 in slot 1 */
	CHECK_EQ(r32(USED + 4 + 8 * 7 + 4), 1);
	CHECK_EQ(r32(USED + 4 + 8 * 1 + 4), 3);
}

static void test_notify_plain(void)
{
	struct virtqueue vq;
	struct vq_seg segs[2];
	struct vq_chain c;

	setup_q(&vq, 0);
	set_desc(0, BUF, 1, 0, 0);
	avail_add(QSZ, 0, 0);
	CHECK_EQ(vq_pop(&vq, segs, 2, &c), 1);
	CHECK_EQ(vq_push(&vq, 0, 0), 0);
	CHECK(vq_should_notify(&vq));
	w16(AVAIL, VQ_AVAIL_F_NO_INTERRUPT);
	CHECK(!vq_should_notify(&vq));
	w16(AVAIL, 0);
	CHECK(vq_should_notify(&vq));

	vq_disable_notify(&vq);
	CHECK_EQ(r16(USED), VQ_USED_F_NO_NOTIFY);
	CHECK(!vq_enable_notify(&vq));
	CHECK_EQ(r16(USED), 0);
	vq_disable_notify(&vq);
	avail_add(QSZ, 1, 0);
	CHECK(vq_enable_notify(&vq));	/* something arrived meanwhile */
	CHECK_EQ(vq_pop(&vq, segs, 2, &c), 1);
	CHECK(!vq_enable_notify(&vq));
	/* without EVENT_IDX nothing is written after the used ring */
	CHECK_EQ(r16(USED + 4 + 8 * QSZ), 0);
}

static void test_notify_event_idx(void)
{
	struct virtqueue vq;
	struct vq_seg segs[2];
	struct vq_chain c;
	u64 used_event = AVAIL + 4 + 2 * QSZ, avail_event = USED + 4 + 8 * QSZ;
	int i;

	setup_q(&vq, 1ull << NYX_VIRTIO_F_EVENT_IDX);
	set_desc(0, BUF, 1, 0, 0);
	/* NO_INTERRUPT is ignored with EVENT_IDX */
	w16(AVAIL, VQ_AVAIL_F_NO_INTERRUPT);
	for (i = 0; i < QSZ; i++)
		avail_add(QSZ, (u16)i, 0);

	/* first: always; nothing new since: never */
	CHECK_EQ(vq_pop(&vq, segs, 2, &c), 1);
	CHECK_EQ(r16(avail_event), 1);	/* kick me at entry 1 */
	CHECK_EQ(vq_push(&vq, 0, 0), 0);
	CHECK(vq_should_notify(&vq));
	CHECK(!vq_should_notify(&vq));

	/* used_event 3: notify when used_idx passes 3, i.e. at 4 */
	w16(used_event, 3);
	for (i = 2; i <= 5; i++) {
		CHECK_EQ(vq_pop(&vq, segs, 2, &c), 1);
		CHECK_EQ(vq_push(&vq, 0, 0), 0);
		CHECK_EQ(vq_should_notify(&vq), i == 4);
	}
	/* several pushes at once that jump over used_event */
	w16(used_event, 6);
	CHECK_EQ(vq_pop(&vq, segs, 2, &c), 1);
	CHECK_EQ(vq_pop(&vq, segs, 2, &c), 1);
	CHECK_EQ(vq_push(&vq, 0, 0), 0);
	CHECK_EQ(vq_push(&vq, 0, 0), 0);
	CHECK(vq_should_notify(&vq));	/* 5 -> 7 passed 6 */

	/* disabled: pops no longer move avail_event; enable sets it */
	vq_disable_notify(&vq);
	CHECK_EQ(r16(USED), 0);		/* used->flags untouched */
	CHECK_EQ(r16(avail_event), 7);
	CHECK_EQ(vq_pop(&vq, segs, 2, &c), 1);
	CHECK_EQ(r16(avail_event), 7);
	CHECK(!vq_enable_notify(&vq));
	CHECK_EQ(r16(avail_event), 8);
	avail_add(QSZ, 8, 0);
	vq_disable_notify(&vq);
	CHECK(vq_enable_notify(&vq));
}

static void test_save_load(void)
{
	struct virtqueue a, b;
	struct vq_state st;
	struct vq_seg segs[2];
	struct vq_chain c;

	setup_q(&a, 1ull << NYX_VIRTIO_F_EVENT_IDX);
	set_desc(0, BUF, 1, 0, 0);
	set_desc(1, BUF, 2, 0, 0);
	avail_add(QSZ, 0, 0);
	avail_add(QSZ, 1, 1);
	CHECK_EQ(vq_pop(&a, segs, 2, &c), 1);
	CHECK_EQ(vq_push(&a, 0, 0), 0);
	CHECK(vq_should_notify(&a));
	st = a.s;

	CHECK_EQ(vq_load(&b, &mem, &st), 0);
	CHECK(!memcmp(&a.s, &b.s, sizeof(st)));
	CHECK(a.desc == b.desc && a.avail == b.avail && a.used == b.used);
	CHECK_EQ(vq_pop(&b, segs, 2, &c), 1);
	CHECK(c.head == 1 && c.out_len == 2);

	/* a saved state is validated like a setup */
	st.size = 6;
	CHECK_EQ(vq_load(&b, &mem, &st), VQ_ERR_SIZE);
	CHECK_EQ(vq_pop(&b, segs, 2, &c), VQ_ERR_NOT_READY);
	st.size = QSZ;
	st.used_gpa = 0x40000;
	CHECK_EQ(vq_load(&b, &mem, &st), VQ_ERR_RING_ADDR);
	/* a broken queue stays broken */
	st = a.s;
	st.error = VQ_ERR_LOOP;
	CHECK_EQ(vq_load(&b, &mem, &st), 0);
	CHECK_EQ(vq_pop(&b, segs, 2, &c), VQ_ERR_BROKEN);

	vq_reset(&b);
	CHECK(!b.ready && !b.s.size);
}

static void test_copy_strerror(void)
{
	u8 a[4] = { 1, 2, 3, 4 }, b[3] = { 5, 6, 7 }, out[8];
	struct vq_seg segs[2] = {
		{ .addr = a, .len = 4 }, { .addr = b, .len = 3 },
	};
	u8 in[5] = { 9, 9, 9, 9, 9 };

	memset(out, 0, sizeof(out));
	CHECK_EQ(vq_copy_from_segs(out, 8, segs, 2, 0), 7);
	CHECK(!memcmp(out, "\1\2\3\4\5\6\7", 7));
	CHECK_EQ(vq_copy_from_segs(out, 2, segs, 2, 3), 2);
	CHECK(out[0] == 4 && out[1] == 5);
	CHECK_EQ(vq_copy_from_segs(out, 8, segs, 2, 7), 0);
	CHECK_EQ(vq_copy_from_segs(out, 8, segs, 2, 100), 0);
	CHECK_EQ(vq_copy_to_segs(segs, 2, 2, in, 5), 5);
	CHECK(a[1] == 2 && a[2] == 9 && a[3] == 9 && b[2] == 9);
	CHECK_EQ(vq_copy_to_segs(segs, 2, 6, in, 5), 1);

	/* every code has its own message */
	for (int e = VQ_ERR_USED_ID; e <= 0; e++) {
		CHECK(strcmp(vq_strerror(e), "unknown virtqueue error"));
		for (int f = VQ_ERR_USED_ID; f < e; f++)
			CHECK(strcmp(vq_strerror(e), vq_strerror(f)));
	}
	CHECK(!strcmp(vq_strerror(-1000), "unknown virtqueue error"));
}

/*
 * A driver thread and the device (this thread) share a 32-entry queue
 * (16 chains of two descriptors in flight) for N requests: the driver fills each buffer with its sequence number,
 * publishes it and reaps used entries; the device checks the contents and
 * writes the number + 1 back. Exercises the barriers for real on SMP.
 */
#define RACE_QSZ	16
#define RACE_N		50000

struct race {
	struct virtqueue vq;
	unsigned int bad;
};

static void *race_driver(void *arg)
{
	struct race *r = arg;
	u16 avail = 0, used_seen = 0;
	u32 next = 0, reaped = 0;

	while (reaped < RACE_N) {
		/* reap */
		u16 uidx = __atomic_load_n((u16 *)gp(USED + 2), __ATOMIC_ACQUIRE);

		while (used_seen != uidx) {
			u32 slot_i = used_seen % (2 * RACE_QSZ);
			u32 id = *(u32 *)gp(USED + 4 + 8 * slot_i);
			u32 got;

			memcpy(&got, gp(BUF + 0x100 * id + 0x80), 4);
			if (got != reaped + 1)
				r->bad++;
			used_seen++;
			reaped++;
		}
		/* submit while there is room (ids = ring slots) */
		while (next < RACE_N && (u16)(avail - used_seen) < RACE_QSZ) {
			u16 id = avail % RACE_QSZ;

			memcpy(gp(BUF + 0x100 * id), &next, 4);
			set_desc(id, BUF + 0x100 * id, 4, VQ_DESC_F_NEXT,
				 (u16)(id + RACE_QSZ));
			set_desc((u16)(id + RACE_QSZ), BUF + 0x100 * id + 0x80,
				 4, VQ_DESC_F_WRITE, 0);
			w16(AVAIL + 4 + 2 * (avail % (2 * RACE_QSZ)), id);
			avail++;
			next++;
			__atomic_store_n((u16 *)gp(AVAIL + 2), avail,
					 __ATOMIC_RELEASE);
		}
	}
	return NULL;
}

static void test_race(void)
{
	static struct race r;
	struct vq_seg segs[4];
	struct vq_chain c;
	pthread_t t;
	u32 done = 0;
	int ret;

	clear_mem();
	CHECK_EQ(vq_setup(&r.vq, &mem, 2 * RACE_QSZ, DESC, AVAIL, USED, 0), 0);
	pthread_create(&t, NULL, race_driver, &r);
	while (done < RACE_N) {
		u32 v;

		ret = vq_pop(&r.vq, segs, 4, &c);
		if (ret < 0)
			break;
		if (!ret)
			continue;
		vq_copy_from_segs(&v, 4, segs, c.nr_out, 0);
		if (v != done)
			r.bad++;
		v++;
		vq_copy_to_segs(segs + c.nr_out, c.nr_in, 0, &v, 4);
		vq_push(&r.vq, c.head, 4);
		done++;
	}
	pthread_join(t, NULL);
	CHECK_EQ(ret, 1);
	CHECK_EQ(done, RACE_N);
	CHECK_EQ(r.bad, 0);
}

/* vq_unpop(): popped chains come back in order, never more than popped. */
static void test_unpop(void)
{
	struct virtqueue vq;
	struct vq_seg segs[4];
	struct vq_chain c;

	setup_q(&vq, 1ull << NYX_VIRTIO_F_EVENT_IDX);
	set_desc(0, BUF, 16, VQ_DESC_F_WRITE, 0);
	set_desc(1, BUF + 16, 32, VQ_DESC_F_WRITE, 0);
	avail_add(QSZ, 0, 0);
	avail_add(QSZ, 1, 1);
	CHECK_EQ(vq_unpop(&vq, 1), VQ_ERR_USED_ID);	/* nothing popped */
	CHECK_EQ(vq_pop(&vq, segs, 4, &c), 1);
	CHECK_EQ(c.head, 0);
	CHECK_EQ(vq_pop(&vq, segs, 4, &c), 1);
	CHECK_EQ(c.head, 1);
	CHECK_EQ(r16(USED + 4 + 8 * QSZ), 2);		/* avail_event */
	CHECK_EQ(vq_unpop(&vq, 3), VQ_ERR_USED_ID);
	CHECK_EQ(vq_unpop(&vq, 2), 0);
	CHECK_EQ(vq.s.last_avail_idx, 0);
	CHECK_EQ(r16(USED + 4 + 8 * QSZ), 0);	/* kick us for them again */
	CHECK(vq_has_avail(&vq));
	CHECK_EQ(vq_pop(&vq, segs, 4, &c), 1);
	CHECK_EQ(c.head, 0);
	CHECK_EQ(c.in_len, 16);
	CHECK_EQ(vq_push(&vq, 0, 16), 0);
	/* the pushed one cannot be given back, the other can */
	CHECK_EQ(vq_unpop(&vq, 1), VQ_ERR_USED_ID);
	CHECK_EQ(vq_pop(&vq, segs, 4, &c), 1);
	CHECK_EQ(c.head, 1);
	CHECK_EQ(vq_unpop(&vq, 1), 0);
	CHECK_EQ(vq_pop(&vq, segs, 4, &c), 1);
	CHECK_EQ(c.head, 1);
	CHECK_EQ(c.in_len, 32);
	CHECK_EQ(vq_pop(&vq, segs, 4, &c), 0);
}

int main(void)
{
	slot[0] = malloc(SLOT_SIZE);
	slot[1] = malloc(SLOT_SIZE);
	test_setup();
	test_simple_chain();
	test_zero_len_and_full_chain();
	test_slots();
	test_bad_chains();
	test_indirect();
	test_wrap();
	test_notify_plain();
	test_notify_event_idx();
	test_save_load();
	test_copy_strerror();
	test_race();
	test_unpop();
	free(slot[0]);
	free(slot[1]);
	return test_summary("virtqueue");
}
