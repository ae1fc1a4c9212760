// SPDX-License-Identifier: GPL-2.0
/*
 * nyx launcher: "nyx run" boots a guest on /dev/nyx.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include <uapi/nyx.h>

#include "arch/x86/boot.h"
#include "arch/x86/cpuid.h"
#include "arch/x86/pc.h"
#include "core/affinity.h"
#include "core/bus.h"
#include "core/clock.h"
#include "core/irq.h"
#include "core/gdbserver.h"
#include "core/options.h"
#include "core/stop.h"
#include "core/term.h"
#include "core/vcpu.h"
#include "core/vm.h"
#include "hw/acpi_pm.h"
#include "hw/debug_exit.h"
#include "hw/fw_cfg.h"
#include "hw/i8042.h"
#include "hw/post.h"
#include "hw/rtc.h"
#include "hw/serial.h"
#include "hw/pci_testdev.h"
#include "hw/testdev.h"
#include "pci/pci.h"
#include "core/eventfd.h"
#include "virtio/blk.h"
#include "core/control.h"
#include "core/log.h"
#include "core/vmctl.h"
#include "core/watchdog.h"
#include "ctl.h"
#include "virtio/net.h"
#include "core/statview.h"

#ifndef NYX_VERSION
#define NYX_VERSION "0.1"
#endif

static void usage(FILE *out)
{
	fprintf(out,
"usage: nyx <command> [options]\n"
"\n"
"Commands:\n"
"  run [options]    boot a guest (options below)\n"
"  check [options]  production-readiness check of a configuration\n"
"                   (--config FILE and/or run options), a table of checks\n"
"  ctl SOCKET CMD [KEY=VALUE...]  send a command to a running VM's\n"
"                   control socket (nyx ctl --help)\n"
"  cpuid [--cpus N] print the guest CPUID table derived from this host\n"
"                   (works without /dev/nyx)\n"
"  stat SOCKET | --pid PID   live exit rates, device throughput and hints\n"
"                   of a running nyx (see nyx stat --help)\n"
"  version          print the launcher and ABI versions\n"
"  help             this help (also --help, -h)\n"
"\n");
	run_usage(out);
}

/* ---------------------------------------------------------------------
 * Signals
 */
static const int stop_signals[] = { SIGINT, SIGTERM, SIGHUP };

static const char *signal_name(int sig)
{
	switch (sig) {
	case SIGINT:
		return "SIGINT";
	case SIGTERM:
		return "SIGTERM";
	case SIGHUP:
		return "SIGHUP";
	default:
		return "a signal";
	}
}

static void stop_signal_set(sigset_t *set)
{
	unsigned int i;

	sigemptyset(set);
	for (i = 0; i < ARRAY_SIZE(stop_signals); i++)
		sigaddset(set, stop_signals[i]);
}

/*
 * Stop signals are blocked in every thread and taken synchronously here,
 * so stopping runs in normal thread context. A second signal while the
 * launcher tears down means "now".
 */
static void *signal_thread(void *arg)
{
	sigset_t set;
	int sig;

	(void)arg;
	stop_signal_set(&set);
	for (;;) {
		if (sigwait(&set, &sig))
			continue;
		if (stop_request_signal(sig)) {
			pr_info("received %s, stopping", signal_name(sig));
			continue;
		}
		term_restore();
		_exit(128 + sig);
	}
	return NULL;
}

static int setup_signals(void)
{
	pthread_t thread;
	sigset_t set;
	int ret;

	/* Before any other thread exists, so that all inherit the mask. */
	stop_signal_set(&set);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);	/* a closed stdout is not fatal */
	vcpu_install_kick_signal();

	ret = thread_create(&thread, THREAD_MAIN, 0, "signals", signal_thread,
			    NULL);
	if (!ret)
		pthread_detach(thread);
	if (ret)
		pr_err("cannot create the signal thread: %s", strerror(ret));
	return ret ? NYX_EXIT_SETUP : 0;
}

