// SPDX-License-Identifier: GPL-2.0
/* Unit tests for x86_walk(): every paging mode, faults, A/D bits. */
#include "test.h"
#include "x86_fake.h"

#define P	NYX_PTE_P
#define RW	NYX_PTE_RW
#define US	NYX_PTE_US
#define A	NYX_PTE_A
#define D	NYX_PTE_D
#define PS	NYX_PTE_PS
#define NX	NYX_PTE_NX
#define PRW	(P | RW | US)

#define PF_P	X86_PF_PRESENT
#define PF_W	X86_PF_WRITE
#define PF_U	X86_PF_USER
#define PF_R	X86_PF_RSVD
#define PF_I	X86_PF_FETCH

static int pte_writes;

static int t_read_pte(void *opaque, u64 gpa, u64 *pte, unsigned int size)
{
	(void)opaque;
	if (gpa + size > RAM_SIZE || (gpa & (size - 1)))
		return -1;
	*pte = 0;
	memcpy(pte, &ram[gpa], size);
	return 0;
}

/*
 * "Another vCPU" edits the entry at race_gpa just before each of the next
 * race_count compare-and-exchanges on it: it stores race_value there, or
 * flips an ignored bit if race_value is ~0.
 */
static u64 race_gpa = ~0ull, race_value;
static int race_count;

static int t_cmpxchg_pte(void *opaque, u64 gpa, u64 old, u64 new,
			 unsigned int size)
{
	u64 cur = 0;

	(void)opaque;
	if (gpa + size > RAM_SIZE || (gpa & (size - 1)))
		return -1;
	if (gpa == race_gpa && race_count > 0) {
		race_count--;
		/* ~0: flip an ignored bit (AVL, bit 9) every time */
		if (race_value == ~0ull)
			ram[gpa + 1] ^= 0x02;
		else
			memcpy(&ram[gpa], &race_value, size);
	}
	memcpy(&cur, &ram[gpa], size);
	if (cur != old)
		return X86_PTE_CHANGED;
	pte_writes++;
	memcpy(&ram[gpa], &new, size);
	return 0;
}

static const struct x86_pte_ops pte_ops = {
	.read_pte = t_read_pte,
	.cmpxchg_pte = t_cmpxchg_pte,
};

static struct x86_paging_cfg cfg;
static u64 g_gpa;
static u32 g_err;

static int walk(u64 la, u32 access)
{
	g_gpa = 0xdeadbeef;
	g_err = 0xdead;
	return x86_walk(&cfg, la, access, &pte_ops, NULL, &g_gpa, &g_err);
}

/* Expect a successful walk to gpa. */
#define OK(la, acc, exp) do {						\
	CHECK_EQ(walk(la, acc), X86_WALK_OK);				\
	CHECK_EQ(g_gpa, exp);						\
	CHECK_EQ(g_err, 0);						\
} while (0)

/* Expect a fault with the given error code. */
#define PF(la, acc, exp_err) do {					\
	CHECK_EQ(walk(la, acc), X86_WALK_FAULT);			\
	CHECK_EQ(g_err, exp_err);					\
} while (0)

static void test_nopaging(void)
{
	memset(&cfg, 0, sizeof(cfg));
	cfg.cr0 = NYX_CR0_PE;
	OK(0x12345, 0, 0x12345);
	OK(0xfffff000, PF_W | PF_U, 0xfffff000);
	/* Linear addresses are 32 bits without paging. */
	OK(0x100001234ull, PF_I, 0x1234);
	CHECK_EQ(x86_walk(&cfg, 0x5000, 0, NULL, NULL, &g_gpa, &g_err),
		 X86_WALK_OK);
}

/* 4-level tables: PML4 0x1000, PDPT 0x2000, PD 0x3000, PT 0x4000. */
static void setup_long(void)
{
	memset(ram, 0, 0x10000);
	memset(&cfg, 0, sizeof(cfg));
	cfg.cr0 = NYX_CR0_PE | NYX_CR0_PG | NYX_CR0_WP;
	cfg.cr4 = NYX_CR4_PAE;
	cfg.efer = NYX_EFER_LME | NYX_EFER_LMA | NYX_EFER_NXE;
	cfg.cr3 = 0x1000;
	wr64(0x1000, 0x2000 | PRW);
	wr64(0x2000, 0x3000 | PRW);
	wr64(0x3000, 0x4000 | PRW);
	wr64(0x4000 + 5 * 8, 0x123000 | PRW);
}

