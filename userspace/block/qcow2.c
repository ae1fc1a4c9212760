// SPDX-License-Identifier: GPL-2.0
/*
 * qcow2 images (versions 2 and 3).
 *
 * Metadata (L1/L2 tables, refcounts) is handled synchronously under the
 * image lock; guest data of allocated clusters moves asynchronously.
 * Writes that must allocate a cluster (first write, copy-on-write from a
 * backing file or a compressed cluster) are done synchronously too.
 *
 * Crash consistency, as in QEMU: refcount blocks are written through as
 * soon as they change, before anything refers to a newly allocated
 * cluster; L2 tables and the L1 table are cached and written back on
 * flush (or eviction) after an fdatasync made the data and the refcounts
 * durable; a cluster is only given back (refcount decremented) after the
 * L2 entry that dropped it is durable. A crash can leak clusters, which
 * qemu-img check -r leaks repairs, but never leaves an entry pointing at
 * a cluster that is free.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "block/blockdev_int.h"
#include "block/qcow2_meta.h"
#include "core/util.h"

#define L2_CACHE_SLOTS	16
#define RB_CACHE_SLOTS	8
/* Frees waiting for a flush beyond this are dropped (leaked, harmless). */
#define MAX_DEFERRED	65536

struct table_slot {
	uint64_t off;		/* 0: empty */
	uint8_t *buf;		/* one cluster, big-endian as on disk */
	uint64_t lru;
	bool dirty;		/* L2 only: refcount blocks are written through */
};

struct qcow2 {
	struct qcow2_header h;
	uint64_t csize;
	uint32_t cbits;
	uint32_t l2_entries;	/* per table */
	uint32_t rb_bits;	/* log2 refcount entries per block */
	uint64_t *l1;		/* host-endian copy of the L1 table */
	bool l1_dirty;
	uint64_t l1_bytes;
	uint64_t *rt;		/* host-endian refcount table */
	uint64_t rt_entries;
	struct table_slot l2c[L2_CACHE_SLOTS];
	struct table_slot rbc[RB_CACHE_SLOTS];
	uint64_t tick;
	uint64_t file_end;	/* allocation frontier, cluster-aligned */
	uint64_t free_hint;	/* no free cluster below this index */
	bool unsynced;		/* writes since the last fdatasync */
	bool broken;		/* corruption found: no more writes */
	bool opened;		/* open succeeded: close flushes */
	pthread_mutex_t lock;
	struct blockdev *backing;
	unsigned int data_inflight;	/* async data I/O (atomic) */
	uint64_t *deferred;	/* host offsets to free after the next flush */
	size_t ndeferred, deferred_cap;
	size_t ndeferred_ready;	/* first n whose L2 change is durable */
};

static int corrupt(struct blockdev *bd, const char *what, uint64_t off)
{
	struct qcow2 *q = bd->priv;

	if (!q->broken) {
		pr_err("%s: corrupt image: %s (offset 0x%llx)%s", bd->path, what,
		       (unsigned long long)off,
		       bd->readonly ? "" : "; marked corrupt, no more writes");
		q->broken = true;
		if (!bd->readonly && q->h.version >= 3) {
			uint8_t be[8];

			q->h.incompatible_features |= QCOW2_INCOMPAT_CORRUPT;
			qcow2_put_be64(be, q->h.incompatible_features);
			blk_pwrite(bd, QCOW2_OFF_INCOMPAT, be, 8);
			fdatasync(bd->fd);
		}
	}
	return -EIO;
}

static bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

/* A metadata or data cluster must not be the header or a main table. */
static bool cluster_ok(struct qcow2 *q, uint64_t off)
{
	if (off < q->csize || off > q->file_end - q->csize)
		return false;
	if (overlaps(off, q->csize, q->h.l1_table_offset, q->l1_bytes))
		return false;
	if (overlaps(off, q->csize, q->h.refcount_table_offset,
		     q->rt_entries * 8))
		return false;
	return true;
}

static int sync_file(struct blockdev *bd)
{
	struct qcow2 *q = bd->priv;

	if (!q->unsynced)
		return 0;
	if (fdatasync(bd->fd))
		return -errno;
	q->unsynced = false;
	return 0;
}

/* Write the 512-byte sectors of a cached table holding [pos, pos + len). */
static int write_table_part(struct blockdev *bd, uint64_t table_off,
			    const uint8_t *buf, uint64_t pos, uint64_t len)
{
	struct qcow2 *q = bd->priv;
	uint64_t a = pos & ~511ull, e = (pos + len + 511) & ~511ull;

	q->unsynced = true;
	return blk_pwrite(bd, table_off + a, buf + a, e - a);
}

/* ---- table caches ---- */

static int l2_writeback(struct blockdev *bd, struct table_slot *s)
{
	struct qcow2 *q = bd->priv;
	int ret;

	if (!s->dirty)
		return 0;
	/* Data and refcounts first, then the entries that refer to them. */
	ret = sync_file(bd);
	if (!ret)
		ret = write_table_part(bd, s->off, s->buf, 0, q->csize);
	if (!ret)
		s->dirty = false;
	return ret;
}

