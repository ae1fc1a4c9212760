// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>

#include "arch/x86/fw.h"
#include "arch/x86/mptable.h"
#include "arch/x86/pc.h"
#include "core/vm.h"
#include "hw/acpi_pm.h"

#define MP_SPEC_REV		4	/* 1.4 */
#define MP_LINT_ALL		0xff	/* destination: every local APIC */

/* ISA IRQs with an I/O interrupt entry: all but the cascade (2). */
#define NR_ISA_INTSRC		(PC_ISA_IRQS - 1)
#define NR_LINTSRC		2

u64 mptable_size(unsigned int nr_cpus)
{
	return MPC_HEADER_SIZE + nr_cpus * MPC_CPU_SIZE +
	       MPC_ENTRY_SIZE * (2 + 1 + NR_ISA_INTSRC + MP_NR_PCI_INTSRC +
				 NR_LINTSRC);
}

static u8 *put_intsrc(u8 *p, u8 type, u8 irqtype, u16 flags, u8 bus,
		      u8 bus_irq, u8 dst_id, u8 dst_pin)
{
	p[0] = type;
	p[1] = irqtype;
	store_le(p + 2, flags, 2);
	p[4] = bus;
	p[5] = bus_irq;
	p[6] = dst_id;
	p[7] = dst_pin;
	return p + MPC_ENTRY_SIZE;
}

int mptable_build(struct fw_area *a, const struct mptable_config *c)
{
	u64 size = mptable_size(c->nr_cpus), mpc_gpa;
	u8 *mpc, *mpf, *p;
	unsigned int i;
	u16 count = 0;

	mpc = fw_alloc(a, size, 16, &mpc_gpa);
	mpf = gpa_to_hva(a->vm, MPF_ADDR, MPF_SIZE);
	if (!mpc)
		return -ENOSPC;
	if (!mpf)
		return -EFAULT;

	memcpy(mpc, "PCMP", 4);
	store_le(mpc + 4, size, 2);
	mpc[6] = MP_SPEC_REV;
	memcpy(mpc + 8, "NYX     ", 8);		/* OEM ID */
	memcpy(mpc + 16, "NYX VM      ", 12);	/* product ID */
	store_le(mpc + 36, PC_LAPIC_BASE, 4);

	p = mpc + MPC_HEADER_SIZE;
	for (i = 0; i < c->nr_cpus; i++, count++) {
		p[0] = MP_PROCESSOR;
		p[1] = i;			/* APIC ID = vCPU index */
		p[2] = PC_LAPIC_VERSION;
		p[3] = MP_CPU_ENABLED | (i == 0 ? MP_CPU_BSP : 0);
		store_le(p + 4, c->cpu_signature, 4);
		store_le(p + 8, c->cpu_features, 4);
		p += MPC_CPU_SIZE;
	}
	p[0] = MP_BUS;
	p[1] = MP_PCI_BUS_ID;
	memcpy(p + 2, "PCI   ", 6);
	p += MPC_ENTRY_SIZE;
	p[0] = MP_BUS;
	p[1] = MP_ISA_BUS_ID;
	memcpy(p + 2, "ISA   ", 6);
	p += MPC_ENTRY_SIZE;
	count += 2;
	p[0] = MP_IOAPIC;
	p[1] = PC_IOAPIC_ID;
	p[2] = PC_IOAPIC_VERSION;
	p[3] = 1;			/* enabled */
	store_le(p + 4, PC_IOAPIC_BASE, 4);
	p += MPC_ENTRY_SIZE;
	count++;
	for (i = 0; i < PC_ISA_IRQS; i++) {
		if (i == PC_IRQ_CASCADE)
			continue;
		/* ISA conventions (edge, active high) except the SCI. */
		p = put_intsrc(p, MP_INTSRC, MP_INT,
			       i == ACPI_PM_SCI_IRQ ? MP_IRQ_LEVEL_HIGH : 0,
			       MP_ISA_BUS_ID, i, PC_IOAPIC_ID,
			       pc_isa_irq_to_gsi(i));
		count++;
	}
	/* PCI: source IRQ = slot << 2 | pin (0 = INTA#) */
	for (i = 0; i < MP_NR_PCI_INTSRC; i++) {
		p = put_intsrc(p, MP_INTSRC, MP_INT, MP_IRQ_LEVEL_LOW,
			       MP_PCI_BUS_ID, i, PC_IOAPIC_ID,
			       pc_pci_intx_gsi(i >> 2, (i & 3) + 1));
		count++;
	}
	p = put_intsrc(p, MP_LINTSRC, MP_EXTINT, 0, MP_ISA_BUS_ID, 0,
		       MP_LINT_ALL, 0);
	p = put_intsrc(p, MP_LINTSRC, MP_NMI, 0, MP_ISA_BUS_ID, 0,
		       MP_LINT_ALL, 1);
	count += NR_LINTSRC;
	store_le(mpc + 34, count, 2);
	fw_set_checksum(mpc, size, 7);

	memset(mpf, 0, MPF_SIZE);
	memcpy(mpf, "_MP_", 4);
	store_le(mpf + 4, mpc_gpa, 4);
	mpf[8] = 1;			/* length in 16-byte units */
	mpf[9] = MP_SPEC_REV;
	/* feature byte 1 = 0: the configuration table is present; feature
	 * byte 2 = 0: virtual wire mode, no IMCR. */
	fw_set_checksum(mpf, MPF_SIZE, 10);
	return 0;
}
