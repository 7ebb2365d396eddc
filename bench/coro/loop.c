/* loop.c — the event loop behind the IO seam under coroutines: one epoll set for the fds
 * coroutines wait on (edge-triggered, registered once per fd and direction) and one timer heap
 * for their sleeps, whose earliest deadline is the epoll timeout — one epoll_pwait2 per round
 * for all sleepers, not one timerfd each. The scheduler polls it between rounds.
 *
 * Where schedulers run on several threads (hybrid), a unit may wake a unit of another (a queue's
 * waiter). Such a wake goes through the other loop's mailbox: a list under a mutex, which that
 * loop's thread empties into its scheduler each round, and an eventfd written only when that
 * thread says it is about to wait in epoll (so a busy scheduler is posted to without a system
 * call). */
#include "coro/loop.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "core/cvp.h"
#include "core/timers.h"

enum { EVENTS_PER_POLL = 1024 };

/* What the loop knows of one fd. rd/wr: the coroutine waiting to read/write, plus one (0: none). */
struct fdstate {
	uint64_t rd, wr;
	uint32_t events; /* directions registered with epoll */
	bool nonblock;
};

/* Wakes posted by other threads. */
struct mailbox {
	pthread_mutex_t lock;
	int fd;                /* eventfd: wakes the loop's thread out of epoll */
	uint64_t *co;          /* coroutines posted, n of them */
	uint64_t n;
	bool *posted;          /* per coroutine: in co[] (a second post of it adds nothing) */
	_Atomic uint64_t count; /* n, read without the lock */
	_Atomic bool sleeping; /* the loop's thread is about to wait in epoll: signal the fd */
};

struct loop {
	struct sched *s;
	int ep;
	uint64_t cap;         /* coroutines: ids below it */
	struct timers timers; /* sleeping coroutines */
	struct fdstate *fd;
	size_t nfd;
	uint64_t io_waiting;
	struct mailbox *mail; /* NULL: only this thread wakes its coroutines */
	struct epoll_event ev[EVENTS_PER_POLL];
};

/* The loop of the calling thread, where a model runs a scheduler per thread (loop_attach). */
static _Thread_local struct loop *attached;

