/* SPDX-License-Identifier: GPL-2.0 */
/*
 * PCI configuration space register semantics, as pure logic (no locks, no
 * buses): a device's 4 KiB of configuration bytes plus two masks that say
 * what the guest may do with each bit, like QEMU's PCIDevice:
 *
 *   wmask    bits a guest write may change (the rest are read-only)
 *   w1cmask  bits a guest write of 1 clears (status error bits, RW1C)
 *
 * BAR sizing falls out of the masks: a BAR's address bits below its size
 * are read-only zeros, so writing all ones reads back ~(size - 1) plus the
 * type bits. An unimplemented BAR or the expansion ROM BAR has an all-zero
 * wmask and reads 0. The masks describe the device model and never change
 * after setup; only data[] is guest state (saved and loaded).
 */
#ifndef NYX_PCI_CONFIG_H
#define NYX_PCI_CONFIG_H

#include "core/util.h"

#define PCI_CFG_SIZE		4096	/* PCIe extended space (ECAM) */
#define PCI_CFG_LEGACY_SIZE	256	/* what CF8/CFC reaches */

/* Type 0 header */
#define PCI_VENDOR_ID		0x00
#define PCI_DEVICE_ID		0x02
#define PCI_COMMAND		0x04
#define  PCI_COMMAND_IO		0x0001
#define  PCI_COMMAND_MEMORY	0x0002
#define  PCI_COMMAND_MASTER	0x0004
#define  PCI_COMMAND_PARITY	0x0040
#define  PCI_COMMAND_SERR	0x0100
#define  PCI_COMMAND_INTX_DISABLE 0x0400
#define PCI_STATUS		0x06
#define  PCI_STATUS_INTERRUPT	0x0008
#define  PCI_STATUS_CAP_LIST	0x0010
#define  PCI_STATUS_RW1C	0xf900	/* parity, target/master aborts, SERR, parity error */
#define PCI_REVISION_ID		0x08
#define PCI_CLASS_PROG		0x09
#define PCI_CLASS_DEVICE	0x0a
#define PCI_CACHE_LINE_SIZE	0x0c
#define PCI_LATENCY_TIMER	0x0d
#define PCI_HEADER_TYPE		0x0e
#define PCI_BASE_ADDRESS_0	0x10
#define PCI_NUM_BARS		6
#define  PCI_BAR_SPACE_IO	0x01
#define  PCI_BAR_MEM_TYPE_64	0x04
#define  PCI_BAR_MEM_PREFETCH	0x08
#define  PCI_BAR_MEM_MASK	(~0xfull)
#define  PCI_BAR_IO_MASK	(~0x3ull)
#define PCI_SUBSYSTEM_VENDOR_ID	0x2c
#define PCI_SUBSYSTEM_ID	0x2e
#define PCI_ROM_ADDRESS		0x30
#define PCI_CAPABILITY_LIST	0x34
#define PCI_INTERRUPT_LINE	0x3c
#define PCI_INTERRUPT_PIN	0x3d
#define PCI_CAP_START		0x40	/* first byte after the header */

/* Capability IDs */
#define PCI_CAP_ID_MSI		0x05
#define PCI_CAP_ID_VNDR		0x09
#define PCI_CAP_ID_MSIX		0x11

struct pci_config {
	u8 data[PCI_CFG_SIZE];
	u8 wmask[PCI_CFG_SIZE];
	u8 w1cmask[PCI_CFG_SIZE];
	u8 cap_next;		/* where the next capability goes (setup) */
	u8 cap_last;		/* the last capability's offset, 0: none */
};

/* BAR types for pci_config_set_bar() */
enum pci_bar_type {
	PCI_BAR_NONE = 0,
	PCI_BAR_IO,		/* I/O space, size 4..256 */
	PCI_BAR_MEM32,		/* 32-bit memory, size >= 16 */
	PCI_BAR_MEM64,		/* 64-bit memory: takes this BAR and the next */
};

/*
 * A type 0 header: IDs, class (base << 16 | sub << 8 | prog-if), the
 * interrupt pin (0 none, 1..4 INTA#..INTD#), writable command bits
 * (I/O, memory, bus master, parity, SERR, INTx disable), RW1C status
 * error bits, cache line size, latency timer and interrupt line.
 */
void pci_config_init(struct pci_config *c, u16 vendor, u16 device,
		     u32 class_code, u8 revision, u16 subsys_vendor,
		     u16 subsys_id, u8 irq_pin);

/* Read-only store used by setup code (no masks applied). */
void pci_config_set(struct pci_config *c, unsigned int off, u64 val,
		    unsigned int len);
u64 pci_config_get(const struct pci_config *c, unsigned int off,
		   unsigned int len);

/* Make [off, off + len) writable where mask (little endian) has ones. */
void pci_config_set_wmask(struct pci_config *c, unsigned int off, u64 mask,
			  unsigned int len);

/*
 * Declare BAR n: type, size (a power of two; 64-bit BARs may exceed 4 GiB)
 * and prefetchable (memory only). Returns 0 or -EINVAL (bad size, n out
 * of range, a 64-bit BAR in slot 5).
 */
int pci_config_set_bar(struct pci_config *c, unsigned int n,
		       enum pci_bar_type type, u64 size, bool prefetch);

/* The address BAR n holds now (64-bit BARs: both halves). */
u64 pci_config_bar_addr(const struct pci_config *c, unsigned int n,
			enum pci_bar_type type);

/* Set BAR n's address (placement by the launcher). */
void pci_config_set_bar_addr(struct pci_config *c, unsigned int n,
			     enum pci_bar_type type, u64 addr);

/*
 * Append a capability of len bytes (>= 2) with id; links it into the list
 * and sets the status bit. Returns its offset (4-byte aligned, in the
 * legacy 256 bytes) or 0 if it does not fit. The body is zero and
 * read-only until the caller sets masks.
 */
unsigned int pci_config_add_cap(struct pci_config *c, u8 id,
				unsigned int len);

/* Find capability id; 0 if absent. Bounded walk (a guest cannot write the
 * list pointers, but keep it safe anyway). */
unsigned int pci_config_find_cap(const struct pci_config *c, u8 id);

/*
 * Guest access of len bytes (1..8) at off. Bytes beyond the 4 KiB space
 * read as 0xff and are dropped on write; a write obeys wmask and w1cmask.
 */
u64 pci_config_read(const struct pci_config *c, unsigned int off,
		    unsigned int len);
void pci_config_write(struct pci_config *c, unsigned int off, u64 val,
		      unsigned int len);

#endif
