// SPDX-License-Identifier: GPL-2.0
/*
 * ioeventfd and irqfd helpers for the virtio devices, with a fallback to
 * plain exits and NYX_SIGNAL_MSI / NYX_IRQ_LINE where the module lacks
 * them. See eventfd.h.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>

#include "core/eventfd.h"
#include "core/irq.h"

static bool fastpath_off;

void eventfd_fastpath_disable(bool off)
{
	fastpath_off = off;
}

bool ioeventfd_supported(int vm_fd)
{
	return !fastpath_off &&
	       ioctl(vm_fd, NYX_CHECK_EXTENSION, NYX_CAP_IOEVENTFD) > 0;
}

bool irqfd_supported(int vm_fd)
{
	return !fastpath_off &&
	       ioctl(vm_fd, NYX_CHECK_EXTENSION, NYX_CAP_IRQFD) > 0;
}

int ioeventfd_args(struct nyx_ioeventfd *a, bool pio, u64 addr, u32 len,
		   bool datamatch, u64 value, int fd)
{
	memset(a, 0, sizeof(*a));
	switch (len) {
	case 0:		/* any width: MMIO without datamatch only */
		if (pio || datamatch)
			return -EINVAL;
		break;
	case 1: case 2: case 4:
		break;
	case 8:
		if (pio)
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}
	if (pio && (addr > 0xffff || addr + len > 0x10000))
		return -EINVAL;
	if (!pio && addr + len < addr)
		return -EINVAL;
	if (datamatch && len < 8 && value >> (8 * len))
		return -EINVAL;
	a->addr = addr;
	a->len = len;
	a->fd = fd;
	a->flags = (pio ? NYX_IOEVENTFD_FLAG_PIO : 0) |
		   (datamatch ? NYX_IOEVENTFD_FLAG_DATAMATCH : 0);
	a->datamatch = datamatch ? value : 0;
	return 0;
}

int irqfd_msi_args(struct nyx_irqfd *a, int fd, u64 address, u32 data)
{
	memset(a, 0, sizeof(*a));
	if ((address & ~0xfffffull) != 0xfee00000ull)
		return -EINVAL;
	a->fd = fd;
	a->flags = NYX_IRQFD_FLAG_MSI;
	a->msi_address = address;
	a->msi_data = data;
	return 0;
}

int irqfd_gsi_args(struct nyx_irqfd *a, int fd, u32 gsi)
{
	memset(a, 0, sizeof(*a));
	if (gsi >= IRQ_NR_GSI)
		return -EINVAL;
	a->fd = fd;
	a->gsi = gsi;
	return 0;
}

int ioeventfd_add(struct ioeventfd *io, int vm_fd, bool pio, u64 addr,
		  u32 len, bool datamatch, u64 value)
{
	int r;

	io->fd = -1;
	r = ioeventfd_args(&io->arg, pio, addr, len, datamatch, value, -1);
	if (r)
		return r;
	if (!ioeventfd_supported(vm_fd))
		return -ENOSYS;
	io->fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (io->fd < 0)
		return -errno;
	io->arg.fd = io->fd;
	if (ioctl(vm_fd, NYX_IOEVENTFD, &io->arg) < 0) {
		r = -errno;
		close(io->fd);
		io->fd = -1;
		return r;
	}
	return 0;
}

void ioeventfd_remove(struct ioeventfd *io, int vm_fd)
{
	struct nyx_ioeventfd a = io->arg;

	if (io->fd < 0)
		return;
	a.flags |= NYX_IOEVENTFD_FLAG_DEASSIGN;
	if (ioctl(vm_fd, NYX_IOEVENTFD, &a) < 0)
		pr_err("ioeventfd: deassign %#llx: %s",
		       (unsigned long long)a.addr, strerror(errno));
	close(io->fd);
	io->fd = -1;
}

u64 ioeventfd_drain(const struct ioeventfd *io)
{
	u64 v = 0;

	if (io->fd < 0 || read(io->fd, &v, sizeof(v)) != sizeof(v))
		return 0;
	return v;
}

static int irqfd_add(struct irqfd *irq, int vm_fd)
{
	int r;

	irq->vm_fd = vm_fd;
	irq->fd = -1;
	if (!irq_chip_present() || !irqfd_supported(vm_fd))
		return -ENOSYS;
	irq->fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (irq->fd < 0)
		return -errno;
	irq->arg.fd = irq->fd;
	if (ioctl(vm_fd, NYX_IRQFD, &irq->arg) < 0) {
		r = -errno;
		close(irq->fd);
		irq->fd = -1;
		return r;
	}
	return 0;
}

int irqfd_msi_add(struct irqfd *irq, int vm_fd, u64 address, u32 data)
{
	int r = irqfd_msi_args(&irq->arg, -1, address, data);

	irq->fd = -1;
	return r ? r : irqfd_add(irq, vm_fd);
}

int irqfd_gsi_add(struct irqfd *irq, int vm_fd, u32 gsi)
{
	int r = irqfd_gsi_args(&irq->arg, -1, gsi);

	irq->fd = -1;
	return r ? r : irqfd_add(irq, vm_fd);
}

int irqfd_signal(const struct irqfd *irq)
{
	u64 one = 1;
	int r;

	if (irq->fd >= 0)
		return write(irq->fd, &one, sizeof(one)) == sizeof(one) ?
		       0 : -errno;
	/* the slow path: an ioctl from this thread */
	if (irq->arg.flags & NYX_IRQFD_FLAG_MSI) {
		r = irq_msi(irq->arg.msi_address, irq->arg.msi_data);
		return r < 0 ? r : 0;
	}
	/* an edge, as the kernel's irqfd: none while the line is high */
	if (!irq_line_level(irq->arg.gsi)) {
		irq_raise(irq->arg.gsi);
		irq_lower(irq->arg.gsi);
	}
	return 0;
}

void irqfd_remove(struct irqfd *irq)
{
	struct nyx_irqfd a = irq->arg;

	if (irq->fd < 0)
		return;
	a.flags |= NYX_IRQFD_FLAG_DEASSIGN;
	if (ioctl(irq->vm_fd, NYX_IRQFD, &a) < 0)
		pr_err("irqfd: deassign: %s", strerror(errno));
	close(irq->fd);
	irq->fd = -1;
}
