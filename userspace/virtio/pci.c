// SPDX-License-Identifier: GPL-2.0
/*
 * virtio 1.x modern PCI transport. See pci.h for the layout, threads and
 * reset rules.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>

#include "core/affinity.h"
#include "core/clock.h"
#include "core/vm.h"
#include "virtio/pci.h"
#include "stats/hist.h"

#define EV_DEV	0x10000u	/* epoll data of dev_fd */
#define EV_CTL	0x10001u	/* epoll data of ctl_fd */

static u64 transport_features(void)
{
	return (1ull << VIRTIO_F_VERSION_1) |
	       (1ull << VIRTIO_F_INDIRECT_DESC) |
	       (1ull << VIRTIO_F_EVENT_IDX);
}

static u64 device_features(const struct virtio_pci *v)
{
	return v->ops->features | transport_features();
}

void *virtio_map_guest(void *opaque, u64 gpa, u64 len, u64 *contig,
		       bool write)
{
	const struct vm *vm = opaque;
	u64 slot_end;
	u8 *base;

	(void)write;
	if (gpa < vm->low_size) {
		base = vm->ram + gpa;
		slot_end = vm->low_size;
	} else if (gpa >= RAM_HIGH_BASE &&
		   gpa - RAM_HIGH_BASE < vm->high_size) {
		base = vm->ram + vm->low_size + (gpa - RAM_HIGH_BASE);
		slot_end = RAM_HIGH_BASE + vm->high_size;
	} else {
		return NULL;
	}
	*contig = slot_end - gpa < len ? slot_end - gpa : len;
	return base;
}

/* ---------------------------------------------------------------------
 * Interrupts
 */

/* MSI-X deliver callback (pci dev lock held): the vector's irqfd, made
 * again if the guest changed the table entry since its last use. */
static int deliver_irqfd(void *opaque, u64 address, u32 data)
{
	struct virtio_pci_irq *irq = opaque;
	int r;

	if (irq->vm_fd < 0)
		return -ENODEV;
	if (!irq->valid || irq->address != address || irq->data != data) {
		if (irq->valid)
			irqfd_remove(&irq->irqfd);
		irq->valid = false;
		r = irqfd_msi_add(&irq->irqfd, irq->vm_fd, address, data);
		if (r && r != -ENOSYS)
			return r;
		irq->valid = true;
		irq->address = address;
		irq->data = data;
	}
	r = irqfd_signal(&irq->irqfd);
	return r < 0 ? r : 1;
}

static bool msix_on(struct virtio_pci *v)
{
	u16 ctl;

	pthread_mutex_lock(&v->pci.lock);
	ctl = v->pci.msix_cap ?
	      pci_config_get(&v->pci.cfg, v->pci.msix_cap + PCI_MSIX_FLAGS,
			     2) : 0;
	pthread_mutex_unlock(&v->pci.lock);
	return ctl & PCI_MSIX_FLAGS_ENABLE;
}

static void interrupt(struct virtio_pci *v, u16 vector, u8 isr_bit)
{
	int r;

	if (!msix_on(v)) {
		pthread_mutex_lock(&v->lock);
		v->s.isr |= isr_bit;
		pthread_mutex_unlock(&v->lock);
		pci_irq_set(&v->pci, true);
		return;
	}
	if (vector == VIRTIO_MSI_NO_VECTOR || vector >= v->pci.msix.nr)
		return;
	if (v->vm_fd >= 0)
		r = pci_msix_notify_via(&v->pci, vector, deliver_irqfd,
					&v->irq[vector]);
	else
		r = pci_msi_notify(&v->pci, vector);
	if (r < 0)
		pr_debug("%s: vector %u: %s", v->ops->name, vector,
			 strerror(-r));
}

void virtio_notify_queue_now(struct virtio_pci *v, unsigned int q)
{
	bool send = false;
	u16 vector = VIRTIO_MSI_NO_VECTOR;

	if (q >= v->ops->num_queues)
		return;
	v->irq_deferred[q] = false;
	pthread_mutex_lock(&v->lock);
	if (!v->resetting && v->vq[q].ready && vq_should_notify(&v->vq[q])) {
		send = true;
		vector = v->s.q[q].msix_vector;
	}
	pthread_mutex_unlock(&v->lock);
	if (!send)
		return;
	if (v->irq_gap_ns[q])
		v->irq_last_ns[q] = clock_monotonic_ns();
	nyx_stat_add(&v->irqs_sent[q], 1);
	interrupt(v, vector, VIRTIO_ISR_QUEUE);
}

void virtio_notify_queue(struct virtio_pci *v, unsigned int q)
{
	if (q >= v->ops->num_queues)
		return;
	if (v->irq_gap_ns[q] &&
	    clock_monotonic_ns() - v->irq_last_ns[q] < v->irq_gap_ns[q]) {
		/* the I/O thread sends it when the gap is over */
		if (v->irq_deferred[q])
			nyx_stat_add(&v->irqs_merged[q], 1);
		v->irq_deferred[q] = true;
		return;
	}
	virtio_notify_queue_now(v, q);
}

void virtio_queue_set_irq_gap(struct virtio_pci *v, unsigned int q,
			      u32 usecs)
{
	if (q < VIRTIO_MAX_QUEUES)
		v->irq_gap_ns[q] = (u64)usecs * 1000;
}

struct timespec *virtio_pci_irq_flush(struct virtio_pci *v,
				      struct timespec *ts)
{
	u64 now = 0, wait = ~0ull, due;
	unsigned int q;

	for (q = 0; q < v->ops->num_queues; q++) {
		if (!v->irq_deferred[q])
			continue;
		if (!now)
			now = clock_monotonic_ns();
		due = v->irq_last_ns[q] + v->irq_gap_ns[q];
		if (now >= due)
			virtio_notify_queue_now(v, q);
		else if (due - now < wait)
			wait = due - now;
	}
	if (wait == ~0ull)
		return NULL;
	ts->tv_sec = wait / 1000000000ull;
	ts->tv_nsec = wait % 1000000000ull;
	return ts;
}

void (*virtio_error_hook)(const char *name, const char *cls,
			  const char *why);

const char *virtio_qclass_name(unsigned int cls)
{
	switch (cls) {
	case VIRTIO_QUARANTINE_NONE:
		return "ok";
	case VIRTIO_QUARANTINE_GUEST:
		return "guest";
	case VIRTIO_QUARANTINE_BACKEND:
		return "backend";
	}
	return "?";
}

void virtio_pci_name(const struct virtio_pci *v, char *buf, size_t len)
{
	snprintf(buf, len, "%s %02x.0", v->ops->name, v->pci.slot);
}

