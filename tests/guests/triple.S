/* SPDX-License-Identifier: GPL-2.0 */
/*
 * triple.bin: enter protected mode, load an empty IDT (limit 0) and raise
 * #UD. The #UD cannot be delivered (#GP), neither can the #GP (#DF), nor
 * the #DF: a triple fault, i.e. shutdown. nyx must exit with status 4.
 */
#include "guest.h"

	GUEST_START main16

	CODE16
main16:
	PRINT "TRIPLE\n"
	ENTER_PM32 main32

	CODE32
main32:
	LOAD_DATA_SEGS32
	lidt empty_idt
	ud2
	/* Not reached: the CPU must shut down. */
	FAIL "ud2 with an empty IDT did not triple fault"

	GUEST_RUNTIME 16
	GUEST_RUNTIME 32

	.section .data
	.balign 8
	.word 0
empty_idt:
	.word 0			/* limit 0: no gate is reachable */
	.long 0
