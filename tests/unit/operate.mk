# Operate and observe (launcher): JSON config, control socket protocol and
# server, logger. json-c is linked only into the tests that need it.
CTL_TESTS := launcher_config launcher_qmp launcher_log launcher_watchdog
TESTS += $(CTL_TESTS)

CTL_OPTIONS_SRCS := userspace/core/affinity.c userspace/core/options.c userspace/core/config.c \
	userspace/block/spec.c userspace/arch/x86/boot.c userspace/core/vm.c \
	userspace/net/nic.c userspace/core/util.c
# options.c reads --config files: the options test needs the parser too
launcher_options_SRCS += userspace/core/config.c
launcher_nic_SRCS += userspace/core/config.c
launcher_config_SRCS := tests/unit/test_launcher_config.c $(CTL_OPTIONS_SRCS)
launcher_qmp_SRCS := tests/unit/test_launcher_qmp.c userspace/core/qmp.c \
	userspace/core/control.c userspace/core/util.c userspace/core/affinity.c
launcher_watchdog_SRCS := tests/unit/test_launcher_watchdog.c $(CTL_OPTIONS_SRCS)
launcher_log_SRCS := tests/unit/test_launcher_log.c userspace/core/log.c \
	userspace/core/clock.c \
	userspace/core/util.c

$(OUT)/launcher_config $(OUT)/launcher_qmp $(OUT)/launcher_options \
$(OUT)/launcher_nic $(OUT)/launcher_watchdog: LDFLAGS += -ljson-c
$(addprefix $(OUT)/,$(CTL_TESTS)): \
	$(wildcard $(TOP)/userspace/*/*.h)
