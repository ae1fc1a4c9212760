/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest page-table walker (pure C): non-paged, 32-bit (with PSE), PAE and
 * 4-level long mode paging, with permission, reserved-bit and NX checks,
 * setting accessed/dirty bits like the hardware does.
 */
#ifndef NYX_LIB_X86_PAGING_H
#define NYX_LIB_X86_PAGING_H

#include <nyx/types.h>

/* Page-fault error code bits; also used as the "access" argument. */
#define X86_PF_PRESENT	(1u << 0)
#define X86_PF_WRITE	(1u << 1)
#define X86_PF_USER	(1u << 2)
#define X86_PF_RSVD	(1u << 3)
#define X86_PF_FETCH	(1u << 4)

struct x86_paging_cfg {
	u64 cr0, cr3, cr4, efer;
	u64 maxphyaddr_mask;	/* e.g. (1ull << 48) - 1; 0 means 52 bits */
};

/*
 * Read one guest PTE (size 4 or 8): 0, or non-zero if the table is not in
 * RAM (the walk then fails with X86_WALK_ERROR). cmpxchg_pte sets the
 * A/D bits as the hardware does, atomically: it stores new only if the
 * entry still holds old, and returns 0 (stored), X86_PTE_CHANGED (another
 * vCPU changed the entry: the walk starts again) or -1 (not in RAM).
 * Without cmpxchg_pte the walk has no side effects (debug translation).
 */
#define X86_PTE_CHANGED	1
struct x86_pte_ops {
	int (*read_pte)(void *opaque, u64 gpa, u64 *pte, unsigned int size);
	int (*cmpxchg_pte)(void *opaque, u64 gpa, u64 old, u64 new,
			   unsigned int size);
};

#define X86_WALK_OK	0
#define X86_WALK_FAULT	1	/* *pf_error is the #PF error code */
#define X86_WALK_ERROR	(-1)

/*
 * Translate linear address la for an access of kind "access" (X86_PF_WRITE,
 * X86_PF_USER, X86_PF_FETCH combined). On success *gpa is the guest-physical
 * address.
 */
int x86_walk(const struct x86_paging_cfg *cfg, u64 la, u32 access,
	     const struct x86_pte_ops *ops, void *opaque, u64 *gpa,
	     u32 *pf_error);

#endif
