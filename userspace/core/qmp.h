/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The control socket's protocol (QMP-like, one JSON object per line):
 *   {"execute": "NAME", "arguments": {...}, "id": ANY}
 *   -> {"return": {...}, "id": ANY}
 *   -> {"error": {"class": "...", "desc": "..."}, "id": ANY}
 * This file only parses, validates and dispatches: what a command does is
 * the caller's struct qmp_ops (core/vmctl.c for the launcher, a fake VM in
 * the unit tests). No sockets, no threads.
 */
#ifndef NYX_QMP_H
#define NYX_QMP_H

#include <stddef.h>

#include <json-c/json.h>

/* Longest request line the server accepts (the newline not counted). */
#define QMP_LINE_MAX	(64 * 1024)

/* Error classes (QMP's names). */
#define QMP_ERR_GENERIC		"GenericError"
#define QMP_ERR_NOT_FOUND	"CommandNotFound"

/*
 * Each callback returns 0 and may add members to ret (a JSON object,
 * or an array for query_cpus), or a negative errno with a message in err.
 */
struct qmp_ops {
	int (*query_status)(void *opaque, json_object *ret);
	int (*pause)(void *opaque, char *err, size_t errlen);
	int (*resume)(void *opaque, char *err, size_t errlen);
	int (*quit)(void *opaque, char *err, size_t errlen);
	int (*powerdown)(void *opaque, char *err, size_t errlen);
	int (*reset)(void *opaque, char *err, size_t errlen);
	int (*query_cpus)(void *opaque, json_object *ret);
	int (*query_stats)(void *opaque, json_object *ret);
	/* component may be NULL (the default level) */
	int (*set_log_level)(void *opaque, const char *component,
			     const char *level, char *err, size_t errlen);
	/* ret is an array; NULL callbacks: "not implemented" */
	int (*query_devices)(void *opaque, json_object *ret);
	int (*device_reset)(void *opaque, const char *device, char *err,
			    size_t errlen);
};

/*
 * Handle one request line (without its newline; need not be
 * NUL-terminated). Returns the reply, a malloc'd NUL-terminated line
 * ending in "\n", or NULL if out of memory.
 */
char *qmp_dispatch(const struct qmp_ops *ops, void *opaque,
		   const char *line, size_t len);

/* The error reply for a line over QMP_LINE_MAX (never parsed). */
char *qmp_error_reply(const char *class, const char *desc);

/*
 * An event line: {"event": NAME, "data": data (taken over; NULL for
 * {}), "timestamp": {"seconds": s, "microseconds": us}}\n. malloc'd.
 */
char *qmp_event_line(const char *name, json_object *data, long long sec,
		     long usec);

#endif
