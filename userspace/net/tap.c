// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <linux/if_tun.h>
#include <netlink/route/link.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "net/tap.h"

static struct nl_sock *nl_open(void)
{
	struct nl_sock *sk = nl_socket_alloc();
	int err;

	if (!sk) {
		pr_err("tap: out of memory");
		return NULL;
	}
	err = nl_connect(sk, NETLINK_ROUTE);
	if (err < 0) {
		pr_err("tap: rtnetlink: %s", nl_geterror(err));
		nl_socket_free(sk);
		return NULL;
	}
	return sk;
}

/* Set or clear IFF_UP; *changed says whether it was different before. */
static int link_set_up(struct nl_sock *sk, const char *name, bool up,
		       bool *changed)
{
	struct rtnl_link *link = NULL, *req;
	int err;

	err = rtnl_link_get_kernel(sk, 0, name, &link);
	if (err < 0)
		goto out;
	if (changed)
		*changed = !!(rtnl_link_get_flags(link) & IFF_UP) != up;
	req = rtnl_link_alloc();
	if (!req) {
		err = -NLE_NOMEM;
		goto out;
	}
	if (up)
		rtnl_link_set_flags(req, IFF_UP);
	else
		rtnl_link_unset_flags(req, IFF_UP);
	err = rtnl_link_change(sk, link, req, 0);
	rtnl_link_put(req);
out:
	if (link)
		rtnl_link_put(link);
	if (err < 0)
		pr_err("tap: cannot bring %s %s: %s", name, up ? "up" : "down",
		       nl_geterror(err));
	return err < 0 ? -1 : 0;
}

/* The bridge: find it, or create it (exclusively: a racing creator wins). */
static int bridge_get(struct tap *t, struct nl_sock *sk, int *ifindex)
{
	struct rtnl_link *link = NULL;
	int err;

	err = rtnl_link_get_kernel(sk, 0, t->bridge, &link);
	if (err == -NLE_OBJ_NOTFOUND || err == -NLE_NODEV) {
		struct rtnl_link *req = rtnl_link_alloc();

		if (!req) {
			pr_err("tap: out of memory");
			return -1;
		}
		rtnl_link_set_name(req, t->bridge);
		err = rtnl_link_set_type(req, "bridge");
		if (!err)
			err = rtnl_link_add(sk, req, NLM_F_CREATE | NLM_F_EXCL);
		rtnl_link_put(req);
		if (err < 0) {
			pr_err("tap: cannot create bridge %s: %s (is the bridge module available?)",
			       t->bridge, nl_geterror(err));
			return -1;
		}
		t->created_bridge = true;
		err = rtnl_link_get_kernel(sk, 0, t->bridge, &link);
	}
	if (err < 0) {
		pr_err("tap: bridge %s: %s", t->bridge, nl_geterror(err));
		return -1;
	}
	if (!t->created_bridge) {
		const char *type = rtnl_link_get_type(link);

		if (!type || strcmp(type, "bridge")) {
			pr_err("tap: %s exists and is not a bridge", t->bridge);
			rtnl_link_put(link);
			return -1;
		}
	}
	*ifindex = rtnl_link_get_ifindex(link);
	rtnl_link_put(link);
	return 0;
}

static int tap_wire(struct tap *t)
{
	struct rtnl_link *link = NULL;
	struct nl_sock *sk;
	int br_index, err, ret = -1;

	sk = nl_open();
	if (!sk)
		return -1;
	if (t->bridge[0]) {
		if (bridge_get(t, sk, &br_index))
			goto out;
		err = rtnl_link_get_kernel(sk, 0, t->ifname, &link);
		if (err < 0) {
			pr_err("tap: %s: %s", t->ifname, nl_geterror(err));
			goto out;
		}
		if (rtnl_link_get_master(link) != br_index) {
			err = rtnl_link_enslave_ifindex(sk, br_index,
							rtnl_link_get_ifindex(link));
			if (err < 0) {
				pr_err("tap: cannot attach %s to bridge %s: %s",
				       t->ifname, t->bridge, nl_geterror(err));
				goto out;
			}
			t->attached = true;
		}
		if (link_set_up(sk, t->bridge, true, &t->upped_bridge))
			goto out;
		if (t->created_bridge)
			t->upped_bridge = false;	/* deleted anyway */
	}
	if (link_set_up(sk, t->ifname, true, &t->upped_tap))
		goto out;
	if (t->created_tap)
		t->upped_tap = false;
	ret = 0;
out:
	if (link)
		rtnl_link_put(link);
	nl_socket_free(sk);
	return ret;
}

