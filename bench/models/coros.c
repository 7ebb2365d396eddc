/* coros.c — one coroutine per unit, all on the calling thread, which is bound to the plan's first
 * place. Coroutines run to the start barrier (the last to arrive starts the clock), then yield to
 * the scheduler between slices of work, so they really interleave; their count of yields is
 * reported. A unit can also switch straight into another (WL_CAP_DIRECT), which the switch probe
 * measures. --stack-kib sets the coroutine stack; --switch how coroutines are switched (glibc's
 * ucontext, the default and the suite's subject, or the hand-written asm switch: coro/switch.h),
 * and the row carries it (params). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "coro/loop.h"
#include "coro/sched.h"
#include "core/cvp.h"
#include "sys/pin.h"

enum { OPT_STACK, OPT_SWITCH };
static const struct wl_opt coros_opts[] = {
	[OPT_STACK] = CORO_OPT_STACK_KIB,
	[OPT_SWITCH] = CORO_OPT_SWITCH,
	{0},
};

struct coro_arg {
	struct run *r;
	uint64_t u;
};

struct coros {
	struct sched *s;
	struct coro_arg *args;
};

static void coro_main(void *p)
{
	struct coro_arg *a = p;
	unit_main(a->r, a->u);
}

static void coros_yield(struct run *r)
{
	struct coros *c = r->model_state;
	sched_cede(c->s);
}

static uint64_t coros_current(struct run *r)
{
	struct coros *c = r->model_state;
	return sched_current(c->s);
}

static void coros_switch_to(struct run *r, uint64_t unit)
{
	struct coros *c = r->model_state;
	sched_switch_to(c->s, unit);
}

static void coros_park(struct run *r)
{
	struct coros *c = r->model_state;
	sched_park(c->s);
}

static void coros_wake(struct run *r, uint64_t unit)
{
	struct coros *c = r->model_state;
	sched_wake(c->s, unit);
}

static uint64_t coros_stack_kib(const struct run *r)
{
	return r->model_opt.v[OPT_STACK];
}

static const struct switch_ops *coros_switch(const struct run *r, const char **why)
{
	return switch_backend((enum switch_kind)r->model_opt.v[OPT_SWITCH], why);
}

/* A backend this architecture lacks: skipped (exit 4) with the reason, before anything runs. */
static int coros_configure(struct run *r)
{
	const char *why;
	if (!coros_switch(r, &why)) {
		fprintf(stderr, "cvp: coros --switch %s: skipped, %s\n",
			switch_names[r->model_opt.v[OPT_SWITCH]], why);
		return EXIT_UNSUPPORTED;
	}
	return 0;
}

static int coros_spawn(struct run *r)
{
	struct coros *c = calloc(1, sizeof *c);
	CHECK_MEM(c);
	r->model_state = c;
	CHECK(pin_bind_thread(r->pin, 0) == 0);
	uint64_t kib = coros_stack_kib(r);
	const char *why, *what;
	const struct switch_ops *sw = coros_switch(r, &why);
	CHECK(sw); /* configure() refused a missing backend */
	c->s = sched_new(r->units, kib * 1024, sw, &what);
	if (!c->s) {
		fprintf(stderr,
			"cvp: coros: cannot get %s of %llu coroutines (%llu KiB stacks, %s "
			"contexts of %zu bytes): %s (limits: memory, ulimit -v)\n",
			what, (unsigned long long)r->units, (unsigned long long)kib, sw->name,
			sw->ctx_bytes, strerror(errno));
		return EXIT_LIMIT;
	}
	/* The IO seam parks coroutines on this loop: epoll for fds, a heap for sleeps. */
	r->loop = loop_new(c->s, r->units);
	if (!r->loop) {
		fprintf(stderr, "cvp: coros: cannot create the event loop: %s (limits: "
				"RLIMIT_NOFILE, memory)\n", strerror(errno));
		return EXIT_LIMIT;
	}
	r->stack_guard = sched_guard_kind(c->s);
	c->args = calloc(r->units, sizeof *c->args);
	CHECK_MEM(c->args);
	for (uint64_t u = 0; u < r->units; u++) {
		c->args[u] = (struct coro_arg){r, u};
		if (u == 0)
			r->sh->create0_ns = now_ns();
		sched_spawn(c->s, u, coro_main, &c->args[u]);
		if (u == 0)
			r->sh->create0_end_ns = now_ns();
	}
	return 0;
}

/* The coroutines run to the start barrier, where the last to arrive starts the clock and notes
 * the thread's CPU time; then to the end. */
static int coros_run(struct run *r)
{
	struct coros *c = r->model_state;
	sched_run(c->s);
	unit_shared_usage(r);
	return 0;
}

static void coros_reap(struct run *r)
{
	struct coros *c = r->model_state;
	if (!c)
		return;
	loop_free(r->loop);
	r->loop = NULL;
	sched_free(c->s);
	free(c->args);
	free(c);
	r->model_state = NULL;
}

const struct model model_coros = {
	.name = "coros",
	.desc = "one coroutine per unit (ucontext, or --switch asm), all on one scheduler thread",
	.rank = 3,
	.caps = WL_CAP_COEXIST | WL_CAP_DIRECT | WL_CAP_SHARED | WL_CAP_STACK,
	.opts = coros_opts,
	.configure = coros_configure,
	.stack_kib = coros_stack_kib,
	.spawn = coros_spawn,
	.run = coros_run,
	.reap = coros_reap,
	.yield = coros_yield,
	.current = coros_current,
	.switch_to = coros_switch_to,
	.park = coros_park,
	.wake = coros_wake,
};