static struct table_slot *cache_get(struct blockdev *bd,
				    struct table_slot *slots, int n,
				    uint64_t off, bool load, int *err)
{
	struct qcow2 *q = bd->priv;
	struct table_slot *victim = NULL;
	int ret;

	for (int i = 0; i < n; i++) {
		if (slots[i].off == off) {
			slots[i].lru = ++q->tick;
			return &slots[i];
		}
		/* An empty slot, else the least recently used one. */
		if (!victim || (victim->off &&
				(!slots[i].off || slots[i].lru < victim->lru)))
			victim = &slots[i];
	}
	if (victim->off && victim->dirty) {
		ret = l2_writeback(bd, victim);
		if (ret) {
			*err = ret;
			return NULL;
		}
	}
	victim->off = 0;
	if (!victim->buf) {
		victim->buf = blk_alloc_aligned(q->csize);
		if (!victim->buf) {
			*err = -ENOMEM;
			return NULL;
		}
	}
	if (load) {
		ret = blk_pread(bd, off, victim->buf, q->csize);
		if (ret) {
			*err = ret;
			return NULL;
		}
	} else {
		memset(victim->buf, 0, q->csize);
	}
	victim->off = off;
	victim->dirty = false;
	victim->lru = ++q->tick;
	return victim;
}

static struct table_slot *l2_get(struct blockdev *bd, uint64_t off,
				 bool load, int *err)
{
	struct qcow2 *q = bd->priv;

	if (!cluster_ok(q, off)) {
		*err = corrupt(bd, "L2 table outside the image or on metadata",
			       off);
		return NULL;
	}
	return cache_get(bd, q->l2c, L2_CACHE_SLOTS, off, load, err);
}

static struct table_slot *rb_get(struct blockdev *bd, uint64_t off,
				 bool load, int *err)
{
	struct qcow2 *q = bd->priv;

	if (!cluster_ok(q, off)) {
		*err = corrupt(bd, "refcount block outside the image or on metadata",
			       off);
		return NULL;
	}
	return cache_get(bd, q->rbc, RB_CACHE_SLOTS, off, load, err);
}

/* Forget cached copies of a cluster that is being reused. */
static void cache_forget(struct qcow2 *q, uint64_t off)
{
	for (int i = 0; i < L2_CACHE_SLOTS; i++)
		if (q->l2c[i].off == off)
			q->l2c[i].off = 0;
	for (int i = 0; i < RB_CACHE_SLOTS; i++)
		if (q->rbc[i].off == off)
			q->rbc[i].off = 0;
}

/* ---- refcounts ---- */

static int rc_get(struct blockdev *bd, uint64_t cl, uint64_t *val)
{
	struct qcow2 *q = bd->priv;
	uint64_t idx = cl >> q->rb_bits;
	struct table_slot *s;
	int err = 0;

	*val = 0;
	if (idx >= q->rt_entries || !q->rt[idx])
		return 0;
	s = rb_get(bd, q->rt[idx], true, &err);
	if (!s)
		return err;
	*val = qcow2_rc_get(s->buf, q->cbits, q->h.refcount_order,
			    cl & ((1ull << q->rb_bits) - 1));
	return 0;
}

static int extend_to(struct blockdev *bd, uint64_t end)
{
	struct qcow2 *q = bd->priv;

	if (end <= q->file_end)
		return 0;
	if (ftruncate(bd->fd, end))
		return -errno;
	q->file_end = end;
	return 0;
}

static int grow_rt(struct blockdev *bd, uint64_t need_idx);

/*
 * Create the refcount block for range idx, which has none: every cluster
 * in the range is free, so the block goes to the range's first cluster
 * (or the second if the first is being allocated) and counts itself.
 */
static int new_refblock(struct blockdev *bd, uint64_t idx, uint64_t busy)
{
	struct qcow2 *q = bd->priv;
	uint64_t start = idx << q->rb_bits, b = start == busy ? start + 1 : start;
	struct table_slot *s;
	uint8_t be[8];
	int err = 0;

	if (start == 0)
		return corrupt(bd, "the header cluster has no refcount", 0);
	err = extend_to(bd, (b + 1) << q->cbits);
	if (err)
		return err;
	cache_forget(q, b << q->cbits);
	s = cache_get(bd, q->rbc, RB_CACHE_SLOTS, b << q->cbits, false, &err);
	if (!s)
		return err;
	qcow2_rc_set(s->buf, q->cbits, q->h.refcount_order, b - start, 1);
	err = write_table_part(bd, s->off, s->buf, 0, q->csize);
	if (err)
		return err;
	q->rt[idx] = b << q->cbits;
	qcow2_put_be64(be, q->rt[idx]);
	return blk_pwrite(bd, q->h.refcount_table_offset + idx * 8, be, 8);
}

