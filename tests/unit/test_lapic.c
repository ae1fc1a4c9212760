// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the local APIC (lib/irq/lapic.c), alone and wired to the
 * I/O APIC, the 8259 and the PIT: reset state, Linux's setup_local_APIC(),
 * priorities, EOI and the I/O APIC Remote IRR cycle, IPIs in every
 * destination mode, the INIT/SIPI boot of an AP, IA32_APIC_BASE
 * transitions, x2APIC MSRs and #GP cases, the timer in one-shot,
 * periodic and TSC-deadline modes, timer calibration against the PIT,
 * LINT0/LINT1 and virtual wire mode, save/load and hostile accesses.
 */
#include <stdlib.h>
#include "test.h"
#include "irq/lapic.h"
#include "irq/ioapic.h"
#include "irq/i8259.h"
#include "irq/pit.h"

#define NCPU	4
#define SEC	1000000000ull

static struct nyx_lapic cpu[NCPU];
static struct nyx_lapic *apics[NCPU];
static struct nyx_ioapic ioapic;
static unsigned int rr;

/* what the callbacks saw */
static struct nyx_apic_msg last_ipi;
static int nipi, ndelivered;
static int neoi;
static u8 last_eoi;
static u64 timer_dl[NCPU];
static int ntimer[NCPU];
static int use_bus = 1;

static void t_ipi(void *opaque, const struct nyx_apic_msg *msg)
{
	struct nyx_lapic *src = opaque;

	last_ipi = *msg;
	nipi++;
	if (use_bus)
		ndelivered = nyx_apic_bus_deliver(apics, NCPU, msg, src, &rr);
}

static void t_eoi(void *opaque, u8 vector)
{
	(void)opaque;
	neoi++;
	last_eoi = vector;
	nyx_ioapic_eoi(&ioapic, vector);
}

static void t_timer(void *opaque, u64 deadline)
{
	struct nyx_lapic *a = opaque;
	int i = (int)(a - cpu);

	timer_dl[i] = deadline;
	ntimer[i]++;
}

static const struct nyx_lapic_ops lops = {
	.ipi = t_ipi, .eoi = t_eoi, .timer = t_timer,
};

static int io_deliver(void *opaque, const struct nyx_apic_msg *msg)
{
	(void)opaque;
	return nyx_apic_bus_deliver(apics, NCPU, msg, NULL, &rr);
}

static const struct nyx_ioapic_ops iops = { .deliver = io_deliver };

static struct nyx_lapic_config cfg_of(unsigned int i)
{
	struct nyx_lapic_config c = {
		.apic_id = i, .bsp = i == 0, .x2apic = 1, .tsc_deadline = 1,
		.maxphyaddr = 46,
	};
	return c;
}

static void setup(void)
{
	unsigned int i;
	struct nyx_lapic_config c;

	for (i = 0; i < NCPU; i++) {
		c = cfg_of(i);
		nyx_lapic_init(&cpu[i], &c, &lops, &cpu[i]);
		apics[i] = &cpu[i];
		timer_dl[i] = 0;
		ntimer[i] = 0;
	}
	nyx_ioapic_init(&ioapic, NCPU, &iops, NULL);
	rr = 0;
	nipi = ndelivered = neoi = 0;
	use_bus = 1;
}

static u32 rd(struct nyx_lapic *a, u32 off, u64 now)
{
	return nyx_lapic_mmio_read(a, off, 4, now);
}

static void wr(struct nyx_lapic *a, u32 off, u32 val, u64 now)
{
	nyx_lapic_mmio_write(a, off, 4, val, now);
}

static u64 rdmsr(struct nyx_lapic *a, u32 msr, u64 now)
{
	u64 v = 0xdead;

	CHECK_EQ(nyx_lapic_msr_read(a, msr, &v, now), 0);
	return v;
}

static void wrmsr(struct nyx_lapic *a, u32 msr, u64 val, u64 now)
{
	CHECK_EQ(nyx_lapic_msr_write(a, msr, val, now), 0);
}

static int msr_gp_read(struct nyx_lapic *a, u32 msr)
{
	u64 v;

	return nyx_lapic_msr_read(a, msr, &v, 0) == -1;
}

static int msr_gp_write(struct nyx_lapic *a, u32 msr, u64 val)
{
	return nyx_lapic_msr_write(a, msr, val, 0) == -1;
}

static struct nyx_apic_msg fixed(u8 vec, int level)
{
	struct nyx_apic_msg m = { .vector = vec, .trigger = (u8)level,
				  .level = 1 };
	return m;
}

/* Linux setup_local_APIC() on CPU "i", xAPIC flat mode. */
static void linux_setup(unsigned int i, u64 now)
{
	struct nyx_lapic *a = &cpu[i];
	u32 v;

	wr(a, NYX_APIC_TPR, rd(a, NYX_APIC_TPR, now) & ~0xffu, now);
	wr(a, NYX_APIC_DFR, 0xffffffff, now);
	v = rd(a, NYX_APIC_LDR, now) & ~0xff000000u;
	wr(a, NYX_APIC_LDR, v | (1u << (24 + i)), now);
	v = rd(a, NYX_APIC_SVR, now) & ~0xffu;
	wr(a, NYX_APIC_SVR, v | 0x100 | 0xff, now);
	v = rd(a, NYX_APIC_LVT0, now) & NYX_APIC_LVT_MASKED;
	wr(a, NYX_APIC_LVT0, 0x700 | (i ? NYX_APIC_LVT_MASKED : 0), now);
	wr(a, NYX_APIC_LVT1, 0x400 | (i ? NYX_APIC_LVT_MASKED : 0), now);
	/* lapic_setup_esr() */
	wr(a, NYX_APIC_ESR, 0, now);
	(void)rd(a, NYX_APIC_ESR, now);
	wr(a, NYX_APIC_LVTERR, 0xfe, now);
	wr(a, NYX_APIC_ESR, 0, now);
	CHECK_EQ(rd(a, NYX_APIC_ESR, now), 0);
	(void)v;
}

static void test_reset_state(void)
{
	setup();
	CHECK_EQ(nyx_lapic_get_base(&cpu[0]), 0xfee00900);
	CHECK_EQ(nyx_lapic_get_base(&cpu[1]), 0xfee00800);
	CHECK_EQ(nyx_lapic_mmio_base(&cpu[1]), 0xfee00000);
	CHECK_EQ(rd(&cpu[2], NYX_APIC_ID, 0), 2u << 24);
	CHECK_EQ(rd(&cpu[2], NYX_APIC_LVR, 0), 0x01050014);
	CHECK_EQ(rd(&cpu[0], NYX_APIC_SVR, 0), 0xff);
	CHECK_EQ(rd(&cpu[0], NYX_APIC_DFR, 0), 0xffffffff);
	CHECK_EQ(rd(&cpu[0], NYX_APIC_LDR, 0), 0);
	CHECK_EQ(rd(&cpu[0], NYX_APIC_TPR, 0), 0);
	CHECK_EQ(rd(&cpu[0], NYX_APIC_PPR, 0), 0);
	CHECK_EQ(rd(&cpu[0], NYX_APIC_APR, 0), 0);
	CHECK_EQ(rd(&cpu[0], NYX_APIC_LVTT, 0), 0x10000);
	CHECK_EQ(rd(&cpu[0], NYX_APIC_LVT0, 0), 0x10000);
	CHECK_EQ(rd(&cpu[0], NYX_APIC_LVTERR, 0), 0x10000);
	CHECK_EQ(rd(&cpu[0], NYX_APIC_TMICT, 0), 0);
	CHECK_EQ(rd(&cpu[0], NYX_APIC_TDCR, 0), 0);
	CHECK_EQ(rd(&cpu[0], NYX_APIC_ICR, 0), 0);
	CHECK_EQ(nyx_lapic_wait_for_sipi(&cpu[0]), 0);
	CHECK_EQ(nyx_lapic_wait_for_sipi(&cpu[1]), 1);
	CHECK_EQ(nyx_lapic_pending_vector(&cpu[0]), -1);
	CHECK_EQ(nyx_lapic_timer_deadline(&cpu[0]), 0);
	CHECK_EQ(nyx_lapic_x2apic_mode(&cpu[0]), 0);
	CHECK_EQ(nyx_lapic_sw_enabled(&cpu[0]), 0);
	CHECK_EQ(nyx_lapic_accept_pic_intr(&cpu[0]), 0);
	/* the virtual-wire reset option, BSP only */
	{
		struct nyx_lapic_config c = cfg_of(0);

		c.virtual_wire = 1;
		nyx_lapic_init(&cpu[0], &c, &lops, &cpu[0]);
		CHECK_EQ(rd(&cpu[0], NYX_APIC_LVT0, 0), 0x700);
		CHECK_EQ(nyx_lapic_accept_pic_intr(&cpu[0]), 1);
		c = cfg_of(1);
		c.virtual_wire = 1;
		nyx_lapic_init(&cpu[1], &c, &lops, &cpu[1]);
		CHECK_EQ(rd(&cpu[1], NYX_APIC_LVT0, 0), 0x10000);
	}
}

static void test_linux_setup(void)
{
	setup();
	linux_setup(0, 0);
	linux_setup(1, 0);
	CHECK_EQ(rd(&cpu[0], NYX_APIC_SVR, 0), 0x1ff);
	CHECK_EQ(rd(&cpu[1], NYX_APIC_LDR, 0), 0x02000000);
	CHECK_EQ(rd(&cpu[0], NYX_APIC_LVT0, 0), 0x700);
	CHECK_EQ(rd(&cpu[1], NYX_APIC_LVT0, 0), 0x10700);
	CHECK_EQ(rd(&cpu[0], NYX_APIC_LVT1, 0), 0x400);
	CHECK_EQ(rd(&cpu[0], NYX_APIC_LVTERR, 0), 0xfe);
	CHECK_EQ(nyx_lapic_sw_enabled(&cpu[0]), 1);
	CHECK_EQ(nyx_lapic_accept_pic_intr(&cpu[0]), 1);
	CHECK_EQ(nyx_lapic_accept_pic_intr(&cpu[1]), 0);
	/* software disable masks every LVT, which stay masked */
	wr(&cpu[0], NYX_APIC_SVR, 0xff, 0);
	CHECK_EQ(rd(&cpu[0], NYX_APIC_LVT0, 0), 0x10700);
	CHECK_EQ(rd(&cpu[0], NYX_APIC_LVTERR, 0), 0x100fe);
	wr(&cpu[0], NYX_APIC_LVT1, 0x400, 0);
	CHECK_EQ(rd(&cpu[0], NYX_APIC_LVT1, 0), 0x10400);
	/* SVR bits: vector (all 8 bits), enable, focus, EOI suppression */
	wr(&cpu[0], NYX_APIC_SVR, 0xffffffff, 0);
	CHECK_EQ(rd(&cpu[0], NYX_APIC_SVR, 0), 0x13ff);
	wr(&cpu[0], NYX_APIC_SVR, 0x10f, 0);
	CHECK_EQ(rd(&cpu[0], NYX_APIC_SVR, 0), 0x10f);
}

