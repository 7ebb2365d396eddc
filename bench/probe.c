/* probe.c — the harness side of the unit-cost probes.
 *
 * Memory (wl_hold): every unit parks; the last to arrive measures, while all N are alive and
 * idle, how much the process (procs: every child and the parent) and the kernel grew, per unit:
 *   vsz, rss  /proc/PID/status VmSize, VmRSS (procs: the mean child's, which counts the
 *             copy-on-write pages it shares with the parent and its siblings)
 *   pss       /proc/PID/smaps_rollup Pss (procs: (parent after + sum of children - parent
 *             before) / n, so shared pages are split, not counted n times)
 *   kernel    KernelStack + PageTables + Slab from /proc/meminfo: system-wide, so each side is
 *             the median of several samples
 * Switch (wl_baton_*): a token passed between two units by a futex word in shared memory, by a
 * pair of pipes, or by a direct swapcontext from one coroutine to the other. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sys/resource.h>
#include <unistd.h>

#include "coro.h"
#include "cvp.h"

enum { KERNEL_SAMPLES = 7 };

/* The value of "Key:" in a /proc file of "Key: value kB" lines; NAN when absent. */
static double proc_kib(const char *path, const char *key)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return NAN;
	char line[256];
	size_t klen = strlen(key);
	double v = NAN;
	while (fgets(line, sizeof line, f))
		if (strncmp(line, key, klen) == 0 && line[klen] == ':') {
			v = strtod(line + klen + 1, NULL);
			break;
		}
	fclose(f);
	return v;
}

