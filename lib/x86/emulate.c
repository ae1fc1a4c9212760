// SPDX-License-Identifier: GPL-2.0
/*
 * x86 instruction emulator for MMIO and string I/O; see emulate.h for the
 * "re-execute with a log" model.
 *
 * x86_emulate() copies the state the supported instructions can change
 * (GPRs, RIP, RFLAGS) into a private context on the stack, fetches and
 * decodes one instruction (prefixes, opcode, ModRM/SIB/displacement,
 * immediate; table driven) and executes it. Segment registers and control
 * registers are only read, straight from emu->cpu.
 *
 * Ordering rules that make re-execution safe:
 *  - every supported instruction performs at most one memory write, and
 *    it is its last memory access;
 *  - every memory operand is linearized and translated (which may fault)
 *    before the first data access of the instruction;
 *  - nothing after the memory write can fail.
 * So a RAM write only happens in the pass that completes the instruction:
 * the guest never sees it twice, nor from an instruction that faults. An
 * MMIO write is logged and replayed (skipped) in the next pass instead.
 *
 * Deliberately not modelled (the hardware already checked these before it
 * intercepted the access, or real guests do not depend on them):
 *  - segment limit, type and present checks: only the base is used, and
 *    offsets are truncated to the address size;
 *  - alignment checks (EFLAGS.AC), SMEP/SMAP, protection keys;
 *  - DR7.GD (#DB on MOV DR) and the MOV DR to DR6/DR7 reserved-bit #GP,
 *    which are left to ops->set_dr;
 *  - an access that crosses a page boundary and touches MMIO on either
 *    side is X86_EMU_UNHANDLED (MMIO accesses are 1, 2, 4 or 8 bytes
 *    within one page).
 * Undefined flags are left unchanged, except AF which the logical ops
 * clear like current hardware does.
 */
#include "emulate.h"
#include "paging.h"
#include "x86_defs.h"

/* Decode flags, one byte per opcode. */
#define D_OK		(1u << 0)	/* emulated */
#define D_MODRM		(1u << 1)
#define D_BYTE		(1u << 2)	/* 8-bit operand size */
#define D_IMM8		(1u << 3)	/* imm8, sign-extended */
#define D_IMMZ		(1u << 4)	/* imm16/imm32, sign-extended */
#define D_MOFFS		(1u << 5)	/* address-size wide offset */
#define D_REGRM		(1u << 6)	/* ModRM only names registers */

#define RMB		(D_OK | D_MODRM | D_BYTE)
#define RMV		(D_OK | D_MODRM)

#define ALU_ROW(base)						\
	[(base) + 0] = RMB, [(base) + 1] = RMV,			\
	[(base) + 2] = RMB, [(base) + 3] = RMV,			\
	[(base) + 4] = D_OK | D_BYTE | D_IMM8,			\
	[(base) + 5] = D_OK | D_IMMZ

static const u8 onebyte_table[256] = {
	ALU_ROW(0x00), ALU_ROW(0x08), ALU_ROW(0x10), ALU_ROW(0x18),
	ALU_ROW(0x20), ALU_ROW(0x28), ALU_ROW(0x30), ALU_ROW(0x38),
	[0x63] = RMV,				/* MOVSXD (64-bit mode) */
	[0x80] = RMB | D_IMM8,
	[0x81] = RMV | D_IMMZ,
	[0x82] = RMB | D_IMM8,			/* not in 64-bit mode */
	[0x83] = RMV | D_IMM8,
	[0x84] = RMB, [0x85] = RMV,		/* TEST */
	[0x86] = RMB, [0x87] = RMV,		/* XCHG */
	[0x88] = RMB, [0x89] = RMV, [0x8a] = RMB, [0x8b] = RMV,
	[0xa0] = D_OK | D_BYTE | D_MOFFS, [0xa1] = D_OK | D_MOFFS,
	[0xa2] = D_OK | D_BYTE | D_MOFFS, [0xa3] = D_OK | D_MOFFS,
	[0xa4] = D_OK | D_BYTE, [0xa5] = D_OK,	/* MOVS */
	[0xa8] = D_OK | D_BYTE | D_IMM8,	/* TEST AL, imm8 */
	[0xa9] = D_OK | D_IMMZ,
	[0xaa] = D_OK | D_BYTE, [0xab] = D_OK,	/* STOS */
	[0xac] = D_OK | D_BYTE, [0xad] = D_OK,	/* LODS */
	[0xc6] = RMB | D_IMM8,
	[0xc7] = RMV | D_IMMZ,
	[0xf6] = RMB, [0xf7] = RMV,		/* group 3 (imm only for /0) */
	[0xfe] = RMB, [0xff] = RMV,		/* group 4/5 */
};

static const u8 twobyte_table[256] = {
	[0x21] = RMV | D_REGRM, [0x23] = RMV | D_REGRM,	/* MOV DR */
	[0xa3] = RMV, [0xab] = RMV, [0xb3] = RMV, [0xbb] = RMV, /* BT* */
	[0xba] = RMV | D_IMM8,			/* group 8 */
	[0xb0] = RMB, [0xb1] = RMV,		/* CMPXCHG */
	[0xb6] = RMV, [0xb7] = RMV,		/* MOVZX */
	[0xbe] = RMV, [0xbf] = RMV,		/* MOVSX */
	[0xc0] = RMB, [0xc1] = RMV,		/* XADD */
};

enum { ALU_ADD, ALU_OR, ALU_ADC, ALU_SBB, ALU_AND, ALU_SUB, ALU_XOR, ALU_CMP };

#define SEG_NONE	0xff

struct emu_ctx {
	struct x86_emu *emu;
	const struct x86_cpu_state *cpu;

	/* working copy of the state an instruction may change */
	u64 gpr[X86_NR_GPRS];
	u64 rip;
	u64 rflags;

	enum x86_emu_result status;	/* sticky fetch/decode failure */
	unsigned int mmio_idx;		/* next MMIO log entry (this pass) */
	unsigned int fetched;		/* valid bytes in emu->insn */
	unsigned int len;		/* decode cursor, then insn length */
	bool keep_rip;			/* rep: more iterations to go */

	u8 mode;			/* code size: 2, 4 or 8 */
	u8 op_size;
	u8 ad_size;
	u8 rex;
	u8 rep;				/* 0, 0xf2 or 0xf3 */
	bool lock;
	u8 seg_ovr;			/* SEG_NONE or enum x86_seg */
	u8 seg;				/* memory operand segment */

