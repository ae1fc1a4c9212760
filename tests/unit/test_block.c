// SPDX-License-Identifier: GPL-2.0
/*
 * Block layer: raw and qcow2 images made by qemu-img, random request
 * sequences checked against an in-memory model, then qemu-img check and
 * qemu-img convert -O raw against the model; backing chains, compressed
 * clusters, read-only images, locking, corrupt images.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "block/blockdev.h"
#include "block/qcow2_meta.h"
#include "test.h"

static char dir[] = "/tmp/nyx-block-XXXXXX";
static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static int sh(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;
	int ret;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	ret = system(cmd);
	if (ret)
		fprintf(stderr, "command failed (%d): %s\n", ret, cmd);
	return ret;
}

static char *path(const char *name)
{
	static char buf[8][512];
	static int i;

	i = (i + 1) % 8;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", dir, name);
	return buf[i];
}

static int open_img(const char *p, bool ro, enum disk_format fmt,
		    enum disk_cache cache, struct blockdev **bd)
{
	struct disk_spec s = { .path = (char *)p, .readonly = ro,
			       .format = fmt, .cache = cache };

	return blockdev_open(&s, bd);
}

struct waiter {
	struct blk_req req;
	struct iovec iov[3];
	int ret;
	bool done;
};

static void on_done(struct blk_req *req, int ret)
{
	struct waiter *w = req->opaque;

	w->ret = ret;
	w->done = true;
}

/* Submit (buf split into up to 3 iovecs to exercise slicing). */
static int submit(struct blockdev *bd, struct waiter *w, enum blk_op op,
		  uint64_t off, void *buf, uint64_t len)
{
	memset(w, 0, sizeof(*w));
	w->req.op = op;
	w->req.offset = off;
	w->req.len = len;
	w->req.done = on_done;
	w->req.opaque = w;
	if (op == BLK_OP_READ || op == BLK_OP_WRITE) {
		uint64_t a = len / 3 & ~7ull, b = len / 3;

		w->iov[0] = (struct iovec){ buf, a };
		w->iov[1] = (struct iovec){ (char *)buf + a, b };
		w->iov[2] = (struct iovec){ (char *)buf + a + b, len - a - b };
		w->req.iov = w->iov;
		w->req.iovcnt = 3;
	}
	return blockdev_submit(bd, &w->req);
}

static int io(struct blockdev *bd, enum blk_op op, uint64_t off, void *buf,
	      uint64_t len)
{
	struct waiter w;
	int ret = submit(bd, &w, op, off, buf, len);

	if (ret)
		return ret;
	blockdev_drain(bd);
	if (!w.done)
		return -999;
	return w.ret;
}

static uint8_t *read_file(const char *p, uint64_t *len)
{
	struct stat st;
	uint8_t *b;
	int fd = open(p, O_RDONLY);

	if (fd < 0 || fstat(fd, &st))
		return NULL;
	b = malloc(st.st_size + 1);
	if (b && pread(fd, b, st.st_size, 0) != st.st_size) {
		free(b);
		b = NULL;
	}
	close(fd);
	*len = st.st_size;
	return b;
}

static void write_file(const char *p, const uint8_t *b, uint64_t len)
{
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	CHECK(fd >= 0);
	CHECK_EQ(pwrite(fd, b, len, 0), len);
	close(fd);
}

static uint8_t *random_buf(uint64_t len)
{
	uint8_t *b = malloc(len);

	for (uint64_t i = 0; i < len; i += 8) {
		uint64_t v = rnd();

		memcpy(b + i, &v, len - i < 8 ? len - i : 8);
	}
	return b;
}

/* Compare the whole device with the model. */
static void check_all(struct blockdev *bd, const uint8_t *model,
		      uint64_t size)
{
	uint8_t *b = malloc(size);

	CHECK_EQ(io(bd, BLK_OP_READ, 0, b, size), 0);
	CHECK(!memcmp(b, model, size));
	free(b);
}

