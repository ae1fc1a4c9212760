/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vhostile.bin: a hostile virtio driver. Run with two disks:
 *
 *   nyx run --disk A.img --disk B.img --flat vhostile.bin
 *
 * A.img and B.img are 1 MiB; sector 0 of A holds "NYX-VHOSTILE-AA\n" 32
 * times, B "NYX-VHOSTILE-BB\n" (tests/vm/suite.sh makes them with dd).
 *
 * 32-bit protected mode, no paging, interrupts off (everything is polled).
 *   - finds the two virtio-blk functions (1af4:1042) on bus 0 through
 *     CF8/CFC (and checks that ECAM at 0xe0000000 agrees), walks their
 *     virtio_pci_cap lists for the common, notify, ISR and device
 *     configuration regions, reads the capacity
 *   - for each case of the table below, on disk A: reset (status 0, wait
 *     for 0), negotiate VERSION_1 + INDIRECT_DESC, queue 0 of 16 entries
 *     set up by hand, the case's descriptors (and indirect table) written,
 *     one avail entry, a 16-bit notify; then a bad chain must give
 *     NEEDS_RESET (0x40) in device_status within a bounded wait, nothing in
 *     the used ring and the configuration bit in the ISR, and a good one
 *     (zero-length data buffer, indirect read) must complete
 *   - queue rings outside RAM: NEEDS_RESET at queue_enable
 *   - disk A broken, disk B still reads its sector 0 (direct and indirect
 *     chains); A stays broken and ignores kicks; after a reset A reads its
 *     sector 0 again
 *   - with a third disk C (1 MiB, "NYX-VHOSTILE-CC\n"; tests/vm/quarantine.sh):
 *     C reads, is broken by a chain that loops, and the guest waits (a
 *     long, bounded wait) for the operator's device-reset on the control
 *     socket: device_status then reads 0 without the guest writing it,
 *     the queue is off, the ISR has the configuration bit; C is set up
 *     again and reads its sector 0
 *   - prints "vhostile: device errors: N" (the suite checks that the
 *     launcher logged exactly N device errors, all on disk A; C's counts
 *     when it is there)
 * Every wait reads a device register on each round, so it exits to the
 * host (Bochs never interrupts a nested guest that spins with IF=0) and
 * is bounded by WAIT_LOOPS rounds.
 */
#include "guest.h"

#define PCI_ADDR(slot)	(0x80000000 | ((slot) << 11))
#define PCI_CONFIG_ADDR	0xcf8
#define PCI_CONFIG_DATA	0xcfc
#define ECAM_BASE	0xe0000000
#define VIRTIO_BLK_ID	0x10421af4	/* device << 16 | vendor */
#define PCI_CAP_ID_VNDR	0x09

/* common configuration */
#define C_DFSELECT	0x00
#define C_DF		0x04
#define C_GFSELECT	0x08
#define C_GF		0x0c
#define C_STATUS	0x14
#define C_QSELECT	0x16
#define C_QSIZE		0x18
#define C_QENABLE	0x1c
#define C_QNOFF		0x1e
#define C_QDESC		0x20
#define C_QAVAIL	0x28
#define C_QUSED		0x30

#define S_ACK		0x01
#define S_DRIVER	0x02
#define S_DRIVER_OK	0x04
#define S_FEATURES_OK	0x08
#define S_NEEDS_RESET	0x40
#define ISR_CONFIG	0x02

#define F_INDIRECT	(1 << 28)	/* feature word 0 */
#define F_VERSION_1	(1 << 0)	/* feature word 1 (bit 32) */

#define D_NEXT		1
#define D_WRITE		2
#define D_INDIRECT	4

#define QSIZE		16
#define WAIT_LOOPS	100000

/* Per-device bookkeeping (DEV_SIZE bytes at devs). The four region
 * addresses sit at 4 * virtio_pci_cap cfg_type. */
#define D_CFG		0	/* CONFIG_ADDRESS of the function */
#define D_COMMON	4	/* cfg_type 1 */
#define D_NOTIFY	8	/* cfg_type 2 */
#define D_ISR		12	/* cfg_type 3 */
#define D_DEVCFG	16	/* cfg_type 4 */
#define D_NMULT		20	/* notify_off_multiplier */
#define D_RING		24	/* guest RAM for rings and buffers */
#define D_QNOTIFY	28	/* queue 0's notify address */
#define D_AVAIL		32	/* chains made available since setup */
#define D_DESCHI	36	/* high dword of queue_desc (normally 0) */
#define D_PATTERN	40	/* 16 bytes sector 0 repeats */
#define D_SLOT		44
#define DEV_SIZE	48

