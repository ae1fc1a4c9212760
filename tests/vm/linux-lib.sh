# Linux-guest tests: boot a Linux kernel with the guest initramfs of
# scripts/mkguest-initramfs (its /init is tests/linux-guest/init) under a
# launcher, timestamp its console lines as they arrive and judge them.
# POSIX sh (busybox in the nested VM; also bash on the build machine, see
# scripts/linux-guest-qemu-check). Source after lib.sh (pass, fail, show,
# describe_status). Used by linux.sh (in suite.sh), linux-ref.sh and
# bench.sh.
#
# Settings (environment; defaults for the nested test VM):
#   LINUX_LAUNCHER   "nyx run"-compatible program ($NYX; qemu-as-nyx for
#                    reference runs)
#   LINUX_KERNEL     /boot/vmlinuz-$(uname -r): the test VM's own kernel
#   LINUX_INITRD     /linux-guest.cpio.gz
#   LINUX_MEMORY     256M
#   LINUX_TIMEOUT    seconds per boot (default 180; nyx.linux.timeout=S
#                    on the test VM's command line); the stress test gets
#                    its duration + 60 more
#   LINUX_APPEND     extra guest kernel command line
#   LINUX_ARGS       extra launcher options (word-split), e.g. devices
#   LINUX_SLEEP_MIN, LINUX_SLEEP_MAX   host-time bounds of "sleep 1" (s)
#   LINUX_LOGDIR     where each run's timestamped console goes
#   LINUX_STDIN      the launcher's stdin (default /dev/null; a FIFO
#                    sends the guest console input, tests/vm/gdb-linux.sh)
# shellcheck shell=sh

LINUX_LAUNCHER=${LINUX_LAUNCHER:-$NYX}
LINUX_KERNEL=${LINUX_KERNEL:-/boot/vmlinuz-$(uname -r)}
LINUX_INITRD=${LINUX_INITRD:-/linux-guest.cpio.gz}
LINUX_MEMORY=${LINUX_MEMORY:-256M}
LINUX_TIMEOUT=${LINUX_TIMEOUT:-180}
LINUX_APPEND=${LINUX_APPEND:-}
LINUX_SLEEP_MIN=${LINUX_SLEEP_MIN:-0.5}
LINUX_SLEEP_MAX=${LINUX_SLEEP_MAX:-3}
LINUX_LOGDIR=${LINUX_LOGDIR:-/tmp}
LINUX_CR=$(printf '\r')
# nyx.linux.timeout=S on the test VM's kernel command line overrides it
# shellcheck disable=SC2013
for w in $(cat /proc/cmdline); do
	case "$w" in
	nyx.linux.timeout=*) LINUX_TIMEOUT=${w#*=} ;;
	esac
done

# The guest kernel command line for CPUS vCPUs and a nyx.guest MODE.
# loglevel=5: kernel warnings show on the console as they happen;
# panic=-1: a panicking guest resets at once instead of hanging until the
# timeout (it then lacks GUEST DONE and fails).
linux_cmdline() {	# CPUS MODE [EXTRA]
	echo "console=ttyS0 loglevel=5 printk.time=1 panic=-1 nyx.cpus=$1 nyx.guest=$2${LINUX_APPEND:+ $LINUX_APPEND}${3:+ $3}"
}

# Copy lines from stdin to stdout, each prefixed by the uptime (s) at its
# arrival, CRs stripped; GUEST lines also go to fd 3 (the test's output,
# indented) as they come, so long runs show progress.
linux_stamp() {
	while IFS= read -r ls_line || [ -n "$ls_line" ]; do
		read -r ls_now _ </proc/uptime
		ls_line=${ls_line%"$LINUX_CR"}
		printf '%s %s\n' "$ls_now" "$ls_line"
		case "$ls_line" in
		*"GUEST "*) printf '    | %s\n' "GUEST ${ls_line#*GUEST }" >&3 ;;
		esac
	done
}

# linux_run LOG TIMEOUT CPUS APPEND: boot the kernel under the launcher
# and write its console (its stdout) to LOG, timestamped: "UPTIME
# @@LINUX-START" first, "UPTIME @@LINUX-RC STATUS" last (the launcher's
# exit status; 124, 137 or 143 when the timeout killed it). The
# launcher's own messages (stderr) go to LOG.err.
linux_run() {
	read -r lr_t0 _ </proc/uptime
	echo "$lr_t0 @@LINUX-START" >"$1"
	{
		timeout -k 5 "$2" "$LINUX_LAUNCHER" run --kernel "$LINUX_KERNEL" \
			--initrd "$LINUX_INITRD" --append "$4" --cpus "$3" \
			--memory "$LINUX_MEMORY" ${LINUX_ARGS:-} <"${LINUX_STDIN:-/dev/null}" 2>"$1.err"
		printf '\n@@LINUX-RC %s\n' "$?"
	} | linux_stamp 3>&1 >>"$1"
}

