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

# PUs that other programs keep busy, over one second in which this test runs nothing:
# /proc/stat's busy time (a virtual machine's steal included) over all its time, times the PUs.
others_busy() {
	{
		head -n 1 /proc/stat
		sleep 1
		head -n 1 /proc/stat
	} | awk -v n="$(grep -c '^cpu[0-9]' /proc/stat)" '
		{ t = 0; for (i = 2; i <= 9; i++) t += $i; idle = $5 + $6 }
		NR == 1 { t0 = t; i0 = idle }
		NR == 2 { printf "%.2f\n", n * (1 - (idle - i0) / (t - t0 > 0 ? t - t0 : 1)) }'
}
# A relation that needs 2 free PUs (parallelism) failed: fail "$*", unless other programs keep
# a third of a PU or more busy; then the relation could not be judged, and that is said (skip).
fail_unless_busy() {
	others=$(others_busy)
	if fcmp "$others" ">=" 0.33; then
		skip "$* — not judged: other programs keep $others PUs of this machine busy"
	else
		fail "$*"
	fi
}

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
# The same once it reaches 0, or after 2 s: processes that die with their parent (the
# parent-death signal) may take a moment on a loaded host.
left_settled() {
	_k=0
	while [ "$(left_in_session "$1")" -gt 0 ] && [ "$_k" -lt 20 ]; do
		sleep 0.1
		_k=$((_k + 1))
	done
	left_in_session "$1"
}
