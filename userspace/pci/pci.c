// SPDX-License-Identifier: GPL-2.0
/*
 * PCI bus: devices, BAR placement and mapping, INTx, MSI/MSI-X. See
 * pci.h for the API and the locking rules.
 */
#include <errno.h>
#include <string.h>

#include "core/irq.h"
#include "pci/pci.h"

static void pci_bar_read(void *opaque, u64 offset, void *data, u32 len);
static void pci_bar_write(void *opaque, u64 offset, const void *data,
			  u32 len);

static const struct io_ops pci_bar_ops = {
	.read = pci_bar_read,
	.write = pci_bar_write,
};

static u64 ones(unsigned int len)
{
	return len >= 8 ? ~0ull : (1ull << (8 * len)) - 1;
}

static bool overlaps(unsigned int off, unsigned int len, unsigned int start,
		     unsigned int size)
{
	return off < start + size && start < off + len;
}

/* ---------------------------------------------------------------------
 * Interrupts
 */
static int deliver_msi(void *opaque, u64 address, u32 data)
{
	struct pci_dev *d = opaque;
	int r = d->bus->msi(address, data);

	if (r < 0)
		pr_debug("pci %02x.0 %s: MSI 0x%llx/0x%x not delivered: %s",
			 d->slot, d->info.name, (unsigned long long)address,
			 data, strerror(-r));
	return r;
}

static u16 command(const struct pci_dev *d)
{
	return pci_config_get(&d->cfg, PCI_COMMAND, 2);
}

static u16 msix_control(const struct pci_dev *d)
{
	return d->msix_cap ?
	       pci_config_get(&d->cfg, d->msix_cap + PCI_MSIX_FLAGS, 2) : 0;
}

static bool msix_enabled(const struct pci_dev *d)
{
	return msix_control(d) & PCI_MSIX_FLAGS_ENABLE;
}

static bool msix_fmasked(const struct pci_dev *d)
{
	return msix_control(d) & PCI_MSIX_FLAGS_MASKALL;
}

/* The level reaching the line: INTx# unless disabled by the command
 * register or replaced by MSI/MSI-X. The line is the OR of every device
 * on it (level triggered, shared). Called with d->lock held. */
static void update_intx(struct pci_dev *d)
{
	const struct pci_bus_layout *l = &d->bus->layout;
	struct pci_bus *b = d->bus;
	unsigned int pin = d->info.irq_pin, gsi, i;
	bool out, level = false;
	u16 st;

	st = pci_config_get(&d->cfg, PCI_STATUS, 2) & ~PCI_STATUS_INTERRUPT;
	pci_config_set(&d->cfg, PCI_STATUS,
		       st | (d->intx_level ? PCI_STATUS_INTERRUPT : 0), 2);
	if (!pin || !l->nr_gsi)
		return;
	out = d->intx_level && !(command(d) & PCI_COMMAND_INTX_DISABLE) &&
	      !msix_enabled(d) && !msi_enabled(&d->cfg, d->msi_cap);
	gsi = pci_intx_gsi(l->gsi_base, l->nr_gsi, d->slot, pin);

	pthread_mutex_lock(&b->lock);
	d->intx_out = out;
	for (i = 0; i < PCI_MAX_SLOTS; i++) {
		struct pci_dev *o = b->slots[i];

		if (o && o->intx_out && o->info.irq_pin &&
		    pci_intx_gsi(l->gsi_base, l->nr_gsi, o->slot,
				 o->info.irq_pin) == gsi)
			level = true;
	}
	irq_line(gsi, level);
	pthread_mutex_unlock(&b->lock);
}

void pci_irq_set(struct pci_dev *d, bool level)
{
	pthread_mutex_lock(&d->lock);
	d->intx_level = level;
	update_intx(d);
	pthread_mutex_unlock(&d->lock);
}

int pci_msi_notify(struct pci_dev *d, u32 vector)
{
	int r = 0;

	pthread_mutex_lock(&d->lock);
	if (msix_enabled(d))
		r = msix_notify(&d->msix, vector, true, msix_fmasked(d),
				deliver_msi, d);
	else if (msi_enabled(&d->cfg, d->msi_cap))
		r = vector ? -EINVAL :
		    msi_notify(&d->cfg, d->msi_cap, deliver_msi, d);
	pthread_mutex_unlock(&d->lock);
	return r;
}