static void test_priorities(void)
{
	struct nyx_lapic *a = &cpu[0];
	struct nyx_apic_msg m;

	setup();
	linux_setup(0, 0);
	m = fixed(0x41, 0);
	CHECK_EQ(nyx_lapic_accept(a, &m), 1);
	CHECK_EQ(rd(a, NYX_APIC_IRR + 0x20, 0), 1u << 1);
	CHECK_EQ(nyx_lapic_pending_vector(a), 0x41);
	/* TPR class 4 or higher masks vector class 4 */
	wr(a, NYX_APIC_TPR, 0x40, 0);
	CHECK_EQ(nyx_lapic_pending_vector(a), -1);
	CHECK_EQ(rd(a, NYX_APIC_PPR, 0), 0x40);
	wr(a, NYX_APIC_TPR, 0x3f, 0);
	CHECK_EQ(nyx_lapic_pending_vector(a), 0x41);
	CHECK_EQ(nyx_lapic_get_cr8(a), 3);
	nyx_lapic_set_cr8(a, 5);
	CHECK_EQ(rd(a, NYX_APIC_TPR, 0), 0x50);
	CHECK_EQ(nyx_lapic_pending_vector(a), -1);
	nyx_lapic_set_cr8(a, 0);
	/* APR: TPR >= IRRV class and > ISRV class gives TPR itself */
	wr(a, NYX_APIC_TPR, 0x57, 0);
	CHECK_EQ(rd(a, NYX_APIC_APR, 0), 0x57);
	wr(a, NYX_APIC_TPR, 0x20, 0);
	CHECK_EQ(rd(a, NYX_APIC_APR, 0), 0x40);	/* IRRV class */
	wr(a, NYX_APIC_TPR, 0, 0);
	/* ack: IRR -> ISR, PPR follows ISR */
	CHECK_EQ(nyx_lapic_ack(a, 0x41), 0);
	CHECK_EQ(nyx_lapic_ack(a, 0x41), -1);
	CHECK_EQ(rd(a, NYX_APIC_ISR + 0x20, 0), 1u << 1);
	CHECK_EQ(rd(a, NYX_APIC_IRR + 0x20, 0), 0);
	CHECK_EQ(rd(a, NYX_APIC_PPR, 0), 0x40);
	CHECK_EQ(nyx_lapic_apr(a), 0x40);
	/* same class waits, higher class nests */
	m = fixed(0x4f, 0);
	nyx_lapic_accept(a, &m);
	CHECK_EQ(nyx_lapic_pending_vector(a), -1);
	m = fixed(0x50, 0);
	nyx_lapic_accept(a, &m);
	CHECK_EQ(nyx_lapic_pending_vector(a), 0x50);
	nyx_lapic_ack(a, 0x50);
	CHECK_EQ(rd(a, NYX_APIC_PPR, 0), 0x50);
	/* TPR above ISR class wins in PPR */
	wr(a, NYX_APIC_TPR, 0x62, 0);
	CHECK_EQ(rd(a, NYX_APIC_PPR, 0), 0x62);
	wr(a, NYX_APIC_TPR, 0, 0);
	/* EOI retires the highest in-service vector first */
	wr(a, NYX_APIC_EOI, 0, 0);
	CHECK_EQ(rd(a, NYX_APIC_ISR + 0x20, 0), 1u << 1);
	CHECK_EQ(rd(a, NYX_APIC_ISR + 0x20, 0) | rd(a, NYX_APIC_ISR + 0x40, 0),
		 1u << 1);
	CHECK_EQ(nyx_lapic_pending_vector(a), -1);
	wr(a, NYX_APIC_EOI, 0, 0);
	CHECK_EQ(nyx_lapic_pending_vector(a), 0x4f);
	nyx_lapic_ack(a, 0x4f);
	wr(a, NYX_APIC_EOI, 0, 0);
	wr(a, NYX_APIC_EOI, 0, 0);			/* nothing in service */
	CHECK_EQ(rd(a, NYX_APIC_PPR, 0), 0);
	CHECK_EQ(neoi, 0);				/* all edge */
	/* vector 255 and the highest-first scan across words */
	m = fixed(0xff, 0);
	nyx_lapic_accept(a, &m);
	m = fixed(0x20, 0);
	nyx_lapic_accept(a, &m);
	CHECK_EQ(nyx_lapic_pending_vector(a), 0xff);
	CHECK_EQ(rd(a, NYX_APIC_IRR + 0x70, 0), 0x80000000u);
}

static void test_illegal_vectors(void)
{
	struct nyx_lapic *a = &cpu[0];
	struct nyx_apic_msg m;

	setup();
	linux_setup(0, 0);
	m = fixed(5, 0);
	CHECK_EQ(nyx_lapic_accept(a, &m), 0);
	CHECK_EQ(rd(a, NYX_APIC_ESR, 0), 0);		/* not yet visible */
	wr(a, NYX_APIC_ESR, 0, 0);
	CHECK_EQ(rd(a, NYX_APIC_ESR, 0), NYX_APIC_ESR_RECV_ILL);
	/* the error interrupt was raised */
	CHECK_EQ(nyx_lapic_pending_vector(a), 0xfe);
	wr(a, NYX_APIC_ESR, 0, 0);
	CHECK_EQ(rd(a, NYX_APIC_ESR, 0), 0);
	/* sending an illegal vector */
	wr(a, NYX_APIC_ICR2, 1u << 24, 0);
	wr(a, NYX_APIC_ICR, 0x000c0003, 0);
	CHECK_EQ(nipi, 0);
	wr(a, NYX_APIC_ESR, 0, 0);
	CHECK_EQ(rd(a, NYX_APIC_ESR, 0), NYX_APIC_ESR_SEND_ILL);
	/* an NMI IPI may carry any vector */
	wr(a, NYX_APIC_ICR, 0x00000402, 0);
	CHECK_EQ(nipi, 1);
	/* illegal register */
	CHECK_EQ(rd(a, 0x040, 0), 0);
	CHECK_EQ(rd(a, NYX_APIC_LVT_CMCI, 0), 0);
	wr(a, 0x3a0, 1, 0);
	wr(a, NYX_APIC_ESR, 0, 0);
	CHECK_EQ(rd(a, NYX_APIC_ESR, 0), NYX_APIC_ESR_ILL_REG);
	/* error LVT with an illegal vector: no interrupt, no recursion */
	wr(a, NYX_APIC_LVTERR, 0x03, 0);
	m = fixed(1, 0);
	nyx_lapic_accept(a, &m);
	wr(a, NYX_APIC_ESR, 0, 0);
	CHECK_EQ(rd(a, NYX_APIC_ESR, 0), NYX_APIC_ESR_RECV_ILL);
	/* software-disabled: fixed discarded, NMI/INIT still accepted */
	wr(a, NYX_APIC_SVR, 0xff, 0);
	m = fixed(0x80, 0);
	CHECK_EQ(nyx_lapic_accept(a, &m), 0);
	m.delivery_mode = NYX_APIC_DM_NMI;
	CHECK_EQ(nyx_lapic_accept(a, &m), 1);
	CHECK_EQ(nyx_lapic_nmi_pending(a), 1);
	m.delivery_mode = NYX_APIC_DM_REMRD;
	CHECK_EQ(nyx_lapic_accept(a, &m), 0);
	/* IRR content is kept and still delivered when sw-disabled */
	CHECK_EQ(nyx_lapic_pending_vector(a), 0xfe);
}

/* I/O APIC level interrupt through the LAPIC and back (EOI broadcast). */
static void test_ioapic_cycle(void)
{
	struct nyx_lapic *a = &cpu[1];

	setup();
	linux_setup(0, 0);
	linux_setup(1, 0);
	/* pin 9 (ACPI SCI): level, fixed, physical dest APIC 1, vector 0x49 */
	nyx_ioapic_write_reg(&ioapic, 0x10 + 2 * 9 + 1, 1u << 24);
	nyx_ioapic_write_reg(&ioapic, 0x10 + 2 * 9, 0x8049);
	nyx_ioapic_set_irq(&ioapic, 9, 1);
	CHECK_EQ(nyx_lapic_pending_vector(&cpu[0]), -1);
	CHECK_EQ(nyx_lapic_pending_vector(a), 0x49);
	CHECK_EQ(rd(a, NYX_APIC_TMR + 0x20, 0), 1u << 9);
	CHECK(nyx_ioapic_read_reg(&ioapic, 0x10 + 18) & (1u << 14));
	nyx_lapic_ack(a, 0x49);
	/* the handler quiets the device, then EOIs */
	nyx_ioapic_set_irq(&ioapic, 9, 0);
	wr(a, NYX_APIC_EOI, 0, 0);
	CHECK_EQ(neoi, 1);
	CHECK_EQ(last_eoi, 0x49);
	CHECK_EQ(nyx_ioapic_read_reg(&ioapic, 0x10 + 18) & (1u << 14), 0);
	CHECK_EQ(nyx_lapic_pending_vector(a), -1);
	/* EOI while the line is still high: delivered again */
	nyx_ioapic_set_irq(&ioapic, 9, 1);
	nyx_lapic_ack(a, 0x49);
	wr(a, NYX_APIC_EOI, 0, 0);
	CHECK_EQ(nyx_lapic_pending_vector(a), 0x49);
	nyx_lapic_ack(a, 0x49);
	nyx_ioapic_set_irq(&ioapic, 9, 0);
	/* directed EOI: SVR bit 12 suppresses the broadcast ... */
	wr(a, NYX_APIC_SVR, 0x11ff, 0);
	wr(a, NYX_APIC_EOI, 0, 0);
	CHECK_EQ(neoi, 2);
	CHECK(nyx_ioapic_read_reg(&ioapic, 0x10 + 18) & (1u << 14));
	/* ... so the OS writes the I/O APIC's EOI register */
	nyx_ioapic_mmio_write(&ioapic, 0x40, 4, 0x49);
	CHECK_EQ(nyx_ioapic_read_reg(&ioapic, 0x10 + 18) & (1u << 14), 0);
	/* edge pin: TMR clear, no EOI broadcast */
	wr(a, NYX_APIC_SVR, 0x1ff, 0);
	nyx_ioapic_write_reg(&ioapic, 0x10 + 2 * 4 + 1, 1u << 24);
	nyx_ioapic_write_reg(&ioapic, 0x10 + 2 * 4, 0x0034);
	nyx_ioapic_set_irq(&ioapic, 4, 1);
	CHECK_EQ(rd(a, NYX_APIC_TMR + 0x10, 0) & (1u << 20), 0);
	CHECK_EQ(rd(a, NYX_APIC_TMR + 0x20, 0), 1u << 9);	/* 0x49 stays */
	nyx_lapic_ack(a, 0x34);
	wr(a, NYX_APIC_EOI, 0, 0);
	CHECK_EQ(neoi, 2);
	/* logical destination (flat): both CPUs' bits, fixed -> both */
	nyx_ioapic_write_reg(&ioapic, 0x10 + 2 * 5 + 1, 3u << 24);
	nyx_ioapic_write_reg(&ioapic, 0x10 + 2 * 5, 0x0835);
	nyx_ioapic_set_irq(&ioapic, 5, 1);
	CHECK_EQ(nyx_lapic_pending_vector(&cpu[0]), 0x35);
	CHECK_EQ(nyx_lapic_pending_vector(a), 0x35);
	/* lowest priority: one of them, the lower TPR */
	wr(&cpu[0], NYX_APIC_TPR, 0x80, 0);
	nyx_ioapic_write_reg(&ioapic, 0x10 + 2 * 6 + 1, 3u << 24);
	nyx_ioapic_write_reg(&ioapic, 0x10 + 2 * 6, 0x0936);
	nyx_ioapic_set_irq(&ioapic, 6, 1);
	CHECK_EQ(rd(a, NYX_APIC_IRR + 0x10, 0) >> 22 & 1, 1);
	CHECK_EQ(rd(&cpu[0], NYX_APIC_IRR + 0x10, 0) >> 22 & 1, 0);
}

