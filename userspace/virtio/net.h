/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virtio-net (virtio 1.x section 5.1) over a tap (userspace/net/tap.c):
 * one receive and one transmit queue, no control queue.
 *
 * Features: MAC (from --nic or a random locally administered one),
 * STATUS (link always up), MRG_RXBUF, CSUM/GUEST_CSUM, HOST_/GUEST_
 * TSO4, TSO6 and ECN. The guest's receive offloads become the tap's
 * TUNSETOFFLOAD flags (nic_tap_offloads()) once the driver is up, so the
 * tap only hands over what the guest accepts. The header is always the
 * 12-byte virtio 1.x one (num_buffers included) on both sides.
 *
 * The I/O thread (the transport's) polls the tap while the guest has
 * receive buffers; when a frame finds none it is kept, the tap is no
 * longer polled and the receive queue's kick resumes both. Frames are
 * read into rx_buf and copied into the chains, or after a large frame
 * straight into the chains (see VIRTIO_NET_RX_DIRECT_MIN). Frames larger
 * than the buffers the guest gave (one chain without MRG_RXBUF, at most
 * VIRTIO_NET_RX_MAX_BUFS chains or the whole ring with it) are dropped
 * and counted; so are transmitted frames shorter than an Ethernet header,
 * longer than VIRTIO_NET_MAX_FRAME, or whose header asks for an offload
 * that was not negotiated. A chain that breaks the protocol (a receive
 * buffer with readable parts or shorter than the header, a transmit chain
 * with writable parts or shorter than the header) sets NEEDS_RESET.
 */
#ifndef NYX_VIRTIO_NET_H
#define NYX_VIRTIO_NET_H

#include <sys/uio.h>

#include "net/tap.h"
#include "stats/hist.h"
#include "virtio/pci.h"

/* Feature bits (those of the offload mapping are in net/nic.h) */
#define VIRTIO_NET_F_MAC		5
#define VIRTIO_NET_F_HOST_TSO4		11
#define VIRTIO_NET_F_HOST_TSO6		12
#define VIRTIO_NET_F_HOST_ECN		13
#define VIRTIO_NET_F_MRG_RXBUF		15
#define VIRTIO_NET_F_STATUS		16

#define VIRTIO_NET_S_LINK_UP		1

/* struct virtio_net_hdr_v1 */
#define VIRTIO_NET_HDR_LEN		12
#define VIRTIO_NET_HDR_F_NEEDS_CSUM	1
#define VIRTIO_NET_HDR_F_DATA_VALID	2
#define VIRTIO_NET_HDR_GSO_NONE		0
#define VIRTIO_NET_HDR_GSO_TCPV4	1
#define VIRTIO_NET_HDR_GSO_UDP		3
#define VIRTIO_NET_HDR_GSO_TCPV6	4
#define VIRTIO_NET_HDR_GSO_ECN		0x80

/* mac[6], status, max_virtqueue_pairs */
#define VIRTIO_NET_CONFIG_LEN		10

#define VIRTIO_NET_RXQ			0
#define VIRTIO_NET_TXQ			1

#define VIRTIO_NET_ETH_HLEN		14
/* The largest IP datagram in an Ethernet frame with a VLAN tag: what a
 * TSO frame can be at most. */
#define VIRTIO_NET_MAX_FRAME		(65535 + VIRTIO_NET_ETH_HLEN + 4)
/* Segments of one chain (vq_pop); more is a bad chain. One less than
 * IOV_MAX: transmit adds the header's copy. */
#define VIRTIO_NET_MAX_SEGS		1023
/* Receive chains one frame may use with MRG_RXBUF. */
#define VIRTIO_NET_RX_MAX_BUFS		256
/*
 * Straight-to-guest receive (the tap's kernel copy is the only one): after
 * a frame of at least VIRTIO_NET_RX_DIRECT_MIN bytes, the next is read
 * with readv() into enough of the guest's buffers for the largest frame,
 * made of at most VIRTIO_NET_RX_DIRECT_IOV pieces; otherwise (or when the
 * ring holds too few) through rx_buf as before.
 */
#define VIRTIO_NET_RX_DIRECT_MIN	4096
#define VIRTIO_NET_RX_DIRECT_IOV	128
/* Chains per transmit round before the other work gets a turn. */
#define VIRTIO_NET_TX_BURST		256

/*
 * Per-device counters: the I/O thread writes them (relaxed atomics,
 * nyx_stat_add()), query-stats reads them from the control thread.
 * Bytes are frame bytes (Ethernet header on, virtio header off).
 * rx_dropped = rx_oversized + rx_bad, tx_dropped = tx_bad + tx_full.
 */
struct virtio_net_stats {
	u64 rx_frames, rx_bytes, rx_dropped;
	u64 rx_oversized;	/* larger than the receive buffers given */
	u64 rx_bad;		/* runt, too long, offload the guest refused */
	u64 rx_no_buffers;	/* a frame had to wait for receive buffers:
				 * meanwhile the tap queues, then drops */
	u64 rx_errors;		/* tap read errors other than EAGAIN */
	u64 rx_direct;		/* frames read straight into guest buffers */
	u64 tx_frames, tx_bytes, tx_dropped, tx_errors;
	u64 tx_bad;		/* bad length or header (offload not agreed) */
	u64 tx_full;		/* the tap's queue was full */
};

/*
 * Check a transmitted header against the negotiated features; returns
 * true if the frame may go to the tap (checksum offload only with CSUM,
 * each GSO type only with its HOST_ feature, no UFO).
 */
bool vnet_tx_hdr_ok(const u8 hdr[VIRTIO_NET_HDR_LEN], u64 features);

/*
 * Make a header read from the tap fit the guest's features: flags cleared
 * without GUEST_CSUM, num_buffers set to 1. Returns false if the frame
 * uses an offload the guest did not accept (it is dropped).
 */
bool vnet_rx_hdr_fix(u8 hdr[VIRTIO_NET_HDR_LEN], u64 features);

struct virtio_net {
	struct virtio_pci vp;
	struct virtio_dev_ops ops;	/* features depend on the tap */
	struct tap tap;			/* fd -1: fd below is no tap (tests) */
	int fd;				/* frames with vnet headers */
	u8 mac[6];
	u8 config[VIRTIO_NET_CONFIG_LEN];
	/* Tap offloads in effect for these driver features. */
	bool offloads_set;
	u64 offload_features;
	unsigned int offloads;		/* TUN_F_* */
	/*
	 * A frame read from the tap that waits for receive buffers, and
	 * the chains it already filled (popped, not yet pushed; to save the
	 * device, vq_unpop() them and keep the frame).
	 */
	u32 rx_pending;			/* bytes in rx_buf, 0: none */
	u32 rx_off;			/* bytes already in chains */
	u32 rx_nbufs;			/* chains: heads[], lens[] */
	u32 rx_nr_first;		/* segments of the first, in first[] */
	bool rx_waiting;		/* no buffers: tap not polled */
	u32 rx_last_len;		/* the last frame read, header included */
	struct virtio_net_stats st;
	/* I/O thread scratch */
	u8 rx_buf[VIRTIO_NET_HDR_LEN + VIRTIO_NET_MAX_FRAME + 1];
	struct vq_seg segs[VIRTIO_NET_MAX_SEGS];
	struct vq_seg first[VIRTIO_NET_MAX_SEGS];
	u16 heads[VIRTIO_NET_RX_MAX_BUFS];
	u32 lens[VIRTIO_NET_RX_MAX_BUFS];
	struct iovec rx_iov[VIRTIO_NET_RX_DIRECT_IOV];
};

/* Open the tap of o and build the PCI function (register it afterwards
 * with pci_register(&n->vp.pci)). Returns 0 or -1 (printed). */
int virtio_net_init(struct virtio_net *n, const struct nic_options *o,
		    const struct vm *vm);
/*
 * The same over any fd that carries one frame with its 12-byte header per
 * read/write (the unit tests' datagram socketpair); no tap offloads.
 */
int virtio_net_init_fd(struct virtio_net *n, int fd, const u8 mac[6],
		       const struct vm *vm);
/* Start the I/O thread (after the VM exists). */
int virtio_net_start(struct virtio_net *n, int vm_fd);
/* Stop it, close the tap (removing what nyx created). */
void virtio_net_exit(struct virtio_net *n);

/*
 * Snapshot state (Documentation/architecture.rst, "Virtio device state").
 * The features offered (which depend on the tap's offloads) must match on
 * load (checked by the transport); the MAC is loaded. Mergeable-rx state:
 * the negotiated MRG_RXBUF is in the transport's driver features; a frame
 * waiting for more receive buffers is not saved: the snapshot shows the
 * chains it had filled as not yet used (last_avail_idx moved back, as
 * vq_unpop() does), i.e. the frame is lost as on a wire, while the
 * running device keeps it. Tap offloads are set again from the driver
 * features after a load.
 */
#define VIRTIO_NET_STATE_VERSION	1

struct virtio_net_saved {		/* 952 bytes */
	u32 version;			/* VIRTIO_NET_STATE_VERSION */
	u32 size;			/* sizeof(struct virtio_net_saved) */
	struct virtio_pci_saved vp;
	u8 mac[6];
	u8 config[VIRTIO_NET_CONFIG_LEN];	/* mac, status, pairs */
};

/* Returns 0, or -EBUSY during a reset. Device quiesced (see
 * virtio_pci_save_state()). */
int virtio_net_save(struct virtio_net *n, struct virtio_net_saved *st);
/* Returns 0, or -EINVAL (nothing changed) / -EBUSY as virtio_pci_load(). */
int virtio_net_load(struct virtio_net *n, const struct virtio_net_saved *st);

#endif
