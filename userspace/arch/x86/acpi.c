// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>

#include "arch/x86/acpi.h"
#include "arch/x86/aml.h"
#include "arch/x86/fw.h"
#include "arch/x86/pc.h"
#include "hw/acpi_pm.h"
#include "hw/rtc.h"

#define DSDT_AML_MAX		4096
#define XSDT_ENTRIES		3	/* FADT, MADT, MCFG */

/* A table with its common header filled in; the checksum comes last. */
static u8 *new_table(struct fw_area *a, const char *sig, u32 len, u8 rev,
		     u64 *gpa)
{
	u8 *t = fw_alloc(a, len, 16, gpa);

	if (!t)
		return NULL;
	memcpy(t, sig, 4);
	store_le(t + ACPI_HDR_LENGTH, len, 4);
	t[ACPI_HDR_REVISION] = rev;
	memcpy(t + 10, ACPI_OEM_ID, 6);
	memcpy(t + 16, ACPI_OEM_TABLE_ID, 8);
	store_le(t + 24, 1, 4);			/* OEM revision */
	memcpy(t + 28, ACPI_CREATOR_ID, 4);
	store_le(t + 32, 1, 4);			/* creator revision */
	return t;
}

static void finish_table(u8 *t)
{
	fw_set_checksum(t, load_le(t + ACPI_HDR_LENGTH, 4), ACPI_HDR_CHECKSUM);
}

static void put_gas(u8 *p, u8 bits, u8 access, u64 port)
{
	p[0] = ACPI_SPACE_IO;
	p[1] = bits;
	p[2] = 0;			/* bit offset */
	p[3] = access;
	store_le(p + 4, port, 8);
}

/* ACPI 6.x 6.4.3.5: Word/DWord Address Space Descriptors, producers
 * (the root bridge decodes these ranges for its children). */
#define RES_WORD_ADDR		0x88
#define RES_DWORD_ADDR		0x87
#define RES_IO			0x47
#define RES_MEM32_FIXED		0x86
#define RES_END_TAG		0x79
#define RES_TYPE_MEM		0
#define RES_TYPE_IO		1
#define RES_TYPE_BUS		2
#define RES_MIN_MAX_FIXED	0x0c
#define RES_IO_ENTIRE_RANGE	0x03
#define RES_MEM_RW		0x01

static u8 *res_word(u8 *p, u8 type, u8 tflags, u16 min, u16 max)
{
	p[0] = RES_WORD_ADDR;
	store_le(p + 1, 13, 2);
	p[3] = type;
	p[4] = RES_MIN_MAX_FIXED;
	p[5] = tflags;
	store_le(p + 6, 0, 2);			/* granularity */
	store_le(p + 8, min, 2);
	store_le(p + 10, max, 2);
	store_le(p + 12, 0, 2);			/* translation */
	store_le(p + 14, max - min + 1, 2);
	return p + 16;
}

static u8 *res_dword_mem(u8 *p, u32 min, u32 max)
{
	p[0] = RES_DWORD_ADDR;
	store_le(p + 1, 23, 2);
	p[3] = RES_TYPE_MEM;
	p[4] = RES_MIN_MAX_FIXED;
	p[5] = RES_MEM_RW;			/* non-cacheable, read/write */
	store_le(p + 6, 0, 4);
	store_le(p + 10, min, 4);
	store_le(p + 14, max, 4);
	store_le(p + 18, 0, 4);
	store_le(p + 22, max - min + 1, 4);
	return p + 26;
}

static u8 *res_end(u8 *p)
{
	p[0] = RES_END_TAG;
	p[1] = 0;				/* checksum: none */
	return p + 2;
}

/* The root bridge's _CRS: the buses that exist, the configuration ports, all other
 * I/O (legacy devices sit behind the root bridge on a PC, like QEMU's),
 * the 32-bit BAR window. */
static size_t pci0_crs(u8 *buf)
{
	u8 *p = res_word(buf, RES_TYPE_BUS, 0, 0, PC_PCI_BUSES - 1);

	p[0] = RES_IO;
	p[1] = 1;				/* 16-bit decode */
	store_le(p + 2, PCI_HOST_CF8_PORT, 2);
	store_le(p + 4, PCI_HOST_CF8_PORT, 2);
	p[6] = 1;				/* alignment */
	p[7] = 8;				/* 0xcf8-0xcff */
	p += 8;
	p = res_word(p, RES_TYPE_IO, RES_IO_ENTIRE_RANGE, 0,
		     PCI_HOST_CF8_PORT - 1);
	p = res_word(p, RES_TYPE_IO, RES_IO_ENTIRE_RANGE,
		     PCI_HOST_CF8_PORT + 8, 0xffff);
	p = res_dword_mem(p, PC_PCI_MMIO_BASE, PC_PCI_MMIO_END - 1);
	return res_end(p) - buf;
}

