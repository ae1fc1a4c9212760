// SPDX-License-Identifier: GPL-2.0
/*
 * Exit-cost benchmark: the same real-mode guest loop runs under nyx.ko
 * (/dev/nyx) and under KVM (/dev/kvm) and measures, with the guest's TSC,
 * the cycles one iteration costs for
 *   cpuid  - an exit handled in the kernel,
 *   pio    - an OUT that exits to this launcher and back,
 *   mmio   - a store outside RAM: exit, instruction emulation, launcher;
 * and, with each hypervisor's in-kernel irqchip, from 32-bit flat mode:
 *   eoi    - a write to the local APIC's EOI register (MMIO, emulated),
 *   ipi    - a self-IPI through the ICR (MMIO, emulated, delivered; IF=0
 *            keeps it pending, so later ones coalesce in IRR);
 *   x2eoi, x2ipi - the same through the x2APIC MSRs (WRMSR 0x80b and
 *            0x830), what Linux guests of both use (CPUID x2APIC given).
 * The guest TSC runs at the host rate under both (a fixed offset), so the
 * numbers compare directly. Usage: exitbench [iterations [kvm|nyx]]: the
 * second argument runs one hypervisor only (the other's column is "-"),
 * for hosts where nyx.ko and kvm_intel cannot be loaded together (both
 * want the kernel's one emergency-VMXOFF callback).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <linux/kvm.h>

#include <uapi/nyx.h>

#define MEM_SIZE	0x10000
#define ENTRY		0x1000

enum op {
	OP_CPUID, OP_PIO, OP_MMIO, OP_EOI, OP_IPI, OP_IOEVENTFD, OP_X2EOI,
	OP_X2IPI, NR_OPS
};
static const char *const op_names[NR_OPS] = {
	"cpuid", "pio", "mmio", "eoi", "ipi", "ioeventfd", "x2eoi", "x2ipi"
};
#define PORT_DONE	0xf3

static int op_uses_apic(enum op op)
{
	return op == OP_EOI || op == OP_IPI || op == OP_X2EOI || op == OP_X2IPI;
}

static int op_uses_x2apic(enum op op)
{
	return op == OP_X2EOI || op == OP_X2IPI;
}

/* Pieces of the 32-bit guests: "mov ebp, n" and the setup, "rdtsc; mov
 * esi, eax; mov edi, edx" before the loop, "dec ebp; jnz loop" and the
 * report (rdtsc delta on 0xf1/0xf2, then PORT_DONE) after. */
static size_t emit(uint8_t *p, size_t len, const void *b, size_t n)
{
	memcpy(p + len, b, n);
	return len + n;
}

static size_t emit_head32(uint8_t *p, uint32_t n, const void *setup,
			  size_t setup_len)
{
	size_t len = 0;

	p[len++] = 0xbd;			/* mov ebp, n */
	len = emit(p, len, &n, 4);
	return emit(p, len, setup, setup_len);
}

static size_t emit_loop_end32(uint8_t *p, size_t len, size_t loop)
{
	static const uint8_t tail[] = {
		0x0f, 0x31, 0x29, 0xf0, 0x19, 0xfa,	/* rdtsc; sub; sbb */
		0xe7, 0xf1, 0x89, 0xd0, 0xe7, 0xf2,	/* out; mov; out */
		0xe6, PORT_DONE,
	};

	p[len++] = 0x4d;			/* dec ebp */
	p[len++] = 0x75;			/* jnz loop */
	p[len] = (uint8_t)(loop - (len + 1));
	len++;
	return emit(p, len, tail, sizeof(tail));
}

#define RDTSC_START32	"\x0f\x31\x89\xc6\x89\xd7"	/* rdtsc; esi, edi */

/*
 * 32-bit flat guest for the APIC ops: software-enable the APIC (SVR), then
 * loop { mov dword [reg], val }, report the rdtsc delta on 0xf1/0xf2 and
 * end with a write to PORT_DONE (HLT would sleep: there is an irqchip).
 */
static size_t build_guest32(uint8_t *p, enum op op, uint32_t n)
{
	uint32_t reg = op == OP_EOI ? 0xfee000b0 : 0xfee00300;
	uint32_t val = op == OP_EOI ? 0 : 0x000440f0;	/* self, fixed, 0xf0 */
	static const uint8_t svr[] = {
		0xc7, 0x05, 0xf0, 0x00, 0xe0, 0xfe, 0xff, 0x01, 0, 0,
	};
	size_t len, loop;

	len = emit_head32(p, n, svr, sizeof(svr));
	len = emit(p, len, RDTSC_START32, 6);
	loop = len;
	p[len++] = 0xc7;			/* mov dword [reg], val */
	p[len++] = 0x05;
	len = emit(p, len, &reg, 4);
	len = emit(p, len, &val, 4);
	return emit_loop_end32(p, len, loop);
}

