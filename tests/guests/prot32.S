/* SPDX-License-Identifier: GPL-2.0 */
/*
 * prot32.bin: 32-bit protected mode (flat GDT, no paging) with an IDT.
 *   - MMIO through the instruction emulator on the testdev scratch page:
 *     mov 8/16/32 (modrm, moffs, high-byte register, segment override),
 *     movzx/movsx, rep stos/movs RAM<->MMIO and MMIO<->MMIO, ALU
 *     read-modify-write and flags (or/and/add/sub/xor/inc/dec/not/neg,
 *     cmp, test), xchg, bt/bts/btr/btc including register bit offsets
 *     outside the addressed dword; the access counter counts exactly
 *   - CPUID 0x40000000 = "NyxNyxNyxNyx"
 *   - MSRs: SYSENTER_CS write/read; an unknown MSR raises #GP
 *   - exceptions through the IDT: #UD, #GP with a selector error code
 *   - 32-bit port and string I/O
 */
#include "guest.h"

#define M		%ebx		/* MMIO_BASE throughout the MMIO tests */
#define PATTERN		SCRATCH			/* 37 bytes: i * 29 + 1 */
#define COPY		(SCRATCH + 0x100)	/* MMIO -> RAM copy of it */
#define INBUF		(SCRATCH + 0x200)
#define MSR_SYSENTER_CS	0x174
#define MSR_BOGUS	0x12345678	/* in no MSR range of any CPU */

	GUEST_START main16

	CODE16
main16:
	PRINT "prot32: start\n"
	ENTER_PM32 main32

	CODE32
main32:
	LOAD_DATA_SEGS32
	SETUP_IDT32
	PRINT "prot32: protected mode\n"

	mov %cr0, %eax
	and $(CR0_PE | CR0_PG), %eax
	CHECK %eax, $CR0_PE, "CR0: PE set, PG clear"

	/* ------------------------------------------------------------ */
	PRINT "prot32: exceptions\n"
	TRY ud2
	CHECK fault_vector, $6, "ud2 raises #UD"
	mov $0x78, %ax			/* beyond the GDT limit */
	TRY mov %ax, %fs
	CHECK fault_vector, $13, "loading a selector past the GDT limit: #GP"
	CHECK fault_error, $0x78, "#GP error code is the selector"

	/* ------------------------------------------------------------ */
	PRINT "prot32: MSRs\n"
	mov $MSR_SYSENTER_CS, %ecx
	mov $0x10, %eax
	xor %edx, %edx
	wrmsr
	mov $-1, %eax
	mov $-1, %edx
	rdmsr
	CHECK %eax, $0x10, "SYSENTER_CS readback (low)"
	mov %edx, %eax
	CHECK %eax, $0, "SYSENTER_CS readback (high)"
#ifndef NO_TESTDEV
	/* QEMU TCG silently ignores unknown MSRs; nyx must inject #GP. */
	mov $MSR_BOGUS, %ecx
	TRY rdmsr
	CHECK fault_vector, $13, "rdmsr of an unknown MSR: #GP"
	CHECK fault_error, $0, "rdmsr #GP error code 0"
	mov $MSR_BOGUS, %ecx
	xor %eax, %eax
	xor %edx, %edx
	TRY wrmsr
	CHECK fault_vector, $13, "wrmsr of an unknown MSR: #GP"

	/* ------------------------------------------------------------ */
	mov $0x40000000, %eax
	cpuid
	mov %edx, %eax
	CHECK %ebx, $0x4e78794e, "CPUID.0x40000000 EBX = NyxN"
	CHECK %ecx, $0x794e7879, "CPUID.0x40000000 ECX = yxNy"
	CHECK %eax, $0x78794e78, "CPUID.0x40000000 EDX = xNyx"
#endif

	/* ------------------------------------------------------------ */
	PRINT "prot32: MMIO mov\n"
	mov $MMIO_BASE, M
