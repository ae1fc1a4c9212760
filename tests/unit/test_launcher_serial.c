// SPDX-License-Identifier: GPL-2.0
/* The 16550A register model, and the Ctrl-A escape decoder. */
#include <errno.h>

#include "core/bus.h"
#include "core/term.h"
#include "hw/serial.h"
#include "test.h"

static u8 txbuf[64];
static unsigned int txlen;

static void capture_tx(void *opaque, u8 byte)
{
	(void)opaque;
	if (txlen < sizeof(txbuf))
		txbuf[txlen++] = byte;
}

static struct serial s;

static void fresh(void)
{
	serial_init(&s, SERIAL_COM1_BASE, SERIAL_COM1_IRQ, capture_tx, NULL);
	txlen = 0;
}

static void test_reset_state(void)
{
	fresh();
	CHECK_EQ(serial_read(&s, UART_IER), 0);
	CHECK_EQ(serial_read(&s, UART_IIR), UART_IIR_NO_INT);
	CHECK_EQ(serial_read(&s, UART_LCR), 0);
	CHECK_EQ(serial_read(&s, UART_MCR), 0);
	CHECK_EQ(serial_read(&s, UART_LSR), UART_LSR_THRE | UART_LSR_TEMT);
	CHECK_EQ(serial_read(&s, UART_MSR),
		 UART_MSR_CTS | UART_MSR_DSR | UART_MSR_DCD);
	CHECK(!s.irq_level);
}

static void test_dlab_and_scratch(void)
{
	fresh();
	serial_write(&s, UART_IER, 0x05);
	serial_write(&s, UART_LCR, UART_LCR_DLAB | 0x03);
	serial_write(&s, UART_DLL, 0x01);	/* 115200 baud */
	serial_write(&s, UART_DLM, 0x02);
	CHECK_EQ(serial_read(&s, UART_DLL), 0x01);
	CHECK_EQ(serial_read(&s, UART_DLM), 0x02);
	CHECK_EQ(txlen, 0);			/* DLL write is not data */
	serial_write(&s, UART_LCR, 0x03);	/* 8N1, DLAB off */
	CHECK_EQ(serial_read(&s, UART_IER), 0x05);	/* untouched */
	CHECK_EQ(serial_read(&s, UART_LCR), 0x03);
	serial_write(&s, UART_LCR, UART_LCR_DLAB);
	CHECK_EQ(serial_read(&s, UART_DLL), 0x01);
	serial_write(&s, UART_LCR, 0);

	serial_write(&s, UART_IER, 0xff);	/* only 4 bits exist */
	CHECK_EQ(serial_read(&s, UART_IER), 0x0f);
	serial_write(&s, UART_SCR, 0x5a);
	CHECK_EQ(serial_read(&s, UART_SCR), 0x5a);
	serial_write(&s, UART_MCR, 0xff);
	CHECK_EQ(serial_read(&s, UART_MCR), 0x1f);
}

static void test_transmit(void)
{
	fresh();
	serial_write(&s, UART_TX, 'h');
	serial_write(&s, UART_TX, 'i');
	CHECK_EQ(txlen, 2);
	CHECK(txbuf[0] == 'h' && txbuf[1] == 'i');
	CHECK_EQ(serial_read(&s, UART_LSR) & (UART_LSR_THRE | UART_LSR_TEMT),
		 UART_LSR_THRE | UART_LSR_TEMT);
}

