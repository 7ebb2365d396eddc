/* sleep — pure waiting, no CPU: the case for concurrency without parallelism.
 * --size is per task: each task sleeps --delay-ms D, --size times (one op = one such round).
 * With one unit per task the ideal wall time is rounds x D whatever the number of units; a
 * pool of fewer units than tasks (--tasks > --units) serves the tasks a few at a time.
 * Each round checks that at least D passed; a short round spoils the checksum. */
#include "workload.h"

enum { OPT_DELAY };

static const struct wl_opt sleep_opts[] = {
	[OPT_DELAY] = WL_OPT_DELAY_MS,
	{0},
};

static uint64_t round_sum(uint64_t op)
{
	return wl_mix64(op + 1);
}

static uint64_t sleep_run(const struct wl_ctx *ctx, uint64_t begin, uint64_t end)
{
	int64_t d = ctx->opt[OPT_DELAY] * 1000000LL;
	uint64_t sum = 0;
	for (uint64_t op = begin; op < end; op++) {
		int64_t t0 = wl_now_ns();
		wl_sleep_ns(ctx, d);
		sum += round_sum(op) + (wl_now_ns() - t0 < d);
	}
	return sum;
}

static uint64_t sleep_expect(const struct wl_ctx *ctx)
{
	uint64_t sum = 0;
	for (uint64_t op = 0; op < ctx->size; op++)
		sum += round_sum(op);
	return sum;
}

WORKLOAD(sleep) = {
	.name = "sleep",
	.kind = WL_IO,
	.desc = "each task sleeps --delay-ms, --size rounds (size per task); op = one round",
	.default_size = 10,
	.size_per = WL_SIZE_TASK,
	.plans = WL_PLAN_UNITS | WL_PLAN_POOL,
	.opts = sleep_opts,
	.run = sleep_run,
	.expect = sleep_expect,
};
