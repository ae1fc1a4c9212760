// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-net (userspace/virtio/net.c) against a fake guest RAM, with a
 * datagram socketpair standing in for the tap (one frame with its 12-byte
 * header per datagram, as a tap reads and writes them). No I/O thread:
 * the tests call the device's queue and fd handlers themselves.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "arch/x86/pc.h"
#include "core/irq.h"
#include "core/vm.h"
#include "pci_test.h"
#include "test.h"
#include "virtio/net.h"

#define RAM_SIZE	(1u << 20)
#define RX_DESC		0x1000
#define RX_AVAIL	0x2000
#define RX_USED		0x3000
#define TX_DESC		0x4000
#define TX_AVAIL	0x5000
#define TX_USED		0x6000
#define RX_BUF		0x10000		/* rx buffer i at RX_BUF + i * 0x1000 */
#define TX_BUF		0x40000
#define QSIZE		16

static struct bus pio, mmio;
static struct pci_bus pb;
static struct vm vm;
static struct virtio_net net;
static int peer = -1;		/* the "host" end of the fake tap */
static u16 rx_avail, tx_avail;

static int fake_msi(u64 address, u32 data)
{
	(void)address;
	(void)data;
	return 1;
}

static void wr(u64 off, u64 val, u32 len)
{
	u8 b[8];

	store_le(b, val, len);
	virtio_pci_bar_write(&net.vp, off, b, len);
}

static u64 rd(u64 off, u32 len)
{
	u8 b[8];

	virtio_pci_bar_read(&net.vp, off, b, len);
	return load_le(b, len);
}

static u8 status(void)
{
	return rd(VIRTIO_PCI_COMMON_STATUS, 1);
}

static void put_desc(u64 table, u16 i, u64 addr, u32 len, u16 flags,
		     u16 next)
{
	u8 *d = vm.ram + table + 16 * i;

	store_le(d, addr, 8);
	store_le(d + 8, len, 4);
	store_le(d + 12, flags, 2);
	store_le(d + 14, next, 2);
}

static void make_avail(u64 avail, u16 *idx, u16 head)
{
	store_le(vm.ram + avail + 4 + 2 * (*idx % QSIZE), head, 2);
	(*idx)++;
	store_le(vm.ram + avail + 2, *idx, 2);
}

static u16 used_idx(u64 used)
{
	return load_le(vm.ram + used + 2, 2);
}

static u32 used_id(u64 used, u16 i)
{
	return load_le(vm.ram + used + 4 + 8 * (i % QSIZE), 4);
}

static u32 used_len(u64 used, u16 i)
{
	return load_le(vm.ram + used + 4 + 8 * (i % QSIZE) + 4, 4);
}

static void queue(u16 q, u64 desc, u64 avail, u64 used)
{
	wr(VIRTIO_PCI_COMMON_Q_SELECT, q, 2);
	wr(VIRTIO_PCI_COMMON_Q_SIZE, QSIZE, 2);
	wr(VIRTIO_PCI_COMMON_Q_DESCLO, desc, 4);
	wr(VIRTIO_PCI_COMMON_Q_AVAILLO, avail, 4);
	wr(VIRTIO_PCI_COMMON_Q_USEDLO, used, 4);
	wr(VIRTIO_PCI_COMMON_Q_ENABLE, 1, 2);
}

/* A fresh device over a fresh socketpair, driven up with features f. */
static void setup(u64 f)
{
	static const u8 mac[6] = { 0x52, 0x54, 0x00, 0xab, 0xcd, 0xef };
	int sv[2];

	if (peer >= 0) {
		virtio_net_exit(&net);
		close(net.fd);
		close(peer);
	}
	test_pci_bus_reset(&pb, &pio, &mmio, fake_msi);
	memset(vm.ram, 0, RAM_SIZE);
	rx_avail = tx_avail = 0;

	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv)) {
		perror("socketpair");
		exit(1);
	}
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	fcntl(sv[1], F_SETFL, O_NONBLOCK);
	peer = sv[1];
	CHECK_EQ(virtio_net_init_fd(&net, sv[0], mac, &vm), 0);
	CHECK_EQ(pci_register(&pb, &net.vp.pci), 0);

	f |= 1ull << VIRTIO_F_VERSION_1;
	wr(VIRTIO_PCI_COMMON_STATUS, 3, 1);
	wr(VIRTIO_PCI_COMMON_GFSELECT, 0, 4);
	wr(VIRTIO_PCI_COMMON_GF, (u32)f, 4);
	wr(VIRTIO_PCI_COMMON_GFSELECT, 1, 4);
	wr(VIRTIO_PCI_COMMON_GF, f >> 32, 4);
	wr(VIRTIO_PCI_COMMON_STATUS, 0xb, 1);
	CHECK_EQ(status(), 0xb);
	queue(VIRTIO_NET_RXQ, RX_DESC, RX_AVAIL, RX_USED);
	queue(VIRTIO_NET_TXQ, TX_DESC, TX_AVAIL, TX_USED);
	wr(VIRTIO_PCI_COMMON_STATUS, 0xf, 1);
	CHECK_EQ(status(), 0xf);
}

/* What the transport's I/O thread would do. */
static void kick(unsigned int q)
{
	if (virtio_queue_live(&net.vp, q))
		net.vp.ops->queue_notify(&net.vp, q);
}

