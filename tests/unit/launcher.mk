# Unit tests of the launcher's pure parts (userspace/), no /dev/nyx needed.
LAUNCHER_TESTS := launcher_bus launcher_options launcher_serial \
	launcher_testdev launcher_debug_exit launcher_cpuid launcher_boot \
	launcher_vcpu launcher_affinity
TESTS += $(LAUNCHER_TESTS)

launcher_affinity_SRCS := tests/unit/test_launcher_affinity.c \
	userspace/core/affinity.c userspace/core/util.c
launcher_bus_SRCS := tests/unit/test_launcher_bus.c \
	userspace/core/bus.c userspace/core/util.c
launcher_options_SRCS := tests/unit/test_launcher_options.c \
	userspace/core/affinity.c userspace/core/options.c userspace/block/spec.c userspace/arch/x86/boot.c \
	userspace/core/vm.c userspace/core/util.c
launcher_serial_SRCS := tests/unit/test_launcher_serial.c \
	userspace/hw/serial.c userspace/core/term.c userspace/core/bus.c \
	userspace/core/irq.c userspace/core/stop.c userspace/core/util.c \
	userspace/core/affinity.c
launcher_testdev_SRCS := tests/unit/test_launcher_testdev.c \
	userspace/hw/testdev.c userspace/core/bus.c userspace/core/irq.c \
	userspace/core/util.c
launcher_debug_exit_SRCS := tests/unit/test_launcher_debug_exit.c \
	userspace/hw/debug_exit.c userspace/core/bus.c \
	userspace/core/stop.c userspace/core/util.c
launcher_cpuid_SRCS := tests/unit/test_launcher_cpuid.c \
	userspace/arch/x86/cpuid.c userspace/core/util.c
launcher_boot_SRCS := tests/unit/test_launcher_boot.c \
	userspace/arch/x86/boot.c userspace/core/vm.c userspace/core/util.c
launcher_vcpu_SRCS := tests/unit/test_launcher_vcpu.c \
	userspace/core/vcpu.c userspace/core/affinity.c userspace/hw/testdev.c \
	userspace/core/bus.c userspace/core/irq.c userspace/core/stop.c userspace/core/util.c

# The generic rule only tracks the listed sources: also rebuild on header
# changes.
$(addprefix $(OUT)/,$(LAUNCHER_TESTS)): \
	$(wildcard $(TOP)/userspace/*/*.h $(TOP)/userspace/*/*/*.h)
