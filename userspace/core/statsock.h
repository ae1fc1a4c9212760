/* SPDX-License-Identifier: GPL-2.0 */
/*
 * "nyx stat SOCKET": the report of statview.h built from two query-stats
 * replies of the control socket instead of the vCPU fds, plus per-device
 * throughput and the bottleneck hints (exit rate, disk latency, dropped
 * packets). Pure (json-c, no sockets): unit-tested with fake replies;
 * stat.c has the command.
 */
#ifndef NYX_CORE_STATSOCK_H
#define NYX_CORE_STATSOCK_H

#include <stdio.h>

#include <json-c/json.h>

#include "core/statview.h"

/* Hint when a disk's mean request latency over the interval is above. */
#define STAT_HINT_DISK_LATENCY_US	1000.0

/* One query-stats reply ("return" value) as the tables of statview.h. */
struct stat_sample {
	json_object *reply;		/* a reference held */
	struct stats_table merged;	/* scalars summed over vCPUs */
	struct stats_table *vcpus;	/* per vCPU (top-N tables) */
	int nvcpus;
	bool module;	/* from the module's binary stats (else the
			 * launcher's counts of exits to userspace) */
};

/* 0, -EINVAL (not a query-stats reply) or -ENOMEM. */
int stat_sample_parse(struct stat_sample *s, json_object *reply);
void stat_sample_free(struct stat_sample *s);

/* One device over the interval. */
struct stat_dev {
	char id[32];		/* "virtio-blk 01.0" */
	bool net;
	/* virtio-blk */
	double ops_rate, read_mib_s, write_mib_s;
	double lat_mean_us;	/* over the interval; < 0: no request */
	u64 lat_max_us, inflight, errors;
	/* virtio-net */
	double rx_pps, tx_pps, rx_mib_s, tx_mib_s;
	u64 drops, drops_delta;	/* rx + tx dropped + tx errors */
	double rx_stall_rate;	/* rx-no-buffers per second */
	bool hint_latency, hint_drops;
};

struct stat_devs {
	struct stat_dev *d;
	size_t n;
};

/*
 * The exit report (statview.h) and the devices' from two samples secs
 * apart. A device is matched by its id; one missing from prev counts
 * from zero. Returns 0 or -ENOMEM.
 */
int stat_sock_build(struct stat_report *r, struct stat_devs *d,
		    const struct stat_sample *prev,
		    const struct stat_sample *cur, double secs);
void stat_devs_free(struct stat_devs *d);

/* The whole view: exits, devices, hints; text or one JSON line. */
void stat_sock_text(FILE *f, const struct stat_report *r,
		    const struct stat_devs *d);
void stat_sock_json(FILE *f, const struct stat_report *r,
		    const struct stat_devs *d);

#endif
