// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include "arch/x86/boot.h"
#include "arch/x86/layout.h"
#include "core/vm.h"

#define X86_CR0_PE	(1ull << 0)
#define X86_CR0_ET	(1ull << 4)
#define X86_CR0_NE	(1ull << 5)
#define X86_CR0_PG	(1ull << 31)
#define X86_CR4_PAE	(1ull << 5)
#define X86_EFER_LME	(1ull << 8)
#define X86_EFER_LMA	(1ull << 10)
#define X86_RFLAGS_FIXED 0x2ull	/* bit 1 always reads as 1 */

/* Page-table entry bits. */
#define PTE_PRESENT	(1ull << 0)
#define PTE_WRITE	(1ull << 1)
#define PTE_LARGE	(1ull << 7)	/* 2 MiB page in a PD entry */

/* Segment descriptor types (S=1: code/data; S=0: system). */
#define SEG_TYPE_DATA_RW_ACCESSED	0x3
#define SEG_TYPE_CODE_RX_ACCESSED	0xb
#define SEG_TYPE_LDT			0x2
#define SEG_TYPE_TSS32_BUSY		0xb

int parse_flat_spec(const char *spec, char **path, u64 *addr)
{
	const char *at = strrchr(spec, '@');
	size_t len = at ? (size_t)(at - spec) : strlen(spec);

	*addr = FLAT_DEFAULT_ADDR;
	if (at && parse_u64(at + 1, addr))
		return -EINVAL;
	if (!len)
		return -EINVAL;
	*path = strndup(spec, len);
	return *path ? 0 : -ENOMEM;
}

int flat_load(struct vm *vm, const char *path, u64 addr)
{
	struct stat st;
	ssize_t n;
	u64 size, done = 0;
	u8 *dst;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		pr_err("cannot open %s: %s", path, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		pr_err("cannot open %s: not a regular file", path);
		goto fail;
	}
	size = st.st_size;
	if (!size) {
		pr_err("--flat: %s is empty", path);
		goto fail;
	}
	/* Written as subtractions so that a huge ADDR can't overflow. */
	if (addr >= vm->low_size || size > vm->low_size - addr) {
		pr_err("--flat: %s (%llu bytes) at 0x%llx does not fit in guest RAM below 0x%llx",
		       path, (unsigned long long)size,
		       (unsigned long long)addr,
		       (unsigned long long)vm->low_size);
		goto fail;
	}
	dst = gpa_to_hva(vm, addr, size);
	while (done < size) {
		n = read(fd, dst + done, size - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			pr_err("cannot read %s: %s", path,
			       n ? strerror(errno) : "file shrank");
			goto fail;
		}
		done += n;
	}
	close(fd);
	pr_debug("flat: loaded %s at 0x%llx-0x%llx", path,
		 (unsigned long long)addr, (unsigned long long)(addr + size - 1));
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	return NYX_EXIT_SETUP;
}

static struct nyx_segment real_mode_segment(u8 type, bool system)
{
	return (struct nyx_segment){
		.base = 0,
		.limit = 0xffff,
		.selector = 0,
		.type = type,
		.present = 1,
		.s = !system,
	};
}

void x86_real_mode_sregs(struct nyx_sregs *sregs, u64 entry)
{
	struct nyx_segment data = real_mode_segment(SEG_TYPE_DATA_RW_ACCESSED,
						    false);

	sregs->cs = real_mode_segment(SEG_TYPE_CODE_RX_ACCESSED, false);
	if (entry > 0xffff) {
		/* Real mode can't reach it with CS = 0: move CS there. The
		 * hidden base may lie above 1 MiB, as after a CPU reset. */
		sregs->cs.base = entry & ~0xfull;
		sregs->cs.selector = (u16)(entry >> 4);
	}
	sregs->ds = data;
	sregs->es = data;
	sregs->fs = data;
	sregs->gs = data;
	sregs->ss = data;
	sregs->tr = real_mode_segment(SEG_TYPE_TSS32_BUSY, true);
	sregs->ldt = real_mode_segment(SEG_TYPE_LDT, true);
	memset(&sregs->gdt, 0, sizeof(sregs->gdt));
	memset(&sregs->idt, 0, sizeof(sregs->idt));
	sregs->gdt.limit = 0xffff;
	sregs->idt.limit = 0xffff;

	/*
	 * A boot sector runs after the firmware has turned the caches on:
	 * CD and NW clear (with nested paging the guest's CD would really
	 * make its memory uncached), ET set, PE and PG clear.
	 */
	sregs->cr0 = X86_CR0_ET;
	sregs->cr2 = 0;
	sregs->cr3 = 0;
	sregs->cr4 = 0;
	sregs->cr8 = 0;
	sregs->efer = 0;
	sregs->flags = 0;
	memset(sregs->reserved, 0, sizeof(sregs->reserved));
}

