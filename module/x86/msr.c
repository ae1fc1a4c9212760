// SPDX-License-Identifier: GPL-2.0
/*
 * Guest MSRs. Every MSR access is intercepted except those the vendor
 * passes through (state switched by VMLOAD/VMSAVE). Vendor-held MSRs
 * (EFER, segment bases, SYSCALL/SYSENTER, PAT) are asked of the backend;
 * the core keeps the rest. An unknown MSR raises #GP in the guest, as on
 * hardware, and fails NYX_GET/SET_MSRS.
 */
#include <linux/kernel.h>
#include <asm/msr.h>
#include <asm/msr-index.h>

#include "x86/x86.h"
#include "x86/irq.h"
#include "core/trace.h"

#define NYX_MTRRCAP	(0x500 | 0x100 | 8)	/* WC, fixed, 8 variable */

/*
 * AMD configuration MSRs that Linux touches without a fault handler
 * (SYSCFG from the MTRR code, NB_CFG from the PCI code) or with one (HWCR,
 * DE_CFG, BU_CFG2): they describe the host's northbridge and core, so the
 * guest reads 0 and its writes are dropped, like KVM does.
 */
static bool nyx_amd_cfg_msr(u32 index)
{
	switch (index) {
	case MSR_AMD64_SYSCFG:
	case MSR_K7_HWCR:
	case MSR_AMD64_NB_CFG:
	case MSR_AMD64_DE_CFG:
	case MSR_AMD64_BU_CFG2:
		return true;
	}
	return false;
}

static int nyx_mtrr_fixed_index(u32 index)
{
	switch (index) {
	case MSR_MTRRfix64K_00000:
		return 0;
	case MSR_MTRRfix16K_80000:
		return 1;
	case MSR_MTRRfix16K_A0000:
		return 2;
	}
	if (index >= MSR_MTRRfix4K_C0000 && index <= MSR_MTRRfix4K_F8000)
		return 3 + index - MSR_MTRRfix4K_C0000;
	return -1;
}

int nyx_x86_get_msr(struct nyx_vcpu *vcpu, u32 index, u64 *data, bool host)
{
	int r, i;

	r = nyx_lapic_get_msr(vcpu, index, data);
	if (r <= 0)
		return r;
	r = nyx_ops->get_msr(vcpu, index, data);
	if (r <= 0)
		return r;

	switch (index) {
	case MSR_IA32_TSC:
		*data = rdtsc() + vcpu->tsc_offset;
		return 0;
	case MSR_IA32_TSC_ADJUST:
		*data = vcpu->tsc_adjust;
		return 0;
	case MSR_IA32_APICBASE:
		*data = vcpu->apic_base;
		return 0;
	case MSR_IA32_MISC_ENABLE:
		*data = vcpu->misc_enable;
		return 0;
	case MSR_MTRRcap:
		*data = NYX_MTRRCAP;
		return 0;
	case MSR_MTRRdefType:
		*data = vcpu->mtrr_def_type;
		return 0;
	case 0x200 ... 0x20f:		/* variable-range MTRRs */
		*data = vcpu->mtrr_var[index - 0x200];
		return 0;
	case MSR_IA32_UCODE_REV:
		*data = 0x100000000ull;
		return 0;
	case MSR_IA32_MCG_CAP:		/* no machine-check banks */
	case MSR_IA32_MCG_STATUS:
		*data = 0;
		return 0;
	}
	if (nyx_amd_cfg_msr(index)) {
		/* HWCR.TscFreqSel: the TSC counts at the P0 rate (invariant) */
		*data = index == MSR_K7_HWCR ? BIT_ULL(24) : 0;
		return 0;
	}
	i = nyx_mtrr_fixed_index(index);
	if (i >= 0) {
		*data = vcpu->mtrr_fixed[i];
		return 0;
	}
	return -EINVAL;
}

