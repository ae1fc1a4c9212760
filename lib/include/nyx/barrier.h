/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Memory ordering for library code that shares memory with a guest running
 * concurrently on other CPUs (virtqueues). The kernel build maps to the
 * kernel's own primitives; userspace (the launcher, unit tests, fuzzers)
 * uses compiler builtins. Both give:
 *
 *   nyx_mb()     full barrier: orders earlier loads/stores against later
 *                loads/stores (store->load included: mfence on x86)
 *   nyx_rmb()    earlier loads before later loads
 *   nyx_wmb()    earlier stores before later stores
 *   NYX_READ_ONCE(x) / NYX_WRITE_ONCE(x, v)
 *                exactly one access of x's natural size, never torn or
 *                repeated by the compiler (a guest value read twice could
 *                differ between the check and the use)
 */
#ifndef NYX_LIB_BARRIER_H
#define NYX_LIB_BARRIER_H

#ifdef __KERNEL__
#include <asm/barrier.h>
#include <linux/compiler.h>

#define nyx_mb()		smp_mb()
#define nyx_rmb()		smp_rmb()
#define nyx_wmb()		smp_wmb()
#define NYX_READ_ONCE(x)	READ_ONCE(x)
#define NYX_WRITE_ONCE(x, v)	WRITE_ONCE(x, v)
#else
/*
 * An acquire fence orders earlier loads before later loads and stores, a
 * release fence earlier loads and stores before later stores: both are
 * at least what rmb/wmb promise (plain compiler barriers on x86).
 */
#define nyx_mb()		__atomic_thread_fence(__ATOMIC_SEQ_CST)
#define nyx_rmb()		__atomic_thread_fence(__ATOMIC_ACQUIRE)
#define nyx_wmb()		__atomic_thread_fence(__ATOMIC_RELEASE)
#define NYX_READ_ONCE(x)	(*(const volatile __typeof__(x) *)&(x))
#define NYX_WRITE_ONCE(x, v)	(*(volatile __typeof__(x) *)&(x) = (v))
#endif

#endif