/* KVM PV EOI: which in-service vector may be EOI'd through memory. */
static void test_pv_eoi(void)
{
	struct nyx_lapic *a = &cpu[1];
	struct nyx_apic_msg m;

	setup();
	linux_setup(1, 0);
	CHECK_EQ(nyx_lapic_pv_eoi_vector(a), -1);	/* nothing in service */
	m = fixed(0x40, 0);
	nyx_lapic_accept(a, &m);
	CHECK_EQ(nyx_lapic_pv_eoi_vector(a), -1);	/* IRR only */
	nyx_lapic_ack(a, 0x40);
	CHECK_EQ(nyx_lapic_pv_eoi_vector(a), 0x40);
	/* a lower vector waits for the EOI: it must exit */
	m = fixed(0x30, 0);
	nyx_lapic_accept(a, &m);
	CHECK_EQ(nyx_lapic_pv_eoi_vector(a), -1);
	/* the memory EOI does what the register does: 0x30 comes next */
	nyx_lapic_eoi(a);
	CHECK_EQ(rd(a, NYX_APIC_ISR + 0x20, 0), 0);
	CHECK_EQ(nyx_lapic_pending_vector(a), 0x30);
	nyx_lapic_ack(a, 0x30);
	CHECK_EQ(nyx_lapic_pv_eoi_vector(a), 0x30);
	/* nested: the highest in service is the one offered */
	m = fixed(0x60, 0);
	nyx_lapic_accept(a, &m);
	nyx_lapic_ack(a, 0x60);
	CHECK_EQ(nyx_lapic_pv_eoi_vector(a), 0x60);
	nyx_lapic_eoi(a);
	CHECK_EQ(nyx_lapic_pv_eoi_vector(a), 0x30);
	nyx_lapic_eoi(a);
	/* level-triggered: the I/O APIC needs the EOI, never offered */
	m = fixed(0x50, 1);
	nyx_lapic_accept(a, &m);
	nyx_lapic_ack(a, 0x50);
	CHECK_EQ(nyx_lapic_pv_eoi_vector(a), -1);
	nyx_lapic_eoi(a);
	CHECK_EQ(neoi, 1);
	CHECK_EQ(nyx_lapic_pv_eoi_vector(a), -1);
}

static void test_ipis(void)
{
	struct nyx_lapic *a = &cpu[0];

	setup();
	use_bus = 0;
	linux_setup(0, 0);
	/* fixed, physical, to APIC 3 */
	wr(a, NYX_APIC_ICR2, 3u << 24, 0);
	CHECK_EQ(rd(a, NYX_APIC_ICR2, 0), 3u << 24);
	wr(a, NYX_APIC_ICR, 0x000000fd, 0);
	CHECK_EQ(nipi, 1);
	CHECK_EQ(last_ipi.vector, 0xfd);
	CHECK_EQ(last_ipi.dest, 3);
	CHECK_EQ(last_ipi.delivery_mode, 0);
	CHECK_EQ(last_ipi.dest_mode, 0);
	CHECK_EQ(last_ipi.shorthand, 0);
	CHECK_EQ(last_ipi.src, 0);
	CHECK_EQ(last_ipi.x2apic, 0);
	CHECK_EQ(rd(a, NYX_APIC_ICR, 0) & (1u << 12), 0);	/* idle */
	/* reserved ICR bits are dropped, delivery status never set */
	wr(a, NYX_APIC_ICR, 0xffffffff, 0);
	CHECK_EQ(rd(a, NYX_APIC_ICR, 0), 0x000ccfff);
	/* each delivery mode and shorthand */
	wr(a, NYX_APIC_ICR, 0x00000100 | 0x31, 0);
	CHECK_EQ(last_ipi.delivery_mode, NYX_APIC_DM_LOWEST);
	wr(a, NYX_APIC_ICR, 0x00000200, 0);
	CHECK_EQ(last_ipi.delivery_mode, NYX_APIC_DM_SMI);
	wr(a, NYX_APIC_ICR, 0x000c4400, 0);		/* NMI to others */
	CHECK_EQ(last_ipi.delivery_mode, NYX_APIC_DM_NMI);
	CHECK_EQ(last_ipi.shorthand, NYX_APIC_SH_OTHERS);
	wr(a, NYX_APIC_ICR, 0x0000c500, 0);		/* INIT assert */
	CHECK_EQ(last_ipi.delivery_mode, NYX_APIC_DM_INIT);
	CHECK_EQ(last_ipi.level, 1);
	CHECK_EQ(last_ipi.trigger, 1);
	wr(a, NYX_APIC_ICR, 0x00008500, 0);		/* INIT de-assert */
	CHECK_EQ(last_ipi.level, 0);
	wr(a, NYX_APIC_ICR, 0x0000069a, 0);		/* SIPI 0x9a */
	CHECK_EQ(last_ipi.delivery_mode, NYX_APIC_DM_STARTUP);
	CHECK_EQ(last_ipi.vector, 0x9a);
	wr(a, NYX_APIC_ICR, 0x00040050, 0);		/* self */
	CHECK_EQ(last_ipi.shorthand, NYX_APIC_SH_SELF);
	wr(a, NYX_APIC_ICR, 0x00080850, 0);		/* all incl. self */
	CHECK_EQ(last_ipi.shorthand, NYX_APIC_SH_ALL);
	CHECK_EQ(last_ipi.dest_mode, 1);
	wr(a, NYX_APIC_ICR, 0x00000350, 0);		/* remote read */
	CHECK_EQ(last_ipi.shorthand, NYX_APIC_SH_ALL);	/* not sent */
	CHECK_EQ(nipi, 10);
	/* writing ICR2 alone sends nothing */
	wr(a, NYX_APIC_ICR2, 0xffffffff, 0);
	CHECK_EQ(rd(a, NYX_APIC_ICR2, 0), 0xff000000);
	CHECK_EQ(nipi, 10);
}

/* all CPUs set up by Linux, then cluster mode: two clusters of two */
static void cluster_setup(void)
{
	unsigned int i;

	setup();
	for (i = 0; i < NCPU; i++) {
		linux_setup(i, 0);
		wr(&cpu[i], NYX_APIC_DFR, 0x0fffffff, 0);
		wr(&cpu[i], NYX_APIC_LDR, ((i / 2) << 28) | (1u << (24 + i % 2)),
		   0);
	}
}

static void test_ipi_routing(void)
{
	struct nyx_lapic *a = &cpu[0];
	unsigned int i;

	setup();
	for (i = 0; i < NCPU; i++)
		linux_setup(i, 0);
	/* physical */
	wr(a, NYX_APIC_ICR2, 2u << 24, 0);
	wr(a, NYX_APIC_ICR, 0x40, 0);
	CHECK_EQ(ndelivered, 1);
	CHECK_EQ(nyx_lapic_pending_vector(&cpu[2]), 0x40);
	/* physical broadcast 0xff */
	wr(a, NYX_APIC_ICR2, 0xffu << 24, 0);
	wr(a, NYX_APIC_ICR, 0x41, 0);
	CHECK_EQ(ndelivered, NCPU);
	/* logical flat: LDR bits 1 << cpu */
	wr(a, NYX_APIC_ICR2, 0x0au << 24, 0);
	wr(a, NYX_APIC_ICR, 0x842, 0);
	CHECK_EQ(ndelivered, 2);
	CHECK_EQ(nyx_lapic_pending_vector(&cpu[3]), 0x42);
	CHECK_EQ(nyx_lapic_pending_vector(&cpu[1]), 0x42);
	/* shorthands */
	wr(a, NYX_APIC_ICR, 0x000c0043, 0);
	CHECK_EQ(ndelivered, NCPU - 1);
	CHECK_EQ(nyx_lapic_pending_vector(&cpu[0]), 0x41);
	wr(a, NYX_APIC_ICR, 0x00040044, 0);
	CHECK_EQ(ndelivered, 1);
	CHECK_EQ(nyx_lapic_pending_vector(&cpu[0]), 0x44);
	wr(&cpu[3], NYX_APIC_ICR, 0x00080045, 0);
	CHECK_EQ(ndelivered, NCPU);
	/* logical cluster: DFR model 0, LDR = cluster << 28 | bit << 24 */
	for (i = 0; i < NCPU; i++) {
		wr(&cpu[i], NYX_APIC_DFR, 0x0fffffff, 0);
		wr(&cpu[i], NYX_APIC_LDR, ((i / 2) << 28) | (1u << (24 + i % 2)),
		   0);
	}
	CHECK_EQ(rd(a, NYX_APIC_DFR, 0), 0x0fffffff);
	wr(a, NYX_APIC_ICR2, 0x13u << 24, 0);		/* cluster 1, both */
	wr(a, NYX_APIC_ICR, 0x846, 0);
	CHECK_EQ(ndelivered, 2);
	CHECK_EQ(nyx_lapic_pending_vector(&cpu[2]), 0x46);
	CHECK_EQ(nyx_lapic_pending_vector(&cpu[3]), 0x46);
	wr(a, NYX_APIC_ICR2, 0x02u << 24, 0);		/* cluster 0, cpu 1 */
	wr(a, NYX_APIC_ICR, 0x847, 0);
	CHECK_EQ(ndelivered, 1);
	CHECK_EQ(nyx_lapic_pending_vector(&cpu[1]), 0x47);
	wr(a, NYX_APIC_ICR2, 0xffu << 24, 0);		/* broadcast */
	wr(a, NYX_APIC_ICR, 0x848, 0);
	CHECK_EQ(ndelivered, NCPU);
	/* unknown DFR model matches nothing */
	wr(&cpu[2], NYX_APIC_DFR, 0x5fffffff, 0);
	wr(a, NYX_APIC_ICR2, 0x13u << 24, 0);
	wr(a, NYX_APIC_ICR, 0x849, 0);
	CHECK_EQ(ndelivered, 1);
	/* lowest priority among cluster 1: lowest APR, then round robin */
	cluster_setup();
	wr(&cpu[2], NYX_APIC_TPR, 0x20, 0);
	wr(a, NYX_APIC_ICR2, 0x13u << 24, 0);
	wr(a, NYX_APIC_ICR, 0x950, 0);
	CHECK_EQ(ndelivered, 1);
	CHECK_EQ(rd(&cpu[3], NYX_APIC_IRR + 0x20, 0) >> 16 & 1, 1);
	CHECK_EQ(rd(&cpu[2], NYX_APIC_IRR + 0x20, 0) >> 16 & 1, 0);
	wr(&cpu[2], NYX_APIC_TPR, 0x00, 0);
	/* focus: 0x50 is already pending on cpu 3 (APR 0x50 > 0) */
	wr(a, NYX_APIC_ICR, 0x950, 0);
	CHECK_EQ(rd(&cpu[2], NYX_APIC_IRR + 0x20, 0) >> 16 & 1, 0);
	/* focus checking disabled (SVR bit 9): arbitration only */
	wr(&cpu[3], NYX_APIC_SVR, 0x3ff, 0);
	wr(a, NYX_APIC_ICR, 0x950, 0);
	CHECK_EQ(rd(&cpu[2], NYX_APIC_IRR + 0x20, 0) >> 16 & 1, 1);
	/* no focus, equal priorities: round robin */
	cluster_setup();
	wr(a, NYX_APIC_ICR2, 0x13u << 24, 0);
	{
		int hits[NCPU] = { 0 };

		for (i = 0; i < 8; i++) {
			unsigned int c;

			wr(a, NYX_APIC_ICR, 0x960, 0);
			for (c = 2; c < 4; c++) {
				hits[c] += rd(&cpu[c], NYX_APIC_IRR + 0x30, 0) & 1;
				if (!nyx_lapic_ack(&cpu[c], 0x60))
					wr(&cpu[c], NYX_APIC_EOI, 0, 0);
			}
		}
		CHECK_EQ(hits[2], 4);
		CHECK_EQ(hits[3], 4);
	}
	/* a software-disabled APIC does not take part */
	wr(&cpu[2], NYX_APIC_SVR, 0xff, 0);
	for (i = 0; i < 3; i++) {
		wr(a, NYX_APIC_ICR, 0x970 + i, 0);
		CHECK_EQ(rd(&cpu[3], NYX_APIC_IRR + 0x30, 0) >> (16 + i) & 1, 1);
	}
	/* MSI-style redirection hint on a fixed message arbitrates too */
	{
		struct nyx_apic_msg m = fixed(0x80, 0);

		m.dest_mode = 1;
		m.dest = 0x13;
		m.redir_hint = 1;
		wr(&cpu[2], NYX_APIC_SVR, 0x1ff, 0);
		CHECK_EQ(nyx_apic_bus_deliver(apics, NCPU, &m, NULL, NULL), 1);
		CHECK_EQ(nyx_apic_bus_deliver(apics, 0, &m, NULL, NULL), 0);
	}
	/* a hardware-disabled APIC matches nothing */
	CHECK_EQ(nyx_lapic_set_base(&cpu[3], 0xfee00000, 0), 0);
	wr(a, NYX_APIC_ICR2, 0xffu << 24, 0);
	wr(a, NYX_APIC_ICR, 0x471, 0);			/* NMI broadcast */
	CHECK_EQ(ndelivered, NCPU - 1);
}

