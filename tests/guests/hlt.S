/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hlt.bin: print "HLT" and halt with interrupts off. With no interrupt
 * source the vCPU can never wake, so nyx must stop the VM and exit with
 * status 0 ("all vCPUs halted").
 */
#include "guest.h"

	GUEST_START main16

	CODE16
main16:
	PRINT "HLT\n"
	cli
	hlt
	/* Not reached unless HLT returned without an interrupt. */
	FAIL "HLT returned"

	GUEST_RUNTIME 16
