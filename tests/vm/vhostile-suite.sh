# The hostile virtio driver test alone (suite.sh runs the same through
# tests/vm/vhostile.sh):
#   scripts/nested-run --no-linux --suite tests/vm/vhostile-suite.sh
# shellcheck shell=sh source=tests/vm/lib.sh
. /tests/lib.sh
if [ "$NYX_NO_MODULE" != 1 ] && insmod_nyx; then
	# shellcheck source=tests/vm/vhostile.sh
	. /tests/vhostile.sh
	rmmod_nyx
else
	skip "guest vhostile" "no module"
fi
finish
