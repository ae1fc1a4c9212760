// SPDX-License-Identifier: GPL-2.0
/*
 * Direct kernel boot: the Linux boot protocol, PVH and multiboot loaders
 * on synthetic images (plus the host's own /boot/vmlinuz-* when there is
 * one), the guest memory layout they produce, the initial vCPU state, and
 * that malformed images are rejected with status 2 and never crash.
 */
#include <elf.h>
#include <errno.h>
#include <glob.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "arch/x86/bzimage.h"
#include "arch/x86/elf.h"
#include "arch/x86/kernel.h"
#include "arch/x86/layout.h"
#include "arch/x86/multiboot.h"
#include "arch/x86/pc.h"
#include "arch/x86/pvh.h"
#include "core/vm.h"
#include "launcher_test.h"
#include "test.h"

#define SZ_4G		(4 * SZ_1G)
#define RSDP_FAKE	0xf0000

/* ---------------------------------------------------------------------
 * A guest with RAM but no /dev/nyx
 */
static struct vm vm;

static void ram_setup(u64 size)
{
	void *p;

	vm_init(&vm);
	/* Address space only: pages are touched as the loaders write. */
	p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	CHECK(p != MAP_FAILED);
	vm.ram = p == MAP_FAILED ? NULL : p;
	vm_ram_layout(&vm, size);
}

static void ram_free(void)
{
	if (vm.ram)
		munmap(vm.ram, vm.ram_size);
	vm.ram = NULL;
}

static u64 rd(u64 gpa, unsigned int len)
{
	u8 buf[8] = { 0 };

	CHECK_EQ(vm_read_guest(&vm, gpa, buf, len), 0);
	return load_le(buf, len);
}

/* One boot attempt with a fresh layout. */
static struct x86_layout layout;
static struct x86_boot_entry entry;

static int boot(const void *kernel, u64 size, const char *cmdline,
		const void *initrd, u64 initrd_size)
{
	struct image k, i;
	struct kernel_boot kb = {
		.vm = &vm, .layout = &layout, .cmdline = cmdline,
		.rsdp_addr = RSDP_FAKE,
	};

	layout_init(&layout, &vm);
	image_from_mem(&k, "kernel", kernel, size);
	if (initrd) {
		image_from_mem(&i, "initrd", initrd, initrd_size);
		kb.initrd = &i;
	}
	memset(&entry, 0xcc, sizeof(entry));
	return kernel_load(&kb, &k, &entry);
}

static int boot_quiet(const void *kernel, u64 size, const char *cmdline,
		      const void *initrd, u64 initrd_size)
{
	int ret;

	quiet_begin();
	ret = boot(kernel, size, cmdline, initrd, initrd_size);
	quiet_end();
	return ret;
}

static u8 *pattern(size_t len, u8 seed)
{
	u8 *p = malloc(len);
	size_t i;

	for (i = 0; p && i < len; i++)
		p[i] = (u8)(i * 7 + seed + (i >> 8));
	return p;
}

/* ---------------------------------------------------------------------
 * Synthetic bzImage
 */
#define BZ_SETUP_SECTS	4
#define BZ_SETUP_SIZE	((BZ_SETUP_SECTS + 1) * 512)

struct bz_opts {
	u16 version;
	u8 loadflags;
	u16 xloadflags;
	u8 relocatable;
	u32 alignment;
	u64 pref;
	u32 init_size;
	u32 initrd_max;
	u32 cmdline_size;
	u64 payload;		/* protected-mode kernel bytes */
};

static const struct bz_opts bz_default = {
	.version = 0x020f, .loadflags = LOADED_HIGH,
	.xloadflags = XLF_KERNEL_64 | XLF_CAN_BE_LOADED_ABOVE_4G,
	.relocatable = 1, .alignment = 0x200000, .pref = 0x1000000,
	.init_size = 0x800000, .initrd_max = 0x7fffffff,
	.cmdline_size = 2047, .payload = 0x10000,
};

static u8 *make_bzimage(const struct bz_opts *o, u64 *size)
{
	u8 *b = pattern(BZ_SETUP_SIZE + o->payload, 0x11);

	*size = BZ_SETUP_SIZE + o->payload;
	memset(b, 0, 0x290);
	b[HDR_SETUP_SECTS] = BZ_SETUP_SECTS;
	store_le(b + HDR_SYSSIZE, o->payload / 16, 4);
	store_le(b + HDR_BOOT_FLAG, 0xaa55, 2);
	b[HDR_JUMP] = 0xeb;
	b[HDR_JUMP + 1] = 0x26c - 0x202;	/* header through 2.15 */
	memcpy(b + HDR_MAGIC, "HdrS", 4);
	store_le(b + HDR_VERSION, o->version, 2);
	b[HDR_LOADFLAGS] = o->loadflags;
	store_le(b + HDR_CODE32_START, 0x100000, 4);
	store_le(b + HDR_INITRD_ADDR_MAX, o->initrd_max, 4);
	store_le(b + HDR_KERNEL_ALIGNMENT, o->alignment, 4);
	b[HDR_RELOCATABLE] = o->relocatable;
	b[HDR_RELOCATABLE + 1] = 21;		/* min_alignment */
	store_le(b + HDR_XLOADFLAGS, o->xloadflags, 2);
	store_le(b + HDR_CMDLINE_SIZE, o->cmdline_size, 4);
	store_le(b + HDR_PREF_ADDRESS, o->pref, 8);
	store_le(b + HDR_INIT_SIZE, o->init_size, 4);
	b[BP_SENTINEL] = 0xff;	/* header.S sets it; loaders must not copy it */
	return b;
}

static void check_long_mode_tables(void)
{
	unsigned int i;

	/* GDT: 64-bit code at 0x10, flat data at 0x18 */
	CHECK_EQ(rd(BOOT_GDT_ADDR + BOOT_CS, 8), 0x00af9b000000ffffull);
	CHECK_EQ(rd(BOOT_GDT_ADDR + BOOT_DS, 8), 0x00cf93000000ffffull);
	CHECK_EQ(rd(BOOT_GDT_ADDR, 8), 0);
	/* identity map of 4 GiB in 2 MiB pages */
	CHECK_EQ(rd(BOOT_PGTABLE_ADDR, 8), (BOOT_PGTABLE_ADDR + 0x1000) | 3);
	for (i = 0; i < 4; i++)
		CHECK_EQ(rd(BOOT_PGTABLE_ADDR + 0x1000 + 8 * i, 8),
			 (BOOT_PGTABLE_ADDR + 0x2000 + 0x1000 * i) | 3);
	CHECK_EQ(rd(BOOT_PGTABLE_ADDR + 0x2000, 8), 0x83);
	CHECK_EQ(rd(BOOT_PGTABLE_ADDR + 0x2000 + 8 * 8, 8), 0x1000083);
	CHECK_EQ(rd(BOOT_PGTABLE_ADDR + 0x2000 + 8 * 2047, 8),
		 (2047ull << 21) | 0x83);
}

