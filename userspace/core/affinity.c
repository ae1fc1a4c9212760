// SPDX-License-Identifier: GPL-2.0
/* Where the launcher's threads run (affinity.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/affinity.h"
#include "core/util.h"

/* A CPU number: decimal digits, below CPU_SETSIZE. */
static const char *parse_cpu(const char *p, unsigned int *cpu)
{
	unsigned long v = 0;

	if (*p < '0' || *p > '9')
		return NULL;
	for (; *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (*p - '0');
		if (v >= CPU_LIST_MAX)
			return NULL;
	}
	*cpu = v;
	return p;
}

static void cpu_list_add(struct cpu_list *l, unsigned int cpu)
{
	l->bits[cpu / 64] |= 1ull << (cpu % 64);
}

int cpulist_parse(const char *s, struct cpu_list *set, char *err,
		  size_t errlen)
{
	const char *p = s;
	unsigned int lo, hi, c;

	memset(set, 0, sizeof(*set));
	for (;;) {
		p = parse_cpu(p, &lo);
		if (!p)
			goto bad;
		hi = lo;
		if (*p == '-') {
			p = parse_cpu(p + 1, &hi);
			if (!p || hi < lo)
				goto bad;
		}
		for (c = lo; c <= hi; c++)
			cpu_list_add(set, c);
		if (!*p)
			return 0;
		if (*p++ != ',')
			goto bad;
	}
bad:
	snprintf(err, errlen,
		 "'%.40s' is not a CPU list (e.g. 0, 0-3, 0,2,4-7; CPUs below %d)",
		 s, CPU_LIST_MAX);
	return -EINVAL;
}

char *cpulist_format(const struct cpu_list *set, char *buf, size_t len)
{
	unsigned int c, end;
	size_t n = 0;

	buf[0] = '\0';
	for (c = 0; c < CPU_LIST_MAX; c++) {
		if (!cpu_list_has(set, c))
			continue;
		for (end = c; cpu_list_has(set, end + 1);)
			end++;
		if (n < len)
			n += snprintf(buf + n, len - n, "%s%u", n ? "," : "", c);
		if (end > c && n < len)
			n += snprintf(buf + n, len - n, "-%u", end);
		c = end;
	}
	if (!n)
		snprintf(buf, len, "none");
	return buf;
}

int pin_set(struct pin_options *p, const char *threads, const char *cpus,
	    bool cli, char *err, size_t errlen)
{
	struct cpu_list set, *dst;
	bool *given = NULL;
	unsigned int vcpu = 0;

	if (!strncmp(threads, "vcpu", 4) && threads[4] >= '0' &&
	    threads[4] <= '9') {
		const char *end = parse_cpu(threads + 4, &vcpu);

		if (!end || *end || vcpu >= PIN_MAX_VCPUS ||
		    (threads[4] == '0' && threads[5])) {
			snprintf(err, errlen, "no such vCPU (vcpu0..vcpu%d)",
				 PIN_MAX_VCPUS - 1);
			return -EINVAL;
		}
		dst = &p->vcpu[vcpu];
	} else if (!strcmp(threads, "vcpus")) {
		dst = &p->vcpus;
		given = &p->vcpus_set;
	} else if (!strcmp(threads, "io")) {
		dst = &p->io;
		given = &p->io_set;
	} else if (!strcmp(threads, "main")) {
		dst = &p->main;
		given = &p->main_set;
	} else {
		snprintf(err, errlen, "unknown threads (vcpuN, vcpus, io, main)");
		return -EINVAL;
	}
	if (cli && (given ? *given : p->vcpu_set & (1ull << vcpu))) {
		snprintf(err, errlen, "given twice");
		return -EINVAL;
	}
	if (cpulist_parse(cpus, &set, err, errlen))
		return -EINVAL;
	*dst = set;
	if (given)
		*given = true;
	else
		p->vcpu_set |= 1ull << vcpu;
	return 0;
}

int pin_parse(struct pin_options *p, const char *arg, char *err,
	      size_t errlen)
{
	const char *eq = strchr(arg, '=');
	char threads[40], sub[128];

	if (!eq || eq == arg || (size_t)(eq - arg) >= sizeof(threads)) {
		snprintf(err, errlen,
			 "'%.40s': use THREADS=CPUS, e.g. vcpu0=0 or io=1-3",
			 arg);
		return -EINVAL;
	}
	memcpy(threads, arg, eq - arg);
	threads[eq - arg] = '\0';
	if (!pin_set(p, threads, eq + 1, true, sub, sizeof(sub)))
		return 0;
	snprintf(err, errlen, "%s: %s", threads, sub);
	return -EINVAL;
}

/* Every CPU of set is in allowed; else err names the first one that is not. */
static int check_cpus(const char *name, const struct cpu_list *set,
		      const struct cpu_list *allowed, char *err, size_t errlen)
{
	char list[64];
	unsigned int c;

	for (c = 0; c < CPU_LIST_MAX; c++) {
		if (cpu_list_has(set, c) && !cpu_list_has(allowed, c)) {
			snprintf(err, errlen,
				 "%s: CPU %u is not one nyx may run on (allowed: %s)",
				 name, c, cpulist_format(allowed, list,
							 sizeof(list)));
			return -EINVAL;
		}
	}
	return 0;
}

