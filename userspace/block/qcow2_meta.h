/* SPDX-License-Identifier: GPL-2.0 */
/*
 * qcow2 metadata decoding: header and header extensions, L1/L2 entries,
 * refcount entries. Pure functions on byte buffers (no I/O, no allocation)
 * so that they can be fuzzed and unit-tested on their own; everything here
 * treats the image as hostile.
 */
#ifndef NYX_BLOCK_QCOW2_META_H
#define NYX_BLOCK_QCOW2_META_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define QCOW2_MAGIC		0x514649fbu	/* "QFI\xfb" */
#define QCOW2_MIN_CLUSTER_BITS	9
#define QCOW2_MAX_CLUSTER_BITS	21
#define QCOW2_V2_HEADER_LEN	72
#define QCOW2_V3_HEADER_LEN	104
#define QCOW2_MAX_BACKING_NAME	1023
/* Same limits as QEMU: 32 MiB of L1 table, 8 MiB of refcount table. */
#define QCOW2_MAX_L1_BYTES	(32u << 20)
#define QCOW2_MAX_RT_BYTES	(8u << 20)
#define QCOW2_MAX_SNAPSHOTS	65536
/* Largest virtual size we accept (QEMU's limit too): 2^61 - 512... keep 2^56. */
#define QCOW2_MAX_SIZE		(1ull << 56)

/* Incompatible feature bits. */
#define QCOW2_INCOMPAT_DIRTY		(1ull << 0)
#define QCOW2_INCOMPAT_CORRUPT		(1ull << 1)
#define QCOW2_INCOMPAT_DATA_FILE	(1ull << 2)
#define QCOW2_INCOMPAT_COMPRESSION	(1ull << 3)
#define QCOW2_INCOMPAT_EXTL2		(1ull << 4)

/* Header field offsets (for in-place updates). */
#define QCOW2_OFF_L1_SIZE		36
#define QCOW2_OFF_L1_OFFSET		40
#define QCOW2_OFF_RT_OFFSET		48
#define QCOW2_OFF_RT_CLUSTERS		56
#define QCOW2_OFF_INCOMPAT		72
#define QCOW2_OFF_AUTOCLEAR		88

/* Header extension types. */
#define QCOW2_EXT_END		0x00000000u
#define QCOW2_EXT_BACKING_FMT	0xe2792acau
#define QCOW2_EXT_FEATURES	0x6803f857u
#define QCOW2_EXT_BITMAPS	0x23852875u
#define QCOW2_EXT_CRYPTO	0x0537be77u
#define QCOW2_EXT_DATA_FILE	0x44415441u

/* L1/L2 entry bits (standard, non-extended L2). */
#define QCOW2_OFLAG_COPIED	(1ull << 63)
#define QCOW2_OFLAG_COMPRESSED	(1ull << 62)
#define QCOW2_OFLAG_ZERO	(1ull << 0)
#define QCOW2_OFFSET_MASK	0x00fffffffffffe00ull	/* bits 9..55 */

struct qcow2_header {
	uint32_t version;
	uint64_t backing_file_offset;
	uint32_t backing_file_size;
	uint32_t cluster_bits;
	uint64_t size;
	uint32_t crypt_method;
	uint32_t l1_size;
	uint64_t l1_table_offset;
	uint64_t refcount_table_offset;
	uint32_t refcount_table_clusters;
	uint32_t nb_snapshots;
	uint64_t snapshots_offset;
	uint64_t incompatible_features;
	uint64_t compatible_features;
	uint64_t autoclear_features;
	uint32_t refcount_order;
	uint32_t header_length;
	uint8_t compression_type;
	/* From the header extensions. */
	char backing_format[16];	/* "" if absent */
	bool has_data_file_ext;
	bool has_crypto_ext;
	bool has_bitmaps_ext;
};

/*
 * Parse and validate the header in buf (the first cluster of the image, or
 * as much of it as the file holds: len bytes) against the file size.
 * Returns 0, or -1 with a static message in *why. Checks everything that
 * can be checked without reading more of the file: magic, version, cluster
 * size, header length, features, table offsets and sizes against the file
 * size and each other, L1 size against the virtual size, backing name.
 */
