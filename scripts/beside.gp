# beside.gp — one waiting unit beside busy ones (the convoy effect), for one workload of the
# beside group: the waiting unit's wait (a round trip to the delay server), its 99th percentile
# (solid) and median (dashed), against the number of busy units beside it, one colour per
# runtime and model (derived/beside.csv); log scale, error bars from the lowest and highest run
# of the 99th percentile.
# gnuplot -e "fmt='svg'" -c beside.gp derived/beside.csv out.svg WORKLOAD N 'LABEL 1|LABEL 2|...|'
data = ARG1
out = ARG2
load ARG0[:strstrt(ARG0, 'beside.gp') - 1].'common.gp'
wl = ARG3
n = int(ARG4)
labels = ARG5
nth(s, i) = i <= 1 ? s[1:strstrt(s, '|') - 1] : nth(s[strstrt(s, '|') + 1:], i - 1)
picked(i) = strcol('workload') eq wl && column('series') == i
stats data using (strcol('workload') eq wl ? column('busy') : NaN) nooutput
kmax = STATS_max
set title sprintf("%s: one waiting unit beside K busy ones\n(its wait: 99th percentile solid, median dashed; median of runs)", wl)
set xlabel 'K, busy units beside the waiting one'
set ylabel 'one wait (µs, log scale)'
set logscale y
set xrange [-0.2:kmax + 0.2]
set xtics 1
set key noenhanced top left
plot for [i = 1:n] data using (picked(i) ? \
	column('busy') + (i - (n + 1) / 2.0) * 0.02 : NaN):'wait_p99_us':'wait_p99_us_min':'wait_p99_us_max' \
	with yerrorlines lt (i + 1) title nth(labels, i), \
	for [i = 1:n] data using (picked(i) ? \
	column('busy') + (i - (n + 1) / 2.0) * 0.02 : NaN):'wait_p50_us' \
	with linespoints lt (i + 1) dt 2 notitle
