// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <sys/stat.h>

#include "core/affinity.h"
#include "core/stop.h"
#include "core/term.h"
#include "hw/serial.h"

static struct termios saved_termios;
static bool termios_saved;
static bool input_is_tty;

enum term_action term_escape_input(struct term_escape *st, u8 c, u8 *out)
{
	if (!st->pending) {
		if (c == TERM_ESCAPE_CHAR) {
			st->pending = true;
			return TERM_NONE;
		}
		*out = c;
		return TERM_SEND;
	}
	st->pending = false;
	switch (c) {
	case 'x':
	case 'X':
		return TERM_QUIT;
	case 'h':
	case 'H':
		return TERM_HELP;
	case TERM_ESCAPE_CHAR:
		*out = c;
		return TERM_SEND;
	default:
		return TERM_NONE;	/* unknown escapes are dropped */
	}
}

void term_restore(void)
{
	if (termios_saved) {
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_termios);
		termios_saved = false;
	}
}

/*
 * Like QEMU's stdio chardev: no line editing, echo or signal keys (Ctrl-C
 * goes to the guest), but output post-processing stays on so that a
 * guest's bare "\n" still returns the carriage.
 */
static int set_raw(void)
{
	struct termios t;

	if (tcgetattr(STDIN_FILENO, &saved_termios))
		return -errno;
	termios_saved = true;
	atexit(term_restore);

	t = saved_termios;
	t.c_iflag &= ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR |
		       ICRNL | IXON);
	t.c_oflag |= OPOST;
	t.c_lflag &= ~(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
	t.c_cflag &= ~(CSIZE | PARENB);
	t.c_cflag |= CS8;
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	if (tcsetattr(STDIN_FILENO, TCSANOW, &t))
		return -errno;
	return 0;
}

static void *input_thread(void *arg)
{
	struct serial *s = arg;
	struct term_escape esc = { 0 };
	u8 buf[256], out;
	ssize_t n, i;

	for (;;) {
		n = read(STDIN_FILENO, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;		/* EOF: the guest just gets no more input */
		for (i = 0; i < n; i++) {
			if (!input_is_tty) {
				serial_receive_wait(s, buf[i]);
				continue;
			}
			switch (term_escape_input(&esc, buf[i], &out)) {
			case TERM_SEND:
				serial_receive_wait(s, out);
				break;
			case TERM_QUIT:
				if (stop_request(NYX_EXIT_OK))
					pr_info("terminated by Ctrl-A x");
				return NULL;
			case TERM_HELP:
				pr_info("Ctrl-A x: quit, Ctrl-A Ctrl-A: send Ctrl-A");
				break;
			case TERM_NONE:
				break;
			}
		}
	}
	return NULL;
}

int term_start_input(struct serial *s)
{
	pthread_t thread;
	struct stat st;
	int ret;

	if (fstat(STDIN_FILENO, &st))
		return 0;
	input_is_tty = isatty(STDIN_FILENO);
	if (!input_is_tty && !S_ISFIFO(st.st_mode) && !S_ISSOCK(st.st_mode))
		return 0;	/* e.g. /dev/null or a regular file */
	if (input_is_tty) {
		ret = set_raw();
		if (ret)
			return ret;
	}

	/* Detached and never joined: it may sit in read() forever. */
	ret = thread_create(&thread, THREAD_MAIN, 0, "serial-in", input_thread,
			    s);
	if (!ret)
		pthread_detach(thread);
	return -ret;
}
