/* spawn, stackless — what creating a stackless unit costs (workloads/spawn.c: the figures). One
 * op = one unit that does nothing: the harness times making, starting, finishing and freeing all
 * N (µs per unit) and, apart, how long unit 0 took from the request to make it to its first
 * step. Making a unit is zeroing its struct and queueing it; there is no stack to map. */
#include "workloads/stackless/stackless.h"

struct empty {
	struct sl_unit u; /* nothing outlives a wait */
};

static enum sl_step spawn_resume(struct sl *s, uint32_t i, void *unit)
{
	struct empty *me = unit;
	uint64_t begin, end;
	SL_BEGIN(&me->u);
	while (sl_next_task(s, &begin, &end)) {
		sl_task_done(s, i, end - begin);
		SL_AWAIT(&me->u, sl_between_tasks(s, i));
	}
	SL_END(&me->u);
}

STACKLESS(spawn) = {
	.workload = "spawn",
	.unit_bytes = sizeof(struct empty),
	.resume = spawn_resume,
};
