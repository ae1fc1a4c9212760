// SPDX-License-Identifier: GPL-2.0
/*
 * vmxcaps: print what the CPU offers a hypervisor, decoded, for the log of
 * a nested test VM (the emulated CPU is the hardware nyx.ko programs).
 *   Intel: CPUID.1 VMX/SMX, IA32_FEATURE_CONTROL and every VMX capability
 *          MSR (basic, pin/proc/proc2/exit/entry controls and their TRUE_
 *          variants, misc, CR0/CR4 fixed bits, VMCS enumeration,
 *          EPT/VPID, VM functions), read through /dev/cpu/0/msr.
 *   AMD:   CPUID 0x8000000A (SVM revision, ASIDs, feature bits) and VM_CR.
 * Needs the msr module (modprobe msr) and root. Exit status 0 if all MSRs
 * that should exist could be read.
 */
#define _GNU_SOURCE
#include <cpuid.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int msr_fd = -1;
static int errors;

static int rdmsr(uint32_t msr, uint64_t *val)
{
	if (pread(msr_fd, val, sizeof(*val), msr) != sizeof(*val)) {
		printf("  0x%08x  (read failed)\n", msr);
		errors++;
		return -1;
	}
	return 0;
}

/* Bit names, NULL for reserved/unnamed bits (printed as bitN). */
static const char *const pin_names[32] = {
	[0] = "ext-int-exiting", [3] = "nmi-exiting", [5] = "virtual-nmis",
	[6] = "preemption-timer", [7] = "posted-interrupts",
};
static const char *const proc_names[32] = {
	[2] = "intr-window-exiting", [3] = "tsc-offsetting", [7] = "hlt-exiting",
	[9] = "invlpg-exiting", [10] = "mwait-exiting", [11] = "rdpmc-exiting",
	[12] = "rdtsc-exiting", [15] = "cr3-load-exiting",
	[16] = "cr3-store-exiting", [17] = "tertiary-controls",
	[19] = "cr8-load-exiting", [20] = "cr8-store-exiting",
	[21] = "tpr-shadow", [22] = "nmi-window-exiting", [23] = "mov-dr-exiting",
	[24] = "uncond-io-exiting", [25] = "io-bitmaps", [27] = "monitor-trap-flag",
	[28] = "msr-bitmaps", [29] = "monitor-exiting", [30] = "pause-exiting",
	[31] = "secondary-controls",
};
static const char *const proc2_names[32] = {
	[0] = "virt-apic-accesses", [1] = "ept", [2] = "desc-table-exiting",
	[3] = "rdtscp", [4] = "virt-x2apic", [5] = "vpid", [6] = "wbinvd-exiting",
	[7] = "unrestricted-guest", [8] = "apic-register-virt",
	[9] = "virt-intr-delivery", [10] = "pause-loop-exiting",
	[11] = "rdrand-exiting", [12] = "invpcid", [13] = "vmfunc",
	[14] = "vmcs-shadowing", [15] = "encls-exiting", [16] = "rdseed-exiting",
	[17] = "pml", [18] = "ept-violation-ve", [19] = "pt-conceal-vmx",
	[20] = "xsaves", [22] = "ept-mode-based-exec", [23] = "ept-subpage-write",
	[24] = "pt-guest-pa", [25] = "tsc-scaling", [26] = "user-wait-pause",
	[27] = "pconfig", [28] = "enclv-exiting",
};
static const char *const exit_names[32] = {
	[2] = "save-debug-ctls", [9] = "host-addr-space-size",
	[12] = "load-perf-global-ctrl", [15] = "ack-intr-on-exit",
	[18] = "save-pat", [19] = "load-pat", [20] = "save-efer",
	[21] = "load-efer", [22] = "save-preemption-timer",
	[23] = "clear-bndcfgs", [24] = "pt-conceal-vmx", [25] = "clear-rtit-ctl",
	[26] = "clear-lbr-ctl", [28] = "load-cet", [29] = "load-pkrs",
	[31] = "secondary-exit-ctls",
};
static const char *const entry_names[32] = {
	[2] = "load-debug-ctls", [9] = "ia32e-mode-guest", [10] = "entry-to-smm",
	[11] = "deact-dual-monitor", [13] = "load-perf-global-ctrl",
	[14] = "load-pat", [15] = "load-efer", [16] = "load-bndcfgs",
	[17] = "pt-conceal-vmx", [18] = "load-rtit-ctl", [20] = "load-cet",
	[21] = "load-lbr-ctl", [22] = "load-pkrs",
};

