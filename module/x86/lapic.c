// SPDX-License-Identifier: GPL-2.0
/*
 * vCPU side of the in-kernel irqchip: the local APIC of each vCPU (model in
 * lib/irq/lapic.c) with its hrtimer, the APIC MSRs, interrupt and NMI
 * injection before each entry, HLT sleeping, INIT/SIPI, and the vCPU state
 * ioctls (NYX_GET/SET_LAPIC, NYX_GET/SET_VCPU_EVENTS).
 */
#include <linux/kernel.h>
#include <linux/moduleparam.h>
#include <linux/module.h>
#include <linux/ktime.h>
#include <linux/slab.h>
#include <linux/sched/signal.h>
#include <linux/uaccess.h>
#include <linux/wait.h>
#include <asm/msr-index.h>
#include <asm/tsc.h>

#include "x86/irq.h"
#include "x86/x86.h"
#include "core/trace.h"

static struct nyx_vm_irqchip *nyx_vcpu_chip(struct nyx_vcpu *vcpu)
{
	return vcpu->vm->irqchip;
}

/*
 * Make a vCPU notice new interrupt state: leave guest mode if it is in it
 * (an IPI to its CPU causes an exit), or wake it if it sleeps in HLT or
 * wait-for-SIPI. Any context, including hard IRQ.
 */
void nyx_vcpu_wake(struct nyx_vcpu *vcpu)
{
	int cpu;

	if (!vcpu)
		return;
	set_bit(NYX_REQ_EVENT, &vcpu->requests);
	smp_mb__after_atomic();
	cpu = READ_ONCE(vcpu->cpu);
	/* one IPI per guest entry: the first kick moves IN -> EXITING */
	if (cpu != raw_smp_processor_id() && cpu >= 0 && cpu_online(cpu) &&
	    cmpxchg(&vcpu->mode, NYX_IN_GUEST, NYX_EXITING_GUEST) ==
	    NYX_IN_GUEST)
		smp_send_reschedule(cpu);
	wake_up_interruptible(&vcpu->wq);
}

/* ---- LAPIC callbacks (chip lock held) ---- */

static void nyx_lapic_ipi(void *opaque, const struct nyx_apic_msg *msg)
{
	struct nyx_vcpu_apic *va = opaque;

	nyx_irqchip_deliver(nyx_vcpu_chip(va->vcpu), msg, &va->lapic);
}

static void nyx_lapic_eoi_bcast(void *opaque, u8 vector)
{
	struct nyx_vcpu_apic *va = opaque;

	nyx_irqchip_eoi_resample(nyx_vcpu_chip(va->vcpu), vector);
	nyx_ioapic_eoi(&nyx_vcpu_chip(va->vcpu)->ioapic, vector);
}

static void nyx_lapic_timer(void *opaque, u64 deadline)
{
	struct nyx_vcpu_apic *va = opaque;

	if (!deadline) {
		/* never hrtimer_cancel() here: it waits for a running
		 * callback, which may be spinning on our lock */
		hrtimer_try_to_cancel(&va->timer);
		return;
	}
	deadline = max(deadline, nyx_irq_now() + NYX_MIN_TIMER_NS);
	hrtimer_start(&va->timer, ns_to_ktime(deadline), HRTIMER_MODE_ABS);
}

static const struct nyx_lapic_ops nyx_lapic_ops = {
	.ipi = nyx_lapic_ipi,
	.eoi = nyx_lapic_eoi_bcast,
	.timer = nyx_lapic_timer,
};

static enum hrtimer_restart nyx_lapic_timer_fn(struct hrtimer *t)
{
	struct nyx_vcpu_apic *va = container_of(t, struct nyx_vcpu_apic,
						timer);
	struct nyx_vm_irqchip *chip = nyx_vcpu_chip(va->vcpu);
	unsigned long flags;
	int fired;

