// SPDX-License-Identifier: GPL-2.0
/*
 * The virtio PCI transport's register semantics and virtio-blk's request
 * handling, against a fake guest RAM and a temporary raw image. No I/O
 * thread: the tests call the device's queue handler and drain the block
 * layer themselves.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "arch/x86/pc.h"
#include "core/irq.h"
#include "core/vm.h"
#include "pci_test.h"
#include "test.h"
#include "virtio/blk.h"
#include "virtio_test.h"

static unsigned int nr_msi;

static int fake_msi(u64 address, u32 data)
{
	(void)address;
	(void)data;
	nr_msi++;
	return 1;
}

static void setup_bus(void)
{
	test_pci_bus_reset(&pb, &pio, &mmio, fake_msi);
	nr_msi = 0;
	memset(vm.ram, 0, RAM_SIZE);
}

/* ---------------------------------------------------------------------
 * Transport, with a dummy device of two queues
 */
static u8 dummy_cfg[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };

static void dummy_cfg_read(struct virtio_pci *v, u32 off, void *data, u32 len)
{
	(void)v;
	memcpy(data, dummy_cfg + off, len);
}

static const struct virtio_dev_ops dummy_ops = {
	.name = "virtio-dummy",
	.type = 42,
	.class_code = 0xff0000,
	.num_queues = 2,
	.config_len = sizeof(dummy_cfg),
	.features = 1ull << 3,
	.config_read = dummy_cfg_read,
};

static void test_config_space(void)
{
	struct virtio_pci v;
	unsigned int off, seen = 0, guard = 0;

	setup_bus();
	CHECK_EQ(virtio_pci_init(&v, &dummy_ops, NULL, &vm), 0);
	CHECK_EQ(pci_register(&pb, &v.pci), 0);
	CHECK_EQ(pci_bus_config_read(&pb, 0, v.pci.slot << 3, 0, 2), 0x1af4);
	CHECK_EQ(pci_bus_config_read(&pb, 0, v.pci.slot << 3, 2, 2),
		 0x1040 + 42);
	CHECK_EQ(pci_bus_config_read(&pb, 0, v.pci.slot << 3, 8, 1), 1);
	/* walk the capability list: the four virtio structures in BAR0 */
	off = pci_bus_config_read(&pb, 0, v.pci.slot << 3, 0x34, 1);
	while (off && guard++ < 48) {
		u32 id = pci_bus_config_read(&pb, 0, v.pci.slot << 3, off, 1);

		if (id == PCI_CAP_ID_VNDR) {
			u32 type = pci_bus_config_read(&pb, 0, v.pci.slot << 3,
						       off + 3, 1);
			u32 bar = pci_bus_config_read(&pb, 0, v.pci.slot << 3,
						      off + 4, 1);
			u32 o = pci_bus_config_read(&pb, 0, v.pci.slot << 3,
						    off + 8, 4);

			CHECK_EQ(bar, 0);
			seen |= 1u << type;
			if (type == VIRTIO_PCI_CAP_NOTIFY_CFG) {
				CHECK_EQ(o, VIRTIO_PCI_NOTIFY_OFF);
				CHECK_EQ(pci_bus_config_read(&pb, 0,
					 v.pci.slot << 3, off + 16, 4),
					 VIRTIO_PCI_NOTIFY_MULT);
			}
			if (type == VIRTIO_PCI_CAP_DEVICE_CFG)
				CHECK_EQ(pci_bus_config_read(&pb, 0,
					 v.pci.slot << 3, off + 12, 4), 8);
		}
		off = pci_bus_config_read(&pb, 0, v.pci.slot << 3, off + 1, 1);
	}
	CHECK_EQ(seen, 0x1e);
	CHECK(v.pci.msix_cap != 0);
	CHECK_EQ(v.pci.msix.nr, 3);
	/* BAR0 was mapped: the transport was told where */
	CHECK(v.bar0_mapped);
	CHECK(bus_find(&mmio, v.bar0_base) != NULL);
	virtio_pci_stop(&v);
}

