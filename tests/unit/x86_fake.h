/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A fake guest for the x86 library tests: 2 MiB of RAM at GPA 0, with
 *  - an MMIO window at [0xa0000, 0xc0000) (VGA-like, inside RAM's range),
 *  - a ROM page at 0xf0000 (reads are RAM, writes report X86_MEM_MMIO),
 *  - everything at or above 2 MiB is MMIO; [0x40000000, +128 KiB) and the
 *    VGA window are backed by a device array, the rest reads as 0xff.
 * Device accesses are logged so tests can check what the guest did.
 */
#ifndef NYX_UNIT_X86_FAKE_H
#define NYX_UNIT_X86_FAKE_H

#include <string.h>
#include <x86/emulate.h>
#include <x86/paging.h>
#include <x86/x86_defs.h>

#define RAM_SIZE	(2u << 20)
#define VGA_BASE	0xa0000ull
#define VGA_END		0xc0000ull
#define ROM_BASE	0xf0000ull
#define MMIO_HI		0x40000000ull
#define DEV_SIZE	0x20000u

static u8 ram[RAM_SIZE] __attribute__((unused));
static u8 dev[DEV_SIZE] __attribute__((unused));
static int phys_reads __attribute__((unused));
static int phys_writes __attribute__((unused));
static int page_cross_calls __attribute__((unused));
/* Fail every RAM access to this page (X86_MEM_ERROR) when non-zero. */
static u64 error_page __attribute__((unused)) = ~0ull;

struct dev_log {
	u64 gpa;
	unsigned int len;
	int write;
	u64 val;
};
static struct dev_log dev_log[64] __attribute__((unused));
static int dev_log_n __attribute__((unused));

static inline int is_mmio(u64 gpa)
{
	return (gpa >= VGA_BASE && gpa < VGA_END) || gpa >= RAM_SIZE;
}

static inline u8 *dev_ptr(u64 gpa, unsigned int len)
{
	if (gpa >= VGA_BASE && gpa + len <= VGA_END)
		return &dev[gpa - VGA_BASE];
	if (gpa >= MMIO_HI && gpa + len <= MMIO_HI + DEV_SIZE)
		return &dev[gpa - MMIO_HI];
	return NULL;
}

static inline int fake_read_phys(void *opaque, u64 gpa, void *buf,
				 unsigned int len)
{
	(void)opaque;
	phys_reads++;
	if (NYX_PAGE_OFFSET(gpa) + len > NYX_PAGE_SIZE || !len)
		page_cross_calls++;
	if ((gpa & ~0xfffull) == error_page)
		return X86_MEM_ERROR;
	if (is_mmio(gpa) || is_mmio(gpa + len - 1))
		return X86_MEM_MMIO;
	memcpy(buf, &ram[gpa], len);
	return X86_MEM_OK;
}

static inline int fake_write_phys(void *opaque, u64 gpa, const void *buf,
			   unsigned int len)
{
	(void)opaque;
	phys_writes++;
	if (NYX_PAGE_OFFSET(gpa) + len > NYX_PAGE_SIZE || !len)
		page_cross_calls++;
	if ((gpa & ~0xfffull) == error_page)
		return X86_MEM_ERROR;
	if (is_mmio(gpa) || is_mmio(gpa + len - 1) ||
	    (gpa & ~0xfffull) == ROM_BASE)
		return X86_MEM_MMIO;
	memcpy(&ram[gpa], buf, len);
	return X86_MEM_OK;
}

/* Perform one logged MMIO access on the fake device. */
static inline void dev_do(struct x86_mmio_access *a)
{
	u8 *p = dev_ptr(a->gpa, a->len);
	u64 v = 0;

	if (a->is_write) {
		memcpy(&v, a->data, a->len);
		if (p)
			memcpy(p, a->data, a->len);
	} else {
		if (p)
			memcpy(a->data, p, a->len);
		else
			memset(a->data, 0xff, a->len);
		memcpy(&v, a->data, a->len);
	}
	if (dev_log_n < 64) {
		dev_log[dev_log_n].gpa = a->gpa;
		dev_log[dev_log_n].len = a->len;
		dev_log[dev_log_n].write = a->is_write;
		dev_log[dev_log_n].val = v;
	}
	dev_log_n++;
}

static inline u64 rd64(u64 gpa)
{
	u64 v;

	memcpy(&v, &ram[gpa], 8);
	return v;
}

static inline u32 rd32(u64 gpa)
{
	u32 v;

	memcpy(&v, &ram[gpa], 4);
	return v;
}

static inline void wr64(u64 gpa, u64 v)
{
	memcpy(&ram[gpa], &v, 8);
}

static inline void wr32(u64 gpa, u32 v)
{
	memcpy(&ram[gpa], &v, 4);
}

#endif
