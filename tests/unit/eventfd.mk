# The launcher's ioeventfd/irqfd helpers (userspace/core/eventfd.c): the
# argument checks and the fallback without /dev/nyx.
TESTS += launcher_eventfd
launcher_eventfd_SRCS := tests/unit/test_launcher_eventfd.c \
	userspace/core/eventfd.c userspace/core/irq.c userspace/core/util.c
$(OUT)/launcher_eventfd: $(TOP)/userspace/core/eventfd.h \
	$(TOP)/userspace/core/irq.h $(TOP)/include/uapi/nyx.h
