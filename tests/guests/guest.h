/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared include for the flat test guests (GNU as, run through cpp).
 *
 * A guest is one .S file that starts with GUEST_START and is linked by
 * guest.ld at 0x7c00. nyx loads the whole image there and starts vCPUs in
 * real mode at 0:0x7c00. The first 512 bytes are also a valid PC boot
 * sector, so the same image (built with -DNO_TESTDEV) can be sanity-checked
 * under plain QEMU + SeaBIOS: if the rest of the image is missing (the BIOS
 * loaded only sector 0), the boot code reads it with int 13h.
 *
 * Results go to the debug-exit port 0xf4 (as QEMU's isa-debug-exit, the
 * launcher exits with status (code << 1) | 1):
 *   code 0x10          PASS                      -> status 33
 *   code 0x11 + N      check N failed (N >= 1)   -> status 35 + 2N
 *   code 0x11          unexpected exception      -> status 35
 * Progress and failure details are printed on COM1 (port 0x3f8).
 *
 * Macros (any mode, after CODE16/CODE32/CODE64 told them which one):
 *   PRINT "text"                   print; preserves registers and flags
 *   CHECK actual, expected, "what" compare (32-bit, 64-bit in 64-bit code);
 *                                  actual: register or memory (not %edx),
 *                                  expected: $imm or register (in 64-bit
 *                                  code the imm must fit in a sign-extended
 *                                  32 bits: load bigger ones into a register)
 *   CHECK_FLAG cc, "what"          fail unless condition cc (e, nz, c, ...)
 *   FAIL "what"                    fail unconditionally
 *   PASS                           report success
 *   TRY insn                       run insn, expecting it may fault: the
 *                                  exception handler records vector, error
 *                                  code and CR2 in fault_* and resumes
 *                                  after insn (fault_vector = -1 if none)
 * Every CHECK/CHECK_FLAG/FAIL gets the next check number automatically;
 * the failure message prints it with the description, so there is no
 * table to keep in sync.
 *
 * Only C-style comments here: cpp reads this file before gas does.
 */
#ifndef GUEST_H
#define GUEST_H

#define LOAD_ADDR	0x7c00
#define GUEST_MAGIC	0x4758594e	/* "NYXG" at 0x7e00: image fully loaded */

#define DEBUG_EXIT_PORT	0xf4
#define EXIT_PASS	0x10
#define EXIT_FAIL_BASE	0x11
#define MAX_CHECKS	110		/* (0x11 + 110) << 1 | 1 still fits a byte */

#define COM1		0x3f8
#define COM1_LSR	(COM1 + 5)
#define LSR_THRE	0x20

/* testdev (Documentation/testdev.rst) */
#define TD_SCRATCH	0xe0
#define TD_DATA		0xe4
#define TD_COUNT	0xe8
#define TD_SUM		0xec

#ifdef NO_TESTDEV
/* Plain QEMU: no testdev. MMIO tests run against an ordinary RAM page
 * instead, which checks the guests' own expectations (not the emulator). */
#define MMIO_BASE	0x00030000
#else
#define MMIO_BASE	0xfe000000
#define MMIO_COUNTER	0xfe001000
#endif

/* Guest-physical memory map (all below 640 KiB, so it is RAM under a
 * BIOS as well and any reasonable nyx memory size covers it). */
#define IDT_ADDR	0x0800		/* 32 gates */
#define STACK_TOP	0x7c00		/* grows down */
#define SCRATCH		0x00020000	/* 64 KiB of RAM buffers */
#define PAGE_TABLES	0x00010000	/* long64: 0x10000-0x16fff */

/* GDT selectors (GUEST_START emits the GDT) */
#define SEL_CODE32	0x08
#define SEL_DATA32	0x10
#define SEL_CODE64	0x18
#define SEL_MMIO	0x20		/* flat data segment based at MMIO_BASE */

#define CR0_PE		0x00000001
#define CR0_PG		0x80000000
#define CR4_PAE		0x00000020
#define MSR_EFER	0xc0000080
#define EFER_LME	0x00000100
#define EFER_LMA	0x00000400

