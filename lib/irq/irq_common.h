/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Definitions shared by the interrupt-controller and timer models in
 * lib/irq (pure C, shared by nyx.ko and the userspace unit tests): the
 * APIC bus message, and overflow-free integer time conversion.
 *
 * Every identifier is prefixed with nyx_/NYX_ so that module glue can
 * include these headers next to the kernel's <asm/apicdef.h>,
 * <asm/i8259.h> and friends without clashes.
 */
#ifndef NYX_LIB_IRQ_COMMON_H
#define NYX_LIB_IRQ_COMMON_H

#include <nyx/types.h>

#define NYX_NSEC_PER_SEC	1000000000u

/* Delivery modes (ICR, LVT, IOAPIC redirection entry, MSI data 10:8). */
#define NYX_APIC_DM_FIXED	0
#define NYX_APIC_DM_LOWEST	1
#define NYX_APIC_DM_SMI		2
#define NYX_APIC_DM_REMRD	3	/* reserved (remote read, P6) */
#define NYX_APIC_DM_NMI		4
#define NYX_APIC_DM_INIT	5
#define NYX_APIC_DM_STARTUP	6	/* SIPI; reserved for IOAPIC/MSI */
#define NYX_APIC_DM_EXTINT	7

/* Destination shorthands (ICR 19:18). */
#define NYX_APIC_SH_NONE	0
#define NYX_APIC_SH_SELF	1
#define NYX_APIC_SH_ALL		2	/* all including self */
#define NYX_APIC_SH_OTHERS	3	/* all excluding self */

#define NYX_APIC_BROADCAST	0xffu		/* 8-bit destination */
#define NYX_X2APIC_BROADCAST	0xffffffffu	/* 32-bit destination */

/*
 * One interrupt message on the (virtual) APIC bus: from an IOAPIC
 * redirection entry, an MSI, or a local APIC's ICR (IPI).
 */
struct nyx_apic_msg {
	u32 dest;		/* destination ID / logical mask */
	u32 src;		/* sender's APIC ID (IPIs only, else 0) */
	u8 vector;
	u8 delivery_mode;	/* NYX_APIC_DM_* */
	u8 dest_mode;		/* 0 physical, 1 logical */
	u8 trigger;		/* 0 edge, 1 level */
	u8 level;		/* 1 assert, 0 de-assert (INIT level de-assert) */
	u8 shorthand;		/* NYX_APIC_SH_* (IPIs only) */
	u8 redir_hint;		/* MSI RH: arbitrate like lowest priority */
	u8 x2apic;		/* dest is a 32-bit x2APIC destination (an
				 * IPI from an APIC in x2APIC mode); else an
				 * 8-bit xAPIC/IOAPIC/MSI destination */
};

/*
 * floor(a * mul / div) without 128-bit arithmetic, exact as long as the
 * result fits in 64 bits (mul and div below 2^32, div != 0). The result
 * saturates at ~0 instead of wrapping.
 */
static inline u64 nyx_muldiv64(u64 a, u32 mul, u32 div)
{
	u64 q = a / div, r = a % div;

	if (mul && q > ~0ull / mul)
		return ~0ull;
	q *= mul;
	r = r * mul / div;	/* r < div, so r * mul < 2^64 */
	if (q > ~0ull - r)
		return ~0ull;
	return q + r;
}

/* ceil(a * mul / div), same rules. */
static inline u64 nyx_muldiv64_up(u64 a, u32 mul, u32 div)
{
	u64 q = a / div, r = a % div;

	if (mul && q > ~0ull / mul)
		return ~0ull;
	q *= mul;
	r = (r * mul + div - 1) / div;
	if (q > ~0ull - r)
		return ~0ull;
	return q + r;
}

/* Index (0-31) of the most significant set bit of x != 0. */
static inline int nyx_fls32(u32 x)
{
	return 31 - __builtin_clz(x);
}

#endif
