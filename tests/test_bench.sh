#!/bin/sh
# test_bench.sh — the results pipeline without the real matrix: the table generator and the
# plot scripts on the committed fixture (tests/fixtures/results-small, made-up numbers), their
# errors on a missing or corrupt file, and the matrix driver run against a fake cvp.
# shellcheck source=tests/lib.sh
. tests/lib.sh
FIX=tests/fixtures/results-small

is_png() { [ -s "$1" ] && [ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]; }

# A fresh copy of the fixture in $TMP/$1.
fixture() {
	rm -rf "${TMP:?}/$1"
	cp -r "$FIX" "$TMP/$1"
}

# ---- the table and the plots from the fixture
fixture ok
check "report.py writes TABLE.md from the fixture" python3 scripts/report.py table "$TMP/ok"
check "TABLE.md is the expected text" diff -u "$FIX/TABLE.expected.md" "$TMP/ok/TABLE.md"
check "plots.sh draws the fixture's plots" sh scripts/plots.sh "$TMP/ok"
for p in speedup-hash io-sleep io-echo memory spawn switch; do
	f="$TMP/ok/plots/$p"
	check "$p.png is a non-empty PNG" is_png "$f.png"
	check "$p.svg is a non-empty SVG" grep -q '<svg' "$f.svg"
done
for part in 'kernel stacks' 'page tables' 'slab (unreclaimable)' 'touched (PSS + kernel)'; do
	check "the memory plot has a bar for $part" grep -qF "$part" "$TMP/ok/plots/memory.svg"
done
# The fixture has no mandel or stream runs: no plot, and the table says they are missing.
check "no plot for a workload without data" test ! -e "$TMP/ok/plots/speedup-mandel.png"
check "TABLE.md names what is missing" grep -q 'mandel at 2 cores: not in this run' "$TMP/ok/TABLE.md"

# ---- a missing or corrupt file gives an error naming it
expect_error() { # expect_error NAME FILE_NAMED COMMAND... — fails, and stderr names the file
	name=$1 named=$2
	shift 2
	if "$@" >"$TMP/out" 2>"$TMP/err"; then
		fail "$name: succeeded"
	elif grep -qF "$named" "$TMP/err"; then
		pass "$name"
	else
		fail "$name: error does not name $named: $(cat "$TMP/err")"
	fi
}
json=raw/cpu-hash-threads-c2.json
fixture gone && rm "$TMP/gone/$json"
expect_error "table: missing $json" "$json" python3 scripts/report.py table "$TMP/gone"
# plots.sh draws from derived/*.csv and never derives them itself.
expect_error "plots: without derived files it says to make the table" "make table" \
	sh scripts/plots.sh "$TMP/gone"
fixture old && mkdir "$TMP/old/derived" && for f in speedup io memory spawn switch; do
	echo "workload,model" >"$TMP/old/derived/$f.csv"
done
expect_error "plots: derived files of an older report.py are refused" "older report.py" \
	sh scripts/plots.sh "$TMP/old"
fixture bad && echo '{"results": [{"mean": 0.1' >"$TMP/bad/$json"
expect_error "table: corrupt $json" "$json" python3 scripts/report.py table "$TMP/bad"
fixture nomachine && rm "$TMP/nomachine/machine.txt"
expect_error "table: missing machine.txt" machine.txt python3 scripts/report.py table "$TMP/nomachine"
fixture short && sed -i '5s/,[^,]*$//' "$TMP/short/cvp.csv"
expect_error "table: cvp.csv with a short row" "cvp.csv:5" python3 scripts/report.py table "$TMP/short"
fixture nan && sed -i '3s/^\(\([^,]*,\)\{12\}\)[^,]*/\1fast/' "$TMP/nan/cvp.csv"
expect_error "table: cvp.csv with a non-number" "cvp.csv:3" python3 scripts/report.py table "$TMP/nan"
fixture nostatus && rm "$TMP/nostatus/status.csv"
expect_error "table: missing status.csv" status.csv python3 scripts/report.py table "$TMP/nostatus"

# ---- make compare: two runs side by side; a figure far apart is explained by a host constant
# where both runs measured them, or the table says which did not
fixture cbase && cp tests/fixtures/hosts/fast-constants.csv "$TMP/cbase/raw/constants.csv"
fixture cother && cp tests/fixtures/hosts/slow-constants.csv "$TMP/cother/raw/constants.csv"
# OTHER's processes spawn ten times slower (as on the slow host, where fork costs 10x).
awk -F, -v OFS=, 'NR == 1 { for (k = 1; k <= NF; k++) c[$k] = k; print; next }
	$c["model"] == "procs" && $c["spawn_us_per_unit"] != "" { $c["spawn_us_per_unit"] *= 10 } { print }' \
	"$TMP/cbase/cvp.csv" >"$TMP/cother/cvp.csv"