static void check_e820(u64 bp)
{
	/* low RAM, EBDA, F-segment, RAM from 1 MiB, PCI ECAM (reserved) */
	CHECK_EQ(rd(bp + BP_E820_ENTRIES, 1), 5);
	CHECK_EQ(rd(bp + BP_E820_TABLE + 80, 8), 0xe0000000);
	CHECK_EQ(rd(bp + BP_E820_TABLE + 88, 8), 0x10000000);
	CHECK_EQ(rd(bp + BP_E820_TABLE + 96, 4), E820_RESERVED);
	CHECK_EQ(rd(bp + BP_E820_TABLE, 8), 0);
	CHECK_EQ(rd(bp + BP_E820_TABLE + 8, 8), 0x9fc00);
	CHECK_EQ(rd(bp + BP_E820_TABLE + 16, 4), E820_RAM);
	CHECK_EQ(rd(bp + BP_E820_TABLE + 20, 8), 0x9fc00);
	CHECK_EQ(rd(bp + BP_E820_TABLE + 36, 4), E820_RESERVED);
	CHECK_EQ(rd(bp + BP_E820_TABLE + 40, 8), 0xf0000);
	CHECK_EQ(rd(bp + BP_E820_TABLE + 48, 8), 0x10000);
	CHECK_EQ(rd(bp + BP_E820_TABLE + 56, 4), E820_RESERVED);
	CHECK_EQ(rd(bp + BP_E820_TABLE + 60, 8), 0x100000);
	CHECK_EQ(rd(bp + BP_E820_TABLE + 68, 8), vm.low_size - 0x100000);
	CHECK_EQ(rd(bp + BP_E820_TABLE + 76, 4), E820_RAM);
}

static void test_bzimage_64(void)
{
	const char *cmdline = "console=ttyS0 root=/dev/ram0";
	u64 size, bp = BOOT_INFO_ADDR, initrd;
	u8 *k = make_bzimage(&bz_default, &size), *rdisk = pattern(70000, 3);
	struct nyx_sregs sregs;

	ram_setup(256 * SZ_1M);
	CHECK_EQ(boot(k, size, cmdline, rdisk, 70000), 0);
	CHECK_EQ(entry.mode, X86_ENTRY_LONG);
	CHECK_EQ(entry.regs.rip, 0x1000200);
	CHECK_EQ(entry.regs.rsi, BOOT_INFO_ADDR);
	CHECK_EQ(entry.regs.rflags, 2);
	CHECK_EQ(entry.regs.rax | entry.regs.rbx | entry.regs.rdi |
		 entry.regs.rbp | entry.regs.rsp, 0);
	CHECK(!memcmp(vm.ram + 0x1000000, k + BZ_SETUP_SIZE,
		      bz_default.payload));

	/* the zero page: header copied, loader fields set */
	CHECK_EQ(rd(bp + HDR_BOOT_FLAG, 2), 0xaa55);
	CHECK_EQ(rd(bp + HDR_MAGIC, 4), 0x53726448);
	CHECK_EQ(rd(bp + HDR_VERSION, 2), 0x020f);
	CHECK_EQ(rd(bp + BP_SENTINEL, 1), 0);
	CHECK_EQ(rd(bp + HDR_TYPE_OF_LOADER, 1), 0xff);
	CHECK_EQ(rd(bp + HDR_LOADFLAGS, 1), LOADED_HIGH | CAN_USE_HEAP);
	CHECK_EQ(rd(bp + HDR_HEAP_END_PTR, 2), 0xfe00);
	CHECK_EQ(rd(bp + HDR_CODE32_START, 4), 0x1000000);
	CHECK_EQ(rd(bp + HDR_CMD_LINE_PTR, 4), BOOT_CMDLINE_ADDR);
	CHECK(!strcmp((char *)vm.ram + BOOT_CMDLINE_ADDR, cmdline));
	CHECK_EQ(rd(bp + BP_ACPI_RSDP_ADDR, 8), RSDP_FAKE);
	CHECK_EQ(rd(bp + HDR_PREF_ADDRESS, 8), 0x1000000);
	/* initrd: page aligned, at the top of RAM */
	initrd = rd(bp + HDR_RAMDISK_IMAGE, 4);
	CHECK_EQ(rd(bp + HDR_RAMDISK_SIZE, 4), 70000);
	CHECK_EQ(rd(bp + BP_EXT_RAMDISK_IMAGE, 4), 0);
	CHECK_EQ(initrd % 4096, 0);
	CHECK(initrd + 70000 <= vm.low_size);
	CHECK(initrd + 70000 + 4096 > vm.low_size);
	CHECK(!memcmp(vm.ram + initrd, rdisk, 70000));
	check_e820(bp);
	check_long_mode_tables();

	/* the vCPU state the entry asks for */
	memset(&sregs, 0xaa, sizeof(sregs));
	sregs.apic_base = 0xfee00900;
	x86_entry_sregs(&sregs, &entry);
	CHECK_EQ(sregs.cs.selector, 0x10);
	CHECK_EQ(sregs.cs.l, 1);
	CHECK_EQ(sregs.cs.db, 0);
	CHECK_EQ(sregs.cs.type, 0xb);
	CHECK_EQ(sregs.cs.s, 1);
	CHECK_EQ(sregs.cs.present, 1);
	CHECK_EQ(sregs.ds.selector, 0x18);
	CHECK_EQ(sregs.ss.selector, 0x18);
	CHECK_EQ(sregs.ss.db, 1);
	CHECK_EQ(sregs.ds.limit, 0xffffffff);
	CHECK_EQ(sregs.ds.g, 1);
	CHECK_EQ(sregs.tr.type, 0xb);
	CHECK_EQ(sregs.tr.limit, 0x67);
	CHECK_EQ(sregs.gdt.base, BOOT_GDT_ADDR);
	CHECK_EQ(sregs.gdt.limit, 31);
	CHECK_EQ(sregs.cr0, 0x80000031);
	CHECK_EQ(sregs.cr3, BOOT_PGTABLE_ADDR);
	CHECK_EQ(sregs.cr4, 0x20);
	CHECK_EQ(sregs.efer, 0x500);
	CHECK_EQ(sregs.apic_base, 0xfee00900);
	CHECK_EQ(sregs.flags | sregs.reserved[0] | sregs.cs.padding, 0);

	/* no initrd: zero image and size; empty command line */
	CHECK_EQ(boot(k, size, "", NULL, 0), 0);
	CHECK_EQ(rd(bp + HDR_RAMDISK_IMAGE, 4) | rd(bp + HDR_RAMDISK_SIZE, 4),
		 0);
	CHECK_EQ(rd(BOOT_CMDLINE_ADDR, 1), 0);
	ram_free();
	free(k);
	free(rdisk);
}

