// SPDX-License-Identifier: GPL-2.0
/*
 * "nyx stat": a live view of a running nyx's exit rates (see statview.h).
 *
 * Where the statistics come from, in order:
 *  1. binary stats: the vCPU fds of process PID (/proc/PID/fd links
 *     "anon_inode:nyx-vcpu:N"), duplicated into this process with
 *     pidfd_getfd() (needs ptrace rights over PID, e.g. root), read
 *     with NYX_GET_STATS, which any holder of the fd may call;
 *  2. debugfs text: /sys/kernel/debug/nyx/PID-*\/vcpuN/exits and io_top.
 * "nyx stat SOCKET" (statsock.c) builds the same report from query-stats
 * replies instead: their "module" member carries the same names.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>

#include "core/clock.h"
#include "core/statview.h"

/* Exit reasons, for modules whose statistics have no "exits" total. */
static const char *const exit_reasons[] = {
	"io", "io_string", "mmio", "npf_map", "cpuid", "msr", "hlt",
	"host_intr", "host_nmi", "exception", "xsetbv", "dr_access",
	"shutdown", "other", "irq_window",
};

static u64 table_val(const struct stats_table *t, const char *name)
{
	const struct stats_entry *e = stats_table_find(t, name);

	return e ? e->value : 0;
}

static double delta_rate(u64 prev, u64 cur, double secs)
{
	return cur > prev && secs > 0 ? (double)(cur - prev) / secs : 0.0;
}

static int row_cmp(const void *a, const void *b)
{
	const struct stat_row *x = a, *y = b;

	if (x->rate != y->rate)
		return x->rate < y->rate ? 1 : -1;
	if (x->total != y->total)
		return x->total < y->total ? 1 : -1;
	return strcmp(x->name, y->name);
}

static int top_cmp(const void *a, const void *b)
{
	const struct stat_top *x = a, *y = b;

	if (x->rate != y->rate)
		return x->rate < y->rate ? 1 : -1;
	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return x->key < y->key ? -1 : x->key > y->key;
}

/* Sum each vCPU's top-N slots by key into top[]. */
static void top_merge(struct stat_top *top, size_t *n,
		      const struct stats_table *vcpus, int nvcpus,
		      const char *keyname, const char *countname, bool cur)
{
	char kn[NYX_STATS_NAME_SIZE + 8], cn[NYX_STATS_NAME_SIZE + 8];
	const struct stats_entry *k, *c;
	int v, i;
	size_t j;

	for (v = 0; v < nvcpus; v++) {
		for (i = 0;; i++) {
			snprintf(kn, sizeof(kn), "%s[%d]", keyname, i);
			snprintf(cn, sizeof(cn), "%s[%d]", countname, i);
			k = stats_table_find(&vcpus[v], kn);
			c = stats_table_find(&vcpus[v], cn);
			if (!k || !c)
				break;
			if (!c->value)
				continue;
			for (j = 0; j < *n && top[j].key != k->value; j++)
				;
			if (j == *n) {
				if (!cur || *n == STAT_TOP_MAX)
					continue; /* only keys seen now count */
				top[j].key = k->value;
				top[j].count = 0;
				top[j].rate = 0;
				(*n)++;
			}
			if (cur)
				top[j].count += c->value;
			else
				top[j].rate += c->value; /* prev count, for now */
		}
	}
}

static void top_build(struct stat_top *top, size_t *n,
		      const struct stats_table *vprev,
		      const struct stats_table *vcur, int nvcpus,
		      const char *keyname, const char *countname, double secs)
{
	size_t j;

	*n = 0;
	top_merge(top, n, vcur, nvcpus, keyname, countname, true);
	top_merge(top, n, vprev, nvcpus, keyname, countname, false);
	for (j = 0; j < *n; j++)
		top[j].rate = delta_rate((u64)top[j].rate, top[j].count, secs);
	qsort(top, *n, sizeof(*top), top_cmp);
}

