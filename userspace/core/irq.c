// SPDX-License-Identifier: GPL-2.0
/*
 * Interrupt lines. STUB BACKEND: see core/irq.h. Until nyx.ko exposes
 * NYX_CREATE_IRQCHIP / NYX_IRQ_LINE / NYX_SIGNAL_MSI the levels are only
 * recorded; every function below marks the one place its ioctl goes.
 */
#include <errno.h>

#include "core/irq.h"

struct irq_line_state {
	bool level;
	bool logged;		/* "dropped" reported once per line */
	unsigned long edges;
};

static struct irq_line_state lines[IRQ_NR_GSI];
static bool chip_present;
static int chip_vm_fd = -1;

int irq_chip_create(int vm_fd)
{
	/* TODO(irqchip): ioctl(vm_fd, NYX_CREATE_IRQCHIP, 0); on success set
	 * chip_present. */
	chip_vm_fd = vm_fd;
	chip_present = false;
	return -ENOSYS;
}

bool irq_chip_present(void)
{
	return chip_present;
}

void irq_line(unsigned int gsi, bool level)
{
	struct irq_line_state *l;
	bool old;

	if (gsi >= IRQ_NR_GSI) {
		pr_debug("irq: GSI %u out of range, ignored", gsi);
		return;
	}
	l = &lines[gsi];
	old = __atomic_exchange_n(&l->level, level, __ATOMIC_SEQ_CST);
	if (level && !old)
		__atomic_add_fetch(&l->edges, 1, __ATOMIC_RELAXED);

	/* TODO(irqchip): if (chip_present) ioctl(chip_vm_fd, NYX_IRQ_LINE,
	 * &(struct nyx_irq_level){ .gsi = gsi, .level = level }); */
	(void)chip_vm_fd;
	if (level && !chip_present &&
	    !__atomic_exchange_n(&l->logged, true, __ATOMIC_RELAXED))
		pr_debug("irq: GSI %u raised, dropped (no in-kernel irqchip yet)",
			 gsi);
}

int irq_msi(u64 address, u32 data)
{
	/* TODO(irqchip): NYX_SIGNAL_MSI { address, data }. */
	(void)address;
	(void)data;
	return -ENOSYS;
}

bool irq_line_level(unsigned int gsi)
{
	return gsi < IRQ_NR_GSI &&
	       __atomic_load_n(&lines[gsi].level, __ATOMIC_SEQ_CST);
}

unsigned long irq_line_edges(unsigned int gsi)
{
	return gsi < IRQ_NR_GSI ?
	       __atomic_load_n(&lines[gsi].edges, __ATOMIC_SEQ_CST) : 0;
}

void irq_reset_observers(void)
{
	unsigned int i;

	for (i = 0; i < IRQ_NR_GSI; i++) {
		__atomic_store_n(&lines[i].level, false, __ATOMIC_SEQ_CST);
		__atomic_store_n(&lines[i].edges, 0, __ATOMIC_SEQ_CST);
	}
}
