// SPDX-License-Identifier: GPL-2.0
/*
 * nyx run --config: the JSON parser (every error path names its key) and
 * how the command line overrides the file.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/config.h"
#include "core/options.h"
#include "test.h"
#include "pr_capture.h"

static char dir[] = "/tmp/nyx-config-XXXXXX";
static char img[128], cfgfile[128];

/* Parse text over the defaults; return 0/-1, the message in err. */
static int parse(const char *text, struct run_options *o, char *err)
{
	run_options_defaults(o);
	err[0] = '\0';
	return config_parse(text, strlen(text), o, CONFIG_CHECK_FILES, err, 256);
}

/* text must fail with a message starting with want */
static void bad(const char *text, const char *want)
{
	struct run_options o;
	char err[256];
	int r = parse(text, &o, err);

	CHECK_EQ(r, -1);
	if (strncmp(err, want, strlen(want))) {
		test_failed++;
		fprintf(stderr, "FAIL config %s: got '%s', want '%s...'\n",
			text, err, want);
	} else {
		test_passed++;
	}
	run_options_free(&o);
}

static void test_full(void)
{
	struct run_options o;
	char text[2048], err[256];

	snprintf(text, sizeof(text),
		 "{ \"memory\": \"2G\", \"cpus\": 4, \"kernel\": \"%s\",\n"
		 "  \"initrd\": \"%s\", \"append\": \"console=ttyS0\",\n"
		 "  \"serial\": \"file:/tmp/out\", \"devices\": [\"testdev\", \"pci-testdev\", \"pci-testdev\"],\n"
		 "  \"irqchip\": false, \"pm-timer\": true, \"virtio-fastpath\": false,\n"
		 "  \"verbose\": true, \"control\": \"/tmp/s\", \"log\": \"virtio=debug\",\n"
		 "  \"log-file\": \"/tmp/log\",\n"
		 "  \"disks\": [ {\"path\": \"%s\", \"readonly\": true, \"cache\": \"none\",\n"
		 "               \"format\": \"qcow2\", \"serial\": \"ABC\"},\n"
		 "              {\"path\": \"%s\"} ],\n"
		 "  \"nics\": [ {\"backend\": \"tap\", \"ifname\": \"tap7\", \"bridge\": \"br0\",\n"
		 "              \"mac\": \"52:54:00:12:34:56\"} ] }\n",
		 img, img, img, img);
	CHECK_EQ(parse(text, &o, err), 0);
	if (err[0])
		fprintf(stderr, "  %s\n", err);
	CHECK_EQ(o.memory, 2ull << 30);
	CHECK(!strcmp(o.memory_text, "2G"));
	CHECK_EQ(o.cpus, 4);
	CHECK(o.kernel && !strcmp(o.kernel, img));
	CHECK(o.append && !strcmp(o.append, "console=ttyS0"));
	CHECK_EQ(o.serial, SERIAL_FILE);
	CHECK(!strcmp(o.serial_path, "/tmp/out"));
	CHECK(o.testdev);
	CHECK_EQ(o.pci_testdevs, 2);
	CHECK(!o.irqchip && o.pm_timer && !o.virtio_fastpath && o.verbose);
	CHECK(!strcmp(o.control, "/tmp/s") && !strcmp(o.log_spec, "virtio=debug"));
	CHECK(!strcmp(o.log_file, "/tmp/log"));
	CHECK_EQ(o.ndisks, 2);
	CHECK(o.disks[0].readonly && o.disks[0].cache == DISK_CACHE_NONE &&
	      o.disks[0].format == DISK_FMT_QCOW2 &&
	      !strcmp(o.disks[0].serial, "ABC"));
	CHECK(!o.disks[1].readonly && o.disks[1].format == DISK_FMT_AUTO);
	CHECK_EQ(o.nr_nics, 1);
	CHECK(!strcmp(o.nics[0].ifname, "tap7") && !strcmp(o.nics[0].bridge, "br0"));
	CHECK(o.nics[0].mac_set && o.nics[0].mac[5] == 0x56);
	run_options_free(&o);

	/* memory as MiB, flat as a string and as an object */
	snprintf(text, sizeof(text), "{\"memory\": 256, \"flat\": \"%s\"}", img);
	CHECK_EQ(parse(text, &o, err), 0);
	CHECK_EQ(o.memory, 256ull << 20);
	CHECK(o.flat_path && !strcmp(o.flat_path, img));
	CHECK_EQ(o.flat_addr, 0x7c00);
	run_options_free(&o);
	snprintf(text, sizeof(text), "{\"flat\": {\"path\": \"%s\", \"addr\": 4096}}", img);
	CHECK_EQ(parse(text, &o, err), 0);
	CHECK_EQ(o.flat_addr, 4096);
	run_options_free(&o);
	CHECK_EQ(parse("{}", &o, err), 0);
	CHECK_EQ(o.cpus, 1);
	run_options_free(&o);
	CHECK_EQ(parse("{\"append\": \"\"}", &o, err), 0);
	run_options_free(&o);
}

