# runtimes.gp — speedup vs cores of the series the rules set side by side (derived/runtimes.csv,
# rule R's picks): another runtime's threads and processes on the reference workload, its threads
# on a remedy, and C's threads — one line each, error bars from the fastest and slowest run, and
# the ideal (speedup = cores).
# gnuplot -e "fmt='svg'" -c runtimes.gp derived/runtimes.csv out.svg N 'LABEL 1|LABEL 2|...|'
data = ARG1
out = ARG2
load ARG0[:strstrt(ARG0, 'runtimes.gp') - 1].'common.gp'
n = int(ARG3)
labels = ARG4
# The i-th of the '|'-ended labels.
nth(s, i) = i <= 1 ? s[1:strstrt(s, '|') - 1] : nth(s[strstrt(s, '|') + 1:], i - 1)
stats data using 'cores' nooutput
nmax = STATS_max
set title "Speedup over serial on 1 core, the runtimes side by side (in-process wall time,\nfastest run; bars down to the slowest)"
set xlabel 'cores (hwloc, compact placement)'
set ylabel 'speedup (T serial, 1 core / T model)'
set xrange [0.8:nmax + 0.2]
set xtics 1
set yrange [0:nmax * 1.15 + 0.2]
set key noenhanced
plot x with lines dt 2 lc rgb 'black' lw 1.5 title 'ideal (= cores)', \
	for [i = 1:n] data using (column('series') == i ? \
	column('cores') + (i - (n + 1) / 2.0) * nmax * 0.01 : NaN):'speedup_best':'speedup_lo':'speedup_hi' \
	with yerrorlines lt (i + 1) title nth(labels, i)
