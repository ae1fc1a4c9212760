/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One bus abstraction for both port I/O and MMIO: a sorted array of
 * non-overlapping regions, each owned by a device.
 *
 * An access goes to the region holding its first byte; the device gets the
 * offset from its base and handles widths and bounds itself. Unclaimed
 * reads return all-ones and unclaimed writes are ignored, like an empty
 * ISA/PCI bus.
 *
 * Most devices are registered before the vCPUs start; PCI BARs come and go
 * while the guest runs (bus_unregister(), bus_move()), so every change
 * takes the write lock and lookups the read lock. An access copies its
 * region under the lock and calls the device after dropping it: a device
 * may see one last access just after its region went away, so its state
 * must outlive the region (devices live as long as the launcher). The bus
 * never serialises devices: each device locks its own state.
 */
#ifndef NYX_BUS_H
#define NYX_BUS_H

#include <pthread.h>

#include "core/util.h"

struct io_ops {
	/* Fill data[0..len) for the access at offset from the region base. */
	void (*read)(void *opaque, u64 offset, void *data, u32 len);
	void (*write)(void *opaque, u64 offset, const void *data, u32 len);
};

struct bus_region {
	u64 base;
	u64 len;
	const struct io_ops *ops;
	void *opaque;
};

#define BUS_UNCLAIMED_LOG_MAX	256

struct bus {
	const char *name;		/* "pio" or "mmio", for messages */
	u64 limit;			/* last valid address */
	pthread_rwlock_t lock;
	struct bus_region *regions;	/* sorted by base */
	size_t nr, cap;

	/* Unclaimed addresses already reported (debug only). */
	pthread_mutex_t unclaimed_lock;
	u64 unclaimed[BUS_UNCLAIMED_LOG_MAX];
	size_t nr_unclaimed;
};

extern struct bus pio_bus;
extern struct bus mmio_bus;

void bus_init(struct bus *bus, const char *name, u64 limit);
void bus_destroy(struct bus *bus);

/* Returns 0, -EINVAL (empty or past the end of the space), -EEXIST
 * (overlaps a registered region) or -ENOMEM. */
int bus_register(struct bus *bus, u64 base, u64 len,
		 const struct io_ops *ops, void *opaque);

/* Remove the region that starts at base and belongs to opaque. Returns 0
 * or -ENOENT. */
int bus_unregister(struct bus *bus, u64 base, const void *opaque);

/*
 * Move the region at old_base owned by opaque to new_base (same length,
 * ops and opaque) in one step under the lock, so no access sees it in
 * neither place. Returns 0, -ENOENT (no such region), -EINVAL (the new
 * place leaves the space) or -EEXIST (it overlaps another region); on an
 * error the region stays where it was.
 */
int bus_move(struct bus *bus, u64 old_base, u64 new_base, const void *opaque);

/* The region containing addr, or NULL. Not locked: for tests and setup. */
const struct bus_region *bus_find(struct bus *bus, u64 addr);

/* Perform one access of len bytes (1..8). Returns true if a device
 * claimed it. */
bool bus_access(struct bus *bus, u64 addr, void *data, u32 len,
		bool is_write);

int register_pio(u16 base, u16 len, const struct io_ops *ops, void *opaque);
int register_mmio(u64 base, u64 len, const struct io_ops *ops, void *opaque);

#endif