static void test_bzimage_placement(void)
{
	struct bz_opts o = bz_default;
	u64 size, hi;
	u8 *k, *rdisk = pattern(20 * SZ_1M, 9);

	/* preferred 16 MiB + 40 MiB does not fit in 48 MiB: relocated to the
	 * first 2 MiB boundary above 1 MiB */
	o.init_size = 40 * SZ_1M;
	k = make_bzimage(&o, &size);
	ram_setup(48 * SZ_1M);
	CHECK_EQ(boot(k, size, "", NULL, 0), 0);
	CHECK_EQ(entry.regs.rip, 0x200200);
	CHECK_EQ(rd(BOOT_INFO_ADDR + HDR_CODE32_START, 4), 0x200000);
	CHECK(!memcmp(vm.ram + 0x200000, k + BZ_SETUP_SIZE, o.payload));
	/* not relocatable: refused */
	store_le(k + HDR_RELOCATABLE, 0, 1);
	CHECK_EQ(boot_quiet(k, size, "", NULL, 0), 2);
	ram_free();
	free(k);

	/* too little RAM even relocated */
	o = bz_default;
	o.init_size = 64 * SZ_1M;
	k = make_bzimage(&o, &size);
	ram_setup(64 * SZ_1M);
	CHECK_EQ(boot_quiet(k, size, "", NULL, 0), 2);
	ram_free();
	free(k);

	/* the initrd stays below initrd_addr_max */
	o = bz_default;
	o.initrd_max = 0x3ffffff;		/* 64 MiB */
	k = make_bzimage(&o, &size);
	ram_setup(256 * SZ_1M);
	CHECK_EQ(boot(k, size, "", rdisk, SZ_1M), 0);
	hi = rd(BOOT_INFO_ADDR + HDR_RAMDISK_IMAGE, 4);
	CHECK_EQ(hi, 0x4000000 - SZ_1M);
	/* an initrd that fits nowhere below the limit: refused... */
	CHECK_EQ(boot_quiet(k, size, "", rdisk, 20 * SZ_1M), 0);
	CHECK(rd(BOOT_INFO_ADDR + HDR_RAMDISK_IMAGE, 4) < 0x4000000);
	o.init_size = 40 * SZ_1M;	/* kernel [16M, 56M): no 20M hole < 64M */
	free(k);
	k = make_bzimage(&o, &size);
	store_le(k + HDR_XLOADFLAGS, XLF_KERNEL_64, 2);
	CHECK_EQ(boot_quiet(k, size, "", rdisk, 20 * SZ_1M), 2);
	ram_free();
	/* ...unless the kernel takes it above 4 GiB and there is RAM there */
	store_le(k + HDR_XLOADFLAGS, XLF_KERNEL_64 |
		 XLF_CAN_BE_LOADED_ABOVE_4G, 2);
	ram_setup(3 * SZ_1G + 64 * SZ_1M);
	CHECK_EQ(boot(k, size, "", rdisk, 20 * SZ_1M), 0);
	CHECK_EQ(rd(BOOT_INFO_ADDR + HDR_RAMDISK_IMAGE, 4),
		 (u32)(SZ_4G + 44 * SZ_1M));
	CHECK_EQ(rd(BOOT_INFO_ADDR + BP_EXT_RAMDISK_IMAGE, 4), 1);
	CHECK_EQ(rd(BOOT_INFO_ADDR + HDR_RAMDISK_SIZE, 4), 20 * SZ_1M);
	CHECK(!memcmp(gpa_to_hva(&vm, SZ_4G + 44 * SZ_1M, 20 * SZ_1M), rdisk,
		      20 * SZ_1M));
	/* e820 has the RAM above 4 GiB */
	CHECK_EQ(rd(BOOT_INFO_ADDR + BP_E820_ENTRIES, 1), 6);
	CHECK_EQ(rd(BOOT_INFO_ADDR + BP_E820_TABLE + 100, 8), SZ_4G);
	CHECK_EQ(rd(BOOT_INFO_ADDR + BP_E820_TABLE + 108, 8), 64 * SZ_1M);
	ram_free();
	free(k);
	free(rdisk);
}

static void test_bzimage_32(void)
{
	struct bz_opts o = bz_default;
	struct nyx_sregs sregs;
	u64 size;
	u8 *k;

	o.xloadflags = 0;
	k = make_bzimage(&o, &size);
	ram_setup(128 * SZ_1M);
	CHECK_EQ(boot(k, size, "x", NULL, 0), 0);
	CHECK_EQ(entry.mode, X86_ENTRY_PROTECTED);
	CHECK_EQ(entry.regs.rip, 0x1000000);
	CHECK_EQ(entry.regs.rsi, BOOT_INFO_ADDR);
	/* 32-bit code segment in the GDT, no page tables claimed */
	CHECK_EQ(rd(BOOT_GDT_ADDR + BOOT_CS, 8), 0x00cf9b000000ffffull);
	CHECK(layout_is_free(&layout, BOOT_PGTABLE_ADDR, BOOT_PGTABLE_SIZE));
	memset(&sregs, 0, sizeof(sregs));
	x86_entry_sregs(&sregs, &entry);
	CHECK_EQ(sregs.cs.l, 0);
	CHECK_EQ(sregs.cs.db, 1);
	CHECK_EQ(sregs.cr0, 0x11);
	CHECK_EQ(sregs.cr3 | sregs.cr4 | sregs.efer, 0);
	ram_free();
	free(k);

	/* the --flat path goes through the same entry description */
	x86_entry_real(&entry, 0x12345);
	x86_entry_sregs(&sregs, &entry);
	CHECK_EQ(entry.mode, X86_ENTRY_REAL);
	CHECK_EQ(sregs.cs.base + entry.regs.rip, 0x12345);
	CHECK_EQ(sregs.cr0, 0x10);
	CHECK_EQ(sregs.gdt.base, 0);
}