/* The ECAM window as a motherboard resource (PNP0C02): with it Linux
 * finds MMCONFIG reserved in ACPI as well as in the e820 map. */
static size_t ecam_crs(u8 *buf)
{
	u8 *p = buf;

	p[0] = RES_MEM32_FIXED;
	store_le(p + 1, 9, 2);
	p[3] = RES_MEM_RW;
	store_le(p + 4, PC_PCI_ECAM_BASE, 4);
	store_le(p + 8, PC_PCI_ECAM_SIZE, 4);
	return res_end(p + 12) - buf;
}

/* _PRT: every slot's four pins to GSIs 16-23, no link devices (so the
 * OS programs them level triggered, active low). */
static void pci0_prt(struct aml *a)
{
	unsigned int slot, pin;

	aml_name(a, "_PRT");
	aml_package_begin(a, PCI_MAX_SLOTS * PCI_INTX_PINS);
	for (slot = 0; slot < PCI_MAX_SLOTS; slot++) {
		for (pin = 0; pin < PCI_INTX_PINS; pin++) {
			aml_package_begin(a, 4);
			aml_integer(a, (u64)slot << 16 | 0xffff);
			aml_integer(a, pin);
			aml_integer(a, 0);	/* no link: a GSI */
			aml_integer(a, pc_pci_intx_gsi(slot, pin + 1));
			aml_end(a);
		}
	}
	aml_end(a);
}

static void dsdt_pci0(struct aml *a)
{
	u8 crs[128];

	aml_device_begin(a, "PCI0");
	aml_name(a, "_HID");
	aml_eisaid(a, "PNP0A08");		/* PCI Express root bridge */
	aml_name(a, "_CID");
	aml_eisaid(a, "PNP0A03");		/* PCI root bridge */
	aml_name(a, "_ADR");
	aml_integer(a, 0);
	aml_name(a, "_UID");
	aml_integer(a, 0);
	aml_name(a, "_SEG");
	aml_integer(a, 0);
	aml_name(a, "_BBN");
	aml_integer(a, 0);
	aml_name(a, "_CRS");
	aml_buffer(a, crs, pci0_crs(crs));
	pci0_prt(a);
	aml_device_begin(a, "PDRC");
	aml_name(a, "_HID");
	aml_eisaid(a, "PNP0C02");		/* motherboard resources */
	aml_name(a, "_UID");
	aml_integer(a, 1);
	aml_name(a, "_CRS");
	aml_buffer(a, crs, ecam_crs(crs));
	aml_end(a);
	aml_end(a);
}

long acpi_dsdt_aml(u8 *buf, size_t cap)
{
	struct aml a;

	aml_init(&a, buf, cap);
	aml_scope_begin(&a, "\\_SB");
	dsdt_pci0(&a);
	aml_end(&a);
	/* \_S5: SLP_TYPa, SLP_TYPb, reserved, reserved. The PM1a control
	 * write of a poweroff carries SLP_TYPa. */
	aml_name(&a, "\\_S5");
	aml_package_begin(&a, 4);
	aml_integer(&a, ACPI_PM_SLP_TYP_S5);
	aml_integer(&a, ACPI_PM_SLP_TYP_S5);
	aml_integer(&a, 0);
	aml_integer(&a, 0);
	aml_end(&a);
	return aml_finish(&a);
}

static int build_dsdt(struct fw_area *a, u64 *gpa)
{
	u8 aml[DSDT_AML_MAX], *t;
	long len = acpi_dsdt_aml(aml, sizeof(aml));

	if (len < 0)
		return -ENOSPC;
	/* Revision 2: integers are 64 bits. */
	t = new_table(a, "DSDT", ACPI_HDR_SIZE + len, 2, gpa);
	if (!t)
		return -ENOSPC;
	memcpy(t + ACPI_HDR_SIZE, aml, len);
	finish_table(t);
	return 0;
}

static int build_facs(struct fw_area *a, u64 *gpa)
{
	u8 *t = fw_alloc(a, FACS_SIZE, FACS_ALIGN, gpa);

	if (!t)
		return -ENOSPC;
	memcpy(t, "FACS", 4);
	store_le(t + 4, FACS_SIZE, 4);
	t[32] = 2;			/* version; no checksum in a FACS */
	return 0;
}

