# Unit tests of the direct kernel boot: loaders, firmware tables and the PC
# platform devices (userspace/arch/x86, userspace/hw). No /dev/nyx needed.
BOOT_TESTS := launcher_kernel launcher_tables launcher_i8042 launcher_rtc \
	launcher_fw_cfg launcher_acpi_pm launcher_irq
TESTS += $(BOOT_TESTS)

# What every loader test links: layout, e820, image reader, the loaders.
BOOT_LOADER_SRCS := userspace/arch/x86/boot.c userspace/arch/x86/bzimage.c \
	userspace/arch/x86/e820.c userspace/arch/x86/elf.c \
	userspace/arch/x86/kernel.c userspace/arch/x86/layout.c \
	userspace/arch/x86/multiboot.c userspace/arch/x86/pvh.c \
	userspace/core/image.c userspace/core/vm.c userspace/core/util.c
BOOT_TABLE_SRCS := userspace/arch/x86/acpi.c userspace/arch/x86/aml.c \
	userspace/arch/x86/fw.c userspace/arch/x86/mptable.c

launcher_kernel_SRCS := tests/unit/test_launcher_kernel.c \
	$(BOOT_LOADER_SRCS) $(BOOT_TABLE_SRCS) userspace/arch/x86/pc.c
launcher_tables_SRCS := tests/unit/test_launcher_tables.c \
	$(BOOT_TABLE_SRCS) userspace/arch/x86/e820.c userspace/core/vm.c \
	userspace/core/util.c
launcher_i8042_SRCS := tests/unit/test_launcher_i8042.c \
	userspace/hw/i8042.c userspace/core/bus.c userspace/core/irq.c \
	userspace/core/machine.c userspace/core/stop.c userspace/core/util.c
launcher_rtc_SRCS := tests/unit/test_launcher_rtc.c userspace/hw/rtc.c \
	userspace/core/affinity.c \
	userspace/core/bus.c userspace/core/clock.c userspace/core/irq.c \
	userspace/core/util.c
launcher_fw_cfg_SRCS := tests/unit/test_launcher_fw_cfg.c \
	userspace/hw/fw_cfg.c userspace/core/bus.c userspace/core/util.c
launcher_acpi_pm_SRCS := tests/unit/test_launcher_acpi_pm.c \
	userspace/hw/acpi_pm.c userspace/hw/post.c userspace/core/bus.c \
	userspace/core/clock.c userspace/core/irq.c userspace/core/machine.c \
	userspace/core/stop.c userspace/core/util.c
launcher_irq_SRCS := tests/unit/test_launcher_irq.c userspace/hw/serial.c \
	userspace/core/bus.c userspace/core/irq.c userspace/core/util.c

# The generic rule only tracks the listed sources: also rebuild on header
# changes.
$(addprefix $(OUT)/,$(BOOT_TESTS)): \
	$(wildcard $(TOP)/userspace/*/*.h $(TOP)/userspace/*/*/*.h)
