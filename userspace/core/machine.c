// SPDX-License-Identifier: GPL-2.0
#include "core/machine.h"
#include "core/stop.h"
#include "core/util.h"

void machine_poweroff_request(void)
{
	if (stop_request(NYX_EXIT_OK))
		pr_info("guest powered off");
}

void machine_reset_request(void)
{
	if (stop_request(NYX_EXIT_GUEST_RESET))
		pr_info("guest requested a reset (exit status %d)",
			NYX_EXIT_GUEST_RESET);
}