static void test_features_status(void)
{
	struct virtio_pci v;

	setup_bus();
	CHECK_EQ(virtio_pci_init(&v, &dummy_ops, NULL, &vm), 0);
	CHECK_EQ(pci_register(&pb, &v.pci), 0);
	CHECK_EQ(rd(&v, VIRTIO_PCI_COMMON_NUMQ, 2), 2);
	wr(&v, VIRTIO_PCI_COMMON_DFSELECT, 0, 4);
	CHECK_EQ(rd(&v, VIRTIO_PCI_COMMON_DF, 4),
		 (1u << 3) | (1u << 28) | (1u << 29));
	wr(&v, VIRTIO_PCI_COMMON_DFSELECT, 1, 4);
	CHECK_EQ(rd(&v, VIRTIO_PCI_COMMON_DF, 4), 1);	/* VERSION_1 */
	wr(&v, VIRTIO_PCI_COMMON_DFSELECT, 7, 4);
	CHECK_EQ(rd(&v, VIRTIO_PCI_COMMON_DF, 4), 0);

	/* device config through BAR0, bounds respected */
	CHECK_EQ(rd(&v, VIRTIO_PCI_DEVCFG_OFF + 4, 4), 0x08070605);
	CHECK_EQ(rd(&v, VIRTIO_PCI_DEVCFG_OFF + 6, 4), 0);	/* crosses end */

	/* no VERSION_1: FEATURES_OK does not stick (no legacy interface) */
	wr(&v, VIRTIO_PCI_COMMON_STATUS, 3, 1);
	wr(&v, VIRTIO_PCI_COMMON_GFSELECT, 0, 4);
	wr(&v, VIRTIO_PCI_COMMON_GF, 1u << 3, 4);
	wr(&v, VIRTIO_PCI_COMMON_STATUS, 0xb, 1);
	CHECK_EQ(rd(&v, VIRTIO_PCI_COMMON_STATUS, 1), 3);
	/* a feature the device does not have: refused too */
	wr(&v, VIRTIO_PCI_COMMON_GFSELECT, 1, 4);
	wr(&v, VIRTIO_PCI_COMMON_GF, 1 | 2, 4);
	wr(&v, VIRTIO_PCI_COMMON_STATUS, 0xb, 1);
	CHECK_EQ(rd(&v, VIRTIO_PCI_COMMON_STATUS, 1), 3);
	wr(&v, VIRTIO_PCI_COMMON_GF, 1, 4);
	wr(&v, VIRTIO_PCI_COMMON_STATUS, 0xb, 1);
	CHECK_EQ(rd(&v, VIRTIO_PCI_COMMON_STATUS, 1), 0xb);
	CHECK_EQ(v.s.driver_features, (1ull << 32) | (1u << 3));
	/* frozen after FEATURES_OK */
	wr(&v, VIRTIO_PCI_COMMON_GF, 0, 4);
	CHECK_EQ(v.s.driver_features, (1ull << 32) | (1u << 3));
	/* the driver cannot set NEEDS_RESET */
	wr(&v, VIRTIO_PCI_COMMON_STATUS, 0x4f, 1);
	CHECK_EQ(rd(&v, VIRTIO_PCI_COMMON_STATUS, 1), 0xf);

	/* reset (no I/O thread: inline) */
	wr(&v, VIRTIO_PCI_COMMON_STATUS, 0, 1);
	CHECK_EQ(rd(&v, VIRTIO_PCI_COMMON_STATUS, 1), 0);
	CHECK_EQ(v.s.driver_features, 0);
	/* while an I/O thread drains, status must not read 0 even though it
	 * was 0 before the reset, and writes are ignored */
	v.resetting = true;
	CHECK_EQ(rd(&v, VIRTIO_PCI_COMMON_STATUS, 1), VIRTIO_STATUS_NEEDS_RESET);
	wr(&v, VIRTIO_PCI_COMMON_STATUS, 1, 1);
	CHECK_EQ(v.s.status, 0);
	virtio_pci_finish_reset(&v);
	CHECK_EQ(rd(&v, VIRTIO_PCI_COMMON_STATUS, 1), 0);
	virtio_pci_stop(&v);
}

