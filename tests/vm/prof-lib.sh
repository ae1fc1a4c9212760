# Sampling helpers for the diagnostics (tests/vm/blkprof.sh, and
# bench.sh with nyx.bench.prof=S): during a workload, for PROF_S seconds,
# the hypervisor's exit counters (debugfs: /sys/kernel/debug/kvm/*,
# /sys/kernel/debug/nyx/*/vcpu0/exits and io_top), the test VM's CPU time
# (/proc/stat) and each launcher thread's CPU time (/proc/PID/task/*/stat).
# shellcheck shell=sh

PROF_S=${PROF_S:-5}
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null

prof_cpu_line() { sed -n 's/^cpu  //p' /proc/stat; }
# threads' "tid comm ticks guest" (utime + stime, and the part of it
# the kernel counted as guest time, clock ticks) of process $1
prof_threads() {
	for t in /proc/"$1"/task/*; do
		# comm can hold blanks ("CPU 0/KVM"): cut after the closing
		# parenthesis, and print them as _
		s=$(cat "$t/stat" 2>/dev/null) || continue
		c=${s#*(}
		c=$(echo "${c%%)*}" | tr ' ' _)
		r=${s##*) }
		# shellcheck disable=SC2086
		set -- $r
		echo "${t##*/} $c $((${12} + ${13})) ${41:-0}"
	done
}
# whichever hypervisor is loaded: KVM's global counters, nyx's vCPU 0
prof_counts() {
	for f in exits io_exits mmio_exits halt_exits halt_successful_poll halt_attempted_poll halt_wakeup halt_poll_success_ns halt_poll_fail_ns irq_injections irq_exits irq_window_exits signal_exits; do
		[ -f "/sys/kernel/debug/kvm/$f" ] && echo "$f $(cat "/sys/kernel/debug/kvm/$f")"
	done
	for d in /sys/kernel/debug/nyx/*/vcpu0; do
		[ -d "$d" ] && { cat "$d/exits"; echo "-- io_top"; cat "$d/io_top"; }
	done
}

# prof_sample PID: sample for PROF_S seconds, print the report
prof_sample() {
	ps_c0=$(prof_cpu_line)
	prof_threads "$1" >/tmp/prof.th0
	prof_counts >/tmp/prof.k0
	sleep "$PROF_S"
	ps_c1=$(prof_cpu_line)
	prof_threads "$1" >/tmp/prof.th1
	prof_counts >/tmp/prof.k1
	echo "    launcher pid $1"
	# shellcheck disable=SC2086
	echo "$ps_c0" "$ps_c1" | awk '{ n = NF / 2; for (i = 1; i <= n; i++) d[i] = $(i + n) - $i;
		t = 0; for (i = 1; i <= n; i++) t += d[i];
		printf "    test VM CPU over %s s: user %.0f%% nice %.0f%% sys %.0f%% idle %.0f%% iowait %.0f%% irq %.0f%% softirq %.0f%% (of 2 CPUs: 200%%)\n", '"$PROF_S"', 200*d[1]/t, 200*d[2]/t, 200*d[3]/t, 200*d[4]/t, 200*d[5]/t, 200*d[6]/t, 200*d[7]/t }'
	echo "    launcher threads, CPU ticks (1/100 s) over $PROF_S s (of which guest time):"
	awk 'NR == FNR { a[$1] = $3; g[$1] = $4; next } { printf "      %s %s %d (%d)\n", $1, $2, $3 - a[$1], $4 - g[$1] }' /tmp/prof.th0 /tmp/prof.th1
	echo "    counters, delta over $PROF_S s:"
	awk '{ k = NF == 3 ? $1 " " $2 : $1 }
	     NR == FNR { if (NF >= 2 && $NF ~ /^[0-9]+$/) a[k] = $NF; next }
	     NF >= 2 && $NF ~ /^[0-9]+$/ && (k in a) { d = $NF - a[k]; if (d) printf "      %s %.0f (%.1f/s)\n", k, d, d / '"$PROF_S"' }' /tmp/prof.k0 /tmp/prof.k1
	for m in /sys/kernel/debug/nyx/*/mmu; do
		[ -r "$m" ] && echo "    nested table: $(tr '\n' ' ' <"$m")"
	done
	if grep -q -- '-- io_top' /tmp/prof.k1; then
		echo "    io_top at the end:"
		sed -n '/-- io_top/,$p' /tmp/prof.k1 | sed 's/^/      /' | head -n 12
	fi
}

# prof_launcher_pid LAUNCHER: the pid of the running launcher
prof_launcher_pid() {
	case "$1" in
	*qemu*) pidof qemu-system-x86_64 ;;
	*) pidof nyx ;;
	esac
}

# prof_watch LOG PATTERN LAUNCHER OUT: in the background, once PATTERN is
# in LOG (a linux_run log: given up at its @@LINUX-RC line), wait 1 s and
# sample into OUT; its pid is in $prof_pid (prof_report waits for it)
prof_watch() {
	(
		while ! grep -q "$2" "$1" 2>/dev/null; do
			if grep -q '@@LINUX-RC' "$1" 2>/dev/null; then
				echo "    (not sampled: the run ended before '$2')"
				exit 0
			fi
			sleep 0.1
		done
		sleep 1
		pw_pid=$(prof_launcher_pid "$3")
		if [ -n "$pw_pid" ]; then
			prof_sample "$pw_pid"
		else
			echo "    (no launcher running to sample)"
		fi
	) >"$4" 2>&1 &
	prof_pid=$!
}
prof_report() {	# OUT
	wait "$prof_pid" 2>/dev/null
	cat "$1"
}
