/* io.c — the IO seam, the only way a workload waits. Which model runs is known from the run:
 * under coros r->loop is the scheduler's event loop; under hybrid each scheduler's thread has
 * its own (loop_attached); elsewhere there is none. With no loop every
 * call is the plain blocking system call. With a loop, fds are O_NONBLOCK; a call that would
 * block (EAGAIN) registers the fd with the loop, parks the coroutine and retries when woken, and
 * a sleep parks it on the loop's timer heap. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "coro/loop.h"
#include "core/cvp.h"

struct loop *seam_loop(const struct run *r)
{
	if (!r)
		return NULL;
	return r->loop ? r->loop : loop_attached();
}

static struct loop *loop_of(const struct wl_ctx *ctx)
{
	return seam_loop(ctx->run);
}

/* Waits until CLOCK_MONOTONIC passes due. */
static void sleep_until(const struct wl_ctx *ctx, int64_t due)
{
	struct loop *l = loop_of(ctx);
	if (l) {
		loop_sleep_until(l, due);
		return;
	}
	struct timespec ts = {due / 1000000000, due % 1000000000};
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

void wl_sleep_ns(const struct wl_ctx *ctx, uint64_t ns)
{
	int64_t t0 = now_ns();
	sleep_until(ctx, t0 + (int64_t)ns);
	waits_add(ctx->run, now_ns() - t0);
}

void wl_yield(const struct wl_ctx *ctx)
{
	struct run *r = ctx->run;
	if (r && r->model->yield)
		r->model->yield(r);
}

int wl_connect(const struct wl_ctx *ctx, const char *path)
{
	struct loop *l = loop_of(ctx);
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof a.sun_path) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(a.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | (l ? SOCK_NONBLOCK : 0), 0);
	if (fd < 0)
		return -1;
	if (l)
		loop_fd_fresh(l, fd, true);
	for (;;) {
		if (connect(fd, (struct sockaddr *)&a, sizeof a) == 0)
			return fd;
		if (errno == EINTR)
			continue;
		/* A non-blocking Unix connect fails with EAGAIN while the listen backlog is full,
		 * and epoll cannot wait for room (an unconnected socket polls writable): retry
		 * after 1 ms, as the server drains the backlog. */
		if (l && errno == EAGAIN) {
			sleep_until(ctx, now_ns() + 1000000); /* not a wait of the workload's */
			continue;
		}
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
}

int wl_pipe(const struct wl_ctx *ctx, int fd[2])
{
	struct loop *l = loop_of(ctx);
	if (pipe2(fd, O_CLOEXEC | (l ? O_NONBLOCK : 0)) != 0)
		return -1;
	if (l) {
		loop_fd_fresh(l, fd[0], true);
		loop_fd_fresh(l, fd[1], true);
	}
	return 0;
}

/* One read or write that waits (parks, under coros) until some bytes move. */
static ssize_t xfer(const struct wl_ctx *ctx, int fd, void *buf, size_t n, bool out)
{
	struct loop *l = loop_of(ctx);
	if (l)
		loop_nonblock(l, fd);
	for (;;) {
		ssize_t k = out ? write(fd, buf, n) : read(fd, buf, n);
		if (k >= 0)
			return k;
		if (errno == EINTR)
			continue;
		if (!l || (errno != EAGAIN && errno != EWOULDBLOCK))
			return -1;
		loop_wait_fd(l, fd, out ? EPOLLOUT : EPOLLIN);
	}
}

static ssize_t xfer_all(const struct wl_ctx *ctx, int fd, void *buf, size_t n, bool out)
{
	size_t done = 0;
	while (done < n) {
		ssize_t k = xfer(ctx, fd, (char *)buf + done, n - done, out);
		if (k < 0)
			return -1;
		if (k == 0)
			break;
		done += k;
	}
	return done;
}

ssize_t wl_read(const struct wl_ctx *ctx, int fd, void *buf, size_t n)
{
	return xfer(ctx, fd, buf, n, false);
}

ssize_t wl_write(const struct wl_ctx *ctx, int fd, const void *buf, size_t n)
{
	return xfer(ctx, fd, (void *)buf, n, true);
}

ssize_t wl_try_read(const struct wl_ctx *ctx, int fd, void *buf, size_t n)
{
	(void)ctx;
	ssize_t k;
	while ((k = read(fd, buf, n)) < 0 && errno == EINTR)
		;
	return k;
}

ssize_t wl_try_write(const struct wl_ctx *ctx, int fd, const void *buf, size_t n)
{
	(void)ctx;
	ssize_t k;
	while ((k = write(fd, buf, n)) < 0 && errno == EINTR)
		;
	return k;
}

ssize_t wl_read_all(const struct wl_ctx *ctx, int fd, void *buf, size_t n)
{
	return xfer_all(ctx, fd, buf, n, false);
}

ssize_t wl_write_all(const struct wl_ctx *ctx, int fd, const void *buf, size_t n)
{
	return xfer_all(ctx, fd, (void *)buf, n, true);
}

int wl_close(const struct wl_ctx *ctx, int fd)
{
	struct loop *l = loop_of(ctx);
	if (l)
		loop_fd_forget(l, fd);
	return close(fd);
}

_Noreturn void wl_io_fail(const char *what)
{
	int e = errno;
	if (e == EMFILE) {
		struct rlimit rl;
		CHECK(getrlimit(RLIMIT_NOFILE, &rl) == 0);
		cvp_die(EXIT_LIMIT, "%s: %s (limit: RLIMIT_NOFILE, ulimit -n = %llu descriptors)",
			what, strerror(e), (unsigned long long)rl.rlim_cur);
	}
	if (e == ENFILE || e == ENOMEM || e == ENOBUFS)
		cvp_die(EXIT_LIMIT, "%s: %s (limit: %s)", what, strerror(e),
			e == ENFILE ? "fs.file-max" : "memory");
	cvp_die(EXIT_WRONG, "%s: %s", what, strerror(e));
}
