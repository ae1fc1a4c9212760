// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the x86 emulator: every supported instruction form in
 * real, vm86, 16/32-bit protected (with and without paging), compat and
 * 64-bit mode, through the re-execute loop against a fake device. ALU
 * flags are checked against the host CPU (inline asm + pushf).
 */
#include <stdint.h>
#include "test.h"
#include "x86_fake.h"

#define CODE		0x10000ull	/* linear address of the code */
#define DATA		0x20000ull	/* linear address of RAM data */
#define MMIO_LA		(VGA_BASE + 0x100)	/* MMIO in every mode */
#define MMIO_HI_LA	0x200000ull	/* -> MMIO_HI in paged modes */

#define CF NYX_RFLAGS_CF
#define PF NYX_RFLAGS_PF
#define AF NYX_RFLAGS_AF
#define ZF NYX_RFLAGS_ZF
#define SF NYX_RFLAGS_SF
#define OF NYX_RFLAGS_OF
#define DF NYX_RFLAGS_DF
#define ARITH NYX_RFLAGS_ARITH

#define RAX X86_RAX
#define RCX X86_RCX
#define RDX X86_RDX
#define RBX X86_RBX
#define RSP X86_RSP
#define RBP X86_RBP
#define RSI X86_RSI
#define RDI X86_RDI

enum {
	M_REAL, M_VM86, M_PM16, M_PM32, M_PG32, M_PAE, M_COMPAT, M_LONG, M_NR
};
static const char *const mode_name[M_NR] = {
	"real", "vm86", "pm16", "pm32", "pg32", "pae", "compat", "long",
};

static struct x86_cpu_state cpu, saved_cpu;
static struct x86_emu emu;
static int cur_mode;
static int exits;
static u64 dr[8];
static int dr_fail;
static u64 rip0;

static int t_get_dr(void *opaque, int n, u64 *val)
{
	(void)opaque;
	if (dr_fail || n < 0 || n > 7)
		return -1;
	*val = dr[n];
	return 0;
}

static int t_set_dr(void *opaque, int n, u64 val)
{
	(void)opaque;
	if (dr_fail || n < 0 || n > 7)
		return -1;
	dr[n] = val;
	return 0;
}

static const struct x86_emu_ops ops = {
	.read_phys = fake_read_phys,
	.write_phys = fake_write_phys,
	.get_dr = t_get_dr,
	.set_dr = t_set_dr,
};

static const struct x86_emu_ops ops_nodr = {
	.read_phys = fake_read_phys,
	.write_phys = fake_write_phys,
};

static const struct x86_emu_ops *cur_ops = &ops;

/*
 * The caller's loop: emulate, perform the logged MMIO access on the fake
 * device, repeat. The CPU state must not change before X86_EMU_DONE.
 */
static int run(void)
{
	struct x86_cpu_state before = cpu;
	int i, rc;

	exits = 0;
	dev_log_n = 0;
	x86_emu_init(&emu, &cpu, cur_ops, NULL);
	for (i = 0; i < 10; i++) {
		rc = x86_emulate(&emu);
		if (rc != X86_EMU_DONE)
			CHECK(!memcmp(&before, &cpu, sizeof(cpu)));
		if (rc != X86_EMU_MMIO)
			return rc;
		CHECK(emu.nr_mmio_done < X86_EMU_MAX_MMIO);
		if (emu.nr_mmio_done >= X86_EMU_MAX_MMIO)
			return -1;
		dev_do(&emu.mmio[emu.nr_mmio_done]);
		emu.nr_mmio_done++;
		exits++;
	}
	return -1;
}

static void set_seg(int s, u16 sel, u64 base, u16 attr)
{
	cpu.seg[s].selector = sel;
	cpu.seg[s].base = base;
	cpu.seg[s].limit = 0xffffffff;
	cpu.seg[s].attr = attr;
}

static int mode16(void)
{
	return cur_mode == M_REAL || cur_mode == M_VM86 || cur_mode == M_PM16;
}

static unsigned int ad_size(void)
{
	return cur_mode == M_LONG ? 8 : mode16() ? 2 : 4;
}

static void long_tables(void)
{
	unsigned int i;

	wr64(0x1000, 0x2000 | 7);
	wr64(0x2000, 0x3000 | 7);
	wr64(0x3000, 0x4000 | 7);
	wr64(0x3008, MMIO_HI | 0x87);
	for (i = 0; i < 512; i++)
		wr64(0x4000 + i * 8, (i * 0x1000ull) | 7);
}

static void setup(int m)
{
	unsigned int i;
	int s;

	memset(ram, 0, RAM_SIZE);
	memset(dev, 0, DEV_SIZE);
	memset(&cpu, 0, sizeof(cpu));
	dev_log_n = 0;
	error_page = ~0ull;
	cur_ops = &ops;
	dr_fail = 0;
	cur_mode = m;
	cpu.rflags = 2;
	cpu.rip = CODE;
	for (s = 0; s < X86_NR_SEGS; s++)
		set_seg(s, 0x10, 0, 0xc93);
	set_seg(X86_SEG_CS, 0x08, 0, 0xc9b);

	switch (m) {
	case M_REAL:
	case M_VM86:
	case M_PM16:
		cpu.cr0 = m == M_REAL ? 0x10 : 0x11;
		for (s = 0; s < X86_NR_SEGS; s++)
			set_seg(s, 0, 0, m == M_VM86 ? 0xf3 : 0x93);
		set_seg(X86_SEG_CS, 0x1000, 0x10000,
			m == M_VM86 ? 0xfb : 0x9b);
		cpu.rip = 0;
		if (m == M_VM86)
			cpu.rflags |= NYX_RFLAGS_VM;
		break;
	case M_PM32:
		cpu.cr0 = 0x11;
		break;
	case M_PG32:
		cpu.cr0 = 0x11 | NYX_CR0_PG | NYX_CR0_WP;
		cpu.cr3 = 0x5000;
		wr32(0x5000, 0x6000 | 7);
		for (i = 0; i < 1024; i++)
			wr32(0x6000 + i * 4, (i < 512 ? i * 0x1000 :
				MMIO_HI + (i - 512) * 0x1000) | 7);
		break;
	case M_PAE:
		cpu.cr0 = 0x11 | NYX_CR0_PG | NYX_CR0_WP;
		cpu.cr4 = NYX_CR4_PAE;
		cpu.efer = NYX_EFER_NXE;
		cpu.cr3 = 0x7000;
		wr64(0x7000, 0x8000 | 1);
		wr64(0x8000, 0x9000 | 7);
		wr64(0x8008, MMIO_HI | 0x87);
		for (i = 0; i < 512; i++)
			wr64(0x9000 + i * 8, (i * 0x1000ull) | 7);
		break;
	case M_COMPAT:
	case M_LONG:
		cpu.cr0 = 0x11 | NYX_CR0_PG | NYX_CR0_WP;
		cpu.cr4 = NYX_CR4_PAE;
		cpu.efer = NYX_EFER_LME | NYX_EFER_LMA | NYX_EFER_NXE;
		cpu.cr3 = 0x1000;
		long_tables();
		if (m == M_LONG)
			set_seg(X86_SEG_CS, 0x08, 0, 0x29b);
		break;
	}
	saved_cpu = cpu;
}

/* Point segment s at linear address la; returns the offset to use. */
static u64 seg_off(int s, u64 la)
{
	if (ad_size() == 2) {
		u64 base = la & ~0xffffull;

		cpu.seg[s].base = base;
		cpu.seg[s].selector = (u16)(base >> 4);
		return la & 0xffff;
	}
	return la;
}

/* --- instruction emitter --- */
static u8 ib[32];
static unsigned int ilen;

static void e8(unsigned int b)
{
	if (ilen < sizeof(ib))
		ib[ilen++] = (u8)b;
}

static void en(u64 v, unsigned int n)
{
	while (n--) {
		e8(v & 0xff);
		v >>= 8;
	}
}

/* operand-size prefix (and REX.W) for size sz in the current mode */
static void eop(unsigned int sz)
{
	unsigned int def = mode16() ? 2 : 4;

	if ((sz == 2 && def == 4) || (sz == 4 && def == 2))
		e8(0x66);
	if (sz == 8)
		e8(0x48);
}

/* ModRM for [rBX] with the given reg field */
static void emem_bx(unsigned int reg)
{
	e8(((reg & 7) << 3) | (ad_size() == 2 ? 7 : 3));
}

static u64 code_la(void)
{
	return cpu.seg[X86_SEG_CS].base + cpu.rip;
}

static int go(void)
{
	memcpy(&ram[code_la()], ib, ilen);
	rip0 = cpu.rip;
	return run();
}

#define EMIT(...) do {							\
	const u8 b_[] = { __VA_ARGS__ };					\
	unsigned int i_;						\
	for (i_ = 0; i_ < sizeof(b_); i_++)				\
		e8(b_[i_]);						\
} while (0)

/* Reset to the mode's initial state and start a new instruction. */
static void fresh(void)
{
	cpu = saved_cpu;
	ilen = 0;
}

static u64 mask_of(unsigned int sz)
{
	return sz >= 8 ? ~0ull : (1ull << (sz * 8)) - 1;
}

/* Register after writing v with size sz on top of old. */
static u64 merged(u64 old, u64 v, unsigned int sz)
{
	if (sz == 4)
		return v & 0xffffffffull;
	return (old & ~mask_of(sz)) | (v & mask_of(sz));
}

/* Read/write a guest location at linear (= physical) la: RAM or device. */
static u64 peek(u64 la, unsigned int sz)
{
	u64 v = 0;

	if (la >= VGA_BASE && la < VGA_END)
		memcpy(&v, &dev[la - VGA_BASE], sz);
	else if (la >= MMIO_HI_LA && la < MMIO_HI_LA + DEV_SIZE)
		memcpy(&v, &dev[la - MMIO_HI_LA], sz);
	else
		memcpy(&v, &ram[la], sz);
	return v;
}

static void poke(u64 la, u64 v, unsigned int sz)
{
	if (la >= VGA_BASE && la < VGA_END)
		memcpy(&dev[la - VGA_BASE], &v, sz);
	else if (la >= MMIO_HI_LA && la < MMIO_HI_LA + DEV_SIZE)
		memcpy(&dev[la - MMIO_HI_LA], &v, sz);
	else
		memcpy(&ram[la], &v, sz);
}

static int is_dev(u64 la)
{
	return (la >= VGA_BASE && la < VGA_END) || la >= MMIO_HI_LA;
}

#define CHECK_DONE(extra_exits) do {					\
	CHECK_EQ(rc, X86_EMU_DONE);					\
	CHECK_EQ(cpu.rip, rip0 + ilen);					\
	CHECK_EQ(exits, extra_exits);					\
} while (0)

#define CHECK_EXC(vec, ec) do {						\
	CHECK_EQ(rc, X86_EMU_EXCEPTION);				\
	CHECK_EQ(emu.exc.vector, vec);					\
	CHECK_EQ(emu.exc.error_code, ec);				\
} while (0)

/* --- the host CPU as the flags oracle --- */
enum { N_TEST = 8, N_INC, N_DEC, N_NEG, N_NOT };

#define NAT_PRE "lea -128(%%rsp), %%rsp\n\tpush %[fi]\n\tpopfq\n\t"
#define NAT_POST "\n\tpushfq\n\tpop %[fo]\n\tlea 128(%%rsp), %%rsp"

#define NAT2(insn, m)							\
	asm volatile(NAT_PRE insn " %" m "[s], %" m "[d]" NAT_POST	\
		     : [d] "+r"(d), [fo] "=&r"(fo)			\
		     : [s] "r"(s), [fi] "r"(fi) : "cc", "memory")
#define NAT1(insn, m)							\
	asm volatile(NAT_PRE insn " %" m "[d]" NAT_POST			\
		     : [d] "+r"(d), [fo] "=&r"(fo)			\
		     : [fi] "r"(fi) : "cc", "memory")
#define NAT_SIZES(mac, insn) do {					\
	switch (size) {							\
	case 1: mac(insn, "b"); break;					\
	case 2: mac(insn, "w"); break;					\
	case 4: mac(insn, "k"); break;					\
	default: mac(insn, "q"); break;					\
	}								\
} while (0)

static u64 native(int op, unsigned int size, u64 d, u64 s, u64 fi,
		  u64 *flags)
{
	u64 fo = 0;

	switch (op) {
	case 0: NAT_SIZES(NAT2, "add"); break;
	case 1: NAT_SIZES(NAT2, "or"); break;
	case 2: NAT_SIZES(NAT2, "adc"); break;
	case 3: NAT_SIZES(NAT2, "sbb"); break;
	case 4: NAT_SIZES(NAT2, "and"); break;
	case 5: NAT_SIZES(NAT2, "sub"); break;
	case 6: NAT_SIZES(NAT2, "xor"); break;
	case 7: NAT_SIZES(NAT2, "cmp"); break;
	case N_TEST: NAT_SIZES(NAT2, "test"); break;
	case N_INC: NAT_SIZES(NAT1, "inc"); break;
	case N_DEC: NAT_SIZES(NAT1, "dec"); break;
	case N_NEG: NAT_SIZES(NAT1, "neg"); break;
	default: NAT_SIZES(NAT1, "not"); break;
	}
	*flags = fo;
	return d;
}

