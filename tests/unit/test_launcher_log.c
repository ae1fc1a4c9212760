// SPDX-License-Identifier: GPL-2.0
/* The launcher's logger: levels, component rules, format, file, spans. */
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/log.h"
#include "test.h"

static size_t fmt(struct log_state *l, char *buf, size_t size, u64 now,
		  enum log_level lv, const char *comp, const char *f, ...)
{
	va_list ap;
	size_t n;

	va_start(ap, f);
	n = log_format(l, buf, size, now, lv, comp, f, ap);
	va_end(ap);
	return n;
}

static void test_levels(void)
{
	enum log_level lv = LOG_INFO;

	CHECK_EQ(log_level_parse("trace", &lv), 0);
	CHECK_EQ(lv, LOG_TRACE);
	CHECK_EQ(log_level_parse("DEBUG", &lv), 0);
	CHECK_EQ(lv, LOG_DEBUG);
	CHECK_EQ(log_level_parse("Warning", &lv), 0);
	CHECK_EQ(lv, LOG_WARN);
	CHECK_EQ(log_level_parse("fatal", &lv), 0);
	CHECK_EQ(lv, LOG_FATAL);
	CHECK(log_level_parse("loud", &lv) < 0);
	CHECK(log_level_parse("", &lv) < 0);
	CHECK(!strcmp(log_level_name(LOG_ERROR), "ERROR"));
	CHECK(!strcmp(log_level_name(99), "?"));
}

