// SPDX-License-Identifier: GPL-2.0
/*
 * Guest CPUID, derived from the host's.
 *
 * Policy, in order:
 *  1. Only leaves nyx knows are passed through; every other leaf in the
 *     host's basic and extended ranges becomes an all-zero entry (so the
 *     guest never sees a feature leaf nobody reviewed, e.g. SGX or PT).
 *  2. cpuid_masks[] clears (or forces) individual feature bits. Its
 *     comments say why each bit goes.
 *  3. XSAVE: XCR0 is restricted to x87|SSE|AVX and AVX-512 (only as a
 *     whole and only if the host has all of it), within the 4096-byte
 *     XSAVE area of struct nyx_fpu; features needing a dropped state
 *     component are cleared.
 *  4. Topology: nr_cpus single-threaded cores in one package, APIC ID =
 *     vCPU index (leaves 1, 4, 0xb, 0x80000008).
 *  5. Leaf 0x40000000 identifies nyx ("NyxNyxNyxNyx"); 0x40000100 may
 *     offer KVM's paravirtual interface (cpuid_set_kvm_pv()).
 */
#include <cpuid.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "arch/x86/cpuid.h"

#define MAX_BASIC_LEAVES	0x40	/* sanity bound on the host's answer */
#define MAX_EXT_LEAVES		0x40
#define ANY_SUBLEAF		0xffffffffu

void cpuid_query_host(u32 leaf, u32 subleaf, u32 regs[4])
{
	__cpuid_count(leaf, subleaf, regs[CPUID_EAX], regs[CPUID_EBX],
		      regs[CPUID_ECX], regs[CPUID_EDX]);
}

/* ---------------------------------------------------------------------
 * Feature bits nyx masks
 */
struct cpuid_mask {
	u32 leaf;
	u32 subleaf;		/* ANY_SUBLEAF: all of them */
	enum cpuid_reg reg;
	u32 keep;		/* bits outside keep are cleared... */
	u32 set;		/* ...then these are set */
};

#define DROP(l, s, r, bits)	{ l, s, r, ~(u32)(bits), 0 }
#define KEEP_ONLY(l, s, r, bits) { l, s, r, (bits), 0 }
#define FORCE(l, s, r, bits)	{ l, s, r, ~0u, (bits) }