static void proc_figures(pid_t pid, struct mem_figures *m)
{
	char status[64], rollup[64];
	snprintf(status, sizeof status, "/proc/%d/status", (int)pid);
	snprintf(rollup, sizeof rollup, "/proc/%d/smaps_rollup", (int)pid);
	m->vsz = proc_kib(status, "VmSize");
	m->rss = proc_kib(status, "VmRSS");
	m->pss = proc_kib(rollup, "Pss");
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* KernelStack + PageTables + Slab, the median of a few samples 1 ms apart; *spread gets
 * their range, a measure of how much the rest of the system moved meanwhile. */
static double kernel_kib(double *spread)
{
	double v[KERNEL_SAMPLES];
	for (int i = 0; i < KERNEL_SAMPLES; i++) {
		v[i] = proc_kib("/proc/meminfo", "KernelStack") + proc_kib("/proc/meminfo", "PageTables") +
		       proc_kib("/proc/meminfo", "Slab");
		usleep(1000);
	}
	qsort(v, KERNEL_SAMPLES, sizeof v[0], cmp_double);
	*spread = v[KERNEL_SAMPLES - 1] - v[0];
	return v[KERNEL_SAMPLES / 2];
}

/* The kernel frees the memory of exited tasks late (RCU, slab shrinking): right after a big run
 * the baseline still drifts down. Wait, up to a second, until two readings 20 ms apart agree. */
static double settled_kernel_kib(double *spread)
{
	enum { AGREE_KIB = 64, MAX_TRIES = 50 };
	double prev = kernel_kib(spread);
	for (int i = 0; i < MAX_TRIES; i++) {
		usleep(20000);
		double now = kernel_kib(spread);
		if (fabs(now - prev) <= AGREE_KIB)
			return now;
		prev = now;
	}
	return prev;
}

void probe_mem_before(struct run *r)
{
	proc_figures(getpid(), &r->sh->mem_before);
	r->sh->mem_before.kernel = settled_kernel_kib(&r->sh->mem_before.kernel_spread);
}

/* Runs in the last unit to arrive, while every other unit is parked. */
static void measure(struct run *r)
{
	struct shared *sh = r->sh;
	const struct mem_figures *b = &sh->mem_before;
	struct mem_figures *m = &sh->mem_unit;
	double n = r->units;
	m->kernel = (kernel_kib(&m->kernel_spread) - b->kernel) / n;
	m->kernel_spread = (m->kernel_spread + b->kernel_spread) / n;
	if (r->model != &model_procs) {
		struct mem_figures now;
		proc_figures(getpid(), &now);
		m->vsz = (now.vsz - b->vsz) / n;
		m->rss = (now.rss - b->rss) / n;
		m->pss = (now.pss - b->pss) / n;
		return;
	}
	struct mem_figures parent, child, sum = {0};
	proc_figures(getppid(), &parent);
	for (uint64_t u = 0; u < r->units; u++) {
		proc_figures(sh->slot[u].pid, &child);
		sum.vsz += child.vsz;
		sum.rss += child.rss;
		sum.pss += child.pss;
	}
	m->vsz = sum.vsz / n;
	m->rss = sum.rss / n;
	m->pss = (parent.pss + sum.pss - b->pss) / n;
}

void wl_hold(const struct wl_ctx *ctx)
{
	struct run *r = ctx->run;
	if (gate_arrive(r, &r->sh->held, &r->sh->hold_open)) {
		measure(r);
		gate_open(&r->sh->hold_open);
	}
}

int probe_baton_open(struct run *r)
{
	struct shared *sh = r->sh;
	sh->holder[0] = sh->holder[1] = -1;
	for (int i = 0; i < 2; i++)
		sh->pipe_fd[i][0] = sh->pipe_fd[i][1] = -1;
	if (!r->ctx.variant || strcmp(r->ctx.variant, "pipe") != 0)
		return 0;
	for (int i = 0; i < 2; i++)
		if (pipe(sh->pipe_fd[i]) != 0) {
			fprintf(stderr, "cvp: pingpong: pipe: %s (limit: RLIMIT_NOFILE, ulimit -n)\n",
				strerror(errno));
			return EXIT_LIMIT;
		}
	return 0;
}

void probe_baton_close(struct run *r)
{
	for (int i = 0; i < 2; i++)
		for (int j = 0; j < 2; j++)
			if (r->sh->pipe_fd[i][j] >= 0)
				close(r->sh->pipe_fd[i][j]);
}

void wl_baton_wait(const struct wl_ctx *ctx, uint64_t turn)
{
	struct run *r = ctx->run;
	struct shared *sh = r->sh;
	uint32_t want = (uint32_t)turn;
	switch (ctx->variant[0]) {
	case 'f': /* futex */
		for (uint32_t v; (v = atomic_load(&sh->turn)) != want;)
			futex_wait(&sh->turn, v);
		break;
	case 'p': { /* pipe: one byte per turn; side 0 holds the token at turn 0 */
		if (turn == 0)
			break;
		char c;
		ssize_t n;
		while ((n = read(sh->pipe_fd[turn % 2][0], &c, 1)) < 0 && errno == EINTR)
			;
		CHECK(n == 1);
		break;
	}
	default: /* direct: swap straight into the other side's coroutine */
		atomic_store(&sh->holder[turn % 2], (int64_t)coros_current(r));
		while (atomic_load(&sh->turn) != want) {
			int64_t other = atomic_load(&sh->holder[(turn + 1) % 2]);
			if (other >= 0)
				coros_switch_to(r, other);
			else
				r->yield(r); /* the other side has not started yet */
		}
	}
}

void wl_baton_pass(const struct wl_ctx *ctx, uint64_t turn)
{
	struct run *r = ctx->run;
	struct shared *sh = r->sh;
	atomic_store(&sh->turn, (uint32_t)(turn + 1));
	switch (ctx->variant[0]) {
	case 'f':
		futex_wake(&sh->turn, 1);
		break;
	case 'p':
		if (turn + 1 < ctx->size) {
			char c = 1;
			CHECK(write(sh->pipe_fd[(turn + 1) % 2][1], &c, 1) == 1);
		}
		break;
	default:
		break;
	}
}

uint64_t unit_stack_kib(const struct run *r)
{
	if (r->model == &model_serial)
		return 0;
	if (r->o->stack_set && r->model != &model_procs)
		return r->o->stack_kib;
	if (r->model == &model_coros)
		return CORO_STACK_DEFAULT_KIB;
	if (r->model == &model_threads) {
		pthread_attr_t a;
		size_t bytes;
		CHECK(pthread_getattr_default_np(&a) == 0);
		CHECK(pthread_attr_getstacksize(&a, &bytes) == 0);
		pthread_attr_destroy(&a);
		return bytes / 1024;
	}
	struct rlimit rl; /* procs: a child's main stack may grow to RLIMIT_STACK */
	CHECK(getrlimit(RLIMIT_STACK, &rl) == 0);
	return rl.rlim_cur == RLIM_INFINITY ? 0 : rl.rlim_cur / 1024;
}

enum { TOUCH_DEFAULT_KIB = 4, STACK_MARGIN_KIB = 8 };

void probe_configure(struct run *r)
{
	const struct opts *o = r->o;
	const struct workload *wl = r->wl;
	const char *name = wl->name;

	if (o->touch_set && wl->probe != PROBE_MEMORY)
		cvp_die(EXIT_USAGE, "--touch-kib: only the idle probe touches stack, not %s", name);
	if (o->variant && !wl->variants)
		cvp_die(EXIT_USAGE, "--variant: %s has no variants", name);
	if (wl->probe == PROBE_NONE)
		return;
	if (r->model == &model_serial)
		cvp_die(EXIT_UNSUPPORTED,
			"%s under serial: skipped, serial runs units one after another, so they "
			"are never alive together (use threads, procs or coros)", name);
	if (o->size_set && wl->probe != PROBE_SWITCH)
		cvp_die(EXIT_USAGE, "--size: does not apply to %s (one op per unit; use --units)",
			name);
	if (o->tasks_set && o->tasks != r->units)
		cvp_die(EXIT_USAGE, "--tasks: %s runs one task per unit (%llu)", name,
			(unsigned long long)r->units);

	switch (wl->probe) {
	case PROBE_SWITCH: {
		if (o->units_set && o->units != 2)
			cvp_die(EXIT_USAGE, "--units: %s runs exactly 2 units", name);
		r->units = r->tasks = r->ctx.tasks = 2;
		bool coros = r->model == &model_coros;
		const char *v = o->variant ? o->variant : coros ? "direct" : "futex";
		int i = 0;
		while (wl->variants[i] && strcmp(wl->variants[i], v) != 0)
			i++;
		if (!wl->variants[i])
			cvp_die(EXIT_USAGE, "--variant: unknown value '%s' (valid: futex, pipe, direct)",
				v);
		if (coros != (strcmp(v, "direct") == 0))
			cvp_die(EXIT_UNSUPPORTED,
				"%s --variant %s under %s: skipped, %s", name, v, r->model->name,
				coros ? "a blocking futex or pipe would stall the only thread "
					"(coros use --variant direct)"
				      : "a direct switch exists only between coroutines");
		r->ctx.variant = v;
		break;
	}
	case PROBE_MEMORY: {
		r->ctx.touch_kib = o->touch_set ? o->touch_kib : TOUCH_DEFAULT_KIB;
		uint64_t stack = unit_stack_kib(r);
		if (stack && r->ctx.touch_kib + STACK_MARGIN_KIB > stack)
			cvp_die(EXIT_USAGE,
				"--touch-kib: %llu KiB does not fit a %llu KiB stack with %d KiB to "
				"spare (raise --stack-kib or lower --touch-kib)",
				(unsigned long long)r->ctx.touch_kib, (unsigned long long)stack,
				STACK_MARGIN_KIB);
		__attribute__((fallthrough));
	}
	case PROBE_SPAWN:
		r->tasks = r->ctx.tasks = r->units;
		r->ctx.size = r->units;
		break;
	case PROBE_NONE:
		break;
	}
}
