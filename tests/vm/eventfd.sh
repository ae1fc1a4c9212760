# The ABI tests alone (ioeventfd/irqfd among them), then the module must
# unload: a quick check of module changes without the guest and Linux
# tests of suite.sh (which runs the same abi_test).
#   scripts/nested-run --no-linux --suite tests/vm/eventfd.sh
# shellcheck shell=sh source=tests/vm/lib.sh
. /tests/lib.sh

echo "RUN insmod nyx.ko"
if insmod "$NYX_KO" >"$OUT" 2>&1 && [ -c /dev/nyx ]; then
	pass "insmod nyx.ko"
	run_cmd "vmtest abi_test" "$VMTESTS/abi_test" 200
	echo "RUN rmmod nyx"
	if rmmod nyx >"$OUT" 2>&1 && ! grep -q '^nyx ' /proc/modules; then
		pass "rmmod nyx"
	else
		show "$OUT"
		fail "rmmod nyx" "module still loaded"
	fi
else
	show "$OUT"
	fail "insmod nyx.ko" "insmod failed or no /dev/nyx"
fi
finish