static void tap_readable(void)
{
	net.vp.ops->dev_fd_ready(&net.vp);
}

/* The host sends a frame: header hdr (or zeroes) and len payload bytes
 * of pattern seed. */
static void host_send(const u8 *hdr, u32 len, u8 seed)
{
	static u8 buf[VIRTIO_NET_HDR_LEN + 70000];
	u32 i;

	memset(buf, 0, VIRTIO_NET_HDR_LEN);
	if (hdr)
		memcpy(buf, hdr, VIRTIO_NET_HDR_LEN);
	for (i = 0; i < len; i++)
		buf[VIRTIO_NET_HDR_LEN + i] = (u8)(seed + i * 7);
	CHECK_EQ(write(peer, buf, VIRTIO_NET_HDR_LEN + len),
		 VIRTIO_NET_HDR_LEN + len);
}

/* Post rx buffer i (one descriptor of len bytes). */
static void post_rx(u16 i, u32 len)
{
	put_desc(RX_DESC, i, RX_BUF + i * 0x1000ull, len, VQ_DESC_F_WRITE, 0);
	make_avail(RX_AVAIL, &rx_avail, i);
}

/* A fresh device with mergeable buffers and n posted buffers of len. */
static void setup_rx(unsigned int n, u32 len)
{
	unsigned int i;

	setup(1ull << VIRTIO_NET_F_MRG_RXBUF);
	for (i = 0; i < n; i++)
		post_rx(i, len);
	kick(VIRTIO_NET_RXQ);
}

/*
 * Does the guest memory across buffers (heads[], lens[]; buffer i at
 * base + i * stride) hold the frame?
 */
static bool rx_matches_at(u64 base, u64 stride, const u16 *heads,
			  const u32 *lens, unsigned int nr, u32 len, u8 seed)
{
	u32 off = 0, i, j;

	for (i = 0; i < nr; i++)
		for (j = 0; j < lens[i]; j++, off++) {
			u8 b = vm.ram[base + heads[i] * stride + j];

			if (off >= VIRTIO_NET_HDR_LEN &&
			    b != (u8)(seed + (off - VIRTIO_NET_HDR_LEN) * 7))
				return false;
		}
	return off == VIRTIO_NET_HDR_LEN + len;
}

static bool rx_matches(const u16 *heads, const u32 *lens, unsigned int nr,
		       u32 len, u8 seed)
{
	return rx_matches_at(RX_BUF, 0x1000, heads, lens, nr, len, seed);
}

/* ---------------------------------------------------------------------
 */
static void test_hdr_checks(void)
{
	u64 all = (1ull << VIRTIO_NET_F_CSUM) |
		  (1ull << VIRTIO_NET_F_HOST_TSO4) |
		  (1ull << VIRTIO_NET_F_HOST_TSO6) |
		  (1ull << VIRTIO_NET_F_HOST_ECN);
	u8 h[VIRTIO_NET_HDR_LEN] = { 0 };

	CHECK(vnet_tx_hdr_ok(h, 0));
	h[0] = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	CHECK(!vnet_tx_hdr_ok(h, 0));
	CHECK(vnet_tx_hdr_ok(h, all));
	h[0] = 0x80;				/* unknown flag */
	CHECK(!vnet_tx_hdr_ok(h, all));
	h[0] = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	h[1] = VIRTIO_NET_HDR_GSO_TCPV4;
	CHECK(vnet_tx_hdr_ok(h, all));
	CHECK(!vnet_tx_hdr_ok(h, all & ~(1ull << VIRTIO_NET_F_HOST_TSO4)));
	h[1] = VIRTIO_NET_HDR_GSO_TCPV6 | VIRTIO_NET_HDR_GSO_ECN;
	CHECK(vnet_tx_hdr_ok(h, all));
	CHECK(!vnet_tx_hdr_ok(h, all & ~(1ull << VIRTIO_NET_F_HOST_ECN)));
	h[1] = VIRTIO_NET_HDR_GSO_UDP;
	CHECK(!vnet_tx_hdr_ok(h, all));
	h[1] = VIRTIO_NET_HDR_GSO_ECN;		/* ECN without a type */
	CHECK(!vnet_tx_hdr_ok(h, all));

	/* receive: flags cleared and GSO refused without GUEST_CSUM */
	memset(h, 0xff, sizeof(h));
	h[0] = VIRTIO_NET_HDR_F_DATA_VALID;
	h[1] = 0;
	CHECK(vnet_rx_hdr_fix(h, 0));
	CHECK_EQ(h[0], 0);
	CHECK_EQ(load_le(h + 10, 2), 1);
	h[0] = VIRTIO_NET_HDR_F_DATA_VALID;
	CHECK(vnet_rx_hdr_fix(h, 1ull << VIRTIO_NET_F_GUEST_CSUM));
	CHECK_EQ(h[0], VIRTIO_NET_HDR_F_DATA_VALID);
	h[1] = VIRTIO_NET_HDR_GSO_TCPV4;
	CHECK(!vnet_rx_hdr_fix(h, 1ull << VIRTIO_NET_F_GUEST_CSUM));
	CHECK(vnet_rx_hdr_fix(h, (1ull << VIRTIO_NET_F_GUEST_CSUM) |
			      (1ull << VIRTIO_NET_F_GUEST_TSO4)));
	h[1] = VIRTIO_NET_HDR_GSO_TCPV4 | VIRTIO_NET_HDR_GSO_ECN;
	CHECK(!vnet_rx_hdr_fix(h, (1ull << VIRTIO_NET_F_GUEST_CSUM) |
			       (1ull << VIRTIO_NET_F_GUEST_TSO4)));
}

