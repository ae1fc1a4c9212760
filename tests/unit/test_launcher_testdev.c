// SPDX-License-Identifier: GPL-2.0
/* The test device, as specified in Documentation/testdev.rst, driven
 * through the buses like a guest would. */
#include "core/bus.h"
#include "core/irq.h"
#include "hw/testdev.h"
#include "test.h"

static struct testdev td;

static u64 pio_in(u16 port, u32 len)
{
	u8 data[4];

	bus_access(&pio_bus, port, data, len, false);
	return load_le(data, len);
}

static void pio_out(u16 port, u64 val, u32 len)
{
	u8 data[4];

	store_le(data, val, len);
	bus_access(&pio_bus, port, data, len, true);
}

static u64 mmio_read(u64 addr, u32 len)
{
	u8 data[8];

	bus_access(&mmio_bus, addr, data, len, false);
	return load_le(data, len);
}

static void mmio_write(u64 addr, u64 val, u32 len)
{
	u8 data[8];

	store_le(data, val, len);
	bus_access(&mmio_bus, addr, data, len, true);
}

static void test_scratch_port(void)
{
	CHECK_EQ(pio_in(0xe0, 4), 0);
	pio_out(0xe0, 0xdeadbeef, 4);
	CHECK_EQ(pio_in(0xe0, 4), 0xdeadbeef);
	CHECK_EQ(pio_in(0xe0, 1), 0xef);
	CHECK_EQ(pio_in(0xe2, 2), 0xdead);
	CHECK_EQ(pio_in(0xe3, 1), 0xde);
	pio_out(0xe1, 0x55, 1);			/* one byte at offset 1 */
	CHECK_EQ(pio_in(0xe0, 4), 0xdead55ef);
	pio_out(0xe2, 0x1234, 2);
	CHECK_EQ(pio_in(0xe0, 4), 0x123455ef);
}

static void test_sink_and_source(void)
{
	u32 k;

	pio_out(0xe8, 0, 1);			/* reset */
	CHECK_EQ(pio_in(0xe8, 4), 0);
	CHECK_EQ(pio_in(0xec, 4), 0);

	pio_out(0xe4, 0x10, 1);
	pio_out(0xe4, 0x0302, 2);
	pio_out(0xe4, 0xff000004, 4);
	CHECK_EQ(pio_in(0xe8, 4), 7);
	CHECK_EQ(pio_in(0xec, 4), 0x10 + 2 + 3 + 4 + 0xff);

	/* source: byte k is (k * 7 + 3) & 0xff, little endian */
	CHECK_EQ(pio_in(0xe4, 1), 3);
	CHECK_EQ(pio_in(0xe4, 2), (17 << 8) | 10);
	CHECK_EQ(pio_in(0xe4, 4), (45u << 24) | (38 << 16) | (31 << 8) | 24);
	for (k = 7; k < 300; k++)
		if (pio_in(0xe4, 1) != ((k * 7 + 3) & 0xff))
			break;
	CHECK_EQ(k, 300);

	/* any write to 0xe8 resets count, sum and k */
	pio_out(0xe8, 0x1234, 2);
	CHECK_EQ(pio_in(0xe8, 4), 0);
	CHECK_EQ(pio_in(0xec, 4), 0);
	CHECK_EQ(pio_in(0xe4, 1), 3);

	/* the sum wraps at 32 bits */
	td.st.sink_sum = 0xfffffffe;
	pio_out(0xe4, 0x03, 1);
	CHECK_EQ(pio_in(0xec, 4), 1);
}

static void test_undefined_ports(void)
{
	CHECK_EQ(pio_in(0xe5, 1), 0xff);
	CHECK_EQ(pio_in(0xe7, 1), 0xff);
	pio_out(0xed, 0x55, 1);			/* ignored */
	CHECK_EQ(pio_in(0xdf, 1), 0xff);	/* outside the device */
	CHECK_EQ(pio_in(0xf0, 1), 0xff);
}