static void test_bzimage_errors(void)
{
	struct bz_opts o = bz_default;
	char longline[3000];
	u64 size;
	u8 *k = make_bzimage(&o, &size), *copy = malloc(size);

	ram_setup(128 * SZ_1M);
	memset(longline, 'a', sizeof(longline) - 1);
	longline[sizeof(longline) - 1] = 0;
	CHECK_EQ(boot_quiet(k, size, longline, NULL, 0), 2);
	longline[2047] = 0;	/* exactly cmdline_size */
	CHECK_EQ(boot(k, size, longline, NULL, 0), 0);
	longline[2047] = 'a';
	longline[2048] = 0;
	CHECK_EQ(boot_quiet(k, size, longline, NULL, 0), 2);

	/* truncated: no kernel after the setup, or less than syssize */
	CHECK_EQ(boot_quiet(k, BZ_SETUP_SIZE, "", NULL, 0), 2);
	CHECK_EQ(boot_quiet(k, size - 16, "", NULL, 0), 2);
	CHECK_EQ(boot_quiet(k, 0x300, "", NULL, 0), 2);

#define MUTATE(off, val, len) do {					\
		memcpy(copy, k, size);					\
		store_le(copy + (off), (val), (len));			\
	} while (0)
	MUTATE(HDR_VERSION, 0x0205, 2);		/* too old */
	CHECK_EQ(boot_quiet(copy, size, "", NULL, 0), 2);
	MUTATE(HDR_LOADFLAGS, 0, 1);		/* zImage */
	CHECK_EQ(boot_quiet(copy, size, "", NULL, 0), 2);
	MUTATE(HDR_KERNEL_ALIGNMENT, 0x300000, 4);	/* not a power of 2 */
	CHECK_EQ(boot_quiet(copy, size, "", NULL, 0), 2);
	MUTATE(HDR_JUMP + 1, 0x20, 1);		/* header ends before 0x23c */
	CHECK_EQ(boot_quiet(copy, size, "", NULL, 0), 2);
	MUTATE(HDR_SYSSIZE, 0xffffffff, 4);	/* absurd size */
	CHECK_EQ(boot_quiet(copy, size, "", NULL, 0), 2);
	MUTATE(HDR_INIT_SIZE, 0xffffffff, 4);	/* needs 4 GiB */
	CHECK_EQ(boot_quiet(copy, size, "", NULL, 0), 2);
	MUTATE(HDR_PREF_ADDRESS, 0xfffffffffffff000ull, 8); /* relocated */
	CHECK_EQ(boot(copy, size, "", NULL, 0), 0);
	CHECK_EQ(entry.regs.rip, 0x200200);
	MUTATE(HDR_PREF_ADDRESS, 0x7000, 8);	/* on the zero page */
	CHECK_EQ(boot(copy, size, "", NULL, 0), 0);
	CHECK(entry.regs.rip >= 0x100000);
#undef MUTATE
	/* setup_sects = 0 means 4 */
	memcpy(copy, k, size);
	copy[HDR_SETUP_SECTS] = 0;
	CHECK_EQ(boot(copy, size, "", NULL, 0), 0);

	/* initrd bigger than RAM, or than what is left */
	{
		u8 *big = calloc(1, 130 * SZ_1M);

		CHECK_EQ(boot_quiet(k, size, "", big, 130 * SZ_1M), 2);
		CHECK_EQ(boot_quiet(k, size, "", big, 120 * SZ_1M), 2);
		free(big);
	}
	ram_free();
	free(k);
	free(copy);
}

/* The host's own kernel: parse it, and load it into 1 GiB. */
static void test_real_vmlinuz(void)
{
	struct bzimage_info bi;
	struct image img;
	glob_t g;
	u8 hdr[4];

	if (glob("/boot/vmlinuz-*", 0, NULL, &g) || !g.gl_pathc) {
		printf("launcher_kernel: no /boot/vmlinuz-*, skipping the real-kernel test\n");
		return;
	}
	quiet_begin();
	if (image_open(&img, g.gl_pathv[0], "--kernel")) {
		quiet_end();
		printf("launcher_kernel: %s unreadable, skipping\n", g.gl_pathv[0]);
		globfree(&g);
		return;
	}
	quiet_end();
	CHECK_EQ(kernel_detect(&img), KERNEL_BZIMAGE);
	CHECK_EQ(bzimage_parse(&img, &bi), 0);
	CHECK(bi.version >= 0x020c);
	CHECK(bi.entry64);
	CHECK(bi.relocatable);
	CHECK(bi.init_size > bi.kernel_size);
	CHECK(bi.cmdline_size >= 255);
	CHECK_EQ(bi.kernel_alignment & (bi.kernel_alignment - 1), 0);

	ram_setup(SZ_1G);
	{
		struct kernel_boot kb = {
			.vm = &vm, .layout = &layout, .cmdline = "console=ttyS0",
		};

		layout_init(&layout, &vm);
		CHECK_EQ(kernel_load(&kb, &img, &entry), 0);
	}
	CHECK_EQ(entry.mode, X86_ENTRY_LONG);
	CHECK_EQ(entry.regs.rip, bi.pref_address + 0x200);
	CHECK_EQ(image_read(&img, bi.setup_size, hdr, 4), 0);
	CHECK(!memcmp(vm.ram + bi.pref_address, hdr, 4));
	CHECK_EQ(rd(BOOT_INFO_ADDR + HDR_TYPE_OF_LOADER, 1), 0xff);
	printf("launcher_kernel: %s: protocol %x, %llu KiB, init_size %llu KiB\n",
	       g.gl_pathv[0], bi.version,
	       (unsigned long long)(bi.kernel_size >> 10),
	       (unsigned long long)(bi.init_size >> 10));
	ram_free();
	image_close(&img);
	globfree(&g);
}

/* ---------------------------------------------------------------------
 * Synthetic ELF images
 */
struct seg {
	u32 type;
	u64 paddr, vaddr, filesz, memsz;
	const void *data;
};

/* Headers, then each segment's data page aligned in the file. */
static u8 *make_elf(bool is64, u64 entry_va, const struct seg *segs,
		    unsigned int n, u64 *size)
{
	u64 phoff = is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);
	u64 phsz = is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
	u64 off = 0x1000, offs[8];
	unsigned int i;
	u8 *b;

	for (i = 0; i < n; i++) {
		offs[i] = off;
		off += (segs[i].filesz + 0xfff) & ~0xfffull;
	}
	*size = off;
	b = calloc(1, off);
	memcpy(b, ELFMAG, SELFMAG);
	b[EI_CLASS] = is64 ? ELFCLASS64 : ELFCLASS32;
	b[EI_DATA] = ELFDATA2LSB;
	b[EI_VERSION] = EV_CURRENT;
	if (is64) {
		Elf64_Ehdr *eh = (Elf64_Ehdr *)b;

		eh->e_type = ET_EXEC;
		eh->e_machine = EM_X86_64;
		eh->e_version = EV_CURRENT;
		eh->e_entry = entry_va;
		eh->e_phoff = phoff;
		eh->e_ehsize = sizeof(*eh);
		eh->e_phentsize = phsz;
		eh->e_phnum = n;
	} else {
		Elf32_Ehdr *eh = (Elf32_Ehdr *)b;

		eh->e_type = ET_EXEC;
		eh->e_machine = EM_386;
		eh->e_version = EV_CURRENT;
		eh->e_entry = entry_va;
		eh->e_phoff = phoff;
		eh->e_ehsize = sizeof(*eh);
		eh->e_phentsize = phsz;
		eh->e_phnum = n;
	}
	for (i = 0; i < n; i++) {
		u8 *ph = b + phoff + i * phsz;

		if (is64)
			*(Elf64_Phdr *)ph = (Elf64_Phdr){
				.p_type = segs[i].type, .p_offset = offs[i],
				.p_vaddr = segs[i].vaddr,
				.p_paddr = segs[i].paddr,
				.p_filesz = segs[i].filesz,
				.p_memsz = segs[i].memsz, .p_align = 0x1000,
			};
		else
			*(Elf32_Phdr *)ph = (Elf32_Phdr){
				.p_type = segs[i].type, .p_offset = offs[i],
				.p_vaddr = segs[i].vaddr,
				.p_paddr = segs[i].paddr,
				.p_filesz = segs[i].filesz,
				.p_memsz = segs[i].memsz, .p_align = 0x1000,
			};
		if (segs[i].data)
			memcpy(b + offs[i], segs[i].data, segs[i].filesz);
	}
	return b;
}

