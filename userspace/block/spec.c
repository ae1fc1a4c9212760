// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "block/spec.h"
#include "core/util.h"

const char *disk_format_name(enum disk_format f)
{
	switch (f) {
	case DISK_FMT_RAW:
		return "raw";
	case DISK_FMT_QCOW2:
		return "qcow2";
	default:
		return "auto";
	}
}

/*
 * Split off the next comma-separated item of *p into a malloc'd string,
 * turning ",," into ",". Returns NULL at the end or on ENOMEM (*oom set).
 */
static char *next_item(const char **p, bool *oom)
{
	const char *s = *p;
	size_t n = 0;
	char *out;

	if (!s)
		return NULL;
	out = malloc(strlen(s) + 1);
	if (!out) {
		*oom = true;
		return NULL;
	}
	for (;;) {
		if (s[0] == ',' && s[1] == ',') {
			out[n++] = ',';
			s += 2;
		} else if (s[0] == ',' || !s[0]) {
			break;
		} else {
			out[n++] = *s++;
		}
	}
	out[n] = 0;
	*p = *s ? s + 1 : NULL;
	return out;
}

static int parse_bool(const char *key, const char *val, bool *out)
{
	if (!val || !strcmp(val, "on") || !strcmp(val, "true") ||
	    !strcmp(val, "yes") || !strcmp(val, "1")) {
		*out = true;
		return 0;
	}
	if (!strcmp(val, "off") || !strcmp(val, "false") ||
	    !strcmp(val, "no") || !strcmp(val, "0")) {
		*out = false;
		return 0;
	}
	pr_err("--disk: %s=%s: expected on or off", key, val);
	return -1;
}

int disk_spec_set(struct disk_spec *s, const char *key, const char *val,
		  char *err, size_t errlen)
{
	if (!strcmp(key, "cache")) {
		if (!strcmp(val, "none")) {
			s->cache = DISK_CACHE_NONE;
		} else if (!strcmp(val, "writeback")) {
			s->cache = DISK_CACHE_WRITEBACK;
		} else {
			snprintf(err, errlen, "'%s' is not none or writeback",
				 val);
			return -1;
		}
		return 0;
	}
	if (!strcmp(key, "format")) {
		if (!strcmp(val, "raw")) {
			s->format = DISK_FMT_RAW;
		} else if (!strcmp(val, "qcow2")) {
			s->format = DISK_FMT_QCOW2;
		} else if (!strcmp(val, "auto")) {
			s->format = DISK_FMT_AUTO;
		} else {
			snprintf(err, errlen, "'%s' is not raw, qcow2 or auto",
				 val);
			return -1;
		}
		return 0;
	}
	if (!strcmp(key, "serial")) {
		size_t n = strlen(val);

		if (n > DISK_SERIAL_MAX) {
			snprintf(err, errlen, "'%s' is longer than %d characters",
				 val, DISK_SERIAL_MAX);
			return -1;
		}
		for (size_t i = 0; i < n; i++) {
			/* the guest reads it as text: no control bytes */
			if (val[i] < 0x20 || val[i] > 0x7e) {
				snprintf(err, errlen,
					 "must be printable ASCII (byte 0x%02x at offset %zu is not)",
					 (unsigned char)val[i], i);
				return -1;
			}
		}
		memcpy(s->serial, val, n + 1);
		return 0;
	}
	snprintf(err, errlen, "unknown key (known: " DISK_SPEC_KEYS ")");
	return -1;
}

static int parse_kv(char *item, struct disk_spec *s)
{
	char *val = strchr(item, '=');
	char err[128];

	if (val)
		*val++ = 0;
	if (!strcmp(item, "path")) {
		if (!val || !*val) {
			pr_err("--disk: path= needs a file name");
			return -1;
		}
		if (s->path) {
			pr_err("--disk: path given twice");
			return -1;
		}
		s->path = strdup(val);
		if (!s->path) {
			pr_err("--disk: out of memory");
			return -1;
		}
		return 0;
	}
	if (!strcmp(item, "readonly") || !strcmp(item, "ro"))
		return parse_bool(item, val, &s->readonly);
	if (!val) {
		pr_err("--disk: unknown flag '%s' (known: readonly, cache=, format=, serial=, path=)",
		       item);
		return -1;
	}
	if (disk_spec_set(s, item, val, err, sizeof(err))) {
		pr_err("--disk: %s: %s", item, err);
		return -1;
	}
	return 0;
}

int disk_spec_parse(const char *arg, struct disk_spec *s)
{
	const char *p = arg;
	bool oom = false, first = true;
	char *item;

	memset(s, 0, sizeof(*s));
	while ((item = next_item(&p, &oom))) {
		int ret;

		if (first && strncmp(item, "path=", 5) && strchr(item, '=') == NULL &&
		    *item) {
			/* A leading bare item is the file name. */
			s->path = item;
			first = false;
			continue;
		}
		first = false;
		ret = parse_kv(item, s);
		free(item);
		if (ret)
			goto err;
	}
	if (oom) {
		pr_err("--disk: out of memory");
		goto err;
	}
	if (!s->path) {
		pr_err("--disk: no image file given (--disk FILE[,readonly][,cache=none|writeback][,format=raw|qcow2|auto][,serial=ID])");
		goto err;
	}
	return 0;
err:
	disk_spec_free(s);
	return -1;
}

void disk_spec_free(struct disk_spec *s)
{
	free(s->path);
	s->path = NULL;
}
