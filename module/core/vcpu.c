// SPDX-License-Identifier: GPL-2.0
/*
 * vCPU objects: the vCPU fd, its mmap'd run structure, register ioctls and
 * the run loop shared by both vendors.
 */
#include <linux/module.h>
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/sched/signal.h>
#include <linux/vmalloc.h>
#include <linux/rcupdate.h>
#include <linux/vtime.h>
#include <asm/tsc.h>

#include "core/core.h"
#include "x86/x86.h"
#include "x86/irq.h"
#include "core/trace.h"

/* nyx_regs (KVM order) <-> hardware encoding order */
static void nyx_regs_to_user(struct nyx_vcpu *vcpu, struct nyx_regs *r)
{
	unsigned long *g = vcpu->regs;

	r->rax = g[X86_RAX]; r->rbx = g[X86_RBX];
	r->rcx = g[X86_RCX]; r->rdx = g[X86_RDX];
	r->rsi = g[X86_RSI]; r->rdi = g[X86_RDI];
	r->rsp = g[X86_RSP]; r->rbp = g[X86_RBP];
	r->r8 = g[X86_R8];   r->r9 = g[X86_R9];
	r->r10 = g[X86_R10]; r->r11 = g[X86_R11];
	r->r12 = g[X86_R12]; r->r13 = g[X86_R13];
	r->r14 = g[X86_R14]; r->r15 = g[X86_R15];
	r->rip = vcpu->rip;
	r->rflags = vcpu->rflags;
}

static void nyx_regs_from_user(struct nyx_vcpu *vcpu, const struct nyx_regs *r)
{
	unsigned long *g = vcpu->regs;

	g[X86_RAX] = r->rax; g[X86_RBX] = r->rbx;
	g[X86_RCX] = r->rcx; g[X86_RDX] = r->rdx;
	g[X86_RSI] = r->rsi; g[X86_RDI] = r->rdi;
	g[X86_RSP] = r->rsp; g[X86_RBP] = r->rbp;
	g[X86_R8] = r->r8;   g[X86_R9] = r->r9;
	g[X86_R10] = r->r10; g[X86_R11] = r->r11;
	g[X86_R12] = r->r12; g[X86_R13] = r->r13;
	g[X86_R14] = r->r14; g[X86_R15] = r->r15;
	vcpu->rip = r->rip;
	/* bit 1 is always set; the rest is checked by the hardware */
	vcpu->rflags = r->rflags | X86_EFLAGS_FIXED;
}

/*
 * Kicks: a vCPU in guest mode is forced out with an IPI, so a request set
 * before the kick is seen before its next entry. Pairs with the barrier in
 * nyx_vcpu_enter().
 */
static void nyx_kick_ipi(void *unused)
{
}

void nyx_vcpu_kick_all(struct nyx_vm *vm, int req)
{
	int i, me = get_cpu();

	for (i = 0; i < NYX_MAX_VCPUS; i++) {
		struct nyx_vcpu *vcpu = READ_ONCE(vm->vcpus[i]);
		int cpu;

		if (!vcpu)
			continue;
		set_bit(req, &vcpu->requests);
		smp_mb__after_atomic();
		cpu = READ_ONCE(vcpu->cpu);
		if (READ_ONCE(vcpu->mode) != NYX_OUTSIDE_GUEST && cpu != me &&
		    cpu >= 0 && cpu_online(cpu))
			smp_call_function_single(cpu, nyx_kick_ipi, NULL, 1);
	}
	put_cpu();
}

static void nyx_process_requests(struct nyx_vcpu *vcpu)
{
	if (test_and_clear_bit(NYX_REQ_TLB_FLUSH, &vcpu->requests))
		nyx_ops->flush_tlb(vcpu);
	/* interrupt state is looked at before every entry anyway */
	clear_bit(NYX_REQ_EVENT, &vcpu->requests);
}

