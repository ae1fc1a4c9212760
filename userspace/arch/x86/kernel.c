// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/x86/bzimage.h"
#include "arch/x86/elf.h"
#include "arch/x86/kernel.h"
#include "arch/x86/layout.h"
#include "arch/x86/multiboot.h"
#include "arch/x86/pvh.h"
#include "core/vm.h"

enum kernel_format kernel_detect(const struct image *img)
{
	struct multiboot_header mh;

	if (bzimage_is_bzimage(img))
		return KERNEL_BZIMAGE;
	if (multiboot_find_header(img, &mh) == 1)
		return KERNEL_MULTIBOOT;
	if (elf_is_elf(img))
		return KERNEL_PVH;	/* pvh_load() insists on the note */
	return KERNEL_UNKNOWN;
}

const char *kernel_format_name(enum kernel_format f)
{
	switch (f) {
	case KERNEL_BZIMAGE:
		return "Linux bzImage";
	case KERNEL_MULTIBOOT:
		return "multiboot";
	case KERNEL_PVH:
		return "ELF (PVH)";
	default:
		return "unknown";
	}
}

/*
 * Linux measures the TSC against the PIT or the ACPI PM timer, with reads
 * that must each take under ~50,000 TSC cycles: on a VM whose exits are
 * slower (nested virtualization) that fails and the TSC is given up. There
 * is no kvmclock to tell the frequency, so the command line does, unless
 * the user already did.
 */
static int linux_load(const struct kernel_boot *kb, const struct image *img,
		      struct x86_boot_entry *entry, bool bzimage)
{
	struct kernel_boot lkb = *kb;
	char *cmdline = NULL;
	int ret;

	if (kb->tsc_khz && !strstr(kb->cmdline, "tsc_early_khz=")) {
		size_t len = strlen(kb->cmdline) + 32;

		cmdline = malloc(len);
		if (!cmdline)
			return image_error(img, "out of memory");
		snprintf(cmdline, len, "%s%stsc_early_khz=%u", kb->cmdline,
			 *kb->cmdline ? " " : "", kb->tsc_khz);
		lkb.cmdline = cmdline;
	}
	ret = bzimage ? bzimage_load(&lkb, img, entry) :
			pvh_load(&lkb, img, entry);
	free(cmdline);
	return ret;
}

int kernel_load(const struct kernel_boot *kb, const struct image *img,
		struct x86_boot_entry *entry)
{
	enum kernel_format f = kernel_detect(img);

	pr_debug("kernel: %s: format %s", img->path, kernel_format_name(f));
	switch (f) {
	case KERNEL_BZIMAGE:
		return linux_load(kb, img, entry, true);
	case KERNEL_MULTIBOOT:
		return multiboot_load(kb, img, entry);
	case KERNEL_PVH:
		return linux_load(kb, img, entry, false);
	default:
		return image_error(img, "not a kernel nyx can boot (expected a Linux bzImage, a multiboot image or an ELF vmlinux with a PVH note)");
	}
}

int boot_setup_cpu_tables(const struct kernel_boot *kb,
			  enum x86_entry_mode mode)
{
	int ret;

	ret = layout_claim(kb->layout, 0, BOOT_LOW_RESERVED_END,
			   "real-mode IVT, BDA and boot GDT");
	if (!ret && mode == X86_ENTRY_LONG)
		ret = layout_claim(kb->layout, BOOT_PGTABLE_ADDR,
				   BOOT_PGTABLE_SIZE, "boot page tables");
	if (ret)
		return ret;
	if (x86_write_boot_gdt(kb->vm, mode) ||
	    (mode == X86_ENTRY_LONG && x86_write_identity_map(kb->vm))) {
		pr_err("cannot write the boot GDT/page tables");
		return NYX_EXIT_SETUP;
	}
	return 0;
}

u8 *boot_claim_info(const struct kernel_boot *kb)
{
	u8 *p;

	if (layout_claim(kb->layout, BOOT_INFO_ADDR, BOOT_INFO_SIZE,
			 "boot information"))
		return NULL;
	p = gpa_to_hva(kb->vm, BOOT_INFO_ADDR, BOOT_INFO_SIZE);
	if (p)
		memset(p, 0, BOOT_INFO_SIZE);
	return p;
}

int boot_put_cmdline(const struct kernel_boot *kb, u64 max_len)
{
	size_t len = strlen(kb->cmdline);
	int ret;

	if (max_len > BOOT_CMDLINE_MAX - 1)
		max_len = BOOT_CMDLINE_MAX - 1;
	if (len > max_len) {
		pr_err("--append: command line is %zu bytes, the kernel accepts at most %llu",
		       len, (unsigned long long)max_len);
		return NYX_EXIT_SETUP;
	}
	ret = layout_claim(kb->layout, BOOT_CMDLINE_ADDR, BOOT_CMDLINE_MAX,
			   "command line");
	if (ret)
		return ret;
	if (vm_write_guest(kb->vm, BOOT_CMDLINE_ADDR, kb->cmdline, len + 1))
		return NYX_EXIT_SETUP;
	return 0;
}

int boot_load_initrd(const struct kernel_boot *kb, u64 lo, u64 hi,
		     u64 *addr, u64 *size)
{
	const struct image *img = kb->initrd;
	void *dst;
	int ret;

	*addr = *size = 0;
	if (!img)
		return 0;
	if (img->size > kb->vm->ram_size)
		return image_error(img, "initrd of %llu MiB is bigger than guest RAM (%llu MiB)",
				   (unsigned long long)(img->size >> 20),
				   (unsigned long long)(kb->vm->ram_size >> 20));
	ret = layout_alloc_top(kb->layout, img->size, PAGE_SIZE, lo, hi,
			       "initrd", addr);
	if (ret)
		return ret;
	dst = gpa_to_hva(kb->vm, *addr, img->size);
	if (!dst || image_read(img, 0, dst, img->size))
		return image_error(img, "read error (file truncated?)");
	*size = img->size;
	pr_debug("initrd: %llu bytes at 0x%llx", (unsigned long long)*size,
		 (unsigned long long)*addr);
	return 0;
}
