// SPDX-License-Identifier: GPL-2.0
/*
 * Second-level address translation (AMD NPT / Intel EPT), one 4-level
 * table per VM, entry format from the vendor.
 *
 * Policy: guest RAM is mapped on demand. The first access to a page
 * causes a nested page fault; the page and its neighbours (fault-around,
 * below) are pinned (FOLL_LONGTERM) and mapped, with one 2 MiB entry
 * where the host holds the whole aligned 2 MiB in one contiguous block
 * (a transparent huge page; the launcher asks for them), else 4 KiB
 * entries. Pins are dropped when the slot is changed or deleted (after
 * every vCPU has flushed its TLB) or when the VM is destroyed. Pinning instead of MMU notifiers keeps the host side
 * simple: the launcher's memory cannot move or be freed under the guest.
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>

#include "core/core.h"

#define NYX_PT_ENTRIES		512
#define NYX_PT_LEVELS		4
#define NYX_PTE_ADDR_MASK	0x000ffffffffff000ull
#define NYX_PTE_WRITABLE	(1ull << 1)	/* same bit in NPT and EPT */
#define NYX_PTE_LARGE		(1ull << 7)	/* level 1: a 2 MiB leaf (both) */
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

/*
 * The entry that maps gfn: a 4 KiB leaf (*level 0) or a 2 MiB one (*level
 * 1), or NULL if the entry at *level on the way is not present.
 */
static u64 *nyx_mmu_walk(struct nyx_mmu *mmu, u64 gfn, int *level)
{
	u64 *table = mmu->root;
	int l;

	for (l = NYX_PT_LEVELS - 1; l > 0; l--) {
		u64 *pte = &table[nyx_pt_index(gfn, l)];

		if (!nyx_ops->mmu_present(*pte)) {
			*level = l;
			return NULL;
		}
		if (l == 1 && (*pte & NYX_PTE_LARGE)) {
			*level = 1;
			return pte;
		}
		table = nyx_pt_next(*pte);
	}
	*level = 0;
	return &table[nyx_pt_index(gfn, 0)];
}

/* The host page an entry of nyx_mmu_walk maps gfn to. */
static u64 nyx_mmu_pfn(u64 pte, int level, u64 gfn)
{
	u64 pfn = (pte & NYX_PTE_ADDR_MASK) >> PAGE_SHIFT;

	return level ? pfn + (gfn & (NYX_PT_ENTRIES - 1)) : pfn;
}

/*
 * Fault-around: one nested page fault maps the whole naturally aligned
 * window (within the slot) around the faulting page, not just that page.
 * A Linux boot touches ~100 MiB page by page; 4 KiB at a time that was
 * ~25,000 exits, each a full world switch. With 512 pages (2 MiB) the
 * host memory committed per fault is what a THP-backed KVM guest commits.
 * 1 restores one page per fault. (Dirty logging, when it comes, must map
 * the window read-only or fall back to 1.)
 */
static unsigned int npt_fault_around = NYX_PT_ENTRIES;
module_param(npt_fault_around, uint, 0644);
MODULE_PARM_DESC(npt_fault_around,
		 "pages mapped per nested page fault (power of 2, 1-512)");

static unsigned int nyx_mmu_window(void)
{
	unsigned int w = READ_ONCE(npt_fault_around);

	if (!w || w > NYX_PT_ENTRIES || (w & (w - 1)))
		return 1;
	return w;
}

static bool npt_huge = true;
module_param(npt_huge, bool, 0644);
MODULE_PARM_DESC(npt_huge,
		 "map 2 MiB of guest RAM with one nested entry where the host's pages allow");

/* A whole pinned 2 MiB window that one 2 MiB entry can map: host pages
 * contiguous and aligned, and no dirty logging (it needs 4 KiB pages). */
static bool nyx_mmu_window_large(const struct nyx_memslot *slot,
				 struct page **pages, unsigned int n)
{
	u64 pfn = page_to_pfn(pages[0]);
	unsigned int i;

	if (n != NYX_PT_ENTRIES || !nyx_ops->mmu_large ||
	    !READ_ONCE(npt_huge) || (slot->flags & NYX_MEM_LOG_DIRTY) ||
	    (pfn & (NYX_PT_ENTRIES - 1)))
		return false;
	for (i = 1; i < n; i++)
		if (page_to_pfn(pages[i]) != pfn + i)
			return false;
	return true;
}

