#!/bin/sh
# run.sh [TEST...] — runs the given test files (default: every tests/test_*.sh) and ends with
# "N passed, N failed".
set -u
cd "$(dirname "$0")/.." || exit 1
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
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