static void test_errors(void)
{
	char t[512];

	/* syntax */
	bad("", "line 1: unexpected end of file");
	bad("{\"cpus\": 1,\n", "line 2:");
	bad("{\"cpus\": 1} x", "trailing data");
	bad("[1]", "the top level must be an object");
	bad("{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":{\"f\":{\"g\":{\"h\":{\"i\":{\"j\":{\"k\":{\"l\":{\"m\":{\"n\":{\"o\":{\"p\":{\"q\":1}}}}}}}}}}}}}}}}}",
	    "line 1:");	/* nesting beyond the tokener's depth */
	/* keys and types */
	bad("{\"memroy\": 1}", "memroy: unknown key");
	bad("{\"memory\": true}", "memory: must be a size");
	bad("{\"memory\": \"12Q\"}", "memory: invalid size '12Q'");
	bad("{\"memory\": \"99999999999T\"}", "memory: too large");
	bad("{\"memory\": 0}", "memory: 0 MiB is out of range");
	bad("{\"memory\": -5}", "memory: -5 MiB is out of range");
	bad("{\"cpus\": \"2\"}", "cpus: must be an integer, not a string");
	bad("{\"cpus\": 0}", "cpus: 0 is not in 1..64");
	bad("{\"cpus\": 65}", "cpus: 65 is not in 1..64");
	bad("{\"cpus\": 1.5}", "cpus: must be an integer, not a number with a fraction");
	bad("{\"kernel\": \"/nonexistent/bzImage\"}", "kernel: file not found");
	bad("{\"kernel\": \"/tmp\"}", "kernel: '/tmp' is not a regular file");
	bad("{\"kernel\": \"\"}", "kernel: must not be empty");
	bad("{\"kernel\": \"a\\u0000b\"}", "kernel: contains a NUL character");
	bad("{\"initrd\": 3}", "initrd: must be a string, not an integer");
	bad("{\"append\": null}", "append: must be a string, not null");
	bad("{\"flat\": 7}", "flat: must be a file name or");
	bad("{\"flat\": {\"addr\": 1}}", "flat: needs \"path\"");
	bad("{\"flat\": {\"path\": \"/nonexistent\"}}", "flat.path: file not found");
	bad("{\"flat\": {\"path\": \"x\", \"adr\": 1}}", "flat.adr: unknown key");
	bad("{\"flat\": {\"path\": \"x\", \"addr\": -1}}", "flat.addr: must not be negative");
	bad("{\"flat\": {\"path\": \"x\", \"addr\": \"0xg\"}}", "flat.addr: not a number");
	bad("{\"flat\": {\"path\": \"x\", \"addr\": \"0x100000000\"}}", "flat.addr: must be below 4G");
	bad("{\"flat\": {\"path\": \"x\", \"addr\": 9223372036854775807}}", "flat.addr: too large");
	bad("{\"flat\": {\"path\": \"x\", \"addr\": \"0x1ffffffffffffffff\"}}", "flat.addr: too large");
	bad("{\"flat\": {\"path\": \"x\", \"addr\": true}}", "flat.addr: must be an integer, not a boolean");
	bad("{\"serial\": \"tcp:1\"}", "serial: invalid backend 'tcp:1'");
	bad("{\"serial\": \"file:\"}", "serial: invalid backend");
	bad("{\"devices\": \"testdev\"}", "devices: must be an array");
	bad("{\"devices\": [\"gpu\"]}", "devices[0]: unknown device 'gpu'");
	bad("{\"devices\": [\"testdev\", 1]}", "devices[1]: must be a string");
	bad("{\"devices\": [\"pci-testdev\",\"pci-testdev\",\"pci-testdev\",\"pci-testdev\",\"pci-testdev\",\"pci-testdev\",\"pci-testdev\",\"pci-testdev\",\"pci-testdev\",\"pci-testdev\",\"pci-testdev\",\"pci-testdev\",\"pci-testdev\",\"pci-testdev\",\"pci-testdev\",\"pci-testdev\",\"pci-testdev\"]}",
	    "devices[16]: at most 16 pci-testdev");
	bad("{\"irqchip\": \"on\"}", "irqchip: must be true or false");
	bad("{\"pm-timer\": 1}", "pm-timer: must be true or false");
	bad("{\"virtio-fastpath\": null}", "virtio-fastpath: must be true or false");
	bad("{\"verbose\": []}", "verbose: must be true or false");
	bad("{\"disks\": {}}", "disks: must be an array");
	bad("{\"disks\": [1]}", "disks[0]: must be an object");
	bad("{\"disks\": [{}]}", "disks[0]: needs \"path\"");
	snprintf(t, sizeof(t), "{\"disks\": [{\"path\": \"%s\"}, {\"path\": \"/nonexistent.img\"}]}", img);
	bad(t, "disks[1].path: file not found");
	bad("{\"disks\": [{\"path\": \"x\", \"size\": 1}]}", "disks[0].size: unknown key");
	bad("{\"disks\": [{\"readonly\": \"yes\"}]}", "disks[0].readonly: must be true or false");
	bad("{\"disks\": [{\"cache\": \"unsafe\"}]}", "disks[0].cache: 'unsafe' is not none or writeback");
	bad("{\"disks\": [{\"format\": \"vmdk\"}]}", "disks[0].format: 'vmdk' is not raw, qcow2 or auto");
	bad("{\"disks\": [{\"serial\": \"123456789012345678901\"}]}",
	    "disks[0].serial: '123456789012345678901' is longer than 20 characters");
	bad("{\"disks\": [{\"serial\": \"a\\tb\"}]}",
	    "disks[0].serial: must be printable ASCII (byte 0x09 at offset 1 is not)");
	bad("{\"disks\": [{\"serial\": 12}]}", "disks[0].serial: must be a string, not an integer");
	bad("{\"disks\": [{},{},{},{},{},{},{},{},{}]}", "disks: at most 8 disks");
	bad("{\"nics\": 1}", "nics: must be an array");
	bad("{\"nics\": [\"tap\"]}", "nics[0]: must be an object");
	bad("{\"nics\": [{\"backend\": \"user\"}]}", "nics[0].backend: unknown backend 'user'");
	bad("{\"nics\": [{\"ifname\": \"a/b\"}]}", "nics[0].ifname: 'a/b' is not a valid interface name");
	bad("{\"nics\": [{\"bridge\": \"0123456789abcdef\"}]}", "nics[0].bridge: '0123456789abcdef' is too long (at most 15 characters)");
	bad("{\"nics\": [{\"mac\": \"01:00:00:00:00:01\"}]}", "nics[0].mac: '01:00:00:00:00:01' is a multicast or zero address");
	bad("{\"nics\": [{\"mac\": \"52:54\"}]}", "nics[0].mac: '52:54' is not 6 hex bytes");
	bad("{\"nics\": [{\"vlan\": 1}]}", "nics[0].vlan: unknown key");
	bad("{\"nics\": [{\"ifname\": \"t0\"}, {\"ifname\": \"t0\"}]}", "nics[1]: tap t0 is also nics[0]");
	bad("{\"nics\": [{\"mac\": \"52:54:00:00:00:01\"}, {\"mac\": \"52:54:00:00:00:01\"}]}", "nics[1]: same mac as nics[0]");
	bad("{\"nics\": [{},{},{},{},{},{},{},{},{}]}", "nics: at most 8 NICs");
	bad("{\"control\": 1}", "control: must be a string");
	bad("{\"log\": \"\"}", "log: must not be empty");
	bad("{\"log-file\": false}", "log-file: must be a string");
	/* a very long key is cut in the message, not overflowed */
	memset(t, 'k', sizeof(t));
	t[0] = '{';
	t[1] = '"';
	memcpy(t + 400, "\": 1}", 6);
	bad(t, "kkkkkkkk");
}

static void test_size_limit(void)
{
	struct run_options o;
	char err[256];
	size_t n = CONFIG_MAX_SIZE + 1;
	char *big = malloc(n);

	memset(big, ' ', n);
	big[0] = '{';
	big[n - 1] = '}';
	run_options_defaults(&o);
	CHECK_EQ(config_parse(big, n, &o, 0, err, sizeof(err)), -1);
	CHECK(strstr(err, "larger than") != NULL);
	run_options_free(&o);
	free(big);
}

static int run(struct run_options *o, ...)
{
	char *argv[32];
	va_list ap;
	int argc = 0;

	argv[argc++] = "run";
	va_start(ap, o);
	while ((argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
	return run_options_parse(argc, argv, o);
}

static void write_cfg(const char *text)
{
	FILE *f = fopen(cfgfile, "w");

	fputs(text, f);
	fclose(f);
}

static void test_cli_override(void)
{
	struct run_options o;
	char t[512];

	snprintf(t, sizeof(t),
		 "{\"memory\": \"128M\", \"cpus\": 2, \"flat\": \"%s\",\n"
		 " \"devices\": [\"pci-testdev\"], \"disks\": [{\"path\": \"%s\"}, {\"path\": \"%s\"}]}",
		 img, img, img);
	write_cfg(t);
	CHECK_EQ(run(&o, "--config", cfgfile, NULL), 0);
	CHECK_EQ(o.memory, 128ull << 20);
	CHECK_EQ(o.cpus, 2);
	CHECK_EQ(o.ndisks, 2);
	CHECK_EQ(o.pci_testdevs, 1);
	run_options_free(&o);

	/* scalars override, whatever the order; lists are replaced */
	CHECK_EQ(run(&o, "--cpus", "3", "--config", cfgfile, "--memory", "1G",
		     "--disk", img, "--device", "testdev", NULL), 0);
	CHECK_EQ(o.cpus, 3);
	CHECK_EQ(o.memory, 1ull << 30);
	CHECK_EQ(o.ndisks, 1);
	CHECK_EQ(o.pci_testdevs, 0);
	CHECK(o.testdev);
	run_options_free(&o);

	/* --flat on the command line replaces the file's, once */
	CHECK_EQ(run(&o, "--config", cfgfile, "--flat", "/x@0x1000", NULL), 0);
	CHECK(!strcmp(o.flat_path, "/x") && o.flat_addr == 0x1000);
	run_options_free(&o);
	CHECK_EQ(run(&o, "--config", cfgfile, "--flat", "/x", "--flat", "/y", NULL), -1);
	/* --kernel on the command line wins over the file's --flat */
	CHECK_EQ(run(&o, "--config", cfgfile, "--kernel", img, NULL), 0);
	CHECK(o.kernel && !o.flat_path);
	run_options_free(&o);

	/* errors: a bad file stops everything, --config twice */
	CHECK_EQ(run(&o, "--config", "/nonexistent.json", NULL), -1);
	CHECK_EQ(run(&o, "--config", cfgfile, "--config", cfgfile, NULL), -1);
	write_cfg("{\"disks\": [{\"path\": \"/nonexistent.img\"}]}");
	CHECK_EQ(run(&o, "--config", cfgfile, "--flat", img, NULL), -1);
	/* the file and the command line are checked together */
	snprintf(t, sizeof(t), "{\"kernel\": \"%s\"}", img);
	write_cfg(t);
	CHECK_EQ(run(&o, "--config", cfgfile, NULL), 0);
	run_options_free(&o);
	CHECK_EQ(run(&o, "--config", cfgfile, "--append", "x", "--append", "y", NULL), -1);
	write_cfg("{}");
	CHECK_EQ(run(&o, "--config", cfgfile, NULL), -1);	/* nothing to boot */
	/* new options without a file */
	CHECK_EQ(run(&o, "--flat", img, "--control", "/tmp/c", "--log", "debug",
		     "--log-file", "/tmp/l", NULL), 0);
	CHECK(!strcmp(o.control, "/tmp/c") && !strcmp(o.log_spec, "debug"));
	run_options_free(&o);

	/* "pin": the first --pin replaces the file's whole object */
	snprintf(t, sizeof(t),
		 "{\"flat\": \"%s\", \"cpus\": 2, \"pin\": {\"vcpu1\": 0, \"io\": \"0\"}}",
		 img);
	write_cfg(t);
	CHECK_EQ(run(&o, "--config", cfgfile, NULL), 0);
	CHECK(o.pin.vcpu_set == 2 && cpu_list_has(&o.pin.vcpu[1], 0));
	CHECK(o.pin.io_set && !o.pin.main_set);
	run_options_free(&o);
	CHECK_EQ(run(&o, "--config", cfgfile, "--pin", "main=0", NULL), 0);
	CHECK(!o.pin.vcpu_set && !o.pin.io_set && o.pin.main_set);
	run_options_free(&o);
	/* checked with the merged --cpus: the file's vcpu1 needs 2 vCPUs */
	pr_capture_begin();
	CHECK_EQ(run(&o, "--config", cfgfile, "--cpus", "1", NULL), -1);
	pr_capture_end();
	snprintf(t, sizeof(t), "%s: pin.vcpu1: the VM has 1 vCPU", cfgfile);
	pr_check(t, "pin.vcpu1 with --cpus 1");
	write_cfg("{\"pin\": [0]}");
	CHECK_EQ(run(&o, "--config", cfgfile, "--flat", img, NULL), -1);
	write_cfg("{\"pin\": {\"io\": true}}");
	CHECK_EQ(run(&o, "--config", cfgfile, "--flat", img, NULL), -1);
}

/* what test_same_checks() gives both ways */
static void check_same_ok(const struct run_options *o)
{
	CHECK(o->ndisks == 1 && o->disks[0].format == DISK_FMT_AUTO &&
	      o->disks[0].cache == DISK_CACHE_NONE &&
	      !strcmp(o->disks[0].serial, "S 1"));
	CHECK(o->serial == SERIAL_FILE && !strcmp(o->serial_path, "/tmp/o"));
	CHECK(o->testdev && o->pci_testdevs == 1);
}

/*
 * --disk/--serial/--device and the file's disks/serial/devices share one
 * checker each: the same values pass and fail, with the same words after
 * each side's context. (Before, format=auto passed only in the file.)
 */
static void test_same_checks(void)
{
	static const struct {
		const char *json, *opt, *arg, *json_ctx, *cli_ctx, *msg;
	} cases[] = {
		{ "{\"disks\": [{\"path\": \"x\", \"cache\": \"unsafe\"}]}",
		  "--disk", "x,cache=unsafe", "disks[0].cache", "--disk: cache",
		  "'unsafe' is not none or writeback" },
		{ "{\"disks\": [{\"path\": \"x\", \"format\": \"vmdk\"}]}",
		  "--disk", "x,format=vmdk", "disks[0].format", "--disk: format",
		  "'vmdk' is not raw, qcow2 or auto" },
		{ "{\"disks\": [{\"path\": \"x\", \"serial\": \"123456789012345678901\"}]}",
		  "--disk", "x,serial=123456789012345678901", "disks[0].serial",
		  "--disk: serial",
		  "'123456789012345678901' is longer than 20 characters" },
		{ "{\"disks\": [{\"path\": \"x\", \"serial\": \"\\u007f\"}]}",
		  "--disk", "x,serial=\x7f", "disks[0].serial", "--disk: serial",
		  "must be printable ASCII (byte 0x7f at offset 0 is not)" },
		{ "{\"serial\": \"tcp:1\"}", "--serial", "tcp:1", "serial",
		  "--serial", "invalid backend 'tcp:1' (stdio, file:PATH or none)" },
		{ "{\"serial\": \"file:\"}", "--serial", "file:", "serial",
		  "--serial", "invalid backend 'file:' (stdio, file:PATH or none)" },
		{ "{\"serial\": \"STDIO\"}", "--serial", "STDIO", "serial",
		  "--serial", "invalid backend 'STDIO' (stdio, file:PATH or none)" },
		{ "{\"nics\": [{\"mac\": \"52:54\"}]}", "--nic", "tap,mac=52:54",
		  "nics[0].mac", "--nic: mac",
		  "'52:54' is not 6 hex bytes (want e.g. 52:54:00:12:34:56)" },
		{ "{\"nics\": [{\"rx-irq-gap\": 100001}]}", "--nic",
		  "tap,rx-irq-gap=100001", "nics[0].rx-irq-gap", "--nic: rx-irq-gap",
		  "'100001' is not a number of microseconds from 0 to 100000" },
		{ "{\"nics\": [{\"ifname\": \"t\", \"bridge\": \"t\"}]}", "--nic",
		  "tap,ifname=t,bridge=t", "nics[0]", "--nic",
		  "the tap and the bridge cannot both be 't'" },
		{ "{\"devices\": [\"vga\"]}", "--device", "vga", "devices[0]",
		  "--device", "unknown device 'vga' (known: testdev, pci-testdev)" },
		{ "{\"pin\": {\"io\": \"1-0\"}}", "--pin", "io=1-0", "pin.io",
		  "--pin: io",
		  "'1-0' is not a CPU list (e.g. 0, 0-3, 0,2,4-7; CPUs below 1024)" },
		{ "{\"pin\": {\"cpu0\": 0}}", "--pin", "cpu0=0", "pin.cpu0",
		  "--pin: cpu0", "unknown threads (vcpuN, vcpus, io, main)" },
		{ "{\"pin\": {\"vcpu64\": 0}}", "--pin", "vcpu64=0", "pin.vcpu64",
		  "--pin: vcpu64", "no such vCPU (vcpu0..vcpu63)" },
	};
	struct run_options o;
	char err[256], want[256];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		snprintf(want, sizeof(want), "%s: %s", cases[i].json_ctx,
			 cases[i].msg);
		bad(cases[i].json, want);

		snprintf(want, sizeof(want), "%s: %s", cases[i].cli_ctx,
			 cases[i].msg);
		pr_capture_begin();
		CHECK_EQ(run(&o, "--flat", img, cases[i].opt, cases[i].arg,
			     NULL), -1);
		pr_capture_end();
		pr_check(want, cases[i].arg);
	}

	/* and the same values pass both ways */
	CHECK_EQ(parse("{\"disks\": [{\"path\": \"x\", \"format\": \"auto\", \"cache\": \"none\", \"serial\": \"S 1\"}],"
		       " \"serial\": \"file:/tmp/o\", \"devices\": [\"pci-testdev\", \"testdev\"]}",
		       &o, err), 0);
	check_same_ok(&o);
	run_options_free(&o);
	CHECK_EQ(run(&o, "--flat", img, "--disk", "x,format=auto,cache=none,serial=S 1",
		     "--serial", "file:/tmp/o", "--device", "pci-testdev",
		     "--device", "testdev", NULL), 0);
	check_same_ok(&o);
	run_options_free(&o);
}

int main(void)
{
	FILE *f;

	if (!mkdtemp(dir))
		return 1;
	snprintf(img, sizeof(img), "%s/disk.img", dir);
	snprintf(cfgfile, sizeof(cfgfile), "%s/vm.json", dir);
	f = fopen(img, "w");
	fputs("x", f);
	fclose(f);
	/* relative names in the error table resolve here */
	if (chdir(dir))
		return 1;
	f = fopen("x", "w");
	fclose(f);

	test_full();
	test_errors();
	test_size_limit();
	test_cli_override();
	test_same_checks();

	unlink("x");
	unlink(img);
	unlink(cfgfile);
	rmdir(dir);
	return test_summary("launcher_config");
}
