// SPDX-License-Identifier: GPL-2.0
/*
 * The host bridge's configuration mechanisms: PCI configuration mechanism
 * #1 (CONFIG_ADDRESS at 0xcf8, CONFIG_DATA at 0xcfc-0xcff) and PCIe ECAM
 * (one 4 KiB page per function, 1 MiB per bus). Port 0xcf9 between them
 * is the PC's reset control register (hw/acpi_pm.c), so CONFIG_ADDRESS is
 * registered as the one port 0xcf8 and takes only dword accesses there,
 * as on real chipsets: a byte access to 0xcf8/0xcf9 is not a PCI access.
 */
#include <string.h>

#include "pci/pci.h"

#define CF8_ENABLE	0x80000000u
#define CF8_MASK	0x80fffffcu	/* enable, bus, device, function, reg */

static void cf8_read(void *opaque, u64 offset, void *data, u32 len)
{
	struct pci_bus *b = opaque;

	if (offset == 0 && len == 4)
		store_le(data, __atomic_load_n(&b->cf8, __ATOMIC_SEQ_CST), 4);
	else
		memset(data, 0xff, len);
}

static void cf8_write(void *opaque, u64 offset, const void *data, u32 len)
{
	struct pci_bus *b = opaque;

	if (offset == 0 && len == 4)
		__atomic_store_n(&b->cf8, (u32)load_le(data, 4) & CF8_MASK,
				 __ATOMIC_SEQ_CST);
}

static const struct io_ops cf8_ops = { .read = cf8_read, .write = cf8_write };

/* The part of a CONFIG_DATA access inside 0xcfc-0xcff. */
static bool cfc_target(struct pci_bus *b, u64 offset, u32 *len, u8 *bus,
		       u8 *devfn, unsigned int *reg)
{
	u32 cf8 = __atomic_load_n(&b->cf8, __ATOMIC_SEQ_CST);

	if (!(cf8 & CF8_ENABLE) || offset >= 4)
		return false;
	if (*len > 4 - offset)
		*len = 4 - offset;
	*bus = cf8 >> 16;
	*devfn = cf8 >> 8;
	*reg = (cf8 & 0xfc) + offset;
	return true;
}

static void cfc_read(void *opaque, u64 offset, void *data, u32 len)
{
	unsigned int reg;
	u8 bus, devfn;
	u32 n = len;

	memset(data, 0xff, len);
	if (cfc_target(opaque, offset, &n, &bus, &devfn, &reg))
		store_le(data, pci_bus_config_read(opaque, bus, devfn, reg, n),
			 n);
}

static void cfc_write(void *opaque, u64 offset, const void *data, u32 len)
{
	unsigned int reg;
	u8 bus, devfn;
	u32 n = len;

	if (cfc_target(opaque, offset, &n, &bus, &devfn, &reg))
		pci_bus_config_write(opaque, bus, devfn, reg,
				     load_le(data, n), n);
}

static const struct io_ops cfc_ops = { .read = cfc_read, .write = cfc_write };

static void ecam_read(void *opaque, u64 offset, void *data, u32 len)
{
	if (len > 8)
		len = 8;
	store_le(data, pci_bus_config_read(opaque, offset >> 20, offset >> 12,
					   offset & 0xfff, len), len);
}

static void ecam_write(void *opaque, u64 offset, const void *data, u32 len)
{
	if (len > 8)
		return;
	pci_bus_config_write(opaque, offset >> 20, offset >> 12,
			     offset & 0xfff, load_le(data, len), len);
}

static const struct io_ops ecam_ops = { .read = ecam_read,
					.write = ecam_write };

int pci_host_register(struct pci_bus *b)
{
	int r;

	r = bus_register(b->pio, PCI_HOST_CF8_PORT, 1, &cf8_ops, b);
	if (!r)
		r = bus_register(b->pio, PCI_HOST_CFC_PORT, 4, &cfc_ops, b);
	if (!r && b->layout.ecam_buses)
		r = bus_register(b->mmio, b->layout.ecam_base,
				 (u64)b->layout.ecam_buses << 20, &ecam_ops, b);
	return r;
}
