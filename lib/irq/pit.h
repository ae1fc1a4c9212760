/* SPDX-License-Identifier: GPL-2.0 */
/*
 * 8254 programmable interval timer and port 0x61 (pure C, shared by
 * nyx.ko and the userspace unit tests).
 *
 * Three channels at ports 0x40-0x42, control word at 0x43, clocked at
 * 1.193182 MHz. Channel 0's OUT drives IRQ0, channel 2's gate and OUT are
 * port 0x61 bits 0 and 5; the gates of channels 0 and 1 are tied high.
 *
 * Time: the caller passes monotonic nanoseconds ("now"). Clock pulses sit
 * on a fixed grid: pulse number floor(now * 1193182 / 10^9) (integer math,
 * exact, no 128-bit arithmetic, good for centuries of uptime). A count
 * written between pulses P and P+1 is loaded into the counting element
 * at pulse P+1 and decrements from pulse P+2 on, as on the real part.
 * All state is derived from pulse numbers, never accumulated, so nothing
 * drifts.
 *
 * Modes (per the 8254 data sheet; N = count, 0 meaning 65536, or 10000
 * in BCD):
 *  0 interrupt on terminal count: OUT low from the control word; goes
 *    high N + 1 pulses after the count is written. Writing the first
 *    byte of a two-byte count stops counting and drives OUT low; the
 *    second byte loads the new count on the next pulse (the "reprogram
 *    while running" that Linux's PIT calibration and one-shot
 *    clockevent rely on). GATE low pauses counting.
 *  1 hardware retriggerable one-shot: OUT low for N pulses after each
 *    gate rising edge.
 *  2 rate generator: OUT low for one pulse every N pulses; a new count
 *    takes effect at the end of the current period; GATE low forces OUT
 *    high and stops, GATE high restarts.
 *  3 square wave: OUT high ceil(N/2), low floor(N/2) pulses (the odd
 *    count decrement pattern of the data sheet is reproduced in the
 *    counter value); a new count takes effect at the end of the current
 *    half period; GATE like mode 2.
 *  4 software triggered strobe, 5 hardware triggered strobe: OUT low for
 *    one pulse N + 1 pulses after the write (4) or the gate edge (5).
 * Modes 6 and 7 are modes 2 and 3. Counts of 1 in modes 2 and 3 (illegal
 * on the real part) give a constant OUT (low, resp. high). BCD counting
 * is supported (invalid BCD digits are taken at face value, modulo
 * 10000). The counter latch command, the read-back command (count and/or
 * status, with OUT and NULL COUNT) and the LSB/MSB/LSB-then-MSB access
 * modes are implemented. Reading port 0x43 returns 0xff.
 *
 * IRQ0: nyx_pit_irq0_next() gives the time of channel 0's next rising
 * edge (for a host timer); nyx_pit_irq0_edges() returns how many rising
 * edges occurred since the previous call (edges are also counted across
 * reprogramming); the caller pulses IRQ0 on the PIC / I/O APIC if it is
 * non-zero. OUT0 rising at the moment of a port write (a control word
 * for modes 1-5 while OUT was low, a mode 4 reload during its low pulse)
 * counts as an edge too, as the PIC would see it (so does the very first
 * control word after reset, OUT0 being low in the idle mode 0). A guest
 * programming a tiny period makes edges very frequent: the caller may
 * rate-limit its host timer; the edge count tells what was coalesced.
 *
 * Nothing here allocates, sleeps or locks; the caller serializes calls.
 */
#ifndef NYX_LIB_IRQ_PIT_H
#define NYX_LIB_IRQ_PIT_H

#include "irq_common.h"

#define NYX_PIT_FREQ		1193182u	/* Hz */
#define NYX_PIT_NR_CHANNELS	3
#define NYX_PIT_PORT_CH0	0x40
#define NYX_PIT_PORT_CTRL	0x43
#define NYX_PIT_PORT61		0x61
#define NYX_PIT_NEVER		(~0ull)

/* port 0x61 bits */
#define NYX_PORT61_GATE2	0x01
#define NYX_PORT61_SPEAKER	0x02
#define NYX_PORT61_WRITABLE	0x0f
#define NYX_PORT61_REFRESH	0x10
#define NYX_PORT61_OUT2		0x20
#define NYX_PIT_REFRESH_NS	15085	/* refresh toggle half period */

/* channel states */
#define NYX_PIT_ST_IDLE		0	/* no count since the control word */
#define NYX_PIT_ST_RUNNING	1	/* counting since load_tick */
#define NYX_PIT_ST_FROZEN	2	/* mode 0/4: counting suspended */
#define NYX_PIT_ST_WAIT		3	/* modes 1/5 (2/3 gate low): waiting
					 * for a gate rising edge */

