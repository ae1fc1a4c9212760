// SPDX-License-Identifier: GPL-2.0
/*
 * The control socket: the request dispatcher against a fake VM, then the
 * real server on a UNIX socket (several clients, malformed and oversized
 * lines, events, a client that never reads).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "core/control.h"
#include "core/qmp.h"
#include "test.h"

/* ------------------------------------------------------------------
 * The fake VM: records calls, can be told to fail.
 */
struct fake {
	int paused, quits, powerdowns, resets;
	int fail;
	char comp[32], level[32];
	char reset_dev[32];
};

static int f_status(void *o, json_object *ret)
{
	struct fake *f = o;

	json_object_object_add(ret, "status",
			       json_object_new_string(f->paused ? "paused" : "running"));
	return 0;
}

static int f_pause(void *o, char *err, size_t len)
{
	struct fake *f = o;

	if (f->fail) {
		snprintf(err, len, "pause: vCPU 1 did not stop");
		return -ETIMEDOUT;
	}
	f->paused = 1;
	return 0;
}

static int f_resume(void *o, char *err, size_t len)
{
	struct fake *f = o;

	(void)err;
	(void)len;
	if (f->fail)
		return -EIO;	/* no message: the dispatcher makes one */
	f->paused = 0;
	return 0;
}

static int f_quit(void *o, char *e, size_t l)
{
	(void)e;
	(void)l;
	((struct fake *)o)->quits++;
	return 0;
}

static int f_powerdown(void *o, char *e, size_t l)
{
	(void)e;
	(void)l;
	((struct fake *)o)->powerdowns++;
	return 0;
}

static int f_reset(void *o, char *e, size_t l)
{
	(void)e;
	(void)l;
	((struct fake *)o)->resets++;
	return 0;
}

static int f_cpus(void *o, json_object *ret)
{
	int i;

	(void)o;
	for (i = 0; i < 2; i++) {
		json_object *c = json_object_new_object();

		json_object_object_add(c, "cpu-index", json_object_new_int(i));
		json_object_object_add(c, "rip", json_object_new_int(0x7c00 + i));
		json_object_array_add(ret, c);
	}
	return 0;
}

static int f_stats(void *o, json_object *ret)
{
	(void)o;
	json_object_object_add(ret, "exits", json_object_new_int(42));
	return 0;
}

static int f_log(void *o, const char *comp, const char *level, char *err,
		 size_t len)
{
	struct fake *f = o;

	if (!strcmp(level, "loud")) {
		snprintf(err, len, "unknown level 'loud'");
		return -EINVAL;
	}
	snprintf(f->comp, sizeof(f->comp), "%s", comp ? comp : "(none)");
	snprintf(f->level, sizeof(f->level), "%s", level);
	return 0;
}

static int f_devices(void *o, json_object *ret)
{
	json_object *d = json_object_new_object();

	(void)o;
	json_object_object_add(d, "device", json_object_new_string("virtio-blk 01.0"));
	json_object_object_add(d, "state", json_object_new_string("quarantined"));
	json_object_array_add(ret, d);
	return 0;
}

static int f_dev_reset(void *o, const char *dev, char *err, size_t len)
{
	struct fake *f = o;

	if (strcmp(dev, "virtio-blk 01.0")) {
		snprintf(err, len, "device-reset: no device '%s'", dev);
		return -ENODEV;
	}
	snprintf(f->reset_dev, sizeof(f->reset_dev), "%s", dev);
	return 0;
}

static const struct qmp_ops fake_ops = {
	.query_status = f_status, .pause = f_pause, .resume = f_resume,
	.quit = f_quit, .powerdown = f_powerdown, .reset = f_reset,
	.query_cpus = f_cpus, .query_stats = f_stats, .set_log_level = f_log,
	.query_devices = f_devices, .device_reset = f_dev_reset,
};

static struct fake fk;

