/* pipeline — the notes' producer-consumer pipeline: three stages joined by two bounded queues of
 * 64-byte items (--capacity items each). Producers make items (one op = one item), transformers
 * take each from the first queue, work on it and put it in the second, consumers take them out;
 * closing a queue (its last sender is done) ends the next stage's loop once it is drained, and
 * the run ends when every item is consumed and every stage has exited. --units are split over
 * the stages, at least one each. The queues are the seam's (threads: a mutex and condition
 * variables; processes: pipes; coroutines: parking in the scheduler). --variant slow-consumer
 * makes consuming dear, so producers wait on full queues instead of memory growing: the peak
 * RSS stays put whatever the size. Verified: every item arrives exactly once (the checksum sums
 * each item's value and counts them), and in order per producer when one transformer keeps
 * the order. */
#include <stdio.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "workload.h"

enum { OPT_CAPACITY, OPT_VARIANT };
enum { NORMAL, SLOW_CONSUMER };
static const char *const variants[] = {"normal", "slow-consumer", NULL};
static const struct wl_opt pipeline_opts[] = {
	[OPT_CAPACITY] = {.name = "capacity", .type = WL_OPT_UINT, .arg = "N", .min = 1,
			  .max = 1 << 16, .def = 64, .help = "items each queue holds"},
	[OPT_VARIANT] = {.name = "variant", .type = WL_OPT_CHOICE, .arg = "V", .choices = variants,
			 .help = "who is slow:"},
	{0},
};
enum { FIG_RATE, FIG_ITEMS, FIG_HW1, FIG_HW2, FIG_ORDER, FIG_RSS };
static const struct wl_figure pipeline_figures[] = {
	[FIG_RATE] = {"items_per_s", "items/s", WL_HIGHER, "items through all three stages"},
	[FIG_ITEMS] = {"items", "", WL_HIGHER, "items the consumers took"},
	[FIG_HW1] = {"queue1_high_water", "items", WL_LOWER, "the most the first queue held"},
	[FIG_HW2] = {"queue2_high_water", "items", WL_LOWER, "the most the second queue held"},
	[FIG_ORDER] = {"out_of_order", "", WL_LOWER, "items after a later one of their producer"},
	[FIG_RSS] = {"peak_rss_kib", "KiB", WL_LOWER, "the largest VmHWM of a unit's process"},
	{0},
};
enum { PRODUCE, TRANSFORM, CONSUME };
enum { ITEM_BYTES = 64, SLOW_STEPS = 4000, MAX_PRODUCERS = 4096 };

struct item {
	uint64_t seq; /* the item's number: its op */
	uint32_t producer, transformer;
	uint64_t value;
	uint8_t pad[ITEM_BYTES - 24];
};

struct pipeline {
	struct wl_chan *q1, *q2;
	_Atomic uint64_t out_of_order, peak_rss_kib;
	_Atomic uint32_t next_producer, next_transformer;
};

static int pipeline_prepare(struct wl_ctx *ctx)
{
	uint64_t p = wl_role_units(ctx, PRODUCE), t = wl_role_units(ctx, TRANSFORM),
		 c = wl_role_units(ctx, CONSUME);
	if (!p || !t || !c)
		return wl_refuse(ctx, WL_USAGE, "--units: the three stages need one unit each at "
						"least (%llu given)", (unsigned long long)ctx->units);
	if (p > MAX_PRODUCERS)
		return wl_refuse(ctx, WL_USAGE, "--units: at most %d producers", MAX_PRODUCERS);
	struct pipeline *s = wl_shared_alloc(sizeof *s);
	if (!s)
		return wl_refuse(ctx, WL_LIMIT, "cannot map its state (limit: memory)");
	ctx->state = s;
	uint32_t cap = ctx->opt[OPT_CAPACITY];
	s->q1 = wl_chan_new(ctx, ITEM_BYTES, cap, p, t);
	s->q2 = s->q1 ? wl_chan_new(ctx, ITEM_BYTES, cap, t, c) : NULL;
	if (!s->q1 || !s->q2)
		return wl_refuse(ctx, WL_USAGE, "--capacity: %u items of %d bytes cannot be had here "
						"(%m; between processes a queue is a pipe, whose size is a "
						"power of two of pages: try 64, 128, 256 ...)", cap, ITEM_BYTES);
	return WL_OK;
}

static uint64_t work(uint64_t v, unsigned steps)
{
	for (unsigned i = 0; i < steps; i++)
		v = wl_mix64(v + i);
	return v;
}

/* What an item's value is once through the transformers. */
static uint64_t transformed(uint64_t seq)
{
	return work(wl_mix64(seq), 16);
}

