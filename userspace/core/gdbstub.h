/* SPDX-License-Identifier: GPL-2.0 */
/*
 * GDB remote serial protocol: the packet layer and the command dispatcher,
 * independent of sockets and of /dev/nyx (core/gdbserver.c binds them to
 * the VM; the unit tests to a fake target). All-stop mode, one thread per
 * vCPU (thread id = vCPU id + 1), the i386:x86-64 register layout.
 */
#ifndef NYX_GDBSTUB_H
#define NYX_GDBSTUB_H

#include <stdbool.h>
#include <stddef.h>

#include "core/util.h"

#define GDB_MAX_PACKET		4096	/* PacketSize we announce */
#define GDB_MAX_SW_BP		64
#define GDB_MAX_HW_BP		4	/* DR0-3 */

/* Registers in gdb's amd64 order (the "g" packet). */
#define GDB_NR_GPRS		16	/* rax rbx rcx rdx rsi rdi rbp rsp r8-r15 */
struct gdb_regs {
	u64 gpr[GDB_NR_GPRS];
	u64 rip;
	u32 eflags;
	u32 seg[6];		/* cs ss ds es fs gs selectors */
	u8 st[8][10];		/* x87 stack, 80-bit each */
	u32 fctrl, fstat, ftag, fiseg, fioff, foseg, fooff, fop;
	u8 xmm[16][16];
	u32 mxcsr;
};
/* bytes of the "g" packet (binary; twice that in hex) */
#define GDB_REGS_SIZE	(17 * 8 + 7 * 4 + 8 * 10 + 8 * 4 + 16 * 16 + 4)
/* "p"/"P" register numbers of the fields above */
#define GDB_REG_RIP	16
#define GDB_REG_EFLAGS	17
#define GDB_REG_CS	18
#define GDB_NR_REGS	57	/* up to mxcsr */

/* What the stub needs from the VM. cpu is a vCPU index. */
struct gdb_target_ops {
	int (*get_regs)(void *opaque, unsigned int cpu, struct gdb_regs *r);
	int (*set_regs)(void *opaque, unsigned int cpu,
			const struct gdb_regs *r);
	/* guest-virtual memory as cpu sees it; 0 or -1 */
	int (*read_mem)(void *opaque, unsigned int cpu, u64 addr, void *buf,
			size_t len);
	int (*write_mem)(void *opaque, unsigned int cpu, u64 addr,
			 const void *buf, size_t len);
};

enum gdb_bp_type {
	GDB_BP_SW = 0, GDB_BP_HW = 1, GDB_WP_WRITE = 2, GDB_WP_READ = 3,
	GDB_WP_ACCESS = 4,
};

struct gdb_sw_bp {
	u64 addr;
	u8 saved;		/* the byte INT3 replaced */
	bool used;
};

struct gdb_hw_bp {
	u64 addr;
	u8 type;		/* enum gdb_bp_type, not GDB_BP_SW */
	u8 len;			/* 1, 2, 4, 8 (1 for GDB_BP_HW) */
	bool used;
};

/* What the caller must do after a packet. */
enum gdb_action {
	GDB_ACT_NONE,		/* reply sent (or none due) */
	GDB_ACT_CONTINUE,	/* resume all vCPUs */
	GDB_ACT_STEP,		/* step step_cpu, others stay stopped */
	GDB_ACT_DETACH,		/* debugger gone: clear breakpoints, resume */
	GDB_ACT_KILL,		/* stop the VM */
};

/* Receive-side state of the packet layer. */
enum gdb_rx_state { GDB_RX_IDLE, GDB_RX_DATA, GDB_RX_CSUM1, GDB_RX_CSUM2 };

struct gdb_stub {
	const struct gdb_target_ops *ops;
	void *opaque;
	unsigned int nr_cpus;
	unsigned int g_cpu;	/* Hg: registers and memory */
	unsigned int c_cpu;	/* Hc: continue/step */
	unsigned int step_cpu;	/* GDB_ACT_STEP */
	bool no_ack;		/* QStartNoAckMode */
	struct gdb_sw_bp sw[GDB_MAX_SW_BP];
	struct gdb_hw_bp hw[GDB_MAX_HW_BP];
	/* the last stop: for "?" */
	unsigned int stop_cpu;
	int stop_signal;
	/* packet receive */
	enum gdb_rx_state rx_state;
	char rx[GDB_MAX_PACKET + 1];
	size_t rx_len;
	u8 rx_sum, rx_csum;
	/* output, filled by the dispatcher and drained by the caller */
	char *out;
	size_t out_len, out_cap;
};

void gdb_stub_init(struct gdb_stub *s, const struct gdb_target_ops *ops,
		   void *opaque, unsigned int nr_cpus);
void gdb_stub_free(struct gdb_stub *s);

/* ---- packet layer ---- */
u8 gdb_checksum(const char *data, size_t len);
/* Frame data as $data#cs into out (escaping '#', '$', '}', '*'); returns
 * the framed length, or 0 if it does not fit in cap. */
size_t gdb_frame(const char *data, size_t len, char *out, size_t cap);
/* Expand run-length encoding ("X*n": n - 29 more X) and escapes in place;
 * returns the new length, or -1 if malformed. */
int gdb_decode(char *data, size_t len, size_t cap);
int gdb_hex_decode(const char *hex, size_t nhex, u8 *out);
void gdb_hex_encode(const u8 *in, size_t len, char *out);

/*
 * Feed one received byte. Returns 1 when a complete packet with a good
 * checksum is in s->rx (NUL-terminated, decoded), 2 for a Ctrl-C (0x03)
 * outside a packet, 0 otherwise. Acks ('+'/'-') go to the output.
 */
int gdb_rx_byte(struct gdb_stub *s, u8 c);

/* ---- registers ---- */
void gdb_regs_encode(const struct gdb_regs *r, char *hex);	/* 2 * GDB_REGS_SIZE */
int gdb_regs_decode(const char *hex, size_t len, struct gdb_regs *r);

/* ---- dispatcher ---- */
/* Handle the packet in s->rx; replies go to the output. */
enum gdb_action gdb_handle_packet(struct gdb_stub *s);

/* Put a stop reply (T packet) for cpu in the output. watch_addr is the
 * data address of a watchpoint hit, or ~0 for none. */
void gdb_stop_reply(struct gdb_stub *s, unsigned int cpu, int signal,
		    int wp_type, u64 watch_addr);

/* The DR7 value and DR0-3 for the hardware breakpoints; returns true if
 * any is set. */
bool gdb_hw_debugregs(const struct gdb_stub *s, u64 dr[4], u64 *dr7);
bool gdb_has_sw_bp(const struct gdb_stub *s);
/* Is there a software breakpoint (ours) at addr? */
bool gdb_is_sw_bp(const struct gdb_stub *s, u64 addr);
/* Which hardware breakpoint slot DR6 reports hit, or -1. */
int gdb_hw_hit(const struct gdb_stub *s, u64 dr6);
/* Take out every INT3 (detach). */
void gdb_remove_all_bp(struct gdb_stub *s);

/* Drain the output. */
static inline void gdb_out_clear(struct gdb_stub *s)
{
	s->out_len = 0;
}

#endif
