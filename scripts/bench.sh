#!/bin/sh
# bench.sh — the matrix driver behind `make bench`. The matrix comes from the binary itself
# (scripts/plan.py reads `cvp --list --format csv`); every configuration runs once under hyperfine
# (warm-up runs, then counted runs, -N, JSON export) while build/cvp appends its own row per run
# (memory, spawn, switch, checksum, in-process wall time), so nothing runs twice.
#
# Two runtimes run the same matrix, one after the other: c, the C binary (build/cvp), and py,
# the CPython arm (build/cvp-py, on Debian's /usr/bin/python3 or $PYTHON); their configurations
# are named alike, the CPython arm's with a py- prefix, and every row says its runtime.
#
# Environment: PROFILE=quick|default|full, WORKLOADS=a,b, MODELS=x,y and RUNTIMES=c,py (subsets;
# default all), BUDGET=seconds (default: the profile's), CVP (default build/cvp), CVP_PY
# (default: the arm in bench/python), RESULTS_ROOT (default results), RESUME=folder (go on with
# an unfinished run, skipping what it finished). Leaves results/<host>-<UTC time>/ with
# machine.txt (with the host's constants and the runtimes), list.csv and list-py.csv (what each
# binary said of itself), plan.txt (with each configuration's predicted seconds and any cut),
# status.csv, raw/ (the constants, the calibration runs, the serial references, hyperfine JSON
# and the rows of each configuration), budget.txt (the predicted total and the cuts), cvp.csv
# (every runtime's rows), derived/, plots/ and TABLE.md; results/latest points to it. A
# configuration's files appear whole or not at all, so an interrupted run keeps every
# configuration it finished.
#
# Before the matrix, the host's constants (cvp --machine), a few calibration runs of each
# runtime (its start; the CPython arm's cost to create a unit of each model) and the serial
# references give every configuration a predicted time; when the total passes the budget, plan.py cuts (counted runs to
# 3, then the largest unit counts of the costliest model), and each cut is in status.csv.
#
# status.csv says what became of each configuration: ok; cap (cvp exit 3: a resource limit,
# named in the message); unsupported (exit 4); unavailable (this cvp has no such workload or
# flag, exit 2); failed (exit 1: wrong result or runtime failure). Every CSV here is read by the
# names in its header.
set -u
cd "$(dirname "$0")/.." || exit 1

PROFILE=${PROFILE:-default}
CVP=${CVP:-build/cvp}
RUNTIMES=${RUNTIMES:-c,py}
RESULTS_ROOT=${RESULTS_ROOT:-results}
STATUS_HEADER="config,runtime,group,workload,model,variant,units,tasks,cores,size,delay_ms,status,exit,predicted_s,actual_s,busy_pct,steal_pct,cut,message"

die() {
	echo "bench: $*" >&2
	exit 1
}
case $PROFILE in
quick | default | full) ;;
*)
	echo "bench: PROFILE=$PROFILE: unknown (quick, default or full)" >&2
	exit 2
	;;
esac
for rt in $(echo "$RUNTIMES" | tr ',' ' '); do
	case $rt in
	c | py) ;;
	*)
		echo "bench: RUNTIMES: unknown '$rt' (valid: c, py)" >&2
		exit 2
		;;
	esac
done
has_runtime() { case ",$RUNTIMES," in *",$1,"*) return 0 ;; esac; return 1; }
[ -x "$CVP" ] || die "$CVP: not built (run make)"
command -v hyperfine >/dev/null || die "hyperfine: not installed (run make deps)"
command -v hwloc-calc >/dev/null || die "hwloc-calc: not installed (run make deps)"

