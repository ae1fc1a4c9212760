// SPDX-License-Identifier: GPL-2.0
/* Number and size parsing, --flat FILE@ADDR and "nyx run" options. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "arch/x86/boot.h"
#include "core/options.h"
#include "test.h"
#include "pr_capture.h"

static void test_parse_u64(void)
{
	u64 v = 0;

	CHECK_EQ(parse_u64("0", &v), 0);
	CHECK_EQ(v, 0);
	CHECK_EQ(parse_u64("31744", &v), 0);
	CHECK_EQ(v, 0x7c00);
	CHECK_EQ(parse_u64("0x7C00", &v), 0);
	CHECK_EQ(v, 0x7c00);
	CHECK_EQ(parse_u64("0xffffffffffffffff", &v), 0);
	CHECK_EQ(v, ~0ull);
	CHECK_EQ(parse_u64("0x1ffffffffffffffff", &v), -ERANGE);
	CHECK_EQ(parse_u64("", &v), -EINVAL);
	CHECK_EQ(parse_u64("0x", &v), -EINVAL);
	CHECK_EQ(parse_u64("-1", &v), -EINVAL);
	CHECK_EQ(parse_u64(" 1", &v), -EINVAL);
	CHECK_EQ(parse_u64("12a", &v), -EINVAL);
	CHECK_EQ(parse_u64("0x-1", &v), -EINVAL);
}

static void test_parse_size(void)
{
	u64 v = 0;

	CHECK_EQ(parse_size("64M", &v), 0);
	CHECK_EQ(v, 64ull << 20);
	CHECK_EQ(parse_size("64m", &v), 0);
	CHECK_EQ(v, 64ull << 20);
	CHECK_EQ(parse_size("512K", &v), 0);
	CHECK_EQ(v, 512ull << 10);
	CHECK_EQ(parse_size("4G", &v), 0);
	CHECK_EQ(v, 4ull << 30);
	CHECK_EQ(parse_size("1T", &v), 0);
	CHECK_EQ(v, 1ull << 40);
	CHECK_EQ(parse_size("128", &v), 0);	/* bare number: MiB */
	CHECK_EQ(v, 128ull << 20);
	CHECK_EQ(parse_size("0", &v), 0);
	CHECK_EQ(v, 0);
	CHECK_EQ(parse_size("", &v), -EINVAL);
	CHECK_EQ(parse_size("M", &v), -EINVAL);
	CHECK_EQ(parse_size("12X", &v), -EINVAL);
	CHECK_EQ(parse_size("12MB", &v), -EINVAL);
	CHECK_EQ(parse_size("-1G", &v), -EINVAL);
	CHECK_EQ(parse_size("0x10M", &v), -EINVAL);
	CHECK_EQ(parse_size("17179869184G", &v), -ERANGE);	/* 2^64 */
	CHECK_EQ(parse_size("99999999999999999999999", &v), -ERANGE);
}

static void test_flat_spec(void)
{
	char *path = NULL;
	u64 addr = 0;

	CHECK_EQ(parse_flat_spec("boot.bin", &path, &addr), 0);
	CHECK(path && !strcmp(path, "boot.bin"));
	CHECK_EQ(addr, 0x7c00);
	free(path);

	CHECK_EQ(parse_flat_spec("dir/g.bin@0x100000", &path, &addr), 0);
	CHECK(path && !strcmp(path, "dir/g.bin"));
	CHECK_EQ(addr, 0x100000);
	free(path);

	CHECK_EQ(parse_flat_spec("g.bin@4096", &path, &addr), 0);
	CHECK_EQ(addr, 4096);
	free(path);

	/* the last '@' separates */
	CHECK_EQ(parse_flat_spec("a@b.bin@0x10", &path, &addr), 0);
	CHECK(path && !strcmp(path, "a@b.bin"));
	CHECK_EQ(addr, 0x10);
	free(path);

	CHECK_EQ(parse_flat_spec("@0x10", &path, &addr), -EINVAL);
	CHECK_EQ(parse_flat_spec("g.bin@", &path, &addr), -EINVAL);
	CHECK_EQ(parse_flat_spec("g.bin@0x7g00", &path, &addr), -EINVAL);
	CHECK_EQ(parse_flat_spec("", &path, &addr), -EINVAL);
}

/* Silence stdout/stderr around expected errors and the help text. */
static int saved_fds[2] = { -1, -1 };

static void quiet_begin(void)
{
	int null = open("/dev/null", O_WRONLY);

	fflush(stdout);
	saved_fds[0] = dup(STDOUT_FILENO);
	saved_fds[1] = dup(STDERR_FILENO);
	dup2(null, STDOUT_FILENO);
	dup2(null, STDERR_FILENO);
	close(null);
}

