// SPDX-License-Identifier: GPL-2.0
/*
 * The JSON configuration file (config.h, Documentation/config.rst).
 *
 * The file is untrusted text: its size is capped, json-c parses it with a
 * bounded nesting depth, every member is looked up in a table of known
 * keys with its type, and every value goes through the same range checks
 * as the command line. The first problem stops the parse with the key
 * path that caused it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "core/config.h"

#define PATH_LEN	64

/* "parent.key": keys are cut at 32 bytes, the whole path at PATH_LEN */
static void key_path(char *dst, const char *parent, const char *key)
{
	if (snprintf(dst, PATH_LEN, "%s.%.32s", parent, key) >= PATH_LEN)
		dst[PATH_LEN - 1] = '\0';
}

static void index_path(char *dst, const char *parent, size_t i)
{
	if (snprintf(dst, PATH_LEN, "%s[%zu]", parent, i) >= PATH_LEN)
		dst[PATH_LEN - 1] = '\0';
}

struct cfg {
	struct run_options *o;
	unsigned int flags;
	char *err;
	size_t errlen;
};

static int fail(struct cfg *c, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct cfg *c, const char *path, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(c->err, c->errlen, "%s: ", path);
	if (n < 0 || (size_t)n >= c->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(c->err + n, c->errlen - n, fmt, ap);
	va_end(ap);
	return -1;
}

static const char *type_name(json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_null:
		return "null";
	case json_type_boolean:
		return "a boolean";
	case json_type_double:
		return "a number with a fraction";
	case json_type_int:
		return "an integer";
	case json_type_object:
		return "an object";
	case json_type_array:
		return "an array";
	case json_type_string:
		return "a string";
	}
	return "?";
}

static int want(struct cfg *c, const char *path, json_object *v,
		json_type t, const char *what)
{
	if (json_object_is_type(v, t))
		return 0;
	return fail(c, path, "must be %s, not %s", what, type_name(v));
}

/* Keep a copy of a string for the options' lifetime. */
static const char *keep(struct cfg *c, const char *path, const char *s)
{
	char *copy;

	if (c->o->nr_owned == RUN_OPTIONS_MAX_OWNED) {
		fail(c, path, "too many strings in the file");
		return NULL;
	}
	copy = strdup(s);
	if (!copy) {
		fail(c, path, "out of memory");
		return NULL;
	}
	c->o->owned[c->o->nr_owned++] = copy;
	return copy;
}

static int get_string(struct cfg *c, const char *path, json_object *v,
		      const char **out)
{
	const char *s;

	if (want(c, path, v, json_type_string, "a string"))
		return -1;
	s = json_object_get_string(v);
	if ((size_t)json_object_get_string_len(v) != strlen(s))
		return fail(c, path, "contains a NUL character");
	if (!*s)
		return fail(c, path, "must not be empty");
	*out = s;
	return 0;
}

static int get_bool(struct cfg *c, const char *path, json_object *v, bool *out)
{
	if (want(c, path, v, json_type_boolean, "true or false"))
		return -1;
	*out = json_object_get_boolean(v);
	return 0;
}

/* A non-negative integer, or a string parse_u64() takes ("0x7c00"). */
static int get_u64(struct cfg *c, const char *path, json_object *v, u64 *out)
{
	if (json_object_is_type(v, json_type_int)) {
		int64_t i = json_object_get_int64(v);

		if (i < 0)
			return fail(c, path, "must not be negative");
		/* json-c saturates at INT64_MAX: take that as too large */
		if (i == INT64_MAX)
			return fail(c, path, "too large");
		*out = (u64)i;
		return 0;
	}
	if (json_object_is_type(v, json_type_string)) {
		int r = parse_u64(json_object_get_string(v), out);

		if (r)
			return fail(c, path, "%s '%s'",
				    r == -ERANGE ? "too large" : "not a number",
				    json_object_get_string(v));
		return 0;
	}
	return fail(c, path, "must be an integer, not %s", type_name(v));
}

