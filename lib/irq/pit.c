// SPDX-License-Identifier: GPL-2.0
/*
 * 8254 PIT; see pit.h for the model.
 *
 * A running channel is described by load_tick (the pulse at which the
 * counting element held n) and n: at pulse X it has counted j = X -
 * load_tick pulses (j < 0: the load pulse has not come yet). OUT and the
 * counter value are pure functions of (mode, n, j). Rising edges of OUT
 * are at j = n (modes 0, 1), j = n + 1 (modes 4, 5), and every multiple
 * of n from n on (modes 2, 3). A count written in modes 2/3 while running
 * is "pending": at pending_tick the channel switches to pending_n with
 * load_tick = pending_load (for a mode 3 switch at the middle of a period
 * pending_load is set back by half the new period, so that the channel
 * continues in the low half).
 */
#include "pit.h"

_Static_assert(sizeof(struct nyx_pit_channel_state) == 72, "pit ch layout");
_Static_assert(sizeof(struct nyx_pit_state) == 240, "pit layout");

#define NULL_FOREVER	((s64)(~0ull >> 1))
#define REL_MAX		(1ll << 55)

static s64 to_tick(u64 now)
{
	return (s64)nyx_muldiv64(now, NYX_PIT_FREQ, NYX_NSEC_PER_SEC);
}

/* First ns at which the pulse count reaches tick. */
static u64 tick_to_ns(s64 tick)
{
	if (tick <= 0)
		return 0;
	return nyx_muldiv64_up((u64)tick, NYX_NSEC_PER_SEC, NYX_PIT_FREQ);
}

static unsigned int eff_mode(const struct nyx_pit_channel *c)
{
	return c->mode > 5 ? c->mode - 4 : c->mode;
}

static u32 modulus(const struct nyx_pit_channel *c)
{
	return c->bcd ? 10000 : 65536;
}

static u32 cr_to_n(const struct nyx_pit_channel *c)
{
	u32 v = c->cr;

	if (c->bcd) {
		v = ((v >> 12) & 0xf) * 1000 + ((v >> 8) & 0xf) * 100 +
		    ((v >> 4) & 0xf) * 10 + (v & 0xf);
		v %= 10000;
		return v ? v : 10000;
	}
	return v ? v : 65536;
}

static u16 to_bcd(u32 v)
{
	v %= 10000;
	return (u16)(((v / 1000) << 12) | (((v / 100) % 10) << 8) |
		     (((v / 10) % 10) << 4) | (v % 10));
}

/* Counter value after j >= 0 pulses (binary, before BCD encoding). */
static u32 ce_value(const struct nyx_pit_channel *c, u64 j)
{
	u32 n = c->n, m = modulus(c), p, h;

	switch (eff_mode(c)) {
	case 2:
		return n - (u32)(j % n);
	case 3:
		if (!(n & 1))
			return n - 2 * (u32)(j % (n / 2));
		p = (u32)(j % n);
		h = (n + 1) / 2;
		if (p < h)
			return p ? n + 1 - 2 * p : n;
		p -= h;
		return p ? n - 1 - 2 * p : n;
	default:
		return (n + m - (u32)(j % m)) % m;
	}
}

static s64 cur_j(const struct nyx_pit_channel *c, s64 x)
{
	if (c->state == NYX_PIT_ST_RUNNING)
		return x - c->load_tick;
	if (c->state == NYX_PIT_ST_FROZEN)
		return c->frozen_j;
	return -1;
}

static u16 readout(const struct nyx_pit_channel *c, s64 x)
{
	s64 j = cur_j(c, x);
	u32 v;

	if (j < 0)
		return c->ce_hold;
	v = ce_value(c, (u64)j);
	return c->bcd ? to_bcd(v) : (u16)v;
}

