# compare.gp — the cost figures (creating a unit, a one-way hand-off) of two runs side by side: a pair of bars per
# figure, BASE and OTHER, log scale.
# gnuplot -e "fmt='svg'" -c compare.gp costs.csv out.svg
data = ARG1
out = ARG2
load ARG0[:strstrt(ARG0, 'compare.gp') - 1].'common.gp'
set title 'Creating a unit (µs) and a one-way hand-off (ns): BASE beside OTHER'
set ylabel 'µs per unit created, or ns per hand-off (log scale)'
set logscale y
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set xtics rotate by -30 scale 0 noenhanced
set bmargin 10
set key top left
plot data using 'base':xtic(stringcolumn('label')) title 'BASE' lc rgb 0x1f77b4, \
	'' using 'other' title 'OTHER' lc rgb 0xd62728