	u16 opcode;			/* 0x0fxx for two-byte opcodes */
	u8 dflags;
	u8 mod;
	u8 nnn;				/* ModRM.reg without REX.R */
	u8 reg;				/* ModRM.reg | REX.R */
	u8 rm;				/* ModRM.rm | REX.B */
	bool rip_rel;
	u64 ea;
	u64 imm;
};

/* A translated memory operand: one piece, or two across a page. */
struct mref {
	u64 gpa[2];
	unsigned int len[2];
	unsigned int size;
};

struct operand {
	bool mem;
	u8 reg;
	struct mref m;
};

static u64 size_mask(unsigned int size)
{
	return size >= 8 ? ~0ull : (1ull << (size * 8)) - 1;
}

static u64 sign_extend(u64 v, unsigned int size)
{
	u64 sign;

	if (size >= 8)
		return v;
	sign = 1ull << (size * 8 - 1);
	v &= size_mask(size);
	return (v ^ sign) - sign;
}

static u64 le_get(const u8 *b, unsigned int n)
{
	u64 v = 0;
	unsigned int i;

	for (i = 0; i < n && i < 8; i++)
		v |= (u64)b[i] << (8 * i);
	return v;
}

static void le_put(u8 *b, u64 v, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n && i < 8; i++)
		b[i] = (u8)(v >> (8 * i));
}

static unsigned int cpu_mode(const struct x86_cpu_state *cpu)
{
	if (!(cpu->cr0 & NYX_CR0_PE) || (cpu->rflags & NYX_RFLAGS_VM))
		return 2;
	if ((cpu->efer & NYX_EFER_LMA) &&
	    (cpu->seg[X86_SEG_CS].attr & X86_SEG_ATTR_L))
		return 8;
	return (cpu->seg[X86_SEG_CS].attr & X86_SEG_ATTR_DB) ? 4 : 2;
}

static unsigned int cpu_cpl(const struct x86_cpu_state *cpu)
{
	if (!(cpu->cr0 & NYX_CR0_PE))
		return 0;
	if (cpu->rflags & NYX_RFLAGS_VM)
		return 3;
	return X86_SEG_ATTR_DPL(cpu->seg[X86_SEG_SS].attr);
}

unsigned int x86_emu_addr_size(const struct x86_cpu_state *cpu)
{
	return cpu_mode(cpu);
}

static enum x86_emu_result emu_raise(struct x86_emu *emu, u8 vector,
				     bool has_error_code, u32 error_code,
				     u64 cr2)
{
	emu->exc.vector = vector;
	emu->exc.has_error_code = has_error_code;
	emu->exc.error_code = has_error_code ? error_code : 0;
	emu->exc.cr2 = cr2;
	return X86_EMU_EXCEPTION;
}

static enum x86_emu_result raise_gp0(struct x86_emu *emu)
{
	return emu_raise(emu, NYX_EXC_GP, true, 0, 0);
}

static enum x86_emu_result raise_ud(struct x86_emu *emu)
{
	return emu_raise(emu, NYX_EXC_UD, false, 0, 0);
}

/* --- memory: segmentation, paging, RAM and the MMIO log --- */

static int emu_read_pte(void *opaque, u64 gpa, u64 *pte, unsigned int size)
{
	struct x86_emu *emu = opaque;
	u8 b[8];

	if ((size != 4 && size != 8) ||
	    NYX_PAGE_OFFSET(gpa) + size > NYX_PAGE_SIZE)
		return -1;
	if (emu->ops->read_phys(emu->opaque, gpa, b, size) != X86_MEM_OK)
		return -1;
	*pte = le_get(b, size);
	return 0;
}

static int emu_cmpxchg_pte(void *opaque, u64 gpa, u64 old, u64 new,
			   unsigned int size)
{
	struct x86_emu *emu = opaque;
	u64 cur;
	u8 b[8];
	int r;

	if ((size != 4 && size != 8) ||
	    NYX_PAGE_OFFSET(gpa) + size > NYX_PAGE_SIZE)
		return -1;
	if (emu->ops->cmpxchg_phys) {
		r = emu->ops->cmpxchg_phys(emu->opaque, gpa, old, new, size);
		if (r == X86_MEM_CHANGED)
			return X86_PTE_CHANGED;
		return r == X86_MEM_OK ? 0 : -1;
	}
	/* single-threaded callers (unit tests): compare, then write */
	if (emu_read_pte(opaque, gpa, &cur, size))
		return -1;
	if (cur != old)
		return X86_PTE_CHANGED;
	le_put(b, new, size);
	if (emu->ops->write_phys(emu->opaque, gpa, b, size) != X86_MEM_OK)
		return -1;
	return 0;
}

static const struct x86_pte_ops emu_pte_ops = {
	.read_pte = emu_read_pte,
	.cmpxchg_pte = emu_cmpxchg_pte,
};

static bool canonical(u64 la)
{
	u64 top = la >> 47;

	return top == 0 || top == (1ull << 17) - 1;
}

/*
 * seg:off -> linear. In 64-bit mode only the FS/GS bases count and the
 * first and last byte must be canonical (#SS for stack accesses, #GP
 * otherwise); elsewhere the address wraps at 4 GiB. No limit checks.
 */
static enum x86_emu_result linearize(struct x86_emu *emu, unsigned int seg,
				     u64 off, unsigned int len, u64 *la)
{
	const struct x86_cpu_state *cpu = emu->cpu;
	u64 base;

	if (seg >= X86_NR_SEGS)
		return X86_EMU_UNHANDLED;
	if (cpu_mode(cpu) == 8) {
		base = (seg == X86_SEG_FS || seg == X86_SEG_GS) ?
		       cpu->seg[seg].base : 0;
		*la = base + off;
		if (!canonical(*la) || !canonical(*la + (len ? len - 1 : 0)))
			return emu_raise(emu, seg == X86_SEG_SS ? NYX_EXC_SS :
				     NYX_EXC_GP, true, 0, 0);
		return X86_EMU_DONE;
	}
	*la = (cpu->seg[seg].base + off) & 0xffffffffull;
	return X86_EMU_DONE;
}