/* Dispatch one line; the reply parsed (caller puts it). */
static json_object *ask(const char *line)
{
	char *r = qmp_dispatch(&fake_ops, &fk, line, strlen(line));
	size_t n = r ? strlen(r) : 0;
	json_object *o;

	CHECK(r && n && r[n - 1] == '\n' && !memchr(r, '\n', n - 1));
	o = r ? json_tokener_parse(r) : NULL;
	free(r);
	return o;
}

static const char *path_str(json_object *o, const char *a, const char *b)
{
	json_object *x, *y;

	if (!o || !json_object_object_get_ex(o, a, &x))
		return NULL;
	if (!b)
		return json_object_get_string(x);
	if (!json_object_object_get_ex(x, b, &y))
		return NULL;
	return json_object_get_string(y);
}

/* line must get an error of class cls whose desc contains want */
static void err_reply(const char *line, const char *cls, const char *want)
{
	json_object *o = ask(line);
	const char *c = path_str(o, "error", "class");
	const char *d = path_str(o, "error", "desc");

	if (c && d && !strcmp(c, cls) && strstr(d, want)) {
		test_passed++;
	} else {
		test_failed++;
		fprintf(stderr, "FAIL qmp '%.60s': got %s/%s, want %s/%s\n",
			line, c, d, cls, want);
	}
	json_object_put(o);
}

static void ok_reply(const char *line)
{
	json_object *o = ask(line);

	CHECK(o && json_object_object_get_ex(o, "return", NULL));
	json_object_put(o);
}

