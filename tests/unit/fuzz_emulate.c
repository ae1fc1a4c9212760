// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the x86 emulator and page walker: the input picks
 * the CPU mode and state, the instruction bytes and the contents of a small
 * guest RAM (page tables included, so the walker sees arbitrary tables).
 * Invariants that must hold for any input are checked with abort().
 *
 * Build and run: make -C tests/unit fuzz (not part of make check).
 */
#include <stdlib.h>
#include <string.h>
#include <x86/emulate.h>
#include <x86/paging.h>
#include <x86/x86_defs.h>

#define F_RAM_SIZE	(64u * 1024)
/* [0xa000, 0xc000) is MMIO inside the RAM range */
#define F_MMIO_LO	0xa000ull
#define F_MMIO_HI	0xc000ull
#define F_ROM		0xe000ull	/* writes report MMIO */

static u8 f_ram[F_RAM_SIZE] __attribute__((aligned(4096)));

static void put64(u64 gpa, u64 v)
{
	memcpy(&f_ram[gpa], &v, 8);
}

static void put32(u64 gpa, u32 v)
{
	memcpy(&f_ram[gpa], &v, 4);
}

#define ASSERT(c) do { if (!(c)) abort(); } while (0)

static int f_mmio(u64 gpa)
{
	return (gpa >= F_MMIO_LO && gpa < F_MMIO_HI) || gpa >= F_RAM_SIZE;
}

static int f_read(void *opaque, u64 gpa, void *buf, unsigned int len)
{
	(void)opaque;
	ASSERT(len >= 1 && len <= NYX_PAGE_SIZE);
	ASSERT(NYX_PAGE_OFFSET(gpa) + len <= NYX_PAGE_SIZE);
	if (f_mmio(gpa))
		return X86_MEM_MMIO;
	memcpy(buf, &f_ram[gpa], len);
	return X86_MEM_OK;
}

static int f_write(void *opaque, u64 gpa, const void *buf, unsigned int len)
{
	(void)opaque;
	ASSERT(len >= 1 && len <= NYX_PAGE_SIZE);
	ASSERT(NYX_PAGE_OFFSET(gpa) + len <= NYX_PAGE_SIZE);
	if (f_mmio(gpa) || (gpa & ~0xfffull) == F_ROM)
		return X86_MEM_MMIO;
	memcpy(&f_ram[gpa], buf, len);
	return X86_MEM_OK;
}

static int f_get_dr(void *opaque, int dr, u64 *val)
{
	(void)opaque;
	ASSERT(dr >= 0 && dr <= 7);
	*val = 0x400 | (u64)dr;
	return dr == 5 ? -1 : 0;
}

static int f_set_dr(void *opaque, int dr, u64 val)
{
	(void)opaque;
	ASSERT(dr >= 0 && dr <= 7);
	return val & 1 ? -1 : 0;
}

static const struct x86_emu_ops f_ops = {
	.read_phys = f_read,
	.write_phys = f_write,
	.get_dr = f_get_dr,
	.set_dr = f_set_dr,
};

static int f_read_pte(void *opaque, u64 gpa, u64 *pte, unsigned int size)
{
	(void)opaque;
	ASSERT(size == 4 || size == 8);
	if (gpa + size > F_RAM_SIZE)
		return -1;
	*pte = 0;
	memcpy(pte, &f_ram[gpa], size);
	return 0;
}

static int f_cmpxchg_pte(void *opaque, u64 gpa, u64 old, u64 new,
			 unsigned int size)
{
	u64 cur = 0;

	(void)opaque;
	ASSERT(size == 4 || size == 8);
	ASSERT(gpa + size <= F_RAM_SIZE);
	memcpy(&cur, &f_ram[gpa], size);
	if (cur != old)
		return X86_PTE_CHANGED;
	memcpy(&f_ram[gpa], &new, size);
	return 0;
}

static const struct x86_pte_ops f_pte_ops = {
	.read_pte = f_read_pte,
	.cmpxchg_pte = f_cmpxchg_pte,
};

struct cursor {
	const u8 *p;
	size_t n;
};

static u64 take(struct cursor *c, unsigned int bytes)
{
	u64 v = 0;
	unsigned int i;

	for (i = 0; i < bytes && c->n; i++, c->n--)
		v |= (u64)*c->p++ << (8 * i);
	return v;
}

/* Registers mostly point somewhere interesting: RAM, MMIO or the edges. */
static u64 pick_reg(struct cursor *c)
{
	static const u64 bases[8] = {
		0x1000, F_MMIO_LO, F_ROM, 0x10000, 0xfff, 0, 0x7ffffffffff0ull,
		0xffffffffffffff00ull,
	};
	u8 sel = (u8)take(c, 1);

	if (sel & 0x80)
		return take(c, 8);
	return bases[sel & 7] + ((sel >> 3) & 0xf) * 0x3f;
}

