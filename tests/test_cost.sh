#!/bin/sh
# test_cost.sh — what one unit costs (issue 4): relations between models that hold on any
# machine, never absolute values.
set -u
. tests/lib.sh

# Memory: 200 idle units of each model.
for m in threads procs coros; do
	$CVP --model "$m" --workload idle --units 200 --header >"$TMP/idle-$m.csv" 2>"$TMP/err" ||
		fail "idle under $m: exit $? ($(cat "$TMP/err"))"
	[ "$(col "$TMP/idle-$m.csv" verified)" = true ] && pass "idle under $m: verified" || fail "idle under $m: verified"
done
rss() { col "$TMP/idle-$1.csv" rss_kib_per_unit; }
pss() { col "$TMP/idle-$1.csv" pss_kib_per_unit; }
kern() { col "$TMP/idle-$1.csv" kernel_kib_per_unit; }
vsz() { col "$TMP/idle-$1.csv" vsz_kib_per_unit; }
fcmp "$(rss coros)" "<" "$(rss threads)" && pass "rss per unit: coros $(rss coros) < threads $(rss threads)" ||
	fail "rss per unit: coros $(rss coros) vs threads $(rss threads)"
fcmp "$(pss procs)" ">" "$(pss threads)" && pass "pss per unit: procs $(pss procs) > threads $(pss threads)" ||
	fail "pss per unit: procs $(pss procs) vs threads $(pss threads)"
for m in threads procs; do
	fcmp "$(kern "$m")" ">=" 8 && pass "kernel per unit under $m: $(kern "$m") KiB >= 8 (a kernel stack)" ||
		fail "kernel per unit under $m: $(kern "$m") KiB"
done
fcmp "$(kern coros)" "<" 2 && pass "kernel per unit under coros: $(kern coros) KiB < 2" ||
	fail "kernel per unit under coros: $(kern coros) KiB"
# Reserved vs touched: a thread reserves its whole stack, a coroutine its own small one.
fcmp "$(vsz threads)" ">=" "$(col "$TMP/idle-threads.csv" stack_kib)" &&
	pass "threads: vsz per unit $(vsz threads) KiB covers the reserved stack" || fail "threads vsz $(vsz threads)"
fcmp "$(vsz coros)" "<" "$(vsz threads)" && pass "vsz per unit: coros < threads" || fail "vsz coros vs threads"
# Touching more stack shows up in RSS.
$CVP --model coros --workload idle --units 200 --touch-kib 32 --header >"$TMP/touch.csv" &&
	fcmp "$(col "$TMP/touch.csv" rss_kib_per_unit)" ">" "$(rss coros)" &&
	pass "coros: --touch-kib 32 raises rss per unit above --touch-kib 4" || fail "touch-kib raises rss"

# Spawn: every model reports µs per unit and a first-start latency.
for m in threads procs coros; do
	$CVP --model "$m" --workload spawn --units 100 --header >"$TMP/sp.csv" &&
		fcmp "$(col "$TMP/sp.csv" spawn_us_per_unit)" ">" 0 && fcmp "$(col "$TMP/sp.csv" start_us)" ">" 0 &&
		pass "spawn under $m: us per unit and first-start latency" || fail "spawn under $m"
done

# Switch: the relation between models is in tests/relations.py (tests/test_hosts.sh).
for m in threads procs; do
	for v in futex pipe; do
		for k in 1 2; do
			[ "$k" -gt "$(ncpus)" ] && continue
			$CVP --model "$m" --workload pingpong --variant "$v" --cores "$k" --size 2000 --header >"$TMP/pp.csv" 2>&1 &&
				[ "$(col "$TMP/pp.csv" verified)" = true ] && [ "$(col "$TMP/pp.csv" variant)" = "$v" ] &&
				pass "pingpong $m $v --cores $k: verified" || fail "pingpong $m $v --cores $k"
		done
	done
done

# Bad input and unsupported combinations.
code() { "$@" >/dev/null 2>&1; echo $?; }
[ "$(code "$CVP" --model coros --workload idle --units 10 --touch-kib 64)" = 2 ] &&
	pass "--touch-kib larger than the coroutine stack: exit 2" || fail "--touch-kib 64 on a 64 KiB stack"
[ "$(code "$CVP" --model threads --workload idle --units 10 --stack-kib 64 --touch-kib 100)" = 2 ] &&
	pass "--touch-kib larger than the thread stack: exit 2" || fail "--touch-kib 100 on a 64 KiB thread stack"
[ "$(code "$CVP" --model threads --workload pingpong --units 3)" = 2 ] && pass "pingpong --units 3: exit 2" ||
	fail "pingpong --units 3"
[ "$(code "$CVP" --model threads --workload pingpong --variant direct)" = 4 ] &&
	pass "pingpong direct under threads: exit 4 (unsupported)" || fail "pingpong direct under threads"
[ "$(code "$CVP" --model serial --workload idle)" = 4 ] && pass "idle under serial: exit 4" || fail "idle under serial"
[ "$(code "$CVP" --model threads --workload hash --touch-kib 4)" = 2 ] && pass "--touch-kib on hash: exit 2" ||
	fail "--touch-kib on hash"
