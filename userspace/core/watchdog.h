/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The vCPU watchdog (--watchdog timeout=SEC[,action=log|pause|dump|reset]).
 *
 * A vCPU is stuck when, for the whole timeout, it made no exit to the
 * launcher, its RIP did not move and an interrupt was pending for it
 * (IRR, ExtINT, NMI or one being injected) while it was not halted: a
 * guest spinning with interrupts off, or looping in an interrupt shadow.
 * The watchdog thread looks every timeout/2; only vCPUs without a new
 * exit are sampled, by pausing the VM briefly (core/vcpu.c) and reading
 * NYX_GET_REGS, NYX_GET_VCPU_EVENTS and NYX_GET_LAPIC. A stuck vCPU
 * raises the WATCHDOG event and the action: log (a warning), pause (the
 * VM stays paused; resume on the control socket), dump (registers to
 * the log) or reset (exit status 8, like system-reset). It fires again
 * after another timeout if the vCPU stays stuck. A vCPU stopped by
 * gdb (--gdb) or paused on the control socket is making no progress on
 * purpose: that time does not count (the count restarts when it runs).
 */
#ifndef NYX_WATCHDOG_H
#define NYX_WATCHDOG_H

#include <stdbool.h>

#include "core/util.h"

enum watchdog_action {
	WD_ACTION_LOG,
	WD_ACTION_PAUSE,
	WD_ACTION_DUMP,
	WD_ACTION_RESET,
};

struct watchdog_options {
	u64 timeout_ms;			/* 0: no watchdog */
	enum watchdog_action action;
};

#define WD_MIN_TIMEOUT_MS	200
#define MAX_WD_VCPUS		64	/* MAX_CPUS */
#define WD_MAX_TIMEOUT_MS	(3600 * 1000)

/* What one look at a vCPU found. */
struct wd_sample {
	u64 exits;		/* exits to the launcher, kicks not counted */
	u64 rip;
	bool sampled;		/* rip/halted/irq_pending were read */
	bool halted;		/* HLT or waiting for SIPI */
	bool irq_pending;
	/* stopped on purpose (by the debugger) now or since the last look:
	 * no progress is expected, so that time is not counted */
	bool held;
};

/* Per-vCPU judgement state. */
struct wd_state {
	u64 exits;
	u64 rip;
	bool have_rip;
	u64 since_ns;		/* no progress since */
	u64 holds;		/* vcpu->dbg_holds at the last look */
};

/*
 * Judge one sample taken at now_ns. Returns true when the vCPU has now
 * been stuck for timeout_ns (and restarts the count: it fires again only
 * after another timeout).
 */
static inline bool wd_judge(struct wd_state *w, const struct wd_sample *s,
			    u64 now_ns, u64 timeout_ns)
{
	bool progress = s->held || s->exits != w->exits || !s->sampled ||
			s->halted ||
			!s->irq_pending || !w->have_rip || s->rip != w->rip;

	w->exits = s->exits;
	if (s->sampled) {
		w->rip = s->rip;
		w->have_rip = true;
	}
	if (progress) {
		w->since_ns = now_ns;
		return false;
	}
	if (now_ns - w->since_ns >= timeout_ns) {
		w->since_ns = now_ns;
		return true;
	}
	return false;
}

/*
 * "timeout=SEC[,action=ACTION]" (SEC may be a decimal fraction: 0.5).
 * Returns 0 or -EINVAL with the reason in err.
 */
int watchdog_parse(const char *arg, struct watchdog_options *w, char *err,
		   size_t errlen);
/* One key ("timeout" in seconds, "action") and the whole, as both
 * --watchdog and the config file check them: 0 or -EINVAL with the
 * reason in err. */
int watchdog_set(struct watchdog_options *w, const char *key,
		 const char *val, char *err, size_t errlen);
int watchdog_check(const struct watchdog_options *w, char *err,
		   size_t errlen);
int watchdog_action_parse(const char *name, enum watchdog_action *a);
const char *watchdog_action_name(enum watchdog_action a);

/* Start/stop the thread (after vcpus_start / before vcpus_join). */
int watchdog_start(const struct watchdog_options *w);
void watchdog_stop(void);

#endif
