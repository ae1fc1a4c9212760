// SPDX-License-Identifier: GPL-2.0
/*
 * AMD SVM backend: VMCB setup, guest entry, exit decoding, NPT entries.
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/io.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <asm/svm.h>
#include <asm/trapnr.h>
#include <asm/msr.h>
#include <asm/msr-index.h>
#include <asm/processor.h>
#include <asm/cpufeature.h>
#include <asm/fpu/xcr.h>
#include <asm/debugreg.h>
#include <asm/reboot.h>

#include "x86/x86.h"
#include "svm/svm.h"
#include "core/trace.h"

void nyx_svm_vmrun(u64 vmcb_pa, unsigned long *regs, u64 host_save_pa);

/* CPUID 0x8000000A EDX */
#define SVM_FEATURE_NPT			BIT(0)
#define SVM_FEATURE_NRIPS		BIT(3)
#define SVM_FEATURE_DECODE_ASSISTS	BIT(7)

/* NPF error code (EXITINFO1) */
#define SVM_NPF_WRITE			BIT_ULL(1)
#define SVM_NPF_RSVD			BIT_ULL(3)

#define SVM_DR6_RESET			0xffff0ff0ull
#define SVM_DR7_RESET			0x400ull

struct svm_cpu_data {
	struct page *hsave;		/* MSR_VM_HSAVE_PA: VMRUN's host state */
	struct page *host_save;		/* VMSAVE/VMLOAD of the host's state */
	u32 asid_generation;
	u32 next_asid;
	bool enabled;
};

struct svm_vcpu {
	struct vmcb *vmcb;
	u64 vmcb_pa;
	u32 asid_generation;		/* 0: needs a fresh ASID */
	int last_cpu;
	/* SVM does not track NMI blocking for us: an injected NMI masks
	 * NMIs until the guest's IRET has executed (intercepted, then RIP
	 * seen past it). */
	bool nmi_masked;
	bool awaiting_iret;
	u64 iret_rip;
	/* An acknowledged interrupt handed to V_IRQ, which the CPU delivers
	 * when the guest's IF allows (no window exit); -1: none. */
	int virq;
};

static DEFINE_PER_CPU(struct svm_cpu_data, svm_cpu_data);
static u32 svm_max_asid;
static bool svm_nrips, svm_decode_assists;
static struct page *svm_iopm_pages;	/* 12 KiB, every port intercepted */
static struct page *svm_msrpm_pages;	/* 8 KiB */

static inline struct svm_vcpu *to_svm(struct nyx_vcpu *vcpu)
{
	return vcpu->vendor;
}

static inline void svm_clgi(void)
{
	asm volatile("clgi" ::: "memory");
}

static inline void svm_stgi(void)
{
	asm volatile("stgi" ::: "memory");
}

bool nyx_svm_supported(void)
{
	return boot_cpu_has(X86_FEATURE_SVM) &&
	       cpuid_eax(0x80000000) >= 0x8000000a &&
	       (cpuid_edx(0x8000000a) & SVM_FEATURE_NPT);
}

/* ---- MSR permission map: 2 bits (read, write) per MSR, 3 ranges ---- */
static void svm_msrpm_allow(u8 *msrpm, u32 msr)
{
	u32 base, offset;

	if (msr < 0x2000)
		base = 0;
	else if (msr - 0xc0000000 < 0x2000)
		base = 0x800, msr -= 0xc0000000;
	else if (msr - 0xc0010000 < 0x2000)
		base = 0x1000, msr -= 0xc0010000;
	else
		return;
	offset = base + msr / 4;
	msrpm[offset] &= ~(3 << (2 * (msr % 4)));
}

/* These live in the VMCB and are switched by VMLOAD/VMSAVE. */
static const u32 svm_passthrough_msrs[] = {
	MSR_FS_BASE, MSR_GS_BASE, MSR_KERNEL_GS_BASE,
	MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SYSCALL_MASK,
	MSR_IA32_SYSENTER_CS, MSR_IA32_SYSENTER_ESP, MSR_IA32_SYSENTER_EIP,
};

static void svm_emergency_disable(void)
{
	u64 efer;

	rdmsrl(MSR_EFER, efer);
	if (efer & EFER_SVME) {
		svm_stgi();
		wrmsrl(MSR_VM_HSAVE_PA, 0);
		wrmsrl(MSR_EFER, efer & ~EFER_SVME);
	}
}

static void svm_free_cpu_pages(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct svm_cpu_data *sd = per_cpu_ptr(&svm_cpu_data, cpu);

		if (sd->hsave)
			__free_page(sd->hsave);
		if (sd->host_save)
			__free_page(sd->host_save);
		sd->hsave = sd->host_save = NULL;
	}
}

static int svm_hardware_setup(void)
{
	u32 edx = cpuid_edx(0x8000000a);
	unsigned int i;
	u64 vm_cr;
	int cpu;

	rdmsrl(MSR_VM_CR, vm_cr);
	if (vm_cr & (1 << SVM_VM_CR_SVM_DISABLE)) {
		pr_err("nyx: SVM is disabled by the firmware\n");
		return -ENODEV;
	}
	svm_max_asid = cpuid_ebx(0x8000000a) - 1;
	svm_nrips = edx & SVM_FEATURE_NRIPS;
	svm_decode_assists = edx & SVM_FEATURE_DECODE_ASSISTS;
	if (svm_max_asid < 1)
		return -ENODEV;

	for_each_possible_cpu(cpu) {
		struct svm_cpu_data *sd = per_cpu_ptr(&svm_cpu_data, cpu);

		sd->hsave = alloc_pages_node(cpu_to_node(cpu),
					     GFP_KERNEL | __GFP_ZERO, 0);
		sd->host_save = alloc_pages_node(cpu_to_node(cpu),
						 GFP_KERNEL | __GFP_ZERO, 0);
		if (!sd->hsave || !sd->host_save)
			goto nomem;
	}

	svm_iopm_pages = alloc_pages(GFP_KERNEL, 2);
	svm_msrpm_pages = alloc_pages(GFP_KERNEL, 1);
	if (!svm_iopm_pages || !svm_msrpm_pages)
		goto nomem;
	memset(page_address(svm_iopm_pages), 0xff, PAGE_SIZE << 2);
	memset(page_address(svm_msrpm_pages), 0xff, PAGE_SIZE << 1);
	for (i = 0; i < ARRAY_SIZE(svm_passthrough_msrs); i++)
		svm_msrpm_allow(page_address(svm_msrpm_pages),
				svm_passthrough_msrs[i]);

	nyx_host_xcr0 = boot_cpu_has(X86_FEATURE_OSXSAVE) ?
			xgetbv(XCR_XFEATURE_ENABLED_MASK) : 0;
	pr_info("nyx: SVM with NPT, %u ASIDs, nrips %d, decode assists %d\n",
		svm_max_asid, svm_nrips, svm_decode_assists);
	return 0;

nomem:
	if (svm_iopm_pages)
		__free_pages(svm_iopm_pages, 2);
	if (svm_msrpm_pages)
		__free_pages(svm_msrpm_pages, 1);
	svm_free_cpu_pages();
	return -ENOMEM;
}

