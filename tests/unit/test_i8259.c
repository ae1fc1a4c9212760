// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the dual 8259A (lib/irq/i8259.c): the init sequences of
 * Linux and SeaBIOS, priorities and rotation, EOI forms, auto-EOI, edge
 * and level (ELCR/LTIM) triggering, the cascade, poll mode, special mask
 * and special fully nested modes, spurious interrupts, save/load and
 * hostile port traffic.
 */
#include <stdlib.h>
#include "test.h"
#include "irq/i8259.h"

static struct nyx_pic pic;
static int intr_calls, intr_last;

static void t_intr(void *opaque, int level)
{
	(void)opaque;
	intr_calls++;
	intr_last = level;
}

static const struct nyx_pic_ops ops = { .intr = t_intr };

static void out(u16 port, u8 val)
{
	if (nyx_pic_port_write(&pic, port, val))
		CHECK(0);	/* counted only when failing */
}

static u8 in(u16 port)
{
	u8 v = 0;

	if (nyx_pic_port_read(&pic, port, &v))
		CHECK(0);
	return v;
}

static void pulse(unsigned int irq)
{
	nyx_pic_set_irq(&pic, irq, 1);
	nyx_pic_set_irq(&pic, irq, 0);
}

/* Linux init_8259A(0) followed by unmasking everything. */
static void linux_init(void)
{
	nyx_pic_init(&pic, &ops, NULL);
	intr_calls = 0;
	out(0x21, 0xff);
	out(0x20, 0x11);
	out(0x21, 0x30);
	out(0x21, 1u << 2);
	out(0x21, 0x01);
	out(0xa0, 0x11);
	out(0xa1, 0x38);
	out(0xa1, 2);
	out(0xa1, 0x01);
	out(0x21, 0x00);
	out(0xa1, 0x00);
}

/* Linux mask_and_ack_8259A() without the mask part: specific EOIs. */
static void linux_eoi(unsigned int irq)
{
	if (irq & 8) {
		out(0xa0, 0x60 + (irq & 7));
		out(0x20, 0x62);
	} else {
		out(0x20, 0x60 + irq);
	}
}

static u8 read_isr(u16 cmd)
{
	u8 v;

	out(cmd, 0x0b);
	v = in(cmd);
	out(cmd, 0x0a);
	return v;
}

static void test_power_on(void)
{
	nyx_pic_init(&pic, &ops, NULL);
	CHECK_EQ(nyx_pic_intr(&pic), 0);
	CHECK_EQ(in(0x21), 0);
	CHECK_EQ(in(0xa1), 0);
	CHECK_EQ(in(0x20), 0);
	CHECK_EQ(in(0x4d0), 0);
	CHECK_EQ(in(0x4d1), 0);
	/* Linux probe_8259A: the IMR reads back */
	out(0xa1, 0xff);
	out(0x21, 0xa5);
	CHECK_EQ(in(0x21), 0xa5);
	CHECK_EQ(in(0xa1), 0xff);
}

