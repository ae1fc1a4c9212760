// SPDX-License-Identifier: GPL-2.0
/*
 * --pin (core/affinity.c): CPU lists, THREADS=CPUS items, the checks
 * against --cpus and the allowed CPUs, and threads started on their
 * class's CPUs.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <errno.h>
#include <sched.h>

#include "core/affinity.h"
#include "test.h"

static bool list_is(const char *s, const char *want)
{
	struct cpu_list l;
	char err[160], buf[128];

	if (cpulist_parse(s, &l, err, sizeof(err)))
		return false;
	return !strcmp(cpulist_format(&l, buf, sizeof(buf)), want);
}

static bool list_bad(const char *s)
{
	struct cpu_list l;
	char err[160];

	return cpulist_parse(s, &l, err, sizeof(err)) == -EINVAL &&
	       strstr(err, "is not a CPU list");
}

static void test_cpulist(void)
{
	struct cpu_list l;
	char buf[16];

	CHECK(list_is("0", "0"));
	CHECK(list_is("0-3", "0-3"));
	CHECK(list_is("0,2,4-7", "0,2,4-7"));
	CHECK(list_is("3,1,2", "1-3"));		/* order and overlap */
	CHECK(list_is("1-1,1", "1"));
	CHECK(list_is("1023", "1023"));
	CHECK(list_is("0-1023", "0-1023"));
	CHECK(list_is("63-64,127-129", "63-64,127-129"));	/* word edges */
	CHECK(list_bad(""));
	CHECK(list_bad(","));
	CHECK(list_bad("1,"));
	CHECK(list_bad(",1"));
	CHECK(list_bad("3-1"));
	CHECK(list_bad("1-"));
	CHECK(list_bad("-1"));
	CHECK(list_bad("1024"));
	CHECK(list_bad("99999999999999999999"));
	CHECK(list_bad("0 1"));
	CHECK(list_bad("a"));
	CHECK(list_bad("1-2-3"));

	/* a short buffer is cut, never overrun */
	CHECK_EQ(cpulist_parse("0,2,4,6,8,10,12,14,16", &l, buf, sizeof(buf)),
		 0);
	cpulist_format(&l, buf, sizeof(buf));
	CHECK_EQ(strlen(buf), sizeof(buf) - 1);
	memset(&l, 0, sizeof(l));
	CHECK(!strcmp(cpulist_format(&l, buf, sizeof(buf)), "none"));
}

static void test_pin_parse(void)
{
	struct pin_options p;
	char err[160];

	memset(&p, 0, sizeof(p));
	CHECK_EQ(pin_parse(&p, "vcpu0=0", err, sizeof(err)), 0);
	CHECK_EQ(pin_parse(&p, "vcpu63=1-2", err, sizeof(err)), 0);
	CHECK_EQ(pin_parse(&p, "vcpus=0,1", err, sizeof(err)), 0);
	CHECK_EQ(pin_parse(&p, "io=1", err, sizeof(err)), 0);
	CHECK_EQ(pin_parse(&p, "main=0", err, sizeof(err)), 0);
	CHECK_EQ(p.vcpu_set, 1ull | 1ull << 63);
	CHECK(cpu_list_has(&p.vcpu[63], 1) && cpu_list_has(&p.vcpu[63], 2));
	CHECK(!cpu_list_has(&p.vcpu[63], 0));
	CHECK(p.vcpus_set && p.io_set && p.main_set);

	/* the same threads twice on the command line */
	CHECK_EQ(pin_parse(&p, "io=0", err, sizeof(err)), -EINVAL);
	CHECK(!strcmp(err, "io: given twice"));
	CHECK(cpu_list_has(&p.io, 1) && !cpu_list_has(&p.io, 0));
	CHECK_EQ(pin_parse(&p, "vcpu0=1", err, sizeof(err)), -EINVAL);
	CHECK(!strcmp(err, "vcpu0: given twice"));
	/* ...while a config file's value is replaced */
	CHECK_EQ(pin_set(&p, "io", "0", false, err, sizeof(err)), 0);
	CHECK(cpu_list_has(&p.io, 0) && !cpu_list_has(&p.io, 1));

	CHECK_EQ(pin_parse(&p, "io", err, sizeof(err)), -EINVAL);
	CHECK(!strcmp(err, "'io': use THREADS=CPUS, e.g. vcpu0=0 or io=1-3"));
	CHECK_EQ(pin_parse(&p, "=1", err, sizeof(err)), -EINVAL);
	CHECK_EQ(pin_parse(&p, "vcpu1=", err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "vcpu1: '' is not a CPU list"));
	CHECK_EQ(pin_parse(&p, "vcpu64=0", err, sizeof(err)), -EINVAL);
	CHECK_EQ(pin_parse(&p, "vcpu01=0", err, sizeof(err)), -EINVAL);
	CHECK_EQ(pin_parse(&p, "vcpu-1=0", err, sizeof(err)), -EINVAL);
	CHECK_EQ(pin_parse(&p, "vcpu1x=0", err, sizeof(err)), -EINVAL);
	CHECK_EQ(pin_parse(&p, "vcpu=0", err, sizeof(err)), -EINVAL);
	CHECK_EQ(pin_parse(&p, "IO=0", err, sizeof(err)), -EINVAL);
	CHECK(!strcmp(err, "IO: unknown threads (vcpuN, vcpus, io, main)"));
	CHECK_EQ(pin_parse(&p, "a-very-long-thread-class-name-that-is-long=0",
			   err, sizeof(err)), -EINVAL);
	/* a failed item changes nothing */
	CHECK_EQ(p.vcpu_set, 1ull | 1ull << 63);
}

