// SPDX-License-Identifier: GPL-2.0
/* vCPU exit dispatch on a fake run structure, and the stop protocol. */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/bus.h"
#include "core/stop.h"
#include "core/vcpu.h"
#include "hw/testdev.h"
#include "test.h"

#define RUN_SIZE	8192
#define IO_OFFSET	4096

static struct testdev td;
static struct vcpu v;
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

static u8 *io_data(void)
{
	return (u8 *)v.run + IO_OFFSET;
}

static void set_io(u8 dir, u8 size, u16 port, u32 count, u64 offset)
{
	memset(v.run, 0, sizeof(*v.run));
	v.run->exit_reason = NYX_EXIT_IO;
	v.run->io.direction = dir;
	v.run->io.size = size;
	v.run->io.port = port;
	v.run->io.count = count;
	v.run->io.data_offset = offset;
}

static void test_pio(void)
{
	unsigned int i;

	/* rep outsb of 5 bytes to the data port */
	set_io(NYX_EXIT_IO_OUT, 1, TESTDEV_PORT_DATA, 5, IO_OFFSET);
	for (i = 0; i < 5; i++)
		io_data()[i] = i + 1;
	CHECK_EQ(vcpu_handle_exit(&v), EXIT_CONTINUE);
	CHECK_EQ(td.st.sink_count, 5);
	CHECK_EQ(td.st.sink_sum, 15);

	/* rep insw, 3 items: 6 source bytes */
	set_io(NYX_EXIT_IO_IN, 2, TESTDEV_PORT_DATA, 3, IO_OFFSET);
	CHECK_EQ(vcpu_handle_exit(&v), EXIT_CONTINUE);
	for (i = 0; i < 6; i++)
		CHECK_EQ(io_data()[i], testdev_source_byte(i));

	/* single outl/inl to the scratch register */
	set_io(NYX_EXIT_IO_OUT, 4, TESTDEV_PORT_SCRATCH, 1, IO_OFFSET + 64);
	store_le(io_data() + 64, 0xa5a5f00d, 4);
	CHECK_EQ(vcpu_handle_exit(&v), EXIT_CONTINUE);
	set_io(NYX_EXIT_IO_IN, 4, TESTDEV_PORT_SCRATCH, 1, IO_OFFSET);
	CHECK_EQ(vcpu_handle_exit(&v), EXIT_CONTINUE);
	CHECK_EQ(load_le(io_data(), 4), 0xa5a5f00d);

	/* nobody home: all-ones */
	set_io(NYX_EXIT_IO_IN, 4, 0x80, 1, IO_OFFSET);
	CHECK_EQ(vcpu_handle_exit(&v), EXIT_CONTINUE);
	CHECK_EQ(load_le(io_data(), 4), 0xffffffff);

	/* data that ends exactly at the end of the mapping is fine */
	set_io(NYX_EXIT_IO_OUT, 4, TESTDEV_PORT_DATA, 1024, IO_OFFSET);
	CHECK_EQ(vcpu_handle_exit(&v), EXIT_CONTINUE);
}

static void test_mmio(void)
{
	memset(v.run, 0, sizeof(*v.run));
	v.run->exit_reason = NYX_EXIT_MMIO;
	v.run->mmio.phys_addr = TESTDEV_MMIO_SCRATCH + 0x20;
	v.run->mmio.len = 8;
	v.run->mmio.is_write = 1;
	store_le(v.run->mmio.data, 0x1122334455667788ull, 8);
	CHECK_EQ(vcpu_handle_exit(&v), EXIT_CONTINUE);

	memset(v.run->mmio.data, 0, 8);
	v.run->mmio.is_write = 0;
	v.run->mmio.len = 4;
	CHECK_EQ(vcpu_handle_exit(&v), EXIT_CONTINUE);
	CHECK_EQ(load_le(v.run->mmio.data, 8), 0x55667788);
	CHECK_EQ(td.st.mmio_accesses, 2);
}

static int exit_status_of(u32 reason)
{
	enum exit_action action;

	stop_reset();
	v.run->exit_reason = reason;
	quiet_begin();
	action = vcpu_handle_exit(&v);
	quiet_end();
	if (action != EXIT_STOP)
		return -(int)action - 100;
	return stop_wait(NULL);
}

static void test_other_exits(void)
{
	memset(v.run, 0, sizeof(*v.run));
	v.run->exit_reason = NYX_EXIT_HLT;
	CHECK_EQ(vcpu_handle_exit(&v), EXIT_HALT);
	v.run->exit_reason = NYX_EXIT_INTR;
	CHECK_EQ(vcpu_handle_exit(&v), EXIT_CONTINUE);

	CHECK_EQ(exit_status_of(NYX_EXIT_SHUTDOWN), 4);
	CHECK_EQ(exit_status_of(NYX_EXIT_FAIL_ENTRY), 6);
	v.run->internal.suberror = NYX_INTERNAL_ERROR_EMULATION;
	v.run->internal.ndata = 2;
	CHECK_EQ(exit_status_of(NYX_EXIT_INTERNAL_ERROR), 6);
	CHECK_EQ(exit_status_of(NYX_EXIT_UNKNOWN), 6);
	CHECK_EQ(exit_status_of(99), 6);

	/* malformed exits are vCPU failures, not crashes */
	set_io(NYX_EXIT_IO_IN, 3, 0xe0, 1, IO_OFFSET);
	CHECK_EQ(exit_status_of(NYX_EXIT_IO), 6);
	set_io(NYX_EXIT_IO_IN, 4, 0xe0, 1025, IO_OFFSET);
	CHECK_EQ(exit_status_of(NYX_EXIT_IO), 6);
	set_io(NYX_EXIT_IO_IN, 4, 0xe0, 1, ~0ull - 1);
	CHECK_EQ(exit_status_of(NYX_EXIT_IO), 6);
	set_io(NYX_EXIT_IO_IN, 1, 0xe0, 0, IO_OFFSET);
	CHECK_EQ(exit_status_of(NYX_EXIT_IO), 6);
	memset(v.run, 0, sizeof(*v.run));
	v.run->mmio.len = 9;
	CHECK_EQ(exit_status_of(NYX_EXIT_MMIO), 6);
}

/* Threads whose NYX_RUN fails (no /dev/nyx here) must stop the VM with
 * status 6, and the kick must not hurt threads that already left. */
static void test_threads_stop(void)
{
	static struct vcpu vs[3];
	static struct nyx_run runs[3];
	unsigned int i;

	stop_reset();
	vcpu_install_kick_signal();
	for (i = 0; i < 3; i++) {
		vs[i].id = i;
		vs[i].fd = -1;
		vs[i].run = &runs[i];
		vs[i].run_size = sizeof(runs[i]);
	}
	quiet_begin();
	CHECK_EQ(vcpus_start(vs, 3), 0);
	CHECK_EQ(stop_wait(NULL), 6);
	vcpus_join();
	quiet_end();
	for (i = 0; i < 3; i++) {
		CHECK_EQ(runs[i].immediate_exit, 1);
		CHECK(!vs[i].started);
	}
}

int main(void)
{
	void *run = aligned_alloc(4096, RUN_SIZE);

	if (!run)
		return 1;
	memset(run, 0, RUN_SIZE);
	v.run = run;
	v.run_size = RUN_SIZE;
	v.fd = -1;

	testdev_init(&td);
	CHECK_EQ(testdev_register(&td), 0);
	test_pio();
	test_mmio();
	test_other_exits();
	test_threads_stop();
	free(run);
	return test_summary("launcher_vcpu");
}