static void quiet_end(void)
{
	fflush(stdout);
	dup2(saved_fds[0], STDOUT_FILENO);
	dup2(saved_fds[1], STDERR_FILENO);
	close(saved_fds[0]);
	close(saved_fds[1]);
}

/* arguments must fail with exactly the message want */
#define PARSE_ERR(want, ...) do {					\
	struct run_options _o;						\
									\
	pr_capture_begin();						\
	CHECK_EQ(PARSE(&_o, __VA_ARGS__), -1);				\
	pr_capture_end();						\
	pr_check(want, #__VA_ARGS__);					\
} while (0)

/* Run the parser on a list of arguments. */
#define PARSE(o, ...) ({						\
	char *_argv[] = { "run", __VA_ARGS__, NULL };			\
	int _ret;							\
									\
	quiet_begin();							\
	_ret = run_options_parse(ARRAY_SIZE(_argv) - 1, _argv, (o));	\
	quiet_end();							\
	_ret;								\
})

static void test_run_options(void)
{
	struct run_options o;

	CHECK_EQ(PARSE(&o, "--flat", "x.bin"), 0);
	CHECK_EQ(o.memory, 64ull << 20);
	CHECK_EQ(o.cpus, 1);
	CHECK(!strcmp(o.flat_path, "x.bin"));
	CHECK_EQ(o.flat_addr, 0x7c00);
	CHECK_EQ(o.serial, SERIAL_STDIO);
	CHECK(!o.testdev && !o.verbose && !o.kernel);
	CHECK(o.irqchip && !o.pm_timer);
	run_options_free(&o);

	CHECK_EQ(PARSE(&o, "--flat", "x", "--irqchip", "off", "--pm-timer",
		       "on"), 0);
	CHECK(!o.irqchip && o.pm_timer);
	run_options_free(&o);
	CHECK_EQ(PARSE(&o, "--flat", "x", "--pm-timer", "yes"), -1);
	CHECK_EQ(PARSE(&o, "--flat", "x", "--irqchip", ""), -1);

	CHECK_EQ(PARSE(&o, "--memory", "2G", "--cpus", "4", "--flat",
		       "g.bin@0x100000", "--serial", "file:/tmp/out.txt",
		       "--device", "testdev", "--device", "testdev",
		       "--verbose"), 0);
	CHECK_EQ(o.memory, 2ull << 30);
	CHECK(!strcmp(o.memory_text, "2G"));
	CHECK_EQ(o.cpus, 4);
	CHECK(!strcmp(o.flat_path, "g.bin"));
	CHECK_EQ(o.flat_addr, 0x100000);
	CHECK_EQ(o.serial, SERIAL_FILE);
	CHECK(!strcmp(o.serial_path, "/tmp/out.txt"));
	CHECK(o.testdev && o.verbose);
	run_options_free(&o);

	CHECK_EQ(PARSE(&o, "-m", "16M", "-c", "64", "--flat=g@512",
		       "--serial=none"), 0);
	CHECK_EQ(o.memory, 16ull << 20);
	CHECK_EQ(o.cpus, 64);
	CHECK_EQ(o.flat_addr, 512);
	CHECK_EQ(o.serial, SERIAL_NONE);
	run_options_free(&o);

	/* direct kernel boot */
	CHECK_EQ(PARSE(&o, "--kernel", "bzImage"), 0);
	CHECK(!strcmp(o.kernel, "bzImage"));
	CHECK(!o.initrd && !o.append && !o.flat_path);
	run_options_free(&o);
	CHECK_EQ(PARSE(&o, "--kernel", "bzImage", "--initrd", "rd.gz",
		       "--append", "console=ttyS0 quiet", "--cpus", "4",
		       "--memory", "1G"), 0);
	CHECK(!strcmp(o.initrd, "rd.gz"));
	CHECK(!strcmp(o.append, "console=ttyS0 quiet"));
	CHECK_EQ(o.cpus, 4);
	run_options_free(&o);
	CHECK_EQ(PARSE(&o, "--kernel", "k", "--append", ""), 0);
	CHECK(o.append && !*o.append);
	run_options_free(&o);
	CHECK_EQ(PARSE(&o, "--kernel", "k", "--flat", "x"), -1);
	CHECK_EQ(PARSE(&o, "--initrd", "rd", "--flat", "x"), -1);
	CHECK_EQ(PARSE(&o, "--append", "a", "--flat", "x"), -1);
	CHECK_EQ(PARSE(&o, "--initrd", "rd"), -1);
	CHECK_EQ(PARSE(&o, "--kernel", "k", "--kernel", "k"), -1);
	CHECK_EQ(PARSE(&o, "--kernel", "k", "--initrd", "a", "--initrd", "b"),
		 -1);
	CHECK_EQ(PARSE(&o, "--kernel", "k", "--append", "a", "--append", "b"),
		 -1);
	CHECK_EQ(PARSE(&o, "--kernel"), -1);

	CHECK_EQ(PARSE(&o, "--help"), 1);

	CHECK_EQ(PARSE(&o, "--cpus", "0", "--flat", "x"), -1);
	CHECK_EQ(PARSE(&o, "--cpus", "65", "--flat", "x"), -1);
	CHECK_EQ(PARSE(&o, "--cpus", "two", "--flat", "x"), -1);
	CHECK_EQ(PARSE(&o, "--memory", "lots", "--flat", "x"), -1);
	CHECK_EQ(PARSE(&o, "--serial", "tcp:1234", "--flat", "x"), -1);
	CHECK_EQ(PARSE(&o, "--serial", "file:", "--flat", "x"), -1);
	CHECK_EQ(PARSE(&o, "--device", "vga", "--flat", "x"), -1);
	/* (the other messages: test_same_checks in test_launcher_config.c) */
	PARSE_ERR("--device: at most 16 pci-testdev", "--flat", "x",
		  "--device", "pci-testdev", "--device", "pci-testdev",
		  "--device", "pci-testdev", "--device", "pci-testdev",
		  "--device", "pci-testdev", "--device", "pci-testdev",
		  "--device", "pci-testdev", "--device", "pci-testdev",
		  "--device", "pci-testdev", "--device", "pci-testdev",
		  "--device", "pci-testdev", "--device", "pci-testdev",
		  "--device", "pci-testdev", "--device", "pci-testdev",
		  "--device", "pci-testdev", "--device", "pci-testdev",
		  "--device", "pci-testdev");
	/* a later --serial replaces an earlier one, path included */
	CHECK_EQ(PARSE(&o, "--serial", "file:/tmp/a", "--serial", "none",
		       "--flat", "x"), 0);
	CHECK_EQ(o.serial, SERIAL_NONE);
	CHECK(o.serial_path == NULL);
	run_options_free(&o);
	CHECK_EQ(PARSE(&o, "--flat", "x@zz"), -1);
	CHECK_EQ(PARSE(&o, "--flat", "x", "--flat", "y"), -1);
	CHECK_EQ(PARSE(&o, "--flat"), -1);
	CHECK_EQ(PARSE(&o, "--bogus", "--flat", "x"), -1);
	CHECK_EQ(PARSE(&o, "-z", "--flat", "x"), -1);
	CHECK_EQ(PARSE(&o, "--flat", "x", "extra"), -1);
	CHECK_EQ(PARSE(&o, "--cpus", "2"), -1);	/* nothing to boot */
}

