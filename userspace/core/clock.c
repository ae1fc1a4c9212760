// SPDX-License-Identifier: GPL-2.0
#include <time.h>

#include "core/clock.h"

static u64 read_clock(void *opaque)
{
	struct timespec ts;

	clock_gettime((clockid_t)(intptr_t)opaque, &ts);
	return (u64)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

const struct clock_src clock_realtime = {
	.now_ns = read_clock, .opaque = (void *)(intptr_t)CLOCK_REALTIME,
};

const struct clock_src clock_monotonic = {
	.now_ns = read_clock, .opaque = (void *)(intptr_t)CLOCK_MONOTONIC,
};

u64 clock_monotonic_ns(void)
{
	return read_clock((void *)(intptr_t)CLOCK_MONOTONIC);
}

u64 clock_ns_to_ticks(u64 ns, u64 hz)
{
	return ns / NSEC_PER_SEC * hz + ns % NSEC_PER_SEC * hz / NSEC_PER_SEC;
}