/* Guest RAM of one device, from D_RING */
#define R_DESC		0x0000
#define R_AVAIL		0x1000
#define R_USED		0x2000
#define R_IND		0x3000
#define R_HDR		0x4000
#define R_DATA		0x5000
#define R_STATUS	0x6000
#define R_SIZE		0x7000

#define RING_A		0x30000
#define RING_B		0x40000
#define RING_C		0x50000
#define OPERATOR_LOOPS	100	/* x WAIT_LOOPS register reads */
#define A_HDR		(RING_A + R_HDR)
#define A_DATA		(RING_A + R_DATA)
#define A_STATUS	(RING_A + R_STATUS)
#define A_IND		(RING_A + R_IND)
#define OUTSIDE		0x1000000000	/* 64 GiB: no RAM there */

/* Case table: 16-byte header, 4 descriptors, 4 indirect-table entries */
#define EXP_RESET	0	/* NEEDS_RESET, nothing used */
#define EXP_DONE	1	/* completes with status OK */
#define EXP_DATA	2	/* completes, data is disk A's sector 0 */
#define CASE_DESC	16
#define CASE_IND	80
#define CASE_SIZE	144

.macro CASE name, head, inc, expect
	.set case_start, .
	.pushsection .rodata
.Lname\@: .asciz "\name"
	.popsection
	.word \head, \inc
	.long \expect, .Lname\@, 0
.endm
.macro DESC addr, len, flags, next
	.quad \addr
	.long \len
	.word \flags, \next
.endm
.macro INDIRECT_TABLE
	.org case_start + CASE_IND
.endm
.macro CASE_END
	.org case_start + CASE_SIZE
.endm

	GUEST_START main16

	CODE16
main16:
	PRINT "vhostile: start\n"
	ENTER_PM32 main32

	CODE32
main32:
	LOAD_DATA_SEGS32
	SETUP_IDT32

	movl $RING_A, devs + D_RING
	movl $pattern_a, devs + D_PATTERN
	movl $RING_B, devs + DEV_SIZE + D_RING
	movl $pattern_b, devs + DEV_SIZE + D_PATTERN
	movl $RING_C, devs + 2 * DEV_SIZE + D_RING
	movl $pattern_c, devs + 2 * DEV_SIZE + D_PATTERN

	/* ------------------------------------------------------------ */
	PRINT "vhostile: PCI scan\n"
	xor %edi, %edi
scan:
	mov %edi, %eax
	shl $11, %eax
	or $0x80000000, %eax
	mov %eax, %ebx
	call pci_read_at
	cmp $VIRTIO_BLK_ID, %eax
	jne scan_next
	mov ndev, %eax
	cmp $3, %eax
	jae scan_count
	imul $DEV_SIZE, %eax, %ebp
	add $devs, %ebp
	mov %ebx, D_CFG(%ebp)
	mov %edi, D_SLOT(%ebp)
	push %edi
	call dev_probe
	pop %edi
scan_count:
	incl ndev
scan_next:
	inc %edi
	cmp $32, %edi
	jb scan
	mov ndev, %eax
	cmp $3, %eax
	jne 1f
	movl $1, have_c
	mov $2, %eax
1:	CHECK %eax, $2, "two (or three) virtio-blk functions (1af4:1042) on bus 0"

	/* ------------------------------------------------------------ */
	mov $devs, %ebp				/* disk A */
	mov $cases, %esi
case_loop:
	mov %esi, case_ptr
	call run_case
	mov case_ptr, %esi
	add $CASE_SIZE, %esi
	cmp $cases_end, %esi
	jb case_loop

	/* ------------------------------------------------------------ */
	PRINT "vhostile: case: queue rings outside guest RAM\n"
	movl $(OUTSIDE >> 32), D_DESCHI(%ebp)
	call dev_negotiate
	call dev_queue
	movl $0, D_DESCHI(%ebp)
	mov D_COMMON(%ebp), %ebx
	movzbl C_STATUS(%ebx), %eax
	and $S_NEEDS_RESET, %eax
	CHECK %eax, $S_NEEDS_RESET, "rings outside RAM: NEEDS_RESET at queue_enable"
	call wait_isr_config
	CHECK %eax, $ISR_CONFIG, "rings outside RAM: configuration change in the ISR"
	incl nerrors

	/* ------------------------------------------------------------ */
	PRINT "vhostile: disk B works while disk A is broken\n"
	mov $cases, %esi			/* the descriptor loop */
	mov %esi, case_ptr
	call run_case
	mov $(devs + DEV_SIZE), %ebp
	call dev_setup
	xor %eax, %eax
	call good_read
	mov $1, %eax
	call good_read

	mov $devs, %ebp
	mov D_COMMON(%ebp), %ebx
	movzbl C_STATUS(%ebx), %eax
	and $S_NEEDS_RESET, %eax
	CHECK %eax, $S_NEEDS_RESET, "disk A still NEEDS_RESET after disk B's reads"
	/* a broken device ignores new chains */
	call fill_req
	mov D_RING(%ebp), %edi
	mov %edi, %ebx
	add $R_DESC, %ebx
	call build_read
	xor %eax, %eax
	mov $1, %ecx
	call submit
	mov $1000, %ecx				/* give it time to misbehave */