static const u64 vals[] = {
	0, 1, 2, 0x0f, 0x10, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff,
	0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ull,
	0x7fffffffffffffffull, 0x8000000000000000ull, 0xffffffffffffffffull,
	0x1234567890abcdefull, 0xfedcba9876543210ull, 0x8080808080808080ull,
};
#define NVALS (sizeof(vals) / sizeof(vals[0]))
static const unsigned int sizes[4] = { 1, 2, 4, 8 };

/* Flags that are defined after op (AF is undefined after logic ops). */
static u64 defined_flags(int op)
{
	if (op == 1 || op == 4 || op == 6 || op == N_TEST)
		return ARITH & ~AF;
	return ARITH;
}

static int mismatch_reports;

static void report(const char *what, int op, unsigned int size, u64 d,
		   u64 s, u64 fi, u64 got, u64 exp, u64 gotf, u64 expf)
{
	if (mismatch_reports++ > 10)
		return;
	fprintf(stderr,
		"  %s op %d size %u d %llx s %llx fi %llx: res %llx/%llx flags %llx/%llx\n",
		what, op, size, (unsigned long long)d, (unsigned long long)s,
		(unsigned long long)fi, (unsigned long long)got,
		(unsigned long long)exp, (unsigned long long)gotf,
		(unsigned long long)expf);
}

static u64 sign_extend_s32(u64 v)
{
	return (u64)(s64)(s32)(u32)v;
}

/* imm of size sz (imm32 for 8) */
static void eimm(u64 v, unsigned int sz)
{
	en(v, sz > 4 ? 4 : sz);
}

/*
 * Emit op (ALU 0-7, N_TEST, N_INC...) at size (prefix already emitted):
 * form 0: rbx op= rcx, 1: rbx op= imm, 2: acc op= imm, 3: rbx op= rcx
 * via the reg,r/m encoding, 4: rbx op= imm8 (83), 5: bh op= ch.
 */
static void emit_alu(int op, unsigned int size, unsigned int form)
{
	unsigned int w = size > 1;

	if (op < 8) {
		switch (form) {
		case 0:
			e8((op << 3) | w);
			e8(0xc0 | (RCX << 3) | RBX);
			break;
		case 1:
			e8(0x80 | w);
			e8(0xc0 | (op << 3) | RBX);
			eimm(cpu.gpr[RCX], size);
			break;
		case 2:
			e8((op << 3) | 4 | w);
			eimm(cpu.gpr[RCX], size);
			break;
		case 3:
			e8((op << 3) | 2 | w);
			e8(0xc0 | (RBX << 3) | RCX);
			break;
		case 4:
			e8(0x83);
			e8(0xc0 | (op << 3) | RBX);
			e8(cpu.gpr[RCX] & 0xff);
			break;
		default:
			e8(op << 3);
			e8(0xc0 | (5 << 3) | 7);	/* bh, ch */
			break;
		}
		return;
	}
	switch (op) {
	case N_TEST:
		if (form == 0 || form == 5) {
			e8(0x84 | w);
			e8(form == 5 ? 0xc0 | (5 << 3) | 7 :
			   0xc0 | (RCX << 3) | RBX);
		} else if (form == 1) {
			e8(0xf6 | w);
			e8(0xc0 | RBX);
			eimm(cpu.gpr[RCX], size);
		} else {
			e8(0xa8 | w);
			eimm(cpu.gpr[RCX], size);
		}
		break;
	case N_INC:
	case N_DEC:
		e8(0xfe | w);
		e8(0xc0 | ((op - N_INC) << 3) | RBX);
		break;
	case N_NEG:
		e8(0xf6 | w);
		e8(0xc0 | (3 << 3) | RBX);
		break;
	default:
		e8(0xf6 | w);
		e8(0xc0 | (2 << 3) | RBX);
		break;
	}
}

/* Register forms (reg, reg / reg, imm / acc, imm) in 64-bit mode. */
static void test_alu_oracle(void)
{
	unsigned int si, a, b, form;
	int op;

	setup(M_LONG);
	for (op = 0; op <= N_NOT; op++) {
		for (si = 0; si < 4; si++) {
			unsigned int size = sizes[si];
			int bad = 0, n = 0;

			for (a = 0; a < NVALS; a++)
			for (b = 0; b < NVALS; b++)
			for (form = 0; form < 6; form++) {
				u64 fi = (a + b + form) & 1 ? 2 | ARITH : 2;
				u64 d = vals[a], s = vals[b], res, fo, exp;
				u64 mask = defined_flags(op);
				int rc, dreg = RBX;

				if (op >= N_INC && (b || form > 1))
					continue;
				/* form 1: reg,imm (80/81/83, f6/f7 test) */
				if (form == 1 && op > N_TEST)
					continue;
				/* form 2: acc,imm (04.., a8/a9) */
				if (form == 2 && op > N_TEST)
					continue;
				/* form 3: reg, r/m; 4: imm8 (83) */
				if (form == 3 && op >= N_TEST)
					continue;
				if (form == 4 && (op >= N_TEST || size == 1))
					continue;
				/* form 5: high byte registers */
				if (form == 5 && (size != 1 || op > N_TEST))
					continue;
				if (form == 1 || form == 2)
					s = size == 8 ? sign_extend_s32(s) :
					    s & mask_of(size > 4 ? 4 : size);
				if (form == 4)
					s = (u64)(s64)(s8)s;

				fresh();
				cpu.rflags = fi;
				if (form == 2)
					dreg = RAX;
				cpu.gpr[dreg] = d;
				cpu.gpr[RCX] = s;
				if (form == 5) {
					cpu.gpr[RBX] = d << 8 | 0x5a;
					cpu.gpr[RCX] = s << 8 | 0xa5;
				}
				eop(size);
				emit_alu(op, size, form);
				rc = go();
				exp = native(op, size, d, s, fi, &fo);
				if (op == 7 || op == N_TEST)
					exp = d;
				if (form == 5) {
					res = (cpu.gpr[RBX] >> 8) & 0xff;
					exp &= 0xff;
					if ((cpu.gpr[RBX] & 0xff) != 0x5a)
						bad++;
				} else {
					res = cpu.gpr[dreg];
					if (op != 7 && op != N_TEST)
						exp = merged(d, exp, size);
				}
				n++;
				if (rc != X86_EMU_DONE || res != exp ||
				    (cpu.rflags & mask) != (fo & mask) ||
				    cpu.rip != rip0 + ilen ||
				    (cpu.rflags & ~ARITH) != (fi & ~ARITH)) {
					bad++;
					report("alu", op, size, d, s, fi, res,
					       exp, cpu.rflags, fo);
				}
			}
			CHECK_EQ(bad, 0);
			CHECK(n > 0);
		}
	}
}

/* ALU r/m forms on RAM and MMIO in several modes, against the host. */
static void test_alu_mem(void)
{
	static const int modes[] = { M_REAL, M_PM32, M_PG32, M_LONG };
	static const u64 dv[] = { 0x7f, 0xfffffffffffffff0ull, 0x8000 };
	static const u64 sv[] = { 0x81, 0x10, 0x7fffffffffffffffull };
	unsigned int mi, si, k;
	int op, form;

	for (mi = 0; mi < 4; mi++)
	for (si = 0; si < 4; si++)
	for (op = 0; op < 8; op++)
	for (form = 0; form < 2; form++)
	for (k = 0; k < 3; k++) {
		unsigned int size = sizes[si];
		u64 la = k == 1 ? MMIO_LA : DATA + 0x40;
		u64 d = dv[k], s = sv[k], fi = k ? 2 : 2 | CF, fo, exp, off;
		int rc, want_exits;

		if (size == 8 && modes[mi] != M_LONG)
			continue;
		if (k == 2 && modes[mi] != M_LONG)
			la = MMIO_LA + 0x20;
		else if (k == 2)
			la = MMIO_HI_LA + 0x18;
		setup(modes[mi]);
		fresh();
		off = seg_off(X86_SEG_DS, la);
		saved_cpu = cpu;
		cpu.gpr[RBX] = off;
		cpu.gpr[RCX] = s;
		cpu.rflags = fi;
		poke(la, d, 8);
		eop(size);
		/* form 0: op [bx], cx; form 1: op cx, [bx] */
		e8((op << 3) | (form << 1) | (size > 1));
		emem_bx(RCX);
		rc = go();
		if (form == 0)
			exp = native(op, size, d, s, 2 | (fi & CF), &fo);
		else
			exp = native(op, size, s, d, 2 | (fi & CF), &fo);
		want_exits = 0;
		if (is_dev(la))
			want_exits = form == 0 && op != 7 ? 2 : 1;
		CHECK_DONE(want_exits);
		CHECK_EQ(cpu.rflags & defined_flags(op), fo & defined_flags(op));
		if (form == 0) {
			CHECK_EQ(peek(la, 8), op == 7 ? d :
				 (d & ~mask_of(size)) | (exp & mask_of(size)));
			CHECK_EQ(cpu.gpr[RCX], s);
		} else {
			CHECK_EQ(peek(la, 8), d);
			CHECK_EQ(cpu.gpr[RCX], op == 7 ? s : merged(s, exp, size));
		}
		if (want_exits == 2) {
			CHECK_EQ(dev_log[0].write, 0);
			CHECK_EQ(dev_log[0].len, size);
			CHECK_EQ(dev_log[1].write, 1);
		}
	}
}

/* Group 1 (80/81/82/83) with a memory destination, in 16/32-bit modes. */
static void test_group1_mem(void)
{
	int rc;

	setup(M_PM32);
	fresh();
	cpu.gpr[RBX] = MMIO_LA;
	poke(MMIO_LA, 0xfffffff0, 4);
	EMIT(0x83, 0x03, 0x20);			/* add dword [ebx], 0x20 */
	rc = go();
	CHECK_DONE(2);
	CHECK_EQ(peek(MMIO_LA, 4), 0x10);
	CHECK_EQ(cpu.rflags & ARITH, CF);

	fresh();
	cpu.gpr[RBX] = DATA;
	poke(DATA, 0x1234, 4);
	EMIT(0x66, 0x81, 0x3b, 0x34, 0x12);	/* cmp word [ebx], 0x1234 */
	rc = go();
	CHECK_DONE(0);
	CHECK_EQ(cpu.rflags & ARITH, ZF | PF);

	fresh();
	cpu.gpr[RBX] = MMIO_LA;
	poke(MMIO_LA, 0x0f, 1);
	EMIT(0x82, 0x23, 0x3c);			/* and byte [ebx], 0x3c */
	rc = go();
	CHECK_DONE(2);
	CHECK_EQ(peek(MMIO_LA, 1), 0x0c);

	fresh();
	cpu.gpr[RBX] = DATA;
	poke(DATA, 0x80000000, 4);
	EMIT(0x81, 0x2b, 0x01, 0, 0, 0);	/* sub dword [ebx], 1 */
	rc = go();
	CHECK_DONE(0);
	CHECK_EQ(peek(DATA, 4), 0x7fffffff);
	CHECK_EQ(cpu.rflags & ARITH, OF | AF | PF);

	setup(M_REAL);
	fresh();
	cpu.gpr[RBX] = seg_off(X86_SEG_DS, MMIO_LA);
	poke(MMIO_LA, 0x00ff, 2);
	EMIT(0x83, 0x0f, 0x80);			/* or word [bx], -128 */
	rc = go();
	CHECK_DONE(2);
	CHECK_EQ(peek(MMIO_LA, 2), 0xffff);
	CHECK_EQ(cpu.rflags & ARITH, SF | PF);

	setup(M_LONG);
	fresh();
	cpu.gpr[RBX] = MMIO_HI_LA;
	poke(MMIO_HI_LA, 5, 8);
	EMIT(0x48, 0x81, 0x33, 0xff, 0xff, 0xff, 0xff);	/* xor q, -1 */
	rc = go();
	CHECK_DONE(2);
	CHECK_EQ(peek(MMIO_HI_LA, 8), ~5ull);
	fresh();
	EMIT(0x82, 0x03, 0x01);			/* invalid in 64-bit mode */
	rc = go();
	CHECK_EQ(rc, X86_EMU_UNHANDLED);
}

