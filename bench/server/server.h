/* server.h — the delay server: a forked, single-threaded epoll process on a loopback Unix
 * socket that echoes each request after a fixed delay. Its wire format is here because both
 * sides use it: the server (server.c) and the client call units make (client.c). */
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

/* Started by a workload through wl_server_start() (workload.h); the harness stops it. */

/* build/cvp --serve: the server in this process, for another runtime's units to talk to the
 * same server as C's. Prints the socket's path on stdout, then serves until SIGTERM, SIGINT,
 * the --timeout-s watchdog or the death of its parent, and removes its directory. */
_Noreturn void server_standalone(uint32_t delay_ms);
/* Stops and reaps the server and removes its directory. Returns 0, or an exit status when the
 * server had died on its own; *cpu_s gets its CPU time (user + system) over its whole life. */
int server_stop(struct server *sv, double *cpu_s);

#endif
