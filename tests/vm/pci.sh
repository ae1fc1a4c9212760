# The PCI bus alone (not in make check, which covers it in linux.sh's
# "linux 1 vCPU poweroff, 2 PCI devices"): Debian's kernel under nyx with
# two --device pci-testdev, checked from inside the guest (nyx.pci=2), and
# a nyx run with a bad --device for the error message.
#   scripts/nested-run --suite tests/vm/pci.sh --timeout 900
# shellcheck shell=sh source=tests/vm/lib.sh
. /tests/lib.sh
# shellcheck source=tests/vm/linux-lib.sh
. /tests/linux-lib.sh

run_cmd "nyx: unknown --device is a usage error" sh -c \
	"$NYX run --device pci-nodev --flat $GUESTS/serial.bin >/tmp/dev.out 2>&1; [ \$? = 2 ] && grep -q 'unknown device' /tmp/dev.out"
if [ "$NYX_NO_MODULE" = 1 ]; then
	skip "linux 1 vCPU, 2 PCI devices" "--no-module"
else
	echo "RUN insmod nyx.ko"
	if insmod "$NYX_KO" >"$OUT" 2>&1 && [ -c /dev/nyx ]; then
		pass "insmod nyx.ko"
		LINUX_ARGS="--device pci-testdev --device pci-testdev"
		linux_test "linux 1 vCPU poweroff, 2 PCI devices" 1 poweroff nyx.pci=2
		rmmod nyx
	else
		show "$OUT"
		fail "insmod nyx.ko" "insmod failed or no /dev/nyx"
	fi
fi
finish
