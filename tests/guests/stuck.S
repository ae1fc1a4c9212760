/* SPDX-License-Identifier: GPL-2.0 */
/*
 * stuck.bin: a hung vCPU for the watchdog test (tests/vm/ctl.sh). Arms
 * the local APIC timer (periodic, 1 ms), turns interrupts off and spins
 * on one instruction: no exit, RIP fixed, the timer vector pending in
 * the IRR. Never ends by itself (nyx --watchdog ...,action=reset makes
 * it exit with status 8); not in the plain-QEMU list of
 * scripts/guest-qemu-check for that reason.
 */
#include "guest.h"
#include "intr.h"

#define VEC_TIMER	0x40
#define TDCR_DIV1	0xb

	GUEST_START main16

	CODE16
main16:
	PRINT "stuck: start\n"
	ENTER_PM32 main32

	CODE32
main32:
	LOAD_DATA_SEGS32
	MASK_PIC
	APIC_ENABLE
	APIC_WR APIC_TDCR, $TDCR_DIV1
	APIC_WR APIC_LVTT, $(VEC_TIMER | LVT_PERIODIC)
	APIC_WR APIC_TMICT, $1000000
	cli
	PRINT "stuck: spinning with interrupts off\n"
spin:
	jmp spin

	INTR_RUNTIME
