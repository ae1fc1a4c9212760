// SPDX-License-Identifier: GPL-2.0
/*
 * Test device. Port offsets are relative to 0xe0; accesses at offsets the
 * specification doesn't define read as all-ones and ignore writes. Bytes
 * of an access that run past a register are dropped (writes) or read as
 * 0xff, so behaviour is defined for every width and alignment.
 */
#include <string.h>

#include "core/bus.h"
#include "core/irq.h"
#include "hw/testdev.h"

#define OFF_SCRATCH	(TESTDEV_PORT_SCRATCH - TESTDEV_PIO_BASE)
#define OFF_DATA	(TESTDEV_PORT_DATA - TESTDEV_PIO_BASE)
#define OFF_IRQ		(TESTDEV_PORT_IRQ - TESTDEV_PIO_BASE)
#define OFF_COUNT	(TESTDEV_PORT_COUNT - TESTDEV_PIO_BASE)
#define OFF_SUM		(TESTDEV_PORT_SUM - TESTDEV_PIO_BASE)

void testdev_init(struct testdev *td)
{
	memset(td, 0, sizeof(*td));
	pthread_mutex_init(&td->lock, NULL);
}

u8 testdev_source_byte(u32 k)
{
	return (u8)(k * 7 + 3);
}

/* Read bytes of a little-endian register of reg_len bytes. */
static void read_reg(void *data, u32 len, u64 value, u64 offset,
		     u32 reg_len)
{
	u8 *bytes = data;
	u32 i;

	for (i = 0; i < len; i++) {
		u64 byte = offset + i;

		bytes[i] = byte < reg_len ? (u8)(value >> (8 * byte)) : 0xff;
	}
}

void testdev_pio_read(void *opaque, u64 offset, void *data, u32 len)
{
	struct testdev *td = opaque;
	struct testdev_state *st = &td->st;
	u8 *bytes = data;
	u32 i;

	pthread_mutex_lock(&td->lock);
	if (offset < OFF_SCRATCH + sizeof(st->scratch)) {
		for (i = 0; i < len; i++)
			bytes[i] = offset + i < sizeof(st->scratch) ?
				   st->scratch[offset + i] : 0xff;
	} else if (offset == OFF_DATA) {
		for (i = 0; i < len; i++)
			bytes[i] = testdev_source_byte(st->source_pos++);
	} else if (offset >= OFF_COUNT && offset < OFF_COUNT + 4) {
		read_reg(data, len, st->sink_count, offset - OFF_COUNT, 4);
	} else if (offset >= OFF_SUM && offset < OFF_SUM + 4) {
		read_reg(data, len, st->sink_sum, offset - OFF_SUM, 4);
	} else {
		memset(data, 0xff, len);
	}
	pthread_mutex_unlock(&td->lock);
}

void testdev_pio_write(void *opaque, u64 offset, const void *data, u32 len)
{
	struct testdev *td = opaque;
	struct testdev_state *st = &td->st;
	const u8 *bytes = data;
	u32 i;

	/* Interrupt line: no device state, so no lock; the low byte of a
	 * wider write counts. irq_line() ignores GSIs it doesn't have. */
	if (offset == OFF_IRQ) {
		irq_line(bytes[0] & TESTDEV_IRQ_GSI,
			 bytes[0] & TESTDEV_IRQ_LEVEL);
		return;
	}
	pthread_mutex_lock(&td->lock);
	if (offset < OFF_SCRATCH + sizeof(st->scratch)) {
		for (i = 0; i < len && offset + i < sizeof(st->scratch); i++)
			st->scratch[offset + i] = bytes[i];
	} else if (offset == OFF_DATA) {
		for (i = 0; i < len; i++) {
			st->sink_count++;
			st->sink_sum += bytes[i];
		}
	} else if (offset == OFF_COUNT) {
		st->sink_count = 0;
		st->sink_sum = 0;
		st->source_pos = 0;
	}
	pthread_mutex_unlock(&td->lock);
}

void testdev_scratch_read(void *opaque, u64 offset, void *data, u32 len)
{
	struct testdev *td = opaque;
	u8 *bytes = data;
	u32 i;

	pthread_mutex_lock(&td->lock);
	td->st.mmio_accesses++;
	for (i = 0; i < len; i++)
		bytes[i] = offset + i < TESTDEV_MMIO_SCRATCH_LEN ?
			   td->st.mmio_scratch[offset + i] : 0xff;
	pthread_mutex_unlock(&td->lock);
}

void testdev_scratch_write(void *opaque, u64 offset, const void *data,
			   u32 len)
{
	struct testdev *td = opaque;
	const u8 *bytes = data;
	u32 i;

	pthread_mutex_lock(&td->lock);
	td->st.mmio_accesses++;
	for (i = 0; i < len && offset + i < TESTDEV_MMIO_SCRATCH_LEN; i++)
		td->st.mmio_scratch[offset + i] = bytes[i];
	pthread_mutex_unlock(&td->lock);
}

void testdev_counter_read(void *opaque, u64 offset, void *data, u32 len)
{
	struct testdev *td = opaque;

	pthread_mutex_lock(&td->lock);
	read_reg(data, len, td->st.mmio_accesses, offset,
		 TESTDEV_MMIO_COUNTER_LEN);
	pthread_mutex_unlock(&td->lock);
}

static const struct io_ops testdev_pio_ops = {
	.read = testdev_pio_read,
	.write = testdev_pio_write,
};

static const struct io_ops testdev_scratch_ops = {
	.read = testdev_scratch_read,
	.write = testdev_scratch_write,
};

/* Writes to the counter are ignored (no .write). */
static const struct io_ops testdev_counter_ops = {
	.read = testdev_counter_read,
};

int testdev_register(struct testdev *td)
{
	int ret;

	ret = register_pio(TESTDEV_PIO_BASE, TESTDEV_PIO_LEN,
			   &testdev_pio_ops, td);
	if (!ret)
		ret = register_mmio(TESTDEV_MMIO_SCRATCH,
				    TESTDEV_MMIO_SCRATCH_LEN,
				    &testdev_scratch_ops, td);
	if (!ret)
		ret = register_mmio(TESTDEV_MMIO_COUNTER,
				    TESTDEV_MMIO_COUNTER_LEN,
				    &testdev_counter_ops, td);
	return ret;
}

void testdev_save(struct testdev *td, struct testdev_state *st)
{
	pthread_mutex_lock(&td->lock);
	*st = td->st;
	pthread_mutex_unlock(&td->lock);
}

void testdev_load(struct testdev *td, const struct testdev_state *st)
{
	pthread_mutex_lock(&td->lock);
	td->st = *st;
	pthread_mutex_unlock(&td->lock);
}
