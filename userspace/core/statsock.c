// SPDX-License-Identifier: GPL-2.0
/*
 * nyx stat from query-stats replies: see statsock.h. The reply comes from
 * another process: every member is type-checked, a missing one counts 0.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/statsock.h"

#define MIB	1048576.0

static json_object *member(json_object *o, const char *key, json_type type)
{
	json_object *v;

	if (!o || !json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, type))
		return NULL;
	return v;
}

static u64 num(json_object *v)
{
	if (!v || !json_object_is_type(v, json_type_int))
		return 0;
	return json_object_get_uint64(v);
}

static u64 member_u64(json_object *o, const char *key)
{
	return num(member(o, key, json_type_int));
}

/* module.vcpus[i].stats into t, types from module.descriptors. */
static int module_vcpu(struct stats_table *t, json_object *stats,
		       json_object *desc)
{
	char name[NYX_STATS_NAME_SIZE + 8];
	u8 type, unit;
	size_t i;
	int r;

	json_object_object_foreach(stats, key, val) {
		json_object *d = member(desc, key, json_type_object);
		json_object *ts = member(d, "type", json_type_string);
		json_object *us = member(d, "unit", json_type_string);

		if (strlen(key) >= NYX_STATS_NAME_SIZE)
			continue;
		type = ts ? stats_type_code(json_object_get_string(ts)) :
			    NYX_STATS_TYPE_CUMULATIVE;
		unit = us ? stats_unit_code(json_object_get_string(us)) :
			    NYX_STATS_UNIT_NONE;
		if (json_object_is_type(val, json_type_int)) {
			r = stats_table_add(t, key, type, unit, num(val));
			if (r)
				return r;
			continue;
		}
		if (!json_object_is_type(val, json_type_array))
			continue;
		for (i = 0; i < json_object_array_length(val) &&
			    i < STAT_TOP_MAX; i++) {
			snprintf(name, sizeof(name), "%s[%zu]", key, i);
			r = stats_table_add(t, name, type, unit,
				num(json_object_array_get_idx(val, i)));
			if (r)
				return r;
		}
	}
	return 0;
}

/* Without the module's stats: the launcher's exit counts, and their sum
 * as "exits" (exits to userspace only: fewer than the module sees). */
static int launcher_vcpu(struct stats_table *t, json_object *exits)
{
	u64 sum = 0;
	int r;

	json_object_object_foreach(exits, key, val) {
		if (strlen(key) >= NYX_STATS_NAME_SIZE ||
		    !strcmp(key, "exits"))
			continue;
		r = stats_table_add(t, key, NYX_STATS_TYPE_CUMULATIVE,
				    NYX_STATS_UNIT_NONE, num(val));
		if (r)
			return r;
		sum += num(val);
	}
	return stats_table_add(t, "exits", NYX_STATS_TYPE_CUMULATIVE,
			       NYX_STATS_UNIT_NONE, sum);
}

int stat_sample_parse(struct stat_sample *s, json_object *reply)
{
	json_object *mod = member(reply, "module", json_type_object);
	json_object *cpus, *desc = NULL;
	size_t i, n;
	int r = 0;

	memset(s, 0, sizeof(*s));
	if (!reply || !json_object_is_type(reply, json_type_object))
		return -EINVAL;
	if (mod) {
		cpus = member(mod, "vcpus", json_type_array);
		desc = member(mod, "descriptors", json_type_object);
	} else {
		cpus = member(reply, "vcpus", json_type_array);
	}
	if (!cpus)
		return -EINVAL;
	n = json_object_array_length(cpus);
	if (n > 1024)
		return -EINVAL;
	s->vcpus = calloc(n ? n : 1, sizeof(*s->vcpus));
	if (!s->vcpus)
		return -ENOMEM;
	s->nvcpus = n;
	s->module = mod != NULL;
	s->reply = json_object_get(reply);
	for (i = 0; i < n && !r; i++) {
		json_object *c = json_object_array_get_idx(cpus, i);
		json_object *st = member(c, mod ? "stats" : "exits",
					 json_type_object);

		if (!st)
			continue;
		r = mod ? module_vcpu(&s->vcpus[i], st, desc) :
			  launcher_vcpu(&s->vcpus[i], st);
		if (!r)
			r = stat_table_merge(&s->merged, &s->vcpus[i]);
	}
	if (r)
		stat_sample_free(s);
	return r;
}

void stat_sample_free(struct stat_sample *s)
{
	int i;

	for (i = 0; i < s->nvcpus; i++)
		stats_table_free(&s->vcpus[i]);
	free(s->vcpus);
	stats_table_free(&s->merged);
	if (s->reply)
		json_object_put(s->reply);
	memset(s, 0, sizeof(*s));
}

