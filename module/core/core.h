/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nyx core: VMs, vCPUs, memory slots and the vendor ops table that the
 * arch-neutral code drives (AMD SVM in svm/, Intel VMX in vmx/).
 */
#ifndef NYX_CORE_H
#define NYX_CORE_H

#include <linux/types.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/kref.h>
#include <linux/mm_types.h>
#include <linux/wait.h>
#include <asm/fpu/api.h>
#include <asm/fpu/types.h>
#include <uapi/nyx.h>

#include "x86/emulate.h"
#include "core/eventfd.h"
#include "stats/stats.h"

#define NYX_MAX_VCPUS		64
#define NYX_MAX_SLOTS		32
#define NYX_RUN_PAGES		2	/* struct nyx_run + the I/O data page */

/* Reasons counted per vCPU (debugfs), independent of the vendor. */
enum nyx_exit_stat {
	NYX_STAT_IO,
	NYX_STAT_IO_STRING,
	NYX_STAT_MMIO,
	NYX_STAT_NPF_MAP,	/* nested page fault that mapped guest RAM */
	NYX_STAT_CPUID,
	NYX_STAT_MSR,
	NYX_STAT_HLT,
	NYX_STAT_INTR,		/* host interrupt */
	NYX_STAT_NMI,
	NYX_STAT_EXCEPTION,	/* intercepted guest exception */
	NYX_STAT_XSETBV,
	NYX_STAT_DR,
	NYX_STAT_SHUTDOWN,
	NYX_STAT_OTHER,
	NYX_STAT_USERSPACE,	/* returns to userspace */
	NYX_STAT_SIGNAL,	/* returns because of a signal */
	NYX_STAT_IRQ_INJECT,	/* interrupts injected */
	NYX_STAT_NMI_INJECT,
	NYX_STAT_IRQ_WINDOW,	/* interrupt/NMI window exits */
	NYX_STAT_HALT_SLEEP,	/* sleeps in HLT or wait-for-SIPI */
	NYX_STAT_HALT_POLL_OK,	/* HLTs a poll ended without sleeping */
	NYX_STAT_IOEVENTFD,	/* writes an ioeventfd took */
	NYX_STAT_EXITS,		/* every exit, whatever the reason */
	NYX_STAT_HALT_POLL_FAIL,	/* polls that ended in a sleep */
	NYX_STAT_HALT_POLL_NS,	/* time spent polling */
	NYX_STAT_HALT_SLEEP_NS,	/* time asleep in HLT / wait-for-SIPI */
	NYX_STAT_HALT_SLEEP_MAX_NS,	/* peak: the longest sleep */
	NYX_STAT_GUEST_NS,	/* time in guest mode (kept in TSC cycles:
				 * read it with nyx_vcpu_stat()) */
	NYX_STAT_PIO_ALL,	/* every port I/O exit, wherever handled */
	NYX_STAT_MMIO_ALL,	/* every MMIO access, wherever handled */
	NYX_STAT_PV_EOI,	/* EOIs the guest signalled in memory */
	NYX_NR_STATS
};

extern const char *const nyx_stat_names[NYX_NR_STATS];

struct nyx_memslot {
	u64 base_gfn;
	u64 npages;		/* 0: unused */
	u64 userspace_addr;
	u32 flags;
};

/* Second-level (NPT/EPT) page table; entry format comes from the vendor. */
struct nyx_mmu {
	u64 *root;		/* 4-level table root (kernel virtual) */
	spinlock_t lock;	/* protects the table contents */
	unsigned long nr_table_pages;
	unsigned long nr_mapped;	/* pinned guest pages */
	unsigned long nr_large;		/* 2 MiB leaves among them */
};

struct nyx_vm {
	struct kref ref;
	struct mutex lock;		/* slots, vCPU creation */
	struct mm_struct *mm;		/* the creator's address space */
	int id;
	struct nyx_memslot slots[NYX_MAX_SLOTS];
	u64 slots_gen;			/* bumped on every slot change */
	struct nyx_mmu mmu;
	struct nyx_vcpu *vcpus[NYX_MAX_VCPUS];
	atomic_t nr_vcpus;
	struct dentry *debugfs;
	struct nyx_vm_irqchip *irqchip;	/* NYX_CREATE_IRQCHIP, or NULL */
	u64 tsc_offset;			/* every vCPU's TSC starts at 0 at once */
	struct nyx_vm_eventfds eventfds;	/* NYX_IOEVENTFD, NYX_IRQFD */
	void *vendor;			/* vendor per-VM data */
};

