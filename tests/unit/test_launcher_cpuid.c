// SPDX-License-Identifier: GPL-2.0
/* Guest CPUID: masking on the real host CPUID and on a fake CPU that
 * claims every feature. */
#include <errno.h>
#include "arch/x86/cpuid.h"
#include "test.h"

static struct cpuid_table t;

static u32 reg(u32 leaf, u32 index, enum cpuid_reg r)
{
	const struct nyx_cpuid_entry *e = cpuid_find(&t, leaf, index);

	if (!e)
		return 0xdeadbeef;
	switch (r) {
	case CPUID_EAX:
		return e->eax;
	case CPUID_EBX:
		return e->ebx;
	case CPUID_ECX:
		return e->ecx;
	default:
		return e->edx;
	}
}

static bool leaf_is_zero(u32 leaf, u32 index)
{
	const struct nyx_cpuid_entry *e = cpuid_find(&t, leaf, index);

	return e && !e->eax && !e->ebx && !e->ecx && !e->edx;
}

static void check_common(u32 nr_cpus)
{
	u32 sig[3];

	CHECK(t.nent <= NYX_MAX_CPUID_ENTRIES);
	CHECK(reg(1, 0, CPUID_ECX) & BIT(31));		/* hypervisor */
	CHECK(!(reg(1, 0, CPUID_ECX) & BIT(5)));	/* VMX */
	CHECK(!(reg(1, 0, CPUID_ECX) & BIT(21)));	/* x2APIC */
	CHECK(!(reg(1, 0, CPUID_ECX) & BIT(27)));	/* OSXSAVE */
	CHECK(!(reg(1, 0, CPUID_EDX) & BIT(9)));	/* APIC */
	CHECK_EQ((reg(1, 0, CPUID_EBX) >> 16) & 0xff, nr_cpus);
	CHECK_EQ(!!(reg(1, 0, CPUID_EDX) & BIT(28)), nr_cpus > 1); /* HTT */
	CHECK_EQ(reg(1, 0, CPUID_EBX) >> 24, 0);	/* vCPU 0 */
	CHECK(!(reg(0x80000001, 0, CPUID_ECX) & BIT(2)));	/* SVM */
	CHECK(!(reg(0x80000001, 0, CPUID_EDX) & BIT(27)));	/* RDTSCP */
	CHECK(!(reg(7, 0, CPUID_ECX) & (BIT(3) | BIT(4))));	/* PKU */
	CHECK(!(reg(7, 0, CPUID_EBX) & (BIT(4) | BIT(11))));	/* TSX */
	CHECK(!(reg(7, 0, CPUID_EDX) & 0xfc000000));	/* spec ctrl */
	if (cpuid_find(&t, 0xa, 0))
		CHECK(leaf_is_zero(0xa, 0));			/* no PMU */
	if (cpuid_find(&t, 0x8000000a, 0))
		CHECK(leaf_is_zero(0x8000000a, 0));		/* no SVM */

	CHECK_EQ(reg(CPUID_HV_BASE, 0, CPUID_EAX), CPUID_HV_BASE);
	sig[0] = reg(CPUID_HV_BASE, 0, CPUID_EBX);
	sig[1] = reg(CPUID_HV_BASE, 0, CPUID_ECX);
	sig[2] = reg(CPUID_HV_BASE, 0, CPUID_EDX);
	CHECK(!memcmp(sig, "NyxNyxNyxNyx", 12));

	/* XCR0 and the XSAVE area */
	CHECK_EQ(t.xcr0 & ~(XFEATURE_X87 | XFEATURE_SSE | XFEATURE_AVX |
			    XFEATURE_AVX512), 0);
	CHECK(t.xsave_size <= XSAVE_AREA_MAX);
	if (t.xcr0) {
		CHECK_EQ(reg(0xd, 0, CPUID_EAX), (u32)t.xcr0);
		CHECK_EQ(reg(0xd, 0, CPUID_EDX), 0);
		CHECK_EQ(reg(0xd, 0, CPUID_ECX), t.xsave_size);
		CHECK(!(reg(0xd, 1, CPUID_EAX) & BIT(3)));	/* XSAVES */
	}
	if (!(t.xcr0 & XFEATURE_AVX))
		CHECK(!(reg(1, 0, CPUID_ECX) & BIT(28)));
	if ((t.xcr0 & XFEATURE_AVX512) != XFEATURE_AVX512)
		CHECK(!(reg(7, 0, CPUID_EBX) & BIT(16)));

	/* per-vCPU APIC IDs */
	cpuid_set_vcpu(&t, nr_cpus - 1);
	CHECK_EQ(reg(1, 0, CPUID_EBX) >> 24, nr_cpus - 1);
	if (cpuid_find(&t, 0xb, 1))
		CHECK_EQ(reg(0xb, 1, CPUID_EDX), nr_cpus - 1);
	cpuid_set_vcpu(&t, 0);
}

