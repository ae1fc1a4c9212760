// SPDX-License-Identifier: GPL-2.0
/*
 * Parse, validate and dispatch control-socket requests (see qmp.h). Every
 * request is untrusted input: anything but one object with a string
 * "execute", an optional object "arguments" and an optional "id" is an
 * error reply, as are unknown commands and unknown or mistyped arguments.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/qmp.h"

#define ERRLEN	256

struct qmp_arg {
	const char *name;
	json_type type;
	int required;
};

struct qmp_cmd {
	const char *name;
	const struct qmp_arg *args;	/* NULL-terminated, or NULL: none */
	const char *help;
};

static const struct qmp_arg log_args[] = {
	{ "level", json_type_string, 1 },
	{ "component", json_type_string, 0 },
	{ NULL, json_type_null, 0 },
};

static const struct qmp_arg device_args[] = {
	{ "device", json_type_string, 1 },
	{ NULL, json_type_null, 0 },
};

static const struct qmp_cmd commands[] = {
	{ "qmp_capabilities", NULL, "accepted for QMP clients; does nothing" },
	{ "query-commands", NULL, "the list of commands" },
	{ "query-status", NULL, "running/paused, phase durations" },
	{ "pause", NULL, "stop all vCPUs at a clean boundary" },
	{ "resume", NULL, "let paused vCPUs run again" },
	{ "quit", NULL, "stop the VM now (exit status 0)" },
	{ "system-powerdown", NULL, "press the ACPI power button" },
	{ "system-reset", NULL, "end the VM with the reset status (8)" },
	{ "query-cpus", NULL, "per-vCPU id, RIP, halted" },
	{ "query-stats", NULL, "exit and device counters" },
	{ "set-log-level", log_args, "level [component]" },
	{ "query-devices", NULL, "devices and their quarantine state" },
	{ "device-reset", device_args,
	  "device: end a device's quarantine (retry or reset it)" },
};

static json_object *error_obj(const char *class, const char *desc)
{
	json_object *o = json_object_new_object(), *e = json_object_new_object();

	json_object_object_add(e, "class", json_object_new_string(class));
	json_object_object_add(e, "desc", json_object_new_string(desc));
	json_object_object_add(o, "error", e);
	return o;
}

/* Serialize, append "\n", free the object. */
static char *finish(json_object *o)
{
	const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	size_t n = strlen(s);
	char *line = malloc(n + 2);

	if (line) {
		memcpy(line, s, n);
		line[n] = '\n';
		line[n + 1] = '\0';
	}
	json_object_put(o);
	return line;
}

char *qmp_error_reply(const char *class, const char *desc)
{
	return finish(error_obj(class, desc));
}

char *qmp_event_line(const char *name, json_object *data, long long sec,
		     long usec)
{
	json_object *o = json_object_new_object(), *ts = json_object_new_object();

	json_object_object_add(o, "event", json_object_new_string(name));
	json_object_object_add(o, "data", data ? data : json_object_new_object());
	json_object_object_add(ts, "seconds", json_object_new_int64(sec));
	json_object_object_add(ts, "microseconds", json_object_new_int64(usec));
	json_object_object_add(o, "timestamp", ts);
	return finish(o);
}

static const struct qmp_cmd *find_cmd(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

static const char *type_name(json_type t)
{
	switch (t) {
	case json_type_string:
		return "a string";
	case json_type_int:
		return "an integer";
	case json_type_boolean:
		return "a boolean";
	case json_type_object:
		return "an object";
	default:
		return "another type";
	}
}

/* Unknown, missing or mistyped arguments. */
static int check_args(const struct qmp_cmd *c, json_object *args, char *err,
		      size_t errlen)
{
	const struct qmp_arg *a;

	if (args) {
		json_object_object_foreach(args, key, val) {
			for (a = c->args; a && a->name; a++)
				if (!strcmp(a->name, key))
					break;
			if (!a || !a->name) {
				snprintf(err, errlen, "%s: unknown argument '%.64s'",
					 c->name, key);
				return -EINVAL;
			}
			if (!json_object_is_type(val, a->type)) {
				snprintf(err, errlen, "%s: argument '%s' must be %s",
					 c->name, a->name, type_name(a->type));
				return -EINVAL;
			}
		}
	}
	for (a = c->args; a && a->name; a++) {
		if (a->required && (!args || !json_object_object_get_ex(args, a->name, NULL))) {
			snprintf(err, errlen, "%s: missing argument '%s'",
				 c->name, a->name);
			return -EINVAL;
		}
	}
	return 0;
}

static const char *arg_str(json_object *args, const char *name)
{
	json_object *v;

	if (!args || !json_object_object_get_ex(args, name, &v))
		return NULL;
	return json_object_get_string(v);
}

static int run_cmd(const struct qmp_ops *ops, void *opaque,
		   const struct qmp_cmd *c, json_object *args,
		   json_object **ret, char *err, size_t errlen)
{
	const char *n = c->name;
	size_t i;

	*ret = json_object_new_object();
	if (!strcmp(n, "qmp_capabilities"))
		return 0;
	if (!strcmp(n, "query-commands")) {
		json_object_put(*ret);
		*ret = json_object_new_array();
		for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
			json_object *o = json_object_new_object();

			json_object_object_add(o, "name",
					       json_object_new_string(commands[i].name));
			json_object_object_add(o, "help",
					       json_object_new_string(commands[i].help));
			json_object_array_add(*ret, o);
		}
		return 0;
	}
	if (!strcmp(n, "query-status"))
		return ops->query_status(opaque, *ret);
	if (!strcmp(n, "pause"))
		return ops->pause(opaque, err, errlen);
	if (!strcmp(n, "resume"))
		return ops->resume(opaque, err, errlen);
	if (!strcmp(n, "quit"))
		return ops->quit(opaque, err, errlen);
	if (!strcmp(n, "system-powerdown"))
		return ops->powerdown(opaque, err, errlen);
	if (!strcmp(n, "system-reset"))
		return ops->reset(opaque, err, errlen);
	if (!strcmp(n, "query-cpus")) {
		json_object_put(*ret);
		*ret = json_object_new_array();
		return ops->query_cpus(opaque, *ret);
	}
	if (!strcmp(n, "query-stats"))
		return ops->query_stats(opaque, *ret);
	if (!strcmp(n, "set-log-level"))
		return ops->set_log_level(opaque, arg_str(args, "component"),
					  arg_str(args, "level"), err, errlen);
	if (!strcmp(n, "query-devices") && ops->query_devices) {
		json_object_put(*ret);
		*ret = json_object_new_array();
		return ops->query_devices(opaque, *ret);
	}
	if (!strcmp(n, "device-reset") && ops->device_reset)
		return ops->device_reset(opaque, arg_str(args, "device"), err,
					 errlen);
	snprintf(err, errlen, "%s: not implemented", n);
	return -ENOSYS;
}

