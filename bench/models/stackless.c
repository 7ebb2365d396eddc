/* stackless.c — one stackless unit per unit: a resumable state machine (a struct with a resume
 * point and the locals that outlive a wait, no stack of its own), all on the calling thread,
 * which is bound to the plan's first place, driven by bench/stackless/'s scheduler (a run queue,
 * a timer heap, an epoll wait). Such a unit cannot run a workload's run(ctx, begin, end), which
 * waits inside the calls it makes, so this model runs only the probes that have a state-machine
 * version (workloads/stackless/, registered by the Makefile); every other workload is skipped
 * (exit 4) with that reason. A hand-off between two units is a return to the scheduler and a
 * call into the other (WL_CAP_DIRECT: pingpong's direct variant). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/cvp.h"
#include "stackless/sched.h"
#include "sys/pin.h"

extern const struct sl_probe *const stackless_probes[]; /* generated: workloads/stackless/ */

static const struct sl_probe *probe_of(const struct workload *wl)
{
	for (int i = 0; stackless_probes[i]; i++)
		if (strcmp(stackless_probes[i]->workload, wl->name) == 0)
			return stackless_probes[i];
	return NULL;
}

static const char *stackless_cannot_run(const struct workload *wl)
{
	if (probe_of(wl))
		return NULL;
	return "a stackless unit can wait only in its own resume function, never inside a call, "
	       "and a workload's run(ctx, begin, end) may wait anywhere inside it (the seam); only "
	       "the probes with a state-machine version (workloads/stackless/, see cvp --list) run "
	       "under stackless";
}

/* The probe's stack option (idle's --touch-kib) is 0 here: a stackless unit has no stack. */
static int stackless_configure(struct run *r)
{
	const struct sl_probe *p = probe_of(r->wl);
	CHECK(p); /* the run refused the workloads without one (cannot_run) */
	if (!p->stack_opt)
		return 0;
	int k = 0;
	while (r->wl->opts[k].name && strcmp(r->wl->opts[k].name, p->stack_opt) != 0)
		k++;
	CHECK(r->wl->opts[k].name);
	if (r->wl_opt.given[k] && r->wl_opt.v[k] != 0)
		cvp_die(EXIT_USAGE, "--%s: a stackless unit has no stack to touch (give 0 or leave it "
				    "out under stackless)", p->stack_opt);
	r->wl_opt.v[k] = 0;
	return 0;
}

static int stackless_spawn(struct run *r)
{
	CHECK(pin_bind_thread(r->pin, 0) == 0);
	CHECK(r->units < SL_NONE);
	const struct sl_probe *p = probe_of(r->wl);
	const char *what;
	struct sl *s = sl_new(r, p, r->units, &what);
	if (!s) {
		fprintf(stderr,
			"cvp: stackless: cannot get %s of %llu units (%zu bytes each): %s (limits: "
			"memory, ulimit -v)\n",
			what, (unsigned long long)r->units, p->unit_bytes, strerror(errno));
		return EXIT_LIMIT;
	}
	r->model_state = s;
	for (uint32_t u = 0; u < r->units; u++) {
		if (u == 0)
			r->sh->create0_ns = now_ns();
		sl_spawn(s, u);
		if (u == 0)
			r->sh->create0_end_ns = now_ns();
	}
	return 0;
}

/* The units run to the start barrier, where the last to arrive starts the clock and notes the
 * thread's CPU time; then to the end. */
static int stackless_run(struct run *r)
{
	sl_run(r->model_state);
	unit_shared_usage(r);
	return 0;
}

static void stackless_reap(struct run *r)
{
	sl_free(r->model_state);
	r->model_state = NULL;
}

const struct model model_stackless = {
	.name = "stackless",
	.desc = "one stackless unit per unit (a state machine: a resume point and the locals that "
		"outlive a wait, no stack), all on one scheduler thread; the probes only",
	.rank = 5,
	.caps = WL_CAP_COEXIST | WL_CAP_DIRECT | WL_CAP_SHARED,
	.configure = stackless_configure,
	.spawn = stackless_spawn,
	.run = stackless_run,
	.reap = stackless_reap,
	.cannot_run = stackless_cannot_run,
};