static void svm_hardware_unsetup(void)
{
	__free_pages(svm_iopm_pages, 2);
	__free_pages(svm_msrpm_pages, 1);
	svm_free_cpu_pages();
}

static int svm_hardware_enable(void)
{
	struct svm_cpu_data *sd = this_cpu_ptr(&svm_cpu_data);
	u64 efer;

	rdmsrl(MSR_EFER, efer);
	if (efer & EFER_SVME) {
		/* another hypervisor (kvm_amd) owns SVM on this CPU */
		pr_warn_once("nyx: SVM already in use on CPU %d (kvm_amd running a VM?)\n",
			     smp_processor_id());
		return -EBUSY;
	}
	wrmsrl(MSR_EFER, efer | EFER_SVME);
	wrmsrl(MSR_VM_HSAVE_PA, page_to_phys(sd->hsave));
	sd->asid_generation = 1;
	sd->next_asid = svm_max_asid + 1;	/* first use starts a generation */
	sd->enabled = true;
	return 0;
}

static void svm_hardware_disable(void)
{
	struct svm_cpu_data *sd = this_cpu_ptr(&svm_cpu_data);
	u64 efer;

	if (!sd->enabled)
		return;
	wrmsrl(MSR_VM_HSAVE_PA, 0);
	rdmsrl(MSR_EFER, efer);
	wrmsrl(MSR_EFER, efer & ~EFER_SVME);
	sd->enabled = false;
}

/* ---- NPT entries: the long-mode page table format, user bit set ---- */
static u64 svm_mmu_leaf(u64 pfn, bool writable)
{
	return (pfn << PAGE_SHIFT) | _PAGE_PRESENT | _PAGE_USER |
	       _PAGE_ACCESSED | (writable ? _PAGE_RW | _PAGE_DIRTY : 0);
}

static u64 svm_mmu_table(u64 pa)
{
	return pa | _PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED;
}

static bool svm_mmu_present(u64 pte)
{
	return pte & _PAGE_PRESENT;
}

static int svm_vm_init(struct nyx_vm *vm)
{
	return 0;
}

static void svm_vm_destroy(struct nyx_vm *vm)
{
}

static int svm_vcpu_create(struct nyx_vcpu *vcpu)
{
	struct svm_vcpu *svm;
	struct page *page;

	svm = kzalloc(sizeof(*svm), GFP_KERNEL_ACCOUNT);
	if (!svm)
		return -ENOMEM;
	page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!page) {
		kfree(svm);
		return -ENOMEM;
	}
	svm->vmcb = page_address(page);
	svm->vmcb_pa = page_to_phys(page);
	svm->last_cpu = -1;
	vcpu->vendor = svm;
	return 0;
}

static void svm_vcpu_free(struct nyx_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);

	if (!svm)
		return;
	free_page((unsigned long)svm->vmcb);
	kfree(svm);
	vcpu->vendor = NULL;
}

static void svm_set_intercept(struct vmcb_control_area *c, int bit)
{
	c->intercepts[bit / 32] |= 1u << (bit % 32);
}

static void svm_clr_intercept(struct vmcb_control_area *c, int bit)
{
	c->intercepts[bit / 32] &= ~(1u << (bit % 32));
}

static void svm_init_seg(struct vmcb_seg *seg, u16 attrib)
{
	seg->selector = 0;
	seg->attrib = attrib;
	seg->limit = 0xffff;
	seg->base = 0;
}

/* The VMCB in the x86 reset state ("power-on" of AMD APM vol. 2 14.1.3). */
static void svm_vcpu_reset(struct nyx_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct vmcb_control_area *c = &svm->vmcb->control;
	struct vmcb_save_area *s = &svm->vmcb->save;
	static const int intercepts[] = {
		INTERCEPT_DR0_READ, INTERCEPT_DR1_READ, INTERCEPT_DR2_READ,
		INTERCEPT_DR3_READ, INTERCEPT_DR0_WRITE, INTERCEPT_DR1_WRITE,
		INTERCEPT_DR2_WRITE, INTERCEPT_DR3_WRITE,
		INTERCEPT_INTR, INTERCEPT_NMI, INTERCEPT_SMI, INTERCEPT_CPUID,
		INTERCEPT_INVD, INTERCEPT_HLT, INTERCEPT_INVLPGA,
		INTERCEPT_IOIO_PROT, INTERCEPT_MSR_PROT, INTERCEPT_TASK_SWITCH,
		INTERCEPT_SHUTDOWN, INTERCEPT_RDPMC,
		INTERCEPT_VMRUN, INTERCEPT_VMMCALL, INTERCEPT_VMLOAD,
		INTERCEPT_VMSAVE, INTERCEPT_STGI, INTERCEPT_CLGI,
		INTERCEPT_SKINIT, INTERCEPT_RDTSCP, INTERCEPT_WBINVD,
		INTERCEPT_MONITOR, INTERCEPT_MWAIT, INTERCEPT_XSETBV,
		INTERCEPT_RDPRU,
	};
	unsigned int i;

	memset(svm->vmcb, 0, PAGE_SIZE);
	for (i = 0; i < ARRAY_SIZE(intercepts); i++)
		svm_set_intercept(c, intercepts[i]);
	c->iopm_base_pa = page_to_phys(svm_iopm_pages);
	c->msrpm_base_pa = page_to_phys(svm_msrpm_pages);
	c->tsc_offset = vcpu->tsc_offset;
	c->int_ctl = V_INTR_MASKING_MASK;
	c->nested_ctl = SVM_NESTED_CTL_NP_ENABLE;
	c->nested_cr3 = nyx_mmu_root_pa(vcpu->vm);
	svm->asid_generation = 0;
	svm->nmi_masked = false;
	svm->awaiting_iret = false;
	svm->virq = -1;

	svm_init_seg(&s->cs, SVM_SELECTOR_P_MASK | SVM_SELECTOR_S_MASK |
		     SVM_SELECTOR_CODE_MASK | SVM_SELECTOR_READ_MASK | 1);
	s->cs.selector = 0xf000;
	s->cs.base = 0xffff0000;
	svm_init_seg(&s->ds, 0x93);
	svm_init_seg(&s->es, 0x93);
	svm_init_seg(&s->ss, 0x93);
	svm_init_seg(&s->fs, 0x93);
	svm_init_seg(&s->gs, 0x93);
	svm_init_seg(&s->gdtr, 0);
	svm_init_seg(&s->idtr, 0);
	svm_init_seg(&s->ldtr, 0x82);
	svm_init_seg(&s->tr, 0x8b);
	s->cr0 = X86_CR0_NW | X86_CR0_CD | X86_CR0_ET;
	s->efer = EFER_SVME;	/* VMRUN requires it; hidden from the guest */
	s->dr6 = SVM_DR6_RESET;
	s->dr7 = SVM_DR7_RESET;
	s->g_pat = 0x0007040600070406ull;
	s->cpl = 0;
}

