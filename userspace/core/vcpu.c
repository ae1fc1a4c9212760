// SPDX-License-Identifier: GPL-2.0
/*
 * vCPU threads.
 *
 * Stopping: stop_request() calls kick_all(), which sets immediate_exit in
 * every run structure and sends VCPU_KICK_SIGNAL to every vCPU thread.
 * The signal handler does nothing; its only purpose is to make NYX_RUN
 * return -EINTR (it is installed without SA_RESTART). immediate_exit
 * closes the race where the signal lands after the thread checked the
 * stop flag but before it entered NYX_RUN.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "core/affinity.h"
#include "core/bus.h"
#include "core/stop.h"
#include "core/vcpu.h"
#include "core/vm.h"

#define JOIN_TIMEOUT_SEC	2

void (*vcpu_exit_hook)(struct vcpu *v);

static struct vcpu *all_vcpus;
static unsigned int nr_vcpus;

/* --gdb (core/gdbserver.c); NULL without it */
static void (*gdb_pause_point)(struct vcpu *v);
static void (*gdb_debug_exit)(struct vcpu *v);

void vcpu_set_gdb_hooks(void (*pause_point)(struct vcpu *v),
			void (*debug_exit)(struct vcpu *v))
{
	gdb_pause_point = pause_point;
	gdb_debug_exit = debug_exit;
}

static pthread_mutex_t park_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned int nr_parked;

/* Pause: pause_flag asks, the vCPU threads count themselves in nr_paused. */
static pthread_mutex_t pause_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pause_cond = PTHREAD_COND_INITIALIZER;
static bool pause_flag;
static unsigned int nr_paused;

/* Keeps multi-line failure reports from different vCPUs apart. */
static pthread_mutex_t report_lock = PTHREAD_MUTEX_INITIALIZER;

int vcpu_create(struct vcpu *v, struct vm *vm, unsigned int id)
{
	void *run;
	int err;

	memset(v, 0, sizeof(*v));
	v->vm = vm;
	v->id = id;
	v->fd = ioctl(vm->vm_fd, NYX_CREATE_VCPU, id);
	if (v->fd < 0) {
		err = errno;
		pr_err("vCPU %u: NYX_CREATE_VCPU: %s", id, strerror(err));
		return -err;
	}
	run = mmap(NULL, vm->vcpu_mmap_size, PROT_READ | PROT_WRITE,
		   MAP_SHARED, v->fd, 0);
	if (run == MAP_FAILED) {
		err = errno;
		pr_err("vCPU %u: mmap of the run structure: %s", id,
		       strerror(err));
		close(v->fd);
		v->fd = -1;
		return -err;
	}
	v->run = run;
	v->run_size = vm->vcpu_mmap_size;
	return 0;
}

void vcpu_destroy(struct vcpu *v)
{
	if (v->run)
		munmap(v->run, v->run_size);
	if (v->fd >= 0)
		close(v->fd);
	v->run = NULL;
	v->fd = -1;
}

/* ---------------------------------------------------------------------
 * Failure reports
 */
static void print_segment(const char *name, const struct nyx_segment *s)
{
	pr_err("  %-3s sel=0x%04x base=0x%016llx limit=0x%08x type=0x%x p=%u dpl=%u db=%u s=%u l=%u g=%u avl=%u unusable=%u",
	       name, s->selector, (unsigned long long)s->base, s->limit,
	       s->type, s->present, s->dpl, s->db, s->s, s->l, s->g, s->avl,
	       s->unusable);
}

