/* SPDX-License-Identifier: GPL-2.0 */
/*
 * realmode.bin: 16-bit real mode checks, no mode switch.
 *   - CR0.PE is clear, CPUID works (and reports the nyx signature)
 *   - testdev port I/O: 8/16/32-bit IN/OUT (imm8 and DX forms) to the
 *     scratch register, partial-width reads keep the rest of EAX
 *   - string I/O with non-zero segment bases: rep outsb/outsw to the sink
 *     (count and sum), rep insb/insw from the source sequence, forwards
 *     and with DF=1
 * MMIO needs addresses above 1 MiB: that is tested in prot32 and long64.
 */
#include "guest.h"

#define BUF_SEG		(SCRATCH >> 4)	/* ES/DS for the string buffers */
#define OUT_BUF		0x000		/* 100 bytes: (i * 13 + 5) & 0xff */
#define IN_BUF		0x200		/* rep insb destination, 64 bytes */
#define IN_GUARD	0x240
#define INW_BUF		0x300
#define DOWN_BUF	0x400		/* DF=1 rep insb: 0x43f down to 0x400 */

	GUEST_START main16

	CODE16
main16:
	PRINT "realmode: start\n"

	mov %cr0, %eax
	and $CR0_PE, %eax
	CHECK %eax, $0, "CR0.PE clear at reset"

	/* ------------------------------------------------------------ */
	xor %eax, %eax
	cpuid
	cmp $1, %eax
	CHECK_FLAG ae, "CPUID.0: max basic leaf >= 1"
	mov $1, %eax
	cpuid
	bt $31, %ecx
	CHECK_FLAG c, "CPUID.1:ECX[31] hypervisor bit"
#ifndef NO_TESTDEV
	mov $0x40000000, %eax
	cpuid
	mov %edx, %eax
	CHECK %ebx, $0x4e78794e, "CPUID.0x40000000 EBX = NyxN"
	CHECK %ecx, $0x794e7879, "CPUID.0x40000000 ECX = yxNy"
	CHECK %eax, $0x78794e78, "CPUID.0x40000000 EDX = xNyx"

	/* ------------------------------------------------------------ */
	PRINT "realmode: port I/O\n"
	mov $0x5a, %al
	out %al, $TD_SCRATCH
	xor %eax, %eax
	in $TD_SCRATCH, %al
	CHECK %eax, $0x5a, "scratch: out/in 8-bit"

	mov $0xbeef, %ax
	out %ax, $TD_SCRATCH
	xor %eax, %eax
	in $TD_SCRATCH, %ax
	CHECK %eax, $0xbeef, "scratch: out/in 16-bit"
	xor %eax, %eax
	in $(TD_SCRATCH + 1), %al
	CHECK %eax, $0xbe, "scratch: 8-bit read of byte 1"

	mov $TD_SCRATCH, %dx
	mov $0x12345678, %eax
	out %eax, (%dx)
	xor %eax, %eax
	in (%dx), %eax
	CHECK %eax, $0x12345678, "scratch: out/in 32-bit via DX"

	mov $0xab, %al
	out %al, $(TD_SCRATCH + 2)
	in $TD_SCRATCH, %eax
	CHECK %eax, $0x12ab5678, "scratch: 8-bit write at 0xe2"
	xor %eax, %eax
	in $(TD_SCRATCH + 2), %ax
	CHECK %eax, $0x12ab, "scratch: 16-bit read at 0xe2"

	/* IN must only replace the bytes it reads */
	mov $0xffff0000, %eax
	in $TD_SCRATCH, %ax
	CHECK %eax, $0xffff5678, "in %ax keeps EAX[31:16]"
	mov $0xffffff00, %eax
	in $(TD_SCRATCH + 3), %al
	CHECK %eax, $0xffffff12, "in %al keeps EAX[31:8]"

	/* ------------------------------------------------------------ */
	PRINT "realmode: string I/O\n"
	/* Fill OUT_BUF with (i * 13 + 5) & 0xff and sum it into EBP. */
	mov $BUF_SEG, %ax
	mov %ax, %es
	mov $OUT_BUF, %di
	mov $5, %al
	mov $100, %cx
	xor %ebp, %ebp
