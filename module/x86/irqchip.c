// SPDX-License-Identifier: GPL-2.0
/*
 * VM side of the in-kernel irqchip: the dual 8259A, the I/O APIC, the 8254
 * PIT and the APIC bus that joins them to the local APICs (lapic.c). The
 * models are the pure-C ones in lib/irq; this file gives them a lock, a
 * clock (ktime, ns), host timers, the GSI wiring of a PC, and the ioctls.
 */
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "x86/irq.h"
#include "x86/x86.h"
#include "core/eventfd.h"

static struct nyx_vm_irqchip *nyx_chip(struct nyx_vm *vm)
{
	return smp_load_acquire(&vm->irqchip);
}

/* Wake the vCPUs a message was addressed to. Lock held. */
int nyx_irqchip_deliver(struct nyx_vm_irqchip *chip,
			const struct nyx_apic_msg *msg,
			const struct nyx_lapic *src)
{
	int i, n;

	n = nyx_apic_bus_deliver(chip->apics, NYX_MAX_VCPUS, msg, src,
				 &chip->lowest_rr);
	if (!n)
		return 0;
	for (i = 0; i < NYX_MAX_VCPUS; i++) {
		struct nyx_lapic *a = chip->apics[i];

		if (a && nyx_lapic_match(a, msg, a == src))
			nyx_vcpu_wake(chip->vm->vcpus[i]);
	}
	return n;
}

static int nyx_ioapic_deliver(void *opaque, const struct nyx_apic_msg *msg)
{
	return nyx_irqchip_deliver(opaque, msg, NULL);
}

static const struct nyx_ioapic_ops nyx_ioapic_ops = {
	.deliver = nyx_ioapic_deliver,
};

/* The PIC's INTR reaches vCPU 0's LINT0 (virtual wire). */
static void nyx_pic_intr_changed(void *opaque, int level)
{
	struct nyx_vm_irqchip *chip = opaque;
	struct nyx_vcpu *bsp = READ_ONCE(chip->vm->vcpus[0]);

	if (level && bsp)
		nyx_vcpu_wake(bsp);
}

static const struct nyx_pic_ops nyx_pic_ops = {
	.intr = nyx_pic_intr_changed,
};

/* Drive a GSI with the PC wiring (see NYX_IRQ_LINE). Lock held. */
static void nyx_set_gsi(struct nyx_vm_irqchip *chip, u32 gsi, int level)
{
	if (level)
		chip->gsi_levels |= 1u << gsi;
	else
		chip->gsi_levels &= ~(1u << gsi);
	if (gsi < NYX_NR_ISA_IRQS && gsi != NYX_PIC_CASCADE_IRQ)
		nyx_pic_set_irq(&chip->pic, gsi, level);
	nyx_ioapic_set_irq(&chip->ioapic, gsi ? gsi : 2, level);
}

/* ---- irqfd (core/eventfd.c): any context, the lock not held ---- */

void nyx_irqchip_drive_gsi(struct nyx_vm_irqchip *chip, u32 gsi, int level)
{
	unsigned long flags;

	spin_lock_irqsave(&chip->lock, flags);
	nyx_set_gsi(chip, gsi, level);
	spin_unlock_irqrestore(&chip->lock, flags);
}

/* An edge; nothing if the line is held high (no edge is possible). */
void nyx_irqchip_pulse_gsi(struct nyx_vm_irqchip *chip, u32 gsi)
{
	unsigned long flags;

	spin_lock_irqsave(&chip->lock, flags);
	if (!(chip->gsi_levels & (1u << gsi))) {
		nyx_set_gsi(chip, gsi, 1);
		nyx_set_gsi(chip, gsi, 0);
	}
	spin_unlock_irqrestore(&chip->lock, flags);
}

int nyx_irqchip_send_msi(struct nyx_vm_irqchip *chip,
			 const struct nyx_apic_msg *msg)
{
	unsigned long flags;
	int r;

	spin_lock_irqsave(&chip->lock, flags);
	r = nyx_irqchip_deliver(chip, msg, NULL);
	spin_unlock_irqrestore(&chip->lock, flags);
	return r;
}

/*
 * EOI of vector: before the I/O APIC clears Remote IRR (and re-delivers
 * an asserted line), lower the level-triggered lines that resampling
 * irqfds hold and have their resamplefds signalled. Lock held.
 */
