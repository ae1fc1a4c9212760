# Debian's gdb against a Linux guest under nyx (not part of suite.sh:
# two more Linux boots, ~1.5 min under QEMU; run alone with
#   scripts/nested-run --suite tests/vm/gdb-linux.sh
# ). For 1 and 2 vCPUs: the Linux guest of linux.sh boots with
# nyx.guest=gdb under "nyx run --gdb unix:SOCK --watchdog
# timeout=1,action=log"; its /init prints the addresses of
# hrtimer_interrupt and schedule from /proc/kallsyms (KASLR), keeps a
# timer busy and waits for a console line. gdb -batch then attaches
# (stops every vCPU), lists the threads (one per vCPU), sets a hardware
# breakpoint on hrtimer_interrupt, continues until it hits, single-steps,
# disassembles at $pc (memory through the guest's page tables), sets a
# software breakpoint on schedule, continues until it hits, holds the
# guest stopped for 3 s (longer than the watchdog's timeout), then
# continues three times to a software breakpoint on the sync syscall
# while the guest's own kprobe INT3 (on every sleep in between) must go
# to the guest, not to gdb; deletes the breakpoints and detaches. The host then sends the line; the guest
# runs its checks again (sleep, dmesg) and powers off.
#
# Passes if gdb saw all of it (RIP at each breakpoint equal to the
# kallsyms address, in the kernel image's range 0xffffffff80000000-
# 0xffffffffc0000000; a different RIP after stepi;
# four instructions disassembled; 1 or 2 threads), the boot passes as in
# linux.sh (both rounds of checks, exit status 0 after poweroff) and the
# watchdog stayed quiet while gdb held the guest.
# shellcheck shell=sh source=tests/vm/lib.sh
. /tests/lib.sh
# shellcheck source=tests/vm/linux-lib.sh
. /tests/linux-lib.sh

gl_runner=
# shellcheck disable=SC2013
for w in $(cat /proc/cmdline); do
	case "$w" in
	nyx.runner=*) gl_runner=${w#*=} ;;
	esac
done
# Bochs runs the whole test VM at ~100 MIPS: a nested boot takes ~65 s
[ "$gl_runner" = bochs ] && LINUX_TIMEOUT=$((LINUX_TIMEOUT * 3))

gl_why() {	# REASON
	gl_reason="$gl_reason${gl_reason:+; }$1"
}

gl_expect() {	# PATTERN WHAT: grep -E in the gdb output
	grep -qE "$1" /tmp/gdbl.out || gl_why "$2"
}

gdb_linux() {	# CPUS
	n=$1
	name="gdb: Linux guest, $n vCPU(s): breakpoints, step, memory, threads"
	log=$LINUX_LOGDIR/linux-${n}cpu-gdb.log
	sock=/tmp/nyx-gdbl.sock
	fifo=/tmp/gdbl.in
	echo "RUN $name"
	rm -f "$sock" "$fifo" /tmp/gdbl.out
	mkfifo "$fifo"
	# held open both ways: the launcher's open does not block and its
	# console input sees no EOF until we are done
	exec 7<>"$fifo"
	LINUX_STDIN=$fifo
	LINUX_ARGS="--gdb unix:$sock --watchdog timeout=1,action=log"
	LINUX_LAUNCHER=$NYX
	# 2 vCPUs under QEMU: pinned to CPU 0, as in linux.sh (TCG's nested
	# SVM loses SMP guests spread over both CPUs)
	if [ "$n" -ge 2 ] && [ "$gl_runner" = qemu ]; then
		printf '#!/bin/sh\nexec taskset -c 0 %s "$@"\n' "$NYX" >/tmp/nyx-cpu0
		chmod +x /tmp/nyx-cpu0
		LINUX_LAUNCHER=/tmp/nyx-cpu0
	fi
	linux_run "$log" "$LINUX_TIMEOUT" "$n" "$(linux_cmdline "$n" gdb)" &
	run_pid=$!

	gl_reason=
	i=0
	while ! grep -q 'GUEST GDB-READY' "$log" 2>/dev/null; do
		if ! kill -0 "$run_pid" 2>/dev/null || [ $i -ge $((LINUX_TIMEOUT * 2)) ]; then
			gl_why "no GUEST GDB-READY"
			break
		fi
		sleep 0.5
		i=$((i + 1))
	done
	ready=$(grep -m 1 'GUEST GDB-READY' "$log")
	hrt=$(echo "$ready" | sed -n 's/.* hrtimer_interrupt=\(0x[0-9a-f]*\).*/\1/p')
	sch=$(echo "$ready" | sed -n 's/.* schedule=\(0x[0-9a-f]*\).*/\1/p')
	syn=$(echo "$ready" | sed -n 's/.* sys_sync=\(0x[0-9a-f]*\).*/\1/p')
	# the kernel image lives in 0xffffffff80000000-0xffffffffc0000000
	# (KASLR moves it within)
	case "$hrt:$sch:$syn" in
	0xffffffff[89ab]???????:0xffffffff[89ab]???????:0xffffffff[89ab]???????) ;;
	*)	[ -n "$gl_reason" ] || gl_why "kallsyms addresses not in the kernel's range: '$hrt' '$sch' '$syn'"
		hrt= ;;
	esac
	if [ -n "$hrt" ]; then
		cat >/tmp/gdbl.cmds <<EOC
