/* SPDX-License-Identifier: GPL-2.0 */
/*
 * PVH boot of an ELF kernel (an uncompressed vmlinux built with
 * CONFIG_PVH), the way QEMU boots one: PT_LOAD segments at their physical
 * addresses, entry at XEN_ELFNOTE_PHYS32_ENTRY in 32-bit protected mode
 * with paging off and EBX = the hvm_start_info (version 1: command line,
 * RSDP, e820-style memory map, the initrd as module 0).
 */
#ifndef NYX_X86_PVH_H
#define NYX_X86_PVH_H

#include "arch/x86/kernel.h"

#define XEN_ELFNOTE_PHYS32_ENTRY	18
#define PVH_START_MAGIC			0x336ec578

/* struct hvm_start_info (version 1) offsets */
#define HSI_MAGIC		0
#define HSI_VERSION		4
#define HSI_FLAGS		8
#define HSI_NR_MODULES		12
#define HSI_MODLIST_PADDR	16
#define HSI_CMDLINE_PADDR	24
#define HSI_RSDP_PADDR		32
#define HSI_MEMMAP_PADDR	40
#define HSI_MEMMAP_ENTRIES	48
#define HSI_SIZE		56

#define HVM_MODLIST_ENTRY_SIZE	32	/* paddr, size, cmdline_paddr, reserved */
#define HVM_MEMMAP_ENTRY_SIZE	24	/* addr, size, type, reserved */

/* Offsets of the arrays inside the boot information page. */
#define PVH_MEMMAP_OFFSET	0x100
#define PVH_MODLIST_OFFSET	0x400

int pvh_load(const struct kernel_boot *kb, const struct image *img,
	     struct x86_boot_entry *entry);

#endif