int pci_msix_notify_via(struct pci_dev *d, u32 vector,
			msix_deliver_fn deliver, void *opaque)
{
	int r = -ENODEV;

	pthread_mutex_lock(&d->lock);
	if (msix_enabled(d))
		r = msix_notify(&d->msix, vector, true, msix_fmasked(d),
				deliver, opaque);
	pthread_mutex_unlock(&d->lock);
	return r;
}

/* ---------------------------------------------------------------------
 * BAR mapping
 */
static struct bus *bar_bus(struct pci_dev *d, enum pci_bar_type t)
{
	return t == PCI_BAR_IO ? d->bus->pio : d->bus->mmio;
}

/* Make the bus agree with COMMAND and the BARs. A BAR the guest put where
 * it cannot be mapped (over another region, past the end of the space)
 * stays unmapped until it is moved somewhere valid. d->lock held. */
static void update_bars(struct pci_dev *d)
{
	u16 cmd = command(d);
	unsigned int n;

	for (n = 0; n < PCI_NUM_BARS; n++) {
		const struct pci_bar_info *bi = &d->info.bars[n];
		struct pci_bar_map *m = &d->map[n];
		struct bus *bus = bar_bus(d, bi->type);
		bool want;
		u64 addr;
		int r;

		if (bi->type == PCI_BAR_NONE)
			continue;
		want = cmd & (bi->type == PCI_BAR_IO ? PCI_COMMAND_IO :
			      PCI_COMMAND_MEMORY);
		addr = pci_config_bar_addr(&d->cfg, n, bi->type);
		if (m->mapped && want && m->base == addr)
			continue;
		if (m->mapped && want) {
			r = bus_move(bus, m->base, addr, m);
			if (!r) {
				m->base = addr;
				continue;
			}
		}
		if (m->mapped) {
			bus_unregister(bus, m->base, m);
			m->mapped = false;
		}
		if (!want)
			continue;
		r = bus_register(bus, addr, bi->size, &pci_bar_ops, m);
		if (r) {
			pr_debug("pci %02x.0 %s: BAR%u at 0x%llx (%llu bytes) not mapped: %s",
				 d->slot, d->info.name, n,
				 (unsigned long long)addr,
				 (unsigned long long)bi->size, strerror(-r));
			continue;
		}
		m->mapped = true;
		m->base = addr;
	}
	/* Tell the device where its BARs are now (virtio moves the
	 * ioeventfds of its notify area with its BAR). */
	for (n = 0; d->info.bar_moved && n < PCI_NUM_BARS; n++) {
		struct pci_bar_map *m = &d->map[n];

		if (d->info.bars[n].type == PCI_BAR_NONE ||
		    (m->mapped == d->told[n].mapped &&
		     (!m->mapped || m->base == d->told[n].base)))
			continue;
		d->told[n].mapped = m->mapped;
		d->told[n].base = m->base;
		d->info.bar_moved(d->info.bar_moved_opaque, n, m->mapped,
				  m->base);
	}
}

static bool in_msix_range(const struct pci_dev *d, u8 n, u64 offset,
			  u64 start, u64 size)
{
	return d->msix_cap && n == d->info.msix_bar && offset >= start &&
	       offset - start < size;
}

static void pci_bar_read(void *opaque, u64 offset, void *data, u32 len)
{
	struct pci_bar_map *m = opaque;
	struct pci_dev *d = m->dev;
	const struct pci_bar_info *bi = &d->info.bars[m->n];
	u64 t = d->info.msix_table_offset, p = d->info.msix_pba_offset;

	if (in_msix_range(d, m->n, offset, t, msix_table_size(&d->msix))) {
		pthread_mutex_lock(&d->lock);
		msix_table_read(&d->msix, offset - t, data, len);
		pthread_mutex_unlock(&d->lock);
	} else if (in_msix_range(d, m->n, offset, p, msix_pba_size(&d->msix))) {
		pthread_mutex_lock(&d->lock);
		msix_pba_read(&d->msix, offset - p, data, len);
		pthread_mutex_unlock(&d->lock);
	} else if (bi->ops && bi->ops->read) {
		bi->ops->read(bi->opaque, offset, data, len);
	} else {
		memset(data, 0, len);
	}
}

