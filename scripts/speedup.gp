# speedup.gp — speedup vs cores for one CPU workload: a line per model, error bars from the
# fastest and slowest run, and the ideal (speedup = cores).
# gnuplot -e "fmt='svg'" -c speedup.gp derived/speedup.csv out.svg WORKLOAD RUNTIME
data = ARG1
out = ARG2
load ARG0[:strstrt(ARG0, 'speedup.gp') - 1].'common.gp'
wl = ARG3
rt = ARG4
# This workload's rows of this runtime (a runtime's serial run is its own baseline), each model's
# default (its own variants ran at N cores only); of the serial 1-core baseline, measured again
# before each model's block, the first measurement.
picked(w) = strcol('workload') eq w && strcol('runtime') eq rt && column('repeat') == 1 && \
	strcol('variant') eq ''

stats data using (picked(wl) ? column('cores') : NaN) nooutput
nmax = STATS_max
# Models sit a little apart on x so their error bars do not hide each other.
set title sprintf("Speedup of %s%s over serial on 1 core (in-process wall time, fastest run;\nbars down to the slowest)", wl, rt eq 'c' ? '' : ' ('.rt.')')
set xlabel 'cores (hwloc, compact placement)'
set ylabel 'speedup (T serial, 1 core / T model)'
set xrange [0.8:nmax + 0.2]
set xtics 1
set yrange [0:nmax * 1.15 + 0.2]
plot data using (picked(wl) && strcol('model') eq 'serial' ? column('cores') : NaN):'ideal' \
	with lines dt 2 lc rgb 'black' lw 1.5 title 'ideal (= cores)', \
	for [i = 1:4] data using (picked(wl) && strcol('model') eq word(models, i) ? \
	column('cores') + (i - 2.5) * nmax * 0.01 : NaN):'speedup_best':'speedup_lo':'speedup_hi' \
	with yerrorlines lt i \
	title runtime_title(word(models, i), rt)