/* A note section: one unrelated note, then (name, type, desc). */
static size_t make_note(u8 *buf, const char *name, u32 type, u64 desc,
			u32 descsz)
{
	size_t n = 0, namesz = strlen(name) + 1;

	/* Linux's own notes come first in a vmlinux */
	store_le(buf, 6, 4);
	store_le(buf + 4, 4, 4);
	store_le(buf + 8, 3, 4);			/* NT_GNU_BUILD_ID */
	memcpy(buf + 12, "Linux\0\0\0", 8);
	store_le(buf + 20, 0x12345678, 4);
	n = 24;
	store_le(buf + n, namesz, 4);
	store_le(buf + n + 4, descsz, 4);
	store_le(buf + n + 8, type, 4);
	memcpy(buf + n + 12, name, namesz);
	n += 12 + ((namesz + 3) & ~3);
	store_le(buf + n, desc, descsz < 8 ? descsz : 8);
	return n + ((descsz + 3) & ~3);
}

#define KVA	0xffffffff81000000ull

static u8 *make_pvh(bool is64, u64 entry_pa, u32 descsz, u64 *size,
		    u8 **text)
{
	u8 note[128] = { 0 };
	size_t nlen = make_note(note, "Xen", XEN_ELFNOTE_PHYS32_ENTRY,
				entry_pa, descsz);
	struct seg segs[3] = {
		{ PT_LOAD, 0x1000000, KVA, 0x3000, 0x5000, NULL },
		{ PT_LOAD, 0x1400000, KVA + 0x400000, 0x800, 0x800, NULL },
		{ PT_NOTE, 0, 0, nlen, nlen, note },
	};

	*text = pattern(0x3000, 0x42);
	segs[0].data = *text;
	segs[1].data = *text;
	return make_elf(is64, KVA, segs, 3, size);
}

static void test_pvh(void)
{
	u8 *text, *k, *rdisk = pattern(9000, 5);
	u64 size, si = BOOT_INFO_ADDR, mm, mod;
	struct nyx_sregs sregs;
	unsigned int i;

	k = make_pvh(true, 0x1000040, 8, &size, &text);
	ram_setup(128 * SZ_1M);
	memset(vm.ram + 0x1000000, 0xaa, 0x10000);
	CHECK_EQ(kernel_detect(&(struct image){ .mem = k, .size = size,
						.fd = -1 }), KERNEL_PVH);
	CHECK_EQ(boot(k, size, "console=ttyS0", rdisk, 9000), 0);
	CHECK_EQ(entry.mode, X86_ENTRY_PROTECTED);
	CHECK_EQ(entry.regs.rip, 0x1000040);
	CHECK_EQ(entry.regs.rbx, BOOT_INFO_ADDR);
	CHECK_EQ(entry.regs.rflags, 2);
	/* segments at their physical addresses, BSS zeroed */
	CHECK(!memcmp(vm.ram + 0x1000000, text, 0x3000));
	CHECK_EQ(rd(0x1003000, 8) | rd(0x1004ff8, 8), 0);
	CHECK_EQ(rd(0x1005000, 1), 0xaa);	/* untouched past memsz */
	CHECK(!memcmp(vm.ram + 0x1400000, text, 0x800));
	/* hvm_start_info */
	CHECK_EQ(rd(si + HSI_MAGIC, 4), 0x336ec578);
	CHECK_EQ(rd(si + HSI_VERSION, 4), 1);
	CHECK_EQ(rd(si + HSI_FLAGS, 4), 0);
	CHECK_EQ(rd(si + HSI_CMDLINE_PADDR, 8), BOOT_CMDLINE_ADDR);
	CHECK(!strcmp((char *)vm.ram + BOOT_CMDLINE_ADDR, "console=ttyS0"));
	CHECK_EQ(rd(si + HSI_RSDP_PADDR, 8), RSDP_FAKE);
	CHECK_EQ(rd(si + HSI_MEMMAP_ENTRIES, 4), 5);
	mm = rd(si + HSI_MEMMAP_PADDR, 8);
	for (i = 0; i < 5; i++) {
		const struct e820_entry *e = &layout.e820.map[i];

		CHECK_EQ(rd(mm + 24 * i, 8), e->addr);
		CHECK_EQ(rd(mm + 24 * i + 8, 8), e->size);
		CHECK_EQ(rd(mm + 24 * i + 16, 4), e->type);
		CHECK_EQ(rd(mm + 24 * i + 20, 4), 0);
	}
	CHECK_EQ(rd(si + HSI_NR_MODULES, 4), 1);
	mod = rd(si + HSI_MODLIST_PADDR, 8);
	CHECK_EQ(rd(mod + 8, 8), 9000);
	CHECK_EQ(rd(mod, 8) % 4096, 0);
	CHECK(!memcmp(vm.ram + rd(mod, 8), rdisk, 9000));
	CHECK_EQ(rd(mod + 16, 8) | rd(mod + 24, 8), 0);

	memset(&sregs, 0, sizeof(sregs));
	x86_entry_sregs(&sregs, &entry);
	CHECK_EQ(sregs.cs.base, 0);
	CHECK_EQ(sregs.cs.limit, 0xffffffff);
	CHECK_EQ(sregs.cs.db, 1);
	CHECK_EQ(sregs.cr0 & 0x80000001, 1);	/* PE, no PG */
	CHECK_EQ(sregs.cr4, 0);
	CHECK_EQ(sregs.tr.type, 0xb);
	CHECK_EQ(sregs.tr.limit, 0x67);

	/* no initrd: no module */
	CHECK_EQ(boot(k, size, "", NULL, 0), 0);
	CHECK_EQ(rd(si + HSI_NR_MODULES, 4), 0);
	free(k);
	free(text);

	/* a 4-byte descriptor, ELF32 */
	k = make_pvh(false, 0x1000010, 4, &size, &text);
	CHECK_EQ(boot(k, size, "", NULL, 0), 0);
	CHECK_EQ(entry.regs.rip, 0x1000010);
	free(k);
	free(text);

	/* bad descriptors and entries */
	k = make_pvh(true, 0x1000010, 2, &size, &text);
	CHECK_EQ(boot_quiet(k, size, "", NULL, 0), 2);
	free(k);
	free(text);
	k = make_pvh(true, 0x2000000, 8, &size, &text);	/* outside */
	CHECK_EQ(boot_quiet(k, size, "", NULL, 0), 2);
	free(k);
	free(text);
	k = make_pvh(true, 0x1000010, 8, &size, &text);
	ram_free();
	ram_setup(17 * SZ_1M);			/* segment 0 does not fit */
	CHECK_EQ(boot_quiet(k, size, "", NULL, 0), 2);
	ram_free();
	free(k);
	free(text);
	free(rdisk);
}

