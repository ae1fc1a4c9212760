/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ACPI fixed hardware, as the FADT describes it (arch/x86/acpi.c):
 *
 *   0x600  PM1a_EVT_BLK: PM1_STS (write 1 to clear), PM1_EN, 16 bits each
 *   0x604  PM1a_CNT_BLK: SCI_EN, SLP_TYP, SLP_EN. SLP_EN with SLP_TYP =
 *          ACPI_PM_SLP_TYP_S5 (the \_S5 value of the DSDT) powers off
 *   0x608  PM_TMR_BLK: 32-bit ACPI PM timer, 3.579545 MHz, host monotonic
 *   0xcf9  reset control register (FADT RESET_REG): bit 2 (RST_CPU)
 *          resets; Linux writes 0x06 (RESET_VALUE)
 *
 * The SCI is ISA IRQ 9, level triggered, active high: asserted while
 * SCI_EN and any enabled status bit (power button, timer overflow, global
 * release) is set. Power and reset go through core/machine.h.
 */
#ifndef NYX_ACPI_PM_H
#define NYX_ACPI_PM_H

#include <pthread.h>

#include "core/clock.h"

#define ACPI_PM_BASE		0x600
#define ACPI_PM_LEN		12
#define ACPI_PM1A_EVT_PORT	0x600
#define ACPI_PM1_EVT_LEN	4
#define ACPI_PM1A_CNT_PORT	0x604
#define ACPI_PM1_CNT_LEN	2
#define ACPI_PM_TMR_PORT	0x608
#define ACPI_PM_TMR_LEN		4
#define ACPI_PM_SCI_IRQ		9
#define ACPI_PM_TIMER_HZ	3579545
#define ACPI_PM_SLP_TYP_S5	5

#define RESET_CONTROL_PORT	0xcf9
#define RESET_CONTROL_VALUE	0x06	/* SYS_RST | RST_CPU */
#define RCR_SYS_RST		0x02
#define RCR_RST_CPU		0x04
#define RCR_FULL_RST		0x08

/* PM1 status / enable bits */
#define ACPI_PM1_TMR		(1u << 0)
#define ACPI_PM1_BM_STS		(1u << 4)	/* status only */
#define ACPI_PM1_GBL		(1u << 5)
#define ACPI_PM1_PWRBTN		(1u << 8)
#define ACPI_PM1_SLPBTN		(1u << 9)
#define ACPI_PM1_RTC		(1u << 10)
#define ACPI_PM1_WAK_STS	(1u << 15)	/* status only */
#define ACPI_PM1_STS_MASK	0x8731
#define ACPI_PM1_EN_MASK	0x0721

/* PM1 control bits */
#define ACPI_PM1_SCI_EN		(1u << 0)
#define ACPI_PM1_BM_RLD		(1u << 1)
#define ACPI_PM1_GBL_RLS	(1u << 2)	/* write only */
#define ACPI_PM1_SLP_TYP_SHIFT	10
#define ACPI_PM1_SLP_TYP	(7u << ACPI_PM1_SLP_TYP_SHIFT)
#define ACPI_PM1_SLP_EN		(1u << 13)	/* write only */

struct acpi_pm_state {
	u16 pm1_sts, pm1_en, pm1_cnt;
	u8 rcr;			/* reset control register */
};

struct acpi_pm {
	pthread_mutex_t lock;
	struct acpi_pm_state st;
	bool sci_level;
	struct clock_src clock;	/* the PM timer's time base */
};

/* Power-on state: SCI_EN set (no SMI_CMD: the OS starts in ACPI mode). */
void acpi_pm_init(struct acpi_pm *pm, const struct clock_src *clock);
int acpi_pm_register(struct acpi_pm *pm);

/* The power button was pressed (raises the SCI if the guest enabled
 * it): for a graceful host-initiated shutdown. */
void acpi_pm_power_button(struct acpi_pm *pm);

/* Bus handlers, exported for the unit tests. */
void acpi_pm_io_read(void *opaque, u64 offset, void *data, u32 len);
void acpi_pm_io_write(void *opaque, u64 offset, const void *data, u32 len);
void acpi_pm_rcr_read(void *opaque, u64 offset, void *data, u32 len);
void acpi_pm_rcr_write(void *opaque, u64 offset, const void *data, u32 len);

void acpi_pm_save(struct acpi_pm *pm, struct acpi_pm_state *st);
void acpi_pm_load(struct acpi_pm *pm, const struct acpi_pm_state *st);

#endif
