// SPDX-License-Identifier: GPL-2.0
/* i8042 controller and keyboard: commands, replies, IRQ 1/12 edges, the
 * reset line, save/load. */
#include "core/bus.h"
#include "core/irq.h"
#include "core/stop.h"
#include "hw/i8042.h"
#include "launcher_test.h"
#include "test.h"

static struct i8042 c;

static u8 status(void)
{
	return i8042_read(&c, 4);
}

static u8 data(void)
{
	return i8042_read(&c, 0);
}

static void cmd(u8 v)
{
	i8042_write(&c, 4, v);
}

static void out(u8 v)
{
	i8042_write(&c, 0, v);
}

/* Read n bytes from the output buffer; each must be there (OBF). */
static bool expect(const u8 *bytes, unsigned int n, bool aux)
{
	unsigned int i;
	bool ok = true;

	for (i = 0; i < n; i++) {
		u8 st = status();

		ok &= !!(st & I8042_STR_OBF);
		ok &= !!(st & I8042_STR_AUXDATA) == aux;
		ok &= data() == bytes[i];
	}
	return ok && !(status() & I8042_STR_OBF);
}

#define EXPECT(aux, ...) CHECK(expect((const u8[]){ __VA_ARGS__ },	\
			       sizeof((const u8[]){ __VA_ARGS__ }), aux))

static int stop_status(void)
{
	return stop_requested() ? stop_wait(NULL) : -1;
}

static void fresh(void)
{
	i8042_init(&c);
	irq_reset_observers();
	stop_reset();
}

static void test_controller(void)
{
	fresh();
	CHECK_EQ(status(), I8042_STR_SYS | I8042_STR_UNLOCKED);
	cmd(I8042_CMD_SELF_TEST);
	CHECK_EQ(status(), I8042_STR_OBF | I8042_STR_SYS | I8042_STR_CMD |
		 I8042_STR_UNLOCKED);
	EXPECT(false, 0x55);
	cmd(I8042_CMD_READ_CTR);
	EXPECT(false, 0x65);
	cmd(I8042_CMD_WRITE_CTR);
	out(0x47);
	CHECK_EQ(status() & I8042_STR_CMD, 0);	/* last write was data */
	cmd(I8042_CMD_READ_CTR);
	EXPECT(false, 0x47);
	cmd(I8042_CMD_WRITE_CTR);
	out(0x40);				/* SYS flag follows the CTR */
	CHECK_EQ(status() & I8042_STR_SYS, 0);
	cmd(I8042_CMD_AUX_TEST);
	cmd(I8042_CMD_KBD_TEST);
	cmd(I8042_CMD_PWD_TEST);
	cmd(I8042_CMD_READ_INPUT);
	cmd(I8042_CMD_READ_OUTPUT);
	cmd(I8042_CMD_READ_TEST);
	cmd(0x21);
	EXPECT(false, 0x00, 0x00, 0xf1, 0x80, 0x03, 0x00, 0x00);
	cmd(I8042_CMD_A20_DISABLE);
	cmd(I8042_CMD_READ_OUTPUT);
	EXPECT(false, 0x01);
	cmd(I8042_CMD_A20_ENABLE);

	cmd(I8042_CMD_AUX_DISABLE);
	cmd(I8042_CMD_KBD_DISABLE);
	cmd(I8042_CMD_READ_CTR);
	EXPECT(false, 0x70);
	cmd(I8042_CMD_AUX_ENABLE);
	cmd(I8042_CMD_KBD_ENABLE);
	cmd(I8042_CMD_READ_CTR);
	EXPECT(false, 0x40);
	cmd(0x99);				/* unknown: ignored */
	CHECK_EQ(status() & I8042_STR_OBF, 0);
	/* an empty buffer reads the last byte again */
	CHECK_EQ(data(), 0x40);
	CHECK_EQ(stop_status(), -1);
}