/* ------------------------------------------------------------------ */
/* Mode bookkeeping: the macros below pick instructions by GUEST_BITS.  */

.macro CODE16
	.code16
	.set GUEST_BITS, 16
.endm
.macro CODE32
	.code32
	.set GUEST_BITS, 32
.endm
.macro CODE64
	.code64
	.set GUEST_BITS, 64
.endm

/* Call/jump to the runtime copy assembled for the current mode. */
.macro RT_CALL name
	.if GUEST_BITS == 16
	call \name\()16
	.elseif GUEST_BITS == 32
	call \name\()32
	.else
	call \name\()64
	.endif
.endm
.macro RT_JMP name
	.if GUEST_BITS == 16
	jmp \name\()16
	.elseif GUEST_BITS == 32
	jmp \name\()32
	.else
	jmp \name\()64
	.endif
.endm

/* ------------------------------------------------------------------ */
/* Output and verdicts                                                 */

.macro PRINT text
	.pushsection .rodata
.Lstr\@: .asciz "\text"
	.popsection
	.if GUEST_BITS == 64
	pushfq
	push %rax
	push %rcx
	push %rdx
	push %rsi
	push %rdi
	.else
	pushfl
	pushal
	.endif
	mov $.Lstr\@, %esi
	RT_CALL guest_puts
	.if GUEST_BITS == 64
	pop %rdi
	pop %rsi
	pop %rdx
	pop %rcx
	pop %rax
	popfq
	.else
	popal
	popfl
	.endif
.endm

.macro PASS
	PRINT "PASS\n"
	mov $EXIT_PASS, %eax
	RT_JMP guest_exit
.endm

/* Take the next check number; define its description string at label. */
.macro NEXT_CHECK label, desc
	.set CHECK_NO, CHECK_NO + 1
	.if CHECK_NO > MAX_CHECKS
	.error "too many checks in one guest"
	.endif
	.pushsection .rodata
\label: .asciz "\desc"
	.popsection
.endm

/* Jump to the failure report: actual in %(e|r)ax, expected in %(e|r)dx. */
.macro FAIL_JUMP desc_label
	mov $CHECK_NO, %ebx
	mov $\desc_label, %esi
	RT_JMP guest_fail
.endm

.macro CHECK actual:req, expected:req, desc:req
	.ifc \actual,%edx
	.error "CHECK: actual must not be %edx"
	.endif
	.ifc \actual,%rdx
	.error "CHECK: actual must not be %rdx"
	.endif
	NEXT_CHECK .Ldesc\@, "\desc"
	.if GUEST_BITS == 64
	cmpq \expected, \actual
	.else
	cmpl \expected, \actual
	.endif
	je .Lok\@
	.if GUEST_BITS == 64
	movq \expected, %rdx
	movq \actual, %rax
	.else
	movl \expected, %edx
	movl \actual, %eax
	.endif
	FAIL_JUMP .Ldesc\@
.Lok\@:
.endm

.macro CHECK_FLAG cc:req, desc:req
	NEXT_CHECK .Ldesc\@, "\desc"
	j\cc .Lok\@
	xor %eax, %eax		/* "got 0 want 1": the condition was false */
	mov $1, %edx
	FAIL_JUMP .Ldesc\@
.Lok\@:
.endm

.macro FAIL desc:req
	NEXT_CHECK .Ldesc\@, "\desc"
	xor %eax, %eax
	xor %edx, %edx
	FAIL_JUMP .Ldesc\@
.endm

.macro TRY insn:vararg
	.if GUEST_BITS == 64
	movq $.Ltry\@, fault_resume
	movq $-1, fault_vector
	.else
	movl $.Ltry\@, fault_resume
	movl $-1, fault_vector
	.endif
	\insn
.Ltry\@:
	movl $0, fault_resume
.endm

/* ------------------------------------------------------------------ */
/* GUEST_START main: boot sector, GDT, shared data. Jumps to main (16-bit
 * code) with CS=DS=ES=SS=0, SP=STACK_TOP, interrupts off, DF clear. */

