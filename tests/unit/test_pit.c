// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the 8254 PIT and port 0x61 (lib/irq/pit.c): modes 0-5
 * over simulated time, Linux's calibration loops (pit_calibrate_tsc,
 * quick_pit_calibrate), the periodic and one-shot clockevent programming,
 * reprogramming while running, latch and read-back commands, access
 * modes, BCD, gates, IRQ0 edge accounting over long uptimes, save/load
 * and random traffic checked against a pulse-by-pulse OUT trace.
 */
#include <stdlib.h>
#include "test.h"
#include "irq/pit.h"

#define F	1193182u

static struct nyx_pit pit;

/* reference conversions with 128-bit arithmetic */
static u64 tick_of(u64 ns)
{
	return (u64)((unsigned __int128)ns * F / 1000000000u);
}

/* first ns of pulse number "tick" */
static u64 at(u64 tick)
{
	return (u64)(((unsigned __int128)tick * 1000000000u + F - 1) / F);
}

static void out(u16 port, u8 val, u64 now)
{
	if (nyx_pit_port_write(&pit, port, val, now))
		CHECK(0);	/* counted only when failing */
}

static u8 in(u16 port, u64 now)
{
	u8 v = 0;

	if (nyx_pit_port_read(&pit, port, &v, now))
		CHECK(0);
	return v;
}

static u16 in16(u16 port, u64 now)
{
	u16 lo = in(port, now);

	return lo | (u16)(in(port, now) << 8);
}

/* control word + LSB/MSB count at one instant */
static void program(unsigned int ch, unsigned int mode, u16 count, u64 now)
{
	out(0x43, (u8)((ch << 6) | 0x30 | (mode << 1)), now);
	out(0x40 + ch, count & 0xff, now);
	out(0x40 + ch, count >> 8, now);
}

static void test_conversions(void)
{
	u64 ns[] = { 0, 1, 837, 838, 839, 1000000000ull, 3600000000000ull,
		     86400000000000ull * 365 * 100, ~0ull / 2, ~0ull };
	unsigned int i;

	for (i = 0; i < sizeof(ns) / sizeof(ns[0]); i++)
		CHECK_EQ(nyx_muldiv64(ns[i], F, 1000000000u), tick_of(ns[i]));
	CHECK_EQ(nyx_muldiv64_up(12345, 1000000000u, F), at(12345));
	CHECK_EQ(nyx_muldiv64_up(1ull << 50, 1000000000u, F), at(1ull << 50));
	CHECK_EQ(nyx_muldiv64(~0ull, 2, 1), ~0ull);	/* saturates */
}

static void test_power_on(void)
{
	nyx_pit_init(&pit, 5000);
	CHECK_EQ(nyx_pit_out(&pit, 0, 5000), 0);
	CHECK_EQ(nyx_pit_irq0_next(&pit, 5000), NYX_PIT_NEVER);
	CHECK_EQ(nyx_pit_irq0_edges(&pit, 1000000000ull), 0);
	CHECK_EQ(nyx_pit_port61_read(&pit, 0) & 0x2f, 0);
	CHECK_EQ(in(0x43, 0), 0xff);
	CHECK_EQ(nyx_pit_out(&pit, 3, 0), -1);
	CHECK_EQ(nyx_pit_port_write(&pit, 0x44, 0, 0), -1);
	CHECK_EQ(nyx_pit_port_write(&pit, 0x3f, 0, 0), -1);
	{
		u8 v = 0;

		CHECK_EQ(nyx_pit_port_read(&pit, 0x61, &v, 0), -1);
		CHECK_EQ(v, 0xff);
	}
}

/* Linux pit_calibrate_tsc(): channel 2, mode 0, poll port 0x61 bit 5. */
static void test_linux_pit_calibrate(void)
{
	u64 t = 2000000000ull, t0, x0;
	u16 latch = F / 20;		/* 50 ms: CLOCK_TICK_RATE / (1000 / 50) */
	int polls = 0;

	nyx_pit_init(&pit, 0);
	nyx_pit_port61_write(&pit, (nyx_pit_port61_read(&pit, t) & ~0x02) | 0x01,
			     t);
	CHECK_EQ(nyx_pit_port61_read(&pit, t) & 3, 1);
	out(0x43, 0xb0, t);
	out(0x42, latch & 0xff, t);
	out(0x42, latch >> 8, t);
	t0 = t;
	x0 = tick_of(t0);
	CHECK_EQ(nyx_pit_port61_read(&pit, t) & 0x20, 0);
	while (!(nyx_pit_port61_read(&pit, t) & 0x20)) {
		t += 1000;		/* one inb() per microsecond */
		polls++;
		if (polls > 100000)
			break;
	}
	/* OUT rises N + 1 pulses after the write */
	CHECK(tick_of(t) >= x0 + 1 + latch);
	CHECK(tick_of(t - 1000) < x0 + 1 + latch);
	CHECK_EQ(nyx_pit_port61_read(&pit, at(x0 + latch)) & 0x20, 0);
	CHECK_EQ(nyx_pit_port61_read(&pit, at(x0 + latch + 1)) & 0x20, 0x20);
	/* it stays high (mode 0 does not re-arm) and the counter wraps */
	CHECK_EQ(nyx_pit_port61_read(&pit, at(x0 + latch + 70000)) & 0x20,
		 0x20);
	CHECK_EQ(in16(0x42, at(x0 + latch + 2)), 0xffff);
}

