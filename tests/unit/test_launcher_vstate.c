// SPDX-License-Identifier: GPL-2.0
/*
 * Snapshot state of the virtio transport and virtio-blk: a round trip
 * into a fresh device gives the same registers and a queue that goes on
 * where it was; every kind of bad record is refused with the device left
 * as it was. Fake guest RAM and a temporary raw image, no I/O thread
 * (helpers in virtio_test.h, shared with test_launcher_virtio.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arch/x86/pc.h"
#include "core/irq.h"
#include "core/vm.h"
#include "pci_test.h"
#include "test.h"
#include "virtio/blk.h"
#include "virtio_test.h"

static char img_path[] = "/tmp/nyx-vstate-XXXXXX";
static struct disk_spec spec;

static int fake_msi(u64 address, u32 data)
{
	(void)address;
	(void)data;
	return 1;
}

/* A read of sector 0 into BUF + 0x1000 (512 bytes), status at BUF +
 * 0x100, run to completion; returns the status byte. */
static int request(struct virtio_blk *b, u16 head)
{
	u16 used = used_idx();
	u8 *hdr = vm.ram + BUF;

	store_le(hdr, VIRTIO_BLK_T_IN, 4);
	store_le(hdr + 4, 0, 4);
	store_le(hdr + 8, 0, 8);
	vm.ram[BUF + 0x100] = 0xee;
	put_desc(head, BUF, 16, VQ_DESC_F_NEXT, head + 1);
	put_desc(head + 1, BUF + 0x1000, 512,
		 VQ_DESC_F_NEXT | VQ_DESC_F_WRITE, head + 2);
	put_desc(head + 2, BUF + 0x100, 1, VQ_DESC_F_WRITE, 0);
	make_avail(head);
	b->vp.ops->queue_notify(&b->vp, 0);
	blockdev_drain(b->bd);
	CHECK_EQ(used_idx(), (u16)(used + 1));
	CHECK_EQ(load_le(vm.ram + USED + 4 + 8 * (used % QSIZE), 4), head);
	return vm.ram[BUF + 0x100];
}

/* A device on the image over a fresh bus (guest RAM kept). */
static void blk_new(struct virtio_blk *b)
{
	test_pci_bus_reset(&pb, &pio, &mmio, fake_msi);
	CHECK_EQ(virtio_blk_init(b, &spec, &vm), 0);
	CHECK_EQ(pci_register(&pb, &b->vp.pci), 0);
}

/* Every common register (queue 0 selected) and the device config. */
static void regs(struct virtio_pci *v, u64 *out)
{
	unsigned int i, n = 0;

	wr(v, VIRTIO_PCI_COMMON_DFSELECT, 1, 4);
	out[n++] = rd(v, VIRTIO_PCI_COMMON_DF, 4);
	wr(v, VIRTIO_PCI_COMMON_GFSELECT, 0, 4);
	out[n++] = rd(v, VIRTIO_PCI_COMMON_GF, 4);
	wr(v, VIRTIO_PCI_COMMON_GFSELECT, 1, 4);
	out[n++] = rd(v, VIRTIO_PCI_COMMON_GF, 4);
	wr(v, VIRTIO_PCI_COMMON_Q_SELECT, 0, 2);
	for (i = VIRTIO_PCI_COMMON_MSIX; i < VIRTIO_PCI_COMMON_SIZE; i += 2)
		out[n++] = rd(v, i, 2);
	for (i = 0; i < VIRTIO_BLK_CONFIG_LEN; i += 4)
		out[n++] = rd(v, VIRTIO_PCI_DEVCFG_OFF + i, 4);
}

#define NREGS	64