static void test_linux_init(void)
{
	linux_init();
	CHECK_EQ(pic.s.chip[0].irq_base, 0x30);
	CHECK_EQ(pic.s.chip[1].irq_base, 0x38);
	CHECK_EQ(pic.s.chip[0].icw3, 0x04);
	CHECK_EQ(pic.s.chip[1].icw3, 0x02);
	CHECK_EQ(pic.s.chip[0].icw4, NYX_PIC_ICW4_UPM);
	CHECK_EQ(pic.s.chip[0].init_state, 0);
	CHECK_EQ(pic.s.chip[1].init_state, 0);
	CHECK_EQ(nyx_pic_intr(&pic), 0);

	/* timer interrupt */
	pulse(0);
	CHECK_EQ(nyx_pic_intr(&pic), 1);
	CHECK_EQ(intr_calls, 1);
	CHECK_EQ(intr_last, 1);
	CHECK_EQ(in(0x20), 0x01);		/* IRR */
	CHECK_EQ(nyx_pic_ack(&pic), 0x30);
	CHECK_EQ(nyx_pic_intr(&pic), 0);
	CHECK_EQ(intr_last, 0);
	CHECK_EQ(read_isr(0x20), 0x01);
	CHECK_EQ(in(0x20), 0x00);
	linux_eoi(0);
	CHECK_EQ(read_isr(0x20), 0x00);

	/* a slave interrupt: IRQ12 */
	pulse(12);
	CHECK_EQ(nyx_pic_intr(&pic), 1);
	CHECK_EQ(in(0x20) & 4, 4);		/* cascade requested */
	CHECK_EQ(nyx_pic_ack(&pic), 0x38 + 4);
	CHECK_EQ(read_isr(0x20), 0x04);
	CHECK_EQ(read_isr(0xa0), 0x10);
	CHECK_EQ(nyx_pic_intr(&pic), 0);
	/* while IRQ12 is in service, IRQ3 (lower than the cascade) waits */
	pulse(3);
	CHECK_EQ(nyx_pic_intr(&pic), 0);
	/* but IRQ1 (higher than IRQ2) gets through */
	pulse(1);
	CHECK_EQ(nyx_pic_intr(&pic), 1);
	CHECK_EQ(nyx_pic_ack(&pic), 0x31);
	linux_eoi(1);
	CHECK_EQ(nyx_pic_intr(&pic), 0);
	linux_eoi(12);
	CHECK_EQ(read_isr(0xa0), 0);
	CHECK_EQ(read_isr(0x20), 0);
	CHECK_EQ(nyx_pic_intr(&pic), 1);
	CHECK_EQ(nyx_pic_ack(&pic), 0x33);
	linux_eoi(3);
	CHECK_EQ(nyx_pic_intr(&pic), 0);
}

static void test_seabios_init(void)
{
	nyx_pic_init(&pic, NULL, NULL);
	out(0x20, 0x11);
	out(0xa0, 0x11);
	out(0x21, 0x08);
	out(0xa1, 0x70);
	out(0x21, 0x04);
	out(0xa1, 0x02);
	out(0x21, 0x01);
	out(0xa1, 0x01);
	out(0x21, (u8)~4);
	out(0xa1, 0xff);
	pulse(0);
	CHECK_EQ(nyx_pic_intr(&pic), 0);	/* masked */
	out(0x21, (u8)~5);			/* unmask IRQ0 */
	CHECK_EQ(nyx_pic_intr(&pic), 1);	/* the latched edge */
	CHECK_EQ(nyx_pic_ack(&pic), 0x08);
	out(0x20, 0x20);			/* non-specific EOI */
	CHECK_EQ(read_isr(0x20), 0);
	out(0xa1, (u8)~(1u << 6));		/* IRQ14 */
	pulse(14);
	CHECK_EQ(nyx_pic_ack(&pic), 0x76);
	out(0xa0, 0x20);
	out(0x20, 0x20);
	CHECK_EQ(read_isr(0x20) | read_isr(0xa0), 0);
	CHECK_EQ(nyx_pic_intr(&pic), 0);
}

static void test_priority_nesting(void)
{
	linux_init();
	pulse(5);
	pulse(3);
	pulse(7);
	CHECK_EQ(in(0x20), 0xa8);
	CHECK_EQ(nyx_pic_ack(&pic), 0x33);
	/* 5 and 7 are lower than 3 (in service): no INTR */
	CHECK_EQ(nyx_pic_intr(&pic), 0);
	/* 0 is higher: nests */
	pulse(0);
	CHECK_EQ(nyx_pic_intr(&pic), 1);
	CHECK_EQ(nyx_pic_ack(&pic), 0x30);
	CHECK_EQ(read_isr(0x20), 0x09);
	out(0x20, 0x20);			/* non-specific: clears IRQ0 */
	CHECK_EQ(read_isr(0x20), 0x08);
	CHECK_EQ(nyx_pic_intr(&pic), 0);
	out(0x20, 0x20);
	CHECK_EQ(nyx_pic_ack(&pic), 0x35);
	out(0x20, 0x20);
	CHECK_EQ(nyx_pic_ack(&pic), 0x37);
	out(0x20, 0x20);
	CHECK_EQ(nyx_pic_intr(&pic), 0);
	/* slave IRQs rank at the cascade's place: IRQ8 beats IRQ3 */
	pulse(3);
	pulse(8);
	CHECK_EQ(nyx_pic_ack(&pic), 0x38);
	linux_eoi(8);
	CHECK_EQ(nyx_pic_ack(&pic), 0x33);
	linux_eoi(3);
	/* within the slave: 8 before 15 */
	pulse(15);
	pulse(9);
	CHECK_EQ(nyx_pic_ack(&pic), 0x39);
	linux_eoi(9);
	CHECK_EQ(nyx_pic_ack(&pic), 0x3f);
	linux_eoi(15);
	CHECK_EQ(nyx_pic_intr(&pic), 0);
}

