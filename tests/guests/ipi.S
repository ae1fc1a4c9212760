/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ipi.bin: run with --cpus 2. Inter-processor interrupts through the xAPIC
 * ICR, in flat 32-bit protected mode.
 *   - vCPU 0 starts vCPU 1 (waiting for SIPI) with INIT and SIPI, physical
 *     destination 1, into a real-mode trampoline at 0x1000
 *   - fixed IPIs both ways: physical destination, logical flat destination
 *     (LDR bit 0 for vCPU 0, bit 1 for vCPU 1; a two-bit mask reaches
 *     both), shorthands self and all-excluding-self
 *   - an NMI IPI to vCPU 1, taken by the NMI handler of its IDT
 * Every interrupt handler counts per APIC ID (ipi_count[], nmi_count[]),
 * and each step waits for the exact expected counts of both vCPUs, so a
 * missing, doubled or misrouted IPI fails the step or a later one; a
 * final check after a pause catches a late stray one.
 *
 * vCPU 0 makes vCPU 1 send by posting an ICR value in ap_cmd (destination
 * in ap_cmd_dest); vCPU 1 polls for it with interrupts enabled.
 *
 * Under plain QEMU (NO_TESTDEV build) SeaBIOS leaves the second CPU
 * parked, which INIT/SIPI handles the same way.
 */
#include "guest.h"
#include "intr.h"

#define VEC_IPI		0x40
#define TRAMPOLINE	0x1000		/* SIPI vector 0x01 starts here */
#define AP_STACK	(STACK_TOP - 0x400)
#define LDR_VCPU0	0x01000000	/* logical flat: one bit per vCPU */
#define LDR_VCPU1	0x02000000
#define ICR_IPI		(ICR_FIXED | ICR_ASSERT | VEC_IPI)

/* Send ICR value icr to destination dest (8-bit ID or logical mask). */
.macro SEND_FROM0 dest, icr
	mov $((\dest) << 24), %ebx
	mov $(\icr), %eax
	call send_ipi
.endm

/* Have vCPU 1 send it, and wait until it has. */
.macro SEND_FROM1 dest, icr
	movl $((\dest) << 24), ap_cmd_dest
	movl $(\icr), ap_cmd		/* after the destination: x86 keeps
					 * stores in order */
	WAIT_UNTIL ap_cmd, $0, e, "vCPU 1 sent the IPI"
.endm

/* vCPU "from" sends; then wait for the fixed-IPI counts of vCPU 0 and 1
 * (cumulative). */
.macro IPI_STEP from, dest, icr, c0, c1, what
	.if \from
	SEND_FROM1 \dest, \icr
	.else
	SEND_FROM0 \dest, \icr
	.endif
	WAIT_UNTIL ipi_count, $\c0, e, "\what: vCPU 0 count"
	WAIT_UNTIL ipi_count + 4, $\c1, e, "\what: vCPU 1 count"
.endm

	GUEST_START main16

	CODE16
main16:
	/* Only vCPU 0 starts here: with the in-kernel irqchip the others
	 * wait for SIPI, under a BIOS they are parked. A launcher without
	 * the irqchip starts them all here: park the others, vCPU 0 will
	 * fail the APIC checks. */
	mov $1, %eax
	cpuid
	shr $24, %ebx			/* initial APIC ID */
	jz 1f
	cli
0:	hlt
	jmp 0b
1:	PRINT "ipi: start\n"
	ENTER_PM32 main32

	CODE32
