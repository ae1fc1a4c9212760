// SPDX-License-Identifier: GPL-2.0
/*
 * Binary stats layout and the top-N address table (see stats.h).
 */
#include <nyx/types.h>
#include <uapi/nyx.h>

#include "stats/stats.h"

u32 nyx_binstats_nvalues(const struct nyx_binstat_def *defs, u32 n)
{
	u32 i, nv = 0;

	for (i = 0; i < n; i++)
		nv += defs[i].size;
	return nv;
}

static u32 nyx_name_len(const char *s)
{
	u32 n = 0;

	while (s[n] && n < NYX_STATS_NAME_SIZE)
		n++;
	return n;
}

u32 nyx_binstats_build(void *buf, u32 size, const struct nyx_binstat_def *defs,
		       u32 n, const u64 *values)
{
	struct nyx_stats_header *h = buf;
	struct nyx_stats_desc *d;
	u32 i, len, off = 0, desc_off, data_off, total;
	u64 *data;

	for (i = 0; i < n; i++) {
		len = nyx_name_len(defs[i].name);
		if (!len || len >= NYX_STATS_NAME_SIZE || !defs[i].size)
			return 0;
	}
	desc_off = sizeof(*h);
	data_off = desc_off + n * sizeof(*d);
	total = data_off + nyx_binstats_nvalues(defs, n) * sizeof(u64);
	if (size < total)
		return total;

	nyx_memset(buf, 0, data_off);
	h->version = NYX_STATS_VERSION;
	h->num_desc = n;
	h->desc_size = sizeof(*d);
	h->desc_offset = desc_off;
	h->data_offset = data_off;
	h->data_size = total - data_off;
	h->total_size = total;
	d = (struct nyx_stats_desc *)((u8 *)buf + desc_off);
	data = (u64 *)((u8 *)buf + data_off);
	for (i = 0; i < n; i++) {
		nyx_memcpy(d[i].name, defs[i].name,
			   nyx_name_len(defs[i].name));
		d[i].type = defs[i].type;
		d[i].unit = defs[i].unit;
		d[i].size = defs[i].size;
		d[i].offset = off * sizeof(u64);
		off += defs[i].size;
	}
	for (i = 0; i < off; i++)
		data[i] = values[i];
	return total;
}

void nyx_topn_add(struct nyx_topn *t, u64 key)
{
	int i, min = 0;

	for (i = 0; i < NYX_TOPN; i++) {
		if (t->count[i] && t->key[i] == key) {
			t->count[i]++;
			return;
		}
	}
	for (i = 0; i < NYX_TOPN; i++) {
		if (!t->count[i]) {
			t->key[i] = key;
			t->count[i] = 1;
			return;
		}
		if (t->count[i] < t->count[min])
			min = i;
	}
	t->key[min] = key;
	t->count[min]++;
}