/* Linux quick_pit_calibrate(): MSB of a 0xffff count, read LSB then MSB. */
static void test_linux_quick_calibrate(void)
{
	u64 t = 3000000000ull, x0, j;
	unsigned int i, bad = 0;

	nyx_pit_init(&pit, 0);
	nyx_pit_port61_write(&pit, 0x01, t);
	out(0x43, 0xb0, t);
	out(0x42, 0xff, t);
	out(0x42, 0xff, t);
	x0 = tick_of(t) + 1;			/* load pulse */
	/* pit_verify_msb(0): one dummy 16-bit read */
	in(0x42, t + 500);
	in(0x42, t + 1000);
	for (i = 0; i < 20000; i++) {
		u8 lsb, msb;

		t += 1500;
		lsb = in(0x42, t);
		msb = in(0x42, t + 700);
		j = tick_of(t) - x0;
		if (lsb != ((0xffff - j) & 0xff))
			bad++;
		j = tick_of(t + 700) - x0;
		if (msb != ((0xffff - j) >> 8))
			bad++;
	}
	CHECK_EQ(bad, 0);
	/* a control word resets the LSB/MSB read flip-flop */
	in(0x42, t);
	out(0x43, 0xb0, t);
	out(0x42, 0x34, t);
	out(0x42, 0x12, t);
	CHECK_EQ(in16(0x42, at(tick_of(t) + 1)), 0x1234);
}

/* Linux's PIT clockevent: periodic (0x34) at HZ = 1000 (LATCH 1193). */
static void test_mode2_periodic(void)
{
	u64 t = 1000000000ull, x0, now, next, total = 0;
	const u16 n = 1193;
	unsigned int i;
	int bad = 0;

	nyx_pit_init(&pit, t);
	program(0, 2, n, t);
	x0 = tick_of(t) + 1;
	/* the control word took OUT from low (idle mode 0) to high */
	CHECK_EQ(nyx_pit_irq0_edges(&pit, t), 1);
	/* first edge after n pulses, then every n */
	CHECK_EQ(nyx_pit_irq0_next(&pit, t), at(x0 + n));
	CHECK_EQ(nyx_pit_irq0_edges(&pit, at(x0 + n) - 1), 0);
	CHECK_EQ(nyx_pit_irq0_edges(&pit, at(x0 + n)), 1);
	CHECK_EQ(nyx_pit_irq0_next(&pit, at(x0 + n)), at(x0 + 2 * n));
	/* OUT: low exactly during pulse n - 1 of each period */
	CHECK_EQ(nyx_pit_out(&pit, 0, at(x0 + 2 * n - 2)), 1);
	CHECK_EQ(nyx_pit_out(&pit, 0, at(x0 + 2 * n - 1)), 0);
	CHECK_EQ(nyx_pit_out(&pit, 0, at(x0 + 2 * n)), 1);
	/* counter: n, n-1, ..., 1, n, ... */
	CHECK_EQ(in16(0x40, at(x0)), n);
	CHECK_EQ(in16(0x40, at(x0 + 1)), n - 1);
	CHECK_EQ(in16(0x40, at(x0 + n - 1)), 1);
	CHECK_EQ(in16(0x40, at(x0 + n)), n);
	/* follow the host timer 1000 times: one edge per expiry */
	now = at(x0 + 2 * n);
	CHECK_EQ(nyx_pit_irq0_edges(&pit, now), 1);
	for (i = 0; i < 1000; i++) {
		next = nyx_pit_irq0_next(&pit, now);
		if (next <= now || nyx_pit_irq0_edges(&pit, next) != 1)
			bad++;
		if (nyx_pit_irq0_edges(&pit, next) != 0)
			bad++;
		now = next;
		total++;
	}
	CHECK_EQ(bad, 0);
	CHECK_EQ(now, at(x0 + (2 + 1000) * (u64)n));
	/* no drift: after 10 days, edges == floor(j / n) exactly */
	now = t + 86400ull * 10 * 1000000000ull + 12345;
	total += 2 + nyx_pit_irq0_edges(&pit, now);
	CHECK_EQ(total, (tick_of(now) - x0) / n);
	CHECK_EQ(in16(0x40, now), n - (tick_of(now) - x0) % n);
	/* and after 100 years of uptime */
	now = 86400ull * 365 * 100 * 1000000000ull;
	total += nyx_pit_irq0_edges(&pit, now);
	CHECK_EQ(total, (tick_of(now) - x0) / n);
	CHECK_EQ(in16(0x40, now), n - (tick_of(now) - x0) % n);
	next = nyx_pit_irq0_next(&pit, now);
	CHECK_EQ(tick_of(next), x0 + ((tick_of(now) - x0) / n + 1) * n);
	CHECK(tick_of(next - 1) < tick_of(next));
}