static void test_config(void)
{
	u64 f;

	setup(0);
	CHECK_EQ(pci_bus_config_read(&pb, 0, net.vp.pci.slot << 3, 2, 2),
		 0x1041);
	CHECK_EQ(pci_bus_config_read(&pb, 0, net.vp.pci.slot << 3, 0x0a, 2),
		 0x0200);			/* class: Ethernet */
	CHECK_EQ(rd(VIRTIO_PCI_DEVCFG_OFF, 4), 0xab005452);
	CHECK_EQ(rd(VIRTIO_PCI_DEVCFG_OFF + 4, 2), 0xefcd);
	CHECK_EQ(rd(VIRTIO_PCI_DEVCFG_OFF + 6, 2), VIRTIO_NET_S_LINK_UP);
	CHECK_EQ(rd(VIRTIO_PCI_DEVCFG_OFF + 8, 2), 1);
	CHECK_EQ(rd(VIRTIO_PCI_COMMON_NUMQ, 2), 2);
	wr(VIRTIO_PCI_COMMON_DFSELECT, 0, 4);
	f = rd(VIRTIO_PCI_COMMON_DF, 4);
	CHECK(f & (1u << VIRTIO_NET_F_MAC));
	CHECK(f & (1u << VIRTIO_NET_F_STATUS));
	CHECK(f & (1u << VIRTIO_NET_F_MRG_RXBUF));
	CHECK(f & (1u << VIRTIO_NET_F_CSUM));
	CHECK(f & (1u << VIRTIO_NET_F_GUEST_TSO6));
	CHECK(!(f & (1u << VIRTIO_NET_F_GUEST_UFO)));
	CHECK(!(f & (1u << 17)));		/* no CTRL_VQ */
}