static void test_queue_regs(void)
{
	struct virtio_pci v;

	setup_bus();
	CHECK_EQ(virtio_pci_init(&v, &dummy_ops, NULL, &vm), 0);
	CHECK_EQ(pci_register(&pb, &v.pci), 0);
	CHECK_EQ(rd(&v, VIRTIO_PCI_COMMON_Q_SIZE, 2), VIRTIO_QUEUE_MAX_SIZE);
	wr(&v, VIRTIO_PCI_COMMON_Q_SELECT, 1, 2);
	CHECK_EQ(rd(&v, VIRTIO_PCI_COMMON_Q_NOFF, 2), 1);
	wr(&v, VIRTIO_PCI_COMMON_Q_SELECT, 2, 2);	/* no such queue */
	CHECK_EQ(rd(&v, VIRTIO_PCI_COMMON_Q_SIZE, 2), 0);
	wr(&v, VIRTIO_PCI_COMMON_Q_SIZE, 16, 2);
	CHECK_EQ(rd(&v, VIRTIO_PCI_COMMON_Q_SIZE, 2), 0);
	wr(&v, VIRTIO_PCI_COMMON_Q_SELECT, 0, 2);

	/* 64-bit address as two halves and as one access */
	wr(&v, VIRTIO_PCI_COMMON_Q_DESCLO, 0x12345000, 4);
	wr(&v, VIRTIO_PCI_COMMON_Q_DESCHI, 0x1, 4);
	CHECK_EQ(v.s.q[0].desc, 0x112345000ull);
	wr(&v, VIRTIO_PCI_COMMON_Q_AVAILLO, 0x0000000200002000ull, 8);
	CHECK_EQ(v.s.q[0].driver, 0x200002000ull);
	CHECK_EQ(rd(&v, VIRTIO_PCI_COMMON_Q_AVAILLO, 8), 0x200002000ull);
	/* a byte write merges into the field */
	wr(&v, VIRTIO_PCI_COMMON_Q_USEDLO + 1, 0x30, 1);
	CHECK_EQ(v.s.q[0].device, 0x3000);

	/* MSI-X vectors: 3 exist; others read NO_VECTOR */
	wr(&v, VIRTIO_PCI_COMMON_Q_MSIX, 1, 2);
	CHECK_EQ(rd(&v, VIRTIO_PCI_COMMON_Q_MSIX, 2), 1);
	wr(&v, VIRTIO_PCI_COMMON_Q_MSIX, 3, 2);
	CHECK_EQ(rd(&v, VIRTIO_PCI_COMMON_Q_MSIX, 2), 0xffff);
	wr(&v, VIRTIO_PCI_COMMON_MSIX, 2, 2);
	CHECK_EQ(rd(&v, VIRTIO_PCI_COMMON_MSIX, 2), 2);
	wr(&v, VIRTIO_PCI_COMMON_MSIX, 0x8000, 2);
	CHECK_EQ(rd(&v, VIRTIO_PCI_COMMON_MSIX, 2), 0xffff);

	/* enabling a queue whose rings are outside RAM: NEEDS_RESET and a
	 * configuration interrupt (INTx here: MSI-X is off) */
	wr(&v, VIRTIO_PCI_COMMON_STATUS, 0xb, 1);
	wr(&v, VIRTIO_PCI_COMMON_Q_SIZE, QSIZE, 2);
	wr(&v, VIRTIO_PCI_COMMON_Q_ENABLE, 1, 2);
	CHECK(rd(&v, VIRTIO_PCI_COMMON_STATUS, 1) & VIRTIO_STATUS_NEEDS_RESET);
	CHECK_EQ(rd(&v, VIRTIO_PCI_COMMON_Q_ENABLE, 2), 1);
	CHECK_EQ(v.bad_chains, 1);
	CHECK_EQ(rd(&v, VIRTIO_PCI_ISR_OFF, 1), VIRTIO_ISR_CONFIG);
	CHECK_EQ(rd(&v, VIRTIO_PCI_ISR_OFF, 1), 0);	/* read clears */
	/* registers of an enabled queue are frozen */
	wr(&v, VIRTIO_PCI_COMMON_Q_DESCLO, DESC, 4);
	CHECK_EQ(v.s.q[0].desc, 0x112345000ull);

	/* reset clears all of it, the queue can be set up again */
	wr(&v, VIRTIO_PCI_COMMON_STATUS, 0, 1);
	CHECK_EQ(rd(&v, VIRTIO_PCI_COMMON_STATUS, 1), 0);
	CHECK_EQ(rd(&v, VIRTIO_PCI_COMMON_Q_ENABLE, 2), 0);
	CHECK_EQ(rd(&v, VIRTIO_PCI_COMMON_Q_MSIX, 2), 0xffff);
	CHECK_EQ(rd(&v, VIRTIO_PCI_COMMON_Q_SIZE, 2), VIRTIO_QUEUE_MAX_SIZE);
	wr(&v, VIRTIO_PCI_COMMON_GFSELECT, 1, 4);
	wr(&v, VIRTIO_PCI_COMMON_GF, 1, 4);
	wr(&v, VIRTIO_PCI_COMMON_STATUS, 0xb, 1);
	wr(&v, VIRTIO_PCI_COMMON_Q_SIZE, QSIZE, 2);
	wr(&v, VIRTIO_PCI_COMMON_Q_DESCLO, DESC, 4);
	wr(&v, VIRTIO_PCI_COMMON_Q_AVAILLO, AVAIL, 4);
	wr(&v, VIRTIO_PCI_COMMON_Q_USEDLO, USED, 4);
	wr(&v, VIRTIO_PCI_COMMON_Q_ENABLE, 1, 2);
	CHECK_EQ(rd(&v, VIRTIO_PCI_COMMON_STATUS, 1), 0xb);
	CHECK(!virtio_queue_live(&v, 0));		/* no DRIVER_OK yet */
	wr(&v, VIRTIO_PCI_COMMON_STATUS, 0xf, 1);
	CHECK(virtio_queue_live(&v, 0));
	CHECK(!virtio_queue_live(&v, 1));		/* not enabled */
	virtio_pci_stop(&v);
}

