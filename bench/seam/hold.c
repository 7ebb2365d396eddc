/* hold.c — where units wait for each other inside their work: wl_meet (all arrive, then all go)
 * and the memory probe's wl_hold_baseline and wl_hold (hold_arrive for stackless units, whose
 * model parks them itself). In wl_hold every unit parks;
 * the last to arrive measures, while all N are alive and idle, how much the process (where
 * units have address spaces of their own: every child and the parent) and the kernel grew, per
 * unit:
 *   vsz, rss  /proc/PID/status VmSize, VmRSS (procs: the mean child's, which counts the
 *             copy-on-write pages it shares with the parent and its siblings)
 *   pss       /proc/PID/smaps_rollup Pss (procs: (parent after + sum of children - parent
 *             before) / n, so shared pages are split, not counted n times)
 *   kernel    KernelStack + PageTables + SUnreclaim from /proc/meminfo, and each apart:
 *             system-wide, so each side is the median of several samples */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/cvp.h"

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

static void proc_figures(pid_t pid, struct wl_memory *m)
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

static double median(double *v, int n)
{
	qsort(v, n, sizeof v[0], cmp_double);
	return v[n / 2];
}

/* The kernel's memory in parts — KernelStack, PageTables and unreclaimable slab (SUnreclaim:
 * tasks, mm, VMAs; the reclaimable caches would let other activity in) — each the median of a
 * few samples 1 ms apart, and their sum; kernel_spread gets the range of the sums, a measure of
 * how much the rest of the system moved meanwhile. */
static void kernel_kib(struct wl_memory *m)
{
	double ks[KERNEL_SAMPLES], pt[KERNEL_SAMPLES], sl[KERNEL_SAMPLES], sum[KERNEL_SAMPLES];
	for (int i = 0; i < KERNEL_SAMPLES; i++) {
		ks[i] = proc_kib("/proc/meminfo", "KernelStack");
		pt[i] = proc_kib("/proc/meminfo", "PageTables");
		sl[i] = proc_kib("/proc/meminfo", "SUnreclaim");
		sum[i] = ks[i] + pt[i] + sl[i];
		usleep(1000);
	}
	m->kstack = median(ks, KERNEL_SAMPLES);
	m->ptables = median(pt, KERNEL_SAMPLES);
	m->slab = median(sl, KERNEL_SAMPLES);
	m->kernel = m->kstack + m->ptables + m->slab;
	median(sum, KERNEL_SAMPLES);
	m->kernel_spread = sum[KERNEL_SAMPLES - 1] - sum[0];
}

/* The kernel frees the memory of exited tasks late (RCU, slab shrinking): right after a big run
 * the baseline still drifts down. Wait, up to a second, until two readings 20 ms apart agree. */
static void settled_kernel_kib(struct wl_memory *m)
{
	enum { AGREE_KIB = 64, MAX_TRIES = 50 };
	kernel_kib(m);
	for (int i = 0; i < MAX_TRIES; i++) {
		double prev = m->kernel;
		usleep(20000);
		kernel_kib(m);
		if (fabs(m->kernel - prev) <= AGREE_KIB)
			return;
	}
}

void wl_hold_baseline(const struct wl_ctx *ctx)
{
	struct shared *sh = ctx->run->sh;
	proc_figures(getpid(), &sh->mem_before);
	settled_kernel_kib(&sh->mem_before);
	sh->mem_before.measured = true;
}

/* Runs in the last unit to arrive, while every other unit is parked. */
static void measure(struct run *r)
{
	struct shared *sh = r->sh;
	const struct wl_memory *b = &sh->mem_before;
	struct wl_memory *m = &sh->mem_unit;
	double n = r->units;
	CHECK(b->measured); /* the workload's prepare() called wl_hold_baseline() */
	m->measured = true;
	kernel_kib(m);
	m->kstack = (m->kstack - b->kstack) / n;
	m->ptables = (m->ptables - b->ptables) / n;
	m->slab = (m->slab - b->slab) / n;
	m->kernel = m->kstack + m->ptables + m->slab;
	m->kernel_spread = (m->kernel_spread + b->kernel_spread) / n;
	if (r->model->caps & WL_CAP_SHARED) {
		struct wl_memory now;
		proc_figures(getpid(), &now);
		m->vsz = (now.vsz - b->vsz) / n;
		m->rss = (now.rss - b->rss) / n;
		m->pss = (now.pss - b->pss) / n;
		return;
	}
	struct wl_memory parent, child, sum = {0};
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

bool hold_arrive(struct run *r)
{
	if (atomic_fetch_add(&r->sh->held, 1) + 1 < r->units)
		return false;
	measure(r);
	gate_open(&r->sh->hold_open);
	return true;
}

void wl_meet(const struct wl_ctx *ctx)
{
	struct run *r = ctx->run;
	if (gate_arrive(r, &r->sh->met, &r->sh->met_open))
		gate_open(&r->sh->met_open);
}
