// SPDX-License-Identifier: GPL-2.0
/*
 * Binary statistics: lib/stats (the kernel's snapshot builder and top-N
 * table) against userspace/core/stats.c (parser, name -> value table)
 * and the nyx stat report (statview.c), with fake snapshots.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>

#include "stats/stats.h"
#include "core/stats.h"
#include "core/statview.h"
#include "test.h"

static const struct nyx_binstat_def defs[] = {
	{ "exits", NYX_STATS_TYPE_CUMULATIVE, NYX_STATS_UNIT_NONE, 1 },
	{ "guest_ns", NYX_STATS_TYPE_CUMULATIVE, NYX_STATS_UNIT_NS, 1 },
	{ "window_ns", NYX_STATS_TYPE_INSTANT, NYX_STATS_UNIT_NS, 1 },
	{ "max_ns", NYX_STATS_TYPE_PEAK, NYX_STATS_UNIT_NS, 1 },
	{ "pio_top_port", NYX_STATS_TYPE_INSTANT, NYX_STATS_UNIT_ADDRESS, 3 },
	{ "pio_top_count", NYX_STATS_TYPE_CUMULATIVE, NYX_STATS_UNIT_NONE, 3 },
};
#define NDEFS	(sizeof(defs) / sizeof(defs[0]))

static u64 snap[128];	/* u64-aligned snapshot buffer */

static u32 build(const u64 *vals)
{
	return nyx_binstats_build(snap, sizeof(snap), defs, NDEFS, vals);
}

struct seen {
	int n;
	char names[16][64];
	u32 sizes[16];
	u64 first[16], last[16];
	u8 types[16], units[16];
};

static int record(void *opaque, const struct stat_value *v)
{
	struct seen *s = opaque;

	if (s->n >= 16)
		return -1;
	snprintf(s->names[s->n], 64, "%s", v->name);
	s->sizes[s->n] = v->size;
	s->first[s->n] = v->values[0];
	s->last[s->n] = v->values[v->size - 1];
	s->types[s->n] = v->type;
	s->units[s->n] = v->unit;
	s->n++;
	return 0;
}

static void test_build_parse(void)
{
	static const u64 vals[] = { 10, 2000, 30, 40, 0x3f8, 0x80, 0x61,
				    7, 5, 1 };
	struct nyx_stats_header *h = (void *)snap;
	struct seen s = { 0 };
	u32 need;

	CHECK_EQ(nyx_binstats_nvalues(defs, NDEFS), 10);
	need = nyx_binstats_build(NULL, 0, defs, NDEFS, NULL);
	CHECK_EQ(need, 64 + NDEFS * 64 + 10 * 8);
	/* too small: nothing written */
	memset(snap, 0xaa, sizeof(snap));
	CHECK_EQ(nyx_binstats_build(snap, need - 1, defs, NDEFS, vals), need);
	CHECK_EQ(snap[0], 0xaaaaaaaaaaaaaaaaull);
	CHECK_EQ(build(vals), need);
	CHECK_EQ(h->version, NYX_STATS_VERSION);
	CHECK_EQ(h->num_desc, NDEFS);
	CHECK_EQ(h->desc_size, sizeof(struct nyx_stats_desc));
	CHECK_EQ(h->data_size, 80);
	CHECK_EQ(h->total_size, need);

	CHECK_EQ(stats_parse(snap, need, record, &s), 0);
	CHECK_EQ(s.n, NDEFS);
	CHECK(!strcmp(s.names[0], "exits") && s.first[0] == 10);
	CHECK(!strcmp(s.names[1], "guest_ns") && s.first[1] == 2000 &&
	      s.units[1] == NYX_STATS_UNIT_NS);
	CHECK_EQ(s.types[2], NYX_STATS_TYPE_INSTANT);
	CHECK_EQ(s.types[3], NYX_STATS_TYPE_PEAK);
	CHECK(s.sizes[4] == 3 && s.first[4] == 0x3f8 && s.last[4] == 0x61);
	CHECK(s.sizes[5] == 3 && s.first[5] == 7 && s.last[5] == 1);

	/* a callback's non-zero return stops the walk */
	s.n = 14;
	CHECK_EQ(stats_parse(snap, need, record, &s), -1);

	/* invalid defs */
	{
		struct nyx_binstat_def bad = { "", 0, 0, 1 };

		CHECK_EQ(nyx_binstats_build(snap, sizeof(snap), &bad, 1,
					    vals), 0);
		bad.name = "x";
		bad.size = 0;
		CHECK_EQ(nyx_binstats_build(snap, sizeof(snap), &bad, 1,
					    vals), 0);
		bad.size = 1;
		bad.name = "a_name_that_is_much_too_long_for_the_48_byte_field";
		CHECK_EQ(nyx_binstats_build(snap, sizeof(snap), &bad, 1,
					    vals), 0);
	}
}

