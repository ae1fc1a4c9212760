// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "arch/x86/boot.h"
#include "core/config.h"
#include "core/options.h"

enum {
	OPT_MEMORY = 'm',
	OPT_CPUS = 'c',
	OPT_HELP = 'h',
	OPT_VERBOSE = 'v',
	OPT_FLAT = 0x100,
	OPT_KERNEL,
	OPT_INITRD,
	OPT_APPEND,
	OPT_SERIAL,
	OPT_DEVICE,
	OPT_IRQCHIP,
	OPT_PM_TIMER,
	OPT_KVM_PV,
	OPT_NIC,
	OPT_DISK,
	OPT_VIRTIO_FASTPATH,
	OPT_CONFIG,
	OPT_CONTROL,
	OPT_LOG,
	OPT_LOG_FILE,
	OPT_WATCHDOG,
	OPT_GDB,
	OPT_GDB_WAIT,
	OPT_PIN,
};

static const struct option run_long_options[] = {
	{ "memory",  required_argument, NULL, OPT_MEMORY },
	{ "cpus",    required_argument, NULL, OPT_CPUS },
	{ "flat",    required_argument, NULL, OPT_FLAT },
	{ "kernel",  required_argument, NULL, OPT_KERNEL },
	{ "initrd",  required_argument, NULL, OPT_INITRD },
	{ "append",  required_argument, NULL, OPT_APPEND },
	{ "serial",  required_argument, NULL, OPT_SERIAL },
	{ "device",  required_argument, NULL, OPT_DEVICE },
	{ "irqchip", required_argument, NULL, OPT_IRQCHIP },
	{ "pm-timer", required_argument, NULL, OPT_PM_TIMER },
	{ "kvm-pv",  required_argument, NULL, OPT_KVM_PV },
	{ "nic",     required_argument, NULL, OPT_NIC },
	{ "disk",    required_argument, NULL, OPT_DISK },
	{ "virtio-fastpath", required_argument, NULL, OPT_VIRTIO_FASTPATH },
	{ "config",  required_argument, NULL, OPT_CONFIG },
	{ "control", required_argument, NULL, OPT_CONTROL },
	{ "log",     required_argument, NULL, OPT_LOG },
	{ "log-file", required_argument, NULL, OPT_LOG_FILE },
	{ "watchdog", required_argument, NULL, OPT_WATCHDOG },
	{ "gdb",     required_argument, NULL, OPT_GDB },
	{ "gdb-wait", no_argument,      NULL, OPT_GDB_WAIT },
	{ "pin",     required_argument, NULL, OPT_PIN },
	{ "verbose", no_argument,       NULL, OPT_VERBOSE },
	{ "help",    no_argument,       NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

void run_usage(FILE *out)
{
	fprintf(out,
"usage: nyx run [options]\n"
"\n"
"Boot a guest on the nyx hypervisor (/dev/nyx).\n"
"\n"
"  -m, --memory SIZE       guest RAM (default " DEFAULT_MEMORY_TEXT ", minimum 1M); SIZE takes\n"
"                          a K, M, G or T suffix, a bare number means MiB.\n"
"                          RAM above 3G is mapped from 4G (PCI hole)\n"
"  -c, --cpus N            number of vCPUs, 1..%d (default 1)\n"
"      --flat FILE[@ADDR]  load FILE at guest-physical ADDR (default 0x7c00,\n"
"                          decimal or 0x hex) and start every vCPU there in\n"
"                          real mode with CS:IP = 0:ADDR; vCPUs tell each\n"
"                          other apart by CPUID.1:EBX[31:24] (APIC ID)\n"
"      --kernel FILE       boot a kernel directly, no firmware: a Linux bzImage\n"
"                          (64-bit boot protocol), a multiboot v1 image or an\n"
"                          ELF vmlinux with a PVH note, detected by content.\n"
"                          The first vCPU starts at the kernel's entry; ACPI\n"
"                          and MP tables describe --cpus vCPUs\n"
"      --initrd FILE       initial ramdisk for --kernel (multiboot: module 0)\n"
"      --append STRING     kernel command line, e.g. \"console=ttyS0\"\n"
"      --serial BACKEND    COM1 (0x3f8): stdio (default; stdin is the input,\n"
"                          Ctrl-A x quits, Ctrl-A Ctrl-A sends Ctrl-A),\n"
"                          file:PATH (output only) or none\n"
"      --device NAME       add a device; NAME: testdev (ports 0xe0-0xef, MMIO\n"
"                          0xfe000000) or pci-testdev (a PCI device with\n"
"                          MMIO, I/O and MSI-X BARs; each --device adds\n"
"                          one, up to %d), see Documentation/testdev.rst.\n"
"                          Repeatable\n"
"      --irqchip on|off    in-kernel LAPIC/IOAPIC/PIC/PIT (default on). Off:\n"
"                          no interrupts, HLT returns to the launcher and\n"
"                          only vCPU 0 of a --kernel guest runs\n"
"      --pm-timer on|off   advertise the ACPI PM timer (port 0x608) in the\n"
"                          FADT (default off: Linux then runs on the TSC,\n"
"                          clocksource tsc, at the rate nyx gives it)\n"
"      --kvm-pv on|off     offer KVM's paravirtual CPUID interface (default\n"
"                          on: Linux then uses x2APIC and PV EOI)\n"
"      --nic tap[,ifname=NAME][,bridge=BR][,mac=MAC][,rx-irq-gap=USECS]\n"
"                          a virtio-net NIC on tap NAME (created if missing,\n"
"                          default tapN), attached to bridge BR (created if\n"
"                          missing); the guest's MAC (default 52:54:00 and\n"
"                          three random bytes); at most one receive\n"
"                          interrupt per USECS (default 0: no limit). What\n"
"                          nyx creates it removes on exit. Repeatable, up\n"
"                          to %d\n"
"      --disk FILE[,readonly][,cache=none|writeback][,format=raw|qcow2|auto][,serial=ID]\n"
"                          a virtio-blk disk (repeatable, up to %d): raw or\n"
"                          qcow2, detected from the content unless\n"
"                          format=raw or qcow2 is given (auto: detect, the\n"
"                          default); cache=none for O_DIRECT, serial= up to\n"
"                          20 characters; \",\" in FILE is written \",,\".\n"
"      --virtio-fastpath on|off  virtio kicks by ioeventfd and interrupts\n"
"                          by irqfd where nyx.ko has them (default on);\n"
"                          off: plain exits and ioctls (benchmarks)\n"
"      --config FILE       read the options from a JSON file\n"
"                          (Documentation/config.rst); options given here\n"
"                          override it, and --disk/--nic/--device given\n"
"                          here replace the file's lists\n"
"      --control PATH      control socket (UNIX, mode 0600): JSON commands\n"
"                          and events, see nyx ctl and Documentation/control.rst\n"
"      --log SPEC          log levels: LEVEL or COMPONENT=LEVEL,... (trace,\n"
"                          debug, info, warn, error, fatal), e.g.\n"
"                          virtio=debug,serial=warn (default info)\n"
"      --log-file FILE     messages go to FILE (appended) instead of stderr\n"
"      --watchdog timeout=SEC[,action=log|pause|dump|reset]\n"
"                          a vCPU with no exit, no RIP progress and an\n"
"                          interrupt pending for SEC seconds raises WATCHDOG\n"
"                          and the action (default log)\n"
"      --pin THREADS=CPUS  run THREADS on host CPUS only (a list as taskset\n"
"                          -c takes: 0, 0-3, 0,2,4-7). THREADS: vcpuN (vCPU\n"
"                          N's thread), vcpus (every vCPU not named),\n"
"                          io (virtio device and block I/O threads), main\n"
"                          (every other launcher thread). Threads not\n"
"                          named keep nyx's own CPUs. Repeatable, e.g.\n"
"                          --pin vcpu0=0 --pin io=1 --pin main=1\n"
"  -v, --verbose           debug messages (also NYX_DEBUG=1) and the phase\n"
"                          durations at exit\n"
"      --gdb tcp:HOST:PORT|unix:PATH  GDB remote protocol server (e.g.\n"
"                          tcp:127.0.0.1:1234); see Documentation/gdb.rst\n"
"      --gdb-wait          with --gdb: vCPUs start stopped until gdb\n"
"                          connects and continues (QEMU's -S)\n"
"  -v, --verbose           debug messages (also NYX_DEBUG=1)\n"
"  -h, --help              this help\n"
"\n"
"Always present (Documentation/boot.rst): COM1 16550A at 0x3f8 (IRQ 4),\n"
"COM2 at 0x2f8 (IRQ 3, output dropped), i8042 keyboard controller at\n"
"0x60/0x64, RTC/CMOS at 0x70/0x71, POST port 0x80, fw_cfg at 0x510,\n"
"ACPI PM at 0x600, reset control at 0xcf9, debug-exit port 0xf4, PCI host\n"
"bridge (ports 0xcf8/0xcfc, ECAM at 0xe0000000).\n"
"\n"
"Exit status:\n"
"  0     the guest powered off (ACPI S5), all vCPUs halted (--irqchip\n"
"        off), or Ctrl-A x\n"
"  odd   the guest wrote CODE to port 0xf4: status (CODE << 1) | 1\n"
"  2     usage or setup error (bad option, unreadable file, no /dev/nyx)\n"
"  4     guest shutdown (triple fault)\n"
"  6     vCPU failure (entry failure or internal error)\n"
"  8     the guest asked for a reset/reboot (port 0xcf9, keyboard\n"
"        controller reset line); nyx cannot reset in place yet\n"
"  SIGINT/SIGTERM/SIGHUP: nyx cleans up, then dies of that signal\n",
		MAX_CPUS, MAX_PCI_TESTDEVS, MAX_NICS, MAX_DISKS);
}

int serial_backend_parse(const char *arg, enum serial_backend *b,
			 const char **path, char *err, size_t errlen)
{
	const char *file = NULL;

	if (!strcmp(arg, "stdio")) {
		*b = SERIAL_STDIO;
	} else if (!strcmp(arg, "none")) {
		*b = SERIAL_NONE;
	} else if (!strncmp(arg, "file:", 5) && arg[5]) {
		*b = SERIAL_FILE;
		file = arg + 5;
	} else {
		snprintf(err, errlen,
			 "invalid backend '%s' (stdio, file:PATH or none)", arg);
		return -1;
	}
	*path = file;
	return 0;
}

int run_options_add_device(struct run_options *o, const char *name,
			   char *err, size_t errlen)
{
	if (!strcmp(name, "testdev")) {
		o->testdev = true;
		return 0;
	}
	if (!strcmp(name, "pci-testdev")) {
		if (o->pci_testdevs == MAX_PCI_TESTDEVS) {
			snprintf(err, errlen, "at most %d pci-testdev",
				 MAX_PCI_TESTDEVS);
			return -1;
		}
		o->pci_testdevs++;
		return 0;
	}
	snprintf(err, errlen,
		 "unknown device '%s' (known: testdev, pci-testdev)", name);
	return -1;
}

static int parse_serial(const char *arg, struct run_options *o)
{
	char err[128];

	/* serial_path points into argv, which outlives the options */
	if (serial_backend_parse(arg, &o->serial, &o->serial_path, err,
				 sizeof(err))) {
		pr_err("--serial: %s", err);
		return -1;
	}
	return 0;
}

static int parse_device(const char *arg, struct run_options *o)
{
	char err[128];

	if (run_options_add_device(o, arg, err, sizeof(err))) {
		pr_err("--device: %s", err);
		return -1;
	}
	return 0;
}

static int parse_on_off(const char *name, const char *arg, bool *field)
{
	if (!strcmp(arg, "on") || !strcmp(arg, "off")) {
		*field = !strcmp(arg, "on");
		return 0;
	}
	pr_err("%s: '%s' is neither on nor off", name, arg);
	return -1;
}

static int parse_nic(const char *arg, struct run_options *o)
{
	struct nic_options *n = &o->nics[o->nr_nics];
	unsigned int i;

	if (o->nr_nics == MAX_NICS) {
		pr_err("--nic: at most %d NICs", MAX_NICS);
		return -1;
	}
	if (nic_parse(arg, n))
		return -1;
	for (i = 0; i < o->nr_nics; i++) {
		if (n->ifname[0] && !strcmp(n->ifname, o->nics[i].ifname)) {
			pr_err("--nic: tap %s used by two NICs", n->ifname);
			return -1;
		}
		if (n->mac_set && o->nics[i].mac_set &&
		    !memcmp(n->mac, o->nics[i].mac, 6)) {
			pr_err("--nic: two NICs with the same mac");
			return -1;
		}
	}
	o->nr_nics++;
	return 0;
}

/* Options seen on the command line in this parse (bit per OPT_*): the
 * config file's values are overridden, a second CLI one is an error. */
static unsigned long long cli_seen;

static bool first_on_cli(int opt)
{
	unsigned long long bit = 1ull << (opt & 63);
	bool first = !(cli_seen & bit);

	cli_seen |= bit;
	return first;
}

static int set_once(const char *name, const char **field, const char *arg,
		    bool first)
{
	if (!first) {
		pr_err("%s: given more than once", name);
		return -1;
	}
	*field = arg;
	return 0;
}

static int parse_one(int opt, const char *arg, struct run_options *o)
{
	bool first = first_on_cli(opt);
	u64 val;
	int ret;

	/* the first --disk/--nic/--device/--pin replaces the config file's */
	if (o->config && first) {
		if (opt == OPT_DISK) {
			for (unsigned int i = 0; i < o->ndisks; i++)
				disk_spec_free(&o->disks[i]);
			o->ndisks = 0;
		} else if (opt == OPT_NIC) {
			o->nr_nics = 0;
		} else if (opt == OPT_DEVICE) {
			o->testdev = false;
			o->pci_testdevs = 0;
		} else if (opt == OPT_PIN) {
			memset(&o->pin, 0, sizeof(o->pin));
		}
	}
	switch (opt) {
	case OPT_MEMORY:
		ret = parse_size(arg, &val);
		if (ret) {
			pr_err("--memory: %s '%s' (e.g. 512M, 2G)",
			       ret == -ERANGE ? "too large" : "invalid size",
			       arg);
			return -1;
		}
		o->memory = val;
		o->memory_text = arg;
		return 0;
	case OPT_CPUS:
		if (parse_u64(arg, &val) || val < 1 || val > MAX_CPUS) {
			pr_err("--cpus: '%s' is not a number in 1..%d", arg,
			       MAX_CPUS);
			return -1;
		}
		o->cpus = val;
		return 0;
	case OPT_FLAT:
		if (!first) {
			pr_err("--flat: given more than once");
			return -1;
		}
		free(o->flat_path);
		o->flat_path = NULL;
		if (parse_flat_spec(arg, &o->flat_path, &o->flat_addr)) {
			pr_err("--flat: invalid '%s' (FILE or FILE@ADDR, e.g. boot.bin@0x7c00)",
			       arg);
			return -1;
		}
		return 0;
	case OPT_KERNEL:
		return set_once("--kernel", &o->kernel, arg, first);
	case OPT_INITRD:
		return set_once("--initrd", &o->initrd, arg, first);
	case OPT_APPEND:
		return set_once("--append", &o->append, arg, first);
	case OPT_SERIAL:
		return parse_serial(arg, o);
	case OPT_DEVICE:
		return parse_device(arg, o);
	case OPT_IRQCHIP:
		return parse_on_off("--irqchip", arg, &o->irqchip);
	case OPT_PM_TIMER:
		return parse_on_off("--pm-timer", arg, &o->pm_timer);
	case OPT_KVM_PV:
		return parse_on_off("--kvm-pv", arg, &o->kvm_pv);
	case OPT_NIC:
		return parse_nic(arg, o);
	case OPT_VIRTIO_FASTPATH:
		return parse_on_off("--virtio-fastpath", arg,
				    &o->virtio_fastpath);
	case OPT_VERBOSE:
		o->verbose = true;
		return 0;
	case OPT_CONFIG:
		return 0;	/* read before the other options */
	case OPT_CONTROL:
		o->control = arg;
		return 0;
	case OPT_LOG:
		o->log_spec = arg;
		return 0;
	case OPT_LOG_FILE:
		o->log_file = arg;
		return 0;
	case OPT_WATCHDOG: {
		char err[128];

		if (watchdog_parse(arg, &o->watchdog, err, sizeof(err))) {
			pr_err("--watchdog: %s", err);
			return -1;
		}
		return 0;
	}
	case OPT_GDB:
		/* the address itself is checked when the server starts */
		if (strncmp(arg, "tcp:", 4) && strncmp(arg, "unix:", 5)) {
			pr_err("--gdb: '%s': use tcp:HOST:PORT or unix:PATH",
			       arg);
			return -1;
		}
		return set_once("--gdb", &o->gdb, arg, first);
	case OPT_GDB_WAIT:
		o->gdb_wait = true;
		return 0;
	case OPT_PIN: {
		char err[160];

		if (pin_parse(&o->pin, arg, err, sizeof(err))) {
			pr_err("--pin: %s", err);
			return -1;
		}
		return 0;
	}
	case OPT_DISK:
		if (o->ndisks == MAX_DISKS) {
			pr_err("--disk: at most %d disks", MAX_DISKS);
			return -1;
		}
		if (disk_spec_parse(arg, &o->disks[o->ndisks]))
			return -1;
		o->ndisks++;
		return 0;
	}
	return -1;
}

void run_options_defaults(struct run_options *o)
{
	memset(o, 0, sizeof(*o));
	o->memory = DEFAULT_MEMORY;
	o->memory_text = DEFAULT_MEMORY_TEXT;
	o->cpus = 1;
	o->serial = SERIAL_STDIO;
	o->irqchip = true;
	o->virtio_fastpath = true;
	o->kvm_pv = true;
}

/* --config FILE first, whatever its place: the other options override it. */
static int load_config(int argc, char **argv, struct run_options *o)
{
	char err[256];
	int opt;

	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+:m:c:vh", run_long_options,
				  NULL)) != -1) {
		if (opt != OPT_CONFIG)
			continue;
		if (o->config) {
			pr_err("--config: given more than once");
			return -1;
		}
		o->config = optarg;
	}
	if (!o->config)
		return 0;
	if (config_load(o->config, o, err, sizeof(err))) {
		pr_err("%s: %s", o->config, err);
		return -1;
	}
	return 0;
}

