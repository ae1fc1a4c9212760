/* SPDX-License-Identifier: GPL-2.0 */
/*
 * QEMU's firmware configuration interface, legacy I/O flavour: write a
 * 16-bit key to 0x510, then read the item's bytes one at a time from
 * 0x511 (past its end: zeros). No DMA interface (ID bit 1 clear) and no
 * guest writes. Items: the "QEMU" signature, the ID, RAM size, CPU counts
 * and the file directory (key 0x19: big-endian count, then {size, select,
 * reserved, name[56]} entries) for files added with fw_cfg_add_file(),
 * which get keys from 0x20.
 */
#ifndef NYX_FW_CFG_H
#define NYX_FW_CFG_H

#include <pthread.h>

#include "core/util.h"

#define FW_CFG_PORT_SEL		0x510
#define FW_CFG_PORT_DATA	0x511

#define FW_CFG_SIGNATURE	0x00
#define FW_CFG_ID		0x01
#define FW_CFG_RAM_SIZE		0x03
#define FW_CFG_NB_CPUS		0x05
#define FW_CFG_MAX_CPUS		0x0f
#define FW_CFG_FILE_DIR		0x19
#define FW_CFG_FILE_FIRST	0x20
#define FW_CFG_MAX_FILES	32
#define FW_CFG_MAX_KEY		(FW_CFG_FILE_FIRST + FW_CFG_MAX_FILES)
#define FW_CFG_ENTRY_MASK	0x3fff	/* bit 14: write, bit 15: arch */
#define FW_CFG_ARCH_LOCAL	0x8000
#define FW_CFG_NAME_MAX		56
#define FW_CFG_DIR_ENTRY_SIZE	64
#define FW_CFG_ID_TRADITIONAL	1

/* Guest-visible position: the rest is configuration, rebuilt at start. */
struct fw_cfg_state {
	u16 selector;
	u32 offset;
};

struct fw_cfg_item {
	u8 *data;		/* owned copy */
	u32 len;
};

struct fw_cfg {
	pthread_mutex_t lock;
	struct fw_cfg_state st;
	struct fw_cfg_item items[FW_CFG_MAX_KEY];
	unsigned int nr_files;
	char names[FW_CFG_MAX_FILES][FW_CFG_NAME_MAX];	/* NUL padded */
};

/* Signature, ID and an empty directory. */
void fw_cfg_init(struct fw_cfg *f);
void fw_cfg_destroy(struct fw_cfg *f);
int fw_cfg_register(struct fw_cfg *f);

/* Set item key to a copy of data. Returns 0, -EINVAL or -ENOMEM. */
int fw_cfg_add_bytes(struct fw_cfg *f, u16 key, const void *data, u32 len);
int fw_cfg_add_le(struct fw_cfg *f, u16 key, u64 value, unsigned int size);

/* Add a named file; returns its key (>= 0x20), -E2BIG when the directory
 * is full, -EINVAL for a bad name or -ENOMEM. */
int fw_cfg_add_file(struct fw_cfg *f, const char *name, const void *data,
		    u32 len);

/* The machine items: RAM size, boot and maximum CPU counts. */
int fw_cfg_add_machine(struct fw_cfg *f, u64 ram_size, unsigned int nr_cpus,
		       unsigned int max_cpus);

void fw_cfg_io_read(void *opaque, u64 offset, void *data, u32 len);
void fw_cfg_io_write(void *opaque, u64 offset, const void *data, u32 len);

void fw_cfg_save(struct fw_cfg *f, struct fw_cfg_state *st);
void fw_cfg_load(struct fw_cfg *f, const struct fw_cfg_state *st);

#endif