static int rc_update(struct blockdev *bd, uint64_t cl, int delta)
{
	struct qcow2 *q = bd->priv;
	uint64_t idx = cl >> q->rb_bits, old, val;
	uint64_t sub = cl & ((1ull << q->rb_bits) - 1);
	struct table_slot *s;
	int err = 0;

	if (idx >= q->rt_entries) {
		if (delta < 0)
			return corrupt(bd, "freeing a cluster without refcount",
				       cl << q->cbits);
		err = grow_rt(bd, idx);
		if (err)
			return err;
	}
	if (!q->rt[idx]) {
		if (delta < 0)
			return corrupt(bd, "freeing a cluster without refcount",
				       cl << q->cbits);
		err = new_refblock(bd, idx, cl);
		if (err)
			return err;
	}
	s = rb_get(bd, q->rt[idx], true, &err);
	if (!s)
		return err;
	old = qcow2_rc_get(s->buf, q->cbits, q->h.refcount_order, sub);
	if (delta < 0 && old == 0)
		return corrupt(bd, "refcount underflow", cl << q->cbits);
	if (delta > 0 && old >= qcow2_rc_max(q->h.refcount_order))
		return corrupt(bd, "refcount overflow", cl << q->cbits);
	val = delta < 0 ? old - 1 : old + 1;
	qcow2_rc_set(s->buf, q->cbits, q->h.refcount_order, sub, val);
	err = write_table_part(bd, s->off, s->buf,
			       (sub << q->h.refcount_order) / 8,
			       ((1u << q->h.refcount_order) + 7) / 8);
	if (!err && !val && cl < q->free_hint)
		q->free_hint = cl;
	return err;
}

/*
 * The refcount table is too small for range need_idx: write a bigger one
 * after the end of the file, with refcount blocks for the ranges it and
 * they land in, then switch the header to it and free the old table.
 */
static int grow_rt(struct blockdev *bd, uint64_t need_idx)
{
	struct qcow2 *q = bd->priv;
	uint64_t per_cl = q->csize / 8, E = q->file_end >> q->cbits;
	uint64_t entries = need_idx + 1 > q->rt_entries * 2 ?
			   need_idx + 1 : q->rt_entries * 2;
	uint64_t n_t, n_rb = 0, end, *nrt = NULL, old_off, old_cl;
	uint8_t *blocks = NULL, *tbl = NULL, hdr[12];
	int err = 0;

	for (int iter = 0;; iter++) {
		uint64_t k = 0;

		entries = (entries + per_cl - 1) / per_cl * per_cl;
		n_t = entries / per_cl;
		end = E + n_rb + n_t;
		for (uint64_t r = E >> q->rb_bits; r <= (end - 1) >> q->rb_bits;
		     r++)
			if (r >= q->rt_entries || !q->rt[r])
				k++;
		if (((end - 1) >> q->rb_bits) >= entries) {
			entries = ((end - 1) >> q->rb_bits) + 1;
			continue;
		}
		if (k == n_rb)
			break;
		n_rb = k;
		if (iter > 64)
			return -EFBIG;
	}
	if (entries * 8 > QCOW2_MAX_RT_BYTES) {
		pr_err("%s: refcount table would exceed %u bytes", bd->path,
		       QCOW2_MAX_RT_BYTES);
		return -ENOSPC;
	}
	nrt = calloc(entries, 8);
	blocks = blk_alloc_aligned(n_rb * q->csize);
	tbl = blk_alloc_aligned(n_t * q->csize);
	if (!nrt || !blocks || !tbl) {
		err = -ENOMEM;
		goto out;
	}
	memcpy(nrt, q->rt, q->rt_entries * 8);
	/* New blocks at E.., one per range without one, in range order. */
	for (uint64_t r = E >> q->rb_bits, i = 0; r <= (end - 1) >> q->rb_bits;
	     r++)
		if (r >= q->rt_entries || !q->rt[r])
			nrt[r] = (E + i++) << q->cbits;
	err = extend_to(bd, end << q->cbits);
	if (err)
		goto out;
	/* Count the new clusters: in new blocks (memory) or existing ones. */
	for (uint64_t x = E; x < end; x++) {
		uint64_t r = x >> q->rb_bits;

		if (r < q->rt_entries && q->rt[r]) {
			err = rc_update(bd, x, 1);
			if (err)
				goto out;
		} else {
			uint64_t bi = (nrt[r] >> q->cbits) - E;

			qcow2_rc_set(blocks + bi * q->csize, q->cbits,
				     q->h.refcount_order,
				     x & ((1ull << q->rb_bits) - 1), 1);
		}
	}
	for (uint64_t i = 0; i < entries; i++)
		qcow2_put_be64(tbl + i * 8, nrt[i]);
	for (uint64_t i = 0; i < n_rb; i++)
		cache_forget(q, (E + i) << q->cbits);
	if (n_rb)
		err = blk_pwrite(bd, E << q->cbits, blocks, n_rb * q->csize);
	if (!err)
		err = blk_pwrite(bd, (E + n_rb) << q->cbits, tbl,
				 n_t * q->csize);
	q->unsynced = true;
	if (!err)
		err = sync_file(bd);
	if (err)
		goto out;
	/* The switch: offset and size are in one sector, written at once. */
	qcow2_put_be64(hdr, (E + n_rb) << q->cbits);
	qcow2_put_be32(hdr + 8, (uint32_t)n_t);
	err = blk_pwrite(bd, QCOW2_OFF_RT_OFFSET, hdr, 12);
	q->unsynced = true;
	if (!err)
		err = sync_file(bd);
	if (err)
		goto out;
	old_off = q->h.refcount_table_offset;
	old_cl = (q->rt_entries * 8 + q->csize - 1) >> q->cbits;
	free(q->rt);
	q->rt = nrt;
	nrt = NULL;
	q->rt_entries = entries;
	q->h.refcount_table_offset = (E + n_rb) << q->cbits;
	q->h.refcount_table_clusters = (uint32_t)n_t;
	for (uint64_t i = 0; i < old_cl && !err; i++)
		err = rc_update(bd, (old_off >> q->cbits) + i, -1);
out:
	free(nrt);
	free(blocks);
	free(tbl);
	return err;
}