static void print_state(struct vcpu *v)
{
	struct nyx_sregs sr;
	struct nyx_regs r;

	if (ioctl(v->fd, NYX_GET_REGS, &r) < 0) {
		pr_err("  NYX_GET_REGS: %s", strerror(errno));
	} else {
		pr_err("  rip=0x%016llx rflags=0x%016llx",
		       (unsigned long long)r.rip, (unsigned long long)r.rflags);
		pr_err("  rax=0x%016llx rbx=0x%016llx rcx=0x%016llx rdx=0x%016llx",
		       (unsigned long long)r.rax, (unsigned long long)r.rbx,
		       (unsigned long long)r.rcx, (unsigned long long)r.rdx);
		pr_err("  rsi=0x%016llx rdi=0x%016llx rsp=0x%016llx rbp=0x%016llx",
		       (unsigned long long)r.rsi, (unsigned long long)r.rdi,
		       (unsigned long long)r.rsp, (unsigned long long)r.rbp);
		pr_err("  r8 =0x%016llx r9 =0x%016llx r10=0x%016llx r11=0x%016llx",
		       (unsigned long long)r.r8, (unsigned long long)r.r9,
		       (unsigned long long)r.r10, (unsigned long long)r.r11);
		pr_err("  r12=0x%016llx r13=0x%016llx r14=0x%016llx r15=0x%016llx",
		       (unsigned long long)r.r12, (unsigned long long)r.r13,
		       (unsigned long long)r.r14, (unsigned long long)r.r15);
	}
	if (ioctl(v->fd, NYX_GET_SREGS, &sr) < 0) {
		pr_err("  NYX_GET_SREGS: %s", strerror(errno));
		return;
	}
	print_segment("cs", &sr.cs);
	print_segment("ds", &sr.ds);
	print_segment("es", &sr.es);
	print_segment("fs", &sr.fs);
	print_segment("gs", &sr.gs);
	print_segment("ss", &sr.ss);
	print_segment("tr", &sr.tr);
	print_segment("ldt", &sr.ldt);
	pr_err("  gdt base=0x%016llx limit=0x%04x  idt base=0x%016llx limit=0x%04x",
	       (unsigned long long)sr.gdt.base, sr.gdt.limit,
	       (unsigned long long)sr.idt.base, sr.idt.limit);
	pr_err("  cr0=0x%016llx cr2=0x%016llx cr3=0x%016llx cr4=0x%016llx",
	       (unsigned long long)sr.cr0, (unsigned long long)sr.cr2,
	       (unsigned long long)sr.cr3, (unsigned long long)sr.cr4);
	pr_err("  cr8=0x%016llx efer=0x%016llx apic_base=0x%016llx",
	       (unsigned long long)sr.cr8, (unsigned long long)sr.efer,
	       (unsigned long long)sr.apic_base);
}

static const char *internal_error_name(u32 suberror)
{
	switch (suberror) {
	case NYX_INTERNAL_ERROR_EMULATION:
		return "instruction not emulated";
	case NYX_INTERNAL_ERROR_UNKNOWN_EXIT:
		return "unknown hardware exit";
	case NYX_INTERNAL_ERROR_DELIVERY_EV:
		return "exit while delivering an event";
	case NYX_INTERNAL_ERROR_BAD_STATE:
		return "vCPU state unusable";
	case NYX_INTERNAL_ERROR_NO_MEMORY:
		return "could not map guest RAM";
	default:
		return "unknown suberror";
	}
}

/* Report a fatal vCPU problem and stop the VM with status 6. */
static enum exit_action vcpu_fail(struct vcpu *v, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static enum exit_action vcpu_fail(struct vcpu *v, const char *fmt, ...)
{
	struct nyx_run *run = v->run;
	char msg[256];
	va_list ap;
	u32 i;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);

	pthread_mutex_lock(&report_lock);
	pr_err("vCPU %u: %s", v->id, msg);
	if (run->exit_reason == NYX_EXIT_FAIL_ENTRY) {
		pr_err("  hardware entry failure reason 0x%llx on host CPU %u",
		       (unsigned long long)run->fail_entry.hardware_entry_failure_reason,
		       run->fail_entry.cpu);
	} else if (run->exit_reason == NYX_EXIT_INTERNAL_ERROR) {
		pr_err("  suberror %u (%s), %u data words",
		       run->internal.suberror,
		       internal_error_name(run->internal.suberror),
		       run->internal.ndata);
		for (i = 0; i < run->internal.ndata && i < 16; i++)
			pr_err("  data[%u] = 0x%016llx", i,
			       (unsigned long long)run->internal.data[i]);
	}
	print_state(v);
	pthread_mutex_unlock(&report_lock);

	stop_request(NYX_EXIT_VCPU_FAILURE);
	return EXIT_STOP;
}

