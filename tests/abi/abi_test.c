// SPDX-License-Identifier: GPL-2.0
/*
 * ABI tests for nyx.ko, run inside the nested test VM: every ioctl with
 * bad arguments gets its documented error, small hand-assembled guests
 * exercise each exit type through the raw ABI (no launcher), and VM
 * create/destroy cycles leak no memory.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdbool.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <uapi/nyx.h>

static int passed, failed;

#define EXPECT(cond, ...) do {						\
	if (cond) {							\
		passed++;						\
	} else {							\
		failed++;						\
		printf("FAIL line %d: %s: ", __LINE__, #cond);		\
		printf(__VA_ARGS__);					\
		printf(" (errno %d %s)\n", errno, strerror(errno));	\
	}								\
} while (0)

/* ioctl expected to fail with errno e */
#define EXPECT_ERR(e, call) do {					\
	errno = 0;							\
	long _r = (call);						\
	EXPECT(_r == -1 && errno == (e), "%s -> %ld, want errno %d",	\
	       #call, _r, (e));						\
} while (0)

static int sys_fd;
static long mmap_size;

#define MEM_SIZE	(1 << 20)

struct vm {
	int fd;
	uint8_t *mem;
};

struct vcpu {
	int fd;
	struct nyx_run *run;
};

static int vm_create(struct vm *vm, size_t mem_size)
{
	struct nyx_memory_region mr = { 0 };

	vm->fd = ioctl(sys_fd, NYX_CREATE_VM, 0);
	if (vm->fd < 0)
		return -1;
	vm->mem = mmap(NULL, mem_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (vm->mem == MAP_FAILED)
		return -1;
	mr.slot = 0;
	mr.guest_phys_addr = 0;
	mr.memory_size = mem_size;
	mr.userspace_addr = (uintptr_t)vm->mem;
	return ioctl(vm->fd, NYX_SET_MEMORY_REGION, &mr);
}

static void vm_destroy(struct vm *vm, size_t mem_size)
{
	close(vm->fd);
	munmap(vm->mem, mem_size);
}

/* A vCPU in real mode at 0:entry with flat 64 KiB segments. */
static int vcpu_create(struct vm *vm, struct vcpu *v, int id, uint16_t entry)
{
	struct nyx_sregs sr;
	struct nyx_regs regs = { 0 };

	v->fd = ioctl(vm->fd, NYX_CREATE_VCPU, id);
	if (v->fd < 0)
		return -1;
	v->run = mmap(NULL, mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      v->fd, 0);
	if (v->run == MAP_FAILED)
		return -1;
	if (ioctl(v->fd, NYX_GET_SREGS, &sr))
		return -1;
	sr.cs.selector = 0;
	sr.cs.base = 0;
	sr.cr0 = 0x10;		/* ET; caches on */
	if (ioctl(v->fd, NYX_SET_SREGS, &sr))
		return -1;
	regs.rip = entry;
	regs.rflags = 2;
	regs.rsp = 0x7000;
	return ioctl(v->fd, NYX_SET_REGS, &regs);
}

static void vcpu_destroy(struct vcpu *v)
{
	munmap(v->run, mmap_size);
	close(v->fd);
}

static void test_system_ioctls(void)
{
	long r;

	EXPECT(ioctl(sys_fd, NYX_GET_API_VERSION, 0) == NYX_API_VERSION,
	       "api version");
	EXPECT_ERR(EINVAL, ioctl(sys_fd, NYX_GET_API_VERSION, 1));
	EXPECT(mmap_size == 2 * 4096, "mmap size %ld", mmap_size);
	EXPECT_ERR(EINVAL, ioctl(sys_fd, NYX_GET_VCPU_MMAP_SIZE, 5));
	EXPECT(ioctl(sys_fd, NYX_CHECK_EXTENSION, NYX_CAP_NR_VCPUS) >= 1,
	       "cap nr_vcpus");
	EXPECT(ioctl(sys_fd, NYX_CHECK_EXTENSION, NYX_CAP_NR_MEMSLOTS) >= 8,
	       "cap slots");
	EXPECT(ioctl(sys_fd, NYX_CHECK_EXTENSION, NYX_CAP_MMIO_EMULATION) == 1,
	       "cap mmio");
	/* exactly one backend: AMD NPT or Intel EPT */
	EXPECT(ioctl(sys_fd, NYX_CHECK_EXTENSION, NYX_CAP_NPT) +
	       ioctl(sys_fd, NYX_CHECK_EXTENSION, NYX_CAP_EPT) == 1,
	       "cap npt xor ept");
	EXPECT(ioctl(sys_fd, NYX_CHECK_EXTENSION, 99999) == 0, "unknown cap");
	EXPECT_ERR(EINVAL, ioctl(sys_fd, NYX_CREATE_VM, 1));
	EXPECT_ERR(ENOTTY, ioctl(sys_fd, _IO(NYXIO, 0x7f), 0));
	EXPECT_ERR(ENOTTY, ioctl(sys_fd, NYX_RUN, 0));
	r = ioctl(sys_fd, NYX_CREATE_VM, 0);
	EXPECT(r >= 0, "create vm");
	if (r >= 0) {
		EXPECT(ioctl(r, NYX_CHECK_EXTENSION, NYX_CAP_CPUID) > 0,
		       "cap on vm fd");
		EXPECT_ERR(ENOTTY, ioctl(r, NYX_GET_REGS, NULL));
		close(r);
	}
}

static void test_memory_regions(void)
{
	struct nyx_memory_region mr;
	uint8_t *mem;
	int vm = ioctl(sys_fd, NYX_CREATE_VM, 0);

	EXPECT(vm >= 0, "create vm");
	mem = mmap(NULL, 4 << 20, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

#define MR(s, f, g, sz, ua) (mr = (struct nyx_memory_region){ \
	.slot = (s), .flags = (f), .guest_phys_addr = (g), \
	.memory_size = (sz), .userspace_addr = (uintptr_t)(ua) }, &mr)

	EXPECT(ioctl(vm, NYX_SET_MEMORY_REGION, MR(0, 0, 0, 1 << 20, mem)) == 0,
	       "valid slot");
	EXPECT_ERR(EINVAL, ioctl(vm, NYX_SET_MEMORY_REGION,
				 MR(1, 1u << 7, 2 << 20, 4096, mem)));
	(void)MR(1, 0, 2 << 20, 4096, mem);
	mr.reserved[2] = 1;
	EXPECT_ERR(EINVAL, ioctl(vm, NYX_SET_MEMORY_REGION, &mr));
	EXPECT_ERR(EINVAL, ioctl(vm, NYX_SET_MEMORY_REGION,
				 MR(32, 0, 2 << 20, 4096, mem)));
	EXPECT_ERR(EINVAL, ioctl(vm, NYX_SET_MEMORY_REGION,
				 MR(1, 0, (2 << 20) + 1, 4096, mem)));
	EXPECT_ERR(EINVAL, ioctl(vm, NYX_SET_MEMORY_REGION,
				 MR(1, 0, 2 << 20, 100, mem)));
	EXPECT_ERR(EINVAL, ioctl(vm, NYX_SET_MEMORY_REGION,
				 MR(1, 0, 2 << 20, 4096, mem + 8)));
	EXPECT_ERR(EINVAL, ioctl(vm, NYX_SET_MEMORY_REGION,
				 MR(1, 0, 0xfffffffffffff000ull, 0x2000, mem)));
	EXPECT_ERR(EINVAL, ioctl(vm, NYX_SET_MEMORY_REGION,
				 MR(1, 0, 1ull << 48, 4096, mem)));
	EXPECT_ERR(EINVAL, ioctl(vm, NYX_SET_MEMORY_REGION,
				 MR(1, 0, 2 << 20, 4096,
				    (void *)0xffff888000000000ull)));
	EXPECT_ERR(EEXIST, ioctl(vm, NYX_SET_MEMORY_REGION,
				 MR(1, 0, 0xff000, 0x2000, mem)));
	EXPECT_ERR(EINVAL, ioctl(vm, NYX_SET_MEMORY_REGION,
				 MR(5, 0, 0, 0, NULL)));
	EXPECT_ERR(EFAULT, ioctl(vm, NYX_SET_MEMORY_REGION, (void *)8));
	EXPECT(ioctl(vm, NYX_SET_MEMORY_REGION,
		     MR(1, NYX_MEM_READONLY, 2 << 20, 1 << 20, mem + (1 << 20)))
	       == 0, "readonly slot");
	EXPECT(ioctl(vm, NYX_SET_MEMORY_REGION, MR(1, 0, 0, 0, NULL)) == 0,
	       "delete slot");
	/* after the delete the range is free again */
	EXPECT(ioctl(vm, NYX_SET_MEMORY_REGION,
		     MR(2, NYX_MEM_LOG_DIRTY, 2 << 20, 1 << 20, mem)) == 0,
	       "reuse range");
	close(vm);
	munmap(mem, 4 << 20);
}

