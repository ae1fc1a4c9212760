/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86 instruction emulator for MMIO and string I/O (pure C, shared by
 * nyx.ko and the userspace unit tests).
 *
 * Model: "re-execute with a log". x86_emulate() decodes the instruction at
 * CS:RIP and executes it against a private copy of the CPU state. Guest RAM
 * is reached through ops->read_phys/write_phys. When an access lands
 * outside RAM (the op returns X86_MEM_MMIO), the emulator stops and returns
 * X86_EMU_MMIO with the access in emu->mmio[emu->nr_mmio_done]. The caller
 * performs it (for a read, fills .data), increments nr_mmio_done and calls
 * x86_emulate() again: completed accesses are replayed from the log, so an
 * instruction with several MMIO accesses (read-modify-write, movs between
 * two MMIO regions) needs one exit per access. The CPU state is written
 * back only when the instruction completes (X86_EMU_DONE).
 *
 * rep-prefixed string instructions execute one iteration per call; RIP is
 * advanced only once the count reaches zero, so the guest re-executes the
 * instruction (and re-faults) for the next iteration.
 */
#ifndef NYX_LIB_X86_EMULATE_H
#define NYX_LIB_X86_EMULATE_H

#include <nyx/types.h>

/* General purpose registers in hardware encoding order. */
enum x86_gpr {
	X86_RAX, X86_RCX, X86_RDX, X86_RBX, X86_RSP, X86_RBP, X86_RSI, X86_RDI,
	X86_R8, X86_R9, X86_R10, X86_R11, X86_R12, X86_R13, X86_R14, X86_R15,
	X86_NR_GPRS
};

enum x86_seg {
	X86_SEG_ES, X86_SEG_CS, X86_SEG_SS, X86_SEG_DS, X86_SEG_FS, X86_SEG_GS,
	X86_NR_SEGS
};

/*
 * Segment attributes in the AMD VMCB packed format:
 * bits 0-3 type, 4 S, 5-6 DPL, 7 P, 8 AVL, 9 L, 10 D/B, 11 G.
 */
#define X86_SEG_ATTR_TYPE(a)	((a) & 0xf)
#define X86_SEG_ATTR_S		(1u << 4)
#define X86_SEG_ATTR_DPL(a)	(((a) >> 5) & 3)
#define X86_SEG_ATTR_P		(1u << 7)
#define X86_SEG_ATTR_AVL	(1u << 8)
#define X86_SEG_ATTR_L		(1u << 9)
#define X86_SEG_ATTR_DB		(1u << 10)
#define X86_SEG_ATTR_G		(1u << 11)

struct x86_seg_state {
	u64 base;
	u32 limit;
	u16 selector;
	u16 attr;
};

struct x86_cpu_state {
	u64 gpr[X86_NR_GPRS];
	u64 rip;
	u64 rflags;
	u64 cr0, cr3, cr4, efer;
	struct x86_seg_state seg[X86_NR_SEGS];
};

/* Return values of x86_emu_ops memory callbacks. */
#define X86_MEM_OK	0
#define X86_MEM_MMIO	1	/* not RAM (or a write to read-only RAM) */
#define X86_MEM_ERROR	(-1)	/* unusable (e.g. host fault): emulation fails */
#define X86_MEM_CHANGED	2	/* cmpxchg_phys: the value was not the old one */

struct x86_emu_ops {
	/* Guest-physical access; [gpa, gpa + len) never crosses a 4 KiB page. */
	int (*read_phys)(void *opaque, u64 gpa, void *buf, unsigned int len);
	int (*write_phys)(void *opaque, u64 gpa, const void *buf,
			  unsigned int len);
	/* Atomically store new (len 4 or 8) at gpa if it still holds old:
	 * X86_MEM_OK, X86_MEM_CHANGED (it did not), or the read_phys codes.
	 * Optional: without it (single-threaded tests) a read-compare-write
	 * stands in. Used for the page walker's A/D bits. */
	int (*cmpxchg_phys)(void *opaque, u64 gpa, u64 old, u64 new,
			    unsigned int len);
	/* MOV to/from DR0-DR7. Optional (NULL: #UD). Return 0 or -1 (#GP). */
	int (*get_dr)(void *opaque, int dr, u64 *val);
	int (*set_dr)(void *opaque, int dr, u64 val);
};

#define X86_EMU_MAX_MMIO	4

struct x86_mmio_access {
	u64 gpa;
	u32 len;		/* 1, 2, 4 or 8 */
	u8 is_write;
	u8 data[8];		/* write: the data; read: filled by the caller */
};

enum x86_emu_result {
	X86_EMU_DONE = 0,	/* completed; *emu->cpu updated */
	X86_EMU_MMIO,		/* perform emu->mmio[emu->nr_mmio_done], call again */
	X86_EMU_EXCEPTION,	/* inject emu->exc; *emu->cpu unchanged */
	X86_EMU_UNHANDLED,	/* not emulated; *emu->cpu unchanged */
};

struct x86_exception {
	u8 vector;
	u8 has_error_code;
	u32 error_code;
	u64 cr2;		/* for #PF */
};

struct x86_emu {
	/* set by the caller */
	struct x86_cpu_state *cpu;
	const struct x86_emu_ops *ops;
	void *opaque;
	/*
	 * Guest MAXPHYADDR as a mask for the page walker's reserved-bit
	 * checks (see struct x86_paging_cfg); 0, as left by x86_emu_init(),
	 * means 52 bits. Set it after x86_emu_init() if known.
	 */
	u64 maxphyaddr_mask;

	/* the MMIO log for the instruction in progress */
	unsigned int nr_mmio_done;
	struct x86_mmio_access mmio[X86_EMU_MAX_MMIO];

	/* out: X86_EMU_EXCEPTION */
	struct x86_exception exc;

	/* out: the instruction bytes fetched (diagnostics) */
	u8 insn[15];
	u8 insn_len;
	/* bytes of insn[] the previous pass over this instruction fetched:
	 * a re-execution (nr_mmio_done > 0) decodes them again instead of
	 * walking the page tables and reading guest memory a second time;
	 * a CPU fetches an instruction once too. x86_emu_init() clears it. */
	u8 insn_valid;
};

/* Prepare for a new instruction (clears the MMIO log). */
void x86_emu_init(struct x86_emu *emu, struct x86_cpu_state *cpu,
		  const struct x86_emu_ops *ops, void *opaque);

/* Emulate the instruction at CS:RIP; see the comment at the top. */
enum x86_emu_result x86_emulate(struct x86_emu *emu);

/*
 * Linear-address helpers for callers that emulate parts of an instruction
 * themselves (e.g. string I/O): translate seg:offset through the guest's
 * segmentation and paging and copy to/from guest RAM. They return
 * X86_EMU_DONE, X86_EMU_EXCEPTION (emu->exc filled: #PF/#GP) or
 * X86_EMU_UNHANDLED (the memory is not RAM). "write" selects the
 * permission checked by the page walk.
 */
enum x86_emu_result x86_emu_read_linear(struct x86_emu *emu, enum x86_seg seg,
					u64 offset, void *buf,
					unsigned int len);
enum x86_emu_result x86_emu_write_linear(struct x86_emu *emu,
					 enum x86_seg seg, u64 offset,
					 const void *buf, unsigned int len);

/* Address size (2, 4 or 8) of the current mode, without prefixes. */
unsigned int x86_emu_addr_size(const struct x86_cpu_state *cpu);

#endif
