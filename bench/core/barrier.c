/* barrier.c — what units and the harness wait on together: the start barrier, the finish
 * barrier and the gates every unit passes, on futex words in shared memory (sys/sync.c); where
 * units share one thread (coroutines), waiting is yielding to the others. */
#include <limits.h>

#include "core/cvp.h"

bool gate_arrive(struct run *r, _Atomic uint32_t *arrived, _Atomic uint32_t *open)
{
	if (atomic_fetch_add(arrived, 1) + 1 == r->units)
		return true;
	while (!atomic_load(open)) {
		if (r->model->yield)
			r->model->yield(r); /* a coroutine waits by letting the others run */
		else
			futex_wait(open, 0);
	}
	return false;
}

void gate_open(_Atomic uint32_t *open)
{
	atomic_store(open, 1);
	futex_wake(open, INT_MAX);
}

void clock_start(struct run *r)
{
	if (!r->model->own_thread)
		thread_usage(&r->sh->at_release);
	r->sh->t0_ns = now_ns();
}

bool barrier_wait(struct run *r)
{
	struct shared *sh = r->sh;
	if (r->model->yield) {
		if (gate_arrive(r, &sh->ready, &sh->go)) {
			clock_start(r);
			gate_open(&sh->go);
		}
		return true;
	}
	atomic_fetch_add(&sh->ready, 1);
	futex_wake(&sh->ready, INT_MAX);
	uint32_t go;
	while ((go = atomic_load(&sh->go)) == 0)
		futex_wait(&sh->go, 0);
	return go == 1;
}

void barrier_wait_ready(struct run *r, uint64_t n)
{
	uint32_t seen;
	while ((seen = atomic_load(&r->sh->ready)) < n)
		futex_wait(&r->sh->ready, seen);
}

void barrier_release(struct run *r, uint64_t n)
{
	barrier_wait_ready(r, n);
	clock_start(r);
	atomic_store(&r->sh->go, 1);
	futex_wake(&r->sh->go, INT_MAX);
}

void barrier_abort(struct run *r)
{
	atomic_store(&r->sh->go, 2);
	futex_wake(&r->sh->go, INT_MAX);
}

void barrier_finish(struct run *r)
{
	if (gate_arrive(r, &r->sh->finished, &r->sh->all_done))
		gate_open(&r->sh->all_done);
}

void barrier_finish_release(struct run *r)
{
	gate_open(&r->sh->all_done);
}