static void svm_new_asid(struct svm_vcpu *svm, struct svm_cpu_data *sd)
{
	if (sd->next_asid > svm_max_asid) {
		sd->asid_generation++;
		sd->next_asid = 1;
		svm->vmcb->control.tlb_ctl = TLB_CONTROL_FLUSH_ALL_ASID;
	}
	svm->asid_generation = sd->asid_generation;
	svm->vmcb->control.asid = sd->next_asid++;
}

static void svm_vcpu_run(struct nyx_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct svm_cpu_data *sd = this_cpu_ptr(&svm_cpu_data);
	struct vmcb *vmcb = svm->vmcb;
	int cpu = smp_processor_id();
	bool switch_xcr0, hold_virq;

	/* A vCPU that moved, or a flushed one, gets a new ASID. */
	if (svm->last_cpu != cpu || svm->asid_generation != sd->asid_generation)
		svm_new_asid(svm, sd);
	svm->last_cpu = cpu;

	vmcb->save.rax = vcpu->regs[X86_RAX];
	vmcb->save.rsp = vcpu->regs[X86_RSP];
	vmcb->save.rip = vcpu->rip;
	vmcb->save.rflags = vcpu->rflags;

	/* regardless of the guest's CR4.OSXSAVE, which it may set without
	 * an exit: XCR0 matters only to instructions that need it */
	switch_xcr0 = nyx_host_xcr0 && vcpu->xcr0 != nyx_host_xcr0;

	/* no interrupt starts while the debugger steps (see the core): an
	 * interrupt waiting in V_IRQ is held back for the step */
	hold_virq = svm->virq >= 0 &&
		    (vcpu->guest_debug & NYX_GUESTDBG_SINGLESTEP);
	if (hold_virq)
		vmcb->control.int_ctl &= ~V_IRQ_MASK;

	svm_clgi();
	if (switch_xcr0)
		xsetbv(XCR_XFEATURE_ENABLED_MASK, vcpu->xcr0);

	nyx_svm_vmrun(svm->vmcb_pa, vcpu->regs, page_to_phys(sd->host_save));
	if (hold_virq)
		vmcb->control.int_ctl |= V_IRQ_MASK;

	/*
	 * XSETBV is intercepted, but not every (emulated) SVM honours the
	 * intercept (seen with QEMU TCG): take a value the guest managed to
	 * load, so its CPUID 0xD sizes and our switching stay right, and never
	 * leave it to the host.
	 */
	if (nyx_host_xcr0) {
		u64 xcr0 = xgetbv(XCR_XFEATURE_ENABLED_MASK);

		if (xcr0 != (switch_xcr0 ? vcpu->xcr0 : nyx_host_xcr0)) {
			vcpu->xcr0 = xcr0;
			switch_xcr0 = true;
		}
	}
	if (switch_xcr0)
		xsetbv(XCR_XFEATURE_ENABLED_MASK, nyx_host_xcr0);
	/* #VMEXIT resets DR7; give the host its breakpoints back. */
	if (hw_breakpoint_active())
		hw_breakpoint_restore();
	svm_stgi();

	vcpu->regs[X86_RAX] = vmcb->save.rax;
	vcpu->regs[X86_RSP] = vmcb->save.rsp;
	vcpu->rip = vmcb->save.rip;
	vcpu->rflags = vmcb->save.rflags;
	vmcb->control.tlb_ctl = TLB_CONTROL_DO_NOTHING;
}

static void svm_skip_insn(struct nyx_vcpu *vcpu, unsigned int len)
{
	u64 next = to_svm(vcpu)->vmcb->control.next_rip;

	/* trust next_rip only when it is plausible */
	if (svm_nrips && next - vcpu->rip >= 1 && next - vcpu->rip <= 15)
		vcpu->rip = next;
	else
		vcpu->rip += len;
	/* a skipped instruction ends an STI/MOV SS interrupt shadow */
	to_svm(vcpu)->vmcb->control.int_state = 0;
}

static void svm_queue_ud(struct nyx_vcpu *vcpu)
{
	nyx_x86_queue_exception(vcpu, NYX_UD_VECTOR, false, 0);
}

static int svm_handle_ioio(struct nyx_vcpu *vcpu)
{
	struct vmcb_control_area *c = &to_svm(vcpu)->vmcb->control;
	u64 info = c->exit_info_1;
	struct nyx_pio pio = {
		.port = info >> 16,
		.in = info & SVM_IOIO_TYPE_MASK,
		.string = info & SVM_IOIO_STR_MASK,
		.rep = info & SVM_IOIO_REP_MASK,
		.next_rip = c->exit_info_2,
	};
	u32 sz = (info & SVM_IOIO_SIZE_MASK) >> SVM_IOIO_SIZE_SHIFT;

	/* string I/O segment and address size come from the instruction */
	pio.size = sz & 1 ? 1 : sz & 2 ? 2 : 4;
	return nyx_x86_handle_pio(vcpu, &pio);
}