static void test_match_x2apic(void)
{
	struct nyx_apic_msg m = { 0 };
	struct nyx_lapic *a = &cpu[1];
	struct nyx_lapic_config c = cfg_of(1);

	setup();
	c.apic_id = 0x123;
	nyx_lapic_init(a, &c, &lops, a);
	CHECK_EQ(nyx_lapic_set_base(a, 0xfee00c00, 0), 0);
	CHECK_EQ(nyx_lapic_id(a), 0x123);
	CHECK_EQ(rdmsr(a, 0x802, 0), 0x123);
	CHECK_EQ(rdmsr(a, 0x80d, 0), 0x00120008);	/* cluster 0x12, bit 3 */
	m.x2apic = 1;
	m.dest = 0x123;
	CHECK(nyx_lapic_match(a, &m, 0));
	m.dest = 0x23;
	CHECK(!nyx_lapic_match(a, &m, 0));
	m.dest = 0xffffffff;
	CHECK(nyx_lapic_match(a, &m, 0));
	m.dest = 0xff;
	CHECK(!nyx_lapic_match(a, &m, 0));		/* x2APIC sender */
	m.x2apic = 0;
	CHECK(nyx_lapic_match(a, &m, 0));		/* 8-bit broadcast */
	/* logical x2APIC */
	m.dest_mode = 1;
	m.x2apic = 1;
	m.dest = 0x00120008;
	CHECK(nyx_lapic_match(a, &m, 0));
	m.dest = 0x0012fff7;
	CHECK(!nyx_lapic_match(a, &m, 0));
	m.dest = 0x00110008;
	CHECK(!nyx_lapic_match(a, &m, 0));
	m.dest = 0xffffffff;
	CHECK(nyx_lapic_match(a, &m, 0));
	/* shorthands ignore the destination */
	m.dest = 0;
	m.shorthand = NYX_APIC_SH_SELF;
	CHECK(nyx_lapic_match(a, &m, 1));
	CHECK(!nyx_lapic_match(a, &m, 0));
	m.shorthand = NYX_APIC_SH_OTHERS;
	CHECK(!nyx_lapic_match(a, &m, 1));
	CHECK(nyx_lapic_match(a, &m, 0));
	m.shorthand = NYX_APIC_SH_ALL;
	CHECK(nyx_lapic_match(a, &m, 1));
	/* xAPIC receiver, x2APIC-format message */
	m.shorthand = 0;
	m.dest_mode = 0;
	m.dest = 2;
	CHECK(nyx_lapic_match(&cpu[2], &m, 0));
	m.dest = 0x102;
	CHECK(!nyx_lapic_match(&cpu[2], &m, 0));
	m.dest = 0xffffffff;
	CHECK(nyx_lapic_match(&cpu[2], &m, 0));
	/* x2APIC IPI through the ICR MSR */
	use_bus = 0;
	wrmsr(a, 0x80f, 0x1ff, 0);
	wrmsr(a, 0x830, (0x456ull << 32) | 0x4031, 0);
	CHECK_EQ(last_ipi.dest, 0x456);
	CHECK_EQ(last_ipi.x2apic, 1);
	CHECK_EQ(last_ipi.src, 0x123);
	CHECK_EQ(last_ipi.vector, 0x31);
	CHECK_EQ(last_ipi.level, 1);
	CHECK_EQ(rdmsr(a, 0x830, 0), (0x456ull << 32) | 0x4031);
}

/* Linux's wakeup_secondary_cpu_via_init(): INIT, INIT de-assert, SIPI x2. */
static void test_init_sipi(void)
{
	struct nyx_lapic *bsp = &cpu[0], *ap = &cpu[1];

	setup();
	linux_setup(0, 0);
	/* the AP has state that INIT must reset */
	wr(ap, NYX_APIC_SVR, 0x1ff, 0);
	wr(ap, NYX_APIC_TPR, 0x30, 0);
	wr(ap, NYX_APIC_ID, 7u << 24, 0);
	CHECK_EQ(nyx_lapic_id(ap), 7);
	wr(ap, NYX_APIC_ID, 1u << 24, 0);
	wr(ap, NYX_APIC_LVTT, 0x20000 | 0xec, 0);
	wr(ap, NYX_APIC_TMICT, 1000, 0);
	CHECK(nyx_lapic_timer_deadline(ap) != 0);
	wr(bsp, NYX_APIC_ESR, 0, 0);
	wr(bsp, NYX_APIC_ICR2, 1u << 24, 0);
	wr(bsp, NYX_APIC_ICR, 0xc500, 0);		/* INIT assert */
	CHECK_EQ(ndelivered, 1);
	wr(bsp, NYX_APIC_ICR, 0x8500, 0);		/* INIT de-assert */
	CHECK(rd(bsp, NYX_APIC_ICR, 0) == 0x8500);
	/* the AP's vCPU thread runs only now: INIT, then the SIPI */
	wr(bsp, NYX_APIC_ICR, 0x0609, 0);		/* SIPI 0x9000 */
	CHECK_EQ(ndelivered, 1);
	CHECK_EQ(nyx_lapic_take_sipi(ap), -1);		/* INIT first */
	CHECK_EQ(nyx_lapic_take_init(ap), 1);
	CHECK_EQ(nyx_lapic_take_init(ap), 0);
	CHECK_EQ(nyx_lapic_wait_for_sipi(ap), 1);
	CHECK_EQ(rd(ap, NYX_APIC_SVR, 0), 0xff);
	CHECK_EQ(rd(ap, NYX_APIC_TPR, 0), 0);
	CHECK_EQ(rd(ap, NYX_APIC_ID, 0), 1u << 24);	/* kept */
	CHECK_EQ(nyx_lapic_timer_deadline(ap), 0);
	CHECK_EQ(timer_dl[1], 0);
	CHECK_EQ(nyx_lapic_take_sipi(ap), 0x09);
	CHECK_EQ(nyx_lapic_wait_for_sipi(ap), 0);
	/* the second SIPI finds the AP running: ignored */
	wr(bsp, NYX_APIC_ICR, 0x0609, 0);
	CHECK_EQ(ndelivered, 0);
	CHECK_EQ(nyx_lapic_take_sipi(ap), -1);
	/* INIT to the BSP: reset, no wait for SIPI */
	wr(bsp, NYX_APIC_ICR, 0x4c500, 0);		/* self */
	CHECK_EQ(nyx_lapic_take_init(bsp), 1);
	CHECK_EQ(nyx_lapic_wait_for_sipi(bsp), 0);
	/* a stale SIPI is dropped by a new INIT */
	nyx_lapic_take_init(ap);
	{
		struct nyx_apic_msg m = fixed(0x10, 0);

		m.delivery_mode = NYX_APIC_DM_STARTUP;
		CHECK_EQ(nyx_lapic_accept(ap, &m), 0);	/* not waiting */
		m.delivery_mode = NYX_APIC_DM_INIT;
		nyx_lapic_accept(ap, &m);
		m.delivery_mode = NYX_APIC_DM_STARTUP;
		m.vector = 0x20;
		CHECK_EQ(nyx_lapic_accept(ap, &m), 1);
		m.delivery_mode = NYX_APIC_DM_INIT;
		nyx_lapic_accept(ap, &m);
		CHECK_EQ(nyx_lapic_take_init(ap), 1);
		CHECK_EQ(nyx_lapic_take_sipi(ap), -1);
	}
	/* INIT in x2APIC mode keeps x2APIC mode and the derived LDR */
	CHECK_EQ(nyx_lapic_set_base(ap, 0xfee00c00, 0), 0);
	{
		struct nyx_apic_msg m = fixed(0, 0);

		m.delivery_mode = NYX_APIC_DM_INIT;
		nyx_lapic_accept(ap, &m);
	}
	nyx_lapic_take_init(ap);
	CHECK_EQ(nyx_lapic_x2apic_mode(ap), 1);
	CHECK_EQ(rdmsr(ap, 0x80d, 0), 0x00000002);
}

static void test_events(void)
{
	struct nyx_lapic *a = &cpu[0];
	struct nyx_apic_msg m = fixed(0, 0);

	setup();
	m.delivery_mode = NYX_APIC_DM_NMI;
	nyx_lapic_accept(a, &m);
	nyx_lapic_accept(a, &m);
	nyx_lapic_accept(a, &m);
	CHECK_EQ(nyx_lapic_nmi_pending(a), NYX_LAPIC_NMI_MAX);
	CHECK_EQ(nyx_lapic_take_nmi(a), 1);
	CHECK_EQ(nyx_lapic_take_nmi(a), 1);
	CHECK_EQ(nyx_lapic_take_nmi(a), 0);
	m.delivery_mode = NYX_APIC_DM_SMI;
	nyx_lapic_accept(a, &m);
	CHECK_EQ(nyx_lapic_take_smi(a), 1);
	CHECK_EQ(nyx_lapic_take_smi(a), 0);
	m.delivery_mode = NYX_APIC_DM_EXTINT;
	nyx_lapic_accept(a, &m);
	CHECK_EQ(nyx_lapic_take_extint(a), 1);
	CHECK_EQ(nyx_lapic_take_extint(a), 0);
	/* a disabled APIC accepts nothing */
	nyx_lapic_set_base(a, 0, 0);
	m.delivery_mode = NYX_APIC_DM_NMI;
	CHECK_EQ(nyx_lapic_accept(a, &m), 0);
}

