// SPDX-License-Identifier: GPL-2.0
/*
 * Local APIC; see lapic.h for the model.
 *
 * Timer arithmetic (one-shot and periodic): the counter was loaded at t0
 * with e_off bus clocks already counted (non-zero only after a change of
 * the divisor). With L = TMICT * divisor clocks per period and E the
 * clocks counted by now, the k-th expiry is at E = k * L, i.e. at
 * t0 + ceil((k * L - e_off) / bus_hz) ns; next_k is the next one due.
 * Everything is computed from t0, so periods do not accumulate rounding.
 */
#include "lapic.h"

_Static_assert(sizeof(struct nyx_lapic_state) == 232, "lapic layout");

#define S64_MAX_		((s64)(~0ull >> 1))
#define TIME_MAX		(1ull << 61)	/* ns; see lapic.h */
#define APIC_ESR_MASK		(NYX_APIC_ESR_SEND_ILL | NYX_APIC_ESR_RECV_ILL | \
				 NYX_APIC_ESR_ILL_REG)
#define LVT_VEC			0xffu
#define LVT_DM			(7u << 8)

/* Register access status */
#define REG_OK		0
/* unimplemented: xAPIC sets ESR bit 7, x2APIC #GP */
#define REG_BAD		(-1)
#define REG_GP		(-2)	/* x2APIC #GP; xAPIC: silently ignored */

static u32 lvt_mask(const struct nyx_lapic *apic, unsigned int i)
{
	switch (i) {
	case NYX_LVT_TIMER:
		return LVT_VEC | NYX_APIC_LVT_MASKED | (1u << 17) |
		       (apic->cfg.tsc_deadline ? (1u << 18) : 0);
	case NYX_LVT_THERMAL:
	case NYX_LVT_PMC:
		return LVT_VEC | LVT_DM | NYX_APIC_LVT_MASKED;
	case NYX_LVT_LINT0:
	case NYX_LVT_LINT1:
		return LVT_VEC | LVT_DM | NYX_APIC_LVT_POLARITY |
		       NYX_APIC_LVT_LEVEL | NYX_APIC_LVT_MASKED;
	default:
		return LVT_VEC | NYX_APIC_LVT_MASKED;
	}
}

static u32 svr_mask(void)
{
	return 0x3ff | NYX_APIC_SVR_NO_EOI_BC;
}

static u64 base_reserved(const struct nyx_lapic *apic)
{
	unsigned int mp = apic->cfg.maxphyaddr;
	u64 rsvd = 0x2ff;

	if (!mp || mp > 52)
		mp = 52;
	rsvd |= ~0ull << mp;
	if (!apic->cfg.x2apic)
		rsvd |= NYX_APICBASE_EXTD;
	return rsvd;
}

int nyx_lapic_hw_enabled(const struct nyx_lapic *apic)
{
	return !!(apic->apic_base & NYX_APICBASE_EN);
}

int nyx_lapic_x2apic_mode(const struct nyx_lapic *apic)
{
	return (apic->apic_base & (NYX_APICBASE_EN | NYX_APICBASE_EXTD)) ==
	       (NYX_APICBASE_EN | NYX_APICBASE_EXTD);
}

int nyx_lapic_sw_enabled(const struct nyx_lapic *apic)
{
	return !!(apic->svr & NYX_APIC_SVR_ENABLE);
}

u32 nyx_lapic_id(const struct nyx_lapic *apic)
{
	return nyx_lapic_x2apic_mode(apic) ? apic->id : apic->id >> 24;
}

static u32 x2apic_ldr(u32 id)
{
	return ((id >> 4) << 16) | (1u << (id & 0xf));
}

/* ---- 256-bit vector registers ---- */

static int vec_test(const u32 *r, unsigned int v)
{
	return (r[(v >> 5) & 7] >> (v & 31)) & 1;
}

static void vec_set(u32 *r, unsigned int v)
{
	r[(v >> 5) & 7] |= 1u << (v & 31);
}

static void vec_clear(u32 *r, unsigned int v)
{
	r[(v >> 5) & 7] &= ~(1u << (v & 31));
}

static int vec_highest(const u32 *r)
{
	int i;

	for (i = 7; i >= 0; i--)
		if (r[i])
			return i * 32 + nyx_fls32(r[i]);
	return -1;
}

static u32 isrv(const struct nyx_lapic *apic)
{
	int v = vec_highest(apic->isr);

	return v < 0 ? 0 : (u32)v;
}

u8 nyx_lapic_ppr(const struct nyx_lapic *apic)
{
	u32 isr = isrv(apic);

	if ((apic->tpr & 0xf0) >= (isr & 0xf0))
		return apic->tpr & 0xff;
	return isr & 0xf0;
}

u8 nyx_lapic_apr(const struct nyx_lapic *apic)
{
	u32 tpr = apic->tpr & 0xf0, isr = isrv(apic) & 0xf0, irr;
	int v = vec_highest(apic->irr);
	u32 m;

	irr = v < 0 ? 0 : ((u32)v & 0xf0);
	if (tpr >= irr && tpr > isr)
		return apic->tpr & 0xff;
	m = tpr > isr ? tpr : isr;
	return m > irr ? m : irr;
}

u8 nyx_lapic_get_cr8(const struct nyx_lapic *apic)
{
	return (apic->tpr >> 4) & 0xf;
}

void nyx_lapic_set_cr8(struct nyx_lapic *apic, u8 cr8)
{
	apic->tpr = (u32)(cr8 & 0xf) << 4;
}

/* ---- interrupt acceptance ---- */

static void set_irr(struct nyx_lapic *apic, unsigned int vec, int level)
{
	vec_set(apic->irr, vec);
	if (level)
		vec_set(apic->tmr, vec);
	else
		vec_clear(apic->tmr, vec);
}