static void test_long_basic(void)
{
	setup_long();
	pte_writes = 0;
	OK(0x5abc, 0, 0x123abc);
	/* A on every level, no D for a read. */
	CHECK_EQ(rd64(0x1000), 0x2000 | PRW | A);
	CHECK_EQ(rd64(0x2000), 0x3000 | PRW | A);
	CHECK_EQ(rd64(0x3000), 0x4000 | PRW | A);
	CHECK_EQ(rd64(0x4028), 0x123000 | PRW | A);
	CHECK_EQ(pte_writes, 4);
	/* Already accessed: no more writes. */
	OK(0x5000, 0, 0x123000);
	CHECK_EQ(pte_writes, 4);
	/* A write dirties the leaf only. */
	OK(0x5ffc, PF_W, 0x123ffc);
	CHECK_EQ(rd64(0x4028), 0x123000 | PRW | A | D);
	CHECK_EQ(rd64(0x3000), 0x4000 | PRW | A);
	CHECK_EQ(pte_writes, 5);
	/* CR3 low bits (PCD/PWT) and high ignored bits of entries. */
	cfg.cr3 = 0x1018;
	wr64(0x4000 + 8 * 8, 0x7ff0000000124000ull | PRW);
	OK(0x8010, 0, 0x124010);
	/* read-only debug walk: no cmpxchg_pte */
	{
		struct x86_pte_ops ro = { .read_pte = t_read_pte };

		wr64(0x4000 + 9 * 8, 0x125000 | PRW);
		CHECK_EQ(x86_walk(&cfg, 0x9000, PF_W, &ro, NULL, &g_gpa,
				  &g_err), X86_WALK_OK);
		CHECK_EQ(g_gpa, 0x125000);
		CHECK_EQ(rd64(0x4048), 0x125000 | PRW);
	}
	/* Upper half: PML4[511]. */
	wr64(0x1000 + 511 * 8, 0x2000 | PRW);
	wr64(0x2000 + 511 * 8, 0x3000 | PRW);
	wr64(0x3000 + 511 * 8, 0x4000 | PRW);
	wr64(0x4000 + 511 * 8, 0x1ff000 | PRW);
	OK(0xfffffffffffff123ull, 0, 0x1ff123);
}

/* A/D updates never overwrite an entry another vCPU changed meanwhile. */
static void test_long_race(void)
{
	setup_long();
	pte_writes = 0;
	/* The leaf moves to another frame while we walk: the walk starts
	 * again and sees the new frame; the edit survives, with A set. */
	race_gpa = 0x4028;
	race_value = 0x777000 | PRW;
	race_count = 1;
	OK(0x5abc, 0, 0x777abc);
	CHECK_EQ(rd64(0x4028), 0x777000 | PRW | A);
	/* The PD entry is made not-present meanwhile: a fault, not a
	 * resurrected entry. */
	setup_long();
	race_gpa = 0x3000;
	race_value = 0;
	race_count = 1;
	PF(0x5abc, PF_W, PF_W);
	CHECK_EQ(rd64(0x3000), 0);
	/* A guest that keeps changing the entry: bounded, then an error. */
	setup_long();
	race_gpa = 0x2000;
	race_value = ~0ull;
	race_count = 1000;
	CHECK_EQ(walk(0x5abc, 0), X86_WALK_ERROR);
	race_count = 0;
	race_gpa = ~0ull;
	OK(0x5abc, 0, 0x123abc);
}