	spin_lock_irqsave(&chip->lock, flags);
	/* re-arms itself through ops->timer when periodic */
	fired = nyx_lapic_timer_expire(&va->lapic, nyx_irq_now());
	if (!fired && nyx_lapic_timer_deadline(&va->lapic))
		nyx_lapic_timer(va, nyx_lapic_timer_deadline(&va->lapic));
	spin_unlock_irqrestore(&chip->lock, flags);
	if (fired)
		nyx_vcpu_wake(va->vcpu);
	return HRTIMER_NORESTART;
}

int nyx_lapic_create(struct nyx_vcpu *vcpu)
{
	struct nyx_vm_irqchip *chip = nyx_vcpu_chip(vcpu);
	struct nyx_lapic_config cfg = {
		.apic_id = vcpu->id,
		.bsp = vcpu->id == 0,
		.x2apic = 1,
		.tsc_deadline = 1,
		.virtual_wire = 1,
	};
	struct nyx_vcpu_apic *va;
	unsigned long flags;

	if (!chip)
		return 0;
	va = kzalloc(sizeof(*va), GFP_KERNEL_ACCOUNT);
	if (!va)
		return -ENOMEM;
	va->vcpu = vcpu;
	hrtimer_init(&va->timer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS);
	va->timer.function = nyx_lapic_timer_fn;
	nyx_lapic_init(&va->lapic, &cfg, &nyx_lapic_ops, va);
	vcpu->apic = va;
	vcpu->mp_state = vcpu->id ? NYX_MP_STATE_WAIT_SIPI :
				    NYX_MP_STATE_RUNNABLE;
	spin_lock_irqsave(&chip->lock, flags);
	chip->apics[vcpu->id] = &va->lapic;
	spin_unlock_irqrestore(&chip->lock, flags);
	return 0;
}

void nyx_lapic_destroy(struct nyx_vcpu *vcpu)
{
	struct nyx_vcpu_apic *va = vcpu->apic;
	struct nyx_vm_irqchip *chip = nyx_vcpu_chip(vcpu);
	unsigned long flags;

	if (!va)
		return;
	spin_lock_irqsave(&chip->lock, flags);
	chip->apics[vcpu->id] = NULL;
	spin_unlock_irqrestore(&chip->lock, flags);
	hrtimer_cancel(&va->timer);
	kfree(va);
	vcpu->apic = NULL;
}

/* ---- MSRs ---- */

static u64 nyx_guest_tsc(struct nyx_vcpu *vcpu)
{
	return rdtsc() + vcpu->tsc_offset;
}

/*
 * KVM's PV EOI. The guest names a byte of its RAM; before an entry nyx
 * sets bit 0 there when the in-service interrupt may be EOI'd lazily
 * (nyx_lapic_pv_eoi_vector()); the guest's EOI then clears the bit
 * instead of writing the EOI register (no exit), and the next exit,
 * seeing the bit clear, performs the EOI. The byte is reached through
 * the launcher's mapping of guest RAM (the vCPU thread runs in its mm).
 */

/* Find the byte's address in the launcher. Process context. */
static int nyx_pv_eoi_resolve(struct nyx_vcpu *vcpu)
{
	struct nyx_vcpu_apic *va = vcpu->apic;
	struct nyx_vm *vm = vcpu->vm;
	u64 gpa = va->pv_eoi_msr & ~NYX_PV_EOI_ENABLE;
	struct nyx_memslot *slot;
	int r = 0;

	va->pv_eoi_hva = 0;
	if (!(va->pv_eoi_msr & NYX_PV_EOI_ENABLE))
		return 0;
	mutex_lock(&vm->lock);
	slot = nyx_find_slot(vm, gpa >> PAGE_SHIFT);
	if (slot && !(slot->flags & NYX_MEM_READONLY)) {
		va->pv_eoi_hva = slot->userspace_addr +
				 (gpa - (slot->base_gfn << PAGE_SHIFT));
		va->pv_eoi_gen = vm->slots_gen;
	} else {
		r = -EINVAL;
	}
	mutex_unlock(&vm->lock);
	return r;
}

