// SPDX-License-Identifier: GPL-2.0
/*
 * Intel VMX backend: VMXON per CPU, one VMCS per vCPU, EPT + VPID,
 * unrestricted guest, exit decoding. Behaves like the SVM backend at the
 * ABI; where the hardware differs it is said here.
 *
 * Which state switches how:
 *  - guest RIP/RSP/RFLAGS, segments, CR0/3/4, DR7, EFER, PAT, SYSENTER_*:
 *    VMCS guest-state area, loaded/saved by VM entry/exit;
 *  - STAR/LSTAR/CSTAR/SFMASK/KERNEL_GS_BASE: passed through to the guest
 *    and switched by the VM-entry/VM-exit MSR areas;
 *  - CR2 and the GPRs other than RSP: by hand around the entry;
 *  - DR0-3/DR6: every MOV DR exits and is emulated (values kept virtual);
 *  - CR8: every MOV CR8 exits; the value is kept in vmx->cr8, which the
 *    in-kernel irqchip syncs with its local APIC's TPR.
 *
 * Events: an exception, interrupt or NMI is injected through the VM-entry
 * interruption-information field, which VM exits clear; an event whose
 * delivery an exit interrupted is put back there right after that exit.
 * The pin-based "virtual NMIs" control makes the hardware track NMI
 * blocking (bit 3 of the interruptibility state, set by an NMI's delivery,
 * cleared by IRET), and the interrupt-window and NMI-window exits tell when
 * a pending interrupt or NMI can be taken. A CPU without virtual NMIs or
 * those exits gets no in-kernel irqchip (NYX_CAP_IRQCHIP is 0 and
 * NYX_CREATE_IRQCHIP fails with ENODEV).
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/io.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/idr.h>
#include <asm/vmx.h>
#include <asm/msr.h>
#include <asm/msr-index.h>
#include <asm/processor.h>
#include <asm/cpufeature.h>
#include <asm/fpu/xcr.h>
#include <asm/debugreg.h>
#include <asm/desc.h>
#include <asm/tlbflush.h>
#include <asm/special_insns.h>
#include <asm/apic.h>
#include <asm/reboot.h>
#include <asm/segment.h>
#include <asm/tsc.h>
#include <asm/trapnr.h>

#include "x86/x86.h"
#include "x86/irq.h"
#include "vmx/vmx.h"
#include "core/trace.h"

int nyx_vmx_vmrun(unsigned long *regs, bool launched);
extern char nyx_vmx_vmexit[];

#define VMX_AR_UNUSABLE		(1u << 16)
#define VMX_NR_AUTO_MSRS	5
#define VMX_EPT_MT_WB		6ull
/* The parts of an event's information that VM entry accepts. */
#define VMX_EVENT_INFO_MASK	(INTR_INFO_VECTOR_MASK | \
				 INTR_INFO_INTR_TYPE_MASK | \
				 INTR_INFO_DELIVER_CODE_MASK | \
				 INTR_INFO_VALID_MASK)
#define VMX_INTR_SHADOW		(GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS)
#define VMX_WINDOW_EXITS	(CPU_BASED_INTR_WINDOW_EXITING | \
				 CPU_BASED_NMI_WINDOW_EXITING)

/* CR0/CR4 bits the host owns: writes exit, reads see the shadow. */
#define VMX_CR0_HOST_BITS	(X86_CR0_PE | X86_CR0_PG | X86_CR0_CD | \
				 X86_CR0_NW | X86_CR0_NE)
#define VMX_CR4_HOST_BITS	(X86_CR4_VMXE | X86_CR4_PAE | X86_CR4_PSE | \
				 X86_CR4_PGE | X86_CR4_SMXE)

struct nyx_vmx_msr {
	u32 index;
	u32 reserved;
	u64 value;
};

/* Passed through; switched by the entry/exit MSR areas (same order). */
static const u32 vmx_auto_msrs[VMX_NR_AUTO_MSRS] = {
	MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SYSCALL_MASK, MSR_KERNEL_GS_BASE,
};

struct vmx_cpu {
	struct page *vmxon_region;
	struct list_head loaded;	/* VMCSs active on this CPU */
	u64 current_vmcs;		/* what VMPTRLD made current */
	bool enabled;
};

/* What an exit left in the VMCS, read while it was current. */
struct vmx_exit_info {
	u32 reason;
	u32 insn_len;
	u32 idt_vectoring;
	u32 intr_info;
	unsigned long qual;
	u64 gpa;
};

struct vmx_vcpu {
	struct vmcs_page {
		u32 revision;
		u32 abort;
	} *vmcs;
	u64 vmcs_pa;
	int cpu;			/* where the VMCS is active, or -1 */
	bool launched;
	bool need_flush;
	bool vmfail;			/* VMLAUNCH/VMRESUME itself failed */
	u32 vm_insn_error;
	struct vmx_exit_info exit;
	struct list_head loaded_link;
	u16 vpid;
	u64 cr0, cr4;			/* the guest's view */
	u64 cr2;
	u64 cr8;
	u64 efer;
	/* guest MSRs: loaded on entry, stored on exit (one array) */
	struct nyx_vmx_msr *guest_msrs;
	/* host MSRs, loaded on exit */
	struct nyx_vmx_msr *host_msrs;
	u32 entry_ctls;
	u32 proc;			/* primary processor-based controls */
	/* GUEST_INTERRUPTIBILITY_INFO as the last exit left it or as we
	 * wrote it since (vmx_set_intr_state) */
	u32 intr_state;
};

struct vmx_config {
	u32 revision;
	u32 pin, proc, proc2, exit, entry;
	u64 cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	u64 ept_vpid_cap;
	bool ept_ad;
	u32 preempt_ticks;	/* VMX-preemption timer value per entry */
};

static DEFINE_PER_CPU(struct vmx_cpu, vmx_cpu);
static struct vmx_config vmx_cfg;
static struct page *vmx_msr_bitmap;
static DEFINE_IDA(vmx_vpid_ida);

static inline struct vmx_vcpu *to_vmx(struct nyx_vcpu *vcpu)
{
	return vcpu->vendor;
}

/* ---- VMX instructions ---- */
static inline unsigned long vmcs_read(unsigned long field)
{
	unsigned long value;

	asm volatile("vmread %[field], %[value]"
		     : [value] "=rm"(value) : [field] "r"(field) : "cc");
	return value;
}

static inline void vmcs_write(unsigned long field, unsigned long value)
{
	asm volatile("vmwrite %[value], %[field]"
		     : : [field] "r"(field), [value] "rm"(value)
		     : "cc", "memory");
}

static inline int vmx_insn_pa(u64 pa, int op)
{
	bool fail;

	switch (op) {
	case 0:
		asm volatile("vmxon %[pa]; setna %[fail]"
			     : [fail] "=qm"(fail) : [pa] "m"(pa) : "cc", "memory");
		break;
	case 1:
		asm volatile("vmclear %[pa]; setna %[fail]"
			     : [fail] "=qm"(fail) : [pa] "m"(pa) : "cc", "memory");
		break;
	default:
		asm volatile("vmptrld %[pa]; setna %[fail]"
			     : [fail] "=qm"(fail) : [pa] "m"(pa) : "cc", "memory");
		break;
	}
	return fail ? -EIO : 0;
}

#define vmxon(pa)	vmx_insn_pa(pa, 0)
#define vmclear(pa)	vmx_insn_pa(pa, 1)
#define vmptrld(pa)	vmx_insn_pa(pa, 2)

static void invept(unsigned long type, u64 eptp)
{
	struct { u64 eptp, gpa; } desc = { eptp, 0 };

	asm volatile("invept %0, %1" : : "m"(desc), "r"(type) : "cc", "memory");
}

static void invvpid(unsigned long type, u16 vpid)
{
	struct { u64 vpid; u64 gva; } desc = { vpid, 0 };

	asm volatile("invvpid %0, %1" : : "m"(desc), "r"(type) : "cc", "memory");
}

/* ---- capabilities ---- */
bool nyx_vmx_supported(void)
{
	return boot_cpu_has(X86_FEATURE_VMX);
}

/* Apply the allowed-0 (must be 1) and allowed-1 (may be 1) settings. */
static int vmx_adjust(u32 msr, u32 want, u32 optional, u32 *out)
{
	u64 cap;
	u32 ctl;

	rdmsrl(msr, cap);
	ctl = (want | optional) & (u32)(cap >> 32);
	ctl |= (u32)cap;
	if ((ctl & want) != want)
		return -EIO;
	*out = ctl;
	return 0;
}