/* MOV 88/89/8a/8b/c6/c7/a0-a3 in every mode, sizes, RAM and MMIO. */
static void test_mov_generic(void)
{
	int m, k;
	unsigned int si;

	for (m = 0; m < M_NR; m++)
	for (si = 0; si < 4; si++)
	for (k = 0; k < 3; k++) {
		unsigned int sz = sizes[si];
		u64 la = k == 0 ? DATA + 0x10 : k == 1 ? MMIO_LA : 0;
		u64 pat = 0x1122334455667788ull, off, imm;
		int rc, mm;

		if (sz == 8 && m != M_LONG)
			continue;
		if (k == 2) {
			if (m != M_LONG && m != M_PAE && m != M_PG32 &&
			    m != M_COMPAT)
				continue;
			la = MMIO_HI_LA + 0x100;
		}
		mm = is_dev(la);
		setup(m);
		fresh();
		off = seg_off(X86_SEG_DS, la);
		saved_cpu = cpu;

		/* store */
		fresh();
		cpu.gpr[RBX] = off;
		cpu.gpr[RAX] = pat;
		eop(sz);
		e8(sz == 1 ? 0x88 : 0x89);
		emem_bx(RAX);
		rc = go();
		CHECK_DONE(mm);
		CHECK_EQ(peek(la, sz), pat & mask_of(sz));
		CHECK_EQ(peek(la + sz, 1), 0);
		if (mm) {
			CHECK_EQ(dev_log[0].write, 1);
			CHECK_EQ(dev_log[0].len, sz);
		}
		CHECK_EQ(cpu.rflags, 2 | (m == M_VM86 ? NYX_RFLAGS_VM : 0));

		/* load, merging into the old register value */
		fresh();
		poke(la, 0x8877665544332211ull, 8);
		cpu.gpr[RBX] = off;
		cpu.gpr[RCX] = 0xaaaaaaaaaaaaaaaaull;
		eop(sz);
		e8(sz == 1 ? 0x8a : 0x8b);
		emem_bx(RCX);
		rc = go();
		CHECK_DONE(mm);
		CHECK_EQ(cpu.gpr[RCX], merged(0xaaaaaaaaaaaaaaaaull,
					      0x8877665544332211ull, sz));

		/* c6/c7 immediate; imm32 is sign-extended for 64-bit */
		fresh();
		poke(la, 0, 8);
		cpu.gpr[RBX] = off;
		imm = 0x80000001;
		eop(sz);
		e8(sz == 1 ? 0xc6 : 0xc7);
		emem_bx(0);
		eimm(imm, sz);
		rc = go();
		CHECK_DONE(mm);
		CHECK_EQ(peek(la, 8), sz == 8 ? 0xffffffff80000001ull :
			 imm & mask_of(sz));

		/* a0-a3 moffs: the offset is address-size wide */
		fresh();
		poke(la, 0x0102030405060708ull, 8);
		cpu.gpr[RAX] = 0xccccccccccccccccull;
		eop(sz);
		e8(sz == 1 ? 0xa0 : 0xa1);
		en(off, ad_size());
		rc = go();
		CHECK_DONE(mm);
		CHECK_EQ(cpu.gpr[RAX], merged(0xccccccccccccccccull,
					      0x0102030405060708ull, sz));
		fresh();
		cpu.gpr[RAX] = 0x99;
		eop(sz);
		e8(sz == 1 ? 0xa2 : 0xa3);
		en(off, ad_size());
		rc = go();
		CHECK_DONE(mm);
		CHECK_EQ(peek(la, 8), (0x0102030405060708ull &
				       ~mask_of(sz)) | 0x99);
	}
}

/* MOVZX/MOVSX/MOVSXD, register and memory sources. */
static void test_movx(void)
{
	int rc;

	setup(M_LONG);
	poke(MMIO_LA, 0x8081, 2);
	poke(DATA, 0xfffffffe, 4);

	fresh();
	cpu.gpr[RBX] = MMIO_LA;
	cpu.gpr[RAX] = ~0ull;
	EMIT(0x0f, 0xb6, 0x03);			/* movzx eax, byte [rbx] */
	rc = go();
	CHECK_DONE(1);
	CHECK_EQ(cpu.gpr[RAX], 0x81);

	fresh();
	cpu.gpr[RBX] = MMIO_LA;
	cpu.gpr[RAX] = ~0ull;
	EMIT(0x66, 0x0f, 0xb6, 0x03);		/* movzx ax, byte [rbx] */
	rc = go();
	CHECK_DONE(1);
	CHECK_EQ(cpu.gpr[RAX], 0xffffffffffff0081ull);

	fresh();
	cpu.gpr[RBX] = MMIO_LA;
	EMIT(0x48, 0x0f, 0xbe, 0x03);		/* movsx rax, byte [rbx] */
	rc = go();
	CHECK_DONE(1);
	CHECK_EQ(cpu.gpr[RAX], 0xffffffffffffff81ull);

	fresh();
	cpu.gpr[RBX] = MMIO_LA;
	cpu.gpr[RAX] = ~0ull;
	EMIT(0x0f, 0xbf, 0x03);			/* movsx eax, word [rbx] */
	rc = go();
	CHECK_DONE(1);
	CHECK_EQ(cpu.gpr[RAX], 0xffff8081ull);

	fresh();
	cpu.gpr[RBX] = MMIO_LA;
	EMIT(0x48, 0x0f, 0xb7, 0x03);		/* movzx rax, word [rbx] */
	rc = go();
	CHECK_DONE(1);
	CHECK_EQ(cpu.gpr[RAX], 0x8081);

	fresh();
	cpu.gpr[RBX] = DATA;
	EMIT(0x48, 0x63, 0x03);			/* movsxd rax, [rbx] */
	rc = go();
	CHECK_DONE(0);
	CHECK_EQ(cpu.gpr[RAX], 0xfffffffffffffffeull);

	fresh();
	cpu.gpr[RBX] = DATA;
	cpu.gpr[RAX] = ~0ull;
	EMIT(0x63, 0x03);			/* movsxd eax, [rbx] */
	rc = go();
	CHECK_DONE(0);
	CHECK_EQ(cpu.gpr[RAX], 0xfffffffeull);

	fresh();
	cpu.gpr[RDX] = 0x80;
	EMIT(0x4c, 0x63, 0xc2);			/* movsxd r8, edx */
	cpu.gpr[RDX] = 0x1234567887654321ull;
	rc = go();
	CHECK_DONE(0);
	CHECK_EQ(cpu.gpr[X86_R8], 0xffffffff87654321ull);

	fresh();
	cpu.gpr[RAX] = 0x8000;			/* ah = 0x80 */
	cpu.gpr[RCX] = ~0ull;
	EMIT(0x0f, 0xbe, 0xcc);			/* movsx ecx, ah */
	rc = go();
	CHECK_DONE(0);
	CHECK_EQ(cpu.gpr[RCX], 0xffffff80ull);

	fresh();
	cpu.gpr[RSP] = 0x7f;
	EMIT(0x40, 0x0f, 0xb6, 0xcc);		/* movzx ecx, spl */
	rc = go();
	CHECK_DONE(0);
	CHECK_EQ(cpu.gpr[RCX], 0x7f);

	setup(M_REAL);
	fresh();
	poke(MMIO_LA, 0x8081, 2);
	cpu.gpr[RBX] = seg_off(X86_SEG_DS, MMIO_LA);
	cpu.gpr[RAX] = 0xdead0000ffffffffull;
	EMIT(0x66, 0x0f, 0xbe, 0x07);		/* movsx eax, byte [bx] */
	rc = go();
	CHECK_DONE(1);
	CHECK_EQ(cpu.gpr[RAX], 0xffffff81ull);
	fresh();
	cpu.gpr[RBX] = seg_off(X86_SEG_DS, MMIO_LA);
	EMIT(0x63, 0x07);			/* ARPL outside 64-bit mode */
	rc = go();
	CHECK_EQ(rc, X86_EMU_UNHANDLED);
}

/* TEST, NOT, NEG, INC, DEC, XCHG with memory operands. */
static void test_unary_mem(void)
{
	static const struct {
		u8 insn[4];
		unsigned int len, exits;
		u64 before, after, flags;	/* flags: ARITH after */
	} t[] = {
		/* test byte [rbx], 0x81 */
		{ { 0xf6, 0x03, 0x81 }, 3, 1, 0x80, 0x80, SF },
		/* test dword [rbx], 0x80000000 */
		{ { 0xf7, 0x03, 0, 0 }, 2, 1, 0x12, 0x12, ZF | PF },
		/* test [rbx], ecx (ecx = 3) */
		{ { 0x85, 0x0b }, 2, 1, 0x6, 0x6, 0 },
		/* not dword [rbx] */
		{ { 0xf7, 0x13 }, 2, 2, 0xf0f0f0f0, 0x0f0f0f0f, CF | OF },
		/* neg dword [rbx] */
		{ { 0xf7, 0x1b }, 2, 2, 1, 0xffffffff, CF | SF | PF | AF },
		/* neg byte [rbx] of 0 */
		{ { 0xf6, 0x1b }, 2, 2, 0, 0, ZF | PF },
		/* neg byte [rbx] of 0x80 */
		{ { 0xf6, 0x1b }, 2, 2, 0x80, 0x80, CF | OF | SF },
		/* inc dword [rbx] (CF preserved) */
		{ { 0xff, 0x03 }, 2, 2, 0x7fffffff, 0x80000000,
		  CF | OF | SF | PF | AF },
		/* dec byte [rbx] */
		{ { 0xfe, 0x0b }, 2, 2, 1, 0, CF | ZF | PF },
		/* xchg [rbx], ecx */
		{ { 0x87, 0x0b }, 2, 2, 0x55, 3, CF | OF },
		/* xchg [rbx], cl */
		{ { 0x86, 0x0b }, 2, 2, 0x155, 0x103, CF | OF },
	};
	unsigned int i, j;
	int rc;

	for (j = 0; j < 2; j++)
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		u64 la = j ? MMIO_HI_LA + 8 : DATA + 8;

		setup(M_LONG);
		fresh();
		cpu.rflags = 2 | CF | OF;
		cpu.gpr[RBX] = la;
		cpu.gpr[RCX] = 3;
		poke(la, t[i].before, 8);
		memcpy(ib, t[i].insn, t[i].len);
		ilen = t[i].len;
		if (t[i].insn[0] == 0xf7 && t[i].insn[1] == 0x03) {
			en(0x80000000, 4);
		}
		rc = go();
		CHECK_DONE(j ? t[i].exits : 0);
		CHECK_EQ(peek(la, 8), t[i].after);
		CHECK_EQ(cpu.rflags & ARITH, t[i].flags);
		if (t[i].insn[0] == 0x87)
			CHECK_EQ(cpu.gpr[RCX], 0x55);
		else if (t[i].insn[0] == 0x86)
			CHECK_EQ(cpu.gpr[RCX], 0x55);
		else
			CHECK_EQ(cpu.gpr[RCX], 3);
	}

	/* xchg with a register operand; al <-> ah (no REX) */
	setup(M_LONG);
	fresh();
	cpu.gpr[RAX] = 0x1234;
	EMIT(0x86, 0xc4);			/* xchg ah, al */
	rc = go();
	CHECK_DONE(0);
	CHECK_EQ(cpu.gpr[RAX], 0x3412);
	fresh();
	cpu.gpr[RAX] = 0xffffffff00000001ull;
	cpu.gpr[X86_R9] = 0xffffffff00000002ull;
	EMIT(0x44, 0x87, 0xc8);			/* xchg eax, r9d */
	rc = go();
	CHECK_DONE(0);
	CHECK_EQ(cpu.gpr[RAX], 2);
	CHECK_EQ(cpu.gpr[X86_R9], 1);
	/* unsupported group members */
	fresh();
	EMIT(0xf7, 0x23);			/* mul dword [rbx] */
	rc = go();
	CHECK_EQ(rc, X86_EMU_UNHANDLED);
	fresh();
	EMIT(0xff, 0x13);			/* call [rbx] */
	rc = go();
	CHECK_EQ(rc, X86_EMU_UNHANDLED);
	fresh();
	EMIT(0xf6, 0x0b, 0x00);			/* test /1 alias */
	rc = go();
	CHECK_EQ(rc, X86_EMU_UNHANDLED);
	fresh();
	EMIT(0xc6, 0xf8, 0x00);			/* xabort */
	rc = go();
	CHECK_EQ(rc, X86_EMU_UNHANDLED);
}