/* One guest entry. Returns >0 to continue, 0 to exit to userspace. */
static int nyx_vcpu_enter(struct nyx_vcpu *vcpu)
{
	u64 t0;
	u64 old_rip = vcpu->rip;
	int r;

	nyx_process_requests(vcpu);

	preempt_disable();
	if (nyx_ops->vcpu_load)
		nyx_ops->vcpu_load(vcpu, smp_processor_id());
	local_irq_disable();
	/*
	 * The guest's FPU registers were swapped in when NYX_RUN began; a
	 * context switch since (cond_resched, HLT sleep) saved them and left
	 * them to be reloaded on the way back to user mode, which this loop
	 * never takes: reload them now, or the guest runs with another
	 * task's XMM registers.
	 */
	if (test_thread_flag(TIF_NEED_FPU_LOAD))
		switch_fpu_return();
	WRITE_ONCE(vcpu->cpu, smp_processor_id());
	WRITE_ONCE(vcpu->mode, NYX_IN_GUEST);
	smp_mb();
	if (READ_ONCE(vcpu->requests) || need_resched() ||
	    signal_pending(current)) {
		WRITE_ONCE(vcpu->mode, NYX_OUTSIDE_GUEST);
		local_irq_enable();
		preempt_enable();
		return 1;
	}

	if (vcpu->exc.pending) {
		trace_nyx_inject(vcpu->id, NYX_INJ_EXC, vcpu->exc.vector);
		nyx_ops->inject_exception(vcpu, &vcpu->exc);
		vcpu->exc.pending = false;
	}
	/* no interrupt starts while the debugger steps (KVM's BLOCKIRQ):
	 * the step would land in the handler */
	if (vcpu->apic && !(vcpu->guest_debug & NYX_GUESTDBG_SINGLESTEP))
		nyx_irq_inject(vcpu);
	nyx_x86_debug_before_run(vcpu);

	/*
	 * Guest mode is a quiescent state for RCU, like user mode: we hold
	 * no RCU references. Without telling RCU, a CPU that only runs a
	 * guest (preemption off around each entry, so ticks never see one)
	 * ends in an RCU stall (seen under Bochs).
	 */
	rcu_virt_note_context_switch(smp_processor_id());
	/* From here the thread's time is the guest's (PF_VCPU or vtime, as
	 * KVM's guest_timing_enter_irqoff): /proc's guest_time, top's "gu" */
	vtime_account_guest_enter();
	trace_nyx_entry(vcpu->id, vcpu->rip);
	/* TSC cycles, not ktime: reading the clocksource twice per exit
	 * costs real time where it is not the TSC (HPET in a nested VM) */
	t0 = rdtsc();
	nyx_ops->vcpu_run(vcpu);
	vcpu->stats[NYX_STAT_GUEST_NS] += rdtsc() - t0;
	nyx_x86_debug_after_run(vcpu);

	WRITE_ONCE(vcpu->mode, NYX_OUTSIDE_GUEST);
	/*
	 * A host interrupt that caused the exit is taken here, still as
	 * guest time: with tick accounting, the tick that ended the guest's
	 * run is what charges that run to the guest (KVM does the same).
	 */
	local_irq_enable();
	/* an instruction after STI: its shadow would hide the interrupt */
	vcpu->stats[NYX_STAT_EXITS]++;
	local_irq_disable();
	vtime_account_guest_exit();
	local_irq_enable();
	preempt_enable();

	if (vcpu->apic)
		nyx_irq_after_exit(vcpu);
	r = nyx_ops->handle_exit(vcpu);
	if (vcpu->guest_debug & NYX_GUESTDBG_SINGLESTEP) {
		/* stepped an instruction nyx completed: no #DB came */
		if (r > 0 && nyx_x86_debug_step_done(vcpu, old_rip))
			return nyx_x86_debug_step_exit(vcpu);
		/* completed before going to userspace: report it when
		 * userspace runs the vCPU again */
		if (r == 0 && vcpu->run->exit_reason != NYX_EXIT_DEBUG &&
		    vcpu->rip != old_rip)
			vcpu->dbg_step_done = true;
	}
	return r;
}