static int vmx_hardware_setup(void)
{
	struct vmx_config *c = &vmx_cfg;
	u64 basic, feat;
	bool truectl;
	u8 *bitmap;
	unsigned int i;

	rdmsrl(MSR_IA32_FEAT_CTL, feat);
	if (!(feat & FEAT_CTL_LOCKED) ||
	    !(feat & FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX)) {
		pr_err("nyx: VMX disabled by the firmware (IA32_FEATURE_CONTROL %llx)\n",
		       feat);
		return -ENODEV;
	}
	rdmsrl(MSR_IA32_VMX_BASIC, basic);
	c->revision = (u32)basic & 0x7fffffff;
	truectl = basic & VMX_BASIC_TRUE_CTLS;
	if (((basic >> 32) & 0x1fff) > PAGE_SIZE ||
	    ((basic >> 50) & 0xf) != 6) {
		pr_err("nyx: unsupported VMCS size or memory type\n");
		return -ENODEV;
	}

	if (vmx_adjust(truectl ? MSR_IA32_VMX_TRUE_PINBASED_CTLS :
				 MSR_IA32_VMX_PINBASED_CTLS,
		       PIN_BASED_EXT_INTR_MASK | PIN_BASED_NMI_EXITING,
		       PIN_BASED_VMX_PREEMPTION_TIMER | PIN_BASED_VIRTUAL_NMIS,
		       &c->pin) ||
	    vmx_adjust(truectl ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS :
				 MSR_IA32_VMX_PROCBASED_CTLS,
		       CPU_BASED_HLT_EXITING | CPU_BASED_MWAIT_EXITING |
		       CPU_BASED_RDPMC_EXITING | CPU_BASED_CR8_LOAD_EXITING |
		       CPU_BASED_CR8_STORE_EXITING | CPU_BASED_MOV_DR_EXITING |
		       CPU_BASED_UNCOND_IO_EXITING |
		       CPU_BASED_USE_MSR_BITMAPS | CPU_BASED_MONITOR_EXITING |
		       CPU_BASED_USE_TSC_OFFSETTING |
		       CPU_BASED_ACTIVATE_SECONDARY_CONTROLS, VMX_WINDOW_EXITS,
		       &c->proc) ||
	    vmx_adjust(MSR_IA32_VMX_PROCBASED_CTLS2,
		       SECONDARY_EXEC_ENABLE_EPT |
		       SECONDARY_EXEC_UNRESTRICTED_GUEST |
		       SECONDARY_EXEC_ENABLE_VPID,
		       SECONDARY_EXEC_WBINVD_EXITING |
		       SECONDARY_EXEC_ENABLE_INVPCID, &c->proc2) ||
	    vmx_adjust(truectl ? MSR_IA32_VMX_TRUE_EXIT_CTLS :
				 MSR_IA32_VMX_EXIT_CTLS,
		       VM_EXIT_HOST_ADDR_SPACE_SIZE | VM_EXIT_SAVE_IA32_EFER |
		       VM_EXIT_LOAD_IA32_EFER | VM_EXIT_SAVE_IA32_PAT |
		       VM_EXIT_LOAD_IA32_PAT | VM_EXIT_SAVE_DEBUG_CONTROLS, 0,
		       &c->exit) ||
	    vmx_adjust(truectl ? MSR_IA32_VMX_TRUE_ENTRY_CTLS :
				 MSR_IA32_VMX_ENTRY_CTLS,
		       VM_ENTRY_LOAD_IA32_EFER | VM_ENTRY_LOAD_IA32_PAT |
		       VM_ENTRY_LOAD_DEBUG_CONTROLS, 0,
		       &c->entry)) {
		pr_err("nyx: VMX lacks EPT, VPID, unrestricted guest or a required control\n");
		return -ENODEV;
	}
	/*
	 * The in-kernel irqchip needs the hardware to track NMI blocking
	 * (virtual NMIs) and both window exits; without them it is not
	 * offered (the core looks at inject_irq).
	 */
	if (!(c->pin & PIN_BASED_VIRTUAL_NMIS) ||
	    (c->proc & VMX_WINDOW_EXITS) != VMX_WINDOW_EXITS) {
		pr_info("nyx: VMX without virtual NMIs or window exits: no in-kernel irqchip\n");
		nyx_vmx_ops.inject_irq = NULL;
	}
	/* CR3 accesses must not exit with EPT (allowed-0 permitting); the
	 * window exits are turned on when needed */
	c->proc &= ~(CPU_BASED_CR3_LOAD_EXITING | CPU_BASED_CR3_STORE_EXITING |
		     CPU_BASED_INVLPG_EXITING | CPU_BASED_RDTSC_EXITING |
		     CPU_BASED_USE_IO_BITMAPS | VMX_WINDOW_EXITS);
	/* IA-32e mode guest is set per vCPU from EFER.LMA */
	c->entry &= ~VM_ENTRY_IA32E_MODE;

	rdmsrl(MSR_IA32_VMX_EPT_VPID_CAP, c->ept_vpid_cap);
	if (!(c->ept_vpid_cap & VMX_EPT_PAGE_WALK_4_BIT) ||
	    !(c->ept_vpid_cap & VMX_EPTP_WB_BIT) ||
	    !(c->ept_vpid_cap & VMX_EPT_INVEPT_BIT)) {
		pr_err("nyx: EPT without 4-level walks, WB or INVEPT\n");
		return -ENODEV;
	}
	/* accessed/dirty flags in EPT entries, where the CPU has them (for
	 * dirty logging; leaves are created with A/D already set) */
	c->ept_ad = c->ept_vpid_cap & VMX_EPT_AD_BIT;
	nyx_vmx_ops.mmu_large = c->ept_vpid_cap & VMX_EPT_2MB_PAGE_BIT;
	/*
	 * Bound every guest run to about a millisecond with the VMX
	 * preemption timer, so that signals and need_resched are seen even
	 * where a host interrupt fails to cause an exit (Bochs does not exit
	 * a guest that runs with IF=0).
	 */
	if (c->pin & PIN_BASED_VMX_PREEMPTION_TIMER) {
		u64 misc;

		rdmsrl(MSR_IA32_VMX_MISC, misc);
		c->preempt_ticks = max_t(u32, tsc_khz >> (misc & 0x1f), 1000);
	}
	rdmsrl(MSR_IA32_VMX_CR0_FIXED0, c->cr0_fixed0);
	rdmsrl(MSR_IA32_VMX_CR0_FIXED1, c->cr0_fixed1);
	rdmsrl(MSR_IA32_VMX_CR4_FIXED0, c->cr4_fixed0);
	rdmsrl(MSR_IA32_VMX_CR4_FIXED1, c->cr4_fixed1);

	vmx_msr_bitmap = alloc_page(GFP_KERNEL);
	if (!vmx_msr_bitmap)
		return -ENOMEM;
	bitmap = page_address(vmx_msr_bitmap);
	memset(bitmap, 0xff, PAGE_SIZE);
	/* read-low 0, read-high 1024, write-low 2048, write-high 3072 */
	{
		static const u32 pass[] = {
			MSR_FS_BASE, MSR_GS_BASE, MSR_KERNEL_GS_BASE,
			MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SYSCALL_MASK,
			MSR_IA32_SYSENTER_CS, MSR_IA32_SYSENTER_ESP,
			MSR_IA32_SYSENTER_EIP,
		};

		for (i = 0; i < ARRAY_SIZE(pass); i++) {
			u32 m = pass[i], off = 0;

			if (m >= 0xc0000000) {
				off = 1024;
				m -= 0xc0000000;
			}
			bitmap[off + m / 8] &= ~(1 << (m % 8));
			bitmap[off + 2048 + m / 8] &= ~(1 << (m % 8));
		}
	}

	nyx_host_xcr0 = boot_cpu_has(X86_FEATURE_OSXSAVE) ?
			xgetbv(XCR_XFEATURE_ENABLED_MASK) : 0;
	pr_info("nyx: VMX with EPT%s, VPID, unrestricted guest (rev %u, EPT caps %llx)\n",
		c->ept_ad ? " A/D" : "", c->revision, c->ept_vpid_cap);
	return 0;
}

static void vmx_emergency_disable(void)
{
	if (__read_cr4() & X86_CR4_VMXE) {
		asm volatile("vmxoff" ::: "cc", "memory");
		cr4_clear_bits(X86_CR4_VMXE);
	}
}

static int vmx_hardware_setup_all(void)
{
	int cpu, r;

	r = vmx_hardware_setup();
	if (r)
		return r;
	for_each_possible_cpu(cpu) {
		struct vmx_cpu *vc = per_cpu_ptr(&vmx_cpu, cpu);

		INIT_LIST_HEAD(&vc->loaded);
		vc->vmxon_region = alloc_pages_node(cpu_to_node(cpu),
						    GFP_KERNEL | __GFP_ZERO, 0);
		if (!vc->vmxon_region)
			goto nomem;
		*(u32 *)page_address(vc->vmxon_region) = vmx_cfg.revision;
	}
	return 0;
nomem:
	for_each_possible_cpu(cpu) {
		struct vmx_cpu *vc = per_cpu_ptr(&vmx_cpu, cpu);

		if (vc->vmxon_region)
			__free_page(vc->vmxon_region);
		vc->vmxon_region = NULL;
	}
	__free_page(vmx_msr_bitmap);
	return -ENOMEM;
}

static void vmx_hardware_unsetup(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct vmx_cpu *vc = per_cpu_ptr(&vmx_cpu, cpu);

		if (vc->vmxon_region)
			__free_page(vc->vmxon_region);
		vc->vmxon_region = NULL;
	}
	__free_page(vmx_msr_bitmap);
}

static int vmx_hardware_enable(void)
{
	struct vmx_cpu *vc = this_cpu_ptr(&vmx_cpu);

	if (__read_cr4() & X86_CR4_VMXE) {
		pr_warn_once("nyx: VMX already in use on CPU %d (kvm_intel running a VM?)\n",
			     smp_processor_id());
		return -EBUSY;
	}
	cr4_set_bits(X86_CR4_VMXE);
	if (vmxon(page_to_phys(vc->vmxon_region))) {
		cr4_clear_bits(X86_CR4_VMXE);
		return -EIO;
	}
	/* stale EPT translations from an earlier user of this CPU */
	invept(VMX_EPT_EXTENT_GLOBAL, 0);
	vc->enabled = true;
	return 0;
}

