// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include "core/bus.h"
#include "core/irq.h"
#include "core/machine.h"
#include "hw/i8042.h"

/* Scancode-set reply when translation is on (what a translating
 * controller turns 1, 2, 3 into). */
static const u8 xlate_set_reply[4] = { 0, 0x43, 0x41, 0x3f };

static void update_irq(struct i8042 *c, bool new_edge)
{
	bool aux = c->st.queue_len && c->st.queue_aux[0];
	bool kbd = c->st.queue_len && !aux && (c->st.ctr & I8042_CTR_KBDINT);

	aux = aux && (c->st.ctr & I8042_CTR_AUXINT);
	/* A new byte at the head must make a new edge even if the previous
	 * one was from the same port. */
	if (new_edge && c->kbd_irq) {
		c->kbd_irq = false;
		irq_lower(I8042_KBD_IRQ);
	}
	if (new_edge && c->aux_irq) {
		c->aux_irq = false;
		irq_lower(I8042_AUX_IRQ);
	}
	if (kbd != c->kbd_irq) {
		c->kbd_irq = kbd;
		irq_line(I8042_KBD_IRQ, kbd);
	}
	if (aux != c->aux_irq) {
		c->aux_irq = aux;
		irq_line(I8042_AUX_IRQ, aux);
	}
}

static void queue(struct i8042 *c, u8 byte, bool from_aux)
{
	if (c->st.queue_len == I8042_QUEUE_SIZE)
		return;		/* a full PS/2 buffer drops bytes */
	c->st.queue[c->st.queue_len] = byte;
	c->st.queue_aux[c->st.queue_len] = from_aux;
	c->st.queue_len++;
}

static void kbd_reset(struct i8042 *c)
{
	c->st.scancode_set = 2;
	c->st.kbd_scanning = 1;
	c->st.leds = 0;
	c->st.kbd_pending = 0;
}

void i8042_init(struct i8042 *c)
{
	memset(c, 0, sizeof(*c));
	pthread_mutex_init(&c->lock, NULL);
	c->st.ctr = I8042_CTR_KBDINT | I8042_CTR_SYS | I8042_CTR_AUXDIS |
		    I8042_CTR_XLATE;
	c->st.status = I8042_STR_SYS;
	c->st.outport = I8042_OUT_RESET | I8042_OUT_A20;
	kbd_reset(c);
}

/* The argument byte of a keyboard command. */
static void kbd_argument(struct i8042 *c, u8 cmd, u8 val)
{
	switch (cmd) {
	case KBD_CMD_SET_LEDS:
		c->st.leds = val & 7;
		break;
	case KBD_CMD_SCANCODE:
		if (val == 0) {
			u8 set = c->st.scancode_set;

			queue(c, KBD_REPLY_ACK, false);
			queue(c, c->st.ctr & I8042_CTR_XLATE ?
				 xlate_set_reply[set] : set, false);
			return;
		}
		if (val <= 3)
			c->st.scancode_set = val;
		break;
	}
	queue(c, KBD_REPLY_ACK, false);
}

/* A byte for the keyboard itself. */
static void kbd_write(struct i8042 *c, u8 val)
{
	u8 pending = c->st.kbd_pending;

	c->st.kbd_pending = 0;
	if (pending) {
		kbd_argument(c, pending, val);
		return;
	}
	switch (val) {
	case KBD_CMD_SET_LEDS:
	case KBD_CMD_SCANCODE:
	case KBD_CMD_SET_RATE:
		c->st.kbd_pending = val;
		queue(c, KBD_REPLY_ACK, false);
		break;
	case KBD_CMD_ECHO:
		queue(c, KBD_CMD_ECHO, false);
		break;
	case KBD_CMD_GET_ID:
		queue(c, KBD_REPLY_ACK, false);
		queue(c, KBD_REPLY_ID1, false);
		queue(c, c->st.ctr & I8042_CTR_XLATE ? KBD_REPLY_ID2_XLATE :
			 KBD_REPLY_ID2, false);
		break;
	case KBD_CMD_ENABLE:
		c->st.kbd_scanning = 1;
		queue(c, KBD_REPLY_ACK, false);
		break;
	case KBD_CMD_DISABLE:
		kbd_reset(c);
		c->st.kbd_scanning = 0;
		queue(c, KBD_REPLY_ACK, false);
		break;
	case KBD_CMD_SET_DEFAULT:
		kbd_reset(c);
		queue(c, KBD_REPLY_ACK, false);
		break;
	case 0xf7 ... 0xfd:	/* set-3 key types, resend: nothing to do */
	case KBD_CMD_RESEND:
		queue(c, KBD_REPLY_ACK, false);
		break;
	case KBD_CMD_RESET:
		kbd_reset(c);
		queue(c, KBD_REPLY_ACK, false);
		queue(c, KBD_REPLY_POR, false);
		break;
	default:
		queue(c, KBD_REPLY_RESEND, false);
	}
}

