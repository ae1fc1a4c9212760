// SPDX-License-Identifier: GPL-2.0
/*
 * The control socket server (see control.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "core/affinity.h"
#include "core/control.h"
#include "core/util.h"

#define FLUSH_TIMEOUT_MS	500

struct client {
	int fd;				/* -1: free slot */
	char in[QMP_LINE_MAX + 1];
	size_t in_len;
	bool discarding;		/* inside an oversized line */
	bool dead;			/* to be closed by the control thread */
	char *out;
	size_t out_len, out_cap;
};

struct control {
	int listen_fd;
	int wake[2];			/* pipe: events queued, or stop */
	char path[108];
	const struct qmp_ops *ops;
	void *opaque;
	pthread_t thread;
	pthread_mutex_t lock;		/* clients' out buffers, closing */
	bool running;
	bool closing;
	struct client clients[CONTROL_MAX_CLIENTS];
};

static struct control ctl = {
	.listen_fd = -1,
	.lock = PTHREAD_MUTEX_INITIALIZER,
};

static void client_close(struct client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	free(c->out);
	c->out = NULL;
	c->out_len = c->out_cap = 0;
	c->in_len = 0;
	c->discarding = false;
	c->dead = false;
}

/* Queue bytes for a client, under ctl.lock (from any thread). A client
 * too slow to take them is dropped rather than buffering without bound;
 * only the control thread closes its fd (it may be reading from it). */
static void client_queue(struct client *c, const char *s, size_t n)
{
	if (c->fd < 0 || c->dead)
		return;
	if (c->out_len + n > CONTROL_OUT_MAX) {
		pr_warn("control: client %d does not read its replies; disconnecting",
			c->fd);
		c->dead = true;
		free(c->out);
		c->out = NULL;
		c->out_len = c->out_cap = 0;
		return;
	}
	if (c->out_len + n > c->out_cap) {
		size_t cap = c->out_cap ? c->out_cap : 4096;
		char *p;

		while (cap < c->out_len + n)
			cap *= 2;
		p = realloc(c->out, cap);
		if (!p) {
			c->dead = true;
			return;
		}
		c->out = p;
		c->out_cap = cap;
	}
	memcpy(c->out + c->out_len, s, n);
	c->out_len += n;
}

/* Write what the socket takes now; under ctl.lock. */
static void client_flush(struct client *c)
{
	while (c->fd >= 0 && c->out_len) {
		ssize_t n = send(c->fd, c->out, c->out_len,
				 MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				client_close(c);
			return;
		}
		memmove(c->out, c->out + n, c->out_len - n);
		c->out_len -= n;
	}
}

static void reply(struct client *c, char *line)
{
	if (!line)
		line = qmp_error_reply(QMP_ERR_GENERIC, "out of memory");
	pthread_mutex_lock(&ctl.lock);
	if (line)
		client_queue(c, line, strlen(line));
	pthread_mutex_unlock(&ctl.lock);
	free(line);
}

/* Handle the complete lines in c->in. */
static void client_lines(struct client *c)
{
	size_t start = 0, i;

	for (i = 0; i < c->in_len; i++) {
		if (c->in[i] != '\n')
			continue;
		if (c->discarding) {
			c->discarding = false;	/* end of the long line */
		} else {
			size_t len = i - start;

			/* blank lines are ignored, like QMP */
			while (len && (c->in[start + len - 1] == '\r' ||
				       c->in[start + len - 1] == ' '))
				len--;
			if (len)
				reply(c, qmp_dispatch(ctl.ops, ctl.opaque,
						      c->in + start, len));
		}
		start = i + 1;
		if (c->dead)
			return;
	}
	memmove(c->in, c->in + start, c->in_len - start);
	c->in_len -= start;
	if (c->in_len > QMP_LINE_MAX) {
		/* no newline in QMP_LINE_MAX bytes: refuse this line */
		if (!c->discarding)
			reply(c, qmp_error_reply(QMP_ERR_GENERIC,
				"request too long (the limit is 65536 bytes per line)"));
		c->discarding = true;
		c->in_len = 0;
	}
}

