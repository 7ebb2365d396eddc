#!/bin/sh
# test_security.sh — security (issue 6): while a run talks to the delay server, no process of
# the run has an IP socket (TCP or UDP, v4 or v6) and the server listens only on a Unix socket
# inside a private (0700) directory; every shell script in the repository passes shellcheck.
set -u
# shellcheck source=tests/lib.sh
. tests/lib.sh

SOCKDIR=$TMP/sock
mkdir -p "$SOCKDIR"
TMPDIR=$SOCKDIR
export TMPDIR
start_in_session "$CVP" --model threads --workload echo --units 4 --size 40 --delay-ms 100
k=0
while [ -z "$(find "$SOCKDIR" -type s 2>/dev/null)" ] && [ "$k" -lt 100 ]; do
	sleep 0.1
	k=$((k + 1))
done
sock=$(find "$SOCKDIR" -type s)
dir=$(dirname "$sock")
[ -n "$sock" ] && [ "$(stat -c %a "$dir")" = 700 ] &&
	pass "the delay server's socket is in a private directory (mode 700)" ||
	fail "socket directory: '$dir' mode $(stat -c %a "$dir" 2>/dev/null)"

# The socket inodes every process of the run holds.
inodes=$(for p in $(ps -eo pid=,sid= | awk -v s="$sid" '$2 == s { print $1 }'); do
	for fd in /proc/"$p"/fd/*; do readlink "$fd" 2>/dev/null; done
done | sed -n 's/^socket:\[\([0-9]*\)\]$/\1/p' | sort -u)
# IP sockets (inode is column 10 of /proc/net/{tcp,udp}{,6}).
ip=$(cat /proc/net/tcp /proc/net/tcp6 /proc/net/udp /proc/net/udp6 2>/dev/null |
	awk 'NR > 1 { print $10 }' | sort -u)
both=$(printf '%s\n%s\n' "$inodes" "$ip" | sort | uniq -d | grep -v '^0$' || true)
[ -n "$inodes" ] && [ -z "$both" ] && pass "no process of the run has a TCP or UDP socket" ||
	fail "IP sockets held by the run: '$both' (socket inodes: $(echo "$inodes" | wc -w))"
# Listening Unix sockets of the run (/proc/net/unix: flags 00010000 = __SO_ACCEPTCON).
listen=$(echo "$inodes" | awk 'NR == FNR { own[$1] = 1; next }
	$7 in own && $4 == "00010000" { print $8 }' - /proc/net/unix)
[ "$listen" = "$sock" ] && pass "the run listens only on its Unix socket $sock" ||
	fail "listening: '$listen', expected '$sock'"
wait "$job"
rc=$?
[ "$rc" -eq 0 ] && [ -z "$(ls "$SOCKDIR")" ] && pass "the run ends cleanly and removes its directory" ||
	fail "run: exit $rc ($(cat "$TMP/err")), left: $(ls "$SOCKDIR")"

# Every shell script in the repository, quoted and clean.
if command -v shellcheck >/dev/null; then
	scripts=$(git ls-files '*.sh' .ci/run 2>/dev/null)
	[ -n "$scripts" ] || scripts=$(find . -name '*.sh' -not -path './build/*')
	# shellcheck disable=SC2086 # one word per file (paths in the repository have no spaces)
	out=$(shellcheck -x $scripts 2>&1) && pass "shellcheck: every shell script ($(echo "$scripts" | wc -w) files)" ||
		fail "shellcheck: $(echo "$out" | grep -c '^In ') findings: $(echo "$out" | head -n 20)"
else
	fail "shellcheck is not installed (make deps installs it)"
fi