static void test_rotation(void)
{
	linux_init();
	/* rotate on non-specific EOI: IRQ0 becomes the lowest */
	pulse(0);
	CHECK_EQ(nyx_pic_ack(&pic), 0x30);
	out(0x20, 0xa0);
	CHECK_EQ(pic.s.chip[0].priority_add, 1);
	pulse(0);
	pulse(6);
	CHECK_EQ(nyx_pic_ack(&pic), 0x36);
	/* with 6 in service, 0 (now lowest) is blocked */
	CHECK_EQ(nyx_pic_intr(&pic), 0);
	out(0x20, 0x20);		/* non-specific EOI clears 6 */
	CHECK_EQ(read_isr(0x20), 0);
	CHECK_EQ(nyx_pic_ack(&pic), 0x30);
	out(0x20, 0x20);

	/* set priority: 0xc0 | 4 makes IRQ4 the lowest, 5 the highest */
	out(0x20, 0xc4);
	CHECK_EQ(pic.s.chip[0].priority_add, 5);
	pulse(4);
	pulse(3);
	pulse(5);
	CHECK_EQ(nyx_pic_ack(&pic), 0x35);
	/* order is 5,6,7,0,1,2,3,4: 3 and 4 rank below 5 in service */
	CHECK_EQ(nyx_pic_intr(&pic), 0);
	out(0x20, 0x20);
	CHECK_EQ(nyx_pic_ack(&pic), 0x33);
	out(0x20, 0x20);
	CHECK_EQ(nyx_pic_ack(&pic), 0x34);
	/* rotate on specific EOI: 0xe0 | 4 clears 4, makes 4 lowest */
	out(0x20, 0xe4);
	CHECK_EQ(read_isr(0x20), 0);
	CHECK_EQ(pic.s.chip[0].priority_add, 5);
	out(0x20, 0xe1);
	CHECK_EQ(pic.s.chip[0].priority_add, 2);
	/* NOP OCW2 */
	out(0x20, 0x40);
	CHECK_EQ(pic.s.chip[0].priority_add, 2);
	/* ICW1 restores fully nested priorities */
	out(0x20, 0x11);
	CHECK_EQ(pic.s.chip[0].priority_add, 0);
}

static void test_rotation_fair(void)
{
	int i, count[8] = { 0 };

	/* rotate on EOI with every IRQ always pending: round robin */
	linux_init();
	for (i = 0; i < 8; i++)
		if (i != 2)
			nyx_pic_set_irq(&pic, i, 1);
	out(0x4d0, 0xf8);		/* 3-7 level so they stay pending */
	for (i = 0; i < 50; i++) {
		u8 v;

		pulse(0);
		pulse(1);
		v = nyx_pic_ack(&pic);
		count[v & 7]++;
		out(0x20, 0xa0);
	}
	for (i = 0; i < 8; i++)
		if (i != 2)
			CHECK(count[i] >= 6 && count[i] <= 9);
	CHECK_EQ(count[2], 0);
}

