// SPDX-License-Identifier: GPL-2.0
/*
 * The PCI bus: configuration space semantics (read-only fields, RW1C,
 * any width at any offset), BAR sizing, placement and relocation by the
 * guest (including garbage and overlapping addresses), the COMMAND decode
 * bits, CF8/CFC and ECAM, INTx lines, MSI and MSI-X masking/pending, and
 * save/load, through the PCI test device on private pio/mmio buses.
 */
#include <errno.h>

#include "arch/x86/pc.h"
#include "core/irq.h"
#include "hw/pci_testdev.h"
#include "launcher_test.h"
#include "pci_test.h"
#include "pci/pci.h"
#include "test.h"

static struct bus pio, mmio;
static struct pci_bus pb;

/* MSIs the bus delivered */
#define MAX_MSI 64
static struct { u64 addr; u32 data; } msis[MAX_MSI];
static unsigned int nr_msi;

static int fake_msi(u64 address, u32 data)
{
	if (nr_msi < MAX_MSI)
		msis[nr_msi] = (typeof(msis[0])){ address, data };
	nr_msi++;
	return 1;
}

static void setup(void)
{
	test_pci_bus_reset(&pb, &pio, &mmio, fake_msi);
	nr_msi = 0;
	irq_reset_observers();
	CHECK_EQ(pci_host_register(&pb), 0);
}

/* Configuration access through CF8/CFC, as a guest does it. */
static u32 cfg_rd(unsigned int slot, unsigned int off, unsigned int len)
{
	u8 buf[4];

	store_le(buf, 0x80000000u | slot << 11 | (off & 0xfc), 4);
	bus_access(&pio, 0xcf8, buf, 4, true);
	bus_access(&pio, 0xcfc + (off & 3), buf, len, false);
	return load_le(buf, len);
}

static void cfg_wr(unsigned int slot, unsigned int off, u32 val,
		   unsigned int len)
{
	u8 buf[4];

	store_le(buf, 0x80000000u | slot << 11 | (off & 0xfc), 4);
	bus_access(&pio, 0xcf8, buf, 4, true);
	store_le(buf, val, len);
	bus_access(&pio, 0xcfc + (off & 3), buf, len, true);
}

/* ECAM access */
static u64 ecam_rd(unsigned int bus, unsigned int slot, unsigned int fn,
		   unsigned int off, unsigned int len)
{
	u8 buf[8];

	bus_access(&mmio, PC_PCI_ECAM_BASE + (bus << 20 | slot << 15 |
		   fn << 12 | off), buf, len, false);
	return load_le(buf, len);
}

static void ecam_wr(unsigned int slot, unsigned int off, u64 val,
		    unsigned int len)
{
	u8 buf[8];

	store_le(buf, val, len);
	bus_access(&mmio, PC_PCI_ECAM_BASE + (slot << 15 | off), buf, len,
		   true);
}

static u32 mmio_rd(u64 addr, unsigned int len)
{
	u8 buf[8];

	if (!bus_access(&mmio, addr, buf, len, false))
		return 0xdeadbeef;
	return load_le(buf, len);
}

static void mmio_wr(u64 addr, u64 val, unsigned int len)
{
	u8 buf[8];

	store_le(buf, val, len);
	bus_access(&mmio, addr, buf, len, true);
}

static u32 pio_rd(u64 port, unsigned int len)
{
	u8 buf[4];

	if (!bus_access(&pio, port, buf, len, false))
		return 0xdeadbeef;
	return load_le(buf, len);
}

/* ---------------------------------------------------------------------
 * Pure configuration-space semantics
 */