/* Lock-free: the completion path asks once per request. Writers hold
 * v->lock and store atomically. */
unsigned int virtio_quarantined(struct virtio_pci *v)
{
	return __atomic_load_n(&v->qr.cls, __ATOMIC_ACQUIRE);
}

/* lock held */
static void set_class(struct virtio_pci *v, unsigned int cls)
{
	__atomic_store_n(&v->qr.cls, cls, __ATOMIC_RELEASE);
}

/* lock held. The first failure wins: a backend error on a device the
 * guest already broke changes nothing (its reset ends both). */
static bool quarantine_locked(struct virtio_pci *v, unsigned int cls,
			      const char *why)
{
	if (v->qr.cls)
		return false;
	set_class(v, cls);
	v->qr.count++;
	snprintf(v->qr.reason, sizeof(v->qr.reason), "%s", why);
	return true;
}

/* After unlocking: log and DEVICE_ERROR, once per quarantine. */
static void quarantine_report(struct virtio_pci *v, unsigned int cls,
			      const char *why)
{
	char name[32];

	virtio_pci_name(v, name, sizeof(name));
	if (cls == VIRTIO_QUARANTINE_GUEST)
		pr_err("%s: guest error, device needs reset: %s", name, why);
	else
		pr_err("%s: backend error, device quarantined until device-reset: %s",
		       name, why);
	if (virtio_error_hook)
		virtio_error_hook(name, virtio_qclass_name(cls), why);
}

void virtio_set_needs_reset(struct virtio_pci *v, const char *why)
{
	bool first;
	u16 vector;

	pthread_mutex_lock(&v->lock);
	first = !(v->s.status & VIRTIO_STATUS_NEEDS_RESET);
	if (first) {
		v->s.status |= VIRTIO_STATUS_NEEDS_RESET;
		v->bad_chains++;
		/* guest class even over a backend quarantine: the driver
		 * must reset now, which ends both */
		set_class(v, VIRTIO_QUARANTINE_NONE);
		quarantine_locked(v, VIRTIO_QUARANTINE_GUEST, why);
	}
	vector = v->s.msix_config;
	pthread_mutex_unlock(&v->lock);
	if (!first)
		return;
	quarantine_report(v, VIRTIO_QUARANTINE_GUEST, why);
	interrupt(v, vector, VIRTIO_ISR_CONFIG);
}

bool virtio_quarantine_backend(struct virtio_pci *v, const char *why)
{
	bool first;

	pthread_mutex_lock(&v->lock);
	first = quarantine_locked(v, VIRTIO_QUARANTINE_BACKEND, why);
	pthread_mutex_unlock(&v->lock);
	if (first)
		quarantine_report(v, VIRTIO_QUARANTINE_BACKEND, why);
	return first;
}

/* ---------------------------------------------------------------------
 * Queues (device side)
 */
static bool live_locked(struct virtio_pci *v, unsigned int q)
{
	return q < v->ops->num_queues && !v->resetting && !v->qr.cls &&
	       (v->s.status & VIRTIO_STATUS_DRIVER_OK) &&
	       !(v->s.status & VIRTIO_STATUS_NEEDS_RESET) && v->vq[q].ready;
}

bool virtio_queue_live(struct virtio_pci *v, unsigned int q)
{
	bool r;

	pthread_mutex_lock(&v->lock);
	r = live_locked(v, q);
	pthread_mutex_unlock(&v->lock);
	return r;
}

int virtio_pop(struct virtio_pci *v, unsigned int q, struct vq_seg *segs,
	       u32 max_segs, struct vq_chain *chain)
{
	int r;

	pthread_mutex_lock(&v->lock);
	r = live_locked(v, q) ? vq_pop(&v->vq[q], segs, max_segs, chain) : 0;
	pthread_mutex_unlock(&v->lock);
	if (r < 0 && r != VQ_ERR_BROKEN) {
		char why[96];

		snprintf(why, sizeof(why), "queue %u: %s", q, vq_strerror(r));
		virtio_set_needs_reset(v, why);
	}
	return r;
}

int virtio_push(struct virtio_pci *v, unsigned int q, u16 head, u32 len)
{
	int r = 0;

	pthread_mutex_lock(&v->lock);
	/* a reset in progress: the driver no longer owns these rings;
	 * quarantined: the rings are left as they are */
	if (v->qr.cls)
		r = VQ_ERR_BROKEN;
	else if (q < v->ops->num_queues && !v->resetting && v->vq[q].ready)
		r = vq_push(&v->vq[q], head, len);
	pthread_mutex_unlock(&v->lock);
	if (r < 0 && r != VQ_ERR_BROKEN)
		virtio_set_needs_reset(v, vq_strerror(r));
	return r;
}

void virtio_queue_disable_notify(struct virtio_pci *v, unsigned int q)
{
	pthread_mutex_lock(&v->lock);
	if (live_locked(v, q))
		vq_disable_notify(&v->vq[q]);
	pthread_mutex_unlock(&v->lock);
}

bool virtio_queue_enable_notify(struct virtio_pci *v, unsigned int q)
{
	bool r = false;

	pthread_mutex_lock(&v->lock);
	if (live_locked(v, q))
		r = vq_enable_notify(&v->vq[q]);
	pthread_mutex_unlock(&v->lock);
	return r;
}

/* ---------------------------------------------------------------------
 * Kicks: an eventfd per queue, an ioeventfd on its notify address when
 * the module has them.
 */
static void kick(struct virtio_pci *v, unsigned int q)
{
	u64 one = 1;

	if (q < v->ops->num_queues && v->kick_fd[q] >= 0 &&
	    write(v->kick_fd[q], &one, sizeof(one)) != sizeof(one))
		pr_debug("%s: kick queue %u: %s", v->ops->name, q,
			 strerror(errno));
}

/* kick_lock held. */
static void kicks_unassign(struct virtio_pci *v)
{
	unsigned int q;

	for (q = 0; q < v->ops->num_queues; q++) {
		struct nyx_ioeventfd a = v->kick_arg[q];

		if (!v->kick_assigned[q])
			continue;
		a.flags |= NYX_IOEVENTFD_FLAG_DEASSIGN;
		if (ioctl(v->vm_fd, NYX_IOEVENTFD, &a) < 0)
			pr_err("%s: ioeventfd deassign: %s", v->ops->name,
			       strerror(errno));
		v->kick_assigned[q] = false;
	}
}

/* kick_lock held. Queue q's notify address is a 16-bit write (what Linux
 * does); other widths exit and reach notify_write(). */