static void test_lint(void)
{
	struct nyx_lapic *a = &cpu[0];
	struct nyx_pic pic;
	u8 v;

	setup();
	nyx_pic_init(&pic, NULL, NULL);
	linux_setup(0, 0);
	/* LINT1 NMI on the rising edge only */
	nyx_lapic_set_lint(a, 1, 1);
	nyx_lapic_set_lint(a, 1, 1);
	CHECK_EQ(nyx_lapic_nmi_pending(a), 1);
	nyx_lapic_set_lint(a, 1, 0);
	nyx_lapic_set_lint(a, 1, 1);
	CHECK_EQ(nyx_lapic_nmi_pending(a), 2);
	CHECK_EQ(nyx_lapic_set_lint(a, 2, 1), -1);
	/* LINT0 ExtINT: the PIC path (virtual wire) */
	nyx_pic_port_write(&pic, 0x20, 0x11);
	nyx_pic_port_write(&pic, 0x21, 0x30);
	nyx_pic_port_write(&pic, 0x21, 0x04);
	nyx_pic_port_write(&pic, 0x21, 0x01);
	nyx_pic_port_write(&pic, 0x21, 0x00);
	nyx_pic_set_irq(&pic, 1, 1);
	nyx_lapic_set_lint(a, 0, nyx_pic_intr(&pic));
	CHECK_EQ(nyx_lapic_pending_vector(a), -1);	/* not via IRR */
	CHECK(nyx_pic_intr(&pic) && nyx_lapic_accept_pic_intr(a));
	v = nyx_pic_ack(&pic);
	CHECK_EQ(v, 0x31);
	/* masked LINT0 blocks the PIC */
	wr(a, NYX_APIC_LVT0, 0x10700, 0);
	CHECK_EQ(nyx_lapic_accept_pic_intr(a), 0);
	/* LINT0 fixed, edge */
	wr(a, NYX_APIC_LVT0, 0x0061, 0);
	nyx_lapic_set_lint(a, 0, 0);
	nyx_lapic_set_lint(a, 0, 1);
	CHECK_EQ(nyx_lapic_pending_vector(a), 0x61);
	nyx_lapic_ack(a, 0x61);
	wr(a, NYX_APIC_EOI, 0, 0);
	nyx_lapic_set_lint(a, 0, 1);
	CHECK_EQ(nyx_lapic_pending_vector(a), -1);
	/* LINT0 fixed, level: while asserted, TMR set */
	wr(a, NYX_APIC_LVT0, 0xa062, 0);
	CHECK_EQ(rd(a, NYX_APIC_LVT0, 0), 0xa062);
	nyx_lapic_set_lint(a, 0, 1);
	CHECK_EQ(nyx_lapic_pending_vector(a), 0x62);
	CHECK_EQ(rd(a, NYX_APIC_TMR + 0x30, 0), 1u << 2);
	/* LINT1 as SMI and INIT */
	wr(a, NYX_APIC_LVT1, 0x200, 0);
	nyx_lapic_set_lint(a, 1, 0);
	nyx_lapic_set_lint(a, 1, 1);
	CHECK_EQ(nyx_lapic_take_smi(a), 1);
	wr(a, NYX_APIC_LVT1, 0x500, 0);
	nyx_lapic_set_lint(a, 1, 0);
	nyx_lapic_set_lint(a, 1, 1);
	CHECK_EQ(nyx_lapic_take_init(a), 1);
	/* APIC disabled: LINT0 is INTR, LINT1 is NMI */
	CHECK_EQ(nyx_lapic_set_base(a, 0xfee00100, 0), 0);
	CHECK_EQ(nyx_lapic_accept_pic_intr(a), 1);
	nyx_lapic_set_lint(a, 1, 0);
	nyx_lapic_take_nmi(a);
	nyx_lapic_take_nmi(a);
	nyx_lapic_set_lint(a, 1, 1);
	CHECK_EQ(nyx_lapic_take_nmi(a), 1);
}

static void test_raise_lvt(void)
{
	struct nyx_lapic *a = &cpu[0];

	setup();
	linux_setup(0, 0);
	CHECK_EQ(nyx_lapic_raise_lvt(a, NYX_LVT_PMC), 0);	/* masked */
	wr(a, NYX_APIC_LVTPC, 0xf0, 0);
	CHECK_EQ(nyx_lapic_raise_lvt(a, NYX_LVT_PMC), 1);
	CHECK_EQ(nyx_lapic_pending_vector(a), 0xf0);
	CHECK_EQ(rd(a, NYX_APIC_LVTPC, 0), 0x100f0);		/* self-masked */
	wr(a, NYX_APIC_LVTPC, 0x400, 0);			/* NMI watchdog */
	CHECK_EQ(nyx_lapic_raise_lvt(a, NYX_LVT_PMC), 1);
	CHECK_EQ(nyx_lapic_nmi_pending(a), 1);
	wr(a, NYX_APIC_LVTTHMR, 0xfa, 0);
	CHECK_EQ(nyx_lapic_raise_lvt(a, NYX_LVT_THERMAL), 1);
	CHECK_EQ(nyx_lapic_raise_lvt(a, NYX_LAPIC_NR_LVT), 0);
	CHECK_EQ(nyx_lapic_raise_lvt(a, ~0u), 0);
	/* LVT masks: reserved bits dropped */
	wr(a, NYX_APIC_LVTTHMR, 0xffffffff, 0);
	CHECK_EQ(rd(a, NYX_APIC_LVTTHMR, 0), 0x107ff);
	wr(a, NYX_APIC_LVTERR, 0xffffffff, 0);
	CHECK_EQ(rd(a, NYX_APIC_LVTERR, 0), 0x100ff);
	wr(a, NYX_APIC_LVT1, 0xffffffff, 0);
	CHECK_EQ(rd(a, NYX_APIC_LVT1, 0), 0x1a7ff);
}

static void test_apic_base(void)
{
	struct nyx_lapic *a = &cpu[1];
	struct nyx_lapic_config c = cfg_of(1);

	setup();
	/* reserved bits */
	CHECK_EQ(nyx_lapic_set_base(a, 0xfee00801, 0), -1);
	CHECK_EQ(nyx_lapic_set_base(a, 0xfee00a00, 0), -1);
	CHECK_EQ(nyx_lapic_set_base(a, (1ull << 46) | 0xfee00800, 0), -1);
	/* BSP flag is read/write */
	CHECK_EQ(nyx_lapic_set_base(a, 0xfee00900, 0), 0);
	CHECK_EQ(nyx_lapic_set_base(a, 0xfee00800, 0), 0);
	/* relocation */
	CHECK_EQ(nyx_lapic_set_base(a, 0x3fff0000800ull, 0), 0);
	CHECK_EQ(nyx_lapic_mmio_base(a), 0x3fff0000000ull);
	CHECK_EQ(nyx_lapic_set_base(a, 0xfee00800, 0), 0);
	/* EXTD without EN */
	CHECK_EQ(nyx_lapic_set_base(a, 0xfee00400, 0), -1);
	/* xAPIC -> x2APIC -> xAPIC (#GP) -> disabled -> x2APIC (#GP) */
	wr(a, NYX_APIC_SVR, 0x1ff, 0);
	wr(a, NYX_APIC_TPR, 0x20, 0);
	CHECK_EQ(nyx_lapic_set_base(a, 0xfee00c00, 0), 0);
	CHECK_EQ(nyx_lapic_mmio_base(a), ~0ull);
	CHECK_EQ(rdmsr(a, 0x808, 0), 0x20);		/* state kept */
	CHECK_EQ(rdmsr(a, 0x80f, 0), 0x1ff);
	CHECK_EQ(nyx_lapic_set_base(a, 0xfee00800, 0), -1);
	CHECK_EQ(nyx_lapic_x2apic_mode(a), 1);
	CHECK_EQ(nyx_lapic_set_base(a, 0xfee00000, 0), 0);
	CHECK_EQ(nyx_lapic_hw_enabled(a), 0);
	CHECK_EQ(nyx_lapic_set_base(a, 0xfee00c00, 0), -1);
	CHECK_EQ(nyx_lapic_set_base(a, 0xfee00400, 0), -1);
	/* disabled: registers back to power-up state, MMIO not decoded */
	CHECK_EQ(nyx_lapic_mmio_read(a, NYX_APIC_SVR, 4, 0), 0xffffffff);
	CHECK_EQ(nyx_lapic_mmio_read(a, NYX_APIC_SVR, 1, 0), 0xff);
	CHECK_EQ(nyx_lapic_set_base(a, 0xfee00800, 0), 0);
	CHECK_EQ(rd(a, NYX_APIC_SVR, 0), 0xff);
	CHECK_EQ(rd(a, NYX_APIC_TPR, 0), 0);
	CHECK_EQ(rd(a, NYX_APIC_ID, 0), 1u << 24);
	/* a guest-changed xAPIC ID is replaced by x2APIC enable */
	wr(a, NYX_APIC_ID, 0x55u << 24, 0);
	CHECK_EQ(nyx_lapic_set_base(a, 0xfee00c00, 0), 0);
	CHECK_EQ(rdmsr(a, 0x802, 0), 1);
	/* without x2APIC support, EXTD is reserved */
	c.x2apic = 0;
	nyx_lapic_init(a, &c, &lops, a);
	CHECK_EQ(nyx_lapic_set_base(a, 0xfee00c00, 0), -1);
	/* maxphyaddr 0 means 52 */
	c.maxphyaddr = 0;
	nyx_lapic_init(a, &c, &lops, a);
	CHECK_EQ(nyx_lapic_set_base(a, 0xffffffffff000800ull, 0), -1);
	CHECK_EQ(nyx_lapic_set_base(a, 0x000ffffffffff800ull, 0), 0);
}

