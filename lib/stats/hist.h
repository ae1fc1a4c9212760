/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A latency histogram with power-of-two microsecond buckets, plus count,
 * sum and max so that a mean can be computed (over an interval: the
 * difference of two reads). Pure C with compiler atomics only: one
 * thread records (a device's I/O thread) while another reads (the
 * control socket), without locks. Relaxed ordering: each counter is
 * exact on its own; a reader may see count and sum of slightly
 * different moments, which a rate over an interval does not notice.
 *
 * Bucket 0 holds latencies below 1 us, bucket i (1 <= i < last)
 * [2^(i-1), 2^i) us, the last bucket everything from 2^(last-1) us on
 * (with NYX_HIST_BUCKETS 24: from 2^22 us, about 4.2 s).
 */
#ifndef NYX_LIB_STATS_HIST_H
#define NYX_LIB_STATS_HIST_H

#include <nyx/types.h>

#define NYX_HIST_BUCKETS	24

struct nyx_hist {
	u64 buckets[NYX_HIST_BUCKETS];
	u64 count;
	u64 sum_us;
	u64 max_us;
};

static inline unsigned int nyx_hist_bucket(u64 us)
{
	unsigned int b = 0;

	/* number of significant bits of us: 0 -> 0, 1 -> 1, 2..3 -> 2 */
	while (us && b < NYX_HIST_BUCKETS - 1) {
		us >>= 1;
		b++;
	}
	return b;
}

/* Lowest latency (us) of bucket b; the upper bound is that of b + 1. */
static inline u64 nyx_hist_bucket_min(unsigned int b)
{
	return b ? 1ull << (b - 1) : 0;
}

static inline void nyx_hist_add(struct nyx_hist *h, u64 us)
{
	u64 max = __atomic_load_n(&h->max_us, __ATOMIC_RELAXED);

	__atomic_fetch_add(&h->buckets[nyx_hist_bucket(us)], 1,
			   __ATOMIC_RELAXED);
	__atomic_fetch_add(&h->count, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&h->sum_us, us, __ATOMIC_RELAXED);
	while (us > max &&
	       !__atomic_compare_exchange_n(&h->max_us, &max, us, true,
					    __ATOMIC_RELAXED,
					    __ATOMIC_RELAXED))
		;
}

/* A copy of h read counter by counter (see above). */
static inline void nyx_hist_read(const struct nyx_hist *h,
				 struct nyx_hist *out)
{
	unsigned int i;

	for (i = 0; i < NYX_HIST_BUCKETS; i++)
		out->buckets[i] = __atomic_load_n(&h->buckets[i],
						  __ATOMIC_RELAXED);
	out->count = __atomic_load_n(&h->count, __ATOMIC_RELAXED);
	out->sum_us = __atomic_load_n(&h->sum_us, __ATOMIC_RELAXED);
	out->max_us = __atomic_load_n(&h->max_us, __ATOMIC_RELAXED);
}

/* Relaxed counter helpers for the device statistics. */
static inline void nyx_stat_add(u64 *c, u64 n)
{
	__atomic_fetch_add(c, n, __ATOMIC_RELAXED);
}

static inline u64 nyx_stat_get(const u64 *c)
{
	return __atomic_load_n(c, __ATOMIC_RELAXED);
}

#endif