/* ---------------------------------------------------------------------
 * virtio-blk
 */
static char img_path[] = "/tmp/nyx-vblk-XXXXXX";

/* One request: header, optional data (len bytes at BUF + 0x1000), status
 * at BUF + 0x100. Runs it to completion; returns the status byte. */
static int request(struct virtio_blk *b, u32 type, u64 sector, u32 len,
		   bool data_write)
{
	u8 *hdr = vm.ram + BUF;
	u16 used = used_idx();

	store_le(hdr, type, 4);
	store_le(hdr + 4, 0, 4);
	store_le(hdr + 8, sector, 8);
	vm.ram[BUF + 0x100] = 0xee;
	put_desc(0, BUF, 16, VQ_DESC_F_NEXT, 1);
	if (len) {
		put_desc(1, BUF + 0x1000, len,
			 VQ_DESC_F_NEXT | (data_write ? VQ_DESC_F_WRITE : 0),
			 2);
		put_desc(2, BUF + 0x100, 1, VQ_DESC_F_WRITE, 0);
	} else {
		put_desc(0, BUF, 16, VQ_DESC_F_NEXT, 2);
		put_desc(2, BUF + 0x100, 1, VQ_DESC_F_WRITE, 0);
	}
	make_avail(0);
	b->vp.ops->queue_notify(&b->vp, 0);
	blockdev_drain(b->bd);
	CHECK_EQ(used_idx(), (u16)(used + 1));
	return vm.ram[BUF + 0x100];
}