int tap_open(struct tap *t, const struct nic_options *o)
{
	unsigned int features = 0;
	struct ifreq ifr;
	int hdr_len = TAP_VNET_HDR_LEN, flags;

	memset(t, 0, sizeof(*t));
	t->fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (t->fd < 0) {
		pr_err("tap: /dev/net/tun: %s (is the tun module loaded?)",
		       strerror(errno));
		return -1;
	}
	if (ioctl(t->fd, TUNGETFEATURES, &features) ||
	    !(features & IFF_VNET_HDR)) {
		pr_err("tap: the kernel's tun driver has no IFF_VNET_HDR");
		goto err;
	}

	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	/* An unnamed tap gets the first free tapN. */
	strcpy(ifr.ifr_name, o->ifname[0] ? o->ifname : "tap%d");
	/* Whether TUNSETIFF creates it decides whether we delete it. */
	t->created_tap = !o->ifname[0] || !if_nametoindex(o->ifname);
	if (ioctl(t->fd, TUNSETIFF, &ifr)) {
		pr_err("tap: cannot %s tap %s: %s%s",
		       t->created_tap ? "create" : "open",
		       o->ifname[0] ? o->ifname : "(any)", strerror(errno),
		       errno == EINVAL ? " (not a tap, or opened with other flags)" :
		       errno == EPERM ? " (needs CAP_NET_ADMIN)" : "");
		goto err;
	}
	memcpy(t->ifname, ifr.ifr_name, NIC_IFNAMSIZ - 1);
	t->ifname[NIC_IFNAMSIZ - 1] = '\0';
	strcpy(t->bridge, o->bridge);

	/* virtio 1.x: the header always has num_buffers (12 bytes). */
	if (ioctl(t->fd, TUNSETVNETHDRSZ, &hdr_len)) {
		pr_err("tap: %s: TUNSETVNETHDRSZ: %s", t->ifname,
		       strerror(errno));
		goto err;
	}
	if (tap_set_offloads(t, 0))
		goto err;
	flags = fcntl(t->fd, F_GETFL);
	if (flags < 0 || fcntl(t->fd, F_SETFL, flags | O_NONBLOCK)) {
		pr_err("tap: %s: O_NONBLOCK: %s", t->ifname, strerror(errno));
		goto err;
	}
	if (tap_wire(t))
		goto err;
	return 0;
err:
	tap_close(t);
	return -1;
}

int tap_set_offloads(struct tap *t, unsigned int tun_flags)
{
	if (ioctl(t->fd, TUNSETOFFLOAD, (unsigned long)tun_flags)) {
		pr_err("tap: %s: TUNSETOFFLOAD 0x%x: %s", t->ifname, tun_flags,
		       strerror(errno));
		return -1;
	}
	t->offloads = tun_flags;
	return 0;
}

void tap_close(struct tap *t)
{
	struct nl_sock *sk = NULL;

	if (t->attached || t->upped_tap || t->created_bridge ||
	    t->upped_bridge)
		sk = nl_open();
	if (sk && !t->created_tap) {
		/* Leave a tap we found as we found it. */
		if (t->attached) {
			struct rtnl_link *link = NULL;

			if (rtnl_link_get_kernel(sk, 0, t->ifname, &link) >= 0) {
				rtnl_link_release_ifindex(sk,
						rtnl_link_get_ifindex(link));
				rtnl_link_put(link);
			}
		}
		if (t->upped_tap)
			link_set_up(sk, t->ifname, false, NULL);
	}
	/* A tap we created is not persistent: it goes with its last fd. */
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
	if (sk && t->created_bridge) {
		struct rtnl_link *link = rtnl_link_alloc();

		if (link) {
			int err;

			rtnl_link_set_name(link, t->bridge);
			err = rtnl_link_delete(sk, link);
			if (err < 0)
				pr_err("tap: cannot delete bridge %s: %s",
				       t->bridge, nl_geterror(err));
			rtnl_link_put(link);
		}
	} else if (sk && t->upped_bridge) {
		link_set_up(sk, t->bridge, false, NULL);
	}
	if (sk)
		nl_socket_free(sk);
	t->attached = t->upped_tap = t->upped_bridge = false;
	t->created_bridge = t->created_tap = false;
}
