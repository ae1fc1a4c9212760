/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Types for the pure-C library shared by nyx.ko and the userspace unit
 * tests. It depends on neither the kernel nor libc: only on the compiler's
 * freestanding headers in userspace and <linux/types.h> in the kernel.
 */
#ifndef NYX_LIB_TYPES_H
#define NYX_LIB_TYPES_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/stddef.h>
#else
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;
#endif

/* The library must not call memcpy/memset from libc or the kernel. */
static inline void nyx_memcpy(void *d, const void *s, size_t n)
{
	u8 *dp = d;
	const u8 *sp = s;

	while (n--)
		*dp++ = *sp++;
}

static inline void nyx_memset(void *d, int c, size_t n)
{
	u8 *dp = d;

	while (n--)
		*dp++ = (u8)c;
}

#endif
