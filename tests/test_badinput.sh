#!/bin/sh
# test_badinput.sh — bad command lines (issue 6): each one exits 2 with one line on stderr that
# names the argument (and, for a name, lists the valid ones), and nothing on stdout. The table:
# the text the message must contain | the arguments, quoted as in a shell.
set -u
# shellcheck source=tests/lib.sh
. tests/lib.sh

H="--model threads --workload hash"
E="--model threads --workload echo"
n=0
while IFS='|' read -r want args; do
	case $want in '#'* | '') continue ;; esac
	n=$((n + 1))
	eval "set -- $args"
	# A line cvp wrongly accepts would run: bound it.
	timeout 20 "$CVP" "$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	if [ "$rc" -eq 2 ] && [ ! -s "$TMP/out" ] && [ "$(wc -l <"$TMP/err")" -eq 1 ] &&
		grep -qF -- "$want" "$TMP/err"; then
		pass "bad input: $args"
	else
		fail "bad input: $args (exit $rc, stderr: $(cat "$TMP/err"), stdout bytes: $(wc -c <"$TMP/out"))"
	fi
done <<TABLE
# names: unknown values list the valid ones; missing names
--model: unknown value 'fibers' (valid: serial, threads, procs, coros, hybrid, stackless)|--model fibers --workload hash
--workload: unknown value 'nosuch' (valid: |--model threads --workload nosuch
--workload: unknown value '' (valid: |--model threads --workload ""
--pin: unknown value 'diagonal' (valid: compact, scatter, none)|$H --pin diagonal
--format: unknown value 'xml' (valid: csv, json, text)|$H --format xml
--variant: unknown value 'rope' (valid: futex, pipe, direct, spin)|--model threads --workload pingpong --variant rope
--variant: does not apply to hash under threads (an option of |$H --variant futex
--model: missing|--workload hash
--workload: missing|--model threads
# --units
--units: empty value|$H --units ""
--units: 'abc' is not a whole number|$H --units abc
--units: '12x' is not a whole number|$H --units 12x
--units: '-3' is not a whole number (negative)|$H --units -3
--units: '+3' is not a whole number|$H --units +3
--units: '0' is out of range|$H --units 0
--units: '1000001' is out of range|$H --units 1000001
--units: '99999999999999999999' is out of range|$H --units 99999999999999999999
--units: missing value|$H --units
# --tasks
--tasks: '0' is out of range|$H --tasks 0
--tasks: '1.5' is not a whole number|$H --tasks 1.5
--tasks: '-1' is not a whole number (negative)|$H --tasks -1
--tasks: '99999999999999999999' is out of range|$H --tasks 99999999999999999999
--tasks: pingpong runs one task per unit|--model threads --workload pingpong --tasks 5
# --cores
--cores: '0' is out of range|$H --cores 0
--cores: 4096 is more than the|$H --cores 4096
--cores: ' 2' is not a whole number|$H --cores " 2"
--cores: empty value|$H --cores=
# --size
--size: '-1' is not a whole number (negative)|$H --size -1
--size: '0' is out of range|$H --size 0
--size: '1e6' is not a whole number|$H --size 1e6
--size: '99999999999999999999' is out of range|$H --size 99999999999999999999
--size: '281474976710657' is out of range|$H --size 281474976710657
--size: 281474976710656 per task x 100000 tasks is too many ops|--model threads --workload sleep --tasks 100000 --size 281474976710656
--size: does not apply to idle|--model threads --workload idle --size 10
# --stack-kib
--stack-kib: '1' is out of range (16..|$H --stack-kib 1
--stack-kib: '0x40' is not a whole number|$H --stack-kib 0x40
--stack-kib: '99999999999999999999' is out of range|$H --stack-kib 99999999999999999999
--stack-kib: '-64' is not a whole number (negative)|$H --stack-kib -64
--stack-kib: '4' is out of range (8..|--model coros --workload hash --stack-kib 4
--stack-kib: '4' is out of range (8..|--model hybrid --workload hash --stack-kib 4
# --switch (coros, hybrid)
--switch: unknown value 'fcontext' (valid: ucontext, asm)|--model coros --workload hash --switch fcontext
--switch: unknown value '' (valid: ucontext, asm)|--model coros --workload hash --switch ""
--switch: unknown value 'ASM' (valid: ucontext, asm)|--model coros --workload hash --switch ASM
--switch: missing value|--model coros --workload hash --switch
--switch: given twice|--model coros --workload hash --switch asm --switch asm
--switch: unknown value 'fcontext' (valid: ucontext, asm)|--model hybrid --workload hash --switch fcontext
--switch: does not apply to hash under threads (an option of coros, hybrid)|$H --switch asm
# --delay-ms
--delay-ms: '-1' is not a whole number (negative)|$E --delay-ms -1
--delay-ms: '1x' is not a whole number|$E --delay-ms 1x
--delay-ms: '3600001' is out of range|$E --delay-ms 3600001
--delay-ms: '99999999999999999999' is out of range|$E --delay-ms 99999999999999999999
--delay-ms: empty value|$E --delay-ms ""
# --work
--work: 'abc' is not a whole number|--model threads --workload mixed --work abc
--work: '1073741825' is out of range|--model threads --workload mixed --work 1073741825
--work: '-5' is not a whole number (negative)|--model threads --workload mixed --work -5
# --touch-kib
--touch-kib: '-4' is not a whole number (negative)|--model threads --workload idle --touch-kib -4
--touch-kib: '1048577' is out of range|--model threads --workload idle --touch-kib 1048577
--touch-kib: does not apply to hash under threads (an option of idle)|$H --touch-kib 4
--touch-kib: 64 KiB does not fit|--model coros --workload idle --units 10 --touch-kib 64 --stack-kib 64
--touch-kib: a stackless unit has no stack to touch|--model stackless --workload idle --units 10 --touch-kib 4
--stack-kib: does not apply to idle under stackless (an option of threads, coros, hybrid)|--model stackless --workload idle --stack-kib 64
# --timeout-s
--timeout-s: '0' is out of range|$H --timeout-s 0
--timeout-s: '-1' is not a whole number (negative)|$H --timeout-s -1
--timeout-s: '604801' is out of range|$H --timeout-s 604801
--timeout-s: '99999999999999999999' is out of range|$H --timeout-s 99999999999999999999
--timeout-s: '1.5' is not a whole number|$H --timeout-s 1.5
--timeout-s: empty value|$H --timeout-s ""
--timeout-s: missing value|$H --timeout-s
# --expect
--expect: 'xyz' is not a hexadecimal checksum|$H --expect xyz
--expect: '-1' is not a hexadecimal checksum|$H --expect -1
--expect: '' is not a hexadecimal checksum|$H --expect ""
--expect: '99999999999999999999' is not a hexadecimal checksum|$H --expect 99999999999999999999
# --out, unknown options, stray arguments
--out: empty file name|$H --out ""
unknown option '--frobnicate'|$H --frobnicate
unknown option '--unitz'|$H --unitz 3
unexpected argument 'extra'|$H extra
# each flag once, spelt out; a flag of another workload or model is an error, not ignored
--units: given twice|$H --units 2 --units 3
--units: given twice|$H --units=2 --units 3
unknown option '--uni' (did you mean --units? flags are not abbreviated)|$H --uni 3
unknown option '--uni' (did you mean --units?|$H --uni=3
--delay-ms: does not apply to hash under threads (an option of |$H --delay-ms 5
--work: does not apply to echo under threads (an option of mixed)|$E --work 5
--stack-kib: does not apply to hash under procs (an option of threads, coros, hybrid)|--model procs --workload hash --stack-kib 64
TABLE
[ "$n" -ge 40 ] && pass "bad-input table: $n command lines" || fail "bad-input table: only $n lines"
