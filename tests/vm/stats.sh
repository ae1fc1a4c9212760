# The statistics and tracing tests alone: abi_test (NYX_GET_STATS among
# the rest), tracefs events, nyx stat; then the module must unload.
#   scripts/nested-run --no-linux --suite tests/vm/stats.sh
# shellcheck shell=sh source=tests/vm/lib.sh
. /tests/lib.sh

if insmod_nyx; then
	export NYX GUESTS NYX_TESTDEV_ARGS
	run_cmd "vmtest abi_test" "$VMTESTS/abi_test" 50
	# shellcheck source=tests/vm/trace.sh
	. /tests/trace.sh
	rmmod_nyx
fi
finish
