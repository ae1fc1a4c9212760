/* SPDX-License-Identifier: GPL-2.0 */
/*
 * --disk PATH[,key=value...]: what the user asked for one disk. Parsing
 * only; no file is touched (see blockdev_open()).
 */
#ifndef NYX_BLOCK_SPEC_H
#define NYX_BLOCK_SPEC_H

#include <stdbool.h>
#include <stddef.h>

/* virtio-blk's GET_ID returns at most 20 bytes. */
#define DISK_SERIAL_MAX	20

enum disk_format {
	DISK_FMT_AUTO,		/* qcow2 magic, else raw */
	DISK_FMT_RAW,
	DISK_FMT_QCOW2,
};

enum disk_cache {
	DISK_CACHE_WRITEBACK,	/* host page cache; flush = fdatasync */
	DISK_CACHE_NONE,	/* O_DIRECT; flush = fdatasync */
};

struct disk_spec {
	char *path;			/* malloc'd */
	bool readonly;
	enum disk_format format;
	enum disk_cache cache;
	char serial[DISK_SERIAL_MAX + 1];
};

/*
 * Parse "PATH[,readonly][,cache=none|writeback][,format=raw|qcow2|auto]
 * [,serial=ID]" (or "path=PATH,..."). Commas in PATH are written ",,"
 * like QEMU. Returns 0, or -1 after printing an error.
 */
int disk_spec_parse(const char *arg, struct disk_spec *s);
void disk_spec_free(struct disk_spec *s);

/* The keys of a disk, for "unknown key" messages. */
#define DISK_SPEC_KEYS	"path, readonly, cache, format, serial"

/*
 * Check and set one text-valued key of a disk: "cache", "format" or
 * "serial" (the one checker behind both --disk and the config file's
 * "disks"). Returns 0, or -1 with a message in err that names the bad
 * value and what is expected, without context: the caller prefixes its
 * own ("--disk: ", "disks[0].cache: ").
 */
int disk_spec_set(struct disk_spec *s, const char *key, const char *val,
		  char *err, size_t errlen);

const char *disk_format_name(enum disk_format f);

#endif
