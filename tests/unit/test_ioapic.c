// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the I/O APIC (lib/irq/ioapic.c): registers through
 * IOREGSEL/IOWIN as Linux accesses them, the redirection table, edge and
 * level pins, Remote IRR and EOI (broadcast and EOI register), delivery
 * modes, MSI decoding, save/load and hostile MMIO.
 */
#include <stdlib.h>
#include "test.h"
#include "irq/ioapic.h"

static struct nyx_ioapic io;
static struct nyx_apic_msg msgs[64];
static int nmsgs;
static int accept_ret = 1;

static int t_deliver(void *opaque, const struct nyx_apic_msg *msg)
{
	(void)opaque;
	if (nmsgs < 64)
		msgs[nmsgs] = *msg;
	nmsgs++;
	return accept_ret;
}

static const struct nyx_ioapic_ops ops = { .deliver = t_deliver };

/* Linux io_apic_read()/io_apic_write(): writel index, then data. */
static u32 rd(u8 reg)
{
	nyx_ioapic_mmio_write(&io, 0x00, 4, reg);
	return (u32)nyx_ioapic_mmio_read(&io, 0x10, 4);
}

static void wr(u8 reg, u32 val)
{
	nyx_ioapic_mmio_write(&io, 0x00, 4, reg);
	nyx_ioapic_mmio_write(&io, 0x10, 4, val);
}

/* Linux __ioapic_write_entry(): high dword first, then low. */
static void write_entry(unsigned int pin, u64 e)
{
	wr(0x11 + 2 * pin, (u32)(e >> 32));
	wr(0x10 + 2 * pin, (u32)e);
}

static u64 read_entry(unsigned int pin)
{
	return rd(0x10 + 2 * pin) | ((u64)rd(0x11 + 2 * pin) << 32);
}

static void reset(void)
{
	nyx_ioapic_init(&io, 2, &ops, NULL);
	nmsgs = 0;
	accept_ret = 1;
}

#define RTE(vec, dm, logical, level, masked, dest)			\
	((u64)(vec) | ((u64)(dm) << 8) | ((u64)(logical) << 11) |	\
	 ((u64)(level) << 15) | ((u64)(masked) << 16) | ((u64)(dest) << 56))

static void test_registers(void)
{
	unsigned int i;

	reset();
	CHECK_EQ(rd(0x00), 2u << 24);
	CHECK_EQ(rd(0x01), 0x00170020);
	CHECK_EQ(((rd(0x01) >> 16) & 0xff) + 1, 24);	/* Linux's nr_ioapic_registers */
	CHECK_EQ(rd(0x02), 2u << 24);
	for (i = 0; i < 24; i++) {
		CHECK_EQ(read_entry(i), 0x10000);
	}
	/* ID: bits 27:24 only */
	wr(0x00, 0xffffffff);
	CHECK_EQ(rd(0x00), 0x0f000000);
	wr(0x00, 0x05000000);
	CHECK_EQ(rd(0x00), 0x05000000);
	CHECK_EQ(rd(0x02), 0x05000000);
	/* version and arbitration are read-only */
	wr(0x01, 0);
	wr(0x02, 0);
	CHECK_EQ(rd(0x01), 0x00170020);
	CHECK_EQ(rd(0x02), 0x05000000);
	/* unimplemented registers read 0 */
	CHECK_EQ(rd(0x03), 0);
	CHECK_EQ(rd(0x0f), 0);
	CHECK_EQ(rd(0x40), 0);
	CHECK_EQ(rd(0xff), 0);
	wr(0x40, 0x1234);
	wr(0xff, 0x1234);
	/* IOREGSEL is 8 bits and reads back */
	nyx_ioapic_mmio_write(&io, 0, 4, 0x1234);
	CHECK_EQ(nyx_ioapic_mmio_read(&io, 0, 4), 0x34);
	nyx_ioapic_mmio_write(&io, 0, 1, 0x12);
	CHECK_EQ(nyx_ioapic_mmio_read(&io, 0, 1), 0x12);
	/* partial and wide reads of IOWIN */
	nyx_ioapic_mmio_write(&io, 0, 4, 0x01);
	CHECK_EQ(nyx_ioapic_mmio_read(&io, 0x10, 1), 0x20);
	CHECK_EQ(nyx_ioapic_mmio_read(&io, 0x11, 1), 0x00);
	CHECK_EQ(nyx_ioapic_mmio_read(&io, 0x12, 2), 0x0017);
	CHECK_EQ(nyx_ioapic_mmio_read(&io, 0x12, 1), 0x17);
	CHECK_EQ(nyx_ioapic_mmio_read(&io, 0x10, 8), 0x00170020);
	CHECK_EQ(nyx_ioapic_mmio_read(&io, 0x14, 8), 0);
	CHECK_EQ(nyx_ioapic_mmio_read(&io, 0x10, 3), 0);
	CHECK_EQ(nyx_ioapic_mmio_read(&io, 0x20, 4), 0);
	CHECK_EQ(nyx_ioapic_mmio_read(&io, 0x40, 4), 0);
	CHECK_EQ(nyx_ioapic_mmio_read(&io, ~0ull, 4), 0);
	/* 8-byte write to IOWIN takes the low dword */
	nyx_ioapic_mmio_write(&io, 0, 4, 0x13);
	nyx_ioapic_mmio_write(&io, 0x10, 8, 0xaabbccdd12345678ull);
	CHECK_EQ(rd(0x13), 0x12000000);		/* bits 55:32 reserved */
	/* byte writes to IOWIN are ignored */
	nyx_ioapic_mmio_write(&io, 0, 4, 0x12);
	nyx_ioapic_mmio_write(&io, 0x10, 1, 0x55);
	CHECK_EQ(rd(0x12), 0x10000);
}