/*
 * Random requests. cluster: the image's cluster size (discards are whole
 * clusters so that the model knows what they do); discard_zeroes: whether
 * a discarded cluster reads zeroes (else it reads back_model).
 */
static void random_ops(struct blockdev *bd, uint8_t *model, uint64_t size,
		       uint64_t cluster, bool discard_zeroes,
		       const uint8_t *back_model, int rounds)
{
	uint64_t sectors = size / 512;

	for (int r = 0; r < rounds; r++) {
		struct waiter w[8];
		uint8_t *bufs[8] = { 0 };
		uint64_t used_lo[8], used_hi[8];
		int n = 1 + rnd() % 8, k = 0;

		/* A batch of non-overlapping requests in flight together. */
		for (int i = 0; i < n; i++) {
			uint64_t len = (1 + rnd() % (3 * cluster / 512 + 2)) * 512;
			uint64_t off = (rnd() % sectors) * 512;
			int kind = rnd() % 10;
			bool clash = false;

			if (len > size - off)
				len = size - off;
			if (kind == 8) {	/* discard: whole clusters */
				off &= ~(cluster - 1);
				len = ((len + cluster - 1) & ~(cluster - 1));
				if (len > size - off)
					len = (size - off) & ~(cluster - 1);
				if (!len)
					continue;
			}
			for (int j = 0; j < k; j++)
				if (off < used_hi[j] && used_lo[j] < off + len)
					clash = true;
			if (clash)
				continue;
			used_lo[k] = off;
			used_hi[k] = off + len;
			if (kind < 4) {
				bufs[k] = random_buf(len);
				memcpy(model + off, bufs[k], len);
				CHECK_EQ(submit(bd, &w[k], BLK_OP_WRITE, off,
						bufs[k], len), 0);
			} else if (kind < 8) {
				bufs[k] = malloc(len);
				CHECK_EQ(submit(bd, &w[k], BLK_OP_READ, off,
						bufs[k], len), 0);
			} else if (kind == 8) {
				if (discard_zeroes)
					memset(model + off, 0, len);
				else
					memcpy(model + off, back_model + off, len);
				CHECK_EQ(submit(bd, &w[k], BLK_OP_DISCARD, off,
						NULL, len), 0);
			} else {
				memset(model + off, 0, len);
				CHECK_EQ(submit(bd, &w[k], BLK_OP_WRITE_ZEROES,
						off, NULL, len), 0);
			}
			k++;
		}
		if (rnd() % 8 == 0) {
			blockdev_drain(bd);
			CHECK_EQ(io(bd, BLK_OP_FLUSH, 0, NULL, 0), 0);
		}
		blockdev_drain(bd);
		for (int j = 0; j < k; j++) {
			CHECK(w[j].done);
			CHECK_EQ(w[j].ret, 0);
			if (w[j].req.op == BLK_OP_READ &&
			    memcmp(bufs[j], model + used_lo[j],
				   used_hi[j] - used_lo[j])) {
				CHECK(!"read data differs from the model");
				fprintf(stderr, "  read 0x%llx+0x%llx\n",
					(unsigned long long)used_lo[j],
					(unsigned long long)(used_hi[j] -
							     used_lo[j]));
			}
			free(bufs[j]);
		}
	}
}

/* qemu-img check clean, and convert -O raw equal to the model. */
static void verify_with_qemu(const char *img, const uint8_t *model,
			     uint64_t size)
{
	uint8_t *conv;
	uint64_t len = 0;

	CHECK_EQ(sh("qemu-img check -q %s", img), 0);
	CHECK_EQ(sh("qemu-img convert -O raw %s %s", img, path("conv.raw")),
		 0);
	conv = read_file(path("conv.raw"), &len);
	CHECK(conv != NULL);
	CHECK_EQ(len, size);
	if (conv && len == size)
		CHECK(!memcmp(conv, model, size));
	free(conv);
}

