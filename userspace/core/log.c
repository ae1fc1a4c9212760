// SPDX-License-Identifier: GPL-2.0
/*
 * The launcher's logger (see log.h). One write(2) per message so lines
 * from several threads never interleave.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/log.h"

struct log_state nyx_log;

static const char *const level_names[LOG_NR_LEVELS] = {
	"TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL",
};

/* dim, cyan, default, yellow, red, bold red */
static const char *const level_colours[LOG_NR_LEVELS] = {
	"\033[2m", "\033[36m", "", "\033[33m", "\033[31m", "\033[1;31m",
};

static const char *const span_names[SPAN_NR] = {
	[SPAN_LOAD] = "load",
	[SPAN_BOOT] = "boot",
	[SPAN_FIRST_EXIT] = "first-instruction",
	[SPAN_FIRST_OUTPUT] = "first-output",
	[SPAN_SHUTDOWN] = "shutdown",
};

void log_init(struct log_state *l, int fd)
{
	memset(l, 0, sizeof(*l));
	l->level = LOG_INFO;
	l->fd = fd;
	l->colour = isatty(fd) == 1;
	l->timestamps = true;
	l->t0_ns = clock_monotonic_ns();
}

const char *log_level_name(enum log_level level)
{
	return (unsigned int)level < LOG_NR_LEVELS ? level_names[level] : "?";
}

int log_level_parse(const char *name, enum log_level *level)
{
	unsigned int i;

	for (i = 0; i < LOG_NR_LEVELS; i++) {
		if (!strcasecmp(name, level_names[i])) {
			*level = i;
			return 0;
		}
	}
	if (!strcasecmp(name, "warning")) {
		*level = LOG_WARN;
		return 0;
	}
	return -EINVAL;
}

static int add_rule(struct log_state *l, const char *comp, size_t len,
		    enum log_level level)
{
	unsigned int i;

	for (i = 0; i < l->nr_rules; i++) {
		if (strlen(l->rules[i].comp) == len &&
		    !memcmp(l->rules[i].comp, comp, len)) {
			l->rules[i].level = level;
			return 0;
		}
	}
	if (l->nr_rules == LOG_MAX_RULES)
		return -ENOSPC;
	memcpy(l->rules[l->nr_rules].comp, comp, len);
	l->rules[l->nr_rules].comp[len] = '\0';
	l->rules[l->nr_rules].level = level;
	l->nr_rules++;
	return 0;
}

int log_parse_spec(struct log_state *l, const char *spec, char *err,
		   size_t errlen)
{
	const char *p = spec;

	if (!*spec) {
		snprintf(err, errlen, "empty log specification");
		return -EINVAL;
	}
	while (*p) {
		const char *end = strchr(p, ',');
		const char *eq;
		size_t len = end ? (size_t)(end - p) : strlen(p);
		char lvl[16];
		enum log_level level;
		size_t clen;

		eq = memchr(p, '=', len);
		clen = eq ? (size_t)(eq - p) : 0;
		if (eq && (!clen || clen >= LOG_COMP_LEN)) {
			snprintf(err, errlen, "bad component name in '%.*s'",
				 (int)len, p);
			return -EINVAL;
		}
		if ((eq ? len - clen - 1 : len) >= sizeof(lvl)) {
			snprintf(err, errlen, "unknown level in '%.*s'",
				 (int)len, p);
			return -EINVAL;
		}
		if (eq) {
			memcpy(lvl, eq + 1, len - clen - 1);
			lvl[len - clen - 1] = '\0';
		} else {
			memcpy(lvl, p, len);
			lvl[len] = '\0';
		}
		if (log_level_parse(lvl, &level)) {
			snprintf(err, errlen,
				 "unknown level '%s' (trace, debug, info, warn, error, fatal)",
				 lvl);
			return -EINVAL;
		}
		if (!eq)
			l->level = level;
		else if (add_rule(l, p, clen, level)) {
			snprintf(err, errlen, "more than %d components",
				 LOG_MAX_RULES);
			return -EINVAL;
		}
		if (!end)
			break;
		p = end + 1;
		if (!*p) {
			snprintf(err, errlen, "trailing ','");
			return -EINVAL;
		}
	}
	return 0;
}

int log_open_file(struct log_state *l, const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);

	if (fd < 0)
		return -errno;
	if (l->fd > STDERR_FILENO)
		close(l->fd);
	l->fd = fd;
	l->colour = false;
	return 0;
}

/*
 * A rule matches the whole component ("virtio/blk"), its directory
 * ("virtio") or its file ("blk"); the most specific one wins.
 */
enum log_level log_comp_level(const struct log_state *l, const char *comp)
{
	const char *slash = comp ? strchr(comp, '/') : NULL;
	int best = -1, best_score = 0;
	unsigned int i;

