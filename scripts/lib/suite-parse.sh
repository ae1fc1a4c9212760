# shellcheck shell=bash
# The console handling and pass/fail rules shared by the nested runners
# (scripts/nested-run: QEMU TCG, AMD SVM; scripts/bochs-run: Bochs, Intel
# VMX), so both judge a run by exactly the same rules. Source it, then:
#
#   console_stream LOG [DROP_ERE] <CONSOLE
#       Copy console lines to stdout and to LOG as they come (CRs
#       stripped); lines matching the extended regex DROP_ERE are dropped
#       (emulator noise). Writes the time /init was reached (@@NYX-BOOTED)
#       to LOG.boottime for suite_verdict.
#
#   suite_verdict NAME LOG EMU_STATUS TIMEOUT T0 T1
#       Print the summary of a run whose console is in LOG: timings (T0 =
#       emulator start, T1 = its end, $EPOCHREALTIME values), tests passed
#       and failed, the test running when the VM hung or crashed, kernel
#       problems; the last line is always "N passed, N failed". EMU_STATUS
#       124 or 137 (from timeout(1)) means the VM was killed after TIMEOUT
#       seconds; a non-empty file $SUITE_STALL_FILE (scripts/nested-run's
#       stall watch) means the emulator stopped running the VM, or (its
#       first line says "locked up") the VM's kernel locked up, or ("did
#       not wake it") a halted vCPU slept through its interrupts; a
#       non-empty $SUITE_KICK_FILE (the key presses sent to such a CPU 0)
#       is shown as a note. Returns 0
#       only if the suite finished with status 0, no
#       test failed, the kernel log is clean and the VM did not time out.
#
# The in-VM side of the protocol: the @@NYX-...@@ markers come from the
# initramfs /init (scripts/mkinitramfs), RUN/PASS/FAIL/SKIP and the
# "vm: N passed, N failed" line from tests/vm/lib.sh.

# Kernel log lines that mean trouble ("detected stall": RCU stalls, a CPU
# stuck with interrupts off), and known-benign boot messages that happen to
# contain a keyword (ERE alternatives):
#   SRSO   "Speculative Return Stack Overflow: WARNING: ..." is a mitigation
#          status line printed at boot for QEMU's emulated EPYC CPU.
SUITE_BAD_RE='\bBUG\b|\bWARNING\b|\bOops\b|general protection|soft lockup|hung task|blocked for more than|detected stall|Call Trace|Kernel panic|UBSAN|KASAN'
SUITE_BENIGN_RE='Speculative Return Stack Overflow: WARNING'

console_stream() {
	local log=$1 drop=${2:-} line t_boot=
	: >"$log"
	rm -f "$log.boottime"
	while IFS= read -r line || [ -n "$line" ]; do
		line=${line%$'\r'}
		if [ -n "$drop" ] && [[ $line =~ $drop ]]; then
			continue
		fi
		printf '%s\n' "$line"
		printf '%s\n' "$line" >>"$log"
		case "$line" in
		*@@NYX-BOOTED*)
			if [ -z "$t_boot" ]; then
				t_boot=$EPOCHREALTIME
				echo "$t_boot" >"$log.boottime"
			fi ;;
		esac
	done
}

