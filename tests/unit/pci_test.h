/* SPDX-License-Identifier: GPL-2.0 */
/*
 * For the PCI and virtio device tests: a PCI bus with the PC's layout on
 * fresh pio/mmio buses, its MSIs going to the test's function.
 */
#ifndef NYX_PCI_TEST_H
#define NYX_PCI_TEST_H

#include "arch/x86/pc.h"
#include "core/bus.h"
#include "pci/pci.h"

static inline void test_pci_bus_reset(struct pci_bus *pb, struct bus *pio,
				      struct bus *mmio, pci_msi_fn msi)
{
	struct pci_bus_layout l;

	bus_destroy(pio);
	bus_destroy(mmio);
	bus_init(pio, "pio", 0xffff);
	bus_init(mmio, "mmio", ~0ull);
	pc_pci_layout(&l);
	pci_bus_init(pb, &l, pio, mmio);
	pb->msi = msi;
}

#endif
