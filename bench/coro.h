/* coro.h — ucontext coroutines on one scheduler thread, round-robin. Stacks come from one
 * mapping, each with a guard page below it. */
#ifndef CVP_CORO_H
#define CVP_CORO_H

#include <stddef.h>
#include <stdint.h>

struct sched;

/* Default coroutine stack: 64 KiB (plus a 4 KiB guard page). */
enum { CORO_STACK_DEFAULT_KIB = 64 };

/* Reserves n coroutines with stack_bytes of stack each. NULL with errno on failure. */
struct sched *sched_new(uint64_t n, size_t stack_bytes);
void sched_free(struct sched *s);
/* Prepares coroutine i to run fn(arg) and queues it. */
void sched_spawn(struct sched *s, uint64_t i, void (*fn)(void *), void *arg);
/* Runs queued coroutines round-robin until every one has returned. */
void sched_run(struct sched *s);
/* From inside a coroutine: go to the back of the run queue. */
void sched_yield(struct sched *s);
/* How the guard pages were made: "madvise" (no extra VMA) or "mprotect" (one VMA each). */
const char *sched_guard_kind(const struct sched *s);

#endif