static void test_long_faults(void)
{
	setup_long();
	/* Not present leaf: error code = access bits. */
	PF(0x6000, 0, 0);
	PF(0x6000, PF_W, PF_W);
	PF(0x6000, PF_W | PF_U, PF_W | PF_U);
	PF(0x6000, PF_I, PF_I);
	PF(0x6000, PF_I | PF_U, PF_I | PF_U);
	/* Not present at the top level; no A bit was set by a fault. */
	PF(0x8000000000ull, PF_W, PF_W);
	PF(0x40000000ull, 0, 0);
	CHECK_EQ(rd64(0x1000), 0x2000 | PRW);

	/* read-only page */
	wr64(0x4000 + 7 * 8, 0x127000 | P | US);
	OK(0x7000, 0, 0x127000);
	OK(0x7000, PF_U, 0x127000);
	PF(0x7000, PF_W, PF_P | PF_W);
	PF(0x7000, PF_W | PF_U, PF_P | PF_W | PF_U);
	CHECK_EQ(rd64(0x4038), 0x127000 | P | US | A);
	cfg.cr0 &= ~NYX_CR0_WP;
	OK(0x7000, PF_W, 0x127000);		/* WP=0: supervisor writes */
	CHECK_EQ(rd64(0x4038), 0x127000 | P | US | A | D);
	PF(0x7000, PF_W | PF_U, PF_P | PF_W | PF_U);
	cfg.cr0 |= NYX_CR0_WP;

	/* read-only at an intermediate level */
	wr64(0x3000 + 8, 0x5000 | P | US);
	wr64(0x5000, 0x128000 | PRW);
	OK(0x200000, 0, 0x128000);
	PF(0x200000, PF_W, PF_P | PF_W);

	/* supervisor page, and supervisor at the PDPTE level */
	wr64(0x4000 + 10 * 8, 0x129000 | P | RW);
	OK(0xa000, PF_W, 0x129000);
	PF(0xa000, PF_U, PF_P | PF_U);
	PF(0xa000, PF_U | PF_W, PF_P | PF_U | PF_W);
	PF(0xa000, PF_U | PF_I, PF_P | PF_U | PF_I);
	wr64(0x2000 + 8, 0x6000 | P | RW);
	wr64(0x6000, 0x7000 | PRW);
	wr64(0x7000, 0x12a000 | PRW);
	OK(0x40000000, PF_W, 0x12a000);
	PF(0x40000000, PF_U, PF_P | PF_U);

	/* NX on the leaf, and on the PML4E */
	wr64(0x4000 + 11 * 8, 0x12b000 | PRW | NX);
	OK(0xb000, PF_W, 0x12b000);
	PF(0xb000, PF_I, PF_P | PF_I);
	wr64(0x1000 + 8, 0x8000 | PRW | NX);
	wr64(0x8000, 0x9000 | PRW);
	wr64(0x9000, 0xa000 | PRW);
	wr64(0xa000, 0x12c000 | PRW);
	OK(0x8000000000ull, 0, 0x12c000);
	PF(0x8000000000ull, PF_I | PF_U, PF_P | PF_I | PF_U);
	/* Without NXE the XD bit is reserved, and I/D is not reported. */
	cfg.efer &= ~NYX_EFER_NXE;
	PF(0xb000, 0, PF_P | PF_R);
	PF(0x8000000000ull, PF_I, PF_P | PF_R);
	PF(0x6000, PF_I, 0);
	/* ...unless SMEP is on */
	cfg.cr4 |= NYX_CR4_SMEP;
	PF(0x6000, PF_I, PF_I);
	cfg.cr4 &= ~NYX_CR4_SMEP;
	cfg.efer |= NYX_EFER_NXE;
	/* The fetch from the NX page did not set the PML4E's A bit. */
	CHECK_EQ(rd64(0x1008) & A, A);	/* set by the earlier OK */
	wr64(0x1000 + 8, 0x8000 | PRW | NX);
	PF(0x8000000000ull, PF_I, PF_P | PF_I);
	CHECK_EQ(rd64(0x1008), 0x8000 | PRW | NX);
}

