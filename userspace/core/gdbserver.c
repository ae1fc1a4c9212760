// SPDX-License-Identifier: GPL-2.0
/*
 * --gdb: one server thread speaks the GDB remote protocol (core/gdbstub.c)
 * to one client at a time and drives the vCPUs:
 *
 *  - stopping: "paused" is raised and every vCPU is kicked out of NYX_RUN
 *    (immediate_exit + the kick signal, as for a VM stop); each waits in
 *    gdb_pause_point() until resumed. The server touches vCPU state
 *    (registers, NYX_SET_GUEST_DEBUG) only while they wait there.
 *  - a vCPU's NYX_EXIT_DEBUG (breakpoint, watchpoint, step) records the
 *    event, stops the others and wakes the server through a pipe; Ctrl-C
 *    from gdb stops them all.
 *  - resuming: every vCPU gets NYX_SET_GUEST_DEBUG for the current
 *    breakpoints (and SINGLESTEP for the one being stepped, the only one
 *    that runs during a step), then "paused" drops.
 *
 * Memory addresses from gdb are guest-virtual, translated through the
 * selected vCPU's page tables (lib/x86/paging.c, without setting A/D
 * bits); with paging off they are guest-physical.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <uapi/nyx.h>

#include "x86/paging.h"
#include "core/affinity.h"
#include "core/gdbserver.h"
#include "core/gdbstub.h"
#include "core/stop.h"
#include "core/vcpu.h"
#include "core/vm.h"

#define X86_CR0_PG		(1ull << 31)
#define X86_CR4_SMEP		(1ull << 20)
#define X86_CR4_SMAP		(1ull << 21)
#define GDB_SIGTRAP		5
#define GDB_SIGINT		2
#define PAUSE_WAIT_MS		2000

struct gdb_event {
	bool pending;
	unsigned int cpu;
	u32 exception;
	u64 dr6;
};

static struct gdbserver {
	struct vm *vm;
	struct vcpu *vcpus;
	unsigned int nr;
	int listen_fd;
	int wake[2];		/* vCPU -> server: a debug event */
	struct gdb_stub stub;

	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool paused;
	int step_cpu;		/* -1, or the only vCPU that runs */
	unsigned int nr_waiting;
	struct gdb_event ev;
} gs = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.cond = PTHREAD_COND_INITIALIZER,
	.step_cpu = -1,
};

/* ---------------------------------------------------------------------
 * vCPU side
 */
static bool must_wait(const struct vcpu *v)
{
	return gs.paused || (gs.step_cpu >= 0 && gs.step_cpu != (int)v->id);
}

static void pause_point(struct vcpu *v)
{
	struct timespec ts;

	pthread_mutex_lock(&gs.lock);
	if (must_wait(v)) {
		/* stopped on purpose: the watchdog does not count this */
		__atomic_add_fetch(&v->dbg_holds, 1, __ATOMIC_SEQ_CST);
		gs.nr_waiting++;
		pthread_cond_broadcast(&gs.cond);
		while (must_wait(v) && !stop_requested()) {
			/* bounded: a VM stop does not signal this condvar */
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += 100 * 1000000;
			if (ts.tv_nsec >= 1000000000) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000;
			}
			pthread_cond_timedwait(&gs.cond, &gs.lock, &ts);
		}
		gs.nr_waiting--;
		__atomic_add_fetch(&v->dbg_holds, 1, __ATOMIC_SEQ_CST);
	}
	/* our own kick is spent; a stop sets it again after its flag */
	__atomic_store_n(&v->run->immediate_exit, 0, __ATOMIC_SEQ_CST);
	pthread_mutex_unlock(&gs.lock);
}

/* lock held */
static void kick_others(unsigned int self)
{
	unsigned int i;

	for (i = 0; i < gs.nr; i++) {
		struct vcpu *v = &gs.vcpus[i];

		if (i == self)
			continue;
		__atomic_store_n(&v->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&v->started, __ATOMIC_SEQ_CST))
			pthread_kill(v->thread, VCPU_KICK_SIGNAL);
	}
}

/*
 * The guest's own INT3 (no breakpoint of ours there) goes back to the
 * guest, as QEMU does with KVM: RIP past the INT3 and #BP queued, so the
 * guest's handler sees what the INT3 itself would have pushed. It is
 * delivered as a hardware exception: unlike a real INT3 there is no
 * gate-DPL check (Linux's #BP gate has DPL 3 anyway). Called by the
 * vCPU thread, which owns its fd here; the breakpoint list only changes
 * while every vCPU waits in pause_point(), which this one has not
 * reached, so reading it needs no lock.
 */
