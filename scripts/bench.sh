#!/bin/sh
# bench.sh — the matrix driver behind `make bench`. Every configuration runs once under
# hyperfine (warm-up runs, then counted runs, -N, JSON export) while build/cvp appends its own
# row per run (memory, spawn, switch, checksum, in-process wall time), so nothing runs twice.
#
# Environment: PROFILE=quick|default|full, CVP (default build/cvp), RESULTS_ROOT (default
# results), RESUME=folder (go on with an unfinished run, skipping what it finished). Leaves results/<host>-<UTC time>/ with machine.txt, plan.csv, status.csv, raw/
# (hyperfine JSON and the rows of each configuration), cvp.csv, derived/, plots/ and TABLE.md;
# results/latest points to it. A configuration's files appear whole or not at all, so an
# interrupted run keeps every configuration it finished.
#
# status.csv says what became of each configuration: ok; cap (cvp exit 3: a resource limit,
# named in the message); unsupported (exit 4); unavailable (this cvp has no such workload or
# flag yet, exit 2); failed (exit 1: wrong result or runtime failure).
set -u
cd "$(dirname "$0")/.." || exit 1

PROFILE=${PROFILE:-default}
CVP=${CVP:-build/cvp}
RESULTS_ROOT=${RESULTS_ROOT:-results}

# The profiles. CPU sizes are the workload's default size times CPU_MUL / CPU_DIV.
# IO (--size is per task there): each task does IO_OPS waits of IO_DELAY_MS, one task per unit;
# the pool runs POOL_TASKS tasks of one wait of POOL_DELAY_MS on one unit per core, beside
# coroutines with one per task. Waits of 100 ms keep the ideal well above the cost of starting
# 10 000 units, so the overlap figure measures waiting, not spawning (quick trades that for time). PINGPONG_SIZE: hand-offs per pingpong run (empty: its default).
set_profile() {
case $PROFILE in
quick)
	WARMUP=1 RUNS=3 CPU_MUL=1 CPU_DIV=8
	IO_UNITS="1 10 100 1000" IO_DELAY_MS=10 IO_OPS=2
	POOL_TASKS=1000 POOL_DELAY_MS=1 PROBE_UNITS=1000 PINGPONG_SIZE=20000
	;;
default)
	WARMUP=1 RUNS=5 CPU_MUL=1 CPU_DIV=1
	IO_UNITS="1 10 100 1000 10000" IO_DELAY_MS=100 IO_OPS=3
	POOL_TASKS=1000 POOL_DELAY_MS=1 PROBE_UNITS=1000 PINGPONG_SIZE=
	;;
full)
	WARMUP=2 RUNS=10 CPU_MUL=4 CPU_DIV=1
	IO_UNITS="1 10 100 1000 10000 100000" IO_DELAY_MS=100 IO_OPS=5
	POOL_TASKS=1000 POOL_DELAY_MS=1 PROBE_UNITS=10000 PINGPONG_SIZE=1000000
	;;
*)
	echo "bench: PROFILE=$PROFILE: unknown (quick, default or full)" >&2
	exit 2
	;;
esac
}
set_profile

die() {
	echo "bench: $*" >&2
	exit 1
}
[ -x "$CVP" ] || die "$CVP: not built (run make)"
command -v hyperfine >/dev/null || die "hyperfine: not installed (run make deps)"
command -v hwloc-calc >/dev/null || die "hwloc-calc: not installed (run make deps)"

# N: the cores this run may use, from hwloc, inside the current binding.
NCORES=$(hwloc-calc --number-of core "$(hwloc-bind --get)") || die "hwloc-calc failed"
[ "$NCORES" -ge 1 ] 2>/dev/null || die "hwloc-calc gave '$NCORES' cores"
# 1..N on small machines; 1, 2, 4, ... and N on large ones.
if [ "$NCORES" -le 8 ]; then
	CORES=$(seq 1 "$NCORES" | tr '\n' ' ')
else
	CORES=$(awk -v n="$NCORES" 'BEGIN { for (c = 1; c < n; c *= 2) printf "%d ", c; print n }')
fi
# Run a private copy of cvp: a rebuild during the run (make in another shell) cannot swap or
# half-write the binary under hyperfine. Removed on exit.
BIN=$(mktemp -d "${TMPDIR:-/tmp}/cvp-bench.XXXXXX") || die "mktemp failed"
trap 'rm -rf "$BIN"' EXIT
cp "$CVP" "$BIN/cvp" || die "$CVP: cannot copy"
CVP_NAME=$CVP
CVP="$BIN/cvp"
case $CVP in *[!A-Za-z0-9._/-]*) die "$CVP: the temporary path must be plain characters" ;; esac
WORKLOADS=" $("$CVP" --list | awk '$1 == "workload" { printf "%s ", $2 }')"

