/* mandel — floating-point Mandelbrot rows.
 * One op: one row of 1024 pixels over [-2, 1] x [-1.5, 1.5], at most 256 iterations a pixel;
 * the image has --size rows. Ops map to rows through a stride coprime with the row count so
 * every task gets a fair mix of cheap (outside) and dear (inside the set) rows. */
#include "workload.h"

enum { WIDTH = 1024, MAX_ITER = 256 };

struct mandel {
	uint64_t stride; /* coprime with ctx->size: op -> row is a permutation */
};

static uint64_t gcd(uint64_t a, uint64_t b)
{
	while (b) {
		uint64_t t = a % b;
		a = b;
		b = t;
	}
	return a;
}

static int mandel_prepare(struct wl_ctx *ctx)
{
	struct mandel *m = wl_shared_alloc(sizeof *m);
	if (!m)
		return wl_refuse(ctx, WL_LIMIT, "cannot map its state (limit: memory)");
	m->stride = ctx->size * 0.618 + 1;
	while (gcd(m->stride, ctx->size) != 1)
		m->stride++;
	ctx->state = m;
	return 0;
}

static uint64_t row_iterations(uint64_t row, uint64_t rows)
{
	double ci = -1.5 + 3.0 * (row + 0.5) / rows;
	uint64_t total = 0;
	for (unsigned x = 0; x < WIDTH; x++) {
		double cr = -2.0 + 3.0 * (x + 0.5) / WIDTH;
		double zr = 0, zi = 0;
		unsigned it = 0;
		while (it < MAX_ITER && zr * zr + zi * zi <= 4.0) {
			double t = zr * zr - zi * zi + cr;
			zi = 2 * zr * zi + ci;
			zr = t;
			it++;
		}
		total += it;
	}
	return total;
}

static uint64_t mandel_run(const struct wl_ctx *ctx, uint64_t begin, uint64_t end)
{
	const struct mandel *m = ctx->state;
	uint64_t sum = 0;
	for (uint64_t op = begin; op < end; op++) {
		uint64_t row = (op * m->stride) % ctx->size;
		sum += wl_mix64(row ^ (row_iterations(row, ctx->size) << 32));
	}
	return sum;
}

static void mandel_cleanup(struct wl_ctx *ctx)
{
	wl_shared_free(ctx->state, sizeof(struct mandel));
}

WORKLOAD(mandel) = {
	.name = "mandel",
	.kind = WL_CPU,
	.desc = "floating-point Mandelbrot; op = one 1024-pixel row, --size rows in the image",
	.default_size = 4096,
	.slice = 4,
	.prepare = mandel_prepare,
	.run = mandel_run,
	.cleanup = mandel_cleanup,
};
