/* workload.h — the one interface every workload is written against, and the descriptor that
 * says everything the harness needs to know of one: its options, its figures, its unit roles.
 *
 * A workload does "ops". A run's total work is --size ops (per task or one per unit, as the
 * descriptor's size_per says); the harness splits them into --tasks contiguous ranges and units
 * take ranges from a shared counter. run() does one range [begin, end) and returns a checksum
 * that must be additive:
 *     run(a, c) == run(a, b) + run(b, c)   (mod 2^64)
 * so the harness may cut a task into slices (coroutines yield between slices) and combine
 * tasks in any order, and still compare against one serial pass over [0, size).
 *
 * A workload never creates threads, processes or contexts and never pins; memory that every
 * unit must see (procs included) comes from wl_shared_alloc(). It waits only through the IO
 * seam below (wl_sleep_ns, wl_connect, wl_read, wl_write...): under serial, threads and procs
 * those calls block; under coros they park the coroutine on the scheduler's epoll loop or
 * timer heap, so the same source runs under every model.
 *
 * Adding a workload is adding one file, workloads/<name>.c, ending in WORKLOAD(<name>) = {...};
 * the Makefile registers it, and build/cvp builds its flags, --help, --list and row columns
 * from the descriptor.
 */
#ifndef CVP_WORKLOAD_H
#define CVP_WORKLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum wl_kind { WL_CPU, WL_IO, WL_PROBE };

/* What a hook returns; each is also build/cvp's exit status for that outcome. */
enum wl_status {
	WL_OK = 0,
	WL_WRONG = 1,       /* a wrong result or a runtime failure */
	WL_USAGE = 2,       /* the options do not make sense together */
	WL_LIMIT = 3,       /* a resource limit was reached (name it) */
	WL_UNSUPPORTED = 4, /* cannot run here (say why); the run is skipped */
};

/* What an execution model offers. A workload (or one value of its option) lists what it
 * needs; under a model that lacks it the run is skipped (exit 4) with the reason. */
enum wl_caps {
	WL_CAP_COEXIST = 1 << 0,  /* units are alive at the same time (all but serial) */
	WL_CAP_BLOCK = 1 << 1,    /* a unit may block in the kernel while the others run */
	WL_CAP_DIRECT = 1 << 2,   /* a unit can switch straight into another (coroutines) */
	WL_CAP_PARALLEL = 1 << 3, /* units run on several cores at once */
	WL_CAP_SHARED = 1 << 4,   /* units share one address space */
	WL_CAP_STACK = 1 << 5,    /* a unit has a stack: it may wait anywhere inside its calls
				   * (all but stackless, which runs its own probes) */
};

/* An option of the harness, of a model or of a workload: --name VALUE (or --name for a flag).
 * One table per owner; build/cvp makes parsing, range checks and --help from the tables. */
enum wl_opt_type {
	WL_OPT_UINT,   /* a whole number in [min, max] */
	WL_OPT_CHOICE, /* one of choices; its value is the index */
	WL_OPT_FLAG,   /* no value; 1 when given */
	WL_OPT_TEXT,   /* any non-empty text (the harness's own options) */
	WL_OPT_HEX,    /* a 64-bit hexadecimal number (the harness's --expect) */
};
struct wl_opt {
	const char *name; /* without the leading "--"; also its column in the row */
	enum wl_opt_type type;
	const char *arg;  /* the value's name in --help, e.g. "MS" */
	uint64_t min, max;
	uint64_t def; /* the default: a number, or the index of a choice */
	/* No fixed default: the owner resolves it (a model's stack size; a choice that depends on
	 * the model, which is then the first choice the model supports). */
	bool auto_def;
	const char *const *choices; /* WL_OPT_CHOICE: NULL-ended */
	const unsigned *choice_needs; /* WL_OPT_CHOICE, optional: the caps each choice needs */
	const char *help; /* one line */
};

/* A figure a workload reports beside the harness's own: "ns_per_op", "ns", lower is better. */
enum wl_better { WL_LOWER, WL_HIGHER };
struct wl_figure {
	const char *name; /* also its column in the row */
	const char *unit;
	enum wl_better better;
	const char *help;
};

/* A unit role: a workload may give units different jobs (one unit echoing beside N hashing).
 * Units go to the roles in order, `units` each; roles with 0 share the units the others leave
 * evenly (the earlier ones take the remainder; a share may be none). Each role covers ops
 * [0, size) with its own run(), split evenly over its units, one task each; the run's checksum
 * is the sum over all roles. */
