// SPDX-License-Identifier: GPL-2.0
/*
 * nyx.ko entry point: picks the vendor backend, registers /dev/nyx and
 * turns hardware virtualization on while at least one VM exists.
 */
#include <linux/module.h>
#include <asm/reboot.h>
#include <linux/miscdevice.h>
#include <linux/fs.h>
#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/smp.h>
#include <asm/tsc.h>

#include "core/core.h"
#include "x86/irq.h"
#include "svm/svm.h"
#include "vmx/vmx.h"

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("nyx: a small hypervisor (AMD SVM, Intel VMX)");

const struct nyx_vendor_ops *nyx_ops;

/*
 * Virtualization is enabled on every online CPU while nyx_usage > 0. CPU
 * hotplug callbacks run with the hotplug lock held for write, and the
 * enable/disable paths hold it for read, so the two never race.
 */
static DEFINE_MUTEX(nyx_usage_lock);
static int nyx_usage;
static atomic_t nyx_enable_failed;
static enum cpuhp_state nyx_cpuhp_state;

static void nyx_enable_this_cpu(void *unused)
{
	if (nyx_ops->hardware_enable())
		atomic_inc(&nyx_enable_failed);
}

static void nyx_disable_this_cpu(void *unused)
{
	nyx_ops->hardware_disable();
}

int nyx_enable_virtualization(void)
{
	int r = 0;

	cpus_read_lock();
	mutex_lock(&nyx_usage_lock);
	if (nyx_usage++ == 0) {
		/*
		 * Only while nyx has VMX/SVM on: a KVM module loaded beside
		 * nyx (e.g. the benchmarks' reference) holds the kernel's one
		 * callback for as long as it is loaded.
		 */
		cpu_emergency_register_virt_callback(nyx_ops->emergency_disable);
		atomic_set(&nyx_enable_failed, 0);
		on_each_cpu(nyx_enable_this_cpu, NULL, 1);
		if (atomic_read(&nyx_enable_failed)) {
			on_each_cpu(nyx_disable_this_cpu, NULL, 1);
			cpu_emergency_unregister_virt_callback(nyx_ops->emergency_disable);
			nyx_usage = 0;
			r = -EBUSY;
		}
	}
	mutex_unlock(&nyx_usage_lock);
	cpus_read_unlock();
	return r;
}

void nyx_disable_virtualization(void)
{
	cpus_read_lock();
	mutex_lock(&nyx_usage_lock);
	if (!WARN_ON(nyx_usage <= 0) && --nyx_usage == 0) {
		on_each_cpu(nyx_disable_this_cpu, NULL, 1);
		cpu_emergency_unregister_virt_callback(nyx_ops->emergency_disable);
	}
	mutex_unlock(&nyx_usage_lock);
	cpus_read_unlock();
}

static int nyx_cpu_online(unsigned int cpu)
{
	if (READ_ONCE(nyx_usage) && nyx_ops->hardware_enable()) {
		pr_warn("nyx: cannot enable virtualization on CPU %u\n", cpu);
		return -EIO;
	}
	return 0;
}

static int nyx_cpu_offline(unsigned int cpu)
{
	if (READ_ONCE(nyx_usage))
		nyx_ops->hardware_disable();
	return 0;
}

