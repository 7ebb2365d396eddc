/* run.c — one run, from the request to its row, in named steps:
 *   setup    the model and workload, their options, the counts (units, tasks, cores, size),
 *            what the model must offer, the process's tuning, placement, the shared slots
 *   prepare  the workload's state, and what it starts through the seam (the delay server, a
 *            memory baseline)
 *   execute  spawn the units, run them (the clock), reap them, stop the delay server
 *   collect  sum the slots, verify against one serial pass over the same work, fill the row
 *   finish   print the row, release everything
 * It knows no model or workload by name: what differs is in their descriptors. */
#include "run/run.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <malloc.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sys/cleanup.h"
#include "sys/pin.h"
#include "run/row.h"
#include "server/server.h"

enum { TIMER_SLACK_NS = 1 };

static const char *const kind_names[] = {[WL_CPU] = "cpu", [WL_IO] = "io", [WL_PROBE] = "probe"};
static const char *const pin_names[] = {[PIN_COMPACT] = "compact", [PIN_SCATTER] = "scatter",
					[PIN_NONE] = "none"};

/* ---- names */

const struct model *model_find(const char *flag, const char *name)
{
	const char *names[32];
	int n = 0;
	for (; models[n] && n < 31; n++)
		names[n] = models[n]->name;
	names[n] = NULL;
	return models[opt_choose(flag, name, names)];
}

const struct workload *workload_find(const char *flag, const char *name)
{
	const char *names[128];
	int n = 0;
	for (; workloads[n] && n < 127; n++)
		names[n] = workloads[n]->name;
	names[n] = NULL;
	return workloads[opt_choose(flag, name, names)];
}

/* ---- setup */

int run_places(const struct request *q)
{
	struct pin *p = pin_open();
	unsigned have = pin_cores(p);
	if (q->cores_set && q->cores > have)
		cvp_die(EXIT_USAGE, "--cores: %" PRIu64 " is more than the %u core%s this run may use",
			q->cores, have, have == 1 ? "" : "s");
	uint64_t cores = q->cores_set ? q->cores : have;
	uint64_t units = q->units_set ? q->units : cores;
	CHECK(pin_plan(p, cores, q->pin, units) == 0);
	printf("unit,pus\n");
	for (uint64_t u = 0; u < units; u++) {
		char pus[4096];
		pin_unit_pus(p, u, pus, sizeof pus);
		printf("%" PRIu64 ",%s\n", u, pus);
	}
	pin_close(p);
	return EXIT_OK;
}

_Noreturn void run_serve(const struct request *q, struct cmdline *cl)
{
	static const struct wl_opt serve_opts[] = {WL_OPT_DELAY_MS, {0}};
	struct optvals v;
	opt_take(cl, serve_opts, &v);
	opt_leftover(cl, "--serve", "the delay server");
	cleanup_init("serve", q->timeout_s);
	server_standalone(v.v[0]);
}

/* A model lacks caps the workload (or one of its choices) needs: skip, saying who has them. */
static _Noreturn void unsupported(const struct run *r, const char *what, unsigned needs)
{
	char who[256];
	caps_models(needs, r->wl, who, sizeof who);
	cvp_die(EXIT_UNSUPPORTED, "%s under %s: skipped, it needs %s (%s)", what, r->model->name,
		caps_words(needs & ~r->model->caps), who);
}

