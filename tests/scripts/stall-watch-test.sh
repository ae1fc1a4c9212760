#!/bin/bash
# Tests of the nested runners' stall watch (scripts/lib/stall-watch.sh)
# and of the verdicts scripts/lib/suite-parse.sh gives from it
# (Documentation/testing.rst: STALL, LOCKUP, LOST WAKEUP).
#
#   - the pieces, on monitor output: mon_regs on a real "info registers
#     -a" capture, spinning, sleeping_through on "info lapic" answers;
#   - the whole watch, sampling every second (stall_tick=1, stall_s=3),
#     against a real qemu-system-x86_64 (TCG) running a boot sector:
#     "cli; jmp $" must end as a LOCKUP, a VM that never starts (-S) as a
#     STALL, and "sti; jmp $" (busy, interrupts on) must be left alone;
#   - the LOST WAKEUP, which the real emulator cannot be made to show on
#     purpose, against tests/scripts/fake-qemu.sh: a process that looks
#     like QEMU to the watch (its name, its CPU time, its monitor pipe) and
#     answers with the state the stall of 2026-11-27 01:58 showed (CPU 0
#     halted with IF set, IRR 236 251, PPR 0x10), the console meanwhile
#     getting only the kernel's soft-lockup reports (a key press for CPU 0
#     first, in vain); and, to be left alone, the same where the key press
#     wakes CPU 0 (noted once), with the vectors in service (PPR 0xf0),
#     or with the suite still printing lines of its own.
#
# fixtures/: realmode-regs.txt and idle-lapic0.txt are QEMU 7.2's monitor
# output (Debian 7.2+dfsg-7), escapes and CRs stripped as mon_cmd does;
# the others are edited from them in QEMU's format (target/i386/
# cpu-dump.c, hw/intc/apic_common.c). Prints "N passed, N failed".
set -uo pipefail
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
FIX=$TOP/tests/scripts/fixtures
# shellcheck source=scripts/lib/stall-watch.sh
. "$TOP/scripts/lib/stall-watch.sh"
# shellcheck source=scripts/lib/suite-parse.sh
. "$TOP/scripts/lib/suite-parse.sh"

npass=0
nfail=0
ok() { echo "PASS $1"; npass=$((npass + 1)); }
bad() { echo "FAIL $1: $2"; nfail=$((nfail + 1)); }
check() {	# NAME GOT WANT
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		bad "$1" "got [$2], want [$3]"
	fi
}

tmp=$(mktemp -d /tmp/nyx-stall-test.XXXXXX)
qpid=
cleanup() {
	[ -z "$qpid" ] || kill -KILL "$qpid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

# ---- the pieces -------------------------------------------------------
# mon_cmd stands in for the monitor: $regs_file for "info registers -a",
# $lapic0_file / $lapic1_file for "cpu N" + "info lapic"
regs_file=$FIX/realmode-regs.txt
lapic0_file=$FIX/idle-lapic0.txt
lapic1_file=$FIX/idle-lapic1.txt
mon_cmd() {
	case "$1" in
	'info registers -a') cat "$regs_file" ;;
	'cpu 0'*) cat "$lapic0_file" ;;
	'cpu 1'*) cat "$lapic1_file" ;;
	esac
}

check "mon_regs: real mode, two CPUs" "$(mon_regs)" \
	"$(printf '00007c02 00000202 1\n000fd09a 00000002 1')"
regs_file=$FIX/lost-wakeup-regs.txt
check "mon_regs: long mode" "$(mon_regs)" \
	"$(printf 'ffffffff81a5f2eb 00000246 1\nffffffff81a5f2eb 00000246 1')"

# spins NAME yes|no PREV CUR: does spinning see PREV -> CUR as a lockup?
spins() {
	local got=no
	spinning "$3" "$4" && got=yes
	check "spinning: $1" "$got" "$2"
}
in_place=$(printf 'ffffffff810e17e0 00000002 0\nffffffff81a5258c 00000082 0')
spins "both CPUs in place, IF clear" yes "$in_place" \
	"$(printf 'ffffffff810e17f4 00000002 0\nffffffff81a52580 00000082 0')"
