# Benchmark suite for "make bench" (scripts/bench, which boots the test VM
# with QEMU in it: nested-run --with-qemu). Not a test: it prints figures
# (Documentation/performance.md); the verdicts only say whether each part
# ran.
#
# 1. Exit costs under nyx and under KVM (kvm_amd or kvm_intel, in the same
#    nested VM), running the same guest loop (tests/bench/exitbench.c).
# 2. Linux boot time to the first instruction of the guest's /init: the
#    test VM's own kernel (/boot/vmlinuz-$(uname -r)) and the Linux guest
#    initramfs (its /init prints "GUEST INIT" first thing; nyx.guest=bench
#    powers off right after), launched by nyx and by QEMU/KVM
#    (tests/vm/qemu-as-nyx: qemu-system-x86_64 -accel kvm, SeaBIOS, the
#    same -kernel/-initrd/-append); time from launch until that line
#    arrives on the console. kvm is loaded only for the QEMU runs and
#    unloaded before nyx's.
#
# Settings (the test VM's kernel command line, scripts/bench --append ...):
#   nyx.bench.iters=N        exitbench iterations (default 20000)
#   nyx.bench.boot.runs=N    boots per hypervisor and CPU count (default 3)
#   nyx.bench.boot.cpus=A,B  vCPU counts to boot with (default 1)
#   nyx.bench.parts=exit,boot   which parts run (default exit,boot;
#                            blk adds the block benchmark, net the
#                            network one)
#   nyx.bench.blk.mib=N      MiB per sequential dd (default 64)
#   nyx.bench.blk.runs=N     rounds of the three blk boots (default 1;
#                            medians and each round's figure)
#
# 3. blk: virtio-blk in the Linux guest (tests/linux-guest/init,
#    nyx.blkbench=N): sequential O_DIRECT dd write and read of N MiB, 10 s
#    of 4 KiB random O_DIRECT reads at queue depth 1 (randread), on a
#    fresh raw image in the test VM's tmpfs, cache=writeback everywhere
#    (tmpfs has no O_DIRECT). nyx with --virtio-fastpath on and off, and
#    QEMU/KVM (-drive if=virtio, same image, kernel and initramfs). The
#    table is on the test VM's clock (from the guest's "start" line of a
#    phase to its result line); the guest's own figures are printed too.
#
# 4. net: TCP throughput on virtio-net (tests/linux-guest/init,
#    nyx.netbench=N): the guest's NIC is on a tap on bridge nyxbr0, which
#    holds 169.254.77.1/16 here (IPv4 link-local only); the guest is
#    169.254.77.2. nyx.bench.net.runs transfers of N MiB guest -> host
#    (timed here from the first byte that arrives to the end of the
#    stream), then as many host -> guest (the guest prints a line at its
#    first byte and one at the end; timed here from their arrival: every
#    figure is on the test VM's clock). Both ends are tcpbench
#    (tests/bench/tcpbench.c: memory to socket to memory, as iperf3), or
#    with nyx.bench.net.tool=nc busybox nc from a file into wc -c (the
#    figures before 2026-11-27). nyx with --virtio-fastpath on and off,
#    QEMU/KVM with virtio-net-pci on its tap backend, vhost=off
#    (tests/vm/qemu-as-nyx --nic). Medians, MiB/s.
#   nyx.bench.net.mib=N      MiB per transfer (default 32)
#   nyx.bench.net.runs=N     transfers per direction (default 3)
#   nyx.bench.net.tool=T     tcpbench (default) or nc, at both ends
#   nyx.bench.net.nic=OPTS   more nyx --nic options for both nyx boots,
#                            e.g. rx-irq-gap=50 (';' for ',')
#   nyx.bench.modparams=P,Q  nyx.ko parameters for every nyx run, e.g.
#                            virq_inject=2 (commas become spaces)
#   nyx.bench.net.rounds=N   rounds of the three boots (default 1), as
#                            for blk; the ratio is also given per round
#   nyx.bench.pin=on         blk and net: both hypervisors' vCPU 0 thread
#                            on CPU 0, every other thread on CPU 1 (nyx
#                            --pin vcpu0=0 --pin io=1 --pin main=1, the
#                            same for QEMU through qemu-as-nyx --pin), so
#                            that the scheduler's placement is the same
#                            for both and out of the figures (default
#                            off; needs 2 CPUs in the test VM)
#   nyx.bench.prof=S         also sample for S seconds during the first
#                            host -> guest transfer: exit counters, the
#                            test VM's and each launcher thread's CPU time
#                            (tests/vm/prof-lib.sh)
#   nyx.bench.trace=N        net: the hypervisor's tracepoints on in
#                            every boot (nyx_exit, nyx_entry, nyx_inject,
#                            nyx_msr; KVM's kvm_exit and its kin: the
#                            loaded module's, one at a time here); a
#                            boot whose run failed (a guest that died)
#                            prints the last N events. Not with
#                            nyx.bench.prof (which filters and clears the
#                            same trace buffer)
# shellcheck shell=sh source=tests/vm/lib.sh
. /tests/lib.sh
# shellcheck source=tests/vm/linux-lib.sh
. /tests/linux-lib.sh
# shellcheck source=tests/vm/prof-lib.sh
. /tests/prof-lib.sh

