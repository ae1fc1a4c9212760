// SPDX-License-Identifier: GPL-2.0
/* The PIO/MMIO bus: registration rules, lookup and dispatch. */
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/bus.h"
#include "test.h"

struct fake_dev {
	int id;
	u64 last_offset;
	u32 last_len;
	u64 last_write;
	int reads, writes;
};

static void fake_read(void *opaque, u64 offset, void *data, u32 len)
{
	struct fake_dev *d = opaque;

	d->reads++;
	d->last_offset = offset;
	d->last_len = len;
	store_le(data, 0x1100 + d->id, len);
}

static void fake_write(void *opaque, u64 offset, const void *data, u32 len)
{
	struct fake_dev *d = opaque;

	d->writes++;
	d->last_offset = offset;
	d->last_len = len;
	d->last_write = load_le(data, len);
}

static const struct io_ops fake_ops = {
	.read = fake_read,
	.write = fake_write,
};

static void test_register_rules(void)
{
	struct fake_dev a = { .id = 1 }, b = { .id = 2 };
	struct bus bus;

	bus_init(&bus, "test", 0xffff);
	CHECK_EQ(bus_register(&bus, 0x100, 0, &fake_ops, &a), -EINVAL);
	CHECK_EQ(bus_register(&bus, 0x100, 8, NULL, &a), -EINVAL);
	CHECK_EQ(bus_register(&bus, 0xfff0, 0x11, &fake_ops, &a), -EINVAL);
	CHECK_EQ(bus_register(&bus, 0x10000, 1, &fake_ops, &a), -EINVAL);
	CHECK_EQ(bus_register(&bus, 0xfff0, 0x10, &fake_ops, &a), 0);
	CHECK_EQ(bus_register(&bus, 0x100, 8, &fake_ops, &a), 0);
	/* overlaps: same, inside, straddling either end, covering */
	CHECK_EQ(bus_register(&bus, 0x100, 8, &fake_ops, &b), -EEXIST);
	CHECK_EQ(bus_register(&bus, 0x102, 2, &fake_ops, &b), -EEXIST);
	CHECK_EQ(bus_register(&bus, 0xfc, 5, &fake_ops, &b), -EEXIST);
	CHECK_EQ(bus_register(&bus, 0x107, 4, &fake_ops, &b), -EEXIST);
	CHECK_EQ(bus_register(&bus, 0x80, 0x100, &fake_ops, &b), -EEXIST);
	/* adjacent on both sides is fine */
	CHECK_EQ(bus_register(&bus, 0xf8, 8, &fake_ops, &b), 0);
	CHECK_EQ(bus_register(&bus, 0x108, 1, &fake_ops, &b), 0);
	CHECK_EQ(bus.nr, 4);
	bus_destroy(&bus);
}

static void test_mmio_limits(void)
{
	struct fake_dev a = { .id = 1 };
	struct bus bus;

	bus_init(&bus, "mmio", ~0ull);
	/* wraps around */
	CHECK_EQ(bus_register(&bus, ~0ull - 0xf, 0x20, &fake_ops, &a), -EINVAL);
	/* ends exactly at 2^64 */
	CHECK_EQ(bus_register(&bus, ~0ull - 0xfff, 0x1000, &fake_ops, &a), 0);
	CHECK(bus_find(&bus, ~0ull) != NULL);
	CHECK(bus_find(&bus, ~0ull - 0xfff) != NULL);
	CHECK(bus_find(&bus, ~0ull - 0x1000) == NULL);
	CHECK_EQ(bus_register(&bus, ~0ull, 1, &fake_ops, &a), -EEXIST);
	bus_destroy(&bus);
}

