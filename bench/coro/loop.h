/* loop.h — the event loop behind the IO seam under coroutines: one epoll set for the fds
 * coroutines wait on, and one timer heap for their sleeps, polled by the scheduler between
 * rounds; one per scheduler, and where there are several (hybrid), a mailbox through which
 * the others wake its coroutines. Every function that parks does so for the running coroutine. */
#ifndef CVP_LOOP_H
#define CVP_LOOP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <time.h>

#include "coro/sched.h"

struct loop;

/* A loop for the n coroutines of s; it hooks itself into s. NULL with errno on failure. */
struct loop *loop_new(struct sched *s, uint64_t n);
void loop_free(struct loop *l);
/* Parks the running coroutine until CLOCK_MONOTONIC passes due (ns). */
void loop_sleep_until(struct loop *l, int64_t due);
/* Parks the running coroutine until fd is ready in direction ev (EPOLLIN or EPOLLOUT). */
void loop_wait_fd(struct loop *l, int fd, uint32_t ev);
/* Parks the running coroutine until one of n fds is ready in its direction. */
void loop_wait_any(struct loop *l, const int *fd, const uint32_t *ev, int n);
/* A new fd from the seam: forget whatever an earlier fd of that number left behind. */
void loop_fd_fresh(struct loop *l, int fd, bool nonblock);
/* Makes fd non-blocking, once. */
void loop_nonblock(struct loop *l, int fd);
/* The seam closes fd: forget its state. */
void loop_fd_forget(struct loop *l, int fd);
/* Lets other threads wake this loop's coroutines (loop_post_wake): an eventfd in its epoll set,
 * on which the loop also waits once nothing else can wake anyone. 0, or -1 with errno. */
int loop_open_mailbox(struct loop *l);
/* From any thread: coroutine co of this loop's scheduler, parked, is to run again. The loop's own
 * thread wakes it (only that thread ever touches its scheduler), out of epoll if it waits there. */
void loop_post_wake(struct loop *l, uint64_t co);
/* A model with a scheduler per thread (hybrid) attaches each thread's loop to that thread, where
 * the IO seam finds it (seam_loop); NULL detaches. */
void loop_attach(struct loop *l);
/* The calling thread's loop; NULL: none attached. */
struct loop *loop_attached(void);
/* epoll_pwait2 (a timespec timeout, NULL: none), or epoll_wait in whole milliseconds where the
 * kernel (or valgrind) lacks it. */
int epoll_wait_ts(int ep, struct epoll_event *ev, int n, const struct timespec *tp);

#endif
