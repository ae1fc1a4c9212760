// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>

#include "arch/x86/elf.h"
#include "arch/x86/layout.h"
#include "core/vm.h"

#define NOTE_SEGMENT_MAX	(64 * 1024)	/* vmlinux has a few hundred bytes */

bool elf_is_elf(const struct image *img)
{
	u8 magic[SELFMAG];

	return !image_read(img, 0, magic, SELFMAG) &&
	       !memcmp(magic, ELFMAG, SELFMAG);
}

int elf_parse(struct elf_file *ef, const struct image *img)
{
	unsigned char ident[EI_NIDENT];
	Elf64_Ehdr eh64;
	Elf32_Ehdr eh32;
	u16 type, machine;

	memset(ef, 0, sizeof(*ef));
	ef->img = img;
	if (image_read(img, 0, ident, sizeof(ident)))
		return image_error(img, "truncated ELF header");
	if (ident[EI_DATA] != ELFDATA2LSB || ident[EI_VERSION] != EV_CURRENT)
		return image_error(img, "not a little-endian ELF version 1 file");
	if (ident[EI_CLASS] == ELFCLASS64) {
		if (image_read(img, 0, &eh64, sizeof(eh64)))
			return image_error(img, "truncated ELF header");
		ef->is64 = true;
		type = eh64.e_type;
		machine = eh64.e_machine;
		ef->entry = eh64.e_entry;
		ef->phoff = eh64.e_phoff;
		ef->phnum = eh64.e_phnum;
		ef->phentsize = eh64.e_phentsize;
	} else if (ident[EI_CLASS] == ELFCLASS32) {
		if (image_read(img, 0, &eh32, sizeof(eh32)))
			return image_error(img, "truncated ELF header");
		type = eh32.e_type;
		machine = eh32.e_machine;
		ef->entry = eh32.e_entry;
		ef->phoff = eh32.e_phoff;
		ef->phnum = eh32.e_phnum;
		ef->phentsize = eh32.e_phentsize;
	} else {
		return image_error(img, "unknown ELF class %u", ident[EI_CLASS]);
	}
	if (type != ET_EXEC)
		return image_error(img, "ELF type %u is not an executable", type);
	if (machine != (ef->is64 ? EM_X86_64 : EM_386))
		return image_error(img, "ELF machine %u is not x86", machine);
	if (ef->phentsize != (ef->is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr)))
		return image_error(img, "bad ELF program header size %u",
				   ef->phentsize);
	if (!ef->phnum || ef->phnum > ELF_MAX_PHDRS)
		return image_error(img, "%u ELF program headers (1..%d supported)",
				   ef->phnum, ELF_MAX_PHDRS);
	if (!image_has(img, ef->phoff, (u64)ef->phnum * ef->phentsize))
		return image_error(img, "ELF program headers beyond the end of the file");
	return 0;
}

int elf_phdr(const struct elf_file *ef, unsigned int i, Elf64_Phdr *ph)
{
	u64 off = ef->phoff + (u64)i * ef->phentsize;
	Elf32_Phdr p32;

	if (i >= ef->phnum)
		return NYX_EXIT_SETUP;
	if (ef->is64)
		return image_read(ef->img, off, ph, sizeof(*ph)) ?
		       image_error(ef->img, "truncated program header") : 0;
	if (image_read(ef->img, off, &p32, sizeof(p32)))
		return image_error(ef->img, "truncated program header");
	*ph = (Elf64_Phdr){
		.p_type = p32.p_type, .p_flags = p32.p_flags,
		.p_offset = p32.p_offset, .p_vaddr = p32.p_vaddr,
		.p_paddr = p32.p_paddr, .p_filesz = p32.p_filesz,
		.p_memsz = p32.p_memsz, .p_align = p32.p_align,
	};
	return 0;
}

static int load_segment(const struct elf_file *ef, unsigned int i,
			const Elf64_Phdr *ph, struct vm *vm,
			struct x86_layout *l, u64 limit)
{
	u8 *dst;
	int ret;