# RESUME=folder goes on with an unfinished run: same plan, same profile, same serial references;
# configurations with a final status (ok, cap, unsupported, unavailable) are skipped, failed ones
# run again.
if [ -n "${RESUME:-}" ]; then
	RUN=${RESUME%/}
	for f in plan.txt machine.txt raw/reference.csv; do
		[ -s "$RUN/$f" ] || die "RESUME=$RESUME: $RUN/$f is missing; not a results folder this driver began (start afresh without RESUME)"
	done
	was=$(awk '/^profile: / { print $2 }' "$RUN/machine.txt")
	[ -n "$was" ] || die "RESUME=$RESUME: $RUN/machine.txt names no profile"
	[ "$was" = "$PROFILE" ] || echo "bench: resuming $RUN with its own profile, $was (not $PROFILE)" >&2
	PROFILE=$was
	set_profile
else
	RUN="$RESULTS_ROOT/$(uname -n)-$(date -u +%Y%m%dT%H%M%SZ)"
fi
case $RUN in *[!A-Za-z0-9._/-]*) die "$RUN: the results path must be plain characters" ;; esac
mkdir -p "$RUN/raw" || die "$RUN: cannot create"
[ -n "${RESUME:-}" ] || sh scripts/machine.sh "$PROFILE" "$CVP_NAME" >"$RUN/machine.txt"
ln -sfn "$(basename "$RUN")" "$(dirname "$RUN")/latest"

STATUS_HEADER="config,group,workload,model,variant,units,tasks,cores,size,delay_ms,status,exit,message"
TMPF="$RUN/.tmp.$$"
interrupted() {
	rm -f "$TMPF".*
	printf '\nbench: interrupted; %s keeps the %s configurations it finished\n' "$RUN" "$((i - 1))" >&2
	echo "interrupted after $((i - 1)) of $n configurations" >"$RUN/INCOMPLETE"
	exit 130
}
i=1 n=0
trap interrupted INT TERM HUP

# ---- the plan: one line per configuration, fields separated by '|':
# name|group|workload|model|variant|units|tasks|cores|size|delay_ms
plan() { printf '%s|%s|%s|%s|%s|%s|%s|%s|%s|%s\n' "$@"; }

# The serial reference of each CPU workload at the profile's size: its checksum goes to the timed
# runs as --expect, so they do not re-run the work serially inside hyperfine's clock.
# Rows in raw/reference.csv.
for w in hash mandel stream; do
	case $WORKLOADS in *" $w "*) ;; *) continue ;; esac
	[ -z "${RESUME:-}" ] || continue
	printf 'bench: serial reference of %s\n' "$w" >&2
	"$CVP" --model serial --workload "$w" --units 1 --cores 1 --out "$TMPF.ref" >/dev/null ||
		die "$w: the serial reference run failed"
	size=$(awk -F, 'NR == 1 { for (k = 1; k <= NF; k++) c[$k] = k } END { print $c["size"] }' "$TMPF.ref")
	if [ "$CPU_MUL" != "$CPU_DIV" ]; then
		size=$((size * CPU_MUL / CPU_DIV))
		rm -f "$TMPF.ref"
		"$CVP" --model serial --workload "$w" --units 1 --cores 1 --size "$size" --out "$TMPF.ref" >/dev/null ||
			die "$w: the serial reference run at size $size failed"
	fi
	from=1
	[ ! -s "$RUN/raw/reference.csv" ] || from=2
	tail -n +"$from" "$TMPF.ref" >>"$RUN/raw/reference.csv"
	rm -f "$TMPF.ref"