static void kicks_assign(struct virtio_pci *v)
{
	unsigned int q;

	if (!v->use_ioeventfd || !v->bar0_mapped)
		return;
	for (q = 0; q < v->ops->num_queues; q++) {
		u64 addr = v->bar0_base + VIRTIO_PCI_NOTIFY_OFF +
			   q * VIRTIO_PCI_NOTIFY_MULT;

		if (ioeventfd_args(&v->kick_arg[q], false, addr, 2, false, 0,
				   v->kick_fd[q]) ||
		    ioctl(v->vm_fd, NYX_IOEVENTFD, &v->kick_arg[q]) < 0) {
			pr_err("%s: ioeventfd at 0x%llx: %s (plain exits)",
			       v->ops->name, (unsigned long long)addr,
			       strerror(errno));
			continue;
		}
		v->kick_assigned[q] = true;
	}
}

/* pci bar_moved callback (pci dev lock held; takes only kick_lock). */
static void bar_moved(void *opaque, unsigned int n, bool mapped, u64 base)
{
	struct virtio_pci *v = opaque;

	if (n != 0)
		return;
	pthread_mutex_lock(&v->kick_lock);
	if (v->vm_fd >= 0)
		kicks_unassign(v);
	v->bar0_mapped = mapped;
	v->bar0_base = base;
	if (v->vm_fd >= 0)
		kicks_assign(v);
	pthread_mutex_unlock(&v->kick_lock);
}

/* ---------------------------------------------------------------------
 * Reset
 */
static void reset_regs_locked(struct virtio_pci *v)
{
	unsigned int q;

	memset(&v->s, 0, sizeof(v->s));
	v->s.msix_config = VIRTIO_MSI_NO_VECTOR;
	for (q = 0; q < VIRTIO_MAX_QUEUES; q++) {
		vq_reset(&v->vq[q]);
		v->s.q[q].size = q < v->ops->num_queues ?
				 VIRTIO_QUEUE_MAX_SIZE : 0;
		v->s.q[q].msix_vector = VIRTIO_MSI_NO_VECTOR;
	}
}

void virtio_pci_finish_reset(struct virtio_pci *v)
{
	bool notify;
	u16 vector;

	if (v->ops->reset)
		v->ops->reset(v);
	pthread_mutex_lock(&v->lock);
	reset_regs_locked(v);
	v->resetting = false;
	/* a reset, the driver's or the operator's, ends a quarantine */
	set_class(v, VIRTIO_QUARANTINE_NONE);
	v->qr.reason[0] = '\0';
	v->recover_pending = false;
	notify = v->reset_notify;
	vector = v->reset_notify_vector;
	v->reset_notify = false;
	pthread_mutex_unlock(&v->lock);
	pci_irq_set(&v->pci, false);
	/* device-reset: tell the driver (the registers are back at their
	 * power-on values, msix_config included: use the vector it had) */
	if (notify)
		interrupt(v, vector, VIRTIO_ISR_CONFIG);
}

/* I/O thread (or inline without one): a backend quarantine ended. */
static void finish_recover(struct virtio_pci *v)
{
	unsigned int q;

	if (v->ops->recover)
		v->ops->recover(v);
	for (q = 0; q < v->ops->num_queues; q++)
		kick(v, q);
}

static void ctl_signal(struct virtio_pci *v)
{
	u64 one = 1;

	if (write(v->ctl_fd, &one, sizeof(one)) != sizeof(one))
		pr_err("%s: control eventfd: %s", v->ops->name,
		       strerror(errno));
}

/* ---------------------------------------------------------------------
 * Common configuration (vdev->lock held)
 */
static u64 common_get(struct virtio_pci *v, unsigned int reg)
{
	const struct virtio_pci_state *s = &v->s;
	unsigned int sel = s->queue_select;
	const struct virtio_queue_regs *q =
		sel < v->ops->num_queues ? &s->q[sel] : NULL;
	u64 f;

	switch (reg) {
	case VIRTIO_PCI_COMMON_DFSELECT:
		return s->device_feature_select;
	case VIRTIO_PCI_COMMON_DF:
		f = device_features(v);
		return s->device_feature_select < 2 ?
		       (u32)(f >> (32 * s->device_feature_select)) : 0;
	case VIRTIO_PCI_COMMON_GFSELECT:
		return s->driver_feature_select;
	case VIRTIO_PCI_COMMON_GF:
		return s->driver_feature_select < 2 ?
		       (u32)(s->driver_features >>
			     (32 * s->driver_feature_select)) : 0;
	case VIRTIO_PCI_COMMON_MSIX:
		return s->msix_config;
	case VIRTIO_PCI_COMMON_NUMQ:
		return v->ops->num_queues;
	case VIRTIO_PCI_COMMON_STATUS:
		/*
		 * 0 means "reset complete" to a driver that wrote 0, and
		 * writes are ignored until then: a device that was already at
		 * 0 must not read 0 while its I/O thread still drains
		 * (tests/guests/vhostile.S found that race).
		 */
		if (v->resetting)
			return VIRTIO_STATUS_NEEDS_RESET;
		return s->status;
	case VIRTIO_PCI_COMMON_CFGGENERATION:
		return s->config_generation;
	case VIRTIO_PCI_COMMON_Q_SELECT:
		return s->queue_select;
	case VIRTIO_PCI_COMMON_Q_SIZE:
		return q ? q->size : 0;
	case VIRTIO_PCI_COMMON_Q_MSIX:
		return q ? q->msix_vector : VIRTIO_MSI_NO_VECTOR;
	case VIRTIO_PCI_COMMON_Q_ENABLE:
		return q ? q->enable : 0;
	case VIRTIO_PCI_COMMON_Q_NOFF:
		return q ? sel : 0;
	case VIRTIO_PCI_COMMON_Q_DESCLO:
		return q ? (u32)q->desc : 0;
	case VIRTIO_PCI_COMMON_Q_DESCHI:
		return q ? q->desc >> 32 : 0;
	case VIRTIO_PCI_COMMON_Q_AVAILLO:
		return q ? (u32)q->driver : 0;
	case VIRTIO_PCI_COMMON_Q_AVAILHI:
		return q ? q->driver >> 32 : 0;
	case VIRTIO_PCI_COMMON_Q_USEDLO:
		return q ? (u32)q->device : 0;
	case VIRTIO_PCI_COMMON_Q_USEDHI:
		return q ? q->device >> 32 : 0;
	}
	return 0;
}

