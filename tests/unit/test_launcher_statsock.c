// SPDX-License-Identifier: GPL-2.0
/*
 * Device statistics and "nyx stat SOCKET": the latency histogram
 * (lib/stats/hist.h), the report built from two fake query-stats replies
 * (rates, hint thresholds just under and just over), its JSON and text
 * output, --interval parsing.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "core/statsock.h"
#include "stats/hist.h"
#include "test.h"

static void test_hist_buckets(void)
{
	struct nyx_hist h, r;
	unsigned int i;

	memset(&h, 0, sizeof(h));
	CHECK_EQ(nyx_hist_bucket(0), 0);
	CHECK_EQ(nyx_hist_bucket(1), 1);
	CHECK_EQ(nyx_hist_bucket(2), 2);
	CHECK_EQ(nyx_hist_bucket(3), 2);
	CHECK_EQ(nyx_hist_bucket(4), 3);
	CHECK_EQ(nyx_hist_bucket(1023), 10);
	CHECK_EQ(nyx_hist_bucket(1024), 11);
	CHECK_EQ(nyx_hist_bucket((1ull << 22) - 1), 22);
	CHECK_EQ(nyx_hist_bucket(1ull << 22), NYX_HIST_BUCKETS - 1);
	CHECK_EQ(nyx_hist_bucket(~0ull), NYX_HIST_BUCKETS - 1);
	/* each bucket's lower bound falls in it, the one below does not */
	for (i = 1; i < NYX_HIST_BUCKETS; i++) {
		CHECK_EQ(nyx_hist_bucket(nyx_hist_bucket_min(i)), i);
		CHECK_EQ(nyx_hist_bucket(nyx_hist_bucket_min(i) - 1), i - 1);
	}

	nyx_hist_add(&h, 0);
	nyx_hist_add(&h, 5);
	nyx_hist_add(&h, 700);
	nyx_hist_add(&h, 3);
	nyx_hist_read(&h, &r);
	CHECK_EQ(r.count, 4);
	CHECK_EQ(r.sum_us, 708);
	CHECK_EQ(r.max_us, 700);
	CHECK_EQ(r.buckets[0], 1);
	CHECK_EQ(r.buckets[2], 1);	/* 3 */
	CHECK_EQ(r.buckets[3], 1);	/* 5 */
	CHECK_EQ(r.buckets[10], 1);	/* 700 */
}

/* One writer (the I/O thread), one reader (the control thread): what
 * the reader sees never goes down, and the end is exact. */
#define HIST_N	200000

static void *hist_writer(void *p)
{
	unsigned int i;

	for (i = 0; i < HIST_N; i++)
		nyx_hist_add(p, i % 2000);
	return NULL;
}

static void test_hist_threads(void)
{
	static struct nyx_hist h;
	struct nyx_hist r, last;
	pthread_t t;
	bool mono = true;
	u64 sum = 0, n;
	unsigned int i;

	memset(&last, 0, sizeof(last));
	CHECK_EQ(pthread_create(&t, NULL, hist_writer, &h), 0);
	do {
		nyx_hist_read(&h, &r);
		if (r.count < last.count || r.sum_us < last.sum_us ||
		    r.max_us < last.max_us)
			mono = false;
		last = r;
	} while (r.count < HIST_N);
	pthread_join(t, NULL);
	CHECK(mono);
	nyx_hist_read(&h, &r);
	for (i = 0; i < HIST_N; i++)
		sum += i % 2000;
	CHECK_EQ(r.count, HIST_N);
	CHECK_EQ(r.sum_us, sum);
	CHECK_EQ(r.max_us, 1999);
	for (i = 0, n = 0; i < NYX_HIST_BUCKETS; i++)
		n += r.buckets[i];
	CHECK_EQ(n, HIST_N);
}

/*
 * A query-stats reply as the launcher makes it: one vCPU with the
 * module's counters, one disk, one NIC.
 */