/* Die of the signal that stopped us, now that the terminal is sane. */
static void reraise(int sig)
{
	sigset_t set;

	signal(sig, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	raise(sig);	/* pending while blocked... */
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);	/* ...delivered here */
}

/* ---------------------------------------------------------------------
 * nyx run
 */
static struct vm vm;
static struct serial com1, com2;
static struct i8042 i8042;
static struct rtc rtc;
static struct post post;
static struct fw_cfg fw_cfg;
static struct acpi_pm acpi_pm;
static struct testdev testdev;
static struct pci_bus pci_bus;
static struct pci_testdev pci_testdevs[MAX_PCI_TESTDEVS];
static struct virtio_blk virtio_blks[MAX_DISKS];
static unsigned int nr_virtio_blks;	/* initialised (image open) */
static struct virtio_net virtio_nets[MAX_NICS];
static unsigned int nr_virtio_nets;	/* initialised (tap open) */
static struct cpuid_table cpuid;
static struct vcpu vcpus[MAX_CPUS];
static struct x86_boot_entry boot_entry;
static int serial_out_fd = -1;
static struct vmctl vmctl = {
	.pm = &acpi_pm,
	.blks = virtio_blks,
	.nr_blks = &nr_virtio_blks,
	.nets = virtio_nets,
	.nr_nets = &nr_virtio_nets,
};

/* COM1 output, timing the first byte (trace span "first-output"). */
static void serial_tx_traced(void *opaque, u8 byte)
{
	span_end(&nyx_log, SPAN_FIRST_OUTPUT);
	serial_tx_fd(opaque, byte);
}

static void first_exit_hook(struct vcpu *v)
{
	(void)v;
	span_end(&nyx_log, SPAN_FIRST_EXIT);
}

/* --log, --log-file, --verbose: before anything else is printed. */
static int setup_logging(const struct run_options *o)
{
	char err[128];
	int ret;

	if (o->log_file) {
		ret = log_open_file(&nyx_log, o->log_file);
		if (ret) {
			pr_err("--log-file: cannot open %s: %s", o->log_file,
			       strerror(-ret));
			return NYX_EXIT_SETUP;
		}
	}
	if (o->verbose) {
		nyx_debug = true;
		nyx_log.level = LOG_DEBUG;
	}
	if (o->log_spec && log_parse_spec(&nyx_log, o->log_spec, err,
					  sizeof(err))) {
		pr_err("--log: %s", err);
		return NYX_EXIT_SETUP;
	}
	if (log_comp_level(&nyx_log, "core/bus") <= LOG_DEBUG)
		nyx_debug = true;	/* bus.c's per-access debug output */
	return 0;
}

/*
 * The PC platform devices, present in every VM; their interrupt outputs
 * go through core/irq.h (see arch/x86/pc.h for the IRQ map).
 */
static int setup_platform_devices(const struct run_options *o)
{
	int ret;

	/* COM2 exists for guests that probe it; nothing is attached. */
	serial_init(&com2, SERIAL_COM2_BASE, SERIAL_COM2_IRQ, NULL, NULL);
	i8042_init(&i8042);
	rtc_init(&rtc, &clock_realtime);
	rtc_set_machine_info(&rtc, vm.low_size, vm.high_size, o->cpus);
	post_init(&post);
	acpi_pm_init(&acpi_pm, &clock_monotonic);
	fw_cfg_init(&fw_cfg);

	ret = fw_cfg_add_machine(&fw_cfg, vm.ram_size, o->cpus, MAX_CPUS);
	if (!ret)
		ret = serial_register(&com2);
	if (!ret)
		ret = i8042_register(&i8042);
	if (!ret)
		ret = rtc_register(&rtc);
	if (!ret)
		ret = post_register(&post);
	if (!ret)
		ret = fw_cfg_register(&fw_cfg);
	if (!ret)
		ret = acpi_pm_register(&acpi_pm);
	return ret;
}