struct wl_ctx;
struct wl_role {
	const char *name;
	uint32_t units;
	uint64_t (*run)(const struct wl_ctx *ctx, uint64_t begin, uint64_t end);
};

struct run; /* the harness's; opaque to workloads, passed back to the seam */

/* What a workload sees of the run. state is set by prepare() and read-only afterwards. */
struct wl_ctx {
	uint64_t size;       /* total ops in the run */
	uint64_t tasks;      /* number of ranges the ops are split into */
	uint64_t units;
	uint64_t cores;      /* cores the run is confined to (--cores) */
	const uint64_t *opt; /* the workload's option values, in the order of its opts[] */
	void *state;
	struct run *run;     /* for the seam functions */
};

/* Memory per unit, in KiB, as the hold point measured it (bench/seam/hold.c says how). */
struct wl_memory {
	double vsz, rss, pss;
	double kstack, ptables, slab; /* the kernel's parts: KernelStack, PageTables, SUnreclaim */
	double kernel;                /* their sum */
	double kernel_spread; /* range of the /proc/meminfo samples behind kernel, per unit */
	bool measured;
};

/* What the harness measured, for a workload's report(). */
struct wl_result {
	double wall_s;        /* the timed interval: release of the units to the last one's end */
	double lifecycle_s;   /* asking for the first unit to reaping the last */
	double first_start_s; /* asking for unit 0 to its first instruction */
	struct wl_memory mem; /* filled when the units met at wl_hold() */
};

/* How --size counts. */
enum wl_size_per {
	WL_SIZE_RUN,  /* --size is the run's total ops (the default) */
	WL_SIZE_TASK, /* --size counts ops per task: the run does size x tasks ops */
	WL_SIZE_UNIT, /* one op per unit: --size does not apply, one task per unit */
};

/* How `make bench` runs a workload (scripts/bench.sh reads them from `cvp --list`); 0: by
 * kind (cpu: cores, io: units, probe: probe). */
enum wl_plan {
	WL_PLAN_CORES = 1 << 0,     /* 1..N cores, speedup over a serial reference */
	WL_PLAN_UNITS = 1 << 1,     /* a sweep of unit counts on all cores */
	WL_PLAN_POOL = 1 << 2,      /* a pool of one unit per core over many tasks */
	WL_PLAN_PROBE = 1 << 3,     /* one run per model at the profile's probe unit count */
	WL_PLAN_PLACEMENT = 1 << 4, /* same core and cross core */
	WL_PLAN_BESIDE = 1 << 5,    /* one unit beside 0, 1 .. N others (unit counts 1 .. N+1) */
	WL_PLAN_PATTERN = 1 << 6,   /* one of the notes' patterns: each model and variant, N units */
};

struct workload {
	const char *name;
	enum wl_kind kind;
	const char *desc;
	uint64_t default_size; /* about half a second under serial on a 2-core VM */
	enum wl_size_per size_per;
	uint64_t slice;      /* ops per slice; coroutines yield between slices; 0: whole task */
	unsigned needs;      /* enum wl_caps the model must offer */
	unsigned plans;      /* enum wl_plan; 0: by kind */
	const struct wl_opt *opts;       /* its own options, ended by {0}; NULL: none */
	const struct wl_figure *figures; /* its own figures, ended by {0}; NULL: none */
	const struct wl_role *roles;     /* ended by {0}; NULL: every unit runs run() */
	/* Optional: build read-only state before any unit exists. WL_OK or a status, with the
	 * reason given through wl_refuse(). */
	int (*prepare)(struct wl_ctx *ctx);
	/* Optional: run by each unit, in its own thread, process or coroutine, before the start
	 * barrier: outside the clock (touch memory the unit will use, say). */
	void (*warmup)(const struct wl_ctx *ctx, uint64_t unit);
	/* Do ops [begin, end); return their additive checksum. */
	uint64_t (*run)(const struct wl_ctx *ctx, uint64_t begin, uint64_t end);
	/* Optional: the checksum a correct run over [0, size) gives, computed without redoing the
	 * work (for workloads whose ops need other units or waits). Default: run(0, size), summed
	 * over the roles. */
	uint64_t (*expect)(const struct wl_ctx *ctx);
	/* Optional: fill fig[i] for figures[i] (NAN: not measured); may return a note for the
	 * row (a figure within the noise, say) or NULL. */
	const char *(*report)(const struct wl_ctx *ctx, const struct wl_result *res, double *fig);
	/* Optional: release what prepare() took (also after a failed prepare()). */
	void (*cleanup)(struct wl_ctx *ctx);
};

