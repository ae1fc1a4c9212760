// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include "arch/x86/elf.h"
#include "arch/x86/layout.h"
#include "arch/x86/pvh.h"
#include "core/vm.h"

#define SZ_4G			(4 * SZ_1G)

_Static_assert(PVH_MEMMAP_OFFSET >= HSI_SIZE, "memmap after start info");
_Static_assert(PVH_MEMMAP_OFFSET + E820_MAX * HVM_MEMMAP_ENTRY_SIZE <=
	       PVH_MODLIST_OFFSET, "memmap fits");

/* The 32-bit entry point from the note (4- or 8-byte descriptor). */
static int find_entry(const struct elf_file *ef, u64 *entry)
{
	u8 desc[8] = { 0 };
	u32 len = 0;
	int ret;

	ret = elf_find_note(ef, "Xen", XEN_ELFNOTE_PHYS32_ENTRY, desc,
			    sizeof(desc), &len);
	if (ret == 0)
		return image_error(ef->img, "ELF image without a PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY): build the kernel with CONFIG_PVH, or boot its bzImage");
	if (ret != 1)
		return ret;
	if (len != 4 && len != 8)
		return image_error(ef->img, "PVH entry note of %u bytes (4 or 8 expected)",
				   len);
	*entry = load_le(desc, len);
	return 0;
}

static void fill_start_info(u8 *si, const struct kernel_boot *kb,
			    u64 initrd_addr, u64 initrd_size)
{
	const struct e820_table *t = &kb->layout->e820;
	unsigned int i;

	store_le(si + HSI_MAGIC, PVH_START_MAGIC, 4);
	store_le(si + HSI_VERSION, 1, 4);
	store_le(si + HSI_CMDLINE_PADDR, BOOT_CMDLINE_ADDR, 8);
	store_le(si + HSI_RSDP_PADDR, kb->rsdp_addr, 8);
	store_le(si + HSI_MEMMAP_PADDR, BOOT_INFO_ADDR + PVH_MEMMAP_OFFSET, 8);
	store_le(si + HSI_MEMMAP_ENTRIES, t->nr, 4);
	for (i = 0; i < t->nr; i++) {
		u8 *e = si + PVH_MEMMAP_OFFSET + HVM_MEMMAP_ENTRY_SIZE * i;

		/* XEN_HVM_MEMMAP_TYPE_* are the e820 types. */
		store_le(e, t->map[i].addr, 8);
		store_le(e + 8, t->map[i].size, 8);
		store_le(e + 16, t->map[i].type, 4);
	}
	if (initrd_size) {
		u8 *m = si + PVH_MODLIST_OFFSET;

		store_le(si + HSI_NR_MODULES, 1, 4);
		store_le(si + HSI_MODLIST_PADDR,
			 BOOT_INFO_ADDR + PVH_MODLIST_OFFSET, 8);
		store_le(m, initrd_addr, 8);
		store_le(m + 8, initrd_size, 8);
	}
}

int pvh_load(const struct kernel_boot *kb, const struct image *img,
	     struct x86_boot_entry *entry)
{
	u64 pvh_entry = 0, low = 0, high = 0, initrd_addr, initrd_size;
	struct elf_file ef;
	u8 *si;
	int ret;

	ret = elf_parse(&ef, img);
	if (!ret)
		ret = find_entry(&ef, &pvh_entry);
	if (!ret)
		ret = boot_setup_cpu_tables(kb, X86_ENTRY_PROTECTED);
	/* Paging is off at the entry: everything below 4 GiB. */
	if (!ret)
		ret = elf_load(&ef, kb->vm, kb->layout, SZ_4G, &low, &high);
	if (ret)
		return ret;
	if (pvh_entry < low || pvh_entry >= high)
		return image_error(img, "PVH entry 0x%llx is outside the loaded image [0x%llx-0x%llx)",
				   (unsigned long long)pvh_entry,
				   (unsigned long long)low,
				   (unsigned long long)high);
	ret = boot_put_cmdline(kb, BOOT_CMDLINE_MAX - 1);
	if (!ret)
		ret = boot_load_initrd(kb, HIGH_MEMORY_ADDR, SZ_4G,
				       &initrd_addr, &initrd_size);
	if (ret)
		return ret;
	si = boot_claim_info(kb);
	if (!si)
		return NYX_EXIT_SETUP;
	fill_start_info(si, kb, initrd_addr, initrd_size);

	x86_entry_init(entry, X86_ENTRY_PROTECTED, pvh_entry);
	entry->regs.rbx = BOOT_INFO_ADDR;
	pr_debug("PVH: image [0x%llx-0x%llx), entry 0x%llx",
		 (unsigned long long)low, (unsigned long long)high,
		 (unsigned long long)pvh_entry);
	return 0;
}
