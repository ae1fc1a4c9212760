/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where the launcher's threads run (--pin THREADS=CPUS, config "pin").
 *
 * Like libvirt's vcpupin/emulatorpin/iothreadpin or Cloud Hypervisor's
 * --cpus affinity=: a vCPU thread, the I/O threads and the rest of the
 * launcher can each be kept to a set of host CPUs. Why: on a small host
 * the scheduler wakes an I/O thread on the CPU of the vCPU that kicked
 * it, and the device work then preempts the guest that is waiting for it
 * (Documentation/performance.md, "Where the launcher's threads run").
 *
 * Thread classes:
 *   vcpuN  the thread of vCPU N
 *   vcpus  every vCPU thread not named by vcpuN
 *   io     the virtio devices' threads and the block I/O workers
 *   main   the main thread and every other launcher thread (control
 *          socket, RTC timer, watchdog, serial input, gdb, signals),
 *          which inherit the main thread's CPUs
 * A class not given keeps the CPUs nyx was started with (so pinning only
 * "main" does not drag the vCPUs along).
 */
#ifndef NYX_AFFINITY_H
#define NYX_AFFINITY_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/util.h"

#define PIN_MAX_VCPUS	64	/* MAX_CPUS */
#define CPU_LIST_MAX	1024	/* glibc's CPU_SETSIZE */

/* A set of host CPUs (cpu_set_t needs _GNU_SOURCE in every includer). */
struct cpu_list {
	u64 bits[CPU_LIST_MAX / 64];
};

static inline bool cpu_list_has(const struct cpu_list *l, unsigned int cpu)
{
	return cpu < CPU_LIST_MAX && (l->bits[cpu / 64] >> (cpu % 64)) & 1;
}

enum thread_class {
	THREAD_VCPU,
	THREAD_IO,
	THREAD_MAIN,
};

struct pin_options {
	u64 vcpu_set;			/* bit N: vcpuN given */
	bool vcpus_set, io_set, main_set;
	struct cpu_list vcpu[PIN_MAX_VCPUS];
	struct cpu_list vcpus, io, main;
};

/*
 * "0", "0-3", "0,2,4-7" (taskset -c's lists) into set. Returns 0, or
 * -EINVAL with a message in err.
 */
int cpulist_parse(const char *s, struct cpu_list *set, char *err, size_t errlen);
/* set as a list ("0-3,8"), "none" when empty; returns buf */
char *cpulist_format(const struct cpu_list *set, char *buf, size_t len);

/*
 * One THREADS=CPUS item: THREADS is vcpuN, vcpus, io or main. cli: the
 * same THREADS given twice is an error (a config file's value is
 * replaced instead, see config.c).
 */
int pin_set(struct pin_options *p, const char *threads, const char *cpus,
	    bool cli, char *err, size_t errlen);
/* any class given */
bool pin_given(const struct pin_options *p);
/* "THREADS=CPUS" as given to --pin */
int pin_parse(struct pin_options *p, const char *arg, char *err,
	      size_t errlen);
/*
 * Checks against the VM and the host before anything starts: every vcpuN
 * below nr_vcpus, every CPU one this process may run on (allowed, usually
 * sched_getaffinity's set).
 */
int pin_check(const struct pin_options *p, unsigned int nr_vcpus,
	      const struct cpu_list *allowed, char *err, size_t errlen);

/*
 * The CPUs the calling thread may run on (sched_getaffinity), for
 * pin_check. Returns 0 or -errno.
 */
int cpu_list_allowed(struct cpu_list *allowed);
/*
 * Remember the CPUs nyx was started with and move the calling (main)
 * thread to p->main. Call once, before any thread is created, after
 * pin_check. Returns 0 or -errno (the message is logged).
 */
int pin_apply(const struct pin_options *p);
/*
 * pthread_create for a launcher thread of class cls (index: the vCPU
 * number for THREAD_VCPU): it starts on its class's CPUs and is called
 * name (up to 15 characters: ps, top and /proc show it; NULL: not
 * named). Before pin_apply (unit tests), on the creator's CPUs.
 */
int thread_create(pthread_t *thread, enum thread_class cls,
		  unsigned int index, const char *name, void *(*fn)(void *),
		  void *arg);

#endif
