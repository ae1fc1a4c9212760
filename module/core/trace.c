// SPDX-License-Identifier: GPL-2.0
/* The one place nyx's tracepoints are defined (see trace.h). */
#define CREATE_TRACE_POINTS
#include "core/trace.h"