static json_object *find_dev(json_object *devs, const char *id)
{
	size_t i;

	if (!devs)
		return NULL;
	for (i = 0; i < json_object_array_length(devs); i++) {
		json_object *d = json_object_array_get_idx(devs, i);
		json_object *di = member(d, "id", json_type_string);

		if (di && !strcmp(json_object_get_string(di), id))
			return d;
	}
	return NULL;
}

/* cur - prev of a counter (prev may be NULL); 0 if it went down. */
static u64 delta(json_object *prev, json_object *cur, const char *key)
{
	u64 c = member_u64(cur, key), p = member_u64(prev, key);

	return c > p ? c - p : 0;
}

static const char *const blk_ops[] = {
	"reads", "writes", "flushes", "discards", "write-zeroes", "get-ids",
	"unsupported",
};

static void blk_dev(struct stat_dev *d, json_object *p, json_object *c,
		    double secs)
{
	json_object *lp = member(p, "latency-us", json_type_object);
	json_object *lc = member(c, "latency-us", json_type_object);
	u64 ops = 0, n;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(blk_ops); i++)
		ops += delta(p, c, blk_ops[i]);
	d->ops_rate = ops / secs;
	d->read_mib_s = delta(p, c, "read-bytes") / MIB / secs;
	d->write_mib_s = delta(p, c, "write-bytes") / MIB / secs;
	n = delta(lp, lc, "count");
	d->lat_mean_us = n ? (double)delta(lp, lc, "sum") / n : -1;
	d->lat_max_us = member_u64(lc, "max");
	d->inflight = member_u64(c, "in-flight");
	d->errors = member_u64(c, "errors");
	d->hint_latency = d->lat_mean_us > STAT_HINT_DISK_LATENCY_US;
}

static void net_dev(struct stat_dev *d, json_object *p, json_object *c,
		    double secs)
{
	d->net = true;
	d->rx_pps = delta(p, c, "rx-packets") / secs;
	d->tx_pps = delta(p, c, "tx-packets") / secs;
	d->rx_mib_s = delta(p, c, "rx-bytes") / MIB / secs;
	d->tx_mib_s = delta(p, c, "tx-bytes") / MIB / secs;
	d->drops = member_u64(c, "rx-dropped") + member_u64(c, "tx-dropped") +
		   member_u64(c, "tx-errors");
	d->drops_delta = delta(p, c, "rx-dropped") +
			 delta(p, c, "tx-dropped") + delta(p, c, "tx-errors");
	d->rx_stall_rate = delta(p, c, "rx-no-buffers") / secs;
	d->hint_drops = d->drops_delta > 0;
}

int stat_sock_build(struct stat_report *r, struct stat_devs *d,
		    const struct stat_sample *prev,
		    const struct stat_sample *cur, double secs)
{
	json_object *pdevs = member(prev->reply, "devices", json_type_array);
	json_object *cdevs = member(cur->reply, "devices", json_type_array);
	size_t i, n = cdevs ? json_object_array_length(cdevs) : 0;
	int ret;

	r->source = cur->module ? "module" : "launcher";
	ret = stat_report_build(r, &prev->merged, &cur->merged,
				prev->vcpus, cur->vcpus,
				/* the top-N merge walks both arrays */
				prev->nvcpus < cur->nvcpus ? prev->nvcpus :
							     cur->nvcpus,
				secs);
	if (ret)
		return ret;
	r->nvcpus = cur->nvcpus;
	d->n = 0;
	d->d = calloc(n ? n : 1, sizeof(*d->d));
	if (!d->d) {
		stat_report_free(r);
		return -ENOMEM;
	}
	if (secs <= 0)
		secs = 1e-9;
	for (i = 0; i < n; i++) {
		json_object *c = json_object_array_get_idx(cdevs, i);
		json_object *id = member(c, "id", json_type_string);
		json_object *type = member(c, "type", json_type_string);
		struct stat_dev *sd;
		json_object *p;

		if (!id || !type)
			continue;
		p = find_dev(pdevs, json_object_get_string(id));
		sd = &d->d[d->n];
		memset(sd, 0, sizeof(*sd));
		snprintf(sd->id, sizeof(sd->id), "%s",
			 json_object_get_string(id));
		if (!strcmp(json_object_get_string(type), "virtio-blk"))
			blk_dev(sd, p, c, secs);
		else if (!strcmp(json_object_get_string(type), "virtio-net"))
			net_dev(sd, p, c, secs);
		else
			continue;
		d->n++;
	}
	return 0;
}

void stat_devs_free(struct stat_devs *d)
{
	free(d->d);
	d->d = NULL;
	d->n = 0;
}

