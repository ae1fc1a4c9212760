// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/bus.h"

struct bus pio_bus = {
	.name = "pio",
	.limit = 0xffff,
	.lock = PTHREAD_RWLOCK_INITIALIZER,
	.unclaimed_lock = PTHREAD_MUTEX_INITIALIZER,
};

struct bus mmio_bus = {
	.name = "mmio",
	.limit = ~0ull,
	.lock = PTHREAD_RWLOCK_INITIALIZER,
	.unclaimed_lock = PTHREAD_MUTEX_INITIALIZER,
};

void bus_init(struct bus *bus, const char *name, u64 limit)
{
	memset(bus, 0, sizeof(*bus));
	bus->name = name;
	bus->limit = limit;
	pthread_rwlock_init(&bus->lock, NULL);
	pthread_mutex_init(&bus->unclaimed_lock, NULL);
}

void bus_destroy(struct bus *bus)
{
	free(bus->regions);
	bus->regions = NULL;
	bus->nr = bus->cap = 0;
	bus->nr_unclaimed = 0;
}

/* Index of the first region whose base is greater than addr. */
static size_t upper_bound(const struct bus *bus, u64 addr)
{
	size_t lo = 0, hi = bus->nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (bus->regions[mid].base <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static const struct bus_region *find_locked(const struct bus *bus, u64 addr)
{
	size_t i = upper_bound(bus, addr);
	const struct bus_region *r;

	if (!i)
		return NULL;
	r = &bus->regions[i - 1];
	/* Written as a difference so that a region ending at 2^64 works. */
	return addr - r->base < r->len ? r : NULL;
}

const struct bus_region *bus_find(struct bus *bus, u64 addr)
{
	return find_locked(bus, addr);
}

static bool range_valid(const struct bus *bus, u64 base, u64 len)
{
	u64 last = base + len - 1;

	return len && last >= base && last <= bus->limit;
}

/* Where [base, base + len) would be inserted, or -EEXIST if it overlaps
 * a region. Called with the lock held. */
static long insert_pos(const struct bus *bus, u64 base, u64 len)
{
	u64 last = base + len - 1;
	size_t i = upper_bound(bus, base);

	/* The region before must end before base, the one at i must start
	 * after last. */
	if (i > 0) {
		const struct bus_region *prev = &bus->regions[i - 1];

		if (prev->base + (prev->len - 1) >= base)
			return -EEXIST;
	}
	if (i < bus->nr && bus->regions[i].base <= last)
		return -EEXIST;
	return i;
}

/* Index of the region at base owned by opaque, or -ENOENT. Locked. */
static long find_exact(const struct bus *bus, u64 base, const void *opaque)
{
	size_t i = upper_bound(bus, base);

	if (i && bus->regions[i - 1].base == base &&
	    bus->regions[i - 1].opaque == opaque)
		return i - 1;
	return -ENOENT;
}

static void remove_at(struct bus *bus, size_t i)
{
	memmove(&bus->regions[i], &bus->regions[i + 1],
		(bus->nr - i - 1) * sizeof(bus->regions[0]));
	bus->nr--;
}

int bus_register(struct bus *bus, u64 base, u64 len,
		 const struct io_ops *ops, void *opaque)
{
	long pos;
	size_t i;
	int ret = 0;

	if (!range_valid(bus, base, len) || !ops)
		return -EINVAL;

	pthread_rwlock_wrlock(&bus->lock);
	pos = insert_pos(bus, base, len);
	if (pos < 0) {
		ret = pos;
		goto out;
	}
	i = pos;
	if (bus->nr == bus->cap) {
		size_t cap = bus->cap ? bus->cap * 2 : 16;
		struct bus_region *r = realloc(bus->regions, cap * sizeof(*r));

		if (!r) {
			ret = -ENOMEM;
			goto out;
		}
		bus->regions = r;
		bus->cap = cap;
	}
	memmove(&bus->regions[i + 1], &bus->regions[i],
		(bus->nr - i) * sizeof(bus->regions[0]));
	bus->regions[i] = (struct bus_region){
		.base = base, .len = len, .ops = ops, .opaque = opaque,
	};
	bus->nr++;
out:
	pthread_rwlock_unlock(&bus->lock);
	return ret;
}

int bus_unregister(struct bus *bus, u64 base, const void *opaque)
{
	long i;

	pthread_rwlock_wrlock(&bus->lock);
	i = find_exact(bus, base, opaque);
	if (i >= 0)
		remove_at(bus, i);
	pthread_rwlock_unlock(&bus->lock);
	return i < 0 ? i : 0;
}

int bus_move(struct bus *bus, u64 old_base, u64 new_base, const void *opaque)
{
	struct bus_region r;
	long i, pos;
	int ret = 0;

	pthread_rwlock_wrlock(&bus->lock);
	i = find_exact(bus, old_base, opaque);
	if (i < 0) {
		ret = i;
		goto out;
	}
	r = bus->regions[i];
	if (!range_valid(bus, new_base, r.len)) {
		ret = -EINVAL;
		goto out;
	}
	/* Take it out to check the new place against the others only; put
	 * it back where it was if that fails. The array keeps its capacity,
	 * so neither step can fail for memory. */
	remove_at(bus, i);
	pos = insert_pos(bus, new_base, r.len);
	if (pos < 0) {
		ret = pos;
		pos = i;
	} else {
		r.base = new_base;
	}
	memmove(&bus->regions[pos + 1], &bus->regions[pos],
		(bus->nr - pos) * sizeof(bus->regions[0]));
	bus->regions[pos] = r;
	bus->nr++;
out:
	pthread_rwlock_unlock(&bus->lock);
	return ret;
}

/* Report each unclaimed address once, so a polling guest can't flood. */
static void log_unclaimed(struct bus *bus, u64 addr, u32 len, bool is_write)
{
	bool first = true;
	size_t i;

	pthread_mutex_lock(&bus->unclaimed_lock);
	for (i = 0; i < bus->nr_unclaimed; i++) {
		if (bus->unclaimed[i] == addr) {
			first = false;
			break;
		}
	}
	if (first && bus->nr_unclaimed < BUS_UNCLAIMED_LOG_MAX)
		bus->unclaimed[bus->nr_unclaimed++] = addr;
	else
		first = false;
	pthread_mutex_unlock(&bus->unclaimed_lock);

	if (first)
		pr_debug("%s: unclaimed %u-byte %s at 0x%llx", bus->name, len,
			 is_write ? "write" : "read", (unsigned long long)addr);
}

bool bus_access(struct bus *bus, u64 addr, void *data, u32 len,
		bool is_write)
{
	const struct bus_region *r;
	struct bus_region found;

	pthread_rwlock_rdlock(&bus->lock);
	r = find_locked(bus, addr);
	if (r)
		found = *r;
	pthread_rwlock_unlock(&bus->lock);

	if (!r) {
		if (!is_write)
			memset(data, 0xff, len);
		if (nyx_debug)
			log_unclaimed(bus, addr, len, is_write);
		return false;
	}

	if (is_write) {
		if (found.ops->write)
			found.ops->write(found.opaque, addr - found.base, data, len);
	} else if (found.ops->read) {
		found.ops->read(found.opaque, addr - found.base, data, len);
	} else {
		memset(data, 0xff, len);
	}
	return true;
}

int register_pio(u16 base, u16 len, const struct io_ops *ops, void *opaque)
{
	return bus_register(&pio_bus, base, len, ops, opaque);
}

int register_mmio(u64 base, u64 len, const struct io_ops *ops, void *opaque)
{
	return bus_register(&mmio_bus, base, len, ops, opaque);
}