static int nyx_pv_eoi_set_msr(struct nyx_vcpu *vcpu, u64 data)
{
	struct nyx_vcpu_apic *va = vcpu->apic;
	u64 old = va->pv_eoi_msr;

	/* bits 63:2 a 4-byte aligned address, bit 1 reserved (KVM's rule) */
	if (data & 2)
		return -EINVAL;
	va->pv_eoi_msr = data;
	if (nyx_pv_eoi_resolve(vcpu)) {
		va->pv_eoi_msr = old;
		nyx_pv_eoi_resolve(vcpu);
		return -EINVAL;		/* not guest RAM: #GP */
	}
	return 0;
}

/* Before entry, lock held, interrupts off: offer the lazy EOI. */
static void nyx_pv_eoi_offer(struct nyx_vcpu *vcpu)
{
	struct nyx_vcpu_apic *va = vcpu->apic;
	u8 one = 1;

	if (!va->pv_eoi_hva || va->pv_eoi_offered ||
	    va->pv_eoi_gen != READ_ONCE(vcpu->vm->slots_gen) ||
	    nyx_lapic_pv_eoi_vector(&va->lapic) < 0)
		return;
	/* cannot fault here: a page the host swapped out gets no offer */
	if (!copy_to_user_nofault((void __user *)va->pv_eoi_hva, &one, 1))
		va->pv_eoi_offered = true;
}

/* After exit, process context: did the guest take the offer? */
static void nyx_pv_eoi_settle(struct nyx_vcpu *vcpu)
{
	struct nyx_vcpu_apic *va = vcpu->apic;
	struct nyx_vm_irqchip *chip = nyx_vcpu_chip(vcpu);
	u8 __user *flag = (u8 __user *)va->pv_eoi_hva;
	unsigned long flags;
	u8 val;

	va->pv_eoi_offered = false;
	/* unreadable (the slot went away): assume taken, as KVM does */
	if (!flag || get_user(val, flag))
		val = 0;
	if (val & 1) {
		/* not yet: take it back, the EOI will use the register */
		if (put_user(0, flag))
			pr_warn_ratelimited("nyx: vCPU %u: PV EOI flag unwritable\n",
					    vcpu->id);
		return;
	}
	spin_lock_irqsave(&chip->lock, flags);
	nyx_lapic_eoi(&va->lapic);
	spin_unlock_irqrestore(&chip->lock, flags);
	vcpu->stats[NYX_STAT_PV_EOI]++;
}

/* 0: handled, 1: not an APIC MSR, -EINVAL: #GP */
int nyx_lapic_get_msr(struct nyx_vcpu *vcpu, u32 index, u64 *data)
{
	struct nyx_vcpu_apic *va = vcpu->apic;
	struct nyx_vm_irqchip *chip = nyx_vcpu_chip(vcpu);
	unsigned long flags;
	int r = 0;

	if (!va)
		return 1;
	if (index == NYX_MSR_KVM_PV_EOI_EN) {
		*data = va->pv_eoi_msr;
		return 0;
	}
	if (index != MSR_IA32_APICBASE && index != MSR_IA32_TSC_DEADLINE &&
	    (index < NYX_MSR_X2APIC_FIRST || index > NYX_MSR_X2APIC_LAST))
		return 1;
	spin_lock_irqsave(&chip->lock, flags);
	if (index == MSR_IA32_APICBASE)
		*data = nyx_lapic_get_base(&va->lapic);
	else if (index == MSR_IA32_TSC_DEADLINE)
		*data = nyx_lapic_get_tsc_deadline(&va->lapic);
	else if (nyx_lapic_msr_read(&va->lapic, index, data, nyx_irq_now()))
		r = -EINVAL;
	spin_unlock_irqrestore(&chip->lock, flags);
	return r;
}