static void test_rte_bits(void)
{
	reset();
	/* every writable bit, plus reserved and read-only ones */
	wr(0x10, 0xffffffff);
	wr(0x11, 0xffffffff);
	CHECK_EQ(read_entry(0), 0xff0000000001afffull);
	CHECK_EQ(rd(0x10) & (NYX_IOAPIC_RTE_DELIVS | NYX_IOAPIC_RTE_REMOTE_IRR),
		 0);
	write_entry(23, RTE(0x55, 1, 1, 0, 0, 0xa5));
	CHECK_EQ(read_entry(23), 0xa500000000000955ull);
	/* entry 24 does not exist */
	wr(0x40, 0xffffffff);
	wr(0x41, 0xffffffff);
	CHECK_EQ(rd(0x40), 0);
	CHECK_EQ(nmsgs, 0);
	/* direct register helpers */
	nyx_ioapic_write_reg(&io, 0x12, 0x31);
	CHECK_EQ(nyx_ioapic_read_reg(&io, 0x12), 0x31);
}

static void test_edge(void)
{
	reset();
	write_entry(4, RTE(0x24, 0, 0, 0, 0, 3));
	CHECK_EQ(nmsgs, 0);
	nyx_ioapic_set_irq(&io, 4, 1);
	CHECK_EQ(nmsgs, 1);
	CHECK_EQ(msgs[0].vector, 0x24);
	CHECK_EQ(msgs[0].dest, 3);
	CHECK_EQ(msgs[0].dest_mode, 0);
	CHECK_EQ(msgs[0].delivery_mode, 0);
	CHECK_EQ(msgs[0].trigger, 0);
	CHECK_EQ(msgs[0].level, 1);
	CHECK_EQ(msgs[0].shorthand, NYX_APIC_SH_NONE);
	CHECK_EQ(msgs[0].x2apic, 0);
	/* held high: no more */
	nyx_ioapic_set_irq(&io, 4, 1);
	CHECK_EQ(nmsgs, 1);
	nyx_ioapic_set_irq(&io, 4, 0);
	CHECK_EQ(nmsgs, 1);
	nyx_ioapic_set_irq(&io, 4, 1);
	nyx_ioapic_set_irq(&io, 4, 0);
	CHECK_EQ(nmsgs, 2);
	/* no Remote IRR for edge */
	CHECK_EQ(read_entry(4) & NYX_IOAPIC_RTE_REMOTE_IRR, 0);
	/* masked edges are discarded, not held */
	write_entry(4, RTE(0x24, 0, 0, 0, 1, 3));
	nyx_ioapic_set_irq(&io, 4, 1);
	nyx_ioapic_set_irq(&io, 4, 0);
	write_entry(4, RTE(0x24, 0, 0, 0, 0, 3));
	CHECK_EQ(nmsgs, 2);
	/* EOI of an edge vector does nothing */
	nyx_ioapic_eoi(&io, 0x24);
	CHECK_EQ(nmsgs, 2);
	/* the entry's message follows reprogramming */
	write_entry(4, RTE(0x99, 1, 1, 0, 0, 0x0f));
	nyx_ioapic_set_irq(&io, 4, 1);
	CHECK_EQ(nmsgs, 3);
	CHECK_EQ(msgs[2].vector, 0x99);
	CHECK_EQ(msgs[2].delivery_mode, NYX_APIC_DM_LOWEST);
	CHECK_EQ(msgs[2].dest_mode, 1);
	CHECK_EQ(msgs[2].dest, 0x0f);
}