static void test_vcpu_ioctls(void)
{
	struct vm vm;
	struct vcpu v;
	struct nyx_sregs sr, sr2;
	struct nyx_regs regs;
	struct {
		struct nyx_msrs h;
		struct nyx_msr_entry e[4];
	} msrs;
	struct {
		struct nyx_cpuid h;
		struct nyx_cpuid_entry e[2];
	} cpuid;
	struct nyx_fpu *fpu = calloc(1, sizeof(*fpu));
	void *p;

	EXPECT(vm_create(&vm, MEM_SIZE) == 0, "vm");
	EXPECT(vcpu_create(&vm, &v, 0, 0x1000) == 0, "vcpu");
	EXPECT_ERR(EEXIST, ioctl(vm.fd, NYX_CREATE_VCPU, 0));
	EXPECT_ERR(EINVAL, ioctl(vm.fd, NYX_CREATE_VCPU, 64));
	EXPECT_ERR(EINVAL, ioctl(vm.fd, NYX_CREATE_VCPU, -1));

	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, v.fd, 2 * 4096);
	EXPECT(p == MAP_FAILED && errno == EINVAL, "mmap beyond run area");
	p = mmap(NULL, 3 * 4096, PROT_READ, MAP_SHARED, v.fd, 0);
	EXPECT(p == MAP_FAILED && errno == EINVAL, "mmap too large");

	EXPECT(ioctl(v.fd, NYX_GET_SREGS, &sr) == 0, "get sregs");
	sr2 = sr;
	sr2.flags = 1;
	EXPECT_ERR(EINVAL, ioctl(v.fd, NYX_SET_SREGS, &sr2));
	sr2 = sr;
	sr2.reserved[3] = 1;
	EXPECT_ERR(EINVAL, ioctl(v.fd, NYX_SET_SREGS, &sr2));
	sr2 = sr;
	sr2.ds.present = 2;
	EXPECT_ERR(EINVAL, ioctl(v.fd, NYX_SET_SREGS, &sr2));
	sr2 = sr;
	sr2.efer = 1ull << 20;
	EXPECT_ERR(EINVAL, ioctl(v.fd, NYX_SET_SREGS, &sr2));
	sr2 = sr;
	sr2.cr0 = 0x80000000;		/* PG without PE */
	EXPECT_ERR(EINVAL, ioctl(v.fd, NYX_SET_SREGS, &sr2));
	sr2 = sr;
	sr2.cr8 = 16;
	EXPECT_ERR(EINVAL, ioctl(v.fd, NYX_SET_SREGS, &sr2));
	EXPECT_ERR(EFAULT, ioctl(v.fd, NYX_SET_SREGS, (void *)16));
	EXPECT(ioctl(v.fd, NYX_SET_SREGS, &sr) == 0, "set sregs back");
	EXPECT(ioctl(v.fd, NYX_GET_SREGS, &sr2) == 0 &&
	       memcmp(&sr, &sr2, sizeof(sr)) == 0, "sregs round trip");

	EXPECT(ioctl(v.fd, NYX_GET_REGS, &regs) == 0, "get regs");
	regs.r13 = 0x1122334455667788ull;
	regs.rbx = 42;
	EXPECT(ioctl(v.fd, NYX_SET_REGS, &regs) == 0, "set regs");
	memset(&regs, 0, sizeof(regs));
	EXPECT(ioctl(v.fd, NYX_GET_REGS, &regs) == 0 &&
	       regs.r13 == 0x1122334455667788ull && regs.rbx == 42 &&
	       regs.rip == 0x1000, "regs round trip");

	memset(&msrs, 0, sizeof(msrs));
	msrs.h.nmsrs = 257;
	EXPECT_ERR(E2BIG, ioctl(v.fd, NYX_GET_MSRS, &msrs));
	msrs.h.nmsrs = 1;
	msrs.h.flags = 1;
	EXPECT_ERR(EINVAL, ioctl(v.fd, NYX_GET_MSRS, &msrs));
	msrs.h.flags = 0;
	msrs.e[0].reserved = 1;
	EXPECT_ERR(EINVAL, ioctl(v.fd, NYX_SET_MSRS, &msrs));
	memset(&msrs, 0, sizeof(msrs));
	msrs.h.nmsrs = 3;
	msrs.e[0].index = 0xc0000081;	/* STAR */
	msrs.e[0].data = 0x0023001000000000ull;
	msrs.e[1].index = 0x174;	/* SYSENTER_CS */
	msrs.e[1].data = 0x10;
	msrs.e[2].index = 0x12345678;	/* unknown: stops here */
	EXPECT(ioctl(v.fd, NYX_SET_MSRS, &msrs) == 2, "set msrs count");
	msrs.e[0].data = msrs.e[1].data = 0;
	EXPECT(ioctl(v.fd, NYX_GET_MSRS, &msrs) == 2 &&
	       msrs.e[0].data == 0x0023001000000000ull &&
	       msrs.e[1].data == 0x10, "get msrs");
	msrs.h.nmsrs = 1;
	msrs.e[0].index = 0xc0000100;	/* FS_BASE: non-canonical */
	msrs.e[0].data = 0x8000000000000000ull;
	EXPECT(ioctl(v.fd, NYX_SET_MSRS, &msrs) == 0, "non-canonical rejected");
	msrs.e[0].index = 0x10;		/* TSC */
	EXPECT(ioctl(v.fd, NYX_GET_MSRS, &msrs) == 1, "tsc readable");

	memset(&cpuid, 0, sizeof(cpuid));
	cpuid.h.nent = 257;
	EXPECT_ERR(E2BIG, ioctl(v.fd, NYX_SET_CPUID, &cpuid));
	cpuid.h.nent = 1;
	cpuid.h.flags = 2;
	EXPECT_ERR(EINVAL, ioctl(v.fd, NYX_SET_CPUID, &cpuid));
	cpuid.h.flags = 0;
	cpuid.e[0].flags = 4;
	EXPECT_ERR(EINVAL, ioctl(v.fd, NYX_SET_CPUID, &cpuid));
	cpuid.e[0].flags = 0;
	cpuid.e[0].reserved[1] = 9;
	EXPECT_ERR(EINVAL, ioctl(v.fd, NYX_SET_CPUID, &cpuid));
	cpuid.e[0].reserved[1] = 0;
	EXPECT(ioctl(v.fd, NYX_SET_CPUID, &cpuid) == 0, "set cpuid");

	EXPECT(ioctl(v.fd, NYX_GET_FPU, fpu) == 0 && fpu->xcr0 == 1,
	       "get fpu (xcr0 %llx)", (unsigned long long)fpu->xcr0);
	fpu->flags = 1;
	EXPECT_ERR(EINVAL, ioctl(v.fd, NYX_SET_FPU, fpu));
	fpu->flags = 0;
	fpu->xcr0 = 0;
	EXPECT_ERR(EINVAL, ioctl(v.fd, NYX_SET_FPU, fpu));
	fpu->xcr0 = 1;
	fpu->xsave[0] = 0x7f;		/* FCW */
	fpu->xsave[1] = 0x03;
	EXPECT(ioctl(v.fd, NYX_SET_FPU, fpu) == 0, "set fpu");
	memset(fpu->xsave, 0, 2);
	EXPECT(ioctl(v.fd, NYX_GET_FPU, fpu) == 0 && fpu->xsave[0] == 0x7f &&
	       fpu->xsave[1] == 0x03, "fpu round trip");

	EXPECT_ERR(EINVAL, ioctl(v.fd, NYX_RUN, 1));
	EXPECT_ERR(ENOTTY, ioctl(v.fd, NYX_CREATE_VCPU, 1));
	v.run->immediate_exit = 1;
	EXPECT_ERR(EINTR, ioctl(v.fd, NYX_RUN, 0));
	EXPECT(v.run->exit_reason == NYX_EXIT_INTR, "immediate exit reason");
	v.run->immediate_exit = 0;

	free(fpu);
	vcpu_destroy(&v);
	vm_destroy(&vm, MEM_SIZE);
}

