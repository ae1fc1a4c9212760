// SPDX-License-Identifier: GPL-2.0
/*
 * 16550A UART.
 *
 * The transmitter is infinitely fast: a byte written to THR is handed to
 * the backend at once, so THRE and TEMT always read as set and the TX FIFO
 * is always empty. The receiver has a real 16-byte FIFO (1 byte with FIFOs
 * disabled). There is no notion of time, so the character-timeout
 * condition counts as reached as soon as data sits below the trigger level.
 *
 * Like QEMU, the interrupt line is not gated by MCR.OUT2.
 */
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "core/bus.h"
#include "core/irq.h"
#include "hw/serial.h"

static const u8 rx_trigger_levels[4] = { 1, 4, 8, 14 };

static bool fifo_enabled(const struct serial *s)
{
	return s->fcr & UART_FCR_ENABLE;
}

static unsigned int rx_capacity(const struct serial *s)
{
	return fifo_enabled(s) ? SERIAL_FIFO_SIZE : 1;
}

static unsigned int rx_trigger(const struct serial *s)
{
	return rx_trigger_levels[(s->fcr & UART_FCR_TRIGGER) >> 6];
}

/* Modem status inputs: in loopback they are wired to the MCR outputs,
 * otherwise the (imaginary) other end asserts CTS, DSR and DCD. */
static u8 msr_inputs(u8 mcr)
{
	u8 msr = 0;

	if (!(mcr & UART_MCR_LOOP))
		return UART_MSR_CTS | UART_MSR_DSR | UART_MSR_DCD;
	if (mcr & UART_MCR_RTS)
		msr |= UART_MSR_CTS;
	if (mcr & UART_MCR_DTR)
		msr |= UART_MSR_DSR;
	if (mcr & UART_MCR_OUT1)
		msr |= UART_MSR_RI;
	if (mcr & UART_MCR_OUT2)
		msr |= UART_MSR_DCD;
	return msr;
}

/* Interrupt identification, highest priority first. */
static u8 compute_iir(const struct serial *s)
{
	if ((s->ier & UART_IER_RLSI) && (s->lsr_errors & UART_LSR_ERRORS))
		return UART_IIR_RLSI;
	if ((s->ier & UART_IER_RDI) && s->rx_count) {
		if (!fifo_enabled(s) || s->rx_count >= rx_trigger(s))
			return UART_IIR_RDI;
		return UART_IIR_CTI;
	}
	if ((s->ier & UART_IER_THRI) && s->thr_ipending)
		return UART_IIR_THRI;
	if ((s->ier & UART_IER_MSI) && (s->msr & UART_MSR_DELTAS))
		return UART_IIR_MSI;
	return UART_IIR_NO_INT;
}

static void update_irq(struct serial *s)
{
	bool level = compute_iir(s) != UART_IIR_NO_INT;

	if (level == s->irq_level)
		return;
	s->irq_level = level;
	if (level)
		irq_raise(s->irq);
	else
		irq_lower(s->irq);
}

static void rx_clear(struct serial *s)
{
	s->rx_head = 0;
	s->rx_count = 0;
	pthread_cond_broadcast(&s->rx_space);
}

/* Returns false (and flags an overrun) if the FIFO is full. */
static bool rx_push(struct serial *s, u8 byte)
{
	if (s->rx_count >= rx_capacity(s)) {
		s->lsr_errors |= UART_LSR_OE;
		return false;
	}
	s->rx_fifo[(s->rx_head + s->rx_count) % SERIAL_FIFO_SIZE] = byte;
	s->rx_count++;
	return true;
}

static u8 rx_pop(struct serial *s)
{
	u8 byte;

	if (!s->rx_count)
		return 0;
	byte = s->rx_fifo[s->rx_head];
	s->rx_head = (s->rx_head + 1) % SERIAL_FIFO_SIZE;
	s->rx_count--;
	pthread_cond_broadcast(&s->rx_space);
	return byte;
}

