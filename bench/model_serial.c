/* model_serial.c — the baseline: units run one after another in the calling thread, bound to
 * the first place of the plan. Since units take tasks from the shared counter, the first unit
 * ends up doing them all: exactly one core's worth of the same work. */

#include "cvp.h"
#include "pin.h"

static int serial_spawn(struct run *r)
{
	CHECK(pin_bind_thread(r->pin, 0) == 0);
	for (uint64_t u = 0; u < r->units; u++)
		r->sh->slot[u].pu_bound = pin_unit_pu(r->pin, 0);
	return 0;
}

static int serial_run(struct run *r)
{
	int64_t user0, sys0;
	thread_cpu_us(&user0, &sys0);
	r->sh->t0_ns = now_ns();
	for (uint64_t u = 0; u < r->units; u++) {
		unit_enter(r, u);
		unit_body(r, u);
	}
	thread_cpu_us(&r->user_us, &r->sys_us);
	r->user_us -= user0;
	r->sys_us -= sys0;
	return 0;
}

static void serial_reap(struct run *r)
{
	(void)r;
}

const struct model model_serial = {
	.name = "serial",
	.desc = "baseline: units one after another in the calling thread",
	.start_at_release = true,
	.spawn = serial_spawn,
	.run = serial_run,
	.reap = serial_reap,
};
