// SPDX-License-Identifier: GPL-2.0
/*
 * tcpbench: both ends of the network benchmark (tests/vm/bench.sh part
 * net; the guest /init's nyx.netbench=...), measuring TCP throughput as
 * iperf3 does: the data comes from and goes to memory, one process, 128
 * KiB reads and writes. busybox's "nc | wc -c" spends much of an emulated
 * CPU on two processes, the pipe between them and their context switches
 * (the profile in Documentation/performance.md), which measures the
 * userland more than the network path.
 *
 * Guest end (connects):
 *   tcpbench send ADDR PORT BYTES   write BYTES of zeros, end the stream,
 *                                   wait for the peer's close; prints
 *                                   "sent BYTES seconds S"
 *   tcpbench recv ADDR PORT RUN     read until the peer ends the stream;
 *                                   prints "GUEST NETBENCH h2g run=RUN
 *                                   first byte" at the first byte, then
 *                                   "GUEST NETBENCH h2g run=RUN bytes=N
 *                                   seconds=S MiBps=R" timed from it
 * Test VM end (accepts one connection on PORT, any address):
 *   tcpbench sink PORT              read until the end of the stream;
 *                                   prints "T0 T1 BYTES", T0 at the first
 *                                   byte and T1 at the end, seconds since
 *                                   boot (the clock of /proc/uptime)
 *   tcpbench source PORT BYTES      write BYTES of zeros, end the stream,
 *                                   wait for the peer's close
 *
 * ADDR is an IPv4 address. Exit status 0 on success, 1 on a network
 * error or an empty stream, 2 on bad arguments.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BUF_SIZE (128 * 1024)	/* iperf3's default TCP block */

static char buf[BUF_SIZE];

static double now(void)
{
	struct timespec ts;

	/* CLOCK_BOOTTIME: what /proc/uptime counts, so shell stamps compare */
	clock_gettime(CLOCK_BOOTTIME, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void usage(void)
{
	fprintf(stderr, "usage: tcpbench send ADDR PORT BYTES\n"
			"       tcpbench recv ADDR PORT RUN\n"
			"       tcpbench sink PORT\n"
			"       tcpbench source PORT BYTES\n");
	exit(2);
}

static unsigned long long parse_num(const char *s, const char *what,
				    unsigned long long max)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (*s < '0' || *s > '9' || *end != '\0' || errno || !v || v > max) {
		fprintf(stderr, "tcpbench: bad %s '%s'\n", what, s);
		exit(2);
	}
	return v;
}

static void __attribute__((noreturn)) net_error(const char *what)
{
	fprintf(stderr, "tcpbench: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int connect_to(const char *addr, const char *port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int fd;

	sa.sin_port = htons(parse_num(port, "port", 65535));
	if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1) {
		fprintf(stderr, "tcpbench: bad IPv4 address '%s'\n", addr);
		exit(2);
	}
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		net_error("socket");
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
		net_error("connect");
	return fd;
}

static int accept_one(const char *port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int one = 1, lfd, fd;

	sa.sin_port = htons(parse_num(port, "port", 65535));
	sa.sin_addr.s_addr = htonl(INADDR_ANY);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (lfd < 0)
		net_error("socket");
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(lfd, (struct sockaddr *)&sa, sizeof(sa)))
		net_error("bind");
	if (listen(lfd, 1))
		net_error("listen");
	do
		fd = accept(lfd, NULL, NULL);
	while (fd < 0 && errno == EINTR);
	if (fd < 0)
		net_error("accept");
	close(lfd);
	return fd;
}

/* Write BYTES of zeros, end the stream, wait until the peer closes. */
static void send_all(int fd, unsigned long long bytes)
{
	while (bytes) {
		size_t n = bytes < BUF_SIZE ? bytes : BUF_SIZE;
		ssize_t r = write(fd, buf, n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			net_error("write");
		bytes -= r;
	}
	/*
	 * Closing at once could reset the connection while the peer still
	 * has data for us; after its close it has read everything.
	 */
	shutdown(fd, SHUT_WR);
	while (read(fd, buf, BUF_SIZE) > 0)
		;
	close(fd);
}

/*
 * Read until the end of the stream; *t0 is when the first byte came
 * (after first_byte(arg) ran), *t1 the end. Returns the byte count.
 */
static unsigned long long recv_all(int fd, double *t0, double *t1,
				   void (*first_byte)(const char *),
				   const char *arg)
{
	unsigned long long bytes = 0;

	*t0 = *t1 = 0;
	for (;;) {
		ssize_t r = read(fd, buf, BUF_SIZE);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			net_error("read");
		if (r == 0)
			break;
		if (!bytes) {
			*t0 = now();
			if (first_byte)
				first_byte(arg);
		}
		bytes += r;
	}
	*t1 = now();
	close(fd);
	return bytes;
}

static void h2g_first_byte(const char *run)
{
	/* the host times the transfer from this line on its own clock */
	printf("GUEST NETBENCH h2g run=%s first byte\n", run);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	unsigned long long bytes;
	double t0, t1;

	if (argc < 3)
		usage();
	if (argc == 5 && !strcmp(argv[1], "send")) {
		bytes = parse_num(argv[4], "byte count", ~0ull);
		t0 = now();
		send_all(connect_to(argv[2], argv[3]), bytes);
		printf("sent %llu seconds %.3f\n", bytes, now() - t0);
		return 0;
	}
	if (argc == 5 && !strcmp(argv[1], "recv")) {
		bytes = recv_all(connect_to(argv[2], argv[3]), &t0, &t1,
				 h2g_first_byte, argv[4]);
		printf("GUEST NETBENCH h2g run=%s bytes=%llu seconds=%.3f MiBps=",
		       argv[4], bytes, t1 - t0);
		if (bytes && t1 > t0)
			printf("%.1f\n", bytes / 1048576.0 / (t1 - t0));
		else
			printf("n/a\n");
		return bytes ? 0 : 1;
	}
	if (argc == 3 && !strcmp(argv[1], "sink")) {
		bytes = recv_all(accept_one(argv[2]), &t0, &t1, NULL, NULL);
		printf("%.2f %.2f %llu\n", t0, t1, bytes);
		return bytes ? 0 : 1;
	}
	if (argc == 4 && !strcmp(argv[1], "source")) {
		bytes = parse_num(argv[3], "byte count", ~0ull);
		send_all(accept_one(argv[2]), bytes);
		return 0;
	}
	usage();
	return 2;
}
