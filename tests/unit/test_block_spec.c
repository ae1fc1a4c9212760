// SPDX-License-Identifier: GPL-2.0
/* --disk PATH[,key=value...] parsing. */
#include "block/spec.h"
#include "test.h"

static void test_ok(void)
{
	struct disk_spec s;

	CHECK_EQ(disk_spec_parse("disk.img", &s), 0);
	CHECK(!strcmp(s.path, "disk.img"));
	CHECK(!s.readonly);
	CHECK_EQ(s.format, DISK_FMT_AUTO);
	CHECK_EQ(s.cache, DISK_CACHE_WRITEBACK);
	CHECK(!strcmp(s.serial, ""));
	disk_spec_free(&s);

	CHECK_EQ(disk_spec_parse("a.qcow2,readonly,cache=none,format=qcow2,serial=ABC-12", &s), 0);
	CHECK(!strcmp(s.path, "a.qcow2"));
	CHECK(s.readonly);
	CHECK_EQ(s.format, DISK_FMT_QCOW2);
	CHECK_EQ(s.cache, DISK_CACHE_NONE);
	CHECK(!strcmp(s.serial, "ABC-12"));
	disk_spec_free(&s);

	CHECK_EQ(disk_spec_parse("path=x=y.img,readonly=off,format=raw,cache=writeback", &s), 0);
	CHECK(!strcmp(s.path, "x=y.img"));
	CHECK(!s.readonly);
	CHECK_EQ(s.format, DISK_FMT_RAW);
	disk_spec_free(&s);

	/* ",," is a comma in the file name, like QEMU. */
	CHECK_EQ(disk_spec_parse("a,,b.img,ro", &s), 0);
	CHECK(!strcmp(s.path, "a,b.img"));
	CHECK(s.readonly);
	disk_spec_free(&s);

	CHECK_EQ(disk_spec_parse("d.img,format=raw,format=auto", &s), 0);
	CHECK_EQ(s.format, DISK_FMT_AUTO);
	disk_spec_free(&s);

	CHECK_EQ(disk_spec_parse("d.img,serial=12345678901234567890", &s), 0);
	CHECK_EQ(strlen(s.serial), 20);
	disk_spec_free(&s);
}

static void test_bad(void)
{
	static const char *const bad[] = {
		"", ",readonly", "d.img,cache=unsafe", "d.img,format=vmdk",
		"d.img,serial=123456789012345678901", "d.img,bogus=1",
		"d.img,bogus", "d.img,readonly=maybe", "d.img,path=e.img",
		"path=", "d.img,serial=a\tb", "d.img,cache",
	};
	struct disk_spec s;

	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_EQ(disk_spec_parse(bad[i], &s), -1);
		CHECK(s.path == NULL);
	}
}

/* The checker both --disk and the config file's "disks" use. */
static void test_set(void)
{
	struct disk_spec s = { 0 };
	char err[128];

	CHECK_EQ(disk_spec_set(&s, "cache", "none", err, sizeof(err)), 0);
	CHECK_EQ(s.cache, DISK_CACHE_NONE);
	CHECK_EQ(disk_spec_set(&s, "cache", "writeback", err, sizeof(err)), 0);
	CHECK_EQ(s.cache, DISK_CACHE_WRITEBACK);
	CHECK_EQ(disk_spec_set(&s, "format", "qcow2", err, sizeof(err)), 0);
	CHECK_EQ(s.format, DISK_FMT_QCOW2);
	CHECK_EQ(disk_spec_set(&s, "format", "auto", err, sizeof(err)), 0);
	CHECK_EQ(s.format, DISK_FMT_AUTO);
	CHECK_EQ(disk_spec_set(&s, "serial", "S ~1", err, sizeof(err)), 0);
	CHECK(!strcmp(s.serial, "S ~1"));
	CHECK_EQ(disk_spec_set(&s, "serial", "", err, sizeof(err)), 0);
	CHECK(!strcmp(s.serial, ""));

	CHECK_EQ(disk_spec_set(&s, "cache", "unsafe", err, sizeof(err)), -1);
	CHECK(!strcmp(err, "'unsafe' is not none or writeback"));
	CHECK_EQ(disk_spec_set(&s, "format", "AUTO", err, sizeof(err)), -1);
	CHECK(!strcmp(err, "'AUTO' is not raw, qcow2 or auto"));
	CHECK_EQ(disk_spec_set(&s, "serial", "x\x7f", err, sizeof(err)), -1);
	CHECK(!strcmp(err, "must be printable ASCII (byte 0x7f at offset 1 is not)"));
	CHECK_EQ(disk_spec_set(&s, "serial", "\xc3\xa9", err, sizeof(err)), -1);
	CHECK(!strcmp(err, "must be printable ASCII (byte 0xc3 at offset 0 is not)"));
	CHECK_EQ(disk_spec_set(&s, "serial", "123456789012345678901", err,
			       sizeof(err)), -1);
	CHECK(!strcmp(err, "'123456789012345678901' is longer than 20 characters"));
	CHECK_EQ(disk_spec_set(&s, "path", "x", err, sizeof(err)), -1);
	CHECK(!strcmp(err, "unknown key (known: path, readonly, cache, format, serial)"));
	/* a failed check leaves the spec as it was */
	CHECK_EQ(s.cache, DISK_CACHE_WRITEBACK);
	CHECK_EQ(s.format, DISK_FMT_AUTO);
	CHECK(!strcmp(s.serial, ""));
	/* a short buffer truncates the message, never overflows */
	CHECK_EQ(disk_spec_set(&s, "cache", "unsafe", err, 8), -1);
	CHECK_EQ(strlen(err), 7);
}

int main(void)
{
	test_ok();
	test_bad();
	test_set();
	return test_summary("block_spec");
}
