// SPDX-License-Identifier: GPL-2.0
/*
 * The virtio fast paths (Documentation/api.rst, NYX_IOEVENTFD/NYX_IRQFD).
 *
 * ioeventfd: the VM's registrations are one array sorted by (pio, addr),
 * copied and replaced whole on every change (rare) and read under RCU on
 * the exit path (per write: one binary search, no lock, no atomic). A
 * deassigned eventfd is put only after a grace period, so a vCPU that
 * found it in the old array can still signal it.
 *
 * irqfd: like KVM's. A wait-queue entry of ours sits on the eventfd's wait
 * queue (added by vfs_poll() through our poll_table callback); the wakeup
 * callback runs in the signaller's context with the eventfd's queue lock
 * held and interrupts off, consumes the counter and injects at once: the
 * irqchip lock is an irq-safe spinlock, and waking a vCPU works from any
 * context. EPOLLHUP (the eventfd's last file reference is gone), deassign
 * and VM destruction unhook the entry from a work item on nyx_irqfd_wq,
 * which deassign and destruction flush: when they return, no callback of
 * that irqfd runs or will run.
 */
#include <linux/kernel.h>
#include <linux/eventfd.h>
#include <linux/file.h>
#include <linux/poll.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "core/core.h"
#include <nyx/ioeventfd.h>

#include "core/eventfd.h"
#include "x86/irq.h"

/* ---- ioeventfd ---- */

struct nyx_ioeventfd_entry {
	u64 addr;
	u64 datamatch;
	u32 len;		/* 0: any width (MMIO) */
	bool pio;
	bool wildcard;		/* no datamatch */
	struct eventfd_ctx *ctx;
};

struct nyx_ioeventfd_table {
	struct rcu_head rcu;
	unsigned int n;
	struct nyx_ioeventfd_entry e[];
};

/* Order of the array: PIO before MMIO, then by address. */
static int nyx_ioev_cmp(bool pio_a, u64 addr_a, bool pio_b, u64 addr_b)
{
	if (pio_a != pio_b)
		return pio_a ? -1 : 1;
	if (addr_a != addr_b)
		return addr_a < addr_b ? -1 : 1;
	return 0;
}

