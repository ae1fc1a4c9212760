# The main in-VM suite (busybox sh), run by the initramfs /init under
# both nested runners: scripts/nested-run (AMD SVM under QEMU TCG) and
# scripts/bochs-run (Intel VMX under Bochs). The vendor-specific tests
# (CPU features, which KVM module) follow what /proc/cpuinfo shows; the
# guest list is the same for both. See lib.sh for the output protocol.
#
# Harness self-tests, selected on the kernel command line
# (scripts/nested-run or scripts/bochs-run --no-module --append
# nyx.selftest=WHAT):
#   hang       a test that never ends: the host timeout must name it
#   timeout    a test over the per-test timeout: must FAIL, suite goes on
#   calltrace  sysrq-l backtraces in the kernel log: the host must flag them
#   panic      sysrq-c crash: the host must report an unfinished suite
# shellcheck shell=sh source=tests/vm/lib.sh
. /tests/lib.sh

# ---------------------------------------------------------------------
# The test environment itself (the CPU flags go to the log for reference:
# e.g. which SVM features QEMU's TCG emulates, which VMX features Bochs'
# CPU model has; tests/vm/env-check.sh prints the capability MSRs)
vendor=$(cpu_vendor)
echo "    kernel $(uname -r), $(grep -c ^processor /proc/cpuinfo) CPUs, vendor $vendor"
grep -m1 '^model name' /proc/cpuinfo | sed 's/^/    /'
grep -m1 '^flags' /proc/cpuinfo | fold -w 100 | sed 's/^/    /'
grep -m1 '^vmx flags' /proc/cpuinfo | fold -w 100 | sed 's/^/    /'
case "$vendor" in
intel)
	run_cmd "cpu has vmx ept" sh -c 'grep -qw vmx /proc/cpuinfo && grep -qw ept /proc/cpuinfo'
	kvm_mod=kvm_intel ;;
*)
	run_cmd "cpu has svm npt" sh -c 'grep -qw svm /proc/cpuinfo && grep -qw npt /proc/cpuinfo'
	kvm_mod=kvm_amd ;;
esac
# KVM must load here (benchmarks compare against it); unload it again so
# nyx owns VMX/SVM alone.
run_cmd "modprobe $kvm_mod" sh -c "modprobe $kvm_mod && [ -c /dev/kvm ] && modprobe -r $kvm_mod kvm"

selftest=$(sed -n 's/.*nyx\.selftest=\([a-z]*\).*/\1/p' /proc/cmdline)
case "$selftest" in
hang)
	echo "RUN selftest: hang"
	sleep 100000 ;;
timeout)
	TEST_TIMEOUT=3 run_cmd "selftest: per-test timeout (must FAIL)" sleep 100 ;;
calltrace)
	run_cmd "selftest: sysrq-l backtraces" sh -c 'echo l >/proc/sysrq-trigger; sleep 1' ;;
panic)
	echo "RUN selftest: panic"
	echo c >/proc/sysrq-trigger ;;
esac

# ---------------------------------------------------------------------
# Before the module: the launcher must say what is missing.
if [ -x "$NYX" ] && [ ! -e /dev/nyx ]; then
	echo "RUN nyx without /dev/nyx"
	timeout -k 5 "$TEST_TIMEOUT" "$NYX" run --flat "$GUESTS/serial.bin" </dev/null >"$OUT" 2>&1
	rc=$?
	if [ "$rc" = 2 ] && grep -qi insmod "$OUT"; then
		pass "nyx without /dev/nyx"
	else
		show "$OUT"
		fail "nyx without /dev/nyx" "exit status $rc (want 2) and a hint to insmod"
	fi
else
	skip "nyx without /dev/nyx" "no launcher"
fi

# The tap backend of the future virtio-net (userspace/net, no nyx.ko
# needed): taps on a new bridge, an IPv6 link-local frame through it,
# teardown (tests/vm-tools/taptest.c).
if [ -x /vm-tools/taptest ]; then
	run_cmd "tap backend" sh -c 'modprobe tun && modprobe bridge && /vm-tools/taptest'
else
	skip "tap backend" "no /vm-tools/taptest"
fi

if [ "$NYX_NO_MODULE" = 1 ]; then
	skip "insmod nyx.ko" "--no-module"
else
	# without the module the guest tests cannot run
	insmod_nyx || NYX_NO_MODULE=1
fi