static void test_tx(void)
{
	u8 buf[256], *h = vm.ram + TX_BUF;
	u32 i, n;

	setup((1ull << VIRTIO_NET_F_CSUM) |
	      (1ull << VIRTIO_NET_F_HOST_TSO4));
	/* header + frame in three descriptors, the frame split in two */
	memset(h, 0, VIRTIO_NET_HDR_LEN);
	for (i = 0; i < 100; i++)
		vm.ram[TX_BUF + 0x100 + i] = (u8)i;
	put_desc(TX_DESC, 0, TX_BUF, VIRTIO_NET_HDR_LEN, VQ_DESC_F_NEXT, 1);
	put_desc(TX_DESC, 1, TX_BUF + 0x100, 40, VQ_DESC_F_NEXT, 2);
	put_desc(TX_DESC, 2, TX_BUF + 0x128, 60, 0, 0);
	make_avail(TX_AVAIL, &tx_avail, 0);
	kick(VIRTIO_NET_TXQ);
	CHECK_EQ(used_idx(TX_USED), 1);
	CHECK_EQ(used_id(TX_USED, 0), 0);
	CHECK_EQ(read(peer, buf, sizeof(buf)), VIRTIO_NET_HDR_LEN + 100);
	for (i = 0; i < 100 && buf[VIRTIO_NET_HDR_LEN + i] == (u8)i; i++)
		;
	CHECK_EQ(i, 100);
	CHECK_EQ(net.st.tx_frames, 1);
	CHECK_EQ(net.st.tx_bytes, 100);

	/* checksum offload and TSO4 negotiated: the header goes through */
	h[0] = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	h[1] = VIRTIO_NET_HDR_GSO_TCPV4;
	store_le(h + 2, 54, 2);
	make_avail(TX_AVAIL, &tx_avail, 0);
	kick(VIRTIO_NET_TXQ);
	CHECK_EQ(read(peer, buf, sizeof(buf)), VIRTIO_NET_HDR_LEN + 100);
	CHECK_EQ(buf[0], VIRTIO_NET_HDR_F_NEEDS_CSUM);
	CHECK_EQ(buf[1], VIRTIO_NET_HDR_GSO_TCPV4);
	CHECK_EQ(load_le(buf + 2, 2), 54);

	/* TSO6 was not negotiated: dropped, counted, chain returned */
	h[1] = VIRTIO_NET_HDR_GSO_TCPV6;
	make_avail(TX_AVAIL, &tx_avail, 0);
	kick(VIRTIO_NET_TXQ);
	CHECK_EQ(used_idx(TX_USED), 3);
	CHECK_EQ(read(peer, buf, sizeof(buf)), -1);
	CHECK_EQ(net.st.tx_dropped, 1);

	/* shorter than an Ethernet header: dropped */
	h[1] = 0;
	put_desc(TX_DESC, 3, TX_BUF, VIRTIO_NET_HDR_LEN + 13, 0, 0);
	make_avail(TX_AVAIL, &tx_avail, 3);
	/* longer than any frame: dropped */
	put_desc(TX_DESC, 4, TX_BUF, VIRTIO_NET_HDR_LEN + 70000, 0, 0);
	make_avail(TX_AVAIL, &tx_avail, 4);
	kick(VIRTIO_NET_TXQ);
	CHECK_EQ(used_idx(TX_USED), 5);
	CHECK_EQ(net.st.tx_dropped, 3);
	CHECK_EQ(read(peer, buf, sizeof(buf)), -1);
	CHECK_EQ(status() & VIRTIO_STATUS_NEEDS_RESET, 0);

	/* many chains, the indexes wrapping around the ring, in order */
	n = 0;
	for (i = 0; i < 300; i++) {
		vm.ram[TX_BUF + 0x100] = (u8)i;
		make_avail(TX_AVAIL, &tx_avail, 0);
		kick(VIRTIO_NET_TXQ);
		if (read(peer, buf, sizeof(buf)) == VIRTIO_NET_HDR_LEN + 100 &&
		    buf[VIRTIO_NET_HDR_LEN] == (u8)i)
			n++;
	}
	CHECK_EQ(n, 300);
	CHECK_EQ(used_idx(TX_USED), 305);
	CHECK_EQ(net.st.tx_frames, 302);
	/* a full "tap" (socket buffer): dropped and counted, not blocked */
	for (i = 0; i < 2000 && net.st.tx_dropped == 3; i++) {
		make_avail(TX_AVAIL, &tx_avail, 0);
		kick(VIRTIO_NET_TXQ);
	}
	CHECK_EQ(net.st.tx_dropped, 4);
	/* by reason: three bad frames, one full queue */
	CHECK_EQ(net.st.tx_bad, 3);
	CHECK_EQ(net.st.tx_full, 1);
	CHECK_EQ(net.st.tx_bytes, net.st.tx_frames * 100);
	CHECK_EQ(used_idx(TX_USED), (u16)(305 + i));

	/* a writable descriptor in a transmit chain: NEEDS_RESET */
	while (read(peer, buf, sizeof(buf)) > 0)
		;
	put_desc(TX_DESC, 5, TX_BUF, VIRTIO_NET_HDR_LEN + 60,
		 VQ_DESC_F_NEXT, 6);
	put_desc(TX_DESC, 6, TX_BUF + 0x800, 16, VQ_DESC_F_WRITE, 0);
	make_avail(TX_AVAIL, &tx_avail, 5);
	kick(VIRTIO_NET_TXQ);
	CHECK(status() & VIRTIO_STATUS_NEEDS_RESET);
	CHECK_EQ(net.vp.bad_chains, 1);
	CHECK_EQ(read(peer, buf, sizeof(buf)), -1);

	/* a header-less chain, after a reset */
	setup(0);
	put_desc(TX_DESC, 0, TX_BUF, 8, 0, 0);
	make_avail(TX_AVAIL, &tx_avail, 0);
	kick(VIRTIO_NET_TXQ);
	CHECK(status() & VIRTIO_STATUS_NEEDS_RESET);
	/* a descriptor loop (lib/virtio's check) */
	setup(0);
	put_desc(TX_DESC, 0, TX_BUF, 64, VQ_DESC_F_NEXT, 1);
	put_desc(TX_DESC, 1, TX_BUF, 64, VQ_DESC_F_NEXT, 0);
	make_avail(TX_AVAIL, &tx_avail, 0);
	kick(VIRTIO_NET_TXQ);
	CHECK(status() & VIRTIO_STATUS_NEEDS_RESET);
	CHECK_EQ(read(peer, buf, sizeof(buf)), -1);
}

static void test_rx_plain(void)
{
	u8 hdr[VIRTIO_NET_HDR_LEN] = { VIRTIO_NET_HDR_F_DATA_VALID };
	u16 heads[1];
	u32 lens[1];

	setup(1ull << VIRTIO_NET_F_GUEST_CSUM);
	/* before any buffer: the frame waits, the tap is not polled */
	host_send(hdr, 100, 1);
	tap_readable();
	CHECK(net.rx_waiting);
	CHECK(net.vp.dev_fd_off);
	CHECK_EQ(net.rx_pending, VIRTIO_NET_HDR_LEN + 100);
	/* kicks were asked for (used->flags clear, no EVENT_IDX) */
	CHECK_EQ(load_le(vm.ram + RX_USED, 2), 0);

	post_rx(0, 2048);
	post_rx(1, 2048);
	kick(VIRTIO_NET_RXQ);
	CHECK(!net.rx_waiting);
	CHECK(!net.vp.dev_fd_off);
	/* while it has buffers the guest need not kick */
	CHECK_EQ(load_le(vm.ram + RX_USED, 2), VQ_USED_F_NO_NOTIFY);
	CHECK_EQ(used_idx(RX_USED), 1);
	CHECK_EQ(used_id(RX_USED, 0), 0);
	CHECK_EQ(used_len(RX_USED, 0), VIRTIO_NET_HDR_LEN + 100);
	heads[0] = 0;
	lens[0] = VIRTIO_NET_HDR_LEN + 100;
	CHECK(rx_matches(heads, lens, 1, 100, 1));
	CHECK_EQ(vm.ram[RX_BUF], VIRTIO_NET_HDR_F_DATA_VALID);
	CHECK_EQ(load_le(vm.ram + RX_BUF + 10, 2), 1);	/* num_buffers */

	/* larger than the (single) buffer: dropped, the buffer kept */
	host_send(NULL, 3000, 2);
	host_send(NULL, 60, 3);
	tap_readable();
	CHECK_EQ(net.st.rx_dropped, 1);
	CHECK_EQ(used_idx(RX_USED), 2);
	CHECK_EQ(used_id(RX_USED, 1), 1);
	heads[0] = 1;
	lens[0] = VIRTIO_NET_HDR_LEN + 60;
	CHECK(rx_matches(heads, lens, 1, 60, 3));
	CHECK_EQ(net.st.rx_frames, 2);

	/* runt frames (no Ethernet header) are dropped */
	host_send(NULL, 10, 4);
	tap_readable();
	CHECK_EQ(net.st.rx_dropped, 2);
	/* a GSO frame the guest did not accept: dropped */
	hdr[1] = VIRTIO_NET_HDR_GSO_TCPV4;
	host_send(hdr, 100, 5);
	tap_readable();
	CHECK_EQ(net.st.rx_dropped, 3);
	/* by reason: one too big for the buffers, two bad */
	CHECK_EQ(net.st.rx_oversized, 1);
	CHECK_EQ(net.st.rx_bad, 2);
	CHECK_EQ(net.st.rx_bytes, 100 + 60);
	CHECK_EQ(used_idx(RX_USED), 2);
	CHECK_EQ(status() & VIRTIO_STATUS_NEEDS_RESET, 0);
}