static int setup_devices(const struct run_options *o)
{
	serial_tx_fn tx = NULL;
	int ret;

	switch (o->serial) {
	case SERIAL_STDIO:
		serial_out_fd = STDOUT_FILENO;
		tx = serial_tx_traced;
		break;
	case SERIAL_FILE:
		serial_out_fd = open(o->serial_path,
				     O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
				     0644);
		if (serial_out_fd < 0) {
			pr_err("cannot open %s: %s", o->serial_path,
			       strerror(errno));
			return NYX_EXIT_SETUP;
		}
		tx = serial_tx_traced;
		break;
	case SERIAL_NONE:
		break;
	}
	serial_init(&com1, SERIAL_COM1_BASE, SERIAL_COM1_IRQ, tx,
		    (void *)(intptr_t)serial_out_fd);

	ret = serial_register(&com1);
	if (!ret)
		ret = setup_platform_devices(o);
	if (!ret)
		ret = debug_exit_register();
	if (!ret && o->testdev) {
		testdev_init(&testdev);
		ret = testdev_register(&testdev);
	}
	if (ret) {
		pr_err("cannot register devices: %s", strerror(-ret));
		return NYX_EXIT_SETUP;
	}
	return 0;
}

static int setup_cpuid(const struct run_options *o)
{
	if (cpuid_build(&cpuid, cpuid_query_host, o->cpus)) {
		pr_err("CPUID table does not fit in %d entries",
		       NYX_MAX_CPUID_ENTRIES);
		return NYX_EXIT_SETUP;
	}
	return 0;
}

/*
 * KVM's paravirtual CPUID interface, with the features nyx.ko implements.
 * Its main effect: Linux enables x2APIC (it does so without interrupt
 * remapping only under a hypervisor it knows), so APIC accesses become
 * MSR exits handled in nyx.ko instead of MMIO run through the emulator.
 */
static int offer_kvm_pv(const struct vm *vm)
{
	u32 features = KVM_FEATURE_NOP_IO_DELAY;

	if (ioctl(vm->sys_fd, NYX_CHECK_EXTENSION, NYX_CAP_PV_EOI) > 0)
		features |= KVM_FEATURE_PV_EOI;
	if (cpuid_set_kvm_pv(&cpuid, features)) {
		pr_err("CPUID table does not fit in %d entries",
		       NYX_MAX_CPUID_ENTRIES);
		return NYX_EXIT_SETUP;
	}
	return 0;
}

/*
 * The PCI bus and its devices. Before the firmware tables are built: the
 * launcher is the firmware that places the BARs, and it needs no VM.
 */
static int setup_pci(const struct run_options *o)
{
	struct pci_bus_layout layout;
	unsigned int i;
	int ret;

	pc_pci_layout(&layout);
	pci_bus_init(&pci_bus, &layout, &pio_bus, &mmio_bus);
	ret = pci_host_register(&pci_bus);
	if (ret) {
		pr_err("cannot register the PCI host bridge: %s",
		       strerror(-ret));
		return NYX_EXIT_SETUP;
	}
	for (i = 0; i < o->pci_testdevs; i++) {
		ret = pci_testdev_init(&pci_testdevs[i]);
		if (!ret)
			ret = pci_register(&pci_bus, &pci_testdevs[i].pci);
		if (ret) {
			pr_err("--device pci-testdev #%u: cannot add it", i + 1);
			return NYX_EXIT_SETUP;
		}
	}
	for (i = 0; i < o->ndisks; i++) {
		ret = virtio_blk_init(&virtio_blks[i], &o->disks[i], &vm);
		if (ret) {
			pr_err("--disk %s: cannot add it", o->disks[i].path);
			return NYX_EXIT_SETUP;
		}
		nr_virtio_blks++;
		ret = pci_register(&pci_bus, &virtio_blks[i].vp.pci);
		if (ret) {
			pr_err("--disk %s: no room on the PCI bus",
			       o->disks[i].path);
			return NYX_EXIT_SETUP;
		}
	}
	for (i = 0; i < o->nr_nics; i++) {
		if (virtio_net_init(&virtio_nets[i], &o->nics[i], &vm)) {
			pr_err("--nic #%u: cannot add it", i + 1);
			return NYX_EXIT_SETUP;
		}
		nr_virtio_nets++;
		if (pci_register(&pci_bus, &virtio_nets[i].vp.pci)) {
			pr_err("--nic #%u: no room on the PCI bus", i + 1);
			return NYX_EXIT_SETUP;
		}
	}
	return 0;
}

