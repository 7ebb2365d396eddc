/* hybrid.c — M:N: one coroutine scheduler per core of the run, each on a thread of its own bound
 * to its core's place (the plan's place k for scheduler k), each with its own event loop and
 * timer heap behind the IO seam. Units are dealt out round-robin at spawn — unit u to scheduler
 * u mod K, K = the run's cores (fewer when there are fewer units) — and never migrate: there is
 * no work stealing, so a scheduler whose units have more to do keeps its core busy while the
 * others idle.
 *
 * Inside a scheduler everything is as under coros (same scheduler, loop, switch backends and
 * options): units yield between slices, park on the loop, wake each other. Between schedulers:
 * a unit that wakes a unit of another scheduler (a queue's waiter) posts the wake to that
 * scheduler's loop, whose own thread carries it out (coro/loop.h, loop_post_wake); the gates
 * every unit passes (start barrier, wl_meet, wl_hold) are shared words every scheduler's units
 * yield on. A direct switch (pingpong direct, generator) can only go from one coroutine into
 * another of the same scheduler, so a run that needs one with its units spread over several
 * schedulers is skipped (exit 4) with the reason; on one core it runs.
 *
 * CPU time: each scheduler thread's own (RUSAGE_THREAD), from its first unit's leaving the start
 * barrier to its last unit's end, summed over the threads. Threads wait for each other before
 * exiting, so no exit runs inside another scheduler's time. */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "coro/loop.h"
#include "coro/sched.h"
#include "core/cvp.h"
#include "sys/pin.h"

enum { OPT_STACK, OPT_SWITCH };
static const struct wl_opt hybrid_opts[] = {
	[OPT_STACK] = CORO_OPT_STACK_KIB,
	[OPT_SWITCH] = CORO_OPT_SWITCH,
	{0},
};

enum { WAIT, GO, ABORT }; /* struct hybrid's go */
enum { ALT_STACK_BYTES = 64 * 1024 };

struct hybrid;

struct coro_arg {
	struct run *r;
	uint64_t u;
};

/* One scheduler, its loop and its thread. */
struct worker {
	struct hybrid *h;
	unsigned k;        /* its place, and its units: k, k + K, k + 2K ... */
	uint64_t n;        /* how many */
	struct sched *s;
	struct loop *loop;
	struct coro_arg *args;
	char *alt_stack; /* where a crash report runs on this thread */
	pthread_t tid;
	bool joinable;
	int status;        /* of its setup: 0, or an exit status with why */
	char why[320];
	bool went;         /* its first unit has left the start barrier */
	struct usage at_go, at_end;
};

struct hybrid {
	struct run *r;
	unsigned nw; /* K */
	struct worker *w;
	_Atomic uint32_t ready; /* workers done with their setup; futex word */
	_Atomic uint32_t go;    /* WAIT, GO or ABORT; futex word */
	_Atomic uint32_t done;  /* workers whose units have all finished; futex word */
};

/* The scheduler of the calling thread: the model's hooks get the run, and the running unit is
 * the one of this thread's scheduler. NULL outside the workers. */
static _Thread_local struct worker *here;

static unsigned schedulers(const struct run *r)
{
	return r->cores < r->units ? (unsigned)r->cores : (unsigned)r->units;
}

static uint64_t unit_of(const struct worker *w, uint64_t i)
{
	return w->k + i * w->h->nw;
}

static void coro_main(void *p)
{
	struct coro_arg *a = p;
	unit_main(a->r, a->u);
}

/* ---- the hooks, inside a unit */

static void hybrid_yield(struct run *r)
{
	(void)r;
	sched_cede(here->s);
}

static uint64_t hybrid_current(struct run *r)
{
	(void)r;
	return unit_of(here, sched_current(here->s));
}

static void hybrid_switch_to(struct run *r, uint64_t unit)
{
	struct hybrid *h = r->model_state;
	if (unit % h->nw != here->k) /* configure() refuses runs that would */
		cvp_die(EXIT_UNSUPPORTED, "hybrid: unit %llu cannot switch straight into unit %llu: "
					  "they are on different schedulers",
			(unsigned long long)hybrid_current(r), (unsigned long long)unit);
	sched_switch_to(here->s, unit / h->nw);
}

static void hybrid_park(struct run *r)
{
	(void)r;
	sched_park(here->s);
}

static void hybrid_wake(struct run *r, uint64_t unit)
{
	struct hybrid *h = r->model_state;
	struct worker *w = &h->w[unit % h->nw];
	if (w == here)
		sched_wake(w->s, unit / h->nw);
	else
		loop_post_wake(w->loop, unit / h->nw);
}

/* The scheduler's thread was bound to unit u's place when it started (scheduler u mod K, place
 * u mod cores: the same place, K being the cores or, with fewer units, the units). */
static int hybrid_bind(struct run *r, uint64_t u)
{
	(void)r;
	(void)u;
	return 0;
}

static void hybrid_go(struct run *r, uint64_t u)
{
	(void)r;
	(void)u;
	if (!here->went) {
		thread_usage(&here->at_go);
		here->went = true;
	}
}

