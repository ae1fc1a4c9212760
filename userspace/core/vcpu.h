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

struct vcpu {
	struct vm *vm;
	unsigned int id;
	int fd;
	struct nyx_run *run;	/* mmap'd, vm->vcpu_mmap_size bytes */
	size_t run_size;
	pthread_t thread;
	bool started;
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

/* Handler for the kick signal; installed by the launcher. */
void vcpu_install_kick_signal(void);

/* --gdb: pause_point runs before every NYX_RUN (it blocks while the
 * debugger has the VM stopped), debug_exit on NYX_EXIT_DEBUG. */
void vcpu_set_gdb_hooks(void (*pause_point)(struct vcpu *v),
			void (*debug_exit)(struct vcpu *v));

#define VCPU_KICK_SIGNAL	SIGUSR1

#endif
