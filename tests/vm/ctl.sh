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

# ctl_check NAME CMD...: pass if CMD (a shell command string) succeeds
ctl_check() {
	echo "RUN $1"
	if sh -c "$2" >"$OUT" 2>&1; then
		pass "$1"
	else
		show "$OUT"
		fail "$1" "${3:-command failed}"
	fi
}

ctl_size() { wc -c <"$CTL_TICKS" | tr -d ' '; }

if [ "$NYX_NO_MODULE" = 1 ]; then
	skip "ctl: control socket" "no module"
elif [ ! -f "$GUESTS/ticker.bin" ]; then
	fail "ctl: control socket" "no $GUESTS/ticker.bin"
else
	rm -f "$CTL_SOCK" "$CTL_TICKS"
	echo "RUN ctl: nyx run --control"
	timeout -k 5 120 "$NYX" run --control "$CTL_SOCK" \
		--serial "file:$CTL_TICKS" --flat "$GUESTS/ticker.bin" \
		</dev/null >/tmp/ctl-run.out 2>&1 &
	ctl_pid=$!
	wait_sock "$CTL_SOCK"
	if [ -S "$CTL_SOCK" ]; then
		pass "ctl: nyx run --control"
	else
		show /tmp/ctl-run.out
		fail "ctl: nyx run --control" "no socket after 10 s"
	fi
	# the second client: every event until SHUTDOWN
	"$NYX" ctl --timeout 100 "$CTL_SOCK" --wait-event SHUTDOWN \
		>/tmp/ctl-events.out 2>&1 &
	ev_pid=$!

	ctl_check "ctl: socket mode 0600" \
		"[ \"\$(stat -c %a $CTL_SOCK)\" = 600 ]"
	ctl_check "ctl: query-status running" \
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

	ctl_check "ctl: pause" "$NYX ctl $CTL_SOCK pause"
	ctl_check "ctl: query-status paused" \
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
	ctl_check "ctl: query-cpus (paused)" \
		"$NYX ctl $CTL_SOCK query-cpus | tee /dev/stderr | grep -q '\"rip-current\": true' &&
		 $NYX ctl $CTL_SOCK query-cpus | grep -Eq '\"rip\": (31[0-9]{3}|32[0-7][0-9]{2})'"
	ctl_check "ctl: resume" "$NYX ctl $CTL_SOCK resume"
	sleep 2
	r1=$(ctl_size)
	echo "RUN ctl: progress after resume"
	if [ "$r1" -gt "$p1" ]; then
		pass "ctl: progress after resume"
	else
		fail "ctl: progress after resume" "output stuck at $r1 bytes"
	fi
	ctl_check "ctl: query-cpus (running)" \
		"$NYX ctl $CTL_SOCK query-cpus | grep -q '\"rip-current\": false'"
	ctl_check "ctl: query-stats counts I/O exits" \
		"$NYX ctl $CTL_SOCK query-stats | tee /dev/stderr | grep -Eq '\"io\": [1-9]'"
	ctl_check "ctl: set-log-level" \
		"$NYX ctl $CTL_SOCK set-log-level level=debug component=virtio"
	ctl_check "ctl: set-log-level bad level is an error" \
		"! $NYX ctl $CTL_SOCK set-log-level level=loud"
	ctl_check "ctl: unknown command is an error" \
		"$NYX ctl $CTL_SOCK fly 2>&1; [ \$? = 1 ] && $NYX ctl $CTL_SOCK fly 2>&1 | grep -q CommandNotFound"
	# one connection: malformed, unknown, oversized (70000 bytes, over
	# the 64 KiB limit), then a good request: four replies, in order
	big=$(head -c 70000 /dev/zero | tr '\0' x)
	ctl_check "ctl: malformed, unknown and oversized requests" \
		"$NYX ctl $CTL_SOCK --raw '{{{' --raw '{\"execute\": \"fly\"}' --raw '$big' \
			--raw '{\"execute\": \"query-status\"}' >/tmp/ctl-raw.out &&
		 grep -v '\"event\"' /tmp/ctl-raw.out | sed -n 1p | grep -q 'malformed JSON' &&
		 grep -v '\"event\"' /tmp/ctl-raw.out | sed -n 2p | grep -q CommandNotFound &&
		 grep -v '\"event\"' /tmp/ctl-raw.out | sed -n 3p | grep -q 'request too long' &&
		 grep -v '\"event\"' /tmp/ctl-raw.out | sed -n 4p | grep -q '\"return\"'"
	ctl_check "ctl: VM still runs after bad input" \
		"$NYX ctl $CTL_SOCK query-status | grep -q '\"running\"'"
	ctl_check "ctl: quit" "$NYX ctl $CTL_SOCK quit"
	wait $ctl_pid
	rc=$?
	echo "RUN ctl: exit status after quit"
	if [ "$rc" = 0 ]; then
		pass "ctl: exit status after quit"
	else
		show /tmp/ctl-run.out
		fail "ctl: exit status after quit" "status $rc, want 0"
	fi
	wait $ev_pid
	ctl_check "ctl: second client got STOP, RESUME, SHUTDOWN" \
		"cat /tmp/ctl-events.out; grep -q '\"event\":\"STOP\"' /tmp/ctl-events.out &&
		 grep -q '\"event\":\"RESUME\"' /tmp/ctl-events.out &&
		 grep -q '\"event\":\"SHUTDOWN\"' /tmp/ctl-events.out"
	ctl_check "ctl: socket removed at exit" "[ ! -e $CTL_SOCK ]"

	# system-reset: nyx ends with the reset status, RESET then SHUTDOWN
	echo "RUN ctl: system-reset"
	timeout -k 5 60 "$NYX" run --control "$CTL_SOCK" --serial none \
		--flat "$GUESTS/ticker.bin" </dev/null >/tmp/ctl-run.out 2>&1 &
	ctl_pid=$!
	wait_sock "$CTL_SOCK"
	"$NYX" ctl --timeout 50 "$CTL_SOCK" --wait-event SHUTDOWN \
		>/tmp/ctl-events.out 2>&1 &
	ev_pid=$!
	sleep 0.5
	"$NYX" ctl "$CTL_SOCK" system-reset >/dev/null 2>&1
	wait $ctl_pid
	rc=$?
	wait $ev_pid
	if [ "$rc" = 8 ] && grep -q '"event":"RESET"' /tmp/ctl-events.out &&
	   grep -q '"reason":"reset"' /tmp/ctl-events.out; then
		pass "ctl: system-reset"
	else
		show /tmp/ctl-run.out
		show /tmp/ctl-events.out
		fail "ctl: system-reset" "status $rc (want 8) or no RESET event"
	fi