# ---------------------------------------------------------------------
# Guests: name, binary, expected status, expected output, launcher options
# (NYX_TESTDEV_ARGS is split into words on purpose)
# shellcheck disable=SC2086
guest_test "guest serial" serial.bin 33 "hello from nyx guest"
guest_test "guest hlt" hlt.bin 0 "HLT" --irqchip off
guest_test "guest triple fault" triple.bin 4 "TRIPLE"
guest_test "guest realmode" realmode.bin 33 "PASS" $NYX_TESTDEV_ARGS
guest_test "guest prot32" prot32.bin 33 "PASS" $NYX_TESTDEV_ARGS
guest_test "guest long64" long64.bin 33 "PASS" $NYX_TESTDEV_ARGS
guest_test "guest smp2" smp2.bin 33 "PASS" --cpus 2
# The in-kernel irqchip (LAPIC timer, IPIs and INIT/SIPI, I/O APIC level
# interrupts driven through the testdev, PIT and PIC).
guest_test "guest apic_timer" apic_timer.bin 33 "PASS"
guest_test "guest ipi" ipi.bin 33 "PASS" --cpus 2
guest_test "guest ioapic_level" ioapic_level.bin 33 "PASS" $NYX_TESTDEV_ARGS
guest_test "guest pit_pic" pit_pic.bin 33 "PASS"

# A hostile virtio driver on two virtio-blk disks (vhostile.sh).
# shellcheck source=tests/vm/vhostile.sh
. /tests/vhostile.sh

# Two VMs at once, each with its own launcher.
if [ "$NYX_NO_MODULE" = 1 ]; then
	skip "two VMs at once" "no module"
else
	echo "RUN two VMs at once"
	# shellcheck disable=SC2086
	timeout -k 5 "$TEST_TIMEOUT" "$NYX" run $NYX_TESTDEV_ARGS --flat "$GUESTS/prot32.bin" </dev/null >/tmp/vm1.out 2>&1 &
	p1=$!
	# shellcheck disable=SC2086
	timeout -k 5 "$TEST_TIMEOUT" "$NYX" run $NYX_TESTDEV_ARGS --flat "$GUESTS/long64.bin" </dev/null >/tmp/vm2.out 2>&1 &
	p2=$!
	wait $p1
	rc1=$?
	wait $p2
	rc2=$?
	why=
	check_guest vm1 33 PASS /tmp/vm1.out "$rc1" || why="prot32: $reason"
	check_guest vm2 33 PASS /tmp/vm2.out "$rc2" || why="$why${why:+; }long64: $reason"
	if [ -z "$why" ]; then
		pass "two VMs at once"
	else
		show /tmp/vm1.out
		show /tmp/vm2.out
		fail "two VMs at once" "$why"
	fi
fi

# Tracepoints through tracefs and "nyx stat" on a running launcher.
# shellcheck source=tests/vm/trace.sh
. /tests/trace.sh
# The --gdb stub driven by Debian's gdb (gdb.sh)
# shellcheck source=tests/vm/gdb.sh
. /tests/gdb.sh
# The control socket, --config and nyx check (ctl.sh)
# shellcheck source=tests/vm/ctl.sh
. /tests/ctl.sh

# ---------------------------------------------------------------------
# Extra test programs (build/vmtests/* on the host): exit 0 = pass. They
# run from /tmp with NYX, GUESTS and NYX_TESTDEV_ARGS in the environment.
export NYX GUESTS NYX_TESTDEV_ARGS
for t in "$VMTESTS"/*; do
	[ -f "$t" ] && [ -x "$t" ] || continue
	if [ "$NYX_NO_MODULE" = 1 ]; then
		skip "vmtest $(basename "$t")" "no module"
	else
		run_cmd "vmtest $(basename "$t")" "$t"
	fi
done

# ---------------------------------------------------------------------
# Linux guests: Debian's kernel on 1, 2 and 4 vCPUs, poweroff, reboot,
# stress (linux.sh; skipped with the reason where they cannot run, e.g.
# under Bochs or without NYX_CAP_IRQCHIP).
# shellcheck source=tests/vm/linux.sh
. /tests/linux.sh
# virtio-blk disks (raw, qcow2, backing file, read-only) in a Linux guest,
# checked with qemu-img afterwards (vblk.sh)
# shellcheck source=tests/vm/vblk.sh
. /tests/vblk.sh
# virtio-net on a tap and a bridge: ping both ways, 8 MiB over TCP each
# way (vnet.sh)
# shellcheck source=tests/vm/vnet.sh
. /tests/vnet.sh
# device statistics: query-stats and nyx stat SOCKET while a Linux guest
# does disk I/O and pings (devstats.sh)
# shellcheck source=tests/vm/devstats.sh
. /tests/devstats.sh

# ---------------------------------------------------------------------
# The module must unload once no VM is left.
if [ "$NYX_NO_MODULE" != 1 ] || grep -q '^nyx ' /proc/modules; then
	rmmod_nyx
fi

finish
