// SPDX-License-Identifier: GPL-2.0
/*
 * Dual 8259A PIC; see i8259.h for what is modelled.
 *
 * Priorities: priority_add is the IRQ with the highest priority; the
 * others follow in increasing order modulo 8 (fully nested mode is
 * priority_add = 0). Rotation makes the IRQ just serviced the lowest, i.e.
 * priority_add = irq + 1.
 */
#include "i8259.h"

_Static_assert(sizeof(struct nyx_pic_chip_state) == 16, "pic chip layout");
_Static_assert(sizeof(struct nyx_pic_state) == 32, "pic layout");

/* ELCR bits that exist: IRQ0, 1, 2, 8 and 13 are always edge triggered. */
static const u8 elcr_mask[2] = { 0xf8, 0xde };

static u8 level_mask(const struct nyx_pic_chip_state *c)
{
	return (c->icw1 & NYX_PIC_ICW1_LTIM) ? 0xff : c->elcr;
}

/* Priority (0 highest .. 7 lowest) of the best bit in mask, 8 if none. */
static int get_priority(const struct nyx_pic_chip_state *c, u8 mask)
{
	int p;

	if (!mask)
		return 8;
	for (p = 0; p < 8; p++)
		if (mask & (1u << ((p + c->priority_add) & 7)))
			return p;
	return 8;
}

/* The IRQ this chip would present on INTA, or -1. */
static int chip_get_irq(const struct nyx_pic_chip_state *c, int master)
{
	u8 mask = c->irr & ~c->imr;
	int prio, cur;

	prio = get_priority(c, mask);
	if (prio == 8)
		return -1;
	mask = c->isr;
	/* SFNM: an in-service cascade does not block the slave's requests. */
	if (master && (c->icw4 & NYX_PIC_ICW4_SFNM))
		mask &= ~(1u << NYX_PIC_CASCADE_IRQ);
	/* Special mask mode: masked in-service levels do not block others. */
	if (c->ocw & NYX_PIC_OCW_SMM)
		mask &= ~c->imr;
	cur = get_priority(c, mask);
	if (prio < cur)
		return (prio + c->priority_add) & 7;
	return -1;
}

static void chip_intack(struct nyx_pic_chip_state *c, int irq)
{
	u8 bit = 1u << irq;

	c->isr |= bit;
	if (c->icw4 & NYX_PIC_ICW4_AEOI) {
		if (c->ocw & NYX_PIC_OCW_ROTATE_AEOI)
			c->priority_add = (irq + 1) & 7;
		c->isr &= ~bit;
	}
	if (!(level_mask(c) & bit))
		c->irr &= ~bit;
}

/* Edge or level input change on one chip pin (not the cascade). */
static void chip_set_line(struct nyx_pic_chip_state *c, int irq, int level)
{
	u8 bit = 1u << irq;

	if (level_mask(c) & bit) {
		if (level)
			c->irr |= bit;
		else
			c->irr &= ~bit;
	} else if (level && !(c->lines & bit)) {
		c->irr |= bit;
	}
	if (level)
		c->lines |= bit;
	else
		c->lines &= ~bit;
}

/* Recompute the cascade input and INTR; report a change of INTR. */
static void pic_update(struct nyx_pic *pic, int notify)
{
	struct nyx_pic_chip_state *m = &pic->s.chip[0];
	int intr;

	if (chip_get_irq(&pic->s.chip[1], 0) >= 0)
		m->irr |= 1u << NYX_PIC_CASCADE_IRQ;
	else
		m->irr &= ~(1u << NYX_PIC_CASCADE_IRQ);
	intr = chip_get_irq(m, 1) >= 0;
	if (intr != pic->intr) {
		pic->intr = intr;
		if (notify && pic->ops && pic->ops->intr)
			pic->ops->intr(pic->opaque, intr);
	}
}

static void chip_reset(struct nyx_pic_chip_state *c)
{
	nyx_memset(c, 0, sizeof(*c));
}

void nyx_pic_reset(struct nyx_pic *pic)
{
	chip_reset(&pic->s.chip[0]);
	chip_reset(&pic->s.chip[1]);
	pic->intr = 0;
}

void nyx_pic_init(struct nyx_pic *pic, const struct nyx_pic_ops *ops,
		  void *opaque)
{
	pic->ops = ops;
	pic->opaque = opaque;
	nyx_pic_reset(pic);
}

int nyx_pic_set_irq(struct nyx_pic *pic, unsigned int line, int level)
{
	if (line >= NYX_PIC_NR_IRQS || line == NYX_PIC_CASCADE_IRQ)
		return -1;
	chip_set_line(&pic->s.chip[line >> 3], line & 7, level != 0);
	pic_update(pic, 1);
	return 0;
}

