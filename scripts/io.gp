# io.gp — IO completion time vs units, log-log, for one IO workload: a line per model with
# error bars from the fastest and slowest run, and the ideal (every wait overlapped).
# gnuplot -e "fmt='svg'" -c io.gp derived/io.csv out.svg WORKLOAD RUNTIME
data = ARG1
out = ARG2
load ARG0[:strstrt(ARG0, 'io.gp') - 1].'common.gp'
wl = ARG3
rt = ARG4
picked(w) = strcol('workload') eq w && strcol('runtime') eq rt
set title sprintf("%s%s: completion time vs units (in-process wall time, median of runs)", wl, \
	rt eq 'c' ? '' : ' ('.rt.')')
set xlabel 'units (threads, processes, coroutines), one task each'
set ylabel 'completion time (s)'
set logscale xy
set format x '10^{%L}'
set offsets graph 0.05, graph 0.05, 0, 0
# The y range from this workload's data, with a margin; tics at 1, 2, 5 per decade.
stats data using (picked(wl) ? column('wall_s_max') : NaN) name 'T' nooutput
stats data using (picked(wl) ? column('ideal_s') : NaN) name 'I' nooutput
stats data using (picked(wl) ? column('wall_s_min') : NaN) name 'L' nooutput
set yrange [(I_min < L_min ? I_min : L_min) / 1.5 : T_max * 1.5]
set ytics ()
do for [e = -6:4] { do for [k in '1 2 5'] { set ytics add (sprintf('%g', k * 10.0**e) k * 10.0**e) } }
set mytics 10
plot for [i = 2:4] data using (picked(wl) && strcol('model') eq word(models, i) ? \
	column('units') : NaN):'wall_s':'wall_s_min':'wall_s_max' with yerrorlines lt i \
	title runtime_title(word(models, i), rt), \
	data using (picked(wl) ? column('units') : NaN):'ideal_s' \
	smooth unique with lines dt 2 lc rgb 'black' lw 1.5 title 'ideal (every wait overlapped)'
