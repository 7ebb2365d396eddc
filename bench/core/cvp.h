/* cvp.h — the harness's shared definitions: the run, the unit slots in shared memory, the
 * executor interface every model implements, and the checks that end a run. */
#ifndef CVP_H
#define CVP_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "sys/pin.h"
#include "sys/sys.h"
#include "workloads/workload.h"


enum { OPT_MAX = 24 }; /* options per owner (the harness, a model, a workload) */

/* The values of one owner's options, in the order of its table. */
struct optvals {
	uint64_t v[OPT_MAX];      /* a number, a choice's index, 1 for a flag */
	const char *text[OPT_MAX]; /* WL_OPT_TEXT */
	bool given[OPT_MAX];
};

/* One unit's results, in memory shared by every model (MAP_SHARED, so procs write it too),
 * each on its own cache lines so units never share a line. */
struct unit_slot {
	uint64_t checksum;
	uint64_t tasks_done;
	uint64_t yields;
	int64_t end_ns;
	int64_t go_ns;           /* when the unit left the start barrier */
	struct usage used;       /* CPU and minor faults from release to finish (own thread) */
	struct usage children;   /* CPU of the child processes it reaped (wl_reap) */
	int32_t pu_bound;        /* OS index of the PU the unit was bound to; -1: a set, not a PU */
	int32_t pu_run;          /* OS index of the PU it ran on (sched_getcpu) */
	int64_t started_ns;      /* when the unit's own code first ran (unit_enter) */
	int32_t pid;             /* the process the unit lives in */
} __attribute__((aligned(128)));

/* The start barrier, the task counter and the gates, followed by one slot per unit. */
struct shared {
	_Atomic uint64_t next_task;
	_Atomic uint32_t ready; /* units at the start barrier; futex word */
	_Atomic uint32_t go;    /* 0: wait, 1: run, 2: abort; futex word */
	int64_t t0_ns;          /* clock start: the barrier's release */
	struct usage at_release; /* the harness thread's, where units share it */
	_Atomic uint32_t finished; /* units done with their work */
	_Atomic uint32_t all_done; /* futex word: 1 once every unit has finished */
	int64_t create0_ns, create0_end_ns; /* around the creation of unit 0 */
	_Atomic uint32_t held;      /* wl_hold: units parked */
	_Atomic uint32_t hold_open; /* futex word: 1 once the harness has measured */
	_Atomic uint32_t met;       /* wl_meet: units arrived */
	_Atomic uint32_t met_open;  /* futex word: 1 once all have */
	struct wl_memory mem_before; /* wl_hold_baseline: the process before any unit */
	struct wl_memory mem_unit;   /* per unit, measured while every unit was held */
	struct unit_slot slot[];
};

struct model;
struct pin;
struct server;

struct run {
	const struct model *model;
	const struct workload *wl;
	struct wl_ctx ctx;
	struct optvals model_opt, wl_opt; /* the options of the model and of the workload */
	struct pin *pin;
	enum pin_mode pin_mode;
	uint64_t units, tasks, cores;
	struct shared *sh;
	size_t sh_len;
	void *model_state;
	const char *stack_guard; /* how the model made its stacks' guard pages, if it says */
	/* The event loop the IO seam parks on (coros); NULL: the seam blocks, or finds the calling
	 * thread's loop where a model runs a scheduler per thread (seam_loop). */
	struct loop *loop;
	struct server *server; /* the delay server, when the workload started one */
	struct waits *waits;   /* each wait's duration (seam/waits.c), for workloads that wait */
	double server_cpu_s;   /* its CPU time, once stopped */
	char why[256];     /* a workload hook's reason for failing (wl_refuse) */
	/* The model's run() sets this when units share the harness's thread (unit_shared_usage);
	 * otherwise it is summed from the slots. */
	struct usage used;
	int64_t spawn_ns, run_ns, reaped_ns; /* when spawn() and run() began, and reap() ended */
};

/* An execution model: how units run. Each is one file in bench/models/, registered by the
 * Makefile; every model implements the same small set of functions. */
