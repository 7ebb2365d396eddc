# common.gp — loaded by every plot script: the output terminal from fmt ('png' or 'svg', set
# with -e before -c) and `out` (the calling script sets it from ARG2; load clears ARGn), CSV input read by column names, one look for every plot.
if (!exists("fmt")) fmt = 'png'
if (fmt eq 'svg') {
	set terminal svg size 900,600 dynamic enhanced font 'sans,13' background rgb 'white'
} else {
	set terminal pngcairo size 900,600 enhanced font 'sans,11'
}
set output out
set datafile separator comma
set datafile missing NaN
set key top left box opaque
set grid
set border 3
set tics nomirror
# One colour and point per model, the same in every plot.
set linetype 1 lc rgb '#666666' pt 7 ps 1.2 lw 2
set linetype 2 lc rgb '#1f77b4' pt 5 ps 1.2 lw 2
set linetype 3 lc rgb '#d62728' pt 9 ps 1.4 lw 2
set linetype 4 lc rgb '#2ca02c' pt 13 ps 1.4 lw 2
set linetype 5 lc rgb '#9467bd' pt 11 ps 1.4 lw 2
set linetype 6 lc rgb '#ff7f0e' pt 15 ps 1.2 lw 2
set linetype 7 lc rgb '#8c564b' pt 3 ps 1.4 lw 2
set linetype 8 lc rgb '#e377c2' pt 4 ps 1.2 lw 2
set linetype 9 lc rgb '#17becf' pt 6 ps 1.2 lw 2
models = 'serial threads procs coros'
model_title(m) = m eq 'serial' ? 'serial' : m eq 'threads' ? 'pthreads' : \
	m eq 'procs' ? 'fork pool' : 'ucontext coroutines'
# A model's name in a runtime's plot: C's by model_title, another runtime's as it names them.
runtime_title(m, rt) = rt eq 'c' ? model_title(m) : m
