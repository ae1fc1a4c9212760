// SPDX-License-Identifier: GPL-2.0
#include "pci/msi.h"

unsigned int msi_cap_add(struct pci_config *c)
{
	unsigned int cap = pci_config_add_cap(c, PCI_CAP_ID_MSI,
					      PCI_MSI_CAP_SIZE);

	if (!cap)
		return 0;
	/* One vector (MMC = 0, so MME stays 0), 64-bit, maskable. */
	pci_config_set(c, cap + PCI_MSI_FLAGS, PCI_MSI_FLAGS_64BIT |
		       PCI_MSI_FLAGS_MASKBIT, 2);
	pci_config_set_wmask(c, cap + PCI_MSI_FLAGS, PCI_MSI_FLAGS_ENABLE, 2);
	pci_config_set_wmask(c, cap + PCI_MSI_ADDRESS_LO, 0xfffffffc, 4);
	pci_config_set_wmask(c, cap + PCI_MSI_ADDRESS_HI, 0xffffffff, 4);
	pci_config_set_wmask(c, cap + PCI_MSI_DATA_64, 0xffff, 2);
	pci_config_set_wmask(c, cap + PCI_MSI_MASK_64, 1, 4);
	return cap;
}

bool msi_enabled(const struct pci_config *c, unsigned int cap)
{
	return cap && (pci_config_get(c, cap + PCI_MSI_FLAGS, 2) &
		       PCI_MSI_FLAGS_ENABLE);
}

static void send(struct pci_config *c, unsigned int cap,
		 msi_deliver_fn deliver, void *opaque)
{
	u64 addr = pci_config_get(c, cap + PCI_MSI_ADDRESS_LO, 4) |
		   pci_config_get(c, cap + PCI_MSI_ADDRESS_HI, 4) << 32;

	pci_config_set(c, cap + PCI_MSI_PENDING_64, 0, 4);
	deliver(opaque, addr, pci_config_get(c, cap + PCI_MSI_DATA_64, 2));
}

int msi_notify(struct pci_config *c, unsigned int cap,
	       msi_deliver_fn deliver, void *opaque)
{
	if (!msi_enabled(c, cap))
		return 0;
	if (pci_config_get(c, cap + PCI_MSI_MASK_64, 4) & 1) {
		pci_config_set(c, cap + PCI_MSI_PENDING_64, 1, 4);
		return 0;
	}
	send(c, cap, deliver, opaque);
	return 1;
}

void msi_config_written(struct pci_config *c, unsigned int cap,
			msi_deliver_fn deliver, void *opaque)
{
	if (msi_enabled(c, cap) &&
	    !(pci_config_get(c, cap + PCI_MSI_MASK_64, 4) & 1) &&
	    (pci_config_get(c, cap + PCI_MSI_PENDING_64, 4) & 1))
		send(c, cap, deliver, opaque);
}
