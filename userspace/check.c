// SPDX-License-Identifier: GPL-2.0
/*
 * nyx check [--config FILE] [run options]: the production-readiness
 * check. Everything "nyx run" would need, tested without starting a VM;
 * one row per check, exit status 1 if any failed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include <uapi/nyx.h>

#include "block/blockdev.h"
#include "core/options.h"
#include "core/vm.h"
#include "ctl.h"

enum verdict { OK, WARN, FAIL };

struct checker {
	unsigned int failed, warned;
};

static void row(struct checker *c, enum verdict v, const char *what,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void row(struct checker *c, enum verdict v, const char *what,
		const char *fmt, ...)
{
	static const char *const names[] = { "ok", "WARN", "FAIL" };
	char detail[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	printf("  %-28s %-5s %s\n", what, names[v], detail);
	if (v == FAIL)
		c->failed++;
	else if (v == WARN)
		c->warned++;
}

static void check_readable(struct checker *c, const char *what,
			   const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		row(c, FAIL, what, "%s: %s", path, strerror(errno));
		return;
	}
	close(fd);
	row(c, OK, what, "%s readable", path);
}

/* The directory a socket or output file goes to must be writable. */
static void check_dir_writable(struct checker *c, const char *what,
			       const char *path)
{
	char *copy = strdup(path);
	const char *dir = copy ? dirname(copy) : ".";

	if (access(dir, W_OK | X_OK))
		row(c, FAIL, what, "%s: %s", dir, strerror(errno));
	else
		row(c, OK, what, "%s writable", dir);
	free(copy);
}

static void check_memory(struct checker *c, const struct run_options *o)
{
	struct sysinfo si;
	u64 total, avail;

	if (sysinfo(&si)) {
		row(c, WARN, "memory", "sysinfo: %s", strerror(errno));
		return;
	}
	total = (u64)si.totalram * si.mem_unit;
	avail = (u64)(si.freeram + si.bufferram) * si.mem_unit;
	if (o->memory > total)
		row(c, FAIL, "memory", "%llu MiB asked, the host has %llu MiB",
		    (unsigned long long)(o->memory >> 20),
		    (unsigned long long)(total >> 20));
	else if (o->memory > avail)
		row(c, WARN, "memory", "%llu MiB asked, %llu MiB free now",
		    (unsigned long long)(o->memory >> 20),
		    (unsigned long long)(avail >> 20));
	else
		row(c, OK, "memory", "%llu MiB of %llu MiB",
		    (unsigned long long)(o->memory >> 20),
		    (unsigned long long)(total >> 20));
}

static void check_cpus(struct checker *c, const struct run_options *o)
{
	long host = sysconf(_SC_NPROCESSORS_ONLN);

	if (host > 0 && o->cpus > (unsigned long)host)
		row(c, FAIL, "cpus", "%u vCPUs, the host has %ld online CPUs",
		    o->cpus, host);
	else
		row(c, OK, "cpus", "%u vCPU(s), %ld host CPUs", o->cpus, host);
}

/* Two disks on one image: run would find it locked by itself. */
static bool same_image(const struct run_options *o, unsigned int i,
		       const char *what, struct checker *c)
{
	struct stat a, b;
	unsigned int j;

	if (stat(o->disks[i].path, &a))
		return false;	/* blockdev_open() reports it */
	for (j = 0; j < i; j++) {
		if (stat(o->disks[j].path, &b) || a.st_dev != b.st_dev ||
		    a.st_ino != b.st_ino)
			continue;
		if (o->disks[i].readonly && o->disks[j].readonly)
			continue;
		row(c, FAIL, what, "%s: same image as disks[%u], which %s it",
		    o->disks[i].path, j, o->disks[j].readonly ?
		    "only reads; this one writes" : "writes");
		return true;
	}
	return false;
}

static void check_disks(struct checker *c, const struct run_options *o)
{
	unsigned int i;

	for (i = 0; i < o->ndisks; i++) {
		struct blockdev *bd;
		char what[32];
		int r;

		snprintf(what, sizeof(what), "disks[%u]", i);
		if (same_image(o, i, what, c))
			continue;
		/* opening is what run does: format probe, and for a
		 * read-write image the lock other users would hold */
		r = blockdev_open(&o->disks[i], &bd);
		if (r) {
			row(c, FAIL, what, "%s: cannot open or lock it (%s)",
			    o->disks[i].path, strerror(r < 0 ? -r : EIO));
			continue;
		}
		row(c, OK, what, "%s: %s, %llu MiB, %s, locked fine",
		    o->disks[i].path, blockdev_format_name(bd),
		    (unsigned long long)(blockdev_size(bd) >> 20),
		    blockdev_readonly(bd) ? "read-only" : "read-write");
		blockdev_close(bd);
	}
}

