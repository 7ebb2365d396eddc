/* model_threads.c — one pthread per unit. Each thread binds itself, waits at the start barrier,
 * runs the unit and exits; the harness joins them all. --stack-kib sets the stack size,
 * otherwise glibc's default (RLIMIT_STACK) applies. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "cvp.h"
#include "pin.h"

struct arg {
	struct run *r;
	uint64_t u;
};

struct threads {
	pthread_t *tid;
	struct arg *args;
	uint64_t n; /* threads created and not yet joined */
};

static void *thread_main(void *p)
{
	struct arg *a = p;
	struct run *r = a->r;
	uint64_t u = a->u;
	if (pin_bind_thread(r->pin, u) != 0)
		cvp_die(EXIT_WRONG, "threads: cannot bind unit %llu: %s", (unsigned long long)u,
			strerror(errno));
	unit_enter(r, u);
	r->sh->slot[u].pu_bound = pin_unit_pu(r->pin, u);
	if (barrier_wait(r)) {
		unit_body(r, u);
		barrier_finish(r);
	}
	return NULL;
}

static int threads_spawn(struct run *r)
{
	struct threads *t = calloc(1, sizeof *t);
	CHECK(t);
	t->tid = calloc(r->units, sizeof *t->tid);
	t->args = calloc(r->units, sizeof *t->args);
	CHECK(t->tid && t->args);
	r->model_state = t;

	pthread_attr_t attr;
	CHECK(pthread_attr_init(&attr) == 0);
	if (r->o->stack_set)
		CHECK(pthread_attr_setstacksize(&attr, r->o->stack_kib * 1024) == 0);
	for (uint64_t u = 0; u < r->units; u++) {
		t->args[u] = (struct arg){r, u};
		if (u == 0)
			r->sh->create0_ns = now_ns();
		int e = pthread_create(&t->tid[u], &attr, thread_main, &t->args[u]);
		if (e) {
			pthread_attr_destroy(&attr);
			barrier_abort(r);
			char limit[256];
			limit_name(e, limit, sizeof limit);
			fprintf(stderr,
				"cvp: threads: pthread_create failed at unit %llu of %llu: %s; limit "
				"reached: %s\n",
				(unsigned long long)u, (unsigned long long)r->units, strerror(e), limit);
			return EXIT_LIMIT;
		}
		t->n++;
	}
	pthread_attr_destroy(&attr);
	barrier_wait_ready(r, r->units);
	return 0;
}

static int threads_run(struct run *r)
{
	struct threads *t = r->model_state;
	barrier_release(r, r->units);
	for (uint64_t u = 0; u < t->n; u++)
		CHECK(pthread_join(t->tid[u], NULL) == 0);
	t->n = 0;
	return 0;
}

static void threads_reap(struct run *r)
{
	struct threads *t = r->model_state;
	if (!t)
		return;
	for (uint64_t u = 0; u < t->n; u++)
		pthread_join(t->tid[u], NULL);
	free(t->tid);
	free(t->args);
	free(t);
	r->model_state = NULL;
}

const struct model model_threads = {
	.name = "threads",
	.desc = "one POSIX thread per unit, bound by hwloc inside the thread",
	.per_unit_cpu = true,
	.spawn = threads_spawn,
	.run = threads_run,
	.reap = threads_reap,
};
