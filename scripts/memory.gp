# memory.gp — memory per unit by model from the memory probe (PROBE): reserved (VSZ), user (RSS, PSS)
# and kernel, grouped bars on a log scale, error bars from the smallest and largest run.
# gnuplot -e "fmt='svg'" -c memory.gp derived/memory.csv out.svg PROBE
data = ARG1
out = ARG2
load ARG0[:strstrt(ARG0, 'memory.gp') - 1].'common.gp'
set title sprintf('Memory per unit (%s probe, median of runs)', ARG3)
set ylabel 'KiB per unit (log scale)'
set logscale y
set yrange [0.1:*]
set style data histogram
set style histogram errorbars gap 1 lw 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set key top right
set xtics scale 0
# A part at or below 0 (kernel memory within the noise) cannot show on a log axis.
pos(x) = x > 0 ? x : NaN
plot data using (pos(column('vsz'))):'vsz_min':'vsz_max':xtic(strcol('label')) \
	lc rgb '#bbbbbb' title 'reserved (VSZ)', \
	'' using (pos(column('rss'))):'rss_min':'rss_max' lc rgb '#1f77b4' title 'user, RSS', \
	'' using (pos(column('pss'))):'pss_min':'pss_max' lc rgb '#2ca02c' title 'user, PSS', \
	'' using (pos(column('kernel'))):'kernel_min':'kernel_max' lc rgb '#d62728' \
	title 'kernel (stack, slab, page tables)'
