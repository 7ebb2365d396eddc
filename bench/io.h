/* io.h — the event loop behind the IO seam under coros: one epoll set for the fds coroutines
 * wait on, and one timer heap for their sleeps, polled by the scheduler between rounds. */
#ifndef CVP_IO_H
#define CVP_IO_H

#include <stdint.h>
#include <sys/epoll.h>
#include <time.h>

#include "coro.h"

struct loop;

/* A loop for the n coroutines of s; it hooks itself into s. NULL with errno on failure. */
struct loop *loop_new(struct sched *s, uint64_t n);
void loop_free(struct loop *l);
/* epoll_pwait2 (a timespec timeout, NULL: none), or epoll_wait in whole milliseconds where the
 * kernel (or valgrind) lacks it. */
int epoll_wait_ts(int ep, struct epoll_event *ev, int n, const struct timespec *tp);

#endif
