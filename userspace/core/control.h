/* SPDX-License-Identifier: GPL-2.0 */
/*
 * --control PATH: the control socket server. One thread polls the
 * listening UNIX socket (mode 0600) and up to CONTROL_MAX_CLIENTS
 * clients, all non-blocking: requests are answered by qmp_dispatch(),
 * events are queued to every client. A client that sends a line over
 * QMP_LINE_MAX gets an error and the rest of the line is dropped; one
 * that does not read its replies and events is disconnected once
 * CONTROL_OUT_MAX bytes wait for it. Nothing a client does blocks a vCPU.
 */
#ifndef NYX_CONTROL_H
#define NYX_CONTROL_H

#include <json-c/json.h>

#include "core/qmp.h"

#define CONTROL_MAX_CLIENTS	16
#define CONTROL_OUT_MAX		(256 * 1024)

/* Bind PATH (a stale socket there is replaced) and start the thread.
 * Returns 0 or -errno (message printed). */
int control_start(const char *path, const struct qmp_ops *ops, void *opaque);

/* Queue an event for every client (data taken over, may be NULL).
 * Safe from any thread; does nothing without a control socket. */
void control_event(const char *name, json_object *data);

/* Flush what is queued (bounded wait), close everything, remove the
 * socket file. */
void control_stop(void);

#endif