1:	mov D_COMMON(%ebp), %ebx
	movzbl C_STATUS(%ebx), %eax
	loop 1b
	mov D_RING(%ebp), %edi
	movzwl R_USED + 2(%edi), %eax
	CHECK %eax, $0, "a broken device completes nothing"

	PRINT "vhostile: disk A works again after a reset\n"
	call dev_setup
	xor %eax, %eax
	call good_read
	mov $1, %eax
	call good_read

	cmpl $0, have_c
	je 9f
	call operator_reset
9:
	PRINT "vhostile: device errors: "
	mov nerrors, %eax
	call guest_putdec32
	PRINT "\n"
	PASS

/* ------------------------------------------------------------------ */
/* Disk C: broken by the guest, brought back by the operator's
 * device-reset (the launcher's quarantine, class guest). */
operator_reset:
	PRINT "vhostile: disk C reads\n"
	mov $(devs + 2 * DEV_SIZE), %ebp
	call dev_setup
	xor %eax, %eax
	call good_read
	/* head 0 chains to itself */
	mov D_RING(%ebp), %edi
	lea R_HDR(%edi), %eax
	mov %eax, R_DESC(%edi)
	movl $0, R_DESC + 4(%edi)
	movl $16, R_DESC + 8(%edi)
	movw $D_NEXT, R_DESC + 12(%edi)
	movw $0, R_DESC + 14(%edi)
	xor %eax, %eax
	mov $1, %ecx
	call submit
	call wait_needs_reset
	and $S_NEEDS_RESET, %eax
	CHECK %eax, $S_NEEDS_RESET, "disk C: a chain that loops gives NEEDS_RESET"
	call wait_isr_config
	CHECK %eax, $ISR_CONFIG, "disk C: configuration change in the ISR"
	incl nerrors
	PRINT "vhostile: disk C broken, waiting for device-reset\n"
	/* until device_status reads 0: the guest never writes it here */
	mov D_COMMON(%ebp), %ebx
	mov $OPERATOR_LOOPS, %edx
1:	mov $WAIT_LOOPS, %ecx
2:	movzbl C_STATUS(%ebx), %eax
	test %eax, %eax
	jz 3f
	pause
	loop 2b
	dec %edx
	jnz 1b
3:	CHECK %eax, $0, "disk C: device_status 0 after device-reset"
	call wait_isr_config
	CHECK %eax, $ISR_CONFIG, "disk C: configuration interrupt after device-reset"
	mov D_COMMON(%ebp), %ebx
	movw $0, C_QSELECT(%ebx)
	movzwl C_QENABLE(%ebx), %eax
	CHECK %eax, $0, "disk C: queue 0 disabled after device-reset"
	movl $1, C_GFSELECT(%ebx)
	mov C_GF(%ebx), %eax
	CHECK %eax, $0, "disk C: driver features cleared after device-reset"
	PRINT "vhostile: disk C was reset, setting it up again\n"
	call dev_setup
	xor %eax, %eax
	call good_read
	mov $1, %eax
	call good_read
	PRINT "vhostile: disk C works again after device-reset\n"
	ret

/* ------------------------------------------------------------------ */
/* PCI configuration space through CF8/CFC. %eax: CONFIG_ADDRESS of any
 * byte; returns the dword holding it, shifted so that the byte is bits
 * 7:0. Clobbers %edx. */
pci_read_at:
	push %ecx
	mov %eax, %ecx
	and $3, %ecx
	shl $3, %ecx
	and $~3, %eax
	mov $PCI_CONFIG_ADDR, %dx
	out %eax, (%dx)
	mov $PCI_CONFIG_DATA, %dx
	in (%dx), %eax
	shr %cl, %eax
	pop %ecx
	ret

