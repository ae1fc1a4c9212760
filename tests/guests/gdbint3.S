/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gdbint3.bin: a guest that uses INT3 itself, with its own #BP handler,
 * for the gdb stub test (tests/vm/gdb.sh): while gdb has software
 * breakpoints set, nyx intercepts #BP, and an INT3 that is not one of
 * gdb's must still reach the guest (re-injected), not stop the debugger.
 * 32-bit protected mode, no paging, then a loop at a fixed address:
 *   0xa000 int3             the guest's own: bp_handler counts it
 *   0xa001 inc %esi         gdb.sh breaks here (its INT3)
 *          cmp $LOOPS, %esi; jb 0xa000
 * and PASS (exit status 33) if the handler ran LOOPS times, each time
 * with the return EIP right after the INT3 (0xa001) and our CS.
 */
#include "guest.h"

#define LOOPS		2000

	GUEST_START main16

	CODE16
main16:
	PRINT "gdbint3: start\n"
	ENTER_PM32 main32

	CODE32
main32:
	LOAD_DATA_SEGS32
	SETUP_IDT32
	/* vector 3: our handler, 32-bit interrupt gate, DPL 0 */
	mov $bp_handler, %eax
	mov %ax, IDT_ADDR + 3 * 8
	movw $SEL_CODE32, IDT_ADDR + 3 * 8 + 2
	movw $0x8e00, IDT_ADDR + 3 * 8 + 4
	shr $16, %eax
	mov %ax, IDT_ADDR + 3 * 8 + 6
	PRINT "gdbint3: protected mode\n"
	xor %esi, %esi
	jmp gdb_int3_loop

loop_done:
	CHECK bp_count, $LOOPS, "the guest's #BP handler ran once per INT3"
	CHECK bp_eip, $gdb_int3_after, "#BP return EIP: right after the INT3"
	CHECK bp_cs, $SEL_CODE32, "#BP return CS"
	CHECK bp_bad, $0, "every #BP frame as expected"
	PASS

	/* #BP: trap frame EIP, CS, EFLAGS (no error code) */
bp_handler:
	push %eax
	incl bp_count
	mov 4(%esp), %eax
	mov %eax, bp_eip
	cmp $gdb_int3_after, %eax
	je 1f
	incl bp_bad
1:	mov 8(%esp), %eax
	mov %eax, bp_cs
	pop %eax
	iretl

	GUEST_RUNTIME 16
	GUEST_RUNTIME 32
	EXC_HANDLERS32

	/* at 0xa000; .text starts at 0x7e10 (the magic, then the 16-byte
	 * alignment of the exception stubs) */
	.org 0xa000 - 0x7e10
gdb_int3_loop:
	int3				/* 0xa000, 1 byte */
gdb_int3_after:
	inc %esi			/* 0xa001: gdb.sh breaks here */
	cmp $LOOPS, %esi
	jb gdb_int3_loop
	jmp loop_done

	.section .data
	.balign 4
bp_count:	.long 0
bp_eip:		.long 0
bp_cs:		.long 0
bp_bad:		.long 0
