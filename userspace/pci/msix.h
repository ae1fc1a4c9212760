/* SPDX-License-Identifier: GPL-2.0 */
/*
 * MSI-X (PCI Local Bus 3.0 section 6.8.2) as a pure state machine: the
 * vector table and the pending bit array (PBA) a device exposes in one of
 * its BARs, and the rules of masking:
 *
 *   - a vector fires only if MSI-X is enabled, the function is not masked
 *     (Message Control bit 14) and its own entry is not masked (Vector
 *     Control bit 0); otherwise its pending bit is set;
 *   - when a mask is cleared (entry, or function), every pending vector
 *     that may now fire is sent and its pending bit cleared;
 *   - the PBA is read-only; table entries take reads and writes of 4 or 8
 *     bytes (other widths are accepted byte-wise: the spec leaves them
 *     undefined and a guest must not crash us with them).
 *
 * The state is one plain struct (saved and loaded as is). Control bits
 * live in the capability in configuration space: the caller passes them.
 * Delivery goes through a callback (the launcher's irq_msi()).
 */
#ifndef NYX_PCI_MSIX_H
#define NYX_PCI_MSIX_H

#include "core/util.h"

#define PCI_MSIX_MAX_VECTORS	256
#define PCI_MSIX_ENTRY_SIZE	16
#define PCI_MSIX_ENTRY_LOWER_ADDR	0
#define PCI_MSIX_ENTRY_UPPER_ADDR	4
#define PCI_MSIX_ENTRY_DATA		8
#define PCI_MSIX_ENTRY_VECTOR_CTRL	12
#define  PCI_MSIX_ENTRY_CTRL_MASKBIT	1

/* Capability layout */
#define PCI_MSIX_CAP_SIZE	12
#define PCI_MSIX_FLAGS		2	/* Message Control */
#define  PCI_MSIX_FLAGS_QSIZE	0x07ff	/* table size - 1 */
#define  PCI_MSIX_FLAGS_MASKALL	0x4000
#define  PCI_MSIX_FLAGS_ENABLE	0x8000
#define PCI_MSIX_TABLE		4	/* offset | BIR */
#define PCI_MSIX_PBA		8

struct msix_entry {
	u32 addr_lo, addr_hi, data, ctrl;
};

struct msix_state {
	u32 nr;				/* vectors, 1..PCI_MSIX_MAX_VECTORS */
	struct msix_entry table[PCI_MSIX_MAX_VECTORS];
	u64 pba[PCI_MSIX_MAX_VECTORS / 64];
};

typedef int (*msix_deliver_fn)(void *opaque, u64 address, u32 data);

/* nr vectors, all masked (the reset state), nothing pending. */
void msix_reset(struct msix_state *s, u32 nr);

/* Bytes the table and the PBA occupy in their BAR. */
u64 msix_table_size(const struct msix_state *s);
u64 msix_pba_size(const struct msix_state *s);

/* The device wants vector v: sent now or made pending. Returns 1 if sent,
 * 0 if pending, -EINVAL for a vector the table does not have. */
int msix_notify(struct msix_state *s, u32 v, bool enabled, bool fmasked,
		msix_deliver_fn deliver, void *opaque);

/* Table accesses at offset from the table start; offsets beyond the table
 * read as 0 and are ignored. A write that unmasks an entry sends its
 * pending message (if MSI-X is enabled and the function unmasked). */
void msix_table_read(const struct msix_state *s, u64 offset, void *data,
		     u32 len);
void msix_table_write(struct msix_state *s, u64 offset, const void *data,
		      u32 len, bool enabled, bool fmasked,
		      msix_deliver_fn deliver, void *opaque);

/* PBA reads (writes are ignored by the caller). */
void msix_pba_read(const struct msix_state *s, u64 offset, void *data,
		   u32 len);

/* After Message Control changed: send what the new state lets through. */
void msix_control_changed(struct msix_state *s, bool enabled, bool fmasked,
			  msix_deliver_fn deliver, void *opaque);

bool msix_is_pending(const struct msix_state *s, u32 v);
bool msix_is_masked(const struct msix_state *s, u32 v);

#endif