static void qcow2_random(const char *opts, uint64_t size, uint64_t cluster,
			 bool v3, int rounds, bool threads)
{
	const char *img = path("rand.qcow2");
	struct blockdev *bd = NULL;
	uint8_t *model = calloc(1, size);

	/* The thread-pool runs also use O_DIRECT (bounce buffers, RMW). */
	printf("qcow2 %s, %llu bytes, %s\n", opts, (unsigned long long)size,
	       threads ? "threads, cache=none" : "default engine");
	CHECK_EQ(sh("qemu-img create -q -f qcow2 %s %s %llu", opts, img,
		    (unsigned long long)size), 0);
	blockdev_force_threads = threads;
	CHECK_EQ(open_img(img, false, DISK_FMT_AUTO, threads ? DISK_CACHE_NONE :
			  DISK_CACHE_WRITEBACK, &bd), 0);
	blockdev_force_threads = false;
	if (!bd)
		return;
	CHECK(!strcmp(blockdev_format_name(bd), "qcow2"));
	CHECK(!strcmp(blockdev_engine_name(bd), threads ? "threads" : "io_uring"));
	CHECK_EQ(blockdev_size(bd), size);
	CHECK_EQ(blockdev_sectors(bd), size / 512);
	random_ops(bd, model, size, cluster, true, NULL, rounds);
	(void)v3;
	check_all(bd, model, size);
	blockdev_close(bd);
	verify_with_qemu(img, model, size);
	/* Reopened: the same data. */
	CHECK_EQ(open_img(img, true, DISK_FMT_QCOW2, DISK_CACHE_NONE, &bd), 0);
	if (bd) {
		check_all(bd, model, size);
		blockdev_close(bd);
	}
	free(model);
}

/*
 * 512-byte clusters filled sequentially: the image outgrows the refcount
 * table qemu-img made (64 entries x 256 clusters = 8 MiB), so it grows.
 */
static void test_grow_refcounts(void)
{
	uint64_t size = 12 << 20, len = 0;
	const char *img = path("grow.qcow2");
	uint8_t *model = random_buf(size), *hdr;
	struct blockdev *bd = NULL;

	printf("refcount table growth\n");
	CHECK_EQ(sh("qemu-img create -q -f qcow2 -o cluster_size=512 %s %llu",
		    img, (unsigned long long)size), 0);
	CHECK_EQ(open_img(img, false, DISK_FMT_AUTO, DISK_CACHE_WRITEBACK, &bd),
		 0);
	if (!bd)
		return;
	for (uint64_t off = 0; off < size; off += 65536)
		CHECK_EQ(io(bd, BLK_OP_WRITE, off, model + off, 65536), 0);
	check_all(bd, model, size);
	blockdev_close(bd);
	hdr = read_file(img, &len);
	CHECK(hdr && qcow2_be32(hdr + QCOW2_OFF_RT_CLUSTERS) > 1);
	free(hdr);
	verify_with_qemu(img, model, size);
	free(model);
}

static void test_backing(const char *fmt)
{
	uint64_t size = 4 << 20, blen;
	uint8_t *base = random_buf(size), *model = malloc(size);
	const char *top = path("top.qcow2");
	struct blockdev *bd = NULL;

	printf("backing file, %s\n", fmt);
	write_file(path("base.raw"), base, size);
	if (!strcmp(fmt, "qcow2")) {
		CHECK_EQ(sh("qemu-img convert -O qcow2 %s %s", path("base.raw"),
			    path("base.img")), 0);
	} else {
		CHECK_EQ(sh("cp %s %s", path("base.raw"), path("base.img")), 0);
	}
	/* Relative backing name: resolved against the image's directory. */
	CHECK_EQ(sh("qemu-img create -q -f qcow2 -o cluster_size=4096 -b base.img -F %s %s",
		    fmt, top), 0);
	memcpy(model, base, size);
	CHECK_EQ(open_img(top, false, DISK_FMT_AUTO, DISK_CACHE_WRITEBACK, &bd),
		 0);
	if (!bd)
		return;
	check_all(bd, model, size);
	/* v3: a discarded cluster reads zeroes, not the backing file. */
	random_ops(bd, model, size, 4096, true, base, 150);
	check_all(bd, model, size);
	blockdev_close(bd);
	verify_with_qemu(top, model, size);
	/* The backing file was not touched. */
	free(model);
	model = read_file(path("base.raw"), &blen);
	CHECK(model && !memcmp(model, base, size));
	free(model);
	free(base);
}

