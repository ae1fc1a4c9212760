/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * nyx userspace ABI: the only contract between nyx.ko and userspace.
 *
 * Rules (see Documentation/api.rst):
 *  - every struct is fixed size, built from __u8/__u16/__u32/__u64 with
 *    explicit padding, and its size and key offsets are asserted below;
 *  - "flags", "reserved" and "padding" fields must be zero on input, or the
 *    ioctl fails with -EINVAL; this is how the ABI grows without breaking;
 *  - new behaviour appears only behind a capability (NYX_CHECK_EXTENSION).
 */
#ifndef _UAPI_NYX_H
#define _UAPI_NYX_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define NYX_API_VERSION		1

/* One ioctl magic for the whole ABI. */
#define NYXIO			0xB9

/* ---------------------------------------------------------------------
 * Capabilities (NYX_CHECK_EXTENSION). The answer is 0 when unsupported,
 * else a positive value (1, or a count/limit where noted).
 */
#define NYX_CAP_NR_VCPUS		1	/* max vCPUs per VM */
#define NYX_CAP_NR_MEMSLOTS		2	/* max memory slots per VM */
#define NYX_CAP_READONLY_MEM		3
#define NYX_CAP_DIRTY_LOG		4	/* flag accepted; log ioctl is a later cap */
#define NYX_CAP_STRING_IO		5	/* rep ins/outs batched in one exit */
#define NYX_CAP_MMIO_EMULATION		6
#define NYX_CAP_CPUID			7	/* max entries in NYX_SET_CPUID */
#define NYX_CAP_XSAVE			8	/* NYX_GET/SET_FPU use XSAVE format */
#define NYX_CAP_NPT			9	/* AMD nested paging backend */
#define NYX_CAP_EPT			10	/* Intel EPT backend */
#define NYX_CAP_IMMEDIATE_EXIT		11
#define NYX_CAP_MAX_MSRS		12	/* max entries in NYX_GET/SET_MSRS */
#define NYX_CAP_IRQCHIP			13	/* in-kernel LAPIC/IOAPIC/PIC/PIT */
#define NYX_CAP_IRQ_LINES		14	/* number of GSIs for NYX_IRQ_LINE */
#define NYX_CAP_SIGNAL_MSI		15
#define NYX_CAP_VCPU_EVENTS		16	/* NYX_GET/SET_VCPU_EVENTS */
#define NYX_CAP_X2APIC			17	/* LAPIC has x2APIC mode */
#define NYX_CAP_TSC_DEADLINE_TIMER	18
#define NYX_CAP_IRQCHIP_STATE		19	/* GET/SET_IRQCHIP, GET/SET_LAPIC:
						 * the state format version */
#define NYX_CAP_TSC_KHZ			20	/* guest TSC rate, kHz (the host's,
						 * constant, invariant, no scaling) */
#define NYX_CAP_IOEVENTFD		21	/* NYX_IOEVENTFD: max per VM */
#define NYX_CAP_IRQFD			22	/* NYX_IRQFD: max per VM */
#define NYX_CAP_BINARY_STATS		23	/* NYX_GET_STATS, NYX_GET_VM_STATS:
						 * NYX_STATS_VERSION */
#define NYX_CAP_GUEST_DEBUG		24	/* NYX_SET_GUEST_DEBUG: the
						 * NYX_GUESTDBG_* flags known */
#define NYX_CAP_PV_EOI			25	/* MSR_KVM_PV_EOI_EN (KVM's PV
						 * EOI) with the irqchip */

/* ---------------------------------------------------------------------
 * /dev/nyx ioctls
 */
#define NYX_GET_API_VERSION	_IO(NYXIO, 0x00)
#define NYX_CREATE_VM		_IO(NYXIO, 0x01)	/* arg: VM type, must be 0 */
#define NYX_CHECK_EXTENSION	_IO(NYXIO, 0x02)	/* also on a VM fd */
#define NYX_GET_VCPU_MMAP_SIZE	_IO(NYXIO, 0x03)

/* ---------------------------------------------------------------------
 * VM ioctls
 */
