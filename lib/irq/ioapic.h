/* SPDX-License-Identifier: GPL-2.0 */
/*
 * I/O APIC with 24 pins (82093AA register model, version 0x20 with the
 * EOI register of the ICH I/O APICs) and an MSI decoder (pure C, shared by
 * nyx.ko and the userspace unit tests).
 *
 * Registers: IOREGSEL at base + 0x00, IOWIN at base + 0x10, EOI at
 * base + 0x40. Indirect registers: 0x00 ID (bits 27:24), 0x01 version
 * (0x00170020: 24 entries, version 0x20), 0x02 arbitration ID (mirrors the
 * ID), 0x10-0x3f the redirection table (entry n low dword at 0x10 + 2n,
 * high dword at 0x11 + 2n).
 *
 * Pins: nyx_ioapic_set_irq(pin, level) takes the logical state of the
 * input (1 = asserted). As in KVM and QEMU the polarity bit is stored and
 * read back but not applied: devices report assertion, not voltage.
 *  - edge pins deliver on each 0 -> 1 transition while unmasked; edges on
 *    a masked pin are discarded (82093AA behaviour);
 *  - level pins (fixed or lowest-priority delivery) deliver while the
 *    line is asserted, unmasked and Remote IRR is clear; delivery sets
 *    Remote IRR; nyx_ioapic_eoi(vector) (the local APIC's EOI broadcast or
 *    a write to the EOI register) clears it and re-delivers if the line is
 *    still asserted. Unmasking or reprogramming an asserted level pin
 *    delivers it. Switching a pin to edge clears Remote IRR (Linux relies
 *    on this with version 0x11 parts).
 *  - NMI, SMI, INIT and ExtINT entries are always delivered as edge
 *    messages (the 82093AA requires edge mode for them); reserved delivery
 *    modes (3, 6) deliver nothing.
 * Delivery Status always reads 0: messages are delivered synchronously by
 * ops->deliver.
 *
 * A level pin that is asserted forever and EOI'd at once re-delivers on
 * every EOI (an interrupt storm, like the hardware): rate limiting, if
 * wanted, is the caller's business.
 */
#ifndef NYX_LIB_IRQ_IOAPIC_H
#define NYX_LIB_IRQ_IOAPIC_H

#include "irq_common.h"

#define NYX_IOAPIC_NUM_PINS	24
#define NYX_IOAPIC_VERSION	0x00170020u

/* MMIO offsets */
#define NYX_IOAPIC_IOREGSEL	0x00
#define NYX_IOAPIC_IOWIN	0x10
#define NYX_IOAPIC_EOI		0x40
#define NYX_IOAPIC_MMIO_SIZE	0x1000

/* Indirect registers */
#define NYX_IOAPIC_REG_ID	0x00
#define NYX_IOAPIC_REG_VER	0x01
#define NYX_IOAPIC_REG_ARB	0x02
#define NYX_IOAPIC_REG_REDTBL	0x10

/* Redirection table entry */
#define NYX_IOAPIC_RTE_VECTOR	0xffull
#define NYX_IOAPIC_RTE_DM_SHIFT	8
#define NYX_IOAPIC_RTE_DM	(7ull << 8)
#define NYX_IOAPIC_RTE_DESTMODE	(1ull << 11)	/* logical */
#define NYX_IOAPIC_RTE_DELIVS	(1ull << 12)	/* read-only */
#define NYX_IOAPIC_RTE_POLARITY	(1ull << 13)	/* active low */
#define NYX_IOAPIC_RTE_REMOTE_IRR (1ull << 14)	/* read-only */
#define NYX_IOAPIC_RTE_LEVEL	(1ull << 15)
#define NYX_IOAPIC_RTE_MASKED	(1ull << 16)
#define NYX_IOAPIC_RTE_DEST_SHIFT 56
#define NYX_IOAPIC_RTE_DEST	(0xffull << 56)
/* Bits the guest can write. */
#define NYX_IOAPIC_RTE_WRITABLE	(NYX_IOAPIC_RTE_VECTOR | NYX_IOAPIC_RTE_DM | \
				 NYX_IOAPIC_RTE_DESTMODE | \
				 NYX_IOAPIC_RTE_POLARITY | \
				 NYX_IOAPIC_RTE_LEVEL | NYX_IOAPIC_RTE_MASKED | \
				 NYX_IOAPIC_RTE_DEST)

