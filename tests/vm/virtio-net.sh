# virtio-net with a Linux guest alone (make check runs the same tests in
# suite.sh, see tests/vm/vnet.sh):
#   scripts/nested-run --suite tests/vm/virtio-net.sh --timeout 1200
# shellcheck shell=sh source=tests/vm/lib.sh
. /tests/lib.sh
# shellcheck source=tests/vm/linux-lib.sh
. /tests/linux-lib.sh
linux_why=
linux_runner=$(sed -n 's/.*nyx\.runner=\([a-z]*\).*/\1/p' /proc/cmdline)

if [ "$NYX_NO_MODULE" != 1 ] && insmod_nyx; then
	# shellcheck source=tests/vm/vnet.sh
	. /tests/vnet.sh
	rmmod_nyx
else
	skip "linux virtio-net" "no module"
fi
finish
