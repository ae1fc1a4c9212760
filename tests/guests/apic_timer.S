/* SPDX-License-Identifier: GPL-2.0 */
/*
 * apic_timer.bin: the local APIC timer, in flat 32-bit protected mode.
 *   - one-shot: the current count starts at most at the initial count and
 *     decreases, exactly one interrupt, then the count stays 0
 *   - periodic: interrupts keep coming at the programmed rate, the count
 *     decreases and reloads, an initial count of 0 stops it
 *   - a masked LVT still counts down but raises nothing, not even in IRR,
 *     and unmasking afterwards delivers nothing
 *   - divide configuration: divide by 1 counts at the 1 GHz bus clock,
 *     divide by 2, 16 and 128 count 1/2, 1/16 and 1/128 as fast over the
 *     same PIT-timed window
 *   - TSC-deadline mode (if CPUID.1:ECX[24]): MSR 0x6e0 reads back while
 *     armed, writing 0 disarms, a near deadline interrupts once and the MSR
 *     then reads 0
 * All of it first through the xAPIC MMIO page, then again through the
 * x2APIC MSRs if CPUID.1:ECX[21] says x2APIC exists (the same code: the
 * APIC_RD/APIC_WR routines pick the access method).
 *
 * The time reference for "no interrupt within ..." and for the rates is
 * PIT channel 2 (intr.h: PIT_DELAY), which is independent of the APIC.
 * The APIC bus clock is 1 GHz (one count = divide value ns) under nyx and
 * under QEMU alike, so the NO_TESTDEV build for plain QEMU runs every
 * check; QEMU's TCG offers neither x2APIC nor TSC-deadline, so those
 * parts are skipped there.
 */
#include "guest.h"
#include "intr.h"

#define VEC_TIMER	0x40
#define TDCR_DIV1	0xb
#define ONESHOT_COUNT	25000000	/* 25 ms at 1 GHz */
#define PERIOD_COUNT	2000000		/* 2 ms at 1 GHz */
#define MASKED_COUNT	100000
#define RATE_TICKS	PIT_MS(20)	/* divide test: PIT ticks measured */
#define RATE_NS		(RATE_TICKS * 838095 / 1000)	/* ... in ns */
#define CCR_POLL_LOOPS	0x100000	/* reads of the current count */

	GUEST_START main16

	CODE16
main16:
	PRINT "apic_timer: start\n"
	ENTER_PM32 main32

	CODE32
main32:
	LOAD_DATA_SEGS32
	SETUP_IDT256
	SET_GATE VEC_TIMER, timer_isr
	MASK_PIC

	mov $1, %eax
	cpuid
	mov %ecx, cpuid1_ecx
	test $CPUID1_EDX_APIC, %edx
	jnz 1f
	PRINT "apic_timer: note: CPUID.1:EDX.APIC is clear; testing anyway\n"
1:
	/* A missing APIC reads all-ones or zero here: say so first. */
	APIC_RD APIC_LVR
	and $0xff, %eax
	CHECK %eax, $0x14, "local APIC version 0x14 (is there a local APIC?)"
	APIC_ENABLE

	PRINT "apic_timer: xAPIC MMIO\n"
	call timer_tests
	call tsc_deadline_test

	testl $CPUID1_ECX_X2APIC, cpuid1_ecx
	jnz 1f
	PRINT "apic_timer: SKIP x2APIC part (CPUID.1:ECX[21] clear)\n"
	jmp done
1:	PRINT "apic_timer: x2APIC MSRs\n"
	mov $MSR_APIC_BASE, %ecx
	rdmsr
	or $APIC_BASE_EXTD, %eax
	wrmsr
	movb $1, x2apic_mode
	APIC_RD APIC_ID
	CHECK %eax, $0, "x2APIC ID of the boot vCPU (MSR 0x802)"
	APIC_RD APIC_LDR
	CHECK %eax, $1, "x2APIC LDR derived from ID 0 (MSR 0x80d)"
	call timer_tests
done:
	cli
	PASS

/* ------------------------------------------------------------------ */
timer_tests:
	call oneshot_test
	call periodic_test
	call masked_test
	call divide_test
	ret