static void test_config_semantics(void)
{
	struct pci_config c;
	unsigned int a, b, v;

	pci_config_init(&c, 0x1234, 0x5678, 0x020000, 3, 0xaaaa, 0xbbbb, 2);
	CHECK_EQ(pci_config_read(&c, 0, 4), 0x56781234);
	CHECK_EQ(pci_config_read(&c, 1, 2), 0x7812);	/* unaligned */
	CHECK_EQ(pci_config_read(&c, 8, 4), 0x02000003);
	CHECK_EQ(pci_config_read(&c, 0x2c, 4), 0xbbbbaaaa);
	CHECK_EQ(pci_config_read(&c, 0x3d, 1), 2);
	CHECK_EQ(pci_config_read(&c, 0, 8), 0x0000000056781234ull);
	/* read-only: IDs, class, header type, pin */
	pci_config_write(&c, 0, 0xffffffff, 4);
	pci_config_write(&c, 8, 0xffffffff, 4);
	pci_config_write(&c, 0x3d, 0xff, 1);
	pci_config_write(&c, 0x0e, 0xff, 1);
	CHECK_EQ(pci_config_read(&c, 0, 4), 0x56781234);
	CHECK_EQ(pci_config_read(&c, 8, 4), 0x02000003);
	CHECK_EQ(pci_config_read(&c, 0x3d, 1), 2);
	CHECK_EQ(pci_config_read(&c, 0x0e, 1), 0);
	/* command: only the implemented bits */
	pci_config_write(&c, PCI_COMMAND, 0xffff, 2);
	CHECK_EQ(pci_config_read(&c, PCI_COMMAND, 2), 0x0547);
	/* status: RW1C error bits, the rest read-only */
	pci_config_set(&c, PCI_STATUS, 0xf910, 2);
	pci_config_write(&c, PCI_STATUS, 0x0010, 2);	/* RO bit: stays */
	CHECK_EQ(pci_config_read(&c, PCI_STATUS, 2), 0xf910);
	pci_config_write(&c, PCI_STATUS, 0x8100, 2);
	CHECK_EQ(pci_config_read(&c, PCI_STATUS, 2), 0x7810);
	/* a dword write at COMMAND reaches STATUS's RW1C too */
	pci_config_write(&c, PCI_COMMAND, 0xffff0000, 4);
	CHECK_EQ(pci_config_read(&c, PCI_STATUS, 2), 0x0010);
	CHECK_EQ(pci_config_read(&c, PCI_COMMAND, 2), 0);
	/* RW scratch registers, byte by byte */
	pci_config_write(&c, 0x0c, 0x12345678, 4);
	CHECK_EQ(pci_config_read(&c, 0x0c, 2), 0x5678);
	pci_config_write(&c, 0x3c, 0xabcd, 2);
	CHECK_EQ(pci_config_read(&c, 0x3c, 2), 0x02cd);
	/* off the end: 0xff, writes dropped, no overflow */
	CHECK_EQ(pci_config_read(&c, 4094, 4), 0xffff0000);
	CHECK_EQ(pci_config_read(&c, 5000, 4), 0xffffffff);
	pci_config_write(&c, 4095, ~0ull, 8);
	pci_config_write(&c, ~0u, ~0ull, 8);
	CHECK_EQ(pci_config_read(&c, 0x100, 4), 0);	/* no ext. caps */

	/* capability list */
	a = pci_config_add_cap(&c, PCI_CAP_ID_VNDR, 14);
	b = pci_config_add_cap(&c, PCI_CAP_ID_MSIX, 12);
	CHECK_EQ(a, 0x40);
	CHECK_EQ(b, 0x50);
	CHECK_EQ(pci_config_read(&c, PCI_CAPABILITY_LIST, 1), 0x40);
	CHECK_EQ(pci_config_read(&c, 0x40, 2), 0x5009);
	CHECK_EQ(pci_config_read(&c, 0x50, 2), 0x0011);
	CHECK(pci_config_read(&c, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST);
	CHECK_EQ(pci_config_find_cap(&c, PCI_CAP_ID_MSIX), 0x50);
	CHECK_EQ(pci_config_find_cap(&c, PCI_CAP_ID_MSI), 0);
	pci_config_write(&c, 0x40, 0xffff, 2);		/* list is RO */
	CHECK_EQ(pci_config_read(&c, 0x40, 2), 0x5009);
	CHECK_EQ(pci_config_add_cap(&c, 1, 200), 0);	/* no room */
	CHECK_EQ(pci_config_add_cap(&c, 1, 1), 0);
	v = pci_config_add_cap(&c, 1, 0x100 - 0x5c);	/* exactly full */
	CHECK_EQ(v, 0x5c);
	CHECK_EQ(pci_config_add_cap(&c, 1, 4), 0);
	/* a looping list (only a corrupted load could make one) ends */
	c.data[0x41] = 0x40;
	CHECK_EQ(pci_config_find_cap(&c, 0x77), 0);
}

static void test_bar_sizing(void)
{
	struct pci_config c;

	pci_config_init(&c, 1, 2, 0, 0, 0, 0, 0);
	CHECK_EQ(pci_config_set_bar(&c, 0, PCI_BAR_MEM32, 4096, false), 0);
	CHECK_EQ(pci_config_set_bar(&c, 1, PCI_BAR_IO, 256, false), 0);
	CHECK_EQ(pci_config_set_bar(&c, 2, PCI_BAR_MEM64, 8 * SZ_1G, true), 0);
	CHECK_EQ(pci_config_set_bar(&c, 5, PCI_BAR_MEM64, 4096, false), -EINVAL);
	CHECK_EQ(pci_config_set_bar(&c, 4, PCI_BAR_MEM32, 3000, false), -EINVAL);
	CHECK_EQ(pci_config_set_bar(&c, 4, PCI_BAR_IO, 512, false), -EINVAL);
	CHECK_EQ(pci_config_set_bar(&c, 4, PCI_BAR_MEM32, 8, false), -EINVAL);
	CHECK_EQ(pci_config_set_bar(&c, 6, PCI_BAR_MEM32, 16, false), -EINVAL);
	/* sizing: all ones read back ~(size - 1) | type bits */
	pci_config_write(&c, 0x10, 0xffffffff, 4);
	CHECK_EQ(pci_config_read(&c, 0x10, 4), 0xfffff000);
	pci_config_write(&c, 0x14, 0xffffffff, 4);
	CHECK_EQ(pci_config_read(&c, 0x14, 4), 0xffffff01);
	pci_config_write(&c, 0x18, 0xffffffff, 4);
	pci_config_write(&c, 0x1c, 0xffffffff, 4);
	CHECK_EQ(pci_config_read(&c, 0x18, 4), 0x0000000c);
	CHECK_EQ(pci_config_read(&c, 0x1c, 4), 0xfffffffe);
	/* unimplemented BARs and the expansion ROM read 0 */
	pci_config_write(&c, 0x20, 0xffffffff, 4);
	pci_config_write(&c, 0x24, 0xffffffff, 4);
	pci_config_write(&c, PCI_ROM_ADDRESS, 0xffffffff, 4);
	CHECK_EQ(pci_config_read(&c, 0x20, 4), 0);
	CHECK_EQ(pci_config_read(&c, 0x24, 4), 0);
	CHECK_EQ(pci_config_read(&c, PCI_ROM_ADDRESS, 4), 0);
	/* addresses: low bits stay zero, type bits stay */
	pci_config_write(&c, 0x10, 0x12345678, 4);
	CHECK_EQ(pci_config_bar_addr(&c, 0, PCI_BAR_MEM32), 0x12345000);
	pci_config_write(&c, 0x15, 0xab, 1);		/* byte write */
	CHECK_EQ(pci_config_read(&c, 0x14, 4), 0xffffab01);
	CHECK_EQ(pci_config_bar_addr(&c, 1, PCI_BAR_IO), 0xffffab00);
	pci_config_write(&c, 0x18, 0, 4);
	pci_config_write(&c, 0x1c, 0x4, 4);
	CHECK_EQ(pci_config_bar_addr(&c, 2, PCI_BAR_MEM64), 0x400000000ull);
	pci_config_set_bar_addr(&c, 2, PCI_BAR_MEM64, 0x1234567890ull);
	CHECK_EQ(pci_config_bar_addr(&c, 2, PCI_BAR_MEM64), 0x1200000000ull);
	CHECK_EQ(pci_config_read(&c, 0x18, 4) & 0xf, 0xc);
}

/* ---------------------------------------------------------------------
 * The bus with test devices
 */
static struct pci_testdev td[3];

static void add_testdevs(unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		CHECK_EQ(pci_testdev_init(&td[i]), 0);
		CHECK_EQ(pci_register(&pb, &td[i].pci), 0);
	}
}