# N: the cores this run may use, from hwloc, inside the current binding.
NCORES=$(hwloc-calc --number-of core "$(hwloc-bind --get)") || die "hwloc-calc failed"
[ "$NCORES" -ge 1 ] 2>/dev/null || die "hwloc-calc gave '$NCORES' cores"
# Run a private copy of cvp: a rebuild during the run (make in another shell) cannot swap or
# half-write the binary under hyperfine. Removed on exit.
BIN=$(mktemp -d "${TMPDIR:-/tmp}/cvp-bench.XXXXXX") || die "mktemp failed"
trap 'rm -rf "$BIN"' EXIT
cp "$CVP" "$BIN/cvp" || die "$CVP: cannot copy"
# ... with the tool units run as children (the subprocess workload), which it finds beside it.
tool="$(dirname "$CVP")/cvp-filter"
[ ! -x "$tool" ] || cp "$tool" "$BIN/" || die "$tool: cannot copy"
CVP_NAME=$CVP
CVP="$BIN/cvp"
case $CVP in *[!A-Za-z0-9._/-]*) die "$CVP: the temporary path must be plain characters" ;; esac
# The binary of runtime $1, and the file of its list in a run.
exe_of() { case $1 in c) printf '%s\n' "$CVP" ;; *) printf '%s\n' "$BIN/cvp-$1" ;; esac; }
list_of() { case $1 in c) printf 'list.csv\n' ;; *) printf 'list-%s.csv\n' "$1" ;; esac; }

# Column $2 of CSV file $1 (by header name) in the rows whose column $3 equals $4 (or every row).
csv_col() {
	awk -F, -v col="$2" -v key="${3:-}" -v val="${4:-}" '
		NR == 1 { for (k = 1; k <= NF; k++) c[$k] = k; next }
		key == "" || $c[key] == val { print (col in c) ? $c[col] : "" }' "$1"
}

# RESUME=folder goes on with an unfinished run: same plan, same profile, same references;
# configurations with a final status (ok, cap, unsupported, unavailable) are skipped, failed ones
# run again.
if [ -n "${RESUME:-}" ]; then
	RUN=${RESUME%/}
	for f in plan.txt machine.txt list.csv raw/constants.csv raw/calibration.csv; do
		[ -s "$RUN/$f" ] || die "RESUME=$RESUME: $RUN/$f is missing; not a results folder this driver began (start afresh without RESUME)"
	done
	was=$(awk '/^profile: / { print $2 }' "$RUN/machine.txt")
	[ -n "$was" ] || die "RESUME=$RESUME: $RUN/machine.txt names no profile"
	[ "$was" = "$PROFILE" ] || echo "bench: resuming $RUN with its own profile, $was (not $PROFILE)" >&2
	PROFILE=$was
	# ... and its own runtimes
	RUNTIMES=$(csv_col "$RUN/raw/calibration.csv" key key | sort -u | paste -sd, -)
else
	RUN="$RESULTS_ROOT/$(uname -n)-$(date -u +%Y%m%dT%H%M%SZ)"
fi
case $RUN in *[!A-Za-z0-9._/-]*) die "$RUN: the results path must be plain characters" ;; esac
# ... and of the CPython arm: its sources, run by the same interpreter build/cvp-py would use,
# placing units with the private cvp (CVP).
if has_runtime py; then
	if [ -n "${CVP_PY:-}" ]; then
		cp "$CVP_PY" "$BIN/cvp-py" || die "$CVP_PY: cannot copy"
	else
		python=${PYTHON:-/usr/bin/python3}
		[ -x "$python" ] || die "$python: no such interpreter for the CPython arm (run make deps, set PYTHON, or RUNTIMES=c)"
		cp -r bench/python "$BIN/python" || die "bench/python: cannot copy"
		# Compiled once here, so no start of the arm compiles its modules again (where
		# PYTHONDONTWRITEBYTECODE is set, each would: ~40 ms of every run's start).
		"$python" -m compileall -q "$BIN/python" >/dev/null || die "bench/python: cannot compile"
		printf '#!/bin/sh\nCVP=%s exec %s %s "$@"\n' "$CVP" "$python" "$BIN/python/cvp.py" >"$BIN/cvp-py" &&
			chmod +x "$BIN/cvp-py" || die "$BIN/cvp-py: cannot write"
	fi