static void write_outport(struct i8042 *c, u8 val)
{
	c->st.outport = val;
	if (!(val & I8042_OUT_RESET))
		machine_reset_request();
}

/* The data byte of a controller command. */
static void command_data(struct i8042 *c, u8 cmd, u8 val)
{
	switch (cmd) {
	case I8042_CMD_WRITE_CTR:
		c->st.ctr = val;
		c->st.status = (c->st.status & ~I8042_STR_SYS) |
			       (val & I8042_CTR_SYS);
		break;
	case I8042_CMD_WRITE_OUTPUT:
		write_outport(c, val);
		break;
	case I8042_CMD_WRITE_KBD_OBUF:
		queue(c, val, false);
		break;
	case I8042_CMD_WRITE_AUX_OBUF:
		queue(c, val, true);
		break;
	case I8042_CMD_WRITE_AUX:
		queue(c, KBD_REPLY_RESEND, true);	/* no mouse */
		break;
	}
}

static void write_command(struct i8042 *c, u8 cmd)
{
	c->st.pending_cmd = 0;
	if (cmd >= 0xf0) {
		/* Pulse output lines whose bit is 0; bit 0 is reset. */
		if (!(cmd & 1))
			machine_reset_request();
		return;
	}
	switch (cmd) {
	case I8042_CMD_READ_CTR:
		queue(c, c->st.ctr, false);
		break;
	case 0x21 ... 0x3f:	/* rest of the controller RAM */
		queue(c, 0, false);
		break;
	case I8042_CMD_WRITE_CTR:
	case I8042_CMD_WRITE_OUTPUT:
	case I8042_CMD_WRITE_KBD_OBUF:
	case I8042_CMD_WRITE_AUX_OBUF:
	case I8042_CMD_WRITE_AUX:
		c->st.pending_cmd = cmd;
		break;
	case I8042_CMD_PWD_TEST:
		queue(c, 0xf1, false);	/* no password installed */
		break;
	case I8042_CMD_AUX_DISABLE:
		c->st.ctr |= I8042_CTR_AUXDIS;
		break;
	case I8042_CMD_AUX_ENABLE:
		c->st.ctr &= ~I8042_CTR_AUXDIS;
		break;
	case I8042_CMD_AUX_TEST:
	case I8042_CMD_KBD_TEST:
		queue(c, 0x00, false);	/* interface OK */
		break;
	case I8042_CMD_SELF_TEST:
		c->st.status |= I8042_STR_SYS;
		queue(c, 0x55, false);
		break;
	case I8042_CMD_KBD_DISABLE:
		c->st.ctr |= I8042_CTR_KBDDIS;
		break;
	case I8042_CMD_KBD_ENABLE:
		c->st.ctr &= ~I8042_CTR_KBDDIS;
		break;
	case I8042_CMD_READ_INPUT:
		queue(c, 0x80, false);	/* keyboard not inhibited */
		break;
	case I8042_CMD_READ_OUTPUT:
		queue(c, c->st.outport, false);
		break;
	case I8042_CMD_A20_DISABLE:
		c->st.outport &= ~I8042_OUT_A20;
		break;
	case I8042_CMD_A20_ENABLE:
		c->st.outport |= I8042_OUT_A20;
		break;
	case I8042_CMD_READ_TEST:
		queue(c, 0x00, false);
		break;
	default:
		pr_debug("i8042: unknown controller command 0x%02x", cmd);
	}
}

