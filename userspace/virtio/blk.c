// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-blk over the block layer. See blk.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "virtio/blk.h"

#define VBLK_HDR_LEN	16
#define VBLK_RANGE_LEN	16

/* Segments [offset, offset + len) of the chain's list as an iovec. */
static int segs_to_iov(const struct vq_seg *segs, u32 nr, u64 offset,
		       u64 len, struct iovec *iov, int max)
{
	int n = 0;
	u32 i;

	for (i = 0; i < nr && len; i++) {
		u64 take;

		if (offset >= segs[i].len) {
			offset -= segs[i].len;
			continue;
		}
		take = segs[i].len - offset;
		if (take > len)
			take = len;
		if (!take)
			continue;
		if (n == max)
			return -1;
		iov[n].iov_base = (u8 *)segs[i].addr + offset;
		iov[n].iov_len = take;
		n++;
		len -= take;
		offset = 0;
	}
	return len ? -1 : n;
}

int vblk_parse(const struct vq_seg *segs, const struct vq_chain *chain,
	       struct vblk_parsed *p)
{
	const struct vq_seg *in = segs + chain->nr_out;
	u8 hdr[VBLK_HDR_LEN], range[VBLK_RANGE_LEN];
	u64 off;
	u32 i;
	int n;

	memset(p, 0, offsetof(struct vblk_parsed, iov));
	p->iovcnt = 0;
	p->data_len = 0;
	p->status = NULL;
	p->range_sector = 0;
	p->range_sectors = 0;
	if (chain->out_len < VBLK_HDR_LEN || chain->in_len < 1)
		return -1;
	if (vq_copy_from_segs(hdr, sizeof(hdr), segs, chain->nr_out, 0) !=
	    sizeof(hdr))
		return -1;
	p->type = load_le(hdr, 4);
	p->sector = load_le(hdr + 8, 8);

	/* the status byte is the last writable byte */
	off = chain->in_len - 1;
	for (i = 0; i < chain->nr_in; i++) {
		if (off < in[i].len) {
			p->status = (u8 *)in[i].addr + off;
			break;
		}
		off -= in[i].len;
	}
	if (!p->status)
		return -1;

	switch (p->type) {
	case VIRTIO_BLK_T_IN:
	case VIRTIO_BLK_T_GET_ID:
		p->data_len = chain->in_len - 1;
		n = segs_to_iov(in, chain->nr_in, 0, p->data_len, p->iov,
				ARRAY_SIZE(p->iov));
		break;
	case VIRTIO_BLK_T_OUT:
		p->data_len = chain->out_len - VBLK_HDR_LEN;
		n = segs_to_iov(segs, chain->nr_out, VBLK_HDR_LEN, p->data_len,
				p->iov, ARRAY_SIZE(p->iov));
		break;
	case VIRTIO_BLK_T_DISCARD:
	case VIRTIO_BLK_T_WRITE_ZEROES:
		p->data_len = chain->out_len - VBLK_HDR_LEN;
		n = 0;
		/* one range (max_discard_seg = 1); more is refused later */
		if (p->data_len >= VBLK_RANGE_LEN &&
		    vq_copy_from_segs(range, sizeof(range), segs,
				      chain->nr_out, VBLK_HDR_LEN) ==
		    sizeof(range)) {
			p->range_sector = load_le(range, 8);
			p->range_sectors = load_le(range + 8, 4);
		}
		break;
	default:
		n = 0;
		break;
	}
	if (n < 0)
		return -1;
	p->iovcnt = n;
	return 0;
}

/* [sector, sector + count) inside the disk, without overflow. */
static bool range_ok(u64 sector, u64 count, u64 capacity)
{
	return sector <= capacity && count <= capacity - sector;
}