static void test_elf_errors(void)
{
	u8 data[64] = { 1, 2, 3 }, note[128];
	size_t nlen = make_note(note, "Xen", XEN_ELFNOTE_PHYS32_ENTRY,
				0x100000, 8);
	struct seg segs[3] = {
		{ PT_LOAD, 0x100000, 0x100000, 64, 4096, data },
		{ PT_NOTE, 0, 0, nlen, nlen, note },
		{ PT_LOAD, 0x200000, 0x200000, 64, 64, data },
	};
	u64 size;
	u8 *k;

	ram_setup(64 * SZ_1M);
#define TRY(expect, ...) do {						\
		k = make_elf(true, 0x100000, segs, 3, &size);		\
		__VA_ARGS__;						\
		CHECK_EQ(boot_quiet(k, size, "", NULL, 0), (expect));	\
		free(k);						\
	} while (0)
#define EH	((Elf64_Ehdr *)k)
#define PH(i)	((Elf64_Phdr *)(k + sizeof(Elf64_Ehdr)) + (i))
	TRY(0);
	TRY(2, EH->e_type = ET_DYN);
	TRY(2, EH->e_machine = EM_AARCH64);
	TRY(2, k[EI_DATA] = ELFDATA2MSB);
	TRY(2, k[EI_CLASS] = 7);
	TRY(2, EH->e_phnum = 0);
	TRY(2, EH->e_phnum = 1000);
	TRY(2, EH->e_phentsize = 32);
	TRY(2, EH->e_phoff = size - 8);		/* headers past the end */
	TRY(2, EH->e_phoff = ~0ull - 4);
	TRY(2, PH(0)->p_filesz = 8192);		/* > memsz */
	TRY(2, PH(0)->p_offset = size - 8);	/* data past the end */
	TRY(2, PH(0)->p_offset = ~0ull);
	TRY(2, PH(0)->p_memsz = ~0ull);		/* absurd size */
	TRY(2, PH(0)->p_paddr = 0xfffffffffffff000ull);
	TRY(2, PH(0)->p_paddr = 0xffff0000ull);	/* beyond RAM, below 4G */
	TRY(2, PH(0)->p_paddr = 0x7000);		/* on the boot info page */
	TRY(2, PH(0)->p_paddr = 0xa0000);		/* not RAM in the e820 */
	TRY(2, PH(2)->p_paddr = 0x100800);	/* overlaps segment 0 */
	TRY(2, PH(1)->p_filesz = 8);		/* note cut short */
	TRY(2, PH(1)->p_filesz = 1 << 20);	/* note segment too big */
	TRY(2, store_le(k + 0x2000 + 24, 0xfffffff0, 4));	/* namesz */
	TRY(2, PH(1)->p_type = PT_NULL);		/* no PVH note */
	TRY(2, PH(0)->p_type = PT_NULL; PH(2)->p_type = PT_NULL);
#undef TRY
#undef EH
#undef PH
	ram_free();
}

/* ---------------------------------------------------------------------
 * Multiboot
 */
static void put_mb_header(u8 *p, u32 flags)
{
	store_le(p, MULTIBOOT_HEADER_MAGIC, 4);
	store_le(p + 4, flags, 4);
	store_le(p + 8, -(MULTIBOOT_HEADER_MAGIC + flags), 4);
}

static void test_multiboot_elf(void)
{
	u8 text[0x2000], *k, *rdisk = pattern(5000, 1);
	struct seg segs[1] = {
		{ PT_LOAD, 0x100000, 0x100000, sizeof(text), 0x3000, text },
	};
	u64 size, mbi = BOOT_INFO_ADDR, mmap, mod;
	unsigned int i;

	memset(text, 0x90, sizeof(text));
	put_mb_header(text + 16, MULTIBOOT_PAGE_ALIGN | MULTIBOOT_MEMORY_INFO);
	k = make_elf(false, 0x100020, segs, 1, &size);
	ram_setup(64 * SZ_1M);
	CHECK_EQ(kernel_detect(&(struct image){ .mem = k, .size = size,
						.fd = -1 }),
		 KERNEL_MULTIBOOT);
	CHECK_EQ(boot(k, size, "debug=1", rdisk, 5000), 0);
	CHECK_EQ(entry.mode, X86_ENTRY_PROTECTED);
	CHECK_EQ(entry.regs.rip, 0x100020);
	CHECK_EQ(entry.regs.rax, 0x2badb002);
	CHECK_EQ(entry.regs.rbx, BOOT_INFO_ADDR);
	CHECK(!memcmp(vm.ram + 0x100000, text, sizeof(text)));
	CHECK_EQ(rd(0x102000, 8), 0);

	CHECK_EQ(rd(mbi + MBI_FLAGS, 4), MBI_FLAG_MEM | MBI_FLAG_CMDLINE |
		 MBI_FLAG_MODS | MBI_FLAG_MMAP | MBI_FLAG_LOADER_NAME);
	CHECK_EQ(rd(mbi + MBI_MEM_LOWER, 4), 639);
	CHECK_EQ(rd(mbi + MBI_MEM_UPPER, 4), 63 * 1024);
	CHECK(!strcmp((char *)vm.ram + rd(mbi + MBI_CMDLINE, 4),
		      "kernel debug=1"));
	CHECK(!strcmp((char *)vm.ram + rd(mbi + MBI_LOADER_NAME, 4), "nyx"));
	CHECK_EQ(rd(mbi + MBI_MMAP_LENGTH, 4), 5 * 24);
	mmap = rd(mbi + MBI_MMAP_ADDR, 4);
	for (i = 0; i < 5; i++) {
		CHECK_EQ(rd(mmap + 24 * i, 4), 20);
		CHECK_EQ(rd(mmap + 24 * i + 4, 8), layout.e820.map[i].addr);
		CHECK_EQ(rd(mmap + 24 * i + 12, 8), layout.e820.map[i].size);
		CHECK_EQ(rd(mmap + 24 * i + 20, 4), layout.e820.map[i].type);
	}
	CHECK_EQ(rd(mbi + MBI_MODS_COUNT, 4), 1);
	mod = rd(mbi + MBI_MODS_ADDR, 4);
	CHECK_EQ(rd(mod, 4) % 4096, 0);
	CHECK_EQ(rd(mod + 4, 4) - rd(mod, 4), 5000);
	CHECK(!memcmp(vm.ram + rd(mod, 4), rdisk, 5000));
	CHECK(!strcmp((char *)vm.ram + rd(mod + 8, 4), "initrd"));

	/* the GDT is the 32-bit one */
	CHECK_EQ(rd(BOOT_GDT_ADDR + BOOT_CS, 8), 0x00cf9b000000ffffull);
	/* no initrd: no module, flag still set */
	CHECK_EQ(boot(k, size, "", NULL, 0), 0);
	CHECK_EQ(rd(mbi + MBI_MODS_COUNT, 4), 0);
	CHECK(!strcmp((char *)vm.ram + rd(mbi + MBI_CMDLINE, 4), "kernel"));
	free(k);

	/* entry given as a virtual address of a higher-half kernel */
	segs[0].vaddr = 0xc0100000;
	k = make_elf(false, 0xc0100020, segs, 1, &size);
	CHECK_EQ(boot(k, size, "", NULL, 0), 0);
	CHECK_EQ(entry.regs.rip, 0x100020);
	free(k);

	/* unsupported required feature bits, entry outside the image */
	put_mb_header(text + 16, 1u << 3);
	segs[0].vaddr = 0x100000;
	k = make_elf(false, 0x100020, segs, 1, &size);
	CHECK_EQ(boot_quiet(k, size, "", NULL, 0), 2);
	free(k);
	put_mb_header(text + 16, MULTIBOOT_VIDEO_MODE | (1u << 20));
	k = make_elf(false, 0x900000, segs, 1, &size);
	CHECK_EQ(boot_quiet(k, size, "", NULL, 0), 2);
	free(k);
	/* bad checksum: not multiboot, and an ELF without PVH note */
	put_mb_header(text + 16, 0);
	text[16 + 8] ^= 1;
	k = make_elf(false, 0x100020, segs, 1, &size);
	CHECK_EQ(kernel_detect(&(struct image){ .mem = k, .size = size,
						.fd = -1 }), KERNEL_PVH);
	CHECK_EQ(boot_quiet(k, size, "", NULL, 0), 2);
	free(k);
	ram_free();
	free(rdisk);
}