#define NYX_MEM_READONLY	(1u << 0)
#define NYX_MEM_LOG_DIRTY	(1u << 1)
#define NYX_MEM_VALID_FLAGS	(NYX_MEM_READONLY | NYX_MEM_LOG_DIRTY)

struct nyx_memory_region {
	__u32 slot;
	__u32 flags;		/* NYX_MEM_* */
	__u64 guest_phys_addr;	/* page aligned */
	__u64 memory_size;	/* page aligned; 0 deletes the slot */
	__u64 userspace_addr;	/* page aligned */
	__u64 reserved[4];
};

#define NYX_SET_MEMORY_REGION	_IOW(NYXIO, 0x10, struct nyx_memory_region)
#define NYX_CREATE_VCPU		_IO(NYXIO, 0x11)	/* arg: vCPU id */

/*
 * In-kernel interrupt controllers and timers (NYX_CAP_IRQCHIP): a local
 * APIC per vCPU (xAPIC at 0xfee00000 and x2APIC MSRs), an I/O APIC with 24
 * pins at 0xfec00000, the dual 8259A PIC (ports 0x20/0x21, 0xa0/0xa1, ELCR
 * 0x4d0/0x4d1) and the 8254 PIT (0x40-0x43, port 0x61). Create it before
 * the first vCPU; once it exists, HLT no longer exits to userspace and
 * vCPUs other than 0 start in wait-for-SIPI.
 */
#define NYX_CREATE_IRQCHIP	_IO(NYXIO, 0x12)	/* arg must be 0 */

/*
 * Drive a GSI. GSI 0-15 are the ISA IRQs: they reach the PIC (line = GSI;
 * not GSI 2, the cascade) and the I/O APIC (pin = GSI, except GSI 0, the
 * PIT's IRQ0, which is wired to pin 2 like on a PC: the MADT carries the
 * override; GSI 0 and GSI 2 thus share pin 2). GSI 16-23 reach the I/O
 * APIC only. An edge-triggered source pulses: level 1 then 0.
 */
struct nyx_irq_level {
	__u32 gsi;
	__u32 level;		/* 0 or 1 */
	__u64 reserved;
};
#define NYX_IRQ_LINE		_IOW(NYXIO, 0x13, struct nyx_irq_level)

/*
 * Deliver a message-signalled interrupt (address 0xfee00000-0xfeefffff).
 * Returns the number of local APICs that accepted it (0: blocked, e.g.
 * masked or no such destination).
 */
struct nyx_msi {
	__u64 address;
	__u32 data;
	__u32 flags;		/* must be 0 */
	__u64 reserved[2];
};
#define NYX_SIGNAL_MSI		_IOW(NYXIO, 0x14, struct nyx_msi)

/*
 * State of one chip, for snapshot and migration. The data[] area holds
 * struct nyx_pic_state (lib/irq/i8259.h), nyx_ioapic_state (ioapic.h) or
 * nyx_pit_state (pit.h), little endian, in the format whose version
 * NYX_CAP_IRQCHIP_STATE reports. Times inside are relative to the moment
 * of the GET, so a state can be loaded on another host. SET validates
 * everything and fails with -EINVAL, changing nothing, on a bad state.
 */
#define NYX_IRQCHIP_PIC		0
#define NYX_IRQCHIP_IOAPIC	1
#define NYX_IRQCHIP_PIT		2
struct nyx_irqchip {
	__u32 chip_id;		/* NYX_IRQCHIP_* */
	__u32 flags;		/* must be 0 */
	__u64 reserved;
	__u8 data[512];
};
#define NYX_GET_IRQCHIP		_IOWR(NYXIO, 0x15, struct nyx_irqchip)
#define NYX_SET_IRQCHIP		_IOW(NYXIO, 0x16, struct nyx_irqchip)

/*
 * ioeventfd (NYX_CAP_IOEVENTFD): a guest write of len bytes to addr (a
 * port with NYX_IOEVENTFD_FLAG_PIO, else guest-physical MMIO outside RAM)
 * signals the eventfd fd in the kernel and the vCPU goes on without an
 * exit to userspace. len 1, 2, 4 or 8 (8: MMIO only) must equal the
 * write's width; len 0 (MMIO only) matches any width. With
 * NYX_IOEVENTFD_FLAG_DATAMATCH only writes of the value datamatch match.
 * Writes that match nothing exit to userspace as before.
 */