static void client_read(struct client *c)
{
	ssize_t n = recv(c->fd, c->in + c->in_len,
			 sizeof(c->in) - c->in_len, MSG_DONTWAIT);

	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		pthread_mutex_lock(&ctl.lock);
		client_close(c);
		pthread_mutex_unlock(&ctl.lock);
		return;
	}
	if (n < 0)
		return;
	c->in_len += n;
	client_lines(c);
}

static void accept_client(void)
{
	int fd = accept4(ctl.listen_fd, NULL, NULL,
			 SOCK_NONBLOCK | SOCK_CLOEXEC);
	unsigned int i;

	if (fd < 0)
		return;
	pthread_mutex_lock(&ctl.lock);
	for (i = 0; i < CONTROL_MAX_CLIENTS; i++) {
		if (ctl.clients[i].fd < 0) {
			ctl.clients[i].fd = fd;
			pthread_mutex_unlock(&ctl.lock);
			pr_debug("control: client %d connected", fd);
			return;
		}
	}
	pthread_mutex_unlock(&ctl.lock);
	{
		char *line = qmp_error_reply(QMP_ERR_GENERIC, "too many clients");

		if (line)
			send(fd, line, strlen(line), MSG_DONTWAIT | MSG_NOSIGNAL);
		free(line);
	}
	close(fd);
}

/* The last words: flush queued output for a bounded time. */
static void final_flush(void)
{
	struct pollfd pfd[CONTROL_MAX_CLIENTS];
	int waited = 0;

	for (;;) {
		unsigned int i, n = 0;

		pthread_mutex_lock(&ctl.lock);
		for (i = 0; i < CONTROL_MAX_CLIENTS; i++) {
			if (ctl.clients[i].dead)
				client_close(&ctl.clients[i]);
			client_flush(&ctl.clients[i]);
			if (ctl.clients[i].fd >= 0 && ctl.clients[i].out_len) {
				pfd[n].fd = ctl.clients[i].fd;
				pfd[n++].events = POLLOUT;
			}
		}
		pthread_mutex_unlock(&ctl.lock);
		if (!n || waited >= FLUSH_TIMEOUT_MS)
			return;
		poll(pfd, n, 50);
		waited += 50;
	}
}

static void *control_thread(void *arg)
{
	struct pollfd pfd[CONTROL_MAX_CLIENTS + 2];
	struct client *who[CONTROL_MAX_CLIENTS + 2];

	(void)arg;
	for (;;) {
		unsigned int i, n = 0;
		bool closing;

		pthread_mutex_lock(&ctl.lock);
		closing = ctl.closing;
		pfd[n].fd = ctl.wake[0];
		pfd[n].events = POLLIN;
		who[n++] = NULL;
		pfd[n].fd = ctl.listen_fd;
		pfd[n].events = POLLIN;
		who[n++] = NULL;
		for (i = 0; i < CONTROL_MAX_CLIENTS; i++) {
			struct client *c = &ctl.clients[i];

			if (c->dead)
				client_close(c);
			client_flush(c);
			if (c->fd < 0)
				continue;
			pfd[n].fd = c->fd;
			/* a client with output waiting is not read until
			 * it takes it: back-pressure, bounded by OUT_MAX */
			pfd[n].events = c->out_len ? POLLOUT : POLLIN;
			who[n++] = c;
		}
		pthread_mutex_unlock(&ctl.lock);
		if (closing)
			break;
		if (poll(pfd, n, -1) < 0)
			continue;
		if (pfd[0].revents & POLLIN) {
			char buf[64];

			while (read(ctl.wake[0], buf, sizeof(buf)) > 0)
				;
		}
		if (pfd[1].revents & POLLIN)
			accept_client();
		for (i = 2; i < n; i++) {
			if (who[i]->fd != pfd[i].fd)
				continue;	/* closed meanwhile */
			if (pfd[i].revents & (POLLIN | POLLHUP | POLLERR)) {
				if (pfd[i].events & POLLIN)
					client_read(who[i]);
				else if (pfd[i].revents & (POLLHUP | POLLERR)) {
					pthread_mutex_lock(&ctl.lock);
					client_close(who[i]);
					pthread_mutex_unlock(&ctl.lock);
				}
			}
		}
	}
	final_flush();
	return NULL;
}