/* ---- options */

static uint64_t hybrid_stack_kib(const struct run *r)
{
	return r->model_opt.v[OPT_STACK];
}

static const struct switch_ops *hybrid_switch(const struct run *r, const char **why)
{
	return switch_backend((enum switch_kind)r->model_opt.v[OPT_SWITCH], why);
}

/* What the run needs of the model: the workload's needs and those of the choices it was given
 * (run.c has resolved automatic ones); in *what the workload, or its choice that needs `cap`. */
static unsigned run_needs(const struct run *r, unsigned cap, char *what, size_t len)
{
	const struct workload *wl = r->wl;
	unsigned needs = wl->needs;
	snprintf(what, len, "%s", wl->name);
	for (int i = 0; wl->opts && wl->opts[i].name; i++) {
		const struct wl_opt *o = &wl->opts[i];
		if (!o->choice_needs)
			continue;
		unsigned n = o->choice_needs[r->wl_opt.v[i]];
		if ((n & cap) && !(wl->needs & cap))
			snprintf(what, len, "%s --%s %s", wl->name, o->name, o->choices[r->wl_opt.v[i]]);
		needs |= n;
	}
	return needs;
}

/* A backend this architecture lacks, or a direct switch between units of different schedulers:
 * skipped (exit 4) with the reason, before anything runs. */
static int hybrid_configure(struct run *r)
{
	const char *why;
	if (!hybrid_switch(r, &why)) {
		fprintf(stderr, "cvp: hybrid --switch %s: skipped, %s\n",
			switch_names[r->model_opt.v[OPT_SWITCH]], why);
		return EXIT_UNSUPPORTED;
	}
	char what[128];
	unsigned k = schedulers(r);
	if ((run_needs(r, WL_CAP_DIRECT, what, sizeof what) & WL_CAP_DIRECT) && k > 1) {
		fprintf(stderr,
			"cvp: %s under hybrid: skipped, its units switch straight into each other, "
			"which only units of one scheduler can do, and units 0 and 1 land on "
			"different ones (unit u on scheduler u mod %u, one per core; with --cores 1 "
			"they share one)\n",
			what, k);
		return EXIT_UNSUPPORTED;
	}
	return 0;
}

/* ---- the workers */

/* On the worker's thread, before the clock: bind it, make its scheduler, loop and coroutines.
 * 0, or an exit status with the reason in w->why. */
static int worker_setup(struct worker *w)
{
	struct hybrid *h = w->h;
	struct run *r = h->r;
	if (pin_bind_thread(r->pin, w->k) != 0) {
		snprintf(w->why, sizeof w->why, "cannot bind scheduler %u: %s", w->k, strerror(errno));
		return EXIT_WRONG;
	}
	uint64_t kib = hybrid_stack_kib(r);
	const char *why, *what;
	const struct switch_ops *sw = hybrid_switch(r, &why);
	CHECK(sw); /* configure() refused a missing backend */
	w->s = sched_new(w->n, kib * 1024, sw, &what);
	if (!w->s) {
		snprintf(w->why, sizeof w->why,
			 "scheduler %u of %u: cannot get %s of %llu coroutines (%llu in all, %llu KiB "
			 "stacks, %s contexts of %zu bytes): %s (limits: memory, ulimit -v)",
			 w->k, h->nw, what, (unsigned long long)w->n, (unsigned long long)r->units,
			 (unsigned long long)kib, sw->name, sw->ctx_bytes, strerror(errno));
		return EXIT_LIMIT;
	}
	sched_set_units(w->s, w->k, h->nw);
	/* The IO seam parks this scheduler's coroutines on its own loop; other schedulers' units
	 * wake them through its mailbox. */
	w->loop = loop_new(w->s, w->n);
	if (!w->loop || loop_open_mailbox(w->loop) != 0) {
		snprintf(w->why, sizeof w->why,
			 "scheduler %u: cannot create the event loop: %s (limits: RLIMIT_NOFILE, memory)",
			 w->k, strerror(errno));
		return EXIT_LIMIT;
	}
	/* A coroutine that overflows its stack faults on the guard page: the crash report needs a
	 * stack of its own on this thread, as on the main thread (sys/cleanup.c). */
	w->alt_stack = malloc(ALT_STACK_BYTES);
	CHECK_MEM(w->alt_stack);
	stack_t ss = {.ss_sp = w->alt_stack, .ss_size = ALT_STACK_BYTES};
	CHECK(sigaltstack(&ss, NULL) == 0);
	w->args = calloc(w->n, sizeof *w->args);
	CHECK_MEM(w->args);
	for (uint64_t i = 0; i < w->n; i++) {
		uint64_t u = unit_of(w, i);
		w->args[i] = (struct coro_arg){r, u};
		if (u == 0)
			r->sh->create0_ns = now_ns();
		sched_spawn(w->s, i, coro_main, &w->args[i]);
		if (u == 0)
			r->sh->create0_end_ns = now_ns();
	}
	return 0;
}