if make -s compare BASE="$TMP/cbase" OTHER="$TMP/cother" OUT="$TMP/cmp" >"$TMP/cmp.out" 2>&1; then
	pass "make compare writes COMPARE.md"
	grep -q '^| spawn procs per unit | .* | fork_us: .*→.*(×' "$TMP/cmp/COMPARE.md" &&
		pass "compare: procs spawn 10x apart is explained by fork_us, both runs' values" ||
		fail "compare: $(grep 'spawn procs' "$TMP/cmp/COMPARE.md")"
	grep -q '^| syscall_ns | .* | .* | ×' "$TMP/cmp/COMPARE.md" &&
		pass "compare: the constants of both runs and their ratio" || fail "compare: no constants table"
	check "compare: overlaid cost plot" test -s "$TMP/cmp/plots/costs.svg"
else
	fail "make compare: $(tail -n 3 "$TMP/cmp.out")"
fi
make -s compare BASE="$FIX" OTHER="$TMP/cother" OUT="$TMP/cmp2" >/dev/null 2>&1 &&
	grep -q 'spawn procs per unit .*constants not measured in BASE' "$TMP/cmp2/COMPARE.md" &&
	pass "compare with a run that predates the constants says so" ||
	fail "compare, BASE without constants: $(grep 'spawn procs' "$TMP/cmp2/COMPARE.md")"
make -s compare BASE="$FIX" >/dev/null 2>&1
check "make compare without OTHER is a usage error" test $? -eq 2

# ---- the matrix driver, against a fake cvp (seconds, not minutes)
if RESULTS_ROOT="$TMP/runs" RUNTIMES=c CVP=tests/fixtures/fake-cvp.sh PROFILE=quick sh scripts/bench.sh \
	>"$TMP/bench.out" 2>"$TMP/bench.err"; then
	pass "bench.sh runs the quick matrix against a fake cvp"
else
	fail "bench.sh with a fake cvp: $(tail -n 3 "$TMP/bench.err")"
