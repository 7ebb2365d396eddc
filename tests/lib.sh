# shellcheck shell=sh disable=SC2034 # lib.sh sets variables for the tests that source it
# lib.sh — sourced by every tests/test_*.sh. Each check prints one line; the runner counts them.
# Tests assert relations that hold on any machine, never absolute times.
CVP=${CVP:-build/cvp}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/cvp-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
: "${RESULTS_FILE:=/dev/null}"

pass() { echo "ok    $*"; echo pass >>"$RESULTS_FILE"; }
fail() { echo "FAIL  $*"; echo fail >>"$RESULTS_FILE"; }
skip() { echo "skip  $*"; echo skip >>"$RESULTS_FILE"; }
check() { # check "name" cmd... — passes when cmd succeeds
	name=$1
	shift
	if "$@"; then pass "$name"; else fail "$name"; fi
}

# Value of CSV column $2 in the single-row CSV file $1 (header on line 1).
col() {
	awk -F, -v c="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) k = i }
		NR == 2 { if (k) print $k; else print "NO_SUCH_COLUMN" }' "$1"
}

# Floating-point comparison: fcmp A OP B, OP one of < <= > >=
fcmp() { awk -v a="$1" -v b="$3" -v op="$2" 'BEGIN {
	r = (op == "<") ? a < b : (op == "<=") ? a <= b : (op == ">") ? a > b : a >= b; exit !r }'; }

# Number of online PUs this process may use.
ncpus() { nproc; }

# Whether a run leaves anything behind: run it as the leader of a new session, then look for any
# process still in that session. (sid, rc and job are for the test that sources this file.)
# in_session CMD...: runs CMD in a new session and waits; $sid, $rc; output in $TMP/out, $TMP/err.
in_session() {
	rm -f "$TMP/sid"
	# shellcheck disable=SC2016 # expanded by the inner shell
	setsid -w sh -c 'echo $$ >"$1"; shift; exec "$@"' sh "$TMP/sid" "$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	sid=$(cat "$TMP/sid")
}
# start_in_session CMD...: the same in the background; $sid, and $job to wait for.
start_in_session() {
	rm -f "$TMP/sid"
	# shellcheck disable=SC2016 # expanded by the inner shell
	setsid sh -c 'echo $$ >"$1"; shift; exec "$@"' sh "$TMP/sid" "$@" >"$TMP/out" 2>"$TMP/err" &
	job=$!
	k=0
	while [ ! -s "$TMP/sid" ] && [ "$k" -lt 50 ]; do
		sleep 0.1
		k=$((k + 1))
	done
	sid=$(cat "$TMP/sid")
}
# Processes of session $1 still running (a zombie is dead: init reaps it when it gets to it).
left_in_session() { ps -eo sid=,stat= | awk -v s="$1" '$1 == s && $2 !~ /^Z/' | wc -l; }
