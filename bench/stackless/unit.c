/* unit.c — what every stackless unit does, the counterpart of core/unit.c for units that cannot
 * wait inside a call: its life as steps (note where and when it starts, wait at the start
 * barrier — the last to arrive starts the clock — then its probe's resume function until done,
 * then note the end), and what a probe's resume function asks of the run (tasks, roles, the
 * hold, the record of its waits), each writing the unit's slot as a stackful unit would. */
#include <sched.h>

#include "core/cvp.h"
#include "stackless/sched.h"

bool sl_enter(struct sl *s, uint32_t i, struct sl_unit *u)
{
	struct run *r = s->r;
	struct unit_slot *slot = &r->sh->slot[i];
	switch (u->life) {
	case SL_LIFE_NEW:
		slot->started_ns = now_ns();
		slot->pid = s->pid;
		slot->pu_bound = s->pu;
		u->life = SL_LIFE_READY;
		if (atomic_fetch_add(&r->sh->ready, 1) + 1 < r->units) {
			sl_park_at_gate(s, i);
			return false;
		}
		clock_start(r); /* the last to arrive: release the others and go on */
		sl_open_gate(s);
		/* fall through */
	case SL_LIFE_READY:
		slot->go_ns = now_ns();
		slot->pu_run = sched_getcpu();
		u->life = SL_LIFE_RUN;
		return true;
	}
	cvp_die(EXIT_WRONG, "stackless: unit %u was resumed after it finished", i);
}

void sl_leave(struct sl *s, uint32_t i, struct sl_unit *u)
{
	s->r->sh->slot[i].end_ns = now_ns();
	u->life = SL_LIFE_DONE;
}

const struct wl_ctx *sl_ctx(const struct sl *s)
{
	return &s->r->ctx;
}

void *sl_shared(const struct sl *s)
{
	return s->shared;
}

bool sl_next_task(struct sl *s, uint64_t *begin, uint64_t *end)
{
	struct run *r = s->r;
	uint64_t t = atomic_fetch_add_explicit(&r->sh->next_task, 1, memory_order_relaxed);
	if (t >= r->tasks)
		return false;
	/* Task t covers [t*size/T, (t+1)*size/T), as under every other model. */
	*begin = (unsigned __int128)t * r->ctx.size / r->tasks;
	*end = (unsigned __int128)(t + 1) * r->ctx.size / r->tasks;
	return true;
}

unsigned sl_role_task(struct sl *s, uint32_t i, uint64_t *begin, uint64_t *end)
{
	struct run *r = s->r;
	uint64_t k;
	unsigned role = role_of(r->wl, r->units, i, &k);
	uint64_t n = role_units(r->wl, r->units, role), size = r->ctx.size;
	*begin = (unsigned __int128)k * size / n;
	*end = (unsigned __int128)(k + 1) * size / n;
	return role;
}

void sl_task_done(struct sl *s, uint32_t i, uint64_t sum)
{
	struct unit_slot *slot = &s->r->sh->slot[i];
	slot->checksum += sum;
	slot->tasks_done++;
}

bool sl_between_tasks(struct sl *s, uint32_t i)
{
	struct run *r = s->r;
	if (atomic_load_explicit(&r->sh->next_task, memory_order_relaxed) >= r->tasks)
		return false;
	r->sh->slot[i].yields++;
	sl_push(s, i);
	return true;
}

bool sl_hold(struct sl *s, uint32_t i)
{
	if (!hold_arrive(s->r)) {
		sl_park_at_gate(s, i);
		return true;
	}
	sl_open_gate(s); /* measured, while every other unit was parked */
	return false;
}

void sl_note_wait(struct sl *s, int64_t ns)
{
	waits_add(s->r, ns);
}
