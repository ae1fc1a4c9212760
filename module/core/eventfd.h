/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The virtio fast paths: ioeventfd (a guest write to a registered address
 * signals an eventfd without an exit to userspace) and irqfd (an eventfd
 * signal injects an interrupt without an ioctl). See eventfd.c.
 */
#ifndef NYX_CORE_EVENTFD_H
#define NYX_CORE_EVENTFD_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#define NYX_MAX_IOEVENTFDS	256
#define NYX_MAX_IRQFDS		256

struct nyx_vm;
struct nyx_vcpu;
struct nyx_ioeventfd_table;

/* Per-VM state, embedded in struct nyx_vm. */
struct nyx_vm_eventfds {
	/* ioeventfd: a sorted array, replaced whole under io_lock and read
	 * under RCU on the exit path */
	struct mutex io_lock;
	struct nyx_ioeventfd_table __rcu *io;

	/* irqfd: irq_lock (a mutex) orders assign, deassign and release;
	 * list_lock (taken from the eventfd's wakeup callback, interrupts
	 * off) protects the list itself */
	struct mutex irq_lock;
	spinlock_t list_lock;
	struct list_head irqfds;
	unsigned int nr_irqfds;
	/* GSIs with a resampling irqfd, and those EOI'd since the last run
	 * of resample_work (which signals their resamplefds) */
	unsigned long resample_gsis;
	unsigned long resample_pending;
	struct work_struct resample_work;
};

int nyx_eventfd_module_init(void);
void nyx_eventfd_module_exit(void);

void nyx_eventfd_vm_init(struct nyx_vm *vm);
/* At VM destruction, before the irqchip and the vCPUs go. */
void nyx_eventfd_vm_destroy(struct nyx_vm *vm);

long nyx_eventfd_vm_ioctl(struct nyx_vm *vm, unsigned int ioctl,
			  void __user *argp);

/*
 * A guest write of len bytes (data, little endian) to a port (pio) or an
 * MMIO address: true if an ioeventfd took it (its eventfd is signalled).
 * Process context, any vCPU, no lock held.
 */
bool nyx_ioeventfd_write(struct nyx_vm *vm, bool pio, u64 addr,
			 unsigned int len, const void *data);

/* EOI of a level-triggered GSI with resampling irqfds: lower it and queue
 * the resamplefd signals. Called with the irqchip lock held. */
void nyx_irqfd_resample(struct nyx_vm *vm, unsigned int gsi);

#endif
