// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-net over a tap. See net.h.
 */
#include <errno.h>
#include <linux/if_tun.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "virtio/net.h"

static bool has(u64 features, unsigned int bit)
{
	return (features >> bit) & 1;
}

bool vnet_tx_hdr_ok(const u8 hdr[VIRTIO_NET_HDR_LEN], u64 features)
{
	u8 flags = hdr[0], gso = hdr[1];

	if ((flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) &&
	    !has(features, VIRTIO_NET_F_CSUM))
		return false;
	if (flags & ~(VIRTIO_NET_HDR_F_NEEDS_CSUM |
		      VIRTIO_NET_HDR_F_DATA_VALID))
		return false;
	if ((gso & VIRTIO_NET_HDR_GSO_ECN) &&
	    !has(features, VIRTIO_NET_F_HOST_ECN))
		return false;
	switch (gso & ~VIRTIO_NET_HDR_GSO_ECN) {
	case VIRTIO_NET_HDR_GSO_NONE:
		/* ECN alone means nothing */
		return !(gso & VIRTIO_NET_HDR_GSO_ECN);
	case VIRTIO_NET_HDR_GSO_TCPV4:
		return has(features, VIRTIO_NET_F_HOST_TSO4);
	case VIRTIO_NET_HDR_GSO_TCPV6:
		return has(features, VIRTIO_NET_F_HOST_TSO6);
	}
	return false;	/* UDP (no HOST_UFO) and unknown types */
}

bool vnet_rx_hdr_fix(u8 hdr[VIRTIO_NET_HDR_LEN], u64 features)
{
	u8 gso = hdr[1];

	store_le(hdr + 10, 1, 2);	/* num_buffers; rx fixes it up */
	if (!has(features, VIRTIO_NET_F_GUEST_CSUM))
		hdr[0] = 0;
	if (!has(features, VIRTIO_NET_F_GUEST_CSUM) &&
	    gso != VIRTIO_NET_HDR_GSO_NONE)
		return false;
	if ((gso & VIRTIO_NET_HDR_GSO_ECN) &&
	    !has(features, VIRTIO_NET_F_GUEST_ECN))
		return false;
	switch (gso & ~VIRTIO_NET_HDR_GSO_ECN) {
	case VIRTIO_NET_HDR_GSO_NONE:
		return true;
	case VIRTIO_NET_HDR_GSO_TCPV4:
		return has(features, VIRTIO_NET_F_GUEST_TSO4);
	case VIRTIO_NET_HDR_GSO_TCPV6:
		return has(features, VIRTIO_NET_F_GUEST_TSO6);
	}
	return false;
}

/* ---------------------------------------------------------------------
 * The device (I/O thread unless said otherwise)
 */
static u64 driver_features(struct virtio_pci *v)
{
	u64 f;

	pthread_mutex_lock(&v->lock);
	f = v->s.driver_features;
	pthread_mutex_unlock(&v->lock);
	return f;
}

/* The tap may give the guest only the offloads it negotiated: set them
 * the first time a queue runs after DRIVER_OK (features are final). */
static u64 sync_features(struct virtio_net *n)
{
	u64 f = driver_features(&n->vp);
	unsigned int off;

	if (n->offloads_set && n->offload_features == f)
		return f;
	off = nic_tap_offloads(f);
	if (n->tap.fd >= 0 && off != n->tap.offloads &&
	    tap_set_offloads(&n->tap, off))
		off = n->tap.offloads;	/* keep what the tap has */
	n->offloads = off;
	n->offload_features = f;
	n->offloads_set = true;
	return f;
}

enum rx_result {
	RX_DONE, RX_DROPPED, RX_NO_BUFS, RX_BROKEN,
	RX_EMPTY,	/* rx_direct: no frame in the tap */
	RX_FALLBACK,	/* rx_direct: too few buffers, use rx_buf */
};