static void test_aeoi(void)
{
	nyx_pic_init(&pic, NULL, NULL);
	out(0x20, 0x11);
	out(0x21, 0x20);
	out(0x21, 0x04);
	out(0x21, 0x03);		/* 8086, AEOI */
	out(0x21, 0x00);
	pulse(1);
	pulse(3);
	CHECK_EQ(nyx_pic_ack(&pic), 0x21);
	CHECK_EQ(read_isr(0x20), 0);
	CHECK_EQ(nyx_pic_intr(&pic), 1);
	CHECK_EQ(nyx_pic_ack(&pic), 0x23);
	CHECK_EQ(pic.s.chip[0].priority_add, 0);
	/* rotate in AEOI mode */
	out(0x20, 0x80);
	pulse(1);
	CHECK_EQ(nyx_pic_ack(&pic), 0x21);
	CHECK_EQ(pic.s.chip[0].priority_add, 2);
	out(0x20, 0x00);
	pulse(4);
	CHECK_EQ(nyx_pic_ack(&pic), 0x24);
	CHECK_EQ(pic.s.chip[0].priority_add, 2);
}

static void test_level_elcr(void)
{
	linux_init();
	out(0x4d0, 0xff);
	out(0x4d1, 0xff);
	CHECK_EQ(in(0x4d0), 0xf8);
	CHECK_EQ(in(0x4d1), 0xde);
	/* IRQ9 level: stays requested until the line drops */
	nyx_pic_set_irq(&pic, 9, 1);
	CHECK_EQ(nyx_pic_intr(&pic), 1);
	CHECK_EQ(nyx_pic_ack(&pic), 0x39);
	CHECK_EQ(in(0xa0) & 2, 2);		/* IRR still set */
	linux_eoi(9);
	CHECK_EQ(nyx_pic_intr(&pic), 1);	/* line still high */
	CHECK_EQ(nyx_pic_ack(&pic), 0x39);
	nyx_pic_set_irq(&pic, 9, 0);
	linux_eoi(9);
	CHECK_EQ(nyx_pic_intr(&pic), 0);
	CHECK_EQ(in(0xa0), 0);

	/* line dropped before INTA: master spurious IRQ7 */
	nyx_pic_set_irq(&pic, 10, 1);
	CHECK_EQ(nyx_pic_intr(&pic), 1);
	nyx_pic_set_irq(&pic, 10, 0);
	CHECK_EQ(nyx_pic_intr(&pic), 0);
	CHECK_EQ(nyx_pic_ack(&pic), 0x37);
	CHECK_EQ(read_isr(0x20), 0);
	CHECK_EQ(read_isr(0xa0), 0);
	nyx_pic_set_irq(&pic, 5, 1);
	nyx_pic_set_irq(&pic, 5, 0);
	CHECK_EQ(nyx_pic_ack(&pic), 0x37);
	CHECK_EQ(read_isr(0x20), 0);

	/* edge pins keep the latched request when the line drops */
	pulse(1);
	CHECK_EQ(nyx_pic_ack(&pic), 0x31);
	out(0x20, 0x20);
	/* IRQ0-2 can't be level: a held line interrupts once */
	nyx_pic_set_irq(&pic, 0, 1);
	CHECK_EQ(nyx_pic_ack(&pic), 0x30);
	out(0x20, 0x20);
	CHECK_EQ(nyx_pic_intr(&pic), 0);
	nyx_pic_set_irq(&pic, 0, 0);

	/* switching a high line to level makes it request at once */
	out(0x4d0, 0x00);
	nyx_pic_set_irq(&pic, 6, 1);
	CHECK_EQ(nyx_pic_ack(&pic), 0x36);
	out(0x20, 0x20);
	CHECK_EQ(nyx_pic_intr(&pic), 0);
	out(0x4d0, 0x40);
	CHECK_EQ(nyx_pic_intr(&pic), 1);
	out(0x4d0, 0x00);			/* back to edge: latched */
	CHECK_EQ(nyx_pic_intr(&pic), 1);
	CHECK_EQ(nyx_pic_ack(&pic), 0x36);
	out(0x20, 0x20);
	CHECK_EQ(nyx_pic_intr(&pic), 0);
}