static int svm_handle_npf(struct nyx_vcpu *vcpu)
{
	struct vmcb_control_area *c = &to_svm(vcpu)->vmcb->control;
	u64 gpa = c->exit_info_2, err = c->exit_info_1;

	if (err & SVM_NPF_RSVD) {
		u64 data[2] = { gpa, err };

		/* our own table is malformed: never a guest's doing */
		return nyx_x86_internal_error(vcpu,
					      NYX_INTERNAL_ERROR_UNKNOWN_EXIT,
					      2, data);
	}
	return nyx_x86_handle_gpa_fault(vcpu, gpa, err & SVM_NPF_WRITE,
					c->exit_int_info,
					c->exit_int_info & SVM_EXITINTINFO_VALID);
}

static int svm_handle_db(struct nyx_vcpu *vcpu)
{
	struct vmcb_save_area *s = &to_svm(vcpu)->vmcb->save;
	u64 dr6 = s->dr6;

	vcpu->stats[NYX_STAT_EXCEPTION]++;
	/* the processor put the #DB's causes in the VMCB's DR6; keep them
	 * out of the guest's DR6 when the event was the debugger's */
	if (vcpu->guest_debug & (NYX_GUESTDBG_SINGLESTEP |
				 NYX_GUESTDBG_USE_HW_BP)) {
		int r = nyx_x86_handle_db(vcpu, dr6);

		if (!r)
			s->dr6 = SVM_DR6_RESET;
		return r;
	}
	nyx_x86_queue_exception(vcpu, X86_TRAP_DB, false, 0);
	return 1;
}

/*
 * INTn is intercepted while software breakpoints are on, because QEMU's
 * emulated SVM (TCG) reports INT3 as a software interrupt (SWINT) rather
 * than as the #BP exception. Without decode assists the instruction is
 * read from guest memory: INT3 exits to the debugger, INT n is delivered
 * as the software interrupt it is, RIP past it.
 */
static int svm_handle_swint(struct nyx_vcpu *vcpu)
{
	struct vmcb_control_area *c = &to_svm(vcpu)->vmcb->control;
	u8 insn[2];

	vcpu->stats[NYX_STAT_EXCEPTION]++;
	nyx_x86_emu_prepare(vcpu);
	x86_emu_init(&vcpu->emu, &vcpu->emu_cpu, &nyx_x86_emu_ops, vcpu);
	if (x86_emu_read_linear(&vcpu->emu, X86_SEG_CS, vcpu->rip, insn,
				sizeof(insn)) != X86_EMU_DONE)
		insn[0] = 0;
	if (insn[0] == 0xcc)
		return nyx_x86_debug_exit(vcpu, X86_TRAP_BP,
					  to_svm(vcpu)->vmcb->save.dr6);
	if (insn[0] == 0xcd) {
		vcpu->rip += 2;
		c->next_rip = vcpu->rip;
		c->event_inj = insn[1] | SVM_EVTINJ_VALID |
			       SVM_EVTINJ_TYPE_SOFT;
		return 1;
	}
	{
		u64 data[2] = { SVM_EXIT_SWINT, vcpu->rip };

		return nyx_x86_internal_error(vcpu,
					      NYX_INTERNAL_ERROR_EMULATION,
					      2, data);
	}
}

static void svm_update_guest_debug(struct nyx_vcpu *vcpu)
{
	struct vmcb_control_area *c = &to_svm(vcpu)->vmcb->control;
	u32 dbg = vcpu->guest_debug;

	if (dbg & (NYX_GUESTDBG_SINGLESTEP | NYX_GUESTDBG_USE_HW_BP))
		svm_set_intercept(c, INTERCEPT_EXCEPTION_OFFSET + X86_TRAP_DB);
	else
		svm_clr_intercept(c, INTERCEPT_EXCEPTION_OFFSET + X86_TRAP_DB);
	if (dbg & NYX_GUESTDBG_USE_SW_BP) {
		svm_set_intercept(c, INTERCEPT_EXCEPTION_OFFSET + X86_TRAP_BP);
		svm_set_intercept(c, INTERCEPT_INTn);
	} else {
		svm_clr_intercept(c, INTERCEPT_EXCEPTION_OFFSET + X86_TRAP_BP);
		svm_clr_intercept(c, INTERCEPT_INTn);
	}
	/* the guest's MOV DR7 must not clobber the debugger's */
	if (dbg & NYX_GUESTDBG_USE_HW_BP) {
		svm_set_intercept(c, INTERCEPT_DR7_READ);
		svm_set_intercept(c, INTERCEPT_DR7_WRITE);
	} else {
		svm_clr_intercept(c, INTERCEPT_DR7_READ);
		svm_clr_intercept(c, INTERCEPT_DR7_WRITE);
	}
}

/*
 * After an exit, with an interrupt in V_IRQ: the CPU clears V_IRQ when it
 * takes the interrupt. If the exit interrupted its delivery, EXITINTINFO
 * has it and it is re-injected like any event (QEMU's emulated SVM also
 * leaves V_IRQ set then: cleared here so that it is not taken twice).
 */
static void svm_virq_settle(struct svm_vcpu *svm, u32 intinfo)
{
	struct vmcb_control_area *c = &svm->vmcb->control;

	if ((intinfo & SVM_EXITINTINFO_VALID) &&
	    (intinfo & SVM_EXITINTINFO_TYPE_MASK) ==
	    SVM_EXITINTINFO_TYPE_INTR &&
	    (intinfo & SVM_EXITINTINFO_VEC_MASK) == svm->virq) {
		c->int_ctl &= ~V_IRQ_INJECTION_BITS_MASK;
		svm->virq = -1;
	} else if (!(c->int_ctl & V_IRQ_MASK)) {
		svm->virq = -1;			/* delivered */
	}
}