/* %ebp: device, %eax: BAR index -> %eax: its memory address. Preserves
 * %ecx, %esi, %edi. */
bar_addr:
	push %ecx
	lea 0x10(,%eax,4), %eax
	add D_CFG(%ebp), %eax
	push %eax
	call pci_read_at
	mov %eax, %ecx
	pop %eax
	test $1, %cl
	CHECK_FLAG z, "virtio capability points at a memory BAR"
	mov %ecx, %edx
	and $6, %edx
	cmp $4, %edx
	jne 1f
	add $4, %eax
	call pci_read_at
	CHECK %eax, $0, "64-bit BAR below 4 GiB"
1:	mov %ecx, %eax
	and $~0xf, %eax
	pop %ecx
	ret

/* %ebp: device (D_CFG, D_SLOT set): regions, memory decode, capacity. */
dev_probe:
#ifndef NO_TESTDEV
	mov D_SLOT(%ebp), %eax
	shl $15, %eax
	add $ECAM_BASE, %eax
	mov (%eax), %eax
	CHECK %eax, $VIRTIO_BLK_ID, "ECAM reads the vendor/device ID CF8/CFC reads"
#endif
	/* COMMAND: memory space and bus master on (16-bit write) */
	mov D_CFG(%ebp), %eax
	add $4, %eax
	push %eax
	call pci_read_at
	or $6, %eax
	mov %eax, %ecx
	pop %eax
	mov $PCI_CONFIG_ADDR, %dx
	out %eax, (%dx)
	mov %ecx, %eax
	mov $PCI_CONFIG_DATA, %dx
	out %ax, (%dx)

	mov D_CFG(%ebp), %eax
	add $6, %eax
	call pci_read_at
	test $0x10, %al
	CHECK_FLAG nz, "status register: capability list"
	mov D_CFG(%ebp), %eax
	add $0x34, %eax
	call pci_read_at
	movzbl %al, %esi
	and $0xfc, %esi
	movl $48, cap_budget			/* a cap list that loops */
cap_walk:
	test %esi, %esi
	jz cap_done
	decl cap_budget
	CHECK_FLAG nz, "capability list ends within 48 entries"
	mov D_CFG(%ebp), %eax
	add %esi, %eax
	call pci_read_at
	mov %eax, cap_hdr
	cmp $PCI_CAP_ID_VNDR, %al
	jne cap_next
	movzbl cap_hdr + 3, %ecx		/* cfg_type */
	cmp $1, %ecx
	jb cap_next
	cmp $4, %ecx
	ja cap_next
	cmpl $0, (%ebp,%ecx,4)			/* the first of a type wins */
	jne cap_next
	mov D_CFG(%ebp), %eax
	lea 4(%eax,%esi), %eax
	call pci_read_at
	movzbl %al, %eax			/* bar */
	cmp $5, %eax
	CHECK_FLAG be, "virtio capability BAR index <= 5"
	call bar_addr
	mov %eax, cap_bar
	mov D_CFG(%ebp), %eax
	lea 8(%eax,%esi), %eax
	call pci_read_at			/* offset */
	add cap_bar, %eax
	mov %eax, (%ebp,%ecx,4)
	cmp $2, %ecx
	jne cap_next
	mov D_CFG(%ebp), %eax
	lea 16(%eax,%esi), %eax
	call pci_read_at
	mov %eax, D_NMULT(%ebp)
cap_next:
	movzbl cap_hdr + 1, %esi
	and $0xfc, %esi
	jmp cap_walk
cap_done:
	cmpl $0, D_COMMON(%ebp)
	CHECK_FLAG ne, "common configuration capability"
	cmpl $0, D_NOTIFY(%ebp)
	CHECK_FLAG ne, "notify capability"
	cmpl $0, D_ISR(%ebp)
	CHECK_FLAG ne, "ISR capability"
	cmpl $0, D_DEVCFG(%ebp)
	CHECK_FLAG ne, "device configuration capability"
	mov D_DEVCFG(%ebp), %ebx
	mov (%ebx), %eax
	CHECK %eax, $2048, "capacity: 2048 sectors (low dword)"
	mov 4(%ebx), %eax
	CHECK %eax, $0, "capacity (high dword)"
	ret

/* ------------------------------------------------------------------ */
/* %ebp: device. Reset, clear its RAM, negotiate VERSION_1 +
 * INDIRECT_DESC up to FEATURES_OK. */
