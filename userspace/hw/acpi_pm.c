// SPDX-License-Identifier: GPL-2.0
/*
 * ACPI PM1a event/control blocks, PM timer and the reset control
 * register. The PM block accepts any access width: bytes are gathered
 * into the registers they belong to, so "outw 0x604" and two "outb"s to
 * 0x604/0x605 behave the same.
 */
#include <string.h>

#include "core/bus.h"
#include "core/irq.h"
#include "core/machine.h"
#include "hw/acpi_pm.h"

#define OFF_STS		0
#define OFF_EN		2
#define OFF_CNT		4
#define OFF_TMR		8

/* Register value (as little-endian bytes) at block offsets [off, off+n). */
static u32 merge(u32 old, const u8 *bytes, const u8 *mask, unsigned int n,
		 u32 *written)
{
	u32 val = old, m = 0;
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (!mask[i])
			continue;
		val = (val & ~(0xffu << (8 * i))) | ((u32)bytes[i] << (8 * i));
		m |= 0xffu << (8 * i);
	}
	*written = m;
	return val;
}

static void update_sci(struct acpi_pm *pm)
{
	bool level = (pm->st.pm1_cnt & ACPI_PM1_SCI_EN) &&
		     (pm->st.pm1_sts & pm->st.pm1_en);

	if (level != pm->sci_level) {
		pm->sci_level = level;
		irq_line(ACPI_PM_SCI_IRQ, level);
	}
}

void acpi_pm_init(struct acpi_pm *pm, const struct clock_src *clock)
{
	memset(pm, 0, sizeof(*pm));
	pthread_mutex_init(&pm->lock, NULL);
	pm->clock = *clock;
	pm->st.pm1_cnt = ACPI_PM1_SCI_EN;
}

static u32 timer_value(struct acpi_pm *pm)
{
	/* 32 bits wide (FADT TMR_VAL_EXT). */
	return (u32)clock_ns_to_ticks(clock_now(&pm->clock),
				      ACPI_PM_TIMER_HZ);
}

void acpi_pm_io_read(void *opaque, u64 offset, void *data, u32 len)
{
	struct acpi_pm *pm = opaque;
	u8 block[ACPI_PM_LEN], *bytes = data;
	u32 i;

	memset(block, 0xff, sizeof(block));
	pthread_mutex_lock(&pm->lock);
	store_le(block + OFF_STS, pm->st.pm1_sts, 2);
	store_le(block + OFF_EN, pm->st.pm1_en, 2);
	store_le(block + OFF_CNT, pm->st.pm1_cnt, 2);
	if (offset + len > OFF_TMR)
		store_le(block + OFF_TMR, timer_value(pm), 4);
	pthread_mutex_unlock(&pm->lock);
	for (i = 0; i < len; i++)
		bytes[i] = offset + i < ACPI_PM_LEN ? block[offset + i] : 0xff;
}

static void write_cnt(struct acpi_pm *pm, u16 val)
{
	unsigned int typ = (val & ACPI_PM1_SLP_TYP) >> ACPI_PM1_SLP_TYP_SHIFT;

	/* SLP_EN and GBL_RLS are actions, never stored. */
	pm->st.pm1_cnt = val & (ACPI_PM1_SCI_EN | ACPI_PM1_BM_RLD |
				ACPI_PM1_SLP_TYP);
	if (!(val & ACPI_PM1_SLP_EN))
		return;
	if (typ == ACPI_PM_SLP_TYP_S5)
		machine_poweroff_request();
	else
		pr_debug("acpi: sleep type %u requested, only S5 (%u) is supported",
			 typ, ACPI_PM_SLP_TYP_S5);
}

void acpi_pm_io_write(void *opaque, u64 offset, const void *data, u32 len)
{
	struct acpi_pm *pm = opaque;
	u8 block[ACPI_PM_LEN] = { 0 }, mask[ACPI_PM_LEN] = { 0 };
	const u8 *bytes = data;
	u32 i, m, val;

	for (i = 0; i < len && offset + i < ACPI_PM_LEN; i++) {
		block[offset + i] = bytes[i];
		mask[offset + i] = 1;
	}
	pthread_mutex_lock(&pm->lock);
	val = merge(0, block + OFF_STS, mask + OFF_STS, 2, &m);
	pm->st.pm1_sts &= ~(val & m);			/* write 1 to clear */
	val = merge(pm->st.pm1_en, block + OFF_EN, mask + OFF_EN, 2, &m);
	pm->st.pm1_en = val & ACPI_PM1_EN_MASK;
	val = merge(pm->st.pm1_cnt, block + OFF_CNT, mask + OFF_CNT, 2, &m);
	if (m)
		write_cnt(pm, val);
	update_sci(pm);
	pthread_mutex_unlock(&pm->lock);
}

void acpi_pm_rcr_read(void *opaque, u64 offset, void *data, u32 len)
{
	struct acpi_pm *pm = opaque;

	memset(data, 0xff, len);
	if (offset == 0) {
		pthread_mutex_lock(&pm->lock);
		*(u8 *)data = pm->st.rcr;
		pthread_mutex_unlock(&pm->lock);
	}
}

void acpi_pm_rcr_write(void *opaque, u64 offset, const void *data, u32 len)
{
	struct acpi_pm *pm = opaque;
	u8 val = *(const u8 *)data;

	if (offset || !len)
		return;
	pthread_mutex_lock(&pm->lock);
	pm->st.rcr = val & (RCR_SYS_RST | RCR_FULL_RST);
	pthread_mutex_unlock(&pm->lock);
	/* Like the PIIX/ICH: RST_CPU going to 1 resets (0x06 or 0x0e). */
	if (val & RCR_RST_CPU)
		machine_reset_request();
}

void acpi_pm_power_button(struct acpi_pm *pm)
{
	pthread_mutex_lock(&pm->lock);
	pm->st.pm1_sts |= ACPI_PM1_PWRBTN;
	update_sci(pm);
	pthread_mutex_unlock(&pm->lock);
}

static const struct io_ops acpi_pm_ops = {
	.read = acpi_pm_io_read,
	.write = acpi_pm_io_write,
};

static const struct io_ops rcr_ops = {
	.read = acpi_pm_rcr_read,
	.write = acpi_pm_rcr_write,
};

int acpi_pm_register(struct acpi_pm *pm)
{
	int ret = register_pio(ACPI_PM_BASE, ACPI_PM_LEN, &acpi_pm_ops, pm);

	/* 0xcf9 alone: a future PCI host bridge must leave this byte of
	 * 0xcf8-0xcff to us, as QEMU's does. */
	return ret ? ret : register_pio(RESET_CONTROL_PORT, 1, &rcr_ops, pm);
}

void acpi_pm_save(struct acpi_pm *pm, struct acpi_pm_state *st)
{
	pthread_mutex_lock(&pm->lock);
	*st = pm->st;
	pthread_mutex_unlock(&pm->lock);
}

void acpi_pm_load(struct acpi_pm *pm, const struct acpi_pm_state *st)
{
	pthread_mutex_lock(&pm->lock);
	pm->st.pm1_sts = st->pm1_sts & ACPI_PM1_STS_MASK;
	pm->st.pm1_en = st->pm1_en & ACPI_PM1_EN_MASK;
	pm->st.pm1_cnt = st->pm1_cnt & (ACPI_PM1_SCI_EN | ACPI_PM1_BM_RLD |
					ACPI_PM1_SLP_TYP);
	pm->st.rcr = st->rcr & (RCR_SYS_RST | RCR_FULL_RST);
	update_sci(pm);
	pthread_mutex_unlock(&pm->lock);
}