int nyx_lapic_set_msr(struct nyx_vcpu *vcpu, u32 index, u64 data, bool host)
{
	struct nyx_vcpu_apic *va = vcpu->apic;
	struct nyx_vm_irqchip *chip = nyx_vcpu_chip(vcpu);
	unsigned long flags;
	u64 now, dl = 0;
	int r = 0;

	if (!va)
		return 1;
	if (index == NYX_MSR_KVM_PV_EOI_EN)
		return nyx_pv_eoi_set_msr(vcpu, data);
	if (index != MSR_IA32_APICBASE && index != MSR_IA32_TSC_DEADLINE &&
	    (index < NYX_MSR_X2APIC_FIRST || index > NYX_MSR_X2APIC_LAST))
		return 1;
	now = nyx_irq_now();
	if (index == MSR_IA32_TSC_DEADLINE && data)
		dl = nyx_lapic_tsc_to_ns(data, nyx_guest_tsc(vcpu), now,
					 tsc_khz);
	spin_lock_irqsave(&chip->lock, flags);
	if (index == MSR_IA32_APICBASE) {
		/* the BSP flag is the launcher's to set, not the guest's */
		if (!host && ((data ^ nyx_lapic_get_base(&va->lapic)) &
			      NYX_APICBASE_BSP))
			r = -EINVAL;
		else if (nyx_lapic_set_base(&va->lapic, data, now))
			r = -EINVAL;
	} else if (index == MSR_IA32_TSC_DEADLINE) {
		nyx_lapic_set_tsc_deadline(&va->lapic, data, dl, now);
	} else if (nyx_lapic_msr_write(&va->lapic, index, data, now)) {
		r = -EINVAL;
	}
	spin_unlock_irqrestore(&chip->lock, flags);
	return r;
}

/* ---- injection ---- */

/* Hand interrupts the guest cannot take yet to the CPU (SVM V_IRQ)
 * instead of asking for an interrupt-window exit. */
static bool virq_inject = true;
module_param(virq_inject, bool, 0644);
MODULE_PARM_DESC(virq_inject, "deliver interrupts through V_IRQ without window exits where the vendor can (SVM)");

/* Without ack, the PIC's interrupt: its vector is only known after INTA
 * (no LAPIC vector is below 16). */
#define NYX_IRQ_FROM_PIC	0

/*
 * The interrupt this vCPU would take now: the PIC's (through LINT0 in
 * virtual-wire mode, or an ExtINT message) before the APIC's. With ack,
 * the INTA cycle runs (IRR -> ISR) and the vector is returned; without,
 * the PIC's reads as NYX_IRQ_FROM_PIC. -1: none. Lock held.
 */
static int nyx_irq_pending(struct nyx_vcpu *vcpu, bool ack)
{
	struct nyx_lapic *apic = &vcpu->apic->lapic;
	struct nyx_pic *pic = &nyx_vcpu_chip(vcpu)->pic;
	int v;

	if (apic->extint_pending ||
	    (vcpu->id == 0 && nyx_pic_intr(pic) &&
	     nyx_lapic_accept_pic_intr(apic))) {
		/* with nothing requested the INTA cycle gives the PIC's
		 * spurious vector, as on hardware */
		if (!ack)
			return NYX_IRQ_FROM_PIC;
		nyx_lapic_take_extint(apic);
		return nyx_pic_ack(pic);
	}
	v = nyx_lapic_pending_vector(apic);
	if (v >= 0 && ack)
		nyx_lapic_ack(apic, v);
	return v;
}

/*
 * Right before entry (interrupts off, vendor state loaded): queue the NMI
 * or the interrupt the guest can take now, or ask for an exit when it can
 * (interrupt/NMI window). Only one event per entry; an event the last exit
 * interrupted (re-injected by the vendor) goes first.
 */