/* A raw binary described by the a.out-kludge fields. */
static u8 *make_kludge(u64 size, u32 header_addr, u32 load_addr,
		       u32 load_end, u32 bss_end, u32 entry_addr)
{
	u8 *k = pattern(size, 0x77);

	put_mb_header(k + 0x40, MULTIBOOT_AOUT_KLUDGE | MULTIBOOT_MEMORY_INFO);
	store_le(k + 0x4c, header_addr, 4);
	store_le(k + 0x50, load_addr, 4);
	store_le(k + 0x54, load_end, 4);
	store_le(k + 0x58, bss_end, 4);
	store_le(k + 0x5c, entry_addr, 4);
	return k;
}

static void test_multiboot_kludge(void)
{
	u8 *k;

	ram_setup(64 * SZ_1M);
	memset(vm.ram + 0x200000, 0xaa, 0x20000);
	k = make_kludge(0x8000, 0x200040, 0x200000, 0, 0x210000, 0x200100);
	CHECK_EQ(boot(k, 0x8000, "", NULL, 0), 0);
	CHECK_EQ(entry.regs.rip, 0x200100);
	CHECK(!memcmp(vm.ram + 0x200000, k, 0x8000));
	CHECK_EQ(rd(0x208000, 8) | rd(0x20fff8, 8), 0);		/* BSS */
	CHECK_EQ(rd(0x210000, 1), 0xaa);
	free(k);

	/* load only part of the file, from an offset */
	k = make_kludge(0x8000, 0x300010, 0x2fffd0, 0x301000, 0, 0x300000);
	CHECK_EQ(boot(k, 0x8000, "", NULL, 0), 0);
	CHECK(!memcmp(vm.ram + 0x2fffd0, k, 0x1030));
	free(k);

#define BAD(...) do {							\
		k = make_kludge(0x8000, __VA_ARGS__);			\
		CHECK_EQ(boot_quiet(k, 0x8000, "", NULL, 0), 2);	\
		free(k);						\
	} while (0)
	BAD(0x200040, 0x200041, 0, 0, 0x200100);	/* header < load */
	BAD(0x200140, 0x200000, 0, 0, 0x200100);	/* before the file */
	BAD(0x200040, 0x200000, 0x200000, 0, 0x200100);	/* empty */
	BAD(0x200040, 0x200000, 0x300000, 0, 0x200100);	/* past the end */
	BAD(0x200040, 0x200000, 0, 0x200010, 0x200100);	/* bss < data */
	BAD(0x200040, 0x200000, 0, 0xfffffff0, 0x200100);	/* bss absurd */
	BAD(0x200040, 0x200000, 0, 0, 0x300000);		/* entry */
	BAD(0x7040, 0x7000, 0, 0, 0x7100);		/* on boot info */
	BAD(0xffff0040, 0xffff0000, 0, 0, 0xffff0100);	/* not RAM */
#undef BAD
	/* header cut short */
	k = make_kludge(0x8000, 0x200040, 0x200000, 0, 0, 0x200100);
	CHECK_EQ(boot_quiet(k, 0x50, "", NULL, 0), 2);
	/* not ELF and no kludge flag */
	put_mb_header(k + 0x40, 0);
	CHECK_EQ(boot_quiet(k, 0x8000, "", NULL, 0), 2);
	free(k);
	ram_free();
}

/* ---------------------------------------------------------------------
 * Robustness: every truncation and many corruptions of each image
 */
static u32 rng_state = 12345;

static u32 rng(void)
{
	rng_state = rng_state * 1103515245 + 12345;
	return rng_state >> 8;
}

static void fuzz_one(const u8 *img, u64 size, unsigned int rounds)
{
	u8 *copy = malloc(size);
	unsigned int i, j;
	u64 cut;
	int ret;

	quiet_begin();
	for (cut = 0; cut <= size; cut += cut < 0x1100 ? 1 : 0x400) {
		ret = boot(img, cut, "a", img, cut < 4096 ? cut : 4096);
		CHECK(ret == 0 || ret == 2);
	}
	for (i = 0; i < rounds; i++) {
		memcpy(copy, img, size);
		for (j = 0; j < 1 + rng() % 8; j++) {
			u64 at = rng() % (rng() % 4 ? 0x1000 : size);

			copy[at] = rng() % 3 ? rng() : (rng() % 2 ? 0xff : 0);
		}
		ret = boot(copy, size, "", NULL, 0);
		CHECK(ret == 0 || ret == 2);
	}
	quiet_end();
	free(copy);
}

static void test_fuzz(void)
{
	struct bz_opts o = bz_default;
	u8 text[0x1000] = { 0 }, *k, *t;
	struct seg segs[1] = {
		{ PT_LOAD, 0x100000, 0x100000, sizeof(text), 0x2000, text },
	};
	u64 size;

	ram_setup(32 * SZ_1M);
	o.payload = 0x1000;
	o.init_size = 0x100000;
	k = make_bzimage(&o, &size);
	fuzz_one(k, size, 3000);
	free(k);
	k = make_pvh(true, 0x1000010, 8, &size, &t);
	ram_free();
	ram_setup(64 * SZ_1M);
	fuzz_one(k, size, 3000);
	free(k);
	free(t);
	put_mb_header(text + 8, MULTIBOOT_PAGE_ALIGN);
	k = make_elf(false, 0x100000, segs, 1, &size);
	fuzz_one(k, size, 3000);
	free(k);
	k = make_kludge(0x3000, 0x200040, 0x200000, 0, 0x210000, 0x200100);
	fuzz_one(k, 0x3000, 3000);
	free(k);
	ram_free();
}