static int check_file(struct cfg *c, const char *path, const char *file)
{
	struct stat st;

	if (!(c->flags & CONFIG_CHECK_FILES))
		return 0;
	if (stat(file, &st))
		return fail(c, path, "%s", errno == ENOENT ? "file not found" :
			    strerror(errno));
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))
		return fail(c, path, "'%s' is not a regular file", file);
	return 0;
}

static int file_string(struct cfg *c, const char *path, json_object *v,
		       const char **out)
{
	const char *s;

	if (get_string(c, path, v, &s) || check_file(c, path, s))
		return -1;
	*out = keep(c, path, s);
	return *out ? 0 : -1;
}

/* ------------------------------------------------------------------ */

static int do_memory(struct cfg *c, const char *path, json_object *v)
{
	u64 bytes;
	int r;

	if (json_object_is_type(v, json_type_int)) {
		int64_t mib = json_object_get_int64(v);

		if (mib < 1 || (u64)mib > (~0ull >> 20))
			return fail(c, path, "%lld MiB is out of range",
				    (long long)mib);
		c->o->memory = (u64)mib << 20;
		c->o->memory_text = keep(c, path, json_object_get_string(v));
		return c->o->memory_text ? 0 : -1;
	}
	if (want(c, path, v, json_type_string,
		 "a size (\"512M\", \"2G\") or an integer (MiB)"))
		return -1;
	r = parse_size(json_object_get_string(v), &bytes);
	if (r)
		return fail(c, path, "%s '%s' (e.g. \"512M\", \"2G\")",
			    r == -ERANGE ? "too large" : "invalid size",
			    json_object_get_string(v));
	c->o->memory = bytes;
	c->o->memory_text = keep(c, path, json_object_get_string(v));
	return c->o->memory_text ? 0 : -1;
}

static int do_cpus(struct cfg *c, const char *path, json_object *v)
{
	int64_t n;

	if (want(c, path, v, json_type_int, "an integer"))
		return -1;
	n = json_object_get_int64(v);
	if (n < 1 || n > MAX_CPUS)
		return fail(c, path, "%lld is not in 1..%d", (long long)n,
			    MAX_CPUS);
	c->o->cpus = n;
	return 0;
}

static int do_flat(struct cfg *c, const char *path, json_object *v)
{
	const char *file = NULL;
	char sub[PATH_LEN];
	u64 addr = 0x7c00;

	if (json_object_is_type(v, json_type_string)) {
		if (get_string(c, path, v, &file))
			return -1;
	} else if (json_object_is_type(v, json_type_object)) {
		json_object_object_foreach(v, key, val) {
			key_path(sub, path, key);
			if (!strcmp(key, "path")) {
				if (get_string(c, sub, val, &file))
					return -1;
			} else if (!strcmp(key, "addr")) {
				if (get_u64(c, sub, val, &addr))
					return -1;
				if (addr >= 1ull << 32)
					return fail(c, sub, "must be below 4G");
			} else {
				return fail(c, sub, "unknown key (known: path, addr)");
			}
		}
		if (!file)
			return fail(c, path, "needs \"path\"");
		key_path(sub, path, "path");
		path = sub;
	} else {
		return fail(c, path, "must be a file name or {\"path\": ..., \"addr\": ...}, not %s",
			    type_name(v));
	}
	if (check_file(c, path, file))
		return -1;
	free(c->o->flat_path);
	c->o->flat_path = strdup(file);
	if (!c->o->flat_path)
		return fail(c, path, "out of memory");
	c->o->flat_addr = addr;
	return 0;
}

static int do_serial(struct cfg *c, const char *path, json_object *v)
{
	enum serial_backend b;
	const char *s, *file;
	char err[128];

	if (get_string(c, path, v, &s))
		return -1;
	if (serial_backend_parse(s, &b, &file, err, sizeof(err)))
		return fail(c, path, "%s", err);
	if (file) {
		/* the JSON text is freed after the parse: keep a copy */
		file = keep(c, path, file);
		if (!file)
			return -1;
	}
	c->o->serial = b;
	c->o->serial_path = file;
	return 0;
}