dev_negotiate:
	mov D_COMMON(%ebp), %ebx
	movb $0, C_STATUS(%ebx)
	mov $WAIT_LOOPS, %ecx
1:	movzbl C_STATUS(%ebx), %eax
	test %eax, %eax
	jz 2f
	pause
	loop 1b
2:	CHECK %eax, $0, "device_status reads 0 after a reset"
	mov D_RING(%ebp), %edi
	xor %eax, %eax
	mov $(R_SIZE / 4), %ecx
	rep stosl
	movl $0, D_AVAIL(%ebp)

	movb $S_ACK, C_STATUS(%ebx)
	movb $(S_ACK | S_DRIVER), C_STATUS(%ebx)
	movl $1, C_DFSELECT(%ebx)
	mov C_DF(%ebx), %eax
	and $F_VERSION_1, %eax
	CHECK %eax, $F_VERSION_1, "device offers VERSION_1"
	movl $0, C_DFSELECT(%ebx)
	mov C_DF(%ebx), %eax
	and $F_INDIRECT, %eax
	CHECK %eax, $F_INDIRECT, "device offers INDIRECT_DESC"
	movl $0, C_GFSELECT(%ebx)
	movl $F_INDIRECT, C_GF(%ebx)
	movl $1, C_GFSELECT(%ebx)
	movl $F_VERSION_1, C_GF(%ebx)
	movb $(S_ACK | S_DRIVER | S_FEATURES_OK), C_STATUS(%ebx)
	movzbl C_STATUS(%ebx), %eax
	CHECK %eax, $(S_ACK | S_DRIVER | S_FEATURES_OK), "FEATURES_OK accepted"
	ret

/* %ebp: device. Queue 0: QSIZE entries at D_RING (desc high dword
 * D_DESCHI), enabled. */
dev_queue:
	mov D_COMMON(%ebp), %ebx
	movw $0, C_QSELECT(%ebx)
	movzwl C_QSIZE(%ebx), %eax
	cmp $QSIZE, %eax
	CHECK_FLAG ae, "queue 0 has at least 16 entries"
	movw $QSIZE, C_QSIZE(%ebx)
	mov D_RING(%ebp), %eax
	mov %eax, C_QDESC(%ebx)
	mov D_DESCHI(%ebp), %ecx
	mov %ecx, C_QDESC + 4(%ebx)
	add $R_AVAIL, %eax
	mov %eax, C_QAVAIL(%ebx)
	movl $0, C_QAVAIL + 4(%ebx)
	add $(R_USED - R_AVAIL), %eax
	mov %eax, C_QUSED(%ebx)
	movl $0, C_QUSED + 4(%ebx)
	movzwl C_QNOFF(%ebx), %eax
	imul D_NMULT(%ebp), %eax
	add D_NOTIFY(%ebp), %eax
	mov %eax, D_QNOTIFY(%ebp)
	movw $1, C_QENABLE(%ebx)
	ret

dev_setup:
	call dev_negotiate
	call dev_queue
	mov D_COMMON(%ebp), %ebx
	movb $(S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK), C_STATUS(%ebx)
	movzbl C_STATUS(%ebx), %eax
	CHECK %eax, $(S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK), "DRIVER_OK set, no NEEDS_RESET"
	ret

/* %ebp: device. Header IN sector 0, data 0xaa, status 0xff. */
fill_req:
	mov D_RING(%ebp), %edi
	lea R_HDR(%edi), %ebx
	movl $0, (%ebx)				/* type VIRTIO_BLK_T_IN */
	movl $0, 4(%ebx)
	movl $0, 8(%ebx)			/* sector */
	movl $0, 12(%ebx)
	lea R_DATA(%edi), %edi
	mov $0xaaaaaaaa, %eax
	mov $(512 / 4), %ecx
	rep stosl
	mov D_RING(%ebp), %edi
	movb $0xff, R_STATUS(%edi)
	ret

/* %edi: device RAM, %ebx: table. header, 512-byte data, status. */
build_read:
	lea R_HDR(%edi), %eax
	mov %eax, 0(%ebx)
	movl $0, 4(%ebx)
	movl $16, 8(%ebx)
	movw $D_NEXT, 12(%ebx)
	movw $1, 14(%ebx)
	lea R_DATA(%edi), %eax
	mov %eax, 16(%ebx)
	movl $0, 20(%ebx)
	movl $512, 24(%ebx)
	movw $(D_WRITE | D_NEXT), 28(%ebx)
	movw $2, 30(%ebx)
	lea R_STATUS(%edi), %eax
	mov %eax, 32(%ebx)
	movl $0, 36(%ebx)
	movl $1, 40(%ebx)
	movw $D_WRITE, 44(%ebx)
	movw $0, 46(%ebx)
	ret

