/* timers.h — sleepers by deadline: a binary min-heap on due_ns, one entry per sleeper, sized
 * once for every unit (a unit sleeps at most once at a time). The coroutine loop and the
 * stackless scheduler both keep their sleepers in one. */
#ifndef CVP_TIMERS_H
#define CVP_TIMERS_H

#include <stdbool.h>
#include <stdint.h>

struct timer {
	int64_t due_ns;
	uint64_t id; /* whose sleep: a coroutine, a stackless unit */
};

struct timers {
	struct timer *heap;
	uint64_t n, cap;
};

/* Room for cap sleepers; false (errno set) when there is no memory for them. */
bool timers_init(struct timers *t, uint64_t cap);
void timers_free(struct timers *t);
void timers_push(struct timers *t, int64_t due_ns, uint64_t id);
/* The earliest sleeper due at or before now, taken off the heap into *id; false if none is. */
bool timers_pop_due(struct timers *t, int64_t now, uint64_t *id);

/* The earliest deadline; only when t->n > 0. */
static inline int64_t timers_next(const struct timers *t)
{
	return t->heap[0].due_ns;
}

#endif
