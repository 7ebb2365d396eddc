#!/bin/sh
# test_io.sh — IO-bound workloads (issue 3): every model x sleep/echo/mixed verifies; 1 000
# coroutines and 1 000 threads sleep concurrently near the ideal time; a pool of 2 blocking units
# serves sleeping tasks a few at a time while coroutines run one per task; a unit count past a
# lowered RLIMIT_NOFILE exits 3 naming it; nothing (process, socket directory) is left behind,
# also when the run is interrupted.
set -u
. tests/lib.sh

models="serial threads procs coros"
# The delay server's socket directory goes under TMPDIR: a private one shows what is left.
SOCKDIR=$TMP/sock
mkdir -p "$SOCKDIR"
export TMPDIR="$SOCKDIR"

# 1. Every model x IO workload at a small size: verified, with the IO columns filled.
for w in sleep echo mixed; do
	work=""
	[ "$w" = mixed ] && work="--work 20"
	for m in $models; do
		out=$TMP/$m-$w.csv
		# shellcheck disable=SC2086 # split on purpose
		if $CVP --model "$m" --workload "$w" --units 3 --tasks 5 --size 2 --delay-ms 5 $work \
			--format csv --header >"$out" 2>"$TMP/err"; then
			v=$(col "$out" verified)
			[ "$v" = true ] && [ "$(col "$out" size)" = 10 ] && [ "$(col "$out" delay_ms)" = 5 ] &&
				[ "$(col "$out" timer_slack_ns)" = 1 ] &&
				pass "$m x $w: verified" || fail "$m x $w: verified=$v size=$(col "$out" size)"
		else
			fail "$m x $w: exit $? ($(cat "$TMP/err"))"
		fi
	done
done
s=$(col "$TMP/threads-echo.csv" server_cpu_s)
[ -n "$s" ] && fcmp "$s" ">" 0 && [ -z "$(col "$TMP/threads-sleep.csv" server_cpu_s)" ] &&
	pass "server_cpu_s: reported with the delay server, empty without" ||
	fail "server_cpu_s: echo '$s', sleep '$(col "$TMP/threads-sleep.csv" server_cpu_s)'"
[ "$(col "$TMP/procs-mixed.csv" work)" = 20 ] && [ -z "$(col "$TMP/procs-echo.csv" work)" ] &&
	pass "work: in the row for mixed, empty for echo" ||
	fail "work: mixed '$(col "$TMP/procs-mixed.csv" work)', echo '$(col "$TMP/procs-echo.csv" work)'"
[ "$(col "$TMP/coros-echo.csv" stack_kib)" -gt 0 ] 2>/dev/null &&
	pass "coros: stack_kib reported" || fail "coros: stack_kib '$(col "$TMP/coros-echo.csv" stack_kib)'"

# 2. 1 000 concurrent sleepers, D = 50 ms, 2 rounds: the waits overlap. One after another they
# would take 1000 x 0.1 s; overlapped, about the ideal 0.1 s plus the units' start, which depends
# on the host. The bound, 10x the ideal (overlap above 0.1), holds on any host that overlaps at
# all; the lower bound is physics (no sleep ends early).
for m in coros threads; do
	out=$TMP/k-$m.csv
	if $CVP --model "$m" --workload sleep --units 1000 --size 2 --delay-ms 50 --header >"$out" 2>"$TMP/err"; then
		wall=$(col "$out" wall_s)
		[ "$(col "$out" verified)" = true ] && fcmp "$wall" "<" 1.0 && fcmp "$wall" ">=" 0.1 &&
			pass "$m: 1000 units sleep 2 x 50 ms in ${wall}s (overlapped: < 10x ideal, serial would be 1000x)" ||
			fail "$m: 1000 units sleep 2 x 50 ms in ${wall}s"
	else
		fail "$m: 1000 sleepers: exit $? ($(cat "$TMP/err"))"
	fi
done
$CVP --model procs --workload sleep --units 1000 --size 1 --delay-ms 20 --header >"$TMP/p1k.csv" 2>"$TMP/err" &&
	[ "$(col "$TMP/p1k.csv" verified)" = true ] &&
	pass "procs: 1000 processes sleep, verified" || fail "procs: 1000 sleepers ($(cat "$TMP/err"))"
# 100 000 coroutines fit: one stack mapping, guard pages that cost no VMA.
$CVP --model coros --workload sleep --units 100000 --size 1 --delay-ms 100 --header >"$TMP/c100k.csv" 2>"$TMP/err" &&
	[ "$(col "$TMP/c100k.csv" verified)" = true ] &&
	pass "coros: 100 000 coroutines sleep, verified ($(col "$TMP/c100k.csv" wall_s)s)" ||
	fail "coros: 100 000 coroutines ($(cat "$TMP/err"))"
