/* timers.c — see timers.h. */
#include <stdlib.h>

#include "core/cvp.h"
#include "core/timers.h"

bool timers_init(struct timers *t, uint64_t cap)
{
	t->n = 0;
	t->cap = cap;
	t->heap = calloc(cap ? cap : 1, sizeof *t->heap);
	return t->heap != NULL;
}

void timers_free(struct timers *t)
{
	free(t->heap);
	t->heap = NULL;
	t->n = t->cap = 0;
}

void timers_push(struct timers *t, int64_t due, uint64_t id)
{
	CHECK(t->n < t->cap); /* each unit sleeps at most once at a time */
	uint64_t i = t->n++;
	while (i > 0 && t->heap[(i - 1) / 2].due_ns > due) {
		t->heap[i] = t->heap[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	t->heap[i] = (struct timer){due, id};
}

bool timers_pop_due(struct timers *t, int64_t now, uint64_t *id)
{
	if (!t->n || t->heap[0].due_ns > now)
		return false;
	*id = t->heap[0].id;
	struct timer last = t->heap[--t->n];
	uint64_t i = 0, n = t->n;
	for (;;) {
		uint64_t c = 2 * i + 1;
		if (c >= n)
			break;
		if (c + 1 < n && t->heap[c + 1].due_ns < t->heap[c].due_ns)
			c++;
		if (t->heap[c].due_ns >= last.due_ns)
			break;
		t->heap[i] = t->heap[c];
		i = c;
	}
	if (n)
		t->heap[i] = last;
	return true;
}
