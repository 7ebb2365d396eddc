/* hash — integer mixing over a 16 KiB table that stays in L1/L2.
 * One op: a chain of 256 dependent multiply-xorshift steps, each folding in a table word.
 * Pure core work: no memory traffic beyond L1, so it should scale with cores. */
#include "workload.h"

enum { TABLE_WORDS = 2048, STEPS = 256 };

static int hash_prepare(struct wl_ctx *ctx)
{
	uint64_t *t = wl_shared_alloc(TABLE_WORDS * sizeof *t);
	if (!t)
		return wl_refuse(ctx, WL_LIMIT, "cannot map its table (limit: memory)");
	for (unsigned i = 0; i < TABLE_WORDS; i++)
		t[i] = wl_mix64(i + 1);
	ctx->state = t;
	return 0;
}

static uint64_t hash_run(const struct wl_ctx *ctx, uint64_t begin, uint64_t end)
{
	const uint64_t *t = ctx->state;
	uint64_t sum = 0;
	for (uint64_t op = begin; op < end; op++) {
		uint64_t h = op * 0x9e3779b97f4a7c15ULL;
		for (unsigned s = 0; s < STEPS; s++) {
			h ^= t[(op + s * 7) & (TABLE_WORDS - 1)];
			h *= 0xff51afd7ed558ccdULL;
			h ^= h >> 33;
		}
		sum += h;
	}
	return sum;
}

static void hash_cleanup(struct wl_ctx *ctx)
{
	wl_shared_free(ctx->state, TABLE_WORDS * sizeof(uint64_t));
}

WORKLOAD(hash) = {
	.name = "hash",
	.kind = WL_CPU,
	.desc = "integer mixing over a 16 KiB table (L1-resident); op = 256 dependent steps",
	.default_size = 1310720,
	.slice = 512,
	.prepare = hash_prepare,
	.run = hash_run,
	.cleanup = hash_cleanup,
};
