// SPDX-License-Identifier: GPL-2.0
/*
 * MC146818 RTC/CMOS. See hw/rtc.h for the model; times below are in ns of
 * the time source unless named *_sec.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "core/affinity.h"
#include "core/bus.h"
#include "core/irq.h"
#include "hw/rtc.h"

#define RTC_HZ			32768
#define SECS_PER_DAY		86400

/* ---------------------------------------------------------------------
 * Calendar (proleptic Gregorian, days since 1970-01-01)
 */
s64 rtc_days_from_civil(s64 y, unsigned int m, unsigned int d)
{
	s64 era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void rtc_civil_from_days(s64 z, s64 *year, unsigned int *month,
			 unsigned int *day)
{
	s64 era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*day = doy - (153 * mp + 2) / 5 + 1;
	*month = mp < 10 ? mp + 3 : mp - 9;
	*year = yoe + era * 400 + (*month <= 2);
}

static s64 floor_div(s64 a, s64 b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* ---------------------------------------------------------------------
 * Register encoding
 */
static bool binary(const struct rtc *r)
{
	return r->st.cmos[RTC_REG_B] & RTC_B_DM_BINARY;
}

static u8 to_reg(const struct rtc *r, unsigned int v)
{
	return binary(r) ? v : ((v / 10) << 4) | (v % 10);
}

static unsigned int from_reg(const struct rtc *r, u8 v)
{
	return binary(r) ? v : (v >> 4) * 10 + (v & 0xf);
}

static u8 hours_to_reg(const struct rtc *r, unsigned int h)
{
	if (r->st.cmos[RTC_REG_B] & RTC_B_24H)
		return to_reg(r, h);
	return to_reg(r, h % 12 ? h % 12 : 12) | (h >= 12 ? 0x80 : 0);
}

static unsigned int hours_from_reg(const struct rtc *r, u8 v)
{
	unsigned int h;

	if (r->st.cmos[RTC_REG_B] & RTC_B_24H)
		return from_reg(r, v);
	h = from_reg(r, v & 0x7f) % 12;		/* 12 AM is hour 0 */
	return v & 0x80 ? h + 12 : h;
}

static unsigned int clamp(unsigned int v, unsigned int lo, unsigned int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* ---------------------------------------------------------------------
 * Time
 */
static bool running(const struct rtc *r)
{
	return !(r->st.cmos[RTC_REG_B] & RTC_B_SET) &&
	       (r->st.cmos[RTC_REG_A] & RTC_A_DV) == RTC_A_DV_NORMAL;
}

static s64 source_sec(u64 now)
{
	return (s64)(now / NSEC_PER_SEC);
}

/* Time registers from guest time t (seconds since the epoch). */
static void write_time_regs(struct rtc *r, s64 t)
{
	s64 days = floor_div(t, SECS_PER_DAY), secs = t - days * SECS_PER_DAY;
	unsigned int month, day;
	s64 year;
	u8 *c = r->st.cmos;

	rtc_civil_from_days(days, &year, &month, &day);
	c[RTC_SECONDS] = to_reg(r, secs % 60);
	c[RTC_MINUTES] = to_reg(r, secs / 60 % 60);
	c[RTC_HOURS] = hours_to_reg(r, secs / 3600);
	c[RTC_DAY_OF_WEEK] = to_reg(r, (days % 7 + 11) % 7 + 1);
	c[RTC_DAY_OF_MONTH] = to_reg(r, day);
	c[RTC_MONTH] = to_reg(r, month);
	c[RTC_YEAR] = to_reg(r, ((year % 100) + 100) % 100);
	c[CMOS_CENTURY] = to_reg(r, clamp(floor_div(year, 100), 0, 99));
}

/* Guest time the registers hold (out-of-range fields are clamped). */
static s64 read_time_regs(const struct rtc *r)
{
	const u8 *c = r->st.cmos;
	unsigned int year = clamp(from_reg(r, c[RTC_YEAR]), 0, 99) +
			    100 * clamp(from_reg(r, c[CMOS_CENTURY]), 0, 99);
	unsigned int month = clamp(from_reg(r, c[RTC_MONTH]), 1, 12);
	unsigned int day = clamp(from_reg(r, c[RTC_DAY_OF_MONTH]), 1, 31);
	unsigned int h = clamp(hours_from_reg(r, c[RTC_HOURS]), 0, 23);
	unsigned int m = clamp(from_reg(r, c[RTC_MINUTES]), 0, 59);
	unsigned int s = clamp(from_reg(r, c[RTC_SECONDS]), 0, 59);

	return rtc_days_from_civil(year, month, day) * SECS_PER_DAY +
	       h * 3600 + m * 60 + s;
}

/* While running, the time registers are a function of the clock. */
static void refresh_time(struct rtc *r, u64 now)
{
	if (running(r))
		write_time_regs(r, source_sec(now) + r->st.offset_sec);
}

/* The registers now hold the time the guest wants. */
static void adopt_time(struct rtc *r, u64 now)
{
	r->st.offset_sec = read_time_regs(r) - source_sec(now);
}

/* ---------------------------------------------------------------------
 * Interrupts
 */
static void update_irq(struct rtc *r)
{
	u8 *c = &r->st.cmos[RTC_REG_C];
	u8 b = r->st.cmos[RTC_REG_B];
	bool level;

	if (((*c & RTC_C_PF) && (b & RTC_B_PIE)) ||
	    ((*c & RTC_C_AF) && (b & RTC_B_AIE)) ||
	    ((*c & RTC_C_UF) && (b & RTC_B_UIE)))
		*c |= RTC_C_IRQF;
	level = *c & RTC_C_IRQF;
	if (level != r->irq_level) {
		r->irq_level = level;
		irq_line(RTC_IRQ, level);
	}
}

/* Periodic interrupt period in 32.768 kHz cycles, 0 if off. */
static u64 period_cycles(const struct rtc *r)
{
	unsigned int rs = r->st.cmos[RTC_REG_A] & RTC_A_RS;

	if (!rs || (r->st.cmos[RTC_REG_A] & RTC_A_DV) != RTC_A_DV_NORMAL)
		return 0;
	if (rs <= 2)
		rs += 7;	/* 1 and 2 repeat rates 8 and 9 */
	return 1ull << (rs - 1);
}

/* One alarm field: "don't care" or a match. */
static bool alarm_field(u8 alarm, unsigned int value, unsigned int want)
{
	return (alarm & RTC_ALARM_DONT_CARE) == RTC_ALARM_DONT_CARE ||
	       value == want;
}

/* Does the alarm match any guest second in [first, last]? At most one
 * day is looked at: the pattern repeats daily. */
static bool alarm_in(const struct rtc *r, s64 first, s64 last)
{
	const u8 *c = r->st.cmos;
	unsigned int want_s = from_reg(r, c[RTC_SECONDS_ALARM]);
	unsigned int want_m = from_reg(r, c[RTC_MINUTES_ALARM]);
	unsigned int want_h = hours_from_reg(r, c[RTC_HOURS_ALARM]);
	s64 t;

	if (last - first >= SECS_PER_DAY)
		first = last - SECS_PER_DAY + 1;
	for (t = first; t <= last; t++) {
		s64 sod = t - floor_div(t, SECS_PER_DAY) * SECS_PER_DAY;

		if (alarm_field(c[RTC_SECONDS_ALARM], sod % 60, want_s) &&
		    alarm_field(c[RTC_MINUTES_ALARM], sod / 60 % 60, want_m) &&
		    alarm_field(c[RTC_HOURS_ALARM], sod / 3600, want_h))
			return true;
	}
	return false;
}

/* Set the flags of every event in (last_ns, now]. */
static void advance(struct rtc *r, u64 now)
{
	u64 last = r->last_ns, p = period_cycles(r);
	u8 *c = &r->st.cmos[RTC_REG_C];

	if (now <= last)
		return;		/* nothing happened (or the clock stepped back) */
	if (p && clock_ns_to_ticks(now, RTC_HZ) / p !=
		 clock_ns_to_ticks(last, RTC_HZ) / p)
		*c |= RTC_C_PF;
	if (running(r) && source_sec(now) > source_sec(last)) {
		*c |= RTC_C_UF;
		if (alarm_in(r, source_sec(last) + 1 + r->st.offset_sec,
			     source_sec(now) + r->st.offset_sec))
			*c |= RTC_C_AF;
	}
	r->last_ns = now;
	update_irq(r);
}

static u64 cycles_to_ns_ceil(u64 cycles)
{
	return cycles / RTC_HZ * NSEC_PER_SEC +
	       (cycles % RTC_HZ * NSEC_PER_SEC + RTC_HZ - 1) / RTC_HZ;
}

static u64 next_event_locked(const struct rtc *r)
{
	u8 b = r->st.cmos[RTC_REG_B];
	u64 p = period_cycles(r), next = 0, t;

	if ((b & RTC_B_PIE) && p) {
		t = (clock_ns_to_ticks(r->last_ns, RTC_HZ) / p + 1) * p;
		next = cycles_to_ns_ceil(t);
	}
	if ((b & (RTC_B_UIE | RTC_B_AIE)) && running(r)) {
		t = (r->last_ns / NSEC_PER_SEC + 1) * NSEC_PER_SEC;
		if (!next || t < next)
			next = t;
	}
	return next;
}

/* ---------------------------------------------------------------------
 * Registers
 */
static u8 read_locked(struct rtc *r, unsigned int index, u64 now)
{
	u8 *c = r->st.cmos;
	u8 val;

	advance(r, now);
	switch (index) {
	case RTC_SECONDS:
	case RTC_MINUTES:
	case RTC_HOURS:
	case RTC_DAY_OF_WEEK:
	case RTC_DAY_OF_MONTH:
	case RTC_MONTH:
	case RTC_YEAR:
	case CMOS_CENTURY:
		refresh_time(r, now);
		return c[index];
	case RTC_REG_A:
		val = c[RTC_REG_A] & ~RTC_A_UIP;
		if (running(r) &&
		    now % NSEC_PER_SEC >= NSEC_PER_SEC - RTC_UIP_NS)
			val |= RTC_A_UIP;
		return val;
	case RTC_REG_C:
		val = c[RTC_REG_C];
		c[RTC_REG_C] = 0;	/* read clears, and drops IRQ 8 */
		update_irq(r);
		return val;
	default:
		return c[index];
	}
}

static void write_reg_b(struct rtc *r, u8 val, u64 now)
{
	bool was_running = running(r);

	if (val & RTC_B_SET)
		val &= ~RTC_B_UIE;	/* SET going high clears UIE */
	if (was_running)
		refresh_time(r, now);	/* freeze at the current time */
	r->st.cmos[RTC_REG_B] = val;
	if (!was_running && running(r))
		adopt_time(r, now);
}

static void write_reg_a(struct rtc *r, u8 val, u64 now)
{
	bool was_running = running(r);

	if (was_running)
		refresh_time(r, now);
	r->st.cmos[RTC_REG_A] = val & ~RTC_A_UIP;
	if (!was_running && running(r))
		adopt_time(r, now);
}

static void write_locked(struct rtc *r, unsigned int index, u8 val, u64 now)
{
	u8 *c = r->st.cmos;

	advance(r, now);
	switch (index) {
	case RTC_SECONDS:
	case RTC_MINUTES:
	case RTC_HOURS:
	case RTC_DAY_OF_WEEK:
	case RTC_DAY_OF_MONTH:
	case RTC_MONTH:
	case RTC_YEAR:
	case CMOS_CENTURY:
		/* While running, one field changes and the rest keep
		 * ticking: set the whole time from the registers. */
		refresh_time(r, now);
		c[index] = val;
		if (running(r))
			adopt_time(r, now);
		break;
	case RTC_REG_A:
		write_reg_a(r, val, now);
		break;
	case RTC_REG_B:
		write_reg_b(r, val, now);
		break;
	case RTC_REG_C:
	case RTC_REG_D:
		break;		/* read only */
	default:
		c[index] = val;
	}
	update_irq(r);
	pthread_cond_signal(&r->wake);
}

u8 rtc_cmos_read(struct rtc *r, unsigned int index)
{
	u8 val;

	pthread_mutex_lock(&r->lock);
	val = read_locked(r, index % CMOS_SIZE, clock_now(&r->clock));
	pthread_mutex_unlock(&r->lock);
	return val;
}

void rtc_cmos_write(struct rtc *r, unsigned int index, u8 value)
{
	pthread_mutex_lock(&r->lock);
	write_locked(r, index % CMOS_SIZE, value, clock_now(&r->clock));
	pthread_mutex_unlock(&r->lock);
}

void rtc_io_read(void *opaque, u64 offset, void *data, u32 len)
{
	struct rtc *r = opaque;

	memset(data, 0xff, len);	/* the index port is write-only */
	if (offset != 1)
		return;
	pthread_mutex_lock(&r->lock);
	*(u8 *)data = read_locked(r, r->st.index, clock_now(&r->clock));
	pthread_mutex_unlock(&r->lock);
}

void rtc_io_write(void *opaque, u64 offset, const void *data, u32 len)
{
	struct rtc *r = opaque;
	u8 val = *(const u8 *)data;

	(void)len;		/* byte registers: only the first byte counts */
	pthread_mutex_lock(&r->lock);
	if (offset == 0) {
		r->st.index = val & ~CMOS_NMI_DISABLE;
		r->st.nmi_disabled = !!(val & CMOS_NMI_DISABLE);
	} else if (offset == 1) {
		write_locked(r, r->st.index, val, clock_now(&r->clock));
	}
	pthread_mutex_unlock(&r->lock);
}

/* ---------------------------------------------------------------------
 * Setup, timer, snapshots
 */
void rtc_init(struct rtc *r, const struct clock_src *clock)
{
	u64 now = clock_now(clock);

	memset(r, 0, sizeof(*r));
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->wake, NULL);
	r->clock = *clock;
	r->last_ns = now;
	r->st.cmos[RTC_REG_A] = RTC_A_DV_NORMAL | 0x06;	/* 1024 Hz */
	r->st.cmos[RTC_REG_B] = RTC_B_24H;
	r->st.cmos[RTC_REG_D] = RTC_D_VRT;
	refresh_time(r, now);
}

static void put_le(struct rtc *r, unsigned int index, u64 v, unsigned int n)
{
	store_le(r->st.cmos + index, v, n);
}

void rtc_set_machine_info(struct rtc *r, u64 low_ram, u64 high_ram,
			  unsigned int nr_cpus)
{
	u64 ext_kb = low_ram > SZ_1M ? (low_ram - SZ_1M) >> 10 : 0;
	u64 above_16m = low_ram > 16 * SZ_1M ? (low_ram - 16 * SZ_1M) >> 16 : 0;
	u64 above_4g = high_ram >> 16;

	pthread_mutex_lock(&r->lock);
	put_le(r, CMOS_BASE_MEM_LO, 640, 2);
	put_le(r, CMOS_EXT_MEM_LO, ext_kb > 0xffff ? 0xffff : ext_kb, 2);
	put_le(r, CMOS_EXT_MEM2_LO, ext_kb > 0xffff ? 0xffff : ext_kb, 2);
	put_le(r, CMOS_MEM_16M_LO, above_16m > 0xffff ? 0xffff : above_16m, 2);
	put_le(r, CMOS_MEM_4G, above_4g > 0xffffff ? 0xffffff : above_4g, 3);
	r->st.cmos[CMOS_NR_CPUS_M1] = nr_cpus ? nr_cpus - 1 : 0;
	pthread_mutex_unlock(&r->lock);
}

static const struct io_ops rtc_io_ops = {
	.read = rtc_io_read,
	.write = rtc_io_write,
};

int rtc_register(struct rtc *r)
{
	return register_pio(RTC_PORT_INDEX, 2, &rtc_io_ops, r);
}

void rtc_update(struct rtc *r)
{
	pthread_mutex_lock(&r->lock);
	advance(r, clock_now(&r->clock));
	pthread_mutex_unlock(&r->lock);
}

u64 rtc_next_event(struct rtc *r)
{
	u64 next;

	pthread_mutex_lock(&r->lock);
	next = next_event_locked(r);
	pthread_mutex_unlock(&r->lock);
	return next;
}

bool rtc_nmi_disabled(struct rtc *r)
{
	bool d;

	pthread_mutex_lock(&r->lock);
	d = r->st.nmi_disabled;
	pthread_mutex_unlock(&r->lock);
	return d;
}

/* Sleeps until the next enabled event (or a register write), then
 * advances, which raises IRQ 8 as needed. */
static void *rtc_thread(void *arg)
{
	struct rtc *r = arg;
	struct timespec ts;
	u64 next;

	pthread_mutex_lock(&r->lock);
	while (!r->thread_stop) {
		advance(r, clock_now(&r->clock));
		next = next_event_locked(r);
		if (!next) {
			pthread_cond_wait(&r->wake, &r->lock);
			continue;
		}
		ts.tv_sec = next / NSEC_PER_SEC;
		ts.tv_nsec = next % NSEC_PER_SEC;
		pthread_cond_timedwait(&r->wake, &r->lock, &ts);
	}
	pthread_mutex_unlock(&r->lock);
	return NULL;
}

int rtc_start_timer(struct rtc *r)
{
	int ret;

	r->thread_stop = false;
	ret = thread_create(&r->thread, THREAD_MAIN, 0, "rtc", rtc_thread, r);
	if (ret)
		return -ret;
	r->thread_running = true;
	return 0;
}

void rtc_stop_timer(struct rtc *r)
{
	if (!r->thread_running)
		return;
	pthread_mutex_lock(&r->lock);
	r->thread_stop = true;
	pthread_cond_signal(&r->wake);
	pthread_mutex_unlock(&r->lock);
	pthread_join(r->thread, NULL);
	r->thread_running = false;
}

void rtc_save(struct rtc *r, struct rtc_state *st)
{
	pthread_mutex_lock(&r->lock);
	advance(r, clock_now(&r->clock));
	refresh_time(r, clock_now(&r->clock));
	*st = r->st;
	pthread_mutex_unlock(&r->lock);
}

void rtc_load(struct rtc *r, const struct rtc_state *st)
{
	pthread_mutex_lock(&r->lock);
	r->st = *st;
	r->st.index %= CMOS_SIZE;
	r->st.cmos[RTC_REG_A] &= ~RTC_A_UIP;
	r->st.cmos[RTC_REG_D] = RTC_D_VRT;
	r->last_ns = clock_now(&r->clock);
	update_irq(r);
	pthread_cond_signal(&r->wake);
	pthread_mutex_unlock(&r->lock);
}
