/* pingpong, stackless — what a hand-off between two stackless units costs (workloads/pingpong.c:
 * the roles, --size turns, the expected checksum, ns_per_op). Unit 0 (ping) takes the even
 * turns, unit 1 (pong) the odd ones; a unit whose turn is not due hands the thread straight to
 * the other (sl_switch_to: a return to the scheduler and a call into the other's resume
 * function, no stack switched, no system call) — the direct variant, as coroutines do it. The
 * token carries a value each turn mixes, so the checksum depends on the order of the hand-offs. */
#include "workloads/stackless/stackless.h"

struct token {
	uint64_t turn;  /* the turn that is due */
	uint64_t value; /* what the token carries */
};

struct player {
	struct sl_unit u;
	uint64_t turn, end, sum; /* its next turn, the end of its task, its checksum */
};

/* As workloads/pingpong.c's step: what turn t makes of the value the token brought. */
static uint64_t step(uint64_t carried, uint64_t turn)
{
	return wl_mix64(carried + turn);
}

static enum sl_step pingpong_resume(struct sl *s, uint32_t i, void *unit)
{
	struct player *me = unit;
	struct token *tok = sl_shared(s);
	uint64_t begin;
	unsigned parity; /* the role: 0 ping, 1 pong */
	SL_BEGIN(&me->u);
	parity = sl_role_task(s, i, &begin, &me->end);
	for (me->turn = begin + ((begin ^ parity) & 1), me->sum = 0; me->turn < me->end;
	     me->turn += 2) {
		/* The roles have one unit each (units 0 and 1): the other is 1 - i. */
		while (tok->turn != me->turn)
			SL_AWAIT(&me->u, sl_switch_to(s, i, 1 - i));
		uint64_t v = step(tok->value, me->turn);
		me->sum += v;
		tok->value = v;
		tok->turn = me->turn + 1;
	}
	sl_task_done(s, i, me->sum);
	SL_END(&me->u);
}

STACKLESS(pingpong) = {
	.workload = "pingpong",
	.unit_bytes = sizeof(struct player),
	.shared_bytes = sizeof(struct token),
	.resume = pingpong_resume,
};