/* Units, tasks, cores and size from the request and the workload's shape. */
static void counts(struct run *r, const struct request *q)
{
	const struct workload *wl = r->wl;
	unsigned have = pin_cores(r->pin);
	if (q->cores_set && q->cores > have)
		cvp_die(EXIT_USAGE,
			"--cores: %" PRIu64 " is more than the %u core%s this run may use "
			"(machine, taskset and cgroup cpuset)",
			q->cores, have, have == 1 ? "" : "s");
	r->cores = q->cores_set ? q->cores : have;
	r->units = q->units_set ? q->units : r->cores;
	if (wl->roles) { /* units go to the roles in order (core/unit.c); one task each */
		uint64_t fixed = 0;
		bool rest = false;
		for (const struct wl_role *ro = wl->roles; ro->name; ro++) {
			fixed += ro->units;
			rest |= ro->units == 0;
		}
		if (!rest && q->units_set && q->units != fixed)
			cvp_die(EXIT_USAGE, "--units: %s runs exactly %" PRIu64 " units (one per role)",
				wl->name, fixed);
		if (rest && q->units_set && q->units < fixed)
			cvp_die(EXIT_USAGE, "--units: %s needs at least %" PRIu64 " units", wl->name,
				fixed);
		if (!rest)
			r->units = fixed;
		else if (!q->units_set && r->units < fixed)
			r->units = fixed;
	}
	bool one_task_each = wl->roles || wl->size_per == WL_SIZE_UNIT;
	if (one_task_each && q->tasks_set && q->tasks != r->units)
		cvp_die(EXIT_USAGE, "--tasks: %s runs one task per unit (%" PRIu64 ")", wl->name,
			r->units);
	r->tasks = q->tasks_set ? q->tasks : r->units;
	r->ctx.size = q->size_set ? q->size : wl->default_size;
	switch (wl->size_per) {
	case WL_SIZE_RUN:
		break;
	case WL_SIZE_TASK:
		if (r->ctx.size > UINT64_MAX / 2 / r->tasks)
			cvp_die(EXIT_USAGE, "--size: %" PRIu64 " per task x %" PRIu64
					    " tasks is too many ops", r->ctx.size, r->tasks);
		r->ctx.size *= r->tasks;
		break;
	case WL_SIZE_UNIT:
		if (q->size_set)
			cvp_die(EXIT_USAGE, "--size: does not apply to %s (one op per unit; use "
					    "--units)", wl->name);
		r->ctx.size = r->units;
		break;
	}
	r->ctx.tasks = r->tasks;
	r->ctx.units = r->units;
	r->ctx.cores = r->cores;
}

/* What the model must offer: the workload's needs, and those of the choices it was given; an
 * automatic choice becomes the first one the model offers. */
static void needs(struct run *r)
{
	const struct workload *wl = r->wl;
	const char *why = r->model->cannot_run ? r->model->cannot_run(wl) : NULL;
	if (why)
		cvp_die(EXIT_UNSUPPORTED, "%s under %s: skipped, %s", wl->name, r->model->name, why);
	if ((r->model->caps & wl->needs) != wl->needs)
		unsupported(r, wl->name, wl->needs);
	for (int i = 0; wl->opts && wl->opts[i].name; i++) {
		const struct wl_opt *o = &wl->opts[i];
		if (!o->choice_needs)
			continue;
		if (!r->wl_opt.given[i] && o->auto_def) {
			int c = 0;
			while (o->choices[c] && (r->model->caps & o->choice_needs[c]) != o->choice_needs[c])
				c++;
			if (!o->choices[c])
				unsupported(r, wl->name, o->choice_needs[0]);
			r->wl_opt.v[i] = c;
		}
		unsigned need = o->choice_needs[r->wl_opt.v[i]];
		if ((r->model->caps & need) != need) {
			char what[128];
			snprintf(what, sizeof what, "%s --%s %s", wl->name, o->name,
				 o->choices[r->wl_opt.v[i]]);
			unsupported(r, what, need);
		}
	}
}

/* The same for every model: glibc's per-thread malloc arenas (a 64 MiB reservation each, up to
 * 8 per core) belong to the allocator, not the thread, so VSZ shows stacks; timer slack is the
 * same, so sleeps compare fairly. */
static void tune_process(void)
{
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__) /* their own allocator */
	CHECK(mallopt(M_ARENA_MAX, 1) == 1);
#endif
	CHECK(prctl(PR_SET_TIMERSLACK, TIMER_SLACK_NS) == 0);
}