#ifndef NO_TESTDEV
	mov MMIO_COUNTER, %eax
	mov %eax, counter0
#endif
	movb $0x5a, (M)
	movb $0, 1(M)
	movzbl (M), %eax
	CHECK %eax, $0x5a, "mmio: mov 8-bit write/read"
	movw $0x1234, 2(M)
	movzwl 2(M), %eax
	CHECK %eax, $0x1234, "mmio: mov 16-bit write/read"
	movl $0xdeadbeef, 4(M)
	mov 4(M), %eax
	CHECK %eax, $0xdeadbeef, "mmio: mov 32-bit imm write, read"
	mov $0xcafef00d, %ecx
	mov %ecx, 8(M)
	mov 8(M), %esi
	CHECK %esi, $0xcafef00d, "mmio: mov 32-bit from ECX, to ESI"
	CHECK 0(M), $0x1234005a, "mmio: dword view of the 8+16-bit writes"

	/* little endian views and unaligned reads */
	movzbl 7(M), %eax
	CHECK %eax, $0xde, "mmio: byte 3 of a dword"
	movzwl 5(M), %eax
	CHECK %eax, $0xadbe, "mmio: unaligned 16-bit read"
	mov 6(M), %eax
	CHECK %eax, $0xf00ddead, "mmio: 32-bit read across two dwords"
	mov $0x11223344, %eax
	movb 7(M), %ah
	CHECK %eax, $0x1122de44, "mmio: read into %ah"

	/* movzx / movsx */
	movsbl 7(M), %eax
	CHECK %eax, $0xffffffde, "mmio: movsbl"
	movswl 6(M), %eax
	CHECK %eax, $0xffffdead, "mmio: movswl"
	mov $0x11110000, %eax
	movsbw 7(M), %ax
	CHECK %eax, $0x1111ffde, "mmio: movsbw keeps EAX[31:16]"
	movzbw 7(M), %cx
	movzwl %cx, %eax
	CHECK %eax, $0xde, "mmio: movzbw"

	/* moffs encodings (A0-A3) */
	mov MMIO_BASE + 4, %eax
	CHECK %eax, $0xdeadbeef, "mmio: mov moffs32 -> EAX"
	mov $0x77, %al
	mov %al, MMIO_BASE + 0x11
	movzbl 0x11(M), %eax
	CHECK %eax, $0x77, "mmio: mov AL -> moffs8"

	/* segment override: FS based at MMIO_BASE */
	mov $SEL_MMIO, %ax
	mov %ax, %fs
	mov %fs:4, %eax
	CHECK %eax, $0xdeadbeef, "mmio: read through FS base"
	movl $0x600dcafe, %fs:0x18
	CHECK 0x18(M), $0x600dcafe, "mmio: write through FS base"
	mov $SEL_DATA32, %ax
	mov %ax, %fs

#ifndef NO_TESTDEV
	/* one dword write plus one dword read: exactly two accesses */
	mov MMIO_COUNTER, %esi
	movl $1, 0x20(M)
	mov 0x20(M), %eax
	mov MMIO_COUNTER, %eax
	sub %esi, %eax
	CHECK %eax, $2, "mmio counter: +2 for one write and one read"