static int build_fadt(struct fw_area *a, const struct acpi_config *c,
		      u64 facs, u64 dsdt, u64 *gpa)
{
	u8 *t = new_table(a, "FACP", FADT_SIZE, FADT_REVISION, gpa);

	if (!t)
		return -ENOSPC;
	/* The FACS is below 4 GiB: only the 32-bit pointer may be set. */
	store_le(t + FADT_FIRMWARE_CTRL, facs, 4);
	store_le(t + FADT_DSDT, dsdt, 4);
	store_le(t + FADT_X_DSDT, dsdt, 8);
	store_le(t + FADT_SCI_INT, ACPI_PM_SCI_IRQ, 2);
	/* SMI_CMD = 0: no SMM, the OS starts (and stays) in ACPI mode. */
	store_le(t + FADT_PM1A_EVT_BLK, ACPI_PM1A_EVT_PORT, 4);
	store_le(t + FADT_PM1A_CNT_BLK, ACPI_PM1A_CNT_PORT, 4);
	t[FADT_PM1_EVT_LEN] = ACPI_PM1_EVT_LEN;
	t[FADT_PM1_CNT_LEN] = ACPI_PM1_CNT_LEN;
	/* Latencies above 100/1000 us mean "no C2/C3". */
	store_le(t + FADT_P_LVL2_LAT, 101, 2);
	store_le(t + FADT_P_LVL3_LAT, 1001, 2);
	t[FADT_CENTURY] = CMOS_CENTURY;
	store_le(t + FADT_IAPC_BOOT_ARCH, ACPI_BOOT_LEGACY_DEVICES |
		 ACPI_BOOT_8042 | ACPI_BOOT_NO_VGA, 2);
	/* Power button: fixed feature (PWR_BUTTON clear), in PM1_STS. */
	store_le(t + FADT_FLAGS, ACPI_FADT_WBINVD | ACPI_FADT_C1_SUPPORTED |
		 ACPI_FADT_SLEEP_BUTTON | ACPI_FADT_FIXED_RTC |
		 (c->pm_timer ? ACPI_FADT_32BIT_TIMER : 0) |
		 ACPI_FADT_RESET_REGISTER, 4);
	put_gas(t + FADT_RESET_REG, 8, ACPI_ACCESS_BYTE, RESET_CONTROL_PORT);
	t[FADT_RESET_VALUE] = RESET_CONTROL_VALUE;
	t[FADT_MINOR_VERSION] = FADT_MINOR_REVISION;
	put_gas(t + FADT_X_PM1A_EVT_BLK, 8 * ACPI_PM1_EVT_LEN,
		ACPI_ACCESS_WORD, ACPI_PM1A_EVT_PORT);
	put_gas(t + FADT_X_PM1A_CNT_BLK, 8 * ACPI_PM1_CNT_LEN,
		ACPI_ACCESS_WORD, ACPI_PM1A_CNT_PORT);
	/*
	 * The PM timer is optional (zero length: absent, ACPI 5.0+). Without
	 * it Linux keeps the rate tsc_early_khz gave it and switches to the
	 * "tsc" clocksource at once; with it, Linux first re-measures the
	 * TSC against it and gives up (staying on "tsc-early") whenever
	 * three timer reads take over 1/32 ms, as exits do under nested
	 * virtualization. See --pm-timer.
	 */
	if (c->pm_timer) {
		store_le(t + FADT_PM_TMR_BLK, ACPI_PM_TMR_PORT, 4);
		t[FADT_PM_TMR_LEN] = ACPI_PM_TMR_LEN;
		put_gas(t + FADT_X_PM_TMR_BLK, 8 * ACPI_PM_TMR_LEN,
			ACPI_ACCESS_DWORD, ACPI_PM_TMR_PORT);
	}
	finish_table(t);
	return 0;
}

u64 acpi_madt_size(unsigned int nr_cpus)
{
	return MADT_ENTRIES + nr_cpus * MADT_LAPIC_SIZE + MADT_IOAPIC_SIZE +
	       2 * MADT_OVERRIDE_SIZE + MADT_LAPIC_NMI_SIZE;
}

static u8 *put_override(u8 *p, u8 irq, u32 gsi, u16 flags)
{
	p[0] = MADT_TYPE_OVERRIDE;
	p[1] = MADT_OVERRIDE_SIZE;
	p[2] = 0;			/* ISA */
	p[3] = irq;
	store_le(p + 4, gsi, 4);
	store_le(p + 8, flags, 2);
	return p + MADT_OVERRIDE_SIZE;
}