/* Save/load format (fixed layout, 200 bytes). */
struct nyx_ioapic_state {
	u64 redir[NYX_IOAPIC_NUM_PINS];
	u32 lines;		/* asserted inputs, bits 0-23 */
	u8 id;			/* 0-15 */
	u8 ioregsel;
	u8 pad[2];		/* must be 0 */
};

struct nyx_ioapic_ops {
	/*
	 * Deliver one message to the local APICs. Return the number of APICs
	 * that accepted it (any value > 0 will do): for a level-triggered
	 * entry Remote IRR is set only if someone accepted. Required.
	 */
	int (*deliver)(void *opaque, const struct nyx_apic_msg *msg);
};

struct nyx_ioapic {
	struct nyx_ioapic_state s;
	const struct nyx_ioapic_ops *ops;
	void *opaque;
};

/* Initialize to the reset state with the given APIC ID (0-15). */
void nyx_ioapic_init(struct nyx_ioapic *io, u8 id,
		     const struct nyx_ioapic_ops *ops, void *opaque);

/* Reset: all entries masked (0x10000), lines kept, IOREGSEL 0. */
void nyx_ioapic_reset(struct nyx_ioapic *io, u8 id);

/* Set input pin 0-23 to level 0 / non-zero. Returns -1 for a bad pin. */
int nyx_ioapic_set_irq(struct nyx_ioapic *io, unsigned int pin, int level);

/* EOI for vector: clear Remote IRR of level entries with that vector. */
void nyx_ioapic_eoi(struct nyx_ioapic *io, u8 vector);

/*
 * MMIO at offset (from the base) of len 1, 2, 4 or 8 bytes. Registers are
 * 32 bits wide: a read of part of a register returns those bytes, an
 * 8-byte read the register zero-extended; reads elsewhere return 0.
 * Writes: IOREGSEL takes any write that includes its byte 0 (it is 8 bits
 * wide); IOWIN and EOI take aligned 4- and 8-byte writes (low 32 bits);
 * everything else is ignored.
 */
u64 nyx_ioapic_mmio_read(struct nyx_ioapic *io, u64 offset, unsigned int len);
void nyx_ioapic_mmio_write(struct nyx_ioapic *io, u64 offset,
			   unsigned int len, u64 val);

/* Direct access to the indirect registers (what IOWIN does). */
u32 nyx_ioapic_read_reg(const struct nyx_ioapic *io, u8 reg);
void nyx_ioapic_write_reg(struct nyx_ioapic *io, u8 reg, u32 val);

/*
 * Snapshot. Load rejects (-1, nothing changed) reserved bits, an ID above
 * 15, lines above pin 23, Remote IRR on an edge entry and non-zero
 * padding. Load delivers nothing.
 */
void nyx_ioapic_save(const struct nyx_ioapic *io, struct nyx_ioapic_state *st);
int nyx_ioapic_load(struct nyx_ioapic *io, const struct nyx_ioapic_state *st);

/*
 * Decode an MSI address/data pair into msg. Returns -1 if addr is not in
 * the 0xfee00000-0xfeefffff interrupt window. With ext_dest_id the
 * address bits 11:5 give destination bits 14:8 (the extended destination
 * ID that Linux uses when the hypervisor advertises it).
 */
int nyx_msi_decode(u64 addr, u32 data, int ext_dest_id,
		   struct nyx_apic_msg *msg);

#endif