/* Work a vCPU must do before its next entry, set from other threads. */
#define NYX_REQ_TLB_FLUSH	0
#define NYX_REQ_EVENT		1	/* interrupt state changed */

/*
 * Where a vCPU's thread is, for kicks. EXITING: an IPI is on its way, so
 * a second asynchronous kick before the exit sends none (KVM's
 * EXITING_GUEST_MODE); a synchronous one (nyx_vcpu_kick_all) still does,
 * since it must know the vCPU left guest mode.
 */
enum nyx_vcpu_mode { NYX_OUTSIDE_GUEST, NYX_IN_GUEST, NYX_EXITING_GUEST };

/* What the next NYX_RUN must finish before entering the guest. */
enum nyx_pending_user {
	NYX_PENDING_NONE,
	NYX_PENDING_PIO_IN,		/* copy data into RAX, skip insn */
	NYX_PENDING_PIO_STRING,		/* continue a rep ins/outs */
	NYX_PENDING_MMIO,		/* resume the emulator */
};

struct nyx_string_io {
	u16 port;
	u8 size;		/* 1, 2, 4 */
	u8 in;
	u8 rep;
	u8 addr_size;		/* 2, 4, 8 */
	u8 seg;			/* x86_seg of the memory operand */
	u32 count;		/* items in the current chunk */
	u64 next_rip;
};

struct nyx_pending_exception {
	bool pending;
	u8 vector;
	bool has_error_code;
	u32 error_code;
	u64 cr2;		/* #PF only: loaded into CR2 on injection */
};

struct nyx_vcpu {
	struct nyx_vm *vm;
	int id;
	struct mutex mutex;		/* serialises vCPU ioctls */
	struct nyx_run *run;		/* NYX_RUN_PAGES, mmap'd by userspace */
	struct page *run_pages[NYX_RUN_PAGES];

	/* Guest GPRs in hardware order; the vendor syncs RAX/RSP with its
	 * control block around every entry. */
	unsigned long regs[X86_NR_GPRS];
	u64 rip;
	u64 rflags;

	struct fpu_guest gfpu;
	u64 xcr0;

	struct nyx_cpuid_entry *cpuid;
	u32 cpuid_nent;

	/* MSRs kept by the core (not in vendor state) */
	u64 apic_base;
	u64 misc_enable;
	u64 mtrr_def_type;
	u64 mtrr_fixed[11];
	u64 mtrr_var[16];
	u64 tsc_offset;
	u64 tsc_adjust;			/* IA32_TSC_ADJUST */
	u64 dr[4];			/* DR0-3: intercepted, never on hardware */
	u64 dr6;			/* where the vendor does not switch it */

	/* NYX_SET_GUEST_DEBUG (x86/debug.c) */
	u32 guest_debug;		/* NYX_GUESTDBG_*, 0: off */
	u64 dbg_dr[4];			/* the debugger's DR0-3 ... */
	u64 dbg_dr7;			/* ... and DR7 (with USE_HW_BP) */
	u64 guest_dr7;			/* the guest's DR7 meanwhile */
	bool dbg_tf_added;		/* TF set for this entry by us */
	bool dbg_step_done;		/* a stepped insn completed in an
					 * exit to userspace */

	enum nyx_pending_user pending;
	struct nyx_string_io sio;
	struct x86_cpu_state emu_cpu;
	struct x86_emu emu;

	struct nyx_pending_exception exc;
	bool state_invalid;		/* after SHUTDOWN: must be reset by SET_* */

	struct nyx_vcpu_apic *apic;	/* with the in-kernel irqchip */
	u32 mp_state;			/* NYX_MP_STATE_* */
	wait_queue_head_t wq;		/* sleeps in HLT / wait-for-SIPI */
	u32 halt_poll_ns;		/* current halt-polling window */
	u64 halt_sleep_since;		/* ktime of the sleep going on, or 0 */

