/* child.c — a unit's child processes (wl_spawn, wl_reap) and waiting on several fds (wl_poll).
 * Workloads never fork: a child comes from the harness's cleanup_fork, so it joins the run's
 * process group and dies with it however the run ends; its CPU time, from wait4, is added to the
 * unit that reaped it, so the row's user and system time (and cpu_util) count work done by
 * children. Under coroutines nothing blocks the scheduler's thread: fds are non-blocking and a
 * wait parks the coroutine on the event loop (a child's exit through a pidfd). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "coro/loop.h"
#include "core/cvp.h"
#include "sys/cleanup.h"
#include "sys/pin.h"

pid_t wl_spawn(const struct wl_ctx *ctx, char *const argv[], int *to_child, int *from_child)
{
	struct run *r = ctx->run;
	int in[2], out[2];
	if (pipe2(in, O_CLOEXEC) != 0)
		return -1;
	if (pipe2(out, O_CLOEXEC) != 0) {
		int e = errno;
		close(in[0]);
		close(in[1]);
		errno = e;
		return -1;
	}
	fflush(NULL);
	pid_t pid = cleanup_fork();
	if (pid == 0) {
		/* The child runs anywhere on the run's cores: it inherited the affinity of the unit
		 * that forked it, one PU (every coroutine's, under coros). */
		if (pin_bind_all(r->pin) != 0)
			_exit(126);
		/* dup2 clears close-on-exec on the copies: the filter keeps stdin and stdout only. */
		if (dup2(in[0], 0) < 0 || dup2(out[1], 1) < 0)
			_exit(126);
		execvp(argv[0], argv);
		_exit(127); /* the parent reports "cannot run" from this status */
	}
	int e = errno;
	close(in[0]);
	close(out[1]);
	if (pid < 0) {
		close(in[1]);
		close(out[0]);
		errno = e;
		return -1;
	}
	/* The parent's ends never block: a unit that writes and reads a child must not wait on
	 * one while the child waits on the other. */
	int mine[] = {in[1], out[0]};
	struct loop *l = seam_loop(r);
	for (int i = 0; i < 2; i++) {
		int fd = mine[i];
		int fl = fcntl(fd, F_GETFL);
		CHECK(fl >= 0 && fcntl(fd, F_SETFL, fl | O_NONBLOCK) == 0);
		if (l)
			loop_fd_fresh(l, fd, true);
	}
	*to_child = in[1];
	*from_child = out[0];
	return pid;
}

/* Adds a reaped child's CPU time to the unit now running (none outside a unit). */
static void charge(struct run *r, const struct rusage *ru)
{
	int64_t u = cleanup_current_unit();
	if (u < 0 || (uint64_t)u >= r->units)
		return;
	struct usage *c = &r->sh->slot[u].children;
	c->user_us += ru->ru_utime.tv_sec * 1000000LL + ru->ru_utime.tv_usec;
	c->sys_us += ru->ru_stime.tv_sec * 1000000LL + ru->ru_stime.tv_usec;
}

int wl_reap(const struct wl_ctx *ctx, pid_t pid)
{
	struct run *r = ctx->run;
	struct rusage ru;
	int st;
	struct loop *l = seam_loop(r);
	if (l) { /* wait for the exit on the event loop, not in wait4 */
		int pfd = (int)syscall(SYS_pidfd_open, pid, 0);
		if (pfd >= 0) {
			loop_fd_fresh(l, pfd, true);
			pid_t got;
			while ((got = wait4(pid, &st, WNOHANG, &ru)) == 0)
				loop_wait_fd(l, pfd, EPOLLIN);
			loop_fd_forget(l, pfd);
			close(pfd);
			CHECK(got == pid);
			goto reaped;
		}
		while (wait4(pid, &st, WNOHANG, &ru) == 0) /* no pidfds: look every millisecond */
			wl_sleep_ns(ctx, 1000000);
		goto reaped;
	}
	while (wait4(pid, &st, 0, &ru) < 0)
		CHECK(errno == EINTR);
reaped:
	cleanup_reaped();
	charge(r, &ru);
	return st;
}

int wl_poll(const struct wl_ctx *ctx, struct wl_pollfd *fds, int n)
{
	struct loop *l = seam_loop(ctx->run);
	if (l) {
		int fd[8];
		uint32_t ev[8];
		CHECK(n <= 8);
		for (int i = 0; i < n; i++) {
			fd[i] = fds[i].fd;
			ev[i] = fds[i].out ? EPOLLOUT : EPOLLIN;
		}
		loop_wait_any(l, fd, ev, n);
		return 0;
	}
	struct pollfd p[8];
	CHECK(n <= 8);
	for (int i = 0; i < n; i++)
		p[i] = (struct pollfd){fds[i].fd, fds[i].out ? POLLOUT : POLLIN, 0};
	int k;
	while ((k = poll(p, n, -1)) < 0 && errno == EINTR)
		;
	return k < 0 ? -1 : 0;
}
