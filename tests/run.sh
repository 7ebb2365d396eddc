#!/bin/sh
# run.sh [TEST...] — runs the given test files (default: every tests/test_*.sh) and ends with
# "N passed, N failed, N skipped in M:SS" (the suite must stay within 3 minutes on the slower
# host of this machine kind; the time says how close it is).
set -u
cd "$(dirname "$0")/.." || exit 1
t0=$(date +%s)
RESULTS_FILE=$(mktemp "${TMPDIR:-/tmp}/cvp-results.XXXXXX")
export RESULTS_FILE
[ $# -gt 0 ] || set -- tests/test_*.sh
for t in "$@"; do
	echo "== $t"
	if ! sh "$t"; then
		echo "FAIL  $t exited non-zero"
		echo fail >>"$RESULTS_FILE"
	fi
done
passed=$(grep -c '^pass$' "$RESULTS_FILE")
failed=$(grep -c '^fail$' "$RESULTS_FILE")
skipped=$(grep -c '^skip$' "$RESULTS_FILE")
rm -f "$RESULTS_FILE"
took=$(($(date +%s) - t0))
printf '%s passed, %s failed, %s skipped in %d:%02d\n' "$passed" "$failed" "$skipped" $((took / 60)) $((took % 60))
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
