// SPDX-License-Identifier: GPL-2.0
/*
 * randread DEV SECONDS: 4 KiB random reads with O_DIRECT, one at a time
 * (queue depth 1), for SECONDS; prints "reads N seconds S iops I". The
 * guest /init's block benchmark (nyx.blkbench=...) runs it: busybox has
 * no way to issue single direct reads without a fork per read.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <linux/fs.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	unsigned long long size, blocks, n = 0, x = 88172645463325252ull;
	double t0, t, secs;
	void *buf;
	int fd;

	if (argc != 3 || (secs = atof(argv[2])) <= 0) {
		fprintf(stderr, "usage: randread DEV SECONDS\n");
		return 2;
	}
	fd = open(argv[1], O_RDONLY | O_DIRECT);
	if (fd >= 0 && ioctl(fd, BLKGETSIZE64, &size)) {
		struct stat st;	/* a plain file (trying it on the host) */

		size = fstat(fd, &st) ? 0 : (unsigned long long)st.st_size;
	}
	if (fd < 0 || size < 4096) {
		perror(argv[1]);
		return 1;
	}
	if (posix_memalign(&buf, 4096, 4096))
		return 1;
	blocks = size / 4096;
	t0 = now();
	do {
		/* xorshift64: cheap, and the same sequence on every run */
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		if (pread(fd, buf, 4096, (off_t)(x % blocks) * 4096) != 4096) {
			perror("pread");
			return 1;
		}
		n++;
		t = now() - t0;
	} while (t < secs);
	printf("reads %llu seconds %.2f iops %.0f\n", n, t, n / t);
	return 0;
}
