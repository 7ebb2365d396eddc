#!/bin/sh
# test_hosts.sh — relations that hold on any host (issue 11), stated once in tests/relations.py,
# checked on figures measured here and now, and on the figures of two hosts of this machine kind
# (tests/fixtures/hosts/: one where a system call costs 90 ns, one where it costs 1 µs), so a
# relation that only a fast host keeps cannot pass.
set -u
# shellcheck source=tests/lib.sh
. tests/lib.sh

relations() { # relations NAME FIGURES.csv: one check per relation
	python3 tests/relations.py "$2" >"$TMP/rel.out" 2>&1
	while read -r status line; do
		case $status in
		ok) pass "$1: $line" ;;
		*) fail "$1: $line" ;;
		esac
	done <"$TMP/rel.out"
}

relations "slow host (fixture)" tests/fixtures/hosts/slow.csv
relations "fast host (fixture)" tests/fixtures/hosts/fast.csv

# This host, now: the constants, a switch each way, a spawn per model.
$CVP --machine --format csv >"$TMP/const.csv" || fail "cvp --machine"
col_of() { $CVP "$@" --header | awk -F, -v want="$COL" 'NR == 1 { for (k = 1; k <= NF; k++) if ($k == want) c = k; next } { print $c }'; }
{
	echo "figure,value"
	awk -F, 'NR > 1 && $2 != "" { print $1 "," $2 }' "$TMP/const.csv"
	COL=ns_per_op
	echo "switch_direct_ns,$(col_of --model coros --workload pingpong --size 20000)"
	echo "switch_futex_same_core_ns,$(col_of --model threads --workload pingpong --variant futex --cores 1 --size 20000)"
	COL=spawn_us_per_unit
	for m in coros threads procs; do
		echo "spawn_${m}_us,$(col_of --model "$m" --workload spawn --units 200)"
	done
} >"$TMP/here.csv"
relations "this host" "$TMP/here.csv"
