/* convoy — one unit waits on the network while the others compute: the echo unit makes --size
 * round trips with the delay server (--delay-ms), the other units hash (the hash workload's
 * kernel, slice by slice) until it is done. What it shows is the echo unit's latency per round
 * trip (the row's wait_p50_us and wait_p99_us) with 0, 1, 2 ... busy units beside it: where the
 * busy units hold something the waiting one needs to go on (a CPU the scheduler shares fairly,
 * or CPython's global interpreter lock), each wake-up of the waiting unit queues behind them —
 * the convoy effect. An op of the echo role is one round trip; the hashing units' ops are hash
 * ops, as many as they get done, each unit's from its own range, so the checksum still says
 * every one was done right. */
#include <stdatomic.h>

#include "workload.h"

enum { CONVOY_BYTES = 64 };
enum { OPT_DELAY };
static const struct wl_opt convoy_opts[] = {[OPT_DELAY] = WL_OPT_DELAY_MS, {0}};
static const struct wl_figure convoy_figures[] = {
	{"hash_ops", "ops", WL_HIGHER, "hash ops the busy units did meanwhile"},
	{0},
};

enum { MAX_BUSY = 1024 };
#define RANGE (1ULL << 40) /* busy unit k hashes ops [k x RANGE, ...) */

struct convoy {
	const char *server;
	const struct workload *hash;
	struct wl_ctx hash_ctx;
	_Atomic int done;                 /* the echo unit has finished */
	_Atomic uint64_t busy;            /* busy units that have started */
	_Atomic uint64_t ops[MAX_BUSY];   /* hash ops each busy unit did */
};

static int convoy_prepare(struct wl_ctx *ctx)
{
	if (ctx->units - 1 > MAX_BUSY)
		return wl_refuse(ctx, WL_USAGE, "--units: at most %d busy units beside the echo one",
				 MAX_BUSY);
	struct convoy *c = wl_shared_alloc(sizeof *c);
	if (!c)
		return wl_refuse(ctx, WL_LIMIT, "cannot map its state (limit: memory)");
	ctx->state = c;
	c->hash = wl_find("hash");
	if (!c->hash)
		return wl_refuse(ctx, WL_UNSUPPORTED, "needs the hash workload, not built in");
	c->hash_ctx.run = ctx->run;
	int st = c->hash->prepare ? c->hash->prepare(&c->hash_ctx) : WL_OK;
	return st ? st : wl_server_start(ctx, ctx->opt[OPT_DELAY], &c->server);
}

static uint64_t echo(const struct wl_ctx *ctx, uint64_t begin, uint64_t end)
{
	struct convoy *c = ctx->state;
	uint64_t sum = 0;
	int fd = wl_connect(ctx, c->server);
	if (fd < 0)
		wl_io_fail("convoy: connect to the delay server");
	for (uint64_t op = begin; op < end; op++)
		if (wl_server_call(ctx, fd, op, CONVOY_BYTES, &sum) != 0)
			wl_io_fail("convoy: round trip");
	wl_close(ctx, fd);
	atomic_store(&c->done, 1);
	return sum;
}

static uint64_t busy(const struct wl_ctx *ctx, uint64_t begin, uint64_t end)
{
	(void)begin;
	(void)end;
	struct convoy *c = ctx->state;
	uint64_t k = atomic_fetch_add(&c->busy, 1), first = k * RANGE, op = first, sum = 0;
	const uint64_t slice = c->hash->slice ? c->hash->slice : 512;
	while (!atomic_load(&c->done)) {
		sum += c->hash->run(&c->hash_ctx, op, op + slice);
		op += slice;
		wl_yield(ctx);
	}
	atomic_store(&c->ops[k], op - first);
	return sum;
}

static uint64_t convoy_expect(const struct wl_ctx *ctx)
{
	const struct convoy *c = ctx->state;
	uint64_t sum = 0;
	for (uint64_t op = 0; op < ctx->size; op++)
		sum += wl_payload_sum(op, CONVOY_BYTES);
	for (uint64_t k = 0; k < atomic_load(&c->busy); k++)
		sum += c->hash->run(&c->hash_ctx, k * RANGE, k * RANGE + atomic_load(&c->ops[k]));
	return sum;
}

static const char *convoy_report(const struct wl_ctx *ctx, const struct wl_result *res,
				 double *fig)
{
	(void)res;
	const struct convoy *c = ctx->state;
	double ops = 0;
	for (uint64_t k = 0; k < atomic_load(&c->busy); k++)
		ops += atomic_load(&c->ops[k]);
	fig[0] = ops;
	return NULL;
}

static void convoy_cleanup(struct wl_ctx *ctx)
{
	struct convoy *c = ctx->state;
	if (!c)
		return;
	if (c->hash && c->hash->cleanup)
		c->hash->cleanup(&c->hash_ctx);
	wl_shared_free(c, sizeof *c);
}

static const struct wl_role convoy_roles[] = {
	{"echo", 1, echo},
	{"busy", 0, busy},
	{0},
};

WORKLOAD(convoy) = {
	.name = "convoy",
	.kind = WL_IO,
	.desc = "one unit's round trips (--size) beside units hashing until it is done: its latency",
	.default_size = 100,
	.needs = WL_CAP_COEXIST,
	.plans = WL_PLAN_BESIDE,
	.opts = convoy_opts,
	.figures = convoy_figures,
	.roles = convoy_roles,
	.prepare = convoy_prepare,
	.expect = convoy_expect,
	.report = convoy_report,
	.cleanup = convoy_cleanup,
};