static void print_bits(const char *label, uint32_t bits, const char *const names[32])
{
	int col = printf("    %-9s", label);

	for (int i = 0; i < 32; i++) {
		char buf[40];
		int n;

		if (!(bits & (1u << i)))
			continue;
		if (names && names[i])
			n = snprintf(buf, sizeof(buf), " %s", names[i]);
		else
			n = snprintf(buf, sizeof(buf), " bit%d", i);
		if (col + n > 100) {
			printf("\n%13s", "");
			col = 13;
		}
		col += printf("%s", buf);
	}
	if (!bits)
		printf(" -");
	printf("\n");
}

/*
 * A control MSR: low half = allowed-0 settings (a 1 there means the
 * control must be 1), high half = allowed-1 settings (may be 1).
 */
static void print_ctls(const char *name, uint32_t msr, const char *const names[32])
{
	uint64_t v;

	if (rdmsr(msr, &v))
		return;
	printf("  %-22s 0x%08x = 0x%016" PRIx64 "\n", name, msr, v);
	print_bits("must-be-1", (uint32_t)v, names);
	print_bits("may-be-1", (uint32_t)(v >> 32), names);
}

static void print_raw(const char *name, uint32_t msr, uint64_t *out)
{
	uint64_t v;

	if (rdmsr(msr, &v))
		return;
	printf("  %-22s 0x%08x = 0x%016" PRIx64 "\n", name, msr, v);
	if (out)
		*out = v;
}

static void intel(void)
{
	uint64_t basic = 0, misc = 0, ept = 0, v = 0, proc = 0, proc2 = 0;
	unsigned int a, b, c, d;

	__cpuid(1, a, b, c, d);
	printf("CPUID.1: ECX.VMX=%u ECX.SMX=%u\n", (c >> 5) & 1, (c >> 6) & 1);
	if (!((c >> 5) & 1))
		return;

	print_raw("IA32_FEATURE_CONTROL", 0x3a, &v);
	printf("    lock=%u vmx-inside-smx=%u vmx-outside-smx=%u\n",
	       (unsigned)(v & 1), (unsigned)(v >> 1) & 1, (unsigned)(v >> 2) & 1);

	print_raw("IA32_VMX_BASIC", 0x480, &basic);
	printf("    revision=%#x vmcs-size=%u 32bit-pa-limit=%u dual-monitor=%u "
	       "memtype=%u ins-outs-info=%u true-ctls=%u no-err-code-check=%u\n",
	       (unsigned)(basic & 0x7fffffff), (unsigned)(basic >> 32) & 0x1fff,
	       (unsigned)(basic >> 48) & 1, (unsigned)(basic >> 49) & 1,
	       (unsigned)(basic >> 50) & 0xf, (unsigned)(basic >> 54) & 1,
	       (unsigned)(basic >> 55) & 1, (unsigned)(basic >> 56) & 1);

	print_ctls("PINBASED_CTLS", 0x481, pin_names);
	print_ctls("PROCBASED_CTLS", 0x482, proc_names);
	print_ctls("EXIT_CTLS", 0x483, exit_names);
	print_ctls("ENTRY_CTLS", 0x484, entry_names);
	if ((basic >> 55) & 1) {
		print_ctls("TRUE_PINBASED_CTLS", 0x48d, pin_names);
		print_ctls("TRUE_PROCBASED_CTLS", 0x48e, proc_names);
		print_ctls("TRUE_EXIT_CTLS", 0x48f, exit_names);
		print_ctls("TRUE_ENTRY_CTLS", 0x490, entry_names);
	} else {
		printf("  (no TRUE_ control MSRs: IA32_VMX_BASIC bit 55 is 0)\n");
	}

	if (rdmsr(0x482, &proc) == 0 && (proc >> 63) & 1) {
		print_ctls("PROCBASED_CTLS2", 0x48b, proc2_names);
		rdmsr(0x48b, &proc2);
	} else {
		printf("  (no secondary controls)\n");
	}
	if ((proc >> 49) & 1)
		print_raw("PROCBASED_CTLS3", 0x492, NULL);

	print_raw("IA32_VMX_MISC", 0x485, &misc);
	printf("    preempt-timer-shift=%u store-lma=%u activity: hlt=%u shutdown=%u "
	       "wait-sipi=%u\n    cr3-targets=%u max-msr-list=%u vmwrite-any-field=%u "
	       "zero-len-inject=%u mseg-rev=%#x\n",
	       (unsigned)(misc & 0x1f), (unsigned)(misc >> 5) & 1,
	       (unsigned)(misc >> 6) & 1, (unsigned)(misc >> 7) & 1,
	       (unsigned)(misc >> 8) & 1, (unsigned)(misc >> 16) & 0x1ff,
	       512 * ((unsigned)((misc >> 25) & 7) + 1), (unsigned)(misc >> 29) & 1,
	       (unsigned)(misc >> 30) & 1, (unsigned)(misc >> 32));

	print_raw("IA32_VMX_CR0_FIXED0", 0x486, NULL);
	print_raw("IA32_VMX_CR0_FIXED1", 0x487, NULL);
	print_raw("IA32_VMX_CR4_FIXED0", 0x488, NULL);
	print_raw("IA32_VMX_CR4_FIXED1", 0x489, NULL);
	print_raw("IA32_VMX_VMCS_ENUM", 0x48a, &v);
	printf("    highest-field-index=%#x\n", (unsigned)(v >> 1) & 0x1ff);

	/* EPT/VPID capabilities exist if either feature can be enabled. */
	if ((proc2 >> 32) & ((1u << 1) | (1u << 5))) {
		print_raw("IA32_VMX_EPT_VPID_CAP", 0x48c, &ept);
		printf("    ept: exec-only=%u walk4=%u walk5=%u uc=%u wb=%u 2m=%u 1g=%u "
		       "invept=%u ad=%u adv-exit-info=%u sss=%u invept-single=%u "
		       "invept-all=%u\n",
		       (unsigned)(ept & 1), (unsigned)(ept >> 6) & 1, (unsigned)(ept >> 7) & 1,
		       (unsigned)(ept >> 8) & 1, (unsigned)(ept >> 14) & 1,
		       (unsigned)(ept >> 16) & 1, (unsigned)(ept >> 17) & 1,
		       (unsigned)(ept >> 20) & 1, (unsigned)(ept >> 21) & 1,
		       (unsigned)(ept >> 22) & 1, (unsigned)(ept >> 23) & 1,
		       (unsigned)(ept >> 25) & 1, (unsigned)(ept >> 26) & 1);
		printf("    vpid: invvpid=%u individual-addr=%u single=%u all=%u "
		       "single-keep-globals=%u\n",
		       (unsigned)(ept >> 32) & 1, (unsigned)(ept >> 40) & 1,
		       (unsigned)(ept >> 41) & 1, (unsigned)(ept >> 42) & 1,
		       (unsigned)(ept >> 43) & 1);
	}
	if ((proc2 >> 32) & (1u << 13))
		print_raw("IA32_VMX_VMFUNC", 0x491, NULL);
}

