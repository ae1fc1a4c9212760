// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include "arch/x86/bzimage.h"
#include "arch/x86/layout.h"
#include "core/vm.h"

#define SZ_4G			(4 * SZ_1G)

bool bzimage_is_bzimage(const struct image *img)
{
	u8 flag[2], magic[4];

	return !image_read(img, HDR_BOOT_FLAG, flag, sizeof(flag)) &&
	       !image_read(img, HDR_MAGIC, magic, sizeof(magic)) &&
	       load_le(flag, 2) == 0xaa55 && !memcmp(magic, "HdrS", 4);
}

static u64 hdr(const u8 *h, unsigned int off, unsigned int len)
{
	return load_le(h + off, len);
}

int bzimage_parse(const struct image *img, struct bzimage_info *bi)
{
	u8 h[HDR_END_MAX] = { 0 };
	unsigned int setup_sects;
	u64 syssize;

	memset(bi, 0, sizeof(*bi));
	if (image_read(img, 0, h, HDR_MAGIC + 4) || !bzimage_is_bzimage(img))
		return image_error(img, "no Linux setup header");
	bi->header_end = 0x202 + h[HDR_JUMP + 1];
	if (bi->header_end > HDR_END_MAX)
		bi->header_end = HDR_END_MAX;
	if (image_read(img, 0, h, bi->header_end))
		return image_error(img, "truncated setup header");
	bi->version = hdr(h, HDR_VERSION, 2);
	if (bi->version < BZIMAGE_MIN_VERSION)
		return image_error(img, "boot protocol %u.%02u is too old (%u.%02u or later needed)",
				   bi->version >> 8, bi->version & 0xff,
				   BZIMAGE_MIN_VERSION >> 8,
				   BZIMAGE_MIN_VERSION & 0xff);
	/* 2.06 headers end at cmdline_size (0x23c); the rest reads as 0. */
	if (bi->header_end < HDR_CMDLINE_SIZE + 4)
		return image_error(img, "setup header too short for protocol %u.%02u",
				   bi->version >> 8, bi->version & 0xff);

	bi->loadflags = h[HDR_LOADFLAGS];
	if (!(bi->loadflags & LOADED_HIGH))
		return image_error(img, "zImage (loaded below 1 MiB) is not supported, use a bzImage");

	setup_sects = h[HDR_SETUP_SECTS] ? h[HDR_SETUP_SECTS] : 4;
	bi->setup_size = (setup_sects + 1) * 512ull;
	if (img->size <= bi->setup_size)
		return image_error(img, "truncated: no protected-mode kernel after %llu bytes of setup",
				   (unsigned long long)bi->setup_size);
	bi->kernel_size = img->size - bi->setup_size;
	syssize = hdr(h, HDR_SYSSIZE, 4) * 16;
	if (syssize > bi->kernel_size)
		return image_error(img, "truncated: the header says %llu bytes of kernel, the file has %llu",
				   (unsigned long long)syssize,
				   (unsigned long long)bi->kernel_size);

	bi->relocatable = h[HDR_RELOCATABLE];
	bi->kernel_alignment = hdr(h, HDR_KERNEL_ALIGNMENT, 4);
	bi->cmdline_size = hdr(h, HDR_CMDLINE_SIZE, 4);
	bi->initrd_addr_max = hdr(h, HDR_INITRD_ADDR_MAX, 4);
	if (bi->version >= 0x020c)
		bi->xloadflags = hdr(h, HDR_XLOADFLAGS, 2);
	bi->entry64 = bi->xloadflags & XLF_KERNEL_64;
	bi->pref_address = HIGH_MEMORY_ADDR;
	bi->init_size = bi->kernel_size;
	if (bi->version >= 0x020a) {
		bi->pref_address = hdr(h, HDR_PREF_ADDRESS, 8);
		if (hdr(h, HDR_INIT_SIZE, 4) > bi->init_size)
			bi->init_size = hdr(h, HDR_INIT_SIZE, 4);
	}
	if (bi->relocatable && (bi->kernel_alignment < PAGE_SIZE ||
				(bi->kernel_alignment &
				 (bi->kernel_alignment - 1))))
		return image_error(img, "kernel_alignment 0x%x is not a power of two >= 4 KiB",
				   bi->kernel_alignment);
	return 0;
}

/*
 * At pref_address when it is free RAM, else (relocatable kernels) at the
 * lowest suitably aligned free address above 1 MiB. The whole init_size
 * is claimed: that is the room the kernel decompresses itself into.
 */
static int place_kernel(const struct kernel_boot *kb,
			const struct bzimage_info *bi, const struct image *img,
			u64 *addr)
{
	struct x86_layout *l = kb->layout;

	if (layout_is_free(l, bi->pref_address, bi->init_size)) {
		*addr = bi->pref_address;
		return layout_claim(l, *addr, bi->init_size, "kernel");
	}
	if (!bi->relocatable)
		return image_error(img, "the kernel needs [0x%llx-0x%llx) and is not relocatable: not enough guest RAM (see --memory)",
				   (unsigned long long)bi->pref_address,
				   (unsigned long long)(bi->pref_address +
							bi->init_size));
	/* Below 4 GiB: the 64-bit entry runs on the identity map. */
	return layout_alloc_bottom(l, bi->init_size, bi->kernel_alignment,
				   HIGH_MEMORY_ADDR, SZ_4G, "kernel", addr);
}

