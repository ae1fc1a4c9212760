// SPDX-License-Identifier: GPL-2.0
/*
 * Control socket commands on the real VM (see vmctl.h, qmp.h). They run
 * in the control thread; everything they touch is either read atomically
 * (vCPU counters, flags) or owned by a paused vCPU (its registers).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include <uapi/nyx.h>

#include "core/clock.h"
#include "core/control.h"
#include "core/log.h"
#include "core/stats.h"
#include "core/stop.h"
#include "core/vcpu.h"
#include "core/vm.h"
#include "core/vmctl.h"
#include "hw/acpi_pm.h"
#include "virtio/blk.h"
#include "virtio/net.h"

#define PAUSE_TIMEOUT_MS	5000

int (*vmctl_module_stats)(json_object *ret) = vmctl_module_stats_binary;

static json_object *u64_obj(u64 v)
{
	return json_object_new_uint64(v);
}

static int query_status(void *opaque, json_object *ret)
{
	struct vmctl *c = opaque;
	json_object *phases = json_object_new_object();
	const char *status;
	unsigned int i, n;

	vcpus_get(&n);
	if (c->stopping || stop_requested())
		status = "shutdown";
	else if (vcpus_paused())
		status = "paused";
	else
		status = "running";
	json_object_object_add(ret, "status", json_object_new_string(status));
	json_object_object_add(ret, "running",
			       json_object_new_boolean(!strcmp(status, "running")));
	json_object_object_add(ret, "vcpus", json_object_new_int(n));
	json_object_object_add(ret, "uptime-ns",
			       u64_obj(clock_monotonic_ns() - nyx_log.t0_ns));
	/* phase durations in ns; null until the phase ended */
	for (i = 0; i < SPAN_NR; i++) {
		long long d = span_duration(&nyx_log, i);

		json_object_object_add(phases, span_name(i),
				       d < 0 ? NULL : json_object_new_int64(d));
	}
	json_object_object_add(ret, "phases-ns", phases);
	return 0;
}

static int do_pause(void *opaque, char *err, size_t errlen)
{
	int r;

	(void)opaque;
	if (stop_requested()) {
		snprintf(err, errlen, "the VM is shutting down");
		return -EBUSY;
	}
	vcpus_pause_lock();
	r = vcpus_pause(PAUSE_TIMEOUT_MS);
	vcpus_pause_unlock();
	if (r) {
		snprintf(err, errlen, "pause: not every vCPU stopped within %d ms (they will when they can)",
			 PAUSE_TIMEOUT_MS);
		return r;
	}
	control_event("STOP", NULL);
	return 0;
}

static int do_resume(void *opaque, char *err, size_t errlen)
{
	(void)opaque;
	(void)err;
	(void)errlen;
	vcpus_pause_lock();
	if (!vcpus_paused()) {
		vcpus_pause_unlock();
		return 0;	/* like QMP's cont: resuming a running VM is fine */
	}
	vcpus_resume();
	vcpus_pause_unlock();
	control_event("RESUME", NULL);
	return 0;
}

static int do_quit(void *opaque, char *err, size_t errlen)
{
	(void)opaque;
	(void)err;
	(void)errlen;
	pr_info("quit from the control socket");
	stop_request(NYX_EXIT_OK);
	return 0;
}

static int do_powerdown(void *opaque, char *err, size_t errlen)
{
	struct vmctl *c = opaque;

	(void)err;
	(void)errlen;
	acpi_pm_power_button(c->pm);
	control_event("POWERDOWN", NULL);
	return 0;
}

/* nyx cannot reset a VM in place: it ends with the status of a guest
 * reset (8), so whatever started nyx restarts it, as for a guest reboot. */
static int do_reset(void *opaque, char *err, size_t errlen)
{
	(void)opaque;
	(void)err;
	(void)errlen;
	pr_info("system-reset from the control socket: exiting with status %d",
		NYX_EXIT_GUEST_RESET);
	stop_request(NYX_EXIT_GUEST_RESET);
	return 0;
}