char *qmp_dispatch(const struct qmp_ops *ops, void *opaque,
		   const char *line, size_t len)
{
	json_tokener *tok;
	json_object *req, *exec = NULL, *args = NULL, *id = NULL, *ret, *reply;
	const struct qmp_cmd *c;
	char err[ERRLEN] = "";
	enum json_tokener_error jerr;
	size_t used;
	int r;

	if (len > QMP_LINE_MAX)
		return qmp_error_reply(QMP_ERR_GENERIC, "request too long");
	tok = json_tokener_new_ex(32);	/* bounded nesting */
	if (!tok)
		return NULL;
	req = json_tokener_parse_ex(tok, line, (int)len);
	jerr = json_tokener_get_error(tok);
	used = json_tokener_get_parse_end(tok);
	if (!req && jerr == json_tokener_continue) {
		/* a bare number may go on: a NUL ends the input */
		req = json_tokener_parse_ex(tok, "", 1);
		jerr = json_tokener_get_error(tok);
		used = len;
	}
	/* one complete value, followed by blanks only */
	if (req && jerr == json_tokener_success) {
		while (used < len && (line[used] == ' ' || line[used] == '\t' ||
				      line[used] == '\r'))
			used++;
		if (used < len) {
			json_object_put(req);
			req = NULL;
			snprintf(err, sizeof(err), "trailing data after the JSON object");
		}
	} else {
		json_object_put(req);
		req = NULL;
		snprintf(err, sizeof(err), "malformed JSON: %s",
			 jerr == json_tokener_continue ? "incomplete object" :
			 json_tokener_error_desc(jerr));
	}
	json_tokener_free(tok);
	if (!req)
		return qmp_error_reply(QMP_ERR_GENERIC, err);

	if (!json_object_is_type(req, json_type_object)) {
		json_object_put(req);
		return qmp_error_reply(QMP_ERR_GENERIC, "a request is a JSON object");
	}
	json_object_object_foreach(req, key, val) {
		if (!strcmp(key, "execute"))
			exec = val;
		else if (!strcmp(key, "arguments"))
			args = val;
		else if (!strcmp(key, "id"))
			id = val;
		else {
			snprintf(err, sizeof(err), "unknown member '%.64s'", key);
			break;
		}
	}
	if (!err[0] && (!exec || !json_object_is_type(exec, json_type_string)))
		snprintf(err, sizeof(err), "'execute' must be a command name (a string)");
	if (!err[0] && args && !json_object_is_type(args, json_type_object))
		snprintf(err, sizeof(err), "'arguments' must be an object");

	if (err[0]) {
		reply = error_obj(QMP_ERR_GENERIC, err);
	} else if (!(c = find_cmd(json_object_get_string(exec)))) {
		snprintf(err, sizeof(err), "the command %.64s has not been found",
			 json_object_get_string(exec));
		reply = error_obj(QMP_ERR_NOT_FOUND, err);
	} else if (check_args(c, args, err, sizeof(err))) {
		reply = error_obj(QMP_ERR_GENERIC, err);
	} else {
		r = run_cmd(ops, opaque, c, args, &ret, err, sizeof(err));
		if (r) {
			json_object_put(ret);
			if (!err[0])
				snprintf(err, sizeof(err), "%s: %s", c->name,
					 strerror(-r));
			reply = error_obj(QMP_ERR_GENERIC, err);
		} else {
			reply = json_object_new_object();
			json_object_object_add(reply, "return", ret);
		}
	}
	if (id)
		json_object_object_add(reply, "id", json_object_get(id));
	json_object_put(req);
	return finish(reply);
}
