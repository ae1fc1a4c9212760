# A Linux guest under the control socket and the watchdog (not part of
# suite.sh: one more Linux boot; run alone with
#   scripts/nested-run --suite tests/vm/ctl-linux.sh
# ). The 1-vCPU poweroff boot of linux.sh with --control, --watchdog
# timeout=1 (action log), --log-file and -v; while it boots a client asks
# query-status, pause, query-cpus, resume, query-stats. Passes if the
# boot passes as usual, the client got its replies (a current RIP while
# paused), the phase durations were logged, and no WATCHDOG fired for a
# healthy guest that halts and runs between the samples.
# shellcheck shell=sh source=tests/vm/lib.sh
. /tests/lib.sh
# shellcheck source=tests/vm/linux-lib.sh
. /tests/linux-lib.sh

if insmod_nyx; then
	rm -f /tmp/l.sock /tmp/l.log
	LINUX_ARGS="--control /tmp/l.sock --watchdog timeout=1,action=log --log-file /tmp/l.log -v"
	(
		sleep 8
		for c in query-status pause query-cpus resume query-stats; do
			"$NYX" ctl /tmp/l.sock "$c" || echo "ctl $c failed"
		done
	) >/tmp/l.ctl 2>&1 &
	ctl_pid=$!
	linux_test "linux 1 vCPU poweroff (control socket, watchdog)" 1 poweroff
	wait $ctl_pid
	run_cmd "linux: control socket replies" sh -c \
		'cat /tmp/l.ctl; ! grep -q failed /tmp/l.ctl && grep -q "\"rip-current\": true" /tmp/l.ctl'
	run_cmd "linux: phase durations logged" sh -c \
		'grep span /tmp/l.log; grep -q "span first-output" /tmp/l.log'
	run_cmd "linux: no false WATCHDOG" sh -c '! grep "watchdog: vCPU" /tmp/l.log'
	rmmod_nyx
fi
finish