static json_object *reply(u64 exits, u64 io, u64 reads, u64 rbytes,
			  u64 lat_n, u64 lat_sum, u64 rxp, u64 rxd, u64 txe)
{
	char buf[2048];

	snprintf(buf, sizeof(buf),
		"{\"vcpus\": [{\"cpu-index\": 0, \"exits\": {\"io\": 1}}],"
		" \"module\": {\"descriptors\": {"
		"  \"exits\": {\"type\": \"cumulative\", \"unit\": \"none\", \"size\": 1},"
		"  \"io\": {\"type\": \"cumulative\", \"unit\": \"none\", \"size\": 1},"
		"  \"guest_ns\": {\"type\": \"cumulative\", \"unit\": \"ns\", \"size\": 1},"
		"  \"pio_top_port\": {\"type\": \"instant\", \"unit\": \"address\", \"size\": 2},"
		"  \"pio_top_count\": {\"type\": \"cumulative\", \"unit\": \"none\", \"size\": 2}},"
		"  \"vcpus\": [{\"cpu-index\": 0, \"stats\": {\"exits\": %llu,"
		"   \"io\": %llu, \"guest_ns\": 0, \"pio_top_port\": [1016, 0],"
		"   \"pio_top_count\": [%llu, 0]}}]},"
		" \"devices\": ["
		"  {\"id\": \"virtio-blk 01.0\", \"type\": \"virtio-blk\", \"slot\": 1,"
		"   \"reads\": %llu, \"writes\": 0, \"flushes\": 0, \"errors\": 0,"
		"   \"read-bytes\": %llu, \"write-bytes\": 0, \"in-flight\": 2,"
		"   \"latency-us\": {\"count\": %llu, \"sum\": %llu, \"max\": 9000,"
		"    \"buckets\": []}},"
		"  {\"id\": \"virtio-net 02.0\", \"type\": \"virtio-net\", \"slot\": 2,"
		"   \"rx-packets\": %llu, \"rx-bytes\": %llu, \"tx-packets\": 0,"
		"   \"tx-bytes\": 0, \"rx-dropped\": %llu, \"tx-dropped\": 0,"
		"   \"tx-errors\": %llu}]}",
		(unsigned long long)exits, (unsigned long long)io,
		(unsigned long long)io, (unsigned long long)reads,
		(unsigned long long)rbytes, (unsigned long long)lat_n,
		(unsigned long long)lat_sum, (unsigned long long)rxp,
		(unsigned long long)rxp * 1000, (unsigned long long)rxd,
		(unsigned long long)txe);
	return json_tokener_parse(buf);
}

/* Build the report of two replies secs apart. */
static int build(struct stat_report *r, struct stat_devs *d, json_object *p,
		 json_object *c, double secs)
{
	struct stat_sample sp, sc;
	int ret;

	if (stat_sample_parse(&sp, p))
		return -1;
	if (stat_sample_parse(&sc, c)) {
		stat_sample_free(&sp);
		return -1;
	}
	json_object_put(p);
	json_object_put(c);
	ret = stat_sock_build(r, d, &sp, &sc, secs);
	stat_sample_free(&sp);
	stat_sample_free(&sc);
	return ret;
}