/* Register widths, indexed by offset: the field an access falls in. */
static unsigned int common_field(unsigned int off, unsigned int *width)
{
	static const u8 starts[] = {
		0x00, 0x04, 0x08, 0x0c, 0x10, 0x12, 0x14, 0x15, 0x16, 0x18,
		0x1a, 0x1c, 0x1e, 0x20, 0x24, 0x28, 0x2c, 0x30, 0x34, 0x38,
	};
	unsigned int i;

	for (i = 0; i + 1 < ARRAY_SIZE(starts); i++)
		if (off >= starts[i] && off < starts[i + 1]) {
			*width = starts[i + 1] - starts[i];
			return starts[i];
		}
	*width = 0;
	return 0;
}

static void set_lo(u64 *r, u32 v)
{
	*r = (*r & ~0xffffffffull) | v;
}

static void set_hi(u64 *r, u32 v)
{
	*r = (*r & 0xffffffffull) | (u64)v << 32;
}

/* A status write; returns true if the I/O thread must finish a reset. */
static bool status_write(struct virtio_pci *v, u8 val)
{
	struct virtio_pci_state *s = &v->s;
	u8 old = s->status;
	unsigned int q;

	if (!val) {
		/* Stop the queues now; the I/O thread drains the requests
		 * in flight and then zeroes the registers (the driver polls
		 * status until it reads 0). */
		for (q = 0; q < VIRTIO_MAX_QUEUES; q++)
			v->vq[q].ready = false;
		v->resetting = true;
		return true;
	}
	if (v->resetting)
		return false;
	/* NEEDS_RESET is the device's bit: the driver cannot set or clear it */
	val = (val & ~VIRTIO_STATUS_NEEDS_RESET) |
	      (old & VIRTIO_STATUS_NEEDS_RESET);
	if ((val & VIRTIO_STATUS_FEATURES_OK) &&
	    !(old & VIRTIO_STATUS_FEATURES_OK)) {
		/* modern only (no legacy interface): VERSION_1 required */
		if ((s->driver_features & ~device_features(v)) ||
		    !(s->driver_features & (1ull << VIRTIO_F_VERSION_1)))
			val &= ~VIRTIO_STATUS_FEATURES_OK;
	}
	s->status = val;
	return false;
}

static void queue_enable(struct virtio_pci *v, unsigned int sel)
{
	struct virtio_queue_regs *q = &v->s.q[sel];
	char why[96];
	int r;

	r = vq_setup(&v->vq[sel], &v->mem, q->size, q->desc, q->driver,
		     q->device, v->s.driver_features);
	q->enable = 1;
	if (r) {
		v->vq[sel].ready = false;
		snprintf(why, sizeof(why), "queue %u setup: %s", sel,
			 vq_strerror(r));
		/* caller reports and sends the config interrupt after
		 * unlocking */
		v->s.status |= VIRTIO_STATUS_NEEDS_RESET;
		v->bad_chains++;
		set_class(v, VIRTIO_QUARANTINE_NONE);
		quarantine_locked(v, VIRTIO_QUARANTINE_GUEST, why);
	}
}

/* Returns a bitmask of follow-ups to do after unlocking. */
#define FOLLOW_RESET	1
#define FOLLOW_KICKALL	2
#define FOLLOW_CONFIG	4

static unsigned int common_set(struct virtio_pci *v, unsigned int reg,
			       u32 val)
{
	struct virtio_pci_state *s = &v->s;
	unsigned int sel = s->queue_select;
	struct virtio_queue_regs *q =
		sel < v->ops->num_queues ? &s->q[sel] : NULL;
	/* queue registers are frozen once the queue is enabled */
	bool qw = q && !q->enable && !v->resetting;
	u8 old = s->status;

	switch (reg) {
	case VIRTIO_PCI_COMMON_DFSELECT:
		s->device_feature_select = val;
		break;
	case VIRTIO_PCI_COMMON_GFSELECT:
		s->driver_feature_select = val;
		break;
	case VIRTIO_PCI_COMMON_GF:
		if (s->status & VIRTIO_STATUS_FEATURES_OK)
			break;
		if (s->driver_feature_select == 0)
			set_lo(&s->driver_features, val);
		else if (s->driver_feature_select == 1)
			set_hi(&s->driver_features, val);
		break;
	case VIRTIO_PCI_COMMON_MSIX:
		s->msix_config = val < v->pci.msix.nr ? val :
				 VIRTIO_MSI_NO_VECTOR;
		break;
	case VIRTIO_PCI_COMMON_STATUS:
		if (status_write(v, val))
			return FOLLOW_RESET;
		if ((s->status & VIRTIO_STATUS_DRIVER_OK) &&
		    !(old & VIRTIO_STATUS_DRIVER_OK))
			return FOLLOW_KICKALL;
		break;
	case VIRTIO_PCI_COMMON_Q_SELECT:
		s->queue_select = val;
		break;
	case VIRTIO_PCI_COMMON_Q_SIZE:
		/* checked by vq_setup() at enable time */
		if (qw)
			q->size = val;
		break;
	case VIRTIO_PCI_COMMON_Q_MSIX:
		if (q)
			q->msix_vector = val < v->pci.msix.nr ? val :
					 VIRTIO_MSI_NO_VECTOR;
		break;
	case VIRTIO_PCI_COMMON_Q_ENABLE:
		if (qw && val == 1) {
			queue_enable(v, sel);
			if (s->status & VIRTIO_STATUS_NEEDS_RESET)
				return FOLLOW_CONFIG;
		}
		break;
	case VIRTIO_PCI_COMMON_Q_DESCLO:
		if (qw)
			set_lo(&q->desc, val);
		break;
	case VIRTIO_PCI_COMMON_Q_DESCHI:
		if (qw)
			set_hi(&q->desc, val);
		break;
	case VIRTIO_PCI_COMMON_Q_AVAILLO:
		if (qw)
			set_lo(&q->driver, val);
		break;
	case VIRTIO_PCI_COMMON_Q_AVAILHI:
		if (qw)
			set_hi(&q->driver, val);
		break;
	case VIRTIO_PCI_COMMON_Q_USEDLO:
		if (qw)
			set_lo(&q->device, val);
		break;
	case VIRTIO_PCI_COMMON_Q_USEDHI:
		if (qw)
			set_hi(&q->device, val);
		break;
	}
	return 0;
}

/*
 * Accesses of any width; each byte belongs to one field. A read assembles
 * the fields' bytes; a write goes field by field (a 64-bit write to
 * queue_desc is two 32-bit fields), with partial fields merged into the
 * current value.
 */
static void common_read(struct virtio_pci *v, u32 off, u8 *data, u32 len)
{
	u32 i, w, start;

	for (i = 0; i < len; i++) {
		if (off + i >= VIRTIO_PCI_COMMON_SIZE) {
			data[i] = 0;
			continue;
		}
		start = common_field(off + i, &w);
		data[i] = common_get(v, start) >> (8 * (off + i - start));
	}
}