done
ref_col() { # ref_col WORKLOAD COLUMN: the column of that workload's serial reference row
	awk -F, -v w="$1" -v col="$2" 'NR == 1 { for (k = 1; k <= NF; k++) c[$k] = k; next }
		$c["workload"] == w { print $c[col] }' "$RUN/raw/reference.csv"
}
[ -n "${RESUME:-}" ] || {
	for w in hash mandel stream; do
		for m in serial threads procs coros; do
			for c in $CORES; do
				plan "cpu-$w-$m-c$c" cpu "$w" "$m" "" "$c" "$c" "$c" "$(ref_col "$w" size)" ""
			done
		done
	done
	for w in sleep echo; do
		for m in threads procs coros; do
			for u in $IO_UNITS; do
				plan "io-$w-$m-u$u" io "$w" "$m" "" "$u" "$u" "$NCORES" "$IO_OPS" "$IO_DELAY_MS"
			done
		done
	done
	for m in threads procs; do
		plan "pool-sleep-$m-u$NCORES" pool sleep "$m" "" "$NCORES" "$POOL_TASKS" "$NCORES" 1 "$POOL_DELAY_MS"
	done
	plan "pool-sleep-coros-u$POOL_TASKS" pool sleep coros "" "$POOL_TASKS" "$POOL_TASKS" "$NCORES" 1 "$POOL_DELAY_MS"
	for m in threads procs coros; do
		plan "probe-idle-$m-u$PROBE_UNITS" probe idle "$m" "" "$PROBE_UNITS" "$PROBE_UNITS" "$NCORES" "" ""
		plan "probe-spawn-$m-u$PROBE_UNITS" probe spawn "$m" "" "$PROBE_UNITS" "$PROBE_UNITS" "$NCORES" "" ""
	done
	# Same core: both units on one core; cross core: one unit on each of two cores.
	for v in threads:futex threads:pipe procs:futex procs:pipe coros:direct; do
		for c in 1 2; do
			[ "$c" -le "$NCORES" ] || continue
			# Coroutines all run on one scheduler thread: there is no cross-core case.
			[ "$v" = coros:direct ] && [ "$c" -gt 1 ] && continue
			plan "probe-pingpong-${v%:*}-${v#*:}-c$c" probe pingpong "${v%:*}" "${v#*:}" 2 2 "$c" "$PINGPONG_SIZE" ""
		done
	done
} >"$RUN/plan.txt"

# ---- running one configuration
n=$(wc -l <"$RUN/plan.txt")
t_start=$(date +%s)
CAPPED=" "
# Resuming: what has a final status is done; a model that reached a limit stays capped.
DONE=" "
if [ -s "$RUN/status.csv" ]; then
	DONE=" $(awk -F, 'NR > 1 && $11 != "failed" { printf "%s ", $1 }' "$RUN/status.csv")"
	CAPPED=" $(awk -F, 'NR > 1 && $11 == "cap" && $12 == 3 { printf "%s/%s/%s ", $2, $3, $4 }' "$RUN/status.csv")"
	awk -F, 'NR == 1 || $11 != "failed"' "$RUN/status.csv" >"$TMPF.status" && mv "$TMPF.status" "$RUN/status.csv"
	echo "bench: resuming $RUN: $(($(echo "$DONE" | wc -w))) of $n configurations already done" >&2
fi
rm -f "$RUN/INCOMPLETE"

mmss() { printf '%d:%02d' "$(($1 / 60))" "$(($1 % 60))"; }
progress() { # one line, rewritten in place on a terminal
	elapsed=$(($(date +%s) - t_start))
	if [ "$i" -gt 1 ]; then
		left="~$(mmss $((elapsed * (n - i + 1) / (i - 1))))"
	else
		left="unknown"
	fi
	line=$(printf '[%d/%d] %-34s elapsed %s, remaining %s' "$i" "$n" "$1" "$(mmss "$elapsed")" "$left")
	if [ -t 2 ]; then printf '\r\033[K%s' "$line" >&2; else echo "$line" >&2; fi
}

# Appends lines (stdin) to file $1 by replacing it whole: readers never see half a configuration.
# With $2, first drops the rows of configuration $2 (a resumed run redoing one cut short).
append() {
	{ awk -F, -v cfg="${2:-}" 'cfg == "" || $1 != cfg' "$1" 2>/dev/null; cat; } >"$TMPF.append" &&
		mv "$TMPF.append" "$1"
}
record() { # record STATUS EXIT MESSAGE — one line in status.csv for the current configuration
	msg=$(printf '%s' "$3" | tr '\n"' " '")
	[ -s "$RUN/status.csv" ] || echo "$STATUS_HEADER" >"$RUN/status.csv"
	printf '%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,"%s"\n' "$name" "$group" "$w" "$m" "$v" "$u" \
		"$t" "$c" "$size" "$delay" "$1" "$2" "$msg" | append "$RUN/status.csv"
}