static void set_mcr(struct serial *s, u8 mcr)
{
	u8 old = msr_inputs(s->mcr), new = msr_inputs(mcr & 0x1f);
	u8 delta = 0;

	s->mcr = mcr & 0x1f;
	if ((old ^ new) & UART_MSR_CTS)
		delta |= UART_MSR_DCTS;
	if ((old ^ new) & UART_MSR_DSR)
		delta |= UART_MSR_DDSR;
	if ((old & UART_MSR_RI) && !(new & UART_MSR_RI))
		delta |= UART_MSR_TERI;	/* trailing edge only */
	if ((old ^ new) & UART_MSR_DCD)
		delta |= UART_MSR_DDCD;
	s->msr = new | (s->msr & UART_MSR_DELTAS) | delta;
}

static void set_fcr(struct serial *s, u8 fcr)
{
	/* Toggling the FIFO enable resets both FIFOs. */
	if ((fcr ^ s->fcr) & UART_FCR_ENABLE)
		rx_clear(s);
	if (fcr & UART_FCR_CLR_RX)
		rx_clear(s);
	/* UART_FCR_CLR_TX: the TX FIFO is always empty. */
	if (fcr & UART_FCR_ENABLE)
		s->fcr = fcr & (UART_FCR_ENABLE | UART_FCR_DMA | UART_FCR_TRIGGER);
	else
		s->fcr = 0;	/* other bits are only written with FIFOs on */
}

static void transmit(struct serial *s, u8 byte)
{
	if (s->mcr & UART_MCR_LOOP)
		rx_push(s, byte);
	else if (s->tx)
		s->tx(s->tx_opaque, byte);
	/* Sent at once: THR is empty again. */
	s->thr_ipending = true;
}

static void reset_locked(struct serial *s)
{
	s->dll = 0x0c;		/* 9600 baud, like QEMU */
	s->dlm = 0;
	s->ier = 0;
	s->fcr = 0;
	s->lcr = 0;
	s->mcr = 0;
	s->scr = 0;
	s->lsr_errors = 0;
	s->msr = msr_inputs(0);
	s->thr_ipending = false;
	rx_clear(s);
	update_irq(s);
}

void serial_init(struct serial *s, u16 base, unsigned int irq,
		 serial_tx_fn tx, void *tx_opaque)
{
	memset(s, 0, sizeof(*s));
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->rx_space, NULL);
	s->base = base;
	s->irq = irq;
	s->tx = tx;
	s->tx_opaque = tx_opaque;
	reset_locked(s);
}

u8 serial_read(struct serial *s, unsigned int offset)
{
	bool dlab;
	u8 val = 0xff;

	pthread_mutex_lock(&s->lock);
	dlab = s->lcr & UART_LCR_DLAB;
	switch (offset) {
	case UART_RX:
		val = dlab ? s->dll : rx_pop(s);
		break;
	case UART_IER:
		val = dlab ? s->dlm : s->ier;
		break;
	case UART_IIR:
		val = compute_iir(s);
		/* Reading IIR acknowledges a THR-empty interrupt. */
		if (val == UART_IIR_THRI)
			s->thr_ipending = false;
		if (fifo_enabled(s))
			val |= UART_IIR_FIFO;
		break;
	case UART_LCR:
		val = s->lcr;
		break;
	case UART_MCR:
		val = s->mcr;
		break;
	case UART_LSR:
		val = s->lsr_errors | UART_LSR_THRE | UART_LSR_TEMT;
		if (s->rx_count)
			val |= UART_LSR_DR;
		s->lsr_errors = 0;	/* error bits clear on read */
		break;
	case UART_MSR:
		val = s->msr;
		s->msr &= ~UART_MSR_DELTAS;
		break;
	case UART_SCR:
		val = s->scr;
		break;
	}
	update_irq(s);
	pthread_mutex_unlock(&s->lock);
	return val;
}

void serial_write(struct serial *s, unsigned int offset, u8 value)
{
	bool dlab;

	pthread_mutex_lock(&s->lock);
	dlab = s->lcr & UART_LCR_DLAB;
	switch (offset) {
	case UART_TX:
		if (dlab)
			s->dll = value;
		else
			transmit(s, value);
		break;
	case UART_IER:
		if (dlab) {
			s->dlm = value;
			break;
		}
		/* Enabling THRI while THR is empty raises it at once. */
		if ((value & ~s->ier & UART_IER_THRI))
			s->thr_ipending = true;
		else if (!(value & UART_IER_THRI))
			s->thr_ipending = false;
		s->ier = value & 0x0f;
		break;
	case UART_FCR:
		set_fcr(s, value);
		break;
	case UART_LCR:
		s->lcr = value;
		break;
	case UART_MCR:
		set_mcr(s, value);
		break;
	case UART_LSR:
	case UART_MSR:
		break;		/* factory test / read-only */
	case UART_SCR:
		s->scr = value;
		break;
	}
	update_irq(s);
	pthread_mutex_unlock(&s->lock);
}

