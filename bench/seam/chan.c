/* chan.c — bounded queues between units (wl_chan_*): fixed-size items, a capacity counted in
 * items, closed by the last of its senders so that each receiver's loop ends once the queue is
 * drained. One interface, three ways, by what the model offers:
 *   units that switch cooperatively (coroutines): a ring in memory, and a unit that finds it
 *     full or empty parks in the scheduler until the other side wakes it; where such units run
 *     on several threads (hybrid: a scheduler per core) the ring is taken under a mutex, never
 *     held across a park, and a wake may go to another scheduler (the model posts it there);
 *   units in one address space that block (threads): a ring under a mutex, with two condition
 *     variables (not full, not empty);
 *   units in address spaces of their own (processes): a pipe sized to the capacity, each item
 *     one write of at most PIPE_BUF bytes (so items never interleave), and closing sends one
 *     end-of-stream item per receiver, behind every real one.
 * The highest number of items it ever held is kept (for a pipe, read from the kernel after each
 * write). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "core/cvp.h"

enum way { RING_COOP, RING_LOCKED, PIPE };

struct wl_chan {
	enum way way;
	bool threaded; /* RING_COOP with units on several threads: take the lock */
	uint32_t bytes, capacity, receivers;
	_Atomic uint32_t senders_left;
	_Atomic uint32_t high_water;
	/* rings */
	pthread_mutex_t lock; /* RING_LOCKED, and RING_COOP when threaded */
	pthread_cond_t not_full, not_empty;
	uint32_t head, count;
	bool closed;
	/* coroutines parked on it: who waits to send, who waits to receive (unit + 1; 0 none) */
	uint64_t *send_wait, *recv_wait;
	uint32_t nsend_wait, nrecv_wait, waiters_cap;
	/* the pipe */
	int fd[2];
	size_t len; /* of this mapping */
	char items[];
};

static enum way way_of(const struct run *r)
{
	if (r->model->yield)
		return RING_COOP;
	return (r->model->caps & WL_CAP_SHARED) ? RING_LOCKED : PIPE;
}

static void raise_high_water(struct wl_chan *ch, uint32_t n)
{
	uint32_t seen = atomic_load(&ch->high_water);
	while (n > seen && !atomic_compare_exchange_weak(&ch->high_water, &seen, n))
		;
}

struct wl_chan *wl_chan_new(const struct wl_ctx *ctx, size_t bytes, uint32_t capacity,
			    uint32_t senders, uint32_t receivers)
{
	const struct run *r = ctx->run;
	enum way way = way_of(r);
	if (bytes == 0 || bytes > PIPE_BUF || capacity == 0 || senders == 0) {
		errno = EINVAL;
		return NULL;
	}
	uint64_t waiters = r->units;
	size_t len = sizeof(struct wl_chan) + (way == PIPE ? 0 : (size_t)bytes * capacity) +
		     2 * waiters * sizeof(uint64_t);
	struct wl_chan *ch = wl_shared_alloc(len);
	if (!ch)
		return NULL;
	*ch = (struct wl_chan){.way = way, .bytes = bytes, .capacity = capacity,
			       .threaded = way == RING_COOP && (r->model->caps & WL_CAP_PARALLEL),
			       .receivers = receivers, .senders_left = senders, .len = len,
			       .fd = {-1, -1}, .waiters_cap = waiters};
	ch->send_wait = (uint64_t *)(ch->items + (way == PIPE ? 0 : (size_t)bytes * capacity));
	ch->recv_wait = ch->send_wait + waiters;
	if (ch->threaded)
		CHECK(pthread_mutex_init(&ch->lock, NULL) == 0);
	if (way == RING_LOCKED) {
		pthread_mutexattr_t ma;
		pthread_condattr_t ca;
		CHECK(pthread_mutexattr_init(&ma) == 0 && pthread_condattr_init(&ca) == 0);
		CHECK(pthread_mutex_init(&ch->lock, &ma) == 0);
		CHECK(pthread_cond_init(&ch->not_full, &ca) == 0);
		CHECK(pthread_cond_init(&ch->not_empty, &ca) == 0);
		pthread_mutexattr_destroy(&ma);
		pthread_condattr_destroy(&ca);
	}
	if (way == PIPE) {
		if (pipe2(ch->fd, O_CLOEXEC) != 0) {
			int e = errno;
			wl_shared_free(ch, len);
			errno = e;
			return NULL;
		}
		/* The kernel rounds a pipe's size up to a power of two of pages: say so by
		 * failing where the capacity cannot be had exactly. */
		long want = (long)bytes * capacity;
		if (fcntl(ch->fd[1], F_SETPIPE_SZ, want) != want) {
			wl_chan_free(ch);
			errno = EINVAL;
			return NULL;
		}
	}
	return ch;
}

void wl_chan_free(struct wl_chan *ch)
{
	if (!ch)
		return;
	if (ch->way == RING_LOCKED) {
		pthread_cond_destroy(&ch->not_full);
		pthread_cond_destroy(&ch->not_empty);
	}
	if (ch->way == RING_LOCKED || ch->threaded)
		pthread_mutex_destroy(&ch->lock);
	for (int i = 0; i < 2; i++)
		if (ch->fd[i] >= 0)
			close(ch->fd[i]);
	wl_shared_free(ch, ch->len);
}

uint32_t wl_chan_high_water(const struct wl_chan *ch)
{
	return atomic_load(&ch->high_water);
}

/* ---- a ring: the item at a slot, and the coroutines parked on it */