void nyx_irqchip_eoi_resample(struct nyx_vm_irqchip *chip, u8 vector)
{
	unsigned long gsis = READ_ONCE(chip->vm->eventfds.resample_gsis);
	unsigned int gsi;

	for_each_set_bit(gsi, &gsis, NYX_NR_GSI) {
		u64 rte = chip->ioapic.s.redir[gsi ? gsi : 2];

		if ((rte & NYX_IOAPIC_RTE_VECTOR) != vector ||
		    !(rte & NYX_IOAPIC_RTE_LEVEL) ||
		    !(rte & NYX_IOAPIC_RTE_REMOTE_IRR) ||
		    !(chip->gsi_levels & (1u << gsi)))
			continue;
		nyx_set_gsi(chip, gsi, 0);
		nyx_irqfd_resample(chip->vm, gsi);
	}
}

/*
 * Collect the PIT's IRQ0 edges, pulse GSI 0 for them and arm the host
 * timer for the next one. Edges that came closer together than the host
 * timer fires are coalesced into one pulse (the guest reads the time from
 * its TSC, not from the tick count). Lock held.
 */
static void nyx_pit_update(struct nyx_vm_irqchip *chip, u64 now)
{
	u64 next;

	if (nyx_pit_irq0_edges(&chip->pit, now) &&
	    !(chip->gsi_levels & 1)) {
		nyx_set_gsi(chip, 0, 1);
		nyx_set_gsi(chip, 0, 0);
	}
	next = nyx_pit_irq0_next(&chip->pit, now);
	if (next == NYX_PIT_NEVER) {
		hrtimer_try_to_cancel(&chip->pit_timer);
		return;
	}
	next = max(next, now + NYX_MIN_TIMER_NS);
	hrtimer_start(&chip->pit_timer, ns_to_ktime(next), HRTIMER_MODE_ABS);
}

static enum hrtimer_restart nyx_pit_timer_fn(struct hrtimer *t)
{
	struct nyx_vm_irqchip *chip = container_of(t, struct nyx_vm_irqchip,
						pit_timer);
	unsigned long flags;

	spin_lock_irqsave(&chip->lock, flags);
	nyx_pit_update(chip, nyx_irq_now());
	spin_unlock_irqrestore(&chip->lock, flags);
	return HRTIMER_NORESTART;
}

int nyx_irqchip_create(struct nyx_vm *vm)
{
	struct nyx_vm_irqchip *chip;
	int r;

	if (!nyx_ops->inject_irq)
		return -ENODEV;
	mutex_lock(&vm->lock);
	r = -EEXIST;
	if (vm->irqchip)
		goto out;
	/* vCPUs created before would have no local APIC */
	r = -EINVAL;
	if (atomic_read(&vm->nr_vcpus))
		goto out;
	r = -ENOMEM;
	chip = kzalloc(sizeof(*chip), GFP_KERNEL_ACCOUNT);
	if (!chip)
		goto out;
	spin_lock_init(&chip->lock);
	chip->vm = vm;
	nyx_pic_init(&chip->pic, &nyx_pic_ops, chip);
	nyx_ioapic_init(&chip->ioapic, NYX_IOAPIC_ID, &nyx_ioapic_ops, chip);
	nyx_pit_init(&chip->pit, nyx_irq_now());
	hrtimer_init(&chip->pit_timer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS);
	chip->pit_timer.function = nyx_pit_timer_fn;
	smp_store_release(&vm->irqchip, chip);
	r = 0;
out:
	mutex_unlock(&vm->lock);
	return r;
}

/* Teardown, step 1: no more PIT interrupts. */
void nyx_irqchip_stop(struct nyx_vm *vm)
{
	if (vm->irqchip)
		hrtimer_cancel(&vm->irqchip->pit_timer);
}

/* Step 2, after every vCPU is gone. */
void nyx_irqchip_destroy(struct nyx_vm *vm)
{
	struct nyx_vm_irqchip *chip = vm->irqchip;

	if (!chip)
		return;
	kfree(chip);
	vm->irqchip = NULL;
}

/* ---- port I/O and MMIO ---- */