int nyx_pic_intr(const struct nyx_pic *pic)
{
	return pic->intr;
}

u8 nyx_pic_ack(struct nyx_pic *pic)
{
	struct nyx_pic_chip_state *m = &pic->s.chip[0];
	struct nyx_pic_chip_state *sl = &pic->s.chip[1];
	int irq, irq2;
	u8 vec;

	irq = chip_get_irq(m, 1);
	if (irq < 0) {
		vec = m->irq_base + 7;		/* spurious IRQ7 */
	} else {
		chip_intack(m, irq);
		if (irq == NYX_PIC_CASCADE_IRQ) {
			irq2 = chip_get_irq(sl, 0);
			if (irq2 >= 0)
				chip_intack(sl, irq2);
			else
				irq2 = 7;	/* spurious IRQ15 */
			vec = sl->irq_base + irq2;
		} else {
			vec = m->irq_base + irq;
		}
	}
	pic_update(pic, 1);
	return vec;
}

/* Poll command: the read acts as an INTA for this chip alone. */
static u8 chip_poll(struct nyx_pic *pic, int idx)
{
	struct nyx_pic_chip_state *c = &pic->s.chip[idx];
	int irq = chip_get_irq(c, idx == 0);

	c->ocw &= ~NYX_PIC_OCW_POLL;
	if (irq < 0)
		return 0;
	chip_intack(c, irq);
	pic_update(pic, 1);
	return 0x80 | irq;
}

static void chip_eoi(struct nyx_pic_chip_state *c, int irq, int rotate)
{
	c->isr &= ~(1u << irq);
	if (rotate)
		c->priority_add = (irq + 1) & 7;
}

static void write_cmd(struct nyx_pic *pic, int idx, u8 val)
{
	struct nyx_pic_chip_state *c = &pic->s.chip[idx];
	int prio;

	if (val & 0x10) {
		/*
		 * ICW1: reset the edge sense (a line already high must go
		 * low and high again), clear IMR, ISR, special mask, read
		 * IRR, fully nested priorities; without IC4 the ICW4
		 * functions are zeroed.
		 */
		c->icw1 = val & NYX_PIC_ICW1_MASK;
		c->imr = 0;
		c->isr = 0;
		c->priority_add = 0;
		c->ocw = 0;
		c->icw3 = 7;
		if (!(val & NYX_PIC_ICW1_IC4))
			c->icw4 = 0;
		c->irr = c->lines & level_mask(c);
		if (idx == 0)
			c->irr &= ~(1u << NYX_PIC_CASCADE_IRQ);
		c->init_state = 1;
	} else if (val & 0x08) {
		/* OCW3 */
		if (val & 0x04)
			c->ocw |= NYX_PIC_OCW_POLL;
		if (val & 0x02) {
			if (val & 0x01)
				c->ocw |= NYX_PIC_OCW_RIS;
			else
				c->ocw &= ~NYX_PIC_OCW_RIS;
		}
		if (val & 0x40) {
			if (val & 0x20)
				c->ocw |= NYX_PIC_OCW_SMM;
			else
				c->ocw &= ~NYX_PIC_OCW_SMM;
		}
	} else {
		/* OCW2: R SL EOI | L2-L0 */
		switch (val >> 5) {
		case 0:		/* clear rotate in auto-EOI mode */
			c->ocw &= ~NYX_PIC_OCW_ROTATE_AEOI;
			break;
		case 4:		/* set rotate in auto-EOI mode */
			c->ocw |= NYX_PIC_OCW_ROTATE_AEOI;
			break;
		case 1:		/* non-specific EOI */
		case 5:		/* rotate on non-specific EOI */
			prio = get_priority(c, c->isr);
			if (prio != 8)
				chip_eoi(c, (prio + c->priority_add) & 7,
					 (val >> 5) == 5);
			break;
		case 3:		/* specific EOI */
		case 7:		/* rotate on specific EOI */
			chip_eoi(c, val & 7, (val >> 5) == 7);
			break;
		case 6:		/* set priority: L becomes the lowest */
			c->priority_add = ((val & 7) + 1) & 7;
			break;
		default:	/* 2: no operation */
			break;
		}
	}
	pic_update(pic, 1);
}