static enum x86_emu_result translate(struct x86_emu *emu, u64 la, u32 access,
				     u64 *gpa)
{
	const struct x86_cpu_state *cpu = emu->cpu;
	struct x86_paging_cfg cfg;
	u32 err;

	cfg.cr0 = cpu->cr0;
	cfg.cr3 = cpu->cr3;
	cfg.cr4 = cpu->cr4;
	cfg.efer = cpu->efer;
	cfg.maxphyaddr_mask = emu->maxphyaddr_mask;
	if (cpu_cpl(cpu) == 3)
		access |= X86_PF_USER;

	switch (x86_walk(&cfg, la, access, &emu_pte_ops, emu, gpa, &err)) {
	case X86_WALK_OK:
		return X86_EMU_DONE;
	case X86_WALK_FAULT:
		return emu_raise(emu, NYX_EXC_PF, true, err, la);
	default:
		return X86_EMU_UNHANDLED;
	}
}

/* Linearize and translate a data operand of size <= 8 (both pages). */
static enum x86_emu_result mem_prepare(struct x86_emu *emu, unsigned int seg,
				       u64 off, unsigned int size, bool write,
				       struct mref *m)
{
	u32 access = write ? X86_PF_WRITE : 0;
	enum x86_emu_result rc;
	unsigned int first;
	u64 la;

	if (!size || size > 8)
		return X86_EMU_UNHANDLED;
	rc = linearize(emu, seg, off, size, &la);
	if (rc)
		return rc;
	first = NYX_PAGE_SIZE - NYX_PAGE_OFFSET(la);
	if (first > size)
		first = size;
	m->size = size;
	m->len[0] = first;
	m->len[1] = size - first;
	rc = translate(emu, la, access, &m->gpa[0]);
	if (rc || !m->len[1])
		return rc;
	la += first;
	if (cpu_mode(emu->cpu) != 8)
		la &= 0xffffffffull;
	return translate(emu, la, access, &m->gpa[1]);
}

/*
 * One MMIO access: replayed from the log if this pass already went past
 * it, otherwise logged for the caller (which ends this pass).
 */
static enum x86_emu_result mmio(struct emu_ctx *c, u64 gpa, unsigned int len,
				bool write, u8 *buf)
{
	struct x86_emu *emu = c->emu;
	unsigned int i = c->mmio_idx;
	struct x86_mmio_access *a;

	if (i >= X86_EMU_MAX_MMIO || len > sizeof(a->data))
		return X86_EMU_UNHANDLED;
	a = &emu->mmio[i];
	if (i < emu->nr_mmio_done) {
		/* The guest changed something under us: give up. */
		if (a->gpa != gpa || a->len != len || a->is_write != write)
			return X86_EMU_UNHANDLED;
		if (!write)
			nyx_memcpy(buf, a->data, len);
		c->mmio_idx++;
		return X86_EMU_DONE;
	}
	a->gpa = gpa;
	a->len = len;
	a->is_write = write;
	nyx_memset(a->data, 0, sizeof(a->data));
	if (write)
		nyx_memcpy(a->data, buf, len);
	return X86_EMU_MMIO;
}

static enum x86_emu_result mem_read(struct emu_ctx *c, const struct mref *m,
				    u64 *val)
{
	const struct x86_emu_ops *ops = c->emu->ops;
	void *opaque = c->emu->opaque;
	enum x86_emu_result rc;
	u8 buf[8];
	int r;

	if (m->size > 8 || m->len[0] + m->len[1] != m->size)
		return X86_EMU_UNHANDLED;
	r = ops->read_phys(opaque, m->gpa[0], buf, m->len[0]);
	if (m->len[1]) {
		if (r == X86_MEM_OK)
			r = ops->read_phys(opaque, m->gpa[1], buf + m->len[0],
					   m->len[1]);
		if (r != X86_MEM_OK)
			return X86_EMU_UNHANDLED;
	} else if (r == X86_MEM_MMIO) {
		rc = mmio(c, m->gpa[0], m->size, false, buf);
		if (rc)
			return rc;
	} else if (r != X86_MEM_OK) {
		return X86_EMU_UNHANDLED;
	}
	*val = le_get(buf, m->size);
	return X86_EMU_DONE;
}

/* The last memory access of every instruction; see the top comment. */
static enum x86_emu_result mem_write(struct emu_ctx *c, const struct mref *m,
				     u64 val)
{
	const struct x86_emu_ops *ops = c->emu->ops;
	void *opaque = c->emu->opaque;
	u8 buf[8], old[8];
	int r;

	if (m->size > 8 || m->len[0] + m->len[1] != m->size)
		return X86_EMU_UNHANDLED;
	le_put(buf, val, m->size);

	if (!m->len[1]) {
		/* Logged as an MMIO write by an earlier pass: skip it. */
		if (c->mmio_idx < c->emu->nr_mmio_done)
			return mmio(c, m->gpa[0], m->size, true, buf);
		r = ops->write_phys(opaque, m->gpa[0], buf, m->size);
		if (r == X86_MEM_OK)
			return X86_EMU_DONE;
		if (r == X86_MEM_MMIO)
			return mmio(c, m->gpa[0], m->size, true, buf);
		return X86_EMU_UNHANDLED;
	}

	/*
	 * Split across two pages: both must be RAM. Probe them by reading
	 * (which also saves the first piece), and undo the first piece if
	 * the second turns out to be read-only.
	 */
	if (c->mmio_idx != c->emu->nr_mmio_done)
		return X86_EMU_UNHANDLED;
	if (ops->read_phys(opaque, m->gpa[0], old, m->len[0]) != X86_MEM_OK ||
	    ops->read_phys(opaque, m->gpa[1], old + m->len[0], m->len[1]) !=
	    X86_MEM_OK)
		return X86_EMU_UNHANDLED;
	if (ops->write_phys(opaque, m->gpa[0], buf, m->len[0]) != X86_MEM_OK)
		return X86_EMU_UNHANDLED;
	if (ops->write_phys(opaque, m->gpa[1], buf + m->len[0], m->len[1]) !=
	    X86_MEM_OK) {
		ops->write_phys(opaque, m->gpa[0], old, m->len[0]);
		return X86_EMU_UNHANDLED;
	}
	return X86_EMU_DONE;
}

/* --- registers and operands --- */

static u64 get_reg(const struct emu_ctx *c, unsigned int reg,
		   unsigned int size)
{
	/* Without REX, byte registers 4-7 are AH, CH, DH, BH. */
	if (size == 1 && !c->rex && reg >= 4 && reg < 8)
		return (c->gpr[reg - 4] >> 8) & 0xff;
	return c->gpr[reg & 15] & size_mask(size);
}

