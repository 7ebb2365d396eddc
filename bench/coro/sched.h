/* sched.h — coroutines on one scheduler thread, round-robin, switched by the backend of
 * switch.h (ucontext or asm). Stacks come from one mapping, each with a guard page below it. */
#ifndef CVP_CORO_H
#define CVP_CORO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "coro/switch.h"

struct sched;

/* Default coroutine stack: 64 KiB (plus a 4 KiB guard page); AddressSanitizer's redzones make
 * frames several times larger, so its build (make sanitize) gives coroutines more. */
#if defined(__SANITIZE_ADDRESS__)
enum { CORO_STACK_DEFAULT_KIB = 256 };
#else
enum { CORO_STACK_DEFAULT_KIB = 64 };
#endif
/* The smallest stack every workload fits in: the deepest unit of each (echo's, 4.4 KiB) stays
 * well inside 8 KiB under either backend, and 4 KiB overflowed it. */
enum { CORO_STACK_MIN_KIB = 8 };

/* The options of a model whose units are coroutines (coros, hybrid), declared once so both take
 * and document them alike (--help gives them one line). */
#define CORO_OPT_STACK_KIB                                                                   \
	{                                                                                    \
		.name = "stack-kib", .type = WL_OPT_UINT, .arg = "K", .min = CORO_STACK_MIN_KIB, \
		.max = 1u << 20, .def = CORO_STACK_DEFAULT_KIB, .help = "stack of each coroutine" \
	}
#define CORO_OPT_SWITCH                                                                      \
	{                                                                                    \
		.name = "switch", .type = WL_OPT_CHOICE, .arg = "S", .choices = switch_names,    \
		.def = SWITCH_UCONTEXT,                                                      \
		.help = "how a coroutine switch is made: glibc's swapcontext (a system call "    \
			"each) or a hand-written one (none; where this architecture has one):"   \
	}

/* Reserves n coroutines with stack_bytes of stack each, switched by sw. NULL with errno on
 * failure, and in *what the part that could not be had. */
struct sched *sched_new(uint64_t n, size_t stack_bytes, const struct switch_ops *sw,
			const char **what);
void sched_free(struct sched *s);
/* Numbers the coroutines as units of the run: coroutine i is unit first + i x stride (crash
 * reports and cleanup_current_unit() name it so). By default coroutine i is unit i; a model with
 * a scheduler per core (hybrid) deals the units out round-robin. */
void sched_set_units(struct sched *s, uint64_t first, uint64_t stride);
/* Prepares coroutine i to run fn(arg) and queues it. */
void sched_spawn(struct sched *s, uint64_t i, void (*fn)(void *), void *arg);
/* Runs queued coroutines round-robin until every one has returned; when some wait, calls the
 * poll hook between rounds (block: nothing is runnable, so wait until something is woken). */
void sched_run(struct sched *s);
/* From inside a coroutine: go to the back of the run queue. */
void sched_cede(struct sched *s);
/* From inside a coroutine: queue the caller and switch straight into queued coroutine target,
 * without passing through the scheduler (one switch instead of two). */
void sched_switch_to(struct sched *s, uint64_t target);
/* Sets the hook through which sched_run waits for parked coroutines (the event loop). */
void sched_set_poll(struct sched *s, void (*poll)(void *arg, bool block), void *arg);
/* From inside a coroutine: switch to the scheduler without queueing; someone must wake it. */
void sched_park(struct sched *s);
/* Queues parked coroutine i to run again. */
void sched_wake(struct sched *s, uint64_t i);
/* The running coroutine's number. */
uint64_t sched_current(const struct sched *s);
/* How the guard pages were made: "madvise" (no extra VMA) or "mprotect" (one VMA each). */
const char *sched_guard_kind(const struct sched *s);

#endif