BENCH_ITERS=${BENCH_ITERS:-20000}
boot_runs=3
boot_cpus=1
parts=exit,boot
blk_mib=64
blk_runs=1
net_mib=32
net_runs=3
net_tool=tcpbench
nyx_nic=
net_rounds=1
prof_s=
trace_n=
nyx_modparams=
bench_pin=off
# shellcheck disable=SC2013
for w in $(cat /proc/cmdline); do
	case "$w" in
	nyx.bench.iters=*) BENCH_ITERS=${w#*=} ;;
	nyx.bench.boot.runs=*) boot_runs=${w#*=} ;;
	nyx.bench.boot.cpus=*) boot_cpus=$(echo "${w#*=}" | tr , ' ') ;;
	nyx.bench.parts=*) parts=${w#*=} ;;
	nyx.bench.blk.mib=*) blk_mib=${w#*=} ;;
	nyx.bench.blk.runs=*) blk_runs=${w#*=} ;;
	nyx.bench.net.mib=*) net_mib=${w#*=} ;;
	nyx.bench.net.runs=*) net_runs=${w#*=} ;;
	nyx.bench.net.tool=*) net_tool=${w#*=} ;;
	nyx.bench.net.nic=*) nyx_nic=,$(echo "${w#*=}" | tr ';' ,) ;;
	nyx.bench.net.rounds=*) net_rounds=${w#*=} ;;
	nyx.bench.prof=*) prof_s=1 PROF_S=${w#*=} ;;
	nyx.bench.trace=*) trace_n=${w#*=} ;;
	nyx.bench.modparams=*) nyx_modparams=$(echo "${w#*=}" | tr , ' ') ;;
	nyx.bench.pin=*) bench_pin=${w#*=} ;;
	esac
done
# profiling names the guest's functions from the test VM's kallsyms (the
# same kernel): no KASLR in the guest (the test VM needs nokaslr too)
[ -z "$prof_s" ] || LINUX_APPEND="${LINUX_APPEND:+$LINUX_APPEND }nokaslr"
# the launchers' placement options (both take the same --pin)
pin_args=
pin_note="threads unpinned"
if [ "$bench_pin" = on ]; then
	if [ "$(grep -c ^processor /proc/cpuinfo)" -ge 2 ]; then
		pin_args="--pin vcpu0=0 --pin io=1 --pin main=1"
		pin_note="pinned: vCPU 0 thread on CPU 0, all other threads on CPU 1"
	else
		pin_note="nyx.bench.pin=on ignored: one CPU"
	fi
fi
echo "    $pin_note"
# pin_check LOG.err: did the launcher place the vCPU thread? (a reason,
# or nothing)
pin_check() {
	[ -n "$pin_args" ] || return 0
	grep -q 'vcpu0 thread.* on CPUs 0$' "$1" || echo "vcpu0 not pinned (no report in $1)"
}
if grep -qw svm /proc/cpuinfo; then kvm_mod=kvm_amd; else kvm_mod=kvm_intel; fi

load_kvm() { run_cmd "load kvm" sh -c "modprobe $kvm_mod && [ -c /dev/kvm ]"; }
unload_kvm() { modprobe -r "$kvm_mod" kvm 2>/dev/null; }
load_nyx() { run_cmd "insmod nyx.ko $nyx_modparams" sh -c "insmod $NYX_KO $nyx_modparams && [ -c /dev/nyx ]"; }
unload_nyx() { rmmod nyx 2>/dev/null; }

# ---------------------------------------------------------------------
case ",$parts," in
*,exit,*)
	# exitbench [N [kvm|nyx]]: on Intel one module at a time, because
	# kvm_intel holds the kernel's one emergency-VMXOFF callback for as
	# long as it is loaded, and nyx registers its own while it has VMs.
	# Three runs: the spread shows how noisy the (emulated) host is.
	if [ "$kvm_mod" = kvm_intel ]; then
		exit_sides="kvm nyx"
	else
		exit_sides=both
	fi
	for side in $exit_sides; do
		case "$side" in
		kvm) load_kvm ;;
		nyx) load_nyx ;;
		*) load_kvm; load_nyx ;;
		esac
		for i in 1 2 3; do
			name="exitbench run $i"
			[ "$side" != both ] && name="$name ($side)"
			echo "RUN $name"
			if timeout -k 5 300 /bench/exitbench "$BENCH_ITERS" "$side" >"$OUT" 2>&1 &&
			   ! grep -q 'n/a' "$OUT"; then
				sed 's/^/    /' "$OUT"
				pass "$name"
			else
				show "$OUT"
				fail "$name" "a backend did not run"
			fi
		done
		unload_nyx
		unload_kvm
	done ;;
