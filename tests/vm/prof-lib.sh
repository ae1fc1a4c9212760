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

# Where the guest runs: the guest RIP at each exit for a host interrupt
# (SVM exit code 0x60: the test VM's timer ticks and kicks arrive at any
# point of the guest's work, so these exits sample its time), from
# KVM's kvm_exit or nyx's nyx_exit tracepoint. prof_rips_start enables
# the event; prof_rips_report prints the top guest functions. The guest
# runs the test VM's own kernel, so its symbols are the test VM's
# /proc/kallsyms when neither is relocated: the guest boots with nokaslr
# when profiling, the test VM needs it on its command line too
# (scripts/bench --append "nokaslr ...").
prof_tracefs() {
	mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
	for d in /sys/kernel/tracing /sys/kernel/debug/tracing; do
		[ -d "$d/events" ] && { echo "$d"; return 0; }
	done
	return 1
}
prof_hv() {	# TRACEFS: the loaded hypervisor whose events it has
	if [ -d "$1/events/nyx/nyx_exit" ]; then
		echo nyx
	elif [ -d "$1/events/kvm/kvm_exit" ]; then
		echo kvm
	else
		return 1
	fi
}
prof_rips_event() {	# TRACEFS: its exit event and exit-code field
	case "$(prof_hv "$1")" in
	nyx) echo "nyx/nyx_exit reason" ;;
	kvm) echo "kvm/kvm_exit exit_reason" ;;
	*) return 1 ;;
	esac
}
prof_rips_start() {
	pr_t=$(prof_tracefs) || return 0
	pr_e=$(prof_rips_event "$pr_t") || return 0
	# shellcheck disable=SC2086
	set -- $pr_e
	echo 0 >"$pr_t/tracing_on"
	echo >"$pr_t/trace"
	echo "$2 == 0x60" >"$pr_t/events/$1/filter"
	echo 1 >"$pr_t/events/$1/enable"
	echo 1 >"$pr_t/tracing_on"
}
prof_rips_report() {
	pr_t=$(prof_tracefs) || return 0
	pr_e=$(prof_rips_event "$pr_t") || return 0
	# shellcheck disable=SC2086
	set -- $pr_e
	echo 0 >"$pr_t/tracing_on"
	echo 0 >"$pr_t/events/$1/enable"
	echo 0 >"$pr_t/events/$1/filter"
	sed -n 's/.* rip 0x\([0-9a-f]*\).*/\1/p' "$pr_t/trace" >/tmp/prof.rips
	echo >"$pr_t/trace"
	pr_n=$(wc -l </tmp/prof.rips)
	pr_base=$(awk '$3 == "_text" { print $1; exit }' /proc/kallsyms)
	pr_kernel=1
	if [ "$pr_base" != ffffffff81000000 ]; then
		echo "    (guest kernel functions not named: the test VM's kernel is relocated, _text $pr_base; boot it with nokaslr)"
		pr_kernel=
	fi
	echo "    guest RIP at $pr_n host-interrupt exits, top functions:"
	[ "$pr_n" -gt 0 ] || return 0
	# user-mode RIPs are one bucket, the guest's modules (from
	# 0xffffffffc0000000 without KASLR) another; kernel RIPs go to the
	# symbol at or below them: both lists sorted by address, one merge
	# pass (the guest's modules are not the test VM's: not named)
	{
		[ -z "$pr_kernel" ] || awk 'NF == 3 && $2 ~ /^[tTwW]$/ && $1 ~ /^ffffffff[0-b]/ { print substr($1, 9), "A", $3 }' /proc/kallsyms
		awk 'length($1) == 16 && $1 ~ /^ffffffff[0-b]/ { print substr($1, 9), "B" }' /tmp/prof.rips
	} | sort | awk '$2 == "A" { sym = $3; next } { n[sym == "" ? "?" : sym]++ }
		END { for (s in n) print n[s], s }' >/tmp/prof.syms
	awk 'length($1) != 16 || $1 !~ /^ffffffff/ { u++ }
	     length($1) == 16 && $1 ~ /^ffffffff[c-f]/ { m++ }
	     END { print u + 0, "(guest-user-mode)"; print m + 0, "(guest-modules)" }' \
		/tmp/prof.rips >>/tmp/prof.syms
	sort -rn /tmp/prof.syms | head -n 25 |
		awk -v n="$pr_n" '{ printf "      %5.1f%% %s\n", 100 * $1 / n, $2 }'
}

# The hypervisor's last events before a guest dies (bench.sh with
# nyx.bench.trace=N): prof_trace_start turns on nyx's tracepoints, or
# KVM's, into the ring buffer (only the newest stay); prof_trace_stop N
# turns them off and, given N, prints the last N events (the death's
# exits, injections, MSR accesses, entries, all CPUs by time).
prof_trace_events() {	# TRACEFS
	case "$(prof_hv "$1")" in
	nyx) echo "nyx/nyx_exit nyx/nyx_entry nyx/nyx_inject nyx/nyx_msr" ;;
	kvm) echo "kvm/kvm_exit kvm/kvm_entry kvm/kvm_inj_virq kvm/kvm_inj_exception kvm/kvm_msr" ;;
	*) return 1 ;;
	esac
}
prof_trace_start() {
	pt_t=$(prof_tracefs) || return 0
	pt_e=$(prof_trace_events "$pt_t") || return 0
	echo 0 >"$pt_t/tracing_on"
	echo 4096 >"$pt_t/buffer_size_kb"
	echo >"$pt_t/trace"
	for e in $pt_e; do
		echo 1 >"$pt_t/events/$e/enable"
	done
	echo 1 >"$pt_t/tracing_on"
}
prof_trace_stop() {	# [N]
	pt_t=$(prof_tracefs) || return 0
	pt_e=$(prof_trace_events "$pt_t") || return 0
	echo 0 >"$pt_t/tracing_on"
	for e in $pt_e; do
		echo 0 >"$pt_t/events/$e/enable"
	done
	if [ -n "${1:-}" ]; then
		echo "    the hypervisor's last $1 events:"
		grep -v '^#' "$pt_t/trace" | tail -n "$1" | sed 's/^ */      /'
	fi
	echo >"$pt_t/trace"
}

# prof_sample PID: sample for PROF_S seconds, print the report
prof_sample() {
	prof_rips_start
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
	prof_rips_report
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
