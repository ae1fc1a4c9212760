// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include "hw/pci_testdev.h"

static void reg_read(void *opaque, u64 offset, void *data, u32 len)
{
	struct pci_testdev *t = opaque;
	u8 regs[0x14];

	pthread_mutex_lock(&t->lock);
	t->accesses++;
	store_le(regs + PCI_TESTDEV_REG_MAGIC, PCI_TESTDEV_MAGIC, 4);
	store_le(regs + PCI_TESTDEV_REG_SCRATCH, t->scratch, 4);
	store_le(regs + PCI_TESTDEV_REG_MSI, t->msi_sent, 4);
	store_le(regs + PCI_TESTDEV_REG_INTX, t->intx, 4);
	store_le(regs + PCI_TESTDEV_REG_COUNT, t->accesses, 4);
	pthread_mutex_unlock(&t->lock);
	/* any width, any offset: bytes past the registers read 0 */
	memset(data, 0, len);
	if (offset < sizeof(regs))
		memcpy(data, regs + offset,
		       len < sizeof(regs) - offset ? len : sizeof(regs) - offset);
}

static void reg_write(void *opaque, u64 offset, const void *data, u32 len)
{
	struct pci_testdev *t = opaque;
	u32 v = load_le(data, len > 4 ? 4 : len);
	bool sent = false;

	/* only aligned dword writes have an effect */
	if (len != 4 || offset % 4)
		return;
	pthread_mutex_lock(&t->lock);
	t->accesses++;
	switch (offset) {
	case PCI_TESTDEV_REG_SCRATCH:
		t->scratch = v;
		break;
	case PCI_TESTDEV_REG_MSI:
		sent = pci_msi_notify(&t->pci, v) > 0;
		t->msi_sent += sent;
		break;
	case PCI_TESTDEV_REG_INTX:
		t->intx = v & 1;
		pci_irq_set(&t->pci, v & 1);
		break;
	}
	pthread_mutex_unlock(&t->lock);
}

static const struct io_ops reg_ops = { .read = reg_read, .write = reg_write };

int pci_testdev_init(struct pci_testdev *t)
{
	struct pci_device_info info = {
		.name = "pci-testdev",
		.vendor = PCI_TESTDEV_VENDOR,
		.device = PCI_TESTDEV_DEVICE,
		.subsys_vendor = PCI_TESTDEV_VENDOR,
		.subsys_id = 0x1100,
		.class_code = PCI_TESTDEV_CLASS,
		.irq_pin = 1,
		.bars = {
			[0] = { .type = PCI_BAR_MEM32,
				.size = PCI_TESTDEV_MMIO_SIZE,
				.ops = &reg_ops, .opaque = t },
			[1] = { .type = PCI_BAR_IO,
				.size = PCI_TESTDEV_IO_SIZE,
				.ops = &reg_ops, .opaque = t },
			[2] = { .type = PCI_BAR_MEM64,
				.size = PCI_TESTDEV_MSIX_SIZE },
		},
		.msi = true,
		.msix_vectors = PCI_TESTDEV_VECTORS,
		.msix_bar = PCI_TESTDEV_MSIX_BAR,
		.msix_table_offset = 0,
		.msix_pba_offset = PCI_TESTDEV_MSIX_PBA,
	};

	t->scratch = t->intx = t->msi_sent = t->accesses = 0;
	pthread_mutex_init(&t->lock, NULL);
	return pci_dev_init(&t->pci, &info);
}

void pci_testdev_save(struct pci_testdev *t, struct pci_testdev_state *st)
{
	pthread_mutex_lock(&t->lock);
	st->scratch = t->scratch;
	st->intx = t->intx;
	st->msi_sent = t->msi_sent;
	st->accesses = t->accesses;
	pthread_mutex_unlock(&t->lock);
	pci_dev_save(&t->pci, &st->pci);
}

void pci_testdev_load(struct pci_testdev *t,
		      const struct pci_testdev_state *st)
{
	pthread_mutex_lock(&t->lock);
	t->scratch = st->scratch;
	t->intx = st->intx & 1;
	t->msi_sent = st->msi_sent;
	t->accesses = st->accesses;
	pthread_mutex_unlock(&t->lock);
	pci_dev_load(&t->pci, &st->pci);
}
