/* server.c — the delay server the IO workloads talk to. One op on its side: read a request
 * (struct server_req + payload), hold it --delay-ms, echo it back whole.
 *
 * It is a forked child, single-threaded, one epoll set (edge-triggered per connection) on a
 * Unix socket in a fresh 0700 directory — loopback by construction, unreachable for other
 * users. The delay is the same for every request, so due times arrive in order and a FIFO is
 * the timer queue; its head is the epoll timeout. A workload starts it from prepare(), before
 * the clock and before any unit (so units never inherit it); the harness stops it after the run
 * with SIGTERM and takes its CPU time from wait4() (the row's server_cpu_s). It is a child like
 * any unit (cleanup_fork): it dies with the harness,
 * and its directory is removed on every way out (cleanup.c) — by the server itself when the
 * harness is SIGKILLed. */
#include "server/server.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "coro/loop.h"
#include "sys/cleanup.h"
#include "core/cvp.h"

enum { EVENTS = 256, TIMER_SLACK_NS = 1, SPARE_FDS = 64, READ_SPARE = 512 };

struct server {
	pid_t pid;
	char dir[96];
	char path[108];
};

/* ---- the server process ---- */

enum conn_state { C_FREE, C_READ, C_HOLD, C_WRITE };

struct conn {
	enum conn_state state;
	uint32_t gen;       /* tells a queued entry from a later connection on the same fd */
	uint32_t have, out; /* bytes read of the request / written of the echo */
	uint32_t cap;
	bool readable; /* epoll said so, and no short read or EAGAIN since */
	bool want_out; /* EPOLLOUT is registered */
	char *buf;     /* the request (header then payload), maybe the start of the next */
};

struct due {
	int64_t at;
	int fd;
	uint32_t gen;
};

struct srv {
	int lfd, ep;
	int64_t delay_ns;
	struct conn *c;
	size_t nc;
	uint64_t open;
	struct due *q; /* FIFO ring of held requests, in due order */
	size_t qhead, qlen, qcap;
};

static uint32_t req_len(const struct conn *c)
{
	if (c->have < sizeof(struct server_req))
		return sizeof(struct server_req);
	const struct server_req *h = (const void *)c->buf;
	return sizeof *h + h->bytes;
}

static void conn_close(struct srv *v, int fd)
{
	struct conn *c = &v->c[fd];
	close(fd);
	free(c->buf);
	c->buf = NULL;
	c->cap = 0;
	c->state = C_FREE;
	v->open--;
}

static void enqueue(struct srv *v, int fd)
{
	if (v->qlen == v->qcap) {
		size_t n = v->qcap ? 2 * v->qcap : 1024;
		struct due *q = malloc(n * sizeof *q);
		CHECK_MEM(q);
		for (size_t i = 0; i < v->qlen; i++)
			q[i] = v->q[(v->qhead + i) % v->qcap];
		free(v->q);
		v->q = q;
		v->qhead = 0;
		v->qcap = n;
	}
	struct due d = {now_ns() + v->delay_ns, fd, v->c[fd].gen};
	v->q[(v->qhead + v->qlen++) % v->qcap] = d;
}

static void conn_write(struct srv *v, int fd);

/* Reads until one whole request is in the buffer, then holds it until due. Reads take what is
 * there (a pipelined next request stays in the buffer for later); a short read means the
 * socket is drained, and edge-triggered epoll reports the next data, so no read is wasted on
 * EAGAIN in the usual one-request-at-a-time exchange. */
