# nyx.ko's tracepoints through tracefs, and "nyx stat" on a running nyx
# (sourced by suite.sh after insmod; alone: tests/vm/stats.sh).
#   nyx trace events: serial.bin with events/nyx enabled: entries, exits
#                     with the port I/O reason, and the greeting byte by
#                     byte as writes to port 0x3f8
#   nyx trace inject: apic_timer.bin (in-kernel LAPIC timer): injections,
#                     and its MSR accesses (APIC base, TSC deadline)
#   nyx stat:         "nyx stat --pid --once --json" on a launcher whose
#                     vCPU sleeps in HLT inside NYX_RUN
# shellcheck shell=sh

nyx_tracefs() {
	for d in /sys/kernel/tracing /sys/kernel/debug/tracing; do
		[ -d "$d/events/nyx" ] && { echo "$d"; return 0; }
	done
	mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
	[ -d /sys/kernel/tracing/events/nyx ] && echo /sys/kernel/tracing
}

# nyx_trace_run FILE NYX-RUN-ARGS...: run a guest with nyx:* enabled,
# the trace in FILE, the launcher's output in $OUT; sets $rc.
nyx_trace_run() {
	tfile=$1
	shift
	echo 0 >"$T/tracing_on"
	echo >"$T/trace"
	echo 4096 >"$T/buffer_size_kb"
	echo 1 >"$T/events/nyx/enable"
	echo 1 >"$T/tracing_on"
	timeout -k 5 "$TEST_TIMEOUT" "$NYX" run "$@" </dev/null >"$OUT" 2>&1
	rc=$?
	echo 0 >"$T/tracing_on"
	echo 0 >"$T/events/nyx/enable"
	cat "$T/trace" >"$tfile"
}

if [ "$NYX_NO_MODULE" = 1 ]; then
	skip "nyx trace events" "no module"
	skip "nyx trace inject" "no module"
	skip "nyx stat" "no module"