static void rx_unpop(struct virtio_net *n, unsigned int nr)
{
	struct virtio_pci *v = &n->vp;

	if (!nr)
		return;
	pthread_mutex_lock(&v->lock);
	if (v->vq[VIRTIO_NET_RXQ].ready)
		vq_unpop(&v->vq[VIRTIO_NET_RXQ], nr);
	pthread_mutex_unlock(&v->lock);
}

static u16 rx_ring_size(struct virtio_net *n)
{
	u16 size;

	pthread_mutex_lock(&n->vp.lock);
	size = n->vp.vq[VIRTIO_NET_RXQ].s.size;
	pthread_mutex_unlock(&n->vp.lock);
	return size;
}

/*
 * A chain popped for receiving must be all device-writable and hold the
 * header; else the driver broke the protocol.
 */
static bool rx_chain_ok(struct virtio_net *n, const struct vq_chain *chain)
{
	if (!chain->nr_out && chain->in_len >= VIRTIO_NET_HDR_LEN)
		return true;
	virtio_set_needs_reset(&n->vp, chain->nr_out ?
			       "receive buffer with readable descriptors" :
			       "receive buffer shorter than the header");
	return false;
}

/*
 * Put the pending frame into as many receive chains as it needs. Chains
 * already filled stay popped while we wait for more (rx_nbufs, rx_off):
 * the ring's indexes then say exactly what the driver has added since,
 * so its next buffer kicks us.
 */
static enum rx_result rx_deliver(struct virtio_net *n, u64 features)
{
	struct virtio_pci *v = &n->vp;
	bool mrg = has(features, VIRTIO_NET_F_MRG_RXBUF);
	u32 len = n->rx_pending;
	struct vq_chain chain;
	unsigned int i;
	u8 nb[2];
	int r;

	while (n->rx_off < len) {
		if (n->rx_nbufs == (mrg ? VIRTIO_NET_RX_MAX_BUFS : 1u))
			goto too_big;
		r = virtio_pop(v, VIRTIO_NET_RXQ, n->segs,
			       ARRAY_SIZE(n->segs), &chain);
		if (r < 0)
			return RX_BROKEN;
		if (!r) {
			/* the whole ring is not enough: never will be */
			if (n->rx_nbufs && n->rx_nbufs >= rx_ring_size(n))
				goto too_big;
			return RX_NO_BUFS;
		}
		if (!rx_chain_ok(n, &chain))
			return RX_BROKEN;
		if (!n->rx_nbufs) {
			n->rx_nr_first = chain.nr_in;
			memcpy(n->first, n->segs,
			       chain.nr_in * sizeof(n->segs[0]));
		}
		i = n->rx_nbufs++;
		n->heads[i] = chain.head;
		n->lens[i] = len - n->rx_off < chain.in_len ?
			     len - n->rx_off : chain.in_len;
		vq_copy_to_segs(n->segs, chain.nr_in, 0,
				n->rx_buf + n->rx_off, n->lens[i]);
		n->rx_off += n->lens[i];
	}
	store_le(nb, n->rx_nbufs, 2);
	vq_copy_to_segs(n->first, n->rx_nr_first, 10, nb, 2);
	for (i = 0; i < n->rx_nbufs; i++)
		if (virtio_push(v, VIRTIO_NET_RXQ, n->heads[i], n->lens[i]))
			return RX_BROKEN;
	nyx_stat_add(&n->st.rx_frames, 1);
	nyx_stat_add(&n->st.rx_bytes, len - VIRTIO_NET_HDR_LEN);
	n->rx_pending = n->rx_off = n->rx_nbufs = 0;
	return RX_DONE;

too_big:
	/* the chains go back to the driver's pool, unused in its view */
	rx_unpop(n, n->rx_nbufs);
	pr_debug("%s %02x.0: %u-byte frame larger than the receive buffers, dropped",
		 v->ops->name, v->pci.slot, len - VIRTIO_NET_HDR_LEN);
	nyx_stat_add(&n->st.rx_oversized, 1);
	nyx_stat_add(&n->st.rx_dropped, 1);
	n->rx_pending = n->rx_off = n->rx_nbufs = 0;
	return RX_DROPPED;
}