/* --pin against --cpus and the CPUs this process may use */
static int check_pin(const struct run_options *o)
{
	struct cpu_list allowed;
	char err[160];
	int ret;

	if (!pin_given(&o->pin))
		return 0;
	ret = cpu_list_allowed(&allowed);
	if (ret) {
		pr_err("--pin: cannot read nyx's CPUs: %s", strerror(-ret));
		return -1;
	}
	if (pin_check(&o->pin, o->cpus, &allowed, err, sizeof(err))) {
		if (cli_seen & (1ull << (OPT_PIN & 63)))
			pr_err("--pin: %s", err);
		else
			pr_err("%s: pin.%s", o->config, err);
		return -1;
	}
	return 0;
}

int run_options_parse(int argc, char **argv, struct run_options *o)
{
	int opt;

	run_options_defaults(o);
	cli_seen = 0;
	if (load_config(argc, argv, o))
		goto err;

	optind = 0;	/* full reset: the parser may run more than once */
	opterr = 0;	/* errors are reported below, in our words */
	while ((opt = getopt_long(argc, argv, "+:m:c:vh", run_long_options,
				  NULL)) != -1) {
		if (opt == OPT_HELP) {
			run_usage(stdout);
			return 1;
		}
		if (opt == '?') {
			if (optopt)
				pr_err("run: unknown option '-%c' (see nyx run --help)",
				       optopt);
			else
				pr_err("run: unknown option '%s' (see nyx run --help)",
				       argv[optind - 1]);
			goto err;
		}
		if (opt == ':') {
			pr_err("run: option '%s' needs an argument",
			       argv[optind - 1]);
			goto err;
		}
		if (parse_one(opt, optarg, o))
			goto err;
	}
	if (optind < argc) {
		pr_err("run: unexpected argument '%s' (see nyx run --help)",
		       argv[optind]);
		goto err;
	}
	if (o->config && o->flat_path && o->kernel) {
		/* the command line picks the kind of guest */
		if (cli_seen & (1ull << (OPT_KERNEL & 63))) {
			free(o->flat_path);
			o->flat_path = NULL;
		} else if (cli_seen & (1ull << (OPT_FLAT & 63))) {
			o->kernel = o->initrd = o->append = NULL;
		}
	}
	if (!o->flat_path && !o->kernel) {
		pr_err("run: nothing to boot: use --kernel FILE or --flat FILE[@ADDR]");
		goto err;
	}
	if (o->flat_path && o->kernel) {
		pr_err("run: --flat and --kernel exclude each other");
		goto err;
	}
	if (o->gdb_wait && !o->gdb) {
		pr_err("run: --gdb-wait needs --gdb");
		goto err;
	}
	if (!o->kernel && (o->initrd || o->append)) {
		pr_err("run: %s needs --kernel", o->initrd ? "--initrd" : "--append");
		goto err;
	}
	if (check_pin(o))
		goto err;
	return 0;
err:
	run_options_free(o);
	return -1;
}

