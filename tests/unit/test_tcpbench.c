// SPDX-License-Identifier: GPL-2.0
/*
 * tcpbench (tests/bench/tcpbench.c, the network benchmark's two ends)
 * over loopback: every byte arrives and is counted, the lines bench.sh
 * and the guest /init parse have their format, bad arguments are refused.
 * Each invocation runs its main() in a child process (it exits on errors).
 */
#define main tcpbench_main
#include "../bench/tcpbench.c"
#undef main

#include <netinet/in.h>
#include <signal.h>
#include <sys/wait.h>

#include "test.h"

/* A free loopback port (bound, read back, released). */
static unsigned int free_port(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    getsockname(fd, (struct sockaddr *)&sa, &len)) {
		perror("free_port");
		exit(1);
	}
	close(fd);
	return ntohs(sa.sin_port);
}

struct child {
	pid_t pid;
	int out;	/* its stdout and stderr */
};

static struct child start(char **argv)
{
	struct child c;
	int p[2], argc = 0;

	while (argv[argc])
		argc++;
	if (pipe(p)) {
		perror("pipe");
		exit(1);
	}
	c.pid = fork();
	if (c.pid < 0) {
		perror("fork");
		exit(1);
	}
	if (!c.pid) {
		dup2(p[1], 1);
		dup2(p[1], 2);
		close(p[0]);
		close(p[1]);
		exit(tcpbench_main(argc, argv));
	}
	close(p[1]);
	c.out = p[0];
	return c;
}

/* Wait for the child: its exit status, its output into out. */
static int finish(struct child c, char *out, size_t size)
{
	size_t n = 0;
	ssize_t r;
	int st;

	while (n + 1 < size && (r = read(c.out, out + n, size - 1 - n)) > 0)
		n += r;
	out[n] = '\0';
	close(c.out);
	waitpid(c.pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static int run(char **argv, char *out, size_t size)
{
	return finish(start(argv), out, size);
}

/*
 * A connecting end against a listening one started just before: retried
 * while the listener is not there yet (connection refused, status 1).
 */
static int run_client(char **argv, char *out, size_t size)
{
	int i, rc = 1;

	for (i = 0; i < 200 && rc == 1 && strstr(out, "connect"); i++) {
		usleep(10000);
		rc = run(argv, out, size);
	}
	return rc;
}

static void test_sink_send(void)
{
	char port[16], out[512], sout[512];
	char *sink[] = { "tcpbench", "sink", port, NULL };
	char *send[] = { "tcpbench", "send", "127.0.0.1", port, "1048579", NULL };
	double t0, t1;
	unsigned long long n = 0;
	struct child s;

	snprintf(port, sizeof(port), "%u", free_port());
	s = start(sink);
	strcpy(out, "connect");
	CHECK_EQ(run_client(send, out, sizeof(out)), 0);
	CHECK(!strncmp(out, "sent 1048579 seconds ", 21));
	CHECK_EQ(finish(s, sout, sizeof(sout)), 0);
	/* "T0 T1 BYTES" on the /proc/uptime clock, as net_stamp printed */
	CHECK_EQ(sscanf(sout, "%lf %lf %llu", &t0, &t1, &n), 3);
	CHECK_EQ(n, 1048579);
	CHECK(t0 > 0 && t1 >= t0);
}

static void test_source_recv(void)
{
	char port[16], out[512], sout[512];
	char *source[] = { "tcpbench", "source", port, "300001", NULL };
	char *recv[] = { "tcpbench", "recv", "127.0.0.1", port, "7", NULL };
	struct child s;

	snprintf(port, sizeof(port), "%u", free_port());
	s = start(source);
	strcpy(out, "connect");
	CHECK_EQ(run_client(recv, out, sizeof(out)), 0);
	/* the line the host times from, then the result bench.sh parses */
	CHECK(!strncmp(out, "GUEST NETBENCH h2g run=7 first byte\n"
			    "GUEST NETBENCH h2g run=7 bytes=300001 seconds=", 82));
	CHECK(strstr(out, " MiBps=") != NULL);
	CHECK_EQ(finish(s, sout, sizeof(sout)), 0);
	CHECK_EQ(sout[0], '\0');
}

/* Nobody listening: status 1; a peer that sends nothing: status 1. */
static void test_network_errors(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	char port[16], out[512], sout[512];
	char *recv[] = { "tcpbench", "recv", "127.0.0.1", port, "1", NULL };
	char *sink[] = { "tcpbench", "sink", port, NULL };
	struct child s;
	int i, fd = -1;

	snprintf(port, sizeof(port), "%u", free_port());
	CHECK_EQ(run(recv, out, sizeof(out)), 1);
	CHECK(strstr(out, "tcpbench: connect: ") != NULL);

	/* connect and close at once: an empty stream */
	s = start(sink);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons(atoi(port));
	for (i = 0; i < 200; i++) {
		fd = socket(AF_INET, SOCK_STREAM, 0);
		if (!connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
			break;
		close(fd);
		fd = -1;
		usleep(10000);
	}
	CHECK(fd >= 0);
	close(fd);
	CHECK_EQ(finish(s, sout, sizeof(sout)), 1);
	CHECK(strstr(sout, " 0\n") != NULL);
}

static void test_bad_arguments(void)
{
	char *bad[][6] = {
		{ "tcpbench", NULL },
		{ "tcpbench", "sink", NULL },
		{ "tcpbench", "sink", "0", NULL },
		{ "tcpbench", "sink", "65536", NULL },
		{ "tcpbench", "sink", "12x", NULL },
		{ "tcpbench", "send", "1.2.3", "5", "5", NULL },
		{ "tcpbench", "send", "127.0.0.1", "5", "0", NULL },
		{ "tcpbench", "send", "127.0.0.1", "5", "-1", NULL },
		{ "tcpbench", "source", "5", "+1", NULL },
		{ "tcpbench", "recv", "127.0.0.1", "5", NULL },
		{ "tcpbench", "listen", "5", NULL },
	};
	char out[512];
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_EQ(run(bad[i], out, sizeof(out)), 2);
		CHECK(strstr(out, "tcpbench: bad") || strstr(out, "usage:"));
	}
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	test_sink_send();
	test_source_recv();
	test_network_errors();
	test_bad_arguments();
	return test_summary("tcpbench");
}