/*
 * Read the next frame straight into the guest's receive buffers: pop
 * chains until they hold the largest frame the tap can give (a shorter
 * read space would lose the frame: tun fails the read), readv() into
 * them with the header into a local copy (checked and fixed before the
 * guest sees it), then push the chains the frame filled and give the
 * rest back unused. RX_FALLBACK when the ring has too few buffers or
 * they come in too many pieces: the caller reads through rx_buf.
 */
static enum rx_result rx_direct(struct virtio_net *n, u64 features)
{
	struct virtio_pci *v = &n->vp;
	bool mrg = has(features, VIRTIO_NET_F_MRG_RXBUF);
	u32 need = VIRTIO_NET_HDR_LEN + VIRTIO_NET_MAX_FRAME, cap = 0;
	u32 i, nbufs = 0, cnt = 1, skip, len, off;
	u8 hdr[VIRTIO_NET_HDR_LEN];
	struct vq_chain chain;
	ssize_t r;
	int p;

	n->rx_iov[0].iov_base = hdr;
	n->rx_iov[0].iov_len = sizeof(hdr);
	while (cap < need) {
		if (nbufs == (mrg ? VIRTIO_NET_RX_MAX_BUFS : 1u))
			goto fallback;
		p = virtio_pop(v, VIRTIO_NET_RXQ, n->segs,
			       ARRAY_SIZE(n->segs), &chain);
		if (p < 0)
			goto broken;
		if (!p)
			goto fallback;
		n->heads[nbufs] = chain.head;
		n->lens[nbufs++] = chain.in_len;
		if (!rx_chain_ok(n, &chain))
			goto broken;
		/* the first chain's header bytes come from hdr[] */
		skip = cap ? 0 : VIRTIO_NET_HDR_LEN;
		if (!cap) {
			n->rx_nr_first = chain.nr_in;
			memcpy(n->first, n->segs,
			       chain.nr_in * sizeof(n->segs[0]));
		}
		for (i = 0; i < chain.nr_in; i++) {
			if (skip >= n->segs[i].len) {
				skip -= n->segs[i].len;
				continue;
			}
			if (cnt == VIRTIO_NET_RX_DIRECT_IOV)
				goto fallback;
			n->rx_iov[cnt].iov_base = (u8 *)n->segs[i].addr + skip;
			n->rx_iov[cnt++].iov_len = n->segs[i].len - skip;
			skip = 0;
		}
		cap += chain.in_len;
	}

	do
		r = readv(n->fd, n->rx_iov, cnt);
	while (r < 0 && errno == EINTR);
	if (r < 0) {
		rx_unpop(n, nbufs);
		if (errno != EAGAIN) {
			nyx_stat_add(&n->st.rx_errors, 1);
			pr_debug("%s: tap read: %s", v->ops->name,
				 strerror(errno));
		}
		return RX_EMPTY;
	}
	n->rx_last_len = r;
	if (r < VIRTIO_NET_HDR_LEN + VIRTIO_NET_ETH_HLEN ||
	    r > VIRTIO_NET_HDR_LEN + VIRTIO_NET_MAX_FRAME ||
	    !vnet_rx_hdr_fix(hdr, features)) {
		/* what reached the buffers stays unseen: they go back */
		rx_unpop(n, nbufs);
		nyx_stat_add(&n->st.rx_bad, 1);
		nyx_stat_add(&n->st.rx_dropped, 1);
		return RX_DROPPED;
	}
	/* the chains in order, each as full as it holds */
	for (i = 0, off = 0; off < (u32)r; i++) {
		len = (u32)r - off < n->lens[i] ? (u32)r - off : n->lens[i];
		n->lens[i] = len;
		off += len;
	}
	rx_unpop(n, nbufs - i);
	nbufs = i;
	store_le(hdr + 10, nbufs, 2);
	vq_copy_to_segs(n->first, n->rx_nr_first, 0, hdr, sizeof(hdr));
	for (i = 0; i < nbufs; i++)
		if (virtio_push(v, VIRTIO_NET_RXQ, n->heads[i], n->lens[i]))
			return RX_BROKEN;
	nyx_stat_add(&n->st.rx_frames, 1);
	nyx_stat_add(&n->st.rx_bytes, r - VIRTIO_NET_HDR_LEN);
	nyx_stat_add(&n->st.rx_direct, 1);
	return RX_DONE;

fallback:
	rx_unpop(n, nbufs);
	return RX_FALLBACK;
broken:
	/* NEEDS_RESET is set: the chains stay where they are */
	return RX_BROKEN;
}