static void conn_read(struct srv *v, int fd)
{
	struct conn *c = &v->c[fd];
	while (c->state == C_READ) {
		if (c->have >= sizeof(struct server_req)) {
			const struct server_req *h = (const void *)c->buf;
			if (h->magic != SERVER_MAGIC || h->bytes > SERVER_MAX_BYTES) {
				conn_close(v, fd);
				return;
			}
		}
		uint32_t want = req_len(c);
		if (c->have >= want) {
			c->state = C_HOLD;
			c->out = 0;
			if (v->delay_ns)
				enqueue(v, fd);
			else
				conn_write(v, fd);
			return;
		}
		if (!c->readable)
			return;
		if (want + READ_SPARE > c->cap) {
			char *b = realloc(c->buf, want + READ_SPARE);
			CHECK_MEM(b);
			c->buf = b;
			c->cap = want + READ_SPARE;
		}
		ssize_t k = read(fd, c->buf + c->have, c->cap - c->have);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0 && errno == EAGAIN) {
			c->readable = false;
			continue;
		}
		if (k <= 0) { /* the client is gone */
			conn_close(v, fd);
			return;
		}
		if ((size_t)k < c->cap - c->have)
			c->readable = false;
		c->have += k;
	}
}

/* Writes what it can of the echo; when all is out, goes on to the next request. */
static void conn_write(struct srv *v, int fd)
{
	struct conn *c = &v->c[fd];
	uint32_t len = req_len(c);
	c->state = C_WRITE;
	while (c->out < len) {
		ssize_t k = send(fd, c->buf + c->out, len - c->out, MSG_NOSIGNAL);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0 && errno == EAGAIN) {
			if (!c->want_out) { /* only now is EPOLLOUT worth its wake-ups */
				struct epoll_event e = {
					.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET,
					.data.fd = fd};
				CHECK(epoll_ctl(v->ep, EPOLL_CTL_MOD, fd, &e) == 0);
				c->want_out = true;
			}
			return; /* EPOLLOUT resumes it */
		}
		if (k < 0) {
			conn_close(v, fd);
			return;
		}
		c->out += k;
	}
	memmove(c->buf, c->buf + len, c->have - len);
	c->have -= len;
	c->state = C_READ;
	conn_read(v, fd);
}

static void accept_all(struct srv *v)
{
	for (;;) {
		int fd = accept4(v->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0 && (errno == EINTR || errno == ECONNABORTED))
			continue;
		if (fd < 0 && errno == EAGAIN)
			return;
		if (fd < 0 && (errno == EMFILE || errno == ENFILE))
			cvp_die(EXIT_LIMIT, "delay server: %s after %llu connections (limit: %s)",
				strerror(errno), (unsigned long long)v->open,
				errno == EMFILE ? "RLIMIT_NOFILE, ulimit -n" : "fs.file-max");
		CHECK(fd >= 0);
		if ((size_t)fd >= v->nc) {
			size_t n = v->nc * 2 > (size_t)fd ? v->nc * 2 : (size_t)fd + 1;
			struct conn *c = realloc(v->c, n * sizeof *c);
			CHECK_MEM(c);
			memset(c + v->nc, 0, (n - v->nc) * sizeof *c);
			v->c = c;
			v->nc = n;
		}
		struct conn *c = &v->c[fd];
		c->state = C_READ;
		c->gen++;
		c->have = 0;
		c->readable = c->want_out = false; /* adding it reports data already there */
		v->open++;
		struct epoll_event e = {.events = EPOLLIN | EPOLLRDHUP | EPOLLET, .data.fd = fd};
		CHECK(epoll_ctl(v->ep, EPOLL_CTL_ADD, fd, &e) == 0);
	}
}

