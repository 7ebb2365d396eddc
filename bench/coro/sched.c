/* sched.c — the coroutine scheduler: a ring of runnable coroutines, each on its own stack, switched
 * by the backend coros --switch chose (switch.h: glibc's swapcontext, which makes one
 * rt_sigprocmask system call per switch, or a hand-written switch that makes none). The
 * scheduler is the same for both; so are the workloads.
 *
 * Stacks: one MAP_NORESERVE mapping holds every stack, each with a guard page below it. Where
 * the kernel has MADV_GUARD_INSTALL (Linux 6.13+) a guard costs no VMA, so a million stacks stay
 * one VMA, far under vm.max_map_count; elsewhere mprotect makes each guard its own VMA (two per
 * stack) and the count is capped near max_map_count / 2.
 *
 * Contexts: one array of n + 1 saved contexts of the backend's size (the last is the
 * scheduler's), apart from the small per-coroutine state, so a million coroutines cost a few
 * words each under asm and ~1 KiB each under ucontext.
 *
 * Every switch goes through swap() (or, when a coroutine ends, swap_exit()), which tells
 * AddressSanitizer and ThreadSanitizer (fiber annotations) and the crash report (cleanup_unit)
 * which stack and unit run next; valgrind learns of each stack when it is spawned
 * (VALGRIND_STACK_REGISTER, a few instructions when not under valgrind). */
#include "coro/sched.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "coro/switch.h"
#include "sys/cleanup.h"
#include "core/cvp.h"

#if defined(__SANITIZE_ADDRESS__)
#include <pthread.h>
#include <sanitizer/common_interface_defs.h>
#define CVP_ASAN 1
#endif
#if defined(__SANITIZE_THREAD__)
#include <sanitizer/tsan_interface.h>
#define CVP_TSAN 1
#endif
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#define CVP_VALGRIND 1
#endif

#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102
#endif

struct coro {
	void (*fn)(void *);
	void *arg;
	/* A coroutine has at most one ring entry (in_ring); a direct switch into a queued one
	 * leaves its entry behind but clears queued, and the scheduler skips such an entry. */
	bool in_ring, queued;
	bool spawned;
	unsigned vg_stack; /* valgrind's id for the stack */
#ifdef CVP_TSAN
	void *tsan_fiber; /* ThreadSanitizer's state for the coroutine */
#endif
};

struct sched {
	const struct switch_ops *sw;
	char *ctx; /* n + 1 saved contexts of sw->ctx_bytes: coroutine i's, then the scheduler's */
	struct coro *co;
	uint64_t n;
	uint64_t *ring; /* runnable coroutines, FIFO */
	uint64_t head, count;
	uint64_t cur;
	uint64_t alive;
	uint64_t unit_first, unit_stride; /* coroutine i is unit first + i x stride */
	void (*poll)(void *arg, bool block); /* the event loop, when coroutines wait on it */
	void *poll_arg;
	char *stacks;
	size_t stack_bytes, slot_bytes, map_bytes;
	const char *guard;
	const void *main_bottom; /* the scheduler's own stack, for ASan */
	size_t main_size;
#ifdef CVP_TSAN
	void *tsan_main; /* the scheduler's thread, for TSan */
#endif
};

enum { NONE = UINT64_MAX }; /* the scheduler: no coroutine */

static size_t page_size(void)
{
	return (size_t)sysconf(_SC_PAGESIZE);
}

