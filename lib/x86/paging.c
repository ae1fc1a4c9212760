// SPDX-License-Identifier: GPL-2.0
/*
 * Guest page-table walker: non-paged, 32-bit (with PSE/PSE-36), PAE and
 * 4-level long mode paging.
 *
 * The walk follows the SDM/APM: at each level the entry must be present,
 * then its reserved bits must be clear (X86_PF_RSVD | X86_PF_PRESENT
 * otherwise); the R/W and U/S bits of all levels are ANDed and the XD bits
 * ORed, and the access is checked against the result at the end. Accessed
 * bits (every level) and the dirty bit (leaf, writes only) are written back
 * only once the walk has succeeded.
 *
 * Deliberately not modelled:
 *  - SMEP, SMAP and protection keys: the walker is used by the emulator on
 *    instructions the hardware already intercepted (MMIO, string I/O),
 *    which real guests do not issue from pages that would trip them. The
 *    I/D error-code bit does honour CR4.SMEP, as the hardware reports it.
 *  - 5-level paging: X86_WALK_ERROR.
 *  - PDPTE caching: PAE PDPTEs are read from memory at every walk rather
 *    than at CR3 load; a present PDPTE with reserved bits set faults with
 *    X86_PF_RSVD instead of raising #GP at MOV CR3 time.
 *  - 1 GiB pages are accepted whatever the guest's CPUID says, and bit 8
 *    of non-leaf entries (MBZ on AMD) is treated as ignored, as on Intel.
 *  - Atomicity: A/D bits are set with ops->cmpxchg_pte, one entry at a
 *    time; an entry another vCPU changed since it was read restarts the
 *    walk (at most WALK_RETRIES times, then X86_WALK_ERROR), so a
 *    concurrent edit is never overwritten with a stale value.
 */
#include "paging.h"
#include "x86_defs.h"

#define WALK_MAX_LEVELS		4
#define WALK_RETRIES		16
#define WALK_RETRY		2	/* internal: an entry changed under us */
#define PA_MASK_52		((1ull << 52) - 1)
#define PAGE_FRAME(a)		((a) & ~(NYX_PAGE_SIZE - 1))

/* Reserved bits of large-page entries (between the PAT bit and the frame). */
#define RSVD_2M		0x00000000001fe000ull	/* bits 20:13 */
#define RSVD_1G		0x000000003fffe000ull	/* bits 29:13 */
/* PAE PDPTE: bits 2:1 and 8:5 are reserved (there is no U/S, R/W or A). */
#define RSVD_PDPTE		0x1e6ull
/* 32-bit 4 MiB PDE: bit 21 is reserved, bits 20:13 are PA bits 39:32. */
#define RSVD_4M			(1ull << 21)

struct walk_state {
	const struct x86_paging_cfg *cfg;
	const struct x86_pte_ops *ops;
	void *opaque;
	u64 la;
	u32 access;
	u64 pa_mask;		/* valid guest-physical address bits */
	bool nxe;		/* XD bits honoured (PAE/long + NXE) */
	bool report_fetch;	/* error code carries X86_PF_FETCH */
	/* effective rights, accumulated over the levels walked */
	bool rw, us, nx;
	unsigned int pte_size;
	unsigned int n;
	u64 pte_gpa[WALK_MAX_LEVELS];
	u64 pte[WALK_MAX_LEVELS];
};

static int read_entry(struct walk_state *w, u64 gpa, u64 *pte)
{
	if (w->ops->read_pte(w->opaque, gpa, pte, w->pte_size))
		return -1;
	if (w->pte_size == 4)
		*pte &= 0xffffffffull;
	return 0;
}

/* Remember an entry for the A/D update and fold in its rights. */
static void record(struct walk_state *w, u64 gpa, u64 pte)
{
	if (w->n < WALK_MAX_LEVELS) {
		w->pte_gpa[w->n] = gpa;
		w->pte[w->n] = pte;
		w->n++;
	}
	if (!(pte & NYX_PTE_RW))
		w->rw = false;
	if (!(pte & NYX_PTE_US))
		w->us = false;
	if (w->nxe && (pte & NYX_PTE_NX))
		w->nx = true;
}

static int fault(const struct walk_state *w, u32 *pf_error, u32 bits)
{
	u32 err = bits | (w->access & (X86_PF_WRITE | X86_PF_USER));

	if ((w->access & X86_PF_FETCH) && w->report_fetch)
		err |= X86_PF_FETCH;
	*pf_error = err;
	return X86_WALK_FAULT;
}