static void test_level(void)
{
	reset();
	write_entry(10, RTE(0x41, 0, 0, 1, 0, 0));
	nyx_ioapic_set_irq(&io, 10, 1);
	CHECK_EQ(nmsgs, 1);
	CHECK_EQ(msgs[0].trigger, 1);
	CHECK(read_entry(10) & NYX_IOAPIC_RTE_REMOTE_IRR);
	/* asserting again while Remote IRR is set: nothing */
	nyx_ioapic_set_irq(&io, 10, 1);
	CHECK_EQ(nmsgs, 1);
	/* EOI for another vector: nothing */
	nyx_ioapic_eoi(&io, 0x42);
	CHECK(read_entry(10) & NYX_IOAPIC_RTE_REMOTE_IRR);
	/* EOI while still asserted: delivered again */
	nyx_ioapic_eoi(&io, 0x41);
	CHECK_EQ(nmsgs, 2);
	CHECK(read_entry(10) & NYX_IOAPIC_RTE_REMOTE_IRR);
	/* device deasserts, then EOI: quiet */
	nyx_ioapic_set_irq(&io, 10, 0);
	nyx_ioapic_eoi(&io, 0x41);
	CHECK_EQ(nmsgs, 2);
	CHECK_EQ(read_entry(10) & NYX_IOAPIC_RTE_REMOTE_IRR, 0);

	/* asserted while masked: delivered on unmask */
	write_entry(10, RTE(0x41, 0, 0, 1, 1, 0));
	nyx_ioapic_set_irq(&io, 10, 1);
	CHECK_EQ(nmsgs, 2);
	write_entry(10, RTE(0x41, 0, 0, 1, 0, 0));
	CHECK_EQ(nmsgs, 3);
	/* Remote IRR survives reprogramming of the other bits */
	write_entry(10, RTE(0x41, 0, 0, 1, 0, 1));
	CHECK_EQ(nmsgs, 3);
	CHECK(read_entry(10) & NYX_IOAPIC_RTE_REMOTE_IRR);
	/* the EOI register (version 0x20) */
	nyx_ioapic_mmio_write(&io, 0x40, 4, 0x41);
	CHECK_EQ(nmsgs, 4);
	CHECK_EQ(msgs[3].dest, 1);
	nyx_ioapic_set_irq(&io, 10, 0);
	nyx_ioapic_mmio_write(&io, 0x40, 4, 0x141);	/* only 8 bits count */
	CHECK_EQ(read_entry(10) & NYX_IOAPIC_RTE_REMOTE_IRR, 0);
	nyx_ioapic_mmio_write(&io, 0x40, 1, 0x41);	/* ignored */

	/* switching to edge clears Remote IRR (Linux's old-IOAPIC trick) */
	nyx_ioapic_set_irq(&io, 10, 1);
	CHECK(read_entry(10) & NYX_IOAPIC_RTE_REMOTE_IRR);
	write_entry(10, RTE(0x41, 0, 0, 0, 1, 1));
	CHECK_EQ(read_entry(10) & NYX_IOAPIC_RTE_REMOTE_IRR, 0);
	write_entry(10, RTE(0x41, 0, 0, 1, 0, 1));	/* still asserted */
	CHECK_EQ(nmsgs, 6);
	nyx_ioapic_set_irq(&io, 10, 0);

	/* nobody accepted: Remote IRR stays clear */
	accept_ret = 0;
	nyx_ioapic_set_irq(&io, 11, 1);
	write_entry(11, RTE(0x51, 0, 0, 1, 0, 7));
	CHECK_EQ(nmsgs, 7);
	CHECK_EQ(read_entry(11) & NYX_IOAPIC_RTE_REMOTE_IRR, 0);
	accept_ret = 1;
	/* two pins sharing a vector both get the EOI */
	nmsgs = 0;
	write_entry(12, RTE(0x60, 0, 0, 1, 0, 0));
	write_entry(13, RTE(0x60, 0, 0, 1, 0, 0));
	nyx_ioapic_set_irq(&io, 12, 1);
	nyx_ioapic_set_irq(&io, 13, 1);
	CHECK_EQ(nmsgs, 2);
	nyx_ioapic_set_irq(&io, 12, 0);
	nyx_ioapic_eoi(&io, 0x60);
	CHECK_EQ(nmsgs, 3);
	CHECK_EQ(read_entry(12) & NYX_IOAPIC_RTE_REMOTE_IRR, 0);
	CHECK(read_entry(13) & NYX_IOAPIC_RTE_REMOTE_IRR);
}