/* The largest VmHWM of any unit's process (threads and coroutines share one). */
static void note_peak(struct pipeline *s)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[128];
	uint64_t kib = 0;
	while (f && fgets(line, sizeof line, f))
		if (strncmp(line, "VmHWM:", 6) == 0)
			kib = strtoull(line + 6, NULL, 10);
	if (f)
		fclose(f);
	uint64_t seen = atomic_load(&s->peak_rss_kib);
	while (kib > seen && !atomic_compare_exchange_weak(&s->peak_rss_kib, &seen, kib))
		;
}

static uint64_t produce(const struct wl_ctx *ctx, uint64_t begin, uint64_t end)
{
	struct pipeline *s = ctx->state;
	struct item it = {.producer = atomic_fetch_add(&s->next_producer, 1)};
	for (uint64_t op = begin; op < end; op++) {
		it.seq = op;
		it.value = wl_mix64(op);
		if (wl_chan_send(ctx, s->q1, &it) != 0)
			wl_io_fail("pipeline: the first queue closed under a producer");
	}
	wl_chan_close(ctx, s->q1);
	note_peak(s);
	return 0;
}

static uint64_t transform(const struct wl_ctx *ctx, uint64_t begin, uint64_t end)
{
	(void)begin;
	(void)end;
	struct pipeline *s = ctx->state;
	struct item it;
	uint32_t me = atomic_fetch_add(&s->next_transformer, 1);
	while (wl_chan_recv(ctx, s->q1, &it)) {
		it.value = work(it.value, 16);
		it.transformer = me;
		if (wl_chan_send(ctx, s->q2, &it) != 0)
			wl_io_fail("pipeline: the second queue closed under a transformer");
	}
	wl_chan_close(ctx, s->q2);
	note_peak(s);
	return 0;
}

static uint64_t consume(const struct wl_ctx *ctx, uint64_t begin, uint64_t end)
{
	(void)begin;
	(void)end;
	struct pipeline *s = ctx->state;
	uint64_t producers = wl_role_units(ctx, PRODUCE), sum = 0, *last = calloc(producers, 8);
	if (!last)
		wl_io_fail("pipeline: a consumer's order record");
	bool ordered = wl_role_units(ctx, TRANSFORM) == 1; /* several may overtake each other */
	struct item it;
	while (wl_chan_recv(ctx, s->q2, &it)) {
		if (ctx->opt[OPT_VARIANT] == SLOW_CONSUMER)
			sum += work(it.seq, SLOW_STEPS) & 0; /* the work, not its value */
		sum += it.value + 1; /* + 1: the count of items, in the checksum too */
		if (ordered && it.producer < producers) {
			if (last[it.producer] > it.seq + 1)
				atomic_fetch_add(&s->out_of_order, 1);
			last[it.producer] = it.seq + 1;
		}
	}
	free(last);
	note_peak(s);
	return sum;
}

static uint64_t pipeline_expect(const struct wl_ctx *ctx)
{
	uint64_t sum = 0;
	for (uint64_t op = 0; op < ctx->size; op++)
		sum += transformed(op) + 1;
	return sum;
}

static const char *pipeline_report(const struct wl_ctx *ctx, const struct wl_result *res,
				   double *fig)
{
	struct pipeline *s = ctx->state;
	fig[FIG_RATE] = ctx->size / res->wall_s;
	fig[FIG_ITEMS] = ctx->size;
	fig[FIG_HW1] = wl_chan_high_water(s->q1);
	fig[FIG_HW2] = wl_chan_high_water(s->q2);
	fig[FIG_ORDER] = atomic_load(&s->out_of_order);
	fig[FIG_RSS] = atomic_load(&s->peak_rss_kib);
	return NULL;
}

static void pipeline_cleanup(struct wl_ctx *ctx)
{
	struct pipeline *s = ctx->state;
	if (!s)
		return;
	wl_chan_free(s->q1);
	wl_chan_free(s->q2);
	wl_shared_free(s, sizeof *s);
}

static const struct wl_role pipeline_roles[] = {
	[PRODUCE] = {"produce", 0, produce},
	[TRANSFORM] = {"transform", 0, transform},
	[CONSUME] = {"consume", 0, consume},
	{0},
};

WORKLOAD(pipeline) = {
	.name = "pipeline",
	.kind = WL_CPU,
	.desc = "three stages, two bounded closable queues of 64-byte items: items/s, high water",
	.default_size = 200000,
	.needs = WL_CAP_COEXIST,
	.plans = WL_PLAN_PATTERN,
	.opts = pipeline_opts,
	.figures = pipeline_figures,
	.roles = pipeline_roles,
	.prepare = pipeline_prepare,
	.expect = pipeline_expect,
	.report = pipeline_report,
	.cleanup = pipeline_cleanup,
};