/* Record an error; raise the LVT error interrupt (never recursively). */
static void apic_error(struct nyx_lapic *apic, u32 bits)
{
	u32 lvt = apic->lvt[NYX_LVT_ERROR];
	unsigned int vec = lvt & LVT_VEC;

	apic->esr_pending |= bits;
	if (lvt & NYX_APIC_LVT_MASKED)
		return;
	if (vec < 16)
		apic->esr_pending |= NYX_APIC_ESR_RECV_ILL;
	else
		set_irr(apic, vec, 0);
}

static int accept_fixed(struct nyx_lapic *apic, unsigned int vec, int level)
{
	if (vec < 16) {
		apic_error(apic, NYX_APIC_ESR_RECV_ILL);
		return 0;
	}
	set_irr(apic, vec, level);
	return 1;
}

static void nmi_raise(struct nyx_lapic *apic)
{
	if (apic->nmi_pending < NYX_LAPIC_NMI_MAX)
		apic->nmi_pending++;
}

int nyx_lapic_accept(struct nyx_lapic *apic, const struct nyx_apic_msg *msg)
{
	if (!nyx_lapic_hw_enabled(apic))
		return 0;
	switch (msg->delivery_mode & 7) {
	case NYX_APIC_DM_FIXED:
	case NYX_APIC_DM_LOWEST:
		if (!nyx_lapic_sw_enabled(apic))
			return 0;
		return accept_fixed(apic, msg->vector, msg->trigger != 0);
	case NYX_APIC_DM_SMI:
		apic->smi_pending = 1;
		return 1;
	case NYX_APIC_DM_NMI:
		nmi_raise(apic);
		return 1;
	case NYX_APIC_DM_INIT:
		if (msg->trigger && !msg->level)
			return 1;	/* INIT level de-assert: no effect */
		apic->init_pending = 1;
		apic->sipi_pending = 0;
		return 1;
	case NYX_APIC_DM_STARTUP:
		if (!apic->wait_sipi && !apic->init_pending)
			return 0;
		apic->sipi_pending = 1;
		apic->sipi_vector = msg->vector;
		return 1;
	case NYX_APIC_DM_EXTINT:
		apic->extint_pending = 1;
		return 1;
	default:
		return 0;
	}
}

/* Deliver a local (LVT) interrupt. */
static int lvt_deliver(struct nyx_lapic *apic, unsigned int i, int level)
{
	u32 lvt = apic->lvt[i];

	if (lvt & NYX_APIC_LVT_MASKED)
		return 0;
	switch ((lvt & LVT_DM) >> 8) {
	case NYX_APIC_DM_FIXED:
		return accept_fixed(apic, lvt & LVT_VEC, level);
	case NYX_APIC_DM_SMI:
		apic->smi_pending = 1;
		return 1;
	case NYX_APIC_DM_NMI:
		nmi_raise(apic);
		return 1;
	case NYX_APIC_DM_INIT:
		apic->init_pending = 1;
		apic->sipi_pending = 0;
		return 1;
	case NYX_APIC_DM_EXTINT:
		apic->extint_pending = 1;
		return 1;
	default:
		return 0;
	}
}

int nyx_lapic_raise_lvt(struct nyx_lapic *apic, unsigned int lvt)
{
	int r;

	if (lvt >= NYX_LAPIC_NR_LVT || !nyx_lapic_hw_enabled(apic))
		return 0;
	r = lvt_deliver(apic, lvt, 0);
	if (r && lvt == NYX_LVT_PMC)
		apic->lvt[lvt] |= NYX_APIC_LVT_MASKED;
	return r;
}

int nyx_lapic_set_lint(struct nyx_lapic *apic, unsigned int pin, int level)
{
	u32 bit, lvt;
	int rising;

	if (pin > 1)
		return -1;
	bit = 1u << pin;
	rising = level && !(apic->lint & bit);
	if (level)
		apic->lint |= bit;
	else
		apic->lint &= ~bit;
	if (!nyx_lapic_hw_enabled(apic)) {
		if (pin == 1 && rising)
			nmi_raise(apic);
		return 0;
	}
	lvt = apic->lvt[NYX_LVT_LINT0 + pin];
	if ((lvt & LVT_DM) >> 8 == NYX_APIC_DM_EXTINT)
		return 0;
	if ((lvt & LVT_DM) >> 8 == NYX_APIC_DM_FIXED &&
	    (lvt & NYX_APIC_LVT_LEVEL)) {
		if (level)
			lvt_deliver(apic, NYX_LVT_LINT0 + pin, 1);
	} else if (rising) {
		lvt_deliver(apic, NYX_LVT_LINT0 + pin, 0);
	}
	return 0;
}

int nyx_lapic_accept_pic_intr(const struct nyx_lapic *apic)
{
	u32 lvt0 = apic->lvt[NYX_LVT_LINT0];

	if (!nyx_lapic_hw_enabled(apic))
		return 1;
	return !(lvt0 & NYX_APIC_LVT_MASKED) &&
	       (lvt0 & LVT_DM) >> 8 == NYX_APIC_DM_EXTINT;
}

/* ---- timer ---- */

static unsigned int timer_mode(const struct nyx_lapic *apic)
{
	return (apic->lvt[NYX_LVT_TIMER] >> NYX_APIC_LVT_TIMER_SHIFT) & 3;
}

static u32 timer_div(const struct nyx_lapic *apic)
{
	u32 v = (apic->tdcr & 3) | ((apic->tdcr >> 1) & 4);

	return v == 7 ? 1 : 2u << v;
}

static u64 timer_len(const struct nyx_lapic *apic)
{
	return (u64)apic->tmict * timer_div(apic);
}

