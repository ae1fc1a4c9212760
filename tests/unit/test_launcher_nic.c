// SPDX-License-Identifier: GPL-2.0
/* --nic parsing (userspace/net/nic.c) and its place in "nyx run" options. */
#include <errno.h>
#include <linux/if_tun.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/options.h"
#include "net/nic.h"
#include "test.h"

/* stderr of the last call, to check that errors say what is wrong. */
static char errbuf[1024];

#define CAPTURE(expr) ({						\
	FILE *_f = tmpfile();						\
	int _saved = dup(STDERR_FILENO), _r;				\
	size_t _n;							\
									\
	fflush(stderr);							\
	dup2(fileno(_f), STDERR_FILENO);				\
	_r = (expr);							\
	fflush(stderr);							\
	dup2(_saved, STDERR_FILENO);					\
	close(_saved);							\
	rewind(_f);							\
	_n = fread(errbuf, 1, sizeof(errbuf) - 1, _f);			\
	errbuf[_n] = '\0';						\
	fclose(_f);							\
	_r;								\
})

/* nic_parse must fail and its message must contain want. */
static void bad(const char *arg, const char *want)
{
	struct nic_options o;

	CHECK_EQ(CAPTURE(nic_parse(arg, &o)), -1);
	if (!strstr(errbuf, want)) {
		test_failed++;
		fprintf(stderr, "FAIL: '%s': message '%s' lacks '%s'\n", arg,
			errbuf, want);
	}
}

static void test_nic_parse(void)
{
	struct nic_options o;
	static const u8 mac[6] = { 0x52, 0x54, 0x00, 0xab, 0xcd, 0xef };

	CHECK_EQ(nic_parse("tap", &o), 0);
	CHECK(o.backend == NIC_TAP && !o.ifname[0] && !o.bridge[0] &&
	      !o.mac_set);

	CHECK_EQ(nic_parse("tap,ifname=nyx0,bridge=br-nyx,mac=52:54:00:AB:cd:ef",
			   &o), 0);
	CHECK(!strcmp(o.ifname, "nyx0") && !strcmp(o.bridge, "br-nyx"));
	CHECK(o.mac_set && !memcmp(o.mac, mac, 6));

	/* any order; a 15-character name is the longest */
	CHECK_EQ(nic_parse("tap,mac=02:00:00:00:00:01,ifname=abcdefghijklmno",
			   &o), 0);
	CHECK(!strcmp(o.ifname, "abcdefghijklmno") && !o.bridge[0]);
	CHECK(o.mac[0] == 2 && o.mac[5] == 1);
	CHECK_EQ(nic_parse("tap,bridge=br0", &o), 0);
	CHECK(!o.ifname[0] && !strcmp(o.bridge, "br0"));
	CHECK_EQ(o.rx_irq_gap_us, NIC_RX_IRQ_GAP_DEFAULT);
	CHECK_EQ(nic_parse("tap,rx-irq-gap=0", &o), 0);
	CHECK_EQ(o.rx_irq_gap_us, 0);
	CHECK_EQ(nic_parse("tap,rx-irq-gap=100000", &o), 0);
	CHECK_EQ(o.rx_irq_gap_us, 100000);

	bad("", "unknown backend");
	bad("user", "unknown backend 'user'");
	bad("tap0", "unknown backend");
	bad("tap,", "empty option");
	bad("tap,,ifname=a", "empty option");
	bad("tap,ifname", "not KEY=VALUE");
	bad("tap,ifname=", "ifname needs a value");
	bad("tap,queues=2", "unknown key 'queues'");
	bad("tap,IFNAME=x", "unknown key");
	bad("tap,ifname=a,ifname=b", "ifname given more than once");
	bad("tap,mac=52:54:00:00:00:01,mac=52:54:00:00:00:02", "more than once");
	bad("tap,ifname=abcdefghijklmnop", "too long");
	bad("tap,bridge=abcdefghijklmnopqrstuvwxyz", "--nic: bridge: 'abcdefghijklmnopqrstuvwxyz' is too long");
	bad("tap,ifname=a/b", "not a valid interface name");
	bad("tap,ifname=a:b", "not a valid interface name");
	bad("tap,ifname=a b", "not a valid interface name");
	bad("tap,bridge=..", "not a valid interface name");
	bad("tap,ifname=x,bridge=x", "cannot both be 'x'");
	bad("tap,mac=52:54:00:12:34", "is not 6 hex bytes");
	bad("tap,mac=52:54:00:12:34:5", "is not 6 hex bytes");
	bad("tap,mac=52:54:00:12:34:567", "is not 6 hex bytes");
	bad("tap,mac=52-54-00-12-34-56", "is not 6 hex bytes");
	bad("tap,mac=52:54:00:12:34:5g", "is not 6 hex bytes");
	bad("tap,mac=ff:ff:ff:ff:ff:ff", "multicast or zero");
	bad("tap,mac=01:00:5e:00:00:01", "multicast or zero");
	bad("tap,mac=00:00:00:00:00:00", "multicast or zero");
	bad("tap,rx-irq-gap=100001", "--nic: rx-irq-gap: '100001' is not a number of microseconds from 0 to 100000");
	bad("tap,rx-irq-gap=-1", "not a number");
	bad("tap,rx-irq-gap=+5", "not a number");
	bad("tap,rx-irq-gap=5us", "not a number");
	bad("tap,rx-irq-gap=99999999999999999999", "not a number");
	bad("tap,rx-irq-gap=1,rx-irq-gap=2", "rx-irq-gap given more than once");
}