static void test_lookup_and_dispatch(void)
{
	struct fake_dev a = { .id = 1 }, b = { .id = 2 };
	int saved_stderr, null_fd;
	struct bus bus;
	u8 data[8];

	bus_init(&bus, "test", 0xffff);
	CHECK_EQ(bus_register(&bus, 0x3f8, 8, &fake_ops, &a), 0);
	CHECK_EQ(bus_register(&bus, 0x60, 1, &fake_ops, &b), 0);

	CHECK(bus_find(&bus, 0x3f7) == NULL);
	CHECK(bus_find(&bus, 0x3f8)->opaque == &a);
	CHECK(bus_find(&bus, 0x3ff)->opaque == &a);
	CHECK(bus_find(&bus, 0x400) == NULL);
	CHECK(bus_find(&bus, 0x60)->opaque == &b);
	CHECK(bus_find(&bus, 0x61) == NULL);
	CHECK(bus_find(&bus, 0) == NULL);

	CHECK(bus_access(&bus, 0x3fd, data, 1, false));
	CHECK_EQ(a.reads, 1);
	CHECK_EQ(a.last_offset, 5);
	CHECK_EQ(data[0], 0x01);

	store_le(data, 0xbeef, 2);
	CHECK(bus_access(&bus, 0x3f9, data, 2, true));
	CHECK_EQ(a.writes, 1);
	CHECK_EQ(a.last_offset, 1);
	CHECK_EQ(a.last_len, 2);
	CHECK_EQ(a.last_write, 0xbeef);

	/* unclaimed: reads all-ones, writes vanish */
	memset(data, 0, sizeof(data));
	CHECK(!bus_access(&bus, 0x80, data, 4, false));
	CHECK_EQ(load_le(data, 4), 0xffffffff);
	CHECK_EQ(data[4], 0);
	CHECK(!bus_access(&bus, 0x80, data, 4, true));
	/* logged once per address (debug on; the messages are hidden) */
	saved_stderr = dup(STDERR_FILENO);
	null_fd = open("/dev/null", O_WRONLY);
	dup2(null_fd, STDERR_FILENO);
	nyx_debug = true;
	bus_access(&bus, 0x81, data, 1, false);
	bus_access(&bus, 0x81, data, 1, false);
	bus_access(&bus, 0x82, data, 1, true);
	nyx_debug = false;
	dup2(saved_stderr, STDERR_FILENO);
	close(saved_stderr);
	close(null_fd);
	CHECK_EQ(bus.nr_unclaimed, 2);

	CHECK_EQ(a.reads + b.reads, 1);
	bus_destroy(&bus);
}

/* Many regions in scrambled order: binary search must agree with a
 * linear scan everywhere. */
static void test_many_regions(void)
{
	static struct fake_dev devs[200];
	struct bus bus;
	bool ok = true;
	u64 addr;
	int i;

	bus_init(&bus, "test", 0xffff);
	for (i = 0; i < 200; i++) {
		int slot = (i * 73) % 200;	/* 73 is coprime with 200 */

		devs[slot].id = slot;
		if (bus_register(&bus, slot * 16, 8 + slot % 8, &fake_ops,
				 &devs[slot]))
			ok = false;
	}
	CHECK(ok);
	CHECK_EQ(bus.nr, 200);
	for (i = 1; i < 200; i++)
		if (bus.regions[i - 1].base >= bus.regions[i].base)
			ok = false;
	CHECK(ok);
	for (addr = 0; addr < 200 * 16 + 32; addr++) {
		const struct bus_region *r = bus_find(&bus, addr);
		u64 slot = addr / 16;
		bool expect = slot < 200 && addr % 16 < 8 + slot % 8;

		if (expect != (r != NULL) ||
		    (r && r->opaque != &devs[slot]))
			ok = false;
	}
	CHECK(ok);
	bus_destroy(&bus);
}

static void test_global_buses(void)
{
	struct fake_dev a = { .id = 7 };
	u8 data[4];

	CHECK_EQ(register_pio(0xffff, 1, &fake_ops, &a), 0);
	CHECK_EQ(register_pio(0xffff, 2, &fake_ops, &a), -EINVAL);
	CHECK_EQ(register_pio(0xfffe, 2, &fake_ops, &a), -EEXIST);
	CHECK_EQ(register_mmio(0xfee00000, 0x1000, &fake_ops, &a), 0);
	CHECK(bus_access(&mmio_bus, 0xfee00ff8, data, 4, false));
	CHECK_EQ(a.last_offset, 0xff8);
	CHECK(!bus_access(&mmio_bus, 0xfee01000, data, 4, false));
	CHECK(bus_access(&pio_bus, 0xffff, data, 1, false));
	CHECK_EQ(data[0], 0x07);
}

