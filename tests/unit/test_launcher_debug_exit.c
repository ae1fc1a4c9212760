// SPDX-License-Identifier: GPL-2.0
/* isa-debug-exit: exit status computation and the stop it requests. */
#include "core/bus.h"
#include "core/stop.h"
#include "hw/debug_exit.h"
#include "test.h"

static int write_port(u16 port, u32 value, u32 len)
{
	u8 data[4];
	int signo = -1, status;

	stop_reset();
	store_le(data, value, len);
	bus_access(&pio_bus, port, data, len, true);
	if (!stop_requested())
		return -1;
	status = stop_wait(&signo);
	CHECK_EQ(signo, 0);
	return status;
}

int main(void)
{
	CHECK_EQ(debug_exit_status(0), 1);
	CHECK_EQ(debug_exit_status(1), 3);
	CHECK_EQ(debug_exit_status(0x10), 0x21);
	CHECK_EQ(debug_exit_status(0x7f), 0xff);
	/* only the low 8 bits of (code << 1) | 1 survive exit() */
	CHECK_EQ(debug_exit_status(0x80), 1);
	CHECK_EQ(debug_exit_status(0xffffffff), 0xff);
	/* always odd: never confused with the launcher's own statuses */
	CHECK_EQ(debug_exit_status(2) & 1, 1);

	CHECK_EQ(debug_exit_register(), 0);
	CHECK_EQ(write_port(DEBUG_EXIT_PORT, 0, 1), 1);
	CHECK_EQ(write_port(DEBUG_EXIT_PORT, 0x31, 1), 0x63);
	CHECK_EQ(write_port(DEBUG_EXIT_PORT, 0x0102, 2), 5);	/* 0x205 & 0xff */
	CHECK_EQ(write_port(DEBUG_EXIT_PORT, 0x00000003, 4), 7);
	CHECK_EQ(write_port(DEBUG_EXIT_PORT + 1, 3, 1), -1);	/* not us */

	/* the first stop request wins */
	stop_reset();
	CHECK(stop_request(4));
	CHECK(!stop_request(6));
	CHECK_EQ(stop_wait(NULL), 4);
	stop_reset();
	CHECK(stop_request_signal(15));
	{
		int signo = 0;

		CHECK_EQ(stop_wait(&signo), 128 + 15);
		CHECK_EQ(signo, 15);
	}
	return test_summary("launcher_debug_exit");
}