/* Read the next frame from the tap; false when there is none. */
static bool rx_read(struct virtio_net *n, u64 features)
{
	ssize_t r;

	for (;;) {
		r = read(n->fd, n->rx_buf, sizeof(n->rx_buf));
		if (r < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN) {
				nyx_stat_add(&n->st.rx_errors, 1);
				pr_debug("%s: tap read: %s", n->vp.ops->name,
					 strerror(errno));
			}
			return false;
		}
		if (r < VIRTIO_NET_HDR_LEN + VIRTIO_NET_ETH_HLEN ||
		    r > VIRTIO_NET_HDR_LEN + VIRTIO_NET_MAX_FRAME ||
		    !vnet_rx_hdr_fix(n->rx_buf, features)) {
			nyx_stat_add(&n->st.rx_bad, 1);
			nyx_stat_add(&n->st.rx_dropped, 1);
			continue;
		}
		n->rx_pending = r;
		n->rx_last_len = r;
		return true;
	}
}

/* Receive while there are frames and buffers (bounded per call: the tap
 * is polled level-triggered, the rest comes on the next round). */
static void rx_process(struct virtio_net *n)
{
	struct virtio_pci *v = &n->vp;
	unsigned int budget = 256, delivered = 0;
	enum rx_result res;
	u64 f;

	if (!virtio_queue_live(v, VIRTIO_NET_RXQ)) {
		/* the DRIVER_OK kick polls again */
		virtio_pci_poll_dev(v, false);
		return;
	}
	f = sync_features(n);
	while (budget--) {
		res = RX_FALLBACK;
		/* after a large frame, the next straight into the guest */
		if (!n->rx_pending &&
		    n->rx_last_len >= VIRTIO_NET_RX_DIRECT_MIN) {
			res = rx_direct(n, f);
			if (res == RX_EMPTY)
				break;
		}
		if (res == RX_FALLBACK) {
			if (!n->rx_pending && !rx_read(n, f))
				break;
			res = rx_deliver(n, f);
		}
		if (res == RX_DONE)
			delivered++;
		if (res == RX_BROKEN) {
			virtio_pci_poll_dev(v, false);
			break;
		}
		if (res != RX_NO_BUFS)
			continue;
		/* wait for buffers: the guest's kick resumes (rx_kick) */
		nyx_stat_add(&n->st.rx_no_buffers, 1);
		n->rx_waiting = true;
		virtio_pci_poll_dev(v, false);
		if (!virtio_queue_enable_notify(v, VIRTIO_NET_RXQ))
			break;
		/* buffers came in meanwhile */
		virtio_queue_disable_notify(v, VIRTIO_NET_RXQ);
		n->rx_waiting = false;
		virtio_pci_poll_dev(v, true);
	}
	/* a driver out of buffers must hear at once: it refills on it */
	if (n->rx_waiting && (delivered || v->irq_deferred[VIRTIO_NET_RXQ]))
		virtio_notify_queue_now(v, VIRTIO_NET_RXQ);
	else if (delivered)
		virtio_notify_queue(v, VIRTIO_NET_RXQ);
}

