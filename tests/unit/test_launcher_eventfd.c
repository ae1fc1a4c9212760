// SPDX-License-Identifier: GPL-2.0
/*
 * ioeventfd/irqfd helpers: the arguments they build match what nyx.ko
 * accepts (and they reject what it rejects), and without the capability
 * (no VM here: every ioctl fails) they fall back instead of failing.
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "core/eventfd.h"
#include "core/irq.h"
#include "test.h"

static void test_ioeventfd_args(void)
{
	struct nyx_ioeventfd a;

	CHECK_EQ(ioeventfd_args(&a, true, 0xc050, 2, false, 0, 7), 0);
	CHECK_EQ(a.flags, NYX_IOEVENTFD_FLAG_PIO);
	CHECK_EQ(a.addr, 0xc050);
	CHECK_EQ(a.len, 2);
	CHECK_EQ(a.fd, 7);
	CHECK_EQ(a.datamatch, 0);
	CHECK(!a.padding && !a.reserved[0] && !a.reserved[1]);

	CHECK_EQ(ioeventfd_args(&a, false, 0xfe003000, 4, true, 3, 5), 0);
	CHECK_EQ(a.flags, NYX_IOEVENTFD_FLAG_DATAMATCH);
	CHECK_EQ(a.datamatch, 3);
	CHECK_EQ(ioeventfd_args(&a, false, 0xfe003000, 0, false, 0, 5), 0);
	CHECK_EQ(ioeventfd_args(&a, false, 0xfe003000, 8, true, ~0ull, 5), 0);

	/* what the module refuses with -EINVAL */
	CHECK_EQ(ioeventfd_args(&a, true, 0x500, 0, false, 0, 5), -EINVAL);
	CHECK_EQ(ioeventfd_args(&a, false, 0x500, 0, true, 0, 5), -EINVAL);
	CHECK_EQ(ioeventfd_args(&a, true, 0x500, 8, false, 0, 5), -EINVAL);
	CHECK_EQ(ioeventfd_args(&a, false, 0x500, 3, false, 0, 5), -EINVAL);
	CHECK_EQ(ioeventfd_args(&a, false, 0x500, 16, false, 0, 5), -EINVAL);
	CHECK_EQ(ioeventfd_args(&a, true, 0x10000, 1, false, 0, 5), -EINVAL);
	CHECK_EQ(ioeventfd_args(&a, true, 0xffff, 2, false, 0, 5), -EINVAL);
	CHECK_EQ(ioeventfd_args(&a, true, 0xfffe, 2, false, 0, 5), 0);
	CHECK_EQ(ioeventfd_args(&a, false, ~0ull, 2, false, 0, 5), -EINVAL);
	CHECK_EQ(ioeventfd_args(&a, true, 0x500, 1, true, 0x100, 5), -EINVAL);
	CHECK_EQ(ioeventfd_args(&a, true, 0x500, 1, true, 0xff, 5), 0);
	CHECK_EQ(ioeventfd_args(&a, false, 0x500, 4, true, 1ull << 32, 5),
		 -EINVAL);
}

static void test_irqfd_args(void)
{
	struct nyx_irqfd a;

	CHECK_EQ(irqfd_msi_args(&a, 4, 0xfee01000, 0x4041), 0);
	CHECK_EQ(a.flags, NYX_IRQFD_FLAG_MSI);
	CHECK_EQ(a.fd, 4);
	CHECK_EQ(a.gsi, 0);
	CHECK_EQ(a.msi_address, 0xfee01000);
	CHECK_EQ(a.msi_data, 0x4041);
	CHECK(!a.padding && !a.reserved[0] && !a.reserved[1] &&
	      !a.resamplefd);
	CHECK_EQ(irqfd_msi_args(&a, 4, 0xfef00000, 0x41), -EINVAL);
	CHECK_EQ(irqfd_msi_args(&a, 4, 0x1000, 0x41), -EINVAL);

	CHECK_EQ(irqfd_gsi_args(&a, 4, 23), 0);
	CHECK_EQ(a.flags, 0);
	CHECK_EQ(a.gsi, 23);
	CHECK_EQ(irqfd_gsi_args(&a, 4, 24), -EINVAL);
}

/* No VM: the capability checks fail, the helpers fall back. */
static void test_fallback(void)
{
	struct ioeventfd io;
	struct irqfd irq;
	int fd = open("/dev/null", O_RDWR);

	CHECK(!ioeventfd_supported(-1));
	CHECK(!ioeventfd_supported(fd));	/* not a VM */
	CHECK(!irqfd_supported(-1));
	CHECK_EQ(ioeventfd_add(&io, -1, true, 0xc050, 2, false, 0), -ENOSYS);
	CHECK_EQ(io.fd, -1);
	CHECK_EQ(ioeventfd_drain(&io), 0);
	ioeventfd_remove(&io, -1);		/* harmless */
	CHECK_EQ(ioeventfd_add(&io, -1, true, 0xc050, 3, false, 0), -EINVAL);

	/* irqfd: no irqchip, no VM: signals go the slow way */
	irq_reset_observers();
	CHECK(irq_chip_create(-1) < 0);
	CHECK_EQ(irqfd_gsi_add(&irq, -1, 9), -ENOSYS);
	CHECK_EQ(irq.fd, -1);
	CHECK_EQ(irqfd_signal(&irq), 0);
	CHECK_EQ(irq_line_edges(9), 1);		/* a pulse */
	CHECK(!irq_line_level(9));
	irq_raise(9);				/* held high: no edge */
	CHECK_EQ(irqfd_signal(&irq), 0);
	CHECK_EQ(irq_line_edges(9), 2);
	CHECK(irq_line_level(9));
	irq_lower(9);
	irqfd_remove(&irq);
	CHECK_EQ(irqfd_gsi_add(&irq, -1, 24), -EINVAL);

	CHECK_EQ(irqfd_msi_add(&irq, -1, 0xfee00000, 0x41), -ENOSYS);
	CHECK_EQ(irqfd_signal(&irq), -ENOSYS);	/* NYX_SIGNAL_MSI: no chip */
	irqfd_remove(&irq);

	/* turned off: same answers even where the module has them */
	eventfd_fastpath_disable(true);
	CHECK(!ioeventfd_supported(fd));
	eventfd_fastpath_disable(false);
	close(fd);
}

int main(void)
{
	test_ioeventfd_args();
	test_irqfd_args();
	test_fallback();
	return test_summary("launcher_eventfd");
}