static int ch_out(const struct nyx_pit_channel *c, s64 x)
{
	unsigned int me = eff_mode(c);
	s64 j, n = c->n;

	if (c->state == NYX_PIT_ST_IDLE)
		return me != 0;
	if (c->state == NYX_PIT_ST_WAIT)
		return 1;
	j = cur_j(c, x);
	switch (me) {
	case 0:
		return !c->frozen_write && j >= n;
	case 1:
		return !(j >= 0 && j < n);
	case 2:
		if (j < 0)
			return 1;
		return n > 1 && j % n != n - 1;
	case 3:
		if (j < 0)
			return 1;
		return j % n < (n + 1) / 2;
	default:	/* 4, 5 */
		return j != n;
	}
}

/* Rising-edge positions: single edge (returns its j) or periodic (0). */
static s64 single_edge(unsigned int me, s64 n)
{
	switch (me) {
	case 0:
	case 1:
		return n;
	case 4:
	case 5:
		return n + 1;
	default:
		return -1;
	}
}

/* Edges in pulses (a, b] for a running channel with (load, n). */
static u64 edges_cfg(unsigned int me, s64 load, s64 n, s64 a, s64 b)
{
	s64 ja = a - load, jb = b - load, e = single_edge(me, n);
	s64 ca, cb;

	if (a >= b)
		return 0;
	if (e >= 0)
		return ja < e && e <= jb;
	if (n < 2)
		return 0;
	ca = ja >= n ? ja / n : 0;
	cb = jb >= n ? jb / n : 0;
	return (u64)(cb - ca);
}

/* First rising edge strictly after pulse x, or -1. */
static s64 next_cfg(unsigned int me, s64 load, s64 n, s64 x)
{
	s64 j = x - load, e = single_edge(me, n);

	if (e >= 0)
		return j < e ? load + e : -1;
	if (n < 2)
		return -1;
	if (j < n)
		return load + n;
	return load + (j / n + 1) * n;
}

/*
 * Bring the channel to pulse x: apply a due pending count, and for
 * channel 0 bank the rising edges since irq_tick.
 */
static void advance(struct nyx_pit *pit, unsigned int idx, s64 x)
{
	struct nyx_pit_channel *c = &pit->ch[idx];
	unsigned int me = eff_mode(c);
	int running = c->state == NYX_PIT_ST_RUNNING;
	s64 a = pit->irq_tick;

	if (c->pending && c->pending_tick <= x) {
		if (idx == 0 && a < c->pending_tick) {
			pit->irq_banked += edges_cfg(me, c->load_tick, c->n, a,
						     c->pending_tick);
			a = c->pending_tick;
		}
		c->load_tick = c->pending_load;
		c->n = c->pending_n;
		c->pending = 0;
	}
	if (idx != 0 || a >= x)
		return;
	if (running)
		pit->irq_banked += edges_cfg(me, c->load_tick, c->n, a, x);
	pit->irq_tick = x;
}

static void start(struct nyx_pit_channel *c, s64 x)
{
	c->ce_hold = readout(c, x);
	c->n = cr_to_n(c);
	c->pending = 0;
	c->frozen_j = 0;
	c->state = NYX_PIT_ST_RUNNING;
	c->load_tick = x + 1;
	c->null_until = x + 1;
}

/* Stop counting, remembering j (normalized so that it stays small). */
static void freeze(struct nyx_pit_channel *c, s64 x)
{
	s64 j = cur_j(c, x), n = c->n, m = modulus(c);
	s64 lim = eff_mode(c) == 4 ? n + 1 : n;

	if (c->state != NYX_PIT_ST_RUNNING)
		return;
	if (j < 0)
		j = 0;
	if (j > lim)
		j = lim + (j - lim) % m;
	c->frozen_j = (u32)j;
	c->state = NYX_PIT_ST_FROZEN;
}