static int svm_handle_exit(struct nyx_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct vmcb_control_area *c = &svm->vmcb->control;
	u32 code = c->exit_code;
	u32 intinfo = c->exit_int_info;
	struct nyx_run *run = vcpu->run;

	trace_nyx_exit(vcpu->id, NYX_ISA_SVM, code, vcpu->rip, c->exit_info_1,
		       c->exit_info_2, intinfo, vcpu->rflags);
	c->event_inj = 0;
	/* the IRET that ends an NMI handler has executed: NMIs unmasked */
	if (svm->awaiting_iret && vcpu->rip != svm->iret_rip) {
		svm->awaiting_iret = false;
		svm->nmi_masked = false;
	}
	if (code == (u32)SVM_EXIT_ERR) {
		run->exit_reason = NYX_EXIT_FAIL_ENTRY;
		run->fail_entry.hardware_entry_failure_reason =
			((u64)c->exit_code_hi << 32) | code;
		run->fail_entry.cpu = svm->last_cpu;
		return 0;
	}

	if (svm->virq >= 0)
		svm_virq_settle(svm, intinfo);

	/* Re-inject an event whose delivery this exit interrupted; software
	 * interrupts, and INT3/INTO (reported as exceptions, but RIP is
	 * still at the instruction), are re-executed instead. */
	if (intinfo & SVM_EXITINTINFO_VALID) {
		u32 type = intinfo & SVM_EXITINTINFO_TYPE_MASK;
		u8 vec = intinfo & SVM_EXITINTINFO_VEC_MASK;
		bool soft_exc = type == SVM_EXITINTINFO_TYPE_EXEPT &&
				(vec == X86_TRAP_BP || vec == X86_TRAP_OF);

		if (type != SVM_EXITINTINFO_TYPE_SOFT && !soft_exc) {
			c->event_inj = intinfo;
			c->event_inj_err = c->exit_int_info_err;
		}
	}

	switch (code) {
	case SVM_EXIT_INTR:
		vcpu->stats[NYX_STAT_INTR]++;
		return 1;
	case SVM_EXIT_NMI:
		vcpu->stats[NYX_STAT_NMI]++;
		return 1;
	case SVM_EXIT_SMI:
		vcpu->stats[NYX_STAT_OTHER]++;
		return 1;
	case SVM_EXIT_VINTR:
		/* interrupt window open: the core injects before entry; an
		 * interrupt waiting in V_IRQ (a window was asked for behind
		 * it) goes first, as a normal injection */
		vcpu->stats[NYX_STAT_IRQ_WINDOW]++;
		c->int_ctl &= ~V_IRQ_INJECTION_BITS_MASK;
		svm_clr_intercept(c, INTERCEPT_VINTR);
		if (svm->virq >= 0) {
			c->event_inj = svm->virq | SVM_EVTINJ_VALID |
				       SVM_EVTINJ_TYPE_INTR;
			svm->virq = -1;
		}
		return 1;
	case SVM_EXIT_IRET:
		vcpu->stats[NYX_STAT_IRQ_WINDOW]++;
		svm_clr_intercept(c, INTERCEPT_IRET);
		svm->awaiting_iret = true;
		svm->iret_rip = vcpu->rip;
		return 1;
	case SVM_EXIT_CPUID:
		return nyx_x86_handle_cpuid(vcpu);
	case SVM_EXIT_HLT:
		vcpu->stats[NYX_STAT_HLT]++;
		svm_skip_insn(vcpu, 1);
		return nyx_x86_handle_hlt(vcpu);
	case SVM_EXIT_IOIO:
		return svm_handle_ioio(vcpu);
	case SVM_EXIT_MSR:
		return c->exit_info_1 ? nyx_x86_handle_wrmsr(vcpu) :
					nyx_x86_handle_rdmsr(vcpu);
	case SVM_EXIT_NPF:
		return svm_handle_npf(vcpu);
	case SVM_EXIT_SHUTDOWN:
		/* the VMCB is undefined after a shutdown: back to reset, but
		 * first leave what it shows in the log for a post-mortem */
		vcpu->stats[NYX_STAT_SHUTDOWN]++;
		pr_info_ratelimited("nyx: vCPU %d shutdown: rip %llx rsp %llx cs %x cr0 %llx cr2 %llx cr3 %llx cr4 %llx efer %llx intinfo %x/%x idt %llx/%x rflags %llx\n",
				    vcpu->id, (u64)vcpu->rip, (u64)vcpu->regs[X86_RSP],
				    svm->vmcb->save.cs.selector,
				    svm->vmcb->save.cr0, svm->vmcb->save.cr2,
				    svm->vmcb->save.cr3, svm->vmcb->save.cr4,
				    svm->vmcb->save.efer, intinfo,
				    c->exit_int_info_err,
				    svm->vmcb->save.idtr.base,
				    svm->vmcb->save.idtr.limit, (u64)vcpu->rflags);
		if (svm->vmcb->save.cr0 & X86_CR0_PG) {
			nyx_x86_log_walk(vcpu, "idt", svm->vmcb->save.idtr.base);
			nyx_x86_log_walk(vcpu, "rip", vcpu->rip);
		}
		nyx_x86_vcpu_reset(vcpu);
		run->exit_reason = NYX_EXIT_SHUTDOWN;
		return 0;
	case SVM_EXIT_XSETBV:
		return nyx_x86_handle_xsetbv(vcpu);
	case SVM_EXIT_READ_DR0 ... SVM_EXIT_READ_DR0 + 3:
	case SVM_EXIT_WRITE_DR0 ... SVM_EXIT_WRITE_DR0 + 3:
	case SVM_EXIT_READ_DR7:		/* only while the debugger's DR7 */
	case SVM_EXIT_WRITE_DR7:	/* is loaded */
		return nyx_x86_emulate_one(vcpu);
	case SVM_EXIT_EXCP_BASE + X86_TRAP_DB:
		return svm_handle_db(vcpu);
	case SVM_EXIT_EXCP_BASE + X86_TRAP_BP:
		vcpu->stats[NYX_STAT_EXCEPTION]++;
		/* RIP is at the INT3 */
		return nyx_x86_debug_exit(vcpu, X86_TRAP_BP,
					  svm->vmcb->save.dr6);
	case SVM_EXIT_SWINT:
		return svm_handle_swint(vcpu);
	case SVM_EXIT_INVD:
	case SVM_EXIT_WBINVD:
		vcpu->stats[NYX_STAT_OTHER]++;
		svm_skip_insn(vcpu, 2);
		return 1;
	case SVM_EXIT_RDPMC:
		vcpu->stats[NYX_STAT_OTHER]++;
		nyx_x86_queue_exception(vcpu, NYX_GP_VECTOR, true, 0);
		return 1;
	case SVM_EXIT_VMRUN:
	case SVM_EXIT_VMMCALL:
	case SVM_EXIT_VMLOAD:
	case SVM_EXIT_VMSAVE:
	case SVM_EXIT_STGI:
	case SVM_EXIT_CLGI:
	case SVM_EXIT_SKINIT:
	case SVM_EXIT_RDTSCP:
	case SVM_EXIT_MONITOR:
	case SVM_EXIT_MWAIT:
	case SVM_EXIT_MWAIT_COND:
	case SVM_EXIT_RDPRU:
	case SVM_EXIT_INVLPGA:
		/* not exposed to the guest (see CPUID): as on such a CPU */
		vcpu->stats[NYX_STAT_OTHER]++;
		svm_queue_ud(vcpu);
		return 1;
	default: {
		u64 data[4] = { code, c->exit_info_1, c->exit_info_2, intinfo };

		vcpu->stats[NYX_STAT_OTHER]++;
		return nyx_x86_internal_error(vcpu,
					      NYX_INTERNAL_ERROR_UNKNOWN_EXIT,
					      4, data);
	}
	}
}

