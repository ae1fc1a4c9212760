// SPDX-License-Identifier: GPL-2.0
/* MC146818 RTC/CMOS on a fake clock: time formats, UIP, setting the time,
 * periodic/update/alarm interrupts on IRQ 8, CMOS fields, save/load, and
 * the timer thread on the real clock. */
#include <time.h>

#include "core/bus.h"
#include "core/irq.h"
#include "hw/rtc.h"
#include "test.h"

#define T0	1709251198ull	/* Thu 2024-02-29 23:59:58 UTC */
#define NS	NSEC_PER_SEC

static u64 fake_ns;

static u64 fake_now(void *opaque)
{
	(void)opaque;
	return fake_ns;
}

static const struct clock_src fake_clock = { .now_ns = fake_now };
static struct rtc r;

static u8 reg(unsigned int i)
{
	return rtc_cmos_read(&r, i);
}

static void set(unsigned int i, u8 v)
{
	rtc_cmos_write(&r, i, v);
}

static void fresh(u64 now)
{
	fake_ns = now;
	rtc_init(&r, &fake_clock);
	irq_reset_observers();
}

static void test_calendar(void)
{
	s64 d, y;
	unsigned int m, day;
	bool ok = true;

	CHECK_EQ(rtc_days_from_civil(1970, 1, 1), 0);
	CHECK_EQ(rtc_days_from_civil(2000, 3, 1), 11017);
	CHECK_EQ(rtc_days_from_civil(1900, 1, 1), (u64)-25567);
	for (d = -25567; d < 60000; d++) {
		rtc_civil_from_days(d, &y, &m, &day);
		ok &= rtc_days_from_civil(y, m, day) == d;
		ok &= m >= 1 && m <= 12 && day >= 1 && day <= 31;
	}
	CHECK(ok);
	rtc_civil_from_days(19782, &y, &m, &day);	/* 2024-02-29 */
	CHECK_EQ(y, 2024);
	CHECK_EQ(m, 2);
	CHECK_EQ(day, 29);
}

static void test_time_formats(void)
{
	fresh(T0 * NS + NS / 2);
	CHECK_EQ(reg(RTC_REG_A), 0x26);
	CHECK_EQ(reg(RTC_REG_B), RTC_B_24H);
	CHECK_EQ(reg(RTC_REG_C), 0);
	CHECK_EQ(reg(RTC_REG_D), RTC_D_VRT);
	/* BCD, 24 hours */
	CHECK_EQ(reg(RTC_SECONDS), 0x58);
	CHECK_EQ(reg(RTC_MINUTES), 0x59);
	CHECK_EQ(reg(RTC_HOURS), 0x23);
	CHECK_EQ(reg(RTC_DAY_OF_WEEK), 5);	/* Thursday, Sunday = 1 */
	CHECK_EQ(reg(RTC_DAY_OF_MONTH), 0x29);
	CHECK_EQ(reg(RTC_MONTH), 0x02);
	CHECK_EQ(reg(RTC_YEAR), 0x24);
	CHECK_EQ(reg(CMOS_CENTURY), 0x20);
	/* two seconds later: a leap day rolls into March */
	fake_ns += 2 * NS;
	CHECK_EQ(reg(RTC_SECONDS), 0x00);
	CHECK_EQ(reg(RTC_HOURS), 0x00);
	CHECK_EQ(reg(RTC_DAY_OF_MONTH), 0x01);
	CHECK_EQ(reg(RTC_MONTH), 0x03);
	CHECK_EQ(reg(RTC_DAY_OF_WEEK), 6);
	/* binary */
	set(RTC_REG_B, RTC_B_24H | RTC_B_DM_BINARY);
	CHECK_EQ(reg(RTC_YEAR), 24);
	CHECK_EQ(reg(CMOS_CENTURY), 20);
	CHECK_EQ(reg(RTC_DAY_OF_MONTH), 1);
	/* 12-hour: midnight is 12 AM, 23:xx is 11 PM */
	set(RTC_REG_B, 0);
	CHECK_EQ(reg(RTC_HOURS), 0x12);
	fake_ns -= 2 * NS;
	CHECK_EQ(reg(RTC_HOURS), 0x91);
	fake_ns -= 12 * 3600 * NS;		/* 11:59:58 AM */
	CHECK_EQ(reg(RTC_HOURS), 0x11);
	fake_ns += 2 * NS;			/* 12:00:00 PM */
	CHECK_EQ(reg(RTC_HOURS), 0x92);
	set(RTC_REG_B, RTC_B_DM_BINARY);
	CHECK_EQ(reg(RTC_HOURS), 0x8c);		/* 12 PM, binary */
}

