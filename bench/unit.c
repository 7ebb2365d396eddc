/* unit.c — what every unit does under every model: take tasks from the shared counter until
 * none are left, cut each into the workload's slices, yield between slices when the model asks,
 * and record checksum, yields, CPU time and PU in its own slot. Also the start barrier
 * (a futex in shared memory, so threads and forked children wait on the same word). */
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "cvp.h"

_Noreturn void cvp_check_failed(const char *cond, const char *file, int line)
{
	int e = errno;
	cleanup_quiet_if_leaving();
	fprintf(stderr, "cvp: internal check failed: %s (%s:%d; errno %d: %s)\n", cond, file, line,
		e, strerror(e));
	exit(EXIT_WRONG);
}

_Noreturn void cvp_die(int status, const char *fmt, ...)
{
	va_list ap;
	cleanup_quiet_if_leaving();
	va_start(ap, fmt);
	fputs("cvp: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(status);
}

int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

void *wl_shared_alloc(size_t bytes)
{
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

void wl_shared_free(void *p, size_t bytes)
{
	if (p)
		munmap(p, bytes);
}

void futex_wait(_Atomic uint32_t *word, uint32_t val)
{
	syscall(SYS_futex, word, FUTEX_WAIT, val, NULL, NULL, 0);
}

void futex_wake(_Atomic uint32_t *word, int n)
{
	syscall(SYS_futex, word, FUTEX_WAKE, n, NULL, NULL, 0);
}

static void futex_wake_all(_Atomic uint32_t *word)
{
	futex_wake(word, INT_MAX);
}

bool gate_arrive(struct run *r, _Atomic uint32_t *arrived, _Atomic uint32_t *open)
{
	if (atomic_fetch_add(arrived, 1) + 1 == r->units)
		return true;
	while (!atomic_load(open)) {
		if (r->yield)
			r->yield(r); /* a coroutine waits by letting the others run */
		else
			futex_wait(open, 0);
	}
	return false;
}

void gate_open(_Atomic uint32_t *open)
{
	atomic_store(open, 1);
	futex_wake_all(open);
}

bool barrier_wait(struct run *r)
{
	struct shared *sh = r->sh;
	atomic_fetch_add(&sh->ready, 1);
	futex_wake_all(&sh->ready);
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
	r->sh->t0_ns = now_ns();
	atomic_store(&r->sh->go, 1);
	futex_wake_all(&r->sh->go);
}

void barrier_abort(struct run *r)
{
	atomic_store(&r->sh->go, 2);
	futex_wake_all(&r->sh->go);
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

void thread_cpu_us(int64_t *user_us, int64_t *sys_us)
{
	struct rusage ru;
	CHECK(getrusage(RUSAGE_THREAD, &ru) == 0);
	*user_us = ru.ru_utime.tv_sec * 1000000LL + ru.ru_utime.tv_usec;
	*sys_us = ru.ru_stime.tv_sec * 1000000LL + ru.ru_stime.tv_usec;
}

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

void unit_enter(struct run *r, uint64_t u)
{
	cleanup_unit(u);
	struct unit_slot *s = &r->sh->slot[u];
	s->started_ns = now_ns();
	s->pid = getpid();
}

void unit_body(struct run *r, uint64_t u)
{
	struct unit_slot *s = &r->sh->slot[u];
	const struct workload *wl = r->wl;
	int64_t user0 = 0, sys0 = 0;
	bool own_cpu = r->model->per_unit_cpu;

	s->pu_run = sched_getcpu();
	if (own_cpu)
		thread_cpu_us(&user0, &sys0);
	fault_point(u);
	for (;;) {
		uint64_t t = atomic_fetch_add(&r->sh->next_task, 1);
		if (t >= r->tasks)
			break;
		/* Task t covers [t*size/T, (t+1)*size/T): the remainder is spread, not piled up. */
		uint64_t begin = (unsigned __int128)t * r->ctx.size / r->tasks;
		uint64_t end = (unsigned __int128)(t + 1) * r->ctx.size / r->tasks;
		uint64_t step = wl->slice ? wl->slice : end - begin;
		for (uint64_t b = begin; b < end; b += step) {
			uint64_t e = end - b < step ? end : b + step;
			s->checksum += wl->run(&r->ctx, b, e);
			if (r->yield && e < end) {
				r->yield(r);
				s->yields++;
			}
		}
		s->tasks_done++;
		/* Between tasks a coroutine yields too, so a pool of coroutines shares the thread. */
		if (r->yield && atomic_load(&r->sh->next_task) < r->tasks) {
			r->yield(r);
			s->yields++;
		}
	}
	if (own_cpu) {
		thread_cpu_us(&s->user_us, &s->sys_us);
		s->user_us -= user0;
		s->sys_us -= sys0;
	}
	s->end_ns = now_ns();
	cleanup_unit(-1);
}
