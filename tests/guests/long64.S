/* SPDX-License-Identifier: GPL-2.0 */
/*
 * long64.bin: 64-bit long mode with 4-level paging (identity map of the
 * first 4 GiB: 2 MiB pages, except the first 2 MiB in 4 KiB pages so that
 * single pages can be unmapped or aliased) and an IDT.
 *   - EFER.LME/LMA, CPUID vendor and hypervisor bit
 *   - MSRs: LSTAR, KERNEL_GS_BASE + swapgs, FS_BASE; #GP for an unknown
 *     MSR (not for a non-canonical LSTAR: QEMU's TCG, which is the
 *     "hardware" of the nested test VM, does not check that)
 *   - MMIO: 64-bit mov (movabs moffs, modrm, imm32 sign-extended), movslq,
 *     movzx/movsx to 64-bit, partial-register writes (32-bit zero-extends,
 *     8/16-bit do not), REX byte registers vs %ah, r8-r15 as base/index,
 *     64-bit RMW, bts above bit 31, FS_BASE override, an MMIO page mapped
 *     at a different linear address, rep stosq/movsq
 *   - #PF: unmapped page (CR2, error code for read and write), remap with
 *     invlpg, accessed/dirty bits; #GP for a non-canonical address
 *   - string I/O into a page whose linear and physical addresses differ
 */
#include "guest.h"

#define PML4		(PAGE_TABLES + 0x0000)
#define PDPT		(PAGE_TABLES + 0x1000)
#define PD0		(PAGE_TABLES + 0x2000)	/* four PDs, 0x12000-0x15fff */
#define PT0		(PAGE_TABLES + 0x6000)	/* 4 KiB pages of 0-2 MiB */
#define PTE_P		0x001
#define PTE_RW		0x002
#define PTE_PS		0x080
#define PTE_A		0x020
#define PTE_D		0x040

#define TEST_PAGE	0x40000			/* unmapped and remapped */
#define ALIAS_MMIO	0x1ff000		/* PT0[511] -> MMIO_BASE */
#define ALIAS_RAM	0x1fe000		/* PT0[510] -> RAM_TARGET */
#define RAM_TARGET	(SCRATCH + 0x1000)
#define QBUF		(SCRATCH + 0x2000)	/* rep movsq source/dest */

#define MSR_FS_BASE		0xc0000100
#define MSR_GS_BASE		0xc0000101
#define MSR_KERNEL_GS_BASE	0xc0000102
#define MSR_LSTAR		0xc0000082
#define MSR_BOGUS		0x12345678

#define M		%rbx		/* MMIO_BASE */

	GUEST_START main16

	CODE16
main16:
	PRINT "long64: start\n"
	ENTER_PM32 main32

	CODE32
main32:
	LOAD_DATA_SEGS32

	/* page tables: clear 7 pages, then fill */
	mov $PAGE_TABLES, %edi
	xor %eax, %eax
	mov $(7 * 4096 / 4), %ecx
	rep stosl
	movl $(PDPT | PTE_P | PTE_RW), PML4
	mov $PDPT, %edi
	mov $(PD0 | PTE_P | PTE_RW), %eax
	mov $4, %ecx
fill_pdpt:
	mov %eax, (%edi)
	add $0x1000, %eax
	add $8, %edi
	loop fill_pdpt
	mov $PD0, %edi
	mov $(PTE_P | PTE_RW | PTE_PS), %eax
	mov $2048, %ecx
fill_pd:
	mov %eax, (%edi)
	add $0x200000, %eax
	add $8, %edi
	loop fill_pd
	movl $(PT0 | PTE_P | PTE_RW), PD0
	mov $PT0, %edi
	mov $(PTE_P | PTE_RW), %eax
	mov $512, %ecx
fill_pt:
	mov %eax, (%edi)
	add $0x1000, %eax
	add $8, %edi
	loop fill_pt
	movl $(MMIO_BASE | PTE_P | PTE_RW), PT0 + 511 * 8
	movl $(RAM_TARGET | PTE_P | PTE_RW), PT0 + 510 * 8

	/* PAE, CR3, EFER.LME, then paging: long mode (compatibility) */
	ENTER_LONG_MODE PML4, main64

	CODE64