static void vmx_clear_loaded(struct vmx_vcpu *vmx)
{
	struct vmx_cpu *vc = this_cpu_ptr(&vmx_cpu);

	if (vc->current_vmcs == vmx->vmcs_pa)
		vc->current_vmcs = 0;
	vmclear(vmx->vmcs_pa);
	list_del(&vmx->loaded_link);
	vmx->cpu = -1;
	vmx->launched = false;
}

static void vmx_hardware_disable(void)
{
	struct vmx_cpu *vc = this_cpu_ptr(&vmx_cpu);
	struct vmx_vcpu *vmx, *tmp;

	if (!vc->enabled)
		return;
	/* VMCSs active here must be written back before VMXOFF */
	list_for_each_entry_safe(vmx, tmp, &vc->loaded, loaded_link)
		vmx_clear_loaded(vmx);
	asm volatile("vmxoff" ::: "cc", "memory");
	cr4_clear_bits(X86_CR4_VMXE);
	vc->enabled = false;
}

/* ---- EPT entries: R/W/X, write-back, A/D preset ---- */
static u64 vmx_mmu_leaf(u64 pfn, bool writable)
{
	return (pfn << PAGE_SHIFT) | VMX_EPT_READABLE_MASK |
	       VMX_EPT_EXECUTABLE_MASK | (VMX_EPT_MT_WB << 3) |
	       VMX_EPT_ACCESS_BIT |
	       (writable ? VMX_EPT_WRITABLE_MASK | VMX_EPT_DIRTY_BIT : 0);
}

static u64 vmx_mmu_table(u64 pa)
{
	return pa | VMX_EPT_READABLE_MASK | VMX_EPT_WRITABLE_MASK |
	       VMX_EPT_EXECUTABLE_MASK;
}

static bool vmx_mmu_present(u64 pte)
{
	return pte & VMX_EPT_READABLE_MASK;
}

static u64 vmx_eptp(struct nyx_vm *vm)
{
	return nyx_mmu_root_pa(vm) | VMX_EPTP_MT_WB | VMX_EPTP_PWL_4 |
	       (vmx_cfg.ept_ad ? VMX_EPTP_AD_ENABLE_BIT : 0);
}

static int vmx_vm_init(struct nyx_vm *vm)
{
	return 0;
}

static void vmx_vm_destroy(struct nyx_vm *vm)
{
}

/* ---- VMCS placement on CPUs ---- */
static void vmx_clear_remote(void *arg)
{
	struct vmx_vcpu *vmx = arg;

	if (vmx->cpu == smp_processor_id())
		vmx_clear_loaded(vmx);
}

static void vmx_vcpu_load(struct nyx_vcpu *vcpu, int cpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	unsigned long flags;
	struct desc_ptr gdt;

	if (vmx->cpu == cpu) {
		struct vmx_cpu *vc = this_cpu_ptr(&vmx_cpu);

		/* another vCPU's VMCS may be current here */
		if (vc->current_vmcs != vmx->vmcs_pa) {
			vmptrld(vmx->vmcs_pa);
			vc->current_vmcs = vmx->vmcs_pa;
		}
		return;
	}
	if (vmx->cpu >= 0)
		smp_call_function_single(vmx->cpu, vmx_clear_remote, vmx, 1);

	local_irq_save(flags);
	vmptrld(vmx->vmcs_pa);
	this_cpu_ptr(&vmx_cpu)->current_vmcs = vmx->vmcs_pa;
	list_add(&vmx->loaded_link, &this_cpu_ptr(&vmx_cpu)->loaded);
	vmx->cpu = cpu;
	/* per-CPU host state */
	native_store_gdt(&gdt);
	vmcs_write(HOST_GDTR_BASE, gdt.address);
	vmcs_write(HOST_TR_BASE,
		   (unsigned long)&get_cpu_entry_area(cpu)->tss.x86_tss);
	vmcs_write(HOST_GS_BASE, cpu_kernelmode_gs_base(cpu));
	{
		u64 v;

		rdmsrl(MSR_IA32_SYSENTER_ESP, v);
		vmcs_write(HOST_IA32_SYSENTER_ESP, v);
	}
	/* translations cached on this CPU for our EPTP/VPID may be stale */
	vmx->need_flush = true;
	local_irq_restore(flags);
}

static void vmx_vcpu_free(struct nyx_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	if (!vmx)
		return;
	if (vmx->cpu >= 0)
		smp_call_function_single(vmx->cpu, vmx_clear_remote, vmx, 1);
	if (vmx->vpid)
		ida_free(&vmx_vpid_ida, vmx->vpid);
	free_page((unsigned long)vmx->vmcs);
	free_page((unsigned long)vmx->guest_msrs);
	free_page((unsigned long)vmx->host_msrs);
	kfree(vmx);
	vcpu->vendor = NULL;
}

static int vmx_vcpu_create(struct nyx_vcpu *vcpu)
{
	struct vmx_vcpu *vmx;
	int vpid;

	vmx = kzalloc(sizeof(*vmx), GFP_KERNEL_ACCOUNT);
	if (!vmx)
		return -ENOMEM;
	vcpu->vendor = vmx;
	vmx->cpu = -1;
	INIT_LIST_HEAD(&vmx->loaded_link);
	vmx->vmcs = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	vmx->guest_msrs = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	vmx->host_msrs = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	vpid = ida_alloc_range(&vmx_vpid_ida, 1, 0xffff, GFP_KERNEL);
	if (!vmx->vmcs || !vmx->guest_msrs || !vmx->host_msrs || vpid < 0) {
		if (vpid > 0)
			vmx->vpid = vpid;
		vmx_vcpu_free(vcpu);
		return -ENOMEM;
	}
	vmx->vpid = vpid;
	vmx->vmcs->revision = vmx_cfg.revision;
	vmx->vmcs_pa = __pa(vmx->vmcs);
	if (vmclear(vmx->vmcs_pa)) {
		vmx_vcpu_free(vcpu);
		return -EIO;
	}
	return 0;
}

/* ---- guest CR handling ---- */
static u64 vmx_hw_cr0(u64 cr0)
{
	u64 fixed0 = vmx_cfg.cr0_fixed0 & ~(X86_CR0_PE | X86_CR0_PG);

	/* caches stay on in hardware, as KVM does; NE is required */
	return ((cr0 | fixed0) & vmx_cfg.cr0_fixed1) &
	       ~(X86_CR0_CD | X86_CR0_NW);
}

static u64 vmx_hw_cr4(u64 cr4)
{
	return (cr4 | vmx_cfg.cr4_fixed0) & vmx_cfg.cr4_fixed1;
}

static void vmx_update_entry_ctls(struct vmx_vcpu *vmx)
{
	u32 ctl = vmx_cfg.entry;

	if (vmx->efer & EFER_LMA)
		ctl |= VM_ENTRY_IA32E_MODE;
	vmx->entry_ctls = ctl;
	vmcs_write(VM_ENTRY_CONTROLS, ctl);
}

/* The interruptibility state, kept in vmx->intr_state too. VMCS current. */
static void vmx_set_intr_state(struct vmx_vcpu *vmx, u32 state)
{
	vmx->intr_state = state;
	vmcs_write(GUEST_INTERRUPTIBILITY_INFO, state);
}

/* The primary processor-based controls. VMCS current. */
static void vmx_set_proc(struct vmx_vcpu *vmx, u32 proc)
{
	if (proc == vmx->proc)
		return;
	vmx->proc = proc;
	vmcs_write(CPU_BASED_VM_EXEC_CONTROL, proc);
}

#define vmx_with_vmcs(vcpu, body) do {					\
	preempt_disable();						\
	vmx_vcpu_load(vcpu, smp_processor_id());			\
	body;								\
	preempt_enable();						\
} while (0)

/*
 * PAE paging with EPT: the VMM supplies the PDPTEs at entry. May sleep
 * (guest memory access): never call with the VMCS section held.
 */
static void vmx_load_pdptrs(struct nyx_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	u64 pdpte[4] = { 0 };
	u64 cr3;
	int i;

	if (!(vmx->cr0 & X86_CR0_PG) || !(vmx->cr4 & X86_CR4_PAE) ||
	    (vmx->efer & EFER_LMA))
		return;
	vmx_with_vmcs(vcpu, cr3 = vmcs_read(GUEST_CR3));
	/* unreadable: zeros (not present), the guest faults on use */
	nyx_x86_emu_ops.read_phys(vcpu, cr3 & 0xffffffe0ull, pdpte,
				  sizeof(pdpte));
	vmx_with_vmcs(vcpu, ({
		for (i = 0; i < 4; i++)
			vmcs_write(GUEST_PDPTR0 + i * 2, pdpte[i]);
	}));
}

static void vmx_write_cr0(struct nyx_vcpu *vcpu, u64 cr0)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	vmx->cr0 = cr0;
	vmcs_write(CR0_READ_SHADOW, cr0);
	vmcs_write(GUEST_CR0, vmx_hw_cr0(cr0));
}

static void vmx_write_cr4(struct nyx_vcpu *vcpu, u64 cr4)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	vmx->cr4 = cr4;
	vmcs_write(CR4_READ_SHADOW, cr4);
	vmcs_write(GUEST_CR4, vmx_hw_cr4(cr4));
}