static void test_delivery_modes(void)
{
	reset();
	/* NMI programmed level: behaves as edge */
	write_entry(1, RTE(0, NYX_APIC_DM_NMI, 0, 1, 0, 0));
	nyx_ioapic_set_irq(&io, 1, 1);
	CHECK_EQ(nmsgs, 1);
	CHECK_EQ(msgs[0].delivery_mode, NYX_APIC_DM_NMI);
	CHECK_EQ(msgs[0].trigger, 0);
	CHECK_EQ(read_entry(1) & NYX_IOAPIC_RTE_REMOTE_IRR, 0);
	nyx_ioapic_set_irq(&io, 1, 1);
	CHECK_EQ(nmsgs, 1);
	/* ExtINT (virtual wire through the I/O APIC, pin 0) */
	write_entry(0, RTE(0, NYX_APIC_DM_EXTINT, 0, 0, 0, 0));
	nyx_ioapic_set_irq(&io, 0, 1);
	CHECK_EQ(nmsgs, 2);
	CHECK_EQ(msgs[1].delivery_mode, NYX_APIC_DM_EXTINT);
	/* SMI, INIT */
	write_entry(2, RTE(0, NYX_APIC_DM_SMI, 0, 0, 0, 0));
	nyx_ioapic_set_irq(&io, 2, 1);
	write_entry(3, RTE(0, NYX_APIC_DM_INIT, 0, 0, 0, 0));
	nyx_ioapic_set_irq(&io, 3, 1);
	CHECK_EQ(nmsgs, 4);
	CHECK_EQ(msgs[2].delivery_mode, NYX_APIC_DM_SMI);
	CHECK_EQ(msgs[3].delivery_mode, NYX_APIC_DM_INIT);
	/* reserved modes deliver nothing */
	write_entry(5, RTE(0x30, 3, 0, 0, 0, 0));
	write_entry(6, RTE(0x30, 6, 0, 1, 0, 0));
	nyx_ioapic_set_irq(&io, 5, 1);
	nyx_ioapic_set_irq(&io, 6, 1);
	CHECK_EQ(nmsgs, 4);
	/* polarity is stored, not applied */
	write_entry(7, RTE(0x37, 0, 0, 1, 0, 0) | NYX_IOAPIC_RTE_POLARITY);
	CHECK(read_entry(7) & NYX_IOAPIC_RTE_POLARITY);
	nyx_ioapic_set_irq(&io, 7, 1);
	CHECK_EQ(nmsgs, 5);
}

static void test_bad_pins(void)
{
	reset();
	CHECK_EQ(nyx_ioapic_set_irq(&io, 24, 1), -1);
	CHECK_EQ(nyx_ioapic_set_irq(&io, ~0u, 1), -1);
	CHECK_EQ(io.s.lines, 0);
	CHECK_EQ(nyx_ioapic_set_irq(&io, 23, 7), 0);
	CHECK_EQ(io.s.lines, 1u << 23);
}

static void test_reset(void)
{
	reset();
	write_entry(9, RTE(0x39, 0, 0, 1, 0, 0));
	nyx_ioapic_set_irq(&io, 9, 1);
	wr(0x00, 0x0a000000);
	nyx_ioapic_reset(&io, 3);
	CHECK_EQ(read_entry(9), 0x10000);
	CHECK_EQ(rd(0), 3u << 24);
	CHECK_EQ(io.s.lines, 1u << 9);		/* the wire is still high */
	nmsgs = 0;
	write_entry(9, RTE(0x39, 0, 0, 1, 0, 0));
	CHECK_EQ(nmsgs, 1);
}

static void test_msi(void)
{
	struct nyx_apic_msg m;

	CHECK_EQ(nyx_msi_decode(0xfee01000, 0x4041, 0, &m), 0);
	CHECK_EQ(m.dest, 1);
	CHECK_EQ(m.vector, 0x41);
	CHECK_EQ(m.delivery_mode, 0);
	CHECK_EQ(m.dest_mode, 0);
	CHECK_EQ(m.trigger, 0);
	CHECK_EQ(m.level, 1);
	CHECK_EQ(m.redir_hint, 0);
	/* logical, RH, lowest priority, level trigger */
	CHECK_EQ(nyx_msi_decode(0xfeeff00c, 0xc1ef, 0, &m), 0);
	CHECK_EQ(m.dest, 0xff);
	CHECK_EQ(m.dest_mode, 1);
	CHECK_EQ(m.redir_hint, 1);
	CHECK_EQ(m.delivery_mode, NYX_APIC_DM_LOWEST);
	CHECK_EQ(m.trigger, 1);
	CHECK_EQ(m.vector, 0xef);
	/* NMI */
	CHECK_EQ(nyx_msi_decode(0xfee00000, 0x400, 0, &m), 0);
	CHECK_EQ(m.delivery_mode, NYX_APIC_DM_NMI);
	/* extended destination ID: address bits 11:5 */
	CHECK_EQ(nyx_msi_decode(0xfee12fe0, 0x30, 1, &m), 0);
	CHECK_EQ(m.dest, 0x7f12);
	CHECK_EQ(nyx_msi_decode(0xfee12fe0, 0x30, 0, &m), 0);
	CHECK_EQ(m.dest, 0x12);
	/* not MSI */
	CHECK_EQ(nyx_msi_decode(0xfed00000, 0x30, 0, &m), -1);
	CHECK_EQ(nyx_msi_decode(0x1fee00000ull, 0x30, 0, &m), -1);
	CHECK_EQ(nyx_msi_decode(0xfef00000, 0x30, 0, &m), -1);
	CHECK_EQ(nyx_msi_decode(0, 0, 0, &m), -1);
}

