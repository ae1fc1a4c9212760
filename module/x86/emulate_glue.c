// SPDX-License-Identifier: GPL-2.0
/*
 * Binds the shared emulator (lib/x86/emulate.c) to a vCPU: guest-physical
 * accesses go through the memory slots to the launcher's memory with
 * copy_{from,to}_user (we run in the vCPU thread, inside the VM's mm);
 * anything outside RAM is MMIO.
 */
#include <linux/kernel.h>
#include <linux/uaccess.h>

#include "x86/paging.h"
#include "x86/x86.h"

static int nyx_emu_phys(void *opaque, u64 gpa, void *buf, unsigned int len,
			bool write)
{
	struct nyx_vcpu *vcpu = opaque;
	struct nyx_vm *vm = vcpu->vm;
	struct nyx_memslot *slot;
	void __user *hva;
	int r = X86_MEM_OK;

	mutex_lock(&vm->lock);
	slot = nyx_find_slot(vm, gpa >> PAGE_SHIFT);
	if (!slot || (write && (slot->flags & NYX_MEM_READONLY))) {
		r = X86_MEM_MMIO;
		goto out;
	}
	/* the emulator never crosses a page, so one slot covers it */
	hva = (void __user *)(unsigned long)(slot->userspace_addr +
		((gpa >> PAGE_SHIFT) - slot->base_gfn) * PAGE_SIZE +
		(gpa & ~PAGE_MASK));
	if (write ? copy_to_user(hva, buf, len) : copy_from_user(buf, hva, len))
		r = X86_MEM_ERROR;
out:
	mutex_unlock(&vm->lock);
	return r;
}

/*
 * The page walker's A/D updates: a locked compare-and-exchange on the
 * launcher's mapping of the page, as the hardware's own walker does, so a
 * PTE another vCPU rewrites at the same time is never overwritten with a
 * stale value.
 */
static int nyx_emu_cmpxchg_phys(void *opaque, u64 gpa, u64 old, u64 new,
				unsigned int len)
{
	struct nyx_vcpu *vcpu = opaque;
	struct nyx_vm *vm = vcpu->vm;
	struct nyx_memslot *slot;
	unsigned long hva;
	u32 old32 = old;
	int r = X86_MEM_OK;

	if ((len != 4 && len != 8) || (gpa & (len - 1)))
		return X86_MEM_ERROR;
	mutex_lock(&vm->lock);
	slot = nyx_find_slot(vm, gpa >> PAGE_SHIFT);
	if (!slot || (slot->flags & NYX_MEM_READONLY)) {
		r = X86_MEM_MMIO;
		goto out;
	}
	hva = slot->userspace_addr +
	      ((gpa >> PAGE_SHIFT) - slot->base_gfn) * PAGE_SIZE +
	      (gpa & ~PAGE_MASK);
	/* 0 stored, 1 the value differed, -EFAULT */
	if (!access_ok((void __user *)hva, len))
		r = -EFAULT;
	else if (len == 8)
		r = __try_cmpxchg_user((u64 __user *)hva, &old, new, efault64);
	else
		r = __try_cmpxchg_user((u32 __user *)hva, &old32, (u32)new,
				       efault32);
	r = r == 0 ? X86_MEM_OK : r == 1 ? X86_MEM_CHANGED : X86_MEM_ERROR;
out:
	mutex_unlock(&vm->lock);
	return r;
}

static int nyx_emu_read_phys(void *opaque, u64 gpa, void *buf,
			     unsigned int len)
{
	return nyx_emu_phys(opaque, gpa, buf, len, false);
}

static int nyx_emu_write_phys(void *opaque, u64 gpa, const void *buf,
			      unsigned int len)
{
	return nyx_emu_phys(opaque, gpa, (void *)buf, len, true);
}

/*
 * MOV to/from debug registers that the vendor intercepts. DR0-3 (and DR6
 * where the vendor does not switch it) live only in the vCPU, never on the
 * host's registers; DR7 is the vendor's (VMCB/VMCS). Guest hardware
 * breakpoints therefore do not fire: the hardware's DR0-3 hold the host's
 * values (or the debugger's, with NYX_GUESTDBG_USE_HW_BP, x86/debug.c),
 * and loading the guest's would need switching them around every entry.
 * While the debugger's DR7 is loaded, the guest's DR7 is vcpu->guest_dr7.
 */
static int nyx_emu_get_dr(void *opaque, int dr, u64 *val)
{
	struct nyx_vcpu *vcpu = opaque;

	vcpu->stats[NYX_STAT_DR]++;
	if (dr >= 0 && dr <= 3)
		*val = vcpu->dr[dr];
	else if (dr == 6)
		*val = vcpu->dr6;
	else if (dr == 7 && (vcpu->guest_debug & NYX_GUESTDBG_USE_HW_BP))
		*val = vcpu->guest_dr7;
	else if (dr == 7)
		*val = nyx_ops->get_dr7(vcpu);
	else
		return -1;
	return 0;
}

