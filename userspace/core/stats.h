/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nyx.ko's binary statistics (NYX_GET_STATS, NYX_GET_VM_STATS; layout in
 * include/uapi/nyx.h and Documentation/api.rst), read without parsing
 * text, and a name -> value table built from them. Used by "nyx stat" and
 * by the control socket's query-stats.
 */
#ifndef NYX_CORE_STATS_H
#define NYX_CORE_STATS_H

#include <stdio.h>

#include <uapi/nyx.h>

#include "core/util.h"

/* One statistic of a snapshot, valid during the callback only. */
struct stat_value {
	const char *name;
	u8 type;		/* NYX_STATS_TYPE_* */
	u8 unit;		/* NYX_STATS_UNIT_* */
	u32 size;		/* number of values: 1, or NYX_TOPN for tables */
	const u64 *values;
};

/* Returns 0 to go on, anything else stops the walk and is returned. */
typedef int (*stats_cb)(void *opaque, const struct stat_value *v);

/*
 * Walk a snapshot of len bytes, checking every offset and size against
 * len first. Returns -EINVAL for a malformed snapshot (nothing is passed
 * to cb then), else 0 or what cb returned.
 */
int stats_parse(const void *buf, size_t len, stats_cb cb, void *opaque);

/* Whether fd (/dev/nyx or a VM fd) has the binary stats: 0 or 1. */
int stats_supported(int fd);

/*
 * Read a vCPU's (NYX_GET_STATS) or a VM's (NYX_GET_VM_STATS) statistics
 * and walk them. 0, what cb returned, or -errno (-ENOTTY: no binary
 * stats in this module).
 */
int stats_read_vcpu(int vcpu_fd, stats_cb cb, void *opaque);
int stats_read_vm(int vm_fd, stats_cb cb, void *opaque);

/* The raw snapshot: *buf is malloc'd (free it), *len its size. */
int stats_fetch(int fd, unsigned long request, void **buf, size_t *len);

/*
 * A flat name -> value table; a table stat of N values becomes N entries
 * "name[i]". stats_table_add() sums into an existing entry with the
 * same name (several vCPUs into one table), except for instant values
 * (last one wins) and peaks (the largest).
 */
struct stats_entry {
	char name[NYX_STATS_NAME_SIZE + 8];
	u8 type, unit;
	u64 value;
};

struct stats_table {
	struct stats_entry *e;
	size_t n, cap;
};

int stats_table_add(struct stats_table *t, const char *name, u8 type,
		    u8 unit, u64 value);
/* A stats_cb that adds every value to the stats_table passed as opaque. */
int stats_table_collect(void *table, const struct stat_value *v);
const struct stats_entry *stats_table_find(const struct stats_table *t,
					   const char *name);
void stats_table_clear(struct stats_table *t);
void stats_table_free(struct stats_table *t);

/*
 * The debugfs text form (vcpuN/exits: "name value" lines), for modules
 * without binary stats or readers without the fd: added like
 * stats_table_add(), types guessed from the names (*_max_ns: peak,
 * *_ns: cumulative time). Returns the number of lines taken.
 */
int stats_table_add_text(struct stats_table *t, FILE *f);

/*
 * The names of NYX_STATS_TYPE_* ("cumulative", "instant", "peak") and
 * NYX_STATS_UNIT_* ("none", "ns", "bytes", "address") in query-stats'
 * descriptors: one table each, for the server (vmctl.c) and the reader
 * (statsock.c). A code without a name is "unknown"; a name not in the
 * table (another version's) reads as cumulative / none.
 */
const char *stats_type_name(u8 type);
const char *stats_unit_name(u8 unit);
u8 stats_type_code(const char *name);
u8 stats_unit_code(const char *name);

#endif