static void test_fifo(void)
{
	u8 in[20];
	unsigned int i;

	fresh();
	for (i = 0; i < sizeof(in); i++)
		in[i] = 'a' + i;

	/* FIFOs off: a single holding register */
	CHECK_EQ(serial_receive(&s, in, sizeof(in)), 1);
	CHECK_EQ(serial_read(&s, UART_IIR) & UART_IIR_FIFO, 0);
	CHECK_EQ(serial_read(&s, UART_LSR) & UART_LSR_DR, UART_LSR_DR);
	CHECK_EQ(serial_read(&s, UART_RX), 'a');
	CHECK_EQ(serial_read(&s, UART_LSR) & UART_LSR_DR, 0);

	/* FIFOs on: 16 bytes, then host input waits (no overrun) */
	serial_write(&s, UART_FCR, UART_FCR_ENABLE);
	CHECK_EQ(serial_read(&s, UART_IIR) & UART_IIR_FIFO, UART_IIR_FIFO);
	CHECK_EQ(serial_receive(&s, in, sizeof(in)), 16);
	CHECK_EQ(serial_read(&s, UART_LSR) & UART_LSR_OE, 0);
	for (i = 0; i < 16; i++)
		CHECK_EQ(serial_read(&s, UART_RX), 'a' + i);
	CHECK_EQ(serial_read(&s, UART_LSR) & UART_LSR_DR, 0);

	/* FCR clear-RX empties the FIFO */
	CHECK_EQ(serial_receive(&s, in, 5), 5);
	serial_write(&s, UART_FCR, UART_FCR_ENABLE | UART_FCR_CLR_RX);
	CHECK_EQ(serial_read(&s, UART_LSR) & UART_LSR_DR, 0);
	/* toggling the enable resets the FIFO too */
	CHECK_EQ(serial_receive(&s, in, 5), 5);
	serial_write(&s, UART_FCR, 0);
	CHECK_EQ(serial_read(&s, UART_LSR) & UART_LSR_DR, 0);
	CHECK_EQ(serial_read(&s, UART_IIR) & UART_IIR_FIFO, 0);
}

static void test_loopback(void)
{
	unsigned int i;

	fresh();
	serial_write(&s, UART_MCR, UART_MCR_LOOP);
	serial_read(&s, UART_MSR);		/* clear deltas of the switch */
	serial_write(&s, UART_TX, 0x42);
	CHECK_EQ(txlen, 0);			/* nothing leaves the chip */
	CHECK_EQ(serial_read(&s, UART_LSR) & UART_LSR_DR, UART_LSR_DR);
	CHECK_EQ(serial_read(&s, UART_RX), 0x42);

	/* modem outputs wired to inputs */
	CHECK_EQ(serial_read(&s, UART_MSR) & 0xf0, 0);
	serial_write(&s, UART_MCR, UART_MCR_LOOP | UART_MCR_RTS);
	CHECK_EQ(serial_read(&s, UART_MSR), UART_MSR_CTS | UART_MSR_DCTS);
	CHECK_EQ(serial_read(&s, UART_MSR), UART_MSR_CTS);	/* delta read-clears */
	serial_write(&s, UART_MCR, UART_MCR_LOOP | UART_MCR_DTR |
		     UART_MCR_OUT1 | UART_MCR_OUT2);
	CHECK_EQ(serial_read(&s, UART_MSR),
		 UART_MSR_DSR | UART_MSR_RI | UART_MSR_DCD |
		 UART_MSR_DCTS | UART_MSR_DDSR | UART_MSR_DDCD);
	/* RI's delta fires on the trailing edge only */
	serial_write(&s, UART_MCR, UART_MCR_LOOP | UART_MCR_DTR |
		     UART_MCR_OUT2);
	CHECK_EQ(serial_read(&s, UART_MSR),
		 UART_MSR_DSR | UART_MSR_DCD | UART_MSR_TERI);

	/* overrun: the 2nd byte with FIFOs off, the 17th with them on */
	serial_write(&s, UART_TX, 1);
	serial_write(&s, UART_TX, 2);
	CHECK_EQ(serial_read(&s, UART_LSR),
		 UART_LSR_DR | UART_LSR_OE | UART_LSR_THRE | UART_LSR_TEMT);
	CHECK_EQ(serial_read(&s, UART_LSR) & UART_LSR_OE, 0);	/* cleared */
	CHECK_EQ(serial_read(&s, UART_RX), 1);
	serial_write(&s, UART_FCR, UART_FCR_ENABLE);
	for (i = 0; i < 17; i++)
		serial_write(&s, UART_TX, i);
	CHECK_EQ(serial_read(&s, UART_LSR) & UART_LSR_OE, UART_LSR_OE);
	for (i = 0; i < 16; i++)
		CHECK_EQ(serial_read(&s, UART_RX), i);
	CHECK_EQ(serial_read(&s, UART_LSR) & UART_LSR_DR, 0);

	serial_write(&s, UART_MCR, 0);
	serial_write(&s, UART_TX, 'z');
	CHECK_EQ(txlen, 1);
}