# linux_judge LOG WANT_STATUS END SLEEPS TIMEOUT: judge a finished
# linux_run. END is the end the guest must announce (poweroff or reboot),
# SLEEPS the number of SLEEP-START/END pairs expected. Sets $figures
# (timings) and $reason (empty: pass).
linux_judge() {
	lj_rc=$(sed -n 's/.*@@LINUX-RC \([0-9]*\).*/\1/p' "$1" | tail -n 1)
	lj_out=$(awk -v want="$2" -v endw="$3" -v nsleepw="$4" -v tmo="$5" \
		-v min="$LINUX_SLEEP_MIN" -v max="$LINUX_SLEEP_MAX" \
		-v desc="$(describe_status "${lj_rc:-0}")" '
	function why(s) { reason = reason (reason == "" ? "" : "; ") s }
	function rest(s, w,  i) { i = index(s, w); return substr(s, i + length(w)) }
	NR == 1 { t0 = $1 }
	/@@LINUX-RC / { rc = $NF; tend = $1; next }
	!/@@LINUX-/ && NF > 1 { lastc = substr($0, length($1) + 2) }
	/GUEST / { last = rest($0, "GUEST ") }
	/GUEST INIT/ && tinit == "" { tinit = $1 }
	/GUEST SLEEP-START/ { ts = $1 }
	/GUEST SLEEP-END/ {
		if (ts != "") {
			d = $1 - ts
			g = rest($0, "guest=")
			sleeps = sleeps sprintf("%s%.2f s (guest %s s)", nsleep ? ", " : "", d, g)
			if (d < min || d > max)
				badsleep = badsleep sprintf(" %.2f", d)
			nsleep++
		}
		ts = ""
	}
	/GUEST FAIL / { why("guest: " rest($0, "GUEST FAIL ")) }
	/GUEST DONE / { done = 1 }
	/GUEST POWEROFF/ { endg = "poweroff" }
	/GUEST REBOOT/ { endg = "reboot" }
	END {
		f = ""
		if (tinit != "") f = sprintf("boot to /init %.2f s", tinit - t0)
		if (nsleep) f = f (f == "" ? "" : ", ") "sleep 1: " sleeps
		if (tend != "") f = f (f == "" ? "" : ", ") sprintf("total %.2f s", tend - t0)
		print f
		if (rc == 124 || rc == 137 || rc == 143)
			why("timed out after " tmo " s, last " (last != "" ? "guest line: " last : "console line: " (lastc != "" ? lastc : "(none)")))
		else if (rc == "")
			why("no exit status from the launcher")
		else if (rc != want)
			why("exit status " rc " (" desc "), want " want)
		if (tinit == "")
			why("the guest never reached /init")
		else if (!done)
			why("no GUEST DONE")
		else if (endg != endw)
			why("the guest did not announce " endw)
		if (tinit != "" && nsleep < nsleepw)
			why(sprintf("%d of %d sleep measurements", nsleep, nsleepw))
		if (badsleep != "")
			why("sleep 1 took" badsleep " s of host time (want " min "-" max ")")
		print reason
	}' "$1")
	figures=$(printf '%s\n' "$lj_out" | sed -n 1p)
	reason=$(printf '%s\n' "$lj_out" | sed -n 2p)
}

# Print LOG's last lines indented, times relative to the launch, and the
# launcher's messages.
linux_show() {
	tail -n "${2:-40}" "$1" | awk -v t0="$(head -n 1 "$1" | cut -d' ' -f1)" '
		{ printf "    %7.2f %s\n", $1 - t0, substr($0, length($1) + 2) }'
	if [ -s "$1.err" ]; then
		echo "    launcher messages (stderr):"
		tail -n 10 "$1.err" | sed 's/^/      /'
	fi
}

# linux_boot_test NAME LOG TIMEOUT CPUS APPEND WANT_STATUS END SLEEPS: one
# boot (linux_run), judged (linux_judge), with its figures and verdict.
linux_boot_test() {
	echo "RUN $1"
	linux_run "$2" "$3" "$4" "$5"
	linux_judge "$2" "$6" "$7" "$8" "$3"
	echo "    $figures"
	if [ -z "$reason" ]; then
		pass "$1"
	else
		linux_show "$2"
		fail "$1" "$reason"
	fi
}

# linux_test NAME CPUS MODE [EXTRA_APPEND]: one boot; MODE poweroff
# (launcher exit status 0) or reboot (8).
linux_test() {
	case "$3" in
	reboot) lt_want=8 ;;
	*) lt_want=0 ;;
	esac
	linux_boot_test "$1" "$LINUX_LOGDIR/linux-$2cpu-$3.log" "$LINUX_TIMEOUT" "$2" \
		"$(linux_cmdline "$2" "$3" "${4:-}")" "$lt_want" "$3" 1
}

# linux_stress_test NAME CPUS SECONDS: checks, SECONDS of stress, checks
# again, power off (two sleep measurements).
linux_stress_test() {
	linux_boot_test "$1" "$LINUX_LOGDIR/linux-$2cpu-stress.log" \
		$((LINUX_TIMEOUT + $3 + 60)) "$2" \
		"$(linux_cmdline "$2" stress "nyx.stress=$3")" 0 poweroff 2
}

# linux_boot_time LAUNCHER CPUS: one boot in bench mode (/init powers off
# at once); prints the seconds from launch to "GUEST INIT", or nothing
# if the guest did not get there.
linux_boot_time() {
	lb_log=$LINUX_LOGDIR/linux-boot-time.log
	lb_saved=$LINUX_LAUNCHER
	LINUX_LAUNCHER=$1
	linux_run "$lb_log" "$LINUX_TIMEOUT" "$2" "$(linux_cmdline "$2" bench)" >/dev/null
	LINUX_LAUNCHER=$lb_saved
	awk 'NR == 1 { t0 = $1 } /GUEST INIT/ { printf "%.2f\n", $1 - t0; exit }' "$lb_log"
}