static void pci_bar_write(void *opaque, u64 offset, const void *data,
			  u32 len)
{
	struct pci_bar_map *m = opaque;
	struct pci_dev *d = m->dev;
	const struct pci_bar_info *bi = &d->info.bars[m->n];
	u64 t = d->info.msix_table_offset, p = d->info.msix_pba_offset;

	if (in_msix_range(d, m->n, offset, t, msix_table_size(&d->msix))) {
		pthread_mutex_lock(&d->lock);
		msix_table_write(&d->msix, offset - t, data, len,
				 msix_enabled(d), msix_fmasked(d),
				 deliver_msi, d);
		pthread_mutex_unlock(&d->lock);
	} else if (in_msix_range(d, m->n, offset, p, msix_pba_size(&d->msix))) {
		/* the PBA is read-only */
	} else if (bi->ops && bi->ops->write) {
		bi->ops->write(bi->opaque, offset, data, len);
	}
}

/* ---------------------------------------------------------------------
 * Devices
 */
static int bad_info(const struct pci_device_info *info, const char *why,
		    unsigned int n)
{
	pr_err("pci device %s: %s (BAR %u)", info->name ? info->name : "?",
	       why, n);
	return -EINVAL;
}

static int check_info(const struct pci_device_info *info)
{
	const struct pci_bar_info *mb;
	unsigned int n;
	u64 ts, ps;

	if (info->irq_pin > PCI_INTX_PINS)
		return bad_info(info, "interrupt pin out of range", 0);
	for (n = 0; n < PCI_NUM_BARS; n++) {
		const struct pci_bar_info *bi = &info->bars[n];

		if (bi->type == PCI_BAR_NONE) {
			if (bi->size || bi->ops)
				return bad_info(info, "size or ops on an unused BAR", n);
			continue;
		}
		if (bi->type == PCI_BAR_MEM64 &&
		    (n == PCI_NUM_BARS - 1 ||
		     info->bars[n + 1].type != PCI_BAR_NONE))
			return bad_info(info, "a 64-bit BAR needs the next slot free", n);
		if (bi->type == PCI_BAR_MEM64)
			n++;
	}
	if (!info->msix_vectors)
		return 0;
	if (info->msix_vectors > PCI_MSIX_MAX_VECTORS ||
	    info->msix_bar >= PCI_NUM_BARS)
		return bad_info(info, "MSI-X vectors or BAR out of range",
				info->msix_bar);
	mb = &info->bars[info->msix_bar];
	ts = (u64)info->msix_vectors * PCI_MSIX_ENTRY_SIZE;
	ps = (info->msix_vectors + 63) / 64 * 8;
	if (mb->type != PCI_BAR_MEM32 && mb->type != PCI_BAR_MEM64)
		return bad_info(info, "MSI-X table not in a memory BAR",
				info->msix_bar);
	if ((info->msix_table_offset | info->msix_pba_offset) & 7 ||
	    info->msix_table_offset + ts > mb->size ||
	    info->msix_pba_offset + ps > mb->size ||
	    overlaps(info->msix_table_offset, ts, info->msix_pba_offset, ps))
		return bad_info(info, "MSI-X table/PBA misplaced",
				info->msix_bar);
	return 0;
}

int pci_dev_init(struct pci_dev *d, const struct pci_device_info *info)
{
	unsigned int n;
	int r;

	r = check_info(info);
	if (r)
		return r;
	memset(d, 0, sizeof(*d));
	d->info = *info;
	pthread_mutex_init(&d->lock, NULL);
	pci_config_init(&d->cfg, info->vendor, info->device, info->class_code,
			info->revision, info->subsys_vendor, info->subsys_id,
			info->irq_pin);
	for (n = 0; n < PCI_NUM_BARS; n++) {
		const struct pci_bar_info *bi = &info->bars[n];

		d->map[n].dev = d;
		d->map[n].n = n;
		if (bi->type != PCI_BAR_NONE &&
		    pci_config_set_bar(&d->cfg, n, bi->type, bi->size,
				       bi->prefetch))
			return bad_info(info, "bad size for its type", n);
	}
	if (info->msi) {
		d->msi_cap = msi_cap_add(&d->cfg);
		if (!d->msi_cap)
			return bad_info(info, "no room for the MSI capability", 0);
	}
	if (info->msix_vectors) {
		d->msix_cap = pci_config_add_cap(&d->cfg, PCI_CAP_ID_MSIX,
						 PCI_MSIX_CAP_SIZE);
		if (!d->msix_cap)
			return bad_info(info, "no room for the MSI-X capability", 0);
		pci_config_set(&d->cfg, d->msix_cap + PCI_MSIX_FLAGS,
			       info->msix_vectors - 1, 2);
		pci_config_set_wmask(&d->cfg, d->msix_cap + PCI_MSIX_FLAGS,
				     PCI_MSIX_FLAGS_ENABLE |
				     PCI_MSIX_FLAGS_MASKALL, 2);
		pci_config_set(&d->cfg, d->msix_cap + PCI_MSIX_TABLE,
			       info->msix_table_offset | info->msix_bar, 4);
		pci_config_set(&d->cfg, d->msix_cap + PCI_MSIX_PBA,
			       info->msix_pba_offset | info->msix_bar, 4);
		msix_reset(&d->msix, info->msix_vectors);
	}
	return 0;
}