static bool nyx_irqchip_port(u16 port)
{
	switch (port) {
	case NYX_PIC_MASTER_CMD: case NYX_PIC_MASTER_DATA:
	case NYX_PIC_SLAVE_CMD: case NYX_PIC_SLAVE_DATA:
	case NYX_PIC_ELCR1: case NYX_PIC_ELCR2:
	case NYX_PIT_PORT_CH0 ... NYX_PIT_PORT_CTRL:
	case NYX_PIT_PORT61:
		return true;
	}
	return false;
}

/* One byte; lock held. */
static u8 nyx_irqchip_port_byte(struct nyx_vm_irqchip *chip, u16 port, bool in,
				u8 val, u64 now)
{
	if (port >= NYX_PIT_PORT_CH0 && port <= NYX_PIT_PORT_CTRL) {
		if (in) {
			nyx_pit_port_read(&chip->pit, port, &val, now);
			return val;
		}
		nyx_pit_port_write(&chip->pit, port, val, now);
		nyx_pit_update(chip, now);
		return 0;
	}
	if (port == NYX_PIT_PORT61) {
		if (in)
			return nyx_pit_port61_read(&chip->pit, now);
		nyx_pit_port61_write(&chip->pit, val, now);
		return 0;
	}
	if (in) {
		nyx_pic_port_read(&chip->pic, port, &val);
		return val;
	}
	nyx_pic_port_write(&chip->pic, port, val);
	return 0;
}

/*
 * Port I/O to the PIC, PIT and port 0x61. A wide access is split into
 * bytes at consecutive ports, each of which may or may not be ours; it is
 * ours only if its first port is.
 */
bool nyx_irqchip_pio(struct nyx_vcpu *vcpu, u16 port, u8 size, bool in,
		     u32 *val)
{
	struct nyx_vm_irqchip *chip = nyx_chip(vcpu->vm);
	unsigned long flags;
	u64 now;
	u32 out = 0;
	u8 i;

	if (!chip || !nyx_irqchip_port(port))
		return false;
	now = nyx_irq_now();
	spin_lock_irqsave(&chip->lock, flags);
	for (i = 0; i < size; i++) {
		u16 p = port + i;
		u8 b = 0xff;

		if (nyx_irqchip_port(p))
			b = nyx_irqchip_port_byte(chip, p, in, *val >> (8 * i),
						  now);
		out |= (u32)b << (8 * i);
	}
	spin_unlock_irqrestore(&chip->lock, flags);
	if (in)
		*val = out;
	return true;
}

bool nyx_irqchip_mmio(struct nyx_vcpu *vcpu, u64 gpa, unsigned int len,
		      bool write, void *data)
{
	struct nyx_vm_irqchip *chip = nyx_chip(vcpu->vm);
	struct nyx_vcpu_apic *va = vcpu->apic;
	unsigned long flags;
	u64 now, val = 0;
	bool ours = true;

	if (!chip)
		return false;
	now = nyx_irq_now();
	spin_lock_irqsave(&chip->lock, flags);
	if (write)
		memcpy(&val, data, min(len, 8u));
	if (va && (gpa & ~0xfffull) == nyx_lapic_mmio_base(&va->lapic) &&
	    (gpa & 0xfff) + len <= 0x1000) {
		if (write)
			nyx_lapic_mmio_write(&va->lapic, gpa & 0xfff, len, val,
					     now);
		else
			val = nyx_lapic_mmio_read(&va->lapic, gpa & 0xfff, len,
						  now);
	} else if (gpa >= NYX_IOAPIC_BASE &&
		   gpa + len <= NYX_IOAPIC_BASE + NYX_IOAPIC_MMIO_SIZE) {
		if (write && gpa - NYX_IOAPIC_BASE == NYX_IOAPIC_EOI &&
		    (len == 4 || len == 8))
			nyx_irqchip_eoi_resample(chip, val & 0xff);
		if (write)
			nyx_ioapic_mmio_write(&chip->ioapic,
					      gpa - NYX_IOAPIC_BASE, len, val);
		else
			val = nyx_ioapic_mmio_read(&chip->ioapic,
						   gpa - NYX_IOAPIC_BASE, len);
	} else {
		ours = false;
	}
	spin_unlock_irqrestore(&chip->lock, flags);
	if (ours && !write)
		memcpy(data, &val, min(len, 8u));
	return ours;
}

/* ---- ioctls ---- */

