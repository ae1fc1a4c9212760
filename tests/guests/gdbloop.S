/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gdbloop.bin: a long-mode loop at a fixed address for the gdb stub test
 * (tests/vm/gdb.sh). Identity-mapped 4-level paging (2 MiB pages), then
 *   0xa000 gdb_loop: inc %r12; mov %r12, GDB_COUNTER; cmp $LIMIT, %r12;
 *                    jb gdb_loop
 * and PASS (exit status 33) once R12 reaches LIMIT.
 */
#include "guest.h"

#define PML4		(PAGE_TABLES + 0x0000)
#define PDPT		(PAGE_TABLES + 0x1000)
#define PD0		(PAGE_TABLES + 0x2000)
#define GDB_COUNTER	SCRATCH			/* 0x20000: watched */
#define LIMIT		0x7fffffff		/* minutes: gdb.sh lowers R12 */

	GUEST_START main16

	CODE16
main16:
	PRINT "gdbloop: start\n"
	ENTER_PM32 main32

	CODE32
main32:
	LOAD_DATA_SEGS32
	mov $PAGE_TABLES, %edi
	xor %eax, %eax
	mov $(3 * 4096 / 4), %ecx
	rep stosl
	movl $(PDPT | 3), PML4
	movl $(PD0 | 3), PDPT
	mov $PD0, %edi
	mov $0x83, %eax			/* P, RW, PS */
	mov $512, %ecx
1:	mov %eax, (%edi)
	add $0x200000, %eax
	add $8, %edi
	loop 1b
	ENTER_LONG_MODE PML4, main64

	CODE64
main64:
	mov $SEL_DATA32, %ax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %ss
	mov $STACK_TOP, %esp
	PRINT "gdbloop: long mode\n"
	xor %r12, %r12
	jmp gdb_loop

gdb_done:
	PRINT "gdbloop: done\n"
	PASS

	GUEST_RUNTIME 16
	GUEST_RUNTIME 64

	/* at 0xa000: tests/vm/gdb.sh breaks here */
	/* .text starts at 0x7e04, after the magic (guest.ld) */
	.org 0xa000 - 0x7e04
gdb_loop:
	inc %r12			/* 0xa000, 3 bytes */
	mov %r12, GDB_COUNTER		/* 0xa003, 8 bytes */
	cmp $LIMIT, %r12		/* 0xa00b */
	jb gdb_loop
	jmp gdb_done
