# shellcheck shell=sh
# The launcher's GDB stub (--gdb) driven by Debian's gdb in batch mode
# against tests/guests/gdbloop.S (a long-mode loop at 0xa000 that writes
# R12 to 0x20000 each turn). Sourced by suite.sh once nyx.ko is loaded;
# gdb-suite.sh runs it alone:
#   scripts/nested-run --suite tests/vm/gdb-suite.sh --no-linux
#
# Session 1 (UNIX socket, --gdb-wait): software breakpoint, registers,
# stepi, memory read (INT3 hidden), hardware watchpoint, hardware
# breakpoint, register write, detach; the guest must then finish (PASS).
# Session 2 (TCP on 127.0.0.1, no wait): attach to a running guest
# (stops it), read registers, kill.
# Sessions 3 and 4 (below): the guest's own INT3; the watchdog.

gdb_expect() {	# PATTERN WHAT: grep -E in the gdb output
	if ! grep -qE "$1" /tmp/gdb.out; then
		gdb_why="$gdb_why${gdb_why:+; }$2"
	fi
}

# The sessions' common steps. Each session is: gdb_launch and a wait
# for the stub (both in gdb_launch_unix), gdb's run, gdb_done with gdb's
# status, checks that add to gdb_why (gdb_expect, gdb_want_rc), and
# gdb_verdict.

gdb_launch() {	# NYX-RUN-ARG...: the launcher in the background; sets pid
	# shellcheck disable=SC2086
	timeout -k 5 "$TEST_TIMEOUT" "$NYX" run $NYX_TESTDEV_ARGS "$@" \
		</dev/null >/tmp/gdb-nyx.out 2>&1 &
	pid=$!
}

gdb_launch_unix() {	# GUEST: the launcher waiting for gdb on $sock (UNIX)
	sock=/tmp/nyx-gdb.sock
	rm -f "$sock"
	gdb_launch --gdb "unix:$sock" --gdb-wait --flat "$GUESTS/$1"
	wait_sock "$sock"
}

gdb_done() {	# GDB-STATUS: reap the launcher (rc), start gdb_why
	grc=$1
	wait $pid
	rc=$?
	gdb_why=
	[ "$grc" = 0 ] || gdb_why="gdb exit status $grc"
}

gdb_want_rc() {	# STATUS [WHY]: the launcher must have exited with STATUS
	if [ "$rc" != "$1" ]; then
		gdb_why="$gdb_why${gdb_why:+; }launcher exit status $rc, want $1${2:+ ($2)}"
	fi
}

gdb_verdict() {	# LAUNCHER-LOG: pass, or show the logs and fail
	if [ -z "$gdb_why" ]; then
		pass "$name"
	else
		show "$1"
		show /tmp/gdb.out
		fail "$name" "$gdb_why"
	fi
}

gdb_session1() {
	name="gdb stub: breakpoints, step, watchpoint, registers"
	echo "RUN $name"
	gdb_launch_unix gdbloop.bin
	cat >/tmp/gdb.cmds <<EOC
set pagination off
set confirm off
target remote $sock
info threads
break *0xa000
continue
info registers rip
print \$r12
stepi
info registers rip
x/4xb 0xa000
delete
watch *(long *)0x20000
continue
info registers rip
print *(long *)0x20000
delete
hbreak *0xa00b
continue
info registers rip
delete
set var \$r12 = 0x7ffffff0
print \$r12
detach
EOC
	timeout -k 5 60 gdb -nx -batch -x /tmp/gdb.cmds </dev/null >/tmp/gdb.out 2>&1
	gdb_done $?
	gdb_expect '^\* 1 +Thread 1' "info threads: thread 1"
	# (gdb's Python errors, from the trimmed-down Python in the test
	# VM, may split "Breakpoint N, ADDR in ??" over two lines)
	gdb_expect '^Breakpoint 1, ' "software breakpoint 1 reported"
	gdb_expect '0x0+a000 in \?\?' "stop at 0xa000"
	gdb_expect '^rip +0xa000 ' "rip 0xa000 at the breakpoint"
	gdb_expect '^\$1 = 0$' "r12 = 0 at the first stop"
	gdb_expect '^rip +0xa003 ' "stepi: rip 0xa003"
	gdb_expect '0xa000:[[:space:]]+0x49[[:space:]]+0xff[[:space:]]+0xc4[[:space:]]+0x4c' "x/4xb: original bytes (INT3 hidden)"
	gdb_expect 'Hardware watchpoint 2: \*\(long \*\)0x20000' "watchpoint set"
	gdb_expect 'New value = 1$' "watchpoint: new value 1"
	gdb_expect '^rip +0xa00b ' "watchpoint: stop after the store (0xa00b)"
	gdb_expect 'Hardware assisted breakpoint 3' "hbreak set"
	gdb_expect '^Breakpoint 3, ' "hardware breakpoint 3 reported"
	gdb_expect '^\$[0-9]+ = 2147483632$' "register write"
	gdb_expect 'Inferior 1 .* detached' "detach"
	gdb_want_rc 33 "PASS after detach"
	gdb_verdict /tmp/gdb-nyx.out
}

