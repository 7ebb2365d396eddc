/* serial.c — the baseline: units run one after another in the calling thread, bound to the
 * first place of the plan. Since units take tasks from the shared counter, the first unit ends
 * up doing them all: exactly one core's worth of the same work. */
#include "core/cvp.h"
#include "sys/pin.h"

static int serial_spawn(struct run *r)
{
	CHECK(pin_bind_thread(r->pin, 0) == 0);
	return 0;
}

static int serial_run(struct run *r)
{
	unit_run_serial(r);
	unit_shared_usage(r);
	return 0;
}

static void serial_reap(struct run *r)
{
	(void)r;
}

const struct model model_serial = {
	.name = "serial",
	.desc = "baseline: units one after another in the calling thread",
	.rank = 0,
	.caps = WL_CAP_BLOCK | WL_CAP_SHARED | WL_CAP_STACK,
	.spawn = serial_spawn,
	.run = serial_run,
	.reap = serial_reap,
};
