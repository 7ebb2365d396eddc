/* row.c — the column table, stated once: CSV header, CSV row, JSON object and text lines
 * all walk it, so a column added here appears everywhere in the same place. */
#include "run/row.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

enum col_type { COL_STR, COL_NUM };

struct col {
	const char *name;
	enum col_type type;
	size_t off;
	const char *fmt; /* printf format for numbers */
};

#define S(f) {#f, COL_STR, offsetof(struct row, f), NULL}
#define N(f, fm) {#f, COL_NUM, offsetof(struct row, f), fm}

static const struct col cols[] = {
	S(runtime), S(model), S(workload), S(kind), S(variant),
	N(units, "%.0f"), N(tasks, "%.0f"), N(cores, "%.0f"), S(pin), N(size, "%.0f"),
	N(delay_ms, "%g"), N(work, "%.0f"), N(stack_kib, "%.0f"),
	S(stack_guard),
	N(wall_s, "%.6f"), N(user_s, "%.6f"), N(sys_s, "%.6f"), N(cpu_util, "%.3f"),
	N(start_skew_us, "%.1f"), N(minflt, "%.0f"),
	N(spawn_us_per_unit, "%.3f"), N(start_us, "%.3f"),
	N(vsz_kib_per_unit, "%.2f"), N(rss_kib_per_unit, "%.2f"), N(pss_kib_per_unit, "%.2f"),
	N(kernel_kib_per_unit, "%.2f"), N(kernel_stack_kib_per_unit, "%.2f"),
	N(page_tables_kib_per_unit, "%.2f"), N(slab_kib_per_unit, "%.2f"), N(touch_kib, "%.0f"),
	N(ns_per_op, "%.1f"),
	N(yields, "%.0f"), N(server_cpu_s, "%.6f"), N(timer_slack_ns, "%.0f"),
	N(waits, "%.0f"), N(wait_p50_us, "%.1f"), N(wait_p99_us, "%.1f"),
	S(checksum), S(expected), S(verified), S(pus_bound), S(pus_run), S(params), S(figures),
	S(note),
};

enum { NCOLS = sizeof cols / sizeof cols[0] };

static const char *str_of(const struct row *r, const struct col *c)
{
	return *(const char *const *)((const char *)r + c->off);
}

static double num_of(const struct row *r, const struct col *c)
{
	return *(const double *)((const char *)r + c->off);
}

static bool is_empty(const struct row *r, const struct col *c)
{
	return c->type == COL_NUM ? isnan(num_of(r, c)) : str_of(r, c) == NULL;
}

struct row row_empty(void)
{
	struct row r = {0};
	for (int i = 0; i < NCOLS; i++)
		if (cols[i].type == COL_NUM)
			*(double *)((char *)&r + cols[i].off) = NAN;
	return r;
}

int row_set(struct row *r, const char *name, double num, const char *text)
{
	char col[64];
	snprintf(col, sizeof col, "%s", name);
	for (char *p = col; *p; p++)
		if (*p == '-')
			*p = '_';
	for (int i = 0; i < NCOLS; i++) {
		const struct col *c = &cols[i];
		if (strcmp(c->name, col) != 0)
			continue;
		if (!is_empty(r, c))
			return 0;
		if (c->type == COL_NUM)
			*(double *)((char *)r + c->off) = num;
		else
			*(const char **)((char *)r + c->off) = text;
		return 1;
	}
	return -1;
}

void row_header_csv(FILE *f)
{
	for (int i = 0; i < NCOLS; i++)
		fprintf(f, "%s%s", i ? "," : "", cols[i].name);
	fputc('\n', f);
}

/* Writes a column's value; returns false when it is empty. quote: JSON string quoting. */
static bool put_value(const struct row *r, const struct col *c, bool quote, FILE *f)
{
	if (is_empty(r, c))
		return false;
	if (c->type == COL_NUM) {
		fprintf(f, c->fmt, num_of(r, c));
		return true;
	}
	const char *s = str_of(r, c);
	if (!quote) {
		fputs(s, f);
		return true;
	}
	/* Only true/false and plain strings; escape what JSON requires. */
	if (c->off == offsetof(struct row, verified)) {
		fputs(s, f);
		return true;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", *s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
	return true;
}

void row_write(const struct row *r, enum out_format fmt, FILE *f)
{
	switch (fmt) {
	case FMT_CSV:
		for (int i = 0; i < NCOLS; i++) {
			if (i)
				fputc(',', f);
			put_value(r, &cols[i], false, f);
		}
		fputc('\n', f);
		break;
	case FMT_JSON:
		fputc('{', f);
		for (int i = 0; i < NCOLS; i++) {
			fprintf(f, "%s\"%s\":", i ? "," : "", cols[i].name);
			if (!put_value(r, &cols[i], true, f))
				fputs("null", f);
		}
		fputs("}\n", f);
		break;
	case FMT_TEXT: /* for people: only the columns that apply */
		for (int i = 0; i < NCOLS; i++) {
			if (is_empty(r, &cols[i]))
				continue;
			fprintf(f, "%-25s ", cols[i].name);
			put_value(r, &cols[i], false, f);
			fputc('\n', f);
		}
		break;
	}
}
