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
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <uapi/nyx.h>

static bool cpu_is_amd(void);
struct vcpu;
static int run_to_out(struct vcpu *v, uint16_t port);

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

/* NYX_SET_MEMORY_REGION of slot over [gpa, gpa + size) at mem. */
static int set_slot(int vm_fd, unsigned int slot, unsigned int flags,
		    uint64_t gpa, uint64_t size, void *mem)
{
	struct nyx_memory_region mr = {
		.slot = slot, .flags = flags, .guest_phys_addr = gpa,
		.memory_size = size, .userspace_addr = (uintptr_t)mem,
	};

	return ioctl(vm_fd, NYX_SET_MEMORY_REGION, &mr);
}

static int vm_create(struct vm *vm, size_t mem_size)
{
	vm->fd = ioctl(sys_fd, NYX_CREATE_VM, 0);
	if (vm->fd < 0)
		return -1;
	vm->mem = mmap(NULL, mem_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (vm->mem == MAP_FAILED)
		return -1;
	return set_slot(vm->fd, 0, 0, 0, mem_size, vm->mem);
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

/* A value of this process's one VM's debugfs "mmu" file, -1 if none. */
static long vm_mmu_stat(const char *want)
{
	char path[128], name[64];
	FILE *f = NULL;
	long v, r = -1;
	int id;

	for (id = 0; id < 4096 && !f; id++) {
		snprintf(path, sizeof(path), "/sys/kernel/debug/nyx/%d-%d/mmu",
			 getpid(), id);
		f = fopen(path, "r");
	}
	if (!f)
		return -1;
	while (fscanf(f, "%63s %ld", name, &v) == 2)
		if (!strcmp(name, want))
			r = v;
	fclose(f);
	return r;
}

/* kB of transparent huge pages in this process's mapping at addr. */
static long thp_kb(const void *addr)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	unsigned long lo, hi, a = (uintptr_t)addr;
	char line[256];
	bool in = false;
	long kb = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2)
			in = a >= lo && a < hi;
		else if (in && sscanf(line, "AnonHugePages: %ld", &kb) == 1)
			break;
	}
	fclose(f);
	return kb;
}

/* Transparent huge pages not switched off ("[never]") on this host. */
static bool thp_enabled(void)
{
	FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
	char line[128] = "";
	bool on;

	if (!f)
		return false;
	on = fgets(line, sizeof(line), f) && !strstr(line, "[never]");
	fclose(f);
	return on;
}

static bool write_param(const char *name, const char *val)
{
	char path[128];
	FILE *f;
	bool ok;

	snprintf(path, sizeof(path), "/sys/module/nyx/parameters/%s", name);
	f = fopen(path, "w");
	if (!f)
		return false;
	ok = fputs(val, f) >= 0;
	return fclose(f) == 0 && ok;
}

/*
 * Guest RAM that the host backs with 2 MiB pages is mapped with 2 MiB
 * nested entries (npt_huge=Y), or 4 KiB ones (N); either way the guest
 * reads what the launcher wrote at the start, end and middle of each
 * 2 MiB block and the launcher sees what the guest wrote. The guest runs
 * in big real mode (DS limit 4 GiB, 32-bit addresses) over a 4 MiB slot
 * at 2 MiB; deleting the slot drops its mappings.
 */
