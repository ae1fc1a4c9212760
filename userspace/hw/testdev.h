/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest test device (--device testdev), see Documentation/testdev.rst.
 */
#ifndef NYX_TESTDEV_H
#define NYX_TESTDEV_H

#include <pthread.h>

#include "core/util.h"

#define TESTDEV_PIO_BASE	0xe0
#define TESTDEV_PIO_LEN		0x10
#define TESTDEV_PORT_SCRATCH	0xe0	/* 0xe0-0xe3 */
#define TESTDEV_PORT_DATA	0xe4
#define TESTDEV_PORT_IRQ	0xe6	/* write: bits 6:0 GSI, bit 7 level */
#define TESTDEV_IRQ_GSI		0x7f
#define TESTDEV_IRQ_LEVEL	0x80
#define TESTDEV_PORT_COUNT	0xe8
#define TESTDEV_PORT_SUM	0xec

#define TESTDEV_MMIO_SCRATCH	0xfe000000ull
#define TESTDEV_MMIO_SCRATCH_LEN 0x1000
#define TESTDEV_MMIO_COUNTER	0xfe001000ull
#define TESTDEV_MMIO_COUNTER_LEN 8

struct testdev_state {
	u8 scratch[4];
	u32 sink_count;
	u32 sink_sum;
	u32 source_pos;			/* k: source bytes read since reset */
	u64 mmio_accesses;
	u8 mmio_scratch[TESTDEV_MMIO_SCRATCH_LEN];
};

struct testdev {
	pthread_mutex_t lock;
	struct testdev_state st;
};

void testdev_init(struct testdev *td);
int testdev_register(struct testdev *td);

/* Byte k of the source sequence. */
u8 testdev_source_byte(u32 k);

/* Bus handlers, exported for the unit tests. */
void testdev_pio_read(void *opaque, u64 offset, void *data, u32 len);
void testdev_pio_write(void *opaque, u64 offset, const void *data, u32 len);
void testdev_scratch_read(void *opaque, u64 offset, void *data, u32 len);
void testdev_scratch_write(void *opaque, u64 offset, const void *data,
			   u32 len);
void testdev_counter_read(void *opaque, u64 offset, void *data, u32 len);

void testdev_save(struct testdev *td, struct testdev_state *st);
void testdev_load(struct testdev *td, const struct testdev_state *st);

#endif
