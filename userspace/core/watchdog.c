// SPDX-License-Identifier: GPL-2.0
/*
 * The vCPU watchdog thread (see watchdog.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <time.h>
#include <sys/ioctl.h>

#include <uapi/nyx.h>

#include "core/affinity.h"
#include "core/clock.h"
#include "core/control.h"
#include "core/log.h"
#include "core/stop.h"
#include "core/vcpu.h"
#include "core/watchdog.h"
#include "irq/lapic.h"

#define SAMPLE_PAUSE_MS	1000

struct watchdog {
	struct watchdog_options opt;
	pthread_t thread;
	bool running;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool quit;
	struct wd_state st[MAX_WD_VCPUS];
};

static struct watchdog wd = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.cond = PTHREAD_COND_INITIALIZER,
};

static u64 progress_exits(const struct vcpu *v)
{
	u64 n = 0;
	unsigned int s;

	/* kicks (ours included) are not progress */
	for (s = 0; s < VCPU_STAT_NR; s++)
		if (s != VCPU_STAT_INTR)
			n += __atomic_load_n(&v->stats[s], __ATOMIC_RELAXED);
	return n;
}

/* The vCPU is parked: its fd is ours. */
static void sample(struct vcpu *v, struct wd_sample *s)
{
	struct nyx_local_apic la;
	struct nyx_lapic_state ls;
	struct nyx_vcpu_events ev;
	struct nyx_regs r;
	unsigned int i;

	if (ioctl(v->fd, NYX_GET_REGS, &r))
		return;
	s->rip = r.rip;
	s->sampled = true;
	if (!ioctl(v->fd, NYX_GET_VCPU_EVENTS, &ev)) {
		s->halted = ev.mp_state != NYX_MP_STATE_RUNNABLE;
		s->irq_pending = ev.interrupt.injected || ev.nmi.injected ||
				 ev.nmi.pending;
	}
	memset(&la, 0, sizeof(la));
	if (!ioctl(v->fd, NYX_GET_LAPIC, &la)) {
		memcpy(&ls, la.data, sizeof(ls));
		for (i = 0; i < 8; i++)
			if (ls.irr[i])
				s->irq_pending = true;
		if (ls.extint_pending || ls.nmi_pending)
			s->irq_pending = true;
	}
}

static void fire(struct vcpu *v, const struct wd_sample *s)
{
	json_object *data = json_object_new_object();

	pr_warn("watchdog: vCPU %u stuck at rip 0x%llx for %llu ms with an interrupt pending; action %s",
		v->id, (unsigned long long)s->rip,
		(unsigned long long)wd.opt.timeout_ms,
		watchdog_action_name(wd.opt.action));
	json_object_object_add(data, "cpu-index", json_object_new_int(v->id));
	json_object_object_add(data, "rip", json_object_new_uint64(s->rip));
	json_object_object_add(data, "action",
		json_object_new_string(watchdog_action_name(wd.opt.action)));
	control_event("WATCHDOG", data);
	if (wd.opt.action == WD_ACTION_DUMP)
		vcpu_dump_state(v);
}

/* One look at every vCPU. */
static void check(void)
{
	struct wd_sample s[MAX_WD_VCPUS];
	unsigned int i, n, candidates = 0;
	struct vcpu *v = vcpus_get(&n);
	bool stuck = false, paused = false;
	u64 now;

	if (n > MAX_WD_VCPUS)
		n = MAX_WD_VCPUS;
	memset(s, 0, sizeof(s));
	for (i = 0; i < n; i++) {
		u64 holds = __atomic_load_n(&v[i].dbg_holds, __ATOMIC_SEQ_CST);

		s[i].exits = progress_exits(&v[i]);
		/* stopped by the debugger now (odd count) or since the last
		 * look: not stuck, and not worth a pause to sample */
		s[i].held = (holds & 1) || holds != wd.st[i].holds;
		wd.st[i].holds = holds;
		/* parked on HLT (--irqchip off) is not stuck */
		if (s[i].exits == wd.st[i].exits && !s[i].held &&
		    !__atomic_load_n(&v[i].halted, __ATOMIC_SEQ_CST))
			candidates++;
	}
	vcpus_pause_lock();
	if (candidates && !vcpus_paused() && !stop_requested()) {
		/* a timeout here: some vCPU is stuck in the kernel; the
		 * others are sampled anyway */
		vcpus_pause(SAMPLE_PAUSE_MS);
		paused = true;
		for (i = 0; i < n; i++)
			if (s[i].exits == wd.st[i].exits && !s[i].held &&
			    !__atomic_load_n(&v[i].halted, __ATOMIC_SEQ_CST))
				sample(&v[i], &s[i]);
	}
	now = clock_monotonic_ns();
	for (i = 0; i < n; i++) {
		/* gdb may have stopped it while we sampled */
		if (__atomic_load_n(&v[i].dbg_holds, __ATOMIC_SEQ_CST) !=
		    wd.st[i].holds)
			s[i].held = true;
		if (wd_judge(&wd.st[i], &s[i], now, wd.opt.timeout_ms * 1000000ull)) {
			fire(&v[i], &s[i]);
			stuck = true;
		}
	}
	if (paused) {
		if (stuck && wd.opt.action == WD_ACTION_PAUSE)
			control_event("STOP", NULL);
		else
			vcpus_resume();
	}
	vcpus_pause_unlock();
	if (stuck && wd.opt.action == WD_ACTION_RESET)
		stop_request(NYX_EXIT_GUEST_RESET);
}

static void *wd_thread(void *arg)
{
	u64 period_ns = wd.opt.timeout_ms * 1000000ull / 2;
	struct timespec t;

	(void)arg;
	clock_gettime(CLOCK_MONOTONIC, &t);
	pthread_mutex_lock(&wd.lock);
	while (!wd.quit) {
		u64 ns = t.tv_nsec + period_ns % 1000000000ull;

		t.tv_sec += period_ns / 1000000000ull + ns / 1000000000ull;
		t.tv_nsec = ns % 1000000000ull;
		while (!wd.quit &&
		       pthread_cond_timedwait(&wd.cond, &wd.lock, &t) != ETIMEDOUT)
			;
		if (wd.quit)
			break;
		pthread_mutex_unlock(&wd.lock);
		if (!stop_requested())
			check();
		pthread_mutex_lock(&wd.lock);
	}
	pthread_mutex_unlock(&wd.lock);
	return NULL;
}

int watchdog_start(const struct watchdog_options *w)
{
	pthread_condattr_t ca;
	int ret;

	if (!w->timeout_ms)
		return 0;
	wd.opt = *w;
	wd.quit = false;
	memset(wd.st, 0, sizeof(wd.st));
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&wd.cond, &ca);
	pthread_condattr_destroy(&ca);
	ret = thread_create(&wd.thread, THREAD_MAIN, 0, "watchdog", wd_thread,
			    NULL);
	if (ret) {
		pr_err("watchdog: cannot create the thread: %s", strerror(ret));
		return -ret;
	}
	wd.running = true;
	pr_debug("watchdog: timeout %llu ms, action %s",
		 (unsigned long long)w->timeout_ms,
		 watchdog_action_name(w->action));
	return 0;
}

void watchdog_stop(void)
{
	if (!wd.running)
		return;
	pthread_mutex_lock(&wd.lock);
	wd.quit = true;
	pthread_cond_broadcast(&wd.cond);
	pthread_mutex_unlock(&wd.lock);
	pthread_join(wd.thread, NULL);
	wd.running = false;
}
