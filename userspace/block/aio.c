// SPDX-License-Identifier: GPL-2.0
/*
 * The I/O engine behind the block devices (aio.h). io_uring first; when
 * io_uring_queue_init() fails (old kernel, seccomp, io_uring_disabled) a
 * pool of AIO_THREADS threads runs the same operations with preadv/pwritev.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "block/aio.h"
#include "core/affinity.h"
#include "core/util.h"

#define AIO_RING_DEPTH	256
#define AIO_THREADS	4

struct aio_ctx {
	bool uring;
	int efd;
	unsigned int inflight;		/* submitted, callback not run yet */
	pthread_mutex_t lock;		/* everything below */
	struct aio_op *done_head, *done_tail;

	/* io_uring */
	struct io_uring ring;
	unsigned int in_ring;		/* SQEs whose CQE is not reaped */
	struct aio_op *wait_head, *wait_tail;	/* ring full: queued here */

	/* thread pool */
	pthread_cond_t cond;
	struct aio_op *q_head, *q_tail;
	pthread_t threads[AIO_THREADS];
	unsigned int nthreads;
	bool stop;
};

static void list_add(struct aio_op **head, struct aio_op **tail,
		     struct aio_op *op)
{
	op->next = NULL;
	if (*tail)
		(*tail)->next = op;
	else
		*head = op;
	*tail = op;
}

static struct aio_op *list_pop(struct aio_op **head, struct aio_op **tail)
{
	struct aio_op *op = *head;

	if (op) {
		*head = op->next;
		if (!*head)
			*tail = NULL;
	}
	return op;
}

static void notify(struct aio_ctx *ctx)
{
	uint64_t one = 1;

	if (write(ctx->efd, &one, sizeof(one)) < 0) {
		/* Counter saturated: a wakeup is pending anyway. */
	}
}

/* Zero iov bytes [from, end): the part of a read beyond end of file. */
static void zero_tail(struct aio_op *op, uint64_t from)
{
	uint64_t pos = 0;

	for (int i = 0; i < op->iovcnt; i++) {
		uint64_t l = op->iov[i].iov_len;

		if (pos + l > from) {
			uint64_t skip = from > pos ? from - pos : 0;

			memset((char *)op->iov[i].iov_base + skip, 0, l - skip);
		}
		pos += l;
	}
}

/* preadv/pwritev the part of op not done yet, starting at done_bytes. */
static int rw_sync(struct aio_op *op)
{
	while (op->done_bytes < op->len) {
		struct iovec iov[64];
		uint64_t pos = 0, skip = op->done_bytes;
		int n = 0;
		ssize_t r;

		for (int i = 0; i < op->iovcnt && n < 64; i++) {
			uint64_t l = op->iov[i].iov_len;

			if (pos + l > skip) {
				uint64_t s = skip > pos ? skip - pos : 0;

				iov[n].iov_base = (char *)op->iov[i].iov_base + s;
				iov[n].iov_len = l - s;
				n++;
			}
			pos += l;
		}
		if (op->kind == AIO_READ)
			r = preadv(op->fd, iov, n, op->off + op->done_bytes);
		else
			r = pwritev(op->fd, iov, n, op->off + op->done_bytes);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (r == 0) {
			if (op->kind == AIO_WRITE)
				return -EIO;
			zero_tail(op, op->done_bytes);	/* end of file */
			op->done_bytes = op->len;
			break;
		}
		op->done_bytes += r;
	}
	return 0;
}

static int zero_by_write(struct aio_op *op)
{
	static const char zeroes[65536] __attribute__((aligned(4096)));
	uint64_t done = 0;

	while (done < op->len) {
		uint64_t n = op->len - done;
		ssize_t r;

		if (n > sizeof(zeroes))
			n = sizeof(zeroes);
		r = pwrite(op->fd, zeroes, n, op->off + done);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0 ? -errno : -EIO;
		done += r;
	}
	return 0;
}

int aio_do_sync(struct aio_op *op)
{
	switch (op->kind) {
	case AIO_READ:
	case AIO_WRITE:
		return rw_sync(op);
	case AIO_FDATASYNC:
		return fdatasync(op->fd) ? -errno : 0;
	case AIO_PUNCH:
		if (fallocate(op->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			      op->off, op->len))
			return errno == EOPNOTSUPP ? 0 : -errno;	/* advisory */
		return 0;
	case AIO_ZERO:
		if (!fallocate(op->fd, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE,
			       op->off, op->len))
			return 0;
		return zero_by_write(op);
	}
	return -EINVAL;
}

