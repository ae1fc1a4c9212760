/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Architectural constants used by the pure-C x86 library and its unit
 * tests. Prefixed with NYX_ so that they never clash with the kernel's own
 * <asm/processor-flags.h> names in files that include both.
 */
#ifndef NYX_LIB_X86_DEFS_H
#define NYX_LIB_X86_DEFS_H

#define NYX_CR0_PE		(1ull << 0)
#define NYX_CR0_WP		(1ull << 16)
#define NYX_CR0_PG		(1ull << 31)

#define NYX_CR4_DE		(1ull << 3)
#define NYX_CR4_PSE		(1ull << 4)
#define NYX_CR4_PAE		(1ull << 5)
#define NYX_CR4_LA57		(1ull << 12)
#define NYX_CR4_SMEP		(1ull << 20)

#define NYX_EFER_LME		(1ull << 8)
#define NYX_EFER_LMA		(1ull << 10)
#define NYX_EFER_NXE		(1ull << 11)

#define NYX_RFLAGS_CF		(1ull << 0)
#define NYX_RFLAGS_FIXED	(1ull << 1)
#define NYX_RFLAGS_PF		(1ull << 2)
#define NYX_RFLAGS_AF		(1ull << 4)
#define NYX_RFLAGS_ZF		(1ull << 6)
#define NYX_RFLAGS_SF		(1ull << 7)
#define NYX_RFLAGS_DF		(1ull << 10)
#define NYX_RFLAGS_OF		(1ull << 11)
#define NYX_RFLAGS_VM		(1ull << 17)
#define NYX_RFLAGS_ARITH	(NYX_RFLAGS_CF | NYX_RFLAGS_PF | \
				 NYX_RFLAGS_AF | NYX_RFLAGS_ZF | \
				 NYX_RFLAGS_SF | NYX_RFLAGS_OF)

#define NYX_PTE_P		(1ull << 0)
#define NYX_PTE_RW		(1ull << 1)
#define NYX_PTE_US		(1ull << 2)
#define NYX_PTE_A		(1ull << 5)
#define NYX_PTE_D		(1ull << 6)
#define NYX_PTE_PS		(1ull << 7)
#define NYX_PTE_NX		(1ull << 63)

#define NYX_PAGE_SIZE		4096ull
#define NYX_PAGE_OFFSET(a)	((a) & (NYX_PAGE_SIZE - 1))

/* Exception vectors raised by the emulator. */
#define NYX_EXC_UD		6
#define NYX_EXC_SS		12
#define NYX_EXC_GP		13
#define NYX_EXC_PF		14

#define NYX_MAX_INSN_LEN	15

#endif
