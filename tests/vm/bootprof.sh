# Where does a Linux boot to /init spend its time? A diagnostic, not a
# test: boots the Linux guest (nyx.guest=bench) with BOOTPROF_CPUS vCPUs
# under QEMU/KVM and under nyx with the kernel's messages on the console
# (loglevel=7) and prints, for each, the console lines that came more than
# 0.25 s (test-VM time) after the previous one: the gaps.
#   scripts/nested-run --with-qemu --suite tests/vm/bootprof.sh
# shellcheck shell=sh source=tests/vm/lib.sh
. /tests/lib.sh
# shellcheck source=tests/vm/linux-lib.sh
. /tests/linux-lib.sh

BOOTPROF_CPUS=2
if grep -qw svm /proc/cpuinfo; then kvm_mod=kvm_amd; else kvm_mod=kvm_intel; fi
LINUX_APPEND="loglevel=7"

bprof() {	# NAME LAUNCHER
	echo "RUN $1"
	lg=$LINUX_LOGDIR/bootprof.log
	LINUX_LAUNCHER=$2
	linux_run "$lg" "$LINUX_TIMEOUT" "$BOOTPROF_CPUS" "$(linux_cmdline "$BOOTPROF_CPUS" bench)" >/dev/null
	awk 'NR == 1 { t0 = $1; p = $1; next }
	     { d = $1 - p; if (d > 0.25) printf "    %6.2f +%5.2f %s\n", $1 - t0, d, substr(substr($0, length($1) + 2), 1, 100); p = $1 }
	     /GUEST INIT/ { printf "    %6.2f GUEST INIT\n", $1 - t0 }
	     END { printf "    %d lines\n", NR }' "$lg"
	pass "$1"
}

run_cmd "load kvm" sh -c "modprobe $kvm_mod && [ -c /dev/kvm ]"
bprof "bootprof QEMU/KVM, $BOOTPROF_CPUS vCPUs" /tests/qemu-as-nyx
modprobe -r "$kvm_mod" kvm 2>/dev/null
run_cmd "insmod nyx.ko" sh -c "insmod $NYX_KO && [ -c /dev/nyx ]"
bprof "bootprof nyx, $BOOTPROF_CPUS vCPUs" "$NYX"
rmmod nyx 2>/dev/null
finish
