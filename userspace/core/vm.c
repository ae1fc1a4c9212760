// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/sysinfo.h>

#include <uapi/nyx.h>

#include "core/vm.h"

void vm_init(struct vm *vm)
{
	memset(vm, 0, sizeof(*vm));
	vm->sys_fd = -1;
	vm->vm_fd = -1;
}

void vm_ram_layout(struct vm *vm, u64 size)
{
	vm->ram_size = size;
	vm->low_size = size < RAM_LOW_MAX ? size : RAM_LOW_MAX;
	vm->high_size = size - vm->low_size;
}

/*
 * The module pins guest pages as the guest touches them, so RAM beyond
 * what the host can back would end in the OOM killer rather than in a
 * clean error; MAP_NORESERVE alone would never refuse it.
 */
static u64 host_memory_bytes(void)
{
	struct sysinfo si;

	if (sysinfo(&si))
		return ~0ull;
	return ((u64)si.totalram + si.totalswap) * si.mem_unit;
}

#define RAM_ALIGN	(2ull << 20)

/*
 * Anonymous guest RAM starting on a 2 MiB boundary, so that guest-physical
 * 2 MiB blocks (the slots start on such boundaries) fall on host ones and
 * can be transparent huge pages. MAP_FAILED with errno on failure.
 */
static void *ram_map_aligned(u64 size)
{
	u8 *p = mmap(NULL, size + RAM_ALIGN, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	u64 head;

	if (p == MAP_FAILED)
		return MAP_FAILED;
	head = -(uintptr_t)p & (RAM_ALIGN - 1);
	if (head)
		munmap(p, head);
	munmap(p + head + size, RAM_ALIGN - head);
	return p + head;
}

int vm_reserve_ram(struct vm *vm, u64 size, const char *size_text)
{
	u64 host = host_memory_bytes();
	void *p;

	if (size < RAM_MIN_SIZE) {
		pr_err("memory: %s is too small (minimum 1M)", size_text);
		return NYX_EXIT_SETUP;
	}
	if (size % PAGE_SIZE) {
		pr_err("memory: %s is not a multiple of 4K", size_text);
		return NYX_EXIT_SETUP;
	}
	if (size > host) {
		pr_err("memory: cannot reserve %s: more than the host's RAM + swap (%llu MiB)",
		       size_text, (unsigned long long)(host >> 20));
		return NYX_EXIT_SETUP;
	}
	p = ram_map_aligned(size);
	if (p == MAP_FAILED) {
		pr_err("memory: cannot reserve %s: %s", size_text,
		       strerror(errno));
		return NYX_EXIT_SETUP;
	}
	/* Guest RAM is big and sparse; keep it out of core dumps. */
	madvise(p, size, MADV_DONTDUMP);
	/* 2 MiB host pages: nyx.ko maps each with one nested entry (TLB
	 * reach, shorter nested walks); merely a hint, as for QEMU */
	madvise(p, size, MADV_HUGEPAGE);
	vm->ram = p;
	vm_ram_layout(vm, size);
	return 0;
}

static int set_region(struct vm *vm, u32 slot, u64 gpa, u64 size, void *hva)
{
	struct nyx_memory_region region = {
		.slot = slot,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (u64)(uintptr_t)hva,
	};

	if (ioctl(vm->vm_fd, NYX_SET_MEMORY_REGION, &region) < 0) {
		pr_err("NYX_SET_MEMORY_REGION slot %u [0x%llx, +0x%llx): %s",
		       slot, (unsigned long long)gpa, (unsigned long long)size,
		       strerror(errno));
		return NYX_EXIT_SETUP;
	}
	return 0;
}

int vm_create(struct vm *vm)
{
	int version, ret;

	vm->sys_fd = open(NYX_DEV_PATH, O_RDWR | O_CLOEXEC);
	if (vm->sys_fd < 0) {
		if (errno == ENOENT || errno == ENODEV || errno == ENXIO)
			pr_err("%s not found: module not loaded: insmod nyx.ko",
			       NYX_DEV_PATH);
		else
			pr_err("cannot open %s: %s", NYX_DEV_PATH,
			       strerror(errno));
		return NYX_EXIT_SETUP;
	}

	version = ioctl(vm->sys_fd, NYX_GET_API_VERSION, 0);
	if (version != NYX_API_VERSION) {
		pr_err("%s: API version %d, this launcher needs %d",
		       NYX_DEV_PATH, version, NYX_API_VERSION);
		return NYX_EXIT_SETUP;
	}

	vm->vcpu_mmap_size = ioctl(vm->sys_fd, NYX_GET_VCPU_MMAP_SIZE, 0);
	if (vm->vcpu_mmap_size < (int)sizeof(struct nyx_run)) {
		pr_err("NYX_GET_VCPU_MMAP_SIZE: bad size %d (%s)",
		       vm->vcpu_mmap_size,
		       vm->vcpu_mmap_size < 0 ? strerror(errno) : "too small");
		return NYX_EXIT_SETUP;
	}
	vm->max_vcpus = ioctl(vm->sys_fd, NYX_CHECK_EXTENSION,
			      NYX_CAP_NR_VCPUS);
	if (vm->max_vcpus < 0)
		vm->max_vcpus = 0;

	vm->vm_fd = ioctl(vm->sys_fd, NYX_CREATE_VM, 0);
	if (vm->vm_fd < 0) {
		pr_err("NYX_CREATE_VM: %s", strerror(errno));
		return NYX_EXIT_SETUP;
	}

	ret = set_region(vm, 0, 0, vm->low_size, vm->ram);
	if (!ret && vm->high_size)
		ret = set_region(vm, 1, RAM_HIGH_BASE, vm->high_size,
				 vm->ram + vm->low_size);
	return ret;
}

void vm_destroy(struct vm *vm)
{
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->sys_fd >= 0)
		close(vm->sys_fd);
	if (vm->ram)
		munmap(vm->ram, vm->ram_size);
	vm->ram = NULL;
	vm->vm_fd = vm->sys_fd = -1;
}

void *gpa_to_hva(const struct vm *vm, u64 gpa, u64 len)
{
	if (!vm->ram)
		return NULL;
	/* Each test is written so that it cannot overflow. */
	if (gpa < vm->low_size) {
		if (len > vm->low_size - gpa)
			return NULL;
		return vm->ram + gpa;
	}
	if (gpa >= RAM_HIGH_BASE && gpa - RAM_HIGH_BASE < vm->high_size) {
		if (len > vm->high_size - (gpa - RAM_HIGH_BASE))
			return NULL;
		return vm->ram + vm->low_size + (gpa - RAM_HIGH_BASE);
	}
	return NULL;
}

int vm_write_guest(const struct vm *vm, u64 gpa, const void *src, u64 len)
{
	void *hva = gpa_to_hva(vm, gpa, len);

	if (!hva)
		return -EFAULT;
	memcpy(hva, src, len);
	return 0;
}

int vm_read_guest(const struct vm *vm, u64 gpa, void *dst, u64 len)
{
	const void *hva = gpa_to_hva(vm, gpa, len);

	if (!hva)
		return -EFAULT;
	memcpy(dst, hva, len);
	return 0;
}
