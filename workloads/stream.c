/* stream — memory bandwidth: the STREAM triad a[i] = b[i] + 3 c[i] over three 32 MiB arrays
 * (96 MiB, far above a last-level cache). One op: one element; ops wrap around the arrays.
 * Each op moves 24 bytes through DRAM, so it scales with memory channels, not with cores. */
#include "workload.h"

enum { ELEMS = 4 << 20 };

struct stream {
	double *a, *b, *c;
};

static int stream_prepare(struct wl_ctx *ctx)
{
	struct stream *s = wl_shared_alloc(sizeof *s);
	if (!s)
		return wl_refuse(ctx, WL_LIMIT, "cannot map its state (limit: memory)");
	ctx->state = s;
	s->a = wl_shared_alloc(ELEMS * sizeof(double));
	s->b = wl_shared_alloc(ELEMS * sizeof(double));
	s->c = wl_shared_alloc(ELEMS * sizeof(double));
	if (!s->a || !s->b || !s->c)
		return wl_refuse(ctx, WL_LIMIT, "cannot map 3 arrays of %zu MiB (limit: memory)",
				 ELEMS * sizeof(double) >> 20);
	for (uint64_t i = 0; i < ELEMS; i++) {
		s->b[i] = i % 1000;
		s->c[i] = i % 7;
		s->a[i] = 0;
	}
	return 0;
}

static uint64_t stream_run(const struct wl_ctx *ctx, uint64_t begin, uint64_t end)
{
	const struct stream *s = ctx->state;
	uint64_t sum = 0; /* every value is a small integer, so the conversion is exact */
	uint64_t i = begin % ELEMS;
	for (uint64_t op = begin; op < end;) {
		uint64_t n = end - op < ELEMS - i ? end - op : ELEMS - i;
		for (uint64_t k = i; k < i + n; k++) {
			double v = s->b[k] + 3.0 * s->c[k];
			s->a[k] = v;
			sum += (uint64_t)v;
		}
		op += n;
		i = 0;
	}
	return sum;
}

static void stream_cleanup(struct wl_ctx *ctx)
{
	struct stream *s = ctx->state;
	if (!s)
		return;
	wl_shared_free(s->a, ELEMS * sizeof(double));
	wl_shared_free(s->b, ELEMS * sizeof(double));
	wl_shared_free(s->c, ELEMS * sizeof(double));
	wl_shared_free(s, sizeof *s);
}

WORKLOAD(stream) = {
	.name = "stream",
	.kind = WL_CPU,
	.desc = "STREAM triad over 3 x 32 MiB arrays (DRAM-bound); op = one element, 24 bytes moved",
	.default_size = 1ULL << 29,
	.slice = 1 << 16,
	.prepare = stream_prepare,
	.run = stream_run,
	.cleanup = stream_cleanup,
};
