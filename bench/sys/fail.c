/* fail.c — the ways a run ends early, one per cause: an internal inconsistency (CHECK, exit 1),
 * memory the harness could not get (CHECK_MEM, exit 3 naming memory), or a message and a
 * chosen status (cvp_die). Each first waits, if a signal handler is already taking the run down,
 * so errors that follow from that (a connection reset by a killed unit) are not reported. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sys/cleanup.h"
#include "sys/sys.h"

_Noreturn void cvp_check_failed(const char *cond, const char *file, int line)
{
	int e = errno;
	cleanup_quiet_if_leaving();
	fprintf(stderr, "cvp: internal check failed: %s (%s:%d; errno %d: %s)\n", cond, file, line,
		e, strerror(e));
	exit(EXIT_WRONG);
}

_Noreturn void cvp_out_of_memory(const char *what, const char *file, int line)
{
	cleanup_quiet_if_leaving();
	fprintf(stderr, "cvp: out of memory: %s failed (%s:%d; limit: memory, or ulimit -v)\n",
		what, file, line);
	exit(EXIT_LIMIT);
}

_Noreturn void cvp_die(int status, const char *fmt, ...)
{
	va_list ap;
	cleanup_quiet_if_leaving();
	va_start(ap, fmt);
	fputs("cvp: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(status);
}
