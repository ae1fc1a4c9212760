/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the launcher's device and loader tests: silencing the
 * expected error messages, and observing stop requests.
 */
#ifndef NYX_LAUNCHER_TEST_H
#define NYX_LAUNCHER_TEST_H

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

static int quiet_saved_stderr = -1;

/* NYX_TEST_VERBOSE=1 shows the messages, to check each rejection is for
 * the reason the test means. */
static inline void quiet_begin(void)
{
	int null = open(getenv("NYX_TEST_VERBOSE") ? "/dev/stderr" :
			"/dev/null", O_WRONLY);

	quiet_saved_stderr = dup(STDERR_FILENO);
	dup2(null, STDERR_FILENO);
	close(null);
}

static inline void quiet_end(void)
{
	dup2(quiet_saved_stderr, STDERR_FILENO);
	close(quiet_saved_stderr);
}

#endif