static void test_pin_check(void)
{
	struct pin_options p;
	struct cpu_list allowed;
	char err[160];

	memset(&p, 0, sizeof(p));
	CHECK_EQ(cpulist_parse("0-1,4", &allowed, err, sizeof(err)), 0);
	CHECK_EQ(pin_check(&p, 1, &allowed, err, sizeof(err)), 0);
	CHECK_EQ(pin_parse(&p, "vcpu1=4", err, sizeof(err)), 0);
	CHECK_EQ(pin_check(&p, 2, &allowed, err, sizeof(err)), 0);
	CHECK_EQ(pin_check(&p, 1, &allowed, err, sizeof(err)), -EINVAL);
	CHECK(!strcmp(err, "vcpu1: the VM has 1 vCPU"));
	CHECK_EQ(pin_parse(&p, "io=1-3", err, sizeof(err)), 0);
	CHECK_EQ(pin_check(&p, 2, &allowed, err, sizeof(err)), -EINVAL);
	CHECK(!strcmp(err, "io: CPU 2 is not one nyx may run on (allowed: 0-1,4)"));
	memset(&p, 0, sizeof(p));
	CHECK_EQ(pin_parse(&p, "main=5", err, sizeof(err)), 0);
	CHECK_EQ(pin_check(&p, 1, &allowed, err, sizeof(err)), -EINVAL);
	CHECK(!strcmp(err, "main: CPU 5 is not one nyx may run on (allowed: 0-1,4)"));
	memset(&p, 0, sizeof(p));
	CHECK_EQ(pin_parse(&p, "vcpus=0,4", err, sizeof(err)), 0);
	CHECK_EQ(pin_check(&p, 64, &allowed, err, sizeof(err)), 0);
}

/* What a thread reads back of its own CPUs, as a list. */
static char seen[PIN_MAX_VCPUS][64];

static void *report(void *arg)
{
	char *out = arg;
	cpu_set_t set;
	unsigned int c;
	size_t n = 0;

	out[0] = '\0';
	if (pthread_getaffinity_np(pthread_self(), sizeof(set), &set))
		return NULL;
	for (c = 0; c < 64; c++)
		if (CPU_ISSET(c, &set))
			n += snprintf(out + n, 64 - n, "%s%u", n ? "," : "", c);
	return NULL;
}

static void run_thread(enum thread_class cls, unsigned int index, char *out)
{
	pthread_t t;

	CHECK_EQ(thread_create(&t, cls, index, "affinity-test", report, out),
		 0);
	pthread_join(t, NULL);
}

/* Threads start on their class's CPUs; classes not given keep nyx's. */
static void test_threads(void)
{
	struct cpu_list allowed;
	struct pin_options p;
	char err[160], initial[64], first[8];
	unsigned int c;

	/* before pin_apply: plain threads with the process's CPUs */
	report(initial);
	run_thread(THREAD_IO, 0, seen[0]);
	CHECK(!strcmp(seen[0], initial));

	CHECK_EQ(cpu_list_allowed(&allowed), 0);
	for (c = 0; !cpu_list_has(&allowed, c); c++)
		;
	snprintf(first, sizeof(first), "%u", c);

	/* no --pin: nothing is fixed, new threads inherit what the creator
	 * has now (placement done from outside is kept) */
	memset(&p, 0, sizeof(p));
	CHECK_EQ(pin_apply(&p), 0);
	{
		cpu_set_t one, all;

		pthread_getaffinity_np(pthread_self(), sizeof(all), &all);
		CPU_ZERO(&one);
		CPU_SET(c, &one);
		CHECK_EQ(pthread_setaffinity_np(pthread_self(), sizeof(one),
						&one), 0);
		run_thread(THREAD_IO, 0, seen[9]);
		CHECK(!strcmp(seen[9], first));
		pthread_setaffinity_np(pthread_self(), sizeof(all), &all);
	}

	memset(&p, 0, sizeof(p));
	snprintf(err, sizeof(err), "vcpu1=%u", c);
	CHECK_EQ(pin_parse(&p, err, err, sizeof(err)), 0);
	snprintf(err, sizeof(err), "io=%u", c);
	CHECK_EQ(pin_parse(&p, err, err, sizeof(err)), 0);
	CHECK_EQ(pin_check(&p, 2, &allowed, err, sizeof(err)), 0);
	CHECK_EQ(pin_apply(&p), 0);

	run_thread(THREAD_VCPU, 1, seen[1]);
	CHECK(!strcmp(seen[1], first));
	run_thread(THREAD_IO, 0, seen[2]);
	CHECK(!strcmp(seen[2], first));
	run_thread(THREAD_VCPU, 0, seen[3]);	/* not named: nyx's CPUs */
	CHECK(!strcmp(seen[3], initial));
	run_thread(THREAD_MAIN, 0, seen[4]);
	CHECK(!strcmp(seen[4], initial));
	report(seen[5]);			/* main itself unmoved */
	CHECK(!strcmp(seen[5], initial));

	/* main moves itself; its plain children inherit, vCPUs do not */
	memset(&p, 0, sizeof(p));
	snprintf(err, sizeof(err), "main=%u", c);
	CHECK_EQ(pin_parse(&p, err, err, sizeof(err)), 0);
	CHECK_EQ(pin_apply(&p), 0);
	report(seen[6]);
	CHECK(!strcmp(seen[6], first));
	run_thread(THREAD_MAIN, 0, seen[7]);
	CHECK(!strcmp(seen[7], first));
	run_thread(THREAD_VCPU, 0, seen[8]);
	CHECK(!strcmp(seen[8], initial));
}

int main(void)
{
	test_cpulist();
	test_pin_parse();
	test_pin_check();
	test_threads();
	return test_summary("launcher_affinity");
}