static void test_dispatch(void)
{
	json_object *o, *r;
	char *s;

	/* malformed input */
	err_reply("", QMP_ERR_GENERIC, "malformed JSON");
	err_reply("{", QMP_ERR_GENERIC, "malformed JSON");
	err_reply("{\"execute\": }", QMP_ERR_GENERIC, "malformed JSON");
	err_reply("nonsense", QMP_ERR_GENERIC, "malformed JSON");
	err_reply("{\"execute\": \"quit\"} {}", QMP_ERR_GENERIC, "trailing data");
	err_reply("[\"quit\"]", QMP_ERR_GENERIC, "a request is a JSON object");
	err_reply("42", QMP_ERR_GENERIC, "a request is a JSON object");
	err_reply("{}", QMP_ERR_GENERIC, "'execute' must be");
	err_reply("{\"execute\": 5}", QMP_ERR_GENERIC, "'execute' must be");
	err_reply("{\"execute\": \"quit\", \"arguments\": []}", QMP_ERR_GENERIC,
		  "'arguments' must be an object");
	err_reply("{\"execute\": \"quit\", \"extra\": 1}", QMP_ERR_GENERIC,
		  "unknown member 'extra'");
	err_reply("[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
		  QMP_ERR_GENERIC, "malformed JSON");	/* too deep */
	err_reply("{\"execute\": \"qu\\u0000it\"}", QMP_ERR_NOT_FOUND, "has not been found");
	/* unknown commands and arguments */
	err_reply("{\"execute\": \"snapshot\"}", QMP_ERR_NOT_FOUND,
		  "the command snapshot has not been found");
	err_reply("{\"execute\": \"quit\", \"arguments\": {\"now\": true}}",
		  QMP_ERR_GENERIC, "quit: unknown argument 'now'");
	err_reply("{\"execute\": \"set-log-level\"}", QMP_ERR_GENERIC,
		  "missing argument 'level'");
	err_reply("{\"execute\": \"set-log-level\", \"arguments\": {}}",
		  QMP_ERR_GENERIC, "missing argument 'level'");
	err_reply("{\"execute\": \"set-log-level\", \"arguments\": {\"level\": 3}}",
		  QMP_ERR_GENERIC, "argument 'level' must be a string");
	/* device-reset needs a device name, a string */
	err_reply("{\"execute\": \"device-reset\"}", QMP_ERR_GENERIC,
		  "missing argument 'device'");
	err_reply("{\"execute\": \"device-reset\", \"arguments\": {\"device\": 1}}",
		  QMP_ERR_GENERIC, "argument 'device' must be a string");
	err_reply("{\"execute\": \"device-reset\", \"arguments\": {\"device\": \"x\"}}",
		  QMP_ERR_GENERIC, "no device 'x'");
	CHECK_EQ(fk.reset_dev[0], 0);
	ok_reply("{\"execute\": \"device-reset\", \"arguments\": {\"device\": \"virtio-blk 01.0\"}}");
	CHECK(!strcmp(fk.reset_dev, "virtio-blk 01.0"));
	o = ask("{\"execute\": \"query-devices\"}");
	CHECK(o && json_object_object_get_ex(o, "return", &r) &&
	      json_object_is_type(r, json_type_array) &&
	      json_object_array_length(r) == 1);
	json_object_put(o);
	CHECK_EQ(fk.quits, 0);

	/* a line over the limit is refused unparsed */
	{
		char *big = malloc(QMP_LINE_MAX + 10);

		memset(big, ' ', QMP_LINE_MAX + 10);
		s = qmp_dispatch(&fake_ops, &fk, big, QMP_LINE_MAX + 1);
		free(big);
	}
	o = json_tokener_parse(s);
	CHECK(path_str(o, "error", "desc") &&
	      strstr(path_str(o, "error", "desc"), "too long"));
	json_object_put(o);
	free(s);

	/* commands reach the VM */
	o = ask("{\"execute\": \"query-status\"}");
	CHECK(!strcmp(path_str(o, "return", "status"), "running"));
	json_object_put(o);
	ok_reply("{\"execute\": \"pause\"}");
	CHECK_EQ(fk.paused, 1);
	o = ask("{\"execute\": \"query-status\", \"id\": {\"n\": 7}}\r");
	CHECK(!strcmp(path_str(o, "return", "status"), "paused"));
	CHECK(json_object_object_get_ex(o, "id", &r) &&
	      json_object_get_int(json_object_object_get(r, "n")) == 7);
	json_object_put(o);
	ok_reply("{\"execute\": \"resume\", \"arguments\": {}}");
	CHECK_EQ(fk.paused, 0);
	ok_reply("  {\"execute\": \"quit\"}  ");
	CHECK_EQ(fk.quits, 1);
	ok_reply("{\"execute\": \"system-powerdown\"}");
	CHECK_EQ(fk.powerdowns, 1);
	ok_reply("{\"execute\": \"system-reset\"}");
	CHECK_EQ(fk.resets, 1);
	o = ask("{\"execute\": \"query-cpus\"}");
	CHECK(json_object_object_get_ex(o, "return", &r) &&
	      json_object_is_type(r, json_type_array) &&
	      json_object_array_length(r) == 2);
	json_object_put(o);
	o = ask("{\"execute\": \"query-stats\"}");
	CHECK(!strcmp(path_str(o, "return", "exits"), "42"));
	json_object_put(o);
	ok_reply("{\"execute\": \"set-log-level\", \"arguments\": {\"level\": \"debug\", \"component\": \"virtio\"}}");
	CHECK(!strcmp(fk.comp, "virtio") && !strcmp(fk.level, "debug"));
	ok_reply("{\"execute\": \"set-log-level\", \"arguments\": {\"level\": \"warn\"}}");
	CHECK(!strcmp(fk.comp, "(none)"));
	err_reply("{\"execute\": \"set-log-level\", \"arguments\": {\"level\": \"loud\"}}",
		  QMP_ERR_GENERIC, "unknown level 'loud'");
	ok_reply("{\"execute\": \"qmp_capabilities\"}");
	o = ask("{\"execute\": \"query-commands\"}");
	CHECK(json_object_object_get_ex(o, "return", &r) &&
	      json_object_array_length(r) >= 11);
	json_object_put(o);

	/* a failing VM operation is an error reply, with or without text */
	fk.fail = 1;
	err_reply("{\"execute\": \"pause\"}", QMP_ERR_GENERIC, "vCPU 1 did not stop");
	err_reply("{\"execute\": \"resume\"}", QMP_ERR_GENERIC, "resume: Input/output error");
	fk.fail = 0;

	/* events */
	s = qmp_event_line("SHUTDOWN", NULL, 5, 6);
	o = json_tokener_parse(s);
	CHECK(!strcmp(path_str(o, "event", NULL), "SHUTDOWN"));
	CHECK(!strcmp(path_str(o, "timestamp", "microseconds"), "6"));
	CHECK(s[strlen(s) - 1] == '\n');
	json_object_put(o);
	free(s);
}