static int query_cpus(void *opaque, json_object *ret)
{
	unsigned int i, n;
	struct vcpu *v = vcpus_get(&n);
	bool paused;

	(void)opaque;
	/* nobody resumes the vCPUs while we use their fds */
	vcpus_pause_lock();
	paused = vcpus_paused();
	for (i = 0; i < n; i++) {
		json_object *o = json_object_new_object();
		bool halted = __atomic_load_n(&v[i].halted, __ATOMIC_SEQ_CST);
		bool fresh = false;
		struct nyx_regs regs;
		struct nyx_vcpu_events ev;
		int tid;

		/* only a parked vCPU's fd may be used from this thread: a
		 * running one holds it inside NYX_RUN */
		if (paused && !halted) {
			if (!ioctl(v[i].fd, NYX_GET_REGS, &regs)) {
				__atomic_store_n(&v[i].last_rip, regs.rip,
						 __ATOMIC_RELAXED);
				__atomic_store_n(&v[i].rip_valid, true,
						 __ATOMIC_RELEASE);
				fresh = true;
			}
			if (!ioctl(v[i].fd, NYX_GET_VCPU_EVENTS, &ev))
				halted = ev.mp_state != NYX_MP_STATE_RUNNABLE;
		}
		json_object_object_add(o, "cpu-index", json_object_new_int(v[i].id));
		if (__atomic_load_n(&v[i].rip_valid, __ATOMIC_ACQUIRE))
			json_object_object_add(o, "rip",
				u64_obj(__atomic_load_n(&v[i].last_rip,
							__ATOMIC_RELAXED)));
		else
			json_object_object_add(o, "rip", NULL);
		/* false: the RIP of the last pause, the vCPU ran since */
		json_object_object_add(o, "rip-current", json_object_new_boolean(fresh));
		json_object_object_add(o, "halted", json_object_new_boolean(halted));
		json_object_object_add(o, "paused", json_object_new_boolean(paused));
		tid = __atomic_load_n(&v[i].tid, __ATOMIC_ACQUIRE);
		json_object_object_add(o, "thread-id",
				       tid ? json_object_new_int(tid) : NULL);
		json_object_array_add(ret, o);
	}
	vcpus_pause_unlock();
	return 0;
}

static json_object *hist_json(const struct nyx_hist *live)
{
	json_object *o = json_object_new_object();
	json_object *b = json_object_new_array();
	struct nyx_hist h;
	unsigned int i;

	nyx_hist_read(live, &h);
	json_object_object_add(o, "count", u64_obj(h.count));
	json_object_object_add(o, "sum", u64_obj(h.sum_us));
	json_object_object_add(o, "max", u64_obj(h.max_us));
	for (i = 0; i < NYX_HIST_BUCKETS; i++)
		json_object_array_add(b, u64_obj(h.buckets[i]));
	json_object_object_add(o, "buckets", b);
	return o;
}

#define ADD(o, name, ctr) \
	json_object_object_add(o, name, u64_obj(nyx_stat_get(&(ctr))))

/* A device's object: "id" (the name events use), "type", "slot". */
static json_object *dev_json(const char *type, unsigned int slot)
{
	json_object *o = json_object_new_object();
	char id[32];

	snprintf(id, sizeof(id), "%s %02x.0", type, slot);
	json_object_object_add(o, "id", json_object_new_string(id));
	json_object_object_add(o, "type", json_object_new_string(type));
	json_object_object_add(o, "slot", json_object_new_int(slot));
	return o;
}

static json_object *blk_json(const struct virtio_blk *b)
{
	const struct vblk_stats *s = &b->stats;
	json_object *o = dev_json("virtio-blk", b->vp.pci.slot);

	ADD(o, "reads", s->reads);
	ADD(o, "writes", s->writes);
	ADD(o, "flushes", s->flushes);
	ADD(o, "discards", s->discards);
	ADD(o, "write-zeroes", s->write_zeroes);
	ADD(o, "get-ids", s->get_ids);
	ADD(o, "unsupported", s->unsupported);
	ADD(o, "errors", s->errors);
	ADD(o, "read-bytes", s->read_bytes);
	ADD(o, "write-bytes", s->write_bytes);
	ADD(o, "in-flight", s->inflight);
	json_object_object_add(o, "latency-us", hist_json(&s->latency));
	return o;
}

