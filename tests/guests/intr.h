/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared include for the guests that take interrupts (apic_timer, ipi,
 * ioapic_level, pit_pic). Include it after guest.h. They all run in flat
 * 32-bit protected mode without paging, so the local APIC (0xfee00000) and
 * the I/O APIC (0xfec00000) are plain memory addresses.
 *
 * Macros (CODE32 only):
 *   SETUP_IDT256                 SETUP_IDT32, plus empty gates 32-255 (a
 *                                stray vector then raises #GP/#NP, which
 *                                the exception handler reports with the
 *                                vector in the error code: (vec << 3) | 2)
 *   SET_GATE vector, handler     point an IDT entry at handler
 *   MASK_PIC                     mask every 8259 input (a BIOS may have
 *                                left its timer running)
 *   APIC_WR reg, value           local APIC register write, xAPIC MMIO or
 *   APIC_RD reg                  x2APIC MSR (x2apic_mode != 0); read -> EAX
 *                                (both clobber EAX, ECX, EDX)
 *   APIC_ENABLE                  software-enable the APIC, spurious 0xff
 *   PIT_DELAY ticks              busy-wait ticks (1-65535) of the 8254's
 *                                1.193182 MHz clock on channel 2; clobbers
 *                                EAX, ECX (routines: pit_delay, pit_start,
 *                                pit_wait_out2, pit_read2)
 *   WAIT_UNTIL mem, val, cc, "what"
 *                                spin with interrupts enabled until
 *                                "cmpl val, mem" gives condition cc (e:
 *                                mem == val, ae: mem >= val unsigned), at
 *                                most WAIT_LOOPS times, then check it;
 *                                clobbers ECX
 *   CHECK_RANGE actual, lo, hi, "what"
 *                                fail unless lo <= actual <= hi (unsigned)
 *   RETRY_RANGE routine, lo, hi, "what"
 *                                call routine (a measurement: result in
 *                                EAX) until lo <= EAX <= hi, at most
 *                                MEASURE_TRIES times, then CHECK_RANGE it
 *   PRINT_DEC "text"             print text, EAX in decimal, newline (for
 *                                measured values; preserves registers)
 *   INTR_RUNTIME                 the routines behind the macros, the
 *                                16- and 32-bit GUEST_RUNTIME and the
 *                                32-bit exception handlers; emit once
 *
 * A note on waiting: nothing here spins with interrupts disabled for
 * long. Under Bochs' VMX a nested guest with IF=0 is never interrupted
 * (Documentation/testing.rst), so waits run with IF=1 and time-outs are
 * counted in loop iterations or PIT ticks, never in interrupts.
 *
 * Timing under emulation: the vCPU may not run for tens of milliseconds
 * while time goes on (a loaded host, QEMU's TCG, a nested hypervisor).
 * So checks of a rate are done with RETRY_RANGE (a stall is transient, a
 * wrong rate is not), rates are measured between reads taken back to
 * back where possible, and "nothing arrives" checks, which a stall
 * cannot break, are preferred to "it arrives within" ones. Spin
 * loops contain a PAUSE: QEMU's TCG does not deliver an interrupt sent
 * from another vCPU to a vCPU spinning in a tight loop until something
 * (PAUSE does) leaves its translated code.
 *
 * Only C-style comments here: cpp reads this file before gas does.
 */
#ifndef INTR_H
#define INTR_H

#define IDT_VECTORS	256		/* IDT_ADDR .. IDT_ADDR + 0x7ff */
#define VEC_SPURIOUS	0xff

/* Local APIC: xAPIC page offsets; the x2APIC MSR is 0x800 + offset / 16 */
#define APIC_BASE	0xfee00000
#define APIC_ID		0x020
#define APIC_LVR	0x030
#define APIC_EOI	0x0b0
#define APIC_LDR	0x0d0
#define APIC_DFR	0x0e0
#define APIC_SVR	0x0f0
#define APIC_ISR	0x100
#define APIC_TMR	0x180
#define APIC_IRR	0x200
#define APIC_ICR	0x300
#define APIC_ICR2	0x310
#define APIC_LVTT	0x320
#define APIC_LVT0	0x350
#define APIC_TMICT	0x380
#define APIC_TMCCT	0x390
#define APIC_TDCR	0x3e0
#define APIC_SVR_ENABLE	0x100
#define LVT_DM_EXTINT	0x700
#define LVT_MASKED	(1 << 16)
#define LVT_PERIODIC	(1 << 17)
#define LVT_TSC_DEADLINE (2 << 17)
#define MSR_APIC_BASE	0x1b
#define APIC_BASE_EXTD	(1 << 10)	/* x2APIC mode */
#define MSR_TSC_DEADLINE 0x6e0
#define X2APIC_MSR(off)	(0x800 + (off) / 16)
/* Vector v in the 256-bit ISR/TMR/IRR: register offset and bit mask */
#define VEC_REG(base, v) ((base) + ((v) / 32) * 0x10)
#define VEC_BIT(v)	(1 << ((v) % 32))

/* ICR low dword */
#define ICR_FIXED	0x00000		/* | vector */
#define ICR_NMI		0x00400
#define ICR_INIT	0x00500
#define ICR_STARTUP	0x00600		/* | page number of the start address */
#define ICR_LOGICAL	0x00800
#define ICR_ASSERT	0x04000
#define ICR_SELF	0x40000
#define ICR_OTHERS	0xc0000		/* all excluding self */

/* CPUID.1 */
#define CPUID1_ECX_X2APIC	(1 << 21)
#define CPUID1_ECX_TSC_DEADLINE	(1 << 24)
#define CPUID1_EDX_APIC		(1 << 9)

/* I/O APIC */
#define IOAPIC_BASE	0xfec00000
#define IOAPIC_REGSEL	0x00
#define IOAPIC_WIN	0x10
#define IOAPIC_VER	0x01
#define IOAPIC_REDTBL(pin) (0x10 + 2 * (pin))	/* low dword; high is +1 */
#define RTE_REMOTE_IRR	(1 << 14)
#define RTE_LEVEL	(1 << 15)
#define RTE_MASKED	(1 << 16)

/* 8259A PIC */
#define PIC1_CMD	0x20
#define PIC1_DATA	0x21
#define PIC2_CMD	0xa0
#define PIC2_DATA	0xa1
#define PIC_EOI		0x20		/* OCW2 non-specific EOI */
#define PIC_READ_ISR	0x0b		/* OCW3 */

/* 8254 PIT and port 0x61 */
#define PIT_CH0		0x40
#define PIT_CH2		0x42
#define PIT_CTRL	0x43
#define PIT_TICKS_MS	1193		/* 1.193182 MHz */
#define PIT_MS(n)	((n)*PIT_TICKS_MS)	/* no spaces: a macro argument */
#define PORT61		0x61
#define PORT61_GATE2	0x01
#define PORT61_SPEAKER	0x02
#define PORT61_OUT2	0x20

/* Bounds of the busy-waits. A WAIT_UNTIL iteration is a few instructions
 * (a few seconds in all under emulation, tens of ms on hardware); a
 * PIT_DELAY iteration is one port read, an exit under nyx. Both only
 * matter when the awaited event never happens. */
#define WAIT_LOOPS	0x4000000
#define PIT_POLL_LOOPS	0x400000
#define MEASURE_TRIES	3

/* ------------------------------------------------------------------ */

.macro SET_GATE vector:req, handler:req
	mov $\handler, %eax
	mov %ax, IDT_ADDR + (\vector) * 8		/* offset 15:0 */
	movw $SEL_CODE32, IDT_ADDR + (\vector) * 8 + 2
	movw $0x8e00, IDT_ADDR + (\vector) * 8 + 4	/* 32-bit interrupt gate */
	shr $16, %eax
	mov %ax, IDT_ADDR + (\vector) * 8 + 6		/* offset 31:16 */
.endm

.macro SETUP_IDT256
	SETUP_IDT32
	mov $(IDT_ADDR + 32 * 8), %edi
	xor %eax, %eax
	mov $((IDT_VECTORS - 32) * 2), %ecx
	rep stosl
	movw $(IDT_VECTORS * 8 - 1), idt_desc
	lidt idt_desc
	SET_GATE VEC_SPURIOUS, spurious_isr
.endm

.macro PRINT_DEC text:req
	PRINT "\text"
	pushal
	call guest_putdec32
	popal
	PRINT "\n"
.endm

.macro MASK_PIC
	mov $0xff, %al
	out %al, $PIC1_DATA
	out %al, $PIC2_DATA
.endm

.macro APIC_WR reg:req, value:req
	mov \value, %eax
	mov $\reg, %ecx
	call apic_write
.endm

.macro APIC_RD reg:req
	mov $\reg, %ecx
	call apic_read
.endm

.macro APIC_ENABLE
	APIC_WR APIC_SVR, $(APIC_SVR_ENABLE | VEC_SPURIOUS)
.endm

.macro PIT_DELAY ticks:req
	mov $\ticks, %ecx
	call pit_delay
.endm

.macro WAIT_UNTIL mem:req, value:req, cc:req, desc:req
	sti
	mov $WAIT_LOOPS, %ecx
.Lwait\@:
	cmpl \value, \mem
	j\cc .Lwaited\@
	pause
	dec %ecx
	jnz .Lwait\@
.Lwaited\@:
	.ifc \cc,e
	CHECK \mem, \value, "\desc"
	.else
	cmpl \value, \mem
	CHECK_FLAG \cc, "\desc"
	.endif
.endm

.macro RETRY_RANGE measure:req, lo:req, hi:req, desc:req
	movl $MEASURE_TRIES, measure_tries
.Lretry\@:
	call \measure
	cmpl \lo, %eax
	jb .Lagain\@
	cmpl \hi, %eax
	jbe .Lmeasured\@
.Lagain\@:
	decl measure_tries
	jnz .Lretry\@
.Lmeasured\@:
	CHECK_RANGE %eax, \lo, \hi, "\desc"
.endm

.macro CHECK_RANGE actual:req, lo:req, hi:req, desc:req
	.if GUEST_BITS != 32
	.error "CHECK_RANGE is for 32-bit code"
	.endif
	NEXT_CHECK .Ldesc\@, "\desc"
	cmpl \lo, \actual
	jb .Llow\@
	cmpl \hi, \actual
	jbe .Lok\@
	movl \hi, %edx			/* report the bound it broke */
	jmp .Lbad\@
.Llow\@:
	movl \lo, %edx
.Lbad\@:
	movl \actual, %eax
	FAIL_JUMP .Ldesc\@
.Lok\@:
.endm

/* ------------------------------------------------------------------ */

.macro INTR_RUNTIME
	CODE32
/* ECX: register offset, EAX: value. Clobbers ECX, EDX. */
apic_write:
	cmpb $0, x2apic_mode
	jne 1f
	mov %eax, APIC_BASE(%ecx)
	ret
1:	shr $4, %ecx
	add $0x800, %ecx
	xor %edx, %edx
	wrmsr
	ret

/* ECX: register offset. Returns EAX. Clobbers ECX, EDX. */
apic_read:
	cmpb $0, x2apic_mode
	jne 1f
	mov APIC_BASE(%ecx), %eax
	ret
1:	shr $4, %ecx
	add $0x800, %ecx
	rdmsr
	ret

/* A spurious interrupt needs no EOI. */
spurious_isr:
	iretl

/*
 * ECX: ticks. Channel 2 in mode 0 (interrupt on terminal count) with its
 * gate low while the count is written, then gate high: OUT2 (port 0x61
 * bit 5) goes high when the count runs out. Clobbers EAX, ECX.
 * pit_start only starts it, pit_wait_out2 only waits for OUT2 to be high.
 */
pit_delay:
	call pit_start
pit_wait_out2:
	mov $PIT_POLL_LOOPS, %ecx
1:	in $PORT61, %al
	test $PORT61_OUT2, %al
	jnz 2f
	dec %ecx
	jnz 1b
	FAIL "PIT channel 2 OUT (port 0x61 bit 5) never went high"
2:	ret

pit_start:
	in $PORT61, %al
	and $~(PORT61_GATE2 | PORT61_SPEAKER), %al
	out %al, $PORT61
	mov $0xb0, %al			/* channel 2, LSB then MSB, mode 0 */
	out %al, $PIT_CTRL
	mov %cl, %al
	out %al, $PIT_CH2
	mov %ch, %al
	out %al, $PIT_CH2
	in $PORT61, %al
	or $PORT61_GATE2, %al
	out %al, $PORT61
	ret

/* EAX: channel 2's current count (counter latch command). */
pit_read2:
	mov $0x80, %al			/* latch channel 2 */
	out %al, $PIT_CTRL
	in $PIT_CH2, %al
	mov %al, %ah
	in $PIT_CH2, %al
	xchg %al, %ah
	movzwl %ax, %eax
	ret

	.section .data
x2apic_mode:	.byte 0		/* APIC_RD/APIC_WR use the x2APIC MSRs */
	.balign 4
measure_tries:	.long 0
	.text

	GUEST_RUNTIME 16
	GUEST_RUNTIME 32
	EXC_HANDLERS32
.endm

#endif /* INTR_H */
