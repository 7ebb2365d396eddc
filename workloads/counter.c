/* counter — the notes' lost update: every unit adds one to one shared counter --size times.
 * --variant unlocked does it as two steps, a load then a store (relaxed atomics: a real
 * read-modify-write race, without undefined behaviour, that the compiler cannot fold into one
 * add, and that ThreadSanitizer accepts); mutex takes a lock around the add (process-shared, so
 * forked units use it too); atomic makes the add one indivisible step. The counter lives in
 * memory every unit shares (procs too). The row gives the count expected, the count reached and
 * the updates lost; unlocked verifies when every unit finished and the count is not above the
 * expected one (losing updates is its result, not a failure), the others only when nothing was
 * lost. One op = one increment. */
#include <pthread.h>
#include <stdatomic.h>

#include "workload.h"

enum { OPT_VARIANT };
enum { UNLOCKED, MUTEX, ATOMIC };
static const char *const variants[] = {"unlocked", "mutex", "atomic", NULL};
static const struct wl_opt counter_opts[] = {
	[OPT_VARIANT] = {.name = "variant", .type = WL_OPT_CHOICE, .arg = "V", .choices = variants,
			 .help = "how each increment is made:"},
	{0},
};
enum { FIG_EXPECTED, FIG_REACHED, FIG_LOST };
static const struct wl_figure counter_figures[] = {
	[FIG_EXPECTED] = {"count_expected", "", WL_HIGHER, "increments made"},
	[FIG_REACHED] = {"count_reached", "", WL_HIGHER, "what the counter says after"},
	[FIG_LOST] = {"lost_per_million", "", WL_LOWER, "updates lost per million made"},
	{0},
};

struct counter {
	_Atomic uint64_t count;
	pthread_mutex_t lock;
};

static int counter_prepare(struct wl_ctx *ctx)
{
	struct counter *c = wl_shared_alloc(sizeof *c);
	if (!c)
		return wl_refuse(ctx, WL_LIMIT, "cannot map the counter (limit: memory)");
	ctx->state = c;
	pthread_mutexattr_t a;
	if (pthread_mutexattr_init(&a) || pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED) ||
	    pthread_mutex_init(&c->lock, &a))
		return wl_refuse(ctx, WL_UNSUPPORTED, "no process-shared mutex here");
	pthread_mutexattr_destroy(&a);
	return WL_OK;
}

static uint64_t counter_run(const struct wl_ctx *ctx, uint64_t begin, uint64_t end)
{
	struct counter *c = ctx->state;
	for (uint64_t op = begin; op < end; op++) {
		switch (ctx->opt[OPT_VARIANT]) {
		case UNLOCKED: {
			uint64_t v = atomic_load_explicit(&c->count, memory_order_relaxed);
			atomic_store_explicit(&c->count, v + 1, memory_order_relaxed);
			break;
		}
		case MUTEX:
			pthread_mutex_lock(&c->lock);
			atomic_store_explicit(&c->count,
					      atomic_load_explicit(&c->count, memory_order_relaxed) + 1,
					      memory_order_relaxed);
			pthread_mutex_unlock(&c->lock);
			break;
		default:
			atomic_fetch_add_explicit(&c->count, 1, memory_order_relaxed);
		}
	}
	return end - begin;
}

/* The checksum is the increments made (each op returns one); it verifies against the count the
 * variant promises: exactly the ops for mutex and atomic, at most them for unlocked. */
static uint64_t counter_expect(const struct wl_ctx *ctx)
{
	const struct counter *c = ctx->state;
	uint64_t reached = atomic_load(&c->count);
	if (ctx->opt[OPT_VARIANT] == UNLOCKED && reached <= ctx->size)
		return ctx->size;
	return reached;
}

static const char *counter_report(const struct wl_ctx *ctx, const struct wl_result *res,
				  double *fig)
{
	(void)res;
	const struct counter *c = ctx->state;
	uint64_t reached = atomic_load(&c->count);
	fig[FIG_EXPECTED] = ctx->size;
	fig[FIG_REACHED] = reached;
	fig[FIG_LOST] = reached <= ctx->size ? (ctx->size - reached) * 1e6 / ctx->size : 0;
	return NULL;
}

static void counter_cleanup(struct wl_ctx *ctx)
{
	struct counter *c = ctx->state;
	if (!c)
		return;
	pthread_mutex_destroy(&c->lock);
	wl_shared_free(c, sizeof *c);
}

WORKLOAD(counter) = {
	.name = "counter",
	.kind = WL_CPU,
	.desc = "every unit adds one to a shared counter --size times: lost updates (--variant)",
	.default_size = 1000000,
	.size_per = WL_SIZE_TASK,
	.slice = 4096,
	.plans = WL_PLAN_PATTERN,
	.opts = counter_opts,
	.figures = counter_figures,
	.prepare = counter_prepare,
	.run = counter_run,
	.expect = counter_expect,
	.report = counter_report,
	.cleanup = counter_cleanup,
};
