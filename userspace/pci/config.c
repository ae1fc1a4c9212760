// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>

#include "pci/config.h"

void pci_config_set(struct pci_config *c, unsigned int off, u64 val,
		    unsigned int len)
{
	if (off < PCI_CFG_SIZE && len <= PCI_CFG_SIZE - off)
		store_le(c->data + off, val, len);
}

u64 pci_config_get(const struct pci_config *c, unsigned int off,
		   unsigned int len)
{
	if (off < PCI_CFG_SIZE && len <= PCI_CFG_SIZE - off)
		return load_le(c->data + off, len);
	return 0;
}

void pci_config_set_wmask(struct pci_config *c, unsigned int off, u64 mask,
			  unsigned int len)
{
	if (off < PCI_CFG_SIZE && len <= PCI_CFG_SIZE - off)
		store_le(c->wmask + off, mask, len);
}

void pci_config_init(struct pci_config *c, u16 vendor, u16 device,
		     u32 class_code, u8 revision, u16 subsys_vendor,
		     u16 subsys_id, u8 irq_pin)
{
	memset(c, 0, sizeof(*c));
	pci_config_set(c, PCI_VENDOR_ID, vendor, 2);
	pci_config_set(c, PCI_DEVICE_ID, device, 2);
	pci_config_set(c, PCI_REVISION_ID, revision, 1);
	pci_config_set(c, PCI_CLASS_PROG, class_code, 3);
	pci_config_set(c, PCI_SUBSYSTEM_VENDOR_ID, subsys_vendor, 2);
	pci_config_set(c, PCI_SUBSYSTEM_ID, subsys_id, 2);
	pci_config_set(c, PCI_INTERRUPT_PIN, irq_pin <= 4 ? irq_pin : 0, 1);

	pci_config_set_wmask(c, PCI_COMMAND, PCI_COMMAND_IO |
			     PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |
			     PCI_COMMAND_PARITY | PCI_COMMAND_SERR |
			     (irq_pin ? PCI_COMMAND_INTX_DISABLE : 0), 2);
	store_le(c->w1cmask + PCI_STATUS, PCI_STATUS_RW1C, 2);
	pci_config_set_wmask(c, PCI_CACHE_LINE_SIZE, 0xff, 1);
	pci_config_set_wmask(c, PCI_LATENCY_TIMER, 0xff, 1);
	/* The interrupt line register is the OS's scratch byte. */
	pci_config_set_wmask(c, PCI_INTERRUPT_LINE, 0xff, 1);
	c->cap_next = PCI_CAP_START;
}

static bool pow2(u64 x)
{
	return x && !(x & (x - 1));
}

int pci_config_set_bar(struct pci_config *c, unsigned int n,
		       enum pci_bar_type type, u64 size, bool prefetch)
{
	unsigned int off = PCI_BASE_ADDRESS_0 + 4 * n;
	u64 mask;

	if (n >= PCI_NUM_BARS || !pow2(size))
		return -EINVAL;
	switch (type) {
	case PCI_BAR_IO:
		if (size < 4 || size > 256 || prefetch)
			return -EINVAL;
		pci_config_set(c, off, PCI_BAR_SPACE_IO, 4);
		pci_config_set_wmask(c, off, ~(size - 1) & 0xffffffffu &
				     PCI_BAR_IO_MASK, 4);
		return 0;
	case PCI_BAR_MEM32:
		if (size < 16 || size > (1ull << 31))
			return -EINVAL;
		pci_config_set(c, off, prefetch ? PCI_BAR_MEM_PREFETCH : 0, 4);
		pci_config_set_wmask(c, off, ~(size - 1) & 0xffffffffu, 4);
		return 0;
	case PCI_BAR_MEM64:
		if (n == PCI_NUM_BARS - 1 || size < 16 || size > (1ull << 63))
			return -EINVAL;
		pci_config_set(c, off, PCI_BAR_MEM_TYPE_64 |
			       (prefetch ? PCI_BAR_MEM_PREFETCH : 0), 4);
		pci_config_set(c, off + 4, 0, 4);
		mask = ~(size - 1);
		pci_config_set_wmask(c, off, mask & 0xffffffffu &
				     PCI_BAR_MEM_MASK, 4);
		pci_config_set_wmask(c, off + 4, mask >> 32, 4);
		return 0;
	case PCI_BAR_NONE:
		break;
	}
	return -EINVAL;
}

