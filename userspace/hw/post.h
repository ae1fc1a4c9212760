/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Port 0x80, the POST code port. Firmware writes progress codes there and
 * Linux writes to it as an I/O delay (outb_p); the last code is kept and
 * reads back, and --verbose logs each new code.
 */
#ifndef NYX_POST_H
#define NYX_POST_H

#include "core/util.h"

#define POST_PORT	0x80

struct post_state {
	u8 code;
};

struct post {
	struct post_state st;	/* accessed atomically */
};

void post_init(struct post *p);
int post_register(struct post *p);

void post_io_read(void *opaque, u64 offset, void *data, u32 len);
void post_io_write(void *opaque, u64 offset, const void *data, u32 len);

void post_save(struct post *p, struct post_state *st);
void post_load(struct post *p, const struct post_state *st);

#endif