#endif

	/* ------------------------------------------------------------ */
	PRINT "prot32: MMIO read-modify-write\n"
	movl $0x0f, 0x30(M)
	orl $0xf0, 0x30(M)
	CHECK 0x30(M), $0xff, "mmio: or imm"
	andl $0x3c, 0x30(M)
	CHECK 0x30(M), $0x3c, "mmio: and imm"
	addl $5, 0x30(M)
	CHECK 0x30(M), $0x41, "mmio: add imm"
	xorl $0xff, 0x30(M)
	CHECK 0x30(M), $0xbe, "mmio: xor imm"
	subl $0x0e, 0x30(M)
	CHECK 0x30(M), $0xb0, "mmio: sub imm"
	mov $0x0c, %ecx
	or %ecx, 0x30(M)
	CHECK 0x30(M), $0xbc, "mmio: or reg -> mem"
	add 0x30(M), %ecx
	CHECK %ecx, $0xc8, "mmio: add mem -> reg"
	andb $0xf0, 0x30(M)
	CHECK 0x30(M), $0xb0, "mmio: and 8-bit"
	addw $0x100, 0x30(M)
	CHECK 0x30(M), $0x1b0, "mmio: add 16-bit"

	/* flags from memory-destination arithmetic */
	movl $0xffffffff, 0x34(M)
	addl $1, 0x34(M)
	setc %al
	setz %cl
	movzbl %al, %eax
	CHECK %eax, $1, "mmio: add overflow sets CF"
	movzbl %cl, %eax
	CHECK %eax, $1, "mmio: add to zero sets ZF"
	CHECK 0x34(M), $0, "mmio: 0xffffffff + 1 = 0"

	/* cmp/test read MMIO and only set flags */
	movl $0x80, 0x38(M)
	cmpl $0x80, 0x38(M)
	CHECK_FLAG e, "mmio: cmp equal sets ZF"
	cmpl $0x81, 0x38(M)
	CHECK_FLAG b, "mmio: cmp below sets CF"
	mov $0x100, %eax
	cmp 0x38(M), %eax
	CHECK_FLAG a, "mmio: cmp reg, mem (above)"
	testl $0x80, 0x38(M)
	CHECK_FLAG nz, "mmio: test finds bit 7"
	testb $0x01, 0x38(M)
	CHECK_FLAG z, "mmio: test 8-bit finds no bit 0"
	CHECK 0x38(M), $0x80, "mmio: cmp/test did not write"

	/* xchg with memory */
	movl $0x11111111, 0x40(M)
	mov $0x22222222, %eax
	xchg %eax, 0x40(M)
	CHECK %eax, $0x11111111, "mmio: xchg returns the old value"
	CHECK 0x40(M), $0x22222222, "mmio: xchg stores the register"

	/* bit tests */
	movl $0x80000008, 0x50(M)
	movl $0, 0x54(M)
	btl $3, 0x50(M)
	CHECK_FLAG c, "mmio: bt imm, bit set"
	btl $4, 0x50(M)
	CHECK_FLAG nc, "mmio: bt imm, bit clear"
	btsl $5, 0x50(M)
	CHECK_FLAG nc, "mmio: bts returns the old (clear) bit"
	CHECK 0x50(M), $0x80000028, "mmio: bts sets the bit"
	mov $35, %ecx			/* register offset: bit 3 of 0x54 */
	btsl %ecx, 0x50(M)
	CHECK 0x54(M), $8, "mmio: bts reg offset 35 sets bit 3 of the next dword"
	CHECK 0x50(M), $0x80000028, "mmio: bts reg offset 35 leaves the first dword"
	mov $-1, %ecx			/* register offset -1: bit 31 of 0x50 */
	btl %ecx, 0x54(M)
	CHECK_FLAG c, "mmio: bt reg offset -1 tests bit 31 of the previous dword"
	btrl $3, 0x50(M)
	CHECK_FLAG c, "mmio: btr returns the old (set) bit"
	CHECK 0x50(M), $0x80000020, "mmio: btr clears the bit"
	btcl $0, 0x50(M)
	CHECK 0x50(M), $0x80000021, "mmio: btc flips the bit"

	/* unary read-modify-write */
	movl $5, 0x58(M)
	decl 0x58(M)
	CHECK 0x58(M), $4, "mmio: dec"
	incl 0x58(M)
	CHECK 0x58(M), $5, "mmio: inc"
	notl 0x58(M)
	CHECK 0x58(M), $0xfffffffa, "mmio: not"
	negl 0x58(M)
	CHECK 0x58(M), $6, "mmio: neg"

	/* ------------------------------------------------------------ */
	PRINT "prot32: MMIO string ops\n"
	mov $0xa5a5a5a5, %eax
	lea 0x100(M), %edi
	mov $16, %ecx
	rep stosl
	CHECK %ecx, $0, "rep stosl to mmio: ECX = 0"
	lea 0x140(M), %eax
	CHECK %edi, %eax, "rep stosl to mmio: EDI advanced by 64"
	xor %esi, %esi
	lea 0x100(M), %edi