#define NYX_IOEVENTFD_FLAG_DATAMATCH	(1u << 0)
#define NYX_IOEVENTFD_FLAG_PIO		(1u << 1)
#define NYX_IOEVENTFD_FLAG_DEASSIGN	(1u << 2)
#define NYX_IOEVENTFD_VALID_FLAGS	(NYX_IOEVENTFD_FLAG_DATAMATCH | \
					 NYX_IOEVENTFD_FLAG_PIO | \
					 NYX_IOEVENTFD_FLAG_DEASSIGN)
struct nyx_ioeventfd {
	__u64 datamatch;
	__u64 addr;
	__u32 len;		/* 0, 1, 2, 4, 8 */
	__s32 fd;		/* an eventfd */
	__u32 flags;		/* NYX_IOEVENTFD_FLAG_* */
	__u32 padding;		/* must be 0 */
	__u64 reserved[2];	/* must be 0 */
};
#define NYX_IOEVENTFD		_IOW(NYXIO, 0x17, struct nyx_ioeventfd)

/*
 * irqfd (NYX_CAP_IRQFD, needs NYX_CREATE_IRQCHIP): each signal of the
 * eventfd fd injects an interrupt in the kernel, from any thread: an MSI
 * (NYX_IRQFD_FLAG_MSI: msi_address/msi_data as in NYX_SIGNAL_MSI; there
 * is no separate routing table) or an edge on GSI gsi (as a pulse with
 * NYX_IRQ_LINE). With NYX_IRQFD_FLAG_RESAMPLE (GSI only) the signal
 * asserts a level-triggered GSI instead and keeps it asserted until the
 * guest's EOI of the vector, which deasserts it and signals resamplefd.
 */
#define NYX_IRQFD_FLAG_DEASSIGN		(1u << 0)
#define NYX_IRQFD_FLAG_RESAMPLE		(1u << 1)
#define NYX_IRQFD_FLAG_MSI		(1u << 2)
#define NYX_IRQFD_VALID_FLAGS		(NYX_IRQFD_FLAG_DEASSIGN | \
					 NYX_IRQFD_FLAG_RESAMPLE | \
					 NYX_IRQFD_FLAG_MSI)
struct nyx_irqfd {
	__s32 fd;		/* an eventfd */
	__u32 gsi;		/* without NYX_IRQFD_FLAG_MSI */
	__u32 flags;		/* NYX_IRQFD_FLAG_* */
	__s32 resamplefd;	/* with NYX_IRQFD_FLAG_RESAMPLE, else 0 */
	__u64 msi_address;	/* with NYX_IRQFD_FLAG_MSI, else 0 */
	__u32 msi_data;		/* with NYX_IRQFD_FLAG_MSI, else 0 */
	__u32 padding;		/* must be 0 */
	__u64 reserved[2];	/* must be 0 */
};
#define NYX_IRQFD		_IOW(NYXIO, 0x18, struct nyx_irqfd)

/*
 * Binary statistics (NYX_CAP_BINARY_STATS), like KVM's: one call copies a
 * self-describing snapshot into buf:
 *   struct nyx_stats_header
 *   num_desc x struct nyx_stats_desc   (at desc_offset, desc_size apart)
 *   __u64 values                       (at data_offset, data_size bytes)
 * A descriptor's values are size __u64s at data_offset + offset. Readers
 * find stats by name, never by position: new ones are only appended,
 * and a reader skips names it does not know. Allowed on a VM or vCPU fd
 * from any process that holds it (read-only; does not wait for NYX_RUN).
 */
#define NYX_STATS_VERSION		1
#define NYX_STATS_NAME_SIZE		48

#define NYX_STATS_TYPE_CUMULATIVE	0	/* only grows (rates make sense) */
#define NYX_STATS_TYPE_INSTANT		1	/* a current value */
#define NYX_STATS_TYPE_PEAK		2	/* the largest value seen */