static void test_rx_mergeable(void)
{
	u16 heads[QSIZE];
	u32 lens[QSIZE];
	unsigned int i;

	setup_rx(4, 1024);
	host_send(NULL, 2500, 9);
	tap_readable();
	CHECK_EQ(used_idx(RX_USED), 3);
	for (i = 0; i < 3; i++) {
		heads[i] = used_id(RX_USED, i);
		lens[i] = used_len(RX_USED, i);
		CHECK_EQ(heads[i], i);
	}
	CHECK_EQ(lens[0], 1024);
	CHECK_EQ(lens[2], VIRTIO_NET_HDR_LEN + 2500 - 2048);
	CHECK_EQ(load_le(vm.ram + RX_BUF + 10, 2), 3);	/* num_buffers */
	CHECK(rx_matches(heads, lens, 3, 2500, 9));

	/* needs 2 buffers, 1 left: holds it and waits for a kick */
	host_send(NULL, 1500, 10);
	tap_readable();
	CHECK(net.rx_waiting);
	CHECK(net.vp.dev_fd_off);
	CHECK_EQ(used_idx(RX_USED), 3);
	CHECK_EQ(net.rx_nbufs, 1);
	CHECK_EQ(net.vp.vq[VIRTIO_NET_RXQ].s.last_avail_idx, 4);
	CHECK_EQ(load_le(vm.ram + RX_USED, 2), 0);	/* kick me */
	post_rx(4, 1024);
	kick(VIRTIO_NET_RXQ);
	CHECK_EQ(used_idx(RX_USED), 5);
	heads[0] = used_id(RX_USED, 3);
	heads[1] = used_id(RX_USED, 4);
	lens[0] = used_len(RX_USED, 3);
	lens[1] = used_len(RX_USED, 4);
	CHECK_EQ(heads[0], 3);
	CHECK_EQ(heads[1], 4);
	CHECK_EQ(load_le(vm.ram + RX_BUF + 3 * 0x1000 + 10, 2), 2);
	CHECK(rx_matches(heads, lens, 2, 1500, 10));

	/* the whole ring cannot hold it: dropped, the buffers kept */
	for (i = 0; i < QSIZE; i++)
		post_rx(i, 1024);
	host_send(NULL, QSIZE * 1024, 11);
	host_send(NULL, 200, 12);
	kick(VIRTIO_NET_RXQ);
	CHECK_EQ(net.st.rx_dropped, 1);
	CHECK_EQ(used_idx(RX_USED), 6);
	heads[0] = used_id(RX_USED, 5);
	lens[0] = used_len(RX_USED, 5);
	CHECK_EQ(heads[0], 0);
	CHECK(rx_matches(heads, lens, 1, 200, 12));
	CHECK_EQ(net.st.rx_frames, 3);
	CHECK_EQ(status() & VIRTIO_STATUS_NEEDS_RESET, 0);

	/* a reset forgets a waiting frame */
	setup(1ull << VIRTIO_NET_F_MRG_RXBUF);
	host_send(NULL, 100, 13);
	tap_readable();
	CHECK(net.rx_pending);
	wr(VIRTIO_PCI_COMMON_STATUS, 0, 1);
	CHECK_EQ(net.rx_pending, 0);
	CHECK(net.vp.dev_fd_off);
}

/* Frames read straight into the guest's buffers (rx_direct). */
#define BIG_BUF		0x40000		/* big buffer i at BIG_BUF + i * BIG_LEN */
#define BIG_LEN		0x8000

static void post_big(u16 i)
{
	put_desc(RX_DESC, i, BIG_BUF + i * BIG_LEN, BIG_LEN, VQ_DESC_F_WRITE, 0);
	make_avail(RX_AVAIL, &rx_avail, i);
}

/* Does used entry u hold the whole frame in one big buffer? */
static bool rx_big_one(u16 u, u32 len, u8 seed)
{
	u16 head = used_id(RX_USED, u);
	u32 l = used_len(RX_USED, u);

	return rx_matches_at(BIG_BUF, BIG_LEN, &head, &l, 1, len, seed);
}

