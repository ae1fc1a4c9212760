/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Block devices for virtio-blk: raw and qcow2 images behind one
 * asynchronous request interface.
 *
 * A request is submitted with blockdev_submit() and finishes through its
 * done() callback, which runs in whichever thread calls
 * blockdev_complete() (or blockdev_drain()) after the completion fd
 * became readable: never inside blockdev_submit(). Many requests may be in
 * flight at once, from several threads.
 */
#ifndef NYX_BLOCK_BLOCKDEV_H
#define NYX_BLOCK_BLOCKDEV_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "block/spec.h"

#define BLK_SECTOR_SIZE		512u
#define BLK_SECTOR_SHIFT	9
/* Backing chains deeper than this are refused (loops, resource use). */
#define BLK_MAX_BACKING_DEPTH	16

struct blockdev;

enum blk_op {
	BLK_OP_READ,
	BLK_OP_WRITE,
	BLK_OP_FLUSH,
	BLK_OP_DISCARD,		/* advisory: may free space, data undefined
				 * afterwards (reads zeroes where freed) */
	BLK_OP_WRITE_ZEROES,	/* range reads zeroes afterwards */
};

struct blk_req {
	enum blk_op op;
	uint64_t offset;		/* bytes, multiple of 512 */
	uint64_t len;			/* bytes, multiple of 512; READ/WRITE:
					 * must equal the iovec total */
	const struct iovec *iov;	/* READ/WRITE; must stay valid until
					 * done() */
	int iovcnt;
	/* 0 or -errno: -EIO, -EROFS, -ENOSPC, -EINVAL, -ENOMEM. */
	void (*done)(struct blk_req *req, int ret);
	void *opaque;			/* the caller's */

	/* Private to the block layer. */
	int pending;
	int ret;
	struct blk_req *next;
};

/*
 * Open the image described by spec (format detection, lock, backing
 * chain). Returns 0, or -errno after printing a message naming the image
 * (e.g. "disk.qcow2 is in use by another process").
 */
int blockdev_open(const struct disk_spec *spec, struct blockdev **out);
/* Waits for requests in flight (running their callbacks), then closes. */
void blockdev_close(struct blockdev *bd);

uint64_t blockdev_size(const struct blockdev *bd);	/* bytes */
uint64_t blockdev_sectors(const struct blockdev *bd);	/* 512-byte */
bool blockdev_readonly(const struct blockdev *bd);
const char *blockdev_serial(const struct blockdev *bd);	/* "" if none */
const char *blockdev_format_name(const struct blockdev *bd);
/* "io_uring" or "threads": the engine actually in use. */
const char *blockdev_engine_name(const struct blockdev *bd);

/*
 * Start a request. Returns 0 if accepted (done() will be called exactly
 * once, later), or -errno if refused up front (bad range or alignment:
 * -EINVAL; write to a read-only image: -EROFS); done() is then not called.
 */
int blockdev_submit(struct blockdev *bd, struct blk_req *req);

/* An fd that polls readable while completions wait for blockdev_complete. */
int blockdev_completion_fd(const struct blockdev *bd);
/* Run the callbacks of finished requests; returns how many ran. */
int blockdev_complete(struct blockdev *bd);
/* Wait until nothing is in flight, running callbacks. */
void blockdev_drain(struct blockdev *bd);

/* Test hook: force the thread-pool engine (also NYX_BLOCK_ENGINE=threads). */
extern bool blockdev_force_threads;

#endif