#define NYX_STATS_UNIT_NONE		0	/* a count */
#define NYX_STATS_UNIT_NS		1
#define NYX_STATS_UNIT_BYTES		2
#define NYX_STATS_UNIT_ADDRESS		3	/* a port or guest-physical address */

struct nyx_stats_header {
	__u32 version;		/* NYX_STATS_VERSION */
	__u32 flags;		/* 0 */
	__u32 num_desc;
	__u32 desc_size;	/* sizeof(struct nyx_stats_desc) */
	__u32 desc_offset;	/* bytes from the start of the buffer */
	__u32 data_offset;
	__u32 data_size;	/* bytes of values */
	__u32 total_size;	/* the whole snapshot */
	__u64 reserved[4];
};

struct nyx_stats_desc {
	char name[NYX_STATS_NAME_SIZE];	/* NUL-terminated */
	__u8 type;		/* NYX_STATS_TYPE_* */
	__u8 unit;		/* NYX_STATS_UNIT_* */
	__u16 padding;
	__u32 size;		/* number of __u64 values (1 for a scalar) */
	__u32 offset;		/* of the first value, bytes from data_offset */
	__u32 reserved;
};

struct nyx_stats_request {
	__u64 buf;		/* user address of the snapshot buffer */
	__u32 size;		/* in: bytes at buf; out: snapshot size */
	__u32 flags;		/* must be 0 */
	__u64 reserved[2];	/* must be 0 */
};
/* 0: the snapshot is at buf, size set to its size; -E2BIG: buf too small,
 * size set to what is needed (nothing written to buf). */
#define NYX_GET_VM_STATS	_IOWR(NYXIO, 0x19, struct nyx_stats_request)

/* ---------------------------------------------------------------------
 * vCPU ioctls
 */
#define NYX_RUN			_IO(NYXIO, 0x20)

/* General purpose registers, in the same order as KVM's kvm_regs. */
struct nyx_regs {
	__u64 rax, rbx, rcx, rdx;
	__u64 rsi, rdi, rsp, rbp;
	__u64 r8, r9, r10, r11;
	__u64 r12, r13, r14, r15;
	__u64 rip, rflags;
};

struct nyx_segment {
	__u64 base;
	__u32 limit;		/* byte granular (already scaled by G) */
	__u16 selector;
	__u8 type;
	__u8 present, dpl, db, s, l, g, avl;
	__u8 unusable;
	__u8 padding;
};

struct nyx_dtable {
	__u64 base;
	__u16 limit;
	__u16 padding[3];
};

struct nyx_sregs {
	struct nyx_segment cs, ds, es, fs, gs, ss;
	struct nyx_segment tr, ldt;
	struct nyx_dtable gdt, idt;
	__u64 cr0, cr2, cr3, cr4, cr8;
	__u64 efer;
	__u64 apic_base;
	__u64 flags;		/* must be 0 */
	__u64 reserved[4];
};

#define NYX_GET_REGS		_IOR(NYXIO, 0x21, struct nyx_regs)
#define NYX_SET_REGS		_IOW(NYXIO, 0x22, struct nyx_regs)
#define NYX_GET_SREGS		_IOR(NYXIO, 0x23, struct nyx_sregs)
#define NYX_SET_SREGS		_IOW(NYXIO, 0x24, struct nyx_sregs)

struct nyx_msr_entry {
	__u32 index;
	__u32 reserved;
	__u64 data;
};

/* Header; nmsrs entries follow it. */
struct nyx_msrs {
	__u32 nmsrs;
	__u32 flags;		/* must be 0 */
	__u64 reserved;
	struct nyx_msr_entry entries[];
};

#define NYX_MAX_MSRS		256
/* Both return the number of MSRs processed; they stop at the first one
 * that is unknown or whose value is rejected. */
#define NYX_GET_MSRS		_IOWR(NYXIO, 0x25, struct nyx_msrs)
#define NYX_SET_MSRS		_IOW(NYXIO, 0x26, struct nyx_msrs)

#define NYX_CPUID_FLAG_SIGNIFICANT_INDEX	(1u << 0)