/* A complete count was written. */
static void load_count(struct nyx_pit_channel *c, s64 x)
{
	unsigned int me = eff_mode(c);
	s64 j, n, nn, p, h, base;

	c->has_cr = 1;
	c->frozen_write = 0;
	switch (me) {
	case 0:
	case 4:
		start(c, x);
		if (!c->gate) {
			c->state = NYX_PIT_ST_FROZEN;
			c->frozen_j = 0;
		}
		return;
	case 1:
	case 5:
		if (c->state == NYX_PIT_ST_IDLE)
			c->state = NYX_PIT_ST_WAIT;
		c->null_until = NULL_FOREVER;
		return;
	default:	/* 2, 3 */
		break;
	}
	if (c->state != NYX_PIT_ST_RUNNING) {
		if (c->gate)
			start(c, x);
		else {
			c->state = NYX_PIT_ST_WAIT;
			c->null_until = NULL_FOREVER;
		}
		return;
	}
	j = x - c->load_tick;
	nn = cr_to_n(c);
	if (j < 0) {
		/* the previous count was not loaded yet: replace it */
		c->n = (u32)nn;
		return;
	}
	n = c->n;
	p = j % n;
	base = c->load_tick + (j - p);
	c->pending = 1;
	c->pending_n = (u32)nn;
	h = (n + 1) / 2;
	if (me == 3 && p < h) {
		/* end of the high half: continue in the new low half */
		c->pending_tick = base + h;
		c->pending_load = c->pending_tick - (nn + 1) / 2;
	} else {
		c->pending_tick = base + n;
		c->pending_load = c->pending_tick;
	}
	c->null_until = c->pending_tick;
}

static void set_gate(struct nyx_pit_channel *c, int level, s64 x)
{
	unsigned int me = eff_mode(c);

	level = !!level;
	if (level == c->gate)
		return;
	c->gate = level;
	switch (me) {
	case 0:
	case 4:
		if (!level) {
			freeze(c, x);
		} else if (c->state == NYX_PIT_ST_FROZEN && !c->frozen_write) {
			c->state = NYX_PIT_ST_RUNNING;
			c->load_tick = x - c->frozen_j;
			c->frozen_j = 0;
		}
		break;
	case 1:
	case 5:
		if (level && c->has_cr)
			start(c, x);
		break;
	default:	/* 2, 3 */
		if (!level) {
			if (c->state == NYX_PIT_ST_RUNNING) {
				c->ce_hold = readout(c, x);
				c->state = NYX_PIT_ST_WAIT;
				c->pending = 0;
			}
		} else if (c->has_cr && c->state == NYX_PIT_ST_WAIT) {
			start(c, x);
		}
		break;
	}
}

static u8 status_byte(const struct nyx_pit_channel *c, s64 x)
{
	return (u8)((ch_out(c, x) << 7) | ((x < c->null_until) << 6) |
		    (c->rw << 4) | (c->mode << 1) | c->bcd);
}

static void latch_count(struct nyx_pit_channel *c, s64 x)
{
	if (c->latch_state)
		return;
	c->latch = readout(c, x);
	c->latch_state = c->rw;
}

static void write_control(struct nyx_pit *pit, u8 val, s64 x)
{
	struct nyx_pit_channel *c;
	unsigned int i, sc = val >> 6, rw = (val >> 4) & 3;

	if (sc == 3) {
		/* read-back: bit 5 = !COUNT, bit 4 = !STATUS, 3:1 channels */
		for (i = 0; i < NYX_PIT_NR_CHANNELS; i++) {
			if (!(val & (2u << i)))
				continue;
			c = &pit->ch[i];
			advance(pit, i, x);
			if (!(val & 0x20))
				latch_count(c, x);
			if (!(val & 0x10) && !c->status_latched) {
				c->status = status_byte(c, x);
				c->status_latched = 1;
			}
		}
		return;
	}
	c = &pit->ch[sc];
	advance(pit, sc, x);
	if (!rw) {
		latch_count(c, x);
		return;
	}
	c->ce_hold = readout(c, x);
	c->mode = (val >> 1) & 7;
	c->bcd = val & 1;
	c->rw = rw;
	c->n = modulus(c);
	c->state = NYX_PIT_ST_IDLE;
	c->has_cr = 0;
	c->pending = 0;
	c->frozen_write = 0;
	c->frozen_j = 0;
	c->write_msb = 0;
	c->read_msb = 0;
	c->latch_state = 0;
	c->status_latched = 0;
	c->null_until = NULL_FOREVER;
}