struct sched *sched_new(uint64_t n, size_t stack_bytes, const struct switch_ops *sw,
			const char **what)
{
	size_t pg = page_size();
	struct sched *s = calloc(1, sizeof *s);
	*what = "the scheduler";
	if (!s)
		return NULL;
	s->sw = sw;
	s->n = n;
	s->unit_stride = 1;
	s->stack_bytes = (stack_bytes + pg - 1) / pg * pg;
	s->slot_bytes = s->stack_bytes + pg;
	s->map_bytes = s->slot_bytes * n;
	*what = "the coroutines' state";
	s->co = calloc(n, sizeof *s->co);
	s->ring = calloc(n, sizeof *s->ring);
	if (!s->co || !s->ring)
		goto fail;
	*what = "the saved contexts";
	s->ctx = calloc(n + 1, sw->ctx_bytes);
	if (!s->ctx)
		goto fail;
	*what = "the stacks";
	s->stacks = mmap(NULL, s->map_bytes, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (s->stacks == MAP_FAILED) {
		s->stacks = NULL;
		goto fail;
	}
	/* MADV_GUARD_INSTALL unless it fails, or CVP_CORO_GUARD=mprotect forces the fallback. */
	const char *force = getenv("CVP_CORO_GUARD");
	bool light = !force || strcmp(force, "mprotect") != 0;
	*what = "the stacks' guard pages";
	for (uint64_t i = 0; i < n; i++) {
		char *g = s->stacks + i * s->slot_bytes;
		if (light && madvise(g, pg, MADV_GUARD_INSTALL) == 0)
			continue;
		light = false;
		if (mprotect(g, pg, PROT_NONE) == 0)
			continue;
		if (errno == ENOMEM) /* splitting the mapping once more would pass the cap */
			cvp_die(EXIT_LIMIT,
				"coros: vm.max_map_count reached after %llu of %llu coroutine stacks: "
				"each mprotect guard page splits the stack mapping (two VMAs per "
				"stack; MADV_GUARD_INSTALL, Linux 6.13+, needs none); raise it "
				"(sysctl vm.max_map_count) or use fewer units",
				(unsigned long long)i, (unsigned long long)n);
		goto fail;
	}
	s->guard = light ? "madvise" : "mprotect";
	*what = NULL;
	return s;
fail:;
	int e = errno;
	sched_free(s);
	errno = e;
	return NULL;
}

void sched_free(struct sched *s)
{
	if (!s)
		return;
#ifdef CVP_VALGRIND
	for (uint64_t i = 0; s->co && i < s->n; i++)
		if (s->co[i].spawned)
			VALGRIND_STACK_DEREGISTER(s->co[i].vg_stack);
#endif
#ifdef CVP_TSAN
	for (uint64_t i = 0; s->co && i < s->n; i++)
		if (s->co[i].tsan_fiber)
			__tsan_destroy_fiber(s->co[i].tsan_fiber);
#endif
	if (s->stacks)
		munmap(s->stacks, s->map_bytes);
	free(s->co);
	free(s->ring);
	free(s->ctx);
	free(s);
}

const char *sched_guard_kind(const struct sched *s)
{
	return s->guard;
}

void sched_set_units(struct sched *s, uint64_t first, uint64_t stride)
{
	s->unit_first = first;
	s->unit_stride = stride;
}

/* The unit coroutine i is (NONE, the scheduler: -1). */
static int64_t unit_of(const struct sched *s, uint64_t i)
{
	return i == NONE ? -1 : (int64_t)(s->unit_first + i * s->unit_stride);
}

/* A place in the ring: i is at most 2n - 1 here, so a subtraction wraps it (a division would
 * cost as much as a hand-written switch). */
static inline uint64_t ring_at(const struct sched *s, uint64_t i)
{
	return i < s->n ? i : i - s->n;
}

static void push(struct sched *s, uint64_t i)
{
	s->co[i].queued = true;
	if (s->co[i].in_ring)
		return;
	s->co[i].in_ring = true;
	s->ring[ring_at(s, s->head + s->count)] = i;
	s->count++;
}

static char *stack_of(const struct sched *s, uint64_t i)
{
	return s->stacks + i * s->slot_bytes + page_size();
}

/* The saved context of coroutine i (NONE: the scheduler's). */
static void *ctx_of(const struct sched *s, uint64_t i)
{
	return s->ctx + (i == NONE ? s->n : i) * s->sw->ctx_bytes;
}

/* Saves the running context, coroutine me (NONE: the scheduler), and resumes coroutine `to`
 * (NONE: the scheduler); returns when something switches back to me. */
static void swap(struct sched *s, uint64_t me, uint64_t to)
{
#ifdef CVP_ASAN
	void *fake;
	__sanitizer_start_switch_fiber(&fake, to == NONE ? s->main_bottom : stack_of(s, to),
				       to == NONE ? s->main_size : s->stack_bytes);
#endif
#ifdef CVP_TSAN
	__tsan_switch_to_fiber(to == NONE ? s->tsan_main : s->co[to].tsan_fiber, 0);
#endif
	s->sw->swap(ctx_of(s, me), ctx_of(s, to));
#ifdef CVP_ASAN
	__sanitizer_finish_switch_fiber(fake, NULL, NULL);
#endif
	cleanup_unit(unit_of(s, me));
}

/* The running coroutine has returned: back to the scheduler for good. */
static _Noreturn void swap_exit(struct sched *s)
{
#ifdef CVP_ASAN
	__sanitizer_start_switch_fiber(NULL, s->main_bottom, s->main_size); /* NULL: done for good */
#endif
#ifdef CVP_TSAN
	__tsan_switch_to_fiber(s->tsan_main, 0);
#endif
	s->sw->swap(ctx_of(s, s->cur), ctx_of(s, NONE));
	cvp_die(EXIT_WRONG, "coros: a finished coroutine was resumed");
}

/* Every coroutine's first frame, on its own stack. */
static _Noreturn void trampoline(void *arg)
{
	struct sched *s = arg;
#ifdef CVP_ASAN
	__sanitizer_finish_switch_fiber(NULL, NULL, NULL); /* the first entry: nothing saved */
#endif
	cleanup_unit(unit_of(s, s->cur));
	struct coro *c = &s->co[s->cur];
	c->fn(c->arg);
	s->alive--;
	swap_exit(s);
}

void sched_spawn(struct sched *s, uint64_t i, void (*fn)(void *), void *arg)
{
	struct coro *c = &s->co[i];
#ifdef CVP_VALGRIND
	if (!c->spawned)
		c->vg_stack = VALGRIND_STACK_REGISTER(stack_of(s, i), stack_of(s, i) + s->stack_bytes);
#endif
#ifdef CVP_TSAN
	if (!c->tsan_fiber)
		c->tsan_fiber = __tsan_create_fiber(0);
#endif
	c->spawned = true;
	c->fn = fn;
	c->arg = arg;
	/* The scheduler's context is the link: ucontext would resume it if trampoline returned. */
	s->sw->make(ctx_of(s, i), ctx_of(s, NONE), stack_of(s, i), s->stack_bytes, trampoline, s);
	s->alive++;
	push(s, i);
}

void sched_set_poll(struct sched *s, void (*poll)(void *arg, bool block), void *arg)
{
	s->poll = poll;
	s->poll_arg = arg;
}

/* Rounds: run every coroutine queued at the start of the round once, then let the event loop
 * wake what is due (without waiting while some are runnable, so parked ones are not starved
 * by busy ones; waiting when none are). */
void sched_run(struct sched *s)
{
#ifdef CVP_ASAN
	pthread_attr_t a;
	void *bottom;
	CHECK(pthread_getattr_np(pthread_self(), &a) == 0);
	CHECK(pthread_attr_getstack(&a, &bottom, &s->main_size) == 0);
	pthread_attr_destroy(&a);
	s->main_bottom = bottom;
#endif
#ifdef CVP_TSAN
	s->tsan_main = __tsan_get_current_fiber();
#endif
	for (;;) {
		for (uint64_t k = s->count; k > 0; k--) {
			uint64_t i = s->ring[s->head];
			s->head = ring_at(s, s->head + 1);
			s->count--;
			s->co[i].in_ring = false;
			if (!s->co[i].queued)
				continue; /* already resumed by a direct switch */
			s->co[i].queued = false;
			s->cur = i;
			swap(s, NONE, i);
		}
		if (!s->alive)
			break;
		if (s->poll)
			s->poll(s->poll_arg, s->count == 0);
		/* Coroutines alive, none runnable, nothing to wake them: a lost wake-up. */
		CHECK(s->count > 0);
	}
	/* What is left in the ring are entries a direct switch left behind (queued cleared, see
	 * struct coro): nothing may still be runnable. */
	for (; s->count > 0; s->count--, s->head = ring_at(s, s->head + 1)) {
		CHECK(!s->co[s->ring[s->head]].queued);
		s->co[s->ring[s->head]].in_ring = false;
	}
}

void sched_park(struct sched *s)
{
	swap(s, s->cur, NONE);
}

void sched_wake(struct sched *s, uint64_t i)
{
	push(s, i);
}

uint64_t sched_current(const struct sched *s)
{
	return s->cur;
}

void sched_switch_to(struct sched *s, uint64_t target)
{
	uint64_t me = s->cur;
	CHECK(s->co[target].queued && target != me);
	push(s, me); /* if nobody switches back, the scheduler resumes us */
	s->co[target].queued = false;
	s->cur = target;
	swap(s, me, target);
}

void sched_cede(struct sched *s)
{
	uint64_t me = s->cur;
	push(s, me);
	swap(s, me, NONE);
}