/* The guest posted receive buffers. While it has some, its kicks are
 * not needed: the tap's readiness drives receiving. */
static void rx_kick(struct virtio_net *n)
{
	virtio_queue_disable_notify(&n->vp, VIRTIO_NET_RXQ);
	n->rx_waiting = false;
	virtio_pci_poll_dev(&n->vp, true);
	rx_process(n);
}

/* Segments [offset, end) of a chain as iovecs after iov[0]. */
static int tx_iov(const struct vq_seg *segs, u32 nr, u32 offset,
		  struct iovec *iov, int max)
{
	int cnt = 1;
	u32 i;

	for (i = 0; i < nr; i++) {
		if (offset >= segs[i].len) {
			offset -= segs[i].len;
			continue;
		}
		if (cnt == max)
			return -1;
		iov[cnt].iov_base = (u8 *)segs[i].addr + offset;
		iov[cnt].iov_len = segs[i].len - offset;
		cnt++;
		offset = 0;
	}
	return cnt;
}

enum tx_result { TX_DONE, TX_BROKEN, TX_BACKEND };

/* One transmit chain: TX_BROKEN if it broke the protocol (NEEDS_RESET),
 * TX_BACKEND if the tap failed (the chain is still the driver's). */
static enum tx_result tx_one(struct virtio_net *n, const struct vq_chain *c,
			     u64 features)
{
	struct iovec iov[VIRTIO_NET_MAX_SEGS + 1];
	u8 hdr[VIRTIO_NET_HDR_LEN];
	u32 frame;
	ssize_t r;
	int cnt;

	if (c->nr_in || c->out_len < VIRTIO_NET_HDR_LEN) {
		virtio_set_needs_reset(&n->vp, c->nr_in ?
			"transmit chain with writable descriptors" :
			"transmit chain shorter than the header");
		return TX_BROKEN;
	}
	frame = c->out_len - VIRTIO_NET_HDR_LEN;
	/* a private copy: the guest cannot change it after the check */
	vq_copy_from_segs(hdr, sizeof(hdr), n->segs, c->nr_out, 0);
	if (frame < VIRTIO_NET_ETH_HLEN || frame > VIRTIO_NET_MAX_FRAME ||
	    !vnet_tx_hdr_ok(hdr, features)) {
		nyx_stat_add(&n->st.tx_bad, 1);
		nyx_stat_add(&n->st.tx_dropped, 1);
		return TX_DONE;
	}
	store_le(hdr + 10, 0, 2);	/* num_buffers: unused on transmit */
	iov[0].iov_base = hdr;
	iov[0].iov_len = sizeof(hdr);
	cnt = tx_iov(n->segs, c->nr_out, VIRTIO_NET_HDR_LEN, iov,
		     ARRAY_SIZE(iov));
	if (cnt < 0) {
		nyx_stat_add(&n->st.tx_bad, 1);
		nyx_stat_add(&n->st.tx_dropped, 1);
		return TX_DONE;
	}
	do {
		r = writev(n->fd, iov, cnt);
	} while (r < 0 && errno == EINTR);
	if (r < 0) {
		/* a full queue drops like a wire; a frame the tap refused
		 * (EINVAL: e.g. a GSO header it finds inconsistent) is the
		 * frame's fault; anything else is the tap's: quarantine, the
		 * frame is sent again after device-reset */
		if (errno == EAGAIN || errno == ENOBUFS) {
			nyx_stat_add(&n->st.tx_full, 1);
			nyx_stat_add(&n->st.tx_dropped, 1);
		} else if (errno == EINVAL) {
			nyx_stat_add(&n->st.tx_errors, 1);
			pr_debug("%s: tap write: %s", n->vp.ops->name,
				 strerror(errno));
		} else {
			nyx_stat_add(&n->st.tx_errors, 1);
			return TX_BACKEND;	/* errno kept for the caller */
		}
		return TX_DONE;
	}
	nyx_stat_add(&n->st.tx_frames, 1);
	nyx_stat_add(&n->st.tx_bytes, frame);
	return TX_DONE;
}