static bool reinject_bp(struct vcpu *v)
{
	struct nyx_vcpu_events ev;
	struct nyx_regs r;

	if (v->run->debug.exception != 3 ||
	    gdb_is_sw_bp(&gs.stub, v->run->debug.pc))
		return false;
	if (ioctl(v->fd, NYX_GET_REGS, &r) < 0 ||
	    ioctl(v->fd, NYX_GET_VCPU_EVENTS, &ev) < 0) {
		pr_err("gdb: vCPU %u: cannot re-inject the guest's #BP: %s",
		       v->id, strerror(errno));
		return false;
	}
	r.rip++;
	ev.exception.injected = 0;
	ev.exception.pending = 1;
	ev.exception.nr = 3;
	ev.exception.has_error_code = 0;
	ev.exception.error_code = 0;
	/* an NMI sent since the GET stays pending */
	ev.flags = NYX_VCPU_EVENTS_KEEP_NMI_PENDING;
	if (ioctl(v->fd, NYX_SET_REGS, &r) < 0 ||
	    ioctl(v->fd, NYX_SET_VCPU_EVENTS, &ev) < 0) {
		pr_err("gdb: vCPU %u: cannot re-inject the guest's #BP: %s",
		       v->id, strerror(errno));
		return false;
	}
	return true;
}

static void debug_exit(struct vcpu *v)
{
	struct nyx_run *run = v->run;
	char c = 1;

	if (reinject_bp(v))
		return;
	pthread_mutex_lock(&gs.lock);
	/* a second vCPU's event during a stop is dropped: its INT3 or
	 * breakpoint fires again when it resumes */
	if (!gs.paused) {
		gs.paused = true;
		gs.ev.pending = true;
		gs.ev.cpu = v->id;
		gs.ev.exception = run->debug.exception;
		gs.ev.dr6 = run->debug.dr6;
		kick_others(v->id);
		if (write(gs.wake[1], &c, 1) < 0)
			pr_err("gdb: wake-up: %s", strerror(errno));
	}
	pthread_mutex_unlock(&gs.lock);
}

/* ---------------------------------------------------------------------
 * Server side: stopping and resuming
 */
static void pause_all(void)
{
	struct timespec ts;

	pthread_mutex_lock(&gs.lock);
	gs.paused = true;
	kick_others(~0u);
	/* vCPUs parked for good (HLT without irqchip) never come: bounded */
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += PAUSE_WAIT_MS / 1000;
	while (gs.nr_waiting < gs.nr && !stop_requested())
		if (pthread_cond_timedwait(&gs.cond, &gs.lock, &ts))
			break;
	pthread_mutex_unlock(&gs.lock);
}

static int set_guest_debug(unsigned int cpu, bool step)
{
	struct nyx_guest_debug dbg;
	u64 dr[4], dr7;
	unsigned int i;

	memset(&dbg, 0, sizeof(dbg));
	if (gdb_has_sw_bp(&gs.stub))
		dbg.control |= NYX_GUESTDBG_USE_SW_BP;
	if (gdb_hw_debugregs(&gs.stub, dr, &dr7)) {
		dbg.control |= NYX_GUESTDBG_USE_HW_BP;
		for (i = 0; i < 4; i++)
			dbg.debugreg[i] = dr[i];
		dbg.debugreg[7] = dr7;
	}
	if (step)
		dbg.control |= NYX_GUESTDBG_SINGLESTEP;
	if (dbg.control)
		dbg.control |= NYX_GUESTDBG_ENABLE;
	if (ioctl(gs.vcpus[cpu].fd, NYX_SET_GUEST_DEBUG, &dbg) < 0) {
		pr_err("gdb: vCPU %u: NYX_SET_GUEST_DEBUG: %s", cpu,
		       strerror(errno));
		return -1;
	}
	return 0;
}

static void resume(int step_cpu)
{
	unsigned int i;

	for (i = 0; i < gs.nr; i++)
		set_guest_debug(i, (int)i == step_cpu);
	pthread_mutex_lock(&gs.lock);
	gs.step_cpu = step_cpu;
	gs.paused = false;
	pthread_cond_broadcast(&gs.cond);
	pthread_mutex_unlock(&gs.lock);
}

/* ---------------------------------------------------------------------
 * Target operations for the stub
 */