/* ---------------------------------------------------------------------
 * Exit dispatch
 */
static enum exit_action handle_io(struct vcpu *v)
{
	struct nyx_run *run = v->run;
	u32 size = run->io.size, count = run->io.count, i;
	u64 offset = run->io.data_offset;
	bool out = run->io.direction == NYX_EXIT_IO_OUT;
	u8 *data = (u8 *)run + offset;

	if ((size != 1 && size != 2 && size != 4) || !count ||
	    offset > v->run_size || (u64)count * size > v->run_size - offset)
		return vcpu_fail(v, "malformed I/O exit: port 0x%x size %u count %u data_offset 0x%llx",
				 run->io.port, size, count,
				 (unsigned long long)offset);

	/* String I/O: every item goes to the same port. */
	for (i = 0; i < count; i++, data += size)
		bus_access(&pio_bus, run->io.port, data, size, out);
	return EXIT_CONTINUE;
}

static enum exit_action handle_mmio(struct vcpu *v)
{
	struct nyx_run *run = v->run;
	u32 len = run->mmio.len;

	if (!len || len > sizeof(run->mmio.data))
		return vcpu_fail(v, "malformed MMIO exit: address 0x%llx len %u",
				 (unsigned long long)run->mmio.phys_addr, len);
	bus_access(&mmio_bus, run->mmio.phys_addr, run->mmio.data, len,
		   run->mmio.is_write);
	return EXIT_CONTINUE;
}

static void count_exit(struct vcpu *v, u32 reason)
{
	enum vcpu_stat s;

	switch (reason) {
	case NYX_EXIT_IO:
		s = VCPU_STAT_IO;
		break;
	case NYX_EXIT_MMIO:
		s = VCPU_STAT_MMIO;
		break;
	case NYX_EXIT_HLT:
		s = VCPU_STAT_HLT;
		break;
	case NYX_EXIT_INTR:
		s = VCPU_STAT_INTR;
		break;
	default:
		s = VCPU_STAT_OTHER;
		break;
	}
	__atomic_store_n(&v->stats[s], v->stats[s] + 1, __ATOMIC_RELAXED);
}

const char *vcpu_stat_name(enum vcpu_stat s)
{
	static const char *const names[VCPU_STAT_NR] = {
		"io", "mmio", "hlt", "intr", "other",
	};

	return (unsigned int)s < VCPU_STAT_NR ? names[s] : "?";
}

enum exit_action vcpu_handle_exit(struct vcpu *v)
{
	struct nyx_run *run = v->run;

	count_exit(v, run->exit_reason);
	switch (run->exit_reason) {
	case NYX_EXIT_IO:
		return handle_io(v);
	case NYX_EXIT_MMIO:
		return handle_mmio(v);
	case NYX_EXIT_HLT:
		return EXIT_HALT;
	case NYX_EXIT_INTR:
		return EXIT_CONTINUE;	/* the loop checks the stop flag */
	case NYX_EXIT_SHUTDOWN:
		if (stop_request(NYX_EXIT_GUEST_SHUTDOWN))
			pr_err("guest shutdown (triple fault)");
		pr_debug("vCPU %u: shutdown", v->id);
		return EXIT_STOP;
	case NYX_EXIT_DEBUG:
		if (!gdb_debug_exit)
			return vcpu_fail(v, "debug exit without --gdb");
		gdb_debug_exit(v);
		return EXIT_CONTINUE;
	case NYX_EXIT_FAIL_ENTRY:
		return vcpu_fail(v, "entry failed");
	case NYX_EXIT_INTERNAL_ERROR:
		return vcpu_fail(v, "internal error");
	default:
		return vcpu_fail(v, "unknown exit reason %u",
				 run->exit_reason);
	}
}

/* ---------------------------------------------------------------------
 * Threads and the stop protocol
 */

/*
 * HLT with no interrupt controller: nothing can ever wake this vCPU, so
 * it waits for the VM to stop; the last one to park stops it.
 */
