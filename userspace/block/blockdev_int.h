/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inside the block layer: the format driver interface and helpers the
 * drivers share.
 */
#ifndef NYX_BLOCK_BLOCKDEV_INT_H
#define NYX_BLOCK_BLOCKDEV_INT_H

#include <pthread.h>

#include "block/aio.h"
#include "block/blockdev.h"

struct blk_driver {
	const char *name;
	/* hdr: the first bytes of the file (hdr_len may be short). */
	int (*open)(struct blockdev *bd, const uint8_t *hdr, size_t hdr_len);
	void (*close)(struct blockdev *bd);
	/*
	 * Start req (validated: in range, aligned, writable). Each piece of
	 * work holds a reference (blk_req_get); the caller drops its own
	 * after submit returns.
	 */
	void (*submit)(struct blockdev *bd, struct blk_req *req);
	/* Synchronous read, for images used as a backing file. */
	int (*read_sync)(struct blockdev *bd, uint64_t off, void *buf,
			 uint64_t len);
};

extern const struct blk_driver blk_raw_driver;
extern const struct blk_driver blk_qcow2_driver;

struct blockdev {
	const struct blk_driver *drv;
	void *priv;			/* the driver's state */
	char *path;
	int fd;
	bool readonly;
	bool direct;			/* O_DIRECT (cache=none) */
	bool probed_raw;		/* raw by detection: guard sector 0 */
	unsigned int depth;		/* 0 top, 1.. backing files */
	uint64_t size;			/* bytes, multiple of 512 */
	char serial[DISK_SERIAL_MAX + 1];
	enum disk_cache cache;
	struct aio_ctx *aio;		/* NULL for backing files (sync only) */

	pthread_mutex_t req_lock;	/* the fields below */
	struct blk_req *done_head, *done_tail;
	unsigned int inflight;		/* requests whose done() has not run */
	/*
	 * reaper runs the I/O engine's callbacks and takes the done list
	 * right after: its own blk_req_put()s need not wake the completion
	 * fd (a wakeup per request that only finds nothing to do).
	 */
	bool reaping;
	pthread_t reaper;
};

/* Alignment of buffers, offsets and lengths under O_DIRECT. */
#define BLK_DIRECT_ALIGN	512u

/* Requests: one reference per piece of work in flight. */
void blk_req_get(struct blockdev *bd, struct blk_req *req);
void blk_req_put(struct blockdev *bd, struct blk_req *req, int ret);

/*
 * Data I/O for part of req: iov bytes [iov_skip, iov_skip + len) to or
 * from host offset host_off of fd, asynchronously. kind: AIO_READ or
 * AIO_WRITE. hook (may be NULL) runs before the request reference drops.
 */
void blk_data_io(struct blockdev *bd, struct blk_req *req, int fd,
		 enum aio_kind kind, uint64_t host_off, uint64_t iov_skip,
		 uint64_t len, void (*hook)(struct blockdev *bd));
/* Flush/punch/zero of a host range as part of req. */
void blk_file_op(struct blockdev *bd, struct blk_req *req, int fd,
		 enum aio_kind kind, uint64_t host_off, uint64_t len);

/* Synchronous I/O that copes with O_DIRECT alignment (bounce buffers). */
int blk_pread(struct blockdev *bd, uint64_t off, void *buf, uint64_t len);
int blk_pwrite(struct blockdev *bd, uint64_t off, const void *buf,
	       uint64_t len);
void *blk_alloc_aligned(uint64_t len);	/* zeroed; free() it */

/* iovec helpers over a request's iovec. */
void iov_to_buf(const struct iovec *iov, int cnt, uint64_t skip, void *buf,
		uint64_t len);
void iov_from_buf(const struct iovec *iov, int cnt, uint64_t skip,
		  const void *buf, uint64_t len);
void iov_memset(const struct iovec *iov, int cnt, uint64_t skip, int c,
		uint64_t len);

/* Open an image (used for backing files too). */
int blockdev_open_depth(const struct disk_spec *spec, unsigned int depth,
			struct blockdev **out);

#endif
