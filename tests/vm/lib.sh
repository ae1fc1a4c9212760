# Helpers for the in-VM suites (busybox sh); source with ". /tests/lib.sh".
#
# Output protocol, parsed by scripts/lib/suite-parse.sh for both nested
# runners (scripts/nested-run, scripts/bochs-run):
#   RUN name                 before each test (a hang is blamed on it)
#   PASS name | FAIL name (reason) | SKIP name (reason)
#   "    ..."                anything else a test prints is indented, so it
#                            can never look like a verdict
#   vm: N passed, N failed   once, from finish (skips are not counted)

# shellcheck shell=sh disable=SC1091
[ -f /etc/nyx-test.conf ] && . /etc/nyx-test.conf

NYX=${NYX:-/bin/nyx}
GUESTS=${GUESTS:-/guests}
VMTESTS=${VMTESTS:-/vmtests}
NYX_KO=${NYX_KO:-/nyx.ko}
NYX_NO_MODULE=${NYX_NO_MODULE:-0}
# per-test limit, seconds; a guest takes well under 1 s even nested
TEST_TIMEOUT=${TEST_TIMEOUT:-60}
# launcher options for guests that use the test device
NYX_TESTDEV_ARGS=${NYX_TESTDEV_ARGS:---device testdev}

npass=0
nfail=0
OUT=/tmp/test.out

pass() { echo "PASS $1"; npass=$((npass + 1)); }
fail() { echo "FAIL $1 ($2)"; nfail=$((nfail + 1)); }
skip() { echo "SKIP $1 ($2)"; }

# The CPU vendor's virtualization flavour, from /proc/cpuinfo: "intel"
# (VMX, EPT, kvm_intel; scripts/bochs-run), "amd" (SVM, NPT, kvm_amd;
# scripts/nested-run) or "unknown".
cpu_vendor() {
	case "$(sed -n 's/^vendor_id[[:space:]]*: *//p' /proc/cpuinfo | head -1)" in
	GenuineIntel) echo intel ;;
	AuthenticAMD) echo amd ;;
	*) echo unknown ;;
	esac
}

# Uptime in centiseconds (for test durations).
uptime_cs() { sed 's/^\([0-9]*\)\.\([0-9]*\) .*/\1\2/' /proc/uptime; }

# Print a file indented (the last 40 lines: enough for a guest's report).
show() { tail -n 40 "$1" | sed 's/^/    /'; }

# Human-readable meaning of a "nyx run" exit status.
describe_status() {
	case "$1" in
	0) echo "all vCPUs halted or guest powered off" ;;
	2) echo "usage/setup error" ;;
	4) echo "guest shutdown/triple fault" ;;
	6) echo "vCPU failure: entry failure or internal error" ;;
	8) echo "guest reset/reboot" ;;
	33) echo "guest PASS" ;;
	35) echo "guest: unexpected exception" ;;
	124|137|143) echo "killed by the timeout" ;;
	*)
		if [ "$1" -gt 35 ] && [ $(($1 % 2)) = 1 ] && [ "$1" -lt 256 ]; then
			echo "guest check $((($1 >> 1) - 0x11)) failed"
		else
			echo "unexpected"
		fi ;;
	esac
}

# run_cmd NAME CMD [ARGS...]: pass if CMD exits 0 within TEST_TIMEOUT.
run_cmd() {
	name=$1
	shift
	echo "RUN $name"
	timeout -k 5 "$TEST_TIMEOUT" "$@" </dev/null >"$OUT" 2>&1
	rc=$?
	if [ "$rc" = 0 ]; then
		pass "$name"
	else
		show "$OUT"
		if [ "$rc" = 143 ] || [ "$rc" = 137 ]; then
			fail "$name" "timed out after ${TEST_TIMEOUT}s"
		else
			fail "$name" "exit status $rc"
		fi
	fi
}

# check_guest NAME STATUS EXPECT OUTFILE RC: judge one finished launcher run.
# Sets $reason and returns 1 on failure.
check_guest() {
	reason=
	if [ "$5" != "$2" ]; then
		reason="exit status $5 ($(describe_status "$5")), want $2"
	elif ! grep -qF "$3" "$4"; then
		reason="output lacks \"$3\""
	fi
	[ -z "$reason" ]
}

# guest_test NAME BIN STATUS EXPECT [NYX RUN OPTIONS...]
#   run "nyx run OPTIONS --flat /guests/BIN"; pass if it exits with STATUS
#   and its output (stdout+stderr) contains the fixed string EXPECT.
wait_sock() {	# SOCKET: wait (10 s at most) for a launcher's UNIX socket
	ws_i=0
	while [ ! -S "$1" ] && [ $ws_i -lt 100 ]; do
		sleep 0.1
		ws_i=$((ws_i + 1))
	done
}

guest_test() {
	name=$1 bin=$2 want=$3 expect=$4
	shift 4
	if [ "$NYX_NO_MODULE" = 1 ]; then
		skip "$name" "no module"
		return
	fi
	echo "RUN $name"
	if [ ! -x "$NYX" ] || [ ! -f "$GUESTS/$bin" ]; then
		fail "$name" "missing $NYX or $GUESTS/$bin"
		return
	fi
	t0=$(uptime_cs)
	# stdin from /dev/null: the launcher's serial backend reads stdin
	timeout -k 5 "$TEST_TIMEOUT" "$NYX" run "$@" --flat "$GUESTS/$bin" </dev/null >"$OUT" 2>&1
	rc=$?
	t1=$(uptime_cs)
	echo "    took $(((t1 - t0) / 100)).$(printf %02d $(((t1 - t0) % 100)))s"
	if check_guest "$name" "$want" "$expect" "$OUT" "$rc"; then
		pass "$name"
	else
		show "$OUT"
		fail "$name" "$reason"
	fi
}

# insmod_nyx / rmmod_nyx: load or unload nyx.ko as a test of its own
# ("insmod nyx.ko", "rmmod nyx"); return 1 if that failed.
insmod_nyx() {
	echo "RUN insmod nyx.ko"
	if insmod "$NYX_KO" >"$OUT" 2>&1 && [ -c /dev/nyx ]; then
		pass "insmod nyx.ko"
		return 0
	fi
	show "$OUT"
	fail "insmod nyx.ko" "insmod failed or no /dev/nyx"
	return 1
}

rmmod_nyx() {
	echo "RUN rmmod nyx"
	if rmmod nyx >"$OUT" 2>&1 && ! grep -q '^nyx ' /proc/modules; then
		pass "rmmod nyx"
		return 0
	fi
	show "$OUT"
	grep '^nyx ' /proc/modules | sed 's/^/    /'
	fail "rmmod nyx" "module still loaded"
	return 1
}

# Final line; the suite's exit status is 0 only if nothing failed.
finish() {
	echo "vm: $npass passed, $nfail failed"
	[ "$nfail" = 0 ]
}
