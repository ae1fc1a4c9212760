// SPDX-License-Identifier: GPL-2.0
/*
 * Nested-VM test of the tap backend (userspace/net/tap.c), run as root in
 * the test VM with the tun and bridge modules loaded:
 *
 *  1. tap nyxt0 on a new bridge nyxbr0: both exist, nyxt0 is in
 *     /sys/class/net/nyxbr0/brif, both are up;
 *  2. a second tap nyxt1 on the same (now existing) bridge;
 *  3. an IPv6 frame (fe80:: to fe80::, next header "none", a marker in
 *     the payload) written to nyxt0 with a vnet header comes out of nyxt1
 *     through the bridge, byte for byte, behind a vnet header without
 *     checksum or GSO flags; offloads set from virtio-net features work;
 *  4. a pre-existing persistent tap nyxp0 is attached to the bridge, then
 *     released (not deleted) on close;
 *  5. teardown: nyxt1 goes, the bridge stays (nyxt0 made it) until nyxt0
 *     closes; afterwards none of them exist.
 * Only link-local IPv6 addresses; nothing leaves the VM.
 * Exit status 0 = pass; every check prints a line.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "net/tap.h"

static int failures;

static void check(bool ok, const char *what)
{
	printf("%s %s\n", ok ? "ok  " : "FAIL", what);
	if (!ok)
		failures++;
}

static bool exists(const char *fmt, const char *a, const char *b)
{
	char path[256];
	struct stat st;

	snprintf(path, sizeof(path), fmt, a, b);
	return stat(path, &st) == 0;
}

static bool is_up(const char *ifname)
{
	char path[128], buf[32] = "";
	FILE *f;
	unsigned long flags = 0;

	snprintf(path, sizeof(path), "/sys/class/net/%s/flags", ifname);
	f = fopen(path, "r");
	if (!f)
		return false;
	if (fgets(buf, sizeof(buf), f))
		flags = strtoul(buf, NULL, 0);
	fclose(f);
	return flags & IFF_UP;
}

static int open_nic(struct tap *t, const char *spec)
{
	struct nic_options o;

	if (nic_parse(spec, &o))
		return -1;
	return tap_open(t, &o);
}

/* Ethernet + IPv6 fe80::5054:ff:fe00:1 -> fe80::5054:ff:fe00:2. */
static size_t build_frame(u8 *f, u32 marker)
{
	static const u8 dst[6] = { 0x52, 0x54, 0x00, 0x00, 0x00, 0x02 };
	static const u8 src[6] = { 0x52, 0x54, 0x00, 0x00, 0x00, 0x01 };
	static const u8 ip6_src[16] = { 0xfe, 0x80, [8] = 0x50, 0x54, 0x00,
					0xff, 0xfe, 0x00, 0x00, 0x01 };
	static const u8 ip6_dst[16] = { 0xfe, 0x80, [8] = 0x50, 0x54, 0x00,
					0xff, 0xfe, 0x00, 0x00, 0x02 };
	const size_t plen = 64;
	size_t i;

	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	f[12] = 0x86;
	f[13] = 0xdd;
	f[14] = 0x60;			/* version 6 */
	f[15] = f[16] = f[17] = 0;
	f[18] = 0;
	f[19] = (u8)plen;		/* payload length */
	f[20] = 59;			/* no next header */
	f[21] = 255;			/* hop limit */
	memcpy(f + 22, ip6_src, 16);
	memcpy(f + 38, ip6_dst, 16);
	memcpy(f + 54, &marker, 4);
	for (i = 4; i < plen; i++)
		f[54 + i] = (u8)(i * 7 + marker);
	return 54 + plen;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/*
 * Wait up to 3 s for our frame on t: other traffic (the kernel's own IPv6
 * router solicitations, MLD reports) is skipped.
 */
static bool receive_frame(struct tap *t, const u8 *want, size_t len)
{
	long long end = now_ms() + 3000;
	u8 buf[2048];

	while (now_ms() < end) {
		struct pollfd p = { .fd = t->fd, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, 100) <= 0)
			continue;
		n = read(t->fd, buf, sizeof(buf));
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n < 0) {
			printf("     read %s: %s\n", t->ifname, strerror(errno));
			return false;
		}
		if ((size_t)n != TAP_VNET_HDR_LEN + len ||
		    memcmp(buf + TAP_VNET_HDR_LEN, want, len)) {
			printf("     skipped a %zd-byte frame (ethertype %02x%02x)\n",
			       n, n > 25 ? buf[24] : 0, n > 25 ? buf[25] : 0);
			continue;
		}
		/* vnet header: no NEEDS_CSUM, no GSO for a plain frame */
		return buf[0] == 0 && buf[1] == 0;
	}
	return false;
}

/* A persistent tap that exists before nyx runs. */
static int make_persistent(const char *name, bool persist)
{
	struct ifreq ifr;
	int fd = open("/dev/net/tun", O_RDWR), ret;

	if (fd < 0)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	strcpy(ifr.ifr_name, name);
	ret = ioctl(fd, TUNSETIFF, &ifr);
	if (!ret)
		ret = ioctl(fd, TUNSETPERSIST, persist ? 1 : 0);
	close(fd);
	return ret;
}