static void test_rates_hints(void)
{
	struct stat_report r = { .target = "/tmp/s" };
	struct stat_devs d;

	/* 2 s: 200000 exits (100k/s: not above), 2000 reads of 4 KiB in
	 * 1999.8 ms of latency (999.9 us mean: not above), no drops */
	CHECK_EQ(build(&r, &d, reply(1000, 10, 100, 409600, 100, 5000, 7, 1, 0),
		       reply(201000, 2010, 2100, 409600 + 2000 * 4096,
			     2100, 5000 + 1999800, 207, 1, 0), 2.0), 0);
	CHECK(r.exit_rate == 100000);
	CHECK(!r.hint_exit_rate);
	CHECK_EQ(r.nvcpus, 1);
	CHECK(!strcmp(r.source, "module"));
	CHECK_EQ(r.npio, 1);
	CHECK(r.pio[0].key == 0x3f8 && r.pio[0].rate == 1000);
	CHECK_EQ(d.n, 2);
	CHECK(!strcmp(d.d[0].id, "virtio-blk 01.0") && !d.d[0].net);
	CHECK(d.d[0].ops_rate == 1000);
	CHECK(d.d[0].read_mib_s > 3.906 && d.d[0].read_mib_s < 3.907);
	CHECK(d.d[0].lat_mean_us > 999.89 && d.d[0].lat_mean_us < 999.91);
	CHECK(!d.d[0].hint_latency);
	CHECK_EQ(d.d[0].inflight, 2);
	CHECK_EQ(d.d[0].lat_max_us, 9000);
	CHECK(d.d[1].net && d.d[1].rx_pps == 100);
	CHECK_EQ(d.d[1].drops, 1);
	CHECK_EQ(d.d[1].drops_delta, 0);
	CHECK(!d.d[1].hint_drops);
	stat_report_free(&r);
	stat_devs_free(&d);

	/* just over: 200002 exits, 1000.1 us mean, one more drop (a tap
	 * error counts as a lost packet too) */
	CHECK_EQ(build(&r, &d, reply(1000, 10, 100, 0, 100, 5000, 7, 1, 0),
		       reply(201002, 10, 2100, 0, 2100, 5000 + 2000200, 7, 1, 1),
		       2.0), 0);
	CHECK(r.exit_rate == 100001);
	CHECK(r.hint_exit_rate);
	CHECK(d.d[0].lat_mean_us > 1000.09 && d.d[0].lat_mean_us < 1000.11);
	CHECK(d.d[0].hint_latency);
	CHECK_EQ(d.d[1].drops_delta, 1);
	CHECK(d.d[1].hint_drops);
	stat_report_free(&r);
	stat_devs_free(&d);

	/* no request in the interval: no mean, no hint; counters that went
	 * down (another VM behind the socket) count 0 */
	CHECK_EQ(build(&r, &d, reply(5000, 10, 100, 0, 100, 900000, 50, 9, 0),
		       reply(1000, 10, 100, 0, 100, 900000, 7, 1, 0), 1.0), 0);
	CHECK(r.exit_rate == 0);
	CHECK(d.d[0].lat_mean_us < 0 && !d.d[0].hint_latency);
	CHECK(d.d[1].rx_pps == 0 && !d.d[1].hint_drops);
	stat_report_free(&r);
	stat_devs_free(&d);
}

/* Without the module's statistics: the launcher's exit counts. A device
 * that was not in the first sample counts from zero. */
static void test_launcher_only(void)
{
	struct stat_report r = { .target = "s" };
	struct stat_devs d;
	json_object *p = json_tokener_parse(
		"{\"vcpus\": [{\"cpu-index\": 0, \"exits\": {\"io\": 10, \"mmio\": 5}},"
		" {\"cpu-index\": 1, \"exits\": {\"io\": 0, \"mmio\": 0}}],"
		" \"devices\": []}");
	json_object *c = json_tokener_parse(
		"{\"vcpus\": [{\"cpu-index\": 0, \"exits\": {\"io\": 110, \"mmio\": 5}},"
		" {\"cpu-index\": 1, \"exits\": {\"io\": 50, \"mmio\": 50}}],"
		" \"devices\": [{\"id\": \"virtio-blk 01.0\", \"type\": \"virtio-blk\","
		" \"writes\": 10, \"write-bytes\": 1048576}]}");

	CHECK_EQ(build(&r, &d, p, c, 1.0), 0);
	CHECK(!strcmp(r.source, "launcher"));
	CHECK_EQ(r.nvcpus, 2);
	CHECK(r.exit_rate == 200);
	CHECK_EQ(d.n, 1);
	CHECK(d.d[0].ops_rate == 10 && d.d[0].write_mib_s == 1.0);
	CHECK(d.d[0].lat_mean_us < 0);
	stat_report_free(&r);
	stat_devs_free(&d);
}

static void test_malformed(void)
{
	struct stat_sample s;
	static const char *const bad[] = {
		"[]", "{}", "{\"vcpus\": 3}", "{\"module\": {\"vcpus\": {}}}",
	};
	unsigned int i;
	json_object *o;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		o = json_tokener_parse(bad[i]);
		CHECK_EQ(stat_sample_parse(&s, o), -EINVAL);
		json_object_put(o);
	}
	CHECK_EQ(stat_sample_parse(&s, NULL), -EINVAL);
	/* wrong types inside are skipped, not trusted */
	o = json_tokener_parse(
		"{\"vcpus\": [{\"exits\": {\"io\": \"x\", \"mmio\": -1}}, 5,"
		" {\"exits\": []}], \"devices\": [1, {\"id\": 2}, {\"id\": \"x\","
		" \"type\": \"virtio-blk\", \"reads\": \"many\"}]}");
	CHECK_EQ(stat_sample_parse(&s, o), 0);
	CHECK_EQ(s.nvcpus, 3);
	stat_sample_free(&s);
	json_object_put(o);
}

