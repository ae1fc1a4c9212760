// SPDX-License-Identifier: GPL-2.0
/*
 * VM objects: creation, memory slots, VM ioctls, teardown.
 */
#include <linux/module.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/sched/mm.h>
#include <linux/idr.h>
#include <asm/msr.h>

#include "core/core.h"
#include "x86/irq.h"

/* Guest-physical addresses the 4-level second-level table can map. */
#define NYX_MAX_GPA	(1ull << 48)

static DEFINE_IDA(nyx_vm_ida);

struct nyx_memslot *nyx_find_slot(struct nyx_vm *vm, u64 gfn)
{
	int i;

	lockdep_assert_held(&vm->lock);
	for (i = 0; i < NYX_MAX_SLOTS; i++) {
		struct nyx_memslot *s = &vm->slots[i];

		if (s->npages && gfn >= s->base_gfn &&
		    gfn - s->base_gfn < s->npages)
			return s;
	}
	return NULL;
}

static int nyx_set_memory_region(struct nyx_vm *vm,
				 const struct nyx_memory_region *mr)
{
	struct nyx_memslot *slot;
	u64 npages, gfn;
	int i, r = 0;

	if (mr->flags & ~NYX_MEM_VALID_FLAGS)
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(mr->reserved); i++)
		if (mr->reserved[i])
			return -EINVAL;
	if (mr->slot >= NYX_MAX_SLOTS)
		return -EINVAL;
	if (!PAGE_ALIGNED(mr->guest_phys_addr) ||
	    !PAGE_ALIGNED(mr->memory_size) ||
	    !PAGE_ALIGNED(mr->userspace_addr))
		return -EINVAL;
	if (mr->memory_size) {
		if (mr->guest_phys_addr >= NYX_MAX_GPA ||
		    mr->memory_size > NYX_MAX_GPA - mr->guest_phys_addr)
			return -EINVAL;
		if (mr->userspace_addr + mr->memory_size < mr->userspace_addr ||
		    !access_ok((void __user *)(unsigned long)mr->userspace_addr,
			       mr->memory_size))
			return -EINVAL;
	}

	npages = mr->memory_size >> PAGE_SHIFT;
	gfn = mr->guest_phys_addr >> PAGE_SHIFT;

	mutex_lock(&vm->lock);
	slot = &vm->slots[mr->slot];
	if (!npages && !slot->npages) {
		r = -EINVAL;		/* deleting a slot that does not exist */
		goto out;
	}
	for (i = 0; npages && i < NYX_MAX_SLOTS; i++) {
		struct nyx_memslot *o = &vm->slots[i];

		if (o == slot || !o->npages)
			continue;
		if (gfn < o->base_gfn + o->npages && o->base_gfn < gfn + npages) {
			r = -EEXIST;
			goto out;
		}
	}
	/* Changing or deleting a slot drops its mappings first. */
	if (slot->npages) {
		r = nyx_mmu_zap_slot(vm, slot);
		if (r)
			goto out;
	}
	slot->base_gfn = gfn;
	slot->npages = npages;
	slot->userspace_addr = mr->userspace_addr;
	slot->flags = mr->flags;
	/* addresses resolved from the old layout (PV EOI) are stale */
	WRITE_ONCE(vm->slots_gen, vm->slots_gen + 1);
out:
	mutex_unlock(&vm->lock);
	return r;
}