static _Noreturn void serve(int lfd, uint32_t delay_ms)
{
	struct srv v = {.lfd = lfd, .delay_ns = delay_ms * 1000000LL, .nc = 1024};
	v.c = calloc(v.nc, sizeof *v.c);
	v.ep = epoll_create1(EPOLL_CLOEXEC);
	CHECK_MEM(v.c);
	CHECK(v.ep >= 0);
	struct epoll_event e = {.events = EPOLLIN, .data.fd = lfd};
	CHECK(epoll_ctl(v.ep, EPOLL_CTL_ADD, lfd, &e) == 0);
	struct epoll_event ev[EVENTS];
	for (;;) {
		struct timespec ts, *tp = NULL;
		if (v.qlen) {
			int64_t d = v.q[v.qhead].at - now_ns();
			d = d < 0 ? 0 : d;
			ts = (struct timespec){d / 1000000000, d % 1000000000};
			tp = &ts;
		}
		int n = epoll_wait_ts(v.ep, ev, EVENTS, tp);
		CHECK(n >= 0 || errno == EINTR);
		for (int i = 0; i < n; i++) {
			int fd = ev[i].data.fd;
			if (fd == lfd) {
				accept_all(&v);
				continue;
			}
			uint32_t got = ev[i].events, gone = EPOLLHUP | EPOLLERR;
			if (got & (EPOLLIN | EPOLLRDHUP | gone))
				v.c[fd].readable = true;
			/* C_HOLD: what came waits; a vanished client shows when the echo fails. */
			if (v.c[fd].state == C_READ)
				conn_read(&v, fd);
			else if (v.c[fd].state == C_WRITE && (got & (EPOLLOUT | gone)))
				conn_write(&v, fd);
		}
		int64_t now = now_ns();
		while (v.qlen && v.q[v.qhead].at <= now) {
			struct due d = v.q[v.qhead];
			v.qhead = (v.qhead + 1) % v.qcap;
			v.qlen--;
			if (v.c[d.fd].state == C_HOLD && v.c[d.fd].gen == d.gen)
				conn_write(&v, d.fd);
		}
	}
}

/* ---- the harness side ---- */

/* A listening Unix socket in a fresh 0700 directory (only this user can reach it), both
 * registered for removal on every way out: the listening fd, or -1 with the reason in why. */
static int server_listen(struct server *sv, char *why, size_t len)
{
	const char *tmp = getenv("TMPDIR");
	if (!tmp || !*tmp || strlen(tmp) > sizeof sv->dir - 32)
		tmp = "/tmp"; /* a socket path must fit in sun_path (108 bytes) */
	snprintf(sv->dir, sizeof sv->dir, "%s/cvp-server.XXXXXX", tmp);
	if (!mkdtemp(sv->dir)) {
		snprintf(why, len, "delay server: cannot create a directory in %s: %s", tmp,
			 strerror(errno));
		return -1;
	}
	snprintf(sv->path, sizeof sv->path, "%s/sock", sv->dir);
	cleanup_path(sv->dir, true);
	cleanup_path(sv->path, false);
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	strcpy(a.sun_path, sv->path);
	int lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	CHECK(lfd >= 0);
	CHECK(bind(lfd, (struct sockaddr *)&a, sizeof a) == 0);
	CHECK(listen(lfd, INT_MAX) == 0); /* the kernel caps it at net.core.somaxconn */
	return lfd;
}

/* Forks the server, answering after delay_ms: WL_OK and *out, or a status with the reason given
 * through wl_refuse(). */
static int server_start(const struct wl_ctx *ctx, uint32_t delay_ms, struct server **out)
{
	struct server *sv = calloc(1, sizeof *sv);
	CHECK_MEM(sv);
	char why[256];
	int lfd = server_listen(sv, why, sizeof why);
	if (lfd < 0) {
		free(sv);
		return wl_refuse(ctx, WL_WRONG, "%s", why);
	}
	fflush(NULL);
	sv->pid = cleanup_fork();
	if (sv->pid == 0) {
		cleanup_child_removes_paths(); /* the socket directory, should the harness be killed */
		/* The same slack as every model (inherited already; said again for clarity). */
		CHECK(prctl(PR_SET_TIMERSLACK, TIMER_SLACK_NS) == 0);
		int null = open("/dev/null", O_RDWR);
		CHECK(null >= 0 && dup2(null, 0) == 0 && dup2(null, 1) == 1);
		close(null);
		serve(lfd, delay_ms);
	}
	int e = errno;
	close(lfd); /* the harness never holds the listening socket, so units cannot inherit it */
	if (sv->pid < 0) {
		server_stop(sv, &(double){0});
		return wl_refuse(ctx, WL_LIMIT, "delay server: fork failed: %s (limits: ulimit -u, "
						 "memory)", strerror(e));
	}
	*out = sv;
	return WL_OK;
}

