/* waits.c — how long each wait took: every sleep and every round trip through the seam adds its
 * duration to one array in memory every unit shares (procs too), so a row can give the median
 * and the 99th percentile of one wait, merged over units — the latency that completion time alone
 * hides (a wait stretched by a busy thread that holds a lock, say). The array is sized to the
 * run's ops, one wait each; a workload that waits more keeps the first ones and the row counts
 * them all. */
#include <stdlib.h>
#include <sys/mman.h>

#include "core/cvp.h"

struct waits {
	_Atomic uint64_t n; /* waits recorded, also past cap */
	uint64_t cap;
	int64_t ns[];
};

struct waits *waits_new(uint64_t cap)
{
	size_t bytes = sizeof(struct waits) + cap * sizeof(int64_t);
	struct waits *w = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
			       MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	CHECK_MEM(w != MAP_FAILED);
	w->cap = cap;
	return w;
}

void waits_free(struct waits *w)
{
	if (w)
		munmap(w, sizeof(struct waits) + w->cap * sizeof(int64_t));
}

void waits_add(struct run *r, int64_t ns)
{
	if (!r || !r->waits)
		return;
	uint64_t i = atomic_fetch_add(&r->waits->n, 1);
	if (i < r->waits->cap)
		r->waits->ns[i] = ns;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

uint64_t waits_percentiles(struct waits *w, double *p50_us, double *p99_us)
{
	uint64_t n = atomic_load(&w->n), k = n < w->cap ? n : w->cap;
	if (k == 0)
		return 0;
	qsort(w->ns, k, sizeof w->ns[0], cmp_i64); /* the units are gone: the array is ours */
	*p50_us = w->ns[(k - 1) / 2] / 1e3;
	*p99_us = w->ns[(k * 99 + 99) / 100 - 1] / 1e3; /* the smallest at or above 99 % */
	return n;
}