main64:
	mov $SEL_DATA32, %ax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %ss
	mov $STACK_TOP, %esp
	SETUP_IDT64
	PRINT "long64: long mode\n"

	mov $MSR_EFER, %ecx
	rdmsr
	and $(EFER_LME | EFER_LMA), %eax
	CHECK %rax, $(EFER_LME | EFER_LMA), "EFER: LME and LMA set"
	mov %cr0, %rax
	mov $(CR0_PG | CR0_PE), %ecx
	and %rcx, %rax
	CHECK %rax, %rcx, "CR0: PG and PE set"

	/* ------------------------------------------------------------ */
	xor %eax, %eax
	cpuid
	mov %edx, %eax
	cmp $0x68747541, %ebx		/* "Auth" */
	jne not_amd
	CHECK %rax, $0x69746e65, "CPUID.0 vendor AuthenticAMD (EDX)"
	CHECK %rcx, $0x444d4163, "CPUID.0 vendor AuthenticAMD (ECX)"
	jmp vendor_ok
not_amd:
	CHECK %rbx, $0x756e6547, "CPUID.0 vendor is GenuineIntel or AuthenticAMD"
	CHECK %rax, $0x49656e69, "CPUID.0 vendor GenuineIntel (EDX)"
	CHECK %rcx, $0x6c65746e, "CPUID.0 vendor GenuineIntel (ECX)"
vendor_ok:
	mov $1, %eax
	cpuid
	bt $31, %ecx
	CHECK_FLAG c, "CPUID.1:ECX[31] hypervisor bit"

	/* ------------------------------------------------------------ */
	PRINT "long64: MSRs\n"
	movabs $0xffffffff81000000, %rsi
	mov $MSR_LSTAR, %ecx
	mov %esi, %eax
	mov %rsi, %rdx
	shr $32, %rdx
	wrmsr
	call read_msr
	CHECK %rax, %rsi, "LSTAR readback"

	movabs $0x0000123456789000, %rsi
	mov $MSR_KERNEL_GS_BASE, %ecx
	mov %esi, %eax
	mov %rsi, %rdx
	shr $32, %rdx
	wrmsr
	call read_msr
	CHECK %rax, %rsi, "KERNEL_GS_BASE readback"
	swapgs
	mov $MSR_GS_BASE, %ecx
	call read_msr
	CHECK %rax, %rsi, "swapgs: GS_BASE = old KERNEL_GS_BASE"
	mov $MSR_KERNEL_GS_BASE, %ecx
	call read_msr
	CHECK %rax, $0, "swapgs: KERNEL_GS_BASE = old GS_BASE (0)"
	swapgs

#ifndef NO_TESTDEV
	mov $MSR_BOGUS, %ecx
	xor %eax, %eax
	xor %edx, %edx
	TRY wrmsr
	CHECK fault_vector, $13, "wrmsr of an unknown MSR: #GP"
