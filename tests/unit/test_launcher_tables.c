// SPDX-License-Identifier: GPL-2.0
/*
 * Firmware tables: the AML emitter, the ACPI tables (checksums, lengths,
 * field offsets, what they describe) and the MP table, built into a guest
 * RAM buffer the way "nyx run --kernel" does. If iasl (Debian's
 * acpica-tools) is installed, every ACPI table must also disassemble
 * without errors.
 */
#define _GNU_SOURCE	/* memmem */
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "arch/x86/acpi.h"
#include "arch/x86/aml.h"
#include "arch/x86/e820.h"
#include "arch/x86/fw.h"
#include "arch/x86/layout.h"
#include "arch/x86/mptable.h"
#include "arch/x86/pc.h"
#include "core/vm.h"
#include "hw/acpi_pm.h"
#include "launcher_test.h"
#include "test.h"

static struct vm vm;

static u64 rd(u64 gpa, unsigned int len)
{
	u8 buf[8] = { 0 };

	CHECK_EQ(vm_read_guest(&vm, gpa, buf, len), 0);
	return load_le(buf, len);
}

static u8 sum(u64 gpa, u64 len)
{
	const u8 *p = gpa_to_hva(&vm, gpa, len);
	u8 s = 0;

	CHECK(p != NULL);
	while (p && len--)
		s += *p++;
	return s;
}

static bool sig_is(u64 gpa, const char *sig)
{
	const u8 *p = gpa_to_hva(&vm, gpa, 4);

	return p && !memcmp(p, sig, 4);
}

/* ---------------------------------------------------------------------
 * AML
 */
