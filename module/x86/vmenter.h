/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Assembler helpers shared by svm/vmenter.S and vmx/vmenter.S.
 */
#ifndef NYX_X86_VMENTER_H
#define NYX_X86_VMENTER_H

#include <asm/nospec-branch.h>

/*
 * After an exit: clear the caller-saved registers that still hold guest
 * values (so they cannot feed speculation) and flush the return predictor
 * the guest may have trained. Clobbers \scratch.
 */
.macro NYX_SCRUB_AFTER_EXIT scratch:req
	xor	%ecx, %ecx
	xor	%edx, %edx
	xor	%esi, %esi
	xor	%edi, %edi
	xor	%r8d, %r8d
	xor	%r9d, %r9d
	xor	%r10d, %r10d
	xor	%r11d, %r11d
	FILL_RETURN_BUFFER \scratch, RSB_CLEAR_LOOPS, X86_FEATURE_RSB_VMEXIT
.endm

#endif