static void test_keyboard(void)
{
	int i;

	fresh();
	out(KBD_CMD_RESET);
	EXPECT(false, 0xfa, 0xaa);
	out(KBD_CMD_GET_ID);			/* translated */
	EXPECT(false, 0xfa, 0xab, 0x41);
	out(KBD_CMD_SCANCODE);
	out(0);
	EXPECT(false, 0xfa, 0xfa, 0x41);	/* set 2, translated */
	out(KBD_CMD_SCANCODE);
	out(1);
	out(KBD_CMD_SCANCODE);
	out(0);
	EXPECT(false, 0xfa, 0xfa, 0xfa, 0xfa, 0x43);
	out(KBD_CMD_SCANCODE);
	out(9);					/* no such set: unchanged */
	EXPECT(false, 0xfa, 0xfa);
	CHECK_EQ(c.st.scancode_set, 1);

	cmd(I8042_CMD_WRITE_CTR);
	out(I8042_CTR_KBDINT | I8042_CTR_SYS);	/* translation off */
	out(KBD_CMD_GET_ID);
	EXPECT(false, 0xfa, 0xab, 0x83);
	out(KBD_CMD_SCANCODE);
	out(0);
	EXPECT(false, 0xfa, 0xfa, 0x01);
	out(KBD_CMD_SET_LEDS);
	out(0x07);
	CHECK_EQ(c.st.leds, 7);
	out(KBD_CMD_SET_RATE);
	out(0x20);
	out(KBD_CMD_ECHO);
	out(KBD_CMD_ENABLE);
	out(KBD_CMD_DISABLE);
	out(KBD_CMD_SET_DEFAULT);
	out(0xf8);
	out(0x12);				/* not a command */
	EXPECT(false, 0xfa, 0xfa, 0xfa, 0xfa, 0xee, 0xfa, 0xfa, 0xfa, 0xfa,
	       0xfe);
	CHECK_EQ(c.st.leds, 0);			/* defaults restored */
	CHECK_EQ(c.st.scancode_set, 2);

	/* writing to the keyboard re-enables its port */
	cmd(I8042_CMD_KBD_DISABLE);
	out(KBD_CMD_ECHO);
	EXPECT(false, 0xee);
	CHECK_EQ(c.st.ctr & I8042_CTR_KBDDIS, 0);

	/* the queue holds 16 bytes, the rest are dropped */
	for (i = 0; i < 20; i++) {
		cmd(I8042_CMD_WRITE_KBD_OBUF);
		out(i);
	}
	CHECK_EQ(c.st.queue_len, 16);
	for (i = 0; i < 16; i++)
		CHECK_EQ(data(), i);
	CHECK_EQ(status() & I8042_STR_OBF, 0);
}

static void test_aux_and_irqs(void)
{
	fresh();
	/* KBDINT on: each byte is an edge on IRQ 1 */
	out(KBD_CMD_RESET);
	CHECK(irq_line_level(1));
	CHECK_EQ(irq_line_edges(1), 1);
	CHECK_EQ(data(), 0xfa);
	CHECK(irq_line_level(1));
	CHECK_EQ(irq_line_edges(1), 2);		/* lowered and raised */
	CHECK_EQ(data(), 0xaa);
	CHECK(!irq_line_level(1));
	CHECK_EQ(irq_line_edges(1), 2);

	/* AUXINT off (firmware state): loopback data makes no IRQ 12 */
	cmd(I8042_CMD_WRITE_AUX_OBUF);
	out(0x5a);
	CHECK(!irq_line_level(12));
	CHECK(!irq_line_level(1));
	EXPECT(true, 0x5a);
	cmd(I8042_CMD_WRITE_CTR);
	out(I8042_CTR_KBDINT | I8042_CTR_AUXINT | I8042_CTR_SYS);
	cmd(I8042_CMD_WRITE_AUX_OBUF);
	out(0xa5);
	CHECK(irq_line_level(12));
	CHECK_EQ(status() & (I8042_STR_OBF | I8042_STR_AUXDATA),
		 I8042_STR_OBF | I8042_STR_AUXDATA);
	CHECK_EQ(data(), 0xa5);
	CHECK(!irq_line_level(12));
	/* the mouse port is empty: every byte sent there is NAKed */
	cmd(I8042_CMD_WRITE_AUX);
	out(0xff);
	CHECK(irq_line_level(12));
	EXPECT(true, 0xfe);
	/* mixed queue: IRQ follows the owner of the head byte */
	cmd(I8042_CMD_WRITE_KBD_OBUF);
	out(1);
	cmd(I8042_CMD_WRITE_AUX_OBUF);
	out(2);
	CHECK(irq_line_level(1) && !irq_line_level(12));
	CHECK_EQ(data(), 1);
	CHECK(!irq_line_level(1) && irq_line_level(12));
	CHECK_EQ(data(), 2);
	CHECK(!irq_line_level(1) && !irq_line_level(12));
	/* KBDINT off: no IRQ 1 */
	cmd(I8042_CMD_WRITE_CTR);
	out(0);
	out(KBD_CMD_ECHO);
	CHECK(!irq_line_level(1));
	CHECK_EQ(data(), 0xee);
}