/* BT/BTS/BTR/BTC with register and immediate bit offsets. */
static void test_bt(void)
{
	static const struct {
		int kind;		/* 0 bt, 1 bts, 2 btr, 3 btc */
		unsigned int size;
		s64 off;
	} t[] = {
		{ 0, 4, 0 }, { 1, 4, 5 }, { 2, 4, 31 }, { 3, 4, 32 },
		{ 1, 4, -1 }, { 2, 4, -33 }, { 3, 2, 17 }, { 1, 2, -16 },
		{ 0, 8, 127 }, { 1, 8, -65 }, { 2, 8, 63 }, { 3, 8, 200 },
		{ 0, 2, -32768 }, { 1, 4, -256 },
	};
	static const u8 opc[4] = { 0xa3, 0xab, 0xb3, 0xbb };
	unsigned int i, j;
	int rc;

	for (j = 0; j < 2; j++)
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		u64 base = j ? MMIO_HI_LA + 0x8000 : DATA + 0x8000;
		s64 bitpos = t[i].off;
		unsigned int bits = t[i].size * 8;
		/* the operand-sized unit that holds the bit */
		s64 unit = bitpos >= 0 ? bitpos / bits :
			   -((-bitpos - 1) / bits) - 1;
		u64 la = base + unit * (s64)t[i].size;
		unsigned int bit = (unsigned int)(bitpos - unit * bits);
		u64 v = 0x5555555555555555ull, want;

		setup(M_LONG);
		fresh();
		poke(la, v, 8);
		cpu.gpr[RBX] = base;
		cpu.gpr[RCX] = (u64)bitpos;
		cpu.rflags = 2 | ZF;
		eop(t[i].size);
		EMIT(0x0f, opc[t[i].kind], 0x0b);	/* bt* [rbx], ecx */
		rc = go();
		CHECK_DONE(j ? (t[i].kind ? 2 : 1) : 0);
		CHECK_EQ(cpu.rflags & CF, (v >> bit) & 1);
		CHECK_EQ(cpu.rflags & ZF, ZF);
		want = v;
		if (t[i].kind == 1)
			want |= 1ull << bit;
		else if (t[i].kind == 2)
			want &= ~(1ull << bit);
		else if (t[i].kind == 3)
			want ^= 1ull << bit;
		CHECK_EQ(peek(la, 8), want);
		if (j)
			CHECK_EQ(dev_log[0].gpa, MMIO_HI + (la - MMIO_HI_LA));
	}

	/* register destination: the offset wraps modulo the size */
	setup(M_LONG);
	fresh();
	cpu.gpr[RAX] = 0x10;
	cpu.gpr[RCX] = 36;
	EMIT(0x0f, 0xab, 0xc8);			/* bts eax, ecx */
	rc = go();
	CHECK_DONE(0);
	CHECK_EQ(cpu.gpr[RAX], 0x10);
	CHECK_EQ(cpu.rflags & CF, CF);
	fresh();
	cpu.gpr[RAX] = 0xffffffff00000010ull;
	cpu.gpr[RCX] = 4;
	EMIT(0x0f, 0xb3, 0xc8);			/* btr eax, ecx */
	rc = go();
	CHECK_DONE(0);
	CHECK_EQ(cpu.gpr[RAX], 0);
	/* 0f ba: imm8 is taken modulo the size, no address adjustment */
	fresh();
	cpu.gpr[RBX] = DATA;
	poke(DATA, 0, 8);
	EMIT(0x66, 0x0f, 0xba, 0x2b, 0x13);	/* bts word [rbx], 19 */
	rc = go();
	CHECK_DONE(0);
	CHECK_EQ(peek(DATA, 8), 8);
	fresh();
	cpu.gpr[RBX] = MMIO_LA;
	poke(MMIO_LA, 0x80000000, 4);
	EMIT(0x0f, 0xba, 0x23, 0x3f);		/* bt dword [rbx], 63 */
	rc = go();
	CHECK_DONE(1);
	CHECK_EQ(cpu.rflags & CF, CF);
	fresh();
	cpu.gpr[RBX] = MMIO_LA;
	EMIT(0x48, 0x0f, 0xba, 0x3b, 0x1f);	/* btc qword [rbx], 31 */
	rc = go();
	CHECK_DONE(2);
	CHECK_EQ(peek(MMIO_LA, 8), 0);
	CHECK_EQ(cpu.rflags & CF, CF);
	fresh();
	EMIT(0x0f, 0xba, 0x1b, 0x01);		/* /3 is undefined */
	rc = go();
	CHECK_EQ(rc, X86_EMU_UNHANDLED);

	/* 16-bit addressing: the adjusted address wraps at 64 KiB */
	setup(M_REAL);
	fresh();
	cpu.seg[X86_SEG_DS].base = DATA;
	cpu.gpr[RBX] = 0;
	cpu.gpr[RCX] = (u16)-1;			/* bit 15 of word at -2 */
	poke(DATA + 0xfffe, 0x8000, 2);
	EMIT(0x0f, 0xa3, 0x0f);			/* bt [bx], cx */
	rc = go();
	CHECK_DONE(0);
	CHECK_EQ(cpu.rflags & CF, CF);
}

static void native_cmpxchg32(u64 *dst, u64 *acc, u64 src, u64 *flags)
{
	u64 d = *dst, a = *acc, fo, fi = 2;

	asm volatile(NAT_PRE "cmpxchg %k[s], %k[d]" NAT_POST
		     : [d] "+r"(d), "+a"(a), [fo] "=&r"(fo)
		     : [s] "r"(src), [fi] "r"(fi) : "cc", "memory");
	*dst = d;
	*acc = a;
	*flags = fo;
}

static void test_cmpxchg_xadd(void)
{
	static const u64 pairs[2][2] = {
		{ 0xaaaaaaaa00000005ull, 0xbbbbbbbb00000005ull },
		{ 0xaaaaaaaa00000005ull, 0xbbbbbbbb00000006ull },
	};
	unsigned int i;
	int rc;

	/* register forms against the host, including zero-extension */
	for (i = 0; i < 2; i++) {
		u64 d = pairs[i][0], a = pairs[i][1], f;

		native_cmpxchg32(&d, &a, 0xcccccccc00000009ull, &f);
		setup(M_LONG);
		fresh();
		cpu.gpr[RBX] = pairs[i][0];
		cpu.gpr[RAX] = pairs[i][1];
		cpu.gpr[RCX] = 0xcccccccc00000009ull;
		EMIT(0x0f, 0xb1, 0xcb);		/* cmpxchg ebx, ecx */
		rc = go();
		CHECK_DONE(0);
		CHECK_EQ(cpu.gpr[RBX], d);
		CHECK_EQ(cpu.gpr[RAX], a);
		CHECK_EQ(cpu.rflags & ARITH, f & ARITH);
	}

	/* memory: success and failure both write (old value on failure) */
	setup(M_LONG);
	fresh();
	cpu.gpr[RBX] = MMIO_HI_LA;
	cpu.gpr[RAX] = 0x42;
	cpu.gpr[RCX] = 0x99;
	poke(MMIO_HI_LA, 0x42, 8);
	EMIT(0x48, 0x0f, 0xb1, 0x0b);		/* cmpxchg [rbx], rcx */
	rc = go();
	CHECK_DONE(2);
	CHECK_EQ(peek(MMIO_HI_LA, 8), 0x99);
	CHECK_EQ(cpu.gpr[RAX], 0x42);
	CHECK_EQ(cpu.rflags & ZF, ZF);
	CHECK_EQ(dev_log[1].write, 1);
	fresh();
	cpu.gpr[RBX] = MMIO_HI_LA;
	cpu.gpr[RAX] = 0x42;
	cpu.gpr[RCX] = 0x77;
	EMIT(0x48, 0x0f, 0xb1, 0x0b);
	rc = go();
	CHECK_DONE(2);
	CHECK_EQ(peek(MMIO_HI_LA, 8), 0x99);
	CHECK_EQ(cpu.gpr[RAX], 0x99);
	CHECK_EQ(cpu.rflags & (ZF | CF), CF);
	CHECK_EQ(dev_log[1].val, 0x99);
	fresh();
	cpu.gpr[RBX] = DATA;
	cpu.gpr[RAX] = 0x1ff;
	cpu.gpr[RCX] = 0x3ee;
	poke(DATA, 0xff, 2);
	EMIT(0xf0, 0x0f, 0xb0, 0x2b);		/* lock cmpxchg [rbx], ch */
	rc = go();
	CHECK_DONE(0);
	CHECK_EQ(peek(DATA, 2), 0x03);
	CHECK_EQ(cpu.gpr[RAX], 0x1ff);

	/* xadd */
	fresh();
	cpu.gpr[RBX] = MMIO_HI_LA;
	cpu.gpr[RCX] = 0xffffffff00000001ull;
	poke(MMIO_HI_LA, 0xffffffff, 8);
	EMIT(0xf0, 0x0f, 0xc1, 0x0b);		/* lock xadd [rbx], ecx */
	rc = go();
	CHECK_DONE(2);
	CHECK_EQ(peek(MMIO_HI_LA, 8), 0);
	CHECK_EQ(cpu.gpr[RCX], 0xffffffff);
	CHECK_EQ(cpu.rflags & ARITH, CF | ZF | PF | AF);
	fresh();
	cpu.gpr[RAX] = 0x7f;
	EMIT(0x0f, 0xc0, 0xc0);			/* xadd al, al */
	rc = go();
	CHECK_DONE(0);
	CHECK_EQ(cpu.gpr[RAX], 0xfe);
	CHECK_EQ(cpu.rflags & (OF | SF), OF | SF);
	fresh();
	cpu.gpr[RAX] = 3;
	cpu.gpr[RDX] = 4;
	EMIT(0x66, 0x0f, 0xc1, 0xd0);		/* xadd ax, dx */
	rc = go();
	CHECK_DONE(0);
	CHECK_EQ(cpu.gpr[RAX], 7);
	CHECK_EQ(cpu.gpr[RDX], 3);
}

/* Run a rep instruction to completion: returns the number of passes. */
static int run_rep(int max)
{
	int n = 0, rc, total = 0;

	rip0 = cpu.rip;
	while (n < max) {
		rc = run();
		n++;
		total += exits;
		CHECK_EQ(rc, X86_EMU_DONE);
		if (rc != X86_EMU_DONE || cpu.rip != rip0)
			break;
	}
	exits = total;
	return n;
}

static void test_string(void)
{
	int rc, n;

	/* rep movsb RAM -> MMIO, one iteration (and one exit) per pass */
	setup(M_LONG);
	fresh();
	memcpy(&ram[DATA], "abc", 3);
	cpu.gpr[RSI] = DATA;
	cpu.gpr[RDI] = MMIO_HI_LA;
	cpu.gpr[RCX] = 3;
	EMIT(0xf3, 0xa4);
	memcpy(&ram[CODE], ib, ilen);
	rc = run();
	CHECK_EQ(rc, X86_EMU_DONE);
	CHECK_EQ(exits, 1);
	CHECK_EQ(cpu.rip, CODE);		/* not done yet */
	CHECK_EQ(cpu.gpr[RCX], 2);
	CHECK_EQ(cpu.gpr[RSI], DATA + 1);
	CHECK_EQ(cpu.gpr[RDI], MMIO_HI_LA + 1);
	n = run_rep(10);
	CHECK_EQ(n, 2);
	CHECK_EQ(cpu.rip, CODE + 2);
	CHECK_EQ(cpu.gpr[RCX], 0);
	CHECK(!memcmp(dev, "abc", 3));
	CHECK_EQ(exits, 2);

	/* rep movsd MMIO -> RAM backwards (DF=1) */
	fresh();
	poke(MMIO_HI_LA + 4, 0x11111111, 4);
	poke(MMIO_HI_LA + 8, 0x22222222, 4);
	cpu.rflags |= DF;
	cpu.gpr[RSI] = MMIO_HI_LA + 8;
	cpu.gpr[RDI] = DATA + 0x108;
	cpu.gpr[RCX] = 2;
	EMIT(0xf3, 0xa5);
	memcpy(&ram[CODE], ib, ilen);
	n = run_rep(10);
	CHECK_EQ(n, 2);
	CHECK_EQ(exits, 2);
	CHECK_EQ(rd32(DATA + 0x108), 0x22222222);
	CHECK_EQ(rd32(DATA + 0x104), 0x11111111);
	CHECK_EQ(cpu.gpr[RSI], MMIO_HI_LA);
	CHECK_EQ(cpu.gpr[RDI], DATA + 0x100);
	CHECK_EQ(cpu.rip, CODE + 2);

	/* movsw MMIO -> MMIO: two exits, count untouched without rep */
	fresh();
	poke(MMIO_HI_LA + 0x10, 0xbeef, 2);
	cpu.gpr[RSI] = MMIO_HI_LA + 0x10;
	cpu.gpr[RDI] = MMIO_LA;
	cpu.gpr[RCX] = 7;
	EMIT(0x66, 0xa5);
	rc = go();
	CHECK_DONE(2);
	CHECK_EQ(peek(MMIO_LA, 2), 0xbeef);
	CHECK_EQ(cpu.gpr[RCX], 7);
	CHECK_EQ(cpu.gpr[RSI], MMIO_HI_LA + 0x12);
	CHECK_EQ(dev_log[0].write, 0);
	CHECK_EQ(dev_log[1].write, 1);
	CHECK_EQ(dev_log[1].gpa, MMIO_LA);

	/* rep stosq with a zero count: no access, just advance */
	fresh();
	cpu.gpr[RCX] = 0;
	cpu.gpr[RDI] = 0xdead000000000000ull;	/* would #GP */
	EMIT(0xf3, 0x48, 0xab);
	rc = go();
	CHECK_DONE(0);
	CHECK_EQ(cpu.gpr[RDI], 0xdead000000000000ull);

	/* stosb to RAM, F2 behaves as rep */
	fresh();
	cpu.gpr[RAX] = 0x5a;
	cpu.gpr[RDI] = DATA + 0x200;
	cpu.gpr[RCX] = 2;
	EMIT(0xf2, 0xaa);
	memcpy(&ram[CODE], ib, ilen);
	n = run_rep(10);
	CHECK_EQ(n, 2);
	CHECK_EQ(rd32(DATA + 0x200), 0x5a5a);
	CHECK_EQ(cpu.gpr[RDI], DATA + 0x202);

	/* lodsd from MMIO zero-extends rax; lodsb merges */
	fresh();
	poke(MMIO_HI_LA + 0x20, 0x89abcdef, 4);
	cpu.gpr[RAX] = ~0ull;
	cpu.gpr[RSI] = MMIO_HI_LA + 0x20;
	EMIT(0xad);
	rc = go();
	CHECK_DONE(1);
	CHECK_EQ(cpu.gpr[RAX], 0x89abcdef);
	CHECK_EQ(cpu.gpr[RSI], MMIO_HI_LA + 0x24);
	fresh();
	cpu.gpr[RAX] = ~0ull;
	cpu.gpr[RSI] = MMIO_HI_LA + 0x20;
	cpu.rflags |= DF;
	EMIT(0xac);
	rc = go();
	CHECK_DONE(1);
	CHECK_EQ(cpu.gpr[RAX], 0xffffffffffffffefull);
	CHECK_EQ(cpu.gpr[RSI], MMIO_HI_LA + 0x1f);

	/* 67: ECX/EDI, and 32-bit register updates zero-extend */
	fresh();
	cpu.gpr[RAX] = 0x77;
	cpu.gpr[RCX] = 0xffffffff00000002ull;
	cpu.gpr[RDI] = 0xffffffff00000000ull | (DATA + 0x300);
	EMIT(0x67, 0xf3, 0xaa);
	rc = go();
	CHECK_EQ(rc, X86_EMU_DONE);
	CHECK_EQ(cpu.rip, rip0);
	CHECK_EQ(ram[DATA + 0x300], 0x77);
	CHECK_EQ(cpu.gpr[RCX], 1);
	CHECK_EQ(cpu.gpr[RDI], DATA + 0x301);

	/* lock is not allowed on string instructions */
	fresh();
	EMIT(0xf0, 0xa4);
	rc = go();
	CHECK_EXC(NYX_EXC_UD, 0);
	CHECK_EQ(emu.exc.has_error_code, 0);

	/* destination fault: nothing read from the MMIO source */
	fresh();
	wr64(0x4000 + 0x30 * 8, 0);
	cpu.gpr[RSI] = MMIO_HI_LA;
	cpu.gpr[RDI] = 0x30000;
	cpu.gpr[RCX] = 5;
	EMIT(0xf3, 0xa4);
	rc = go();
	CHECK_EXC(NYX_EXC_PF, X86_PF_WRITE);
	CHECK_EQ(emu.exc.cr2, 0x30000);
	CHECK_EQ(exits, 0);
	CHECK_EQ(dev_log_n, 0);

	/* 16-bit: SI/DI wrap at 64 KiB, ES for the destination, FS: src */
	setup(M_REAL);
	fresh();
	cpu.seg[X86_SEG_DS].base = DATA;
	cpu.seg[X86_SEG_FS].base = DATA + 0x10000;
	cpu.seg[X86_SEG_ES].base = 0x40000;
	ram[DATA + 0xffff] = 0x11;
	ram[DATA + 0x1ffff] = 0x22;
	cpu.gpr[RSI] = 0xabcd0000ffffull;
	cpu.gpr[RDI] = 0xffff;
	cpu.gpr[RCX] = 0x10001;			/* CX = 1 */
	EMIT(0xf3, 0xa4);
	rc = go();
	CHECK_DONE(0);
	CHECK_EQ(ram[0x4ffff], 0x11);
	CHECK_EQ(cpu.gpr[RSI], 0xabcd00000000ull);
	CHECK_EQ(cpu.gpr[RDI], 0);
	CHECK_EQ(cpu.gpr[RCX], 0x10000);
	fresh();
	cpu.seg[X86_SEG_DS].base = DATA;
	cpu.seg[X86_SEG_FS].base = DATA + 0x10000;
	cpu.seg[X86_SEG_ES].base = 0x40000;
	cpu.gpr[RSI] = 0xffff;
	cpu.gpr[RDI] = 0xfffe;
	EMIT(0x64, 0xa4);			/* movsb es:[di], fs:[si] */
	rc = go();
	CHECK_DONE(0);
	CHECK_EQ(ram[0x4fffe], 0x22);
	/* to the VGA window, 32-bit operands with 66 */
	fresh();
	cpu.seg[X86_SEG_ES].base = VGA_BASE;
	cpu.gpr[RDI] = 0x10;
	cpu.gpr[RAX] = 0x12345678;
	EMIT(0x66, 0xab);
	rc = go();
	CHECK_DONE(1);
	CHECK_EQ(peek(VGA_BASE + 0x10, 4), 0x12345678);
	CHECK_EQ(cpu.gpr[RDI], 0x14);
}