static int run(struct vcpu *v)
{
	return ioctl(v->fd, NYX_RUN, 0);
}

/*
 * vCPU 0's exit counts in debugfs, from this process's one live VM: the
 * value of each of the n stats named (-1 if missing). Returns 0, or -1 if
 * there is no such file.
 */
static int vcpu0_stats(const char *const names[], long vals[], int n)
{
	char path[128], line[128];
	char name[64];
	FILE *f = NULL;
	long v;
	int id, i;

	for (i = 0; i < n; i++)
		vals[i] = -1;
	for (id = 0; id < 4096 && !f; id++) {
		snprintf(path, sizeof(path),
			 "/sys/kernel/debug/nyx/%d-%d/vcpu0/exits", getpid(), id);
		f = fopen(path, "r");
	}
	EXPECT(f != NULL, "debugfs exits file for pid %d", getpid());
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%63s %ld", name, &v) != 2)
			continue;
		for (i = 0; i < n; i++)
			if (!strcmp(name, names[i]))
				vals[i] = v;
	}
	fclose(f);
	return 0;
}

/*
 * debugfs shows this process's one VM with the exits test_exits() made:
 * three port I/O exits, two MMIO exits, one CPUID, one HLT.
 */
static void check_debugfs_exits(void)
{
	static const char *const names[] = { "io", "mmio", "cpuid", "hlt" };
	long n[4];

	if (vcpu0_stats(names, n, 4))
		return;
	EXPECT(n[0] == 3 && n[1] == 2 && n[2] == 1 && n[3] == 1,
	       "debugfs counts io %ld mmio %ld cpuid %ld hlt %ld", n[0], n[1],
	       n[2], n[3]);
}