int nyx_x86_set_msr(struct nyx_vcpu *vcpu, u32 index, u64 data, bool host)
{
	int r, i;

	if (nyx_x86_check_msr_value(index, data))
		return -EINVAL;
	r = nyx_lapic_set_msr(vcpu, index, data, host);
	if (r <= 0)
		return r;
	r = nyx_ops->set_msr(vcpu, index, data);
	if (r <= 0)
		return r;

	switch (index) {
	case MSR_IA32_TSC: {
		u64 offset = data - rdtsc();

		/* a guest write moves TSC_ADJUST by as much (SDM 18.17.3) */
		if (!host)
			vcpu->tsc_adjust += offset - vcpu->tsc_offset;
		vcpu->tsc_offset = offset;
		nyx_ops->set_tsc_offset(vcpu, vcpu->tsc_offset);
		return 0;
	}
	case MSR_IA32_TSC_ADJUST:
		if (!host) {
			vcpu->tsc_offset += data - vcpu->tsc_adjust;
			nyx_ops->set_tsc_offset(vcpu, vcpu->tsc_offset);
		}
		vcpu->tsc_adjust = data;
		return 0;
	case MSR_IA32_APICBASE:
		/* without the in-kernel LAPIC: xAPIC only, and inert */
		if (data & ~(u64)(0xfffff000ull | (1 << 11) | (1 << 8)) ||
		    data >> 52)
			return -EINVAL;
		if (!host && ((data ^ vcpu->apic_base) & (1 << 8)))
			return -EINVAL;		/* BSP flag is read-only */
		vcpu->apic_base = data;
		return 0;
	case MSR_IA32_MISC_ENABLE:
		vcpu->misc_enable = data;
		return 0;
	case MSR_MTRRdefType:
		if (data & ~0xcffull)
			return -EINVAL;
		vcpu->mtrr_def_type = data;
		return 0;
	case 0x200 ... 0x20f:
		vcpu->mtrr_var[index - 0x200] = data;
		return 0;
	case MSR_IA32_UCODE_REV:	/* writes trigger an update: ignored */
	case MSR_IA32_MCG_STATUS:
		return 0;
	}
	if (nyx_amd_cfg_msr(index))
		return 0;
	i = nyx_mtrr_fixed_index(index);
	if (i >= 0) {
		vcpu->mtrr_fixed[i] = data;
		return 0;
	}
	return -EINVAL;
}

int nyx_x86_handle_rdmsr(struct nyx_vcpu *vcpu)
{
	u32 index = (u32)vcpu->regs[X86_RCX];
	u64 data;

	vcpu->stats[NYX_STAT_MSR]++;
	if (nyx_x86_get_msr(vcpu, index, &data, false)) {
		trace_nyx_msr(vcpu->id, false, index, 0, true);
		nyx_x86_queue_exception(vcpu, NYX_GP_VECTOR, true, 0);
		return 1;
	}
	trace_nyx_msr(vcpu->id, false, index, data, false);
	vcpu->regs[X86_RAX] = (u32)data;
	vcpu->regs[X86_RDX] = data >> 32;
	nyx_ops->skip_insn(vcpu, 2);
	return 1;
}

int nyx_x86_handle_wrmsr(struct nyx_vcpu *vcpu)
{
	u64 data = (u32)vcpu->regs[X86_RAX] |
		   ((u64)(u32)vcpu->regs[X86_RDX] << 32);
	u32 index = (u32)vcpu->regs[X86_RCX];
	bool fault;

	vcpu->stats[NYX_STAT_MSR]++;
	fault = nyx_x86_set_msr(vcpu, index, data, false);
	trace_nyx_msr(vcpu->id, true, index, data, fault);
	if (fault) {
		nyx_x86_queue_exception(vcpu, NYX_GP_VECTOR, true, 0);
		return 1;
	}
	nyx_ops->skip_insn(vcpu, 2);
	return 1;
}
