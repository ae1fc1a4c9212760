/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Interrupt lines from the launcher's devices to the in-kernel interrupt
 * controllers (LAPIC, IOAPIC, dual 8259 PIC and PIT live in nyx.ko).
 *
 * Devices only ever call irq_line() (or its irq_raise()/irq_lower()
 * wrappers) with the *level* of their ISA interrupt output, on every
 * change. The GSI is NYX_IRQ_LINE's: ISA IRQ n (1-15) is GSI n, which
 * reaches PIC line n and IOAPIC pin n; IRQ 0 belongs to the in-kernel PIT
 * (IOAPIC pin 2, see arch/x86/pc.h); 16-23 are IOAPIC-only. ISA
 * lines are edge triggered at the controllers, so a device that wants a
 * second interrupt while its line is still high must lower it and raise
 * it again (the i8042 does).
 *
 * The controllers are nyx.ko's (NYX_CREATE_IRQCHIP): irq_line() becomes
 * NYX_IRQ_LINE on a level change, irq_msi() NYX_SIGNAL_MSI. Without them
 * (--irqchip off) levels are only recorded and interrupts are dropped.
 */
#ifndef NYX_IRQ_H
#define NYX_IRQ_H

#include "core/util.h"

/* IOAPIC input pins (GSIs 0..23), as on a PC. */
#define IRQ_NR_GSI	24

/*
 * Create the in-kernel interrupt controllers for the VM vm_fd. Returns 0
 * when they exist, -ENOSYS if the module cannot provide them (then
 * interrupts are dropped and nothing can wake a halted vCPU), or the
 * ioctl's -errno.
 */
int irq_chip_create(int vm_fd);

/* True once irq_chip_create() has succeeded. */
bool irq_chip_present(void);

/* Set the level of GSI gsi. Safe from any thread; gsi >= IRQ_NR_GSI is
 * ignored. */
void irq_line(unsigned int gsi, bool level);

static inline void irq_raise(unsigned int gsi)
{
	irq_line(gsi, true);
}

static inline void irq_lower(unsigned int gsi)
{
	irq_line(gsi, false);
}

/* Deliver an MSI (for later PCI devices). -ENOSYS without an irqchip. */
int irq_msi(u64 address, u32 data);

/* Observers: the last level set on gsi and how many times it went from
 * low to high. For the unit tests and debugging, not for devices. */
bool irq_line_level(unsigned int gsi);
unsigned long irq_line_edges(unsigned int gsi);

/* For tests: all lines low, counters zero. */
void irq_reset_observers(void);

#endif