int main(void)
{
	struct tap t0, t1, tp, tn;
	u8 hdr_frame[2048], frame[2048];
	size_t len;
	ssize_t n;

	if (open_nic(&t0, "tap,ifname=nyxt0,bridge=nyxbr0")) {
		printf("FAIL open nyxt0 on a new bridge\n");
		return 1;
	}
	check(t0.created_tap && t0.created_bridge && t0.attached,
	      "nyxt0 and nyxbr0 created, nyxt0 attached");
	check(exists("/sys/class/net/%s/brif/%s", "nyxbr0", "nyxt0"),
	      "/sys/class/net/nyxbr0/brif/nyxt0");
	check(exists("/sys/class/net/%s/bridge%s", "nyxbr0", ""),
	      "nyxbr0 is a bridge");
	check(is_up("nyxt0") && is_up("nyxbr0"), "nyxt0 and nyxbr0 up");

	if (open_nic(&t1, "tap,ifname=nyxt1,bridge=nyxbr0")) {
		printf("FAIL open nyxt1 on the existing bridge\n");
		tap_close(&t0);
		return 1;
	}
	check(t1.created_tap && !t1.created_bridge && t1.attached,
	      "nyxt1 created, bridge reused");
	check(exists("/sys/class/net/%s/brif/%s", "nyxbr0", "nyxt1"),
	      "/sys/class/net/nyxbr0/brif/nyxt1");

	check(!tap_set_offloads(&t1, nic_tap_offloads(
			(1ull << VIRTIO_NET_F_GUEST_CSUM) |
			(1ull << VIRTIO_NET_F_GUEST_TSO4) |
			(1ull << VIRTIO_NET_F_GUEST_TSO6) |
			(1ull << VIRTIO_NET_F_GUEST_ECN))) &&
	      t1.offloads == (TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 |
			      TUN_F_TSO_ECN),
	      "TUNSETOFFLOAD csum+tso4+tso6+ecn");

	/* The bridge forwards once the ports are forwarding: retry a bit. */
	len = build_frame(frame, 0x6e797800);
	memset(hdr_frame, 0, TAP_VNET_HDR_LEN);
	memcpy(hdr_frame + TAP_VNET_HDR_LEN, frame, len);
	{
		bool got = false;
		int i;

		for (i = 0; i < 5 && !got; i++) {
			n = write(t0.fd, hdr_frame, TAP_VNET_HDR_LEN + len);
			if (n != (ssize_t)(TAP_VNET_HDR_LEN + len)) {
				printf("     write nyxt0: %zd %s\n", n,
				       strerror(errno));
				break;
			}
			got = receive_frame(&t1, frame, len);
		}
		check(got, "IPv6 link-local frame nyxt0 -> nyxbr0 -> nyxt1, bytes and vnet header intact");
	}
	/* A short write (no room for the vnet header) is refused. */
	n = write(t0.fd, hdr_frame, 4);
	check(n < 0, "a write shorter than the vnet header fails");
	/* Non-blocking: nothing more to read. */
	{
		u8 buf[2048];
		int tries = 0;

		do
			n = read(t0.fd, buf, sizeof(buf));
		while (n > 0 && ++tries < 100);	/* drain the kernel's chatter */
		check(n < 0 && errno == EAGAIN, "the tap fd is non-blocking");
	}

	/* A tap that existed before: attached, then released, not deleted. */
	if (make_persistent("nyxp0", true)) {
		check(false, "create persistent tap nyxp0");
	} else if (open_nic(&tp, "tap,ifname=nyxp0,bridge=nyxbr0")) {
		check(false, "open existing tap nyxp0");
	} else {
		check(!tp.created_tap && tp.attached && tp.upped_tap,
		      "nyxp0 reused, attached, brought up");
		check(exists("/sys/class/net/%s/brif/%s", "nyxbr0", "nyxp0"),
		      "/sys/class/net/nyxbr0/brif/nyxp0");
		tap_close(&tp);
		check(exists("/sys/class/net/%s%s", "nyxp0", "") &&
		      !exists("/sys/class/net/%s/brif/%s", "nyxbr0", "nyxp0") &&
		      !is_up("nyxp0"),
		      "nyxp0 kept, released from the bridge, down again");
		make_persistent("nyxp0", false);
		check(!exists("/sys/class/net/%s%s", "nyxp0", ""),
		      "nyxp0 removed by the test");
	}

	/* No name: the kernel picks tapN; no bridge. */
	if (open_nic(&tn, "tap")) {
		check(false, "open an unnamed tap");
	} else {
		check(!strncmp(tn.ifname, "tap", 3) && tn.created_tap &&
		      !tn.attached && exists("/sys/class/net/%s%s", tn.ifname, ""),
		      "unnamed tap gets tapN");
		tap_close(&tn);
	}

	/* Errors are reported, not fatal: a bridge name that is a tap. */
	{
		struct tap tb;

		check(open_nic(&tb, "tap,ifname=nyxt2,bridge=nyxt1") == -1 &&
		      !exists("/sys/class/net/%s%s", "nyxt2", ""),
		      "a non-bridge 'bridge' is refused, nothing left behind");
	}

	tap_close(&t1);
	check(!exists("/sys/class/net/%s%s", "nyxt1", "") &&
	      exists("/sys/class/net/%s%s", "nyxbr0", ""),
	      "nyxt1 removed, nyxbr0 still there");
	tap_close(&t0);
	tap_close(&t0);		/* twice is harmless */
	check(!exists("/sys/class/net/%s%s", "nyxt0", "") &&
	      !exists("/sys/class/net/%s%s", "nyxbr0", ""),
	      "nyxt0 and nyxbr0 removed");

	printf("taptest: %s\n", failures ? "FAILED" : "passed");
	return failures ? 1 : 0;
}
