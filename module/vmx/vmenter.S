/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Intel VMX guest entry.
 *
 * int nyx_vmx_vmrun(unsigned long *regs, bool launched)
 *
 * Called with interrupts disabled and the vCPU's VMCS current. Loads the
 * guest GPRs from regs[] (hardware order; RSP lives in the VMCS), enters
 * with VMLAUNCH or VMRESUME, and on VM exit (HOST_RIP = nyx_vmx_vmexit,
 * HOST_RSP = the stack pointer written here) stores them back. Returns 0
 * after a VM exit, 1 if the VM-entry instruction itself failed (VMfail:
 * the caller reads VM_INSTRUCTION_ERROR).
 */
#include <linux/linkage.h>
#include <asm/asm.h>
#include <asm/nospec-branch.h>
#include <asm/unwind_hints.h>
#include "x86/vmenter.h"

#define REG(n)		((n) * 8)
#define VMCS_HOST_RSP	0x00006c14

.section .text
SYM_FUNC_START(nyx_vmx_vmrun)
	push	%rbp
	mov	%rsp, %rbp
	push	%r15
	push	%r14
	push	%r13
	push	%r12
	push	%rbx
	push	%rdi		/* regs */

	/* The exit lands here with this very stack. */
	mov	$VMCS_HOST_RSP, %rax
	vmwrite	%rsp, %rax
	jbe	.Lvmfail_early

	mov	%esi, %eax	/* launched? */
	mov	REG(1)(%rdi), %rcx
	mov	REG(2)(%rdi), %rdx
	mov	REG(3)(%rdi), %rbx
	mov	REG(5)(%rdi), %rbp
	mov	REG(6)(%rdi), %rsi
	mov	REG(8)(%rdi), %r8
	mov	REG(9)(%rdi), %r9
	mov	REG(10)(%rdi), %r10
	mov	REG(11)(%rdi), %r11
	mov	REG(12)(%rdi), %r12
	mov	REG(13)(%rdi), %r13
	mov	REG(14)(%rdi), %r14
	mov	REG(15)(%rdi), %r15
	test	%eax, %eax
	mov	REG(0)(%rdi), %rax
	mov	REG(7)(%rdi), %rdi	/* flags are not touched by mov */

	UNWIND_HINT_SAVE
	jnz	.Lresume
	vmlaunch
	jmp	.Lvmfail
.Lresume:
	vmresume
	jmp	.Lvmfail

SYM_INNER_LABEL(nyx_vmx_vmexit, SYM_L_GLOBAL)
	UNWIND_HINT_RESTORE
	ENDBR
	push	%rax
	mov	8(%rsp), %rax	/* regs */
	pop	REG(0)(%rax)
	mov	%rcx, REG(1)(%rax)
	mov	%rdx, REG(2)(%rax)
	mov	%rbx, REG(3)(%rax)
	mov	%rbp, REG(5)(%rax)
	mov	%rsi, REG(6)(%rax)
	mov	%rdi, REG(7)(%rax)
	mov	%r8, REG(8)(%rax)
	mov	%r9, REG(9)(%rax)
	mov	%r10, REG(10)(%rax)
	mov	%r11, REG(11)(%rax)
	mov	%r12, REG(12)(%rax)
	mov	%r13, REG(13)(%rax)
	mov	%r14, REG(14)(%rax)
	mov	%r15, REG(15)(%rax)
	xor	%ebx, %ebx	/* return 0: VM exit */
	jmp	.Lout

.Lvmfail:
	/* nothing ran: the guest values in registers are simply dropped */
.Lvmfail_early:
	mov	$1, %ebx

.Lout:
	NYX_SCRUB_AFTER_EXIT %rax
	mov	%ebx, %eax

	add	$8, %rsp
	pop	%rbx
	pop	%r12
	pop	%r13
	pop	%r14
	pop	%r15
	pop	%rbp
	RET
SYM_FUNC_END(nyx_vmx_vmrun)
