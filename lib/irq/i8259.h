/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Dual 8259A programmable interrupt controller as wired in a PC (pure C,
 * shared by nyx.ko and the userspace unit tests).
 *
 * Master at ports 0x20/0x21 (IRQ0-7), slave at 0xa0/0xa1 (IRQ8-15) cascaded
 * into master IRQ2, and the PIIX edge/level control registers (ELCR) at
 * 0x4d0/0x4d1. Implemented: the ICW1-ICW4 initialization sequence, OCW1
 * (IMR), OCW2 (non-specific/specific EOI, rotate on EOI, rotate in
 * auto-EOI mode, set priority), OCW3 (read IRR/ISR, poll, special mask
 * mode), auto-EOI, special fully nested mode (master), edge and level
 * triggering (ELCR per pin, or ICW1.LTIM for a whole chip), priority
 * rotation and the spurious IRQ7/IRQ15 behaviour of the INTA cycle.
 *
 * Model notes:
 *  - Edge-triggered inputs are latched on the rising edge and stay
 *    requested until acknowledged even if the line drops first (like KVM
 *    and QEMU: devices pulse their IRQ lines); a level-triggered request
 *    follows the line, so a level line dropped before INTA produces the
 *    spurious IRQ7 (master) of the real part.
 *  - The slave's INT output is a level on master IR2: master IRR bit 2 is
 *    set exactly while the slave has a deliverable request. So a slave
 *    request that goes away before the INTA cycle gives the master's
 *    spurious IRQ7, like a master request would. (The slave's spurious
 *    IRQ15 of the real part needs the request to vanish between the two
 *    INTA pulses, which cannot happen in an atomic nyx_pic_ack(); the
 *    code still returns slave base + 7 with master ISR bit 2 set if the
 *    slave has nothing when the master picks the cascade.)
 *  - Cascade wiring is fixed (ICW1.SNGL and ICW3 are stored, not obeyed);
 *    MCS-80/85 mode (ICW4.uPM = 0) and buffered mode are stored only; the
 *    vector is always irq_base + irq.
 *  - Every access is one byte: the caller splits wider port accesses.
 *
 * Nothing here allocates, sleeps or locks; the caller serializes calls.
 */
#ifndef NYX_LIB_IRQ_I8259_H
#define NYX_LIB_IRQ_I8259_H

#include <nyx/types.h>

#define NYX_PIC_MASTER_CMD	0x20
#define NYX_PIC_MASTER_DATA	0x21
#define NYX_PIC_SLAVE_CMD	0xa0
#define NYX_PIC_SLAVE_DATA	0xa1
#define NYX_PIC_ELCR1		0x4d0
#define NYX_PIC_ELCR2		0x4d1

#define NYX_PIC_NR_IRQS		16
#define NYX_PIC_CASCADE_IRQ	2

/* ICW1 bits kept in nyx_pic_chip_state.icw1 */
#define NYX_PIC_ICW1_IC4	0x01	/* ICW4 follows */
#define NYX_PIC_ICW1_SNGL	0x02	/* single (no cascade) */
#define NYX_PIC_ICW1_ADI	0x04
#define NYX_PIC_ICW1_LTIM	0x08	/* all inputs level triggered */
#define NYX_PIC_ICW1_MASK	0x0f

/* ICW4 bits kept in nyx_pic_chip_state.icw4 */
#define NYX_PIC_ICW4_UPM	0x01	/* 8086/88 mode */
#define NYX_PIC_ICW4_AEOI	0x02	/* auto EOI */
#define NYX_PIC_ICW4_MS		0x04	/* buffered master/slave */
#define NYX_PIC_ICW4_BUF	0x08	/* buffered mode */
#define NYX_PIC_ICW4_SFNM	0x10	/* special fully nested mode */
#define NYX_PIC_ICW4_MASK	0x1f