static void test_ltim(void)
{
	nyx_pic_init(&pic, NULL, NULL);
	out(0x20, 0x19);			/* ICW1 with LTIM */
	out(0x21, 0x40);
	out(0x21, 0x04);
	out(0x21, 0x01);
	out(0x21, 0x00);
	nyx_pic_set_irq(&pic, 4, 1);
	CHECK_EQ(nyx_pic_ack(&pic), 0x44);
	out(0x20, 0x20);
	CHECK_EQ(nyx_pic_intr(&pic), 1);
	nyx_pic_set_irq(&pic, 4, 0);
	CHECK_EQ(nyx_pic_intr(&pic), 0);
}

static void test_edge_sense_reset(void)
{
	linux_init();
	nyx_pic_set_irq(&pic, 4, 1);		/* high before init */
	CHECK_EQ(nyx_pic_ack(&pic), 0x34);
	out(0x20, 0x20);
	out(0x20, 0x11);
	out(0x21, 0x30);
	out(0x21, 0x04);
	out(0x21, 0x01);
	CHECK_EQ(in(0x21), 0);			/* IMR cleared */
	CHECK_EQ(nyx_pic_intr(&pic), 0);
	nyx_pic_set_irq(&pic, 4, 1);		/* no new edge */
	CHECK_EQ(nyx_pic_intr(&pic), 0);
	nyx_pic_set_irq(&pic, 4, 0);
	nyx_pic_set_irq(&pic, 4, 1);
	CHECK_EQ(nyx_pic_intr(&pic), 1);
}

static void test_init_variants(void)
{
	nyx_pic_init(&pic, NULL, NULL);
	/* single mode with ICW4: ICW3 skipped */
	out(0x20, 0x13);
	out(0x21, 0x50);
	CHECK_EQ(pic.s.chip[0].init_state, 3);
	out(0x21, 0x03);
	CHECK_EQ(pic.s.chip[0].init_state, 0);
	CHECK_EQ(pic.s.chip[0].icw4, 0x03);
	out(0x21, 0x5a);
	CHECK_EQ(in(0x21), 0x5a);
	/* no IC4: ICW4 functions are cleared, done after ICW3 */
	out(0x20, 0x10);
	CHECK_EQ(pic.s.chip[0].icw4, 0);
	out(0x21, 0x67);
	CHECK_EQ(pic.s.chip[0].irq_base, 0x60);
	out(0x21, 0x04);
	CHECK_EQ(pic.s.chip[0].init_state, 0);
	out(0x21, 0x12);
	CHECK_EQ(in(0x21), 0x12);
	/* single, no IC4: done after ICW2 */
	out(0x20, 0x12);
	out(0x21, 0x80);
	CHECK_EQ(pic.s.chip[0].init_state, 0);
}

static void test_poll(void)
{
	linux_init();
	out(0x20, 0x0c);			/* poll */
	CHECK_EQ(in(0x20), 0x00);		/* nothing */
	pulse(6);
	pulse(4);
	out(0x20, 0x0c);
	CHECK_EQ(in(0x21), 0x84);		/* either port */
	CHECK_EQ(read_isr(0x20), 0x10);
	CHECK_EQ(in(0x20), 0x40);		/* normal IRR read again */
	out(0x20, 0x20);
	/* slave poll: master reports the cascade, then poll the slave */
	pulse(11);
	out(0x20, 0x0c);
	CHECK_EQ(in(0x20), 0x82);
	out(0xa0, 0x0c);
	CHECK_EQ(in(0xa0), 0x83);
	CHECK_EQ(read_isr(0xa0), 0x08);
	out(0xa0, 0x20);
	out(0x20, 0x20);
	CHECK_EQ(nyx_pic_ack(&pic), 0x36);
	out(0x20, 0x20);
	CHECK_EQ(nyx_pic_intr(&pic), 0);
}

