// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/bus.h"
#include "hw/fw_cfg.h"

static void store_be(u8 *p, u64 val, unsigned int len)
{
	while (len--) {
		p[len] = (u8)val;
		val >>= 8;
	}
}

static int set_item(struct fw_cfg *f, u16 key, const void *data, u32 len)
{
	u8 *copy = NULL;

	if (key >= FW_CFG_MAX_KEY)
		return -EINVAL;
	if (len) {
		copy = malloc(len);
		if (!copy)
			return -ENOMEM;
		memcpy(copy, data, len);
	}
	pthread_mutex_lock(&f->lock);
	free(f->items[key].data);
	f->items[key].data = copy;
	f->items[key].len = len;
	pthread_mutex_unlock(&f->lock);
	return 0;
}

int fw_cfg_add_bytes(struct fw_cfg *f, u16 key, const void *data, u32 len)
{
	return set_item(f, key, data, len);
}

int fw_cfg_add_le(struct fw_cfg *f, u16 key, u64 value, unsigned int size)
{
	u8 buf[8];

	if (size > sizeof(buf))
		return -EINVAL;
	store_le(buf, value, size);
	return set_item(f, key, buf, size);
}

/* Rebuilt from the file items whenever one is added. */
static int write_dir(struct fw_cfg *f)
{
	u8 dir[4 + FW_CFG_MAX_FILES * FW_CFG_DIR_ENTRY_SIZE] = { 0 };
	unsigned int i;

	store_be(dir, f->nr_files, 4);
	for (i = 0; i < f->nr_files; i++) {
		u8 *e = dir + 4 + i * FW_CFG_DIR_ENTRY_SIZE;

		store_be(e, f->items[FW_CFG_FILE_FIRST + i].len, 4);
		store_be(e + 4, FW_CFG_FILE_FIRST + i, 2);
		memcpy(e + 8, f->names[i], FW_CFG_NAME_MAX);
	}
	return set_item(f, FW_CFG_FILE_DIR, dir,
			4 + f->nr_files * FW_CFG_DIR_ENTRY_SIZE);
}

int fw_cfg_add_file(struct fw_cfg *f, const char *name, const void *data,
		    u32 len)
{
	size_t n = strlen(name);
	int key, ret;

	if (!n || n >= FW_CFG_NAME_MAX)
		return -EINVAL;
	if (f->nr_files == FW_CFG_MAX_FILES)
		return -E2BIG;
	key = FW_CFG_FILE_FIRST + f->nr_files;
	ret = set_item(f, key, data, len);
	if (ret)
		return ret;
	memset(f->names[f->nr_files], 0, FW_CFG_NAME_MAX);
	memcpy(f->names[f->nr_files], name, n);
	f->nr_files++;
	ret = write_dir(f);
	return ret ? ret : key;
}

int fw_cfg_add_machine(struct fw_cfg *f, u64 ram_size, unsigned int nr_cpus,
		       unsigned int max_cpus)
{
	int ret = fw_cfg_add_le(f, FW_CFG_RAM_SIZE, ram_size, 8);

	if (!ret)
		ret = fw_cfg_add_le(f, FW_CFG_NB_CPUS, nr_cpus, 2);
	if (!ret)
		ret = fw_cfg_add_le(f, FW_CFG_MAX_CPUS, max_cpus, 2);
	return ret;
}

void fw_cfg_init(struct fw_cfg *f)
{
	memset(f, 0, sizeof(*f));
	pthread_mutex_init(&f->lock, NULL);
	/* Failures are impossible here but for ENOMEM; then the item just
	 * reads as absent. */
	set_item(f, FW_CFG_SIGNATURE, "QEMU", 4);
	fw_cfg_add_le(f, FW_CFG_ID, FW_CFG_ID_TRADITIONAL, 4);
	write_dir(f);
}

void fw_cfg_destroy(struct fw_cfg *f)
{
	unsigned int i;

	for (i = 0; i < FW_CFG_MAX_KEY; i++) {
		free(f->items[i].data);
		f->items[i].data = NULL;
		f->items[i].len = 0;
	}
	f->nr_files = 0;
}

/* Arch-local keys (bit 15) and out-of-range keys select nothing. */
static const struct fw_cfg_item *current(const struct fw_cfg *f)
{
	u16 key = f->st.selector;

	if (key & FW_CFG_ARCH_LOCAL)
		return NULL;
	key &= FW_CFG_ENTRY_MASK;
	return key < FW_CFG_MAX_KEY ? &f->items[key] : NULL;
}

void fw_cfg_io_read(void *opaque, u64 offset, void *data, u32 len)
{
	struct fw_cfg *f = opaque;
	const struct fw_cfg_item *it;
	u8 *bytes = data;
	u32 i;

	if (offset != 1) {
		memset(data, 0xff, len);	/* the selector is write-only */
		return;
	}
	pthread_mutex_lock(&f->lock);
	it = current(f);
	for (i = 0; i < len; i++) {
		if (it && f->st.offset < it->len)
			bytes[i] = it->data[f->st.offset++];
		else
			bytes[i] = 0;
	}
	pthread_mutex_unlock(&f->lock);
}

void fw_cfg_io_write(void *opaque, u64 offset, const void *data, u32 len)
{
	struct fw_cfg *f = opaque;

	/* Data-port writes are the deprecated write interface: ignored. */
	if (offset != 0)
		return;
	pthread_mutex_lock(&f->lock);
	f->st.selector = load_le(data, len >= 2 ? 2 : 1);
	f->st.offset = 0;
	pthread_mutex_unlock(&f->lock);
}

static const struct io_ops fw_cfg_ops = {
	.read = fw_cfg_io_read,
	.write = fw_cfg_io_write,
};

int fw_cfg_register(struct fw_cfg *f)
{
	return register_pio(FW_CFG_PORT_SEL, 2, &fw_cfg_ops, f);
}

void fw_cfg_save(struct fw_cfg *f, struct fw_cfg_state *st)
{
	pthread_mutex_lock(&f->lock);
	*st = f->st;
	pthread_mutex_unlock(&f->lock);
}

void fw_cfg_load(struct fw_cfg *f, const struct fw_cfg_state *st)
{
	pthread_mutex_lock(&f->lock);
	f->st = *st;
	pthread_mutex_unlock(&f->lock);
}
