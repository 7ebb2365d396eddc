/* cvp.h — the harness's shared definitions: options, the run, the unit slots in shared memory,
 * the executor interface every model implements, and the always-on CHECK. */
#ifndef CVP_H
#define CVP_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "../workloads/workload.h"

/* Exit statuses (DESIGN.md): scripts rely on them. */
enum {
	EXIT_OK = 0,
	EXIT_WRONG = 1,       /* wrong result or runtime failure */
	EXIT_USAGE = 2,       /* bad command line */
	EXIT_LIMIT = 3,       /* a resource limit was reached */
	EXIT_UNSUPPORTED = 4, /* cannot run here; skipped */
};

/* Always on, whatever NDEBUG says: prints the condition, errno and place, then exits 1. */
#define CHECK(cond)                                                                          \
	do {                                                                                 \
		if (!(cond))                                                                 \
			cvp_check_failed(#cond, __FILE__, __LINE__);                         \
	} while (0)
_Noreturn void cvp_check_failed(const char *cond, const char *file, int line);

/* Prints "cvp: <message>" on stderr and exits with status. */
_Noreturn void cvp_die(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

enum pin_mode { PIN_COMPACT, PIN_SCATTER, PIN_NONE };
enum out_format { FMT_CSV, FMT_JSON, FMT_TEXT };

struct opts {
	const char *model;
	const char *workload;
	uint64_t units, tasks, cores, size, stack_kib;
	bool units_set, tasks_set, cores_set, size_set, stack_set;
	enum pin_mode pin;
	enum out_format format;
	bool header;
	const char *out;    /* append the CSV row here too */
	uint64_t expect;    /* reference checksum given by the caller */
	bool expect_set;
};

/* One unit's results, in memory shared by every model (MAP_SHARED, so procs write it too),
 * each on its own cache lines so units never share a line. */
struct unit_slot {
	uint64_t checksum;
	uint64_t tasks_done;
	uint64_t yields;
	int64_t end_ns;
	int64_t user_us, sys_us; /* CPU of this unit from release to finish (own thread/process) */
	int32_t pu_bound;        /* OS index of the PU the unit was bound to; -1: a set, not a PU */
	int32_t pu_run;          /* OS index of the PU it ran on (sched_getcpu) */
} __attribute__((aligned(128)));

/* The start barrier and the task counter, followed by one slot per unit. */
struct shared {
	_Atomic uint64_t next_task;
	_Atomic uint32_t ready; /* units at the barrier; futex word */
	_Atomic uint32_t go;    /* 0: wait, 1: run, 2: abort; futex word */
	int64_t t0_ns;          /* clock start: the barrier's release */
	struct unit_slot slot[];
};

struct model;
struct pin;

struct run {
	const struct opts *o;
	const struct model *model;
	const struct workload *wl;
	struct wl_ctx ctx;
	struct pin *pin;
	uint64_t units, tasks, cores;
	struct shared *sh;
	size_t sh_len;
	void (*yield)(struct run *r); /* set by models whose units must yield between slices */
	void *model_state;
	/* Filled by the model's run(); user_us/sys_us summed from slots when per_unit_cpu. */
	int64_t user_us, sys_us;
};

/* An execution model: how units run. Every model implements the same three functions. */
struct model {
	const char *name;
	const char *desc;
	bool per_unit_cpu; /* units measure their own CPU time (own thread or process) */
	/* Create every unit; return when all wait at the start barrier, or an exit status. */
	int (*spawn)(struct run *r);
	/* Release the units (starting the clock) and wait until all have finished. */
	int (*run)(struct run *r);
	/* Release everything spawn() took; safe after a failed spawn. */
	void (*reap)(struct run *r);
};

extern const struct model model_serial, model_threads, model_procs, model_coros;
extern const struct workload *const workloads[]; /* generated from the workload files; NULL-ended */

/* unit.c: what every unit does, whatever the model. */
void unit_body(struct run *r, uint64_t u);
/* Threads and procs: the unit's side of the start barrier; false when told to abort. */
bool barrier_wait(struct run *r);
/* The harness's side: wait for n units, start the clock, release them. */
void barrier_release(struct run *r, uint64_t n);
/* Tell units at the barrier to give up (a spawn failed). */
void barrier_abort(struct run *r);
/* Wait until `ready` reaches n. */
void barrier_wait_ready(struct run *r, uint64_t n);

/* CLOCK_MONOTONIC in nanoseconds. */
int64_t now_ns(void);
/* CPU time of the calling thread so far (getrusage RUSAGE_THREAD). */
void thread_cpu_us(int64_t *user_us, int64_t *sys_us);

#endif