static void vmx_write_efer(struct nyx_vcpu *vcpu, u64 efer)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	vmx->efer = efer;
	vmcs_write(GUEST_IA32_EFER, efer);
	vmx_update_entry_ctls(vmx);
}

/* ---- segments: VMX access rights <-> our packed attributes ---- */
static u32 vmx_ar_from_attr(u16 attr, bool unusable)
{
	if (unusable)
		return VMX_AR_UNUSABLE;
	return (attr & 0xff) | ((u32)(attr >> 8) & 0xf) << 12;
}

static u16 vmx_attr_from_ar(u32 ar)
{
	if (ar & VMX_AR_UNUSABLE)
		return 0;
	return (ar & 0xff) | ((ar >> 12) & 0xf) << 8;
}

struct vmx_seg_fields {
	u32 sel, base, limit, ar;
};

/* indexed like nyx_x86_sregs_seg(): x86_seg order, then TR and LDT */
static const struct vmx_seg_fields vmx_segs[NYX_SREGS_NR_SEGS] = {
	[X86_SEG_ES] = { GUEST_ES_SELECTOR, GUEST_ES_BASE, GUEST_ES_LIMIT,
			 GUEST_ES_AR_BYTES },
	[X86_SEG_CS] = { GUEST_CS_SELECTOR, GUEST_CS_BASE, GUEST_CS_LIMIT,
			 GUEST_CS_AR_BYTES },
	[X86_SEG_SS] = { GUEST_SS_SELECTOR, GUEST_SS_BASE, GUEST_SS_LIMIT,
			 GUEST_SS_AR_BYTES },
	[X86_SEG_DS] = { GUEST_DS_SELECTOR, GUEST_DS_BASE, GUEST_DS_LIMIT,
			 GUEST_DS_AR_BYTES },
	[X86_SEG_FS] = { GUEST_FS_SELECTOR, GUEST_FS_BASE, GUEST_FS_LIMIT,
			 GUEST_FS_AR_BYTES },
	[X86_SEG_GS] = { GUEST_GS_SELECTOR, GUEST_GS_BASE, GUEST_GS_LIMIT,
			 GUEST_GS_AR_BYTES },
	[NYX_SREGS_TR] = { GUEST_TR_SELECTOR, GUEST_TR_BASE, GUEST_TR_LIMIT,
			   GUEST_TR_AR_BYTES },
	[NYX_SREGS_LDT] = { GUEST_LDTR_SELECTOR, GUEST_LDTR_BASE,
			    GUEST_LDTR_LIMIT, GUEST_LDTR_AR_BYTES },
};

#define VMX_SEG_TR	NYX_SREGS_TR
#define VMX_SEG_LDTR	NYX_SREGS_LDT

static void vmx_seg_to_user(int i, struct nyx_segment *s)
{
	u32 ar = vmcs_read(vmx_segs[i].ar);

	s->base = vmcs_read(vmx_segs[i].base);
	s->limit = vmcs_read(vmx_segs[i].limit);
	s->selector = vmcs_read(vmx_segs[i].sel);
	nyx_x86_seg_unpack(s, vmx_attr_from_ar(ar), ar & VMX_AR_UNUSABLE);
}

static void vmx_seg_from_user(int i, const struct nyx_segment *s)
{
	vmcs_write(vmx_segs[i].sel, s->selector);
	vmcs_write(vmx_segs[i].base, s->base);
	vmcs_write(vmx_segs[i].limit, s->limit);
	/* a not-present data segment is "unusable" to VM entry */
	vmcs_write(vmx_segs[i].ar,
		   vmx_ar_from_attr(nyx_x86_seg_pack(s), s->unusable ||
				    (!s->present && i != X86_SEG_CS &&
				     i != VMX_SEG_TR)));
}

static void vmx_init_seg(int i, u16 sel, u64 base, u32 attr)
{
	vmcs_write(vmx_segs[i].sel, sel);
	vmcs_write(vmx_segs[i].base, base);
	vmcs_write(vmx_segs[i].limit, 0xffff);
	vmcs_write(vmx_segs[i].ar, vmx_ar_from_attr(attr, false));
}

/* The VMCS for a vCPU in the x86 reset state. Called with it current. */
static void vmx_setup_vmcs(struct nyx_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	unsigned int i;
	u64 v;

	/* controls */
	vmcs_write(PIN_BASED_VM_EXEC_CONTROL, vmx_cfg.pin);
	vmx->proc = vmx_cfg.proc;
	vmcs_write(CPU_BASED_VM_EXEC_CONTROL, vmx->proc);
	vmcs_write(SECONDARY_VM_EXEC_CONTROL, vmx_cfg.proc2);
	vmcs_write(VM_EXIT_CONTROLS, vmx_cfg.exit);
	vmcs_write(EXCEPTION_BITMAP, 0);
	vmcs_write(PAGE_FAULT_ERROR_CODE_MASK, 0);
	vmcs_write(PAGE_FAULT_ERROR_CODE_MATCH, 0);
	vmcs_write(CR3_TARGET_COUNT, 0);
	vmcs_write(MSR_BITMAP, page_to_phys(vmx_msr_bitmap));
	vmcs_write(EPT_POINTER, vmx_eptp(vcpu->vm));
	vmcs_write(VIRTUAL_PROCESSOR_ID, vmx->vpid);
	vmcs_write(CR0_GUEST_HOST_MASK, VMX_CR0_HOST_BITS);
	vmcs_write(CR4_GUEST_HOST_MASK, VMX_CR4_HOST_BITS);
	vmcs_write(TSC_OFFSET, vcpu->tsc_offset);
	vmcs_write(VM_ENTRY_INTR_INFO_FIELD, 0);

	for (i = 0; i < VMX_NR_AUTO_MSRS; i++) {
		vmx->guest_msrs[i].index = vmx_auto_msrs[i];
		vmx->guest_msrs[i].value = 0;
		vmx->host_msrs[i].index = vmx_auto_msrs[i];
	}
	vmcs_write(VM_EXIT_MSR_STORE_ADDR, __pa(vmx->guest_msrs));
	vmcs_write(VM_EXIT_MSR_STORE_COUNT, VMX_NR_AUTO_MSRS);
	vmcs_write(VM_ENTRY_MSR_LOAD_ADDR, __pa(vmx->guest_msrs));
	vmcs_write(VM_ENTRY_MSR_LOAD_COUNT, VMX_NR_AUTO_MSRS);
	vmcs_write(VM_EXIT_MSR_LOAD_ADDR, __pa(vmx->host_msrs));
	vmcs_write(VM_EXIT_MSR_LOAD_COUNT, VMX_NR_AUTO_MSRS);

	/* host state that does not depend on the CPU */
	vmcs_write(HOST_CR0, read_cr0());
	vmcs_write(HOST_CR3, __read_cr3());
	vmcs_write(HOST_CR4, cr4_read_shadow());
	vmcs_write(HOST_CS_SELECTOR, __KERNEL_CS);
	vmcs_write(HOST_SS_SELECTOR, __KERNEL_DS);
	vmcs_write(HOST_DS_SELECTOR, 0);
	vmcs_write(HOST_ES_SELECTOR, 0);
	vmcs_write(HOST_FS_SELECTOR, 0);
	vmcs_write(HOST_GS_SELECTOR, 0);
	vmcs_write(HOST_TR_SELECTOR, GDT_ENTRY_TSS * 8);
	{
		struct desc_ptr idt;

		store_idt(&idt);
		vmcs_write(HOST_IDTR_BASE, idt.address);
	}
	vmcs_write(HOST_RIP, (unsigned long)nyx_vmx_vmexit);
	rdmsrl(MSR_IA32_SYSENTER_CS, v);
	vmcs_write(HOST_IA32_SYSENTER_CS, v);
	rdmsrl(MSR_IA32_SYSENTER_EIP, v);
	vmcs_write(HOST_IA32_SYSENTER_EIP, v);
	rdmsrl(MSR_EFER, v);
	vmcs_write(HOST_IA32_EFER, v);
	rdmsrl(MSR_IA32_CR_PAT, v);
	vmcs_write(HOST_IA32_PAT, v);

	/* guest reset state */
	vmx_init_seg(X86_SEG_CS, 0xf000, 0xffff0000, 0x9b);
	vmx_init_seg(X86_SEG_DS, 0, 0, 0x93);
	vmx_init_seg(X86_SEG_ES, 0, 0, 0x93);
	vmx_init_seg(X86_SEG_SS, 0, 0, 0x93);
	vmx_init_seg(X86_SEG_FS, 0, 0, 0x93);
	vmx_init_seg(X86_SEG_GS, 0, 0, 0x93);
	vmx_init_seg(VMX_SEG_TR, 0, 0, 0x8b);
	vmx_init_seg(VMX_SEG_LDTR, 0, 0, 0x82);
	vmcs_write(GUEST_GDTR_BASE, 0);
	vmcs_write(GUEST_GDTR_LIMIT, 0xffff);
	vmcs_write(GUEST_IDTR_BASE, 0);
	vmcs_write(GUEST_IDTR_LIMIT, 0xffff);
	vmx_write_cr0(vcpu, X86_CR0_NW | X86_CR0_CD | X86_CR0_ET);
	vmx_write_cr4(vcpu, 0);
	vmcs_write(GUEST_CR3, 0);
	vmx_write_efer(vcpu, 0);
	vmx->cr2 = 0;
	vmx->cr8 = 0;
	vmcs_write(GUEST_DR7, 0x400);
	vmcs_write(GUEST_IA32_PAT, 0x0007040600070406ull);
	vmcs_write(GUEST_IA32_DEBUGCTL, 0);
	vmcs_write(GUEST_SYSENTER_CS, 0);
	vmcs_write(GUEST_SYSENTER_ESP, 0);
	vmcs_write(GUEST_SYSENTER_EIP, 0);
	vmcs_write(GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_ACTIVE);
	vmx_set_intr_state(vmx, 0);
	vmcs_write(GUEST_PENDING_DBG_EXCEPTIONS, 0);
	vmcs_write(VMCS_LINK_POINTER, ~0ull);
	vmcs_write(GUEST_RSP, 0);
	vmcs_write(GUEST_RIP, 0xfff0);
	vmcs_write(GUEST_RFLAGS, X86_EFLAGS_FIXED);
}

