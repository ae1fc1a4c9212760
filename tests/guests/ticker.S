/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ticker.bin: prints a '.' on COM1 after each busy-wait, TICKS times,
 * then PASS: steady, visible progress for the control-socket tests
 * (tests/vm/ctl.sh: output stops growing while the VM is paused, grows
 * again after resume). It runs for minutes: the tests stop it first.
 * Expected: status 33 if nothing does.
 */
#include "guest.h"

#define TICKS	2000000
#define DELAY	20000

	GUEST_START main16

	CODE16
main16:
	mov $TICKS, %ebp
tick:
	mov $COM1, %dx
	mov $'.', %al
	out %al, (%dx)
	mov $DELAY, %ecx
spin:
	dec %ecx
	jnz spin
	dec %ebp
	jnz tick
	PASS

	GUEST_RUNTIME 16