void nyx_irq_inject(struct nyx_vcpu *vcpu)
{
	struct nyx_vcpu_apic *va = vcpu->apic;
	struct nyx_vm_irqchip *chip = nyx_vcpu_chip(vcpu);
	bool queued;
	int v;

	spin_lock(&chip->lock);
	nyx_ops->set_cr8(vcpu, nyx_lapic_get_cr8(&va->lapic));
	queued = nyx_ops->event_queued(vcpu);
	if (nyx_lapic_nmi_pending(&va->lapic)) {
		if (!queued && nyx_ops->nmi_allowed(vcpu)) {
			nyx_lapic_take_nmi(&va->lapic);
			nyx_ops->inject_nmi(vcpu);
			vcpu->stats[NYX_STAT_NMI_INJECT]++;
			trace_nyx_inject(vcpu->id, NYX_INJ_NMI, 2);
			queued = true;
		} else {
			nyx_ops->enable_nmi_window(vcpu);
		}
	}
	v = nyx_irq_pending(vcpu, false);
	if (v >= 0) {
		/* one interrupt at a time: one waiting in V_IRQ counts */
		if (nyx_ops->irq_virtual_pending &&
		    nyx_ops->irq_virtual_pending(vcpu))
			queued = true;
		if (!queued && nyx_ops->interrupt_allowed(vcpu)) {
			v = nyx_irq_pending(vcpu, true);
			nyx_ops->inject_irq(vcpu, v);
			vcpu->stats[NYX_STAT_IRQ_INJECT]++;
			trace_nyx_inject(vcpu->id, NYX_INJ_IRQ, v);
		} else if (!queued && virq_inject &&
			   nyx_ops->inject_irq_virtual &&
			   v != NYX_IRQ_FROM_PIC) {
			/* a LAPIC vector (the PIC's INTA must wait for the
			 * injection): the CPU delivers it when IF allows,
			 * without a window exit */
			v = nyx_irq_pending(vcpu, true);
			nyx_ops->inject_irq_virtual(vcpu, v);
			vcpu->stats[NYX_STAT_IRQ_INJECT]++;
			trace_nyx_inject(vcpu->id, NYX_INJ_IRQ, v);
		} else {
			nyx_ops->enable_irq_window(vcpu);
		}
	}
	nyx_pv_eoi_offer(vcpu);
	spin_unlock(&chip->lock);
}

/* CR8 from NYX_SET_SREGS: the TPR lives in the LAPIC. */
void nyx_lapic_set_tpr(struct nyx_vcpu *vcpu, u8 cr8)
{
	struct nyx_vm_irqchip *chip = nyx_vcpu_chip(vcpu);
	unsigned long flags;

	spin_lock_irqsave(&chip->lock, flags);
	nyx_lapic_set_cr8(&vcpu->apic->lapic, cr8 & 0xf);
	spin_unlock_irqrestore(&chip->lock, flags);
}

u8 nyx_lapic_get_tpr(struct nyx_vcpu *vcpu)
{
	return nyx_lapic_get_cr8(&vcpu->apic->lapic);
}

/* After an exit: the guest may have written CR8 without exiting. */
void nyx_irq_after_exit(struct nyx_vcpu *vcpu)
{
	struct nyx_vcpu_apic *va = vcpu->apic;
	struct nyx_vm_irqchip *chip = nyx_vcpu_chip(vcpu);
	u8 cr8 = nyx_ops->get_cr8(vcpu);
	unsigned long flags;

	/* a slot changed since the flag's address was found: find it again
	 * (here, where sleeping is allowed; the offer cannot) */
	if ((va->pv_eoi_msr & NYX_PV_EOI_ENABLE) &&
	    va->pv_eoi_gen != READ_ONCE(vcpu->vm->slots_gen))
		nyx_pv_eoi_resolve(vcpu);
	if (va->pv_eoi_offered)
		nyx_pv_eoi_settle(vcpu);
	if (cr8 == nyx_lapic_get_cr8(&va->lapic))
		return;
	spin_lock_irqsave(&chip->lock, flags);
	nyx_lapic_set_cr8(&va->lapic, cr8);
	spin_unlock_irqrestore(&chip->lock, flags);
}

/* ---- INIT, SIPI, HLT ---- */

/* HLT ends with an NMI, or an interrupt the guest accepts. Lock held. */
static bool nyx_halt_wakeup(struct nyx_vcpu *vcpu)
{
	/* an interrupt waiting in V_IRQ is already acknowledged (out of
	 * IRR): a HLT right behind STI exits before the CPU takes it */
	return nyx_lapic_nmi_pending(&vcpu->apic->lapic) ||
	       ((vcpu->rflags & X86_EFLAGS_IF) &&
		(nyx_irq_pending(vcpu, false) >= 0 ||
		 (nyx_ops->irq_virtual_pending &&
		  nyx_ops->irq_virtual_pending(vcpu))));
}