static void test_uip(void)
{
	fresh(T0 * NS + NS - 300000);
	CHECK_EQ(reg(RTC_REG_A) & RTC_A_UIP, 0);
	fake_ns = T0 * NS + NS - 200000;	/* inside the last 244 us */
	CHECK_EQ(reg(RTC_REG_A) & RTC_A_UIP, RTC_A_UIP);
	fake_ns = T0 * NS + NS;			/* the update happened */
	CHECK_EQ(reg(RTC_REG_A) & RTC_A_UIP, 0);
	fake_ns = T0 * NS + NS - 1;
	set(RTC_REG_B, RTC_B_24H | RTC_B_SET);	/* stopped: never UIP */
	CHECK_EQ(reg(RTC_REG_A) & RTC_A_UIP, 0);
	set(RTC_REG_A, 0xff);			/* UIP is read-only */
	CHECK_EQ(r.st.cmos[RTC_REG_A], 0x7f);
	reg(RTC_REG_C);				/* flags of the time spent */
	set(RTC_REG_C, 0xff);			/* C and D are read-only */
	set(RTC_REG_D, 0);
	CHECK_EQ(reg(RTC_REG_C), 0);
	CHECK_EQ(reg(RTC_REG_D), RTC_D_VRT);
}

static void test_set_time(void)
{
	fresh(T0 * NS);
	/* the way Linux does it: SET, write everything, clear SET */
	set(RTC_REG_B, RTC_B_24H | RTC_B_SET | RTC_B_UIE);
	CHECK_EQ(reg(RTC_REG_B), RTC_B_24H | RTC_B_SET);	/* UIE cleared */
	set(RTC_SECONDS, 0x30);
	set(RTC_MINUTES, 0x45);
	set(RTC_HOURS, 0x12);
	set(RTC_DAY_OF_MONTH, 0x31);
	set(RTC_MONTH, 0x12);
	set(RTC_YEAR, 0x99);
	set(CMOS_CENTURY, 0x19);
	fake_ns += 5 * NS;			/* frozen while SET */
	CHECK_EQ(reg(RTC_SECONDS), 0x30);
	set(RTC_REG_B, RTC_B_24H);
	fake_ns += 31 * NS;			/* 12:46:01 */
	CHECK_EQ(reg(RTC_SECONDS), 0x01);
	CHECK_EQ(reg(RTC_MINUTES), 0x46);
	CHECK_EQ(reg(RTC_YEAR), 0x99);
	CHECK_EQ(reg(CMOS_CENTURY), 0x19);
	fake_ns += 12 * 3600 * NS;		/* into 2000 */
	CHECK_EQ(reg(RTC_YEAR), 0x00);
	CHECK_EQ(reg(CMOS_CENTURY), 0x20);
	CHECK_EQ(reg(RTC_MONTH), 0x01);

	/* one field written while running: the others keep their time */
	fresh(T0 * NS);
	set(RTC_MINUTES, 0x10);
	CHECK_EQ(reg(RTC_MINUTES), 0x10);
	CHECK_EQ(reg(RTC_HOURS), 0x23);
	CHECK_EQ(reg(RTC_SECONDS), 0x58);
	fake_ns += NS;
	CHECK_EQ(reg(RTC_SECONDS), 0x59);

	/* a divider reset stops the clock as SET does */
	set(RTC_REG_A, 0x70 | 6);
	fake_ns += 10 * NS;
	CHECK_EQ(reg(RTC_SECONDS), 0x59);
	set(RTC_REG_A, 0x26);
	fake_ns += NS;
	CHECK_EQ(reg(RTC_SECONDS), 0x00);

	/* garbage in the registers: clamped, no crash */
	set(RTC_REG_B, RTC_B_24H | RTC_B_SET);
	set(RTC_MONTH, 0xff);
	set(RTC_DAY_OF_MONTH, 0x00);
	set(RTC_HOURS, 0xee);
	set(RTC_REG_B, RTC_B_24H);
	CHECK_EQ(reg(RTC_MONTH), 0x12);
	CHECK_EQ(reg(RTC_HOURS), 0x23);
}

