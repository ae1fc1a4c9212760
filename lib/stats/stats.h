/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Statistics helpers (pure C, shared by nyx.ko and the userspace unit
 * tests): the binary stats snapshot layout of NYX_GET_STATS and a top-N
 * table of the busiest I/O addresses.
 */
#ifndef NYX_LIB_STATS_H
#define NYX_LIB_STATS_H

#include <nyx/types.h>

/* One statistic as the producer describes it; values come in def order. */
struct nyx_binstat_def {
	const char *name;	/* < NYX_STATS_NAME_SIZE bytes with the NUL */
	u8 type;		/* NYX_STATS_TYPE_* */
	u8 unit;		/* NYX_STATS_UNIT_* */
	u32 size;		/* number of u64 values */
};

/* Number of u64 values the n defs take. */
u32 nyx_binstats_nvalues(const struct nyx_binstat_def *defs, u32 n);

/*
 * Size of the snapshot (header, descriptors, values) for n defs; 0 if a
 * def is invalid (name too long or empty, size 0). With size at least
 * that, also writes the snapshot to buf, the values taken from values[]
 * (nyx_binstats_nvalues() of them, in def order).
 */
u32 nyx_binstats_build(void *buf, u32 size, const struct nyx_binstat_def *defs,
		       u32 n, const u64 *values);

/*
 * The N addresses (ports, pages) with the most accesses, counted with the
 * "space-saving" algorithm: a new address takes the slot of the least
 * counted one and inherits its count plus one. Exact while at most
 * NYX_TOPN distinct addresses are seen; past that, every address seen
 * more than total/NYX_TOPN times is in the table, and a count can be high
 * by at most the count it inherited. A slot with count 0 is empty.
 * Written only by the vCPU's thread; readers may see a key and count of
 * one slot from different updates (statistics, not state).
 */
#define NYX_TOPN	8

struct nyx_topn {
	u64 key[NYX_TOPN];
	u64 count[NYX_TOPN];
};

void nyx_topn_add(struct nyx_topn *t, u64 key);

#endif
