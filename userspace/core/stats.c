// SPDX-License-Identifier: GPL-2.0
/*
 * Binary statistics reader: see stats.h. The snapshot comes from the
 * kernel, but is still checked like any other input before it is used:
 * a reader that trusts offsets is one bug away from reading past its
 * buffer.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "core/stats.h"

int stats_parse(const void *buf, size_t len, stats_cb cb, void *opaque)
{
	const struct nyx_stats_header *h = buf;
	const u8 *base = buf;
	u64 end;
	u32 i;
	int r;

	/* values are read as u64s in place */
	if (!buf || (uintptr_t)buf % 8 || len < sizeof(*h) || h->version < 1)
		return -EINVAL;
	if (h->total_size > len || h->desc_size < sizeof(struct nyx_stats_desc))
		return -EINVAL;
	end = (u64)h->desc_offset + (u64)h->num_desc * h->desc_size;
	if (h->desc_offset < sizeof(*h) || end > h->total_size)
		return -EINVAL;
	end = (u64)h->data_offset + h->data_size;
	if (h->data_offset < sizeof(*h) || h->data_offset % 8 ||
	    h->data_size % 8 || end > h->total_size)
		return -EINVAL;
	/* check every descriptor before the first callback */
	for (i = 0; i < h->num_desc; i++) {
		const struct nyx_stats_desc *d = (const void *)
			(base + h->desc_offset + (size_t)i * h->desc_size);

		if (!memchr(d->name, 0, sizeof(d->name)) || !d->name[0])
			return -EINVAL;
		if (!d->size || d->offset % 8 ||
		    (u64)d->offset + (u64)d->size * 8 > h->data_size)
			return -EINVAL;
	}
	for (i = 0; i < h->num_desc; i++) {
		const struct nyx_stats_desc *d = (const void *)
			(base + h->desc_offset + (size_t)i * h->desc_size);
		struct stat_value v = {
			.name = d->name,
			.type = d->type,
			.unit = d->unit,
			.size = d->size,
			.values = (const u64 *)(base + h->data_offset +
						d->offset),
		};

		r = cb(opaque, &v);
		if (r)
			return r;
	}
	return 0;
}

int stats_supported(int fd)
{
	return ioctl(fd, NYX_CHECK_EXTENSION, NYX_CAP_BINARY_STATS) > 0;
}

int stats_fetch(int fd, unsigned long request, void **bufp, size_t *lenp)
{
	struct nyx_stats_request req = { 0 };
	void *buf = NULL;
	int tries, e;

	/* the size is fixed per module, but a retry costs nothing */
	for (tries = 0; tries < 3; tries++) {
		if (!ioctl(fd, request, &req)) {
			*bufp = buf;
			*lenp = req.size;
			return 0;
		}
		if (errno != E2BIG || !req.size)
			break;
		free(buf);
		/* 8-byte aligned: stats_parse() reads u64s in place */
		buf = aligned_alloc(8, (req.size + 7) & ~7u);
		if (!buf)
			return -ENOMEM;
		req.buf = (uintptr_t)buf;
	}
	e = errno ? errno : EIO;
	free(buf);
	return -e;
}

static int stats_read(int fd, unsigned long request, stats_cb cb,
		      void *opaque)
{
	void *buf;
	size_t len;
	int r;

	r = stats_fetch(fd, request, &buf, &len);
	if (r)
		return r;
	r = stats_parse(buf, len, cb, opaque);
	free(buf);
	return r;
}

int stats_read_vcpu(int vcpu_fd, stats_cb cb, void *opaque)
{
	return stats_read(vcpu_fd, NYX_GET_STATS, cb, opaque);
}

int stats_read_vm(int vm_fd, stats_cb cb, void *opaque)
{
	return stats_read(vm_fd, NYX_GET_VM_STATS, cb, opaque);
}

const struct stats_entry *stats_table_find(const struct stats_table *t,
					   const char *name)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (!strcmp(t->e[i].name, name))
			return &t->e[i];
	return NULL;
}

