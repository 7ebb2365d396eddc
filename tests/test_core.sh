#!/bin/sh
# test_core.sh — the harness contract (issue 2): every model x every CPU workload verifies,
# the CSV and JSON shapes, placement, relations that hold on any machine, and no
# process left behind.
set -u
. tests/lib.sh

# The CPU-bound workloads without unit roles (those with roles have tests of their own).
cpu_workloads=$($CVP --list --format csv | python3 -c '
import csv, sys
print(" ".join(r["name"] for r in csv.DictReader(sys.stdin)
               if r["what"] == "workload" and r["kind"] == "cpu" and not r["roles"]))')
models="serial threads procs coros"
[ -n "$cpu_workloads" ] && pass "--list names CPU workloads" || fail "--list names CPU workloads"

# 1. Every model x CPU workload at a tiny size: exit 0, verified, documented columns, JSON.
documented="model workload kind units cores pin size tasks wall_s user_s sys_s cpu_util
spawn_us_per_unit vsz_kib_per_unit rss_kib_per_unit pss_kib_per_unit kernel_kib_per_unit
ns_per_op checksum verified"
for w in $cpu_workloads; do
	for m in $models; do
		out=$TMP/$m-$w.csv
		if $CVP --model "$m" --workload "$w" --units 3 --tasks 7 --size 2000 --header >"$out" 2>"$TMP/err"; then
			v=$(col "$out" verified)
			[ "$v" = true ] && [ "$(wc -l <"$out")" -eq 2 ] &&
				pass "$m x $w: verified" || fail "$m x $w: verified=$v"
		else
			fail "$m x $w: exit $? ($(cat "$TMP/err"))"
		fi
		$CVP --model "$m" --workload "$w" --units 2 --size 500 --format json >"$TMP/j" 2>/dev/null &&
			python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); sys.exit(r["verified"] is not True)' "$TMP/j" &&
			pass "$m x $w: JSON parses, verified" || fail "$m x $w: JSON"
	done
done
missing=""
for c in $documented; do
	head -1 "$TMP/serial-hash.csv" | tr ',' '\n' | grep -qx "$c" || missing="$missing $c"
done
[ -z "$missing" ] && pass "CSV header has every documented column" || fail "CSV header lacks:$missing"
awk -F, 'NR == 1 { n = NF } NR == 2 && NF != n { exit 1 }' "$TMP/threads-hash.csv" &&
	pass "CSV row has as many fields as the header" || fail "CSV row width"
[ "$(col "$TMP/coros-hash.csv" yields)" -gt 0 ] 2>/dev/null &&
	pass "coros yield between slices" || fail "coros report no yields"
[ "$(col "$TMP/threads-hash.csv" yields)" = 0 ] && pass "threads do not yield" || fail "threads yields"
# More tasks than units: a pool of 2 serves 1000 tasks.
$CVP --model procs --workload hash --units 2 --tasks 1000 --size 5000 --header >"$TMP/pool.csv" 2>&1 &&
	[ "$(col "$TMP/pool.csv" verified)" = true ] && [ "$(col "$TMP/pool.csv" tasks)" = 1000 ] &&
	pass "procs pool of 2 serves 1000 tasks" || fail "procs pool of 2 serves 1000 tasks"
# A wrong --expect is a wrong result: exit 1, verified=false.
$CVP --model serial --workload hash --size 100 --expect 1 --header >"$TMP/wrong.csv" 2>/dev/null
rc=$?
[ "$rc" -eq 1 ] && [ "$(col "$TMP/wrong.csv" verified)" = false ] &&
	pass "checksum mismatch: exit 1, verified=false" || fail "checksum mismatch: exit $rc"
# --out appends: header once, then one row per run.
rm -f "$TMP/out.csv"
$CVP --model serial --workload hash --size 100 --out "$TMP/out.csv" >/dev/null &&
	$CVP --model coros --workload hash --size 100 --out "$TMP/out.csv" >/dev/null &&
	[ "$(wc -l <"$TMP/out.csv")" -eq 3 ] && [ "$(grep -c '^runtime,model,' "$TMP/out.csv")" -eq 1 ] &&
	pass "--out appends rows under one header" || fail "--out appends rows under one header"

# 2. Placement.
$CVP --model threads --workload hash --cores 1 --units 4 --size 4000 --header >"$TMP/p1.csv" &&
	[ "$(col "$TMP/p1.csv" pus_run | wc -w)" -eq 1 ] && [ "$(col "$TMP/p1.csv" pus_bound | wc -w)" -eq 1 ] &&
	pass "--cores 1: every unit on the same PU" || fail "--cores 1: pus_run=$(col "$TMP/p1.csv" pus_run)"
$CVP --model procs --workload hash --cores 1 --units 4 --size 4000 --header >"$TMP/p1p.csv" &&
	[ "$(col "$TMP/p1p.csv" pus_run | wc -w)" -eq 1 ] &&
	pass "--cores 1 (procs): every unit on the same PU" || fail "--cores 1 (procs)"