static void test_interrupt_priorities(void)
{
	u8 byte = 'q';

	fresh();
	/* THRE: raised by enabling THRI while THR is empty, cleared by
	 * reading IIR, raised again by the next transmission. */
	serial_write(&s, UART_IER, UART_IER_THRI);
	CHECK(s.irq_level);
	CHECK_EQ(serial_read(&s, UART_IIR), UART_IIR_THRI);
	CHECK_EQ(serial_read(&s, UART_IIR), UART_IIR_NO_INT);
	CHECK(!s.irq_level);
	serial_write(&s, UART_TX, 'x');
	CHECK_EQ(serial_iir(&s), UART_IIR_THRI);
	CHECK(s.irq_level);

	/* RDA beats THRE */
	serial_write(&s, UART_IER, UART_IER_THRI | UART_IER_RDI |
		     UART_IER_RLSI | UART_IER_MSI);
	serial_receive(&s, &byte, 1);
	CHECK_EQ(serial_iir(&s), UART_IIR_RDI);

	/* receiver line status beats RDA */
	serial_write(&s, UART_MCR, UART_MCR_LOOP);
	serial_write(&s, UART_TX, 'y');		/* overrun, FIFOs off */
	CHECK_EQ(serial_iir(&s), UART_IIR_RLSI);
	serial_read(&s, UART_LSR);
	CHECK_EQ(serial_iir(&s), UART_IIR_RDI);
	serial_read(&s, UART_RX);
	/* THRE pending again from the loopback transmission */
	CHECK_EQ(serial_iir(&s), UART_IIR_THRI);
	serial_read(&s, UART_IIR);
	/* modem status is lowest: entering loopback changed CTS/DSR/DCD */
	CHECK_EQ(serial_iir(&s), UART_IIR_MSI);
	serial_read(&s, UART_MSR);
	CHECK_EQ(serial_iir(&s), UART_IIR_NO_INT);
	CHECK(!s.irq_level);
	serial_write(&s, UART_MCR, 0);
	serial_read(&s, UART_MSR);

	/* disabled sources don't interrupt */
	serial_write(&s, UART_IER, 0);
	serial_receive(&s, &byte, 1);
	CHECK_EQ(serial_iir(&s), UART_IIR_NO_INT);
	serial_read(&s, UART_RX);
}

static void test_rx_trigger_and_timeout(void)
{
	u8 in[16] = { 0 };

	fresh();
	serial_write(&s, UART_IER, UART_IER_RDI);
	/* trigger level 4 (FCR bits 7:6 = 01) */
	serial_write(&s, UART_FCR, UART_FCR_ENABLE | 0x40);
	serial_receive(&s, in, 3);
	/* below the trigger: character timeout */
	CHECK_EQ(serial_iir(&s), UART_IIR_FIFO | UART_IIR_CTI);
	serial_receive(&s, in, 1);
	CHECK_EQ(serial_iir(&s), UART_IIR_FIFO | UART_IIR_RDI);
	serial_write(&s, UART_FCR, UART_FCR_ENABLE | 0xc0 | UART_FCR_CLR_RX);
	serial_receive(&s, in, 13);
	CHECK_EQ(serial_iir(&s), UART_IIR_FIFO | UART_IIR_CTI);
	serial_receive(&s, in, 1);
	CHECK_EQ(serial_iir(&s), UART_IIR_FIFO | UART_IIR_RDI);
	CHECK(s.irq_level);
}

