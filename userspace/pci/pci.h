/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The launcher's PCI bus (bus 0, one function per slot): device
 * registration, BAR placement and mapping, INTx and MSI/MSI-X delivery.
 * Documentation/architecture.rst ("PCI") has the picture.
 *
 * A device:
 *
 *   1. fills a struct pci_device_info (IDs, class, INTx pin, BARs with
 *      their io_ops, optional MSI and MSI-X) and calls pci_dev_init();
 *   2. may add capabilities of its own to dev->cfg (pci_config_add_cap(),
 *      e.g. virtio's vendor-specific ones) and set their masks;
 *   3. calls pci_register(): the bus takes the next free slot, places
 *      every BAR in the bus's windows (the launcher is the firmware: Linux
 *      keeps these assignments), turns on I/O and memory decoding and maps
 *      the BARs on the launcher's pio/mmio buses.
 *
 * From then on the guest owns configuration space: the COMMAND decode
 * bits and BAR writes map, move and unmap the BAR regions (a BAR placed
 * over something else, or outside the address space, is left unmapped);
 * the device's io_ops just see offsets into their BAR. MSI-X table and
 * PBA accesses are served by the bus, not the device.
 *
 * Interrupts: pci_irq_set() drives the device's INTx# level (shared
 * level-triggered lines, ORed per GSI); pci_msi_notify() signals a vector
 * (MSI-X if enabled, else MSI, else nothing: the device then uses INTx).
 *
 * Locking: each device has a mutex for its configuration space and MSI-X
 * state; the bus has one for the INTx lines. Both are leaves except for
 * the pio/mmio bus lock and core/irq.h's, taken inside them. The bus never
 * calls a device's io_ops with these held, so a device may call
 * pci_irq_set()/pci_msi_notify() from its handlers with its own lock held.
 *
 * State: a device's PCI state is struct pci_dev_state (configuration
 * bytes, MSI-X table and PBA, INTx level); pci_dev_save()/pci_dev_load()
 * copy it, and loading re-maps the BARs and re-drives the line.
 */
#ifndef NYX_PCI_H
#define NYX_PCI_H

#include <pthread.h>

#include "core/bus.h"
#include "pci/config.h"
#include "pci/msi.h"
#include "pci/msix.h"

#define PCI_MAX_SLOTS		32
#define PCI_INTX_PINS		4	/* INTA#..INTD# */

struct pci_bus;
struct pci_dev;

struct pci_bar_info {
	enum pci_bar_type type;	/* PCI_BAR_NONE: unused (the slot after a
				 * 64-bit BAR must be unused) */
	u64 size;		/* power of two */
	bool prefetch;
	/* The device's handlers, offset from the BAR start; NULL ops for a
	 * BAR that only holds the MSI-X table/PBA. */
	const struct io_ops *ops;
	void *opaque;
};

struct pci_device_info {
	const char *name;	/* for messages */
	u16 vendor, device;
	u16 subsys_vendor, subsys_id;
	u32 class_code;		/* base << 16 | sub << 8 | prog-if */
	u8 revision;
	u8 irq_pin;		/* 0 none, 1..4 INTA#..INTD# */
	struct pci_bar_info bars[PCI_NUM_BARS];
	bool msi;		/* an MSI capability (1 vector, maskable) */
	u32 msix_vectors;	/* 0: no MSI-X; else 1..PCI_MSIX_MAX_VECTORS */
	u8 msix_bar;		/* BAR holding the table and the PBA */
	u32 msix_table_offset;	/* 8-byte aligned offsets in that BAR */
	u32 msix_pba_offset;
	/* Optional: BAR n was mapped at base, moved there, or unmapped
	 * (mapped false). Called with the device's lock held, from
	 * pci_register() and from the guest's configuration writes. */
	void (*bar_moved)(void *opaque, unsigned int n, bool mapped, u64 base);
	void *bar_moved_opaque;
};

/* Where a BAR is on the pio/mmio bus right now. */
struct pci_bar_map {
	struct pci_dev *dev;
	u8 n;
	bool mapped;
	u64 base;
};

/* Saved/loaded as is. */
struct pci_dev_state {
	u8 config[PCI_CFG_SIZE];
	struct msix_state msix;
	u8 intx_level;
};