static void test_enumeration(void)
{
	unsigned int slot;

	setup();
	add_testdevs(2);
	/* host bridge at 00.0, devices at 01.0 and 02.0 */
	CHECK_EQ(cfg_rd(0, 0, 4), 0x00081b36);
	CHECK_EQ(cfg_rd(0, 8, 4) >> 8, 0x060000);
	CHECK_EQ(cfg_rd(1, 0, 4), 0x00051b36);
	CHECK_EQ(cfg_rd(2, 0, 4), 0x00051b36);
	CHECK_EQ(cfg_rd(1, 8, 4) >> 8, 0xff0000);
	CHECK_EQ(cfg_rd(3, 0, 4), 0xffffffff);
	CHECK_EQ(cfg_rd(31, 0, 2), 0xffff);
	/* functions 1-7 and other buses: nothing */
	CHECK_EQ(ecam_rd(0, 1, 1, 0, 4), 0xffffffff);
	CHECK_EQ(ecam_rd(1, 1, 0, 0, 4), 0xffffffff);
	CHECK_EQ(ecam_rd(255, 0, 0, 0, 4), 0xffffffff);
	/* ECAM and CF8 agree, any width, any offset */
	for (slot = 0; slot < 3; slot++) {
		unsigned int off;

		for (off = 0; off < 0x40; off++) {
			CHECK_EQ(ecam_rd(0, slot, 0, off, 1), cfg_rd(slot, off, 1));
			if (off % 2 == 0)
				CHECK_EQ(ecam_rd(0, slot, 0, off, 2),
					 cfg_rd(slot, off, 2));
		}
	}
	CHECK_EQ(ecam_rd(0, 1, 0, 0, 8),
		 (u64)cfg_rd(1, 4, 4) << 32 | cfg_rd(1, 0, 4));
	CHECK_EQ(ecam_rd(0, 1, 0, 0xffe, 4), 0xffff0000);	/* crosses 4 KiB */
	/* CF8 latch: dword only; enable bit off means no access */
	{
		u8 buf[4];

		store_le(buf, 0x8000080c, 4);
		bus_access(&pio, 0xcf8, buf, 4, true);
		CHECK_EQ(pio_rd(0xcf8, 4), 0x8000080c);
		store_le(buf, 0x7f000003, 4);		/* reserved bits */
		bus_access(&pio, 0xcf8, buf, 4, true);
		CHECK_EQ(pio_rd(0xcf8, 4), 0);
		CHECK_EQ(pio_rd(0xcfc, 4), 0xffffffff);
		CHECK_EQ(pio_rd(0xcf8, 1), 0xff);	/* not the latch */
		CHECK(!bus_find(&pio, 0xcf9));		/* reset control's */
		/* a dword at 0xcfe: the part past 0xcff reads ones */
		store_le(buf, 0x80000800, 4);
		bus_access(&pio, 0xcf8, buf, 4, true);
		CHECK_EQ(pio_rd(0xcfe, 4), 0xffff0005);
	}
	/* the device's BARs: placed in the windows, decoding on */
	CHECK_EQ(cfg_rd(1, PCI_COMMAND, 2) & 3, 3);
	CHECK_EQ(cfg_rd(1, 0x10, 4), 0xc0000000);
	CHECK_EQ(cfg_rd(1, 0x14, 4), 0xc001);
	CHECK_EQ(cfg_rd(1, 0x18, 4), 0xc0001004);
	CHECK_EQ(cfg_rd(1, 0x1c, 4), 0);
	CHECK_EQ(cfg_rd(2, 0x10, 4), 0xc0002000);
	CHECK_EQ(cfg_rd(2, 0x14, 4), 0xc101);
	CHECK_EQ(cfg_rd(1, PCI_INTERRUPT_PIN, 1), 1);
	CHECK_EQ(cfg_rd(1, PCI_INTERRUPT_LINE, 1), 16 + 1);
	CHECK_EQ(cfg_rd(2, PCI_INTERRUPT_LINE, 1), 16 + 2);
	CHECK_EQ(mmio_rd(0xc0000000, 4), PCI_TESTDEV_MAGIC);
	CHECK_EQ(mmio_rd(0xc0002000, 4), PCI_TESTDEV_MAGIC);
	CHECK_EQ(pio_rd(0xc000, 4), PCI_TESTDEV_MAGIC);
	CHECK_EQ(pio_rd(0xc100, 2), PCI_TESTDEV_MAGIC & 0xffff);
	CHECK_EQ(pio_rd(0xc002, 2), PCI_TESTDEV_MAGIC >> 16);
	/* capabilities: MSI then MSI-X */
	CHECK(cfg_rd(1, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST);
	CHECK_EQ(cfg_rd(1, PCI_CAPABILITY_LIST, 1), 0x40);
	CHECK_EQ(cfg_rd(1, 0x40, 1), PCI_CAP_ID_MSI);
	CHECK_EQ(cfg_rd(1, 0x41, 1), 0x58);
	CHECK_EQ(cfg_rd(1, 0x58, 2), PCI_CAP_ID_MSIX);
	CHECK_EQ(cfg_rd(1, 0x5a, 2), PCI_TESTDEV_VECTORS - 1);
	CHECK_EQ(cfg_rd(1, 0x5c, 4), 0x2);		/* table: BAR 2 + 0 */
	CHECK_EQ(cfg_rd(1, 0x60, 4), 0x802);		/* PBA: BAR 2 + 0x800 */
}

static void test_bar_relocation(void)
{
	u32 cmd;

	setup();
	add_testdevs(2);
	/* Linux's sizing: decode off, all ones, read, restore */
	cmd = cfg_rd(1, PCI_COMMAND, 2);
	cfg_wr(1, PCI_COMMAND, cmd & ~3, 2);
	CHECK_EQ(mmio_rd(0xc0000000, 4), 0xdeadbeef);	/* gone */
	CHECK_EQ(pio_rd(0xc000, 4), 0xdeadbeef);
	cfg_wr(1, 0x10, 0xffffffff, 4);
	CHECK_EQ(cfg_rd(1, 0x10, 4), 0xfffff000);
	cfg_wr(1, 0x14, 0xffffffff, 4);
	CHECK_EQ(cfg_rd(1, 0x14, 4), 0xffffff01);
	cfg_wr(1, 0x18, 0xffffffff, 4);
	cfg_wr(1, 0x1c, 0xffffffff, 4);
	CHECK_EQ(cfg_rd(1, 0x18, 4), 0xfffff004);
	CHECK_EQ(cfg_rd(1, 0x1c, 4), 0xffffffff);
	cfg_wr(1, PCI_ROM_ADDRESS, 0xfffff800, 4);
	CHECK_EQ(cfg_rd(1, PCI_ROM_ADDRESS, 4), 0);
	/* relocate: new addresses, decode on */
	cfg_wr(1, 0x10, 0xd0000000, 4);
	cfg_wr(1, 0x14, 0xe000, 4);
	cfg_wr(1, 0x18, 0x00000000, 4);
	cfg_wr(1, 0x1c, 0x1, 4);			/* 4 GiB: 64-bit */
	cfg_wr(1, PCI_COMMAND, cmd, 2);
	CHECK_EQ(mmio_rd(0xd0000000, 4), PCI_TESTDEV_MAGIC);
	CHECK_EQ(mmio_rd(0xc0000000, 4), 0xdeadbeef);
	CHECK_EQ(pio_rd(0xe000, 4), PCI_TESTDEV_MAGIC);
	CHECK_EQ(pio_rd(0xc000, 4), 0xdeadbeef);
	CHECK_EQ(mmio_rd(0x100000000ull + 0xc, 4), 1);	/* vector 0 masked */
	/* move while decoding (bus_move) */
	cfg_wr(1, 0x10, 0xd0001000, 4);
	CHECK_EQ(mmio_rd(0xd0001000, 4), PCI_TESTDEV_MAGIC);
	CHECK_EQ(mmio_rd(0xd0000000, 4), 0xdeadbeef);
	/* overlapping device 2's BAR: left unmapped, device 2 unharmed */
	cfg_wr(1, 0x10, 0xc0002000, 4);
	CHECK_EQ(mmio_rd(0xc0002000, 4), PCI_TESTDEV_MAGIC);
	CHECK_EQ(mmio_rd(0xd0001000, 4), 0xdeadbeef);
	CHECK(bus_find(&mmio, 0xc0002000)->opaque == &td[1].pci.map[0]);
	/* over the ECAM window: unmapped, ECAM still works */
	cfg_wr(1, 0x10, PC_PCI_ECAM_BASE, 4);
	CHECK_EQ(cfg_rd(1, 0x10, 4), PC_PCI_ECAM_BASE);
	CHECK_EQ(ecam_rd(0, 1, 0, 0, 4), 0x00051b36);
	/* garbage I/O: over the CF8 port, and past 64 KiB */
	cfg_wr(1, 0x14, 0xc00, 4);		/* 0xc00-0xcff: overlaps */
	CHECK_EQ(cfg_rd(0, 0, 4), 0x00081b36);	/* config still works */
	CHECK(!bus_find(&pio, 0xc00));
	cfg_wr(1, 0x14, 0x12345600, 4);
	CHECK(!bus_find(&pio, 0x5600));
	CHECK_EQ(cfg_rd(1, 0x14, 4), 0x12345601);
	/* a free place again: mapped again */
	cfg_wr(1, 0x10, 0xc8000000, 4);
	cfg_wr(1, 0x14, 0xd000, 4);
	CHECK_EQ(mmio_rd(0xc8000000, 4), PCI_TESTDEV_MAGIC);
	CHECK_EQ(pio_rd(0xd000, 4), PCI_TESTDEV_MAGIC);
	/* 64-bit BAR at the top of the address space: past the end */
	cfg_wr(1, 0x18, 0xfffff000, 4);
	cfg_wr(1, 0x1c, 0xffffffff, 4);
	CHECK(bus_find(&mmio, 0xfffffffffffff000ull) != NULL);
	/* memory decode off: every memory BAR goes, I/O stays */
	cfg_wr(1, PCI_COMMAND, PCI_COMMAND_IO, 2);
	CHECK_EQ(mmio_rd(0xc8000000, 4), 0xdeadbeef);
	CHECK(!bus_find(&mmio, 0xfffffffffffff000ull));
	CHECK_EQ(pio_rd(0xd000, 4), PCI_TESTDEV_MAGIC);
	/* the host bridge has no BARs */
	cfg_wr(0, 0x10, 0xffffffff, 4);
	CHECK_EQ(cfg_rd(0, 0x10, 4), 0);
}

static void test_placement_errors(void)
{
	struct pci_device_info info = {
		.name = "big", .vendor = 1, .device = 2,
		.bars = { [0] = { .type = PCI_BAR_MEM32, .size = SZ_1G } },
	};
	static struct pci_testdev many[PCI_MAX_SLOTS];
	struct pci_dev big, bad;
	unsigned int i;

	setup();
	/* 512 MiB window: one 1 GiB BAR does not fit */
	CHECK_EQ(pci_dev_init(&big, &info), 0);
	quiet_begin();
	CHECK_EQ(pci_register(&pb, &big), -ENOSPC);
	quiet_end();
	/* bad declarations */
	quiet_begin();
	info.bars[0].size = 3000;
	CHECK_EQ(pci_dev_init(&bad, &info), -EINVAL);
	info.bars[0] = (struct pci_bar_info){ .type = PCI_BAR_MEM64,
					      .size = 4096 };
	info.bars[1] = (struct pci_bar_info){ .type = PCI_BAR_IO, .size = 4 };
	CHECK_EQ(pci_dev_init(&bad, &info), -EINVAL);
	info.bars[1] = (struct pci_bar_info){ 0 };
	info.irq_pin = 5;
	CHECK_EQ(pci_dev_init(&bad, &info), -EINVAL);
	info.irq_pin = 1;
	info.msix_vectors = 300;
	CHECK_EQ(pci_dev_init(&bad, &info), -EINVAL);
	info.msix_vectors = 256;	/* 4 KiB table + PBA > 4 KiB BAR */
	CHECK_EQ(pci_dev_init(&bad, &info), -EINVAL);
	info.msix_vectors = 8;
	info.msix_pba_offset = 0x40;	/* overlaps the table */
	CHECK_EQ(pci_dev_init(&bad, &info), -EINVAL);
	info.msix_pba_offset = 0x804;	/* misaligned */
	CHECK_EQ(pci_dev_init(&bad, &info), -EINVAL);
	info.msix_pba_offset = 0x800;
	info.msix_bar = 1;		/* not a memory BAR */
	CHECK_EQ(pci_dev_init(&bad, &info), -EINVAL);
	quiet_end();
	info.msix_bar = 0;
	CHECK_EQ(pci_dev_init(&bad, &info), 0);
	/* 31 devices fit (slots 1-31), the 32nd does not */
	for (i = 0; i < PCI_MAX_SLOTS - 1; i++) {
		CHECK_EQ(pci_testdev_init(&many[i]), 0);
		CHECK_EQ(pci_register(&pb, &many[i].pci), 0);
	}
	CHECK_EQ(many[30].pci.slot, 31);
	CHECK_EQ(pci_testdev_init(&many[31]), 0);
	quiet_begin();
	CHECK_EQ(pci_register(&pb, &many[31].pci), -ENOSPC);
	quiet_end();
	/* the I/O window (0xc000-0xffff, 256 bytes each) held 64 */
	CHECK_EQ(cfg_rd(31, 0x14, 4), 0xc000 + 30 * 0x100 + 1);
}

static void test_intx(void)
{
	setup();
	add_testdevs(3);
	/* slot 1 INTA -> GSI 17, slot 2 -> 18, slot 3 -> 19 */
	mmio_wr(0xc0000000 + PCI_TESTDEV_REG_INTX, 1, 4);
	CHECK(irq_line_level(17));
	CHECK(!irq_line_level(18));
	CHECK(cfg_rd(1, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT);
	CHECK(!(cfg_rd(2, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT));
	/* INTx disable masks the line, not the status bit */
	cfg_wr(1, PCI_COMMAND, cfg_rd(1, PCI_COMMAND, 2) |
	       PCI_COMMAND_INTX_DISABLE, 2);
	CHECK(!irq_line_level(17));
	CHECK(cfg_rd(1, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT);
	cfg_wr(1, PCI_COMMAND, cfg_rd(1, PCI_COMMAND, 2) &
	       ~PCI_COMMAND_INTX_DISABLE, 2);
	CHECK(irq_line_level(17));
	/* the status interrupt bit is read-only */
	cfg_wr(1, PCI_STATUS, 0xffff, 2);
	CHECK(cfg_rd(1, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT);
	mmio_wr(0xc0000000 + PCI_TESTDEV_REG_INTX, 0, 4);
	CHECK(!irq_line_level(17));
	CHECK_EQ(irq_line_edges(17), 2);
	/* MSI-X enabled: INTx is not used */
	mmio_wr(0xc0000000 + PCI_TESTDEV_REG_INTX, 1, 4);
	cfg_wr(1, 0x5a, PCI_MSIX_FLAGS_ENABLE, 2);
	CHECK(!irq_line_level(17));
	cfg_wr(1, 0x5a, 0, 2);
	CHECK(irq_line_level(17));
	mmio_wr(0xc0000000 + PCI_TESTDEV_REG_INTX, 0, 4);

	/* a shared line: the OR of its devices. Move device 3's pin onto
	 * GSI 17 by hand (slot 9 would be wired there too). */
	td[2].pci.slot = 9;
	pci_irq_set(&td[2].pci, true);
	pci_irq_set(&td[0].pci, true);
	CHECK(irq_line_level(17));
	pci_irq_set(&td[0].pci, false);
	CHECK(irq_line_level(17));		/* slot 9 still asserts */
	pci_irq_set(&td[2].pci, false);
	CHECK(!irq_line_level(17));
	/* swizzle */
	CHECK_EQ(pc_pci_intx_gsi(0, 1), 16);
	CHECK_EQ(pc_pci_intx_gsi(0, 4), 19);
	CHECK_EQ(pc_pci_intx_gsi(7, 2), 16);
	CHECK_EQ(pc_pci_intx_gsi(31, 4), 16 + (31 + 3) % 8);
}

#define MSIX_BAR	0xc0001000ull	/* device 1's BAR 2 */

static void msix_entry(unsigned int v, u64 addr, u32 data, u32 ctrl)
{
	u64 e = MSIX_BAR + 16 * v;

	mmio_wr(e, addr, 8);			/* a qword write */
	mmio_wr(e + 8, data, 4);
	mmio_wr(e + 12, ctrl, 4);
}

static u64 pba(void)
{
	return mmio_rd(MSIX_BAR + PCI_TESTDEV_MSIX_PBA, 4);
}

static void fire(unsigned int v)
{
	mmio_wr(0xc0000000 + PCI_TESTDEV_REG_MSI, v, 4);
}

static void test_msix(void)
{
	unsigned int v;

	setup();
	add_testdevs(1);
	/* reset state: every vector masked, nothing pending, disabled */
	for (v = 0; v < PCI_TESTDEV_VECTORS; v++)
		CHECK_EQ(mmio_rd(MSIX_BAR + 16 * v + 12, 4), 1);
	CHECK_EQ(pba(), 0);
	/* disabled: a notify does nothing at all */
	fire(0);
	CHECK_EQ(nr_msi, 0);
	CHECK_EQ(pba(), 0);
	for (v = 0; v < PCI_TESTDEV_VECTORS; v++)
		msix_entry(v, 0xfee00000 | v << 12, 0x40 + v, 1);
	CHECK_EQ(mmio_rd(MSIX_BAR + 16 * 3, 4), 0xfee03000);
	CHECK_EQ(mmio_rd(MSIX_BAR + 16 * 3 + 8, 2), 0x43);
	CHECK_EQ(mmio_rd(MSIX_BAR + 16 * 3 + 1, 1), 0x30);	/* byte */
	/* reserved vector-control bits stay 0 */
	mmio_wr(MSIX_BAR + 16 * 7 + 12, 0xfffffffe, 4);
	CHECK_EQ(mmio_rd(MSIX_BAR + 16 * 7 + 12, 4), 0);
	mmio_wr(MSIX_BAR + 16 * 7 + 12, 1, 4);
	/* enable with the function masked */
	cfg_wr(1, 0x5a, PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL, 2);
	CHECK_EQ(cfg_rd(1, 0x5a, 2), 0xc007);		/* size is RO */
	/* entry masked: pending */
	fire(2);
	CHECK_EQ(nr_msi, 0);
	CHECK_EQ(pba(), 1 << 2);
	/* unmask the entry while the function is masked: still pending */
	mmio_wr(MSIX_BAR + 16 * 2 + 12, 0, 4);
	CHECK_EQ(nr_msi, 0);
	CHECK_EQ(pba(), 1 << 2);
	/* the PBA is read-only */
	mmio_wr(MSIX_BAR + PCI_TESTDEV_MSIX_PBA, 0, 8);
	CHECK_EQ(pba(), 1 << 2);
	/* function unmask delivers it */
	cfg_wr(1, 0x5a, PCI_MSIX_FLAGS_ENABLE, 2);
	CHECK_EQ(nr_msi, 1);
	CHECK_EQ(msis[0].addr, 0xfee02000);
	CHECK_EQ(msis[0].data, 0x42);
	CHECK_EQ(pba(), 0);
	/* unmasked: straight through */
	fire(2);
	CHECK_EQ(nr_msi, 2);
	/* sent at once by the register: the second fire(2) only */
	CHECK_EQ(mmio_rd(0xc0000000 + PCI_TESTDEV_REG_MSI, 4), 1);
	/* entry masked: pending, entry unmask delivers */
	fire(5);
	fire(5);			/* one pending bit, one message */
	CHECK_EQ(pba(), 1 << 5);
	mmio_wr(MSIX_BAR + 16 * 5 + 12, 0, 4);
	CHECK_EQ(nr_msi, 3);
	CHECK_EQ(msis[2].data, 0x45);
	CHECK_EQ(pba(), 0);
	/* the message is read at delivery: reprogram while pending */
	mmio_wr(MSIX_BAR + 16 * 6 + 8, 0x99, 4);
	fire(6);
	mmio_wr(MSIX_BAR + 16 * 6 + 8, 0x66, 4);
	mmio_wr(MSIX_BAR + 16 * 6 + 12, 0, 4);
	CHECK_EQ(msis[3].data, 0x66);
	/* out-of-range vectors and accesses are ignored */
	fire(8);
	fire(0xffffffff);
	CHECK_EQ(nr_msi, 4);
	mmio_wr(MSIX_BAR + 16 * 8, 0x1234, 4);		/* past the table */
	CHECK_EQ(mmio_rd(MSIX_BAR + 16 * 8, 4), 0);
	CHECK_EQ(mmio_rd(MSIX_BAR + 0xffc, 4), 0);
	/* disable with a pending vector: it stays pending */
	mmio_wr(MSIX_BAR + 16 * 1 + 12, 1, 4);
	fire(1);
	CHECK_EQ(pba(), 1 << 1);
	cfg_wr(1, 0x5a, 0, 2);
	mmio_wr(MSIX_BAR + 16 * 1 + 12, 0, 4);	/* unmask while disabled */
	CHECK_EQ(nr_msi, 4);
	cfg_wr(1, 0x5a, PCI_MSIX_FLAGS_ENABLE, 2);	/* enable sends it */
	CHECK_EQ(nr_msi, 5);
	CHECK_EQ(msis[4].data, 0x41);
	/* ECAM dword write of the control word works the same */
	ecam_wr(1, 0x58, (u32)(PCI_MSIX_FLAGS_ENABLE |
			       PCI_MSIX_FLAGS_MASKALL) << 16 | 0xffff, 4);
	CHECK_EQ(cfg_rd(1, 0x5a, 2), 0xc007);
	CHECK_EQ(cfg_rd(1, 0x58, 2), 0x0011);		/* id, next: RO */
}

static void test_msi(void)
{
	setup();
	add_testdevs(1);
	/* 64-bit, maskable, one vector */
	CHECK_EQ(cfg_rd(1, 0x42, 2), 0x0180);
	cfg_wr(1, 0x42, 0xffff, 2);
	CHECK_EQ(cfg_rd(1, 0x42, 2), 0x0181);	/* only enable sticks */
	cfg_wr(1, 0x44, 0xfee01003, 4);
	CHECK_EQ(cfg_rd(1, 0x44, 4), 0xfee01000);
	cfg_wr(1, 0x48, 0, 4);
	cfg_wr(1, 0x4c, 0x4031, 2);
	cfg_wr(1, 0x50, 1, 4);			/* masked */
	fire(0);
	CHECK_EQ(nr_msi, 0);
	CHECK_EQ(cfg_rd(1, 0x54, 4), 1);	/* pending */
	cfg_wr(1, 0x54, 0, 4);			/* RO */
	CHECK_EQ(cfg_rd(1, 0x54, 4), 1);
	cfg_wr(1, 0x50, 0, 4);			/* unmask: delivered */
	CHECK_EQ(nr_msi, 1);
	CHECK_EQ(msis[0].addr, 0xfee01000);
	CHECK_EQ(msis[0].data, 0x4031);
	CHECK_EQ(cfg_rd(1, 0x54, 4), 0);
	fire(0);
	CHECK_EQ(nr_msi, 2);
	fire(1);				/* one vector only */
	CHECK_EQ(nr_msi, 2);
	/* MSI-X wins when both are enabled */
	msix_entry(0, 0xfee00000, 0x77, 0);
	cfg_wr(1, 0x5a, PCI_MSIX_FLAGS_ENABLE, 2);
	fire(0);
	CHECK_EQ(nr_msi, 3);
	CHECK_EQ(msis[2].data, 0x77);
}

static void test_save_load(void)
{
	static struct pci_testdev_state st;

	setup();
	add_testdevs(2);
	cfg_wr(1, 0x10, 0xd0000000, 4);
	mmio_wr(0xd0000000 + PCI_TESTDEV_REG_SCRATCH, 0xfeedf00d, 4);
	msix_entry(3, 0xfee00000, 0x53, 1);
	cfg_wr(1, 0x5a, PCI_MSIX_FLAGS_ENABLE, 2);
	mmio_wr(0xd0000000 + PCI_TESTDEV_REG_MSI, 3, 4);	/* pending */
	mmio_wr(0xd0000000 + PCI_TESTDEV_REG_INTX, 1, 4);
	pci_testdev_save(&td[0], &st);

	/* a fresh bus and device, then load: same mappings and state */
	setup();
	add_testdevs(2);
	CHECK_EQ(mmio_rd(0xd0000000, 4), 0xdeadbeef);
	pci_testdev_load(&td[0], &st);
	CHECK_EQ(mmio_rd(0xd0000000, 4), PCI_TESTDEV_MAGIC);
	CHECK_EQ(mmio_rd(0xc0000000, 4), 0xdeadbeef);
	CHECK_EQ(mmio_rd(0xd0000000 + PCI_TESTDEV_REG_SCRATCH, 4), 0xfeedf00d);
	CHECK_EQ(pba(), 1 << 3);
	CHECK(!irq_line_level(17));		/* MSI-X on: no INTx */
	CHECK(cfg_rd(1, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT);
	mmio_wr(MSIX_BAR + 16 * 3 + 12, 0, 4);
	CHECK_EQ(nr_msi, 1);
	CHECK_EQ(msis[0].data, 0x53);
	/* a hostile saved MSI-X size cannot overrun the table */
	st.pci.msix.nr = 0xffffffff;
	pci_testdev_load(&td[0], &st);
	CHECK_EQ(td[0].pci.msix.nr, PCI_TESTDEV_VECTORS);
}

int main(void)
{
	bus_init(&pio, "pio", 0xffff);
	bus_init(&mmio, "mmio", ~0ull);
	test_config_semantics();
	test_bar_sizing();
	test_enumeration();
	test_bar_relocation();
	test_placement_errors();
	test_intx();
	test_msix();
	test_msi();
	test_save_load();
	bus_destroy(&pio);
	bus_destroy(&mmio);
	return test_summary("launcher_pci");
}