spins "no earlier sample" no "" "$in_place"
spins "one CPU with IF set" no "$in_place" \
	"$(printf 'ffffffff810e17e0 00000202 0\nffffffff81a5258c 00000082 0')"
spins "one CPU moved 288 bytes" no "$in_place" \
	"$(printf 'ffffffff810e1900 00000002 0\nffffffff81a5258c 00000082 0')"
spins "CPU count changed" no "$in_place" "ffffffff810e17e0 00000002 0"
# 32-bit EIPs; RIPs that differ only above bit 31
spins "real mode" yes "00007c02 00000002 1" "00007c04 00000002 1"
spins "upper halves differ" no "ffffffff810e17e0 00000002 0" \
	"ffffffff010e17e0 00000002 0"

regs=$(mon_regs)
lapic0_file=$FIX/lost-wakeup-lapic0.txt
check "sleeping_through: halted, IF set, IRR 236 251 above PPR 0x10" \
	"$(sleeping_through "$regs")" "CPU 0 IRR 236 251 PPR 0x10"
lapic0_file=$FIX/in-service-lapic0.txt
check "sleeping_through: the same vectors in service (PPR 0xf0)" \
	"$(sleeping_through "$regs")" ""
lapic0_file=$FIX/idle-lapic0.txt
check "sleeping_through: nothing pending" "$(sleeping_through "$regs")" ""
lapic0_file=$FIX/lost-wakeup-lapic0.txt
check "sleeping_through: IF clear" \
	"$(sleeping_through "$(printf 'ffffffff81a5f2eb 00000046 1\nffffffff81a5f2eb 00000246 1')")" ""
check "sleeping_through: not halted" \
	"$(sleeping_through "$(printf 'ffffffff81a5f2eb 00000246 0\nffffffff81a5f2eb 00000246 1')")" ""
unset -f mon_cmd
# shellcheck source=scripts/lib/stall-watch.sh
. "$TOP/scripts/lib/stall-watch.sh"	# the real mon_cmd back

# ---- the whole watch ----------------------------------------------------
stall_tick=1
stall_s=3
lockup_n=3
sleep_n=3
log=$tmp/console.log
export SUITE_STALL_FILE=$tmp/stall.txt
export SUITE_KICK_FILE=$tmp/kicks.txt

# boot_sector NAME CODE: a bootable disk image whose boot sector runs
# CODE (printf escapes)
boot_sector() {
	local img=$tmp/$1.img
	printf '%b' "$2" >"$img"
	truncate -s 510 "$img"
	printf '\x55\xaa' >>"$img"
	echo "$img"
}

# watch_run NAME SECONDS LAUNCH...: start the emulator (LAUNCH, with
# -monitor pipe:$mon appended) and the watch; wait until the watch ends
# or SECONDS pass; sets $verdict (the first line of the stall file, or
# "none"), $elapsed and $watching (the watch still at work at the end:
# yes or no); the emulator is gone afterwards. With $feed set,
# that line is added to the console every second meanwhile.
watch_run() {
	local name=$1 limit=$2 wpid t0 fpid=''
	shift 2
	mon=$tmp/mon.$name
	rm -f "$mon.in" "$mon.out" "$SUITE_STALL_FILE" "$SUITE_KICK_FILE"
	mkfifo "$mon.in" "$mon.out"
	: >"$log"
	# in a subshell of its own, whose "Killed" goes nowhere
	rm -f "$tmp/pid"
	(
		"$@" -monitor "pipe:$mon" </dev/null >"$tmp/$name.out" 2>&1 &
		echo $! >"$tmp/pid"
		wait
	) 2>/dev/null &
	while [ ! -s "$tmp/pid" ]; do sleep 0.05; done
	qpid=$(cat "$tmp/pid")
	t0=$SECONDS
	if [ -n "${feed:-}" ]; then
		while :; do
			echo "$feed" >>"$log"
			sleep 1
		done &
		fpid=$!
	fi
	stall_watch &
	wpid=$!
	while kill -0 "$wpid" 2>/dev/null && [ $((SECONDS - t0)) -lt "$limit" ]; do
		sleep 0.2
	done
	elapsed=$((SECONDS - t0))
	watching=no
	kill -0 "$wpid" 2>/dev/null && watching=yes
	[ -z "$fpid" ] || kill "$fpid" 2>/dev/null
	kill -KILL "$qpid" 2>/dev/null
	while kill -0 "$qpid" 2>/dev/null; do sleep 0.05; done
	qpid=
	# the watch returns once the emulator is gone
	wait "$wpid" 2>/dev/null
	verdict=none
	[ -s "$SUITE_STALL_FILE" ] && verdict=$(head -n 1 "$SUITE_STALL_FILE")
}