suite_verdict() {
	local name=$1 log=$2 emu_status=$3 tmo=$4 t0=$5 t1=$6
	local total boot suite_out suite_status summary running problems
	local passed=0 failed=0 bad=0

	echo
	echo "=== $name summary ==="
	total=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
	if [ -f "$log.boottime" ]; then
		boot=$(awk -v a="$t0" -v b="$(cat "$log.boottime")" 'BEGIN { printf "%.1f", b - a }')
		rm -f "$log.boottime"
		echo "boot to /init: ${boot}s (guest uptime $(sed -n 's/.*@@NYX-BOOTED uptime=\([0-9.]*\)@@.*/\1/p' "$log" | head -1)s), total ${total}s"
	else
		echo "the VM never reached /init (total ${total}s)"
	fi

	suite_out=$(sed -n '/@@NYX-SUITE-BEGIN@@/,/@@NYX-SUITE-END/p' "$log")
	suite_status=$(sed -n 's/.*@@NYX-SUITE-END status=\([0-9]*\)@@.*/\1/p' "$log" | tail -1)

	summary=$(printf '%s\n' "$suite_out" | grep -E '^vm: [0-9]+ passed, [0-9]+ failed' | tail -1)
	if [ -n "$summary" ]; then
		passed=$(echo "$summary" | sed -E 's/^vm: ([0-9]+) passed.*/\1/')
		failed=$(echo "$summary" | sed -E 's/.*passed, ([0-9]+) failed.*/\1/')
	else
		passed=$(printf '%s\n' "$suite_out" | grep -c '^PASS ')
		failed=$(printf '%s\n' "$suite_out" | grep -c '^FAIL ')
	fi

	# The suite prints "RUN name" before each test and PASS/FAIL/SKIP
	# after it: the last RUN without a verdict is the one that hung or
	# crashed. (A kernel message printed by the crash can cut into the
	# RUN line: it is not part of the name.)
	running=$(printf '%s\n' "$suite_out" | awk '
		/^RUN / { name = substr($0, 5); sub(/\[ *[0-9]+\.[0-9]+\].*/, "", name); open = 1 }
		/^(PASS|FAIL|SKIP) / && open && index($0, name) { open = 0 }
		END { if (open) print name }')

	if [ -n "${SUITE_KICK_FILE:-}" ] && [ -s "$SUITE_KICK_FILE" ]; then
		echo "note: the emulator left CPU 0 asleep with interrupts pending; the stall watch pressed a key $(wc -l <"$SUITE_KICK_FILE") time(s) (Documentation/testing.rst, LOST WAKEUP; not a failure): $(tr '\n' ';' <"$SUITE_KICK_FILE")"
	fi
	if [ -n "${SUITE_STALL_FILE:-}" ] && [ -s "$SUITE_STALL_FILE" ] &&
	   head -n 1 "$SUITE_STALL_FILE" | grep -q 'did not wake it'; then
		echo "LOST WAKEUP: $(head -n 1 "$SUITE_STALL_FILE" | sed 's/^QEMU (pid [0-9]*): //') (the emulator's, Documentation/testing.rst); running test: ${running:-<none: boot or suite setup>}; vCPU state: $SUITE_STALL_FILE"
		failed=$((failed + 1))
		bad=1
	elif [ -n "${SUITE_STALL_FILE:-}" ] && [ -s "$SUITE_STALL_FILE" ] &&
	   head -n 1 "$SUITE_STALL_FILE" | grep -q 'locked up'; then
		echo "LOCKUP: the test VM's kernel locked up ($(head -n 1 "$SUITE_STALL_FILE" | sed 's/^QEMU (pid [0-9]*): //; s/: the test VM locked up$//')): a spinlock taken again in an interrupt the emulator delivered with interrupts off has looked like this (Documentation/testing.rst); running test: ${running:-<none: boot or suite setup>}; vCPU state: $SUITE_STALL_FILE"
		failed=$((failed + 1))
		bad=1
	elif [ -n "${SUITE_STALL_FILE:-}" ] && [ -s "$SUITE_STALL_FILE" ]; then
		echo "STALL: the whole test VM stopped (no emulator CPU time for $(sed -n '1s/.* for \([0-9]*\)s:.*/\1/p' "$SUITE_STALL_FILE") s): every vCPU halted and no timer woke one, so not even the suite's own timeouts ran (a hang inside a nyx guest keeps the test VM busy instead); running test: ${running:-<none: boot or suite setup>}; vCPU state: $SUITE_STALL_FILE"
		failed=$((failed + 1))
		bad=1
	elif [ "$emu_status" = 124 ] || [ "$emu_status" = 137 ]; then
		echo "TIMEOUT: the VM was killed after ${tmo}s; running test: ${running:-<none: boot or suite setup>}"
		failed=$((failed + 1))
		bad=1
	elif [ -z "$suite_status" ]; then
		echo "the suite did not finish (emulator exit status $emu_status: kernel panic or crash?); running test: ${running:-<none>}"
		failed=$((failed + 1))
		bad=1
	elif [ "$suite_status" != 0 ]; then
		echo "the suite exited with status $suite_status"
		bad=1
		[ "$failed" = 0 ] && failed=1
	fi

	# Kernel problems anywhere in the log (live console or the dmesg
	# dump); only kernel lines ("[   12.345678] ...") so test output
	# cannot match.
	problems=$(grep -E '^\[ *[0-9]+\.[0-9]+\] ' "$log" | grep -E "$SUITE_BAD_RE" |
		grep -vE "$SUITE_BENIGN_RE" | awk '!seen[$0]++')
	if [ -n "$problems" ]; then
		echo "kernel log problems:"
		printf '%s\n' "$problems" | sed 's/^/  /'
		failed=$((failed + 1))
		bad=1
	fi

	echo "console log: $log"
	echo "$passed passed, $failed failed"
	[ "$bad" = 0 ] && [ "$failed" = 0 ]
}