static void test_unregister_move(void)
{
	struct fake_dev a = { .id = 1 }, b = { .id = 2 }, c = { .id = 3 };
	struct bus bus;
	u8 data[4];

	bus_init(&bus, "test", 0xffff);
	CHECK_EQ(bus_register(&bus, 0x100, 0x10, &fake_ops, &a), 0);
	CHECK_EQ(bus_register(&bus, 0x200, 0x10, &fake_ops, &b), 0);
	CHECK_EQ(bus_register(&bus, 0x300, 0x10, &fake_ops, &c), 0);

	/* unregister: exact base and owner only */
	CHECK_EQ(bus_unregister(&bus, 0x204, &b), -ENOENT);
	CHECK_EQ(bus_unregister(&bus, 0x200, &a), -ENOENT);
	CHECK_EQ(bus_unregister(&bus, 0x400, &a), -ENOENT);
	CHECK_EQ(bus_unregister(&bus, 0x200, &b), 0);
	CHECK_EQ(bus.nr, 2);
	CHECK(!bus_access(&bus, 0x200, data, 1, false));
	CHECK_EQ(data[0], 0xff);
	CHECK_EQ(bus_unregister(&bus, 0x200, &b), -ENOENT);
	/* the hole can be reused */
	CHECK_EQ(bus_register(&bus, 0x1f0, 0x20, &fake_ops, &b), 0);
	CHECK(bus_access(&bus, 0x20f, data, 1, false));
	CHECK_EQ(b.last_offset, 0x1f);

	/* move: over a neighbour, partly over itself, off the end */
	CHECK_EQ(bus_move(&bus, 0x1f0, 0x108, &b), -EEXIST);
	CHECK_EQ(bus_move(&bus, 0x1f0, 0x2f8, &b), -EEXIST);
	CHECK_EQ(bus_move(&bus, 0x1f0, 0xfff0, &b), -EINVAL);
	CHECK_EQ(bus_move(&bus, 0x1f0, ~0ull - 4, &b), -EINVAL);
	CHECK_EQ(bus_move(&bus, 0x1f1, 0x500, &b), -ENOENT);
	CHECK_EQ(bus_move(&bus, 0x1f0, 0x500, &a), -ENOENT);
	/* failed moves left it in place, the order intact */
	CHECK_EQ(bus.nr, 3);
	CHECK(bus_find(&bus, 0x1f0) && bus_find(&bus, 0x1f0)->opaque == &b);
	CHECK(bus.regions[0].base < bus.regions[1].base &&
	      bus.regions[1].base < bus.regions[2].base);
	CHECK_EQ(bus_move(&bus, 0x1f0, 0x1f8, &b), 0);	/* overlaps itself */
	CHECK_EQ(bus_find(&bus, 0x1f8)->base, 0x1f8);
	CHECK(!bus_find(&bus, 0x1f0));
	/* past its neighbours: the array stays sorted */
	CHECK_EQ(bus_move(&bus, 0x1f8, 0x50, &b), 0);
	CHECK_EQ(bus.regions[0].base, 0x50);
	CHECK_EQ(bus.regions[0].opaque, &b);
	CHECK_EQ(bus_move(&bus, 0x50, 0xffe0, &b), 0);
	CHECK_EQ(bus.regions[2].base, 0xffe0);
	CHECK(bus_access(&bus, 0xffff, data, 1, true));
	CHECK_EQ(b.last_offset, 0x1f);
	CHECK(!bus_access(&bus, 0x50, data, 1, false));
	bus_destroy(&bus);
}

/* Readers keep hitting a region while another thread moves it back and
 * forth and unregisters/registers a second one: every access must land
 * on a live region with an in-range offset (ASan/UBSan and the checks
 * catch a torn array), and nothing may deadlock. */
struct race {
	struct bus bus;
	struct fake_dev dev;
	volatile bool stop;
	unsigned long bad, hits;
};

static void race_read(void *opaque, u64 offset, void *data, u32 len)
{
	struct race *r = opaque;

	if (offset >= 0x10)
		__atomic_add_fetch(&r->bad, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&r->hits, 1, __ATOMIC_RELAXED);
	memset(data, 0x5a, len);
}

static const struct io_ops race_ops = { .read = race_read };

static void *race_reader(void *arg)
{
	struct race *r = arg;
	u64 addr = 0;
	u8 data[4];

	while (!r->stop) {
		/* the region is at 0x1000 or 0x2000 */
		if (bus_access(&r->bus, 0x1000 + (addr & 0x1000) + (addr & 0xf),
			       data, 4, false) && data[0] != 0x5a)
			__atomic_add_fetch(&r->bad, 1, __ATOMIC_RELAXED);
		addr += 0x1001;
	}
	return NULL;
}

static void test_concurrent_move(void)
{
	static struct race r;
	pthread_t t[2];
	unsigned int i;
	int errors = 0;
	u64 at = 0x1000;

	bus_init(&r.bus, "race", ~0ull);
	CHECK_EQ(bus_register(&r.bus, at, 0x10, &race_ops, &r), 0);
	for (i = 0; i < 2; i++)
		CHECK_EQ(pthread_create(&t[i], NULL, race_reader, &r), 0);
	for (i = 0; i < 20000; i++) {
		u64 to = at ^ 0x3000;	/* 0x1000 <-> 0x2000 */

		errors += bus_move(&r.bus, at, to, &r) != 0;
		at = to;
		errors += bus_register(&r.bus, 0x8000 + (i & 0xff) * 0x10, 0x10,
				       &race_ops, &r.dev) != 0;
		errors += bus_unregister(&r.bus, 0x8000 + (i & 0xff) * 0x10,
					 &r.dev) != 0;
	}
	r.stop = true;
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	CHECK_EQ(errors, 0);
	CHECK_EQ(r.bad, 0);
	CHECK(r.hits > 0);
	CHECK_EQ(r.bus.nr, 1);
	bus_destroy(&r.bus);
}

int main(void)
{
	test_unregister_move();
	test_concurrent_move();
	test_register_rules();
	test_mmio_limits();
	test_lookup_and_dispatch();
	test_many_regions();
	test_global_buses();
	return test_summary("launcher_bus");
}