/* 8/16-bit writes merge, 32-bit writes zero-extend (as in 64-bit mode). */
static void set_reg(struct emu_ctx *c, unsigned int reg, unsigned int size,
		    u64 val)
{
	u64 *r;

	if (size == 1 && !c->rex && reg >= 4 && reg < 8) {
		r = &c->gpr[reg - 4];
		*r = (*r & ~0xff00ull) | ((val & 0xff) << 8);
		return;
	}
	r = &c->gpr[reg & 15];
	if (size >= 8)
		*r = val;
	else if (size == 4)
		*r = val & 0xffffffffull;
	else
		*r = (*r & ~size_mask(size)) | (val & size_mask(size));
}

/* The ModRM r/m operand; memory operands are translated here. */
static enum x86_emu_result rm_prepare(struct emu_ctx *c, unsigned int size,
				      bool write, struct operand *op)
{
	if (c->mod == 3) {
		op->mem = false;
		op->reg = c->rm;
		return X86_EMU_DONE;
	}
	op->mem = true;
	return mem_prepare(c->emu, c->seg, c->ea, size, write, &op->m);
}

static enum x86_emu_result op_read(struct emu_ctx *c, const struct operand *op,
				   unsigned int size, u64 *val)
{
	if (!op->mem) {
		*val = get_reg(c, op->reg, size);
		return X86_EMU_DONE;
	}
	return mem_read(c, &op->m, val);
}

/* Prepare the r/m operand (for a later write if "write") and read it. */
static enum x86_emu_result rm_fetch(struct emu_ctx *c, unsigned int size,
				    bool write, struct operand *rm, u64 *val)
{
	enum x86_emu_result rc = rm_prepare(c, size, write, rm);

	return rc ? rc : op_read(c, rm, size, val);
}

static enum x86_emu_result op_write(struct emu_ctx *c,
				    const struct operand *op,
				    unsigned int size, u64 val)
{
	if (!op->mem) {
		set_reg(c, op->reg, size, val);
		return X86_EMU_DONE;
	}
	return mem_write(c, &op->m, val);
}

/* --- arithmetic --- */

static bool parity_even(u64 v)
{
	u8 b = (u8)v;

	b ^= b >> 4;
	b ^= b >> 2;
	b ^= b >> 1;
	return !(b & 1);
}

/* dst <op> src at the given size; sets CF PF AF ZF SF OF like hardware. */
static u64 alu(struct emu_ctx *c, unsigned int op, unsigned int size,
	       u64 dst, u64 src)
{
	u64 mask = size_mask(size);
	u64 sign = 1ull << (size * 8 - 1);
	u64 cf_in = c->rflags & NYX_RFLAGS_CF;
	u64 res, fl = 0;

	dst &= mask;
	src &= mask;
	switch (op) {
	case ALU_ADD:
	case ALU_ADC:
		if (op == ALU_ADD)
			cf_in = 0;
		res = (dst + src + cf_in) & mask;
		if (res < dst || (cf_in && res == dst))
			fl |= NYX_RFLAGS_CF;
		if ((dst ^ res) & (src ^ res) & sign)
			fl |= NYX_RFLAGS_OF;
		fl |= (dst ^ src ^ res) & NYX_RFLAGS_AF;
		break;
	case ALU_SUB:
	case ALU_SBB:
	case ALU_CMP:
		if (op != ALU_SBB)
			cf_in = 0;
		res = (dst - src - cf_in) & mask;
		if (dst < src || (cf_in && dst == src))
			fl |= NYX_RFLAGS_CF;
		if ((dst ^ src) & (dst ^ res) & sign)
			fl |= NYX_RFLAGS_OF;
		fl |= (dst ^ src ^ res) & NYX_RFLAGS_AF;
		break;
	case ALU_OR:
		res = dst | src;
		break;
	case ALU_AND:
		res = dst & src;
		break;
	default:
		res = dst ^ src;
		break;
	}
	if (!res)
		fl |= NYX_RFLAGS_ZF;
	if (res & sign)
		fl |= NYX_RFLAGS_SF;
	if (parity_even(res))
		fl |= NYX_RFLAGS_PF;
	c->rflags = (c->rflags & ~NYX_RFLAGS_ARITH) | fl;
	return res;
}

/* --- fetch and decode --- */

static u64 ip_mask(unsigned int mode)
{
	return mode == 8 ? ~0ull : size_mask(mode);
}

/* Make sure emu->insn holds "need" (<= 15) bytes, page by page. */
static void fetch(struct emu_ctx *c, unsigned int need)
{
	struct x86_emu *emu = c->emu;
	u64 mask = ip_mask(c->mode);

	while (!c->status && c->fetched < need && need <= NYX_MAX_INSN_LEN) {
		u64 off = (c->cpu->rip + c->fetched) & mask;
		unsigned int n = NYX_MAX_INSN_LEN - c->fetched;
		u64 la, gpa;
		int r;

		c->status = linearize(emu, X86_SEG_CS, off, 1, &la);
		if (c->status)
			return;
		if (n > NYX_PAGE_SIZE - NYX_PAGE_OFFSET(la))
			n = NYX_PAGE_SIZE - NYX_PAGE_OFFSET(la);
		/* 16/32-bit IP wraps: do not read past the wrap point. */
		if (mask != ~0ull && mask - off + 1 < n)
			n = mask - off + 1;
		c->status = translate(emu, la, X86_PF_FETCH, &gpa);
		if (c->status)
			return;
		r = emu->ops->read_phys(emu->opaque, gpa,
					&emu->insn[c->fetched], n);
		if (r != X86_MEM_OK) {
			/* Executing from MMIO is not supported. */
			c->status = X86_EMU_UNHANDLED;
			return;
		}
		c->fetched += n;
	}
}

/* Next n (<= 8) instruction bytes, little endian; 0 once status is set. */
static u64 next_bytes(struct emu_ctx *c, unsigned int n)
{
	u64 v;

	if (c->status)
		return 0;
	if (c->len + n > NYX_MAX_INSN_LEN) {
		c->status = raise_gp0(c->emu);
		return 0;
	}
	fetch(c, c->len + n);
	if (c->status)
		return 0;
	v = le_get(&c->emu->insn[c->len], n);
	c->len += n;
	return v;
}

