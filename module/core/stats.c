// SPDX-License-Identifier: GPL-2.0
/*
 * Binary statistics: NYX_GET_STATS (vCPU) and NYX_GET_VM_STATS (VM). The
 * snapshot layout is built by lib/stats/stats.c; this file says which
 * counters there are, with their type and unit, and copies them out.
 */
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/tsc.h>

#include "core/core.h"

/* Type and unit of each NYX_STAT_*: cumulative counts unless listed. */
static const struct {
	u8 type, unit;
} nyx_stat_kind[NYX_NR_STATS] = {
	[NYX_STAT_HALT_POLL_NS] = { NYX_STATS_TYPE_CUMULATIVE, NYX_STATS_UNIT_NS },
	[NYX_STAT_HALT_SLEEP_NS] = { NYX_STATS_TYPE_CUMULATIVE, NYX_STATS_UNIT_NS },
	[NYX_STAT_HALT_SLEEP_MAX_NS] = { NYX_STATS_TYPE_PEAK, NYX_STATS_UNIT_NS },
	[NYX_STAT_GUEST_NS] = { NYX_STATS_TYPE_CUMULATIVE, NYX_STATS_UNIT_NS },
};

/* After the NYX_STAT_* counters, in this order: */
enum {
	NYX_XSTAT_HALT_POLL_WINDOW,	/* instant: current window, ns */
	NYX_XSTAT_MP_STATE,		/* instant: NYX_MP_STATE_* */
	NYX_XSTAT_PIO_TOP_PORT,
	NYX_XSTAT_PIO_TOP_COUNT,
	NYX_XSTAT_MMIO_TOP_PAGE,
	NYX_XSTAT_MMIO_TOP_COUNT,
	NYX_NR_XSTATS
};

static const struct nyx_binstat_def nyx_xstat_defs[NYX_NR_XSTATS] = {
	[NYX_XSTAT_HALT_POLL_WINDOW] = { "halt_poll_window_ns",
		NYX_STATS_TYPE_INSTANT, NYX_STATS_UNIT_NS, 1 },
	[NYX_XSTAT_MP_STATE] = { "mp_state",
		NYX_STATS_TYPE_INSTANT, NYX_STATS_UNIT_NONE, 1 },
	[NYX_XSTAT_PIO_TOP_PORT] = { "pio_top_port",
		NYX_STATS_TYPE_INSTANT, NYX_STATS_UNIT_ADDRESS, NYX_TOPN },
	[NYX_XSTAT_PIO_TOP_COUNT] = { "pio_top_count",
		NYX_STATS_TYPE_CUMULATIVE, NYX_STATS_UNIT_NONE, NYX_TOPN },
	[NYX_XSTAT_MMIO_TOP_PAGE] = { "mmio_top_page",
		NYX_STATS_TYPE_INSTANT, NYX_STATS_UNIT_ADDRESS, NYX_TOPN },
	[NYX_XSTAT_MMIO_TOP_COUNT] = { "mmio_top_count",
		NYX_STATS_TYPE_CUMULATIVE, NYX_STATS_UNIT_NONE, NYX_TOPN },
};

#define NYX_VCPU_NR_DEFS	(NYX_NR_STATS + NYX_NR_XSTATS)
#define NYX_VCPU_NR_VALUES	(NYX_NR_STATS + 2 + 4 * NYX_TOPN)

static struct nyx_binstat_def nyx_vcpu_defs[NYX_VCPU_NR_DEFS];

/* The table is constant once built; nyx_stats_init() runs at load. */
void nyx_stats_init(void)
{
	int i;

	for (i = 0; i < NYX_NR_STATS; i++) {
		nyx_vcpu_defs[i].name = nyx_stat_names[i];
		nyx_vcpu_defs[i].type = nyx_stat_kind[i].type;
		nyx_vcpu_defs[i].unit = nyx_stat_kind[i].unit;
		nyx_vcpu_defs[i].size = 1;
	}
	for (i = 0; i < NYX_NR_XSTATS; i++)
		nyx_vcpu_defs[NYX_NR_STATS + i] = nyx_xstat_defs[i];
	BUILD_BUG_ON(NYX_VCPU_NR_VALUES !=
		     NYX_NR_STATS + 2 + 4 * NYX_TOPN);
}

void nyx_stat_pio(struct nyx_vcpu *vcpu, u16 port)
{
	vcpu->stats[NYX_STAT_PIO_ALL]++;
	nyx_topn_add(&vcpu->pio_top, port);
}

void nyx_stat_mmio(struct nyx_vcpu *vcpu, u64 gpa)
{
	vcpu->stats[NYX_STAT_MMIO_ALL]++;
	nyx_topn_add(&vcpu->mmio_top, gpa & PAGE_MASK);
}

/*
 * Copy a snapshot of n defs with values to the user's request: the
 * request's size is always updated; -E2BIG if the buffer is too small.
 */
