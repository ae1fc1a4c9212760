/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest's CPUID: the host's CPUID minus what nyx does not virtualize
 * (yet), plus nyx's own hypervisor leaf and a synthetic topology of
 * nr_cpus single-threaded cores in one package, APIC ID = vCPU index.
 */
#ifndef NYX_X86_CPUID_H
#define NYX_X86_CPUID_H

#include <stdio.h>

#include <uapi/nyx.h>

#include "core/util.h"

#define CPUID_HV_BASE		0x40000000
#define CPUID_HV_SIGNATURE	"NyxNyxNyxNyx"

/*
 * KVM's documented paravirtual CPUID interface (Linux's
 * Documentation/virt/kvm/x86/cpuid.rst), offered at the next 0x100 block
 * the way QEMU offers KVM's next to Hyper-V's: guests scan
 * 0x40000000..0x4000ff00 for the signature. Only features nyx implements
 * are set.
 */
#define CPUID_KVM_BASE			0x40000100
#define CPUID_KVM_SIGNATURE		"KVMKVMKVM\0\0\0"
#define KVM_FEATURE_NOP_IO_DELAY	BIT(1)	/* port 0x80 delays unneeded */
#define KVM_FEATURE_PV_EOI		BIT(6)	/* MSR_KVM_PV_EOI_EN */

/* XCR0 components the guest may enable. */
#define XFEATURE_X87		(1ull << 0)
#define XFEATURE_SSE		(1ull << 1)
#define XFEATURE_AVX		(1ull << 2)
#define XFEATURE_OPMASK		(1ull << 5)
#define XFEATURE_ZMM_HI256	(1ull << 6)
#define XFEATURE_HI16_ZMM	(1ull << 7)
#define XFEATURE_AVX512		(XFEATURE_OPMASK | XFEATURE_ZMM_HI256 | \
				 XFEATURE_HI16_ZMM)
#define XSAVE_AREA_MAX		4096	/* struct nyx_fpu.xsave */

enum cpuid_reg { CPUID_EAX, CPUID_EBX, CPUID_ECX, CPUID_EDX };

/* Where CPUID values come from: the host, or a fake one in tests. */
typedef void (*cpuid_query_fn)(u32 leaf, u32 subleaf, u32 regs[4]);

void cpuid_query_host(u32 leaf, u32 subleaf, u32 regs[4]);

struct cpuid_table {
	u32 nent;
	u32 nr_cpus;
	u64 xcr0;		/* XCR0 bits offered to the guest */
	u32 xsave_size;		/* standard XSAVE area size for xcr0 */
	struct nyx_cpuid_entry entries[NYX_MAX_CPUID_ENTRIES];
};

/* Build the table for a VM of nr_cpus vCPUs (APIC IDs set for vCPU 0).
 * Returns 0 or -E2BIG. */
int cpuid_build(struct cpuid_table *t, cpuid_query_fn query, u32 nr_cpus);

/* Point the per-vCPU fields (APIC IDs) at vCPU index. */
void cpuid_set_vcpu(struct cpuid_table *t, u32 index);

/* The in-kernel LAPIC exists: advertise it (leaf 1 EDX.APIC, and on AMD
 * 0x80000001 EDX.APIC), and x2APIC / TSC-deadline where supported. */
void cpuid_set_irqchip(struct cpuid_table *t, bool x2apic, bool tsc_deadline);

/* Offer KVM's paravirtual interface with these KVM_FEATURE_* bits. Linux
 * then knows it runs under a hypervisor that allows x2APIC without
 * interrupt remapping, and uses x2APIC (MSR exits instead of MMIO
 * emulation). Returns 0 or -E2BIG. */
int cpuid_set_kvm_pv(struct cpuid_table *t, u32 features);

/* The entry CPUID(function, index) would use, or NULL. */
const struct nyx_cpuid_entry *cpuid_find(const struct cpuid_table *t,
					 u32 function, u32 index);

/* NYX_SET_CPUID. Returns 0 or -errno. */
int cpuid_apply(int vcpu_fd, const struct cpuid_table *t);

void cpuid_dump(const struct cpuid_table *t, FILE *out);

#endif
