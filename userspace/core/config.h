/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nyx run --config FILE: a JSON description of a VM, equivalent to the
 * command line (schema: Documentation/config.rst). Parsed with json-c.
 * Errors name the key path and the reason ("disks[1].path: file not
 * found"); unknown keys are errors.
 */
#ifndef NYX_CONFIG_H
#define NYX_CONFIG_H

#include <stddef.h>

#include "core/options.h"

/* Biggest configuration file accepted. */
#define CONFIG_MAX_SIZE		(1024 * 1024)

/* Check that the files named exist and are regular files (off for the
 * fuzzer). */
#define CONFIG_CHECK_FILES	1

/*
 * Apply the JSON text (len bytes) on top of *o (initialised by the
 * caller, e.g. run_options_defaults()). Returns 0, or -1 with the reason
 * in err; *o may then hold part of the file and must still be freed
 * with run_options_free().
 */
int config_parse(const char *text, size_t len, struct run_options *o,
		 unsigned int flags, char *err, size_t errlen);

/* Read FILE and config_parse() it. */
int config_load(const char *path, struct run_options *o, char *err,
		size_t errlen);

#endif