/*
 * The x2APIC variant: APIC_BASE |= EN | EXTD, SVR = 0x1ff by WRMSR, then
 * loop { mov eax, val; xor edx, edx; wrmsr } with ecx = the register.
 */
static size_t build_guest_x2(uint8_t *p, enum op op, uint32_t n)
{
	static const uint8_t setup[] = {
		0xb9, 0x1b, 0x00, 0x00, 0x00,	/* mov ecx, APIC_BASE */
		0x0f, 0x32,			/* rdmsr */
		0x0d, 0x00, 0x0c, 0x00, 0x00,	/* or eax, EN | EXTD */
		0x0f, 0x30,			/* wrmsr */
		0xb9, 0x0f, 0x08, 0x00, 0x00,	/* mov ecx, SVR */
		0xb8, 0xff, 0x01, 0x00, 0x00,	/* mov eax, 0x1ff */
		0x31, 0xd2, 0x0f, 0x30,		/* xor edx, edx; wrmsr */
	};
	uint32_t reg = op == OP_X2EOI ? 0x80b : 0x830;
	uint32_t val = op == OP_X2EOI ? 0 : 0x000440f0;	/* self, fixed, 0xf0 */
	size_t len, loop;

	len = emit_head32(p, n, setup, sizeof(setup));
	p[len++] = 0xb9;			/* mov ecx, reg */
	len = emit(p, len, &reg, 4);
	len = emit(p, len, RDTSC_START32, 6);
	loop = len;
	p[len++] = 0xb8;			/* mov eax, val */
	len = emit(p, len, &val, 4);
	len = emit(p, len, "\x31\xd2\x0f\x30", 4);	/* xor edx, edx; wrmsr */
	return emit_loop_end32(p, len, loop);
}

/* Flat 32-bit code and data segments (loaded directly, no GDT). */
#define FLAT32(seg, t) do {						\
	(seg).base = 0; (seg).limit = 0xffffffff; (seg).type = (t);	\
	(seg).present = 1; (seg).s = 1; (seg).db = 1; (seg).g = 1;	\
	(seg).selector = (t) == 0xb ? 0x8 : 0x10;			\
} while (0)
#define SET_FLAT32(sr) do {						\
	FLAT32((sr).cs, 0xb); FLAT32((sr).ds, 3); FLAT32((sr).es, 3);	\
	FLAT32((sr).ss, 3); (sr).cr0 = 0x11;				\
} while (0)

/* Build the guest: ebp = n; loop { op } ; report rdtsc delta on 0xf1/0xf2 */
static size_t build_guest(uint8_t *p, enum op op, uint32_t n)
{
	static const uint8_t head[] = {
		0x66, 0xbd, 0, 0, 0, 0,		/* mov ebp, n */
		0xb8, 0x00, 0x20,		/* mov ax, 0x2000 */
		0x8e, 0xd8,			/* mov ds, ax (0x20000: MMIO) */
		0x0f, 0x31,			/* rdtsc */
		0x66, 0x89, 0xc6,		/* mov esi, eax */
		0x66, 0x89, 0xd7,		/* mov edi, edx */
	};
	static const uint8_t ops[NR_OPS][5] = {
		{ 0x66, 0x31, 0xc0, 0x0f, 0xa2 },	/* xor eax,eax; cpuid */
		{ 0xe6, 0xe0 },				/* out 0xe0, al */
		{ 0xa2, 0x00, 0x00 },			/* mov [0], al */
		[OP_IOEVENTFD] = { 0xe6, 0xe4 },	/* out 0xe4, al: notify */
	};
	static const size_t op_len[NR_OPS] = { 5, 2, 3,
					       [OP_IOEVENTFD] = 2 };
	static const uint8_t tail[] = {
		0x0f, 0x31,			/* rdtsc */
		0x66, 0x29, 0xf0,		/* sub eax, esi */
		0x66, 0x19, 0xfa,		/* sbb edx, edi */
		0x66, 0xe7, 0xf1,		/* out 0xf1, eax */
		0x66, 0x89, 0xd0,		/* mov eax, edx */
		0x66, 0xe7, 0xf2,		/* out 0xf2, eax */
		0xf4,				/* hlt */
	};
	size_t len = 0, loop;

	memcpy(p, head, sizeof(head));
	memcpy(p + 2, &n, 4);
	len = sizeof(head);
	loop = len;
	memcpy(p + len, ops[op], op_len[op]);
	len += op_len[op];
	p[len++] = 0x66;			/* dec ebp */
	p[len++] = 0x4d;
	p[len++] = 0x75;			/* jnz loop */
	p[len] = (uint8_t)(loop - (len + 1));
	len++;
	memcpy(p + len, tail, sizeof(tail));
	return len + sizeof(tail);
}

