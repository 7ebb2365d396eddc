/* subprocess — the notes' parent streaming data through child processes: each task starts a
 * filter child (through the seam: the harness forks it, so nothing outlives the run), writes
 * --size bytes to its stdin while reading its stdout — both at once, non-blocking, waiting in
 * wl_poll only when neither can move, so neither side can deadlock on a full pipe — and checks
 * every byte that comes back. The child does the work; its CPU time is counted in the row's (so
 * threads or a single coroutine thread show cpu_util above one core: parallel work done by
 * children). --variant filter runs build/cvp-filter (workloads/filter.h says what it does);
 * openssl (AES-128-CTR) and gzip (-1) run those tools where they are installed (exit 4 naming the
 * missing one otherwise); their output is checked against one run of the same tool per task after
 * the clock. One op = one byte. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "filter.h"
#include "workload.h"

enum { OPT_VARIANT };
enum { FILTER, OPENSSL, GZIP };
static const char *const variants[] = {"filter", "openssl", "gzip", NULL};
static const struct wl_opt subprocess_opts[] = {
	[OPT_VARIANT] = {.name = "variant", .type = WL_OPT_CHOICE, .arg = "V", .choices = variants,
			 .help = "the child: build/cvp-filter, openssl enc or gzip:"},
	{0},
};
enum { CHUNK = 64 * 1024 };

struct subprocess {
	char filter[4096];   /* build/cvp-filter's path */
	char *filter_argv[2];
};

static char *const openssl_argv[] = {
	"openssl", "enc", "-aes-128-ctr", "-nosalt", "-K", "000102030405060708090a0b0c0d0e0f",
	"-iv", "00000000000000000000000000000000", NULL};
static char *const gzip_argv[] = {"gzip", "-c", "-1", "-n", NULL};

/* Whether a program is on PATH. */
static bool on_path(const char *name)
{
	const char *path = getenv("PATH");
	char buf[4096];
	for (const char *p = path ? path : "/usr/bin:/bin"; *p;) {
		size_t n = strcspn(p, ":");
		snprintf(buf, sizeof buf, "%.*s/%s", (int)n, p, name);
		if (access(buf, X_OK) == 0)
			return true;
		p += n + (p[n] == ':');
	}
	return false;
}

static int subprocess_prepare(struct wl_ctx *ctx)
{
	struct subprocess *s = wl_shared_alloc(sizeof *s);
	if (!s)
		return wl_refuse(ctx, WL_LIMIT, "cannot map its state (limit: memory)");
	ctx->state = s;
	switch (ctx->opt[OPT_VARIANT]) {
	case FILTER:
		if (wl_tool_path("cvp-filter", s->filter, sizeof s->filter) != 0)
			return wl_refuse(ctx, WL_UNSUPPORTED,
					 "build/cvp-filter is missing beside build/cvp (run make)");
		s->filter_argv[0] = s->filter;
		return WL_OK;
	case OPENSSL:
		return on_path("openssl") ? WL_OK : wl_refuse(ctx, WL_UNSUPPORTED,
			"--variant openssl: openssl is not installed (apt-get install openssl)");
	default:
		return on_path("gzip") ? WL_OK : wl_refuse(ctx, WL_UNSUPPORTED,
			"--variant gzip: gzip is not installed (apt-get install gzip)");
	}
}

/* Byte k of task t's input: words of a fixed sequence, so any run can tell them. */
static uint64_t input_word(uint64_t task, uint64_t w)
{
	return wl_mix64((task << 40) + w);
}

/* What the checksum adds for output word w (bytes past the end are zeros). */
static uint64_t out_sum(uint64_t word, uint64_t w)
{
	return wl_mix64(word + w);
}

/* Streams `bytes` of task t's input through a child of argv and returns the checksum of what it
 * wrote back; exits the run on an IO error or a child that failed. */
