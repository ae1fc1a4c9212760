// SPDX-License-Identifier: GPL-2.0
/*
 * I/O APIC and MSI decoding; see ioapic.h for the model.
 */
#include "ioapic.h"

_Static_assert(sizeof(struct nyx_ioapic_state) == 200, "ioapic layout");

static unsigned int rte_dm(u64 e)
{
	return (e & NYX_IOAPIC_RTE_DM) >> NYX_IOAPIC_RTE_DM_SHIFT;
}

/* Level semantics (Remote IRR) only for fixed and lowest priority. */
static int rte_is_level(u64 e)
{
	unsigned int dm = rte_dm(e);

	return (e & NYX_IOAPIC_RTE_LEVEL) &&
	       (dm == NYX_APIC_DM_FIXED || dm == NYX_APIC_DM_LOWEST);
}

/* Send the entry's message if it may be sent now. */
static void service(struct nyx_ioapic *io, unsigned int pin)
{
	u64 e = io->s.redir[pin];
	unsigned int dm = rte_dm(e);
	struct nyx_apic_msg msg;
	int level = rte_is_level(e);

	if (e & NYX_IOAPIC_RTE_MASKED)
		return;
	if (dm == NYX_APIC_DM_REMRD || dm == NYX_APIC_DM_STARTUP)
		return;
	if (level && (e & NYX_IOAPIC_RTE_REMOTE_IRR))
		return;
	nyx_memset(&msg, 0, sizeof(msg));
	msg.dest = (u32)(e >> NYX_IOAPIC_RTE_DEST_SHIFT) & 0xff;
	msg.vector = e & NYX_IOAPIC_RTE_VECTOR;
	msg.delivery_mode = dm;
	msg.dest_mode = !!(e & NYX_IOAPIC_RTE_DESTMODE);
	msg.trigger = level;
	msg.level = 1;
	msg.shorthand = NYX_APIC_SH_NONE;
	if (io->ops->deliver(io->opaque, &msg) > 0 && level)
		io->s.redir[pin] |= NYX_IOAPIC_RTE_REMOTE_IRR;
}

void nyx_ioapic_reset(struct nyx_ioapic *io, u8 id)
{
	unsigned int i;

	for (i = 0; i < NYX_IOAPIC_NUM_PINS; i++)
		io->s.redir[i] = NYX_IOAPIC_RTE_MASKED;
	io->s.id = id & 0xf;
	io->s.ioregsel = 0;
	io->s.pad[0] = io->s.pad[1] = 0;
}

void nyx_ioapic_init(struct nyx_ioapic *io, u8 id,
		     const struct nyx_ioapic_ops *ops, void *opaque)
{
	io->ops = ops;
	io->opaque = opaque;
	io->s.lines = 0;
	nyx_ioapic_reset(io, id);
}

int nyx_ioapic_set_irq(struct nyx_ioapic *io, unsigned int pin, int level)
{
	u32 bit;
	int old;

	if (pin >= NYX_IOAPIC_NUM_PINS)
		return -1;
	bit = 1u << pin;
	old = !!(io->s.lines & bit);
	if (!level) {
		io->s.lines &= ~bit;
		return 0;
	}
	io->s.lines |= bit;
	if (rte_is_level(io->s.redir[pin]) || !old)
		service(io, pin);
	return 0;
}

void nyx_ioapic_eoi(struct nyx_ioapic *io, u8 vector)
{
	unsigned int i;
	u64 e;

	for (i = 0; i < NYX_IOAPIC_NUM_PINS; i++) {
		e = io->s.redir[i];
		if ((e & NYX_IOAPIC_RTE_VECTOR) != vector ||
		    !(e & NYX_IOAPIC_RTE_LEVEL))
			continue;
		io->s.redir[i] = e & ~NYX_IOAPIC_RTE_REMOTE_IRR;
		if (io->s.lines & (1u << i))
			service(io, i);
	}
}

u32 nyx_ioapic_read_reg(const struct nyx_ioapic *io, u8 reg)
{
	unsigned int idx;

	switch (reg) {
	case NYX_IOAPIC_REG_ID:
	case NYX_IOAPIC_REG_ARB:
		return (u32)io->s.id << 24;
	case NYX_IOAPIC_REG_VER:
		return NYX_IOAPIC_VERSION;
	default:
		break;
	}
	if (reg < NYX_IOAPIC_REG_REDTBL)
		return 0;
	idx = (reg - NYX_IOAPIC_REG_REDTBL) >> 1;
	if (idx >= NYX_IOAPIC_NUM_PINS)
		return 0;
	if (reg & 1)
		return (u32)(io->s.redir[idx] >> 32);
	return (u32)io->s.redir[idx];
}

