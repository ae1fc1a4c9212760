/* SPDX-License-Identifier: GPL-2.0 */
/*
 * smp2.bin: run with --cpus 2. Both vCPUs start here in real mode and run
 * the same code, so everything before the APIC ID is known must be
 * stack-free and shared state is touched only with locked instructions.
 * Each vCPU:
 *   - reads its APIC ID from CPUID.1:EBX[31:24] and takes its own stack
 *   - writes its marker (0xa0 + ID) and sets its bit in a mask
 *   - then increments the shared counter with lock incw (last, so a
 *     counter of 2 implies both markers are visible: x86 stores are seen
 *     in order)
 * vCPU 1 then halts (cli; hlt); vCPU 0 waits, bounded, for the counter to
 * reach 2, checks the markers and the mask, and reports PASS.
 *
 * Under plain QEMU + SeaBIOS (NO_TESTDEV build) the second CPU is parked
 * by the BIOS, so vCPU 0 wakes it with INIT/SIPI into a stub that jumps to
 * 0:0x7c00, giving it the same start as under nyx.
 */
#include "guest.h"

#define STACK_SPACING	0x400		/* per APIC ID (0..7) */
#define WAIT_LOOPS	0x4000000	/* a few seconds at worst under TCG */

	GUEST_START main16

	CODE16
main16:
	mov $1, %eax
	cpuid
	shr $24, %ebx			/* BL = APIC ID */
	mov %bx, %ax
	and $7, %ax
	shl $10, %ax			/* * STACK_SPACING */
	mov $STACK_TOP, %sp
	sub %ax, %sp
	cmp $1, %bl
	jbe id_ok
	movzbl %bl, %eax
	CHECK %eax, $0, "APIC ID must be 0 or 1"
id_ok:
	movzbl %bl, %ebx
	test %bl, %bl
	jz 1f
	PRINT "smp2: vCPU 1 up\n"	/* before the counter: no interleaving */
1:
	mov %bl, %al
	add $0xa0, %al
	mov %al, markers(%bx)
	mov %bl, %cl
	mov $1, %al
	shl %cl, %al
	lock orb %al, seen_mask
	lock incw counter
	test %bl, %bl
	jz vcpu0

	/* vCPU 1: done; sleep forever (vCPU 0 ends the VM) */
	cli
1:	hlt
	jmp 1b

vcpu0:
#ifdef NO_TESTDEV
	call qemu_start_ap
#endif
	mov $WAIT_LOOPS, %ecx
wait:
	cmpw $2, counter
	je arrived
	dec %ecx
	jnz wait
arrived:
	movzwl counter, %eax
	CHECK %eax, $2, "both vCPUs incremented the counter"
	PRINT "smp2: vCPU 0 saw vCPU 1\n"
	movzbl seen_mask, %eax
	CHECK %eax, $3, "APIC IDs 0 and 1 both seen"
	movzbl markers, %eax
	CHECK %eax, $0xa0, "vCPU 0 marker"
	movzbl markers + 1, %eax
	CHECK %eax, $0xa1, "vCPU 1 marker"
	PASS

#ifdef NO_TESTDEV
/* Wake the BIOS-parked AP: INIT then SIPI (vector 1 = 0x1000) to all but
 * self, via the local APIC at 0xfee00000, reached from real mode with a
 * 4 GiB FS limit ("unreal mode"). */
qemu_start_ap:
	movb $0xea, 0x1000		/* ljmp $0, $0x7c00 */
	movw $0x7c00, 0x1001
	movw $0, 0x1003
	lgdtl gdt_desc
	mov %cr0, %eax
	or $CR0_PE, %eax
	mov %eax, %cr0
	jmp 1f
1:	mov $SEL_DATA32, %dx
	mov %dx, %fs
	and $~CR0_PE, %eax
	mov %eax, %cr0
	jmp 2f
2:	mov $0xfee00000, %esi
	movl $0x000c4500, %fs:0x300(%esi)	/* INIT, all excluding self */
	movl $0x000c4601, %fs:0x300(%esi)	/* SIPI, vector 0x01 */
	movl $0x000c4601, %fs:0x300(%esi)
	ret
#endif

	GUEST_RUNTIME 16

	.section .data
counter:	.word 0
seen_mask:	.byte 0
markers:	.byte 0, 0