static void setup_cpu(struct x86_cpu_state *cpu, struct cursor *c)
{
	u8 mode = (u8)take(c, 1);
	u16 dpl = (u16)((take(c, 1) & 3) << 5);
	int i;

	memset(cpu, 0, sizeof(*cpu));
	for (i = 0; i < X86_NR_GPRS; i++)
		cpu->gpr[i] = pick_reg(c);
	cpu->rflags = 2 | (take(c, 2) & (NYX_RFLAGS_ARITH | NYX_RFLAGS_DF));
	for (i = 0; i < X86_NR_SEGS; i++) {
		cpu->seg[i].attr = (u16)(0xc93 | dpl);
		cpu->seg[i].base = (mode & 0x80) ? take(c, 1) << 12 : 0;
	}
	cpu->seg[X86_SEG_CS].attr = (u16)(0xc9b | dpl);
	cpu->rip = 0x2000 + take(c, 2) % 0x1100;
	cpu->cr3 = take(c, 2) & 0xfff8;

	switch (mode & 7) {
	case 0:		/* real */
		break;
	case 1:		/* vm86 */
		cpu->cr0 = NYX_CR0_PE;
		cpu->rflags |= NYX_RFLAGS_VM;
		break;
	case 2:		/* 16-bit protected */
		cpu->cr0 = NYX_CR0_PE;
		cpu->seg[X86_SEG_CS].attr &= ~X86_SEG_ATTR_DB;
		break;
	case 3:		/* 32-bit flat */
		cpu->cr0 = NYX_CR0_PE;
		break;
	case 4:		/* 32-bit paging */
		cpu->cr0 = NYX_CR0_PE | NYX_CR0_PG;
		cpu->cr4 = (mode & 8) ? NYX_CR4_PSE : 0;
		break;
	case 5:		/* PAE */
		cpu->cr0 = NYX_CR0_PE | NYX_CR0_PG;
		cpu->cr4 = NYX_CR4_PAE;
		cpu->efer = (mode & 8) ? NYX_EFER_NXE : 0;
		break;
	default:	/* compat (6) or 64-bit (7) */
		cpu->cr0 = NYX_CR0_PE | NYX_CR0_PG;
		cpu->cr4 = NYX_CR4_PAE;
		cpu->efer = NYX_EFER_LME | NYX_EFER_LMA |
			    ((mode & 8) ? NYX_EFER_NXE : 0);
		if ((mode & 7) == 7)
			cpu->seg[X86_SEG_CS].attr = (u16)(0x29b | dpl);
		break;
	}
	if (mode & 0x10)
		cpu->cr0 |= NYX_CR0_WP;
	if (mode & 0x20)
		cpu->cr4 |= NYX_CR4_DE;
	if (mode & 0x40)
		cpu->cr4 |= NYX_CR4_SMEP;
}

static void run_emulator(struct x86_cpu_state *cpu, struct cursor *c)
{
	struct x86_cpu_state before = *cpu;
	struct x86_emu emu;
	int i, rc = X86_EMU_MMIO;

	x86_emu_init(&emu, cpu, &f_ops, NULL);
	emu.maxphyaddr_mask = (take(c, 1) & 1) ? (1ull << 36) - 1 : 0;
	for (i = 0; i <= X86_EMU_MAX_MMIO && rc == X86_EMU_MMIO; i++) {
		struct x86_mmio_access *a;

		rc = x86_emulate(&emu);
		ASSERT(emu.insn_len <= 15);
		if (rc != X86_EMU_MMIO)
			break;
		ASSERT(!memcmp(&before, cpu, sizeof(before)));
		ASSERT(emu.nr_mmio_done < X86_EMU_MAX_MMIO);
		a = &emu.mmio[emu.nr_mmio_done];
		ASSERT(a->len == 1 || a->len == 2 || a->len == 4 ||
		       a->len == 8);
		ASSERT(a->is_write <= 1);
		ASSERT(f_mmio(a->gpa) || (a->is_write &&
					  (a->gpa & ~0xfffull) == F_ROM));
		if (!a->is_write)
			memset(a->data, (int)take(c, 1), sizeof(a->data));
		emu.nr_mmio_done++;
	}
	/* No supported instruction needs more than two MMIO accesses. */
	ASSERT(i <= 2);
	ASSERT(rc == X86_EMU_DONE || rc == X86_EMU_EXCEPTION ||
	       rc == X86_EMU_UNHANDLED);
	if (rc != X86_EMU_DONE)
		ASSERT(!memcmp(&before, cpu, sizeof(before)));
	if (rc == X86_EMU_EXCEPTION)
		ASSERT(emu.exc.vector == NYX_EXC_UD ||
		       emu.exc.vector == NYX_EXC_SS ||
		       emu.exc.vector == NYX_EXC_GP ||
		       emu.exc.vector == NYX_EXC_PF);
	if (rc == X86_EMU_DONE) {
		/* Only the registers, RIP and RFLAGS may change. */
		ASSERT(!memcmp(&before.cr0, &cpu->cr0,
			       sizeof(*cpu) - offsetof(struct x86_cpu_state,
						       cr0)));
		ASSERT(cpu->rip == before.rip || emu.insn_len > 0);
	}
}