static int nyx_vcpu_run(struct nyx_vcpu *vcpu)
{
	struct nyx_run *run = vcpu->run;
	u64 old_rip;
	int r;

	run->exit_reason = NYX_EXIT_UNKNOWN;
	/* there is no userspace interrupt controller to open a window for */
	if (READ_ONCE(run->request_interrupt_window))
		return -EINVAL;

	/* Finish the instruction userspace just served, if any. */
	old_rip = vcpu->rip;
	r = nyx_x86_complete_userspace(vcpu);
	if (r <= 0)
		return r;
	if (nyx_x86_debug_step_done(vcpu, old_rip))
		return nyx_x86_debug_step_exit(vcpu);

	if (READ_ONCE(run->immediate_exit)) {
		run->exit_reason = NYX_EXIT_INTR;
		return -EINTR;
	}

	fpu_swap_kvm_fpstate(&vcpu->gfpu, true);
	for (;;) {
		if (signal_pending(current)) {
			run->exit_reason = NYX_EXIT_INTR;
			vcpu->stats[NYX_STAT_SIGNAL]++;
			r = -EINTR;
			break;
		}
		cond_resched();
		r = nyx_irq_block(vcpu);
		if (r) {
			run->exit_reason = NYX_EXIT_INTR;
			vcpu->stats[NYX_STAT_SIGNAL]++;
			break;
		}
		r = nyx_vcpu_enter(vcpu);
		if (r <= 0)
			break;
	}
	fpu_swap_kvm_fpstate(&vcpu->gfpu, false);

	if (r == 0)
		vcpu->stats[NYX_STAT_USERSPACE]++;
	run->if_flag = !!(vcpu->rflags & X86_EFLAGS_IF);
	run->cr8 = vcpu->apic ? nyx_lapic_get_tpr(vcpu) : nyx_ops->get_cr8 ?
		   nyx_ops->get_cr8(vcpu) : 0;
	nyx_x86_get_msr(vcpu, MSR_IA32_APICBASE, &run->apic_base, true);
	return r;
}

static int nyx_set_cpuid(struct nyx_vcpu *vcpu, struct nyx_cpuid __user *uc)
{
	struct nyx_cpuid hdr;
	struct nyx_cpuid_entry *e;
	u32 i, j;

	if (copy_from_user(&hdr, uc, sizeof(hdr)))
		return -EFAULT;
	if (hdr.flags || hdr.reserved)
		return -EINVAL;
	if (hdr.nent > NYX_MAX_CPUID_ENTRIES)
		return -E2BIG;
	e = hdr.nent ? vmemdup_user(uc->entries, hdr.nent * sizeof(*e)) : NULL;
	if (IS_ERR(e))
		return PTR_ERR(e);
	for (i = 0; i < hdr.nent; i++) {
		bool bad = e[i].flags & ~NYX_CPUID_FLAG_SIGNIFICANT_INDEX;

		for (j = 0; j < ARRAY_SIZE(e[i].reserved); j++)
			bad |= e[i].reserved[j] != 0;
		if (bad) {
			kvfree(e);
			return -EINVAL;
		}
	}
	kvfree(vcpu->cpuid);
	vcpu->cpuid = e;
	vcpu->cpuid_nent = hdr.nent;
	nyx_x86_cpuid_changed(vcpu);
	return 0;
}

static int nyx_msrs_ioctl(struct nyx_vcpu *vcpu, struct nyx_msrs __user *um,
			  bool set)
{
	struct nyx_msrs hdr;
	struct nyx_msr_entry *e;
	u32 i;
	int r;

	if (copy_from_user(&hdr, um, sizeof(hdr)))
		return -EFAULT;
	if (hdr.flags || hdr.reserved)
		return -EINVAL;
	if (hdr.nmsrs > NYX_MAX_MSRS)
		return -E2BIG;
	if (!hdr.nmsrs)
		return 0;
	e = memdup_user(um->entries, hdr.nmsrs * sizeof(*e));
	if (IS_ERR(e))
		return PTR_ERR(e);
	for (i = 0; i < hdr.nmsrs; i++) {
		if (e[i].reserved) {
			kfree(e);
			return -EINVAL;
		}
	}
	for (i = 0; i < hdr.nmsrs; i++) {
		r = set ? nyx_x86_set_msr(vcpu, e[i].index, e[i].data, true) :
			  nyx_x86_get_msr(vcpu, e[i].index, &e[i].data, true);
		if (r)
			break;
	}
	r = i;
	if (!set && copy_to_user(um->entries, e, hdr.nmsrs * sizeof(*e)))
		r = -EFAULT;
	kfree(e);
	return r;
}