gdb_session2() {
	name="gdb stub: attach over TCP to a running guest, kill"
	echo "RUN $name"
	ip link set lo up 2>/dev/null
	ip addr add 127.0.0.1/8 dev lo 2>/dev/null
	# the loop runs for minutes: gdb attaches to it running
	gdb_launch --gdb tcp:127.0.0.1:1234 --flat "$GUESTS/gdbloop.bin"
	i=0
	while ! grep -q "gdb: listening" /tmp/gdb-nyx.out && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	sleep 0.3
	timeout -k 5 60 gdb -nx -batch -ex 'set confirm off' \
		-ex 'target remote 127.0.0.1:1234' -ex 'info registers rip cs' \
		-ex 'kill' </dev/null >/tmp/gdb.out 2>&1
	gdb_done $?
	gdb_expect '^cs +0x18 ' "cs = 0x18 (64-bit code selector)"
	gdb_expect '^rip +0x' "rip read"
	gdb_want_rc 0
	gdb_verdict /tmp/gdb-nyx.out
}

# Session 3: the guest's own INT3 while gdb has a software breakpoint
# set (gdbint3.bin: INT3 at 0xa000 with its own #BP handler, gdb breaks
# at 0xa001). nyx intercepts every #BP then; one that is not gdb's must
# go back to the guest, not stop gdb with a SIGTRAP at 0xa000.
gdb_session3() {
	name="gdb stub: the guest's own INT3 goes to the guest"
	echo "RUN $name"
	gdb_launch_unix gdbint3.bin
	timeout -k 5 60 gdb -nx -batch -ex 'set pagination off' \
		-ex 'set confirm off' -ex "target remote $sock" \
		-ex 'break *0xa001' -ex continue -ex 'info registers rip' \
		-ex continue -ex continue -ex 'print $rsi' -ex delete \
		-ex detach </dev/null >/tmp/gdb.out 2>&1
	gdb_done $?
	gdb_expect '^rip +0xa001 ' "first stop at the breakpoint (0xa001)"
	gdb_expect '^\$1 = 2$' "third stop in the third turn (rsi = 2)"
	if [ "$(grep -c '^Breakpoint 1, ' /tmp/gdb.out)" != 3 ]; then
		gdb_why="$gdb_why${gdb_why:+; }want 3 stops at breakpoint 1"
	fi
	if grep -q SIGTRAP /tmp/gdb.out; then
		gdb_why="$gdb_why${gdb_why:+; }the guest's INT3 stopped gdb (SIGTRAP)"
	fi
	gdb_expect 'Inferior 1 .* detached' "detach"
	gdb_want_rc 33 "the guest's #BP handler checks"
	gdb_verdict /tmp/gdb-nyx.out
}

# Session 4: the watchdog while gdb holds the VM. stuck.bin spins with
# interrupts off and the APIC timer pending: the watchdog (timeout 1 s,
# action log) reports it every second. gdb attaches and keeps the vCPU
# stopped for 4 s: no report in that time (stopped on purpose); after
# the detach the reports come back (the watchdog still works).
gdb_session4() {
	name="gdb stub: no WATCHDOG while gdb holds the vCPU"
	echo "RUN $name"
	sock=/tmp/nyx-gdb.sock
	log=/tmp/gdb-wd.err
	rm -f "$sock" /tmp/gdb-wd.n1 /tmp/gdb-wd.n2
	timeout -k 5 "$TEST_TIMEOUT" "$NYX" run --gdb "unix:$sock" \
		--watchdog timeout=1,action=log --flat "$GUESTS/stuck.bin" \
		</dev/null >$log 2>&1 &
	pid=$!
	wait_sock "$sock"
	sleep 1.5
	# count the reports 1 s into the stop (a look begun before the
	# attach may still report) and 4 s later
	timeout -k 5 60 gdb -nx -batch -ex 'set confirm off' \
		-ex "target remote $sock" -ex 'shell sleep 1' \
		-ex "shell grep -c 'watchdog: vCPU' $log >/tmp/gdb-wd.n1" \
		-ex 'shell sleep 4' \
		-ex "shell grep -c 'watchdog: vCPU' $log >/tmp/gdb-wd.n2" \
		-ex detach </dev/null >/tmp/gdb.out 2>&1
	grc=$?
	sleep 3
	n3=$(grep -c 'watchdog: vCPU' $log)
	kill "$pid" 2>/dev/null
	wait $pid
	n1=$(cat /tmp/gdb-wd.n1 2>/dev/null)
	n2=$(cat /tmp/gdb-wd.n2 2>/dev/null)
	echo "    watchdog reports: ${n1:-?} at the stop, ${n2:-?} 4 s later, $n3 3 s after the detach"
	gdb_why=
	[ "$grc" = 0 ] || gdb_why="gdb exit status $grc"
	if [ -z "$n1" ] || [ "$n1" != "$n2" ]; then
		gdb_why="$gdb_why${gdb_why:+; }WATCHDOG while stopped by gdb (${n1:-?} -> ${n2:-?})"
	elif [ "$n3" -le "$n2" ]; then
		gdb_why="$gdb_why${gdb_why:+; }no WATCHDOG after the detach (the guest is stuck)"
	fi
	gdb_verdict "$log"
}

if [ "$NYX_NO_MODULE" = 1 ]; then
	skip "gdb stub" "no module"
elif ! command -v gdb >/dev/null 2>&1; then
	skip "gdb stub" "no gdb in the test VM (apt-get install gdb)"
elif [ ! -f "$GUESTS/gdbloop.bin" ]; then
	fail "gdb stub" "missing $GUESTS/gdbloop.bin"
else
	gdb_session1
	gdb_session2
	gdb_session3
	gdb_session4
fi