static void wake_thread(void)
{
	char b = 1;
	ssize_t r = write(ctl.wake[1], &b, 1);

	(void)r;	/* a full pipe already wakes it */
}

int control_start(const char *path, const struct qmp_ops *ops, void *opaque)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct stat st;
	mode_t old;
	unsigned int i;
	int fd, ret;

	if (strlen(path) >= sizeof(addr.sun_path)) {
		pr_err("--control: path too long (at most %zu bytes)",
		       sizeof(addr.sun_path) - 1);
		return -ENAMETOOLONG;
	}
	if (!lstat(path, &st)) {
		if (!S_ISSOCK(st.st_mode)) {
			pr_err("--control: %s exists and is not a socket", path);
			return -EEXIST;
		}
		unlink(path);	/* stale, from a launcher that died */
	}
	strcpy(addr.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		ret = -errno;
		pr_err("--control: socket: %s", strerror(errno));
		return ret;
	}
	/* 0600 from the start: no window where others could connect */
	old = umask(077);
	ret = bind(fd, (struct sockaddr *)&addr, sizeof(addr));
	umask(old);
	if (!ret)
		ret = chmod(path, 0600);	/* rw for the owner is all it needs */
	if (ret || listen(fd, 8)) {
		ret = -errno;
		pr_err("--control: cannot listen on %s: %s", path,
		       strerror(errno));
		close(fd);
		return ret;
	}
	if (pipe2(ctl.wake, O_NONBLOCK | O_CLOEXEC)) {
		ret = -errno;
		close(fd);
		unlink(path);
		return ret;
	}
	ctl.listen_fd = fd;
	snprintf(ctl.path, sizeof(ctl.path), "%s", path);
	ctl.ops = ops;
	ctl.opaque = opaque;
	ctl.closing = false;
	for (i = 0; i < CONTROL_MAX_CLIENTS; i++)
		ctl.clients[i].fd = -1;
	ret = thread_create(&ctl.thread, THREAD_MAIN, 0, "control",
			    control_thread, NULL);
	if (ret) {
		pr_err("--control: cannot create the thread: %s", strerror(ret));
		close(fd);
		close(ctl.wake[0]);
		close(ctl.wake[1]);
		unlink(path);
		ctl.listen_fd = -1;
		return -ret;
	}
	ctl.running = true;
	pr_debug("control socket on %s", path);
	return 0;
}

void control_event(const char *name, json_object *data)
{
	struct timeval tv;
	unsigned int i;
	char *line;

	if (!__atomic_load_n(&ctl.running, __ATOMIC_SEQ_CST)) {
		json_object_put(data);
		return;
	}
	gettimeofday(&tv, NULL);
	line = qmp_event_line(name, data, tv.tv_sec, tv.tv_usec);
	if (!line)
		return;
	pthread_mutex_lock(&ctl.lock);
	for (i = 0; i < CONTROL_MAX_CLIENTS; i++)
		client_queue(&ctl.clients[i], line, strlen(line));
	pthread_mutex_unlock(&ctl.lock);
	free(line);
	wake_thread();
}

void control_stop(void)
{
	unsigned int i;

	if (!ctl.running)
		return;
	pthread_mutex_lock(&ctl.lock);
	ctl.closing = true;
	pthread_mutex_unlock(&ctl.lock);
	wake_thread();
	pthread_join(ctl.thread, NULL);
	__atomic_store_n(&ctl.running, false, __ATOMIC_SEQ_CST);
	for (i = 0; i < CONTROL_MAX_CLIENTS; i++)
		client_close(&ctl.clients[i]);
	close(ctl.listen_fd);
	close(ctl.wake[0]);
	close(ctl.wake[1]);
	ctl.listen_fd = -1;
	unlink(ctl.path);
}