_Noreturn void server_standalone(uint32_t delay_ms)
{
	pid_t parent = getppid();
	struct server sv = {0};
	char why[256];
	int lfd = server_listen(&sv, why, sizeof why);
	if (lfd < 0)
		cvp_die(EXIT_WRONG, "%s", why);
	signal(SIGPIPE, SIG_IGN);
	CHECK(prctl(PR_SET_TIMERSLACK, TIMER_SLACK_NS) == 0);
	/* It goes when whoever started it goes, even by SIGKILL: the removal of the directory
	 * runs on the way out of SIGTERM (cleanup.c). */
	CHECK(prctl(PR_SET_PDEATHSIG, SIGTERM) == 0);
	if (getppid() != parent)
		raise(SIGTERM);
	printf("%s\n", sv.path);
	fflush(stdout);
	serve(lfd, delay_ms);
}

int server_stop(struct server *sv, double *cpu_s)
{
	int ret = 0;
	*cpu_s = NAN;
	if (sv->pid > 0) {
		int st;
		struct rusage ru;
		kill(sv->pid, SIGTERM);
		while (wait4(sv->pid, &st, 0, &ru) < 0)
			CHECK(errno == EINTR);
		*cpu_s = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec +
			 ru.ru_stime.tv_usec / 1e6;
		if (!(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM)) {
			bool limit = WIFEXITED(st) && WEXITSTATUS(st) == EXIT_LIMIT;
			ret = limit ? EXIT_LIMIT : EXIT_WRONG;
			fprintf(stderr, "cvp: delay server died before the run ended (%s %d)\n",
				WIFEXITED(st) ? "exit status" : "signal",
				WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
		}
		sv->pid = 0;
	}
	unlink(sv->path);
	rmdir(sv->dir);
	cleanup_forget(sv->path);
	cleanup_forget(sv->dir);
	free(sv);
	return ret;
}

int wl_server_start(const struct wl_ctx *ctx, uint32_t delay_ms, const char **path)
{
	struct run *r = ctx->run;
	CHECK(!r->server); /* one server per run */
	signal(SIGPIPE, SIG_IGN); /* a vanished peer is an error to report (EPIPE), not a death */
	/* Every unit alive at once may hold a connection; serial units hold one at a time. */
	uint64_t conns = !(r->model->caps & WL_CAP_COEXIST) ? 1 : r->units < r->tasks ? r->units
											   : r->tasks;
	struct rlimit rl;
	CHECK(getrlimit(RLIMIT_NOFILE, &rl) == 0);
	if (rl.rlim_cur < rl.rlim_max) {
		struct rlimit want = {rl.rlim_max, rl.rlim_max};
		if (setrlimit(RLIMIT_NOFILE, &want) == 0)
			rl = want; /* else (hard limit infinite, above fs.nr_open): keep soft */
	}
	if (rl.rlim_cur < conns + SPARE_FDS)
		return wl_refuse(ctx, WL_LIMIT,
				 "RLIMIT_NOFILE (ulimit -n): %llu connections need %llu descriptors "
				 "in the harness and as many in the delay server, but the hard limit "
				 "is %llu; raise it (ulimit -Hn as root, or limits.conf) or use fewer "
				 "units",
				 (unsigned long long)conns, (unsigned long long)(conns + SPARE_FDS),
				 (unsigned long long)rl.rlim_cur);
	int st = server_start(ctx, delay_ms, &r->server);
	if (st == WL_OK)
		*path = r->server->path;
	return st;
}
