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
#                            blk adds the block benchmark)
#   nyx.bench.blk.mib=N      MiB per sequential dd (default 64)
#
# 3. blk: virtio-blk in the Linux guest (tests/linux-guest/init,
#    nyx.blkbench=N): sequential O_DIRECT dd write and read of N MiB, 10 s
#    of 4 KiB random O_DIRECT reads at queue depth 1 (randread), on a
#    fresh raw image in the test VM's tmpfs, cache=writeback everywhere
#    (tmpfs has no O_DIRECT). nyx with --virtio-fastpath on and off, and
#    QEMU/KVM (-drive if=virtio, same image, kernel and initramfs).
# shellcheck shell=sh source=tests/vm/lib.sh
. /tests/lib.sh
# shellcheck source=tests/vm/linux-lib.sh
. /tests/linux-lib.sh

BENCH_ITERS=${BENCH_ITERS:-20000}
boot_runs=3
boot_cpus=1
parts=exit,boot
blk_mib=64
# shellcheck disable=SC2013
for w in $(cat /proc/cmdline); do
	case "$w" in
	nyx.bench.iters=*) BENCH_ITERS=${w#*=} ;;
	nyx.bench.boot.runs=*) boot_runs=${w#*=} ;;
	nyx.bench.boot.cpus=*) boot_cpus=$(echo "${w#*=}" | tr , ' ') ;;
	nyx.bench.parts=*) parts=${w#*=} ;;
	nyx.bench.blk.mib=*) blk_mib=${w#*=} ;;
	esac
done
if grep -qw svm /proc/cpuinfo; then kvm_mod=kvm_amd; else kvm_mod=kvm_intel; fi

load_kvm() { run_cmd "load kvm" sh -c "modprobe $kvm_mod && [ -c /dev/kvm ]"; }
unload_kvm() { modprobe -r "$kvm_mod" kvm 2>/dev/null; }
load_nyx() { run_cmd "insmod nyx.ko" sh -c "insmod $NYX_KO && [ -c /dev/nyx ]"; }
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
	LINUX_ARGS="$* --disk /tmp/blkbench.img"
	bs_launcher=$LINUX_LAUNCHER
	LINUX_LAUNCHER=$bl
	linux_run "$lg" "$LINUX_TIMEOUT" 1 "$(linux_cmdline 1 bench "nyx.blkbench=$blk_mib")" >/dev/null
	LINUX_LAUNCHER=$bs_launcher
	LINUX_ARGS=
	blk_w=$(sed -n 's/.*GUEST BLKBENCH seqwrite .*MiBps=\([0-9.]*\).*/\1/p' "$lg")
	blk_r=$(sed -n 's/.*GUEST BLKBENCH seqread .*MiBps=\([0-9.]*\).*/\1/p' "$lg")
	blk_iops=$(sed -n 's/.*GUEST BLKBENCH randread4k .*iops \([0-9]*\).*/\1/p' "$lg")
	grep 'GUEST BLKBENCH' "$lg" | sed 's/^[0-9.]* /    /'
	rm -f /tmp/blkbench.img
	if [ -n "$blk_w" ] && [ -n "$blk_r" ] && [ -n "$blk_iops" ] && ! grep -q 'GUEST FAIL' "$lg"; then
		pass "$bn"
	else
		linux_show "$lg" 20
		sed 's/^/    err: /' "$lg.err" | tail -n 10
		fail "$bn" "no figures"
	fi
}
blk_ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a != "" && b > 0) printf "%.2f", a / b; else print "n/a" }'; }

case ",$parts," in
*,blk,*)
	load_kvm
	blk_run "virtio-blk bench, QEMU/KVM" /tests/qemu-as-nyx
	q_w=$blk_w q_r=$blk_r q_i=$blk_iops
	unload_kvm
	load_nyx
	blk_run "virtio-blk bench, nyx, fast paths on" "$NYX" --virtio-fastpath on
	n_w=$blk_w n_r=$blk_r n_i=$blk_iops
	blk_run "virtio-blk bench, nyx, fast paths off" "$NYX" --virtio-fastpath off
	o_w=$blk_w o_r=$blk_r o_i=$blk_iops
	unload_nyx
	echo "    virtio-blk, $blk_mib MiB dd O_DIRECT, 4 KiB random reads QD1 (10 s):"
	echo "                        seq write MiB/s  seq read MiB/s  4k randread IOPS"
	printf '    QEMU/KVM            %15s  %14s  %16s\n' "${q_w:-n/a}" "${q_r:-n/a}" "${q_i:-n/a}"
	printf '    nyx, fast paths on  %15s  %14s  %16s\n' "${n_w:-n/a}" "${n_r:-n/a}" "${n_i:-n/a}"
	printf '    nyx, fast paths off %15s  %14s  %16s\n' "${o_w:-n/a}" "${o_r:-n/a}" "${o_i:-n/a}"
	printf '    nyx on / QEMU       %15s  %14s  %16s\n' "$(blk_ratio "$n_w" "$q_w")" "$(blk_ratio "$n_r" "$q_r")" "$(blk_ratio "$n_i" "$q_i")"
	printf '    nyx on / nyx off    %15s  %14s  %16s\n' "$(blk_ratio "$n_w" "$o_w")" "$(blk_ratio "$n_r" "$o_r")" "$(blk_ratio "$n_i" "$o_i")" ;;
esac
finish
