/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Machine-level requests from the guest's platform devices: ACPI S5
 * (poweroff) and reset (port 0xcf9, the i8042 reset line). nyx cannot
 * reset a VM in place yet, so both end the run through the stop protocol
 * (core/stop.h), with distinct exit statuses:
 *   poweroff -> NYX_EXIT_OK (0), the same as "all vCPUs halted": both mean
 *               the guest finished on its own;
 *   reset    -> NYX_EXIT_GUEST_RESET (8): a wrapper that wants "reboot"
 *               semantics restarts nyx on this status.
 * Only the first stop request counts, so a guest that tries several reset
 * methods in a row still exits with the status of the first.
 */
#ifndef NYX_MACHINE_H
#define NYX_MACHINE_H

void machine_poweroff_request(void);
void machine_reset_request(void);

#endif