/* ---- state accessors ---- */
static struct vmcb_seg *svm_seg(struct vmcb_save_area *s, int i)
{
	struct vmcb_seg *segs[NYX_SREGS_NR_SEGS] = {
		[X86_SEG_ES] = &s->es, [X86_SEG_CS] = &s->cs,
		[X86_SEG_SS] = &s->ss, [X86_SEG_DS] = &s->ds,
		[X86_SEG_FS] = &s->fs, [X86_SEG_GS] = &s->gs,
		[NYX_SREGS_TR] = &s->tr, [NYX_SREGS_LDT] = &s->ldtr,
	};

	return segs[i];
}

static void svm_get_sregs(struct nyx_vcpu *vcpu, struct nyx_sregs *sr)
{
	struct vmcb *vmcb = to_svm(vcpu)->vmcb;
	struct vmcb_save_area *s = &vmcb->save;
	int i;

	for (i = 0; i < NYX_SREGS_NR_SEGS; i++) {
		struct vmcb_seg *v = svm_seg(s, i);
		struct nyx_segment *u = nyx_x86_sregs_seg(sr, i);

		u->base = v->base;
		u->limit = v->limit;
		u->selector = v->selector;
		nyx_x86_seg_unpack(u, v->attrib,
				   !(v->attrib & SVM_SELECTOR_P_MASK));
	}
	sr->gdt.base = s->gdtr.base;
	sr->gdt.limit = s->gdtr.limit;
	sr->idt.base = s->idtr.base;
	sr->idt.limit = s->idtr.limit;
	sr->cr0 = s->cr0;
	sr->cr2 = s->cr2;
	sr->cr3 = s->cr3;
	sr->cr4 = s->cr4;
	sr->cr8 = vmcb->control.int_ctl & V_TPR_MASK;
	sr->efer = s->efer & ~EFER_SVME;
}

static int svm_set_sregs(struct nyx_vcpu *vcpu, const struct nyx_sregs *sr)
{
	struct vmcb *vmcb = to_svm(vcpu)->vmcb;
	struct vmcb_save_area *s = &vmcb->save;
	int i;

	for (i = 0; i < NYX_SREGS_NR_SEGS; i++) {
		struct vmcb_seg *v = svm_seg(s, i);
		const struct nyx_segment *u =
			nyx_x86_sregs_seg((struct nyx_sregs *)sr, i);

		v->base = u->base;
		v->limit = u->limit;
		v->selector = u->selector;
		v->attrib = u->unusable ? 0 : nyx_x86_seg_pack(u);
	}
	s->gdtr.base = sr->gdt.base;
	s->gdtr.limit = sr->gdt.limit;
	s->idtr.base = sr->idt.base;
	s->idtr.limit = sr->idt.limit;
	s->cr0 = sr->cr0;
	s->cr2 = sr->cr2;
	s->cr3 = sr->cr3;
	s->cr4 = sr->cr4;
	vmcb->control.int_ctl = (vmcb->control.int_ctl & ~V_TPR_MASK) |
				(sr->cr8 & V_TPR_MASK);
	s->efer = sr->efer | EFER_SVME;
	/* CPL: 0 in real mode, 3 in virtual-8086 mode, else SS.DPL */
	if (!(sr->cr0 & X86_CR0_PE))
		s->cpl = 0;
	else if (vcpu->rflags & X86_EFLAGS_VM)
		s->cpl = 3;
	else
		s->cpl = sr->ss.dpl;
	/* cached translations may be stale */
	to_svm(vcpu)->asid_generation = 0;
	return 0;
}

static void svm_get_emu_state(struct nyx_vcpu *vcpu, struct x86_cpu_state *st)
{
	struct vmcb_save_area *s = &to_svm(vcpu)->vmcb->save;
	int i;

	st->cr0 = s->cr0;
	st->cr3 = s->cr3;
	st->cr4 = s->cr4;
	st->efer = s->efer & ~EFER_SVME;
	for (i = 0; i < X86_NR_SEGS; i++) {
		const struct vmcb_seg *v = svm_seg(s, i);

		st->seg[i].base = v->base;
		st->seg[i].limit = v->limit;
		st->seg[i].selector = v->selector;
		st->seg[i].attr = v->attrib;
	}
}

static int svm_get_cpl(struct nyx_vcpu *vcpu)
{
	return to_svm(vcpu)->vmcb->save.cpl;
}

static u64 svm_get_cr4(struct nyx_vcpu *vcpu)
{
	return to_svm(vcpu)->vmcb->save.cr4;
}

static u64 svm_get_dr7(struct nyx_vcpu *vcpu)
{
	return to_svm(vcpu)->vmcb->save.dr7;
}

static void svm_set_dr7(struct nyx_vcpu *vcpu, u64 val)
{
	to_svm(vcpu)->vmcb->save.dr7 = val;
}