/* Bus clocks counted by now (since the count was loaded). */
static u64 timer_elapsed(const struct nyx_lapic *apic, u64 now)
{
	s64 d;

	if ((s64)now <= apic->t0)
		return apic->e_off;
	d = (s64)now - apic->t0;
	return nyx_muldiv64((u64)d, apic->cfg.bus_hz, NYX_NSEC_PER_SEC) +
	       apic->e_off;
}

/* t0 + delta ns, clamped to [1, ~0) as a reported deadline. */
static u64 abs_deadline(s64 t0, u64 delta)
{
	if (delta >= (u64)S64_MAX_ || t0 > S64_MAX_ - (s64)delta)
		return ~0ull;
	t0 += (s64)delta;
	return t0 < 1 ? 1 : (u64)t0;
}

u64 nyx_lapic_timer_deadline(const struct nyx_lapic *apic)
{
	u64 clocks;

	if (timer_mode(apic) == NYX_APIC_TIMER_TSCDEADLINE)
		return apic->tsc_armed ?
		       (apic->tsc_deadline_ns ? apic->tsc_deadline_ns : 1) : 0;
	if (!apic->running)
		return 0;
	clocks = apic->next_k * timer_len(apic) - apic->e_off;
	return abs_deadline(apic->t0,
			    nyx_muldiv64_up(clocks, NYX_NSEC_PER_SEC,
					    apic->cfg.bus_hz));
}

/* Report a changed deadline to the caller. */
static void timer_update(struct nyx_lapic *apic)
{
	u64 d = nyx_lapic_timer_deadline(apic);

	if (d == apic->deadline)
		return;
	apic->deadline = d;
	if (apic->ops && apic->ops->timer)
		apic->ops->timer(apic->opaque, d);
}

static u32 timer_ccr(const struct nyx_lapic *apic, u64 now)
{
	u64 len, e, pos;
	u32 div;

	if (!apic->running)
		return 0;
	len = timer_len(apic);
	div = timer_div(apic);
	e = timer_elapsed(apic, now);
	if (e < apic->next_k * len) {
		pos = (apic->next_k - 1) * len;
		pos = e > pos ? e - pos : 0;
	} else if (timer_mode(apic) == NYX_APIC_TIMER_ONESHOT) {
		return 0;
	} else {
		pos = e % len;
	}
	return apic->tmict - (u32)(pos / div);
}

static void timer_fire(struct nyx_lapic *apic)
{
	lvt_deliver(apic, NYX_LVT_TIMER, 0);
}

/* Process an expiry that is due; no callback. */
static int timer_check(struct nyx_lapic *apic, u64 now)
{
	u64 len, e;

	if (timer_mode(apic) == NYX_APIC_TIMER_TSCDEADLINE) {
		if (!apic->tsc_armed || now < apic->tsc_deadline_ns)
			return 0;
		apic->tsc_armed = 0;
		apic->tsc_deadline = 0;
		timer_fire(apic);
		return 1;
	}
	if (!apic->running)
		return 0;
	len = timer_len(apic);
	e = timer_elapsed(apic, now);
	if (e < apic->next_k * len)
		return 0;
	if (timer_mode(apic) == NYX_APIC_TIMER_PERIODIC)
		apic->next_k = e / len + 1;
	else
		apic->running = 0;
	timer_fire(apic);
	return 1;
}

int nyx_lapic_timer_expire(struct nyx_lapic *apic, u64 now)
{
	int r = timer_check(apic, now);

	timer_update(apic);
	return r;
}

static void timer_stop(struct nyx_lapic *apic)
{
	apic->running = 0;
	apic->tsc_armed = 0;
	apic->tsc_deadline = 0;
}

static void timer_start(struct nyx_lapic *apic, u64 now)
{
	unsigned int mode = timer_mode(apic);

	apic->running = apic->tmict &&
			(mode == NYX_APIC_TIMER_ONESHOT ||
			 mode == NYX_APIC_TIMER_PERIODIC);
	apic->t0 = (s64)now;
	apic->e_off = 0;
	apic->next_k = 1;
}

static void set_tdcr(struct nyx_lapic *apic, u32 val, u64 now)
{
	u32 ccr = timer_ccr(apic, now);

	apic->tdcr = val & 0xb;
	if (!apic->running)
		return;
	/* Keep the current count; count on at the new rate from now. */
	apic->t0 = (s64)now;
	apic->e_off = (u64)(apic->tmict - ccr) * timer_div(apic);
	apic->next_k = 1;
}

static void set_lvtt(struct nyx_lapic *apic, u32 val)
{
	unsigned int old = timer_mode(apic), mode;

	apic->lvt[NYX_LVT_TIMER] = val;
	mode = timer_mode(apic);
	if (old == mode)
		return;
	/* Only one-shot <-> periodic keeps the timer running. */
	if (old > NYX_APIC_TIMER_PERIODIC || mode > NYX_APIC_TIMER_PERIODIC) {
		timer_stop(apic);
		apic->tmict = 0;
	}
}

u64 nyx_lapic_get_tsc_deadline(const struct nyx_lapic *apic)
{
	if (timer_mode(apic) != NYX_APIC_TIMER_TSCDEADLINE)
		return 0;
	return apic->tsc_deadline;
}

void nyx_lapic_set_tsc_deadline(struct nyx_lapic *apic, u64 tsc,
				u64 deadline_ns, u64 now)
{
	if (!nyx_lapic_hw_enabled(apic) ||
	    timer_mode(apic) != NYX_APIC_TIMER_TSCDEADLINE)
		return;
	apic->tsc_deadline = tsc;
	apic->tsc_armed = tsc != 0;
	if (deadline_ns > TIME_MAX)
		deadline_ns = TIME_MAX;		/* 73 years: never */
	apic->tsc_deadline_ns = deadline_ns ? deadline_ns : 1;
	timer_check(apic, now);
	timer_update(apic);
}

