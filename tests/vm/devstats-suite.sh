# Device statistics with a Linux guest alone (make check runs the same
# tests in suite.sh, see tests/vm/devstats.sh):
#   scripts/nested-run --suite tests/vm/devstats-suite.sh
# shellcheck shell=sh source=tests/vm/lib.sh
. /tests/lib.sh
# shellcheck source=tests/vm/linux-lib.sh
. /tests/linux-lib.sh
linux_why=
linux_runner=$(sed -n 's/.*nyx\.runner=\([a-z]*\).*/\1/p' /proc/cmdline)
[ -e "$LINUX_KERNEL" ] && [ -e "$LINUX_INITRD" ] ||
	linux_why="no $LINUX_KERNEL or $LINUX_INITRD in this test VM (mkinitramfs --no-linux)"

if [ "$NYX_NO_MODULE" != 1 ] && insmod_nyx; then
	# shellcheck source=tests/vm/devstats.sh
	. /tests/devstats.sh
	rmmod_nyx
else
	skip "linux devstats" "no module"
fi
finish