static void vmx_vcpu_reset(struct nyx_vcpu *vcpu)
{
	vmx_with_vmcs(vcpu, vmx_setup_vmcs(vcpu));
}

/*
 * Did the instruction that exited, an IRET, unblock NMIs? Then it will be
 * executed again and blocking by NMI must be set again (SDM: "Resuming
 * Guest Software after Handling an Exception"). The bit is undefined when
 * the exit interrupted an event's delivery, and for #DF.
 */
static bool vmx_iret_unblocked_nmi(struct vmx_vcpu *vmx)
{
	struct vmx_exit_info *e = &vmx->exit;

	if (!(vmx_cfg.pin & PIN_BASED_VIRTUAL_NMIS) ||
	    (e->idt_vectoring & VECTORING_INFO_VALID_MASK))
		return false;
	switch ((u16)e->reason) {
	case EXIT_REASON_EXCEPTION_NMI:
		return (e->intr_info & INTR_INFO_VALID_MASK) &&
		       (e->intr_info & INTR_INFO_UNBLOCK_NMI) &&
		       (e->intr_info & INTR_INFO_VECTOR_MASK) != X86_TRAP_DF;
	case EXIT_REASON_EPT_VIOLATION:
		return e->qual & INTR_INFO_UNBLOCK_NMI;
	}
	return false;
}

/*
 * Right after an exit, VMCS current: put back an event whose delivery the
 * exit interrupted, so that the next entry delivers it again (VM exits
 * clear the VM-entry interruption information). A software interrupt or
 * exception needs its instruction's length (the exit reports it); an NMI
 * needs blocking by NMI clear, which its delivery had set and which VM
 * entry refuses with an NMI to inject.
 */
static void vmx_complete_events(struct vmx_vcpu *vmx)
{
	struct vmx_exit_info *e = &vmx->exit;
	u32 info = e->idt_vectoring;

	if (!(info & VECTORING_INFO_VALID_MASK)) {
		if (vmx_iret_unblocked_nmi(vmx))
			vmx_set_intr_state(vmx, vmx->intr_state |
					   GUEST_INTR_STATE_NMI);
		return;
	}
	vmcs_write(VM_ENTRY_INTR_INFO_FIELD, info & VMX_EVENT_INFO_MASK);
	if (info & VECTORING_INFO_DELIVER_CODE_MASK)
		vmcs_write(VM_ENTRY_EXCEPTION_ERROR_CODE,
			   vmcs_read(IDT_VECTORING_ERROR_CODE));
	switch (info & VECTORING_INFO_TYPE_MASK) {
	case INTR_TYPE_SOFT_INTR:
	case INTR_TYPE_PRIV_SW_EXCEPTION:
	case INTR_TYPE_SOFT_EXCEPTION:
		vmcs_write(VM_ENTRY_INSTRUCTION_LEN, e->insn_len);
		break;
	case INTR_TYPE_NMI_INTR:
		vmx_set_intr_state(vmx, vmx->intr_state &
				   ~GUEST_INTR_STATE_NMI);
		break;
	}
}

static void vmx_vcpu_run(struct nyx_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	struct vmx_exit_info *e = &vmx->exit;
	u16 fs_sel, gs_sel, ds_sel, es_sel;
	unsigned long fs_base, cr3, cr4;
	bool switch_xcr0;
	unsigned int i;
	int fail;

	if (vmx->need_flush) {
		invept(vmx_cfg.ept_vpid_cap & VMX_EPT_EXTENT_CONTEXT_BIT ?
		       VMX_EPT_EXTENT_CONTEXT : VMX_EPT_EXTENT_GLOBAL,
		       vmx_eptp(vcpu->vm));
		if (vmx_cfg.ept_vpid_cap & VMX_VPID_EXTENT_SINGLE_CONTEXT_BIT)
			invvpid(VMX_VPID_EXTENT_SINGLE_CONTEXT, vmx->vpid);
		else if (vmx_cfg.ept_vpid_cap & VMX_VPID_EXTENT_GLOBAL_CONTEXT_BIT)
			invvpid(VMX_VPID_EXTENT_ALL_CONTEXT, 0);
		vmx->need_flush = false;
	}

	if (vmx_cfg.preempt_ticks)
		vmcs_write(VMX_PREEMPTION_TIMER_VALUE, vmx_cfg.preempt_ticks);
	/* VM entry refuses STI blocking with IF=0 (userspace cleared IF) */
	if ((vmx->intr_state & GUEST_INTR_STATE_STI) &&
	    !(vcpu->rflags & X86_EFLAGS_IF))
		vmx_set_intr_state(vmx,
				   vmx->intr_state & ~GUEST_INTR_STATE_STI);
	vmcs_write(GUEST_RSP, vcpu->regs[X86_RSP]);
	vmcs_write(GUEST_RIP, vcpu->rip);
	vmcs_write(GUEST_RFLAGS, vcpu->rflags);
	/* VM entry requires a pending single-step #DB when TF is set in an
	 * STI/MOV SS shadow (the debugger steps over STI) */
	if ((vcpu->rflags & X86_EFLAGS_TF) && (vmx->intr_state & VMX_INTR_SHADOW))
		vmcs_write(GUEST_PENDING_DBG_EXCEPTIONS,
			   vmcs_read(GUEST_PENDING_DBG_EXCEPTIONS) | BIT(14));

	/* host state that can change between entries */
	cr3 = __read_cr3();
	vmcs_write(HOST_CR3, cr3);
	cr4 = cr4_read_shadow();
	vmcs_write(HOST_CR4, cr4);
	savesegment(ds, ds_sel);
	savesegment(es, es_sel);
	savesegment(fs, fs_sel);
	savesegment(gs, gs_sel);
	rdmsrl(MSR_FS_BASE, fs_base);
	vmcs_write(HOST_FS_BASE, fs_base);
	for (i = 0; i < VMX_NR_AUTO_MSRS; i++)
		rdmsrl(vmx_auto_msrs[i], vmx->host_msrs[i].value);

	switch_xcr0 = nyx_host_xcr0 && (vmx->cr4 & X86_CR4_OSXSAVE) &&
		      vcpu->xcr0 != nyx_host_xcr0;
	if (switch_xcr0)
		xsetbv(XCR_XFEATURE_ENABLED_MASK, vcpu->xcr0);
	if (native_read_cr2() != vmx->cr2)
		native_write_cr2(vmx->cr2);

	fail = nyx_vmx_vmrun(vcpu->regs, vmx->launched);

	vmx->cr2 = native_read_cr2();
	if (switch_xcr0)
		xsetbv(XCR_XFEATURE_ENABLED_MASK, nyx_host_xcr0);
	/* VM exit loads null DS/ES/FS/GS selectors: give the host its own */
	loadsegment(ds, ds_sel);
	loadsegment(es, es_sel);
	if (fs_sel) {
		loadsegment(fs, fs_sel);
		wrmsrl(MSR_FS_BASE, fs_base);
	}
	if (gs_sel) {
		u64 kgs = vmx->host_msrs[4].value;

		load_gs_index(gs_sel);
		wrmsrl(MSR_KERNEL_GS_BASE, kgs);
	}
	/* #VMEXIT clears DR7; give the host its breakpoints back */
	if (hw_breakpoint_active())
		hw_breakpoint_restore();

	vmx->vmfail = fail;
	if (fail) {
		vmx->launched = false;
		vmx->vm_insn_error = vmcs_read(VM_INSTRUCTION_ERROR);
		return;
	}
	vmx->launched = true;
	vcpu->regs[X86_RSP] = vmcs_read(GUEST_RSP);
	vcpu->rip = vmcs_read(GUEST_RIP);
	vcpu->rflags = vmcs_read(GUEST_RFLAGS);

	/* everything the handlers need, while the VMCS is current */
	e->reason = vmcs_read(VM_EXIT_REASON);
	e->qual = vmcs_read(EXIT_QUALIFICATION);
	e->insn_len = vmcs_read(VM_EXIT_INSTRUCTION_LEN);
	e->intr_info = vmcs_read(VM_EXIT_INTR_INFO);
	e->gpa = vmcs_read(GUEST_PHYSICAL_ADDRESS);
	e->idt_vectoring = vmcs_read(IDT_VECTORING_INFO_FIELD);
	vmx->intr_state = vmcs_read(GUEST_INTERRUPTIBILITY_INFO);
	/* a failed entry leaves the other exit information stale */
	if (!(e->reason & VMX_EXIT_REASONS_FAILED_VMENTRY))
		vmx_complete_events(vmx);
}