/* Act on INIT and SIPI; say whether the vCPU can enter the guest. */
static bool nyx_vcpu_runnable(struct nyx_vcpu *vcpu)
{
	struct nyx_lapic *apic = &vcpu->apic->lapic;
	struct nyx_vm_irqchip *chip = nyx_vcpu_chip(vcpu);
	unsigned long flags;
	bool init, wait, run = false;
	int sipi;

	/* INIT then SIPI may both have arrived: the SIPI consumes the
	 * wait-for-SIPI state the INIT left, so read that in between */
	spin_lock_irqsave(&chip->lock, flags);
	init = nyx_lapic_take_init(apic);
	wait = nyx_lapic_wait_for_sipi(apic);
	sipi = nyx_lapic_take_sipi(apic);
	spin_unlock_irqrestore(&chip->lock, flags);

	if (init) {
		nyx_x86_vcpu_init(vcpu);
		/* INIT turns PV EOI off, as in KVM; the guest re-enables it */
		vcpu->apic->pv_eoi_msr = 0;
		vcpu->apic->pv_eoi_hva = 0;
		vcpu->mp_state = wait ? NYX_MP_STATE_WAIT_SIPI :
					NYX_MP_STATE_RUNNABLE;
	}
	if (sipi >= 0 && vcpu->mp_state == NYX_MP_STATE_WAIT_SIPI) {
		nyx_x86_vcpu_sipi(vcpu, sipi);
		vcpu->mp_state = NYX_MP_STATE_RUNNABLE;
	}

	switch (vcpu->mp_state) {
	case NYX_MP_STATE_RUNNABLE:
		return true;
	case NYX_MP_STATE_HALTED:
		spin_lock_irqsave(&chip->lock, flags);
		run = nyx_halt_wakeup(vcpu);
		spin_unlock_irqrestore(&chip->lock, flags);
		if (run)
			vcpu->mp_state = NYX_MP_STATE_RUNNABLE;
		return run;
	}
	return false;
}

/* Whether a sleeping vCPU has something to do; no side effects (it runs
 * as a wait condition, with the task no longer TASK_RUNNING). */
static bool nyx_vcpu_wakeup(struct nyx_vcpu *vcpu)
{
	struct nyx_lapic *apic = &vcpu->apic->lapic;
	struct nyx_vm_irqchip *chip = nyx_vcpu_chip(vcpu);
	unsigned long flags;
	bool wake;

	spin_lock_irqsave(&chip->lock, flags);
	wake = apic->init_pending ||
	       (apic->sipi_pending && apic->wait_sipi) ||
	       (vcpu->mp_state == NYX_MP_STATE_HALTED &&
		nyx_halt_wakeup(vcpu));
	spin_unlock_irqrestore(&chip->lock, flags);
	return wake;
}

/*
 * Halt polling, as KVM does it: a vCPU that halts spins for a while
 * before it sleeps, because the wake-up it waits for (an IPI from another
 * vCPU, a device interrupt) often comes within microseconds, and sleeping
 * and being woken costs a reschedule on each side. The window adapts per
 * vCPU: it grows (from halt_poll_ns_start, doubling) while sleeps are
 * short enough that polling would have caught them, and drops to 0 after
 * a sleep longer than halt_poll_ns. halt_poll_ns=0 turns it off.
 */
static unsigned int halt_poll_ns = 200000;
module_param(halt_poll_ns, uint, 0644);
MODULE_PARM_DESC(halt_poll_ns, "maximum halt-polling window, ns (0: off)");
static unsigned int halt_poll_ns_start = 10000;
module_param(halt_poll_ns_start, uint, 0644);

/* True if an event that wakes the vCPU arrived while we spun. */
static bool nyx_halt_poll(struct nyx_vcpu *vcpu, u32 window)
{
	u64 end = ktime_get_ns() + window;

	do {
		/* every wake-up source goes through nyx_vcpu_wake() */
		if (test_bit(NYX_REQ_EVENT, &vcpu->requests)) {
			if (nyx_vcpu_wakeup(vcpu))
				return true;
			/* not for us (masked): only a hint, entries re-check */
			clear_bit(NYX_REQ_EVENT, &vcpu->requests);
		}
		if (need_resched() || signal_pending(current))
			return false;
		cpu_relax();
	} while (ktime_get_ns() < end);
	return false;
}

