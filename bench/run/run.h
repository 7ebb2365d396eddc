/* run.h — one run, from what the command line asked for to its row. */
#ifndef CVP_RUN_H
#define CVP_RUN_H

#include "core/cvp.h"
#include "run/options.h"

/* What the command line asked of the harness; the model's and workload's own flags are still in
 * the cmdline, for them to take. */
struct request {
	const char *model, *workload;
	uint64_t units, tasks, cores, size;
	bool units_set, tasks_set, cores_set, size_set;
	enum pin_mode pin;
	enum out_format format;
	bool header;
	const char *out; /* also append the CSV row here */
	uint64_t expect; /* the serial checksum, when the caller knows it */
	bool expect_set;
	uint64_t timeout_s; /* the watchdog */
};

/* Runs the request and prints its row; returns the exit status. */
int run_request(const struct request *q, struct cmdline *cl);
/* Prints where the request's units would be bound ("unit,pus" lines), for another runtime to
 * bind its units the same way; returns the exit status. */
int run_places(const struct request *q);
/* The delay server on its own (--serve, with --delay-ms): prints its socket's path and serves
 * until stopped; never returns. */
_Noreturn void run_serve(const struct request *q, struct cmdline *cl);

#endif
