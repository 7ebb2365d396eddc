/* main.c — build/cvp: reads the command line and hands the request to the run (run/run.c).
 * The harness's own options are this table; models and workloads bring theirs. */
#include <stdlib.h>

#include "host/host.h"
#include "run/options.h"
#include "run/run.h"

enum { TIMEOUT_S_DEFAULT = 600, TIMEOUT_S_MAX = 604800 }; /* the watchdog: 10 min, at most a week */
enum { MAX_UNITS = 1000000 };

enum {
	H_MODEL, H_WORKLOAD, H_UNITS, H_TASKS, H_CORES, H_PIN, H_SIZE, H_FORMAT, H_HEADER, H_OUT,
	H_EXPECT, H_TIMEOUT, H_LIST, H_PLACES, H_MACHINE, H_SERVE, H_HELP,
};
static const char *const pins[] = {[PIN_COMPACT] = "compact", [PIN_SCATTER] = "scatter",
				   [PIN_NONE] = "none", NULL};
static const char *const formats[] = {[FMT_CSV] = "csv", [FMT_JSON] = "json", [FMT_TEXT] = "text",
				      NULL};
static const struct wl_opt harness_opts[] = {
	[H_MODEL] = {.name = "model", .type = WL_OPT_TEXT, .arg = "M",
		     .help = "the execution model (see Models below)"},
	[H_WORKLOAD] = {.name = "workload", .type = WL_OPT_TEXT, .arg = "W",
			.help = "the workload (see Workloads below)"},
	[H_UNITS] = {.name = "units", .type = WL_OPT_UINT, .arg = "N", .min = 1, .max = MAX_UNITS,
		     .auto_def = true,
		     .help = "units (threads, processes, coroutines); default: one per core"},
	[H_TASKS] = {.name = "tasks", .type = WL_OPT_UINT, .arg = "T", .min = 1,
		     .max = UINT32_MAX, .auto_def = true,
		     .help = "split the work into T tasks taken from a shared counter; default: "
			     "one per unit"},
	[H_CORES] = {.name = "cores", .type = WL_OPT_UINT, .arg = "K", .min = 1, .max = 1u << 20,
		     .auto_def = true,
		     .help = "confine the run to K cores chosen by hwloc; default: all allowed"},
	[H_PIN] = {.name = "pin", .type = WL_OPT_CHOICE, .arg = "P", .choices = pins,
		   .def = PIN_COMPACT, .help = "how units are bound to the cores:"},
	[H_SIZE] = {.name = "size", .type = WL_OPT_UINT, .arg = "S", .min = 1, .max = 1ULL << 48,
		    .auto_def = true,
		    .help = "ops, split over the tasks; default: the workload's (--list says whether "
			    "per run or per task)"},
	[H_FORMAT] = {.name = "format", .type = WL_OPT_CHOICE, .arg = "F", .choices = formats,
		      .def = FMT_CSV, .help = "how the row is written (--list: text unless given):"},
	[H_HEADER] = {.name = "header", .type = WL_OPT_FLAG,
		      .help = "print the CSV header line before the row"},
	[H_OUT] = {.name = "out", .type = WL_OPT_TEXT, .arg = "FILE",
		   .help = "also append the row as CSV to FILE (header if FILE is new)"},
	[H_EXPECT] = {.name = "expect", .type = WL_OPT_HEX, .arg = "HEX",
		      .help = "the serial checksum of this workload and size, if known; otherwise "
			      "cvp computes it after the timed run"},
	[H_TIMEOUT] = {.name = "timeout-s", .type = WL_OPT_UINT, .arg = "N", .min = 1,
		       .max = TIMEOUT_S_MAX, .def = TIMEOUT_S_DEFAULT,
		       .help = "stop the whole run after N seconds, leaving nothing behind"},
	[H_LIST] = {.name = "list", .type = WL_OPT_FLAG,
		    .help = "every model and workload: options, figures, plans (--format)"},
	[H_PLACES] = {.name = "places", .type = WL_OPT_FLAG,
		      .help = "print where --units units on --cores cores with --pin would be "
			      "bound (unit,pus lines), and nothing else"},
	[H_MACHINE] = {.name = "machine", .type = WL_OPT_FLAG,
		       .help = "measure this host's constants (a system call, a page fault, a "
			       "swapcontext, a thread and a process create, a cache-line hand-off; "
			       "--format)"},
	[H_SERVE] = {.name = "serve", .type = WL_OPT_FLAG,
		     .help = "run the delay server alone (with --delay-ms): print its socket's "
			     "path, serve until SIGTERM, the watchdog or the parent's death"},
	[H_HELP] = {.name = "help", .type = WL_OPT_FLAG, .help = "this text"},
	{0},
};

int main(int argc, char **argv)
{
	struct cmdline cl;
	struct optvals h;
	opt_scan(argc, argv, harness_opts, &cl);
	opt_take(&cl, harness_opts, &h);
	if (h.given[H_HELP]) {
		opt_help(stdout, harness_opts);
		return EXIT_OK;
	}
	if (h.given[H_LIST]) {
		opt_list(stdout, h.given[H_FORMAT] ? h.v[H_FORMAT] : FMT_TEXT);
		return EXIT_OK;
	}
	struct request q = {
		.model = h.text[H_MODEL],
		.workload = h.text[H_WORKLOAD],
		.units = h.v[H_UNITS],
		.tasks = h.v[H_TASKS],
		.cores = h.v[H_CORES],
		.size = h.v[H_SIZE],
		.units_set = h.given[H_UNITS],
		.tasks_set = h.given[H_TASKS],
		.cores_set = h.given[H_CORES],
		.size_set = h.given[H_SIZE],
		.pin = h.v[H_PIN],
		.format = h.v[H_FORMAT],
		.header = h.given[H_HEADER],
		.out = h.given[H_OUT] ? h.text[H_OUT] : NULL,
		.expect = h.v[H_EXPECT],
		.expect_set = h.given[H_EXPECT],
		.timeout_s = h.v[H_TIMEOUT],
	};
	if (h.given[H_MACHINE])
		return host_constants(h.given[H_FORMAT] ? h.v[H_FORMAT] : FMT_TEXT, stdout);
	if (h.given[H_SERVE])
		run_serve(&q, &cl);
	if (h.given[H_PLACES])
		return run_places(&q);
	if (!h.given[H_MODEL]) {
		char names[256];
		caps_models(0, NULL, names, sizeof names);
		cvp_die(EXIT_USAGE, "--model: missing (one of: %s)", names);
	}
	if (!h.given[H_WORKLOAD])
		cvp_die(EXIT_USAGE, "--workload: missing (see cvp --list)");
	if (h.given[H_OUT] && !*h.text[H_OUT])
		cvp_die(EXIT_USAGE, "--out: empty file name");
	return run_request(&q, &cl);
}
