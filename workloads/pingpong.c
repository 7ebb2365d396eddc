/* pingpong — what a switch between two units costs. Two units pass a token --size times; one
 * op is one one-way hand-off (turn), so ns_per_op is ns per one-way switch. The unit with the
 * first task takes the even turns, the other the odd ones. --variant: futex or pipe (threads,
 * procs), direct (coros: swapcontext straight into the other coroutine). */
#include "workload.h"

static uint64_t pingpong_run(const struct wl_ctx *ctx, uint64_t begin, uint64_t end)
{
	(void)end;
	uint64_t sum = 0;
	for (uint64_t turn = begin == 0 ? 0 : 1; turn < ctx->size; turn += 2) {
		wl_baton_wait(ctx, turn);
		sum += wl_mix64(turn);
		wl_baton_pass(ctx, turn);
	}
	return sum;
}

static uint64_t pingpong_expect(const struct wl_ctx *ctx)
{
	uint64_t sum = 0;
	for (uint64_t turn = 0; turn < ctx->size; turn++)
		sum += wl_mix64(turn);
	return sum;
}

static const char *const pingpong_variants[] = {"futex", "pipe", "direct", NULL};

WORKLOAD(pingpong) = {
	.name = "pingpong",
	.kind = WL_PROBE,
	.desc = "two units pass a token --size times: ns per one-way switch (--variant)",
	.default_size = 100000,
	.run = pingpong_run,
	.expect = pingpong_expect,
	.probe = PROBE_SWITCH,
	.variants = pingpong_variants,
};