/* Operation state kept in nyx_pic_chip_state.ocw */
#define NYX_PIC_OCW_ROTATE_AEOI	0x01	/* rotate in auto-EOI mode */
#define NYX_PIC_OCW_SMM		0x02	/* special mask mode */
#define NYX_PIC_OCW_POLL	0x04	/* next read is a poll */
#define NYX_PIC_OCW_RIS		0x08	/* command port reads ISR, not IRR */
#define NYX_PIC_OCW_MASK	0x0f

/*
 * State of one 8259A; also the save/load format (fixed layout, 16 bytes).
 * init_state: 0 ready (data port writes are OCW1), 1 ICW2 expected,
 * 2 ICW3 expected, 3 ICW4 expected.
 */
struct nyx_pic_chip_state {
	u8 irr;
	u8 imr;
	u8 isr;
	u8 lines;		/* input levels (master bit 2 unused: 0) */
	u8 elcr;
	u8 irq_base;		/* ICW2 & 0xf8 */
	u8 priority_add;	/* the IRQ that currently has top priority */
	u8 init_state;
	u8 icw1;		/* NYX_PIC_ICW1_* */
	u8 icw3;
	u8 icw4;		/* NYX_PIC_ICW4_* */
	u8 ocw;			/* NYX_PIC_OCW_* */
	u8 pad[4];		/* must be 0 */
};

/* Save/load format of the pair: chip[0] master, chip[1] slave (32 bytes). */
struct nyx_pic_state {
	struct nyx_pic_chip_state chip[2];
};

struct nyx_pic_ops {
	/* INTR output changed; level 1 = asserted. Optional (NULL). */
	void (*intr)(void *opaque, int level);
};

struct nyx_pic {
	struct nyx_pic_state s;
	int intr;			/* current INTR output */
	const struct nyx_pic_ops *ops;
	void *opaque;
};

/*
 * Initialize to the power-on state: every register 0 (IMR 0, nothing
 * requested or in service, vector base 0, not in an init sequence). The
 * guest is expected to run ICW1-ICW4 first. ops may be NULL.
 */
void nyx_pic_init(struct nyx_pic *pic, const struct nyx_pic_ops *ops,
		  void *opaque);

/* Power-on reset (keeps ops/opaque); does not call ops->intr. */
void nyx_pic_reset(struct nyx_pic *pic);

/*
 * Drive input line 0-15 (except 2, the cascade) to level 0 or non-zero.
 * Returns 0, or -1 for an invalid line (nothing changes).
 */
int nyx_pic_set_irq(struct nyx_pic *pic, unsigned int line, int level);

/* The INTR output: 1 when the master requests an interrupt. */
int nyx_pic_intr(const struct nyx_pic *pic);

/*
 * The INTA cycle: acknowledge the highest-priority request and return its
 * vector (irq_base + irq); a spurious acknowledge (nothing requested)
 * returns master base + 7, or slave base + 7 for a cascade with nothing on
 * the slave. Call it only when the CPU takes the interrupt.
 */
u8 nyx_pic_ack(struct nyx_pic *pic);

/*
 * Byte accesses to 0x20, 0x21, 0xa0, 0xa1, 0x4d0, 0x4d1. Return 0, or -1
 * (and *val = 0xff for reads) for any other port.
 */
int nyx_pic_port_read(struct nyx_pic *pic, u16 port, u8 *val);
int nyx_pic_port_write(struct nyx_pic *pic, u16 port, u8 val);

/*
 * Snapshot. nyx_pic_load() validates st (reserved bits, ranges, level
 * inputs consistent with IRR) and returns -1 without changing anything if
 * it is bad; on success it recomputes the outputs, without calling
 * ops->intr (the caller re-reads nyx_pic_intr()).
 */
void nyx_pic_save(const struct nyx_pic *pic, struct nyx_pic_state *st);
int nyx_pic_load(struct nyx_pic *pic, const struct nyx_pic_state *st);

#endif