static const struct cpuid_mask cpuid_masks[] = {
	/* Leaf 1 ECX. MONITOR/MWAIT: no MWAIT emulation. DTES64, DS-CPL,
	 * PDCM, xTPR, DCA, SDBG: debug store, perfmon and chipset features
	 * whose MSRs aren't emulated. VMX, SMX: no nested virtualization or
	 * TXT. EST, TM2: host power management. x2APIC, TSC-deadline: no
	 * local APIC until the irqchip exists. OSXSAVE mirrors the guest's
	 * CR4.OSXSAVE, the kernel's business at run time. */
	DROP(1, ANY_SUBLEAF, CPUID_ECX,
	     BIT(2) | BIT(3) | BIT(4) | BIT(5) | BIT(6) | BIT(7) | BIT(8) |
	     BIT(11) | BIT(14) | BIT(15) | BIT(18) | BIT(21) | BIT(24) |
	     BIT(27)),
	/* Running under a hypervisor. */
	FORCE(1, ANY_SUBLEAF, CPUID_ECX, BIT(31)),
	/* Leaf 1 EDX: an allow-list. Kept: FPU(0) VME(1) DE(2) PSE(3)
	 * TSC(4) MSR(5) PAE(6) CX8(8) SEP(11) MTRR(12) PGE(13) CMOV(15)
	 * PAT(16) PSE36(17) CLFSH(19) MMX(23) FXSR(24) SSE(25) SSE2(26)
	 * HTT(28, recomputed for the topology). Gone: MCE/MCA (no machine
	 * check MSRs), APIC (no irqchip yet), PSN, DS, ACPI, SS, TM, PBE. */
	KEEP_ONLY(1, ANY_SUBLEAF, CPUID_EDX,
		  BIT(0) | BIT(1) | BIT(2) | BIT(3) | BIT(4) | BIT(5) |
		  BIT(6) | BIT(8) | BIT(11) | BIT(12) | BIT(13) | BIT(15) |
		  BIT(16) | BIT(17) | BIT(19) | BIT(23) | BIT(24) | BIT(25) |
		  BIT(26) | BIT(28)),

	/* Leaf 7.0 EBX. TSC_ADJUST(1) is emulated (forced below). SGX(2). HLE(4),
	 * RTM(11): TSX is a side-channel liability and its MSRs aren't
	 * emulated. RDT-M(12), RDT-A(15): resource director MSRs. MPX(14):
	 * its XSAVE state is not offered. Intel PT(25). */
	DROP(7, 0, CPUID_EBX,
	     BIT(2) | BIT(4) | BIT(11) | BIT(12) | BIT(14) |
	     BIT(15) | BIT(25)),
	FORCE(7, 0, CPUID_EBX, BIT(1)),
	/* Leaf 7.0 ECX. PKU(3), OSPKE(4): PKRU state not offered. WAITPKG(5):
	 * UMWAIT control MSR. CET_SS(7): CET state/MSRs. TME(13). LA57(16):
	 * the guest page walker is 4-level only. MAWAU(17-21): MPX. RDPID(22):
	 * TSC_AUX not virtualized. KL(23): Key Locker. ENQCMD(29): PASID
	 * MSR. SGX_LC(30). PKS(31): supervisor keys MSR. */
	DROP(7, 0, CPUID_ECX,
	     BIT(3) | BIT(4) | BIT(5) | BIT(7) | BIT(13) | BIT(16) |
	     BIT(17) | BIT(18) | BIT(19) | BIT(20) | BIT(21) | BIT(22) |
	     BIT(23) | BIT(29) | BIT(30) | BIT(31)),
	/* Leaf 7.0 EDX. SGX-KEYS(1). UINTR(5): needs an APIC. SRBDS_CTRL(9),
	 * RTM_ALWAYS_ABORT(11), TSX_FORCE_ABORT(13), IBRS/IBPB(26),
	 * STIBP(27), L1D_FLUSH(28), ARCH_CAPABILITIES(29),
	 * CORE_CAPABILITIES(30), SSBD(31): speculation-control and
	 * capability MSRs not virtualized. HYBRID(15): leaf 0x1a is zeroed.
	 * TSXLDTRK(16). PCONFIG(18). ARCH_LBR(19), CET_IBT(20): MSRs/state.
	 * AMX-BF16(22), AMX-TILE(24), AMX-INT8(25): AMX state not offered. */
	DROP(7, 0, CPUID_EDX,
	     BIT(1) | BIT(5) | BIT(9) | BIT(11) | BIT(13) | BIT(15) |
	     BIT(16) | BIT(18) | BIT(19) | BIT(20) | BIT(22) | BIT(24) |
	     BIT(25) | BIT(26) | BIT(27) | BIT(28) | BIT(29) | BIT(30) |
	     BIT(31)),
	/* Leaf 7.1 EAX. ARCH_PERFMON_EXT(8): no PMU. FRED(17), LKGS(18):
	 * new event delivery not supported by the module. AMX-FP16(21).
	 * HRESET(22): leaf 0x20 is zeroed. LAM(26): address masking not
	 * handled by the page walker. */
	DROP(7, 1, CPUID_EAX,
	     BIT(8) | BIT(17) | BIT(18) | BIT(21) | BIT(22) | BIT(26)),
	/* Leaf 7.1 EBX: PPIN(0), a platform MSR. */
	KEEP_ONLY(7, 1, CPUID_EBX, 0),
	/* Leaf 7.1 EDX. AMX-COMPLEX(8). AVX10(19): leaf 0x24 is zeroed. */
	DROP(7, 1, CPUID_EDX, BIT(8) | BIT(19)),
	/* Leaf 7.2 EDX: only speculation controls (PSFD, IPRED_CTRL, ...). */
	KEEP_ONLY(7, 2, CPUID_EDX, 0),

	/* Leaf 0xd.1 EAX: keep XSAVEOPT(0), XSAVEC(1), XGETBV1(2). XSAVES(3)
	 * needs IA32_XSS, XFD(4) is for AMX. No supervisor states (ECX/EDX). */
	KEEP_ONLY(0xd, 1, CPUID_EAX, BIT(0) | BIT(1) | BIT(2)),
	KEEP_ONLY(0xd, 1, CPUID_ECX, 0),
	KEEP_ONLY(0xd, 1, CPUID_EDX, 0),

	/* Leaf 0x80000001 ECX. SVM(2): no nested virtualization. ExtApicSpace
	 * (3): no APIC. OSVW(9), IBS(10), SKINIT(12), WDT(13), LWP(15),
	 * TCE(17), NodeId(19), DataBkptExt(26), PerfTsc(27), MONITORX(29):
	 * MSRs or instructions not virtualized. TOPOEXT(22): leaves
	 * 0x8000001d/e are zeroed. PerfCtrExt*(23, 24, 28): no PMU. */
	DROP(0x80000001, ANY_SUBLEAF, CPUID_ECX,
	     BIT(2) | BIT(3) | BIT(9) | BIT(10) | BIT(12) | BIT(13) |
	     BIT(15) | BIT(17) | BIT(19) | BIT(22) | BIT(23) | BIT(24) |
	     BIT(26) | BIT(27) | BIT(28) | BIT(29)),
	/* Leaf 0x80000001 EDX (AMD mirrors leaf 1 EDX here): MCE(7),
	 * APIC(9), MCA(14) as in leaf 1; RDTSCP(27): TSC_AUX not
	 * virtualized. */
	DROP(0x80000001, ANY_SUBLEAF, CPUID_EDX,
	     BIT(7) | BIT(9) | BIT(14) | BIT(27)),
	/* Leaf 0x80000007: only invariant TSC (EDX 8), always: the guest TSC
	 * is the host's plus an offset, never scaled or stopped (nyx.ko
	 * reports its rate as NYX_CAP_TSC_KHZ); the rest is host power
	 * management and RAS. */
	KEEP_ONLY(0x80000007, ANY_SUBLEAF, CPUID_EAX, 0),
	KEEP_ONLY(0x80000007, ANY_SUBLEAF, CPUID_EBX, 0),
	KEEP_ONLY(0x80000007, ANY_SUBLEAF, CPUID_ECX, 0),
	KEEP_ONLY(0x80000007, ANY_SUBLEAF, CPUID_EDX, BIT(8)),
	FORCE(0x80000007, ANY_SUBLEAF, CPUID_EDX, BIT(8)),
	/* Leaf 0x80000008 EBX: keep CLZERO(0), XSaveErPtr(2), WBNOINVD(9);
	 * the rest are speculation controls, INVLPGB, RDPRU, PPIN, ...
	 * ECX is rebuilt for the topology, EDX (INVLPGB/RDPRU limits) goes. */
	KEEP_ONLY(0x80000008, ANY_SUBLEAF, CPUID_EBX,
		  BIT(0) | BIT(2) | BIT(9)),
	KEEP_ONLY(0x80000008, ANY_SUBLEAF, CPUID_EDX, 0),
	/* Leaf 0x80000021 EAX: keep NoNestedDataBp(0), LFENCE always
	 * serializing(2), null selector clears base(6); the rest are
	 * speculation controls and MSRs. */
	KEEP_ONLY(0x80000021, ANY_SUBLEAF, CPUID_EAX,
		  BIT(0) | BIT(2) | BIT(6)),
	KEEP_ONLY(0x80000021, ANY_SUBLEAF, CPUID_EBX, 0),
	KEEP_ONLY(0x80000021, ANY_SUBLEAF, CPUID_ECX, 0),
	KEEP_ONLY(0x80000021, ANY_SUBLEAF, CPUID_EDX, 0),
};