static void vcpu_park(struct vcpu *v)
{
	bool all;

	pr_debug("vCPU %u: halted", v->id);
	__atomic_store_n(&v->halted, true, __ATOMIC_SEQ_CST);
	pthread_mutex_lock(&pause_lock);
	pthread_cond_broadcast(&pause_cond);	/* a pause counts us */
	pthread_mutex_unlock(&pause_lock);
	pthread_mutex_lock(&park_lock);
	all = ++nr_parked == nr_vcpus;
	pthread_mutex_unlock(&park_lock);

	if (all && stop_request(NYX_EXIT_OK))
		pr_info("all vCPUs halted");
	stop_wait(NULL);
}

static bool pause_requested(void)
{
	return __atomic_load_n(&pause_flag, __ATOMIC_SEQ_CST);
}

/* Out of NYX_RUN (its exit completed): wait here until resumed. */
static void vcpu_pause_park(struct vcpu *v)
{
	struct nyx_regs regs;

	/* The thread owns the vCPU fd now: record where the guest stands. */
	if (!ioctl(v->fd, NYX_GET_REGS, &regs)) {
		__atomic_store_n(&v->last_rip, regs.rip, __ATOMIC_RELAXED);
		__atomic_store_n(&v->rip_valid, true, __ATOMIC_RELEASE);
	}
	pthread_mutex_lock(&pause_lock);
	nr_paused++;
	pthread_cond_broadcast(&pause_cond);
	while (pause_requested() && !stop_requested())
		pthread_cond_wait(&pause_cond, &pause_lock);
	nr_paused--;
	pthread_mutex_unlock(&pause_lock);
	/* Clear the kick before looking at the flags again: a pause or
	 * stop that sets it after this is seen by the loop's checks. */
	if (!stop_requested())
		__atomic_store_n(&v->run->immediate_exit, 0, __ATOMIC_SEQ_CST);
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *v = arg;
	sigset_t kick;
	int ret;

	/* for external placement (taskset, cgroups): query-cpus shows it */
	__atomic_store_n(&v->tid, (int)gettid(), __ATOMIC_RELEASE);
	sigemptyset(&kick);
	sigaddset(&kick, VCPU_KICK_SIGNAL);
	pthread_sigmask(SIG_UNBLOCK, &kick, NULL);

	while (!stop_requested()) {
		if (gdb_pause_point) {
			/* stopped by the debugger: wait here, outside NYX_RUN */
			gdb_pause_point(v);
			if (stop_requested())
				break;
		}
		if (pause_requested()) {
			vcpu_pause_park(v);
			continue;
		}
		ret = ioctl(v->fd, NYX_RUN, 0);
		if (vcpu_exit_hook)
			vcpu_exit_hook(v);
		if (ret < 0) {
			if (errno == EINTR)
				count_exit(v, NYX_EXIT_INTR);
			if (errno == EINTR || errno == EAGAIN)
				continue;
			pr_err("vCPU %u: NYX_RUN: %s", v->id, strerror(errno));
			stop_request(NYX_EXIT_VCPU_FAILURE);
			break;
		}
		switch (vcpu_handle_exit(v)) {
		case EXIT_CONTINUE:
			continue;
		case EXIT_HALT:
			vcpu_park(v);
			return NULL;
		case EXIT_STOP:
			return NULL;
		}
	}
	return NULL;
}

static void kick_all(void)
{
	unsigned int i;

	/* paused vCPUs wait on pause_cond: a stop must wake them */
	pthread_mutex_lock(&pause_lock);
	pthread_cond_broadcast(&pause_cond);
	pthread_mutex_unlock(&pause_lock);

	for (i = 0; i < nr_vcpus; i++) {
		struct vcpu *v = &all_vcpus[i];

		if (v->run)
			__atomic_store_n(&v->run->immediate_exit, 1,
					 __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&v->started, __ATOMIC_SEQ_CST))
			pthread_kill(v->thread, VCPU_KICK_SIGNAL);
	}
}

static void kick_signal_handler(int sig)
{
	(void)sig;	/* only interrupts NYX_RUN */
}

