/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Booting x86 guests: the --flat loader and the initial vCPU state.
 */
#ifndef NYX_X86_BOOT_H
#define NYX_X86_BOOT_H

#include <uapi/nyx.h>

#include "core/util.h"

struct vm;

#define FLAT_DEFAULT_ADDR	0x7c00	/* where a BIOS puts a boot sector */

/*
 * Split "FILE[@ADDR]" at its last '@'. *path is malloc'd. ADDR is decimal
 * or 0x hex and defaults to FLAT_DEFAULT_ADDR. Returns 0 or -EINVAL.
 */
int parse_flat_spec(const char *spec, char **path, u64 *addr);

/* Copy FILE into guest RAM at addr; it must fit entirely in the RAM below
 * the PCI hole. Returns 0 or an exit status after printing why. */
int flat_load(struct vm *vm, const char *path, u64 addr);

/*
 * Real-mode state a flat image starts in: like a CPU after reset but with
 * flat 64 KiB segments at 0 and CS:IP = 0:entry (for an entry above
 * 0xffff, CS base = entry & ~0xf and IP = entry & 0xf).
 * Fields not listed (apic_base, ...) are left as they were, so this is
 * applied on top of NYX_GET_SREGS.
 */
void x86_real_mode_sregs(struct nyx_sregs *sregs, u64 entry);
void x86_real_mode_regs(struct nyx_regs *regs, u64 entry);

/* GET_SREGS, apply the real-mode state, SET_SREGS and SET_REGS.
 * Returns 0 or -errno after printing why. */
int x86_boot_vcpu(int vcpu_fd, unsigned int vcpu_id, u64 entry);

#endif