u64 nyx_lapic_tsc_to_ns(u64 tsc_deadline, u64 tsc_now, u64 now_ns,
			u32 tsc_khz)
{
	u64 delta;

	if (tsc_deadline <= tsc_now || !tsc_khz)
		return now_ns;
	delta = nyx_muldiv64_up(tsc_deadline - tsc_now, 1000000, tsc_khz);
	if (delta > ~0ull - now_ns)
		return ~0ull;
	return now_ns + delta;
}

/* ---- reset ---- */

static void regs_reset(struct nyx_lapic *apic)
{
	unsigned int i;

	apic->tpr = 0;
	apic->ldr = nyx_lapic_x2apic_mode(apic) ? x2apic_ldr(apic->id) : 0;
	apic->dfr = 0xffffffff;
	apic->svr = 0xff;
	apic->esr = 0;
	apic->esr_pending = 0;
	apic->icr_lo = 0;
	apic->icr_hi = 0;
	for (i = 0; i < NYX_LAPIC_NR_LVT; i++)
		apic->lvt[i] = NYX_APIC_LVT_MASKED;
	if (apic->cfg.virtual_wire && (apic->apic_base & NYX_APICBASE_BSP))
		apic->lvt[NYX_LVT_LINT0] = NYX_APIC_DM_EXTINT << 8;
	apic->tmict = 0;
	apic->tdcr = 0;
	for (i = 0; i < 8; i++) {
		apic->irr[i] = 0;
		apic->isr[i] = 0;
		apic->tmr[i] = 0;
	}
	timer_stop(apic);
	apic->t0 = 0;
	apic->e_off = 0;
	apic->next_k = 1;
	apic->tsc_deadline_ns = 0;
}

void nyx_lapic_reset(struct nyx_lapic *apic)
{
	apic->apic_base = NYX_LAPIC_DEFAULT_BASE | NYX_APICBASE_EN |
			  (apic->cfg.bsp ? NYX_APICBASE_BSP : 0);
	apic->id = (apic->cfg.apic_id & 0xff) << 24;
	regs_reset(apic);
	apic->nmi_pending = 0;
	apic->smi_pending = 0;
	apic->init_pending = 0;
	apic->sipi_pending = 0;
	apic->sipi_vector = 0;
	apic->extint_pending = 0;
	apic->lint = 0;
	apic->wait_sipi = !apic->cfg.bsp;
	timer_update(apic);
}

void nyx_lapic_init(struct nyx_lapic *apic, const struct nyx_lapic_config *cfg,
		    const struct nyx_lapic_ops *ops, void *opaque)
{
	nyx_memset(apic, 0, sizeof(*apic));
	apic->cfg = *cfg;
	if (apic->cfg.bus_hz < 1000000)
		apic->cfg.bus_hz = NYX_NSEC_PER_SEC;
	apic->ops = ops;
	apic->opaque = opaque;
	nyx_lapic_reset(apic);
}

/* ---- IA32_APIC_BASE ---- */

#define MODE_DISABLED	0
#define MODE_INVALID	1
#define MODE_XAPIC	2
#define MODE_X2APIC	3

static int base_mode(u64 base)
{
	return (!!(base & NYX_APICBASE_EN) << 1) |
	       !!(base & NYX_APICBASE_EXTD);
}

u64 nyx_lapic_get_base(const struct nyx_lapic *apic)
{
	return apic->apic_base;
}

int nyx_lapic_set_base(struct nyx_lapic *apic, u64 val, u64 now)
{
	int old = base_mode(apic->apic_base), mode = base_mode(val);

	if (val & base_reserved(apic))
		return -1;
	if (mode == MODE_INVALID ||
	    (old == MODE_X2APIC && mode == MODE_XAPIC) ||
	    (old == MODE_DISABLED && mode == MODE_X2APIC))
		return -1;
	timer_check(apic, now);
	apic->apic_base = val;
	if (old != mode) {
		if (mode == MODE_DISABLED) {
			apic->id = (apic->cfg.apic_id & 0xff) << 24;
			regs_reset(apic);
		} else if (mode == MODE_XAPIC) {
			apic->id = (apic->cfg.apic_id & 0xff) << 24;
		} else {
			apic->id = apic->cfg.apic_id;
			apic->ldr = x2apic_ldr(apic->id);
		}
	}
	timer_update(apic);
	return 0;
}

u64 nyx_lapic_mmio_base(const struct nyx_lapic *apic)
{
	if (base_mode(apic->apic_base) != MODE_XAPIC)
		return ~0ull;
	return apic->apic_base & NYX_APICBASE_ADDR & ~base_reserved(apic);
}

/* ---- EOI, IPIs ---- */

static void do_eoi(struct nyx_lapic *apic)
{
	int v = vec_highest(apic->isr);

	if (v < 0)
		return;
	vec_clear(apic->isr, v);
	if (vec_test(apic->tmr, v) && !(apic->svr & NYX_APIC_SVR_NO_EOI_BC) &&
	    apic->ops && apic->ops->eoi)
		apic->ops->eoi(apic->opaque, (u8)v);
}

void nyx_lapic_eoi(struct nyx_lapic *apic)
{
	do_eoi(apic);
}

int nyx_lapic_pv_eoi_vector(const struct nyx_lapic *apic)
{
	int v = vec_highest(apic->isr);

	/* nothing else waiting: an EOI that exits late delays nobody; an
	 * edge vector: a level one must reach the I/O APIC at once */
	if (v < 0 || vec_highest(apic->irr) >= 0 || vec_test(apic->tmr, v))
		return -1;
	return v;
}