static void test_mode2_new_count(void)
{
	u64 t = 1000000000ull, x0;

	nyx_pit_init(&pit, t);
	program(0, 2, 1000, t);
	x0 = tick_of(t) + 1;
	CHECK_EQ(nyx_pit_irq0_edges(&pit, t), 1);
	/* write 500 (no control word) at j = 250: applies at j = 1000 */
	out(0x40, 500 & 0xff, at(x0 + 250));
	out(0x40, 500 >> 8, at(x0 + 250));
	/* status: NULL COUNT until the reload */
	out(0x43, 0xe2, at(x0 + 300));
	CHECK_EQ(in(0x40, at(x0 + 300)), 0x80 | 0x40 | 0x34);
	CHECK_EQ(in16(0x40, at(x0 + 300)), 700);
	CHECK_EQ(nyx_pit_irq0_next(&pit, at(x0 + 300)), at(x0 + 1000));
	CHECK_EQ(nyx_pit_irq0_edges(&pit, at(x0 + 1000)), 1);
	out(0x43, 0xe2, at(x0 + 1000));
	CHECK_EQ(in(0x40, at(x0 + 1000)), 0x80 | 0x34);
	CHECK_EQ(in16(0x40, at(x0 + 1000)), 500);
	CHECK_EQ(nyx_pit_irq0_next(&pit, at(x0 + 1000)), at(x0 + 1500));
	CHECK_EQ(nyx_pit_irq0_edges(&pit, at(x0 + 3000)), 4);
	/* edges are banked across the switch even if not collected */
	out(0x40, 100, at(x0 + 3100));
	out(0x40, 0, at(x0 + 3100));
	CHECK_EQ(nyx_pit_irq0_edges(&pit, at(x0 + 4000)), 1 + 5);
	/* a control word restarts at once */
	program(0, 2, 10, at(x0 + 4005));
	CHECK_EQ(nyx_pit_irq0_next(&pit, at(x0 + 4005)), at(x0 + 4005 + 11));
	/* count 0 = 65536 */
	program(0, 2, 0, at(x0 + 5000));
	CHECK_EQ(nyx_pit_irq0_edges(&pit, at(x0 + 5000)), 99);
	CHECK_EQ(nyx_pit_irq0_next(&pit, at(x0 + 5000)), at(x0 + 5001 + 65536));
	CHECK_EQ(in16(0x40, at(x0 + 5001)), 0);
	CHECK_EQ(in16(0x40, at(x0 + 5002)), 0xffff);
}

static void test_mode3(void)
{
	static const u16 odd5[] = { 5, 4, 2, 5, 2 };
	u64 t = 1000000000ull, x0;
	unsigned int j;

	/* even count: half high, half low, counts down by two */
	nyx_pit_init(&pit, t);
	program(0, 3, 10, t);
	x0 = tick_of(t) + 1;
	CHECK_EQ(nyx_pit_irq0_edges(&pit, t), 1);
	for (j = 0; j < 30; j++) {
		CHECK_EQ(nyx_pit_out(&pit, 0, at(x0 + j)), j % 10 < 5);
		CHECK_EQ(in16(0x40, at(x0 + j)), 10 - 2 * (j % 5));
	}
	CHECK_EQ(nyx_pit_irq0_edges(&pit, at(x0 + 30)), 3);
	/* odd count: high 3, low 2; the data sheet's counter values */
	program(0, 3, 5, at(x0 + 999));
	x0 += 1000;
	for (j = 0; j < 25; j++) {
		CHECK_EQ(nyx_pit_out(&pit, 0, at(x0 + j)), j % 5 < 3);
		CHECK_EQ(in16(0x40, at(x0 + j)), odd5[j % 5]);
	}
	/* the default BIOS/DOS 18.2 Hz square wave: count 0 */
	program(0, 3, 0, at(x0 + 100));
	nyx_pit_irq0_edges(&pit, at(x0 + 100));
	CHECK_EQ(nyx_pit_irq0_next(&pit, at(x0 + 100)), at(x0 + 101 + 65536));
	CHECK_EQ(nyx_pit_out(&pit, 0, at(x0 + 101 + 32767)), 1);
	CHECK_EQ(nyx_pit_out(&pit, 0, at(x0 + 101 + 32768)), 0);
	/* count 1 (illegal): constant high, no edges */
	program(0, 3, 1, at(x0 + 200000));
	/* edges of the 65536 square wave at 65636, 131172, 196708 */
	CHECK_EQ(nyx_pit_irq0_edges(&pit, at(x0 + 200000)), 3);
	CHECK_EQ(nyx_pit_irq0_edges(&pit, at(x0 + 300000)), 0);
	CHECK_EQ(nyx_pit_out(&pit, 0, at(x0 + 300000)), 1);
	CHECK_EQ(nyx_pit_irq0_next(&pit, at(x0 + 300000)), NYX_PIT_NEVER);
}