static void test_long_large(void)
{
	setup_long();
	/* 2 MiB page; the PAT bit (12) is not an address bit. */
	wr64(0x3000 + 8, 0x600000 | PRW | PS);
	OK(0x212345, 0, 0x612345);
	CHECK_EQ(rd64(0x3008), 0x600000 | PRW | PS | A);
	OK(0x3fffff, PF_W, 0x7fffff);
	CHECK_EQ(rd64(0x3008), 0x600000 | PRW | PS | A | D);
	wr64(0x3000 + 16, 0x800000 | PRW | PS | 0x1000);
	OK(0x400010, 0, 0x800010);
	/* bits 20:13 of a 2 MiB PDE are reserved */
	wr64(0x3000 + 24, 0x800000 | PRW | PS | 0x2000);
	PF(0x600000, 0, PF_P | PF_R);
	PF(0x600000, PF_W | PF_U, PF_P | PF_R | PF_W | PF_U);
	wr64(0x3000 + 24, 0x800000 | PRW | PS | 0x100000);
	PF(0x600000, PF_I, PF_P | PF_R | PF_I);
	/* reserved bits are not checked in a not-present entry */
	wr64(0x3000 + 24, 0x800000 | PS | 0x100000);
	PF(0x600000, 0, 0);

	/* 1 GiB page */
	wr64(0x2000 + 8, 0xc0000000ull | PRW | PS);
	OK(0x41234567, 0, 0xc1234567ull);
	CHECK_EQ(rd64(0x2008), 0xc0000000ull | PRW | PS | A);
	wr64(0x2000 + 16, 0xc0000000ull | PRW | PS | 0x1000);
	OK(0x80000001ull, 0, 0xc0000001ull);
	wr64(0x2000 + 16, 0xc0000000ull | PRW | PS | 0x2000);
	PF(0x80000001ull, 0, PF_P | PF_R);
	wr64(0x2000 + 16, 0xc0000000ull | PRW | PS | 0x20000000);
	PF(0x80000001ull, 0, PF_P | PF_R);
	/* PS in a PML4E is reserved */
	wr64(0x1000 + 16, 0x2000 | PRW | PS);
	PF(0x10000000000ull, 0, PF_P | PF_R);
}

static void test_long_rsvd(void)
{
	setup_long();
	cfg.maxphyaddr_mask = (1ull << 36) - 1;
	wr64(0x4000 + 12 * 8, (1ull << 40) | 0x12d000 | PRW);
	PF(0xc000, 0, PF_P | PF_R);
	PF(0xc000, PF_W, PF_P | PF_R | PF_W);
	wr64(0x4000 + 12 * 8, (1ull << 35) | 0x12d000 | PRW);
	OK(0xc000, 0, (1ull << 35) | 0x12d000);
	/* bits 62:52 are ignored in long mode */
	wr64(0x4000 + 12 * 8, (1ull << 52) | (1ull << 62) | 0x12d000 | PRW);
	OK(0xc008, 0, 0x12d008);
	/* reserved bit in an intermediate entry */
	wr64(0x3000 + 8, (1ull << 45) | 0x5000 | PRW);
	PF(0x200000, 0, PF_P | PF_R);
	cfg.maxphyaddr_mask = 0;	/* 52 bits: a table outside RAM */
	CHECK_EQ(walk(0x200000, 0), X86_WALK_ERROR);
	CHECK_EQ(rd64(0x3008), (1ull << 45) | 0x5000 | PRW);
	wr64(0x4000 + 12 * 8, (1ull << 51) | 0x12d000 | PRW);
	OK(0xc000, 0, (1ull << 51) | 0x12d000);

	/* Walk errors */
	cfg.cr4 |= NYX_CR4_LA57;
	CHECK_EQ(walk(0x5000, 0), X86_WALK_ERROR);
	cfg.cr4 &= ~NYX_CR4_LA57;
	CHECK_EQ(walk(0x0000800000000000ull, 0), X86_WALK_ERROR);
	CHECK_EQ(walk(0xffff7fffffffffffull, 0), X86_WALK_ERROR);
	cfg.cr4 &= ~NYX_CR4_PAE;
	CHECK_EQ(walk(0x5000, 0), X86_WALK_ERROR);
	cfg.cr4 |= NYX_CR4_PAE;
	wr64(0x4000 + 13 * 8, 0x12f000 | PRW);
	wr64(0x3000 + 16, (RAM_SIZE + 0x1000) | PRW);
	CHECK_EQ(walk(0x400000, 0), X86_WALK_ERROR);
	cfg.cr3 = RAM_SIZE;
	CHECK_EQ(walk(0x5000, 0), X86_WALK_ERROR);
	CHECK_EQ(x86_walk(&cfg, 0, 0, NULL, NULL, &g_gpa, &g_err),
		 X86_WALK_ERROR);
}

