/* SPDX-License-Identifier: GPL-2.0 */
/*
 * AMD SVM guest entry.
 *
 * void nyx_svm_vmrun(u64 vmcb_pa, unsigned long *regs, u64 host_save_pa)
 *
 * Called with interrupts disabled and GIF clear. VMRUN itself switches
 * RAX, RSP, RIP, RFLAGS, CR0/3/4, EFER and the ES/CS/SS/DS state; the
 * rest of the host's system state (FS/GS/TR/LDTR and their hidden parts,
 * KernelGsBase, STAR/LSTAR/CSTAR/SFMASK, SYSENTER_*) is saved with VMSAVE
 * into host_save_pa and restored with VMLOAD after the exit. Until then
 * GS points at the guest's base, so nothing here may touch per-CPU data.
 * regs[] holds the guest GPRs in hardware order (RAX and RSP live in the
 * VMCB and are copied by the caller).
 */
#include <linux/linkage.h>
#include <asm/asm.h>
#include <asm/nospec-branch.h>
#include "x86/vmenter.h"

#define REG(n)	((n) * 8)

.section .text
SYM_FUNC_START(nyx_svm_vmrun)
	push	%rbp
	mov	%rsp, %rbp
	push	%r15
	push	%r14
	push	%r13
	push	%r12
	push	%rbx
	push	%rdx		/* 16(%rsp): host save area */
	push	%rsi		/*  8(%rsp): regs */
	push	%rdi		/*  0(%rsp): vmcb */

	mov	%rdx, %rax
	vmsave	%rax		/* host FS/GS/TR/LDTR/syscall MSRs */
	mov	%rdi, %rax
	vmload	%rax		/* guest's */

	mov	REG(1)(%rsi), %rcx
	mov	REG(2)(%rsi), %rdx
	mov	REG(3)(%rsi), %rbx
	mov	REG(5)(%rsi), %rbp
	mov	REG(7)(%rsi), %rdi
	mov	REG(8)(%rsi), %r8
	mov	REG(9)(%rsi), %r9
	mov	REG(10)(%rsi), %r10
	mov	REG(11)(%rsi), %r11
	mov	REG(12)(%rsi), %r12
	mov	REG(13)(%rsi), %r13
	mov	REG(14)(%rsi), %r14
	mov	REG(15)(%rsi), %r15
	mov	REG(6)(%rsi), %rsi

	/*
	 * With GIF clear no interrupt is taken here, but the host IF saved
	 * by VMRUN must be 1 so that host interrupts exit the guest.
	 */
	sti
	vmrun	%rax
	cli

	/* RAX = vmcb pa again (restored by #VMEXIT), RSP = host stack */
	push	%rsi
	mov	16(%rsp), %rsi	/* regs */
	mov	%rcx, REG(1)(%rsi)
	mov	%rdx, REG(2)(%rsi)
	mov	%rbx, REG(3)(%rsi)
	mov	%rbp, REG(5)(%rsi)
	mov	%rdi, REG(7)(%rsi)
	mov	%r8, REG(8)(%rsi)
	mov	%r9, REG(9)(%rsi)
	mov	%r10, REG(10)(%rsi)
	mov	%r11, REG(11)(%rsi)
	mov	%r12, REG(12)(%rsi)
	mov	%r13, REG(13)(%rsi)
	mov	%r14, REG(14)(%rsi)
	mov	%r15, REG(15)(%rsi)
	pop	REG(6)(%rsi)

	vmsave	%rax		/* guest FS/GS/... back into its VMCB */
	mov	16(%rsp), %rax
	vmload	%rax		/* host's: per-CPU data usable again */

	NYX_SCRUB_AFTER_EXIT %rax
	CALL_UNTRAIN_RET

	add	$24, %rsp
	pop	%rbx
	pop	%r12
	pop	%r13
	pop	%r14
	pop	%r15
	pop	%rbp
	RET
SYM_FUNC_END(nyx_svm_vmrun)
