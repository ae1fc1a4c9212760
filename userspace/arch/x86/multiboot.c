// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/x86/elf.h"
#include "arch/x86/layout.h"
#include "arch/x86/multiboot.h"
#include "core/vm.h"

#define SZ_4G			(4 * SZ_1G)
#define MB_LOADER_NAME		"nyx"

_Static_assert(MB_MMAP_OFFSET >= MBI_SIZE, "mmap after the info");
_Static_assert(MB_MMAP_OFFSET + E820_MAX * MB_MMAP_ENTRY_SIZE <=
	       MB_MODS_OFFSET, "mmap fits");

int multiboot_find_header(const struct image *img, struct multiboot_header *mh)
{
	u8 buf[MULTIBOOT_SEARCH];
	u64 len = img->size < sizeof(buf) ? img->size : sizeof(buf);
	u64 off;

	if (image_read(img, 0, buf, len))
		return 0;
	for (off = 0; off + 12 <= len; off += 4) {
		u32 magic = load_le(buf + off, 4), flags, sum;

		if (magic != MULTIBOOT_HEADER_MAGIC)
			continue;
		flags = load_le(buf + off + 4, 4);
		sum = magic + flags + (u32)load_le(buf + off + 8, 4);
		if (sum)
			continue;
		memset(mh, 0, sizeof(*mh));
		mh->offset = off;
		mh->flags = flags;
		if ((flags & MULTIBOOT_AOUT_KLUDGE) &&
		    image_has(img, off, MULTIBOOT_HEADER_SIZE)) {
			u8 f[MULTIBOOT_HEADER_SIZE];

			image_read(img, off, f, sizeof(f));
			mh->header_addr = load_le(f + 12, 4);
			mh->load_addr = load_le(f + 16, 4);
			mh->load_end_addr = load_le(f + 20, 4);
			mh->bss_end_addr = load_le(f + 24, 4);
			mh->entry_addr = load_le(f + 28, 4);
		}
		return 1;
	}
	return 0;
}

/* The "a.out kludge": the header says which part of the file goes where. */
static int load_kludge(const struct kernel_boot *kb, const struct image *img,
		       const struct multiboot_header *mh, u64 *low, u64 *high,
		       u64 *entry)
{
	u64 load_off, load_size, mem_size;
	u8 *dst;
	int ret;

	if (!image_has(img, mh->offset, MULTIBOOT_HEADER_SIZE))
		return image_error(img, "truncated multiboot header");
	if (mh->header_addr < mh->load_addr ||
	    mh->header_addr - mh->load_addr > mh->offset)
		return image_error(img, "multiboot header_addr 0x%x / load_addr 0x%x do not match the header's file offset 0x%llx",
				   mh->header_addr, mh->load_addr,
				   (unsigned long long)mh->offset);
	load_off = mh->offset - (mh->header_addr - mh->load_addr);
	if (!mh->load_end_addr)
		load_size = img->size - load_off;
	else if (mh->load_end_addr > mh->load_addr)
		load_size = mh->load_end_addr - mh->load_addr;
	else
		return image_error(img, "multiboot load_end_addr 0x%x is not above load_addr 0x%x",
				   mh->load_end_addr, mh->load_addr);
	if (!image_has(img, load_off, load_size))
		return image_error(img, "truncated: multiboot load range runs past the end of the file");
	mem_size = load_size;
	if (mh->bss_end_addr) {
		if (mh->bss_end_addr < mh->load_addr + load_size)
			return image_error(img, "multiboot bss_end_addr 0x%x is below the end of the loaded data",
					   mh->bss_end_addr);
		mem_size = mh->bss_end_addr - mh->load_addr;
	}
	ret = layout_claim(kb->layout, mh->load_addr, mem_size,
			   "multiboot kernel");
	if (ret)
		return ret;
	dst = gpa_to_hva(kb->vm, mh->load_addr, mem_size);
	if (!dst || image_read(img, load_off, dst, load_size))
		return image_error(img, "read error (file truncated?)");
	memset(dst + load_size, 0, mem_size - load_size);
	*low = mh->load_addr;
	*high = mh->load_addr + mem_size;
	*entry = mh->entry_addr;
	return 0;
}

static int load_elf(const struct kernel_boot *kb, const struct image *img,
		    u64 *low, u64 *high, u64 *entry)
{
	struct elf_file ef;
	int ret;

	ret = elf_parse(&ef, img);
	if (!ret)
		ret = elf_load(&ef, kb->vm, kb->layout, SZ_4G, low, high);
	if (!ret)
		*entry = elf_virt_to_phys(&ef, ef.entry);
	return ret;
}