static void test_mov_dr(void)
{
	int rc;

	setup(M_LONG);
	dr[0] = 0x1234567890ull;
	dr[6] = 0xffff0ff0;
	fresh();
	EMIT(0x0f, 0x21, 0xc0);			/* mov rax, dr0 */
	rc = go();
	CHECK_DONE(0);
	CHECK_EQ(cpu.gpr[RAX], 0x1234567890ull);
	fresh();
	EMIT(0x0f, 0x21, 0x00);			/* mod bits are ignored */
	rc = go();
	CHECK_DONE(0);
	CHECK_EQ(cpu.gpr[RAX], 0x1234567890ull);
	fresh();
	cpu.gpr[X86_R8] = 0xfedcba9876543210ull;
	EMIT(0x41, 0x0f, 0x23, 0xd8);		/* mov dr3, r8 */
	rc = go();
	CHECK_DONE(0);
	CHECK_EQ(dr[3], 0xfedcba9876543210ull);
	fresh();
	EMIT(0x0f, 0x21, 0xe1);			/* mov rcx, dr4 = dr6 */
	rc = go();
	CHECK_DONE(0);
	CHECK_EQ(cpu.gpr[RCX], 0xffff0ff0);
	fresh();
	cpu.cr4 |= NYX_CR4_DE;
	EMIT(0x0f, 0x21, 0xe1);
	rc = go();
	CHECK_EXC(NYX_EXC_UD, 0);
	fresh();
	EMIT(0x44, 0x0f, 0x21, 0xc0);		/* dr8 */
	rc = go();
	CHECK_EXC(NYX_EXC_UD, 0);
	fresh();
	EMIT(0xf0, 0x0f, 0x21, 0xc0);
	rc = go();
	CHECK_EXC(NYX_EXC_UD, 0);
	fresh();
	dr_fail = 1;
	EMIT(0x0f, 0x23, 0xf8);			/* mov dr7, rax */
	rc = go();
	CHECK_EXC(NYX_EXC_GP, 0);
	CHECK_EQ(emu.exc.has_error_code, 1);
	dr_fail = 0;
	fresh();
	cur_ops = &ops_nodr;
	EMIT(0x0f, 0x21, 0xc0);
	rc = go();
	CHECK_EXC(NYX_EXC_UD, 0);
	cur_ops = &ops;

	/* 32-bit mode: 32-bit register operand */
	setup(M_PM32);
	dr[7] = 0xffffffff00000400ull;
	fresh();
	cpu.gpr[RDX] = 0xaaaaaaaaaaaaaaaaull;
	EMIT(0x0f, 0x21, 0xfa);			/* mov edx, dr7 */
	rc = go();
	CHECK_DONE(0);
	CHECK_EQ(cpu.gpr[RDX], 0x400);
	fresh();
	cpu.gpr[RDX] = 0xaaaaaaaa00000401ull;
	EMIT(0x0f, 0x23, 0xfa);			/* mov dr7, edx */
	rc = go();
	CHECK_DONE(0);
	CHECK_EQ(dr[7], 0x401);
	/* CPL 3 */
	fresh();
	cpu.seg[X86_SEG_SS].attr = 0xcf3;
	EMIT(0x0f, 0x21, 0xc0);
	rc = go();
	CHECK_EXC(NYX_EXC_GP, 0);
	setup(M_VM86);
	fresh();
	EMIT(0x0f, 0x21, 0xc0);
	rc = go();
	CHECK_EXC(NYX_EXC_GP, 0);
	setup(M_REAL);
	fresh();
	dr[1] = 0x5555;
	EMIT(0x0f, 0x21, 0xc8);			/* mov eax, dr1 */
	rc = go();
	CHECK_DONE(0);
	CHECK_EQ(cpu.gpr[RAX], 0x5555);
}

/* mov dl, [ea] (or al for 16-bit) and check which byte was loaded. */
static void check_ea(u64 want_la, int line)
{
	int rc;

	poke(want_la, 0xa5, 1);
	rc = go();
	if (rc != X86_EMU_DONE || (cpu.gpr[RDX] & 0xff) != 0xa5 ||
	    cpu.rip != rip0 + ilen)
		fprintf(stderr, "  check_ea from line %d: la %llx rc %d\n",
			line, (unsigned long long)want_la, rc);
	CHECK_EQ(rc, X86_EMU_DONE);
	CHECK_EQ(cpu.gpr[RDX] & 0xff, 0xa5);
	CHECK_EQ(cpu.rip, rip0 + ilen);
	poke(want_la, 0, 1);
}

static void regs16(void)
{
	cpu.seg[X86_SEG_DS].base = 0x20000;
	cpu.seg[X86_SEG_SS].base = 0x30000;
	cpu.seg[X86_SEG_ES].base = 0x40000;
	cpu.gpr[RBX] = 0x100;
	cpu.gpr[RSI] = 0x10;
	cpu.gpr[RDI] = 0x20;
	cpu.gpr[RBP] = 0x200;
}

static void test_addressing16(void)
{
	static const u16 base[8] = {
		0x110, 0x120, 0x210, 0x220, 0x10, 0x20, 0x200, 0x100,
	};
	unsigned int rm, mod;

	setup(M_REAL);
	for (mod = 0; mod < 3; mod++)
	for (rm = 0; rm < 8; rm++) {
		u64 seg = (rm == 2 || rm == 3 || rm == 6) ? 0x30000 : 0x20000;
		u16 ea = base[rm];

		fresh();
		regs16();
		e8(0x8a);
		e8((mod << 6) | (RDX << 3) | rm);
		if (mod == 0 && rm == 6) {
			en(0x1234, 2);
			ea = 0x1234;
			seg = 0x20000;
		} else if (mod == 1) {
			e8(0xff);
			ea -= 1;
		} else if (mod == 2) {
			en(0x8000, 2);
			ea += 0x8000;
		}
		check_ea(seg + ea, __LINE__);
	}
	/* wrap at 64 KiB */
	fresh();
	regs16();
	cpu.gpr[RBX] = 0xffff;
	cpu.gpr[RSI] = 2;
	EMIT(0x8a, 0x50, 0x03);			/* mov dl, [bx+si+3] */
	check_ea(0x20004, __LINE__);
	/* overrides */
	fresh();
	regs16();
	EMIT(0x26, 0x8a, 0x17);			/* mov dl, es:[bx] */
	check_ea(0x40100, __LINE__);
	fresh();
	regs16();
	EMIT(0x3e, 0x8a, 0x12);			/* mov dl, ds:[bp+si] */
	check_ea(0x20210, __LINE__);
	fresh();
	regs16();
	EMIT(0x36, 0x8a, 0x17);			/* mov dl, ss:[bx] */
	check_ea(0x30100, __LINE__);
	/* 67: 32-bit addressing in real mode */
	fresh();
	regs16();
	cpu.gpr[RAX] = 0x10000;
	EMIT(0x67, 0x8a, 0x14, 0x58);		/* mov dl, [eax+ebx*2] */
	check_ea(0x20000 + 0x10200, __LINE__);
	/* vm86 and 16-bit protected mode decode the same way */
	setup(M_VM86);
	fresh();
	regs16();
	EMIT(0x8a, 0x56, 0x01);			/* mov dl, [bp+1] */
	check_ea(0x30201, __LINE__);
	setup(M_PM16);
	fresh();
	regs16();
	EMIT(0x8a, 0x52, 0x02);			/* mov dl, [bp+si+2] */
	check_ea(0x30212, __LINE__);
}

static void regs32(void)
{
	cpu.seg[X86_SEG_SS].base = 0x1000;
	cpu.gpr[RAX] = 0x20000;
	cpu.gpr[RCX] = 0x40;
	cpu.gpr[RBX] = 0x30000;
	cpu.gpr[RSP] = 0x50000;
	cpu.gpr[RBP] = 0x60000;
	cpu.gpr[RSI] = 0x70000;
}

static void test_addressing32(void)
{
	int m;

	for (m = M_PM32; m <= M_COMPAT; m++) {
		setup(m);
		fresh();
		regs32();
		EMIT(0x8a, 0x54, 0x88, 0x10);	/* [eax+ecx*4+0x10] */
		check_ea(0x20000 + 0x100 + 0x10, __LINE__);
		fresh();
		regs32();
		EMIT(0x8a, 0x14, 0xcd, 0x00, 0x01, 0x02, 0x00);
		check_ea(0x20100 + 0x200, __LINE__);	/* [ecx*8+disp32] */
		fresh();
		regs32();
		EMIT(0x8a, 0x54, 0x24, 0x08);	/* [esp+8]: SS */
		check_ea(0x51008, __LINE__);
		fresh();
		regs32();
		EMIT(0x8a, 0x55, 0xfc);		/* [ebp-4]: SS */
		check_ea(0x60ffc, __LINE__);
		fresh();
		regs32();
		EMIT(0x8a, 0x15, 0x34, 0x12, 0x02, 0x00);	/* [disp32] */
		check_ea(0x21234, __LINE__);
		fresh();
		regs32();
		EMIT(0x8a, 0x93, 0x00, 0x00, 0x01, 0x00);	/* [ebx+disp32] */
		check_ea(0x40000, __LINE__);
		fresh();
		regs32();
		EMIT(0x8a, 0x14, 0x2e);		/* [esi+ebp]: base esi: DS */
		check_ea(0xd0000, __LINE__);
		fresh();
		regs32();
		EMIT(0x8a, 0x54, 0x35, 0x00);	/* [ebp+esi]: base ebp: SS */
		check_ea(0xd1000, __LINE__);
		fresh();
		regs32();
		EMIT(0x8a, 0x14, 0x65, 0x00, 0x10, 0x01, 0x00);
		check_ea(0x11000, __LINE__);	/* index=none (esp), no base */
		fresh();
		regs32();
		cpu.gpr[RAX] = 0xfffffff0;
		EMIT(0x8a, 0x50, 0x30);		/* wraps at 4 GiB */
		check_ea(0x20, __LINE__);
		fresh();
		regs32();
		cpu.seg[X86_SEG_GS].base = 0x100;
		EMIT(0x65, 0x8a, 0x13);		/* gs:[ebx] */
		check_ea(0x30100, __LINE__);
		fresh();
		regs32();
		EMIT(0x67, 0x8a, 0x17);		/* 67: [bx] */
		check_ea(0x0, __LINE__);
	}
}

