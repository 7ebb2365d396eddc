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
 * unit must see (procs included) comes from wl_shared_alloc(). It waits only through the IO
 * seam below (wl_sleep_ns, wl_connect, wl_read, wl_write...): under serial, threads and procs
 * those calls block; under coros they park the coroutine on the scheduler's epoll loop or
 * timer heap, so the same source runs under every model.
 */
#ifndef CVP_WORKLOAD_H
#define CVP_WORKLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

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
	uint32_t delay_ms;   /* --delay-ms: a sleep, or the delay server's answer time */
	uint64_t work;       /* --work: hash ops per reply (mixed) */
	const char *server;  /* the delay server's Unix socket path, when needs_server */
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
	/* --size counts ops per task, not per run: the run does size x tasks ops. */
	bool per_task_size;
	/* The harness starts the delay server before the clock (ctx->server) and stops it after. */
	bool needs_server;
	/* --work applies (ctx->work); its value goes in the row. */
	bool uses_work;
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

/* The IO seam: the only way a workload waits. Each returns like the system call it is named
 * after (-1 with errno on failure); under coros it parks the coroutine instead of blocking. */

/* CLOCK_MONOTONIC in nanoseconds. */
int64_t wl_now_ns(void);
/* Waits at least ns nanoseconds. */
void wl_sleep_ns(const struct wl_ctx *ctx, uint64_t ns);
/* A stream socket connected to the Unix socket at path; -1 with errno. */
int wl_connect(const struct wl_ctx *ctx, const char *path);
/* A pipe (O_CLOEXEC); 0 or -1 with errno. */
int wl_pipe(const struct wl_ctx *ctx, int fd[2]);
/* read(2) / write(2) on a socket or pipe: waits until some bytes move; returns their count. */
ssize_t wl_read(const struct wl_ctx *ctx, int fd, void *buf, size_t n);
ssize_t wl_write(const struct wl_ctx *ctx, int fd, const void *buf, size_t n);
/* Loops until all n bytes moved; returns n, fewer at end of file, or -1 with errno. */
ssize_t wl_read_all(const struct wl_ctx *ctx, int fd, void *buf, size_t n);
ssize_t wl_write_all(const struct wl_ctx *ctx, int fd, const void *buf, size_t n);
/* Closes an fd opened through the seam and forgets its event-loop state. */
int wl_close(const struct wl_ctx *ctx, int fd);
/* Ends the run after an IO failure: "cvp: <what>: <errno text>"; exit 3 when errno names a
 * resource limit (EMFILE, ENFILE, ENOMEM, ENOBUFS), otherwise exit 1. */
_Noreturn void wl_io_fail(const char *what);

/* The delay server's protocol. Sends a request of `bytes` payload bytes derived from seed and
 * waits for the echo, which the server sends after --delay-ms. Returns 0 and adds to *sum the
 * checksum of the echoed bytes and their count, or -1 with errno (EBADMSG: the echo differs). */
int wl_server_call(const struct wl_ctx *ctx, int fd, uint64_t seed, uint32_t bytes,
		   uint64_t *sum);
/* What wl_server_call adds to *sum for a correct echo of (seed, bytes); no IO. */
uint64_t wl_payload_sum(uint64_t seed, uint32_t bytes);

/* Another workload's descriptor by name (mixed reuses hash's kernel); NULL if none. */
const struct workload *wl_find(const char *name);

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