/* ---- thread pool ---- */

static void *worker(void *arg)
{
	struct aio_ctx *ctx = arg;
	struct aio_op *op;

	pthread_mutex_lock(&ctx->lock);
	for (;;) {
		while (!ctx->q_head && !ctx->stop)
			pthread_cond_wait(&ctx->cond, &ctx->lock);
		if (ctx->stop)
			break;
		op = list_pop(&ctx->q_head, &ctx->q_tail);
		pthread_mutex_unlock(&ctx->lock);
		op->res = aio_do_sync(op);
		pthread_mutex_lock(&ctx->lock);
		list_add(&ctx->done_head, &ctx->done_tail, op);
		notify(ctx);
	}
	pthread_mutex_unlock(&ctx->lock);
	return NULL;
}

/* ---- io_uring ---- */

static void prep_sqe(struct io_uring_sqe *sqe, struct aio_op *op)
{
	uint64_t skip = op->done_bytes;

	switch (op->kind) {
	case AIO_READ:
	case AIO_WRITE:
		/* Resubmissions after a short transfer go through rw_sync. */
		if (op->kind == AIO_READ)
			io_uring_prep_readv(sqe, op->fd, op->iov, op->iovcnt,
					    op->off + skip);
		else
			io_uring_prep_writev(sqe, op->fd, op->iov, op->iovcnt,
					     op->off + skip);
		break;
	case AIO_FDATASYNC:
		io_uring_prep_fsync(sqe, op->fd, IORING_FSYNC_DATASYNC);
		break;
	case AIO_PUNCH:
		io_uring_prep_fallocate(sqe, op->fd,
					FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
					op->off, op->len);
		break;
	case AIO_ZERO:
		io_uring_prep_fallocate(sqe, op->fd,
					FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE,
					op->off, op->len);
		break;
	}
	io_uring_sqe_set_data(sqe, op);
}

/* Push queued ops into the ring while it has room. Called locked. */
static void ring_fill(struct aio_ctx *ctx)
{
	bool any = false;

	while (ctx->wait_head && ctx->in_ring < AIO_RING_DEPTH) {
		struct io_uring_sqe *sqe = io_uring_get_sqe(&ctx->ring);

		if (!sqe) {
			if (io_uring_submit(&ctx->ring) < 0)
				break;
			sqe = io_uring_get_sqe(&ctx->ring);
			if (!sqe)
				break;
		}
		prep_sqe(sqe, list_pop(&ctx->wait_head, &ctx->wait_tail));
		ctx->in_ring++;
		any = true;
	}
	if (any)
		io_uring_submit(&ctx->ring);
}

/* Finish an op whose CQE says res. Called locked. */
static void ring_complete(struct aio_ctx *ctx, struct aio_op *op, int res)
{
	if ((op->kind == AIO_READ || op->kind == AIO_WRITE) && res >= 0) {
		op->done_bytes += res;
		/* Short transfer (end of file, signal): finish it in place. */
		res = op->done_bytes < op->len ? rw_sync(op) : 0;
	} else if (op->kind == AIO_PUNCH && res == -EOPNOTSUPP) {
		res = 0;
	} else if (op->kind == AIO_ZERO && res < 0) {
		res = zero_by_write(op);
	} else if (res == -EINVAL && op->kind != AIO_READ &&
		   op->kind != AIO_WRITE) {
		/* Kernel without that opcode: do it here. */
		res = aio_do_sync(op);
	}
	op->res = res;
	list_add(&ctx->done_head, &ctx->done_tail, op);
}

static void ring_harvest(struct aio_ctx *ctx)
{
	struct io_uring_cqe *cqe;

	while (io_uring_peek_cqe(&ctx->ring, &cqe) == 0) {
		struct aio_op *op = io_uring_cqe_get_data(cqe);
		int res = cqe->res;

		io_uring_cqe_seen(&ctx->ring, cqe);
		ctx->in_ring--;
		ring_complete(ctx, op, res);
	}
	ring_fill(ctx);
}