	int mode;			/* enum nyx_vcpu_mode */
	int cpu;			/* host CPU of the last entry */
	unsigned long requests;

	u64 stats[NYX_NR_STATS];	/* readers: nyx_vcpu_stat() */
	struct nyx_topn pio_top;	/* by port */
	struct nyx_topn mmio_top;	/* by guest-physical page */
	struct dentry *debugfs;

	void *vendor;			/* struct svm_vcpu / struct vmx_vcpu */
};

struct nyx_vendor_ops {
	const char *name;
	int cap_npt, cap_ept;

	/* Once at module load/unload. */
	int (*hardware_setup)(void);
	void (*hardware_unsetup)(void);
	/* On each CPU (IPI context or hotplug callback). */
	int (*hardware_enable)(void);
	void (*hardware_disable)(void);
	/* Leaves VMX/SVM on this CPU in a crash or emergency reboot (INIT is
	 * blocked in VMX operation). Registered with the kernel only while
	 * virtualization is on: the kernel keeps one such callback, which
	 * KVM also wants. */
	void (*emergency_disable)(void);

	/* Entry format of the second-level page table. A 2 MiB leaf is a
	 * level-1 leaf with bit 7 set, where mmu_large says the CPU has them. */
	bool mmu_large;
	u64 (*mmu_leaf)(u64 pfn, bool writable);
	u64 (*mmu_table)(u64 pa);
	bool (*mmu_present)(u64 pte);

	int (*vm_init)(struct nyx_vm *vm);
	void (*vm_destroy)(struct nyx_vm *vm);

	int (*vcpu_create)(struct nyx_vcpu *vcpu);
	void (*vcpu_free)(struct nyx_vcpu *vcpu);
	void (*vcpu_reset)(struct nyx_vcpu *vcpu);

	/* Before each entry, preemption disabled, interrupts enabled: bind
	 * the vCPU's hardware state to this CPU (may IPI the previous one). */
	void (*vcpu_load)(struct nyx_vcpu *vcpu, int cpu);
	/* Enter the guest once; preemption and interrupts are disabled. */
	void (*vcpu_run)(struct nyx_vcpu *vcpu);
	/* Handle the last exit, interrupts enabled. >0: re-enter, 0: exit to
	 * userspace with vcpu->run filled, <0: error. */
	int (*handle_exit)(struct nyx_vcpu *vcpu);

	void (*get_sregs)(struct nyx_vcpu *vcpu, struct nyx_sregs *sregs);
	int (*set_sregs)(struct nyx_vcpu *vcpu, const struct nyx_sregs *sregs);
	/* Fill the emulator's view: control registers and segments. */
	void (*get_emu_state)(struct nyx_vcpu *vcpu, struct x86_cpu_state *s);
	int (*get_cpl)(struct nyx_vcpu *vcpu);
	/* MSRs stored in vendor state: 0 handled, 1 not a vendor MSR,
	 * -EINVAL bad value. */
	int (*get_msr)(struct nyx_vcpu *vcpu, u32 index, u64 *data);
	int (*set_msr)(struct nyx_vcpu *vcpu, u32 index, u64 data);
	u64 (*get_cr4)(struct nyx_vcpu *vcpu);
	u64 (*get_dr7)(struct nyx_vcpu *vcpu);
	void (*set_dr7)(struct nyx_vcpu *vcpu, u64 val);
	/* Exception intercepts (#DB, #BP) and DR access intercepts for
	 * vcpu->guest_debug. */
	void (*update_guest_debug)(struct nyx_vcpu *vcpu);
	void (*set_tsc_offset)(struct nyx_vcpu *vcpu, u64 offset);
	void (*inject_exception)(struct nyx_vcpu *vcpu,
				 const struct nyx_pending_exception *exc);

