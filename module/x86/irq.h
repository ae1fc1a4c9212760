/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The in-kernel interrupt controllers and timers (NYX_CREATE_IRQCHIP):
 * glue between the pure-C models in lib/irq and the vCPUs. One spinlock
 * per VM serializes every model (PIC, I/O APIC, PIT and all local APICs):
 * an IPI or an I/O APIC message touches several APICs at once, and the
 * models themselves never lock. The lock is taken with interrupts saved
 * because the hrtimer callbacks run in hard-IRQ context.
 */
#ifndef NYX_X86_IRQ_H
#define NYX_X86_IRQ_H

#include <linux/hrtimer.h>

#include "core/core.h"
#include "irq/i8259.h"
#include "irq/ioapic.h"
#include "irq/lapic.h"
#include "irq/pit.h"

#define NYX_IOAPIC_BASE		0xfec00000ull
#define NYX_IOAPIC_ID		0	/* the launcher's tables say so too */
#define NYX_NR_GSI		NYX_IOAPIC_NUM_PINS
#define NYX_NR_ISA_IRQS		16
/* Format version of the NYX_GET/SET_IRQCHIP and LAPIC blobs. */
#define NYX_IRQCHIP_STATE_VERSION 1
/* Host timers never fire closer together than this (a guest asking for
 * a 1 ns period gets coalesced interrupts, not a host interrupt storm). */
#define NYX_MIN_TIMER_NS	20000

struct nyx_vm_irqchip {
	spinlock_t lock;
	struct nyx_vm *vm;
	struct nyx_pic pic;
	struct nyx_ioapic ioapic;
	struct nyx_pit pit;
	struct hrtimer pit_timer;
	unsigned int lowest_rr;		/* lowest-priority round robin */
	u32 gsi_levels;			/* as driven by NYX_IRQ_LINE */
	struct nyx_lapic *apics[NYX_MAX_VCPUS];	/* by vCPU id */
};

/* KVM's PV EOI MSR (Linux Documentation/virt/kvm/x86/msr.rst) */
#define NYX_MSR_KVM_PV_EOI_EN	0x4b564d04
#define NYX_PV_EOI_ENABLE	1ull

struct nyx_vcpu_apic {
	struct nyx_lapic lapic;
	struct nyx_vcpu *vcpu;
	struct hrtimer timer;
	/* PV EOI: the MSR, the flag's address in the launcher (0: off),
	 * the slots generation it was resolved in, and whether the flag is
	 * set for the guest now (set before entry, settled after exit) */
	u64 pv_eoi_msr;
	unsigned long pv_eoi_hva;
	u64 pv_eoi_gen;
	bool pv_eoi_offered;
};

/* irqchip.c: VM side */
int nyx_irqchip_create(struct nyx_vm *vm);
void nyx_irqchip_stop(struct nyx_vm *vm);
void nyx_irqchip_destroy(struct nyx_vm *vm);
long nyx_irqchip_vm_ioctl(struct nyx_vm *vm, unsigned int ioctl,
			  void __user *argp);
/* Port I/O and MMIO the irqchip serves. Return true if handled. */
bool nyx_irqchip_pio(struct nyx_vcpu *vcpu, u16 port, u8 size, bool in,
		     u32 *val);
bool nyx_irqchip_mmio(struct nyx_vcpu *vcpu, u64 gpa, unsigned int len,
		      bool write, void *data);
/* Deliver a message on the APIC bus and wake the targets. Lock held. */
int nyx_irqchip_deliver(struct nyx_vm_irqchip *chip,
			const struct nyx_apic_msg *msg,
			const struct nyx_lapic *src);

/* For irqfds (core/eventfd.c): any context, take the lock themselves. */
void nyx_irqchip_drive_gsi(struct nyx_vm_irqchip *chip, u32 gsi, int level);
void nyx_irqchip_pulse_gsi(struct nyx_vm_irqchip *chip, u32 gsi);
int nyx_irqchip_send_msi(struct nyx_vm_irqchip *chip,
			 const struct nyx_apic_msg *msg);
/* Before an I/O APIC EOI of vector: resampling irqfds. Lock held. */
void nyx_irqchip_eoi_resample(struct nyx_vm_irqchip *chip, u8 vector);

/* lapic.c: vCPU side */
int nyx_lapic_create(struct nyx_vcpu *vcpu);
void nyx_lapic_destroy(struct nyx_vcpu *vcpu);
void nyx_vcpu_wake(struct nyx_vcpu *vcpu);
/* The irqchip's MSRs: 0 handled, 1 not one of them, -EINVAL #GP. */
int nyx_lapic_get_msr(struct nyx_vcpu *vcpu, u32 index, u64 *data);
int nyx_lapic_set_msr(struct nyx_vcpu *vcpu, u32 index, u64 data, bool host);
void nyx_irq_inject(struct nyx_vcpu *vcpu);
void nyx_lapic_set_tpr(struct nyx_vcpu *vcpu, u8 cr8);
u8 nyx_lapic_get_tpr(struct nyx_vcpu *vcpu);
void nyx_irq_after_exit(struct nyx_vcpu *vcpu);
int nyx_irq_block(struct nyx_vcpu *vcpu);
long nyx_lapic_vcpu_ioctl(struct nyx_vcpu *vcpu, unsigned int ioctl,
			  void __user *argp);

static inline u64 nyx_irq_now(void)
{
	return ktime_get_ns();
}

#endif
