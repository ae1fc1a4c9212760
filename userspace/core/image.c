// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "core/image.h"

int image_open(struct image *img, const char *path, const char *what)
{
	struct stat st;

	memset(img, 0, sizeof(*img));
	img->path = path;
	img->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (img->fd < 0 || fstat(img->fd, &st) < 0) {
		pr_err("%s: cannot open %s: %s", what, path, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		pr_err("%s: %s is not a regular file", what, path);
		goto fail;
	}
	if (!st.st_size) {
		pr_err("%s: %s is empty", what, path);
		goto fail;
	}
	img->size = st.st_size;
	return 0;
fail:
	image_close(img);
	return NYX_EXIT_SETUP;
}

void image_from_mem(struct image *img, const char *name, const void *data,
		    u64 size)
{
	img->path = name;
	img->fd = -1;
	img->mem = data;
	img->size = size;
}

void image_close(struct image *img)
{
	if (img->fd >= 0)
		close(img->fd);
	img->fd = -1;
}

bool image_has(const struct image *img, u64 off, u64 len)
{
	return off <= img->size && len <= img->size - off;
}

int image_read(const struct image *img, u64 off, void *buf, u64 len)
{
	u8 *dst = buf;

	if (!image_has(img, off, len))
		return -EIO;
	if (img->mem) {
		memcpy(dst, img->mem + off, len);
		return 0;
	}
	while (len) {
		size_t chunk = len > (1u << 30) ? (1u << 30) : len;
		ssize_t n = pread(img->fd, dst, chunk, off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -EIO;	/* error, or the file shrank */
		dst += n;
		off += n;
		len -= n;
	}
	return 0;
}

int image_error(const struct image *img, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pr_err("%s: %s", img->path, msg);
	return NYX_EXIT_SETUP;
}
