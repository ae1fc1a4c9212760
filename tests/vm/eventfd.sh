# The ABI tests alone (ioeventfd/irqfd among them), then the module must
# unload: a quick check of module changes without the guest and Linux
# tests of suite.sh (which runs the same abi_test).
#   scripts/nested-run --no-linux --suite tests/vm/eventfd.sh
# shellcheck shell=sh source=tests/vm/lib.sh
. /tests/lib.sh

if insmod_nyx; then
	run_cmd "vmtest abi_test" "$VMTESTS/abi_test" 200
	rmmod_nyx
fi
finish