fi
run="$TMP/runs/latest"
status() { awk -F, -v cfg="$1" 'NR == 1 { for (k = 1; k <= NF; k++) c[$k] = k; next }
	$c["config"] == cfg { print $c["status"] }' "$run/status.csv"; }
check "results/latest points to the run" test -f "$run/machine.txt"
check "machine.txt records the profile" grep -q '^profile: quick$' "$run/machine.txt"
check "hyperfine JSON per configuration" test -s "$run/raw/cpu-hash-threads-c2.json"
check "a resource limit is recorded as a cap" test "$(status io-sleep-procs-u1000)" = cap
check "an unknown flag value is recorded as unavailable" \
	test "$(status probe-pingpong-threads-pipe-c1)" = unavailable
# 3 counted runs per configuration in the quick profile; the warm-up rows are not kept.
check "cvp.csv keeps the counted runs only" \
	test "$(grep -c '^cpu-hash-threads-c2,' "$run/cvp.csv")" -eq 3
check "bench prints the table" grep -q '^| \*\*Mode\*\*' "$TMP/bench.out"
check "bench prints the plot paths" grep -q 'plots/speedup-hash.svg$' "$TMP/bench.out"
check "no temporary files are left" test -z "$(find "$run/" -name '.*tmp*')"
# ---- resuming: a run cut short after some configurations goes on without redoing them
part="$TMP/runs/part"
cp -r "$(cd "$run" && pwd -P)" "$part"
keep=$(awk -F, 'NR > 1 && NR <= 6 { print $1 }' "$part/status.csv")
awk -F, 'NR > 6 { print $1 }' "$part/status.csv" | while read -r c; do
	rm -f "$part/raw/$c.json" "$part/raw/$c.csv"
done
head -n 6 "$part/status.csv" >"$TMP/st" && mv "$TMP/st" "$part/status.csv"
# cvp.csv still holds the rows of the configurations cut off: redone, they must replace them.
echo "interrupted" >"$part/INCOMPLETE"
sums_before=$(for c in $keep; do cksum <"$part/raw/$c.json" 2>/dev/null; done)
if RESUME="$part" RUNTIMES=c CVP=tests/fixtures/fake-cvp.sh PROFILE=default sh scripts/bench.sh \
	>"$TMP/resume.out" 2>"$TMP/resume.err"; then
	pass "RESUME=folder finishes an interrupted run"
else
	fail "RESUME=folder: $(tail -n 3 "$TMP/resume.err")"
fi
sums_after=$(for c in $keep; do cksum <"$part/raw/$c.json" 2>/dev/null; done)
check "resume skips the 5 finished configurations" grep -q '5 of [0-9]* configurations already done' "$TMP/resume.err"
check "resume keeps their results untouched" test "$sums_before" = "$sums_after"
check "resume runs the rest" test "$(wc -l <"$part/status.csv")" -eq "$(wc -l <"$run/status.csv")"
check "resume keeps the run's own profile" grep -q 'with its own profile, quick' "$TMP/resume.err"
check "a finished resume drops INCOMPLETE" test ! -e "$part/INCOMPLETE"
check "cvp.csv has a redone configuration's rows once" \
	test "$(grep -c '^cpu-stream-coros-c2,' "$part/cvp.csv")" -eq 3
check "RESUME of a folder that is not a run is an error naming the file" \
	sh -c 'RESUME=/nonexistent RUNTIMES=c CVP=tests/fixtures/fake-cvp.sh sh scripts/bench.sh 2>&1 | grep -q "/nonexistent/plan.txt is missing"'

# ---- subsets: WORKLOADS and MODELS narrow the matrix; an unknown name is a usage error
if RESULTS_ROOT="$TMP/sub" RUNTIMES=c CVP=tests/fixtures/fake-cvp.sh PROFILE=quick WORKLOADS=hash,sleep \
	MODELS=threads,coros sh scripts/bench.sh >"$TMP/sub.out" 2>"$TMP/sub.err"; then
	got=$(awk -F, 'NR == 1 { for (k = 1; k <= NF; k++) c[$k] = k; next }
		{ print $c["workload"] "/" $c["model"] }' "$TMP/sub/latest/status.csv" | sort -u | tr '\n' ' ')
	[ "$got" = "hash/coros hash/threads sleep/coros sleep/threads " ] &&
		pass "WORKLOADS=hash,sleep MODELS=threads,coros runs only those" ||
		fail "subset ran: $got"
else
	fail "subset run: $(tail -n 3 "$TMP/sub.err")"
fi
RESULTS_ROOT="$TMP/sub2" RUNTIMES=c CVP=tests/fixtures/fake-cvp.sh WORKLOADS=hash,nosuch sh scripts/bench.sh \
	>/dev/null 2>"$TMP/sub2.err"
rc=$?
[ "$rc" -eq 2 ] && grep -q "WORKLOADS: unknown 'nosuch' (valid: hash, idle," "$TMP/sub2.err" &&
	[ ! -e "$TMP/sub2" ] && pass "WORKLOADS with an unknown name: exit 2 listing the valid ones, nothing written" ||
	fail "WORKLOADS=hash,nosuch: exit $rc ($(cat "$TMP/sub2.err"))"
RESULTS_ROOT="$TMP/sub3" RUNTIMES=c CVP=tests/fixtures/fake-cvp.sh MODELS=fibers sh scripts/bench.sh \
	>/dev/null 2>"$TMP/sub3.err"
[ $? -eq 2 ] && grep -q "MODELS: unknown 'fibers' (valid: serial, threads, procs, coros)" "$TMP/sub3.err" &&
	pass "MODELS with an unknown name: exit 2" || fail "MODELS=fibers: $(cat "$TMP/sub3.err")"

# ---- two runtimes: the second one's configurations after the first's, named with its key
if RESULTS_ROOT="$TMP/two" RUNTIMES=c,py CVP=tests/fixtures/fake-cvp.sh CVP_PY=tests/fixtures/fake-cvp.sh \
	PROFILE=quick WORKLOADS=hash,spawn sh scripts/bench.sh >"$TMP/two.out" 2>"$TMP/two.err"; then
	pass "bench.sh runs two runtimes (RUNTIMES=c,py)"
	two="$TMP/two/latest"
	check "each runtime's list is kept" test -s "$two/list.csv" -a -s "$two/list-py.csv"
	check "the second runtime's configurations carry its key" \
		test "$(awk -F, 'NR > 1 && $1 ~ /^py-/ && $2 == "py"' "$two/status.csv" | wc -l)" -gt 0
	check "both runtimes' rows are in cvp.csv" grep -q '^py-cpu-hash-threads-c2,' "$two/cvp.csv"
	check "the second runtime is calibrated: its start and its creation costs" \
		grep -q '^py,py,create,spawn,procs,,10,' "$two/raw/calibration.csv"
	check "each runtime has its serial reference" \
		test "$(grep -c ',hash,' "$two/raw/reference-times.csv")" -eq 2
else
	fail "bench.sh with two runtimes: $(tail -n 3 "$TMP/two.err")"
fi
RESULTS_ROOT="$TMP/two2" RUNTIMES=c,ruby sh scripts/bench.sh >/dev/null 2>"$TMP/two2.err"
[ $? -eq 2 ] && grep -q "RUNTIMES: unknown 'ruby' (valid: c, py)" "$TMP/two2.err" &&
	pass "RUNTIMES with an unknown name: exit 2" || fail "RUNTIMES=c,ruby: $(cat "$TMP/two2.err")"

check "an unknown profile is a usage error" \
	sh -c 'PROFILE=huge sh scripts/bench.sh 2>/dev/null; [ $? -eq 2 ]'

if command -v shellcheck >/dev/null; then
	check "shellcheck passes on the scripts" shellcheck -x scripts/*.sh tests/test_bench.sh \
		tests/fixtures/fake-cvp.sh
else
	skip "shellcheck not installed"
fi