int stat_report_build(struct stat_report *r, const struct stats_table *prev,
		      const struct stats_table *cur,
		      const struct stats_table *vcpu_prev,
		      const struct stats_table *vcpu_cur, int nvcpus,
		      double secs)
{
	const struct stats_entry *e;
	double base;
	size_t i;

	r->nvcpus = nvcpus;
	r->secs = secs;
	r->nrows = 0;
	r->rows = calloc(cur->n ? cur->n : 1, sizeof(*r->rows));
	if (!r->rows)
		return -ENOMEM;
	for (i = 0; i < cur->n; i++) {
		struct stat_row *row;

		e = &cur->e[i];
		if (e->type != NYX_STATS_TYPE_CUMULATIVE ||
		    e->unit != NYX_STATS_UNIT_NONE || strchr(e->name, '['))
			continue;
		row = &r->rows[r->nrows++];
		snprintf(row->name, sizeof(row->name), "%s", e->name);
		row->total = e->value;
		row->rate = delta_rate(table_val(prev, e->name), e->value,
				       secs);
	}
	qsort(r->rows, r->nrows, sizeof(*r->rows), row_cmp);

	if (stats_table_find(cur, "exits")) {
		r->exit_rate = delta_rate(table_val(prev, "exits"),
					  table_val(cur, "exits"), secs);
	} else {
		r->exit_rate = 0;
		for (i = 0; i < ARRAY_SIZE(exit_reasons); i++)
			r->exit_rate +=
				delta_rate(table_val(prev, exit_reasons[i]),
					   table_val(cur, exit_reasons[i]),
					   secs);
	}
	base = secs * 1e9 * (nvcpus > 0 ? nvcpus : 1);
	r->guest_pct = delta_rate(table_val(prev, "guest_ns"),
				  table_val(cur, "guest_ns"), 1) * 100 / base;
	r->halt_pct = delta_rate(table_val(prev, "halt_sleep_ns"),
				 table_val(cur, "halt_sleep_ns"), 1) * 100 / base;
	top_build(r->pio, &r->npio, vcpu_prev, vcpu_cur, nvcpus,
		  "pio_top_port", "pio_top_count", secs);
	top_build(r->mmio, &r->nmmio, vcpu_prev, vcpu_cur, nvcpus,
		  "mmio_top_page", "mmio_top_count", secs);
	r->hint_exit_rate = r->exit_rate > STAT_HINT_EXIT_RATE;
	return 0;
}

void stat_report_free(struct stat_report *r)
{
	free(r->rows);
	r->rows = NULL;
	r->nrows = 0;
}

#define TOP_SHOWN	5

void stat_report_text_body(FILE *f, const struct stat_report *r)
{
	size_t i;

	if (r->target)
		fprintf(f, "nyx stat: %s, ", r->target);
	else
		fprintf(f, "nyx stat: pid %d, ", r->pid);
	fprintf(f, "%d vCPU%s (%s), interval %.2f s\n", r->nvcpus,
		r->nvcpus == 1 ? "" : "s", r->source, r->secs);
	fprintf(f, "exits %.0f/s  guest %.1f%%  halted %.1f%%\n\n",
		r->exit_rate, r->guest_pct, r->halt_pct);
	fprintf(f, " %-24s %16s %12s\n", "event", "total", "per second");
	for (i = 0; i < r->nrows; i++) {
		if (!r->rows[i].total)
			continue;
		fprintf(f, " %-24s %16llu %12.0f\n", r->rows[i].name,
			(unsigned long long)r->rows[i].total, r->rows[i].rate);
	}
	if (r->npio) {
		fprintf(f, "\n busiest ports:");
		for (i = 0; i < r->npio && i < TOP_SHOWN; i++)
			fprintf(f, " 0x%llx %.0f/s",
				(unsigned long long)r->pio[i].key,
				r->pio[i].rate);
		fprintf(f, "\n");
	}
	if (r->nmmio) {
		fprintf(f, " busiest MMIO pages:");
		for (i = 0; i < r->nmmio && i < TOP_SHOWN; i++)
			fprintf(f, " 0x%llx %.0f/s",
				(unsigned long long)r->mmio[i].key,
				r->mmio[i].rate);
		fprintf(f, "\n");
	}
}