int stats_table_add(struct stats_table *t, const char *name, u8 type,
		    u8 unit, u64 value)
{
	struct stats_entry *e = (struct stats_entry *)stats_table_find(t, name);

	if (strlen(name) >= sizeof(e->name))
		return -EINVAL;
	if (e) {
		if (type == NYX_STATS_TYPE_INSTANT)
			e->value = value;
		else if (type == NYX_STATS_TYPE_PEAK)
			e->value = value > e->value ? value : e->value;
		else
			e->value += value;
		return 0;
	}
	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 64;
		struct stats_entry *ne = realloc(t->e, cap * sizeof(*ne));

		if (!ne)
			return -ENOMEM;
		t->e = ne;
		t->cap = cap;
	}
	e = &t->e[t->n++];
	memset(e, 0, sizeof(*e));
	strcpy(e->name, name);
	e->type = type;
	e->unit = unit;
	e->value = value;
	return 0;
}

int stats_table_collect(void *table, const struct stat_value *v)
{
	char name[NYX_STATS_NAME_SIZE + 8];
	u32 i;
	int r;

	if (v->size == 1)
		return stats_table_add(table, v->name, v->type, v->unit,
				       v->values[0]);
	for (i = 0; i < v->size; i++) {
		snprintf(name, sizeof(name), "%s[%u]", v->name, i);
		r = stats_table_add(table, name, v->type, v->unit,
				    v->values[i]);
		if (r)
			return r;
	}
	return 0;
}

void stats_table_clear(struct stats_table *t)
{
	t->n = 0;
}

void stats_table_free(struct stats_table *t)
{
	free(t->e);
	memset(t, 0, sizeof(*t));
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

int stats_table_add_text(struct stats_table *t, FILE *f)
{
	char line[160], name[NYX_STATS_NAME_SIZE];
	unsigned long long v;
	int n = 0;
	u8 type, unit;

	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%47s %llu", name, &v) != 2)
			continue;
		type = NYX_STATS_TYPE_CUMULATIVE;
		unit = NYX_STATS_UNIT_NONE;
		if (ends_with(name, "_ns"))
			unit = NYX_STATS_UNIT_NS;
		if (strstr(name, "_max_"))
			type = NYX_STATS_TYPE_PEAK;
		if (stats_table_add(t, name, type, unit, v))
			return -ENOMEM;
		n++;
	}
	return n;
}

static const char *const type_names[] = {
	[NYX_STATS_TYPE_CUMULATIVE] = "cumulative",
	[NYX_STATS_TYPE_INSTANT] = "instant",
	[NYX_STATS_TYPE_PEAK] = "peak",
};

static const char *const unit_names[] = {
	[NYX_STATS_UNIT_NONE] = "none",
	[NYX_STATS_UNIT_NS] = "ns",
	[NYX_STATS_UNIT_BYTES] = "bytes",
	[NYX_STATS_UNIT_ADDRESS] = "address",
};

static const char *name_of(const char *const *names, size_t n, u8 code)
{
	return code < n && names[code] ? names[code] : "unknown";
}

static u8 code_of(const char *const *names, size_t n, const char *name,
		  u8 fallback)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (names[i] && !strcmp(names[i], name))
			return i;
	return fallback;
}

const char *stats_type_name(u8 type)
{
	return name_of(type_names, ARRAY_SIZE(type_names), type);
}

const char *stats_unit_name(u8 unit)
{
	return name_of(unit_names, ARRAY_SIZE(unit_names), unit);
}

u8 stats_type_code(const char *name)
{
	return code_of(type_names, ARRAY_SIZE(type_names), name,
		       NYX_STATS_TYPE_CUMULATIVE);
}

u8 stats_unit_code(const char *name)
{
	return code_of(unit_names, ARRAY_SIZE(unit_names), name,
		       NYX_STATS_UNIT_NONE);
}