static void test_mode3_new_count(void)
{
	u64 t = 1000000000ull, x0;

	nyx_pit_init(&pit, t);
	/* in the high half: the new count starts at the falling edge,
	 * continuing with its own low half */
	program(0, 3, 100, t);
	x0 = tick_of(t) + 1;
	CHECK_EQ(nyx_pit_irq0_edges(&pit, t), 1);
	out(0x40, 40, at(x0 + 10));
	out(0x40, 0, at(x0 + 10));
	CHECK_EQ(nyx_pit_irq0_next(&pit, at(x0 + 10)), at(x0 + 70));
	CHECK_EQ(nyx_pit_out(&pit, 0, at(x0 + 49)), 1);
	CHECK_EQ(nyx_pit_out(&pit, 0, at(x0 + 50)), 0);
	CHECK_EQ(in16(0x40, at(x0 + 50)), 40);
	CHECK_EQ(nyx_pit_out(&pit, 0, at(x0 + 69)), 0);
	CHECK_EQ(nyx_pit_out(&pit, 0, at(x0 + 70)), 1);
	CHECK_EQ(nyx_pit_irq0_edges(&pit, at(x0 + 150)), 3);	/* 70 110 150 */
	/* in the low half: the new count starts at the rising edge */
	program(0, 3, 100, at(x0 + 999));
	x0 += 1000;
	out(0x40, 30, at(x0 + 60));
	out(0x40, 0, at(x0 + 60));
	nyx_pit_irq0_edges(&pit, at(x0 + 60));
	CHECK_EQ(nyx_pit_irq0_next(&pit, at(x0 + 60)), at(x0 + 100));
	CHECK_EQ(nyx_pit_out(&pit, 0, at(x0 + 100)), 1);
	CHECK_EQ(nyx_pit_out(&pit, 0, at(x0 + 114)), 1);
	CHECK_EQ(nyx_pit_out(&pit, 0, at(x0 + 115)), 0);
	CHECK_EQ(nyx_pit_irq0_edges(&pit, at(x0 + 190)), 1 + 3);
}

/* Linux one-shot clockevent: 0x30 then pit_next_event() writes. */
static void test_mode0_oneshot(void)
{
	u64 t = 1000000000ull, x0, x1;

	nyx_pit_init(&pit, t);
	out(0x43, 0x30, t);
	CHECK_EQ(nyx_pit_out(&pit, 0, t), 0);
	CHECK_EQ(nyx_pit_irq0_next(&pit, t), NYX_PIT_NEVER);
	out(0x40, 1000 & 0xff, t);
	CHECK_EQ(nyx_pit_irq0_next(&pit, t), NYX_PIT_NEVER);
	out(0x40, 1000 >> 8, t);
	x0 = tick_of(t) + 1;
	CHECK_EQ(nyx_pit_irq0_next(&pit, t), at(x0 + 1000));
	CHECK_EQ(nyx_pit_out(&pit, 0, at(x0 + 999)), 0);
	CHECK_EQ(nyx_pit_out(&pit, 0, at(x0 + 1000)), 1);
	CHECK_EQ(nyx_pit_irq0_edges(&pit, at(x0 + 5000)), 1);
	CHECK_EQ(nyx_pit_irq0_next(&pit, at(x0 + 5000)), NYX_PIT_NEVER);
	/* next event: LSB drives OUT low and stops the counter */
	out(0x40, 200, at(x0 + 6000));
	CHECK_EQ(nyx_pit_out(&pit, 0, at(x0 + 6000)), 0);
	CHECK_EQ(in16(0x40, at(x0 + 6010)), in16(0x40, at(x0 + 6100)));
	out(0x40, 0, at(x0 + 6200));
	x1 = x0 + 6200 + 1;
	CHECK_EQ(nyx_pit_irq0_next(&pit, at(x0 + 6200)), at(x1 + 200));
	CHECK_EQ(nyx_pit_irq0_edges(&pit, at(x1 + 199)), 0);
	CHECK_EQ(nyx_pit_irq0_edges(&pit, at(x1 + 200)), 1);
	/* reprogram while still counting: the old expiry is cancelled */
	out(0x40, 0x10, at(x1 + 300));
	out(0x40, 0x27, at(x1 + 300));		/* 10000 */
	out(0x40, 0x10, at(x1 + 5000));
	out(0x40, 0x27, at(x1 + 5000));
	CHECK_EQ(nyx_pit_irq0_edges(&pit, at(x1 + 10301)), 0);
	CHECK_EQ(nyx_pit_irq0_edges(&pit, at(x1 + 15001)), 1);
	/* pit_shutdown(): 0x30, then count 0 = 65536 pulses */
	out(0x43, 0x30, at(x1 + 20000));
	out(0x40, 0, at(x1 + 20000));
	out(0x40, 0, at(x1 + 20000));
	CHECK_EQ(nyx_pit_irq0_next(&pit, at(x1 + 20000)),
		 at(x1 + 20001 + 65536));
}

