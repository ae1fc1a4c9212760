# Device statistics through the control socket with a Linux guest:
# sourced by suite.sh (module loaded; not under Bochs, where a Linux boot
# takes ~70 s) and by the standalone tests/vm/devstats-suite.sh:
#   scripts/nested-run --suite tests/vm/devstats-suite.sh
# The guest (tests/linux-guest/init, nyx.devstats=S) gets one raw disk
# and one NIC on bridge nyxbr0 holding 169.254.77.1/16 (IPv4 link-local
# only), writes 4 MiB to the disk with O_DIRECT, pings us 5 times, prints
# "GUEST DEVSTATS load", then reads the disk and pings for S seconds.
# Meanwhile, here: "nyx ctl SOCK query-stats" must show at least what the
# guest did (write-bytes >= 4 MiB, >= 64 write requests in the latency
# histogram, >= 5 packets each way, the module's statistics), and
# "nyx stat SOCK --once --json" non-zero disk ops/s and exits/s.
# shellcheck shell=sh
DS=/tmp/devstats
DS_BR=nyxbr0

ds_setup() {
	modprobe tun 2>/dev/null
	modprobe bridge 2>/dev/null
	rm -rf "$DS"
	mkdir -p "$DS"
	dd if=/dev/zero of="$DS/disk.img" bs=1048576 count=16 2>/dev/null || return 1
	ip link show "$DS_BR" >/dev/null 2>&1 ||
		ip link add "$DS_BR" type bridge 2>/dev/null ||
		brctl addbr "$DS_BR" || return 1
	ip addr add 169.254.77.1/16 dev "$DS_BR" 2>/dev/null
	ip link set "$DS_BR" up
}

# the largest value of "KEY": N in FILE (pretty-printed JSON)
ds_max() {
	sed -n "s/.*\"$1\": *\([0-9][0-9]*\).*/\1/p" "$2" |
		awk 'BEGIN { m = 0 } $1 > m { m = $1 } END { print m }'
}

# the first value of "KEY":N in FILE (compact JSON, one line)
ds_first() {
	grep -o "\"$1\":[0-9.]*" "$2" | head -n 1 | cut -d: -f2
}

ds_run() {
	log=$LINUX_LOGDIR/linux-1cpu-poweroff.log
	rm -f "$log" "$DS/sock" "$DS/q.json" "$DS/stat.json" "$DS/stat.txt"
	(
		# wait for the guest's traffic, then sample while it reads
		i=0
		while [ $i -lt $((LINUX_TIMEOUT * 2)) ]; do
			grep -q "GUEST DEVSTATS load" "$log" 2>/dev/null && break
			i=$((i + 1))
			sleep 0.5
		done
		"$NYX" ctl "$DS/sock" query-stats >"$DS/q.json" 2>&1
		"$NYX" stat "$DS/sock" --once --json --interval 2000 >"$DS/stat.json" 2>&1
		"$NYX" stat "$DS/sock" --once --interval 1s >"$DS/stat.txt" 2>&1
	) &
	ds_pid=$!
	LINUX_ARGS="--control $DS/sock --disk $DS/disk.img --nic tap,bridge=$DS_BR,mac=52:54:00:12:34:57"
	linux_test "linux devstats boot (disk + nic + control socket)" 1 poweroff "nyx.devstats=20"
	LINUX_ARGS=
	wait $ds_pid
	cp "$log" "$LINUX_LOGDIR/devstats.log"
	echo "    query-stats devices:"
	sed -n '/"devices"/,/"module"/p' "$DS/q.json" | grep -E '"(id|reads|writes|write-bytes|read-bytes|count|sum|max|rx-packets|tx-packets|rx-dropped|tx-dropped)"' | tr -s ' ' | tr '\n' ' ' | fold -w 100 | sed 's/^/      /'
	echo
	why=
	wb=$(ds_max write-bytes "$DS/q.json")
	[ "${wb:-0}" -ge 4194304 ] || why="write-bytes $wb < 4194304 (dd's bytes)"
	w=$(ds_max writes "$DS/q.json")
	[ "${w:-0}" -ge 64 ] || why="${why:+$why; }writes $w < 64 (dd's requests)"
	c=$(ds_max count "$DS/q.json")
	[ "${c:-0}" -ge 64 ] || why="${why:+$why; }latency-us count $c < 64"
	for k in rx-packets tx-packets; do
		n=$(ds_max $k "$DS/q.json")
		[ "${n:-0}" -ge 5 ] || why="${why:+$why; }$k $n < 5 (pings)"
	done
	grep -q '"module"' "$DS/q.json" || why="${why:+$why; }no \"module\" member"
	grep -q '"vm": {' "$DS/q.json" || why="${why:+$why; }no module VM stats"
	grep -q '"type": "virtio-net"' "$DS/q.json" || why="${why:+$why; }no virtio-net in devices"
	if [ -z "$why" ]; then pass "devstats: query-stats counters cover the guest's I/O"
	else show "$DS/q.json"; fail "devstats: query-stats counters cover the guest's I/O" "$why"; fi

	why=
	echo "    nyx stat --once --json: $(cut -c1-600 "$DS/stat.json")"
	ops=$(ds_first ops_rate "$DS/stat.json")
	ex=$(ds_first exit_rate "$DS/stat.json")
	awk -v v="${ops:-0}" 'BEGIN { exit !(v > 0) }' || why="disk ops_rate '${ops}' not > 0"
	awk -v v="${ex:-0}" 'BEGIN { exit !(v > 0) }' || why="${why:+$why; }exit_rate '${ex}' not > 0"
	grep -q '"source":"module"' "$DS/stat.json" || why="${why:+$why; }source is not the module's stats"
	grep -q '"type":"virtio-net"' "$DS/stat.json" || why="${why:+$why; }no virtio-net device"
	if [ -z "$why" ]; then pass "devstats: nyx stat --once --json rates"
	else fail "devstats: nyx stat --once --json rates" "$why"; fi
	sed 's/^/    | /' "$DS/stat.txt"
	run_cmd "devstats: nyx stat text view" sh -c \
		"grep -q '^ virtio-blk' $DS/stat.txt && grep -q '^ virtio-net' $DS/stat.txt && grep -q '^exits [0-9]*/s' $DS/stat.txt"
	run_cmd "devstats: nyx stat on a missing socket is an error" sh -c \
		"$NYX stat $DS/nonexistent --once >$DS/err.out 2>&1; [ \$? = 2 ] && grep -q 'cannot connect' $DS/err.out"
}

if [ "$NYX_NO_MODULE" = 1 ]; then
	skip "linux devstats" "no module"
elif [ -n "$linux_why" ]; then
	skip "linux devstats" "$linux_why"
elif [ "$linux_runner" = bochs ]; then
	skip "linux devstats" "not under Bochs (one more Linux boot)"
elif ! ds_setup; then
	fail "linux devstats" "cannot set up bridge $DS_BR and the disk image"
else
	ds_run
	ip link del "$DS_BR" 2>/dev/null || { ip link set "$DS_BR" down; brctl delbr "$DS_BR"; }
fi
