/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nyx tracepoints (ftrace/perf: events/nyx/): guest entry and exit,
 * event injection, guest MSR accesses, port I/O and MMIO. Defined once,
 * in trace.c.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM nyx

#if !defined(NYX_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define NYX_TRACE_H

#include <linux/tracepoint.h>
#include <asm/svm.h>
#include <asm/vmx.h>

/* Which table names an exit code: the backend's own. */
#define NYX_ISA_SVM	0
#define NYX_ISA_VMX	1

/* Injected event types */
#define NYX_INJ_IRQ	0
#define NYX_INJ_NMI	1
#define NYX_INJ_EXC	2

TRACE_EVENT(nyx_entry,
	TP_PROTO(int vcpu_id, u64 rip),
	TP_ARGS(vcpu_id, rip),
	TP_STRUCT__entry(
		__field(int, vcpu_id)
		__field(u64, rip)
	),
	TP_fast_assign(
		__entry->vcpu_id = vcpu_id;
		__entry->rip = rip;
	),
	TP_printk("vcpu %d rip 0x%llx", __entry->vcpu_id, __entry->rip)
);

TRACE_EVENT(nyx_exit,
	TP_PROTO(int vcpu_id, u32 isa, u32 reason, u64 rip, u64 info1,
		 u64 info2, u32 intinfo, u64 rflags),
	TP_ARGS(vcpu_id, isa, reason, rip, info1, info2, intinfo, rflags),
	TP_STRUCT__entry(
		__field(int, vcpu_id)
		__field(u32, isa)
		__field(u32, reason)
		__field(u32, intinfo)
		__field(u64, rip)
		__field(u64, info1)
		__field(u64, info2)
		__field(u64, rflags)
	),
	TP_fast_assign(
		__entry->vcpu_id = vcpu_id;
		__entry->isa = isa;
		__entry->reason = reason;
		__entry->rip = rip;
		__entry->info1 = info1;
		__entry->info2 = info2;
		__entry->intinfo = intinfo;
		__entry->rflags = rflags;
	),
	TP_printk("vcpu %d reason %s (%u) rip 0x%llx info 0x%llx 0x%llx intinfo 0x%x rflags 0x%llx",
		  __entry->vcpu_id,
		  __entry->isa == NYX_ISA_VMX ?
			__print_symbolic(__entry->reason, VMX_EXIT_REASONS) :
			__print_symbolic(__entry->reason, SVM_EXIT_REASONS),
		  __entry->reason, __entry->rip, __entry->info1,
		  __entry->info2, __entry->intinfo, __entry->rflags)
);

TRACE_EVENT(nyx_inject,
	TP_PROTO(int vcpu_id, u32 type, u8 vector),
	TP_ARGS(vcpu_id, type, vector),
	TP_STRUCT__entry(
		__field(int, vcpu_id)
		__field(u32, type)
		__field(u8, vector)
	),
	TP_fast_assign(
		__entry->vcpu_id = vcpu_id;
		__entry->type = type;
		__entry->vector = vector;
	),
	TP_printk("vcpu %d %s vector 0x%x", __entry->vcpu_id,
		  __print_symbolic(__entry->type, { NYX_INJ_IRQ, "irq" },
				   { NYX_INJ_NMI, "nmi" },
				   { NYX_INJ_EXC, "exception" }),
		  __entry->vector)
);

/* A guest RDMSR/WRMSR (not the ioctls); fault: #GP queued instead */
TRACE_EVENT(nyx_msr,
	TP_PROTO(int vcpu_id, bool write, u32 index, u64 data, bool fault),
	TP_ARGS(vcpu_id, write, index, data, fault),
	TP_STRUCT__entry(
		__field(u64, data)
		__field(int, vcpu_id)
		__field(u32, index)
		__field(bool, write)
		__field(bool, fault)
	),
	TP_fast_assign(
		__entry->data = data;
		__entry->vcpu_id = vcpu_id;
		__entry->index = index;
		__entry->write = write;
		__entry->fault = fault;
	),
	TP_printk("vcpu %d msr_%s 0x%x data 0x%llx%s", __entry->vcpu_id,
		  __entry->write ? "write" : "read", __entry->index,
		  __entry->data, __entry->fault ? " #GP" : "")
);

/* count > 1: string I/O (val is the first item) */
TRACE_EVENT(nyx_pio,
	TP_PROTO(int vcpu_id, bool write, u16 port, u8 size, u32 count,
		 u32 val),
	TP_ARGS(vcpu_id, write, port, size, count, val),
	TP_STRUCT__entry(
		__field(int, vcpu_id)
		__field(bool, write)
		__field(u16, port)
		__field(u8, size)
		__field(u32, count)
		__field(u32, val)
	),
	TP_fast_assign(
		__entry->vcpu_id = vcpu_id;
		__entry->write = write;
		__entry->port = port;
		__entry->size = size;
		__entry->count = count;
		__entry->val = val;
	),
	TP_printk("vcpu %d pio_%s port 0x%x size %u count %u val 0x%x",
		  __entry->vcpu_id, __entry->write ? "write" : "read",
		  __entry->port, __entry->size, __entry->count, __entry->val)
);

TRACE_EVENT(nyx_mmio,
	TP_PROTO(int vcpu_id, bool write, u64 gpa, u32 len, u64 val),
	TP_ARGS(vcpu_id, write, gpa, len, val),
	TP_STRUCT__entry(
		__field(int, vcpu_id)
		__field(bool, write)
		__field(u64, gpa)
		__field(u32, len)
		__field(u64, val)
	),
	TP_fast_assign(
		__entry->vcpu_id = vcpu_id;
		__entry->write = write;
		__entry->gpa = gpa;
		__entry->len = len;
		__entry->val = val;
	),
	TP_printk("vcpu %d mmio_%s gpa 0x%llx len %u val 0x%llx",
		  __entry->vcpu_id, __entry->write ? "write" : "read",
		  __entry->gpa, __entry->len, __entry->val)
);

#endif /* NYX_TRACE_H */

/* Out of the kernel tree: define_trace.h finds this file through the
 * -I that Kbuild gives trace.o (CFLAGS_trace.o). */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