static void decode_ea16(struct emu_ctx *c, unsigned int rm)
{
	static const u8 base16[8] = {
		X86_RBX, X86_RBX, X86_RBP, X86_RBP,
		X86_RSI, X86_RDI, X86_RBP, X86_RBX,
	};
	static const u8 index16[8] = {
		X86_RSI, X86_RDI, X86_RSI, X86_RDI,
	};
	u64 ea;

	if (c->mod == 0 && rm == 6) {
		c->ea = next_bytes(c, 2);
		return;
	}
	ea = c->gpr[base16[rm]];
	if (rm < 4)
		ea += c->gpr[index16[rm]];
	/* BP-based forms default to SS. */
	if (rm == 2 || rm == 3 || rm == 6)
		c->seg = X86_SEG_SS;
	if (c->mod == 1)
		ea += sign_extend(next_bytes(c, 1), 1);
	else if (c->mod == 2)
		ea += next_bytes(c, 2);
	c->ea = ea & 0xffff;
}

static void decode_ea32(struct emu_ctx *c, unsigned int rm)
{
	unsigned int base = rm | ((c->rex & 1) << 3);
	bool has_base = true;
	u64 ea = 0;

	if (rm == 4) {
		u8 sib = (u8)next_bytes(c, 1);
		unsigned int index = ((sib >> 3) & 7) | ((c->rex & 2) << 2);

		base = (sib & 7) | ((c->rex & 1) << 3);
		if (index != 4)
			ea = c->gpr[index] << (sib >> 6);
		if ((sib & 7) == 5 && c->mod == 0)
			has_base = false;
	} else if (rm == 5 && c->mod == 0) {
		has_base = false;
		/* disp32 alone is RIP-relative in 64-bit mode. */
		c->rip_rel = c->mode == 8;
	}
	if (has_base) {
		ea += c->gpr[base];
		/* rSP/rBP as the base default to SS (not r12/r13). */
		if (base == X86_RSP || base == X86_RBP)
			c->seg = X86_SEG_SS;
	}
	if (c->mod == 1)
		ea += sign_extend(next_bytes(c, 1), 1);
	else if (c->mod == 2 || !has_base)
		ea += sign_extend(next_bytes(c, 4), 4);
	c->ea = ea & size_mask(c->ad_size);
}

static bool lock_allowed(const struct emu_ctx *c)
{
	if (c->mod == 3 || !(c->dflags & D_MODRM) || (c->dflags & D_REGRM))
		return false;
	/* ALU r/m destination forms, except CMP. */
	if (c->opcode < 0x38)
		return (c->opcode & 7) < 2;
	switch (c->opcode) {
	case 0x80 ... 0x83:
		return c->nnn != ALU_CMP;
	case 0x86: case 0x87:
	case 0x0fab: case 0x0fb3: case 0x0fbb:
	case 0x0fb0: case 0x0fb1: case 0x0fc0: case 0x0fc1:
		return true;
	case 0xf6: case 0xf7:
		return c->nnn == 2 || c->nnn == 3;
	case 0xfe: case 0xff:
		return c->nnn <= 1;
	case 0x0fba:
		return c->nnn >= 5;
	}
	return false;
}

static enum x86_emu_result decode(struct emu_ctx *c)
{
	bool opsize_ovr = false, adsize_ovr = false;
	unsigned int modrm;
	u8 b;

	/* Prefixes; a REX prefix only counts right before the opcode. */
	for (;;) {
		b = (u8)next_bytes(c, 1);
		if (c->status)
			return c->status;
		switch (b) {
		case 0x66:
			opsize_ovr = true;
			break;
		case 0x67:
			adsize_ovr = true;
			break;
		case 0x26: case 0x2e: case 0x36: case 0x3e:
			c->seg_ovr = (b >> 3) & 3;
			break;
		case 0x64:
			c->seg_ovr = X86_SEG_FS;
			break;
		case 0x65:
			c->seg_ovr = X86_SEG_GS;
			break;
		case 0xf0:
			c->lock = true;
			break;
		case 0xf2: case 0xf3:
			c->rep = b;
			break;
		default:
			if (c->mode == 8 && (b & 0xf0) == 0x40) {
				c->rex = b;
				continue;
			}
			goto opcode;
		}
		c->rex = 0;
	}

opcode:
	if (b == 0x0f) {
		b = (u8)next_bytes(c, 1);
		if (c->status)
			return c->status;
		c->opcode = 0x0f00 | b;
		c->dflags = twobyte_table[b];
	} else {
		c->opcode = b;
		c->dflags = onebyte_table[b];
	}
	if (!(c->dflags & D_OK))
		return X86_EMU_UNHANDLED;

	if (c->mode == 8) {
		c->op_size = (c->rex & 8) ? 8 : opsize_ovr ? 2 : 4;
		c->ad_size = adsize_ovr ? 4 : 8;
	} else {
		c->op_size = (c->mode == 4) != opsize_ovr ? 4 : 2;
		c->ad_size = (c->mode == 4) != adsize_ovr ? 4 : 2;
	}
	c->seg = X86_SEG_DS;

	if (c->dflags & D_MODRM) {
		modrm = (unsigned int)next_bytes(c, 1);
		c->mod = (modrm >> 6) & 3;
		c->nnn = (modrm >> 3) & 7;
		c->reg = c->nnn | ((c->rex & 4) << 1);
		c->rm = (modrm & 7) | ((c->rex & 1) << 3);
		if (c->dflags & D_REGRM)
			c->mod = 3;
		else if (c->mod != 3 && c->ad_size == 2)
			decode_ea16(c, modrm & 7);
		else if (c->mod != 3)
			decode_ea32(c, modrm & 7);
	}

	if (c->dflags & D_IMM8)
		c->imm = sign_extend(next_bytes(c, 1), 1);
	else if ((c->dflags & D_IMMZ) || (c->opcode == 0xf7 && c->nnn == 0))
		c->imm = sign_extend(next_bytes(c, c->op_size == 2 ? 2 : 4),
				     c->op_size == 2 ? 2 : 4);
	else if (c->opcode == 0xf6 && c->nnn == 0)
		c->imm = next_bytes(c, 1);
	else if (c->dflags & D_MOFFS)
		c->imm = next_bytes(c, c->ad_size);
	if (c->status)
		return c->status;

