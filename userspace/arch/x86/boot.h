/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Booting x86 guests: the --flat loader and the initial vCPU state of each
 * boot path (real mode for --flat, 32-bit protected mode for PVH and
 * multiboot, 64-bit mode for the Linux boot protocol).
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

enum x86_entry_mode {
	X86_ENTRY_REAL,		/* CS:IP = 0:entry (or entry>>4:entry&0xf) */
	X86_ENTRY_PROTECTED,	/* flat 32-bit segments, paging off */
	X86_ENTRY_LONG,		/* 64-bit, identity map of 0-4 GiB */
};

/* Boot GDT selectors: what the Linux boot protocol asks for, used by
 * every path so a guest always finds a valid GDT behind CS and DS. */
#define BOOT_CS			0x10
#define BOOT_DS			0x18
#define BOOT_GDT_ENTRIES	4

/* The boot vCPU's initial state, as produced by a loader. */
struct x86_boot_entry {
	enum x86_entry_mode mode;
	u64 entry;		/* linear entry address (REAL) */
	struct nyx_regs regs;	/* RIP and the protocol's registers */
};

/* Start in real mode at linear address addr (the --flat path). */
void x86_entry_real(struct x86_boot_entry *e, u64 addr);

/* Start in mode at rip with all other GPRs zero and interrupts off; the
 * loader then sets the registers its protocol defines. */
void x86_entry_init(struct x86_boot_entry *e, enum x86_entry_mode mode,
		    u64 rip);

/*
 * Segment, control and descriptor-table registers for e, applied on top
 * of NYX_GET_SREGS like x86_real_mode_sregs(). Protected and long mode use
 * BOOT_CS/BOOT_DS flat 4 GiB segments and the GDT at BOOT_GDT_ADDR; long
 * mode adds CR3 = BOOT_PGTABLE_ADDR, CR4.PAE and EFER.LME|LMA.
 */
void x86_entry_sregs(struct nyx_sregs *sregs, const struct x86_boot_entry *e);

/* Write the boot GDT for mode (its code descriptor is 64-bit for
 * X86_ENTRY_LONG, 32-bit otherwise). Returns 0 or -EFAULT. */
int x86_write_boot_gdt(struct vm *vm, enum x86_entry_mode mode);

/* Write the identity map of 0-4 GiB (2 MiB pages) at BOOT_PGTABLE_ADDR.
 * Returns 0 or -EFAULT. */
int x86_write_identity_map(struct vm *vm);

/* GET_SREGS, apply e's state, SET_SREGS and SET_REGS. Returns 0 or
 * -errno after printing why. */
int x86_boot_vcpu(int vcpu_fd, unsigned int vcpu_id,
		  const struct x86_boot_entry *e);

/* MSRs firmware would have set before starting a kernel (MTRRs). */
int x86_vcpu_firmware_msrs(int vcpu_fd, unsigned int vcpu_id);

/* Take an AP out of wait-for-SIPI (the irqchip's reset state) so that it
 * runs from its registers, like every vCPU of a --flat guest. */
int x86_vcpu_runnable(int vcpu_fd, unsigned int vcpu_id);

#endif
