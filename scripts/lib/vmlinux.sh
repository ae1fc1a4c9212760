# shellcheck shell=bash
# extract_vmlinux BZIMAGE OUT: write the uncompressed ELF kernel inside a
# Debian bzImage (xz payload) to OUT. Both nested runners boot it through
# its PVH entry point, because decompressing the bzImage costs ~4 s of
# every boot under QEMU TCG and over a minute under Bochs. The result is
# cached: nothing is done if OUT exists and BZIMAGE is not newer. Returns non-zero
# if there is no xz payload (OUT is then absent).
extract_vmlinux() {
	local bz=$1 out=$2 off
	if [ -s "$out" ] && ! [ "$bz" -nt "$out" ]; then
		return 0
	fi
	mkdir -p "$(dirname "$out")"
	off=$(LC_ALL=C grep -aboP '\xfd7zXZ\x00' "$bz" | head -1 | cut -d: -f1)
	[ -n "$off" ] || return 1
	# (xz stops after the stream, so tail may die of SIGPIPE: not an error)
	if xz -dc --single-stream <(tail -c +$((off + 1)) "$bz") >"$out.$$" 2>/dev/null; then
		mv "$out.$$" "$out"
	else
		rm -f "$out.$$" "$out"
		return 1
	fi
}
