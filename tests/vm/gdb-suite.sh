# The gdb stub test alone (suite.sh runs the same, see tests/vm/gdb.sh):
#   scripts/nested-run --suite tests/vm/gdb-suite.sh --no-linux
# shellcheck shell=sh source=tests/vm/lib.sh
. /tests/lib.sh

if [ "$NYX_NO_MODULE" != 1 ] && insmod_nyx; then
	# shellcheck source=tests/vm/gdb.sh
	. /tests/gdb.sh
	rmmod_nyx
else
	skip "gdb stub" "no module"
fi
finish
