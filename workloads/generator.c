/* generator — the notes' generator coroutine: a consumer that keeps the running minimum of the
 * values sent into it, driven by send-and-resume round trips. The driver unit sends value i
 * (a fixed pseudo-random sequence) and resumes the minimum keeper, which folds it in and hands
 * back the minimum so far: one op = one round trip, two direct switches. Only a model whose
 * units switch straight into each other can run it (coroutines); others exit 4, by design: the
 * pattern is the coroutine's. The checksum is the sum of the minima handed back. */
#include "workload.h"

static const struct wl_figure generator_figures[] = {
	{"ns_per_round_trip", "ns", WL_LOWER, "one send and its answer"},
	{0},
};

/* The values sent: a fixed sequence, so the minima are known without running anything. */
static uint64_t sent(uint64_t i)
{
	return wl_mix64(i) >> 16;
}

static int generator_prepare(struct wl_ctx *ctx)
{
	/* A direct switch each way: turn 2i sends value i, turn 2i + 1 answers it. */
	ctx->state = wl_baton_new(ctx, WL_BATON_DIRECT, 2 * ctx->size);
	return ctx->state ? WL_OK : wl_refuse(ctx, WL_LIMIT, "cannot make the token: %m");
}

static uint64_t driver(const struct wl_ctx *ctx, uint64_t begin, uint64_t end)
{
	uint64_t sum = 0;
	for (uint64_t i = begin; i < end; i++) {
		wl_baton_wait(ctx, ctx->state, 2 * i);
		wl_baton_pass(ctx, ctx->state, 2 * i, sent(i));
		sum += wl_baton_wait(ctx, ctx->state, 2 * i + 2); /* the minimum, handed back */
	}
	return sum;
}

static uint64_t keeper(const struct wl_ctx *ctx, uint64_t begin, uint64_t end)
{
	uint64_t least = UINT64_MAX;
	for (uint64_t i = begin; i < end; i++) {
		uint64_t v = wl_baton_wait(ctx, ctx->state, 2 * i + 1);
		least = v < least ? v : least;
		wl_baton_pass(ctx, ctx->state, 2 * i + 1, least);
	}
	return 0;
}

static uint64_t generator_expect(const struct wl_ctx *ctx)
{
	uint64_t sum = 0, least = UINT64_MAX;
	for (uint64_t i = 0; i < ctx->size; i++) {
		least = sent(i) < least ? sent(i) : least;
		sum += least;
	}
	return sum;
}

static const char *generator_report(const struct wl_ctx *ctx, const struct wl_result *res,
				    double *fig)
{
	fig[0] = res->wall_s * 1e9 / ctx->size;
	return NULL;
}

static void generator_cleanup(struct wl_ctx *ctx)
{
	wl_baton_free(ctx->state);
}

static const struct wl_role generator_roles[] = {
	{"driver", 1, driver},
	{"keeper", 1, keeper},
	{0},
};

WORKLOAD(generator) = {
	.name = "generator",
	.kind = WL_PROBE,
	.desc = "the running minimum of values sent into a coroutine: ns per send and answer",
	.default_size = 100000,
	.needs = WL_CAP_DIRECT,
	.plans = WL_PLAN_PATTERN,
	.figures = generator_figures,
	.roles = generator_roles,
	.prepare = generator_prepare,
	.expect = generator_expect,
	.report = generator_report,
	.cleanup = generator_cleanup,
};