static void test_rx_direct(void)
{
	struct virtqueue *rxq;
	u8 hdr[VIRTIO_NET_HDR_LEN] = { 0 };
	u16 heads[4];
	u32 lens[4];
	unsigned int i;

	setup(1ull << VIRTIO_NET_F_MRG_RXBUF);
	rxq = &net.vp.vq[VIRTIO_NET_RXQ];
	for (i = 0; i < 4; i++)
		post_big(i);
	kick(VIRTIO_NET_RXQ);
	/* the first frame goes through rx_buf; it is large: the next not */
	host_send(NULL, 5000, 1);
	tap_readable();
	CHECK_EQ(used_idx(RX_USED), 1);
	CHECK_EQ(net.st.rx_direct, 0);
	CHECK_EQ(net.rx_last_len, VIRTIO_NET_HDR_LEN + 5000);

	/* 3 x 32 KiB left hold any frame: read straight into two of them,
	 * the third popped and given back */
	host_send(NULL, 40000, 2);
	tap_readable();
	CHECK_EQ(net.st.rx_direct, 1);
	CHECK_EQ(used_idx(RX_USED), 3);
	for (i = 0; i < 2; i++) {
		heads[i] = used_id(RX_USED, 1 + i);
		lens[i] = used_len(RX_USED, 1 + i);
	}
	CHECK_EQ(heads[0], 1);
	CHECK_EQ(heads[1], 2);
	CHECK_EQ(lens[0], BIG_LEN);
	CHECK_EQ(lens[1], VIRTIO_NET_HDR_LEN + 40000 - BIG_LEN);
	CHECK(rx_matches_at(BIG_BUF, BIG_LEN, heads, lens, 2, 40000, 2));
	CHECK_EQ(load_le(vm.ram + BIG_BUF + BIG_LEN + 10, 2), 2); /* num_buffers */
	CHECK_EQ(rxq->s.last_avail_idx, 3);
	/* an empty tap: nothing read, nothing kept */
	tap_readable();
	CHECK_EQ(rxq->s.last_avail_idx, 3);
	CHECK_EQ(net.st.rx_errors, 0);

	/* one buffer left cannot hold the largest frame: through rx_buf */
	host_send(NULL, 10000, 3);
	tap_readable();
	CHECK_EQ(net.st.rx_direct, 1);
	CHECK_EQ(used_idx(RX_USED), 4);
	CHECK(rx_big_one(3, 10000, 3));

	/* refused offload, read straight: dropped, the buffers given back */
	for (i = 0; i < 4; i++)
		post_big(i);
	kick(VIRTIO_NET_RXQ);
	hdr[1] = VIRTIO_NET_HDR_GSO_TCPV4;
	host_send(hdr, 9000, 4);
	tap_readable();
	CHECK_EQ(net.st.rx_bad, 1);
	CHECK_EQ(net.st.rx_dropped, 1);
	CHECK_EQ(used_idx(RX_USED), 4);
	CHECK_EQ(rxq->s.last_avail_idx, 4);
	/* a small frame after a large one: straight, one buffer */
	host_send(NULL, 60, 5);
	tap_readable();
	CHECK_EQ(net.st.rx_direct, 2);
	CHECK_EQ(used_idx(RX_USED), 5);
	CHECK(rx_big_one(4, 60, 5));
	CHECK_EQ(load_le(vm.ram + BIG_BUF + used_id(RX_USED, 4) * BIG_LEN + 10, 2), 1);
	/* and the one after a small frame through rx_buf again */
	host_send(NULL, 100, 6);
	tap_readable();
	CHECK_EQ(net.st.rx_direct, 2);
	CHECK_EQ(net.st.rx_frames, 5);
	CHECK_EQ(status() & VIRTIO_STATUS_NEEDS_RESET, 0);

	/* a readable buffer met on the direct path: NEEDS_RESET */
	host_send(NULL, 5000, 7);
	tap_readable();
	put_desc(RX_DESC, 3, BIG_BUF, BIG_LEN, 0, 0);
	make_avail(RX_AVAIL, &rx_avail, 3);
	kick(VIRTIO_NET_RXQ);
	host_send(NULL, 5000, 8);
	tap_readable();
	CHECK(status() & VIRTIO_STATUS_NEEDS_RESET);
}

