/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pit_pic.bin: the 8254 PIT and the 8259A PIC, in flat 32-bit protected
 * mode, the local APIC left as reset made it (LINT0 in virtual-wire
 * ExtINT mode, so the PIC's INTR reaches the CPU).
 *   - PIC initialized with ICW1-ICW4 (vector base 0x20 / 0x28), only IRQ0
 *     unmasked; IMR reads back
 *   - PIT channel 0 in mode 2 (rate generator, 5 ms): IRQ0 interrupts
 *     arrive, each acknowledged with a non-specific EOI (ISR reads 0
 *     after), and their number in a 100 ms window timed by PIT channel 2
 *     is about 20
 *   - port 0x61: with channel 2 in mode 0 and its gate (bit 0) low, OUT2
 *     (bit 5) stays low and the count does not move; gate high: OUT2 goes
 *     high after the count; gate low again leaves OUT2 high
 *   - channel 0 in mode 0 (interrupt on terminal count): exactly one IRQ0,
 *     and the read-back status shows OUT high, mode 0, count loaded
 * Channel 0's ticks time the port 0x61 checks, channel 2 the rate check.
 *
 * Under plain QEMU (NO_TESTDEV build) the gate-low checks are left out:
 * QEMU's 8254 ignores channel 2's gate in mode 0 (it counts anyway).
 */
#include "guest.h"
#include "intr.h"

#define VEC_IRQ0	0x20		/* master base; slave base 0x28 */
#define TICK		PIT_MS(5)	/* channel 0 period */
#define GATED_COUNT	PIT_MS(15)	/* channel 2: 3 ticks */
#define ONESHOT_COUNT	PIT_MS(5)	/* channel 0, mode 0 */

/* Channel x control words: LSB then MSB, binary */
#define CW_CH0_MODE0	0x30
#define CW_CH0_MODE2	0x34
#define CW_CH2_MODE0	0xb0
#define CW_READBACK_STATUS0 0xe2	/* read-back: status only, channel 0 */

/* Write a 16-bit count to a channel (LSB, MSB). */
.macro PIT_COUNT port, count
	mov $((\count) & 0xff), %al
	out %al, $\port
	mov $((\count) >> 8), %al
	out %al, $\port
.endm

/* Wait (IF=1) for n more IRQ0 ticks. */
.macro WAIT_TICKS n, desc
	mov irq0_count, %ebx
	add $\n, %ebx
	WAIT_UNTIL irq0_count, %ebx, ae, "\desc"
.endm

	GUEST_START main16

	CODE16
main16:
	PRINT "pit_pic: start\n"
	ENTER_PM32 main32

	CODE32
main32:
	LOAD_DATA_SEGS32
	SETUP_IDT256
	SET_GATE VEC_IRQ0, irq0_isr

	APIC_RD APIC_LVT0
	and $(LVT_MASKED | 0x700), %eax
	CHECK %eax, $LVT_DM_EXTINT, "local APIC LINT0: ExtINT, unmasked (virtual wire)"

	/* ------------------------------------------------------------ */
	PRINT "pit_pic: PIC init\n"
	mov $0x11, %al			/* ICW1: edge, cascade, ICW4 follows */
	out %al, $PIC1_CMD
	out %al, $PIC2_CMD
	mov $VEC_IRQ0, %al		/* ICW2: vector bases */
	out %al, $PIC1_DATA
	mov $(VEC_IRQ0 + 8), %al
	out %al, $PIC2_DATA
	mov $0x04, %al			/* ICW3: slave on IR2 / slave ID 2 */
	out %al, $PIC1_DATA
	mov $0x02, %al
	out %al, $PIC2_DATA
	mov $0x01, %al			/* ICW4: 8086 mode, normal EOI */
	out %al, $PIC1_DATA
	out %al, $PIC2_DATA
	mov $0xfe, %al			/* OCW1: IRQ0 only */
	out %al, $PIC1_DATA
	mov $0xff, %al
	out %al, $PIC2_DATA
	in $PIC1_DATA, %al
	movzbl %al, %eax
	CHECK %eax, $0xfe, "master IMR reads back"
	in $PIC2_DATA, %al
	movzbl %al, %eax
	CHECK %eax, $0xff, "slave IMR reads back"

	/* ------------------------------------------------------------ */
	PRINT "pit_pic: channel 0, mode 2\n"
	mov $CW_CH0_MODE2, %al
	out %al, $PIT_CTRL
	PIT_COUNT PIT_CH0, TICK
	WAIT_TICKS 3, "mode 2: IRQ0 ticks arrive through the PIC"
	cli				/* the handler is not in the middle */
	mov $PIC_READ_ISR, %al
	out %al, $PIC1_CMD
	in $PIC1_CMD, %al
	sti
	movzbl %al, %eax
	CHECK %eax, $0, "master ISR empty after the EOIs"

	/* 100 ms of channel 2 time: 20 periods. Fewer if the host
	 * coalesces ticks (the vCPU did not run for a while), one or two
	 * more by the exits around the window. */
	RETRY_RANGE irq0_window, $14, $22, "mode 2: 5 ms period, ticks in 100 ms"

	/* ------------------------------------------------------------ */
	PRINT "pit_pic: port 0x61, channel 2 gate and OUT2\n"
	in $PORT61, %al
	and $~(PORT61_GATE2 | PORT61_SPEAKER), %al
	out %al, $PORT61
	mov $CW_CH2_MODE0, %al
	out %al, $PIT_CTRL
	PIT_COUNT PIT_CH2, GATED_COUNT
	in $PORT61, %al
	and $(PORT61_OUT2 | PORT61_GATE2), %eax
	CHECK %eax, $0, "mode 0, gate low: OUT2 low"
#ifndef NO_TESTDEV
	WAIT_TICKS 4, "20 ms with the gate low"
	in $PORT61, %al
	and $PORT61_OUT2, %eax
	CHECK %eax, $0, "gate low: OUT2 still low after more than the count"
	call pit_read2
	CHECK %eax, $GATED_COUNT, "gate low: channel 2 count not moving"
#endif
	/* gate high: OUT2 rises after 15 ms, 3 ticks (more if the vCPU
	 * stalls, but never none: that would be OUT2 high at once) */
	mov irq0_count, %esi
	in $PORT61, %al
	or $PORT61_GATE2, %al
	out %al, $PORT61
	call pit_wait_out2
	mov irq0_count, %eax
	sub %esi, %eax
	PRINT_DEC "pit_pic: IRQ0 ticks until OUT2 high: "
	CHECK_RANGE %eax, $1, $0xffffffff, "gate high: OUT2 high after the count, not at once"
	in $PORT61, %al
	and $(PORT61_OUT2 | PORT61_GATE2), %eax
	CHECK %eax, $(PORT61_OUT2 | PORT61_GATE2), "gate high reads back, OUT2 high"
	in $PORT61, %al
	and $~PORT61_GATE2, %al
	out %al, $PORT61
	in $PORT61, %al
	and $(PORT61_OUT2 | PORT61_GATE2), %eax
	CHECK %eax, $PORT61_OUT2, "mode 0: gate low again leaves OUT2 high"

	/* ------------------------------------------------------------ */
	PRINT "pit_pic: channel 0, mode 0\n"
	cli
	mov $CW_CH0_MODE0, %al		/* stops the rate generator, OUT0 low */
	out %al, $PIT_CTRL
	sti
	PIT_DELAY PIT_MS(3)		/* let a tick latched before it in */
	movl $0, irq0_count
	PIT_COUNT PIT_CH0, ONESHOT_COUNT
	WAIT_UNTIL irq0_count, $1, e, "mode 0: IRQ0 at the terminal count"
	PIT_DELAY PIT_MS(20)
	CHECK irq0_count, $1, "mode 0: exactly one IRQ0"
	mov $CW_READBACK_STATUS0, %al
	out %al, $PIT_CTRL
	in $PIT_CH0, %al
	movzbl %al, %eax
	/* OUT (7) high, null count (6) clear, LSB/MSB (5:4), mode 0, binary */
	CHECK %eax, $0xb0, "mode 0: read-back status after the terminal count"
	cli
	PASS

/* EAX: IRQ0 ticks in 100 ms of channel 2 time. */
irq0_window:
	mov irq0_count, %esi
	PIT_DELAY PIT_MS(50)
	PIT_DELAY PIT_MS(50)
	mov irq0_count, %eax
	sub %esi, %eax
	PRINT_DEC "pit_pic: IRQ0 ticks in 100 ms: "
	ret

irq0_isr:
	push %eax
	incl irq0_count
	mov $PIC_EOI, %al
	out %al, $PIC1_CMD
	pop %eax
	iretl

	INTR_RUNTIME

	.section .data
	.balign 4
irq0_count:	.long 0