/* ---- common ---- */

struct aio_ctx *aio_create(bool force_threads)
{
	static bool logged;
	struct aio_ctx *ctx = calloc(1, sizeof(*ctx));
	int ret;

	if (!ctx) {
		pr_err("block: out of memory");
		return NULL;
	}
	pthread_mutex_init(&ctx->lock, NULL);
	pthread_cond_init(&ctx->cond, NULL);
	ctx->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (ctx->efd < 0) {
		pr_err("block: eventfd: %s", strerror(errno));
		free(ctx);
		return NULL;
	}
	if (!force_threads) {
		ret = io_uring_queue_init(AIO_RING_DEPTH, &ctx->ring, 0);
		if (!ret) {
			if (io_uring_register_eventfd(&ctx->ring, ctx->efd)) {
				io_uring_queue_exit(&ctx->ring);
				ret = -1;
			} else {
				ctx->uring = true;
				return ctx;
			}
		}
		/* Once per process: every disk would say the same. */
		if (!logged) {
			logged = true;
			pr_info("block: io_uring unavailable (%s), using %d I/O threads",
				strerror(ret < 0 ? -ret : EINVAL), AIO_THREADS);
		}
	}
	for (; ctx->nthreads < AIO_THREADS; ctx->nthreads++) {
		if (thread_create(&ctx->threads[ctx->nthreads], THREAD_IO, 0,
				  "blk-worker", worker, ctx))
			break;
	}
	if (!ctx->nthreads) {
		pr_err("block: cannot start I/O threads");
		aio_destroy(ctx);
		return NULL;
	}
	return ctx;
}

void aio_destroy(struct aio_ctx *ctx)
{
	if (!ctx)
		return;
	if (ctx->uring) {
		io_uring_queue_exit(&ctx->ring);
	} else {
		pthread_mutex_lock(&ctx->lock);
		ctx->stop = true;
		pthread_cond_broadcast(&ctx->cond);
		pthread_mutex_unlock(&ctx->lock);
		for (unsigned int i = 0; i < ctx->nthreads; i++)
			pthread_join(ctx->threads[i], NULL);
	}
	close(ctx->efd);
	pthread_cond_destroy(&ctx->cond);
	pthread_mutex_destroy(&ctx->lock);
	free(ctx);
}

const char *aio_engine_name(const struct aio_ctx *ctx)
{
	return ctx->uring ? "io_uring" : "threads";
}

int aio_event_fd(const struct aio_ctx *ctx)
{
	return ctx->efd;
}

unsigned int aio_inflight(struct aio_ctx *ctx)
{
	unsigned int n;

	pthread_mutex_lock(&ctx->lock);
	n = ctx->inflight;
	pthread_mutex_unlock(&ctx->lock);
	return n;
}

void aio_submit(struct aio_ctx *ctx, struct aio_op *op)
{
	op->done_bytes = 0;
	op->res = 0;
	pthread_mutex_lock(&ctx->lock);
	ctx->inflight++;
	if (ctx->uring) {
		list_add(&ctx->wait_head, &ctx->wait_tail, op);
		ring_fill(ctx);
	} else {
		list_add(&ctx->q_head, &ctx->q_tail, op);
		pthread_cond_signal(&ctx->cond);
	}
	pthread_mutex_unlock(&ctx->lock);
}

int aio_reap(struct aio_ctx *ctx, bool wait)
{
	struct aio_op *list, *op;
	uint64_t cnt;
	int n = 0;

	for (;;) {
		if (read(ctx->efd, &cnt, sizeof(cnt)) < 0) {
			/* EAGAIN: nothing signalled since the last read. */
		}
		pthread_mutex_lock(&ctx->lock);
		if (ctx->uring)
			ring_harvest(ctx);
		list = ctx->done_head;
		ctx->done_head = ctx->done_tail = NULL;
		for (op = list; op; op = op->next)
			ctx->inflight--;
		pthread_mutex_unlock(&ctx->lock);

		while ((op = list)) {
			list = op->next;
			op->cb(op, op->res);
			n++;
		}
		if (n || !wait || !aio_inflight(ctx))
			return n;
		struct pollfd pfd = { .fd = ctx->efd, .events = POLLIN };

		poll(&pfd, 1, 1000);
	}
}
