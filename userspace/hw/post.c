// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include "core/bus.h"
#include "hw/post.h"

void post_init(struct post *p)
{
	memset(p, 0, sizeof(*p));
}

void post_io_read(void *opaque, u64 offset, void *data, u32 len)
{
	struct post *p = opaque;

	(void)offset;
	memset(data, 0xff, len);
	*(u8 *)data = __atomic_load_n(&p->st.code, __ATOMIC_RELAXED);
}

void post_io_write(void *opaque, u64 offset, const void *data, u32 len)
{
	struct post *p = opaque;
	u8 code = *(const u8 *)data, old;

	(void)offset;
	(void)len;
	old = __atomic_exchange_n(&p->st.code, code, __ATOMIC_RELAXED);
	/* I/O delays rewrite the same value: log changes only. */
	if (code != old)
		pr_debug("POST code 0x%02x", code);
}

static const struct io_ops post_ops = {
	.read = post_io_read,
	.write = post_io_write,
};

int post_register(struct post *p)
{
	return register_pio(POST_PORT, 1, &post_ops, p);
}

void post_save(struct post *p, struct post_state *st)
{
	st->code = __atomic_load_n(&p->st.code, __ATOMIC_RELAXED);
}

void post_load(struct post *p, const struct post_state *st)
{
	__atomic_store_n(&p->st.code, st->code, __ATOMIC_RELAXED);
}