check_stos:
	CHECK (%edi), $0xa5a5a5a5, "rep stosl to mmio: contents"
	add $4, %edi
	inc %esi
	cmp $16, %esi
	jb check_stos

	/* 37-byte pattern RAM -> MMIO (odd offset) -> RAM, then compare */
	mov $PATTERN, %edi
	mov $37, %ecx
	mov $1, %al
fill:
	stosb
	add $29, %al
	loop fill
	mov $PATTERN, %esi
	lea 0x201(M), %edi
	mov $37, %ecx
	rep movsb
	movzbl 0x201(M), %eax
	CHECK %eax, $1, "rep movsb RAM -> mmio: first byte"
	movzbl 0x201+36(M), %eax
	CHECK %eax, $((36 * 29 + 1) & 0xff), "rep movsb RAM -> mmio: last byte"
	lea 0x201(M), %esi
	mov $COPY, %edi
	mov $37, %ecx
	rep movsb
	CHECK %edi, $(COPY + 37), "rep movsb mmio -> RAM: EDI advanced"
	mov $PATTERN, %esi
	mov $COPY, %edi
	mov $37, %ecx
	repe cmpsb
	CHECK_FLAG e, "rep movsb RAM -> mmio -> RAM: data intact"

	/* both operands MMIO */
	lea 0x100(M), %esi
	lea 0x300(M), %edi
	mov $4, %ecx
	rep movsl
	CHECK 0x30c(M), $0xa5a5a5a5, "rep movsl mmio -> mmio"

#ifndef NO_TESTDEV
	mov MMIO_COUNTER, %eax
	sub counter0, %eax
	cmp $150, %eax			/* over 200 accesses above */
	CHECK_FLAG a, "mmio counter grew with all the accesses above"

	/* ------------------------------------------------------------ */
	PRINT "prot32: port I/O\n"
	mov $0xcafe1234, %eax
	out %eax, $TD_SCRATCH
	xor %eax, %eax
	in $TD_SCRATCH, %eax
	CHECK %eax, $0xcafe1234, "scratch: out/in 32-bit"

	/* rep outsl of 8 dwords (the first 32 pattern bytes) */
	xor %ebp, %ebp
	xor %esi, %esi
sum32:
	movzbl PATTERN(%esi), %eax
	add %eax, %ebp
	inc %esi
	cmp $32, %esi
	jb sum32
	out %al, $TD_COUNT
	mov $PATTERN, %esi
	mov $8, %ecx
	mov $TD_DATA, %dx
	rep outsl
	CHECK %esi, $(PATTERN + 32), "rep outsl: ESI advanced by 32"
	in $TD_COUNT, %eax
	CHECK %eax, $32, "rep outsl: sink_count = 32"
	in $TD_SUM, %eax
	CHECK %eax, %ebp, "rep outsl: sink_sum"

	out %al, $TD_COUNT
	mov $INBUF, %edi
	mov $2, %ecx
	mov $TD_DATA, %dx
	rep insl
	CHECK INBUF, $0x18110a03, "rep insl: bytes 0..3"
	CHECK INBUF + 4, $0x342d261f, "rep insl: bytes 4..7"
#endif

	PASS

	GUEST_RUNTIME 16
	GUEST_RUNTIME 32
	EXC_HANDLERS32

	.section .data
	.balign 4
counter0:	.long 0
