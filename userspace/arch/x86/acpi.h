/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minimal ACPI tables for a PC with one PCI root bridge:
 *
 *   RSDP (v2)  at the start of the firmware area (0xf0000), where Linux
 *              scans, and also handed over in boot_params.acpi_rsdp_addr
 *              and hvm_start_info.rsdp_paddr
 *   XSDT/RSDT  -> FADT, MADT, MCFG
 *   FADT (6.0) -> FACS, DSDT; PM1a event/control and PM timer blocks,
 *              SCI on IRQ 9, reset register 0xcf9 = 0x06, 8042 and legacy
 *              devices present, no VGA, no SMI_CMD (already in ACPI mode)
 *   MADT       a LAPIC per vCPU, the IOAPIC, IRQ0 -> GSI 2 and SCI
 *              (level, active high) overrides, LINT1 NMI on all CPUs
 *   MCFG       the PCI ECAM window (segment 0, the buses that exist)
 *   DSDT       \_S5 (SLP_TYP ACPI_PM_SLP_TYP_S5, for poweroff) and \_SB
 *              with \_SB.PCI0 (PNP0A08/PNP0A03: _CRS bus/I/O/MMIO
 *              windows, _PRT INTx -> GSI 16-23) and \_SB.PCI0.PDRC
 *              (PNP0C02, reserves the ECAM window)
 * All in the e820-reserved F-segment, built with the shared checksum
 * helper and the AML emitter.
 */
#ifndef NYX_X86_ACPI_H
#define NYX_X86_ACPI_H

#include "core/util.h"

struct fw_area;

#define ACPI_OEM_ID		"NYX   "	/* 6 */
#define ACPI_OEM_TABLE_ID	"NYXVM   "	/* 8 */
#define ACPI_CREATOR_ID		"NYX "		/* 4 */

/* Common header */
#define ACPI_HDR_SIZE		36
#define ACPI_HDR_LENGTH		4
#define ACPI_HDR_REVISION	8
#define ACPI_HDR_CHECKSUM	9

/* RSDP */
#define RSDP_SIZE		36
#define RSDP_V1_SIZE		20
#define RSDP_CHECKSUM		8
#define RSDP_REVISION		15
#define RSDP_RSDT		16
#define RSDP_LENGTH		20
#define RSDP_XSDT		24
#define RSDP_EXT_CHECKSUM	32

/* FADT (revision 6, ACPI 6.0) */
#define FADT_REVISION		6
#define FADT_MINOR_REVISION	0
#define FADT_SIZE		276
#define FADT_FIRMWARE_CTRL	36
#define FADT_DSDT		40
#define FADT_SCI_INT		46
#define FADT_SMI_CMD		48
#define FADT_PM1A_EVT_BLK	56
#define FADT_PM1A_CNT_BLK	64
#define FADT_PM_TMR_BLK		76
#define FADT_PM1_EVT_LEN	88
#define FADT_PM1_CNT_LEN	89
#define FADT_PM_TMR_LEN		91
#define FADT_P_LVL2_LAT		96
#define FADT_P_LVL3_LAT		98
#define FADT_CENTURY		108
#define FADT_IAPC_BOOT_ARCH	109
#define FADT_FLAGS		112
#define FADT_RESET_REG		116
#define FADT_RESET_VALUE	128
#define FADT_MINOR_VERSION	131
#define FADT_X_FIRMWARE_CTRL	132
#define FADT_X_DSDT		140
#define FADT_X_PM1A_EVT_BLK	148
#define FADT_X_PM1A_CNT_BLK	172
#define FADT_X_PM_TMR_BLK	208
#define FADT_HYPERVISOR_ID	268

#define ACPI_BOOT_LEGACY_DEVICES (1u << 0)
#define ACPI_BOOT_8042		(1u << 1)
#define ACPI_BOOT_NO_VGA	(1u << 2)

#define ACPI_FADT_WBINVD	(1u << 0)
#define ACPI_FADT_C1_SUPPORTED	(1u << 2)
#define ACPI_FADT_SLEEP_BUTTON	(1u << 5)	/* no fixed sleep button */
#define ACPI_FADT_FIXED_RTC	(1u << 6)	/* no RTC wake status */
#define ACPI_FADT_32BIT_TIMER	(1u << 8)	/* TMR_VAL_EXT */
#define ACPI_FADT_RESET_REGISTER (1u << 10)
#define ACPI_FADT_HW_REDUCED	(1u << 20)

/* Generic Address Structure */
#define ACPI_GAS_SIZE		12
#define ACPI_SPACE_IO		1
#define ACPI_ACCESS_BYTE	1
#define ACPI_ACCESS_WORD	2
#define ACPI_ACCESS_DWORD	3

/* FACS */
#define FACS_SIZE		64
#define FACS_ALIGN		64

/* MADT */
#define MADT_REVISION		4
#define MADT_LAPIC_ADDR		36
#define MADT_FLAGS		40
#define MADT_PCAT_COMPAT	1
#define MADT_ENTRIES		44
#define MADT_TYPE_LAPIC		0
#define MADT_TYPE_IOAPIC	1
#define MADT_TYPE_OVERRIDE	2
#define MADT_TYPE_LAPIC_NMI	4
#define MADT_LAPIC_SIZE		8
#define MADT_IOAPIC_SIZE	12
#define MADT_OVERRIDE_SIZE	10
#define MADT_LAPIC_NMI_SIZE	6
#define MADT_LAPIC_ENABLED	1
#define ACPI_IRQ_LEVEL_HIGH	0x000d	/* polarity 01, trigger 11 */

/* MCFG */
#define MCFG_SIZE		60
#define MCFG_BASE		44
#define MCFG_SEGMENT		52
#define MCFG_START_BUS		54
#define MCFG_END_BUS		55

struct acpi_config {
	unsigned int nr_cpus;
	bool pm_timer;		/* advertise the PM timer (PM_TMR_BLK) */
};

/* Build every table; *rsdp is where the RSDP went. Returns 0 or -ENOSPC. */
int acpi_build(struct fw_area *a, const struct acpi_config *c, u64 *rsdp);

/* Size of the MADT for nr_cpus. */
u64 acpi_madt_size(unsigned int nr_cpus);

/* The DSDT's AML body (without the table header). Returns its length or
 * -1 if it does not fit in cap bytes. */
long acpi_dsdt_aml(u8 *buf, size_t cap);

#endif