static void test_aml(void)
{
	static const u8 s5[] = {
		0x08, 0x5c, '_', 'S', '5', '_', 0x12, 0x08, 0x04,
		0x0a, 0x05, 0x0a, 0x05, 0x00, 0x00,
	};
	u8 buf[8192], enc[4];
	struct aml a;
	long len;
	int i;

	/* PkgLength counts its own bytes */
	CHECK_EQ(aml_pkg_length(0, enc), 1);
	CHECK_EQ(enc[0], 1);
	CHECK_EQ(aml_pkg_length(62, enc), 1);
	CHECK_EQ(enc[0], 63);
	CHECK_EQ(aml_pkg_length(63, enc), 2);		/* 65 = 0x041 */
	CHECK_EQ(enc[0], 0x41);
	CHECK_EQ(enc[1], 0x04);
	CHECK_EQ(aml_pkg_length(4093, enc), 2);		/* 4095 */
	CHECK_EQ(enc[0], 0x4f);
	CHECK_EQ(enc[1], 0xff);
	CHECK_EQ(aml_pkg_length(4094, enc), 3);		/* 4097 = 0x1001 */
	CHECK_EQ(enc[0], 0x81);
	CHECK_EQ(enc[1], 0x00);
	CHECK_EQ(enc[2], 0x01);
	CHECK_EQ(aml_pkg_length(0x100000, enc), 4);
	CHECK_EQ(aml_pkg_length(1 << 28, enc), 0);

	/* names */
	aml_init(&a, buf, sizeof(buf));
	aml_name_string(&a, "\\_SB.PCI0");
	aml_name_string(&a, "A.B.C");
	aml_name_string(&a, "^^FOO");
	aml_name_string(&a, "\\");
	CHECK_EQ(aml_finish(&a), 32);
	CHECK(!memcmp(buf, "\\\x2e_SB_PCI0", 10));
	CHECK(!memcmp(buf + 10, "\x2f\x03" "A___B___C___", 14));
	CHECK(!memcmp(buf + 24, "^^FOO_", 6));
	CHECK(!memcmp(buf + 30, "\\", 2));	/* root, NullName */
	{
		const char *bad[] = { "", "a", "TOOLONG", "1ABC", "A..B",
				      "A.", "\\_SB.", "A-B" };

		for (i = 0; i < (int)ARRAY_SIZE(bad); i++) {
			aml_init(&a, buf, sizeof(buf));
			aml_name_string(&a, bad[i]);
			CHECK_EQ(aml_finish(&a), -1);
		}
	}

	/* integers: the shortest form */
	aml_init(&a, buf, sizeof(buf));
	aml_integer(&a, 0);
	aml_integer(&a, 1);
	aml_integer(&a, 0xff);
	aml_integer(&a, 0x1234);
	aml_integer(&a, 0x12345678);
	aml_integer(&a, 0x123456789ull);
	aml_string(&a, "hi");
	len = aml_finish(&a);
	CHECK_EQ(len, 1 + 1 + 2 + 3 + 5 + 9 + 4);
	CHECK(!memcmp(buf, "\x00\x01\x0a\xff\x0b\x34\x12\x0c\x78\x56\x34\x12"
		      "\x0e\x89\x67\x45\x23\x01\x00\x00\x00\x0d" "hi", 25));

	/* the DSDT body: \_SB scope (with PCI0), then \_S5 last */
	len = acpi_dsdt_aml(buf, sizeof(buf));
	CHECK(len > (long)sizeof(s5) + 7);
	CHECK_EQ(buf[0], AML_SCOPE_OP);
	CHECK_EQ(buf[1] >> 6, 1);		/* 2-byte PkgLength */
	CHECK_EQ((buf[1] & 0xf) | buf[2] << 4, len - 1 - sizeof(s5));
	CHECK(!memcmp(buf + 3, "\\_SB_", 5));
	CHECK(!memcmp(buf + 8, "\x5b\x82", 2));	/* Device (PCI0) */
	CHECK(memmem(buf, len, "PCI0", 4) != NULL);
	CHECK(memmem(buf, len, "_PRT", 4) != NULL);
	CHECK(!memcmp(buf + len - sizeof(s5), s5, sizeof(s5)));
	CHECK_EQ(acpi_dsdt_aml(buf, 10), -1);	/* does not fit */
	CHECK_EQ(acpi_dsdt_aml(buf, len - 1), -1);
	CHECK_EQ(acpi_dsdt_aml(buf, len), len);

	/* EisaId, Buffer */
	aml_init(&a, buf, sizeof(buf));
	aml_eisaid(&a, "PNP0A03");
	aml_buffer(&a, (const u8 *)"\x79\x00", 2);
	CHECK_EQ(aml_finish(&a), 5 + 6);
	CHECK(!memcmp(buf, "\x0c\x41\xd0\x0a\x03", 5));
	CHECK(!memcmp(buf + 5, "\x11\x05\x0a\x02\x79\x00", 6));
	{
		const char *bad[] = { "PNP0A0", "pnp0a03", "PNP0A0G", "1NP0A03",
				      "PNP0A033" };

		for (i = 0; i < (int)ARRAY_SIZE(bad); i++) {
			aml_init(&a, buf, sizeof(buf));
			aml_eisaid(&a, bad[i]);
			CHECK_EQ(aml_finish(&a), -1);
		}
	}

	/* nesting, and a package long enough for a 2-byte PkgLength */
	aml_init(&a, buf, sizeof(buf));
	aml_scope_begin(&a, "\\_SB");
	aml_device_begin(&a, "DEV0");
	aml_name(&a, "_UID");
	aml_integer(&a, 7);
	aml_name(&a, "BIG");
	aml_package_begin(&a, 40);
	for (i = 0; i < 40; i++)
		aml_integer(&a, 0x100 + i);
	aml_end(&a);
	aml_end(&a);
	aml_end(&a);
	len = aml_finish(&a);
	CHECK(len > 0);
	CHECK_EQ(buf[0], AML_SCOPE_OP);
	/* scope PkgLength covers everything after the opcode */
	CHECK_EQ((buf[1] >> 6) + 1, 2);
	CHECK_EQ(((buf[1] & 0xf) | (buf[2] << 4)), len - 1);
	CHECK_EQ(buf[8], AML_EXT_OP_PREFIX);
	CHECK_EQ(buf[9], AML_DEVICE_OP);

	/* errors are sticky: overflow, unbalanced, too deep */
	aml_init(&a, buf, 3);
	aml_string(&a, "long string");
	CHECK_EQ(aml_finish(&a), -1);
	aml_init(&a, buf, sizeof(buf));
	aml_scope_begin(&a, "\\_SB");
	CHECK_EQ(aml_finish(&a), -1);
	aml_init(&a, buf, sizeof(buf));
	aml_end(&a);
	CHECK_EQ(aml_finish(&a), -1);
	aml_init(&a, buf, sizeof(buf));
	for (i = 0; i < AML_MAX_DEPTH + 1; i++)
		aml_package_begin(&a, 0);
	for (i = 0; i < AML_MAX_DEPTH + 1; i++)
		aml_end(&a);
	CHECK_EQ(aml_finish(&a), -1);
	/* no room left for the PkgLength when closing */
	aml_init(&a, buf, 3);
	aml_package_begin(&a, 0);
	aml_byte(&a, 0);
	aml_end(&a);
	CHECK_EQ(aml_finish(&a), -1);
}

