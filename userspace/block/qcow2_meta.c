// SPDX-License-Identifier: GPL-2.0
/*
 * qcow2 metadata decoding (see qcow2_meta.h). Format reference: QEMU's
 * docs/interop/qcow2.txt. No libc beyond memcpy/memset: fuzzed on its own.
 */
#include <string.h>

#include "block/qcow2_meta.h"

#define FAIL(msg) do { *why = (msg); return -1; } while (0)

static bool range_overlaps(uint64_t a, uint64_t alen, uint64_t b,
			   uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

uint64_t qcow2_l1_entries_for(uint64_t size, uint32_t cluster_bits)
{
	uint32_t shift = cluster_bits + cluster_bits - 3;	/* bytes per L2 */

	if (shift >= 64)
		return 1;
	return (size >> shift) + !!(size & ((1ull << shift) - 1));
}

static int parse_extensions(const uint8_t *buf, size_t len,
			    struct qcow2_header *h, const char **why)
{
	uint64_t off = h->header_length;
	uint64_t end = len;
	bool seen_backing_fmt = false;

	/* Extensions end where the backing file name starts, if there is one. */
	if (h->backing_file_offset && h->backing_file_offset < end)
		end = h->backing_file_offset;

	for (;;) {
		uint32_t type, elen;

		if (off + 8 > end) {
			/* QEMU tolerates a header without an end marker. */
			if (off == end)
				return 0;
			FAIL("header extension truncated");
		}
		type = qcow2_be32(buf + off);
		elen = qcow2_be32(buf + off + 4);
		off += 8;
		if (type == QCOW2_EXT_END)
			return 0;
		if (elen > end - off)
			FAIL("header extension beyond the header");
		switch (type) {
		case QCOW2_EXT_BACKING_FMT:
			if (seen_backing_fmt)
				FAIL("duplicate backing format extension");
			if (elen == 0 || elen >= sizeof(h->backing_format))
				FAIL("backing format name too long");
			memcpy(h->backing_format, buf + off, elen);
			h->backing_format[elen] = 0;
			if (strlen(h->backing_format) != elen)
				FAIL("NUL in backing format name");
			seen_backing_fmt = true;
			break;
		case QCOW2_EXT_DATA_FILE:
			h->has_data_file_ext = true;
			break;
		case QCOW2_EXT_CRYPTO:
			h->has_crypto_ext = true;
			break;
		case QCOW2_EXT_BITMAPS:
			h->has_bitmaps_ext = true;
			break;
		default:
			/* Feature names and unknown ones: skipped, like QEMU. */
			break;
		}
		off += ((uint64_t)elen + 7) & ~7ull;
	}
}

int qcow2_parse_header(const uint8_t *buf, size_t len, uint64_t file_size,
		       struct qcow2_header *h, const char **why)
{
	uint64_t csize, l1_need, l1_bytes, rt_bytes;
	uint64_t known = QCOW2_INCOMPAT_DIRTY | QCOW2_INCOMPAT_CORRUPT |
			 QCOW2_INCOMPAT_COMPRESSION;

	memset(h, 0, sizeof(*h));
	if (len < QCOW2_V2_HEADER_LEN)
		FAIL("file too small for a qcow2 header");
	if (qcow2_be32(buf) != QCOW2_MAGIC)
		FAIL("bad magic");
	h->version = qcow2_be32(buf + 4);
	if (h->version != 2 && h->version != 3)
		FAIL("unsupported qcow2 version (only 2 and 3)");
	h->backing_file_offset = qcow2_be64(buf + 8);
	h->backing_file_size = qcow2_be32(buf + 16);
	h->cluster_bits = qcow2_be32(buf + 20);
	h->size = qcow2_be64(buf + 24);
	h->crypt_method = qcow2_be32(buf + 32);
	h->l1_size = qcow2_be32(buf + 36);
	h->l1_table_offset = qcow2_be64(buf + 40);
	h->refcount_table_offset = qcow2_be64(buf + 48);
	h->refcount_table_clusters = qcow2_be32(buf + 56);
	h->nb_snapshots = qcow2_be32(buf + 60);
	h->snapshots_offset = qcow2_be64(buf + 64);

	if (h->cluster_bits < QCOW2_MIN_CLUSTER_BITS ||
	    h->cluster_bits > QCOW2_MAX_CLUSTER_BITS)
		FAIL("cluster size out of range (512 B to 2 MiB)");
	csize = 1ull << h->cluster_bits;

	if (h->version == 2) {
		h->refcount_order = 4;
		h->header_length = QCOW2_V2_HEADER_LEN;
	} else {
		if (len < QCOW2_V3_HEADER_LEN)
			FAIL("file too small for a qcow2 v3 header");
		h->incompatible_features = qcow2_be64(buf + 72);
		h->compatible_features = qcow2_be64(buf + 80);
		h->autoclear_features = qcow2_be64(buf + 88);
		h->refcount_order = qcow2_be32(buf + 96);
		h->header_length = qcow2_be32(buf + 100);
		if (h->header_length < QCOW2_V3_HEADER_LEN ||
		    h->header_length > csize || h->header_length > len)
			FAIL("invalid header length");
		if (h->header_length > QCOW2_V3_HEADER_LEN)
			h->compression_type = buf[104];
	}
	if (h->refcount_order > 6)
		FAIL("refcount width over 64 bits");
	if (h->incompatible_features & ~known)
		FAIL("unsupported incompatible features (external data file, extended L2 or unknown)");
	if ((h->incompatible_features & QCOW2_INCOMPAT_COMPRESSION) ?
	    h->compression_type != 0 : h->compression_type != 0)
		FAIL("unsupported compression type (only zlib)");
	if (h->crypt_method)
		FAIL("encrypted images are not supported");

	if (h->size > QCOW2_MAX_SIZE)
		FAIL("virtual size too large");
	l1_need = qcow2_l1_entries_for(h->size, h->cluster_bits);
	if (l1_need > QCOW2_MAX_L1_BYTES / 8)
		FAIL("virtual size too large for this cluster size");
	if (h->l1_size < l1_need)
		FAIL("L1 table too small for the virtual size");
	if (h->l1_size > QCOW2_MAX_L1_BYTES / 8)
		FAIL("L1 table too large");
	l1_bytes = (uint64_t)h->l1_size * 8;
	if (h->l1_size) {
		if (h->l1_table_offset & (csize - 1))
			FAIL("L1 table offset not cluster-aligned");
		if (h->l1_table_offset < csize)
			FAIL("L1 table overlaps the header");
		if (h->l1_table_offset > file_size ||
		    l1_bytes > file_size - h->l1_table_offset)
			FAIL("L1 table beyond the end of the file");
	}

	if (h->refcount_table_clusters == 0)
		FAIL("no refcount table");
	rt_bytes = (uint64_t)h->refcount_table_clusters << h->cluster_bits;
	if (rt_bytes > QCOW2_MAX_RT_BYTES)
		FAIL("refcount table too large");
	if (h->refcount_table_offset & (csize - 1))
		FAIL("refcount table offset not cluster-aligned");
	if (h->refcount_table_offset < csize)
		FAIL("refcount table overlaps the header");
	if (h->refcount_table_offset > file_size ||
	    rt_bytes > file_size - h->refcount_table_offset)
		FAIL("refcount table beyond the end of the file");
	if (h->l1_size && range_overlaps(h->l1_table_offset, l1_bytes,
					 h->refcount_table_offset, rt_bytes))
		FAIL("L1 table and refcount table overlap");

	if (h->nb_snapshots > QCOW2_MAX_SNAPSHOTS)
		FAIL("too many snapshots");
	if (h->nb_snapshots && (h->snapshots_offset & (csize - 1) ||
				h->snapshots_offset < csize ||
				h->snapshots_offset >= file_size))
		FAIL("invalid snapshot table offset");

	if (h->backing_file_offset) {
		if (h->backing_file_size == 0 ||
		    h->backing_file_size > QCOW2_MAX_BACKING_NAME)
			FAIL("backing file name too long");
		if (h->backing_file_offset > csize ||
		    h->backing_file_size > csize - h->backing_file_offset ||
		    h->backing_file_offset + h->backing_file_size > len)
			FAIL("backing file name beyond the header cluster");
		if (h->backing_file_offset < h->header_length)
			FAIL("backing file name overlaps the header");
	} else if (h->backing_file_size) {
		FAIL("backing file name size without offset");
	}

	if (h->version == 3 && parse_extensions(buf, len < csize ? len : csize,
						h, why))
		return -1;
	if (h->has_crypto_ext)
		FAIL("encrypted images are not supported");
	if (h->has_data_file_ext &&
	    (h->incompatible_features & QCOW2_INCOMPAT_DATA_FILE))
		FAIL("external data files are not supported");
	return 0;
}

int qcow2_backing_name(const uint8_t *buf, size_t len,
		       const struct qcow2_header *h, char *out)
{
	uint64_t off = h->backing_file_offset;
	uint32_t n = h->backing_file_size;

	if (!off || !n || n > QCOW2_MAX_BACKING_NAME || off > len ||
	    n > len - off)
		return -1;
	memcpy(out, buf + off, n);
	out[n] = 0;
	if (strlen(out) != n)
		return -1;
	return 0;
}

int qcow2_decode_l2(uint64_t entry, uint32_t cluster_bits, uint32_t version,
		    struct qcow2_l2_info *info, const char **why)
{
	memset(info, 0, sizeof(*info));
	if (entry & QCOW2_OFLAG_COMPRESSED) {
		uint32_t x = 62 - (cluster_bits - 8);
		uint64_t off = entry & ((1ull << x) - 1);
		uint64_t nsec = ((entry & ~QCOW2_OFLAG_COPIED) >> x) &
				((1ull << (cluster_bits - 8)) - 1);

		if (entry & QCOW2_OFLAG_COPIED)
			FAIL("compressed cluster marked copied");
		if (!off)
			FAIL("compressed cluster at offset 0");
		info->type = QCOW2_C_COMPRESSED;
		info->offset = off;
		/* QEMU: sectors counted from the 512-byte sector holding off. */
		info->csize = (nsec + 1) * 512 - (off & 511);
		return 0;
	}
	info->copied = !!(entry & QCOW2_OFLAG_COPIED);
	info->offset = entry & QCOW2_OFFSET_MASK;
	if (info->offset & ((1ull << cluster_bits) - 1))
		FAIL("data cluster offset not cluster-aligned");
	if ((entry & QCOW2_OFLAG_ZERO) && version >= 3) {
		info->type = QCOW2_C_ZERO;
		return 0;
	}
	if (entry & QCOW2_OFLAG_ZERO)
		FAIL("zero flag in a version 2 image");
	info->type = info->offset ? QCOW2_C_NORMAL : QCOW2_C_UNALLOCATED;
	if (!info->offset && info->copied)
		FAIL("unallocated cluster marked copied");
	return 0;
}

uint64_t qcow2_encode_l2_compressed(uint64_t offset, uint64_t csize,
				    uint32_t cluster_bits)
{
	uint32_t x = 62 - (cluster_bits - 8);
	uint64_t nsec = (((offset & 511) + csize + 511) >> 9) - 1;

	return QCOW2_OFLAG_COMPRESSED | (nsec << x) | offset;
}

int qcow2_decode_l1(uint64_t entry, uint32_t cluster_bits, uint64_t *l2_off,
		    bool *copied, const char **why)
{
	uint64_t off = entry & QCOW2_OFFSET_MASK;

	*copied = !!(entry & QCOW2_OFLAG_COPIED);
	*l2_off = off;
	if (off & ((1ull << cluster_bits) - 1))
		FAIL("L2 table offset not cluster-aligned");
	if (entry & ~(QCOW2_OFFSET_MASK | QCOW2_OFLAG_COPIED))
		FAIL("reserved bits set in an L1 entry");
	if (!off && *copied)
		FAIL("empty L1 entry marked copied");
	return 0;
}

int qcow2_decode_rt(uint64_t entry, uint32_t cluster_bits, uint64_t *rb_off,
		    const char **why)
{
	*rb_off = entry & ~511ull;
	if (entry & 511)
		FAIL("reserved bits set in a refcount table entry");
	if (*rb_off & ((1ull << cluster_bits) - 1))
		FAIL("refcount block offset not cluster-aligned");
	return 0;
}

uint64_t qcow2_rc_get(const uint8_t *block, uint32_t cluster_bits,
		      uint32_t order, uint64_t index)
{
	uint32_t bits = 1u << order;
	uint64_t v = 0;

	if (order > 6 || index >= (8ull << cluster_bits) >> order)
		return UINT64_MAX;
	if (bits < 8) {
		uint32_t per = 8 / bits;

		return (block[index / per] >> ((index % per) * bits)) &
		       ((1u << bits) - 1);
	}
	for (uint32_t i = 0; i < bits / 8; i++)
		v = (v << 8) | block[index * (bits / 8) + i];
	return v;
}

int qcow2_rc_set(uint8_t *block, uint32_t cluster_bits, uint32_t order,
		 uint64_t index, uint64_t value)
{
	uint32_t bits = 1u << order;

	if (order > 6 || index >= (8ull << cluster_bits) >> order ||
	    value > qcow2_rc_max(order))
		return -1;
	if (bits < 8) {
		uint32_t per = 8 / bits, sh = (index % per) * bits;
		uint8_t mask = (uint8_t)(((1u << bits) - 1) << sh);

		block[index / per] = (uint8_t)((block[index / per] & ~mask) |
					       (value << sh));
		return 0;
	}
	for (int i = (int)(bits / 8) - 1; i >= 0; i--, value >>= 8)
		block[index * (bits / 8) + i] = (uint8_t)value;
	return 0;
}
