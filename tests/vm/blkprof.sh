# Where does a QD1 4 KiB random read spend its time? A diagnostic, not a
# test: boots the block benchmark guest (bench.sh part blk) under QEMU/KVM
# and under nyx (fast paths on and off) and, during the guest's randread,
# samples for PROF_S seconds: the hypervisor's exit counters (debugfs:
# /sys/kernel/debug/kvm/*, /sys/kernel/debug/nyx/*/vcpu0/exits and
# io_top), the test VM's CPU time (/proc/stat) and each launcher thread's
# CPU time (/proc/PID/task/*/stat).
#   scripts/nested-run --with-qemu --suite tests/vm/blkprof.sh
# shellcheck shell=sh source=tests/vm/lib.sh
. /tests/lib.sh
# shellcheck source=tests/vm/linux-lib.sh
. /tests/linux-lib.sh

PROF_S=5
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
if grep -qw svm /proc/cpuinfo; then kvm_mod=kvm_amd; else kvm_mod=kvm_intel; fi

cpu_line() { sed -n 's/^cpu  //p' /proc/stat; }
# threads' "comm utime stime" (clock ticks) of process $1
threads() {
	for t in /proc/"$1"/task/*; do
		# comm can hold blanks: cut after the closing parenthesis
		s=$(cat "$t/stat" 2>/dev/null) || continue
		c=${s#*(}
		c=${c%%)*}
		r=${s##*) }
		# shellcheck disable=SC2086
		set -- $r
		echo "${t##*/} $c $((${12} + ${13}))"
	done
}
kvm_counts() {
	for f in exits io_exits mmio_exits halt_exits halt_successful_poll halt_attempted_poll halt_wakeup irq_injections irq_exits signal_exits; do
		[ -f "/sys/kernel/debug/kvm/$f" ] && echo "$f $(cat "/sys/kernel/debug/kvm/$f")"
	done
}
nyx_counts() {
	for d in /sys/kernel/debug/nyx/*/vcpu0; do
		[ -d "$d" ] && { cat "$d/exits"; echo "-- io_top"; cat "$d/io_top"; }
	done
}

prof_run() {	# NAME LAUNCHER COUNTS [LAUNCHER OPTIONS]
	pn=$1 pl=$2 pc=$3
	shift 3
	echo "RUN $pn"
	dd if=/dev/zero of=/tmp/blkprof.img bs=1048576 count=80 2>/dev/null
	lg=$LINUX_LOGDIR/blkprof.log
	LINUX_ARGS="$* --disk /tmp/blkprof.img"
	LINUX_LAUNCHER=$pl
	# the previous run's log would say seqread at once
	rm -f "$lg"
	linux_run "$lg" "$LINUX_TIMEOUT" 1 "$(linux_cmdline 1 bench "nyx.blkbench=16")" >/dev/null &
	rp=$!
	i=0
	while [ $i -lt 1200 ] && ! grep -q 'BLKBENCH seqread' "$lg" 2>/dev/null; do
		sleep 0.1
		i=$((i + 1))
	done
	sleep 1
	case "$pl" in
	*qemu*) lp=$(pidof qemu-system-x86_64) ;;
	*) lp=$(pidof nyx) ;;
	esac
	echo "    launcher pid $lp"
	c0=$(cpu_line)
	threads "$lp" >/tmp/th0
	$pc >/tmp/k0
	sleep "$PROF_S"
	c1=$(cpu_line)
	threads "$lp" >/tmp/th1
	$pc >/tmp/k1
	# shellcheck disable=SC2086
	echo "$c0" "$c1" | awk '{ n = NF / 2; for (i = 1; i <= n; i++) d[i] = $(i + n) - $i;
		t = 0; for (i = 1; i <= n; i++) t += d[i];
		printf "    test VM CPU over %s s: user %.0f%% nice %.0f%% sys %.0f%% idle %.0f%% iowait %.0f%% irq %.0f%% softirq %.0f%% (of 2 CPUs: 200%%)\n", '"$PROF_S"', 200*d[1]/t, 200*d[2]/t, 200*d[3]/t, 200*d[4]/t, 200*d[5]/t, 200*d[6]/t, 200*d[7]/t }'
	echo "    launcher threads, CPU ticks (1/100 s) over $PROF_S s:"
	awk 'NR == FNR { a[$1] = $3; next } { printf "      %s %s %d\n", $1, $2, $3 - a[$1] }' /tmp/th0 /tmp/th1
	echo "    counters, delta over $PROF_S s:"
	awk '{ k = NF == 3 ? $1 " " $2 : $1 }
	     NR == FNR { if (NF >= 2 && $NF ~ /^[0-9]+$/) a[k] = $NF; next }
	     NF >= 2 && $NF ~ /^[0-9]+$/ && (k in a) { d = $NF - a[k]; if (d) printf "      %s %d (%.1f/s)\n", k, d, d / '"$PROF_S"' }' /tmp/k0 /tmp/k1
	echo "    io_top at the end:"
	sed -n '/-- io_top/,$p' /tmp/k1 | sed 's/^/      /' | head -n 12
	wait "$rp"
	grep 'GUEST BLKBENCH' "$lg" | sed 's/^[0-9.]* /    /'
	rm -f /tmp/blkprof.img
	pass "$pn"
}

run_cmd "load kvm" sh -c "modprobe $kvm_mod && [ -c /dev/kvm ]"
prof_run "blkprof QEMU/KVM" /tests/qemu-as-nyx kvm_counts
modprobe -r "$kvm_mod" kvm 2>/dev/null
run_cmd "insmod nyx.ko" sh -c "insmod $NYX_KO && [ -c /dev/nyx ]"
prof_run "blkprof nyx, fast paths on" "$NYX" nyx_counts -v --virtio-fastpath on
prof_run "blkprof nyx, fast paths off" "$NYX" nyx_counts -v --virtio-fastpath off
rmmod nyx 2>/dev/null
finish
