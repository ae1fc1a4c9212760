// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include "arch/x86/boot.h"
#include "core/vm.h"

#define X86_CR0_ET	(1ull << 4)
#define X86_RFLAGS_FIXED 0x2ull	/* bit 1 always reads as 1 */

/* Segment descriptor types (S=1: code/data; S=0: system). */
#define SEG_TYPE_DATA_RW_ACCESSED	0x3
#define SEG_TYPE_CODE_RX_ACCESSED	0xb
#define SEG_TYPE_LDT			0x2
#define SEG_TYPE_TSS32_BUSY		0xb

int parse_flat_spec(const char *spec, char **path, u64 *addr)
{
	const char *at = strrchr(spec, '@');
	size_t len = at ? (size_t)(at - spec) : strlen(spec);

	*addr = FLAT_DEFAULT_ADDR;
	if (at && parse_u64(at + 1, addr))
		return -EINVAL;
	if (!len)
		return -EINVAL;
	*path = strndup(spec, len);
	return *path ? 0 : -ENOMEM;
}

int flat_load(struct vm *vm, const char *path, u64 addr)
{
	struct stat st;
	ssize_t n;
	u64 size, done = 0;
	u8 *dst;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		pr_err("cannot open %s: %s", path, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		pr_err("cannot open %s: not a regular file", path);
		goto fail;
	}
	size = st.st_size;
	if (!size) {
		pr_err("--flat: %s is empty", path);
		goto fail;
	}
	/* Written as subtractions so that a huge ADDR can't overflow. */
	if (addr >= vm->low_size || size > vm->low_size - addr) {
		pr_err("--flat: %s (%llu bytes) at 0x%llx does not fit in guest RAM below 0x%llx",
		       path, (unsigned long long)size,
		       (unsigned long long)addr,
		       (unsigned long long)vm->low_size);
		goto fail;
	}
	dst = gpa_to_hva(vm, addr, size);
	while (done < size) {
		n = read(fd, dst + done, size - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			pr_err("cannot read %s: %s", path,
			       n ? strerror(errno) : "file shrank");
			goto fail;
		}
		done += n;
	}
	close(fd);
	pr_debug("flat: loaded %s at 0x%llx-0x%llx", path,
		 (unsigned long long)addr, (unsigned long long)(addr + size - 1));
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	return NYX_EXIT_SETUP;
}

static struct nyx_segment real_mode_segment(u8 type, bool system)
{
	return (struct nyx_segment){
		.base = 0,
		.limit = 0xffff,
		.selector = 0,
		.type = type,
		.present = 1,
		.s = !system,
	};
}

void x86_real_mode_sregs(struct nyx_sregs *sregs, u64 entry)
{
	struct nyx_segment data = real_mode_segment(SEG_TYPE_DATA_RW_ACCESSED,
						    false);

	sregs->cs = real_mode_segment(SEG_TYPE_CODE_RX_ACCESSED, false);
	if (entry > 0xffff) {
		/* Real mode can't reach it with CS = 0: move CS there. The
		 * hidden base may lie above 1 MiB, as after a CPU reset. */
		sregs->cs.base = entry & ~0xfull;
		sregs->cs.selector = (u16)(entry >> 4);
	}
	sregs->ds = data;
	sregs->es = data;
	sregs->fs = data;
	sregs->gs = data;
	sregs->ss = data;
	sregs->tr = real_mode_segment(SEG_TYPE_TSS32_BUSY, true);
	sregs->ldt = real_mode_segment(SEG_TYPE_LDT, true);
	memset(&sregs->gdt, 0, sizeof(sregs->gdt));
	memset(&sregs->idt, 0, sizeof(sregs->idt));
	sregs->gdt.limit = 0xffff;
	sregs->idt.limit = 0xffff;

	/*
	 * A boot sector runs after the firmware has turned the caches on:
	 * CD and NW clear (with nested paging the guest's CD would really
	 * make its memory uncached), ET set, PE and PG clear.
	 */
	sregs->cr0 = X86_CR0_ET;
	sregs->cr2 = 0;
	sregs->cr3 = 0;
	sregs->cr4 = 0;
	sregs->cr8 = 0;
	sregs->efer = 0;
	sregs->flags = 0;
	memset(sregs->reserved, 0, sizeof(sregs->reserved));
}

void x86_real_mode_regs(struct nyx_regs *regs, u64 entry)
{
	memset(regs, 0, sizeof(*regs));
	regs->rip = entry > 0xffff ? (entry & 0xf) : entry;
	regs->rflags = X86_RFLAGS_FIXED;
	regs->rsp = 0;
}

static int vcpu_ioctl(int fd, unsigned long req, void *arg,
		      unsigned int vcpu_id, const char *name)
{
	int err;

	if (ioctl(fd, req, arg) >= 0)
		return 0;
	err = errno;
	pr_err("vCPU %u: %s: %s", vcpu_id, name, strerror(err));
	return -err;
}

int x86_boot_vcpu(int vcpu_fd, unsigned int vcpu_id, u64 entry)
{
	struct nyx_sregs sregs;
	struct nyx_regs regs;
	int ret;

	ret = vcpu_ioctl(vcpu_fd, NYX_GET_SREGS, &sregs, vcpu_id,
			 "NYX_GET_SREGS");
	if (ret)
		return ret;
	x86_real_mode_sregs(&sregs, entry);
	ret = vcpu_ioctl(vcpu_fd, NYX_SET_SREGS, &sregs, vcpu_id,
			 "NYX_SET_SREGS");
	if (ret)
		return ret;
	x86_real_mode_regs(&regs, entry);
	return vcpu_ioctl(vcpu_fd, NYX_SET_REGS, &regs, vcpu_id,
			  "NYX_SET_REGS");
}