oneshot_test:
	movl $0, timer_count
	APIC_WR APIC_TDCR, $TDCR_DIV1
	APIC_WR APIC_LVTT, $VEC_TIMER
	APIC_WR APIC_TMICT, $ONESHOT_COUNT
	APIC_RD APIC_TMCCT
	mov %eax, %esi
	CHECK_RANGE %esi, $1, $ONESHOT_COUNT, "one-shot: current count after start"
	APIC_RD APIC_TMCCT
	lea -1(%esi), %edi
	CHECK_RANGE %eax, $0, %edi, "one-shot: current count decreases"
	WAIT_UNTIL timer_count, $1, e, "one-shot: the interrupt arrives"
	APIC_RD APIC_TMCCT
	CHECK %eax, $0, "one-shot: current count 0 after expiry"
	PIT_DELAY PIT_MS(30)		/* longer than the count */
	CHECK timer_count, $1, "one-shot: exactly one interrupt"
	ret

periodic_test:
	movl $0, timer_count
	APIC_WR APIC_TDCR, $TDCR_DIV1
	APIC_WR APIC_LVTT, $(VEC_TIMER | LVT_PERIODIC)
	APIC_WR APIC_TMICT, $PERIOD_COUNT
	WAIT_UNTIL timer_count, $5, ae, "periodic: five interrupts"

	APIC_RD APIC_TMCCT
	CHECK_RANGE %eax, $1, $PERIOD_COUNT, "periodic: current count within the period"
	/* two reads straddle a reload now and then: try again */
	mov $MEASURE_TRIES, %edi
1:	APIC_RD APIC_TMCCT
	mov %eax, %esi
	APIC_RD APIC_TMCCT
	cmp %esi, %eax
	jb 2f
	dec %edi			/* keeps CF */
	jnz 1b
2:	CHECK_FLAG b, "periodic: current count decreases"

	/* 40 ms of PIT time is 20 periods. Fewer arrive if the host
	 * coalesces expiries (the vCPU did not run for a while), one or two
	 * more by the exits around the window. */
	RETRY_RANGE periodic_window, $14, $22, "periodic: 2 ms period, interrupts in 40 ms"

	APIC_WR APIC_TMICT, $0
	PIT_DELAY PIT_MS(1)		/* one may have been in flight */
	mov timer_count, %esi
	PIT_DELAY PIT_MS(5)
	CHECK timer_count, %esi, "periodic: initial count 0 stops the timer"
	APIC_RD APIC_TMCCT
	CHECK %eax, $0, "periodic: stopped timer reads current count 0"
	ret

/* EAX: timer interrupts in 40 ms of PIT time. */
periodic_window:
	mov timer_count, %esi
	PIT_DELAY PIT_MS(40)
	mov timer_count, %eax
	sub %esi, %eax
	PRINT_DEC "apic_timer: periodic interrupts in 40 ms: "
	ret

masked_test:
	movl $0, timer_count
	APIC_WR APIC_TDCR, $TDCR_DIV1
	APIC_WR APIC_LVTT, $(VEC_TIMER | LVT_MASKED)
	APIC_WR APIC_TMICT, $MASKED_COUNT
	mov $CCR_POLL_LOOPS, %esi
1:	APIC_RD APIC_TMCCT
	test %eax, %eax
	jz 2f
	dec %esi
	jnz 1b
2:	CHECK %eax, $0, "masked: the timer still counts down to 0"
	PIT_DELAY PIT_MS(1)
	CHECK timer_count, $0, "masked: no interrupt"
	APIC_RD VEC_REG(APIC_IRR, VEC_TIMER)
	and $VEC_BIT(VEC_TIMER), %eax
	CHECK %eax, $0, "masked: vector not pending in IRR"
	APIC_WR APIC_LVTT, $VEC_TIMER
	PIT_DELAY PIT_MS(1)
	CHECK timer_count, $0, "masked: unmasking after the expiry delivers nothing"
	ret

/* Count rate at divide by 1, 2, 16 and 128, against the PIT. */
.macro DIVIDE_BY tdcr, div
	APIC_WR APIC_TDCR, $\tdcr
	APIC_RD APIC_TDCR
	CHECK %eax, $\tdcr, "TDCR reads back (divide by \div)"
	movl $\div, divisor
	RETRY_RANGE timer_rate, %ebx, %edi, "divide by \div counts at 1/\div of divide by 1 (+-6%)"
.endm

divide_test:
	APIC_WR APIC_LVTT, $(VEC_TIMER | LVT_MASKED)
	APIC_WR APIC_TDCR, $TDCR_DIV1
	movl $1, divisor
	/* 1 GHz: one count per ns, 838.1 per PIT tick */
	RETRY_RANGE timer_rate, $(RATE_NS * 97 / 100), $(RATE_NS * 103 / 100), "divide by 1 counts at 1 GHz (+-3%)"
	mov %eax, %ebx			/* EBX, EDI: divide-by-1 rate -+1/16 */
	shr $4, %ebx
	lea (%eax, %ebx), %edi
	neg %ebx
	add %eax, %ebx
	DIVIDE_BY 0x0, 2
	DIVIDE_BY 0x3, 16
	DIVIDE_BY 0xa, 128
	APIC_WR APIC_TMICT, $0
	ret

