// SPDX-License-Identifier: GPL-2.0
/* fw_cfg: selector/data ports, the standard items, the file directory. */
#include <errno.h>

#include "core/bus.h"
#include "hw/fw_cfg.h"
#include "test.h"

static struct fw_cfg f;

static void select_key(u16 key)
{
	u8 b[2];

	store_le(b, key, 2);
	CHECK(bus_access(&pio_bus, FW_CFG_PORT_SEL, b, 2, true));
}

static void read_data(void *buf, u32 len)
{
	u8 *p = buf;
	u32 i;

	/* one byte at a time, as "rep insb" arrives */
	for (i = 0; i < len; i++)
		CHECK(bus_access(&pio_bus, FW_CFG_PORT_DATA, p + i, 1, false));
}

static u64 read_le(u16 key, unsigned int len)
{
	u8 buf[8];

	select_key(key);
	read_data(buf, len);
	return load_le(buf, len);
}

static u64 be(const u8 *p, unsigned int len)
{
	u64 v = 0;

	while (len--)
		v = (v << 8) | *p++;
	return v;
}

int main(void)
{
	static const char blob[] = "0123456789abcdef";
	u8 buf[256], big[5000];
	struct fw_cfg_state st;
	int key, i;

	fw_cfg_init(&f);
	CHECK_EQ(fw_cfg_register(&f), 0);
	CHECK_EQ(fw_cfg_add_machine(&f, 5 * SZ_1G, 4, 64), 0);

	select_key(FW_CFG_SIGNATURE);
	read_data(buf, 6);
	CHECK(!memcmp(buf, "QEMU\0\0", 6));	/* zeros past the end */
	CHECK_EQ(read_le(FW_CFG_ID, 4), 1);	/* traditional, no DMA */
	CHECK_EQ(read_le(FW_CFG_RAM_SIZE, 8), 5 * SZ_1G);
	CHECK_EQ(read_le(FW_CFG_NB_CPUS, 2), 4);
	CHECK_EQ(read_le(FW_CFG_MAX_CPUS, 2), 64);
	CHECK_EQ(read_le(FW_CFG_FILE_DIR, 4), 0);	/* empty directory */
	/* re-selecting restarts at offset 0 */
	CHECK_EQ(read_le(FW_CFG_SIGNATURE, 4), 0x554d4551);
	/* unknown and arch-local keys read as zeros */
	CHECK_EQ(read_le(0x1234, 4), 0);
	CHECK_EQ(read_le(0x8003, 4), 0);
	/* the selector is write-only; writes to the data port are ignored */
	CHECK(bus_access(&pio_bus, FW_CFG_PORT_SEL, buf, 1, false));
	CHECK_EQ(buf[0], 0xff);
	buf[0] = 0x42;
	select_key(FW_CFG_SIGNATURE);
	CHECK(bus_access(&pio_bus, FW_CFG_PORT_DATA, buf, 1, true));
	CHECK_EQ(read_le(FW_CFG_SIGNATURE, 1), 'Q');
	/* an 8-bit selector write works too */
	buf[0] = FW_CFG_ID;
	CHECK(bus_access(&pio_bus, FW_CFG_PORT_SEL, buf, 1, true));
	read_data(buf, 1);
	CHECK_EQ(buf[0], 1);
	CHECK(!bus_access(&pio_bus, 0x512, buf, 1, false));

	/* files */
	for (i = 0; i < (int)sizeof(big); i++)
		big[i] = i * 3;
	key = fw_cfg_add_file(&f, "etc/nyx-test", blob, 16);
	CHECK_EQ(key, 0x20);
	CHECK_EQ(fw_cfg_add_file(&f, "opt/big", big, sizeof(big)), 0x21);
	select_key(FW_CFG_FILE_DIR);
	read_data(buf, 4 + 2 * 64);
	CHECK_EQ(be(buf, 4), 2);
	CHECK_EQ(be(buf + 4, 4), 16);
	CHECK_EQ(be(buf + 8, 2), 0x20);
	CHECK_EQ(be(buf + 10, 2), 0);
	CHECK(!strcmp((char *)buf + 12, "etc/nyx-test"));
	CHECK_EQ(buf[12 + 55], 0);
	CHECK_EQ(be(buf + 68, 4), sizeof(big));
	CHECK_EQ(be(buf + 72, 2), 0x21);
	CHECK(!strcmp((char *)buf + 76, "opt/big"));
	select_key(0x20);
	read_data(buf, 17);
	CHECK(!memcmp(buf, blob, 16));
	CHECK_EQ(buf[16], 0);
	{
		static u8 got[5000];

		select_key(0x21);
		read_data(got, sizeof(got));
		CHECK(!memcmp(got, big, sizeof(big)));
	}
	/* bad names, a full directory */
	CHECK_EQ(fw_cfg_add_file(&f, "", blob, 1), -EINVAL);
	memset(buf, 'x', 60);
	buf[60] = 0;
	CHECK_EQ(fw_cfg_add_file(&f, (char *)buf, blob, 1), -EINVAL);
	for (i = 2; i < FW_CFG_MAX_FILES; i++)
		CHECK_EQ(fw_cfg_add_file(&f, "f", blob, 1), 0x20 + i);
	CHECK_EQ(fw_cfg_add_file(&f, "f", blob, 1), -E2BIG);
	CHECK_EQ(read_le(FW_CFG_FILE_DIR, 4), 0x20000000);	/* 32, BE */
	CHECK_EQ(fw_cfg_add_bytes(&f, FW_CFG_MAX_KEY, blob, 1), -EINVAL);
	CHECK_EQ(fw_cfg_add_le(&f, 0x10, 1, 9), -EINVAL);

	/* save/load: position in the current item */
	select_key(0x20);
	read_data(buf, 3);
	fw_cfg_save(&f, &st);
	CHECK_EQ(st.selector, 0x20);
	CHECK_EQ(st.offset, 3);
	select_key(0);
	fw_cfg_load(&f, &st);
	read_data(buf, 1);
	CHECK_EQ(buf[0], '3');
	fw_cfg_destroy(&f);
	return test_summary("launcher_fw_cfg");
}
