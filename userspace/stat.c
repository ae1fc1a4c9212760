// SPDX-License-Identifier: GPL-2.0
/*
 * nyx stat [SOCKET | --pid PID] [--once] [--json] [--interval MS]: the
 * live view of a running VM (like kvm_stat). With SOCKET, from
 * query-stats replies of its control socket (core/statsock.c: exits by
 * reason, devices, hints); with --pid, from the process's vCPU fds or
 * debugfs (core/statview.c: exits only).
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "core/clock.h"
#include "core/statsock.h"
#include "core/util.h"
#include "ctl.h"

#define STAT_QUERY_TIMEOUT_MS	5000

static void stat_usage(FILE *f)
{
	fprintf(f,
"usage: nyx stat SOCKET [--once] [--json] [--interval MS]\n"
"       nyx stat --pid PID [--once] [--json] [--interval MS]\n"
"  A live view of a running VM, like kvm_stat, refreshed every interval\n"
"  (default 1000 ms; \"500ms\" or \"0.5s\" work too) until interrupted.\n"
"  SOCKET: the --control socket of \"nyx run\": exit rates by reason (the\n"
"  module's statistics), disk and NIC throughput, and hints (exit rate\n"
"  > 100k/s, disk mean latency > 1 ms, dropped packets).\n"
"  --pid PID: exits only, read through the process's vCPU fds\n"
"  (pidfd_getfd: needs ptrace rights, e.g. root), else debugfs.\n"
"  --once      one report (two samples an interval apart), then exit\n"
"  --json      one JSON object per report\n");
}

/* One query-stats sample; its time is the middle of the round trip. */
static int take_sample(struct ctl_conn *c, struct stat_sample *s, double *t)
{
	double t0 = clock_monotonic_ns() / 1e9;
	json_object *reply = ctl_query(c, "query-stats",
				       STAT_QUERY_TIMEOUT_MS);
	int r;

	if (!reply)
		return -1;
	*t = (t0 + clock_monotonic_ns() / 1e9) / 2;
	r = stat_sample_parse(s, reply);
	json_object_put(reply);	/* the sample holds its own reference */
	if (r)
		pr_err("the query-stats reply is not one nyx stat understands");
	return r;
}

static int stat_socket_main(const char *path, bool once, bool json,
			    double interval)
{
	struct stat_sample s[2] = { { 0 } };
	struct stat_report rep = { .target = path };
	struct stat_devs devs = { 0 };
	bool tty = isatty(STDOUT_FILENO);
	struct ctl_conn *c = ctl_connect(path);
	double t[2];
	int cur = 0, ret = NYX_EXIT_SETUP;

	if (!c)
		return NYX_EXIT_SETUP;
	if (take_sample(c, &s[cur], &t[cur]))
		goto out;
	for (;;) {
		usleep(interval * 1e6);
		if (take_sample(c, &s[!cur], &t[!cur])) {
			/* the VM went away: the end of a live view */
			if (!once)
				ret = 0;
			break;
		}
		cur = !cur;
		if (stat_sock_build(&rep, &devs, &s[!cur], &s[cur],
				    t[cur] - t[!cur])) {
			pr_err("out of memory");
			break;
		}
		if (tty && !once && !json)
			printf("\033[H\033[2J");
		if (json)
			stat_sock_json(stdout, &rep, &devs);
		else
			stat_sock_text(stdout, &rep, &devs);
		fflush(stdout);
		stat_report_free(&rep);
		stat_devs_free(&devs);
		stat_sample_free(&s[!cur]);
		if (once) {
			ret = 0;
			break;
		}
	}
out:
	stat_sample_free(&s[0]);
	stat_sample_free(&s[1]);
	ctl_disconnect(c);
	return ret;
}

int cmd_stat(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "once", no_argument, NULL, 'o' },
		{ "json", no_argument, NULL, 'j' },
		{ "interval", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool once = false, json = false;
	const char *sock = NULL;
	double interval = 1.0;
	int opt;
	u64 pid = 0;

	optind = 0;
	opterr = 0;
	/* options may come before or after SOCKET: no "+" here */
	while ((opt = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (opt) {
		case 'p':
			if (parse_u64(optarg, &pid) || !pid || pid > INT32_MAX) {
				pr_err("--pid: '%s' is not a process id",
				       optarg);
				return NYX_EXIT_SETUP;
			}
			break;
		case 'o':
			once = true;
			break;
		case 'j':
			json = true;
			break;
		case 'i':
			if (stat_parse_interval(optarg, &interval)) {
				pr_err("--interval: '%s' is not a time from 50 ms to 3600 s (MS, or with a unit: 500ms, 0.5s)",
				       optarg);
				return NYX_EXIT_SETUP;
			}
			break;
		case 'h':
			stat_usage(stdout);
			return 0;
		case ':':
			pr_err("option '%s' needs an argument", argv[optind - 1]);
			return NYX_EXIT_SETUP;
		default:
			pr_err("unknown option '%s' (see nyx stat --help)",
			       argv[optind - 1]);
			return NYX_EXIT_SETUP;
		}
	}
	if (optind < argc)
		sock = argv[optind++];
	if (optind < argc) {
		pr_err("unexpected argument '%s'", argv[optind]);
		return NYX_EXIT_SETUP;
	}
	if (!!sock == !!pid) {
		pr_err("give either a control SOCKET or --pid PID");
		stat_usage(stderr);
		return NYX_EXIT_SETUP;
	}
	if (pid)
		return stat_pid_main(pid, once, json, interval);
	return stat_socket_main(sock, once, json, interval);
}