/*
 * EAX: timer counts per RATE_TICKS PIT ticks at the current divide
 * value, times the divisor; the (masked) timer is restarted at the
 * maximum count. Each end
 * of the window reads the PIT count and then the current count, so only
 * the time between those two reads matters, not how long the window
 * really was (a preempted vCPU does not skew the result).
 */
timer_rate:
	push %ebx
	push %edi
	APIC_WR APIC_TMICT, $0xffffffff
	mov $0xffff, %ecx
	call pit_start
	call pit_read2
	mov %eax, %ebx			/* PIT count at the start */
	APIC_RD APIC_TMCCT
	mov %eax, %edi			/* timer count at the start */
	mov $PIT_POLL_LOOPS, %esi
1:	call pit_read2
	mov %ebx, %ecx
	sub %eax, %ecx
	movzwl %cx, %ecx		/* the count wraps after 0 in mode 0 */
	cmp $RATE_TICKS, %ecx
	jae 2f
	dec %esi
	jnz 1b
	FAIL "PIT channel 2 count does not move"
2:	call pit_read2
	mov %eax, %esi			/* PIT count at the end */
	APIC_RD APIC_TMCCT
	sub %eax, %edi			/* timer counts in the window */
	sub %esi, %ebx
	movzwl %bx, %ebx		/* PIT ticks in the window */
	mov %edi, %eax
	mov $RATE_TICKS, %ecx
	mul %ecx
	div %ebx
	imul divisor, %eax
	PRINT_DEC "apic_timer: counts per 20 ms, times the divisor: "
	pop %edi
	pop %ebx
	ret

/* ------------------------------------------------------------------ */
tsc_deadline_test:
	testl $CPUID1_ECX_TSC_DEADLINE, cpuid1_ecx
	jnz 1f
	PRINT "apic_timer: SKIP TSC-deadline part (CPUID.1:ECX[24] clear)\n"
	ret
1:	PRINT "apic_timer: TSC-deadline\n"
	movl $0, timer_count
	APIC_WR APIC_LVTT, $(VEC_TIMER | LVT_TSC_DEADLINE)
	APIC_RD APIC_LVTT
	CHECK %eax, $(VEC_TIMER | LVT_TSC_DEADLINE), "LVT timer in TSC-deadline mode"

	/* far deadline (2^40 cycles: minutes): reads back, 0 disarms */
	rdtsc
	add $0x100, %edx
	mov %eax, %esi
	mov %edx, %edi
	mov $MSR_TSC_DEADLINE, %ecx
	wrmsr
	rdmsr
	CHECK %eax, %esi, "TSC deadline reads back (low)"
	mov %edx, %eax
	CHECK %eax, %edi, "TSC deadline reads back (high)"
	xor %eax, %eax
	xor %edx, %edx
	wrmsr
	rdmsr
	or %edx, %eax
	CHECK %eax, $0, "TSC deadline 0 after writing 0"
	PIT_DELAY PIT_MS(1)
	CHECK timer_count, $0, "disarmed TSC deadline: no interrupt"

	/* near deadline: one interrupt, then the MSR reads 0 */
	rdtsc
	add $1000000, %eax
	adc $0, %edx
	mov $MSR_TSC_DEADLINE, %ecx
	wrmsr
	WAIT_UNTIL timer_count, $1, e, "TSC deadline: the interrupt arrives"
	mov $MSR_TSC_DEADLINE, %ecx
	rdmsr
	or %edx, %eax
	CHECK %eax, $0, "TSC deadline reads 0 once it fired"
	PIT_DELAY PIT_MS(2)
	CHECK timer_count, $1, "TSC deadline: exactly one interrupt"
	APIC_WR APIC_LVTT, $(VEC_TIMER | LVT_MASKED)
	ret

/* ------------------------------------------------------------------ */
timer_isr:
	pushal
	incl timer_count
	APIC_WR APIC_EOI, $0
	popal
	iretl

	INTR_RUNTIME

	.section .data
	.balign 4
timer_count:	.long 0
cpuid1_ecx:	.long 0
divisor:	.long 1		/* timer_rate's result is multiplied by it */
