/* spawn — what creating a unit costs. One op = one unit that does nothing: the harness times
 * create, start, finish and reap of all N (µs per unit) and, apart, how long the first unit
 * took from the request to create it to running its own code. */
#include "workload.h"

enum { FIG_SPAWN, FIG_START };
static const struct wl_figure spawn_figures[] = {
	[FIG_SPAWN] = {"spawn_us_per_unit", "µs", WL_LOWER,
		       "create, start, finish and reap, per unit"},
	[FIG_START] = {"start_us", "µs", WL_LOWER, "asking for unit 0 to its first instruction"},
	{0},
};

static uint64_t spawn_run(const struct wl_ctx *ctx, uint64_t begin, uint64_t end)
{
	(void)ctx;
	return end - begin;
}

static uint64_t spawn_expect(const struct wl_ctx *ctx)
{
	return ctx->size;
}

static const char *spawn_report(const struct wl_ctx *ctx, const struct wl_result *res,
				double *fig)
{
	fig[FIG_SPAWN] = res->lifecycle_s * 1e6 / ctx->units;
	fig[FIG_START] = res->first_start_s * 1e6;
	return NULL;
}

WORKLOAD(spawn) = {
	.name = "spawn",
	.kind = WL_PROBE,
	.desc = "create, start, finish and reap N empty units: us per unit, first-start latency",
	.size_per = WL_SIZE_UNIT,
	.needs = WL_CAP_COEXIST,
	.figures = spawn_figures,
	.run = spawn_run,
	.expect = spawn_expect,
	.report = spawn_report,
};