/* Features that need the AVX state component (XCR0 bit 2). */
static const struct cpuid_mask avx_users[] = {
	/* FMA, AVX, F16C */
	DROP(1, ANY_SUBLEAF, CPUID_ECX, BIT(12) | BIT(28) | BIT(29)),
	/* AVX2 */
	DROP(7, 0, CPUID_EBX, BIT(5)),
	/* VAES, VPCLMULQDQ */
	DROP(7, 0, CPUID_ECX, BIT(9) | BIT(10)),
	/* AVX-VNNI, AVX-IFMA */
	DROP(7, 1, CPUID_EAX, BIT(4) | BIT(23)),
	/* AVX-VNNI-INT8, AVX-NE-CONVERT, AVX-VNNI-INT16 */
	DROP(7, 1, CPUID_EDX, BIT(4) | BIT(5) | BIT(10)),
	/* XOP, FMA4 */
	DROP(0x80000001, ANY_SUBLEAF, CPUID_ECX, BIT(11) | BIT(16)),
};

/* Features that need the AVX-512 state components (XCR0 bits 5-7). */
static const struct cpuid_mask avx512_users[] = {
	/* F DQ IFMA PF ER CD BW VL */
	DROP(7, 0, CPUID_EBX,
	     BIT(16) | BIT(17) | BIT(21) | BIT(26) | BIT(27) | BIT(28) |
	     BIT(30) | BIT(31)),
	/* VBMI VBMI2 VNNI BITALG VPOPCNTDQ */
	DROP(7, 0, CPUID_ECX, BIT(1) | BIT(6) | BIT(11) | BIT(12) | BIT(14)),
	/* 4VNNIW 4FMAPS VP2INTERSECT FP16 */
	DROP(7, 0, CPUID_EDX, BIT(2) | BIT(3) | BIT(8) | BIT(23)),
	DROP(7, 1, CPUID_EAX, BIT(5)),				/* AVX512_BF16 */
};