static int do_devices(struct cfg *c, const char *path, json_object *v)
{
	char sub[PATH_LEN], err[128];
	size_t i, n;

	if (want(c, path, v, json_type_array, "an array of device names"))
		return -1;
	c->o->testdev = false;
	c->o->pci_testdevs = 0;
	n = json_object_array_length(v);
	for (i = 0; i < n; i++) {
		json_object *d = json_object_array_get_idx(v, i);
		const char *name;

		index_path(sub, path, i);
		if (get_string(c, sub, d, &name))
			return -1;
		if (run_options_add_device(c->o, name, err, sizeof(err)))
			return fail(c, sub, "%s", err);
	}
	return 0;
}

static int do_disk(struct cfg *c, const char *path, json_object *v,
		   struct disk_spec *d)
{
	char sub[PATH_LEN];
	const char *s, *file = NULL;

	memset(d, 0, sizeof(*d));
	if (want(c, path, v, json_type_object, "an object"))
		return -1;
	json_object_object_foreach(v, key, val) {
		key_path(sub, path, key);
		if (!strcmp(key, "path")) {
			if (get_string(c, sub, val, &file) ||
			    check_file(c, sub, file))
				return -1;
		} else if (!strcmp(key, "readonly")) {
			if (get_bool(c, sub, val, &d->readonly))
				return -1;
		} else if (!strcmp(key, "cache") || !strcmp(key, "format") ||
			   !strcmp(key, "serial")) {
			char err[128];

			if (get_string(c, sub, val, &s))
				return -1;
			if (disk_spec_set(d, key, s, err, sizeof(err)))
				return fail(c, sub, "%s", err);
		} else {
			return fail(c, sub, "unknown key (known: " DISK_SPEC_KEYS ")");
		}
	}
	if (!file)
		return fail(c, path, "needs \"path\"");
	d->path = strdup(file);
	if (!d->path)
		return fail(c, path, "out of memory");
	return 0;
}

static int do_disks(struct cfg *c, const char *path, json_object *v)
{
	char sub[PATH_LEN];
	size_t i, n;

	if (want(c, path, v, json_type_array, "an array of disks"))
		return -1;
	n = json_object_array_length(v);
	if (n > MAX_DISKS)
		return fail(c, path, "at most %d disks", MAX_DISKS);
	for (i = 0; i < c->o->ndisks; i++)
		disk_spec_free(&c->o->disks[i]);
	c->o->ndisks = 0;
	for (i = 0; i < n; i++) {
		index_path(sub, path, i);
		if (do_disk(c, sub, json_object_array_get_idx(v, i),
			    &c->o->disks[i]))
			return -1;
		c->o->ndisks++;
	}
	return 0;
}

static int do_nic(struct cfg *c, const char *path, json_object *v,
		  struct nic_options *nic)
{
	char sub[PATH_LEN], err[160];
	const char *s;

	nic_defaults(nic);
	if (want(c, path, v, json_type_object, "an object"))
		return -1;
	json_object_object_foreach(v, key, val) {
		key_path(sub, path, key);
		if (!strcmp(key, "backend")) {
			if (get_string(c, sub, val, &s))
				return -1;
			if (strcmp(s, "tap"))
				return fail(c, sub, "unknown backend '%s' (known: tap)", s);
			continue;
		}
		if (!nic_key_known(key))
			return fail(c, sub, "unknown key (known: backend, " NIC_KEYS ")");
		/* rx-irq-gap may be a JSON number; the rest are strings */
		if (!strcmp(key, "rx-irq-gap") &&
		    json_object_is_type(val, json_type_int))
			s = json_object_get_string(val);
		else if (get_string(c, sub, val, &s))
			return -1;
		if (nic_set(nic, key, s, err, sizeof(err)))
			return fail(c, sub, "%s", err);
	}
	if (nic_check(nic, err, sizeof(err)))
		return fail(c, path, "%s", err);
	return 0;
}