static void test_addressing64(void)
{
	int rc;

	setup(M_LONG);
	/* RIP-relative: relative to the end of the instruction */
	fresh();
	EMIT(0x8a, 0x15, 0x00, 0x10, 0x00, 0x00);	/* mov dl, [rip+4096] */
	check_ea(CODE + 6 + 0x1000, __LINE__);
	fresh();
	EMIT(0xc7, 0x05, 0xf6, 0xff, 0xff, 0xff, 0x78, 0x56, 0x34, 0x12);
	rc = go();					/* mov [rip-10], imm */
	CHECK_DONE(0);
	CHECK_EQ(rd32(CODE), 0x12345678);
	fresh();
	EMIT(0xc6, 0x05, 0x00, 0x01, 0x00, 0x00, 0x99);
	rc = go();
	CHECK_DONE(0);
	CHECK_EQ(ram[CODE + 7 + 0x100], 0x99);
	fresh();
	EMIT(0x41, 0x8a, 0x15, 0x00, 0x01, 0x00, 0x00);	/* REX.B: still rip */
	check_ea(CODE + 7 + 0x100, __LINE__);
	/* 67 + RIP-relative: EIP-relative, truncated to 32 bits */
	fresh();
	EMIT(0x67, 0x8a, 0x15, 0x00, 0x01, 0x00, 0x00);
	check_ea(CODE + 7 + 0x100, __LINE__);

	fresh();
	cpu.gpr[X86_R13] = DATA;
	EMIT(0x41, 0x8a, 0x55, 0x08);		/* [r13+8] */
	check_ea(DATA + 8, __LINE__);
	fresh();
	cpu.gpr[X86_R12] = DATA;
	EMIT(0x41, 0x8a, 0x14, 0x24);		/* [r12] */
	check_ea(DATA, __LINE__);
	fresh();
	cpu.gpr[RBX] = DATA;
	cpu.gpr[X86_R9] = 0x44;
	EMIT(0x42, 0x8a, 0x14, 0x8b);		/* [rbx+r9*4] */
	check_ea(DATA + 0x110, __LINE__);
	fresh();
	cpu.gpr[RBX] = DATA;
	cpu.gpr[X86_R12] = 0x3;
	EMIT(0x42, 0x8a, 0x14, 0x23);		/* [rbx+r12]: index r12 */
	check_ea(DATA + 3, __LINE__);
	fresh();
	cpu.gpr[RBX] = 0xffffffff00000000ull | DATA;
	EMIT(0x67, 0x8a, 0x13);			/* [ebx] */
	check_ea(DATA, __LINE__);
	fresh();
	cpu.gpr[RBX] = DATA + 0x10;
	cpu.gpr[RAX] = -0x10ull;
	EMIT(0x8a, 0x14, 0x03);			/* [rbx+rax]: 64-bit wrap */
	check_ea(DATA, __LINE__);
	/* only FS/GS bases count in 64-bit mode */
	fresh();
	cpu.gpr[RBX] = DATA;
	cpu.seg[X86_SEG_FS].base = 0x1000;
	EMIT(0x64, 0x8a, 0x13);
	check_ea(DATA + 0x1000, __LINE__);
	fresh();
	cpu.gpr[RBX] = DATA;
	cpu.seg[X86_SEG_GS].base = -0x1000ull;
	EMIT(0x65, 0x8a, 0x13);
	check_ea(DATA - 0x1000, __LINE__);
	fresh();
	cpu.gpr[RBX] = DATA;
	cpu.seg[X86_SEG_DS].base = 0x1000;
	cpu.seg[X86_SEG_ES].base = 0x1000;
	cpu.seg[X86_SEG_CS].base = 0x1000;
	EMIT(0x26, 0x8a, 0x13);			/* es: ignored */
	memcpy(&ram[CODE], ib, ilen);		/* CS base is ignored too */
	check_ea(DATA, __LINE__);
	/* rsp-based: SS, base ignored */
	fresh();
	cpu.gpr[RSP] = DATA + 0x20;
	cpu.seg[X86_SEG_SS].base = 0x1000;
	EMIT(0x8a, 0x54, 0x24, 0x01);
	check_ea(DATA + 0x21, __LINE__);

	/* non-canonical: #GP(0), or #SS(0) for stack references */
	fresh();
	cpu.gpr[RBX] = 0x0000800000000000ull;
	EMIT(0x8a, 0x13);
	rc = go();
	CHECK_EXC(NYX_EXC_GP, 0);
	fresh();
	cpu.gpr[RBX] = 0x00007ffffffffffeull;
	EMIT(0x8b, 0x13);			/* last byte non-canonical */
	rc = go();
	CHECK_EXC(NYX_EXC_GP, 0);
	fresh();
	cpu.gpr[RBP] = 0xfff0000000000000ull;
	EMIT(0x8a, 0x55, 0x00);
	rc = go();
	CHECK_EXC(NYX_EXC_SS, 0);
	CHECK_EQ(emu.exc.has_error_code, 1);
	fresh();
	cpu.gpr[RSP] = 0xfff0000000000000ull;
	EMIT(0x8a, 0x14, 0x24);
	rc = go();
	CHECK_EXC(NYX_EXC_SS, 0);
}

static void test_prefixes(void)
{
	int rc, i;

	setup(M_LONG);
	/* a legacy prefix after REX cancels it */
	fresh();
	cpu.gpr[RBX] = DATA;
	cpu.gpr[RAX] = 0x1122334455667788ull;
	poke(DATA, ~0ull, 8);
	EMIT(0x48, 0x66, 0x89, 0x03);
	rc = go();
	CHECK_DONE(0);
	CHECK_EQ(rd64(DATA), 0xffffffffffff7788ull);
	/* REX.W wins over 66 */
	fresh();
	cpu.gpr[RBX] = DATA;
	cpu.gpr[RAX] = 0x1122334455667788ull;
	EMIT(0x66, 0x48, 0x89, 0x03);
	rc = go();
	CHECK_DONE(0);
	CHECK_EQ(rd64(DATA), 0x1122334455667788ull);
	/* the last REX counts */
	fresh();
	cpu.gpr[RBX] = DATA;
	cpu.gpr[X86_R8] = 0x77;
	poke(DATA, 0, 8);
	EMIT(0x48, 0x44, 0x88, 0x03);		/* mov [rbx], r8b */
	rc = go();
	CHECK_DONE(0);
	CHECK_EQ(rd64(DATA), 0x77);
	/* ah vs spl */
	fresh();
	cpu.gpr[RBX] = DATA;
	cpu.gpr[RAX] = 0x4400;
	cpu.gpr[RSP] = 0x55;
	EMIT(0x88, 0x23);			/* mov [rbx], ah */
	rc = go();
	CHECK_DONE(0);
	CHECK_EQ(ram[DATA], 0x44);
	fresh();
	cpu.gpr[RBX] = DATA;
	cpu.gpr[RAX] = 0x4400;
	cpu.gpr[RSP] = 0x55;
	EMIT(0x40, 0x88, 0x23);			/* mov [rbx], spl */
	rc = go();
	CHECK_DONE(0);
	CHECK_EQ(ram[DATA], 0x55);
	/* loads into bh/dil */
	fresh();
	cpu.gpr[RBX] = DATA;
	cpu.gpr[RDI] = 0x1234;
	poke(DATA, 0xee, 1);
	EMIT(0x8a, 0x3b);			/* mov bh, [rbx] */
	rc = go();
	CHECK_DONE(0);
	CHECK_EQ(cpu.gpr[RBX], DATA | 0xee00);
	fresh();
	cpu.gpr[RBX] = DATA;
	cpu.gpr[RDI] = 0x1234;
	EMIT(0x40, 0x8a, 0x3b);			/* mov dil, [rbx] */
	rc = go();
	CHECK_DONE(0);
	CHECK_EQ(cpu.gpr[RDI], 0x12ee);
	/* mov r/m16 keeps the upper bits; r/m32 zero-extends */
	fresh();
	cpu.gpr[RBX] = DATA;
	cpu.gpr[X86_R15] = ~0ull;
	EMIT(0x66, 0x44, 0x8b, 0x3b);		/* mov r15w, [rbx] */
	rc = go();
	CHECK_DONE(0);
	CHECK_EQ(cpu.gpr[X86_R15], 0xffffffffffff00eeull);
	fresh();
	cpu.gpr[RBX] = DATA;
	cpu.gpr[X86_R15] = ~0ull;
	EMIT(0x44, 0x8b, 0x3b);			/* mov r15d, [rbx] */
	rc = go();
	CHECK_DONE(0);
	CHECK_EQ(cpu.gpr[X86_R15], 0xee);
	/* register-to-register mov */
	fresh();
	cpu.gpr[X86_R10] = 0x1234;
	EMIT(0x4d, 0x89, 0xd3);			/* mov r11, r10 */
	rc = go();
	CHECK_DONE(0);
	CHECK_EQ(cpu.gpr[X86_R11], 0x1234);

	/* LOCK */
	fresh();
	cpu.gpr[RBX] = MMIO_HI_LA;
	cpu.gpr[RAX] = 1;
	EMIT(0xf0, 0x01, 0x03);			/* lock add [rbx], eax */
	rc = go();
	CHECK_DONE(2);
	fresh();
	EMIT(0xf0, 0x01, 0xc3);			/* lock add ebx, eax */
	rc = go();
	CHECK_EXC(NYX_EXC_UD, 0);
	fresh();
	cpu.gpr[RBX] = DATA;
	EMIT(0xf0, 0x89, 0x03);			/* lock mov */
	rc = go();
	CHECK_EXC(NYX_EXC_UD, 0);
	fresh();
	cpu.gpr[RBX] = DATA;
	EMIT(0xf0, 0x39, 0x03);			/* lock cmp */
	rc = go();
	CHECK_EXC(NYX_EXC_UD, 0);
	fresh();
	cpu.gpr[RBX] = DATA;
	EMIT(0xf0, 0x0f, 0xa3, 0x03);		/* lock bt */
	rc = go();
	CHECK_EXC(NYX_EXC_UD, 0);
	fresh();
	cpu.gpr[RBX] = DATA;
	EMIT(0xf0, 0x0f, 0xab, 0x03);		/* lock bts */
	rc = go();
	CHECK_DONE(0);
	fresh();
	cpu.gpr[RBX] = DATA;
	EMIT(0xf0, 0x87, 0x03);			/* lock xchg */
	rc = go();
	CHECK_DONE(0);
	fresh();
	cpu.gpr[RBX] = DATA;
	EMIT(0xf0, 0xf6, 0x13);			/* lock not */
	rc = go();
	CHECK_DONE(0);
	fresh();
	cpu.gpr[RBX] = DATA;
	EMIT(0xf0, 0xf6, 0x03, 0x01);		/* lock test */
	rc = go();
	CHECK_EXC(NYX_EXC_UD, 0);
	fresh();
	cpu.gpr[RBX] = DATA;
	EMIT(0xf0, 0x80, 0x3b, 0x01);		/* lock cmp imm */
	rc = go();
	CHECK_EXC(NYX_EXC_UD, 0);
	fresh();
	cpu.gpr[RBX] = DATA;
	EMIT(0xf0, 0xfe, 0x03);			/* lock inc */
	rc = go();
	CHECK_DONE(0);
	CHECK_EQ(ram[DATA], 0x00);	/* bts: 0xef, xchg: 0, not: 0xff */

	/* instruction length: 15 is fine, 16 is #GP(0) */
	fresh();
	cpu.gpr[RBX] = DATA;
	for (i = 0; i < 13; i++)
		e8(0x66);
	EMIT(0x89, 0x03);
	rc = go();
	CHECK_DONE(0);
	CHECK_EQ(emu.insn_len, 15);
	fresh();
	for (i = 0; i < 14; i++)
		e8(0x2e);
	EMIT(0x89, 0x03);
	rc = go();
	CHECK_EXC(NYX_EXC_GP, 0);
	fresh();
	for (i = 0; i < 20; i++)
		e8(0xf3);
	rc = go();
	CHECK_EXC(NYX_EXC_GP, 0);
	fresh();
	for (i = 0; i < 10; i++)
		e8(0x40);
	EMIT(0xc7, 0x03, 1, 2, 3, 4);		/* 16 bytes through the imm */
	rc = go();
	CHECK_EXC(NYX_EXC_GP, 0);
	fresh();
	for (i = 0; i < 4; i++)
		e8(0x67);
	EMIT(0x48, 0xc7, 0x84, 0x24, 1, 2, 3, 4, 5, 6, 7, 8);
	rc = go();				/* exactly 16 with SIB+disp32 */
	CHECK_EXC(NYX_EXC_GP, 0);
}

#define PTE64(la) (0x4000 + ((la) >> 12) * 8)

