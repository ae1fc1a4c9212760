// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include "arch/x86/layout.h"
#include "core/vm.h"

void layout_init(struct x86_layout *l, const struct vm *vm)
{
	memset(l, 0, sizeof(*l));
	l->vm = vm;
	e820_build(&l->e820, vm);
}

const struct layout_range *layout_find_overlap(const struct x86_layout *l,
					       u64 start, u64 end)
{
	unsigned int i;

	for (i = 0; i < l->nr; i++)
		if (start < l->used[i].end && l->used[i].start < end)
			return &l->used[i];
	return NULL;
}

static void add_range(struct x86_layout *l, u64 start, u64 end,
		      const char *what)
{
	l->used[l->nr++] = (struct layout_range){
		.start = start, .end = end, .what = what,
	};
}

int layout_claim(struct x86_layout *l, u64 start, u64 size, const char *what)
{
	const struct layout_range *r;

	if (!size || start + size < start ||
	    e820_type_of(&l->e820, start, size) != E820_RAM) {
		pr_err("%s [0x%llx-0x%llx) is not in guest RAM (see --memory)",
		       what, (unsigned long long)start,
		       (unsigned long long)(start + size));
		return NYX_EXIT_SETUP;
	}
	r = layout_find_overlap(l, start, start + size);
	if (r) {
		pr_err("%s [0x%llx-0x%llx) overlaps %s [0x%llx-0x%llx)",
		       what, (unsigned long long)start,
		       (unsigned long long)(start + size), r->what,
		       (unsigned long long)r->start,
		       (unsigned long long)r->end);
		return NYX_EXIT_SETUP;
	}
	if (l->nr == LAYOUT_MAX_RANGES) {
		pr_err("%s: too many separate pieces to place", what);
		return NYX_EXIT_SETUP;
	}
	add_range(l, start, start + size, what);
	return 0;
}

/* Highest fit inside RAM entry e, below hi and at or above lo. */
static bool fit_in_entry(const struct x86_layout *l,
			 const struct e820_entry *e, u64 size, u64 align,
			 u64 lo, u64 hi, u64 *addr)
{
	u64 bottom = e->addr > lo ? e->addr : lo;
	u64 top = e->addr + e->size < hi ? e->addr + e->size : hi;
	const struct layout_range *r;
	u64 a;

	while (top > bottom && top - bottom >= size) {
		a = (top - size) & ~(align - 1);
		if (a < bottom)
			return false;
		r = layout_find_overlap(l, a, a + size);
		if (!r) {
			*addr = a;
			return true;
		}
		top = r->start;	/* try again just below the obstacle */
	}
	return false;
}

static u64 align_up(u64 x, u64 align)
{
	return (x + align - 1) & ~(align - 1);
}

/* Lowest fit inside RAM entry e. */
static bool fit_low_in_entry(const struct x86_layout *l,
			     const struct e820_entry *e, u64 size, u64 align,
			     u64 lo, u64 hi, u64 *addr)
{
	u64 bottom = e->addr > lo ? e->addr : lo;
	u64 top = e->addr + e->size < hi ? e->addr + e->size : hi;
	const struct layout_range *r;
	u64 a = align_up(bottom, align);

	while (a >= bottom && a < top && top - a >= size) {
		r = layout_find_overlap(l, a, a + size);
		if (!r) {
			*addr = a;
			return true;
		}
		a = align_up(r->end, align);	/* just above the obstacle */
	}
	return false;
}

static bool valid_request(u64 size, u64 *align)
{
	if (!*align || (*align & (*align - 1)))
		*align = 1;
	return size && size <= (1ull << 62);
}

static int no_fit(const char *what, u64 size, u64 lo, u64 hi)
{
	pr_err("%s (%llu KiB) does not fit in free guest RAM in [0x%llx-0x%llx) (see --memory)",
	       what, (unsigned long long)((size + 1023) >> 10),
	       (unsigned long long)lo, (unsigned long long)hi);
	return NYX_EXIT_SETUP;
}

int layout_alloc_bottom(struct x86_layout *l, u64 size, u64 align, u64 lo,
			u64 hi, const char *what, u64 *addr)
{
	unsigned int i;

	for (i = 0; valid_request(size, &align) && i < l->e820.nr; i++) {
		const struct e820_entry *e = &l->e820.map[i];

		if (e->type == E820_RAM &&
		    fit_low_in_entry(l, e, size, align, lo, hi, addr))
			return layout_claim(l, *addr, size, what);
	}
	return no_fit(what, size, lo, hi);
}

bool layout_is_free(const struct x86_layout *l, u64 start, u64 size)
{
	return size && start + size > start &&
	       e820_type_of(&l->e820, start, size) == E820_RAM &&
	       !layout_find_overlap(l, start, start + size);
}

bool layout_find_top(const struct x86_layout *l, u64 size, u64 align, u64 lo,
		     u64 hi, u64 *addr)
{
	unsigned int i;

	for (i = l->e820.nr; valid_request(size, &align) && i-- > 0;) {
		const struct e820_entry *e = &l->e820.map[i];

		if (e->type == E820_RAM &&
		    fit_in_entry(l, e, size, align, lo, hi, addr))
			return true;
	}
	return false;
}

int layout_alloc_top(struct x86_layout *l, u64 size, u64 align, u64 lo,
		     u64 hi, const char *what, u64 *addr)
{
	if (layout_find_top(l, size, align, lo, hi, addr))
		return layout_claim(l, *addr, size, what);
	return no_fit(what, size, lo, hi);
}
