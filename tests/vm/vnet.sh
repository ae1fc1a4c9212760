# virtio-net with a Linux guest (issue 5): sourced by suite.sh (module
# loaded) and by the standalone tests/vm/virtio-net.sh.
#
# Here: a bridge nyxbr0 holding 169.254.77.1/16 (IPv4 link-local only),
# 8 MiB of random data to serve, TCP listeners (busybox nc) on 5001
# (guest -> host) and 5002 (host -> guest), and a background ping of the
# guest until it answers. The guest (tests/linux-guest/init, nyx.vnet=1)
# boots with --nic tap,bridge=nyxbr0,mac=52:54:00:12:34:56, brings eth0
# up as 169.254.77.2/16, pings us, waits for our ping, sends 8 MiB of
# "seq 1 2000000" and receives the random file, printing its md5. Then,
# here: what arrived is the guest's data exactly, the guest's md5 is the
# file's, our ping was answered, the launcher used the fast paths asked
# for, frames went straight into the guest's buffers (rx_direct), and the
# tap left the bridge when nyx exited. Run twice: fast paths
# on (ioeventfd/irqfd) and off; under Bochs only with them on, and with
# 1 MiB each way (VNET_MIB: the guest's nyx.vnet.mib), Bochs being slow.
# shellcheck shell=sh
VN=/tmp/vnet
VNET_BR=nyxbr0
VNET_GUEST=169.254.77.2
VNET_MIB=8
[ "$linux_runner" = bochs ] && VNET_MIB=1

run_cmd "nyx: --nic with a bad mac is a usage error" sh -c \
	"$NYX run --nic tap,mac=01:00:00:00:00:01 --flat $GUESTS/serial.bin >/tmp/nic.out 2>&1; [ \$? = 2 ] && grep -q multicast /tmp/nic.out"

vnet_setup() {
	modprobe tun 2>/dev/null
	modprobe bridge 2>/dev/null
	rm -rf "$VN"
	mkdir -p "$VN"
	head -c $((VNET_MIB * 1048576)) /dev/urandom >"$VN/h2g" &&
	seq 1 $((VNET_MIB * 250000)) | head -c $((VNET_MIB * 1048576)) \
		>"$VN/g2h.want" || return 1
	ip link show "$VNET_BR" >/dev/null 2>&1 ||
		ip link add "$VNET_BR" type bridge 2>/dev/null ||
		brctl addbr "$VNET_BR" || return 1
	ip addr add 169.254.77.1/16 dev "$VNET_BR" 2>/dev/null
	ip link set "$VNET_BR" up
}

vnet_run() {	# NAME FASTPATH
	rm -f "$VN/g2h" "$VN/pinged" "$VN/hold"
	mkfifo "$VN/hold"
	# the receiving nc keeps its stdin open (busybox nc would otherwise
	# half-close at once and the sender stop at our EOF)
	exec 8<>"$VN/hold"
	nc -l -p 5001 <"$VN/hold" >"$VN/g2h" &
	p1=$!
	nc -l -p 5002 <"$VN/h2g" >/dev/null &
	p2=$!
	(
		i=0
		while [ $i -lt 600 ]; do
			ping -c 1 -W 1 $VNET_GUEST >/dev/null 2>&1 &&
				{ echo ok >"$VN/pinged"; break; }
			i=$((i + 1))
			sleep 0.5
		done
	) &
	p3=$!
	LINUX_ARGS="-v --virtio-fastpath $2 --nic tap,bridge=$VNET_BR,mac=52:54:00:12:34:56"
	linux_test "$1" 1 poweroff "nyx.vnet=1 nyx.vnet.mib=$VNET_MIB"
	LINUX_ARGS=
	kill $p1 $p2 $p3 2>/dev/null
	wait $p1 $p2 $p3 2>/dev/null
	exec 8>&-
	log=$LINUX_LOGDIR/linux-1cpu-poweroff.log
	cp "$log" "$LINUX_LOGDIR/vnet-$2.log"
	cp "$log.err" "$LINUX_LOGDIR/vnet-$2.log.err"
	why=
	[ -f "$VN/g2h" ] && cmp -s "$VN/g2h" "$VN/g2h.want" ||
		why="guest -> host: $(wc -c <"$VN/g2h" 2>/dev/null) bytes arrived, not the guest's $VNET_MIB MiB"
	gmd5=$(sed -n 's/.*GUEST INFO vnet md5 recv \([0-9a-f]*\).*/\1/p' "$log" | tail -n 1)
	[ "$gmd5" = "$(md5sum <"$VN/h2g" | cut -d' ' -f1)" ] ||
		why="${why:+$why; }host -> guest: the guest's md5 '$gmd5' is not the file's"
	[ -f "$VN/pinged" ] || why="${why:+$why; }the guest never answered our ping"
	case $2 in
	on) want="kicks by ioeventfd, interrupts by irqfd" ;;
	*) want="kicks by exits, interrupts by ioctl" ;;
	esac
	grep -q "virtio-net.*: $want" "$log.err" ||
		why="${why:+$why; }virtio-net does not use '$want': $(grep 'virtio-net.*kicks' "$log.err" | head -n 1)"
	[ -z "$(ls "/sys/class/net/$VNET_BR/brif" 2>/dev/null)" ] ||
		why="${why:+$why; }still on the bridge after exit: $(ls "/sys/class/net/$VNET_BR/brif")"
	grep 'virtio-net.*rx .* frames' "$log.err" | sed 's/^/    /'
	# the stream's GSO frames went straight into the guest's buffers
	# (rx_direct), and the md5 above says they arrived intact; not under
	# Bochs, whose slow guest makes the sender's frames small
	direct=$(sed -n 's/.*virtio-net.*: rx [0-9]* frames (\([0-9]*\) direct).*/\1/p' "$log.err" | head -n 1)
	[ "$linux_runner" = bochs ] || [ "${direct:-0}" -gt 0 ] ||
		why="${why:+$why; }no frame was read straight into the guest's buffers (rx direct: '${direct}')"
	if [ -z "$why" ]; then pass "$1: host checks"; else fail "$1: host checks" "$why"; fi
}

if [ "$NYX_NO_MODULE" = 1 ]; then
	skip "linux virtio-net" "no module"
elif [ -n "$linux_why" ]; then
	skip "linux virtio-net" "$linux_why"
elif ! vnet_setup; then
	fail "linux virtio-net" "cannot set up bridge $VNET_BR and the data files"
else
	vnet_run "linux virtio-net, fast paths on" on
	[ "$linux_runner" = bochs ] ||
		vnet_run "linux virtio-net, fast paths off" off
	ip link del "$VNET_BR" 2>/dev/null || { ip link set "$VNET_BR" down; brctl delbr "$VNET_BR"; }
fi