static void vmx_skip_insn(struct nyx_vcpu *vcpu, unsigned int len)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	/* every instruction exit reports its length */
	vcpu->rip += vmx->exit.insn_len;
	/* a skipped instruction ends an STI/MOV SS interrupt shadow */
	if (vmx->intr_state & VMX_INTR_SHADOW)
		vmx_with_vmcs(vcpu, vmx_set_intr_state(vmx, vmx->intr_state &
						       ~VMX_INTR_SHADOW));
}

static unsigned long *vmx_gpr(struct nyx_vcpu *vcpu, int n)
{
	return &vcpu->regs[n & 15];
}

/* MOV to CR0/CR4/CR8, MOV from CR8, LMSW. Returns 1. */
static int vmx_handle_cr(struct nyx_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	unsigned long q = vmx->exit.qual;
	int cr = q & 15, type = (q >> 4) & 3;
	u64 val = *vmx_gpr(vcpu, (q >> 8) & 15), old;

	vcpu->stats[NYX_STAT_OTHER]++;
	if (type == 3) {		/* LMSW: low 4 bits, cannot clear PE */
		val = (vmx->cr0 & ~0xeull) | ((q >> 16) & 0xf);
		cr = 0;
		type = 0;
	}
	if (type == 1 && cr == 8) {
		*vmx_gpr(vcpu, (q >> 8) & 15) = vmx->cr8;
		vmx_skip_insn(vcpu, 0);
		return 1;
	}
	if (type != 0)
		goto bad;

	switch (cr) {
	case 0:
		old = vmx->cr0;
		if (val >> 32 || ((val & X86_CR0_PG) && !(val & X86_CR0_PE)) ||
		    ((val & X86_CR0_NW) && !(val & X86_CR0_CD)))
			goto gp;
		if ((val & X86_CR0_PG) && !(old & X86_CR0_PG) &&
		    (vmx->efer & EFER_LME)) {
			if (!(vmx->cr4 & X86_CR4_PAE))
				goto gp;
			vmx_with_vmcs(vcpu, vmx_write_efer(vcpu,
						vmx->efer | EFER_LMA));
		} else if (!(val & X86_CR0_PG) && (old & X86_CR0_PG) &&
			   (vmx->efer & EFER_LMA)) {
			vmx_with_vmcs(vcpu, vmx_write_efer(vcpu,
						vmx->efer & ~EFER_LMA));
		}
		vmx_with_vmcs(vcpu, vmx_write_cr0(vcpu, val));
		vmx_load_pdptrs(vcpu);
		if ((val ^ old) & X86_CR0_PG)
			vmx->need_flush = true;
		break;
	case 4:
		if (val & ~vmx_cfg.cr4_fixed1 || (val & X86_CR4_VMXE) ||
		    ((vmx->efer & EFER_LMA) && !(val & X86_CR4_PAE)))
			goto gp;
		vmx_with_vmcs(vcpu, vmx_write_cr4(vcpu, val));
		vmx_load_pdptrs(vcpu);
		/* PGE/PSE/PAE changes flush this vCPU's translations */
		vmx->need_flush = true;
		break;
	case 8:
		if (val > 15)
			goto gp;
		vmx->cr8 = val;
		/* the core passed CR8 to the local APIC before this handler
		 * ran, and would overwrite it from there at the next entry */
		if (vcpu->apic)
			nyx_irq_after_exit(vcpu);
		break;
	default:
		goto bad;
	}
	vmx_skip_insn(vcpu, 0);
	return 1;
gp:
	nyx_x86_queue_exception(vcpu, NYX_GP_VECTOR, true, 0);
	return 1;
bad:
	{
		u64 data[2] = { EXIT_REASON_CR_ACCESS, q };

		return nyx_x86_internal_error(vcpu,
					      NYX_INTERNAL_ERROR_UNKNOWN_EXIT,
					      2, data);
	}
}

static int vmx_handle_io(struct nyx_vcpu *vcpu)
{
	unsigned long q = to_vmx(vcpu)->exit.qual;
	struct nyx_pio pio = {
		.port = q >> 16,
		.size = (q & 7) + 1,
		.in = q & 8,
		.string = q & 16,
		.rep = q & 32,
		.next_rip = vcpu->rip + to_vmx(vcpu)->exit.insn_len,
	};

	if (pio.size == 3)
		pio.size = 4;
	return nyx_x86_handle_pio(vcpu, &pio);
}

static int vmx_handle_ept_violation(struct nyx_vcpu *vcpu)
{
	struct vmx_exit_info *e = &to_vmx(vcpu)->exit;

	return nyx_x86_handle_gpa_fault(vcpu, e->gpa, e->qual & 2,
					e->idt_vectoring,
					e->idt_vectoring &
					VECTORING_INFO_VALID_MASK);
}

/* Intercepted guest exceptions: only #DB and #BP, for the debugger. */
static int vmx_handle_exception(struct nyx_vcpu *vcpu)
{
	struct vmx_exit_info *e = &to_vmx(vcpu)->exit;
	u8 vector = e->intr_info & INTR_INFO_VECTOR_MASK;

	vcpu->stats[NYX_STAT_EXCEPTION]++;
	/* the qualification holds DR6's B0-3, BD and BS bits */
	if (vector == X86_TRAP_DB)
		return nyx_x86_handle_db(vcpu, e->qual | 0xffff0ff0ull);
	/* RIP is at the INT3 */
	if (vector == X86_TRAP_BP &&
	    (vcpu->guest_debug & NYX_GUESTDBG_USE_SW_BP))
		return nyx_x86_debug_exit(vcpu, X86_TRAP_BP, 0xffff0ff0ull);
	{
		u64 data[2] = { e->reason, e->intr_info };

		return nyx_x86_internal_error(vcpu,
					      NYX_INTERNAL_ERROR_UNKNOWN_EXIT,
					      2, data);
	}
}

static void vmx_update_guest_debug(struct nyx_vcpu *vcpu)
{
	u32 bitmap = 0;

	if (vcpu->guest_debug & (NYX_GUESTDBG_SINGLESTEP |
				 NYX_GUESTDBG_USE_HW_BP))
		bitmap |= 1u << X86_TRAP_DB;
	if (vcpu->guest_debug & NYX_GUESTDBG_USE_SW_BP)
		bitmap |= 1u << X86_TRAP_BP;
	/* MOV DR always exits (CPU_BASED_MOV_DR_EXITING): the guest's DR7
	 * writes go to vcpu->guest_dr7 while the debugger's is loaded */
	vmx_with_vmcs(vcpu, vmcs_write(EXCEPTION_BITMAP, bitmap));
}