struct result {
	uint64_t guest_cycles;
	double wall_ns;
	int ok;
};

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* ---- nyx ---- */
static int run_nyx(enum op op, uint32_t n, struct result *res)
{
	struct nyx_memory_region mr = { 0 };
	struct nyx_sregs sr;
	struct nyx_regs regs = { .rip = ENTRY, .rflags = 2 };
	struct nyx_run *run;
	uint8_t *mem;
	int sys, vm, vcpu, r = -1;
	uint32_t lo = 0, hi = 0;
	long msize;
	double t0;

	sys = open("/dev/nyx", O_RDWR);
	if (sys < 0)
		return -1;
	vm = ioctl(sys, NYX_CREATE_VM, 0);
	mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (op_uses_x2apic(op))
		build_guest_x2(mem + ENTRY, op, n);
	else if (op_uses_apic(op))
		build_guest32(mem + ENTRY, op, n);
	else
		build_guest(mem + ENTRY, op, n);
	mr.memory_size = MEM_SIZE;
	mr.userspace_addr = (uintptr_t)mem;
	if (vm < 0 || ioctl(vm, NYX_SET_MEMORY_REGION, &mr))
		goto out;
	if (op_uses_apic(op) && ioctl(vm, NYX_CREATE_IRQCHIP, 0))
		goto out;
	/* the notify port signals an eventfd in the kernel (NYX_IOEVENTFD) */
	if (op == OP_IOEVENTFD) {
		struct nyx_ioeventfd io = {
			.addr = 0xe4, .len = 1, .flags = NYX_IOEVENTFD_FLAG_PIO,
			.fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK),
		};

		if (ioctl(vm, NYX_IOEVENTFD, &io))
			goto out;
	}
	vcpu = ioctl(vm, NYX_CREATE_VCPU, 0);
	msize = ioctl(sys, NYX_GET_VCPU_MMAP_SIZE, 0);
	run = mmap(NULL, msize, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	ioctl(vcpu, NYX_GET_SREGS, &sr);
	sr.cs.base = 0;
	sr.cs.selector = 0;
	sr.cr0 = 0x10;
	if (op_uses_apic(op))
		SET_FLAT32(sr);
	ioctl(vcpu, NYX_SET_SREGS, &sr);
	ioctl(vcpu, NYX_SET_REGS, &regs);

	t0 = now_ns();
	for (;;) {
		if (ioctl(vcpu, NYX_RUN, 0) < 0)
			break;
		if (run->exit_reason == NYX_EXIT_IO) {
			uint8_t *d = (uint8_t *)run + run->io.data_offset;

			if (run->io.port == 0xf1)
				memcpy(&lo, d, 4);
			else if (run->io.port == 0xf2)
				memcpy(&hi, d, 4);
			else if (run->io.port == PORT_DONE) {
				r = 0;
				break;
			}
		} else if (run->exit_reason == NYX_EXIT_HLT) {
			r = 0;
			break;
		} else if (run->exit_reason != NYX_EXIT_MMIO) {
			fprintf(stderr, "nyx: unexpected exit %u\n",
				run->exit_reason);
			break;
		}
	}
	res->wall_ns = (now_ns() - t0) / n;
	res->guest_cycles = ((uint64_t)hi << 32 | lo) / n;
	res->ok = r == 0;
	munmap(run, msize);
	close(vcpu);
out:
	close(vm);
	close(sys);
	munmap(mem, MEM_SIZE);
	return r;
}