struct pci_dev {
	struct pci_device_info info;
	struct pci_bus *bus;
	u8 slot;		/* device number on bus 0 */
	unsigned int msi_cap, msix_cap;	/* offsets, 0: absent */
	pthread_mutex_t lock;	/* cfg, msix, intx_level, map */
	struct pci_config cfg;
	struct msix_state msix;
	bool intx_level;	/* the device's INTx# (asserted) */
	bool intx_out;		/* what reaches the line (bus lock) */
	struct pci_bar_map map[PCI_NUM_BARS];
	struct { bool mapped; u64 base; } told[PCI_NUM_BARS]; /* bar_moved */
};

/* Where the bus places things and how INTx reaches the interrupt
 * controller (the x86 PC's values are in arch/x86/pc.h). */
struct pci_bus_layout {
	u64 mmio_base, mmio_end;	/* [base, end): 32-bit BAR window */
	u64 io_base, io_end;		/* I/O BAR window */
	u64 ecam_base;			/* 1 MiB per bus */
	u32 ecam_buses;			/* buses the ECAM window covers */
	u32 gsi_base, nr_gsi;		/* INTx lines: GSIs base..base+nr-1 */
};

typedef int (*pci_msi_fn)(u64 address, u32 data);

struct pci_bus {
	struct pci_bus_layout layout;
	struct bus *pio, *mmio;		/* where BARs are mapped */
	pci_msi_fn msi;			/* irq_msi(); tests replace it */
	pthread_mutex_t lock;		/* slots[], INTx lines */
	struct pci_dev *slots[PCI_MAX_SLOTS];
	u64 mmio_next, io_next;		/* placement cursors */
	u32 cf8;			/* host bridge CONFIG_ADDRESS latch */
	struct pci_dev host;		/* 00:00.0 */
};

/* The GSI of slot's INTx pin (1..4): the swizzle (slot + pin - 1) over
 * the bus's nr_gsi lines, so that neighbouring slots and the pins of one
 * slot use different lines. Shared by the ACPI _PRT and the MP table. */
static inline unsigned int pci_intx_gsi(u32 gsi_base, u32 nr_gsi,
					unsigned int slot, unsigned int pin)
{
	return gsi_base + (slot + pin - 1) % nr_gsi;
}

/* A bus with the host bridge in slot 0, its ports/ECAM not yet
 * registered (pci_host_register()). Buses are the launcher's pio/mmio
 * buses; tests pass their own. */
void pci_bus_init(struct pci_bus *b, const struct pci_bus_layout *l,
		  struct bus *pio, struct bus *mmio);

/* Register CONFIG_ADDRESS (0xcf8, dword only), CONFIG_DATA (0xcfc-0xcff)
 * and the ECAM window. Returns 0 or a bus_register() error. */
int pci_host_register(struct pci_bus *b);

/* Validate info and build the device's configuration space. Returns 0
 * or -EINVAL after printing why. */
int pci_dev_init(struct pci_dev *d, const struct pci_device_info *info);

/* Put d in the next free slot, place and map its BARs. Returns 0,
 * -ENOSPC (no slot, a window is full; printed) or a bus error. */
int pci_register(struct pci_bus *b, struct pci_dev *d);

/* Device side */
void pci_irq_set(struct pci_dev *d, bool level);
int pci_msi_notify(struct pci_dev *d, u32 vector);
/* MSI-X vector through the caller's deliver() (virtio: irqfds) instead of
 * the bus's msi(); -ENODEV if MSI-X is disabled (use INTx), else as
 * msix_notify(). deliver() runs with the device's lock held. */
int pci_msix_notify_via(struct pci_dev *d, u32 vector,
			msix_deliver_fn deliver, void *opaque);

/* Guest configuration accesses (CF8/CFC and ECAM land here): devfn is
 * device << 3 | function. Nothing there reads all ones. */
u64 pci_bus_config_read(struct pci_bus *b, u8 bus, u8 devfn,
			unsigned int off, unsigned int len);
void pci_bus_config_write(struct pci_bus *b, u8 bus, u8 devfn,
			  unsigned int off, u64 val, unsigned int len);

/* The device in slot (function 0), or NULL. */
struct pci_dev *pci_bus_find(struct pci_bus *b, unsigned int slot);

void pci_dev_save(struct pci_dev *d, struct pci_dev_state *st);
void pci_dev_load(struct pci_dev *d, const struct pci_dev_state *st);

/* Host bridge IDs (Red Hat/QEMU's generic PCIe host bridge: no chipset
 * quirks in any OS). */
#define PCI_HOST_VENDOR		0x1b36
#define PCI_HOST_DEVICE		0x0008
#define PCI_CLASS_HOST_BRIDGE	0x060000
#define PCI_HOST_CF8_PORT	0xcf8
#define PCI_HOST_CFC_PORT	0xcfc

#endif
