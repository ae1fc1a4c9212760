/* SPDX-License-Identifier: GPL-2.0 */
/*
 * "nyx stat": rates by exit reason, like kvm_stat, computed from two
 * samples of the statistics (binary or debugfs) of every vCPU of a
 * process. The report logic here is pure (unit-tested); statview.c also
 * has the command, which finds the statistics of a running nyx.
 */
#ifndef NYX_CORE_STATVIEW_H
#define NYX_CORE_STATVIEW_H

#include <stdio.h>

#include "core/stats.h"

/* A hint is printed when the exit rate of all vCPUs is above this. */
#define STAT_HINT_EXIT_RATE	100000.0

struct stat_row {
	char name[NYX_STATS_NAME_SIZE + 8];
	u64 total;
	double rate;		/* per second */
};

/* Busiest ports / MMIO pages, merged over vCPUs. */
struct stat_top {
	u64 key;
	u64 count;
	double rate;
};

#define STAT_TOP_MAX	64

struct stat_report {
	int pid;
	const char *target;	/* the control socket, else pid is shown */
	int nvcpus;
	const char *source;	/* "binary" or "debugfs" */
	double secs;		/* between the two samples */
	struct stat_row *rows;	/* cumulative counts, by rate, then name */
	size_t nrows;
	double exit_rate;	/* "exits" per second, all vCPUs */
	double guest_pct;	/* time in guest / (secs * nvcpus) */
	double halt_pct;	/* time asleep in HLT, same base */
	struct stat_top pio[STAT_TOP_MAX], mmio[STAT_TOP_MAX];
	size_t npio, nmmio;
	bool hint_exit_rate;
};

/*
 * Build the report from the merged tables of two samples secs apart
 * (cumulative values summed over vCPUs, tables "x_top_port[i]" /
 * "x_top_count[i]" per vCPU in vcpu_prev/vcpu_cur, nvcpus of each).
 * Returns 0 or -ENOMEM.
 */
int stat_report_build(struct stat_report *r, const struct stats_table *prev,
		      const struct stats_table *cur,
		      const struct stats_table *vcpu_prev,
		      const struct stats_table *vcpu_cur, int nvcpus,
		      double secs);
void stat_report_free(struct stat_report *r);
void stat_report_text(FILE *f, const struct stat_report *r);
void stat_report_json(FILE *f, const struct stat_report *r);

/* The parts of the reports, for "nyx stat SOCKET" (statsock.h) */
void stat_report_text_body(FILE *f, const struct stat_report *r);
void stat_report_text_hints(FILE *f, const struct stat_report *r);
/* The members without braces and hints; the hints as JSON strings
 * (returns how many were printed, for the separators). */
void stat_report_json_fields(FILE *f, const struct stat_report *r);
int stat_report_json_hints(FILE *f, const struct stat_report *r);
/* A JSON string, escaped. */
void stat_json_str(FILE *f, const char *s);

/* Sum a vCPU's scalar entries (not the "x[i]" tables) into merged. */
int stat_table_merge(struct stats_table *merged,
		     const struct stats_table *vcpu);

/*
 * --interval: milliseconds, or with a unit "500ms", "0.2s"; 50 ms to
 * 3600 s. 0 (*secs set), -EINVAL (not a number) or -ERANGE.
 */
int stat_parse_interval(const char *s, double *secs);

/* nyx stat --pid PID: the report loop (main.c's "stat" parses options). */
int stat_pid_main(int pid, bool once, bool json, double interval);

/* nyx stat [SOCKET | --pid PID] [--once] [--json] [--interval MS] (stat.c) */
int cmd_stat(int argc, char **argv);

#endif