void x86_real_mode_regs(struct nyx_regs *regs, u64 entry)
{
	memset(regs, 0, sizeof(*regs));
	regs->rip = entry > 0xffff ? (entry & 0xf) : entry;
	regs->rflags = X86_RFLAGS_FIXED;
	regs->rsp = 0;
}

void x86_entry_real(struct x86_boot_entry *e, u64 addr)
{
	memset(e, 0, sizeof(*e));
	e->mode = X86_ENTRY_REAL;
	e->entry = addr;
	x86_real_mode_regs(&e->regs, addr);
}

void x86_entry_init(struct x86_boot_entry *e, enum x86_entry_mode mode,
		    u64 rip)
{
	memset(e, 0, sizeof(*e));
	e->mode = mode;
	e->entry = rip;
	e->regs.rip = rip;
	e->regs.rflags = X86_RFLAGS_FIXED;	/* IF clear */
}

/* A flat 4 GiB code or data segment matching the boot GDT. */
static struct nyx_segment flat_segment(u16 selector, u8 type, bool code64)
{
	return (struct nyx_segment){
		.base = 0,
		.limit = 0xffffffff,
		.selector = selector,
		.type = type,
		.present = 1,
		.s = 1,
		.l = code64,
		.db = !code64,	/* D must be 0 when L is 1 */
		.g = 1,
	};
}

static struct nyx_segment system_segment(u8 type, u32 limit)
{
	return (struct nyx_segment){
		.limit = limit,
		.type = type,
		.present = 1,
	};
}

void x86_entry_sregs(struct nyx_sregs *sregs, const struct x86_boot_entry *e)
{
	bool lm = e->mode == X86_ENTRY_LONG;
	struct nyx_segment data;

	if (e->mode == X86_ENTRY_REAL) {
		x86_real_mode_sregs(sregs, e->entry);
		return;
	}
	data = flat_segment(BOOT_DS, SEG_TYPE_DATA_RW_ACCESSED, false);
	sregs->cs = flat_segment(BOOT_CS, SEG_TYPE_CODE_RX_ACCESSED, lm);
	sregs->ds = data;
	sregs->es = data;
	sregs->fs = data;
	sregs->gs = data;
	sregs->ss = data;
	/* A busy TSS (0x67 bytes, as the PVH ABI specifies) and an empty
	 * LDT: never used before the guest loads its own, but entry checks
	 * want them well formed. */
	sregs->tr = system_segment(SEG_TYPE_TSS32_BUSY, 0x67);
	sregs->ldt = system_segment(SEG_TYPE_LDT, 0xffff);
	memset(&sregs->gdt, 0, sizeof(sregs->gdt));
	memset(&sregs->idt, 0, sizeof(sregs->idt));
	sregs->gdt.base = BOOT_GDT_ADDR;
	sregs->gdt.limit = BOOT_GDT_ENTRIES * 8 - 1;

	/* Caches on (CD/NW clear), as firmware would leave them. */
	sregs->cr0 = X86_CR0_PE | X86_CR0_ET;
	sregs->cr2 = 0;
	sregs->cr3 = 0;
	sregs->cr4 = 0;
	sregs->cr8 = 0;
	sregs->efer = 0;
	if (lm) {
		sregs->cr0 |= X86_CR0_NE | X86_CR0_PG;
		sregs->cr3 = BOOT_PGTABLE_ADDR;
		sregs->cr4 = X86_CR4_PAE;
		sregs->efer = X86_EFER_LME | X86_EFER_LMA;
	}
	sregs->flags = 0;
	memset(sregs->reserved, 0, sizeof(sregs->reserved));
}

/* Flat 4 GiB descriptor: base 0, limit 0xfffff pages. */
static u64 gdt_flat(u8 access, bool code64)
{
	u64 flags = code64 ? 0xa : 0xc;	/* G|L or G|D */

	return 0xffffull | ((u64)access << 40) | (0xfull << 48) |
	       (flags << 52);
}