/* Permission check on the accumulated rights, then the A/D update. */
static int finish(struct walk_state *w, u64 pa, u64 *gpa, u32 *pf_error)
{
	u32 acc = w->access;
	unsigned int i;

	if ((acc & X86_PF_USER) && !w->us)
		return fault(w, pf_error, X86_PF_PRESENT);
	/* Supervisor writes to read-only pages are allowed unless CR0.WP. */
	if ((acc & X86_PF_WRITE) && !w->rw &&
	    ((acc & X86_PF_USER) || (w->cfg->cr0 & NYX_CR0_WP)))
		return fault(w, pf_error, X86_PF_PRESENT);
	if ((acc & X86_PF_FETCH) && w->nx)
		return fault(w, pf_error, X86_PF_PRESENT);

	/* A NULL cmpxchg_pte gives a side-effect free (debug) translation. */
	for (i = 0; i < w->n && w->ops->cmpxchg_pte; i++) {
		u64 pte = w->pte[i] | NYX_PTE_A;
		int r;

		if (i == w->n - 1 && (acc & X86_PF_WRITE))
			pte |= NYX_PTE_D;
		if (pte == w->pte[i])
			continue;
		r = w->ops->cmpxchg_pte(w->opaque, w->pte_gpa[i], w->pte[i],
					pte, w->pte_size);
		if (r == X86_PTE_CHANGED)
			return WALK_RETRY;
		if (r)
			return X86_WALK_ERROR;
	}
	*gpa = pa;
	return X86_WALK_OK;
}

static int walk_long(struct walk_state *w, u64 *gpa, u32 *pf_error)
{
	/* Bits 51:MAXPHYADDR are reserved; 62:52 are ignored. */
	u64 rsvd_common = (PA_MASK_52 & ~w->pa_mask) |
			  (w->nxe ? 0 : NYX_PTE_NX);
	u64 table = PAGE_FRAME(w->cfg->cr3 & w->pa_mask);
	int level;

	for (level = 4; level >= 1; level--) {
		unsigned int shift = 12 + 9 * (level - 1);
		u64 addr = table + ((w->la >> shift) & 511) * 8;
		u64 rsvd = rsvd_common;
		u64 pte;

		if (read_entry(w, addr, &pte))
			return X86_WALK_ERROR;
		if (!(pte & NYX_PTE_P))
			return fault(w, pf_error, 0);
		if (level == 4)
			rsvd |= NYX_PTE_PS;
		else if (level == 3 && (pte & NYX_PTE_PS))
			rsvd |= RSVD_1G;
		else if (level == 2 && (pte & NYX_PTE_PS))
			rsvd |= RSVD_2M;
		if (pte & rsvd)
			return fault(w, pf_error, X86_PF_RSVD | X86_PF_PRESENT);
		record(w, addr, pte);

		/* In a PTE, bit 7 is PAT and not PS. */
		if (level == 1 || (pte & NYX_PTE_PS)) {
			u64 off = (1ull << shift) - 1;

			return finish(w, (pte & w->pa_mask & ~off) |
					 (w->la & off), gpa, pf_error);
		}
		table = PAGE_FRAME(pte & w->pa_mask);
	}
	return X86_WALK_ERROR;
}

static int walk_pae(struct walk_state *w, u64 *gpa, u32 *pf_error)
{
	/* Unlike long mode, bits 62:MAXPHYADDR are all reserved. */
	u64 rsvd_common = (~w->pa_mask & ~NYX_PTE_NX) |
			  (w->nxe ? 0 : NYX_PTE_NX);
	u64 addr = (w->cfg->cr3 & 0xffffffe0ull) + ((w->la >> 30) & 3) * 8;
	u64 table, pte;
	int level;

	/* The PDPTE has no A bit and no rights: it is not recorded. */
	if (read_entry(w, addr, &pte))
		return X86_WALK_ERROR;
	if (!(pte & NYX_PTE_P))
		return fault(w, pf_error, 0);
	if (pte & (~w->pa_mask | RSVD_PDPTE))
		return fault(w, pf_error, X86_PF_RSVD | X86_PF_PRESENT);
	table = PAGE_FRAME(pte & w->pa_mask);

	for (level = 2; level >= 1; level--) {
		unsigned int shift = 12 + 9 * (level - 1);
		u64 rsvd = rsvd_common;

		addr = table + ((w->la >> shift) & 511) * 8;
		if (read_entry(w, addr, &pte))
			return X86_WALK_ERROR;
		if (!(pte & NYX_PTE_P))
			return fault(w, pf_error, 0);
		if (level == 2 && (pte & NYX_PTE_PS))
			rsvd |= RSVD_2M;
		if (pte & rsvd)
			return fault(w, pf_error, X86_PF_RSVD | X86_PF_PRESENT);
		record(w, addr, pte);

		if (level == 1 || (pte & NYX_PTE_PS)) {
			u64 off = (1ull << shift) - 1;

			return finish(w, (pte & w->pa_mask & ~off) |
					 (w->la & off), gpa, pf_error);
		}
		table = PAGE_FRAME(pte & w->pa_mask);
	}
	return X86_WALK_ERROR;
}

