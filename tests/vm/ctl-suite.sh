# The control-socket tests alone (tests/vm/ctl.sh), with the module:
#   scripts/nested-run --no-linux --suite tests/vm/ctl-suite.sh
# shellcheck shell=sh source=tests/vm/lib.sh
. /tests/lib.sh

if insmod_nyx; then
	# shellcheck source=tests/vm/ctl.sh
	. /tests/ctl.sh
	rmmod_nyx
else
	NYX_NO_MODULE=1
	. /tests/ctl.sh
fi
finish
