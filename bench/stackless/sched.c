/* sched.c — the stackless scheduler. A unit is a struct and a resume function, so switching to
 * it is a call and leaving it a return: no stack to save, no context, no system call. The run
 * queue is threaded through the units' own `next` fields (no allocation per unit beyond its
 * struct); a unit has at most one entry in it, and a direct hand-off (sl_switch_to) into a
 * queued unit leaves that entry behind, marked stale, which the scheduler skips — as
 * coro/sched.c does. Sleeps go to one timer heap whose earliest deadline is the timeout of one
 * epoll wait, the same system call the coroutine loop (coro/loop.c) sleeps in, so the two
 * models' sleeps compare. */
#include "stackless/sched.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "coro/loop.h"
#include "core/cvp.h"
#include "sys/cleanup.h"

enum {
	F_IN_QUEUE = 1 << 0, /* has an entry in the run queue, live or stale */
	F_QUEUED = 1 << 1,   /* ... and it is live: the unit is runnable */
	F_AT_GATE = 1 << 2,  /* parked at the gate */
};

struct sl *sl_new(struct run *r, const struct sl_probe *p, uint32_t n, const char **what)
{
	*what = "the scheduler";
	struct sl *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->r = r;
	s->probe = p;
	s->n = n;
	s->ep = -1;
	s->head = s->tail = s->cur = s->direct = SL_NONE;
	s->unit_bytes = (p->unit_bytes + 7) / 8 * 8;
	CHECK(s->unit_bytes >= sizeof(struct sl_unit));
	s->pid = getpid();
	s->pu = pin_unit_pu(r->pin, 0);
	*what = "the units";
	s->units = calloc(n, s->unit_bytes);
	if (!s->units)
		goto fail;
	*what = "the timer heap";
	if (!timers_init(&s->timers, n))
		goto fail;
	*what = "the units' shared state";
	if (p->shared_bytes && !(s->shared = calloc(1, p->shared_bytes)))
		goto fail;
	*what = "the event loop (limits: RLIMIT_NOFILE)";
	s->ep = epoll_create1(EPOLL_CLOEXEC);
	if (s->ep < 0)
		goto fail;
	*what = NULL;
	return s;
fail:;
	int e = errno;
	sl_free(s);
	errno = e;
	return NULL;
}

void sl_free(struct sl *s)
{
	if (!s)
		return;
	if (s->ep >= 0)
		close(s->ep);
	free(s->units);
	timers_free(&s->timers);
	free(s->shared);
	free(s);
}

void sl_push(struct sl *s, uint32_t i)
{
	struct sl_unit *u = sl_unit_at(s, i);
	u->flags |= F_QUEUED;
	if (u->flags & F_IN_QUEUE)
		return;
	u->flags |= F_IN_QUEUE;
	u->next = SL_NONE;
	if (s->tail == SL_NONE)
		s->head = i;
	else
		sl_unit_at(s, s->tail)->next = i;
	s->tail = i;
	s->count++;
}

/* Takes the first entry off the run queue: the unit, live or stale. */
static uint32_t pop(struct sl *s)
{
	uint32_t i = s->head;
	struct sl_unit *u = sl_unit_at(s, i);
	s->head = u->next;
	if (s->head == SL_NONE)
		s->tail = SL_NONE;
	s->count--;
	u->flags &= ~F_IN_QUEUE;
	return i;
}

void sl_spawn(struct sl *s, uint32_t i)
{
	*sl_unit_at(s, i) = (struct sl_unit){0};
	s->alive++;
	sl_push(s, i);
}

void sl_park_at_gate(struct sl *s, uint32_t i)
{
	sl_unit_at(s, i)->flags |= F_AT_GATE;
	s->at_gate++;
}

void sl_open_gate(struct sl *s)
{
	for (uint32_t i = 0; i < s->n && s->at_gate > 0; i++) {
		struct sl_unit *u = sl_unit_at(s, i);
		if (u->flags & F_AT_GATE) {
			u->flags &= ~F_AT_GATE;
			s->at_gate--;
			sl_push(s, i);
		}
	}
}

bool sl_switch_to(struct sl *s, uint32_t i, uint32_t target)
{
	CHECK(target < s->n && target != i && (sl_unit_at(s, target)->flags & F_QUEUED));
	sl_push(s, i); /* if nobody hands the thread back, the scheduler resumes i */
	sl_unit_at(s, target)->flags &= ~F_QUEUED; /* its queue entry is stale now */
	s->direct = target;
	return true;
}

/* ---- the timer heap */

bool sl_sleep_until(struct sl *s, uint32_t i, int64_t due)
{
	timers_push(&s->timers, due, i);
	return true;
}

/* Queues every sleeper whose deadline has passed; returns how many. */
static uint32_t wake_timers(struct sl *s)
{
	if (!s->timers.n)
		return 0;
	uint32_t woken = 0;
	uint64_t unit;
	for (int64_t now = now_ns(); timers_pop_due(&s->timers, now, &unit); woken++)
		sl_push(s, (uint32_t)unit);
	return woken;
}

/* Between rounds: wake the sleepers that are due; when block (nothing is runnable), wait in
 * epoll until the earliest deadline and wake it. */
static void poll_timers(struct sl *s, bool block)
{
	if (wake_timers(s) || !block)
		return;
	while (s->timers.n) {
		int64_t d = timers_next(&s->timers) - now_ns();
		d = d < 0 ? 0 : d;
		struct timespec ts = {d / 1000000000, d % 1000000000};
		struct epoll_event ev;
		int k = epoll_wait_ts(s->ep, &ev, 1, &ts);
		CHECK(k == 0 || (k < 0 && errno == EINTR)); /* no fd is ever registered */
		if (wake_timers(s))
			return;
	}
}

/* ---- running */

/* Runs unit i to its next wait, then whatever it handed the thread to straight. */
static void dispatch(struct sl *s, uint32_t i)
{
	do {
		struct sl_unit *u = sl_unit_at(s, i);
		s->cur = i;
		cleanup_unit(i); /* a crash report names the unit */
		if ((u->life == SL_LIFE_RUN || sl_enter(s, i, u)) &&
		    s->probe->resume(s, i, u) == SL_DONE) {
			sl_leave(s, i, u);
			s->alive--;
		}
		i = s->direct;
		s->direct = SL_NONE;
	} while (i != SL_NONE);
	cleanup_unit(-1);
}

/* Rounds: run every unit queued at the start of the round once, then wake the sleepers that
 * are due (without waiting while some are runnable; waiting when none are), as coro/sched.c. */
void sl_run(struct sl *s)
{
	for (;;) {
		for (uint32_t k = s->count; k > 0; k--) {
			uint32_t i = pop(s);
			struct sl_unit *u = sl_unit_at(s, i);
			if (!(u->flags & F_QUEUED))
				continue; /* already resumed by a direct hand-off */
			u->flags &= ~F_QUEUED;
			dispatch(s, i);
		}
		if (!s->alive)
			break;
		poll_timers(s, s->count == 0);
		/* Units alive, none runnable, nothing to wake them: a lost wake-up. */
		CHECK(s->count > 0);
	}
	/* What is left are entries a direct hand-off left behind: nothing may still be runnable. */
	while (s->count > 0)
		CHECK(!(sl_unit_at(s, pop(s))->flags & F_QUEUED));
}