	/*
	 * Interrupt injection, for the in-kernel irqchip. Called right before
	 * vcpu_run with interrupts disabled and the vendor state loaded.
	 * event_queued: the next entry already delivers an event (one the
	 * last exit interrupted, or an exception). interrupt_allowed:
	 * RFLAGS.IF set and no STI/MOV SS shadow. The windows ask for an exit
	 * as soon as an interrupt (NMI) can be taken; the vendor turns the
	 * window off again when that exit comes.
	 */
	bool (*event_queued)(struct nyx_vcpu *vcpu);
	bool (*interrupt_allowed)(struct nyx_vcpu *vcpu);
	bool (*nmi_allowed)(struct nyx_vcpu *vcpu);
	void (*inject_irq)(struct nyx_vcpu *vcpu, u8 vector);
	void (*inject_nmi)(struct nyx_vcpu *vcpu);
	void (*enable_irq_window)(struct nyx_vcpu *vcpu);
	/*
	 * Optional: hand an acknowledged interrupt to the CPU, which
	 * delivers it as soon as the guest can take it (SVM V_IRQ), with
	 * no interrupt-window exit. event_queued() is true until it is
	 * delivered; a window asked for meanwhile turns it back into an
	 * exit followed by a normal injection.
	 */
	void (*inject_irq_virtual)(struct nyx_vcpu *vcpu, u8 vector);
	bool (*irq_virtual_pending)(struct nyx_vcpu *vcpu);
	void (*enable_nmi_window)(struct nyx_vcpu *vcpu);
	/* The guest's CR8 (TPR bits 7:4), as the vendor keeps it. */
	u8 (*get_cr8)(struct nyx_vcpu *vcpu);
	void (*set_cr8)(struct nyx_vcpu *vcpu, u8 cr8);
	/* NYX_GET/SET_VCPU_EVENTS: the injected event, the interrupt shadow
	 * and NMI masking (the core fills the rest). set gets validated
	 * input and returns 0 or -EINVAL. */
	void (*get_events)(struct nyx_vcpu *vcpu, struct nyx_vcpu_events *ev);
	int (*set_events)(struct nyx_vcpu *vcpu,
			  const struct nyx_vcpu_events *ev);
	void (*flush_tlb)(struct nyx_vcpu *vcpu);
	/* Move RIP past the intercepted instruction (len if the hardware
	 * does not report the next RIP). */
	void (*skip_insn)(struct nyx_vcpu *vcpu, unsigned int len);
};

extern const struct nyx_vendor_ops *nyx_ops;

/* main.c */
int nyx_enable_virtualization(void);
void nyx_disable_virtualization(void);

/* vm.c */
long nyx_create_vm(unsigned long type);
void nyx_vm_put(struct nyx_vm *vm);
struct nyx_memslot *nyx_find_slot(struct nyx_vm *vm, u64 gfn);
long nyx_check_extension(unsigned long cap);

/* vcpu.c */
int nyx_create_vcpu(struct nyx_vm *vm, unsigned long id);
void nyx_vcpu_kick_all(struct nyx_vm *vm, int req);

/* debugfs.c */
int nyx_debugfs_init(void);
void nyx_debugfs_exit(void);
void nyx_debugfs_vm_add(struct nyx_vm *vm);
void nyx_debugfs_vm_remove(struct nyx_vm *vm);
void nyx_debugfs_vcpu_add(struct nyx_vcpu *vcpu);

/* stats.c: NYX_GET_STATS / NYX_GET_VM_STATS */
long nyx_vcpu_get_stats(struct nyx_vcpu *vcpu, void __user *argp);
long nyx_vm_get_stats(struct nyx_vm *vm, void __user *argp);
void nyx_stats_init(void);
void nyx_stat_pio(struct nyx_vcpu *vcpu, u16 port);
void nyx_stat_mmio(struct nyx_vcpu *vcpu, u64 gpa);

/* x86/mmu.c */
int nyx_mmu_init(struct nyx_vm *vm);
void nyx_mmu_destroy(struct nyx_vm *vm);
u64 nyx_mmu_root_pa(struct nyx_vm *vm);
/* Statistic i of a vCPU as reported (GUEST_NS converted from cycles). */
u64 nyx_vcpu_stat(struct nyx_vcpu *vcpu, int i);
int nyx_mmu_map_gpa(struct nyx_vcpu *vcpu, struct nyx_memslot *slot, u64 gpa);
int nyx_mmu_check_gfn(struct nyx_vm *vm, u64 gfn, u64 *npt_pfn, u64 *mem_pfn);
int nyx_mmu_zap_slot(struct nyx_vm *vm, struct nyx_memslot *slot);

#endif