/* Leaf 1 ECX XSAVE(26): withdrawn when no XCR0 can be offered. */
static const struct cpuid_mask xsave_users[] = {
	DROP(1, ANY_SUBLEAF, CPUID_ECX, BIT(26)),
};

#define CPUID1_EDX_HTT			BIT(28)
#define CPUID1_ECX_XSAVE		BIT(26)
#define CPUID_80000001_ECX_CMP_LEGACY	BIT(1)

/* ---------------------------------------------------------------------
 * Table construction
 */
struct builder {
	struct cpuid_table *t;
	cpuid_query_fn query;
	bool overflow;
};

static struct nyx_cpuid_entry *add(struct builder *b, u32 function,
				   u32 index, u32 flags, const u32 regs[4])
{
	struct nyx_cpuid_entry *e;

	if (b->t->nent >= NYX_MAX_CPUID_ENTRIES) {
		b->overflow = true;
		return NULL;
	}
	e = &b->t->entries[b->t->nent++];
	memset(e, 0, sizeof(*e));
	e->function = function;
	e->index = index;
	e->flags = flags;
	if (regs) {
		e->eax = regs[CPUID_EAX];
		e->ebx = regs[CPUID_EBX];
		e->ecx = regs[CPUID_ECX];
		e->edx = regs[CPUID_EDX];
	}
	return e;
}

static void add_host(struct builder *b, u32 function, u32 index, u32 flags)
{
	u32 r[4];

	b->query(function, index, r);
	add(b, function, index, flags, r);
}

static u32 *reg_of(struct nyx_cpuid_entry *e, enum cpuid_reg reg)
{
	switch (reg) {
	case CPUID_EAX:
		return &e->eax;
	case CPUID_EBX:
		return &e->ebx;
	case CPUID_ECX:
		return &e->ecx;
	default:
		return &e->edx;
	}
}

static void apply_masks(struct cpuid_table *t, const struct cpuid_mask *m,
			size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < t->nent; j++) {
			struct nyx_cpuid_entry *e = &t->entries[j];
			u32 *r;

			if (e->function != m[i].leaf)
				continue;
			if (m[i].subleaf != ANY_SUBLEAF && e->index != m[i].subleaf)
				continue;
			r = reg_of(e, m[i].reg);
			*r = (*r & m[i].keep) | m[i].set;
		}
	}
}

static struct nyx_cpuid_entry *find(struct cpuid_table *t, u32 function,
				    u32 index)
{
	return (struct nyx_cpuid_entry *)cpuid_find(t, function, index);
}

/* Size of the standard-format XSAVE area holding the xcr0 components. */
static u32 xsave_size(cpuid_query_fn query, u64 xcr0)
{
	u32 size = 512 + 64;	/* legacy area + XSAVE header */
	unsigned int i;
	u32 r[4];

	for (i = 2; i < 64; i++) {
		if (!(xcr0 & (1ull << i)))
			continue;
		query(0xd, i, r);
		if (r[CPUID_EBX] + r[CPUID_EAX] > size)
			size = r[CPUID_EBX] + r[CPUID_EAX];
	}
	return size;
}