.macro GDT_ENTRY base, limit, access, flags
	.word (\limit) & 0xffff
	.word (\base) & 0xffff
	.byte ((\base) >> 16) & 0xff
	.byte \access
	.byte (((\flags) << 4) | (((\limit) >> 16) & 0xf))
	.byte ((\base) >> 24) & 0xff
.endm

.macro GUEST_START main
	.set CHECK_NO, 0

	.section .boot, "ax"
	CODE16
	.globl _start
_start:
	cli
	cld
	ljmp $0, $.Lboot_cs0		/* some BIOSes enter at 07c0:0000 */
.Lboot_cs0:
	xor %ax, %ax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %ss
	mov $STACK_TOP, %sp
	cmpl $GUEST_MAGIC, guest_magic
	je .Lboot_loaded
	/* Booted by a BIOS, which loaded only this sector: read the next 63
	 * sectors (the image is at most 32 KiB) from the boot drive (DL). */
	mov $.Lboot_dap, %si
	mov $0x42, %ah
	int $0x13
	jc .Lboot_fail
	cmpl $GUEST_MAGIC, guest_magic
	jne .Lboot_fail
.Lboot_loaded:
	jmp \main
.Lboot_fail:
	mov $EXIT_FAIL_BASE, %eax
	out %eax, $DEBUG_EXIT_PORT
	hlt
	jmp .Lboot_fail
	.balign 4
.Lboot_dap:				/* int 13h extensions disk address packet */
	.byte 0x10, 0
	.word 63			/* sectors */
	.word 0x7e00, 0			/* offset, segment */
	.quad 1				/* first LBA */

	.section .magic, "a"
guest_magic:
	.long GUEST_MAGIC

	.section .rodata
.Ls_fail:	.asciz "FAIL check "
.Ls_colon:	.asciz ": "
.Ls_got:	.asciz " (got 0x"
.Ls_want:	.asciz ", want 0x"
.Ls_close:	.asciz ")\n"
.Ls_exc:	.asciz "FAIL unexpected exception "
.Ls_err:	.asciz " error 0x"
.Ls_at:		.asciz " at 0x"
.Ls_cr2:	.asciz " cr2 0x"
.Ls_nl:		.asciz "\n"

	.section .data
	.balign 8
gdt:
	.quad 0
	GDT_ENTRY 0, 0xfffff, 0x9b, 0xc		/* 0x08 code32 flat */
	GDT_ENTRY 0, 0xfffff, 0x93, 0xc		/* 0x10 data32 flat, 4 GiB */
	GDT_ENTRY 0, 0xfffff, 0x9b, 0xa		/* 0x18 code64 */
	GDT_ENTRY MMIO_BASE, 0xfffff, 0x93, 0xc	/* 0x20 data based at MMIO */
gdt_end:
	.balign 8
	.word 0
gdt_desc:
	.word gdt_end - gdt - 1
	.long gdt
	.long 0
	.balign 8
	.word 0, 0, 0
idt_desc:
	.word 0
	.quad IDT_ADDR

	/* exception bookkeeping for TRY and the handlers */
	.balign 8
fault_resume:	.quad 0		/* where the handler resumes; 0 = unexpected */
fault_vector:	.quad -1
fault_error:	.quad 0
fault_cr2:	.quad 0
fault_rip:	.quad 0
	/* failure report scratch */
fail_actual:	.quad 0
fail_expected:	.quad 0
fail_check:	.quad 0
fail_desc:	.quad 0
.Ldecbuf:	.space 11
.Ldecend:	.byte 0

	.text
	CODE16
.endm

/* ------------------------------------------------------------------ */
/* GUEST_RUNTIME bits: the print/fail/exit routines for one mode. Emit it
 * once per mode the guest uses (in that mode's code). Routines clobber
 * eax, ecx, edx, esi, edi (PRINT saves them). */

.macro GUEST_RUNTIME bits
	.code\bits
	.set GUEST_BITS, \bits

/* %esi: NUL-terminated string */
guest_puts\bits:
	mov $COM1, %dx