static void test_x2apic_msrs(void)
{
	struct nyx_lapic *a = &cpu[2];
	u64 v;

	setup();
	/* not in x2APIC mode: every x2APIC MSR faults */
	CHECK(msr_gp_read(a, 0x802));
	CHECK(msr_gp_write(a, 0x808, 0));
	CHECK_EQ(nyx_lapic_set_base(a, 0xfee00c00, 0), 0);
	CHECK_EQ(rdmsr(a, 0x802, 0), 2);
	CHECK_EQ(rdmsr(a, 0x803, 0), 0x01050014);
	CHECK_EQ(rdmsr(a, 0x80d, 0), 0x4);
	CHECK_EQ(rdmsr(a, 0x80f, 0), 0xff);
	wrmsr(a, 0x80f, 0x1ff, 0);
	wrmsr(a, 0x808, 0x30, 0);
	CHECK_EQ(rdmsr(a, 0x808, 0), 0x30);
	CHECK_EQ(rdmsr(a, 0x80a, 0), 0x30);
	/* #GP: nonexistent in x2APIC mode, WO reads, RO writes */
	CHECK(msr_gp_read(a, 0x809));			/* APR */
	CHECK(msr_gp_read(a, 0x80c));			/* RRD */
	CHECK(msr_gp_read(a, 0x80e));			/* DFR */
	CHECK(msr_gp_read(a, 0x831));			/* ICR2 */
	CHECK(msr_gp_read(a, 0x82f));			/* CMCI */
	CHECK(msr_gp_read(a, 0x804));
	CHECK(msr_gp_read(a, 0x8ff));
	CHECK(msr_gp_read(a, 0x80b));			/* EOI */
	CHECK(msr_gp_read(a, 0x83f));			/* SELF IPI */
	CHECK(msr_gp_read(a, 0x7ff));
	CHECK(msr_gp_read(a, 0x900));
	CHECK(msr_gp_write(a, 0x802, 5));
	CHECK(msr_gp_write(a, 0x803, 0));
	CHECK(msr_gp_write(a, 0x80a, 0));
	CHECK(msr_gp_write(a, 0x80d, 0));
	CHECK(msr_gp_write(a, 0x80e, 0));
	CHECK(msr_gp_write(a, 0x810, 0));		/* ISR */
	CHECK(msr_gp_write(a, 0x827, 0));		/* IRR */
	CHECK(msr_gp_write(a, 0x839, 0));		/* TMCCT */
	CHECK(msr_gp_write(a, 0x831, 0));
	CHECK(msr_gp_write(a, 0x809, 0));
	CHECK(msr_gp_write(a, 0x80b, 1));		/* non-zero EOI */
	CHECK(msr_gp_write(a, 0x828, 1));		/* non-zero ESR */
	CHECK(msr_gp_write(a, 0x808, 0x100));		/* TPR reserved */
	CHECK(msr_gp_write(a, 0x808, 1ull << 32));	/* bits 63:32 */
	CHECK(msr_gp_write(a, 0x83f, 0x100));
	CHECK(msr_gp_write(a, 0x8ff, 0));
	CHECK(msr_gp_write(a, 0x900, 0));
	CHECK_EQ(rdmsr(a, 0x808, 0), 0x30);
	/* fine writes */
	wrmsr(a, 0x80b, 0, 0);
	wrmsr(a, 0x828, 0, 0);
	CHECK_EQ(rdmsr(a, 0x828, 0), 0);
	/* ISR/TMR/IRR registers */
	wrmsr(a, 0x83f, 0x81, 0);			/* SELF IPI */
	CHECK_EQ(rdmsr(a, 0x824, 0), 2);
	CHECK_EQ(nyx_lapic_pending_vector(a), 0x81);
	nyx_lapic_ack(a, 0x81);
	CHECK_EQ(rdmsr(a, 0x814, 0), 2);
	CHECK_EQ(rdmsr(a, 0x80a, 0), 0x80);
	wrmsr(a, 0x80b, 0, 0);
	CHECK_EQ(rdmsr(a, 0x814, 0), 0);
	/* SELF IPI with an illegal vector */
	wrmsr(a, 0x83f, 0x0f, 0);
	wrmsr(a, 0x828, 0, 0);
	CHECK_EQ(rdmsr(a, 0x828, 0), NYX_APIC_ESR_SEND_ILL);
	/* ICR: reserved bits in 31:0 ignored */
	use_bus = 0;
	wrmsr(a, 0x830, 0xfffff0ff, 0);
	CHECK_EQ(rdmsr(a, 0x830, 0), 0x000cc0ff);
	/* LVT and timer MSRs */
	wrmsr(a, 0x832, 0x400ec, 0);			/* TSC-deadline */
	CHECK_EQ(rdmsr(a, 0x832, 0), 0x400ec);
	wrmsr(a, 0x83e, 0xb, 0);
	CHECK_EQ(rdmsr(a, 0x83e, 0), 0xb);
	CHECK_EQ(nyx_lapic_msr_read(a, 0x808, &v, 0), 0);
	/* MMIO is gone in x2APIC mode */
	CHECK_EQ(nyx_lapic_mmio_read(a, NYX_APIC_TPR, 4, 0), 0xffffffff);
	nyx_lapic_mmio_write(a, NYX_APIC_TPR, 4, 0, 0);
	CHECK_EQ(rdmsr(a, 0x808, 0), 0x30);
}

static void test_mmio_shapes(void)
{
	struct nyx_lapic *a = &cpu[0];

	setup();
	linux_setup(0, 0);
	wr(a, NYX_APIC_ID, 0x12345678, 0);
	CHECK_EQ(rd(a, NYX_APIC_ID, 0), 0x12000000);
	CHECK_EQ(nyx_lapic_mmio_read(a, NYX_APIC_ID + 3, 1, 0), 0x12);
	CHECK_EQ(nyx_lapic_mmio_read(a, NYX_APIC_ID + 2, 2, 0), 0x1200);
	CHECK_EQ(nyx_lapic_mmio_read(a, NYX_APIC_ID + 3, 2, 0), 0);
	CHECK_EQ(nyx_lapic_mmio_read(a, NYX_APIC_ID + 4, 4, 0), 0);
	CHECK_EQ(nyx_lapic_mmio_read(a, NYX_APIC_ID, 8, 0), 0);
	CHECK_EQ(nyx_lapic_mmio_read(a, NYX_APIC_ID, 3, 0), 0);
	CHECK_EQ(nyx_lapic_mmio_read(a, 0x1000, 4, 0), 0);
	CHECK_EQ(nyx_lapic_mmio_read(a, 0xffffffff, 4, 0), 0);
	/* writes other than aligned dwords are ignored */
	nyx_lapic_mmio_write(a, NYX_APIC_TPR, 1, 0x40, 0);
	nyx_lapic_mmio_write(a, NYX_APIC_TPR + 4, 4, 0x40, 0);
	nyx_lapic_mmio_write(a, NYX_APIC_TPR + 0x1000, 4, 0x40, 0);
	CHECK_EQ(rd(a, NYX_APIC_TPR, 0), 0);
	/* read-only registers ignore writes without an error */
	wr(a, NYX_APIC_LVR, 0, 0);
	wr(a, NYX_APIC_PPR, 0xff, 0);
	wr(a, NYX_APIC_ISR, 0xff, 0);
	wr(a, NYX_APIC_TMCCT, 5, 0);
	CHECK_EQ(rd(a, NYX_APIC_LVR, 0), 0x01050014);
	CHECK_EQ(rd(a, NYX_APIC_ISR, 0), 0);
	wr(a, NYX_APIC_ESR, 0, 0);
	CHECK_EQ(rd(a, NYX_APIC_ESR, 0), 0);
	/* EOI and RRD read 0 */
	CHECK_EQ(rd(a, NYX_APIC_EOI, 0), 0);
	CHECK_EQ(rd(a, NYX_APIC_RRD, 0), 0);
	/* every offset: defined, and the illegal ones flag ESR */
	{
		u32 off;
		int ill = 0;

		for (off = 0; off < 0x400; off += 0x10) {
			rd(a, off, 0);
			wr(a, NYX_APIC_ESR, 0, 0);
			ill += !!(rd(a, NYX_APIC_ESR, 0) & NYX_APIC_ESR_ILL_REG);
		}
		/* 0x00 0x10 0x40-0x70 0x290-0x2f0 0x3a0-0x3d0 0x3f0 */
		CHECK_EQ(ill, 2 + 4 + 7 + 4 + 1);
	}
}

static void test_timer_oneshot(void)
{
	struct nyx_lapic *a = &cpu[0];
	u64 t = 5 * SEC;

	setup();
	linux_setup(0, t);
	wr(a, NYX_APIC_TDCR, 0x3, t);			/* divide by 16 */
	wr(a, NYX_APIC_LVTT, 0xec, t);			/* one-shot */
	CHECK_EQ(ntimer[0], 0);
	wr(a, NYX_APIC_TMICT, 1000, t);
	CHECK_EQ(nyx_lapic_timer_deadline(a), t + 16000);
	CHECK_EQ(timer_dl[0], t + 16000);
	CHECK_EQ(ntimer[0], 1);
	CHECK_EQ(rd(a, NYX_APIC_TMCCT, t), 1000);
	CHECK_EQ(rd(a, NYX_APIC_TMCCT, t + 15), 1000);
	CHECK_EQ(rd(a, NYX_APIC_TMCCT, t + 16), 999);
	CHECK_EQ(rd(a, NYX_APIC_TMCCT, t + 15999), 1);
	CHECK_EQ(rd(a, NYX_APIC_TMCCT, t + 16000), 0);
	CHECK_EQ(nyx_lapic_timer_expire(a, t + 15999), 0);
	CHECK_EQ(nyx_lapic_pending_vector(a), -1);
	CHECK_EQ(nyx_lapic_timer_expire(a, t + 16500), 1);
	CHECK_EQ(nyx_lapic_pending_vector(a), 0xec);
	CHECK_EQ(nyx_lapic_timer_deadline(a), 0);
	CHECK_EQ(timer_dl[0], 0);
	CHECK_EQ(rd(a, NYX_APIC_TMCCT, t + 17000), 0);
	CHECK_EQ(rd(a, NYX_APIC_TMICT, t + 17000), 1000);
	CHECK_EQ(nyx_lapic_timer_expire(a, t + 30000), 0);
	nyx_lapic_ack(a, 0xec);
	wr(a, NYX_APIC_EOI, 0, t);
	/* TMICT 0 stops; rewriting restarts */
	wr(a, NYX_APIC_TMICT, 10, t + 40000);
	CHECK_EQ(nyx_lapic_timer_deadline(a), t + 40160);
	wr(a, NYX_APIC_TMICT, 0, t + 40100);
	CHECK_EQ(nyx_lapic_timer_deadline(a), 0);
	/* a masked timer counts but raises nothing */
	wr(a, NYX_APIC_LVTT, 0x100ec, t);
	wr(a, NYX_APIC_TDCR, 0xb, t);			/* divide by 1 */
	wr(a, NYX_APIC_TMICT, 100, t + 50000);
	CHECK_EQ(rd(a, NYX_APIC_TMCCT, t + 50050), 50);
	CHECK_EQ(nyx_lapic_timer_expire(a, t + 50100), 1);
	CHECK_EQ(nyx_lapic_pending_vector(a), -1);
	/* divisor encodings */
	{
		static const u32 enc[8] = { 0, 1, 2, 3, 8, 9, 0xa, 0xb };
		static const u32 div[8] = { 2, 4, 8, 16, 32, 64, 128, 1 };
		unsigned int i;

		for (i = 0; i < 8; i++) {
			wr(a, NYX_APIC_TDCR, enc[i] | 0xfffffff4, t);
			CHECK_EQ(rd(a, NYX_APIC_TDCR, t), enc[i]);
			wr(a, NYX_APIC_TMICT, 7, t);
			CHECK_EQ(nyx_lapic_timer_deadline(a), t + 7 * div[i]);
		}
	}
	/* the biggest count: 2^32 - 1 clocks x 128 */
	wr(a, NYX_APIC_TDCR, 0xa, t);
	wr(a, NYX_APIC_TMICT, 0xffffffff, t);
	CHECK_EQ(nyx_lapic_timer_deadline(a), t + 0xffffffffull * 128);
	CHECK_EQ(rd(a, NYX_APIC_TMCCT, t + 0xffffffffull * 127), 0x2000000);
}