fi
TMPF="$BIN/tmp"
ns_now() { date +%s%N; }
# plan.py's arguments naming each runtime's list in folder $1: KEY=PATH (a bare path for c).
lists() {
	for rt in $(echo "$RUNTIMES" | tr ',' ' '); do
		case $rt in c) printf '%s ' "$1/list.csv" ;; *) printf '%s=%s ' "$rt" "$1/$(list_of "$rt")" ;; esac
	done
}
plan() { # plan [ARGS]: the matrix, predicted with the constants (and ARGS), to stdout
	# shellcheck disable=SC2046 # the lists: plain paths, one argument each
	python3 scripts/plan.py $(lists "$RUN") --profile "$PROFILE" --ncores "$NCORES" \
		--workloads "${WORKLOADS:-}" --models "${MODELS:-}" --budget "${BUDGET:-}" \
		--constants "$RUN/raw/constants.csv" "$@"
}
if [ -z "${RESUME:-}" ]; then
	# The plan first: an unknown WORKLOADS, MODELS, RUNTIMES or BUDGET is a usage error before
	# anything runs or is written.
	mkdir -p "$BIN/lists" || die "$BIN/lists: cannot create"
	for rt in $(echo "$RUNTIMES" | tr ',' ' '); do
		"$(exe_of "$rt")" --list --format csv >"$BIN/lists/$(list_of "$rt")" ||
			die "$(exe_of "$rt") --list failed (the $rt runtime; RUNTIMES= leaves it out)"
	done
	# shellcheck disable=SC2046
	python3 scripts/plan.py $(lists "$BIN/lists") --profile "$PROFILE" --ncores "$NCORES" \
		--workloads "${WORKLOADS:-}" --models "${MODELS:-}" --budget "${BUDGET:-}" \
		>/dev/null 2>"$TMPF.err" || { cat "$TMPF.err" >&2; exit 2; }
	mkdir -p "$RUN/raw" || die "$RUN: cannot create"
	for rt in $(echo "$RUNTIMES" | tr ',' ' '); do
		mv "$BIN/lists/$(list_of "$rt")" "$RUN/$(list_of "$rt")"
	done
	printf 'bench: measuring the host constants\n' >&2
	"$CVP" --machine --format csv >"$RUN/raw/constants.csv" || die "$CVP --machine failed"
	# Each runtime's calibration runs: a tiny serial run (the process's start; the runtime's
	# name, from its row) and, for the CPython arm, its spawn probe at a few units per model.
	printf 'bench: calibrating the runtimes\n' >&2
	echo "key,runtime,what,workload,model,variant,units,us_per_unit,process_s" >"$RUN/raw/calibration.csv"
	plan --calibrations >"$TMPF.cal" 2>/dev/null || die "plan.py --calibrations failed"
	while IFS='|' read -r rt what cw cm cv cu csize; do
		set -- --model "$cm" --workload "$cw" --units "$cu" --tasks "$cu"
		[ -z "$cv" ] || set -- "$@" --variant "$cv"
		[ -z "$csize" ] || set -- "$@" --size "$csize"
		[ "$what" = start ] && set -- "$@" --cores 1 || set -- "$@" --cores "$NCORES"
		rm -f "$TMPF.row"
		r0=$(ns_now)
		if "$(exe_of "$rt")" "$@" --out "$TMPF.row" >/dev/null 2>"$TMPF.err" </dev/null; then
			r1=$(ns_now)
			name=$(csv_col "$TMPF.row" runtime) # rows that do not say it: the key names it
			printf '%s,%s,%s,%s,%s,%s,%s,%s,%s\n' "$rt" "${name:-$rt}" "$what" \
				"$cw" "$cm" "$cv" "$cu" "$(csv_col "$TMPF.row" spawn_us_per_unit)" \
				"$(awk -v a="$r0" -v b="$r1" 'BEGIN { printf "%.6f", (b - a) / 1e9 }')" \
				>>"$RUN/raw/calibration.csv"
		elif [ "$what" = start ]; then
			die "the $rt runtime cannot run ($(exe_of "$rt") $*): $(tail -n 1 "$TMPF.err") (RUNTIMES= leaves it out)"
		else # predicted from the model's default instead
			echo "bench: calibration of $rt $cm $cv: $(tail -n 1 "$TMPF.err")" >&2
		fi
	done <"$TMPF.cal"
	PYTHON_USED=${python:-} sh scripts/machine.sh "$PROFILE" "$CVP_NAME" "$RUN/raw/constants.csv" "$RUN/raw/calibration.csv" >"$RUN/machine.txt"
	plan --calibration "$RUN/raw/calibration.csv" >"$RUN/plan.txt" 2>/dev/null || die "plan.py failed"
fi
ln -sfn "$(basename "$RUN")" "$(dirname "$RUN")/latest"
# The runtime's name its rows give (c; cpython-3.11.2-gil), by its key in the plan.
runtime_name() { csv_col "$RUN/raw/calibration.csv" runtime key "$1" | head -n 1; }

