/* threads.c — one pthread per unit. Each thread binds itself, waits at the start barrier, runs
 * the unit and exits; the harness joins them all. --stack-kib sets the stack size, otherwise
 * glibc's default (from RLIMIT_STACK) applies. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/cvp.h"
#include "sys/pin.h"

enum { OPT_STACK };
static const struct wl_opt threads_opts[] = {
	[OPT_STACK] = {.name = "stack-kib", .type = WL_OPT_UINT, .arg = "K", .min = 16,
		       .max = 1u << 20, .auto_def = true,
		       .help = "stack of each thread or coroutine (default: threads glibc's, from "
			       "ulimit -s; coroutines 64)"},
	{0},
};

struct arg {
	struct run *r;
	uint64_t u;
};

struct threads {
	pthread_t *tid;
	struct arg *args;
	uint64_t n; /* threads created and not yet joined */
};

/* glibc's default thread stack: RLIMIT_STACK, or 2 MiB when that is unlimited. */
static uint64_t threads_stack_kib(const struct run *r)
{
	if (r->model_opt.given[OPT_STACK])
		return r->model_opt.v[OPT_STACK];
	pthread_attr_t a;
	size_t bytes;
	CHECK(pthread_getattr_default_np(&a) == 0);
	CHECK(pthread_attr_getstacksize(&a, &bytes) == 0);
	pthread_attr_destroy(&a);
	return bytes / 1024;
}

static int threads_configure(struct run *r)
{
	r->model_opt.v[OPT_STACK] = threads_stack_kib(r);
	return 0;
}

static void *thread_main(void *p)
{
	struct arg *a = p;
	unit_main(a->r, a->u);
	return NULL;
}

static int threads_bind(struct run *r, uint64_t u)
{
	return pin_bind_thread(r->pin, u);
}

static int threads_spawn(struct run *r)
{
	struct threads *t = calloc(1, sizeof *t);
	CHECK_MEM(t);
	t->tid = calloc(r->units, sizeof *t->tid);
	t->args = calloc(r->units, sizeof *t->args);
	CHECK_MEM(t->tid && t->args);
	r->model_state = t;

	pthread_attr_t attr;
	CHECK(pthread_attr_init(&attr) == 0);
	if (r->model_opt.given[OPT_STACK])
		CHECK(pthread_attr_setstacksize(&attr, r->model_opt.v[OPT_STACK] * 1024) == 0);
	for (uint64_t u = 0; u < r->units; u++) {
		t->args[u] = (struct arg){r, u};
		if (u == 0)
			r->sh->create0_ns = now_ns();
		int e = pthread_create(&t->tid[u], &attr, thread_main, &t->args[u]);
		if (u == 0)
			r->sh->create0_end_ns = now_ns();
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
	.rank = 1,
	.caps = WL_CAP_COEXIST | WL_CAP_BLOCK | WL_CAP_PARALLEL | WL_CAP_SHARED | WL_CAP_STACK,
	.own_thread = true,
	.opts = threads_opts,
	.configure = threads_configure,
	.stack_kib = threads_stack_kib,
	.spawn = threads_spawn,
	.run = threads_run,
	.reap = threads_reap,
	.bind = threads_bind,
};
