/* sleep, stackless — pure waiting, no CPU (workloads/sleep.c: --delay-ms, --size rounds per task,
 * the expected checksum). Each round notes the time, parks the unit on the scheduler's timer
 * heap until D has passed, and checks on waking that it has: a short round spoils the checksum
 * as it does under the stackful models. */
#include "workloads/stackless/stackless.h"

enum { OPT_DELAY }; /* sleep's options, in order */

struct sleeper {
	struct sl_unit u;
	uint64_t op, end, sum; /* the task's rounds */
	int64_t t0;            /* when this round's wait began */
};

/* As workloads/sleep.c's round_sum: the checksum of one round that waited long enough. */
static uint64_t round_sum(uint64_t op)
{
	return wl_mix64(op + 1);
}

static enum sl_step sleep_resume(struct sl *s, uint32_t i, void *unit)
{
	struct sleeper *me = unit;
	int64_t d = sl_ctx(s)->opt[OPT_DELAY] * 1000000LL;
	SL_BEGIN(&me->u);
	while (sl_next_task(s, &me->op, &me->end)) {
		for (me->sum = 0; me->op < me->end; me->op++) {
			me->t0 = wl_now_ns();
			SL_AWAIT(&me->u, sl_sleep_until(s, i, me->t0 + d));
			int64_t took = wl_now_ns() - me->t0;
			sl_note_wait(s, took);
			me->sum += round_sum(me->op) + (took < d);
		}
		sl_task_done(s, i, me->sum);
		SL_AWAIT(&me->u, sl_between_tasks(s, i));
	}
	SL_END(&me->u);
}

STACKLESS(sleep) = {
	.workload = "sleep",
	.unit_bytes = sizeof(struct sleeper),
	.resume = sleep_resume,
};
