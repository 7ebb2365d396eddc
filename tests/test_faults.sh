#!/bin/sh
# test_faults.sh — faults (issue 6): SIGINT, SIGTERM and SIGKILL sent to a run of 500 procs units
# with the delay server up leave no process of the run alive within 2 s, and no socket directory;
# a unit that crashes (build/cvp-faults, CVP_FAULT=crash:N) is reported with its number and signal
# under procs, threads and coros, exit 1, nothing left; the --timeout-s watchdog stops a hung run.
set -u
# shellcheck source=tests/lib.sh
. tests/lib.sh
FAULTS=${CVP_FAULTS_BIN:-build/cvp-faults}

SOCKDIR=$TMP/sock
mkdir -p "$SOCKDIR"
export TMPDIR="$SOCKDIR"

running() { left_in_session "$1"; }
# Waits up to $2 tenths of a second until session $1 has at least $3 processes running.
wait_running() {
	k=0
	while [ "$(running "$1")" -lt "$3" ] && [ "$k" -lt "$2" ]; do
		sleep 0.1
		k=$((k + 1))
	done
	[ "$(running "$1")" -ge "$3" ]
}
# Waits up to 2 s until session $1 has nothing running and the socket directory is gone.
gone_within_2s() {
	k=0
	while [ "$k" -le 20 ]; do
		[ "$(running "$1")" -eq 0 ] && [ -z "$(ls "$SOCKDIR")" ] && return 0
		sleep 0.1
		k=$((k + 1))
	done
	return 1
}
start() { start_in_session "$@"; }

# 1. Signals to a big run: 500 procs units talking to the delay server, 30 rounds of 1 s.
for sig in INT TERM KILL; do
	case $sig in INT) want=130 ;; TERM) want=143 ;; KILL) want=137 ;; esac
	start "$CVP" --model procs --workload echo --units 500 --size 30 --delay-ms 1000
	# Up: the harness, the server and 500 units (the machine may be busy: allow 30 s).
	if ! wait_running "$sid" 300 502; then
		fail "SIG$sig: the run never got its 500 units up ($(running "$sid") running)"
		kill -KILL "$sid" 2>/dev/null
		wait "$job"
		continue
	fi
	kill -"$sig" "$sid"
	wait "$job"
	rc=$?
	if gone_within_2s "$sid"; then
		pass "SIG$sig to 500 procs units + delay server: nothing running within 2 s, socket dir gone"
	else
		fail "SIG$sig: $(running "$sid") processes still run after 2 s, dir: $(ls "$SOCKDIR")"
	fi
	[ "$rc" -eq "$want" ] && [ ! -s "$TMP/out" ] && pass "SIG$sig: exit $want, nothing on stdout" ||
		fail "SIG$sig: exit $rc (want $want), stdout: $(cat "$TMP/out")"
	rm -rf "${SOCKDIR:?}"/*
done

# 2. A unit crashes: reported with its number and signal, exit 1, the others stopped, nothing left.
for m in procs threads coros; do
	start env CVP_FAULT=crash:7 "$FAULTS" --model "$m" --workload echo --units 20 --size 20 --delay-ms 500
	t0=$(date +%s)
	wait "$job"
	rc=$?
	took=$(($(date +%s) - t0))
	[ "$rc" -eq 1 ] && grep -q "$m: unit 7 died of signal 11 (SIGSEGV)" "$TMP/err" && [ ! -s "$TMP/out" ] &&
		pass "$m: crash of unit 7 reported with the signal, exit 1" ||
		fail "$m: crash of unit 7: exit $rc ($(cat "$TMP/err"))"
	# The others would run 20 x 0.5 s: they are stopped, not waited for.
	gone_within_2s "$sid" && [ "$took" -lt 8 ] &&
		pass "$m: after the crash the other units and the server are gone (${took}s)" ||
		fail "$m: after the crash: $(running "$sid") running, ${took}s, dir: $(ls "$SOCKDIR")"
done
# The normal binary has no fault switch.
CVP_FAULT=crash:0 $CVP --model threads --workload hash --units 2 --size 1000 >/dev/null 2>&1 &&
	pass "build/cvp ignores CVP_FAULT (the switch is in the test build only)" ||
	fail "build/cvp reacts to CVP_FAULT"

# 3. The watchdog: a run that would take 30 s, --timeout-s 1, under every model that waits.
for m in serial threads procs coros; do
	start "$CVP" --model "$m" --workload echo --units 4 --size 30 --delay-ms 1000 --timeout-s 1
	t0=$(date +%s)
	wait "$job"
	rc=$?
	took=$(($(date +%s) - t0))
	[ "$rc" -eq 1 ] && grep -q "run exceeded --timeout-s 1; stopped" "$TMP/err" && [ "$took" -le 4 ] &&
		[ ! -s "$TMP/out" ] && pass "$m: --timeout-s 1 stops a 30 s run (${took}s), says so, exit 1" ||
		fail "$m: --timeout-s 1: exit $rc after ${took}s ($(cat "$TMP/err"))"
	gone_within_2s "$sid" && pass "$m: nothing left after the watchdog" ||
		fail "$m: after the watchdog: $(running "$sid") running, dir: $(ls "$SOCKDIR")"
done
