/*
 * pvhboot: boot an uncompressed vmlinux through its PVH entry point from
 * a Multiboot loader (syslinux's mboot.c32), for scripts/bochs-run.
 *
 * Why: under Bochs, decompressing Debian's xz bzImage takes over a minute
 * of every boot; the PVH entry takes the kernel as it is in vmlinux.
 * scripts/bochs-run makes one flat file: this page at BASE, then vmlinux's
 * loadable sections from BASE + 0x2000 (objcopy -O binary, which puts them
 * at their physical addresses). The Multiboot header below uses the
 * "a.out kludge" so that mboot.c32 loads the file at BASE and zeroes up to
 * BSS_END (the kernel's .bss/.brk, left out of the file). mboot.c32 passes
 * the BIOS memory map, the command line and the initramfs (first module).
 *
 * Entered in 32-bit protected mode, paging off, EAX = Multiboot magic,
 * EBX = Multiboot info. Builds a struct hvm_start_info (version 1, with a
 * memory map; Xen's public start_info.h) and jumps to PVH_ENTRY (from the
 * kernel's XEN_ELFNOTE_PHYS32_ENTRY note) with EBX pointing to it, in the
 * same CPU state, as the PVH boot ABI wants. RSDP is left 0: the kernel
 * then finds the ACPI tables by scanning the BIOS area.
 *
 * Assembled by scripts/bochs-run with --defsym BSS_END=... PVH_ENTRY=...
 * and linked at BASE; everything must fit in 0x2000 bytes.
 */
	.code32
	.text
	.globl	_start

	.set	MB_MAGIC, 0x1BADB002
	/* page-align modules, want memory info, a.out kludge (addresses) */
	.set	MB_FLAGS, (1 << 0) | (1 << 1) | (1 << 16)
	.set	MB_BOOT_MAGIC, 0x2BADB002
	.set	MAXMAP, 128		/* memory map entries kept */
	.set	CMDMAX, 2048		/* command line bytes kept */

_start:
mb_header:
	.long	MB_MAGIC
	.long	MB_FLAGS
	.long	-(MB_MAGIC + MB_FLAGS)
	.long	mb_header		/* header_addr */
	.long	_start			/* load_addr */
	.long	0			/* load_end_addr: the whole file */
	.long	BSS_END			/* bss_end_addr: zeroed up to here */
	.long	entry			/* entry_addr */

entry:
	cli
	cld
	cmpl	$MB_BOOT_MAGIC, %eax
	jne	fail
	movl	$stack_top, %esp

	/* Memory map (info flag bit 6): Multiboot entries are {size, base,
	 * length, type} with size not counting itself; PVH entries are
	 * {base, length, type, reserved = 0}, 24 bytes. */
	testl	$(1 << 6), (%ebx)
	jz	fail
	movl	48(%ebx), %esi		/* mmap_addr */
	movl	44(%ebx), %edx		/* mmap_length */
	addl	%esi, %edx
	movl	$memmap, %edi
	xorl	%ebp, %ebp		/* entries */
1:	cmpl	%edx, %esi
	jae	2f
	cmpl	$MAXMAP, %ebp
	jae	2f
	pushl	%esi
	addl	$4, %esi
	movl	$5, %ecx		/* base, length: 4 dwords; type: 1 */
	rep movsl
	popl	%esi
	xorl	%eax, %eax
	stosl				/* reserved */
	incl	%ebp
	movl	(%esi), %eax
	leal	4(%esi,%eax), %esi
	jmp	1b
2:	movl	%ebp, si_memmap_entries

	/* Command line (flag bit 2): mboot.c32 passes "FILE args"; keep the
	 * args (the kernel would take FILE for a parameter) in our copy. */
	testl	$(1 << 2), (%ebx)
	jz	5f
	movl	16(%ebx), %esi
3:	lodsb				/* skip FILE */
	testb	%al, %al
	jz	5f
	cmpb	$' ', %al
	jne	3b
	movl	$cmdline, %edi
	movl	$(CMDMAX - 1), %ecx
4:	lodsb
	stosb
	testb	%al, %al
	loopnz	4b			/* the buffer ends with a 0 anyway */

	/* The first module is the initramfs (flag bit 3). */
5:	testl	$(1 << 3), (%ebx)
	jz	6f
	cmpl	$0, 20(%ebx)		/* mods_count */
	je	6f
	movl	24(%ebx), %esi		/* mods_addr: {start, end, string, 0} */
	movl	0(%esi), %eax
	movl	%eax, modlist		/* paddr */
	movl	4(%esi), %ecx
	subl	%eax, %ecx
	movl	%ecx, modlist + 8	/* size */
	movl	$1, si_nr_modules

6:	movl	$start_info, %ebx
	movl	$PVH_ENTRY, %eax
	jmp	*%eax

fail:	hlt				/* not booted by Multiboot: stop here */
	jmp	fail

	/* struct hvm_start_info (64-bit fields written as two longs: this
	 * is a 32-bit object, and addresses here are below 4 GiB) */
	.balign	8
start_info:
	.long	0x336ec578		/* magic: XEN_HVM_START_MAGIC_VALUE */
	.long	1			/* version: has the memory map fields */
	.long	0			/* flags */
si_nr_modules:
	.long	0
	.long	modlist, 0		/* modlist_paddr */
	.long	cmdline, 0		/* cmdline_paddr */
	.long	0, 0			/* rsdp_paddr: the kernel scans for it */
	.long	memmap, 0		/* memmap_paddr */
si_memmap_entries:
	.long	0
	.long	0			/* reserved */

	/* struct hvm_modlist_entry: paddr, size, cmdline_paddr, reserved */
modlist:
	.fill	4, 8, 0
memmap:
	.fill	MAXMAP * 24, 1, 0
cmdline:
	.fill	CMDMAX, 1, 0
	.balign	16
	.fill	256, 1, 0
stack_top:
