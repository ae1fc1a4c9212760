# shellcheck shell=bash disable=SC2154
# The stall watch of scripts/nested-run (see the comment there): sourced,
# with mon (the QEMU monitor's pipe:$mon), log (the console log), stall_s
# and SUITE_STALL_FILE set; stall_watch runs in the background while QEMU
# runs, and kills it, leaving the reason and the vCPUs' state in
# SUITE_STALL_FILE, when the test VM stalled, locked up or a vCPU slept
# through its interrupts. It samples every stall_tick seconds (10;
# tests/scripts/stall-watch-test.sh makes it 1). A CPU 0 that sleeps
# through its interrupts is first sent a key press, noted in
# SUITE_KICK_FILE when set (below, kick_n).
stall_tick=${stall_tick:-10}

# mon_send CMDS: CMDS (lines) to the monitor; opening the pipe waits for
# its reader, and QEMU may have just exited: given up after 1 s
mon_send() {
	# shellcheck disable=SC2016 # the inner shell's $1 and $2
	timeout 1 bash -c 'printf "%s\n" "$1" >"$2"' mon_send "$1" "$mon.in"
}
# mon_cmd CMDS: the monitor's answer (the echo of what it is sent comes
# with terminal escapes: those lines are dropped)
mon_cmd() {
	timeout 1 cat "$mon.out" | grep -av "$(printf '\033')" | tr -d '\r' &
	mon_send "$1"
	wait
}
# mon_regs: the vCPUs' "RIP RFLAGS HLT" lines (info registers -a: RIP= and
# RFL= in long mode, EIP= and EFL= otherwise), one per CPU, in CPU order
mon_regs() {
	mon_cmd 'info registers -a' |
		sed -n 's/^[RE]IP=\([0-9a-f]*\) [RE]*FL=\([0-9a-f]*\) .*HLT=\([01]\).*/\1 \2 \3/p'
}
# A vCPU that sleeps through its interrupts: halted (HLT=1) with them
# enabled (RFLAGS.IF), its local APIC holding a vector in IRR whose class
# is above the processor priority (PPR). Prints "CPU n IRR ... PPR ..."
# for each such vCPU of the sample REGS. Seen here: the emulator did not
# wake a halted vCPU for its timer and an IPI while the other CPU waited
# on that IPI (Documentation/testing.rst, LOST WAKEUP).
# sleep_n samples in a row (two minutes and more, the console quiet all
# along: no passing test sits that long without a word)
sleep_n=12
# If the emulator lost the request to look at the APIC (a race in QEMU
# 7.2, testing.rst LOST WAKEUP), any later interrupt for the vCPU repairs
# it; if the vCPU takes no interrupts at all (GIF clear, it seems: seen
# 2026-11-27 04:58), its IRR grows and it sleeps on. The test VM's /init
# routes the i8042's IRQ 1 to CPU 0 (where the pinned vCPU threads run, and every lost
# wakeup seen was), and a key press has no reader there: after kick_n
# samples of CPU 0 in that state, with the console quiet as long, press
# one (again every kick_n samples while it lasts).
kick_n=2
sleeping_through() {
	local cpu=0 line apic irr ppr top v
	while read -r line; do
		# shellcheck disable=SC2086
		set -- $line
		if [ "${3:-0}" = 1 ] && (( (0x$2 & 0x200) != 0 )); then
			apic=$(mon_cmd "cpu $cpu
info lapic")
			irr=$(echo "$apic" | sed -n 's/^IRR[[:space:]]*//p' | head -n 1)
			ppr=$(echo "$apic" | sed -n 's/.*PPR \(0x[0-9a-f]*\).*/\1/p' | head -n 1)
			top=0
			for v in $irr; do
				[[ "$v" =~ ^[0-9]+$ ]] && (( v > top )) && top=$v
			done
			[ -n "$ppr" ] && (( top >> 4 > ppr >> 4 )) &&
				echo "CPU $cpu IRR $irr PPR $ppr"
		fi
		cpu=$((cpu + 1))
	done <<<"$1"
}
# The test VM's kernel locked up: every vCPU has interrupts off (RFLAGS.IF
# clear) and is within 256 bytes of where it was 10 s before, in each of
# lockup_n samples after the console went quiet. A working kernel takes
# its timer interrupts, so this does not happen to one that is merely
# busy. (Seen here: a spinlock taken again in an interrupt the emulator
# delivered while interrupts were off, Documentation/testing.rst.)
lockup_n=3
spinning() {	# PREV CUR: "rip rflags hlt" lines of two samples
	local -a a b
	local i d
	mapfile -t a <<<"$1"
	mapfile -t b <<<"$2"
	[ -n "$1" ] && [ "${#a[@]}" = "${#b[@]}" ] || return 1
	for i in "${!a[@]}"; do
		# shellcheck disable=SC2086
		set -- ${a[$i]} ${b[$i]}
		[ $# = 6 ] || return 1
		set -- "$1" "$2" "$4" "$5"
		(( (0x$4 & 0x200) == 0 )) || return 1
		# 64-bit RIPs wrap in shell arithmetic: compare the upper
		# halves, subtract the lower (EIPs have no upper half)
		set -- "$(printf %016x $((0x$1)))" "$2" "$(printf %016x $((0x$3)))"
		[ "${1:0:8}" = "${3:0:8}" ] || return 1
		d=$(( 0x${3:8} - 0x${1:8} ))
		(( d <= 256 && d >= -256 )) || return 1
	done
}
# stall_kill PID REASON: REASON, the vCPUs' registers and local APICs
# into SUITE_STALL_FILE, then QEMU killed
stall_kill() {
	{
		echo "$2"
		# the monitor echoes what it is sent with terminal escapes:
		# keep only its answers
		timeout 5 cat "$mon.out" | grep -av "$(printf '\033')" &
		mon_send "info registers -a
cpu 0
info lapic
cpu 1
info lapic"
		wait
	} >"$SUITE_STALL_FILE" 2>&1
	kill -KILL "$1"
}
stall_watch() {
	local pid='' t prev='' still=0 size prev_size='' quiet=0 regs prev_regs='' spins=0
	local sleeping nsleep=0 t_sleep=0
	for _ in $(seq 100); do
		# QEMU itself, not timeout(1) whose arguments hold the same
		pid=$(pgrep -f -- "^qemu-system-x86_64 .*-monitor pipe:$mon" | head -n 1)
		[ -n "$pid" ] && break
		sleep 0.1
	done
	[ -n "$pid" ] || return 0
	# drain the monitor's greeting so that the pipe never fills
	timeout 2 cat "$mon.out" >/dev/null
	while sleep "$stall_tick"; do
		regs='' sleeping=''
		# utime + stime, clock ticks
		t=$(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null) || return 0
		if [ "$t" = "$prev" ]; then
			still=$((still + stall_tick))
		else
			still=0
		fi
		prev=$t
		# the console's silence, then the vCPUs' state: silence is no new
		# line of the suite's own; kernel lines ("[   12.345678] ...") do
		# not count, as a CPU left waiting on a stuck one prints a
		# soft-lockup report every 28 s while nothing else moves
		size=$(grep -cv '^\[ *[0-9]*\.[0-9]*\]' "$log" 2>/dev/null)
		if [ "$size" = "$prev_size" ]; then
			quiet=$((quiet + stall_tick))
		else
			quiet=0 spins=0 prev_regs='' nsleep=0
		fi
		prev_size=$size
		# a vCPU asleep through deliverable interrupts: from kick_n quiet
		# (or idle) samples on, watched, CPU 0 sent a key press; the
		# verdict only once the console has been quiet as long as for a
		# lockup and sleep_n samples in a row (a CI run, 02:39, saw an
		# idle vCPU hold its timer in IRR for 24 s in a test that used to
		# pass, so a short sleep alone is no verdict)
		if [ "$quiet" -ge $((kick_n * stall_tick)) ] ||
		   [ "$still" -ge $((kick_n * stall_tick)) ]; then
			regs=$(mon_regs)
			sleeping=$(sleeping_through "$regs")
			if [ -z "$sleeping" ]; then
				nsleep=0
			elif [ $((nsleep++)) = 0 ]; then
				t_sleep=$SECONDS
			fi
			if [[ "$sleeping" == "CPU 0 "* ]] &&
			   (( nsleep >= kick_n && nsleep % kick_n == 0 )); then
				mon_cmd 'sendkey shift' >/dev/null
				[ -z "${SUITE_KICK_FILE:-}" ] ||
					echo "$(date -u +%H:%M:%S) ${sleeping%%$'\n'*}, for $((SECONDS - t_sleep))s: pressed a key" >>"$SUITE_KICK_FILE"
			fi
			# the monitor's own work is QEMU CPU time: not the VM's
			prev=$(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null)
		fi
		if [ "$still" -lt "$stall_s" ] && [ "$quiet" -ge "$stall_s" ]; then
			if [ "$nsleep" -ge "$sleep_n" ]; then
				stall_kill "$pid" "QEMU (pid $pid): a vCPU stayed halted with interrupts enabled and deliverable ones pending for $((SECONDS - t_sleep))s (${sleeping//$'\n'/; }): the emulator did not wake it"
				return 0
			fi
		fi
		if [ "$still" -lt "$stall_s" ] && [ "$quiet" -ge "$stall_s" ]; then
			if spinning "$prev_regs" "$regs"; then
				spins=$((spins + 1))
			else
				spins=0
			fi
			prev_regs=$regs
			[ "$spins" -ge "$lockup_n" ] || continue
			stall_kill "$pid" "QEMU (pid $pid): every vCPU spun with interrupts off at the same place for $((spins * stall_tick))s, console silent for ${quiet}s: the test VM locked up"
			return 0
		fi
		[ "$still" -ge "$stall_s" ] || continue
		stall_kill "$pid" "QEMU (pid $pid) used no CPU time for ${still}s: the test VM stalled"
		return 0
	done
}