static void check_cap(struct checker *c, int fd, const char *what, int cap,
		      enum verdict missing, const char *why)
{
	int r = ioctl(fd, NYX_CHECK_EXTENSION, cap);

	if (r > 0)
		row(c, OK, what, "%d (%s)", r, why);
	else
		row(c, missing, what, "not in this nyx.ko (%s)", why);
}

static void check_module(struct checker *c, const struct run_options *o)
{
	int fd = open(NYX_DEV_PATH, O_RDWR | O_CLOEXEC);
	int api, r;

	if (fd < 0) {
		row(c, FAIL, NYX_DEV_PATH, "%s (insmod nyx.ko?)", strerror(errno));
		return;
	}
	row(c, OK, NYX_DEV_PATH, "present");
	api = ioctl(fd, NYX_GET_API_VERSION, 0);
	if (api != NYX_API_VERSION)
		row(c, FAIL, "API version", "module %d, launcher %d", api,
		    NYX_API_VERSION);
	else
		row(c, OK, "API version", "%d", api);
	r = ioctl(fd, NYX_CHECK_EXTENSION, NYX_CAP_NR_VCPUS);
	if (r > 0 && o->cpus > (unsigned int)r)
		row(c, FAIL, "module vCPU limit", "%u asked, nyx.ko allows %d",
		    o->cpus, r);
	else
		row(c, OK, "module vCPU limit", "%d", r);
	check_cap(c, fd, "cap IMMEDIATE_EXIT", NYX_CAP_IMMEDIATE_EXIT, FAIL,
		  "pause and stop");
	if (o->irqchip)
		check_cap(c, fd, "cap IRQCHIP", NYX_CAP_IRQCHIP,
			  o->kernel ? FAIL : WARN, "irqchip on");
	if (o->ndisks && o->virtio_fastpath) {
		check_cap(c, fd, "cap IOEVENTFD", NYX_CAP_IOEVENTFD, WARN,
			  "virtio fast path; falls back to exits");
		check_cap(c, fd, "cap IRQFD", NYX_CAP_IRQFD, WARN,
			  "virtio fast path; falls back to ioctls");
	}
	close(fd);
}

int cmd_check(int argc, char **argv)
{
	struct checker c = { 0 };
	struct run_options o;
	int ret;

	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("usage: nyx check [--config FILE] [nyx run options]\n"
		       "Check that the VM described could start here (files, images and\n"
		       "their locks, memory and CPUs, /dev/nyx, its API version and the\n"
		       "capabilities the configuration needs). Exit status 1 if any check\n"
		       "FAILs, 2 if the configuration itself is invalid.\n");
		return 0;
	}
	printf("  %-28s %-5s %s\n", "CHECK", "", "DETAIL");
	/* the configuration: everything run_options_parse() validates */
	ret = run_options_parse(argc, argv, &o);
	if (ret) {
		row(&c, FAIL, "configuration", "invalid (see the message above)");
		printf("1 check(s) failed\n");
		return ret > 0 ? 0 : NYX_EXIT_SETUP;
	}
	row(&c, OK, "configuration", "%s", o.config ? o.config : "command line");
	check_memory(&c, &o);
	check_cpus(&c, &o);
	if (o.kernel)
		check_readable(&c, "kernel", o.kernel);
	if (o.initrd)
		check_readable(&c, "initrd", o.initrd);
	if (o.flat_path)
		check_readable(&c, "flat image", o.flat_path);
	check_disks(&c, &o);
	if (o.nr_nics) {
		if (access("/dev/net/tun", R_OK | W_OK))
			row(&c, FAIL, "nics", "/dev/net/tun: %s", strerror(errno));
		else
			row(&c, WARN, "nics", "virtio-net is not built yet: run refuses --nic");
	}
	if (o.control)
		check_dir_writable(&c, "control socket", o.control);
	if (o.log_file)
		check_dir_writable(&c, "log file", o.log_file);
	if (o.serial == SERIAL_FILE)
		check_dir_writable(&c, "serial file", o.serial_path);
	check_module(&c, &o);
	run_options_free(&o);
	printf("%u check(s) failed, %u warning(s)\n", c.failed, c.warned);
	return c.failed ? 1 : 0;
}