/* v2 image with a backing file: discard unmaps (backing shows through). */
static void test_backing_v2(void)
{
	uint64_t size = 2 << 20;
	uint8_t *base = random_buf(size), *model = malloc(size);
	const char *top = path("top2.qcow2");
	struct blockdev *bd = NULL;

	printf("backing file, compat=0.10\n");
	write_file(path("base2.raw"), base, size);
	CHECK_EQ(sh("qemu-img create -q -f qcow2 -o compat=0.10,cluster_size=2048 -b base2.raw -F raw %s",
		    top), 0);
	memcpy(model, base, size);
	CHECK_EQ(open_img(top, false, DISK_FMT_QCOW2, DISK_CACHE_WRITEBACK, &bd),
		 0);
	if (!bd)
		return;
	random_ops(bd, model, size, 2048, false, base, 150);
	check_all(bd, model, size);
	blockdev_close(bd);
	verify_with_qemu(top, model, size);
	free(model);
	free(base);
}

/* base (qcow2) <- mid (qcow2, written by qemu-io) <- top. */
static void test_chain(void)
{
	uint64_t size = 1 << 20;
	uint8_t *model = random_buf(size);
	struct blockdev *bd = NULL;

	printf("backing chain\n");
	write_file(path("c0.raw"), model, size);
	CHECK_EQ(sh("qemu-img convert -O qcow2 %s %s", path("c0.raw"),
		    path("c0.qcow2")), 0);
	CHECK_EQ(sh("qemu-img create -q -f qcow2 -b c0.qcow2 -F qcow2 %s",
		    path("c1.qcow2")), 0);
	CHECK_EQ(sh("qemu-io -c 'write -q -P 0x5a 4096 70000' %s",
		    path("c1.qcow2")), 0);
	memset(model + 4096, 0x5a, 70000);
	CHECK_EQ(sh("qemu-img create -q -f qcow2 -b c1.qcow2 -F qcow2 %s",
		    path("c2.qcow2")), 0);
	CHECK_EQ(open_img(path("c2.qcow2"), true, DISK_FMT_AUTO,
			  DISK_CACHE_WRITEBACK, &bd), 0);
	if (bd) {
		check_all(bd, model, size);
		blockdev_close(bd);
	}
	free(model);

	/* A loop is refused, not followed forever. */
	CHECK_EQ(sh("qemu-img create -q -f qcow2 -u -b loop.qcow2 -F qcow2 %s 1M",
		    path("loop.qcow2")), 0);
	CHECK_EQ(open_img(path("loop.qcow2"), true, DISK_FMT_AUTO,
			  DISK_CACHE_WRITEBACK, &bd), -ELOOP);
}

static void test_compressed(void)
{
	uint64_t size = 2 << 20;
	uint8_t *model = malloc(size);
	const char *img = path("comp.qcow2");
	struct blockdev *bd = NULL;

	printf("compressed clusters\n");
	/* Compressible: runs of repeated bytes, random lengths. */
	for (uint64_t i = 0; i < size;) {
		uint64_t n = 1 + rnd() % 300;
		uint8_t v = rnd();

		for (; n && i < size; n--, i++)
			model[i] = v;
	}
	write_file(path("comp.raw"), model, size);
	CHECK_EQ(sh("qemu-img convert -c -O qcow2 -o cluster_size=16384 %s %s",
		    path("comp.raw"), img), 0);
	CHECK_EQ(open_img(img, false, DISK_FMT_AUTO, DISK_CACHE_WRITEBACK, &bd),
		 0);
	if (!bd)
		return;
	check_all(bd, model, size);
	/* Writes copy compressed clusters into normal ones. */
	random_ops(bd, model, size, 16384, true, NULL, 100);
	check_all(bd, model, size);
	blockdev_close(bd);
	verify_with_qemu(img, model, size);
	free(model);
}

