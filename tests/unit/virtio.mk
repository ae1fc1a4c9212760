# Unit tests of the virtqueue library (lib/virtio).
TESTS += test_virtqueue
test_virtqueue_SRCS := tests/unit/test_virtqueue.c lib/virtio/virtqueue.c

# The generic rule only depends on lib/x86 and lib/include headers.
$(OUT)/test_virtqueue: $(wildcard $(TOP)/lib/virtio/*.h)