static int vmx_handle_exit(struct nyx_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	struct vmx_exit_info *e = &vmx->exit;
	struct nyx_run *run = vcpu->run;

	if (vmx->vmfail) {
		/* bit 32 tells a VM-instruction error from an exit reason */
		run->exit_reason = NYX_EXIT_FAIL_ENTRY;
		run->fail_entry.hardware_entry_failure_reason =
			(1ull << 32) | vmx->vm_insn_error;
		run->fail_entry.cpu = vmx->cpu;
		return 0;
	}
	trace_nyx_exit(vcpu->id, NYX_ISA_VMX, (u16)e->reason, vcpu->rip,
		       e->qual, e->gpa, e->idt_vectoring, vcpu->rflags);
	if (e->reason & VMX_EXIT_REASONS_FAILED_VMENTRY) {
		vmx->launched = false;
		run->exit_reason = NYX_EXIT_FAIL_ENTRY;
		run->fail_entry.hardware_entry_failure_reason = e->reason;
		run->fail_entry.cpu = vmx->cpu;
		return 0;
	}

	switch ((u16)e->reason) {
	case EXIT_REASON_EXCEPTION_NMI:
		if ((e->intr_info & INTR_INFO_INTR_TYPE_MASK) !=
		    INTR_TYPE_NMI_INTR)
			return vmx_handle_exception(vcpu);
		vcpu->stats[NYX_STAT_NMI]++;
		/* a host NMI: hand it back to the host through a self-NMI */
		if ((e->intr_info & INTR_INFO_INTR_TYPE_MASK) ==
		    INTR_TYPE_NMI_INTR)
			apic->send_IPI_self(NMI_VECTOR);
		return 1;
	case EXIT_REASON_EXTERNAL_INTERRUPT:
	case EXIT_REASON_PREEMPTION_TIMER:
		vcpu->stats[NYX_STAT_INTR]++;
		return 1;
	case EXIT_REASON_INTERRUPT_WINDOW:
	case EXIT_REASON_NMI_WINDOW:
		/* a window opened: the core injects before the next entry
		 * and asks again for what still waits */
		vcpu->stats[NYX_STAT_IRQ_WINDOW]++;
		vmx_with_vmcs(vcpu, vmx_set_proc(vmx, vmx->proc &
						 ~VMX_WINDOW_EXITS));
		return 1;
	case EXIT_REASON_TRIPLE_FAULT: {
		u64 idt;

		vcpu->stats[NYX_STAT_SHUTDOWN]++;
		vmx_with_vmcs(vcpu, idt = vmcs_read(GUEST_IDTR_BASE));
		pr_info_ratelimited("nyx: vCPU %d triple fault: rip %llx cr0 %llx idt %llx\n",
				    vcpu->id, (u64)vcpu->rip, (u64)vmx->cr0, idt);
		if (vmx->cr0 & X86_CR0_PG) {
			nyx_x86_log_walk(vcpu, "idt", idt);
			nyx_x86_log_walk(vcpu, "rip", vcpu->rip);
		}
		nyx_x86_vcpu_reset(vcpu);
		run->exit_reason = NYX_EXIT_SHUTDOWN;
		return 0;
	}
	case EXIT_REASON_CPUID:
		return nyx_x86_handle_cpuid(vcpu);
	case EXIT_REASON_HLT:
		vcpu->stats[NYX_STAT_HLT]++;
		vmx_skip_insn(vcpu, 1);
		return nyx_x86_handle_hlt(vcpu);
	case EXIT_REASON_CR_ACCESS:
		return vmx_handle_cr(vcpu);
	case EXIT_REASON_MSR_READ:
		return nyx_x86_handle_rdmsr(vcpu);
	case EXIT_REASON_MSR_WRITE:
		return nyx_x86_handle_wrmsr(vcpu);
	case EXIT_REASON_XSETBV:
		return nyx_x86_handle_xsetbv(vcpu);
	case EXIT_REASON_IO_INSTRUCTION:
		return vmx_handle_io(vcpu);
	case EXIT_REASON_EPT_VIOLATION:
		return vmx_handle_ept_violation(vcpu);
	case EXIT_REASON_DR_ACCESS:
		return nyx_x86_emulate_one(vcpu);
	case EXIT_REASON_INVD:
	case EXIT_REASON_WBINVD:
		vcpu->stats[NYX_STAT_OTHER]++;
		vmx_skip_insn(vcpu, 2);
		return 1;
	case EXIT_REASON_RDPMC:
		vcpu->stats[NYX_STAT_OTHER]++;
		nyx_x86_queue_exception(vcpu, NYX_GP_VECTOR, true, 0);
		return 1;
	case EXIT_REASON_VMCALL:
	case EXIT_REASON_VMCLEAR:
	case EXIT_REASON_VMLAUNCH:
	case EXIT_REASON_VMPTRLD:
	case EXIT_REASON_VMPTRST:
	case EXIT_REASON_VMREAD:
	case EXIT_REASON_VMRESUME:
	case EXIT_REASON_VMWRITE:
	case EXIT_REASON_VMOFF:
	case EXIT_REASON_VMON:
	case EXIT_REASON_INVEPT:
	case EXIT_REASON_INVVPID:
	case EXIT_REASON_MWAIT_INSTRUCTION:
	case EXIT_REASON_MONITOR_INSTRUCTION:
		/* not exposed to the guest (see CPUID): as on such a CPU */
		vcpu->stats[NYX_STAT_OTHER]++;
		nyx_x86_queue_exception(vcpu, NYX_UD_VECTOR, false, 0);
		return 1;
	default: {
		u64 data[4] = { e->reason, e->qual, e->gpa, e->idt_vectoring };

		vcpu->stats[NYX_STAT_OTHER]++;
		return nyx_x86_internal_error(vcpu,
					      NYX_INTERNAL_ERROR_UNKNOWN_EXIT,
					      4, data);
	}
	}
}

/* ---- state accessors (each makes the VMCS current first) ---- */
static void vmx_get_sregs(struct nyx_vcpu *vcpu, struct nyx_sregs *sr)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	int i;

	vmx_with_vmcs(vcpu, ({
		for (i = 0; i < NYX_SREGS_NR_SEGS; i++)
			vmx_seg_to_user(i, nyx_x86_sregs_seg(sr, i));
		sr->gdt.base = vmcs_read(GUEST_GDTR_BASE);
		sr->gdt.limit = vmcs_read(GUEST_GDTR_LIMIT);
		sr->idt.base = vmcs_read(GUEST_IDTR_BASE);
		sr->idt.limit = vmcs_read(GUEST_IDTR_LIMIT);
		sr->cr3 = vmcs_read(GUEST_CR3);
	}));
	sr->cr0 = vmx->cr0;
	sr->cr2 = vmx->cr2;
	sr->cr4 = vmx->cr4;
	sr->cr8 = vmx->cr8;
	sr->efer = vmx->efer;
}

static int vmx_set_sregs(struct nyx_vcpu *vcpu, const struct nyx_sregs *sr)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	int i;

	vmx_with_vmcs(vcpu, ({
		for (i = 0; i < NYX_SREGS_NR_SEGS; i++)
			vmx_seg_from_user(i, nyx_x86_sregs_seg(
						(struct nyx_sregs *)sr, i));
		vmcs_write(GUEST_GDTR_BASE, sr->gdt.base);
		vmcs_write(GUEST_GDTR_LIMIT, sr->gdt.limit);
		vmcs_write(GUEST_IDTR_BASE, sr->idt.base);
		vmcs_write(GUEST_IDTR_LIMIT, sr->idt.limit);
		vmcs_write(GUEST_CR3, sr->cr3);
		vmx_write_cr0(vcpu, sr->cr0);
		vmx_write_cr4(vcpu, sr->cr4);
		vmx_write_efer(vcpu, sr->efer);
	}));
	vmx_load_pdptrs(vcpu);
	vmx->cr2 = sr->cr2;
	vmx->cr8 = sr->cr8;
	vmx->need_flush = true;
	return 0;
}

static void vmx_get_emu_state(struct nyx_vcpu *vcpu, struct x86_cpu_state *st)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	int i;

	st->cr0 = vmx->cr0;
	st->cr4 = vmx->cr4;
	st->efer = vmx->efer;
	vmx_with_vmcs(vcpu, ({
		st->cr3 = vmcs_read(GUEST_CR3);
		for (i = 0; i < X86_NR_SEGS; i++) {
			u32 ar = vmcs_read(vmx_segs[i].ar);

			st->seg[i].base = vmcs_read(vmx_segs[i].base);
			st->seg[i].limit = vmcs_read(vmx_segs[i].limit);
			st->seg[i].selector = vmcs_read(vmx_segs[i].sel);
			st->seg[i].attr = vmx_attr_from_ar(ar);
		}
	}));
}

static int vmx_get_cpl(struct nyx_vcpu *vcpu)
{
	int cpl;

	if (!(to_vmx(vcpu)->cr0 & X86_CR0_PE))
		return 0;
	vmx_with_vmcs(vcpu, cpl = (vmcs_read(GUEST_SS_AR_BYTES) >> 5) & 3);
	return cpl;
}

static u64 vmx_get_cr4(struct nyx_vcpu *vcpu)
{
	return to_vmx(vcpu)->cr4;
}

static u64 vmx_get_dr7(struct nyx_vcpu *vcpu)
{
	u64 v;

	vmx_with_vmcs(vcpu, v = vmcs_read(GUEST_DR7));
	return v;
}

static void vmx_set_dr7(struct nyx_vcpu *vcpu, u64 val)
{
	vmx_with_vmcs(vcpu, vmcs_write(GUEST_DR7, val));
}

static int vmx_auto_index(u32 msr)
{
	int i;

	for (i = 0; i < VMX_NR_AUTO_MSRS; i++)
		if (vmx_auto_msrs[i] == msr)
			return i;
	return -1;
}

static long vmx_msr_field(u32 index)
{
	switch (index) {
	case MSR_FS_BASE: return GUEST_FS_BASE;
	case MSR_GS_BASE: return GUEST_GS_BASE;
	case MSR_IA32_SYSENTER_CS: return GUEST_SYSENTER_CS;
	case MSR_IA32_SYSENTER_ESP: return GUEST_SYSENTER_ESP;
	case MSR_IA32_SYSENTER_EIP: return GUEST_SYSENTER_EIP;
	case MSR_IA32_CR_PAT: return GUEST_IA32_PAT;
	}
	return -1;
}

static int vmx_get_msr(struct nyx_vcpu *vcpu, u32 index, u64 *data)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	long field;
	int i;

	if (index == MSR_EFER) {
		*data = vmx->efer;
		return 0;
	}
	i = vmx_auto_index(index);
	if (i >= 0) {
		*data = vmx->guest_msrs[i].value;
		return 0;
	}
	field = vmx_msr_field(index);
	if (field < 0)
		return 1;
	vmx_with_vmcs(vcpu, *data = vmcs_read(field));
	return 0;
}

static int vmx_set_msr(struct nyx_vcpu *vcpu, u32 index, u64 data)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	long field;
	int i;

	switch (index) {
	case MSR_EFER:
		/* LME cannot change while paging is on; LMA is read-only */
		if (((data ^ vmx->efer) & EFER_LME) && (vmx->cr0 & X86_CR0_PG))
			return -EINVAL;
		data = (data & ~EFER_LMA) | (vmx->efer & EFER_LMA);
		vmx_with_vmcs(vcpu, vmx_write_efer(vcpu, data));
		return 0;
	}
	i = vmx_auto_index(index);
	if (i >= 0) {
		vmx->guest_msrs[i].value = data;
		return 0;
	}
	field = vmx_msr_field(index);
	if (field < 0)
		return 1;
	vmx_with_vmcs(vcpu, vmcs_write(field, data));
	return 0;
}

static void vmx_set_tsc_offset(struct nyx_vcpu *vcpu, u64 offset)
{
	vmx_with_vmcs(vcpu, vmcs_write(TSC_OFFSET, offset));
}

