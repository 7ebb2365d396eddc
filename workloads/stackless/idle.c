/* idle, stackless — what N live, idle stackless units cost in memory (workloads/idle.c: the
 * options, the baseline taken in prepare, the figures). One op = one unit: it parks in the hold
 * until every unit has arrived and the harness has measured VSZ, RSS, PSS and kernel memory per
 * unit, from the process's growth (never from sizeof). A stackless unit has no stack to touch:
 * its memory is its struct (below), the scheduler's share and the harness's slot. */
#include "workloads/stackless/stackless.h"

struct idler {
	struct sl_unit u;
	uint64_t op, end, sum; /* the task's ops, across the hold */
};

static enum sl_step idle_resume(struct sl *s, uint32_t i, void *unit)
{
	struct idler *me = unit;
	SL_BEGIN(&me->u);
	while (sl_next_task(s, &me->op, &me->end)) {
		for (me->sum = 0; me->op < me->end; me->op++) {
			SL_AWAIT(&me->u, sl_hold(s, i));
			me->sum++;
		}
		sl_task_done(s, i, me->sum);
		SL_AWAIT(&me->u, sl_between_tasks(s, i));
	}
	SL_END(&me->u);
}

STACKLESS(idle) = {
	.workload = "idle",
	.unit_bytes = sizeof(struct idler),
	.stack_opt = "touch-kib",
	.resume = idle_resume,
};
