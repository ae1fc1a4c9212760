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
struct virtio_net;

struct vmctl {
	struct acpi_pm *pm;
	struct virtio_blk *blks;
	const unsigned int *nr_blks;
	struct virtio_net *nets;
	const unsigned int *nr_nets;
	bool stopping;		/* set once the VM is being torn down */
};

extern const struct qmp_ops vmctl_ops;

/*
 * Hook for the module's binary statistics: if set, query-stats calls it
 * to add a "module" member to its reply. Set by default to
 * vmctl_module_stats_binary().
 */
extern int (*vmctl_module_stats)(json_object *ret);

/*
 * The "module" member from NYX_GET_STATS on every vCPU's fd (a read-only
 * ioctl that does not wait for NYX_RUN): {"descriptors": {NAME: {"type",
 * "unit", "size"}}, "vcpus": [{"cpu-index", "stats": {NAME: N or [N...]}}]}.
 * Adds nothing when the module has no binary stats.
 */
int vmctl_module_stats_binary(json_object *ret);

/* The "devices" member: every virtio device's counters. */
json_object *vmctl_devices_json(const struct vmctl *c);

/* The exit status as an event reason ("guest-poweroff", "host-quit"...). */
const char *vmctl_exit_reason(int status, int signo);

/* At the end of a run: RESET (status 8) then SHUTDOWN events. */
void vmctl_shutdown_events(struct vmctl *c, int status, int signo);

/* DEVICE_ERROR from the virtio devices (virtio_error_hook): device name,
 * quarantine class ("guest"|"backend"), reason. */
void vmctl_device_error(const char *name, const char *cls, const char *why);

#endif
