/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vCPUs: one thread each, looping on NYX_RUN and dispatching exits to the
 * PIO/MMIO buses.
 */
#ifndef NYX_VCPU_H
#define NYX_VCPU_H

#include <pthread.h>
#include <signal.h>

#include <uapi/nyx.h>

#include "core/util.h"

struct vm;

/* Exits the launcher sees, per vCPU (query-stats). */
enum vcpu_stat {
	VCPU_STAT_IO,
	VCPU_STAT_MMIO,
	VCPU_STAT_HLT,
	VCPU_STAT_INTR,
	VCPU_STAT_OTHER,
	VCPU_STAT_NR,
};

struct vcpu {
	struct vm *vm;
	unsigned int id;
	int fd;
	struct nyx_run *run;	/* mmap'd, vm->vcpu_mmap_size bytes */
	size_t run_size;
	pthread_t thread;
	bool started;
	/* written by the vCPU thread, read (relaxed) by the control socket */
	u64 stats[VCPU_STAT_NR];
	u64 last_rip;		/* RIP at the last pause */
	bool rip_valid;
	bool halted;		/* parked after HLT (--irqchip off) */
	int tid;		/* its thread's Linux TID, 0 before it runs
				 * (query-cpus "thread-id"; atomic) */
	/* times the debugger stopped or released this vCPU (odd: stopped
	 * now); the watchdog does not count that time (atomic) */
	u64 dbg_holds;
};

/* What the run loop does after an exit. */
enum exit_action {
	EXIT_CONTINUE,		/* re-enter the guest */
	EXIT_HALT,		/* park until the VM stops */
	EXIT_STOP,		/* a stop was requested (shutdown, error) */
};

/* NYX_CREATE_VCPU and map its run structure. Returns 0 or -errno. */
int vcpu_create(struct vcpu *v, struct vm *vm, unsigned int id);
void vcpu_destroy(struct vcpu *v);

/* Handle the exit described in v->run (exported for the unit tests). */
enum exit_action vcpu_handle_exit(struct vcpu *v);

/* Start one thread per vCPU. Returns 0 or -errno. */
int vcpus_start(struct vcpu *vcpus, unsigned int n);

/* After a stop: wait (bounded) for the vCPU threads to leave. */
void vcpus_join(void);

/*
 * Pause: every started vCPU leaves NYX_RUN at a clean boundary (the exit
 * it was serving is completed by the NYX_RUN that returns EINTR) and
 * parks. Returns 0 once all are parked (halted ones count), -ETIMEDOUT
 * after timeout_ms (they stay asked to pause). Resume lets them go.
 * Not meant to be called concurrently (the control socket is one thread).
 */
int vcpus_pause(unsigned int timeout_ms);
void vcpus_resume(void);
bool vcpus_paused(void);
/* Serializes pause/resume users (control socket, watchdog), so that one
 * does not resume what the other paused. */
void vcpus_pause_lock(void);
void vcpus_pause_unlock(void);
/* Registers and segments to the log (watchdog "dump"). */
void vcpu_dump_state(struct vcpu *v);
/* The vCPUs started by vcpus_start() (for the control socket). */
struct vcpu *vcpus_get(unsigned int *n);
const char *vcpu_stat_name(enum vcpu_stat s);

/* Called (if set) by each vCPU thread after every return from NYX_RUN:
 * the first-instruction trace span, later the watchdog's progress. */
extern void (*vcpu_exit_hook)(struct vcpu *v);

/* Handler for the kick signal; installed by the launcher. */
void vcpu_install_kick_signal(void);

/* --gdb: pause_point runs before every NYX_RUN (it blocks while the
 * debugger has the VM stopped), debug_exit on NYX_EXIT_DEBUG. */
void vcpu_set_gdb_hooks(void (*pause_point)(struct vcpu *v),
			void (*debug_exit)(struct vcpu *v));

#define VCPU_KICK_SIGNAL	SIGUSR1

#endif
