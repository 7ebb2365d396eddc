/* stackless.h — what the stackless model's units are written against: the one stated exception
 * to "one source per workload".
 *
 * A stackless unit has no stack of its own. It is a small struct — a resume point and the
 * locals that must outlive a wait — and a resume function that runs it from that point to its
 * next wait, returns to the scheduler, and is called again when the wait is over (protothread
 * style: the resume point is a case label of a switch). So it can wait only in the resume
 * function's own body, never inside a function it calls: the calls' frames would be gone when
 * it came back. A workload's run(ctx, begin, end), which waits deep inside its calls (wl_sleep_ns,
 * wl_hold, wl_baton_wait), cannot run here; each probe that runs under stackless has a
 * state-machine version in this folder, one file each, ending in STACKLESS(<workload>) = {...}
 * (the Makefile registers it). The probe's descriptor in workloads/<name>.c keeps everything
 * else — its options, prepare, expect, report, figures — so rows compare with the stackful
 * models' and verify the same way.
 *
 * A resume function looks like this (locals that live across SL_AWAIT are fields of the unit):
 *
 *	struct waiter { struct sl_unit u; uint64_t op, end; };
 *	static enum sl_step waiter_resume(struct sl *s, uint32_t i, void *unit)
 *	{
 *		struct waiter *me = unit;
 *		SL_BEGIN(&me->u);
 *		while (sl_next_task(s, &me->op, &me->end)) {
 *			for (; me->op < me->end; me->op++)
 *				SL_AWAIT(&me->u, sl_sleep_until(s, i, wl_now_ns() + 1000000));
 *			sl_task_done(s, i, ...);
 *			SL_AWAIT(&me->u, sl_between_tasks(s, i));
 *		}
 *		SL_END(&me->u);
 *	}
 */
#ifndef CVP_STACKLESS_H
#define CVP_STACKLESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "workloads/workload.h"

struct sl; /* the run's stackless scheduler (bench/stackless/) */

/* What every stackless unit's struct begins with. */
struct sl_unit {
	uint32_t next; /* the scheduler's: the next unit in its run queue */
	uint16_t pc;   /* the resume point: 0 at first, then the line of the SL_AWAIT it waits in */
	uint8_t life;  /* the scheduler's: where the unit is in its life (new, released, running) */
	uint8_t flags; /* the scheduler's: queued, parked at a gate */
};

/* What a resume function returns. */
enum sl_step {
	SL_PARKED, /* waiting: what it waits for (a timer, a gate, the other unit) resumes it */
	SL_DONE,   /* finished: never resumed again */
};

/* The resume function's body goes between SL_BEGIN and SL_END. */
#define SL_BEGIN(u)                                                                          \
	switch ((u)->pc) {                                                                   \
	case 0:

/* Waits: `parks` is a call that returns true when it has parked the unit (which then returns to
 * the scheduler and comes back here when woken) and false when the unit may go on at once. */
#define SL_AWAIT(u, parks)                                                                   \
	do {                                                                                 \
		(u)->pc = __LINE__;                                                          \
		if (parks)                                                                   \
			return SL_PARKED;                                                    \
		__attribute__((fallthrough));                                                \
	case __LINE__:;                                                                      \
	} while (0)

#define SL_END(u)                                                                            \
	}                                                                                    \
	(u)->pc = 0;                                                                         \
	return SL_DONE

/* The state-machine version of one probe. */
struct sl_probe {
	const char *workload; /* the probe it stands in for, by name */
	size_t unit_bytes;    /* one unit: struct sl_unit first, then the locals that outlive a wait */
	size_t shared_bytes;  /* zeroed state the run's units share (sl_shared); 0: none */
	/* Optional: the workload's option that says how much stack a unit uses (idle's
	 * touch-kib). A stackless unit has none: the option is 0 here, another value a usage
	 * error. */
	const char *stack_opt;
	/* Runs unit i (its struct: unit) from its resume point to its next wait or its end. */
	enum sl_step (*resume)(struct sl *s, uint32_t i, void *unit);
};

/* Defines the state-machine version of workload <id>; the Makefile registers it. */
#define STACKLESS(id) const struct sl_probe stackless_##id

/* What the run gives the probe: its context (options, size, tasks, units), and the state its
 * units share (shared_bytes of it, zeroed). */
const struct wl_ctx *sl_ctx(const struct sl *s);
void *sl_shared(const struct sl *s);

/* Work, as core/unit.c hands it to a stackful unit. The next task from the run's shared counter:
 * true and its ops [*begin, *end), false when none are left. */
bool sl_next_task(struct sl *s, uint64_t *begin, uint64_t *end);
/* Workloads with roles: unit i's role (its index in the descriptor's roles) and its one task. */
unsigned sl_role_task(struct sl *s, uint32_t i, uint64_t *begin, uint64_t *end);
/* Unit i has done a task whose checksum is sum (added to the run's). */
void sl_task_done(struct sl *s, uint32_t i, uint64_t sum);

/* Waits, each for SL_AWAIT: true when unit i is parked. */
/* Between tasks: when tasks are left, unit i goes to the back of the run queue so the others
 * share the thread (a yield, counted in the row); false when none are left. */
bool sl_between_tasks(struct sl *s, uint32_t i);
/* Parks unit i on the timer heap until CLOCK_MONOTONIC passes due (ns). */
bool sl_sleep_until(struct sl *s, uint32_t i, int64_t due);
/* The memory probe's wl_hold: unit i arrives and parks; the last to arrive measures, while all
 * are alive and parked, lets the others go and goes on itself (false). */
bool sl_hold(struct sl *s, uint32_t i);
/* Unit i hands the thread straight to unit target, which must be queued: target runs next,
 * without passing through the run queue, and i goes to the back of the queue. */
bool sl_switch_to(struct sl *s, uint32_t i, uint32_t target);

/* A wait of ns nanoseconds took place: the row's waits, wait_p50_us and wait_p99_us. */
void sl_note_wait(struct sl *s, int64_t ns);

#endif