static u64 choose_xcr0(cpuid_query_fn query, u32 max_basic)
{
	u64 host, xcr0;
	u32 r[4];

	query(1, 0, r);
	if (!(r[CPUID_ECX] & CPUID1_ECX_XSAVE) || max_basic < 0xd)
		return 0;
	query(0xd, 0, r);
	host = r[CPUID_EAX] | (u64)r[CPUID_EDX] << 32;
	if ((host & (XFEATURE_X87 | XFEATURE_SSE)) !=
	    (XFEATURE_X87 | XFEATURE_SSE))
		return 0;

	xcr0 = host & (XFEATURE_X87 | XFEATURE_SSE | XFEATURE_AVX);
	if ((host & XFEATURE_AVX512) == XFEATURE_AVX512 &&
	    (xcr0 & XFEATURE_AVX))
		xcr0 |= XFEATURE_AVX512;
	if (xsave_size(query, xcr0) > XSAVE_AREA_MAX)
		xcr0 &= ~XFEATURE_AVX512;
	if (xsave_size(query, xcr0) > XSAVE_AREA_MAX)
		xcr0 &= ~XFEATURE_AVX;
	return xcr0;
}

static void add_leaf_xsave(struct builder *b)
{
	const u32 flags = NYX_CPUID_FLAG_SIGNIFICANT_INDEX;
	u64 xcr0 = b->t->xcr0;
	u32 size = b->t->xsave_size;
	struct nyx_cpuid_entry *e;
	unsigned int i;
	u32 r[4];

	if (!xcr0) {
		add(b, 0xd, 0, 0, NULL);
		return;
	}
	/* EBX is the size for the XCR0 currently set; the maximum is a safe
	 * answer for every XCR0 (the guest only over-allocates). */
	r[CPUID_EAX] = (u32)xcr0;
	r[CPUID_EBX] = size;
	r[CPUID_ECX] = size;
	r[CPUID_EDX] = (u32)(xcr0 >> 32);
	add(b, 0xd, 0, flags, r);

	b->query(0xd, 1, r);
	e = add(b, 0xd, 1, flags, r);
	if (e)
		e->ebx = size;	/* no supervisor states: XCR0 only */

	for (i = 2; i < 64; i++) {
		if (!(xcr0 & (1ull << i)))
			continue;
		b->query(0xd, i, r);
		r[CPUID_ECX] &= BIT(1);	/* keep "64-byte aligned" only */
		r[CPUID_EDX] = 0;
		add(b, 0xd, i, flags, r);
	}
}

static void add_leaf_cache_params(struct builder *b)
{
	unsigned int i;
	u32 r[4];

	/* Subleaves up to and including the first "no more caches" one. */
	for (i = 0; i < 64; i++) {
		b->query(4, i, r);
		add(b, 4, i, NYX_CPUID_FLAG_SIGNIFICANT_INDEX, r);
		if (!(r[CPUID_EAX] & 0x1f))
			break;
	}
}

static void add_leaf_features7(struct builder *b)
{
	unsigned int i, max;
	u32 r[4];

	/* Subleaf 0 EAX is the last subleaf; nyx knows 0..2. */
	b->query(7, 0, r);
	max = r[CPUID_EAX] < 2 ? r[CPUID_EAX] : 2;
	for (i = 0; i <= max; i++) {
		b->query(7, i, r);
		if (i == 0)
			r[CPUID_EAX] = max;
		else if (i == 2)
			r[CPUID_EAX] = 0;	/* reserved */
		add(b, 7, i, NYX_CPUID_FLAG_SIGNIFICANT_INDEX, r);
	}
}

static u32 order_base_2(u32 n)
{
	u32 order = 0;

	while ((1u << order) < n)
		order++;
	return order;
}

/* Leaf 0xb: SMT level (1 thread per core), core level (nr_cpus cores),
 * then the invalid level that ends the list. EDX is set per vCPU. */
static void add_leaf_topology(struct builder *b)
{
	const u32 flags = NYX_CPUID_FLAG_SIGNIFICANT_INDEX;
	u32 n = b->t->nr_cpus;
	u32 smt[4] = { 0, 1, (1 << 8) | 0, 0 };
	u32 core[4] = { order_base_2(n), n, (2 << 8) | 1, 0 };
	u32 end[4] = { 0, 0, 2, 0 };

	add(b, 0xb, 0, flags, smt);
	add(b, 0xb, 1, flags, core);
	add(b, 0xb, 2, flags, end);
}

static void add_leaf_hypervisor(struct builder *b)
{
	u32 r[4] = { CPUID_HV_BASE, 0, 0, 0 };

	memcpy(&r[CPUID_EBX], CPUID_HV_SIGNATURE, 12);
	add(b, CPUID_HV_BASE, 0, 0, r);
}