static void test_blk(void)
{
	struct disk_spec spec = { 0 };
	struct virtio_blk b;
	u8 *data = vm.ram + BUF + 0x1000, file[512];
	int fd = mkstemp(img_path);
	unsigned int i;

	CHECK(fd >= 0);
	CHECK_EQ(ftruncate(fd, 1 << 20), 0);
	setup_bus();
	spec.path = img_path;
	strcpy(spec.serial, "nyx-serial-1");
	CHECK_EQ(virtio_blk_init(&b, &spec, &vm), 0);
	CHECK_EQ(pci_register(&pb, &b.vp.pci), 0);
	/* config: capacity, seg_max, blk_size */
	CHECK_EQ(rd(&b.vp, VIRTIO_PCI_DEVCFG_OFF, 8), (1 << 20) / 512);
	CHECK_EQ(rd(&b.vp, VIRTIO_PCI_DEVCFG_OFF + 12, 4), VIRTIO_BLK_SEG_MAX);
	CHECK_EQ(rd(&b.vp, VIRTIO_PCI_DEVCFG_OFF + 20, 4), 512);
	CHECK_EQ(rd(&b.vp, VIRTIO_PCI_COMMON_DF, 4) & (1u << VIRTIO_BLK_F_RO),
		 0);

	driver_setup(&b.vp, 0, false);
	for (i = 0; i < 1024; i++)
		data[i] = i * 7 + 1;
	CHECK_EQ(request(&b, VIRTIO_BLK_T_OUT, 2, 1024, false), 0);
	CHECK_EQ(pread(fd, file, 512, 1024), 512);
	CHECK(!memcmp(file, data, 512));
	/* the interrupt: INTx and the ISR (MSI-X is off) */
	CHECK_EQ(rd(&b.vp, VIRTIO_PCI_ISR_OFF, 1), VIRTIO_ISR_QUEUE);

	memset(data, 0, 1024);
	CHECK_EQ(request(&b, VIRTIO_BLK_T_IN, 2, 1024, true), 0);
	CHECK_EQ(load_le(vm.ram + USED + 4 + 8 + 4, 4), 1025);	/* used len */
	for (i = 0; i < 1024; i++)
		if (data[i] != (u8)(i * 7 + 1))
			break;
	CHECK_EQ(i, 1024);

	CHECK_EQ(request(&b, VIRTIO_BLK_T_FLUSH, 0, 0, false), 0);
	CHECK_EQ(request(&b, VIRTIO_BLK_T_GET_ID, 0, 20, true), 0);
	CHECK(!memcmp(data, "nyx-serial-1\0\0\0\0\0\0\0\0", 20));
	/* past the end, misaligned, unknown type */
	CHECK_EQ(request(&b, VIRTIO_BLK_T_IN, 2047, 1024, true),
		 VIRTIO_BLK_S_IOERR);
	CHECK_EQ(request(&b, VIRTIO_BLK_T_IN, ~0ull, 512, true),
		 VIRTIO_BLK_S_IOERR);
	CHECK_EQ(request(&b, VIRTIO_BLK_T_IN, 0, 100, true),
		 VIRTIO_BLK_S_IOERR);
	CHECK_EQ(request(&b, 99, 0, 0, false), VIRTIO_BLK_S_UNSUPP);
	/* write zeroes over what we wrote */
	store_le(data, 2, 8);
	store_le(data + 8, 2, 4);
	store_le(data + 12, 0, 4);
	CHECK_EQ(request(&b, VIRTIO_BLK_T_WRITE_ZEROES, 0, 16, false), 0);
	CHECK_EQ(pread(fd, file, 512, 1024), 512);
	for (i = 0; i < 512 && !file[i]; i++)
		;
	CHECK_EQ(i, 512);
	CHECK_EQ(b.vp.bad_chains, 0);
	/* the counters query-stats serves: by type, failures included */
	CHECK_EQ(b.stats.reads, 4);
	CHECK_EQ(b.stats.writes, 1);
	CHECK_EQ(b.stats.flushes, 1);
	CHECK_EQ(b.stats.get_ids, 1);
	CHECK_EQ(b.stats.write_zeroes, 1);
	CHECK_EQ(b.stats.discards, 0);
	CHECK_EQ(b.stats.unsupported, 1);
	CHECK_EQ(b.stats.errors, 4);
	CHECK_EQ(b.stats.read_bytes, 1024);
	CHECK_EQ(b.stats.write_bytes, 1024);
	CHECK_EQ(b.stats.inflight, 0);
	CHECK_EQ(b.stats.latency.count, 9);

	/* a descriptor loop: NEEDS_RESET, nothing used, then a reset and
	 * the device works again */
	put_desc(0, BUF, 16, VQ_DESC_F_NEXT, 1);
	put_desc(1, BUF + 0x1000, 512, VQ_DESC_F_NEXT, 0);
	make_avail(0);
	b.vp.ops->queue_notify(&b.vp, 0);
	CHECK(rd(&b.vp, VIRTIO_PCI_COMMON_STATUS, 1) &
	      VIRTIO_STATUS_NEEDS_RESET);
	CHECK_EQ(b.vp.bad_chains, 1);
	driver_setup(&b.vp, 0, false);
	CHECK_EQ(rd(&b.vp, VIRTIO_PCI_COMMON_STATUS, 1), 0xf);
	CHECK_EQ(request(&b, VIRTIO_BLK_T_IN, 2, 512, true), 0);

	/* a header shorter than 16 bytes: a malformed request */
	put_desc(0, BUF, 8, VQ_DESC_F_NEXT, 2);
	put_desc(2, BUF + 0x100, 1, VQ_DESC_F_WRITE, 0);
	make_avail(0);
	b.vp.ops->queue_notify(&b.vp, 0);
	CHECK(rd(&b.vp, VIRTIO_PCI_COMMON_STATUS, 1) &
	      VIRTIO_STATUS_NEEDS_RESET);

	/* a buffer outside RAM */
	driver_setup(&b.vp, 0, false);
	put_desc(0, BUF, 16, VQ_DESC_F_NEXT, 1);
	put_desc(1, RAM_SIZE - 256, 512, VQ_DESC_F_NEXT | VQ_DESC_F_WRITE, 2);
	put_desc(2, BUF + 0x100, 1, VQ_DESC_F_WRITE, 0);
	make_avail(0);
	b.vp.ops->queue_notify(&b.vp, 0);
	CHECK(rd(&b.vp, VIRTIO_PCI_COMMON_STATUS, 1) &
	      VIRTIO_STATUS_NEEDS_RESET);
	CHECK_EQ(used_idx(), 0);

	virtio_blk_exit(&b);
	close(fd);

	/* read-only: RO feature, writes fail */
	spec.readonly = true;
	setup_bus();
	CHECK_EQ(virtio_blk_init(&b, &spec, &vm), 0);
	CHECK_EQ(pci_register(&pb, &b.vp.pci), 0);
	CHECK(rd(&b.vp, VIRTIO_PCI_COMMON_DF, 4) & (1u << VIRTIO_BLK_F_RO));
	driver_setup(&b.vp, 0, false);
	CHECK_EQ(request(&b, VIRTIO_BLK_T_OUT, 0, 512, false),
		 VIRTIO_BLK_S_IOERR);
	CHECK_EQ(request(&b, VIRTIO_BLK_T_IN, 0, 512, true), 0);
	virtio_blk_exit(&b);
	unlink(img_path);
}

