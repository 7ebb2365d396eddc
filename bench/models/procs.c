/* procs.c — a pool of processes forked before the clock starts, one per unit. Each child
 * binds itself right after fork, waits at the start barrier (a futex in MAP_SHARED memory),
 * runs the unit, writes its slot and _exits. The parent reaps every child; a unit that fails
 * (killed by a signal, or a non-zero exit) is reported with its unit number and the others are
 * stopped. Children come from cleanup_fork: one process group, they die with the parent. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sys/resource.h>

#include "sys/cleanup.h"
#include "core/cvp.h"
#include "sys/pin.h"

struct procs {
	pid_t *pid;
	uint64_t n; /* children forked and not yet reaped */
};

static int procs_bind(struct run *r, uint64_t u)
{
	return pin_bind_process(r->pin, u);
}

/* A child's main stack may grow to RLIMIT_STACK. */
static uint64_t procs_stack_kib(const struct run *r)
{
	(void)r;
	struct rlimit rl;
	CHECK(getrlimit(RLIMIT_STACK, &rl) == 0);
	return rl.rlim_cur == RLIM_INFINITY ? 0 : rl.rlim_cur / 1024;
}

static int procs_spawn(struct run *r)
{
	struct procs *p = calloc(1, sizeof *p);
	CHECK_MEM(p);
	p->pid = calloc(r->units, sizeof *p->pid);
	CHECK_MEM(p->pid);
	r->model_state = p;
	fflush(NULL);
	for (uint64_t u = 0; u < r->units; u++) {
		if (u == 0)
			r->sh->create0_ns = now_ns();
		pid_t pid = cleanup_fork();
		if (pid == 0) {
			unit_main(r, u);
			_exit(0);
		}
		if (u == 0)
			r->sh->create0_end_ns = now_ns();
		if (pid < 0) {
			int e = errno;
			barrier_abort(r);
			char limit[256];
			limit_name(e, limit, sizeof limit);
			fprintf(stderr,
				"cvp: procs: fork failed at unit %llu of %llu: %s; limit reached: %s\n",
				(unsigned long long)u, (unsigned long long)r->units, strerror(e), limit);
			return EXIT_LIMIT;
		}
		p->pid[p->n++] = pid;
	}
	barrier_wait_ready(r, r->units);
	return 0;
}

/* Reaps every child still alive; returns the first unit that was killed by a signal or
 * exited non-zero, with its wait status in *status, or -1. */
static int64_t reap_all(struct procs *p, int *status)
{
	int64_t bad = -1;
	for (uint64_t u = 0; u < p->n; u++) {
		int st;
		while (waitpid(p->pid[u], &st, 0) < 0)
			CHECK(errno == EINTR);
		cleanup_reaped();
		if (bad < 0 && (WIFSIGNALED(st) || (WIFEXITED(st) && WEXITSTATUS(st) != 0))) {
			bad = u;
			*status = st;
		}
	}
	p->n = 0;
	return bad;
}

static int procs_run(struct run *r)
{
	struct procs *p = r->model_state;
	barrier_release(r, r->units);
	/* Units wait for each other before exiting; no child exits before they all finished
	 * unless one failed. So the first child to exit (looked at, not reaped) either comes after
	 * the end or is a failure: then the other units are stopped, not waited for. */
	siginfo_t si;
	while (waitid(P_ALL, 0, &si, WEXITED | WNOWAIT) != 0)
		CHECK(errno == EINTR);
	bool failed = !(si.si_code == CLD_EXITED && si.si_status == 0);
	int64_t bad = -1;
	for (uint64_t u = 0; u < p->n; u++) {
		if (p->pid[u] == si.si_pid)
			bad = u;
		if (failed) /* not reaped yet, so no pid here can have been reused */
			kill(p->pid[u], SIGKILL);
	}
	barrier_finish_release(r);
	int st = 0;
	int64_t first_bad = reap_all(p, &st);
	/* How the failed unit ended: by a signal (its number) or with an exit status. */
	bool signaled = failed ? si.si_code != CLD_EXITED : WIFSIGNALED(st);
	int n = failed ? si.si_status : signaled ? WTERMSIG(st) : WEXITSTATUS(st);
	if (!failed) /* a unit may still have failed after the first clean exit */
		bad = first_bad;
	if (failed && bad < 0)
		return EXIT_WRONG; /* not a unit: the delay server, which server_stop() reports */
	if (bad < 0)
		return 0;
	if (signaled) {
		const char *abbrev = sigabbrev_np(n);
		fprintf(stderr, "cvp: procs: unit %lld died of signal %d (SIG%s)\n", (long long)bad,
			n, abbrev ? abbrev : "?");
		return EXIT_WRONG;
	}
	fprintf(stderr, "cvp: procs: unit %lld exited with status %d\n", (long long)bad, n);
	/* A unit that hit a resource limit said which (exit 3); pass that on. */
	return n == EXIT_LIMIT ? EXIT_LIMIT : EXIT_WRONG;
}

static void procs_reap(struct run *r)
{
	struct procs *p = r->model_state;
	if (!p)
		return;
	int sig;
	reap_all(p, &sig);
	free(p->pid);
	free(p);
	r->model_state = NULL;
}

const struct model model_procs = {
	.name = "procs",
	.desc = "a pool of forked processes, one per unit, results in MAP_SHARED memory",
	.rank = 2,
	.caps = WL_CAP_COEXIST | WL_CAP_BLOCK | WL_CAP_PARALLEL | WL_CAP_STACK,
	.own_thread = true,
	.stack_kib = procs_stack_kib,
	.spawn = procs_spawn,
	.run = procs_run,
	.reap = procs_reap,
	.bind = procs_bind,
};
