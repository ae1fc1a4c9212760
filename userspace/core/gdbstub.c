// SPDX-License-Identifier: GPL-2.0
/*
 * GDB remote serial protocol: packet layer and command dispatcher. No
 * sockets and no /dev/nyx here (see gdbstub.h): the caller feeds received
 * bytes to gdb_rx_byte(), runs gdb_handle_packet() and writes s->out.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/gdbstub.h"

/*
 * No register list in the description: gdb then uses its own default
 * amd64 register set (the "g" layout of struct gdb_regs). 32-bit and
 * real-mode guests are shown with the same 64-bit registers.
 */
static const char target_xml[] =
	"<?xml version=\"1.0\"?>"
	"<!DOCTYPE target SYSTEM \"gdb-target.dtd\">"
	"<target><architecture>i386:x86-64</architecture></target>";

void gdb_stub_init(struct gdb_stub *s, const struct gdb_target_ops *ops,
		   void *opaque, unsigned int nr_cpus)
{
	memset(s, 0, sizeof(*s));
	s->ops = ops;
	s->opaque = opaque;
	s->nr_cpus = nr_cpus;
	s->stop_signal = 5;	/* SIGTRAP */
}

void gdb_stub_free(struct gdb_stub *s)
{
	free(s->out);
	s->out = NULL;
	s->out_len = s->out_cap = 0;
}

/* ---------------------------------------------------------------------
 * Packet layer
 */
static const char hexdigits[] = "0123456789abcdef";

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

u8 gdb_checksum(const char *data, size_t len)
{
	u8 sum = 0;

	while (len--)
		sum += (u8)*data++;
	return sum;
}

static bool needs_escape(char c)
{
	return c == '#' || c == '$' || c == '}' || c == '*';
}

size_t gdb_frame(const char *data, size_t len, char *out, size_t cap)
{
	size_t n = 0, i;
	u8 sum = 0;

	if (cap < 4)
		return 0;
	out[n++] = '$';
	for (i = 0; i < len; i++) {
		char c = data[i];

		if (needs_escape(c)) {
			if (n + 2 > cap - 3)
				return 0;
			out[n++] = '}';
			sum += '}';
			c ^= 0x20;
		} else if (n + 1 > cap - 3) {
			return 0;
		}
		out[n++] = c;
		sum += (u8)c;
	}
	out[n++] = '#';
	out[n++] = hexdigits[sum >> 4];
	out[n++] = hexdigits[sum & 15];
	return n;
}

int gdb_decode(char *data, size_t len, size_t cap)
{
	char tmp[GDB_MAX_PACKET + 1];
	size_t i, n = 0;

	for (i = 0; i < len; i++) {
		char c = data[i];

		if (c == '}') {
			if (++i >= len)
				return -1;
			c = data[i] ^ 0x20;
		} else if (c == '*') {
			int rep;

			/* "X*n": n - 29 more copies of the previous char */
			if (!n || ++i >= len)
				return -1;
			rep = (u8)data[i] - 29;
			if (rep < 3 || n + rep > sizeof(tmp) - 1 ||
			    n + rep > cap - 1)
				return -1;
			memset(tmp + n, tmp[n - 1], rep);
			n += rep;
			continue;
		}
		if (n >= sizeof(tmp) - 1 || n >= cap - 1)
			return -1;
		tmp[n++] = c;
	}
	memcpy(data, tmp, n);
	data[n] = 0;
	return n;
}

