/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The stop protocol. Anything may ask the VM to stop (a signal, the
 * debug-exit port, a guest shutdown, a fatal vCPU error, Ctrl-A x): the
 * first request sets the exit status, raises the flag and kicks every vCPU
 * out of NYX_RUN; the main thread, waiting in stop_wait(), then tears down
 * and exits with that status.
 */
#ifndef NYX_STOP_H
#define NYX_STOP_H

#include <stdbool.h>

/* Ask for a stop with this exit status. Only the first request counts;
 * returns true if this call was it. Safe from any thread (not from a
 * signal handler). */
bool stop_request(int status);

/* Same, remembering that the process should die by signal signo once it
 * has cleaned up (so the parent sees the usual WIFSIGNALED status). */
bool stop_request_signal(int signo);

bool stop_requested(void);

/* Block until a stop is requested; return its status and, if it came from
 * a signal, the signal number in *signo (else 0). */
int stop_wait(int *signo);

/* What the first stop_request() calls to kick every vCPU out of the
 * guest; installed by vcpu.c. */
void stop_set_kick_hook(void (*kick)(void));

/* For tests: forget any previous request. */
void stop_reset(void);

#endif