/* The tap failed: the chain just popped goes back to the ring (it is
 * the last one popped: each is pushed before the next pop) and the device
 * is quarantined; device-reset kicks the queue and sends it again. */
static void tx_backend_error(struct virtio_net *n, int err)
{
	struct virtio_pci *v = &n->vp;
	char why[VIRTIO_REASON_LEN];

	pthread_mutex_lock(&v->lock);
	if (v->vq[VIRTIO_NET_TXQ].ready)
		vq_unpop(&v->vq[VIRTIO_NET_TXQ], 1);
	pthread_mutex_unlock(&v->lock);
	snprintf(why, sizeof(why), "tap write: %s", strerror(err));
	virtio_quarantine_backend(v, why);
}

static void tx_process(struct virtio_net *n)
{
	struct virtio_pci *v = &n->vp;
	struct vq_chain chain;
	unsigned int budget = VIRTIO_NET_TX_BURST;
	u64 f = sync_features(n);
	enum tx_result res;
	u64 one = 1;
	int r;

	for (;;) {
		virtio_queue_disable_notify(v, VIRTIO_NET_TXQ);
		while ((r = virtio_pop(v, VIRTIO_NET_TXQ, n->segs,
				       ARRAY_SIZE(n->segs), &chain)) > 0) {
			res = tx_one(n, &chain, f);
			if (res == TX_BACKEND) {
				tx_backend_error(n, errno);
				return;
			}
			if (res == TX_BROKEN)
				return;
			if (virtio_push(v, VIRTIO_NET_TXQ, chain.head, 0))
				return;
			if (!--budget)
				break;
		}
		virtio_notify_queue(v, VIRTIO_NET_TXQ);
		if (r < 0)
			return;
		if (!budget) {
			budget = VIRTIO_NET_TX_BURST;
			/* let receive run; our own kick brings us back
			 * (kicks stay off meanwhile) */
			if (v->kick_fd[VIRTIO_NET_TXQ] >= 0 &&
			    write(v->kick_fd[VIRTIO_NET_TXQ], &one,
				  sizeof(one)) == sizeof(one))
				return;
			continue;
		}
		if (!virtio_queue_enable_notify(v, VIRTIO_NET_TXQ))
			return;
	}
}

static void net_queue_notify(struct virtio_pci *v, unsigned int q)
{
	struct virtio_net *n = v->dev;

	if (q == VIRTIO_NET_RXQ)
		rx_kick(n);
	else if (q == VIRTIO_NET_TXQ)
		tx_process(n);
}

static void net_dev_fd_ready(struct virtio_pci *v)
{
	rx_process(v->dev);
}

/* The queues are stopped: forget the frame in transit, no offloads until
 * the driver negotiates again, tap not polled until DRIVER_OK. */
static void net_reset(struct virtio_pci *v)
{
	struct virtio_net *n = v->dev;

	n->rx_pending = n->rx_off = n->rx_nbufs = 0;
	n->rx_waiting = false;
	virtio_pci_poll_dev(v, false);
	if (n->tap.fd >= 0 && n->tap.offloads)
		tap_set_offloads(&n->tap, 0);
	n->offloads = 0;
	n->offloads_set = false;
}

/* vCPU thread, vp.lock held; config is constant. */
static void net_config_read(struct virtio_pci *v, u32 off, void *data,
			    u32 len)
{
	struct virtio_net *n = v->dev;

	memcpy(data, n->config + off, len);
}

#define NET_FEATURES ((1ull << VIRTIO_NET_F_MAC) | \
		      (1ull << VIRTIO_NET_F_STATUS) | \
		      (1ull << VIRTIO_NET_F_MRG_RXBUF) | \
		      (1ull << VIRTIO_NET_F_CSUM) | \
		      (1ull << VIRTIO_NET_F_HOST_TSO4) | \
		      (1ull << VIRTIO_NET_F_HOST_TSO6) | \
		      (1ull << VIRTIO_NET_F_HOST_ECN))