static long nyx_vm_ioctl(struct file *filp, unsigned int ioctl,
			 unsigned long arg)
{
	struct nyx_vm *vm = filp->private_data;
	void __user *argp = (void __user *)arg;

	/* statistics are read-only: any holder of the fd may read them */
	if (ioctl == NYX_GET_VM_STATS)
		return nyx_vm_get_stats(vm, argp);
	if (vm->mm != current->mm)
		return -EIO;

	switch (ioctl) {
	case NYX_SET_MEMORY_REGION: {
		struct nyx_memory_region mr;

		if (copy_from_user(&mr, argp, sizeof(mr)))
			return -EFAULT;
		return nyx_set_memory_region(vm, &mr);
	}
	case NYX_CREATE_VCPU:
		return nyx_create_vcpu(vm, arg);
	case NYX_CHECK_EXTENSION:
		return nyx_check_extension(arg);
	case NYX_CREATE_IRQCHIP:
	case NYX_IRQ_LINE:
	case NYX_SIGNAL_MSI:
	case NYX_GET_IRQCHIP:
	case NYX_SET_IRQCHIP:
		return nyx_irqchip_vm_ioctl(vm, ioctl, argp);
	case NYX_IOEVENTFD:
	case NYX_IRQFD:
		return nyx_eventfd_vm_ioctl(vm, ioctl, argp);
	default:
		return -ENOTTY;
	}
}

static void nyx_vm_destroy(struct kref *ref)
{
	struct nyx_vm *vm = container_of(ref, struct nyx_vm, ref);
	int i;

	nyx_debugfs_vm_remove(vm);
	/* irqfds inject into the irqchip and wake vCPUs: first */
	nyx_eventfd_vm_destroy(vm);
	/* no timer may fire into a vCPU that is going away */
	nyx_irqchip_stop(vm);
	for (i = 0; i < NYX_MAX_VCPUS; i++)
		if (vm->vcpus[i])
			nyx_lapic_destroy(vm->vcpus[i]);
	for (i = 0; i < NYX_MAX_VCPUS; i++) {
		struct nyx_vcpu *vcpu = vm->vcpus[i];

		if (!vcpu)
			continue;
		nyx_ops->vcpu_free(vcpu);
		fpu_free_guest_fpstate(&vcpu->gfpu);
		__free_page(vcpu->run_pages[0]);
		__free_page(vcpu->run_pages[1]);
		kfree(vcpu->cpuid);
		kfree(vcpu);
	}
	nyx_irqchip_destroy(vm);
	nyx_ops->vm_destroy(vm);
	nyx_mmu_destroy(vm);
	mmdrop(vm->mm);
	ida_free(&nyx_vm_ida, vm->id);
	kfree(vm);
	nyx_disable_virtualization();
}

void nyx_vm_put(struct nyx_vm *vm)
{
	kref_put(&vm->ref, nyx_vm_destroy);
}

static int nyx_vm_release(struct inode *inode, struct file *filp)
{
	nyx_vm_put(filp->private_data);
	return 0;
}

static const struct file_operations nyx_vm_fops = {
	.owner = THIS_MODULE,
	.release = nyx_vm_release,
	.unlocked_ioctl = nyx_vm_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

long nyx_create_vm(unsigned long type)
{
	struct nyx_vm *vm;
	int r;

	if (type)
		return -EINVAL;

	r = nyx_enable_virtualization();
	if (r)
		return r;

	r = -ENOMEM;
	vm = kzalloc(sizeof(*vm), GFP_KERNEL_ACCOUNT);
	if (!vm)
		goto out_disable;
	kref_init(&vm->ref);
	mutex_init(&vm->lock);
	nyx_eventfd_vm_init(vm);
	vm->tsc_offset = -rdtsc();
	vm->id = ida_alloc(&nyx_vm_ida, GFP_KERNEL);
	if (vm->id < 0) {
		r = vm->id;
		goto out_free;
	}
	r = nyx_mmu_init(vm);
	if (r)
		goto out_ida;
	r = nyx_ops->vm_init(vm);
	if (r)
		goto out_mmu;

	mmgrab(current->mm);
	vm->mm = current->mm;
	nyx_debugfs_vm_add(vm);

	/* From here the file owns the VM: its release destroys it. */
	r = anon_inode_getfd("nyx-vm", &nyx_vm_fops, vm, O_RDWR | O_CLOEXEC);
	if (r < 0)
		nyx_vm_put(vm);
	return r;

out_mmu:
	nyx_mmu_destroy(vm);
out_ida:
	ida_free(&nyx_vm_ida, vm->id);
out_free:
	kfree(vm);
out_disable:
	nyx_disable_virtualization();
	return r;
}
