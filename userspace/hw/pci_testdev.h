/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The PCI test device (--device pci-testdev, repeatable), see
 * Documentation/testdev.rst: a memory BAR and an I/O BAR with the same
 * registers, a 64-bit memory BAR with the MSI-X table and PBA, INTA#.
 */
#ifndef NYX_PCI_TESTDEV_H
#define NYX_PCI_TESTDEV_H

#include <pthread.h>

#include "pci/pci.h"

/* QEMU's pci-testdev ID (pci.ids: "QEMU PCI Test Device"); the register
 * layout is nyx's own. */
#define PCI_TESTDEV_VENDOR	0x1b36
#define PCI_TESTDEV_DEVICE	0x0005
#define PCI_TESTDEV_CLASS	0xff0000	/* unclassified */
#define PCI_TESTDEV_MMIO_SIZE	4096		/* BAR 0 */
#define PCI_TESTDEV_IO_SIZE	256		/* BAR 1 */
#define PCI_TESTDEV_MSIX_SIZE	4096		/* BAR 2 (64-bit) */
#define PCI_TESTDEV_MSIX_BAR	2
#define PCI_TESTDEV_MSIX_PBA	0x800
#define PCI_TESTDEV_VECTORS	8

/* Registers (BAR 0 and BAR 1, 32-bit) */
#define PCI_TESTDEV_REG_MAGIC	0x00	/* RO "NYXP" */
#define PCI_TESTDEV_MAGIC	0x5058594e
#define PCI_TESTDEV_REG_SCRATCH	0x04	/* RW */
#define PCI_TESTDEV_REG_MSI	0x08	/* W: signal vector; R: messages sent */
#define PCI_TESTDEV_REG_INTX	0x0c	/* RW bit 0: INTA# level */
#define PCI_TESTDEV_REG_COUNT	0x10	/* RO: register accesses */

struct pci_testdev_state {
	u32 scratch;
	u32 intx;
	u32 msi_sent;
	u32 accesses;
	struct pci_dev_state pci;
};

struct pci_testdev {
	pthread_mutex_t lock;	/* the registers (not pci: it has its own) */
	u32 scratch, intx, msi_sent, accesses;
	struct pci_dev pci;
};

int pci_testdev_init(struct pci_testdev *t);

void pci_testdev_save(struct pci_testdev *t, struct pci_testdev_state *st);
void pci_testdev_load(struct pci_testdev *t,
		      const struct pci_testdev_state *st);

#endif