static void test_disk_options(void)
{
	struct run_options o;

	CHECK_EQ(PARSE(&o, "--flat", "x", "--disk", "a.qcow2,readonly,serial=S1",
		       "--disk", "b.img,cache=none,format=raw"), 0);
	CHECK_EQ(o.ndisks, 2);
	CHECK(!strcmp(o.disks[0].path, "a.qcow2"));
	CHECK(o.disks[0].readonly);
	CHECK(!strcmp(o.disks[0].serial, "S1"));
	CHECK(!strcmp(o.disks[1].path, "b.img"));
	CHECK_EQ(o.disks[1].cache, DISK_CACHE_NONE);
	CHECK_EQ(o.disks[1].format, DISK_FMT_RAW);
	run_options_free(&o);
	CHECK_EQ(o.ndisks, 0);

	/* format=auto: the default, also accepted by name (as in JSON) */
	CHECK_EQ(PARSE(&o, "--flat", "x", "--disk", "a.img,format=qcow2,format=auto"), 0);
	CHECK_EQ(o.ndisks, 1);
	CHECK_EQ(o.disks[0].format, DISK_FMT_AUTO);
	run_options_free(&o);

	CHECK_EQ(PARSE(&o, "--flat", "x", "--disk", "a,cache=bad"), -1);
	CHECK_EQ(PARSE(&o, "--flat", "x", "--disk", ""), -1);
	/* the messages name the key, the value and what is expected */
	PARSE_ERR("--disk: serial: must be printable ASCII (byte 0x09 at offset 1 is not)",
		  "--flat", "x", "--disk", "a,serial=a\tb");
	PARSE_ERR("--disk: size: unknown key (known: path, readonly, cache, format, serial)",
		  "--flat", "x", "--disk", "a,size=1");
	CHECK_EQ(PARSE(&o, "--flat", "x", "--disk", "1", "--disk", "2",
		       "--disk", "3", "--disk", "4", "--disk", "5", "--disk",
		       "6", "--disk", "7", "--disk", "8", "--disk", "9"), -1);
}

int main(void)
{
	test_parse_u64();
	test_parse_size();
	test_flat_spec();
	test_run_options();
	test_disk_options();
	return test_summary("launcher_options");
}
