// SPDX-License-Identifier: GPL-2.0
/*
 * x86 exit handling common to both vendors: port I/O (including string
 * I/O batched through the run structure's data page), MMIO through the
 * shared emulator, HLT, and the completion of exits that userspace served.
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/string.h>
#include <asm/msr-index.h>

#include "x86/x86.h"
#include "x86/irq.h"
#include "core/trace.h"

/* The value of an MMIO access, for the trace (len is 1..8). */
static u64 nyx_mmio_val(const struct x86_mmio_access *acc)
{
	u64 v = 0;

	memcpy(&v, acc->data, min_t(u32, acc->len, sizeof(v)));
	return v;
}

/* The state INIT gives: RESET keeps more (TSC, MTRRs, the LAPIC's). */
void nyx_x86_vcpu_init(struct nyx_vcpu *vcpu)
{
	memset(vcpu->regs, 0, sizeof(vcpu->regs));
	vcpu->rip = 0xfff0;
	vcpu->rflags = X86_EFLAGS_FIXED;
	vcpu->regs[X86_RDX] = 0x600;
	vcpu->xcr0 = XFEATURE_MASK_FP;
	memset(vcpu->dr, 0, sizeof(vcpu->dr));
	vcpu->dr6 = 0xffff0ff0;
	vcpu->pending = NYX_PENDING_NONE;
	vcpu->exc.pending = false;
	vcpu->state_invalid = false;
	nyx_ops->vcpu_reset(vcpu);
	nyx_ops->set_tsc_offset(vcpu, vcpu->tsc_offset);
	/* a reset VMCB/VMCS has lost the debugger's intercepts */
	vcpu->guest_dr7 = 0x400;
	if (vcpu->guest_debug)
		nyx_x86_debug_apply(vcpu);
}

/* Start-up IPI: real mode at vector << 12, CS = vector << 8, IP = 0. */
void nyx_x86_vcpu_sipi(struct nyx_vcpu *vcpu, u8 vector)
{
	struct nyx_sregs sr;

	memset(&sr, 0, sizeof(sr));
	nyx_ops->get_sregs(vcpu, &sr);
	sr.cs.selector = vector << 8;
	sr.cs.base = (u64)vector << 12;
	nyx_ops->set_sregs(vcpu, &sr);
	vcpu->rip = 0;
}

void nyx_x86_vcpu_reset(struct nyx_vcpu *vcpu)
{
	memset(vcpu->regs, 0, sizeof(vcpu->regs));
	vcpu->rip = 0xfff0;
	vcpu->rflags = X86_EFLAGS_FIXED;
	/* EDX holds the processor signature at reset; 0x600 is a P6-class. */
	vcpu->regs[X86_RDX] = 0x600;
	vcpu->xcr0 = XFEATURE_MASK_FP;
	vcpu->apic_base = 0xfee00000 | (1 << 11) | (vcpu->id ? 0 : 1 << 8);
	vcpu->misc_enable = 0;
	vcpu->mtrr_def_type = 0;
	memset(vcpu->mtrr_fixed, 0, sizeof(vcpu->mtrr_fixed));
	memset(vcpu->mtrr_var, 0, sizeof(vcpu->mtrr_var));
	memset(vcpu->dr, 0, sizeof(vcpu->dr));
	vcpu->dr6 = 0xffff0ff0;
	vcpu->pending = NYX_PENDING_NONE;
	vcpu->exc.pending = false;
	vcpu->state_invalid = false;
	nyx_ops->vcpu_reset(vcpu);
	/* Every vCPU's TSC counted from 0 at VM creation: in sync. */
	vcpu->tsc_offset = vcpu->vm->tsc_offset;
	vcpu->tsc_adjust = 0;
	nyx_ops->set_tsc_offset(vcpu, vcpu->tsc_offset);
	vcpu->guest_dr7 = 0x400;
	if (vcpu->guest_debug)
		nyx_x86_debug_apply(vcpu);
}

