// SPDX-License-Identifier: GPL-2.0
/*
 * Second-level address translation (AMD NPT / Intel EPT), one 4-level
 * table per VM, entry format from the vendor.
 *
 * Policy: guest RAM is mapped on demand. The first access to a page
 * causes a nested page fault; the page is pinned (FOLL_LONGTERM) and
 * mapped with 4 KiB granularity. Pins are dropped when the slot is
 * changed or deleted (after every vCPU has flushed its TLB) or when the
 * VM is destroyed. Pinning instead of MMU notifiers keeps the host side
 * simple: the launcher's memory cannot move or be freed under the guest.
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include "core/core.h"

#define NYX_PT_ENTRIES		512
#define NYX_PT_LEVELS		4
#define NYX_PTE_ADDR_MASK	0x000ffffffffff000ull
#define NYX_PTE_WRITABLE	(1ull << 1)	/* same bit in NPT and EPT */
#define NYX_ZAP_BATCH		512

static unsigned int nyx_pt_index(u64 gfn, int level)
{
	return (gfn >> (9 * level)) & (NYX_PT_ENTRIES - 1);
}

static u64 *nyx_pt_next(u64 pte)
{
	return __va(pte & NYX_PTE_ADDR_MASK);
}

int nyx_mmu_init(struct nyx_vm *vm)
{
	spin_lock_init(&vm->mmu.lock);
	vm->mmu.root = (u64 *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!vm->mmu.root)
		return -ENOMEM;
	vm->mmu.nr_table_pages = 1;
	return 0;
}

u64 nyx_mmu_root_pa(struct nyx_vm *vm)
{
	return __pa(vm->mmu.root);
}

/* Leaf entry for gfn, or NULL if a table on the way is missing. */
static u64 *nyx_mmu_leaf(struct nyx_mmu *mmu, u64 gfn, int *missing_level)
{
	u64 *table = mmu->root;
	int level;

	for (level = NYX_PT_LEVELS - 1; level > 0; level--) {
		u64 pte = table[nyx_pt_index(gfn, level)];

		if (!nyx_ops->mmu_present(pte)) {
			*missing_level = level;
			return NULL;
		}
		table = nyx_pt_next(pte);
	}
	return &table[nyx_pt_index(gfn, 0)];
}

int nyx_mmu_map_gpa(struct nyx_vcpu *vcpu, struct nyx_memslot *slot, u64 gpa)
{
	struct nyx_mmu *mmu = &vcpu->vm->mmu;
	u64 gfn = gpa >> PAGE_SHIFT;
	unsigned long hva = slot->userspace_addr +
			    (gfn - slot->base_gfn) * PAGE_SIZE;
	bool writable = !(slot->flags & NYX_MEM_READONLY);
	u64 *cache[NYX_PT_LEVELS - 1] = { NULL };
	unsigned int used = 0, i;
	struct page *page;
	u64 *table;
	int level, r;

	lockdep_assert_held(&vcpu->vm->lock);

	r = pin_user_pages_fast(hva, 1,
				FOLL_LONGTERM | (writable ? FOLL_WRITE : 0),
				&page);
	if (r != 1)
		return r < 0 ? r : -EFAULT;

	/* tables are allocated before taking the spinlock */
	for (i = 0; i < ARRAY_SIZE(cache); i++) {
		cache[i] = (u64 *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
		if (!cache[i]) {
			r = -ENOMEM;
			goto out;
		}
	}

	spin_lock(&mmu->lock);
	table = mmu->root;
	for (level = NYX_PT_LEVELS - 1; level > 0; level--) {
		u64 *pte = &table[nyx_pt_index(gfn, level)];

		if (!nyx_ops->mmu_present(*pte)) {
			*pte = nyx_ops->mmu_table(__pa(cache[used]));
			used++;
			mmu->nr_table_pages++;
		}
		table = nyx_pt_next(*pte);
	}
	table += nyx_pt_index(gfn, 0);
	if (nyx_ops->mmu_present(*table)) {
		r = 0;			/* another vCPU mapped it first */
	} else {
		*table = nyx_ops->mmu_leaf(page_to_pfn(page), writable);
		mmu->nr_mapped++;
		page = NULL;
		r = 0;
	}
	spin_unlock(&mmu->lock);
out:
	for (i = used; i < ARRAY_SIZE(cache); i++)
		if (cache[i])
			free_page((unsigned long)cache[i]);
	if (page)
		unpin_user_page(page);
	return r;
}

static void nyx_unpin_batch(struct page **pages, bool *dirty, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		unpin_user_pages_dirty_lock(&pages[i], 1, dirty[i]);
}

/*
 * Drop the mappings of a slot. Pages are unpinned only after every vCPU
 * has left guest mode and will flush its TLB before the next entry.
 */
int nyx_mmu_zap_slot(struct nyx_vm *vm, struct nyx_memslot *slot)
{
	struct nyx_mmu *mmu = &vm->mmu;
	struct page **pages;
	bool *dirty;
	u64 gfn = slot->base_gfn, end = slot->base_gfn + slot->npages;
	unsigned int n;

	lockdep_assert_held(&vm->lock);
	pages = kmalloc_array(NYX_ZAP_BATCH, sizeof(*pages), GFP_KERNEL);
	dirty = kmalloc_array(NYX_ZAP_BATCH, sizeof(*dirty), GFP_KERNEL);
	if (!pages || !dirty) {
		/* the slot must not change while its old pages stay mapped */
		kfree(pages);
		kfree(dirty);
		return -ENOMEM;
	}

	while (gfn < end) {
		n = 0;
		spin_lock(&mmu->lock);
		while (gfn < end && n < NYX_ZAP_BATCH) {
			int missing = 0;
			u64 *pte = nyx_mmu_leaf(mmu, gfn, &missing);

			if (!pte) {
				/* skip the whole range the missing table covers */
				u64 span = 1ull << (9 * missing);

				gfn = (gfn + span) & ~(span - 1);
				continue;
			}
			if (nyx_ops->mmu_present(*pte)) {
				pages[n] = pfn_to_page((*pte & NYX_PTE_ADDR_MASK) >>
						       PAGE_SHIFT);
				dirty[n] = *pte & NYX_PTE_WRITABLE;
				n++;
				*pte = 0;
				mmu->nr_mapped--;
			}
			gfn++;
		}
		spin_unlock(&mmu->lock);
		if (n) {
			nyx_vcpu_kick_all(vm, NYX_REQ_TLB_FLUSH);
			nyx_unpin_batch(pages, dirty, n);
		}
	}
	kfree(pages);
	kfree(dirty);
	return 0;
}

/* Teardown: no vCPU runs any more, so no flush is needed. */
static void nyx_mmu_free_table(u64 *table, int level)
{
	unsigned int i;

	for (i = 0; i < NYX_PT_ENTRIES; i++) {
		u64 pte = table[i];

		if (!nyx_ops->mmu_present(pte))
			continue;
		if (level > 0) {
			nyx_mmu_free_table(nyx_pt_next(pte), level - 1);
		} else {
			struct page *p = pfn_to_page((pte & NYX_PTE_ADDR_MASK) >>
						     PAGE_SHIFT);

			unpin_user_pages_dirty_lock(&p, 1,
						    pte & NYX_PTE_WRITABLE);
		}
	}
	free_page((unsigned long)table);
}

void nyx_mmu_destroy(struct nyx_vm *vm)
{
	if (vm->mmu.root)
		nyx_mmu_free_table(vm->mmu.root, NYX_PT_LEVELS - 1);
	vm->mmu.root = NULL;
}
