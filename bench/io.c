/* io.c — the IO seam, the only way a workload waits, and the coroutine event loop behind it.
 *
 * Which model runs is known from the run: under coros r->loop is the scheduler's event loop,
 * elsewhere it is NULL. With no loop every call is the plain blocking system call. With a loop,
 * fds are O_NONBLOCK; a call that would block (EAGAIN) registers the fd with the loop's epoll
 * set (edge-triggered, once per fd and direction), parks the coroutine and retries when woken.
 * Sleeps go on a timer heap whose earliest deadline is the epoll timeout — one epoll_pwait2
 * per round for all sleepers, not one timerfd each. */
#include "io.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "cvp.h"
#include "server.h"

enum { EVENTS_PER_POLL = 1024 };

struct timer {
	int64_t due_ns;
	uint64_t co;
};

/* What the loop knows of one fd. rd/wr: the coroutine waiting to read/write, plus one (0: none). */
struct fdstate {
	uint64_t rd, wr;
	uint32_t events; /* directions registered with epoll */
	bool nonblock;
};

struct loop {
	struct sched *s;
	int ep;
	struct timer *heap;
	uint64_t nheap, cap;
	struct fdstate *fd;
	size_t nfd;
	uint64_t io_waiting;
	struct epoll_event ev[EVENTS_PER_POLL];
};

int64_t wl_now_ns(void)
{
	return now_ns();
}

/* ---- timer heap: a binary min-heap on due_ns ---- */