/* %ebp: device, %ax: head, %cx: how far avail->idx moves. Then the
 * 16-bit notify (what Linux does; the ioeventfd matches it). */
submit:
	mov D_RING(%ebp), %edi
	mov D_AVAIL(%ebp), %edx
	mov %edx, %esi
	and $(QSIZE - 1), %esi
	mov %ax, R_AVAIL + 4(%edi,%esi,2)
	add %cx, %dx
	mov %edx, D_AVAIL(%ebp)
	mov %dx, R_AVAIL + 2(%edi)		/* x86: stores stay in order */
	mov D_QNOTIFY(%ebp), %ebx
	movw $0, (%ebx)
	ret

/* %ebp: device. Wait for NEEDS_RESET -> %eax: device_status. */
wait_needs_reset:
	mov D_COMMON(%ebp), %ebx
	mov $WAIT_LOOPS, %ecx
1:	movzbl C_STATUS(%ebx), %eax
	test $S_NEEDS_RESET, %al
	jnz 2f
	pause
	loop 1b
2:	ret

/* %ebp: device. Wait for used->idx == D_AVAIL (or NEEDS_RESET) ->
 * %eax: used->idx. */
wait_used:
	mov D_COMMON(%ebp), %ebx
	mov D_RING(%ebp), %edi
	mov $WAIT_LOOPS, %ecx
1:	movzbl C_STATUS(%ebx), %eax		/* an exit each round */
	test $S_NEEDS_RESET, %al
	jnz 2f
	movzwl R_USED + 2(%edi), %eax
	cmp D_AVAIL(%ebp), %eax
	je 3f
	pause
	loop 1b
2:	movzwl R_USED + 2(%edi), %eax
3:	ret

/* %ebp: device. Collect ISR reads (each clears it) until the
 * configuration bit shows -> %eax: ISR_CONFIG or 0. */
wait_isr_config:
	mov D_ISR(%ebp), %ebx
	mov $WAIT_LOOPS, %ecx
1:	movzbl (%ebx), %eax
	and $ISR_CONFIG, %eax
	jnz 2f
	pause
	loop 1b
2:	ret

/* %ebp: device. Its 512-byte data buffer against the pattern. */
check_data:
	mov D_RING(%ebp), %edi
	add $R_DATA, %edi
	mov $32, %edx
1:	mov D_PATTERN(%ebp), %esi
	mov $4, %ecx
	repe cmpsl
	jne 2f
	dec %edx
	jnz 1b
2:	CHECK_FLAG e, "sector 0 holds the disk's pattern"
	ret

/* %ebp: device (set up), %eax: 0 direct, 1 indirect. Read sector 0 and
 * check the data, the status byte and the used element. */
good_read:
	mov %eax, gr_indirect
	call fill_req
	mov D_RING(%ebp), %edi
	lea R_DESC(%edi), %ebx
	cmpl $0, gr_indirect
	je 1f
	lea R_IND(%edi), %ebx
	mov %ebx, R_DESC(%edi)
	movl $0, R_DESC + 4(%edi)
	movl $48, R_DESC + 8(%edi)
	movw $D_INDIRECT, R_DESC + 12(%edi)
	movw $0, R_DESC + 14(%edi)
1:	call build_read
	xor %eax, %eax
	mov $1, %ecx
	call submit
	call wait_used
	CHECK %eax, D_AVAIL(%ebp), "good read: completed (used->idx)"
	mov D_COMMON(%ebp), %ebx
	movzbl C_STATUS(%ebx), %eax
	CHECK %eax, $(S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK), "good read: no NEEDS_RESET"
	mov D_RING(%ebp), %edi
	movzbl R_STATUS(%edi), %eax
	CHECK %eax, $0, "good read: status VIRTIO_BLK_S_OK"
	mov D_AVAIL(%ebp), %eax
	dec %eax
	and $(QSIZE - 1), %eax
	lea R_USED + 4(%edi,%eax,8), %esi
	mov (%esi), %eax
	CHECK %eax, $0, "good read: used element id = head"
	mov 4(%esi), %eax
	CHECK %eax, $513, "good read: used element len = 512 + status"
	call check_data
	ret

