/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Local APIC (pure C, shared by nyx.ko and the userspace unit tests):
 * xAPIC MMIO page, x2APIC MSRs, IA32_APIC_BASE, interrupt acceptance and
 * priorities, IPIs, LVT and the timer (one-shot, periodic, TSC-deadline),
 * and the INIT/SIPI/NMI/SMI/ExtINT events the vCPU must act on.
 *
 * Model: a modern Intel integrated APIC.
 *  - Version register 0x01050014: version 0x14, max LVT entry 5 (six LVTs:
 *    timer, thermal, performance counters, LINT0, LINT1, error; no CMCI),
 *    bit 24 set: EOI-broadcast suppression (SVR bit 12) is supported. With
 *    SVR[12] set, EOIs of level-triggered vectors are not reported via
 *    ops->eoi: the guest must use the I/O APIC's EOI register.
 *  - SVR bits 3:0 are writable (Pentium 4 and later); SVR bit 9 (focus
 *    processor checking disable) is stored and honoured by the bus helper.
 *  - APR (0x90, xAPIC only) is computed as the SDM describes it.
 *  - Delivery Status (ICR bit 12, LVT bit 12) and LVT Remote IRR always
 *    read 0: every message is delivered synchronously.
 *  - ESR: send illegal vector (ICR or SELF IPI with a fixed/lowest vector
 *    below 16: nothing is sent), receive illegal vector (a fixed interrupt
 *    below 16 is discarded) and illegal register address (xAPIC access to
 *    an unimplemented offset). Errors go to a pending set that a write to
 *    ESR makes visible ("write before read"), and raise the LVT error
 *    interrupt if unmasked.
 *  - A software-disabled APIC (SVR bit 8 clear) discards fixed and
 *    lowest-priority interrupts, keeps accepting NMI, SMI, INIT and SIPI,
 *    and forces every LVT mask bit.
 *  - IA32_APIC_BASE transitions follow the SDM: disabled <-> xAPIC,
 *    xAPIC -> x2APIC, x2APIC -> disabled; x2APIC -> xAPIC, disabled ->
 *    x2APIC, EXTD without EN and any reserved bit fail (#GP). Disabling
 *    the APIC returns its registers to the power-up state. Entering x2APIC
 *    mode sets the ID to the 32-bit APIC ID of the configuration and the
 *    LDR to ((id >> 4) << 16) | (1 << (id & 15)).
 *  - x2APIC MSRs (0x800-0x8ff): #GP (return -1) for registers that do not
 *    exist in x2APIC mode (APR, RRD, DFR, ICR2, CMCI, reserved), reads of
 *    write-only registers (EOI, SELF IPI), writes to read-only ones, a
 *    non-zero write to EOI or ESR, bits 63:32 set (all but ICR), and
 *    reserved bits in TPR and SELF IPI; other reserved bits are ignored.
 *  - INIT level de-assert messages are ignored by receivers (Pentium 4
 *    and later); an INIT resets the APIC registers except the ID, LDR in
 *    x2APIC mode and IA32_APIC_BASE.
 *  - Level-triggered LINT0/LINT1 inputs deliver on every call with level
 *    1 (no LVT Remote IRR).
 *
 * Time: every entry point that needs it takes "now", monotonic
 * nanoseconds supplied by the caller. The timer counts at cfg.bus_hz
 * (default 1 GHz, like KVM, so one count = divisor ns); the counter and
 * the expiry times are computed from the time the count was loaded, so a
 * periodic timer does not drift however late nyx_lapic_timer_expire() is
 * called (missed periods coalesce into one interrupt, as the IRR is one
 * bit). The caller arms a host timer at nyx_lapic_timer_deadline() (or
 * from ops->timer) and calls nyx_lapic_timer_expire() when it fires. A
 * caller worried about guests asking for 1 ns periods rate-limits its own
 * host timer: the model stays exact, only the interrupt is late.
 *
 * "now" must stay below 2^61 ns (73 years of host uptime); deadlines
 * further away than that count as never.
 *
 * TSC-deadline (MSR 0x6e0) is kept in guest TSC units for reads; the
 * caller converts the written TSC value to a deadline in ns (see
 * nyx_lapic_tsc_to_ns()) and passes both.
 *
 * Nothing here allocates, sleeps or locks. Callbacks are made after the
 * state is updated and may call back into this APIC (e.g. an IPI with a
 * self shorthand delivered through the bus), but the caller serializes
 * calls to one APIC.
 */
#ifndef NYX_LIB_IRQ_LAPIC_H
#define NYX_LIB_IRQ_LAPIC_H

#include "irq_common.h"

#define NYX_LAPIC_VERSION	0x01050014u
#define NYX_LAPIC_NR_LVT	6
#define NYX_LAPIC_NMI_MAX	2	/* pending NMIs kept (like KVM) */
#define NYX_LAPIC_DEFAULT_BASE	0xfee00000ull

/* MSRs */
#define NYX_MSR_IA32_APICBASE		0x1b
#define NYX_MSR_IA32_TSC_DEADLINE	0x6e0
#define NYX_MSR_X2APIC_FIRST		0x800
#define NYX_MSR_X2APIC_LAST		0x8ff

/* IA32_APIC_BASE bits */
#define NYX_APICBASE_BSP	(1ull << 8)
#define NYX_APICBASE_EXTD	(1ull << 10)	/* x2APIC mode */
#define NYX_APICBASE_EN		(1ull << 11)
#define NYX_APICBASE_ADDR	(~0xfffull)

/* Register offsets in the xAPIC page (x2APIC MSR = 0x800 + offset / 16) */
#define NYX_APIC_ID		0x020
#define NYX_APIC_LVR		0x030
#define NYX_APIC_TPR		0x080
#define NYX_APIC_APR		0x090
#define NYX_APIC_PPR		0x0a0
#define NYX_APIC_EOI		0x0b0
#define NYX_APIC_RRD		0x0c0
#define NYX_APIC_LDR		0x0d0
#define NYX_APIC_DFR		0x0e0
#define NYX_APIC_SVR		0x0f0
#define NYX_APIC_ISR		0x100	/* 8 registers, 0x10 apart */
#define NYX_APIC_TMR		0x180
#define NYX_APIC_IRR		0x200
#define NYX_APIC_ESR		0x280
#define NYX_APIC_LVT_CMCI	0x2f0	/* not implemented */
#define NYX_APIC_ICR		0x300
#define NYX_APIC_ICR2		0x310
#define NYX_APIC_LVTT		0x320
#define NYX_APIC_LVTTHMR	0x330
#define NYX_APIC_LVTPC		0x340
#define NYX_APIC_LVT0		0x350
#define NYX_APIC_LVT1		0x360
#define NYX_APIC_LVTERR		0x370
#define NYX_APIC_TMICT		0x380
#define NYX_APIC_TMCCT		0x390
#define NYX_APIC_TDCR		0x3e0
#define NYX_APIC_SELF_IPI	0x3f0	/* x2APIC only */

/* LVT indexes (for nyx_lapic_raise_lvt() and lvt[]) */
#define NYX_LVT_TIMER		0
#define NYX_LVT_THERMAL		1
#define NYX_LVT_PMC		2
#define NYX_LVT_LINT0		3
#define NYX_LVT_LINT1		4
#define NYX_LVT_ERROR		5

#define NYX_APIC_LVT_MASKED	(1u << 16)
#define NYX_APIC_LVT_LEVEL	(1u << 15)
#define NYX_APIC_LVT_POLARITY	(1u << 13)
#define NYX_APIC_LVT_TIMER_SHIFT 17
#define NYX_APIC_TIMER_ONESHOT	0
#define NYX_APIC_TIMER_PERIODIC	1
#define NYX_APIC_TIMER_TSCDEADLINE 2

#define NYX_APIC_SVR_ENABLE	(1u << 8)
#define NYX_APIC_SVR_FOCUS_OFF	(1u << 9)
#define NYX_APIC_SVR_NO_EOI_BC	(1u << 12)

#define NYX_APIC_ESR_SEND_ILL	(1u << 5)
#define NYX_APIC_ESR_RECV_ILL	(1u << 6)
#define NYX_APIC_ESR_ILL_REG	(1u << 7)

/* ICR low: fields stored (delivery status always reads 0) */
#define NYX_APIC_ICR_LO_MASK	0x000ccfffu

struct nyx_lapic_config {
	u32 apic_id;	/* x2APIC ID; the xAPIC ID is its low 8 bits */
	u32 bus_hz;	/* timer input clock, 1 MHz - 4 GHz; 0: 1 GHz */
	u8 bsp;		/* IA32_APIC_BASE.BSP after reset */
	u8 x2apic;	/* x2APIC supported (EXTD may be set) */
	u8 tsc_deadline; /* TSC-deadline timer mode supported */
	u8 maxphyaddr;	/* for APIC_BASE reserved bits; 0: 52 */
	u8 virtual_wire; /* reset leaves the BSP's LINT0 unmasked ExtINT
			  * (like KVM's LINT0_REENABLED quirk: lets the 8259
			  * through before the guest programs the APIC) */
	u8 pad[3];
};

struct nyx_lapic_ops {
	/* Send an IPI written to the ICR. Optional. */
	void (*ipi)(void *opaque, const struct nyx_apic_msg *msg);
	/* EOI of a level-triggered vector (for the I/O APIC). Optional. */
	void (*eoi)(void *opaque, u8 vector);
	/* The timer deadline changed: ns, or 0 = no timer. Optional. */
	void (*timer)(void *opaque, u64 deadline_ns);
};

struct nyx_lapic {
	struct nyx_lapic_config cfg;
	const struct nyx_lapic_ops *ops;
	void *opaque;

	u64 apic_base;
	u32 id;			/* register value (xAPIC: ID in 31:24) */
	u32 ldr, dfr, svr, tpr;
	u32 esr, esr_pending;
	u32 icr_lo, icr_hi;
	u32 lvt[NYX_LAPIC_NR_LVT];
	u32 tmict, tdcr;
	u32 irr[8], isr[8], tmr[8];

	/* one-shot/periodic timer: counting since t0 (ns) */
	s64 t0;
	u64 e_off;		/* bus clocks already counted at t0 */
	u64 next_k;		/* next expiry after next_k * tmict * div clocks */
	u8 running;
	/* TSC-deadline timer */
	u8 tsc_armed;
	u64 tsc_deadline;	/* MSR value */
	u64 tsc_deadline_ns;
	u64 deadline;		/* last value reported (0 = none) */

	/* events for the vCPU */
	u32 nmi_pending;
	u8 smi_pending, init_pending, sipi_pending, sipi_vector;
	u8 wait_sipi, extint_pending, lint;
};

/*
 * Initialize with the configuration and reset to the power-up state
 * (APIC enabled in xAPIC mode at 0xfee00000, software disabled, LVTs
 * masked; an AP is waiting for SIPI). ops may be NULL.
 */
void nyx_lapic_init(struct nyx_lapic *apic, const struct nyx_lapic_config *cfg,
		    const struct nyx_lapic_ops *ops, void *opaque);

/* Power-up / RESET# state again (keeps cfg, ops). Calls ops->timer(0). */
void nyx_lapic_reset(struct nyx_lapic *apic);

/* Mode and identity */
int nyx_lapic_hw_enabled(const struct nyx_lapic *apic);
int nyx_lapic_x2apic_mode(const struct nyx_lapic *apic);
int nyx_lapic_sw_enabled(const struct nyx_lapic *apic);
u32 nyx_lapic_id(const struct nyx_lapic *apic);	/* 8 bits in xAPIC */

/* IA32_APIC_BASE. set returns 0 or -1 (#GP, nothing changed). */
u64 nyx_lapic_get_base(const struct nyx_lapic *apic);
int nyx_lapic_set_base(struct nyx_lapic *apic, u64 val, u64 now);
/* Guest-physical base of the MMIO page, or ~0 if not in xAPIC mode. */
u64 nyx_lapic_mmio_base(const struct nyx_lapic *apic);

/*
 * xAPIC MMIO; offset is from the page base (0-0xfff). Reads of len 1, 2
 * or 4 within the first dword of a 16-byte register return those bytes;
 * other shapes read 0; unimplemented registers read 0 and set ESR bit 7.
 * Only aligned 4-byte writes take effect. In x2APIC mode or with the APIC
 * disabled, reads return all ones and writes are ignored.
 */
u32 nyx_lapic_mmio_read(struct nyx_lapic *apic, u32 offset, unsigned int len,
			u64 now);
void nyx_lapic_mmio_write(struct nyx_lapic *apic, u32 offset,
			  unsigned int len, u32 val, u64 now);

/* x2APIC MSRs 0x800-0x8ff: 0, or -1 for #GP. */
int nyx_lapic_msr_read(struct nyx_lapic *apic, u32 msr, u64 *val, u64 now);
int nyx_lapic_msr_write(struct nyx_lapic *apic, u32 msr, u64 val, u64 now);

/*
 * IA32_TSC_DEADLINE. Reads return the armed value (0 once it fired, and
 * always 0 outside TSC-deadline mode, where writes are ignored). A write
 * of 0 disarms; a deadline at or before now fires at once.
 */
u64 nyx_lapic_get_tsc_deadline(const struct nyx_lapic *apic);
void nyx_lapic_set_tsc_deadline(struct nyx_lapic *apic, u64 tsc,
				u64 deadline_ns, u64 now);
/*
 * Helper: the ns time at which the guest TSC reaches tsc_deadline, given
 * the TSC (tsc_now) at now_ns and the TSC rate. Saturates; never before
 * now_ns.
 */
u64 nyx_lapic_tsc_to_ns(u64 tsc_deadline, u64 tsc_now, u64 now_ns,
			u32 tsc_khz);

/* CR8 (TPR bits 7:4) */
u8 nyx_lapic_get_cr8(const struct nyx_lapic *apic);
void nyx_lapic_set_cr8(struct nyx_lapic *apic, u8 cr8);
u8 nyx_lapic_ppr(const struct nyx_lapic *apic);
u8 nyx_lapic_apr(const struct nyx_lapic *apic);

/* Timer: next expiry in ns (0: none); expire returns 1 if it expired. */
u64 nyx_lapic_timer_deadline(const struct nyx_lapic *apic);
int nyx_lapic_timer_expire(struct nyx_lapic *apic, u64 now);

/*
 * Bus side. nyx_lapic_match() says whether a message is addressed to this
 * APIC (is_self: this APIC sent it): shorthands, physical (broadcast 0xff
 * / 0xffffffff), logical flat and cluster (DFR), x2APIC logical
 * (cluster << 16 | bitmap). An 8-bit destination 0xff reaching an APIC in
 * x2APIC mode is a broadcast (what KVM does for I/O APIC and MSI
 * messages). A disabled APIC matches nothing.
 * nyx_lapic_accept() takes a message this APIC is the target of;
 * returns 1 if accepted, 0 if discarded.
 */
int nyx_lapic_match(const struct nyx_lapic *apic, const struct nyx_apic_msg *msg,
		    int is_self);
int nyx_lapic_accept(struct nyx_lapic *apic, const struct nyx_apic_msg *msg);

/*
 * Helper for the bus: deliver msg to the matching APICs among apics[0..n)
 * (src: the sender for IPIs, or NULL). Lowest-priority messages (and
 * fixed ones with the MSI redirection hint) go to one APIC: the focus
 * processor (vector already in its IRR or ISR, unless SVR bit 9 is set),
 * else the lowest APR, ties broken round-robin from *rr (updated; may be
 * NULL). Returns the number of APICs that accepted.
 */
int nyx_apic_bus_deliver(struct nyx_lapic *const *apics, unsigned int n,
			 const struct nyx_apic_msg *msg,
			 const struct nyx_lapic *src, unsigned int *rr);

/*
 * LINT0/LINT1 input levels (pin 0 or 1), delivered per LVT: fixed (edge:
 * on 0->1; level: while 1), NMI, SMI and INIT on 0->1. ExtINT is not
 * latched here: see nyx_lapic_accept_pic_intr(). With the APIC disabled
 * LINT1 is the NMI pin. Returns -1 for a bad pin.
 */
int nyx_lapic_set_lint(struct nyx_lapic *apic, unsigned int pin, int level);

/*
 * Whether the 8259's INTR reaches the CPU: the APIC is disabled (LINT0 is
 * then the INTR pin) or LVT LINT0 is unmasked ExtINT (virtual wire). The
 * caller then runs nyx_pic_ack() to get the vector.
 */
int nyx_lapic_accept_pic_intr(const struct nyx_lapic *apic);

/* Raise a local interrupt source (thermal, PMC; any NYX_LVT_*). PMC
 * masks itself after delivery, like Intel CPUs. Returns 1 if delivered. */
int nyx_lapic_raise_lvt(struct nyx_lapic *apic, unsigned int lvt);

/*
 * CPU side. pending_vector: the highest IRR vector whose priority class
 * is above PPR's, or -1. ack: the CPU takes vector (IRR -> ISR); -1 if it
 * is not in IRR. Level/edge is remembered in TMR at acceptance and used
 * at EOI.
 */
int nyx_lapic_pending_vector(const struct nyx_lapic *apic);
int nyx_lapic_ack(struct nyx_lapic *apic, u8 vector);

/*
 * KVM's paravirtual EOI. pv_eoi_vector: the in-service vector whose EOI
 * the guest may signal through memory instead of the EOI register: the
 * highest ISR vector if it is edge-triggered (no I/O APIC to tell) and
 * IRR is empty (nothing waits for the EOI); else -1. eoi: what a write
 * to the EOI register does (the guest signalled it through memory).
 */
int nyx_lapic_pv_eoi_vector(const struct nyx_lapic *apic);
void nyx_lapic_eoi(struct nyx_lapic *apic);

/*
 * Events. take_init: an INIT was received; the APIC is INIT-reset and
 * the vCPU must reset too; afterwards an AP (BSP flag clear) waits for
 * SIPI and the BSP runs from the reset vector. Returns 1 if there was
 * one. take_sipi: the startup vector (CS = vector << 8, IP = 0) if the
 * vCPU is waiting for SIPI and one arrived, else -1; a SIPI that arrives
 * when not waiting (and no INIT is pending) is dropped. take_nmi
 * consumes one pending NMI; take_smi and take_extint (an ExtINT message
 * from the I/O APIC: run nyx_pic_ack()) consume their flag.
 */
int nyx_lapic_take_init(struct nyx_lapic *apic);
int nyx_lapic_take_sipi(struct nyx_lapic *apic);
int nyx_lapic_take_nmi(struct nyx_lapic *apic);
int nyx_lapic_take_smi(struct nyx_lapic *apic);
int nyx_lapic_take_extint(struct nyx_lapic *apic);
int nyx_lapic_wait_for_sipi(const struct nyx_lapic *apic);
u32 nyx_lapic_nmi_pending(const struct nyx_lapic *apic);

/*
 * Save/load format (fixed layout, 232 bytes). Times are relative to the
 * "now" given to save and load, so a snapshot moves between hosts with
 * unrelated clocks: timer_t0 is the signed offset (ns) of the timer's t0
 * from now; tsc_deadline_ns likewise for the TSC deadline.
 */
struct nyx_lapic_state {
	u64 apic_base;
	u64 tsc_deadline;
	u64 tsc_deadline_ns;	/* s64 relative to now */
	u64 timer_t0;		/* s64 relative to now */
	u64 timer_e_off;
	u64 timer_next_k;
	u32 id, ldr, dfr, svr;
	u32 tpr, esr, esr_pending, icr_lo;
	u32 icr_hi, tmict, tdcr, nmi_pending;
	u32 lvt[NYX_LAPIC_NR_LVT];
	u32 irr[8], isr[8], tmr[8];
	u8 timer_running, tsc_armed, smi_pending, init_pending;
	u8 sipi_pending, sipi_vector, wait_sipi, extint_pending;
	u8 lint;		/* bit 0 LINT0, bit 1 LINT1 */
	u8 pad[7];		/* must be 0 */
};

/*
 * Snapshot. Load validates against apic->cfg (reserved bits of every
 * register, mode/ID consistency, LVT masks of a software-disabled APIC,
 * vectors 0-15 never pending, timer fields) and returns -1 without
 * changing anything if st is bad. Load calls ops->timer if the deadline
 * changes.
 */
void nyx_lapic_save(const struct nyx_lapic *apic, struct nyx_lapic_state *st,
		    u64 now);
int nyx_lapic_load(struct nyx_lapic *apic, const struct nyx_lapic_state *st,
		   u64 now);

#endif