static void setup(struct run *r, const struct request *q, struct cmdline *cl)
{
	r->model = model_find("--model", q->model);
	r->wl = workload_find("--workload", q->workload);
	opt_take(cl, r->model->opts, &r->model_opt);
	opt_take(cl, r->wl->opts, &r->wl_opt);
	opt_leftover(cl, r->model->name, r->wl->name);
	r->ctx.opt = r->wl_opt.v;
	r->ctx.run = r;
	r->pin_mode = q->pin;
	cleanup_init(r->model->name, q->timeout_s);
	tune_process();
	r->pin = pin_open();
	counts(r, q);
	needs(r);
	if (r->model->configure) {
		int st = r->model->configure(r);
		if (st)
			exit(st);
	}
	CHECK(pin_plan(r->pin, r->cores, q->pin, r->units) == 0);
	r->sh_len = sizeof *r->sh + r->units * sizeof r->sh->slot[0];
	r->sh = wl_shared_alloc(r->sh_len);
	if (!r->sh)
		cvp_die(EXIT_LIMIT, "cannot map %zu bytes of shared memory for %" PRIu64
				    " units (limit: memory)", r->sh_len, r->units);
	for (uint64_t u = 0; u < r->units; u++)
		r->sh->slot[u].pu_bound = r->sh->slot[u].pu_run = -1;
	/* Workloads that wait: a place for each wait's duration, about one per op. */
	if (r->wl->kind == WL_IO)
		r->waits = waits_new(r->ctx.size < (1u << 21) ? r->ctx.size + 64 : 1u << 21);
}

/* ---- prepare, execute */

static int prepare(struct run *r)
{
	if (!r->wl->prepare)
		return 0;
	int st = r->wl->prepare(&r->ctx);
	if (st == 0)
		return 0;
	if (!r->why[0]) /* every failure says why, even when the hook did not */
		snprintf(r->why, sizeof r->why, "%s",
			 st == EXIT_LIMIT	? "cannot get what it needs (limit: memory)"
			 : st == EXIT_UNSUPPORTED ? "skipped: unsupported here"
						  : "prepare failed");
	fprintf(stderr, "cvp: %s: %s\n", r->wl->name, r->why);
	return st;
}

static int execute(struct run *r)
{
	r->spawn_ns = now_ns();
	int st = r->model->spawn(r);
	r->run_ns = now_ns();
	if (st == 0)
		st = r->model->run(r);
	r->model->reap(r);
	r->server_cpu_s = NAN;
	if (r->server) {
		int sst = server_stop(r->server, &r->server_cpu_s);
		r->server = NULL;
		st = st ? st : sst;
	}
	r->reaped_ns = now_ns();
	return st;
}

/* ---- collect */

/* Space-separated distinct PU numbers (ascending) from the slots; "none" when unbound. */
static char *pu_list(const struct run *r, bool bound)
{
	enum { MAXPU = 4096 };
	bool seen[MAXPU] = {0};
	bool any = false;
	for (uint64_t u = 0; u < r->units; u++) {
		int pu = bound ? r->sh->slot[u].pu_bound : r->sh->slot[u].pu_run;
		if (pu >= 0 && pu < MAXPU)
			seen[pu] = any = true;
	}
	char *buf = calloc(MAXPU, 6);
	CHECK_MEM(buf);
	size_t len = 0;
	for (int pu = 0; pu < MAXPU; pu++)
		if (seen[pu])
			len += sprintf(buf + len, "%s%d", len ? " " : "", pu);
	if (!any)
		strcpy(buf, "none");
	return buf;
}

/* The reference: one serial pass over all the work, outside the clock. */
static uint64_t reference(struct run *r)
{
	const struct workload *wl = r->wl;
	if (wl->expect)
		return wl->expect(&r->ctx);
	if (!wl->roles)
		return wl->run(&r->ctx, 0, r->ctx.size);
	uint64_t sum = 0;
	for (const struct wl_role *ro = wl->roles; ro->name; ro++)
		sum += ro->run(&r->ctx, 0, r->ctx.size);
	return sum;
}

/* "name=value" appended to a ';'-separated list. */
static void add_pair(char *buf, size_t len, const char *name, const char *value)
{
	size_t k = strlen(buf);
	snprintf(buf + k, len - k, "%s%s=%s", k ? ";" : "", name, value);
}

