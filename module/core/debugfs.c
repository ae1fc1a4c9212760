// SPDX-License-Identifier: GPL-2.0
/*
 * debugfs: /sys/kernel/debug/nyx/<pid>-<vm id>/ with
 *   mmu          pinned guest pages and page-table pages
 *   vcpuN/exits  exit counts by reason, halt and guest times
 *   vcpuN/io_top the busiest ports and MMIO pages (space-saving top N)
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <linux/sched.h>

#include "core/core.h"

const char *const nyx_stat_names[NYX_NR_STATS] = {
	[NYX_STAT_IO] = "io",
	[NYX_STAT_IO_STRING] = "io_string",
	[NYX_STAT_MMIO] = "mmio",
	[NYX_STAT_NPF_MAP] = "npf_map",
	[NYX_STAT_CPUID] = "cpuid",
	[NYX_STAT_MSR] = "msr",
	[NYX_STAT_HLT] = "hlt",
	[NYX_STAT_INTR] = "host_intr",
	[NYX_STAT_NMI] = "host_nmi",
	[NYX_STAT_EXCEPTION] = "exception",
	[NYX_STAT_XSETBV] = "xsetbv",
	[NYX_STAT_DR] = "dr_access",
	[NYX_STAT_SHUTDOWN] = "shutdown",
	[NYX_STAT_OTHER] = "other",
	[NYX_STAT_USERSPACE] = "userspace_exits",
	[NYX_STAT_SIGNAL] = "signal_exits",
	[NYX_STAT_IRQ_INJECT] = "irq_injected",
	[NYX_STAT_NMI_INJECT] = "nmi_injected",
	[NYX_STAT_IRQ_WINDOW] = "irq_window",
	[NYX_STAT_HALT_SLEEP] = "halt_sleep",
	[NYX_STAT_HALT_POLL_OK] = "halt_poll_ok",
	[NYX_STAT_IOEVENTFD] = "ioeventfd",
	[NYX_STAT_EXITS] = "exits",
	[NYX_STAT_HALT_POLL_FAIL] = "halt_poll_fail",
	[NYX_STAT_HALT_POLL_NS] = "halt_poll_time_ns",
	[NYX_STAT_HALT_SLEEP_NS] = "halt_sleep_ns",
	[NYX_STAT_HALT_SLEEP_MAX_NS] = "halt_sleep_max_ns",
	[NYX_STAT_GUEST_NS] = "guest_ns",
	[NYX_STAT_PIO_ALL] = "pio_all",
	[NYX_STAT_MMIO_ALL] = "mmio_all",
	[NYX_STAT_PV_EOI] = "pv_eoi",
};

static struct dentry *nyx_debugfs_root;

static int nyx_exits_show(struct seq_file *m, void *unused)
{
	struct nyx_vcpu *vcpu = m->private;
	int i;

	for (i = 0; i < NYX_NR_STATS; i++)
		seq_printf(m, "%-16s %llu\n", nyx_stat_names[i],
			   nyx_vcpu_stat(vcpu, i));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(nyx_exits);

static int nyx_io_top_show(struct seq_file *m, void *unused)
{
	struct nyx_vcpu *vcpu = m->private;
	int i;

	for (i = 0; i < NYX_TOPN; i++) {
		u64 n = READ_ONCE(vcpu->pio_top.count[i]);

		if (n)
			seq_printf(m, "pio 0x%llx %llu\n",
				   READ_ONCE(vcpu->pio_top.key[i]), n);
	}
	for (i = 0; i < NYX_TOPN; i++) {
		u64 n = READ_ONCE(vcpu->mmio_top.count[i]);

		if (n)
			seq_printf(m, "mmio 0x%llx %llu\n",
				   READ_ONCE(vcpu->mmio_top.key[i]), n);
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(nyx_io_top);

static int nyx_mmu_show(struct seq_file *m, void *unused)
{
	struct nyx_vm *vm = m->private;

	seq_printf(m, "mapped_pages %lu\ntable_pages %lu\nlarge_mappings %lu\nlarge_supported %d\n",
		   READ_ONCE(vm->mmu.nr_mapped),
		   READ_ONCE(vm->mmu.nr_table_pages),
		   READ_ONCE(vm->mmu.nr_large), nyx_ops->mmu_large);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(nyx_mmu);

int nyx_debugfs_init(void)
{
	nyx_debugfs_root = debugfs_create_dir("nyx", NULL);
	return 0;	/* debugfs is optional: errors are not fatal */
}

void nyx_debugfs_exit(void)
{
	debugfs_remove_recursive(nyx_debugfs_root);
}

void nyx_debugfs_vm_add(struct nyx_vm *vm)
{
	char name[32];

	snprintf(name, sizeof(name), "%d-%d", task_pid_nr(current), vm->id);
	vm->debugfs = debugfs_create_dir(name, nyx_debugfs_root);
	debugfs_create_file("mmu", 0444, vm->debugfs, vm, &nyx_mmu_fops);
}

void nyx_debugfs_vm_remove(struct nyx_vm *vm)
{
	debugfs_remove_recursive(vm->debugfs);
	vm->debugfs = NULL;
}

void nyx_debugfs_vcpu_add(struct nyx_vcpu *vcpu)
{
	char name[16];

	snprintf(name, sizeof(name), "vcpu%d", vcpu->id);
	vcpu->debugfs = debugfs_create_dir(name, vcpu->vm->debugfs);
	debugfs_create_file("exits", 0444, vcpu->debugfs, vcpu,
			    &nyx_exits_fops);
	debugfs_create_file("io_top", 0444, vcpu->debugfs, vcpu,
			    &nyx_io_top_fops);
}