/* Wakes every sleeper whose deadline has passed; returns how many. */
static uint64_t wake_timers(struct loop *l)
{
	uint64_t woken = 0, co;
	if (!l->timers.n)
		return 0;
	for (int64_t now = now_ns(); timers_pop_due(&l->timers, now, &co); woken++)
		sched_wake(l->s, co);
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

/* ---- the mailbox ---- */

int loop_open_mailbox(struct loop *l)
{
	struct mailbox *m = calloc(1, sizeof *m);
	if (!m)
		return -1;
	m->fd = -1;
	l->mail = m; /* loop_free releases it, also half made */
	CHECK(pthread_mutex_init(&m->lock, NULL) == 0);
	m->co = calloc(l->cap, sizeof *m->co);
	m->posted = calloc(l->cap, sizeof *m->posted);
	if (!m->co || !m->posted)
		return -1;
	m->fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (m->fd < 0)
		return -1;
	struct epoll_event e = {.events = EPOLLIN, .data.fd = m->fd}; /* level-triggered */
	return epoll_ctl(l->ep, EPOLL_CTL_ADD, m->fd, &e);
}

void loop_post_wake(struct loop *l, uint64_t co)
{
	struct mailbox *m = l->mail;
	CHECK(m && co < l->cap);
	CHECK(pthread_mutex_lock(&m->lock) == 0);
	if (!m->posted[co]) {
		m->posted[co] = true;
		m->co[m->n++] = co;
		atomic_store(&m->count, m->n);
	}
	CHECK(pthread_mutex_unlock(&m->lock) == 0);
	/* The count is stored before this load and the thread stores sleeping before it loads the
	 * count (all sequentially consistent): either it sees the post or this sees it sleeping. */
	if (atomic_load(&m->sleeping)) {
		uint64_t one = 1;
		CHECK(write(m->fd, &one, sizeof one) == sizeof one);
	}
}

/* The loop's thread: wakes what other threads posted; returns how many. Whoever empties the
 * eventfd does so before this, so a signal it consumed belongs to a post now in the list. */
static uint64_t take_posts(struct loop *l)
{
	struct mailbox *m = l->mail;
	if (!m || atomic_load(&m->count) == 0)
		return 0;
	CHECK(pthread_mutex_lock(&m->lock) == 0);
	uint64_t n = m->n;
	for (uint64_t i = 0; i < n; i++) {
		m->posted[m->co[i]] = false;
		sched_wake(l->s, m->co[i]);
	}
	m->n = 0;
	atomic_store(&m->count, 0);
	CHECK(pthread_mutex_unlock(&m->lock) == 0);
	return n;
}

void loop_attach(struct loop *l)
{
	attached = l;
}

struct loop *loop_attached(void)
{
	return attached;
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

/* The scheduler's poll hook: wake due sleepers, ready fds and what other threads posted; when
 * block, wait until at least one coroutine is woken (the earliest deadline is the epoll
 * timeout; with a mailbox, a post may come at any time, so there is always something to wait
 * for). */
static void loop_poll(void *arg, bool block)
{
	struct loop *l = arg;
	struct mailbox *m = l->mail;
	uint64_t woken = wake_timers(l) + take_posts(l);
	while (l->io_waiting || (block && !woken && (l->timers.n || m))) {
		struct timespec ts = {0, 0}, *tp = &ts;
		if (block && !woken) {
			if (l->timers.n) {
				int64_t d = timers_next(&l->timers) - now_ns();
				d = d < 0 ? 0 : d;
				ts = (struct timespec){d / 1000000000, d % 1000000000};
			} else {
				tp = NULL; /* only fds (and posts) to wait for */
			}
			if (m) { /* posters signal the eventfd from now on; look once more first */
				atomic_store(&m->sleeping, true);
				if (atomic_load(&m->count)) {
					ts = (struct timespec){0, 0};
					tp = &ts;
				}
			}
		}
		int n = epoll_wait_ts(l->ep, l->ev, EVENTS_PER_POLL, tp);
		CHECK(n >= 0 || errno == EINTR);
		if (m)
			atomic_store(&m->sleeping, false);
		for (int i = 0; i < n; i++) {
			if (m && l->ev[i].data.fd == m->fd) { /* empty it; take_posts() below */
				uint64_t v;
				CHECK(read(m->fd, &v, sizeof v) == sizeof v || errno == EAGAIN);
				continue;
			}
			struct fdstate *f = fdstate(l, l->ev[i].data.fd);
			uint32_t e = l->ev[i].events;
			uint64_t before = l->io_waiting;
			if (e & (EPOLLIN | EPOLLERR | EPOLLHUP | EPOLLRDHUP))
				wake_fd(l, &f->rd);
			if (e & (EPOLLOUT | EPOLLERR | EPOLLHUP))
				wake_fd(l, &f->wr);
			woken += before - l->io_waiting;
		}
		woken += wake_timers(l) + take_posts(l);
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
	l->ep = -1;
	if (!timers_init(&l->timers, n) || (l->ep = epoll_create1(EPOLL_CLOEXEC)) < 0) {
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
	if (l->mail) {
		if (l->mail->fd >= 0)
			close(l->mail->fd);
		pthread_mutex_destroy(&l->mail->lock);
		free(l->mail->co);
		free(l->mail->posted);
		free(l->mail);
	}
	timers_free(&l->timers);
	free(l->fd);
	free(l);
}

void loop_sleep_until(struct loop *l, int64_t due)
{
	timers_push(&l->timers, due, sched_current(l->s));
	sched_park(l->s); /* woken only once due has passed */
}

void loop_fd_forget(struct loop *l, int fd)
{
	if ((size_t)fd < l->nfd)
		loop_fd_fresh(l, fd, false);
}
