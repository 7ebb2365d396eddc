/* mixed — CPU and IO compete: echo with the delay server, and after each reply --work ops of
 * the hash kernel (256 dependent steps each; the same code as the hash workload, found by
 * name). --size is per task; one op = one round trip plus its hash work. With enough work per
 * reply the run turns CPU-bound and parallel models pull ahead; with little, it waits like
 * echo. Verified like echo, plus the hash checksum. */
#include "workload.h"

enum { MIXED_BYTES = 64 };

struct mixed {
	const struct workload *hash;
	struct wl_ctx hash_ctx;
};

static int mixed_prepare(struct wl_ctx *ctx)
{
	struct mixed *m = wl_shared_alloc(sizeof *m);
	if (!m)
		return 3;
	ctx->state = m;
	m->hash = wl_find("hash");
	if (!m->hash)
		return 4;
	return m->hash->prepare ? m->hash->prepare(&m->hash_ctx) : 0;
}

static uint64_t mixed_run(const struct wl_ctx *ctx, uint64_t begin, uint64_t end)
{
	const struct mixed *m = ctx->state;
	uint64_t sum = 0;
	int fd = wl_connect(ctx, ctx->server);
	if (fd < 0)
		wl_io_fail("mixed: connect to the delay server");
	for (uint64_t op = begin; op < end; op++) {
		if (wl_server_call(ctx, fd, op, MIXED_BYTES, &sum) != 0)
			wl_io_fail("mixed: round trip");
		sum += m->hash->run(&m->hash_ctx, op * ctx->work, (op + 1) * ctx->work);
	}
	wl_close(ctx, fd);
	return sum;
}

static uint64_t mixed_expect(const struct wl_ctx *ctx)
{
	const struct mixed *m = ctx->state;
	uint64_t sum = m->hash->run(&m->hash_ctx, 0, ctx->size * ctx->work);
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
	.prepare = mixed_prepare,
	.run = mixed_run,
	.expect = mixed_expect,
	.cleanup = mixed_cleanup,
	.per_task_size = true,
	.needs_server = true,
	.uses_work = true,
};