/* Index of the first entry not below (pio, addr). */
static unsigned int nyx_ioev_lower_bound(const struct nyx_ioeventfd_table *t,
					 bool pio, u64 addr)
{
	unsigned int lo = 0, hi = t->n;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (nyx_ioev_cmp(t->e[mid].pio, t->e[mid].addr, pio, addr) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

bool nyx_ioeventfd_write(struct nyx_vm *vm, bool pio, u64 addr,
			 unsigned int len, const void *data)
{
	const struct nyx_ioeventfd_table *t;
	bool hit = false;
	u64 val = 0;
	unsigned int i;

	/* the common case, a VM without ioeventfds, takes no RCU section */
	if (!rcu_access_pointer(vm->eventfds.io) || len > 8)
		return false;
	memcpy(&val, data, len);
	rcu_read_lock();
	t = rcu_dereference(vm->eventfds.io);
	for (i = t ? nyx_ioev_lower_bound(t, pio, addr) : 0;
	     t && i < t->n && t->e[i].pio == pio && t->e[i].addr == addr; i++) {
		const struct nyx_ioeventfd_entry *e = &t->e[i];

		if (e->len && e->len != len)
			continue;
		if (!e->wildcard && e->datamatch != val)
			continue;
		eventfd_signal(e->ctx, 1);
		hit = true;
		break;
	}
	rcu_read_unlock();
	return hit;
}

/*
 * Two registrations that a write could both match are refused (like
 * KVM): same space and address, and one matches any width, or the same
 * width and one matches any value or both the same value.
 */
static bool nyx_ioev_collide(const struct nyx_ioeventfd_entry *a,
			     const struct nyx_ioeventfd_entry *b)
{
	if (a->pio != b->pio || a->addr != b->addr)
		return false;
	if (!a->len || !b->len)
		return true;
	return a->len == b->len &&
	       (a->wildcard || b->wildcard || a->datamatch == b->datamatch);
}

static bool nyx_ioev_same(const struct nyx_ioeventfd_entry *a,
			  const struct nyx_ioeventfd_entry *b)
{
	return a->pio == b->pio && a->addr == b->addr && a->len == b->len &&
	       a->wildcard == b->wildcard &&
	       (a->wildcard || a->datamatch == b->datamatch) &&
	       a->ctx == b->ctx;
}

static struct nyx_ioeventfd_table *nyx_ioev_alloc(unsigned int n)
{
	return kmalloc(struct_size((struct nyx_ioeventfd_table *)NULL, e, n),
		       GFP_KERNEL_ACCOUNT);
}

static int nyx_ioeventfd_check(const struct nyx_ioeventfd *a)
{
	bool pio = a->flags & NYX_IOEVENTFD_FLAG_PIO;

	if (a->flags & ~NYX_IOEVENTFD_VALID_FLAGS || a->padding ||
	    a->reserved[0] || a->reserved[1])
		return -EINVAL;
	if (!nyx_ioeventfd_valid(pio, a->addr, a->len,
				 a->flags & NYX_IOEVENTFD_FLAG_DATAMATCH,
				 a->datamatch))
		return -EINVAL;
	return 0;
}

static int nyx_ioeventfd(struct nyx_vm *vm, const struct nyx_ioeventfd *a)
{
	struct nyx_vm_eventfds *ev = &vm->eventfds;
	struct nyx_ioeventfd_table *old, *new;
	struct nyx_ioeventfd_entry ne;
	struct eventfd_ctx *ctx;
	unsigned int i, n, pos;
	int r;

	r = nyx_ioeventfd_check(a);
	if (r)
		return r;
	ctx = eventfd_ctx_fdget(a->fd);
	if (IS_ERR(ctx))
		return PTR_ERR(ctx);	/* -EBADF, or -EINVAL: not an eventfd */

	ne = (struct nyx_ioeventfd_entry) {
		.addr = a->addr,
		.datamatch = a->flags & NYX_IOEVENTFD_FLAG_DATAMATCH ?
			     a->datamatch : 0,
		.len = a->len,
		.pio = a->flags & NYX_IOEVENTFD_FLAG_PIO,
		.wildcard = !(a->flags & NYX_IOEVENTFD_FLAG_DATAMATCH),
		.ctx = ctx,
	};

	mutex_lock(&ev->io_lock);
	old = rcu_dereference_protected(ev->io, lockdep_is_held(&ev->io_lock));
	n = old ? old->n : 0;
	pos = old ? nyx_ioev_lower_bound(old, ne.pio, ne.addr) : 0;

	if (a->flags & NYX_IOEVENTFD_FLAG_DEASSIGN) {
		for (i = pos; i < n && old->e[i].pio == ne.pio &&
		     old->e[i].addr == ne.addr; i++)
			if (nyx_ioev_same(&old->e[i], &ne))
				break;
		r = -ENOENT;
		if (i >= n || !nyx_ioev_same(&old->e[i], &ne))
			goto out_unlock;
		new = NULL;
		if (n > 1) {
			r = -ENOMEM;
			new = nyx_ioev_alloc(n - 1);
			if (!new)
				goto out_unlock;
			new->n = n - 1;
			memcpy(new->e, old->e, i * sizeof(ne));
			memcpy(new->e + i, old->e + i + 1,
			       (n - i - 1) * sizeof(ne));
		}
		rcu_assign_pointer(ev->io, new);
		mutex_unlock(&ev->io_lock);
		/* a vCPU may still signal the old entry's eventfd */
		synchronize_rcu();
		eventfd_ctx_put(old->e[i].ctx);
		kfree(old);
		eventfd_ctx_put(ctx);
		return 0;
	}

	for (i = pos; i < n && old->e[i].pio == ne.pio &&
	     old->e[i].addr == ne.addr; i++) {
		r = -EEXIST;
		if (nyx_ioev_collide(&old->e[i], &ne))
			goto out_unlock;
	}
	r = -ENOSPC;
	if (n >= NYX_MAX_IOEVENTFDS)
		goto out_unlock;
	r = -ENOMEM;
	new = nyx_ioev_alloc(n + 1);
	if (!new)
		goto out_unlock;
	new->n = n + 1;
	if (old)
		memcpy(new->e, old->e, pos * sizeof(ne));
	new->e[pos] = ne;
	if (old)
		memcpy(new->e + pos + 1, old->e + pos, (n - pos) * sizeof(ne));
	rcu_assign_pointer(ev->io, new);
	mutex_unlock(&ev->io_lock);
	/* the entries (and their eventfds) live on in the new array */
	if (old)
		kfree_rcu(old, rcu);
	return 0;

out_unlock:
	mutex_unlock(&ev->io_lock);
	eventfd_ctx_put(ctx);
	return r;
}

/* ---- irqfd ---- */

static struct workqueue_struct *nyx_irqfd_wq;

struct nyx_kirqfd {
	struct nyx_vm *vm;
	struct eventfd_ctx *eventfd;
	struct eventfd_ctx *resamplefd;		/* or NULL */
	wait_queue_entry_t wait;
	wait_queue_head_t *wqh;			/* the eventfd's queue */
	poll_table pt;
	struct work_struct shutdown;
	struct list_head list;			/* RCU list, list_lock */
	bool active;				/* on the list; list_lock */
	bool msi;
	u32 gsi;
	struct nyx_apic_msg msg;		/* decoded at assign */
};

static void nyx_irqfd_inject(struct nyx_kirqfd *irqfd)
{
	struct nyx_vm_irqchip *chip = irqfd->vm->irqchip;

	if (irqfd->msi)
		nyx_irqchip_send_msi(chip, &irqfd->msg);
	else if (irqfd->resamplefd)
		nyx_irqchip_drive_gsi(chip, irqfd->gsi, 1);	/* till EOI */
	else
		nyx_irqchip_pulse_gsi(chip, irqfd->gsi);
}

static void nyx_irqfd_shutdown(struct work_struct *work)
{
	struct nyx_kirqfd *irqfd = container_of(work, struct nyx_kirqfd,
					       shutdown);
	u64 cnt;

	/* the resample work walks the whole list under RCU, this entry
	 * included whether it resamples or not */
	synchronize_rcu();
	/* from here on the wakeup callback cannot run */
	eventfd_ctx_remove_wait_queue(irqfd->eventfd, &irqfd->wait, &cnt);
	eventfd_ctx_put(irqfd->eventfd);
	if (irqfd->resamplefd)
		eventfd_ctx_put(irqfd->resamplefd);
	kfree(irqfd);
}

/* Recompute resample_gsis from the list. list_lock held. */
static void nyx_irqfd_update_resample(struct nyx_vm_eventfds *ev)
{
	struct nyx_kirqfd *irqfd;
	unsigned long gsis = 0;

	list_for_each_entry(irqfd, &ev->irqfds, list)
		if (irqfd->resamplefd)
			gsis |= BIT(irqfd->gsi);
	WRITE_ONCE(ev->resample_gsis, gsis);
}

/*
 * Take it off the VM's list and have it freed. A resampling irqfd's line
 * is lowered once no other resampler holds it: nobody would lower it at
 * the next EOI any more. list_lock held.
 */
static void nyx_irqfd_deactivate(struct nyx_kirqfd *irqfd)
{
	struct nyx_vm_eventfds *ev = &irqfd->vm->eventfds;

	irqfd->active = false;
	list_del_rcu(&irqfd->list);
	ev->nr_irqfds--;
	if (irqfd->resamplefd) {
		nyx_irqfd_update_resample(ev);
		if (!(ev->resample_gsis & BIT(irqfd->gsi)))
			nyx_irqchip_drive_gsi(irqfd->vm->irqchip, irqfd->gsi,
					      0);
	}
	queue_work(nyx_irqfd_wq, &irqfd->shutdown);
}

/* The eventfd's wakeup callback: its queue lock held, interrupts off. */
static int nyx_irqfd_wakeup(wait_queue_entry_t *wait, unsigned int mode,
			    int sync, void *key)
{
	struct nyx_kirqfd *irqfd = container_of(wait, struct nyx_kirqfd, wait);
	__poll_t flags = key_to_poll(key);

	if (flags & EPOLLIN) {
		u64 cnt;

		/* consume the count: any number of signals since the last
		 * wakeup is one interrupt, as with an edge */
		eventfd_ctx_do_read(irqfd->eventfd, &cnt);
		nyx_irqfd_inject(irqfd);
	}
	if (flags & EPOLLHUP) {
		struct nyx_vm_eventfds *ev = &irqfd->vm->eventfds;
		unsigned long f;

		/* the eventfd is being freed: drop the irqfd, unless
		 * deassign or VM destruction is already doing that */
		spin_lock_irqsave(&ev->list_lock, f);
		if (irqfd->active)
			nyx_irqfd_deactivate(irqfd);
		spin_unlock_irqrestore(&ev->list_lock, f);
	}
	return 0;
}

static void nyx_irqfd_ptable_queue_proc(struct file *file,
					wait_queue_head_t *wqh, poll_table *pt)
{
	struct nyx_kirqfd *irqfd = container_of(pt, struct nyx_kirqfd, pt);

	irqfd->wqh = wqh;
	add_wait_queue_priority(wqh, &irqfd->wait);
}

static void nyx_irqfd_resample_work(struct work_struct *work)
{
	struct nyx_vm_eventfds *ev = container_of(work, struct nyx_vm_eventfds,
						  resample_work);
	unsigned long pending = xchg(&ev->resample_pending, 0);
	struct nyx_kirqfd *irqfd;

	/*
	 * Under RCU, not list_lock: eventfd_signal() takes the resamplefd's
	 * queue lock, and a wakeup on that queue (EPOLLHUP of an irqfd)
	 * takes list_lock. A resampling irqfd is freed a grace period after
	 * it left the list.
	 */
	rcu_read_lock();
	list_for_each_entry_rcu(irqfd, &ev->irqfds, list)
		if (irqfd->resamplefd && (pending & BIT(irqfd->gsi)))
			eventfd_signal(irqfd->resamplefd, 1);
	rcu_read_unlock();
}

void nyx_irqfd_resample(struct nyx_vm *vm, unsigned int gsi)
{
	struct nyx_vm_eventfds *ev = &vm->eventfds;

	/* eventfd_signal() cannot run under the irqchip lock: a resamplefd
	 * may itself be an irqfd of this VM */
	set_bit(gsi, &ev->resample_pending);
	schedule_work(&ev->resample_work);
}

static int nyx_irqfd_check(struct nyx_vm *vm, const struct nyx_irqfd *a,
			   struct nyx_apic_msg *msg)
{
	bool msi = a->flags & NYX_IRQFD_FLAG_MSI;

	if (a->flags & ~NYX_IRQFD_VALID_FLAGS || a->padding ||
	    a->reserved[0] || a->reserved[1])
		return -EINVAL;
	if (a->flags & NYX_IRQFD_FLAG_DEASSIGN)
		return 0;
	if (msi) {
		if (a->gsi || a->flags & NYX_IRQFD_FLAG_RESAMPLE ||
		    a->resamplefd)
			return -EINVAL;
		if (nyx_msi_decode(a->msi_address, a->msi_data, 0, msg))
			return -EINVAL;
		return 0;
	}
	if (a->msi_address || a->msi_data || a->gsi >= NYX_NR_GSI)
		return -EINVAL;
	if (!(a->flags & NYX_IRQFD_FLAG_RESAMPLE) && a->resamplefd)
		return -EINVAL;
	return 0;
}

static int nyx_irqfd_deassign(struct nyx_vm *vm, const struct nyx_irqfd *a)
{
	struct nyx_vm_eventfds *ev = &vm->eventfds;
	struct nyx_kirqfd *irqfd, *tmp;
	struct eventfd_ctx *ctx;
	unsigned long f;
	int r = -ENOENT;

	ctx = eventfd_ctx_fdget(a->fd);
	if (IS_ERR(ctx))
		return PTR_ERR(ctx);
	mutex_lock(&ev->irq_lock);
	spin_lock_irqsave(&ev->list_lock, f);
	list_for_each_entry_safe(irqfd, tmp, &ev->irqfds, list) {
		if (irqfd->eventfd != ctx)
			continue;
		nyx_irqfd_deactivate(irqfd);
		r = 0;
	}
	spin_unlock_irqrestore(&ev->list_lock, f);
	/* when we return, its callback no longer runs */
	flush_workqueue(nyx_irqfd_wq);
	mutex_unlock(&ev->irq_lock);
	eventfd_ctx_put(ctx);
	return r;
}

static int nyx_irqfd_assign(struct nyx_vm *vm, const struct nyx_irqfd *a,
			    const struct nyx_apic_msg *msg)
{
	struct nyx_vm_eventfds *ev = &vm->eventfds;
	struct nyx_kirqfd *irqfd, *tmp;
	struct fd f;
	unsigned long flags;
	__poll_t events;
	u64 cnt = 0;
	int r;

	irqfd = kzalloc(sizeof(*irqfd), GFP_KERNEL_ACCOUNT);
	if (!irqfd)
		return -ENOMEM;
	irqfd->vm = vm;
	irqfd->msi = a->flags & NYX_IRQFD_FLAG_MSI;
	irqfd->gsi = a->gsi;
	if (irqfd->msi)
		irqfd->msg = *msg;
	INIT_LIST_HEAD(&irqfd->list);
	INIT_WORK(&irqfd->shutdown, nyx_irqfd_shutdown);

	f = fdget(a->fd);
	r = -EBADF;
	if (!f.file)
		goto out_free;
	irqfd->eventfd = eventfd_ctx_fileget(f.file);
	if (IS_ERR(irqfd->eventfd)) {
		r = PTR_ERR(irqfd->eventfd);	/* -EINVAL: not an eventfd */
		goto out_fdput;
	}
	if (a->flags & NYX_IRQFD_FLAG_RESAMPLE) {
		irqfd->resamplefd = eventfd_ctx_fdget(a->resamplefd);
		if (IS_ERR(irqfd->resamplefd)) {
			r = PTR_ERR(irqfd->resamplefd);
			irqfd->resamplefd = NULL;
			goto out_ctx;
		}
	}
	init_waitqueue_func_entry(&irqfd->wait, nyx_irqfd_wakeup);
	init_poll_funcptr(&irqfd->pt, nyx_irqfd_ptable_queue_proc);

	/*
	 * irq_lock: a deassign or release cannot queue this irqfd's
	 * shutdown before vfs_poll() has hooked it up. EPOLLHUP cannot come
	 * before fdput() either: we hold a file reference.
	 */
	mutex_lock(&ev->irq_lock);
	spin_lock_irqsave(&ev->list_lock, flags);
	r = -ENOSPC;
	if (ev->nr_irqfds >= NYX_MAX_IRQFDS)
		goto out_unlock;
	r = -EBUSY;
	list_for_each_entry(tmp, &ev->irqfds, list)
		if (tmp->eventfd == irqfd->eventfd)
			goto out_unlock;
	list_add_tail_rcu(&irqfd->list, &ev->irqfds);
	irqfd->active = true;
	ev->nr_irqfds++;
	nyx_irqfd_update_resample(ev);
	spin_unlock_irqrestore(&ev->list_lock, flags);

	events = vfs_poll(f.file, &irqfd->pt);
	/* signals from before the assign count: take them now, under the
	 * queue lock so that none is seen twice or lost to the callback */
	if (events & EPOLLIN) {
		spin_lock_irqsave(&irqfd->wqh->lock, flags);
		eventfd_ctx_do_read(irqfd->eventfd, &cnt);
		spin_unlock_irqrestore(&irqfd->wqh->lock, flags);
		if (cnt)
			nyx_irqfd_inject(irqfd);
	}
	mutex_unlock(&ev->irq_lock);
	fdput(f);
	return 0;

out_unlock:
	spin_unlock_irqrestore(&ev->list_lock, flags);
	mutex_unlock(&ev->irq_lock);
	if (irqfd->resamplefd)
		eventfd_ctx_put(irqfd->resamplefd);
out_ctx:
	eventfd_ctx_put(irqfd->eventfd);
out_fdput:
	fdput(f);
out_free:
	kfree(irqfd);
	return r;
}

static int nyx_irqfd(struct nyx_vm *vm, const struct nyx_irqfd *a)
{
	struct nyx_apic_msg msg;
	int r;

	r = nyx_irqfd_check(vm, a, &msg);
	if (r)
		return r;
	if (a->flags & NYX_IRQFD_FLAG_DEASSIGN)
		return nyx_irqfd_deassign(vm, a);
	/* injection needs the irqchip, which never goes away before us */
	if (!smp_load_acquire(&vm->irqchip))
		return -ENXIO;
	return nyx_irqfd_assign(vm, a, &msg);
}

/* ---- VM and module ---- */

long nyx_eventfd_vm_ioctl(struct nyx_vm *vm, unsigned int ioctl,
			  void __user *argp)
{
	switch (ioctl) {
	case NYX_IOEVENTFD: {
		struct nyx_ioeventfd a;

		if (copy_from_user(&a, argp, sizeof(a)))
			return -EFAULT;
		return nyx_ioeventfd(vm, &a);
	}
	case NYX_IRQFD: {
		struct nyx_irqfd a;

		if (copy_from_user(&a, argp, sizeof(a)))
			return -EFAULT;
		return nyx_irqfd(vm, &a);
	}
	}
	return -ENOTTY;
}

void nyx_eventfd_vm_init(struct nyx_vm *vm)
{
	struct nyx_vm_eventfds *ev = &vm->eventfds;

	mutex_init(&ev->io_lock);
	RCU_INIT_POINTER(ev->io, NULL);
	mutex_init(&ev->irq_lock);
	spin_lock_init(&ev->list_lock);
	INIT_LIST_HEAD(&ev->irqfds);
	INIT_WORK(&ev->resample_work, nyx_irqfd_resample_work);
}

void nyx_eventfd_vm_destroy(struct nyx_vm *vm)
{
	struct nyx_vm_eventfds *ev = &vm->eventfds;
	struct nyx_ioeventfd_table *t;
	struct nyx_kirqfd *irqfd, *tmp;
	unsigned long f;
	unsigned int i;

	mutex_lock(&ev->irq_lock);
	spin_lock_irqsave(&ev->list_lock, f);
	list_for_each_entry_safe(irqfd, tmp, &ev->irqfds, list)
		nyx_irqfd_deactivate(irqfd);
	spin_unlock_irqrestore(&ev->list_lock, f);
	flush_workqueue(nyx_irqfd_wq);
	mutex_unlock(&ev->irq_lock);
	/* queued by an EOI before the irqfds went: nothing left to signal */
	cancel_work_sync(&ev->resample_work);

	/* no vCPU runs any more: no reader is left */
	t = rcu_dereference_protected(ev->io, 1);
	if (t) {
		for (i = 0; i < t->n; i++)
			eventfd_ctx_put(t->e[i].ctx);
		kfree(t);
		RCU_INIT_POINTER(ev->io, NULL);
	}
}

int nyx_eventfd_module_init(void)
{
	nyx_irqfd_wq = alloc_workqueue("nyx-irqfd-cleanup", 0, 0);
	return nyx_irqfd_wq ? 0 : -ENOMEM;
}

void nyx_eventfd_module_exit(void)
{
	destroy_workqueue(nyx_irqfd_wq);
}