struct nyx_segment *nyx_x86_sregs_seg(struct nyx_sregs *sr, int i)
{
	struct nyx_segment *segs[NYX_SREGS_NR_SEGS] = {
		[X86_SEG_ES] = &sr->es, [X86_SEG_CS] = &sr->cs,
		[X86_SEG_SS] = &sr->ss, [X86_SEG_DS] = &sr->ds,
		[X86_SEG_FS] = &sr->fs, [X86_SEG_GS] = &sr->gs,
		[NYX_SREGS_TR] = &sr->tr, [NYX_SREGS_LDT] = &sr->ldt,
	};

	return segs[i];
}

u16 nyx_x86_seg_pack(const struct nyx_segment *s)
{
	return (s->type & 0xf) | s->s << 4 | s->dpl << 5 | s->present << 7 |
	       s->avl << 8 | s->l << 9 | s->db << 10 | s->g << 11;
}

void nyx_x86_seg_unpack(struct nyx_segment *s, u16 attr, bool unusable)
{
	s->type = X86_SEG_ATTR_TYPE(attr);
	s->s = !!(attr & X86_SEG_ATTR_S);
	s->dpl = X86_SEG_ATTR_DPL(attr);
	s->present = !!(attr & X86_SEG_ATTR_P);
	s->avl = !!(attr & X86_SEG_ATTR_AVL);
	s->l = !!(attr & X86_SEG_ATTR_L);
	s->db = !!(attr & X86_SEG_ATTR_DB);
	s->g = !!(attr & X86_SEG_ATTR_G);
	s->unusable = unusable;
	s->padding = 0;
}

static bool nyx_canonical(u64 la)
{
	return (u64)(((s64)la << 16) >> 16) == la;
}

/* Values a guest WRMSR (or NYX_SET_MSRS) must never put in hardware. */
int nyx_x86_check_msr_value(u32 index, u64 data)
{
	int i;

	switch (index) {
	case MSR_EFER:
		if (data & ~(u64)(EFER_SCE | EFER_LME | EFER_LMA | EFER_NX |
				  EFER_FFXSR))
			return -EINVAL;
		break;
	case MSR_FS_BASE:
	case MSR_GS_BASE:
	case MSR_KERNEL_GS_BASE:
	case MSR_LSTAR:
	case MSR_CSTAR:
	case MSR_IA32_SYSENTER_ESP:
	case MSR_IA32_SYSENTER_EIP:
		if (!nyx_canonical(data))
			return -EINVAL;
		break;
	case MSR_IA32_CR_PAT:
		for (i = 0; i < 8; i++) {
			u8 t = data >> (8 * i);

			if (t == 2 || t == 3 || t > 7)
				return -EINVAL;
		}
		break;
	}
	return 0;
}

/*
 * A nested page fault (NPT) or EPT violation at gpa: map guest RAM, or
 * emulate the MMIO access. in_delivery: the fault happened while the CPU
 * delivered an event (delivery_info), which MMIO cannot serve.
 */
int nyx_x86_handle_gpa_fault(struct nyx_vcpu *vcpu, u64 gpa, bool write,
			     u32 delivery_info, bool in_delivery)
{
	struct nyx_vm *vm = vcpu->vm;
	struct nyx_memslot *slot;
	int r;

	mutex_lock(&vm->lock);
	slot = nyx_find_slot(vm, gpa >> PAGE_SHIFT);
	if (slot && !(write && (slot->flags & NYX_MEM_READONLY))) {
		r = nyx_mmu_map_gpa(vcpu, slot, gpa);
		mutex_unlock(&vm->lock);
		if (r) {
			u64 data[2] = { gpa, (u64)(s64)r };

			return nyx_x86_internal_error(vcpu,
					NYX_INTERNAL_ERROR_NO_MEMORY, 2, data);
		}
		vcpu->stats[NYX_STAT_NPF_MAP]++;
		return 1;
	}
	mutex_unlock(&vm->lock);

	if (in_delivery) {
		u64 data[3] = { gpa, delivery_info, vcpu->rip };

		return nyx_x86_internal_error(vcpu,
					      NYX_INTERNAL_ERROR_DELIVERY_EV,
					      3, data);
	}
	return nyx_x86_emulate_one(vcpu);
}

