/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tap backend for virtio-net: a /dev/net/tun queue in tap mode with the
 * virtio 1.x vnet header (12 bytes before each frame, both directions),
 * non-blocking, optionally attached to a Linux bridge. Interfaces are
 * created and wired with rtnetlink (libnl-route-3).
 *
 * What nyx creates it removes in tap_close(); what already existed it
 * leaves as it found it (a pre-existing tap that nyx attached to the
 * bridge or brought up is released / brought down again).
 */
#ifndef NYX_NET_TAP_H
#define NYX_NET_TAP_H

#include "net/nic.h"

#define TAP_VNET_HDR_LEN	12	/* struct virtio_net_hdr_v1 */

struct tap {
	int fd;				/* -1 when closed */
	char ifname[NIC_IFNAMSIZ];	/* the kernel's name for it */
	char bridge[NIC_IFNAMSIZ];	/* "" = none */
	bool created_tap;		/* nyx made it: goes with the fd */
	bool created_bridge;		/* nyx made it: deleted on close */
	bool attached;			/* nyx put the tap on the bridge */
	bool upped_tap, upped_bridge;	/* nyx brought a pre-existing one up */
	unsigned int offloads;		/* TUN_F_* in effect */
};

/*
 * Open (or create) the tap of o, set the vnet header size and no offloads,
 * make it non-blocking, create the bridge if o names one that does not
 * exist, attach the tap and bring both up. Returns 0, or -1 after printing
 * why (everything done so far is undone).
 */
int tap_open(struct tap *t, const struct nic_options *o);

/* TUNSETOFFLOAD with TUN_F_* flags (see nic_tap_offloads()). */
int tap_set_offloads(struct tap *t, unsigned int tun_flags);

/* Undo tap_open(); safe to call twice. */
void tap_close(struct tap *t);

#endif