static void fill_info(u8 *mbi, const struct kernel_boot *kb,
		      u64 initrd_addr, u64 initrd_size)
{
	const struct e820_table *t = &kb->layout->e820;
	u32 flags = MBI_FLAG_MEM | MBI_FLAG_CMDLINE | MBI_FLAG_MODS |
		    MBI_FLAG_MMAP | MBI_FLAG_LOADER_NAME;
	unsigned int i;

	/* Conventional memory ends at the EBDA; upper memory is the RAM
	 * from 1 MiB to the first hole. */
	store_le(mbi + MBI_MEM_LOWER, EBDA_ADDR >> 10, 4);
	store_le(mbi + MBI_MEM_UPPER,
		 (kb->vm->low_size - HIGH_MEMORY_ADDR) >> 10, 4);
	store_le(mbi + MBI_CMDLINE, BOOT_CMDLINE_ADDR, 4);
	for (i = 0; i < t->nr; i++) {
		u8 *e = mbi + MB_MMAP_OFFSET + MB_MMAP_ENTRY_SIZE * i;

		store_le(e, MB_MMAP_ENTRY_SIZE - 4, 4);	/* size excludes itself */
		store_le(e + 4, t->map[i].addr, 8);
		store_le(e + 12, t->map[i].size, 8);
		store_le(e + 20, t->map[i].type, 4);
	}
	store_le(mbi + MBI_MMAP_ADDR, BOOT_INFO_ADDR + MB_MMAP_OFFSET, 4);
	store_le(mbi + MBI_MMAP_LENGTH, t->nr * MB_MMAP_ENTRY_SIZE, 4);
	memcpy(mbi + MB_LOADER_NAME_OFFSET, MB_LOADER_NAME,
	       sizeof(MB_LOADER_NAME));
	store_le(mbi + MBI_LOADER_NAME, BOOT_INFO_ADDR + MB_LOADER_NAME_OFFSET,
		 4);
	store_le(mbi + MBI_MODS_ADDR, BOOT_INFO_ADDR + MB_MODS_OFFSET, 4);
	if (initrd_size) {
		u8 *m = mbi + MB_MODS_OFFSET;

		/* The module's string is its path, as GRUB passes it. */
		snprintf((char *)mbi + MB_MOD_STRING_OFFSET, MB_MOD_STRING_MAX,
			 "%s", kb->initrd->path);
		store_le(mbi + MBI_MODS_COUNT, 1, 4);
		store_le(m, initrd_addr, 4);
		store_le(m + 4, initrd_addr + initrd_size, 4);
		store_le(m + 8, BOOT_INFO_ADDR + MB_MOD_STRING_OFFSET, 4);
	}
	store_le(mbi + MBI_FLAGS, flags, 4);
}

/* Like GRUB and QEMU, the command line starts with the kernel's name. */
static int put_cmdline(const struct kernel_boot *kb, const struct image *img)
{
	struct kernel_boot with_name = *kb;
	size_t len = strlen(img->path) + 1 + strlen(kb->cmdline) + 1;
	char *line = malloc(len);
	int ret;

	if (!line)
		return image_error(img, "out of memory");
	snprintf(line, len, "%s%s%s", img->path, *kb->cmdline ? " " : "",
		 kb->cmdline);
	with_name.cmdline = line;
	ret = boot_put_cmdline(&with_name, BOOT_CMDLINE_MAX - 1);
	free(line);
	return ret;
}

int multiboot_load(const struct kernel_boot *kb, const struct image *img,
		   struct x86_boot_entry *entry)
{
	u64 low = 0, high = 0, mb_entry = 0, initrd_addr, initrd_size;
	struct multiboot_header mh;
	u8 *mbi;
	int ret;

	if (multiboot_find_header(img, &mh) != 1)
		return image_error(img, "no multiboot header");
	if (mh.flags & 0xffff & ~MULTIBOOT_KNOWN_REQUIRED)
		return image_error(img, "multiboot header requires unsupported features (flags 0x%x)",
				   mh.flags);
	ret = boot_setup_cpu_tables(kb, X86_ENTRY_PROTECTED);
	if (ret)
		return ret;
	if (mh.flags & MULTIBOOT_AOUT_KLUDGE)
		ret = load_kludge(kb, img, &mh, &low, &high, &mb_entry);
	else if (elf_is_elf(img))
		ret = load_elf(kb, img, &low, &high, &mb_entry);
	else
		ret = image_error(img, "multiboot image is neither ELF nor has the a.out-kludge addresses (flag 16)");
	if (ret)
		return ret;
	if (mb_entry < low || mb_entry >= high)
		return image_error(img, "multiboot entry 0x%llx is outside the loaded image [0x%llx-0x%llx)",
				   (unsigned long long)mb_entry,
				   (unsigned long long)low,
				   (unsigned long long)high);
	ret = put_cmdline(kb, img);
	if (!ret)
		ret = boot_load_initrd(kb, HIGH_MEMORY_ADDR, SZ_4G,
				       &initrd_addr, &initrd_size);
	if (ret)
		return ret;
	mbi = boot_claim_info(kb);
	if (!mbi)
		return NYX_EXIT_SETUP;
	fill_info(mbi, kb, initrd_addr, initrd_size);

	x86_entry_init(entry, X86_ENTRY_PROTECTED, mb_entry);
	entry->regs.rax = MULTIBOOT_BOOTLOADER_MAGIC;
	entry->regs.rbx = BOOT_INFO_ADDR;
	pr_debug("multiboot: image [0x%llx-0x%llx), entry 0x%llx",
		 (unsigned long long)low, (unsigned long long)high,
		 (unsigned long long)mb_entry);
	return 0;
}