/*
 * Pin the window around gfn. Returns the number of pages pinned into
 * pages[] (the first is *first_gfn, gfn among them), or -errno.
 */
static int nyx_mmu_pin_window(struct nyx_memslot *slot, u64 gfn,
			      unsigned int gup, struct page **pages,
			      unsigned int window, u64 *first_gfn)
{
	u64 lo = max(gfn & ~(u64)(window - 1), slot->base_gfn);
	u64 hi = min((gfn | (window - 1)) + 1, slot->base_gfn + slot->npages);
	unsigned long hva = slot->userspace_addr +
			    (lo - slot->base_gfn) * PAGE_SIZE;
	int r;

	r = pin_user_pages_fast(hva, hi - lo, gup, pages);
	if (r > 0 && gfn - lo < (u64)r) {
		*first_gfn = lo;
		return r;
	}
	/* could not reach gfn (host memory short?): gfn alone */
	if (r > 0)
		unpin_user_pages(pages, r);
	*first_gfn = gfn;
	r = pin_user_pages_fast(slot->userspace_addr +
				(gfn - slot->base_gfn) * PAGE_SIZE, 1, gup,
				pages);
	return r == 1 ? 1 : (r < 0 ? r : -EFAULT);
}

int nyx_mmu_map_gpa(struct nyx_vcpu *vcpu, struct nyx_memslot *slot, u64 gpa)
{
	struct nyx_mmu *mmu = &vcpu->vm->mmu;
	u64 gfn = gpa >> PAGE_SHIFT, first;
	bool writable = !(slot->flags & NYX_MEM_READONLY);
	unsigned int gup = FOLL_LONGTERM | (writable ? FOLL_WRITE : 0);
	unsigned int window = nyx_mmu_window();
	u64 *cache[NYX_PT_LEVELS - 1] = { NULL };
	struct page *one, **pages = &one;
	unsigned int used = 0, i;
	int level, r, n;
	bool large;
	u64 *table;

	lockdep_assert_held(&vcpu->vm->lock);

	if (window > 1) {
		pages = kmalloc_array(window, sizeof(*pages), GFP_KERNEL);
		if (!pages) {
			pages = &one;
			window = 1;
		}
	}
	/*
	 * A read-only slot is still the launcher's memory, which it may fill
	 * after the guest mapped it. Pinned without FOLL_WRITE, a page it
	 * never touched is the shared zero page, and its later write lands
	 * in a fresh copy the guest never sees: so pin for write where the
	 * mapping allows it (the nested entry stays read-only), and only
	 * a page where it does not (a PROT_READ mapping, which the launcher
	 * cannot write either) as it is.
	 */
	n = nyx_mmu_pin_window(slot, gfn, gup | (writable ? 0 : FOLL_WRITE),
			       pages, window, &first);
	/* -EFAULT: gfn's page cannot be written; pin it alone, so that no
	 * writable neighbour is pinned as the zero page */
	if (n == -EFAULT && !writable)
		n = nyx_mmu_pin_window(slot, gfn, gup, pages, 1, &first);
	if (n < 0) {
		r = n;
		n = 0;
		goto out;
	}

	/* tables are allocated before taking the spinlock */
	for (i = 0; i < ARRAY_SIZE(cache); i++) {
		cache[i] = (u64 *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
		if (!cache[i]) {
			r = -ENOMEM;
			goto out;
		}
	}

	large = nyx_mmu_window_large(slot, pages, n);
	spin_lock(&mmu->lock);
	table = mmu->root;
	for (level = NYX_PT_LEVELS - 1; level > 0; level--) {
		u64 *pte = &table[nyx_pt_index(gfn, level)];

		if (level == 1 && large && !nyx_ops->mmu_present(*pte)) {
			/* the window (first = gfn aligned down) in one entry */
			*pte = nyx_ops->mmu_leaf(page_to_pfn(pages[0]),
						 writable) | NYX_PTE_LARGE;
			mmu->nr_mapped += n;
			mmu->nr_large++;
			for (i = 0; i < (unsigned int)n; i++)
				pages[i] = NULL;
			break;
		}
		if (level == 1 && (*pte & NYX_PTE_LARGE))
			break;		/* mapped so by another vCPU */
		if (!nyx_ops->mmu_present(*pte)) {
			*pte = nyx_ops->mmu_table(__pa(cache[used]));
			used++;
			mmu->nr_table_pages++;
		}
		table = nyx_pt_next(*pte);
	}
	/* the window is aligned within one leaf table */
	for (i = 0; level == 0 && i < (unsigned int)n; i++) {
		u64 *pte = &table[nyx_pt_index(first + i, 0)];

		if (nyx_ops->mmu_present(*pte))
			continue;	/* mapped before (or by another vCPU) */
		*pte = nyx_ops->mmu_leaf(page_to_pfn(pages[i]), writable);
		mmu->nr_mapped++;
		pages[i] = NULL;
	}
	spin_unlock(&mmu->lock);
	r = 0;
out:
	for (i = used; i < ARRAY_SIZE(cache); i++)
		if (cache[i])
			free_page((unsigned long)cache[i]);
	for (i = 0; i < (unsigned int)n; i++)
		if (pages[i])
			unpin_user_page(pages[i]);
	if (pages != &one)
		kfree(pages);
	return r;
}

/*
 * Post-mortem: does the nested table map gfn to the page that the
 * launcher's memory holds there now? 1 yes, 0 no (the two pfns say what
 * each holds), -ENOENT not mapped (or outside every slot), -EFAULT the
 * launcher's memory has no page there.
 */
int nyx_mmu_check_gfn(struct nyx_vm *vm, u64 gfn, u64 *npt_pfn, u64 *mem_pfn)
{
	struct nyx_memslot *slot;
	struct page *page;
	int level = 0, r;
	u64 *pte;

	*npt_pfn = *mem_pfn = 0;
	mutex_lock(&vm->lock);
	slot = nyx_find_slot(vm, gfn);
	spin_lock(&vm->mmu.lock);
	pte = nyx_mmu_walk(&vm->mmu, gfn, &level);
	if (pte && nyx_ops->mmu_present(*pte))
		*npt_pfn = nyx_mmu_pfn(*pte, level, gfn);
	spin_unlock(&vm->mmu.lock);
	if (!slot || !*npt_pfn) {
		r = -ENOENT;
		goto out;
	}
	/* no FOLL_WRITE: looking must not change what is there */
	r = get_user_pages_fast(slot->userspace_addr +
				(gfn - slot->base_gfn) * PAGE_SIZE, 1, 0, &page);
	if (r != 1) {
		r = -EFAULT;
		goto out;
	}
	*mem_pfn = page_to_pfn(page);
	put_page(page);
	r = *mem_pfn == *npt_pfn;
out:
	mutex_unlock(&vm->lock);
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
			int level = 0;
			u64 *pte = nyx_mmu_walk(mmu, gfn, &level);

			if (!pte) {
				/* skip the whole range the missing table covers */
				u64 span = 1ull << (9 * level);

				gfn = (gfn + span) & ~(span - 1);
				continue;
			}
			if (level) {
				/* a 2 MiB leaf, wholly in the slot: its pages
				 * in a batch of their own */
				BUILD_BUG_ON(NYX_ZAP_BATCH < NYX_PT_ENTRIES);
				u64 base = gfn & ~(u64)(NYX_PT_ENTRIES - 1);
				unsigned int i;

				if (n)
					break;
				for (i = 0; i < NYX_PT_ENTRIES; i++) {
					pages[i] = pfn_to_page(nyx_mmu_pfn(*pte,
							1, base + i));
					dirty[i] = *pte & NYX_PTE_WRITABLE;
				}
				n = NYX_PT_ENTRIES;
				*pte = 0;
				mmu->nr_mapped -= NYX_PT_ENTRIES;
				mmu->nr_large--;
				gfn = base + NYX_PT_ENTRIES;
				continue;
			}
			if (nyx_ops->mmu_present(*pte)) {
				pages[n] = pfn_to_page(nyx_mmu_pfn(*pte, 0, gfn));
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
	unsigned int i, j;

	for (i = 0; i < NYX_PT_ENTRIES; i++) {
		u64 pte = table[i];

		if (!nyx_ops->mmu_present(pte))
			continue;
		if (level > 1 || (level == 1 && !(pte & NYX_PTE_LARGE))) {
			nyx_mmu_free_table(nyx_pt_next(pte), level - 1);
			continue;
		}
		/* a leaf: 1 page, or 512 for a 2 MiB one */
		for (j = 0; j < (level ? NYX_PT_ENTRIES : 1); j++) {
			struct page *p = pfn_to_page(nyx_mmu_pfn(pte, level, j));

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
