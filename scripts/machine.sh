#!/bin/sh
# machine.sh PROFILE CVP [CONSTANTS [CALIBRATION]] — prints machine.txt: what makes this run's
# numbers comparable, with the host's constants (the CSV `cvp --machine --format csv` wrote) and
# the runtimes (bench.sh's raw/calibration.csv: each runtime's name and its start) among them.
# "key: value" lines up to the first blank line (scripts/report.py reads those), then the
# hwloc topology as lstopo draws it. A value that cannot be read here says so.
# CC and CFLAGS come from the environment (the Makefile passes what it built with).
set -u
profile=$1
cvp=$2
constants=${3:-}
calibration=${4:-}
cc=${CC:-cc}

# The first line of file $1 starting with $2, with everything up to ": " removed.
field() { sed -n "s/^$2[[:space:]]*:*[[:space:]]*//p" "$1" 2>/dev/null | head -n 1; }
# The file's content, or "unreadable".
readable() { cat "$1" 2>/dev/null || echo unreadable; }
# The soft limit named $1 from /proc/self/limits.
limit() { sed -n "s/^$1  *//p" /proc/self/limits | awk '{ print $1 }'; }

binding=$(hwloc-bind --get 2>/dev/null || echo all)

echo "host: $(uname -n)"
echo "started: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "profile: $profile"
echo "cpu model: $(field /proc/cpuinfo 'model name')"
echo "architecture: $(uname -m)"
echo "cores: $(hwloc-calc --number-of core "$binding" 2>/dev/null || echo unknown)"
echo "pus: $(hwloc-calc --number-of pu "$binding" 2>/dev/null || echo unknown)"
echo "cpu binding: $binding"
echo "hwloc topology: $(lstopo-no-graphics --no-io --of synthetic 2>/dev/null || echo unknown)"
echo "memory: $(field /proc/meminfo MemTotal)"
echo "kernel: $(uname -sr)"
echo "glibc: $(getconf GNU_LIBC_VERSION 2>/dev/null || echo unknown)"
echo "compiler: $cc: $($cc --version 2>/dev/null | head -n 1)"
echo "cflags: ${CFLAGS:-unknown}"
echo "cvp: $cvp, commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD -- 2>/dev/null || echo ' with local changes')"
echo "hyperfine: $(hyperfine --version 2>/dev/null || echo missing)"
echo "timer slack (ns, of this shell; cvp sets its own, see each row): $(readable /proc/$$/timerslack_ns)"
# How busy the CPUs were just before the run, from /proc/stat over one second: other work on
# the machine shows here (the load average does not tell it from this suite's own past runs).
cpu_sample() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $5 + $6 }' /proc/stat; }
s0=$(cpu_sample)
sleep 1
s1=$(cpu_sample)
echo "cpu busy before the run: $(echo "$s0 $s1" | awk '{ b = $3 - $1; i = $4 - $2
	printf "%.0f%%\n", (b + i) ? 100 * b / (b + i) : 0 }') of all PUs over 1 s"
echo "cpu governor: $(readable /sys/devices/system/cpu/cpu0/cpufreq/scaling_governor)"
echo "max processes (ulimit -u): $(limit 'Max processes')"
echo "max open files (ulimit -n): $(limit 'Max open files')"
echo "threads-max: $(readable /proc/sys/kernel/threads-max)"
echo "vm.max_map_count: $(readable /proc/sys/vm/max_map_count)"
echo "page-table isolation: $(readable /sys/devices/system/cpu/vulnerabilities/meltdown)"
# The host's constants: "constant NAME: VALUE UNIT (min..max; what it is)".
if [ -n "$constants" ]; then
	awk -F, 'NR == 1 { for (k = 1; k <= NF; k++) c[$k] = k; next }
		{ what = $0; sub(/^[^"]*"/, "", what); sub(/"$/, "", what)
		  if ($c["value"] == "") print "constant " $c["constant"] ": n/a (" what ")"
		  else print "constant " $c["constant"] ": " $c["value"] " " $c["unit"] " (" $c["min"] ".." $c["max"] "; " what ")" }' "$constants"
fi
# The runtimes: "runtime KEY: NAME, a process starts in S s" (the calibration's tiny serial run).
if [ -n "$calibration" ]; then
	awk -F, 'NR == 1 { for (k = 1; k <= NF; k++) c[$k] = k; next }
		$c["what"] == "start" { print "runtime " $c["key"] ": " $c["runtime"] ", a process starts and ends in " $c["process_s"] " s" }' "$calibration"
	[ -z "${PYTHON_USED:-}" ] || echo "python: $PYTHON_USED: $("$PYTHON_USED" --version 2>&1)"
fi
echo
echo "lstopo:"
lstopo-no-graphics --no-io 2>/dev/null || echo "(lstopo-no-graphics unavailable)"
