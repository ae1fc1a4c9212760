/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The VM: the /dev/nyx and VM file descriptors and guest RAM.
 *
 * Guest RAM is one anonymous host mapping, split around the 32-bit PCI
 * hole like on a PC: the first min(size, 3 GiB) are guest-physical
 * [0, 3 GiB) in memory slot 0, the rest (if any) is [4 GiB, ...) in slot 1.
 */
#ifndef NYX_VM_H
#define NYX_VM_H

#include "core/util.h"

#define NYX_DEV_PATH		"/dev/nyx"
#define RAM_LOW_MAX		(3 * SZ_1G)	/* PCI hole starts here */
#define RAM_HIGH_BASE		(4 * SZ_1G)	/* RAM resumes here */
#define RAM_MIN_SIZE		SZ_1M
#define PAGE_SIZE		4096ull

struct vm {
	int sys_fd;		/* /dev/nyx */
	int vm_fd;
	int vcpu_mmap_size;	/* NYX_GET_VCPU_MMAP_SIZE */
	int max_vcpus;		/* NYX_CAP_NR_VCPUS, 0 if unknown */

	u8 *ram;		/* host mapping of all guest RAM */
	u64 ram_size;
	u64 low_size;		/* guest [0, low_size) = ram[0, low_size) */
	u64 high_size;		/* guest [4G, 4G + high_size) = ram[low_size, ...) */
};

void vm_init(struct vm *vm);

/* Compute the low/high split for size bytes of RAM (no allocation). */
void vm_ram_layout(struct vm *vm, u64 size);

/* Reserve guest RAM. size_text is the user's spelling, for messages.
 * Returns 0 or an exit status after printing why. */
int vm_reserve_ram(struct vm *vm, u64 size, const char *size_text);

/* Open /dev/nyx, check the API version, create the VM and register RAM.
 * Returns 0 or an exit status after printing why. */
int vm_create(struct vm *vm);

void vm_destroy(struct vm *vm);

/*
 * Host address of guest-physical [gpa, gpa + len), or NULL unless the
 * whole range is RAM in a single slot.
 */
void *gpa_to_hva(const struct vm *vm, u64 gpa, u64 len);

/* Copy to/from guest RAM; return -EFAULT if the range is not all RAM. */
int vm_write_guest(const struct vm *vm, u64 gpa, const void *src, u64 len);
int vm_read_guest(const struct vm *vm, u64 gpa, void *dst, u64 len);

#endif
