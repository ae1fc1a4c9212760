# The control socket, --config and nyx check (sourced by suite.sh; alone:
#   scripts/nested-run --no-linux --suite tests/vm/ctl-suite.sh).
# A ticker guest (tests/guests/ticker.S) prints '.' steadily on COM1 into
# a file; through "nyx ctl" the test drives query-status, pause (the file
# stops growing), query-cpus, resume (it grows again), query-stats,
# set-log-level, malformed/oversized/unknown requests, a second client
# waiting for events all along, then quit (exit status 0, SHUTDOWN event,
# socket removed) and, on a second VM, system-reset (status 8, RESET).
# shellcheck shell=sh

CTL_SOCK=/tmp/nyx-ctl.sock
CTL_TICKS=/tmp/ctl-ticks.out

ctl_size() { wc -c <"$CTL_TICKS" | tr -d ' '; }

# ctl_start RUN_TIMEOUT EVENT_TIMEOUT [NYX RUN OPTIONS...]: start "nyx run
# --control" in the background ($ctl_pid, output in /tmp/ctl-run.out),
# wait for its socket, then start a second client that collects every
# event until SHUTDOWN ($ev_pid, /tmp/ctl-events.out).
ctl_start() {
	cs_run=$1 cs_ev=$2
	shift 2
	rm -f "$CTL_SOCK"
	timeout -k 5 "$cs_run" "$NYX" run --control "$CTL_SOCK" "$@" \
		</dev/null >/tmp/ctl-run.out 2>&1 &
	ctl_pid=$!
	wait_sock "$CTL_SOCK"
	"$NYX" ctl --timeout "$cs_ev" "$CTL_SOCK" --wait-event SHUTDOWN \
		>/tmp/ctl-events.out 2>&1 &
	ev_pid=$!
}

# ctl_finish: wait for both; $rc is then nyx run's exit status.
ctl_finish() {
	wait "$ctl_pid"
	rc=$?
	wait "$ev_pid"
}

# ctl_verdict NAME REASON: pass NAME if REASON is empty, else show the
# launcher's output and the events and fail with REASON.
ctl_verdict() {
	if [ -z "$2" ]; then
		pass "$1"
	else
		show /tmp/ctl-run.out
		show /tmp/ctl-events.out
		fail "$1" "$2"
	fi
}

if [ "$NYX_NO_MODULE" = 1 ]; then
	skip "ctl: control socket" "no module"
elif [ ! -f "$GUESTS/ticker.bin" ]; then
	fail "ctl: control socket" "no $GUESTS/ticker.bin"
