/* SPDX-License-Identifier: GPL-2.0 */
/*
 * --nic: the network backend of one (future) virtio-net device.
 *
 *   --nic tap[,ifname=NAME][,bridge=BR][,mac=52:54:00:xx:xx:xx]
 *            [,rx-irq-gap=USECS]
 *
 * No libnl or tun here: parsing and the feature -> offload mapping are
 * pure, for the unit tests. net/tap.c does the work.
 */
#ifndef NYX_NET_NIC_H
#define NYX_NET_NIC_H

#include "core/util.h"

#define NIC_IFNAMSIZ	16	/* IFNAMSIZ: 15 characters and a NUL */
#define MAX_NICS	8

enum nic_backend {
	NIC_TAP,
};

struct nic_options {
	enum nic_backend backend;
	char ifname[NIC_IFNAMSIZ];	/* "" = let the kernel pick tapN */
	char bridge[NIC_IFNAMSIZ];	/* "" = no bridge */
	u8 mac[6];			/* the guest's MAC (virtio-net config) */
	bool mac_set;			/* false: the device picks one */
	/* at most one receive interrupt per this many microseconds (the
	 * first after a quiet gap at once); 0: one per delivery round */
	u32 rx_irq_gap_us;
};

#define NIC_RX_IRQ_GAP_DEFAULT	0
#define NIC_RX_IRQ_GAP_MAX	100000

#define NIC_KEYS "ifname, bridge, mac, rx-irq-gap"

/* Whether key is one of NIC_KEYS. */
bool nic_key_known(const char *key);
/* All keys unset: tap backend, default interrupt gap. */
void nic_defaults(struct nic_options *o);
/*
 * Check and set one key (NIC_KEYS) from its text value; the --nic parser
 * and the config file share it. Returns 0, or -1 with a message in err
 * that the caller prefixes with its context ("--nic: mac", "nics[0].mac").
 */
int nic_set(struct nic_options *o, const char *key, const char *val,
	    char *err, size_t errlen);
/* Checks across keys, once all are set (the tap is not the bridge). */
int nic_check(const struct nic_options *o, char *err, size_t errlen);

/*
 * Parse one --nic argument. Returns 0, or -1 after printing why (unknown
 * backend or key, a key given twice, a bad MAC, a bad or too long name).
 */
int nic_parse(const char *arg, struct nic_options *o);

/*
 * A Linux interface name the kernel accepts (dev_valid_name()): 1..15
 * bytes, not "." or "..", no '/', ':' or whitespace.
 */
bool nic_valid_ifname(const char *name);

/*
 * "xx:xx:xx:xx:xx:xx" (hex, either case) into mac. Returns 0, -EINVAL
 * (syntax) or -EADDRNOTAVAIL (multicast/broadcast or all zeroes: not a
 * NIC's address).
 */
int nic_parse_mac(const char *s, u8 mac[6]);

/* virtio-net feature bits that decide what the tap may hand us. */
#define VIRTIO_NET_F_CSUM		0
#define VIRTIO_NET_F_GUEST_CSUM		1
#define VIRTIO_NET_F_GUEST_TSO4		7
#define VIRTIO_NET_F_GUEST_TSO6		8
#define VIRTIO_NET_F_GUEST_ECN		9
#define VIRTIO_NET_F_GUEST_UFO		10

/*
 * TUNSETOFFLOAD flags (TUN_F_*) for the negotiated virtio-net features:
 * the tap may give the guest only what the guest said it accepts.
 * Segmentation needs checksum offload; ECN needs TSO; UFO stays off
 * (Linux removed UFO from the tap's receive path).
 */
unsigned int nic_tap_offloads(u64 features);

#endif