esac

# ---------------------------------------------------------------------
# boot_times NAME LAUNCHER CPUS: boot_runs boots; sets $times (seconds to
# GUEST INIT, one per boot) and PASSes if every boot got there and ended
# with exit status 0 (powered off).
boot_times() {
	echo "RUN $1"
	times=
	bt_why=
	bt_i=0
	while [ $bt_i -lt "$boot_runs" ]; do
		bt_t=$(linux_boot_time "$2" "$3")
		bt_rc=$(sed -n 's/.*@@LINUX-RC \([0-9]*\).*/\1/p' "$LINUX_LOGDIR/linux-boot-time.log")
		if [ -z "$bt_t" ] || [ "$bt_rc" != 0 ]; then
			linux_show "$LINUX_LOGDIR/linux-boot-time.log" 20
			case "$bt_rc" in
			124|137|143) bt_what="timed out after ${LINUX_TIMEOUT}s" ;;
			*) bt_what="exit status $bt_rc ($(describe_status "$bt_rc"))" ;;
			esac
			bt_why="boot $((bt_i + 1)): ${bt_t:+/init after $bt_t s, }$bt_what"
			break
		fi
		echo "    boot $((bt_i + 1)): /init after $bt_t s"
		times="$times $bt_t"
		bt_i=$((bt_i + 1))
	done
	if [ -z "$bt_why" ]; then pass "$1"; else fail "$1" "$bt_why"; fi
}
median() { echo "$@" | tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'; }

case ",$parts," in
*,boot,*)
	# what nyx can do decides whether its half runs
	nyx_why=
	if [ ! -f "$LINUX_KERNEL" ] || [ ! -f "$LINUX_INITRD" ]; then
		nyx_why="no Linux guest in this test VM"
	fi
	load_kvm
	vcpus() { if [ "$1" = 1 ]; then echo "1 vCPU"; else echo "$1 vCPUs"; fi; }
	for n in $boot_cpus; do
		boot_times "linux boot time, QEMU/KVM, $(vcpus "$n")" /tests/qemu-as-nyx "$n"
		eval "kvm_times_$n=\"\$times\""
	done
	unload_kvm
	load_nyx
	if [ -z "$nyx_why" ] && [ -x /vm-tools/nyxcaps ] && ! /vm-tools/nyxcaps irqchip >/dev/null 2>&1; then
		nyx_why="/dev/nyx lacks NYX_CAP_IRQCHIP: Linux needs the in-kernel LAPIC/IOAPIC/PIC/PIT"
	fi
	for n in $boot_cpus; do
		if [ -n "$nyx_why" ]; then
			skip "linux boot time, nyx, $(vcpus "$n")" "$nyx_why"
			times=
		else
			boot_times "linux boot time, nyx, $(vcpus "$n")" "$NYX" "$n"
		fi
		eval "nyx_times_$n=\"\$times\""
	done
	unload_nyx

	echo "    Linux boot to /init (s; median of $boot_runs, then each run):"
	for n in $boot_cpus; do
		k='' x=''
		eval "k=\$kvm_times_$n; x=\$nyx_times_$n"
		# shellcheck disable=SC2086
		km=$(median $k)
		# shellcheck disable=SC2086
		xm=$(median $x)
		ratio=$(awk -v a="$xm" -v b="$km" 'BEGIN { if (a != "" && b > 0) printf "%.2f", a / b; else print "n/a" }')
		echo "    $(vcpus "$n"): nyx ${xm:-n/a} (${x# }), QEMU/KVM ${km:-n/a} (${k# }), nyx/QEMU-KVM $ratio"
	done ;;
