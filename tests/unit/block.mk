# Block layer (userspace/block): raw and qcow2 images, the I/O engine,
# --disk parsing. block needs qemu-img and qemu-io (qemu-utils).
BLOCK_TESTS := block block_meta block_spec
TESTS += $(BLOCK_TESTS)

BLOCK_SRCS := userspace/block/aio.c userspace/block/blockdev.c \
	userspace/block/qcow2.c userspace/block/qcow2_meta.c \
	userspace/block/raw.c userspace/block/spec.c userspace/core/util.c \
	userspace/core/affinity.c
block_SRCS := tests/unit/test_block.c $(BLOCK_SRCS)
block_meta_SRCS := tests/unit/test_block_meta.c userspace/block/qcow2_meta.c
block_spec_SRCS := tests/unit/test_block_spec.c userspace/block/spec.c \
	userspace/core/util.c

$(OUT)/block: LDFLAGS += -luring -lz
$(addprefix $(OUT)/,$(BLOCK_TESTS)): $(wildcard $(TOP)/userspace/block/*.h)
