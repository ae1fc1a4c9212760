// SPDX-License-Identifier: GPL-2.0
/*
 * nyx ctl SOCKET COMMAND [KEY=VALUE...]: one control-socket request,
 * the reply pretty-printed (Documentation/control.rst).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <json-c/json.h>

#include "core/clock.h"
#include "core/qmp.h"
#include "core/util.h"
#include "ctl.h"

#define CTL_MAX_RAW	16

struct reader {
	int fd;
	char buf[QMP_LINE_MAX + 2];
	size_t len;
	u64 deadline_ns;		/* clock_monotonic_ns() */
};

/* Next line (NUL-terminated, without "\n") into line; 0, or -1 on EOF,
 * timeout or error. */
static int read_line(struct reader *r, char *line, size_t size)
{
	for (;;) {
		char *nl = memchr(r->buf, '\n', r->len);
		struct pollfd p = { .fd = r->fd, .events = POLLIN };
		long long left;
		ssize_t n;

		if (nl) {
			size_t len = nl - r->buf;

			if (len >= size)
				len = size - 1;
			memcpy(line, r->buf, len);
			line[len] = '\0';
			r->len -= nl + 1 - r->buf;
			memmove(r->buf, nl + 1, r->len);
			return 0;
		}
		if (r->len == sizeof(r->buf))
			return -1;	/* the server never sends such lines */
		left = ((long long)r->deadline_ns -
			(long long)clock_monotonic_ns()) / 1000000;
		if (left <= 0)
			return -1;
		if (poll(&p, 1, left) <= 0)
			continue;
		n = read(r->fd, r->buf + r->len, sizeof(r->buf) - r->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		r->len += n;
	}
}

static int connect_to(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(addr.sun_path)) {
		pr_err("socket path too long");
		return -1;
	}
	strcpy(addr.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr))) {
		pr_err("cannot connect to %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* KEY=VALUE: integers and true/false keep their JSON type; KEY:=JSON
 * takes any JSON value. */
static json_object *arg_value(const char *arg, char **key)
{
	const char *eq = strchr(arg, '=');
	json_object *v;
	u64 num;

	if (!eq || eq == arg)
		return NULL;
	if (eq[-1] == ':') {
		*key = strndup(arg, eq - 1 - arg);
		return json_tokener_parse(eq + 1);
	}
	*key = strndup(arg, eq - arg);
	eq++;
	if (!strcmp(eq, "true") || !strcmp(eq, "false"))
		v = json_object_new_boolean(!strcmp(eq, "true"));
	else if (!parse_u64(eq, &num) && num <= INT64_MAX)
		v = json_object_new_int64((int64_t)num);
	else
		v = json_object_new_string(eq);
	return v;
}

static void ctl_usage(FILE *out)
{
	fprintf(out,
"usage: nyx ctl [--timeout SEC] SOCKET COMMAND [KEY=VALUE | KEY:=JSON ...]\n"
"       nyx ctl [--timeout SEC] SOCKET --raw LINE [--raw LINE ...]\n"
"       nyx ctl [--timeout SEC] SOCKET --wait-event NAME\n"
"\n"
"Send COMMAND to the control socket of a running \"nyx run --control SOCKET\"\n"
"and print the reply. Commands: query-status, pause, resume, quit,\n"
"system-powerdown, system-reset, query-cpus, query-stats, set-log-level\n"
"level=LEVEL [component=NAME], query-commands (Documentation/control.rst).\n"
"VALUE is sent as an integer or boolean when it looks like one.\n"
"  --raw LINE        send LINE as it is and print each reply line (tests)\n"
"  --wait-event NAME print events until NAME arrives\n"
"  --timeout SEC     give up waiting after SEC seconds (default 10)\n"
"Exit status: 0 success, 1 the VM replied with an error (or the event\n"
"did not come), 2 usage or connection error.\n");
}

static int send_all(int fd, const char *s, size_t len)
{
	if (write_all(fd, s, len)) {
		pr_err("send: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static bool is_event(json_object *o)
{
	return o && json_object_is_type(o, json_type_object) &&
	       json_object_object_get_ex(o, "event", NULL);
}

int cmd_ctl(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "raw", required_argument, NULL, 'r' },
		{ "wait-event", required_argument, NULL, 'w' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *raw[CTL_MAX_RAW], *wait_event = NULL, *sock;
	static struct reader rd;
	static char line[QMP_LINE_MAX + 2];
	unsigned int nraw = 0, i;
	u64 timeout = 10;
	int opt, fd, ret = 0;

	optind = 0;
	opterr = 0;
	/* options may come before or after SOCKET: no "+" here */
	while ((opt = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (opt) {
		case 'r':
			if (nraw == CTL_MAX_RAW) {
				pr_err("at most %d --raw", CTL_MAX_RAW);
				return NYX_EXIT_SETUP;
			}
			raw[nraw++] = optarg;
			break;
		case 'w':
			wait_event = optarg;
			break;
		case 't':
			if (parse_u64(optarg, &timeout) || !timeout ||
			    timeout > 86400) {
				pr_err("--timeout: '%s' is not a number of seconds in 1..86400",
				       optarg);
				return NYX_EXIT_SETUP;
			}
			break;
		case 'h':
			ctl_usage(stdout);
			return 0;
		case ':':
			pr_err("option '%s' needs an argument", argv[optind - 1]);
			return NYX_EXIT_SETUP;
		default:
			pr_err("unknown option '%s' (see nyx ctl --help)",
			       argv[optind - 1]);
			return NYX_EXIT_SETUP;
		}
	}
	if (optind >= argc) {
		ctl_usage(stderr);
		return NYX_EXIT_SETUP;
	}
	sock = argv[optind++];
	if (!nraw && !wait_event && optind >= argc) {
		pr_err("no command (see nyx ctl --help)");
		return NYX_EXIT_SETUP;
	}
	if ((nraw || wait_event) && optind < argc) {
		pr_err("a COMMAND cannot go with --raw or --wait-event");
		return NYX_EXIT_SETUP;
	}

	fd = connect_to(sock);
	if (fd < 0)
		return NYX_EXIT_SETUP;
	rd.fd = fd;
	rd.len = 0;
	rd.deadline_ns = clock_monotonic_ns() + timeout * NSEC_PER_SEC;

	if (wait_event) {
		for (;;) {
			json_object *o, *name;

			if (read_line(&rd, line, sizeof(line))) {
				pr_err("no %s event", wait_event);
				ret = 1;
				break;
			}
			printf("%s\n", line);
			fflush(stdout);
			o = json_tokener_parse(line);
			if (is_event(o) && json_object_object_get_ex(o, "event", &name) &&
			    !strcmp(json_object_get_string(name), wait_event)) {
				json_object_put(o);
				break;
			}
			json_object_put(o);
		}
		close(fd);
		return ret;
	}

	if (nraw) {
		/* every line gets exactly one reply; events are printed too */
		for (i = 0; i < nraw; i++) {
			if (send_all(fd, raw[i], strlen(raw[i])) ||
			    send_all(fd, "\n", 1)) {
				close(fd);
				return NYX_EXIT_SETUP;
			}
		}
		for (i = 0; i < nraw;) {
			json_object *o;

			if (read_line(&rd, line, sizeof(line))) {
				pr_err("%u of %u replies missing", nraw - i, nraw);
				ret = 1;
				break;
			}
			printf("%s\n", line);
			o = json_tokener_parse(line);
			if (!is_event(o))
				i++;
			json_object_put(o);
		}
		close(fd);
		return ret;
	}

	{
		json_object *req = json_object_new_object(), *args = NULL;
		const char *s;

		json_object_object_add(req, "execute",
				       json_object_new_string(argv[optind++]));
		for (; optind < argc; optind++) {
			char *key = NULL;
			json_object *v = arg_value(argv[optind], &key);

			if (!v || !key) {
				pr_err("'%s' is not KEY=VALUE or KEY:=JSON",
				       argv[optind]);
				free(key);
				json_object_put(req);
				close(fd);
				return NYX_EXIT_SETUP;
			}
			if (!args)
				args = json_object_new_object();
			json_object_object_add(args, key, v);
			free(key);
		}
		if (args)
			json_object_object_add(req, "arguments", args);
		s = json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN);
		if (send_all(fd, s, strlen(s)) || send_all(fd, "\n", 1)) {
			json_object_put(req);
			close(fd);
			return NYX_EXIT_SETUP;
		}
		json_object_put(req);
	}
	for (;;) {
		json_object *o, *v, *cls, *desc;

		if (read_line(&rd, line, sizeof(line))) {
			pr_err("no reply");
			ret = 1;
			break;
		}
		o = json_tokener_parse(line);
		if (!o) {
			pr_err("unreadable reply: %.200s", line);
			ret = 1;
			break;
		}
		if (is_event(o)) {
			json_object_put(o);
			continue;
		}
		if (json_object_object_get_ex(o, "return", &v)) {
			printf("%s\n", json_object_to_json_string_ext(v,
				JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED));
		} else if (json_object_object_get_ex(o, "error", &v) &&
			   json_object_object_get_ex(v, "class", &cls) &&
			   json_object_object_get_ex(v, "desc", &desc)) {
			fprintf(stderr, "error: %s: %s\n",
				json_object_get_string(cls),
				json_object_get_string(desc));
			ret = 1;
		} else {
			pr_err("unexpected reply: %.200s", line);
			ret = 1;
		}
		json_object_put(o);
		break;
	}
	close(fd);
	return ret;
}

/* ---------------------------------------------------------------------
 * A client for other commands (nyx stat SOCKET): see ctl.h.
 */
struct ctl_conn {
	struct reader rd;
	char line[QMP_LINE_MAX + 2];
};

struct ctl_conn *ctl_connect(const char *path)
{
	struct ctl_conn *c;
	int fd = connect_to(path);

	if (fd < 0)
		return NULL;
	c = malloc(sizeof(*c));
	if (!c) {
		pr_err("out of memory");
		close(fd);
		return NULL;
	}
	c->rd.fd = fd;
	c->rd.len = 0;
	return c;
}

json_object *ctl_query(struct ctl_conn *c, const char *cmd, int timeout_ms)
{
	char req[128];
	int n;

	n = snprintf(req, sizeof(req), "{\"execute\": \"%s\"}\n", cmd);
	if (n < 0 || (size_t)n >= sizeof(req))
		return NULL;
	/* MSG_NOSIGNAL: a VM that went away is an error here, not SIGPIPE */
	if (send(c->rd.fd, req, n, MSG_NOSIGNAL) != n) {
		pr_err("%s: cannot send: %s", cmd, strerror(errno));
		return NULL;
	}
	c->rd.deadline_ns = clock_monotonic_ns() + timeout_ms * 1000000ull;
	for (;;) {
		json_object *o, *v, *desc;

		if (read_line(&c->rd, c->line, sizeof(c->line))) {
			pr_err("%s: no reply (the VM exited?)", cmd);
			return NULL;
		}
		o = json_tokener_parse(c->line);
		if (!o) {
			pr_err("%s: unreadable reply: %.200s", cmd, c->line);
			return NULL;
		}
		if (is_event(o)) {
			json_object_put(o);
			continue;
		}
		if (json_object_object_get_ex(o, "return", &v)) {
			json_object_get(v);
			json_object_put(o);
			return v;
		}
		if (json_object_object_get_ex(o, "error", &v) &&
		    json_object_object_get_ex(v, "desc", &desc))
			pr_err("%s: %s", cmd, json_object_get_string(desc));
		else
			pr_err("%s: unexpected reply: %.200s", cmd, c->line);
		json_object_put(o);
		return NULL;
	}
}

void ctl_disconnect(struct ctl_conn *c)
{
	if (!c)
		return;
	close(c->rd.fd);
	free(c);
}