/* ------------------------------------------------------------------
 * The server
 */
static char sock_path[64];

static int client(void)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	strcpy(a.sun_path, sock_path);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* One line from fd within 5 s (byte by byte: tests only). */
static int get_line(int fd, char *buf, size_t size)
{
	size_t n = 0;

	while (n < size - 1) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		if (poll(&p, 1, 5000) <= 0 || read(fd, buf + n, 1) != 1)
			return -1;
		if (buf[n] == '\n')
			break;
		n++;
	}
	buf[n] = '\0';
	return 0;
}

static void send_str(int fd, const char *s)
{
	CHECK_EQ(write(fd, s, strlen(s)), (ssize_t)strlen(s));
}

static void test_server(void)
{
	char line[4096];
	struct stat st;
	int a, b, slow, i, fd;
	char *big;

	snprintf(sock_path, sizeof(sock_path), "/tmp/nyx-ctl-test-%d", getpid());
	/* something that is not a socket is never replaced */
	fd = open(sock_path, O_CREAT | O_WRONLY, 0600);
	close(fd);
	CHECK_EQ(control_start(sock_path, &fake_ops, &fk), -EEXIST);
	unlink(sock_path);
	CHECK_EQ(control_start(sock_path, &fake_ops, &fk), 0);
	CHECK(!stat(sock_path, &st) && S_ISSOCK(st.st_mode) &&
	      (st.st_mode & 0777) == 0600);

	a = client();
	b = client();
	slow = client();
	CHECK(a >= 0 && b >= 0 && slow >= 0);

	/* two clients, interleaved; a request split over two writes */
	send_str(a, "{\"execute\": \"query-st");
	send_str(b, "{\"execute\": \"pause\"}\n");
	CHECK_EQ(get_line(b, line, sizeof(line)), 0);
	CHECK(!strcmp(line, "{\"return\":{}}"));
	send_str(a, "atus\"}\n");
	CHECK_EQ(get_line(a, line, sizeof(line)), 0);
	CHECK(strstr(line, "\"paused\"") != NULL);

	/* malformed and unknown: error replies, the connection stays */
	send_str(a, "{{{\n\n{\"execute\": \"fly\"}\n");
	CHECK_EQ(get_line(a, line, sizeof(line)), 0);
	CHECK(strstr(line, "malformed JSON") != NULL);
	CHECK_EQ(get_line(a, line, sizeof(line)), 0);
	CHECK(strstr(line, "CommandNotFound") != NULL);

	/* oversized: one error for the whole line, then business as usual */
	big = malloc(3 * QMP_LINE_MAX);
	memset(big, 'x', 3 * QMP_LINE_MAX);
	for (i = 0; i < 3 * QMP_LINE_MAX;) {
		ssize_t n = write(b, big + i, 3 * QMP_LINE_MAX - i);

		if (n <= 0)
			break;
		i += n;
	}
	free(big);
	send_str(b, "\n{\"execute\": \"resume\"}\n");
	CHECK_EQ(get_line(b, line, sizeof(line)), 0);
	CHECK(strstr(line, "request too long") != NULL);
	CHECK_EQ(get_line(b, line, sizeof(line)), 0);
	CHECK(!strcmp(line, "{\"return\":{}}"));
	CHECK_EQ(fk.paused, 0);

	/* events reach every client */
	control_event("RESET", NULL);
	CHECK_EQ(get_line(a, line, sizeof(line)), 0);
	CHECK(strstr(line, "\"event\":\"RESET\"") != NULL);
	CHECK_EQ(get_line(b, line, sizeof(line)), 0);
	CHECK(strstr(line, "\"event\":\"RESET\"") != NULL);

	/* a client that never reads: events keep coming without blocking
	 * the caller, and the server drops it past CONTROL_OUT_MAX */
	for (i = 0; i < 2 * CONTROL_OUT_MAX / 64; i++) {
		json_object *d = json_object_new_object();

		json_object_object_add(d, "n", json_object_new_int(i));
		control_event("DEVICE_ERROR", d);
		if (i % 64 == 0) {	/* the live clients keep up */
			while (1) {
				struct pollfd p[2] = { { a, POLLIN, 0 }, { b, POLLIN, 0 } };
				char drain[65536];

				if (poll(p, 2, 0) <= 0)
					break;
				if (p[0].revents && read(a, drain, sizeof(drain)) <= 0)
					break;
				if (p[1].revents && read(b, drain, sizeof(drain)) <= 0)
					break;
			}
		}
	}
	usleep(100000);
	/* the slow client sees EOF after what was buffered in the socket */
	{
		char drain[65536];
		ssize_t n;
		int eof = 0;
		struct pollfd p = { .fd = slow, .events = POLLIN };

		while (poll(&p, 1, 2000) > 0) {
			n = read(slow, drain, sizeof(drain));
			if (n <= 0) {
				eof = 1;
				break;
			}
		}
		CHECK(eof);
	}
	/* the others still work */
	send_str(a, "{\"execute\": \"query-stats\", \"id\": 1}\n");
	for (i = 0; i < 100000; i++) {
		if (get_line(a, line, sizeof(line)))
			break;
		if (strstr(line, "\"id\":1"))
			break;
	}
	CHECK(strstr(line, "\"exits\":42") != NULL);

	/* quit's reply is flushed before the server goes */
	send_str(b, "{\"execute\": \"quit\"}\n");
	for (i = 0; i < 100000; i++) {
		if (get_line(b, line, sizeof(line)) || !strstr(line, "event"))
			break;
	}
	CHECK(!strcmp(line, "{\"return\":{}}"));
	control_event("SHUTDOWN", NULL);
	control_stop();
	CHECK(stat(sock_path, &st) && errno == ENOENT);
	/* b gets SHUTDOWN, then EOF */
	for (i = 0; i < 100000; i++) {
		if (get_line(b, line, sizeof(line)) || strstr(line, "SHUTDOWN"))
			break;
	}
	CHECK(strstr(line, "SHUTDOWN") != NULL);
	CHECK(get_line(b, line, sizeof(line)) < 0);
	close(a);
	close(b);
	close(slow);
	control_event("LATE", NULL);	/* no server: ignored */

	/* too many clients: the extra one gets an error and EOF */
	CHECK_EQ(control_start(sock_path, &fake_ops, &fk), 0);
	{
		int fds[CONTROL_MAX_CLIENTS + 1];

		for (i = 0; i <= CONTROL_MAX_CLIENTS; i++)
			fds[i] = client();
		/* make sure the first ones were accepted before the last */
		for (i = 0; i < CONTROL_MAX_CLIENTS; i++) {
			send_str(fds[i], "{\"execute\": \"query-status\"}\n");
			CHECK_EQ(get_line(fds[i], line, sizeof(line)), 0);
		}
		CHECK_EQ(get_line(fds[CONTROL_MAX_CLIENTS], line, sizeof(line)), 0);
		CHECK(strstr(line, "too many clients") != NULL);
		for (i = 0; i <= CONTROL_MAX_CLIENTS; i++)
			close(fds[i]);
	}
	control_stop();
}

int main(void)
{
	test_dispatch();
	test_server();
	return test_summary("launcher_qmp");
}