static bool nyx_seg_ok(const struct nyx_segment *s)
{
	return !s->padding && s->type < 16 && s->present < 2 && s->dpl < 4 &&
	       s->db < 2 && s->s < 2 && s->l < 2 && s->g < 2 && s->avl < 2 &&
	       s->unusable < 2;
}

/* Checks on userspace values the hardware would not reject by itself. */
int nyx_x86_check_sregs(const struct nyx_sregs *sr)
{
	const struct nyx_segment *segs[] = {
		&sr->cs, &sr->ds, &sr->es, &sr->fs, &sr->gs, &sr->ss,
		&sr->tr, &sr->ldt,
	};
	unsigned int i;

	if (sr->flags)
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(sr->reserved); i++)
		if (sr->reserved[i])
			return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(segs); i++)
		if (!nyx_seg_ok(segs[i]))
			return -EINVAL;
	if (sr->gdt.padding[0] || sr->gdt.padding[1] || sr->gdt.padding[2] ||
	    sr->idt.padding[0] || sr->idt.padding[1] || sr->idt.padding[2])
		return -EINVAL;
	if (sr->cr0 >> 32 || sr->cr3 >> 52 || sr->cr8 > 15)
		return -EINVAL;
	/* paging needs protection; long mode needs PAE */
	if ((sr->cr0 & X86_CR0_PG) && !(sr->cr0 & X86_CR0_PE))
		return -EINVAL;
	if ((sr->efer & EFER_LMA) && !(sr->cr4 & X86_CR4_PAE))
		return -EINVAL;
	if (nyx_x86_check_msr_value(MSR_EFER, sr->efer))
		return -EINVAL;
	if (sr->apic_base & ~(u64)(0xfffff000ull | (1 << 11) | (1 << 10) |
				    (1 << 8)) || sr->apic_base >> 52)
		return -EINVAL;
	return 0;
}

void nyx_x86_queue_exception(struct nyx_vcpu *vcpu, u8 vector,
			     bool has_error, u32 error_code)
{
	vcpu->exc.pending = true;
	vcpu->exc.vector = vector;
	vcpu->exc.has_error_code = has_error;
	vcpu->exc.error_code = error_code;
	vcpu->exc.cr2 = 0;
}

int nyx_x86_internal_error(struct nyx_vcpu *vcpu, u32 suberror, u32 ndata,
			   const u64 *data)
{
	struct nyx_run *run = vcpu->run;

	ndata = min_t(u32, ndata, ARRAY_SIZE(run->internal.data));
	run->exit_reason = NYX_EXIT_INTERNAL_ERROR;
	run->internal.suberror = suberror;
	run->internal.ndata = ndata;
	memcpy(run->internal.data, data, ndata * sizeof(u64));
	return 0;
}

int nyx_x86_handle_hlt(struct nyx_vcpu *vcpu)
{
	/* With the irqchip the vCPU sleeps until an interrupt arrives
	 * (nyx_irq_block); without it userspace decides. */
	if (vcpu->apic) {
		vcpu->mp_state = NYX_MP_STATE_HALTED;
		return 1;
	}
	vcpu->run->exit_reason = NYX_EXIT_HLT;
	return 0;
}

static void *nyx_io_page(struct nyx_vcpu *vcpu)
{
	return page_address(vcpu->run_pages[NYX_RUN_IO_PAGE]);
}

