# Suite for "make run" (scripts/run-default): load the module, boot the
# default guest with its console shown, unload. See lib.sh.
# shellcheck shell=sh source=tests/vm/lib.sh
. /tests/lib.sh

if [ "$NYX_NO_MODULE" = 1 ]; then
	skip "insmod nyx.ko" "--no-module"
else
	echo "RUN insmod nyx.ko"
	if insmod "$NYX_KO" && [ -c /dev/nyx ]; then
		pass "insmod nyx.ko"
	else
		fail "insmod nyx.ko" "insmod failed or no /dev/nyx"
		finish
		exit
	fi
fi

echo "RUN nyx run --flat serial.bin"
echo "    --- guest console ---"
timeout -k 5 "$TEST_TIMEOUT" "$NYX" run --flat "$GUESTS/serial.bin" </dev/null >"$OUT" 2>&1
rc=$?
sed 's/^/    /' "$OUT"
echo "    --- nyx exited with status $rc ($(describe_status "$rc")) ---"
if check_guest serial 33 "hello from nyx guest" "$OUT" "$rc"; then
	pass "nyx run --flat serial.bin"
else
	fail "nyx run --flat serial.bin" "$reason"
fi

if grep -q '^nyx ' /proc/modules; then
	echo "RUN rmmod nyx"
	if rmmod nyx; then pass "rmmod nyx"; else fail "rmmod nyx" "unload failed"; fi
fi
finish