fill:
	stosb
	movzbl %al, %edx
	add %edx, %ebp
	add $13, %al
	loop fill

	out %al, $TD_COUNT		/* any write resets the sink */
	in $TD_COUNT, %eax
	CHECK %eax, $0, "sink_count is 0 after reset"

	/* rep outsb from DS = BUF_SEG: the segment base must be applied.
	 * The address size is 16 bits: only SI and CX count and change, so
	 * the junk in the upper halves of ESI and ECX must stay as it is. */
	mov $BUF_SEG, %ax
	mov %ax, %ds
	mov $0xdead0000, %esi
	mov $0xbeef0000, %ecx
	mov $OUT_BUF, %si
	mov $100, %cx
	mov $TD_DATA, %dx
	rep outsb
	mov %esi, %ebx
	xor %ax, %ax
	mov %ax, %ds			/* back to DS = 0 before any CHECK */
	CHECK %ecx, $0xbeef0000, "rep outsb (16-bit addressing): ECX = 0xbeef0000 afterwards"
	CHECK %ebx, $(0xdead0000 + OUT_BUF + 100), "rep outsb (16-bit addressing): SI advanced by 100, ESI[31:16] kept"
	in $TD_COUNT, %eax
	CHECK %eax, $100, "rep outsb: sink_count = 100"
	in $TD_SUM, %eax
	CHECK %eax, %ebp, "rep outsb: sink_sum"

	/* wider OUTs add all their bytes; rep with CX = 0 adds nothing */
	mov $0x04030201, %eax
	out %eax, $TD_DATA
	mov $0x0605, %ax
	out %ax, $TD_DATA
	xor %cx, %cx
	mov $TD_DATA, %dx
	rep outsb
	add $21, %ebp
	in $TD_COUNT, %eax
	CHECK %eax, $106, "out 32+16-bit: sink_count = 106"
	in $TD_SUM, %eax
	CHECK %eax, %ebp, "out 32+16-bit: sink_sum"

	/* rep outsw: 10 words = the first 20 bytes of OUT_BUF */
	xor %ebp, %ebp
	xor %bx, %bx
sum20:
	movzbl %es:OUT_BUF(%bx), %eax
	add %eax, %ebp
	inc %bx
	cmp $20, %bx
	jb sum20
	out %al, $TD_COUNT
	mov $BUF_SEG, %ax
	mov %ax, %ds
	mov $OUT_BUF, %si
	mov $10, %cx
	mov $TD_DATA, %dx
	rep outsw
	xor %ax, %ax
	mov %ax, %ds
	in $TD_COUNT, %eax
	CHECK %eax, $20, "rep outsw: sink_count = 20"
	in $TD_SUM, %eax
	CHECK %eax, %ebp, "rep outsw: sink_sum"

	/* rep insb into ES = BUF_SEG: byte k = (k * 7 + 3) & 0xff; the guard
	 * byte after the buffer must survive. */
	movb $0xee, %es:IN_GUARD
	out %al, $TD_COUNT		/* also resets the source position */
	mov $0x55aa0000, %edi
	mov $IN_BUF, %di
	mov $64, %cx
	mov $TD_DATA, %dx
	rep insb
	CHECK %edi, $(0x55aa0000 + IN_BUF + 64), "rep insb: DI advanced by 64, EDI[31:16] kept"
	xor %bx, %bx
	mov $3, %cl
check_insb:
	movzbl %es:IN_BUF(%bx), %eax
	movzbl %cl, %esi
	CHECK %eax, %esi, "rep insb: byte k = (k * 7 + 3) & 0xff"
	add $7, %cl
	inc %bx
	cmp $64, %bx
	jb check_insb
	movzbl %es:IN_GUARD, %eax
	CHECK %eax, $0xee, "rep insb: byte after the buffer untouched"

	/* the source continues at k = 64 for plain 16/32-bit INs */
	xor %eax, %eax
	in $TD_DATA, %ax
	CHECK %eax, $0xcac3, "in 16-bit from source (k = 64, 65)"
	in $TD_DATA, %eax
	CHECK %eax, $0xe6dfd8d1, "in 32-bit from source (k = 66..69)"

	/* rep insw: 4 words = source bytes 0..7 */
	out %al, $TD_COUNT
	mov $INW_BUF, %di
	mov $4, %cx
	rep insw
	CHECK %es:INW_BUF, $0x18110a03, "rep insw: bytes 0..3"
	CHECK %es:(INW_BUF + 4), $0x342d261f, "rep insw: bytes 4..7"

	/* DF = 1: rep insb stores downwards from DI */
	out %al, $TD_COUNT
	mov $(DOWN_BUF + 63), %di
	mov $64, %cx
	std
	rep insb
	cld
	movzwl %di, %eax
	CHECK %eax, $(DOWN_BUF - 1), "rep insb with DF=1: DI decremented by 64"
	movzbl %es:(DOWN_BUF + 63), %eax
	CHECK %eax, $3, "rep insb with DF=1: first byte at the top"
	movzbl %es:(DOWN_BUF + 62), %eax
	CHECK %eax, $10, "rep insb with DF=1: second byte below it"
	movzbl %es:DOWN_BUF, %eax
	CHECK %eax, $((63 * 7 + 3) & 0xff), "rep insb with DF=1: last byte at the bottom"
#endif /* !NO_TESTDEV */

	PASS

	GUEST_RUNTIME 16