int vblk_to_blk_req(const struct vblk_parsed *p, u64 capacity_sectors,
		    bool readonly, struct blk_req *req)
{
	u64 sectors;

	memset(req, 0, sizeof(*req));
	switch (p->type) {
	case VIRTIO_BLK_T_IN:
	case VIRTIO_BLK_T_OUT:
		if (p->type == VIRTIO_BLK_T_OUT && readonly)
			return VIRTIO_BLK_S_IOERR;
		if (p->data_len % BLK_SECTOR_SIZE)
			return VIRTIO_BLK_S_IOERR;
		sectors = p->data_len >> BLK_SECTOR_SHIFT;
		if (!range_ok(p->sector, sectors, capacity_sectors))
			return VIRTIO_BLK_S_IOERR;
		req->op = p->type == VIRTIO_BLK_T_IN ? BLK_OP_READ :
						       BLK_OP_WRITE;
		req->offset = p->sector << BLK_SECTOR_SHIFT;
		req->len = p->data_len;
		req->iov = p->iov;
		req->iovcnt = p->iovcnt;
		return 0;
	case VIRTIO_BLK_T_FLUSH:
		req->op = BLK_OP_FLUSH;
		return 0;
	case VIRTIO_BLK_T_DISCARD:
	case VIRTIO_BLK_T_WRITE_ZEROES:
		if (readonly)
			return VIRTIO_BLK_S_IOERR;
		/* exactly one 16-byte range */
		if (p->data_len != VBLK_RANGE_LEN || !p->range_sectors ||
		    p->range_sectors > VIRTIO_BLK_MAX_DISCARD_SECTORS ||
		    !range_ok(p->range_sector, p->range_sectors,
			      capacity_sectors))
			return VIRTIO_BLK_S_IOERR;
		req->op = p->type == VIRTIO_BLK_T_DISCARD ?
			  BLK_OP_DISCARD : BLK_OP_WRITE_ZEROES;
		req->offset = p->range_sector << BLK_SECTOR_SHIFT;
		req->len = (u64)p->range_sectors << BLK_SECTOR_SHIFT;
		return 0;
	}
	return VIRTIO_BLK_S_UNSUPP;
}

void vblk_config(u8 cfg[VIRTIO_BLK_CONFIG_LEN], u64 sectors)
{
	memset(cfg, 0, VIRTIO_BLK_CONFIG_LEN);
	store_le(cfg + 0, sectors, 8);			/* capacity */
	store_le(cfg + 8, VIRTIO_BLK_SIZE_MAX, 4);	/* size_max */
	store_le(cfg + 12, VIRTIO_BLK_SEG_MAX, 4);	/* seg_max */
	store_le(cfg + 20, BLK_SECTOR_SIZE, 4);		/* blk_size */
	store_le(cfg + 34, 1, 2);			/* num_queues */
	store_le(cfg + 36, VIRTIO_BLK_MAX_DISCARD_SECTORS, 4);
	store_le(cfg + 40, 1, 4);			/* max_discard_seg */
	store_le(cfg + 44, 1, 4);	/* discard_sector_alignment */
	store_le(cfg + 48, VIRTIO_BLK_MAX_DISCARD_SECTORS, 4);
	store_le(cfg + 52, 1, 4);			/* max_write_zeroes_seg */
	cfg[56] = 1;					/* may unmap */
}

/* ---------------------------------------------------------------------
 * The device
 */
struct vblk_req {
	struct blk_req br;
	struct virtio_blk *b;
	u16 head;
	u32 in_len;		/* bytes written to the chain */
	u64 t0_us;		/* when it left the ring (latency) */
	int ret;		/* kept while quarantined: the result */
	struct vblk_req *next;	/* on b->kept */
	struct vblk_parsed p;
};