/* ---------------------------------------------------------------------
 * ACPI
 */
struct tables {
	u64 rsdp, rsdt, xsdt, fadt, madt, mcfg, facs, dsdt;
};

static void check_header(u64 t, const char *sig, u8 rev)
{
	u32 len = rd(t + ACPI_HDR_LENGTH, 4);

	CHECK(sig_is(t, sig));
	CHECK_EQ(rd(t + ACPI_HDR_REVISION, 1), rev);
	CHECK_EQ(sum(t, len), 0);
	CHECK(!memcmp(gpa_to_hva(&vm, t + 10, 6), ACPI_OEM_ID, 6));
	CHECK(!memcmp(gpa_to_hva(&vm, t + 28, 4), ACPI_CREATOR_ID, 4));
	/* inside the e820-reserved firmware area */
	CHECK(t >= FW_AREA_ADDR && t + len <= FW_AREA_END);
}

static void find_tables(struct tables *t, u64 rsdp)
{
	t->rsdp = rsdp;
	t->rsdt = rd(rsdp + RSDP_RSDT, 4);
	t->xsdt = rd(rsdp + RSDP_XSDT, 8);
	t->fadt = rd(t->xsdt + ACPI_HDR_SIZE, 8);
	t->madt = rd(t->xsdt + ACPI_HDR_SIZE + 8, 8);
	t->mcfg = rd(t->xsdt + ACPI_HDR_SIZE + 16, 8);
	t->facs = rd(t->fadt + FADT_FIRMWARE_CTRL, 4);
	t->dsdt = rd(t->fadt + FADT_X_DSDT, 8);
}

static void check_gas(u64 p, u8 bits, u8 access, u64 port)
{
	CHECK_EQ(rd(p, 1), ACPI_SPACE_IO);
	CHECK_EQ(rd(p + 1, 1), bits);
	CHECK_EQ(rd(p + 2, 1), 0);
	CHECK_EQ(rd(p + 3, 1), access);
	CHECK_EQ(rd(p + 4, 8), port);
}

static void check_madt(u64 m, unsigned int cpus)
{
	u64 p = m + MADT_ENTRIES, end = m + rd(m + ACPI_HDR_LENGTH, 4);
	unsigned int i;

	check_header(m, "APIC", MADT_REVISION);
	CHECK_EQ(rd(m + ACPI_HDR_LENGTH, 4), acpi_madt_size(cpus));
	CHECK_EQ(rd(m + MADT_LAPIC_ADDR, 4), 0xfee00000);
	CHECK_EQ(rd(m + MADT_FLAGS, 4), MADT_PCAT_COMPAT);
	for (i = 0; i < cpus; i++, p += 8) {
		CHECK_EQ(rd(p, 1), MADT_TYPE_LAPIC);
		CHECK_EQ(rd(p + 1, 1), 8);
		CHECK_EQ(rd(p + 2, 1), i);
		CHECK_EQ(rd(p + 3, 1), i);
		CHECK_EQ(rd(p + 4, 4), 1);
	}
	CHECK_EQ(rd(p, 1), MADT_TYPE_IOAPIC);
	CHECK_EQ(rd(p + 1, 1), 12);
	CHECK_EQ(rd(p + 2, 1), PC_IOAPIC_ID);
	CHECK_EQ(rd(p + 4, 4), 0xfec00000);
	CHECK_EQ(rd(p + 8, 4), 0);
	p += 12;
	/* IRQ 0 -> GSI 2, bus conventions */
	CHECK_EQ(rd(p, 1), MADT_TYPE_OVERRIDE);
	CHECK_EQ(rd(p + 1, 1), 10);
	CHECK_EQ(rd(p + 2, 1), 0);
	CHECK_EQ(rd(p + 3, 1), 0);
	CHECK_EQ(rd(p + 4, 4), 2);
	CHECK_EQ(rd(p + 8, 2), 0);
	p += 10;
	/* SCI: level, active high */
	CHECK_EQ(rd(p, 1), MADT_TYPE_OVERRIDE);
	CHECK_EQ(rd(p + 3, 1), 9);
	CHECK_EQ(rd(p + 4, 4), 9);
	CHECK_EQ(rd(p + 8, 2), 0x000d);
	p += 10;
	/* NMI on LINT1 of every processor */
	CHECK_EQ(rd(p, 1), MADT_TYPE_LAPIC_NMI);
	CHECK_EQ(rd(p + 1, 1), 6);
	CHECK_EQ(rd(p + 2, 1), 0xff);
	CHECK_EQ(rd(p + 3, 2), 0);
	CHECK_EQ(rd(p + 5, 1), 1);
	CHECK_EQ(p + 6, end);
}