static void test_page_faults(void)
{
	int rc;

	setup(M_LONG);
	/* unmapped data page: cr2 and error code */
	wr64(PTE64(0x30000), 0);
	fresh();
	cpu.gpr[RBX] = 0x30010;
	EMIT(0x8b, 0x03);
	rc = go();
	CHECK_EXC(NYX_EXC_PF, 0);
	CHECK_EQ(emu.exc.cr2, 0x30010);
	CHECK_EQ(emu.exc.has_error_code, 1);
	fresh();
	cpu.gpr[RBX] = 0x30010;
	EMIT(0x89, 0x03);
	rc = go();
	CHECK_EXC(NYX_EXC_PF, X86_PF_WRITE);
	/* read-only page: supervisor write with CR0.WP */
	wr64(PTE64(0x31000), 0x31000 | 5);
	fresh();
	cpu.gpr[RBX] = 0x31000;
	EMIT(0x01, 0x03);			/* add [rbx], eax */
	rc = go();
	CHECK_EXC(NYX_EXC_PF, X86_PF_WRITE | X86_PF_PRESENT);
	fresh();
	cpu.gpr[RBX] = 0x31000;
	EMIT(0x39, 0x03);			/* cmp: read only, fine */
	rc = go();
	CHECK_DONE(0);
	fresh();
	cpu.cr0 &= ~NYX_CR0_WP;
	cpu.gpr[RBX] = 0x31000;
	cpu.gpr[RAX] = 0x42;
	EMIT(0x89, 0x03);
	rc = go();
	CHECK_DONE(0);
	CHECK_EQ(rd32(0x31000), 0x42);
	CHECK_EQ(rd64(PTE64(0x31000)), 0x31000 | 5 | 0x60);	/* A, D */
	/* user mode: supervisor page, read-only page */
	wr64(PTE64(0x32000), 0x32000 | 3);
	fresh();
	cpu.seg[X86_SEG_SS].attr = 0xf3;
	cpu.seg[X86_SEG_CS].attr = 0x2fb;
	cpu.gpr[RBX] = 0x32000;
	EMIT(0x8b, 0x03);
	rc = go();
	CHECK_EXC(NYX_EXC_PF, X86_PF_USER | X86_PF_PRESENT);
	fresh();
	cpu.seg[X86_SEG_SS].attr = 0xf3;
	cpu.gpr[RBX] = 0x31000;
	EMIT(0x89, 0x03);
	rc = go();
	CHECK_EXC(NYX_EXC_PF, X86_PF_USER | X86_PF_PRESENT | X86_PF_WRITE);
	fresh();
	cpu.seg[X86_SEG_SS].attr = 0xf3;
	cpu.gpr[RBX] = DATA;
	EMIT(0x89, 0x03);
	rc = go();
	CHECK_DONE(0);
	/* A and D bits of the data page */
	CHECK_EQ(rd64(PTE64(DATA)) & 0x60, 0x60);
	CHECK_EQ(rd64(0x3000) & 0x60, 0x20);

	/* instruction fetch faults: not present, NX, user */
	fresh();
	wr64(PTE64(CODE), 0);
	EMIT(0x90);
	rc = go();
	CHECK_EXC(NYX_EXC_PF, X86_PF_FETCH);
	CHECK_EQ(emu.exc.cr2, CODE);
	wr64(PTE64(CODE), CODE | 7 | NYX_PTE_NX);
	rc = go();
	CHECK_EXC(NYX_EXC_PF, X86_PF_FETCH | X86_PF_PRESENT);
	wr64(PTE64(CODE), CODE | 3);
	cpu.seg[X86_SEG_SS].attr = 0xf3;
	rc = go();
	CHECK_EXC(NYX_EXC_PF, X86_PF_FETCH | X86_PF_PRESENT | X86_PF_USER);
	wr64(PTE64(CODE), CODE | 7);

	/* fetch across a page boundary */
	fresh();
	cpu.rip = CODE + 0xffe;
	cpu.gpr[RBX] = DATA;
	EMIT(0x48, 0xc7, 0x03, 0x01, 0x02, 0x03, 0x84);
	rc = go();
	CHECK_DONE(0);
	CHECK_EQ(rd64(DATA), 0xffffffff84030201ull);
	CHECK_EQ(emu.insn_len, 7);
	CHECK_EQ(emu.insn[6], 0x84);
	wr64(PTE64(CODE + 0x1000), 0);
	cpu.rip = CODE + 0xffe;
	rc = go();
	CHECK_EXC(NYX_EXC_PF, X86_PF_FETCH);
	CHECK_EQ(emu.exc.cr2, CODE + 0x1000);
	/* an instruction that ends on the page end needs no next page */
	fresh();
	cpu.rip = CODE + 0xffd;
	cpu.gpr[RBX] = DATA;
	cpu.gpr[RAX] = 7;
	EMIT(0x48, 0x89, 0x03);
	rc = go();
	CHECK_DONE(0);
	CHECK_EQ(rd64(DATA), 7);
	wr64(PTE64(CODE + 0x1000), (CODE + 0x1000) | 7);
	/* fetch from MMIO is not emulated */
	fresh();
	cpu.rip = VGA_BASE;
	rc = run();
	CHECK_EQ(rc, X86_EMU_UNHANDLED);
	fresh();
	cpu.rip = MMIO_HI_LA;
	rc = run();
	CHECK_EQ(rc, X86_EMU_UNHANDLED);
	/* fetch from a non-canonical RIP */
	fresh();
	cpu.rip = 0x0000800000000000ull;
	rc = run();
	CHECK_EXC(NYX_EXC_GP, 0);
	/* a host error on guest RAM */
	fresh();
	error_page = DATA;
	cpu.gpr[RBX] = DATA;
	EMIT(0x8b, 0x03);
	rc = go();
	CHECK_EQ(rc, X86_EMU_UNHANDLED);
	error_page = CODE;
	rc = go();
	CHECK_EQ(rc, X86_EMU_UNHANDLED);
	error_page = 0x4000;			/* the page table */
	rc = go();
	CHECK_EQ(rc, X86_EMU_UNHANDLED);
	error_page = ~0ull;

	/* data split across two RAM pages */
	fresh();
	cpu.gpr[RBX] = DATA + 0xffe;
	cpu.gpr[RAX] = 0xa1b2c3d4;
	EMIT(0x89, 0x03);
	rc = go();
	CHECK_DONE(0);
	CHECK_EQ(rd32(DATA + 0xffe), 0xa1b2c3d4);
	fresh();
	cpu.gpr[RBX] = DATA + 0xffd;
	EMIT(0x48, 0x8b, 0x0b);			/* mov rcx, [rbx] */
	rc = go();
	CHECK_DONE(0);
	CHECK_EQ(cpu.gpr[RCX], 0xa1b2c3d400ull);
	fresh();
	cpu.gpr[RBX] = DATA + 0xffe;
	EMIT(0xf7, 0x13);			/* not [rbx], split RMW */
	rc = go();
	CHECK_DONE(0);
	CHECK_EQ(rd32(DATA + 0xffe), ~0xa1b2c3d4u);
	/* second page not present: #PF on it, nothing written */
	wr64(PTE64(DATA + 0x1000), 0);
	fresh();
	cpu.gpr[RBX] = DATA + 0xffe;
	cpu.gpr[RAX] = 0;
	EMIT(0x89, 0x03);
	rc = go();
	CHECK_EXC(NYX_EXC_PF, X86_PF_WRITE);
	CHECK_EQ(emu.exc.cr2, DATA + 0x1000);
	CHECK_EQ(ram[DATA + 0xffe], (u8)~0xd4u);
	/* split between RAM and MMIO (and ROM) is not emulated */
	fresh();
	cpu.gpr[RBX] = VGA_BASE - 2;
	ram[VGA_BASE - 2] = 0x33;
	EMIT(0x89, 0x03);
	rc = go();
	CHECK_EQ(rc, X86_EMU_UNHANDLED);
	CHECK_EQ(ram[VGA_BASE - 2], 0x33);
	CHECK_EQ(exits, 0);
	rc = run();
	fresh();
	cpu.gpr[RBX] = VGA_BASE - 2;
	EMIT(0x8b, 0x03);
	rc = go();
	CHECK_EQ(rc, X86_EMU_UNHANDLED);
	fresh();
	cpu.gpr[RBX] = ROM_BASE - 2;
	ram[ROM_BASE - 2] = 0x44;
	EMIT(0x89, 0x03);
	rc = go();
	CHECK_EQ(rc, X86_EMU_UNHANDLED);
	CHECK_EQ(ram[ROM_BASE - 2], 0x44);	/* rolled back */
	CHECK_EQ(page_cross_calls, 0);

	/* 32-bit paging: no I/D bit without NX */
	setup(M_PG32);
	fresh();
	wr32(0x6000 + (CODE >> 12) * 4, 0);
	EMIT(0x90);
	rc = go();
	CHECK_EXC(NYX_EXC_PF, 0);
	CHECK_EQ(emu.exc.cr2, CODE);
	fresh();
	wr32(0x6000 + (CODE >> 12) * 4, CODE | 7);
	cpu.gpr[RBX] = 0x12345678;		/* PDE 0x48: not present */
	EMIT(0x89, 0x03);
	rc = go();
	CHECK_EXC(NYX_EXC_PF, X86_PF_WRITE);
	CHECK_EQ(emu.exc.cr2, 0x12345678);
	/* PAE: NX data page is fine to read */
	setup(M_PAE);
	fresh();
	wr64(0x9000 + (DATA >> 12) * 8, DATA | 7 | NYX_PTE_NX);
	cpu.gpr[RBX] = DATA;
	poke(DATA, 0x66, 4);
	EMIT(0x8b, 0x03);
	rc = go();
	CHECK_DONE(0);
	CHECK_EQ(cpu.gpr[RAX], 0x66);
	/* maxphyaddr reserved bits via emu->maxphyaddr_mask */
	fresh();
	wr64(0x9000 + (DATA >> 12) * 8, DATA | 7 | (1ull << 40));
	cpu.gpr[RBX] = DATA;
	EMIT(0x8b, 0x03);
	memcpy(&ram[code_la()], ib, ilen);
	x86_emu_init(&emu, &cpu, &ops, NULL);
	emu.maxphyaddr_mask = (1ull << 36) - 1;
	rc = x86_emulate(&emu);
	CHECK_EXC(NYX_EXC_PF, X86_PF_RSVD | X86_PF_PRESENT);
}

/* The re-execution contract, step by step. */
static void test_reexec(void)
{
	struct x86_cpu_state before;
	int rc;

	/* movs MMIO -> RAM: RAM written only by the completing pass */
	setup(M_LONG);
	fresh();
	poke(MMIO_HI_LA, 0x12345678, 4);
	cpu.gpr[RSI] = MMIO_HI_LA;
	cpu.gpr[RDI] = DATA;
	EMIT(0xa5);
	memcpy(&ram[CODE], ib, ilen);
	before = cpu;
	x86_emu_init(&emu, &cpu, &ops, NULL);
	rc = x86_emulate(&emu);
	CHECK_EQ(rc, X86_EMU_MMIO);
	CHECK_EQ(emu.nr_mmio_done, 0);
	CHECK_EQ(emu.mmio[0].gpa, MMIO_HI);
	CHECK_EQ(emu.mmio[0].len, 4);
	CHECK_EQ(emu.mmio[0].is_write, 0);
	CHECK_EQ(rd32(DATA), 0);
	CHECK(!memcmp(&before, &cpu, sizeof(cpu)));
	/* calling again without completing it asks for the same access */
	rc = x86_emulate(&emu);
	CHECK_EQ(rc, X86_EMU_MMIO);
	CHECK_EQ(emu.mmio[0].gpa, MMIO_HI);
	memcpy(emu.mmio[0].data, "\x01\x02\x03\x04", 4);
	emu.nr_mmio_done = 1;
	rc = x86_emulate(&emu);
	CHECK_EQ(rc, X86_EMU_DONE);
	CHECK_EQ(rd32(DATA), 0x04030201);
	CHECK_EQ(cpu.gpr[RSI], MMIO_HI_LA + 4);
	CHECK_EQ(cpu.rip, CODE + 1);
	CHECK_EQ(emu.insn_len, 1);
	CHECK_EQ(emu.insn[0], 0xa5);

	/* RMW on MMIO: read, then write with the computed value */
	fresh();
	cpu.gpr[RBX] = MMIO_HI_LA;
	EMIT(0x83, 0x03, 0x05);			/* add dword [rbx], 5 */
	memcpy(&ram[CODE], ib, ilen);
	x86_emu_init(&emu, &cpu, &ops, NULL);
	rc = x86_emulate(&emu);
	CHECK_EQ(rc, X86_EMU_MMIO);
	CHECK_EQ(emu.mmio[0].is_write, 0);
	memcpy(emu.mmio[0].data, "\x10\0\0\0", 4);
	emu.nr_mmio_done = 1;
	/* the passes that complete it decode the bytes fetched first, not
	 * what guest memory holds now (HLT: not emulated) */
	memset(&ram[CODE], 0xf4, ilen);
	rc = x86_emulate(&emu);
	CHECK_EQ(rc, X86_EMU_MMIO);
	CHECK_EQ(emu.mmio[1].is_write, 1);
	CHECK_EQ(emu.mmio[1].gpa, MMIO_HI);
	CHECK_EQ(emu.mmio[1].data[0], 0x15);
	CHECK_EQ(cpu.rip, CODE);
	emu.nr_mmio_done = 2;
	rc = x86_emulate(&emu);
	CHECK_EQ(rc, X86_EMU_DONE);
	CHECK_EQ(cpu.rip, CODE + 3);
	CHECK_EQ(cpu.rflags & ARITH, 0);
	CHECK_EQ(cpu.gpr[RBX], MMIO_HI_LA);
	/* a new instruction fetches again: HLT is not emulated */
	x86_emu_init(&emu, &cpu, &ops, NULL);
	cpu.rip = CODE;
	CHECK_EQ(x86_emulate(&emu), X86_EMU_UNHANDLED);
	memcpy(&ram[CODE], ib, ilen);

	/* the guest changed the access under us: give up */
	fresh();
	cpu.gpr[RBX] = MMIO_HI_LA;
	x86_emu_init(&emu, &cpu, &ops, NULL);
	rc = x86_emulate(&emu);
	CHECK_EQ(rc, X86_EMU_MMIO);
	emu.mmio[0].gpa += 8;
	emu.nr_mmio_done = 1;
	rc = x86_emulate(&emu);
	CHECK_EQ(rc, X86_EMU_UNHANDLED);
	/* a bogus log position */
	x86_emu_init(&emu, &cpu, &ops, NULL);
	emu.nr_mmio_done = X86_EMU_MAX_MMIO + 1;
	rc = x86_emulate(&emu);
	CHECK_EQ(rc, X86_EMU_UNHANDLED);
	/* more log entries than the instruction performs */
	fresh();
	cpu.gpr[RBX] = DATA;
	EMIT(0x01, 0x03);
	memcpy(&ram[CODE], ib, ilen);
	x86_emu_init(&emu, &cpu, &ops, NULL);
	emu.nr_mmio_done = 1;
	rc = x86_emulate(&emu);
	CHECK_EQ(rc, X86_EMU_UNHANDLED);
	CHECK_EQ(cpu.rip, CODE);
	/* no ops */
	x86_emu_init(&emu, &cpu, NULL, NULL);
	CHECK_EQ(x86_emulate(&emu), X86_EMU_UNHANDLED);
	CHECK_EQ(x86_emulate(NULL), X86_EMU_UNHANDLED);

	/* a write to ROM becomes an MMIO write; ROM reads are RAM */
	fresh();
	cpu.gpr[RBX] = ROM_BASE + 0x10;
	cpu.gpr[RAX] = 0xcafe;
	ram[ROM_BASE + 0x10] = 0x11;
	EMIT(0x66, 0x89, 0x03);
	rc = go();
	CHECK_DONE(1);
	CHECK_EQ(ram[ROM_BASE + 0x10], 0x11);
	CHECK_EQ(dev_log[0].gpa, ROM_BASE + 0x10);
	CHECK_EQ(dev_log[0].write, 1);
	CHECK_EQ(dev_log[0].val, 0xcafe);
	fresh();
	cpu.gpr[RBX] = ROM_BASE + 0x10;
	EMIT(0x8a, 0x03);
	rc = go();
	CHECK_DONE(0);
	CHECK_EQ(cpu.gpr[RAX], 0x11);
	/* xchg on ROM: a RAM read, then an MMIO write */
	fresh();
	cpu.gpr[RBX] = ROM_BASE + 0x10;
	cpu.gpr[RCX] = 0x22;
	EMIT(0x86, 0x0b);
	rc = go();
	CHECK_DONE(1);
	CHECK_EQ(cpu.gpr[RCX], 0x11);
	CHECK_EQ(dev_log[0].val, 0x22);
}