static int t_get_regs(void *opaque, unsigned int cpu, struct gdb_regs *g)
{
	struct nyx_regs r;
	struct nyx_sregs sr;
	struct nyx_fpu *fpu;
	unsigned int i;
	int fd = gs.vcpus[cpu].fd;

	(void)opaque;
	memset(g, 0, sizeof(*g));
	if (ioctl(fd, NYX_GET_REGS, &r) < 0 || ioctl(fd, NYX_GET_SREGS, &sr) < 0)
		return -1;
	g->gpr[0] = r.rax; g->gpr[1] = r.rbx; g->gpr[2] = r.rcx;
	g->gpr[3] = r.rdx; g->gpr[4] = r.rsi; g->gpr[5] = r.rdi;
	g->gpr[6] = r.rbp; g->gpr[7] = r.rsp;
	g->gpr[8] = r.r8; g->gpr[9] = r.r9; g->gpr[10] = r.r10;
	g->gpr[11] = r.r11; g->gpr[12] = r.r12; g->gpr[13] = r.r13;
	g->gpr[14] = r.r14; g->gpr[15] = r.r15;
	g->rip = r.rip;
	g->eflags = r.rflags;
	g->seg[0] = sr.cs.selector; g->seg[1] = sr.ss.selector;
	g->seg[2] = sr.ds.selector; g->seg[3] = sr.es.selector;
	g->seg[4] = sr.fs.selector; g->seg[5] = sr.gs.selector;

	/* x87/SSE from the XSAVE legacy area (FXSAVE layout) */
	fpu = calloc(1, sizeof(*fpu));
	if (fpu && ioctl(fd, NYX_GET_FPU, fpu) == 0) {
		const u8 *x = fpu->xsave;
		u8 ftw = x[4];

		g->fctrl = x[0] | x[1] << 8;
		g->fstat = x[2] | x[3] << 8;
		/* abridged tag (1 = valid) -> full tag (11 = empty) */
		for (i = 0; i < 8; i++)
			if (!(ftw & (1u << i)))
				g->ftag |= 3u << (2 * i);
		g->fop = x[6] | x[7] << 8;
		memcpy(&g->fioff, x + 8, 4);
		memcpy(&g->fooff, x + 16, 4);
		memcpy(&g->mxcsr, x + 24, 4);
		for (i = 0; i < 8; i++)
			memcpy(g->st[i], x + 32 + 16 * i, 10);
		for (i = 0; i < 16; i++)
			memcpy(g->xmm[i], x + 160 + 16 * i, 16);
	}
	free(fpu);
	return 0;
}

/* GPRs, RIP and RFLAGS are written; segments and FPU are not (yet). */
static int t_set_regs(void *opaque, unsigned int cpu, const struct gdb_regs *g)
{
	struct nyx_regs r;
	int fd = gs.vcpus[cpu].fd;

	(void)opaque;
	if (ioctl(fd, NYX_GET_REGS, &r) < 0)
		return -1;
	r.rax = g->gpr[0]; r.rbx = g->gpr[1]; r.rcx = g->gpr[2];
	r.rdx = g->gpr[3]; r.rsi = g->gpr[4]; r.rdi = g->gpr[5];
	r.rbp = g->gpr[6]; r.rsp = g->gpr[7];
	r.r8 = g->gpr[8]; r.r9 = g->gpr[9]; r.r10 = g->gpr[10];
	r.r11 = g->gpr[11]; r.r12 = g->gpr[12]; r.r13 = g->gpr[13];
	r.r14 = g->gpr[14]; r.r15 = g->gpr[15];
	r.rip = g->rip;
	r.rflags = (r.rflags & ~0xffffffffull) | g->eflags;
	return ioctl(fd, NYX_SET_REGS, &r) < 0 ? -1 : 0;
}

static int read_pte(void *opaque, u64 gpa, u64 *pte, unsigned int size)
{
	*pte = 0;
	return vm_read_guest(opaque, gpa, pte, size) ? -1 : 0;
}

static const struct x86_pte_ops debug_pte_ops = {
	.read_pte = read_pte,	/* no cmpxchg_pte: no A/D side effects */
};