esac
# ---------------------------------------------------------------------
# blk_run NAME LAUNCHER [LAUNCHER OPTIONS]: one boot with the benchmark;
# sets blk_w, blk_r (MiB/s) and blk_iops.
blk_run() {
	bn=$1 bl=$2
	shift 2
	echo "RUN $bn"
	blk_w='' blk_r='' blk_iops=''
	dd if=/dev/zero of=/tmp/blkbench.img bs=1048576 count=$((blk_mib + 16)) 2>/dev/null
	lg=$LINUX_LOGDIR/blkbench.log
	# shellcheck disable=SC2086
	LINUX_ARGS="$* $pin_args --disk /tmp/blkbench.img"
	bs_launcher=$LINUX_LAUNCHER
	LINUX_LAUNCHER=$bl
	linux_run "$lg" "$LINUX_TIMEOUT" 1 "$(linux_cmdline 1 bench "nyx.blkbench=$blk_mib")" >/dev/null
	LINUX_LAUNCHER=$bs_launcher
	LINUX_ARGS=
	# the guest's own figures (its clock)
	blk_gw=$(sed -n 's/.*GUEST BLKBENCH seqwrite .*MiBps=\([0-9.]*\).*/\1/p' "$lg")
	blk_gr=$(sed -n 's/.*GUEST BLKBENCH seqread .*MiBps=\([0-9.]*\).*/\1/p' "$lg")
	blk_giops=$(sed -n 's/.*GUEST BLKBENCH randread4k .*iops \([0-9]*\).*/\1/p' "$lg")
	# the same phases on the test VM's clock: from the guest's "start"
	# line to its result line, as they arrived here. The figures in the
	# table: one clock for every hypervisor (a guest's TSC calibration
	# under nested TCG can be off by tens of percent, see performance.md)
	# shellcheck disable=SC2046
	set -- $(awk -v mib="$blk_mib" '
	function rate(a, b, x) { return (a != "" && b > a) ? sprintf("%.1f", x / (b - a)) : "-" }
	/GUEST BLKBENCH start seqwrite/ { sw = $1 }
	/GUEST BLKBENCH seqwrite / { ew = $1 }
	/GUEST BLKBENCH start seqread/ { sr = $1 }
	/GUEST BLKBENCH seqread / { er = $1 }
	/GUEST BLKBENCH start randread4k/ { sq = $1 }
	/GUEST BLKBENCH randread4k / {
		eq = $1
		for (i = 1; i < NF; i++) {
			if ($i == "reads") n = $(i + 1)
			if ($i == "seconds") gs = $(i + 1)
		}
	}
	END {
		iops = (sq != "" && eq > sq && n != "") ? sprintf("%.0f", n / (eq - sq)) : "-"
		clk = (sq != "" && eq > sq && gs != "") ? sprintf("%.2f", gs / (eq - sq)) : "-"
		print rate(sw, ew, mib), rate(sr, er, mib), iops, clk
	}' "$lg")
	blk_w=${1#-} blk_r=${2#-} blk_iops=${3#-} blk_clk=${4#-}
	grep 'GUEST BLKBENCH' "$lg" | grep -v 'BLKBENCH start' | sed 's/^[0-9.]* /    /'
	echo "    on the test VM's clock: seqwrite ${blk_w:-n/a} MiB/s, seqread ${blk_r:-n/a} MiB/s, randread4k ${blk_iops:-n/a} IOPS; guest clock speed ${blk_clk:-n/a}x the test VM's"
	rm -f /tmp/blkbench.img
	blk_pin=$(pin_check "$lg.err")
	if [ -n "$blk_w" ] && [ -n "$blk_r" ] && [ -n "$blk_iops" ] && ! grep -q 'GUEST FAIL' "$lg" && [ -z "$blk_pin" ]; then
		pass "$bn"
	else
		linux_show "$lg" 20
		sed 's/^/    err: /' "$lg.err" | tail -n 10
		fail "$bn" "${blk_pin:-no figures}"
	fi
}
blk_ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a != "" && b > 0) printf "%.2f", a / b; else print "n/a" }'; }