set pagination off
set confirm off
target remote $sock
info threads
info registers rip
hbreak *$hrt
continue
info registers rip
stepi
info registers rip
x/4i \$pc
delete
break *$sch
continue
info registers rip
info threads
shell sleep 3
delete
break *$syn
continue
continue
continue
info registers rip
delete
detach
EOC
		timeout -k 5 120 gdb -nx -batch -x /tmp/gdbl.cmds </dev/null >/tmp/gdbl.out 2>&1
		grc=$?
		[ "$grc" = 0 ] || gl_why "gdb exit status $grc"
		# the RIPs gdb printed, in order: attach, hbreak, stepi, break,
		# break on sys_sync (third stop)
		rips=$(awk '/^rip / { print $2 }' /tmp/gdbl.out | tr '\n' ' ')
		echo "    breakpoints: hrtimer_interrupt $hrt, schedule $sch, __x64_sys_sync $syn; rip seen: $rips"
		set -- $rips
		[ "${2:-}" = "$hrt" ] || gl_why "hardware breakpoint: rip ${2:-none}, want $hrt"
		case "${3:-}" in
		""|"$hrt") gl_why "stepi: rip ${3:-none}, want past $hrt" ;;
		0xffffffff[89ab]???????) ;;
		*) gl_why "stepi: rip $3 outside the kernel image" ;;
		esac
		[ "${4:-}" = "$sch" ] || gl_why "software breakpoint: rip ${4:-none}, want $sch"
		[ "${5:-}" = "$syn" ] || gl_why "software breakpoint on sys_sync: rip ${5:-none}, want $syn"
		nsync=$(grep -cE '(^|hit )Breakpoint 3, ' /tmp/gdbl.out)
		[ "$nsync" = 3 ] || gl_why "$nsync stops at the sys_sync breakpoint, want 3"
		gl_expect '^\* 1 +Thread 1' "info threads: thread 1"
		if [ "$n" -ge 2 ]; then
			gl_expect '^ +2 +Thread 2' "info threads: thread 2"
		else
			grep -qE '^ +2 +Thread 2' /tmp/gdbl.out && gl_why "a second thread with 1 vCPU"
		fi
		gl_expect 'Hardware assisted breakpoint 1 at' "hbreak set"
		gl_expect '(^|hit )Breakpoint 1, ' "hardware breakpoint reported"
		gl_expect '(^|hit )Breakpoint 2, ' "software breakpoint reported"
		ninsn=$(grep -cE '^(=>)? +0xffffffff[89ab][0-9a-f]+:[[:space:]]+[a-z]' /tmp/gdbl.out)
		[ "$ninsn" -ge 4 ] || gl_why "x/4i \$pc: $ninsn instructions disassembled"
		gl_expect 'Inferior 1 .* detached' "detach"
		grep -q SIGTRAP /tmp/gdbl.out && gl_why "gdb saw a SIGTRAP (a #BP not of its own)"
	fi
	# the guest goes on: checks again, then poweroff
	echo go >&7
	wait "$run_pid"
	exec 7>&-
	rm -f "$fifo"
	LINUX_STDIN=
	LINUX_ARGS=
	linux_judge "$log" 0 poweroff 2 "$LINUX_TIMEOUT"
	echo "    $figures"
	[ -z "$reason" ] || gl_why "$reason"
	grep -q 'GUEST GDB-GO' "$log" || gl_why "the guest did not go on after the detach"
	if grep -q 'watchdog: vCPU' "$log.err"; then
		gl_why "false WATCHDOG: $(grep -m 1 'watchdog: vCPU' "$log.err")"
	fi
	if [ -z "$gl_reason" ]; then
		pass "$name"
	else
		echo "    gdb:"
		show /tmp/gdbl.out
		linux_show "$log"
		fail "$name" "$gl_reason"
	fi
}

if [ "$NYX_NO_MODULE" = 1 ]; then
	skip "gdb: Linux guest" "no module"
elif ! command -v gdb >/dev/null 2>&1; then
	skip "gdb: Linux guest" "no gdb in the test VM"
elif [ ! -f "$LINUX_KERNEL" ] || [ ! -f "$LINUX_INITRD" ]; then
	skip "gdb: Linux guest" "no $LINUX_KERNEL or $LINUX_INITRD (--no-linux)"
elif insmod_nyx; then
	gdb_linux 1
	gdb_linux 2
	rmmod_nyx
fi
finish