/* Receive interrupts: one per delivery round, or throttled by a gap. */
static void test_rx_irq_gap(void)
{
	unsigned int rxq = VIRTIO_NET_RXQ;
	struct timespec ts;

	setup_rx(8, 2048);
	host_send(NULL, 100, 1);
	tap_readable();
	host_send(NULL, 100, 2);
	tap_readable();
	CHECK_EQ(net.vp.irqs_sent[rxq], 2);	/* no gap: both at once */
	CHECK(virtio_pci_irq_flush(&net.vp, &ts) == NULL);

	virtio_queue_set_irq_gap(&net.vp, rxq, 100000);	/* 100 ms */
	host_send(NULL, 100, 3);
	tap_readable();
	CHECK_EQ(net.vp.irqs_sent[rxq], 3);	/* after a quiet gap: at once */
	host_send(NULL, 100, 4);
	tap_readable();
	CHECK_EQ(used_idx(RX_USED), 4);		/* delivered at once, */
	CHECK_EQ(net.vp.irqs_sent[rxq], 3);	/* its interrupt waits */
	CHECK(net.vp.irq_deferred[rxq]);
	host_send(NULL, 100, 5);
	tap_readable();
	CHECK_EQ(net.vp.irqs_merged[rxq], 1);
	CHECK(virtio_pci_irq_flush(&net.vp, &ts) == &ts);
	CHECK(ts.tv_sec == 0 && ts.tv_nsec > 0 && ts.tv_nsec <= 100000000);
	CHECK_EQ(net.vp.irqs_sent[rxq], 3);
	net.vp.irq_last_ns[rxq] -= 200000000ull;	/* the gap is over */
	CHECK(virtio_pci_irq_flush(&net.vp, &ts) == NULL);
	CHECK_EQ(net.vp.irqs_sent[rxq], 4);
	CHECK(!net.vp.irq_deferred[rxq]);

	/* a driver out of buffers hears at once, gap or not */
	host_send(NULL, 100, 6);
	tap_readable();
	CHECK_EQ(net.vp.irqs_sent[rxq], 4);
	host_send(NULL, 100, 7);
	host_send(NULL, 100, 8);
	host_send(NULL, 100, 9);
	tap_readable();
	CHECK(net.rx_waiting);
	CHECK_EQ(used_idx(RX_USED), 8);
	CHECK_EQ(net.vp.irqs_sent[rxq], 5);
	CHECK(!net.vp.irq_deferred[rxq]);
	CHECK_EQ(status() & VIRTIO_STATUS_NEEDS_RESET, 0);
}

static void test_rx_bad(void)
{
	/* a readable receive buffer */
	setup(1ull << VIRTIO_NET_F_MRG_RXBUF);
	put_desc(RX_DESC, 0, RX_BUF, 1024, 0, 0);
	make_avail(RX_AVAIL, &rx_avail, 0);
	kick(VIRTIO_NET_RXQ);
	host_send(NULL, 100, 1);
	tap_readable();
	CHECK(status() & VIRTIO_STATUS_NEEDS_RESET);
	CHECK_EQ(used_idx(RX_USED), 0);
	CHECK(net.vp.dev_fd_off);
	/* the device stays quiet until reset */
	host_send(NULL, 100, 1);
	tap_readable();
	CHECK_EQ(used_idx(RX_USED), 0);

	/* a buffer smaller than the header */
	setup_rx(1, 8);
	host_send(NULL, 100, 1);
	tap_readable();
	CHECK(status() & VIRTIO_STATUS_NEEDS_RESET);

	/* a buffer outside guest RAM */
	setup(0);
	put_desc(RX_DESC, 0, 0x100000000ull, 2048, VQ_DESC_F_WRITE, 0);
	make_avail(RX_AVAIL, &rx_avail, 0);
	kick(VIRTIO_NET_RXQ);
	host_send(NULL, 100, 1);
	tap_readable();
	CHECK(status() & VIRTIO_STATUS_NEEDS_RESET);
	CHECK_EQ(used_idx(RX_USED), 0);
}

/* The tap fails (here: its peer is gone): the device is quarantined with
 * class backend, the frame stays in the ring, and after device-reset (a
 * working tap again) it is sent. */
static void test_tx_backend(void)
{
	u8 buf[256];
	char err[128];
	int sv[2];
	u32 i;

	setup(0);
	memset(vm.ram + TX_BUF, 0, VIRTIO_NET_HDR_LEN);
	for (i = 0; i < 60; i++)
		vm.ram[TX_BUF + 0x100 + i] = (u8)(i + 3);
	put_desc(TX_DESC, 0, TX_BUF, VIRTIO_NET_HDR_LEN, VQ_DESC_F_NEXT, 1);
	put_desc(TX_DESC, 1, TX_BUF + 0x100, 60, 0, 0);
	close(peer);
	make_avail(TX_AVAIL, &tx_avail, 0);
	kick(VIRTIO_NET_TXQ);
	CHECK_EQ(virtio_quarantined(&net.vp), VIRTIO_QUARANTINE_BACKEND);
	CHECK(strstr(net.vp.qr.reason, "tap write") != NULL);
	CHECK_EQ(used_idx(TX_USED), 0);
	CHECK_EQ(net.st.tx_errors, 1);
	CHECK_EQ(status() & VIRTIO_STATUS_NEEDS_RESET, 0);
	/* kicks change nothing while quarantined */
	kick(VIRTIO_NET_TXQ);
	CHECK_EQ(net.st.tx_errors, 1);
	CHECK_EQ(used_idx(TX_USED), 0);

	/* a working tap again, then the operator's device-reset */
	CHECK_EQ(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv), 0);
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	fcntl(sv[1], F_SETFL, O_NONBLOCK);
	CHECK(dup2(sv[0], net.fd) == net.fd);
	close(sv[0]);
	peer = sv[1];
	CHECK_EQ(virtio_pci_device_reset(&net.vp, err, sizeof(err)), 0);
	CHECK_EQ(virtio_quarantined(&net.vp), VIRTIO_QUARANTINE_NONE);
	kick(VIRTIO_NET_TXQ);		/* the transport kicks every queue */
	CHECK_EQ(used_idx(TX_USED), 1);
	CHECK_EQ(read(peer, buf, sizeof(buf)), VIRTIO_NET_HDR_LEN + 60);
	CHECK_EQ(buf[VIRTIO_NET_HDR_LEN + 59], 62);
	CHECK_EQ(net.st.tx_frames, 1);
	CHECK_EQ(virtio_pci_device_reset(&net.vp, err, sizeof(err)), -EINVAL);
}

