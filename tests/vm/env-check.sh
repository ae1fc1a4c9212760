# Environment check for a nested test VM (busybox sh), under either runner:
#   scripts/bochs-run --no-module --suite tests/vm/env-check.sh
#   scripts/nested-run --no-module --suite tests/vm/env-check.sh
# Not part of "make check": it prints what the emulated CPU offers a
# hypervisor (vm-tools/vmxcaps: VMX capability MSRs, or SVM features) and
# proves that KVM runs a guest in this VM (bench/exitbench, KVM column),
# i.e. that the emulator's VMX/SVM works for a real hypervisor.
# shellcheck shell=sh source=tests/vm/lib.sh
. /tests/lib.sh

EXITBENCH_ITERS=${EXITBENCH_ITERS:-2000}
vendor=$(cpu_vendor)
echo "    kernel $(uname -r), $(grep -c ^processor /proc/cpuinfo) CPUs, vendor $vendor"
grep -m1 '^model name' /proc/cpuinfo | sed 's/^/    /'
grep -m1 '^vmx flags' /proc/cpuinfo | fold -w 100 | sed 's/^/    /'
case "$vendor" in
intel) kvm_mod=kvm_intel ;;
*) kvm_mod=kvm_amd ;;
esac

run_cmd "modprobe msr" modprobe msr
echo "RUN vmxcaps"
if [ ! -x /vm-tools/vmxcaps ]; then
	fail vmxcaps "no /vm-tools/vmxcaps (make -C tests/vm-tools)"
elif /vm-tools/vmxcaps >"$OUT" 2>&1; then
	sed 's/^/    /' "$OUT"
	pass vmxcaps
else
	sed 's/^/    /' "$OUT"
	fail vmxcaps "could not read all capability MSRs"
fi

run_cmd "modprobe $kvm_mod" sh -c "modprobe $kvm_mod && [ -c /dev/kvm ]"
# exitbench runs the same guest loop under /dev/nyx and /dev/kvm and
# prints n/a for a missing one: here the KVM column must have numbers.
echo "RUN kvm runs a guest (exitbench)"
if [ ! -x /bench/exitbench ]; then
	fail "kvm runs a guest (exitbench)" "no /bench/exitbench (make -C tests/bench)"
else
	t0=$(uptime_cs)
	timeout -k 5 "$TEST_TIMEOUT" /bench/exitbench "$EXITBENCH_ITERS" </dev/null >"$OUT" 2>&1
	rc=$?
	t1=$(uptime_cs)
	sed 's/^/    /' "$OUT"
	echo "    took $(((t1 - t0) / 100)).$(printf %02d $(((t1 - t0) % 100)))s (guest time)"
	# rows: "op NYX KVM RATIO", where NYX and KVM are "n/a" or "N [NS]"
	if [ "$rc" = 0 ] && awk '
		$1 == "cpuid" || $1 == "pio" || $1 == "mmio" {
			n++; k = ($2 == "n/a") ? 3 : 4; if ($k == "n/a") bad = 1 }
		END { exit !(n == 3 && !bad) }' "$OUT"; then
		pass "kvm runs a guest (exitbench)"
	else
		fail "kvm runs a guest (exitbench)" "exit status $rc, or no KVM numbers"
	fi
fi
modprobe -r "$kvm_mod" kvm 2>/dev/null

finish