static void test_special_mask(void)
{
	linux_init();
	pulse(3);
	CHECK_EQ(nyx_pic_ack(&pic), 0x33);
	pulse(5);
	CHECK_EQ(nyx_pic_intr(&pic), 0);
	/* mask 3, enter special mask mode: 5 is let through */
	out(0x21, 0x08);
	out(0x20, 0x68);
	CHECK_EQ(nyx_pic_intr(&pic), 1);
	CHECK_EQ(nyx_pic_ack(&pic), 0x35);
	out(0x20, 0x65);
	/* leave special mask mode */
	out(0x20, 0x48);
	pulse(6);
	CHECK_EQ(nyx_pic_intr(&pic), 0);
	out(0x20, 0x63);
	out(0x21, 0x00);
	CHECK_EQ(nyx_pic_ack(&pic), 0x36);
	out(0x20, 0x20);
	/* OCW3 without ESMM leaves SMM alone */
	out(0x20, 0x68);
	out(0x20, 0x08);
	CHECK(pic.s.chip[0].ocw & NYX_PIC_OCW_SMM);
}

static void test_sfnm(void)
{
	int sfnm;

	for (sfnm = 0; sfnm < 2; sfnm++) {
		linux_init();
		if (sfnm) {
			out(0x20, 0x11);
			out(0x21, 0x30);
			out(0x21, 0x04);
			out(0x21, 0x11);	/* SFNM */
		}
		pulse(10);
		CHECK_EQ(nyx_pic_ack(&pic), 0x3a);
		pulse(8);		/* higher than 10, same cascade */
		CHECK_EQ(nyx_pic_intr(&pic), sfnm);
		if (sfnm) {
			CHECK_EQ(nyx_pic_ack(&pic), 0x38);
			CHECK_EQ(read_isr(0xa0), 0x05);
			out(0xa0, 0x20);
			CHECK_EQ(read_isr(0xa0), 0x04);
		}
	}
}

static void test_spurious(void)
{
	linux_init();
	/* INTR raised, then masked before the CPU acks */
	pulse(4);
	CHECK_EQ(nyx_pic_intr(&pic), 1);
	out(0x21, 0x10);
	CHECK_EQ(nyx_pic_intr(&pic), 0);
	CHECK_EQ(nyx_pic_ack(&pic), 0x37);
	CHECK_EQ(read_isr(0x20), 0);
	/* Linux's i8259A_irq_real() sees ISR bit 7 clear */
	CHECK_EQ(read_isr(0x20) & 0x80, 0);
	out(0x21, 0x00);
	CHECK_EQ(nyx_pic_ack(&pic), 0x34);
	out(0x20, 0x20);
	/* a real IRQ7 sets its ISR bit */
	pulse(7);
	CHECK_EQ(nyx_pic_ack(&pic), 0x37);
	CHECK_EQ(read_isr(0x20), 0x80);
	out(0x20, 0x67);
	/* masked slave: the cascade request goes away too */
	pulse(13);
	out(0xa1, 0x20);
	CHECK_EQ(nyx_pic_intr(&pic), 0);
	CHECK_EQ(in(0x20) & 4, 0);
	out(0xa1, 0x00);
	CHECK_EQ(nyx_pic_ack(&pic), 0x3d);
	linux_eoi(13);
}

static void test_bad_inputs(void)
{
	u8 v = 0;

	linux_init();
	CHECK_EQ(nyx_pic_set_irq(&pic, 2, 1), -1);
	CHECK_EQ(nyx_pic_set_irq(&pic, 16, 1), -1);
	CHECK_EQ(nyx_pic_set_irq(&pic, ~0u, 1), -1);
	CHECK_EQ(nyx_pic_intr(&pic), 0);
	CHECK_EQ(nyx_pic_port_read(&pic, 0x22, &v), -1);
	CHECK_EQ(v, 0xff);
	CHECK_EQ(nyx_pic_port_write(&pic, 0x4d2, 1), -1);
	CHECK_EQ(nyx_pic_port_write(&pic, 0xffff, 1), -1);
	/* any level value counts as asserted */
	nyx_pic_set_irq(&pic, 5, 42);
	CHECK_EQ(nyx_pic_ack(&pic), 0x35);
}

