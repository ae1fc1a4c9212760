/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Command line of "nyx run".
 */
#ifndef NYX_OPTIONS_H
#define NYX_OPTIONS_H

#include <stdio.h>

#include "block/spec.h"
#include "core/affinity.h"
#include "core/util.h"
#include "core/watchdog.h"
#include "net/nic.h"

#define DEFAULT_MEMORY		(64 * SZ_1M)
#define DEFAULT_MEMORY_TEXT	"64M"
#define MAX_CPUS		64
#define MAX_PCI_TESTDEVS	16
#define MAX_DISKS		8
#define RUN_OPTIONS_MAX_OWNED	32

enum serial_backend {
	SERIAL_STDIO,		/* stdout, and stdin as input */
	SERIAL_FILE,		/* output to a file, no input */
	SERIAL_NONE,		/* the UART exists, output is dropped */
};

struct run_options {
	u64 memory;
	const char *memory_text;	/* as typed, for messages */
	unsigned int cpus;
	char *flat_path;		/* malloc'd; NULL without --flat */
	u64 flat_addr;
	const char *kernel;		/* --kernel: bzImage, multiboot or PVH ELF */
	const char *initrd;
	const char *append;		/* kernel command line */
	enum serial_backend serial;
	const char *serial_path;	/* SERIAL_FILE */
	bool testdev;
	unsigned int pci_testdevs;	/* --device pci-testdev, each one */
	bool irqchip;			/* in-kernel interrupt controllers */
	bool pm_timer;			/* FADT advertises the PM timer */
	bool kvm_pv;			/* CPUID offers KVM's PV interface */
	bool verbose;
	struct nic_options nics[MAX_NICS];	/* --nic, in order */
	unsigned int nr_nics;
	struct disk_spec disks[MAX_DISKS];	/* --disk, in order */
	unsigned int ndisks;
	bool virtio_fastpath;		/* ioeventfd/irqfd when available */
	/* operate and observe (Documentation/config.rst, control.rst) */
	const char *config;		/* --config FILE */
	const char *control;		/* --control SOCKET */
	const char *log_spec;		/* --log LEVEL|COMP=LEVEL,... */
	const char *log_file;		/* --log-file FILE */
	struct watchdog_options watchdog;	/* --watchdog */
	struct pin_options pin;		/* --pin: where threads run */
	/* strings copied out of the config file, freed with the options */
	char *owned[RUN_OPTIONS_MAX_OWNED];
	unsigned int nr_owned;
	const char *gdb;		/* --gdb tcp:HOST:PORT / unix:PATH */
	bool gdb_wait;			/* vCPUs wait for gdb */
};

/*
 * Parse "run" arguments (argv[0] is "run"). Returns 0 to go on, 1 if help
 * was printed, or -1 after printing an error.
 */
int run_options_parse(int argc, char **argv, struct run_options *o);
void run_options_free(struct run_options *o);
/* Defaults of every option (what run_options_parse starts from). */
void run_options_defaults(struct run_options *o);

void run_usage(FILE *out);

/*
 * Checkers shared by the command line and the config file (config.c).
 * They return 0, or -1 with a message in err that names the bad value
 * and what is expected; the caller prefixes its context ("--serial: ",
 * "devices[2]: ").
 */
/* "stdio", "none" or "file:PATH"; *path points into arg (file:) or is NULL */
int serial_backend_parse(const char *arg, enum serial_backend *b,
			 const char **path, char *err, size_t errlen);
/* One --device NAME or "devices" entry: testdev, pci-testdev (counted) */
int run_options_add_device(struct run_options *o, const char *name,
			   char *err, size_t errlen);

#endif
