// SPDX-License-Identifier: GPL-2.0
/*
 * Interrupt lines from the launcher's devices to nyx.ko's in-kernel
 * interrupt controllers (NYX_CREATE_IRQCHIP, NYX_IRQ_LINE, NYX_SIGNAL_MSI).
 * Each line's level is also recorded, for the unit tests and --verbose;
 * without an irqchip (--irqchip off, or an old module) that is all that
 * happens.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/ioctl.h>

#include <uapi/nyx.h>

#include "core/irq.h"

struct irq_line_state {
	bool level;
	bool logged;		/* "dropped" reported once per line */
	unsigned long edges;
};

static struct irq_line_state lines[IRQ_NR_GSI];
static bool chip_present;
static int chip_vm_fd = -1;
/* Orders level changes of one line with their ioctls: a raise and a
 * lower from two threads must reach the kernel in the recorded order. */
static pthread_mutex_t line_lock = PTHREAD_MUTEX_INITIALIZER;

int irq_chip_create(int vm_fd)
{
	chip_vm_fd = vm_fd;
	chip_present = false;
	if (ioctl(vm_fd, NYX_CHECK_EXTENSION, NYX_CAP_IRQCHIP) <= 0)
		return -ENOSYS;
	if (ioctl(vm_fd, NYX_CREATE_IRQCHIP, 0) < 0)
		return -errno;
	chip_present = true;
	return 0;
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
	pthread_mutex_lock(&line_lock);
	old = __atomic_exchange_n(&l->level, level, __ATOMIC_SEQ_CST);
	if (level && !old)
		__atomic_add_fetch(&l->edges, 1, __ATOMIC_RELAXED);
	if (level != old && chip_present) {
		struct nyx_irq_level arg = { .gsi = gsi, .level = level };

		if (ioctl(chip_vm_fd, NYX_IRQ_LINE, &arg) < 0)
			pr_err("irq: NYX_IRQ_LINE gsi %u: %s", gsi,
			       strerror(errno));
	}
	pthread_mutex_unlock(&line_lock);
	if (level && !chip_present &&
	    !__atomic_exchange_n(&l->logged, true, __ATOMIC_RELAXED))
		pr_debug("irq: GSI %u raised, dropped (no in-kernel irqchip)",
			 gsi);
}

int irq_msi(u64 address, u32 data)
{
	struct nyx_msi msi = { .address = address, .data = data };
	int r;

	if (!chip_present)
		return -ENOSYS;
	r = ioctl(chip_vm_fd, NYX_SIGNAL_MSI, &msi);
	return r < 0 ? -errno : r;
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