static int do_nics(struct cfg *c, const char *path, json_object *v)
{
	char sub[PATH_LEN];
	size_t i, j, n;

	if (want(c, path, v, json_type_array, "an array of NICs"))
		return -1;
	n = json_object_array_length(v);
	if (n > MAX_NICS)
		return fail(c, path, "at most %d NICs", MAX_NICS);
	c->o->nr_nics = 0;
	for (i = 0; i < n; i++) {
		struct nic_options *nic = &c->o->nics[i];

		index_path(sub, path, i);
		if (do_nic(c, sub, json_object_array_get_idx(v, i), nic))
			return -1;
		for (j = 0; j < i; j++) {
			if (nic->ifname[0] &&
			    !strcmp(nic->ifname, c->o->nics[j].ifname))
				return fail(c, sub, "tap %s is also nics[%zu]",
					    nic->ifname, j);
			if (nic->mac_set && c->o->nics[j].mac_set &&
			    !memcmp(nic->mac, c->o->nics[j].mac, 6))
				return fail(c, sub, "same mac as nics[%zu]", j);
		}
		c->o->nr_nics++;
	}
	return 0;
}

static int do_log(struct cfg *c, const char *path, json_object *v)
{
	const char *s;

	if (get_string(c, path, v, &s))
		return -1;
	/* syntax checked where the logger is set up, like --log */
	c->o->log_spec = keep(c, path, s);
	return c->o->log_spec ? 0 : -1;
}

/* {"timeout": SEC (number), "action": "log"|"pause"|"dump"|"reset"} */
static int do_watchdog(struct cfg *c, const char *path, json_object *v)
{
	struct watchdog_options w = { .action = WD_ACTION_LOG };
	char sub[PATH_LEN], err[128];
	const char *s;

	if (want(c, path, v, json_type_object, "an object"))
		return -1;
	json_object_object_foreach(v, key, val) {
		key_path(sub, path, key);
		/* the timeout is a JSON number: its text, checked as --watchdog's */
		if (!strcmp(key, "timeout")) {
			if (!json_object_is_type(val, json_type_int) &&
			    !json_object_is_type(val, json_type_double))
				return fail(c, sub, "must be a number of seconds, not %s",
					    type_name(val));
			s = json_object_get_string(val);
		} else if (!strcmp(key, "action")) {
			if (get_string(c, sub, val, &s))
				return -1;
		} else {
			s = "";
		}
		if (watchdog_set(&w, key, s, err, sizeof(err)))
			return fail(c, sub, "%s", err);
	}
	if (watchdog_check(&w, err, sizeof(err)))
		return fail(c, path, "%s", err);
	c->o->watchdog = w;
	return 0;
}

/* {"vcpu0": "0", "io": "1-3", "main": 1}: --pin's THREADS=CPUS pairs */
static int do_pin(struct cfg *c, const char *path, json_object *v)
{
	char sub[PATH_LEN], err[160];
	const char *s;

	if (want(c, path, v, json_type_object, "an object"))
		return -1;
	memset(&c->o->pin, 0, sizeof(c->o->pin));
	json_object_object_foreach(v, key, val) {
		key_path(sub, path, key);
		/* a single CPU may be a number */
		if (json_object_is_type(val, json_type_int))
			s = json_object_get_string(val);
		else if (get_string(c, sub, val, &s))
			return -1;
		if (pin_set(&c->o->pin, key, s, false, err, sizeof(err)))
			return fail(c, sub, "%s", err);
	}
	return 0;
}

static int do_string(struct cfg *c, const char *path, json_object *v,
		     const char **out)
{
	const char *s;

	if (get_string(c, path, v, &s))
		return -1;
	*out = keep(c, path, s);
	return *out ? 0 : -1;
}