static void run_linear(struct x86_cpu_state *cpu, struct cursor *c)
{
	struct x86_cpu_state before = *cpu;
	struct x86_emu emu;
	u8 buf[300];
	unsigned int len = (unsigned int)(take(c, 2) % sizeof(buf));
	enum x86_seg seg = (enum x86_seg)(take(c, 1) % (X86_NR_SEGS + 1));
	u64 off = pick_reg(c);
	int rc;

	memset(buf, 0x77, sizeof(buf));
	x86_emu_init(&emu, cpu, &f_ops, NULL);
	if (take(c, 1) & 1)
		rc = x86_emu_read_linear(&emu, seg, off, buf, len);
	else
		rc = x86_emu_write_linear(&emu, seg, off, buf, len);
	ASSERT(rc == X86_EMU_DONE || rc == X86_EMU_EXCEPTION ||
	       rc == X86_EMU_UNHANDLED);
	ASSERT(!memcmp(&before, cpu, sizeof(before)));
	ASSERT(x86_emu_addr_size(cpu) == 2 || x86_emu_addr_size(cpu) == 4 ||
	       x86_emu_addr_size(cpu) == 8);
}

static void run_walk(struct x86_cpu_state *cpu, struct cursor *c)
{
	struct x86_paging_cfg cfg = {
		.cr0 = cpu->cr0, .cr3 = cpu->cr3, .cr4 = cpu->cr4,
		.efer = cpu->efer,
	};
	u64 la = pick_reg(c), gpa;
	u32 access = (u32)take(c, 1), err;
	int rc;

	rc = x86_walk(&cfg, la, access, &f_pte_ops, NULL, &gpa, &err);
	ASSERT(rc == X86_WALK_OK || rc == X86_WALK_FAULT ||
	       rc == X86_WALK_ERROR);
	if (rc == X86_WALK_OK)
		ASSERT(err == 0);
	if (rc == X86_WALK_FAULT)
		ASSERT(!(err & ~0x1fu) && (!(err & X86_PF_RSVD) ||
					   (err & X86_PF_PRESENT)));
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

/*
 * Identity-map the first 2 MiB (so RAM, MMIO and "nothing" all show up)
 * for the paging mode in use, with per-page flags from the input: the
 * fuzzer reaches the instruction decoder quickly and still sees faults.
 */
static void identity_tables(struct x86_cpu_state *cpu, struct cursor *c)
{
	u64 flags = 0x7 | (take(c, 1) & 0x60);
	u8 holes = (u8)take(c, 1);
	unsigned int i;

	if (!(cpu->cr0 & NYX_CR0_PG))
		return;
	if (cpu->efer & NYX_EFER_LMA) {
		cpu->cr3 = 0x4000;
		put64(0x4000, 0x5000 | 7);
		put64(0x5000, 0x6000 | 7);
		put64(0x6000, 0x7000 | 7);
	} else if (cpu->cr4 & NYX_CR4_PAE) {
		cpu->cr3 = 0x4000;
		put64(0x4000, 0x6000 | 1);
		put64(0x6000, 0x7000 | 7);
	} else {
		cpu->cr3 = 0x6000;
		put32(0x6000, 0x7000 | 7);
		for (i = 0; i < 1024; i++)
			put32(0x7000 + i * 4, (u32)((i << 12) | flags));
		if (holes)
			put32(0x7000 + (holes % 32) * 4, 0);
		return;
	}
	for (i = 0; i < 512; i++)
		put64(0x7000 + i * 8, ((u64)i << 12) | flags);
	if (holes)
		put64(0x7000 + (holes % 32) * 8, 0);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct cursor c = { data, size };
	struct x86_cpu_state cpu;
	u8 insn[16];
	size_t i, ram_bytes;
	int tables;

	setup_cpu(&cpu, &c);
	tables = (int)take(&c, 1);
	for (i = 0; i < sizeof(insn); i++)
		insn[i] = (u8)take(&c, 1);

	/* RAM contents come from the rest of the input, tiled. */
	memset(f_ram, 0, sizeof(f_ram));
	ram_bytes = c.n;
	for (i = 0; ram_bytes && i < F_RAM_SIZE; i++)
		f_ram[i] = c.p[i % ram_bytes];
	if (tables & 1)
		identity_tables(&cpu, &c);
	for (i = 0; i < sizeof(insn); i++)
		f_ram[(cpu.seg[X86_SEG_CS].base + cpu.rip + i) %
		      F_RAM_SIZE] = insn[i];

	run_emulator(&cpu, &c);
	run_linear(&cpu, &c);
	run_walk(&cpu, &c);
	return 0;
}