static void test_round_trip(void)
{
	struct virtio_blk a, b;
	struct virtio_blk_saved st, st2;
	struct pci_dev_state ps;
	u64 ra[NREGS] = { 0 }, rb[NREGS] = { 0 };

	blk_new(&a);
	/* the power-on state is a state too */
	CHECK_EQ(virtio_blk_save(&a, &st), 0);
	CHECK_EQ(virtio_blk_load(&a, &st), 0);
	CHECK_EQ(virtio_blk_save(&a, &st2), 0);
	CHECK(!memcmp(&st, &st2, sizeof(st)));
	CHECK_EQ(rd(&a.vp, VIRTIO_PCI_COMMON_Q_SIZE, 2), VIRTIO_QUEUE_MAX_SIZE);
	driver_setup(&a.vp, 1u << VIRTIO_F_EVENT_IDX, true);
	/* MSI-X on, so that the vectors are the guest's */
	pci_config_set(&a.vp.pci.cfg, a.vp.pci.msix_cap + PCI_MSIX_FLAGS,
		       PCI_MSIX_FLAGS_ENABLE, 2);
	CHECK_EQ(request(&a, 0), VIRTIO_BLK_S_OK);
	CHECK_EQ(request(&a, 3), VIRTIO_BLK_S_OK);
	CHECK_EQ(a.vp.vq[0].s.last_avail_idx, 2);
	CHECK(a.vp.vq[0].s.signalled_used_valid);

	/* quiesced: -EBUSY with a request in flight or kept */
	a.stats.inflight = 1;
	CHECK_EQ(virtio_blk_save(&a, &st), -EBUSY);
	a.stats.inflight = 0;
	a.nr_kept = 1;
	CHECK_EQ(virtio_blk_save(&a, &st), -EBUSY);
	a.nr_kept = 0;

	regs(&a.vp, ra);	/* (moves the feature selects) */
	CHECK_EQ(virtio_blk_save(&a, &st), 0);
	CHECK_EQ(st.vp.q[0].last_avail_idx, 2);
	CHECK_EQ(st.vp.q[0].used_idx, 2);
	CHECK_EQ(st.vp.q[0].msix_vector, 1);
	pci_dev_save(&a.vp.pci, &ps);
	virtio_blk_exit(&a);

	blk_new(&b);
	pci_dev_load(&b.vp.pci, &ps);
	CHECK_EQ(virtio_blk_load(&b, &st), 0);
	CHECK_EQ(virtio_blk_save(&b, &st2), 0);
	CHECK(!memcmp(&st, &st2, sizeof(st)));
	regs(&b.vp, rb);
	CHECK(!memcmp(ra, rb, sizeof(ra)));
	CHECK(b.vp.vq[0].ready);
	CHECK(virtio_queue_live(&b.vp, 0));
	/* the queue goes on: one more request, one more used entry (a
	 * restored last_avail_idx of 0 would take three) */
	CHECK_EQ(request(&b, 0), VIRTIO_BLK_S_OK);
	CHECK_EQ(b.vp.vq[0].s.last_avail_idx, 3);
	CHECK_EQ(b.vp.bad_chains, 0);

	/* a device broken by its guest loads as broken, even with rings
	 * that no longer map (its setup may have failed on them) */
	st2 = st;
	st2.vp.status |= VIRTIO_STATUS_NEEDS_RESET;
	st2.vp.qr_class = VIRTIO_QUARANTINE_GUEST;
	st2.vp.qr_count = 1;
	strcpy(st2.vp.qr_reason, "queue 0: head index out of range");
	st2.vp.q[0].error = VQ_ERR_HEAD;
	st2.vp.q[0].device = RAM_SIZE;
	CHECK_EQ(virtio_blk_load(&b, &st2), 0);
	CHECK(!virtio_queue_live(&b.vp, 0));
	CHECK_EQ(virtio_quarantined(&b.vp), VIRTIO_QUARANTINE_GUEST);
	CHECK(rd(&b.vp, VIRTIO_PCI_COMMON_STATUS, 1) &
	      VIRTIO_STATUS_NEEDS_RESET);
	/* and the driver's reset brings it back */
	driver_setup(&b.vp, 1u << VIRTIO_F_EVENT_IDX, true);
	CHECK_EQ(virtio_quarantined(&b.vp), VIRTIO_QUARANTINE_NONE);
	CHECK_EQ(request(&b, 0), VIRTIO_BLK_S_OK);

	/* a backend quarantine (nothing kept) survives a round trip */
	CHECK(virtio_quarantine_backend(&b.vp, "test: disk gone"));
	CHECK_EQ(virtio_blk_save(&b, &st2), 0);
	CHECK_EQ(st2.vp.qr_class, VIRTIO_QUARANTINE_BACKEND);
	CHECK_EQ(virtio_blk_load(&b, &st), 0);
	CHECK_EQ(virtio_quarantined(&b.vp), VIRTIO_QUARANTINE_NONE);
	CHECK_EQ(virtio_blk_load(&b, &st2), 0);
	CHECK_EQ(virtio_quarantined(&b.vp), VIRTIO_QUARANTINE_BACKEND);
	CHECK(!strcmp(b.vp.qr.reason, "test: disk gone"));
	CHECK(!virtio_queue_live(&b.vp, 0));
	virtio_blk_exit(&b);
}