static void test_mode4_5_1(void)
{
	u64 t = 1000000000ull, x0, xg;

	/* mode 4: one-pulse low strobe at j = n */
	nyx_pit_init(&pit, t);
	program(0, 4, 50, t);
	x0 = tick_of(t) + 1;
	CHECK_EQ(nyx_pit_irq0_edges(&pit, t), 1);
	CHECK_EQ(nyx_pit_irq0_next(&pit, t), at(x0 + 51));
	CHECK_EQ(nyx_pit_out(&pit, 0, at(x0 + 49)), 1);
	CHECK_EQ(nyx_pit_out(&pit, 0, at(x0 + 50)), 0);
	CHECK_EQ(nyx_pit_out(&pit, 0, at(x0 + 51)), 1);
	CHECK_EQ(nyx_pit_irq0_edges(&pit, at(x0 + 100000)), 1);
	/* a new count restarts at the next pulse (first byte: no effect) */
	program(0, 4, 50, at(x0 + 200000));
	out(0x40, 10, at(x0 + 200020));
	CHECK_EQ(in16(0x40, at(x0 + 200025)), 26);	/* still counting */
	out(0x40, 0, at(x0 + 200030));
	CHECK_EQ(nyx_pit_irq0_next(&pit, at(x0 + 200030)),
		 at(x0 + 200031 + 11));

	/* mode 5 on channel 2: waits for a gate edge */
	program(2, 5, 20, at(x0 + 99));
	CHECK_EQ(nyx_pit_out(&pit, 2, at(x0 + 100)), 1);
	nyx_pit_port61_write(&pit, 1, at(x0 + 100));
	xg = x0 + 101;
	CHECK_EQ(nyx_pit_out(&pit, 2, at(xg + 19)), 1);
	CHECK_EQ(nyx_pit_out(&pit, 2, at(xg + 20)), 0);
	CHECK_EQ(nyx_pit_out(&pit, 2, at(xg + 21)), 1);
	/* retrigger */
	nyx_pit_port61_write(&pit, 0, at(xg + 30));
	nyx_pit_port61_write(&pit, 1, at(xg + 40));
	CHECK_EQ(nyx_pit_out(&pit, 2, at(xg + 40 + 21)), 0);

	/* mode 1: retriggerable one-shot */
	x0 += 1000;
	nyx_pit_port61_write(&pit, 0, at(x0));
	program(2, 1, 100, at(x0));
	CHECK_EQ(nyx_pit_out(&pit, 2, at(x0)), 1);
	out(0x43, 0xe8, at(x0));		/* status of channel 2 */
	CHECK_EQ(in(0x42, at(x0)), 0x80 | 0x40 | 0x30 | 0x02);
	nyx_pit_port61_write(&pit, 1, at(x0 + 10));
	xg = x0 + 11;
	CHECK_EQ(nyx_pit_out(&pit, 2, at(xg)), 0);
	CHECK_EQ(nyx_pit_out(&pit, 2, at(xg + 99)), 0);
	CHECK_EQ(nyx_pit_out(&pit, 2, at(xg + 100)), 1);
	CHECK_EQ(in16(0x42, at(xg + 40)), 60);
	/* gate low does not stop mode 1; a new rising edge restarts */
	nyx_pit_port61_write(&pit, 0, at(xg + 150));
	nyx_pit_port61_write(&pit, 1, at(xg + 160));
	CHECK_EQ(nyx_pit_out(&pit, 2, at(xg + 161)), 0);
	CHECK_EQ(nyx_pit_out(&pit, 2, at(xg + 261)), 1);
	/* a new count is used at the next trigger only */
	out(0x42, 10, at(xg + 300));
	out(0x42, 0, at(xg + 300));
	CHECK_EQ(in16(0x42, at(xg + 310)), (u16)(100 - 149));
	nyx_pit_port61_write(&pit, 0, at(xg + 400));
	nyx_pit_port61_write(&pit, 1, at(xg + 400));
	CHECK_EQ(nyx_pit_out(&pit, 2, at(xg + 401 + 9)), 0);
	CHECK_EQ(nyx_pit_out(&pit, 2, at(xg + 401 + 10)), 1);
}

static void test_gate(void)
{
	u64 t = 1000000000ull, x0;

	/* mode 0: gate low pauses counting */
	nyx_pit_init(&pit, t);
	nyx_pit_port61_write(&pit, 1, t);
	program(2, 0, 100, t);
	x0 = tick_of(t) + 1;
	CHECK_EQ(in16(0x42, at(x0 + 30)), 70);
	nyx_pit_port61_write(&pit, 0, at(x0 + 30));
	CHECK_EQ(in16(0x42, at(x0 + 1000)), 70);
	CHECK_EQ(nyx_pit_port61_read(&pit, at(x0 + 1000)) & 0x21, 0);
	nyx_pit_port61_write(&pit, 1, at(x0 + 1000));
	CHECK_EQ(in16(0x42, at(x0 + 1010)), 60);
	CHECK_EQ(nyx_pit_out(&pit, 2, at(x0 + 1069)), 0);
	CHECK_EQ(nyx_pit_out(&pit, 2, at(x0 + 1070)), 1);
	/* count written with the gate low: loaded, counts once it rises */
	nyx_pit_port61_write(&pit, 0, at(x0 + 2000));
	program(2, 0, 100, at(x0 + 2000));
	CHECK_EQ(in16(0x42, at(x0 + 2500)), 100);
	nyx_pit_port61_write(&pit, 1, at(x0 + 3000));
	CHECK_EQ(in16(0x42, at(x0 + 3001)), 99);

	/* mode 2: gate low forces OUT high and stops; high restarts */
	program(2, 2, 10, at(x0 + 4000));
	CHECK_EQ(nyx_pit_out(&pit, 2, at(x0 + 4001 + 9)), 0);
	nyx_pit_port61_write(&pit, 0, at(x0 + 4001 + 9));
	CHECK_EQ(nyx_pit_out(&pit, 2, at(x0 + 4001 + 9)), 1);
	CHECK_EQ(in16(0x42, at(x0 + 5000)), 1);
	nyx_pit_port61_write(&pit, 1, at(x0 + 5000));
	CHECK_EQ(in16(0x42, at(x0 + 5001)), 10);
	CHECK_EQ(nyx_pit_out(&pit, 2, at(x0 + 5001 + 9)), 0);
	/* mode 2 count written while the gate is low waits for it */
	nyx_pit_port61_write(&pit, 0, at(x0 + 6000));
	program(2, 2, 10, at(x0 + 6000));
	CHECK_EQ(nyx_pit_out(&pit, 2, at(x0 + 6100)), 1);
	nyx_pit_port61_write(&pit, 1, at(x0 + 6100));
	CHECK_EQ(nyx_pit_out(&pit, 2, at(x0 + 6101 + 9)), 0);
}

