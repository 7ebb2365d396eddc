/* spawn — what creating a unit costs. One op = one unit that does nothing: the harness times
 * create, start, finish and reap of all N (µs per unit) and, apart, how long the first unit
 * took from the request to create it to running its own code. */
#include "workload.h"

static uint64_t spawn_run(const struct wl_ctx *ctx, uint64_t begin, uint64_t end)
{
	(void)ctx;
	return end - begin;
}

static uint64_t spawn_expect(const struct wl_ctx *ctx)
{
	return ctx->size;
}

WORKLOAD(spawn) = {
	.name = "spawn",
	.kind = WL_PROBE,
	.desc = "create, start, finish and reap N empty units: us per unit, first-start latency",
	.run = spawn_run,
	.expect = spawn_expect,
	.probe = PROBE_SPAWN,
};