static void nyx_halt_poll_adjust(struct nyx_vcpu *vcpu, u64 slept_ns)
{
	u32 max = READ_ONCE(halt_poll_ns);
	u32 cur = vcpu->halt_poll_ns;

	if (!max || slept_ns > max)
		cur = 0;			/* polling would not have helped */
	else if (slept_ns > cur)
		cur = cur ? min_t(u64, (u64)cur * 2, max) :
			    min(READ_ONCE(halt_poll_ns_start), max);
	vcpu->halt_poll_ns = cur;
}

/*
 * Before an entry: sleep while the vCPU is halted or waits for SIPI.
 * 0: go on; -EINTR: a signal is pending.
 */
int nyx_irq_block(struct nyx_vcpu *vcpu)
{
	u64 t0, slept;
	bool polled;
	int r;

	if (!vcpu->apic)
		return 0;
	while (!nyx_vcpu_runnable(vcpu)) {
		polled = vcpu->mp_state == NYX_MP_STATE_HALTED &&
			 vcpu->halt_poll_ns;
		if (polled) {
			t0 = ktime_get_ns();
			r = nyx_halt_poll(vcpu, vcpu->halt_poll_ns);
			vcpu->stats[NYX_STAT_HALT_POLL_NS] +=
				ktime_get_ns() - t0;
			if (r) {
				vcpu->stats[NYX_STAT_HALT_POLL_OK]++;
				continue;
			}
			vcpu->stats[NYX_STAT_HALT_POLL_FAIL]++;
		}
		vcpu->stats[NYX_STAT_HALT_SLEEP]++;
		t0 = ktime_get_ns();
		WRITE_ONCE(vcpu->halt_sleep_since, t0);
		r = wait_event_interruptible(vcpu->wq, nyx_vcpu_wakeup(vcpu));
		slept = ktime_get_ns() - t0;
		WRITE_ONCE(vcpu->halt_sleep_since, 0);
		vcpu->stats[NYX_STAT_HALT_SLEEP_NS] += slept;
		if (slept > vcpu->stats[NYX_STAT_HALT_SLEEP_MAX_NS])
			vcpu->stats[NYX_STAT_HALT_SLEEP_MAX_NS] = slept;
		if (r)
			return -EINTR;
		if (vcpu->mp_state == NYX_MP_STATE_HALTED)
			nyx_halt_poll_adjust(vcpu, slept);
	}
	return 0;
}

/* ---- vCPU state ioctls ---- */

static int nyx_lapic_state(struct nyx_vcpu *vcpu,
			   struct nyx_local_apic __user *arg,
			   bool set)
{
	struct nyx_vm_irqchip *chip = nyx_vcpu_chip(vcpu);
	struct nyx_local_apic *st;
	unsigned long flags;
	int r = 0;

	BUILD_BUG_ON(sizeof(struct nyx_lapic_state) > sizeof(st->data));
	st = memdup_user(arg, sizeof(*st));
	if (IS_ERR(st))
		return PTR_ERR(st);
	if (set && (st->flags || st->reserved)) {
		r = -EINVAL;
		goto out;
	}
	if (!set)
		memset(st, 0, sizeof(*st));
	spin_lock_irqsave(&chip->lock, flags);
	if (!set)
		nyx_lapic_save(&vcpu->apic->lapic, (void *)st->data,
			       nyx_irq_now());
	else if (nyx_lapic_load(&vcpu->apic->lapic, (void *)st->data,
				nyx_irq_now()))
		r = -EINVAL;
	spin_unlock_irqrestore(&chip->lock, flags);
	if (set && !r)
		nyx_vcpu_wake(vcpu);
	if (!set && copy_to_user(arg, st, sizeof(*st)))
		r = -EFAULT;
out:
	kfree(st);
	return r;
}

static int nyx_vcpu_events(struct nyx_vcpu *vcpu,
			   struct nyx_vcpu_events __user *arg, bool set)
{
	struct nyx_vcpu_events ev;
	int r;

