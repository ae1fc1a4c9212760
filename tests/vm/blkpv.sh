# Does QEMU/KVM's QD1 random-read lead come from its paravirtual APIC
# features? A diagnostic, not a test: the block benchmark guest under
# QEMU/KVM with -cpu host,-xsave (default), without PV EOI, and without
# PV EOI and x2APIC (the guest then drives the xAPIC by MMIO, as under
# nyx), two interleaved rounds; the guest's randread IOPS.
#   scripts/nested-run --with-qemu --suite tests/vm/blkpv.sh
# shellcheck shell=sh source=tests/vm/lib.sh
. /tests/lib.sh
# shellcheck source=tests/vm/linux-lib.sh
. /tests/linux-lib.sh

if grep -qw svm /proc/cpuinfo; then kvm_mod=kvm_amd; else kvm_mod=kvm_intel; fi
run_cmd "load kvm" sh -c "modprobe $kvm_mod && [ -c /dev/kvm ]"
LINUX_LAUNCHER=/tests/qemu-as-nyx
pv_run() {	# NAME CPU
	echo "RUN $1"
	dd if=/dev/zero of=/tmp/blkpv.img bs=1048576 count=32 2>/dev/null
	lg=$LINUX_LOGDIR/blkpv.log
	LINUX_ARGS="--disk /tmp/blkpv.img"
	# exported: qemu-as-nyx takes its -cpu from it
	QEMU_CPU=$2
	linux_run "$lg" "$LINUX_TIMEOUT" 1 "$(linux_cmdline 1 bench "nyx.blkbench=16")" >/dev/null
	LINUX_ARGS=
	rm -f /tmp/blkpv.img
	r=$(sed -n 's/.*GUEST BLKBENCH randread4k .*iops \([0-9]*\).*/\1/p' "$lg")
	echo "    $2: randread4k ${r:-n/a} IOPS"
	if [ -n "$r" ]; then pass "$1"; else linux_show "$lg" 20; fail "$1" "no figure"; fi
}
export QEMU_CPU
for round in 1 2; do
	pv_run "QEMU/KVM default (round $round)" host,-xsave
	pv_run "QEMU/KVM no PV EOI (round $round)" host,-xsave,-kvm-pv-eoi
	pv_run "QEMU/KVM no PV EOI, no x2APIC (round $round)" host,-xsave,-kvm-pv-eoi,-x2apic
done
modprobe -r "$kvm_mod" kvm 2>/dev/null
finish