static json_object *net_json(const struct virtio_net *n)
{
	const struct virtio_net_stats *s = &n->st;
	json_object *o = dev_json("virtio-net", n->vp.pci.slot);

	if (n->tap.fd >= 0)
		json_object_object_add(o, "ifname",
				       json_object_new_string(n->tap.ifname));
	ADD(o, "rx-packets", s->rx_frames);
	ADD(o, "rx-bytes", s->rx_bytes);
	ADD(o, "rx-dropped", s->rx_dropped);
	ADD(o, "rx-oversized", s->rx_oversized);
	ADD(o, "rx-bad", s->rx_bad);
	ADD(o, "rx-no-buffers", s->rx_no_buffers);
	ADD(o, "rx-errors", s->rx_errors);
	ADD(o, "rx-direct", s->rx_direct);
	ADD(o, "rx-interrupts", n->vp.irqs_sent[VIRTIO_NET_RXQ]);
	ADD(o, "rx-interrupts-merged", n->vp.irqs_merged[VIRTIO_NET_RXQ]);
	ADD(o, "tx-packets", s->tx_frames);
	ADD(o, "tx-bytes", s->tx_bytes);
	ADD(o, "tx-dropped", s->tx_dropped);
	ADD(o, "tx-bad", s->tx_bad);
	ADD(o, "tx-full", s->tx_full);
	ADD(o, "tx-errors", s->tx_errors);
	ADD(o, "tx-interrupts", n->vp.irqs_sent[VIRTIO_NET_TXQ]);
	return o;
}

json_object *vmctl_devices_json(const struct vmctl *c)
{
	unsigned int i, nb = c->nr_blks ? *c->nr_blks : 0;
	unsigned int nn = c->nr_nets ? *c->nr_nets : 0;
	json_object *devs = json_object_new_array();

	for (i = 0; i < nb; i++)
		json_object_array_add(devs, blk_json(&c->blks[i]));
	for (i = 0; i < nn; i++)
		json_object_array_add(devs, net_json(&c->nets[i]));
	return devs;
}

struct module_walk {
	json_object *desc;	/* filled from the first vCPU */
	json_object *stats;
};

static int module_stat_cb(void *opaque, const struct stat_value *v)
{
	struct module_walk *w = opaque;
	json_object *val;
	u32 i;

	if (w->desc && !json_object_object_get_ex(w->desc, v->name, NULL)) {
		json_object *d = json_object_new_object();

		json_object_object_add(d, "type", json_object_new_string(
			stats_type_name(v->type)));
		json_object_object_add(d, "unit", json_object_new_string(
			stats_unit_name(v->unit)));
		json_object_object_add(d, "size", json_object_new_int(v->size));
		json_object_object_add(w->desc, v->name, d);
	}
	if (v->size == 1) {
		val = u64_obj(v->values[0]);
	} else {
		val = json_object_new_array();
		for (i = 0; i < v->size; i++)
			json_object_array_add(val, u64_obj(v->values[i]));
	}
	json_object_object_add(w->stats, v->name, val);
	return 0;
}

