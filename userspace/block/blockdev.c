// SPDX-License-Identifier: GPL-2.0
/*
 * Block devices: opening (format detection, locking), request bookkeeping
 * and the I/O helpers the format drivers share.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "block/blockdev_int.h"
#include "block/qcow2_meta.h"
#include "core/util.h"

bool blockdev_force_threads;

/* ---- iovec helpers ---- */

static void iov_walk(const struct iovec *iov, int cnt, uint64_t skip,
		     uint64_t len, void (*fn)(void *iovp, void *arg,
					      uint64_t n), void *arg)
{
	for (int i = 0; i < cnt && len; i++) {
		uint64_t l = iov[i].iov_len, n;

		if (skip >= l) {
			skip -= l;
			continue;
		}
		n = l - skip < len ? l - skip : len;
		fn((char *)iov[i].iov_base + skip, arg, n);
		len -= n;
		skip = 0;
	}
}

static void copy_out(void *p, void *arg, uint64_t n)
{
	char **buf = arg;

	memcpy(*buf, p, n);
	*buf += n;
}

static void copy_in(void *p, void *arg, uint64_t n)
{
	const char **buf = arg;

	memcpy(p, *buf, n);
	*buf += n;
}

static void set_bytes(void *p, void *arg, uint64_t n)
{
	memset(p, *(int *)arg, n);
}

void iov_to_buf(const struct iovec *iov, int cnt, uint64_t skip, void *buf,
		uint64_t len)
{
	char *b = buf;

	iov_walk(iov, cnt, skip, len, copy_out, &b);
}

void iov_from_buf(const struct iovec *iov, int cnt, uint64_t skip,
		  const void *buf, uint64_t len)
{
	const char *b = buf;

	iov_walk(iov, cnt, skip, len, copy_in, &b);
}

void iov_memset(const struct iovec *iov, int cnt, uint64_t skip, int c,
		uint64_t len)
{
	iov_walk(iov, cnt, skip, len, set_bytes, &c);
}

/* Slice [skip, skip + len) of iov into a new malloc'd array. */
static struct iovec *iov_slice(const struct iovec *iov, int cnt,
			       uint64_t skip, uint64_t len, int *outcnt)
{
	struct iovec *out = malloc(sizeof(*out) * (cnt ? cnt : 1));
	int n = 0;

	if (!out)
		return NULL;
	for (int i = 0; i < cnt && len; i++) {
		uint64_t l = iov[i].iov_len, k;

		if (skip >= l) {
			skip -= l;
			continue;
		}
		k = l - skip < len ? l - skip : len;
		out[n].iov_base = (char *)iov[i].iov_base + skip;
		out[n].iov_len = k;
		n++;
		len -= k;
		skip = 0;
	}
	*outcnt = n;
	return out;
}

static bool iov_aligned(const struct iovec *iov, int cnt)
{
	for (int i = 0; i < cnt; i++) {
		if (((uintptr_t)iov[i].iov_base | iov[i].iov_len) &
		    (BLK_DIRECT_ALIGN - 1))
			return false;
	}
	return true;
}

void *blk_alloc_aligned(uint64_t len)
{
	void *p;

	if (posix_memalign(&p, 4096, len ? len : 1))
		return NULL;
	memset(p, 0, len);
	return p;
}

/* ---- requests ---- */

void blk_req_get(struct blockdev *bd, struct blk_req *req)
{
	pthread_mutex_lock(&bd->req_lock);
	req->pending++;
	pthread_mutex_unlock(&bd->req_lock);
}

void blk_req_put(struct blockdev *bd, struct blk_req *req, int ret)
{
	bool done, wake;

	pthread_mutex_lock(&bd->req_lock);
	if (ret < 0 && !req->ret)
		req->ret = ret;
	done = --req->pending == 0;
	if (done) {
		req->next = NULL;
		if (bd->done_tail)
			bd->done_tail->next = req;
		else
			bd->done_head = req;
		bd->done_tail = req;
	}
	wake = done && !(bd->reaping && pthread_equal(bd->reaper,
						       pthread_self()));
	pthread_mutex_unlock(&bd->req_lock);
	if (wake && bd->aio) {
		uint64_t one = 1;

		/* Wake whoever polls the completion fd. */
		if (write(aio_event_fd(bd->aio), &one, sizeof(one)) < 0) {
			/* saturated: already readable */
		}
	}
}

struct blk_child {
	struct aio_op op;
	struct blockdev *bd;
	struct blk_req *req;
	void (*hook)(struct blockdev *bd);
	void *bounce;			/* O_DIRECT with unaligned buffers */
	struct iovec *user_iov;		/* where a bounced read goes */
	int user_cnt;
	struct iovec bounce_iov;
};