static void test_save_load(void)
{
	struct nyx_ioapic_state st, bad;
	struct nyx_ioapic copy;

	reset();
	write_entry(10, RTE(0x41, 0, 0, 1, 0, 0));
	write_entry(3, RTE(0x33, 1, 1, 0, 0, 0x3));
	nyx_ioapic_set_irq(&io, 10, 1);
	nyx_ioapic_set_irq(&io, 3, 1);
	nyx_ioapic_mmio_write(&io, 0, 4, 0x17);
	nyx_ioapic_save(&io, &st);
	CHECK(st.redir[10] & NYX_IOAPIC_RTE_REMOTE_IRR);

	nyx_ioapic_init(&copy, 0, &ops, NULL);
	nmsgs = 0;
	CHECK_EQ(nyx_ioapic_load(&copy, &st), 0);
	CHECK_EQ(nmsgs, 0);			/* load delivers nothing */
	CHECK(memcmp(&copy.s, &io.s, sizeof(st)) == 0);
	CHECK_EQ(nyx_ioapic_mmio_read(&copy, 0, 4), 0x17);
	/* the loaded Remote IRR is EOI'd like the original */
	nyx_ioapic_eoi(&copy, 0x41);
	CHECK_EQ(nmsgs, 1);
	CHECK_EQ(msgs[0].vector, 0x41);

#define REJECT(stmt) do {						\
	bad = st; stmt;							\
	CHECK_EQ(nyx_ioapic_load(&copy, &bad), -1);			\
} while (0)
	REJECT(bad.id = 16);
	REJECT(bad.lines = 1u << 24);
	REJECT(bad.pad[1] = 1);
	REJECT(bad.redir[0] |= 1ull << 17);
	REJECT(bad.redir[5] |= 1ull << 40);
	REJECT(bad.redir[7] |= NYX_IOAPIC_RTE_DELIVS);
	REJECT(bad.redir[3] |= NYX_IOAPIC_RTE_REMOTE_IRR);	/* edge */
#undef REJECT
	nyx_ioapic_save(&copy, &bad);
	CHECK_EQ(bad.redir[10] & NYX_IOAPIC_RTE_REMOTE_IRR,
		 NYX_IOAPIC_RTE_REMOTE_IRR);
}

static void test_random(void)
{
	struct nyx_ioapic_state st;
	unsigned int i, k;
	u64 off;

	srand(82093);
	reset();
	for (i = 0; i < 200000; i++) {
		k = rand() % 6;
		off = (rand() % 3 == 0) ? (u64)rand() << (rand() % 40) :
		      (u64)(rand() % 0x48);
		switch (k) {
		case 0:
			nyx_ioapic_mmio_write(&io, off, 1u << (rand() % 5),
					      ((u64)rand() << 32) | rand());
			break;
		case 1:
			nyx_ioapic_mmio_read(&io, off, rand() % 10);
			break;
		case 2:
			nyx_ioapic_set_irq(&io, rand() % 30, rand() & 1);
			break;
		case 3:
			nyx_ioapic_eoi(&io, rand());
			break;
		case 4:
			wr(rand() % 0x50, ((u32)rand() << 1) ^ rand());
			break;
		default:
			nyx_ioapic_save(&io, &st);
			if (nyx_ioapic_load(&io, &st)) {
				CHECK(0);
				return;
			}
			break;
		}
	}
	CHECK(nmsgs > 0);
}

int main(void)
{
	test_registers();
	test_rte_bits();
	test_edge();
	test_level();
	test_delivery_modes();
	test_bad_pins();
	test_reset();
	test_msi();
	test_save_load();
	test_random();
	return test_summary("test_ioapic");
}
