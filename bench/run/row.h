/* row.h — one result row: a fixed set of columns, written as CSV, JSON or text. */
#ifndef CVP_ROW_H
#define CVP_ROW_H

#include <stdbool.h>
#include <stdio.h>

#include "core/cvp.h"

/* Every column of the row. Numbers are NAN and strings NULL when they do not apply: they are
 * then written empty (CSV) or null (JSON), never invented. A model's or workload's option or
 * figure fills the column of its name when there is one (delay_ms, ns_per_op, ...); the others
 * travel in params and figures as "name=value;name=value" (README, "The row"). */
struct row {
	const char *runtime, *model, *workload, *kind, *variant, *pin;
	double units, tasks, cores, size, delay_ms, work, stack_kib;
	double wall_s, user_s, sys_s, cpu_util, start_skew_us, minflt;
	double spawn_us_per_unit, start_us;
	double vsz_kib_per_unit, rss_kib_per_unit, pss_kib_per_unit, kernel_kib_per_unit;
	double kernel_stack_kib_per_unit, page_tables_kib_per_unit, slab_kib_per_unit;
	double touch_kib, ns_per_op, yields, server_cpu_s, timer_slack_ns;
	double waits, wait_p50_us, wait_p99_us;
	const char *checksum, *expected, *verified;
	const char *pus_bound, *pus_run;
	const char *stack_guard;
	const char *params, *figures;
	const char *note;
};

/* A row with every column empty. */
struct row row_empty(void);
/* Sets the column called name (a '-' in name stands for '_') to a number, or to text for a
 * text column, unless the harness has already filled it: 1 set, 0 already set, -1 the row has
 * no such column. */
int row_set(struct row *r, const char *name, double num, const char *text);
/* Writes the CSV header line. */
void row_header_csv(FILE *f);
void row_write(const struct row *r, enum out_format fmt, FILE *f);

#endif
