/* pingpong — what a switch between two units costs. Two units pass a token --size times; one
 * op is one one-way hand-off (turn), so ns_per_op is ns per one-way switch. The ping unit takes
 * the even turns, the pong unit the odd ones. The token carries a value each turn mixes, so the
 * checksum depends on the order of the hand-offs. --variant: futex or pipe (units that block:
 * threads, procs), direct (a switch straight into the other unit: coros), spin (both spin on the
 * word from two cores: the floor of a cross-core hand-off, without the kernel). */
#include "workload.h"

enum { OPT_VARIANT };
/* In the order of enum wl_baton_kind. */
static const char *const variants[] = {"futex", "pipe", "direct", "spin", NULL};
static const unsigned variant_needs[] = {
	WL_CAP_COEXIST | WL_CAP_BLOCK, WL_CAP_COEXIST | WL_CAP_BLOCK, WL_CAP_DIRECT,
	WL_CAP_COEXIST | WL_CAP_PARALLEL};
static const struct wl_opt pingpong_opts[] = {
	[OPT_VARIANT] = {.name = "variant", .type = WL_OPT_CHOICE, .arg = "V", .choices = variants,
			 .choice_needs = variant_needs, .auto_def = true,
			 .help = "how the token moves (default: the first the model can do):"},
	{0},
};

static const struct wl_figure pingpong_figures[] = {
	{"ns_per_op", "ns", WL_LOWER, "one one-way hand-off"},
	{0},
};

static int pingpong_prepare(struct wl_ctx *ctx)
{
	enum wl_baton_kind kind = (enum wl_baton_kind)ctx->opt[OPT_VARIANT];
	if (kind == WL_BATON_SPIN && ctx->cores < 2)
		return wl_refuse(ctx, WL_UNSUPPORTED,
				 "--variant spin needs --cores 2: two spinners on one core measure "
				 "the scheduler's time slice, not a hand-off");
	ctx->state = wl_baton_new(ctx, kind, ctx->size);
	if (!ctx->state)
		return wl_refuse(ctx, WL_LIMIT, "cannot make the token: %m (limits: RLIMIT_NOFILE, "
						"memory)");
	return WL_OK;
}

/* What turn t makes of the value the token brought. */
static uint64_t step(uint64_t carried, uint64_t turn)
{
	return wl_mix64(carried + turn);
}

/* The turns of one parity in [begin, end): first is 0 (ping) or 1 (pong). */
static uint64_t turns(const struct wl_ctx *ctx, uint64_t first, uint64_t begin, uint64_t end)
{
	uint64_t sum = 0;
	for (uint64_t turn = begin + ((begin ^ first) & 1); turn < end; turn += 2) {
		uint64_t v = step(wl_baton_wait(ctx, ctx->state, turn), turn);
		sum += v;
		wl_baton_pass(ctx, ctx->state, turn, v);
	}
	return sum;
}

static uint64_t ping(const struct wl_ctx *ctx, uint64_t begin, uint64_t end)
{
	return turns(ctx, 0, begin, end);
}

static uint64_t pong(const struct wl_ctx *ctx, uint64_t begin, uint64_t end)
{
	return turns(ctx, 1, begin, end);
}

/* The chain of values, turn after turn, as a correct alternation makes it. */
static uint64_t pingpong_expect(const struct wl_ctx *ctx)
{
	uint64_t sum = 0, v = 0;
	for (uint64_t turn = 0; turn < ctx->size; turn++) {
		v = step(v, turn);
		sum += v;
	}
	return sum;
}

static const char *pingpong_report(const struct wl_ctx *ctx, const struct wl_result *res,
				   double *fig)
{
	fig[0] = res->wall_s * 1e9 / ctx->size;
	return NULL;
}

static void pingpong_cleanup(struct wl_ctx *ctx)
{
	wl_baton_free(ctx->state);
}

static const struct wl_role pingpong_roles[] = {
	{"ping", 1, ping},
	{"pong", 1, pong},
	{0},
};

WORKLOAD(pingpong) = {
	.name = "pingpong",
	.kind = WL_PROBE,
	.desc = "two units pass a token --size times: ns per one-way switch (--variant)",
	.default_size = 100000,
	.needs = WL_CAP_COEXIST,
	.plans = WL_PLAN_PLACEMENT,
	.opts = pingpong_opts,
	.figures = pingpong_figures,
	.roles = pingpong_roles,
	.prepare = pingpong_prepare,
	.expect = pingpong_expect,
	.report = pingpong_report,
	.cleanup = pingpong_cleanup,
};