else
	rm -f "$CTL_TICKS"
	echo "RUN ctl: nyx run --control"
	# the second client (events until SHUTDOWN) runs along all the tests
	ctl_start 120 100 --serial "file:$CTL_TICKS" --flat "$GUESTS/ticker.bin"
	if [ -S "$CTL_SOCK" ]; then
		pass "ctl: nyx run --control"
	else
		show /tmp/ctl-run.out
		fail "ctl: nyx run --control" "no socket after 10 s"
	fi

	run_cmd "ctl: socket mode 0600" sh -c \
		"[ \"\$(stat -c %a $CTL_SOCK)\" = 600 ]"
	run_cmd "ctl: query-status running" sh -c \
		"$NYX ctl $CTL_SOCK query-status | tee /dev/stderr | grep -q '\"status\": \"running\"'"
	# progress while running
	sleep 1
	s0=$(ctl_size)
	sleep 1
	s1=$(ctl_size)
	echo "RUN ctl: guest makes progress"
	if [ "$s1" -gt "$s0" ]; then
		pass "ctl: guest makes progress"
	else
		fail "ctl: guest makes progress" "output stuck at $s1 bytes"
	fi

	run_cmd "ctl: pause" "$NYX" ctl "$CTL_SOCK" pause
	run_cmd "ctl: query-status paused" sh -c \
		"$NYX ctl $CTL_SOCK query-status | grep -q '\"status\": \"paused\"'"
	p0=$(ctl_size)
	sleep 2
	p1=$(ctl_size)
	echo "RUN ctl: no progress while paused"
	if [ "$p1" = "$p0" ]; then
		pass "ctl: no progress while paused"
	else
		fail "ctl: no progress while paused" "output grew from $p0 to $p1 bytes"
	fi
	# the ticker runs at 0x7c00..0x7fff: RIP is read from the paused vCPU
	run_cmd "ctl: query-cpus (paused)" sh -c \
		"$NYX ctl $CTL_SOCK query-cpus | tee /dev/stderr | grep -q '\"rip-current\": true' &&
		 $NYX ctl $CTL_SOCK query-cpus | grep -Eq '\"rip\": (31[0-9]{3}|32[0-7][0-9]{2})'"
	run_cmd "ctl: resume" "$NYX" ctl "$CTL_SOCK" resume
	sleep 2
	r1=$(ctl_size)
	echo "RUN ctl: progress after resume"
	if [ "$r1" -gt "$p1" ]; then
		pass "ctl: progress after resume"
	else
		fail "ctl: progress after resume" "output stuck at $r1 bytes"
	fi
	run_cmd "ctl: query-cpus (running)" sh -c \
		"$NYX ctl $CTL_SOCK query-cpus | grep -q '\"rip-current\": false'"
	run_cmd "ctl: query-stats counts I/O exits" sh -c \
		"$NYX ctl $CTL_SOCK query-stats | tee /dev/stderr | grep -Eq '\"io\": [1-9]'"
	run_cmd "ctl: set-log-level" "$NYX" ctl "$CTL_SOCK" set-log-level \
		level=debug component=virtio
	run_cmd "ctl: set-log-level bad level is an error" sh -c \
		"! $NYX ctl $CTL_SOCK set-log-level level=loud"
	run_cmd "ctl: unknown command is an error" sh -c \
		"$NYX ctl $CTL_SOCK fly 2>&1; [ \$? = 1 ] && $NYX ctl $CTL_SOCK fly 2>&1 | grep -q CommandNotFound"
	# one connection: malformed, unknown, oversized (70000 bytes, over
	# the 64 KiB limit), then a good request: four replies, in order
	big=$(head -c 70000 /dev/zero | tr '\0' x)
	run_cmd "ctl: malformed, unknown and oversized requests" sh -c \
		"$NYX ctl $CTL_SOCK --raw '{{{' --raw '{\"execute\": \"fly\"}' --raw '$big' \
			--raw '{\"execute\": \"query-status\"}' >/tmp/ctl-raw.out &&
		 grep -v '\"event\"' /tmp/ctl-raw.out | sed -n 1p | grep -q 'malformed JSON' &&
		 grep -v '\"event\"' /tmp/ctl-raw.out | sed -n 2p | grep -q CommandNotFound &&
		 grep -v '\"event\"' /tmp/ctl-raw.out | sed -n 3p | grep -q 'request too long' &&
		 grep -v '\"event\"' /tmp/ctl-raw.out | sed -n 4p | grep -q '\"return\"'"
	run_cmd "ctl: VM still runs after bad input" sh -c \
		"$NYX ctl $CTL_SOCK query-status | grep -q '\"running\"'"
	run_cmd "ctl: quit" "$NYX" ctl "$CTL_SOCK" quit
	ctl_finish
	echo "RUN ctl: exit status after quit"
	if [ "$rc" = 0 ]; then
		pass "ctl: exit status after quit"
	else
		show /tmp/ctl-run.out
		fail "ctl: exit status after quit" "status $rc, want 0"
	fi
	run_cmd "ctl: second client got STOP, RESUME, SHUTDOWN" sh -c \
		"cat /tmp/ctl-events.out; grep -q '\"event\":\"STOP\"' /tmp/ctl-events.out &&
		 grep -q '\"event\":\"RESUME\"' /tmp/ctl-events.out &&
		 grep -q '\"event\":\"SHUTDOWN\"' /tmp/ctl-events.out"
	run_cmd "ctl: socket removed at exit" sh -c "[ ! -e $CTL_SOCK ]"

	# system-reset: nyx ends with the reset status, RESET then SHUTDOWN
	echo "RUN ctl: system-reset"
	ctl_start 60 50 --serial none --flat "$GUESTS/ticker.bin"
	sleep 0.5
	"$NYX" ctl "$CTL_SOCK" system-reset >/dev/null 2>&1
	ctl_finish
	why=
	[ "$rc" = 8 ] && grep -q '"event":"RESET"' /tmp/ctl-events.out &&
		grep -q '"reason":"reset"' /tmp/ctl-events.out ||
		why="status $rc (want 8) or no RESET event"
	ctl_verdict "ctl: system-reset" "$why"

	# --pin: vCPU 0 on CPU 0, the I/O thread (a virtio-blk disk's) and
	# every other launcher thread on the last CPU, read back from
	# /proc/PID/task/*/status while the guest runs. With one CPU in the
	# test VM both are CPU 0 and only the plumbing is checked.
	echo "RUN ctl: --pin places the threads"
	last=$(($(grep -c ^processor /proc/cpuinfo) - 1))
	dd if=/dev/zero of=/tmp/pin.img bs=1M count=1 2>/dev/null
	ctl_start 60 50 --serial none --flat "$GUESTS/ticker.bin" \
		--disk /tmp/pin.img --pin vcpu0=0 --pin io=$last --pin main=$last
	sleep 0.5
	# busybox timeout execs the command itself; another one forks it
	pin_pid=$ctl_pid
	[ "$(cat /proc/"$pin_pid"/comm 2>/dev/null)" = nyx ] ||
		pin_pid=$(pgrep -P "$ctl_pid" | head -n 1)
	why=
	for task in /proc/"$pin_pid"/task/*; do
		comm=$(cat "$task/comm" 2>/dev/null)
		cpus=$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' "$task/status" 2>/dev/null)
		echo "    $comm: $cpus"
		case "$comm" in
		vcpu0) want=0 vcpu0_tid=${task##*/} ;;
		iou-*) continue ;;	# io_uring's kernel workers: not --pin's (config.rst)
		*) want=$last ;;
		esac
		[ "$cpus" = "$want" ] || why="$why${why:+; }$comm on $cpus, want $want"
	done
	grep -q virtio-blk /proc/"$pin_pid"/task/*/comm || why="${why:+$why; }no virtio-blk thread"
	grep -q vcpu0 /proc/"$pin_pid"/task/*/comm || why="${why:+$why; }no vcpu0 thread"
	# The time the guest ran is the vCPU thread's guest time
	# (/proc/.../stat field 43, as under KVM): the ticker spins between
	# its port writes, so after 1.5 s some ticks must be the guest's.
	sleep 1
	gt=
	for task in /proc/"$pin_pid"/task/*; do
		[ "$(cat "$task/comm" 2>/dev/null)" = vcpu0 ] || continue
		st=$(cat "$task/stat")
		# shellcheck disable=SC2086
		set -- ${st##*) }
		gt=${41}
		echo "    vcpu0: utime ${12} stime ${13} guest_time $gt (ticks)"
	done
	# query-cpus names the same thread (what external pinning uses)
	"$NYX" ctl "$CTL_SOCK" query-cpus >/tmp/pin-cpus.out 2>&1
	grep -Eq "\"thread-id\": ${vcpu0_tid:-none}([^0-9]|\$)" /tmp/pin-cpus.out ||
		why="${why:+$why; }query-cpus thread-id is not vcpu0's TID ${vcpu0_tid:-(none)}: $(tr -d '\n' </tmp/pin-cpus.out)"
	"$NYX" ctl "$CTL_SOCK" quit >/dev/null 2>&1
	ctl_finish
	[ "$rc" = 0 ] || why="${why:+$why; }status $rc after quit (want 0)"
	ctl_verdict "ctl: --pin places the threads" "$why"
	echo "RUN ctl: guest time is counted as guest time"
	if [ "${gt:-0}" -gt 0 ]; then
		pass "ctl: guest time is counted as guest time"
	else
		fail "ctl: guest time is counted as guest time" "vcpu0's guest_time is ${gt:-unread}"
	fi
	rm -f /tmp/pin.img
fi
# A --pin that cannot be honoured starts nothing and says why.
run_cmd "ctl: --pin on a CPU nyx cannot use is refused" sh -c \
	"n=\$(grep -c ^processor /proc/cpuinfo);
	 $NYX run --flat $GUESTS/serial.bin --pin io=\$n </dev/null >/tmp/pin.out 2>&1; rc=\$?; cat /tmp/pin.out;
	 [ \$rc = 2 ] && grep -q \"CPU \$n is not one nyx may run on\" /tmp/pin.out"
run_cmd "ctl: --pin on a vCPU the VM lacks is refused" sh -c \
	"$NYX run --flat $GUESTS/serial.bin --pin vcpu1=0 </dev/null >/tmp/pin.out 2>&1; rc=\$?; cat /tmp/pin.out;
	 [ \$rc = 2 ] && grep -q 'vcpu1: the VM has 1 vCPU' /tmp/pin.out"

# --config: the serial guest from a file; a bad file starts nothing
cat >/tmp/ctl-vm.json <<EOT
{ "memory": "16M", "cpus": 1, "flat": {"path": "$GUESTS/serial.bin", "addr": "0x7c00"},
  "serial": "stdio", "irqchip": true }
EOT
if [ "$NYX_NO_MODULE" = 1 ]; then
	skip "ctl: nyx run --config" "no module"
else
	echo "RUN ctl: nyx run --config"
	timeout -k 5 "$TEST_TIMEOUT" "$NYX" run --config /tmp/ctl-vm.json </dev/null >"$OUT" 2>&1
	rc=$?
	if check_guest "run --config" 33 "hello from nyx guest" "$OUT" "$rc"; then
		pass "ctl: nyx run --config"
	else
		show "$OUT"
		# shellcheck disable=SC2154 # $reason: set by check_guest (lib.sh)
		fail "ctl: nyx run --config" "$reason"
	fi
	run_cmd "ctl: nyx check" "$NYX" check --config /tmp/ctl-vm.json
fi
cat >/tmp/ctl-bad.json <<EOT
{ "flat": "$GUESTS/serial.bin", "disks": [{"path": "/nonexistent.img"}] }
EOT
run_cmd "ctl: bad --config names the key" sh -c \
	"$NYX run --config /tmp/ctl-bad.json 2>&1 </dev/null; [ \$? = 2 ] &&
	 $NYX run --config /tmp/ctl-bad.json 2>&1 </dev/null | grep -q 'disks\[0\].path: file not found'"
run_cmd "ctl: nyx check fails on a bad config" sh -c \
	"$NYX check --config /tmp/ctl-bad.json; [ \$? = 2 ]"

# The vCPU watchdog: stuck.bin spins with interrupts off and the APIC
# timer pending (WATCHDOG, then action=reset: status 8); hlt.bin halts
# with interrupts off (no exit either, but halted: no WATCHDOG) and ends
# by quit.
if [ "$NYX_NO_MODULE" = 1 ]; then
	skip "ctl: watchdog fires on a stuck vCPU" "no module"
	skip "ctl: watchdog quiet on a halted vCPU" "no module"
else
	for wd_case in stuck hlt; do
		ctl_start 60 50 --watchdog timeout=1,action=reset \
			--flat "$GUESTS/$wd_case.bin"
		if [ "$wd_case" = hlt ]; then
			name="ctl: watchdog quiet on a halted vCPU"
			echo "RUN $name"
			sleep 4
			"$NYX" ctl "$CTL_SOCK" quit >/dev/null 2>&1
			want=0
		else
			name="ctl: watchdog fires on a stuck vCPU"
			echo "RUN $name"
			want=8
		fi
		ctl_finish
		if [ "$wd_case" = hlt ]; then
			grep -q WATCHDOG /tmp/ctl-events.out && rc="$rc, WATCHDOG raised"
		else
			grep -q '"event":"WATCHDOG"' /tmp/ctl-events.out ||
				rc="$rc, no WATCHDOG event"
			grep -q 'watchdog: vCPU 0 stuck' /tmp/ctl-run.out ||
				rc="$rc, no log line"
		fi
		why=
		[ "$rc" = "$want" ] || why="status $rc (want $want)"
		ctl_verdict "$name" "$why"
	done
fi