main32:
	LOAD_DATA_SEGS32
	SETUP_IDT256			/* shared by both vCPUs */
	SET_GATE VEC_IPI, ipi_isr
	SET_GATE 2, nmi_isr
	MASK_PIC
	mov $LDR_VCPU0, %ebx
	call apic_setup
	CHECK %eax, $0, "vCPU 0 APIC ID (is there a local APIC?)"

	/* ------------------------------------------------------------ */
	PRINT "ipi: INIT/SIPI\n"
	movb $0xea, TRAMPOLINE		/* ljmp $0, $ap_entry16 */
	movw $ap_entry16, TRAMPOLINE + 1
	movw $0, TRAMPOLINE + 3
	SEND_FROM0 1, (ICR_INIT | ICR_ASSERT)
	PIT_DELAY PIT_MS(10)
	/* two SIPIs as the MP specification says; the second one finds the
	 * vCPU running (or its start already pending) and changes nothing */
	SEND_FROM0 1, (ICR_STARTUP | ICR_ASSERT | (TRAMPOLINE >> 12))
	PIT_DELAY PIT_MS(1)
	SEND_FROM0 1, (ICR_STARTUP | ICR_ASSERT | (TRAMPOLINE >> 12))
	WAIT_UNTIL ap_ready, $1, e, "vCPU 1 started by INIT/SIPI"
	CHECK ap_id, $1, "vCPU 1 APIC ID"

	/* ------------------------------------------------------------ */
	/* sender, destination, ICR: then the expected counts of vCPU 0, 1 */
	PRINT "ipi: fixed, physical destination\n"
	IPI_STEP 0, 1, ICR_IPI, 0, 1, "0 -> 1 physical"
	IPI_STEP 1, 0, ICR_IPI, 1, 1, "1 -> 0 physical"
	PRINT "ipi: fixed, logical flat destination\n"
	IPI_STEP 0, 2, (ICR_IPI | ICR_LOGICAL), 1, 2, "0 -> logical 0x02"
	IPI_STEP 0, 3, (ICR_IPI | ICR_LOGICAL), 2, 3, "0 -> logical 0x03 (both)"
	IPI_STEP 1, 1, (ICR_IPI | ICR_LOGICAL), 3, 3, "1 -> logical 0x01"
	PRINT "ipi: shorthands\n"
	IPI_STEP 0, 0, (ICR_IPI | ICR_SELF), 4, 3, "0 -> self"
	IPI_STEP 0, 0, (ICR_IPI | ICR_OTHERS), 4, 4, "0 -> all excluding self"
	IPI_STEP 1, 0, (ICR_IPI | ICR_OTHERS), 5, 4, "1 -> all excluding self"
	IPI_STEP 1, 0, (ICR_IPI | ICR_SELF), 5, 5, "1 -> self"

	PRINT "ipi: NMI\n"
	SEND_FROM0 1, (ICR_NMI | ICR_ASSERT)
	WAIT_UNTIL nmi_count + 4, $1, e, "NMI IPI: vCPU 1 NMI count"
	CHECK nmi_count, $0, "NMI IPI: vCPU 0 NMI count"

	/* nothing late or stray */
	PIT_DELAY PIT_MS(5)
	CHECK ipi_count, $5, "final: vCPU 0 fixed IPIs"
	CHECK ipi_count + 4, $5, "final: vCPU 1 fixed IPIs"
	CHECK nmi_count, $0, "final: vCPU 0 NMIs"
	CHECK nmi_count + 4, $1, "final: vCPU 1 NMIs"
	cli
	PASS

/* ------------------------------------------------------------------ */
/* vCPU 1 */

	CODE16
ap_entry16:
	xor %ax, %ax
	mov %ax, %ds
	ENTER_PM32 ap_main32

	CODE32
ap_main32:
	LOAD_DATA_SEGS32
	mov $AP_STACK, %esp
	lidt idt_desc
	mov $LDR_VCPU1, %ebx
	call apic_setup
	mov %eax, ap_id
	movl $1, ap_ready
	sti
ap_loop:
	pause				/* see WAIT_UNTIL in intr.h */
	mov ap_cmd, %eax
	test %eax, %eax
	jz ap_loop
	mov ap_cmd_dest, %ebx
	call send_ipi
	movl $0, ap_cmd
	jmp ap_loop

/* ------------------------------------------------------------------ */
/* Both vCPUs */

/* Enable the APIC, logical flat mode with LDR = EBX. Returns the APIC ID
 * in EAX. */
apic_setup:
	APIC_ENABLE
	APIC_WR APIC_DFR, $0xffffffff	/* flat model */
	APIC_WR APIC_LDR, %ebx
	APIC_RD APIC_ID
	shr $24, %eax
	ret

/* EBX: ICR2 (destination in bits 31:24), EAX: ICR low, which sends. */
send_ipi:
	mov %ebx, APIC_BASE + APIC_ICR2
	mov %eax, APIC_BASE + APIC_ICR
	ret

/* Count an interrupt for this vCPU (the APIC ID, 0 or 1, picks the slot). */
.macro PER_VCPU_ISR name, counter, eoi
\name:
	push %eax
	mov APIC_BASE + APIC_ID, %eax
	shr $24, %eax
	and $1, %eax
	lock incl \counter(, %eax, 4)
	.if \eoi
	movl $0, APIC_BASE + APIC_EOI
	.endif
	pop %eax
	iretl
.endm

	PER_VCPU_ISR ipi_isr, ipi_count, 1
	PER_VCPU_ISR nmi_isr, nmi_count, 0	/* NMIs take no EOI */

	INTR_RUNTIME

	.section .data
	.balign 4
ipi_count:	.long 0, 0	/* by APIC ID */
nmi_count:	.long 0, 0
ap_ready:	.long 0
ap_id:		.long -1
ap_cmd:		.long 0		/* ICR low for vCPU 1 to send; 0 = none */
ap_cmd_dest:	.long 0		/* its ICR2 */
