# Device statistics and "nyx stat SOCKET" (userspace/core/statsock.c):
# the latency histogram (lib/stats/hist.h), rates and hints from two fake
# query-stats replies, the JSON and text output.
TESTS += launcher_statsock
launcher_statsock_SRCS := tests/unit/test_launcher_statsock.c \
	userspace/core/statsock.c userspace/core/statview.c \
	userspace/core/stats.c userspace/core/clock.c userspace/core/util.c
$(OUT)/launcher_statsock: LDFLAGS += -ljson-c
$(OUT)/launcher_statsock: $(wildcard $(TOP)/userspace/core/stat*.h \
	$(TOP)/lib/stats/*.h)