/* VM-entry interruption information of a hardware exception. */
static u32 vmx_exception_info(struct nyx_vcpu *vcpu, u8 vector,
			      bool has_error_code)
{
	u32 info = vector | INTR_TYPE_HARD_EXCEPTION | INTR_INFO_VALID_MASK;

	/* real mode pushes no error code (and VM entry insists) */
	if (has_error_code && (to_vmx(vcpu)->cr0 & X86_CR0_PE))
		info |= INTR_INFO_DELIVER_CODE_MASK;
	return info;
}

static void vmx_inject_exception(struct nyx_vcpu *vcpu,
				 const struct nyx_pending_exception *exc)
{
	/* called right before entry, with the VMCS current */
	vmcs_write(VM_ENTRY_INTR_INFO_FIELD,
		   vmx_exception_info(vcpu, exc->vector, exc->has_error_code));
	vmcs_write(VM_ENTRY_EXCEPTION_ERROR_CODE, exc->error_code);
	if (exc->vector == NYX_PF_VECTOR)
		to_vmx(vcpu)->cr2 = exc->cr2;
}

/*
 * ---- interrupt injection (in-kernel irqchip) ----
 * The injection hooks run right before entry with the VMCS current (see
 * core.h); get/set_events load it themselves.
 */

static bool vmx_event_queued(struct nyx_vcpu *vcpu)
{
	return vmcs_read(VM_ENTRY_INTR_INFO_FIELD) & INTR_INFO_VALID_MASK;
}

static bool vmx_in_shadow(struct nyx_vcpu *vcpu)
{
	return to_vmx(vcpu)->intr_state & VMX_INTR_SHADOW;
}

static bool vmx_interrupt_allowed(struct nyx_vcpu *vcpu)
{
	/* vcpu->rflags is what the next entry loads */
	return (vcpu->rflags & X86_EFLAGS_IF) && !vmx_in_shadow(vcpu);
}

static bool vmx_nmi_allowed(struct nyx_vcpu *vcpu)
{
	return !(to_vmx(vcpu)->intr_state & GUEST_INTR_STATE_NMI) &&
	       !vmx_in_shadow(vcpu);
}

static void vmx_inject_irq(struct nyx_vcpu *vcpu, u8 vector)
{
	vmcs_write(VM_ENTRY_INTR_INFO_FIELD,
		   vector | INTR_TYPE_EXT_INTR | INTR_INFO_VALID_MASK);
}

/* With virtual NMIs, the delivery sets blocking by NMI; IRET clears it. */
static void vmx_inject_nmi(struct nyx_vcpu *vcpu)
{
	vmcs_write(VM_ENTRY_INTR_INFO_FIELD,
		   X86_TRAP_NMI | INTR_TYPE_NMI_INTR | INTR_INFO_VALID_MASK);
}

/* Exits before the first instruction with RFLAGS.IF set and no shadow. */
static void vmx_enable_irq_window(struct nyx_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	vmx_set_proc(vmx, vmx->proc | CPU_BASED_INTR_WINDOW_EXITING);
}

/*
 * Exits before the first instruction without NMI or MOV SS blocking. Some
 * CPUs would exit under STI blocking, which still blocks the NMI here: the
 * interrupt window (IF is set after STI, unless userspace cleared it since)
 * waits for the shadow's end.
 */
static void vmx_enable_nmi_window(struct nyx_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	if ((vmx->intr_state & GUEST_INTR_STATE_STI) &&
	    (vcpu->rflags & X86_EFLAGS_IF))
		vmx_set_proc(vmx, vmx->proc | CPU_BASED_INTR_WINDOW_EXITING);
	else
		vmx_set_proc(vmx, vmx->proc | CPU_BASED_NMI_WINDOW_EXITING);
}

static u8 vmx_get_cr8(struct nyx_vcpu *vcpu)
{
	return to_vmx(vcpu)->cr8;
}

static void vmx_set_cr8(struct nyx_vcpu *vcpu, u8 cr8)
{
	to_vmx(vcpu)->cr8 = cr8;
}

static void vmx_get_events(struct nyx_vcpu *vcpu, struct nyx_vcpu_events *ev)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	u32 info, err;

	vmx_with_vmcs(vcpu, ({
		info = vmcs_read(VM_ENTRY_INTR_INFO_FIELD);
		err = vmcs_read(VM_ENTRY_EXCEPTION_ERROR_CODE);
	}));
	/*
	 * A software interrupt or exception put back after an exit is not
	 * reported: RIP still points at its INT n, INT3, INTO or INT1, which
	 * runs again if SET_VCPU_EVENTS drops it.
	 */
	if (info & INTR_INFO_VALID_MASK) {
		switch (info & INTR_INFO_INTR_TYPE_MASK) {
		case INTR_TYPE_EXT_INTR:
			ev->interrupt.injected = 1;
			ev->interrupt.nr = info & INTR_INFO_VECTOR_MASK;
			break;
		case INTR_TYPE_NMI_INTR:
			ev->nmi.injected = 1;
			break;
		case INTR_TYPE_HARD_EXCEPTION:
			ev->exception.injected = 1;
			ev->exception.nr = info & INTR_INFO_VECTOR_MASK;
			if (info & INTR_INFO_DELIVER_CODE_MASK) {
				ev->exception.has_error_code = 1;
				ev->exception.error_code = err;
			}
			break;
		}
	}
	ev->interrupt.shadow = vmx_in_shadow(vcpu);
	ev->nmi.masked = !!(vmx->intr_state & GUEST_INTR_STATE_NMI);
}

static int vmx_set_events(struct nyx_vcpu *vcpu,
			  const struct nyx_vcpu_events *ev)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	u32 info = 0, state;

	if (ev->interrupt.injected)
		info = ev->interrupt.nr | INTR_TYPE_EXT_INTR |
		       INTR_INFO_VALID_MASK;
	else if (ev->nmi.injected)
		info = X86_TRAP_NMI | INTR_TYPE_NMI_INTR | INTR_INFO_VALID_MASK;
	else if (ev->exception.injected)
		info = vmx_exception_info(vcpu, ev->exception.nr,
					  ev->exception.has_error_code);

	/*
	 * What VM entry accepts: no shadow with an interrupt or NMI to
	 * inject (its delivery ends the shadow anyway), STI blocking only
	 * with IF set (MOV SS blocking otherwise), NMIs unblocked with an
	 * NMI to inject (its delivery blocks them).
	 */
	state = vmx->intr_state & ~(VMX_INTR_SHADOW | GUEST_INTR_STATE_NMI);
	if (ev->interrupt.shadow && !ev->interrupt.injected &&
	    !ev->nmi.injected)
		state |= vcpu->rflags & X86_EFLAGS_IF ? GUEST_INTR_STATE_STI :
							GUEST_INTR_STATE_MOV_SS;
	if (ev->nmi.masked && !ev->nmi.injected)
		state |= GUEST_INTR_STATE_NMI;

	vmx_with_vmcs(vcpu, ({
		vmcs_write(VM_ENTRY_INTR_INFO_FIELD, info);
		vmcs_write(VM_ENTRY_EXCEPTION_ERROR_CODE,
			   ev->exception.error_code);
		vmx_set_intr_state(vmx, state);
	}));
	return 0;
}

static void vmx_flush_tlb(struct nyx_vcpu *vcpu)
{
	to_vmx(vcpu)->need_flush = true;
}

struct nyx_vendor_ops nyx_vmx_ops __ro_after_init = {
	.name = "vmx",
	.cap_npt = 0,
	.cap_ept = 1,
	.hardware_setup = vmx_hardware_setup_all,
	.hardware_unsetup = vmx_hardware_unsetup,
	.hardware_enable = vmx_hardware_enable,
	.hardware_disable = vmx_hardware_disable,
	.emergency_disable = vmx_emergency_disable,
	.mmu_leaf = vmx_mmu_leaf,
	.mmu_table = vmx_mmu_table,
	.mmu_present = vmx_mmu_present,
	.vm_init = vmx_vm_init,
	.vm_destroy = vmx_vm_destroy,
	.vcpu_create = vmx_vcpu_create,
	.vcpu_free = vmx_vcpu_free,
	.vcpu_reset = vmx_vcpu_reset,
	.vcpu_load = vmx_vcpu_load,
	.vcpu_run = vmx_vcpu_run,
	.handle_exit = vmx_handle_exit,
	.get_sregs = vmx_get_sregs,
	.set_sregs = vmx_set_sregs,
	.get_emu_state = vmx_get_emu_state,
	.get_cpl = vmx_get_cpl,
	.get_msr = vmx_get_msr,
	.set_msr = vmx_set_msr,
	.get_cr4 = vmx_get_cr4,
	.get_dr7 = vmx_get_dr7,
	.set_dr7 = vmx_set_dr7,
	.update_guest_debug = vmx_update_guest_debug,
	.set_tsc_offset = vmx_set_tsc_offset,
	.inject_exception = vmx_inject_exception,
	.event_queued = vmx_event_queued,
	.interrupt_allowed = vmx_interrupt_allowed,
	.nmi_allowed = vmx_nmi_allowed,
	.inject_irq = vmx_inject_irq,
	.inject_nmi = vmx_inject_nmi,
	.enable_irq_window = vmx_enable_irq_window,
	.enable_nmi_window = vmx_enable_nmi_window,
	.get_cr8 = vmx_get_cr8,
	.set_cr8 = vmx_set_cr8,
	.get_events = vmx_get_events,
	.set_events = vmx_set_events,
	.flush_tlb = vmx_flush_tlb,
	.skip_insn = vmx_skip_insn,
};