	/* RIP-relative: relative to the end of the whole instruction. */
	if (c->rip_rel)
		c->ea = (c->ea + c->cpu->rip + c->len) &
			size_mask(c->ad_size);
	if (c->seg_ovr != SEG_NONE)
		c->seg = c->seg_ovr;
	if (c->lock && !lock_allowed(c))
		return raise_ud(c->emu);
	return X86_EMU_DONE;
}

/* --- execution --- */

static unsigned int opsize(const struct emu_ctx *c)
{
	return (c->dflags & D_BYTE) ? 1 : c->op_size;
}

/* ALU ops: 00-3d (r/m,reg / reg,r/m / acc,imm) and 80-83 (r/m,imm). */
static enum x86_emu_result exec_alu(struct emu_ctx *c)
{
	unsigned int size = opsize(c);
	unsigned int op, form;
	enum x86_emu_result rc;
	struct operand rm;
	u64 a = 0, b, res;

	if (c->opcode >= 0x80) {
		op = c->nnn;
		form = 0;
	} else {
		op = (c->opcode >> 3) & 7;
		form = c->opcode & 7;
	}

	if (form >= 4) {
		res = alu(c, op, size, get_reg(c, X86_RAX, size), c->imm);
		if (op != ALU_CMP)
			set_reg(c, X86_RAX, size, res);
		return X86_EMU_DONE;
	}
	rc = rm_prepare(c, size, form < 2 && op != ALU_CMP, &rm);
	if (!rc)
		rc = op_read(c, &rm, size, &a);
	if (rc)
		return rc;
	b = c->opcode >= 0x80 ? c->imm : get_reg(c, c->reg, size);
	if (form >= 2) {
		res = alu(c, op, size, b, a);
		if (op != ALU_CMP)
			set_reg(c, c->reg, size, res);
		return X86_EMU_DONE;
	}
	res = alu(c, op, size, a, b);
	if (op == ALU_CMP)
		return X86_EMU_DONE;
	return op_write(c, &rm, size, res);
}

/* TEST 84/85 (r/m, reg), a8/a9 (acc, imm), f6/f7 /0 (r/m, imm). */
static enum x86_emu_result exec_test(struct emu_ctx *c)
{
	unsigned int size = opsize(c);
	enum x86_emu_result rc;
	struct operand rm;
	u64 a = 0;

	if (c->opcode == 0xa8 || c->opcode == 0xa9) {
		alu(c, ALU_AND, size, get_reg(c, X86_RAX, size), c->imm);
		return X86_EMU_DONE;
	}
	rc = rm_fetch(c, size, false, &rm, &a);
	if (rc)
		return rc;
	alu(c, ALU_AND, size, a,
	    c->opcode >= 0xf6 ? c->imm : get_reg(c, c->reg, size));
	return X86_EMU_DONE;
}

/* f6/f7: /0 TEST, /2 NOT, /3 NEG. */
static enum x86_emu_result exec_group3(struct emu_ctx *c)
{
	unsigned int size = opsize(c);
	enum x86_emu_result rc;
	struct operand rm;
	u64 a = 0;

	if (c->nnn == 0)
		return exec_test(c);
	if (c->nnn != 2 && c->nnn != 3)
		return X86_EMU_UNHANDLED;
	rc = rm_fetch(c, size, true, &rm, &a);
	if (rc)
		return rc;
	if (c->nnn == 2)
		a = ~a;
	else
		a = alu(c, ALU_SUB, size, 0, a);
	return op_write(c, &rm, size, a);
}

/* fe/ff: /0 INC, /1 DEC (CF is preserved). */
static enum x86_emu_result exec_incdec(struct emu_ctx *c)
{
	unsigned int size = opsize(c);
	u64 cf = c->rflags & NYX_RFLAGS_CF;
	enum x86_emu_result rc;
	struct operand rm;
	u64 a = 0;

	if (c->nnn > 1)
		return X86_EMU_UNHANDLED;
	rc = rm_fetch(c, size, true, &rm, &a);
	if (rc)
		return rc;
	a = alu(c, c->nnn ? ALU_SUB : ALU_ADD, size, a, 1);
	c->rflags = (c->rflags & ~NYX_RFLAGS_CF) | cf;
	return op_write(c, &rm, size, a);
}

static enum x86_emu_result exec_xchg(struct emu_ctx *c)
{
	unsigned int size = opsize(c);
	enum x86_emu_result rc;
	struct operand rm;
	u64 a = 0, r;

	rc = rm_fetch(c, size, true, &rm, &a);
	if (rc)
		return rc;
	r = get_reg(c, c->reg, size);
	set_reg(c, c->reg, size, a);
	return op_write(c, &rm, size, r);
}

/* 88/89/8a/8b MOV, c6/c7 MOV imm. */
static enum x86_emu_result exec_mov(struct emu_ctx *c)
{
	unsigned int size = opsize(c);
	enum x86_emu_result rc;
	struct operand rm;
	u64 v = 0;

	if ((c->opcode == 0xc6 || c->opcode == 0xc7) && c->nnn != 0)
		return X86_EMU_UNHANDLED;	/* XABORT/XBEGIN */
	if (c->opcode == 0x8a || c->opcode == 0x8b) {
		rc = rm_prepare(c, size, false, &rm);
		if (!rc)
			rc = op_read(c, &rm, size, &v);
		if (!rc)
			set_reg(c, c->reg, size, v);
		return rc;
	}
	v = c->opcode >= 0xc6 ? c->imm : get_reg(c, c->reg, size);
	rc = rm_prepare(c, size, true, &rm);
	if (rc)
		return rc;
	return op_write(c, &rm, size, v);
}

/* a0-a3: MOV between the accumulator and seg:moffs. */
static enum x86_emu_result exec_mov_moffs(struct emu_ctx *c)
{
	unsigned int size = opsize(c);
	bool store = c->opcode >= 0xa2;
	enum x86_emu_result rc;
	struct mref m;
	u64 v;

	rc = mem_prepare(c->emu, c->seg, c->imm, size, store, &m);
	if (rc)
		return rc;
	if (store)
		return mem_write(c, &m, get_reg(c, X86_RAX, size));
	rc = mem_read(c, &m, &v);
	if (!rc)
		set_reg(c, X86_RAX, size, v);
	return rc;
}

/* 0f b6/b7 MOVZX, 0f be/bf MOVSX, 63 MOVSXD. */
static enum x86_emu_result exec_movx(struct emu_ctx *c)
{
	unsigned int src_size;
	enum x86_emu_result rc;
	struct operand rm;
	u64 v = 0;

