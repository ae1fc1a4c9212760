#!/bin/bash
# A stand-in for qemu-system-x86_64 in tests/scripts/stall-watch-test.sh.
#
# Started as "qemu-system-x86_64 fake-qemu.sh REGS LAPIC0 LAPIC1
# [LAPIC0_AFTER_KEY] -monitor pipe:PATH" (exec -a), it looks to
# scripts/lib/stall-watch.sh like the test VM's emulator: it uses CPU time, as a running emulator does,
# and answers the monitor commands the watch sends through
# PATH.in/PATH.out with the files given: a vCPU state that the real
# emulator cannot be made to show on purpose (a halted vCPU holding a
# deliverable interrupt). With LAPIC0_AFTER_KEY, a "sendkey" makes CPU 0's
# APIC look like that from then on (the key's interrupt woke the CPU, as
# it would after a lost wake-up request). Like QEMU's monitor it echoes
# each command with terminal escapes and CRLF line ends, and prompts with
# "(qemu) ".
# (Bash, not Python: a Python behind a version shim re-executes itself
# and loses the name.)
set -u
path='' files=()
while [ $# -gt 0 ]; do
	case "$1" in
	-monitor) path=${2#pipe:}; shift 2 ;;
	*) files+=("$1"); shift ;;
	esac
done
if [ -z "$path" ] || [ ${#files[@]} -lt 3 ] || [ ${#files[@]} -gt 4 ]; then
	echo "usage: fake-qemu.sh REGS LAPIC0 LAPIC1 [LAPIC0_AFTER_KEY] -monitor pipe:PATH" >&2
	exit 2
fi
regs=${files[0]}
lapic=("${files[1]}" "${files[2]}")
after_key=${files[3]:-}
# read-write opens neither block nor see end-of-file or EPIPE as the
# watch's readers and writers come and go
exec 3<>"$path.in" 4<>"$path.out"
answer() { sed 's/$/\r/' "$1" >&4; }
printf "QEMU fake monitor - type 'help' for more information\r\n(qemu) " >&4
cpu=0
while :; do
	# some CPU time between commands (a running emulator's), little
	# enough to leave the watch the rest of a loaded machine
	for ((i = 0; i < 2000; i++)); do :; done
	read -r -t 0.1 cmd <&3 || continue
	printf '%s\033[K\r\n' "$cmd" >&4
	case "$cmd" in
	"cpu "[0-9]*) cpu=${cmd#cpu } ;;
	"info lapic") answer "${lapic[$cpu]}" ;;
	"info registers -a") answer "$regs" ;;
	"sendkey "*) [ -z "$after_key" ] || lapic[0]=$after_key ;;
	*) printf "unknown command: '%s'\r\n" "$cmd" >&4 ;;
	esac
	printf '(qemu) ' >&4
done