static long nyx_vcpu_ioctl(struct file *filp, unsigned int ioctl,
			   unsigned long arg)
{
	struct nyx_vcpu *vcpu = filp->private_data;
	void __user *argp = (void __user *)arg;
	long r;

	/* read-only, from any holder of the fd, and without the mutex
	 * that NYX_RUN holds while the guest runs */
	if (ioctl == NYX_GET_STATS)
		return nyx_vcpu_get_stats(vcpu, argp);
	if (vcpu->vm->mm != current->mm)
		return -EIO;
	if (mutex_lock_killable(&vcpu->mutex))
		return -EINTR;

	switch (ioctl) {
	case NYX_RUN:
		r = arg ? -EINVAL : nyx_vcpu_run(vcpu);
		break;
	case NYX_GET_REGS: {
		struct nyx_regs regs;

		nyx_regs_to_user(vcpu, &regs);
		r = copy_to_user(argp, &regs, sizeof(regs)) ? -EFAULT : 0;
		break;
	}
	case NYX_SET_REGS: {
		struct nyx_regs regs;

		r = -EFAULT;
		if (copy_from_user(&regs, argp, sizeof(regs)))
			break;
		nyx_regs_from_user(vcpu, &regs);
		vcpu->pending = NYX_PENDING_NONE;
		r = 0;
		break;
	}
	case NYX_GET_SREGS: {
		struct nyx_sregs sregs;

		memset(&sregs, 0, sizeof(sregs));
		nyx_ops->get_sregs(vcpu, &sregs);
		nyx_x86_get_msr(vcpu, MSR_IA32_APICBASE, &sregs.apic_base,
				true);
		if (vcpu->apic)
			sregs.cr8 = nyx_lapic_get_tpr(vcpu);
		r = copy_to_user(argp, &sregs, sizeof(sregs)) ? -EFAULT : 0;
		break;
	}
	case NYX_SET_SREGS: {
		struct nyx_sregs sregs;

		r = -EFAULT;
		if (copy_from_user(&sregs, argp, sizeof(sregs)))
			break;
		r = nyx_x86_check_sregs(&sregs);
		if (r)
			break;
		r = nyx_x86_set_msr(vcpu, MSR_IA32_APICBASE, sregs.apic_base,
				    true);
		if (r)
			break;
		r = nyx_ops->set_sregs(vcpu, &sregs);
		if (r)
			break;
		if (vcpu->apic)
			nyx_lapic_set_tpr(vcpu, sregs.cr8);
		vcpu->pending = NYX_PENDING_NONE;
		vcpu->state_invalid = false;
		break;
	}
	case NYX_GET_MSRS:
		r = nyx_msrs_ioctl(vcpu, argp, false);
		break;
	case NYX_SET_MSRS:
		r = nyx_msrs_ioctl(vcpu, argp, true);
		break;
	case NYX_SET_CPUID:
		r = nyx_set_cpuid(vcpu, argp);
		break;
	case NYX_GET_FPU:
		r = nyx_x86_get_fpu(vcpu, argp);
		break;
	case NYX_SET_FPU:
		r = nyx_x86_set_fpu(vcpu, argp);
		break;
	case NYX_SET_GUEST_DEBUG: {
		struct nyx_guest_debug dbg;

		r = -EFAULT;
		if (copy_from_user(&dbg, argp, sizeof(dbg)))
			break;
		r = nyx_x86_set_guest_debug(vcpu, &dbg);
		break;
	}
	case NYX_GET_VCPU_EVENTS:
	case NYX_SET_VCPU_EVENTS:
	case NYX_GET_LAPIC:
	case NYX_SET_LAPIC:
		r = nyx_lapic_vcpu_ioctl(vcpu, ioctl, argp);
		break;
	default:
		r = -ENOTTY;
	}
	mutex_unlock(&vcpu->mutex);
	return r;
}

