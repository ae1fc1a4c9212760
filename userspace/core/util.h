/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Small helpers shared by the whole launcher: fixed-width types, messages
 * and number parsing.
 */
#ifndef NYX_UTIL_H
#define NYX_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int64_t s64;

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define BIT(n)		(1u << (n))
#define SZ_1K		(1ull << 10)
#define SZ_1M		(1ull << 20)
#define SZ_1G		(1ull << 30)

/*
 * Exit statuses of "nyx run" (documented in --help). Odd statuses belong
 * to the guest (debug-exit port); the launcher's own are even.
 */
#define NYX_EXIT_OK		0	/* all vCPUs halted, or ACPI S5 poweroff */
#define NYX_EXIT_SETUP		2	/* usage or setup error */
#define NYX_EXIT_GUEST_SHUTDOWN	4	/* triple fault */
#define NYX_EXIT_VCPU_FAILURE	6	/* entry failure / internal error */
#define NYX_EXIT_GUEST_RESET	8	/* guest asked for a reset/reboot */

/* Set by --verbose or a non-empty NYX_DEBUG other than "0". */
extern bool nyx_debug;

/*
 * Messages. The caller's file names the component for the logger
 * (core/log.h), which takes over once log_install() set nyx_pr_hook;
 * without it (unit tests) messages go to stderr as "nyx: ...".
 * Levels are core/log.h's enum log_level.
 */
#define NYX_PR_DEBUG	1
#define NYX_PR_INFO	2
#define NYX_PR_WARN	3
#define NYX_PR_ERR	4
void nyx_pr(int level, const char *file, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
extern void (*nyx_pr_hook)(int level, const char *file, const char *fmt,
			   va_list ap);
#define pr_err(...)	nyx_pr(NYX_PR_ERR, __FILE__, __VA_ARGS__)
#define pr_warn(...)	nyx_pr(NYX_PR_WARN, __FILE__, __VA_ARGS__)
#define pr_info(...)	nyx_pr(NYX_PR_INFO, __FILE__, __VA_ARGS__)
#define pr_debug(...)	nyx_pr(NYX_PR_DEBUG, __FILE__, __VA_ARGS__)

/* Enable debug messages if the NYX_DEBUG environment variable asks so. */
void debug_init_from_env(void);

/*
 * Parse an unsigned number, decimal or 0x-prefixed hex, covering the whole
 * string. Returns 0 or -EINVAL (syntax) / -ERANGE (overflow).
 */
int parse_u64(const char *s, u64 *val);

/*
 * Parse a memory size: a number with an optional K, M, G or T suffix
 * (case-insensitive, binary units). A bare number counts MiB, like QEMU's
 * -m. Returns 0, -EINVAL or -ERANGE.
 */
int parse_size(const char *s, u64 *bytes);

/* write(2) all of buf, retrying on EINTR and short writes. */
int write_all(int fd, const void *buf, size_t len);

/* Little-endian load/store of 1..8 bytes (I/O data is always LE on x86). */
u64 load_le(const void *p, unsigned int len);
void store_le(void *p, u64 val, unsigned int len);

#endif
