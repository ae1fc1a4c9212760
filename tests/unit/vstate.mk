# Unit tests of the virtio devices' snapshot state (save/load of the
# transport, virtio-blk and virtio-net): round trips into a fresh device
# and every refusal of a bad record.
TESTS += launcher_vstate
launcher_vstate_SRCS = tests/unit/test_launcher_vstate.c \
	$(VIRTIO_BLK_TEST_SRCS)

$(OUT)/launcher_vstate: LDFLAGS += -luring -lz
$(OUT)/launcher_vstate: $(wildcard $(TOP)/userspace/*/*.h $(TOP)/lib/virtio/*.h)