static u64 align_up(u64 x, u64 a)
{
	return (x + a - 1) & ~(a - 1);
}

/* Next address for size bytes in [*next, end), aligned to align. */
static int place(u64 *next, u64 end, u64 size, u64 align, u64 *addr)
{
	u64 a = align_up(*next, align);

	if (a < *next || a > end || size > end - a)
		return -ENOSPC;
	*addr = a;
	*next = a + size;
	return 0;
}

int pci_register(struct pci_bus *b, struct pci_dev *d)
{
	const struct pci_bus_layout *l = &b->layout;
	u64 mmio_next, io_next, addr[PCI_NUM_BARS] = { 0 };
	unsigned int slot, n;
	u16 cmd = 0;
	int r = 0;

	pthread_mutex_lock(&b->lock);
	for (slot = 0; slot < PCI_MAX_SLOTS && b->slots[slot]; slot++)
		;
	if (slot == PCI_MAX_SLOTS) {
		pthread_mutex_unlock(&b->lock);
		pr_err("pci: no free slot for %s (at most %d devices on bus 0)",
		       d->info.name, PCI_MAX_SLOTS - 1);
		return -ENOSPC;
	}
	/* Like firmware: memory BARs naturally aligned (at least a page, so
	 * each can be mapped on its own), I/O BARs aligned to their size. */
	mmio_next = b->mmio_next;
	io_next = b->io_next;
	for (n = 0; n < PCI_NUM_BARS && !r; n++) {
		const struct pci_bar_info *bi = &d->info.bars[n];

		if (bi->type == PCI_BAR_IO) {
			r = place(&io_next, l->io_end, bi->size, bi->size,
				  &addr[n]);
			cmd |= PCI_COMMAND_IO;
		} else if (bi->type != PCI_BAR_NONE) {
			r = place(&mmio_next, l->mmio_end, bi->size,
				  bi->size > 4096 ? bi->size : 4096, &addr[n]);
			cmd |= PCI_COMMAND_MEMORY;
		}
		if (r)
			pr_err("pci: %s BAR%u (%llu bytes) does not fit in the %s window",
			       d->info.name, n, (unsigned long long)bi->size,
			       bi->type == PCI_BAR_IO ? "I/O" : "MMIO");
	}
	if (r) {
		pthread_mutex_unlock(&b->lock);
		return r;
	}
	b->mmio_next = mmio_next;
	b->io_next = io_next;
	d->bus = b;
	d->slot = slot;
	b->slots[slot] = d;
	pthread_mutex_unlock(&b->lock);

	pthread_mutex_lock(&d->lock);
	for (n = 0; n < PCI_NUM_BARS; n++)
		pci_config_set_bar_addr(&d->cfg, n, d->info.bars[n].type,
					addr[n]);
	pci_config_set(&d->cfg, PCI_COMMAND, cmd, 2);
	/* What a BIOS leaves there: the legacy IRQ the line is routed to. */
	if (d->info.irq_pin && l->nr_gsi)
		pci_config_set(&d->cfg, PCI_INTERRUPT_LINE,
			       pci_intx_gsi(l->gsi_base, l->nr_gsi, slot,
					    d->info.irq_pin), 1);
	update_bars(d);
	for (n = 0; n < PCI_NUM_BARS; n++) {
		if (d->info.bars[n].type != PCI_BAR_NONE && !d->map[n].mapped) {
			pr_err("pci: %s BAR%u at 0x%llx overlaps another device",
			       d->info.name, n, (unsigned long long)addr[n]);
			r = -EEXIST;
		}
	}
	pthread_mutex_unlock(&d->lock);
	if (!r)
		pr_debug("pci: 00:%02x.0 %s %04x:%04x", slot, d->info.name,
			 d->info.vendor, d->info.device);
	return r;
}

struct pci_dev *pci_bus_find(struct pci_bus *b, unsigned int slot)
{
	struct pci_dev *d;

	if (slot >= PCI_MAX_SLOTS)
		return NULL;
	pthread_mutex_lock(&b->lock);
	d = b->slots[slot];
	pthread_mutex_unlock(&b->lock);
	return d;
}