struct nyx_cpuid_entry {
	__u32 function;
	__u32 index;
	__u32 flags;		/* NYX_CPUID_FLAG_* */
	__u32 eax, ebx, ecx, edx;
	__u32 reserved[3];
};

struct nyx_cpuid {
	__u32 nent;
	__u32 flags;		/* must be 0 */
	__u64 reserved;
	struct nyx_cpuid_entry entries[];
};

#define NYX_MAX_CPUID_ENTRIES	256
#define NYX_SET_CPUID		_IOW(NYXIO, 0x27, struct nyx_cpuid)

/* FPU/SSE/AVX state in the standard (non-compacted) XSAVE layout. */
struct nyx_fpu {
	__u64 xcr0;
	__u64 flags;		/* must be 0 */
	__u64 reserved[6];
	__u8 xsave[4096];
};

#define NYX_GET_FPU		_IOR(NYXIO, 0x28, struct nyx_fpu)
#define NYX_SET_FPU		_IOW(NYXIO, 0x29, struct nyx_fpu)

/* Local APIC state: struct nyx_lapic_state (lib/irq/lapic.h) in data[]. */
struct nyx_local_apic {
	__u32 flags;		/* must be 0 */
	__u32 reserved;
	__u8 data[1024];
};
#define NYX_GET_LAPIC		_IOR(NYXIO, 0x2a, struct nyx_local_apic)
#define NYX_SET_LAPIC		_IOW(NYXIO, 0x2b, struct nyx_local_apic)

/*
 * Events in flight and the run state of a vCPU (with NYX_CAP_VCPU_EVENTS).
 * "injected": being delivered by the next entry (an exit interrupted its
 * delivery, or it was queued); "pending": not yet started.
 */
#define NYX_MP_STATE_RUNNABLE	0
#define NYX_MP_STATE_HALTED	1	/* HLT: sleeps until an interrupt */
#define NYX_MP_STATE_WAIT_SIPI	2	/* after INIT: waits for a SIPI */

struct nyx_vcpu_events {
	struct {
		__u8 injected;
		__u8 nr;
		__u8 has_error_code;
		__u8 pending;
		__u32 error_code;
		__u64 cr2;		/* #PF: loaded into CR2 on delivery */
	} exception;
	struct {
		__u8 injected;
		__u8 nr;
		__u8 shadow;		/* STI / MOV SS interrupt shadow */
		__u8 padding;
		__u32 reserved;
	} interrupt;
	struct {
		__u8 injected;
		__u8 pending;		/* NMIs waiting (0-2) */
		__u8 masked;		/* an NMI handler runs (until IRET) */
		__u8 padding[5];
	} nmi;
	__u32 mp_state;		/* NYX_MP_STATE_* */
	__u32 flags;		/* SET: NYX_VCPU_EVENTS_*; GET: 0 */
	__u64 reserved[4];
};
/* SET leaves the APIC's pending NMIs alone (nmi.pending is ignored): an
 * NMI another vCPU sends between GET and SET is not lost. With
 * NYX_CAP_VCPU_EVENTS >= 2. */
#define NYX_VCPU_EVENTS_KEEP_NMI_PENDING	(1u << 0)
#define NYX_GET_VCPU_EVENTS	_IOR(NYXIO, 0x2c, struct nyx_vcpu_events)
#define NYX_SET_VCPU_EVENTS	_IOW(NYXIO, 0x2d, struct nyx_vcpu_events)
/* This vCPU's statistics: see NYX_GET_VM_STATS. */
#define NYX_GET_STATS		_IOWR(NYXIO, 0x2e, struct nyx_stats_request)

/*
 * Guest debugging (NYX_CAP_GUEST_DEBUG), like KVM_SET_GUEST_DEBUG. With
 * ENABLE set, SINGLESTEP runs one instruction per NYX_RUN (RFLAGS.TF,
 * hidden from the guest's RFLAGS reads through NYX_GET_REGS; interrupt
 * injection is held back while stepping), USE_SW_BP turns the guest's
 * #BP (INT3) into NYX_EXIT_DEBUG instead of delivering it, and USE_HW_BP
 * loads debugreg[0..3] and debugreg[7] into DR0-3/DR7 while the guest
 * runs (the guest's own DR7 is kept aside and still reads back as it
 * wrote it). Each debug event exits with NYX_EXIT_DEBUG. debugreg[4..6]
 * must be 0; debugreg[7] must fit in 32 bits.
 */