static void write_count(struct nyx_pit *pit, unsigned int idx, u8 val, s64 x)
{
	struct nyx_pit_channel *c = &pit->ch[idx];

	advance(pit, idx, x);
	switch (c->rw) {
	case 1:
		c->cr = val;
		break;
	case 2:
		c->cr = (u16)(val << 8);
		break;
	default:
		if (!c->write_msb) {
			c->write_lsb = val;
			c->write_msb = 1;
			if (eff_mode(c) == 0) {
				freeze(c, x);
				c->frozen_write = 1;
			}
			return;
		}
		c->cr = (u16)(c->write_lsb | (val << 8));
		c->write_msb = 0;
		break;
	}
	load_count(c, x);
}

static u8 read_count(struct nyx_pit *pit, unsigned int idx, s64 x)
{
	struct nyx_pit_channel *c = &pit->ch[idx];
	u16 v;

	advance(pit, idx, x);
	if (c->status_latched) {
		c->status_latched = 0;
		return c->status;
	}
	switch (c->latch_state) {
	case 1:
		c->latch_state = 0;
		return c->latch & 0xff;
	case 2:
		c->latch_state = 0;
		return c->latch >> 8;
	case 3:
		c->latch_state = 2;
		return c->latch & 0xff;
	default:
		break;
	}
	v = readout(c, x);
	switch (c->rw) {
	case 1:
		return v & 0xff;
	case 2:
		return v >> 8;
	default:
		c->read_msb = !c->read_msb;
		return c->read_msb ? (v & 0xff) : (v >> 8);
	}
}

void nyx_pit_reset(struct nyx_pit *pit, u64 now)
{
	unsigned int i;

	nyx_memset(pit, 0, sizeof(*pit));
	for (i = 0; i < NYX_PIT_NR_CHANNELS; i++) {
		pit->ch[i].rw = 3;
		pit->ch[i].n = 65536;
		pit->ch[i].gate = i != 2;
		pit->ch[i].null_until = NULL_FOREVER;
	}
	pit->irq_tick = to_tick(now);
}

void nyx_pit_init(struct nyx_pit *pit, u64 now)
{
	nyx_pit_reset(pit, now);
}

int nyx_pit_port_read(struct nyx_pit *pit, u16 port, u8 *val, u64 now)
{
	if (port < NYX_PIT_PORT_CH0 || port > NYX_PIT_PORT_CTRL) {
		*val = 0xff;
		return -1;
	}
	if (port == NYX_PIT_PORT_CTRL)
		*val = 0xff;
	else
		*val = read_count(pit, port - NYX_PIT_PORT_CH0, to_tick(now));
	return 0;
}

int nyx_pit_port_write(struct nyx_pit *pit, u16 port, u8 val, u64 now)
{
	s64 x = to_tick(now);
	int before;

	if (port < NYX_PIT_PORT_CH0 || port > NYX_PIT_PORT_CTRL)
		return -1;
	advance(pit, 0, x);
	before = ch_out(&pit->ch[0], x);
	if (port == NYX_PIT_PORT_CTRL)
		write_control(pit, val, x);
	else
		write_count(pit, port - NYX_PIT_PORT_CH0, val, x);
	/* OUT0 rising at once (control word, mode 4 reload) is an edge too */
	if (!before && ch_out(&pit->ch[0], x))
		pit->irq_banked++;
	return 0;
}

u8 nyx_pit_port61_read(struct nyx_pit *pit, u64 now)
{
	s64 x = to_tick(now);
	u8 v = pit->port61 & NYX_PORT61_WRITABLE;

	advance(pit, 2, x);
	if ((now / NYX_PIT_REFRESH_NS) & 1)
		v |= NYX_PORT61_REFRESH;
	if (ch_out(&pit->ch[2], x))
		v |= NYX_PORT61_OUT2;
	return v;
}