static unsigned int common_write(struct virtio_pci *v, u32 off,
				 const u8 *data, u32 len)
{
	unsigned int follow = 0;
	u32 i = 0, w, start, b;
	u64 val;

	while (i < len && off + i < VIRTIO_PCI_COMMON_SIZE) {
		start = common_field(off + i, &w);
		val = common_get(v, start);
		for (b = off + i - start; b < w && i < len; b++, i++) {
			val &= ~(0xffull << (8 * b));
			val |= (u64)data[i] << (8 * b);
		}
		follow |= common_set(v, start, (u32)val);
	}
	return follow;
}

/* ---------------------------------------------------------------------
 * BAR0
 */
void virtio_pci_bar_read(void *opaque, u64 off, void *data, u32 len)
{
	struct virtio_pci *v = opaque;
	bool lower = false;

	memset(data, 0, len);
	if (len > 8)
		return;
	pthread_mutex_lock(&v->lock);
	if (off < VIRTIO_PCI_COMMON_SIZE) {
		common_read(v, off, data, len);
	} else if (off == VIRTIO_PCI_ISR_OFF) {
		/* reading clears it and deasserts INTA# */
		*(u8 *)data = v->s.isr;
		v->s.isr = 0;
		lower = true;
	} else if (off >= VIRTIO_PCI_DEVCFG_OFF &&
		   off - VIRTIO_PCI_DEVCFG_OFF < v->ops->config_len &&
		   len <= v->ops->config_len - (off - VIRTIO_PCI_DEVCFG_OFF)) {
		if (v->ops->config_read)
			v->ops->config_read(v, off - VIRTIO_PCI_DEVCFG_OFF,
					    data, len);
	}
	pthread_mutex_unlock(&v->lock);
	if (lower)
		pci_irq_set(&v->pci, false);
}

void virtio_pci_bar_write(void *opaque, u64 off, const void *data, u32 len)
{
	struct virtio_pci *v = opaque;
	unsigned int follow = 0, q;
	char why[VIRTIO_REASON_LEN];
	u16 cfg_vector;

	if (len > 8)
		return;
	if (off >= VIRTIO_PCI_NOTIFY_OFF) {
		/* the plain-exit kick (no ioeventfd, or another width) */
		q = (off - VIRTIO_PCI_NOTIFY_OFF) / VIRTIO_PCI_NOTIFY_MULT;
		kick(v, q);
		return;
	}
	pthread_mutex_lock(&v->lock);
	if (off < VIRTIO_PCI_COMMON_SIZE) {
		follow = common_write(v, off, data, len);
	} else if (off >= VIRTIO_PCI_DEVCFG_OFF &&
		   off - VIRTIO_PCI_DEVCFG_OFF < v->ops->config_len &&
		   len <= v->ops->config_len - (off - VIRTIO_PCI_DEVCFG_OFF)) {
		if (v->ops->config_write)
			v->ops->config_write(v, off - VIRTIO_PCI_DEVCFG_OFF,
					     data, len);
	}
	cfg_vector = v->s.msix_config;
	if (follow & FOLLOW_CONFIG)
		memcpy(why, v->qr.reason, sizeof(why));
	pthread_mutex_unlock(&v->lock);

	if (follow & FOLLOW_CONFIG)
		quarantine_report(v, VIRTIO_QUARANTINE_GUEST, why);
	if (follow & FOLLOW_RESET) {
		if (v->thread_running)
			ctl_signal(v);
		else
			virtio_pci_finish_reset(v);
	}
	if (follow & FOLLOW_KICKALL)
		for (q = 0; q < v->ops->num_queues; q++)
			kick(v, q);
	if (follow & FOLLOW_CONFIG)
		interrupt(v, cfg_vector, VIRTIO_ISR_CONFIG);
}

static const struct io_ops bar0_ops = {
	.read = virtio_pci_bar_read,
	.write = virtio_pci_bar_write,
};

/* ---------------------------------------------------------------------
 * Setup
 */
static int add_cap(struct pci_config *c, u8 type, u32 off, u32 len,
		   bool notify)
{
	unsigned int clen = notify ? 20 : 16;
	unsigned int at = pci_config_add_cap(c, PCI_CAP_ID_VNDR, clen);

	if (!at)
		return -ENOSPC;
	pci_config_set(c, at + 2, clen, 1);	/* cap_len */
	pci_config_set(c, at + 3, type, 1);	/* cfg_type */
	pci_config_set(c, at + 4, 0, 1);	/* bar */
	pci_config_set(c, at + 8, off, 4);
	pci_config_set(c, at + 12, len, 4);
	if (notify)
		pci_config_set(c, at + 16, VIRTIO_PCI_NOTIFY_MULT, 4);
	return 0;
}

int virtio_pci_init(struct virtio_pci *v, const struct virtio_dev_ops *ops,
		    void *dev, const struct vm *vm)
{
	struct pci_device_info info = {
		.name = ops->name,
		.vendor = VIRTIO_PCI_VENDOR,
		.device = VIRTIO_PCI_DEVICE_BASE + ops->type,
		.subsys_vendor = VIRTIO_PCI_VENDOR,
		.subsys_id = VIRTIO_PCI_DEVICE_BASE + ops->type,
		.class_code = ops->class_code,
		.revision = 1,
		.irq_pin = 1,
		.bars = {
			[0] = { .type = PCI_BAR_MEM32,
				.size = VIRTIO_PCI_BAR_SIZE,
				.ops = &bar0_ops, .opaque = v },
			[VIRTIO_PCI_MSIX_BAR] = { .type = PCI_BAR_MEM32,
				.size = VIRTIO_PCI_MSIX_BAR_SIZE },
		},
		.msix_vectors = ops->num_queues + 1u,
		.msix_bar = VIRTIO_PCI_MSIX_BAR,
		.msix_table_offset = 0,
		.msix_pba_offset = VIRTIO_PCI_MSIX_PBA_OFF,
		.bar_moved = bar_moved,
		.bar_moved_opaque = v,
	};
	unsigned int q;
	int r;

	if (!ops->num_queues || ops->num_queues > VIRTIO_MAX_QUEUES ||
	    ops->config_len > VIRTIO_PCI_DEVCFG_SIZE)
		return -EINVAL;
	memset(v, 0, sizeof(*v));
	v->ops = ops;
	v->dev = dev;
	v->vm = vm;
	v->vm_fd = -1;
	v->dev_fd = -1;
	v->ctl_fd = -1;
	v->epoll_fd = -1;
	v->mem.map = virtio_map_guest;
	v->mem.opaque = (void *)vm;
	pthread_mutex_init(&v->lock, NULL);
	pthread_mutex_init(&v->kick_lock, NULL);
	for (q = 0; q < VIRTIO_MAX_QUEUES; q++)
		v->kick_fd[q] = -1;
	for (q = 0; q <= VIRTIO_MAX_QUEUES; q++) {
		v->irq[q].vm_fd = -1;
		v->irq[q].irqfd.fd = -1;
	}
	reset_regs_locked(v);

	r = pci_dev_init(&v->pci, &info);
	if (r)
		return r;
	r = add_cap(&v->pci.cfg, VIRTIO_PCI_CAP_COMMON_CFG,
		    VIRTIO_PCI_COMMON_OFF, VIRTIO_PCI_COMMON_SIZE, false);
	if (!r)
		r = add_cap(&v->pci.cfg, VIRTIO_PCI_CAP_ISR_CFG,
			    VIRTIO_PCI_ISR_OFF, 1, false);
	if (!r && ops->config_len)
		r = add_cap(&v->pci.cfg, VIRTIO_PCI_CAP_DEVICE_CFG,
			    VIRTIO_PCI_DEVCFG_OFF, ops->config_len, false);
	if (!r)
		r = add_cap(&v->pci.cfg, VIRTIO_PCI_CAP_NOTIFY_CFG,
			    VIRTIO_PCI_NOTIFY_OFF,
			    ops->num_queues * VIRTIO_PCI_NOTIFY_MULT, true);
	if (r)
		pr_err("%s: no room for the virtio capabilities", ops->name);
	return r;
}

