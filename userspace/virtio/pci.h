/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virtio 1.x modern PCI transport (virtio spec 1.2, section 4.1), the
 * layer every virtio device of the launcher plugs into.
 *
 * Guest-visible layout (Documentation/boot.rst, "virtio"):
 *
 *   vendor 0x1af4, device 0x1040 + virtio type, revision 1, INTA#;
 *   BAR0 (32-bit memory, 16 KiB) with the vendor capabilities:
 *     0x0000 common configuration
 *     0x1000 ISR status (read clears, deasserts INTx)
 *     0x2000 device configuration (the device's config_read/write)
 *     0x3000 notify area: queue n at 0x3000 + 4 * n (multiplier 4)
 *   BAR1 (32-bit memory, 4 KiB) holding the MSI-X table and PBA;
 *   MSI-X: one vector per queue plus one for configuration changes.
 *
 * Threads. Guest register accesses run on vCPU threads under vdev->lock.
 * Each device has one I/O thread that polls (epoll) a kick eventfd per
 * queue, the device's own fds (e.g. block completions) and a control
 * eventfd. With NYX_CAP_IOEVENTFD a queue's kick eventfd is an ioeventfd
 * on its notify address, so the guest's kick never leaves the kernel;
 * without it the notify write exits to the launcher and the bus handler
 * signals the same eventfd. Interrupts go out through irqfds (MSI
 * address/data taken from the MSI-X table when the vector fires, the
 * irqfd re-registered when the guest reprogrammed the entry) or, without
 * NYX_CAP_IRQFD, irq_msi(); without MSI-X through INTA# and the ISR.
 *
 * A bad chain (lib/virtio's VQ_ERR_*) is logged and sets
 * DEVICE_NEEDS_RESET with a configuration interrupt; the other queues,
 * devices and the host carry on. Writing 0 to device_status resets the
 * device: queues stop, the device's reset() drains requests in flight.
 * Both that and a backend failure quarantine the device (struct
 * virtio_quarantine below; Documentation/control.rst): its queues are
 * not touched until a reset or the control socket's device-reset.
 *
 * State: struct virtio_pci_state holds every guest-visible register and
 * the queues' struct vq_state; with the quarantine that is what
 * virtio_pci_save_state()/virtio_pci_load() put in a snapshot record
 * (struct virtio_pci_saved); the rest is derived or host resources.
 */
#ifndef NYX_VIRTIO_PCI_H
#define NYX_VIRTIO_PCI_H

#include <pthread.h>

#include "core/eventfd.h"
#include "pci/pci.h"
#include "virtio/virtqueue.h"

#define VIRTIO_PCI_VENDOR	0x1af4
#define VIRTIO_PCI_DEVICE_BASE	0x1040	/* + virtio device type */
#define VIRTIO_ID_NET		1
#define VIRTIO_ID_BLOCK		2

#define VIRTIO_MAX_QUEUES	16
#define VIRTIO_QUEUE_MAX_SIZE	256	/* what queue_size reads at reset */
#define VIRTIO_MSI_NO_VECTOR	0xffff

/* BAR0 layout */
#define VIRTIO_PCI_BAR_SIZE	0x4000
#define VIRTIO_PCI_COMMON_OFF	0x0000
#define VIRTIO_PCI_ISR_OFF	0x1000
#define VIRTIO_PCI_DEVCFG_OFF	0x2000
#define VIRTIO_PCI_DEVCFG_SIZE	0x1000
#define VIRTIO_PCI_NOTIFY_OFF	0x3000
#define VIRTIO_PCI_NOTIFY_MULT	4
#define VIRTIO_PCI_MSIX_BAR	1
#define VIRTIO_PCI_MSIX_BAR_SIZE 0x1000
#define VIRTIO_PCI_MSIX_PBA_OFF	0x800

/* virtio_pci_cap cfg_type */
#define VIRTIO_PCI_CAP_COMMON_CFG	1
#define VIRTIO_PCI_CAP_NOTIFY_CFG	2
#define VIRTIO_PCI_CAP_ISR_CFG		3
#define VIRTIO_PCI_CAP_DEVICE_CFG	4

/* Common configuration registers */
#define VIRTIO_PCI_COMMON_DFSELECT	0x00
#define VIRTIO_PCI_COMMON_DF		0x04
#define VIRTIO_PCI_COMMON_GFSELECT	0x08
#define VIRTIO_PCI_COMMON_GF		0x0c
#define VIRTIO_PCI_COMMON_MSIX		0x10
#define VIRTIO_PCI_COMMON_NUMQ		0x12
#define VIRTIO_PCI_COMMON_STATUS	0x14
#define VIRTIO_PCI_COMMON_CFGGENERATION	0x15
#define VIRTIO_PCI_COMMON_Q_SELECT	0x16
#define VIRTIO_PCI_COMMON_Q_SIZE	0x18
#define VIRTIO_PCI_COMMON_Q_MSIX	0x1a
#define VIRTIO_PCI_COMMON_Q_ENABLE	0x1c
#define VIRTIO_PCI_COMMON_Q_NOFF	0x1e
#define VIRTIO_PCI_COMMON_Q_DESCLO	0x20
#define VIRTIO_PCI_COMMON_Q_DESCHI	0x24
#define VIRTIO_PCI_COMMON_Q_AVAILLO	0x28
#define VIRTIO_PCI_COMMON_Q_AVAILHI	0x2c
#define VIRTIO_PCI_COMMON_Q_USEDLO	0x30
#define VIRTIO_PCI_COMMON_Q_USEDHI	0x34
#define VIRTIO_PCI_COMMON_SIZE		0x38

/* device_status bits */
#define VIRTIO_STATUS_ACKNOWLEDGE	1
#define VIRTIO_STATUS_DRIVER		2
#define VIRTIO_STATUS_DRIVER_OK		4
#define VIRTIO_STATUS_FEATURES_OK	8
#define VIRTIO_STATUS_NEEDS_RESET	0x40
#define VIRTIO_STATUS_FAILED		0x80

/* Transport feature bits */
#define VIRTIO_F_INDIRECT_DESC		28
#define VIRTIO_F_EVENT_IDX		29
#define VIRTIO_F_VERSION_1		32

#define VIRTIO_ISR_QUEUE		1
#define VIRTIO_ISR_CONFIG		2

struct virtio_pci;

/* What a device type provides. All but config_len/features optional. */
struct virtio_dev_ops {
	const char *name;		/* "virtio-blk" */
	u16 type;			/* VIRTIO_ID_* */
	u32 class_code;
	u16 num_queues;
	u32 config_len;			/* device config bytes (<= 4 KiB) */
	u64 features;			/* device features (VERSION_1 etc.
					 * are added by the transport) */
	/* Device config access; off + len <= config_len. vdev->lock held. */
	void (*config_read)(struct virtio_pci *v, u32 off, void *data, u32 len);
	void (*config_write)(struct virtio_pci *v, u32 off, const void *data,
			     u32 len);
	/* I/O thread: queue q was kicked (or has work). Called without the
	 * lock; pops with virtio_pop() and pushes with virtio_push(). */
	void (*queue_notify)(struct virtio_pci *v, unsigned int q);
	/* I/O thread: the device's extra fd (dev_fd) is readable. */
	void (*dev_fd_ready)(struct virtio_pci *v);
	/* vCPU thread, the queues already stopped, lock not held: finish or
	 * drop every request in flight before returning. */
	void (*reset)(struct virtio_pci *v);
	/* I/O thread: the operator ended a backend quarantine
	 * (virtio_pci_device_reset()): retry the requests kept when the
	 * backend failed. The transport kicks every queue afterwards. */
	void (*recover)(struct virtio_pci *v);
};

/*
 * Quarantine (Documentation/control.rst, "Device quarantine"). A device
 * whose guest broke the virtio protocol (class guest, also NEEDS_RESET) or
 * whose backend failed (class backend: image or tap I/O error) stops
 * using its queues until a reset: the guest's (status 0) or the
 * operator's (device-reset). Host-side state, saveable with the rest.
 */
enum virtio_qclass {
	VIRTIO_QUARANTINE_NONE,
	VIRTIO_QUARANTINE_GUEST,
	VIRTIO_QUARANTINE_BACKEND,
};

#define VIRTIO_REASON_LEN	96

struct virtio_quarantine {
	u8 cls;				/* enum virtio_qclass; 0: healthy */
	char reason[VIRTIO_REASON_LEN];
	u64 count;			/* times quarantined since start */
};

/* One queue's guest-visible registers. */
struct virtio_queue_regs {
	u16 size;
	u16 msix_vector;
	u16 enable;
	u64 desc, driver, device;
};

/* Everything guest-visible: saveable as is. */
struct virtio_pci_state {
	u32 device_feature_select, driver_feature_select;
	u64 driver_features;
	u16 msix_config;
	u8 status;
	u8 config_generation;
	u16 queue_select;
	u8 isr;
	struct virtio_queue_regs q[VIRTIO_MAX_QUEUES];
	struct vq_state vq[VIRTIO_MAX_QUEUES];
};

struct virtio_pci_irq {
	int vm_fd;			/* -1: use the bus's msi() */
	struct irqfd irqfd;		/* fd -1: fallback or none yet */
	bool valid;			/* irqfd holds address/data below */
	u64 address;
	u32 data;
};

struct virtio_pci {
	struct pci_dev pci;
	const struct virtio_dev_ops *ops;
	void *dev;			/* the device type's state */
	pthread_mutex_t lock;		/* state, vq, notify mapping */
	struct virtio_pci_state s;
	struct virtqueue vq[VIRTIO_MAX_QUEUES];
	struct vq_mem mem;		/* guest RAM */
	const struct vm *vm;
	int vm_fd;			/* -1 until virtio_pci_start() */

	bool resetting;			/* status 0 written, I/O thread busy */
	struct virtio_quarantine qr;
	/* device-reset asked, for the I/O thread (control thread sets) */
	bool recover_pending;		/* backend: ops->recover(), kicks */
	bool reset_notify;		/* guest: config interrupt on ... */
	u16 reset_notify_vector;	/* ... the driver's config vector */

	/* Host resources (not state). */
	int kick_fd[VIRTIO_MAX_QUEUES];	/* eventfd per queue */
	pthread_mutex_t kick_lock;	/* the ioeventfd assignments */
	bool use_ioeventfd;
	bool kick_assigned[VIRTIO_MAX_QUEUES];
	struct nyx_ioeventfd kick_arg[VIRTIO_MAX_QUEUES];
	u64 bar0_base;			/* where BAR0 is mapped */
	bool bar0_mapped;
	struct virtio_pci_irq irq[VIRTIO_MAX_QUEUES + 1];
	int dev_fd;			/* polled for dev_fd_ready, or -1 */
	bool dev_fd_off;		/* virtio_pci_poll_dev(v, false) */
	int ctl_fd;			/* wakes the I/O thread to stop */
	int epoll_fd;
	pthread_t thread;
	bool thread_running;
	bool stopping;
	u64 bad_chains;			/* chains that set NEEDS_RESET */
	/*
	 * Interrupt throttling (I/O thread only; host policy, not state):
	 * on a queue with a gap, an interrupt less than irq_gap_ns after
	 * the previous one waits until the gap is over, and the work done
	 * meanwhile shares it. See virtio_queue_set_irq_gap().
	 */
	u64 irq_gap_ns[VIRTIO_MAX_QUEUES];
	u64 irq_last_ns[VIRTIO_MAX_QUEUES];
	bool irq_deferred[VIRTIO_MAX_QUEUES];
	u64 irqs_sent[VIRTIO_MAX_QUEUES];	/* queue interrupts sent */
	u64 irqs_merged[VIRTIO_MAX_QUEUES];	/* ... folded into a later one */
};

/* Guest RAM translation for lib/virtio (vm's two slots). */
void *virtio_map_guest(void *opaque, u64 gpa, u64 len, u64 *contig,
		       bool write);

/*
 * Build the PCI function (IDs, BARs, capabilities, MSI-X) for ops; dev is
 * the device type's state. Register it with pci_register() afterwards.
 * Returns 0 or -errno.
 */
int virtio_pci_init(struct virtio_pci *v, const struct virtio_dev_ops *ops,
		    void *dev, const struct vm *vm);

/*
 * Once the VM exists: the queues' kick eventfds (ioeventfds when the
 * module has them and the fast paths are on) and the I/O thread.
 * Returns 0 or -errno.
 */
int virtio_pci_start(struct virtio_pci *v, int vm_fd);
/* Stop the I/O thread, release the eventfds. */
void virtio_pci_stop(struct virtio_pci *v);

/* For the device (I/O thread or completion path). Return as vq_pop() /
 * vq_push(); an error marks the device NEEDS_RESET. */
int virtio_pop(struct virtio_pci *v, unsigned int q, struct vq_seg *segs,
	       u32 max_segs, struct vq_chain *chain);
int virtio_push(struct virtio_pci *v, unsigned int q, u16 head, u32 len);
/* Interrupt the driver for queue q if it wants one (throttled when the
 * queue has a gap: I/O thread only then). */
void virtio_notify_queue(struct virtio_pci *v, unsigned int q);
/* The same at once, gap or not (e.g. the device waits for buffers). */
void virtio_notify_queue_now(struct virtio_pci *v, unsigned int q);
/*
 * At most one interrupt per usecs on queue q (0: no throttling, the
 * default). The first interrupt after a quiet gap goes at once, so a
 * lone packet is not delayed; a stream gets one interrupt per gap
 * covering everything completed meanwhile, like a NIC's interrupt
 * throttle rate. Before virtio_pci_start().
 */
void virtio_queue_set_irq_gap(struct virtio_pci *v, unsigned int q,
			      u32 usecs);
/* I/O thread: send the deferred interrupts that are due; returns ts
 * holding the time until the next one, or NULL if none waits. */
struct timespec *virtio_pci_irq_flush(struct virtio_pci *v,
				      struct timespec *ts);
/* Called (if set) when a device is quarantined: the control socket's
 * DEVICE_ERROR event. name as virtio_pci_name(), cls "guest"|"backend". */
extern void (*virtio_error_hook)(const char *name, const char *cls,
				 const char *why);
/* Mark the device broken by its guest (logged once per reset): NEEDS_RESET,
 * quarantine class guest, config interrupt. */
void virtio_set_needs_reset(struct virtio_pci *v, const char *why);
/* The backend failed (any thread): quarantine class backend, logged and
 * reported once; the device keeps the failed request for recovery. Returns
 * true if this call quarantined it. */
bool virtio_quarantine_backend(struct virtio_pci *v, const char *why);
/* The quarantine class now (enum virtio_qclass; 0: healthy). */
unsigned int virtio_quarantined(struct virtio_pci *v);
/* The control socket's name: "virtio-blk 01.0". */
void virtio_pci_name(const struct virtio_pci *v, char *buf, size_t len);
/* "ok", "guest", "backend" */
const char *virtio_qclass_name(unsigned int cls);
/*
 * device-reset: end a quarantine. Backend class: the device retries what
 * it kept (ops->recover) and goes on. Guest class: the device goes back to
 * its power-on state as if the driver had written status 0, then raises a
 * configuration interrupt so that the driver can set it up again.
 * Returns 0, or -EINVAL (message in err) if it is not quarantined.
 */
int virtio_pci_device_reset(struct virtio_pci *v, char *err, size_t errlen);
/* Started devices, for the control socket (core/vmctl.c). fn runs with
 * the registry locked (the devices cannot be stopped meanwhile); a
 * non-zero return stops the walk and is returned. */
int virtio_pci_for_each(int (*fn)(struct virtio_pci *v, void *arg),
			void *arg);
/* Whether queue q may be used now (DRIVER_OK, enabled, not broken). */
bool virtio_queue_live(struct virtio_pci *v, unsigned int q);
/* Kick suppression around a pop loop (lib/virtio semantics): enable
 * returns true if chains arrived meanwhile (pop again). */
void virtio_queue_disable_notify(struct virtio_pci *v, unsigned int q);
bool virtio_queue_enable_notify(struct virtio_pci *v, unsigned int q);
/* Whether the I/O thread polls dev_fd (on at start; e.g. virtio-net stops
 * reading the tap while the guest has no receive buffers). Any thread. */
void virtio_pci_poll_dev(struct virtio_pci *v, bool on);
/* Finish a reset the guest asked for (I/O thread, or inline without
 * one): ops->reset(), then the registers go back to their reset values. */
void virtio_pci_finish_reset(struct virtio_pci *v);

/* Register accesses, also for the unit tests (BAR0 offsets). */
void virtio_pci_bar_read(void *opaque, u64 off, void *data, u32 len);
void virtio_pci_bar_write(void *opaque, u64 off, const void *data, u32 len);

void virtio_pci_save(struct virtio_pci *v, struct virtio_pci_state *st);

/*
 * Snapshot format of the transport (Documentation/architecture.rst,
 * "Virtio device state"): fixed size, explicit padding, little-endian
 * host, versioned. The PCI function itself (configuration space, MSI-X
 * table) is pci_dev_save()'s; load it first. A queue's registers and its
 * ring state (lib/virtio struct vq_state) are one record: once enabled
 * the ring uses exactly the registers' size and addresses.
 */
#define VIRTIO_PCI_STATE_VERSION	1

struct virtio_queue_saved {		/* 48 bytes */
	u64 desc, driver, device;	/* ring addresses (registers) */
	u64 features;			/* what the ring was set up with */
	u16 size, msix_vector, enable;
	u16 last_avail_idx, used_idx, signalled_used;
	u8 signalled_used_valid, notify_disabled;
	s16 error;			/* enum vq_error, 0: fine */
};

struct virtio_pci_saved {		/* 928 bytes */
	u32 version;			/* VIRTIO_PCI_STATE_VERSION */
	u32 size;			/* sizeof(struct virtio_pci_saved) */
	u16 type;			/* VIRTIO_ID_*: must match on load */
	u16 num_queues;			/* must match on load */
	u32 device_feature_select;
	u64 device_features;		/* offered; must match on load */
	u32 driver_feature_select;
	u32 pad0;			/* 0 */
	u64 driver_features;
	u16 msix_config;
	u8 status;
	u8 config_generation;
	u16 queue_select;
	u8 isr;
	u8 qr_class;			/* enum virtio_qclass */
	u64 qr_count;
	u64 bad_chains;
	char qr_reason[VIRTIO_REASON_LEN];	/* NUL-terminated */
	struct virtio_queue_saved q[VIRTIO_MAX_QUEUES];
};

/*
 * Save the transport. -EBUSY while a reset or a device-reset is under
 * way (transient: retry). Call with the vCPUs stopped and the device's
 * I/O thread idle (Documentation: the device is quiesced for a snapshot).
 */
int virtio_pci_save_state(struct virtio_pci *v, struct virtio_pci_saved *st);
/*
 * Load a saved transport into a device built with the same ops (after
 * pci_dev_load()). Everything is checked first; on any error the device
 * is left untouched and -EINVAL returned (-EBUSY during a reset). The
 * enabled queues are re-attached to guest RAM and, if the driver is up,
 * kicked so that the I/O thread looks at their rings.
 */
int virtio_pci_load(struct virtio_pci *v, const struct virtio_pci_saved *st);
/* The same without the kicks, for a device that must reset its own
 * state first; then virtio_pci_kick_all() (kicks if the driver is up). */
int virtio_pci_load_quiet(struct virtio_pci *v,
			  const struct virtio_pci_saved *st);
void virtio_pci_kick_all(struct virtio_pci *v);

#endif