	if (ph->p_filesz > ph->p_memsz)
		return image_error(ef->img, "segment %u: file size 0x%llx > memory size 0x%llx",
				   i, (unsigned long long)ph->p_filesz,
				   (unsigned long long)ph->p_memsz);
	if (!image_has(ef->img, ph->p_offset, ph->p_filesz))
		return image_error(ef->img, "segment %u: data beyond the end of the file (truncated?)",
				   i);
	if (ph->p_paddr >= limit || ph->p_memsz > limit - ph->p_paddr)
		return image_error(ef->img, "segment %u: [0x%llx, +0x%llx) is beyond 0x%llx",
				   i, (unsigned long long)ph->p_paddr,
				   (unsigned long long)ph->p_memsz,
				   (unsigned long long)limit);
	ret = layout_claim(l, ph->p_paddr, ph->p_memsz, "kernel ELF segment");
	if (ret)
		return ret;
	dst = gpa_to_hva(vm, ph->p_paddr, ph->p_memsz);
	if (!dst)	/* claimed RAM is always mapped; belt and braces */
		return image_error(ef->img, "segment %u: not in guest RAM", i);
	if (image_read(ef->img, ph->p_offset, dst, ph->p_filesz))
		return image_error(ef->img, "segment %u: read error (file truncated?)",
				   i);
	memset(dst + ph->p_filesz, 0, ph->p_memsz - ph->p_filesz);
	return 0;
}

int elf_load(const struct elf_file *ef, struct vm *vm, struct x86_layout *l,
	     u64 limit, u64 *low, u64 *high)
{
	unsigned int i, loaded = 0;
	Elf64_Phdr ph;
	int ret;

	*low = ~0ull;
	*high = 0;
	for (i = 0; i < ef->phnum; i++) {
		ret = elf_phdr(ef, i, &ph);
		if (ret)
			return ret;
		if (ph.p_type != PT_LOAD || !ph.p_memsz)
			continue;
		ret = load_segment(ef, i, &ph, vm, l, limit);
		if (ret)
			return ret;
		if (ph.p_paddr < *low)
			*low = ph.p_paddr;
		if (ph.p_paddr + ph.p_memsz > *high)
			*high = ph.p_paddr + ph.p_memsz;
		loaded++;
	}
	if (!loaded)
		return image_error(ef->img, "no loadable ELF segment");
	return 0;
}

u64 elf_virt_to_phys(const struct elf_file *ef, u64 vaddr)
{
	unsigned int i;
	Elf64_Phdr ph;

	for (i = 0; i < ef->phnum; i++) {
		if (elf_phdr(ef, i, &ph) || ph.p_type != PT_LOAD)
			continue;
		if (vaddr >= ph.p_vaddr && vaddr - ph.p_vaddr < ph.p_memsz)
			return ph.p_paddr + (vaddr - ph.p_vaddr);
	}
	return vaddr;
}

static u64 align4(u64 x)
{
	return (x + 3) & ~3ull;
}

/* Search one note segment held in buf[0, len). */
static int find_in_segment(const struct elf_file *ef, const u8 *buf, u64 len,
			   const char *name, u32 type, void *desc,
			   u32 desc_max, u32 *desc_len)
{
	u32 namesz_want = strlen(name) + 1;
	u64 pos = 0;

	while (len - pos >= sizeof(Elf64_Nhdr)) {
		Elf64_Nhdr nh;	/* same layout as Elf32_Nhdr */
		u64 name_off, desc_off, next;

		memcpy(&nh, buf + pos, sizeof(nh));
		name_off = pos + sizeof(nh);
		desc_off = name_off + align4(nh.n_namesz);
		next = desc_off + align4(nh.n_descsz);
		if (desc_off > len || next > len)
			return image_error(ef->img, "malformed ELF note");
		if (nh.n_type == type && nh.n_namesz == namesz_want &&
		    !memcmp(buf + name_off, name, namesz_want)) {
			*desc_len = nh.n_descsz;
			memcpy(desc, buf + desc_off,
			       nh.n_descsz < desc_max ? nh.n_descsz : desc_max);
			return 1;
		}
		pos = next;
	}
	return 0;
}

int elf_find_note(const struct elf_file *ef, const char *name, u32 type,
		  void *desc, u32 desc_max, u32 *desc_len)
{
	unsigned int i;
	Elf64_Phdr ph;
	int ret = 0;
	u8 *buf;

	buf = malloc(NOTE_SEGMENT_MAX);
	if (!buf)
		return image_error(ef->img, "out of memory");
	for (i = 0; i < ef->phnum && !ret; i++) {
		ret = elf_phdr(ef, i, &ph);
		if (ret || ph.p_type != PT_NOTE)
			continue;
		if (ph.p_filesz > NOTE_SEGMENT_MAX ||
		    image_read(ef->img, ph.p_offset, buf, ph.p_filesz)) {
			ret = image_error(ef->img, "ELF note segment %u is truncated or too big",
					  i);
			break;
		}
		ret = find_in_segment(ef, buf, ph.p_filesz, name, type, desc,
				      desc_max, desc_len);
	}
	free(buf);
	return ret;
}
