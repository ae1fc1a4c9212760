/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest-physical memory layout of a kernel boot, and the bookkeeping that
 * keeps the loaders' placements inside RAM and apart from each other.
 *
 *   0x00000-0x004ff  real-mode IVT (zero) and BDA (EBDA segment, base
 *                    memory size)
 *   0x00500-0x0051f  boot GDT: null, null, code 0x10, data 0x18
 *   0x01000-0x06fff  identity page tables for a 64-bit entry: PML4, PDPT
 *                    and four PDs of 2 MiB pages covering 0-4 GiB
 *   0x07000-0x07fff  boot information: Linux zero page, PVH hvm_start_info
 *                    or multiboot info, with their arrays and strings
 *   0x20000-0x20fff  kernel command line
 *   0x9fc00-0x9ffff  EBDA (e820 reserved): MP floating pointer
 *   0xf0000-0xfffff  firmware area (e820 reserved): ACPI RSDP first, then
 *                    the other ACPI tables and the MP configuration table
 *   0x100000-        kernel (bzImage: its preferred address, 16 MiB for
 *                    Debian's kernels, when it fits); initrd at the top of
 *                    RAM below 4 GiB (and below the kernel's limit)
 * RAM above 3 GiB continues at 4 GiB (core/vm.h); the e820 map leaves the
 * hole out and marks the EBDA and the firmware area reserved.
 */
#ifndef NYX_X86_LAYOUT_H
#define NYX_X86_LAYOUT_H

#include "arch/x86/e820.h"
#include "core/util.h"

struct vm;

#define BDA_EBDA_SEGMENT	0x40e	/* u16 */
#define BDA_BASE_MEMORY_KB	0x413	/* u16 */
#define BOOT_LOW_RESERVED_END	0x1000	/* IVT, BDA, GDT */
#define BOOT_GDT_ADDR		0x500
#define BOOT_PGTABLE_ADDR	0x1000
#define BOOT_PGTABLE_SIZE	0x6000
#define BOOT_INFO_ADDR		0x7000
#define BOOT_INFO_SIZE		0x1000
#define BOOT_CMDLINE_ADDR	0x20000
#define BOOT_CMDLINE_MAX	0x1000	/* including the NUL */
#define EBDA_ADDR		0x9fc00
#define EBDA_END		0xa0000
#define FW_AREA_ADDR		0xf0000
#define FW_AREA_END		0x100000
#define HIGH_MEMORY_ADDR	0x100000	/* 1 MiB */

#define LAYOUT_MAX_RANGES	32

struct layout_range {
	u64 start, end;		/* [start, end) */
	const char *what;
};

struct x86_layout {
	const struct vm *vm;
	struct e820_table e820;
	unsigned int nr;
	struct layout_range used[LAYOUT_MAX_RANGES];
};

/* The e820 map of vm, and nothing placed yet. */
void layout_init(struct x86_layout *l, const struct vm *vm);

/*
 * Claim [start, start + size) for "what". It must be e820 RAM and must not
 * overlap an earlier claim. Returns 0 or NYX_EXIT_SETUP after printing why.
 */
int layout_claim(struct x86_layout *l, u64 start, u64 size, const char *what);

/*
 * Find and claim the highest align-aligned [a, a + size) with lo <= a and
 * a + size <= hi that is RAM and free. Returns 0 with *addr set, or
 * NYX_EXIT_SETUP after printing why.
 */
int layout_alloc_top(struct x86_layout *l, u64 size, u64 align, u64 lo,
		     u64 hi, const char *what, u64 *addr);

/* Where layout_alloc_top() would put it, without claiming or printing. */
bool layout_find_top(const struct x86_layout *l, u64 size, u64 align, u64 lo,
		     u64 hi, u64 *addr);

/* The same as layout_alloc_top(), lowest address first. */
int layout_alloc_bottom(struct x86_layout *l, u64 size, u64 align, u64 lo,
			u64 hi, const char *what, u64 *addr);

/* True if [start, start + size) is RAM and unclaimed (prints nothing). */
bool layout_is_free(const struct x86_layout *l, u64 start, u64 size);

/* The claim overlapping [start, end), or NULL. */
const struct layout_range *layout_find_overlap(const struct x86_layout *l,
					       u64 start, u64 end);

#endif