static void count_req(struct vblk_stats *s, const struct vblk_req *r, u8 st)
{
	u64 *n, t = clock_monotonic_ns() / 1000;

	switch (r->p.type) {
	case VIRTIO_BLK_T_IN:
		n = &s->reads;
		break;
	case VIRTIO_BLK_T_OUT:
		n = &s->writes;
		break;
	case VIRTIO_BLK_T_FLUSH:
		n = &s->flushes;
		break;
	case VIRTIO_BLK_T_DISCARD:
		n = &s->discards;
		break;
	case VIRTIO_BLK_T_WRITE_ZEROES:
		n = &s->write_zeroes;
		break;
	case VIRTIO_BLK_T_GET_ID:
		n = &s->get_ids;
		break;
	default:
		n = &s->unsupported;
		break;
	}
	nyx_stat_add(n, 1);
	if (st != VIRTIO_BLK_S_OK)
		nyx_stat_add(&s->errors, 1);
	else if (r->p.type == VIRTIO_BLK_T_IN)
		nyx_stat_add(&s->read_bytes, r->p.data_len);
	else if (r->p.type == VIRTIO_BLK_T_OUT)
		nyx_stat_add(&s->write_bytes, r->p.data_len);
	nyx_hist_add(&s->latency, t > r->t0_us ? t - r->t0_us : 0);
}

/* Complete r with status st (counted), free it. */
static void finish(struct virtio_blk *b, struct vblk_req *r, u8 st,
		   u32 in_len)
{
	/* status points into guest RAM (checked by vq_pop) */
	*(volatile u8 *)r->p.status = st;
	count_req(&b->stats, r, st);
	virtio_push(&b->vp, 0, r->head, in_len);
	virtio_notify_queue(&b->vp, 0);
	free(r);
}

/*
 * An error of the image itself (full filesystem, I/O error), not of the
 * request: werror/rerror=stop. -EINVAL and -EOPNOTSUPP say the request
 * cannot be done, which retrying would not change; discards are advisory.
 */
static bool backend_error(const struct blk_req *br, int ret)
{
	return ret && ret != -EINVAL && ret != -EOPNOTSUPP &&
	       br->op != BLK_OP_DISCARD;
}

/* Hold a finished request while the device is quarantined. */
static void keep(struct virtio_blk *b, struct vblk_req *r, int ret)
{
	r->ret = ret;
	r->next = b->kept;
	b->kept = r;
	b->nr_kept++;
}

static void req_done(struct blk_req *br, int ret)
{
	struct vblk_req *r = br->opaque;
	struct virtio_blk *b = r->b;
	char why[VIRTIO_REASON_LEN];

	if (ret)
		pr_debug("%s: request %u: %s", b->vp.ops->name, r->head,
			 strerror(-ret));
	nyx_stat_add(&b->stats.inflight, -1ull);
	if (backend_error(&r->br, ret)) {
		snprintf(why, sizeof(why), "%s at byte %llu: %s",
			 r->br.op == BLK_OP_READ ? "read" :
			 r->br.op == BLK_OP_FLUSH ? "flush" : "write",
			 (unsigned long long)r->br.offset, strerror(-ret));
		virtio_quarantine_backend(&b->vp, why);
	}
	/* Quarantined (now or before, for any reason): the request stays
	 * where it is, neither its status nor the used ring is written (nor
	 * is it counted yet). A backend device-reset retries or completes it
	 * (blk_recover), a reset of the device drops it (blk_reset). */
	if (virtio_quarantined(&b->vp)) {
		keep(b, r, ret);
		return;
	}
	finish(b, r, ret ? VIRTIO_BLK_S_IOERR : VIRTIO_BLK_S_OK,
	       ret ? 1 : r->in_len);
}

static void handle(struct virtio_blk *b, struct vblk_req *r)
{
	int st;

	if (r->p.type == VIRTIO_BLK_T_GET_ID) {
		u64 n = r->p.data_len < VIRTIO_BLK_ID_BYTES ?
			r->p.data_len : VIRTIO_BLK_ID_BYTES;
		struct vq_seg seg;
		int i;
		u64 done = 0;

		for (i = 0; i < r->p.iovcnt && done < n; i++) {
			seg.addr = r->p.iov[i].iov_base;
			seg.len = r->p.iov[i].iov_len;
			seg.write = true;
			done += vq_copy_to_segs(&seg, 1, 0, b->id + done,
						n - done);
		}
		finish(b, r, VIRTIO_BLK_S_OK, n + 1);
		return;
	}
	st = vblk_to_blk_req(&r->p, blockdev_sectors(b->bd), b->readonly,
			     &r->br);
	if (!st) {
		r->br.done = req_done;
		r->br.opaque = r;
		r->in_len = r->p.type == VIRTIO_BLK_T_IN ?
			    r->p.data_len + 1 : 1;
		/* before the submit: the completion may come at once */
		nyx_stat_add(&b->stats.inflight, 1);
		st = blockdev_submit(b->bd, &r->br);
		if (!st)
			return;
		nyx_stat_add(&b->stats.inflight, -1ull);
		st = VIRTIO_BLK_S_IOERR;
	}
	finish(b, r, st, 1);
}

