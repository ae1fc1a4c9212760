// SPDX-License-Identifier: GPL-2.0
/*
 * The irq interface without a VM: levels are recorded, interrupts dropped
 * and two 16550 instances, COM1 and COM2, sharing the one implementation
 * with their own ports and IRQ lines.
 */
#include <errno.h>

#include "core/bus.h"
#include "core/irq.h"
#include "hw/serial.h"
#include "test.h"

static u8 out1[16], out2[16];
static unsigned int n1, n2;

static void tx1(void *opaque, u8 b)
{
	(void)opaque;
	if (n1 < sizeof(out1))
		out1[n1++] = b;
}

static void tx2(void *opaque, u8 b)
{
	(void)opaque;
	if (n2 < sizeof(out2))
		out2[n2++] = b;
}

static void pio(u16 port, u8 *v, bool write)
{
	CHECK(bus_access(&pio_bus, port, v, 1, write));
}

static void test_irq_no_chip(void)
{
	irq_reset_observers();
	CHECK(irq_chip_create(-1) < 0);	/* no VM fd: no irqchip */
	CHECK(!irq_chip_present());
	CHECK_EQ(irq_msi(0xfee00000, 0x4021), -ENOSYS);
	irq_line(5, true);
	irq_line(5, true);		/* a level, not an event */
	CHECK(irq_line_level(5));
	CHECK_EQ(irq_line_edges(5), 1);
	irq_lower(5);
	irq_raise(5);
	CHECK_EQ(irq_line_edges(5), 2);
	irq_line(IRQ_NR_GSI, true);	/* out of range: ignored */
	CHECK(!irq_line_level(IRQ_NR_GSI));
	CHECK_EQ(irq_line_edges(IRQ_NR_GSI), 0);
	irq_reset_observers();
	CHECK(!irq_line_level(5));
}

static void test_two_uarts(void)
{
	static struct serial com1, com2;
	u8 v;

	irq_reset_observers();
	serial_init(&com1, SERIAL_COM1_BASE, SERIAL_COM1_IRQ, tx1, NULL);
	serial_init(&com2, SERIAL_COM2_BASE, SERIAL_COM2_IRQ, tx2, NULL);
	CHECK_EQ(serial_register(&com1), 0);
	CHECK_EQ(serial_register(&com2), 0);
	CHECK_EQ(serial_register(&com2), -EEXIST);

	v = 'a';
	pio(0x3f8, &v, true);
	v = 'b';
	pio(0x2f8, &v, true);
	CHECK_EQ(n1, 1);
	CHECK_EQ(n2, 1);
	CHECK_EQ(out1[0], 'a');
	CHECK_EQ(out2[0], 'b');

	/* scratch registers are per instance */
	v = 0x11;
	pio(0x3ff, &v, true);
	v = 0x22;
	pio(0x2ff, &v, true);
	pio(0x3ff, &v, false);
	CHECK_EQ(v, 0x11);
	pio(0x2ff, &v, false);
	CHECK_EQ(v, 0x22);

	/* THRE interrupt: COM2 raises IRQ 3, COM1 stays quiet on IRQ 4 */
	v = UART_IER_THRI;
	pio(0x2f9, &v, true);
	CHECK(irq_line_level(SERIAL_COM2_IRQ));
	CHECK(!irq_line_level(SERIAL_COM1_IRQ));
	pio(0x2fa, &v, false);			/* IIR read acknowledges */
	CHECK_EQ(v, UART_IIR_THRI);
	CHECK(!irq_line_level(SERIAL_COM2_IRQ));
	/* received data on COM1 raises IRQ 4 */
	v = UART_IER_RDI;
	pio(0x3f9, &v, true);
	CHECK_EQ(serial_receive(&com1, (const u8 *)"x", 1), 1);
	CHECK(irq_line_level(SERIAL_COM1_IRQ));
	CHECK(!irq_line_level(SERIAL_COM2_IRQ));
	pio(0x3f8, &v, false);
	CHECK_EQ(v, 'x');
	CHECK(!irq_line_level(SERIAL_COM1_IRQ));
	CHECK_EQ(irq_line_edges(SERIAL_COM1_IRQ), 1);
	CHECK_EQ(irq_line_edges(SERIAL_COM2_IRQ), 1);
}

int main(void)
{
	test_irq_no_chip();
	test_two_uarts();
	return test_summary("launcher_irq");
}