/* Write "val" to a GPR with x86 sub-register semantics. */
static void nyx_set_reg_sized(unsigned long *reg, u64 val, unsigned int size)
{
	switch (size) {
	case 1:
		*reg = (*reg & ~0xfful) | (val & 0xff);
		break;
	case 2:
		*reg = (*reg & ~0xfffful) | (val & 0xffff);
		break;
	case 4:
		*reg = (u32)val;	/* zero-extends, as in 64-bit mode */
		break;
	default:
		*reg = val;
	}
}

static u64 nyx_addr_mask(unsigned int addr_size)
{
	return addr_size == 8 ? ~0ull : (1ull << (addr_size * 8)) - 1;
}

/*
 * Prefix scan at CS:RIP for a string I/O instruction: the segment of an
 * OUTS operand and the address size. The exit information carries both on
 * hardware with decode assists, but not everywhere (QEMU's TCG reports the
 * address size off by one bit), so the instruction itself decides.
 */
static void nyx_string_io_decode(struct nyx_vcpu *vcpu, int *seg,
				 u8 *addr_size)
{
	unsigned int def = x86_emu_addr_size(&vcpu->emu_cpu), i;
	bool in64 = def == 8;
	u8 insn[15];

	*seg = X86_SEG_DS;
	*addr_size = def;
	if (x86_emu_read_linear(&vcpu->emu, X86_SEG_CS, vcpu->rip, insn,
				sizeof(insn)) != X86_EMU_DONE) {
		/* the tail may cross into an unmapped page: retry shorter */
		nyx_x86_emu_prepare(vcpu);
		if (x86_emu_read_linear(&vcpu->emu, X86_SEG_CS, vcpu->rip,
					insn, 4) != X86_EMU_DONE)
			return;
	}
	for (i = 0; i < sizeof(insn); i++) {
		switch (insn[i]) {
		case 0x26: *seg = X86_SEG_ES; continue;
		case 0x2e: *seg = X86_SEG_CS; continue;
		case 0x36: *seg = X86_SEG_SS; continue;
		case 0x3e: *seg = X86_SEG_DS; continue;
		case 0x64: *seg = X86_SEG_FS; continue;
		case 0x65: *seg = X86_SEG_GS; continue;
		case 0x67:
			*addr_size = in64 ? 4 : def == 4 ? 2 : 4;
			continue;
		case 0x66: case 0xf0: case 0xf2: case 0xf3:
			continue;
		}
		if (in64 && (insn[i] & 0xf0) == 0x40)	/* REX */
			continue;
		break;
	}
}

/* Advance RSI/RDI and RCX after "count" string I/O items. */
static void nyx_string_io_advance(struct nyx_vcpu *vcpu, u32 count)
{
	struct nyx_string_io *sio = &vcpu->sio;
	int idx = sio->in ? X86_RDI : X86_RSI;
	u64 mask = nyx_addr_mask(sio->addr_size);
	u64 delta = (u64)count * sio->size;
	u64 addr = vcpu->regs[idx] & mask;
	bool done = true;

	addr = (vcpu->rflags & X86_EFLAGS_DF) ? addr - delta : addr + delta;
	nyx_set_reg_sized(&vcpu->regs[idx], addr & mask, sio->addr_size);
	if (sio->rep) {
		u64 rcx = (vcpu->regs[X86_RCX] & mask) - count;

		nyx_set_reg_sized(&vcpu->regs[X86_RCX], rcx & mask,
				  sio->addr_size);
		done = (rcx & mask) == 0;
	}
	/* Not done: RIP stays, the guest re-executes for the next chunk. */
	if (done)
		vcpu->rip = sio->next_rip;
}

/*
 * Copy "count" items between guest memory at seg:[RSI/RDI] and the I/O
 * page, honouring DF. Returns X86_EMU_DONE or an error to report.
 */