# With one VMA per guard page (the mprotect fallback, forced) they cannot: exit 3 naming the cap.
if [ "$(cat /proc/sys/vm/max_map_count)" -lt 80000 ]; then
	CVP_CORO_GUARD=mprotect $CVP --model coros --workload sleep --units 40000 --size 1 --delay-ms 1 \
		>"$TMP/out" 2>"$TMP/err"
	rc=$?
	[ "$rc" -eq 3 ] && grep -q vm.max_map_count "$TMP/err" && [ ! -s "$TMP/out" ] &&
		pass "coros: 40 000 mprotect guards: exit 3 naming vm.max_map_count" ||
		fail "coros: 40 000 mprotect guards: exit $rc ($(cat "$TMP/err"))"
else
	skip "coros: vm.max_map_count is raised here; 40 000 mprotect guards fit"
fi
# 1 000 concurrent connections to the delay server, per model that holds them.
for m in coros threads; do
	$CVP --model "$m" --workload echo --units 1000 --size 2 --delay-ms 20 --header >"$TMP/e1k.csv" 2>"$TMP/err" &&
		[ "$(col "$TMP/e1k.csv" verified)" = true ] &&
		pass "$m: 1000 units echo, verified" || fail "$m: 1000 units echo ($(cat "$TMP/err"))"
done

# 3. A pool of 2 blocking units serves 40 sleeping tasks 2 at a time (20 x D); coroutines run
# one per task (1 x D). The gap is what sizing a pool to the cores costs IO.
$CVP --model procs --workload sleep --units 2 --tasks 40 --size 1 --delay-ms 10 --header >"$TMP/pool.csv" 2>&1 &&
	$CVP --model coros --workload sleep --units 40 --size 1 --delay-ms 10 --header >"$TMP/co40.csv" 2>&1
p=$(col "$TMP/pool.csv" wall_s)
c=$(col "$TMP/co40.csv" wall_s)
fcmp "$p" ">=" 0.2 && fcmp "$p" ">" "$(awk -v c="$c" 'BEGIN { print 5 * c }')" &&
	pass "sleep: procs pool of 2 for 40 tasks ${p}s, 40 coroutines ${c}s" ||
	fail "sleep: procs pool of 2 for 40 tasks '${p}'s vs 40 coroutines '${c}'s"

# 4. Past a lowered RLIMIT_NOFILE: exit 3 naming it, nothing left behind.
for m in threads procs coros; do
	# shellcheck disable=SC2016 # expanded by the inner shell
	in_session sh -c 'ulimit -n 64; exec "$0" "$@"' "$CVP" --model "$m" --workload echo --units 200 --size 1
	left=$(left_in_session "$sid")
	[ "$rc" -eq 3 ] && grep -q RLIMIT_NOFILE "$TMP/err" && grep -q 200 "$TMP/err" && [ ! -s "$TMP/out" ] &&
		pass "$m: 200 connections past ulimit -n 64: exit 3 naming RLIMIT_NOFILE" ||
		fail "$m: past ulimit -n 64: exit $rc ($(cat "$TMP/err"))"
	[ "$left" -eq 0 ] && [ -z "$(ls "$SOCKDIR")" ] &&
		pass "$m: nothing left after the limit" || fail "$m: $left processes, dir: $(ls "$SOCKDIR")"
done

# Threads past the address space (ulimit -v: 1000 default stacks do not fit in 1 GB) while the
# delay server runs: exit 3 with the count reached, and the server goes too.
# shellcheck disable=SC2016 # expanded by the inner shell
in_session sh -c 'ulimit -v 1000000; exec "$0" "$@"' "$CVP" --model threads --workload echo --units 1000 --size 1
left=$(left_in_session "$sid")
[ "$rc" -eq 3 ] && grep -q "at unit [0-9]* of 1000" "$TMP/err" && [ "$left" -eq 0 ] && [ -z "$(ls "$SOCKDIR")" ] &&
	pass "threads past ulimit -v with the server up: exit 3 with the count, nothing left" ||
	fail "threads past ulimit -v: exit $rc, $left left ($(cat "$TMP/err"))"

# 5. Interrupted mid-run (SIGINT to the harness): the server and every unit go, and so does
# the socket directory. The run would last half an hour: exit 130 says the signal ended it.
for m in procs coros; do
	start_in_session "$CVP" --model "$m" --workload echo --units 50 --size 100000 --delay-ms 20
	sleep 0.5
	kill -INT "$sid"
	wait "$job"
	rc=$?
	# Units and server die with the harness (PR_SET_PDEATHSIG) and are reparented to init,
	# which may be slow to reap them: count what still runs, not zombies.
	left=$(left_settled "$sid")
	[ "$rc" -eq 130 ] && [ "$left" -eq 0 ] && [ -z "$(ls "$SOCKDIR")" ] &&
		pass "$m: interrupted echo run exits 130 and leaves nothing" ||
		fail "$m: interrupted: exit $rc, $left processes, dir: $(ls "$SOCKDIR")"
