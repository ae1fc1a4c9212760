// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include "arch/x86/aml.h"

void aml_init(struct aml *a, u8 *buf, size_t cap)
{
	memset(a, 0, sizeof(*a));
	a->buf = buf;
	a->cap = cap;
}

long aml_finish(struct aml *a)
{
	return a->error || a->depth ? -1 : (long)a->len;
}

void aml_byte(struct aml *a, u8 b)
{
	if (a->len >= a->cap) {
		a->error = true;
		return;
	}
	a->buf[a->len++] = b;
}

static void aml_bytes(struct aml *a, const void *p, size_t n)
{
	const u8 *b = p;

	while (n--)
		aml_byte(a, *b++);
}

static bool lead_name_char(char c)
{
	return (c >= 'A' && c <= 'Z') || c == '_';
}

static bool name_char(char c)
{
	return lead_name_char(c) || (c >= '0' && c <= '9');
}

/* One NameSeg, padded with '_'; returns the characters consumed. */
static size_t name_seg(struct aml *a, const char *s)
{
	size_t n = 0, i;

	while (n < 4 && name_char(s[n]))
		n++;
	if (!n || !lead_name_char(s[0]) || name_char(s[n])) {
		a->error = true;
		return n;
	}
	aml_bytes(a, s, n);
	for (i = n; i < 4; i++)
		aml_byte(a, '_');
	return n;
}

void aml_name_string(struct aml *a, const char *path)
{
	unsigned int segs = 1;
	const char *p;

	if (!*path) {
		a->error = true;	/* only a prefix may stand alone */
		return;
	}
	if (*path == '\\')
		aml_byte(a, *path++);
	else
		while (*path == '^')
			aml_byte(a, *path++);
	if (!*path) {
		aml_byte(a, AML_ZERO_OP);	/* NullName: just "\" */
		return;
	}
	for (p = path; *p; p++)
		segs += *p == '.';
	if (segs == 2) {
		aml_byte(a, AML_DUAL_NAME_PREFIX);
	} else if (segs > 2) {
		if (segs > 255) {
			a->error = true;
			return;
		}
		aml_byte(a, AML_MULTI_NAME_PREFIX);
		aml_byte(a, segs);
	}
	for (;;) {
		path += name_seg(a, path);
		if (a->error || !*path)
			return;
		if (*path++ != '.') {
			a->error = true;
			return;
		}
	}
}

void aml_integer(struct aml *a, u64 v)
{
	u8 bytes[8];

	if (v == 0) {
		aml_byte(a, AML_ZERO_OP);
	} else if (v == 1) {
		aml_byte(a, AML_ONE_OP);
	} else if (v <= 0xff) {
		aml_byte(a, AML_BYTE_PREFIX);
		aml_byte(a, v);
	} else {
		unsigned int n = v <= 0xffff ? 2 : v <= 0xffffffffull ? 4 : 8;

		aml_byte(a, n == 2 ? AML_WORD_PREFIX :
			 n == 4 ? AML_DWORD_PREFIX : AML_QWORD_PREFIX);
		store_le(bytes, v, n);
		aml_bytes(a, bytes, n);
	}
}

void aml_string(struct aml *a, const char *s)
{
	aml_byte(a, AML_STRING_PREFIX);
	aml_bytes(a, s, strlen(s) + 1);
}

void aml_name(struct aml *a, const char *name)
{
	aml_byte(a, AML_NAME_OP);
	aml_name_string(a, name);
}

static void open_pkg(struct aml *a)
{
	if (a->depth == AML_MAX_DEPTH) {
		a->error = true;
		return;
	}
	a->open[a->depth++] = a->len;
}

void aml_scope_begin(struct aml *a, const char *name)
{
	aml_byte(a, AML_SCOPE_OP);
	open_pkg(a);
	aml_name_string(a, name);
}

void aml_device_begin(struct aml *a, const char *name)
{
	aml_byte(a, AML_EXT_OP_PREFIX);
	aml_byte(a, AML_DEVICE_OP);
	open_pkg(a);
	aml_name_string(a, name);
}

void aml_package_begin(struct aml *a, u8 nr_elements)
{
	aml_byte(a, AML_PACKAGE_OP);
	open_pkg(a);
	aml_byte(a, nr_elements);
}

void aml_buffer(struct aml *a, const u8 *bytes, size_t len)
{
	aml_byte(a, AML_BUFFER_OP);
	open_pkg(a);
	aml_integer(a, len);
	aml_bytes(a, bytes, len);
	aml_end(a);
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

void aml_eisaid(struct aml *a, const char *id)
{
	u32 v = 0;
	int i, h;

	if (strlen(id) != 7) {
		a->error = true;
		return;
	}
	/* three letters, 5 bits each, then four hex digits; stored big
	 * endian, so the integer is the byte-swapped value */
	for (i = 0; i < 3; i++) {
		if (id[i] < 'A' || id[i] > 'Z') {
			a->error = true;
			return;
		}
		v = v << 5 | (id[i] - '@');
	}
	for (i = 3; i < 7; i++) {
		h = hex_digit(id[i]);
		if (h < 0) {
			a->error = true;
			return;
		}
		v = v << 4 | h;
	}
	aml_integer(a, __builtin_bswap32(v));
}

unsigned int aml_pkg_length(size_t len, u8 out[4])
{
	unsigned int n, i;
	size_t total;

	/* The encoded value counts its own bytes too. */
	if (len + 1 <= 0x3f) {
		out[0] = len + 1;
		return 1;
	}
	for (n = 2; n <= 4; n++) {
		total = len + n;
		if (total < (1ul << (4 + 8 * (n - 1)))) {
			out[0] = ((n - 1) << 6) | (total & 0xf);
			for (i = 1; i < n; i++)
				out[i] = total >> (4 + 8 * (i - 1));
			return n;
		}
	}
	return 0;
}

void aml_end(struct aml *a)
{
	size_t start, body;
	unsigned int n;
	u8 enc[4];

	if (!a->depth || a->error) {
		a->error = true;
		return;
	}
	start = a->open[--a->depth];
	body = a->len - start;
	n = aml_pkg_length(body, enc);
	if (!n || a->cap - a->len < n) {
		a->error = true;
		return;
	}
	memmove(a->buf + start + n, a->buf + start, body);
	memcpy(a->buf + start, enc, n);
	a->len += n;
}