case ",$parts," in
*,blk,*)
	# rounds of QEMU, nyx on, nyx off, one after the other: the host's
	# load drifts over minutes, so the three see the same conditions
	# round by round; medians over the rounds
	q_w='' q_r='' q_i='' n_w='' n_r='' n_i='' o_w='' o_r='' o_i='' blk_g=''
	round=1
	while [ $round -le "$blk_runs" ]; do
		sfx=
		[ "$blk_runs" -gt 1 ] && sfx=" (round $round)"
		load_kvm
		blk_run "virtio-blk bench, QEMU/KVM$sfx" /tests/qemu-as-nyx
		q_w="$q_w $blk_w" q_r="$q_r $blk_r" q_i="$q_i $blk_iops"
		blk_g="$blk_g; QEMU/KVM $blk_gw $blk_gr $blk_giops $blk_clk"
		unload_kvm
		load_nyx
		# -v: the placement report pin_check looks for (and the
		# fast-path line, as in net_run)
		blk_run "virtio-blk bench, nyx, fast paths on$sfx" "$NYX" -v --virtio-fastpath on
		n_w="$n_w $blk_w" n_r="$n_r $blk_r" n_i="$n_i $blk_iops"
		blk_g="$blk_g; nyx on $blk_gw $blk_gr $blk_giops $blk_clk"
		blk_run "virtio-blk bench, nyx, fast paths off$sfx" "$NYX" -v --virtio-fastpath off
		o_w="$o_w $blk_w" o_r="$o_r $blk_r" o_i="$o_i $blk_iops"
		blk_g="$blk_g; nyx off $blk_gw $blk_gr $blk_giops $blk_clk"
		unload_nyx
		round=$((round + 1))
	done
	echo "    guest-clock figures (seq write, seq read, IOPS; guest clock speed):"
	echo "      ${blk_g#; }"
	echo "    virtio-blk, $blk_mib MiB dd O_DIRECT, 4 KiB random reads QD1 (10 s), test VM clock,"
	echo "    median of $blk_runs (each round; $pin_note):"
	echo "                        seq write MiB/s  seq read MiB/s  4k randread IOPS"
	blk_row() {	# NAME W R I (lists)
		# shellcheck disable=SC2086
		printf '    %-19s %15s  %14s  %16s\n' "$1" "$(median $2)" "$(median $3)" "$(median $4)"
		[ "$blk_runs" -gt 1 ] &&
			printf '    %-19s %15s  %14s  %16s\n' "" "(${2# })" "(${3# })" "(${4# })"
	}
	blk_row "QEMU/KVM" "$q_w" "$q_r" "$q_i"
	blk_row "nyx, fast paths on" "$n_w" "$n_r" "$n_i"
	blk_row "nyx, fast paths off" "$o_w" "$o_r" "$o_i"
	# shellcheck disable=SC2086
	printf '    nyx on / QEMU       %15s  %14s  %16s\n' "$(blk_ratio "$(median $n_w)" "$(median $q_w)")" "$(blk_ratio "$(median $n_r)" "$(median $q_r)")" "$(blk_ratio "$(median $n_i)" "$(median $q_i)")"
	# shellcheck disable=SC2086
	printf '    nyx on / nyx off    %15s  %14s  %16s\n' "$(blk_ratio "$(median $n_w)" "$(median $o_w)")" "$(blk_ratio "$(median $n_r)" "$(median $o_r)")" "$(blk_ratio "$(median $n_i)" "$(median $o_i)")" ;;