static u64 *svm_msr_field(struct vmcb_save_area *s, u32 index)
{
	switch (index) {
	case MSR_STAR: return &s->star;
	case MSR_LSTAR: return &s->lstar;
	case MSR_CSTAR: return &s->cstar;
	case MSR_SYSCALL_MASK: return &s->sfmask;
	case MSR_KERNEL_GS_BASE: return &s->kernel_gs_base;
	case MSR_IA32_SYSENTER_CS: return &s->sysenter_cs;
	case MSR_IA32_SYSENTER_ESP: return &s->sysenter_esp;
	case MSR_IA32_SYSENTER_EIP: return &s->sysenter_eip;
	case MSR_FS_BASE: return &s->fs.base;
	case MSR_GS_BASE: return &s->gs.base;
	case MSR_IA32_CR_PAT: return &s->g_pat;
	}
	return NULL;
}

static int svm_get_msr(struct nyx_vcpu *vcpu, u32 index, u64 *data)
{
	struct vmcb_save_area *s = &to_svm(vcpu)->vmcb->save;
	u64 *field;

	if (index == MSR_EFER) {
		*data = s->efer & ~EFER_SVME;
		return 0;
	}
	field = svm_msr_field(s, index);
	if (!field)
		return 1;
	*data = *field;
	return 0;
}

static int svm_set_msr(struct nyx_vcpu *vcpu, u32 index, u64 data)
{
	struct vmcb_save_area *s = &to_svm(vcpu)->vmcb->save;
	u64 *field;

	switch (index) {
	case MSR_EFER:
		/* LME cannot change while paging is on; LMA is read-only */
		if (((data ^ s->efer) & EFER_LME) && (s->cr0 & X86_CR0_PG))
			return -EINVAL;
		s->efer = (data & ~EFER_LMA) | (s->efer & EFER_LMA) | EFER_SVME;
		return 0;
	}
	field = svm_msr_field(s, index);
	if (!field)
		return 1;
	*field = data;
	return 0;
}

static void svm_set_tsc_offset(struct nyx_vcpu *vcpu, u64 offset)
{
	to_svm(vcpu)->vmcb->control.tsc_offset = offset;
}

static void svm_inject_irq_virtual(struct nyx_vcpu *vcpu, u8 vector);

static void svm_inject_exception(struct nyx_vcpu *vcpu,
				 const struct nyx_pending_exception *exc)
{
	struct vmcb *vmcb = to_svm(vcpu)->vmcb;

	/* real mode pushes no error code */
	bool err = exc->has_error_code && (vmcb->save.cr0 & X86_CR0_PE);
	u32 queued = vmcb->control.event_inj;

	/* an interrupt queued for this entry is already acknowledged: it
	 * waits in V_IRQ behind the exception rather than being lost */
	if ((queued & SVM_EVTINJ_VALID) &&
	    (queued & SVM_EVTINJ_TYPE_MASK) == SVM_EVTINJ_TYPE_INTR &&
	    to_svm(vcpu)->virq < 0)
		svm_inject_irq_virtual(vcpu, queued & SVM_EVTINJ_VEC_MASK);
	vmcb->control.event_inj = exc->vector | SVM_EVTINJ_TYPE_EXEPT |
				  SVM_EVTINJ_VALID |
				  (err ? SVM_EVTINJ_VALID_ERR : 0);
	vmcb->control.event_inj_err = exc->error_code;
	if (exc->vector == NYX_PF_VECTOR)
		vmcb->save.cr2 = exc->cr2;
}

/* ---- interrupt injection (in-kernel irqchip) ---- */

static bool svm_event_queued(struct nyx_vcpu *vcpu)
{
	return to_svm(vcpu)->vmcb->control.event_inj & SVM_EVTINJ_VALID;
}

static bool svm_in_shadow(struct nyx_vcpu *vcpu)
{
	return to_svm(vcpu)->vmcb->control.int_state &
	       SVM_INTERRUPT_SHADOW_MASK;
}

static bool svm_interrupt_allowed(struct nyx_vcpu *vcpu)
{
	return (vcpu->rflags & X86_EFLAGS_IF) && !svm_in_shadow(vcpu);
}

static bool svm_nmi_allowed(struct nyx_vcpu *vcpu)
{
	return !to_svm(vcpu)->nmi_masked && !svm_in_shadow(vcpu);
}

static void svm_inject_irq(struct nyx_vcpu *vcpu, u8 vector)
{
	to_svm(vcpu)->vmcb->control.event_inj = vector | SVM_EVTINJ_VALID |
						SVM_EVTINJ_TYPE_INTR;
}

static void svm_inject_irq_virtual(struct nyx_vcpu *vcpu, u8 vector)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct vmcb_control_area *c = &svm->vmcb->control;

	/* V_IGN_TPR: the LAPIC's priorities were applied at the ack */
	c->int_ctl = (c->int_ctl & ~V_IRQ_INJECTION_BITS_MASK) | V_IRQ_MASK |
		     V_IGN_TPR_MASK | ((vector >> 4) << V_INTR_PRIO_SHIFT);
	c->int_vector = vector;
	svm_clr_intercept(c, INTERCEPT_VINTR);
	svm->virq = vector;
}

static bool svm_irq_virtual_pending(struct nyx_vcpu *vcpu)
{
	return to_svm(vcpu)->virq >= 0;
}

static void svm_inject_nmi(struct nyx_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);

	svm->vmcb->control.event_inj = X86_TRAP_NMI | SVM_EVTINJ_VALID |
				       SVM_EVTINJ_TYPE_NMI;
	svm->nmi_masked = true;
	svm->awaiting_iret = false;
	svm_set_intercept(&svm->vmcb->control, INTERCEPT_IRET);
}

/*
 * A virtual interrupt request (V_IRQ) that ignores the TPR exits with
 * VINTR as soon as the guest can take an interrupt; nothing is delivered
 * through it.
 */
static void svm_enable_irq_window(struct nyx_vcpu *vcpu)
{
	struct vmcb_control_area *c = &to_svm(vcpu)->vmcb->control;

	/* behind an interrupt waiting in V_IRQ: its own request exits */
	if (to_svm(vcpu)->virq < 0)
		c->int_ctl |= V_IRQ_MASK | V_IGN_TPR_MASK |
			      (0xf << V_INTR_PRIO_SHIFT);
	svm_set_intercept(c, INTERCEPT_VINTR);
}

/* NMIs unblock at the IRET (intercepted since the injection), or after
 * the shadow, which the next exit sees. */
static void svm_enable_nmi_window(struct nyx_vcpu *vcpu)
{
}

