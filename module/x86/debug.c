// SPDX-License-Identifier: GPL-2.0
/*
 * Guest debugging (NYX_SET_GUEST_DEBUG): single-step through RFLAGS.TF,
 * software breakpoints through the #BP intercept, hardware breakpoints
 * and watchpoints through DR0-3/DR7 loaded for the guest. The vendor
 * code sets its intercepts (update_guest_debug) and decodes #DB/#BP
 * exits; what is common to both lives here.
 */
#include "x86/x86.h"

#include <linux/kernel.h>
#include <asm/cpufeature.h>
#include <asm/debugreg.h>
#include <asm/processor-flags.h>

/*
 * DR7 bits the debugger may not set: 11-12 and 14-15 are reserved, 13
 * (GD) would make the host's own next MOV DR (after the exit, or in
 * hw_breakpoint_restore()) raise #DB in the host kernel where the
 * debugger's DR7 is also loaded into the host (nested runs).
 */
#define NYX_DBG_DR7_DROP	0xf800ull

#define NYX_DR6_BS		(1ull << 14)

static bool nyx_dbg_canonical(u64 la)
{
	return (u64)(((s64)la << 16) >> 16) == la;
}

int nyx_x86_set_guest_debug(struct nyx_vcpu *vcpu,
			    const struct nyx_guest_debug *dbg)
{
	u32 ctl = dbg->control;
	bool was_hw, hw;
	unsigned int i;

	if ((ctl & ~NYX_GUESTDBG_VALID_FLAGS) || dbg->padding)
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(dbg->reserved); i++)
		if (dbg->reserved[i])
			return -EINVAL;
	if (dbg->debugreg[4] || dbg->debugreg[5] || dbg->debugreg[6] ||
	    dbg->debugreg[7] >> 32)
		return -EINVAL;
	/* MOV to DR0-3 faults on a non-canonical address in 64-bit mode */
	for (i = 0; i < 4; i++)
		if (!nyx_dbg_canonical(dbg->debugreg[i]))
			return -EINVAL;
	if (!(ctl & NYX_GUESTDBG_ENABLE))
		ctl = 0;

	was_hw = vcpu->guest_debug & NYX_GUESTDBG_USE_HW_BP;
	hw = ctl & NYX_GUESTDBG_USE_HW_BP;
	/* the guest's own DR7 is kept aside while ours is loaded */
	if (!was_hw && hw)
		vcpu->guest_dr7 = nyx_ops->get_dr7(vcpu);
	for (i = 0; i < 4; i++)
		vcpu->dbg_dr[i] = dbg->debugreg[i];
	vcpu->dbg_dr7 = dbg->debugreg[7];
	vcpu->guest_debug = ctl;
	if (was_hw && !hw)
		nyx_ops->set_dr7(vcpu, vcpu->guest_dr7);
	nyx_x86_debug_apply(vcpu);
	return 0;
}

/* (Re)load the vendor state for the current settings, also after reset. */
void nyx_x86_debug_apply(struct nyx_vcpu *vcpu)
{
	if (vcpu->guest_debug & NYX_GUESTDBG_USE_HW_BP)
		nyx_ops->set_dr7(vcpu,
				 (vcpu->dbg_dr7 & ~NYX_DBG_DR7_DROP) | 0x400);
	nyx_ops->update_guest_debug(vcpu);
}

/*
 * Right before the entry, interrupts off. DR0-3 are not switched by
 * VMRUN/VM entry: load the debugger's values by hand (the vendor gives
 * the host its own back after the exit, hw_breakpoint_restore()).
 * Host DR7 is cleared first so that no host breakpoint fires on them.
 */