static void send_ipi(struct nyx_lapic *apic, u32 lo, u32 dest)
{
	struct nyx_apic_msg msg;

	nyx_memset(&msg, 0, sizeof(msg));
	msg.vector = lo & 0xff;
	msg.delivery_mode = (lo >> 8) & 7;
	msg.dest_mode = (lo >> 11) & 1;
	msg.level = (lo >> 14) & 1;
	msg.trigger = (lo >> 15) & 1;
	msg.shorthand = (lo >> 18) & 3;
	msg.dest = dest;
	msg.x2apic = nyx_lapic_x2apic_mode(apic);
	msg.src = nyx_lapic_id(apic);
	if ((msg.delivery_mode == NYX_APIC_DM_FIXED ||
	     msg.delivery_mode == NYX_APIC_DM_LOWEST) && msg.vector < 16) {
		apic_error(apic, NYX_APIC_ESR_SEND_ILL);
		return;
	}
	if (msg.delivery_mode == NYX_APIC_DM_REMRD)
		return;
	if (apic->ops && apic->ops->ipi)
		apic->ops->ipi(apic->opaque, &msg);
}

static void set_svr(struct nyx_lapic *apic, u32 val)
{
	unsigned int i;

	apic->svr = val & svr_mask();
	if (!(apic->svr & NYX_APIC_SVR_ENABLE))
		for (i = 0; i < NYX_LAPIC_NR_LVT; i++)
			apic->lvt[i] |= NYX_APIC_LVT_MASKED;
}

/* ---- register file ---- */

static int reg_read(struct nyx_lapic *apic, u32 off, int x2, u64 *val,
		    u64 now)
{
	unsigned int idx = (off >> 4) & 7;

	switch (off) {
	case NYX_APIC_ID:
		*val = apic->id;
		return REG_OK;
	case NYX_APIC_LVR:
		*val = NYX_LAPIC_VERSION;
		return REG_OK;
	case NYX_APIC_TPR:
		*val = apic->tpr;
		return REG_OK;
	case NYX_APIC_APR:
		if (x2)
			return REG_BAD;
		*val = nyx_lapic_apr(apic);
		return REG_OK;
	case NYX_APIC_PPR:
		*val = nyx_lapic_ppr(apic);
		return REG_OK;
	case NYX_APIC_EOI:
		*val = 0;
		return x2 ? REG_GP : REG_OK;
	case NYX_APIC_RRD:
		*val = 0;
		return x2 ? REG_BAD : REG_OK;
	case NYX_APIC_LDR:
		*val = apic->ldr;
		return REG_OK;
	case NYX_APIC_DFR:
		if (x2)
			return REG_BAD;
		*val = apic->dfr;
		return REG_OK;
	case NYX_APIC_SVR:
		*val = apic->svr;
		return REG_OK;
	case NYX_APIC_ESR:
		*val = apic->esr;
		return REG_OK;
	case NYX_APIC_ICR:
		*val = apic->icr_lo;
		if (x2)
			*val |= (u64)apic->icr_hi << 32;
		return REG_OK;
	case NYX_APIC_ICR2:
		if (x2)
			return REG_BAD;
		*val = apic->icr_hi;
		return REG_OK;
	case NYX_APIC_LVTT:
	case NYX_APIC_LVTTHMR:
	case NYX_APIC_LVTPC:
	case NYX_APIC_LVT0:
	case NYX_APIC_LVT1:
	case NYX_APIC_LVTERR:
		*val = apic->lvt[((off - NYX_APIC_LVTT) >> 4) % NYX_LAPIC_NR_LVT];
		return REG_OK;
	case NYX_APIC_TMICT:
		*val = apic->tmict;
		return REG_OK;
	case NYX_APIC_TMCCT:
		*val = timer_ccr(apic, now);
		return REG_OK;
	case NYX_APIC_TDCR:
		*val = apic->tdcr;
		return REG_OK;
	case NYX_APIC_SELF_IPI:
		return x2 ? REG_GP : REG_BAD;
	default:
		break;
	}
	if (off >= NYX_APIC_ISR && off < NYX_APIC_ISR + 0x80) {
		*val = apic->isr[idx];
		return REG_OK;
	}
	if (off >= NYX_APIC_TMR && off < NYX_APIC_TMR + 0x80) {
		*val = apic->tmr[idx];
		return REG_OK;
	}
	if (off >= NYX_APIC_IRR && off < NYX_APIC_IRR + 0x80) {
		*val = apic->irr[idx];
		return REG_OK;
	}
	return REG_BAD;
}