static void blk_queue_notify(struct virtio_pci *v, unsigned int q)
{
	struct virtio_blk *b = v->dev;
	struct vq_seg segs[VIRTIO_BLK_MAX_SEGS];
	struct vq_chain chain;
	struct vblk_req *r;
	int ret;

	do {
		virtio_queue_disable_notify(v, q);
		while ((ret = virtio_pop(v, q, segs, ARRAY_SIZE(segs),
					 &chain)) > 0) {
			r = malloc(sizeof(*r));
			if (!r) {
				virtio_set_needs_reset(v, "out of memory");
				return;
			}
			r->b = b;
			r->head = chain.head;
			r->t0_us = clock_monotonic_ns() / 1000;
			if (vblk_parse(segs, &chain, &r->p)) {
				free(r);
				virtio_set_needs_reset(v,
					"malformed request (header or status)");
				return;
			}
			handle(b, r);
		}
		if (ret < 0)
			return;
	} while (virtio_queue_enable_notify(v, q));
}

static void blk_dev_fd_ready(struct virtio_pci *v)
{
	struct virtio_blk *b = v->dev;

	blockdev_complete(b->bd);
}

/* Drop the kept requests: the driver reset the device, they are void. */
static void drop_kept(struct virtio_blk *b)
{
	struct vblk_req *r;

	while ((r = b->kept)) {
		b->kept = r->next;
		free(r);
	}
	b->nr_kept = 0;
}

static void blk_reset(struct virtio_pci *v)
{
	struct virtio_blk *b = v->dev;

	/* the completions' pushes are dropped: the transport is resetting */
	blockdev_drain(b->bd);
	drop_kept(b);
}

/* Backend device-reset: retry the failed requests, complete the others
 * that finished meanwhile. A retry that fails again quarantines again. */
static void blk_recover(struct virtio_pci *v)
{
	struct virtio_blk *b = v->dev;
	struct vblk_req *list = NULL, *r;
	int st;

	/* quarantined again before we got here: keep everything */
	if (virtio_quarantined(v))
		return;
	/* kept newest first: retry in the order they finished */
	while ((r = b->kept)) {
		b->kept = r->next;
		r->next = list;
		list = r;
	}
	b->nr_kept = 0;
	while ((r = list)) {
		list = r->next;
		if (!r->ret) {
			finish(b, r, VIRTIO_BLK_S_OK, r->in_len);
			continue;
		}
		if (!backend_error(&r->br, r->ret)) {
			finish(b, r, VIRTIO_BLK_S_IOERR, 1);
			continue;
		}
		nyx_stat_add(&b->stats.inflight, 1);
		st = blockdev_submit(b->bd, &r->br);
		if (!st)
			continue;
		nyx_stat_add(&b->stats.inflight, -1ull);
		finish(b, r, VIRTIO_BLK_S_IOERR, 1);
	}
}

static void blk_config_read(struct virtio_pci *v, u32 off, void *data,
			    u32 len)
{
	struct virtio_blk *b = v->dev;

	memcpy(data, b->config + off, len);
}

/* Both variants: a read-only disk offers RO and no discard/write-zeroes. */
#define BLK_FEATURES	((1ull << VIRTIO_BLK_F_SIZE_MAX) |		\
			 (1ull << VIRTIO_BLK_F_SEG_MAX) |		\
			 (1ull << VIRTIO_BLK_F_BLK_SIZE) |		\
			 (1ull << VIRTIO_BLK_F_FLUSH))