else
	echo "RUN nyx trace events"
	T=$(nyx_tracefs)
	if [ -z "$T" ]; then
		fail "nyx trace events" "no tracefs with events/nyx"
	else
		nyx_trace_run /tmp/nyx.trace --flat "$GUESTS/serial.bin"
		case "$(cpu_vendor)" in
		intel) io_reason="reason IO_INSTRUCTION (30)" ;;
		*) io_reason="reason io (123)" ;;
		esac
		# the bytes written to COM1's data port, as hex without 0 pad
		got=$(grep 'nyx_pio: vcpu 0 pio_write port 0x3f8 size 1 count 1 ' /tmp/nyx.trace |
			sed 's/.* val 0x//' | tr '\n' ' ')
		want=$(printf 'hello from nyx guest\n' | od -An -tx1 -v |
			tr -s ' \n' '\n\n' | sed '/^$/d; s/^0//' | tr '\n' ' ')
		why=
		[ "$rc" = 33 ] || why="launcher exit status $rc, want 33"
		grep -q 'nyx_entry: vcpu 0 rip 0x' /tmp/nyx.trace || why="$why; no nyx_entry"
		grep -q "nyx_exit: vcpu 0 $io_reason rip 0x" /tmp/nyx.trace || why="$why; no nyx_exit with \"$io_reason\""
		grep -q 'nyx_pio: vcpu 0 pio_read port 0x3fd size 1 count 1 val 0x' /tmp/nyx.trace || why="$why; no LSR read"
		grep -q 'nyx_pio: vcpu 0 pio_write port 0xf4 ' /tmp/nyx.trace || why="$why; no debug-exit write"
		# the greeting first (PASS follows it on COM1)
		case "$got" in
		"$want"*) ;;
		*) why="$why; COM1 bytes [$got] want [$want...]" ;;
		esac
		if [ -z "$why" ]; then
			pass "nyx trace events"
		else
			show "$OUT"
			show /tmp/nyx.trace
			fail "nyx trace events" "${why#; }"
		fi

		echo "RUN nyx trace inject"
		nyx_trace_run /tmp/nyx-inject.trace --flat "$GUESTS/apic_timer.bin"
		why=
		[ "$rc" = 33 ] || why="launcher exit status $rc, want 33"
		grep -q 'nyx_inject: vcpu 0 irq vector 0x' /tmp/nyx-inject.trace || why="$why; no nyx_inject irq event"
		# its x2APIC part, which it runs when CPUID offers x2APIC (and
		# says so): APIC base read and written, the TSC deadline
		# disarmed with 0
		if grep -q 'apic_timer: x2APIC MSRs' "$OUT"; then
			grep -q 'nyx_msr: vcpu 0 msr_read 0x1b data 0xfee00' /tmp/nyx-inject.trace || why="$why; no nyx_msr read of APIC_BASE"
			grep -q 'nyx_msr: vcpu 0 msr_write 0x1b data 0xfee00d00$' /tmp/nyx-inject.trace || why="$why; no nyx_msr write of APIC_BASE (x2APIC on)"
			grep -q 'nyx_msr: vcpu 0 msr_write 0x6e0 data 0x0$' /tmp/nyx-inject.trace || why="$why; no nyx_msr write of 0 to TSC_DEADLINE"
		elif ! grep -q 'apic_timer: SKIP x2APIC part' "$OUT"; then
			why="$why; the guest neither ran nor skipped its x2APIC part"
		fi
		if [ -z "$why" ]; then
			pass "nyx trace inject"
		else
			show "$OUT"
			show /tmp/nyx-inject.trace
			fail "nyx trace inject" "${why#; }"
		fi
	fi

	# A launcher whose only vCPU halts with interrupts off sleeps in
	# NYX_RUN (irqchip on) until killed: nyx stat reads it meanwhile.
	echo "RUN nyx stat"
	"$NYX" run --flat "$GUESTS/hlt.bin" </dev/null >/tmp/nyx-hlt.out 2>&1 &
	hpid=$!
	i=0
	while [ $i -lt 50 ] && ! grep -q HLT /tmp/nyx-hlt.out; do
		sleep 0.1
		i=$((i + 1))
	done
	timeout -k 5 "$TEST_TIMEOUT" "$NYX" stat --pid "$hpid" --once --json --interval 200 >"$OUT" 2>&1
	src=$?
	timeout -k 5 "$TEST_TIMEOUT" "$NYX" stat --pid "$hpid" --once --interval 200 >/tmp/nyx-stat.txt 2>&1
	stx=$?
	kill "$hpid" 2>/dev/null
	wait "$hpid" 2>/dev/null
	cat /tmp/nyx-stat.txt >>"$OUT"
	why=
	[ "$src" = 0 ] && [ "$stx" = 0 ] || why="nyx stat exit status $src/$stx"
	grep -q "^{\"pid\":$hpid,\"vcpus\":1,\"source\":\"binary\"" "$OUT" || why="$why; JSON head"
	grep -q '"hlt":{"total":1,"rate":0.0}' "$OUT" || why="$why; JSON hlt count"
	grep -q '"pio_top":\[.*{"port":1016,' "$OUT" || why="$why; JSON pio_top 0x3f8"
	grep -q "nyx stat: pid $hpid, 1 vCPU (binary stats)" /tmp/nyx-stat.txt || why="$why; text head"
	# the vCPU sleeps in HLT all along: counted while it sleeps
	grep -q 'halted [1-9][0-9]*\.[0-9]%' /tmp/nyx-stat.txt || why="$why; not shown halted"
	"$NYX" stat --pid "$hpid" --once >/dev/null 2>&1 && why="$why; stat of a dead pid succeeded"
	if [ -z "$why" ]; then
		pass "nyx stat"
	else
		show "$OUT"
		show /tmp/nyx-hlt.out
		fail "nyx stat" "${why#; }"
	fi
fi