/* Guest-virtual [addr, addr + len) of cpu, page by page. */
static int access_mem(unsigned int cpu, u64 addr, void *buf, size_t len,
		      bool write)
{
	struct x86_paging_cfg cfg;
	struct nyx_sregs sr;
	u8 *p = buf;

	if (ioctl(gs.vcpus[cpu].fd, NYX_GET_SREGS, &sr) < 0)
		return -1;
	memset(&cfg, 0, sizeof(cfg));
	cfg.cr0 = sr.cr0;
	cfg.cr3 = sr.cr3;
	/* the debugger may look at user pages from kernel mode */
	cfg.cr4 = sr.cr4 & ~(X86_CR4_SMEP | X86_CR4_SMAP);
	cfg.efer = sr.efer;
	while (len) {
		size_t n = 4096 - (addr & 4095);
		u64 gpa = addr;
		u32 pf;
		int r;

		if (n > len)
			n = len;
		/* a read walk: the debugger writes read-only pages too */
		if ((sr.cr0 & X86_CR0_PG) &&
		    x86_walk(&cfg, addr, 0, &debug_pte_ops, gs.vm, &gpa, &pf))
			return -1;
		r = write ? vm_write_guest(gs.vm, gpa, p, n) :
			    vm_read_guest(gs.vm, gpa, p, n);
		if (r)
			return -1;
		addr += n;
		p += n;
		len -= n;
	}
	return 0;
}

static int t_read_mem(void *opaque, unsigned int cpu, u64 addr, void *buf,
		      size_t len)
{
	(void)opaque;
	return access_mem(cpu, addr, buf, len, false);
}

static int t_write_mem(void *opaque, unsigned int cpu, u64 addr,
		       const void *buf, size_t len)
{
	(void)opaque;
	return access_mem(cpu, addr, (void *)buf, len, true);
}

static const struct gdb_target_ops nyx_target_ops = {
	.get_regs = t_get_regs,
	.set_regs = t_set_regs,
	.read_mem = t_read_mem,
	.write_mem = t_write_mem,
};

/* ---------------------------------------------------------------------
 * The connection
 */
static int send_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= n;
	}
	return 0;
}

static int flush_out(int fd)
{
	int r = send_all(fd, gs.stub.out, gs.stub.out_len);

	gdb_out_clear(&gs.stub);
	return r;
}

/* The stop reply for the recorded debug event. */
static void report_event(void)
{
	struct gdb_event ev;
	int slot;

	pthread_mutex_lock(&gs.lock);
	ev = gs.ev;
	gs.ev.pending = false;
	pthread_mutex_unlock(&gs.lock);

	slot = ev.exception == 1 ? gdb_hw_hit(&gs.stub, ev.dr6) : -1;
	if (slot >= 0 && gs.stub.hw[slot].type != GDB_BP_HW)
		gdb_stop_reply(&gs.stub, ev.cpu, GDB_SIGTRAP,
			       gs.stub.hw[slot].type, gs.stub.hw[slot].addr);
	else
		gdb_stop_reply(&gs.stub, ev.cpu, GDB_SIGTRAP, 0, ~0ull);
}