static int build_madt(struct fw_area *a, unsigned int nr_cpus, u64 *gpa)
{
	u64 size = acpi_madt_size(nr_cpus);
	u8 *t = new_table(a, "APIC", size, MADT_REVISION, gpa), *p;
	unsigned int i;

	if (!t)
		return -ENOSPC;
	store_le(t + MADT_LAPIC_ADDR, PC_LAPIC_BASE, 4);
	store_le(t + MADT_FLAGS, MADT_PCAT_COMPAT, 4);	/* 8259s present */
	p = t + MADT_ENTRIES;
	for (i = 0; i < nr_cpus; i++) {
		p[0] = MADT_TYPE_LAPIC;
		p[1] = MADT_LAPIC_SIZE;
		p[2] = i;		/* ACPI processor UID */
		p[3] = i;		/* APIC ID */
		store_le(p + 4, MADT_LAPIC_ENABLED, 4);
		p += MADT_LAPIC_SIZE;
	}
	p[0] = MADT_TYPE_IOAPIC;
	p[1] = MADT_IOAPIC_SIZE;
	p[2] = PC_IOAPIC_ID;
	store_le(p + 4, PC_IOAPIC_BASE, 4);
	store_le(p + 8, 0, 4);		/* GSI base */
	p += MADT_IOAPIC_SIZE;
	p = put_override(p, PC_IRQ_TIMER, PC_GSI_TIMER, 0);
	p = put_override(p, ACPI_PM_SCI_IRQ, ACPI_PM_SCI_IRQ,
			 ACPI_IRQ_LEVEL_HIGH);
	p[0] = MADT_TYPE_LAPIC_NMI;
	p[1] = MADT_LAPIC_NMI_SIZE;
	p[2] = 0xff;			/* all processors */
	store_le(p + 3, 0, 2);		/* bus conventions */
	p[5] = 1;			/* LINT1 */
	finish_table(t);
	return 0;
}

static int build_mcfg(struct fw_area *a, u64 *gpa)
{
	u8 *t = new_table(a, "MCFG", MCFG_SIZE, 1, gpa);

	if (!t)
		return -ENOSPC;
	/* 8 reserved bytes, then one allocation: segment 0, the buses that
	 * exist (the window itself covers 256, reserved in the e820) */
	store_le(t + MCFG_BASE, PC_PCI_ECAM_BASE, 8);
	store_le(t + MCFG_SEGMENT, 0, 2);
	t[MCFG_START_BUS] = 0;
	t[MCFG_END_BUS] = PC_PCI_BUSES - 1;
	finish_table(t);
	return 0;
}

static int build_sdts(struct fw_area *a, const u64 *entries, u64 *rsdt,
		      u64 *xsdt)
{
	u8 *r = new_table(a, "RSDT", ACPI_HDR_SIZE + 4 * XSDT_ENTRIES, 1, rsdt);
	u8 *x = new_table(a, "XSDT", ACPI_HDR_SIZE + 8 * XSDT_ENTRIES, 1, xsdt);
	unsigned int i;

	if (!r || !x)
		return -ENOSPC;
	for (i = 0; i < XSDT_ENTRIES; i++) {
		store_le(r + ACPI_HDR_SIZE + 4 * i, entries[i], 4);
		store_le(x + ACPI_HDR_SIZE + 8 * i, entries[i], 8);
	}
	finish_table(r);
	finish_table(x);
	return 0;
}

int acpi_build(struct fw_area *a, const struct acpi_config *c, u64 *rsdp)
{
	u64 facs, dsdt, rsdt, xsdt, entries[XSDT_ENTRIES];
	u8 *p;
	int ret;

	/* First, so it sits at the bottom of the scanned F-segment. */
	p = fw_alloc(a, RSDP_SIZE, 16, rsdp);
	if (!p)
		return -ENOSPC;
	ret = build_facs(a, &facs);
	if (!ret)
		ret = build_dsdt(a, &dsdt);
	if (!ret)
		ret = build_fadt(a, c, facs, dsdt, &entries[0]);
	if (!ret)
		ret = build_madt(a, c->nr_cpus, &entries[1]);
	if (!ret)
		ret = build_mcfg(a, &entries[2]);
	if (!ret)
		ret = build_sdts(a, entries, &rsdt, &xsdt);
	if (ret)
		return ret;

	memcpy(p, "RSD PTR ", 8);
	memcpy(p + 9, ACPI_OEM_ID, 6);
	p[RSDP_REVISION] = 2;
	store_le(p + RSDP_RSDT, rsdt, 4);
	store_le(p + RSDP_LENGTH, RSDP_SIZE, 4);
	store_le(p + RSDP_XSDT, xsdt, 8);
	fw_set_checksum(p, RSDP_V1_SIZE, RSDP_CHECKSUM);
	fw_set_checksum(p, RSDP_SIZE, RSDP_EXT_CHECKSUM);
	return 0;
}