/* Options into the column of their name, or into params. */
static void put_options(struct row *row, const struct wl_opt *opts, const struct optvals *v,
			char *params, size_t len)
{
	for (int i = 0; opts && opts[i].name; i++) {
		char text[64];
		opt_format(&opts[i], v->v[i], text, sizeof text);
		/* A text column gets a choice's name, which outlives this call. */
		const char *name = opts[i].type == WL_OPT_CHOICE ? opts[i].choices[v->v[i]] : NULL;
		if (row_set(row, opts[i].name, (double)v->v[i], name) < 0)
			add_pair(params, len, opts[i].name, text);
	}
}

/* The workload's figures into the column of their name, or into figures. */
static const char *put_figures(struct run *r, struct row *row, const struct wl_result *res,
			       char *figures, size_t len)
{
	double fig[OPT_MAX];
	for (int i = 0; i < OPT_MAX; i++)
		fig[i] = NAN;
	if (!r->wl->report)
		return NULL;
	const char *note = r->wl->report(&r->ctx, res, fig);
	for (int i = 0; r->wl->figures && r->wl->figures[i].name; i++) {
		CHECK(i < OPT_MAX);
		if (isnan(fig[i]))
			continue;
		char text[64];
		if (fig[i] == floor(fig[i]) && fabs(fig[i]) < 1e15) /* a count: every digit */
			snprintf(text, sizeof text, "%.0f", fig[i]);
		else
			snprintf(text, sizeof text, "%.6g", fig[i]);
		if (row_set(row, r->wl->figures[i].name, fig[i], text) < 0)
			add_pair(figures, len, r->wl->figures[i].name, text);
	}
	return note;
}

struct collected {
	struct row row;
	char cs[20], ex[20];
	char params[512], figures[512], note[512];
	bool ok;
};

static void collect(struct run *r, const struct request *q, struct collected *c)
{
	struct shared *sh = r->sh;
	uint64_t checksum = 0, yields = 0, done = 0;
	int64_t end = sh->t0_ns, go_first = INT64_MAX, go_last = 0;
	for (uint64_t u = 0; u < r->units; u++) {
		struct unit_slot *s = &sh->slot[u];
		checksum += s->checksum;
		yields += s->yields;
		done += s->tasks_done;
		if (s->end_ns > end)
			end = s->end_ns;
		go_first = s->go_ns < go_first ? s->go_ns : go_first;
		go_last = s->go_ns > go_last ? s->go_ns : go_last;
		if (r->model->own_thread) {
			r->used.user_us += s->used.user_us;
			r->used.sys_us += s->used.sys_us;
			r->used.minflt += s->used.minflt;
		}
		/* Work a unit had its children do is the unit's work (cpu_util counts it). */
		r->used.user_us += s->children.user_us;
		r->used.sys_us += s->children.sys_us;
	}
	CHECK(done == r->tasks);
	double wall = (end - sh->t0_ns) / 1e9;
	uint64_t expect = q->expect_set ? q->expect : reference(r);
	c->ok = checksum == expect;
	snprintf(c->cs, sizeof c->cs, "%016" PRIx64, checksum);
	snprintf(c->ex, sizeof c->ex, "%016" PRIx64, expect);

	struct row *row = &c->row;
	*row = row_empty();
	row->runtime = "c";
	row->model = r->model->name;
	row->workload = r->wl->name;
	row->kind = kind_names[r->wl->kind];
	row->pin = pin_names[r->pin_mode];
	row->units = r->units;
	row->tasks = r->tasks;
	row->cores = r->cores;
	row->size = r->ctx.size;
	uint64_t stack = r->model->stack_kib ? r->model->stack_kib(r) : 0;
	if (stack)
		row->stack_kib = stack;
	row->stack_guard = r->stack_guard;
	row->server_cpu_s = r->server_cpu_s;
	row->wall_s = wall;
	row->user_s = r->used.user_us / 1e6;
	row->sys_s = r->used.sys_us / 1e6;
	row->cpu_util = wall > 0 ? (row->user_s + row->sys_s) / wall : NAN;
	row->minflt = r->used.minflt;
	double p50, p99;
	if (r->waits && (row->waits = waits_percentiles(r->waits, &p50, &p99)) > 0) {
		row->wait_p50_us = p50;
		row->wait_p99_us = p99;
	}
	/* Units released together start within the skew; one after another (serial) they do not. */
	if (r->model->caps & WL_CAP_COEXIST)
		row->start_skew_us = (go_last - go_first) / 1e3;
	row->yields = yields;
	row->timer_slack_ns = prctl(PR_GET_TIMERSLACK);
	row->checksum = c->cs;
	row->expected = c->ex;
	row->verified = c->ok ? "true" : "false";
	row->pus_bound = pu_list(r, true);
	row->pus_run = pu_list(r, false);

	/* From asking for unit 0 to its first instruction. A unit that first runs only once the
	 * model's run() began (units sharing the harness's thread) waited meanwhile for the others'
	 * creation, which is not its own latency: count its creation, then from run() on. */
	int64_t started = sh->slot[0].started_ns;
	int64_t first = started < r->run_ns ? started - sh->create0_ns
					    : (sh->create0_end_ns - sh->create0_ns) +
						      (started - r->run_ns);
	struct wl_result res = {
		.wall_s = wall,
		.lifecycle_s = (r->reaped_ns - r->spawn_ns) / 1e9,
		.first_start_s = first / 1e9,
		.mem = sh->mem_unit,
	};
	const char *note = put_figures(r, row, &res, c->figures, sizeof c->figures);
	put_options(row, r->model->opts, &r->model_opt, c->params, sizeof c->params);
	put_options(row, r->wl->opts, &r->wl_opt, c->params, sizeof c->params);
	row->params = c->params[0] ? c->params : NULL;
	row->figures = c->figures[0] ? c->figures : NULL;
	snprintf(c->note, sizeof c->note, "%s%s%s", note ? note : "",
		 note && wall < 0.01 ? "; " : "",
		 wall < 0.01 ? "wall below 10 ms: too short to time reliably" : "");
	row->note = c->note[0] ? c->note : NULL;
}