static uint64_t pump(const struct wl_ctx *ctx, char *const argv[], uint64_t t, uint64_t bytes)
{
	int to, from;
	pid_t pid = wl_spawn(ctx, argv, &to, &from);
	if (pid < 0)
		wl_io_fail("subprocess: start the child");
	/* The unit's own buffers (coroutines share a thread, and a stack is too small for them). */
	uint64_t *in = malloc(CHUNK), *out = malloc(CHUNK + 8);
	if (!in || !out)
		wl_io_fail("subprocess: buffers");
	uint64_t sent = 0, got = 0, sum = 0, in_off = 0, in_len = 0;
	size_t carry = 0; /* bytes of a partial word at the start of out */
	bool eof = false;
	while (!eof) {
		bool moved = false, want_in = false, want_out = false;
		if (to >= 0 && in_off == in_len && sent < bytes) { /* the next chunk of input */
			uint64_t n = bytes - sent < CHUNK ? bytes - sent : CHUNK;
			for (uint64_t i = 0; i < (n + 7) / 8; i++)
				in[i] = input_word(t, sent / 8 + i);
			in_off = 0;
			in_len = n;
		}
		if (to >= 0 && in_off < in_len) {
			ssize_t k = wl_try_write(ctx, to, (char *)in + in_off, in_len - in_off);
			if (k > 0) {
				in_off += (uint64_t)k;
				sent += (uint64_t)k;
				moved = true;
			} else if (k < 0 && errno == EAGAIN) {
				want_out = true;
			} else {
				wl_io_fail("subprocess: write to the child");
			}
		}
		if (to >= 0 && sent == bytes && in_off == in_len) {
			wl_close(ctx, to); /* end of input: the child finishes and exits */
			to = -1;
		}
		ssize_t k = wl_try_read(ctx, from, (char *)out + carry, CHUNK - carry);
		if (k > 0) {
			size_t have = carry + (size_t)k, words = have / 8;
			for (size_t i = 0; i < words; i++)
				sum += out_sum(out[i], got / 8 + i);
			got += words * 8;
			carry = have - words * 8;
			memmove(out, (char *)out + words * 8, carry);
			moved = true;
		} else if (k == 0) {
			eof = true;
		} else if (errno == EAGAIN) {
			want_in = true;
		} else {
			wl_io_fail("subprocess: read from the child");
		}
		if (!moved && !eof) {
			struct wl_pollfd p[2];
			int n = 0;
			if (want_in)
				p[n++] = (struct wl_pollfd){from, false};
			if (want_out)
				p[n++] = (struct wl_pollfd){to, true};
			if (n && wl_poll(ctx, p, n) != 0)
				wl_io_fail("subprocess: wait for the child");
		}
	}
	if (carry) { /* the last partial word, zero-padded */
		memset((char *)out + carry, 0, 8 - carry);
		sum += out_sum(out[0], got / 8);
	}
	free(in);
	free(out);
	wl_close(ctx, from);
	int st = wl_reap(ctx, pid);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "cvp: subprocess: %s %s %d\n", argv[0],
			WIFEXITED(st) ? "exited with status" : "died of signal",
			WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
		exit(WIFEXITED(st) && WEXITSTATUS(st) == 127 ? 4 : 1);
	}
	return sum;
}

static char *const *argv_of(const struct wl_ctx *ctx)
{
	struct subprocess *s = ctx->state;
	switch (ctx->opt[OPT_VARIANT]) {
	case FILTER:
		return s->filter_argv;
	case OPENSSL:
		return openssl_argv;
	default:
		return gzip_argv;
	}
}

/* A task streams its range of the run's bytes: [begin, end) of task t = begin * tasks / size. */
static uint64_t subprocess_run(const struct wl_ctx *ctx, uint64_t begin, uint64_t end)
{
	uint64_t t = (unsigned __int128)begin * ctx->tasks / ctx->size;
	return pump(ctx, argv_of(ctx), t, end - begin);
}

/* The default filter's output is known without running it; a tool's is what one run of the tool
 * over the same input gives, after the clock. */
static uint64_t subprocess_expect(const struct wl_ctx *ctx)
{
	uint64_t sum = 0;
	for (uint64_t t = 0; t < ctx->tasks; t++) {
		uint64_t begin = (unsigned __int128)t * ctx->size / ctx->tasks;
		uint64_t end = (unsigned __int128)(t + 1) * ctx->size / ctx->tasks, n = end - begin;
		if (ctx->opt[OPT_VARIANT] != FILTER) {
			sum += pump(ctx, argv_of(ctx), t, n);
			continue;
		}
		for (uint64_t w = 0; w < (n + 7) / 8; w++) {
			uint64_t v = input_word(t, w);
			if (8 * w + 8 > n) /* the input's last partial word, as the child reads it */
				v &= ~0ULL >> (64 - 8 * (n - 8 * w));
			sum += out_sum(filter_word(v), w);
		}
	}
	return sum;
}

static void subprocess_cleanup(struct wl_ctx *ctx)
{
	wl_shared_free(ctx->state, sizeof(struct subprocess));
}

WORKLOAD(subprocess) = {
	.name = "subprocess",
	.kind = WL_CPU,
	.desc = "each task streams --size bytes through a child filter over two pipes; op = a byte",
	.default_size = 64 << 20,
	.size_per = WL_SIZE_TASK,
	.plans = WL_PLAN_PATTERN,
	.opts = subprocess_opts,
	.prepare = subprocess_prepare,
	.run = subprocess_run,
	.expect = subprocess_expect,
	.cleanup = subprocess_cleanup,
};
