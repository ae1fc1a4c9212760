# Binary stats: the snapshot builder and top-N table (lib/stats, also in
# nyx.ko) against the launcher's parser, table and nyx stat report.
TESTS += test_stats
test_stats_SRCS := tests/unit/test_stats.c lib/stats/stats.c \
	userspace/core/stats.c userspace/core/statview.c userspace/core/clock.c \
	userspace/core/util.c
$(OUT)/test_stats: $(wildcard $(TOP)/lib/stats/*.h $(TOP)/userspace/core/stat*.h)