static void child_done(struct aio_op *op, int res)
{
	struct blk_child *c = (struct blk_child *)op;

	if (c->bounce && op->kind == AIO_READ && !res)
		iov_from_buf(c->user_iov, c->user_cnt, 0, c->bounce, op->len);
	if (c->hook)
		c->hook(c->bd);
	blk_req_put(c->bd, c->req, res);
	free(c->bounce);
	free(c->user_iov != op->iov ? c->user_iov : NULL);
	free(op->iov != &c->bounce_iov ? op->iov : NULL);
	free(c);
}

static struct blk_child *child_new(struct blockdev *bd, struct blk_req *req,
				   int fd, enum aio_kind kind, uint64_t off,
				   uint64_t len)
{
	struct blk_child *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->bd = bd;
	c->req = req;
	c->op.kind = kind;
	c->op.fd = fd;
	c->op.off = off;
	c->op.len = len;
	c->op.cb = child_done;
	return c;
}

void blk_data_io(struct blockdev *bd, struct blk_req *req, int fd,
		 enum aio_kind kind, uint64_t host_off, uint64_t iov_skip,
		 uint64_t len, void (*hook)(struct blockdev *bd))
{
	struct blk_child *c = child_new(bd, req, fd, kind, host_off, len);
	int cnt = 0;

	if (!c) {
		blk_req_get(bd, req);
		blk_req_put(bd, req, -ENOMEM);
		if (hook)
			hook(bd);
		return;
	}
	c->hook = hook;
	c->op.iov = iov_slice(req->iov, req->iovcnt, iov_skip, len, &cnt);
	c->op.iovcnt = cnt;
	if (!c->op.iov)
		goto nomem;
	if (bd->direct && !iov_aligned(c->op.iov, cnt)) {
		c->bounce = blk_alloc_aligned(len);
		if (!c->bounce)
			goto nomem;
		if (kind == AIO_WRITE)
			iov_to_buf(c->op.iov, cnt, 0, c->bounce, len);
		c->user_iov = c->op.iov;
		c->user_cnt = cnt;
		c->bounce_iov.iov_base = c->bounce;
		c->bounce_iov.iov_len = len;
		c->op.iov = &c->bounce_iov;
		c->op.iovcnt = 1;
	}
	blk_req_get(bd, req);
	if (bd->aio) {
		aio_submit(bd->aio, &c->op);
	} else {
		c->op.done_bytes = 0;
		child_done(&c->op, aio_do_sync(&c->op));
	}
	return;
nomem:
	free(c->op.iov);
	free(c);
	blk_req_get(bd, req);
	if (hook)
		hook(bd);
	blk_req_put(bd, req, -ENOMEM);
}

void blk_file_op(struct blockdev *bd, struct blk_req *req, int fd,
		 enum aio_kind kind, uint64_t host_off, uint64_t len)
{
	struct blk_child *c = child_new(bd, req, fd, kind, host_off, len);

	blk_req_get(bd, req);
	if (!c) {
		blk_req_put(bd, req, -ENOMEM);
		return;
	}
	if (bd->aio)
		aio_submit(bd->aio, &c->op);
	else
		child_done(&c->op, aio_do_sync(&c->op));
}

/* ---- synchronous helpers ---- */

static int sync_rw(int fd, enum aio_kind kind, uint64_t off, void *buf,
		   uint64_t len)
{
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct aio_op op = {
		.kind = kind, .fd = fd, .off = off, .len = len,
		.iov = &iov, .iovcnt = 1,
	};

	return aio_do_sync(&op);
}

int blk_pread(struct blockdev *bd, uint64_t off, void *buf, uint64_t len)
{
	uint64_t a, end;
	void *tmp;
	int ret;

	if (!bd->direct || !(((uintptr_t)buf | off | len) &
			     (BLK_DIRECT_ALIGN - 1)))
		return sync_rw(bd->fd, AIO_READ, off, buf, len);
	a = off & ~(uint64_t)(BLK_DIRECT_ALIGN - 1);
	end = (off + len + BLK_DIRECT_ALIGN - 1) &
	      ~(uint64_t)(BLK_DIRECT_ALIGN - 1);
	tmp = blk_alloc_aligned(end - a);
	if (!tmp)
		return -ENOMEM;
	ret = sync_rw(bd->fd, AIO_READ, a, tmp, end - a);
	if (!ret)
		memcpy(buf, (char *)tmp + (off - a), len);
	free(tmp);
	return ret;
}