void vcpu_install_kick_signal(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = kick_signal_handler;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;	/* no SA_RESTART: NYX_RUN must fail with EINTR */
	sigaction(VCPU_KICK_SIGNAL, &sa, NULL);
}

int vcpus_start(struct vcpu *vcpus, unsigned int n)
{
	unsigned int i;
	int ret;

	all_vcpus = vcpus;
	nr_vcpus = n;
	stop_set_kick_hook(kick_all);
	/* A stop that came in before the hook existed still needs its
	 * kick: immediate_exit makes the first NYX_RUN return at once. */
	if (stop_requested())
		kick_all();

	for (i = 0; i < n; i++) {
		char name[16];

		snprintf(name, sizeof(name), "vcpu%u", i);
		ret = thread_create(&vcpus[i].thread, THREAD_VCPU, i, name,
				    vcpu_thread, &vcpus[i]);
		if (ret) {
			pr_err("vCPU %u: cannot create thread: %s", i,
			       strerror(ret));
			stop_request(NYX_EXIT_SETUP);
			return -ret;
		}
		__atomic_store_n(&vcpus[i].started, true, __ATOMIC_SEQ_CST);
	}
	return 0;
}

/* Kick without stopping: immediate_exit plus the signal, like kick_all. */
static void kick_for_pause(void)
{
	unsigned int i;

	for (i = 0; i < nr_vcpus; i++) {
		struct vcpu *v = &all_vcpus[i];

		__atomic_store_n(&v->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&v->started, __ATOMIC_SEQ_CST))
			pthread_kill(v->thread, VCPU_KICK_SIGNAL);
	}
}

static unsigned int nr_stopped_locked(void)
{
	unsigned int i, n = nr_paused;

	for (i = 0; i < nr_vcpus; i++)
		if (__atomic_load_n(&all_vcpus[i].halted, __ATOMIC_SEQ_CST))
			n++;
	return n;
}

int vcpus_pause(unsigned int timeout_ms)
{
	struct timespec deadline;
	int ret = 0;

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += timeout_ms / 1000;
	deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
	if (deadline.tv_nsec >= 1000000000) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000;
	}
	__atomic_store_n(&pause_flag, true, __ATOMIC_SEQ_CST);
	kick_for_pause();
	pthread_mutex_lock(&pause_lock);
	while (nr_stopped_locked() < nr_vcpus && !stop_requested()) {
		if (pthread_cond_timedwait(&pause_cond, &pause_lock,
					   &deadline) == ETIMEDOUT) {
			ret = nr_stopped_locked() < nr_vcpus ? -ETIMEDOUT : 0;
			break;
		}
	}
	pthread_mutex_unlock(&pause_lock);
	return ret;
}

void vcpus_resume(void)
{
	pthread_mutex_lock(&pause_lock);
	__atomic_store_n(&pause_flag, false, __ATOMIC_SEQ_CST);
	pthread_cond_broadcast(&pause_cond);
	pthread_mutex_unlock(&pause_lock);
}

bool vcpus_paused(void)
{
	return pause_requested();
}

static pthread_mutex_t pause_user_lock = PTHREAD_MUTEX_INITIALIZER;

void vcpus_pause_lock(void)
{
	pthread_mutex_lock(&pause_user_lock);
}

void vcpus_pause_unlock(void)
{
	pthread_mutex_unlock(&pause_user_lock);
}

void vcpu_dump_state(struct vcpu *v)
{
	pthread_mutex_lock(&report_lock);
	pr_err("vCPU %u state:", v->id);
	print_state(v);
	pthread_mutex_unlock(&report_lock);
}

struct vcpu *vcpus_get(unsigned int *n)
{
	*n = nr_vcpus;
	return all_vcpus;
}

void vcpus_join(void)
{
	struct timespec deadline;
	unsigned int i;

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += JOIN_TIMEOUT_SEC;
	for (i = 0; i < nr_vcpus; i++) {
		struct vcpu *v = &all_vcpus[i];

		if (!v->started)
			continue;
		if (pthread_timedjoin_np(v->thread, NULL, &deadline)) {
			pr_err("vCPU %u did not stop; exiting anyway", v->id);
			continue;
		}
		v->started = false;
	}
}