static void heap_push(struct loop *l, int64_t due, uint64_t co)
{
	CHECK(l->nheap < l->cap); /* each coroutine sleeps at most once at a time */
	uint64_t i = l->nheap++;
	while (i > 0 && l->heap[(i - 1) / 2].due_ns > due) {
		l->heap[i] = l->heap[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	l->heap[i] = (struct timer){due, co};
}

static void heap_pop(struct loop *l)
{
	struct timer last = l->heap[--l->nheap];
	uint64_t i = 0, n = l->nheap;
	for (;;) {
		uint64_t c = 2 * i + 1;
		if (c >= n)
			break;
		if (c + 1 < n && l->heap[c + 1].due_ns < l->heap[c].due_ns)
			c++;
		if (l->heap[c].due_ns >= last.due_ns)
			break;
		l->heap[i] = l->heap[c];
		i = c;
	}
	if (n)
		l->heap[i] = last;
}

/* Wakes every sleeper whose deadline has passed; returns how many. */
static uint64_t wake_timers(struct loop *l)
{
	uint64_t woken = 0;
	if (!l->nheap)
		return 0;
	int64_t now = now_ns();
	while (l->nheap && l->heap[0].due_ns <= now) {
		sched_wake(l->s, l->heap[0].co);
		heap_pop(l);
		woken++;
	}
	return woken;
}

/* ---- fds ---- */

static struct fdstate *fdstate(struct loop *l, int fd)
{
	if ((size_t)fd >= l->nfd) {
		size_t n = l->nfd ? l->nfd : 256;
		while (n <= (size_t)fd)
			n *= 2;
		struct fdstate *p = realloc(l->fd, n * sizeof *p);
		CHECK(p);
		memset(p + l->nfd, 0, (n - l->nfd) * sizeof *p);
		l->fd = p;
		l->nfd = n;
	}
	return &l->fd[fd];
}

/* A new fd from the seam: forget whatever an earlier fd of that number left behind. */
static void fd_fresh(struct loop *l, int fd, bool nonblock)
{
	struct fdstate *f = fdstate(l, fd);
	CHECK(!f->rd && !f->wr);
	*f = (struct fdstate){.nonblock = nonblock};
}

static void make_nonblock(struct loop *l, int fd)
{
	struct fdstate *f = fdstate(l, fd);
	if (f->nonblock)
		return;
	int fl = fcntl(fd, F_GETFL);
	CHECK(fl >= 0 && fcntl(fd, F_SETFL, fl | O_NONBLOCK) == 0);
	f->nonblock = true;
}

/* Parks the running coroutine until fd is ready in direction ev (EPOLLIN or EPOLLOUT). */
static void wait_fd(struct loop *l, int fd, uint32_t ev)
{
	struct fdstate *f = fdstate(l, fd);
	uint64_t *who = ev == EPOLLIN ? &f->rd : &f->wr;
	CHECK(*who == 0); /* one waiter per fd and direction */
	if (!(f->events & ev)) {
		struct epoll_event e = {.events = f->events | ev | EPOLLET, .data.fd = fd};
		int op = f->events ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
		if (epoll_ctl(l->ep, op, fd, &e) != 0) {
			/* The fd was closed behind the seam's back and its number reused. */
			CHECK(errno == ENOENT || errno == EEXIST);
			op = op == EPOLL_CTL_MOD ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;
			CHECK(epoll_ctl(l->ep, op, fd, &e) == 0);
		}
		f->events |= ev;
	}
	*who = sched_current(l->s) + 1;
	l->io_waiting++;
	sched_park(l->s);
}

static void wake_fd(struct loop *l, uint64_t *who)
{
	if (*who) {
		sched_wake(l->s, *who - 1);
		*who = 0;
		l->io_waiting--;
	}
}

int epoll_wait_ts(int ep, struct epoll_event *ev, int n, const struct timespec *tp)
{
	int k = epoll_pwait2(ep, ev, n, tp, NULL);
	if (k >= 0 || errno != ENOSYS)
		return k;
	/* No epoll_pwait2 (kernels before 5.11, valgrind 3.19): milliseconds, rounded up. */
	int ms = tp ? (int)(tp->tv_sec * 1000 + (tp->tv_nsec + 999999) / 1000000) : -1;
	return epoll_wait(ep, ev, n, ms);
}

/* The scheduler's poll hook: wake due sleepers and ready fds; when block, wait until at least
 * one coroutine is woken (the earliest deadline is the epoll timeout). */
static void loop_poll(void *arg, bool block)
{
	struct loop *l = arg;
	uint64_t woken = wake_timers(l);
	while (l->io_waiting || (block && !woken && l->nheap)) {
		struct timespec ts = {0, 0}, *tp = &ts;
		if (block && !woken) {
			if (l->nheap) {
				int64_t d = l->heap[0].due_ns - now_ns();
				d = d < 0 ? 0 : d;
				ts = (struct timespec){d / 1000000000, d % 1000000000};
			} else {
				tp = NULL; /* only fds to wait for */
			}
		}
		int n = epoll_wait_ts(l->ep, l->ev, EVENTS_PER_POLL, tp);
		CHECK(n >= 0 || errno == EINTR);
		for (int i = 0; i < n; i++) {
			struct fdstate *f = fdstate(l, l->ev[i].data.fd);
			uint32_t e = l->ev[i].events;
			uint64_t before = l->io_waiting;
			if (e & (EPOLLIN | EPOLLERR | EPOLLHUP | EPOLLRDHUP))
				wake_fd(l, &f->rd);
			if (e & (EPOLLOUT | EPOLLERR | EPOLLHUP))
				wake_fd(l, &f->wr);
			woken += before - l->io_waiting;
		}
		woken += wake_timers(l);
		if (!block || woken)
			break;
	}
}

struct loop *loop_new(struct sched *s, uint64_t n)
{
	struct loop *l = calloc(1, sizeof *l);
	if (!l)
		return NULL;
	l->s = s;
	l->cap = n;
	l->heap = calloc(n, sizeof *l->heap);
	l->ep = epoll_create1(EPOLL_CLOEXEC);
	if (!l->heap || l->ep < 0) {
		int e = errno;
		loop_free(l);
		errno = e;
		return NULL;
	}
	sched_set_poll(s, loop_poll, l);
	return l;
}

void loop_free(struct loop *l)
{
	if (!l)
		return;
	if (l->ep >= 0)
		close(l->ep);
	free(l->heap);
	free(l->fd);
	free(l);
}

/* ---- the seam ---- */

static struct loop *loop_of(const struct wl_ctx *ctx)
{
	return ctx->run ? ctx->run->loop : NULL;
}

void wl_sleep_ns(const struct wl_ctx *ctx, uint64_t ns)
{
	int64_t due = now_ns() + (int64_t)ns;
	struct loop *l = loop_of(ctx);
	if (l) {
		heap_push(l, due, sched_current(l->s));
		sched_park(l->s); /* woken only once due has passed */
		return;
	}
	struct timespec ts = {due / 1000000000, due % 1000000000};
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
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
		fd_fresh(l, fd, true);
	for (;;) {
		if (connect(fd, (struct sockaddr *)&a, sizeof a) == 0)
			return fd;
		if (errno == EINTR)
			continue;
		/* A non-blocking Unix connect fails with EAGAIN while the listen backlog is full,
		 * and epoll cannot wait for room (an unconnected socket polls writable): retry
		 * after 1 ms, as the server drains the backlog. */
		if (l && errno == EAGAIN) {
			wl_sleep_ns(ctx, 1000000);
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
		fd_fresh(l, fd[0], true);
		fd_fresh(l, fd[1], true);
	}
	return 0;
}

/* One read or write that waits (parks, under coros) until some bytes move. */
static ssize_t xfer(const struct wl_ctx *ctx, int fd, void *buf, size_t n, bool out)
{
	struct loop *l = loop_of(ctx);
	if (l)
		make_nonblock(l, fd);
	for (;;) {
		ssize_t k = out ? write(fd, buf, n) : read(fd, buf, n);
		if (k >= 0)
			return k;
		if (errno == EINTR)
			continue;
		if (!l || (errno != EAGAIN && errno != EWOULDBLOCK))
			return -1;
		wait_fd(l, fd, out ? EPOLLOUT : EPOLLIN);
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
	if (l && (size_t)fd < l->nfd)
		fd_fresh(l, fd, false);
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

/* ---- the delay server's protocol, client side ---- */

enum { CHUNK_WORDS = 64 };

/* Word w of the payload of request `seed`. */
static uint64_t payload_word(uint64_t seed, uint64_t w)
{
	return wl_mix64(seed * 0x9e3779b97f4a7c15ULL + w);
}

uint64_t wl_payload_sum(uint64_t seed, uint32_t bytes)
{
	uint64_t sum = bytes;
	for (uint64_t w = 0; w < bytes / 8; w++)
		sum += wl_mix64(payload_word(seed, w) + w);
	return sum;
}

/* The payload is made and checked in chunks, so a call needs ~1 KiB of (coroutine) stack
 * whatever its size. */
int wl_server_call(const struct wl_ctx *ctx, int fd, uint64_t seed, uint32_t bytes,
		   uint64_t *sum)
{
	if (bytes % 8 || bytes > SERVER_MAX_BYTES) {
		errno = EINVAL;
		return -1;
	}
	uint64_t buf[1 + CHUNK_WORDS];
	struct server_req hdr = {SERVER_MAGIC, bytes};
	uint64_t words = bytes / 8;
	/* Send: the header (one word) and the first chunk in one write, then the rest. */
	memcpy(buf, &hdr, sizeof hdr);
	uint64_t w = 0, k = 1;
	do {
		uint64_t n = 0;
		while (k + n < 1 + CHUNK_WORDS && w < words)
			buf[k + n++] = payload_word(seed, w++);
		size_t len = (k + n) * 8;
		if (wl_write_all(ctx, fd, buf, len) != (ssize_t)len)
			return -1;
		k = 0;
	} while (w < words);
	/* Receive and compare, the header and the first chunk in one read like the send. */
	uint64_t part = bytes;
	w = 0;
	k = 1;
	do {
		uint64_t n = words - w < CHUNK_WORDS + 1 - k ? words - w : CHUNK_WORDS + 1 - k;
		size_t len = (k + n) * 8;
		ssize_t got = wl_read_all(ctx, fd, buf, len);
		if (got != (ssize_t)len)
			return got < 0 ? -1 : (errno = EPIPE, -1);
		if (k && memcmp(buf, &hdr, sizeof hdr) != 0)
			return errno = EBADMSG, -1;
		for (uint64_t i = 0; i < n; i++, w++) {
			if (buf[k + i] != payload_word(seed, w))
				return errno = EBADMSG, -1;
			part += wl_mix64(buf[k + i] + w);
		}
		k = 0;
	} while (w < words);
	*sum += part;
	return 0;
}

const struct workload *wl_find(const char *name)
{
	for (int i = 0; workloads[i]; i++)
		if (strcmp(workloads[i]->name, name) == 0)
			return workloads[i];
	return NULL;
}
