/* SPDX-License-Identifier: GPL-2.0 */
/*
 * MC146818 real-time clock and CMOS RAM at ports 0x70 (index; bit 7
 * masks NMI) and 0x71 (data), interrupt output on ISA IRQ 8.
 *
 * The clock follows a time source (the host's UTC clock, or a fake one in
 * tests) plus an offset the guest sets by writing the time registers; the
 * registers are computed from it when read, in BCD or binary and 12- or
 * 24-hour format per register B. Register A's UIP bit reads 1 during the
 * last 244 us before each second boundary, when the update happens: a
 * guest that sees UIP = 0 has at least 244 us to read a stable time.
 * Interrupt flags (register C) are computed lazily from elapsed time on
 * every access, and a timer thread (rtc_start_timer) advances the clock
 * at the next event when an interrupt is enabled: periodic at the rate of
 * register A, update-ended every second, alarm when seconds, minutes and
 * hours match (0xc0-0xff = don't care). IRQ 8 follows C.IRQF; reading C
 * clears it.
 *
 * CMOS RAM also holds what firmware-minded guests read (QEMU/SeaBIOS
 * layout): memory sizes at 0x15-0x18, 0x30-0x31, 0x34-0x35 and 0x5b-0x5d,
 * the vCPU count - 1 at 0x5f and the century at 0x32.
 */
#ifndef NYX_RTC_H
#define NYX_RTC_H

#include <pthread.h>

#include "core/clock.h"

#define RTC_PORT_INDEX		0x70
#define RTC_PORT_DATA		0x71
#define RTC_IRQ			8
#define CMOS_SIZE		128
#define CMOS_NMI_DISABLE	0x80	/* bit 7 of the index */

#define RTC_SECONDS		0x00
#define RTC_SECONDS_ALARM	0x01
#define RTC_MINUTES		0x02
#define RTC_MINUTES_ALARM	0x03
#define RTC_HOURS		0x04
#define RTC_HOURS_ALARM		0x05
#define RTC_DAY_OF_WEEK		0x06	/* 1 = Sunday */
#define RTC_DAY_OF_MONTH	0x07
#define RTC_MONTH		0x08
#define RTC_YEAR		0x09
#define RTC_REG_A		0x0a
#define RTC_REG_B		0x0b
#define RTC_REG_C		0x0c
#define RTC_REG_D		0x0d

#define CMOS_BASE_MEM_LO	0x15	/* KiB below 1 MiB */
#define CMOS_EXT_MEM_LO		0x17	/* KiB above 1 MiB, up to 0xffff */
#define CMOS_EXT_MEM2_LO	0x30	/* the same again */
#define CMOS_CENTURY		0x32
#define CMOS_MEM_16M_LO		0x34	/* 64 KiB units above 16 MiB, below 4G */
#define CMOS_MEM_4G		0x5b	/* 64 KiB units above 4 GiB, 3 bytes */
#define CMOS_NR_CPUS_M1		0x5f

#define RTC_A_RS		0x0f	/* periodic rate select */
#define RTC_A_DV		0x70	/* divider */
#define RTC_A_DV_NORMAL		0x20	/* 32.768 kHz time base, running */
#define RTC_A_UIP		0x80
#define RTC_B_DSE		0x01
#define RTC_B_24H		0x02
#define RTC_B_DM_BINARY		0x04
#define RTC_B_SQWE		0x08
#define RTC_B_UIE		0x10
#define RTC_B_AIE		0x20
#define RTC_B_PIE		0x40
#define RTC_B_SET		0x80
#define RTC_C_UF		0x10
#define RTC_C_AF		0x20
#define RTC_C_PF		0x40
#define RTC_C_IRQF		0x80
#define RTC_D_VRT		0x80

#define RTC_UIP_NS		244141	/* 8 cycles of 32.768 kHz */
#define RTC_ALARM_DONT_CARE	0xc0

/* Snapshot. The time is kept as an offset from the time source. */
struct rtc_state {
	u8 cmos[CMOS_SIZE];
	u8 index;
	u8 nmi_disabled;
	s64 offset_sec;		/* guest time - source time, seconds */
};

struct rtc {
	pthread_mutex_t lock;
	pthread_cond_t wake;	/* registers changed: re-plan the timer */
	struct clock_src clock;
	struct rtc_state st;
	u64 last_ns;		/* source time events were computed up to */
	bool irq_level;

	pthread_t thread;
	bool thread_running, thread_stop;
};

/* Power-on state: time from clock, 24-hour BCD, 1024 Hz rate selected,
 * no interrupts enabled. */
void rtc_init(struct rtc *r, const struct clock_src *clock);

/* Fill the CMOS memory-size and CPU-count bytes. */
void rtc_set_machine_info(struct rtc *r, u64 low_ram, u64 high_ram,
			  unsigned int nr_cpus);

int rtc_register(struct rtc *r);

/* Start/stop the thread that raises interrupts on time; the clock must be
 * CLOCK_REALTIME based (it times the thread's waits). */
int rtc_start_timer(struct rtc *r);
void rtc_stop_timer(struct rtc *r);

/* Port handlers (0x70 and 0x71 at offsets 0 and 1). */
void rtc_io_read(void *opaque, u64 offset, void *data, u32 len);
void rtc_io_write(void *opaque, u64 offset, const void *data, u32 len);

/* One CMOS register, as the guest would see it through 0x70/0x71. */
u8 rtc_cmos_read(struct rtc *r, unsigned int index);
void rtc_cmos_write(struct rtc *r, unsigned int index, u8 value);

/* Advance to the time source's now (what the timer thread does). */
void rtc_update(struct rtc *r);

/* Source time (ns) of the next interrupt event, or 0 if none enabled. */
u64 rtc_next_event(struct rtc *r);

bool rtc_nmi_disabled(struct rtc *r);

void rtc_save(struct rtc *r, struct rtc_state *st);
void rtc_load(struct rtc *r, const struct rtc_state *st);

/* Calendar helpers (UTC), exported for the tests. */
s64 rtc_days_from_civil(s64 year, unsigned int month, unsigned int day);
void rtc_civil_from_days(s64 days, s64 *year, unsigned int *month,
			 unsigned int *day);

#endif