/* ---- KVM ---- */
static int run_kvm(enum op op, uint32_t n, struct result *res)
{
	struct kvm_userspace_memory_region mr = { 0 };
	struct kvm_sregs sr;
	struct kvm_regs regs = { .rip = ENTRY, .rflags = 2 };
	struct kvm_run *run;
	uint8_t *mem;
	int sys, vm, vcpu, r = -1;
	uint32_t lo = 0, hi = 0;
	long msize;
	double t0;

	sys = open("/dev/kvm", O_RDWR);
	if (sys < 0)
		return -1;
	vm = ioctl(sys, KVM_CREATE_VM, 0);
	mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (op_uses_x2apic(op))
		build_guest_x2(mem + ENTRY, op, n);
	else if (op_uses_apic(op))
		build_guest32(mem + ENTRY, op, n);
	else
		build_guest(mem + ENTRY, op, n);
	mr.memory_size = MEM_SIZE;
	mr.userspace_addr = (uintptr_t)mem;
	if (vm < 0 || ioctl(vm, KVM_SET_USER_MEMORY_REGION, &mr))
		goto out;
	if (op_uses_apic(op) && ioctl(vm, KVM_CREATE_IRQCHIP, 0))
		goto out;
	if (op == OP_IOEVENTFD) {
		struct kvm_ioeventfd io = {
			.addr = 0xe4, .len = 1, .flags = KVM_IOEVENTFD_FLAG_PIO,
			.fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK),
		};

		if (ioctl(vm, KVM_IOEVENTFD, &io))
			goto out;
	}
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	msize = ioctl(sys, KVM_GET_VCPU_MMAP_SIZE, 0);
	run = mmap(NULL, msize, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	/* KVM lets the guest set APIC_BASE.EXTD only with CPUID x2APIC */
	if (op_uses_x2apic(op)) {
		struct {
			struct kvm_cpuid2 h;
			struct kvm_cpuid_entry2 e;
		} c = {
			.h.nent = 1,
			.e = { .function = 1, .ecx = 1u << 21, .edx = 1u << 9 },
		};

		if (ioctl(vcpu, KVM_SET_CPUID2, &c))
			fprintf(stderr, "kvm: KVM_SET_CPUID2: %s\n",
				strerror(errno));
	}
	ioctl(vcpu, KVM_GET_SREGS, &sr);
	sr.cs.base = 0;
	sr.cs.selector = 0;
	sr.cr0 = 0x10;
	if (op_uses_apic(op))
		SET_FLAT32(sr);
	ioctl(vcpu, KVM_SET_SREGS, &sr);
	ioctl(vcpu, KVM_SET_REGS, &regs);

	t0 = now_ns();
	for (;;) {
		if (ioctl(vcpu, KVM_RUN, 0) < 0)
			break;
		if (run->exit_reason == KVM_EXIT_IO) {
			uint8_t *d = (uint8_t *)run + run->io.data_offset;

			if (run->io.port == 0xf1)
				memcpy(&lo, d, 4);
			else if (run->io.port == 0xf2)
				memcpy(&hi, d, 4);
			else if (run->io.port == PORT_DONE) {
				r = 0;
				break;
			}
		} else if (run->exit_reason == KVM_EXIT_HLT) {
			r = 0;
			break;
		} else if (run->exit_reason != KVM_EXIT_MMIO) {
			fprintf(stderr, "kvm: unexpected exit %u\n",
				run->exit_reason);
			break;
		}
	}
	res->wall_ns = (now_ns() - t0) / n;
	res->guest_cycles = ((uint64_t)hi << 32 | lo) / n;
	res->ok = r == 0;
	munmap(run, msize);
	close(vcpu);
out:
	close(vm);
	close(sys);
	munmap(mem, MEM_SIZE);
	return r;
}

int main(int argc, char **argv)
{
	uint32_t n = argc > 1 ? strtoul(argv[1], NULL, 0) : 20000;
	const char *only = argc > 2 ? argv[2] : "";
	bool do_kvm = strcmp(only, "nyx"), do_nyx = strcmp(only, "kvm");
	struct result kvm[NR_OPS] = { 0 }, nyx[NR_OPS] = { 0 };
	int i;

	/* KVM first: both need SVM and it can only serve one at a time. */
	for (i = 0; do_kvm && i < NR_OPS; i++)
		run_kvm(i, n, &kvm[i]);
	for (i = 0; do_nyx && i < NR_OPS; i++)
		run_nyx(i, n, &nyx[i]);

	printf("exit cost, %u iterations, guest TSC cycles per exit "
	       "(wall ns in brackets)\n", n);
	printf("%-6s %16s %16s %8s\n", "exit", "nyx", "kvm", "nyx/kvm");
	for (i = 0; i < NR_OPS; i++) {
		char a[32] = "n/a", b[32] = "n/a", c[16] = "n/a";

		if (!do_nyx)
			strcpy(a, "-");
		if (!do_kvm)
			strcpy(b, "-");
		if (!do_nyx || !do_kvm)
			strcpy(c, "-");

		if (nyx[i].ok)
			snprintf(a, sizeof(a), "%llu [%.0f]",
				 (unsigned long long)nyx[i].guest_cycles,
				 nyx[i].wall_ns);
		if (kvm[i].ok)
			snprintf(b, sizeof(b), "%llu [%.0f]",
				 (unsigned long long)kvm[i].guest_cycles,
				 kvm[i].wall_ns);
		if (nyx[i].ok && kvm[i].ok && kvm[i].guest_cycles)
			snprintf(c, sizeof(c), "%.2f",
				 (double)nyx[i].guest_cycles /
				 kvm[i].guest_cycles);
		printf("%-6s %16s %16s %8s\n", op_names[i], a, b, c);
	}
	return 0;
}
