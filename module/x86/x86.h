/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86 exit handling shared by the SVM and VMX backends: port I/O, MMIO
 * emulation, CPUID, MSRs, XSETBV, FPU state, exception queueing.
 */
#ifndef NYX_X86_H
#define NYX_X86_H

#include "core/core.h"

#define NYX_UD_VECTOR	6
#define NYX_GP_VECTOR	13
#define NYX_PF_VECTOR	14

/* One port I/O exit, as decoded by the vendor backend. */
struct nyx_pio {
	u16 port;
	u8 size;		/* 1, 2, 4 */
	bool in;
	bool string;
	bool rep;
	u64 next_rip;
};

/* The segments of struct nyx_sregs: x86_seg order, then TR and LDT. */
#define NYX_SREGS_TR		6
#define NYX_SREGS_LDT		7
#define NYX_SREGS_NR_SEGS	8
struct nyx_segment *nyx_x86_sregs_seg(struct nyx_sregs *sr, int i);
/* nyx_segment <-> packed attributes (the x86_seg_state/VMCB format) */
u16 nyx_x86_seg_pack(const struct nyx_segment *s);
void nyx_x86_seg_unpack(struct nyx_segment *s, u16 attr, bool unusable);

int nyx_x86_check_msr_value(u32 index, u64 data);
int nyx_x86_handle_gpa_fault(struct nyx_vcpu *vcpu, u64 gpa, bool write,
			     u32 delivery_info, bool in_delivery);

void nyx_x86_vcpu_reset(struct nyx_vcpu *vcpu);
void nyx_x86_vcpu_init(struct nyx_vcpu *vcpu);
void nyx_x86_vcpu_sipi(struct nyx_vcpu *vcpu, u8 vector);
int nyx_x86_check_sregs(const struct nyx_sregs *sregs);

int nyx_x86_complete_userspace(struct nyx_vcpu *vcpu);
int nyx_x86_handle_pio(struct nyx_vcpu *vcpu, const struct nyx_pio *pio);
int nyx_x86_emulate_one(struct nyx_vcpu *vcpu);
int nyx_x86_handle_hlt(struct nyx_vcpu *vcpu);
int nyx_x86_internal_error(struct nyx_vcpu *vcpu, u32 suberror, u32 ndata,
			   const u64 *data);

void nyx_x86_queue_exception(struct nyx_vcpu *vcpu, u8 vector,
			     bool has_error, u32 error_code);

/* cpuid.c */
int nyx_x86_handle_cpuid(struct nyx_vcpu *vcpu);
void nyx_x86_cpuid_changed(struct nyx_vcpu *vcpu);
u64 nyx_x86_guest_xcr0_mask(struct nyx_vcpu *vcpu);
int nyx_x86_handle_xsetbv(struct nyx_vcpu *vcpu);
int nyx_x86_get_fpu(struct nyx_vcpu *vcpu, struct nyx_fpu __user *uf);
int nyx_x86_set_fpu(struct nyx_vcpu *vcpu, struct nyx_fpu __user *uf);
extern u64 nyx_host_xcr0;

/* msr.c */
int nyx_x86_get_msr(struct nyx_vcpu *vcpu, u32 index, u64 *data, bool host);
int nyx_x86_set_msr(struct nyx_vcpu *vcpu, u32 index, u64 data, bool host);
int nyx_x86_handle_rdmsr(struct nyx_vcpu *vcpu);
int nyx_x86_handle_wrmsr(struct nyx_vcpu *vcpu);

/* debug.c: NYX_SET_GUEST_DEBUG */
int nyx_x86_set_guest_debug(struct nyx_vcpu *vcpu,
			    const struct nyx_guest_debug *dbg);
void nyx_x86_debug_apply(struct nyx_vcpu *vcpu);
void nyx_x86_debug_before_run(struct nyx_vcpu *vcpu);
void nyx_x86_debug_after_run(struct nyx_vcpu *vcpu);
int nyx_x86_debug_exit(struct nyx_vcpu *vcpu, u32 exception, u64 dr6);
int nyx_x86_handle_db(struct nyx_vcpu *vcpu, u64 dr6);
bool nyx_x86_debug_step_done(struct nyx_vcpu *vcpu, u64 old_rip);
int nyx_x86_debug_step_exit(struct nyx_vcpu *vcpu);

/* emulate_glue.c: the shared emulator bound to a vCPU */
void nyx_x86_emu_prepare(struct nyx_vcpu *vcpu);
void nyx_x86_emu_commit(struct nyx_vcpu *vcpu);
extern const struct x86_emu_ops nyx_x86_emu_ops;
void nyx_x86_log_walk(struct nyx_vcpu *vcpu, const char *what, u64 la);

#endif