	if (!comp)
		return l->level;
	for (i = 0; i < l->nr_rules; i++) {
		const char *r = l->rules[i].comp;
		int score = 0;

		if (!strcmp(r, comp))
			score = 3;
		else if (slash && !strcmp(r, slash + 1))
			score = 2;
		else if (slash && strlen(r) == (size_t)(slash - comp) &&
			 !memcmp(r, comp, slash - comp))
			score = 1;
		if (score > best_score) {
			best_score = score;
			best = i;
		}
	}
	return best < 0 ? l->level : l->rules[best].level;
}

bool log_enabled(const struct log_state *l, enum log_level level,
		 const char *comp)
{
	return level >= log_comp_level(l, comp);
}

size_t log_format(const struct log_state *l, char *buf, size_t size,
		  u64 now_ns, enum log_level level, const char *comp,
		  const char *fmt, va_list ap)
{
	size_t n = 0;
	u64 t = now_ns - l->t0_ns;
	int r;

	if (size < 2)
		return 0;
#define ADD(...) do {							\
		r = snprintf(buf + n, size - n, __VA_ARGS__);		\
		if (r > 0)						\
			n += (size_t)r < size - n ? (size_t)r : size - n - 1; \
	} while (0)
	ADD("nyx: ");
	if (l->timestamps)
		ADD("%llu.%06llu ", (unsigned long long)(t / 1000000000ull),
		    (unsigned long long)(t % 1000000000ull / 1000));
	if (l->colour)
		ADD("%s%-5s\033[0m ", level_colours[level],
		    level_names[level]);
	else
		ADD("%-5s ", log_level_name(level));
	if (comp && *comp)
		ADD("%s: ", comp);
	r = vsnprintf(buf + n, size - n, fmt, ap);
	if (r > 0)
		n += (size_t)r < size - n ? (size_t)r : size - n - 1;
#undef ADD
	if (n && buf[n - 1] == '\n')
		n--;
	if (n > size - 2)
		n = size - 2;
	buf[n++] = '\n';
	buf[n] = '\0';
	return n;
}

void log_vmsg(struct log_state *l, enum log_level level, const char *comp,
	      const char *fmt, va_list ap)
{
	char buf[1024];
	size_t n;

	if ((unsigned int)level >= LOG_NR_LEVELS || !log_enabled(l, level, comp))
		return;
	n = log_format(l, buf, sizeof(buf), clock_monotonic_ns(), level, comp,
		       fmt, ap);
	write_all(l->fd, buf, n);
}

void log_msg(enum log_level level, const char *comp, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(&nyx_log, level, comp, fmt, ap);
	va_end(ap);
}

void log_comp_from_file(const char *file, char *comp, size_t size)
{
	const char *end = file + strlen(file), *start = end, *dot;
	int slashes = 0;
	size_t len;

	/* the last two path elements: "core/vcpu.c" */
	while (start > file) {
		if (start[-1] == '/' && ++slashes == 2)
			break;
		start--;
	}
	dot = strrchr(start, '.');
	len = (dot ? dot : end) - start;
	if (len >= size)
		len = size - 1;
	memcpy(comp, start, len);
	comp[len] = '\0';
}

static void pr_hook(int level, const char *file, const char *fmt, va_list ap)
{
	char comp[LOG_COMP_LEN];

	log_comp_from_file(file, comp, sizeof(comp));
	log_vmsg(&nyx_log, (enum log_level)level, comp, fmt, ap);
}

void log_install(void)
{
	nyx_pr_hook = pr_hook;
}

/* ---------------------------------------------------------------------
 * Spans: first writer wins, so a span can be ended from any thread.
 */
static void mark(u64 *slot, u64 t0)
{
	u64 zero = 0, now = clock_monotonic_ns() - t0;

	if (!now)
		now = 1;	/* 0 means "not reached" */
	__atomic_compare_exchange_n(slot, &zero, now, false,
				    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}

void span_start(struct log_state *l, enum log_span s)
{
	if ((unsigned int)s < SPAN_NR)
		mark(&l->span_start[s], l->t0_ns);
}

void span_end(struct log_state *l, enum log_span s)
{
	if ((unsigned int)s < SPAN_NR &&
	    __atomic_load_n(&l->span_start[s], __ATOMIC_SEQ_CST))
		mark(&l->span_end[s], l->t0_ns);
}

const char *span_name(enum log_span s)
{
	return (unsigned int)s < SPAN_NR ? span_names[s] : "?";
}

long long span_duration(const struct log_state *l, enum log_span s)
{
	u64 a, b;

	if ((unsigned int)s >= SPAN_NR)
		return -1;
	a = __atomic_load_n(&l->span_start[s], __ATOMIC_SEQ_CST);
	b = __atomic_load_n(&l->span_end[s], __ATOMIC_SEQ_CST);
	if (!a || !b)
		return -1;
	return (long long)(b - a);
}

void span_report(struct log_state *l)
{
	unsigned int i;

	for (i = 0; i < SPAN_NR; i++) {
		long long d = span_duration(l, i);

		if (d < 0)
			log_msg(LOG_INFO, "trace", "span %-17s not reached",
				span_names[i]);
		else
			log_msg(LOG_INFO, "trace", "span %-17s %lld.%06lld s",
				span_names[i], d / 1000000000, d % 1000000000 / 1000);
	}
}