#define BLK_OPS(extra_features) {					\
	.name = "virtio-blk",						\
	.type = VIRTIO_ID_BLOCK,					\
	.class_code = 0x018000,		/* mass storage, other */	\
	.num_queues = 1,						\
	.config_len = VIRTIO_BLK_CONFIG_LEN,				\
	.features = BLK_FEATURES | (extra_features),			\
	.config_read = blk_config_read,					\
	.queue_notify = blk_queue_notify,				\
	.dev_fd_ready = blk_dev_fd_ready,				\
	.reset = blk_reset,						\
	.recover = blk_recover,						\
}

static const struct virtio_dev_ops blk_ops_template =
	BLK_OPS((1ull << VIRTIO_BLK_F_DISCARD) |
		(1ull << VIRTIO_BLK_F_WRITE_ZEROES));
static const struct virtio_dev_ops blk_ops_ro =
	BLK_OPS(1ull << VIRTIO_BLK_F_RO);

int virtio_blk_init(struct virtio_blk *b, const struct disk_spec *spec,
		    const struct vm *vm)
{
	const char *serial;
	int r;

	memset(b, 0, sizeof(*b));
	r = blockdev_open(spec, &b->bd);
	if (r)
		return r;
	b->readonly = blockdev_readonly(b->bd);
	serial = blockdev_serial(b->bd);
	memcpy(b->id, serial, strnlen(serial, sizeof(b->id)));
	vblk_config(b->config, blockdev_sectors(b->bd));
	r = virtio_pci_init(&b->vp, b->readonly ? &blk_ops_ro :
			    &blk_ops_template, b, vm);
	if (r) {
		blockdev_close(b->bd);
		b->bd = NULL;
		return r;
	}
	b->vp.dev_fd = blockdev_completion_fd(b->bd);
	pr_debug("virtio-blk: %s (%s, %llu sectors%s, engine %s)",
		 spec->path, blockdev_format_name(b->bd),
		 (unsigned long long)blockdev_sectors(b->bd),
		 b->readonly ? ", read-only" : "",
		 blockdev_engine_name(b->bd));
	return 0;
}

int virtio_blk_start(struct virtio_blk *b, int vm_fd)
{
	return virtio_pci_start(&b->vp, vm_fd);
}

void virtio_blk_exit(struct virtio_blk *b)
{
	virtio_pci_stop(&b->vp);
	if (b->bd)
		blockdev_close(b->bd);
	b->bd = NULL;
}

/* ---------------------------------------------------------------------
 * Snapshot state (blk.h)
 */
_Static_assert(sizeof(struct virtio_blk_saved) == 1024, "blk record");

static bool blk_busy(struct virtio_blk *b)
{
	return __atomic_load_n(&b->stats.inflight, __ATOMIC_ACQUIRE) ||
	       __atomic_load_n(&b->nr_kept, __ATOMIC_ACQUIRE);
}

int virtio_blk_save(struct virtio_blk *b, struct virtio_blk_saved *st)
{
	int r;

	memset(st, 0, sizeof(*st));
	if (blk_busy(b))
		return -EBUSY;
	r = virtio_pci_save_state(&b->vp, &st->vp);
	if (r)
		return r;
	st->version = VIRTIO_BLK_STATE_VERSION;
	st->size = sizeof(*st);
	memcpy(st->config, b->config, sizeof(st->config));
	memcpy(st->id, b->id, sizeof(st->id));
	st->readonly = b->readonly;
	return 0;
}

int virtio_blk_load(struct virtio_blk *b, const struct virtio_blk_saved *st)
{
	static const u8 zero[sizeof(st->pad)];

	if (st->version != VIRTIO_BLK_STATE_VERSION ||
	    st->size != sizeof(*st) || memcmp(st->pad, zero, sizeof(zero)) ||
	    memcmp(st->config, b->config, sizeof(b->config)) ||
	    memcmp(st->id, b->id, sizeof(b->id)) ||
	    st->readonly != b->readonly)
		return -EINVAL;
	if (blk_busy(b))
		return -EBUSY;
	return virtio_pci_load(&b->vp, &st->vp);
}