static int walk_32(struct walk_state *w, u64 *gpa, u32 *pf_error)
{
	u64 addr = (w->cfg->cr3 & 0xfffff000ull) + ((w->la >> 22) & 1023) * 4;
	u64 pde, pte;

	if (read_entry(w, addr, &pde))
		return X86_WALK_ERROR;
	if (!(pde & NYX_PTE_P))
		return fault(w, pf_error, 0);

	/* PS is ignored (the entry maps a page table) without CR4.PSE. */
	if ((pde & NYX_PTE_PS) && (w->cfg->cr4 & NYX_CR4_PSE)) {
		/* PSE-36/40: PDE bits 20:13 hold PA bits 39:32. */
		u64 pa = (((pde >> 13) & 0xff) << 32) | (pde & 0xffc00000ull);

		if ((pde & RSVD_4M) || (pa & ~w->pa_mask))
			return fault(w, pf_error, X86_PF_RSVD | X86_PF_PRESENT);
		record(w, addr, pde);
		return finish(w, pa | (w->la & 0x3fffff), gpa, pf_error);
	}
	record(w, addr, pde);

	addr = (pde & 0xfffff000ull) + ((w->la >> 12) & 1023) * 4;
	if (read_entry(w, addr, &pte))
		return X86_WALK_ERROR;
	if (!(pte & NYX_PTE_P))
		return fault(w, pf_error, 0);
	record(w, addr, pte);
	return finish(w, (pte & 0xfffff000ull) | (w->la & 0xfff), gpa,
		      pf_error);
}

static bool canonical48(u64 la)
{
	u64 top = la >> 47;

	return top == 0 || top == (1ull << 17) - 1;
}

static int walk_once(const struct x86_paging_cfg *cfg, u64 la, u32 access,
		     const struct x86_pte_ops *ops, void *opaque, u64 *gpa,
		     u32 *pf_error)
{
	struct walk_state w;

	*pf_error = 0;
	*gpa = 0;
	access &= X86_PF_WRITE | X86_PF_USER | X86_PF_FETCH;

	/* Without paging, linear addresses are 32 bits and map 1:1. */
	if (!(cfg->cr0 & NYX_CR0_PG)) {
		*gpa = la & 0xffffffffull;
		return X86_WALK_OK;
	}
	if (!ops || !ops->read_pte)
		return X86_WALK_ERROR;

	nyx_memset(&w, 0, sizeof(w));
	w.cfg = cfg;
	w.ops = ops;
	w.opaque = opaque;
	w.access = access;
	w.rw = true;
	w.us = true;
	w.pa_mask = cfg->maxphyaddr_mask ? cfg->maxphyaddr_mask : PA_MASK_52;
	w.pa_mask &= PA_MASK_52;
	w.pa_mask |= NYX_PAGE_SIZE - 1;

	if (cfg->efer & NYX_EFER_LMA) {
		/* LMA without PAE is not a state VMRUN accepts. */
		if (!(cfg->cr4 & NYX_CR4_PAE) || (cfg->cr4 & NYX_CR4_LA57))
			return X86_WALK_ERROR;
		if (!canonical48(la))
			return X86_WALK_ERROR;
		w.la = la;
		w.pte_size = 8;
		w.nxe = cfg->efer & NYX_EFER_NXE;
		w.report_fetch = w.nxe || (cfg->cr4 & NYX_CR4_SMEP);
		return walk_long(&w, gpa, pf_error);
	}

	w.la = la & 0xffffffffull;
	if (cfg->cr4 & NYX_CR4_PAE) {
		w.pte_size = 8;
		w.nxe = cfg->efer & NYX_EFER_NXE;
		w.report_fetch = w.nxe || (cfg->cr4 & NYX_CR4_SMEP);
		return walk_pae(&w, gpa, pf_error);
	}
	/* 32-bit paging has no XD bit: I/D is only reported with SMEP. */
	w.pte_size = 4;
	w.report_fetch = cfg->cr4 & NYX_CR4_SMEP;
	return walk_32(&w, gpa, pf_error);
}

int x86_walk(const struct x86_paging_cfg *cfg, u64 la, u32 access,
	     const struct x86_pte_ops *ops, void *opaque, u64 *gpa,
	     u32 *pf_error)
{
	int i, r = X86_WALK_ERROR;

	for (i = 0; i < WALK_RETRIES; i++) {
		r = walk_once(cfg, la, access, ops, opaque, gpa, pf_error);
		if (r != WALK_RETRY)
			return r;
	}
	/* a guest rewriting its tables faster than we can walk them */
	*gpa = 0;
	return X86_WALK_ERROR;
}
