// SPDX-License-Identifier: GPL-2.0
/*
 * Messages go to stderr with a "nyx: " prefix so they never mix with the
 * guest's serial output on stdout.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/util.h"

bool nyx_debug;

static void vmsg(const char *prefix, const char *fmt, va_list ap)
{
	char buf[1024];
	int n;

	/* One write per message so lines from several threads don't mix. */
	n = snprintf(buf, sizeof(buf), "nyx: %s", prefix);
	vsnprintf(buf + n, sizeof(buf) - n, fmt, ap);
	n = strlen(buf);
	if (n && buf[n - 1] != '\n' && n < (int)sizeof(buf) - 1)
		buf[n++] = '\n';
	write_all(STDERR_FILENO, buf, n);
}

void (*nyx_pr_hook)(int level, const char *file, const char *fmt,
		   va_list ap);

void nyx_pr(int level, const char *file, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (nyx_pr_hook)
		nyx_pr_hook(level, file, fmt, ap);
	else if (level > NYX_PR_DEBUG || nyx_debug)
		vmsg(level == NYX_PR_DEBUG ? "debug: " : "", fmt, ap);
	va_end(ap);
}

void debug_init_from_env(void)
{
	const char *env = getenv("NYX_DEBUG");

	if (env && *env && strcmp(env, "0") != 0)
		nyx_debug = true;
}

int parse_u64(const char *s, u64 *val)
{
	unsigned long long v;
	char *end;

	/* strtoull accepts leading blanks and signs: we don't. */
	if (!s || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		if (!isxdigit((unsigned char)s[2]))
			return -EINVAL;
		v = strtoull(s + 2, &end, 16);
	} else {
		v = strtoull(s, &end, 10);
	}
	if (errno == ERANGE)
		return -ERANGE;
	if (*end)
		return -EINVAL;
	*val = v;
	return 0;
}

int parse_size(const char *s, u64 *bytes)
{
	unsigned long long v;
	unsigned int shift;
	char *end;

	if (!s || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno == ERANGE)
		return -ERANGE;

	switch (toupper((unsigned char)*end)) {
	case '\0':
		shift = 20;
		break;
	case 'K':
		shift = 10;
		break;
	case 'M':
		shift = 20;
		break;
	case 'G':
		shift = 30;
		break;
	case 'T':
		shift = 40;
		break;
	default:
		return -EINVAL;
	}
	if (*end && end[1])
		return -EINVAL;
	if (v > (~0ull >> shift))
		return -ERANGE;
	*bytes = v << shift;
	return 0;
}

int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= n;
	}
	return 0;
}

u64 load_le(const void *p, unsigned int len)
{
	const u8 *b = p;
	u64 v = 0;

	while (len--)
		v = (v << 8) | b[len];
	return v;
}

void store_le(void *p, u64 val, unsigned int len)
{
	u8 *b = p;
	unsigned int i;

	for (i = 0; i < len; i++, val >>= 8)
		b[i] = (u8)val;
}
