/* server.h — the delay server: a forked, single-threaded epoll process on a loopback Unix
 * socket that echoes each request after a fixed delay. Its wire format is here because both
 * sides use it: the server (server.c) and the seam's client call (io.c). */
#ifndef CVP_SERVER_H
#define CVP_SERVER_H

#include <stdint.h>

/* A request is this header then `bytes` payload bytes; the reply is the request, echoed. */
struct server_req {
	uint32_t magic;
	uint32_t bytes;
};
enum { SERVER_MAGIC = 0x31505643 /* "CVP1" */, SERVER_MAX_BYTES = 1 << 16 };

struct server;

/* Forks the server on a socket in a fresh 0700 directory, answering after delay_ms. NULL and
 * an exit status in *status when it cannot start. */
struct server *server_start(uint32_t delay_ms, int *status);
/* The socket's path, for wl_connect. */
const char *server_path(const struct server *sv);
/* Stops and reaps the server and removes its directory. Returns 0, or an exit status when the
 * server had died on its own; *cpu_s gets its CPU time (user + system) over its whole life. */
int server_stop(struct server *sv, double *cpu_s);

struct run;
/* Before any unit of an IO workload: ignore SIGPIPE, raise RLIMIT_NOFILE to its hard limit
 * (exit 3 naming it when that is too low for the connections), and start the delay server when
 * the workload needs one, setting ctx.server. Returns the server or NULL. */
struct server *io_begin(struct run *r);

#endif
