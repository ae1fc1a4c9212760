/* SPDX-License-Identifier: GPL-2.0 */
/*
 * QEMU isa-debug-exit compatible port: writing value v to port 0xf4 makes
 * the launcher exit with status (v << 1) | 1, so a test guest can report
 * pass/fail with a status that can't be confused with a launcher error
 * (those are even).
 */
#ifndef NYX_DEBUG_EXIT_H
#define NYX_DEBUG_EXIT_H

#include "core/util.h"

#define DEBUG_EXIT_PORT		0xf4

/* The process exit status for a write of value. Like exit(2), only the
 * low 8 bits survive, so this returns them. */
int debug_exit_status(u32 value);

int debug_exit_register(void);

#endif