/* A futex word's wait until it reaches at least want. */
static void wait_at_least(_Atomic uint32_t *word, uint32_t want)
{
	uint32_t seen;
	while ((seen = atomic_load(word)) < want)
		futex_wait(word, seen);
}

static void worker_run(struct worker *w)
{
	struct hybrid *h = w->h;
	here = w;
	loop_attach(w->loop);
	/* The coroutines run to the start barrier (the last of all schedulers' to arrive starts
	 * the clock), then to the end. */
	sched_run(w->s);
	thread_usage(&w->at_end);
	loop_attach(NULL);
	here = NULL;
	if (atomic_fetch_add(&h->done, 1) + 1 == h->nw)
		futex_wake(&h->done, INT_MAX);
	wait_at_least(&h->done, h->nw);
}

static void *worker_main(void *p)
{
	struct worker *w = p;
	struct hybrid *h = w->h;
	w->status = worker_setup(w);
	atomic_fetch_add(&h->ready, 1);
	futex_wake(&h->ready, INT_MAX);
	wait_at_least(&h->go, GO);
	if (atomic_load(&h->go) == GO)
		worker_run(w);
	if (w->alt_stack)
		CHECK(sigaltstack(&(stack_t){.ss_flags = SS_DISABLE}, NULL) == 0);
	return NULL;
}

static void release(struct hybrid *h, uint32_t go)
{
	atomic_store(&h->go, go);
	futex_wake(&h->go, INT_MAX);
}

static void join_all(struct hybrid *h)
{
	for (unsigned k = 0; k < h->nw; k++)
		if (h->w[k].joinable) {
			CHECK(pthread_join(h->w[k].tid, NULL) == 0);
			h->w[k].joinable = false;
		}
}

/* ---- the model */

static int hybrid_spawn(struct run *r)
{
	struct hybrid *h = calloc(1, sizeof *h);
	CHECK_MEM(h);
	r->model_state = h;
	h->r = r;
	h->nw = schedulers(r);
	h->w = calloc(h->nw, sizeof *h->w);
	CHECK_MEM(h->w);
	for (unsigned k = 0; k < h->nw; k++)
		h->w[k] = (struct worker){.h = h, .k = k, .n = (r->units - k + h->nw - 1) / h->nw};
	for (unsigned k = 0; k < h->nw; k++) {
		int e = pthread_create(&h->w[k].tid, NULL, worker_main, &h->w[k]);
		if (e) {
			release(h, ABORT);
			join_all(h);
			char limit[256];
			limit_name(e, limit, sizeof limit);
			fprintf(stderr, "cvp: hybrid: pthread_create failed for scheduler %u of %u: %s; "
					"limit reached: %s\n", k, h->nw, strerror(e), limit);
			return EXIT_LIMIT;
		}
		h->w[k].joinable = true;
	}
	wait_at_least(&h->ready, h->nw);
	int st = 0;
	for (unsigned k = 0; k < h->nw; k++)
		if (h->w[k].status) {
			fprintf(stderr, "cvp: hybrid: %s\n", h->w[k].why);
			st = st ? st : h->w[k].status;
		}
	if (st) {
		release(h, ABORT);
		join_all(h);
		return st;
	}
	r->stack_guard = sched_guard_kind(h->w[0].s);
	return 0;
}

static int hybrid_run(struct run *r)
{
	struct hybrid *h = r->model_state;
	release(h, GO);
	join_all(h);
	r->used = (struct usage){0};
	for (unsigned k = 0; k < h->nw; k++) {
		struct worker *w = &h->w[k];
		CHECK(w->went);
		struct usage d = usage_since(&w->at_end, &w->at_go);
		r->used.user_us += d.user_us;
		r->used.sys_us += d.sys_us;
		r->used.minflt += d.minflt;
	}
	return 0;
}

static void hybrid_reap(struct run *r)
{
	struct hybrid *h = r->model_state;
	if (!h)
		return;
	if (atomic_load(&h->go) == WAIT)
		release(h, ABORT);
	join_all(h);
	for (unsigned k = 0; k < h->nw; k++) {
		loop_free(h->w[k].loop);
		sched_free(h->w[k].s);
		free(h->w[k].args);
		free(h->w[k].alt_stack);
	}
	free(h->w);
	free(h);
	r->model_state = NULL;
}

const struct model model_hybrid = {
	.name = "hybrid",
	.desc = "M:N: a coroutine scheduler per core, each on a bound thread with its own event "
		"loop; units dealt out round-robin, never migrating",
	.rank = 4,
	.caps = WL_CAP_COEXIST | WL_CAP_DIRECT | WL_CAP_PARALLEL | WL_CAP_SHARED | WL_CAP_STACK,
	.opts = hybrid_opts,
	.configure = hybrid_configure,
	.stack_kib = hybrid_stack_kib,
	.spawn = hybrid_spawn,
	.run = hybrid_run,
	.reap = hybrid_reap,
	.bind = hybrid_bind,
	.yield = hybrid_yield,
	.current = hybrid_current,
	.switch_to = hybrid_switch_to,
	.park = hybrid_park,
	.wake = hybrid_wake,
	.go = hybrid_go,
};