void nyx_pit_port61_write(struct nyx_pit *pit, u8 val, u64 now)
{
	s64 x = to_tick(now);

	advance(pit, 2, x);
	pit->port61 = val & NYX_PORT61_WRITABLE;
	set_gate(&pit->ch[2], val & NYX_PORT61_GATE2, x);
}

int nyx_pit_out(struct nyx_pit *pit, unsigned int ch, u64 now)
{
	s64 x = to_tick(now);

	if (ch >= NYX_PIT_NR_CHANNELS)
		return -1;
	advance(pit, ch, x);
	return ch_out(&pit->ch[ch], x);
}

u64 nyx_pit_irq0_edges(struct nyx_pit *pit, u64 now)
{
	u64 r;

	advance(pit, 0, to_tick(now));
	r = pit->irq_banked;
	pit->irq_banked = 0;
	return r;
}

u64 nyx_pit_irq0_next(struct nyx_pit *pit, u64 now)
{
	struct nyx_pit_channel *c = &pit->ch[0];
	unsigned int me = eff_mode(c);
	s64 x = to_tick(now), t, from;

	advance(pit, 0, x);
	if (pit->irq_banked)
		return now;
	if (pit->irq_tick > x)
		x = pit->irq_tick;	/* time went backwards: stay put */
	if (c->state != NYX_PIT_ST_RUNNING)
		return NYX_PIT_NEVER;
	t = next_cfg(me, c->load_tick, c->n, x);
	if (c->pending && (t < 0 || t > c->pending_tick)) {
		from = x > c->pending_tick ? x : c->pending_tick;
		t = next_cfg(me, c->pending_load, c->pending_n, from);
	}
	if (t < 0)
		return NYX_PIT_NEVER;
	return tick_to_ns(t);
}

/* ---- snapshot ---- */

void nyx_pit_save(const struct nyx_pit *pit, struct nyx_pit_state *st,
		  u64 now)
{
	s64 x = to_tick(now);
	unsigned int i;

	nyx_memset(st, 0, sizeof(*st));
	for (i = 0; i < NYX_PIT_NR_CHANNELS; i++) {
		const struct nyx_pit_channel *c = &pit->ch[i];
		struct nyx_pit_channel_state *s = &st->ch[i];

		if (c->state == NYX_PIT_ST_RUNNING)
			s->load_tick = (u64)(c->load_tick - x);
		if (c->pending) {
			s->pending_tick = (u64)(c->pending_tick - x);
			s->pending_load = (u64)(c->pending_load - x);
			s->pending_n = c->pending_n;
		}
		if (c->null_until == NULL_FOREVER)
			s->null_forever = 1;
		else if (c->null_until > x)
			s->null_until = (u64)(c->null_until - x);
		s->n = c->n;
		s->frozen_j = c->frozen_j;
		s->cr = c->cr;
		s->ce_hold = c->ce_hold;
		s->latch = c->latch;
		s->state = c->state;
		s->mode = c->mode;
		s->rw = c->rw;
		s->bcd = c->bcd;
		s->gate = c->gate;
		s->has_cr = c->has_cr;
		s->pending = c->pending;
		s->write_msb = c->write_msb;
		s->write_lsb = c->write_lsb;
		s->read_msb = c->read_msb;
		s->latch_state = c->latch_state;
		s->status_latched = c->status_latched;
		s->status = c->status;
		s->frozen_write = c->frozen_write;
	}
	st->irq_tick = (u64)(pit->irq_tick - x);
	st->irq_banked = pit->irq_banked;
	st->port61 = pit->port61;
}

static int rel_ok(u64 v)
{
	s64 s = (s64)v;

	return s > -REL_MAX && s < REL_MAX;
}

