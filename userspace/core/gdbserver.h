/* SPDX-License-Identifier: GPL-2.0 */
/*
 * --gdb: the GDB remote protocol server bound to the VM (all-stop: a
 * debug event or Ctrl-C stops every vCPU). Protocol in core/gdbstub.c.
 */
#ifndef NYX_GDBSERVER_H
#define NYX_GDBSERVER_H

#include <stdbool.h>

struct vm;
struct vcpu;

/* Listen on spec (tcp:HOST:PORT or unix:PATH) and start the server
 * thread; with wait the vCPUs stay stopped until gdb resumes them. Call
 * before vcpus_start(). Returns 0 or an exit status after printing why. */
int gdbserver_start(const char *spec, bool wait, struct vm *vm,
		    struct vcpu *vcpus, unsigned int nr_vcpus);

#endif