#define NET_GUEST_OFFLOADS ((1ull << VIRTIO_NET_F_GUEST_CSUM) | \
			    (1ull << VIRTIO_NET_F_GUEST_TSO4) | \
			    (1ull << VIRTIO_NET_F_GUEST_TSO6) | \
			    (1ull << VIRTIO_NET_F_GUEST_ECN))

static const struct virtio_dev_ops net_ops_template = {
	.name = "virtio-net",
	.type = VIRTIO_ID_NET,
	.class_code = 0x020000,		/* network, Ethernet */
	.num_queues = 2,
	.config_len = VIRTIO_NET_CONFIG_LEN,
	.features = NET_FEATURES | NET_GUEST_OFFLOADS,
	.config_read = net_config_read,
	.queue_notify = net_queue_notify,
	.dev_fd_ready = net_dev_fd_ready,
	.reset = net_reset,
};

/* 52:54:00 (the prefix QEMU uses: locally administered, unicast) and
 * three random bytes, so that two VMs on one bridge differ. */
static void random_mac(u8 mac[6])
{
	u8 r[3];

	if (getrandom(r, sizeof(r), GRND_NONBLOCK) != sizeof(r)) {
		u64 t = (u64)time(NULL) ^ ((u64)getpid() << 8);

		store_le(r, t, 3);
	}
	mac[0] = 0x52;
	mac[1] = 0x54;
	mac[2] = 0x00;
	memcpy(mac + 3, r, 3);
}

static int net_init(struct virtio_net *n, int fd, const u8 mac[6],
		    u64 features, const struct vm *vm)
{
	int r;

	n->fd = fd;
	memcpy(n->mac, mac, 6);
	memset(n->config, 0, sizeof(n->config));
	memcpy(n->config, mac, 6);
	store_le(n->config + 6, VIRTIO_NET_S_LINK_UP, 2);
	store_le(n->config + 8, 1, 2);		/* max_virtqueue_pairs */
	n->ops = net_ops_template;
	n->ops.features = features;
	r = virtio_pci_init(&n->vp, &n->ops, n, vm);
	if (r) {
		pr_err("virtio-net: %s", strerror(-r));
		return -1;
	}
	n->vp.dev_fd = fd;
	pr_debug("virtio-net: %s, mac %02x:%02x:%02x:%02x:%02x:%02x%s",
		 n->tap.fd >= 0 ? n->tap.ifname : "(fd)", mac[0], mac[1],
		 mac[2], mac[3], mac[4], mac[5],
		 features & NET_GUEST_OFFLOADS ? "" : ", no receive offloads");
	return 0;
}

int virtio_net_init_fd(struct virtio_net *n, int fd, const u8 mac[6],
		       const struct vm *vm)
{
	memset(n, 0, sizeof(*n));
	n->tap.fd = -1;
	return net_init(n, fd, mac, NET_FEATURES | NET_GUEST_OFFLOADS, vm);
}

int virtio_net_init(struct virtio_net *n, const struct nic_options *o,
		    const struct vm *vm)
{
	u64 features = NET_FEATURES | NET_GUEST_OFFLOADS;
	unsigned int all = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 |
			   TUN_F_TSO_ECN;
	u8 mac[6];

	memset(n, 0, sizeof(*n));
	if (tap_open(&n->tap, o))
		return -1;
	/* a tap that cannot take the offloads: the guest gets none */
	if (tap_set_offloads(&n->tap, all))
		features &= ~NET_GUEST_OFFLOADS;
	if (tap_set_offloads(&n->tap, 0)) {
		tap_close(&n->tap);
		return -1;
	}
	if (o->mac_set)
		memcpy(mac, o->mac, 6);
	else
		random_mac(mac);
	if (net_init(n, n->tap.fd, mac, features, vm)) {
		tap_close(&n->tap);
		return -1;
	}
	virtio_queue_set_irq_gap(&n->vp, VIRTIO_NET_RXQ, o->rx_irq_gap_us);
	return 0;
}

