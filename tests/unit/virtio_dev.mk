# Unit tests of the virtio PCI transport and virtio-blk (userspace/virtio):
# register semantics, request parsing, requests against a raw image in a
# fake guest RAM.
VIRTIO_DEV_TESTS := launcher_virtio
TESTS += $(VIRTIO_DEV_TESTS)

launcher_virtio_SRCS := tests/unit/test_launcher_virtio.c \
	userspace/virtio/pci.c userspace/virtio/blk.c \
	lib/virtio/virtqueue.c userspace/core/eventfd.c \
	userspace/pci/config.c userspace/pci/msi.c userspace/pci/msix.c \
	userspace/pci/pci.c userspace/core/bus.c userspace/core/irq.c \
	userspace/block/aio.c userspace/block/blockdev.c \
	userspace/block/qcow2.c userspace/block/qcow2_meta.c \
	userspace/block/raw.c userspace/block/spec.c userspace/core/util.c

$(OUT)/launcher_virtio: LDFLAGS += -luring -lz
$(addprefix $(OUT)/,$(VIRTIO_DEV_TESTS)): \
	$(wildcard $(TOP)/userspace/*/*.h $(TOP)/lib/virtio/*.h)

