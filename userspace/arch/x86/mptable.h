/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Intel MultiProcessor Specification 1.4 tables: the floating pointer in
 * the EBDA and a configuration table (one processor entry per vCPU, PCI
 * bus 0 and an ISA bus, the IOAPIC, ISA IRQs 0-15 with IRQ 0 on pin 2,
 * every PCI slot's INTA#-INTD# on pins 16-23 (level, active low), LINT0
 * ExtINT and LINT1 NMI). A PCI bus's MP bus ID is its bus number, so the
 * ISA bus comes after it, as SeaBIOS does. Linux uses them when ACPI is off or absent (acpi=off,
 * multiboot kernels).
 */
#ifndef NYX_X86_MPTABLE_H
#define NYX_X86_MPTABLE_H

#include "core/util.h"

struct fw_area;

#define MPF_ADDR		0x9fc10	/* EBDA + 16: the EBDA's size word comes first */
#define MPF_SIZE		16
#define MPC_HEADER_SIZE		44
#define MPC_CPU_SIZE		20
#define MPC_ENTRY_SIZE		8	/* bus, IOAPIC, interrupt entries */

#define MP_PROCESSOR		0
#define MP_BUS			1
#define MP_IOAPIC		2
#define MP_INTSRC		3
#define MP_LINTSRC		4

#define MP_INT			0
#define MP_NMI			1
#define MP_EXTINT		3

#define MP_CPU_ENABLED		0x1
#define MP_CPU_BSP		0x2
#define MP_IRQ_LEVEL_HIGH	0x000d	/* active high (01), level (11) */
#define MP_IRQ_LEVEL_LOW	0x000f	/* active low (11), level (11) */
#define MP_PCI_BUS_ID		0
#define MP_ISA_BUS_ID		1
#define MP_NR_PCI_INTSRC	(32 * 4)	/* slots x INTx pins */

struct mptable_config {
	unsigned int nr_cpus;
	u32 cpu_signature;	/* CPUID.1:EAX */
	u32 cpu_features;	/* CPUID.1:EDX */
};

/* Write the floating pointer at MPF_ADDR and the configuration table in
 * the firmware area. Returns 0 or -ENOSPC/-EFAULT. */
int mptable_build(struct fw_area *a, const struct mptable_config *c);

/* Size of the configuration table for nr_cpus. */
u64 mptable_size(unsigned int nr_cpus);

#endif
