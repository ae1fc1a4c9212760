// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the GDB remote protocol stub (userspace/core/gdbstub.c):
 * packet layer (checksums, escapes, run-length encoding, acks), register
 * marshalling, and the dispatcher against a fake two-vCPU target with
 * 64 KiB of "guest-virtual" memory.
 */
#include <stdlib.h>

#include "core/gdbstub.h"
#include "test.h"

#define FAKE_MEM	0x10000

static struct fake {
	struct gdb_regs regs[2];
	u8 mem[FAKE_MEM];
	unsigned int last_cpu;
} fk;

static int f_get_regs(void *o, unsigned int cpu, struct gdb_regs *r)
{
	(void)o;
	*r = fk.regs[cpu];
	return 0;
}

static int f_set_regs(void *o, unsigned int cpu, const struct gdb_regs *r)
{
	(void)o;
	fk.regs[cpu] = *r;
	return 0;
}

static int f_read(void *o, unsigned int cpu, u64 a, void *buf, size_t len)
{
	(void)o;
	fk.last_cpu = cpu;
	if (a >= FAKE_MEM || len > FAKE_MEM - a)
		return -1;
	memcpy(buf, fk.mem + a, len);
	return 0;
}

static int f_write(void *o, unsigned int cpu, u64 a, const void *buf,
		   size_t len)
{
	(void)o;
	fk.last_cpu = cpu;
	if (a >= FAKE_MEM || len > FAKE_MEM - a)
		return -1;
	memcpy(fk.mem + a, buf, len);
	return 0;
}

static const struct gdb_target_ops fake_ops = {
	.get_regs = f_get_regs, .set_regs = f_set_regs,
	.read_mem = f_read, .write_mem = f_write,
};

static struct gdb_stub s;
static char reply[8192];

/* Send "$cmd#cs" byte by byte; returns the action; reply[] gets the
 * payload of the last packet in the output (without ack/framing). */
static enum gdb_action cmd(const char *c)
{
	char framed[8192];
	size_t n = gdb_frame(c, strlen(c), framed, sizeof(framed)), i;
	enum gdb_action act = GDB_ACT_NONE;
	char *start, *end;

	gdb_out_clear(&s);
	reply[0] = 0;
	for (i = 0; i < n; i++)
		if (gdb_rx_byte(&s, framed[i]) == 1)
			act = gdb_handle_packet(&s);
	if (s.out_len >= sizeof(reply))
		return act;
	memcpy(framed, s.out, s.out_len);
	framed[s.out_len] = 0;
	start = strrchr(framed, '$');
	end = start ? strrchr(start, '#') : NULL;
	if (start && end) {
		*end = 0;
		strcpy(reply, start + 1);
	}
	return act;
}

