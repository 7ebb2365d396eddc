/* workload.h — the one interface every workload is written against.
 *
 * A workload does "ops". A run's total work is --size ops; the harness splits them into
 * --tasks contiguous ranges and units take ranges from a shared counter. run() does one range
 * [begin, end) and returns a checksum that must be additive:
 *     run(a, c) == run(a, b) + run(b, c)   (mod 2^64)
 * so the harness may cut a task into slices (coroutines yield between slices) and combine
 * tasks in any order, and still compare against one serial pass over [0, size).
 *
 * A workload never creates threads, processes or contexts and never pins; memory that every
 * unit must see (procs included) comes from wl_shared_alloc().
 */
#ifndef CVP_WORKLOAD_H
#define CVP_WORKLOAD_H

#include <stddef.h>
#include <stdint.h>

enum wl_kind { WL_CPU, WL_IO, WL_PROBE };

/* What a probe measures; the harness fills the matching columns. */
enum wl_probe {
	PROBE_NONE,
	PROBE_MEMORY, /* per-unit memory while every unit is parked in wl_hold() */
	PROBE_SPAWN,  /* create, start, finish and reap: µs per unit, first-start latency */
	PROBE_SWITCH, /* ns per op = per one-way hand-off (ops are hand-offs) */
};

struct run; /* the harness's; opaque to workloads, passed back to the seam */

/* What a workload sees of the run. state is set by prepare() and read-only afterwards. */
struct wl_ctx {
	uint64_t size;       /* total ops in the run */
	uint64_t tasks;      /* number of ranges the ops are split into */
	void *state;
	const char *variant; /* --variant, or NULL */
	uint64_t touch_kib;  /* --touch-kib: stack a unit touches (memory probe) */
	struct run *run;     /* for the seam functions */
};

struct workload {
	const char *name;
	enum wl_kind kind;
	const char *desc;
	uint64_t default_size; /* about half a second under serial on a 2-core VM */
	uint64_t slice;        /* ops per slice; coroutines yield between slices; 0: whole task */
	/* Optional: build read-only state before any unit exists. Returns 0 or an exit status. */
	int (*prepare)(struct wl_ctx *ctx);
	/* Do ops [begin, end); return their additive checksum. */
	uint64_t (*run)(const struct wl_ctx *ctx, uint64_t begin, uint64_t end);
	/* Optional: release what prepare() took. */
	void (*cleanup)(struct wl_ctx *ctx);
	/* Optional: the checksum a correct run over [0, size) gives, computed without redoing the
	 * work (for workloads whose ops need other units or waits). Default: run(0, size). */
	uint64_t (*expect)(const struct wl_ctx *ctx);
	enum wl_probe probe;
	const char *const *variants; /* accepted --variant values, NULL-ended; NULL: none */
};

/* Defines the descriptor of the workload in workloads/<id>.c; the Makefile registers it. */
#define WORKLOAD(id) const struct workload workload_##id

/* Zeroed memory shared with every unit, also across fork(); NULL when out of memory. */
void *wl_shared_alloc(size_t bytes);
/* Releases memory from wl_shared_alloc(). */
void wl_shared_free(void *p, size_t bytes);

/* Memory probe: park until every unit of the run has arrived, while the harness measures. */
void wl_hold(const struct wl_ctx *ctx);

/* Switch probe: a token passed between two units. Turns are numbered 0, 1, 2, ...; the unit
 * doing even turns starts with the token. wl_baton_wait blocks until turn t is due (futex,
 * pipe or a direct coroutine switch, by --variant); wl_baton_pass hands turn t + 1 over. */
void wl_baton_wait(const struct wl_ctx *ctx, uint64_t turn);
void wl_baton_pass(const struct wl_ctx *ctx, uint64_t turn);

/* 64-bit mixer (splitmix64 finaliser): a cheap, well-spread hash of one word. */
static inline uint64_t wl_mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

#endif
