# Reference run of the Linux-guest tests (linux.sh) with QEMU/KVM as the
# hypervisor instead of nyx: the same kernel, guest initramfs, checks and
# verdicts, launched by /tests/qemu-as-nyx (QEMU with nyx's options and
# exit statuses) under kvm_amd/kvm_intel in the nested test VM. Not part of
# "make check": it shows that the tests pass on a known-good hypervisor
# and what the timings are in this VM.
#
#   scripts/nested-run --no-module --with-qemu --suite tests/vm/linux-ref.sh \
#       --timeout 1800 [--append "nyx.linux=boot"]
#
# KVM's guest differs from nyx's in what the guest is told: QEMU/KVM
# exposes kvm-clock (nyx has no paravirtual clock and offers an invariant
# TSC instead), and the emulated CPU under QEMU TCG has no invariant TSC,
# so KVM cannot offer one: the guest runs with tsc=reliable and expects
# kvm-clock.
# shellcheck shell=sh source=tests/vm/lib.sh
. /tests/lib.sh

case "$(cpu_vendor)" in
intel) kvm_mod=kvm_intel ;;
*) kvm_mod=kvm_amd ;;
esac
LINUX_REF=1
LINUX_LAUNCHER=/tests/qemu-as-nyx
LINUX_APPEND="tsc=reliable nyx.clocksource=kvm-clock"
export QEMU_ACCEL=kvm

echo "RUN qemu in the test VM"
if [ -x /usr/bin/qemu-system-x86_64 ]; then
	pass "qemu in the test VM"
else
	fail "qemu in the test VM" "no /usr/bin/qemu-system-x86_64: run with --with-qemu"
	finish
	exit
fi
run_cmd "modprobe $kvm_mod" sh -c "modprobe $kvm_mod && [ -c /dev/kvm ]"

# shellcheck source=tests/vm/linux.sh
. /tests/linux.sh

modprobe -r "$kvm_mod" kvm 2>/dev/null
finish