static void check_acpi(const struct tables *t, unsigned int cpus, bool pm_timer)
{
	u64 f = t->fadt;
	u32 flags;

	/* RSDP: v2, both checksums, in the scanned F-segment */
	CHECK_EQ(t->rsdp, FW_AREA_ADDR);
	CHECK_EQ(t->rsdp % 16, 0);
	CHECK(!memcmp(gpa_to_hva(&vm, t->rsdp, 8), "RSD PTR ", 8));
	CHECK_EQ(sum(t->rsdp, RSDP_V1_SIZE), 0);
	CHECK_EQ(sum(t->rsdp, RSDP_SIZE), 0);
	CHECK_EQ(rd(t->rsdp + RSDP_REVISION, 1), 2);
	CHECK_EQ(rd(t->rsdp + RSDP_LENGTH, 4), RSDP_SIZE);

	/* RSDT and XSDT list the same tables */
	check_header(t->xsdt, "XSDT", 1);
	check_header(t->rsdt, "RSDT", 1);
	CHECK_EQ(rd(t->xsdt + ACPI_HDR_LENGTH, 4), ACPI_HDR_SIZE + 24);
	CHECK_EQ(rd(t->rsdt + ACPI_HDR_LENGTH, 4), ACPI_HDR_SIZE + 12);
	CHECK_EQ(rd(t->rsdt + ACPI_HDR_SIZE, 4), t->fadt);
	CHECK_EQ(rd(t->rsdt + ACPI_HDR_SIZE + 4, 4), t->madt);
	CHECK_EQ(rd(t->rsdt + ACPI_HDR_SIZE + 8, 4), t->mcfg);

	/* MCFG: one allocation, the e820-reserved ECAM window */
	check_header(t->mcfg, "MCFG", 1);
	CHECK_EQ(rd(t->mcfg + ACPI_HDR_LENGTH, 4), 60);
	CHECK_EQ(rd(t->mcfg + 36, 8), 0);
	CHECK_EQ(rd(t->mcfg + 44, 8), 0xe0000000);
	CHECK_EQ(rd(t->mcfg + 52, 2), 0);
	CHECK_EQ(rd(t->mcfg + 54, 1), 0);
	CHECK_EQ(rd(t->mcfg + 55, 1), PC_PCI_BUSES - 1);	/* bus 0 only */
	{
		struct e820_table e820;

		e820_build(&e820, &vm);
		CHECK_EQ(e820_type_of(&e820, 0xe0000000, 0x10000000),
			 E820_RESERVED);
	}

	/* FADT 6.0 */
	check_header(f, "FACP", 6);
	CHECK_EQ(rd(f + ACPI_HDR_LENGTH, 4), 276);
	CHECK_EQ(rd(f + FADT_MINOR_VERSION, 1), 0);
	CHECK_EQ(rd(f + FADT_DSDT, 4), t->dsdt);
	CHECK_EQ(rd(f + FADT_X_FIRMWARE_CTRL, 8), 0);
	CHECK_EQ(rd(f + FADT_SCI_INT, 2), 9);
	CHECK_EQ(rd(f + FADT_SMI_CMD, 4), 0);
	CHECK_EQ(rd(f + FADT_PM1A_EVT_BLK, 4), 0x600);
	CHECK_EQ(rd(f + FADT_PM1A_CNT_BLK, 4), 0x604);
	CHECK_EQ(rd(f + FADT_PM_TMR_BLK, 4), pm_timer ? 0x608 : 0);
	CHECK_EQ(rd(f + FADT_PM1_EVT_LEN, 1), 4);
	CHECK_EQ(rd(f + FADT_PM1_CNT_LEN, 1), 2);
	CHECK_EQ(rd(f + FADT_PM_TMR_LEN, 1), pm_timer ? 4 : 0);
	CHECK_EQ(rd(f + FADT_CENTURY, 1), 0x32);
	CHECK_EQ(rd(f + FADT_IAPC_BOOT_ARCH, 2), 0x7);
	flags = rd(f + FADT_FLAGS, 4);
	CHECK(flags & ACPI_FADT_RESET_REGISTER);
	CHECK_EQ(!!(flags & ACPI_FADT_32BIT_TIMER), pm_timer);
	CHECK(!(flags & ACPI_FADT_HW_REDUCED));
	CHECK(!(flags & (1u << 4)));	/* fixed power button present */
	check_gas(f + FADT_RESET_REG, 8, ACPI_ACCESS_BYTE, 0xcf9);
	CHECK_EQ(rd(f + FADT_RESET_VALUE, 1), 0x06);
	check_gas(f + FADT_X_PM1A_EVT_BLK, 32, ACPI_ACCESS_WORD, 0x600);
	check_gas(f + FADT_X_PM1A_CNT_BLK, 16, ACPI_ACCESS_WORD, 0x604);
	if (pm_timer)
		check_gas(f + FADT_X_PM_TMR_BLK, 32, ACPI_ACCESS_DWORD, 0x608);
	else	/* an all-zero GAS: absent */
		CHECK_EQ(rd(f + FADT_X_PM_TMR_BLK, 8) |
			 rd(f + FADT_X_PM_TMR_BLK + 8, 4), 0);

	/* FACS: 64-byte aligned, no checksum */
	CHECK_EQ(t->facs % 64, 0);
	CHECK(sig_is(t->facs, "FACS"));
	CHECK_EQ(rd(t->facs + 4, 4), 64);
	CHECK_EQ(rd(t->facs + 32, 1), 2);

	check_header(t->dsdt, "DSDT", 2);
	check_madt(t->madt, cpus);
}

