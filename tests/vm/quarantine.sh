# Device quarantine and the ACPI power button through the control socket
# (issue 6, "Watchdog and recovery"). Not part of suite.sh: scripts/check-all
# runs it in a VM of its own; alone:
#   scripts/nested-run --suite tests/vm/quarantine.sh
#
# 1. Backend error (Linux guest, nyx.quarantine=1 nyx.pwrbtn=1): disk
#    nyx-q-full is an 8 MiB sparse raw image on a 4 MiB tmpfs that a 3 MiB
#    filler file mostly fills; disk nyx-q-ok lives in /tmp. The guest
#    writes 2 MiB to nyx-q-full: ENOSPC in the launcher -> DEVICE_ERROR
#    (class backend) seen by a "nyx ctl --wait-event" client, query-devices
#    says quarantined; the guest checks that nyx-q-ok still works; then
#    here the filler goes, device-reset, and the guest's stuck write must
#    complete and be on the image.
# 2. system-powerdown: the same guest then waits for KEY_POWER on its
#    "Power Button" input device and powers off: nyx must exit 0 with a
#    SHUTDOWN event (reason poweroff-or-quit).
# 3. Guest error (tests/guests/vhostile.S with a third disk): the guest
#    breaks disk C and waits; DEVICE_ERROR class guest; device-reset puts C
#    back to its power-on state with a configuration interrupt, the guest
#    sets it up again and reads it.
# 4. virtio-net (Linux guest, nyx.qnet=1): the test takes the NIC's tap
#    down; the guest's first frames make the launcher's tap writes fail
#    (EIO): DEVICE_ERROR class backend, quarantined; tap up, device-reset,
#    and the guest's ping gets through.
# shellcheck shell=sh source=tests/vm/lib.sh
. /tests/lib.sh
# shellcheck source=tests/vm/linux-lib.sh
. /tests/linux-lib.sh

Q=/tmp/quarantine
QS=/tmp/q.sock

# wait_for FILE PATTERN SECONDS: until grep finds PATTERN in FILE
wait_for() {
	wf_i=0
	while ! grep -q "$2" "$1" 2>/dev/null; do
		[ $wf_i -ge $(($3 * 10)) ] && return 1
		sleep 0.1
		wf_i=$((wf_i + 1))
	done
}

# The operator's side of test 1 and 2, in the background while the guest
# runs: each step's outcome as a line in $Q/ctl.out.
q_operator() {
	log=$1
	wait_sock "$QS"
	[ -S "$QS" ] || { echo "STEP socket: missing"; return; }
	"$NYX" ctl --timeout 170 "$QS" --wait-event DEVICE_ERROR >"$Q/dev-error.out" 2>&1 &
	ev=$!
	"$NYX" ctl --timeout 170 "$QS" --wait-event SHUTDOWN >"$Q/shutdown.out" 2>&1 &
	echo "STEP clients: started"
	if ! wait $ev; then
		echo "STEP device-error: no DEVICE_ERROR event"
		return
	fi
	dev=$(sed -n 's/.*"device": *"\([^"]*\)".*/\1/p' "$Q/dev-error.out" | head -n 1)
	echo "STEP device-error: $dev"
	"$NYX" ctl "$QS" query-devices >"$Q/devices-1.out" 2>&1
	# the guest has checked the other disk and waits
	wait_for "$log" "QUARANTINE-WAITING" 60 || echo "STEP guest: never waited"
	"$NYX" ctl "$QS" query-devices >"$Q/devices-2.out" 2>&1
	# a device that is not quarantined, an unknown one: errors
	"$NYX" ctl "$QS" device-reset device=nonexistent >"$Q/reset-bad.out" 2>&1 &&
		echo "STEP reset-bad: accepted"
	rm -f "$Q/tmpfs/filler"
	if "$NYX" ctl "$QS" device-reset "device=$dev" >"$Q/reset.out" 2>&1; then
		echo "STEP reset: ok"
	else
		echo "STEP reset: failed $(cat "$Q/reset.out")"
	fi
	"$NYX" ctl "$QS" device-reset "device=$dev" >"$Q/reset-again.out" 2>&1 &&
		echo "STEP reset-again: accepted"
	"$NYX" ctl "$QS" query-devices >"$Q/devices-3.out" 2>&1
	# the power button
	wait_for "$log" "PWRBTN-WAITING" 100 || echo "STEP guest: never waited for the button"
	sleep 1
	if "$NYX" ctl "$QS" system-powerdown >"$Q/powerdown.out" 2>&1; then
		echo "STEP powerdown: sent"
	else
		echo "STEP powerdown: failed"
	fi
	wait
}

