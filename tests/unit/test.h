/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minimal unit-test helpers. Each test binary ends with
 * "N passed, N failed" and exits non-zero on any failure.
 */
#ifndef NYX_UNIT_TEST_H
#define NYX_UNIT_TEST_H

#include <stdio.h>
#include <string.h>

static int test_passed, test_failed;

#define CHECK(cond) do {						\
	if (cond) {							\
		test_passed++;						\
	} else {							\
		test_failed++;						\
		fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__,	\
			#cond);						\
	}								\
} while (0)

#define CHECK_EQ(a, b) do {						\
	unsigned long long _a = (unsigned long long)(a);		\
	unsigned long long _b = (unsigned long long)(b);		\
	if (_a == _b) {							\
		test_passed++;						\
	} else {							\
		test_failed++;						\
		fprintf(stderr, "FAIL %s:%d: %s == %s (0x%llx != 0x%llx)\n",\
			__FILE__, __LINE__, #a, #b, _a, _b);		\
	}								\
} while (0)

static inline int test_summary(const char *name)
{
	printf("%s: %d passed, %d failed\n", name, test_passed, test_failed);
	return test_failed ? 1 : 0;
}

#endif