static int apply_key(struct cfg *c, const char *key, json_object *v)
{
	struct run_options *o = c->o;

	if (!strcmp(key, "memory"))
		return do_memory(c, key, v);
	if (!strcmp(key, "cpus"))
		return do_cpus(c, key, v);
	if (!strcmp(key, "flat"))
		return do_flat(c, key, v);
	if (!strcmp(key, "kernel"))
		return file_string(c, key, v, &o->kernel);
	if (!strcmp(key, "initrd"))
		return file_string(c, key, v, &o->initrd);
	if (!strcmp(key, "append")) {
		/* an empty command line is a valid one */
		if (json_object_is_type(v, json_type_string) &&
		    !json_object_get_string_len(v)) {
			o->append = keep(c, key, "");
			return o->append ? 0 : -1;
		}
		return do_string(c, key, v, &o->append);
	}
	if (!strcmp(key, "serial"))
		return do_serial(c, key, v);
	if (!strcmp(key, "devices"))
		return do_devices(c, key, v);
	if (!strcmp(key, "irqchip"))
		return get_bool(c, key, v, &o->irqchip);
	if (!strcmp(key, "pm-timer"))
		return get_bool(c, key, v, &o->pm_timer);
	if (!strcmp(key, "kvm-pv"))
		return get_bool(c, key, v, &o->kvm_pv);
	if (!strcmp(key, "virtio-fastpath"))
		return get_bool(c, key, v, &o->virtio_fastpath);
	if (!strcmp(key, "verbose"))
		return get_bool(c, key, v, &o->verbose);
	if (!strcmp(key, "disks"))
		return do_disks(c, key, v);
	if (!strcmp(key, "nics"))
		return do_nics(c, key, v);
	if (!strcmp(key, "control"))
		return do_string(c, key, v, &o->control);
	if (!strcmp(key, "log"))
		return do_log(c, key, v);
	if (!strcmp(key, "log-file"))
		return do_string(c, key, v, &o->log_file);
	if (!strcmp(key, "watchdog"))
		return do_watchdog(c, key, v);
	if (!strcmp(key, "pin"))
		return do_pin(c, key, v);
	return fail(c, key, "unknown key (see Documentation/config.rst)");
}

int config_parse(const char *text, size_t len, struct run_options *o,
		 unsigned int flags, char *err, size_t errlen)
{
	struct cfg c = { .o = o, .flags = flags, .err = err, .errlen = errlen };
	enum json_tokener_error jerr;
	json_tokener *tok;
	json_object *root;
	size_t end;
	int ret = 0;

	if (len > CONFIG_MAX_SIZE) {
		snprintf(err, errlen, "file larger than %d bytes",
			 CONFIG_MAX_SIZE);
		return -1;
	}
	tok = json_tokener_new_ex(16);	/* the schema nests 3 deep */
	if (!tok) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	root = json_tokener_parse_ex(tok, text, (int)len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (!root || jerr != json_tokener_success) {
		size_t line = 1, i;

		for (i = 0; i < end && i < len; i++)
			line += text[i] == '\n';
		snprintf(err, errlen, "line %zu: %s", line,
			 jerr == json_tokener_continue ? "unexpected end of file" :
			 json_tokener_error_desc(jerr));
		json_object_put(root);
		return -1;
	}
	for (; end < len; end++) {
		if (text[end] != ' ' && text[end] != '\t' &&
		    text[end] != '\n' && text[end] != '\r') {
			snprintf(err, errlen, "trailing data after the top-level object");
			json_object_put(root);
			return -1;
		}
	}
	if (!json_object_is_type(root, json_type_object)) {
		snprintf(err, errlen, "the top level must be an object, not %s",
			 type_name(root));
		json_object_put(root);
		return -1;
	}
	json_object_object_foreach(root, key, val) {
		ret = apply_key(&c, key, val);
		if (ret)
			break;
	}
	json_object_put(root);
	return ret ? -1 : 0;
}

int config_load(const char *path, struct run_options *o, char *err,
		size_t errlen)
{
	struct stat st;
	char *text;
	ssize_t n;
	size_t got = 0;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "cannot open: %s", strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "not a regular file");
		close(fd);
		return -1;
	}
	if (st.st_size > CONFIG_MAX_SIZE) {
		snprintf(err, errlen, "file larger than %d bytes",
			 CONFIG_MAX_SIZE);
		close(fd);
		return -1;
	}
	text = malloc(st.st_size + 1);
	if (!text) {
		snprintf(err, errlen, "out of memory");
		close(fd);
		return -1;
	}
	while (got < (size_t)st.st_size) {
		n = read(fd, text + got, st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += n;
	}
	close(fd);
	text[got] = '\0';
	ret = config_parse(text, got, o, CONFIG_CHECK_FILES, err, errlen);
	free(text);
	return ret;
}
