/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Multiboot v1 (the GNU Multiboot Specification 0.6.96): a kernel with a
 * 0x1BADB002 header in its first 8 KiB is loaded from its ELF program
 * headers, or from the header's "a.out kludge" addresses when flag 16 is
 * set, and entered in 32-bit protected mode with paging off, EAX =
 * 0x2BADB002 and EBX = the multiboot information (memory sizes, e820 map,
 * command line, --initrd as the single module).
 */
#ifndef NYX_X86_MULTIBOOT_H
#define NYX_X86_MULTIBOOT_H

#include "arch/x86/kernel.h"

#define MULTIBOOT_HEADER_MAGIC		0x1badb002
#define MULTIBOOT_BOOTLOADER_MAGIC	0x2badb002
#define MULTIBOOT_SEARCH		8192
#define MULTIBOOT_HEADER_SIZE		32	/* through entry_addr */

/* Header flags */
#define MULTIBOOT_PAGE_ALIGN		(1u << 0)	/* modules page aligned */
#define MULTIBOOT_MEMORY_INFO		(1u << 1)	/* mem_* and mmap wanted */
#define MULTIBOOT_VIDEO_MODE		(1u << 2)	/* a request: may be ignored */
#define MULTIBOOT_AOUT_KLUDGE		(1u << 16)
/* Bits 0-15 are requirements: an unknown one means "do not boot me". */
#define MULTIBOOT_KNOWN_REQUIRED	0x7

/* Information flags and offsets */
#define MBI_FLAG_MEM			(1u << 0)
#define MBI_FLAG_CMDLINE		(1u << 2)
#define MBI_FLAG_MODS			(1u << 3)
#define MBI_FLAG_MMAP			(1u << 6)
#define MBI_FLAG_LOADER_NAME		(1u << 9)
#define MBI_FLAGS			0
#define MBI_MEM_LOWER			4
#define MBI_MEM_UPPER			8
#define MBI_CMDLINE			16
#define MBI_MODS_COUNT			20
#define MBI_MODS_ADDR			24
#define MBI_MMAP_LENGTH			44
#define MBI_MMAP_ADDR			48
#define MBI_LOADER_NAME			64
#define MBI_SIZE			120	/* through the framebuffer fields */
#define MB_MMAP_ENTRY_SIZE		24	/* size (=20), addr, len, type */
#define MB_MODULE_SIZE			16	/* start, end, string, reserved */

/* Offsets inside the boot information page. */
#define MB_MMAP_OFFSET			0x100
#define MB_MODS_OFFSET			0x200
#define MB_LOADER_NAME_OFFSET		0x280
#define MB_MOD_STRING_OFFSET		0x300
#define MB_MOD_STRING_MAX		(0x1000 - MB_MOD_STRING_OFFSET)

struct multiboot_header {
	u64 offset;		/* in the file */
	u32 flags;
	u32 header_addr, load_addr, load_end_addr, bss_end_addr, entry_addr;
};

/*
 * Look for a header (magic, flags and checksum summing to 0, 4-byte
 * aligned, inside the first 8 KiB). Returns 1 and fills *mh if found, 0
 * if not. The a.out-kludge fields are read only if flag 16 is set and are
 * zero if they run past the end of the file (multiboot_load rejects that).
 */
int multiboot_find_header(const struct image *img, struct multiboot_header *mh);

int multiboot_load(const struct kernel_boot *kb, const struct image *img,
		   struct x86_boot_entry *entry);

#endif