int x86_write_boot_gdt(struct vm *vm, enum x86_entry_mode mode)
{
	u64 gdt[BOOT_GDT_ENTRIES] = { 0 };
	u8 gdt_bytes[sizeof(gdt)];
	unsigned int i;

	/* access: P | S | type (0x9b: code RX accessed, 0x93: data RW) */
	gdt[BOOT_CS / 8] = gdt_flat(0x90 | SEG_TYPE_CODE_RX_ACCESSED,
				    mode == X86_ENTRY_LONG);
	gdt[BOOT_DS / 8] = gdt_flat(0x90 | SEG_TYPE_DATA_RW_ACCESSED, false);
	for (i = 0; i < BOOT_GDT_ENTRIES; i++)
		store_le(gdt_bytes + 8 * i, gdt[i], 8);
	return vm_write_guest(vm, BOOT_GDT_ADDR, gdt_bytes, sizeof(gdt_bytes));
}

int x86_write_identity_map(struct vm *vm)
{
	u8 *pt = gpa_to_hva(vm, BOOT_PGTABLE_ADDR, BOOT_PGTABLE_SIZE);
	u64 pml4 = BOOT_PGTABLE_ADDR, pdpt = pml4 + 0x1000, pd = pdpt + 0x1000;
	unsigned int i;

	if (!pt)
		return -EFAULT;
	memset(pt, 0, BOOT_PGTABLE_SIZE);
	store_le(pt, pdpt | PTE_PRESENT | PTE_WRITE, 8);
	for (i = 0; i < 4; i++)
		store_le(pt + 0x1000 + 8 * i,
			 (pd + 0x1000 * i) | PTE_PRESENT | PTE_WRITE, 8);
	/* 4 PDs x 512 entries x 2 MiB, contiguous after the PDPT. */
	for (i = 0; i < 4 * 512; i++)
		store_le(pt + 0x2000 + 8 * i,
			 ((u64)i << 21) | PTE_PRESENT | PTE_WRITE | PTE_LARGE,
			 8);
	return 0;
}

static int vcpu_ioctl(int fd, unsigned long req, void *arg,
		      unsigned int vcpu_id, const char *name)
{
	int err;

	if (ioctl(fd, req, arg) >= 0)
		return 0;
	err = errno;
	pr_err("vCPU %u: %s: %s", vcpu_id, name, strerror(err));
	return -err;
}

int x86_vcpu_firmware_msrs(int vcpu_fd, unsigned int vcpu_id)
{
	struct {
		struct nyx_msrs hdr;
		struct nyx_msr_entry e[1];
	} m = {
		.hdr.nmsrs = 1,
		/* MTRRs enabled, everything write-back: what firmware leaves
		 * for a VM (the hypervisor decides the real memory types) */
		.e[0] = { .index = 0x2ff, .data = 0x806 },
	};

	if (ioctl(vcpu_fd, NYX_SET_MSRS, &m) != 1) {
		pr_err("vCPU %u: NYX_SET_MSRS (MTRRdefType): %s", vcpu_id,
		       strerror(errno));
		return -EINVAL;
	}
	return 0;
}

int x86_vcpu_runnable(int vcpu_fd, unsigned int vcpu_id)
{
	struct nyx_vcpu_events ev;
	int ret;

	ret = vcpu_ioctl(vcpu_fd, NYX_GET_VCPU_EVENTS, &ev, vcpu_id,
			 "NYX_GET_VCPU_EVENTS");
	if (ret)
		return ret;
	ev.mp_state = NYX_MP_STATE_RUNNABLE;
	return vcpu_ioctl(vcpu_fd, NYX_SET_VCPU_EVENTS, &ev, vcpu_id,
			  "NYX_SET_VCPU_EVENTS");
}

int x86_boot_vcpu(int vcpu_fd, unsigned int vcpu_id,
		  const struct x86_boot_entry *e)
{
	struct nyx_sregs sregs;
	struct nyx_regs regs;
	int ret;

	ret = vcpu_ioctl(vcpu_fd, NYX_GET_SREGS, &sregs, vcpu_id,
			 "NYX_GET_SREGS");
	if (ret)
		return ret;
	x86_entry_sregs(&sregs, e);
	ret = vcpu_ioctl(vcpu_fd, NYX_SET_SREGS, &sregs, vcpu_id,
			 "NYX_SET_SREGS");
	if (ret)
		return ret;
	regs = e->regs;
	return vcpu_ioctl(vcpu_fd, NYX_SET_REGS, &regs, vcpu_id,
			  "NYX_SET_REGS");
}
