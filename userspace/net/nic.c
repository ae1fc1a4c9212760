// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <linux/if_tun.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/nic.h"

bool nic_valid_ifname(const char *name)
{
	size_t len = strlen(name);
	const char *p;

	if (!len || len >= NIC_IFNAMSIZ || !strcmp(name, ".") ||
	    !strcmp(name, ".."))
		return false;
	for (p = name; *p; p++) {
		/* dev_valid_name() rejects '/', ':' and isspace() */
		if (*p == '/' || *p == ':' || *p == ' ' ||
		    (*p >= '\t' && *p <= '\r'))
			return false;
	}
	return true;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int nic_parse_mac(const char *s, u8 mac[6])
{
	u8 m[6];
	int i;

	if (strlen(s) != 17)
		return -EINVAL;
	for (i = 0; i < 6; i++) {
		int hi = hexval(s[3 * i]), lo = hexval(s[3 * i + 1]);

		if (hi < 0 || lo < 0 || (i < 5 && s[3 * i + 2] != ':'))
			return -EINVAL;
		m[i] = (u8)(hi << 4 | lo);
	}
	if (m[0] & 1)
		return -EADDRNOTAVAIL;	/* group bit: multicast, broadcast */
	if (!(m[0] | m[1] | m[2] | m[3] | m[4] | m[5]))
		return -EADDRNOTAVAIL;
	memcpy(mac, m, 6);
	return 0;
}

#define ERR(...) (snprintf(err, errlen, __VA_ARGS__), -1)

static int set_name(char *field, const char *val, char *err, size_t errlen)
{
	if (strlen(val) >= NIC_IFNAMSIZ)
		return ERR("'%s' is too long (at most %d characters)", val,
			   NIC_IFNAMSIZ - 1);
	if (!nic_valid_ifname(val))
		return ERR("'%s' is not a valid interface name", val);
	strcpy(field, val);
	return 0;
}

int nic_set(struct nic_options *o, const char *key, const char *val,
	    char *err, size_t errlen)
{
	unsigned long v;
	char *end;
	int ret;

	if (!strcmp(key, "ifname"))
		return set_name(o->ifname, val, err, errlen);
	if (!strcmp(key, "bridge"))
		return set_name(o->bridge, val, err, errlen);
	if (!strcmp(key, "mac")) {
		ret = nic_parse_mac(val, o->mac);
		if (ret == -EADDRNOTAVAIL)
			return ERR("'%s' is a multicast or zero address (want e.g. 52:54:00:12:34:56)",
				   val);
		if (ret)
			return ERR("'%s' is not 6 hex bytes (want e.g. 52:54:00:12:34:56)",
				   val);
		o->mac_set = true;
		return 0;
	}
	if (!strcmp(key, "rx-irq-gap")) {
		errno = 0;
		v = strtoul(val, &end, 10);
		if (*val < '0' || *val > '9' || *end || errno ||
		    v > NIC_RX_IRQ_GAP_MAX)
			return ERR("'%s' is not a number of microseconds from 0 to %u",
				   val, NIC_RX_IRQ_GAP_MAX);
		o->rx_irq_gap_us = v;
		return 0;
	}
	return ERR("unknown key '%s' (known: " NIC_KEYS ")", key);
}

int nic_check(const struct nic_options *o, char *err, size_t errlen)
{
	if (o->bridge[0] && !strcmp(o->bridge, o->ifname))
		return ERR("the tap and the bridge cannot both be '%s'",
			   o->bridge);
	return 0;
}

void nic_defaults(struct nic_options *o)
{
	memset(o, 0, sizeof(*o));
	o->backend = NIC_TAP;
	o->rx_irq_gap_us = NIC_RX_IRQ_GAP_DEFAULT;
}

static const char *const nic_keys[] = { "ifname", "bridge", "mac",
					 "rx-irq-gap" };

bool nic_key_known(const char *key)
{
	unsigned int k;

	for (k = 0; k < ARRAY_SIZE(nic_keys); k++)
		if (!strcmp(key, nic_keys[k]))
			return true;
	return false;
}

static int parse_kv(char *kv, struct nic_options *o, unsigned int *seen)
{
	const char *const *keys = nic_keys;
	char *eq = strchr(kv, '=');
	char err[160];
	unsigned int k;

	if (!eq) {
		pr_err("--nic: '%s' is not KEY=VALUE (keys: " NIC_KEYS ")", kv);
		return -1;
	}
	*eq = '\0';
	for (k = 0; k < ARRAY_SIZE(nic_keys); k++)
		if (!strcmp(kv, keys[k]))
			break;
	if (k < ARRAY_SIZE(nic_keys)) {
		if (*seen & BIT(k)) {
			pr_err("--nic: %s given more than once", kv);
			return -1;
		}
		*seen |= BIT(k);
		if (!eq[1]) {
			pr_err("--nic: %s needs a value", kv);
			return -1;
		}
	}
	if (nic_set(o, kv, eq + 1, err, sizeof(err))) {
		if (k < ARRAY_SIZE(nic_keys))
			pr_err("--nic: %s: %s", kv, err);
		else
			pr_err("--nic: %s", err);
		return -1;
	}
	return 0;
}

int nic_parse(const char *arg, struct nic_options *o)
{
	unsigned int seen = 0;
	char *copy, *p, *tok, err[160];
	int ret = 0;

	nic_defaults(o);
	copy = strdup(arg);
	if (!copy) {
		pr_err("--nic: out of memory");
		return -1;
	}
	p = copy;
	tok = strsep(&p, ",");
	if (strcmp(tok, "tap")) {
		pr_err("--nic: unknown backend '%s' (known: tap)", tok);
		ret = -1;
		goto out;
	}
	while (p) {
		tok = strsep(&p, ",");
		if (!*tok) {
			pr_err("--nic: empty option in '%s'", arg);
			ret = -1;
			goto out;
		}
		ret = parse_kv(tok, o, &seen);
		if (ret)
			goto out;
	}
	ret = nic_check(o, err, sizeof(err));
	if (ret)
		pr_err("--nic: %s", err);
out:
	free(copy);
	return ret;
}

unsigned int nic_tap_offloads(u64 features)
{
	unsigned int off = 0;

	if (!(features & (1ull << VIRTIO_NET_F_GUEST_CSUM)))
		return 0;
	off |= TUN_F_CSUM;
	if (features & (1ull << VIRTIO_NET_F_GUEST_TSO4))
		off |= TUN_F_TSO4;
	if (features & (1ull << VIRTIO_NET_F_GUEST_TSO6))
		off |= TUN_F_TSO6;
	if ((off & (TUN_F_TSO4 | TUN_F_TSO6)) &&
	    (features & (1ull << VIRTIO_NET_F_GUEST_ECN)))
		off |= TUN_F_TSO_ECN;
	return off;
}