static enum x86_emu_result nyx_string_io_copy(struct nyx_vcpu *vcpu,
					      u32 count, bool to_guest)
{
	struct nyx_string_io *sio = &vcpu->sio;
	u8 *page = nyx_io_page(vcpu);
	u64 mask = nyx_addr_mask(sio->addr_size);
	u64 addr = vcpu->regs[sio->in ? X86_RDI : X86_RSI] & mask;
	enum x86_emu_result r;
	u32 i;

	nyx_x86_emu_prepare(vcpu);
	if (!(vcpu->rflags & X86_EFLAGS_DF)) {
		/* ascending: one linear copy (the helper splits pages) */
		u32 len = count * sio->size;

		if (((addr + len - 1) & mask) >= addr)
			return to_guest ?
				x86_emu_write_linear(&vcpu->emu, sio->seg, addr,
						     page, len) :
				x86_emu_read_linear(&vcpu->emu, sio->seg, addr,
						    page, len);
	}
	for (i = 0; i < count; i++) {
		u64 a = (vcpu->rflags & X86_EFLAGS_DF) ?
			addr - (u64)i * sio->size : addr + (u64)i * sio->size;

		a &= mask;
		r = to_guest ?
			x86_emu_write_linear(&vcpu->emu, sio->seg, a,
					     page + i * sio->size, sio->size) :
			x86_emu_read_linear(&vcpu->emu, sio->seg, a,
					    page + i * sio->size, sio->size);
		if (r != X86_EMU_DONE)
			return r;
	}
	return X86_EMU_DONE;
}

static int nyx_string_io_fail(struct nyx_vcpu *vcpu, enum x86_emu_result r)
{
	u64 data[2] = { vcpu->rip, vcpu->sio.port };

	if (r == X86_EMU_EXCEPTION) {
		vcpu->exc.pending = true;
		vcpu->exc.vector = vcpu->emu.exc.vector;
		vcpu->exc.has_error_code = vcpu->emu.exc.has_error_code;
		vcpu->exc.error_code = vcpu->emu.exc.error_code;
		vcpu->exc.cr2 = vcpu->emu.exc.cr2;
		return 1;
	}
	/* string I/O to or from MMIO is not supported */
	return nyx_x86_internal_error(vcpu, NYX_INTERNAL_ERROR_EMULATION, 2,
				      data);
}