interrupted() {
	rm -f "$TMPF".*
	printf '\nbench: interrupted; %s keeps the %s configurations it finished\n' "$RUN" "$((i - 1))" >&2
	echo "interrupted after $((i - 1)) of $n configurations" >"$RUN/INCOMPLETE"
	exit 130
}
i=1 n=0
trap interrupted INT TERM HUP

# The serial reference of each workload the cpu group runs, at the size the plan gives it: its
# checksum goes to the timed runs as --expect, so they do not re-run the work serially inside
# hyperfine's clock, and its times calibrate the plan's predictions. Rows in raw/reference.csv,
# times in raw/reference-times.csv; then the plan again, with them, cut to the budget.
if [ -z "${RESUME:-}" ]; then
	echo "runtime,workload,size,wall_s,process_s" >"$RUN/raw/reference-times.csv"
	awk -F'|' '$3 == "cpu" && !seen[$2 "|" $4]++ { print $2, $4, $10 }' "$RUN/plan.txt" | while read -r rr rw rsize; do
		printf 'bench: serial reference of %s (%s)\n' "$rw" "$rr" >&2
		rm -f "$TMPF.ref"
		r0=$(ns_now)
		"$(exe_of "$rr")" --model serial --workload "$rw" --units 1 --cores 1 --size "$rsize" --out "$TMPF.ref" >/dev/null ||
			die "$rw: the serial reference run of $rr at size $rsize failed"
		r1=$(ns_now)
		from=1
		[ ! -s "$RUN/raw/reference.csv" ] || from=2
		tail -n +"$from" "$TMPF.ref" >>"$RUN/raw/reference.csv"
		printf '%s,%s,%s,%s,%s\n' "$rr" "$rw" "$rsize" "$(csv_col "$TMPF.ref" wall_s)" \
			"$(awk -v a="$r0" -v b="$r1" 'BEGIN { printf "%.6f", (b - a) / 1e9 }')" \
			>>"$RUN/raw/reference-times.csv"
	done || exit 1
	[ -s "$RUN/raw/reference.csv" ] || : >"$RUN/raw/reference.csv"
	plan --calibration "$RUN/raw/calibration.csv" --references "$RUN/raw/reference-times.csv" \
		>"$TMPF.plan" 2>"$TMPF.err" || die "plan.py failed: $(cat "$TMPF.err")"
	sed 's/^bench: /bench: plan: /' "$TMPF.err" >&2
	mv "$TMPF.plan" "$RUN/plan.txt"
	sed 's/^bench: //' "$TMPF.err" >"$RUN/budget.txt"
fi

# ---- running one configuration
n=$(wc -l <"$RUN/plan.txt")
t_start=$(date +%s)
CAPPED=" "
# Resuming: what has a final status is done; a model that reached a limit stays capped.
DONE=" "
if [ -s "$RUN/status.csv" ]; then
	DONE=" $(awk -F, 'NR == 1 { for (k = 1; k <= NF; k++) c[$k] = k; next }
		$c["status"] != "failed" { printf "%s ", $c["config"] }' "$RUN/status.csv")"
	CAPPED=" $(awk -F, 'NR == 1 { for (k = 1; k <= NF; k++) c[$k] = k; next }
		$c["status"] == "cap" && $c["exit"] == 3 { printf "%s/%s/%s/%s ", $c["runtime"], $c["group"], $c["workload"], $c["model"] }' "$RUN/status.csv")"
	awk -F, 'NR == 1 { for (k = 1; k <= NF; k++) c[$k] = k; print; next }
		$c["status"] != "failed"' "$RUN/status.csv" >"$TMPF.status" && mv "$TMPF.status" "$RUN/status.csv"
	echo "bench: resuming $RUN: $(($(echo "$DONE" | wc -w))) of $n configurations already done" >&2
fi
rm -f "$RUN/INCOMPLETE"