void run_options_free(struct run_options *o)
{
	free(o->flat_path);
	o->flat_path = NULL;
	for (unsigned int i = 0; i < o->ndisks; i++)
		disk_spec_free(&o->disks[i]);
	o->ndisks = 0;
	for (unsigned int i = 0; i < o->nr_owned; i++)
		free(o->owned[i]);
	o->nr_owned = 0;
}

/* ---------------------------------------------------------------------
 * --watchdog timeout=SEC[,action=...] (core/watchdog.h)
 */
static const char *const wd_actions[] = { "log", "pause", "dump", "reset" };

const char *watchdog_action_name(enum watchdog_action a)
{
	return (unsigned int)a < ARRAY_SIZE(wd_actions) ? wd_actions[a] : "?";
}

int watchdog_action_parse(const char *name, enum watchdog_action *a)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(wd_actions); i++) {
		if (!strcmp(name, wd_actions[i])) {
			*a = i;
			return 0;
		}
	}
	return -EINVAL;
}

/* "SEC" or "SEC.FRACTION" into milliseconds, in the watchdog's range. */
static int parse_seconds_ms(const char *s, u64 *ms)
{
	u64 whole = 0, frac = 0, scale = 1000;
	const char *p = s;

	if (*p < '0' || *p > '9')
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++) {
		whole = whole * 10 + (*p - '0');
		if (whole > WD_MAX_TIMEOUT_MS / 1000)
			return -ERANGE;
	}
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return -EINVAL;
		for (; *p >= '0' && *p <= '9'; p++) {
			scale /= 10;
			frac += (*p - '0') * scale;
		}
	}
	if (*p)
		return -EINVAL;
	*ms = whole * 1000 + frac;
	if (*ms < WD_MIN_TIMEOUT_MS || *ms > WD_MAX_TIMEOUT_MS)
		return -ERANGE;
	return 0;
}