/* Allocate one cluster (refcount 1); *off is its host offset. */
static int alloc_cluster(struct blockdev *bd, uint64_t *off)
{
	struct qcow2 *q = bd->priv;
	uint64_t cl = q->free_hint, val;
	int err;

	for (;; cl++) {
		if (cl << q->cbits >= q->file_end)
			break;
		err = rc_get(bd, cl, &val);
		if (err)
			return err;
		if (!val)
			break;
	}
	if (cl > (QCOW2_OFFSET_MASK >> q->cbits))
		return -ENOSPC;
	/* Reserve it first: refcount growth allocates from file_end. */
	err = extend_to(bd, (cl + 1) << q->cbits);
	if (err)
		return err;
	err = rc_update(bd, cl, 1);
	if (err)
		return err;
	q->free_hint = cl + 1;
	cache_forget(q, cl << q->cbits);
	*off = cl << q->cbits;
	return 0;
}

/* Give back a cluster (or the clusters a compressed one touches) later. */
static void free_later(struct blockdev *bd, uint64_t off, uint64_t len)
{
	struct qcow2 *q = bd->priv;

	for (uint64_t cl = off >> q->cbits; cl <= (off + len - 1) >> q->cbits;
	     cl++) {
		if (q->ndeferred == q->deferred_cap) {
			size_t cap = q->deferred_cap ? q->deferred_cap * 2 : 64;
			uint64_t *n;

			if (cap > MAX_DEFERRED ||
			    !(n = realloc(q->deferred, cap * 8))) {
				pr_debug("%s: leaking cluster 0x%llx", bd->path,
					 (unsigned long long)(cl << q->cbits));
				continue;
			}
			q->deferred = n;
			q->deferred_cap = cap;
		}
		q->deferred[q->ndeferred++] = cl;
	}
}

/* Free what the last flush made safe to free, if no data I/O can hit it. */
static int free_deferred(struct blockdev *bd)
{
	struct qcow2 *q = bd->priv;
	size_t n = q->ndeferred_ready;
	int err = 0;

	if (!n || __atomic_load_n(&q->data_inflight, __ATOMIC_ACQUIRE))
		return 0;
	for (size_t i = 0; i < n && !err; i++)
		err = rc_update(bd, q->deferred[i], -1);
	memmove(q->deferred, q->deferred + n, (q->ndeferred - n) * 8);
	q->ndeferred -= n;
	q->ndeferred_ready = 0;
	return err;
}

/* ---- flush ---- */

static int qcow2_flush_locked(struct blockdev *bd)
{
	struct qcow2 *q = bd->priv;
	int err;

	if (bd->readonly)
		return 0;
	q->unsynced = true;
	err = sync_file(bd);		/* data and refcounts */
	for (int i = 0; i < L2_CACHE_SLOTS && !err; i++)
		if (q->l2c[i].off && q->l2c[i].dirty) {
			err = write_table_part(bd, q->l2c[i].off, q->l2c[i].buf,
					       0, q->csize);
			if (!err)
				q->l2c[i].dirty = false;
		}
	if (!err && q->l1_dirty) {
		uint8_t *b = blk_alloc_aligned(q->l1_bytes);

		if (!b)
			return -ENOMEM;
		for (uint32_t i = 0; i < q->h.l1_size; i++)
			qcow2_put_be64(b + i * 8, q->l1[i]);
		err = blk_pwrite(bd, q->h.l1_table_offset, b, q->l1_bytes);
		free(b);
		if (!err)
			q->l1_dirty = false;
	}
	q->unsynced = true;
	if (!err)
		err = sync_file(bd);
	if (!err) {
		/* Entries that dropped these clusters are on disk now. */
		q->ndeferred_ready = q->ndeferred;
		err = free_deferred(bd);
	}
	return err;
}

/* ---- mapping ---- */

struct map {
	struct qcow2_l2_info info;
	struct table_slot *l2;	/* NULL if no L2 table */
	uint32_t idx;		/* entry index in it */
};

static int lookup(struct blockdev *bd, uint64_t g, bool need_l2,
		  struct map *m)
{
	struct qcow2 *q = bd->priv;
	uint64_t l1i = g >> (q->cbits + q->cbits - 3), l2off, entry;
	const char *why;
	bool copied;
	int err = 0;

