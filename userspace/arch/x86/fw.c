// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>

#include "arch/x86/fw.h"
#include "arch/x86/layout.h"
#include "core/vm.h"

u8 fw_checksum(const void *data, size_t len)
{
	const u8 *p = data;
	u8 sum = 0;

	while (len--)
		sum += *p++;
	return (u8)-sum;
}

void fw_set_checksum(void *data, size_t len, size_t at)
{
	u8 *p = data;

	p[at] = 0;
	p[at] = fw_checksum(p, len);
}

void fw_area_init(struct fw_area *a, struct vm *vm, u64 base, u64 end)
{
	a->vm = vm;
	a->base = base;
	a->end = end;
	a->next = base;
}

void *fw_alloc(struct fw_area *a, u64 len, u64 align, u64 *gpa)
{
	u64 start = (a->next + align - 1) & ~(align - 1);
	void *p;

	if (start < a->next || start > a->end || len > a->end - start)
		return NULL;
	p = gpa_to_hva(a->vm, start, len);
	if (!p)
		return NULL;
	memset(p, 0, len);
	a->next = start + len;
	*gpa = start;
	return p;
}

int fw_write_bda(struct vm *vm)
{
	u8 seg[2], kb[2];

	store_le(seg, EBDA_ADDR >> 4, 2);
	store_le(kb, EBDA_ADDR >> 10, 2);
	if (vm_write_guest(vm, BDA_EBDA_SEGMENT, seg, 2) ||
	    vm_write_guest(vm, BDA_BASE_MEMORY_KB, kb, 2))
		return -EFAULT;
	/* An empty EBDA: its first word is its size in KiB. */
	store_le(kb, (EBDA_END - EBDA_ADDR) >> 10, 2);
	return vm_write_guest(vm, EBDA_ADDR, kb, 2) ? -EFAULT : 0;
}
