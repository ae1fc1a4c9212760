# Unit tests of the virtio devices' snapshot state (save/load of the
# transport, virtio-blk and virtio-net): round trips into a fresh device
# and every refusal of a bad record.
TESTS += launcher_vstate
launcher_vstate_SRCS := tests/unit/test_launcher_vstate.c \
	userspace/virtio/pci.c userspace/virtio/blk.c \
	lib/virtio/virtqueue.c userspace/core/eventfd.c \
	userspace/pci/config.c userspace/pci/msi.c userspace/pci/msix.c \
	userspace/pci/pci.c userspace/core/bus.c userspace/core/irq.c \
	userspace/block/aio.c userspace/block/blockdev.c \
	userspace/block/qcow2.c userspace/block/qcow2_meta.c \
	userspace/block/raw.c userspace/block/spec.c userspace/core/util.c

$(OUT)/launcher_vstate: LDFLAGS += -luring -lz
$(OUT)/launcher_vstate: $(wildcard $(TOP)/userspace/*/*.h $(TOP)/lib/virtio/*.h)