static char *slot(struct wl_chan *ch, uint32_t i)
{
	return ch->items + (size_t)(i % ch->capacity) * ch->bytes;
}

/* The cooperative ring's lock, where its units run on several threads. */
static void coop_lock(struct wl_chan *ch)
{
	if (ch->threaded)
		CHECK(pthread_mutex_lock(&ch->lock) == 0);
}

static void coop_unlock(struct wl_chan *ch)
{
	if (ch->threaded)
		CHECK(pthread_mutex_unlock(&ch->lock) == 0);
}

/* Called with the ring taken: waits on list until woken, the ring let go meanwhile. A unit of
 * another thread may wake us between the unlock and the park: the wake is posted to our
 * scheduler, which only our own thread carries out, after we have parked. */
static void park_on(struct run *r, struct wl_chan *ch, uint64_t *list, uint32_t *n)
{
	list[(*n)++] = r->model->current(r) + 1;
	coop_unlock(ch);
	r->model->park(r);
	coop_lock(ch);
}

static void wake_all(struct run *r, uint64_t *list, uint32_t *n)
{
	for (uint32_t i = 0; i < *n; i++)
		r->model->wake(r, list[i] - 1);
	*n = 0;
}

/* An end-of-stream item in a pipe: every byte 0xff (a real item's first word never is). */
static bool is_end(const struct wl_chan *ch, const char *item)
{
	for (uint32_t i = 0; i < ch->bytes; i++)
		if ((unsigned char)item[i] != 0xff)
			return false;
	return true;
}

int wl_chan_send(const struct wl_ctx *ctx, struct wl_chan *ch, const void *item)
{
	struct run *r = ctx->run;
	switch (ch->way) {
	case RING_COOP:
		coop_lock(ch);
		while (ch->count == ch->capacity && !ch->closed)
			park_on(r, ch, ch->send_wait, &ch->nsend_wait);
		if (ch->closed) {
			coop_unlock(ch);
			return -1;
		}
		memcpy(slot(ch, ch->head + ch->count++), item, ch->bytes);
		raise_high_water(ch, ch->count);
		wake_all(r, ch->recv_wait, &ch->nrecv_wait);
		coop_unlock(ch);
		return 0;
	case RING_LOCKED:
		pthread_mutex_lock(&ch->lock);
		while (ch->count == ch->capacity && !ch->closed)
			pthread_cond_wait(&ch->not_full, &ch->lock);
		if (ch->closed) {
			pthread_mutex_unlock(&ch->lock);
			return -1;
		}
		memcpy(slot(ch, ch->head + ch->count++), item, ch->bytes);
		raise_high_water(ch, ch->count);
		pthread_cond_signal(&ch->not_empty);
		pthread_mutex_unlock(&ch->lock);
		return 0;
	case PIPE: {
		if (wl_write_all(ctx, ch->fd[1], item, ch->bytes) != (ssize_t)ch->bytes)
			return -1;
		int in = 0;
		if (ioctl(ch->fd[1], FIONREAD, &in) == 0)
			raise_high_water(ch, in / ch->bytes);
		return 0;
	}
	}
	return -1;
}

bool wl_chan_recv(const struct wl_ctx *ctx, struct wl_chan *ch, void *item)
{
	struct run *r = ctx->run;
	switch (ch->way) {
	case RING_COOP:
		coop_lock(ch);
		while (ch->count == 0 && !ch->closed)
			park_on(r, ch, ch->recv_wait, &ch->nrecv_wait);
		if (ch->count == 0) {
			coop_unlock(ch);
			return false; /* closed and drained */
		}
		memcpy(item, slot(ch, ch->head++), ch->bytes);
		ch->count--;
		wake_all(r, ch->send_wait, &ch->nsend_wait);
		coop_unlock(ch);
		return true;
	case RING_LOCKED:
		pthread_mutex_lock(&ch->lock);
		while (ch->count == 0 && !ch->closed)
			pthread_cond_wait(&ch->not_empty, &ch->lock);
		bool got = ch->count > 0;
		if (got) {
			memcpy(item, slot(ch, ch->head++), ch->bytes);
			ch->count--;
			pthread_cond_signal(&ch->not_full);
		}
		pthread_mutex_unlock(&ch->lock);
		return got;
	case PIPE:
		if (wl_read_all(ctx, ch->fd[0], item, ch->bytes) != (ssize_t)ch->bytes)
			wl_io_fail("a queue's pipe");
		return !is_end(ch, item);
	}
	return false;
}

void wl_chan_close(const struct wl_ctx *ctx, struct wl_chan *ch)
{
	struct run *r = ctx->run;
	if (atomic_fetch_sub(&ch->senders_left, 1) != 1)
		return; /* other senders still send */
	switch (ch->way) {
	case RING_COOP:
		coop_lock(ch);
		ch->closed = true;
		wake_all(r, ch->recv_wait, &ch->nrecv_wait);
		wake_all(r, ch->send_wait, &ch->nsend_wait);
		coop_unlock(ch);
		break;
	case RING_LOCKED:
		pthread_mutex_lock(&ch->lock);
		ch->closed = true;
		pthread_cond_broadcast(&ch->not_empty);
		pthread_cond_broadcast(&ch->not_full);
		pthread_mutex_unlock(&ch->lock);
		break;
	case PIPE: {
		char end[PIPE_BUF];
		memset(end, 0xff, ch->bytes);
		for (uint32_t i = 0; i < ch->receivers; i++)
			if (wl_write_all(ctx, ch->fd[1], end, ch->bytes) != (ssize_t)ch->bytes)
				wl_io_fail("a queue's pipe");
		break;
	}
	}
}
