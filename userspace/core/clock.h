/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Time sources for devices that follow the host clock (RTC, ACPI PM
 * timer): the host's clocks, or a fake one in the unit tests.
 */
#ifndef NYX_CLOCK_H
#define NYX_CLOCK_H

#include "core/util.h"

#define NSEC_PER_SEC	1000000000ull

struct clock_src {
	u64 (*now_ns)(void *opaque);
	void *opaque;
};

static inline u64 clock_now(const struct clock_src *c)
{
	return c->now_ns(c->opaque);
}

/* CLOCK_REALTIME (UTC since the epoch) and CLOCK_MONOTONIC, in ns. */
extern const struct clock_src clock_realtime;
extern const struct clock_src clock_monotonic;

/*
 * CLOCK_MONOTONIC in ns, read directly: the launcher's one monotonic
 * clock (timestamps, rates, deadlines, latencies).
 */
u64 clock_monotonic_ns(void);

/* ns converted to ticks of a hz clock, without overflow for any ns. */
u64 clock_ns_to_ticks(u64 ns, u64 hz);

#endif