/* ---------------------------------------------------------------------
 * Quarantine: a backend error keeps the request for device-reset, a guest
 * error resets the device on device-reset; either reset by the driver
 * ends it.
 */
static unsigned int nr_events;
static char last_cls[16], last_why[VIRTIO_REASON_LEN];

static void error_hook(const char *name, const char *cls, const char *why)
{
	(void)name;
	nr_events++;
	snprintf(last_cls, sizeof(last_cls), "%s", cls);
	snprintf(last_why, sizeof(last_why), "%s", why);
}

/* A write or read with descriptors 3h..3h+2: header at BUF + 0x200 h,
 * status at BUF + 0x100 + h, 512 bytes of data at BUF + 0x2000 + 0x200 h.
 * Kicks and waits for the block layer; no check of the result. */
static void submit(struct virtio_blk *b, u16 h, u32 type, u64 sector)
{
	u64 hdr = BUF + 0x200 * h, data = BUF + 0x2000 + 0x200 * h;
	u16 d = 3 * h;

	store_le(vm.ram + hdr, type, 4);
	store_le(vm.ram + hdr + 4, 0, 4);
	store_le(vm.ram + hdr + 8, sector, 8);
	vm.ram[BUF + 0x100 + h] = 0xee;
	put_desc(d, hdr, 16, VQ_DESC_F_NEXT, d + 1);
	put_desc(d + 1, data, 512, VQ_DESC_F_NEXT |
		 (type == VIRTIO_BLK_T_IN ? VQ_DESC_F_WRITE : 0), d + 2);
	put_desc(d + 2, BUF + 0x100 + h, 1, VQ_DESC_F_WRITE, 0);
	make_avail(d);
	b->vp.ops->queue_notify(&b->vp, 0);
	blockdev_drain(b->bd);
}