#define NYX_GUESTDBG_ENABLE		(1u << 0)
#define NYX_GUESTDBG_SINGLESTEP		(1u << 1)
#define NYX_GUESTDBG_USE_SW_BP		(1u << 2)
#define NYX_GUESTDBG_USE_HW_BP		(1u << 3)
#define NYX_GUESTDBG_VALID_FLAGS	(NYX_GUESTDBG_ENABLE | \
					 NYX_GUESTDBG_SINGLESTEP | \
					 NYX_GUESTDBG_USE_SW_BP | \
					 NYX_GUESTDBG_USE_HW_BP)
struct nyx_guest_debug {
	__u32 control;		/* NYX_GUESTDBG_*; 0 turns debugging off */
	__u32 padding;		/* must be 0 */
	__u64 debugreg[8];	/* DR0-3, 0, 0, 0, DR7 */
	__u64 reserved[4];	/* must be 0 */
};
#define NYX_SET_GUEST_DEBUG	_IOW(NYXIO, 0x2f, struct nyx_guest_debug)

/* ---------------------------------------------------------------------
 * The run structure: mmap() of a vCPU fd at offset 0, NYX_GET_VCPU_MMAP_SIZE
 * bytes. Page 0 holds struct nyx_run, page 1 is the I/O data area used by
 * NYX_EXIT_IO (io.data_offset points into it).
 */
#define NYX_EXIT_UNKNOWN	0
#define NYX_EXIT_IO		1
#define NYX_EXIT_MMIO		2
#define NYX_EXIT_HLT		3
#define NYX_EXIT_SHUTDOWN	4	/* triple fault or shutdown */
#define NYX_EXIT_FAIL_ENTRY	5
#define NYX_EXIT_INTERNAL_ERROR	6
#define NYX_EXIT_INTR		7	/* signal pending / immediate_exit */
#define NYX_EXIT_DEBUG		8	/* NYX_SET_GUEST_DEBUG event */

#define NYX_EXIT_IO_IN		0
#define NYX_EXIT_IO_OUT		1

/* internal.suberror */
#define NYX_INTERNAL_ERROR_EMULATION	1	/* instruction not emulated */
#define NYX_INTERNAL_ERROR_UNKNOWN_EXIT	2	/* data[0] = hw exit code */
#define NYX_INTERNAL_ERROR_DELIVERY_EV	3	/* exit while delivering an event */
#define NYX_INTERNAL_ERROR_BAD_STATE	4	/* vCPU state unusable (e.g. after SHUTDOWN) */
#define NYX_INTERNAL_ERROR_NO_MEMORY	5	/* could not map guest RAM */

struct nyx_run {
	/* in */
	__u8 request_interrupt_window;	/* must be 0 (no userspace irqchip) */
	__u8 immediate_exit;		/* non-zero: NYX_RUN returns -EINTR at once */
	__u8 padding1[6];

	/* out */
	__u32 exit_reason;		/* NYX_EXIT_* */
	__u8 ready_for_interrupt_injection;
	__u8 if_flag;
	__u16 flags;
	__u64 cr8;
	__u64 apic_base;