static void test_save_load(void)
{
	struct nyx_pic_state st, bad;
	struct nyx_pic copy;

	linux_init();
	out(0x4d1, 0x02);			/* IRQ9 level */
	pulse(3);
	pulse(12);
	nyx_pic_set_irq(&pic, 9, 1);
	CHECK_EQ(nyx_pic_ack(&pic), 0x39);
	out(0x20, 0x0b);			/* command port reads ISR */
	out(0x21, 0x40);
	nyx_pic_save(&pic, &st);

	nyx_pic_init(&copy, NULL, NULL);
	CHECK_EQ(nyx_pic_load(&copy, &st), 0);
	CHECK_EQ(nyx_pic_intr(&copy), nyx_pic_intr(&pic));
	CHECK(memcmp(&copy.s, &pic.s, sizeof(st)) == 0);
	/* both continue identically */
	linux_eoi(9);
	nyx_pic_set_irq(&pic, 9, 0);
	{
		struct nyx_pic tmp = pic;

		pic = copy;
		linux_eoi(9);
		nyx_pic_set_irq(&pic, 9, 0);
		copy = pic;
		pic = tmp;
	}
	CHECK_EQ(nyx_pic_ack(&pic), nyx_pic_ack(&copy));
	CHECK_EQ(nyx_pic_ack(&pic), nyx_pic_ack(&copy));
	CHECK(memcmp(&copy.s, &pic.s, sizeof(st)) == 0);

	/* rejected states leave the PIC alone */
	nyx_pic_save(&copy, &st);
#define REJECT(stmt) do {						\
	bad = st; stmt;							\
	CHECK_EQ(nyx_pic_load(&copy, &bad), -1);			\
	CHECK(memcmp(&copy.s, &st, sizeof(st)) == 0);			\
} while (0)
	REJECT(bad.chip[0].init_state = 4);
	REJECT(bad.chip[1].irq_base = 0x31);
	REJECT(bad.chip[0].priority_add = 8);
	REJECT(bad.chip[0].elcr = 0x01);
	REJECT(bad.chip[1].elcr = 0x20);
	REJECT(bad.chip[0].icw1 = 0x10);
	REJECT(bad.chip[0].icw4 = 0x20);
	REJECT(bad.chip[1].ocw = 0x10);
	REJECT(bad.chip[1].pad[3] = 1);
	REJECT(bad.chip[0].lines = 0x04);
	REJECT(bad.chip[1].lines ^= 0x02);	/* level IRQ9: IRR != line */
#undef REJECT
	CHECK_EQ(nyx_pic_load(&copy, &st), 0);
}

static void test_random(void)
{
	static const u16 ports[] = { 0x20, 0x21, 0xa0, 0xa1, 0x4d0, 0x4d1,
				     0x22, 0x1234 };
	struct nyx_pic_state st;
	unsigned int i;
	u8 v;

	srand(8259);
	nyx_pic_init(&pic, &ops, NULL);
	intr_calls = 0;
	for (i = 0; i < 200000; i++) {
		switch (rand() % 5) {
		case 0:
			nyx_pic_port_write(&pic, ports[rand() % 8], rand());
			break;
		case 1:
			nyx_pic_port_read(&pic, ports[rand() % 8], &v);
			break;
		case 2:
			nyx_pic_set_irq(&pic, rand() % 20, rand() & 1);
			break;
		case 3:
			if (nyx_pic_intr(&pic)) {
				v = nyx_pic_ack(&pic);
				(void)v;
			}
			break;
		default:
			nyx_pic_save(&pic, &st);
			if (nyx_pic_load(&pic, &st) != 0) {
				CHECK(0);
				return;
			}
			break;
		}
		if (intr_last != nyx_pic_intr(&pic) && intr_calls) {
			CHECK(0);
			return;
		}
	}
	CHECK(intr_calls > 0);
}

int main(void)
{
	test_power_on();
	test_linux_init();
	test_seabios_init();
	test_priority_nesting();
	test_rotation();
	test_rotation_fair();
	test_aeoi();
	test_level_elcr();
	test_ltim();
	test_edge_sense_reset();
	test_init_variants();
	test_poll();
	test_special_mask();
	test_sfnm();
	test_spurious();
	test_bad_inputs();
	test_save_load();
	test_random();
	return test_summary("test_i8259");
}