void nyx_x86_debug_before_run(struct nyx_vcpu *vcpu)
{
	if (vcpu->guest_debug & NYX_GUESTDBG_USE_HW_BP) {
		set_debugreg(0, 7);
		set_debugreg(vcpu->dbg_dr[0], 0);
		set_debugreg(vcpu->dbg_dr[1], 1);
		set_debugreg(vcpu->dbg_dr[2], 2);
		set_debugreg(vcpu->dbg_dr[3], 3);
		/*
		 * An emulated SVM/VMX may load the guest's DR7 from the
		 * VMCB/VMCS without arming its breakpoints (QEMU 7.2 TCG,
		 * our nested test machine, assigns DR7 in VMRUN): arm them
		 * through the host DR7 first. Only under a hypervisor: on
		 * bare metal the entry loads DR7 itself, and the host should
		 * not run with guest addresses armed even for a moment.
		 */
		if (boot_cpu_has(X86_FEATURE_HYPERVISOR))
			set_debugreg((vcpu->dbg_dr7 & ~NYX_DBG_DR7_DROP) | 0x400, 7);
	}
	/* TF set by us is taken off again after the exit, so the guest
	 * (and NYX_GET_REGS) sees its own value */
	vcpu->dbg_tf_added = false;
	if ((vcpu->guest_debug & NYX_GUESTDBG_SINGLESTEP) &&
	    !(vcpu->rflags & X86_EFLAGS_TF)) {
		vcpu->rflags |= X86_EFLAGS_TF;
		vcpu->dbg_tf_added = true;
	}
}

void nyx_x86_debug_after_run(struct nyx_vcpu *vcpu)
{
	/* the exit reset DR7 (the vendor restored the host's breakpoints
	 * if it has any); make an emulated CPU disarm ours too */
	if ((vcpu->guest_debug & NYX_GUESTDBG_USE_HW_BP) &&
	    boot_cpu_has(X86_FEATURE_HYPERVISOR) && !hw_breakpoint_active())
		set_debugreg(0, 7);
	if (vcpu->dbg_tf_added)
		vcpu->rflags &= ~X86_EFLAGS_TF;
	vcpu->dbg_tf_added = false;
}

/* Fill a NYX_EXIT_DEBUG; returns 0 (exit to userspace). */
int nyx_x86_debug_exit(struct nyx_vcpu *vcpu, u32 exception, u64 dr6)
{
	struct nyx_run *run = vcpu->run;
	struct x86_cpu_state s;

	nyx_ops->get_emu_state(vcpu, &s);
	run->exit_reason = NYX_EXIT_DEBUG;
	run->debug.exception = exception;
	run->debug.padding = 0;
	run->debug.pc = s.seg[X86_SEG_CS].base + vcpu->rip;
	run->debug.dr6 = dr6;
	run->debug.dr7 = vcpu->guest_debug & NYX_GUESTDBG_USE_HW_BP ?
			 vcpu->dbg_dr7 : nyx_ops->get_dr7(vcpu);
	vcpu->dbg_step_done = false;
	return 0;
}

/*
 * A #DB the vendor intercepted, with the DR6 bits it reports: ours
 * (stepping, or one of the debugger's enabled breakpoints hit) exits to
 * userspace, anything else is the guest's and is delivered to it.
 */
int nyx_x86_handle_db(struct nyx_vcpu *vcpu, u64 dr6)
{
	u64 enabled = 0;
	int i;

	for (i = 0; i < 4; i++)
		if (vcpu->dbg_dr7 & (3ull << (2 * i)))
			enabled |= 1ull << i;
	if ((vcpu->guest_debug & NYX_GUESTDBG_SINGLESTEP) ||
	    ((vcpu->guest_debug & NYX_GUESTDBG_USE_HW_BP) && (dr6 & enabled)))
		return nyx_x86_debug_exit(vcpu, 1, dr6);
	nyx_x86_queue_exception(vcpu, 1, false, 0);
	return 1;
}

/*
 * Single-stepping an instruction that nyx completed itself (an
 * intercepted or emulated one: CPUID, port I/O, MMIO, HLT, ...) raises
 * no #DB: report the step as done when RIP moved, as KVM does.
 */
bool nyx_x86_debug_step_done(struct nyx_vcpu *vcpu, u64 old_rip)
{
	return (vcpu->guest_debug & NYX_GUESTDBG_SINGLESTEP) &&
	       (vcpu->rip != old_rip || vcpu->dbg_step_done);
}

int nyx_x86_debug_step_exit(struct nyx_vcpu *vcpu)
{
	return nyx_x86_debug_exit(vcpu, 1, 0xffff0ff0ull | NYX_DR6_BS);
}