/* PAE: PDPT at 0x7020 (CR3 bits 31:5), PD 0x8000, PT 0x9000. */
static void setup_pae(void)
{
	memset(ram, 0, 0x10000);
	memset(&cfg, 0, sizeof(cfg));
	cfg.cr0 = NYX_CR0_PE | NYX_CR0_PG | NYX_CR0_WP;
	cfg.cr4 = NYX_CR4_PAE;
	cfg.efer = NYX_EFER_NXE;
	cfg.cr3 = 0xffffffff00007020ull;	/* upper bits ignored */
	wr64(0x7020, 0x8000 | P);
	wr64(0x8000, 0x9000 | PRW);
	wr64(0x9000 + 3 * 8, 0x133000 | PRW);
}

static void test_pae(void)
{
	setup_pae();
	pte_writes = 0;
	OK(0x3456, 0, 0x133456);
	CHECK_EQ(rd64(0x7020), 0x8000 | P);	/* PDPTE: no A bit */
	CHECK_EQ(rd64(0x8000), 0x9000 | PRW | A);
	CHECK_EQ(rd64(0x9018), 0x133000 | PRW | A);
	CHECK_EQ(pte_writes, 2);
	OK(0x100003456ull, PF_W, 0x133456);	/* la is 32 bits */
	CHECK_EQ(rd64(0x9018), 0x133000 | PRW | A | D);
	PF(0x4000, PF_W, PF_W);
	/* PDPT index from bits 31:30 */
	PF(0x40000000, 0, 0);
	wr64(0x7028, 0xa000 | P);
	wr64(0xa000, 0x400000 | PRW | PS);	/* 2 MiB page */
	OK(0x40012345, 0, 0x412345);
	wr64(0xa000 + 8, 0x400000 | PRW | PS | 0x4000);
	PF(0x40212345, 0, PF_P | PF_R);
	/* PDPTE reserved bits: 2:1, 8:5, 63 */
	wr64(0x7030, 0xa000 | P | RW);
	PF(0x80000000, 0, PF_P | PF_R);
	wr64(0x7030, 0xa000 | P | A);
	PF(0x80000000, 0, PF_P | PF_R);
	wr64(0x7030, 0xa000 | P | NX);
	PF(0x80000000, 0, PF_P | PF_R);
	wr64(0x7030, 0xa000 | P | 0x18 | 0xe00);	/* PWT PCD, avail */
	OK(0x80000000, 0, 0x400000);
	/* bits 62:52 are reserved in PAE mode */
	wr64(0x9000 + 4 * 8, (1ull << 52) | 0x134000 | PRW);
	PF(0x4000, 0, PF_P | PF_R);
	wr64(0x9000 + 4 * 8, (1ull << 62) | 0x134000 | PRW);
	PF(0x4000, 0, PF_P | PF_R);
	/* NX */
	wr64(0x9000 + 4 * 8, NX | 0x134000 | PRW);
	OK(0x4000, 0, 0x134000);
	PF(0x4000, PF_I, PF_P | PF_I);
	cfg.efer = 0;
	PF(0x4000, 0, PF_P | PF_R);
	PF(0x5000, PF_I, 0);
	/* U/S and R/W */
	wr64(0x9000 + 5 * 8, 0x135000 | P);
	OK(0x5000, 0, 0x135000);
	cfg.cr0 &= ~NYX_CR0_WP;
	OK(0x5000, PF_W, 0x135000);
	cfg.cr0 |= NYX_CR0_WP;
	PF(0x5000, PF_W, PF_P | PF_W);
	PF(0x5000, PF_U, PF_P | PF_U);
}