static void add_basic_leaves(struct builder *b, u32 max_basic)
{
	u32 leaf;

	for (leaf = 0; leaf <= max_basic; leaf++) {
		switch (leaf) {
		case 0x0:	/* max leaf, vendor */
		case 0x1:	/* features (masked) */
		case 0x2:	/* cache/TLB descriptors */
		case 0x15:	/* TSC/crystal clock ratio */
		case 0x16:	/* processor frequencies */
			add_host(b, leaf, 0, 0);
			break;
		case 0x4:
			add_leaf_cache_params(b);
			break;
		case 0x7:
			add_leaf_features7(b);
			break;
		case 0xb:
			add_leaf_topology(b);
			break;
		case 0xd:
			add_leaf_xsave(b);
			break;
		default:
			add(b, leaf, 0, 0, NULL);
			break;
		}
	}
}

static void add_extended_leaves(struct builder *b)
{
	struct nyx_cpuid_entry *e;
	u32 leaf, max, r[4];

	b->query(0x80000000, 0, r);
	max = r[CPUID_EAX];
	if (max < 0x80000000)
		return;
	if (max > 0x80000000 + MAX_EXT_LEAVES - 1)
		max = 0x80000000 + MAX_EXT_LEAVES - 1;

	for (leaf = 0x80000000; leaf <= max; leaf++) {
		switch (leaf) {
		case 0x80000000:	/* max extended leaf, vendor */
		case 0x80000001:	/* features (masked) */
		case 0x80000002:	/* brand string */
		case 0x80000003:
		case 0x80000004:
		case 0x80000005:	/* L1 cache/TLB */
		case 0x80000006:	/* L2/L3 cache */
		case 0x80000007:	/* invariant TSC (masked) */
		case 0x80000008:	/* address sizes (masked) */
		case 0x80000019:	/* 1 GiB page TLB */
		case 0x8000001a:	/* performance optimizations */
		case 0x80000021:	/* extended features 2 (masked) */
			add_host(b, leaf, 0, 0);
			break;
		default:
			add(b, leaf, 0, 0, NULL);
			break;
		}
	}
	e = find(b->t, 0x80000000, 0);
	if (e)
		e->eax = max;
}

static void apply_topology(struct cpuid_table *t)
{
	u32 n = t->nr_cpus, ids = 1u << order_base_2(n);
	struct nyx_cpuid_entry *e;
	u32 i;

	e = find(t, 1, 0);
	if (e) {
		e->ebx = (e->ebx & 0xff00ffff) | ((n & 0xff) << 16);
		if (n > 1)
			e->edx |= CPUID1_EDX_HTT;
		else
			e->edx &= ~CPUID1_EDX_HTT;
	}
	/* Leaf 4: EAX[31:26] = core IDs per package - 1, EAX[25:14] =
	 * logical CPUs sharing the cache - 1 (only L3 is shared). */
	for (i = 0; i < t->nent; i++) {
		u32 level;

		e = &t->entries[i];
		if (e->function != 4 || !(e->eax & 0x1f))
			continue;
		level = (e->eax >> 5) & 7;
		e->eax &= 0x3fff;
		e->eax |= (ids - 1) << 26;
		if (level >= 3)
			e->eax |= ((ids - 1) & 0xfff) << 14;
	}
	e = find(t, 0x80000008, 0);
	if (e)
		e->ecx = (order_base_2(n) << 12) | (n - 1);
	e = find(t, 0x80000001, 0);
	if (e && n == 1)
		e->ecx &= ~CPUID_80000001_ECX_CMP_LEGACY;
}

int cpuid_build(struct cpuid_table *t, cpuid_query_fn query, u32 nr_cpus)
{
	struct builder b = { .t = t, .query = query };
	struct nyx_cpuid_entry *e;
	u32 r[4], max_basic;

	memset(t, 0, sizeof(*t));
	t->nr_cpus = nr_cpus ? nr_cpus : 1;
	query(0, 0, r);
	max_basic = r[CPUID_EAX];
	if (max_basic > MAX_BASIC_LEAVES - 1)
		max_basic = MAX_BASIC_LEAVES - 1;
	t->xcr0 = choose_xcr0(query, max_basic);
	t->xsave_size = t->xcr0 ? xsave_size(query, t->xcr0) : 0;

	add_basic_leaves(&b, max_basic);
	e = find(t, 0, 0);
	if (e)
		e->eax = max_basic;
	add_extended_leaves(&b);
	add_leaf_hypervisor(&b);

	apply_masks(t, cpuid_masks, ARRAY_SIZE(cpuid_masks));
	if (!(t->xcr0 & XFEATURE_AVX))
		apply_masks(t, avx_users, ARRAY_SIZE(avx_users));
	if ((t->xcr0 & XFEATURE_AVX512) != XFEATURE_AVX512)
		apply_masks(t, avx512_users, ARRAY_SIZE(avx512_users));
	if (!t->xcr0)
		apply_masks(t, xsave_users, ARRAY_SIZE(xsave_users));
	apply_topology(t);
	cpuid_set_vcpu(t, 0);
	return b.overflow ? -E2BIG : 0;
}

