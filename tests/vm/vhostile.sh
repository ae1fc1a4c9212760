# A hostile virtio driver (tests/guests/vhostile.S, issue 5): sourced by
# suite.sh once nyx.ko is loaded, and by the standalone
# tests/vm/vhostile-suite.sh.
#
# Two 1 MiB raw disks with known sector-0 contents; the guest submits bad
# chains by hand to disk A (loops, buffers outside RAM or on MMIO, lengths
# 0 and 0xffffffff, overflowing totals, wrapping addresses, bad indexes,
# bad indirect tables, rings outside RAM) and wants NEEDS_RESET for each,
# then reads both disks. Here: the launcher must have logged exactly as
# many device errors as the guest saw, all on disk A, one for each kind
# of error, and must have kept running (the guest's PASS is its exit
# status); neither image may have changed. Fast paths on and off.
# shellcheck shell=sh
VH=/tmp/vhostile

# vhostile_log FILE ERRORS: judge the launcher's log; sets $why
vhostile_log() {
	why=
	n=$(sed -n 's/.*vhostile: device errors: \([0-9]*\).*/\1/p' "$1" | tail -n 1)
	logged=$(grep -c 'guest error, device needs reset' "$1")
	[ -n "$n" ] && [ "$n" -gt 0 ] || why="the guest did not report its device errors"
	[ "$logged" = "$n" ] ||
		why="${why:+$why; }$logged device errors logged, the guest saw ${n:-?}"
	slots=$(sed -n 's/.*virtio-blk \([0-9a-f]*\)\.0: guest error.*/\1/p' "$1" | sort -u | tr '\n' ' ')
	[ "$(echo "$slots" | wc -w)" = 1 ] ||
		why="${why:+$why; }errors logged for slots '$slots', want disk A's only"
	for r in "descriptor chain loops" "buffer outside guest RAM" \
		"chain longer than 4 GiB - 1 bytes" \
		"descriptor address + length wraps" \
		"malformed request (header or status)" \
		"head descriptor index out of range" \
		"next descriptor index out of range" \
		"available index more than queue size ahead" \
		"readable descriptor after a writable one" \
		"indirect table length not a non-zero multiple of 16" \
		"indirect descriptor inside an indirect table" \
		"indirect descriptor with NEXT set" \
		"indirect table outside guest RAM" \
		"queue 0 setup: ring misaligned or outside guest RAM"; do
		grep 'needs reset: ' "$1" | grep -qF "$r" ||
			why="${why:+$why; }no '$r' in the log"
	done
	[ -z "$why" ]
}

if [ "$NYX_NO_MODULE" = 1 ]; then
	skip "guest vhostile" "no module"
else
	rm -rf "$VH"
	mkdir -p "$VH"
	yes NYX-VHOSTILE-AA | head -c 1048576 >"$VH/a.img"
	yes NYX-VHOSTILE-BB | head -c 1048576 >"$VH/b.img"
	sums=$(md5sum "$VH/a.img" "$VH/b.img")
	for fp in on off; do
		guest_test "guest vhostile, fast paths $fp" vhostile.bin 33 "PASS" \
			--virtio-fastpath "$fp" --disk "$VH/a.img" --disk "$VH/b.img"
		cp "$OUT" "$VH/out-$fp"
		echo "RUN guest vhostile: launcher log, fast paths $fp"
		vhostile_log "$VH/out-$fp"
		[ "$(md5sum "$VH/a.img" "$VH/b.img")" = "$sums" ] ||
			why="${why:+$why; }an image changed"
		if [ -z "$why" ]; then
			echo "    $logged device errors logged, all on slot $slots"
			pass "guest vhostile: launcher log, fast paths $fp"
		else
			show "$VH/out-$fp"
			fail "guest vhostile: launcher log, fast paths $fp" "$why"
		fi
	done
fi