int nyx_x86_handle_pio(struct nyx_vcpu *vcpu, const struct nyx_pio *pio)
{
	struct nyx_run *run = vcpu->run;
	struct nyx_string_io *sio = &vcpu->sio;
	u64 count = 1;
	u32 chunk;
	int seg;

	run->exit_reason = NYX_EXIT_IO;
	run->io.direction = pio->in ? NYX_EXIT_IO_IN : NYX_EXIT_IO_OUT;
	run->io.size = pio->size;
	run->io.port = pio->port;
	run->io.count = 1;
	run->io.data_offset = NYX_RUN_IO_PAGE * PAGE_SIZE;
	nyx_stat_pio(vcpu, pio->port);

	if (!pio->string) {
		u32 val = vcpu->regs[X86_RAX];

		vcpu->stats[NYX_STAT_IO]++;
		if (!pio->in)
			trace_nyx_pio(vcpu->id, true, pio->port, pio->size, 1,
				      val & (~0u >> (32 - 8 * pio->size)));
		if (nyx_irqchip_pio(vcpu, pio->port, pio->size, pio->in,
				    &val)) {
			if (pio->in) {
				nyx_set_reg_sized(&vcpu->regs[X86_RAX], val,
						  pio->size);
				trace_nyx_pio(vcpu->id, false, pio->port,
					      pio->size, 1, val);
			}
			vcpu->rip = pio->next_rip;
			return 1;
		}
		/* a virtio notify: signal the eventfd, stay in the guest */
		if (!pio->in && nyx_ioeventfd_write(vcpu->vm, true, pio->port,
						    pio->size, &val)) {
			vcpu->stats[NYX_STAT_IOEVENTFD]++;
			vcpu->rip = pio->next_rip;
			return 1;
		}
		sio->next_rip = pio->next_rip;
		sio->size = pio->size;
		sio->port = pio->port;	/* for the trace at completion */
		if (pio->in) {
			vcpu->pending = NYX_PENDING_PIO_IN;
		} else {
			memcpy(nyx_io_page(vcpu), &vcpu->regs[X86_RAX],
			       pio->size);
			vcpu->rip = pio->next_rip;
		}
		return 0;
	}

	vcpu->stats[NYX_STAT_IO_STRING]++;
	sio->port = pio->port;
	sio->size = pio->size;
	sio->in = pio->in;
	sio->rep = pio->rep;
	sio->next_rip = pio->next_rip;
	nyx_x86_emu_prepare(vcpu);
	nyx_string_io_decode(vcpu, &seg, &sio->addr_size);
	/* INS always writes ES:[RDI]; OUTS reads DS:[RSI] or an override. */
	sio->seg = pio->in ? X86_SEG_ES : seg;

	if (pio->rep) {
		count = vcpu->regs[X86_RCX] & nyx_addr_mask(sio->addr_size);
		if (!count) {
			vcpu->rip = pio->next_rip;
			return 1;
		}
	}
	chunk = min_t(u64, count, PAGE_SIZE / pio->size);
	sio->count = chunk;
	run->io.count = chunk;

	if (pio->in) {
		vcpu->pending = NYX_PENDING_PIO_STRING;
	} else {
		enum x86_emu_result r = nyx_string_io_copy(vcpu, chunk, false);
		u32 first = 0;

		if (r != X86_EMU_DONE)
			return nyx_string_io_fail(vcpu, r);
		memcpy(&first, nyx_io_page(vcpu), pio->size);
		trace_nyx_pio(vcpu->id, true, pio->port, pio->size, chunk,
			      first);
		nyx_string_io_advance(vcpu, chunk);
	}
	return 0;
}

static int nyx_emulator_result(struct nyx_vcpu *vcpu, enum x86_emu_result r)
{
	struct x86_emu *emu = &vcpu->emu;
	struct nyx_run *run = vcpu->run;
	struct x86_mmio_access *acc;
	u64 data[4];

	switch (r) {
	case X86_EMU_DONE:
		nyx_x86_emu_commit(vcpu);
		vcpu->pending = NYX_PENDING_NONE;
		return 1;
	case X86_EMU_MMIO:
		if (emu->nr_mmio_done >= X86_EMU_MAX_MMIO)
			break;
		acc = &emu->mmio[emu->nr_mmio_done];
		nyx_stat_mmio(vcpu, acc->gpa);
		if (acc->is_write)
			trace_nyx_mmio(vcpu->id, true, acc->gpa, acc->len,
				       nyx_mmio_val(acc));
		/* the LAPIC and I/O APIC answer at once: re-execute */
		if (nyx_irqchip_mmio(vcpu, acc->gpa, acc->len, acc->is_write,
				     acc->data)) {
			if (!acc->is_write)
				trace_nyx_mmio(vcpu->id, false, acc->gpa,
					       acc->len, nyx_mmio_val(acc));
			emu->nr_mmio_done++;
			nyx_x86_emu_prepare(vcpu);
			return nyx_emulator_result(vcpu, x86_emulate(emu));
		}
		/* an ioeventfd completes the write like a device would */
		if (acc->is_write &&
		    nyx_ioeventfd_write(vcpu->vm, false, acc->gpa, acc->len,
					acc->data)) {
			vcpu->stats[NYX_STAT_IOEVENTFD]++;
			emu->nr_mmio_done++;
			nyx_x86_emu_prepare(vcpu);
			return nyx_emulator_result(vcpu, x86_emulate(emu));
		}
		vcpu->stats[NYX_STAT_MMIO]++;
		run->exit_reason = NYX_EXIT_MMIO;
		run->mmio.phys_addr = acc->gpa;
		run->mmio.len = acc->len;
		run->mmio.is_write = acc->is_write;
		memset(run->mmio.data, 0, sizeof(run->mmio.data));
		if (acc->is_write)
			memcpy(run->mmio.data, acc->data, acc->len);
		vcpu->pending = NYX_PENDING_MMIO;
		return 0;
	case X86_EMU_EXCEPTION:
		vcpu->pending = NYX_PENDING_NONE;
		vcpu->exc.pending = true;
		vcpu->exc.vector = emu->exc.vector;
		vcpu->exc.has_error_code = emu->exc.has_error_code;
		vcpu->exc.error_code = emu->exc.error_code;
		vcpu->exc.cr2 = emu->exc.cr2;
		return 1;
	case X86_EMU_UNHANDLED:
		break;
	}
	vcpu->pending = NYX_PENDING_NONE;
	data[0] = vcpu->rip;
	data[1] = emu->insn_len;
	memset(&data[2], 0, 2 * sizeof(u64));
	memcpy(&data[2], emu->insn, min_t(u32, emu->insn_len, 15));
	return nyx_x86_internal_error(vcpu, NYX_INTERNAL_ERROR_EMULATION, 4,
				      data);
}