static int reg_write(struct nyx_lapic *apic, u32 off, int x2, u64 val,
		     u64 now)
{
	u32 v = (u32)val;

	if (x2 && off != NYX_APIC_ICR && (val >> 32))
		return REG_GP;
	switch (off) {
	case NYX_APIC_ID:
		if (x2)
			return REG_GP;
		apic->id = v & 0xff000000;
		return REG_OK;
	case NYX_APIC_TPR:
		if (x2 && (v & ~0xffu))
			return REG_GP;
		apic->tpr = v & 0xff;
		return REG_OK;
	case NYX_APIC_EOI:
		if (x2 && v)
			return REG_GP;
		do_eoi(apic);
		return REG_OK;
	case NYX_APIC_LDR:
		if (x2)
			return REG_GP;
		apic->ldr = v & 0xff000000;
		return REG_OK;
	case NYX_APIC_DFR:
		if (x2)
			return REG_BAD;
		apic->dfr = v | 0x0fffffff;
		return REG_OK;
	case NYX_APIC_SVR:
		set_svr(apic, v);
		return REG_OK;
	case NYX_APIC_ESR:
		if (x2 && v)
			return REG_GP;
		apic->esr = apic->esr_pending;
		apic->esr_pending = 0;
		return REG_OK;
	case NYX_APIC_ICR:
		apic->icr_lo = v & NYX_APIC_ICR_LO_MASK;
		if (x2)
			apic->icr_hi = (u32)(val >> 32);
		send_ipi(apic, apic->icr_lo,
			 x2 ? apic->icr_hi : apic->icr_hi >> 24);
		return REG_OK;
	case NYX_APIC_ICR2:
		if (x2)
			return REG_BAD;
		apic->icr_hi = v & 0xff000000;
		return REG_OK;
	case NYX_APIC_LVTT:
	case NYX_APIC_LVTTHMR:
	case NYX_APIC_LVTPC:
	case NYX_APIC_LVT0:
	case NYX_APIC_LVT1:
	case NYX_APIC_LVTERR: {
		unsigned int i = ((off - NYX_APIC_LVTT) >> 4) % NYX_LAPIC_NR_LVT;

		v &= lvt_mask(apic, i);
		if (!nyx_lapic_sw_enabled(apic))
			v |= NYX_APIC_LVT_MASKED;
		if (i == NYX_LVT_TIMER)
			set_lvtt(apic, v);
		else
			apic->lvt[i] = v;
		return REG_OK;
	}
	case NYX_APIC_TMICT:
		if (timer_mode(apic) == NYX_APIC_TIMER_TSCDEADLINE)
			return REG_OK;
		apic->tmict = v;
		timer_start(apic, now);
		return REG_OK;
	case NYX_APIC_TDCR:
		set_tdcr(apic, v, now);
		return REG_OK;
	case NYX_APIC_SELF_IPI:
		if (!x2)
			return REG_BAD;
		if (v & ~0xffu)
			return REG_GP;
		if (v < 16)
			apic_error(apic, NYX_APIC_ESR_SEND_ILL);
		else if (nyx_lapic_sw_enabled(apic))
			set_irr(apic, v, 0);
		return REG_OK;
	case NYX_APIC_LVR:
	case NYX_APIC_PPR:
	case NYX_APIC_TMCCT:
		return REG_GP;
	case NYX_APIC_APR:
	case NYX_APIC_RRD:
		return x2 ? REG_BAD : REG_GP;
	default:
		break;
	}
	if (off >= NYX_APIC_ISR && off < NYX_APIC_IRR + 0x80)
		return REG_GP;		/* ISR, TMR, IRR: read-only */
	return REG_BAD;
}

u32 nyx_lapic_mmio_read(struct nyx_lapic *apic, u32 offset, unsigned int len,
			u64 now)
{
	unsigned int sub = offset & 0xf;
	u64 val = 0;

	if (base_mode(apic->apic_base) != MODE_XAPIC)
		return len >= 4 ? 0xffffffffu : (1u << (len * 8)) - 1;
	if ((len != 1 && len != 2 && len != 4) || sub + len > 4 ||
	    offset >= 0x1000)
		return 0;
	if (reg_read(apic, offset & 0xff0, 0, &val, now) != REG_OK) {
		apic_error(apic, NYX_APIC_ESR_ILL_REG);
		return 0;
	}
	val >>= sub * 8;
	if (len < 4)
		val &= (1u << (len * 8)) - 1;
	return (u32)val;
}

void nyx_lapic_mmio_write(struct nyx_lapic *apic, u32 offset,
			  unsigned int len, u32 val, u64 now)
{
	if (base_mode(apic->apic_base) != MODE_XAPIC)
		return;
	if (len != 4 || (offset & 0xf) || offset >= 0x1000)
		return;
	timer_check(apic, now);
	if (reg_write(apic, offset, 0, val, now) == REG_BAD)
		apic_error(apic, NYX_APIC_ESR_ILL_REG);
	timer_update(apic);
}

int nyx_lapic_msr_read(struct nyx_lapic *apic, u32 msr, u64 *val, u64 now)
{
	*val = 0;
	if (msr < NYX_MSR_X2APIC_FIRST || msr > NYX_MSR_X2APIC_LAST ||
	    !nyx_lapic_x2apic_mode(apic))
		return -1;
	if (reg_read(apic, (msr - NYX_MSR_X2APIC_FIRST) << 4, 1, val, now)) {
		*val = 0;
		return -1;
	}
	return 0;
}

int nyx_lapic_msr_write(struct nyx_lapic *apic, u32 msr, u64 val, u64 now)
{
	int r;

	if (msr < NYX_MSR_X2APIC_FIRST || msr > NYX_MSR_X2APIC_LAST ||
	    !nyx_lapic_x2apic_mode(apic))
		return -1;
	timer_check(apic, now);
	r = reg_write(apic, (msr - NYX_MSR_X2APIC_FIRST) << 4, 1, val, now);
	timer_update(apic);
	return r ? -1 : 0;
}

/* ---- bus ---- */

static int match_logical(const struct nyx_lapic *apic,
			 const struct nyx_apic_msg *msg)
{
	u32 d = msg->dest, l;

	if (msg->x2apic ? d == NYX_X2APIC_BROADCAST : d == NYX_APIC_BROADCAST)
		return 1;
	if (nyx_lapic_x2apic_mode(apic))
		return (d >> 16) == (apic->ldr >> 16) &&
		       (d & apic->ldr & 0xffff) != 0;
	d &= 0xff;
	l = apic->ldr >> 24;
	switch (apic->dfr >> 28) {
	case 0xf:	/* flat */
		return (d & l) != 0;
	case 0x0:	/* cluster */
		return (d >> 4) == (l >> 4) && (d & l & 0xf) != 0;
	default:
		return 0;
	}
}

