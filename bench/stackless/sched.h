/* sched.h — the stackless model's scheduler: units that are structs and resume functions
 * (workloads/stackless/stackless.h), a run queue threaded through them, a timer heap for their
 * sleeps and an epoll wait whose timeout is the earliest deadline, all on one thread. unit.c
 * gives each unit the life core/unit.c gives a stackful one. */
#ifndef CVP_STACKLESS_SCHED_H
#define CVP_STACKLESS_SCHED_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/timers.h"
#include "workloads/stackless/stackless.h"

struct run;

struct sl {
	struct run *r;
	const struct sl_probe *probe;
	char *units; /* n units of unit_bytes, each beginning with struct sl_unit */
	size_t unit_bytes;
	uint32_t n;
	uint32_t head, tail, count; /* the run queue, FIFO through sl_unit.next; count: entries */
	uint32_t cur;               /* the unit running */
	uint32_t direct;            /* the unit sl_switch_to asked to run next; NONE: none */
	uint32_t alive;             /* units not yet done */
	uint32_t at_gate;           /* units parked at the gate */
	struct timers timers;       /* sleepers, at most one entry each */
	int ep; /* the epoll set the loop waits on (no probe waits on an fd: it stays empty) */
	void *shared; /* the probe's shared_bytes */
	pid_t pid;    /* the process every unit lives in: the harness's */
	int pu;       /* the PU the scheduler thread is bound to (-1: a set) */
};

enum { SL_NONE = UINT32_MAX };

/* n units of probe p for run r, none made yet. NULL with errno on failure, and in *what the part
 * that could not be had. */
struct sl *sl_new(struct run *r, const struct sl_probe *p, uint32_t n, const char **what);
void sl_free(struct sl *s);
/* Makes unit i (a zeroed struct at its resume point 0) and queues it. */
void sl_spawn(struct sl *s, uint32_t i);
/* Runs queued units round by round until every one is done, waiting for the earliest timer when
 * none is runnable. */
void sl_run(struct sl *s);
/* Queues unit i to run (a wake-up); a unit already queued stays where it is. */
void sl_push(struct sl *s, uint32_t i);
/* Parks unit i at the gate (every unit passes it together: the start barrier, the hold). */
void sl_park_at_gate(struct sl *s, uint32_t i);
/* Queues every unit parked at the gate, in unit order. */
void sl_open_gate(struct sl *s);
/* Unit i's struct. */
static inline struct sl_unit *sl_unit_at(const struct sl *s, uint32_t i)
{
	return (struct sl_unit *)(s->units + (size_t)i * s->unit_bytes);
}

/* unit.c: a unit's life around its probe's resume function (sl_unit.life). */
enum { SL_LIFE_NEW, SL_LIFE_READY, SL_LIFE_RUN, SL_LIFE_DONE };
/* Before unit i's first resume: note its start and place, then the start barrier. False when
 * it is parked there; true when it may run (the last to arrive starts the clock). */
bool sl_enter(struct sl *s, uint32_t i, struct sl_unit *u);
/* Unit i's resume function has returned SL_DONE: note its end. */
void sl_leave(struct sl *s, uint32_t i, struct sl_unit *u);

#endif
