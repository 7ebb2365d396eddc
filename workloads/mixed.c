/* mixed — CPU and IO compete: echo with the delay server, and after each reply --work ops of
 * the hash kernel (256 dependent steps each; the same code as the hash workload, found by
 * name). --size is per task; one op = one round trip plus its hash work. With enough work per
 * reply the run turns CPU-bound and parallel models pull ahead; with little, it waits like
 * echo. Verified like echo, plus the hash checksum. */
#include "workload.h"

enum { MIXED_BYTES = 64 };
enum { OPT_DELAY, OPT_WORK };

static const struct wl_opt mixed_opts[] = {
	[OPT_DELAY] = WL_OPT_DELAY_MS,
	[OPT_WORK] = {.name = "work", .type = WL_OPT_UINT, .arg = "N", .max = 1u << 30, .def = 100,
		      .help = "hash ops (256 steps each) after each reply"},
	{0},
};

struct mixed {
	const char *server;
	const struct workload *hash;
	struct wl_ctx hash_ctx;
};

static int mixed_prepare(struct wl_ctx *ctx)
{
	struct mixed *m = wl_shared_alloc(sizeof *m);
	if (!m)
		return wl_refuse(ctx, WL_LIMIT, "cannot map its state (limit: memory)");
	ctx->state = m;
	m->hash = wl_find("hash");
	if (!m->hash)
		return wl_refuse(ctx, WL_UNSUPPORTED, "needs the hash workload, not built in");
	m->hash_ctx.run = ctx->run;
	int st = m->hash->prepare ? m->hash->prepare(&m->hash_ctx) : WL_OK;
	return st ? st : wl_server_start(ctx, ctx->opt[OPT_DELAY], &m->server);
}

static uint64_t mixed_run(const struct wl_ctx *ctx, uint64_t begin, uint64_t end)
{
	const struct mixed *m = ctx->state;
	uint64_t work = ctx->opt[OPT_WORK], sum = 0;
	int fd = wl_connect(ctx, m->server);
	if (fd < 0)
		wl_io_fail("mixed: connect to the delay server");
	for (uint64_t op = begin; op < end; op++) {
		if (wl_server_call(ctx, fd, op, MIXED_BYTES, &sum) != 0)
			wl_io_fail("mixed: round trip");
		sum += m->hash->run(&m->hash_ctx, op * work, (op + 1) * work);
	}
	wl_close(ctx, fd);
	return sum;
}

static uint64_t mixed_expect(const struct wl_ctx *ctx)
{
	const struct mixed *m = ctx->state;
	uint64_t sum = m->hash->run(&m->hash_ctx, 0, ctx->size * ctx->opt[OPT_WORK]);
	for (uint64_t op = 0; op < ctx->size; op++)
		sum += wl_payload_sum(op, MIXED_BYTES);
	return sum;
}

static void mixed_cleanup(struct wl_ctx *ctx)
{
	struct mixed *m = ctx->state;
	if (!m)
		return;
	if (m->hash && m->hash->cleanup)
		m->hash->cleanup(&m->hash_ctx);
	wl_shared_free(m, sizeof *m);
}

WORKLOAD(mixed) = {
	.name = "mixed",
	.kind = WL_IO,
	.desc = "echo plus --work hash ops per reply, so CPU and IO compete; op = one of each",
	.default_size = 10,
	.size_per = WL_SIZE_TASK,
	.opts = mixed_opts,
	.prepare = mixed_prepare,
	.run = mixed_run,
	.expect = mixed_expect,
	.cleanup = mixed_cleanup,
};