void stat_report_text_hints(FILE *f, const struct stat_report *r)
{
	if (r->hint_exit_rate)
		fprintf(f, "hint: exit rate %.0f/s > 100k/s: each exit costs "
			"microseconds; see the busiest reasons, ports and "
			"pages above (ioeventfd, fewer timer or device "
			"register accesses)\n", r->exit_rate);
}

void stat_report_text(FILE *f, const struct stat_report *r)
{
	stat_report_text_body(f, r);
	if (r->hint_exit_rate)
		fputc('\n', f);
	stat_report_text_hints(f, r);
}

/* Names come from the kernel; escape them anyway. */
void stat_json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", *s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static void json_top(FILE *f, const char *name, const char *key,
		     const struct stat_top *t, size_t n)
{
	size_t i;

	fprintf(f, ",\"%s\":[", name);
	for (i = 0; i < n; i++)
		fprintf(f, "%s{\"%s\":%llu,\"total\":%llu,\"rate\":%.1f}",
			i ? "," : "", key, (unsigned long long)t[i].key,
			(unsigned long long)t[i].count, t[i].rate);
	fprintf(f, "]");
}

void stat_report_json_fields(FILE *f, const struct stat_report *r)
{
	size_t i;

	if (r->target) {
		fprintf(f, "\"target\":");
		stat_json_str(f, r->target);
	} else {
		fprintf(f, "\"pid\":%d", r->pid);
	}
	fprintf(f, ",\"vcpus\":%d,\"source\":", r->nvcpus);
	stat_json_str(f, r->source);
	fprintf(f, ",\"interval\":%.3f,\"exit_rate\":%.1f,"
		"\"guest_pct\":%.1f,\"halt_pct\":%.1f,\"stats\":{",
		r->secs, r->exit_rate, r->guest_pct, r->halt_pct);
	for (i = 0; i < r->nrows; i++) {
		fprintf(f, "%s", i ? "," : "");
		stat_json_str(f, r->rows[i].name);
		fprintf(f, ":{\"total\":%llu,\"rate\":%.1f}",
			(unsigned long long)r->rows[i].total, r->rows[i].rate);
	}
	fprintf(f, "}");
	json_top(f, "pio_top", "port", r->pio, r->npio);
	json_top(f, "mmio_top", "page", r->mmio, r->nmmio);
}

int stat_report_json_hints(FILE *f, const struct stat_report *r)
{
	if (!r->hint_exit_rate)
		return 0;
	fprintf(f, "\"exit rate %.0f/s > 100k/s\"", r->exit_rate);
	return 1;
}

void stat_report_json(FILE *f, const struct stat_report *r)
{
	fputc('{', f);
	stat_report_json_fields(f, r);
	fprintf(f, ",\"hints\":[");
	stat_report_json_hints(f, r);
	fprintf(f, "]}\n");
}

int stat_table_merge(struct stats_table *merged,
		     const struct stats_table *vcpu)
{
	size_t j;
	int r;

	for (j = 0; j < vcpu->n; j++) {
		const struct stats_entry *e = &vcpu->e[j];

		if (strchr(e->name, '['))
			continue;
		r = stats_table_add(merged, e->name, e->type, e->unit,
				    e->value);
		if (r)
			return r;
	}
	return 0;
}

/* ---------------------------------------------------------------------
 * The command: find the statistics of process PID and sample them.
 */
#define STAT_MAX_VCPUS	256

struct stat_source {
	int pid;
	int pidfd;
	bool binary;
	int fds[STAT_MAX_VCPUS];	/* binary: our copies of its vCPU fds */
	char *dirs[STAT_MAX_VCPUS];	/* debugfs: vcpuN directories */
	int n;
};

static int find_binary(struct stat_source *s)
{
	char path[300], link[128];
	struct dirent *de;
	DIR *d;
	ssize_t len;
	int id, fd;

	s->pidfd = syscall(SYS_pidfd_open, s->pid, 0);
	if (s->pidfd < 0)
		return -errno;
	snprintf(path, sizeof(path), "/proc/%d/fd", s->pid);
	d = opendir(path);
	if (!d)
		return -errno;
	while ((de = readdir(d)) && s->n < STAT_MAX_VCPUS) {
		snprintf(path, sizeof(path), "/proc/%d/fd/%s", s->pid,
			 de->d_name);
		len = readlink(path, link, sizeof(link) - 1);
		if (len <= 0)
			continue;
		link[len] = 0;
		if (sscanf(link, "anon_inode:nyx-vcpu:%d", &id) != 1)
			continue;
		fd = syscall(SYS_pidfd_getfd, s->pidfd, atoi(de->d_name), 0);
		if (fd < 0) {
			closedir(d);
			return -errno;
		}
		s->fds[s->n++] = fd;
	}
	closedir(d);
	return s->n ? 0 : -ENOENT;
}