struct model {
	const char *name;
	const char *desc;
	int rank;      /* place in listings: the serial baseline first */
	unsigned caps; /* enum wl_caps */
	/* Units run on threads or processes of their own: they measure their own CPU time and
	 * wait for each other before exiting, so exits stay out of the clock. */
	bool own_thread;
	const struct wl_opt *opts; /* the model's own options, ended by {0}; NULL: none */
	/* Optional: check and resolve the model's options (auto defaults) before anything runs.
	 * 0 or an exit status, with a message. */
	int (*configure)(struct run *r);
	/* The stack a unit may use, in KiB; 0: units have none of their own. */
	uint64_t (*stack_kib)(const struct run *r);
	/* Create every unit; return when all have reached the start barrier (or, where units
	 * share the harness's thread, are ready to run to it), or an exit status. */
	int (*spawn)(struct run *r);
	/* Release the units (starting the clock) and wait until all have finished. */
	int (*run)(struct run *r);
	/* Release everything spawn() took; safe after a failed spawn. */
	void (*reap)(struct run *r);
	/* Optional, inside a unit: bind the calling thread or process to unit u's place (0 or -1
	 * with errno). NULL: units are placed by spawn(). */
	int (*bind)(struct run *r, uint64_t u);
	/* Cooperative models: the running unit lets the others run. NULL: units block. */
	void (*yield)(struct run *r);
	/* WL_CAP_DIRECT: the running unit's number, and a switch straight into unit `to`. */
	uint64_t (*current)(struct run *r);
	void (*switch_to)(struct run *r, uint64_t to);
	/* Cooperative models: the running unit stops until another wakes it (a queue's waiters).
	 * wake may be called for a unit of another thread (hybrid: another scheduler's). */
	void (*park)(struct run *r);
	void (*wake)(struct run *r, uint64_t unit);
	/* Optional: why the model cannot run workload wl at all, whatever its caps say (units
	 * that cannot run a workload's run(): stackless); NULL when it can. The run is skipped
	 * (exit 4) with the reason, and --list leaves the model out of wl's models. */
	const char *(*cannot_run)(const struct workload *wl);
	/* Optional, inside unit u as it leaves the start barrier, before its work: where units share
	 * threads of the model's own (hybrid), a thread notes its CPU time at its first unit's go. */
	void (*go)(struct run *r, uint64_t u);
};

extern const struct model *const models[];       /* generated: one per bench/models file */
extern const struct workload *const workloads[]; /* generated: one per workloads file */

/* unit.c: what every unit does, whatever the model. */
/* The whole life of unit u inside its thread, process or coroutine: note its start, bind it,
 * warm up, wait at the start barrier, do its work, wait for the others to finish. */
void unit_main(struct run *r, uint64_t u);
/* How many of the run's units role i has: its fixed count, or an even share of what the fixed
 * roles leave (workload.h, struct wl_role). */
uint64_t role_units(const struct workload *wl, uint64_t units, unsigned i);
/* The role of unit u, and (in *index) its place among that role's units. */
unsigned role_of(const struct workload *wl, uint64_t units, uint64_t u, uint64_t *index);
/* The serial model's units, one after another: enter and warm up each, start the clock, run
 * each. */
void unit_run_serial(struct run *r);
/* Where units share the harness's thread: what it used from the release to now, into r->used. */
void unit_shared_usage(struct run *r);

/* barrier.c: barriers and gates on futex words in memory shared by every model. */
/* Threads and procs: the harness waits for n units at the start barrier; then starts the clock
 * and releases them. */
void barrier_wait_ready(struct run *r, uint64_t n);
void barrier_release(struct run *r, uint64_t n);
/* Tell units at the barrier to give up (a spawn failed). */
void barrier_abort(struct run *r);
/* The unit's side of the start barrier; false when told to abort. Where units share one
 * thread (a model with yield), the last unit to arrive starts the clock. */
bool barrier_wait(struct run *r);
/* Starts the clock: t0, and the harness thread's CPU time at that moment. */
void clock_start(struct run *r);
/* A gate every unit passes together: true in the last unit to arrive, which must then call
 * gate_open(); the others wait until it does (a coroutine yields meanwhile). */
bool gate_arrive(struct run *r, _Atomic uint32_t *arrived, _Atomic uint32_t *open);
void gate_open(_Atomic uint32_t *open);
/* After the unit's work (units on threads of their own): wait until every unit has finished,
 * so no unit's exit (unmapping its stack or address space, with TLB shootdowns) runs inside
 * the timed interval. */
void barrier_finish(struct run *r);
/* Let units waiting in barrier_finish go (a unit died and will never finish). */
void barrier_finish_release(struct run *r);

/* seam/hold.c: wl_hold for units that cannot wait inside a call (stackless): the unit arrives
 * and does not wait. True in the last to arrive, once it has measured; the model keeps the
 * others parked until then. */
bool hold_arrive(struct run *r);
/* seam/io.c: the event loop the IO seam parks the running unit on: the run's one loop (coros),
 * else the one the calling thread attached (a scheduler per thread: hybrid); NULL: the seam
 * blocks. */
struct loop *seam_loop(const struct run *r);

/* seam/waits.c: the duration of every wait (a sleep, a round trip), merged over units. */
struct waits *waits_new(uint64_t cap);
void waits_free(struct waits *w);
void waits_add(struct run *r, int64_t ns);
/* Median and 99th percentile in µs; returns the number of waits (0: none). Sorts the array. */
uint64_t waits_percentiles(struct waits *w, double *p50_us, double *p99_us);

/* models: the model and workload of a name, or exit 2 listing the valid ones. */
const struct model *model_find(const char *flag, const char *name);
const struct workload *workload_find(const char *flag, const char *name);

#endif