esac
# ---------------------------------------------------------------------
NB=/tmp/netbench
NB_BR=nyxbr0
NB_MAC=52:54:00:12:34:56
net_setup() {
	case "$net_tool" in
	tcpbench) [ -x /bench/tcpbench ] || return 1 ;;
	nc) ;;
	*) return 1 ;;
	esac
	modprobe tun 2>/dev/null
	modprobe bridge 2>/dev/null
	rm -rf "$NB"
	mkdir -p "$NB"
	# nc sends a file; tcpbench sends from memory
	[ "$net_tool" != nc ] ||
		head -c $((net_mib * 1048576)) /dev/zero >"$NB/h2g" || return 1
	ip link show "$NB_BR" >/dev/null 2>&1 ||
		ip link add "$NB_BR" type bridge 2>/dev/null ||
		brctl addbr "$NB_BR" || return 1
	ip addr add 169.254.77.1/16 dev "$NB_BR" 2>/dev/null
	ip link set "$NB_BR" up
}
# net_stamp: read one stream on stdin and print "T0 T1 BYTES", T0 when
# the first byte arrived (dd reads exactly one), T1 at the end.
net_stamp() {
	dd bs=1 count=1 of=/dev/null 2>/dev/null
	read -r ns_t0 _ </proc/uptime
	ns_n=$(wc -c)
	read -r ns_t1 _ </proc/uptime
	echo "$ns_t0 $ns_t1 $((ns_n + 1))"
}
# net_run NAME LAUNCHER [LAUNCHER OPTIONS]: one boot with the benchmark;
# sets net_g2h, net_h2g (medians, MiB/s) and net_g2h_all, net_h2g_all.
net_run() {
	nn=$1 nl=$2
	shift 2
	nopts="$*"
	echo "RUN $nn"
	net_g2h='' net_h2g='' net_g2h_all='' net_h2g_all=''
	rm -f "$NB"/g2h.* "$NB/hold"
	mkfifo "$NB/hold"
	exec 8<>"$NB/hold"
	# the listeners' pids (killed after the run: a guest that did not
	# connect leaves them waiting) and their readers'
	pids='' rpids=''
	i=1
	while [ $i -le "$net_runs" ]; do
		if [ "$net_tool" = tcpbench ]; then
			/bench/tcpbench sink $((5100 + i)) >"$NB/g2h.$i" &
			pids="$pids $!"
			/bench/tcpbench source $((5200 + i)) $((net_mib * 1048576)) &
			pids="$pids $!"
			i=$((i + 1))
			continue
		fi
		rm -f "$NB/s.$i"
		mkfifo "$NB/s.$i"
		nc -l -p $((5100 + i)) <"$NB/hold" >"$NB/s.$i" &
		pids="$pids $!"
		net_stamp <"$NB/s.$i" >"$NB/g2h.$i" &
		rpids="$rpids $!"
		nc -l -p $((5200 + i)) <"$NB/h2g" >/dev/null &
		pids="$pids $!"
		i=$((i + 1))
	done
	lg=$LINUX_LOGDIR/netbench.log
	LINUX_ARGS="$* $pin_args"
	ns_launcher=$LINUX_LAUNCHER
	LINUX_LAUNCHER=$nl
	rm -f "$lg"
	[ -z "$prof_s" ] || prof_watch "$lg" "h2g run=1 first byte" "$nl" "$NB/prof"
	[ -z "$trace_n" ] || prof_trace_start
	linux_run "$lg" "$LINUX_TIMEOUT" 1 \
		"$(linux_cmdline 1 bench "nyx.netbench=$net_mib nyx.netbench.runs=$net_runs nyx.netbench.tool=$net_tool")" >/dev/null
	[ -z "$prof_s" ] || prof_report "$NB/prof"
	LINUX_LAUNCHER=$ns_launcher
	LINUX_ARGS=
	# shellcheck disable=SC2086
	kill $pids 2>/dev/null
	# shellcheck disable=SC2086
	wait $pids $rpids 2>/dev/null
	exec 8>&-
	why=
	want=$((net_mib * 1048576))
	i=1
	while [ $i -le "$net_runs" ]; do
		r=$(cat "$NB/g2h.$i" 2>/dev/null)
		# shellcheck disable=SC2086
		set -- $r
		if [ $# = 3 ] && [ "$3" = "$want" ]; then
			net_g2h_all="$net_g2h_all $(awk -v a="$1" -v b="$2" -v n="$3" 'BEGIN { if (b > a) printf "%.1f", n / 1048576 / (b - a); else print "n/a" }')"
		else
			why="${why:+$why; }guest -> host run $i: ${3:-0} bytes arrived, want $want"
		fi
		# on the test VM's clock, from the guest's "first byte" line to
		# its result line (its own figure is printed above)
		r=$(awk -v run="$i" '
			$0 ~ "GUEST NETBENCH h2g run=" run " first byte" { t0 = $1 }
			$0 ~ "GUEST NETBENCH h2g run=" run " bytes=" {
				t1 = $1; b = $0; sub(/.*bytes=/, "", b); sub(/ .*/, "", b)
			}
			END { if (t0 != "" && t1 > t0) printf "%s %.1f\n", b, b / 1048576 / (t1 - t0) }' "$lg")
		# shellcheck disable=SC2086
		set -- $r
		if [ $# = 2 ] && [ "$1" = "$want" ]; then
			net_h2g_all="$net_h2g_all $2"
		else
			why="${why:+$why; }host -> guest run $i: ${1:-0} bytes arrived, want $want"
		fi
		i=$((i + 1))
	done
	# shellcheck disable=SC2086
	net_g2h=$(median $net_g2h_all)
	# shellcheck disable=SC2086
	net_h2g=$(median $net_h2g_all)
	grep 'GUEST NETBENCH\|GUEST FAIL' "$lg" | grep -v 'first byte' | sed 's/^[0-9.]* /    /'
	echo "    on the test VM's clock, MiB/s: guest -> host${net_g2h_all:- none}, host -> guest${net_h2g_all:- none}"
	grep -q 'GUEST FAIL' "$lg" && why="${why:+$why; }$(grep 'GUEST FAIL' "$lg" | head -n 1 | sed 's/.*GUEST FAIL //')"
	# the figure is labelled with the fast-path setting: check nyx used it
	case "$nopts" in
	*"--virtio-fastpath on"*) fp="kicks by ioeventfd, interrupts by irqfd" ;;
	*"--virtio-fastpath off"*) fp="kicks by exits, interrupts by ioctl" ;;
	*) fp= ;;
	esac
	[ -z "$fp" ] || grep -q "virtio-net.*: $fp" "$lg.err" ||
		why="${why:+$why; }virtio-net does not use '$fp'"
	[ -z "$(ls "/sys/class/net/$NB_BR/brif" 2>/dev/null)" ] ||
		why="${why:+$why; }still on the bridge after exit: $(ls "/sys/class/net/$NB_BR/brif")"
	np=$(pin_check "$lg.err")
	[ -z "$np" ] || why="${why:+$why; }$np"
	if [ -z "$why" ]; then
		[ -z "$trace_n" ] || prof_trace_stop
		pass "$nn"
	else
		linux_show "$lg" 20
		[ -z "$trace_n" ] || prof_trace_stop "$trace_n"
		fail "$nn" "$why"
	fi
}