/* The virtio devices' I/O threads and fast paths, once the VM exists. */
static int start_virtio(const struct run_options *o)
{
	unsigned int i;
	int ret;

	eventfd_fastpath_disable(!o->virtio_fastpath);
	for (i = 0; i < nr_virtio_blks; i++) {
		ret = virtio_blk_start(&virtio_blks[i], vm.vm_fd);
		if (ret) {
			pr_err("--disk %s: cannot start: %s", o->disks[i].path,
			       strerror(-ret));
			return NYX_EXIT_SETUP;
		}
	}
	for (i = 0; i < nr_virtio_nets; i++) {
		ret = virtio_net_start(&virtio_nets[i], vm.vm_fd);
		if (ret) {
			pr_err("--nic #%u: cannot start: %s", i + 1,
			       strerror(-ret));
			return NYX_EXIT_SETUP;
		}
	}
	return 0;
}

/* Stop the I/O threads, finish requests in flight, close the images and
 * taps. */
static void stop_virtio(void)
{
	unsigned int i;

	for (i = 0; i < nr_virtio_nets; i++)
		virtio_net_exit(&virtio_nets[i]);
	nr_virtio_nets = 0;

	for (i = 0; i < nr_virtio_blks; i++)
		virtio_blk_exit(&virtio_blks[i]);
	nr_virtio_blks = 0;
}

/* The guest TSC rate nyx.ko reports (0 if unknown or no module yet). */
static u32 nyx_tsc_khz(void)
{
	int fd = open("/dev/nyx", O_RDWR | O_CLOEXEC);
	int khz;

	if (fd < 0)
		return 0;
	khz = ioctl(fd, NYX_CHECK_EXTENSION, NYX_CAP_TSC_KHZ);
	close(fd);
	pr_debug("guest TSC: %d kHz", khz);
	return khz > 0 ? khz : 0;
}

/* Put the guest image in memory and decide where the first vCPU starts. */
static int load_guest(const struct run_options *o)
{
	const struct nyx_cpuid_entry *leaf1 = cpuid_find(&cpuid, 1, 0);
	struct pc_boot_config cfg = {
		.kernel = o->kernel,
		.initrd = o->initrd,
		.cmdline = o->append,
		.nr_cpus = o->cpus,
		.cpu_signature = leaf1 ? leaf1->eax : 0,
		/* the MP table's CPUs have their local APIC (CPUID gets the
		 * bit only once the irqchip exists, after this) */
		.cpu_features = (leaf1 ? leaf1->edx : 0) | (1u << 9),
		.tsc_khz = nyx_tsc_khz(),
		.pm_timer = o->pm_timer,
	};
	int ret;

	if (o->kernel)
		return pc_setup_kernel_boot(&vm, &cfg, &boot_entry);
	ret = flat_load(&vm, o->flat_path, o->flat_addr);
	x86_entry_real(&boot_entry, o->flat_addr);
	return ret;
}

static int setup_vcpus(const struct run_options *o)
{
	unsigned int i;
	int ret;

	if (vm.max_vcpus && o->cpus > (unsigned int)vm.max_vcpus) {
		pr_err("--cpus: %u vCPUs requested, the module allows %d",
		       o->cpus, vm.max_vcpus);
		return NYX_EXIT_SETUP;
	}
	for (i = 0; i < o->cpus; i++) {
		if (vcpu_create(&vcpus[i], &vm, i))
			return NYX_EXIT_SETUP;
		cpuid_set_vcpu(&cpuid, i);
		ret = cpuid_apply(vcpus[i].fd, &cpuid);
		if (ret) {
			pr_err("vCPU %u: NYX_SET_CPUID: %s", i, strerror(-ret));
			return NYX_EXIT_SETUP;
		}
		/* --flat: every vCPU starts at the image. A kernel starts on
		 * vCPU 0; the others stay in reset until the kernel sends
		 * INIT/SIPI through the (in-kernel) LAPIC. */
		if ((i == 0 || !o->kernel) &&
		    x86_boot_vcpu(vcpus[i].fd, i, &boot_entry))
			return NYX_EXIT_SETUP;
		if (o->kernel && x86_vcpu_firmware_msrs(vcpus[i].fd, i))
			return NYX_EXIT_SETUP;
		/* with the irqchip APs wait for SIPI; flat ones run now */
		if (i && !o->kernel && irq_chip_present() &&
		    x86_vcpu_runnable(vcpus[i].fd, i))
			return NYX_EXIT_SETUP;
	}
	return 0;
}

