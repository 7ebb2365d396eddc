#!/bin/sh
# test_measures.sh — each figure measures what its row says (issue 12): only the work inside the
# clock (a forked child's page faults on the stream arrays happen in its warm-up, not timed; the
# release of the units is measured as start skew), an address-space verdict from an experiment,
# a cross-core hand-off without the kernel, and kernel memory in parts (a kernel stack per thread
# or process). Relations only, with bounds computed from figures measured here.
set -u
# shellcheck source=tests/lib.sh
. tests/lib.sh

# 1. Minor faults inside the clock: procs stream maps its 96 MiB in the warm-up; in the clock at
# most 1 % of the pages the arrays span (24 576 pages of 4 KiB).
$CVP --model procs --workload stream --cores 2 --size 50000000 --header >"$TMP/st.csv" 2>"$TMP/err"
f=$(col "$TMP/st.csv" minflt)
[ "$(col "$TMP/st.csv" verified)" = true ] && [ -n "$f" ] && [ "$f" -le 245 ] &&
	pass "procs stream: $f minor faults inside the clock (<= 1% of 24576 pages)" ||
	fail "procs stream: minflt '$f' ($(cat "$TMP/err"))"

# 2. Start skew: above 0, below units x 10 x this host's same-core hand-off of that model (the
# release wakes or resumes each unit once, and each runs to its first wait). Best of 3: another
# process on the machine lengthens a release, never shortens it. 200 units: their stacks stay in
# the caches, as the two of the hand-off's do.
for m in threads procs coros; do
	sw=$($CVP --model "$m" --workload pingpong --cores 1 --size 20000 --header >"$TMP/sw.csv" && col "$TMP/sw.csv" ns_per_op)
	bound=$(awk -v s="$sw" 'BEGIN { print 200 * 10 * s / 1000 }')
	sk=""
	for _ in 1 2 3; do
		$CVP --model "$m" --workload sleep --units 200 --size 1 --delay-ms 20 --header >"$TMP/sk.csv" 2>"$TMP/err"
		v=$(col "$TMP/sk.csv" start_skew_us)
		[ -z "$sk" ] || fcmp "$v" "<" "$sk" && sk=$v
		fcmp "$sk" "<" "$bound" && break
	done
	fcmp "$sk" ">" 0 && fcmp "$sk" "<" "$bound" &&
		pass "$m: start skew of 200 units ${sk} us, within 200 x 10 x a same-core switch (${bound} us)" ||
		fail "$m: start skew '$sk' us vs bound '$bound' us ($(cat "$TMP/err"))"
done

# 3. A hand-off between two cores without the kernel (spinning) is far below one through it: the
# blocking one sleeps and wakes a core. Best of 3; a busy other core makes spinning meaningless.
if [ "$(ncpus)" -ge 2 ]; then
	spin=""
	for _ in 1 2 3; do
		$CVP --model threads --workload pingpong --variant spin --cores 2 --size 200000 --header >"$TMP/sp.csv" || break
		v=$(col "$TMP/sp.csv" ns_per_op)
		[ -z "$spin" ] || fcmp "$v" "<" "$spin" && spin=$v
	done
	$CVP --model threads --workload pingpong --variant futex --cores 2 --size 20000 --header >"$TMP/fx.csv"
	fx=$(col "$TMP/fx.csv" ns_per_op)
	if fcmp "$spin" "<" "$(awk -v f="$fx" 'BEGIN { print f / 5 }')"; then
		pass "threads: spin cross-core ${spin} ns < futex cross-core ${fx} ns / 5"
	else
		busy=$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8, $2 + $3 + $4 + $5 + $6 + $7 + $8 }' /proc/stat)
		sleep 1
		busy=$(echo "$busy $(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8, $2 + $3 + $4 + $5 + $6 + $7 + $8 }' /proc/stat)" |
			awk '{ printf "%.0f", 100 * ($3 - $1) / ($4 - $2) }')
		if [ "$busy" -gt 25 ]; then
			skip "threads: spin ${spin} ns vs futex ${fx} ns: the CPUs were ${busy}% busy with other work"
		else
			fail "threads: spin cross-core ${spin} ns not below futex cross-core ${fx} ns / 5"
		fi
	fi
	$CVP --model threads --workload pingpong --variant spin --cores 1 >/dev/null 2>"$TMP/err"
	[ $? -eq 4 ] && grep -q "two spinners on one core" "$TMP/err" &&
		pass "spin on one core: exit 4, saying why" || fail "spin --cores 1: $(cat "$TMP/err")"
else
	skip "spin hand-off: needs 2 cores"
fi

# 4. Address space, by experiment: a store to an ordinary variable is seen across threads and
# coroutines, not across processes — unless the store goes to shared memory, which flips it.
seen() { $CVP --model "$1" --workload share --memory "$2" --header | col /dev/stdin figures; }
for case in threads:ordinary:1 coros:ordinary:1 procs:ordinary:0 procs:shared:1 threads:shared:1; do
	m=${case%%:*} rest=${case#*:}
	mem=${rest%%:*} want=${rest#*:}
	got=$(seen "$m" "$mem")
	[ "$got" = "write_seen=$want" ] && pass "share under $m, $mem memory: $got" ||
		fail "share under $m, $mem memory: '$got', want write_seen=$want"
done

# 5. Kernel memory in parts: KernelStack per thread and per process is one kernel stack (16 KiB on
# x86-64 and arm64), within 10 %; best of 2 (the figure is system-wide).
for m in threads procs; do
	ok=""
	for _ in 1 2; do
		$CVP --model "$m" --workload idle --units 500 --header >"$TMP/ks.csv" 2>"$TMP/err"
		ks=$(col "$TMP/ks.csv" kernel_stack_kib_per_unit)
		fcmp "$ks" ">=" 14.4 && fcmp "$ks" "<=" 17.6 && ok=1 && break
	done
	[ -n "$ok" ] && pass "$m: KernelStack per unit ${ks} KiB = one 16 KiB kernel stack (+-10%)" ||
		fail "$m: KernelStack per unit '$ks' KiB ($(cat "$TMP/err"))"
	parts=$(awk -F, 'NR == 1 { for (k = 1; k <= NF; k++) c[$k] = k; next }
		{ d = $c["kernel_kib_per_unit"] - $c["kernel_stack_kib_per_unit"] - $c["page_tables_kib_per_unit"] - $c["slab_kib_per_unit"]
		  print (d < 0.05 && d > -0.05) ? "sum" : "differs" }' "$TMP/ks.csv")
	[ "$parts" = sum ] && pass "$m: kernel per unit is the sum of its parts" || fail "$m: kernel parts $parts"
done