	memset(m, 0, sizeof(*m));
	m->idx = (g >> q->cbits) & (q->l2_entries - 1);
	if (l1i >= q->h.l1_size)
		return corrupt(bd, "guest offset beyond the L1 table", g);
	if (qcow2_decode_l1(q->l1[l1i], q->cbits, &l2off, &copied, &why))
		return corrupt(bd, why, q->h.l1_table_offset + l1i * 8);
	if (l2off && !copied && need_l2 && !bd->readonly)
		return corrupt(bd, "shared L2 table (snapshots?)", l2off);
	if (!l2off) {
		uint64_t noff;

		if (!need_l2)
			return 0;
		err = alloc_cluster(bd, &noff);
		if (err)
			return err;
		m->l2 = cache_get(bd, q->l2c, L2_CACHE_SLOTS, noff, false, &err);
		if (!m->l2)
			return err;
		/* Zeroed on disk before the L1 entry can refer to it. */
		err = write_table_part(bd, noff, m->l2->buf, 0, q->csize);
		if (err)
			return err;
		q->l1[l1i] = noff | QCOW2_OFLAG_COPIED;
		q->l1_dirty = true;
		return 0;
	}
	m->l2 = l2_get(bd, l2off, true, &err);
	if (!m->l2)
		return err;
	entry = qcow2_be64(m->l2->buf + (uint64_t)m->idx * 8);
	if (qcow2_decode_l2(entry, q->cbits, q->h.version, &m->info, &why))
		return corrupt(bd, why, l2off + m->idx * 8);
	if (m->info.type != QCOW2_C_COMPRESSED && m->info.offset &&
	    !cluster_ok(q, m->info.offset))
		return corrupt(bd, "data cluster outside the image or on metadata",
			       m->info.offset);
	return 0;
}

static void set_entry(struct qcow2 *q, struct map *m, uint64_t entry)
{
	(void)q;
	qcow2_put_be64(m->l2->buf + (uint64_t)m->idx * 8, entry);
	m->l2->dirty = true;
}

/* Read a compressed cluster into out (one cluster). */
static int read_compressed(struct blockdev *bd, const struct qcow2_l2_info *in,
			   uint8_t *out)
{
	struct qcow2 *q = bd->priv;
	uint64_t len = in->csize;
	z_stream zs = { 0 };
	uint8_t *buf;
	int ret, err = 0;

	if (in->offset >= q->file_end)
		return corrupt(bd, "compressed cluster beyond the end of the file",
			       in->offset);
	if (len > q->file_end - in->offset)
		len = q->file_end - in->offset;
	buf = malloc(len);
	if (!buf)
		return -ENOMEM;
	err = blk_pread(bd, in->offset, buf, len);
	if (err)
		goto out;
	if (inflateInit2(&zs, -12) != Z_OK) {
		err = -ENOMEM;
		goto out;
	}
	zs.next_in = buf;
	zs.avail_in = len;
	zs.next_out = out;
	zs.avail_out = q->csize;
	ret = inflate(&zs, Z_FINISH);
	/* The stored size is rounded up to sectors: trailing bytes are fine. */
	if ((ret != Z_STREAM_END && ret != Z_BUF_ERROR) || zs.avail_out) {
		pr_err("%s: bad compressed cluster at 0x%llx", bd->path,
		       (unsigned long long)in->offset);
		err = -EIO;
	}
	inflateEnd(&zs);
out:
	free(buf);
	return err;
}

/* Guest bytes [g, g + n) that the backing file (or nothing) provides. */
static int read_backing(struct blockdev *bd, uint64_t g, uint8_t *buf,
			uint64_t n)
{
	struct qcow2 *q = bd->priv;
	uint64_t bsize = q->backing ? blockdev_size(q->backing) : 0, m = 0;
	int err = 0;

	if (g < bsize) {
		m = bsize - g < n ? bsize - g : n;
		err = q->backing->drv->read_sync(q->backing, g, buf, m);
	}
	memset(buf + m, 0, n - m);
	return err;
}

/*
 * Synchronous read of [g, g + n) within one cluster, given its mapping:
 * for backing reads, copy-on-write and everything that is not plain data.
 */
static int read_mapped(struct blockdev *bd, const struct map *m, uint64_t g,
		       uint8_t *buf, uint64_t n)
{
	struct qcow2 *q = bd->priv;
	uint64_t in = g & (q->csize - 1);
	uint8_t *tmp;
	int err;

	switch (m->info.type) {
	case QCOW2_C_UNALLOCATED:
		return read_backing(bd, g, buf, n);
	case QCOW2_C_ZERO:
		memset(buf, 0, n);
		return 0;
	case QCOW2_C_NORMAL:
		return blk_pread(bd, m->info.offset + in, buf, n);
	case QCOW2_C_COMPRESSED:
		tmp = malloc(q->csize);
		if (!tmp)
			return -ENOMEM;
		err = read_compressed(bd, &m->info, tmp);
		if (!err)
			memcpy(buf, tmp + in, n);
		free(tmp);
		return err;
	}
	return -EIO;
}