mmss() { printf '%d:%02d' "$(($1 / 60))" "$(($1 % 60))"; }
# The ETA: the predicted seconds of what is left, corrected by how the finished configurations'
# actual times compared with their predictions.
pred_left=$(awk -F'|' -v done="$DONE" 'index(done, " " $1 " ") == 0 { s += $14 } END { print s + 0 }' "$RUN/plan.txt")
pred_done=0 act_done=0
progress() { # one line, rewritten in place on a terminal
	elapsed=$(($(date +%s) - t_start))
	left=$(awk -v l="$pred_left" -v p="$pred_done" -v a="$act_done" \
		'BEGIN { printf "%d", l * (p > 0 ? a / p : 1) + 0.5 }')
	line=$(printf '[%d/%d] %-34s elapsed %s, remaining ~%s' "$i" "$n" "$1" "$(mmss "$elapsed")" "$(mmss "$left")")
	if [ -t 2 ]; then printf '\r\033[K%s' "$line" >&2; else echo "$line" >&2; fi
}

# Appends lines (stdin) to file $1 by replacing it whole: readers never see half a configuration.
# With $2, first drops the rows of configuration $2 (a resumed run redoing one cut short).
append() {
	{ awk -F, -v cfg="${2:-}" 'cfg == "" || $1 != cfg' "$1" 2>/dev/null; cat; } >"$TMPF.append" &&
		mv "$TMPF.append" "$1"
}
# All CPUs' time from /proc/stat, in jiffies: "busy steal total" (busy leaves idle, iowait and
# steal out; steal is what the hypervisor gave other guests).
cpu_stat() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8, $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat; }
record() { # record STATUS EXIT MESSAGE — one line in status.csv for the current configuration
	msg=$(printf '%s' "$3" | tr '\n"' " '")
	actual=$(awk -v a="$t0" -v b="$(ns_now)" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
	# How busy the CPUs were, and how much the hypervisor stole, while it ran (its own work is
	# in busy: cpu_util says how much of it).
	load=$(echo "$stat0 $(cpu_stat)" | awk '{ t = $6 - $3; if (t > 0) printf "%.1f,%.1f", 100 * ($4 - $1) / t, 100 * ($5 - $2) / t; else printf "," }')
	[ -s "$RUN/status.csv" ] || echo "$STATUS_HEADER" >"$RUN/status.csv"
	printf '%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,"%s"\n' "$name" "$rtname" "$group" \
		"$w" "$m" "$v" "$u" "$t" "$c" "$size" "$delay" "$1" "$2" "$predicted" "$actual" "$load" \
		"$cut" "$msg" | append "$RUN/status.csv"
}

# Forking more processes than the machine can hold is not attempted: where a model's units are
# processes (they do not share one address space), above max processes (ulimit -u), or when
# a guard per process (well above what a child costs, see the idle probe: C's ~35-200 KiB, a
# forked interpreter's ~2-3 MiB, a fresh one's ~10 MiB) would pass half of MemAvailable.
# Recorded as a cap, with the reason.
proc_guard_kib() { case $1 in c) printf '512\n' ;; *) printf '8192\n' ;; esac; }
MAX_PROCS=$(awk '/^Max processes/ { print ($3 == "unlimited") ? 4194304 : $3 }' /proc/self/limits)
MEM_AVAIL_KIB=$(awk '/^MemAvailable:/ { print $2 }' /proc/meminfo)
proc_limit() { # a reason when $2 units of model $1 of runtime $3 are more processes than this machine allows
	case " $(csv_col "$RUN/$(list_of "$3")" models name "$1") " in *" shared "*) return ;; esac
	guard=$(proc_guard_kib "$3")
	if [ "$2" -ge "$MAX_PROCS" ]; then
		echo "not run: $2 processes reach max processes (ulimit -u) = $MAX_PROCS"
	elif [ $(($2 * guard)) -gt $((MEM_AVAIL_KIB / 2)) ]; then
		echo "not run: $2 processes x $guard KiB (guard) exceed half of MemAvailable ($MEM_AVAIL_KIB kB)"
	fi
}

