#!/bin/sh
# test_limits.sh — a resource limit reached while creating units is exit 3, and the message
# names the limit that was reached (not a list of candidates) and the count reached.
set -u
# shellcheck source=tests/lib.sh
. tests/lib.sh

# ulimit -u binds only a user other than root: run as nobody with RLIMIT_NPROC = 60.
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups prlimit --nproc=60 -- "$@"; }
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null && command -v prlimit >/dev/null; then
	for m in procs threads; do
		as_nobody "$CVP" --model "$m" --workload sleep --units 200 --size 1 --delay-ms 50 \
			>"$TMP/out" 2>"$TMP/err"
		rc=$?
		[ "$rc" -eq 3 ] && grep -q 'limit reached: ulimit -u (RLIMIT_NPROC = 60' "$TMP/err" &&
			grep -q 'at unit [0-9]* of 200' "$TMP/err" && [ ! -s "$TMP/out" ] &&
			pass "$m past ulimit -u: exit 3 naming RLIMIT_NPROC and the count" ||
			fail "$m past ulimit -u: exit $rc: $(cat "$TMP/err")"
		left=$(pgrep -u 65534 -f "$CVP" | wc -l)
		[ "$left" -eq 0 ] && pass "$m past ulimit -u: nothing left running" || fail "$m: $left left"
	done
else
	skip "ulimit -u: needs root (to become another user), setpriv and prlimit"
fi
# Address space: 1 000 threads of 8 MiB stacks do not fit in 2 GB of RLIMIT_AS.
prlimit --as=2000000000 -- "$CVP" --model threads --workload hash --units 1000 --size 1000 \
	>"$TMP/out" 2>"$TMP/err"
rc=$?
[ "$rc" -eq 3 ] && grep -q 'limit reached: memory: ulimit -v' "$TMP/err" &&
	pass "threads past ulimit -v: exit 3 naming RLIMIT_AS" || fail "threads past ulimit -v: exit $rc: $(cat "$TMP/err")"