static void test_timer_periodic(void)
{
	struct nyx_lapic *a = &cpu[0];
	u64 t = 7 * SEC, now, dl;
	unsigned int i;
	int bad = 0;

	setup();
	linux_setup(0, t);
	wr(a, NYX_APIC_TDCR, 0xb, t);
	wr(a, NYX_APIC_LVTT, 0x200ec, t);
	wr(a, NYX_APIC_TMICT, 1000000, t);		/* 1 ms */
	dl = nyx_lapic_timer_deadline(a);
	CHECK_EQ(dl, t + 1000000);
	/* expire late by a varying amount: the deadlines stay on the grid */
	for (i = 1; i <= 5000; i++) {
		now = t + (u64)i * 1000000 + (i * 7919) % 900000;
		if (nyx_lapic_timer_expire(a, now) != 1)
			bad++;
		if (nyx_lapic_timer_deadline(a) != t + (u64)(i + 1) * 1000000)
			bad++;
		if (timer_dl[0] != nyx_lapic_timer_deadline(a))
			bad++;
		if (nyx_lapic_pending_vector(a) != 0xec)
			bad++;
		nyx_lapic_ack(a, 0xec);
		wr(a, NYX_APIC_EOI, 0, now);
		if (rd(a, NYX_APIC_TMCCT, now) !=
		    1000000 - (now - t) % 1000000)
			bad++;
	}
	CHECK_EQ(bad, 0);
	/* missed periods coalesce into one interrupt */
	now = t + 10000ull * 1000000 + 5;
	CHECK_EQ(nyx_lapic_timer_expire(a, now), 1);
	CHECK_EQ(nyx_lapic_timer_deadline(a), t + 10001ull * 1000000);
	CHECK_EQ(nyx_lapic_pending_vector(a), 0xec);
	/* TMCCT right even when the expiry has not been processed */
	CHECK_EQ(rd(a, NYX_APIC_TMCCT, t + 10003ull * 1000000 + 250),
		 1000000 - 250);
	/* periodic -> one-shot: the current period ends, then it stops */
	wr(a, NYX_APIC_LVTT, 0x000ec, t + 10001ull * 1000000 - 10);
	CHECK_EQ(nyx_lapic_timer_expire(a, t + 10001ull * 1000000), 1);
	CHECK_EQ(nyx_lapic_timer_deadline(a), 0);
	/* one-shot -> periodic while running keeps the count going */
	now = t + 20000ull * 1000000;
	wr(a, NYX_APIC_TMICT, 1000, now);
	wr(a, NYX_APIC_LVTT, 0x200ec, now + 500);
	CHECK_EQ(nyx_lapic_timer_deadline(a), now + 1000);
	CHECK_EQ(nyx_lapic_timer_expire(a, now + 1000), 1);
	CHECK_EQ(nyx_lapic_timer_deadline(a), now + 2000);
	/* divide change mid-count keeps the current count */
	wr(a, NYX_APIC_TDCR, 0x0, now + 1500);		/* by 2 */
	CHECK_EQ(rd(a, NYX_APIC_TMCCT, now + 1500), 500);
	CHECK_EQ(nyx_lapic_timer_deadline(a), now + 1500 + 1000);
	CHECK_EQ(rd(a, NYX_APIC_TMCCT, now + 1502), 499);
	CHECK_EQ(nyx_lapic_timer_expire(a, now + 2500), 1);
	CHECK_EQ(nyx_lapic_timer_deadline(a), now + 2500 + 2000);
	/* periodic over a day: still exact */
	CHECK_EQ(nyx_lapic_timer_expire(a, now + 86400 * SEC + 1), 1);
	CHECK_EQ(nyx_lapic_timer_deadline(a),
		 now + 2500 + ((86400 * SEC + 1 - 2500) / 2000 + 1) * 2000);
	/* switching to TSC-deadline stops it and clears TMICT */
	wr(a, NYX_APIC_LVTT, 0x400ec, now + 86400 * SEC + 2);
	CHECK_EQ(nyx_lapic_timer_deadline(a), 0);
	CHECK_EQ(rd(a, NYX_APIC_TMICT, 0), 0);
	CHECK_EQ(rd(a, NYX_APIC_TMCCT, 0), 0);
	/* reserved mode 3: the timer does not run */
	wr(a, NYX_APIC_LVTT, 0x600ec, 0);
	wr(a, NYX_APIC_TMICT, 5, 0);
	CHECK_EQ(nyx_lapic_timer_deadline(a), 0);
	CHECK_EQ(rd(a, NYX_APIC_TMCCT, 1), 0);
}

static void test_timer_bus_hz(void)
{
	struct nyx_lapic *a = &cpu[1];
	struct nyx_lapic_config c = cfg_of(1);
	u64 t = 3 * SEC, k;
	int bad = 0;

	setup();
	/* 24 MHz crystal: 41.666 ns per clock */
	c.bus_hz = 24000000;
	nyx_lapic_init(a, &c, &lops, a);
	wr(a, NYX_APIC_SVR, 0x1ff, t);
	wr(a, NYX_APIC_TDCR, 0xb, t);
	wr(a, NYX_APIC_LVTT, 0x200ec, t);
	wr(a, NYX_APIC_TMICT, 24000, t);		/* exactly 1 ms */
	CHECK_EQ(nyx_lapic_timer_deadline(a), t + 1000000);
	wr(a, NYX_APIC_TMICT, 7, t);			/* 291.67 ns */
	for (k = 1; k <= 100000; k++) {
		u64 dl = nyx_lapic_timer_deadline(a);
		u64 exp = t + (k * 7 * 1000000000ull + 23999999) / 24000000;

		if (dl != exp)
			bad++;
		nyx_lapic_timer_expire(a, dl);
	}
	CHECK_EQ(bad, 0);
	{
		u64 d = 100000ull * 7 * 1000 / 24 + 84;

		CHECK_EQ(rd(a, NYX_APIC_TMCCT, t + d),
			 7 - (d * 24000000 / 1000000000) % 7);
	}
	/* bus_hz out of range falls back to 1 GHz */
	c.bus_hz = 5;
	nyx_lapic_init(a, &c, &lops, a);
	CHECK_EQ(a->cfg.bus_hz, 1000000000u);
}

static void test_tsc_deadline(void)
{
	struct nyx_lapic *a = &cpu[0];
	u64 t = 9 * SEC, tsc = 123456789000ull, dl;
	const u32 khz = 2500000;			/* 2.5 GHz */

	setup();
	linux_setup(0, t);
	/* not in TSC-deadline mode: reads 0, writes ignored */
	nyx_lapic_set_tsc_deadline(a, tsc + 5, t + 2, t);
	CHECK_EQ(nyx_lapic_get_tsc_deadline(a), 0);
	CHECK_EQ(nyx_lapic_timer_deadline(a), 0);
	wr(a, NYX_APIC_LVTT, 0x400ec, t);
	/* Linux lapic_next_deadline(): rdtsc + delta */
	dl = nyx_lapic_tsc_to_ns(tsc + 2500000, tsc, t, khz);
	CHECK_EQ(dl, t + 1000000);
	nyx_lapic_set_tsc_deadline(a, tsc + 2500000, dl, t);
	CHECK_EQ(nyx_lapic_get_tsc_deadline(a), tsc + 2500000);
	CHECK_EQ(nyx_lapic_timer_deadline(a), t + 1000000);
	CHECK_EQ(timer_dl[0], t + 1000000);
	/* TMICT is ignored, TMCCT reads 0 */
	wr(a, NYX_APIC_TMICT, 100, t);
	CHECK_EQ(rd(a, NYX_APIC_TMICT, t), 0);
	CHECK_EQ(rd(a, NYX_APIC_TMCCT, t), 0);
	CHECK_EQ(nyx_lapic_timer_expire(a, t + 999999), 0);
	CHECK_EQ(nyx_lapic_timer_expire(a, t + 1000000), 1);
	CHECK_EQ(nyx_lapic_get_tsc_deadline(a), 0);
	CHECK_EQ(nyx_lapic_pending_vector(a), 0xec);
	CHECK_EQ(timer_dl[0], 0);
	nyx_lapic_ack(a, 0xec);
	wr(a, NYX_APIC_EOI, 0, t);
	/* a deadline in the past fires at once */
	nyx_lapic_set_tsc_deadline(a, tsc - 1,
				   nyx_lapic_tsc_to_ns(tsc - 1, tsc, t, khz),
				   t + 5);
	CHECK_EQ(nyx_lapic_pending_vector(a), 0xec);
	CHECK_EQ(nyx_lapic_get_tsc_deadline(a), 0);
	/* writing 0 disarms */
	nyx_lapic_set_tsc_deadline(a, tsc + 100, t + 40, t);
	nyx_lapic_set_tsc_deadline(a, 0, 0, t);
	CHECK_EQ(nyx_lapic_timer_deadline(a), 0);
	CHECK_EQ(nyx_lapic_timer_expire(a, t + 100), 0);
	/* leaving TSC-deadline mode disarms and reads 0 */
	nyx_lapic_set_tsc_deadline(a, tsc + 100, t + 40, t);
	wr(a, NYX_APIC_LVTT, 0x000ec, t);
	CHECK_EQ(nyx_lapic_timer_deadline(a), 0);
	wr(a, NYX_APIC_LVTT, 0x400ec, t);
	CHECK_EQ(nyx_lapic_get_tsc_deadline(a), 0);
	/* conversion helper edge cases */
	CHECK_EQ(nyx_lapic_tsc_to_ns(5, 10, 77, khz), 77);
	CHECK_EQ(nyx_lapic_tsc_to_ns(11, 10, 77, 0), 77);
	CHECK_EQ(nyx_lapic_tsc_to_ns(~0ull, 0, 77, 1), ~0ull);
	CHECK_EQ(nyx_lapic_tsc_to_ns(1, 0, 0, khz), 1);	/* rounds up */
	/* without TSC-deadline support bit 18 is reserved */
	{
		struct nyx_lapic_config c = cfg_of(0);

		c.tsc_deadline = 0;
		nyx_lapic_init(a, &c, &lops, a);
		wr(a, NYX_APIC_SVR, 0x1ff, 0);
		wr(a, NYX_APIC_LVTT, 0x400ec, 0);
		CHECK_EQ(rd(a, NYX_APIC_LVTT, 0), 0xec);
	}
}

/*
 * Linux calibrate_APIC_clock(): the LAPIC timer counts down from
 * 0xffffffff (divide by 16, masked one-shot) while the PIT ticks at HZ
 * in mode 2; lapic_cal_handler() samples TMCCT at tick 1 and at tick
 * LAPIC_CAL_LOOPS + 1.
 */
static void test_calibration(void)
{
	struct nyx_lapic *a = &cpu[0];
	struct nyx_pit pit;
	u64 now = 11 * SEC, t1 = 0, t2 = 0, period;
	unsigned int ticks = 0;
	const unsigned int loops = 100;		/* HZ / 10 at HZ = 1000 */
	u8 dummy;

	setup();
	linux_setup(0, now);
	nyx_pit_init(&pit, now);
	nyx_pit_port_write(&pit, 0x43, 0x34, now);
	nyx_pit_port_write(&pit, 0x40, 1193 & 0xff, now);
	nyx_pit_port_write(&pit, 0x40, 1193 >> 8, now);
	nyx_pit_irq0_edges(&pit, now);
	/* __setup_APIC_LVTT(0xffffffff, 0, 0) */
	wr(a, NYX_APIC_LVTT, 0x100ec, now);
	wr(a, NYX_APIC_TDCR, 0x3, now);
	wr(a, NYX_APIC_TMICT, 0xffffffff, now);
	while (ticks <= loops) {
		now = nyx_pit_irq0_next(&pit, now) + 300;	/* irq latency */
		if (!nyx_pit_irq0_edges(&pit, now))
			continue;
		ticks++;
		if (ticks == 1)
			t1 = rd(a, NYX_APIC_TMCCT, now);
		else if (ticks == loops + 1)
			t2 = rd(a, NYX_APIC_TMCCT, now);
	}
	(void)dummy;
	/* lapic_timer_period = (delta * APIC_DIVISOR) / LAPIC_CAL_LOOPS */
	period = (t1 - t2) * 16 / loops;
	/* 1193 PIT pulses = 999847 ns = 999847 clocks at 1 GHz */
	CHECK(period >= 999847 - 16 && period <= 999847 + 16);
	/* then lapic_next_event() programs one-shot counts */
	wr(a, NYX_APIC_LVTT, 0xec, now);
	wr(a, NYX_APIC_TMICT, (u32)(period / 16), now);
	CHECK_EQ(nyx_lapic_timer_deadline(a), now + period / 16 * 16);
}