long nyx_check_extension(unsigned long cap)
{
	switch (cap) {
	case NYX_CAP_NR_VCPUS:
		return NYX_MAX_VCPUS;
	case NYX_CAP_NR_MEMSLOTS:
		return NYX_MAX_SLOTS;
	case NYX_CAP_READONLY_MEM:
	case NYX_CAP_DIRTY_LOG:
	case NYX_CAP_STRING_IO:
	case NYX_CAP_MMIO_EMULATION:
	case NYX_CAP_XSAVE:
	case NYX_CAP_IMMEDIATE_EXIT:
		return 1;
	case NYX_CAP_CPUID:
		return NYX_MAX_CPUID_ENTRIES;
	case NYX_CAP_MAX_MSRS:
		return NYX_MAX_MSRS;
	case NYX_CAP_NPT:
		return nyx_ops->cap_npt;
	case NYX_CAP_EPT:
		return nyx_ops->cap_ept;
	/* the irqchip needs the vendor's injection hooks */
	case NYX_CAP_IRQCHIP:
	case NYX_CAP_SIGNAL_MSI:
	case NYX_CAP_X2APIC:
	case NYX_CAP_TSC_DEADLINE_TIMER:
	case NYX_CAP_PV_EOI:
		return nyx_ops->inject_irq ? 1 : 0;
	case NYX_CAP_IRQ_LINES:
		return nyx_ops->inject_irq ? NYX_IOAPIC_NUM_PINS : 0;
	case NYX_CAP_IRQCHIP_STATE:
		return nyx_ops->inject_irq ? NYX_IRQCHIP_STATE_VERSION : 0;
	case NYX_CAP_TSC_KHZ:
		return tsc_khz;
	case NYX_CAP_VCPU_EVENTS:	/* 2: NYX_VCPU_EVENTS_KEEP_NMI_PENDING */
		return nyx_ops->get_events ? 2 : 0;
	case NYX_CAP_IOEVENTFD:
		return NYX_MAX_IOEVENTFDS;
	case NYX_CAP_IRQFD:
		return nyx_ops->inject_irq ? NYX_MAX_IRQFDS : 0;
	case NYX_CAP_BINARY_STATS:
		return NYX_STATS_VERSION;
	case NYX_CAP_GUEST_DEBUG:
		return NYX_GUESTDBG_VALID_FLAGS;
	default:
		return 0;
	}
}

static long nyx_dev_ioctl(struct file *filp, unsigned int ioctl,
			  unsigned long arg)
{
	switch (ioctl) {
	case NYX_GET_API_VERSION:
		return arg ? -EINVAL : NYX_API_VERSION;
	case NYX_CREATE_VM:
		return nyx_create_vm(arg);
	case NYX_CHECK_EXTENSION:
		return nyx_check_extension(arg);
	case NYX_GET_VCPU_MMAP_SIZE:
		return arg ? -EINVAL : NYX_RUN_PAGES * PAGE_SIZE;
	default:
		return -ENOTTY;
	}
}

static const struct file_operations nyx_dev_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = nyx_dev_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice nyx_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "nyx",
	.fops = &nyx_dev_fops,
	.mode = 0660,
};

static int __init nyx_init(void)
{
	int r;

	if (nyx_svm_supported()) {
		nyx_ops = &nyx_svm_ops;
	} else if (nyx_vmx_supported()) {
		nyx_ops = &nyx_vmx_ops;
	} else {
		pr_err("nyx: no supported virtualization extension (AMD SVM with NPT, Intel VMX with EPT)\n");
		return -ENODEV;
	}

	r = nyx_ops->hardware_setup();
	if (r)
		return r;

	r = cpuhp_setup_state_nocalls(CPUHP_AP_ONLINE_DYN, "nyx:online",
				      nyx_cpu_online, nyx_cpu_offline);
	if (r < 0)
		goto out_unsetup;
	nyx_cpuhp_state = r;

	nyx_stats_init();
	r = nyx_debugfs_init();
	if (r)
		goto out_cpuhp;

	r = nyx_eventfd_module_init();
	if (r)
		goto out_debugfs;

	r = misc_register(&nyx_dev);
	if (r)
		goto out_eventfd;

	pr_info("nyx: loaded, backend %s, API version %d\n", nyx_ops->name,
		NYX_API_VERSION);
	return 0;

out_eventfd:
	nyx_eventfd_module_exit();
out_debugfs:
	nyx_debugfs_exit();
out_cpuhp:
	cpuhp_remove_state_nocalls(nyx_cpuhp_state);
out_unsetup:
	nyx_ops->hardware_unsetup();
	return r;
}

static void __exit nyx_exit(void)
{
	/* Every VM holds a module reference through its file: none is left. */
	misc_deregister(&nyx_dev);
	nyx_eventfd_module_exit();
	nyx_debugfs_exit();
	cpuhp_remove_state_nocalls(nyx_cpuhp_state);
	nyx_ops->hardware_unsetup();
	pr_info("nyx: unloaded\n");
}

module_init(nyx_init);
module_exit(nyx_exit);
