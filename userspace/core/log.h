/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The launcher's logger: levels, per-component levels, timestamps, colour
 * on a terminal, an optional log file, and trace spans for the phases of
 * a run (load, boot, first instruction, first guest output, shutdown).
 *
 * pr_err()/pr_info()/pr_debug() (core/util.h) end up here once
 * log_install() ran; their component is taken from the caller's source
 * file ("virtio/blk", "hw/serial", ...). All state is in one struct
 * (struct log_state), so tests can run several loggers side by side.
 */
#ifndef NYX_LOG_H
#define NYX_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

#include "core/util.h"

enum log_level {
	LOG_TRACE,
	LOG_DEBUG,
	LOG_INFO,
	LOG_WARN,
	LOG_ERROR,
	LOG_FATAL,
	LOG_NR_LEVELS,
};

#define LOG_MAX_RULES	16
#define LOG_COMP_LEN	24

/* "--log virtio=debug": components whose name, directory or file is
 * "virtio" log at DEBUG and above. A rule without "=" sets the default. */
struct log_rule {
	char comp[LOG_COMP_LEN];
	enum log_level level;
};

enum log_span {
	SPAN_LOAD,		/* options parsed -> guest image in RAM */
	SPAN_BOOT,		/* guest in RAM -> vCPU threads started */
	SPAN_FIRST_EXIT,	/* vCPUs started -> first exit (first instruction ran) */
	SPAN_FIRST_OUTPUT,	/* vCPUs started -> first byte on COM1 */
	SPAN_SHUTDOWN,		/* stop requested -> teardown done */
	SPAN_NR,
};

struct log_state {
	enum log_level level;		/* default for unnamed components */
	struct log_rule rules[LOG_MAX_RULES];
	unsigned int nr_rules;
	int fd;				/* stderr or --log-file */
	bool colour;			/* fd is a terminal */
	bool timestamps;
	u64 t0_ns;			/* CLOCK_MONOTONIC at log_init() */
	/* spans: start and end in ns since t0; 0 = not reached */
	u64 span_start[SPAN_NR];
	u64 span_end[SPAN_NR];
};

/* The launcher's logger (pr_* go here after log_install()). */
extern struct log_state nyx_log;

void log_init(struct log_state *l, int fd);
/* Route pr_err/pr_info/pr_debug to nyx_log. */
void log_install(void);

/*
 * Parse "LEVEL" or "COMP=LEVEL[,COMP=LEVEL...]" (levels by name, any
 * case) and add the rules. Returns 0, or -EINVAL with a message in err.
 */
int log_parse_spec(struct log_state *l, const char *spec, char *err,
		   size_t errlen);
/* Open PATH (append) as the log's output; colour goes off. 0 or -errno. */
int log_open_file(struct log_state *l, const char *path);

int log_level_parse(const char *name, enum log_level *level);
const char *log_level_name(enum log_level level);

/* The level that applies to a component. */
enum log_level log_comp_level(const struct log_state *l, const char *comp);
bool log_enabled(const struct log_state *l, enum log_level level,
		 const char *comp);

/*
 * Format one message into buf (timestamp, level, component, text, a
 * newline; colour codes if colour). Returns the length. Exposed for tests.
 */
size_t log_format(const struct log_state *l, char *buf, size_t size,
		  u64 now_ns, enum log_level level, const char *comp,
		  const char *fmt, va_list ap);

void log_msg(enum log_level level, const char *comp, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void log_vmsg(struct log_state *l, enum log_level level, const char *comp,
	      const char *fmt, va_list ap);

/* "core/vcpu.c" or "/a/b/userspace/virtio/blk.c" -> "core/vcpu" */
void log_comp_from_file(const char *file, char *comp, size_t size);

/* Trace spans. Only the first start/end counts (thread-safe). */
void span_start(struct log_state *l, enum log_span s);
void span_end(struct log_state *l, enum log_span s);
const char *span_name(enum log_span s);
/* Duration in ns, or -1 if the span has not ended. */
long long span_duration(const struct log_state *l, enum log_span s);
/* One line per span at INFO (for --verbose at exit). */
void span_report(struct log_state *l);

#endif
