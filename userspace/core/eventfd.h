/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The virtio fast paths from the launcher's side (NYX_IOEVENTFD,
 * NYX_IRQFD; Documentation/api.rst).
 *
 * ioeventfd: a device's queue-notify address becomes an eventfd that its
 * I/O thread polls; the guest's write never leaves the kernel. Without
 * the capability (or with the fast paths turned off) ioeventfd_add()
 * returns -ENOSYS and the write reaches the device's bus handler on the
 * vCPU thread as before: devices keep that handler registered either way.
 *
 * irqfd: an interrupt the I/O thread raises with irqfd_signal(), which
 * writes the eventfd (the kernel injects), or falls back to
 * NYX_SIGNAL_MSI / a GSI pulse through core/irq.c when there is no irqfd.
 */
#ifndef NYX_EVENTFD_H
#define NYX_EVENTFD_H

#include <uapi/nyx.h>

#include "core/util.h"

/* Turn the fast paths off for every later ioeventfd_add()/irqfd_*_add()
 * (benchmarks: what the fast path buys). */
void eventfd_fastpath_disable(bool off);

/* Whether the module offers them on vm_fd (and they are not turned off). */
bool ioeventfd_supported(int vm_fd);
bool irqfd_supported(int vm_fd);

/* Fill the ioctl arguments, checking them as the module does. 0 or
 * -EINVAL. Pure: for the unit tests. */
int ioeventfd_args(struct nyx_ioeventfd *a, bool pio, u64 addr, u32 len,
		   bool datamatch, u64 value, int fd);
int irqfd_msi_args(struct nyx_irqfd *a, int fd, u64 address, u32 data);
int irqfd_gsi_args(struct nyx_irqfd *a, int fd, u32 gsi);

struct ioeventfd {
	int fd;				/* the eventfd, -1: none */
	struct nyx_ioeventfd arg;	/* for the deassign */
};

/*
 * Make guest writes of len bytes to addr (a port if pio) signal a new
 * eventfd (io->fd), with datamatch: only writes of value. Returns 0,
 * -ENOSYS if the fast path is absent or off (io->fd is -1: serve the
 * write on the exit path), or another -errno.
 */
int ioeventfd_add(struct ioeventfd *io, int vm_fd, bool pio, u64 addr,
		  u32 len, bool datamatch, u64 value);
/* Deassign and close; a no-op on an ioeventfd that never got one. */
void ioeventfd_remove(struct ioeventfd *io, int vm_fd);
/* Consume the eventfd's count (the I/O thread, after poll()). */
u64 ioeventfd_drain(const struct ioeventfd *io);

struct irqfd {
	int fd;				/* the eventfd, -1: fallback */
	int vm_fd;
	struct nyx_irqfd arg;		/* what to inject */
};

/* An MSI or an edge on a GSI. 0 with an eventfd, -ENOSYS with the
 * fallback (irqfd_signal() still works), or another -errno. */
int irqfd_msi_add(struct irqfd *irq, int vm_fd, u64 address, u32 data);
int irqfd_gsi_add(struct irqfd *irq, int vm_fd, u32 gsi);
/* Inject it, from any thread. 0 or -errno. */
int irqfd_signal(const struct irqfd *irq);
void irqfd_remove(struct irqfd *irq);

#endif