# Forking more processes than the machine can hold is not attempted: above max processes
# (ulimit -u), or when PROC_GUARD_KIB per process (a guard well above the ~35-200 KiB a child
# costs, see the idle probe) would pass half of MemAvailable. Recorded as a cap, with the reason.
PROC_GUARD_KIB=512
MAX_PROCS=$(awk '/^Max processes/ { print ($3 == "unlimited") ? 4194304 : $3 }' /proc/self/limits)
MEM_AVAIL_KIB=$(awk '/^MemAvailable:/ { print $2 }' /proc/meminfo)
proc_limit() { # a reason when $1 processes are more than this machine allows, else nothing
	if [ "$1" -ge "$MAX_PROCS" ]; then
		echo "not run: $1 processes reach max processes (ulimit -u) = $MAX_PROCS"
	elif [ $(($1 * PROC_GUARD_KIB)) -gt $((MEM_AVAIL_KIB / 2)) ]; then
		echo "not run: $1 processes x $PROC_GUARD_KIB KiB (guard) exceed half of MemAvailable ($MEM_AVAIL_KIB kB)"
	fi
}

run_config() {
	rm -f "$TMPF".*
	if [ "$m" = procs ] && [ -n "$(proc_limit "$u")" ]; then
		record cap "" "$(proc_limit "$u")"
		return
	fi
	case $WORKLOADS in
	*" $w "*) ;;
	*) record unavailable "" "this cvp has no workload '$w' (cvp --list)"; return ;;
	esac
	case $CAPPED in
	*" $group/$w/$m "*)
		record cap 3 "not run: $m already reached a resource limit at fewer units"
		return
		;;
	esac
	set -- --model "$m" --workload "$w" --units "$u" --tasks "$t" --cores "$c"
	[ -z "$v" ] || set -- "$@" --variant "$v"
	[ -z "$size" ] || set -- "$@" --size "$size"
	[ -z "$delay" ] || set -- "$@" --delay-ms "$delay"
	[ "$group" != cpu ] || set -- "$@" --expect "$(ref_col "$w" checksum)"
	if hyperfine -N --style none --warmup "$WARMUP" --runs "$RUNS" --export-json "$TMPF.json" \
		-n "$name" "$CVP $* --out $TMPF.rows" >/dev/null 2>"$TMPF.err" </dev/null; then
		rows=$(($(wc -l <"$TMPF.rows") - 1))
		if [ "$rows" -ne $((WARMUP + RUNS)) ]; then
			record failed "" "expected $((WARMUP + RUNS)) rows from cvp, got $rows"
			return
		fi
		# Keep the header and the counted runs; the warm-up rows come first.
		awk -v w="$WARMUP" 'NR == 1 || NR > w + 1' "$TMPF.rows" >"$TMPF.csv"
		mv "$TMPF.json" "$RUN/raw/$name.json"
		mv "$TMPF.csv" "$RUN/raw/$name.csv"
		if [ -s "$RUN/cvp.csv" ]; then
			tail -n +2 "$RUN/raw/$name.csv"
		else
			cat "$RUN/raw/$name.csv"
		fi | awk -v cfg="$name" 'NR == 1 && /^(runtime,)?model,/ { print "config," $0; next } { print cfg "," $0 }' |
			append "$RUN/cvp.csv" "$name"
		record ok 0 ""
		return
	fi
	# hyperfine stops at the first failing run: run cvp once more to learn why.
	"$CVP" "$@" >/dev/null 2>"$TMPF.err2" </dev/null
	rc=$?
	msg=$(sed 's/^cvp: //' "$TMPF.err2" | tail -n 1)
	case $rc in
	0) record failed 0 "failed under hyperfine, passed alone: $(tail -n 1 "$TMPF.err")" ;;
	2) record unavailable 2 "$msg" ;;
	3)
		record cap 3 "$msg"
		CAPPED="$CAPPED$group/$w/$m "
		;;
	4) record unsupported 4 "$msg" ;;
	*) record failed "$rc" "$msg" ;;
	esac
	rm -f "$TMPF".*
}

while IFS='|' read -r name group w m v u t c size delay _; do
	progress "$name"
	case $DONE in *" $name "*) i=$((i + 1)); continue ;; esac
	run_config
	i=$((i + 1))
done <"$RUN/plan.txt"
rm -f "$TMPF".*
[ ! -t 2 ] || echo >&2
trap - INT TERM HUP
rm -rf "$BIN"
echo "bench: $n configurations in $(mmss $(($(date +%s) - t_start))) ($PROFILE profile)" >&2
awk -F, 'NR > 1 && $11 != "ok" { bad++ } END { if (bad) printf "bench: %d not measured, see %s\n", bad, FILENAME }' \
	"$RUN/status.csv" >&2

python3 scripts/report.py table "$RUN" || exit 1
sh scripts/plots.sh "$RUN" || exit 1
echo
cat "$RUN/TABLE.md"
echo
echo "Plots:"
find "$RUN/plots" -type f | sort