static void test_latch_readback(void)
{
	u64 t = 1000000000ull, x0;

	nyx_pit_init(&pit, t);
	out(0x43, 0x34, t);
	/* status before the count: OUT high (mode 2), NULL COUNT */
	out(0x43, 0xe2, t);
	CHECK_EQ(in(0x40, t), 0x80 | 0x40 | 0x34);
	out(0x40, 0x00, t);
	out(0x40, 0x10, t);			/* 4096 */
	x0 = tick_of(t) + 1;
	out(0x43, 0xe2, at(x0));
	CHECK_EQ(in(0x40, at(x0)), 0x80 | 0x34);
	/* counter latch: frozen value until read; a second latch ignored */
	out(0x43, 0x00, at(x0 + 100));
	out(0x43, 0x00, at(x0 + 200));
	CHECK_EQ(in(0x40, at(x0 + 300)), (4096 - 100) & 0xff);
	out(0x43, 0x00, at(x0 + 400));		/* still latched (MSB due) */
	CHECK_EQ(in(0x40, at(x0 + 500)), (4096 - 100) >> 8);
	CHECK_EQ(in16(0x40, at(x0 + 600)), 4096 - 600);
	/* read-back of count and status of all channels */
	out(0x43, 0xc2 | 0x04 | 0x08, at(x0 + 700));
	CHECK_EQ(in(0x40, at(x0 + 800)), 0x80 | 0x34);	/* status first */
	CHECK_EQ(in16(0x40, at(x0 + 900)), 4096 - 700);
	CHECK_EQ(in(0x41, at(x0 + 900)), 0x40 | 0x30);	/* idle mode 0 */
	CHECK_EQ(in(0x42, at(x0 + 900)), 0x40 | 0x30);
	/* read-back count only, then a status read-back: status comes
	 * first, then the count latched earlier */
	out(0x43, 0xd2, at(x0 + 1000));
	out(0x43, 0xe2, at(x0 + 1100));
	CHECK_EQ(in(0x40, at(x0 + 1200)), 0x80 | 0x34);
	CHECK_EQ(in16(0x40, at(x0 + 1200)), 4096 - 1000);
	/* latch in LSB-only and MSB-only modes */
	out(0x43, 0x14, at(x0 + 2000));		/* LSB only, mode 2 */
	out(0x40, 0x80, at(x0 + 2000));
	CHECK_EQ(in(0x40, at(x0 + 2011)), 0x80 - 10);
	out(0x43, 0x00, at(x0 + 2021));
	CHECK_EQ(in(0x40, at(x0 + 2050)), 0x80 - 20);
	CHECK_EQ(in(0x40, at(x0 + 2050)), 0x80 - 49);
	out(0x43, 0x24, at(x0 + 3000));		/* MSB only */
	out(0x40, 0x12, at(x0 + 3000));
	CHECK_EQ(in16(0x40, at(x0 + 3001)), 0x1212);
	CHECK_EQ(pit.ch[0].n, 0x1200);
	out(0x43, 0x00, at(x0 + 3001 + 0x100));
	CHECK_EQ(in(0x40, at(x0 + 4000)), 0x11);
	/* a control word drops a pending latch */
	out(0x43, 0x00, at(x0 + 5000));
	out(0x43, 0x34, at(x0 + 5000));
	CHECK_EQ(pit.ch[0].latch_state, 0);
	/* read-back bit 0 and unselected channels: nothing latched */
	out(0x43, 0xc0, at(x0 + 5000));
	CHECK_EQ(pit.ch[0].status_latched | pit.ch[1].status_latched |
		 pit.ch[2].status_latched, 0);
}

static void test_bcd(void)
{
	u64 t = 1000000000ull, x0;

	nyx_pit_init(&pit, t);
	out(0x43, 0x35, t);			/* mode 2, BCD */
	out(0x40, 0x00, t);
	out(0x40, 0x01, t);			/* 0100 = 100 */
	x0 = tick_of(t) + 1;
	CHECK_EQ(nyx_pit_irq0_edges(&pit, t), 1);
	CHECK_EQ(in16(0x40, at(x0)), 0x0100);
	CHECK_EQ(in16(0x40, at(x0 + 1)), 0x0099);
	CHECK_EQ(in16(0x40, at(x0 + 37)), 0x0063);
	CHECK_EQ(nyx_pit_irq0_next(&pit, t), at(x0 + 100));
	out(0x43, 0xe2, at(x0 + 1));
	CHECK_EQ(in(0x40, at(x0 + 1)) & 0x3f, 0x35);
	/* BCD count 0 = 10000, mode 0 wraps to 9999 */
	CHECK_EQ(nyx_pit_irq0_edges(&pit, at(x0 + 1000)), 10);
	out(0x43, 0x31, at(x0 + 1000));
	out(0x40, 0, at(x0 + 1000));
	out(0x40, 0, at(x0 + 1000));
	CHECK_EQ(in16(0x40, at(x0 + 1001)), 0x0000);
	CHECK_EQ(in16(0x40, at(x0 + 1002)), 0x9999);
	CHECK_EQ(nyx_pit_irq0_next(&pit, at(x0 + 1000)), at(x0 + 1001 + 10000));
	/* invalid BCD digits: defined */
	out(0x43, 0x35, at(x0 + 20000));
	out(0x40, 0xff, at(x0 + 20000));
	out(0x40, 0xff, at(x0 + 20000));
	CHECK_EQ(pit.ch[0].n, 16665 % 10000);
	CHECK(in16(0x40, at(x0 + 20100)) <= 0x9999);
}

