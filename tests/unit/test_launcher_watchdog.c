// SPDX-License-Identifier: GPL-2.0
/* The vCPU watchdog's judgement (wd_judge) and its option parsing. */
#include "core/config.h"
#include "core/watchdog.h"
#include "test.h"

#define MS	1000000ull

static void test_judge(void)
{
	struct wd_state w = { 0 };
	struct wd_sample stuck = { .exits = 5, .rip = 0x1000, .sampled = true,
				   .irq_pending = true };
	struct wd_sample s;

	/* the first sample only records */
	CHECK(!wd_judge(&w, &stuck, 0, 1000 * MS));
	/* same RIP, no exit, interrupt pending: fires after the timeout */
	CHECK(!wd_judge(&w, &stuck, 500 * MS, 1000 * MS));
	CHECK(wd_judge(&w, &stuck, 1000 * MS, 1000 * MS));
	/* ...then again only after another timeout */
	CHECK(!wd_judge(&w, &stuck, 1500 * MS, 1000 * MS));
	CHECK(wd_judge(&w, &stuck, 2000 * MS, 1000 * MS));

	/* each kind of progress restarts the count */
	s = stuck;
	s.exits++;
	CHECK(!wd_judge(&w, &s, 2500 * MS, 1000 * MS));
	CHECK(!wd_judge(&w, &s, 3400 * MS, 1000 * MS));
	CHECK(wd_judge(&w, &s, 3500 * MS, 1000 * MS));
	s.rip = 0x1002;
	CHECK(!wd_judge(&w, &s, 4600 * MS, 1000 * MS));
	s.halted = true;	/* halted is waiting, not stuck */
	CHECK(!wd_judge(&w, &s, 5700 * MS, 1000 * MS));
	CHECK(!wd_judge(&w, &s, 9700 * MS, 1000 * MS));
	s.halted = false;
	s.irq_pending = false;	/* a busy loop with nothing pending */
	CHECK(!wd_judge(&w, &s, 10000 * MS, 1000 * MS));
	CHECK(!wd_judge(&w, &s, 20000 * MS, 1000 * MS));
	/* not sampled (it made exits): never stuck */
	s.irq_pending = true;
	s.sampled = false;
	CHECK(!wd_judge(&w, &s, 30000 * MS, 1000 * MS));
	CHECK(!wd_judge(&w, &s, 40000 * MS, 1000 * MS));
	s.sampled = true;
	CHECK(!wd_judge(&w, &s, 40100 * MS, 1000 * MS));
	CHECK(wd_judge(&w, &s, 41100 * MS, 1000 * MS));
	/* held by the debugger: stuck-looking samples, long past the
	 * timeout, never fire; the count restarts from the last held look */
	s.held = true;
	CHECK(!wd_judge(&w, &s, 41600 * MS, 1000 * MS));
	CHECK(!wd_judge(&w, &s, 45000 * MS, 1000 * MS));
	CHECK(!wd_judge(&w, &s, 60000 * MS, 1000 * MS));
	s.held = false;
	CHECK(!wd_judge(&w, &s, 60500 * MS, 1000 * MS));
	CHECK(wd_judge(&w, &s, 61000 * MS, 1000 * MS));
}

static void bad(const char *arg, const char *want)
{
	struct watchdog_options w = { 7, WD_ACTION_DUMP };
	char err[128] = "";

	CHECK(watchdog_parse(arg, &w, err, sizeof(err)) < 0);
	CHECK(strstr(err, want) != NULL);
	CHECK_EQ(w.timeout_ms, 7);	/* untouched on error */
	if (!strstr(err, want))
		fprintf(stderr, "  '%s': got '%s'\n", arg, err);
}

static void test_parse(void)
{
	struct watchdog_options w;
	enum watchdog_action a;
	char err[128];

	CHECK_EQ(watchdog_parse("timeout=5", &w, err, sizeof(err)), 0);
	CHECK_EQ(w.timeout_ms, 5000);
	CHECK_EQ(w.action, WD_ACTION_LOG);
	CHECK_EQ(watchdog_parse("action=reset,timeout=0.25", &w, err, sizeof(err)), 0);
	CHECK_EQ(w.timeout_ms, 250);
	CHECK_EQ(w.action, WD_ACTION_RESET);
	CHECK_EQ(watchdog_parse("timeout=3600,action=dump", &w, err, sizeof(err)), 0);
	CHECK_EQ(w.action, WD_ACTION_DUMP);
	bad("action=log", "a timeout (seconds) is required");
	bad("timeout=0.1", "not a number of seconds");
	bad("timeout=3601", "not a number of seconds");
	bad("timeout=99999999999999999999", "not a number of seconds");
	bad("timeout=1.", "not a number of seconds");
	bad("timeout=-1", "not a number of seconds");
	bad("timeout=1s", "not a number of seconds");
	bad("timeout=1,action=panic", "unknown action 'panic'");
	bad("timeout=1,every=2", "every: unknown key 'every'");
	bad("timeout", "timeout: '' is not a number of seconds");
	bad("timeout=0", "timeout: '0' is not a number of seconds in ");
	CHECK_EQ(watchdog_action_parse("pause", &a), 0);
	CHECK_EQ(a, WD_ACTION_PAUSE);
	CHECK(!strcmp(watchdog_action_name(WD_ACTION_RESET), "reset"));
	CHECK(!strcmp(watchdog_action_name(9), "?"));
}

static void cfg(const char *text, int want_ret, const char *want)
{
	struct run_options o;
	char err[256] = "";
	int r;

	run_options_defaults(&o);
	r = config_parse(text, strlen(text), &o, 0, err, sizeof(err));
	CHECK_EQ(r, want_ret);
	CHECK(!want || !strncmp(err, want, strlen(want)));
	if (want && strncmp(err, want, strlen(want)))
		fprintf(stderr, "  '%s': got '%s'\n", text, err);
	if (!r) {
		CHECK_EQ(o.watchdog.timeout_ms, 1500);
		CHECK_EQ(o.watchdog.action, WD_ACTION_PAUSE);
	}
	run_options_free(&o);
}

static void test_config(void)
{
	cfg("{\"watchdog\": {\"timeout\": 1.5, \"action\": \"pause\"}}", 0, NULL);
	cfg("{\"watchdog\": 5}", -1, "watchdog: must be an object");
	cfg("{\"watchdog\": {}}", -1, "watchdog: a timeout (seconds) is required");
	cfg("{\"watchdog\": {\"timeout\": \"5\"}}", -1, "watchdog.timeout: must be a number");
	cfg("{\"watchdog\": {\"timeout\": 0}}", -1, "watchdog.timeout: '0' is not a number of seconds");
	cfg("{\"watchdog\": {\"timeout\": 1e300}}", -1, "watchdog.timeout: '1e300' is not a number of seconds");
	cfg("{\"watchdog\": {\"timeout\": NaN}}", -1, "watchdog.timeout: 'NaN' is not a number of seconds");
	cfg("{\"watchdog\": {\"timeout\": 1, \"action\": \"boom\"}}", -1,
	    "watchdog.action: unknown action 'boom'");
	cfg("{\"watchdog\": {\"timeout\": 1, \"act\": \"log\"}}", -1,
	    "watchdog.act: unknown key");
}

int main(void)
{
	test_judge();
	test_parse();
	test_config();
	return test_summary("launcher_watchdog");
}
