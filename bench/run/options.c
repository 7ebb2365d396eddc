/* options.c — flags from tables. Every table (the harness's, each model's, each workload's)
 * declares its options once; getopt_long gets the union of their names, values are checked by
 * type and range, and --help and --list are written from the same tables, so an option added to
 * a workload's descriptor is parsed, checked, documented and listed with no edit here.
 *
 * Flags must be spelt out (getopt_long would take an unambiguous prefix; cvp does not) and each
 * may be given once. */
#include "run/options.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* Every table this binary has: the harness's (given), then each model's and workload's. */
static int each_table(const struct wl_opt *harness, const struct wl_opt **out, int max)
{
	int n = 0;
	out[n++] = harness;
	for (int i = 0; models[i]; i++)
		if (models[i]->opts && n < max)
			out[n++] = models[i]->opts;
	for (int i = 0; workloads[i]; i++)
		if (workloads[i]->opts && n < max)
			out[n++] = workloads[i]->opts;
	CHECK(n < max);
	return n;
}

int opt_count(const struct wl_opt *opts)
{
	int n = 0;
	while (opts && opts[n].name)
		n++;
	return n;
}

int opt_index(const struct wl_opt *opts, const char *name)
{
	for (int i = 0; opts && opts[i].name; i++)
		if (strcmp(opts[i].name, name) == 0)
			return i;
	return -1;
}

static bool takes_value(const struct wl_opt *o)
{
	return o->type != WL_OPT_FLAG;
}

/* The flag as the user typed it: "--name" or "--name=value" in argv; false if abbreviated. */
static bool spelt_out(const char *elem, const char *name)
{
	size_t n = strlen(name);
	return strncmp(elem, "--", 2) == 0 && strncmp(elem + 2, name, n) == 0 &&
	       (elem[2 + n] == 0 || elem[2 + n] == '=');
}

void opt_scan(int argc, char **argv, const struct wl_opt *harness, struct cmdline *cl)
{
	enum { TABLES = 128, FLAGS = 256 };
	const struct wl_opt *tables[TABLES];
	int nt = each_table(harness, tables, TABLES);
	struct option lo[FLAGS];
	const struct wl_opt *decl[FLAGS];
	int nf = 0;
	for (int t = 0; t < nt; t++)
		for (const struct wl_opt *o = tables[t]; o->name; o++) {
			int k = 0;
			while (k < nf && strcmp(lo[k].name, o->name) != 0)
				k++;
			if (k < nf) { /* declared by several owners: the same kind of flag */
				CHECK(takes_value(decl[k]) == takes_value(o));
				continue;
			}
			CHECK(nf < FLAGS - 1);
			decl[nf] = o;
			lo[nf] = (struct option){o->name, takes_value(o) ? required_argument : no_argument,
						 NULL, 256 + nf};
			nf++;
		}
	lo[nf] = (struct option){0, 0, 0, 0};

	*cl = (struct cmdline){0};
	opterr = 0;
	int c;
	/* "+": stop at the first argument that is not an option, so argv stays in order and the
	 * element each flag came from is known. */
	while ((c = getopt_long(argc, argv, "+:", lo, NULL)) != -1) {
		const char *elem = argv[optind - 1];
		if (c == ':')
			cvp_die(EXIT_USAGE, "%s: missing value", elem);
		if (c < 256 || c >= 256 + nf)
			cvp_die(EXIT_USAGE, "unknown option '%s' (see cvp --help)", elem);
		const struct wl_opt *o = decl[c - 256];
		if (optarg && optarg == elem) /* the value was its own argument */
			elem = argv[optind - 2];
		if (!spelt_out(elem, o->name)) {
			char given[64];
			snprintf(given, sizeof given, "%.*s", (int)strcspn(elem, "="), elem);
			cvp_die(EXIT_USAGE, "unknown option '%s' (did you mean --%s? flags are not "
					    "abbreviated)", given, o->name);
		}
		for (int i = 0; i < cl->n; i++)
			if (cl->arg[i].any == o)
				cvp_die(EXIT_USAGE, "--%s: given twice", o->name);
		CHECK(cl->n < CMDLINE_MAX); /* each flag at most once, and there are fewer */
		cl->arg[cl->n].any = o;
		cl->arg[cl->n].value = takes_value(o) ? optarg : NULL;
		cl->n++;
	}
	if (optind < argc)
		cvp_die(EXIT_USAGE, "unexpected argument '%s' (see cvp --help)", argv[optind]);
}

