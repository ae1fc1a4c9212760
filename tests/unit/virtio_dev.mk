# Unit tests of the virtio PCI transport and virtio-blk (userspace/virtio):
# register semantics, request parsing, requests against a raw image in a
# fake guest RAM.
VIRTIO_DEV_TESTS := launcher_virtio
TESTS += $(VIRTIO_DEV_TESTS)

# What a virtio-blk test program links besides its test file (the
# transport, virtio-blk, the PCI bus, the block layer). vstate.mk uses it
# too, with a recursive "=" so the fragments' include order does not matter.
VIRTIO_BLK_TEST_SRCS = \
	userspace/virtio/pci.c userspace/virtio/blk.c userspace/core/clock.c \
	lib/virtio/virtqueue.c userspace/core/eventfd.c \
	userspace/pci/config.c userspace/pci/msi.c userspace/pci/msix.c \
	userspace/pci/pci.c userspace/core/bus.c userspace/core/irq.c \
	userspace/block/aio.c userspace/block/blockdev.c \
	userspace/block/qcow2.c userspace/block/qcow2_meta.c \
	userspace/block/raw.c userspace/block/spec.c userspace/core/util.c \
	userspace/core/affinity.c

launcher_virtio_SRCS := tests/unit/test_launcher_virtio.c \
	$(VIRTIO_BLK_TEST_SRCS)

$(OUT)/launcher_virtio: LDFLAGS += -luring -lz
$(addprefix $(OUT)/,$(VIRTIO_DEV_TESTS)): \
	$(wildcard $(TOP)/userspace/*/*.h $(TOP)/lib/virtio/*.h)

