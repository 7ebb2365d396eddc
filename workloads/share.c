/* share — do units share one address space? An experiment, not an inference: the writer unit
 * stores to an ordinary variable of this file (not memory from wl_shared_alloc), the units meet
 * (a barrier orders the store before what follows it), then the reader unit loads the variable.
 * It sees the store only if the two units run in one address space: write_seen is 1 for threads
 * and coroutines, 0 for forked processes (each child writes its own copy). --memory shared puts
 * the variable in memory every unit shares (MAP_SHARED), where processes see it too: the
 * experiment's outcome flips with the memory, not with the model's name. One op = one unit. */
#include <stdatomic.h>

#include "workload.h"

enum { OPT_MEMORY };
static const char *const memories[] = {"ordinary", "shared", NULL};
static const struct wl_opt share_opts[] = {
	[OPT_MEMORY] = {.name = "memory", .type = WL_OPT_CHOICE, .arg = "M", .choices = memories,
			.help = "where the writer stores: an ordinary variable or MAP_SHARED memory:"},
	{0},
};
static const struct wl_figure share_figures[] = {
	{"write_seen", "", WL_HIGHER, "1 if the reader saw the writer's store after the barrier"},
	{0},
};

enum { MARK = 0x5eed };

/* The experiment's subject: ordinary memory of the process that runs the unit. */
static int ordinary;

struct share {
	int shared;             /* the same variable, in memory every unit shares */
	_Atomic int seen;       /* what the reader found: the result, where all can read it */
};

static int share_prepare(struct wl_ctx *ctx)
{
	ctx->state = wl_shared_alloc(sizeof(struct share));
	return ctx->state ? WL_OK : wl_refuse(ctx, WL_LIMIT, "cannot map its state (limit: memory)");
}

static int *subject(const struct wl_ctx *ctx)
{
	return ctx->opt[OPT_MEMORY] ? &((struct share *)ctx->state)->shared : &ordinary;
}

static uint64_t writer(const struct wl_ctx *ctx, uint64_t begin, uint64_t end)
{
	*subject(ctx) = MARK;
	wl_meet(ctx);
	return end - begin;
}

static uint64_t reader(const struct wl_ctx *ctx, uint64_t begin, uint64_t end)
{
	wl_meet(ctx);
	atomic_store(&((struct share *)ctx->state)->seen, *subject(ctx) == MARK);
	return end - begin;
}

static uint64_t share_expect(const struct wl_ctx *ctx)
{
	return 2 * ctx->size; /* each role covers every op */
}

static const char *share_report(const struct wl_ctx *ctx, const struct wl_result *res,
				double *fig)
{
	(void)res;
	fig[0] = atomic_load(&((struct share *)ctx->state)->seen);
	return NULL;
}

static void share_cleanup(struct wl_ctx *ctx)
{
	wl_shared_free(ctx->state, sizeof(struct share));
}

static const struct wl_role share_roles[] = {
	{"writer", 1, writer},
	{"reader", 1, reader},
	{0},
};

WORKLOAD(share) = {
	.name = "share",
	.kind = WL_PROBE,
	.desc = "does a unit see another's store to an ordinary variable? (one address space)",
	.size_per = WL_SIZE_UNIT,
	.needs = WL_CAP_COEXIST,
	.opts = share_opts,
	.figures = share_figures,
	.roles = share_roles,
	.prepare = share_prepare,
	.expect = share_expect,
	.report = share_report,
	.cleanup = share_cleanup,
};