/* A decimal integer in [min, max], or exit 2 naming the flag. */
static uint64_t parse_u64(const char *flag, const char *s, uint64_t min, uint64_t max)
{
	if (!*s)
		cvp_die(EXIT_USAGE, "%s: empty value; expected a whole number", flag);
	for (const char *p = s; *p; p++)
		if (*p < '0' || *p > '9')
			cvp_die(EXIT_USAGE, "%s: '%s' is not a whole number%s", flag, s,
				*s == '-' ? " (negative)" : "");
	errno = 0;
	unsigned long long v = strtoull(s, NULL, 10);
	if (errno == ERANGE || v > max || v < min)
		cvp_die(EXIT_USAGE, "%s: '%s' is out of range (%" PRIu64 "..%" PRIu64 ")", flag, s,
			min, max);
	return v;
}

static uint64_t parse_hex(const char *flag, const char *s)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 16);
	if (!*s || *end || errno || *s == '-' || *s == '+')
		cvp_die(EXIT_USAGE, "%s: '%s' is not a hexadecimal checksum", flag, s);
	return v;
}

int opt_choose(const char *flag, const char *s, const char *const *names)
{
	for (int i = 0; names[i]; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	char valid[512] = "";
	for (int i = 0; names[i]; i++)
		snprintf(valid + strlen(valid), sizeof valid - strlen(valid), "%s%s", i ? ", " : "",
			 names[i]);
	cvp_die(EXIT_USAGE, "%s: unknown value '%s' (valid: %s)", flag, s, valid);
}

void opt_take(struct cmdline *cl, const struct wl_opt *opts, struct optvals *v)
{
	*v = (struct optvals){0};
	int n = opt_count(opts);
	CHECK(n <= OPT_MAX);
	for (int i = 0; i < n; i++)
		v->v[i] = opts[i].def;
	for (int a = 0; a < cl->n; a++) {
		int i = opt_index(opts, cl->arg[a].any->name);
		if (i < 0 || cl->arg[a].taken)
			continue;
		cl->arg[a].taken = true;
		const struct wl_opt *o = &opts[i];
		const char *s = cl->arg[a].value;
		char flag[64];
		snprintf(flag, sizeof flag, "--%s", o->name);
		v->given[i] = true;
		switch (o->type) {
		case WL_OPT_UINT: v->v[i] = parse_u64(flag, s, o->min, o->max); break;
		case WL_OPT_CHOICE: v->v[i] = opt_choose(flag, s, o->choices); break;
		case WL_OPT_FLAG: v->v[i] = 1; break;
		case WL_OPT_TEXT: v->text[i] = s; break;
		case WL_OPT_HEX: v->v[i] = parse_hex(flag, s); break;
		}
	}
}

/* The owners (models and workloads) whose tables have an option of this name. */
static void owners(const char *name, char *buf, size_t len)
{
	buf[0] = 0;
	for (int i = 0; models[i]; i++)
		if (opt_index(models[i]->opts, name) >= 0)
			snprintf(buf + strlen(buf), len - strlen(buf), "%s%s", *buf ? ", " : "",
				 models[i]->name);
	for (int i = 0; workloads[i]; i++)
		if (opt_index(workloads[i]->opts, name) >= 0)
			snprintf(buf + strlen(buf), len - strlen(buf), "%s%s", *buf ? ", " : "",
				 workloads[i]->name);
}

void opt_leftover(const struct cmdline *cl, const char *model, const char *workload)
{
	for (int a = 0; a < cl->n; a++) {
		if (cl->arg[a].taken)
			continue;
		char who[512];
		owners(cl->arg[a].any->name, who, sizeof who);
		cvp_die(EXIT_USAGE, "--%s: does not apply to %s under %s (an option of %s)",
			cl->arg[a].any->name, workload, model, who);
	}
}

void opt_format(const struct wl_opt *o, uint64_t v, char *buf, size_t len)
{
	if (o->type == WL_OPT_CHOICE)
		snprintf(buf, len, "%s", o->choices[v]);
	else
		snprintf(buf, len, "%" PRIu64, v);
}

static const char *const cap_names[] = {"coexist", "block", "direct", "parallel", "shared",
					"stack", NULL};

const char *caps_words(unsigned caps)
{
	if (caps & WL_CAP_DIRECT)
		return "a direct switch from one unit into another";
	if (caps & WL_CAP_BLOCK)
		return "units that may block in the kernel while the others run";
	if (caps & WL_CAP_COEXIST)
		return "units alive at the same time";
	if (caps & WL_CAP_PARALLEL)
		return "units on several cores at once";
	return "units in one address space";
}

bool model_can_run(const struct model *m, const struct workload *wl)
{
	return !m->cannot_run || !m->cannot_run(wl);
}

void caps_models(unsigned caps, const struct workload *wl, char *buf, size_t len)
{
	buf[0] = 0;
	for (int i = 0; models[i]; i++)
		if ((models[i]->caps & caps) == caps && (!wl || model_can_run(models[i], wl)))
			snprintf(buf + strlen(buf), len - strlen(buf), "%s%s", *buf ? ", " : "",
				 models[i]->name);
	if (!*buf)
		snprintf(buf, len, "none");
}

/* ---- --help */

/* One option's line: flag, argument, (owners:) help, default. */
static void help_line(FILE *f, const struct wl_opt *o, const char *who)
{
	char flag[64], def[160] = "";
	snprintf(flag, sizeof flag, "--%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
	if (o->type == WL_OPT_CHOICE) {
		size_t k = 0;
		for (int i = 0; o->choices[i]; i++)
			k += snprintf(def + k, sizeof def - k, "%s%s", i ? " | " : "", o->choices[i]);
		if (!o->auto_def)
			snprintf(def + k, sizeof def - k, " (default %s)", o->choices[o->def]);
	} else if (o->type == WL_OPT_UINT && !o->auto_def) {
		snprintf(def, sizeof def, "(default %" PRIu64 ")", o->def);
	}
	char text[1024];
	snprintf(text, sizeof text, "%s%s%s%s%s", who ? who : "", who ? ": " : "", o->help,
		 *def ? " " : "", def);
	/* Wrapped at 100 columns, continuation lines under the text. */
	enum { INDENT = 21, WIDTH = 100 };
	fprintf(f, "  %-18s ", flag);
	const char *p = text;
	while (strlen(p) > WIDTH - INDENT) {
		const char *cut = p + (WIDTH - INDENT);
		while (cut > p && *cut != ' ')
			cut--;
		if (cut == p)
			break;
		fprintf(f, "%.*s\n%*s", (int)(cut - p), p, INDENT, "");
		p = cut + 1;
	}
	fprintf(f, "%s\n", p);
}

/* Whether two owners declare an option the same way (one line of help serves both). */
static bool same_option(const struct wl_opt *a, const struct wl_opt *b)
{
	if (strcmp(a->help, b->help) != 0 || a->type != b->type || a->def != b->def)
		return false;
	for (int i = 0; a->choices && b->choices && (a->choices[i] || b->choices[i]); i++)
		if (!a->choices[i] || !b->choices[i] || strcmp(a->choices[i], b->choices[i]) != 0)
			return false;
	return true;
}

/* The options of every model (or every workload): one line for the owners that declare an
 * option alike, one per owner where they differ (each workload's own --variant choices). */
static void help_owned(FILE *f, bool of_models)
{
	const struct wl_opt *seen[256];
	int ns = 0, n = 0;
	while (of_models ? models[n] != NULL : workloads[n] != NULL)
		n++;
	for (int i = 0; i < n; i++) {
		const struct wl_opt *opts = of_models ? models[i]->opts : workloads[i]->opts;
		for (const struct wl_opt *o = opts; o && o->name; o++) {
			bool dup = false;
			for (int k = 0; k < ns; k++)
				dup |= strcmp(seen[k]->name, o->name) == 0 && same_option(seen[k], o);
			if (dup || ns == 256)
				continue;
			seen[ns++] = o;
			char who[512] = "";
			for (int j = 0; j < n; j++) {
				const struct wl_opt *other = of_models ? models[j]->opts : workloads[j]->opts;
				int k = opt_index(other, o->name);
				if (k >= 0 && same_option(&other[k], o))
					snprintf(who + strlen(who), sizeof who - strlen(who), "%s%s",
						 *who ? ", " : "",
						 of_models ? models[j]->name : workloads[j]->name);
			}
			help_line(f, o, who);
		}
	}
}

void opt_help(FILE *f, const struct wl_opt *harness)
{
	fprintf(f, "usage: cvp --model M --workload W [options]\n"
		   "       cvp --list [--format csv|json] | --help\n"
		   "\n"
		   "Runs one workload under one execution model and prints one result row.\n"
		   "\n");
	for (const struct wl_opt *o = harness; o->name; o++)
		help_line(f, o, NULL);
	fprintf(f, "\nOptions of models (given under another model, they are a usage error):\n");
	help_owned(f, true);
	fprintf(f, "\nOptions of workloads (likewise):\n");
	help_owned(f, false);
	fprintf(f, "\nModels:\n");
	for (int i = 0; models[i]; i++)
		fprintf(f, "  %-10s %s\n", models[i]->name, models[i]->desc);
	fprintf(f, "\nWorkloads (kind; see --list for their options, figures and plans):\n");
	static const char *const kinds[] = {[WL_CPU] = "cpu", [WL_IO] = "io", [WL_PROBE] = "probe"};
	for (int i = 0; workloads[i]; i++)
		fprintf(f, "  %-10s %-5s %s\n", workloads[i]->name, kinds[workloads[i]->kind],
			workloads[i]->desc);
	fprintf(f,
		"\nExit status: 0 ok, 1 wrong result or failure (also a crashed unit, or a run stopped\n"
		"by --timeout-s), 2 usage error, 3 resource limit reached, 4 unsupported here;\n"
		"128 + N when stopped by signal N (SIGINT, SIGTERM, SIGHUP).\n");
}

/* ---- --list */

static const char *const kind_names[] = {[WL_CPU] = "cpu", [WL_IO] = "io", [WL_PROBE] = "probe"};
static const char *const size_names[] = {[WL_SIZE_RUN] = "run", [WL_SIZE_TASK] = "task",
					 [WL_SIZE_UNIT] = "unit"};
static const char *const plan_names[] = {"cores", "units", "pool", "probe", "placement",
					 "beside", "pattern", NULL};

/* Space-separated words into buf. */
struct words {
	char buf[1024];
	size_t len;
};

static void word(struct words *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void word(struct words *w, const char *fmt, ...)
{
	va_list ap;
	if (w->len && w->len < sizeof w->buf)
		w->buf[w->len++] = ' ';
	va_start(ap, fmt);
	if (w->len < sizeof w->buf)
		w->len += vsnprintf(w->buf + w->len, sizeof w->buf - w->len, fmt, ap);
	va_end(ap);
	CHECK(w->len < sizeof w->buf);
}

static void opts_words(struct words *w, const struct wl_opt *opts)
{
	for (const struct wl_opt *o = opts; o && o->name; o++) {
		if (o->type == WL_OPT_CHOICE) {
			struct words c = {0};
			for (int i = 0; o->choices[i]; i++)
				c.len += snprintf(c.buf + c.len, sizeof c.buf - c.len, "%s%s",
						  i ? "|" : "", o->choices[i]);
			word(w, "%s=%s", o->name, c.buf);
		} else if (o->auto_def) {
			word(w, "%s=auto", o->name);
		} else {
			word(w, "%s=%" PRIu64, o->name, o->def);
		}
	}
}

/* The models a workload runs under: model, or model/choice for the choices of its option that
 * needs caps. */
static void models_words(struct words *w, const struct workload *wl)
{
	const struct wl_opt *ch = NULL;
	for (const struct wl_opt *o = wl->opts; o && o->name; o++)
		if (o->choice_needs && !ch)
			ch = o;
	for (int i = 0; models[i]; i++) {
		unsigned caps = models[i]->caps;
		if ((caps & wl->needs) != wl->needs || !model_can_run(models[i], wl))
			continue;
		if (!ch) {
			word(w, "%s", models[i]->name);
			continue;
		}
		for (int c = 0; ch->choices[c]; c++)
			if ((caps & ch->choice_needs[c]) == ch->choice_needs[c])
				word(w, "%s/%s", models[i]->name, ch->choices[c]);
	}
}

static unsigned plans_of(const struct workload *wl)
{
	if (wl->plans)
		return wl->plans;
	return wl->kind == WL_CPU ? WL_PLAN_CORES : wl->kind == WL_IO ? WL_PLAN_UNITS : WL_PLAN_PROBE;
}

/* A CSV field: quoted when it holds a comma or a quote. */
static void csv_field(FILE *f, const char *s, bool last)
{
	if (strpbrk(s, ",\"\n")) {
		fputc('"', f);
		for (; *s; s++) {
			if (*s == '"')
				fputc('"', f);
			fputc(*s, f);
		}
		fputc('"', f);
	} else {
		fputs(s, f);
	}
	fputc(last ? '\n' : ',', f);
}

static void json_str(FILE *f, const char *key, const char *s, bool last)
{
	fprintf(f, "\"%s\":\"", key);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		fputc(*s, f);
	}
	fprintf(f, "\"%s", last ? "" : ",");
}

/* One entry of --list: what (model/workload), then the fields. */
static void list_entry(FILE *f, enum out_format fmt, const char *const *v, bool first)
{
	static const char *const keys[] = {"what",    "name",    "kind",  "default_size",
					   "size_per", "options", "figures", "plans",
					   "models",  "roles",   "description"};
	enum { NKEYS = sizeof keys / sizeof keys[0] };
	switch (fmt) {
	case FMT_CSV:
		for (int i = 0; i < NKEYS; i++)
			csv_field(f, v[i], i == NKEYS - 1);
		break;
	case FMT_JSON:
		fprintf(f, "%s{", first ? "" : ",\n");
		for (int i = 0; i < NKEYS; i++)
			json_str(f, keys[i], v[i], i == NKEYS - 1);
		fputc('}', f);
		break;
	case FMT_TEXT:
		if (strcmp(v[0], "model") == 0)
			fprintf(f, "model     %-8s %s\n", v[1], v[10]);
		else
			fprintf(f, "workload  %-8s %-5s %s\n", v[1], v[2], v[10]);
		break;
	}
}

void opt_list(FILE *f, enum out_format fmt)
{
	if (fmt == FMT_CSV)
		fputs("what,name,kind,default_size,size_per,options,figures,plans,models,roles,"
		      "description\n", f);
	if (fmt == FMT_JSON)
		fputs("[\n", f);
	bool first = true;
	for (int i = 0; models[i]; i++) {
		const struct model *m = models[i];
		struct words o = {0}, caps = {0};
		opts_words(&o, m->opts);
		for (int c = 0; cap_names[c]; c++)
			if (m->caps & (1u << c))
				word(&caps, "%s", cap_names[c]);
		const char *v[] = {"model", m->name, "", "", "", o.buf, "", "", caps.buf, "", m->desc};
		list_entry(f, fmt, v, first);
		first = false;
	}
	for (int i = 0; workloads[i]; i++) {
		const struct workload *wl = workloads[i];
		struct words o = {0}, fig = {0}, plans = {0}, ms = {0}, roles = {0};
		char size[32] = "";
		if (wl->size_per != WL_SIZE_UNIT)
			snprintf(size, sizeof size, "%" PRIu64, wl->default_size);
		opts_words(&o, wl->opts);
		for (const struct wl_figure *g = wl->figures; g && g->name; g++)
			word(&fig, "%s:%s:%s", g->name, g->unit,
			     g->better == WL_LOWER ? "lower" : "higher");
		for (int p = 0; plan_names[p]; p++)
			if (plans_of(wl) & (1u << p))
				word(&plans, "%s", plan_names[p]);
		models_words(&ms, wl);
		for (const struct wl_role *ro = wl->roles; ro && ro->name; ro++)
			word(&roles, "%s:%u", ro->name, ro->units);
		const char *v[] = {"workload", wl->name, kind_names[wl->kind], size,
				   size_names[wl->size_per], o.buf, fig.buf, plans.buf, ms.buf,
				   roles.buf, wl->desc};
		list_entry(f, fmt, v, first);
	}
	if (fmt == FMT_JSON)
		fputs("\n]\n", f);
}