int blk_pwrite(struct blockdev *bd, uint64_t off, const void *buf,
	       uint64_t len)
{
	uint64_t a, end;
	void *tmp;
	int ret;

	if (!bd->direct || !(((uintptr_t)buf | off | len) &
			     (BLK_DIRECT_ALIGN - 1)))
		return sync_rw(bd->fd, AIO_WRITE, off, (void *)buf, len);
	/* Read-modify-write of the aligned sectors around the range. */
	a = off & ~(uint64_t)(BLK_DIRECT_ALIGN - 1);
	end = (off + len + BLK_DIRECT_ALIGN - 1) &
	      ~(uint64_t)(BLK_DIRECT_ALIGN - 1);
	tmp = blk_alloc_aligned(end - a);
	if (!tmp)
		return -ENOMEM;
	ret = sync_rw(bd->fd, AIO_READ, a, tmp, end - a);
	if (!ret) {
		memcpy((char *)tmp + (off - a), buf, len);
		ret = sync_rw(bd->fd, AIO_WRITE, a, tmp, end - a);
	}
	free(tmp);
	return ret;
}

/* ---- open/close ---- */

/*
 * Like QEMU: an exclusive lock for a writer, a shared one for readers, so
 * a second writer and a reader beside a writer are both refused. OFD locks
 * belong to the open file, so this holds between two opens in one process
 * too.
 */
static int lock_image(int fd, const char *path, bool readonly)
{
	struct flock fl = {
		.l_type = readonly ? F_RDLCK : F_WRLCK,
		.l_whence = SEEK_SET,
	};

	if (!fcntl(fd, F_OFD_SETLK, &fl))
		return 0;
	if (errno == EAGAIN || errno == EACCES) {
		pr_err("%s is in use by another process", path);
		return -EBUSY;
	}
	if (errno == EINVAL || errno == ENOLCK || errno == EOPNOTSUPP) {
		pr_info("%s: cannot lock (%s), continuing unlocked", path,
			strerror(errno));
		return 0;
	}
	pr_err("%s: lock: %s", path, strerror(errno));
	return -errno;
}

int blockdev_open_depth(const struct disk_spec *spec, unsigned int depth,
			struct blockdev **out)
{
	struct blockdev *bd;
	uint8_t *hdr = NULL;
	struct stat st;
	ssize_t got;
	int flags, ret;

	*out = NULL;
	if (depth > BLK_MAX_BACKING_DEPTH) {
		pr_err("%s: backing chain deeper than %d (a loop?)", spec->path,
		       BLK_MAX_BACKING_DEPTH);
		return -ELOOP;
	}
	bd = calloc(1, sizeof(*bd));
	if (!bd)
		return -ENOMEM;
	bd->fd = -1;
	pthread_mutex_init(&bd->req_lock, NULL);
	bd->depth = depth;
	bd->readonly = spec->readonly;
	bd->cache = spec->cache;
	bd->direct = spec->cache == DISK_CACHE_NONE;
	memcpy(bd->serial, spec->serial, sizeof(bd->serial));
	bd->path = strdup(spec->path);
	if (!bd->path) {
		ret = -ENOMEM;
		goto err;
	}

	flags = (bd->readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC |
		(bd->direct ? O_DIRECT : 0);
	bd->fd = open(spec->path, flags);
	if (bd->fd < 0) {
		ret = -errno;
		if (errno == EINVAL && bd->direct)
			pr_err("%s: cache=none: the file system does not support O_DIRECT",
			       spec->path);
		else
			pr_err("%s: %s", spec->path, strerror(errno));
		goto err;
	}
	if (fstat(bd->fd, &st)) {
		ret = -errno;
		pr_err("%s: %s", spec->path, strerror(errno));
		goto err;
	}
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
		pr_err("%s: not a regular file or block device", spec->path);
		ret = -EINVAL;
		goto err;
	}
	ret = lock_image(bd->fd, spec->path, bd->readonly);
	if (ret)
		goto err;

	/* Enough for any qcow2 header cluster's interesting part. */
	hdr = blk_alloc_aligned(1u << QCOW2_MAX_CLUSTER_BITS);
	if (!hdr) {
		ret = -ENOMEM;
		goto err;
	}
	got = pread(bd->fd, hdr, 1u << QCOW2_MAX_CLUSTER_BITS, 0);
	if (got < 0) {
		ret = -errno;
		pr_err("%s: read: %s", spec->path, strerror(errno));
		goto err;
	}