/* Emulate the instruction at RIP (MMIO fault, DR access, ...). */
int nyx_x86_emulate_one(struct nyx_vcpu *vcpu)
{
	nyx_x86_emu_prepare(vcpu);
	x86_emu_init(&vcpu->emu, &vcpu->emu_cpu, &nyx_x86_emu_ops, vcpu);
	return nyx_emulator_result(vcpu, x86_emulate(&vcpu->emu));
}

int nyx_x86_complete_userspace(struct nyx_vcpu *vcpu)
{
	struct nyx_run *run = vcpu->run;
	enum nyx_pending_user p = vcpu->pending;
	struct x86_emu *emu = &vcpu->emu;
	enum x86_emu_result r;
	u64 val = 0;

	vcpu->pending = NYX_PENDING_NONE;
	switch (p) {
	case NYX_PENDING_NONE:
		return 1;
	case NYX_PENDING_PIO_IN:
		memcpy(&val, nyx_io_page(vcpu), vcpu->sio.size);
		nyx_set_reg_sized(&vcpu->regs[X86_RAX], val,
				  vcpu->sio.size);
		trace_nyx_pio(vcpu->id, false, vcpu->sio.port, vcpu->sio.size,
			      1, val);
		vcpu->rip = vcpu->sio.next_rip;
		return 1;
	case NYX_PENDING_PIO_STRING:
		r = nyx_string_io_copy(vcpu, vcpu->sio.count, true);
		if (r != X86_EMU_DONE)
			return nyx_string_io_fail(vcpu, r);
		memcpy(&val, nyx_io_page(vcpu), vcpu->sio.size);
		trace_nyx_pio(vcpu->id, false, vcpu->sio.port, vcpu->sio.size,
			      vcpu->sio.count, val);
		nyx_string_io_advance(vcpu, vcpu->sio.count);
		return 1;
	case NYX_PENDING_MMIO:
		if (emu->nr_mmio_done >= X86_EMU_MAX_MMIO)
			return 1;
		if (!emu->mmio[emu->nr_mmio_done].is_write) {
			memcpy(emu->mmio[emu->nr_mmio_done].data,
			       run->mmio.data, sizeof(run->mmio.data));
			trace_nyx_mmio(vcpu->id, false,
				       emu->mmio[emu->nr_mmio_done].gpa,
				       emu->mmio[emu->nr_mmio_done].len,
				       nyx_mmio_val(&emu->mmio[emu->nr_mmio_done]));
		}
		emu->nr_mmio_done++;
		/* the guest state is unchanged since the exit: re-execute */
		nyx_x86_emu_prepare(vcpu);
		return nyx_emulator_result(vcpu, x86_emulate(emu));
	}
	return 1;
}