static void test_raw(bool direct)
{
	uint64_t size = 3 << 20, len;
	uint8_t *model = random_buf(size), *file;
	const char *img = path("disk.raw");
	struct blockdev *bd = NULL;

	printf("raw%s\n", direct ? ", cache=none" : "");
	write_file(img, model, size);
	CHECK_EQ(open_img(img, false, DISK_FMT_AUTO, direct ? DISK_CACHE_NONE :
			  DISK_CACHE_WRITEBACK, &bd), 0);
	if (!bd)
		return;
	CHECK(!strcmp(blockdev_format_name(bd), "raw"));
	CHECK_EQ(blockdev_size(bd), size);
	random_ops(bd, model, size, 4096, true, NULL, 150);
	check_all(bd, model, size);
	/* Probed raw: the guest cannot make it look like qcow2. */
	{
		uint8_t sec[512] = { 0x51, 0x46, 0x49, 0xfb };

		CHECK_EQ(io(bd, BLK_OP_WRITE, 0, sec, 512), -EPERM);
	}
	/* Out of range and misaligned requests are refused up front. */
	{
		struct waiter w;
		uint8_t b[1024];

		CHECK_EQ(submit(bd, &w, BLK_OP_READ, size, b, 512), -EINVAL);
		CHECK_EQ(submit(bd, &w, BLK_OP_READ, size - 512, b, 1024),
			 -EINVAL);
		CHECK_EQ(submit(bd, &w, BLK_OP_READ, 100, b, 512), -EINVAL);
		CHECK_EQ(submit(bd, &w, BLK_OP_READ, 0, b, 100), -EINVAL);
		CHECK_EQ(submit(bd, &w, BLK_OP_DISCARD, ~0ull & ~511ull, NULL,
				1024), -EINVAL);
	}
	blockdev_close(bd);
	file = read_file(img, &len);
	CHECK_EQ(len, size);
	CHECK(file && !memcmp(file, model, size));
	free(file);
	free(model);
}

static bool fd_readable(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, ms) == 1;
}

/*
 * The completion fd wakes the I/O thread once per batch: completions that
 * blockdev_complete() itself finishes must not leave it readable (each
 * spurious wakeup is an epoll_wait and a read for nothing), while one
 * finished by the submitting thread must wake it.
 */
static void test_completion_wakeup(void)
{
	const char *img = path("wake.raw");
	uint8_t *model = random_buf(1 << 20), buf[4096];
	struct blockdev *bd = NULL;
	struct waiter w;
	int fd, i;

	printf("completion fd wakeups\n");
	write_file(img, model, 1 << 20);
	CHECK_EQ(open_img(img, false, DISK_FMT_RAW, DISK_CACHE_WRITEBACK, &bd),
		 0);
	if (!bd)
		return;
	fd = blockdev_completion_fd(bd);
	for (i = 0; i < 8; i++) {
		uint64_t off = (rnd() % 256) * 4096;

		CHECK_EQ(submit(bd, &w, BLK_OP_READ, off, buf, 4096), 0);
		CHECK(fd_readable(fd, 5000));
		/* the engine may post its completion in more than one step */
		while (!w.done && fd_readable(fd, 5000))
			blockdev_complete(bd);
		CHECK(w.done);
		CHECK_EQ(w.ret, 0);
		CHECK(!memcmp(buf, model + off, 4096));
		CHECK(!fd_readable(fd, 0));
	}
	/* zero bytes: finished inside blockdev_submit(), by the submitter */
	CHECK_EQ(submit(bd, &w, BLK_OP_READ, 0, buf, 0), 0);
	CHECK(fd_readable(fd, 0));
	blockdev_complete(bd);
	CHECK(w.done);
	CHECK(!fd_readable(fd, 0));
	blockdev_close(bd);
	free(model);
}