int qcow2_parse_header(const uint8_t *buf, size_t len, uint64_t file_size,
		       struct qcow2_header *h, const char **why);

/*
 * Copy the backing file name (NUL-terminated) out of the header cluster.
 * out must hold QCOW2_MAX_BACKING_NAME + 1 bytes. Returns 0, or -1 if the
 * image has none or it is invalid (embedded NUL). parse_header validated
 * offset and size.
 */
int qcow2_backing_name(const uint8_t *buf, size_t len,
		       const struct qcow2_header *h, char *out);

/* Geometry derived from a valid header. */
static inline uint64_t qcow2_cluster_size(const struct qcow2_header *h)
{
	return 1ull << h->cluster_bits;
}

static inline uint32_t qcow2_l2_bits(const struct qcow2_header *h)
{
	return h->cluster_bits - 3;
}

/* Refcount entries per refcount block, log2. */
static inline uint32_t qcow2_rb_bits(const struct qcow2_header *h)
{
	return h->cluster_bits + 3 - h->refcount_order;
}

/* Number of L1 entries a virtual size needs (0 on overflow). */
uint64_t qcow2_l1_entries_for(uint64_t size, uint32_t cluster_bits);

/* Kinds of an L2 entry. */
enum qcow2_ctype {
	QCOW2_C_UNALLOCATED,	/* read from backing, or zeroes */
	QCOW2_C_ZERO,		/* reads zeroes; may still own a cluster */
	QCOW2_C_NORMAL,		/* data at host offset */
	QCOW2_C_COMPRESSED,	/* deflate data at host offset, csize bytes */
};

struct qcow2_l2_info {
	enum qcow2_ctype type;
	uint64_t offset;	/* host offset (0 if none) */
	uint64_t csize;		/* compressed: bytes to read */
	bool copied;		/* refcount is exactly 1: writable in place */
};

/*
 * Decode an L2 entry (host-endian value). version decides whether the
 * zero flag exists (v3). Returns 0, or -1 with *why if the entry is
 * invalid (misaligned offset, zero flag on v2 with data, compressed +
 * copied).
 */
int qcow2_decode_l2(uint64_t entry, uint32_t cluster_bits, uint32_t version,
		    struct qcow2_l2_info *info, const char **why);

/* Encode a compressed entry (for tests) and a normal one. */
uint64_t qcow2_encode_l2_compressed(uint64_t offset, uint64_t csize,
				    uint32_t cluster_bits);

/*
 * Decode an L1 or refcount-table entry: returns the table offset (0 if
 * none), or -1 with *why if misaligned or with reserved bits set.
 */
int qcow2_decode_l1(uint64_t entry, uint32_t cluster_bits, uint64_t *l2_off,
		    bool *copied, const char **why);
int qcow2_decode_rt(uint64_t entry, uint32_t cluster_bits, uint64_t *rb_off,
		    const char **why);

/*
 * Refcount entry index in a refcount block of 1 << cluster_bits bytes
 * with 1 << order bits per entry: read and write. Sub-byte widths are
 * packed from the least significant bit like QEMU; wider ones are
 * big-endian. index must be below the entries per block (the caller's
 * bound; checked here too: get returns UINT64_MAX, set fails).
 */
uint64_t qcow2_rc_get(const uint8_t *block, uint32_t cluster_bits,
		      uint32_t order, uint64_t index);
int qcow2_rc_set(uint8_t *block, uint32_t cluster_bits, uint32_t order,
		 uint64_t index, uint64_t value);
static inline uint64_t qcow2_rc_max(uint32_t order)
{
	return order >= 6 ? UINT64_MAX : (1ull << (1u << order)) - 1;
}

/* Big-endian helpers. */
static inline uint64_t qcow2_be64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return v;
}

static inline uint32_t qcow2_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static inline void qcow2_put_be64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static inline void qcow2_put_be32(uint8_t *p, uint32_t v)
{
	for (int i = 3; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

#endif