static int never(void *opaque, const struct stat_value *v)
{
	(void)v;
	(*(int *)opaque)++;
	return 0;
}

/* Every malformed snapshot is refused before any callback. */
static void test_malformed(void)
{
	static const u64 vals[10] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
	struct nyx_stats_header *h = (void *)snap;
	struct nyx_stats_desc *d;
	u32 need = build(vals);
	int calls = 0;

#define BAD(stmt) do {							\
		build(vals);						\
		stmt;							\
		calls = 0;						\
		CHECK_EQ(stats_parse(snap, need, never, &calls), -EINVAL); \
		CHECK_EQ(calls, 0);					\
	} while (0)

	d = (void *)((u8 *)snap + h->desc_offset);
	CHECK_EQ(stats_parse(NULL, need, never, &calls), -EINVAL);
	CHECK_EQ(stats_parse(snap, 63, never, &calls), -EINVAL);
	CHECK_EQ(stats_parse(snap, need - 8, never, &calls), -EINVAL);
	CHECK_EQ(stats_parse((u8 *)snap + 4, need, never, &calls), -EINVAL);
	BAD(h->version = 0);
	BAD(h->desc_size = 32);
	BAD(h->num_desc = 1000);
	BAD(h->num_desc = 0x7fffffff);
	BAD(h->desc_offset = 0xffffffff);
	BAD(h->desc_offset = 8);
	BAD(h->data_offset = need);
	BAD(h->data_offset += 4);
	BAD(h->data_size += 8);
	BAD(h->data_size = 0xfffffff8);
	BAD(h->total_size = need + 1);
	BAD(memset(d[2].name, 'x', sizeof(d[2].name)));
	BAD(d[1].name[0] = 0);
	BAD(d[0].size = 0);
	BAD(d[5].size = 4);
	BAD(d[5].size = 0x40000000);
	BAD(d[3].offset = 4);
	BAD(d[3].offset = 80);
	BAD(d[3].offset = 0xfffffff8);
	CHECK_EQ(calls, 0);
	/* a larger buffer than the snapshot is fine */
	build(vals);
	CHECK_EQ(stats_parse(snap, sizeof(snap), never, &calls), 0);
	CHECK_EQ(calls, NDEFS);
	/* a newer version with bigger descriptors: known fields still read */
#undef BAD
}

static void test_topn(void)
{
	struct nyx_topn t;
	u64 sum = 0;
	int i, k;

	memset(&t, 0, sizeof(t));
	for (i = 0; i < 100; i++)
		nyx_topn_add(&t, 0x3f8);
	for (i = 0; i < 7; i++)
		for (k = 0; k <= i; k++)
			nyx_topn_add(&t, 0x40 + i);
	/* at most NYX_TOPN keys: exact */
	for (i = 0; i < NYX_TOPN; i++) {
		if (t.key[i] == 0x3f8)
			CHECK_EQ(t.count[i], 100);
		else
			CHECK_EQ(t.count[i], t.key[i] - 0x40 + 1);
		sum += t.count[i];
	}
	CHECK_EQ(sum, 100 + 28);
	/* a new key takes the least counted slot (0x40, count 1) */
	nyx_topn_add(&t, 0x1234);
	for (i = 0; i < NYX_TOPN && t.key[i] != 0x1234; i++)
		;
	CHECK(i < NYX_TOPN && t.count[i] == 2);
	for (k = 0; k < NYX_TOPN; k++)
		CHECK(t.key[k] != 0x40);
	/* a heavy newcomer ends on top whatever the churn before */
	for (i = 0; i < 1000; i++)
		nyx_topn_add(&t, 0x2000 + (i % 50));
	for (i = 0; i < 500; i++)
		nyx_topn_add(&t, 0xcf8);
	for (i = 0; i < NYX_TOPN && t.key[i] != 0xcf8; i++)
		;
	CHECK(i < NYX_TOPN && t.count[i] >= 500);
	/* space-saving keeps the sum of the counts equal to the events */
	for (i = 0, sum = 0; i < NYX_TOPN; i++)
		sum += t.count[i];
	CHECK_EQ(sum, 100 + 28 + 1 + 1000 + 500);
	/* key 0 is a key like any other (port 0) */
	memset(&t, 0, sizeof(t));
	nyx_topn_add(&t, 0);
	nyx_topn_add(&t, 0);
	CHECK(t.key[0] == 0 && t.count[0] == 2 && t.count[1] == 0);
}