#endif

	/* ------------------------------------------------------------ */
	PRINT "long64: MMIO\n"
	mov $MMIO_BASE, %ebx
	movabs $0x0123456789abcdef, %rsi
	mov %rsi, %rax
	movabs %rax, MMIO_BASE
	mov (M), %rcx
	CHECK %rcx, %rsi, "mmio: movabs store, 64-bit modrm load"
	xor %eax, %eax
	movabs MMIO_BASE, %rax
	CHECK %rax, %rsi, "mmio: movabs load"
	mov %rsi, 8(M)
	mov 8(M), %eax
	mov $0x89abcdef, %ecx
	CHECK %rax, %rcx, "mmio: low dword of a 64-bit write"
	mov 12(M), %eax
	CHECK %rax, $0x01234567, "mmio: high dword of a 64-bit write"
	movq $-2, 0x10(M)
	mov 0x10(M), %rax
	CHECK %rax, $-2, "mmio: movq imm32 is sign-extended"

	movl $0x80000000, 0x18(M)
	movslq 0x18(M), %rax
	CHECK %rax, $-0x80000000, "mmio: movslq sign-extends"
	mov $-1, %r12
	movl 0x18(M), %r12d
	mov $0x80000000, %ecx
	CHECK %r12, %rcx, "mmio: 32-bit load zero-extends into r12"
	mov $-1, %r13
	movw 0x18(M), %r13w
	CHECK %r13, $-0x10000, "mmio: 16-bit load keeps r13[63:16]"
	mov $-1, %r14
	movb 0x1b(M), %r14b
	CHECK %r14, $-0x80, "mmio: 8-bit load keeps r14[63:8]"

	movb $0x42, 0x20(M)
	xor %esi, %esi
	movb 0x20(M), %sil
	CHECK %rsi, $0x42, "mmio: load into %sil (REX byte register)"
	xor %eax, %eax
	movb 0x20(M), %ah
	CHECK %rax, $0x4200, "mmio: load into %ah (no REX)"

	/* r8-r15 as base, index and data */
	mov M, %r10
	mov $3, %r11
	movabs $0x1122334455667788, %r9
	mov %r9, 0x28(%r10, %r11, 8)		/* M + 0x40 */
	mov 0x40(M), %rax
	CHECK %rax, %r9, "mmio: store r9 via (r10 + r11 * 8)"
	mov 0x28(%r10, %r11, 8), %r8
	CHECK %r8, %r9, "mmio: load r8 via (r10 + r11 * 8)"
	movzbq 0x47(M), %rax
	CHECK %rax, $0x11, "mmio: movzbq"
	movsbq 0x40(M), %rax
	CHECK %rax, $-0x78, "mmio: movsbq"
	movswq 0x40(M), %rax
	CHECK %rax, $0x7788, "mmio: movswq (positive)"

	/* 64-bit read-modify-write: do the same on a register and compare */
	movq $1, 0x48(M)
	add %r9, 0x48(M)
	lea 1(%r9), %rcx
	CHECK 0x48(M), %rcx, "mmio: add r64 -> mem"
	orq $0xf0, 0x48(M)
	or $0xf0, %rcx
	CHECK 0x48(M), %rcx, "mmio: or imm -> mem64"
	subq $-1, 0x48(M)
	sub $-1, %rcx
	CHECK 0x48(M), %rcx, "mmio: sub sign-extended imm -> mem64"
	movq $0, 0x50(M)
	btsq $40, 0x50(M)
	mov $1, %ecx
	shl $40, %rcx
	CHECK 0x50(M), %rcx, "mmio: btsq bit 40"
	mov %r9, 0x58(M)
	mov %rsi, %rax
	xchg %rax, 0x58(M)
	CHECK %rax, %r9, "mmio: xchg r64 returns the old value"
	CHECK 0x58(M), %rsi, "mmio: xchg r64 stores the register"

	/* FS_BASE segment override */
	mov $MSR_FS_BASE, %ecx
	mov $MMIO_BASE, %eax
	xor %edx, %edx
	wrmsr
	mov %fs:0x40, %rax
	CHECK %rax, %r9, "mmio: read through FS_BASE"

	/* the same MMIO page at another linear address (PT0[511]) */
	mov ALIAS_MMIO + 0x40, %rax
	CHECK %rax, %r9, "mmio: read via a 4 KiB alias mapping"
	movl $0xa11a5, ALIAS_MMIO + 0x60
	CHECK 0x60(M), $0xa11a5, "mmio: write via a 4 KiB alias mapping"

	/* rep stosq, rep movsq RAM -> MMIO -> RAM */
	mov $0x5555aaaa, %eax
	lea 0x100(M), %rdi
	mov $8, %ecx
	rep stosq
	CHECK %rcx, $0, "rep stosq to mmio: RCX = 0"
	mov $0x5555aaaa, %eax
	CHECK 0x138(M), %rax, "rep stosq to mmio: last qword"
	mov $QBUF, %edi
	mov %r9, %rax
	mov $8, %ecx
