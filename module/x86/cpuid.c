// SPDX-License-Identifier: GPL-2.0
/*
 * CPUID answered in the kernel from the table userspace set with
 * NYX_SET_CPUID, plus the XSAVE features that table allows the guest:
 * XSETBV and the NYX_GET/SET_FPU state.
 */
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/fpu/xcr.h>
#include <asm/cpufeature.h>
#include <asm/processor.h>

#include "x86/x86.h"

#define NYX_CPUID1_ECX_OSXSAVE	BIT(27)

/* XCR0 of the host, read once at load (the kernel never changes it). */
u64 nyx_host_xcr0;

/* Components the 4096-byte nyx_fpu.xsave area can hold (x87..AVX-512). */
#define NYX_XCR0_FITS	(XFEATURE_MASK_FP | XFEATURE_MASK_SSE | \
			 XFEATURE_MASK_YMM | XFEATURE_MASK_OPMASK | \
			 XFEATURE_MASK_ZMM_Hi256 | XFEATURE_MASK_Hi16_ZMM)

static struct nyx_cpuid_entry *nyx_cpuid_find(struct nyx_vcpu *vcpu,
					      u32 function, u32 index)
{
	u32 i;

	for (i = 0; i < vcpu->cpuid_nent; i++) {
		struct nyx_cpuid_entry *e = &vcpu->cpuid[i];

		if (e->function != function)
			continue;
		if ((e->flags & NYX_CPUID_FLAG_SIGNIFICANT_INDEX) &&
		    e->index != index)
			continue;
		return e;
	}
	return NULL;
}

u64 nyx_x86_guest_xcr0_mask(struct nyx_vcpu *vcpu)
{
	struct nyx_cpuid_entry *e = nyx_cpuid_find(vcpu, 0xd, 0);
	u64 mask = XFEATURE_MASK_FP;

	if (e)
		mask |= e->eax | ((u64)e->edx << 32);
	return mask & nyx_host_xcr0 & NYX_XCR0_FITS;
}

void nyx_x86_cpuid_changed(struct nyx_vcpu *vcpu)
{
	/* XCR0 must stay within what the new table allows */
	vcpu->xcr0 &= nyx_x86_guest_xcr0_mask(vcpu);
	vcpu->xcr0 |= XFEATURE_MASK_FP;
}

/* Size of the XSAVE area for the features in xcr0 (standard format). */
static u32 nyx_xsave_size(u64 xcr0)
{
	u32 size = 512 + 64, i, eax, ebx, ecx, edx;

	for (i = 2; i < 64; i++) {
		if (!(xcr0 & BIT_ULL(i)))
			continue;
		cpuid_count(0xd, i, &eax, &ebx, &ecx, &edx);
		size = max(size, eax + ebx);
	}
	return size;
}

int nyx_x86_handle_cpuid(struct nyx_vcpu *vcpu)
{
	u32 function = vcpu->regs[X86_RAX], index = vcpu->regs[X86_RCX];
	struct nyx_cpuid_entry *e = nyx_cpuid_find(vcpu, function, index);
	u32 eax = 0, ebx = 0, ecx = 0, edx = 0;

	vcpu->stats[NYX_STAT_CPUID]++;
	if (e) {
		eax = e->eax;
		ebx = e->ebx;
		ecx = e->ecx;
		edx = e->edx;
		/* bits that follow the guest's own state */
		if (function == 1) {
			ecx &= ~NYX_CPUID1_ECX_OSXSAVE;
			if (nyx_ops->get_cr4(vcpu) & X86_CR4_OSXSAVE)
				ecx |= NYX_CPUID1_ECX_OSXSAVE;
		} else if (function == 0xd && index <= 1 &&
			   (e->flags & NYX_CPUID_FLAG_SIGNIFICANT_INDEX)) {
			if (index == 0)
				ebx = nyx_xsave_size(vcpu->xcr0);
		}
	}
	vcpu->regs[X86_RAX] = eax;
	vcpu->regs[X86_RBX] = ebx;
	vcpu->regs[X86_RCX] = ecx;
	vcpu->regs[X86_RDX] = edx;
	nyx_ops->skip_insn(vcpu, 2);
	return 1;
}

static bool nyx_xcr0_valid(struct nyx_vcpu *vcpu, u64 xcr0)
{
	u64 avx512 = XFEATURE_MASK_OPMASK | XFEATURE_MASK_ZMM_Hi256 |
		     XFEATURE_MASK_Hi16_ZMM;

	if (!(xcr0 & XFEATURE_MASK_FP))
		return false;
	if (xcr0 & ~nyx_x86_guest_xcr0_mask(vcpu))
		return false;
	if ((xcr0 & XFEATURE_MASK_YMM) && !(xcr0 & XFEATURE_MASK_SSE))
		return false;
	if ((xcr0 & avx512) &&
	    ((xcr0 & avx512) != avx512 || !(xcr0 & XFEATURE_MASK_YMM)))
		return false;
	return true;
}

int nyx_x86_handle_xsetbv(struct nyx_vcpu *vcpu)
{
	u64 xcr0 = (u32)vcpu->regs[X86_RAX] |
		   ((u64)(u32)vcpu->regs[X86_RDX] << 32);

	vcpu->stats[NYX_STAT_XSETBV]++;
	if ((u32)vcpu->regs[X86_RCX] != 0 || nyx_ops->get_cpl(vcpu) != 0 ||
	    !nyx_xcr0_valid(vcpu, xcr0)) {
		nyx_x86_queue_exception(vcpu, NYX_GP_VECTOR, true, 0);
		return 1;
	}
	vcpu->xcr0 = xcr0;
	nyx_ops->skip_insn(vcpu, 3);
	return 1;
}

int nyx_x86_get_fpu(struct nyx_vcpu *vcpu, struct nyx_fpu __user *uf)
{
	struct nyx_fpu *f;
	int r = 0;

	f = kzalloc(sizeof(*f), GFP_KERNEL_ACCOUNT);
	if (!f)
		return -ENOMEM;
	fpu_copy_guest_fpstate_to_uabi(&vcpu->gfpu, f->xsave, sizeof(f->xsave),
				       nyx_x86_guest_xcr0_mask(vcpu), 0);
	f->xcr0 = vcpu->xcr0;
	if (copy_to_user(uf, f, sizeof(*f)))
		r = -EFAULT;
	kfree(f);
	return r;
}

int nyx_x86_set_fpu(struct nyx_vcpu *vcpu, struct nyx_fpu __user *uf)
{
	struct nyx_fpu *f;
	u32 pkru = 0;
	int i, r;

	f = memdup_user(uf, sizeof(*f));
	if (IS_ERR(f))
		return PTR_ERR(f);
	r = -EINVAL;
	if (f->flags)
		goto out;
	for (i = 0; i < ARRAY_SIZE(f->reserved); i++)
		if (f->reserved[i])
			goto out;
	if (!nyx_xcr0_valid(vcpu, f->xcr0))
		goto out;
	/* rejects components outside the mask and malformed headers */
	r = fpu_copy_uabi_to_guest_fpstate(&vcpu->gfpu, f->xsave,
					   nyx_x86_guest_xcr0_mask(vcpu),
					   &pkru);
	if (r)
		goto out;
	vcpu->xcr0 = f->xcr0;
out:
	kfree(f);
	return r;
}