static void test_interrupts(void)
{
	fresh(T0 * NS + 1000);
	/* periodic: 1024 Hz selected, flag without PIE, no IRQ */
	fake_ns += NS / 1000;
	CHECK_EQ(reg(RTC_REG_C), RTC_C_PF);
	CHECK(!irq_line_level(RTC_IRQ));
	set(RTC_REG_B, RTC_B_24H | RTC_B_PIE);
	CHECK_EQ(rtc_next_event(&r) > fake_ns, 1);
	CHECK(rtc_next_event(&r) - fake_ns <= NS / 1024 + 1);
	fake_ns = rtc_next_event(&r);
	rtc_update(&r);
	CHECK(irq_line_level(RTC_IRQ));
	CHECK_EQ(irq_line_edges(RTC_IRQ), 1);
	CHECK_EQ(reg(RTC_REG_C), RTC_C_IRQF | RTC_C_PF);
	CHECK(!irq_line_level(RTC_IRQ));	/* reading C drops it */
	CHECK_EQ(reg(RTC_REG_C), 0);
	/* rate 0: no periodic interrupt, nothing to wake for */
	set(RTC_REG_A, 0x20);
	fake_ns += NS / 10;
	CHECK_EQ(reg(RTC_REG_C) & RTC_C_PF, 0);
	CHECK_EQ(rtc_next_event(&r), 0);
	/* rate 15: 2 Hz */
	set(RTC_REG_A, 0x2f);
	fake_ns = (T0 + 1) * NS;
	reg(RTC_REG_C);
	fake_ns += NS / 2 - 1;
	CHECK_EQ(reg(RTC_REG_C) & RTC_C_PF, 0);
	fake_ns += 1;
	CHECK_EQ(reg(RTC_REG_C) & RTC_C_PF, RTC_C_PF);
	set(RTC_REG_B, RTC_B_24H);

	/* update-ended: once per second (periodic off from here) */
	set(RTC_REG_A, 0x20);
	fake_ns = (T0 + 2) * NS + 5;
	reg(RTC_REG_C);
	set(RTC_REG_B, RTC_B_24H | RTC_B_UIE);
	CHECK_EQ(rtc_next_event(&r), (T0 + 3) * NS);
	fake_ns = (T0 + 3) * NS - 1;
	CHECK_EQ(reg(RTC_REG_C) & RTC_C_UF, 0);
	fake_ns += 1;
	rtc_update(&r);
	CHECK(irq_line_level(RTC_IRQ));
	CHECK_EQ(reg(RTC_REG_C), RTC_C_IRQF | RTC_C_UF);

	/* alarm at 00:00:02 (T0 + 4), BCD */
	set(RTC_REG_B, RTC_B_24H | RTC_B_AIE);
	set(RTC_SECONDS_ALARM, 0x02);
	set(RTC_MINUTES_ALARM, 0x00);
	set(RTC_HOURS_ALARM, 0x00);
	fake_ns = (T0 + 3) * NS + NS / 2;
	CHECK_EQ(reg(RTC_REG_C) & RTC_C_AF, 0);
	fake_ns = (T0 + 4) * NS;
	CHECK_EQ(reg(RTC_REG_C), RTC_C_IRQF | RTC_C_AF | RTC_C_UF);
	fake_ns += 10 * NS;			/* passed: no new alarm */
	CHECK_EQ(reg(RTC_REG_C) & RTC_C_AF, 0);
	/* the alarm is found even if nobody looked for a day */
	fake_ns += 86400 * NS;
	CHECK_EQ(reg(RTC_REG_C) & RTC_C_AF, RTC_C_AF);
	/* don't-care fields: every second */
	set(RTC_SECONDS_ALARM, 0xc0);
	set(RTC_MINUTES_ALARM, 0xff);
	set(RTC_HOURS_ALARM, 0xd0);
	reg(RTC_REG_C);
	fake_ns += NS;
	CHECK_EQ(reg(RTC_REG_C) & RTC_C_AF, RTC_C_AF);
	/* a clock that goes backwards is harmless */
	fake_ns -= 100 * NS;
	CHECK_EQ(reg(RTC_REG_C) & (RTC_C_AF | RTC_C_UF), 0);
	/* enabling an interrupt whose flag is pending raises IRQF at once */
	set(RTC_REG_B, RTC_B_24H);
	reg(RTC_REG_C);
	fake_ns += 200 * NS;
	set(RTC_REG_B, RTC_B_24H | RTC_B_UIE);
	CHECK(irq_line_level(RTC_IRQ));
}

