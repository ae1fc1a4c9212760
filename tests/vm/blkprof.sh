# Where does a QD1 4 KiB random read spend its time? A diagnostic, not a
# test: boots the block benchmark guest (bench.sh part blk) under QEMU/KVM
# and under nyx (fast paths on and off) and, during the guest's randread,
# samples for PROF_S seconds: the hypervisor's exit counters (debugfs:
# /sys/kernel/debug/kvm/*, /sys/kernel/debug/nyx/*/vcpu0/exits and
# io_top), the test VM's CPU time (/proc/stat) and each launcher thread's
# CPU time (/proc/PID/task/*/stat).
#   scripts/nested-run --with-qemu --suite tests/vm/blkprof.sh
# shellcheck shell=sh source=tests/vm/lib.sh
. /tests/lib.sh
# shellcheck source=tests/vm/linux-lib.sh
. /tests/linux-lib.sh
# shellcheck source=tests/vm/prof-lib.sh
. /tests/prof-lib.sh
if grep -qw svm /proc/cpuinfo; then kvm_mod=kvm_amd; else kvm_mod=kvm_intel; fi

prof_run() {	# NAME LAUNCHER [LAUNCHER OPTIONS]
	pn=$1 pl=$2
	shift 2
	echo "RUN $pn"
	dd if=/dev/zero of=/tmp/blkprof.img bs=1048576 count=80 2>/dev/null
	lg=$LINUX_LOGDIR/blkprof.log
	LINUX_ARGS="$* --disk /tmp/blkprof.img"
	LINUX_LAUNCHER=$pl
	# the previous run's log would say seqread at once
	rm -f "$lg"
	prof_watch "$lg" 'BLKBENCH seqread' "$pl" /tmp/blkprof.out
	linux_run "$lg" "$LINUX_TIMEOUT" 1 "$(linux_cmdline 1 bench "nyx.blkbench=16")" >/dev/null
	prof_report /tmp/blkprof.out
	grep 'GUEST BLKBENCH' "$lg" | sed 's/^[0-9.]* /    /'
	rm -f /tmp/blkprof.img
	pass "$pn"
}

run_cmd "load kvm" sh -c "modprobe $kvm_mod && [ -c /dev/kvm ]"
prof_run "blkprof QEMU/KVM" /tests/qemu-as-nyx
modprobe -r "$kvm_mod" kvm 2>/dev/null
run_cmd "insmod nyx.ko" sh -c "insmod $NYX_KO && [ -c /dev/nyx ]"
prof_run "blkprof nyx, fast paths on" "$NYX" -v --virtio-fastpath on
prof_run "blkprof nyx, fast paths off" "$NYX" -v --virtio-fastpath off
rmmod nyx 2>/dev/null
finish
