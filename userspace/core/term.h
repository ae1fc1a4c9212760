/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host terminal side of the stdio serial backend: raw mode for a TTY
 * stdin, a reader thread feeding the UART, and the Ctrl-A escapes.
 */
#ifndef NYX_TERM_H
#define NYX_TERM_H

#include "core/util.h"

struct serial;

#define TERM_ESCAPE_CHAR	0x01	/* Ctrl-A, as in QEMU */

/* Escape decoding state for one input stream. */
struct term_escape {
	bool pending;		/* the previous byte was Ctrl-A */
};

enum term_action {
	TERM_NONE,		/* swallow the byte */
	TERM_SEND,		/* send *out to the guest */
	TERM_QUIT,		/* Ctrl-A x */
	TERM_HELP,		/* Ctrl-A h */
};

/* Feed one input byte through the escape decoder. */
enum term_action term_escape_input(struct term_escape *st, u8 c, u8 *out);

/*
 * If stdin is a TTY, pipe or socket, start a thread that forwards it to
 * the UART (a TTY is put in raw mode until term_restore()). Returns 0 or
 * -errno.
 */
int term_start_input(struct serial *s);

/* Restore the terminal settings; safe to call more than once. */
void term_restore(void);

#endif
