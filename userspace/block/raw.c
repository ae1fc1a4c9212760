// SPDX-License-Identifier: GPL-2.0
/*
 * Raw images: guest byte N is file byte N.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/fs.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include "block/blockdev_int.h"
#include "block/qcow2_meta.h"
#include "core/util.h"

static int raw_open(struct blockdev *bd, const uint8_t *hdr, size_t hdr_len)
{
	struct stat st;
	uint64_t size;

	(void)hdr;
	(void)hdr_len;
	if (fstat(bd->fd, &st))
		return -errno;
	if (S_ISBLK(st.st_mode)) {
		if (ioctl(bd->fd, BLKGETSIZE64, &size))
			return -errno;
	} else {
		size = st.st_size;
	}
	/* The device counts 512-byte sectors: a partial last one is left out. */
	bd->size = size & ~(uint64_t)(BLK_SECTOR_SIZE - 1);
	if (bd->probed_raw && !bd->readonly && bd->depth == 0)
		pr_debug("%s: no format given, probed as raw: writes that would make sector 0 look like qcow2 are refused",
			 bd->path);
	return 0;
}

static void raw_close(struct blockdev *bd)
{
	(void)bd;
}

/*
 * A guest of an auto-detected raw image must not turn it into a qcow2
 * image (whose backing file could name any host file) for the next
 * detection: QEMU refuses such writes too.
 */
static bool writes_qcow2_magic(struct blk_req *req)
{
	uint8_t magic[4];

	if (req->offset != 0 || req->len < 4)
		return false;
	iov_to_buf(req->iov, req->iovcnt, 0, magic, 4);
	return qcow2_be32(magic) == QCOW2_MAGIC;
}

static void raw_submit(struct blockdev *bd, struct blk_req *req)
{
	switch (req->op) {
	case BLK_OP_READ:
		blk_data_io(bd, req, bd->fd, AIO_READ, req->offset, 0, req->len,
			    NULL);
		break;
	case BLK_OP_WRITE:
		if (bd->probed_raw && writes_qcow2_magic(req)) {
			blk_req_get(bd, req);
			blk_req_put(bd, req, -EPERM);
			break;
		}
		blk_data_io(bd, req, bd->fd, AIO_WRITE, req->offset, 0,
			    req->len, NULL);
		break;
	case BLK_OP_FLUSH:
		blk_file_op(bd, req, bd->fd, AIO_FDATASYNC, 0, 0);
		break;
	case BLK_OP_DISCARD:
		blk_file_op(bd, req, bd->fd, AIO_PUNCH, req->offset, req->len);
		break;
	case BLK_OP_WRITE_ZEROES:
		blk_file_op(bd, req, bd->fd, AIO_ZERO, req->offset, req->len);
		break;
	}
}

static int raw_read_sync(struct blockdev *bd, uint64_t off, void *buf,
			 uint64_t len)
{
	return blk_pread(bd, off, buf, len);
}

const struct blk_driver blk_raw_driver = {
	.name = "raw",
	.open = raw_open,
	.close = raw_close,
	.submit = raw_submit,
	.read_sync = raw_read_sync,
};
