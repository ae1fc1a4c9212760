// SPDX-License-Identifier: GPL-2.0
/* qcow2 metadata decoding (userspace/block/qcow2_meta.c). */
#include "block/qcow2_meta.h"
#include "test.h"

/* A minimal valid v3 header: 64 KiB clusters, 1 GiB, tables at 1..3. */
static void make_header(uint8_t *b, size_t len)
{
	memset(b, 0, len);
	qcow2_put_be32(b, QCOW2_MAGIC);
	qcow2_put_be32(b + 4, 3);
	qcow2_put_be32(b + 20, 16);
	qcow2_put_be64(b + 24, 1ull << 30);
	qcow2_put_be32(b + 36, 2);
	qcow2_put_be64(b + 40, 0x30000);
	qcow2_put_be64(b + 48, 0x10000);
	qcow2_put_be32(b + 56, 1);
	qcow2_put_be32(b + 96, 4);
	qcow2_put_be32(b + 100, 104);
}

static void test_header(void)
{
	static uint8_t b[65536];
	struct qcow2_header h;
	const char *why = NULL;
	char name[QCOW2_MAX_BACKING_NAME + 1];

	make_header(b, sizeof(b));
	CHECK_EQ(qcow2_parse_header(b, sizeof(b), 0x40000, &h, &why), 0);
	CHECK_EQ(h.version, 3);
	CHECK_EQ(h.cluster_bits, 16);
	CHECK_EQ(h.l1_size, 2);
	CHECK_EQ(qcow2_rb_bits(&h), 15);
	/* File too short for the L1 table. */
	CHECK_EQ(qcow2_parse_header(b, sizeof(b), 0x30008, &h, &why), -1);
	/* L1 too small: 2 GiB needs 4 entries... 1 GiB + 1 needs 3. */
	qcow2_put_be64(b + 24, (1ull << 30) + 512);
	CHECK_EQ(qcow2_parse_header(b, sizeof(b), 0x40000, &h, &why), -1);
	make_header(b, sizeof(b));
	/* Overlapping tables. */
	qcow2_put_be64(b + 40, 0x10000);
	CHECK_EQ(qcow2_parse_header(b, sizeof(b), 0x40000, &h, &why), -1);
	make_header(b, sizeof(b));
	/* Extensions: backing format, then end; backing name after them. */
	qcow2_put_be32(b + 104, QCOW2_EXT_BACKING_FMT);
	qcow2_put_be32(b + 108, 3);
	memcpy(b + 112, "raw", 3);
	qcow2_put_be64(b + 8, 128);
	qcow2_put_be32(b + 16, 8);
	memcpy(b + 128, "base.img", 8);
	CHECK_EQ(qcow2_parse_header(b, sizeof(b), 0x40000, &h, &why), 0);
	CHECK(!strcmp(h.backing_format, "raw"));
	CHECK_EQ(qcow2_backing_name(b, sizeof(b), &h, name), 0);
	CHECK(!strcmp(name, "base.img"));
	/* Extension longer than the space before the backing name. */
	qcow2_put_be32(b + 108, 100);
	CHECK_EQ(qcow2_parse_header(b, sizeof(b), 0x40000, &h, &why), -1);
	qcow2_put_be32(b + 108, 3);
	/* Backing name too long / beyond the cluster. */
	qcow2_put_be32(b + 16, 2000);
	CHECK_EQ(qcow2_parse_header(b, sizeof(b), 0x40000, &h, &why), -1);
	qcow2_put_be64(b + 8, 65530);
	qcow2_put_be32(b + 16, 8);
	CHECK_EQ(qcow2_parse_header(b, sizeof(b), 0x40000, &h, &why), -1);
	make_header(b, sizeof(b));
	/* Encryption, refcount order, compression type, external data. */
	qcow2_put_be32(b + 32, 1);
	CHECK_EQ(qcow2_parse_header(b, sizeof(b), 0x40000, &h, &why), -1);
	make_header(b, sizeof(b));
	qcow2_put_be32(b + 96, 7);
	CHECK_EQ(qcow2_parse_header(b, sizeof(b), 0x40000, &h, &why), -1);
	make_header(b, sizeof(b));
	qcow2_put_be32(b + 100, 112);
	b[104] = 1;	/* zstd */
	qcow2_put_be64(b + 72, QCOW2_INCOMPAT_COMPRESSION);
	CHECK_EQ(qcow2_parse_header(b, sizeof(b), 0x40000, &h, &why), -1);
	make_header(b, sizeof(b));
	qcow2_put_be64(b + 72, QCOW2_INCOMPAT_DATA_FILE);
	CHECK_EQ(qcow2_parse_header(b, sizeof(b), 0x40000, &h, &why), -1);
	/* Truncated buffers. */
	make_header(b, sizeof(b));
	for (size_t n = 0; n < 104; n += 8)
		CHECK_EQ(qcow2_parse_header(b, n, 0x40000, &h, &why), -1);
}