static void test_cmos_and_ports(void)
{
	struct rtc_state st;
	struct rtc other;
	u8 b;
	int i;

	fresh(T0 * NS);
	rtc_set_machine_info(&r, 3 * SZ_1G, 2 * SZ_1G, 4);
	CHECK_EQ(reg(0x15) | reg(0x16) << 8, 640);
	CHECK_EQ(reg(0x17) | reg(0x18) << 8, 0xffff);
	CHECK_EQ(reg(0x30) | reg(0x31) << 8, 0xffff);
	CHECK_EQ(reg(0x34) | reg(0x35) << 8, (3 * SZ_1G - 16 * SZ_1M) >> 16);
	CHECK_EQ(reg(0x5b) | reg(0x5c) << 8 | reg(0x5d) << 16,
		 (2 * SZ_1G) >> 16);
	CHECK_EQ(reg(0x5f), 3);
	rtc_set_machine_info(&r, 32 * SZ_1M, 0, 1);
	CHECK_EQ(reg(0x17) | reg(0x18) << 8, 31 * 1024);
	CHECK_EQ(reg(0x34) | reg(0x35) << 8, 16 * SZ_1M >> 16);
	CHECK_EQ(reg(0x5b) | reg(0x5c) | reg(0x5d), 0);
	CHECK_EQ(reg(0x5f), 0);

	/* NVRAM */
	for (i = 0x40; i < 0x80; i++)
		set(i, i ^ 0x5a);
	for (i = 0x40; i < 0x80; i++)
		CHECK_EQ(reg(i), i ^ 0x5a);

	/* ports: index with the NMI mask bit, data */
	CHECK_EQ(rtc_register(&r), 0);
	b = 0x80 | 0x45;
	CHECK(bus_access(&pio_bus, 0x70, &b, 1, true));
	CHECK(rtc_nmi_disabled(&r));
	CHECK(bus_access(&pio_bus, 0x71, &b, 1, false));
	CHECK_EQ(b, 0x45 ^ 0x5a);
	b = 0x77;
	CHECK(bus_access(&pio_bus, 0x71, &b, 1, true));
	CHECK_EQ(reg(0x45), 0x77);
	b = RTC_SECONDS;
	CHECK(bus_access(&pio_bus, 0x70, &b, 1, true));
	CHECK(!rtc_nmi_disabled(&r));
	CHECK(bus_access(&pio_bus, 0x71, &b, 1, false));
	CHECK_EQ(b, 0x58);
	CHECK(bus_access(&pio_bus, 0x70, &b, 1, false));
	CHECK_EQ(b, 0xff);			/* index port: write-only */
	CHECK(!bus_access(&pio_bus, 0x72, &b, 1, false));

	/* save/load keeps the guest's time offset */
	set(RTC_REG_B, RTC_B_24H | RTC_B_SET);
	set(RTC_YEAR, 0x42);
	set(RTC_REG_B, RTC_B_24H);
	rtc_save(&r, &st);
	fake_ns += 3600 * NS;
	rtc_init(&other, &fake_clock);
	rtc_load(&other, &st);
	CHECK_EQ(rtc_cmos_read(&other, RTC_YEAR), 0x42);
	CHECK_EQ(rtc_cmos_read(&other, RTC_HOURS), 0x00);	/* +1h */
	CHECK_EQ(rtc_cmos_read(&other, 0x45), 0x77);
	st.index = 0xff;			/* hostile snapshot */
	rtc_load(&other, &st);
	CHECK(other.st.index < CMOS_SIZE);
}

/* The timer thread raises IRQ 8 on its own at 1024 Hz. */
static void test_timer_thread(void)
{
	struct timespec ts = { 0, 5 * 1000 * 1000 };
	int i;

	rtc_init(&r, &clock_realtime);
	irq_reset_observers();
	CHECK_EQ(rtc_start_timer(&r), 0);
	nanosleep(&ts, NULL);
	CHECK(!irq_line_level(RTC_IRQ));	/* nothing enabled */
	rtc_cmos_write(&r, RTC_REG_B, RTC_B_24H | RTC_B_PIE);
	for (i = 0; i < 200 && !irq_line_level(RTC_IRQ); i++)
		nanosleep(&ts, NULL);
	CHECK(irq_line_level(RTC_IRQ));
	CHECK_EQ(rtc_cmos_read(&r, RTC_REG_C) & RTC_C_IRQF, RTC_C_IRQF);
	rtc_stop_timer(&r);
	rtc_stop_timer(&r);			/* twice is fine */
}

int main(void)
{
	test_calendar();
	test_time_formats();
	test_uip();
	test_set_time();
	test_interrupts();
	test_cmos_and_ports();
	test_timer_thread();
	return test_summary("launcher_rtc");
}