int gdb_hex_decode(const char *hex, size_t nhex, u8 *out)
{
	size_t i;

	if (nhex & 1)
		return -1;
	for (i = 0; i < nhex; i += 2) {
		int hi = hexval(hex[i]), lo = hexval(hex[i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		out[i / 2] = hi << 4 | lo;
	}
	return 0;
}

void gdb_hex_encode(const u8 *in, size_t len, char *out)
{
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = hexdigits[in[i] >> 4];
		out[2 * i + 1] = hexdigits[in[i] & 15];
	}
	out[2 * len] = 0;
}

static void out_raw(struct gdb_stub *s, const char *data, size_t len)
{
	if (s->out_len + len > s->out_cap) {
		size_t cap = (s->out_len + len) * 2 + 64;
		char *p = realloc(s->out, cap);

		if (!p)
			return;		/* the reply is lost; gdb retries */
		s->out = p;
		s->out_cap = cap;
	}
	memcpy(s->out + s->out_len, data, len);
	s->out_len += len;
}

static void put_packet(struct gdb_stub *s, const char *data)
{
	char buf[2 * GDB_MAX_PACKET + 8];
	size_t n = gdb_frame(data, strlen(data), buf, sizeof(buf));

	if (n)
		out_raw(s, buf, n);
}

int gdb_rx_byte(struct gdb_stub *s, u8 c)
{
	int v;

	switch (s->rx_state) {
	case GDB_RX_IDLE:
		if (c == '$') {
			s->rx_state = GDB_RX_DATA;
			s->rx_len = 0;
			s->rx_sum = 0;
		} else if (c == 0x03) {
			return 2;
		}
		/* '+', '-' and noise between packets are ignored */
		return 0;
	case GDB_RX_DATA:
		if (c == '#') {
			s->rx_state = GDB_RX_CSUM1;
			return 0;
		}
		if (s->rx_len >= GDB_MAX_PACKET) {
			/* too long: drop it and ask again */
			s->rx_state = GDB_RX_IDLE;
			if (!s->no_ack)
				out_raw(s, "-", 1);
			return 0;
		}
		s->rx[s->rx_len++] = c;
		s->rx_sum += c;
		return 0;
	case GDB_RX_CSUM1:
		v = hexval(c);
		s->rx_csum = v < 0 ? 0 : v << 4;
		s->rx_state = v < 0 ? GDB_RX_IDLE : GDB_RX_CSUM2;
		if (v < 0 && !s->no_ack)
			out_raw(s, "-", 1);
		return 0;
	case GDB_RX_CSUM2:
		s->rx_state = GDB_RX_IDLE;
		v = hexval(c);
		if (v < 0 || (u8)(s->rx_csum | v) != s->rx_sum) {
			if (!s->no_ack)
				out_raw(s, "-", 1);
			return 0;
		}
		if (!s->no_ack)
			out_raw(s, "+", 1);
		v = gdb_decode(s->rx, s->rx_len, sizeof(s->rx));
		if (v < 0) {
			put_packet(s, "E01");
			return 0;
		}
		s->rx_len = v;
		return 1;
	}
	return 0;
}

/* ---------------------------------------------------------------------
 * Registers: struct gdb_regs <-> the "g" packet's little-endian bytes
 */
struct reg_field {
	u16 off;		/* in the packet */
	u8 size;
};

/* offset and size of register n in the packet, n < GDB_NR_REGS */
static struct reg_field reg_field(unsigned int n)
{
	struct reg_field f;

	if (n < 17) {
		f.off = n * 8;
		f.size = 8;
	} else if (n < 24) {
		f.off = 136 + (n - 17) * 4;
		f.size = 4;
	} else if (n < 32) {
		f.off = 164 + (n - 24) * 10;
		f.size = 10;
	} else if (n < 40) {
		f.off = 244 + (n - 32) * 4;
		f.size = 4;
	} else if (n < 56) {
		f.off = 276 + (n - 40) * 16;
		f.size = 16;
	} else {
		f.off = 532;
		f.size = 4;
	}
	return f;
}

static void put_le(u8 *p, u64 v, unsigned int size)
{
	unsigned int i;

	for (i = 0; i < size; i++)
		p[i] = v >> (8 * i);
}

static u64 get_le(const u8 *p, unsigned int size)
{
	u64 v = 0;
	unsigned int i;

	for (i = 0; i < size; i++)
		v |= (u64)p[i] << (8 * i);
	return v;
}

static void regs_pack(const struct gdb_regs *r, u8 *b)
{
	const u32 *fpu = &r->fctrl;
	unsigned int i;

	for (i = 0; i < GDB_NR_GPRS; i++)
		put_le(b + i * 8, r->gpr[i], 8);
	put_le(b + 128, r->rip, 8);
	put_le(b + 136, r->eflags, 4);
	for (i = 0; i < 6; i++)
		put_le(b + 140 + i * 4, r->seg[i], 4);
	memcpy(b + 164, r->st, sizeof(r->st));
	for (i = 0; i < 8; i++)
		put_le(b + 244 + i * 4, fpu[i], 4);
	memcpy(b + 276, r->xmm, sizeof(r->xmm));
	put_le(b + 532, r->mxcsr, 4);
}

static void regs_unpack(const u8 *b, struct gdb_regs *r)
{
	u32 *fpu = &r->fctrl;
	unsigned int i;

	for (i = 0; i < GDB_NR_GPRS; i++)
		r->gpr[i] = get_le(b + i * 8, 8);
	r->rip = get_le(b + 128, 8);
	r->eflags = get_le(b + 136, 4);
	for (i = 0; i < 6; i++)
		r->seg[i] = get_le(b + 140 + i * 4, 4);
	memcpy(r->st, b + 164, sizeof(r->st));
	for (i = 0; i < 8; i++)
		fpu[i] = get_le(b + 244 + i * 4, 4);
	memcpy(r->xmm, b + 276, sizeof(r->xmm));
	r->mxcsr = get_le(b + 532, 4);
}

void gdb_regs_encode(const struct gdb_regs *r, char *hex)
{
	u8 b[GDB_REGS_SIZE];

	regs_pack(r, b);
	gdb_hex_encode(b, sizeof(b), hex);
}

int gdb_regs_decode(const char *hex, size_t len, struct gdb_regs *r)
{
	u8 b[GDB_REGS_SIZE];
	struct gdb_regs old = *r;

	/* a shorter "G" leaves the registers it does not cover alone */
	if (len > 2 * sizeof(b) || (len & 1))
		return -1;
	regs_pack(&old, b);
	if (gdb_hex_decode(hex, len, b))
		return -1;
	regs_unpack(b, r);
	return 0;
}

/* ---------------------------------------------------------------------
 * Breakpoints
 */
bool gdb_has_sw_bp(const struct gdb_stub *s)
{
	unsigned int i;

	for (i = 0; i < GDB_MAX_SW_BP; i++)
		if (s->sw[i].used)
			return true;
	return false;
}

bool gdb_is_sw_bp(const struct gdb_stub *s, u64 addr)
{
	unsigned int i;

	for (i = 0; i < GDB_MAX_SW_BP; i++)
		if (s->sw[i].used && s->sw[i].addr == addr)
			return true;
	return false;
}

static int sw_bp_insert(struct gdb_stub *s, u64 addr)
{
	static const u8 int3 = 0xcc;
	struct gdb_sw_bp *free_bp = NULL;
	unsigned int i;
	u8 old;

	for (i = 0; i < GDB_MAX_SW_BP; i++) {
		if (s->sw[i].used && s->sw[i].addr == addr)
			return 0;
		if (!s->sw[i].used && !free_bp)
			free_bp = &s->sw[i];
	}
	if (!free_bp)
		return -ENOSPC;
	if (s->ops->read_mem(s->opaque, s->g_cpu, addr, &old, 1) ||
	    s->ops->write_mem(s->opaque, s->g_cpu, addr, &int3, 1))
		return -EFAULT;
	free_bp->addr = addr;
	free_bp->saved = old;
	free_bp->used = true;
	return 0;
}

static int sw_bp_remove(struct gdb_stub *s, u64 addr)
{
	unsigned int i;

	for (i = 0; i < GDB_MAX_SW_BP; i++) {
		struct gdb_sw_bp *bp = &s->sw[i];

		if (!bp->used || bp->addr != addr)
			continue;
		bp->used = false;
		if (s->ops->write_mem(s->opaque, s->g_cpu, addr, &bp->saved, 1))
			return -EFAULT;
		return 0;
	}
	return -ENOENT;
}

void gdb_remove_all_bp(struct gdb_stub *s)
{
	unsigned int i;

	for (i = 0; i < GDB_MAX_SW_BP; i++)
		if (s->sw[i].used)
			sw_bp_remove(s, s->sw[i].addr);
	memset(s->hw, 0, sizeof(s->hw));
}

static int hw_bp_insert(struct gdb_stub *s, int type, u64 addr, u64 len)
{
	unsigned int i;

	if (type == GDB_BP_HW)
		len = 1;
	else if ((len != 1 && len != 2 && len != 4 && len != 8) ||
		 (addr & (len - 1)))
		return -EINVAL;	/* DR0-3 match aligned 1/2/4/8 bytes */
	for (i = 0; i < GDB_MAX_HW_BP; i++) {
		struct gdb_hw_bp *bp = &s->hw[i];

		if (bp->used && bp->addr == addr && bp->type == type &&
		    bp->len == len)
			return 0;
	}
	for (i = 0; i < GDB_MAX_HW_BP; i++) {
		struct gdb_hw_bp *bp = &s->hw[i];

		if (bp->used)
			continue;
		bp->addr = addr;
		bp->type = type;
		bp->len = len;
		bp->used = true;
		return 0;
	}
	return -ENOSPC;
}

static int hw_bp_remove(struct gdb_stub *s, int type, u64 addr, u64 len)
{
	unsigned int i;

	if (type == GDB_BP_HW)
		len = 1;
	for (i = 0; i < GDB_MAX_HW_BP; i++) {
		struct gdb_hw_bp *bp = &s->hw[i];

		if (bp->used && bp->addr == addr && bp->type == type &&
		    bp->len == len) {
			bp->used = false;
			return 0;
		}
	}
	return -ENOENT;
}

bool gdb_hw_debugregs(const struct gdb_stub *s, u64 dr[4], u64 *dr7)
{
	/* DR7 R/W: 00 execute, 01 write, 11 read/write (x86 has no
	 * read-only breakpoint); LEN: 1 -> 00, 2 -> 01, 8 -> 10, 4 -> 11 */
	static const u8 rw[] = { [GDB_BP_HW] = 0, [GDB_WP_WRITE] = 1,
				 [GDB_WP_READ] = 3, [GDB_WP_ACCESS] = 3 };
	unsigned int i;
	bool any = false;
	u64 v = 0;

	for (i = 0; i < GDB_MAX_HW_BP; i++) {
		const struct gdb_hw_bp *bp = &s->hw[i];
		u64 len;

		dr[i] = 0;
		if (!bp->used)
			continue;
		len = bp->len == 1 ? 0 : bp->len == 2 ? 1 : bp->len == 8 ? 2 : 3;
		dr[i] = bp->addr;
		v |= 2ull << (2 * i);				/* G<i> */
		v |= (u64)(rw[bp->type] | len << 2) << (16 + 4 * i);
		any = true;
	}
	if (any)
		v |= 1ull << 9;		/* GE: exact data breakpoints */
	*dr7 = v;
	return any;
}

int gdb_hw_hit(const struct gdb_stub *s, u64 dr6)
{
	unsigned int i;

	for (i = 0; i < GDB_MAX_HW_BP; i++)
		if ((dr6 & (1ull << i)) && s->hw[i].used)
			return i;
	return -1;
}

/* ---------------------------------------------------------------------
 * Dispatcher
 */
static void reply(struct gdb_stub *s, const char *data)
{
	put_packet(s, data);
}

static void reply_err(struct gdb_stub *s, int err)
{
	char buf[8];

	snprintf(buf, sizeof(buf), "E%02x", err & 0xff);
	reply(s, buf);
}

void gdb_stop_reply(struct gdb_stub *s, unsigned int cpu, int signal,
		    int wp_type, u64 watch_addr)
{
	char buf[96];
	int n;

	s->stop_cpu = cpu;
	s->stop_signal = signal;
	/* gdb reads registers from the thread that stopped */
	s->g_cpu = s->c_cpu = cpu;
	n = snprintf(buf, sizeof(buf), "T%02xthread:%x;", signal & 0xff,
		     cpu + 1);
	if (watch_addr != ~0ull)
		snprintf(buf + n, sizeof(buf) - n, "%s:%llx;",
			 wp_type == GDB_WP_WRITE ? "watch" :
			 wp_type == GDB_WP_READ ? "rwatch" : "awatch",
			 (unsigned long long)watch_addr);
	reply(s, buf);
}

/* Parse a hex number up to a terminator; returns the end or NULL. */
static const char *parse_hex(const char *p, u64 *val)
{
	u64 v = 0;
	int d, n = 0;

	while ((d = hexval(*p)) >= 0) {
		if (++n > 16)
			return NULL;
		v = v << 4 | d;
		p++;
	}
	if (!n)
		return NULL;
	*val = v;
	return p;
}

/* A thread id: -1 (all), 0 (any) or vCPU + 1. Returns the end or NULL. */
static const char *parse_thread(struct gdb_stub *s, const char *p, int *cpu)
{
	u64 tid;

	if (p[0] == '-' && p[1] == '1') {
		*cpu = -1;
		return p + 2;
	}
	p = parse_hex(p, &tid);
	if (!p)
		return NULL;
	if (tid == 0) {
		*cpu = -1;
		return p;
	}
	if (tid > s->nr_cpus)
		return NULL;
	*cpu = tid - 1;
	return p;
}

static void handle_read_regs(struct gdb_stub *s)
{
	char hex[2 * GDB_REGS_SIZE + 1];
	struct gdb_regs r;

	if (s->ops->get_regs(s->opaque, s->g_cpu, &r)) {
		reply_err(s, EIO);
		return;
	}
	gdb_regs_encode(&r, hex);
	reply(s, hex);
}

static void handle_write_regs(struct gdb_stub *s, const char *hex)
{
	struct gdb_regs r;

	if (s->ops->get_regs(s->opaque, s->g_cpu, &r) ||
	    gdb_regs_decode(hex, strlen(hex), &r)) {
		reply_err(s, EINVAL);
		return;
	}
	if (s->ops->set_regs(s->opaque, s->g_cpu, &r)) {
		reply_err(s, EIO);
		return;
	}
	reply(s, "OK");
}

static void handle_reg(struct gdb_stub *s, const char *args, bool write)
{
	u8 b[GDB_REGS_SIZE];
	char hex[33];
	struct gdb_regs r;
	struct reg_field f;
	u64 n;

	args = parse_hex(args, &n);
	if (!args || n >= GDB_NR_REGS || (write && *args != '=') ||
	    (!write && *args)) {
		reply_err(s, EINVAL);
		return;
	}
	if (s->ops->get_regs(s->opaque, s->g_cpu, &r)) {
		reply_err(s, EIO);
		return;
	}
	f = reg_field(n);
	regs_pack(&r, b);
	if (!write) {
		gdb_hex_encode(b + f.off, f.size, hex);
		reply(s, hex);
		return;
	}
	args++;
	if (strlen(args) != 2u * f.size ||
	    gdb_hex_decode(args, 2 * f.size, b + f.off)) {
		reply_err(s, EINVAL);
		return;
	}
	regs_unpack(b, &r);
	if (s->ops->set_regs(s->opaque, s->g_cpu, &r)) {
		reply_err(s, EIO);
		return;
	}
	reply(s, "OK");
}

/* "addr,len" */
static const char *parse_addr_len(const char *p, u64 *addr, u64 *len)
{
	p = parse_hex(p, addr);
	if (!p || *p != ',')
		return NULL;
	return parse_hex(p + 1, len);
}

static void handle_read_mem(struct gdb_stub *s, const char *args)
{
	u8 buf[(GDB_MAX_PACKET - 8) / 2];
	char hex[GDB_MAX_PACKET];
	u64 addr, len;
	unsigned int i;

	args = parse_addr_len(args, &addr, &len);
	if (!args || *args) {
		reply_err(s, EINVAL);
		return;
	}
	if (len > sizeof(buf))
		len = sizeof(buf);
	if (s->ops->read_mem(s->opaque, s->g_cpu, addr, buf, len)) {
		reply_err(s, EFAULT);
		return;
	}
	/* show the bytes our INT3s replaced */
	for (i = 0; i < GDB_MAX_SW_BP; i++) {
		const struct gdb_sw_bp *bp = &s->sw[i];

		if (bp->used && bp->addr - addr < len)
			buf[bp->addr - addr] = bp->saved;
	}
	gdb_hex_encode(buf, len, hex);
	reply(s, hex);
}

static void handle_write_mem(struct gdb_stub *s, const char *args)
{
	u8 buf[GDB_MAX_PACKET / 2];
	u64 addr, len;

	args = parse_addr_len(args, &addr, &len);
	if (!args || *args != ':' || len > sizeof(buf) ||
	    strlen(args + 1) != 2 * len ||
	    gdb_hex_decode(args + 1, 2 * len, buf)) {
		reply_err(s, EINVAL);
		return;
	}
	if (len && s->ops->write_mem(s->opaque, s->g_cpu, addr, buf, len)) {
		reply_err(s, EFAULT);
		return;
	}
	reply(s, "OK");
}

static void handle_bp(struct gdb_stub *s, const char *args, bool insert)
{
	u64 type, addr, kind;
	int r;

	args = parse_hex(args, &type);
	if (!args || *args != ',' || type > GDB_WP_ACCESS) {
		reply(s, "");		/* not supported */
		return;
	}
	args = parse_addr_len(args + 1, &addr, &kind);
	/* conditions (";X...") are evaluated by gdb itself: ignored */
	if (!args || (*args && *args != ';')) {
		reply_err(s, EINVAL);
		return;
	}
	if (type == GDB_BP_SW)
		r = insert ? sw_bp_insert(s, addr) : sw_bp_remove(s, addr);
	else
		r = insert ? hw_bp_insert(s, type, addr, kind) :
			     hw_bp_remove(s, type, addr, kind);
	if (r)
		reply_err(s, -r);
	else
		reply(s, "OK");
}

/* "c [addr]" / "s [addr]": resume at addr if given */
static bool resume_at(struct gdb_stub *s, const char *args)
{
	struct gdb_regs r;
	u64 addr;

	if (*args == ';')	/* C/S: signal;addr */
		args++;
	if (!*args)
		return true;
	if (!parse_hex(args, &addr) ||
	    s->ops->get_regs(s->opaque, s->c_cpu, &r))
		return false;
	r.rip = addr;
	return !s->ops->set_regs(s->opaque, s->c_cpu, &r);
}

static enum gdb_action handle_vcont(struct gdb_stub *s, const char *p)
{
	int step_cpu = -2;

	/* actions: ;a[sig][:tid] ... */
	while (*p == ';') {
		char a = p[1];
		int cpu = -1;

		p += 2;
		if (a == 'C' || a == 'S') {
			u64 sig;

			p = parse_hex(p, &sig);
			if (!p)
				goto bad;
		} else if (a != 'c' && a != 's') {
			goto bad;
		}
		if (*p == ':') {
			p = parse_thread(s, p + 1, &cpu);
			if (!p)
				goto bad;
		}
		if ((a == 's' || a == 'S') && step_cpu == -2)
			step_cpu = cpu < 0 ? (int)s->c_cpu : cpu;
	}
	if (*p)
		goto bad;
	if (step_cpu >= 0) {
		s->step_cpu = step_cpu;
		return GDB_ACT_STEP;
	}
	return GDB_ACT_CONTINUE;
bad:
	reply_err(s, EINVAL);
	return GDB_ACT_NONE;
}

static void handle_qxfer(struct gdb_stub *s, const char *args)
{
	static const char prefix[] = "features:read:target.xml:";
	char buf[GDB_MAX_PACKET];
	u64 off, len, size = sizeof(target_xml) - 1;

	if (strncmp(args, prefix, sizeof(prefix) - 1)) {
		reply(s, "");
		return;
	}
	args = parse_addr_len(args + sizeof(prefix) - 1, &off, &len);
	if (!args || *args) {
		reply_err(s, EINVAL);
		return;
	}
	if (off >= size) {
		reply(s, "l");
		return;
	}
	if (len > sizeof(buf) - 2)
		len = sizeof(buf) - 2;
	if (len > size - off)
		len = size - off;
	buf[0] = off + len < size ? 'm' : 'l';
	memcpy(buf + 1, target_xml + off, len);
	buf[1 + len] = 0;
	reply(s, buf);
}

static void handle_thread_info(struct gdb_stub *s)
{
	char buf[GDB_MAX_PACKET];
	size_t n = 0;
	unsigned int i;

	buf[n++] = 'm';
	for (i = 0; i < s->nr_cpus && n < sizeof(buf) - 12; i++)
		n += snprintf(buf + n, sizeof(buf) - n, "%s%x", i ? "," : "",
			      i + 1);
	buf[n] = 0;
	reply(s, buf);
}

static void handle_query(struct gdb_stub *s, const char *q)
{
	char buf[128];

	if (!strncmp(q, "qSupported", 10)) {
		snprintf(buf, sizeof(buf),
			 "PacketSize=%x;qXfer:features:read+;QStartNoAckMode+;vContSupported+",
			 GDB_MAX_PACKET);
		reply(s, buf);
	} else if (!strcmp(q, "QStartNoAckMode")) {
		reply(s, "OK");
		s->no_ack = true;
	} else if (!strncmp(q, "qXfer:", 6)) {
		handle_qxfer(s, q + 6);
	} else if (!strcmp(q, "qfThreadInfo")) {
		handle_thread_info(s);
	} else if (!strcmp(q, "qsThreadInfo")) {
		reply(s, "l");
	} else if (!strcmp(q, "qC")) {
		snprintf(buf, sizeof(buf), "QC%x", s->g_cpu + 1);
		reply(s, buf);
	} else if (!strncmp(q, "qAttached", 9)) {
		reply(s, "1");
	} else if (!strncmp(q, "qThreadExtraInfo,", 17)) {
		char text[32], hex[65];
		int cpu;

		if (!parse_thread(s, q + 17, &cpu) || cpu < 0) {
			reply_err(s, EINVAL);
			return;
		}
		snprintf(text, sizeof(text), "vCPU %d", cpu);
		gdb_hex_encode((const u8 *)text, strlen(text), hex);
		reply(s, hex);
	} else {
		reply(s, "");
	}
}

enum gdb_action gdb_handle_packet(struct gdb_stub *s)
{
	const char *p = s->rx;
	const char *args = p + 1;
	int cpu;

	switch (p[0]) {
	case '?':
		gdb_stop_reply(s, s->stop_cpu, s->stop_signal, 0, ~0ull);
		return GDB_ACT_NONE;
	case 'g':
		handle_read_regs(s);
		return GDB_ACT_NONE;
	case 'G':
		handle_write_regs(s, args);
		return GDB_ACT_NONE;
	case 'p':
	case 'P':
		handle_reg(s, args, p[0] == 'P');
		return GDB_ACT_NONE;
	case 'm':
		handle_read_mem(s, args);
		return GDB_ACT_NONE;
	case 'M':
		handle_write_mem(s, args);
		return GDB_ACT_NONE;
	case 'c':
	case 's':
	case 'C':
	case 'S':
		if (p[0] == 'C' || p[0] == 'S') {
			u64 sig;	/* signals are not delivered */

			args = parse_hex(args, &sig);
			if (!args) {
				reply_err(s, EINVAL);
				return GDB_ACT_NONE;
			}
		}
		if (!resume_at(s, args)) {
			reply_err(s, EINVAL);
			return GDB_ACT_NONE;
		}
		if (p[0] == 's' || p[0] == 'S') {
			s->step_cpu = s->c_cpu;
			return GDB_ACT_STEP;
		}
		return GDB_ACT_CONTINUE;
	case 'v':
		if (!strcmp(p, "vCont?")) {
			reply(s, "vCont;c;C;s;S");
			return GDB_ACT_NONE;
		}
		if (!strncmp(p, "vCont", 5))
			return handle_vcont(s, p + 5);
		if (!strncmp(p, "vKill", 5)) {
			reply(s, "OK");
			return GDB_ACT_KILL;
		}
		reply(s, "");
		return GDB_ACT_NONE;
	case 'H':
		if ((args[0] != 'g' && args[0] != 'c') ||
		    !(p = parse_thread(s, args + 1, &cpu)) || *p) {
			reply_err(s, EINVAL);
			return GDB_ACT_NONE;
		}
		if (cpu >= 0) {
			if (args[0] == 'g')
				s->g_cpu = cpu;
			else
				s->c_cpu = cpu;
		}
		reply(s, "OK");
		return GDB_ACT_NONE;
	case 'T':
		if (!(p = parse_thread(s, args, &cpu)) || *p || cpu < 0)
			reply_err(s, ESRCH);
		else
			reply(s, "OK");
		return GDB_ACT_NONE;
	case 'Z':
	case 'z':
		handle_bp(s, args, p[0] == 'Z');
		return GDB_ACT_NONE;
	case 'q':
	case 'Q':
		handle_query(s, p);
		return GDB_ACT_NONE;
	case 'D':
		reply(s, "OK");
		return GDB_ACT_DETACH;
	case 'k':
		return GDB_ACT_KILL;
	default:
		reply(s, "");
		return GDB_ACT_NONE;
	}
}