/* ---------------------------------------------------------------------
 * The I/O thread
 */
static void *io_thread(void *arg)
{
	struct virtio_pci *v = arg;
	struct epoll_event ev[VIRTIO_MAX_QUEUES + 2];
	struct timespec ts;
	bool recover;
	int n, i;
	u64 cnt;

	for (;;) {
		/* nanoseconds: the interrupt gaps are sub-millisecond */
		n = epoll_pwait2(v->epoll_fd, ev, ARRAY_SIZE(ev),
				 virtio_pci_irq_flush(v, &ts), NULL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			pr_err("%s: epoll_wait: %s", v->ops->name,
			       strerror(errno));
			break;
		}
		for (i = 0; i < n; i++) {
			u32 id = ev[i].data.u32;

			if (id == EV_CTL) {
				if (read(v->ctl_fd, &cnt, sizeof(cnt)) < 0)
					cnt = 0;
				if (__atomic_load_n(&v->stopping,
						    __ATOMIC_ACQUIRE))
					return NULL;
				pthread_mutex_lock(&v->lock);
				cnt = v->resetting;
				recover = v->recover_pending && !cnt;
				v->recover_pending = false;
				pthread_mutex_unlock(&v->lock);
				if (cnt)
					virtio_pci_finish_reset(v);
				else if (recover)
					finish_recover(v);
			} else if (id == EV_DEV) {
				if (v->ops->dev_fd_ready)
					v->ops->dev_fd_ready(v);
			} else if (id < v->ops->num_queues) {
				if (read(v->kick_fd[id], &cnt,
					 sizeof(cnt)) < 0)
					cnt = 0;
				if (v->ops->queue_notify &&
				    virtio_queue_live(v, id))
					v->ops->queue_notify(v, id);
			}
		}
	}
	return NULL;
}

/* ---------------------------------------------------------------------
 * Started devices (host bookkeeping for the control socket, not device
 * state). A command holds the lock while it uses a device, so that
 * virtio_pci_stop() cannot free it meanwhile.
 */
#define REGISTRY_MAX	64

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static struct virtio_pci *registry[REGISTRY_MAX];

static void registry_add(struct virtio_pci *v)
{
	unsigned int i;

	pthread_mutex_lock(&registry_lock);
	for (i = 0; i < REGISTRY_MAX; i++)
		if (!registry[i]) {
			registry[i] = v;
			break;
		}
	pthread_mutex_unlock(&registry_lock);
	if (i == REGISTRY_MAX)
		pr_err("%s %02x.0: too many devices for the control socket",
		       v->ops->name, v->pci.slot);
}

static void registry_del(struct virtio_pci *v)
{
	unsigned int i;

	pthread_mutex_lock(&registry_lock);
	for (i = 0; i < REGISTRY_MAX; i++)
		if (registry[i] == v)
			registry[i] = NULL;
	pthread_mutex_unlock(&registry_lock);
}

int virtio_pci_for_each(int (*fn)(struct virtio_pci *v, void *arg),
			void *arg)
{
	unsigned int i;
	int r = 0;

	pthread_mutex_lock(&registry_lock);
	for (i = 0; i < REGISTRY_MAX && !r; i++)
		if (registry[i])
			r = fn(registry[i], arg);
	pthread_mutex_unlock(&registry_lock);
	return r;
}

int virtio_pci_device_reset(struct virtio_pci *v, char *err, size_t errlen)
{
	unsigned int cls, q;
	char name[32];

	virtio_pci_name(v, name, sizeof(name));
	pthread_mutex_lock(&v->lock);
	cls = v->qr.cls;
	if (cls == VIRTIO_QUARANTINE_BACKEND) {
		/* the queues come back; the device retries what it kept */
		set_class(v, VIRTIO_QUARANTINE_NONE);
		v->qr.reason[0] = '\0';
		v->recover_pending = true;
	} else if (cls == VIRTIO_QUARANTINE_GUEST && !v->resetting) {
		/* what a status 0 write does, plus the interrupt after */
		for (q = 0; q < VIRTIO_MAX_QUEUES; q++)
			v->vq[q].ready = false;
		v->resetting = true;
		v->reset_notify = true;
		v->reset_notify_vector = v->s.msix_config;
	}
	pthread_mutex_unlock(&v->lock);
	if (!cls) {
		snprintf(err, errlen, "device-reset: %s is not quarantined",
			 name);
		return -EINVAL;
	}
	pr_info("%s: device-reset (%s quarantine)", name,
		virtio_qclass_name(cls));
	if (v->thread_running)
		ctl_signal(v);
	else if (cls == VIRTIO_QUARANTINE_GUEST)
		virtio_pci_finish_reset(v);
	else
		finish_recover(v);
	return 0;
}

static int epoll_add(int epfd, int fd, u32 id)
{
	struct epoll_event e = { .events = EPOLLIN, .data.u32 = id };

	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &e) ? -errno : 0;
}