int watchdog_set(struct watchdog_options *w, const char *key,
		 const char *val, char *err, size_t errlen)
{
	if (!strcmp(key, "timeout")) {
		if (parse_seconds_ms(val, &w->timeout_ms)) {
			snprintf(err, errlen,
				 "'%s' is not a number of seconds in %g..%d",
				 val, WD_MIN_TIMEOUT_MS / 1000.0,
				 WD_MAX_TIMEOUT_MS / 1000);
			return -EINVAL;
		}
		return 0;
	}
	if (!strcmp(key, "action")) {
		if (watchdog_action_parse(val, &w->action)) {
			snprintf(err, errlen,
				 "unknown action '%s' (log, pause, dump, reset)",
				 val);
			return -EINVAL;
		}
		return 0;
	}
	snprintf(err, errlen, "unknown key '%.32s' (known: timeout, action)",
		 key);
	return -EINVAL;
}

int watchdog_check(const struct watchdog_options *w, char *err,
		   size_t errlen)
{
	if (w->timeout_ms)
		return 0;
	snprintf(err, errlen, "a timeout (seconds) is required");
	return -EINVAL;
}

int watchdog_parse(const char *arg, struct watchdog_options *w, char *err,
		   size_t errlen)
{
	char buf[128], sub[96], *item, *eq, *save = NULL;
	struct watchdog_options n = { .action = WD_ACTION_LOG };

	if (strlen(arg) >= sizeof(buf)) {
		snprintf(err, errlen, "too long");
		return -EINVAL;
	}
	strcpy(buf, arg);
	for (item = strtok_r(buf, ",", &save); item;
	     item = strtok_r(NULL, ",", &save)) {
		eq = strchr(item, '=');
		if (eq)
			*eq = '\0';
		if (watchdog_set(&n, item, eq ? eq + 1 : "", sub, sizeof(sub))) {
			snprintf(err, errlen, "%.32s: %s", item, sub);
			return -EINVAL;
		}
	}
	if (watchdog_check(&n, err, errlen))
		return -EINVAL;
	*w = n;
	return 0;
}
