/* idle — what N live, idle units cost in memory. One op = one unit: it touches --touch-kib of
 * its stack, then parks in wl_hold() until every unit has arrived and the harness has measured
 * VSZ, RSS, PSS and kernel memory per unit (bench/seam/hold.c says how each is counted). */
#include <alloca.h>
#include <math.h>

#include "workload.h"

enum { OPT_TOUCH };
enum { STACK_MARGIN_KIB = 8 };

static const struct wl_opt idle_opts[] = {
	[OPT_TOUCH] = {.name = "touch-kib", .type = WL_OPT_UINT, .arg = "K", .max = 1u << 20,
		       .def = 4, .help = "KiB of stack each unit touches"},
	{0},
};

/* Touched first: the headline, what a unit really costs (its pages, shared ones split, and
 * what the kernel keeps for it). */
enum { FIG_TOUCHED, FIG_PSS, FIG_KERNEL, FIG_KSTACK, FIG_PTABLES, FIG_SLAB, FIG_RSS, FIG_VSZ };
static const struct wl_figure idle_figures[] = {
	[FIG_TOUCHED] = {"touched_kib_per_unit", "KiB", WL_LOWER, "pss + kernel per unit"},
	[FIG_PSS] = {"pss_kib_per_unit", "KiB", WL_LOWER, "resident, shared pages split"},
	[FIG_KERNEL] = {"kernel_kib_per_unit", "KiB", WL_LOWER,
			"kernel stacks, page tables and unreclaimable slab per unit"},
	[FIG_KSTACK] = {"kernel_stack_kib_per_unit", "KiB", WL_LOWER, "kernel stacks per unit"},
	[FIG_PTABLES] = {"page_tables_kib_per_unit", "KiB", WL_LOWER, "page tables per unit"},
	[FIG_SLAB] = {"slab_kib_per_unit", "KiB", WL_LOWER, "unreclaimable slab per unit"},
	[FIG_RSS] = {"rss_kib_per_unit", "KiB", WL_LOWER, "resident pages per unit"},
	[FIG_VSZ] = {"vsz_kib_per_unit", "KiB", WL_LOWER, "address space reserved per unit"},
	{0},
};

static int idle_prepare(struct wl_ctx *ctx)
{
	uint64_t touch = ctx->opt[OPT_TOUCH], stack = wl_unit_stack_kib(ctx);
	if (stack && touch + STACK_MARGIN_KIB > stack)
		return wl_refuse(ctx, WL_USAGE,
				 "--touch-kib: %llu KiB does not fit a %llu KiB stack with %d KiB "
				 "to spare (raise --stack-kib or lower --touch-kib)",
				 (unsigned long long)touch, (unsigned long long)stack,
				 STACK_MARGIN_KIB);
	wl_hold_baseline(ctx);
	return WL_OK;
}

/* Writes one byte in every page of kib KiB below the current frame. */
static __attribute__((noinline)) void touch_stack(uint64_t kib)
{
	volatile char *p = alloca(kib * 1024 + 1);
	for (uint64_t i = 0; i < kib * 1024; i += 4096)
		p[i] = 1;
	p[kib * 1024] = 1;
}

static uint64_t idle_run(const struct wl_ctx *ctx, uint64_t begin, uint64_t end)
{
	for (uint64_t op = begin; op < end; op++) {
		touch_stack(ctx->opt[OPT_TOUCH]);
		wl_hold(ctx);
	}
	return end - begin;
}

static uint64_t idle_expect(const struct wl_ctx *ctx)
{
	return ctx->size;
}

static const char *idle_report(const struct wl_ctx *ctx, const struct wl_result *res,
			       double *fig)
{
	(void)ctx;
	if (!res->mem.measured)
		return NULL;
	fig[FIG_TOUCHED] = res->mem.pss + res->mem.kernel;
	fig[FIG_VSZ] = res->mem.vsz;
	fig[FIG_RSS] = res->mem.rss;
	fig[FIG_PSS] = res->mem.pss;
	fig[FIG_KERNEL] = res->mem.kernel;
	fig[FIG_KSTACK] = res->mem.kstack;
	fig[FIG_PTABLES] = res->mem.ptables;
	fig[FIG_SLAB] = res->mem.slab;
	if (fabs(res->mem.kernel) <= res->mem.kernel_spread)
		return "kernel_kib_per_unit is within the noise of /proc/meminfo (system-wide); use "
		       "more units";
	return NULL;
}

WORKLOAD(idle) = {
	.name = "idle",
	.kind = WL_PROBE,
	.desc = "memory per unit: N units alive, each having touched --touch-kib of stack",
	.size_per = WL_SIZE_UNIT,
	.needs = WL_CAP_COEXIST,
	.opts = idle_opts,
	.figures = idle_figures,
	.prepare = idle_prepare,
	.run = idle_run,
	.expect = idle_expect,
	.report = idle_report,
};
