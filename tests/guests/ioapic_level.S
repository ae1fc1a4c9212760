/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ioapic_level.bin: a level-triggered I/O APIC input, in flat 32-bit
 * protected mode (run with --device testdev: its port 0xe6 drives GSI 16).
 *   - the I/O APIC has 24 redirection entries; an entry reads back
 *   - an asserted line behind a masked entry interrupts nothing; unmasking
 *     it delivers the interrupt
 *   - while the interrupt is in service, Remote IRR is set (and the local
 *     APIC has the vector in ISR and, level-triggered, in TMR), and
 *     nothing more arrives however long the line stays high
 *   - the EOI (local APIC EOI, broadcast to the I/O APIC) with the line
 *     still high delivers the interrupt again
 *   - lowering the line leaves Remote IRR set until the EOI, which then
 *     clears it, and nothing more arrives
 *   - raising the line again delivers again
 * The handler only counts; the main code does the EOIs, so it can look
 * at Remote IRR in between.
 *
 * Under plain QEMU (NO_TESTDEV build) there is no testdev: the level
 * source is COM1's THR-empty interrupt (ISA IRQ 4, I/O APIC pin 4), whose
 * line is high exactly while IER enables it, the transmitter being empty.
 * Printing would toggle that line, so nothing is printed while it is high.
 */
#include "guest.h"
#include "intr.h"

#define VEC_LEVEL	0x50
#define RTE_VALUE	(VEC_LEVEL | RTE_LEVEL)	/* fixed, physical, active high */

#ifdef NO_TESTDEV
#define TEST_PIN	4
#define COM1_IER	(COM1 + 1)
#define IER_THRI	0x02
.macro SET_LINE level
	mov $(\level * IER_THRI), %al
	mov $COM1_IER, %dx
	out %al, (%dx)
.endm
#else
#define TEST_PIN	16
#define TD_IRQ		0xe6
.macro SET_LINE level
	mov $((\level << 7) | TEST_PIN), %al
	out %al, $TD_IRQ
.endm
#endif

/* Read the low dword of the test pin's redirection entry into EAX. */
.macro READ_RTE
	mov $IOAPIC_REDTBL(TEST_PIN), %ecx
	call ioapic_read
.endm

.macro CHECK_REMOTE_IRR want, desc
	READ_RTE
	and $RTE_REMOTE_IRR, %eax
	CHECK %eax, $\want, "\desc"
.endm

	GUEST_START main16

	CODE16
main16:
	PRINT "ioapic_level: start\n"
	ENTER_PM32 main32

	CODE32
main32:
	LOAD_DATA_SEGS32
	SETUP_IDT256
	SET_GATE VEC_LEVEL, level_isr
	MASK_PIC
	APIC_ENABLE
	SET_LINE 0

	mov $IOAPIC_VER, %ecx
	call ioapic_read
	shr $16, %eax
	and $0xff, %eax
	CHECK %eax, $23, "I/O APIC: 24 redirection entries (is there an I/O APIC?)"

	/* destination APIC ID 0, then the low dword, masked */
	mov $(IOAPIC_REDTBL(TEST_PIN) + 1), %ecx
	xor %eax, %eax
	call ioapic_write
	mov $IOAPIC_REDTBL(TEST_PIN), %ecx
	mov $(RTE_VALUE | RTE_MASKED), %eax
	call ioapic_write
	READ_RTE
	CHECK %eax, $(RTE_VALUE | RTE_MASKED), "redirection entry reads back"

	/* ------------------------------------------------------------ */
	PRINT "ioapic_level: masked, then unmasked\n"
	SET_LINE 1
	sti
	PIT_DELAY PIT_MS(2)
	CHECK level_count, $0, "asserted line, masked entry: no interrupt"
	mov $IOAPIC_REDTBL(TEST_PIN), %ecx
	mov $RTE_VALUE, %eax
	call ioapic_write
	WAIT_UNTIL level_count, $1, e, "unmasking the asserted line delivers it"

	/* in service: Remote IRR, ISR and TMR set; nothing more arrives */
	CHECK_REMOTE_IRR RTE_REMOTE_IRR, "Remote IRR set while in service"
	APIC_RD VEC_REG(APIC_ISR, VEC_LEVEL)
	CHECK %eax, $VEC_BIT(VEC_LEVEL), "local APIC ISR has the vector"
	APIC_RD VEC_REG(APIC_TMR, VEC_LEVEL)
	CHECK %eax, $VEC_BIT(VEC_LEVEL), "local APIC TMR: level-triggered"
	PIT_DELAY PIT_MS(5)
	CHECK level_count, $1, "no second interrupt before the EOI"

	/* EOI with the line still high: it comes again */
	APIC_WR APIC_EOI, $0
	WAIT_UNTIL level_count, $2, e, "EOI with the line high: delivered again"
	CHECK_REMOTE_IRR RTE_REMOTE_IRR, "Remote IRR set again"

	/* line low: Remote IRR stays until the EOI; then silence */
	SET_LINE 0
	CHECK_REMOTE_IRR RTE_REMOTE_IRR, "lowering the line leaves Remote IRR set"
	APIC_WR APIC_EOI, $0
	CHECK_REMOTE_IRR 0, "the EOI clears Remote IRR"
	PIT_DELAY PIT_MS(5)
	CHECK level_count, $2, "line low: nothing after the EOI"
	APIC_RD VEC_REG(APIC_ISR, VEC_LEVEL)
	CHECK %eax, $0, "local APIC ISR empty"

	/* ------------------------------------------------------------ */
	PRINT "ioapic_level: raise again\n"
	SET_LINE 1
	WAIT_UNTIL level_count, $3, e, "raising the line again delivers it"
	SET_LINE 0
	APIC_WR APIC_EOI, $0
	PIT_DELAY PIT_MS(2)
	CHECK level_count, $3, "exactly three interrupts"
	CHECK_REMOTE_IRR 0, "Remote IRR clear at the end"
	cli
	PASS

/* The main code EOIs, after looking at Remote IRR. */
level_isr:
	incl level_count
	iretl

/* ECX: register index; EAX: value read / to write. */
ioapic_read:
	mov %ecx, IOAPIC_BASE + IOAPIC_REGSEL
	mov IOAPIC_BASE + IOAPIC_WIN, %eax
	ret
ioapic_write:
	mov %ecx, IOAPIC_BASE + IOAPIC_REGSEL
	mov %eax, IOAPIC_BASE + IOAPIC_WIN
	ret

	INTR_RUNTIME

	.section .data
	.balign 4
level_count:	.long 0
