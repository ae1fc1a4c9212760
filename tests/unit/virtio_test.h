/* SPDX-License-Identifier: GPL-2.0 */
/*
 * For the virtio-blk tests (transport and snapshot state): a fake guest
 * with RAM_SIZE bytes of RAM, queue 0 laid out at DESC/AVAIL/USED, a data
 * area at BUF, and the helpers a test driver uses on it: BAR accesses,
 * the driver's setup, descriptors, the avail ring and the used index.
 * One fake guest per test program, so its state is file-scope here.
 */
#ifndef NYX_VIRTIO_TEST_H
#define NYX_VIRTIO_TEST_H

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/bus.h"
#include "core/util.h"
#include "core/vm.h"
#include "pci/pci.h"
#include "virtio/pci.h"

#define RAM_SIZE	(1u << 20)
#define DESC		0x1000
#define AVAIL		0x2000
#define USED		0x3000
#define BUF		0x10000
#define QSIZE		8

static struct bus pio, mmio;
static struct pci_bus pb;
static struct vm vm;
static u16 avail_idx;		/* the driver's next avail index, queue 0 */

/* Guest RAM and empty buses; the tests reset the buses per device. */
static inline void virtio_test_init(void)
{
	vm.ram = calloc(1, RAM_SIZE);
	vm.ram_size = vm.low_size = RAM_SIZE;
	bus_init(&pio, "pio", 0xffff);
	bus_init(&mmio, "mmio", ~0ull);
}

static inline void virtio_test_exit(void)
{
	free(vm.ram);
}

static inline u64 rd(struct virtio_pci *v, u64 off, u32 len)
{
	u8 b[8];

	virtio_pci_bar_read(v, off, b, len);
	return load_le(b, len);
}

static inline void wr(struct virtio_pci *v, u64 off, u64 val, u32 len)
{
	u8 b[8];

	store_le(b, val, len);
	virtio_pci_bar_write(v, off, b, len);
}

static inline void put_desc(u16 i, u64 addr, u32 len, u16 flags, u16 next)
{
	u8 *d = vm.ram + DESC + 16 * i;

	store_le(d, addr, 8);
	store_le(d + 8, len, 4);
	store_le(d + 12, flags, 2);
	store_le(d + 14, next, 2);
}

static inline void make_avail(u16 head)
{
	store_le(vm.ram + AVAIL + 4 + 2 * (avail_idx % QSIZE), head, 2);
	avail_idx++;
	store_le(vm.ram + AVAIL + 2, avail_idx, 2);
}

static inline u16 used_idx(void)
{
	return load_le(vm.ram + USED + 2, 2);
}

/*
 * A driver's setup up to DRIVER_OK: reset (inline: no I/O thread), the
 * features VERSION_1 and feat_lo (low word), queue 0 of QSIZE entries on
 * empty rings at DESC/AVAIL/USED. With msix, like Linux: MSI-X vector 0
 * for the config, 1 for the queue.
 */
static inline void driver_setup(struct virtio_pci *v, u32 feat_lo, bool msix)
{
	avail_idx = 0;
	memset(vm.ram, 0, 0x4000);
	wr(v, VIRTIO_PCI_COMMON_STATUS, 0, 1);
	wr(v, VIRTIO_PCI_COMMON_STATUS, 3, 1);
	if (feat_lo) {
		wr(v, VIRTIO_PCI_COMMON_GFSELECT, 0, 4);
		wr(v, VIRTIO_PCI_COMMON_GF, feat_lo, 4);
	}
	wr(v, VIRTIO_PCI_COMMON_GFSELECT, 1, 4);
	wr(v, VIRTIO_PCI_COMMON_GF, 1, 4);
	wr(v, VIRTIO_PCI_COMMON_STATUS, 0xb, 1);
	if (msix)
		wr(v, VIRTIO_PCI_COMMON_MSIX, 0, 2);
	wr(v, VIRTIO_PCI_COMMON_Q_SELECT, 0, 2);
	wr(v, VIRTIO_PCI_COMMON_Q_SIZE, QSIZE, 2);
	if (msix)
		wr(v, VIRTIO_PCI_COMMON_Q_MSIX, 1, 2);
	wr(v, VIRTIO_PCI_COMMON_Q_DESCLO, DESC, 4);
	wr(v, VIRTIO_PCI_COMMON_Q_AVAILLO, AVAIL, 4);
	wr(v, VIRTIO_PCI_COMMON_Q_USEDLO, USED, 4);
	wr(v, VIRTIO_PCI_COMMON_Q_ENABLE, 1, 2);
	wr(v, VIRTIO_PCI_COMMON_STATUS, 0xf, 1);
}

#endif