static u8 read_data(struct i8042 *c)
{
	if (!c->st.queue_len)
		return c->st.last_data;
	c->st.last_data = c->st.queue[0];
	c->st.queue_len--;
	memmove(c->st.queue, c->st.queue + 1, c->st.queue_len);
	memmove(c->st.queue_aux, c->st.queue_aux + 1, c->st.queue_len);
	return c->st.last_data;
}

u8 i8042_read(struct i8042 *c, unsigned int offset)
{
	u8 val = 0xff;

	pthread_mutex_lock(&c->lock);
	if (offset == 0) {
		val = read_data(c);
		update_irq(c, true);
	} else if (offset == 4) {
		val = (c->st.status & (I8042_STR_SYS | I8042_STR_CMD)) |
		      I8042_STR_UNLOCKED;
		if (c->st.queue_len)
			val |= I8042_STR_OBF |
			       (c->st.queue_aux[0] ? I8042_STR_AUXDATA : 0);
	}
	pthread_mutex_unlock(&c->lock);
	return val;
}

void i8042_write(struct i8042 *c, unsigned int offset, u8 value)
{
	u8 pending;

	pthread_mutex_lock(&c->lock);
	if (offset == 0) {
		c->st.status &= ~I8042_STR_CMD;
		pending = c->st.pending_cmd;
		c->st.pending_cmd = 0;
		if (pending) {
			command_data(c, pending, value);
		} else {
			/* Talking to the keyboard re-enables its port. */
			c->st.ctr &= ~I8042_CTR_KBDDIS;
			kbd_write(c, value);
		}
	} else if (offset == 4) {
		c->st.status |= I8042_STR_CMD;
		write_command(c, value);
	}
	update_irq(c, false);
	pthread_mutex_unlock(&c->lock);
}

/* Two one-byte regions: the handlers learn which from their ops. */
static void data_read(void *opaque, u64 offset, void *data, u32 len)
{
	memset(data, 0xff, len);
	if (!offset)
		*(u8 *)data = i8042_read(opaque, 0);
}

static void data_write(void *opaque, u64 offset, const void *data, u32 len)
{
	(void)len;
	if (!offset)
		i8042_write(opaque, 0, *(const u8 *)data);
}

static void cmd_read(void *opaque, u64 offset, void *data, u32 len)
{
	memset(data, 0xff, len);
	if (!offset)
		*(u8 *)data = i8042_read(opaque, 4);
}

static void cmd_write(void *opaque, u64 offset, const void *data, u32 len)
{
	(void)len;
	if (!offset)
		i8042_write(opaque, 4, *(const u8 *)data);
}

static const struct io_ops i8042_data_ops = {
	.read = data_read,
	.write = data_write,
};

static const struct io_ops i8042_cmd_ops = {
	.read = cmd_read,
	.write = cmd_write,
};

int i8042_register(struct i8042 *c)
{
	/* Not 0x60-0x64 as one region: 0x61 (port B) is not ours. */
	int ret = register_pio(I8042_DATA_PORT, 1, &i8042_data_ops, c);

	return ret ? ret : register_pio(I8042_CMD_PORT, 1, &i8042_cmd_ops, c);
}

void i8042_save(struct i8042 *c, struct i8042_state *st)
{
	pthread_mutex_lock(&c->lock);
	*st = c->st;
	pthread_mutex_unlock(&c->lock);
}

void i8042_load(struct i8042 *c, const struct i8042_state *st)
{
	pthread_mutex_lock(&c->lock);
	c->st = *st;
	if (c->st.queue_len > I8042_QUEUE_SIZE)
		c->st.queue_len = I8042_QUEUE_SIZE;
	if (c->st.scancode_set < 1 || c->st.scancode_set > 3)
		c->st.scancode_set = 2;
	update_irq(c, false);
	pthread_mutex_unlock(&c->lock);
}