/* ---- finish */

static void append_out(const char *path, const struct row *row)
{
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	CHECK_MEM(m);
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		cvp_die(EXIT_WRONG, "--out: cannot open '%s': %s", path, strerror(errno));
	struct stat st;
	CHECK(fstat(fd, &st) == 0);
	if (st.st_size == 0)
		row_header_csv(m);
	row_write(row, FMT_CSV, m);
	CHECK(fclose(m) == 0);
	/* One write with O_APPEND: rows from concurrent runs never interleave. */
	if (write(fd, text, len) != (ssize_t)len)
		cvp_die(EXIT_WRONG, "--out: cannot write '%s': %s", path, strerror(errno));
	close(fd);
	free(text);
}

static void release(struct run *r)
{
	if (r->wl->cleanup)
		r->wl->cleanup(&r->ctx);
	wl_shared_free(r->sh, r->sh_len);
	waits_free(r->waits);
	pin_close(r->pin);
}

int run_request(const struct request *q, struct cmdline *cl)
{
	struct run r = {0};
	setup(&r, q, cl);
	int st = prepare(&r);
	if (st == 0)
		st = execute(&r);
	if (st != 0) {
		release(&r);
		return st;
	}
	struct collected *c = calloc(1, sizeof *c);
	CHECK_MEM(c);
	collect(&r, q, c);
	release(&r);

	if (q->header && q->format == FMT_CSV)
		row_header_csv(stdout);
	row_write(&c->row, q->format, stdout);
	fflush(stdout);
	if (q->out)
		append_out(q->out, &c->row);
	if (!c->ok)
		fprintf(stderr, "cvp: %s under %s: checksum %s does not match the serial %s\n",
			r.wl->name, r.model->name, c->cs, c->ex);
	st = c->ok ? EXIT_OK : EXIT_WRONG;
	free((char *)c->row.pus_bound);
	free((char *)c->row.pus_run);
	free(c);
	return st;
}
