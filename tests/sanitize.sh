#!/bin/sh
# sanitize.sh — run by `make sanitize` through tests/run.sh, after the test files that hold
# under a slow binary (bad input, faults, security) ran against build/asan/cvp: every model x
# workload under AddressSanitizer + UndefinedBehaviorSanitizer (build/asan/cvp; coroutine
# switches carry fiber annotations, under both --switch backends; stackless units run their
# probes and skip the rest), the models with threads (threads; hybrid, a coroutine scheduler
# per thread) and coros under ThreadSanitizer (build/tsan/cvp; coroutine switches carry
# TSan's fiber annotations too), with hybrid's units waking units of other schedulers, and
# valgrind memcheck on coroutines (stacks registered with VALGRIND_STACK_REGISTER), again
# under both backends, and on stackless units. Timing and memory
# relations (test_core's cpu_util, test_io, test_cost) are left out: a sanitizer changes what
# they measure.
set -u
# shellcheck source=tests/lib.sh
. tests/lib.sh
CVP=build/cvp # valgrind runs the normal build
san_error='ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:|WARNING: ThreadSanitizer'

# 1. Every model x workload at a small size: exit 0 and verified, or 4 (unsupported), and no
# sanitizer report. $1: the binary, $2: the models, then arguments for every run (--switch asm).
# Small arguments for every workload, from its line in `cvp --list --format csv`.
args_of() { awk -v w="$2" '$1 == w { $1 = ""; print substr($0, 2) }' "$TMP/args"; }

matrix() {
	bin=$1 models=$2
	shift 2
	label=$(echo "$bin $*" | sed 's/ *$//')
	$bin --list --format csv >"$TMP/list.csv"
	python3 tests/small_args.py "$TMP/list.csv" >"$TMP/args"
	for w in $($bin --list | awk '$1 == "workload" { print $2 }'); do
		for m in $models; do
			args=$(args_of "$bin" "$w")
			# shellcheck disable=SC2086 # split on purpose
			$bin --model "$m" --workload "$w" $args "$@" --header >"$TMP/out" 2>"$TMP/err"
			rc=$?
			if grep -Eq "$san_error" "$TMP/err"; then
				fail "$label: $m x $w: sanitizer report: $(grep -E -m 3 "$san_error" "$TMP/err")"
			elif [ "$rc" -eq 4 ] || { [ "$rc" -eq 0 ] && [ "$(col "$TMP/out" verified)" = true ]; }; then
				pass "$label: $m x $w: clean (exit $rc)"
			else
				fail "$label: $m x $w: exit $rc ($(tail -n 3 "$TMP/err"))"
			fi
		done
	done
}
echo "== every model x workload (asan)"
matrix build/asan/cvp "serial threads procs coros hybrid stackless"
echo "== coros and hybrid with the hand-written switch (asan)"
matrix build/asan/cvp "coros hybrid" --switch asm
echo "== threads, coros and hybrid (tsan)"
matrix build/tsan/cvp "serial threads coros hybrid"
echo "== hybrid on one core: direct switches (tsan)"
matrix build/tsan/cvp hybrid --cores 1
# Many threads on one shared counter and the delay server, under TSan.
build/tsan/cvp --model threads --workload echo --units 64 --tasks 256 --size 3 --delay-ms 1 >/dev/null 2>"$TMP/err" &&
	! grep -Eq "$san_error" "$TMP/err" && pass "tsan: 64 threads x 256 echo tasks: clean" ||
	fail "tsan: 64 threads echo: $(grep -E -m 3 "$san_error" "$TMP/err")"
# Hybrid's units wake units of other schedulers: pipelines on one-item queues over 2 schedulers.
for v in normal slow-consumer; do
	build/tsan/cvp --model hybrid --workload pipeline --variant "$v" --units 7 --capacity 1 --size 5000 \
		>/dev/null 2>"$TMP/err" && ! grep -Eq "$san_error" "$TMP/err" &&
		pass "tsan: hybrid pipeline $v, one-item queues over schedulers: clean" ||
		fail "tsan: hybrid pipeline $v: $(grep -E -m 3 "$san_error" "$TMP/err") $(tail -n 2 "$TMP/err")"
done

# 2. valgrind memcheck on coroutines (the normal build; its stacks are registered).
memcheck() { # memcheck WHAT ARGS...: one valgrind run of build/cvp, named WHAT
	what=$1
	shift
	valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
		"$CVP" "$@" >/dev/null 2>"$TMP/err"
	rc=$?
	[ "$rc" -eq 0 ] && pass "valgrind: $what: clean" ||
		fail "valgrind: $what: exit $rc ($(head -n 5 "$TMP/err"))"
}
if command -v valgrind >/dev/null; then
	for sw in ucontext asm; do
		for w in hash sleep echo pingpong; do
			case $w in
			pingpong) args="--size 200" ;;
			hash) args="--units 4 --tasks 8 --size 20" ;;
			*) args="--units 4 --tasks 8 --size 20 --delay-ms 1" ;;
			esac
			# shellcheck disable=SC2086 # split on purpose
			memcheck "coros --switch $sw x $w" --model coros --switch "$sw" --workload "$w" $args
		done
	done
	for w in idle spawn sleep pingpong; do
		case $w in
		pingpong) args="--size 200" ;;
		sleep) args="--units 4 --tasks 8 --size 20 --delay-ms 1" ;;
		*) args="--units 20" ;;
		esac
		# shellcheck disable=SC2086 # split on purpose
		memcheck "stackless x $w" --model stackless --workload "$w" $args
	done
	# Hybrid: schedulers on threads of their own, wakes posted between them.
	for w in sleep pipeline; do
		case $w in
		pipeline) args="--units 5 --capacity 1 --size 200" ;;
		*) args="--units 4 --tasks 8 --size 20 --delay-ms 1" ;;
		esac
		# shellcheck disable=SC2086 # split on purpose
		memcheck "hybrid x $w" --model hybrid --workload "$w" $args
	done
else
	fail "valgrind is not installed (make sanitize installs it)"
fi