u8 serial_iir(struct serial *s)
{
	u8 iir;

	pthread_mutex_lock(&s->lock);
	iir = compute_iir(s) | (fifo_enabled(s) ? UART_IIR_FIFO : 0);
	pthread_mutex_unlock(&s->lock);
	return iir;
}

size_t serial_receive(struct serial *s, const u8 *buf, size_t len)
{
	size_t n = 0;

	pthread_mutex_lock(&s->lock);
	/* Host input is never lost: stop at a full FIFO instead of
	 * overrunning. */
	while (n < len && s->rx_count < rx_capacity(s))
		rx_push(s, buf[n++]);
	update_irq(s);
	pthread_mutex_unlock(&s->lock);
	return n;
}

void serial_receive_wait(struct serial *s, u8 byte)
{
	pthread_mutex_lock(&s->lock);
	while (s->rx_count >= rx_capacity(s))
		pthread_cond_wait(&s->rx_space, &s->lock);
	rx_push(s, byte);
	update_irq(s);
	pthread_mutex_unlock(&s->lock);
}

void serial_save(struct serial *s, struct serial_state *st)
{
	unsigned int i;

	memset(st, 0, sizeof(*st));
	pthread_mutex_lock(&s->lock);
	st->dll = s->dll;
	st->dlm = s->dlm;
	st->ier = s->ier;
	st->fcr = s->fcr;
	st->lcr = s->lcr;
	st->mcr = s->mcr;
	st->scr = s->scr;
	st->lsr_errors = s->lsr_errors;
	st->msr = s->msr;
	st->thr_ipending = s->thr_ipending;
	st->rx_count = s->rx_count;
	for (i = 0; i < s->rx_count; i++)
		st->rx_fifo[i] = s->rx_fifo[(s->rx_head + i) % SERIAL_FIFO_SIZE];
	pthread_mutex_unlock(&s->lock);
}

void serial_load(struct serial *s, const struct serial_state *st)
{
	unsigned int i;

	pthread_mutex_lock(&s->lock);
	s->dll = st->dll;
	s->dlm = st->dlm;
	s->ier = st->ier & 0x0f;
	s->fcr = st->fcr;
	s->lcr = st->lcr;
	s->mcr = st->mcr & 0x1f;
	s->scr = st->scr;
	s->lsr_errors = st->lsr_errors & UART_LSR_ERRORS;
	s->msr = st->msr;
	s->thr_ipending = st->thr_ipending;
	rx_clear(s);
	for (i = 0; i < st->rx_count && i < rx_capacity(s); i++)
		rx_push(s, st->rx_fifo[i]);
	update_irq(s);
	pthread_mutex_unlock(&s->lock);
}

/* The UART is an 8-bit ISA device: wider accesses become byte accesses
 * to consecutive registers. */
static void serial_io_read(void *opaque, u64 offset, void *data, u32 len)
{
	u8 *bytes = data;
	u32 i;

	for (i = 0; i < len; i++)
		bytes[i] = offset + i < SERIAL_NR_PORTS ?
			   serial_read(opaque, offset + i) : 0xff;
}

static void serial_io_write(void *opaque, u64 offset, const void *data,
			    u32 len)
{
	const u8 *bytes = data;
	u32 i;

	for (i = 0; i < len && offset + i < SERIAL_NR_PORTS; i++)
		serial_write(opaque, offset + i, bytes[i]);
}

static const struct io_ops serial_io_ops = {
	.read = serial_io_read,
	.write = serial_io_write,
};

int serial_register(struct serial *s)
{
	return register_pio(s->base, SERIAL_NR_PORTS, &serial_io_ops, s);
}

void serial_tx_fd(void *opaque, u8 byte)
{
	/* Errors (e.g. a closed pipe) just drop output, like a real line. */
	write_all((int)(intptr_t)opaque, &byte, 1);
}