fi

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
		fail "ctl: nyx run --config" "$reason"
	fi
	ctl_check "ctl: nyx check" "$NYX check --config /tmp/ctl-vm.json"
fi
cat >/tmp/ctl-bad.json <<EOT
{ "flat": "$GUESTS/serial.bin", "disks": [{"path": "/nonexistent.img"}] }
EOT
ctl_check "ctl: bad --config names the key" \
	"$NYX run --config /tmp/ctl-bad.json 2>&1 </dev/null; [ \$? = 2 ] &&
	 $NYX run --config /tmp/ctl-bad.json 2>&1 </dev/null | grep -q 'disks\[0\].path: file not found'"
ctl_check "ctl: nyx check fails on a bad config" \
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
		rm -f "$CTL_SOCK"
		timeout -k 5 60 "$NYX" run --control "$CTL_SOCK" \
			--watchdog timeout=1,action=reset \
			--flat "$GUESTS/$wd_case.bin" </dev/null >/tmp/ctl-run.out 2>&1 &
		ctl_pid=$!
		wait_sock "$CTL_SOCK"
		"$NYX" ctl --timeout 50 "$CTL_SOCK" --wait-event SHUTDOWN \
			>/tmp/ctl-events.out 2>&1 &
		ev_pid=$!
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
		wait $ctl_pid
		rc=$?
		wait $ev_pid
		if [ "$wd_case" = hlt ]; then
			grep -q WATCHDOG /tmp/ctl-events.out && rc="$rc, WATCHDOG raised"
		else
			grep -q '"event":"WATCHDOG"' /tmp/ctl-events.out ||
				rc="$rc, no WATCHDOG event"
			grep -q 'watchdog: vCPU 0 stuck' /tmp/ctl-run.out ||
				rc="$rc, no log line"
		fi
		if [ "$rc" = "$want" ]; then
			pass "$name"
		else
			show /tmp/ctl-run.out
			show /tmp/ctl-events.out
			fail "$name" "status $rc (want $want)"
		fi
	done
fi