static u8 svm_get_cr8(struct nyx_vcpu *vcpu)
{
	return to_svm(vcpu)->vmcb->control.int_ctl & V_TPR_MASK;
}

static void svm_set_cr8(struct nyx_vcpu *vcpu, u8 cr8)
{
	struct vmcb_control_area *c = &to_svm(vcpu)->vmcb->control;

	c->int_ctl = (c->int_ctl & ~V_TPR_MASK) | (cr8 & V_TPR_MASK);
}

static void svm_get_events(struct nyx_vcpu *vcpu, struct nyx_vcpu_events *ev)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct vmcb_control_area *c = &svm->vmcb->control;
	u32 inj = c->event_inj;

	if (inj & SVM_EVTINJ_VALID) {
		switch (inj & SVM_EVTINJ_TYPE_MASK) {
		case SVM_EVTINJ_TYPE_INTR:
			ev->interrupt.injected = 1;
			ev->interrupt.nr = inj & SVM_EVTINJ_VEC_MASK;
			break;
		case SVM_EVTINJ_TYPE_NMI:
			ev->nmi.injected = 1;
			break;
		case SVM_EVTINJ_TYPE_EXEPT:
			ev->exception.injected = 1;
			ev->exception.nr = inj & SVM_EVTINJ_VEC_MASK;
			ev->exception.has_error_code =
				!!(inj & SVM_EVTINJ_VALID_ERR);
			ev->exception.error_code = c->event_inj_err;
			break;
		}
	} else if (svm->virq >= 0) {
		ev->interrupt.injected = 1;
		ev->interrupt.nr = svm->virq;
	}
	ev->interrupt.shadow = svm_in_shadow(vcpu);
	ev->nmi.masked = svm->nmi_masked;
}

static int svm_set_events(struct nyx_vcpu *vcpu,
			  const struct nyx_vcpu_events *ev)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct vmcb_control_area *c = &svm->vmcb->control;

	c->event_inj = 0;
	c->int_ctl &= ~V_IRQ_INJECTION_BITS_MASK;
	svm_clr_intercept(c, INTERCEPT_VINTR);
	svm->virq = -1;
	c->int_state = ev->interrupt.shadow ? SVM_INTERRUPT_SHADOW_MASK : 0;
	/* an acknowledged interrupt the guest cannot take yet (IF clear,
	 * the shadow), or given together with an NMI or exception (the
	 * debugger handing the guest's INT3 back while one waited in
	 * V_IRQ), waits in V_IRQ; the other event goes first */
	if (ev->interrupt.injected &&
	    (!svm_interrupt_allowed(vcpu) || ev->nmi.injected ||
	     ev->exception.injected || ev->exception.pending))
		svm_inject_irq_virtual(vcpu, ev->interrupt.nr);
	else if (ev->interrupt.injected)
		c->event_inj = ev->interrupt.nr | SVM_EVTINJ_VALID |
			       SVM_EVTINJ_TYPE_INTR;
	if (!(c->event_inj & SVM_EVTINJ_VALID) && ev->nmi.injected)
		c->event_inj = X86_TRAP_NMI | SVM_EVTINJ_VALID |
			       SVM_EVTINJ_TYPE_NMI;
	else if (!(c->event_inj & SVM_EVTINJ_VALID) && ev->exception.injected)
		c->event_inj = ev->exception.nr | SVM_EVTINJ_VALID |
			       SVM_EVTINJ_TYPE_EXEPT |
			       (ev->exception.has_error_code ?
				SVM_EVTINJ_VALID_ERR : 0);
	c->event_inj_err = ev->exception.error_code;
	svm->nmi_masked = ev->nmi.masked;
	svm->awaiting_iret = false;
	if (svm->nmi_masked)
		svm_set_intercept(c, INTERCEPT_IRET);
	else
		svm_clr_intercept(c, INTERCEPT_IRET);
	return 0;
}

static void svm_flush_tlb(struct nyx_vcpu *vcpu)
{
	to_svm(vcpu)->asid_generation = 0;
}

const struct nyx_vendor_ops nyx_svm_ops = {
	.name = "svm",
	.cap_npt = 1,
	.cap_ept = 0,
	.hardware_setup = svm_hardware_setup,
	.hardware_unsetup = svm_hardware_unsetup,
	.hardware_enable = svm_hardware_enable,
	.hardware_disable = svm_hardware_disable,
	.emergency_disable = svm_emergency_disable,
	.mmu_large = true,		/* NPT takes the host's page sizes */
	.mmu_leaf = svm_mmu_leaf,
	.mmu_table = svm_mmu_table,
	.mmu_present = svm_mmu_present,
	.vm_init = svm_vm_init,
	.vm_destroy = svm_vm_destroy,
	.vcpu_create = svm_vcpu_create,
	.vcpu_free = svm_vcpu_free,
	.vcpu_reset = svm_vcpu_reset,
	.vcpu_run = svm_vcpu_run,
	.handle_exit = svm_handle_exit,
	.get_sregs = svm_get_sregs,
	.set_sregs = svm_set_sregs,
	.get_emu_state = svm_get_emu_state,
	.get_cpl = svm_get_cpl,
	.get_msr = svm_get_msr,
	.set_msr = svm_set_msr,
	.get_cr4 = svm_get_cr4,
	.get_dr7 = svm_get_dr7,
	.set_dr7 = svm_set_dr7,
	.update_guest_debug = svm_update_guest_debug,
	.set_tsc_offset = svm_set_tsc_offset,
	.inject_exception = svm_inject_exception,
	.event_queued = svm_event_queued,
	.interrupt_allowed = svm_interrupt_allowed,
	.nmi_allowed = svm_nmi_allowed,
	.inject_irq = svm_inject_irq,
	.inject_nmi = svm_inject_nmi,
	.enable_irq_window = svm_enable_irq_window,
	.inject_irq_virtual = svm_inject_irq_virtual,
	.irq_virtual_pending = svm_irq_virtual_pending,
	.enable_nmi_window = svm_enable_nmi_window,
	.get_cr8 = svm_get_cr8,
	.set_cr8 = svm_set_cr8,
	.get_events = svm_get_events,
	.set_events = svm_set_events,
	.flush_tlb = svm_flush_tlb,
	.skip_insn = svm_skip_insn,
};
