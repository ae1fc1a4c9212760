# Unit tests of virtio-net (userspace/virtio/net.c): transmit, receive
# (plain and mergeable buffers), drops, bad chains, against a fake guest
# RAM with a datagram socketpair standing in for the tap.
TESTS += launcher_vnet
launcher_vnet_SRCS := tests/unit/test_launcher_vnet.c \
	userspace/virtio/net.c userspace/virtio/pci.c userspace/net/tap.c \
	userspace/net/nic.c lib/virtio/virtqueue.c userspace/core/eventfd.c \
	userspace/pci/config.c userspace/pci/msi.c userspace/pci/msix.c \
	userspace/pci/pci.c userspace/core/bus.c userspace/core/irq.c \
	userspace/core/util.c userspace/core/clock.c userspace/core/affinity.c

$(OUT)/launcher_vnet: CFLAGS += -I/usr/include/libnl3
$(OUT)/launcher_vnet: LDFLAGS += -lnl-route-3 -lnl-3
$(OUT)/launcher_vnet: $(wildcard $(TOP)/userspace/*/*.h $(TOP)/lib/virtio/*.h)