/* 0xe6 drives a GSI: bits 6:0 the GSI, bit 7 the level. */
static void test_irq_line(void)
{
	u64 count = pio_in(0xe8, 4);

	irq_reset_observers();
	pio_out(0xe6, 0x80 | 16, 1);
	CHECK(irq_line_level(16));
	CHECK_EQ(irq_line_edges(16), 1);
	pio_out(0xe6, 0x80 | 16, 1);		/* still high: no new edge */
	CHECK_EQ(irq_line_edges(16), 1);
	pio_out(0xe6, 16, 1);
	CHECK(!irq_line_level(16));
	pio_out(0xe6, 0x80 | 16, 1);
	CHECK_EQ(irq_line_edges(16), 2);
	pio_out(0xe6, 16, 1);

	/* ISA GSIs too; a wider write uses its low byte */
	pio_out(0xe6, 0xff00 | 0x80 | 4, 2);
	CHECK(irq_line_level(4));
	CHECK(!irq_line_level(16));
	pio_out(0xe6, 0x12345600 | 4, 4);
	CHECK(!irq_line_level(4));

	/* beyond the last GSI: ignored */
	pio_out(0xe6, 0x80 | 24, 1);
	pio_out(0xe6, 0xff, 1);
	CHECK(!irq_line_level(23));
	CHECK_EQ(irq_line_edges(23), 0);

	/* write-only, and not the data port */
	CHECK_EQ(pio_in(0xe6, 1), 0xff);
	CHECK_EQ(pio_in(0xe8, 4), count);
}

static void test_mmio(void)
{
	u64 before = mmio_read(TESTDEV_MMIO_COUNTER, 8);

	CHECK_EQ(before, 0);
	CHECK_EQ(mmio_read(TESTDEV_MMIO_SCRATCH, 8), 0);
	mmio_write(TESTDEV_MMIO_SCRATCH + 8, 0x0123456789abcdefull, 8);
	CHECK_EQ(mmio_read(TESTDEV_MMIO_SCRATCH + 8, 8), 0x0123456789abcdefull);
	CHECK_EQ(mmio_read(TESTDEV_MMIO_SCRATCH + 8, 4), 0x89abcdef);
	CHECK_EQ(mmio_read(TESTDEV_MMIO_SCRATCH + 12, 2), 0x4567);
	CHECK_EQ(mmio_read(TESTDEV_MMIO_SCRATCH + 15, 1), 0x01);
	mmio_write(TESTDEV_MMIO_SCRATCH + 0xffc, 0xcafef00d, 4);
	CHECK_EQ(mmio_read(TESTDEV_MMIO_SCRATCH + 0xffc, 4), 0xcafef00d);
	mmio_write(TESTDEV_MMIO_SCRATCH + 0x10, 0xab, 1);
	CHECK_EQ(mmio_read(TESTDEV_MMIO_SCRATCH + 0x10, 2), 0x00ab);

	/* 3 writes + 7 reads of the scratch page; the counter itself isn't
	 * counted */
	CHECK_EQ(mmio_read(TESTDEV_MMIO_COUNTER, 8), 10);
	CHECK_EQ(mmio_read(TESTDEV_MMIO_COUNTER, 4), 10);
	CHECK_EQ(mmio_read(TESTDEV_MMIO_COUNTER, 1), 10);
	mmio_write(TESTDEV_MMIO_COUNTER, 0, 8);	/* ignored */
	CHECK_EQ(mmio_read(TESTDEV_MMIO_COUNTER, 8), 10);
	/* right after the counter: unclaimed */
	CHECK_EQ(mmio_read(TESTDEV_MMIO_COUNTER + 8, 4), 0xffffffff);
	CHECK_EQ(mmio_read(TESTDEV_MMIO_SCRATCH - 4, 4), 0xffffffff);
}

static void test_save_load(void)
{
	struct testdev_state st;
	struct testdev copy;

	testdev_save(&td, &st);
	testdev_init(&copy);
	testdev_load(&copy, &st);
	CHECK(!memcmp(&copy.st, &td.st, sizeof(st)));
}

int main(void)
{
	testdev_init(&td);
	CHECK_EQ(testdev_register(&td), 0);
	CHECK_EQ(testdev_source_byte(0), 3);
	CHECK_EQ(testdev_source_byte(36), (36 * 7 + 3) & 0xff);
	test_scratch_port();
	test_sink_and_source();
	test_undefined_ports();
	test_irq_line();
	test_mmio();
	test_save_load();
	return test_summary("launcher_testdev");
}
