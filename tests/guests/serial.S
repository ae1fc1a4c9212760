/* SPDX-License-Identifier: GPL-2.0 */
/*
 * serial.bin: print a greeting through COM1 the way a real driver would
 * (wait for THRE in the line status register before each byte), then PASS.
 * The default guest of "make run". Expected: status 33, output
 * "hello from nyx guest".
 */
#include "guest.h"

	GUEST_START main16

	CODE16
main16:
	mov $hello, %si
next_char:
	lodsb
	test %al, %al
	jz done
	mov %al, %bl
	/* Bounded wait for the transmitter: a UART that never reports THRE
	 * must fail the test, not hang it. */
	mov $COM1_LSR, %dx
	mov $100000, %ecx
wait_thre:
	in (%dx), %al
	test $LSR_THRE, %al
	jnz send
	dec %ecx
	jnz wait_thre
	FAIL "LSR.THRE never set"
send:
	mov $COM1, %dx
	mov %bl, %al
	out %al, (%dx)
	jmp next_char
done:
	PASS

	GUEST_RUNTIME 16

	.section .rodata
hello:	.asciz "hello from nyx guest\n"
