// SPDX-License-Identifier: GPL-2.0
/* ACPI PM1 event/control blocks, PM timer, reset control register, the
 * machine poweroff/reset requests, and the POST port. */
#include "core/bus.h"
#include "core/irq.h"
#include "core/machine.h"
#include "core/stop.h"
#include "hw/acpi_pm.h"
#include "hw/post.h"
#include "launcher_test.h"
#include "test.h"

static u64 fake_ns;

static u64 fake_now(void *opaque)
{
	(void)opaque;
	return fake_ns;
}

static const struct clock_src fake_clock = { .now_ns = fake_now };
static struct acpi_pm pm;

static u64 in(u16 port, u32 len)
{
	u8 b[4];

	CHECK(bus_access(&pio_bus, port, b, len, false));
	return load_le(b, len);
}

static void out(u16 port, u64 v, u32 len)
{
	u8 b[4];

	store_le(b, v, len);
	quiet_begin();
	CHECK(bus_access(&pio_bus, port, b, len, true));
	quiet_end();
}

static int stop_status(void)
{
	int st = stop_requested() ? stop_wait(NULL) : -1;

	stop_reset();
	return st;
}

static void test_machine(void)
{
	stop_reset();
	quiet_begin();
	machine_poweroff_request();
	quiet_end();
	CHECK_EQ(stop_status(), NYX_EXIT_OK);
	quiet_begin();
	machine_reset_request();
	machine_poweroff_request();		/* the first request wins */
	quiet_end();
	CHECK_EQ(stop_status(), NYX_EXIT_GUEST_RESET);
}

static void test_events(void)
{
	acpi_pm_init(&pm, &fake_clock);
	irq_reset_observers();
	CHECK_EQ(in(0x604, 2), ACPI_PM1_SCI_EN);	/* ACPI mode */
	CHECK_EQ(in(0x600, 4), 0);
	/* power button: status only, until enabled */
	acpi_pm_power_button(&pm);
	CHECK_EQ(in(0x600, 2), ACPI_PM1_PWRBTN);
	CHECK(!irq_line_level(ACPI_PM_SCI_IRQ));
	out(0x602, ACPI_PM1_PWRBTN, 2);
	CHECK(irq_line_level(ACPI_PM_SCI_IRQ));
	CHECK_EQ(in(0x602, 2), ACPI_PM1_PWRBTN);
	CHECK_EQ(in(0x600, 4), ACPI_PM1_PWRBTN * 0x10001u);
	/* writing 0 changes nothing, writing 1 clears */
	out(0x600, 0, 2);
	CHECK(irq_line_level(ACPI_PM_SCI_IRQ));
	out(0x601, ACPI_PM1_PWRBTN >> 8, 1);	/* byte access, high half */
	CHECK(!irq_line_level(ACPI_PM_SCI_IRQ));
	CHECK_EQ(in(0x600, 2), 0);
	/* no SCI without SCI_EN */
	out(0x604, 0, 2);
	acpi_pm_power_button(&pm);
	CHECK(!irq_line_level(ACPI_PM_SCI_IRQ));
	out(0x604, ACPI_PM1_SCI_EN, 2);
	CHECK(irq_line_level(ACPI_PM_SCI_IRQ));
	/* one dword write of status (clear) and enable (0) */
	out(0x600, ACPI_PM1_PWRBTN, 4);
	CHECK(!irq_line_level(ACPI_PM_SCI_IRQ));
	CHECK_EQ(in(0x600, 4), 0);
	/* unknown enable bits do not stick */
	out(0x602, 0xffff, 2);
	CHECK_EQ(in(0x602, 2), ACPI_PM1_EN_MASK);
	CHECK_EQ(in(0x606, 2), 0xffff);		/* hole in the block */
}