/* Writes to a read-only slot exit as MMIO; reads see the RAM. */
static void test_readonly_slot(void)
{
	static const uint8_t code[] = {
		0xb8, 0x00, 0x10,		/* mov ax, 0x1000 */
		0x8e, 0xd8,			/* mov ds, ax (0x10000: RO slot) */
		0xa0, 0x08, 0x00,		/* mov al, [8] */
		0xa2, 0x09, 0x00,		/* mov [9], al */
		0xf4,
	};
	struct nyx_memory_region mr = { 0 };
	struct vm vm;
	struct vcpu v;
	uint8_t *rom;

	EXPECT(vm_create(&vm, 0x10000) == 0, "vm");
	rom = mmap(NULL, 0x1000, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	rom[8] = 0x77;
	mr.slot = 1;
	mr.flags = NYX_MEM_READONLY;
	mr.guest_phys_addr = 0x10000;
	mr.memory_size = 0x1000;
	mr.userspace_addr = (uintptr_t)rom;
	EXPECT(ioctl(vm.fd, NYX_SET_MEMORY_REGION, &mr) == 0, "ro slot");
	memcpy(vm.mem + 0x1000, code, sizeof(code));
	EXPECT(vcpu_create(&vm, &v, 0, 0x1000) == 0, "vcpu");
	EXPECT(run(&v) == 0 && v.run->exit_reason == NYX_EXIT_MMIO &&
	       v.run->mmio.is_write && v.run->mmio.phys_addr == 0x10009 &&
	       v.run->mmio.data[0] == 0x77,
	       "write to read-only slot is an MMIO write of the RAM value");
	EXPECT(run(&v) == 0 && v.run->exit_reason == NYX_EXIT_HLT &&
	       rom[9] == 0, "read-only memory unchanged");
	vcpu_destroy(&v);
	vm_destroy(&vm, 0x10000);
	munmap(rom, 0x1000);
}

/* Real-mode guest exercising IO, MMIO read/write, CPUID, HLT. */
static void test_exits(void)
{
	static const uint8_t code[] = {
		0xb0, 0x5a,			/* mov al, 0x5a */
		0xe6, 0x80,			/* out 0x80, al */
		0xe4, 0x81,			/* in al, 0x81 */
		0xe6, 0x82,			/* out 0x82, al */
		0xb8, 0x00, 0x20,		/* mov ax, 0x2000 */
		0x8e, 0xd8,			/* mov ds, ax (0x20000: MMIO) */
		0x8b, 0x1e, 0x10, 0x00,		/* mov bx, [0x10] */
		0x89, 0x1e, 0x20, 0x00,		/* mov [0x20], bx */
		0x66, 0x31, 0xc0,		/* xor eax, eax */
		0x0f, 0xa2,			/* cpuid */
		0xf4,				/* hlt */
	};
	struct vm vm;
	struct vcpu v;
	struct nyx_regs regs;
	uint8_t *io;

	/* RAM is 64 KiB: 0x20000 is outside it */
	EXPECT(vm_create(&vm, 0x10000) == 0, "vm");
	memcpy(vm.mem + 0x1000, code, sizeof(code));
	EXPECT(vcpu_create(&vm, &v, 0, 0x1000) == 0, "vcpu");
	io = (uint8_t *)v.run + v.run->io.data_offset;

	EXPECT(run(&v) == 0 && v.run->exit_reason == NYX_EXIT_IO &&
	       v.run->io.direction == NYX_EXIT_IO_OUT &&
	       v.run->io.port == 0x80 && v.run->io.size == 1 &&
	       v.run->io.count == 1, "out exit (reason %u)",
	       v.run->exit_reason);
	io = (uint8_t *)v.run + v.run->io.data_offset;
	EXPECT(io[0] == 0x5a, "out data %x", io[0]);

	EXPECT(run(&v) == 0 && v.run->exit_reason == NYX_EXIT_IO &&
	       v.run->io.direction == NYX_EXIT_IO_IN &&
	       v.run->io.port == 0x81, "in exit");
	io[0] = 0xa7;
	EXPECT(run(&v) == 0 && v.run->exit_reason == NYX_EXIT_IO &&
	       v.run->io.port == 0x82 && io[0] == 0xa7, "in data reached AL");

	EXPECT(run(&v) == 0 && v.run->exit_reason == NYX_EXIT_MMIO &&
	       v.run->mmio.phys_addr == 0x20010 && v.run->mmio.len == 2 &&
	       !v.run->mmio.is_write, "mmio read exit (reason %u addr %llx)",
	       v.run->exit_reason,
	       (unsigned long long)v.run->mmio.phys_addr);
	v.run->mmio.data[0] = 0x34;
	v.run->mmio.data[1] = 0x12;
	EXPECT(run(&v) == 0 && v.run->exit_reason == NYX_EXIT_MMIO &&
	       v.run->mmio.phys_addr == 0x20020 && v.run->mmio.is_write &&
	       v.run->mmio.data[0] == 0x34 && v.run->mmio.data[1] == 0x12,
	       "mmio write carries the value read");

	EXPECT(run(&v) == 0 && v.run->exit_reason == NYX_EXIT_HLT, "hlt exit");
	check_debugfs_exits();
	EXPECT(ioctl(v.fd, NYX_GET_REGS, &regs) == 0 &&
	       regs.rip == 0x1000 + sizeof(code) && regs.rax == 0 &&
	       regs.rsp == 0x7000,
	       "rip after hlt %llx", (unsigned long long)regs.rip);
	vcpu_destroy(&v);
	vm_destroy(&vm, 0x10000);
}

/* Unknown-MSR #GP with no IDT, then triple fault -> SHUTDOWN. */
static void test_shutdown(void)
{
	static const uint8_t code[] = {
		0x0f, 0x01, 0x1e, 0x00, 0x11,	/* lidt [0x1100] (limit 0) */
		0x66, 0xb9, 0x78, 0x56, 0x34, 0x12, /* mov ecx, 0x12345678 */
		0x0f, 0x32,			/* rdmsr -> #GP -> shutdown */
		0xf4,
	};
	struct vm vm;
	struct vcpu v;

	EXPECT(vm_create(&vm, 0x10000) == 0, "vm");
	memcpy(vm.mem + 0x1000, code, sizeof(code));
	memset(vm.mem + 0x1100, 0, 6);
	EXPECT(vcpu_create(&vm, &v, 0, 0x1000) == 0, "vcpu");
	EXPECT(run(&v) == 0 && v.run->exit_reason == NYX_EXIT_SHUTDOWN,
	       "triple fault -> shutdown (reason %u)", v.run->exit_reason);
	vcpu_destroy(&v);
	vm_destroy(&vm, 0x10000);
}

/* Illegal guest state the hardware rejects -> FAIL_ENTRY. */
static void test_fail_entry(void)
{
	struct vm vm;
	struct vcpu v;
	struct nyx_sregs sr;

	EXPECT(vm_create(&vm, 0x10000) == 0, "vm");
	EXPECT(vcpu_create(&vm, &v, 0, 0x1000) == 0, "vcpu");
	/*
	 * Long mode with a code segment that is both 64-bit (L) and 32-bit
	 * (D): VMRUN and VM entry both refuse it.
	 */
	ioctl(v.fd, NYX_GET_SREGS, &sr);
	sr.cr0 = 0x80000011;
	sr.cr4 = 0x20;
	sr.efer = 0x500;
	sr.cs.l = 1;
	sr.cs.db = 1;
	EXPECT(ioctl(v.fd, NYX_SET_SREGS, &sr) == 0, "set odd cs");
	EXPECT(run(&v) == 0 && v.run->exit_reason == NYX_EXIT_FAIL_ENTRY,
	       "fail entry (reason %u)", v.run->exit_reason);
	vcpu_destroy(&v);
	vm_destroy(&vm, 0x10000);
}

static void on_sigusr1(int sig)
{
	(void)sig;
}

struct kick {
	pthread_t target;
	int delay_ms;
};

static void *kicker(void *arg)
{
	struct kick *k = arg;

	usleep(k->delay_ms * 1000);
	pthread_kill(k->target, SIGUSR1);
	return NULL;
}

/* A guest spinning forever is interrupted by a signal. */
static void test_signal(void)
{
	static const uint8_t code[] = { 0xeb, 0xfe };	/* jmp $ */
	struct sigaction sa = { .sa_handler = on_sigusr1 };
	struct kick k = { .target = pthread_self(), .delay_ms = 200 };
	struct vm vm;
	struct vcpu v;
	pthread_t t;
	long r;

	sigaction(SIGUSR1, &sa, NULL);	/* no SA_RESTART */
	EXPECT(vm_create(&vm, 0x10000) == 0, "vm");
	memcpy(vm.mem + 0x1000, code, sizeof(code));
	EXPECT(vcpu_create(&vm, &v, 0, 0x1000) == 0, "vcpu");
	pthread_create(&t, NULL, kicker, &k);
	errno = 0;
	r = run(&v);
	EXPECT(r == -1 && errno == EINTR && v.run->exit_reason == NYX_EXIT_INTR,
	       "signal interrupts NYX_RUN (r %ld reason %u)", r,
	       v.run->exit_reason);
	pthread_join(t, NULL);
	vcpu_destroy(&v);
	vm_destroy(&vm, 0x10000);
}

/* AL of an OUT to port that ends NYX_RUN, or -1 (and why) if it does not. */
static int run_to_out(struct vcpu *v, uint16_t port)
{
	const uint8_t *data;
	int r = run(v);

	if (r || v->run->exit_reason != NYX_EXIT_IO ||
	    v->run->io.direction != NYX_EXIT_IO_OUT || v->run->io.port != port) {
		printf("    want OUT to %#x: NYX_RUN %d (errno %d), exit %u, port %#x\n",
		       port, r, r ? errno : 0, v->run->exit_reason,
		       v->run->io.port);
		return -1;
	}
	data = (const uint8_t *)v->run + v->run->io.data_offset;
	return data[0];
}

struct flipper {
	pthread_t target;
	int stop;
	int flips;
};

/* Move the vCPU thread between CPU 0 and CPU 1 every millisecond, so
 * that it migrates while inside NYX_RUN as well as between runs. */
static void *affinity_flipper(void *arg)
{
	struct flipper *f = arg;
	cpu_set_t set;

	while (!__atomic_load_n(&f->stop, __ATOMIC_ACQUIRE)) {
		CPU_ZERO(&set);
		CPU_SET(f->flips & 1, &set);
		if (!pthread_setaffinity_np(f->target, sizeof(set), &set))
			f->flips++;
		usleep(1000);
	}
	return NULL;
}

/*
 * A vCPU that moves between host CPUs keeps its state: the VMCS (VMX:
 * VMCLEAR on the old CPU, VMPTRLD on the new one) or the VMCB's ASID and
 * clean bits (SVM) must follow it. The guest counts in ECX, spins a while
 * (time to be preempted and migrated mid-run) and reports the count with
 * an OUT; a thread moves the vCPU thread between CPUs 0 and 1 all along.
 * Every count must arrive in order, with the registers intact.
 */
static void test_migration(int rounds)
{
	static const uint8_t code[] = {
		0x66, 0x31, 0xc9,		/* xor ecx, ecx */
		0x66, 0xbe, 0x78, 0x56, 0x34, 0x12, /* mov esi, 0x12345678 */
		/* loop: */
		0x66, 0x41,			/* inc ecx */
		0x66, 0xba, 0x20, 0x4e, 0, 0,	/* mov edx, 20000 */
		/* spin: */
		0x66, 0x4a,			/* dec edx */
		0x75, 0xfc,			/* jnz spin */
		0x88, 0xc8,			/* mov al, cl */
		0xe6, 0x80,			/* out 0x80, al */
		0xeb, 0xee,			/* jmp loop */
	};
	struct flipper f = { .target = pthread_self() };
	int i, ncpus = sysconf(_SC_NPROCESSORS_ONLN), bad = 0;
	unsigned int cpus_seen = 0;
	struct nyx_regs regs;
	cpu_set_t all;
	struct vm vm;
	struct vcpu v;
	pthread_t t;

	if (ncpus < 2) {
		printf("    migration: 1 CPU, the vCPU cannot move (runs anyway)\n");
	}
	EXPECT(vm_create(&vm, 0x10000) == 0, "vm");
	memcpy(vm.mem + 0x1000, code, sizeof(code));
	EXPECT(vcpu_create(&vm, &v, 0, 0x1000) == 0, "vcpu");
	if (ncpus >= 2)
		pthread_create(&t, NULL, affinity_flipper, &f);
	for (i = 1; i <= rounds && !bad; i++) {
		int al = run_to_out(&v, 0x80);
		int cpu = sched_getcpu();

		if (cpu >= 0 && cpu < 32)
			cpus_seen |= 1u << cpu;
		if (al != (i & 0xff) || ioctl(v.fd, NYX_GET_REGS, &regs) ||
		    regs.rcx != (unsigned int)i || regs.rsi != 0x12345678 ||
		    regs.rip != 0x1000 + 25) {
			printf("    migration: round %d: out %d, ecx %llu, esi %#llx, rip %#llx\n",
			       i, al, (unsigned long long)regs.rcx,
			       (unsigned long long)regs.rsi,
			       (unsigned long long)regs.rip);
			bad = 1;
		}
	}
	if (ncpus >= 2) {
		__atomic_store_n(&f.stop, 1, __ATOMIC_RELEASE);
		pthread_join(t, NULL);
	}
	EXPECT(!bad, "guest state intact over %d runs", rounds);
	if (ncpus >= 2)
		EXPECT(__builtin_popcount(cpus_seen & 3) == 2,
		       "the vCPU ran on both CPUs (seen %#x, %d flips)",
		       cpus_seen, f.flips);
	printf("    migration: %d rounds, %d affinity flips, CPUs seen %#x\n",
	       rounds, f.flips, cpus_seen);
	CPU_ZERO(&all);
	for (i = 0; i < ncpus && i < CPU_SETSIZE; i++)
		CPU_SET(i, &all);
	sched_setaffinity(0, sizeof(all), &all);
	vcpu_destroy(&v);
	vm_destroy(&vm, 0x10000);
}

struct irq_pulse {
	pthread_t vcpu_thread;	/* kicked if it never comes back */
	int vm_fd;
	int r;			/* NYX_IRQ_LINE results */
	int done;
};

/* Pulse GSI 1 while the vCPU sleeps in HLT. */
static void *irq_pulser(void *arg)
{
	struct irq_pulse *p = arg;
	struct nyx_irq_level l = { .gsi = 1, .level = 1 };
	int i;

	usleep(100 * 1000);
	p->r = ioctl(p->vm_fd, NYX_IRQ_LINE, &l);
	l.level = 0;
	p->r |= ioctl(p->vm_fd, NYX_IRQ_LINE, &l);
	/* a vCPU that never wakes up must fail the test, not hang it */
	for (i = 0; i < 500 && !__atomic_load_n(&p->done, __ATOMIC_ACQUIRE);
	     i++)
		usleep(10 * 1000);
	if (!__atomic_load_n(&p->done, __ATOMIC_ACQUIRE))
		pthread_kill(p->vcpu_thread, SIGUSR1);
	return NULL;
}

/*
 * The in-kernel irqchip delivers interrupts and NMIs. A real-mode guest
 * programs the 8259 (IRQ1 -> vector 0x21, every other line masked) and
 * waits in STI; HLT: vCPU 0's LINT0 is in virtual-wire mode after reset,
 * so the PIC reaches the CPU without the guest touching its APIC. Then an
 * interrupt and two NMIs come through NYX_SET_VCPU_EVENTS; the NMI handler
 * counts its nesting depth, which must stay 1. Last, IRQ1 comes while IF
 * is clear.
 */
static void test_irqchip(void)
{
	static const uint8_t code[] = {
		0xb0, 0x11, 0xe6, 0x20,		/* ICW1: edge, cascade, ICW4 */
		0xb0, 0x20, 0xe6, 0x21,		/* ICW2: vectors 0x20-0x27 */
		0xb0, 0x04, 0xe6, 0x21,		/* ICW3: slave on IRQ2 */
		0xb0, 0x01, 0xe6, 0x21,		/* ICW4: 8086 mode */
		0xb0, 0xfd, 0xe6, 0x21,		/* OCW1: only IRQ1 unmasked */
		0xe6, 0x80,			/* out 0x80, al: ready */
		0xfb,				/* 1: sti */
		0xf4,				/* hlt */
		0xeb, 0xfc,			/* jmp 1b */
	};
	static const uint8_t irq1[] = {		/* at 0x1100, vector 0x21 */
		0xb0, 0x20, 0xe6, 0x20,		/* EOI */
		0xb0, 0x42, 0xe6, 0x81,		/* out 0x81, 0x42 */
		0xcf,				/* iret */
	};
	static const uint8_t nmi[] = {		/* at 0x1200, vector 2 */
		0xfe, 0x06, 0x00, 0x13,		/* inc byte [0x1300] */
		0xa0, 0x00, 0x13,		/* mov al, [0x1300] */
		0xe6, 0x82,			/* out 0x82, al */
		0xfe, 0x0e, 0x00, 0x13,		/* dec byte [0x1300] */
		0xcf,				/* iret */
	};
	static const char *const names[] = {
		"irq_injected", "nmi_injected", "halt_sleep", "irq_window",
	};
	struct sigaction sa = { .sa_handler = on_sigusr1 };
	struct nyx_vcpu_events ev;
	struct nyx_regs regs;
	struct vm vm;
	struct vcpu v;
	long n[4];
	int i, r;

	EXPECT(ioctl(sys_fd, NYX_CHECK_EXTENSION, NYX_CAP_IRQCHIP) == 1,
	       "cap irqchip");
	sigaction(SIGUSR1, &sa, NULL);
	EXPECT(vm_create(&vm, 0x10000) == 0, "vm");
	EXPECT(ioctl(vm.fd, NYX_CREATE_IRQCHIP, 0) == 0, "create irqchip");
	memcpy(vm.mem + 0x1000, code, sizeof(code));
	memcpy(vm.mem + 0x1100, irq1, sizeof(irq1));
	memcpy(vm.mem + 0x1200, nmi, sizeof(nmi));
	memcpy(vm.mem + 0x21 * 4, "\x00\x11\x00\x00", 4);	/* 0:1100 */
	memcpy(vm.mem + 2 * 4, "\x00\x12\x00\x00", 4);		/* 0:1200 */
	EXPECT(vcpu_create(&vm, &v, 0, 0x1000) == 0, "vcpu");

	/* the interrupt shadow and NMI masking go through the vendor */
	memset(&ev, 0, sizeof(ev));
	ev.interrupt.shadow = 1;
	ev.nmi.masked = 1;
	EXPECT(ioctl(v.fd, NYX_SET_VCPU_EVENTS, &ev) == 0, "set events");
	memset(&ev, 0xff, sizeof(ev));
	EXPECT(ioctl(v.fd, NYX_GET_VCPU_EVENTS, &ev) == 0 &&
	       ev.interrupt.shadow == 1 && ev.nmi.masked == 1 &&
	       !ev.interrupt.injected && !ev.nmi.injected &&
	       !ev.exception.injected && ev.mp_state == NYX_MP_STATE_RUNNABLE,
	       "events round trip (shadow %u masked %u)", ev.interrupt.shadow,
	       ev.nmi.masked);
	memset(&ev, 0, sizeof(ev));
	EXPECT(ioctl(v.fd, NYX_SET_VCPU_EVENTS, &ev) == 0, "clear events");

	EXPECT(run_to_out(&v, 0x80) == 0xfd, "guest programmed the PIC");
	for (i = 0; i < 2; i++) {
		struct irq_pulse p = {
			.vcpu_thread = pthread_self(), .vm_fd = vm.fd,
		};
		pthread_t t;

		pthread_create(&t, NULL, irq_pulser, &p);
		r = run_to_out(&v, 0x81);
		__atomic_store_n(&p.done, 1, __ATOMIC_RELEASE);
		pthread_join(t, NULL);
		EXPECT(p.r == 0 && r == 0x42,
		       "IRQ1 %d wakes HLT and runs its handler", i);
	}

	/*
	 * An injected interrupt, delivered by the next entry (not counted in
	 * irq_injected: that counts the irqchip's own injections). One in
	 * delivery implies IF set, which the handler we are in has not.
	 */
	ioctl(v.fd, NYX_GET_VCPU_EVENTS, &ev);
	ev.interrupt.injected = 1;
	ev.interrupt.nr = 0x21;
	EXPECT_ERR(EINVAL, ioctl(v.fd, NYX_SET_VCPU_EVENTS, &ev));
	ioctl(v.fd, NYX_GET_REGS, &regs);
	regs.rflags |= 0x200;
	ioctl(v.fd, NYX_SET_REGS, &regs);
	EXPECT(ioctl(v.fd, NYX_SET_VCPU_EVENTS, &ev) == 0,
	       "set injected interrupt");
	memset(&ev, 0, sizeof(ev));
	EXPECT(ioctl(v.fd, NYX_GET_VCPU_EVENTS, &ev) == 0 &&
	       ev.interrupt.injected == 1 && ev.interrupt.nr == 0x21,
	       "injected interrupt reads back");
	EXPECT(run_to_out(&v, 0x81) == 0x42, "injected interrupt delivered");

	/* an NMI; a second one waits for the first handler's IRET */
	ioctl(v.fd, NYX_GET_VCPU_EVENTS, &ev);
	ev.nmi.pending = 1;
	EXPECT(ioctl(v.fd, NYX_SET_VCPU_EVENTS, &ev) == 0, "set pending NMI");
	EXPECT(run_to_out(&v, 0x82) == 1, "NMI delivered");
	ioctl(v.fd, NYX_GET_VCPU_EVENTS, &ev);
	EXPECT(ev.nmi.masked == 1 && ev.nmi.pending == 0,
	       "NMIs masked in the handler (masked %u pending %u)",
	       ev.nmi.masked, ev.nmi.pending);
	ev.nmi.pending = 1;
	EXPECT(ioctl(v.fd, NYX_SET_VCPU_EVENTS, &ev) == 0, "second NMI");
	EXPECT(run_to_out(&v, 0x82) == 1, "second NMI after the IRET");

	/* IRQ1 while the NMI handler runs with IF clear: it waits for the
	 * interrupt window */
	EXPECT(ioctl(vm.fd, NYX_IRQ_LINE,
		     &(struct nyx_irq_level){ .gsi = 1, .level = 1 }) == 0 &&
	       ioctl(vm.fd, NYX_IRQ_LINE,
		     &(struct nyx_irq_level){ .gsi = 1, .level = 0 }) == 0,
	       "pulse IRQ1");
	EXPECT(run_to_out(&v, 0x81) == 0x42, "IRQ1 once IF is set again");

	if (!vcpu0_stats(names, n, 4))
		EXPECT(n[0] == 3 && n[1] == 2 && n[2] >= 1 && n[3] >= 2,
		       "debugfs irq_injected %ld nmi_injected %ld halt_sleep %ld irq_window %ld",
		       n[0], n[1], n[2], n[3]);
	vcpu_destroy(&v);
	vm_destroy(&vm, 0x10000);
}

/* A child process (other mm) may not drive the parent's VM. */
static void test_other_mm(void)
{
	struct vm vm;
	int status;
	pid_t pid;

	EXPECT(vm_create(&vm, 0x10000) == 0, "vm");
	pid = fork();
	if (pid == 0) {
		long r = ioctl(vm.fd, NYX_CREATE_VCPU, 0);

		_exit(r == -1 && errno == EIO ? 0 : 1);
	}
	waitpid(pid, &status, 0);
	EXPECT(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	       "vm ioctl from another mm gets EIO");
	vm_destroy(&vm, 0x10000);
}

static long meminfo(const char *key)
{
	char line[256];
	long val = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, strlen(key)) &&
		    line[strlen(key)] == ':') {
			val = atol(line + strlen(key) + 1);
			break;
		}
	}
	fclose(f);
	return val;
}