fill_q:
	stosq
	rol $8, %rax
	loop fill_q
	mov $QBUF, %esi
	lea 0x200(M), %rdi
	mov $8, %ecx
	rep movsq
	lea 0x200(M), %rsi
	mov $(QBUF + 64), %edi
	mov $8, %ecx
	rep movsq
	CHECK %rdi, $(QBUF + 128), "rep movsq mmio -> RAM: RDI advanced"
	mov $QBUF, %esi
	mov $(QBUF + 64), %edi
	mov $8, %ecx
	repe cmpsq
	CHECK_FLAG e, "rep movsq RAM -> mmio -> RAM: data intact"

	/* ------------------------------------------------------------ */
	PRINT "long64: paging\n"
	movl $0x600d600d, TEST_PAGE + 0x100
	mov PT0 + (TEST_PAGE >> 12) * 8, %rax
	and $(PTE_A | PTE_D), %eax
	CHECK %rax, $(PTE_A | PTE_D), "PTE accessed and dirty bits set by a write"
	andq $~PTE_P, PT0 + (TEST_PAGE >> 12) * 8
	invlpg TEST_PAGE
	TRY mov TEST_PAGE + 0x123, %eax
	CHECK fault_vector, $14, "read of an unmapped page: #PF"
	CHECK fault_cr2, $(TEST_PAGE + 0x123), "#PF: CR2 is the faulting address"
	CHECK fault_error, $0, "#PF error code: not present, read"
	TRY movl $1, TEST_PAGE + 0x124
	CHECK fault_vector, $14, "write to an unmapped page: #PF"
	CHECK fault_error, $2, "#PF error code: not present, write"
	orq $PTE_P, PT0 + (TEST_PAGE >> 12) * 8
	invlpg TEST_PAGE
	mov TEST_PAGE + 0x100, %eax
	CHECK %rax, $0x600d600d, "page readable again after remap + invlpg"

	movabs $0x8000000000000000, %rax
	TRY mov (%rax), %ecx
	CHECK fault_vector, $13, "non-canonical address: #GP"

#ifndef NO_TESTDEV
	/* ------------------------------------------------------------ */
	PRINT "long64: string I/O\n"
	/* rep insb to ALIAS_RAM must land in RAM_TARGET (paging applied) */
	movb $0xee, RAM_TARGET + 16
	out %al, $TD_COUNT
	mov $ALIAS_RAM, %edi
	mov $16, %ecx
	mov $TD_DATA, %dx
	rep insb
	CHECK %rdi, $(ALIAS_RAM + 16), "rep insb: RDI advanced by 16"
	mov RAM_TARGET, %rax
	movabs $0x34 << 56 | 0x2d << 48 | 0x26 << 40 | 0x1f << 32 | 0x18110a03, %rcx
	CHECK %rax, %rcx, "rep insb through a 4 KiB mapping: bytes 0..7"
	movzbl RAM_TARGET + 15, %eax
	CHECK %rax, $((15 * 7 + 3) & 0xff), "rep insb through a 4 KiB mapping: byte 15"
	movzbl RAM_TARGET + 16, %eax
	CHECK %rax, $0xee, "rep insb: byte after the buffer untouched"
	/* and rep outsb back from the alias: sum of the 16 bytes */
	out %al, $TD_COUNT
	mov $ALIAS_RAM, %esi
	mov $16, %ecx
	rep outsb
	in $TD_COUNT, %eax
	CHECK %rax, $16, "rep outsb from a 4 KiB mapping: sink_count"
	in $TD_SUM, %eax
	CHECK %rax, $(16 * 3 + 7 * 120), "rep outsb from a 4 KiB mapping: sink_sum"
#endif

	PASS

/* rdmsr of %ecx into %rax (64-bit) */
read_msr:
	rdmsr
	shl $32, %rdx
	or %rdx, %rax
	ret

	GUEST_RUNTIME 16
	GUEST_RUNTIME 64
	EXC_HANDLERS64
