# The GDB remote protocol stub (userspace/core/gdbstub.c): packet layer,
# registers, dispatcher against a fake target.
TESTS += launcher_gdbstub
launcher_gdbstub_SRCS := tests/unit/test_launcher_gdbstub.c \
	userspace/core/gdbstub.c userspace/core/util.c
$(OUT)/launcher_gdbstub: $(TOP)/userspace/core/gdbstub.h