case ",$parts," in
*,net,*)
	if ! net_setup; then
		fail "virtio-net bench" "cannot set up bridge $NB_BR and the data file, or no tool '$net_tool' (tcpbench: /bench/tcpbench; nc)"
	else
		echo "    both ends of each transfer: $net_tool"
		[ -z "$nyx_nic" ] || echo "    nyx's NIC with: ${nyx_nic#,}"
		# rounds of QEMU, nyx on, nyx off, as for blk: each round's
		# three boots see the same host load; the medians are over
		# every transfer of every round, the ratios also round by round
		q_ga='' q_ha='' n_ga='' n_ha='' o_ga='' o_ha='' r_g='' r_h=''
		round=1
		while [ $round -le "$net_rounds" ]; do
			sfx=
			[ "$net_rounds" -gt 1 ] && sfx=" (round $round)"
			load_kvm
			net_run "virtio-net bench, QEMU/KVM$sfx" /tests/qemu-as-nyx --nic "tap,ifname=qtap0,bridge=$NB_BR,mac=$NB_MAC"
			q_ga="$q_ga $net_g2h_all" q_ha="$q_ha $net_h2g_all"
			rq_g=$net_g2h rq_h=$net_h2g
			unload_kvm
			load_nyx
			net_run "virtio-net bench, nyx, fast paths on$sfx" "$NYX" -v --virtio-fastpath on --nic "tap,bridge=$NB_BR,mac=$NB_MAC$nyx_nic"
			n_ga="$n_ga $net_g2h_all" n_ha="$n_ha $net_h2g_all"
			r_g="$r_g $(blk_ratio "$net_g2h" "$rq_g")" r_h="$r_h $(blk_ratio "$net_h2g" "$rq_h")"
			net_run "virtio-net bench, nyx, fast paths off$sfx" "$NYX" -v --virtio-fastpath off --nic "tap,bridge=$NB_BR,mac=$NB_MAC$nyx_nic"
			o_ga="$o_ga $net_g2h_all" o_ha="$o_ha $net_h2g_all"
			unload_nyx
			round=$((round + 1))
		done
		# shellcheck disable=SC2086
		{ q_g=$(median $q_ga); q_h=$(median $q_ha); n_g=$(median $n_ga); n_h=$(median $n_ha); o_g=$(median $o_ga); o_h=$(median $o_ha); }
		ip link del "$NB_BR" 2>/dev/null || { ip link set "$NB_BR" down; brctl delbr "$NB_BR"; }
		rm -rf "$NB"
		echo "    virtio-net TCP, $net_mib MiB per transfer, MiB/s (median of $net_runs x $net_rounds; each run; $pin_note):"
		printf '    %-20s %-28s %s\n' "" "guest -> host" "host -> guest"
		printf '    %-20s %-28s %s\n' "QEMU/KVM" "${q_g:-n/a} (${q_ga# })" "${q_h:-n/a} (${q_ha# })"
		printf '    %-20s %-28s %s\n' "nyx, fast paths on" "${n_g:-n/a} (${n_ga# })" "${n_h:-n/a} (${n_ha# })"
		printf '    %-20s %-28s %s\n' "nyx, fast paths off" "${o_g:-n/a} (${o_ga# })" "${o_h:-n/a} (${o_ha# })"
		printf '    %-20s %-28s %s\n' "nyx on / QEMU" "$(blk_ratio "$n_g" "$q_g")" "$(blk_ratio "$n_h" "$q_h")"
		printf '    %-20s %-28s %s\n' "nyx on / nyx off" "$(blk_ratio "$n_g" "$o_g")" "$(blk_ratio "$n_h" "$o_h")"
		if [ "$net_rounds" -gt 1 ]; then
			printf '    %-20s %-28s %s\n' "on / QEMU by round" "${r_g# }" "${r_h# }"
		fi
	fi ;;
esac
finish
