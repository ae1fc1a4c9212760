# Benchmark suite for "make bench" (scripts/bench): exit costs under nyx
# and under KVM (kvm_amd or kvm_intel, in the same nested VM), running the
# same guest loop (tests/bench/exitbench.c). Prints the table; the verdict
# only says whether both ran.
# shellcheck shell=sh source=tests/vm/lib.sh
. /tests/lib.sh

BENCH_ITERS=${BENCH_ITERS:-20000}

echo "RUN load kvm"
if grep -qw svm /proc/cpuinfo; then kvm_mod=kvm_amd; else kvm_mod=kvm_intel; fi
if modprobe "$kvm_mod" >"$OUT" 2>&1 && [ -c /dev/kvm ]; then
	pass "load kvm"
else
	show "$OUT"
	fail "load kvm" "modprobe $kvm_mod failed"
fi

echo "RUN insmod nyx.ko"
if insmod "$NYX_KO" >"$OUT" 2>&1 && [ -c /dev/nyx ]; then
	pass "insmod nyx.ko"
else
	show "$OUT"
	fail "insmod nyx.ko" "insmod failed"
fi

# Three runs: the spread shows how noisy the (emulated) host is.
for i in 1 2 3; do
	echo "RUN exitbench run $i"
	if timeout -k 5 300 /bench/exitbench "$BENCH_ITERS" >"$OUT" 2>&1 &&
	   ! grep -q 'n/a' "$OUT"; then
		sed 's/^/    /' "$OUT"
		pass "exitbench run $i"
	else
		show "$OUT"
		fail "exitbench run $i" "a backend did not run"
	fi
done

rmmod nyx
modprobe -r "$kvm_mod" kvm
finish
