# io.gp — IO completion time vs units, log-log, for one IO workload: a line per model with
# error bars from the fastest and slowest run, and the ideal (every wait overlapped).
# gnuplot -e "fmt='svg'" -c io.gp derived/io.csv out.svg WORKLOAD
data = ARG1
out = ARG2
load ARG0[:strstrt(ARG0, 'io.gp') - 1].'common.gp'
wl = ARG3
set title sprintf("%s: completion time vs units (in-process wall time, median of runs)", wl)
set xlabel 'units (threads, processes, coroutines), one task each'
set ylabel 'completion time (s)'
set logscale xy
set format x '10^{%L}'
set offsets graph 0.05, graph 0.05, graph 0.1, graph 0.1
plot for [i = 2:4] data using (strcol('workload') eq wl && strcol('model') eq word(models, i) ? \
	column('units') : NaN):'wall_s':'wall_s_min':'wall_s_max' with yerrorlines lt i \
	title model_title(word(models, i)), \
	data using (strcol('workload') eq wl ? column('units') : NaN):'ideal_s' \
	smooth unique with lines dt 2 lc rgb 'black' lw 1.5 title 'ideal (every wait overlapped)'