static void serve(int fd)
{
	bool running = false;
	char buf[1024];

	gdb_stub_init(&gs.stub, &nyx_target_ops, NULL, gs.nr);
	/* gdb expects a stopped target when it attaches */
	pause_all();
	gs.stub.stop_cpu = 0;

	while (!stop_requested()) {
		struct pollfd pfd[2] = {
			{ .fd = fd, .events = POLLIN },
			{ .fd = gs.wake[0], .events = POLLIN },
		};
		ssize_t n;
		int i;

		if (poll(pfd, 2, 200) < 0 && errno != EINTR)
			break;
		if (pfd[1].revents & POLLIN) {
			char c;

			if (read(gs.wake[0], &c, 1) < 0 && errno != EAGAIN)
				break;
			if (running && gs.ev.pending) {
				pause_all();
				report_event();
				running = false;
				if (flush_out(fd))
					break;
			}
		}
		if (!(pfd[0].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		for (i = 0; i < n; i++) {
			int r = gdb_rx_byte(&gs.stub, buf[i]);
			enum gdb_action act;

			if (r == 2 && running) {	/* Ctrl-C */
				pause_all();
				running = false;
				gdb_stop_reply(&gs.stub, gs.stub.c_cpu,
					       GDB_SIGINT, 0, ~0ull);
			}
			if (r != 1)
				continue;
			if (running) {
				/* only Ctrl-C is expected while running */
				continue;
			}
			act = gdb_handle_packet(&gs.stub);
			if (flush_out(fd))
				goto out;
			switch (act) {
			case GDB_ACT_NONE:
				break;
			case GDB_ACT_CONTINUE:
				running = true;
				resume(-1);
				break;
			case GDB_ACT_STEP:
				running = true;
				resume(gs.stub.step_cpu);
				break;
			case GDB_ACT_DETACH:
				goto out;
			case GDB_ACT_KILL:
				pr_info("gdb: kill");
				stop_request(NYX_EXIT_OK);
				goto out;
			}
		}
		if (flush_out(fd))
			break;
	}
out:
	/* the debugger is gone: take its breakpoints out and let the VM
	 * run on */
	if (running)
		pause_all();
	gdb_remove_all_bp(&gs.stub);
	resume(-1);
	gs.step_cpu = -1;
	for (unsigned int i = 0; i < gs.nr; i++)
		set_guest_debug(i, false);
	gdb_stub_free(&gs.stub);
}

static void *server_thread(void *arg)
{
	sigset_t all;

	(void)arg;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	while (!stop_requested()) {
		struct pollfd pfd = { .fd = gs.listen_fd, .events = POLLIN };
		int fd, one = 1;

		if (poll(&pfd, 1, 200) <= 0)
			continue;
		fd = accept4(gs.listen_fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0)
			continue;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		pr_info("gdb: debugger connected");
		serve(fd);
		close(fd);
		pr_info("gdb: debugger disconnected");
	}
	return NULL;
}

/* ---------------------------------------------------------------------
 * Setup
 */
static int listen_tcp(const char *spec)
{
	char host[256], *colon;
	struct addrinfo hints, *ai, *a;
	int fd = -1, r, one = 1;

	if (strlen(spec) >= sizeof(host)) {
		pr_err("--gdb: address too long");
		return -1;
	}
	strcpy(host, spec);
	colon = strrchr(host, ':');
	if (!colon || colon == host || !colon[1]) {
		pr_err("--gdb tcp:%s: use tcp:HOST:PORT", spec);
		return -1;
	}
	*colon = 0;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
	r = getaddrinfo(host, colon + 1, &hints, &ai);
	if (r) {
		pr_err("--gdb tcp:%s: %s (numeric host and port)", spec,
		       gai_strerror(r));
		return -1;
	}
	for (a = ai; a; a = a->ai_next) {
		fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, 0);
		if (fd < 0)
			continue;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (!bind(fd, a->ai_addr, a->ai_addrlen) && !listen(fd, 1))
			break;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	if (fd < 0)
		pr_err("--gdb tcp:%s: cannot listen: %s", spec, strerror(errno));
	return fd;
}

static int listen_unix(const char *path)
{
	struct sockaddr_un sa;
	int fd;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (!*path || strlen(path) >= sizeof(sa.sun_path)) {
		pr_err("--gdb unix:%s: path empty or too long", path);
		return -1;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	unlink(path);	/* a stale socket from an earlier run */
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 1)) {
		pr_err("--gdb unix:%s: cannot listen: %s", path,
		       strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

int gdbserver_start(const char *spec, bool wait, struct vm *vm,
		    struct vcpu *vcpus, unsigned int nr_vcpus)
{
	pthread_t thread;
	int r;

	if (!strncmp(spec, "tcp:", 4))
		gs.listen_fd = listen_tcp(spec + 4);
	else if (!strncmp(spec, "unix:", 5))
		gs.listen_fd = listen_unix(spec + 5);
	else
		gs.listen_fd = -1;
	if (gs.listen_fd < 0)
		return NYX_EXIT_SETUP;
	if (ioctl(vm->sys_fd, NYX_CHECK_EXTENSION, NYX_CAP_GUEST_DEBUG) <= 0) {
		pr_err("--gdb: nyx.ko has no guest debugging (NYX_CAP_GUEST_DEBUG)");
		return NYX_EXIT_SETUP;
	}
	if (pipe2(gs.wake, O_CLOEXEC | O_NONBLOCK)) {
		pr_err("--gdb: pipe: %s", strerror(errno));
		return NYX_EXIT_SETUP;
	}
	gs.vm = vm;
	gs.vcpus = vcpus;
	gs.nr = nr_vcpus;
	gs.paused = wait;
	vcpu_set_gdb_hooks(pause_point, debug_exit);

	r = thread_create(&thread, THREAD_MAIN, 0, "gdb", server_thread, NULL);
	if (!r)
		pthread_detach(thread);
	if (r) {
		pr_err("--gdb: cannot start the server thread: %s", strerror(r));
		return NYX_EXIT_SETUP;
	}
	pr_info("gdb: listening on %s%s", spec,
		wait ? ", vCPUs wait for the debugger" : "");
	return 0;
}