int virtio_net_start(struct virtio_net *n, int vm_fd)
{
	/* before DRIVER_OK the first readable tap turns polling off
	 * (rx_process) until the DRIVER_OK kick */
	return virtio_pci_start(&n->vp, vm_fd);
}

void virtio_net_exit(struct virtio_net *n)
{
	virtio_pci_stop(&n->vp);
	pr_debug("virtio-net %s: rx %llu frames (%llu direct) %llu bytes %llu dropped %llu interrupts (%llu merged), tx %llu frames %llu bytes %llu dropped %llu errors %llu interrupts",
		 n->tap.fd >= 0 ? n->tap.ifname : "(fd)",
		 (unsigned long long)n->st.rx_frames,
		 (unsigned long long)n->st.rx_direct,
		 (unsigned long long)n->st.rx_bytes,
		 (unsigned long long)n->st.rx_dropped,
		 (unsigned long long)n->vp.irqs_sent[VIRTIO_NET_RXQ],
		 (unsigned long long)n->vp.irqs_merged[VIRTIO_NET_RXQ],
		 (unsigned long long)n->st.tx_frames,
		 (unsigned long long)n->st.tx_bytes,
		 (unsigned long long)n->st.tx_dropped,
		 (unsigned long long)n->st.tx_errors,
		 (unsigned long long)n->vp.irqs_sent[VIRTIO_NET_TXQ]);
	if (n->tap.fd >= 0)
		tap_close(&n->tap);
}

/* ---------------------------------------------------------------------
 * Snapshot state (net.h)
 */
_Static_assert(sizeof(struct virtio_net_saved) == 952, "net record");

int virtio_net_save(struct virtio_net *n, struct virtio_net_saved *st)
{
	struct virtio_queue_saved *rxq = &st->vp.q[VIRTIO_NET_RXQ];
	int r;

	memset(st, 0, sizeof(*st));
	r = virtio_pci_save_state(&n->vp, &st->vp);
	if (r)
		return r;
	st->version = VIRTIO_NET_STATE_VERSION;
	st->size = sizeof(*st);
	memcpy(st->mac, n->mac, sizeof(st->mac));
	memcpy(st->config, n->config, sizeof(st->config));
	/* the pending frame's chains: back to the driver in the snapshot */
	if (n->rx_pending && n->rx_nbufs && rxq->enable && !rxq->error &&
	    (u16)(rxq->last_avail_idx - rxq->used_idx) >= n->rx_nbufs)
		rxq->last_avail_idx -= (u16)n->rx_nbufs;
	return 0;
}

int virtio_net_load(struct virtio_net *n, const struct virtio_net_saved *st)
{
	int r;

	/* the config is the MAC plus constants (link up, one pair) */
	if (st->version != VIRTIO_NET_STATE_VERSION ||
	    st->size != sizeof(*st) ||
	    memcmp(st->config, st->mac, sizeof(st->mac)) ||
	    memcmp(st->config + 6, n->config + 6, sizeof(n->config) - 6))
		return -EINVAL;
	r = virtio_pci_load_quiet(&n->vp, &st->vp);
	if (r)
		return r;
	memcpy(n->mac, st->mac, sizeof(n->mac));
	memcpy(n->config, st->config, sizeof(n->config));
	n->rx_pending = n->rx_off = n->rx_nbufs = 0;
	n->rx_waiting = false;
	/* sync_features() sets the tap's offloads on the next receive */
	n->offloads_set = false;
	virtio_pci_poll_dev(&n->vp, true);
	virtio_pci_kick_all(&n->vp);
	return 0;
}
