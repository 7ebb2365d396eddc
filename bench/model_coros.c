/* model_coros.c — one ucontext coroutine per unit, all on the calling thread, which is bound to
 * the plan's first place. Units yield to the scheduler between slices of work, so they really
 * interleave; their count of yields is reported. --stack-kib sets the coroutine stack. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "coro.h"
#include "cvp.h"
#include "io.h"
#include "pin.h"

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
	unit_enter(a->r, a->u);
	unit_body(a->r, a->u);
}

static void coros_yield(struct run *r)
{
	struct coros *c = r->model_state;
	sched_cede(c->s);
}

uint64_t coros_current(struct run *r)
{
	struct coros *c = r->model_state;
	return sched_current(c->s);
}

void coros_switch_to(struct run *r, uint64_t unit)
{
	struct coros *c = r->model_state;
	sched_switch_to(c->s, unit);
}

static int coros_spawn(struct run *r)
{
	struct coros *c = calloc(1, sizeof *c);
	CHECK(c);
	r->model_state = c;
	CHECK(pin_bind_thread(r->pin, 0) == 0);
	uint64_t kib = r->o->stack_set ? r->o->stack_kib : CORO_STACK_DEFAULT_KIB;
	c->s = sched_new(r->units, kib * 1024);
	if (!c->s) {
		fprintf(stderr,
			"cvp: coros: cannot map %llu stacks of %llu KiB: %s "
			"(limits: vm.max_map_count, memory, ulimit -v)\n",
			(unsigned long long)r->units, (unsigned long long)kib, strerror(errno));
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
	CHECK(c->args);
	for (uint64_t u = 0; u < r->units; u++) {
		c->args[u] = (struct coro_arg){r, u};
		r->sh->slot[u].pu_bound = pin_unit_pu(r->pin, 0);
		if (u == 0)
			r->sh->create0_ns = now_ns();
		sched_spawn(c->s, u, coro_main, &c->args[u]);
		if (u == 0)
			r->sh->create0_end_ns = now_ns();
	}
	r->yield = coros_yield;
	return 0;
}

static int coros_run(struct run *r)
{
	struct coros *c = r->model_state;
	int64_t user0, sys0;
	thread_cpu_us(&user0, &sys0);
	r->sh->t0_ns = now_ns();
	sched_run(c->s);
	thread_cpu_us(&r->user_us, &r->sys_us);
	r->user_us -= user0;
	r->sys_us -= sys0;
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
	.desc = "one ucontext coroutine per unit, all on one scheduler thread",
	.start_at_release = true,
	.spawn = coros_spawn,
	.run = coros_run,
	.reap = coros_reap,
};