static void test_save_load(void)
{
	struct serial_state st, st2;
	struct serial copy;
	u8 in[3] = { 7, 8, 9 };

	fresh();
	serial_write(&s, UART_FCR, UART_FCR_ENABLE | 0x80);
	serial_write(&s, UART_LCR, UART_LCR_DLAB);
	serial_write(&s, UART_DLL, 0x33);
	serial_write(&s, UART_LCR, 0x1b);
	serial_write(&s, UART_IER, UART_IER_RDI);
	serial_write(&s, UART_SCR, 0x99);
	serial_receive(&s, in, 3);
	serial_read(&s, UART_RX);		/* FIFO head moves to 8 */
	serial_save(&s, &st);
	CHECK_EQ(st.rx_count, 2);
	CHECK_EQ(st.rx_fifo[0], 8);

	serial_init(&copy, SERIAL_COM1_BASE, SERIAL_COM1_IRQ, NULL, NULL);
	serial_load(&copy, &st);
	serial_save(&copy, &st2);
	CHECK(!memcmp(&st, &st2, sizeof(st)));
	CHECK(copy.irq_level);			/* recomputed on load */
	CHECK_EQ(serial_read(&copy, UART_LCR), 0x1b);
	CHECK_EQ(serial_read(&copy, UART_SCR), 0x99);
	CHECK_EQ(serial_read(&copy, UART_RX), 8);
	CHECK_EQ(serial_read(&copy, UART_RX), 9);
}

static void test_bus_access(void)
{
	u8 data[2];

	fresh();
	CHECK_EQ(serial_register(&s), 0);
	CHECK_EQ(serial_register(&s), -EEXIST);
	data[0] = 'A';
	CHECK(bus_access(&pio_bus, 0x3f8, data, 1, true));
	CHECK_EQ(txlen, 1);
	CHECK_EQ(txbuf[0], 'A');
	/* a 16-bit read of LSR/MSR is split into two byte accesses */
	CHECK(bus_access(&pio_bus, 0x3fd, data, 2, false));
	CHECK_EQ(data[0], UART_LSR_THRE | UART_LSR_TEMT);
	CHECK_EQ(data[1], UART_MSR_CTS | UART_MSR_DSR | UART_MSR_DCD);
	/* 0x3ff + 1 runs past the device */
	CHECK(bus_access(&pio_bus, 0x3ff, data, 2, false));
	CHECK_EQ(data[1], 0xff);
}

static void test_escape(void)
{
	struct term_escape esc = { 0 };
	u8 out = 0;

	CHECK_EQ(term_escape_input(&esc, 'a', &out), TERM_SEND);
	CHECK_EQ(out, 'a');
	CHECK_EQ(term_escape_input(&esc, 0x01, &out), TERM_NONE);
	CHECK_EQ(term_escape_input(&esc, 0x01, &out), TERM_SEND);
	CHECK_EQ(out, 0x01);
	CHECK_EQ(term_escape_input(&esc, 0x01, &out), TERM_NONE);
	CHECK_EQ(term_escape_input(&esc, 'h', &out), TERM_HELP);
	CHECK_EQ(term_escape_input(&esc, 0x01, &out), TERM_NONE);
	CHECK_EQ(term_escape_input(&esc, 'q', &out), TERM_NONE);
	CHECK_EQ(term_escape_input(&esc, 'x', &out), TERM_SEND);
	CHECK_EQ(term_escape_input(&esc, 0x01, &out), TERM_NONE);
	CHECK_EQ(term_escape_input(&esc, 'x', &out), TERM_QUIT);
	CHECK_EQ(term_escape_input(&esc, 0x03, &out), TERM_SEND); /* Ctrl-C */
	CHECK_EQ(out, 0x03);
}

int main(void)
{
	test_reset_state();
	test_dlab_and_scratch();
	test_transmit();
	test_fifo();
	test_loopback();
	test_interrupt_priorities();
	test_rx_trigger_and_timeout();
	test_save_load();
	test_bus_access();
	test_escape();
	return test_summary("launcher_serial");
}