# verdict_line RUNNING: suite_verdict's line for the stall file, with a
# console whose last test is RUNNING
verdict_line() {
	printf '@@NYX-SUITE-BEGIN@@\nRUN %s\n' "$1" >"$tmp/verdict.log"
	suite_verdict "stall test" "$tmp/verdict.log" 137 60 "$EPOCHREALTIME" "$EPOCHREALTIME" |
		grep -E '^(STALL|LOCKUP|LOST WAKEUP|TIMEOUT):'
}

qemu=(qemu-system-x86_64 -accel tcg -display none -nic none -serial "file:$log")

# LOCKUP: the console silent for stall_s, then lockup_n samples of the
# CPU spinning with IF clear (SeaBIOS's own run first: a few seconds)
img=$(boot_sector lockup '\xfa\xeb\xfe')	# cli; jmp $
watch_run lockup 40 "${qemu[@]}" -drive "file=$img,format=raw"
case "$verdict" in
*"spun with interrupts off at the same place"*"the test VM locked up")
	ok "watch: cli; jmp \$ is a lockup (${elapsed}s)" ;;
*) bad "watch: cli; jmp \$ is a lockup" "verdict [$verdict] after ${elapsed}s" ;;
esac
v=$(verdict_line "lockup test")
case "$v" in
"LOCKUP: the test VM's kernel locked up ("*"running test: lockup test; vCPU state: $SUITE_STALL_FILE")
	ok "verdict: LOCKUP names the test" ;;
*) bad "verdict: LOCKUP names the test" "[$v]" ;;
esac
if grep -q '^EIP=' "$SUITE_STALL_FILE" && grep -q '^IRR' "$SUITE_STALL_FILE"; then
	ok "watch: the lockup's registers and APICs kept"
else
	bad "watch: the lockup's registers and APICs kept" "$(head -c 300 "$SUITE_STALL_FILE")"
fi

# STALL: an emulator that uses no CPU time (its VM never started)
img=$(boot_sector stall '\xfa\xf4')	# cli; hlt
watch_run stall 30 "${qemu[@]}" -S -drive "file=$img,format=raw"
case "$verdict" in
*"used no CPU time for "*"s: the test VM stalled") ok "watch: a VM that does not run is a stall (${elapsed}s)" ;;
*) bad "watch: a VM that does not run is a stall" "verdict [$verdict] after ${elapsed}s" ;;
esac
v=$(verdict_line "stall test")
case "$v" in
"STALL: the whole test VM stopped (no emulator CPU time for "*"running test: stall test; vCPU state: $SUITE_STALL_FILE")
	ok "verdict: STALL names the test" ;;
*) bad "verdict: STALL names the test" "[$v]" ;;
esac

# busy with interrupts on, console silent: nothing to say in the 35 s
# that are enough to see the lockup above (18 s here)
img=$(boot_sector busy '\xfb\xeb\xfe')	# sti; jmp $
watch_run busy 35 "${qemu[@]}" -drive "file=$img,format=raw"
check "watch: sti; jmp \$ is left alone" "$verdict, watching $watching" "none, watching yes"

