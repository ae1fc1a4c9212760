// SPDX-License-Identifier: GPL-2.0
/*
 * nyxcaps: what /dev/nyx offers (NYX_CHECK_EXTENSION), for the in-VM
 * suites to decide what they can test.
 *
 *   nyxcaps              print "name value" for every known capability
 *   nyxcaps NAME...      exit 0 if every NAME is non-zero; else print
 *                        "NAME 0" for each missing one and exit 1
 *
 * Names are the NYX_CAP_* suffixes in lower case (irqchip, x2apic, ...).
 * Exit status 2: usage error or /dev/nyx cannot be opened.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include <uapi/nyx.h>

#define CAP(n) { #n, NYX_CAP_##n }

static const struct {
	const char *name;
	unsigned long cap;
} caps[] = {
	CAP(NR_VCPUS), CAP(NR_MEMSLOTS), CAP(READONLY_MEM), CAP(DIRTY_LOG),
	CAP(STRING_IO), CAP(MMIO_EMULATION), CAP(CPUID), CAP(XSAVE),
	CAP(NPT), CAP(EPT), CAP(IMMEDIATE_EXIT), CAP(MAX_MSRS),
	CAP(IRQCHIP), CAP(IRQ_LINES), CAP(SIGNAL_MSI), CAP(VCPU_EVENTS),
	CAP(X2APIC), CAP(TSC_DEADLINE_TIMER), CAP(IRQCHIP_STATE),
};

#define NCAPS (sizeof(caps) / sizeof(caps[0]))

/* Print NAME in lower case. */
static void print_name(const char *name)
{
	for (; *name; name++)
		putchar(*name >= 'A' && *name <= 'Z' ? *name - 'A' + 'a' : *name);
}

static int find(const char *name)
{
	unsigned int i, j;

	for (i = 0; i < NCAPS; i++) {
		const char *c = caps[i].name;

		for (j = 0; c[j] && name[j]; j++) {
			char n = name[j];

			if (n >= 'a' && n <= 'z')
				n = n - 'a' + 'A';
			if (n == '-')
				n = '_';
			if (n != c[j])
				break;
		}
		if (!c[j] && !name[j])
			return i;
	}
	return -1;
}

int main(int argc, char **argv)
{
	int fd, i, missing = 0;
	long val;

	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		printf("usage: nyxcaps [NAME...]\n");
		return 0;
	}
	for (i = 1; i < argc; i++) {
		if (find(argv[i]) < 0) {
			fprintf(stderr, "nyxcaps: unknown capability '%s'\n", argv[i]);
			return 2;
		}
	}
	fd = open("/dev/nyx", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "nyxcaps: /dev/nyx: %s\n", strerror(errno));
		return 2;
	}
	if (argc == 1) {
		for (i = 0; i < (int)NCAPS; i++) {
			val = ioctl(fd, NYX_CHECK_EXTENSION, caps[i].cap);
			print_name(caps[i].name);
			printf(" %ld\n", val);
		}
		close(fd);
		return 0;
	}
	for (i = 1; i < argc; i++) {
		int c = find(argv[i]);

		val = ioctl(fd, NYX_CHECK_EXTENSION, caps[c].cap);
		if (val <= 0) {
			print_name(caps[c].name);
			printf(" %ld\n", val);
			missing = 1;
		}
	}
	close(fd);
	return missing;
}