if [ "$(ncpus)" -ge 2 ]; then
	for m in threads procs; do
		$CVP --model "$m" --workload hash --cores 2 --pin compact --units 2 --size 200000 --header >"$TMP/p2.csv" &&
			[ "$(col "$TMP/p2.csv" pus_run | wc -w)" -eq 2 ] &&
			pass "$m --cores 2 --pin compact: units on 2 PUs" ||
			fail "$m --cores 2 --pin compact: pus_run=$(col "$TMP/p2.csv" pus_run)"
	done
else
	skip "--cores 2 placement: this machine has fewer than 2 PUs"
fi
# The caller's affinity is respected: under taskset to one CPU, only one core exists.
if command -v taskset >/dev/null && [ "$(ncpus)" -ge 2 ]; then
	taskset -c 1 "$CVP" --model threads --workload hash --units 2 --size 1000 --header >"$TMP/ts.csv" &&
		[ "$(col "$TMP/ts.csv" cores)" = 1 ] && [ "$(col "$TMP/ts.csv" pus_run)" = 1 ] &&
		pass "taskset -c 1: one core, units on PU 1" || fail "taskset -c 1: $(cat "$TMP/ts.csv")"
	taskset -c 1 "$CVP" --model threads --workload hash --cores 2 >/dev/null 2>&1
	[ $? -eq 2 ] && pass "taskset -c 1: --cores 2 is a usage error" || fail "taskset --cores 2"
fi
# A fake big machine: 2 packages x 2 L3 x 4 cores x 2 PUs (PUs 0-15 on package 0).
synth="pack:2 l3:2 core:4 pu:2"
HWLOC_SYNTHETIC=$synth $CVP --model threads --workload hash --cores 2 --units 2 --pin compact --size 100 --header >"$TMP/sc.csv" &&
	[ "$(col "$TMP/sc.csv" pus_bound)" = "0 2" ] &&
	pass "synthetic: compact puts 2 units on 2 cores of one package" ||
	fail "synthetic compact: pus_bound=$(col "$TMP/sc.csv" pus_bound)"
HWLOC_SYNTHETIC=$synth $CVP --model threads --workload hash --cores 2 --units 2 --pin scatter --size 100 --header >"$TMP/ss.csv" &&
	[ "$(col "$TMP/ss.csv" pus_bound)" = "0 16" ] &&
	pass "synthetic: scatter spreads 2 units over the 2 packages" ||
	fail "synthetic scatter: pus_bound=$(col "$TMP/ss.csv" pus_bound)"
HWLOC_SYNTHETIC=$synth $CVP --model procs --workload hash --cores 4 --units 4 --pin scatter --size 100 --header >"$TMP/s4.csv" &&
	[ "$(col "$TMP/s4.csv" pus_bound)" = "0 8 16 24" ] &&
	pass "synthetic: scatter 4 units, one per L3" || fail "synthetic scatter 4: $(col "$TMP/s4.csv" pus_bound)"
# --places prints the same placement for another runtime to apply.
[ "$(HWLOC_SYNTHETIC=$synth $CVP --places --cores 4 --units 4 --pin scatter | tail -n +2 | tr '\n' ' ')" = \
	"0,0 1,8 2,16 3,24 " ] && pass "--places: scatter over the fake machine, as the units are bound" ||
	fail "--places: $(HWLOC_SYNTHETIC=$synth $CVP --places --cores 4 --units 4 --pin scatter | tr '\n' ' ')"
HWLOC_SYNTHETIC=$synth $CVP --model threads --workload hash --size 100 --header >"$TMP/sd.csv" &&
	[ "$(col "$TMP/sd.csv" cores)" = 16 ] && [ "$(col "$TMP/sd.csv" units)" = 16 ] &&
	pass "synthetic: default is one unit per core (16)" || fail "synthetic default units"

# 3. Bad input: tests/test_badinput.sh walks the table of bad command lines.

# 4. Relations: CPU-bound hash at 2 cores uses 2 cores under threads and procs, 1 under coros.
if [ "$(ncpus)" -ge 2 ]; then
	# On a shared machine another process may hold a core for a while: take the best of 3.
	for m in threads procs coros; do
		u=0
		for try in 1 2 3; do
			$CVP --model "$m" --workload hash --cores 2 --size 400000 --header >"$TMP/u.csv" || fail "$m util run $try"
			fcmp "$(col "$TMP/u.csv" cpu_util)" ">" "$u" && u=$(col "$TMP/u.csv" cpu_util)
			[ "$m" != coros ] && fcmp "$u" ">" 1.5 && break
		done
		case $m in
		coros) fcmp "$u" "<" 1.2 && pass "coros on hash at 2 cores: cpu_util $u < 1.2" || fail "coros cpu_util $u" ;;
		*) fcmp "$u" ">" 1.5 && pass "$m on hash at 2 cores: cpu_util $u > 1.5" ||
			fail_unless_busy "$m on hash at 2 cores: cpu_util $u (best of 3)" ;;
		esac
	done
else
	skip "cpu_util relations: need 2 cores"
fi

# 5. No process of the run is left after it ends.
in_session "$CVP" --model procs --workload hash --units 50 --size 5000
left=$(left_in_session "$sid")
[ -n "$sid" ] && [ "$left" -eq 0 ] && pass "procs: no process of the run left after it ends" ||
	fail "procs: $left processes of session $sid left"