static void test_acpi(unsigned int cpus, bool pm_timer)
{
	struct acpi_config c = { .nr_cpus = cpus, .pm_timer = pm_timer };
	struct e820_table e820;
	struct fw_area area;
	struct tables t;
	u64 rsdp;

	memset(vm.ram + FW_AREA_ADDR, 0xee, FW_AREA_END - FW_AREA_ADDR);
	fw_area_init(&area, &vm, FW_AREA_ADDR, FW_AREA_END);
	CHECK_EQ(acpi_build(&area, &c, &rsdp), 0);
	find_tables(&t, rsdp);
	check_acpi(&t, cpus, pm_timer);
	/* the firmware area is reserved in the e820 map */
	e820_build(&e820, &vm);
	CHECK_EQ(e820_type_of(&e820, FW_AREA_ADDR, area.next - FW_AREA_ADDR),
		 E820_RESERVED);

	/* a full area is an error, not an overflow */
	fw_area_init(&area, &vm, FW_AREA_ADDR, FW_AREA_ADDR + 600);
	CHECK_EQ(acpi_build(&area, &c, &rsdp), -ENOSPC);
	fw_area_init(&area, &vm, FW_AREA_ADDR, FW_AREA_ADDR + 16);
	CHECK_EQ(acpi_build(&area, &c, &rsdp), -ENOSPC);
}

/* ---------------------------------------------------------------------
 * iasl: each table must disassemble cleanly
 */
static bool have_iasl(void)
{
	return system("command -v iasl >/dev/null 2>&1") == 0;
}