/* One way of spoiling a good record. */
struct bad {
	const char *what;
	void (*spoil)(struct virtio_blk_saved *s);
};

#define SPOIL(name, stmt) \
	static void spoil_##name(struct virtio_blk_saved *s) { stmt; }

SPOIL(blk_version, s->version++)
SPOIL(blk_size, s->size--)
SPOIL(blk_pad, s->pad[6] = 1)
SPOIL(blk_config, s->config[0] ^= 1)
SPOIL(blk_id, s->id[0] ^= 1)
SPOIL(blk_ro, s->readonly = 1)
SPOIL(version, s->vp.version = 2)
SPOIL(size, s->vp.size = 0)
SPOIL(type, s->vp.type = VIRTIO_ID_NET)
SPOIL(num_queues, s->vp.num_queues = 2)
SPOIL(devfeat, s->vp.device_features |= 1ull << 40)
SPOIL(pad0, s->vp.pad0 = 1)
SPOIL(status_bit, s->vp.status |= 0x20)
SPOIL(isr, s->vp.isr = 4)
SPOIL(msix_config, s->vp.msix_config = 2)
SPOIL(qclass, s->vp.qr_class = 3)
SPOIL(reason_nul, memset(s->vp.qr_reason, 'x', VIRTIO_REASON_LEN))
SPOIL(feat_not_offered, s->vp.driver_features |= 1ull << 60)
SPOIL(feat_no_v1, s->vp.driver_features &= ~(1ull << VIRTIO_F_VERSION_1))
SPOIL(needs_reset_alone, s->vp.status |= VIRTIO_STATUS_NEEDS_RESET;
      s->vp.qr_count = 1)
SPOIL(guest_class_alone, s->vp.qr_class = VIRTIO_QUARANTINE_GUEST;
      s->vp.qr_count = 1)
SPOIL(reason_healthy, strcpy(s->vp.qr_reason, "why"))
SPOIL(class_uncounted, s->vp.qr_class = VIRTIO_QUARANTINE_BACKEND;
      s->vp.qr_count = 0)
SPOIL(qsize_pow2, s->vp.q[0].size = 6)
SPOIL(qsize_max, s->vp.q[0].size = 2 * VIRTIO_QUEUE_MAX_SIZE)
SPOIL(qsize_zero, s->vp.q[0].size = 0)
SPOIL(desc_align, s->vp.q[0].desc += 8)
SPOIL(avail_align, s->vp.q[0].driver += 1)
SPOIL(used_align, s->vp.q[0].device += 2)
SPOIL(desc_ram, s->vp.q[0].desc = RAM_SIZE - 16)
SPOIL(used_ram, s->vp.q[0].device = RAM_SIZE)
SPOIL(avail_wrap, s->vp.q[0].driver = ~1ull)
SPOIL(inflight, s->vp.q[0].last_avail_idx = s->vp.q[0].used_idx + QSIZE + 1)
SPOIL(qvector, s->vp.q[0].msix_vector = 2)
SPOIL(enable, s->vp.q[0].enable = 2)
SPOIL(sig_valid, s->vp.q[0].signalled_used_valid = 2)
SPOIL(notify_dis, s->vp.q[0].notify_disabled = 2)
SPOIL(error_pos, s->vp.q[0].error = 1)
SPOIL(error_range, s->vp.q[0].error = VQ_ERR_USED_ID - 1)
SPOIL(error_healthy, s->vp.q[0].error = VQ_ERR_HEAD)
SPOIL(disabled_state, s->vp.q[0].enable = 0)
SPOIL(absent_queue, s->vp.q[1].size = 8)
SPOIL(absent_vector, s->vp.q[5].msix_vector = 0)