/* ---------------------------------------------------------------------
 * Configuration space
 */
static struct pci_dev *config_target(struct pci_bus *b, u8 bus, u8 devfn)
{
	/* bus 0 only, function 0 only (no multi-function devices) */
	if (bus || (devfn & 7))
		return NULL;
	return pci_bus_find(b, devfn >> 3);
}

u64 pci_bus_config_read(struct pci_bus *b, u8 bus, u8 devfn,
			unsigned int off, unsigned int len)
{
	struct pci_dev *d = config_target(b, bus, devfn);
	u64 v;

	if (len > 8)
		len = 8;
	if (!d)
		return ones(len);
	pthread_mutex_lock(&d->lock);
	v = pci_config_read(&d->cfg, off, len);
	pthread_mutex_unlock(&d->lock);
	return v;
}

void pci_bus_config_write(struct pci_bus *b, u8 bus, u8 devfn,
			  unsigned int off, u64 val, unsigned int len)
{
	struct pci_dev *d = config_target(b, bus, devfn);
	bool was_enabled, was_fmasked;

	if (!d || len > 8 || off >= PCI_CFG_SIZE)
		return;
	pthread_mutex_lock(&d->lock);
	was_enabled = msix_enabled(d);
	was_fmasked = msix_fmasked(d);
	pci_config_write(&d->cfg, off, val, len);
	if (overlaps(off, len, PCI_COMMAND, 2) ||
	    overlaps(off, len, PCI_BASE_ADDRESS_0, 4 * PCI_NUM_BARS))
		update_bars(d);
	if (d->msix_cap && overlaps(off, len, d->msix_cap, PCI_MSIX_CAP_SIZE) &&
	    (was_enabled != msix_enabled(d) || was_fmasked != msix_fmasked(d)))
		msix_control_changed(&d->msix, msix_enabled(d),
				     msix_fmasked(d), deliver_msi, d);
	if (d->msi_cap && overlaps(off, len, d->msi_cap, PCI_MSI_CAP_SIZE))
		msi_config_written(&d->cfg, d->msi_cap, deliver_msi, d);
	if (overlaps(off, len, PCI_COMMAND, 2) ||
	    (d->msix_cap && overlaps(off, len, d->msix_cap, PCI_MSIX_CAP_SIZE)) ||
	    (d->msi_cap && overlaps(off, len, d->msi_cap, PCI_MSI_CAP_SIZE)))
		update_intx(d);
	pthread_mutex_unlock(&d->lock);
}

/* ---------------------------------------------------------------------
 * Bus, save/load
 */
static int default_msi(u64 address, u32 data)
{
	return irq_msi(address, data);
}

void pci_bus_init(struct pci_bus *b, const struct pci_bus_layout *l,
		  struct bus *pio, struct bus *mmio)
{
	static const struct pci_device_info host = {
		.name = "host bridge",
		.vendor = PCI_HOST_VENDOR,
		.device = PCI_HOST_DEVICE,
		.subsys_vendor = PCI_HOST_VENDOR,
		.subsys_id = 0x1100,	/* QEMU's default subsystem ID */
		.class_code = PCI_CLASS_HOST_BRIDGE,
	};

	memset(b, 0, sizeof(*b));
	b->layout = *l;
	b->pio = pio;
	b->mmio = mmio;
	b->msi = default_msi;
	b->mmio_next = l->mmio_base;
	b->io_next = l->io_base;
	pthread_mutex_init(&b->lock, NULL);
	pci_dev_init(&b->host, &host);
	b->host.bus = b;
	b->slots[0] = &b->host;
}

void pci_dev_save(struct pci_dev *d, struct pci_dev_state *st)
{
	pthread_mutex_lock(&d->lock);
	memcpy(st->config, d->cfg.data, sizeof(st->config));
	st->msix = d->msix;
	st->intx_level = d->intx_level;
	pthread_mutex_unlock(&d->lock);
}

void pci_dev_load(struct pci_dev *d, const struct pci_dev_state *st)
{
	pthread_mutex_lock(&d->lock);
	memcpy(d->cfg.data, st->config, sizeof(d->cfg.data));
	d->msix = st->msix;
	/* the table size is the device's, not the saved file's */
	d->msix.nr = d->info.msix_vectors ? d->info.msix_vectors : 0;
	d->intx_level = st->intx_level;
	update_bars(d);
	update_intx(d);
	pthread_mutex_unlock(&d->lock);
}