static int find_debugfs(struct stat_source *s)
{
	char pattern[96];
	glob_t g;
	size_t i;

	snprintf(pattern, sizeof(pattern), "/sys/kernel/debug/nyx/%d-*/vcpu*",
		 s->pid);
	if (glob(pattern, 0, NULL, &g))
		return -ENOENT;
	for (i = 0; i < g.gl_pathc && s->n < STAT_MAX_VCPUS; i++) {
		s->dirs[s->n] = strdup(g.gl_pathv[i]);
		if (s->dirs[s->n])
			s->n++;
	}
	globfree(&g);
	return s->n ? 0 : -ENOENT;
}

static void source_close(struct stat_source *s)
{
	int i;

	for (i = 0; i < s->n; i++) {
		if (s->binary)
			close(s->fds[i]);
		else
			free(s->dirs[i]);
	}
	if (s->pidfd >= 0)
		close(s->pidfd);
	s->n = 0;
}

static void source_reset(struct stat_source *s)
{
	int i;

	for (i = 0; i < s->n; i++)
		close(s->fds[i]);
	s->n = 0;
	s->binary = false;
}

static int source_open(struct stat_source *s)
{
	struct stats_table t = { 0 };
	int r;

	s->binary = true;
	r = find_binary(s);
	/* an old module (-ENOTTY) or no rights over PID: debugfs */
	if (!r)
		r = stats_read_vcpu(s->fds[0], stats_table_collect, &t);
	stats_table_free(&t);
	if (!r)
		return 0;
	source_reset(s);
	return find_debugfs(s);
}

/* io_top lines "pio 0xPORT N" / "mmio 0xPAGE N" as the binary names. */
static int add_io_top(struct stats_table *t, FILE *f)
{
	char kind[8], name[NYX_STATS_NAME_SIZE + 8];
	unsigned long long key, n;
	int npio = 0, nmmio = 0, *idx;
	const char *pfx;

	while (fscanf(f, "%7s %llx %llu", kind, &key, &n) == 3) {
		bool pio = !strcmp(kind, "pio");

		pfx = pio ? "pio_top" : "mmio_top";
		idx = pio ? &npio : &nmmio;
		snprintf(name, sizeof(name), "%s_%s[%d]", pfx,
			 pio ? "port" : "page", *idx);
		if (stats_table_add(t, name, NYX_STATS_TYPE_INSTANT,
				    NYX_STATS_UNIT_ADDRESS, key))
			return -ENOMEM;
		snprintf(name, sizeof(name), "%s_count[%d]", pfx, (*idx)++);
		if (stats_table_add(t, name, NYX_STATS_TYPE_CUMULATIVE,
				    NYX_STATS_UNIT_NONE, n))
			return -ENOMEM;
	}
	return 0;
}

/* One sample: per-vCPU tables and their sum (top-N tables left out). */
static int sample(struct stat_source *s, struct stats_table *merged,
		  struct stats_table *vcpus)
{
	char path[PATH_MAX];
	int i, r;
	FILE *f;

	stats_table_clear(merged);
	for (i = 0; i < s->n; i++) {
		stats_table_clear(&vcpus[i]);
		if (s->binary) {
			r = stats_read_vcpu(s->fds[i], stats_table_collect,
					    &vcpus[i]);
			if (r)
				return r;
		} else {
			snprintf(path, sizeof(path), "%s/exits", s->dirs[i]);
			f = fopen(path, "r");
			if (!f)
				return -errno;
			r = stats_table_add_text(&vcpus[i], f);
			fclose(f);
			if (r < 0)
				return r;
			snprintf(path, sizeof(path), "%s/io_top", s->dirs[i]);
			f = fopen(path, "r");
			if (f) {
				r = add_io_top(&vcpus[i], f);
				fclose(f);
				if (r)
					return r;
			}
		}
		r = stat_table_merge(merged, &vcpus[i]);
		if (r)
			return r;
	}
	return 0;
}

