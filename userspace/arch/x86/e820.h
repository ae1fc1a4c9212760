/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest's physical memory map, in e820 terms. One table feeds every
 * consumer (Linux zero page, PVH memmap, multiboot mmap, and the loaders'
 * own placement checks), so they cannot disagree.
 */
#ifndef NYX_X86_E820_H
#define NYX_X86_E820_H

#include "core/util.h"

struct vm;

#define E820_RAM	1
#define E820_RESERVED	2
#define E820_ACPI	3
#define E820_NVS	4
#define E820_UNUSABLE	5

#define E820_MAX	8

struct e820_entry {
	u64 addr;
	u64 size;
	u32 type;
};

struct e820_table {
	unsigned int nr;
	struct e820_entry map[E820_MAX];	/* sorted, disjoint */
};

/* RAM below the EBDA, the reserved EBDA and firmware area, RAM from 1 MiB
 * to the PCI hole, the reserved PCI ECAM window and RAM from 4 GiB, per
 * vm's low/high split. */
void e820_build(struct e820_table *t, const struct vm *vm);

/* The type of the entry wholly containing [addr, addr + size), or 0. */
u32 e820_type_of(const struct e820_table *t, u64 addr, u64 size);

#endif