static void fill_e820(u8 *bp, const struct e820_table *t)
{
	unsigned int i;

	for (i = 0; i < t->nr && i < BP_E820_MAX; i++) {
		u8 *e = bp + BP_E820_TABLE + 20 * i;

		store_le(e, t->map[i].addr, 8);
		store_le(e + 8, t->map[i].size, 8);
		store_le(e + 16, t->map[i].type, 4);
	}
	bp[BP_E820_ENTRIES] = i;
}

static int place_initrd(const struct kernel_boot *kb,
			const struct bzimage_info *bi, u64 *addr, u64 *size)
{
	u64 lo = HIGH_MEMORY_ADDR, hi = (u64)bi->initrd_addr_max + 1, a;

	if (hi > SZ_4G)
		hi = SZ_4G;
	/* Below 4 GiB and initrd_addr_max; above 4 GiB only if it does not
	 * fit there and the kernel can take it. */
	if (kb->initrd && (bi->xloadflags & XLF_CAN_BE_LOADED_ABOVE_4G) &&
	    !layout_find_top(kb->layout, kb->initrd->size, PAGE_SIZE, lo, hi,
			     &a)) {
		lo = SZ_4G;
		hi = ~0ull;
	}
	return boot_load_initrd(kb, lo, hi, addr, size);
}

/* The zero page: a clean page with the image's setup header copied in,
 * then the fields a boot loader owns. */
static int build_zero_page(const struct kernel_boot *kb,
			   const struct bzimage_info *bi,
			   const struct image *img, u64 load_addr,
			   u64 initrd_addr, u64 initrd_size)
{
	u8 *bp = boot_claim_info(kb);

	if (!bp)
		return NYX_EXIT_SETUP;
	if (image_read(img, BP_HDR, bp + BP_HDR, bi->header_end - BP_HDR))
		return image_error(img, "truncated setup header");
	bp[HDR_TYPE_OF_LOADER] = BZIMAGE_LOADER_TYPE;
	bp[HDR_LOADFLAGS] |= CAN_USE_HEAP;
	store_le(bp + HDR_HEAP_END_PTR, BZIMAGE_HEAP_END, 2);
	store_le(bp + HDR_CODE32_START, load_addr, 4);
	store_le(bp + HDR_CMD_LINE_PTR, BOOT_CMDLINE_ADDR, 4);
	store_le(bp + BP_EXT_CMD_LINE_PTR, 0, 4);
	store_le(bp + HDR_RAMDISK_IMAGE, (u32)initrd_addr, 4);
	store_le(bp + HDR_RAMDISK_SIZE, (u32)initrd_size, 4);
	store_le(bp + BP_EXT_RAMDISK_IMAGE, initrd_addr >> 32, 4);
	store_le(bp + BP_EXT_RAMDISK_SIZE, initrd_size >> 32, 4);
	if (bi->header_end > HDR_HARDWARE_SUBARCH)
		store_le(bp + HDR_HARDWARE_SUBARCH, 0, 4);	/* a PC */
	if (bi->header_end > HDR_SETUP_DATA)
		store_le(bp + HDR_SETUP_DATA, 0, 8);	/* no setup_data list */
	if (bi->version >= 0x020e)
		store_le(bp + BP_ACPI_RSDP_ADDR, kb->rsdp_addr, 8);
	fill_e820(bp, &kb->layout->e820);
	return 0;
}

int bzimage_load(const struct kernel_boot *kb, const struct image *img,
		 struct x86_boot_entry *entry)
{
	enum x86_entry_mode mode;
	struct bzimage_info bi;
	u64 load_addr, initrd_addr, initrd_size;
	u8 *dst;
	int ret;

	ret = bzimage_parse(img, &bi);
	if (ret)
		return ret;
	mode = bi.entry64 ? X86_ENTRY_LONG : X86_ENTRY_PROTECTED;
	ret = boot_setup_cpu_tables(kb, mode);
	if (!ret)
		ret = place_kernel(kb, &bi, img, &load_addr);
	if (ret)
		return ret;
	dst = gpa_to_hva(kb->vm, load_addr, bi.kernel_size);
	if (!dst || image_read(img, bi.setup_size, dst, bi.kernel_size))
		return image_error(img, "read error (file truncated?)");
	ret = boot_put_cmdline(kb, bi.cmdline_size);
	if (!ret)
		ret = place_initrd(kb, &bi, &initrd_addr, &initrd_size);
	if (!ret)
		ret = build_zero_page(kb, &bi, img, load_addr, initrd_addr,
				      initrd_size);
	if (ret)
		return ret;

	/* %rsi (%esi) = zero page; other GPRs zero, IF clear. */
	x86_entry_init(entry, mode, bi.entry64 ?
		       load_addr + BZIMAGE_ENTRY64_OFFSET : load_addr);
	entry->regs.rsi = BOOT_INFO_ADDR;
	pr_debug("bzImage: protocol %u.%02u, %llu KiB at 0x%llx (init_size %llu KiB), %s entry 0x%llx",
		 bi.version >> 8, bi.version & 0xff,
		 (unsigned long long)(bi.kernel_size >> 10),
		 (unsigned long long)load_addr,
		 (unsigned long long)(bi.init_size >> 10),
		 bi.entry64 ? "64-bit" : "32-bit",
		 (unsigned long long)entry->regs.rip);
	return 0;
}