static void test_sleep_and_reset(void)
{
	const u16 s5 = ACPI_PM_SLP_TYP_S5 << ACPI_PM1_SLP_TYP_SHIFT;
	struct acpi_pm_state st;

	acpi_pm_init(&pm, &fake_clock);
	stop_reset();
	/* ACPICA: SLP_TYP first, then SLP_TYP | SLP_EN */
	out(0x604, ACPI_PM1_SCI_EN | s5, 2);
	CHECK_EQ(stop_status(), -1);
	CHECK_EQ(in(0x604, 2), ACPI_PM1_SCI_EN | s5);
	out(0x604, ACPI_PM1_SCI_EN | s5 | ACPI_PM1_SLP_EN, 2);
	CHECK_EQ(stop_status(), NYX_EXIT_OK);
	CHECK_EQ(in(0x604, 2) & ACPI_PM1_SLP_EN, 0);	/* write-only */
	/* the high byte alone */
	out(0x605, (s5 | ACPI_PM1_SLP_EN) >> 8, 1);
	CHECK_EQ(stop_status(), NYX_EXIT_OK);
	/* other sleep states are not supported: nothing happens */
	out(0x604, (3 << ACPI_PM1_SLP_TYP_SHIFT) | ACPI_PM1_SLP_EN, 2);
	CHECK_EQ(stop_status(), -1);

	/* 0xcf9: 0x02 is latched, 0x06 and 0x0e reset */
	out(0xcf9, 0x02, 1);
	CHECK_EQ(stop_status(), -1);
	CHECK_EQ(in(0xcf9, 1), 0x02);
	out(0xcf9, 0x06, 1);
	CHECK_EQ(stop_status(), NYX_EXIT_GUEST_RESET);
	out(0xcf9, 0x0e, 1);
	CHECK_EQ(stop_status(), NYX_EXIT_GUEST_RESET);
	CHECK_EQ(in(0xcf9, 1), 0x0a);
	CHECK(!bus_access(&pio_bus, 0xcf8, &st, 1, false));
	CHECK(!bus_access(&pio_bus, 0xcfa, &st, 1, false));

	/* save/load */
	out(0x604, ACPI_PM1_SCI_EN, 2);
	acpi_pm_power_button(&pm);
	out(0x602, ACPI_PM1_PWRBTN, 2);
	acpi_pm_save(&pm, &st);
	irq_reset_observers();
	acpi_pm_init(&pm, &fake_clock);
	st.pm1_cnt |= ACPI_PM1_SLP_EN;		/* never restored */
	acpi_pm_load(&pm, &st);
	CHECK(irq_line_level(ACPI_PM_SCI_IRQ));
	CHECK_EQ(in(0x604, 2) & ACPI_PM1_SLP_EN, 0);
	CHECK_EQ(in(0xcf9, 1), 0x0a);
}

static void test_timer(void)
{
	acpi_pm_init(&pm, &fake_clock);
	fake_ns = 0;
	CHECK_EQ(in(0x608, 4), 0);
	fake_ns = NSEC_PER_SEC;
	CHECK_EQ(in(0x608, 4), 3579545);
	fake_ns = 10 * NSEC_PER_SEC + 500000000;
	CHECK_EQ(in(0x608, 4), 37585222);
	CHECK_EQ(in(0x60a, 2), 37585222 >> 16);
	/* 32 bits wide: wraps after ~20 minutes, no overflow after years */
	fake_ns = 1200 * NSEC_PER_SEC;
	CHECK_EQ(in(0x608, 4), (u32)(1200ull * 3579545));
	fake_ns = 100ull * 365 * 86400 * NSEC_PER_SEC;
	CHECK_EQ(in(0x608, 4), (u32)(100ull * 365 * 86400 * 3579545));
	out(0x608, 0, 4);			/* read-only */
	CHECK_EQ(in(0x608, 4), (u32)(100ull * 365 * 86400 * 3579545));
	CHECK_EQ(clock_ns_to_ticks(~0ull, 3579545),
		 ~0ull / NSEC_PER_SEC * 3579545 +
		 ~0ull % NSEC_PER_SEC * 3579545 / NSEC_PER_SEC);
}

static void test_post(void)
{
	struct post p, q;
	struct post_state st;

	post_init(&p);
	CHECK_EQ(post_register(&p), 0);
	out(0x80, 0x3c, 1);
	CHECK_EQ(in(0x80, 1), 0x3c);
	out(0x80, 0x1234, 2);			/* Linux's outb_p: any width */
	CHECK_EQ(in(0x80, 1), 0x34);
	post_save(&p, &st);
	post_init(&q);
	post_load(&q, &st);
	CHECK_EQ(q.st.code, 0x34);
}

int main(void)
{
	test_machine();
	acpi_pm_init(&pm, &fake_clock);
	CHECK_EQ(acpi_pm_register(&pm), 0);
	test_events();
	test_sleep_and_reset();
	test_timer();
	test_post();
	return test_summary("launcher_acpi_pm");
}
