# The multi-CPU suite (busybox sh): what only a test VM with two or more
# CPUs can show, i.e. a vCPU moving between physical CPUs. make check runs
# it under Bochs with BOCHS_CPUS=2 (Intel VMX: the VMCS must be VMCLEARed
# on the CPU it leaves and loaded on the new one); the main suite runs the
# same migration test under QEMU (AMD SVM, 2 CPUs) as part of abi_test.
# Bochs runs all its CPUs in one thread, so this suite stays small.
# shellcheck shell=sh source=tests/vm/lib.sh
. /tests/lib.sh

ncpu=$(grep -c ^processor /proc/cpuinfo)
echo "    kernel $(uname -r), $ncpu CPUs, vendor $(cpu_vendor)"
run_cmd "test VM has 2 CPUs" test "$ncpu" -ge 2

if ! insmod_nyx; then
	finish
	exit 1
fi

# The vCPU thread is moved between CPU 0 and 1 every millisecond, in and
# out of NYX_RUN; the guest's counter and registers must survive.
TEST_TIMEOUT=300 run_cmd "vCPU migration between CPUs" "$VMTESTS/abi_test" migration 300
show "$OUT"
# Two vCPUs on two real CPUs: IPIs and INIT/SIPI across CPUs.
TEST_TIMEOUT=300 guest_test "guest ipi on 2 CPUs" ipi.bin 33 "PASS" --cpus 2
TEST_TIMEOUT=300 guest_test "guest smp2 on 2 CPUs" smp2.bin 33 "PASS" --cpus 2

rmmod_nyx
finish
