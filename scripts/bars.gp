# bars.gp — one bar per row of a cost CSV (label,value,value_min,value_max), log scale, error
# bars from the smallest and largest run: spawn time and switch time per model.
# gnuplot -e "fmt='svg'" -c bars.gp derived/spawn.csv out.svg 'TITLE' 'Y LABEL'
data = ARG1
out = ARG2
load ARG0[:strstrt(ARG0, 'bars.gp') - 1].'common.gp'
set title ARG3
set ylabel ARG4
set logscale y
set style fill solid 0.8 border -1
set boxwidth 0.6
set key off
set xtics rotate by -25 scale 0 noenhanced
set offsets 0.5, 0.5, 0, 0
set bmargin 8
set rmargin 16
colour(m) = m eq 'threads' ? 0x1f77b4 : m eq 'procs' ? 0xd62728 : 0x2ca02c
plot data using 0:'value':(colour(strcol('model'))):xtic(stringcolumn('label')) \
	with boxes lc rgb variable, \
	'' using 0:'value':'value_min':'value_max' with yerrorbars lc rgb 'black' pt 7 ps 0.01
