/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small AML (ACPI Machine Language, ACPI 6.x chapter 20) emitter for
 * the DSDT, so the table is built from named operations instead of an
 * opaque blob. Objects that carry a PkgLength (Scope, Device, Package)
 * are opened with *_begin() and closed with aml_end(), which encodes the
 * length once the contents are known. Errors (buffer full, bad name,
 * unbalanced begin/end) are sticky and reported by aml_finish().
 */
#ifndef NYX_X86_AML_H
#define NYX_X86_AML_H

#include "core/util.h"

#define AML_MAX_DEPTH		8

/* Opcodes */
#define AML_ZERO_OP		0x00
#define AML_ONE_OP		0x01
#define AML_NAME_OP		0x08
#define AML_BYTE_PREFIX		0x0a
#define AML_WORD_PREFIX		0x0b
#define AML_DWORD_PREFIX	0x0c
#define AML_STRING_PREFIX	0x0d
#define AML_QWORD_PREFIX	0x0e
#define AML_SCOPE_OP		0x10
#define AML_BUFFER_OP		0x11
#define AML_PACKAGE_OP		0x12
#define AML_DUAL_NAME_PREFIX	0x2e
#define AML_MULTI_NAME_PREFIX	0x2f
#define AML_ROOT_CHAR		0x5c	/* '\' */
#define AML_PARENT_PREFIX	0x5e	/* '^' */
#define AML_EXT_OP_PREFIX	0x5b
#define AML_DEVICE_OP		0x82	/* after AML_EXT_OP_PREFIX */
#define AML_ONES_OP		0xff

struct aml {
	u8 *buf;
	size_t len, cap;
	size_t open[AML_MAX_DEPTH];	/* where each open PkgLength goes */
	unsigned int depth;
	bool error;
};

void aml_init(struct aml *a, u8 *buf, size_t cap);

/* Returns the AML length, or -1 if anything went wrong. */
long aml_finish(struct aml *a);

void aml_byte(struct aml *a, u8 b);

/* A NameString: optional '\' or '^' prefixes, then 1..4-character
 * segments separated by '.', each padded with '_' ("\_SB.PCI0"). */
void aml_name_string(struct aml *a, const char *path);

/* The shortest encoding of an integer constant. */
void aml_integer(struct aml *a, u64 v);

void aml_string(struct aml *a, const char *s);

/* Name (name, <next object>): emit the value right after. */
void aml_name(struct aml *a, const char *name);

void aml_scope_begin(struct aml *a, const char *name);
void aml_device_begin(struct aml *a, const char *name);
void aml_package_begin(struct aml *a, u8 nr_elements);

/* Buffer (len) { bytes }: e.g. a ResourceTemplate. */
void aml_buffer(struct aml *a, const u8 *bytes, size_t len);

/* EisaId ("PNP0A08"): the compressed 32-bit ID, as an integer. Bad IDs
 * are errors. */
void aml_eisaid(struct aml *a, const char *id);
void aml_end(struct aml *a);

/* Encode a PkgLength for contents of len bytes into out (1-4 bytes);
 * returns its size, or 0 if len is too big. Exported for the tests. */
unsigned int aml_pkg_length(size_t len, u8 out[4]);

#endif
