/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The launcher's side of the control socket: the struct qmp_ops that
 * acts on the running VM (vCPUs, ACPI power button, stop protocol,
 * logger) and the events it raises.
 */
#ifndef NYX_VMCTL_H
#define NYX_VMCTL_H

#include <json-c/json.h>

#include "core/qmp.h"

struct acpi_pm;
struct virtio_blk;

struct vmctl {
	struct acpi_pm *pm;
	struct virtio_blk *blks;
	const unsigned int *nr_blks;
	bool stopping;		/* set once the VM is being torn down */
};

extern const struct qmp_ops vmctl_ops;

/*
 * Hook for the module's binary statistics (another part of issue 6):
 * if set, query-stats calls it to add a "module" member to its reply.
 */
extern int (*vmctl_module_stats)(json_object *ret);

/* The exit status as an event reason ("guest-poweroff", "host-quit"...). */
const char *vmctl_exit_reason(int status, int signo);

/* At the end of a run: RESET (status 8) then SHUTDOWN events. */
void vmctl_shutdown_events(struct vmctl *c, int status, int signo);

/* DEVICE_ERROR from the virtio devices (virtio_error_hook): device name,
 * quarantine class ("guest"|"backend"), reason. */
void vmctl_device_error(const char *name, const char *cls, const char *why);

#endif
