/* SPDX-License-Identifier: GPL-2.0 */
/*
 * 16550A UART. The register model is pure (testable on the host); where
 * transmitted bytes go is a callback, and received bytes are pushed in with
 * serial_receive().
 */
#ifndef NYX_SERIAL_H
#define NYX_SERIAL_H

#include <pthread.h>

#include "core/util.h"

#define SERIAL_COM1_BASE	0x3f8
#define SERIAL_COM1_IRQ		4
#define SERIAL_COM2_BASE	0x2f8
#define SERIAL_COM2_IRQ		3
#define SERIAL_NR_PORTS		8
#define SERIAL_FIFO_SIZE	16

/* Register offsets (DLAB = LCR bit 7 switches 0/1 to the divisor). */
#define UART_RX		0	/* in: receive buffer */
#define UART_TX		0	/* out: transmit holding */
#define UART_DLL	0	/* DLAB: divisor latch low */
#define UART_IER	1
#define UART_DLM	1	/* DLAB: divisor latch high */
#define UART_IIR	2	/* in */
#define UART_FCR	2	/* out */
#define UART_LCR	3
#define UART_MCR	4
#define UART_LSR	5
#define UART_MSR	6
#define UART_SCR	7

#define UART_IER_RDI	0x01	/* received data available */
#define UART_IER_THRI	0x02	/* transmit holding register empty */
#define UART_IER_RLSI	0x04	/* receiver line status */
#define UART_IER_MSI	0x08	/* modem status */

#define UART_IIR_NO_INT	0x01
#define UART_IIR_MSI	0x00
#define UART_IIR_THRI	0x02
#define UART_IIR_RDI	0x04
#define UART_IIR_RLSI	0x06
#define UART_IIR_CTI	0x0c	/* character timeout */
#define UART_IIR_FIFO	0xc0	/* FIFOs enabled */

#define UART_FCR_ENABLE	0x01
#define UART_FCR_CLR_RX	0x02
#define UART_FCR_CLR_TX	0x04
#define UART_FCR_DMA	0x08
#define UART_FCR_TRIGGER 0xc0

#define UART_LCR_DLAB	0x80

#define UART_MCR_DTR	0x01
#define UART_MCR_RTS	0x02
#define UART_MCR_OUT1	0x04
#define UART_MCR_OUT2	0x08
#define UART_MCR_LOOP	0x10

#define UART_LSR_DR	0x01	/* data ready */
#define UART_LSR_OE	0x02	/* overrun */
#define UART_LSR_PE	0x04
#define UART_LSR_FE	0x08
#define UART_LSR_BI	0x10
#define UART_LSR_THRE	0x20	/* transmit holding register empty */
#define UART_LSR_TEMT	0x40	/* transmitter empty */
#define UART_LSR_ERRORS	(UART_LSR_OE | UART_LSR_PE | UART_LSR_FE | UART_LSR_BI)

#define UART_MSR_DCTS	0x01
#define UART_MSR_DDSR	0x02
#define UART_MSR_TERI	0x04
#define UART_MSR_DDCD	0x08
#define UART_MSR_DELTAS	0x0f
#define UART_MSR_CTS	0x10
#define UART_MSR_DSR	0x20
#define UART_MSR_RI	0x40
#define UART_MSR_DCD	0x80

/* Everything a snapshot needs, in plain form. */
struct serial_state {
	u8 dll, dlm;
	u8 ier, fcr, lcr, mcr, scr;
	u8 lsr_errors;		/* OE/PE/FE/BI latched until LSR is read */
	u8 msr;
	u8 thr_ipending;
	u8 rx_count;
	u8 rx_fifo[SERIAL_FIFO_SIZE];	/* oldest first */
};

typedef void (*serial_tx_fn)(void *opaque, u8 byte);

struct serial {
	pthread_mutex_t lock;
	pthread_cond_t rx_space;	/* signalled when the guest reads */
	u16 base;
	unsigned int irq;
	bool irq_level;

	u8 dll, dlm;
	u8 ier, fcr, lcr, mcr, scr;
	u8 lsr_errors;
	u8 msr;
	bool thr_ipending;	/* THR-empty interrupt not yet acknowledged */

	u8 rx_fifo[SERIAL_FIFO_SIZE];
	unsigned int rx_head, rx_count;

	serial_tx_fn tx;	/* NULL: output is dropped */
	void *tx_opaque;
};

/* Power-on state; bytes the guest sends go to tx(tx_opaque, byte). */
void serial_init(struct serial *s, u16 base, unsigned int irq,
		 serial_tx_fn tx, void *tx_opaque);

/* Claim the 8 ports on the PIO bus. */
int serial_register(struct serial *s);

/* One 8-bit register access (offset 0..7); what the bus handlers use. */
u8 serial_read(struct serial *s, unsigned int offset);
void serial_write(struct serial *s, unsigned int offset, u8 value);

/* Current IIR value (without the side effect of reading it). */
u8 serial_iir(struct serial *s);

/* Push host input into the RX FIFO; returns how many bytes fit. */
size_t serial_receive(struct serial *s, const u8 *buf, size_t len);
/* Same for one byte, waiting for the guest to make room. */
void serial_receive_wait(struct serial *s, u8 byte);

void serial_save(struct serial *s, struct serial_state *st);
void serial_load(struct serial *s, const struct serial_state *st);

/* A serial_tx_fn writing to the file descriptor (int)(intptr_t)opaque. */
void serial_tx_fd(void *opaque, u8 byte);

#endif