static long nyx_stats_copy(void __user *argp,
			   const struct nyx_binstat_def *defs, u32 n,
			   const u64 *values)
{
	struct nyx_stats_request req;
	u32 need;
	void *buf;
	long r;

	if (copy_from_user(&req, argp, sizeof(req)))
		return -EFAULT;
	if (req.flags || req.reserved[0] || req.reserved[1])
		return -EINVAL;
	need = nyx_binstats_build(NULL, 0, defs, n, NULL);
	if (WARN_ON_ONCE(!need))
		return -EINVAL;
	if (req.size < need) {
		req.size = need;
		return copy_to_user(argp, &req, sizeof(req)) ? -EFAULT :
							       -E2BIG;
	}
	buf = kzalloc(need, GFP_KERNEL_ACCOUNT);
	if (!buf)
		return -ENOMEM;
	nyx_binstats_build(buf, need, defs, n, values);
	r = 0;
	if (copy_to_user(u64_to_user_ptr(req.buf), buf, need))
		r = -EFAULT;
	kfree(buf);
	if (r)
		return r;
	req.size = need;
	return copy_to_user(argp, &req, sizeof(req)) ? -EFAULT : 0;
}

u64 nyx_vcpu_stat(struct nyx_vcpu *vcpu, int i)
{
	u64 v = READ_ONCE(vcpu->stats[i]);

	if (i == NYX_STAT_GUEST_NS && tsc_khz)
		v = mul_u64_u32_div(v, NSEC_PER_MSEC, tsc_khz);
	return v;
}

/*
 * Called without the vCPU mutex (NYX_RUN holds it while the guest runs or
 * sleeps in HLT): the counters are read as they are, each one atomically.
 */
long nyx_vcpu_get_stats(struct nyx_vcpu *vcpu, void __user *argp)
{
	u64 *v, since;
	long r;
	int i, j;

	v = kmalloc_array(NYX_VCPU_NR_VALUES, sizeof(*v), GFP_KERNEL);
	if (!v)
		return -ENOMEM;
	for (i = 0; i < NYX_NR_STATS; i++)
		v[i] = nyx_vcpu_stat(vcpu, i);
	/* a vCPU asleep in HLT for minutes is halted now, not when it wakes:
	 * count the sleep so far (readers may see it a little off around
	 * the wake-up; rates clamp at 0) */
	since = READ_ONCE(vcpu->halt_sleep_since);
	if (since)
		v[NYX_STAT_HALT_SLEEP_NS] += ktime_get_ns() - since;
	v[i++] = READ_ONCE(vcpu->halt_poll_ns);
	v[i++] = READ_ONCE(vcpu->mp_state);
	for (j = 0; j < NYX_TOPN; j++) {
		v[i + j] = READ_ONCE(vcpu->pio_top.key[j]);
		v[i + NYX_TOPN + j] = READ_ONCE(vcpu->pio_top.count[j]);
		v[i + 2 * NYX_TOPN + j] = READ_ONCE(vcpu->mmio_top.key[j]);
		v[i + 3 * NYX_TOPN + j] = READ_ONCE(vcpu->mmio_top.count[j]);
	}
	r = nyx_stats_copy(argp, nyx_vcpu_defs, NYX_VCPU_NR_DEFS, v);
	kfree(v);
	return r;
}

enum {
	NYX_VMSTAT_VCPUS,
	NYX_VMSTAT_MAPPED_PAGES,
	NYX_VMSTAT_TABLE_PAGES,
	NYX_VMSTAT_EXITS,
	NYX_NR_VMSTATS
};

static const struct nyx_binstat_def nyx_vm_defs[NYX_NR_VMSTATS] = {
	[NYX_VMSTAT_VCPUS] = { "vcpus", NYX_STATS_TYPE_INSTANT,
			       NYX_STATS_UNIT_NONE, 1 },
	[NYX_VMSTAT_MAPPED_PAGES] = { "mmu_mapped_pages",
		NYX_STATS_TYPE_INSTANT, NYX_STATS_UNIT_NONE, 1 },
	[NYX_VMSTAT_TABLE_PAGES] = { "mmu_table_pages",
		NYX_STATS_TYPE_INSTANT, NYX_STATS_UNIT_NONE, 1 },
	[NYX_VMSTAT_EXITS] = { "exits", NYX_STATS_TYPE_CUMULATIVE,
			       NYX_STATS_UNIT_NONE, 1 },
};

long nyx_vm_get_stats(struct nyx_vm *vm, void __user *argp)
{
	u64 v[NYX_NR_VMSTATS] = { 0 };
	int i;

	v[NYX_VMSTAT_VCPUS] = atomic_read(&vm->nr_vcpus);
	v[NYX_VMSTAT_MAPPED_PAGES] = READ_ONCE(vm->mmu.nr_mapped);
	v[NYX_VMSTAT_TABLE_PAGES] = READ_ONCE(vm->mmu.nr_table_pages);
	/* vCPUs are freed only with the VM, which the fd holds */
	for (i = 0; i < NYX_MAX_VCPUS; i++) {
		struct nyx_vcpu *vcpu = smp_load_acquire(&vm->vcpus[i]);

		if (vcpu)
			v[NYX_VMSTAT_EXITS] +=
				READ_ONCE(vcpu->stats[NYX_STAT_EXITS]);
	}
	return nyx_stats_copy(argp, nyx_vm_defs, NYX_NR_VMSTATS, v);
}
