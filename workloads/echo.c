/* echo — request/response over a Unix socket with the delay server, which holds each request
 * --delay-ms before echoing it. --size is per task: a task connects once and makes --size round
 * trips of ECHO_BYTES payload bytes (one op = one round trip). Verified: every echoed byte is
 * compared with what was sent, and the checksum covers the bytes and their count. */
#include "workload.h"

enum { ECHO_BYTES = 64 };
enum { OPT_DELAY };

static const struct wl_opt echo_opts[] = {
	[OPT_DELAY] = WL_OPT_DELAY_MS,
	{0},
};

struct echo {
	const char *server; /* the delay server's socket */
};

static int echo_prepare(struct wl_ctx *ctx)
{
	struct echo *e = wl_shared_alloc(sizeof *e);
	if (!e)
		return wl_refuse(ctx, WL_LIMIT, "cannot map its state (limit: memory)");
	ctx->state = e;
	return wl_server_start(ctx, ctx->opt[OPT_DELAY], &e->server);
}

static uint64_t echo_run(const struct wl_ctx *ctx, uint64_t begin, uint64_t end)
{
	const struct echo *e = ctx->state;
	uint64_t sum = 0;
	int fd = wl_connect(ctx, e->server);
	if (fd < 0)
		wl_io_fail("echo: connect to the delay server");
	for (uint64_t op = begin; op < end; op++)
		if (wl_server_call(ctx, fd, op, ECHO_BYTES, &sum) != 0)
			wl_io_fail("echo: round trip");
	wl_close(ctx, fd);
	return sum;
}

static uint64_t echo_expect(const struct wl_ctx *ctx)
{
	uint64_t sum = 0;
	for (uint64_t op = 0; op < ctx->size; op++)
		sum += wl_payload_sum(op, ECHO_BYTES);
	return sum;
}

static void echo_cleanup(struct wl_ctx *ctx)
{
	wl_shared_free(ctx->state, sizeof(struct echo));
}

WORKLOAD(echo) = {
	.name = "echo",
	.kind = WL_IO,
	.desc = "each task connects once, --size round trips with the delay server; op = one",
	.default_size = 10,
	.size_per = WL_SIZE_TASK,
	.opts = echo_opts,
	.prepare = echo_prepare,
	.run = echo_run,
	.expect = echo_expect,
	.cleanup = echo_cleanup,
};