	switch (spec->format) {
	case DISK_FMT_RAW:
		bd->drv = &blk_raw_driver;
		break;
	case DISK_FMT_QCOW2:
		bd->drv = &blk_qcow2_driver;
		break;
	default:
		if (got >= 4 && qcow2_be32(hdr) == QCOW2_MAGIC) {
			bd->drv = &blk_qcow2_driver;
		} else {
			bd->drv = &blk_raw_driver;
			bd->probed_raw = true;
		}
		break;
	}
	if (depth == 0) {
		bd->aio = aio_create(blockdev_force_threads ||
				     (getenv("NYX_BLOCK_ENGINE") &&
				      !strcmp(getenv("NYX_BLOCK_ENGINE"),
					      "threads")));
		if (!bd->aio) {
			ret = -ENOMEM;
			goto err;
		}
	}
	ret = bd->drv->open(bd, hdr, got);
	if (ret)
		goto err;
	free(hdr);
	*out = bd;
	return 0;
err:
	free(hdr);
	blockdev_close(bd);
	return ret;
}

int blockdev_open(const struct disk_spec *spec, struct blockdev **out)
{
	return blockdev_open_depth(spec, 0, out);
}

void blockdev_close(struct blockdev *bd)
{
	if (!bd)
		return;
	if (bd->aio)
		blockdev_drain(bd);
	if (bd->drv)
		bd->drv->close(bd);
	aio_destroy(bd->aio);
	if (bd->fd >= 0)
		close(bd->fd);	/* drops the OFD lock */
	pthread_mutex_destroy(&bd->req_lock);
	free(bd->path);
	free(bd);
}

uint64_t blockdev_size(const struct blockdev *bd)
{
	return bd->size;
}

uint64_t blockdev_sectors(const struct blockdev *bd)
{
	return bd->size >> BLK_SECTOR_SHIFT;
}

bool blockdev_readonly(const struct blockdev *bd)
{
	return bd->readonly;
}

const char *blockdev_serial(const struct blockdev *bd)
{
	return bd->serial;
}

const char *blockdev_format_name(const struct blockdev *bd)
{
	return bd->drv->name;
}

const char *blockdev_engine_name(const struct blockdev *bd)
{
	return bd->aio ? aio_engine_name(bd->aio) : "sync";
}

int blockdev_completion_fd(const struct blockdev *bd)
{
	return aio_event_fd(bd->aio);
}

int blockdev_submit(struct blockdev *bd, struct blk_req *req)
{
	uint64_t total = 0;

	if ((req->offset | req->len) & (BLK_SECTOR_SIZE - 1))
		return -EINVAL;
	if (req->op != BLK_OP_FLUSH &&
	    (req->offset > bd->size || req->len > bd->size - req->offset))
		return -EINVAL;
	if (req->op != BLK_OP_READ && bd->readonly)
		return -EROFS;
	if (req->op == BLK_OP_READ || req->op == BLK_OP_WRITE) {
		if (req->iovcnt < 0 || (req->iovcnt && !req->iov))
			return -EINVAL;
		for (int i = 0; i < req->iovcnt; i++)
			total += req->iov[i].iov_len;
		if (total != req->len)
			return -EINVAL;
	}
	if (!req->done)
		return -EINVAL;

	req->pending = 1;	/* the submitter's reference */
	req->ret = 0;
	pthread_mutex_lock(&bd->req_lock);
	bd->inflight++;
	pthread_mutex_unlock(&bd->req_lock);
	if (req->len || req->op == BLK_OP_FLUSH)
		bd->drv->submit(bd, req);
	blk_req_put(bd, req, 0);
	return 0;
}

/* aio_reap() as the reaper (blk_req_put()); the caller takes the done list. */
static void reap(struct blockdev *bd, bool wait)
{
	pthread_mutex_lock(&bd->req_lock);
	bd->reaping = true;
	bd->reaper = pthread_self();
	pthread_mutex_unlock(&bd->req_lock);
	aio_reap(bd->aio, wait);
	pthread_mutex_lock(&bd->req_lock);
	bd->reaping = false;
	pthread_mutex_unlock(&bd->req_lock);
}

int blockdev_complete(struct blockdev *bd)
{
	struct blk_req *list, *req;
	int n = 0;

	reap(bd, false);
	pthread_mutex_lock(&bd->req_lock);
	list = bd->done_head;
	bd->done_head = bd->done_tail = NULL;
	pthread_mutex_unlock(&bd->req_lock);
	while ((req = list)) {
		list = req->next;
		pthread_mutex_lock(&bd->req_lock);
		bd->inflight--;
		pthread_mutex_unlock(&bd->req_lock);
		req->done(req, req->ret);
		n++;
	}
	return n;
}

void blockdev_drain(struct blockdev *bd)
{
	for (;;) {
		unsigned int n;

		blockdev_complete(bd);
		pthread_mutex_lock(&bd->req_lock);
		n = bd->inflight;
		pthread_mutex_unlock(&bd->req_lock);
		if (!n)
			return;
		reap(bd, true);
	}
}
