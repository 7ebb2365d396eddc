#!/bin/sh
# test_checksums.sh — every model x workload at fixed small sizes gives the checksum (or the exit
# status) recorded in tests/fixtures/checksums.txt, which was made from the code before the
# change of shape (issue 9): reshaping the harness must not change what a run computes.
set -u
# shellcheck source=tests/lib.sh
. tests/lib.sh
TMPDIR=$TMP
export TMPDIR
n=0
while IFS='|' read -r m w args want; do
	case $m in '#'* | '') continue ;; esac
	n=$((n + 1))
	# shellcheck disable=SC2086 # split on purpose
	$CVP --model "$m" --workload "$w" $args --header >"$TMP/out" 2>"$TMP/err"
	rc=$?
	if [ "$rc" -eq 0 ]; then got=$(col "$TMP/out" checksum); else got=exit$rc; fi
	[ "$got" = "$want" ] && pass "checksum: $m x $w $args: $got" ||
		fail "checksum: $m x $w $args: got $got, want $want ($(head -c 300 "$TMP/err"))"
done <tests/fixtures/checksums.txt
[ "$n" -ge 40 ] && pass "checksum fixture: $n lines" || fail "checksum fixture: only $n lines"