run_config() {
	rm -f "$TMPF".*
	if [ "$runs" -eq 0 ]; then # cut from the plan to fit the budget
		record cut "" "$cut"
		return
	fi
	why=$(proc_limit "$m" "$u" "$rt")
	if [ -n "$why" ]; then
		record cap "" "$why"
		return
	fi
	case $CAPPED in
	*" $rtname/$group/$w/$m "*)
		record cap 3 "not run: $m already reached a resource limit at fewer units"
		return
		;;
	esac
	set -- --model "$m" --workload "$w" --cores "$c"
	[ -z "$u" ] || set -- "$@" --units "$u" --tasks "$t"
	[ -z "$v" ] || set -- "$@" --variant "$v"
	[ -z "$size" ] || set -- "$@" --size "$size"
	[ -z "$delay" ] || set -- "$@" --delay-ms "$delay"
	# a model's options, name=value;... (plain words: from the binary's own list)
	for o in $(printf '%s' "$opts" | tr ';' ' '); do
		set -- "$@" "--${o%%=*}" "${o#*=}"
	done
	if [ "$group" = cpu ]; then
		expect=$(awk -F, -v r="$rtname" -v w="$w" -v s="$size" 'NR == 1 { for (k = 1; k <= NF; k++) c[$k] = k; next }
			$c["runtime"] == r && $c["workload"] == w && $c["size"] == s { print $c["checksum"]; exit }' "$RUN/raw/reference.csv")
		[ -z "$expect" ] || set -- "$@" --expect "$expect"
	fi
	if hyperfine -N --style none --warmup "$warmup" --runs "$runs" --export-json "$TMPF.json" \
		-n "$name" "$exe $* --out $TMPF.rows" >/dev/null 2>"$TMPF.err" </dev/null; then
		rows=$(($(wc -l <"$TMPF.rows") - 1))
		if [ "$rows" -ne $((warmup + runs)) ]; then
			record failed "" "expected $((warmup + runs)) rows from cvp, got $rows"
			return
		fi
		# Every runtime's rows have the same columns: cvp.csv holds them all.
		if [ -s "$RUN/cvp.csv" ] && [ "config,$(head -n 1 "$TMPF.rows")" != "$(head -n 1 "$RUN/cvp.csv")" ]; then
			record failed "" "its rows' columns differ from cvp.csv's (the runtimes' row formats disagree)"
			return
		fi
		# Keep the header and the counted runs; the warm-up rows come first.
		awk -v w="$warmup" 'NR == 1 || NR > w + 1' "$TMPF.rows" >"$TMPF.csv"
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
	"$exe" "$@" >/dev/null 2>"$TMPF.err2" </dev/null
	rc=$?
	msg=$(sed 's/^cvp\(-py\)*: //' "$TMPF.err2" | tail -n 1)
	case $rc in
	0) record failed 0 "failed under hyperfine, passed alone: $(tail -n 1 "$TMPF.err")" ;;
	2) record unavailable 2 "$msg" ;;
	3)
		record cap 3 "$msg"
		CAPPED="$CAPPED$rtname/$group/$w/$m "
		;;
	4) record unsupported 4 "$msg" ;;
	*) record failed "$rc" "$msg" ;;
	esac
	rm -f "$TMPF".*
}

while IFS='|' read -r name rt group w m v u t c size delay warmup runs predicted cut opts; do
	exe=$(exe_of "$rt")
	rtname=$(runtime_name "$rt")
	case $DONE in *" $name "*) i=$((i + 1)); continue ;; esac
	progress "$name"
	t0=$(ns_now)
	stat0=$(cpu_stat)
	run_config
	pred_left=$(awk -v l="$pred_left" -v p="$predicted" 'BEGIN { print l - p }')
	pred_done=$(awk -v d="$pred_done" -v p="$predicted" 'BEGIN { print d + p }')
	act_done=$(awk -v d="$act_done" -v a="$actual" 'BEGIN { print d + a }')
	i=$((i + 1))
done <"$RUN/plan.txt"
rm -f "$TMPF".*
[ ! -t 2 ] || echo >&2
trap - INT TERM HUP
rm -rf "$BIN"
echo "bench: $n configurations in $(mmss $(($(date +%s) - t_start))) ($PROFILE profile)" >&2
awk -F, 'NR == 1 { for (k = 1; k <= NF; k++) c[$k] = k; next }
	$c["status"] != "ok" { bad++ } END { if (bad) printf "bench: %d not measured, see %s\n", bad, FILENAME }' \
	"$RUN/status.csv" >&2

python3 scripts/report.py table "$RUN" || exit 1
sh scripts/plots.sh "$RUN" || exit 1
echo
cat "$RUN/TABLE.md"
echo
echo "Plots:"
find "$RUN/plots" -type f | sort
