# memory.gp — memory per unit by model from the memory probe (PROBE), every runtime's and each
# model variant's: reserved (VSZ), user (RSS, PSS), the kernel's parts (kernel stacks, page
# tables, unreclaimable slab), touched (PSS + kernel) and, where a runtime counts them, the
# objects a parked unit holds (CPython's tracemalloc, in KiB here), grouped bars on a log scale,
# error bars from the smallest and largest run. A run that predates the kernel's parts draws no
# bar for them; touched still holds its kernel total.
# gnuplot -e "fmt='svg'" -c memory.gp derived/memory.csv out.svg PROBE
data = ARG1
out = ARG2
load ARG0[:strstrt(ARG0, 'memory.gp') - 1].'common.gp'
set title sprintf('Memory per unit (%s probe, median of runs)', ARG3)
set ylabel 'KiB per unit (log scale)'
set logscale y
set yrange [0.01:*]  # a stackless unit is ~0.03 KiB
set style data histogram
set style histogram errorbars gap 1 lw 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set key above maxcolumns 4 width -3
set xtics scale 0 rotate by -30 noenhanced
set bmargin 9
# A part at or below 0 (kernel memory within the noise), or not measured, cannot show on a log
# axis.
pos(x) = x > 0 ? x : NaN
plot data using (pos(column('vsz'))):'vsz_min':'vsz_max':xtic(strcol('label')) \
	lc rgb '#bbbbbb' title 'reserved (VSZ)', \
	'' using (pos(column('rss'))):'rss_min':'rss_max' lc rgb '#1f77b4' title 'user, RSS', \
	'' using (pos(column('pss'))):'pss_min':'pss_max' lc rgb '#2ca02c' title 'user, PSS', \
	'' using (pos(column('kernel_stack'))):'kernel_stack_min':'kernel_stack_max' \
	lc rgb '#d62728' title 'kernel stacks', \
	'' using (pos(column('page_tables'))):'page_tables_min':'page_tables_max' \
	lc rgb '#ff7f0e' title 'page tables', \
	'' using (pos(column('slab'))):'slab_min':'slab_max' lc rgb '#9467bd' \
	title 'slab (unreclaimable)', \
	'' using (pos(column('touched'))):'touched_min':'touched_max' lc rgb '#333333' \
	title 'touched (PSS + kernel)', \
	'' using (pos(column('objects_b') / 1024)):(column('objects_b_min') / 1024):\
	(column('objects_b_max') / 1024) lc rgb '#e377c2' title 'Python objects (tracemalloc)'