static void amd(void)
{
	static const char *const svm_names[32] = {
		[0] = "npt", [1] = "lbr-virt", [2] = "svm-lock", [3] = "nrip-save",
		[4] = "tsc-rate-msr", [5] = "vmcb-clean", [6] = "flush-by-asid",
		[7] = "decode-assists", [10] = "pause-filter",
		[12] = "pause-filter-threshold", [13] = "avic",
		[15] = "v-vmsave-vmload", [16] = "vgif", [17] = "gmet",
		[18] = "x2avic", [19] = "sss-check", [20] = "spec-ctrl",
		[21] = "rogpt", [23] = "host-mce-override", [24] = "tlbictl",
		[25] = "vnmi", [26] = "ibs-virt", [28] = "ext-lvt-offset-fault",
		[29] = "vmcb-addr-chk-chg",
	};
	unsigned int a, b, c, d;
	uint64_t v;

	__cpuid(0x80000001, a, b, c, d);
	printf("CPUID.80000001: ECX.SVM=%u\n", (c >> 2) & 1);
	if (!((c >> 2) & 1))
		return;
	__cpuid(0x8000000a, a, b, c, d);
	printf("CPUID.8000000A: svm-revision=%u asids=%u\n", a & 0xff, b);
	print_bits("features", d, svm_names);
	print_raw("VM_CR", 0xc0010114, &v);
	printf("    svmdis=%u lock=%u\n", (unsigned)(v >> 4) & 1, (unsigned)(v >> 3) & 1);
}

int main(void)
{
	unsigned int a, b, c, d;
	char vendor[13];

	__cpuid(0, a, b, c, d);
	memcpy(vendor, &b, 4);
	memcpy(vendor + 4, &d, 4);
	memcpy(vendor + 8, &c, 4);
	vendor[12] = 0;
	__cpuid(1, a, b, c, d);
	printf("cpu: %s family %u model %u stepping %u\n", vendor,
	       ((a >> 8) & 0xf) + ((a >> 20) & 0xff), ((a >> 4) & 0xf) | ((a >> 12) & 0xf0),
	       a & 0xf);

	msr_fd = open("/dev/cpu/0/msr", O_RDONLY);
	if (msr_fd < 0) {
		perror("/dev/cpu/0/msr (modprobe msr?)");
		return 1;
	}
	if (!strcmp(vendor, "GenuineIntel"))
		intel();
	else if (!strcmp(vendor, "AuthenticAMD"))
		amd();
	else
		printf("unknown vendor\n");
	return errors ? 1 : 0;
}