static void test_port61(void)
{
	u64 t = 1000000000ull;
	unsigned int i, toggles = 0;
	u8 prev;

	nyx_pit_init(&pit, t);
	nyx_pit_port61_write(&pit, 0xff, t);
	CHECK_EQ(nyx_pit_port61_read(&pit, t) & 0xcf, 0x0f);
	nyx_pit_port61_write(&pit, 0x02, t);
	CHECK_EQ(nyx_pit_port61_read(&pit, t) & 0x0f, 0x02);
	/* refresh toggles every 15.085 us */
	prev = nyx_pit_port61_read(&pit, 0) & 0x10;
	for (i = 1; i <= 100; i++) {
		u8 v = nyx_pit_port61_read(&pit, (u64)i * 15085) & 0x10;

		toggles += v != prev;
		prev = v;
	}
	CHECK_EQ(toggles, 100);
	/* OUT2 of a mode 3 square wave shows up in bit 5 */
	nyx_pit_port61_write(&pit, 0x03, t);
	program(2, 3, 1193, t);
	CHECK_EQ(nyx_pit_port61_read(&pit, at(tick_of(t) + 1)) & 0x20, 0x20);
	CHECK_EQ(nyx_pit_port61_read(&pit, at(tick_of(t) + 1 + 597)) & 0x20, 0);
}

static void test_save_load(void)
{
	struct nyx_pit_state st, bad;
	struct nyx_pit a, b;
	u64 t = 5000000000ull, x0, shift = 777777777777ull;
	unsigned int i;
	int diff = 0;

	nyx_pit_init(&pit, t);
	program(0, 2, 1000, t);
	x0 = tick_of(t) + 1;
	out(0x40, 0xf4, at(x0 + 100));
	out(0x40, 0x01, at(x0 + 100));		/* 500 pending */
	nyx_pit_port61_write(&pit, 1, at(x0 + 100));
	out(0x43, 0xb0, at(x0 + 100));
	out(0x42, 0x34, at(x0 + 100));		/* half-written */
	out(0x43, 0x50, at(x0 + 100));		/* ch1 LSB only mode 0 */
	out(0x41, 0x99, at(x0 + 100));
	out(0x43, 0x40, at(x0 + 150));		/* latch ch1 */
	nyx_pit_save(&pit, &st, at(x0 + 200));
	a = pit;
	/* load into another PIT at a very different time */
	nyx_pit_init(&b, 1);
	pit = b;
	CHECK_EQ(nyx_pit_load(&pit, &st, at(x0 + 200) + shift), 0);
	b = pit;
	/*
	 * Both must behave the same, shifted; the pulse grid of the copy is
	 * rebased, so compare at grid points of each.
	 */
	for (i = 0; i < 3000; i += 7) {
		u64 ta = at(x0 + 200 + i);
		u64 tb = at(tick_of(at(x0 + 200) + shift) + i);
		u8 va, vb;

		pit = a;
		va = in(0x40 + (i % 3), ta);
		va ^= (u8)nyx_pit_irq0_edges(&pit, ta) << 1;
		va ^= nyx_pit_port61_read(&pit, ta) & 0x20;
		a = pit;
		pit = b;
		vb = in(0x40 + (i % 3), tb);
		vb ^= (u8)nyx_pit_irq0_edges(&pit, tb) << 1;
		vb ^= nyx_pit_port61_read(&pit, tb) & 0x20;
		b = pit;
		diff += va != vb;
	}
	CHECK_EQ(diff, 0);

	/* corrupt states are rejected and change nothing */
	pit = a;
	nyx_pit_save(&pit, &st, at(x0 + 5000));
#define REJECT(stmt) do {						\
	bad = st; stmt;							\
	CHECK_EQ(nyx_pit_load(&pit, &bad, at(x0 + 5000)), -1);		\
	CHECK(memcmp(&pit, &a, sizeof(pit)) == 0);			\
} while (0)
	a = pit;
	REJECT(bad.ch[0].state = 4);
	REJECT(bad.ch[0].mode = 8);
	REJECT(bad.ch[0].rw = 0);
	REJECT(bad.ch[1].n = 0);
	REJECT(bad.ch[1].n = 65537);
	REJECT(bad.ch[0].bcd = 1; bad.ch[0].n = 10001);
	REJECT(bad.ch[0].gate = 0);
	REJECT(bad.ch[2].gate = 0);		/* port61 bit 0 set */
	REJECT(bad.port61 = 0x10);
	REJECT(bad.pad[0] = 1);
	REJECT(bad.ch[2].pad[6] = 1);
	REJECT(bad.ch[0].load_tick = 1ull << 60);
	REJECT(bad.irq_tick = (u64)-(1ll << 58));
	REJECT(bad.ch[0].pending = 1; bad.ch[0].pending_n = 0);
	REJECT(bad.ch[1].latch_state = 4);
	REJECT(bad.ch[1].state = NYX_PIT_ST_WAIT);	/* mode 0 */
	REJECT(bad.ch[0].frozen_j = 5);
	REJECT(bad.ch[2].frozen_write = 1; bad.ch[2].write_msb = 0);
	REJECT(bad.ch[1].null_forever = 1; bad.ch[1].null_until = 5);