/* Sleeps secs, or less if PID exits: returns false then. */
static bool wait_alive(struct stat_source *s, double secs)
{
	struct pollfd p = { .fd = s->pidfd, .events = POLLIN };
	int r;

	if (s->pidfd < 0) {
		usleep(secs * 1e6);
		return !kill(s->pid, 0) || errno != ESRCH;
	}
	r = poll(&p, 1, (int)(secs * 1000));
	return r == 0;		/* readable: the process exited */
}

int stat_parse_interval(const char *s, double *secs)
{
	double v, scale = 1e-3;
	char *end;

	v = strtod(s, &end);
	if (end == s || !isfinite(v))
		return -EINVAL;
	if (!strcmp(end, "s"))
		scale = 1;
	else if (*end && strcmp(end, "ms"))
		return -EINVAL;
	v *= scale;
	if (v < 0.05 || v > 3600)
		return -ERANGE;
	*secs = v;
	return 0;
}

int stat_pid_main(int pid, bool once, bool json, double interval)
{
	struct stats_table merged[2] = { { 0 } };
	struct stats_table *vcpus[2] = { NULL, NULL };
	struct stat_source src = { .pid = -1, .pidfd = -1 };
	bool tty = isatty(STDOUT_FILENO);
	struct stat_report rep = { 0 };
	int i, cur = 0, ret = NYX_EXIT_SETUP, r;
	double t0, t1;

	src.pid = pid;
	if (kill(src.pid, 0) && errno == ESRCH) {
		pr_err("stat: no process %d", src.pid);
		return NYX_EXIT_SETUP;
	}
	if (source_open(&src)) {
		pr_err("stat: process %d has no nyx vCPU whose statistics can be read (no nyx-vcpu fd we may take, no /sys/kernel/debug/nyx/%d-*/vcpu*)",
		       src.pid, src.pid);
		goto out;
	}
	for (i = 0; i < 2; i++) {
		vcpus[i] = calloc(src.n, sizeof(*vcpus[i]));
		if (!vcpus[i])
			goto out;
	}
	rep.pid = src.pid;
	rep.source = src.binary ? "binary stats" : "debugfs";
	if (json)
		rep.source = src.binary ? "binary" : "debugfs";
	t0 = clock_monotonic_ns() / 1e9;
	if (sample(&src, &merged[cur], vcpus[cur])) {
		pr_err("stat: reading the statistics of process %d failed",
		       src.pid);
		goto out;
	}
	for (;;) {
		if (!wait_alive(&src, interval)) {
			if (!once) {
				ret = 0;
				fprintf(stderr, "nyx stat: process %d exited\n",
					src.pid);
			} else {
				pr_err("stat: process %d exited", src.pid);
			}
			break;
		}
		r = sample(&src, &merged[!cur], vcpus[!cur]);
		t1 = clock_monotonic_ns() / 1e9;
		if (r) {
			pr_err("stat: reading the statistics of process %d failed",
			       src.pid);
			break;
		}
		cur = !cur;
		if (stat_report_build(&rep, &merged[!cur], &merged[cur],
				      vcpus[!cur], vcpus[cur], src.n,
				      t1 - t0))
			break;
		t0 = t1;
		if (tty && !once && !json)
			printf("\033[H\033[2J");
		if (json)
			stat_report_json(stdout, &rep);
		else
			stat_report_text(stdout, &rep);
		fflush(stdout);
		stat_report_free(&rep);
		if (once) {
			ret = 0;
			break;
		}
	}
out:
	for (i = 0; i < 2; i++) {
		if (vcpus[i]) {
			for (r = 0; r < src.n; r++)
				stats_table_free(&vcpus[i][r]);
			free(vcpus[i]);
		}
		stats_table_free(&merged[i]);
	}
	source_close(&src);
	return ret;
}