static int nyx_irq_line(struct nyx_vm_irqchip *chip,
			const struct nyx_irq_level __user *arg)
{
	struct nyx_irq_level l;
	unsigned long flags;

	if (copy_from_user(&l, arg, sizeof(l)))
		return -EFAULT;
	if (l.gsi >= NYX_NR_GSI || l.level > 1 || l.reserved)
		return -EINVAL;
	spin_lock_irqsave(&chip->lock, flags);
	nyx_set_gsi(chip, l.gsi, l.level);
	spin_unlock_irqrestore(&chip->lock, flags);
	return 0;
}

static int nyx_signal_msi(struct nyx_vm_irqchip *chip,
			  const struct nyx_msi __user *arg)
{
	struct nyx_apic_msg msg;
	struct nyx_msi m;
	unsigned long flags;
	int r;

	if (copy_from_user(&m, arg, sizeof(m)))
		return -EFAULT;
	if (m.flags || m.reserved[0] || m.reserved[1])
		return -EINVAL;
	if (nyx_msi_decode(m.address, m.data, 0, &msg))
		return -EINVAL;
	spin_lock_irqsave(&chip->lock, flags);
	r = nyx_irqchip_deliver(chip, &msg, NULL);
	spin_unlock_irqrestore(&chip->lock, flags);
	return r;
}

static int nyx_irqchip_state(struct nyx_vm_irqchip *chip,
			     struct nyx_irqchip __user *arg, bool set)
{
	struct nyx_irqchip *st;
	unsigned long flags;
	u64 now;
	int r = 0;

	BUILD_BUG_ON(sizeof(struct nyx_pic_state) > sizeof(st->data));
	BUILD_BUG_ON(sizeof(struct nyx_ioapic_state) > sizeof(st->data));
	BUILD_BUG_ON(sizeof(struct nyx_pit_state) > sizeof(st->data));

	st = memdup_user(arg, sizeof(*st));
	if (IS_ERR(st))
		return PTR_ERR(st);
	if (st->flags || st->reserved || st->chip_id > NYX_IRQCHIP_PIT) {
		r = -EINVAL;
		goto out;
	}
	if (!set)
		memset(st->data, 0, sizeof(st->data));
	now = nyx_irq_now();
	spin_lock_irqsave(&chip->lock, flags);
	switch (st->chip_id) {
	case NYX_IRQCHIP_PIC:
		if (!set)
			nyx_pic_save(&chip->pic, (void *)st->data);
		else if (nyx_pic_load(&chip->pic, (void *)st->data))
			r = -EINVAL;
		else if (nyx_pic_intr(&chip->pic))
			nyx_pic_intr_changed(chip, 1);
		break;
	case NYX_IRQCHIP_IOAPIC:
		if (!set)
			nyx_ioapic_save(&chip->ioapic, (void *)st->data);
		else if (nyx_ioapic_load(&chip->ioapic, (void *)st->data))
			r = -EINVAL;
		break;
	case NYX_IRQCHIP_PIT:
		if (!set) {
			nyx_pit_save(&chip->pit, (void *)st->data, now);
		} else if (nyx_pit_load(&chip->pit, (void *)st->data, now)) {
			r = -EINVAL;
		} else {
			nyx_pit_update(chip, now);
		}
		break;
	}
	spin_unlock_irqrestore(&chip->lock, flags);
	if (!r && !set && copy_to_user(arg, st, sizeof(*st)))
		r = -EFAULT;
out:
	kfree(st);
	return r;
}

long nyx_irqchip_vm_ioctl(struct nyx_vm *vm, unsigned int ioctl,
			  void __user *argp)
{
	struct nyx_vm_irqchip *chip;

	if (ioctl == NYX_CREATE_IRQCHIP)
		return argp ? -EINVAL : nyx_irqchip_create(vm);
	chip = nyx_chip(vm);
	if (!chip)
		return -ENXIO;
	switch (ioctl) {
	case NYX_IRQ_LINE:
		return nyx_irq_line(chip, argp);
	case NYX_SIGNAL_MSI:
		return nyx_signal_msi(chip, argp);
	case NYX_GET_IRQCHIP:
		return nyx_irqchip_state(chip, argp, false);
	case NYX_SET_IRQCHIP:
		return nyx_irqchip_state(chip, argp, true);
	}
	return -ENOTTY;
}