static void test_quarantine(void)
{
	struct disk_spec spec = { 0 };
	struct virtio_blk b;
	struct rlimit lim, small;
	char err[128] = "";
	char path[] = "/tmp/nyx-vblk-q-XXXXXX";
	u8 file[512];
	int fd = mkstemp(path);
	unsigned int i;

	CHECK(fd >= 0);
	CHECK_EQ(ftruncate(fd, 1 << 20), 0);
	setup_bus();
	spec.path = path;
	CHECK_EQ(virtio_blk_init(&b, &spec, &vm), 0);
	CHECK_EQ(pci_register(&pb, &b.vp.pci), 0);
	virtio_error_hook = error_hook;
	nr_events = 0;
	driver_setup(&b.vp, 0, false);

	/* healthy: device-reset is an error */
	CHECK_EQ(virtio_quarantined(&b.vp), VIRTIO_QUARANTINE_NONE);
	CHECK_EQ(virtio_pci_device_reset(&b.vp, err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "virtio-blk") && strstr(err, "not quarantined"));

	/* The image cannot grow past 512 KiB (EFBIG, like a full disk):
	 * a write at 768 KiB fails in the backend. */
	signal(SIGXFSZ, SIG_IGN);
	CHECK_EQ(getrlimit(RLIMIT_FSIZE, &lim), 0);
	small = lim;
	small.rlim_cur = 512 * 1024;
	CHECK_EQ(setrlimit(RLIMIT_FSIZE, &small), 0);
	for (i = 0; i < 512; i++)
		vm.ram[BUF + 0x2000 + i] = i ^ 0x5a;
	submit(&b, 0, VIRTIO_BLK_T_OUT, 1536);
	CHECK_EQ(virtio_quarantined(&b.vp), VIRTIO_QUARANTINE_BACKEND);
	CHECK_EQ(nr_events, 1);
	CHECK(!strcmp(last_cls, "backend"));
	CHECK(strstr(last_why, "write at byte 786432") != NULL);
	/* kept: nothing used, status untouched, not NEEDS_RESET */
	CHECK_EQ(used_idx(), 0);
	CHECK_EQ(vm.ram[BUF + 0x100], 0xee);
	CHECK_EQ(b.nr_kept, 1);
	CHECK(!(rd(&b.vp, VIRTIO_PCI_COMMON_STATUS, 1) &
		VIRTIO_STATUS_NEEDS_RESET));
	/* the queue is not processed meanwhile: a read stays in the ring */
	submit(&b, 1, VIRTIO_BLK_T_IN, 0);
	CHECK_EQ(used_idx(), 0);
	CHECK_EQ(vm.ram[BUF + 0x101], 0xee);
	CHECK_EQ(nr_events, 1);

	/* space again, device-reset: the write is retried and lands, the
	 * read is then served */
	CHECK_EQ(setrlimit(RLIMIT_FSIZE, &lim), 0);
	CHECK_EQ(virtio_pci_device_reset(&b.vp, err, sizeof(err)), 0);
	blockdev_drain(b.bd);
	CHECK_EQ(virtio_quarantined(&b.vp), VIRTIO_QUARANTINE_NONE);
	CHECK_EQ(b.nr_kept, 0);
	CHECK_EQ(used_idx(), 1);
	CHECK_EQ(vm.ram[BUF + 0x100], VIRTIO_BLK_S_OK);
	CHECK_EQ(pread(fd, file, 512, 1536 * 512), 512);
	CHECK(!memcmp(file, vm.ram + BUF + 0x2000, 512));
	b.vp.ops->queue_notify(&b.vp, 0);	/* the transport's kick */
	blockdev_drain(b.bd);
	CHECK_EQ(used_idx(), 2);
	CHECK_EQ(vm.ram[BUF + 0x101], VIRTIO_BLK_S_OK);
	CHECK_EQ(virtio_pci_device_reset(&b.vp, err, sizeof(err)), -EINVAL);

	/* a backend quarantine ended by the driver's reset: the kept
	 * request is dropped (ASan: not leaked) */
	CHECK_EQ(setrlimit(RLIMIT_FSIZE, &small), 0);
	submit(&b, 0, VIRTIO_BLK_T_OUT, 1536);
	CHECK_EQ(setrlimit(RLIMIT_FSIZE, &lim), 0);
	CHECK_EQ(virtio_quarantined(&b.vp), VIRTIO_QUARANTINE_BACKEND);
	CHECK_EQ(b.nr_kept, 1);
	CHECK_EQ(nr_events, 2);
	wr(&b.vp, VIRTIO_PCI_COMMON_STATUS, 0, 1);
	CHECK_EQ(virtio_quarantined(&b.vp), VIRTIO_QUARANTINE_NONE);
	CHECK_EQ(b.nr_kept, 0);
	CHECK_EQ(rd(&b.vp, VIRTIO_PCI_COMMON_STATUS, 1), 0);

	/* guest error: a descriptor loop */
	driver_setup(&b.vp, 0, false);
	rd(&b.vp, VIRTIO_PCI_ISR_OFF, 1);
	put_desc(0, BUF, 16, VQ_DESC_F_NEXT, 1);
	put_desc(1, BUF + 0x1000, 512, VQ_DESC_F_NEXT, 0);
	make_avail(0);
	b.vp.ops->queue_notify(&b.vp, 0);
	CHECK_EQ(virtio_quarantined(&b.vp), VIRTIO_QUARANTINE_GUEST);
	CHECK_EQ(nr_events, 3);
	CHECK(!strcmp(last_cls, "guest"));
	CHECK(strstr(last_why, "loops") != NULL);
	CHECK_EQ(rd(&b.vp, VIRTIO_PCI_COMMON_STATUS, 1),
		 0xf | VIRTIO_STATUS_NEEDS_RESET);
	CHECK_EQ(rd(&b.vp, VIRTIO_PCI_ISR_OFF, 1), VIRTIO_ISR_CONFIG);
	/* device-reset: power-on state (status 0, queue off, features
	 * cleared) and a configuration interrupt */
	CHECK_EQ(virtio_pci_device_reset(&b.vp, err, sizeof(err)), 0);
	CHECK_EQ(virtio_quarantined(&b.vp), VIRTIO_QUARANTINE_NONE);
	CHECK_EQ(rd(&b.vp, VIRTIO_PCI_COMMON_STATUS, 1), 0);
	CHECK_EQ(rd(&b.vp, VIRTIO_PCI_ISR_OFF, 1), VIRTIO_ISR_CONFIG);
	wr(&b.vp, VIRTIO_PCI_COMMON_GFSELECT, 1, 4);
	CHECK_EQ(rd(&b.vp, VIRTIO_PCI_COMMON_GF, 4), 0);
	wr(&b.vp, VIRTIO_PCI_COMMON_Q_SELECT, 0, 2);
	CHECK_EQ(rd(&b.vp, VIRTIO_PCI_COMMON_Q_ENABLE, 2), 0);
	CHECK_EQ(b.vp.qr.count, 3);
	/* and the driver can set it up again */
	driver_setup(&b.vp, 0, false);
	CHECK_EQ(request(&b, VIRTIO_BLK_T_IN, 1536, 512, true), 0);

	/* a bad queue setup is a guest error too, with its event */
	wr(&b.vp, VIRTIO_PCI_COMMON_STATUS, 0, 1);
	wr(&b.vp, VIRTIO_PCI_COMMON_STATUS, 3, 1);
	wr(&b.vp, VIRTIO_PCI_COMMON_Q_SELECT, 0, 2);
	wr(&b.vp, VIRTIO_PCI_COMMON_Q_DESCLO, 0x12345001, 4);
	wr(&b.vp, VIRTIO_PCI_COMMON_Q_ENABLE, 1, 2);
	CHECK_EQ(virtio_quarantined(&b.vp), VIRTIO_QUARANTINE_GUEST);
	CHECK_EQ(nr_events, 4);
	CHECK(strstr(last_why, "queue 0 setup") != NULL);

	virtio_error_hook = NULL;
	virtio_blk_exit(&b);
	close(fd);
	unlink(path);
}