int vmctl_module_stats_binary(json_object *ret)
{
	unsigned int i, n;
	struct vcpu *v = vcpus_get(&n);
	json_object *mod, *cpus;
	struct module_walk w;
	int r;

	/* asked of the VM fd: a vCPU fd answers only what NYX_GET_STATS
	 * is, anything else waits for the vCPU's mutex (NYX_RUN holds it) */
	if (!n || !stats_supported(v[0].vm->vm_fd))
		return 0;	/* an old module: no "module" member */
	mod = json_object_new_object();
	cpus = json_object_new_array();
	w.desc = json_object_new_object();
	for (i = 0; i < n; i++) {
		json_object *o = json_object_new_object();

		w.stats = json_object_new_object();
		r = stats_read_vcpu(v[i].fd, module_stat_cb, &w);
		json_object_object_add(o, "cpu-index",
				       json_object_new_int(v[i].id));
		json_object_object_add(o, "stats", w.stats);
		if (r)
			json_object_object_add(o, "error",
					       json_object_new_string(strerror(-r)));
		json_object_array_add(cpus, o);
	}
	json_object_object_add(mod, "descriptors", w.desc);
	json_object_object_add(mod, "vcpus", cpus);
	/* the VM-wide ones (NYX_GET_VM_STATS): their own descriptors */
	w.desc = json_object_new_object();
	w.stats = json_object_new_object();
	if (!stats_read_vm(v[0].vm->vm_fd, module_stat_cb, &w)) {
		json_object *vm = json_object_new_object();

		json_object_object_add(vm, "descriptors", w.desc);
		json_object_object_add(vm, "stats", w.stats);
		json_object_object_add(mod, "vm", vm);
	} else {
		json_object_put(w.desc);
		json_object_put(w.stats);
	}
	json_object_object_add(ret, "module", mod);
	return 0;
}

static int query_stats(void *opaque, json_object *ret)
{
	struct vmctl *c = opaque;
	json_object *cpus = json_object_new_array();
	json_object *blks = json_object_new_array();
	unsigned int i, s, n, nb = c->nr_blks ? *c->nr_blks : 0;
	struct vcpu *v = vcpus_get(&n);

	for (i = 0; i < n; i++) {
		json_object *o = json_object_new_object();
		json_object *ex = json_object_new_object();

		for (s = 0; s < VCPU_STAT_NR; s++)
			json_object_object_add(ex, vcpu_stat_name(s),
				u64_obj(__atomic_load_n(&v[i].stats[s],
							__ATOMIC_RELAXED)));
		json_object_object_add(o, "cpu-index", json_object_new_int(v[i].id));
		json_object_object_add(o, "exits", ex);
		json_object_array_add(cpus, o);
	}
	json_object_object_add(ret, "vcpus", cpus);
	/* the older, blk-only member (kept for its users) */
	for (i = 0; i < nb; i++) {
		const struct vblk_stats *bs = &c->blks[i].stats;
		json_object *o = json_object_new_object();

		json_object_object_add(o, "slot",
				       json_object_new_int(c->blks[i].vp.pci.slot));
		ADD(o, "reads", bs->reads);
		ADD(o, "writes", bs->writes);
		ADD(o, "flushes", bs->flushes);
		json_object_object_add(o, "other-requests",
			u64_obj(nyx_stat_get(&bs->discards) +
				nyx_stat_get(&bs->write_zeroes) +
				nyx_stat_get(&bs->get_ids) +
				nyx_stat_get(&bs->unsupported)));
		ADD(o, "errors", bs->errors);
		ADD(o, "read-bytes", bs->read_bytes);
		ADD(o, "write-bytes", bs->write_bytes);
		json_object_array_add(blks, o);
	}
	json_object_object_add(ret, "virtio-blk", blks);
	json_object_object_add(ret, "devices", vmctl_devices_json(c));
	if (vmctl_module_stats)
		return vmctl_module_stats(ret);
	return 0;
}
#undef ADD