static int cmd_run(int argc, char **argv)
{
	struct run_options o;
	int ret, status, signo = 0;

	span_start(&nyx_log, SPAN_LOAD);
	ret = run_options_parse(argc, argv, &o);
	if (ret)
		return ret > 0 ? 0 : NYX_EXIT_SETUP;
	ret = setup_logging(&o);
	if (ret) {
		run_options_free(&o);
		return ret;
	}

	/* Before the first thread: the others inherit main's CPUs. */
	ret = pin_apply(&o.pin) ? NYX_EXIT_SETUP : setup_signals();
	if (ret)
		goto out;

	/* RAM and the guest image first: they only depend on the options,
	 * so a bad --memory or --kernel is reported even where /dev/nyx is
	 * missing. */
	vm_init(&vm);
	ret = vm_reserve_ram(&vm, o.memory, o.memory_text);
	if (!ret)
		ret = setup_pci(&o);
	if (!ret)
		ret = setup_cpuid(&o);
	if (!ret)
		ret = load_guest(&o);
	span_end(&nyx_log, SPAN_LOAD);
	span_start(&nyx_log, SPAN_BOOT);
	if (!ret)
		ret = vm_create(&vm);
	if (!ret && o.irqchip) {
		ret = irq_chip_create(vm.vm_fd);
		if (ret == -ENOSYS) {
			pr_info("nyx.ko has no in-kernel irqchip: device interrupts are dropped");
			ret = 0;
		} else if (ret) {
			pr_err("NYX_CREATE_IRQCHIP: %s", strerror(-ret));
			ret = NYX_EXIT_SETUP;
		} else {
			cpuid_set_irqchip(&cpuid,
				ioctl(vm.sys_fd, NYX_CHECK_EXTENSION,
				      NYX_CAP_X2APIC) > 0,
				ioctl(vm.sys_fd, NYX_CHECK_EXTENSION,
				      NYX_CAP_TSC_DEADLINE_TIMER) > 0);
		}
	}
	if (!ret && o.kvm_pv)
		ret = offer_kvm_pv(&vm);
	if (!ret)
		ret = setup_devices(&o);
	if (!ret)
		ret = start_virtio(&o);
	if (!ret)
		ret = setup_vcpus(&o);
	if (!ret && o.gdb)
		ret = gdbserver_start(o.gdb, o.gdb_wait, &vm, vcpus,
				      o.kernel && !irq_chip_present() ? 1 :
				      o.cpus);
	if (!ret && o.control) {
		virtio_error_hook = vmctl_device_error;
		ret = control_start(o.control, &vmctl_ops, &vmctl) ?
		      NYX_EXIT_SETUP : 0;
	}
	if (ret)
		goto out;

	pr_debug("%u vCPU(s), %llu MiB RAM, entry 0x%llx", o.cpus,
		 (unsigned long long)(o.memory >> 20),
		 (unsigned long long)boot_entry.entry);
	if (o.serial == SERIAL_STDIO) {
		ret = term_start_input(&com1);
		if (ret)
			pr_err("serial input disabled: %s", strerror(-ret));
	}
	if (rtc_start_timer(&rtc))
		pr_err("RTC timer thread: cannot start; RTC interrupts disabled");
	/* On failure the stop is already requested: tear down as usual.
	 * Without an irqchip nothing could ever start a kernel's APs, so
	 * only the boot vCPU runs. */
	vcpu_exit_hook = first_exit_hook;
	span_start(&nyx_log, SPAN_FIRST_EXIT);
	span_start(&nyx_log, SPAN_FIRST_OUTPUT);
	vcpus_start(vcpus, o.kernel && !irq_chip_present() ? 1 : o.cpus);
	span_end(&nyx_log, SPAN_BOOT);
	if (watchdog_start(&o.watchdog))
		pr_err("watchdog disabled");

	status = stop_wait(&signo);
	span_start(&nyx_log, SPAN_SHUTDOWN);
	watchdog_stop();
	vmctl_shutdown_events(&vmctl, status, signo);
	vcpus_join();
	rtc_stop_timer(&rtc);
	stop_virtio();
	control_stop();
	term_restore();
	span_end(&nyx_log, SPAN_SHUTDOWN);
	if (o.verbose)
		span_report(&nyx_log);
	if (signo)
		reraise(signo);
	ret = status;
out:
	stop_virtio();
	control_stop();
	run_options_free(&o);
	return ret;
}