static void test_readonly(void)
{
	struct blockdev *bd = NULL;
	uint8_t b[512] = { 0 };

	printf("read-only\n");
	CHECK_EQ(sh("qemu-img create -q -f qcow2 %s 1M", path("ro.qcow2")), 0);
	CHECK_EQ(open_img(path("ro.qcow2"), true, DISK_FMT_AUTO,
			  DISK_CACHE_WRITEBACK, &bd), 0);
	if (!bd)
		return;
	CHECK(blockdev_readonly(bd));
	CHECK_EQ(io(bd, BLK_OP_WRITE, 0, b, 512), -EROFS);
	CHECK_EQ(io(bd, BLK_OP_WRITE_ZEROES, 0, NULL, 512), -EROFS);
	CHECK_EQ(io(bd, BLK_OP_DISCARD, 0, NULL, 512), -EROFS);
	CHECK_EQ(io(bd, BLK_OP_READ, 0, b, 512), 0);
	blockdev_close(bd);
}

static void test_locking(void)
{
	const char *img = path("lock.qcow2");
	struct blockdev *a = NULL, *b = NULL, *c = NULL;

	printf("locking\n");
	CHECK_EQ(sh("qemu-img create -q -f qcow2 %s 1M", img), 0);
	CHECK_EQ(open_img(img, false, DISK_FMT_AUTO, DISK_CACHE_WRITEBACK, &a),
		 0);
	CHECK_EQ(open_img(img, false, DISK_FMT_AUTO, DISK_CACHE_WRITEBACK, &b),
		 -EBUSY);
	CHECK_EQ(open_img(img, true, DISK_FMT_AUTO, DISK_CACHE_WRITEBACK, &b),
		 -EBUSY);
	/* QEMU sees our lock too. */
	CHECK(sh("qemu-img info %s >/dev/null 2>&1", img) != 0);
	blockdev_close(a);
	CHECK_EQ(open_img(img, true, DISK_FMT_AUTO, DISK_CACHE_WRITEBACK, &b),
		 0);
	CHECK_EQ(open_img(img, true, DISK_FMT_AUTO, DISK_CACHE_WRITEBACK, &c),
		 0);
	CHECK_EQ(open_img(img, false, DISK_FMT_AUTO, DISK_CACHE_WRITEBACK, &a),
		 -EBUSY);
	blockdev_close(b);
	blockdev_close(c);
}

/* Patch header bytes of a fresh image and expect it to be refused. */
static void corrupt_case(const char *what, unsigned int off,
			 const uint8_t *bytes, unsigned int n)
{
	const char *img = path("bad.qcow2");
	struct blockdev *bd = NULL;
	int fd, ret;

	printf("corrupt image: %s\n", what);
	CHECK_EQ(sh("qemu-img create -q -f qcow2 %s 16M", img), 0);
	fd = open(img, O_RDWR);
	CHECK_EQ(pwrite(fd, bytes, n, off), n);
	close(fd);
	ret = open_img(img, false, DISK_FMT_QCOW2, DISK_CACHE_WRITEBACK, &bd);
	CHECK(ret < 0);
	CHECK(bd == NULL);
	blockdev_close(bd);
}

