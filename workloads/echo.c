/* echo — request/response over a Unix socket with the delay server, which holds each request
 * --delay-ms before echoing it. --size is per task: a task connects once and makes --size round
 * trips of ECHO_BYTES payload bytes (one op = one round trip). Verified: every echoed byte is
 * compared with what was sent, and the checksum covers the bytes and their count. */
#include "workload.h"

enum { ECHO_BYTES = 64 };

static uint64_t echo_run(const struct wl_ctx *ctx, uint64_t begin, uint64_t end)
{
	uint64_t sum = 0;
	int fd = wl_connect(ctx, ctx->server);
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

WORKLOAD(echo) = {
	.name = "echo",
	.kind = WL_IO,
	.desc = "each task connects once, --size round trips with the delay server; op = one",
	.default_size = 10,
	.run = echo_run,
	.expect = echo_expect,
	.per_task_size = true,
	.needs_server = true,
};