# Test 3: vhostile with a third disk, the operator's device-reset.
q_vhostile() {
	VS=/tmp/qv.sock
	V=$Q/vh
	mkdir -p "$V"
	yes NYX-VHOSTILE-AA | head -c 1048576 >"$V/a.img"
	yes NYX-VHOSTILE-BB | head -c 1048576 >"$V/b.img"
	yes NYX-VHOSTILE-CC | head -c 1048576 >"$V/c.img"
	rm -f "$VS"
	echo "RUN quarantine: vhostile, guest error and device-reset"
	timeout -k 5 120 "$NYX" run --control "$VS" --disk "$V/a.img" \
		--disk "$V/b.img" --disk "$V/c.img" --flat "$GUESTS/vhostile.bin" \
		</dev/null >"$V/out" 2>&1 &
	vpid=$!
	wait_sock "$VS"
	"$NYX" ctl --timeout 110 "$VS" --wait-event SHUTDOWN >"$V/events" 2>&1 &
	why=
	if wait_for "$V/out" "disk C broken, waiting for device-reset" 100; then
		"$NYX" ctl "$VS" query-devices >"$V/devices" 2>&1
		dev=$(awk '/"device":/ { d = $0; sub(/.*"device": *"/, "", d); sub(/".*/, "", d) }
			/"state": *"quarantined"/ { print d }' "$V/devices")
		echo "    quarantined: '$dev'"
		[ "$(echo "$dev" | wc -w)" = 2 ] || why="want one quarantined device, query-devices says '$dev'"
		grep -q "\"class\": *\"guest\"" "$V/devices" || why="${why:+$why; }no class guest in query-devices"
		"$NYX" ctl "$VS" device-reset "device=$dev" >"$V/reset" 2>&1 ||
			why="${why:+$why; }device-reset failed: $(cat "$V/reset")"
	else
		why="the guest never waited for device-reset"
	fi
	wait $vpid
	rc=$?
	wait
	# the last DEVICE_ERROR before the reset is disk C's, class guest
	last=$(grep DEVICE_ERROR "$V/events" | tail -n 1)
	echo "    last event: $last"
	case "$last" in
	*"\"device\":\"$dev\""*"\"class\":\"guest\""*) ;;
	*) why="${why:+$why; }no DEVICE_ERROR class guest for '$dev'" ;;
	esac
	[ "$rc" = 33 ] || why="${why:+$why; }exit status $rc ($(describe_status "$rc")), want 33"
	grep -q "disk C works again after device-reset" "$V/out" ||
		why="${why:+$why; }the guest did not use disk C again"
	grep -q "device-reset (guest quarantine)" "$V/out" ||
		why="${why:+$why; }no device-reset in the launcher's log"
	if [ -z "$why" ]; then
		pass "quarantine: vhostile, guest error and device-reset"
	else
		show "$V/out"
		fail "quarantine: vhostile, guest error and device-reset" "$why"
	fi
}

# Test 4: virtio-net, a tap the host takes down (writes fail with EIO).
QN_BR=nyxqbr0
QN_TAP=nyxq0
QNS=/tmp/qn.sock

qn_operator() {
	log=$1
	wait_for "$log" "GUEST INIT" 120 || { echo "STEP guest: no GUEST INIT"; return; }
	[ -S "$QNS" ] || { echo "STEP socket: missing"; return; }
	"$NYX" ctl --timeout 120 "$QNS" --wait-event DEVICE_ERROR >"$Q/qn-error.out" 2>&1 &
	ev=$!
	# nyx brought the tap up long ago; the guest's network comes later
	ip link set "$QN_TAP" down && echo "STEP tap: down"
	if ! wait $ev; then
		echo "STEP device-error: no DEVICE_ERROR event"
		ip link set "$QN_TAP" up
		return
	fi
	dev=$(sed -n 's/.*"device": *"\([^"]*\)".*/\1/p' "$Q/qn-error.out" | head -n 1)
	echo "STEP device-error: $dev"
	wait_for "$log" "QNET-WAITING" 60 || echo "STEP guest: never waited"
	"$NYX" ctl "$QNS" query-devices >"$Q/qn-devices.out" 2>&1
	ip link set "$QN_TAP" up && echo "STEP tap: up"
	if "$NYX" ctl "$QNS" device-reset "device=$dev" >"$Q/qn-reset.out" 2>&1; then
		echo "STEP reset: ok"
	else
		echo "STEP reset: failed $(cat "$Q/qn-reset.out")"
	fi
}