/* 32-bit paging: PD 0xc000, PT 0xd000. */
static void setup_32(void)
{
	memset(ram, 0, 0x10000);
	memset(&cfg, 0, sizeof(cfg));
	cfg.cr0 = NYX_CR0_PE | NYX_CR0_PG | NYX_CR0_WP;
	cfg.cr3 = 0xc000;
	wr32(0xc000, 0xd000 | PRW);
	wr32(0xd000 + 5 * 4, 0x123000 | PRW);
}

static void test_32(void)
{
	setup_32();
	wr32(0xc004, 0xffffffff);	/* the neighbour entry stays intact */
	OK(0x5abc, 0, 0x123abc);
	CHECK_EQ(rd32(0xc000), 0xd000 | PRW | A);
	CHECK_EQ(rd32(0xc004), 0xffffffff);
	CHECK_EQ(rd32(0xd014), 0x123000 | PRW | A);
	OK(0x5abc, PF_W | PF_U, 0x123abc);
	CHECK_EQ(rd32(0xd014), 0x123000 | PRW | A | D);
	PF(0x6000, PF_W | PF_U | PF_I, PF_W | PF_U);	/* no I/D bit */
	cfg.cr4 = NYX_CR4_SMEP;
	PF(0x6000, PF_I, PF_I);
	cfg.cr4 = 0;
	/* no reserved bits in a 4 KiB PTE, no NX */
	wr32(0xd000 + 6 * 4, 0x124000 | PRW | 0xf80);
	OK(0x6000, PF_I, 0x124000);

	/* PS without CR4.PSE: a page table */
	wr32(0xc000 + 4, 0xe000 | PRW | PS);
	wr32(0xe000 + 4, 0x125000 | PRW);
	OK(0x401000, 0, 0x125000);
	/* with PSE: a 4 MiB page */
	cfg.cr4 = NYX_CR4_PSE;
	wr32(0xc000 + 4, 0x00c00000 | PRW | PS);
	OK(0x401234, 0, 0xc01234);
	CHECK_EQ(rd32(0xc004), 0x00c00000 | PRW | PS | A);
	OK(0x7fffff, PF_W, 0xffffff);
	CHECK_EQ(rd32(0xc004), 0x00c00000 | PRW | PS | A | D);
	/* PAT at bit 12, PSE-36 high address bits at 20:13 */
	wr32(0xc000 + 8, 0x00c00000 | PRW | PS | 0x1000 | (0x3 << 13));
	OK(0x800010, 0, 0x300c00010ull);
	/* bit 21 reserved; bits above MAXPHYADDR reserved */
	wr32(0xc000 + 8, 0x00c00000 | PRW | PS | (1 << 21));
	PF(0x800010, 0, PF_P | PF_R);
	cfg.maxphyaddr_mask = (1ull << 36) - 1;
	wr32(0xc000 + 8, 0x00c00000 | PRW | PS | (0x10 << 13));
	PF(0x800010, PF_W, PF_P | PF_R | PF_W);
	wr32(0xc000 + 8, 0x00c00000 | PRW | PS | (0x8 << 13));
	OK(0x800010, 0, 0x800c00010ull);
	/* U/S and R/W on the PDE */
	wr32(0xc000 + 12, 0x00c00000 | P | PS);
	OK(0xc00000, 0, 0xc00000);
	PF(0xc00000, PF_U, PF_P | PF_U);
	PF(0xc00000, PF_W, PF_P | PF_W);
	cfg.cr0 &= ~NYX_CR0_WP;
	OK(0xc00000, PF_W, 0xc00000);
	/* not present PDE */
	PF(0x1000000, PF_U, PF_U);
	/* la is 32 bits */
	OK(0x100000000ull + 0x5004, 0, 0x123004);
}

int main(void)
{
	test_nopaging();
	test_long_basic();
	test_long_race();
	test_long_faults();
	test_long_large();
	test_long_rsvd();
	test_pae();
	test_32();
	return test_summary("test_paging");
}