static void test_rules(void)
{
	struct log_state l;
	char err[128];

	log_init(&l, -1);
	CHECK_EQ(l.level, LOG_INFO);
	CHECK(!log_enabled(&l, LOG_DEBUG, "virtio/blk"));
	CHECK(log_enabled(&l, LOG_INFO, "virtio/blk"));
	CHECK_EQ(log_parse_spec(&l, "virtio=debug,serial=warn", err, sizeof(err)), 0);
	CHECK(log_enabled(&l, LOG_DEBUG, "virtio/blk"));	/* directory */
	CHECK(!log_enabled(&l, LOG_TRACE, "virtio/pci"));
	CHECK(!log_enabled(&l, LOG_INFO, "hw/serial"));		/* file */
	CHECK(log_enabled(&l, LOG_WARN, "hw/serial"));
	CHECK(!log_enabled(&l, LOG_DEBUG, "core/vcpu"));	/* default */
	CHECK(!log_enabled(&l, LOG_DEBUG, NULL));
	/* the most specific rule wins, in any order */
	CHECK_EQ(log_parse_spec(&l, "virtio/blk=error,blk=trace", err, sizeof(err)), 0);
	CHECK_EQ(log_comp_level(&l, "virtio/blk"), LOG_ERROR);
	CHECK_EQ(log_comp_level(&l, "virtio/pci"), LOG_DEBUG);
	/* a bare level is the default; a rule given again is replaced */
	CHECK_EQ(log_parse_spec(&l, "trace,serial=info", err, sizeof(err)), 0);
	CHECK_EQ(log_comp_level(&l, "core/vcpu"), LOG_TRACE);
	CHECK_EQ(log_comp_level(&l, "hw/serial"), LOG_INFO);
	CHECK_EQ(l.nr_rules, 4);
	/* errors */
	CHECK(log_parse_spec(&l, "", err, sizeof(err)) < 0);
	CHECK(log_parse_spec(&l, "virtio=loud", err, sizeof(err)) < 0);
	CHECK(strstr(err, "unknown level 'loud'") != NULL);
	CHECK(log_parse_spec(&l, "=debug", err, sizeof(err)) < 0);
	CHECK(log_parse_spec(&l, "debug,", err, sizeof(err)) < 0);
	CHECK(log_parse_spec(&l, "a=debugdebugdebugdebug", err, sizeof(err)) < 0);
	CHECK(log_parse_spec(&l, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa=debug", err, sizeof(err)) < 0);
	log_init(&l, -1);
	CHECK_EQ(log_parse_spec(&l, "a=info,b=info,c=info,d=info,e=info,f=info,g=info,h=info,"
				"i=info,j=info,k=info,l=info,m=info,n=info,o=info,p=info",
				err, sizeof(err)), 0);
	CHECK(log_parse_spec(&l, "q=info", err, sizeof(err)) < 0);
}

static void test_format(void)
{
	struct log_state l;
	char buf[256], small[24];
	size_t n;

	log_init(&l, -1);
	l.colour = false;
	n = fmt(&l, buf, sizeof(buf), l.t0_ns + 1500000000ull, LOG_WARN,
		"virtio/blk", "queue %d broken", 3);
	CHECK(!strcmp(buf, "nyx: 1.500000 WARN  virtio/blk: queue 3 broken\n"));
	CHECK_EQ(n, strlen(buf));
	/* a trailing newline is not doubled; no component, no prefix */
	l.timestamps = false;
	fmt(&l, buf, sizeof(buf), l.t0_ns, LOG_ERROR, NULL, "bad\n");
	CHECK(!strcmp(buf, "nyx: ERROR bad\n"));
	/* colour codes only when asked (a terminal) */
	l.colour = true;
	fmt(&l, buf, sizeof(buf), l.t0_ns, LOG_ERROR, "x", "c");
	CHECK(strstr(buf, "\033[31mERROR\033[0m") != NULL);
	/* truncation keeps the newline and the NUL */
	l.colour = false;
	n = fmt(&l, small, sizeof(small), l.t0_ns, LOG_INFO, "comp",
		"%s", "a long message that does not fit");
	CHECK_EQ(n, sizeof(small) - 1);
	CHECK_EQ(small[n - 1], '\n');
	CHECK_EQ(small[n], '\0');
}

static void test_output(void)
{
	char path[] = "/tmp/nyx-log-XXXXXX", buf[512];
	struct log_state saved = nyx_log;
	int fd = mkstemp(path);
	ssize_t n;

	log_init(&nyx_log, STDERR_FILENO);
	CHECK_EQ(log_open_file(&nyx_log, path), 0);
	CHECK(!nyx_log.colour);
	log_install();
	pr_err("boom %d", 1);			/* component from __FILE__ */
	pr_debug("hidden");
	pr_warn("careful");
	log_msg(LOG_FATAL, "x", "dead");
	CHECK(log_open_file(&nyx_log, "/nonexistent/dir/log") < 0);
	close(nyx_log.fd);
	nyx_pr_hook = NULL;
	n = read(fd, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	CHECK(strstr(buf, "ERROR unit/test_launcher_log: boom 1\n") != NULL);
	CHECK(strstr(buf, "WARN  unit/test_launcher_log: careful\n") != NULL);
	CHECK(strstr(buf, "FATAL x: dead\n") != NULL);
	CHECK(strstr(buf, "hidden") == NULL);
	close(fd);
	unlink(path);
	nyx_log = saved;
}

static void test_comp(void)
{
	char c[24];

	log_comp_from_file("core/vcpu.c", c, sizeof(c));
	CHECK(!strcmp(c, "core/vcpu"));
	log_comp_from_file("/a/b/userspace/virtio/blk.c", c, sizeof(c));
	CHECK(!strcmp(c, "virtio/blk"));
	log_comp_from_file("main.c", c, sizeof(c));
	CHECK(!strcmp(c, "main"));
	log_comp_from_file("x/averyveryverylongdirectoryname/file.c", c, sizeof(c));
	CHECK_EQ(strlen(c), sizeof(c) - 1);
}

static void test_spans(void)
{
	struct log_state l;

	log_init(&l, -1);
	CHECK_EQ(span_duration(&l, SPAN_LOAD), -1);
	span_end(&l, SPAN_LOAD);		/* not started: ignored */
	CHECK_EQ(span_duration(&l, SPAN_LOAD), -1);
	span_start(&l, SPAN_LOAD);
	CHECK_EQ(span_duration(&l, SPAN_LOAD), -1);
	usleep(2000);
	span_end(&l, SPAN_LOAD);
	CHECK(span_duration(&l, SPAN_LOAD) >= 2000000);
	{
		long long d = span_duration(&l, SPAN_LOAD);

		usleep(1000);
		span_end(&l, SPAN_LOAD);	/* the first end counts */
		CHECK_EQ(span_duration(&l, SPAN_LOAD), d);
	}
	CHECK(!strcmp(span_name(SPAN_FIRST_OUTPUT), "first-output"));
	CHECK_EQ(span_duration(&l, SPAN_NR), -1);
}

/* The launcher's one monotonic clock (core/clock.c), which log.c uses. */
static void test_clock(void)
{
	struct log_state l;
	u64 a, b, c;

	a = clock_monotonic_ns();
	log_init(&l, -1);
	b = clock_now(&clock_monotonic);
	c = clock_monotonic_ns();
	CHECK(a <= l.t0_ns && l.t0_ns <= b && b <= c);
	usleep(3000);
	CHECK(clock_monotonic_ns() - c >= 3000000);
	/* and it is CLOCK_MONOTONIC, not a clock of its own */
	{
		struct timespec ts;
		u64 t;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		t = (u64)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
		CHECK(clock_monotonic_ns() - t < NSEC_PER_SEC);
	}
}

int main(void)
{
	test_levels();
	test_rules();
	test_format();
	test_output();
	test_comp();
	test_spans();
	test_clock();
	return test_summary("launcher_log");
}