static vm_fault_t nyx_vcpu_fault(struct vm_fault *vmf)
{
	struct nyx_vcpu *vcpu = vmf->vma->vm_file->private_data;

	if (vmf->pgoff >= NYX_RUN_PAGES)
		return VM_FAULT_SIGBUS;
	vmf->page = vcpu->run_pages[vmf->pgoff];
	get_page(vmf->page);
	return 0;
}

static const struct vm_operations_struct nyx_vcpu_vm_ops = {
	.fault = nyx_vcpu_fault,
};

static int nyx_vcpu_mmap(struct file *filp, struct vm_area_struct *vma)
{
	if (vma->vm_pgoff >= NYX_RUN_PAGES ||
	    vma_pages(vma) > NYX_RUN_PAGES - vma->vm_pgoff)
		return -EINVAL;
	vma->vm_ops = &nyx_vcpu_vm_ops;
	return 0;
}

static int nyx_vcpu_release(struct inode *inode, struct file *filp)
{
	struct nyx_vcpu *vcpu = filp->private_data;

	/* The vCPU itself lives until the VM goes away. */
	nyx_vm_put(vcpu->vm);
	return 0;
}

static const struct file_operations nyx_vcpu_fops = {
	.owner = THIS_MODULE,
	.release = nyx_vcpu_release,
	.unlocked_ioctl = nyx_vcpu_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.mmap = nyx_vcpu_mmap,
	.llseek = noop_llseek,
};

int nyx_create_vcpu(struct nyx_vm *vm, unsigned long id)
{
	struct nyx_vcpu *vcpu;
	char name[32];
	int r;

	if (id >= NYX_MAX_VCPUS)
		return -EINVAL;

	vcpu = kzalloc(sizeof(*vcpu), GFP_KERNEL_ACCOUNT);
	if (!vcpu)
		return -ENOMEM;
	vcpu->vm = vm;
	vcpu->id = id;
	vcpu->cpu = -1;
	mutex_init(&vcpu->mutex);
	init_waitqueue_head(&vcpu->wq);

	r = -ENOMEM;
	vcpu->run_pages[0] = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	vcpu->run_pages[1] = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!vcpu->run_pages[0] || !vcpu->run_pages[1])
		goto out_pages;
	vcpu->run = page_address(vcpu->run_pages[0]);
	if (!fpu_alloc_guest_fpstate(&vcpu->gfpu))
		goto out_pages;

	r = nyx_ops->vcpu_create(vcpu);
	if (r)
		goto out_fpu;

	mutex_lock(&vm->lock);
	if (vm->vcpus[id]) {
		r = -EEXIST;
		goto out_unlock;
	}
	/* the irqchip cannot appear any more: vm->lock, and nr_vcpus */
	r = nyx_lapic_create(vcpu);
	if (r)
		goto out_unlock;
	nyx_x86_vcpu_reset(vcpu);
	/* The fd holds a VM reference; the VM frees the vCPU. */
	kref_get(&vm->ref);
	snprintf(name, sizeof(name), "nyx-vcpu:%lu", id);
	r = anon_inode_getfd(name, &nyx_vcpu_fops, vcpu, O_RDWR | O_CLOEXEC);
	if (r < 0) {
		refcount_dec(&vm->ref.refcount);	/* never the last one */
		nyx_lapic_destroy(vcpu);
		goto out_unlock;
	}
	smp_store_release(&vm->vcpus[id], vcpu);
	atomic_inc(&vm->nr_vcpus);
	nyx_debugfs_vcpu_add(vcpu);
	mutex_unlock(&vm->lock);
	return r;

out_unlock:
	mutex_unlock(&vm->lock);
	nyx_ops->vcpu_free(vcpu);
out_fpu:
	fpu_free_guest_fpstate(&vcpu->gfpu);
out_pages:
	if (vcpu->run_pages[0])
		__free_page(vcpu->run_pages[0]);
	if (vcpu->run_pages[1])
		__free_page(vcpu->run_pages[1]);
	kfree(vcpu);
	return r;
}
