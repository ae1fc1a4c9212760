/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Just enough ELF to boot a kernel: validate the headers of a 32- or
 * 64-bit little-endian x86 executable, load its PT_LOAD segments at their
 * physical addresses and look up an ELF note. Every field comes from an
 * untrusted file and is checked before use.
 */
#ifndef NYX_X86_ELF_H
#define NYX_X86_ELF_H

#include <elf.h>

#include "core/image.h"

struct x86_layout;
struct vm;

#define ELF_MAX_PHDRS		64

struct elf_file {
	const struct image *img;
	bool is64;
	u64 entry;		/* e_entry as found (virtual) */
	u64 phoff;
	unsigned int phnum;
	unsigned int phentsize;
};

/* True if the image starts with the ELF magic. */
bool elf_is_elf(const struct image *img);

/* Check the ELF header. Returns 0 or NYX_EXIT_SETUP after printing why. */
int elf_parse(struct elf_file *ef, const struct image *img);

/* Program header i, widened to the 64-bit form. Returns 0 or
 * NYX_EXIT_SETUP. */
int elf_phdr(const struct elf_file *ef, unsigned int i, Elf64_Phdr *ph);

/*
 * Copy every PT_LOAD segment to guest-physical p_paddr and zero its BSS,
 * claiming each in the layout. All of it must end below limit. *low and
 * *high receive the lowest address and the end of the highest segment.
 * Returns 0 or NYX_EXIT_SETUP.
 */
int elf_load(const struct elf_file *ef, struct vm *vm, struct x86_layout *l,
	     u64 limit, u64 *low, u64 *high);

/*
 * The physical address of virtual address vaddr, through the PT_LOAD
 * segment whose [p_vaddr, p_vaddr + p_memsz) contains it; vaddr itself if
 * none does (an image linked at its physical addresses).
 */
u64 elf_virt_to_phys(const struct elf_file *ef, u64 vaddr);

/*
 * Find note (name, type) in the PT_NOTE segments and copy up to desc_max
 * bytes of its descriptor. Returns 1 with *desc_len set, 0 if absent, or
 * NYX_EXIT_SETUP (with a message) if a note segment is malformed.
 */
int elf_find_note(const struct elf_file *ef, const char *name, u32 type,
		  void *desc, u32 desc_max, u32 *desc_len);

#endif