void virtio_pci_poll_dev(struct virtio_pci *v, bool on)
{
	struct epoll_event e = { .events = on ? EPOLLIN : 0,
				 .data.u32 = EV_DEV };

	if (v->dev_fd_off == !on)
		return;
	v->dev_fd_off = !on;
	if (v->epoll_fd >= 0 && v->dev_fd >= 0 &&
	    epoll_ctl(v->epoll_fd, EPOLL_CTL_MOD, v->dev_fd, &e))
		pr_err("%s: epoll_ctl: %s", v->ops->name, strerror(errno));
}

int virtio_pci_start(struct virtio_pci *v, int vm_fd)
{
	unsigned int q;
	int r;

	v->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	v->ctl_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (v->epoll_fd < 0 || v->ctl_fd < 0)
		return -errno;
	r = epoll_add(v->epoll_fd, v->ctl_fd, EV_CTL);
	for (q = 0; !r && q < v->ops->num_queues; q++) {
		v->kick_fd[q] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (v->kick_fd[q] < 0)
			return -errno;
		r = epoll_add(v->epoll_fd, v->kick_fd[q], q);
	}
	if (!r && v->dev_fd >= 0) {
		r = epoll_add(v->epoll_fd, v->dev_fd, EV_DEV);
		v->dev_fd_off = false;
	}
	if (r)
		return r;

	for (q = 0; q <= v->ops->num_queues; q++)
		v->irq[q].vm_fd = vm_fd;
	pthread_mutex_lock(&v->kick_lock);
	v->vm_fd = vm_fd;
	v->use_ioeventfd = vm_fd >= 0 && ioeventfd_supported(vm_fd);
	kicks_assign(v);
	pthread_mutex_unlock(&v->kick_lock);
	pr_debug("%s %02x.0: kicks by %s, interrupts by %s", v->ops->name,
		 v->pci.slot, v->use_ioeventfd ? "ioeventfd" : "exits",
		 vm_fd >= 0 && irqfd_supported(vm_fd) ? "irqfd" : "ioctl");

	r = thread_create(&v->thread, THREAD_IO, 0, v->ops->name, io_thread, v);
	if (r)
		return -r;
	v->thread_running = true;
	registry_add(v);
	return 0;
}

void virtio_pci_stop(struct virtio_pci *v)
{
	unsigned int q;

	registry_del(v);
	if (v->thread_running) {
		__atomic_store_n(&v->stopping, true, __ATOMIC_RELEASE);
		ctl_signal(v);
		pthread_join(v->thread, NULL);
		v->thread_running = false;
	}
	pthread_mutex_lock(&v->kick_lock);
	if (v->vm_fd >= 0)
		kicks_unassign(v);
	pthread_mutex_unlock(&v->kick_lock);
	for (q = 0; q <= VIRTIO_MAX_QUEUES; q++)
		if (v->irq[q].valid) {
			irqfd_remove(&v->irq[q].irqfd);
			v->irq[q].valid = false;
		}
	for (q = 0; q < VIRTIO_MAX_QUEUES; q++)
		if (v->kick_fd[q] >= 0) {
			close(v->kick_fd[q]);
			v->kick_fd[q] = -1;
		}
	if (v->ctl_fd >= 0)
		close(v->ctl_fd);
	if (v->epoll_fd >= 0)
		close(v->epoll_fd);
	v->ctl_fd = v->epoll_fd = -1;
}

void virtio_pci_save(struct virtio_pci *v, struct virtio_pci_state *st)
{
	unsigned int q;

	pthread_mutex_lock(&v->lock);
	*st = v->s;
	for (q = 0; q < VIRTIO_MAX_QUEUES; q++)
		st->vq[q] = v->vq[q].s;
	pthread_mutex_unlock(&v->lock);
}

/* ---------------------------------------------------------------------
 * Snapshot state (pci.h, Documentation/architecture.rst)
 */
_Static_assert(sizeof(struct virtio_queue_saved) == 48, "queue record");
_Static_assert(sizeof(struct virtio_pci_saved) == 928, "transport record");

#define STATUS_KNOWN	(VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | \
			 VIRTIO_STATUS_DRIVER_OK | \
			 VIRTIO_STATUS_FEATURES_OK | \
			 VIRTIO_STATUS_NEEDS_RESET | VIRTIO_STATUS_FAILED)

int virtio_pci_save_state(struct virtio_pci *v, struct virtio_pci_saved *st)
{
	unsigned int q;
	int r = 0;

	memset(st, 0, sizeof(*st));
	pthread_mutex_lock(&v->lock);
	if (v->resetting || v->recover_pending || v->reset_notify) {
		r = -EBUSY;
		goto out;
	}
	st->version = VIRTIO_PCI_STATE_VERSION;
	st->size = sizeof(*st);
	st->type = v->ops->type;
	st->num_queues = v->ops->num_queues;
	st->device_feature_select = v->s.device_feature_select;
	st->device_features = device_features(v);
	st->driver_feature_select = v->s.driver_feature_select;
	st->driver_features = v->s.driver_features;
	st->msix_config = v->s.msix_config;
	st->status = v->s.status;
	st->config_generation = v->s.config_generation;
	st->queue_select = v->s.queue_select;
	st->isr = v->s.isr;
	st->qr_class = v->qr.cls;
	st->qr_count = v->qr.count;
	st->bad_chains = v->bad_chains;
	memcpy(st->qr_reason, v->qr.reason, sizeof(st->qr_reason));
	st->qr_reason[VIRTIO_REASON_LEN - 1] = '\0';
	for (q = 0; q < VIRTIO_MAX_QUEUES; q++) {
		const struct virtio_queue_regs *rg = &v->s.q[q];
		const struct vq_state *vs = &v->vq[q].s;
		struct virtio_queue_saved *o = &st->q[q];

		o->desc = rg->desc;
		o->driver = rg->driver;
		o->device = rg->device;
		o->size = rg->size;
		o->msix_vector = rg->msix_vector;
		o->enable = rg->enable;
		o->features = vs->features;
		o->last_avail_idx = vs->last_avail_idx;
		o->used_idx = vs->used_idx;
		o->signalled_used = vs->signalled_used;
		o->signalled_used_valid = vs->signalled_used_valid;
		o->notify_disabled = vs->notify_disabled;
		o->error = vs->error;
	}
out:
	pthread_mutex_unlock(&v->lock);
	return r;
}

static bool vector_ok(const struct virtio_pci *v, u16 vec)
{
	return vec == VIRTIO_MSI_NO_VECTOR || vec < v->pci.msix.nr;
}