struct nyx_pit_channel {
	s64 load_tick;		/* RUNNING: pulse at which the CE held n */
	s64 pending_tick;	/* modes 2/3: pulse of the reload with */
	s64 pending_load;	/*  pending_n, and its load_tick */
	s64 null_until;		/* status NULL COUNT before this pulse */
	u32 n;			/* count of the current cycle */
	u32 pending_n;
	u32 frozen_j;		/* FROZEN: pulses counted so far */
	u16 cr;			/* count register as last written */
	u16 ce_hold;		/* counter value when not counting */
	u16 latch;		/* latched count */
	u8 state;		/* NYX_PIT_ST_* */
	u8 mode;		/* control word bits 3:1 */
	u8 rw;			/* 1 LSB, 2 MSB, 3 LSB then MSB */
	u8 bcd;
	u8 gate;
	u8 has_cr;		/* count written since the control word */
	u8 pending;
	u8 write_msb;		/* LSB-then-MSB: the MSB is next */
	u8 write_lsb;
	u8 read_msb;		/* LSB-then-MSB live read: MSB is next */
	u8 latch_state;		/* 0 none, 1 LSB, 2 MSB, 3 LSB then MSB */
	u8 status_latched;
	u8 status;
	u8 frozen_write;	/* mode 0: first byte written */
};

struct nyx_pit {
	struct nyx_pit_channel ch[NYX_PIT_NR_CHANNELS];
	s64 irq_tick;		/* channel 0 edges counted up to here */
	u64 irq_banked;		/* edges counted, not yet reported */
	u8 port61;		/* bits 0-3 as written */
};

/* Power-on state at time now: every channel idle (mode 0, LSB then MSB,
 * OUT low), channel 2 gate low. */
void nyx_pit_init(struct nyx_pit *pit, u64 now);
void nyx_pit_reset(struct nyx_pit *pit, u64 now);

/*
 * Byte accesses to ports 0x40-0x43. Return 0, or -1 (reads: *val 0xff)
 * for other ports.
 */
int nyx_pit_port_read(struct nyx_pit *pit, u16 port, u8 *val, u64 now);
int nyx_pit_port_write(struct nyx_pit *pit, u16 port, u8 val, u64 now);

/* Port 0x61: bits 0-3 read back as written, 4 refresh toggle, 5 OUT2. */
u8 nyx_pit_port61_read(struct nyx_pit *pit, u64 now);
void nyx_pit_port61_write(struct nyx_pit *pit, u8 val, u64 now);

/* OUT of channel ch (0-2) at now; -1 for a bad channel. */
int nyx_pit_out(struct nyx_pit *pit, unsigned int ch, u64 now);

/* Rising edges of channel 0's OUT since the last call. */
u64 nyx_pit_irq0_edges(struct nyx_pit *pit, u64 now);
/*
 * Time (ns, > now) of channel 0's next rising edge; now itself if edges
 * are waiting to be collected; NYX_PIT_NEVER if none is coming.
 */
u64 nyx_pit_irq0_next(struct nyx_pit *pit, u64 now);

/* Save/load format, fixed layout; pulse numbers relative to now. */
struct nyx_pit_channel_state {
	u64 load_tick;		/* s64, relative */
	u64 pending_tick;	/* s64, relative */
	u64 pending_load;	/* s64, relative */
	u64 null_until;		/* s64, relative (unused if null_forever) */
	u32 n, pending_n, frozen_j;
	u16 cr, ce_hold, latch;
	u8 state, mode, rw, bcd;
	u8 gate, has_cr, pending, write_msb;
	u8 write_lsb, read_msb, latch_state, status_latched;
	u8 status, frozen_write, null_forever;
	u8 pad[7];		/* must be 0 */
};

struct nyx_pit_state {
	struct nyx_pit_channel_state ch[NYX_PIT_NR_CHANNELS];
	u64 irq_tick;		/* s64, relative */
	u64 irq_banked;
	u8 port61;
	u8 pad[7];		/* must be 0 */
};

/*
 * Snapshot. Load checks every field (ranges, states consistent with the
 * mode, gates of channels 0/1 high, channel 2's gate equal to port 0x61
 * bit 0, relative times within +-2^55 pulses, padding zero) and returns
 * -1 without changing anything if st is bad.
 */
void nyx_pit_save(const struct nyx_pit *pit, struct nyx_pit_state *st,
		  u64 now);
int nyx_pit_load(struct nyx_pit *pit, const struct nyx_pit_state *st,
		 u64 now);

#endif
