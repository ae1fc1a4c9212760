/* SPDX-License-Identifier: GPL-2.0 */
/*
 * --kernel: recognise the image format and boot it.
 *
 *   Linux bzImage      "HdrS" setup header: the Linux/x86 boot protocol,
 *                      64-bit entry (32-bit for kernels without
 *                      XLF_KERNEL_64) with a zero page.
 *   multiboot v1       0x1BADB002 header in the first 8 KiB (ELF, or any
 *                      file with the a.out-kludge addresses).
 *   ELF with PVH note  XEN_ELFNOTE_PHYS32_ENTRY (an uncompressed vmlinux):
 *                      32-bit entry with an hvm_start_info.
 * The order is QEMU's: a bzImage first, then multiboot (whose ELF images
 * could also carry a PVH note), then PVH.
 */
#ifndef NYX_X86_KERNEL_H
#define NYX_X86_KERNEL_H

#include "arch/x86/boot.h"
#include "core/image.h"

struct vm;
struct x86_layout;

enum kernel_format {
	KERNEL_UNKNOWN,
	KERNEL_BZIMAGE,
	KERNEL_MULTIBOOT,
	KERNEL_PVH,
};

/* What every loader gets. */
struct kernel_boot {
	struct vm *vm;
	struct x86_layout *layout;
	const char *cmdline;		/* never NULL */
	const struct image *initrd;	/* NULL without --initrd */
	u64 rsdp_addr;			/* ACPI RSDP, 0 if none */
	u32 tsc_khz;			/* guest TSC rate for Linux, 0: unknown */
};

enum kernel_format kernel_detect(const struct image *img);
const char *kernel_format_name(enum kernel_format f);

/* Detect and load; fills the boot vCPU's entry state. Returns 0 or
 * NYX_EXIT_SETUP after printing why. */
int kernel_load(const struct kernel_boot *kb, const struct image *img,
		struct x86_boot_entry *entry);

/* ---- helpers shared by the loaders ---- */

/*
 * Claim the IVT/BDA/GDT page and write the boot GDT for mode, plus the
 * identity page tables for X86_ENTRY_LONG. Returns 0 or NYX_EXIT_SETUP.
 */
int boot_setup_cpu_tables(const struct kernel_boot *kb,
			  enum x86_entry_mode mode);

/* Claim the boot information page; returns its zeroed host address, or
 * NULL after printing why. */
u8 *boot_claim_info(const struct kernel_boot *kb);

/*
 * Write the command line at BOOT_CMDLINE_ADDR. max_len is the longest the
 * kernel accepts, without the NUL. Returns 0 or NYX_EXIT_SETUP.
 */
int boot_put_cmdline(const struct kernel_boot *kb, u64 max_len);

/*
 * Place the initrd page aligned as high as possible in [lo, hi) and read
 * it in. Without --initrd, sets *addr = *size = 0. Returns 0 or
 * NYX_EXIT_SETUP.
 */
int boot_load_initrd(const struct kernel_boot *kb, u64 lo, u64 hi,
		     u64 *addr, u64 *size);

#endif