int pin_check(const struct pin_options *p, unsigned int nr_vcpus,
	      const struct cpu_list *allowed, char *err, size_t errlen)
{
	char name[16];
	unsigned int i;

	for (i = 0; i < PIN_MAX_VCPUS; i++) {
		if (!(p->vcpu_set & (1ull << i)))
			continue;
		snprintf(name, sizeof(name), "vcpu%u", i);
		if (i >= nr_vcpus) {
			snprintf(err, errlen, "%s: the VM has %u vCPU%s", name,
				 nr_vcpus, nr_vcpus == 1 ? "" : "s");
			return -EINVAL;
		}
		if (check_cpus(name, &p->vcpu[i], allowed, err, errlen))
			return -EINVAL;
	}
	if ((p->vcpus_set &&
	     check_cpus("vcpus", &p->vcpus, allowed, err, errlen)) ||
	    (p->io_set && check_cpus("io", &p->io, allowed, err, errlen)) ||
	    (p->main_set && check_cpus("main", &p->main, allowed, err, errlen)))
		return -EINVAL;
	return 0;
}

bool pin_given(const struct pin_options *p)
{
	return p->vcpu_set || p->vcpus_set || p->io_set || p->main_set;
}

static void from_cpu_set(const cpu_set_t *set, struct cpu_list *l)
{
	unsigned int c;

	memset(l, 0, sizeof(*l));
	for (c = 0; c < CPU_LIST_MAX && c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, set))
			cpu_list_add(l, c);
}

static void to_cpu_set(const struct cpu_list *l, cpu_set_t *set)
{
	unsigned int c;

	CPU_ZERO(set);
	for (c = 0; c < CPU_LIST_MAX && c < CPU_SETSIZE; c++)
		if (cpu_list_has(l, c))
			CPU_SET(c, set);
}

int cpu_list_allowed(struct cpu_list *allowed)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set))
		return -errno;
	from_cpu_set(&set, allowed);
	return 0;
}

/* After pin_apply: each class's CPUs, ready for pthread_attr_setaffinity_np */
static struct {
	bool applied;
	cpu_set_t vcpu[PIN_MAX_VCPUS], vcpus, io, main;
	u64 vcpu_set;
} pin;

/* What the kernel holds for a thread, as a list (debug log). */
static void report_cpus(pthread_t thread, const char *name)
{
	struct cpu_list l;
	cpu_set_t set;
	char list[96];

	if (pthread_getaffinity_np(thread, sizeof(set), &set))
		return;
	from_cpu_set(&set, &l);
	pr_debug("%s thread on CPUs %s", name,
		 cpulist_format(&l, list, sizeof(list)));
}

int pin_apply(const struct pin_options *p)
{
	cpu_set_t initial;
	char list[64];
	unsigned int i;
	int ret;

	/* nothing asked: every thread inherits, as before (and placement
	 * done from outside, e.g. by query-cpus' thread-id, is kept) */
	if (!pin_given(p))
		return 0;
	/* a class not given keeps the CPUs nyx was started with */
	if (sched_getaffinity(0, sizeof(initial), &initial)) {
		ret = -errno;
		pr_err("--pin: cannot read nyx's CPUs: %s", strerror(-ret));
		return ret;
	}
	pin.vcpus = pin.io = pin.main = initial;
	if (p->vcpus_set)
		to_cpu_set(&p->vcpus, &pin.vcpus);
	if (p->io_set)
		to_cpu_set(&p->io, &pin.io);
	for (i = 0; i < PIN_MAX_VCPUS; i++)
		if (p->vcpu_set & (1ull << i))
			to_cpu_set(&p->vcpu[i], &pin.vcpu[i]);
	pin.vcpu_set = p->vcpu_set;
	pin.applied = true;
	if (!p->main_set)
		return 0;
	to_cpu_set(&p->main, &pin.main);
	ret = pthread_setaffinity_np(pthread_self(), sizeof(pin.main),
				     &pin.main);
	if (ret) {
		pr_err("--pin main=%s: %s",
		       cpulist_format(&p->main, list, sizeof(list)),
		       strerror(ret));
		return -ret;
	}
	report_cpus(pthread_self(), "main");
	return 0;
}

/* The CPUs a new thread of class cls starts on. */
static const cpu_set_t *class_cpus(enum thread_class cls, unsigned int index)
{
	switch (cls) {
	case THREAD_VCPU:
		if (index < PIN_MAX_VCPUS && (pin.vcpu_set & (1ull << index)))
			return &pin.vcpu[index];
		return &pin.vcpus;
	case THREAD_IO:
		return &pin.io;
	case THREAD_MAIN:
		break;
	}
	return &pin.main;
}

int thread_create(pthread_t *thread, enum thread_class cls,
		  unsigned int index, const char *name, void *(*fn)(void *),
		  void *arg)
{
	pthread_attr_t attr;
	int ret;

	ret = pthread_attr_init(&attr);
	if (ret)
		return ret;
	if (pin.applied)
		ret = pthread_attr_setaffinity_np(&attr, sizeof(cpu_set_t),
						  class_cpus(cls, index));
	if (!ret)
		ret = pthread_create(thread, &attr, fn, arg);
	pthread_attr_destroy(&attr);
	/* a name is for people looking on: failing to set it is no error */
	if (!ret && name)
		pthread_setname_np(*thread, name);
	/* read back, so a log shows where it really runs */
	if (!ret && pin.applied)
		report_cpus(*thread, name ? name : "a");
	return ret;
}