static void test_corrupt(void)
{
	uint8_t b[8];

	memcpy(b, "QFI\xfa", 4);
	corrupt_case("bad magic", 0, b, 4);
	qcow2_put_be64(b, 1ull << 40);
	corrupt_case("L1 beyond the end of the file", QCOW2_OFF_L1_OFFSET, b, 8);
	corrupt_case("refcount table beyond the end of the file",
		     QCOW2_OFF_RT_OFFSET, b, 8);
	qcow2_put_be64(b, 1ull << 62);
	corrupt_case("huge virtual size", 24, b, 8);
	qcow2_put_be64(b, 1ull << 34);
	corrupt_case("L1 too small for the size", 24, b, 8);
	qcow2_put_be32(b, 8);
	corrupt_case("cluster_bits 8", 20, b, 4);
	qcow2_put_be32(b, 22);
	corrupt_case("cluster_bits 22", 20, b, 4);
	qcow2_put_be32(b, 1u << 31);
	corrupt_case("unknown incompatible feature", QCOW2_OFF_INCOMPAT + 4,
		     b, 4);
	qcow2_put_be32(b, 2);
	corrupt_case("corrupt bit, read-write", QCOW2_OFF_INCOMPAT + 4, b, 4);
	qcow2_put_be64(b, 0x10000 | 5);
	corrupt_case("misaligned L1 offset", QCOW2_OFF_L1_OFFSET, b, 8);
	/* An L1 entry pointing beyond the file (L1 at 0x30000 for 16M). */
	qcow2_put_be64(b, QCOW2_OFLAG_COPIED | (1ull << 40));
	corrupt_case("L2 table beyond the end of the file", 0x30000, b, 8);

	/* A corrupt image is still readable read-only. */
	{
		struct blockdev *bd = NULL;
		const char *img = path("bad.qcow2");
		int fd;

		CHECK_EQ(sh("qemu-img create -q -f qcow2 %s 16M", img), 0);
		fd = open(img, O_RDWR);
		qcow2_put_be32(b, 2);
		CHECK_EQ(pwrite(fd, b, 4, QCOW2_OFF_INCOMPAT + 4), 4);
		close(fd);
		CHECK_EQ(open_img(img, true, DISK_FMT_AUTO,
				  DISK_CACHE_WRITEBACK, &bd), 0);
		blockdev_close(bd);
	}
}

/* A data cluster pointing at the L1 table: refused at I/O time. */
static void test_bad_l2_entry(void)
{
	const char *img = path("badl2.qcow2");
	struct blockdev *bd = NULL;
	uint8_t b[4096];
	uint64_t l2 = 0;
	int fd;

	printf("corrupt L2 entry\n");
	CHECK_EQ(sh("qemu-img create -q -f qcow2 %s 16M", img), 0);
	CHECK_EQ(sh("qemu-io -c 'write -q -P 1 0 4096' %s", img), 0);
	fd = open(img, O_RDWR);
	CHECK_EQ(pread(fd, b, 8, 0x30000), 8);	/* L1[0] */
	l2 = qcow2_be64(b) & QCOW2_OFFSET_MASK;
	qcow2_put_be64(b, QCOW2_OFLAG_COPIED | 0x30000);
	CHECK_EQ(pwrite(fd, b, 8, l2), 8);
	close(fd);
	CHECK_EQ(open_img(img, false, DISK_FMT_AUTO, DISK_CACHE_WRITEBACK, &bd),
		 0);
	if (!bd)
		return;
	CHECK_EQ(io(bd, BLK_OP_WRITE, 0, b, 4096), -EIO);
	CHECK_EQ(io(bd, BLK_OP_READ, 0, b, 4096), -EIO);
	CHECK_EQ(io(bd, BLK_OP_WRITE, 1 << 20, b, 4096), -EIO);	/* broken */
	blockdev_close(bd);
	/* Marked corrupt in the header: the next read-write open fails. */
	CHECK(open_img(img, false, DISK_FMT_AUTO, DISK_CACHE_WRITEBACK, &bd) < 0);
}

int main(void)
{
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	setvbuf(stdout, NULL, _IONBF, 0);
	setenv("LC_ALL", "C", 1);
	qcow2_random("", 16 << 20, 65536, true, 200, false);
	qcow2_random("-o compat=0.10,cluster_size=4096", 8 << 20, 4096, false,
		     200, true);
	qcow2_random("-o cluster_size=512", 12 << 20, 512, true, 300, false);
	qcow2_random("-o cluster_size=1024,refcount_bits=1", 4 << 20, 1024,
		     true, 150, true);
	qcow2_random("-o cluster_size=2M,refcount_bits=64", 8 << 20, 2 << 20,
		     true, 40, false);
	test_grow_refcounts();
	test_backing("raw");
	test_backing("qcow2");
	test_backing_v2();
	test_chain();
	test_compressed();
	test_raw(false);
	test_raw(true);
	test_completion_wakeup();
	test_readonly();
	test_locking();
	test_corrupt();
	test_bad_l2_entry();
	sh("rm -rf %s", dir);
	return test_summary("block");
}
