# virtio-blk with a Linux guest (issue 5): sourced by suite.sh (module
# loaded) and by the standalone tests/vm/virtio.sh.
#
# Four disks (images made here with dd and qemu-img): a raw one, a fresh
# qcow2, a qcow2 over a raw backing file, a read-only raw one. The guest
# (tests/linux-guest/init, nyx.vblk=1) loads virtio_pci/virtio_blk, checks
# sysfs (vendor 0x1af4, device 0x1042, drivers bound), writes a pattern to
# the raw and the qcow2 disk and reads it back, reads the backing file
# through the overlay, makes an ext2 filesystem on the overlay and writes a
# file to it, checks the read-only disk, prints each disk's md5 and powers
# off. Then, here: the raw image holds the pattern and the guest's md5;
# "qemu-img check" finds the qcow2 images clean and "qemu-img convert -O
# raw" of each has the guest's md5; the backing file and the read-only
# image are unchanged. Run twice: fast paths on (ioeventfd/irqfd) and off;
# under Bochs (one Linux boot is ~70 s there) only with the fast paths on.
# shellcheck shell=sh
QI=qemu-img
D=/tmp/vblk

run_cmd "nyx: --disk on a missing file is a setup error" sh -c \
	"$NYX run --disk /nonexistent.img --flat $GUESTS/serial.bin >/tmp/disk.out 2>&1; [ \$? = 2 ] && grep -q nonexistent /tmp/disk.out"
run_cmd "nyx: bad --virtio-fastpath is a usage error" sh -c \
	"$NYX run --virtio-fastpath maybe --flat $GUESTS/serial.bin >/tmp/fp.out 2>&1; [ \$? = 2 ] && grep -q virtio-fastpath /tmp/fp.out"

# make_images: fresh images; /tmp/P and /tmp/B as the guest makes them
make_images() {
	rm -rf "$D"
	mkdir -p "$D"
	yes nyx-pattern-0123456789 | head -c 1048576 >/tmp/P
	yes nyx-backing | head -c 1048576 >/tmp/B
	dd if=/dev/zero of="$D/raw.img" bs=1048576 count=16 2>/dev/null
	cp /tmp/B "$D/base.img"
	dd if=/dev/zero of="$D/base.img" bs=1048576 seek=1 count=15 2>/dev/null
	cp "$D/base.img" "$D/ro.img"
	$QI create -q -f qcow2 "$D/new.qcow2" 16M &&
	$QI create -q -f qcow2 -b "$D/base.img" -F raw "$D/backed.qcow2"
}

# guest_md5 LOG SERIAL: the md5 the guest printed for that disk
guest_md5() {
	sed -n "s/.*GUEST INFO vblk md5 $2 \([0-9a-f]*\).*/\1/p" "$1" | tail -n 1
}

vblk_run() {	# NAME FASTPATH
	if ! make_images; then
		fail "$1" "cannot make the images (qemu-img)"
		return
	fi
	base_md5=$(md5sum <"$D/base.img")
	ro_md5=$(md5sum <"$D/ro.img")
	LINUX_ARGS="-v --virtio-fastpath $2 --disk $D/raw.img,serial=nyx-raw --disk $D/new.qcow2,serial=nyx-qcow2 --disk $D/backed.qcow2,serial=nyx-backed --disk $D/ro.img,readonly,serial=nyx-ro"
	linux_test "$1" 1 poweroff nyx.vblk=1
	log=$LINUX_LOGDIR/linux-1cpu-poweroff.log
	cp "$log" "$LINUX_LOGDIR/vblk-$2.log"
	why=
	dd if="$D/raw.img" bs=65536 skip=16 count=16 2>/dev/null | cmp -s - /tmp/P ||
		why="raw image lacks the pattern at 1 MiB"
	[ "$(md5sum <"$D/raw.img" | cut -d' ' -f1)" = "$(guest_md5 "$log" nyx-raw)" ] ||
		why="${why:+$why; }raw image md5 differs from the guest's"
	for q in new:nyx-qcow2 backed:nyx-backed; do
		img=$D/${q%%:*}.qcow2
		if ! $QI check -q "$img" >/tmp/qcheck.out 2>&1; then
			why="${why:+$why; }qemu-img check ${q%%:*}.qcow2: $(head -n 2 /tmp/qcheck.out | tr '\n' ' ')"
		fi
		if $QI convert -O raw "$img" "$D/conv.raw"; then
			[ "$(md5sum <"$D/conv.raw" | cut -d' ' -f1)" = "$(guest_md5 "$log" "${q#*:}")" ] ||
				why="${why:+$why; }converted ${q%%:*}.qcow2 differs from what the guest read"
		else
			why="${why:+$why; }qemu-img convert ${q%%:*}.qcow2 failed"
		fi
		rm -f "$D/conv.raw"
	done
	$QI convert -O raw "$D/new.qcow2" "$D/conv.raw" &&
		{ dd if="$D/conv.raw" bs=65536 skip=32 count=16 2>/dev/null | cmp -s - /tmp/P ||
			why="${why:+$why; }new.qcow2 lacks the pattern at 2 MiB"; }
	[ "$(md5sum <"$D/base.img")" = "$base_md5" ] || why="${why:+$why; }the backing file changed"
	[ "$(md5sum <"$D/ro.img")" = "$ro_md5" ] || why="${why:+$why; }the read-only image changed"
	# the paths actually taken (the launcher's -v line per device)
	case $2 in
	on) want="kicks by ioeventfd, interrupts by irqfd" ;;
	*) want="kicks by exits, interrupts by ioctl" ;;
	esac
	[ "$(grep -c "virtio-blk.*: $want" "$log.err")" = 4 ] ||
		why="${why:+$why; }not all 4 devices use '$want': $(grep 'virtio-blk.*kicks' "$log.err" | head -n 1)"
	if [ -z "$why" ]; then pass "$1: host checks"; else fail "$1: host checks" "$why"; fi
}

if [ "$NYX_NO_MODULE" = 1 ]; then
	skip "linux virtio-blk" "no module"
elif ! command -v $QI >/dev/null; then
	skip "linux virtio-blk" "no qemu-img in the test VM"
elif [ -n "$linux_why" ]; then
	skip "linux virtio-blk" "$linux_why"
else
	vblk_run "linux virtio-blk, fast paths on" on
	[ "$linux_runner" = bochs ] ||
		vblk_run "linux virtio-blk, fast paths off" off
fi