void nyx_ioapic_write_reg(struct nyx_ioapic *io, u8 reg, u32 val)
{
	unsigned int idx;
	u64 e, old;

	if (reg == NYX_IOAPIC_REG_ID) {
		io->s.id = (val >> 24) & 0xf;
		return;
	}
	if (reg < NYX_IOAPIC_REG_REDTBL)
		return;			/* version, arbitration: read-only */
	idx = (reg - NYX_IOAPIC_REG_REDTBL) >> 1;
	if (idx >= NYX_IOAPIC_NUM_PINS)
		return;
	old = io->s.redir[idx];
	if (reg & 1)
		e = (old & 0xffffffffull) | ((u64)val << 32);
	else
		e = (old & ~0xffffffffull) | val;
	e = (e & NYX_IOAPIC_RTE_WRITABLE) | (old & NYX_IOAPIC_RTE_REMOTE_IRR);
	if (!(e & NYX_IOAPIC_RTE_LEVEL))
		e &= ~NYX_IOAPIC_RTE_REMOTE_IRR;
	io->s.redir[idx] = e;
	/* An asserted level input is delivered once unmasked. */
	if (rte_is_level(e) && (io->s.lines & (1u << idx)))
		service(io, idx);
}

u64 nyx_ioapic_mmio_read(struct nyx_ioapic *io, u64 offset, unsigned int len)
{
	unsigned int byte = offset & 3;
	u64 val;

	if (len != 1 && len != 2 && len != 4 && len != 8)
		return 0;
	if (len == 8 && byte)
		return 0;
	switch (offset & ~3ull) {
	case NYX_IOAPIC_IOREGSEL:
		val = io->s.ioregsel;
		break;
	case NYX_IOAPIC_IOWIN:
		val = nyx_ioapic_read_reg(io, io->s.ioregsel);
		break;
	default:
		return 0;
	}
	val >>= byte * 8;
	if (len < 8)
		val &= (1ull << (len * 8)) - 1;
	return val;
}

void nyx_ioapic_mmio_write(struct nyx_ioapic *io, u64 offset,
			   unsigned int len, u64 val)
{
	if (len != 1 && len != 2 && len != 4 && len != 8)
		return;
	if (offset == NYX_IOAPIC_IOREGSEL) {
		io->s.ioregsel = val & 0xff;
		return;
	}
	if (len < 4)
		return;
	if (offset == NYX_IOAPIC_IOWIN)
		nyx_ioapic_write_reg(io, io->s.ioregsel, (u32)val);
	else if (offset == NYX_IOAPIC_EOI)
		nyx_ioapic_eoi(io, val & 0xff);
}

void nyx_ioapic_save(const struct nyx_ioapic *io, struct nyx_ioapic_state *st)
{
	nyx_memcpy(st, &io->s, sizeof(*st));
}

int nyx_ioapic_load(struct nyx_ioapic *io, const struct nyx_ioapic_state *st)
{
	unsigned int i;
	u64 e;

	if (st->id > 15 || (st->lines >> NYX_IOAPIC_NUM_PINS) ||
	    st->pad[0] || st->pad[1])
		return -1;
	for (i = 0; i < NYX_IOAPIC_NUM_PINS; i++) {
		e = st->redir[i];
		if (e & ~(NYX_IOAPIC_RTE_WRITABLE | NYX_IOAPIC_RTE_REMOTE_IRR))
			return -1;
		if ((e & NYX_IOAPIC_RTE_REMOTE_IRR) &&
		    !(e & NYX_IOAPIC_RTE_LEVEL))
			return -1;
	}
	nyx_memcpy(&io->s, st, sizeof(*st));
	return 0;
}

int nyx_msi_decode(u64 addr, u32 data, int ext_dest_id,
		   struct nyx_apic_msg *msg)
{
	if ((addr >> 20) != 0xfee)
		return -1;
	nyx_memset(msg, 0, sizeof(*msg));
	msg->dest = (addr >> 12) & 0xff;
	if (ext_dest_id)
		msg->dest |= ((addr >> 5) & 0x7f) << 8;
	msg->redir_hint = (addr >> 3) & 1;
	msg->dest_mode = (addr >> 2) & 1;
	msg->vector = data & 0xff;
	msg->delivery_mode = (data >> 8) & 7;
	msg->trigger = (data >> 15) & 1;
	msg->level = 1;
	msg->shorthand = NYX_APIC_SH_NONE;
	return 0;
}
