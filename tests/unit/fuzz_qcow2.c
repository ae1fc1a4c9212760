// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the qcow2 metadata decoders: the input is a header
 * cluster (parsed against a file size taken from its first bytes), then
 * L1/L2/refcount-table entries and refcount blocks decoded with the
 * parsed geometry.
 */
#include <stdint.h>
#include <string.h>

#include "block/qcow2_meta.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t rb[1u << 12];
	char name[QCOW2_MAX_BACKING_NAME + 1];
	struct qcow2_header h;
	struct qcow2_l2_info in;
	const char *why;
	uint64_t fsize, off;
	bool copied;

	if (size < 8)
		return 0;
	fsize = qcow2_be64(data);
	data += 8;
	size -= 8;
	if (qcow2_parse_header(data, size, fsize, &h, &why)) {
		/* Still exercise the entry decoders with arbitrary geometry. */
		h.cluster_bits = 9 + (size % 13);
		h.version = 2 + (size & 1);
		h.refcount_order = size % 7;
	} else if (h.backing_file_offset) {
		qcow2_backing_name(data, size, &h, name);
	}
	for (size_t i = 0; i + 8 <= size; i += 8) {
		uint64_t e = qcow2_be64(data + i);

		qcow2_decode_l2(e, h.cluster_bits, h.version, &in, &why);
		qcow2_decode_l1(e, h.cluster_bits, &off, &copied, &why);
		qcow2_decode_rt(e, h.cluster_bits, &off, &why);
	}
	/* Refcount entries in a 4 KiB block (cluster_bits 12). */
	memset(rb, 0, sizeof(rb));
	memcpy(rb, data, size < sizeof(rb) ? size : sizeof(rb));
	for (uint64_t i = 0; i < 64; i++) {
		uint64_t idx = (size * 31 + i * 977) % ((8ull << 12) >> h.refcount_order);
		uint64_t v = qcow2_rc_get(rb, 12, h.refcount_order, idx);

		if (v != UINT64_MAX &&
		    qcow2_rc_set(rb, 12, h.refcount_order, idx, v) == 0 &&
		    qcow2_rc_get(rb, 12, h.refcount_order, idx) != v)
			__builtin_trap();	/* set/get must round-trip */
	}
	return 0;
}
