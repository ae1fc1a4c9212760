/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Catch the launcher's error messages (pr_err, core/util.h) to check
 * their words. Include after test.h.
 */
#ifndef NYX_PR_CAPTURE_H
#define NYX_PR_CAPTURE_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/util.h"

static char pr_last[256];	/* the last error, without "nyx: " */

static void pr_capture(int level, const char *file, const char *fmt,
		       va_list ap)
{
	(void)file;
	if (level >= NYX_PR_ERR)
		vsnprintf(pr_last, sizeof(pr_last), fmt, ap);
}

static inline void pr_capture_begin(void)
{
	pr_last[0] = '\0';
	nyx_pr_hook = pr_capture;
}

static inline void pr_capture_end(void)
{
	nyx_pr_hook = NULL;
}

/* Count a pass if the last error was exactly want, else a failure. */
static inline void pr_check(const char *want, const char *what)
{
	if (strcmp(pr_last, want)) {
		test_failed++;
		fprintf(stderr, "FAIL %s: got '%s', want '%s'\n", what,
			pr_last, want);
	} else {
		test_passed++;
	}
}

#endif