u64 pci_config_bar_addr(const struct pci_config *c, unsigned int n,
			enum pci_bar_type type)
{
	unsigned int off = PCI_BASE_ADDRESS_0 + 4 * n;
	u64 v;

	if (n >= PCI_NUM_BARS)
		return 0;
	v = pci_config_get(c, off, 4);
	switch (type) {
	case PCI_BAR_IO:
		return v & PCI_BAR_IO_MASK & 0xffffffffu;
	case PCI_BAR_MEM32:
		return v & PCI_BAR_MEM_MASK & 0xffffffffu;
	case PCI_BAR_MEM64:
		if (n == PCI_NUM_BARS - 1)
			return 0;
		return (v & PCI_BAR_MEM_MASK & 0xffffffffu) |
		       pci_config_get(c, off + 4, 4) << 32;
	case PCI_BAR_NONE:
		break;
	}
	return 0;
}

void pci_config_set_bar_addr(struct pci_config *c, unsigned int n,
			     enum pci_bar_type type, u64 addr)
{
	unsigned int off = PCI_BASE_ADDRESS_0 + 4 * n;
	u64 low;

	if (n >= PCI_NUM_BARS || type == PCI_BAR_NONE)
		return;
	/* Keep the read-only type bits; only the writable address bits. */
	low = pci_config_get(c, off, 4);
	low = (low & ~load_le(c->wmask + off, 4)) |
	      (addr & load_le(c->wmask + off, 4));
	pci_config_set(c, off, low, 4);
	if (type == PCI_BAR_MEM64 && n < PCI_NUM_BARS - 1)
		pci_config_set(c, off + 4, (addr >> 32) &
			       load_le(c->wmask + off + 4, 4), 4);
}

unsigned int pci_config_add_cap(struct pci_config *c, u8 id,
				unsigned int len)
{
	unsigned int off = c->cap_next;

	if (len < 2 || off < PCI_CAP_START ||
	    off + len > PCI_CFG_LEGACY_SIZE)
		return 0;
	c->data[off] = id;
	c->data[off + 1] = 0;
	if (c->cap_last)
		c->data[c->cap_last + 1] = off;
	else
		c->data[PCI_CAPABILITY_LIST] = off;
	c->data[PCI_STATUS] |= PCI_STATUS_CAP_LIST;
	c->cap_last = off;
	/* 4-byte aligned as the spec wants; 0 past the end of the space */
	len = (off + len + 3) & ~3u;
	c->cap_next = len < PCI_CFG_LEGACY_SIZE ? len : 0;
	return off;
}

unsigned int pci_config_find_cap(const struct pci_config *c, u8 id)
{
	unsigned int off = c->data[PCI_CAPABILITY_LIST] & ~3u, n;

	if (!(c->data[PCI_STATUS] & PCI_STATUS_CAP_LIST))
		return 0;
	/* At most 48 capabilities fit in the 192 bytes after the header. */
	for (n = 0; off >= PCI_CAP_START && n < 48; n++) {
		if (c->data[off] == id)
			return off;
		off = c->data[off + 1] & ~3u;
	}
	return 0;
}

u64 pci_config_read(const struct pci_config *c, unsigned int off,
		    unsigned int len)
{
	u8 buf[8];
	unsigned int i;

	if (len > 8)
		len = 8;
	for (i = 0; i < len; i++)
		buf[i] = off < PCI_CFG_SIZE && i < PCI_CFG_SIZE - off ?
			 c->data[off + i] : 0xff;
	return load_le(buf, len);
}

void pci_config_write(struct pci_config *c, unsigned int off, u64 val,
		      unsigned int len)
{
	unsigned int i, o;
	u8 b;

	if (len > 8)
		len = 8;
	for (i = 0; i < len && off < PCI_CFG_SIZE && i < PCI_CFG_SIZE - off;
	     i++) {
		o = off + i;
		b = val >> (8 * i);
		c->data[o] = (c->data[o] & ~c->wmask[o]) | (b & c->wmask[o]);
		c->data[o] &= ~(b & c->w1cmask[o]);
	}
}