static void test_output(void)
{
	struct stat_report r = { .target = "/run/vm\"1.sock" };
	struct stat_devs d;
	json_object *o, *v, *devs, *hints;
	char *out;
	size_t len;
	FILE *f;

	CHECK_EQ(build(&r, &d, reply(1000, 10, 100, 0, 100, 5000, 7, 1, 0),
		       reply(301000, 10, 2100, 2097152, 2100, 5000 + 4000000,
			     107, 4, 0), 2.0), 0);
	f = open_memstream(&out, &len);
	stat_sock_json(f, &r, &d);
	fclose(f);
	/* one line of valid JSON */
	CHECK(len > 0 && out[len - 1] == '\n' && !memchr(out, '\n', len - 1));
	o = json_tokener_parse(out);
	CHECK(o != NULL);
	CHECK(json_object_object_get_ex(o, "target", &v) &&
	      !strcmp(json_object_get_string(v), "/run/vm\"1.sock"));
	CHECK(json_object_object_get_ex(o, "exit_rate", &v) &&
	      json_object_get_double(v) == 150000);
	CHECK(json_object_object_get_ex(o, "devices", &devs) &&
	      json_object_array_length(devs) == 2);
	v = json_object_array_get_idx(devs, 0);
	CHECK(json_object_object_get_ex(v, "ops_rate", &v) &&
	      json_object_get_double(v) == 1000);
	v = json_object_array_get_idx(devs, 0);
	CHECK(json_object_object_get_ex(v, "latency_mean_us", &v) &&
	      json_object_get_double(v) == 2000);
	v = json_object_array_get_idx(devs, 1);
	CHECK(json_object_object_get_ex(v, "rx_pps", &v) &&
	      json_object_get_double(v) == 50);
	v = json_object_array_get_idx(devs, 1);
	CHECK(json_object_object_get_ex(v, "drops_delta", &v) &&
	      json_object_get_int(v) == 3);
	CHECK(json_object_object_get_ex(o, "hints", &hints) &&
	      json_object_array_length(hints) == 3);
	CHECK(!strcmp(json_object_get_string(json_object_array_get_idx(hints, 0)),
		      "exit rate 150000/s > 100k/s"));
	CHECK(!strcmp(json_object_get_string(json_object_array_get_idx(hints, 1)),
		      "virtio-blk 01.0: mean latency 2.00 ms > 1 ms"));
	CHECK(!strcmp(json_object_get_string(json_object_array_get_idx(hints, 2)),
		      "virtio-net 02.0: 3 packets dropped"));
	json_object_put(o);
	free(out);

	f = open_memstream(&out, &len);
	stat_sock_text(f, &r, &d);
	fclose(f);
	CHECK(strstr(out, "exits 150000/s") != NULL);
	CHECK(strstr(out, " virtio-blk 01.0          1000       1.00       0.00        2.000         2       0\n") != NULL);
	CHECK(strstr(out, " virtio-net 02.0            50          0") != NULL);
	CHECK(strstr(out, "hint: exit rate 150000/s") != NULL);
	CHECK(strstr(out, "hint: virtio-blk 01.0: mean request latency 2.00 ms > 1 ms") != NULL);
	CHECK(strstr(out, "hint: virtio-net 02.0: 3 packets dropped in the interval (4 in all") != NULL);
	free(out);
	stat_report_free(&r);
	stat_devs_free(&d);
}

static void test_interval(void)
{
	double s = 0;

	CHECK_EQ(stat_parse_interval("200", &s), 0);
	CHECK(s == 0.2);
	CHECK_EQ(stat_parse_interval("500ms", &s), 0);
	CHECK(s == 0.5);
	CHECK_EQ(stat_parse_interval("1.5s", &s), 0);
	CHECK(s == 1.5);
	CHECK_EQ(stat_parse_interval("49", &s), -ERANGE);
	CHECK_EQ(stat_parse_interval("3601s", &s), -ERANGE);
	CHECK_EQ(stat_parse_interval("", &s), -EINVAL);
	CHECK_EQ(stat_parse_interval("1m", &s), -EINVAL);
	CHECK_EQ(stat_parse_interval("nan", &s), -EINVAL);
	CHECK_EQ(stat_parse_interval("fast", &s), -EINVAL);
}

int main(void)
{
	test_hist_buckets();
	test_hist_threads();
	test_rates_hints();
	test_launcher_only();
	test_malformed();
	test_output();
	test_interval();
	return test_summary("statsock");
}
