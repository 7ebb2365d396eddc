/* sys.h — the ground floor: exit statuses, the checks that end a run, clocks, futexes. Every
 * other layer of bench/ stands on it; it knows nothing of runs, models or workloads. */
#ifndef CVP_SYS_H
#define CVP_SYS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "workloads/workload.h"

/* Exit statuses (README, `cvp --help`): scripts rely on them. They are the wl_status values. */
enum {
	EXIT_OK = WL_OK,
	EXIT_WRONG = WL_WRONG,             /* wrong result or runtime failure */
	EXIT_USAGE = WL_USAGE,             /* bad command line */
	EXIT_LIMIT = WL_LIMIT,             /* a resource limit was reached */
	EXIT_UNSUPPORTED = WL_UNSUPPORTED, /* cannot run here; skipped */
};

/* An internal inconsistency, whatever NDEBUG says: prints the condition, errno and place, then
 * exits 1. Never for running out of something: that is CHECK_MEM. */
#define CHECK(cond)                                                                          \
	do {                                                                                 \
		if (!(cond))                                                                 \
			cvp_check_failed(#cond, __FILE__, __LINE__);                         \
	} while (0)
_Noreturn void cvp_check_failed(const char *cond, const char *file, int line);

/* Memory that could not be had (malloc, mmap): not a logic error but a limit reached, so exit 3
 * naming memory (and where). */
#define CHECK_MEM(ptr)                                                                       \
	do {                                                                                 \
		if (!(ptr))                                                                  \
			cvp_out_of_memory(#ptr, __FILE__, __LINE__);                         \
	} while (0)
_Noreturn void cvp_out_of_memory(const char *what, const char *file, int line);

/* Prints "cvp: <message>" on stderr and exits with status. */
_Noreturn void cvp_die(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* How a row, a listing or the host's constants are written. */
enum out_format { FMT_CSV, FMT_JSON, FMT_TEXT };

/* CLOCK_MONOTONIC in nanoseconds. */
int64_t now_ns(void);
/* What the calling thread has used so far (getrusage RUSAGE_THREAD): CPU time in µs and minor
 * page faults. */
struct usage {
	int64_t user_us, sys_us, minflt;
};
void thread_usage(struct usage *u);
/* b - a, field by field. */
struct usage usage_since(const struct usage *b, const struct usage *a);

/* In a spin-wait loop: tell the core (x86 PAUSE, arm64 YIELD), so an SMT sibling gets the
 * pipeline and the loop leaves the memory bus alone; elsewhere nothing. */
static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield" ::: "memory");
#endif
}

/* futex(2) on a word that may live in memory shared across processes. */
void futex_wait(_Atomic uint32_t *word, uint32_t val);
void futex_wake(_Atomic uint32_t *word, int n);

/* Names the system limit that made creating a thread or process fail with err (limits.c). */
void limit_name(int err, char *buf, size_t len);

#endif
