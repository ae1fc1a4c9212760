/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The PC that "nyx run --kernel" presents, in one place so that the MP
 * table, the ACPI tables, the devices and (later) the in-kernel irqchip
 * agree:
 *
 *   LAPIC     0xfee00000, APIC ID = vCPU index, LINT0 ExtINT, LINT1 NMI
 *   IOAPIC    0xfec00000, ID 0 (QEMU/SeaBIOS use 0 too), 24 pins, GSI
 *             base 0; ISA IRQ n -> pin n, except IRQ 0 (PIT) -> pin 2
 *   ISA IRQs  0 PIT (in kernel), 1 i8042 keyboard, 3 COM2, 4 COM1,
 *             8 RTC, 9 ACPI SCI (level, active high), 12 i8042 mouse
 *   ports     0x60/0x64 i8042, 0x70/0x71 RTC/CMOS, 0x80 POST, 0x2f8 COM2,
 *             0x3f8 COM1, 0x510/0x511 fw_cfg, 0x600-0x60b ACPI PM,
 *             0xcf9 reset control, 0xf4 debug-exit, 0xcf8/0xcfc PCI
 *             configuration mechanism #1
 *   PCI       bus 0 (userspace/pci/): 32-bit BARs in
 *             0xc0000000-0xdfffffff (the hole above low RAM), ECAM
 *             0xe0000000-0xefffffff (256 buses, e820 reserved, ACPI MCFG),
 *             I/O BARs from 0xc000; INTx# on GSIs 16-23 (level, active
 *             low), (slot + pin - 1) % 8, in the _PRT and the MP table
 */
#ifndef NYX_X86_PC_H
#define NYX_X86_PC_H

#include "arch/x86/boot.h"
#include "core/util.h"
#include "pci/pci.h"

struct vm;

#define PC_LAPIC_BASE		0xfee00000u
#define PC_LAPIC_VERSION	0x14	/* integrated xAPIC */
#define PC_IOAPIC_BASE		0xfec00000u
#define PC_IOAPIC_ID		0
#define PC_IOAPIC_VERSION	0x11	/* 82093AA */
#define PC_IOAPIC_PINS		24

#define PC_ISA_IRQS		16
#define PC_IRQ_TIMER		0
#define PC_GSI_TIMER		2	/* IRQ 0 is wired to IOAPIC pin 2 */
#define PC_IRQ_CASCADE		2	/* slave PIC: no ISA device */

#define PC_PCI_MMIO_BASE	0xc0000000ull	/* = RAM_LOW_MAX */
#define PC_PCI_MMIO_END		0xe0000000ull
#define PC_PCI_ECAM_BASE	0xe0000000ull
#define PC_PCI_ECAM_BUSES	256
#define PC_PCI_ECAM_SIZE	((u64)PC_PCI_ECAM_BUSES << 20)
/*
 * Buses that exist: bus 0 only (no bridges yet). The MCFG and the root
 * bridge's _CRS say so: Linux takes the MCFG's last bus as the last bus
 * to probe for "peer bridges" and reads the vendor ID of every slot of
 * every bus up to it through 0xCF8/0xCFC, 8160 launcher exits for 255
 * empty buses (found in a boot profile: half of all exits to userspace).
 */
#define PC_PCI_BUSES		1
#define PC_PCI_IO_BASE		0xc000
#define PC_PCI_IO_END		0x10000
#define PC_PCI_GSI_BASE		16
#define PC_PCI_NR_GSI		8

static inline void pc_pci_layout(struct pci_bus_layout *l)
{
	*l = (struct pci_bus_layout){
		.mmio_base = PC_PCI_MMIO_BASE, .mmio_end = PC_PCI_MMIO_END,
		.io_base = PC_PCI_IO_BASE, .io_end = PC_PCI_IO_END,
		.ecam_base = PC_PCI_ECAM_BASE, .ecam_buses = PC_PCI_ECAM_BUSES,
		.gsi_base = PC_PCI_GSI_BASE, .nr_gsi = PC_PCI_NR_GSI,
	};
}

static inline unsigned int pc_pci_intx_gsi(unsigned int slot,
					   unsigned int pin)
{
	return pci_intx_gsi(PC_PCI_GSI_BASE, PC_PCI_NR_GSI, slot, pin);
}

/* The IOAPIC pin (GSI) ISA IRQ irq arrives on. */
static inline unsigned int pc_isa_irq_to_gsi(unsigned int irq)
{
	return irq == PC_IRQ_TIMER ? PC_GSI_TIMER : irq;
}

struct pc_boot_config {
	const char *kernel;
	const char *initrd;		/* NULL: none */
	const char *cmdline;		/* NULL: empty */
	unsigned int nr_cpus;
	u32 cpu_signature;		/* CPUID.1:EAX, for the MP table */
	u32 cpu_features;		/* CPUID.1:EDX */
	u32 tsc_khz;			/* the guest's TSC rate, 0: unknown */
	bool pm_timer;			/* advertise the ACPI PM timer */
};

/*
 * Everything in guest memory a direct kernel boot needs: the BDA, the ACPI
 * and MP tables, then the kernel, command line and initrd (arch/x86/
 * kernel.h picks the boot protocol). Fills the boot vCPU's entry state.
 * Returns 0 or NYX_EXIT_SETUP after printing why.
 */
int pc_setup_kernel_boot(struct vm *vm, const struct pc_boot_config *cfg,
			 struct x86_boot_entry *entry);

#endif