static void test_packet_layer(void)
{
	char buf[64], data[64];
	size_t n;
	int i, r;

	/* qSupported's well-known checksum */
	CHECK_EQ(gdb_checksum("OK", 2), 0x9a);
	n = gdb_frame("OK", 2, buf, sizeof(buf));
	CHECK_EQ(n, 6);
	CHECK(!memcmp(buf, "$OK#9a", 6));
	/* '#', '$', '}' and '*' escaped as '}' + c ^ 0x20 */
	n = gdb_frame("a#b", 3, buf, sizeof(buf));
	CHECK(n == 8 && !memcmp(buf, "$a}\x03" "b#", 6));
	CHECK_EQ(gdb_frame("OK", 2, buf, 5), 0);	/* does not fit */

	/* decode: escape and run-length ("0* " = 4 zeros: ' ' is 32) */
	strcpy(data, "x}\x03y0* z");
	r = gdb_decode(data, strlen(data), sizeof(data));
	CHECK_EQ(r, 8);
	CHECK(!strcmp(data, "x#y0000z"));
	strcpy(data, "*a");
	CHECK_EQ(gdb_decode(data, 2, sizeof(data)), -1);	/* no previous */
	strcpy(data, "ab}");
	CHECK_EQ(gdb_decode(data, 3, sizeof(data)), -1);	/* dangling escape */

	/* receive: good packet acked, bad checksum nacked, Ctrl-C */
	gdb_stub_init(&s, &fake_ops, NULL, 2);
	r = 0;
	for (i = 0; i < 6; i++)
		r = gdb_rx_byte(&s, "$OK#9a"[i]);
	CHECK_EQ(r, 1);
	CHECK(s.out_len == 1 && s.out[0] == '+');
	CHECK(!strcmp(s.rx, "OK"));
	gdb_out_clear(&s);
	for (i = 0; i < 6; i++)
		r = gdb_rx_byte(&s, "$OK#9b"[i]);
	CHECK_EQ(r, 0);
	CHECK(s.out_len == 1 && s.out[0] == '-');
	CHECK_EQ(gdb_rx_byte(&s, 0x03), 2);
	/* an oversized packet is dropped, not overflowed */
	gdb_out_clear(&s);
	gdb_rx_byte(&s, '$');
	r = 0;
	for (i = 0; i < GDB_MAX_PACKET + 10; i++)
		r |= gdb_rx_byte(&s, 'a');
	CHECK_EQ(r, 0);
	CHECK_EQ(s.rx_state, GDB_RX_IDLE);
	gdb_stub_free(&s);

	{
		u8 b[3];

		CHECK_EQ(gdb_hex_decode("0aFf", 4, b), 0);
		CHECK(b[0] == 0x0a && b[1] == 0xff);
		CHECK_EQ(gdb_hex_decode("0g", 2, b), -1);
		CHECK_EQ(gdb_hex_decode("abc", 3, b), -1);
	}
}

static void test_regs(void)
{
	struct gdb_regs r, r2;
	char hex[2 * GDB_REGS_SIZE + 1];
	unsigned int i;

	CHECK_EQ(GDB_REGS_SIZE, 536);
	memset(&r, 0, sizeof(r));
	for (i = 0; i < GDB_NR_GPRS; i++)
		r.gpr[i] = 0x1111111111111111ull * (i + 1);
	r.rip = 0xffffffff81000000ull;
	r.eflags = 0x246;
	r.seg[0] = 0x10;
	r.mxcsr = 0x1f80;
	r.xmm[15][15] = 0xab;
	gdb_regs_encode(&r, hex);
	CHECK_EQ(strlen(hex), 2 * GDB_REGS_SIZE);
	/* rax little endian first, rip at byte 128, eflags at 136 */
	CHECK(!strncmp(hex, "1111111111111111", 16));
	CHECK(!strncmp(hex + 256, "00000081ffffffff", 16));
	CHECK(!strncmp(hex + 272, "46020000", 8));
	CHECK(!strncmp(hex + 280, "10000000", 8));
	CHECK(!strncmp(hex + 2 * 532, "801f0000", 8));
	memset(&r2, 0, sizeof(r2));
	CHECK_EQ(gdb_regs_decode(hex, strlen(hex), &r2), 0);
	CHECK(!memcmp(&r, &r2, sizeof(r)));
	/* a short G only changes what it covers */
	CHECK_EQ(gdb_regs_decode("ff", 2, &r2), 0);
	CHECK_EQ(r2.gpr[0], 0x11111111111111ffull);
	CHECK_EQ(r2.rip, r.rip);
	CHECK_EQ(gdb_regs_decode(hex, 3, &r2), -1);
}