/* Defines the descriptor of the workload in workloads/<id>.c; the Makefile registers it. */
#define WORKLOAD(id) const struct workload workload_##id

/* The option every waiting workload shares: the length of one wait. */
#define WL_OPT_DELAY_MS                                                                      \
	{                                                                                    \
		.name = "delay-ms", .type = WL_OPT_UINT, .arg = "MS", .max = 3600000,        \
		.def = 10, .help = "one wait: a sleep, or the delay server's answer time"    \
	}

/* Gives the reason a hook fails (printed as "cvp: <workload>: <reason>") and returns status. */
int wl_refuse(const struct wl_ctx *ctx, enum wl_status status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Zeroed memory shared with every unit, also across fork(); NULL when out of memory. */
void *wl_shared_alloc(size_t bytes);
/* Releases memory from wl_shared_alloc(). */
void wl_shared_free(void *p, size_t bytes);

/* How many units role i (in the order of the descriptor's roles) has in this run. */
uint64_t wl_role_units(const struct wl_ctx *ctx, unsigned i);
/* The role and the index within it of the unit now running (from a role's run()). */
unsigned wl_role_of(const struct wl_ctx *ctx, uint64_t *index);

/* The stack each unit of this run may use, in KiB (0: units have none of their own). */
uint64_t wl_unit_stack_kib(const struct wl_ctx *ctx);

/* Memory probe: note the memory of the process and the kernel before any unit exists (from
 * prepare); then every unit calls wl_hold(), which parks it until all have arrived while the
 * harness measures them. The figures reach report() in res->mem. */
void wl_hold_baseline(const struct wl_ctx *ctx);
void wl_hold(const struct wl_ctx *ctx);

/* Units meet: each waits here until every unit of the run has arrived (a coroutine yields
 * meanwhile). What a unit wrote before it is visible after it to units that share its memory. */
void wl_meet(const struct wl_ctx *ctx);

/* A bounded queue between units: items of `bytes` each (at most PIPE_BUF), at most `capacity`
 * in it, `senders` units that send and `receivers` that receive; made in prepare() (NULL and
 * errno: EINVAL where the model's way cannot have that capacity exactly, out of memory or
 * descriptors). Under coroutines a full or empty queue parks the unit in the scheduler, under
 * threads a mutex and condition variables make it wait, between processes it is a pipe. */
struct wl_chan;
struct wl_chan *wl_chan_new(const struct wl_ctx *ctx, size_t bytes, uint32_t capacity,
			    uint32_t senders, uint32_t receivers);
/* Puts an item in, waiting while the queue is full: 0, or -1 once it is closed. */
int wl_chan_send(const struct wl_ctx *ctx, struct wl_chan *ch, const void *item);
/* Takes the oldest item out, waiting while the queue is empty: false once it is closed and
 * drained (the receiver's loop ends). */
bool wl_chan_recv(const struct wl_ctx *ctx, struct wl_chan *ch, void *item);
/* A sender is done; when the last one is, the queue closes. */
void wl_chan_close(const struct wl_ctx *ctx, struct wl_chan *ch);
/* The most items the queue ever held. */
uint32_t wl_chan_high_water(const struct wl_chan *ch);
void wl_chan_free(struct wl_chan *ch);

/* Switch probe: a token passed between two units, carrying a value. Turns are numbered 0, 1,
 * 2, ...; the unit doing even turns starts with the token. wl_baton_wait blocks until turn t is
 * due (a futex word, a pipe, a direct switch into the other coroutine, or spinning on the word
 * from another core) and returns the value the token carries; wl_baton_pass hands turn t + 1
 * over with a new value. A baton is made in prepare() (NULL and errno when out of descriptors
 * or memory). */
enum wl_baton_kind { WL_BATON_FUTEX, WL_BATON_PIPE, WL_BATON_DIRECT, WL_BATON_SPIN };
struct wl_baton;
struct wl_baton *wl_baton_new(const struct wl_ctx *ctx, enum wl_baton_kind kind,
			      uint64_t turns);
uint64_t wl_baton_wait(const struct wl_ctx *ctx, struct wl_baton *b, uint64_t turn);
void wl_baton_pass(const struct wl_ctx *ctx, struct wl_baton *b, uint64_t turn, uint64_t value);
void wl_baton_free(struct wl_baton *b);

/* The IO seam: the only way a workload waits. Each returns like the system call it is named
 * after (-1 with errno on failure); under coros it parks the coroutine instead of blocking. */

/* CLOCK_MONOTONIC in nanoseconds. */
int64_t wl_now_ns(void);
/* Waits at least ns nanoseconds. Every sleep and every wl_server_call round trip is a wait the
 * row's wait_p50_us and wait_p99_us are made of. */
void wl_sleep_ns(const struct wl_ctx *ctx, uint64_t ns);
/* CPU-bound code that runs until another unit says stop gives way here, so under a cooperative
 * model (coroutines) the others run; elsewhere it does nothing. */
void wl_yield(const struct wl_ctx *ctx);
/* A stream socket connected to the Unix socket at path; -1 with errno. */
int wl_connect(const struct wl_ctx *ctx, const char *path);
/* A pipe (O_CLOEXEC); 0 or -1 with errno. */
int wl_pipe(const struct wl_ctx *ctx, int fd[2]);
/* read(2) / write(2) on a socket or pipe: waits until some bytes move; returns their count. */
ssize_t wl_read(const struct wl_ctx *ctx, int fd, void *buf, size_t n);
ssize_t wl_write(const struct wl_ctx *ctx, int fd, const void *buf, size_t n);
/* One attempt that never waits, under every model: the bytes moved, or -1 with errno EAGAIN
 * (then wl_poll waits for the fd). */
ssize_t wl_try_read(const struct wl_ctx *ctx, int fd, void *buf, size_t n);
ssize_t wl_try_write(const struct wl_ctx *ctx, int fd, const void *buf, size_t n);
/* Loops until all n bytes moved; returns n, fewer at end of file, or -1 with errno. */
ssize_t wl_read_all(const struct wl_ctx *ctx, int fd, void *buf, size_t n);
ssize_t wl_write_all(const struct wl_ctx *ctx, int fd, const void *buf, size_t n);
/* Closes an fd opened through the seam and forgets its event-loop state. */
int wl_close(const struct wl_ctx *ctx, int fd);
/* Ends the run after an IO failure: "cvp: <what>: <errno text>"; exit 3 when errno names a
 * resource limit (EMFILE, ENFILE, ENOMEM, ENOBUFS), otherwise exit 1. */
_Noreturn void wl_io_fail(const char *what);

/* A child process: argv run with its stdin and stdout on two pipes whose other ends are
 * returned non-blocking (write to *to_child, read from *from_child; close them through
 * wl_close). The harness forks it (workloads never fork), so it dies with the run however that
 * ends. Returns its pid, or -1 with errno. An exec that fails makes the child exit 127. */
pid_t wl_spawn(const struct wl_ctx *ctx, char *const argv[], int *to_child, int *from_child);
/* Waits for a child of wl_spawn to exit and returns its wait status; its CPU time is added to
 * the unit's (the row's user and system time). */
int wl_reap(const struct wl_ctx *ctx, pid_t pid);
/* Waits until one of n fds can be read (out false) or written (out true). Call it only for fds
 * whose last read or write in that direction failed with EAGAIN. 0, or -1 with errno. */
struct wl_pollfd {
	int fd;
	bool out;
};
int wl_poll(const struct wl_ctx *ctx, struct wl_pollfd *fds, int n);

/* The delay server: a process of the harness that echoes each request after delay_ms, started
 * from prepare() before any unit exists and stopped by the harness after the run (its CPU time
 * is the row's server_cpu_s). Sets *path to its Unix socket and returns WL_OK, or a status with
 * the reason given (a descriptor limit too low for the units' connections: WL_LIMIT). */
int wl_server_start(const struct wl_ctx *ctx, uint32_t delay_ms, const char **path);
/* Sends a request of `bytes` payload bytes derived from seed and waits for the echo. Returns 0
 * and adds to *sum the checksum of the echoed bytes and their count, or -1 with errno
 * (EBADMSG: the echo differs). */
int wl_server_call(const struct wl_ctx *ctx, int fd, uint64_t seed, uint32_t bytes,
		   uint64_t *sum);
/* What wl_server_call adds to *sum for a correct echo of (seed, bytes); no IO. */
uint64_t wl_payload_sum(uint64_t seed, uint32_t bytes);

/* The path of a tool built beside build/cvp (say "cvp-filter") into buf; -1 if it is not there. */
int wl_tool_path(const char *name, char *buf, size_t len);

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