static void test_host(void)
{
	u32 host[4];

	CHECK_EQ(cpuid_build(&t, cpuid_query_host, 1), 0);
	check_common(1);
	CHECK_EQ(cpuid_build(&t, cpuid_query_host, 8), 0);
	check_common(8);
	CHECK_EQ(cpuid_build(&t, cpuid_query_host, 64), 0);
	check_common(64);

	/* untouched: vendor and family/model/stepping */
	cpuid_query_host(0, 0, host);
	CHECK_EQ(reg(0, 0, CPUID_EBX), host[CPUID_EBX]);
	cpuid_query_host(1, 0, host);
	CHECK_EQ(reg(1, 0, CPUID_EAX), host[CPUID_EAX]);
	/* SSE2 survives */
	CHECK(reg(1, 0, CPUID_EDX) & BIT(26));
}

/* ---------------------------------------------------------------------
 * A fake CPU with every feature bit set.
 */
enum fake_variant { FAKE_FULL, FAKE_PARTIAL_AVX512, FAKE_BIG_AVX512,
		    FAKE_NO_XSAVE };
static enum fake_variant variant;

static const u32 xsave_layout[][2] = {	/* component: size, offset */
	[2] = { 256, 576 }, [5] = { 64, 1088 }, [6] = { 512, 1152 },
	[7] = { 1024, 1664 }, [9] = { 8, 2688 }, [17] = { 64, 2752 },
	[18] = { 8192, 2816 },
};

static void fake_query(u32 leaf, u32 sub, u32 r[4])
{
	r[0] = r[1] = r[2] = r[3] = 0xffffffff;
	switch (leaf) {
	case 0:
		r[0] = 0x20;
		memcpy(&r[1], "Genu", 4);
		memcpy(&r[3], "ineI", 4);
		memcpy(&r[2], "ntel", 4);
		break;
	case 1:
		r[0] = 0x906ea;
		r[1] = 0x12345678;
		if (variant == FAKE_NO_XSAVE)
			r[2] &= ~BIT(26);
		break;
	case 4:
		/* L1d, L1i, L2, L3, end */
		if (sub < 4)
			r[0] = 0xfc000000 | (sub == 0 ? 1 : sub == 1 ? 2 : 3) |
			       ((sub < 2 ? 1 : sub) << 5) | (0x3f << 14);
		else
			r[0] = r[1] = r[2] = r[3] = 0;
		break;
	case 7:
		if (sub == 0)
			r[0] = 5;	/* more subleaves than nyx knows */
		break;
	case 0xd:
		if (sub == 0) {
			r[0] = 0x602e7;
			r[3] = 0;
			if (variant == FAKE_PARTIAL_AVX512)
				r[0] &= ~XFEATURE_HI16_ZMM;
		} else if (sub == 1) {
			r[0] = 0x1f;
		} else if (sub < ARRAY_SIZE(xsave_layout)) {
			r[0] = xsave_layout[sub][0];
			r[1] = xsave_layout[sub][1];
			r[2] = 0;
			r[3] = 0;
			if (variant == FAKE_BIG_AVX512 && sub == 7)
				r[1] = 3500;
		}
		break;
	case 0x80000000:
		r[0] = 0x80000008;
		break;
	case 0x80000008:
		r[0] = 0x3027;
		break;
	}
}