static void data_done(struct blockdev *bd)
{
	struct qcow2 *q = bd->priv;

	__atomic_fetch_sub(&q->data_inflight, 1, __ATOMIC_RELEASE);
}

/* Drop the old cluster an entry referred to, after the next flush. */
static void release_old(struct blockdev *bd, const struct qcow2_l2_info *old)
{
	if (old->type == QCOW2_C_COMPRESSED)
		free_later(bd, old->offset, old->csize);
	else if (old->offset)
		free_later(bd, old->offset, 1);
}

/*
 * Write [g, g + n) (one cluster) into a newly allocated cluster: src
 * (n bytes; NULL: zeroes) merged with the cluster's old contents.
 */
static int write_alloc(struct blockdev *bd, uint64_t g, const uint8_t *src,
		       uint64_t n)
{
	struct qcow2 *q = bd->priv;
	uint64_t base = g & ~(q->csize - 1), in = g - base, off;
	uint8_t *buf;
	struct map m;
	int err;

	err = lookup(bd, g, true, &m);
	if (err)
		return err;
	buf = blk_alloc_aligned(q->csize);
	if (!buf)
		return -ENOMEM;
	if (n < q->csize) {
		err = read_mapped(bd, &m, base, buf, q->csize);
		if (err)
			goto out;
	}
	if (src)
		memcpy(buf + in, src, n);
	else
		memset(buf + in, 0, n);
	err = alloc_cluster(bd, &off);
	if (err)
		goto out;
	err = blk_pwrite(bd, off, buf, q->csize);
	if (err)
		goto out;
	q->unsynced = true;
	/* alloc_cluster may have evicted the table: look it up again. */
	err = lookup(bd, g, true, &m);
	if (err)
		goto out;
	release_old(bd, &m.info);
	set_entry(q, &m, off | QCOW2_OFLAG_COPIED);
out:
	free(buf);
	return err;
}

/* Make the whole cluster at g read as zeroes (zero flag or unmapping). */
static int zero_cluster(struct blockdev *bd, uint64_t g, bool discard)
{
	struct qcow2 *q = bd->priv;
	struct map m;
	int err;

	err = lookup(bd, g, false, &m);
	if (err)
		return err;
	if (q->h.version < 3) {
		if (q->backing && !discard)
			return write_alloc(bd, g, NULL, q->csize);
		if (!m.l2 || m.info.type == QCOW2_C_UNALLOCATED)
			return 0;
		release_old(bd, &m.info);
		set_entry(q, &m, 0);
		return 0;
	}
	if (!m.l2) {
		if (!q->backing)
			return 0;	/* reads zeroes already */
		/* Like QEMU: v3 discards read zeroes, not the backing file. */
		err = lookup(bd, g, true, &m);
		if (err)
			return err;
	}
	if (m.info.type == QCOW2_C_ZERO && !m.info.offset)
		return 0;
	if (m.info.type == QCOW2_C_UNALLOCATED && !q->backing)
		return 0;
	release_old(bd, &m.info);
	set_entry(q, &m, QCOW2_OFLAG_ZERO);
	return 0;
}

/* Zero part of a cluster: in place if it is plain data we own. */
static int zero_partial(struct blockdev *bd, uint64_t g, uint64_t n)
{
	struct qcow2 *q = bd->priv;
	uint8_t *zero;
	struct map m;
	int err;

	err = lookup(bd, g, false, &m);
	if (err)
		return err;
	if (m.info.type == QCOW2_C_ZERO ||
	    (m.info.type == QCOW2_C_UNALLOCATED && !q->backing))
		return 0;
	if (m.info.type != QCOW2_C_NORMAL || !m.info.copied)
		return write_alloc(bd, g, NULL, n);
	zero = blk_alloc_aligned(n);
	if (!zero)
		return -ENOMEM;
	err = blk_pwrite(bd, m.info.offset + (g & (q->csize - 1)), zero, n);
	q->unsynced = true;
	free(zero);
	return err;
}

/* ---- requests ---- */

