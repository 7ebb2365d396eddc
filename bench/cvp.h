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
	const char *variant;
	uint64_t touch_kib;
	bool touch_set;
	uint64_t delay_ms, work; /* IO workloads: --delay-ms, --work */
	bool delay_set, work_set;
	uint64_t expect;    /* reference checksum given by the caller */
	bool expect_set;
	uint64_t timeout_s; /* the watchdog: the whole run ends after this many seconds */
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
	int64_t started_ns;      /* when the unit's own code first ran (unit_enter) */
	int32_t pid;             /* the process the unit lives in */
} __attribute__((aligned(128)));

/* Memory as the probes account it, in KiB (see README "What counts as memory here"). */
struct mem_figures {
	double vsz, rss, pss, kernel;
	double kernel_spread; /* max - min of the /proc/meminfo samples behind kernel */
};

/* The start barrier and the task counter, followed by one slot per unit. */
struct shared {
	_Atomic uint64_t next_task;
	_Atomic uint32_t ready; /* units at the barrier; futex word */
	_Atomic uint32_t go;    /* 0: wait, 1: run, 2: abort; futex word */
	int64_t t0_ns;          /* clock start: the barrier's release */
	_Atomic uint32_t finished; /* threads, procs: units done with their work */
	_Atomic uint32_t all_done; /* futex word: 1 once every unit has finished */
	int64_t create0_ns, create0_end_ns; /* spawn probe: around the creation of unit 0 */
	_Atomic uint32_t held;      /* memory probe: units parked in wl_hold() */
	_Atomic uint32_t hold_open; /* futex word: 1 once the harness has measured */
	struct mem_figures mem_before; /* the harness process before any unit exists */
	struct mem_figures mem_unit;   /* per unit, measured while all units were held */
	_Atomic uint32_t turn;         /* switch probe: whose turn it is (futex word) */
	int pipe_fd[2][2];             /* switch probe, pipe variant: the pipe to each side */
	_Atomic int64_t holder[2];     /* switch probe, direct variant: coroutine of each side */
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
	const char *stack_guard; /* coros: how guard pages were made (sched_guard_kind) */
	struct loop *loop; /* coros: the event loop the IO seam parks on; NULL: the seam blocks */
	/* Filled by the model's run(); user_us/sys_us summed from slots when per_unit_cpu. */
	int64_t user_us, sys_us;
};

/* An execution model: how units run. Every model implements the same three functions. */
struct model {
	const char *name;
	const char *desc;
	bool per_unit_cpu;      /* units measure their own CPU time (own thread or process) */
	bool start_at_release;  /* units first run when the clock starts, not when created */
	/* Create every unit; return when all wait at the start barrier, or an exit status. */
	int (*spawn)(struct run *r);
	/* Release the units (starting the clock) and wait until all have finished. */
	int (*run)(struct run *r);
	/* Release everything spawn() took; safe after a failed spawn. */
	void (*reap)(struct run *r);
};

extern const struct model model_serial, model_threads, model_procs, model_coros;

/* model_coros.c: the coroutine now running, and a direct switch to another one. */
uint64_t coros_current(struct run *r);
void coros_switch_to(struct run *r, uint64_t unit);

/* probe.c: the harness side of the unit-cost probes. */
/* Before any unit exists: note the process's memory and the kernel's. */
void probe_mem_before(struct run *r);
/* Set up the token of the switch probe (pipes for the pipe variant). 0 or an exit status. */
int probe_baton_open(struct run *r);
void probe_baton_close(struct run *r);
/* Checks the options a probe needs and sets its defaults (units, tasks, size, variant); exits
 * 2 (usage) or 4 (unsupported under this model) with a message. */
void probe_configure(struct run *r);
/* Stack a unit may use, in KiB: --stack-kib, else the model's default; 0 when not a unit's own. */
uint64_t unit_stack_kib(const struct run *r);
extern const struct workload *const workloads[]; /* generated from the workload files; NULL-ended */

/* unit.c: what every unit does, whatever the model. */
/* First thing a unit's own code does under every model: note the time, PU and process. */
void unit_enter(struct run *r, uint64_t u);
void unit_body(struct run *r, uint64_t u);
/* Threads and procs: the unit's side of the start barrier; false when told to abort. */
bool barrier_wait(struct run *r);
/* The harness's side: wait for n units, start the clock, release them. */
void barrier_release(struct run *r, uint64_t n);
/* Tell units at the barrier to give up (a spawn failed). */
void barrier_abort(struct run *r);
/* A gate every unit passes together: true in the last unit to arrive, which must then call
 * gate_open(); the others wait until it does (a coroutine yields meanwhile). */
bool gate_arrive(struct run *r, _Atomic uint32_t *arrived, _Atomic uint32_t *open);
void gate_open(_Atomic uint32_t *open);
/* futex(2) on a word that may live in memory shared across processes. */
void futex_wait(_Atomic uint32_t *word, uint32_t val);
void futex_wake(_Atomic uint32_t *word, int n);
/* Threads and procs: after the unit's work, wait until every unit has finished, so no unit's
 * exit (unmapping its stack or address space, with TLB shootdowns) runs inside the timed
 * interval. */
void barrier_finish(struct run *r);
/* Let units waiting in barrier_finish go (a unit died and will never finish). */
void barrier_finish_release(struct run *r);
/* Wait until `ready` reaches n. */
void barrier_wait_ready(struct run *r, uint64_t n);

/* limits.c: names the system limit that made creating a thread or process fail with err. */
void limit_name(int err, char *buf, size_t len);

/* CLOCK_MONOTONIC in nanoseconds. */
int64_t now_ns(void);
/* CPU time of the calling thread so far (getrusage RUSAGE_THREAD). */
void thread_cpu_us(int64_t *user_us, int64_t *sys_us);

#endif