static void test_dispatch(void)
{
	char buf[64];
	u64 dr[4], dr7;

	memset(&fk, 0, sizeof(fk));
	fk.regs[0].rip = 0x1000;
	fk.regs[1].rip = 0x2000;
	fk.regs[1].gpr[0] = 0x42;
	memcpy(fk.mem + 0x1000, "\x49\xff\xc4\x4c", 4);
	gdb_stub_init(&s, &fake_ops, NULL, 2);

	cmd("qSupported:multiprocess+;swbreak+");
	CHECK(strstr(reply, "PacketSize=1000") != NULL);
	CHECK(strstr(reply, "qXfer:features:read+") != NULL);
	cmd("qXfer:features:read:target.xml:0,ffb");
	CHECK(reply[0] == 'l' && strstr(reply, "i386:x86-64") != NULL);
	cmd("qXfer:features:read:target.xml:0,10");
	CHECK(reply[0] == 'm' && strlen(reply) == 17);
	cmd("?");
	CHECK(!strcmp(reply, "T05thread:1;"));
	cmd("qfThreadInfo");
	CHECK(!strcmp(reply, "m1,2"));
	cmd("qsThreadInfo");
	CHECK(!strcmp(reply, "l"));
	cmd("T2");
	CHECK(!strcmp(reply, "OK"));
	cmd("T3");
	CHECK(reply[0] == 'E');

	/* registers of thread 2 */
	cmd("Hg2");
	CHECK(!strcmp(reply, "OK"));
	cmd("p10");			/* rip */
	CHECK(!strcmp(reply, "0020000000000000"));
	cmd("g");
	CHECK(!strncmp(reply, "4200000000000000", 16));
	cmd("P0=efbeadde00000000");
	CHECK(!strcmp(reply, "OK"));
	CHECK_EQ(fk.regs[1].gpr[0], 0xdeadbeef);
	CHECK_EQ(fk.regs[0].gpr[0], 0);
	cmd("P0=12");			/* wrong size */
	CHECK(reply[0] == 'E');
	cmd("p99");
	CHECK(reply[0] == 'E');
	cmd("Hg9");
	CHECK(reply[0] == 'E');
	cmd("Hg1");

	/* memory */
	cmd("m1000,4");
	CHECK(!strcmp(reply, "49ffc44c"));
	cmd("M1004,2:abcd");
	CHECK(!strcmp(reply, "OK"));
	CHECK(fk.mem[0x1004] == 0xab && fk.mem[0x1005] == 0xcd);
	cmd("mffff,2");
	CHECK(!strcmp(reply, "E0e"));	/* EFAULT */
	cmd("M1004,2:abc");
	CHECK(reply[0] == 'E');
	cmd("m1000");
	CHECK(reply[0] == 'E');

	/* software breakpoint: INT3 in memory, hidden from m, restored */
	cmd("Z0,1000,1");
	CHECK(!strcmp(reply, "OK"));
	CHECK_EQ(fk.mem[0x1000], 0xcc);
	CHECK(gdb_has_sw_bp(&s));
	CHECK(gdb_is_sw_bp(&s, 0x1000));
	CHECK(!gdb_is_sw_bp(&s, 0x1001));
	cmd("m1000,2");
	CHECK(!strcmp(reply, "49ff"));
	cmd("z0,1000,1");
	CHECK(!strcmp(reply, "OK"));
	CHECK_EQ(fk.mem[0x1000], 0x49);
	CHECK(!gdb_has_sw_bp(&s));
	CHECK(!gdb_is_sw_bp(&s, 0x1000));
	cmd("z0,1000,1");
	CHECK(reply[0] == 'E');
	cmd("Z0,fffff,1");		/* unreadable */
	CHECK(reply[0] == 'E');

	/* hardware breakpoints and watchpoints -> DR0-3/DR7 */
	cmd("Z1,a00b,1");
	CHECK(!strcmp(reply, "OK"));
	cmd("Z2,20000,8");
	CHECK(!strcmp(reply, "OK"));
	cmd("Z4,30000,4");
	CHECK(!strcmp(reply, "OK"));
	cmd("Z2,20001,4");		/* misaligned */
	CHECK(reply[0] == 'E');
	cmd("Z3,40000,2");
	CHECK(!strcmp(reply, "OK"));
	cmd("Z3,50000,2");		/* a fifth: no slot */
	CHECK(reply[0] == 'E');
	CHECK(gdb_hw_debugregs(&s, dr, &dr7));
	CHECK_EQ(dr[0], 0xa00b);
	CHECK_EQ(dr[1], 0x20000);
	CHECK_EQ(dr[2], 0x30000);
	CHECK_EQ(dr[3], 0x40000);
	/* G0-3, GE; slot 0 exec len 1, 1 write len 8, 2 rw len 4,
	 * 3 rw len 2 */
	CHECK_EQ(dr7, 0xaa | 1u << 9 | 0x0u << 16 | 0x9u << 20 |
		      0xfu << 24 | 0x7u << 28);
	CHECK_EQ(gdb_hw_hit(&s, 0xffff0ff2), 1);
	CHECK_EQ(gdb_hw_hit(&s, 0xffff4ff0), -1);
	cmd("z2,20000,8");
	CHECK(!strcmp(reply, "OK"));
	CHECK_EQ(gdb_hw_hit(&s, 0xffff0ff2), -1);
	cmd("z1,a00b,1");
	cmd("z4,30000,4");
	cmd("z3,40000,2");
	CHECK(!gdb_hw_debugregs(&s, dr, &dr7));
	CHECK_EQ(dr7, 0);
	cmd("Z9,1000,1");
	CHECK(!strcmp(reply, ""));	/* unsupported type */

	/* resume: c, s, vCont */
	CHECK_EQ(cmd("c"), GDB_ACT_CONTINUE);
	CHECK_EQ(cmd("Hc2"), GDB_ACT_NONE);
	CHECK_EQ(cmd("s"), GDB_ACT_STEP);
	CHECK_EQ(s.step_cpu, 1);
	CHECK_EQ(cmd("c3000"), GDB_ACT_CONTINUE);
	CHECK_EQ(fk.regs[1].rip, 0x3000);
	cmd("vCont?");
	CHECK(!strcmp(reply, "vCont;c;C;s;S"));
	CHECK_EQ(cmd("vCont;s:1;c"), GDB_ACT_STEP);
	CHECK_EQ(s.step_cpu, 0);
	CHECK_EQ(cmd("vCont;c"), GDB_ACT_CONTINUE);
	CHECK_EQ(cmd("vCont;C05:2"), GDB_ACT_CONTINUE);
	CHECK_EQ(cmd("vCont;x"), GDB_ACT_NONE);
	CHECK(reply[0] == 'E');
	CHECK_EQ(cmd("vCont;s:7"), GDB_ACT_NONE);

	/* stop replies */
	gdb_out_clear(&s);
	gdb_stop_reply(&s, 1, 5, GDB_WP_WRITE, 0x20000);
	memcpy(buf, s.out, s.out_len < 63 ? s.out_len : 63);
	buf[s.out_len < 63 ? s.out_len : 63] = 0;
	CHECK(!strncmp(buf, "$T05thread:2;watch:20000;#", 26));
	CHECK_EQ(s.g_cpu, 1);

	cmd("qC");
	CHECK(!strcmp(reply, "QC2"));
	cmd("qThreadExtraInfo,2");
	CHECK(!strcmp(reply, "764350552031"));	/* "vCPU 1" */
	cmd("qUnknownThing");
	CHECK(!strcmp(reply, ""));
	cmd("QStartNoAckMode");
	CHECK(s.no_ack);
	gdb_out_clear(&s);
	{
		int i;

		for (i = 0; i < 6; i++)
			gdb_rx_byte(&s, "$OK#9a"[i]);
		CHECK_EQ(s.out_len, 0);	/* no '+' any more */
	}
	CHECK_EQ(cmd("D"), GDB_ACT_DETACH);
	CHECK_EQ(cmd("vKill;1"), GDB_ACT_KILL);
	CHECK_EQ(cmd("k"), GDB_ACT_KILL);

	/* detach cleanup restores memory */
	cmd("Z0,2000,1");
	CHECK_EQ(fk.mem[0x2000], 0xcc);
	gdb_remove_all_bp(&s);
	CHECK_EQ(fk.mem[0x2000], 0);
	gdb_stub_free(&s);
}

int main(void)
{
	test_packet_layer();
	test_regs();
	test_dispatch();
	return test_summary("launcher_gdbstub");
}
