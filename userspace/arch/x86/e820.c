// SPDX-License-Identifier: GPL-2.0
#include "arch/x86/e820.h"
#include "arch/x86/layout.h"
#include "arch/x86/pc.h"
#include "core/vm.h"

static void add(struct e820_table *t, u64 start, u64 end, u32 type)
{
	if (end > start && t->nr < E820_MAX)
		t->map[t->nr++] = (struct e820_entry){
			.addr = start, .size = end - start, .type = type,
		};
}

void e820_build(struct e820_table *t, const struct vm *vm)
{
	t->nr = 0;
	/* RAM_MIN_SIZE is 1 MiB, so the low entries always exist. The
	 * 0xa0000-0xeffff legacy window is left out, as on a PC. */
	add(t, 0, EBDA_ADDR, E820_RAM);
	add(t, EBDA_ADDR, EBDA_END, E820_RESERVED);
	add(t, FW_AREA_ADDR, FW_AREA_END, E820_RESERVED);
	add(t, HIGH_MEMORY_ADDR, vm->low_size, E820_RAM);
	/* Linux uses MMCONFIG only where the firmware reserved it. */
	add(t, PC_PCI_ECAM_BASE, PC_PCI_ECAM_BASE + PC_PCI_ECAM_SIZE,
	    E820_RESERVED);
	add(t, RAM_HIGH_BASE, RAM_HIGH_BASE + vm->high_size, E820_RAM);
}

u32 e820_type_of(const struct e820_table *t, u64 addr, u64 size)
{
	unsigned int i;

	for (i = 0; i < t->nr; i++) {
		const struct e820_entry *e = &t->map[i];

		if (addr >= e->addr && addr - e->addr <= e->size &&
		    size <= e->size - (addr - e->addr))
			return e->type;
	}
	return 0;
}