/* %ebp: device, case_ptr: the case. */
run_case:
	PRINT "vhostile: case: "
	mov case_ptr, %esi
	mov 8(%esi), %esi
	call guest_puts32
	PRINT "\n"
	call dev_setup
	call fill_req
	mov case_ptr, %esi
	add $CASE_DESC, %esi
	mov D_RING(%ebp), %edi
	add $R_DESC, %edi
	mov $16, %ecx
	rep movsl
	mov D_RING(%ebp), %edi
	add $R_IND, %edi
	mov $16, %ecx
	rep movsl
	mov case_ptr, %esi
	movzwl (%esi), %eax
	movzwl 2(%esi), %ecx
	call submit
	mov case_ptr, %esi
	cmpl $EXP_RESET, 4(%esi)
	jne case_good
	call wait_needs_reset
	and $S_NEEDS_RESET, %eax
	CHECK %eax, $S_NEEDS_RESET, "bad chain: device_status gets NEEDS_RESET"
	mov D_RING(%ebp), %edi
	movzwl R_USED + 2(%edi), %eax
	CHECK %eax, $0, "bad chain: nothing in the used ring"
	call wait_isr_config
	CHECK %eax, $ISR_CONFIG, "bad chain: configuration change in the ISR"
	incl nerrors
	ret
case_good:
	call wait_used
	CHECK %eax, $1, "good chain: completed (used->idx 1)"
	mov D_COMMON(%ebp), %ebx
	movzbl C_STATUS(%ebx), %eax
	CHECK %eax, $(S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK), "good chain: no NEEDS_RESET"
	mov D_RING(%ebp), %edi
	movzbl R_STATUS(%edi), %eax
	CHECK %eax, $0, "good chain: status VIRTIO_BLK_S_OK"
	mov case_ptr, %esi
	cmpl $EXP_DATA, 4(%esi)
	jne 1f
	call check_data
1:	ret

	GUEST_RUNTIME 16
	GUEST_RUNTIME 32
	EXC_HANDLERS32

/* ------------------------------------------------------------------ */
	.section .rodata
	.balign 4
pattern_a:	.ascii "NYX-VHOSTILE-AA\n"
pattern_b:	.ascii "NYX-VHOSTILE-BB\n"
pattern_c:	.ascii "NYX-VHOSTILE-CC\n"

/* All on disk A (its RAM at RING_A). The first case must stay the
 * descriptor loop: it also breaks disk A for the disk B test. A section
 * of its own: CASE puts the names in .rodata. */
	.section .rodata.cases, "a"
	.balign 16