# LOST WAKEUP, replayed: a halted vCPU holding deliverable interrupts,
# while the other CPU, waiting on it, prints soft-lockup reports (as at
# 2026-11-27 04:10): kernel lines are not the suite making progress
# shellcheck disable=SC2016 # $0 and $@ are the inner shell's
fake=(bash -c 'exec -a qemu-system-x86_64 bash "$0" "$@"' "$TOP/tests/scripts/fake-qemu.sh")
feed='[  432.709963] watchdog: BUG: soft lockup - CPU#1 stuck for 26s! [virtio-net:682]'
watch_run lost 30 "${fake[@]}" "$FIX/lost-wakeup-regs.txt" \
	"$FIX/lost-wakeup-lapic0.txt" "$FIX/idle-lapic1.txt"
feed=
case "$verdict" in
*"a vCPU stayed halted with interrupts enabled and deliverable ones pending for "*"(CPU 0 IRR 236 251 PPR 0x10): the emulator did not wake it")
	ok "watch: a halted vCPU with IRR 236 251 over PPR 0x10 is a lost wakeup (${elapsed}s)" ;;
*) bad "watch: a halted vCPU with IRR 236 251 over PPR 0x10 is a lost wakeup" "verdict [$verdict] after ${elapsed}s" ;;
esac
v=$(verdict_line "lost wakeup test")
case "$v" in
"LOST WAKEUP: a vCPU stayed halted"*"running test: lost wakeup test; vCPU state: $SUITE_STALL_FILE")
	ok "verdict: LOST WAKEUP names the test" ;;
*) bad "verdict: LOST WAKEUP names the test" "[$v]" ;;
esac
# a key was pressed for CPU 0 first (in vain here: the state stayed)
if grep -q '^[0-9:]* CPU 0 IRR 236 251 PPR 0x10, for [0-9]*s: pressed a key$' "$SUITE_KICK_FILE" 2>/dev/null; then
	ok "watch: a key pressed for the sleeping CPU 0"
else
	bad "watch: a key pressed for the sleeping CPU 0" "kicks: [$(cat "$SUITE_KICK_FILE" 2>/dev/null)]"
fi
# the same, but the key press wakes CPU 0 (as it would end a lost wake-up
# request): the run goes on, the press noted once
watch_run repaired 35 "${fake[@]}" "$FIX/lost-wakeup-regs.txt" \
	"$FIX/lost-wakeup-lapic0.txt" "$FIX/idle-lapic1.txt" "$FIX/idle-lapic0.txt"
check "watch: a lost wakeup a key press repairs is no verdict" "$verdict, watching $watching" "none, watching yes"
check "watch: that key press noted once" \
	"$(grep -c 'CPU 0 IRR 236 251 PPR 0x10, for [0-9]*s: pressed a key$' "$SUITE_KICK_FILE" 2>/dev/null)" 1
# the same vectors in service: the vCPU runs its handler, nothing lost
# (35 s: the lost wakeup above is seen in ~22 s)
watch_run inservice 35 "${fake[@]}" "$FIX/lost-wakeup-regs.txt" \
	"$FIX/in-service-lapic0.txt" "$FIX/idle-lapic1.txt"
check "watch: the same vectors in service are left alone" "$verdict, watching $watching" "none, watching yes"
# the suite still talking: not a stall, whatever the vCPUs look like
feed='RUN a test that prints'
watch_run talking 35 "${fake[@]}" "$FIX/lost-wakeup-regs.txt" \
	"$FIX/lost-wakeup-lapic0.txt" "$FIX/idle-lapic1.txt"
feed=
check "watch: a console with the suite's lines is left alone" "$verdict, watching $watching" "none, watching yes"

echo "stall watch: $npass passed, $nfail failed"
[ "$nfail" = 0 ]
