/* options.h — the command line, made from option tables (struct wl_opt): the harness's own, each
 * model's and each workload's. One set of tables gives getopt_long its flags, checks every
 * value's type and range, writes --help and --list. */
#ifndef CVP_OPTIONS_H
#define CVP_OPTIONS_H

#include <stdio.h>

#include "core/cvp.h"

enum { CMDLINE_MAX = 64 };

/* The command line, flag by flag, each flag at most once, not yet given to an owner. */
struct cmdline {
	int n;
	struct {
		const struct wl_opt *any; /* the flag as some table declares it */
		const char *value;        /* NULL for a flag without a value */
		bool taken;
	} arg[CMDLINE_MAX];
};

/* Reads argv against every table: exits 2 with a one-line message on an unknown or abbreviated
 * flag, a flag given twice, a missing value or a stray argument. */
void opt_scan(int argc, char **argv, const struct wl_opt *harness, struct cmdline *cl);
/* Gives owner `who` its flags from cl, parsed into v; the rest of v gets the defaults. Exits 2
 * naming the flag on a bad value. */
void opt_take(struct cmdline *cl, const struct wl_opt *opts, struct optvals *v);
/* Exits 2 naming the first flag no owner of this run took, and who would take it. */
void opt_leftover(const struct cmdline *cl, const char *model, const char *workload);
/* The index of name in opts; -1 when absent. */
int opt_index(const struct wl_opt *opts, const char *name);
/* The number of options in a {0}-ended table (0 for NULL). */
int opt_count(const struct wl_opt *opts);
/* An option's value as the row shows it: a number or a choice's name. */
void opt_format(const struct wl_opt *o, uint64_t v, char *buf, size_t len);
/* Index of s in names (NULL-ended), or exit 2 listing the valid ones under flag. */
int opt_choose(const char *flag, const char *s, const char *const *names);
/* The names of the models that offer every cap in caps (and can run workload wl, unless NULL),
 * ", "-separated, into buf. */
void caps_models(unsigned caps, const struct workload *wl, char *buf, size_t len);
/* Whether model m can run workload wl at all (struct model's cannot_run), whatever its caps. */
bool model_can_run(const struct model *m, const struct workload *wl);
/* What a set of caps means, in words, for messages. */
const char *caps_words(unsigned caps);

/* --help and --list. */
void opt_help(FILE *f, const struct wl_opt *harness);
void opt_list(FILE *f, enum out_format fmt);

#endif
