/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Read-only access to an untrusted input file (kernel, initrd) or, for the
 * unit tests, to a buffer. Every read is bounds checked against the size
 * seen at open time and a file that shrinks underneath us gives a short
 * read, never a SIGBUS: the loaders never map the file.
 */
#ifndef NYX_IMAGE_H
#define NYX_IMAGE_H

#include "core/util.h"

struct image {
	const char *path;	/* for messages */
	int fd;			/* -1 for an in-memory image */
	const u8 *mem;
	u64 size;
};

/* Open a regular, non-empty file. Returns 0 or NYX_EXIT_SETUP after
 * printing why ("what" names the option, e.g. "--kernel"). */
int image_open(struct image *img, const char *path, const char *what);
void image_from_mem(struct image *img, const char *name, const void *data,
		    u64 size);
void image_close(struct image *img);

/* True if [off, off + len) lies inside the image (overflow safe). */
bool image_has(const struct image *img, u64 off, u64 len);

/* Read exactly len bytes at off. Returns 0 or -EIO (out of range, short
 * read, I/O error); prints nothing. */
int image_read(const struct image *img, u64 off, void *buf, u64 len);

/* Print "PATH: message" and return NYX_EXIT_SETUP, for the loaders'
 * one-line rejections. */
int image_error(const struct image *img, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