static void test_fake_full(void)
{
	variant = FAKE_FULL;
	CHECK_EQ(cpuid_build(&t, fake_query, 4), 0);
	check_common(4);

	CHECK_EQ(reg(0, 0, CPUID_EAX), 0x20);
	CHECK_EQ(reg(1, 0, CPUID_EBX) & 0xffff, 0x5678);
	/* leaf 1 */
	CHECK_EQ(reg(1, 0, CPUID_ECX) & (BIT(3) | BIT(6) | BIT(7) | BIT(8) |
					 BIT(15) | BIT(24)), 0);
	CHECK(reg(1, 0, CPUID_ECX) & BIT(26));		/* XSAVE */
	CHECK(reg(1, 0, CPUID_ECX) & BIT(28));		/* AVX */
	CHECK_EQ(reg(1, 0, CPUID_EDX), 0x178bb97f);	/* the allow-list */
	/* leaf 7 */
	CHECK_EQ(reg(7, 0, CPUID_EAX), 2);
	CHECK(reg(7, 0, CPUID_EBX) & BIT(5));		/* AVX2 */
	CHECK(reg(7, 0, CPUID_EBX) & BIT(16));		/* AVX512F */
	CHECK(reg(7, 0, CPUID_EBX) & BIT(3));		/* BMI1 */
	CHECK(reg(7, 0, CPUID_EBX) & BIT(9));		/* ERMS */
	CHECK(!(reg(7, 0, CPUID_EBX) & BIT(2)));	/* SGX */
	CHECK(!(reg(7, 0, CPUID_EBX) & BIT(25)));	/* Intel PT */
	CHECK(!(reg(7, 0, CPUID_ECX) & BIT(5)));	/* WAITPKG */
	CHECK(!(reg(7, 0, CPUID_ECX) & BIT(16)));	/* LA57 */
	CHECK(!(reg(7, 0, CPUID_EDX) & BIT(24)));	/* AMX-TILE */
	CHECK_EQ(reg(7, 2, CPUID_EDX), 0);
	CHECK_EQ(reg(7, 2, CPUID_EAX), 0);
	CHECK(cpuid_find(&t, 7, 3) == NULL);
	/* zeroed leaves */
	CHECK(leaf_is_zero(0xa, 0));
	CHECK(leaf_is_zero(0x5, 0));
	CHECK(leaf_is_zero(0x12, 0));
	CHECK(leaf_is_zero(0x14, 0));
	CHECK(leaf_is_zero(0x1f, 0));
	/* XSAVE: x87|SSE|AVX|AVX-512, no PKRU or AMX */
	CHECK_EQ(t.xcr0, 0xe7);
	CHECK_EQ(t.xsave_size, 2688);
	CHECK_EQ(reg(0xd, 0, CPUID_EBX), 2688);
	CHECK_EQ(reg(0xd, 1, CPUID_EAX), 0x7);
	CHECK_EQ(reg(0xd, 2, CPUID_EAX), 256);
	CHECK_EQ(reg(0xd, 2, CPUID_EBX), 576);
	CHECK_EQ(reg(0xd, 7, CPUID_EBX), 1664);
	CHECK(cpuid_find(&t, 0xd, 9) == NULL);
	CHECK(cpuid_find(&t, 0xd, 18) == NULL);
	/* topology: 4 single-threaded cores */
	CHECK_EQ(reg(0xb, 0, CPUID_EBX), 1);
	CHECK_EQ(reg(0xb, 1, CPUID_EAX), 2);
	CHECK_EQ(reg(0xb, 1, CPUID_EBX), 4);
	CHECK_EQ(reg(0xb, 2, CPUID_ECX) >> 8 & 0xff, 0);
	CHECK_EQ(reg(4, 0, CPUID_EAX) >> 26, 3);
	CHECK_EQ(reg(4, 0, CPUID_EAX) >> 14 & 0xfff, 0);	/* L1 private */
	CHECK_EQ(reg(4, 3, CPUID_EAX) >> 14 & 0xfff, 3);	/* L3 shared */
	CHECK_EQ(reg(4, 3, CPUID_EAX) & 0x1f, 3);
	CHECK_EQ(reg(4, 4, CPUID_EAX), 0);
	CHECK_EQ(reg(0x80000008, 0, CPUID_ECX), 0x2003);
	CHECK_EQ(reg(0x80000008, 0, CPUID_EAX), 0x3027);
	CHECK_EQ(reg(0x80000008, 0, CPUID_EBX), BIT(0) | BIT(2) | BIT(9));
	/* extended features */
	CHECK(!(reg(0x80000001, 0, CPUID_ECX) & BIT(15)));	/* LWP */
	CHECK(!(reg(0x80000001, 0, CPUID_ECX) & BIT(22)));	/* TOPOEXT */
	CHECK(reg(0x80000001, 0, CPUID_ECX) & BIT(0));		/* LAHF */
	CHECK(reg(0x80000001, 0, CPUID_EDX) & BIT(29));		/* LM */
	CHECK(reg(0x80000001, 0, CPUID_EDX) & BIT(20));		/* NX */
	CHECK(cpuid_find(&t, 0x8000000a, 0) == NULL);	/* beyond max */

	/* a single vCPU has no HTT and no CmpLegacy */
	CHECK_EQ(cpuid_build(&t, fake_query, 1), 0);
	CHECK(!(reg(0x80000001, 0, CPUID_ECX) & BIT(1)));
	CHECK_EQ(reg(4, 3, CPUID_EAX) >> 14 & 0xfff, 0);
}