static void test_reset_line(void)
{
	fresh();
	cmd(0xff);				/* pulse nothing */
	cmd(I8042_CMD_WRITE_OUTPUT);
	out(0x03);				/* reset line high: fine */
	CHECK_EQ(stop_status(), -1);
	quiet_begin();
	cmd(I8042_CMD_PULSE_RESET);
	quiet_end();
	CHECK_EQ(stop_status(), NYX_EXIT_GUEST_RESET);
	stop_reset();
	quiet_begin();
	cmd(I8042_CMD_WRITE_OUTPUT);
	out(0x02);				/* bit 0 low: reset */
	quiet_end();
	CHECK_EQ(stop_status(), NYX_EXIT_GUEST_RESET);
	stop_reset();
	quiet_begin();
	cmd(0xf0);				/* pulse all four */
	quiet_end();
	CHECK_EQ(stop_status(), NYX_EXIT_GUEST_RESET);
	stop_reset();
}

static void test_save_load_and_bus(void)
{
	struct i8042_state st;
	struct i8042 other;
	u8 b = 0;

	fresh();
	cmd(I8042_CMD_WRITE_CTR);
	out(0x03);
	out(KBD_CMD_SCANCODE);			/* waiting for an argument */
	cmd(I8042_CMD_WRITE_AUX_OBUF);
	out(0x33);
	i8042_save(&c, &st);
	i8042_init(&other);
	irq_reset_observers();
	i8042_load(&other, &st);
	CHECK(irq_line_level(1));		/* 0xfa is at the head */
	CHECK_EQ(i8042_read(&other, 0), 0xfa);
	CHECK_EQ(i8042_read(&other, 4) & I8042_STR_AUXDATA, I8042_STR_AUXDATA);
	CHECK_EQ(i8042_read(&other, 0), 0x33);
	i8042_write(&other, 0, 3);		/* the pending argument */
	CHECK_EQ(other.st.scancode_set, 3);
	st.queue_len = 200;			/* hostile snapshot */
	st.scancode_set = 0;
	i8042_load(&other, &st);
	CHECK_EQ(other.st.queue_len, 16);
	CHECK_EQ(other.st.scancode_set, 2);

	fresh();
	CHECK_EQ(i8042_register(&c), 0);
	b = I8042_CMD_SELF_TEST;
	CHECK(bus_access(&pio_bus, 0x64, &b, 1, true));
	CHECK(bus_access(&pio_bus, 0x60, &b, 1, false));
	CHECK_EQ(b, 0x55);
	CHECK(!bus_access(&pio_bus, 0x61, &b, 1, false));	/* not ours */
	CHECK(!bus_access(&pio_bus, 0x65, &b, 1, false));
}

int main(void)
{
	test_controller();
	test_keyboard();
	test_aux_and_irqs();
	test_reset_line();
	test_save_load_and_bus();
	return test_summary("launcher_i8042");
}
