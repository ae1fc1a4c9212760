/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Linux/x86 boot protocol (Documentation/arch/x86/boot.rst) for a
 * bzImage, entered directly at its 64-bit entry point (startup_64, load
 * address + 0x200) like a 64-bit boot loader does; kernels without
 * XLF_KERNEL_64 are entered at the 32-bit entry (the load address). The
 * real-mode setup code is never run, so the launcher provides what it
 * would: the zero page (struct boot_params) with the setup header, the
 * e820 map, the command line and the initrd.
 */
#ifndef NYX_X86_BZIMAGE_H
#define NYX_X86_BZIMAGE_H

#include "arch/x86/kernel.h"

/* Zero page (struct boot_params) offsets used here. */
#define BP_ACPI_RSDP_ADDR	0x070
#define BP_EXT_RAMDISK_IMAGE	0x0c0
#define BP_EXT_RAMDISK_SIZE	0x0c4
#define BP_EXT_CMD_LINE_PTR	0x0c8
#define BP_E820_ENTRIES		0x1e8
#define BP_SENTINEL		0x1ef
#define BP_HDR			0x1f1	/* struct setup_header */
#define BP_E820_TABLE		0x2d0
#define BP_E820_MAX		128
#define BP_SIZE			0x1000

/* Setup header fields, at their offsets in the file and the zero page. */
#define HDR_SETUP_SECTS		0x1f1
#define HDR_SYSSIZE		0x1f4
#define HDR_BOOT_FLAG		0x1fe	/* 0xaa55 */
#define HDR_JUMP		0x200	/* jmp rel8: the header ends at 0x202 + rel8 */
#define HDR_MAGIC		0x202	/* "HdrS" */
#define HDR_VERSION		0x206
#define HDR_TYPE_OF_LOADER	0x210
#define HDR_LOADFLAGS		0x211
#define HDR_CODE32_START	0x214
#define HDR_RAMDISK_IMAGE	0x218
#define HDR_RAMDISK_SIZE	0x21c
#define HDR_HEAP_END_PTR	0x224
#define HDR_CMD_LINE_PTR	0x228
#define HDR_INITRD_ADDR_MAX	0x22c
#define HDR_KERNEL_ALIGNMENT	0x230
#define HDR_RELOCATABLE		0x234
#define HDR_XLOADFLAGS		0x236
#define HDR_CMDLINE_SIZE	0x238
#define HDR_HARDWARE_SUBARCH	0x23c
#define HDR_SETUP_DATA		0x250
#define HDR_PREF_ADDRESS	0x258
#define HDR_INIT_SIZE		0x260
#define HDR_END_MAX		0x290	/* where boot_params.hdr's room ends */

#define LOADED_HIGH		(1u << 0)
#define CAN_USE_HEAP		(1u << 7)
#define XLF_KERNEL_64		(1u << 0)
#define XLF_CAN_BE_LOADED_ABOVE_4G (1u << 1)

#define BZIMAGE_MIN_VERSION	0x0206	/* cmdline_size exists from 2.06 */
#define BZIMAGE_LOADER_TYPE	0xff	/* "undefined" boot loader */
#define BZIMAGE_HEAP_END	0xfe00	/* what QEMU uses; real-mode only */
#define BZIMAGE_ENTRY64_OFFSET	0x200	/* startup_64 - startup_32 */

/* The parsed setup header of a bzImage. */
struct bzimage_info {
	u16 version;
	u8 loadflags;
	u16 xloadflags;			/* 0 before 2.12 */
	u64 header_end;			/* bytes to copy into the zero page */
	u64 setup_size;			/* real-mode part: (setup_sects + 1) * 512 */
	u64 kernel_size;		/* protected-mode part: the rest */
	u64 init_size;			/* memory the kernel needs from its load address */
	u64 pref_address;
	u32 kernel_alignment;
	bool relocatable;
	bool entry64;
	u32 cmdline_size;		/* longest command line, without the NUL */
	u32 initrd_addr_max;		/* highest byte an initrd may use */
};

/* "HdrS" and the boot flag are there. */
bool bzimage_is_bzimage(const struct image *img);

/* Validate the setup header. Returns 0 or NYX_EXIT_SETUP after printing
 * why. */
int bzimage_parse(const struct image *img, struct bzimage_info *bi);

int bzimage_load(const struct kernel_boot *kb, const struct image *img,
		 struct x86_boot_entry *entry);

#endif
