/* baton.c — the switch probe's side of the seam: a token passed between two units, turn by
 * turn, by a futex word in shared memory, by a pair of pipes (one byte per turn), by a direct
 * switch from one coroutine into the other (the model's switch_to, one swapcontext), or by two
 * units spinning on the word from two cores (no kernel at all: the floor of a cross-core
 * hand-off). The unit doing even turns starts with the token; the token carries a value, so a
 * checksum of the values shows the turns really alternated. */
#include <errno.h>
#include <unistd.h>

#include "core/cvp.h"

struct wl_baton {
	enum wl_baton_kind kind;
	uint64_t turns;
	_Atomic uint32_t turn;     /* whose turn it is (futex word) */
	uint64_t value;            /* what the token carries; written before turn moves on */
	int pipe_fd[2][2];         /* pipe: the pipe to each side */
	_Atomic int64_t holder[2]; /* direct: the unit of each side, once it waits */
};

struct wl_baton *wl_baton_new(const struct wl_ctx *ctx, enum wl_baton_kind kind, uint64_t turns)
{
	(void)ctx;
	struct wl_baton *b = wl_shared_alloc(sizeof *b);
	if (!b)
		return NULL;
	b->kind = kind;
	b->turns = turns;
	b->holder[0] = b->holder[1] = -1;
	for (int i = 0; i < 2; i++)
		b->pipe_fd[i][0] = b->pipe_fd[i][1] = -1;
	for (int i = 0; kind == WL_BATON_PIPE && i < 2; i++)
		if (pipe(b->pipe_fd[i]) != 0) {
			int e = errno;
			wl_baton_free(b);
			errno = e;
			return NULL;
		}
	return b;
}

void wl_baton_free(struct wl_baton *b)
{
	if (!b)
		return;
	for (int i = 0; i < 2; i++)
		for (int j = 0; j < 2; j++)
			if (b->pipe_fd[i][j] >= 0)
				close(b->pipe_fd[i][j]);
	wl_shared_free(b, sizeof *b);
}

uint64_t wl_baton_wait(const struct wl_ctx *ctx, struct wl_baton *b, uint64_t turn)
{
	struct run *r = ctx->run;
	uint32_t want = (uint32_t)turn;
	switch (b->kind) {
	case WL_BATON_FUTEX:
		for (uint32_t v; (v = atomic_load_explicit(&b->turn, memory_order_acquire)) != want;)
			futex_wait(&b->turn, v);
		break;
	case WL_BATON_SPIN:
		while (atomic_load_explicit(&b->turn, memory_order_acquire) != want)
			cpu_relax();
		break;
	case WL_BATON_PIPE: {
		if (turn == 0)
			break;
		char c;
		ssize_t n;
		while ((n = read(b->pipe_fd[turn % 2][0], &c, 1)) < 0 && errno == EINTR)
			;
		CHECK(n == 1);
		break;
	}
	case WL_BATON_DIRECT:
		CHECK(r->model->switch_to);
		/* Release and acquire, not sequentially consistent: on x86 a seq_cst store is an
		 * XCHG, about as dear as the hand-written switch being measured. A side's unit is
		 * the same every turn: it is made known once, at its first wait. */
		if (atomic_load_explicit(&b->holder[turn % 2], memory_order_relaxed) < 0)
			atomic_store_explicit(&b->holder[turn % 2], (int64_t)r->model->current(r),
					      memory_order_release);
		while (atomic_load_explicit(&b->turn, memory_order_acquire) != want) {
			int64_t other = atomic_load_explicit(&b->holder[(turn + 1) % 2],
							     memory_order_acquire);
			if (other >= 0)
				r->model->switch_to(r, other);
			else
				r->model->yield(r); /* the other side has not started yet */
		}
		break;
	}
	return b->value;
}

void wl_baton_pass(const struct wl_ctx *ctx, struct wl_baton *b, uint64_t turn, uint64_t value)
{
	(void)ctx;
	b->value = value;
	atomic_store_explicit(&b->turn, (uint32_t)(turn + 1), memory_order_release);
	switch (b->kind) {
	case WL_BATON_FUTEX:
		futex_wake(&b->turn, 1);
		break;
	case WL_BATON_PIPE:
		if (turn + 1 < b->turns) {
			char c = 1;
			CHECK(write(b->pipe_fd[(turn + 1) % 2][1], &c, 1) == 1);
		}
		break;
	case WL_BATON_DIRECT:
	case WL_BATON_SPIN:
		break;
	}
}
