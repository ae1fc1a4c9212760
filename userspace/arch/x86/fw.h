/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What firmware would leave in low memory for a kernel that is booted
 * directly: the BDA fields that point at the EBDA, and a bump allocator
 * for the firmware tables (ACPI, MP) in the reserved F-segment, plus the
 * one 8-bit checksum helper both table families use.
 */
#ifndef NYX_X86_FW_H
#define NYX_X86_FW_H

#include "core/util.h"

struct vm;

struct fw_area {
	struct vm *vm;
	u64 base, end;		/* guest-physical [base, end) */
	u64 next;		/* first free byte */
};

/* The byte that makes the 8-bit sum of data[0..len) plus itself zero. */
u8 fw_checksum(const void *data, size_t len);

/* Store fw_checksum() of data[0..len) (with data[at] = 0) at data[at]. */
void fw_set_checksum(void *data, size_t len, size_t at);

void fw_area_init(struct fw_area *a, struct vm *vm, u64 base, u64 end);

/*
 * Allocate len zeroed bytes aligned to align (a power of two). Returns the
 * host address and sets *gpa, or returns NULL if the area is full.
 */
void *fw_alloc(struct fw_area *a, u64 len, u64 align, u64 *gpa);

/* BDA: EBDA segment at 0x40e and base memory size (KiB) at 0x413, where
 * Linux and the MP/ACPI scans look for the EBDA. Returns 0 or -EFAULT. */
int fw_write_bda(struct vm *vm);

#endif