static int channel_valid(const struct nyx_pit_channel_state *s,
			 unsigned int idx, u8 port61)
{
	u32 m = s->bcd ? 10000 : 65536;
	unsigned int me, i;

	for (i = 0; i < sizeof(s->pad); i++)
		if (s->pad[i])
			return 0;
	if (s->state > NYX_PIT_ST_WAIT || s->mode > 7 || !s->rw ||
	    s->rw > 3 || s->bcd > 1 || s->gate > 1 || s->has_cr > 1 ||
	    s->pending > 1 || s->write_msb > 1 || s->read_msb > 1 ||
	    s->latch_state > 3 || s->status_latched > 1 ||
	    s->frozen_write > 1 || s->null_forever > 1)
		return 0;
	if (s->gate != (idx == 2 ? (port61 & NYX_PORT61_GATE2) : 1))
		return 0;
	if (!s->n || s->n > m || s->frozen_j > s->n + m + 1)
		return 0;
	if (!rel_ok(s->load_tick) || !rel_ok(s->null_until) ||
	    !rel_ok(s->pending_tick) || !rel_ok(s->pending_load))
		return 0;
	if ((s->write_msb || s->read_msb) && s->rw != 3)
		return 0;
	me = s->mode > 5 ? s->mode - 4 : s->mode;
	if (s->state != NYX_PIT_ST_RUNNING && s->load_tick)
		return 0;
	if (s->state == NYX_PIT_ST_FROZEN && me != 0 && me != 4)
		return 0;
	if (s->state == NYX_PIT_ST_WAIT && (me == 0 || me == 4 || !s->has_cr))
		return 0;
	if (s->state != NYX_PIT_ST_FROZEN && s->frozen_j)
		return 0;
	if (s->frozen_write && (me != 0 || !s->write_msb))
		return 0;
	if (s->pending) {
		if (s->state != NYX_PIT_ST_RUNNING || (me != 2 && me != 3) ||
		    !s->pending_n || s->pending_n > m)
			return 0;
	} else if (s->pending_tick || s->pending_load || s->pending_n) {
		return 0;
	}
	if (s->null_forever && s->null_until)
		return 0;
	return 1;
}

int nyx_pit_load(struct nyx_pit *pit, const struct nyx_pit_state *st,
		 u64 now)
{
	s64 x = to_tick(now);
	unsigned int i;

	for (i = 0; i < sizeof(st->pad); i++)
		if (st->pad[i])
			return -1;
	if ((st->port61 & ~NYX_PORT61_WRITABLE) || !rel_ok(st->irq_tick))
		return -1;
	for (i = 0; i < NYX_PIT_NR_CHANNELS; i++)
		if (!channel_valid(&st->ch[i], i, st->port61))
			return -1;
	for (i = 0; i < NYX_PIT_NR_CHANNELS; i++) {
		struct nyx_pit_channel *c = &pit->ch[i];
		const struct nyx_pit_channel_state *s = &st->ch[i];

		c->load_tick = x + (s64)s->load_tick;
		c->pending_tick = x + (s64)s->pending_tick;
		c->pending_load = x + (s64)s->pending_load;
		c->null_until = s->null_forever ? NULL_FOREVER :
			x + (s64)s->null_until;
		c->n = s->n;
		c->pending_n = s->pending_n;
		c->frozen_j = s->frozen_j;
		c->cr = s->cr;
		c->ce_hold = s->ce_hold;
		c->latch = s->latch;
		c->state = s->state;
		c->mode = s->mode;
		c->rw = s->rw;
		c->bcd = s->bcd;
		c->gate = s->gate;
		c->has_cr = s->has_cr;
		c->pending = s->pending;
		c->write_msb = s->write_msb;
		c->write_lsb = s->write_lsb;
		c->read_msb = s->read_msb;
		c->latch_state = s->latch_state;
		c->status_latched = s->status_latched;
		c->status = s->status;
		c->frozen_write = s->frozen_write;
	}
	pit->irq_tick = x + (s64)st->irq_tick;
	pit->irq_banked = st->irq_banked;
	pit->port61 = st->port61;
	return 0;
}