void cpuid_set_vcpu(struct cpuid_table *t, u32 index)
{
	u32 i;

	for (i = 0; i < t->nent; i++) {
		struct nyx_cpuid_entry *e = &t->entries[i];

		if (e->function == 1)
			e->ebx = (e->ebx & 0x00ffffff) | (index << 24);
		else if (e->function == 0xb)
			e->edx = index;		/* x2APIC ID */
	}
}

void cpuid_set_irqchip(struct cpuid_table *t, bool x2apic, bool tsc_deadline)
{
	u32 i;

	for (i = 0; i < t->nent; i++) {
		struct nyx_cpuid_entry *e = &t->entries[i];

		if (e->function == 1) {
			e->edx |= BIT(9);
			if (x2apic)
				e->ecx |= BIT(21);
			if (tsc_deadline)
				e->ecx |= BIT(24);
		} else if (e->function == 0x80000001 && cpuid_find(t, 0, 0) &&
			   cpuid_find(t, 0, 0)->ebx == 0x68747541) {
			e->edx |= BIT(9);	/* AMD mirrors the APIC bit */
		}
	}
}

int cpuid_set_kvm_pv(struct cpuid_table *t, u32 features)
{
	struct builder b = { .t = t };
	u32 sig[4] = { CPUID_KVM_BASE + 1, 0, 0, 0 };
	u32 feat[4] = { features, 0, 0, 0 };

	if (find(t, CPUID_KVM_BASE, 0))
		return -EEXIST;
	memcpy(&sig[CPUID_EBX], CPUID_KVM_SIGNATURE, 12);
	add(&b, CPUID_KVM_BASE, 0, 0, sig);
	add(&b, CPUID_KVM_BASE + 1, 0, 0, feat);
	return b.overflow ? -E2BIG : 0;
}

const struct nyx_cpuid_entry *cpuid_find(const struct cpuid_table *t,
					 u32 function, u32 index)
{
	u32 i;

	for (i = 0; i < t->nent; i++) {
		const struct nyx_cpuid_entry *e = &t->entries[i];

		if (e->function != function)
			continue;
		if (!(e->flags & NYX_CPUID_FLAG_SIGNIFICANT_INDEX) ||
		    e->index == index)
			return e;
	}
	return NULL;
}

int cpuid_apply(int vcpu_fd, const struct cpuid_table *t)
{
	struct nyx_cpuid *c;
	size_t size = sizeof(*c) + t->nent * sizeof(c->entries[0]);
	int ret = 0;

	c = calloc(1, size);
	if (!c)
		return -ENOMEM;
	c->nent = t->nent;
	memcpy(c->entries, t->entries, t->nent * sizeof(c->entries[0]));
	if (ioctl(vcpu_fd, NYX_SET_CPUID, c) < 0)
		ret = -errno;
	free(c);
	return ret;
}

void cpuid_dump(const struct cpuid_table *t, FILE *out)
{
	u32 i;

	fprintf(out, "# %u entries, %u vCPUs, XCR0 0x%llx (%u-byte XSAVE area)\n",
		t->nent, t->nr_cpus, (unsigned long long)t->xcr0,
		t->xsave_size);
	fprintf(out, "# function  index      eax        ebx        ecx        edx\n");
	for (i = 0; i < t->nent; i++) {
		const struct nyx_cpuid_entry *e = &t->entries[i];
		char index[16] = "*";

		if (e->flags & NYX_CPUID_FLAG_SIGNIFICANT_INDEX)
			snprintf(index, sizeof(index), "%u", e->index);
		fprintf(out, "0x%08x  %-5s  0x%08x 0x%08x 0x%08x 0x%08x\n",
			e->function, index, e->eax, e->ebx, e->ecx, e->edx);
	}
}