static void test_fake_xsave_variants(void)
{
	variant = FAKE_PARTIAL_AVX512;
	CHECK_EQ(cpuid_build(&t, fake_query, 2), 0);
	check_common(2);
	CHECK_EQ(t.xcr0, 0x7);
	CHECK_EQ(t.xsave_size, 832);
	CHECK(!(reg(7, 0, CPUID_EBX) & BIT(16)));	/* AVX512F */
	CHECK(!(reg(7, 0, CPUID_ECX) & BIT(1)));	/* AVX512VBMI */
	CHECK(reg(7, 0, CPUID_EBX) & BIT(5));		/* AVX2 stays */

	variant = FAKE_BIG_AVX512;
	CHECK_EQ(cpuid_build(&t, fake_query, 2), 0);
	CHECK_EQ(t.xcr0, 0x7);				/* would need 4524 bytes */

	variant = FAKE_NO_XSAVE;
	CHECK_EQ(cpuid_build(&t, fake_query, 2), 0);
	check_common(2);
	CHECK_EQ(t.xcr0, 0);
	CHECK(leaf_is_zero(0xd, 0));
	CHECK(!(reg(1, 0, CPUID_ECX) & BIT(28)));	/* AVX */
	CHECK(!(reg(1, 0, CPUID_ECX) & BIT(26)));	/* XSAVE */
	CHECK(!(reg(7, 0, CPUID_EBX) & BIT(5)));	/* AVX2 */
	CHECK(!(reg(0x80000001, 0, CPUID_ECX) & BIT(16)));	/* FMA4 */
}

static void test_find(void)
{
	variant = FAKE_FULL;
	cpuid_build(&t, fake_query, 1);
	/* no significant index: any index matches */
	CHECK(cpuid_find(&t, 1, 0) == cpuid_find(&t, 1, 77));
	/* significant index: exact */
	CHECK(cpuid_find(&t, 7, 1) != cpuid_find(&t, 7, 0));
	CHECK(cpuid_find(&t, 0x12345678, 0) == NULL);
}

/* KVM's PV leaves: signature block at 0x40000100, after nyx's own. */
static void test_kvm_pv(void)
{
	const struct nyx_cpuid_entry *e;
	u32 nent;

	variant = FAKE_FULL;
	CHECK_EQ(cpuid_build(&t, fake_query, 2), 0);
	CHECK(cpuid_find(&t, CPUID_KVM_BASE, 0) == NULL);
	nent = t.nent;
	CHECK_EQ(cpuid_set_kvm_pv(&t, KVM_FEATURE_NOP_IO_DELAY |
				  KVM_FEATURE_PV_EOI), 0);
	CHECK_EQ(t.nent, nent + 2);
	e = cpuid_find(&t, CPUID_KVM_BASE, 0);
	CHECK(e != NULL);
	if (e) {
		CHECK_EQ(e->eax, 0x40000101);
		CHECK(!memcmp(&e->ebx, "KVMK", 4));
		CHECK(!memcmp(&e->ecx, "VMKV", 4));
		CHECK(!memcmp(&e->edx, "M\0\0\0", 4));
	}
	CHECK_EQ(reg(CPUID_KVM_BASE + 1, 0, CPUID_EAX), BIT(1) | BIT(6));
	CHECK_EQ(reg(CPUID_KVM_BASE + 1, 0, CPUID_EDX), 0);
	/* nyx's own leaf stays first: a guest scanning finds both */
	CHECK(!memcmp(&cpuid_find(&t, CPUID_HV_BASE, 0)->ebx, "NyxN", 4));
	/* twice is refused, a full table too */
	CHECK_EQ(cpuid_set_kvm_pv(&t, 0), -EEXIST);
	CHECK_EQ(cpuid_build(&t, fake_query, 2), 0);
	while (t.nent < NYX_MAX_CPUID_ENTRIES - 1) {
		t.entries[t.nent].function = 0x12340000 + t.nent;
		t.nent++;
	}
	CHECK_EQ(cpuid_set_kvm_pv(&t, 0), -E2BIG);
}

int main(void)
{
	test_host();
	test_fake_full();
	test_fake_xsave_variants();
	test_find();
	test_kvm_pv();
	return test_summary("launcher_cpuid");
}