cases:
	CASE "descriptor loop", 0, 1, EXP_RESET
	DESC A_HDR, 16, D_NEXT, 1
	DESC A_DATA, 512, D_WRITE | D_NEXT, 2
	DESC A_STATUS, 1, D_WRITE | D_NEXT, 1
	CASE_END

	CASE "head descriptor chains to itself", 0, 1, EXP_RESET
	DESC A_HDR, 16, D_NEXT, 0
	CASE_END

	CASE "data buffer outside guest RAM (64 GiB)", 0, 1, EXP_RESET
	DESC A_HDR, 16, D_NEXT, 1
	DESC OUTSIDE, 512, D_WRITE | D_NEXT, 2
	DESC A_STATUS, 1, D_WRITE, 0
	CASE_END

	CASE "data buffer on the ECAM window (MMIO, not RAM)", 0, 1, EXP_RESET
	DESC A_HDR, 16, D_NEXT, 1
	DESC 0xe0000000, 512, D_WRITE | D_NEXT, 2
	DESC A_STATUS, 1, D_WRITE, 0
	CASE_END

	CASE "data length 0xffffffff", 0, 1, EXP_RESET
	DESC A_HDR, 16, D_NEXT, 1
	DESC A_DATA, 0xffffffff, D_WRITE | D_NEXT, 2
	DESC A_STATUS, 1, D_WRITE, 0
	CASE_END

	CASE "writable lengths add up past 4 GiB", 0, 1, EXP_RESET
	DESC A_HDR, 16, D_NEXT, 1
	DESC A_DATA, 0x1000, D_WRITE | D_NEXT, 2
	DESC A_DATA, 0xffffffff, D_WRITE | D_NEXT, 3
	DESC A_STATUS, 1, D_WRITE, 0
	CASE_END

	CASE "address + length wraps around 2^64", 0, 1, EXP_RESET
	DESC A_HDR, 16, D_NEXT, 1
	DESC 0xffffffffffffff00, 0x200, D_WRITE | D_NEXT, 2
	DESC A_STATUS, 1, D_WRITE, 0
	CASE_END

	CASE "zero-length header", 0, 1, EXP_RESET
	DESC A_HDR, 0, D_NEXT, 1
	DESC A_DATA, 512, D_WRITE | D_NEXT, 2
	DESC A_STATUS, 1, D_WRITE, 0
	CASE_END

	/* The spec allows empty buffers: a read of 0 bytes is a request */
	CASE "zero-length data buffer (valid: completes)", 0, 1, EXP_DONE
	DESC A_HDR, 16, D_NEXT, 1
	DESC A_DATA, 0, D_WRITE | D_NEXT, 2
	DESC A_STATUS, 1, D_WRITE, 0
	CASE_END

	CASE "head index out of range", QSIZE, 1, EXP_RESET
	CASE_END

	CASE "next index out of range", 0, 1, EXP_RESET
	DESC A_HDR, 16, D_NEXT, 0xffff
	CASE_END

	CASE "avail->idx more than the queue size ahead", 0, QSIZE + 1, EXP_RESET
	DESC A_HDR, 16, D_NEXT, 1
	DESC A_DATA, 512, D_WRITE | D_NEXT, 2
	DESC A_STATUS, 1, D_WRITE, 0
	CASE_END

	CASE "readable descriptor after a writable one", 0, 1, EXP_RESET
	DESC A_HDR, 16, D_NEXT, 1
	DESC A_STATUS, 1, D_WRITE | D_NEXT, 2
	DESC A_DATA, 512, 0, 0
	CASE_END

	CASE "indirect table of 40 bytes", 0, 1, EXP_RESET
	DESC A_IND, 40, D_INDIRECT, 0
	INDIRECT_TABLE
	DESC A_HDR, 16, D_NEXT, 1
	DESC A_DATA, 512, D_WRITE | D_NEXT, 2
	DESC A_STATUS, 1, D_WRITE, 0
	CASE_END

	CASE "indirect table of 0 bytes", 0, 1, EXP_RESET
	DESC A_IND, 0, D_INDIRECT, 0
	CASE_END

	CASE "nested indirect table", 0, 1, EXP_RESET
	DESC A_IND, 48, D_INDIRECT, 0
	INDIRECT_TABLE
	DESC A_IND, 48, D_INDIRECT, 0
	DESC A_DATA, 512, D_WRITE | D_NEXT, 2
	DESC A_STATUS, 1, D_WRITE, 0
	CASE_END

	CASE "INDIRECT and NEXT together", 0, 1, EXP_RESET
	DESC A_IND, 48, D_INDIRECT | D_NEXT, 1
	DESC A_STATUS, 1, D_WRITE, 0
	INDIRECT_TABLE
	DESC A_HDR, 16, D_NEXT, 1
	DESC A_DATA, 512, D_WRITE | D_NEXT, 2
	DESC A_STATUS, 1, D_WRITE, 0
	CASE_END

	CASE "indirect table outside guest RAM", 0, 1, EXP_RESET
	DESC OUTSIDE, 48, D_INDIRECT, 0
	CASE_END

	CASE "loop inside an indirect table", 0, 1, EXP_RESET
	DESC A_IND, 48, D_INDIRECT, 0
	INDIRECT_TABLE
	DESC A_HDR, 16, D_NEXT, 1
	DESC A_DATA, 512, D_WRITE | D_NEXT, 2
	DESC A_STATUS, 1, D_WRITE | D_NEXT, 1
	CASE_END

	CASE "next past the end of an indirect table", 0, 1, EXP_RESET
	DESC A_IND, 48, D_INDIRECT, 0
	INDIRECT_TABLE
	DESC A_HDR, 16, D_NEXT, 1
	DESC A_DATA, 512, D_WRITE | D_NEXT, 3
	DESC A_STATUS, 1, D_WRITE, 0
	CASE_END

	CASE "good read through an indirect table", 0, 1, EXP_DATA
	DESC A_IND, 48, D_INDIRECT, 0
	INDIRECT_TABLE
	DESC A_HDR, 16, D_NEXT, 1
	DESC A_DATA, 512, D_WRITE | D_NEXT, 2
	DESC A_STATUS, 1, D_WRITE, 0
	CASE_END
cases_end:

	.section .data
	.balign 4
ndev:		.long 0
nerrors:	.long 0
case_ptr:	.long 0
cap_hdr:	.long 0
cap_bar:	.long 0
cap_budget:	.long 0
gr_indirect:	.long 0
have_c:		.long 0
	.balign 16
devs:		.space 3 * DEV_SIZE
