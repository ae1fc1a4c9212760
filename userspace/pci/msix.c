// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>

#include "pci/msix.h"

void msix_reset(struct msix_state *s, u32 nr)
{
	u32 i;

	memset(s, 0, sizeof(*s));
	if (!nr)
		nr = 1;
	s->nr = nr > PCI_MSIX_MAX_VECTORS ? PCI_MSIX_MAX_VECTORS : nr;
	for (i = 0; i < s->nr; i++)
		s->table[i].ctrl = PCI_MSIX_ENTRY_CTRL_MASKBIT;
}

/* A loaded state is guest-influenced: never trust its count. */
static u32 nr_vectors(const struct msix_state *s)
{
	return s->nr > PCI_MSIX_MAX_VECTORS ? PCI_MSIX_MAX_VECTORS : s->nr;
}

u64 msix_table_size(const struct msix_state *s)
{
	return (u64)nr_vectors(s) * PCI_MSIX_ENTRY_SIZE;
}

u64 msix_pba_size(const struct msix_state *s)
{
	/* QWORD granularity, as the spec lays the PBA out */
	return (nr_vectors(s) + 63) / 64 * 8;
}

bool msix_is_pending(const struct msix_state *s, u32 v)
{
	return v < nr_vectors(s) && (s->pba[v / 64] >> (v % 64)) & 1;
}

bool msix_is_masked(const struct msix_state *s, u32 v)
{
	return v >= nr_vectors(s) ||
	       (s->table[v].ctrl & PCI_MSIX_ENTRY_CTRL_MASKBIT);
}

static void set_pending(struct msix_state *s, u32 v, bool on)
{
	if (on)
		s->pba[v / 64] |= 1ull << (v % 64);
	else
		s->pba[v / 64] &= ~(1ull << (v % 64));
}

static void send(struct msix_state *s, u32 v, msix_deliver_fn deliver,
		 void *opaque)
{
	const struct msix_entry *e = &s->table[v];

	set_pending(s, v, false);
	deliver(opaque, (u64)e->addr_hi << 32 | e->addr_lo, e->data);
}

int msix_notify(struct msix_state *s, u32 v, bool enabled, bool fmasked,
		msix_deliver_fn deliver, void *opaque)
{
	if (v >= nr_vectors(s))
		return -EINVAL;
	/* With MSI-X disabled the device would use INTx: nothing to log. */
	if (!enabled)
		return 0;
	if (fmasked || msix_is_masked(s, v)) {
		set_pending(s, v, true);
		return 0;
	}
	send(s, v, deliver, opaque);
	return 1;
}

/* Field (o % 16) / 4 of entry o / 16: addr_lo, addr_hi, data, ctrl. */
static u32 *entry_field(struct msix_entry *e, u64 o)
{
	switch ((o % PCI_MSIX_ENTRY_SIZE) / 4) {
	case 0:
		return &e->addr_lo;
	case 1:
		return &e->addr_hi;
	case 2:
		return &e->data;
	default:
		return &e->ctrl;
	}
}

void msix_table_read(const struct msix_state *s, u64 offset, void *data,
		     u32 len)
{
	u64 size = msix_table_size(s);
	u8 *out = data;
	u32 i;

	for (i = 0; i < len; i++) {
		u64 o = offset + i;

		if (o < offset || o >= size) {
			out[i] = 0;
			continue;
		}
		/* the fields are u32 values: little endian on the bus */
		out[i] = *entry_field((struct msix_entry *)&s->table[o / 16],
				      o) >> (8 * (o % 4));
	}
}

void msix_table_write(struct msix_state *s, u64 offset, const void *data,
		      u32 len, bool enabled, bool fmasked,
		      msix_deliver_fn deliver, void *opaque)
{
	u64 size = msix_table_size(s);
	const u8 *in = data;
	u32 i, first = ~0u, last = 0;

	for (i = 0; i < len; i++) {
		u64 o = offset + i;
		u32 *field, shift;

		if (o < offset || o >= size)
			continue;
		field = entry_field(&s->table[o / 16], o);
		shift = 8 * (o % 4);
		*field = (*field & ~(0xffu << shift)) | ((u32)in[i] << shift);
		if (first == ~0u)
			first = o / 16;
		last = o / 16;
	}
	if (first == ~0u)
		return;
	/* Only the mask bit of Vector Control is defined; the rest of the
	 * field is reserved (reads 0). */
	for (i = first; i <= last; i++) {
		s->table[i].ctrl &= PCI_MSIX_ENTRY_CTRL_MASKBIT;
		if (enabled && !fmasked && !msix_is_masked(s, i) &&
		    msix_is_pending(s, i))
			send(s, i, deliver, opaque);
	}
}

void msix_pba_read(const struct msix_state *s, u64 offset, void *data,
		   u32 len)
{
	u64 size = msix_pba_size(s);
	u8 *out = data;
	u32 i;

	for (i = 0; i < len; i++) {
		u64 o = offset + i;

		out[i] = o >= offset && o < size ?
			 (u8)(s->pba[o / 8] >> (8 * (o % 8))) : 0;
	}
}

void msix_control_changed(struct msix_state *s, bool enabled, bool fmasked,
			  msix_deliver_fn deliver, void *opaque)
{
	u32 v;

	if (!enabled || fmasked)
		return;
	for (v = 0; v < nr_vectors(s); v++)
		if (msix_is_pending(s, v) && !msix_is_masked(s, v))
			send(s, v, deliver, opaque);
}