1:	lodsb
	test %al, %al
	jz 2f
	out %al, (%dx)
	jmp 1b
2:	ret

/* %eax: 8 hex digits */
guest_puthex\bits:
	mov %eax, %edi
	mov $8, %cl
	mov $COM1, %dx
1:	rol $4, %edi
	mov %edi, %eax
	and $0xf, %al
	add $0x30, %al
	cmp $0x39, %al
	jbe 2f
	add $7, %al
2:	out %al, (%dx)
	dec %cl
	jnz 1b
	ret

/* %eax: unsigned decimal */
guest_putdec\bits:
	mov $.Ldecend, %edi
	mov $10, %ecx
1:	xor %edx, %edx
	div %ecx
	add $0x30, %dl
	dec %edi
	mov %dl, (%edi)
	test %eax, %eax
	jnz 1b
	mov %edi, %esi
	jmp guest_puts\bits

/* value in fail_actual etc.: 8 or 16 hex digits */
guest_putval\bits:
	.if \bits == 64
	mov 4(%esi), %eax
	push %rsi
	call guest_puthex\bits
	pop %rsi
	.endif
	mov (%esi), %eax
	jmp guest_puthex\bits

/* %eax/%rax actual, %edx/%rdx expected, %ebx check number, %esi text */
guest_fail\bits:
	.if \bits == 64
	mov %rax, fail_actual
	mov %rdx, fail_expected
	.else
	mov %eax, fail_actual
	mov %edx, fail_expected
	.endif
	mov %ebx, fail_check
	mov %esi, fail_desc
	mov $.Ls_fail, %esi
	call guest_puts\bits
	mov fail_check, %eax
	call guest_putdec\bits
	mov $.Ls_colon, %esi
	call guest_puts\bits
	mov fail_desc, %esi
	call guest_puts\bits
	mov $.Ls_got, %esi
	call guest_puts\bits
	mov $fail_actual, %esi
	call guest_putval\bits
	mov $.Ls_want, %esi
	call guest_puts\bits
	mov $fail_expected, %esi
	call guest_putval\bits
	mov $.Ls_close, %esi
	call guest_puts\bits
	mov fail_check, %eax
	add $EXIT_FAIL_BASE, %eax
	/* fall through */

/* %eax: debug-exit code. Never returns. */
guest_exit\bits:
	out %eax, $DEBUG_EXIT_PORT
	cli
1:	hlt
	jmp 1b
.endm

/* ------------------------------------------------------------------ */
/* Mode switches                                                       */

/* From 16-bit real mode to 32-bit protected mode at target (CODE32 code),
 * which must load the data segments and the stack. */
.macro ENTER_PM32 target
	cli
	lgdtl gdt_desc
	mov %cr0, %eax
	or $CR0_PE, %eax
	mov %eax, %cr0
	ljmpl $SEL_CODE32, $\target
.endm

/* From 32-bit protected mode (paging off) to long mode at target (CODE64
 * code), with the 4-level tables at pml4: PAE, CR3, EFER.LME, then
 * paging, and a far jump into the 64-bit code segment. */
.macro ENTER_LONG_MODE pml4, target
	mov %cr4, %eax
	or $CR4_PAE, %eax
	mov %eax, %cr4
	mov $\pml4, %eax
	mov %eax, %cr3
	mov $MSR_EFER, %ecx
	rdmsr
	or $EFER_LME, %eax
	wrmsr
	mov %cr0, %eax
	or $CR0_PG, %eax
	mov %eax, %cr0
	ljmp $SEL_CODE64, $\target
.endm

.macro LOAD_DATA_SEGS32
	mov $SEL_DATA32, %ax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %ss
	mov %ax, %fs
	mov %ax, %gs
	mov $STACK_TOP, %esp
.endm

/* ------------------------------------------------------------------ */
/* Exceptions (32- and 64-bit): 32 stubs, 16 bytes apart, that push a
 * dummy error code where the CPU does not and the vector number. */

.macro EXC_STUBS bits
	.balign 16