/* ---------------------------------------------------------------------
 * Snapshot state: a frame half-delivered into mergeable buffers is left
 * out (its chain un-popped in the record), a fresh device loads the
 * record and receives into the same buffers; bad records are refused.
 */
static void test_state(void)
{
	static const u8 mac2[6] = { 0x52, 0x54, 0x00, 0x01, 0x02, 0x03 };
	struct virtio_net_saved st, st2, bad;
	u8 *ram = malloc(RAM_SIZE);
	u16 heads[2];
	u32 lens[2];

	setup_rx(1, 1024);
	host_send(NULL, 1500, 21);
	tap_readable();
	CHECK(net.rx_waiting);
	CHECK_EQ(net.rx_nbufs, 1);
	CHECK_EQ(net.vp.vq[VIRTIO_NET_RXQ].s.last_avail_idx, 1);
	CHECK_EQ(virtio_net_save(&net, &st), 0);
	CHECK_EQ(st.vp.q[VIRTIO_NET_RXQ].last_avail_idx, 0);
	CHECK_EQ(st.vp.q[VIRTIO_NET_RXQ].used_idx, 0);
	/* the running device keeps its frame */
	CHECK_EQ(net.vp.vq[VIRTIO_NET_RXQ].s.last_avail_idx, 1);
	CHECK_EQ(net.rx_pending, VIRTIO_NET_HDR_LEN + 1500);
	CHECK(!memcmp(st.mac, net.mac, 6));
	CHECK(st.vp.driver_features & (1ull << VIRTIO_NET_F_MRG_RXBUF));

	/* a fresh device (driven up without MRG_RXBUF), guest RAM as it was */
	memcpy(ram, vm.ram, RAM_SIZE);
	setup(0);
	memcpy(vm.ram, ram, RAM_SIZE);
	rx_avail = 1;
	bad = st;
	bad.config[0] ^= 1;			/* MAC and config disagree */
	CHECK_EQ(virtio_net_load(&net, &bad), -EINVAL);
	bad = st;
	bad.config[8] = 2;			/* two queue pairs */
	CHECK_EQ(virtio_net_load(&net, &bad), -EINVAL);
	bad = st;
	bad.version = 0;
	CHECK_EQ(virtio_net_load(&net, &bad), -EINVAL);
	bad = st;
	bad.vp.device_features &= ~(1ull << VIRTIO_NET_F_MAC);
	CHECK_EQ(virtio_net_load(&net, &bad), -EINVAL);
	bad = st;
	bad.vp.q[VIRTIO_NET_TXQ].device = RAM_SIZE - 8;
	CHECK_EQ(virtio_net_load(&net, &bad), -EINVAL);
	CHECK_EQ(virtio_net_save(&net, &st2), 0);
	CHECK_EQ(st2.vp.driver_features & (1ull << VIRTIO_NET_F_MRG_RXBUF), 0);

	CHECK_EQ(virtio_net_load(&net, &st), 0);
	CHECK_EQ(virtio_net_save(&net, &st2), 0);
	CHECK(!memcmp(&st, &st2, sizeof(st)));
	CHECK_EQ(status(), 0xf);
	CHECK(!net.vp.dev_fd_off);
	/* the frame was lost; the next one uses buffer 0 again, then 1 */
	post_rx(1, 1024);
	host_send(NULL, 1500, 22);
	tap_readable();
	CHECK_EQ(used_idx(RX_USED), 2);
	heads[0] = used_id(RX_USED, 0);
	heads[1] = used_id(RX_USED, 1);
	lens[0] = used_len(RX_USED, 0);
	lens[1] = used_len(RX_USED, 1);
	CHECK_EQ(heads[0], 0);
	CHECK_EQ(heads[1], 1);
	CHECK_EQ(load_le(vm.ram + RX_BUF + 10, 2), 2);	/* num_buffers */
	CHECK(rx_matches(heads, lens, 2, 1500, 22));
	CHECK_EQ(status() & VIRTIO_STATUS_NEEDS_RESET, 0);

	/* the MAC is state: loaded with the rest */
	st.vp.q[VIRTIO_NET_RXQ].last_avail_idx = 2;
	st.vp.q[VIRTIO_NET_RXQ].used_idx = 2;
	memcpy(st.mac, mac2, 6);
	memcpy(st.config, mac2, 6);
	CHECK_EQ(virtio_net_load(&net, &st), 0);
	CHECK_EQ(rd(VIRTIO_PCI_DEVCFG_OFF + 3, 2), 0x0201);
	CHECK(!memcmp(net.mac, mac2, 6));
	free(ram);
}

int main(void)
{
	vm.ram = calloc(1, RAM_SIZE);
	vm.ram_size = vm.low_size = RAM_SIZE;

	test_hdr_checks();
	test_config();
	test_tx();
	test_rx_plain();
	test_rx_mergeable();
	test_rx_direct();
	test_rx_irq_gap();
	test_rx_bad();
	test_tx_backend();
	test_state();
	virtio_net_exit(&net);
	close(net.fd);
	close(peer);
	bus_destroy(&pio);
	bus_destroy(&mmio);
	free(vm.ram);
	return test_summary("launcher_vnet");
}