/* vblk_parse on hand-made segment lists: split header, status inside a
 * data segment, missing pieces. */
static void test_parse(void)
{
	u8 h1[10], h2[6], io[513];
	struct vq_seg segs[3];
	struct vq_chain ch = { 0 };
	struct vblk_parsed *p = malloc(sizeof(*p));
	struct blk_req req;

	memset(h1, 0, sizeof(h1));
	memset(h2, 0, sizeof(h2));
	h1[0] = VIRTIO_BLK_T_IN;
	h1[8] = 3;		/* sector 3, low byte */
	segs[0] = (struct vq_seg){ h1, sizeof(h1), false };
	segs[1] = (struct vq_seg){ h2, sizeof(h2), false };
	segs[2] = (struct vq_seg){ io, sizeof(io), true };
	ch.nr_out = 2;
	ch.nr_in = 1;
	ch.out_len = 16;
	ch.in_len = 513;
	CHECK_EQ(vblk_parse(segs, &ch, p), 0);
	CHECK_EQ(p->type, VIRTIO_BLK_T_IN);
	CHECK_EQ(p->sector, 3);
	CHECK_EQ(p->data_len, 512);
	CHECK_EQ(p->iovcnt, 1);
	CHECK(p->status == io + 512);
	CHECK_EQ(vblk_to_blk_req(p, 100, false, &req), 0);
	CHECK_EQ(req.offset, 3 * 512);
	CHECK_EQ(req.len, 512);
	CHECK_EQ(vblk_to_blk_req(p, 3, false, &req), VIRTIO_BLK_S_IOERR);

	ch.out_len = 15;	/* short header */
	CHECK_EQ(vblk_parse(segs, &ch, p), -1);
	ch.out_len = 16;
	ch.nr_in = 0;		/* no status byte */
	ch.in_len = 0;
	CHECK_EQ(vblk_parse(segs, &ch, p), -1);
	free(p);
}

int main(void)
{
	virtio_test_init();
	blockdev_force_threads = getenv("NYX_BLOCK_ENGINE") != NULL;

	test_config_space();
	test_features_status();
	test_queue_regs();
	test_parse();
	test_blk();
	test_quarantine();
	virtio_test_exit();
	return test_summary("launcher_virtio");
}