static int run(const char *cmd)
{
	int st = system(cmd);

	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Collapse runs of blanks, so iasl's column alignment does not matter. */
static void squeeze(char *s)
{
	bool blank = false, b;
	char *d = s;

	for (; *s; s++) {
		b = *s == ' ' || *s == '\t';
		if (!(b && blank))
			*d++ = b ? ' ' : *s;
		blank = b;
	}
	*d = 0;
}

/* Disassemble one table; every string of expect[] must be in the
 * output, and iasl must not complain. */
static void iasl_one(const char *dir, const char *name, u64 gpa,
		     const char *const *expect)
{
	char path[256], cmd[768], line[512];
	u32 len = rd(gpa + ACPI_HDR_LENGTH, 4);
	unsigned int found = 0, n, i;
	bool complaints = false;
	FILE *f;

	for (n = 0; expect[n]; n++)
		;
	snprintf(path, sizeof(path), "%s/%s.dat", dir, name);
	f = fopen(path, "w");
	CHECK(f && fwrite(gpa_to_hva(&vm, gpa, len), 1, len, f) == len);
	if (f)
		fclose(f);
	snprintf(cmd, sizeof(cmd),
		 "cd %s && iasl -d %s.dat > %s.log 2>&1", dir, name, name);
	CHECK_EQ(run(cmd), 0);

	snprintf(path, sizeof(path), "%s/%s.log", dir, name);
	f = fopen(path, "r");
	CHECK(f != NULL);
	while (f && fgets(line, sizeof(line), f))
		if (strstr(line, "Error") || strstr(line, "Warning") ||
		    strstr(line, "Invalid") || strstr(line, "checksum"))
			complaints = true;
	if (f)
		fclose(f);

	snprintf(path, sizeof(path), "%s/%s.dsl", dir, name);
	f = fopen(path, "r");
	CHECK(f != NULL);
	while (f && fgets(line, sizeof(line), f)) {
		squeeze(line);
		for (i = 0; i < n; i++)
			if (strstr(line, expect[i]))
				found |= 1u << i;
		/* iasl annotates what it finds wrong */
		if (strstr(line, "****") || strstr(line, "Invalid") ||
		    strstr(line, "Incorrect") || strstr(line, "Error"))
			complaints = true;
	}
	if (f)
		fclose(f);
	for (i = 0; i < n; i++)
		if (!(found & (1u << i)))
			fprintf(stderr, "iasl: %s: \"%s\" not found in %s\n",
				name, expect[i], path);
	if (complaints)
		fprintf(stderr, "iasl: %s: complaints in %s or its .log\n",
			name, path);
	CHECK_EQ(found, (1u << n) - 1);
	CHECK(!complaints);
}

static void test_iasl(void)
{
	char dir[] = "/tmp/nyx-acpi-XXXXXX", cmd[128];
	struct acpi_config c = { .nr_cpus = 4, .pm_timer = true };
	struct fw_area area;
	struct tables t;
	u64 rsdp;

	if (!have_iasl()) {
		printf("launcher_tables: iasl not installed (apt-get install acpica-tools), skipping disassembly\n");
		return;
	}
	CHECK(mkdtemp(dir) != NULL);
	fw_area_init(&area, &vm, FW_AREA_ADDR, FW_AREA_END);
	CHECK_EQ(acpi_build(&area, &c, &rsdp), 0);
	find_tables(&t, rsdp);
	iasl_one(dir, "dsdt", t.dsdt, (const char *const[]){
		"Name (\\_S5, Package (0x04)", "0x05,", "Scope (\\_SB)",
		"DefinitionBlock (\"\", \"DSDT\", 2,", "Device (PCI0)",
		"Name (_HID, EisaId (\"PNP0A08\")",
		"Name (_CID, EisaId (\"PNP0A03\")",
		"WordBusNumber (ResourceProducer, MinFixed, MaxFixed, PosDecode,",
		"0x0000, // Range Maximum", "0x0001, // Length",
		"0x0CF8, // Range Minimum",
		"0x0CF7, // Range Maximum", "0x0D00, // Range Minimum",
		"0xC0000000, // Range Minimum", "0xDFFFFFFF, // Range Maximum",
		"Name (_PRT, Package (0x80)", "0x001FFFFF,",
		"Name (_HID, EisaId (\"PNP0C02\")",
		"Memory32Fixed (ReadWrite,", "0xE0000000, // Address Base",
		"0x10000000, // Address Length", NULL });
	iasl_one(dir, "mcfg", t.mcfg, (const char *const[]){
		"Signature : \"MCFG\"", "Base Address : 00000000E0000000",
		"Start Bus Number : 00", "End Bus Number : 00", NULL });
	iasl_one(dir, "facp", t.fadt, (const char *const[]){
		"Signature : \"FACP\"", "Revision : 06",
		"SCI Interrupt : 0009",
		"PM1A Event Block Address : 00000600",
		"PM1A Control Block Address : 00000604",
		"PM Timer Block Address : 00000608",
		"RTC Century Index : 32", "Reset Register Supported (V2) : 1",
		"Address : 0000000000000CF9", "Value to cause reset : 06",
		"32-bit PM Timer (V1) : 1", NULL });
	iasl_one(dir, "apic", t.madt, (const char *const[]){
		"Local Apic Address : FEE00000", "Local Apic ID : 03",
		"Address : FEC00000", "Interrupt : 00000002",
		"Trigger Mode : 3", "Interrupt Input LINT : 01", NULL });
	iasl_one(dir, "xsdt", t.xsdt, (const char *const[]){
		"ACPI Table Address 1 :", NULL });
	iasl_one(dir, "rsdt", t.rsdt, (const char *const[]){
		"ACPI Table Address 1 :", NULL });
	iasl_one(dir, "facs", t.facs, (const char *const[]){
		"Signature : \"FACS\"", "Version : 02", NULL });
	if (test_failed)
		return;		/* keep the files for a look */
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CHECK_EQ(run(cmd), 0);
}

/* ---------------------------------------------------------------------
 * MP table
 */
static void test_mptable(unsigned int cpus)
{
	struct mptable_config c = {
		.nr_cpus = cpus, .cpu_signature = 0x00a00f11,
		.cpu_features = 0x178bfbff,
	};
	struct fw_area area;
	u64 mpc, p, size = mptable_size(cpus);
	unsigned int i, irq;

	fw_area_init(&area, &vm, FW_AREA_ADDR, FW_AREA_END);
	CHECK_EQ(mptable_build(&area, &c), 0);

	/* floating pointer in the first KiB of the EBDA */
	CHECK(MPF_ADDR >= EBDA_ADDR && MPF_ADDR + 16 <= EBDA_ADDR + 1024);
	CHECK_EQ(MPF_ADDR % 16, 0);
	CHECK(sig_is(MPF_ADDR, "_MP_"));
	CHECK_EQ(sum(MPF_ADDR, 16), 0);
	CHECK_EQ(rd(MPF_ADDR + 8, 1), 1);
	CHECK_EQ(rd(MPF_ADDR + 9, 1), 4);
	CHECK_EQ(rd(MPF_ADDR + 11, 4), 0);	/* config table present */
	mpc = rd(MPF_ADDR + 4, 4);

	CHECK(sig_is(mpc, "PCMP"));
	CHECK_EQ(rd(mpc + 4, 2), size);
	CHECK_EQ(rd(mpc + 6, 1), 4);
	CHECK_EQ(sum(mpc, size), 0);
	CHECK_EQ(rd(mpc + 34, 2), cpus + 3 + 15 + 128 + 2);
	CHECK_EQ(rd(mpc + 36, 4), 0xfee00000);
	CHECK(mpc >= FW_AREA_ADDR && mpc + size <= FW_AREA_END);
	p = mpc + MPC_HEADER_SIZE;
	for (i = 0; i < cpus; i++, p += 20) {
		CHECK_EQ(rd(p, 1), MP_PROCESSOR);
		CHECK_EQ(rd(p + 1, 1), i);
		CHECK_EQ(rd(p + 3, 1), i ? 1 : 3);	/* EN, BSP on 0 */
		CHECK_EQ(rd(p + 4, 4), 0x00a00f11);
		CHECK_EQ(rd(p + 8, 4), 0x178bfbff);
	}
	/* PCI bus 0 (its MP ID is its bus number), then ISA */
	CHECK_EQ(rd(p, 1), MP_BUS);
	CHECK_EQ(rd(p + 1, 1), 0);
	CHECK(!memcmp(gpa_to_hva(&vm, p + 2, 6), "PCI   ", 6));
	p += 8;
	CHECK_EQ(rd(p, 1), MP_BUS);
	CHECK_EQ(rd(p + 1, 1), MP_ISA_BUS_ID);
	CHECK(!memcmp(gpa_to_hva(&vm, p + 2, 6), "ISA   ", 6));
	p += 8;
	CHECK_EQ(rd(p, 1), MP_IOAPIC);
	CHECK_EQ(rd(p + 1, 1), PC_IOAPIC_ID);
	CHECK_EQ(rd(p + 3, 1), 1);
	CHECK_EQ(rd(p + 4, 4), 0xfec00000);
	p += 8;
	for (irq = 0; irq < 16; irq++) {
		if (irq == 2)
			continue;
		CHECK_EQ(rd(p, 1), MP_INTSRC);
		CHECK_EQ(rd(p + 1, 1), MP_INT);
		CHECK_EQ(rd(p + 2, 2), irq == 9 ? 0x000d : 0);
		CHECK_EQ(rd(p + 4, 1), MP_ISA_BUS_ID);
		CHECK_EQ(rd(p + 5, 1), irq);
		CHECK_EQ(rd(p + 6, 1), PC_IOAPIC_ID);
		CHECK_EQ(rd(p + 7, 1), irq == 0 ? 2 : irq);
		p += 8;
	}
	/* slot s pin i (0 = INTA#): GSI 16 + (s + i) % 8, level, low */
	for (i = 0; i < 128; i++) {
		CHECK_EQ(rd(p, 1), MP_INTSRC);
		CHECK_EQ(rd(p + 1, 1), MP_INT);
		CHECK_EQ(rd(p + 2, 2), 0x000f);
		CHECK_EQ(rd(p + 4, 1), 0);
		CHECK_EQ(rd(p + 5, 1), i);
		CHECK_EQ(rd(p + 6, 1), PC_IOAPIC_ID);
		CHECK_EQ(rd(p + 7, 1), 16 + ((i >> 2) + (i & 3)) % 8);
		p += 8;
	}
	CHECK_EQ(rd(p, 1), MP_LINTSRC);
	CHECK_EQ(rd(p + 1, 1), MP_EXTINT);
	CHECK_EQ(rd(p + 6, 1), 0xff);
	CHECK_EQ(rd(p + 7, 1), 0);
	CHECK_EQ(rd(p + 8, 1), MP_LINTSRC);
	CHECK_EQ(rd(p + 9, 1), MP_NMI);
	CHECK_EQ(rd(p + 15, 1), 1);
	CHECK_EQ(p + 16, mpc + size);

	fw_area_init(&area, &vm, FW_AREA_ADDR, FW_AREA_ADDR + 64);
	CHECK_EQ(mptable_build(&area, &c), -ENOSPC);
}

static void test_fw_helpers(void)
{
	u8 buf[37] = "some bytes to checksum";
	struct fw_area area;
	u64 gpa, gpa2;

	fw_set_checksum(buf, sizeof(buf), 30);
	CHECK_EQ(fw_checksum(buf, sizeof(buf)), 0);
	CHECK_EQ(fw_checksum("", 0), 0);

	fw_area_init(&area, &vm, 0xf0000, 0xf0100);
	CHECK(fw_alloc(&area, 3, 1, &gpa) != NULL);
	CHECK_EQ(gpa, 0xf0000);
	CHECK(fw_alloc(&area, 8, 64, &gpa2) != NULL);
	CHECK_EQ(gpa2, 0xf0040);
	CHECK(fw_alloc(&area, 0x100, 1, &gpa) == NULL);
	CHECK(fw_alloc(&area, ~0ull, 1, &gpa) == NULL);
	CHECK(fw_alloc(&area, 1, 1ull << 63, &gpa) == NULL);
	CHECK(fw_alloc(&area, 0xb8, 1, &gpa) != NULL);	/* exactly full */
	CHECK(fw_alloc(&area, 1, 1, &gpa) == NULL);

	CHECK_EQ(fw_write_bda(&vm), 0);
	CHECK_EQ(rd(0x40e, 2), 0x9fc0);
	CHECK_EQ(rd(0x413, 2), 639);
	CHECK_EQ(rd(0x9fc00, 2), 1);
}

int main(void)
{
	vm_init(&vm);
	if (vm_reserve_ram(&vm, 16 * SZ_1M, "16M"))
		return 1;
	test_aml();
	test_fw_helpers();
	test_acpi(1, false);
	test_acpi(4, true);
	test_acpi(64, false);
	test_mptable(1);
	test_mptable(64);
	test_iasl();
	vm_destroy(&vm);
	return test_summary("launcher_tables");
}
