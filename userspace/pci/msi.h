/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The MSI capability (PCI Local Bus 3.0 section 6.8.1) in its 64-bit form
 * with per-vector masking and one vector: the rules live in configuration
 * space (struct pci_config), so this is pure logic on it. A masked vector
 * sets its (read-only) pending bit and is sent when it is unmasked.
 */
#ifndef NYX_PCI_MSI_H
#define NYX_PCI_MSI_H

#include "pci/config.h"

#define PCI_MSI_CAP_SIZE	24
#define PCI_MSI_FLAGS		2
#define  PCI_MSI_FLAGS_ENABLE	0x0001
#define  PCI_MSI_FLAGS_64BIT	0x0080
#define  PCI_MSI_FLAGS_MASKBIT	0x0100
#define PCI_MSI_ADDRESS_LO	4
#define PCI_MSI_ADDRESS_HI	8
#define PCI_MSI_DATA_64		12
#define PCI_MSI_MASK_64		16
#define PCI_MSI_PENDING_64	20

typedef int (*msi_deliver_fn)(void *opaque, u64 address, u32 data);

/* Add the capability; returns its offset or 0 if it does not fit. */
unsigned int msi_cap_add(struct pci_config *c);

bool msi_enabled(const struct pci_config *c, unsigned int cap);

/* The device signals its vector: 1 sent, 0 pending or MSI disabled. */
int msi_notify(struct pci_config *c, unsigned int cap,
	       msi_deliver_fn deliver, void *opaque);

/* After a guest write to the capability: send a vector it unmasked. */
void msi_config_written(struct pci_config *c, unsigned int cap,
			msi_deliver_fn deliver, void *opaque);

#endif