/* ---------------------------------------------------------------------
 * nyx cpuid, nyx version
 */
static int cmd_cpuid(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "cpus", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	u64 cpus = 1;
	int opt;

	optind = 0;
	while ((opt = getopt_long(argc, argv, "+c:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			if (parse_u64(optarg, &cpus) || !cpus ||
			    cpus > MAX_CPUS) {
				pr_err("--cpus: '%s' is not a number in 1..%d",
				       optarg, MAX_CPUS);
				return NYX_EXIT_SETUP;
			}
			break;
		case 'h':
			printf("usage: nyx cpuid [--cpus N]\n");
			return 0;
		default:
			return NYX_EXIT_SETUP;
		}
	}
	if (optind < argc) {
		pr_err("cpuid: unexpected argument '%s'", argv[optind]);
		return NYX_EXIT_SETUP;
	}
	if (cpuid_build(&cpuid, cpuid_query_host, cpus)) {
		pr_err("CPUID table does not fit in %d entries",
		       NYX_MAX_CPUID_ENTRIES);
		return NYX_EXIT_SETUP;
	}
	cpuid_dump(&cpuid, stdout);
	return 0;
}

static int cmd_version(void)
{
	int fd, api;

	printf("nyx %s (userspace ABI version %d)\n", NYX_VERSION,
	       NYX_API_VERSION);
	fd = open(NYX_DEV_PATH, O_RDWR | O_CLOEXEC);
	if (fd >= 0) {
		api = ioctl(fd, NYX_GET_API_VERSION, 0);
		printf("%s: ABI version %d\n", NYX_DEV_PATH, api);
		close(fd);
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : NULL;

	log_init(&nyx_log, STDERR_FILENO);
	log_install();
	debug_init_from_env();
	if (nyx_debug)
		nyx_log.level = LOG_DEBUG;
	if (!cmd) {
		usage(stderr);
		return NYX_EXIT_SETUP;
	}
	if (!strcmp(cmd, "run"))
		return cmd_run(argc - 1, argv + 1);
	/* one-shot tools: plain messages, no timestamps */
	if (!strcmp(cmd, "ctl") || !strcmp(cmd, "check") ||
	    !strcmp(cmd, "stat"))
		nyx_log.timestamps = false;
	if (!strcmp(cmd, "ctl"))
		return cmd_ctl(argc - 1, argv + 1);
	if (!strcmp(cmd, "check"))
		return cmd_check(argc - 1, argv + 1);
	if (!strcmp(cmd, "cpuid"))
		return cmd_cpuid(argc - 1, argv + 1);
	if (!strcmp(cmd, "stat"))
		return cmd_stat(argc - 1, argv + 1);
	if (!strcmp(cmd, "version") || !strcmp(cmd, "--version"))
		return cmd_version();
	if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") ||
	    !strcmp(cmd, "-h")) {
		usage(stdout);
		return 0;
	}
	pr_err("unknown command '%s' (see nyx --help)", cmd);
	return NYX_EXIT_SETUP;
}
