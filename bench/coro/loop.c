/* loop.c — the event loop behind the IO seam under coroutines: one epoll set for the fds
 * coroutines wait on (edge-triggered, registered once per fd and direction) and one timer heap
 * for their sleeps, whose earliest deadline is the epoll timeout — one epoll_pwait2 per round
 * for all sleepers, not one timerfd each. The scheduler polls it between rounds. */
#include "coro/loop.h"

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

#include "core/cvp.h"

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
		CHECK_MEM(p);
		memset(p + l->nfd, 0, (n - l->nfd) * sizeof *p);
		l->fd = p;
		l->nfd = n;
	}
	return &l->fd[fd];
}

void loop_fd_fresh(struct loop *l, int fd, bool nonblock)
{
	struct fdstate *f = fdstate(l, fd);
	CHECK(!f->rd && !f->wr);
	*f = (struct fdstate){.nonblock = nonblock};
}

void loop_nonblock(struct loop *l, int fd)
{
	struct fdstate *f = fdstate(l, fd);
	if (f->nonblock)
		return;
	int fl = fcntl(fd, F_GETFL);
	CHECK(fl >= 0 && fcntl(fd, F_SETFL, fl | O_NONBLOCK) == 0);
	f->nonblock = true;
}

/* Registers the running coroutine as fd's waiter in direction ev (EPOLLIN or EPOLLOUT). */
static void arm(struct loop *l, int fd, uint32_t ev)
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
}

void loop_wait_fd(struct loop *l, int fd, uint32_t ev)
{
	arm(l, fd, ev);
	sched_park(l->s);
}

void loop_wait_any(struct loop *l, const int *fd, const uint32_t *ev, int n)
{
	for (int i = 0; i < n; i++)
		arm(l, fd[i], ev[i]);
	sched_park(l->s);
	/* Woken by one: the others' registrations are no longer anyone's wait. */
	uint64_t me = sched_current(l->s) + 1;
	for (int i = 0; i < n; i++) {
		struct fdstate *f = fdstate(l, fd[i]);
		uint64_t *who = ev[i] == EPOLLIN ? &f->rd : &f->wr;
		if (*who == me) {
			*who = 0;
			l->io_waiting--;
		}
	}
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

void loop_sleep_until(struct loop *l, int64_t due)
{
	heap_push(l, due, sched_current(l->s));
	sched_park(l->s); /* woken only once due has passed */
}

void loop_fd_forget(struct loop *l, int fd)
{
	if ((size_t)fd < l->nfd)
		loop_fd_fresh(l, fd, false);
}