	if (!set) {
		memset(&ev, 0, sizeof(ev));
		ev.exception.pending = vcpu->exc.pending;
		ev.exception.nr = vcpu->exc.vector;
		ev.exception.has_error_code = vcpu->exc.has_error_code;
		ev.exception.error_code = vcpu->exc.error_code;
		ev.exception.cr2 = vcpu->exc.cr2;
		ev.mp_state = vcpu->mp_state;
		if (vcpu->apic)
			ev.nmi.pending = nyx_lapic_nmi_pending(&vcpu->apic->lapic);
		nyx_ops->get_events(vcpu, &ev);
		return copy_to_user(arg, &ev, sizeof(ev)) ? -EFAULT : 0;
	}
	if (copy_from_user(&ev, arg, sizeof(ev)))
		return -EFAULT;
	if ((ev.flags & ~NYX_VCPU_EVENTS_KEEP_NMI_PENDING) ||
	    memchr_inv(ev.reserved, 0, sizeof(ev.reserved)) ||
	    ev.interrupt.padding || ev.interrupt.reserved ||
	    memchr_inv(ev.nmi.padding, 0, sizeof(ev.nmi.padding)) ||
	    ev.mp_state > NYX_MP_STATE_WAIT_SIPI ||
	    ev.exception.pending > 1 || ev.exception.injected > 1 ||
	    (ev.exception.pending && ev.exception.injected) ||
	    ev.exception.nr > 31 || ev.interrupt.injected > 1 ||
	    ev.nmi.injected > 1 || ev.nmi.masked > 1 ||
	    ev.nmi.pending > NYX_LAPIC_NMI_MAX ||
	    (ev.exception.injected + ev.interrupt.injected +
	     ev.nmi.injected > 1))
		return -EINVAL;
	if ((ev.mp_state != NYX_MP_STATE_RUNNABLE || ev.nmi.pending) &&
	    !vcpu->apic)
		return -EINVAL;
	/* an interrupt in delivery was taken with IF set (VMX entry
	 * refuses to inject one with IF clear): SET_REGS comes first. One
	 * waiting in SVM's V_IRQ is reported with IF clear and goes back
	 * there. */
	if (ev.interrupt.injected && !(vcpu->rflags & X86_EFLAGS_IF) &&
	    !nyx_ops->inject_irq_virtual)
		return -EINVAL;
	r = nyx_ops->set_events(vcpu, &ev);
	if (r)
		return r;
	vcpu->exc.pending = ev.exception.pending;
	vcpu->exc.vector = ev.exception.nr;
	vcpu->exc.has_error_code = ev.exception.has_error_code;
	vcpu->exc.error_code = ev.exception.error_code;
	vcpu->exc.cr2 = ev.exception.cr2;
	vcpu->mp_state = ev.mp_state;
	if (vcpu->apic) {
		unsigned long flags;

		spin_lock_irqsave(&vcpu->vm->irqchip->lock, flags);
		if (!(ev.flags & NYX_VCPU_EVENTS_KEEP_NMI_PENDING))
			vcpu->apic->lapic.nmi_pending = ev.nmi.pending;
		vcpu->apic->lapic.wait_sipi =
			ev.mp_state == NYX_MP_STATE_WAIT_SIPI;
		spin_unlock_irqrestore(&vcpu->vm->irqchip->lock, flags);
	}
	return 0;
}

long nyx_lapic_vcpu_ioctl(struct nyx_vcpu *vcpu, unsigned int ioctl,
			  void __user *argp)
{
	switch (ioctl) {
	case NYX_GET_VCPU_EVENTS:
		return nyx_vcpu_events(vcpu, argp, false);
	case NYX_SET_VCPU_EVENTS:
		return nyx_vcpu_events(vcpu, argp, true);
	case NYX_GET_LAPIC:
	case NYX_SET_LAPIC:
		if (!vcpu->apic)
			return -ENXIO;
		return nyx_lapic_state(vcpu, argp, ioctl == NYX_SET_LAPIC);
	}
	return -ENOTTY;
}