/* ---------------------------------------------------------------------
 * Layout, e820 and the whole pc_setup_kernel_boot() path from files
 */
static void test_layout(void)
{
	u64 a;

	ram_setup(5 * SZ_1G);
	layout_init(&layout, &vm);
	CHECK_EQ(layout.e820.nr, 6);
	CHECK_EQ(layout.e820.map[3].addr, 0x100000);
	CHECK_EQ(layout.e820.map[3].size, 3 * SZ_1G - 0x100000);
	CHECK_EQ(layout.e820.map[4].addr, 0xe0000000);	/* PCI ECAM */
	CHECK_EQ(layout.e820.map[4].size, 256 * SZ_1M);
	CHECK_EQ(layout.e820.map[4].type, E820_RESERVED);
	CHECK_EQ(layout.e820.map[5].addr, SZ_4G);
	CHECK_EQ(layout.e820.map[5].size, 2 * SZ_1G);
	CHECK_EQ(e820_type_of(&layout.e820, 0x9fc00, 0x400), E820_RESERVED);
	CHECK_EQ(e820_type_of(&layout.e820, 0x9f000, 0x1000), 0);  /* spans */
	CHECK_EQ(e820_type_of(&layout.e820, 0xa0000, 1), 0);

	quiet_begin();
	CHECK_EQ(layout_claim(&layout, 0x100000, 0x1000, "a"), 0);
	CHECK_EQ(layout_claim(&layout, 0x100fff, 2, "b"), 2);	/* overlap */
	CHECK_EQ(layout_claim(&layout, 0xfff, 2, "c"), 0);
	CHECK_EQ(layout_claim(&layout, 3 * SZ_1G - 1, 2, "d"), 2); /* hole */
	CHECK_EQ(layout_claim(&layout, ~0ull, 2, "e"), 2);	/* wraps */
	CHECK_EQ(layout_claim(&layout, 0x200000, 0, "f"), 2);	/* empty */
	quiet_end();
	/* top-down allocation skips claims and stays in one RAM range */
	CHECK_EQ(layout_alloc_top(&layout, 0x3000, 0x1000, 0x100000, 0x104000,
				  "g", &a), 0);
	CHECK_EQ(a, 0x101000);
	CHECK(!layout_find_top(&layout, 0x4000, 0x1000, 0x100000, 0x104000,
			       &a));
	CHECK(layout_find_top(&layout, SZ_1G, SZ_1M, 0, ~0ull, &a));
	CHECK_EQ(a, 5 * SZ_1G);
	CHECK(layout_find_top(&layout, SZ_1G, SZ_1M, 0, SZ_4G, &a));
	CHECK_EQ(a, 2 * SZ_1G);
	/* the lowest page not touched by "c" [0xfff, 0x1001) */
	CHECK_EQ(layout_alloc_bottom(&layout, 0x1000, 0x1000, 0, SZ_4G, "h",
				     &a), 0);
	CHECK_EQ(a, 0x2000);
	CHECK_EQ(layout_alloc_bottom(&layout, 0x1000, 0x200000, 0x100000,
				     SZ_4G, "i", &a), 0);
	CHECK_EQ(a, 0x200000);
	quiet_begin();
	CHECK_EQ(layout_alloc_top(&layout, 3 * SZ_1G, 1, 0, ~0ull, "j", &a), 2);
	CHECK_EQ(layout_alloc_top(&layout, 0, 1, 0, ~0ull, "k", &a), 2);
	quiet_end();
	ram_free();
}

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "w");

	CHECK(f && fwrite(data, 1, len, f) == len);
	if (f)
		fclose(f);
}

static void test_pc_setup(void)
{
	char dir[] = "/tmp/nyx-kernel-XXXXXX", kpath[64], ipath[64];
	struct pc_boot_config cfg = {
		.kernel = kpath, .initrd = ipath, .cmdline = "console=ttyS0",
		.nr_cpus = 4, .cpu_signature = 0x800f12, .cpu_features = 0x200,
	};
	u8 *k, *rdisk = pattern(12345, 2);
	u64 size;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(kpath, sizeof(kpath), "%s/bzImage", dir);
	snprintf(ipath, sizeof(ipath), "%s/initrd", dir);
	k = make_bzimage(&bz_default, &size);
	write_file(kpath, k, size);
	write_file(ipath, rdisk, 12345);

	ram_setup(64 * SZ_1M);
	CHECK_EQ(pc_setup_kernel_boot(&vm, &cfg, &entry), 0);
	CHECK_EQ(entry.regs.rip, 0x1000200);
	/* the RSDP the loader passes is the one in the F-segment */
	CHECK_EQ(rd(BOOT_INFO_ADDR + BP_ACPI_RSDP_ADDR, 8), 0xf0000);
	CHECK_EQ(rd(0xf0000, 8), 0x2052545020445352ull);	/* "RSD PTR " */
	CHECK_EQ(rd(0x9fc10, 4), 0x5f504d5f);			/* "_MP_" */
	CHECK_EQ(rd(0x40e, 2), 0x9fc0);
	CHECK_EQ(rd(0x413, 2), 639);
	CHECK(!memcmp(vm.ram + rd(BOOT_INFO_ADDR + HDR_RAMDISK_IMAGE, 4),
		      rdisk, 12345));

	/* missing files, directories, empty files: status 2 */
	quiet_begin();
	cfg.initrd = "/nonexistent/initrd";
	CHECK_EQ(pc_setup_kernel_boot(&vm, &cfg, &entry), 2);
	cfg.initrd = dir;
	CHECK_EQ(pc_setup_kernel_boot(&vm, &cfg, &entry), 2);
	cfg.initrd = NULL;
	cfg.kernel = "/nonexistent/bzImage";
	CHECK_EQ(pc_setup_kernel_boot(&vm, &cfg, &entry), 2);
	write_file(kpath, k, 0);
	cfg.kernel = kpath;
	CHECK_EQ(pc_setup_kernel_boot(&vm, &cfg, &entry), 2);
	/* too many vCPUs for the firmware area never happens at 64 */
	cfg.nr_cpus = 64;
	write_file(kpath, k, size);
	quiet_end();
	CHECK_EQ(pc_setup_kernel_boot(&vm, &cfg, &entry), 0);
	ram_free();

	unlink(kpath);
	unlink(ipath);
	rmdir(dir);
	free(k);
	free(rdisk);
}

int main(void)
{
	test_layout();
	test_bzimage_64();
	test_bzimage_placement();
	test_bzimage_32();
	test_bzimage_errors();
	test_real_vmlinuz();
	test_pvh();
	test_elf_errors();
	test_multiboot_elf();
	test_multiboot_kludge();
	test_fuzz();
	test_pc_setup();
	return test_summary("launcher_kernel");
}
