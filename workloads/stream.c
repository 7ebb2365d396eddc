/* stream — memory bandwidth: the STREAM triad a[i] = b[i] + 3 c[i] over three 32 MiB arrays
 * (96 MiB, far above a last-level cache). One op: one element, 24 bytes moved through DRAM, so it
 * scales with memory channels, not with cores.
 *
 * Ops walk the arrays in laps. Each lap starts further along, by a golden-ratio step, so tasks
 * that run at the same time (they begin whole laps apart) stream over different parts of the
 * arrays and never write the same cache lines at once, while each still sweeps all 96 MiB; the
 * element of an op stays a function of the op alone, as the additive checksum needs. Each unit
 * maps the arrays in before the start barrier (warm-up), so a forked child's page faults on the
 * inherited memory stay out of the clock. */
#include <sys/mman.h>

#include "workload.h"

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

enum { ELEMS = 4 << 20 };
/* A lap's start moves by ELEMS / golden ratio (odd): successive laps, and so concurrent tasks,
 * start far apart and spread evenly over the arrays. */
static const uint64_t LAP_STEP = (uint64_t)(ELEMS * 0.6180339887498949) | 1;

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

/* Maps the three arrays into this unit's page tables (a forked child inherits the memory, not
 * the mappings of its pages): MADV_POPULATE_WRITE, or a write per page where the kernel lacks it
 * (before 5.14). Under one address space the pages are mapped already and this is quick. */
static void stream_warmup(const struct wl_ctx *ctx, uint64_t unit)
{
	(void)unit;
	const struct stream *s = ctx->state;
	double *arrays[] = {s->a, s->b, s->c};
	for (int k = 0; k < 3; k++) {
		if (madvise(arrays[k], ELEMS * sizeof(double), MADV_POPULATE_WRITE) == 0)
			continue;
		volatile double *p = arrays[k];
		for (uint64_t i = 0; i < ELEMS; i += 4096 / sizeof(double))
			p[i] = p[i];
	}
}

static uint64_t stream_run(const struct wl_ctx *ctx, uint64_t begin, uint64_t end)
{
	const struct stream *s = ctx->state;
	uint64_t sum = 0; /* every value is a small integer, so the conversion is exact */
	for (uint64_t op = begin; op < end;) {
		uint64_t lap = op / ELEMS, i = (op % ELEMS + lap * LAP_STEP) % ELEMS;
		uint64_t n = end - op;
		if (n > ELEMS - op % ELEMS)
			n = ELEMS - op % ELEMS; /* to the end of this lap */
		if (n > ELEMS - i)
			n = ELEMS - i; /* to the end of the arrays */
		for (uint64_t k = i; k < i + n; k++) {
			double v = s->b[k] + 3.0 * s->c[k];
			s->a[k] = v;
			sum += (uint64_t)v;
		}
		op += n;
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
	.warmup = stream_warmup,
	.run = stream_run,
	.cleanup = stream_cleanup,
};
