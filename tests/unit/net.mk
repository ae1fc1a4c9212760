# Unit tests of the network backend's pure parts (userspace/net): --nic
# parsing, the offload mapping. The tap itself is tested in the nested VM
# (tests/vm-tools/taptest.c).
TESTS += launcher_nic
launcher_nic_SRCS := tests/unit/test_launcher_nic.c userspace/net/nic.c \
	userspace/core/affinity.c userspace/core/options.c userspace/block/spec.c userspace/arch/x86/boot.c \
	userspace/core/vm.c userspace/core/util.c
# core/options.c parses --nic with net/nic.c (launcher.mk is included
# before this file).
launcher_options_SRCS += userspace/net/nic.c

$(OUT)/launcher_nic: $(wildcard $(TOP)/userspace/*/*.h)

# The network benchmark's two ends (tests/bench/tcpbench.c) over loopback.
TESTS += tcpbench
tcpbench_SRCS := tests/unit/test_tcpbench.c
$(OUT)/tcpbench: $(TOP)/tests/bench/tcpbench.c