	if (c->opcode == 0x63) {
		if (c->mode != 8)
			return X86_EMU_UNHANDLED;	/* ARPL */
		src_size = c->op_size > 4 ? 4 : c->op_size;
	} else {
		src_size = (c->opcode & 1) ? 2 : 1;
	}
	rc = rm_fetch(c, src_size, false, &rm, &v);
	if (rc)
		return rc;
	if (c->opcode != 0x0fb6 && c->opcode != 0x0fb7)
		v = sign_extend(v, src_size);
	set_reg(c, c->reg, c->op_size, v);
	return X86_EMU_DONE;
}

/* 0f a3/ab/b3/bb BT/BTS/BTR/BTC r/m, reg; 0f ba /4-/7 with imm8. */
static enum x86_emu_result exec_bt(struct emu_ctx *c)
{
	unsigned int size = c->op_size;
	unsigned int bits = size * 8;
	unsigned int shift = size == 2 ? 4 : size == 4 ? 5 : 6;
	enum x86_emu_result rc;
	struct operand rm;
	unsigned int kind;	/* 0 BT, 1 BTS, 2 BTR, 3 BTC */
	u64 off, val = 0, bit;

	if (c->opcode == 0x0fba) {
		if (c->nnn < 4)
			return X86_EMU_UNHANDLED;
		kind = c->nnn - 4;
		off = c->imm;
	} else {
		kind = (c->opcode >> 3) & 3;
		off = get_reg(c, c->reg, size);
		if (c->mod != 3) {
			/*
			 * The register offset is signed and may address any
			 * operand-sized unit around the ModRM address:
			 * ea += floor(off / bits) * size.
			 */
			s64 soff = (s64)sign_extend(off, size);
			s64 units = soff >= 0 ? soff >> shift :
				    -(((-(soff + 1)) >> shift) + 1);

			c->ea = (c->ea + (u64)units * size) &
				size_mask(c->ad_size);
		}
	}
	bit = off & (bits - 1);

	rc = rm_prepare(c, size, kind != 0, &rm);
	if (!rc)
		rc = op_read(c, &rm, size, &val);
	if (rc)
		return rc;
	c->rflags &= ~NYX_RFLAGS_CF;
	c->rflags |= (val >> bit) & 1;
	if (kind == 0)
		return X86_EMU_DONE;
	if (kind == 1)
		val |= 1ull << bit;
	else if (kind == 2)
		val &= ~(1ull << bit);
	else
		val ^= 1ull << bit;
	return op_write(c, &rm, size, val);
}

static enum x86_emu_result exec_cmpxchg(struct emu_ctx *c)
{
	unsigned int size = opsize(c);
	enum x86_emu_result rc;
	struct operand rm;
	u64 dst = 0, acc;

	rc = rm_fetch(c, size, true, &rm, &dst);
	if (rc)
		return rc;
	acc = get_reg(c, X86_RAX, size);
	alu(c, ALU_CMP, size, acc, dst);
	if (acc == dst)
		return op_write(c, &rm, size, get_reg(c, c->reg, size));
	set_reg(c, X86_RAX, size, dst);
	/*
	 * A memory destination always gets a write cycle (of the old
	 * value); a register destination is left untouched, not even
	 * zero-extended.
	 */
	if (!rm.mem)
		return X86_EMU_DONE;
	return op_write(c, &rm, size, dst);
}

static enum x86_emu_result exec_xadd(struct emu_ctx *c)
{
	unsigned int size = opsize(c);
	enum x86_emu_result rc;
	struct operand rm;
	u64 dst = 0, res;

	rc = rm_fetch(c, size, true, &rm, &dst);
	if (rc)
		return rc;
	res = alu(c, ALU_ADD, size, dst, get_reg(c, c->reg, size));
	set_reg(c, c->reg, size, dst);
	return op_write(c, &rm, size, res);
}

/*
 * MOVS/STOS/LODS, one iteration per pass. With F2/F3 the count register
 * (CX/ECX/RCX by address size) is decremented and RIP only advances once
 * it reaches zero; a zero count performs no access at all.
 */
static enum x86_emu_result exec_string(struct emu_ctx *c)
{
	unsigned int size = opsize(c);
	unsigned int ad = c->ad_size;
	u16 op = c->opcode & ~1;
	u64 admask = size_mask(ad);
	u64 count = 0, step, val;
	enum x86_emu_result rc;
	struct mref src, dst;

	if (c->rep) {
		count = c->gpr[X86_RCX] & admask;
		if (!count)
			return X86_EMU_DONE;
	}
	step = (c->rflags & NYX_RFLAGS_DF) ? -(u64)size : size;

	if (op != 0xaa) {
		rc = mem_prepare(c->emu, c->seg, c->gpr[X86_RSI] & admask,
				 size, false, &src);
		if (rc)
			return rc;
	}
	if (op != 0xac) {
		rc = mem_prepare(c->emu, X86_SEG_ES,
				 c->gpr[X86_RDI] & admask, size, true, &dst);
		if (rc)
			return rc;
	}
	if (op == 0xaa) {
		val = get_reg(c, X86_RAX, size);
	} else {
		rc = mem_read(c, &src, &val);
		if (rc)
			return rc;
	}
	if (op == 0xac) {
		set_reg(c, X86_RAX, size, val);
	} else {
		rc = mem_write(c, &dst, val);
		if (rc)
			return rc;
	}

	if (op != 0xaa)
		set_reg(c, X86_RSI, ad, c->gpr[X86_RSI] + step);
	if (op != 0xac)
		set_reg(c, X86_RDI, ad, c->gpr[X86_RDI] + step);
	if (c->rep) {
		set_reg(c, X86_RCX, ad, count - 1);
		c->keep_rip = count > 1;
	}
	return X86_EMU_DONE;
}

/* 0f 21 MOV r, DRn; 0f 23 MOV DRn, r. ModRM.mod is ignored. */
static enum x86_emu_result exec_mov_dr(struct emu_ctx *c)
{
	const struct x86_emu_ops *ops = c->emu->ops;
	unsigned int size = c->mode == 8 ? 8 : 4;
	bool to_dr = c->opcode == 0x0f23;
	int dr = c->reg;
	u64 val;

