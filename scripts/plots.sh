#!/bin/sh
# plots.sh RESULTS — draws RESULTS/plots/*.png and *.svg with gnuplot from RESULTS/derived/*.csv,
# which `report.py table` (or `report.py derive`) wrote: one speedup plot per workload in
# speedup.csv, one IO plot per workload in io.csv, one per cost file (memory, spawn time, switch
# time; every runtime's bars), the runtimes' speedups side by side where more than one ran
# (runtimes.csv: speedup-runtimes) and one plot per workload of one unit waiting beside busy
# ones (beside.csv: beside-WORKLOAD). It names no workload: which ones there are comes from
# those files. Plots of the C binary's rows are NAME-WORKLOAD; another runtime's are
# NAME-WORKLOAD-RUNTIME. A file without rows (its configurations were unavailable, capped or not
# in the run) is skipped with a line saying so; TABLE.md lists why. Exits 1 if the derived files
# are missing or gnuplot fails or leaves an empty file.
set -u
cd "$(dirname "$0")/.." || exit 1
[ $# -eq 1 ] || { echo "usage: plots.sh RESULTS_FOLDER" >&2; exit 2; }
dir=$1
d="$dir/derived"
for f in speedup.csv io.csv memory.csv spawn.csv switch.csv runtimes.csv beside.csv; do
	if [ ! -f "$d/$f" ]; then
		echo "plots: $d/$f: missing; derive the figures first: make table RESULTS=$dir (or python3 scripts/report.py table $dir)" >&2
		exit 1
	fi
	# Files from before derived CSVs named their runtime and workload cannot be told apart;
	# files from before the spread and the kernel's parts lack the columns the scripts draw.
	case $f in
	speedup.csv) need="runtime repeat speedup_best variant" ;;
	memory.csv) need="runtime touched objects_b" ;;
	*) need=runtime ;;
	esac
	for col in $need; do
		if ! head -n 1 "$d/$f" | tr , '\n' | grep -qx "$col"; then
			echo "plots: $d/$f: written by an older report.py (no $col column); derive again: make table RESULTS=$dir" >&2
			exit 1
		fi
	done
done
mkdir -p "$dir/plots" || exit 1
status=0

# Values of column $2 of derived CSV $1 (with ",column $3" when given), each once, in file order.
values() {
	awk -F, -v a="$2" -v b="${3:-}" 'NR == 1 { for (k = 1; k <= NF; k++) c[$k] = k; next }
		{ v = $c[a]; if (b != "") v = v "," $c[b] } !seen[v]++ { print v }' "$1"
}
# The labels of derived CSV $1's series (of workload $2, where given), in series order, each
# ended by '|' (how the scripts take them); and how many there are.
labels() {
	awk -F, -v w="${2:-}" 'NR == 1 { for (k = 1; k <= NF; k++) c[$k] = k; next }
		(w == "" || $c["workload"] == w) && !seen[$c["series"]]++ { l[$c["series"]] = $c["label"]; n++ }
		END { for (k = 1; k <= n; k++) printf "%s|", l[k] }' "$1"
}
count() { labels "$@" | tr -cd '|' | wc -c; }
# plot NAME SCRIPT DATA [ARGS...] — NAME.png and NAME.svg.
plot() {
	name=$1 gp=$2 data=$3
	shift 3
	for fmt in png svg; do
		out="$dir/plots/$name.$fmt"
		if ! gnuplot -e "fmt='$fmt'" -c "scripts/$gp" "$data" "$out.tmp" "$@" 2>"$out.err" ||
			[ ! -s "$out.tmp" ]; then
			echo "plots: $out: gnuplot failed: $(grep -v "^ *$" "$out.err" | tail -n 2 | tr "\n" " ")" >&2
			rm -f "$out.tmp"
			status=1
		else
			mv "$out.tmp" "$out"
		fi
		rm -f "$out.err"
	done
}
# One plot per runtime and workload of a derived file: plot_each NAME SCRIPT FILE.
plot_each() {
	for pair in $(values "$d/$3" runtime workload); do
		rt=${pair%%,*} w=${pair#*,}
		name="$1-$w"
		[ "$rt" = c ] || name="$name-$rt"
		plot "$name" "$2" "$d/$3" "$w" "$rt"
	done
}
plot_each speedup speedup.gp speedup.csv
plot_each io io.gp io.csv

# The runtimes side by side; one unit waiting beside busy ones, a plot per workload.
if [ "$(count "$d/runtimes.csv")" -gt 0 ]; then
	plot speedup-runtimes runtimes.gp "$d/runtimes.csv" "$(count "$d/runtimes.csv")" \
		"$(labels "$d/runtimes.csv")"
elif [ "$(values "$d/speedup.csv" runtime | wc -l)" -gt 1 ]; then
	echo "plots: speedup-runtimes: no series the rules pick in this run ($d/runtimes.csv has no rows), skipped" >&2
fi
for w in $(values "$d/beside.csv" workload); do
	plot "beside-$w" beside.gp "$d/beside.csv" "$w" "$(count "$d/beside.csv" "$w")" \
		"$(labels "$d/beside.csv" "$w")"
done

# The cost files, each drawn from the probe its rows name; the plot is named after the file.
for f in memory.csv spawn.csv switch.csv; do
	probe=$(values "$d/$f" workload | head -n 1)
	if [ -z "$probe" ]; then
		echo "plots: ${f%.csv}: no measurements yet ($d/$f has no rows), skipped" >&2
		continue
	fi
	case $f in
	memory.csv) plot "${f%.csv}" memory.gp "$d/$f" "$probe" ;;
	spawn.csv)
		plot "${f%.csv}" bars.gp "$d/$f" "Spawn time per unit ($probe probe, median of runs)" \
			"µs per unit (create, start, finish, reap; log scale)"
		;;
	switch.csv)
		plot "${f%.csv}" bars.gp "$d/$f" "Switch time ($probe probe, median of runs)" \
			"ns per one-way hand-off (log scale)"
		;;
	esac
done
exit "$status"