static void qcow2_submit(struct blockdev *bd, struct blk_req *req)
{
	struct qcow2 *q = bd->priv;
	uint64_t pos = 0, g, n;
	uint8_t *buf = NULL;
	struct map m;
	int err = 0;

	blk_req_get(bd, req);
	pthread_mutex_lock(&q->lock);
	if (req->op != BLK_OP_READ && q->broken) {
		err = -EIO;
		goto out;
	}
	if (req->op == BLK_OP_FLUSH) {
		err = qcow2_flush_locked(bd);
		goto out;
	}
	if (req->op != BLK_OP_WRITE && req->op != BLK_OP_READ) {
		bool discard = req->op == BLK_OP_DISCARD;

		for (; pos < req->len && !err; pos += n) {
			g = req->offset + pos;
			n = q->csize - (g & (q->csize - 1));
			if (n > req->len - pos)
				n = req->len - pos;
			if (n == q->csize)
				err = zero_cluster(bd, g, discard);
			else if (!discard)
				err = zero_partial(bd, g, n);
		}
		goto out;
	}
	buf = blk_alloc_aligned(q->csize);
	if (!buf) {
		err = -ENOMEM;
		goto out;
	}
	for (; pos < req->len && !err; pos += n) {
		g = req->offset + pos;
		n = q->csize - (g & (q->csize - 1));
		if (n > req->len - pos)
			n = req->len - pos;
		err = lookup(bd, g, false, &m);
		if (err)
			break;
		if (m.info.type == QCOW2_C_NORMAL &&
		    (req->op == BLK_OP_READ || m.info.copied)) {
			__atomic_fetch_add(&q->data_inflight, 1,
					   __ATOMIC_RELAXED);
			blk_data_io(bd, req, bd->fd, req->op == BLK_OP_READ ?
				    AIO_READ : AIO_WRITE,
				    m.info.offset + (g & (q->csize - 1)), pos,
				    n, data_done);
			if (req->op == BLK_OP_WRITE)
				q->unsynced = true;
		} else if (req->op == BLK_OP_READ) {
			err = read_mapped(bd, &m, g, buf, n);
			if (!err)
				iov_from_buf(req->iov, req->iovcnt, pos, buf, n);
		} else {
			iov_to_buf(req->iov, req->iovcnt, pos, buf, n);
			err = write_alloc(bd, g, buf, n);
		}
	}
out:
	pthread_mutex_unlock(&q->lock);
	free(buf);
	blk_req_put(bd, req, err);
}

static int qcow2_read_sync(struct blockdev *bd, uint64_t off, void *out,
			   uint64_t len)
{
	struct qcow2 *q = bd->priv;
	uint8_t *buf = out;
	uint64_t n;
	struct map m;
	int err = 0;

	pthread_mutex_lock(&q->lock);
	for (uint64_t pos = 0; pos < len && !err; pos += n) {
		uint64_t g = off + pos;

		n = q->csize - (g & (q->csize - 1));
		if (n > len - pos)
			n = len - pos;
		err = lookup(bd, g, false, &m);
		if (!err)
			err = read_mapped(bd, &m, g, buf + pos, n);
	}
	pthread_mutex_unlock(&q->lock);
	return err;
}

/* ---- open/close ---- */

static int read_table(struct blockdev *bd, uint64_t off, uint64_t entries,
		      uint64_t **out)
{
	uint64_t *t = calloc(entries ? entries : 1, 8);
	uint8_t *raw = blk_alloc_aligned(entries * 8 + 512);
	int err = 0;

	if (!t || !raw) {
		err = -ENOMEM;
		goto out;
	}
	/* Rounded up to a sector for O_DIRECT; the header checks bound it. */
	err = blk_pread(bd, off, raw, entries * 8);
	for (uint64_t i = 0; i < entries && !err; i++)
		t[i] = qcow2_be64(raw + i * 8);
out:
	free(raw);
	if (err) {
		free(t);
		t = NULL;
	}
	*out = t;
	return err;
}

static int open_backing(struct blockdev *bd, const uint8_t *hdr,
			size_t hdr_len)
{
	struct qcow2 *q = bd->priv;
	char name[QCOW2_MAX_BACKING_NAME + 1], *dir, *dirbuf, *full = NULL;
	struct disk_spec spec = { 0 };
	int err;

	if (qcow2_backing_name(hdr, hdr_len, &q->h, name)) {
		pr_err("%s: invalid backing file name", bd->path);
		return -EINVAL;
	}
	if (q->h.backing_format[0] && strcmp(q->h.backing_format, "raw") &&
	    strcmp(q->h.backing_format, "qcow2")) {
		pr_err("%s: backing file format '%s' is not supported (raw, qcow2)",
		       bd->path, q->h.backing_format);
		return -EINVAL;
	}
	/* Relative names are relative to the image, like QEMU. */
	if (name[0] != '/') {
		dirbuf = strdup(bd->path);
		if (!dirbuf)
			return -ENOMEM;
		dir = dirname(dirbuf);
		if (asprintf(&full, "%s/%s", dir, name) < 0)
			full = NULL;
		free(dirbuf);
		if (!full)
			return -ENOMEM;
	} else {
		full = strdup(name);
		if (!full)
			return -ENOMEM;
	}
	spec.path = full;
	spec.readonly = true;
	spec.cache = DISK_CACHE_WRITEBACK;
	spec.format = !strcmp(q->h.backing_format, "raw") ? DISK_FMT_RAW :
		      !strcmp(q->h.backing_format, "qcow2") ? DISK_FMT_QCOW2 :
		      DISK_FMT_AUTO;
	err = blockdev_open_depth(&spec, bd->depth + 1, &q->backing);
	if (err && err != -ELOOP)
		pr_err("%s: cannot open its backing file %s", bd->path, full);
	free(full);
	return err;
}