static void test_large_mappings(const char *huge)
{
	static const uint8_t code[] = {
		0x66, 0xbb, 0x00, 0x00, 0x20, 0x00,	/* mov ebx, 0x200000 */
		0x67, 0x66, 0x8b, 0x03,			/* mov eax, [ebx] */
		0x66, 0xe7, 0x81,			/* out 0x81, eax */
		0x66, 0xbb, 0xfc, 0xff, 0x3f, 0x00,	/* mov ebx, 0x3ffffc */
		0x67, 0x66, 0x8b, 0x03, 0x66, 0xe7, 0x81,
		0x66, 0xbb, 0x34, 0x12, 0x48, 0x00,	/* mov ebx, 0x481234 */
		0x67, 0x66, 0x8b, 0x03, 0x66, 0xe7, 0x81,
		0x66, 0xb8, 0xef, 0xbe, 0xad, 0xde,	/* mov eax, 0xdeadbeef */
		0x66, 0xbb, 0x00, 0x10, 0x50, 0x00,	/* mov ebx, 0x501000 */
		0x67, 0x66, 0x89, 0x03,			/* mov [ebx], eax */
		0xe6, 0x82, 0xf4,			/* out 0x82, al; hlt */
	};
	static const uint32_t reads[] = { 0x200000, 0x3ffffc, 0x481234 };
	const size_t size = 4 << 20;
	struct nyx_memory_region mr = {
		.slot = 1, .guest_phys_addr = 2 << 20, .memory_size = size,
	};
	struct nyx_sregs sr;
	uint8_t *raw, *ram;
	struct vm vm;
	struct vcpu v;
	long thp, large;
	uint32_t i, got;

	if (!write_param("npt_huge", huge)) {
		EXPECT(0, "set npt_huge=%s", huge);
		return;
	}
	EXPECT(vm_create(&vm, 0x10000) == 0, "vm");
	memcpy(vm.mem + 0x1000, code, sizeof(code));
	/* 2 MiB aligned, so that THP can back it */
	raw = mmap(NULL, size + (2 << 20), PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ram = (uint8_t *)(((uintptr_t)raw + (2 << 20) - 1) &
			  ~(uintptr_t)((2 << 20) - 1));
	madvise(ram, size, MADV_HUGEPAGE);
	for (i = 0; i < size / 4; i++)
		((uint32_t *)ram)[i] = ((2u << 20) + i * 4) ^ 0x5a5a5a5a;
	thp = thp_kb(ram);
	mr.userspace_addr = (uintptr_t)ram;
	EXPECT(ioctl(vm.fd, NYX_SET_MEMORY_REGION, &mr) == 0, "4 MiB slot");
	EXPECT(vcpu_create(&vm, &v, 0, 0x1000) == 0, "vcpu");
	EXPECT(ioctl(v.fd, NYX_GET_SREGS, &sr) == 0, "get sregs");
	sr.ds.limit = 0xffffffff;
	sr.ds.g = 1;
	EXPECT(ioctl(v.fd, NYX_SET_SREGS, &sr) == 0, "big real mode");

	for (i = 0; i < 3; i++) {
		got = 0;
		if (run(&v) == 0 && v.run->exit_reason == NYX_EXIT_IO &&
		    v.run->io.port == 0x81 && v.run->io.size == 4)
			memcpy(&got, (uint8_t *)v.run + v.run->io.data_offset, 4);
		EXPECT(got == (reads[i] ^ 0x5a5a5a5a),
		       "npt_huge=%s: guest reads %#x: %#x", huge, reads[i], got);
	}
	EXPECT(run_to_out(&v, 0x82) >= 0 &&
	       *(uint32_t *)(ram + 0x301000) == 0xdeadbeef,
	       "npt_huge=%s: the launcher sees the guest's write", huge);
	large = vm_mmu_stat("large_mappings");
	if (vm_mmu_stat("large_supported") == 0)	/* EPT without 2 MiB */
		EXPECT(large == 0, "no 2 MiB entries on this CPU (%ld)", large);
	else if (!strcmp(huge, "N"))
		EXPECT(large == 0, "npt_huge=N: 4 KiB entries only (%ld)", large);
	else
		/* one per 2 MiB block the host holds as one page; with THP
		 * on, a fresh test VM gives at least one, so the 2 MiB path
		 * is really taken */
		EXPECT(large == thp / 2048 && (thp >= 2048 || !thp_enabled()),
		       "npt_huge=Y: %ld 2 MiB entries, host has %ld kB in huge pages",
		       large, thp);
	printf("    npt_huge=%s: %ld 2 MiB entries, %ld pages mapped, host huge pages %ld kB\n",
	       huge, large, vm_mmu_stat("mapped_pages"), thp);

	mr.memory_size = 0;
	EXPECT(ioctl(vm.fd, NYX_SET_MEMORY_REGION, &mr) == 0, "delete slot");
	EXPECT(vm_mmu_stat("large_mappings") == 0 &&
	       vm_mmu_stat("mapped_pages") <= 16,	/* slot 0's */
	       "mappings gone with the slot (%ld, %ld pages)",
	       vm_mmu_stat("large_mappings"), vm_mmu_stat("mapped_pages"));
	vcpu_destroy(&v);
	vm_destroy(&vm, 0x10000);
	munmap(raw, size + (2 << 20));
	write_param("npt_huge", "Y");
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
	struct vm vm;
	struct vcpu v;
	uint8_t *rom;

	EXPECT(vm_create(&vm, 0x10000) == 0, "vm");
	rom = mmap(NULL, 0x1000, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	rom[8] = 0x77;
	EXPECT(set_slot(vm.fd, 1, NYX_MEM_READONLY, 0x10000, 0x1000, rom) == 0,
	       "ro slot");
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

/*
 * A read-only slot over memory the launcher has not written yet (a ROM
 * it fills later, or a lazily filled image): the guest must see what the
 * launcher writes after the slot was mapped, as under KVM. A pin of the
 * untouched page without FOLL_WRITE would hold the shared zero page,
 * and the launcher's later write would go to a fresh copy the guest
 * never sees.
 */
static void test_readonly_untouched(void)
{
	static const uint8_t code[] = {
		0xb8, 0x00, 0x10,		/* mov ax, 0x1000 */
		0x8e, 0xd8,			/* mov ds, ax (0x10000: RO slot) */
		0xa0, 0x08, 0x10,		/* mov al, [0x1008] */
		0xe6, 0x80,			/* out 0x80, al */
		0xa0, 0x08, 0x10,		/* mov al, [0x1008] */
		0xe6, 0x80,			/* out 0x80, al */
		0xb8, 0x00, 0x20,		/* mov ax, 0x2000 */
		0x8e, 0xd8,			/* mov ds, ax (0x20000: PROT_READ) */
		0xa0, 0x08, 0x00,		/* mov al, [8] */
		0xe6, 0x80,			/* out 0x80, al */
		0xf4,
	};
	struct vm vm;
	struct vcpu v;
	uint8_t *rom, *ro, *io;

	EXPECT(vm_create(&vm, 0x10000) == 0, "vm");
	rom = mmap(NULL, 0x2000, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	EXPECT(set_slot(vm.fd, 1, NYX_MEM_READONLY, 0x10000, 0x2000, rom) == 0,
	       "ro slot");
	/* and one the launcher cannot write either: mapped as it is */
	ro = mmap(NULL, 0x1000, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ro[8] = 0x66;
	mprotect(ro, 0x1000, PROT_READ);
	EXPECT(set_slot(vm.fd, 2, NYX_MEM_READONLY, 0x20000, 0x1000, ro) == 0,
	       "ro slot over a PROT_READ mapping");
	memcpy(vm.mem + 0x1000, code, sizeof(code));
	EXPECT(vcpu_create(&vm, &v, 0, 0x1000) == 0, "vcpu");
	EXPECT(run(&v) == 0 && v.run->exit_reason == NYX_EXIT_IO,
	       "first read of the untouched page");
	io = (uint8_t *)v.run + v.run->io.data_offset;
	EXPECT(io[0] == 0, "untouched read-only page reads 0 (got %#x)", io[0]);
	rom[0x1008] = 0x55;		/* after the guest mapped the page */
	EXPECT(run(&v) == 0 && v.run->exit_reason == NYX_EXIT_IO,
	       "second read");
	io = (uint8_t *)v.run + v.run->io.data_offset;
	EXPECT(io[0] == 0x55,
	       "the guest sees the launcher's later write to a read-only slot (got %#x)",
	       io[0]);
	EXPECT(run(&v) == 0 && v.run->exit_reason == NYX_EXIT_IO,
	       "read of the PROT_READ slot (reason %u)", v.run->exit_reason);
	io = (uint8_t *)v.run + v.run->io.data_offset;
	EXPECT(io[0] == 0x66, "a PROT_READ mapping still maps (got %#x)",
	       io[0]);
	EXPECT(run(&v) == 0 && v.run->exit_reason == NYX_EXIT_HLT, "hlt");
	vcpu_destroy(&v);
	vm_destroy(&vm, 0x10000);
	munmap(rom, 0x2000);
	munmap(ro, 0x1000);
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
		"halt_poll_ok",
	};
	struct sigaction sa = { .sa_handler = on_sigusr1 };
	struct nyx_vcpu_events ev;
	struct nyx_regs regs;
	struct vm vm;
	struct vcpu v;
	long n[5];
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
	if (cpu_is_amd()) {
		/* SVM keeps it in V_IRQ until the guest sets IF */
		EXPECT(ioctl(v.fd, NYX_SET_VCPU_EVENTS, &ev) == 0,
		       "injected interrupt with IF clear (SVM: V_IRQ)");
		ev.interrupt.injected = 0;
		EXPECT(ioctl(v.fd, NYX_SET_VCPU_EVENTS, &ev) == 0,
		       "and dropped again");
		ev.interrupt.injected = 1;
	} else {
		EXPECT_ERR(EINVAL, ioctl(v.fd, NYX_SET_VCPU_EVENTS, &ev));
	}
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
	/* KEEP_NMI_PENDING: nmi.pending = 0 in the SET does not drop it */
	ev.nmi.pending = 0;
	ev.flags = NYX_VCPU_EVENTS_KEEP_NMI_PENDING;
	EXPECT(ioctl(v.fd, NYX_SET_VCPU_EVENTS, &ev) == 0 &&
	       ioctl(v.fd, NYX_GET_VCPU_EVENTS, &ev) == 0 &&
	       ev.nmi.pending == 1 && ev.flags == 0,
	       "KEEP_NMI_PENDING keeps the NMI (pending %u)", ev.nmi.pending);
	ev.flags = 1u << 1;
	EXPECT_ERR(EINVAL, ioctl(v.fd, NYX_SET_VCPU_EVENTS, &ev));
	ev.flags = 0;
	EXPECT(run_to_out(&v, 0x82) == 1, "second NMI after the IRET");

	/* IRQ1 while the NMI handler runs with IF clear: it waits for the
	 * interrupt window */
	EXPECT(ioctl(vm.fd, NYX_IRQ_LINE,
		     &(struct nyx_irq_level){ .gsi = 1, .level = 1 }) == 0 &&
	       ioctl(vm.fd, NYX_IRQ_LINE,
		     &(struct nyx_irq_level){ .gsi = 1, .level = 0 }) == 0,
	       "pulse IRQ1");
	EXPECT(run_to_out(&v, 0x81) == 0x42, "IRQ1 once IF is set again");

	if (!vcpu0_stats(names, n, 5))
		EXPECT(n[0] == 3 && n[1] == 2 && n[2] >= 1 && n[3] >= 2 &&
		       n[4] >= 0,
		       "debugfs irq_injected %ld nmi_injected %ld halt_sleep %ld irq_window %ld halt_poll_ok %ld",
		       n[0], n[1], n[2], n[3], n[4]);
	vcpu_destroy(&v);
	vm_destroy(&vm, 0x10000);
}

/* ---- binary statistics (NYX_GET_STATS, NYX_GET_VM_STATS) ---- */

static uint64_t stats_buf[1024];	/* 8 KiB, u64-aligned */

/* Snapshot of fd's statistics into stats_buf; its size, or -errno. */
static long stats_get(int fd, unsigned long req)
{
	struct nyx_stats_request r = { .buf = (uintptr_t)stats_buf,
				       .size = sizeof(stats_buf) };

	if (ioctl(fd, req, &r))
		return -errno;
	return r.size;
}

/* Value idx of the statistic called name in stats_buf, or ~0. */
static uint64_t stat_val(const char *name, unsigned int idx)
{
	const struct nyx_stats_header *h = (const void *)stats_buf;
	const uint8_t *b = (const uint8_t *)stats_buf;
	uint32_t i;

	for (i = 0; i < h->num_desc; i++) {
		const struct nyx_stats_desc *d = (const void *)
			(b + h->desc_offset + i * h->desc_size);

		if (!strcmp(d->name, name) && idx < d->size)
			return *(const uint64_t *)(b + h->data_offset +
						   d->offset + 8 * idx);
	}
	return ~0ull;
}

/* Count of port in the pio_top table, 0 if absent. */
static uint64_t stat_top(const char *keys, const char *counts, uint64_t key)
{
	unsigned int i;

	for (i = 0; i < 64 && stat_val(keys, i) != ~0ull; i++)
		if (stat_val(keys, i) == key && stat_val(counts, i))
			return stat_val(counts, i);
	return 0;
}

/* The layout is self-consistent and every descriptor is in bounds. */
static void check_stats_layout(long size)
{
	const struct nyx_stats_header *h = (const void *)stats_buf;
	const uint8_t *b = (const uint8_t *)stats_buf;
	bool ok = true;
	uint32_t i;

	EXPECT(h->version == NYX_STATS_VERSION && h->flags == 0 &&
	       h->desc_size == sizeof(struct nyx_stats_desc) &&
	       h->desc_offset == sizeof(*h) &&
	       h->data_offset == h->desc_offset + h->num_desc * h->desc_size &&
	       h->total_size == size &&
	       h->data_offset + h->data_size == h->total_size,
	       "stats header v%u n %u", h->version, h->num_desc);
	for (i = 0; i < h->num_desc; i++) {
		const struct nyx_stats_desc *d = (const void *)
			(b + h->desc_offset + i * h->desc_size);

		ok &= memchr(d->name, 0, sizeof(d->name)) && d->name[0] &&
		      d->size && d->offset % 8 == 0 &&
		      d->offset + 8ull * d->size <= h->data_size &&
		      d->type <= NYX_STATS_TYPE_PEAK &&
		      d->unit <= NYX_STATS_UNIT_ADDRESS && !d->padding &&
		      !d->reserved;
	}
	EXPECT(ok, "every stats descriptor in bounds");
}

static void test_stats(void)
{
	/* 5 x out 0x80 in a loop, 3 x out 0x81, then hlt */
	static const uint8_t code[] = {
		0xb9, 0x05, 0x00,		/* mov cx, 5 */
		0xb0, 0x11,			/* mov al, 0x11 */
		0xe6, 0x80,			/* 1: out 0x80, al */
		0xe2, 0xfc,			/* loop 1b */
		0xe6, 0x81, 0xe6, 0x81, 0xe6, 0x81,	/* out 0x81, al x3 */
		0xf4,				/* hlt */
	};
	struct nyx_stats_request r;
	uint64_t io0, exits0, user0;
	struct vm vm;
	struct vcpu v;
	long size, vsize;
	int n = 0, status;
	pid_t pid;

	EXPECT(ioctl(sys_fd, NYX_CHECK_EXTENSION, NYX_CAP_BINARY_STATS) ==
	       NYX_STATS_VERSION, "NYX_CAP_BINARY_STATS");
	EXPECT(vm_create(&vm, 0x10000) == 0, "vm");
	memcpy(vm.mem + 0x1000, code, sizeof(code));
	EXPECT(vcpu_create(&vm, &v, 0, 0x1000) == 0, "vcpu");

	size = stats_get(v.fd, NYX_GET_STATS);
	EXPECT(size > 0 && size <= (long)sizeof(stats_buf), "stats %ld", size);
	if (size <= 0) {
		vcpu_destroy(&v);
		vm_destroy(&vm, 0x10000);
		return;
	}
	check_stats_layout(size);
	io0 = stat_val("io", 0);
	exits0 = stat_val("exits", 0);
	user0 = stat_val("userspace_exits", 0);
	EXPECT(io0 != ~0ull && exits0 != ~0ull && user0 != ~0ull &&
	       stat_val("guest_ns", 0) != ~0ull &&
	       stat_val("pio_top_port", 7) != ~0ull &&
	       stat_val("pio_top_port", 8) == ~0ull,
	       "stats io/exits/userspace_exits/guest_ns/pio_top_port[8]");

	while (run(&v) == 0 && v.run->exit_reason == NYX_EXIT_IO && n < 20)
		n++;
	EXPECT(n == 8 && v.run->exit_reason == NYX_EXIT_HLT,
	       "8 port writes then HLT (%d, reason %u)", n,
	       v.run->exit_reason);
	EXPECT(stats_get(v.fd, NYX_GET_STATS) == size, "stats again");
	EXPECT(stat_val("io", 0) - io0 == 8 &&
	       stat_val("pio_all", 0) == 8 &&
	       stat_val("userspace_exits", 0) - user0 == 9 &&
	       stat_val("hlt", 0) == 1 &&
	       stat_val("exits", 0) - exits0 >= 9,
	       "counts moved: io %llu pio_all %llu user %llu hlt %llu exits %llu",
	       (unsigned long long)(stat_val("io", 0) - io0),
	       (unsigned long long)stat_val("pio_all", 0),
	       (unsigned long long)(stat_val("userspace_exits", 0) - user0),
	       (unsigned long long)stat_val("hlt", 0),
	       (unsigned long long)(stat_val("exits", 0) - exits0));
	EXPECT(stat_top("pio_top_port", "pio_top_count", 0x80) == 5 &&
	       stat_top("pio_top_port", "pio_top_count", 0x81) == 3,
	       "pio_top: 0x80 x%llu 0x81 x%llu",
	       (unsigned long long)stat_top("pio_top_port", "pio_top_count", 0x80),
	       (unsigned long long)stat_top("pio_top_port", "pio_top_count", 0x81));
	EXPECT(stat_val("guest_ns", 0) > 0, "guest time counted");

	/* VM-wide statistics: one vCPU, the same exits */
	vsize = stats_get(vm.fd, NYX_GET_VM_STATS);
	EXPECT(vsize > 0, "vm stats %ld", vsize);
	if (vsize > 0) {
		check_stats_layout(vsize);
		EXPECT(stat_val("vcpus", 0) == 1 &&
		       stat_val("mmu_mapped_pages", 0) >= 1 &&
		       stat_val("exits", 0) >= 9, "vm stats values");
	}

	/* bad arguments */
	memset(&r, 0, sizeof(r));
	EXPECT(ioctl(v.fd, NYX_GET_STATS, &r) == -1 && errno == E2BIG &&
	       r.size == size, "size 0: E2BIG and the size (%u)", r.size);
	r.buf = (uintptr_t)stats_buf;
	r.size = size - 1;
	memset(stats_buf, 0xab, sizeof(stats_buf));
	EXPECT(ioctl(v.fd, NYX_GET_STATS, &r) == -1 && errno == E2BIG &&
	       r.size == size && stats_buf[0] == 0xababababababababull,
	       "one byte short: E2BIG, nothing written");
	r.size = size;
	r.flags = 1;
	EXPECT_ERR(EINVAL, ioctl(v.fd, NYX_GET_STATS, &r));
	r.flags = 0;
	r.reserved[1] = 1;
	EXPECT_ERR(EINVAL, ioctl(vm.fd, NYX_GET_VM_STATS, &r));
	r.reserved[1] = 0;
	r.buf = 8;
	EXPECT_ERR(EFAULT, ioctl(v.fd, NYX_GET_STATS, &r));
	EXPECT_ERR(EFAULT, ioctl(v.fd, NYX_GET_STATS, (void *)8));
	EXPECT_ERR(EFAULT, ioctl(vm.fd, NYX_GET_VM_STATS, (void *)8));
	r.buf = (uintptr_t)stats_buf;
	r.size = 0xffffffff;		/* more than needed is fine */
	EXPECT(ioctl(v.fd, NYX_GET_STATS, &r) == 0 && r.size == size,
	       "big buffer");
	EXPECT_ERR(ENOTTY, ioctl(sys_fd, NYX_GET_STATS, &r));

	/* another process may read (not drive) the vCPU */
	pid = fork();
	if (pid == 0) {
		bool ok = stats_get(v.fd, NYX_GET_STATS) == size &&
			  stat_val("hlt", 0) == 1 &&
			  stats_get(vm.fd, NYX_GET_VM_STATS) == vsize;

		errno = 0;
		ok &= ioctl(v.fd, NYX_RUN, 0) == -1 && errno == EIO;
		_exit(ok ? 0 : 1);
	}
	waitpid(pid, &status, 0);
	EXPECT(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	       "stats from another mm, NYX_RUN still EIO");
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

/* ---------------------------------------------------------------------
 * ioeventfd and irqfd (NYX_IOEVENTFD, NYX_IRQFD)
 */

/* The eventfd's count (0 if none), consumed. */
static uint64_t efd_count(int fd)
{
	uint64_t v = 0;

	if (read(fd, &v, sizeof(v)) != sizeof(v))
		return 0;
	return v;
}

static int ioev(int vm_fd, int fd, uint64_t addr, uint32_t len,
		uint32_t flags, uint64_t datamatch)
{
	struct nyx_ioeventfd a = {
		.datamatch = datamatch, .addr = addr, .len = len, .fd = fd,
		.flags = flags,
	};

	return ioctl(vm_fd, NYX_IOEVENTFD, &a);
}

#define PIO	NYX_IOEVENTFD_FLAG_PIO
#define DM	NYX_IOEVENTFD_FLAG_DATAMATCH
#define DEASSIGN NYX_IOEVENTFD_FLAG_DEASSIGN

static void test_ioeventfd_args(void)
{
	struct nyx_ioeventfd a;
	int vm, e, e2, devnull, i, max;

	max = ioctl(sys_fd, NYX_CHECK_EXTENSION, NYX_CAP_IOEVENTFD);
	EXPECT(max >= 16, "cap ioeventfd %d", max);
	vm = ioctl(sys_fd, NYX_CREATE_VM, 0);
	e = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	e2 = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	devnull = open("/dev/null", O_RDWR | O_CLOEXEC);

	EXPECT_ERR(EINVAL, ioev(vm, e, 0x500, 1, 1u << 7, 0));
	memset(&a, 0, sizeof(a));
	a.addr = 0x500; a.len = 1; a.fd = e; a.flags = PIO; a.padding = 1;
	EXPECT_ERR(EINVAL, ioctl(vm, NYX_IOEVENTFD, &a));
	a.padding = 0; a.reserved[1] = 1;
	EXPECT_ERR(EINVAL, ioctl(vm, NYX_IOEVENTFD, &a));
	EXPECT_ERR(EFAULT, ioctl(vm, NYX_IOEVENTFD, (void *)8));
	EXPECT_ERR(EINVAL, ioev(vm, e, 0x500, 3, PIO, 0));
	EXPECT_ERR(EINVAL, ioev(vm, e, 0x500, 16, 0, 0));
	EXPECT_ERR(EINVAL, ioev(vm, e, 0x500, 8, PIO, 0));
	EXPECT_ERR(EINVAL, ioev(vm, e, 0x500, 0, PIO, 0));
	EXPECT_ERR(EINVAL, ioev(vm, e, 0x20000, 0, DM, 5));
	EXPECT_ERR(EINVAL, ioev(vm, e, 0x10000, 1, PIO, 0));
	EXPECT_ERR(EINVAL, ioev(vm, e, 0xffff, 2, PIO, 0));
	EXPECT_ERR(EINVAL, ioev(vm, e, ~0ull, 2, 0, 0));
	EXPECT_ERR(EINVAL, ioev(vm, e, 0x500, 1, PIO | DM, 0x100));
	EXPECT_ERR(EBADF, ioev(vm, -1, 0x500, 1, PIO, 0));
	EXPECT_ERR(EBADF, ioev(vm, 1000, 0x500, 1, PIO, 0));
	EXPECT_ERR(EINVAL, ioev(vm, devnull, 0x500, 1, PIO, 0));
	EXPECT_ERR(EINVAL, ioev(vm, vm, 0x500, 1, PIO, 0));

	EXPECT(ioev(vm, e, 0x500, 2, PIO, 0) == 0, "pio assign");
	EXPECT_ERR(EEXIST, ioev(vm, e, 0x500, 2, PIO, 0));
	EXPECT_ERR(EEXIST, ioev(vm, e2, 0x500, 2, PIO | DM, 3));
	EXPECT(ioev(vm, e, 0x500, 1, PIO, 0) == 0, "other width");
	EXPECT(ioev(vm, e, 0x500, 2, 0, 0) == 0, "same address in MMIO");
	EXPECT_ERR(EEXIST, ioev(vm, e, 0x500, 0, 0, 0));
	EXPECT(ioev(vm, e, 0x600, 4, PIO | DM, 1) == 0 &&
	       ioev(vm, e2, 0x600, 4, PIO | DM, 2) == 0, "two datamatches");
	EXPECT_ERR(EEXIST, ioev(vm, e2, 0x600, 4, PIO | DM, 2));
	EXPECT_ERR(EEXIST, ioev(vm, e2, 0x600, 4, PIO, 0));

	EXPECT_ERR(ENOENT, ioev(vm, e, 0x700, 2, PIO | DEASSIGN, 0));
	EXPECT_ERR(ENOENT, ioev(vm, e2, 0x500, 2, PIO | DEASSIGN, 0));
	EXPECT_ERR(ENOENT, ioev(vm, e, 0x600, 4, PIO | DM | DEASSIGN, 2));
	EXPECT(ioev(vm, e, 0x600, 4, PIO | DM | DEASSIGN, 1) == 0,
	       "deassign datamatch");
	EXPECT_ERR(ENOENT, ioev(vm, e, 0x600, 4, PIO | DM | DEASSIGN, 1));
	EXPECT(ioev(vm, e, 0x600, 4, PIO | DM, 1) == 0, "assign again");
	EXPECT_ERR(EBADF, ioev(vm, -1, 0x500, 2, PIO | DEASSIGN, 0));

	/* 5 assigned: fill up to the limit */
	for (i = 5; i < max; i++)
		if (ioev(vm, e, 0x10000 + 8 * i, 4, 0, 0))
			break;
	EXPECT(i == max, "%d ioeventfds (limit %d)", i, max);
	EXPECT_ERR(ENOSPC, ioev(vm, e, 0x8000, 1, PIO, 0));
	EXPECT(ioev(vm, e, 0x10000 + 8 * 7, 4, DEASSIGN, 0) == 0 &&
	       ioev(vm, e, 0x8000, 1, PIO, 0) == 0, "room after deassign");

	/* the VM goes with its ioeventfds, the eventfds live on */
	close(vm);
	EXPECT(write(e, &(uint64_t){ 1 }, 8) == 8 && efd_count(e) == 1,
	       "eventfd usable after the VM");
	close(e);
	close(e2);
	close(devnull);
}

struct toggler {
	int vm_fd, efd, stop, n;
};

/* assign/deassign another ioeventfd while the vCPU looks them up */
static void *ioev_toggler(void *arg)
{
	struct toggler *t = arg;

	while (!__atomic_load_n(&t->stop, __ATOMIC_ACQUIRE)) {
		if (ioev(t->vm_fd, t->efd, 0x501 + (t->n & 7), 1, PIO, 0) ||
		    ioev(t->vm_fd, t->efd, 0x501 + (t->n & 7), 1,
			 PIO | DEASSIGN, 0))
			break;
		t->n++;
	}
	return NULL;
}

/*
 * Matching writes signal their eventfd and never reach userspace;
 * everything else exits as before. See the guest's code for the writes.
 */
static void test_ioeventfd_run(void)
{
	static const uint8_t code[] = {
		0xba, 0x00, 0x05,		/* mov dx, 0x500 */
		0xb8, 0x11, 0x11,		/* mov ax, 0x1111 */
		0xef, 0xef,			/* out dx, ax (x2): A */
		0xee,				/* out dx, al: exit */
		0xba, 0x10, 0x05,		/* mov dx, 0x510 */
		0xb0, 0x07, 0xee,		/* out dx, 7: B */
		0xb0, 0x08, 0xee,		/* out dx, 8: exit */
		0xb8, 0x00, 0x20, 0x8e, 0xd8,	/* ds = 0x2000 (MMIO) */
		0x66, 0xb8, 0x78, 0x56, 0x34, 0x12, /* mov eax, 0x12345678 */
		0x66, 0xa3, 0x00, 0x00,		/* mov [0], eax: C */
		0xa3, 0x10, 0x00,		/* mov [0x10], ax: D */
		0xa2, 0x10, 0x00,		/* mov [0x10], al: D */
		0xc7, 0x06, 0x20, 0x00, 0xef, 0xbe, /* mov word [0x20], 0xbeef: E */
		0xc7, 0x06, 0x20, 0x00, 0xee, 0xbe, /* mov word [0x20], 0xbeee: exit */
		0xa3, 0x00, 0x00,		/* mov [0], ax: exit */
		0xf4,				/* hlt */
		/* 0x1037: 2000 more writes for A */
		0xba, 0x00, 0x05,		/* mov dx, 0x500 */
		0xb9, 0xd0, 0x07,		/* mov cx, 2000 */
		0xef, 0xe2, 0xfd,		/* 1: out dx, ax; loop 1b */
		0xf4,				/* hlt */
	};
	static const char *const names[] = { "ioeventfd", "userspace_exits" };
	struct toggler tg = { 0 };
	struct nyx_regs regs;
	struct vm vm;
	struct vcpu v;
	int fa, fb, fc, fd, fe, ok;
	pthread_t t;
	long n[2];
	uint8_t *io;

	EXPECT(vm_create(&vm, 0x10000) == 0, "vm");
	memcpy(vm.mem + 0x1000, code, sizeof(code));
	EXPECT(vcpu_create(&vm, &v, 0, 0x1000) == 0, "vcpu");
	fa = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	fb = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	fc = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	fe = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	EXPECT(ioev(vm.fd, fa, 0x500, 2, PIO, 0) == 0 &&
	       ioev(vm.fd, fb, 0x510, 1, PIO | DM, 7) == 0 &&
	       ioev(vm.fd, fc, 0x20000, 4, 0, 0) == 0 &&
	       ioev(vm.fd, fd, 0x20010, 0, 0, 0) == 0 &&
	       ioev(vm.fd, fe, 0x20020, 2, DM, 0xbeef) == 0, "assign 5");

	io = (uint8_t *)v.run + NYX_RUN_IO_PAGE * 4096;
	EXPECT(run(&v) == 0 && v.run->exit_reason == NYX_EXIT_IO &&
	       v.run->io.port == 0x500 && v.run->io.size == 1,
	       "1-byte write to a 2-byte ioeventfd exits (reason %u port %#x size %u)",
	       v.run->exit_reason, v.run->io.port, v.run->io.size);
	EXPECT(run(&v) == 0 && v.run->exit_reason == NYX_EXIT_IO &&
	       v.run->io.port == 0x510 && io[0] == 8,
	       "datamatch miss exits (reason %u port %#x data %u)",
	       v.run->exit_reason, v.run->io.port, io[0]);
	EXPECT(run(&v) == 0 && v.run->exit_reason == NYX_EXIT_MMIO &&
	       v.run->mmio.phys_addr == 0x20020 && v.run->mmio.is_write &&
	       v.run->mmio.data[0] == 0xee,
	       "MMIO datamatch miss exits (reason %u addr %llx)",
	       v.run->exit_reason, (unsigned long long)v.run->mmio.phys_addr);
	EXPECT(run(&v) == 0 && v.run->exit_reason == NYX_EXIT_MMIO &&
	       v.run->mmio.phys_addr == 0x20000 && v.run->mmio.len == 2,
	       "MMIO width miss exits (reason %u addr %llx)",
	       v.run->exit_reason, (unsigned long long)v.run->mmio.phys_addr);
	EXPECT(run(&v) == 0 && v.run->exit_reason == NYX_EXIT_HLT,
	       "then HLT (reason %u)", v.run->exit_reason);
	EXPECT(efd_count(fa) == 2 && efd_count(fb) == 1 &&
	       efd_count(fc) == 1 && efd_count(fd) == 2 && efd_count(fe) == 1,
	       "eventfd counts");
	if (!vcpu0_stats(names, n, 2))
		EXPECT(n[0] == 7 && n[1] == 5,
		       "debugfs: ioeventfd %ld, returns to userspace %ld",
		       n[0], n[1]);

	/* 2000 notifies in the kernel while ioeventfds come and go */
	tg.vm_fd = vm.fd;
	tg.efd = fb;
	pthread_create(&t, NULL, ioev_toggler, &tg);
	ioctl(v.fd, NYX_GET_REGS, &regs);
	regs.rip = 0x1037;
	ioctl(v.fd, NYX_SET_REGS, &regs);
	ok = run(&v) == 0 && v.run->exit_reason == NYX_EXIT_HLT;
	__atomic_store_n(&tg.stop, 1, __ATOMIC_RELEASE);
	pthread_join(t, NULL);
	EXPECT(ok && efd_count(fa) == 2000,
	       "2000 notifies, no exit (reason %u), %d assign/deassign pairs",
	       v.run->exit_reason, tg.n);
	EXPECT(tg.n > 0, "toggler ran");

	/* deassigned: the same writes exit again */
	EXPECT(ioev(vm.fd, fa, 0x500, 2, PIO | DEASSIGN, 0) == 0, "deassign");
	regs.rip = 0x1037;
	ioctl(v.fd, NYX_SET_REGS, &regs);
	EXPECT(run(&v) == 0 && v.run->exit_reason == NYX_EXIT_IO &&
	       v.run->io.port == 0x500 && efd_count(fa) == 0,
	       "after deassign the write exits");

	/* closing an eventfd that is still assigned changes nothing */
	close(fc);
	vcpu_destroy(&v);
	vm_destroy(&vm, 0x10000);
	close(fa);
	close(fb);
	close(fd);
	close(fe);
}

static int irqfd(int vm_fd, int fd, uint32_t gsi, uint32_t flags,
		 int resamplefd, uint64_t msi_addr, uint32_t msi_data)
{
	struct nyx_irqfd a = {
		.fd = fd, .gsi = gsi, .flags = flags, .resamplefd = resamplefd,
		.msi_address = msi_addr, .msi_data = msi_data,
	};

	return ioctl(vm_fd, NYX_IRQFD, &a);
}

#define IRQFD_MSI	NYX_IRQFD_FLAG_MSI
#define IRQFD_DEASSIGN	NYX_IRQFD_FLAG_DEASSIGN
#define IRQFD_RESAMPLE	NYX_IRQFD_FLAG_RESAMPLE

static void test_irqfd_args(void)
{
	struct nyx_irqfd a;
	int vm, e, e2, devnull, i, max;
	int fds[300];

	max = ioctl(sys_fd, NYX_CHECK_EXTENSION, NYX_CAP_IRQFD);
	EXPECT(max >= 16 && max < 300, "cap irqfd %d", max);
	vm = ioctl(sys_fd, NYX_CREATE_VM, 0);
	e = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	e2 = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	devnull = open("/dev/null", O_RDWR | O_CLOEXEC);

	EXPECT_ERR(ENXIO, irqfd(vm, e, 5, 0, 0, 0, 0));
	EXPECT(ioctl(vm, NYX_CREATE_IRQCHIP, 0) == 0, "irqchip");
	EXPECT_ERR(EINVAL, irqfd(vm, e, 5, 1u << 9, 0, 0, 0));
	memset(&a, 0, sizeof(a));
	a.fd = e; a.gsi = 5; a.padding = 1;
	EXPECT_ERR(EINVAL, ioctl(vm, NYX_IRQFD, &a));
	a.padding = 0; a.reserved[0] = 1;
	EXPECT_ERR(EINVAL, ioctl(vm, NYX_IRQFD, &a));
	EXPECT_ERR(EFAULT, ioctl(vm, NYX_IRQFD, (void *)8));
	EXPECT_ERR(EINVAL, irqfd(vm, e, 24, 0, 0, 0, 0));
	EXPECT_ERR(EINVAL, irqfd(vm, e, 0xffffffff, 0, 0, 0, 0));
	EXPECT_ERR(EINVAL, irqfd(vm, e, 5, 0, 0, 0xfee00000, 0));
	EXPECT_ERR(EINVAL, irqfd(vm, e, 5, 0, e2, 0, 0));
	EXPECT_ERR(EINVAL, irqfd(vm, e, 0, IRQFD_MSI, 0, 0x1000, 0x41));
	EXPECT_ERR(EINVAL, irqfd(vm, e, 3, IRQFD_MSI, 0, 0xfee00000, 0x41));
	EXPECT_ERR(EINVAL, irqfd(vm, e, 0, IRQFD_MSI | IRQFD_RESAMPLE, e2,
				 0xfee00000, 0x41));
	EXPECT_ERR(EBADF, irqfd(vm, -1, 5, 0, 0, 0, 0));
	EXPECT_ERR(EBADF, irqfd(vm, 1000, 5, 0, 0, 0, 0));
	EXPECT_ERR(EINVAL, irqfd(vm, devnull, 5, 0, 0, 0, 0));
	EXPECT_ERR(EBADF, irqfd(vm, e, 5, IRQFD_RESAMPLE, -1, 0, 0));
	EXPECT_ERR(EINVAL, irqfd(vm, e, 5, IRQFD_RESAMPLE, devnull, 0, 0));

	EXPECT(irqfd(vm, e, 5, 0, 0, 0, 0) == 0, "assign");
	EXPECT_ERR(EBUSY, irqfd(vm, e, 6, 0, 0, 0, 0));
	EXPECT_ERR(EBUSY, irqfd(vm, e, 0, IRQFD_MSI, 0, 0xfee00000, 0x41));
	EXPECT_ERR(ENOENT, irqfd(vm, e2, 5, IRQFD_DEASSIGN, 0, 0, 0));
	EXPECT_ERR(EBADF, irqfd(vm, -1, 5, IRQFD_DEASSIGN, 0, 0, 0));
	EXPECT(irqfd(vm, e, 5, IRQFD_DEASSIGN, 0, 0, 0) == 0, "deassign");
	EXPECT_ERR(ENOENT, irqfd(vm, e, 5, IRQFD_DEASSIGN, 0, 0, 0));

	/* up to the limit; closing an eventfd frees its slot */
	for (i = 0; i < max + 1; i++)
		fds[i] = eventfd(0, EFD_CLOEXEC);
	for (i = 0; i < max; i++)
		if (irqfd(vm, fds[i], i % 24, 0, 0, 0, 0))
			break;
	EXPECT(i == max, "%d irqfds (limit %d)", i, max);
	EXPECT_ERR(ENOSPC, irqfd(vm, fds[max], 1, 0, 0, 0, 0));
	close(fds[3]);
	EXPECT(irqfd(vm, fds[max], 1, 0, 0, 0, 0) == 0,
	       "closing an assigned eventfd frees its irqfd");
	/* some with a resamplefd, then the VM goes with all of them live */
	EXPECT(irqfd(vm, fds[1], 1, IRQFD_DEASSIGN, 0, 0, 0) == 0 &&
	       irqfd(vm, fds[1], 10, IRQFD_RESAMPLE, e2, 0, 0) == 0,
	       "resampling irqfd");
	close(vm);
	for (i = 0; i < max + 1; i++)
		if (i != 3)
			close(fds[i]);
	close(e);
	close(e2);
	close(devnull);
}

struct signaller {
	pthread_t vcpu_thread;
	int efd;
	int delay_ms;
	volatile uint8_t *flag;	/* set to 1 50 ms after the signal, if any */
	int done;
};

/* Signal the eventfd while the vCPU halts; kick it if nothing comes. */
static void *signaller(void *arg)
{
	struct signaller *s = arg;
	int i;

	usleep(s->delay_ms * 1000);
	if (s->efd >= 0 && write(s->efd, &(uint64_t){ 1 }, 8) != 8)
		printf("    eventfd write failed\n");
	if (s->flag) {
		usleep(50 * 1000);
		__atomic_store_n(s->flag, 1, __ATOMIC_RELEASE);
	}
	for (i = 0; i < 300 && !__atomic_load_n(&s->done, __ATOMIC_ACQUIRE);
	     i++)
		usleep(10 * 1000);
	if (!__atomic_load_n(&s->done, __ATOMIC_ACQUIRE))
		pthread_kill(s->vcpu_thread, SIGUSR1);
	return NULL;
}

/* Run until OUT 0x81 with efd signalled from another thread after 50 ms
 * (efd -1: nothing is signalled). Returns AL or -1. */
static int run_signalled(struct vcpu *v, int efd)
{
	struct signaller s = {
		.vcpu_thread = pthread_self(), .efd = efd, .delay_ms = 50,
	};
	pthread_t t;
	int r;

	pthread_create(&t, NULL, signaller, &s);
	r = run_to_out(v, 0x81);
	__atomic_store_n(&s.done, 1, __ATOMIC_RELEASE);
	pthread_join(t, NULL);
	return r;
}

struct hammer {
	int efd, stop;
	long n;
};

static void *hammer(void *arg)
{
	struct hammer *h = arg;

	while (!__atomic_load_n(&h->stop, __ATOMIC_ACQUIRE))
		if (write(h->efd, &(uint64_t){ 1 }, 8) == 8)
			__atomic_add_fetch(&h->n, 1, __ATOMIC_RELAXED);
	return NULL;
}

/* One MSR through NYX_GET_MSRS/NYX_SET_MSRS: the ioctl's result. */
static int msr_access(struct vcpu *v, unsigned long ioctl_nr, uint32_t index,
		      uint64_t *data)
{
	struct {
		struct nyx_msrs h;
		struct nyx_msr_entry e;
	} m = { .h.nmsrs = 1, .e = { .index = index, .data = *data } };
	int r = ioctl(v->fd, ioctl_nr, &m);

	*data = m.e.data;
	return r;
}
#define val(x)	((uint64_t){ (x) })

/* The local APIC in x2APIC mode, software-enabled: 2 if both MSRs took. */
static int x2apic_on(struct vcpu *v)
{
	/* in this order: 0x80f exists only in x2APIC mode */
	int n = msr_access(v, NYX_SET_MSRS, 0x1b, &val(0xfee00000 | 0xd00));

	return n + msr_access(v, NYX_SET_MSRS, 0x80f, &val(0x1ff));
}

/*
 * A VM with the irqchip and a real-mode vCPU whose local APIC is in
 * x2APIC mode: code at 0x1000, the handler of vector 0x41 at 0x1100.
 */
static void x2apic_guest(struct vm *vm, struct vcpu *v, const uint8_t *code,
			 size_t code_len, const uint8_t *handler,
			 size_t handler_len)
{
	uint16_t h = 0x1100;

	EXPECT(vm_create(vm, 0x10000) == 0, "vm");
	EXPECT(ioctl(vm->fd, NYX_CREATE_IRQCHIP, 0) == 0, "irqchip");
	memcpy(vm->mem + 0x1000, code, code_len);
	memcpy(vm->mem + h, handler, handler_len);
	memcpy(vm->mem + 0x41 * 4, &h, 2);
	EXPECT(vcpu_create(vm, v, 0, 0x1000) == 0, "vcpu");
	EXPECT(x2apic_on(v) == 2, "x2APIC on");
}

/*
 * KVM's PV EOI (NYX_CAP_PV_EOI). A real-mode guest with its APIC in
 * x2APIC mode enables it (flag byte at 0x2000), sends itself vector 0x41
 * twice. The handler reports the flag to port 0x81 and, with the flag
 * set, clears it instead of writing the EOI register, as Linux does. The
 * second 0x41 is only delivered if nyx performed that first EOI (0x41 in
 * service blocks another 0x41).
 */
static void test_pv_eoi(void)
{
	static const uint8_t code[] = {
		0x66, 0xb9, 0x04, 0x4d, 0x56, 0x4b,	/* mov ecx, PV_EOI_EN */
		0x66, 0xb8, 0x01, 0x20, 0x00, 0x00,	/* mov eax, 0x2001 */
		0x66, 0x31, 0xd2, 0x0f, 0x30,		/* xor edx, edx; wrmsr */
		0xfb,					/* sti */
		0x66, 0xb9, 0x3f, 0x08, 0x00, 0x00,	/* mov ecx, SELF_IPI */
		0x66, 0xb8, 0x41, 0x00, 0x00, 0x00,	/* mov eax, 0x41 */
		0x0f, 0x30, 0x90,			/* wrmsr; nop */
		0x66, 0xb9, 0x3f, 0x08, 0x00, 0x00,	/* again */
		0x66, 0xb8, 0x41, 0x00, 0x00, 0x00,
		0x0f, 0x30, 0x90,
		0xb0, 0xee, 0xe6, 0x82,			/* out 0x82, 0xee */
		0xfa, 0xf4,				/* cli; hlt */
	};
	static const uint8_t handler[] = {
		0xa0, 0x00, 0x20,			/* mov al, [0x2000] */
		0xe6, 0x81,				/* out 0x81, al */
		0xf6, 0x06, 0x00, 0x20, 0x01,		/* test byte [0x2000], 1 */
		0x74, 0x06,				/* jz 1f */
		0x80, 0x26, 0x00, 0x20, 0xfe,		/* and byte [0x2000], ~1 */
		0xcf,					/* iret */
		0x66, 0x31, 0xc0, 0x66, 0x31, 0xd2,	/* 1: EOI register */
		0x66, 0xb9, 0x0b, 0x08, 0x00, 0x00,
		0x0f, 0x30, 0xcf,			/* wrmsr; iret */
	};
	struct vm vm;
	struct vcpu v;
	uint64_t data = 0;
	int r;

	if (ioctl(sys_fd, NYX_CHECK_EXTENSION, NYX_CAP_PV_EOI) <= 0) {
		EXPECT(0, "NYX_CAP_PV_EOI");
		return;
	}
	x2apic_guest(&vm, &v, code, sizeof(code), handler, sizeof(handler));

	/* the MSR's rules: bit 1 reserved, the address must be guest RAM */
	EXPECT(msr_access(&v, NYX_SET_MSRS, 0x4b564d04, &val(0x2003)) == 0,
	       "reserved bit 1: refused");
	EXPECT(msr_access(&v, NYX_SET_MSRS, 0x4b564d04, &val(0x80000001)) == 0,
	       "address outside RAM: refused");
	EXPECT(msr_access(&v, NYX_SET_MSRS, 0x4b564d04, &val(0x3001)) == 1,
	       "RAM address accepted");
	EXPECT(msr_access(&v, NYX_GET_MSRS, 0x4b564d04, &data) == 1 &&
	       data == 0x3001, "read back (%#llx)", (unsigned long long)data);
	EXPECT(msr_access(&v, NYX_SET_MSRS, 0x4b564d04, &val(0)) == 1,
	       "off again");

	EXPECT((r = run_to_out(&v, 0x81)) == 1, "first 0x41: EOI offered (%d)", r);
	EXPECT((r = run_to_out(&v, 0x81)) == 1,
	       "second 0x41: delivered, so the memory EOI took effect (%d)", r);
	EXPECT(run_to_out(&v, 0x82) == 0xee, "guest done");
	vcpu_destroy(&v);
	vm_destroy(&vm, 0x10000);
}

/*
 * irqfds inject into a real-mode guest that waits in STI; HLT with its
 * local APIC in x2APIC mode: an MSI (vector 0x41), an edge GSI through
 * the I/O APIC (GSI 5, vector 0x45) and a level GSI with a resamplefd
 * (GSI 10, vector 0x4a). Each handler EOIs and writes its vector to port
 * 0x81.
 */
static void test_irqfd_run(void)
{
	static const uint8_t code[] = {
		0xe6, 0x80,			/* out 0x80, al */
		0xfb, 0xf4, 0xeb, 0xfc,		/* 1: sti; hlt; jmp 1b */
	};
	static const uint8_t handler[] = {
		0x66, 0x31, 0xc0,		/* xor eax, eax */
		0x66, 0x31, 0xd2,		/* xor edx, edx */
		0x66, 0xb9, 0x0b, 0x08, 0x00, 0x00, /* mov ecx, 0x80b */
		0x0f, 0x30,			/* wrmsr: x2APIC EOI */
		0xb0, 0x00,			/* mov al, VECTOR */
		0xe6, 0x81,			/* out 0x81, al */
		0xcf,				/* iret */
	};
	static const uint8_t vectors[] = { 0x41, 0x45, 0x4a };
	struct nyx_irqchip chip = { .chip_id = NYX_IRQCHIP_IOAPIC };
	struct sigaction sa = { .sa_handler = on_sigusr1 };
	struct hammer hm = { 0 };
	uint64_t *redir = (uint64_t *)chip.data;
	int fmsi, fgsi, flvl, fres, i, r;
	struct vm vm;
	struct vcpu v;
	pthread_t t;

	sigaction(SIGUSR1, &sa, NULL);
	EXPECT(vm_create(&vm, 0x10000) == 0, "vm");
	EXPECT(ioctl(vm.fd, NYX_CREATE_IRQCHIP, 0) == 0, "irqchip");
	memcpy(vm.mem + 0x1000, code, sizeof(code));
	for (i = 0; i < 3; i++) {
		uint16_t h = 0x1100 + 0x20 * i;

		memcpy(vm.mem + h, handler, sizeof(handler));
		vm.mem[h + 15] = vectors[i];
		memcpy(vm.mem + vectors[i] * 4, &h, 2);	/* segment 0 */
	}
	EXPECT(vcpu_create(&vm, &v, 0, 0x1000) == 0, "vcpu");
	EXPECT(x2apic_on(&v) == 2, "x2APIC on");
	/* I/O APIC pins 5 (edge) and 10 (level) to APIC 0 */
	EXPECT(ioctl(vm.fd, NYX_GET_IRQCHIP, &chip) == 0, "get ioapic");
	redir[5] = 0x45;
	redir[10] = 0x4a | (1 << 15);
	EXPECT(ioctl(vm.fd, NYX_SET_IRQCHIP, &chip) == 0, "set ioapic");

	fmsi = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	fgsi = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	flvl = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	fres = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	EXPECT(irqfd(vm.fd, fmsi, 0, IRQFD_MSI, 0, 0xfee00000, 0x41) == 0 &&
	       irqfd(vm.fd, fgsi, 5, 0, 0, 0, 0) == 0 &&
	       irqfd(vm.fd, flvl, 10, IRQFD_RESAMPLE, fres, 0, 0) == 0,
	       "assign irqfds");

	EXPECT(run_to_out(&v, 0x80) >= 0, "guest ready");
	EXPECT((r = run_signalled(&v, fmsi)) == 0x41, "MSI irqfd wakes HLT (%d)", r);
	EXPECT(efd_count(fmsi) == 0, "MSI irqfd consumed the count");
	EXPECT((r = run_signalled(&v, fgsi)) == 0x45, "GSI irqfd (%d)", r);
	EXPECT((r = run_signalled(&v, flvl)) == 0x4a, "level irqfd (%d)", r);
	/* the handler's EOI lowered the line and signalled the resamplefd */
	for (i = 0; i < 100 && !efd_count(fres); i++)
		usleep(10 * 1000);
	EXPECT(i < 100, "resamplefd signalled after the EOI");
	/* signalled before NYX_RUN: delivered at once */
	EXPECT(write(flvl, &(uint64_t){ 1 }, 8) == 8 &&
	       (r = run_signalled(&v, -1)) == 0x4a,
	       "level irqfd again (%d)", r);

	/* signalled before it was assigned: not lost */
	EXPECT(irqfd(vm.fd, fgsi, 5, IRQFD_DEASSIGN, 0, 0, 0) == 0,
	       "deassign GSI irqfd");
	EXPECT(write(fgsi, &(uint64_t){ 1 }, 8) == 8, "signal");
	EXPECT((r = run_signalled(&v, -1)) == -1,
	       "deassigned irqfd injects nothing (%d)", r);
	EXPECT(irqfd(vm.fd, fgsi, 5, 0, 0, 0, 0) == 0, "assign again");
	EXPECT((r = run_signalled(&v, -1)) == 0x45,
	       "signal from before the assign delivered (%d)", r);

	/* the eventfd closed while assigned: the irqfd goes away */
	close(fmsi);
	EXPECT((r = run_signalled(&v, -1)) == -1, "nothing after close (%d)", r);
	fmsi = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	EXPECT(irqfd(vm.fd, fmsi, 0, IRQFD_MSI, 0, 0xfee00000, 0x41) == 0,
	       "new MSI irqfd");

	/* signals race with deassign and assign: no crash, no hang */
	hm.efd = fmsi;
	pthread_create(&t, NULL, hammer, &hm);
	for (i = 0; i < 500 && !__atomic_load_n(&hm.n, __ATOMIC_RELAXED); i++)
		usleep(1000);
	for (i = 0; i < 50; i++) {
		irqfd(vm.fd, fmsi, 0, IRQFD_MSI | IRQFD_DEASSIGN, 0, 0, 0);
		irqfd(vm.fd, fmsi, 0, IRQFD_MSI, 0, 0xfee00000, 0x41);
	}
	__atomic_store_n(&hm.stop, 1, __ATOMIC_RELEASE);
	pthread_join(t, NULL);
	EXPECT(hm.n > 0, "hammer wrote %ld", hm.n);
	EXPECT((r = run_signalled(&v, fmsi)) == 0x41, "MSI after the race (%d)",
	       r);

	/* the VM goes first, with live irqfds; the eventfds stay usable */
	vcpu_destroy(&v);
	vm_destroy(&vm, 0x10000);
	EXPECT(write(fgsi, &(uint64_t){ 1 }, 8) == 8 && efd_count(fgsi) == 1,
	       "eventfd after the VM");
	close(fmsi);
	close(fgsi);
	close(flvl);
	close(fres);
}

/* The module parameter virq_inject: Y, N, or '?' if unreadable. */
static char virq_inject_param(void)
{
	FILE *f = fopen("/sys/module/nyx/parameters/virq_inject", "r");
	int c = f ? fgetc(f) : '?';

	if (f)
		fclose(f);
	return c == 'Y' || c == 'N' ? c : '?';
}

/*
 * An MSI that arrives while the guest has IF clear waits, and is taken
 * once, when the guest sets IF. The guest spins with IF clear until the
 * test sets a flag byte (0x2000) 50 ms after signalling the irqfd, exits
 * (port 0x83) with the interrupt still waiting, where the test saves and
 * restores the vCPU's events as a snapshot would, then does STI. On SVM
 * with virq_inject the interrupt waits in V_IRQ and costs no
 * interrupt-window exit; elsewhere it takes exactly that exit.
 */
static void test_irq_if_clear(void)
{
	static const uint8_t code[] = {
		0xe6, 0x80,			/* out 0x80, al */
		0xfa,				/* cli */
		0x80, 0x3e, 0x00, 0x20, 0x00,	/* 1: cmp byte [0x2000], 0 */
		0x74, 0xf9,			/* je 1b */
		0xb0, 0x33, 0xe6, 0x83,		/* out 0x83, 0x33 */
		0xfb, 0x90,			/* sti; nop: taken here */
		0xb0, 0xee, 0xe6, 0x82,		/* out 0x82, 0xee */
		0xfb, 0x90, 0x90,		/* sti; nop; nop: not again */
		0xb0, 0x44, 0xe6, 0x84,		/* out 0x84, 0x44 */
		0xfa, 0xf4,			/* cli; hlt */
	};
	static const uint8_t handler[] = {
		0x66, 0x31, 0xc0, 0x66, 0x31, 0xd2,	/* x2APIC EOI */
		0x66, 0xb9, 0x0b, 0x08, 0x00, 0x00, 0x0f, 0x30,
		0xb0, 0x41, 0xe6, 0x81,			/* out 0x81, 0x41 */
		0xcf,					/* iret */
	};
	static const char *const names[] = { "irq_window" };
	struct sigaction sa = { .sa_handler = on_sigusr1 };
	struct nyx_vcpu_events ev;
	struct signaller s = { .efd = -1, .delay_ms = 20 };
	char virq = cpu_is_amd() ? virq_inject_param() : 'N';
	long before, after;
	struct vm vm;
	struct vcpu v;
	pthread_t t;
	int r;

	sigaction(SIGUSR1, &sa, NULL);
	x2apic_guest(&vm, &v, code, sizeof(code), handler, sizeof(handler));
	s.efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	EXPECT(irqfd(vm.fd, s.efd, 0, IRQFD_MSI, 0, 0xfee00000, 0x41) == 0,
	       "assign MSI irqfd");
	EXPECT(run_to_out(&v, 0x80) >= 0, "guest ready");
	if (vcpu0_stats(names, &before, 1))
		goto out;

	s.vcpu_thread = pthread_self();
	s.flag = vm.mem + 0x2000;
	pthread_create(&t, NULL, signaller, &s);
	r = run_to_out(&v, 0x83);
	__atomic_store_n(&s.done, 1, __ATOMIC_RELEASE);
	pthread_join(t, NULL);
	EXPECT(r == 0x33, "IF clear: not taken while spinning (%d)", r);

	/* a snapshot here: the waiting interrupt is neither lost nor doubled */
	EXPECT(ioctl(v.fd, NYX_GET_VCPU_EVENTS, &ev) == 0, "get events");
	if (virq == 'Y')
		EXPECT(ev.interrupt.injected && ev.interrupt.nr == 0x41,
		       "waits in V_IRQ, reported as injected (%u %#x)",
		       ev.interrupt.injected, ev.interrupt.nr);
	ev.flags = NYX_VCPU_EVENTS_KEEP_NMI_PENDING;
	EXPECT(ioctl(v.fd, NYX_SET_VCPU_EVENTS, &ev) == 0, "set events");

	EXPECT((r = run_to_out(&v, 0x81)) == 0x41, "taken after STI (%d)", r);
	EXPECT((r = run_to_out(&v, 0x82)) == 0xee, "after the handler (%d)", r);
	EXPECT((r = run_to_out(&v, 0x84)) == 0x44, "taken once (%d)", r);
	if (vcpu0_stats(names, &after, 1))
		goto out;
	if (virq == 'Y')
		EXPECT(after == before, "V_IRQ: no interrupt-window exit (%ld)",
		       after - before);
	else
		EXPECT(after - before == 1, "one interrupt-window exit (%ld)",
		       after - before);
out:
	vcpu_destroy(&v);
	vm_destroy(&vm, 0x10000);
	close(s.efd);
}

/* VMs with irqfds and ioeventfds, created and destroyed: nothing leaks. */
static void test_eventfd_leaks(int cycles)
{
	long slab0 = 0, slab1;
	int i, j, bad = 0;

	for (i = 0; i < cycles + 20 && !bad; i++) {
		int vm = ioctl(sys_fd, NYX_CREATE_VM, 0);
		int e[8];

		if (i == 20) {
			sync();
			slab0 = meminfo("Slab");
		}
		if (vm < 0 || ioctl(vm, NYX_CREATE_IRQCHIP, 0))
			bad = 1;
		for (j = 0; j < 8; j++) {
			e[j] = eventfd(0, EFD_CLOEXEC);
			if (ioev(vm, e[j], 0x500 + j, 1, PIO, 0) ||
			    irqfd(vm, e[j], j, j & 1 ? IRQFD_RESAMPLE : 0,
				  j & 1 ? e[0] : 0, 0, 0))
				bad = 2;
		}
		/* half the eventfds go before the VM, half after */
		for (j = 0; j < 4; j++)
			close(e[j]);
		close(vm);
		for (j = 4; j < 8; j++)
			close(e[j]);
	}
	sync();
	usleep(200000);
	slab1 = meminfo("Slab");
	EXPECT(!bad, "eventfd VM cycles (failure %d at %d)", bad, i);
	EXPECT(slab1 - slab0 < 1024, "Slab %ld -> %ld kB", slab0, slab1);
	printf("eventfd leak check: Slab %ld -> %ld kB\n", slab0, slab1);
}

/* The vendor, from CPUID leaf 0: SVM and VMX differ in a few rules. */
static bool cpu_is_amd(void)
{
	unsigned int a, b, c, d;

	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0));
	return b == 0x68747541;		/* "Auth" */
}

int main(int argc, char **argv)
{
	int cycles = argc > 1 ? atoi(argv[1]) : 1000;
	bool only_migration = argc > 1 && !strcmp(argv[1], "migration");
	bool only_pv_eoi = argc > 1 && !strcmp(argv[1], "pv-eoi");
	bool only_irqfd = argc > 1 && !strcmp(argv[1], "irqfd");
	bool only_large = argc > 1 && !strcmp(argv[1], "large");
	bool only_ro = argc > 1 && !strcmp(argv[1], "readonly");

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
	if (only_pv_eoi) {
		test_pv_eoi();
		goto out;
	}
	if (only_large) {
		test_large_mappings("Y");
		test_large_mappings("N");
		goto out;
	}
	if (only_ro) {
		test_readonly_slot();
		test_readonly_untouched();
		goto out;
	}
	if (only_irqfd) {
		test_irqfd_run();
		test_irq_if_clear();
		goto out;
	}

	test_system_ioctls();
	test_memory_regions();
	test_vcpu_ioctls();
	test_exits();
	test_readonly_slot();
	test_readonly_untouched();
	test_large_mappings("Y");
	test_large_mappings("N");
	test_shutdown();
	test_fail_entry();
	test_signal();
	test_irqchip();
	test_other_mm();
	test_stats();
	test_migration(500);
	test_ioeventfd_args();
	test_ioeventfd_run();
	test_irqfd_args();
	test_irqfd_run();
	test_irq_if_clear();
	test_pv_eoi();
	test_eventfd_leaks(cycles / 5);
	test_leaks(cycles);
out:
	printf("abi: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
