#!/bin/sh
# test_stackless.sh — the stackless model (issue 18): its probes (workloads/stackless/) verify
# against the same expected checksums as the stackful models and fill the same columns; a
# stackless unit costs under 1 KiB, measured as the process's PSS growth (not sizeof); a
# hand-off between two of them costs less than a ucontext switch (best of 3 each, same test);
# a million of them idle and sleep; --list names stackless for the probes alone, and every other
# workload is skipped (exit 4) with the reason. Relations, never absolute times.
set -u
# shellcheck source=tests/lib.sh
. tests/lib.sh

# 1. --list: stackless runs exactly the probes that have a state-machine version.
$CVP --list --format csv >"$TMP/list.csv"
python3 - "$TMP/list.csv" >"$TMP/runs" <<'EOF'
import csv, sys
for r in csv.DictReader(open(sys.argv[1], encoding="utf-8")):
    if r["what"] == "workload":
        ms = {m.split("/")[0] for m in r["models"].split()}
        print(r["name"], "yes" if "stackless" in ms else "no")
EOF
ran=$(awk '$2 == "yes" { print $1 }' "$TMP/runs" | sort | tr '\n' ' ')
want=$(for f in workloads/stackless/*.c; do basename "$f" .c; done | sort | tr '\n' ' ')
[ "$ran" = "$want" ] && [ "$ran" = "idle pingpong sleep spawn " ] &&
	pass "--list: stackless runs $ran(one file each in workloads/stackless/)" ||
	fail "--list: stackless runs '$ran', workloads/stackless/ has '$want'"
grep -q '^workload,pingpong,.* stackless/direct' "$TMP/list.csv" &&
	pass "--list: pingpong under stackless is the direct variant" || fail "--list: pingpong's stackless variant"

# 2. Every other workload: exit 4, one line naming why, nothing on stdout.
while read -r w runs; do
	[ "$runs" = no ] || continue
	$CVP --model stackless --workload "$w" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	[ "$rc" -eq 4 ] && [ ! -s "$TMP/out" ] && [ "$(wc -l <"$TMP/err")" -eq 1 ] &&
		grep -q "^cvp: $w under stackless: skipped, a stackless unit can wait only in its own resume function, never inside a call" "$TMP/err" &&
		pass "$w under stackless: exit 4 with the reason" ||
		fail "$w under stackless: exit $rc ($(cat "$TMP/err"))"
done <"$TMP/runs"
# A variant the model cannot do is skipped the same way, naming who can.
$CVP --model stackless --workload pingpong --variant futex >"$TMP/out" 2>"$TMP/err"
rc=$?
[ "$rc" -eq 4 ] && grep -q "needs units that may block" "$TMP/err" &&
	pass "pingpong --variant futex under stackless: exit 4 ($(cat "$TMP/err"))" ||
	fail "pingpong --variant futex under stackless: exit $rc ($(cat "$TMP/err"))"

# 3. The probes verify, with the columns their stackful rows have.
run() { # run NAME ARGS...: one stackless row into $TMP/NAME.csv; false when it fails
	name=$1
	shift
	$CVP --model stackless "$@" --header >"$TMP/$name.csv" 2>"$TMP/err" ||
		{ fail "$name: exit $? ($(cat "$TMP/err"))"; return 1; }
}
if run idle --workload idle --units 1000; then
	[ "$(col "$TMP/idle.csv" verified)" = true ] && [ "$(col "$TMP/idle.csv" touch_kib)" = 0 ] &&
		[ -z "$(col "$TMP/idle.csv" stack_kib)" ] && [ -n "$(col "$TMP/idle.csv" pss_kib_per_unit)" ] &&
		[ -n "$(col "$TMP/idle.csv" kernel_kib_per_unit)" ] &&
		pass "idle: verified, memory per unit measured, touch_kib 0 and no stack_kib (no stack)" ||
		fail "idle: $(cat "$TMP/idle.csv")"
fi
if run spawn --workload spawn --units 1000; then
	[ "$(col "$TMP/spawn.csv" verified)" = true ] && fcmp "$(col "$TMP/spawn.csv" spawn_us_per_unit)" ">" 0 &&
		fcmp "$(col "$TMP/spawn.csv" start_us)" ">" 0 &&
		pass "spawn: verified, $(col "$TMP/spawn.csv" spawn_us_per_unit) us per unit, first start $(col "$TMP/spawn.csv" start_us) us" ||
		fail "spawn: $(cat "$TMP/spawn.csv")"
fi
if run pp --workload pingpong --size 20001; then
	[ "$(col "$TMP/pp.csv" verified)" = true ] && [ "$(col "$TMP/pp.csv" variant)" = direct ] &&
		[ "$(col "$TMP/pp.csv" units)" = 2 ] && fcmp "$(col "$TMP/pp.csv" ns_per_op)" ">" 0 &&
		pass "pingpong: 20 001 turns verified (the order of hand-offs in the checksum), variant direct" ||
		fail "pingpong: $(cat "$TMP/pp.csv")"
fi
# 1 000 sleepers, 3 rounds of 20 ms: each round waited at least D (else the checksum fails), the
# waits overlapped (one after another: 60 s; the bound is 10x the ideal 60 ms), and every wait is
# in the latency columns.
if run sl --workload sleep --units 1000 --size 3 --delay-ms 20; then
	wall=$(col "$TMP/sl.csv" wall_s)
	[ "$(col "$TMP/sl.csv" verified)" = true ] && fcmp "$wall" ">=" 0.06 && fcmp "$wall" "<" 0.6 &&
		[ "$(col "$TMP/sl.csv" waits)" = 3000 ] && fcmp "$(col "$TMP/sl.csv" wait_p50_us)" ">=" 20000 &&
		pass "sleep: 1000 units x 3 x 20 ms overlapped in ${wall}s, 3000 waits, p50 $(col "$TMP/sl.csv" wait_p50_us) us" ||
		fail "sleep: $(cat "$TMP/sl.csv")"
fi
# A pool: 2 units serve 10 sleeping tasks, going to the back of the queue between tasks.
if run pool --workload sleep --units 2 --tasks 10 --size 2 --delay-ms 1; then
	[ "$(col "$TMP/pool.csv" verified)" = true ] && [ "$(col "$TMP/pool.csv" yields)" -gt 0 ] &&
		pass "sleep: a pool of 2 stackless units serves 10 tasks, verified ($(col "$TMP/pool.csv" yields) yields)" ||
		fail "sleep pool: $(cat "$TMP/pool.csv")"
fi
# A stackless unit has no stack: --touch-kib other than 0 is a usage error naming it.
$CVP --model stackless --workload idle --units 10 --touch-kib 4 >"$TMP/out" 2>"$TMP/err"
rc=$?
[ "$rc" -eq 2 ] && [ ! -s "$TMP/out" ] && grep -q -- "--touch-kib: a stackless unit has no stack" "$TMP/err" &&
	pass "idle --touch-kib 4 under stackless: exit 2 naming it" || fail "--touch-kib 4: exit $rc ($(cat "$TMP/err"))"

# 4. Memory: 100 000 idle stackless units, per unit from the PSS growth of the process while all
# are alive (bench/seam/hold.c), below 1 KiB — and measured (above 0), not a sizeof.
if run i100k --workload idle --units 100000; then
	p=$(col "$TMP/i100k.csv" pss_kib_per_unit)
	[ "$(col "$TMP/i100k.csv" verified)" = true ] && fcmp "$p" ">" 0 && fcmp "$p" "<" 1 &&
		pass "idle: 100 000 stackless units, PSS growth $p KiB per unit (< 1 KiB)" ||
		fail "idle 100 000: pss_kib_per_unit '$p' ($(cat "$TMP/i100k.csv"))"
fi

# 5. A million: idle (PSS still under 1 KiB a unit) and sleep.
if run i1m --workload idle --units 1000000; then
	p=$(col "$TMP/i1m.csv" pss_kib_per_unit)
	[ "$(col "$TMP/i1m.csv" verified)" = true ] && fcmp "$p" ">" 0 && fcmp "$p" "<" 1 &&
		pass "idle: 1 000 000 stackless units, PSS growth $p KiB per unit" ||
		fail "idle 1 000 000: pss_kib_per_unit '$p' ($(cat "$TMP/i1m.csv"))"
fi
if run s1m --workload sleep --units 1000000 --size 1 --delay-ms 100; then
	[ "$(col "$TMP/s1m.csv" verified)" = true ] && [ "$(col "$TMP/s1m.csv" waits)" = 1000000 ] &&
		pass "sleep: 1 000 000 stackless units sleep 100 ms, verified (wall $(col "$TMP/s1m.csv" wall_s) s)" ||
		fail "sleep 1 000 000: $(cat "$TMP/s1m.csv")"
fi

# 6. The switch: a stackless hand-off (a return and a call) against a ucontext switch (a system
# call each), pingpong's one-way hand-off, best of 3 runs each, here and now.
best_pp() { # best_pp MODEL-ARGS...: the lowest ns_per_op of 3 runs of 200 000 hand-offs
	for _ in 1 2 3; do
		$CVP "$@" --workload pingpong --size 200000 --header | awk -F, '
			NR == 1 { for (i = 1; i <= NF; i++) if ($i == "ns_per_op") c = i; next } { print $c }'
	done | sort -g | head -n 1
}
sl=$(best_pp --model stackless)
uc=$(best_pp --model coros --switch ucontext)
fcmp "$sl" "<" "$uc" &&
	pass "pingpong one way: stackless ${sl} ns < coros ucontext ${uc} ns (best of 3 each)" ||
	fail "pingpong one way: stackless '${sl}' ns vs coros ucontext '${uc}' ns"
