// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the launcher's JSON parsers: the input is a
 * --config file (files are not looked up) and, split at the first
 * newline, a control-socket request line against a VM that does nothing.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/qmp.h"

static int nop_obj(void *o, json_object *r)
{
	(void)o;
	(void)r;
	return 0;
}

static int nop(void *o, char *e, size_t l)
{
	(void)o;
	(void)e;
	(void)l;
	return 0;
}

static int nop_log(void *o, const char *c, const char *lv, char *e, size_t l)
{
	(void)o;
	(void)c;
	(void)lv;
	(void)e;
	(void)l;
	return 0;
}

static const struct qmp_ops ops = {
	.query_status = nop_obj, .pause = nop, .resume = nop, .quit = nop,
	.powerdown = nop, .reset = nop, .query_cpus = nop_obj,
	.query_stats = nop_obj, .set_log_level = nop_log,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct run_options o;
	const char *nl = memchr(data, '\n', size);
	char err[256];
	char *reply;

	run_options_defaults(&o);
	config_parse((const char *)data, size, &o, 0, err, sizeof(err));
	run_options_free(&o);

	if (nl) {
		reply = qmp_dispatch(&ops, NULL, (const char *)data,
				     nl - (const char *)data);
		free(reply);
	}
	return 0;
}