static void test_table(void)
{
	static const u64 v0[] = { 10, 2000, 30, 40, 0x3f8, 0x80, 0x61,
				  7, 5, 1 };
	static const u64 v1[] = { 5, 1000, 99, 20, 0x3f8, 0x70, 0x71,
				  1, 1, 1 };
	struct stats_table t = { 0 };
	const struct stats_entry *e;
	u32 need;
	FILE *f;

	need = build(v0);
	CHECK_EQ(stats_parse(snap, need, stats_table_collect, &t), 0);
	build(v1);
	CHECK_EQ(stats_parse(snap, need, stats_table_collect, &t), 0);
	CHECK_EQ(t.n, 4 + 6);
	e = stats_table_find(&t, "exits");
	CHECK(e && e->value == 15);		/* cumulative: summed */
	e = stats_table_find(&t, "window_ns");
	CHECK(e && e->value == 99);		/* instant: the last */
	e = stats_table_find(&t, "max_ns");
	CHECK(e && e->value == 40);		/* peak: the largest */
	e = stats_table_find(&t, "pio_top_port[2]");
	CHECK(e && e->value == 0x71 && e->unit == NYX_STATS_UNIT_ADDRESS);
	e = stats_table_find(&t, "pio_top_count[0]");
	CHECK(e && e->value == 8);
	CHECK(stats_table_find(&t, "pio_top_port") == NULL);
	CHECK(stats_table_find(&t, "nope") == NULL);
	CHECK_EQ(stats_table_add(&t, "a_name_that_is_much_too_long_for_the_table_entry_name_xxxxxxxxxx",
				 0, 0, 1), -EINVAL);
	stats_table_clear(&t);
	CHECK_EQ(t.n, 0);

	/* debugfs text */
	static char text[] = "io               3\nhalt_sleep_ns 77\n"
			     "garbage\nhalt_sleep_max_ns 9\n";

	f = fmemopen(text, strlen(text), "r");
	CHECK(f != NULL);
	CHECK_EQ(stats_table_add_text(&t, f), 3);
	fclose(f);
	e = stats_table_find(&t, "io");
	CHECK(e && e->value == 3 && e->type == NYX_STATS_TYPE_CUMULATIVE);
	e = stats_table_find(&t, "halt_sleep_ns");
	CHECK(e && e->value == 77 && e->unit == NYX_STATS_UNIT_NS);
	e = stats_table_find(&t, "halt_sleep_max_ns");
	CHECK(e && e->type == NYX_STATS_TYPE_PEAK);
	stats_table_free(&t);
}

static void add(struct stats_table *t, const char *n, u64 v)
{
	u8 unit = strstr(n, "_ns") ? NYX_STATS_UNIT_NS : NYX_STATS_UNIT_NONE;

	stats_table_add(t, n, NYX_STATS_TYPE_CUMULATIVE, unit, v);
}

