/* report.h — one result row: a fixed set of columns, written as CSV, JSON or text. */
#ifndef CVP_REPORT_H
#define CVP_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "cvp.h"

/* Every column of the row. Numbers are NAN and strings NULL when they do not apply: they are
 * then written empty (CSV) or null (JSON), never invented. */
struct row {
	const char *model, *workload, *kind, *variant, *pin;
	double units, tasks, cores, size, delay_ms, work, stack_kib;
	double wall_s, user_s, sys_s, cpu_util;
	double spawn_us_per_unit, start_us;
	double vsz_kib_per_unit, rss_kib_per_unit, pss_kib_per_unit, kernel_kib_per_unit;
	double touch_kib, ns_per_op, yields, server_cpu_s, timer_slack_ns;
	const char *checksum, *expected, *verified;
	const char *pus_bound, *pus_run;
	const char *stack_guard;
	const char *note;
};

/* A row with every column empty. */
struct row row_empty(void);
/* Writes the CSV header line. */
void row_header_csv(FILE *f);
void row_write(const struct row *r, enum out_format fmt, FILE *f);

#endif
