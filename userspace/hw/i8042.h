/* SPDX-License-Identifier: GPL-2.0 */
/*
 * i8042 PS/2 controller at 0x60 (data) and 0x64 (status / command) with a
 * PS/2 keyboard on its first port and nothing on the auxiliary (mouse)
 * port: bytes sent to the mouse are answered 0xfe (resend), so a guest's
 * mouse probe fails at once instead of timing out.
 *
 * Output bytes queue up (16 deep) and come out through the output buffer;
 * IRQ 1 (keyboard) or IRQ 12 (aux) is asserted while the byte at the head
 * is theirs and CTR enables them, and is lowered and raised again for each
 * next byte so every byte makes an edge. Pulsing the reset line (command
 * 0xfe, or an output-port write with bit 0 clear) asks the machine for a
 * reset (core/machine.h). There is no key input source yet.
 */
#ifndef NYX_I8042_H
#define NYX_I8042_H

#include <pthread.h>

#include "core/util.h"

#define I8042_DATA_PORT		0x60
#define I8042_CMD_PORT		0x64
#define I8042_KBD_IRQ		1
#define I8042_AUX_IRQ		12
#define I8042_QUEUE_SIZE	16

/* Status register */
#define I8042_STR_OBF		0x01
#define I8042_STR_IBF		0x02
#define I8042_STR_SYS		0x04
#define I8042_STR_CMD		0x08	/* last write went to 0x64 */
#define I8042_STR_UNLOCKED	0x10
#define I8042_STR_AUXDATA	0x20

/* Controller command byte (CTR) */
#define I8042_CTR_KBDINT	0x01
#define I8042_CTR_AUXINT	0x02
#define I8042_CTR_SYS		0x04
#define I8042_CTR_KBDDIS	0x10
#define I8042_CTR_AUXDIS	0x20
#define I8042_CTR_XLATE		0x40

/* Controller commands */
#define I8042_CMD_READ_CTR	0x20
#define I8042_CMD_WRITE_CTR	0x60
#define I8042_CMD_PWD_TEST	0xa4
#define I8042_CMD_AUX_DISABLE	0xa7
#define I8042_CMD_AUX_ENABLE	0xa8
#define I8042_CMD_AUX_TEST	0xa9
#define I8042_CMD_SELF_TEST	0xaa
#define I8042_CMD_KBD_TEST	0xab
#define I8042_CMD_KBD_DISABLE	0xad
#define I8042_CMD_KBD_ENABLE	0xae
#define I8042_CMD_READ_INPUT	0xc0
#define I8042_CMD_READ_OUTPUT	0xd0
#define I8042_CMD_WRITE_OUTPUT	0xd1
#define I8042_CMD_WRITE_KBD_OBUF 0xd2
#define I8042_CMD_WRITE_AUX_OBUF 0xd3
#define I8042_CMD_WRITE_AUX	0xd4
#define I8042_CMD_A20_DISABLE	0xdd
#define I8042_CMD_A20_ENABLE	0xdf
#define I8042_CMD_READ_TEST	0xe0
#define I8042_CMD_PULSE_RESET	0xfe

#define I8042_OUT_RESET		0x01	/* 0 = system reset asserted */
#define I8042_OUT_A20		0x02

/* Keyboard commands and replies */
#define KBD_CMD_SET_LEDS	0xed
#define KBD_CMD_ECHO		0xee
#define KBD_CMD_SCANCODE	0xf0
#define KBD_CMD_GET_ID		0xf2
#define KBD_CMD_SET_RATE	0xf3
#define KBD_CMD_ENABLE		0xf4
#define KBD_CMD_DISABLE		0xf5
#define KBD_CMD_SET_DEFAULT	0xf6
#define KBD_CMD_RESEND		0xfe
#define KBD_CMD_RESET		0xff
#define KBD_REPLY_POR		0xaa	/* self-test passed */
#define KBD_REPLY_ID1		0xab
#define KBD_REPLY_ID2		0x83
#define KBD_REPLY_ID2_XLATE	0x41
#define KBD_REPLY_ACK		0xfa
#define KBD_REPLY_RESEND	0xfe

struct i8042_state {
	u8 ctr;
	u8 status;		/* SYS and CMD bits; OBF/AUXDATA are derived */
	u8 outport;
	u8 pending_cmd;		/* controller command awaiting its data byte */
	u8 kbd_pending;		/* keyboard command awaiting its argument */
	u8 scancode_set;	/* 1..3 */
	u8 kbd_scanning;
	u8 leds;
	u8 last_data;		/* what 0x60 reads when the queue is empty */
	u8 queue_len;
	u8 queue[I8042_QUEUE_SIZE];	/* oldest first */
	u8 queue_aux[I8042_QUEUE_SIZE];	/* 1: from the aux port */
};

struct i8042 {
	pthread_mutex_t lock;
	struct i8042_state st;
	bool kbd_irq, aux_irq;	/* current line levels */
};

/* State after firmware: keyboard enabled with its interrupt, mouse port
 * disabled, translation on, A20 enabled. */
void i8042_init(struct i8042 *c);
int i8042_register(struct i8042 *c);

/* One byte-wide port access (port offset 0 = 0x60, 4 = 0x64). */
u8 i8042_read(struct i8042 *c, unsigned int offset);
void i8042_write(struct i8042 *c, unsigned int offset, u8 value);

void i8042_save(struct i8042 *c, struct i8042_state *st);
void i8042_load(struct i8042 *c, const struct i8042_state *st);

#endif