int nyx_lapic_match(const struct nyx_lapic *apic, const struct nyx_apic_msg *msg,
		    int is_self)
{
	u32 bc;

	if (!nyx_lapic_hw_enabled(apic))
		return 0;
	switch (msg->shorthand & 3) {
	case NYX_APIC_SH_SELF:
		return is_self;
	case NYX_APIC_SH_ALL:
		return 1;
	case NYX_APIC_SH_OTHERS:
		return !is_self;
	default:
		break;
	}
	if (msg->dest_mode)
		return match_logical(apic, msg);
	bc = msg->x2apic ? NYX_X2APIC_BROADCAST : NYX_APIC_BROADCAST;
	return msg->dest == bc || msg->dest == nyx_lapic_id(apic);
}

int nyx_apic_bus_deliver(struct nyx_lapic *const *apics, unsigned int n,
			 const struct nyx_apic_msg *msg,
			 const struct nyx_lapic *src, unsigned int *rr)
{
	unsigned int i, j, start = rr ? *rr : 0;
	int lowest, best = -1, focus = -1, count = 0;
	u8 best_apr = 0, apr;

	lowest = msg->delivery_mode == NYX_APIC_DM_LOWEST ||
		 (msg->delivery_mode == NYX_APIC_DM_FIXED && msg->redir_hint);
	if (!n)
		return 0;
	if (!lowest) {
		for (i = 0; i < n; i++)
			if (apics[i] && nyx_lapic_match(apics[i], msg,
							apics[i] == src))
				count += nyx_lapic_accept(apics[i], msg);
		return count;
	}
	for (j = 0; j < n; j++) {
		struct nyx_lapic *a;

		i = (start + j) % n;
		a = apics[i];
		if (!a || !nyx_lapic_match(a, msg, a == src) ||
		    !nyx_lapic_sw_enabled(a))
			continue;
		if (!(a->svr & NYX_APIC_SVR_FOCUS_OFF) &&
		    (vec_test(a->irr, msg->vector) ||
		     vec_test(a->isr, msg->vector))) {
			focus = i;
			break;
		}
		apr = nyx_lapic_apr(a);
		if (best < 0 || apr < best_apr) {
			best = i;
			best_apr = apr;
		}
	}
	if (focus >= 0)
		best = focus;
	if (best < 0)
		return 0;
	if (rr)
		*rr = (best + 1) % n;
	return nyx_lapic_accept(apics[best], msg);
}

/* ---- CPU side ---- */

int nyx_lapic_pending_vector(const struct nyx_lapic *apic)
{
	int v;

	if (!nyx_lapic_hw_enabled(apic))
		return -1;
	v = vec_highest(apic->irr);
	if (v < 0 || ((u32)v & 0xf0) <= (nyx_lapic_ppr(apic) & 0xf0u))
		return -1;
	return v;
}

int nyx_lapic_ack(struct nyx_lapic *apic, u8 vector)
{
	if (!vec_test(apic->irr, vector))
		return -1;
	vec_clear(apic->irr, vector);
	vec_set(apic->isr, vector);
	return 0;
}

int nyx_lapic_take_init(struct nyx_lapic *apic)
{
	if (!apic->init_pending)
		return 0;
	apic->init_pending = 0;
	regs_reset(apic);
	apic->nmi_pending = 0;
	apic->smi_pending = 0;
	apic->extint_pending = 0;
	apic->wait_sipi = !(apic->apic_base & NYX_APICBASE_BSP);
	timer_update(apic);
	return 1;
}

int nyx_lapic_take_sipi(struct nyx_lapic *apic)
{
	int ok = apic->sipi_pending && apic->wait_sipi;

	if (apic->init_pending)
		return -1;	/* the INIT comes first */
	apic->sipi_pending = 0;
	if (!ok)
		return -1;
	apic->wait_sipi = 0;
	return apic->sipi_vector;
}

int nyx_lapic_take_nmi(struct nyx_lapic *apic)
{
	if (!apic->nmi_pending)
		return 0;
	apic->nmi_pending--;
	return 1;
}

int nyx_lapic_take_smi(struct nyx_lapic *apic)
{
	int r = apic->smi_pending;

	apic->smi_pending = 0;
	return r;
}

int nyx_lapic_take_extint(struct nyx_lapic *apic)
{
	int r = apic->extint_pending;

	apic->extint_pending = 0;
	return r;
}

int nyx_lapic_wait_for_sipi(const struct nyx_lapic *apic)
{
	return apic->wait_sipi;
}

u32 nyx_lapic_nmi_pending(const struct nyx_lapic *apic)
{
	return apic->nmi_pending;
}

/* ---- snapshot ---- */

void nyx_lapic_save(const struct nyx_lapic *apic, struct nyx_lapic_state *st,
		    u64 now)
{
	unsigned int i;

	nyx_memset(st, 0, sizeof(*st));
	st->apic_base = apic->apic_base;
	st->tsc_deadline = apic->tsc_deadline;
	/* relative times, two's complement (u64 arithmetic wraps) */
	st->tsc_deadline_ns = apic->tsc_armed ? apic->tsc_deadline_ns - now : 0;
	st->timer_t0 = apic->running ? (u64)apic->t0 - now : 0;
	st->timer_e_off = apic->running ? apic->e_off : 0;
	st->timer_next_k = apic->running ? apic->next_k : 1;
	st->id = apic->id;
	st->ldr = apic->ldr;
	st->dfr = apic->dfr;
	st->svr = apic->svr;
	st->tpr = apic->tpr;
	st->esr = apic->esr;
	st->esr_pending = apic->esr_pending;
	st->icr_lo = apic->icr_lo;
	st->icr_hi = apic->icr_hi;
	st->tmict = apic->tmict;
	st->tdcr = apic->tdcr;
	st->nmi_pending = apic->nmi_pending;
	for (i = 0; i < NYX_LAPIC_NR_LVT; i++)
		st->lvt[i] = apic->lvt[i];
	for (i = 0; i < 8; i++) {
		st->irr[i] = apic->irr[i];
		st->isr[i] = apic->isr[i];
		st->tmr[i] = apic->tmr[i];
	}
	st->timer_running = apic->running;
	st->tsc_armed = apic->tsc_armed;
	st->smi_pending = apic->smi_pending;
	st->init_pending = apic->init_pending;
	st->sipi_pending = apic->sipi_pending;
	st->sipi_vector = apic->sipi_vector;
	st->wait_sipi = apic->wait_sipi;
	st->extint_pending = apic->extint_pending;
	st->lint = apic->lint;
}