static int qcow2_open(struct blockdev *bd, const uint8_t *hdr, size_t hdr_len)
{
	struct qcow2 *q;
	const char *why;
	struct stat st;
	int err;

	if (fstat(bd->fd, &st))
		return -errno;
	q = calloc(1, sizeof(*q));
	if (!q)
		return -ENOMEM;
	bd->priv = q;
	pthread_mutex_init(&q->lock, NULL);
	if (qcow2_parse_header(hdr, hdr_len, st.st_size, &q->h, &why)) {
		pr_err("%s: not a valid qcow2 image: %s", bd->path, why);
		return -EINVAL;
	}
	q->cbits = q->h.cluster_bits;
	q->csize = qcow2_cluster_size(&q->h);
	q->l2_entries = q->csize / 8;
	q->rb_bits = qcow2_rb_bits(&q->h);
	q->l1_bytes = (uint64_t)q->h.l1_size * 8;
	q->rt_entries = (uint64_t)q->h.refcount_table_clusters * q->csize / 8;
	q->file_end = ((uint64_t)st.st_size + q->csize - 1) & ~(q->csize - 1);
	q->free_hint = 1;
	if (bd->direct && q->csize < BLK_DIRECT_ALIGN) {
		pr_err("%s: cache=none needs clusters of at least %u bytes",
		       bd->path, BLK_DIRECT_ALIGN);
		return -EINVAL;
	}

	if (q->h.incompatible_features & QCOW2_INCOMPAT_CORRUPT) {
		if (!bd->readonly) {
			pr_err("%s: the image is marked corrupt (qemu-img check -r all repairs it); it can only be opened read-only",
			       bd->path);
			return -EINVAL;
		}
		q->broken = true;
	}
	if ((q->h.incompatible_features & QCOW2_INCOMPAT_DIRTY) &&
	    !bd->readonly) {
		pr_err("%s: the image was not closed cleanly (dirty); repair it with qemu-img check -r all",
		       bd->path);
		return -EINVAL;
	}
	if (q->h.nb_snapshots && !bd->readonly) {
		pr_err("%s: images with internal snapshots can only be opened read-only",
		       bd->path);
		return -EINVAL;
	}

	err = read_table(bd, q->h.l1_table_offset, q->h.l1_size, &q->l1);
	if (!err)
		err = read_table(bd, q->h.refcount_table_offset, q->rt_entries,
				 &q->rt);
	if (err) {
		pr_err("%s: cannot read the metadata: %s", bd->path,
		       strerror(-err));
		return err;
	}
	for (uint32_t i = 0; i < q->h.l1_size; i++) {
		uint64_t off;
		bool copied;

		if (qcow2_decode_l1(q->l1[i], q->cbits, &off, &copied, &why) ||
		    (off && !cluster_ok(q, off))) {
			pr_err("%s: not a valid qcow2 image: L1 entry %u: %s",
			       bd->path, i,
			       off && !cluster_ok(q, off) ?
			       "L2 table outside the image or on metadata" : why);
			return -EINVAL;
		}
	}
	for (uint64_t i = 0; i < q->rt_entries; i++) {
		uint64_t off;

		if (qcow2_decode_rt(q->rt[i], q->cbits, &off, &why) ||
		    (off && !cluster_ok(q, off))) {
			pr_err("%s: not a valid qcow2 image: refcount table entry %llu: %s",
			       bd->path, (unsigned long long)i,
			       off && !cluster_ok(q, off) ?
			       "refcount block outside the image or on metadata" :
			       why);
			return -EINVAL;
		}
	}
	if (!q->rt[0]) {
		pr_err("%s: not a valid qcow2 image: no refcount block for the header",
		       bd->path);
		return -EINVAL;
	}

	if (q->h.backing_file_offset) {
		err = open_backing(bd, hdr, hdr_len);
		if (err)
			return err;
	}

	/* Features we do not maintain (bitmaps) become invalid: like QEMU. */
	if (!bd->readonly && q->h.autoclear_features) {
		uint8_t be[8] = { 0 };

		err = blk_pwrite(bd, QCOW2_OFF_AUTOCLEAR, be, 8);
		if (!err)
			err = fdatasync(bd->fd) ? -errno : 0;
		if (err)
			return err;
		q->h.autoclear_features = 0;
	}
	bd->size = q->h.size & ~(uint64_t)(BLK_SECTOR_SIZE - 1);
	q->opened = true;
	return 0;
}

static void qcow2_close(struct blockdev *bd)
{
	struct qcow2 *q = bd->priv;

	if (!q)
		return;
	if (q->opened && !bd->readonly && !q->broken) {
		int err;

		pthread_mutex_lock(&q->lock);
		err = qcow2_flush_locked(bd);
		pthread_mutex_unlock(&q->lock);
		if (err)
			pr_err("%s: flushing metadata at close: %s", bd->path,
			       strerror(-err));
	}
	for (int i = 0; i < L2_CACHE_SLOTS; i++)
		free(q->l2c[i].buf);
	for (int i = 0; i < RB_CACHE_SLOTS; i++)
		free(q->rbc[i].buf);
	blockdev_close(q->backing);
	free(q->l1);
	free(q->rt);
	free(q->deferred);
	pthread_mutex_destroy(&q->lock);
	free(q);
	bd->priv = NULL;
}

const struct blk_driver blk_qcow2_driver = {
	.name = "qcow2",
	.open = qcow2_open,
	.close = qcow2_close,
	.submit = qcow2_submit,
	.read_sync = qcow2_read_sync,
};