static void test_entries(void)
{
	struct qcow2_l2_info in;
	const char *why;
	uint64_t off;
	bool copied;

	CHECK_EQ(qcow2_decode_l2(0, 16, 3, &in, &why), 0);
	CHECK_EQ(in.type, QCOW2_C_UNALLOCATED);
	CHECK_EQ(qcow2_decode_l2(QCOW2_OFLAG_COPIED | 0x50000, 16, 3, &in,
				 &why), 0);
	CHECK_EQ(in.type, QCOW2_C_NORMAL);
	CHECK_EQ(in.offset, 0x50000);
	CHECK(in.copied);
	CHECK_EQ(qcow2_decode_l2(0x50200, 16, 3, &in, &why), -1);
	CHECK_EQ(qcow2_decode_l2(QCOW2_OFLAG_ZERO, 16, 3, &in, &why), 0);
	CHECK_EQ(in.type, QCOW2_C_ZERO);
	CHECK_EQ(qcow2_decode_l2(QCOW2_OFLAG_ZERO, 16, 2, &in, &why), -1);
	CHECK_EQ(qcow2_decode_l2(QCOW2_OFLAG_COPIED, 16, 3, &in, &why), -1);
	for (uint32_t cb = 9; cb <= 21; cb++) {
		/* The size field holds at most 2^(cb - 8) sectors. */
		uint64_t cs = cb < 12 ? (1u << cb) - 100 : 3000;
		uint64_t e = qcow2_encode_l2_compressed(0x123400 + 17, cs, cb);

		CHECK_EQ(qcow2_decode_l2(e, cb, 3, &in, &why), 0);
		CHECK_EQ(in.type, QCOW2_C_COMPRESSED);
		CHECK_EQ(in.offset, 0x123400 + 17);
		CHECK(in.csize >= cs && in.csize < cs + 512);
		CHECK_EQ(qcow2_decode_l2(e | QCOW2_OFLAG_COPIED, cb, 3, &in,
					 &why), -1);
	}
	CHECK_EQ(qcow2_decode_l1(QCOW2_OFLAG_COPIED | 0x70000, 16, &off,
				 &copied, &why), 0);
	CHECK_EQ(off, 0x70000);
	CHECK(copied);
	CHECK_EQ(qcow2_decode_l1(0x70001, 16, &off, &copied, &why), -1);
	CHECK_EQ(qcow2_decode_l1(0x70200, 16, &off, &copied, &why), -1);
	CHECK_EQ(qcow2_decode_rt(0x20000, 16, &off, &why), 0);
	CHECK_EQ(off, 0x20000);
	CHECK_EQ(qcow2_decode_rt(0x20001, 16, &off, &why), -1);
	CHECK_EQ(qcow2_decode_rt(0x20200, 16, &off, &why), -1);
}

static void test_refcounts(void)
{
	static uint8_t blk[512];

	for (uint32_t order = 0; order <= 6; order++) {
		uint64_t n = (512 * 8) >> order, max = qcow2_rc_max(order);

		memset(blk, 0, sizeof(blk));
		for (uint64_t i = 0; i < n; i++)
			CHECK_EQ(qcow2_rc_set(blk, 9, order, i, (i * 7) & max),
				 0);
		for (uint64_t i = 0; i < n; i++)
			CHECK_EQ(qcow2_rc_get(blk, 9, order, i), (i * 7) & max);
		CHECK_EQ(qcow2_rc_get(blk, 9, order, n), UINT64_MAX);
		CHECK_EQ(qcow2_rc_set(blk, 9, order, n, 1), -1);
		if (order < 6)
			CHECK_EQ(qcow2_rc_set(blk, 9, order, 0, max + 1), -1);
	}
	/* 16-bit entries are big-endian, 1-bit ones LSB first (QEMU). */
	memset(blk, 0, sizeof(blk));
	qcow2_rc_set(blk, 9, 4, 1, 0x1234);
	CHECK_EQ(blk[2], 0x12);
	CHECK_EQ(blk[3], 0x34);
	memset(blk, 0, sizeof(blk));
	qcow2_rc_set(blk, 9, 0, 1, 1);
	CHECK_EQ(blk[0], 2);
}

int main(void)
{
	test_header();
	test_entries();
	test_refcounts();
	return test_summary("block_meta");
}
