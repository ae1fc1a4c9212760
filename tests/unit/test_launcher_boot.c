// SPDX-License-Identifier: GPL-2.0
/* Guest RAM layout and translation, the --flat loader and the real-mode
 * boot state. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "arch/x86/boot.h"
#include "core/vm.h"
#include "test.h"

static int saved_stderr = -1;

static void quiet_begin(void)
{
	int null = open("/dev/null", O_WRONLY);

	saved_stderr = dup(STDERR_FILENO);
	dup2(null, STDERR_FILENO);
	close(null);
}

static void quiet_end(void)
{
	dup2(saved_stderr, STDERR_FILENO);
	close(saved_stderr);
}

static void test_layout_and_translation(void)
{
	const u64 size = 5 * SZ_1G;
	struct vm vm;
	u8 *ram;

	vm_init(&vm);
	vm_ram_layout(&vm, 64 * SZ_1M);
	CHECK_EQ(vm.low_size, 64 * SZ_1M);
	CHECK_EQ(vm.high_size, 0);
	vm_ram_layout(&vm, 3 * SZ_1G);
	CHECK_EQ(vm.low_size, 3 * SZ_1G);
	CHECK_EQ(vm.high_size, 0);

	/* Address space only: nothing is ever touched. */
	ram = mmap(NULL, size, PROT_NONE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	CHECK(ram != MAP_FAILED);
	if (ram == MAP_FAILED)
		return;
	vm.ram = ram;
	vm_ram_layout(&vm, size);
	CHECK_EQ(vm.low_size, 3 * SZ_1G);
	CHECK_EQ(vm.high_size, 2 * SZ_1G);

	CHECK(gpa_to_hva(&vm, 0, 1) == ram);
	CHECK(gpa_to_hva(&vm, 0x7c00, 512) == ram + 0x7c00);
	CHECK(gpa_to_hva(&vm, 3 * SZ_1G - 1, 1) == ram + 3 * SZ_1G - 1);
	CHECK(gpa_to_hva(&vm, 3 * SZ_1G - 1, 2) == NULL);	/* into the hole */
	CHECK(gpa_to_hva(&vm, 3 * SZ_1G, 1) == NULL);
	CHECK(gpa_to_hva(&vm, 4 * SZ_1G - 1, 1) == NULL);
	CHECK(gpa_to_hva(&vm, 4 * SZ_1G, 1) == ram + 3 * SZ_1G);
	CHECK(gpa_to_hva(&vm, 6 * SZ_1G - 8, 8) == ram + 5 * SZ_1G - 8);
	CHECK(gpa_to_hva(&vm, 6 * SZ_1G - 8, 9) == NULL);
	CHECK(gpa_to_hva(&vm, 6 * SZ_1G, 1) == NULL);
	CHECK(gpa_to_hva(&vm, 0x1000, ~0ull) == NULL);		/* overflow */
	CHECK(gpa_to_hva(&vm, ~0ull, 2) == NULL);
	CHECK_EQ(vm_write_guest(&vm, 3 * SZ_1G - 4, "abcdefgh", 8), -EFAULT);
	munmap(ram, size);
}

static void test_reserve_ram(void)
{
	struct vm vm;

	vm_init(&vm);
	quiet_begin();
	CHECK_EQ(vm_reserve_ram(&vm, 512 * SZ_1K, "512K"), 2);
	CHECK_EQ(vm_reserve_ram(&vm, SZ_1M + 1024, "1025K"), 2);
	CHECK_EQ(vm_reserve_ram(&vm, 1ull << 55, "32P"), 2);
	quiet_end();
	CHECK(vm.ram == NULL);
	CHECK_EQ(vm_reserve_ram(&vm, 2 * SZ_1M, "2M"), 0);
	CHECK(vm.ram != NULL);
	CHECK_EQ(vm.low_size, 2 * SZ_1M);
	CHECK_EQ(vm_write_guest(&vm, 0x1000, "hi", 2), 0);
	CHECK(!memcmp(vm.ram + 0x1000, "hi", 2));
	vm_destroy(&vm);
}

static void write_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	CHECK(fd >= 0 && write(fd, data, len) == (ssize_t)len);
	close(fd);
}

