/* idle — what N live, idle units cost in memory. One op = one unit: it touches --touch-kib of
 * its stack, then parks in wl_hold() until every unit has arrived and the harness has measured
 * VSZ, RSS, PSS and kernel memory per unit (bench/probe.c says how each is counted). */
#include <alloca.h>

#include "workload.h"

/* Writes one byte in every page of kib KiB below the current frame. */
static __attribute__((noinline)) void touch_stack(uint64_t kib)
{
	volatile char *p = alloca(kib * 1024 + 1);
	for (uint64_t i = 0; i < kib * 1024; i += 4096)
		p[i] = 1;
	p[kib * 1024] = 1;
}

static uint64_t idle_run(const struct wl_ctx *ctx, uint64_t begin, uint64_t end)
{
	for (uint64_t op = begin; op < end; op++) {
		touch_stack(ctx->touch_kib);
		wl_hold(ctx);
	}
	return end - begin;
}

static uint64_t idle_expect(const struct wl_ctx *ctx)
{
	return ctx->size;
}

WORKLOAD(idle) = {
	.name = "idle",
	.kind = WL_PROBE,
	.desc = "memory per unit: N units alive, each having touched --touch-kib of stack",
	.run = idle_run,
	.expect = idle_expect,
	.probe = PROBE_MEMORY,
};