static void test_linear(void)
{
	struct x86_cpu_state c;
	u8 buf[64];
	int rc, m;

	for (m = 0; m < M_NR; m++) {
		setup(m);
		CHECK_EQ(x86_emu_addr_size(&cpu), ad_size());
	}

	setup(M_LONG);
	x86_emu_init(&emu, &cpu, &ops, NULL);
	memcpy(&ram[DATA + 0xffc], "01234567", 8);
	rc = x86_emu_read_linear(&emu, X86_SEG_DS, DATA + 0xffc, buf, 8);
	CHECK_EQ(rc, X86_EMU_DONE);
	CHECK(!memcmp(buf, "01234567", 8));
	rc = x86_emu_write_linear(&emu, X86_SEG_ES, DATA + 0x1ffe, "ab", 2);
	CHECK_EQ(rc, X86_EMU_DONE);
	CHECK(!memcmp(&ram[DATA + 0x1ffe], "ab", 2));
	/* FS base counts in 64-bit mode, DS base does not */
	cpu.seg[X86_SEG_FS].base = 0x100;
	cpu.seg[X86_SEG_DS].base = 0x100;
	rc = x86_emu_read_linear(&emu, X86_SEG_FS, DATA + 0xefc, buf, 8);
	CHECK_EQ(rc, X86_EMU_DONE);
	CHECK(!memcmp(buf, "01234567", 8));
	rc = x86_emu_read_linear(&emu, X86_SEG_DS, DATA + 0xffc, buf, 4);
	CHECK(!memcmp(buf, "0123", 4));
	/* a fault on the second page leaves no partial write */
	wr64(PTE64(DATA + 0x3000), 0);
	rc = x86_emu_write_linear(&emu, X86_SEG_ES, DATA + 0x2ff0,
				  "0123456789abcdefXYZ", 19);
	CHECK_EQ(rc, X86_EMU_EXCEPTION);
	CHECK_EQ(emu.exc.vector, NYX_EXC_PF);
	CHECK_EQ(emu.exc.error_code, X86_PF_WRITE);
	CHECK_EQ(emu.exc.cr2, DATA + 0x3000);
	CHECK_EQ(ram[DATA + 0x2ff0], 0);
	rc = x86_emu_read_linear(&emu, X86_SEG_ES, DATA + 0x2ff0, buf, 19);
	CHECK_EQ(rc, X86_EMU_EXCEPTION);
	CHECK_EQ(emu.exc.error_code, 0);
	/* MMIO (and a page split onto MMIO) is unhandled */
	rc = x86_emu_write_linear(&emu, X86_SEG_ES, VGA_BASE - 4, buf, 8);
	CHECK_EQ(rc, X86_EMU_UNHANDLED);
	CHECK_EQ(rd32(VGA_BASE - 4), 0);
	rc = x86_emu_read_linear(&emu, X86_SEG_ES, MMIO_HI_LA, buf, 1);
	CHECK_EQ(rc, X86_EMU_UNHANDLED);
	/* non-canonical, bad segment, empty */
	rc = x86_emu_read_linear(&emu, X86_SEG_ES, 1ull << 63, buf, 1);
	CHECK_EQ(rc, X86_EMU_EXCEPTION);
	CHECK_EQ(emu.exc.vector, NYX_EXC_GP);
	rc = x86_emu_read_linear(&emu, X86_SEG_SS, 1ull << 63, buf, 1);
	CHECK_EQ(emu.exc.vector, NYX_EXC_SS);
	rc = x86_emu_read_linear(&emu, (enum x86_seg)9, DATA, buf, 1);
	CHECK_EQ(rc, X86_EMU_UNHANDLED);
	rc = x86_emu_read_linear(&emu, X86_SEG_DS, 0, buf, 0);
	CHECK_EQ(rc, X86_EMU_DONE);
	/* a long copy over several pages */
	{
		static u8 big[3 * 4096 + 100], back[sizeof(big)];
		unsigned int i;

		for (i = 0; i < sizeof(big); i++)
			big[i] = (u8)(i * 7);
		rc = x86_emu_write_linear(&emu, X86_SEG_ES, DATA + 0x4800,
					  big, sizeof(big));
		CHECK_EQ(rc, X86_EMU_DONE);
		rc = x86_emu_read_linear(&emu, X86_SEG_DS, DATA + 0x4800,
					 back, sizeof(back));
		CHECK_EQ(rc, X86_EMU_DONE);
		CHECK(!memcmp(big, back, sizeof(big)));
	}
	/* user mode: supervisor page */
	wr64(PTE64(DATA + 0x9000), (DATA + 0x9000) | 3);
	cpu.seg[X86_SEG_SS].attr = 0xf3;
	rc = x86_emu_read_linear(&emu, X86_SEG_DS, DATA + 0x9000, buf, 4);
	CHECK_EQ(rc, X86_EMU_EXCEPTION);
	CHECK_EQ(emu.exc.error_code, X86_PF_USER | X86_PF_PRESENT);
	CHECK_EQ(emu.exc.cr2, DATA + 0x9000);
	cpu.seg[X86_SEG_SS].attr = 0x93;

	/* real mode: segment base, 32-bit linear wrap in pm32 */
	setup(M_REAL);
	cpu.seg[X86_SEG_ES].base = 0xb8000;
	x86_emu_init(&emu, &cpu, &ops, NULL);
	rc = x86_emu_write_linear(&emu, X86_SEG_ES, 0, "x", 1);
	CHECK_EQ(rc, X86_EMU_UNHANDLED);	/* VGA text memory: MMIO */
	cpu.seg[X86_SEG_ES].base = 0x50000;
	rc = x86_emu_write_linear(&emu, X86_SEG_ES, 0x10, "x", 1);
	CHECK_EQ(rc, X86_EMU_DONE);
	CHECK_EQ(ram[0x50010], 'x');
	setup(M_PM32);
	cpu.seg[X86_SEG_DS].base = 0xfffff000;
	x86_emu_init(&emu, &cpu, &ops, NULL);
	rc = x86_emu_read_linear(&emu, X86_SEG_DS, 0x50010, buf, 1);
	CHECK_EQ(rc, X86_EMU_DONE);
	CHECK_EQ(buf[0], 0);
	c = cpu;
	CHECK(!memcmp(&c, &cpu, sizeof(c)));
}

/* Opcodes that must be refused, in every mode. */
static void test_unhandled(void)
{
	static const u8 bad[][4] = {
		{ 0x90 }, { 0xf4 }, { 0x0f, 0x0b }, { 0x0f, 0x38, 0x00, 0xc0 },
		{ 0xc4, 0xe2, 0x79, 0x00 }, { 0x8f, 0x03 }, { 0xe4, 0x60 },
		{ 0xcc }, { 0x0f, 0x01, 0xd9 }, { 0x0f, 0x22, 0xc0 },
		{ 0xff, 0x33 }, { 0xfe, 0x13 }, { 0xd3, 0x03 }, { 0x69, 0x03 },
		{ 0x0f, 0xaf, 0x03 }, { 0x8c, 0x03 }, { 0x8e, 0x03 },
		{ 0xa6 }, { 0xae }, { 0x6c }, { 0x0f, 0xc7, 0x0b },
		{ 0x0f, 0xbc, 0x03 }, { 0x0f, 0xc3, 0x03 }, { 0x0f, 0x0f },
	};
	unsigned int i;
	int m, rc;

	for (m = 0; m < M_NR; m++)
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		setup(m);
		fresh();
		memcpy(ib, bad[i], 4);
		ilen = 4;
		rc = go();
		if (rc != X86_EMU_UNHANDLED)
			fprintf(stderr, "  mode %s insn %d: rc %d\n",
				mode_name[m], i, rc);
		CHECK_EQ(rc, X86_EMU_UNHANDLED);
		CHECK_EQ(exits, 0);
		CHECK(emu.insn_len <= 15);
	}
}

/* Random instruction bytes and state: never crash, keep the contract. */
static void test_random(void)
{
	u64 seed = 0x9e3779b97f4a7c15ull;
	int it, bad = 0;

	for (it = 0; it < 60000; it++) {
		struct x86_cpu_state before;
		unsigned int i;
		int rc;

		if (it % 500 == 0)
			setup((int)(it / 500) % M_NR);
		fresh();
		for (i = 0; i < 16; i++) {
			seed = seed * 6364136223846793005ull +
			       1442695040888963407ull;
			ib[i] = (u8)(seed >> 56);
			if (i < X86_NR_GPRS) {
				static const u64 bases[4] = {
					DATA, MMIO_LA, MMIO_HI_LA, 0,
				};
				cpu.gpr[i] = bases[(seed >> 20) & 3] +
					     ((seed >> 24) & 0xfff);
			}
		}
		/* favour interesting first bytes */
		if (seed & 1)
			ib[0] = (u8)(0x80 + ((seed >> 8) & 0x3f));
		if ((seed >> 5) & 1)
			ib[0] = 0x0f;
		cpu.rflags = 2 | ((seed >> 16) & (ARITH | DF)) |
			     (cur_mode == M_VM86 ? NYX_RFLAGS_VM : 0);
		ilen = 16;
		before = cpu;
		rc = go();
		if (rc != X86_EMU_DONE && rc != X86_EMU_EXCEPTION &&
		    rc != X86_EMU_UNHANDLED)
			bad++;
		if (rc == X86_EMU_EXCEPTION &&
		    emu.exc.vector != NYX_EXC_GP &&
		    emu.exc.vector != NYX_EXC_PF &&
		    emu.exc.vector != NYX_EXC_UD &&
		    emu.exc.vector != NYX_EXC_SS)
			bad++;
		if (rc != X86_EMU_DONE && memcmp(&before, &cpu, sizeof(cpu)))
			bad++;
		if (rc == X86_EMU_DONE && cpu.rip != before.rip &&
		    cpu.rip != before.rip + emu.insn_len)
			bad++;
		if (emu.insn_len > 15 || exits > 2 || page_cross_calls)
			bad++;
		/* keep the page tables and code sane */
		if (it % 500 == 499)
			setup(cur_mode);
	}
	CHECK_EQ(bad, 0);
}

int main(void)
{
	test_alu_oracle();
	test_alu_mem();
	test_group1_mem();
	test_mov_generic();
	test_movx();
	test_unary_mem();
	test_bt();
	test_cmpxchg_xadd();
	test_string();
	test_mov_dr();
	test_addressing16();
	test_addressing32();
	test_addressing64();
	test_prefixes();
	test_page_faults();
	test_reexec();
	test_linear();
	test_unhandled();
	test_random();
	return test_summary("test_emulate");
}
