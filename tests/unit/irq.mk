# Unit tests of the interrupt controllers and timers (lib/irq).
TESTS += test_i8259 test_ioapic test_lapic test_pit
test_i8259_SRCS := tests/unit/test_i8259.c lib/irq/i8259.c
test_ioapic_SRCS := tests/unit/test_ioapic.c lib/irq/ioapic.c
test_lapic_SRCS := tests/unit/test_lapic.c lib/irq/lapic.c \
	lib/irq/ioapic.c lib/irq/i8259.c lib/irq/pit.c
test_pit_SRCS := tests/unit/test_pit.c lib/irq/pit.c

# The generic rule only depends on lib/x86 and lib/include headers.
$(addprefix $(OUT)/,test_i8259 test_ioapic test_lapic test_pit): \
	$(wildcard $(TOP)/lib/irq/*.h)
