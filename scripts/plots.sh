#!/bin/sh
# plots.sh RESULTS — draws RESULTS/plots/*.png and *.svg with gnuplot from the derived CSVs
# (scripts/report.py derive writes them first). A plot whose data has no rows yet (the
# configurations behind it were unavailable or capped) is skipped with a line saying so;
# TABLE.md lists why. Exits non-zero if gnuplot fails or leaves an empty file.
set -u
cd "$(dirname "$0")/.." || exit 1
[ $# -eq 1 ] || { echo "usage: plots.sh RESULTS_FOLDER" >&2; exit 2; }
dir=$1
python3 scripts/report.py derive "$dir" || exit 1
mkdir -p "$dir/plots" || exit 1
d="$dir/derived"
status=0

# Rows of derived CSV $1 whose column $2 equals $3 (every row when $2 is empty).
rows() {
	awk -F, -v col="$2" -v val="$3" 'NR == 1 { for (k = 1; k <= NF; k++) c[$k] = k; next }
		col == "" || $c[col] == val { n++ } END { print n + 0 }' "$1"
}
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
skip() { echo "plots: $1: no measurements yet ($2), skipped" >&2; }

for w in hash mandel stream; do
	if [ "$(rows "$d/speedup.csv" workload "$w")" -gt 0 ]; then
		plot "speedup-$w" speedup.gp "$d/speedup.csv" "$w"
	else
		skip "speedup-$w" "$w"
	fi
done
for w in sleep echo; do
	if [ "$(rows "$d/io.csv" workload "$w")" -gt 0 ]; then
		plot "io-$w" io.gp "$d/io.csv" "$w"
	else
		skip "io-$w" "$w"
	fi
done
if [ "$(rows "$d/memory.csv" "" "")" -gt 0 ]; then
	plot memory memory.gp "$d/memory.csv"
else
	skip memory idle
fi
if [ "$(rows "$d/spawn.csv" "" "")" -gt 0 ]; then
	plot spawn bars.gp "$d/spawn.csv" "Spawn time per unit (spawn probe, median of runs)" \
		"µs per unit (create, start, finish, reap; log scale)"
else
	skip spawn spawn
fi
if [ "$(rows "$d/switch.csv" "" "")" -gt 0 ]; then
	plot switch bars.gp "$d/switch.csv" "Switch time (pingpong probe, median of runs)" \
		"ns per one-way hand-off (log scale)"
else
	skip switch pingpong
fi
exit "$status"