	if (to_dr ? !ops->set_dr : !ops->get_dr)
		return raise_ud(c->emu);
	if (cpu_cpl(c->cpu) != 0)
		return raise_gp0(c->emu);
	if (dr > 7)
		return raise_ud(c->emu);
	if (dr == 4 || dr == 5) {
		if (c->cpu->cr4 & NYX_CR4_DE)
			return raise_ud(c->emu);
		dr += 2;
	}
	if (to_dr) {
		if (ops->set_dr(c->emu->opaque, dr, get_reg(c, c->rm, size)))
			return raise_gp0(c->emu);
		return X86_EMU_DONE;
	}
	if (ops->get_dr(c->emu->opaque, dr, &val))
		return raise_gp0(c->emu);
	set_reg(c, c->rm, size, val);
	return X86_EMU_DONE;
}

static enum x86_emu_result execute(struct emu_ctx *c)
{
	switch (c->opcode) {
	case 0x00 ... 0x3f:
	case 0x80 ... 0x83:
		if (c->opcode == 0x82 && c->mode == 8)
			return X86_EMU_UNHANDLED;
		return exec_alu(c);
	case 0x63:
	case 0x0fb6: case 0x0fb7: case 0x0fbe: case 0x0fbf:
		return exec_movx(c);
	case 0x84: case 0x85: case 0xa8: case 0xa9:
		return exec_test(c);
	case 0x86: case 0x87:
		return exec_xchg(c);
	case 0x88 ... 0x8b:
	case 0xc6: case 0xc7:
		return exec_mov(c);
	case 0xa0 ... 0xa3:
		return exec_mov_moffs(c);
	case 0xa4: case 0xa5: case 0xaa ... 0xad:
		return exec_string(c);
	case 0xf6: case 0xf7:
		return exec_group3(c);
	case 0xfe: case 0xff:
		return exec_incdec(c);
	case 0x0f21: case 0x0f23:
		return exec_mov_dr(c);
	case 0x0fa3: case 0x0fab: case 0x0fb3: case 0x0fbb: case 0x0fba:
		return exec_bt(c);
	case 0x0fb0: case 0x0fb1:
		return exec_cmpxchg(c);
	case 0x0fc0: case 0x0fc1:
		return exec_xadd(c);
	}
	return X86_EMU_UNHANDLED;
}

/* --- public interface --- */

void x86_emu_init(struct x86_emu *emu, struct x86_cpu_state *cpu,
		  const struct x86_emu_ops *ops, void *opaque)
{
	nyx_memset(emu, 0, sizeof(*emu));
	emu->cpu = cpu;
	emu->ops = ops;
	emu->opaque = opaque;
}

static bool emu_usable(const struct x86_emu *emu)
{
	return emu && emu->cpu && emu->ops && emu->ops->read_phys &&
	       emu->ops->write_phys && emu->nr_mmio_done <= X86_EMU_MAX_MMIO;
}

enum x86_emu_result x86_emulate(struct x86_emu *emu)
{
	struct x86_cpu_state *cpu;
	enum x86_emu_result rc;
	struct emu_ctx c;
	unsigned int i;

	if (!emu_usable(emu))
		return X86_EMU_UNHANDLED;
	cpu = emu->cpu;

	nyx_memset(&c, 0, sizeof(c));
	c.emu = emu;
	c.cpu = cpu;
	for (i = 0; i < X86_NR_GPRS; i++)
		c.gpr[i] = cpu->gpr[i];
	c.rip = cpu->rip;
	c.rflags = cpu->rflags;
	c.mode = (u8)cpu_mode(cpu);
	c.seg_ovr = SEG_NONE;
	c.fetched = emu->nr_mmio_done && emu->insn_valid <= NYX_MAX_INSN_LEN ?
		    emu->insn_valid : 0;
	emu->insn_len = 0;

	rc = decode(&c);
	emu->insn_valid = (u8)c.fetched;
	emu->insn_len = (u8)(rc ? c.fetched : c.len);
	if (rc)
		return rc;
	rc = execute(&c);
	if (rc)
		return rc;
	/* Fewer MMIO accesses than logged: the guest changed under us. */
	if (c.mmio_idx != emu->nr_mmio_done)
		return X86_EMU_UNHANDLED;

	for (i = 0; i < X86_NR_GPRS; i++)
		cpu->gpr[i] = c.gpr[i];
	cpu->rflags = c.rflags;
	if (!c.keep_rip)
		cpu->rip = (cpu->rip + c.len) & ip_mask(c.mode);
	return X86_EMU_DONE;
}

/*
 * Copy len bytes between buf and seg:offset, page by page. A write first
 * translates (and probes) every page, so that a #PF or MMIO page does not
 * leave a partial write behind.
 */
static enum x86_emu_result linear_copy(struct x86_emu *emu, enum x86_seg seg,
				       u64 offset, u8 *rbuf, const u8 *wbuf,
				       unsigned int len)
{
	const struct x86_emu_ops *ops;
	enum x86_emu_result rc;
	unsigned int done, n;
	int pass, r;
	u64 la, gpa;
	u8 probe;

	if (!emu_usable(emu) || (unsigned int)seg >= X86_NR_SEGS)
		return X86_EMU_UNHANDLED;
	ops = emu->ops;
	for (pass = wbuf ? 0 : 1; pass < 2; pass++) {
		for (done = 0; done < len; done += n) {
			rc = linearize(emu, seg, offset + done, 1, &la);
			if (rc)
				return rc;
			n = NYX_PAGE_SIZE - NYX_PAGE_OFFSET(la);
			if (n > len - done)
				n = len - done;
			rc = translate(emu, la, wbuf ? X86_PF_WRITE : 0, &gpa);
			if (rc)
				return rc;
			if (pass == 0)
				r = ops->read_phys(emu->opaque, gpa, &probe, 1);
			else if (wbuf)
				r = ops->write_phys(emu->opaque, gpa,
						    wbuf + done, n);
			else
				r = ops->read_phys(emu->opaque, gpa,
						   rbuf + done, n);
			if (r != X86_MEM_OK)
				return X86_EMU_UNHANDLED;
		}
	}
	return X86_EMU_DONE;
}

enum x86_emu_result x86_emu_read_linear(struct x86_emu *emu, enum x86_seg seg,
					u64 offset, void *buf,
					unsigned int len)
{
	return linear_copy(emu, seg, offset, buf, NULL, len);
}

enum x86_emu_result x86_emu_write_linear(struct x86_emu *emu,
					 enum x86_seg seg, u64 offset,
					 const void *buf, unsigned int len)
{
	return linear_copy(emu, seg, offset, NULL, buf, len);
}