/* |rel| limit for relative times in a snapshot (about 146 years). */
#define REL_MAX		(1ll << 62)

static int rel_ok(u64 v)
{
	s64 s = (s64)v;

	return s > -REL_MAX && s < REL_MAX;
}

static int state_valid(const struct nyx_lapic *apic,
		       const struct nyx_lapic_state *st)
{
	int mode = base_mode(st->apic_base);
	unsigned int i, tmode;
	u64 len;

	for (i = 0; i < sizeof(st->pad); i++)
		if (st->pad[i])
			return 0;
	if ((st->apic_base & base_reserved(apic)) || mode == MODE_INVALID)
		return 0;
	if (mode == MODE_X2APIC) {
		if (st->id != apic->cfg.apic_id || st->ldr != x2apic_ldr(st->id))
			return 0;
	} else if ((st->id & 0x00ffffff) || (st->ldr & 0x00ffffff) ||
		   (st->icr_hi & 0x00ffffff)) {
		return 0;
	}
	if ((st->dfr & 0x0fffffff) != 0x0fffffff || (st->svr & ~svr_mask()) ||
	    st->tpr > 0xff || (st->esr & ~APIC_ESR_MASK) ||
	    (st->esr_pending & ~APIC_ESR_MASK) ||
	    (st->icr_lo & ~NYX_APIC_ICR_LO_MASK) || (st->tdcr & ~0xbu) ||
	    st->nmi_pending > NYX_LAPIC_NMI_MAX)
		return 0;
	for (i = 0; i < NYX_LAPIC_NR_LVT; i++) {
		if (st->lvt[i] & ~lvt_mask(apic, i))
			return 0;
		if (!(st->svr & NYX_APIC_SVR_ENABLE) &&
		    !(st->lvt[i] & NYX_APIC_LVT_MASKED))
			return 0;
	}
	if ((st->irr[0] | st->isr[0] | st->tmr[0]) & 0xffff)
		return 0;
	if (st->timer_running > 1 || st->tsc_armed > 1 ||
	    st->smi_pending > 1 || st->init_pending > 1 ||
	    st->sipi_pending > 1 || st->wait_sipi > 1 ||
	    st->extint_pending > 1 || st->lint > 3)
		return 0;
	tmode = (st->lvt[NYX_LVT_TIMER] >> NYX_APIC_LVT_TIMER_SHIFT) & 3;
	if (st->tsc_armed != (st->tsc_deadline != 0))
		return 0;
	if (st->tsc_armed && (tmode != NYX_APIC_TIMER_TSCDEADLINE ||
			      !rel_ok(st->tsc_deadline_ns)))
		return 0;
	if (st->timer_running) {
		if (tmode > NYX_APIC_TIMER_PERIODIC || !st->tmict ||
		    !rel_ok(st->timer_t0) || !st->timer_next_k)
			return 0;
		i = (st->tdcr & 3) | ((st->tdcr >> 1) & 4);
		len = (u64)st->tmict * (i == 7 ? 1 : 2u << i);
		if (st->timer_e_off >= len ||
		    st->timer_next_k > (1ull << 62) / len)
			return 0;
	} else if (st->timer_t0 || st->timer_e_off || st->timer_next_k != 1) {
		return 0;
	}
	return 1;
}

int nyx_lapic_load(struct nyx_lapic *apic, const struct nyx_lapic_state *st,
		   u64 now)
{
	unsigned int i;

	if (!state_valid(apic, st))
		return -1;
	apic->apic_base = st->apic_base;
	apic->id = st->id;
	apic->ldr = st->ldr;
	apic->dfr = st->dfr;
	apic->svr = st->svr;
	apic->tpr = st->tpr;
	apic->esr = st->esr;
	apic->esr_pending = st->esr_pending;
	apic->icr_lo = st->icr_lo;
	apic->icr_hi = st->icr_hi;
	apic->tmict = st->tmict;
	apic->tdcr = st->tdcr;
	apic->nmi_pending = st->nmi_pending;
	for (i = 0; i < NYX_LAPIC_NR_LVT; i++)
		apic->lvt[i] = st->lvt[i];
	for (i = 0; i < 8; i++) {
		apic->irr[i] = st->irr[i];
		apic->isr[i] = st->isr[i];
		apic->tmr[i] = st->tmr[i];
	}
	apic->running = st->timer_running;
	apic->t0 = (s64)(now + st->timer_t0);
	apic->e_off = st->timer_e_off;
	apic->next_k = st->timer_next_k;
	apic->tsc_armed = st->tsc_armed;
	apic->tsc_deadline = st->tsc_deadline;
	if (st->tsc_armed) {
		s64 d = (s64)(now + st->tsc_deadline_ns);

		apic->tsc_deadline_ns = d < 1 ? 1 : (u64)d;
	} else {
		apic->tsc_deadline_ns = 0;
	}
	apic->smi_pending = st->smi_pending;
	apic->init_pending = st->init_pending;
	apic->sipi_pending = st->sipi_pending;
	apic->sipi_vector = st->sipi_vector;
	apic->wait_sipi = st->wait_sipi;
	apic->extint_pending = st->extint_pending;
	apic->lint = st->lint;
	timer_update(apic);
	return 0;
}