#define BAD(name) { #name, spoil_##name }

static const struct bad bads[] = {
	BAD(blk_version), BAD(blk_size), BAD(blk_pad), BAD(blk_config),
	BAD(blk_id), BAD(blk_ro), BAD(version), BAD(size), BAD(type),
	BAD(num_queues), BAD(devfeat), BAD(pad0), BAD(status_bit), BAD(isr),
	BAD(msix_config), BAD(qclass), BAD(reason_nul), BAD(feat_not_offered),
	BAD(feat_no_v1), BAD(needs_reset_alone), BAD(guest_class_alone),
	BAD(reason_healthy), BAD(class_uncounted), BAD(qsize_pow2),
	BAD(qsize_max), BAD(qsize_zero), BAD(desc_align), BAD(avail_align),
	BAD(used_align), BAD(desc_ram), BAD(used_ram), BAD(avail_wrap),
	BAD(inflight), BAD(qvector), BAD(enable), BAD(sig_valid),
	BAD(notify_dis), BAD(error_pos), BAD(error_range),
	BAD(error_healthy), BAD(disabled_state), BAD(absent_queue),
	BAD(absent_vector),
};

static void test_refused(void)
{
	struct virtio_blk_saved good, bad, before, after;
	struct virtqueue vq_before;
	struct virtio_blk b;
	unsigned int i;

	blk_new(&b);
	driver_setup(&b.vp, 1u << VIRTIO_F_EVENT_IDX, true);
	CHECK_EQ(request(&b, 0), VIRTIO_BLK_S_OK);
	CHECK_EQ(virtio_blk_save(&b, &good), 0);
	/* the target: another state (reset, then driver half-way up) */
	wr(&b.vp, VIRTIO_PCI_COMMON_STATUS, 0, 1);
	wr(&b.vp, VIRTIO_PCI_COMMON_STATUS, 3, 1);
	CHECK_EQ(virtio_blk_save(&b, &before), 0);
	vq_before = b.vp.vq[0];
	CHECK(memcmp(&good, &before, sizeof(good)));

	for (i = 0; i < ARRAY_SIZE(bads); i++) {
		int r;

		bad = good;
		bads[i].spoil(&bad);
		r = virtio_blk_load(&b, &bad);
		if (r != -EINVAL)
			fprintf(stderr, "spoiled record %s: %d\n",
				bads[i].what, r);
		CHECK_EQ(r, -EINVAL);
		CHECK_EQ(virtio_blk_save(&b, &after), 0);
		CHECK(!memcmp(&before, &after, sizeof(before)));
		CHECK(!memcmp(&vq_before, &b.vp.vq[0], sizeof(vq_before)));
	}
	/* the good one still loads */
	CHECK_EQ(virtio_blk_load(&b, &good), 0);
	CHECK(virtio_queue_live(&b.vp, 0));
	CHECK_EQ(request(&b, 0), VIRTIO_BLK_S_OK);
	virtio_blk_exit(&b);
}

int main(void)
{
	int fd;

	virtio_test_init();
	fd = mkstemp(img_path);
	CHECK(fd >= 0);
	CHECK_EQ(ftruncate(fd, 1 << 20), 0);
	close(fd);
	spec.path = img_path;
	strcpy(spec.serial, "nyx-vstate");

	test_round_trip();
	test_refused();
	unlink(img_path);
	virtio_test_exit();
	return test_summary("launcher_vstate");
}
