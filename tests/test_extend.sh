#!/bin/sh
# test_extend.sh — adding a workload is adding one file (issue 9): a scratch copy of the tree
# gets tests/fixtures/workloads/scale.c as workloads/scale.c and nothing else; after `make`,
# build/cvp lists it, documents and checks its option, and runs it verified under every model
# with its option and its figure in the row. A second copy gets warm.c, whose warm-up waits:
# the wait stays out of the timed interval under every model, once per unit.
set -u
# shellcheck source=tests/lib.sh
. tests/lib.sh

# A copy of the working tree with the objects already built, so make compiles only what changed.
scratch() {
	mkdir -p "$TMP/$1"
	tar --exclude=./.git --exclude=./results --exclude=./build/asan --exclude=./build/tsan \
		-cf - . | tar -xf - -C "$TMP/$1"
}

models=$($CVP --list | awk '$1 == "model" { print $2 }')
# Whether `--list` says workload $2 of binary $1 runs under model $3 (a model whose units cannot
# run a workload's run(), stackless, runs only the probes written for it).
listed() {
	"$1" --list --format csv | python3 -c '
import csv, sys
for r in csv.DictReader(sys.stdin):
    if r["what"] == "workload" and r["name"] == sys.argv[1]:
        sys.exit(sys.argv[2] not in {m.split("/")[0] for m in r["models"].split()})
sys.exit(1)' "$2" "$3"
}
# A model --list leaves out for the workload skips it: exit 4, nothing on stdout.
skipped() { # skipped BINARY WORKLOAD MODEL ARGS...
	b=$1 w=$2 m=$3
	shift 3
	"$b" --model "$m" --workload "$w" "$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	[ "$rc" -eq 4 ] && [ ! -s "$TMP/out" ] && pass "$w under $m: not in --list, skipped (exit 4)" ||
		fail "$w under $m: not in --list, but exit $rc ($(cat "$TMP/err"))"
}

scratch one
cp tests/fixtures/workloads/scale.c "$TMP/one/workloads/scale.c"
if (cd "$TMP/one" && make -s build/cvp >"$TMP/make.out" 2>&1); then
	pass "make builds a tree with one new workload file"
else
	fail "make with workloads/scale.c: $(tail -n 5 "$TMP/make.out")"
fi
X=$TMP/one/build/cvp
$X --list | grep -q '^workload  scale ' && pass "--list names scale" || fail "--list lacks scale"
$X --help | grep -q -- '--factor F .*scale: the multiplier of each op (default 3)' &&
	pass "--help documents --factor as scale's" || fail "--help lacks --factor: $($X --help | grep factor)"
$X --list --format csv | grep -q '^workload,scale,cpu,4194304,run,factor=3,ops_per_us:ops/µs:higher,cores,' &&
	pass "--list --format csv: scale's option, figure and plan" ||
	fail "--list csv: $($X --list --format csv | grep scale)"
for m in $models; do
	if ! listed "$X" scale "$m"; then
		skipped "$X" scale "$m" --units 2
	elif $X --model "$m" --workload scale --units 2 --tasks 5 --factor 7 --size 100000 --header \
		>"$TMP/s.csv" 2>"$TMP/err"; then
		fig=$(col "$TMP/s.csv" figures)
		# params: factor=7, beside the model's own options that have no column (coros: switch)
		[ "$(col "$TMP/s.csv" verified)" = true ] &&
			case ";$(col "$TMP/s.csv" params);" in *";factor=7;"*) true ;; *) false ;; esac &&
			case $fig in ops_per_us=[0-9]*) true ;; *) false ;; esac &&
			pass "scale under $m: verified, params $(col "$TMP/s.csv" params), figures $fig" ||
			fail "scale under $m: $(cat "$TMP/s.csv")"
	else
		fail "scale under $m: exit $? ($(cat "$TMP/err"))"
	fi
done
$X --model threads --workload scale --factor 0 >/dev/null 2>"$TMP/err"
[ $? -eq 2 ] && grep -q -- "--factor: '0' is out of range (1..1000)" "$TMP/err" &&
	pass "scale --factor 0: exit 2, range from the descriptor" || fail "--factor 0: $(cat "$TMP/err")"
$X --model threads --workload hash --factor 2 >/dev/null 2>"$TMP/err"
[ $? -eq 2 ] && grep -q -- "--factor: does not apply to hash under threads (an option of scale)" "$TMP/err" &&
	pass "--factor with hash: exit 2, names its owner" || fail "--factor with hash: $(cat "$TMP/err")"
# The same checksum whatever the model (serial is the reference): checked above by verified.

scratch two
cp tests/fixtures/workloads/warm.c "$TMP/two/workloads/warm.c"
if (cd "$TMP/two" && make -s build/cvp >"$TMP/make.out" 2>&1); then
	X=$TMP/two/build/cvp
	for m in $models; do
		# Each unit's warm-up waits 200 ms; the ops take microseconds. Any model that ran a
		# warm-up inside the clock would show at least 200 ms.
		if ! listed "$X" warm "$m"; then
			skipped "$X" warm "$m" --units 3
		elif $X --model "$m" --workload warm --units 3 --delay-ms 200 --header >"$TMP/w.csv" 2>"$TMP/err"; then
			wall=$(col "$TMP/w.csv" wall_s)
			[ "$(col "$TMP/w.csv" figures)" = warmups=3 ] && fcmp "$wall" "<" 0.2 &&
				pass "warm under $m: 3 warm-ups, none inside the clock (wall ${wall}s)" ||
				fail "warm under $m: $(cat "$TMP/w.csv")"
		else
			fail "warm under $m: exit $? ($(cat "$TMP/err"))"
		fi
	done
else
	fail "make with workloads/warm.c: $(tail -n 5 "$TMP/make.out")"
fi

# The same copy, the matrix: `make bench WORKLOADS=scale` runs scale alone (the matrix comes from
# the binary), and TABLE.md's per-workload section has its line.
if (cd "$TMP/one" && RESULTS_ROOT="$TMP/runs" make -s bench PROFILE=quick WORKLOADS=scale \
	>"$TMP/bench.out" 2>"$TMP/bench.err"); then
	run=$TMP/runs/latest
	others=$(awk -F, 'NR == 1 { for (k = 1; k <= NF; k++) c[$k] = k; next }
		$c["workload"] != "scale"' "$run/cvp.csv" | wc -l)
	[ "$(grep -c ',scale,' "$run/cvp.csv")" -gt 0 ] && [ "$others" -eq 0 ] &&
		pass "make bench WORKLOADS=scale: rows of scale in cvp.csv, none of other workloads" ||
		fail "make bench WORKLOADS=scale: $others rows of other workloads"
	grep -q '^| scale | cpu |' "$run/TABLE.md" &&
		pass "TABLE.md's per-workload section has scale" ||
		fail "TABLE.md lacks scale: $(grep -n scale "$run/TABLE.md" | head -3)"
else
	fail "make bench WORKLOADS=scale: $(tail -n 5 "$TMP/bench.err")"
fi
