// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include "core/bus.h"
#include "core/stop.h"
#include "hw/debug_exit.h"

int debug_exit_status(u32 value)
{
	return (int)(((value << 1) | 1) & 0xff);
}

static void debug_exit_write(void *opaque, u64 offset, const void *data,
			     u32 len)
{
	u32 value = (u32)load_le(data, len > 4 ? 4 : len);

	(void)opaque;
	(void)offset;
	pr_debug("debug-exit: guest wrote 0x%x, exit status %d", value,
		 debug_exit_status(value));
	/* Serial output is written synchronously, so all of it is out by
	 * now; the main thread joins the vCPUs before exiting. */
	stop_request(debug_exit_status(value));
}

static void debug_exit_read(void *opaque, u64 offset, void *data, u32 len)
{
	(void)opaque;
	(void)offset;
	memset(data, 0xff, len);
}

static const struct io_ops debug_exit_ops = {
	.read = debug_exit_read,
	.write = debug_exit_write,
};

int debug_exit_register(void)
{
	return register_pio(DEBUG_EXIT_PORT, 1, &debug_exit_ops, NULL);
}