q_net() {
	modprobe tun 2>/dev/null
	modprobe bridge 2>/dev/null
	ip link show "$QN_BR" >/dev/null 2>&1 || ip link add "$QN_BR" type bridge ||
		{ fail "quarantine: virtio-net" "cannot make bridge $QN_BR"; return; }
	ip addr add 169.254.78.1/16 dev "$QN_BR" 2>/dev/null
	ip link set "$QN_BR" up
	rm -f "$QNS" "$LINUX_LOGDIR/linux-1cpu-poweroff.log"
	LINUX_ARGS="--control $QNS --nic tap,ifname=$QN_TAP,bridge=$QN_BR"
	qn_operator "$LINUX_LOGDIR/linux-1cpu-poweroff.log" >"$Q/qn-ctl.out" 2>&1 &
	op=$!
	linux_test "quarantine: linux guest, virtio-net tap down" 1 poweroff nyx.qnet=1
	kill $op 2>/dev/null
	wait $op
	sed 's/^/    /' "$Q/qn-ctl.out"
	grep -h DEVICE_ERROR "$Q/qn-error.out" | cut -c1-200 | sed 's/^/    event: /'
	run_cmd "quarantine: virtio-net DEVICE_ERROR class backend (tap write EIO)" sh -c \
		"grep -q '\"class\": *\"backend\"' $Q/qn-error.out &&
		 grep -q 'tap write: Input.\{0,2\}output error' $Q/qn-error.out &&
		 grep -q '\"state\": *\"quarantined\"' $Q/qn-devices.out &&
		 grep -q 'STEP reset: ok' $Q/qn-ctl.out"
	ip link del "$QN_BR" 2>/dev/null
	LINUX_ARGS=
}

if insmod_nyx; then
	rm -rf "$Q"
	mkdir -p "$Q/tmpfs"
	q_vhostile
	if ! mount -t tmpfs -o size=4m tmpfs "$Q/tmpfs"; then
		fail "quarantine: tmpfs" "mount failed"
	else
		truncate -s 8M "$Q/tmpfs/full.img"
		dd if=/dev/zero of="$Q/tmpfs/filler" bs=65536 count=48 2>/dev/null
		truncate -s 8M "$Q/ok.img"
		echo "    tmpfs: $(df -k "$Q/tmpfs" | tail -n 1)"
		yes nyx-quarantine-0123456789 | head -c 2097152 >"$Q/Q"
		rm -f "$QS" "$LINUX_LOGDIR/linux-1cpu-poweroff.log"
		LINUX_ARGS="--control $QS --disk $Q/tmpfs/full.img,format=raw,serial=nyx-q-full --disk $Q/ok.img,format=raw,serial=nyx-q-ok"
		q_operator "$LINUX_LOGDIR/linux-1cpu-poweroff.log" >"$Q/ctl.out" 2>&1 &
		op=$!
		linux_test "quarantine: linux guest, backend error and power button" 1 poweroff \
			"nyx.quarantine=1 nyx.pwrbtn=1"
		wait $op
		sed 's/^/    /' "$Q/ctl.out"
		grep -h DEVICE_ERROR "$Q/dev-error.out" | cut -c1-200 | sed 's/^/    event: /'
		tr -d '\n' <"$Q/devices-2.out" | tr -s ' ' | cut -c1-300 | sed 's/^/    query-devices: /'
		echo
		log=$LINUX_LOGDIR/linux-1cpu-poweroff.log

		run_cmd "quarantine: DEVICE_ERROR class backend" sh -c \
			"cat $Q/dev-error.out; grep -q '\"class\": *\"backend\"' $Q/dev-error.out &&
			 grep -q 'No space left on device' $Q/dev-error.out"
		run_cmd "quarantine: query-devices quarantined, then ok" sh -c \
			"cat $Q/devices-2.out $Q/devices-3.out
			 grep -q '\"state\": *\"quarantined\"' $Q/devices-2.out &&
			 ! grep -q '\"state\": *\"quarantined\"' $Q/devices-3.out &&
			 [ \$(grep -c '\"state\": *\"ok\"' $Q/devices-3.out) = 2 ]"
		run_cmd "quarantine: device-reset errors (unknown device, not quarantined)" sh -c \
			"cat $Q/reset-bad.out $Q/reset-again.out
			 grep -q 'no device' $Q/reset-bad.out &&
			 grep -q 'not quarantined' $Q/reset-again.out &&
			 ! grep -q accepted $Q/ctl.out"
		run_cmd "quarantine: device-reset accepted" grep -q "STEP reset: ok" "$Q/ctl.out"
		run_cmd "quarantine: the stuck write is on the image" sh -c \
			"dd if=$Q/tmpfs/full.img bs=65536 count=32 2>/dev/null | cmp - $Q/Q"
		run_cmd "quarantine: the guest saw no I/O error" sh -c \
			"grep 'GUEST.*quarantine' $log; grep -q 'GUEST PASS quarantine\$' $log &&
			 grep -q 'GUEST PASS quarantine: other disk works' $log"
		run_cmd "powerdown: SHUTDOWN event after system-powerdown" sh -c \
			"cat $Q/powerdown.out $Q/shutdown.out
			 grep -q 'STEP powerdown: sent' $Q/ctl.out &&
			 grep -q 'POWERDOWN' $Q/shutdown.out &&
			 grep -q '\"reason\": *\"poweroff-or-quit\"' $Q/shutdown.out &&
			 grep -q 'GUEST PASS pwrbtn' $log"
		umount "$Q/tmpfs"
	fi
	q_net
	rmmod_nyx
fi
finish