/*
 * One queue record into a detached virtqueue (nothing of v changes).
 * Only what the register model can reach is accepted: a disabled queue
 * has no ring state (its registers are re-checked by vq_setup() when
 * enabled); an enabled one has a ring that maps, unless its setup or a
 * chain broke it, which the device must then show (NEEDS_RESET).
 */
static int load_queue(struct virtio_pci *v, unsigned int q,
		      const struct virtio_pci_saved *st,
		      struct virtqueue *vq)
{
	const struct virtio_queue_saved *o = &st->q[q];
	struct vq_state vs = { 0 };
	u16 inflight;
	int r;

	vq_reset(vq);
	if (o->signalled_used_valid > 1 || o->notify_disabled > 1 ||
	    o->enable > 1 || o->error > 0 || o->error < VQ_ERR_USED_ID)
		return -EINVAL;
	if (!vector_ok(v, o->msix_vector))
		return -EINVAL;
	if (q >= v->ops->num_queues) {
		/* no such queue: exactly the reset values */
		struct virtio_queue_saved none = {
			.msix_vector = VIRTIO_MSI_NO_VECTOR,
		};

		return memcmp(o, &none, sizeof(none)) ? -EINVAL : 0;
	}
	if (!o->enable) {
		if (o->features || o->last_avail_idx || o->used_idx ||
		    o->signalled_used || o->signalled_used_valid ||
		    o->notify_disabled || o->error)
			return -EINVAL;
		return 0;
	}
	if (o->error) {
		if (!(st->status & VIRTIO_STATUS_NEEDS_RESET))
			return -EINVAL;
	} else {
		/* the sizes the device offers: a power of two up to its
		 * maximum (vq_load() checks 32768, the ring's own limit) */
		if (!o->size || o->size > VIRTIO_QUEUE_MAX_SIZE ||
		    (o->size & (o->size - 1)))
			return -EINVAL;
		/* popped and not pushed: at most the whole ring */
		inflight = (u16)(o->last_avail_idx - o->used_idx);
		if (inflight > o->size)
			return -EINVAL;
	}
	vs.desc_gpa = o->desc;
	vs.avail_gpa = o->driver;
	vs.used_gpa = o->device;
	vs.features = o->features;
	vs.size = o->size;
	vs.last_avail_idx = o->last_avail_idx;
	vs.used_idx = o->used_idx;
	vs.signalled_used = o->signalled_used;
	vs.signalled_used_valid = o->signalled_used_valid;
	vs.notify_disabled = o->notify_disabled;
	vs.error = o->error;
	/* alignment, RAM and host contiguity of the three rings */
	r = vq_load(vq, &v->mem, &vs);
	if (r && !o->error)
		return -EINVAL;
	return 0;
}

int virtio_pci_load_quiet(struct virtio_pci *v,
			  const struct virtio_pci_saved *st)
{
	struct virtqueue vq[VIRTIO_MAX_QUEUES];
	struct virtio_pci_state s;
	unsigned int q;
	u64 devf = device_features(v);

	if (st->version != VIRTIO_PCI_STATE_VERSION ||
	    st->size != sizeof(*st) || st->type != v->ops->type ||
	    st->num_queues != v->ops->num_queues ||
	    st->device_features != devf || st->pad0)
		return -EINVAL;
	if ((st->status & ~STATUS_KNOWN) ||
	    (st->isr & ~(VIRTIO_ISR_QUEUE | VIRTIO_ISR_CONFIG)) ||
	    !vector_ok(v, st->msix_config) ||
	    st->qr_class > VIRTIO_QUARANTINE_BACKEND ||
	    !memchr(st->qr_reason, '\0', sizeof(st->qr_reason)))
		return -EINVAL;
	/* FEATURES_OK only sticks for a subset of ours with VERSION_1 */
	if ((st->status & VIRTIO_STATUS_FEATURES_OK) &&
	    ((st->driver_features & ~devf) ||
	     !(st->driver_features & (1ull << VIRTIO_F_VERSION_1))))
		return -EINVAL;
	/* NEEDS_RESET and the guest quarantine come and go together; a
	 * healthy device has no reason; a quarantine has been counted */
	if (!!(st->status & VIRTIO_STATUS_NEEDS_RESET) !=
	    (st->qr_class == VIRTIO_QUARANTINE_GUEST))
		return -EINVAL;
	if (!st->qr_class && st->qr_reason[0])
		return -EINVAL;
	if (st->qr_class && !st->qr_count)
		return -EINVAL;
	for (q = 0; q < VIRTIO_MAX_QUEUES; q++)
		if (load_queue(v, q, st, &vq[q]))
			return -EINVAL;

	memset(&s, 0, sizeof(s));
	s.device_feature_select = st->device_feature_select;
	s.driver_feature_select = st->driver_feature_select;
	s.driver_features = st->driver_features;
	s.msix_config = st->msix_config;
	s.status = st->status;
	s.config_generation = st->config_generation;
	s.queue_select = st->queue_select;
	s.isr = st->isr;
	for (q = 0; q < VIRTIO_MAX_QUEUES; q++) {
		s.q[q].size = st->q[q].size;
		s.q[q].msix_vector = st->q[q].msix_vector;
		s.q[q].enable = st->q[q].enable;
		s.q[q].desc = st->q[q].desc;
		s.q[q].driver = st->q[q].driver;
		s.q[q].device = st->q[q].device;
		s.vq[q] = vq[q].s;
	}

	pthread_mutex_lock(&v->lock);
	if (v->resetting) {
		pthread_mutex_unlock(&v->lock);
		return -EBUSY;
	}
	v->s = s;
	memcpy(v->vq, vq, sizeof(vq));
	set_class(v, st->qr_class);
	v->qr.count = st->qr_count;
	memcpy(v->qr.reason, st->qr_reason, sizeof(v->qr.reason));
	v->bad_chains = st->bad_chains;
	v->recover_pending = false;
	v->reset_notify = false;
	pthread_mutex_unlock(&v->lock);
	return 0;
}

void virtio_pci_kick_all(struct virtio_pci *v)
{
	unsigned int q;
	bool up;

	pthread_mutex_lock(&v->lock);
	up = (v->s.status & VIRTIO_STATUS_DRIVER_OK) && !v->qr.cls &&
	     !v->resetting;
	pthread_mutex_unlock(&v->lock);
	if (up)
		for (q = 0; q < v->ops->num_queues; q++)
			kick(v, q);
}

int virtio_pci_load(struct virtio_pci *v, const struct virtio_pci_saved *st)
{
	int r = virtio_pci_load_quiet(v, st);

	/* chains the driver made available before the snapshot get looked
	 * at without waiting for its next kick */
	if (!r)
		virtio_pci_kick_all(v);
	return r;
}