/* Create, run and destroy many VMs: nothing may stay behind. */
static void test_leaks(int cycles)
{
	static const uint8_t code[] = {
		0xb8, 0x00, 0x30, 0x8e, 0xd8,	/* mov ax,0x3000; mov ds,ax */
		0xc6, 0x06, 0x00, 0x00, 0x01,	/* mov byte [0], 1 (RAM) */
		0xf4,				/* hlt */
	};
	long free0, slab0, free1, slab1;
	int i, bad = 0;

	/* warm up caches so their first allocations don't count */
	for (i = 0; i < 20 && !bad; i++) {
		struct vm vm;
		struct vcpu v;

		if (vm_create(&vm, MEM_SIZE) || vcpu_create(&vm, &v, 0, 0x1000))
			bad = 1;
		vcpu_destroy(&v);
		vm_destroy(&vm, MEM_SIZE);
	}
	sync();
	free0 = meminfo("MemFree");
	slab0 = meminfo("Slab");
	for (i = 0; i < cycles && !bad; i++) {
		struct vm vm;
		struct vcpu v;

		if (vm_create(&vm, MEM_SIZE) ||
		    vcpu_create(&vm, &v, 0, 0x1000)) {
			bad = 1;
			break;
		}
		memcpy(vm.mem + 0x1000, code, sizeof(code));
		if (run(&v) || v.run->exit_reason != NYX_EXIT_HLT)
			bad = 2;
		vcpu_destroy(&v);
		vm_destroy(&vm, MEM_SIZE);
	}
	sync();
	usleep(200000);
	free1 = meminfo("MemFree");
	slab1 = meminfo("Slab");
	EXPECT(!bad, "%d create/run/destroy cycles (failure kind %d at %d)",
	       cycles, bad, i);
	/* 1000 leaked VMs would cost far more than 4 MiB */
	EXPECT(free0 - free1 < 4096, "MemFree %ld -> %ld kB", free0, free1);
	EXPECT(slab1 - slab0 < 2048, "Slab %ld -> %ld kB", slab0, slab1);
	printf("leak check: MemFree %ld -> %ld kB, Slab %ld -> %ld kB\n",
	       free0, free1, slab0, slab1);
}

int main(int argc, char **argv)
{
	int cycles = argc > 1 ? atoi(argv[1]) : 1000;
	bool only_migration = argc > 1 && !strcmp(argv[1], "migration");

	setvbuf(stdout, NULL, _IOLBF, 0);
	sys_fd = open("/dev/nyx", O_RDWR | O_CLOEXEC);
	if (sys_fd < 0) {
		perror("/dev/nyx");
		printf("abi: 0 passed, 1 failed\n");
		return 1;
	}
	mmap_size = ioctl(sys_fd, NYX_GET_VCPU_MMAP_SIZE, 0);
	if (only_migration) {
		/* "abi_test migration [ROUNDS]": the multi-CPU Bochs run */
		test_migration(argc > 2 ? atoi(argv[2]) : 500);
		goto out;
	}

	test_system_ioctls();
	test_memory_regions();
	test_vcpu_ioctls();
	test_exits();
	test_readonly_slot();
	test_shutdown();
	test_fail_entry();
	test_signal();
	test_irqchip();
	test_other_mm();
	test_migration(500);
	test_leaks(cycles);
out:
	printf("abi: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