static void test_save_load(void)
{
	struct nyx_lapic_state st, bad;
	struct nyx_lapic *a = &cpu[1], copy;
	struct nyx_lapic_config c = cfg_of(1);
	struct nyx_apic_msg m = fixed(0x66, 1);
	u64 t = 100 * SEC, shift = 12345 * SEC + 777;
	unsigned int i;
	int diff = 0;

	setup();
	linux_setup(1, t);
	wr(a, NYX_APIC_LVTT, 0x200ec, t);
	wr(a, NYX_APIC_TDCR, 0x1, t);
	wr(a, NYX_APIC_TMICT, 5000, t);
	wr(a, NYX_APIC_TDCR, 0x0, t + 3333);		/* e_off != 0 */
	nyx_lapic_accept(a, &m);
	nyx_lapic_ack(a, 0x66);
	m.vector = 0x71;
	nyx_lapic_accept(a, &m);
	wr(a, NYX_APIC_TPR, 0x20, t);
	wr(a, NYX_APIC_ICR2, 3u << 24, t);
	nyx_lapic_timer_expire(a, t + 50000);
	nyx_lapic_save(a, &st, t + 60000);

	nyx_lapic_init(&copy, &c, &lops, a);
	CHECK_EQ(nyx_lapic_load(&copy, &st, t + 60000 + shift), 0);
	for (i = 0; i < 200; i++) {
		u64 ta = t + 60000 + i * 1234, tb = ta + shift;
		u32 off = 0x20 + (i % 62) * 0x10;

		if (off == NYX_APIC_ESR || off == 0x3f0 || off == NYX_APIC_EOI)
			continue;
		diff += nyx_lapic_timer_expire(a, ta) !=
			nyx_lapic_timer_expire(&copy, tb);
		diff += rd(a, off, ta) != rd(&copy, off, tb);
		diff += nyx_lapic_timer_deadline(a) + shift !=
			nyx_lapic_timer_deadline(&copy);
	}
	CHECK_EQ(diff, 0);
	CHECK_EQ(nyx_lapic_pending_vector(a), nyx_lapic_pending_vector(&copy));

	/* TSC deadline and events survive too */
	wr(a, NYX_APIC_LVTT, 0x400ec, t);
	nyx_lapic_set_tsc_deadline(a, 999, t + 2 * SEC, t + SEC);
	m.delivery_mode = NYX_APIC_DM_NMI;
	nyx_lapic_accept(a, &m);
	nyx_lapic_save(a, &st, t + SEC);
	CHECK_EQ(nyx_lapic_load(&copy, &st, 5), 0);
	CHECK_EQ(nyx_lapic_get_tsc_deadline(&copy), 999);
	CHECK_EQ(nyx_lapic_timer_deadline(&copy), SEC + 5);
	CHECK_EQ(nyx_lapic_nmi_pending(&copy), 1);
	/* a deadline "never" (saturated conversion) stays never */
	nyx_lapic_set_tsc_deadline(a, ~0ull, nyx_lapic_tsc_to_ns(~0ull, 0, t, 1),
				   t);
	nyx_lapic_save(a, &st, t);
	CHECK_EQ(nyx_lapic_load(&copy, &st, t + SEC), 0);
	CHECK_EQ(nyx_lapic_timer_expire(&copy, t + 100000 * SEC), 0);
	CHECK(nyx_lapic_timer_deadline(&copy) > (1ull << 60));
	nyx_lapic_set_tsc_deadline(a, 999, t + 2 * SEC, t + SEC);
	nyx_lapic_save(a, &st, t + SEC);
	/* loading a deadline that lies before time 0 */
	CHECK_EQ(nyx_lapic_load(&copy, &st, 0), 0);
	nyx_lapic_save(a, &st, t + 3 * SEC);
	CHECK_EQ(nyx_lapic_load(&copy, &st, 0), 0);
	CHECK_EQ(nyx_lapic_timer_deadline(&copy), 1);
	CHECK_EQ(nyx_lapic_timer_expire(&copy, 0), 0);
	CHECK_EQ(nyx_lapic_timer_expire(&copy, 1), 1);

	/* rejections (each leaves the APIC unchanged) */
	nyx_lapic_save(a, &st, t);
#define REJECT(stmt) do {						\
	bad = st; stmt;							\
	copy = *a;							\
	CHECK_EQ(nyx_lapic_load(&copy, &bad, t), -1);			\
	CHECK(memcmp(&copy, a, sizeof(copy)) == 0);			\
} while (0)
	REJECT(bad.apic_base |= 1);
	REJECT(bad.apic_base = 0xfee00400);		/* EXTD without EN */
	REJECT(bad.apic_base |= 1ull << 50);
	REJECT(bad.apic_base |= NYX_APICBASE_EXTD);	/* ID not x2APIC's */
	REJECT(bad.id = 0x01000001);
	REJECT(bad.ldr = 1);
	REJECT(bad.dfr = 0);
	REJECT(bad.svr = 0x2000);
	REJECT(bad.tpr = 0x100);
	REJECT(bad.esr = 1);
	REJECT(bad.esr_pending = 0x100);
	REJECT(bad.icr_lo = 1u << 12);
	REJECT(bad.icr_hi = 1);
	REJECT(bad.tdcr = 4);
	REJECT(bad.nmi_pending = 3);
	REJECT(bad.lvt[NYX_LVT_ERROR] = 0x700);
	REJECT(bad.svr = 0xff);				/* LVTs not masked */
	REJECT(bad.irr[0] = 1);
	REJECT(bad.isr[0] = 0x8000);
	REJECT(bad.tmr[0] = 2);
	REJECT(bad.smi_pending = 2);
	REJECT(bad.lint = 4);
	REJECT(bad.pad[6] = 1);
	REJECT(bad.tsc_armed = 0);			/* deadline != 0 */
	REJECT(bad.tsc_deadline = 0);
	REJECT(bad.timer_running = 1);			/* TSC mode */
	REJECT(bad.timer_t0 = 5);			/* not running */
	REJECT(bad.tsc_deadline_ns = 1ull << 63);
#undef REJECT
	/* and a periodic one */
	wr(a, NYX_APIC_LVTT, 0x200ec, t);
	wr(a, NYX_APIC_TMICT, 100, t);
	nyx_lapic_save(a, &st, t);
#define REJECT(stmt) do {						\
	bad = st; stmt;							\
	CHECK_EQ(nyx_lapic_load(&copy, &bad, t), -1);			\
} while (0)
	REJECT(bad.tmict = 0);
	REJECT(bad.timer_next_k = 0);
	REJECT(bad.timer_next_k = 1ull << 60);
	REJECT(bad.timer_e_off = 200);			/* >= 100 x 2 */
	REJECT(bad.timer_t0 = 1ull << 62);
	REJECT(bad.lvt[0] = 0x600ec);
#undef REJECT
	CHECK_EQ(nyx_lapic_load(&copy, &st, t), 0);
	/* x2APIC state loads only into the matching vCPU */
	nyx_lapic_set_base(a, 0xfee00c00, t);
	nyx_lapic_save(a, &st, t);
	CHECK_EQ(nyx_lapic_load(&copy, &st, t), 0);
	CHECK_EQ(nyx_lapic_load(&cpu[2], &st, t), -1);
}

static void test_random(void)
{
	struct nyx_lapic_state st;
	struct nyx_apic_msg m;
	u64 now = SEC, v;
	unsigned int i, k;
	struct nyx_lapic *a;

	srand(1234);
	setup();
	for (i = 0; i < NCPU; i++)
		linux_setup(i, now);
	for (i = 0; i < 300000; i++) {
		a = &cpu[rand() % NCPU];
		now += rand() % 5000;
		k = rand() % 12;
		switch (k) {
		case 0:
			nyx_lapic_mmio_write(a, rand() % 0x1100, 1u << (rand() % 4),
					     ((u32)rand() << 1) ^ rand(), now);
			break;
		case 1:
			nyx_lapic_mmio_read(a, rand() % 0x1100, rand() % 9, now);
			break;
		case 2:
			nyx_lapic_msr_write(a, 0x7f0 + rand() % 0x120,
					    ((u64)rand() << 33) * (rand() % 2) ^
					    rand(), now);
			break;
		case 3:
			nyx_lapic_msr_read(a, 0x7f0 + rand() % 0x120, &v, now);
			break;
		case 4:
			nyx_lapic_set_base(a, ((u64)rand() << 12) ^ rand(),
					   now);
			nyx_lapic_set_base(a, 0xfee00000 | (rand() % 2 ? 0x800 :
							     0xc00), now);
			break;
		case 5:
			memset(&m, 0, sizeof(m));
			m.vector = rand();
			m.delivery_mode = rand();
			m.dest_mode = rand() & 1;
			m.dest = rand() % 3 ? rand() % 8 : rand();
			m.shorthand = rand();
			m.trigger = rand() & 1;
			m.level = rand() & 1;
			m.x2apic = rand() & 1;
			nyx_apic_bus_deliver(apics, NCPU, &m, NULL, &rr);
			break;
		case 6:
			nyx_lapic_timer_expire(a, now);
			if (nyx_lapic_timer_deadline(a) &&
			    nyx_lapic_timer_deadline(a) <= now) {
				CHECK(0);
				return;
			}
			break;
		case 7: {
			int vec = nyx_lapic_pending_vector(a);

			if (vec >= 0)
				nyx_lapic_ack(a, vec);
			nyx_lapic_take_init(a);
			nyx_lapic_take_sipi(a);
			nyx_lapic_take_nmi(a);
			break;
		}
		case 8:
			nyx_lapic_set_lint(a, rand() % 3, rand() & 1);
			nyx_lapic_raise_lvt(a, rand() % 8);
			break;
		case 9:
			nyx_lapic_set_tsc_deadline(a, rand(), now + rand(), now);
			break;
		case 10:
			nyx_lapic_save(a, &st, now);
			if (nyx_lapic_load(a, &st, now)) {
				CHECK(0);
				return;
			}
			break;
		default:
			wr(a, 0x300 + (rand() % 2) * 0x10,
			   ((u32)rand() << 1) ^ rand(), now);
			break;
		}
	}
	CHECK(nipi > 0);
}

int main(void)
{
	test_reset_state();
	test_linux_setup();
	test_priorities();
	test_illegal_vectors();
	test_ioapic_cycle();
	test_pv_eoi();
	test_ipis();
	test_ipi_routing();
	test_match_x2apic();
	test_init_sipi();
	test_events();
	test_lint();
	test_raise_lvt();
	test_apic_base();
	test_x2apic_msrs();
	test_mmio_shapes();
	test_timer_oneshot();
	test_timer_periodic();
	test_timer_bus_hz();
	test_tsc_deadline();
	test_calibration();
	test_save_load();
	test_random();
	return test_summary("test_lapic");
}