/* query-devices: one object per started virtio device. */
static int add_device(struct virtio_pci *v, void *arg)
{
	json_object *o = json_object_new_object();
	unsigned int cls;
	char name[32], why[VIRTIO_REASON_LEN];
	u64 count;

	virtio_pci_name(v, name, sizeof(name));
	pthread_mutex_lock(&v->lock);
	cls = v->qr.cls;
	count = v->qr.count;
	memcpy(why, v->qr.reason, sizeof(why));
	pthread_mutex_unlock(&v->lock);
	json_object_object_add(o, "device", json_object_new_string(name));
	json_object_object_add(o, "type", json_object_new_string(v->ops->name));
	json_object_object_add(o, "slot", json_object_new_int(v->pci.slot));
	json_object_object_add(o, "state",
			       json_object_new_string(cls ? "quarantined" : "ok"));
	json_object_object_add(o, "class", cls ?
			       json_object_new_string(virtio_qclass_name(cls)) :
			       NULL);
	json_object_object_add(o, "reason",
			       cls ? json_object_new_string(why) : NULL);
	json_object_object_add(o, "quarantines", u64_obj(count));
	json_object_array_add(arg, o);
	return 0;
}

static int query_devices(void *opaque, json_object *ret)
{
	(void)opaque;
	return virtio_pci_for_each(add_device, ret);
}

struct reset_arg {
	const char *name;
	char *err;
	size_t errlen;
	bool found;
};

static int reset_one(struct virtio_pci *v, void *arg)
{
	struct reset_arg *a = arg;
	char name[32];

	virtio_pci_name(v, name, sizeof(name));
	if (strcmp(name, a->name))
		return 0;
	a->found = true;
	return virtio_pci_device_reset(v, a->err, a->errlen);
}

static int device_reset(void *opaque, const char *name, char *err,
			size_t errlen)
{
	struct reset_arg a = { name, err, errlen, false };
	int r;

	(void)opaque;
	r = virtio_pci_for_each(reset_one, &a);
	if (!a.found) {
		snprintf(err, errlen, "device-reset: no device '%.64s' (see query-devices)",
			 name);
		return -ENODEV;
	}
	return r;
}

static int set_log_level(void *opaque, const char *comp, const char *level,
			 char *err, size_t errlen)
{
	char spec[64];

	(void)opaque;
	if (comp && (!*comp || strpbrk(comp, ",="))) {
		snprintf(err, errlen, "set-log-level: bad component name");
		return -EINVAL;
	}
	snprintf(spec, sizeof(spec), "%s%s%s", comp ? comp : "",
		 comp ? "=" : "", level);
	if (log_parse_spec(&nyx_log, spec, err, errlen))
		return -EINVAL;
	return 0;
}

const struct qmp_ops vmctl_ops = {
	.query_status = query_status,
	.pause = do_pause,
	.resume = do_resume,
	.quit = do_quit,
	.powerdown = do_powerdown,
	.reset = do_reset,
	.query_cpus = query_cpus,
	.query_stats = query_stats,
	.set_log_level = set_log_level,
	.query_devices = query_devices,
	.device_reset = device_reset,
};

const char *vmctl_exit_reason(int status, int signo)
{
	if (signo)
		return "host-signal";
	switch (status) {
	case NYX_EXIT_OK:
		return "poweroff-or-quit";
	case NYX_EXIT_SETUP:
		return "setup-error";
	case NYX_EXIT_GUEST_SHUTDOWN:
		return "guest-shutdown";
	case NYX_EXIT_VCPU_FAILURE:
		return "vcpu-failure";
	case NYX_EXIT_GUEST_RESET:
		return "reset";
	}
	return status & 1 ? "guest-debug-exit" : "unknown";
}

void vmctl_shutdown_events(struct vmctl *c, int status, int signo)
{
	json_object *data = json_object_new_object();

	c->stopping = true;
	if (status == NYX_EXIT_GUEST_RESET && !signo)
		control_event("RESET", NULL);
	json_object_object_add(data, "reason",
			       json_object_new_string(vmctl_exit_reason(status, signo)));
	json_object_object_add(data, "status", json_object_new_int(status));
	control_event("SHUTDOWN", data);
}

void vmctl_device_error(const char *name, const char *cls, const char *why)
{
	json_object *data = json_object_new_object();

	json_object_object_add(data, "device", json_object_new_string(name));
	json_object_object_add(data, "reason", json_object_new_string(why));
	json_object_object_add(data, "class", json_object_new_string(cls));
	control_event("DEVICE_ERROR", data);
}