static void test_helpers(void)
{
	u8 m[6] = { 0 };

	CHECK(nic_valid_ifname("eth0"));
	CHECK(nic_valid_ifname("a.b-c_d@e"));
	CHECK(!nic_valid_ifname(""));
	CHECK(!nic_valid_ifname("."));
	CHECK(!nic_valid_ifname("a\tb"));
	CHECK(!nic_valid_ifname("0123456789abcdef"));
	CHECK_EQ(nic_parse_mac("fe:dc:ba:98:76:54", m), 0);
	CHECK(m[0] == 0xfe && m[5] == 0x54);
	CHECK_EQ(nic_parse_mac("fe:dc:ba:98:76:54 ", m), -EINVAL);
	CHECK_EQ(nic_parse_mac("fe:dc:ba:98:76:5", m), -EINVAL);
	CHECK_EQ(nic_parse_mac("33:33:00:00:00:01", m), -EADDRNOTAVAIL);
	CHECK(m[0] == 0xfe);	/* untouched on error */

	/* offloads follow what the guest accepts */
	CHECK_EQ(nic_tap_offloads(0), 0);
	CHECK_EQ(nic_tap_offloads(1ull << VIRTIO_NET_F_GUEST_TSO4), 0);
	CHECK_EQ(nic_tap_offloads(1ull << VIRTIO_NET_F_GUEST_CSUM), TUN_F_CSUM);
	CHECK_EQ(nic_tap_offloads((1ull << VIRTIO_NET_F_GUEST_CSUM) |
				  (1ull << VIRTIO_NET_F_GUEST_ECN)), TUN_F_CSUM);
	CHECK_EQ(nic_tap_offloads((1ull << VIRTIO_NET_F_GUEST_CSUM) |
				  (1ull << VIRTIO_NET_F_GUEST_TSO4) |
				  (1ull << VIRTIO_NET_F_GUEST_TSO6) |
				  (1ull << VIRTIO_NET_F_GUEST_ECN) |
				  (1ull << VIRTIO_NET_F_GUEST_UFO) |
				  (1ull << VIRTIO_NET_F_CSUM)),
		 TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN);
	CHECK_EQ(nic_tap_offloads((1ull << VIRTIO_NET_F_GUEST_CSUM) |
				  (1ull << VIRTIO_NET_F_GUEST_TSO6)),
		 TUN_F_CSUM | TUN_F_TSO6);
}

#define PARSE(o, ...) ({						\
	char *_argv[] = { "run", __VA_ARGS__, NULL };			\
	int _ret = CAPTURE(run_options_parse(ARRAY_SIZE(_argv) - 1,	\
					     _argv, (o)));		\
	_ret;								\
})

static void test_run_options(void)
{
	struct run_options o;

	CHECK_EQ(PARSE(&o, "--flat", "x"), 0);
	CHECK_EQ(o.nr_nics, 0);
	run_options_free(&o);

	CHECK_EQ(PARSE(&o, "--flat", "x", "--nic", "tap,ifname=t0",
		       "--nic=tap,bridge=br0,mac=52:54:00:00:00:02"), 0);
	CHECK_EQ(o.nr_nics, 2);
	CHECK(!strcmp(o.nics[0].ifname, "t0") && !o.nics[0].mac_set);
	CHECK(!o.nics[1].ifname[0] && !strcmp(o.nics[1].bridge, "br0"));
	CHECK(o.nics[1].mac_set && o.nics[1].mac[5] == 2);
	run_options_free(&o);

	CHECK_EQ(PARSE(&o, "--flat", "x", "--nic", "tap,ifname=t0,mac=zz"), -1);
	CHECK(strstr(errbuf, "--nic: mac: 'zz' is not 6 hex bytes"));
	CHECK_EQ(PARSE(&o, "--flat", "x", "--nic"), -1);
	CHECK(strstr(errbuf, "needs an argument"));
	CHECK_EQ(PARSE(&o, "--flat", "x", "--nic", "tap,ifname=t0",
		       "--nic", "tap,ifname=t0"), -1);
	CHECK(strstr(errbuf, "tap t0 used by two NICs"));
	CHECK_EQ(PARSE(&o, "--flat", "x", "--nic", "tap,mac=52:54:00:00:00:02",
		       "--nic", "tap,mac=52:54:00:00:00:02"), -1);
	CHECK(strstr(errbuf, "same mac"));
	/* two unnamed taps are fine: the kernel names them */
	CHECK_EQ(PARSE(&o, "--flat", "x", "--nic", "tap", "--nic", "tap"), 0);
	CHECK_EQ(o.nr_nics, 2);
	run_options_free(&o);
	{
		char *argv[2 + 2 * (MAX_NICS + 1) + 1];
		int n = 0, i;

		argv[n++] = "run";
		argv[n++] = "--flat=x";
		for (i = 0; i <= MAX_NICS; i++) {
			argv[n++] = "--nic";
			argv[n++] = "tap";
		}
		argv[n] = NULL;
		CHECK_EQ(CAPTURE(run_options_parse(n, argv, &o)), -1);
		CHECK(strstr(errbuf, "at most 8 NICs"));
		CHECK_EQ(CAPTURE(run_options_parse(n - 2, argv, &o)), 0);
		CHECK_EQ(o.nr_nics, MAX_NICS);
		run_options_free(&o);
	}
	/* the help text documents it */
	{
		FILE *f = tmpfile();
		char buf[8192];
		size_t n;

		run_usage(f);
		rewind(f);
		n = fread(buf, 1, sizeof(buf) - 1, f);
		buf[n] = '\0';
		fclose(f);
		CHECK(strstr(buf, "--nic tap[,ifname=NAME][,bridge=BR][,mac=MAC]"));
	}
}

int main(void)
{
	test_nic_parse();
	test_helpers();
	test_run_options();
	return test_summary("launcher_nic");
}
