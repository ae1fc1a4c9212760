/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Asynchronous file I/O engine: io_uring (liburing) when the kernel
 * allows it, else a small pool of threads doing preadv/pwritev. Finished
 * operations are collected and their callbacks run by aio_reap(), in the
 * caller's thread; an eventfd tells when there is something to reap.
 */
#ifndef NYX_BLOCK_AIO_H
#define NYX_BLOCK_AIO_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

enum aio_kind {
	AIO_READ,
	AIO_WRITE,
	AIO_FDATASYNC,
	AIO_PUNCH,	/* fallocate(PUNCH_HOLE | KEEP_SIZE) */
	AIO_ZERO,	/* fallocate(ZERO_RANGE | KEEP_SIZE), write fallback */
};

struct aio_op {
	enum aio_kind kind;
	int fd;
	uint64_t off;
	uint64_t len;		/* READ/WRITE: total of iov */
	struct iovec *iov;
	int iovcnt;
	/* res: 0 or -errno (short reads are zero-filled, short writes
	 * retried before the callback). */
	void (*cb)(struct aio_op *op, int res);
	void *priv;

	/* Engine-private. */
	uint64_t done_bytes;
	int res;
	struct aio_op *next;
};

struct aio_ctx;

/* NULL on failure (message printed). force_threads skips io_uring. */
struct aio_ctx *aio_create(bool force_threads);
void aio_destroy(struct aio_ctx *ctx);	/* nothing may be in flight */
const char *aio_engine_name(const struct aio_ctx *ctx);
int aio_event_fd(const struct aio_ctx *ctx);

void aio_submit(struct aio_ctx *ctx, struct aio_op *op);
/* Run callbacks of finished ops; wait for at least one if wait. */
int aio_reap(struct aio_ctx *ctx, bool wait);
unsigned int aio_inflight(struct aio_ctx *ctx);

/* Synchronous versions (same semantics), for metadata and fallbacks. */
int aio_do_sync(struct aio_op *op);

#endif