static void text_hints(FILE *f, const struct stat_devs *d)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		const struct stat_dev *x = &d->d[i];

		if (x->hint_latency)
			fprintf(f, "hint: %s: mean request latency %.2f ms > 1 ms over the interval (the host storage under the image is slow or saturated)\n",
				x->id, x->lat_mean_us / 1000);
		if (x->hint_drops)
			fprintf(f, "hint: %s: %llu packets dropped in the interval (%llu in all; see rx-oversized, rx-no-buffers, tx-full in query-stats)\n",
				x->id, (unsigned long long)x->drops_delta,
				(unsigned long long)x->drops);
	}
}

void stat_sock_text(FILE *f, const struct stat_report *r,
		    const struct stat_devs *d)
{
	bool blk = false, net = false;
	size_t i;

	stat_report_text_body(f, r);
	for (i = 0; i < d->n; i++) {
		const struct stat_dev *x = &d->d[i];

		if (x->net)
			continue;
		if (!blk)
			fprintf(f, "\n %-18s %10s %10s %10s %12s %9s %7s\n",
				"disk", "ops/s", "rd MiB/s", "wr MiB/s",
				"mean lat ms", "in flight", "errors");
		blk = true;
		fprintf(f, " %-18s %10.0f %10.2f %10.2f ", x->id, x->ops_rate,
			x->read_mib_s, x->write_mib_s);
		if (x->lat_mean_us < 0)
			fprintf(f, "%12s", "-");
		else
			fprintf(f, "%12.3f", x->lat_mean_us / 1000);
		fprintf(f, " %9llu %7llu\n", (unsigned long long)x->inflight,
			(unsigned long long)x->errors);
	}
	for (i = 0; i < d->n; i++) {
		const struct stat_dev *x = &d->d[i];

		if (!x->net)
			continue;
		if (!net)
			fprintf(f, "\n %-18s %10s %10s %10s %10s %9s\n", "nic",
				"rx pkt/s", "tx pkt/s", "rx MiB/s", "tx MiB/s",
				"dropped");
		net = true;
		fprintf(f, " %-18s %10.0f %10.0f %10.2f %10.2f %9llu\n", x->id,
			x->rx_pps, x->tx_pps, x->rx_mib_s, x->tx_mib_s,
			(unsigned long long)x->drops);
	}
	for (i = 0; i < d->n; i++)
		if (d->d[i].hint_latency || d->d[i].hint_drops)
			break;
	if (r->hint_exit_rate || i < d->n)
		fputc('\n', f);
	stat_report_text_hints(f, r);
	text_hints(f, d);
}

void stat_sock_json(FILE *f, const struct stat_report *r,
		    const struct stat_devs *d)
{
	int nh;
	size_t i;

	fputc('{', f);
	stat_report_json_fields(f, r);
	fprintf(f, ",\"devices\":[");
	for (i = 0; i < d->n; i++) {
		const struct stat_dev *x = &d->d[i];

		fprintf(f, "%s{\"id\":", i ? "," : "");
		stat_json_str(f, x->id);
		if (x->net) {
			fprintf(f, ",\"type\":\"virtio-net\",\"rx_pps\":%.1f,\"tx_pps\":%.1f,\"rx_mib_s\":%.3f,\"tx_mib_s\":%.3f,\"drops\":%llu,\"drops_delta\":%llu,\"rx_no_buffers_rate\":%.1f}",
				x->rx_pps, x->tx_pps, x->rx_mib_s, x->tx_mib_s,
				(unsigned long long)x->drops,
				(unsigned long long)x->drops_delta,
				x->rx_stall_rate);
			continue;
		}
		fprintf(f, ",\"type\":\"virtio-blk\",\"ops_rate\":%.1f,\"read_mib_s\":%.3f,\"write_mib_s\":%.3f,\"latency_mean_us\":",
			x->ops_rate, x->read_mib_s, x->write_mib_s);
		if (x->lat_mean_us < 0)
			fprintf(f, "null");
		else
			fprintf(f, "%.1f", x->lat_mean_us);
		fprintf(f, ",\"latency_max_us\":%llu,\"in_flight\":%llu,\"errors\":%llu}",
			(unsigned long long)x->lat_max_us,
			(unsigned long long)x->inflight,
			(unsigned long long)x->errors);
	}
	fprintf(f, "],\"hints\":[");
	nh = stat_report_json_hints(f, r);
	for (i = 0; i < d->n; i++) {
		const struct stat_dev *x = &d->d[i];
		char h[96];

		if (x->hint_latency) {
			snprintf(h, sizeof(h), "%s: mean latency %.2f ms > 1 ms",
				 x->id, x->lat_mean_us / 1000);
			fprintf(f, "%s", nh++ ? "," : "");
			stat_json_str(f, h);
		}
		if (x->hint_drops) {
			snprintf(h, sizeof(h), "%s: %llu packets dropped",
				 x->id, (unsigned long long)x->drops_delta);
			fprintf(f, "%s", nh++ ? "," : "");
			stat_json_str(f, h);
		}
	}
	fprintf(f, "]}\n");
}