static void test_report(void)
{
	struct stats_table prev = { 0 }, cur = { 0 };
	struct stats_table vp[2] = { { 0 } }, vc[2] = { { 0 } };
	struct stat_report r = { .pid = 42, .source = "binary" };
	char *out;
	size_t len;
	FILE *f;

	add(&prev, "exits", 1000);
	add(&prev, "io", 500);
	add(&prev, "hlt", 10);
	add(&prev, "guest_ns", 0);
	add(&cur, "exits", 1000 + 2 * 150000);	/* 150k/s over 2 s */
	add(&cur, "io", 500 + 2 * 140000);
	add(&cur, "hlt", 10);
	add(&cur, "cpuid", 0);
	add(&cur, "guest_ns", 2000000000);	/* 50% of 2 vCPUs x 2 s */
	add(&cur, "halt_sleep_ns", 1000000000);	/* 25% */
	/* vCPU 0 and 1 both hit port 0x3f8; vCPU 1 also 0x80 */
	add(&vp[0], "pio_top_port[0]", 0x3f8);
	add(&vp[0], "pio_top_count[0]", 100);
	add(&vc[0], "pio_top_port[0]", 0x3f8);
	add(&vc[0], "pio_top_count[0]", 300);
	add(&vc[1], "pio_top_port[0]", 0x80);
	add(&vc[1], "pio_top_count[0]", 50);
	add(&vc[1], "pio_top_port[1]", 0x3f8);
	add(&vc[1], "pio_top_count[1]", 100);
	add(&vc[1], "pio_top_port[2]", 0x99);
	add(&vc[1], "pio_top_count[2]", 0);	/* empty slot */

	CHECK_EQ(stat_report_build(&r, &prev, &cur, vp, vc, 2, 2.0), 0);
	CHECK(r.exit_rate > 149999 && r.exit_rate < 150001);
	CHECK(r.hint_exit_rate);
	CHECK(r.guest_pct > 49.9 && r.guest_pct < 50.1);
	CHECK(r.halt_pct > 24.9 && r.halt_pct < 25.1);
	/* rows: count stats only, by rate */
	CHECK_EQ(r.nrows, 4);
	CHECK(!strcmp(r.rows[0].name, "exits"));
	CHECK(!strcmp(r.rows[1].name, "io") && r.rows[1].rate == 140000);
	CHECK(!strcmp(r.rows[2].name, "hlt") && r.rows[2].rate == 0);
	CHECK_EQ(r.npio, 2);
	CHECK(r.pio[0].key == 0x3f8 && r.pio[0].count == 400 &&
	      r.pio[0].rate == 150);
	CHECK(r.pio[1].key == 0x80 && r.pio[1].rate == 25);
	CHECK_EQ(r.nmmio, 0);

	f = open_memstream(&out, &len);
	stat_report_text(f, &r);
	fclose(f);
	CHECK(strstr(out, "exits 150000/s") != NULL);
	CHECK(strstr(out, "hint: exit rate 150000/s > 100k/s") != NULL);
	CHECK(strstr(out, "0x3f8 150/s") != NULL);
	CHECK(strstr(out, " cpuid ") == NULL);	/* zero rows hidden */
	free(out);

	f = open_memstream(&out, &len);
	stat_report_json(f, &r);
	fclose(f);
	CHECK(strstr(out, "\"pid\":42,\"vcpus\":2,\"source\":\"binary\"") != NULL);
	CHECK(strstr(out, "\"io\":{\"total\":280500,\"rate\":140000.0}") != NULL);
	CHECK(strstr(out, "\"cpuid\":{\"total\":0,\"rate\":0.0}") != NULL);
	CHECK(strstr(out, "\"pio_top\":[{\"port\":1016,\"total\":400,\"rate\":150.0}") != NULL);
	CHECK(strstr(out, "\"hints\":[\"exit rate 150000/s > 100k/s\"]}") != NULL);
	free(out);
	stat_report_free(&r);

	/* below the threshold: no hint; no "exits": the reasons summed;
	 * a counter that went down (a new VM) counts 0, not 2^64 */
	stats_table_clear(&prev);
	stats_table_clear(&cur);
	add(&prev, "io", 100);
	add(&prev, "mmio", 500);
	add(&cur, "io", 100 + 1000);
	add(&cur, "mmio", 10);
	add(&cur, "userspace_exits", 900);
	CHECK_EQ(stat_report_build(&r, &prev, &cur, vp, vp, 1, 1.0), 0);
	CHECK(r.exit_rate == 1000);
	CHECK(!r.hint_exit_rate);
	f = open_memstream(&out, &len);
	stat_report_text(f, &r);
	fclose(f);
	CHECK(strstr(out, "hint") == NULL);
	free(out);
	stat_report_free(&r);

	stats_table_free(&prev);
	stats_table_free(&cur);
	stats_table_free(&vp[0]);
	stats_table_free(&vp[1]);
	stats_table_free(&vc[0]);
	stats_table_free(&vc[1]);
}

/* The one name table of query-stats' descriptors (vmctl.c writes the
 * names, statsock.c reads them back). */
static void test_names(void)
{
	u8 i;

	CHECK(!strcmp(stats_type_name(NYX_STATS_TYPE_CUMULATIVE), "cumulative"));
	CHECK(!strcmp(stats_type_name(NYX_STATS_TYPE_INSTANT), "instant"));
	CHECK(!strcmp(stats_type_name(NYX_STATS_TYPE_PEAK), "peak"));
	CHECK(!strcmp(stats_unit_name(NYX_STATS_UNIT_NONE), "none"));
	CHECK(!strcmp(stats_unit_name(NYX_STATS_UNIT_NS), "ns"));
	CHECK(!strcmp(stats_unit_name(NYX_STATS_UNIT_BYTES), "bytes"));
	CHECK(!strcmp(stats_unit_name(NYX_STATS_UNIT_ADDRESS), "address"));
	/* every named code reads back as itself */
	for (i = 0; i <= NYX_STATS_TYPE_PEAK; i++)
		CHECK_EQ(stats_type_code(stats_type_name(i)), i);
	for (i = 0; i <= NYX_STATS_UNIT_ADDRESS; i++)
		CHECK_EQ(stats_unit_code(stats_unit_name(i)), i);
	/* a newer module's code has no name; an unknown name, the default */
	CHECK(!strcmp(stats_type_name(NYX_STATS_TYPE_PEAK + 1), "unknown"));
	CHECK(!strcmp(stats_unit_name(255), "unknown"));
	CHECK_EQ(stats_type_code("unknown"), NYX_STATS_TYPE_CUMULATIVE);
	CHECK_EQ(stats_type_code("Peak"), NYX_STATS_TYPE_CUMULATIVE);
	CHECK_EQ(stats_type_code(""), NYX_STATS_TYPE_CUMULATIVE);
	CHECK_EQ(stats_unit_code("seconds"), NYX_STATS_UNIT_NONE);
}

int main(void)
{
	test_build_parse();
	test_malformed();
	test_topn();
	test_table();
	test_report();
	test_names();
	return test_summary("stats");
}