static void write_data(struct nyx_pic *pic, int idx, u8 val)
{
	struct nyx_pic_chip_state *c = &pic->s.chip[idx];

	switch (c->init_state) {
	case 1:		/* ICW2 */
		c->irq_base = val & 0xf8;
		if (!(c->icw1 & NYX_PIC_ICW1_SNGL))
			c->init_state = 2;
		else if (c->icw1 & NYX_PIC_ICW1_IC4)
			c->init_state = 3;
		else
			c->init_state = 0;
		break;
	case 2:		/* ICW3 */
		c->icw3 = val;
		c->init_state = (c->icw1 & NYX_PIC_ICW1_IC4) ? 3 : 0;
		break;
	case 3:		/* ICW4 */
		c->icw4 = val & NYX_PIC_ICW4_MASK;
		c->init_state = 0;
		break;
	default:	/* OCW1 */
		c->imr = val;
		break;
	}
	pic_update(pic, 1);
}

static void write_elcr(struct nyx_pic *pic, int idx, u8 val)
{
	struct nyx_pic_chip_state *c = &pic->s.chip[idx];
	u8 lv;

	c->elcr = val & elcr_mask[idx];
	/* Inputs that are now level triggered: the request follows the line. */
	lv = level_mask(c);
	if (idx == 0)
		lv &= ~(1u << NYX_PIC_CASCADE_IRQ);
	c->irr = (c->irr & ~lv) | (c->lines & lv);
	pic_update(pic, 1);
}

int nyx_pic_port_read(struct nyx_pic *pic, u16 port, u8 *val)
{
	struct nyx_pic_chip_state *c;
	int idx;

	switch (port) {
	case NYX_PIC_MASTER_CMD:
	case NYX_PIC_MASTER_DATA:
		idx = 0;
		break;
	case NYX_PIC_SLAVE_CMD:
	case NYX_PIC_SLAVE_DATA:
		idx = 1;
		break;
	case NYX_PIC_ELCR1:
	case NYX_PIC_ELCR2:
		*val = pic->s.chip[port & 1].elcr;
		return 0;
	default:
		*val = 0xff;
		return -1;
	}
	c = &pic->s.chip[idx];
	if (c->ocw & NYX_PIC_OCW_POLL)
		*val = chip_poll(pic, idx);
	else if (port & 1)
		*val = c->imr;
	else if (c->ocw & NYX_PIC_OCW_RIS)
		*val = c->isr;
	else
		*val = c->irr;
	return 0;
}

int nyx_pic_port_write(struct nyx_pic *pic, u16 port, u8 val)
{
	switch (port) {
	case NYX_PIC_MASTER_CMD:
		write_cmd(pic, 0, val);
		return 0;
	case NYX_PIC_MASTER_DATA:
		write_data(pic, 0, val);
		return 0;
	case NYX_PIC_SLAVE_CMD:
		write_cmd(pic, 1, val);
		return 0;
	case NYX_PIC_SLAVE_DATA:
		write_data(pic, 1, val);
		return 0;
	case NYX_PIC_ELCR1:
	case NYX_PIC_ELCR2:
		write_elcr(pic, port & 1, val);
		return 0;
	default:
		return -1;
	}
}

void nyx_pic_save(const struct nyx_pic *pic, struct nyx_pic_state *st)
{
	nyx_memcpy(st, &pic->s, sizeof(*st));
}

static int chip_valid(const struct nyx_pic_chip_state *c, int idx)
{
	u8 lv = (c->icw1 & NYX_PIC_ICW1_LTIM) ? 0xff : c->elcr;
	unsigned int i;

	for (i = 0; i < sizeof(c->pad); i++)
		if (c->pad[i])
			return 0;
	if (c->init_state > 3 || (c->irq_base & 7) || c->priority_add > 7)
		return 0;
	if ((c->elcr & ~elcr_mask[idx]) || (c->icw1 & ~NYX_PIC_ICW1_MASK) ||
	    (c->icw4 & ~NYX_PIC_ICW4_MASK) || (c->ocw & ~NYX_PIC_OCW_MASK))
		return 0;
	if (idx == 0) {
		if (c->lines & (1u << NYX_PIC_CASCADE_IRQ))
			return 0;
		lv &= ~(1u << NYX_PIC_CASCADE_IRQ);
	}
	/* A level-triggered request always follows its line. */
	if ((c->irr ^ c->lines) & lv)
		return 0;
	return 1;
}

int nyx_pic_load(struct nyx_pic *pic, const struct nyx_pic_state *st)
{
	if (!chip_valid(&st->chip[0], 0) || !chip_valid(&st->chip[1], 1))
		return -1;
	nyx_memcpy(&pic->s, st, sizeof(*st));
	pic->intr = 0;
	pic_update(pic, 0);
	return 0;
}