exc_stubs\bits:
	.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.balign 16
	.if (\v == 8) || ((\v >= 10) && (\v <= 14)) || (\v == 17) || (\v == 21) || (\v == 29) || (\v == 30)
	.else
	push $0
	.endif
	push $\v
	jmp exc_common\bits
	.endr
.endm

/* Print vector/error/rip/cr2 from fault_* and exit "unexpected exception". */
.macro EXC_REPORT bits
exc_report\bits:
	mov $.Ls_exc, %esi
	call guest_puts\bits
	mov fault_vector, %eax
	call guest_putdec\bits
	mov $.Ls_err, %esi
	call guest_puts\bits
	mov fault_error, %eax
	call guest_puthex\bits
	mov $.Ls_at, %esi
	call guest_puts\bits
	mov $fault_rip, %esi
	call guest_putval\bits
	mov $.Ls_cr2, %esi
	call guest_puts\bits
	mov $fault_cr2, %esi
	call guest_putval\bits
	mov $.Ls_nl, %esi
	call guest_puts\bits
	mov $EXIT_FAIL_BASE, %eax
	jmp guest_exit\bits
.endm

/* 32-bit: stubs, common handler, IDT setup (SETUP_IDT32 in CODE32). */
.macro EXC_HANDLERS32
	CODE32
	EXC_STUBS 32
exc_common32:
	pushal				/* vector at 32(%esp), error 36, eip 40 */
	mov 32(%esp), %eax
	mov %eax, fault_vector
	mov 36(%esp), %eax
	mov %eax, fault_error
	mov %cr2, %eax
	mov %eax, fault_cr2
	mov 40(%esp), %eax
	mov %eax, fault_rip
	mov fault_resume, %eax
	test %eax, %eax
	jz exc_report32
	mov %eax, 40(%esp)		/* resume after the TRY'd instruction */
	movl $0, fault_resume
	popal
	add $8, %esp
	iretl
	EXC_REPORT 32
.endm

.macro SETUP_IDT32
	mov $IDT_ADDR, %edi
	mov $exc_stubs32, %edx
	mov $32, %ecx
.Lidt32\@:
	mov %edx, %eax
	mov %ax, (%edi)			/* offset 15:0 */
	movw $SEL_CODE32, 2(%edi)
	movw $0x8e00, 4(%edi)		/* present, DPL 0, 32-bit interrupt gate */
	shr $16, %eax
	mov %ax, 6(%edi)		/* offset 31:16 */
	add $16, %edx
	add $8, %edi
	loop .Lidt32\@
	movw $(32 * 8 - 1), idt_desc
	lidt idt_desc
.endm

/* 64-bit versions */
.macro EXC_HANDLERS64
	CODE64
	EXC_STUBS 64
exc_common64:
	push %rax			/* vector at 8(%rsp), error 16, rip 24 */
	mov 8(%rsp), %rax
	mov %rax, fault_vector
	mov 16(%rsp), %rax
	mov %rax, fault_error
	mov %cr2, %rax
	mov %rax, fault_cr2
	mov 24(%rsp), %rax
	mov %rax, fault_rip
	mov fault_resume, %rax
	test %rax, %rax
	jz exc_report64
	mov %rax, 24(%rsp)
	movq $0, fault_resume
	pop %rax
	add $16, %rsp
	iretq
	EXC_REPORT 64
.endm

.macro SETUP_IDT64
	mov $IDT_ADDR, %edi
	mov $exc_stubs64, %edx
	mov $32, %ecx
.Lidt64\@:
	mov %edx, %eax
	mov %ax, (%rdi)			/* offset 15:0 */
	movw $SEL_CODE64, 2(%rdi)
	movw $0x8e00, 4(%rdi)		/* present, DPL 0, 64-bit interrupt gate */
	shr $16, %eax
	mov %ax, 6(%rdi)		/* offset 31:16 */
	movl $0, 8(%rdi)		/* offset 63:32 */
	movl $0, 12(%rdi)
	add $16, %edx
	add $16, %rdi
	loop .Lidt64\@
	movw $(32 * 16 - 1), idt_desc
	lidt idt_desc
.endm

#endif /* GUEST_H */