static int nyx_emu_set_dr(void *opaque, int dr, u64 val)
{
	struct nyx_vcpu *vcpu = opaque;

	vcpu->stats[NYX_STAT_DR]++;
	if (dr >= 0 && dr <= 3) {
		vcpu->dr[dr] = val;
	} else if (dr == 6) {
		if (val >> 32)
			return -1;
		vcpu->dr6 = val | 0xffff0ff0ull;
	} else if (dr == 7) {
		if (val >> 32)
			return -1;
		val = (val & ~0xd800ull) | 0x400;
		if (vcpu->guest_debug & NYX_GUESTDBG_USE_HW_BP)
			vcpu->guest_dr7 = val;
		else
			nyx_ops->set_dr7(vcpu, val);
	} else {
		return -1;
	}
	return 0;
}

const struct x86_emu_ops nyx_x86_emu_ops = {
	.read_phys = nyx_emu_read_phys,
	.write_phys = nyx_emu_write_phys,
	.cmpxchg_phys = nyx_emu_cmpxchg_phys,
	.get_dr = nyx_emu_get_dr,
	.set_dr = nyx_emu_set_dr,
};

/* Load the emulator's view of the vCPU; keeps the MMIO log. */
void nyx_x86_emu_prepare(struct nyx_vcpu *vcpu)
{
	struct x86_cpu_state *s = &vcpu->emu_cpu;

	nyx_ops->get_emu_state(vcpu, s);
	memcpy(s->gpr, vcpu->regs, sizeof(s->gpr));
	s->rip = vcpu->rip;
	s->rflags = vcpu->rflags;
	vcpu->emu.cpu = s;
	vcpu->emu.ops = &nyx_x86_emu_ops;
	vcpu->emu.opaque = vcpu;
}

/* The instruction completed: take its registers. */
void nyx_x86_emu_commit(struct nyx_vcpu *vcpu)
{
	struct x86_cpu_state *s = &vcpu->emu_cpu;

	memcpy(vcpu->regs, s->gpr, sizeof(vcpu->regs));
	vcpu->rip = s->rip;
	vcpu->rflags = s->rflags;
}

/* ---- post-mortem ---- */

struct nyx_pm_walk {
	struct nyx_vcpu *vcpu;
	unsigned int n;
	u64 gpa[5], pte[5];	/* each level's entry, as read */
};

static int nyx_pm_read_pte(void *opaque, u64 gpa, u64 *pte,
			   unsigned int size)
{
	struct nyx_pm_walk *w = opaque;
	u64 v = 0;

	if (nyx_emu_phys(w->vcpu, gpa, &v, size, false) != X86_MEM_OK)
		return -1;
	*pte = v;
	if (w->n < ARRAY_SIZE(w->pte)) {
		w->gpa[w->n] = gpa;
		w->pte[w->n++] = v;
	}
	return 0;
}

/*
 * After a triple fault: how the guest's page tables, as its memory holds
 * them now, translate la (no A/D updates). A walk that succeeds here while
 * the CPU faulted on la says the CPU misread the tables (or they changed
 * back since); one that fails shows the entry that broke.
 */
void nyx_x86_log_walk(struct nyx_vcpu *vcpu, const char *what, u64 la)
{
	static const struct x86_pte_ops ops = { .read_pte = nyx_pm_read_pte };
	struct nyx_pm_walk w = { .vcpu = vcpu };
	struct x86_cpu_state s;
	struct x86_paging_cfg cfg;
	char buf[200];
	unsigned int i, len = 0;
	u64 gpa = 0;
	u32 err = 0;
	int r;

	nyx_ops->get_emu_state(vcpu, &s);
	cfg = (struct x86_paging_cfg){
		.cr0 = s.cr0, .cr3 = s.cr3, .cr4 = s.cr4, .efer = s.efer,
		.maxphyaddr_mask = vcpu->emu.maxphyaddr_mask,
	};
	r = x86_walk(&cfg, la, 0, &ops, &w, &gpa, &err);
	for (i = 0; i < w.n; i++)
		len += scnprintf(buf + len, sizeof(buf) - len, " %llx:%llx",
				 w.gpa[i], w.pte[i]);
	if (r == X86_WALK_OK)
		pr_info_ratelimited("nyx: vCPU %d %s %llx -> gpa %llx, entries%s\n",
				    vcpu->id, what, la, gpa, buf);
	else
		pr_info_ratelimited("nyx: vCPU %d %s %llx -> %s %x, entries%s\n",
				    vcpu->id, what, la,
				    r == X86_WALK_FAULT ? "#PF error" :
				    "table outside RAM", err, buf);
	/* what the CPU reads goes through the nested table: the same pages? */
	if (r == X86_WALK_OK && w.n < ARRAY_SIZE(w.gpa))
		w.gpa[w.n++] = gpa;
	len = 0;
	buf[0] = '\0';
	for (i = 0; i < w.n; i++) {
		u64 npt, mem;
		int m = nyx_mmu_check_gfn(vcpu->vm, w.gpa[i] >> PAGE_SHIFT,
					  &npt, &mem);

		if (m != 1)
			len += scnprintf(buf + len, sizeof(buf) - len,
					 " gfn %llx: npt pfn %llx memory pfn %llx (%d);",
					 w.gpa[i] >> PAGE_SHIFT, npt, mem, m);
	}
	pr_info_ratelimited("nyx: vCPU %d %s: nested table %s%s\n", vcpu->id,
			    what, len ? "differs:" : "maps the same pages",
			    buf);
}