static void test_flat_load(void)
{
	char dir[] = "/tmp/nyx-test-XXXXXX", path[64], empty[64];
	u8 image[512];
	struct vm vm;
	unsigned int i;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/boot.bin", dir);
	snprintf(empty, sizeof(empty), "%s/empty.bin", dir);
	for (i = 0; i < sizeof(image); i++)
		image[i] = i * 13;
	image[510] = 0x55;
	image[511] = 0xaa;
	write_file(path, image, sizeof(image));
	write_file(empty, image, 0);

	vm_init(&vm);
	CHECK_EQ(vm_reserve_ram(&vm, SZ_1M, "1M"), 0);
	CHECK_EQ(flat_load(&vm, path, 0x7c00), 0);
	CHECK(!memcmp(vm.ram + 0x7c00, image, sizeof(image)));
	CHECK_EQ(flat_load(&vm, path, SZ_1M - 512), 0);	/* just fits */

	quiet_begin();
	CHECK_EQ(flat_load(&vm, path, SZ_1M - 511), 2);
	CHECK_EQ(flat_load(&vm, path, SZ_1M), 2);
	CHECK_EQ(flat_load(&vm, path, ~0ull - 10), 2);
	CHECK_EQ(flat_load(&vm, "/nonexistent/x.bin", 0x7c00), 2);
	CHECK_EQ(flat_load(&vm, empty, 0x7c00), 2);
	CHECK_EQ(flat_load(&vm, dir, 0x7c00), 2);
	quiet_end();

	vm_destroy(&vm);
	unlink(path);
	unlink(empty);
	rmdir(dir);
}

static void check_real_mode_segment(const struct nyx_segment *s, u8 type,
				    bool system)
{
	CHECK_EQ(s->base, 0);
	CHECK_EQ(s->limit, 0xffff);
	CHECK_EQ(s->selector, 0);
	CHECK_EQ(s->type, type);
	CHECK_EQ(s->present, 1);
	CHECK_EQ(s->s, !system);
	CHECK_EQ(s->dpl, 0);
	CHECK_EQ(s->db, 0);
	CHECK_EQ(s->l, 0);
	CHECK_EQ(s->g, 0);
	CHECK_EQ(s->unusable, 0);
}

static void test_real_mode_state(void)
{
	struct nyx_sregs sregs;
	struct nyx_regs regs;

	memset(&sregs, 0xaa, sizeof(sregs));
	sregs.apic_base = 0xfee00900;
	x86_real_mode_sregs(&sregs, 0x7c00);
	check_real_mode_segment(&sregs.cs, 0xb, false);
	check_real_mode_segment(&sregs.ds, 0x3, false);
	check_real_mode_segment(&sregs.es, 0x3, false);
	check_real_mode_segment(&sregs.fs, 0x3, false);
	check_real_mode_segment(&sregs.gs, 0x3, false);
	check_real_mode_segment(&sregs.ss, 0x3, false);
	check_real_mode_segment(&sregs.tr, 0xb, true);
	check_real_mode_segment(&sregs.ldt, 0x2, true);
	CHECK_EQ(sregs.gdt.base, 0);
	CHECK_EQ(sregs.gdt.limit, 0xffff);
	CHECK_EQ(sregs.idt.base, 0);
	CHECK_EQ(sregs.idt.limit, 0xffff);
	CHECK_EQ(sregs.cr0, 0x10);
	CHECK_EQ(sregs.cr2 | sregs.cr3 | sregs.cr4 | sregs.cr8 | sregs.efer, 0);
	CHECK_EQ(sregs.flags, 0);
	CHECK_EQ(sregs.reserved[0] | sregs.reserved[3], 0);
	CHECK_EQ(sregs.cs.padding, 0);
	CHECK_EQ(sregs.apic_base, 0xfee00900);	/* left as the module had it */

	memset(&regs, 0xaa, sizeof(regs));
	x86_real_mode_regs(&regs, 0x7c00);
	CHECK_EQ(regs.rip, 0x7c00);
	CHECK_EQ(regs.rflags, 0x2);
	CHECK_EQ(regs.rsp, 0);
	CHECK_EQ(regs.rax | regs.rdx | regs.r15, 0);

	/* beyond 64 KiB, CS moves to the entry */
	x86_real_mode_sregs(&sregs, 0x12345);
	x86_real_mode_regs(&regs, 0x12345);
	CHECK_EQ(sregs.cs.base, 0x12340);
	CHECK_EQ(sregs.cs.selector, 0x1234);
	CHECK_EQ(regs.rip, 5);
	CHECK_EQ(sregs.cs.base + regs.rip, 0x12345);
	x86_real_mode_sregs(&sregs, 0x100000);
	x86_real_mode_regs(&regs, 0x100000);
	CHECK_EQ(sregs.cs.base + regs.rip, 0x100000);
}

int main(void)
{
	test_layout_and_translation();
	test_reserve_ram();
	test_flat_load();
	test_real_mode_state();
	return test_summary("launcher_boot");
}
