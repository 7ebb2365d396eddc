# shellcheck shell=sh
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