#undef REJECT
	CHECK_EQ(nyx_pit_load(&pit, &st, at(x0 + 5000)), 0);
}

/*
 * Random programming of channel 0 checked against a pulse-by-pulse trace
 * of OUT: the edges reported must be exactly the rising edges seen.
 */
static void test_trace(void)
{
	unsigned int round, k;
	int bad = 0;

	srand(8254);
	for (round = 0; round < 300; round++) {
		u64 x = 1000 + rand() % 5000, edges = 0, seen = 0;
		int prev, o;

		nyx_pit_init(&pit, at(x));
		program(0, rand() % 6, 2 + rand() % 40, at(x));
		prev = nyx_pit_out(&pit, 0, at(x));
		edges = nyx_pit_irq0_edges(&pit, at(x)) - prev;
		for (k = 0; k < 3000; k++) {
			x++;
			/* sample OUT at the start of each pulse ... */
			o = nyx_pit_out(&pit, 0, at(x));
			seen += o && !prev;
			prev = o;
			if (rand() % 7 == 0)
				edges += nyx_pit_irq0_edges(&pit, at(x));
			/* ... and write within the pulse (count 1 would make
			 * mode 2 glitch high for less than a pulse) */
			if (rand() % 200 == 0) {
				u16 c = rand() % 50;
				u64 tw = at(x) + 400;

				if (c == 1)
					c = 0;
				switch (rand() % 3) {
				case 0:
					program(0, rand() % 8, c, tw);
					break;
				case 1:
					out(0x40, c & 0xff, tw);
					out(0x40, 0, tw);
					break;
				default:
					out(0x40, c & 0xff, tw);
					break;
				}
			}
			if (rand() % 50 == 0) {
				u64 nx = nyx_pit_irq0_next(&pit, at(x));

				if (nx != NYX_PIT_NEVER && nx < at(x))
					bad++;
			}
		}
		edges += nyx_pit_irq0_edges(&pit, at(x));
		if (edges != seen) {
			bad++;
			if (bad < 5)
				fprintf(stderr, "round %u: edges %llu seen %llu\n",
					round, (unsigned long long)edges,
					(unsigned long long)seen);
		}
	}
	CHECK_EQ(bad, 0);
}

/* next_edge must point exactly at the next rising edge of OUT */
static void test_next_exact(void)
{
	unsigned int round;
	int bad = 0;

	srand(1193);
	for (round = 0; round < 500; round++) {
		u64 x = 100 + rand() % 1000, nx, tx;
		unsigned int mode = (unsigned int[]){ 0, 2, 3, 4 }[rand() % 4];
		u16 n = 2 + rand() % 100;
		u64 j;

		nyx_pit_init(&pit, at(x));
		program(0, mode, n, at(x));
		x += rand() % 300;
		nyx_pit_irq0_edges(&pit, at(x));
		nx = nyx_pit_irq0_next(&pit, at(x));
		if (nx == NYX_PIT_NEVER)
			continue;
		tx = tick_of(nx);
		if (at(tx) != nx || tx <= x)
			bad++;
		/* no rising edge between x and tx, one at tx */
		for (j = x + 1; j < tx; j++)
			if (!nyx_pit_out(&pit, 0, at(j - 1)) &&
			    nyx_pit_out(&pit, 0, at(j)))
				bad++;
		if (nyx_pit_out(&pit, 0, at(tx - 1)) ||
		    !nyx_pit_out(&pit, 0, at(tx)))
			bad++;
	}
	CHECK_EQ(bad, 0);
}

static void test_random(void)
{
	struct nyx_pit_state st;
	u64 now = 1;
	unsigned int i;
	u8 v;

	srand(42);
	nyx_pit_init(&pit, now);
	for (i = 0; i < 300000; i++) {
		now += rand() % 3000;
		if (rand() % 1000 == 0)
			now += (u64)rand() << 20;
		switch (rand() % 8) {
		case 0:
		case 1:
			nyx_pit_port_write(&pit, 0x3e + rand() % 8, rand(), now);
			break;
		case 2:
		case 3:
			nyx_pit_port_read(&pit, 0x3e + rand() % 8, &v, now);
			break;
		case 4:
			nyx_pit_port61_write(&pit, rand(), now);
			v = nyx_pit_port61_read(&pit, now);
			break;
		case 5:
			nyx_pit_irq0_edges(&pit, now);
			break;
		case 6:
			if (nyx_pit_irq0_next(&pit, now) < now) {
				CHECK(0);
				return;
			}
			break;
		default:
			nyx_pit_save(&pit, &st, now);
			if (nyx_pit_load(&pit, &st, now)) {
				CHECK(0);
				return;
			}
			break;
		}
	}
	CHECK(1);
}

int main(void)
{
	test_conversions();
	test_power_on();
	test_linux_pit_calibrate();
	test_linux_quick_calibrate();
	test_mode2_periodic();
	test_mode2_new_count();
	test_mode3();
	test_mode3_new_count();
	test_mode0_oneshot();
	test_mode4_5_1();
	test_gate();
	test_latch_readback();
	test_bcd();
	test_port61();
	test_save_load();
	test_trace();
	test_next_exact();
	test_random();
	return test_summary("test_pit");
}