	union {
		/* NYX_EXIT_FAIL_ENTRY */
		struct {
			__u64 hardware_entry_failure_reason;
			__u32 cpu;
			__u32 padding;
		} fail_entry;
		/* NYX_EXIT_IO: count items of size bytes at data_offset in the
		 * mmap'd area. For IN, userspace fills them before the next
		 * NYX_RUN, which completes the instruction. */
		struct {
			__u8 direction;		/* NYX_EXIT_IO_IN / _OUT */
			__u8 size;		/* 1, 2 or 4 */
			__u16 port;
			__u32 count;
			__u64 data_offset;
		} io;
		/* NYX_EXIT_MMIO: for a read, userspace fills data[0..len) */
		struct {
			__u64 phys_addr;
			__u8 data[8];
			__u32 len;
			__u8 is_write;
			__u8 padding[3];
		} mmio;
		/* NYX_EXIT_INTERNAL_ERROR */
		struct {
			__u32 suberror;
			__u32 ndata;
			__u64 data[16];
		} internal;
		/* NYX_EXIT_DEBUG: exception 1 (#DB: step or hardware
		 * breakpoint, which DR6 tells) or 3 (#BP: INT3 at pc) */
		struct {
			__u32 exception;
			__u32 padding;
			__u64 pc;		/* linear address (CS.base + RIP) */
			__u64 dr6;
			__u64 dr7;
		} debug;
		/* NYX_EXIT_SHUTDOWN / NYX_EXIT_HLT: no data */
		__u8 padding[256];
	};
};

#define NYX_RUN_IO_PAGE		1	/* page index of the I/O data area */

/* ---------------------------------------------------------------------
 * Layout checks: the ABI must not change by accident.
 */
#ifdef __cplusplus
#define NYX_STATIC_ASSERT(e, m) static_assert(e, m)
#else
#define NYX_STATIC_ASSERT(e, m) _Static_assert(e, m)
#endif
#define NYX_OFFSETOF(t, m) __builtin_offsetof(t, m)

NYX_STATIC_ASSERT(sizeof(struct nyx_memory_region) == 64, "memory_region");
NYX_STATIC_ASSERT(sizeof(struct nyx_regs) == 144, "regs");
NYX_STATIC_ASSERT(sizeof(struct nyx_segment) == 24, "segment");
NYX_STATIC_ASSERT(sizeof(struct nyx_dtable) == 16, "dtable");
NYX_STATIC_ASSERT(sizeof(struct nyx_sregs) == 320, "sregs");
NYX_STATIC_ASSERT(NYX_OFFSETOF(struct nyx_sregs, cr0) == 224, "sregs.cr0");
NYX_STATIC_ASSERT(sizeof(struct nyx_msr_entry) == 16, "msr_entry");
NYX_STATIC_ASSERT(sizeof(struct nyx_msrs) == 16, "msrs");
NYX_STATIC_ASSERT(sizeof(struct nyx_cpuid_entry) == 40, "cpuid_entry");
NYX_STATIC_ASSERT(sizeof(struct nyx_cpuid) == 16, "cpuid");
NYX_STATIC_ASSERT(sizeof(struct nyx_fpu) == 4160, "fpu");
NYX_STATIC_ASSERT(NYX_OFFSETOF(struct nyx_run, exit_reason) == 8, "run.exit_reason");
NYX_STATIC_ASSERT(NYX_OFFSETOF(struct nyx_run, io) == 32, "run.union");
NYX_STATIC_ASSERT(sizeof(struct nyx_run) == 288, "run");
NYX_STATIC_ASSERT(sizeof(struct nyx_irq_level) == 16, "irq_level");
NYX_STATIC_ASSERT(sizeof(struct nyx_msi) == 32, "msi");
NYX_STATIC_ASSERT(sizeof(struct nyx_irqchip) == 528, "irqchip");
NYX_STATIC_ASSERT(sizeof(struct nyx_local_apic) == 1032, "lapic");
NYX_STATIC_ASSERT(sizeof(struct nyx_vcpu_events) == 72, "vcpu_events");
NYX_STATIC_ASSERT(sizeof(struct nyx_ioeventfd) == 48, "ioeventfd");
NYX_STATIC_ASSERT(sizeof(struct nyx_irqfd) == 48, "irqfd");
NYX_STATIC_ASSERT(sizeof(struct nyx_stats_header) == 64, "stats_header");
NYX_STATIC_ASSERT(sizeof(struct nyx_stats_desc) == 64, "stats_desc");
NYX_STATIC_ASSERT(sizeof(struct nyx_stats_request) == 32, "stats_request");
NYX_STATIC_ASSERT(sizeof(struct nyx_guest_debug) == 104, "guest_debug");

#endif /* _UAPI_NYX_H */
