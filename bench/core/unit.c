/* unit.c — what every unit does under every model: note where and when it starts, warm up, wait
 * at the start barrier, then take tasks from the shared counter until none are left (or, with
 * unit roles, do its role's one task), cut each into the workload's slices, yield between slices
 * when the model is cooperative, and record checksum, yields, CPU time and PU in its own slot. */
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include "sys/cleanup.h"
#include "core/cvp.h"
#include "sys/pin.h"

#ifdef CVP_FAULTS
/* Test builds only (build/cvp-faults; the normal binary has no such switch): CVP_FAULT=crash:N
 * makes unit N die of SIGSEGV before its first task. */
static void fault_point(uint64_t u)
{
	const char *f = getenv("CVP_FAULT");
	unsigned long long n;
	char end;
	if (f && sscanf(f, "crash:%llu%c", &n, &end) == 1 && n == u)
		raise(SIGSEGV);
}
#else
static void fault_point(uint64_t u)
{
	(void)u;
}
#endif

/* First thing a unit's own code does under every model: note the time and process. */
static void unit_enter(struct run *r, uint64_t u)
{
	cleanup_unit(u);
	struct unit_slot *s = &r->sh->slot[u];
	s->started_ns = now_ns();
	s->pid = getpid();
}

/* Runs ops [begin, end) of one task with fn, slice by slice, yielding between slices. */
static void do_task(struct run *r, struct unit_slot *s,
		    uint64_t (*fn)(const struct wl_ctx *, uint64_t, uint64_t), uint64_t begin,
		    uint64_t end)
{
	uint64_t step = r->wl->slice ? r->wl->slice : end - begin;
	for (uint64_t b = begin; b < end; b += step) {
		uint64_t e = end - b < step ? end : b + step;
		s->checksum += fn(&r->ctx, b, e);
		if (r->model->yield && e < end) {
			r->model->yield(r);
			s->yields++;
		}
	}
	s->tasks_done++;
}

uint64_t role_units(const struct workload *wl, uint64_t units, unsigned i)
{
	uint64_t fixed = 0, shared = 0, before = 0;
	for (unsigned j = 0; wl->roles[j].name; j++) {
		fixed += wl->roles[j].units;
		if (wl->roles[j].units == 0) {
			before += j < i;
			shared++;
		}
	}
	if (wl->roles[i].units)
		return wl->roles[i].units;
	uint64_t left = units > fixed ? units - fixed : 0;
	return left / shared + (before < left % shared);
}

unsigned role_of(const struct workload *wl, uint64_t units, uint64_t u, uint64_t *index)
{
	unsigned i = 0;
	uint64_t first = 0;
	for (; wl->roles[i].name; i++) {
		uint64_t n = role_units(wl, units, i);
		if (u < first + n)
			break;
		first += n;
	}
	CHECK(wl->roles[i].name); /* every unit has a role */
	*index = u - first;
	return i;
}

uint64_t wl_role_units(const struct wl_ctx *ctx, unsigned i)
{
	return role_units(ctx->run->wl, ctx->units, i);
}

unsigned wl_role_of(const struct wl_ctx *ctx, uint64_t *index)
{
	return role_of(ctx->run->wl, ctx->units, cleanup_current_unit(), index);
}

/* With roles: unit u's role, and its one task, [k*size/n, (k+1)*size/n) for the role's k-th of
 * n units. */
static void do_role(struct run *r, struct unit_slot *s, uint64_t u)
{
	uint64_t k;
	unsigned i = role_of(r->wl, r->units, u, &k);
	uint64_t n = role_units(r->wl, r->units, i), size = r->ctx.size;
	do_task(r, s, r->wl->roles[i].run, (unsigned __int128)k * size / n,
		(unsigned __int128)(k + 1) * size / n);
}

static void unit_body(struct run *r, uint64_t u)
{
	struct unit_slot *s = &r->sh->slot[u];
	struct usage at_start;
	bool own_cpu = r->model->own_thread;

	s->pu_run = sched_getcpu();
	if (own_cpu)
		thread_usage(&at_start);
	fault_point(u);
	if (r->wl->roles) {
		do_role(r, s, u);
	} else {
		for (;;) {
			uint64_t t = atomic_fetch_add(&r->sh->next_task, 1);
			if (t >= r->tasks)
				break;
			/* Task t covers [t*size/T, (t+1)*size/T): the remainder is spread. */
			do_task(r, s, r->wl->run, (unsigned __int128)t * r->ctx.size / r->tasks,
				(unsigned __int128)(t + 1) * r->ctx.size / r->tasks);
			/* Between tasks a coroutine yields too, so a pool of coroutines shares the
			 * thread. */
			if (r->model->yield && atomic_load(&r->sh->next_task) < r->tasks) {
				r->model->yield(r);
				s->yields++;
			}
		}
	}
	if (own_cpu) {
		struct usage at_end;
		thread_usage(&at_end);
		s->used = usage_since(&at_end, &at_start);
	}
	s->end_ns = now_ns();
}

/* Binds the unit where its model places units one by one, and notes the place. */
static void unit_place(struct run *r, uint64_t u)
{
	if (r->model->bind && r->model->bind(r, u) != 0)
		cvp_die(EXIT_WRONG, "%s: cannot bind unit %llu: %m", r->model->name,
			(unsigned long long)u);
	r->sh->slot[u].pu_bound = pin_unit_pu(r->pin, r->model->bind ? u : 0);
}

static void unit_warmup(struct run *r, uint64_t u)
{
	if (r->wl->warmup)
		r->wl->warmup(&r->ctx, u);
}

void unit_main(struct run *r, uint64_t u)
{
	unit_enter(r, u);
	unit_place(r, u);
	unit_warmup(r, u);
	if (barrier_wait(r)) {
		if (r->model->go)
			r->model->go(r, u);
		r->sh->slot[u].go_ns = now_ns();
		unit_body(r, u);
		if (r->model->own_thread)
			barrier_finish(r);
	}
	cleanup_unit(-1);
}

void unit_run_serial(struct run *r)
{
	for (uint64_t u = 0; u < r->units; u++) {
		unit_enter(r, u);
		unit_place(r, u);
		unit_warmup(r, u);
	}
	clock_start(r);
	for (uint64_t u = 0; u < r->units; u++) {
		cleanup_unit(u);
		r->sh->slot[u].go_ns = now_ns();
		unit_body(r, u);
	}
	cleanup_unit(-1);
}

void unit_shared_usage(struct run *r)
{
	struct usage now;
	thread_usage(&now);
	r->used = usage_since(&now, &r->sh->at_release);
}