done

# 6. Bad values for the IO flags: exit 2, one line naming the flag, nothing on stdout.
for bad in "--delay-ms -1" "--delay-ms 1x" "--work abc" "--delay-ms"; do
	# shellcheck disable=SC2086 # split on purpose
	$CVP --model coros --workload echo $bad >"$TMP/out" 2>"$TMP/err"
	rc=$?
	flag=${bad%% *}
	[ "$rc" -eq 2 ] && [ ! -s "$TMP/out" ] && [ "$(wc -l <"$TMP/err")" -eq 1 ] && grep -q -- "$flag" "$TMP/err" &&
		pass "usage: $bad -> exit 2" || fail "usage: $bad -> exit $rc ($(cat "$TMP/err"))"
done

# 7. Each wait's latency: IO rows give the median and the 99th percentile of one wait, merged
# over units, with the count; p99 >= p50 >= the delay itself.
for m in $models; do
	$CVP --model "$m" --workload echo --units 4 --size 5 --delay-ms 2 --header >"$TMP/lat.csv" 2>"$TMP/err"
	n=$(col "$TMP/lat.csv" waits) p50=$(col "$TMP/lat.csv" wait_p50_us) p99=$(col "$TMP/lat.csv" wait_p99_us)
	[ "$n" = 20 ] && fcmp "$p50" ">=" 2000 && fcmp "$p99" ">=" "$p50" &&
		pass "$m: echo latency of 20 waits: p50 ${p50} us <= p99 ${p99} us, both >= the 2 ms delay" ||
		fail "$m: echo latency: waits '$n' p50 '$p50' p99 '$p99' ($(cat "$TMP/err"))"
done
$CVP --model threads --workload hash --size 1000 --header >"$TMP/nolat.csv" &&
	[ -z "$(col "$TMP/nolat.csv" wait_p99_us)" ] && pass "a workload that does not wait has no latency columns" ||
	fail "hash has wait_p99_us '$(col "$TMP/nolat.csv" wait_p99_us)'"

# 8. One unit waiting beside busy ones (convoy): verified under every model that runs units
# together, with 0, 1 and 2 busy units; its latency is in the row.
for m in threads procs coros; do
	for u in 1 2 3; do
		$CVP --model "$m" --workload convoy --units "$u" --size 20 --delay-ms 1 --header >"$TMP/cv.csv" 2>"$TMP/err"
		[ "$(col "$TMP/cv.csv" verified)" = true ] && [ "$(col "$TMP/cv.csv" waits)" = 20 ] &&
			pass "$m: convoy with $((u - 1)) busy units: verified, 20 waits" ||
			fail "$m: convoy --units $u: $(cat "$TMP/err") $(col "$TMP/cv.csv" verified)"
	done
done

# 9. The delay server on its own (--serve): prints its socket, echoes like the harness's, and
# goes with its directory on SIGTERM; it also goes when its parent does.
start_in_session "$CVP" --serve --delay-ms 1
k=0
while [ ! -s "$TMP/out" ] && [ "$k" -lt 50 ]; do sleep 0.1; k=$((k + 1)); done
sock=$(head -n 1 "$TMP/out")
if [ -S "$sock" ] && python3 - "$sock" <<'PY'
import socket, struct, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
payload = bytes(range(64))
s.sendall(struct.pack("<II", 0x31505643, len(payload)) + payload)
got = b""
while len(got) < 8 + len(payload):
    got += s.recv(4096)
sys.exit(0 if got[8:] == payload else 1)
PY
then
	pass "--serve: a socket at $sock that echoes a request"
else
	fail "--serve: no working socket ('$sock')"
fi
kill -TERM "$sid"
wait "$job"
sleep 0.2
[ "$(left_in_session "$sid")" -eq 0 ] && [ ! -e "$(dirname "$sock")" ] &&
	pass "--serve: SIGTERM leaves no process and no directory" ||
	fail "--serve: after SIGTERM: $(left_in_session "$sid") processes, $(ls -d "$(dirname "$sock")" 2>&1)"
# The parent dies (by SIGKILL): the server follows.
# shellcheck disable=SC2016 # expanded by the inner shell
start_in_session sh -c '"$0" --serve --delay-ms 1 & wait' "$CVP"
k=0
while [ -z "$(find "$SOCKDIR" -name sock 2>/dev/null)" ] && [ "$k" -lt 50 ]; do sleep 0.1; k=$((k + 1)); done
kill -KILL "$sid"
wait "$job" 2>/dev/null
[ "$(left_settled "$sid")" -eq 0 ] && [ -z "$(ls "$SOCKDIR")" ] &&
	pass "--serve: gone with its directory when its parent is killed" ||
	fail "--serve: parent killed: $(left_in_session "$sid") left, dir: $(ls "$SOCKDIR")"
