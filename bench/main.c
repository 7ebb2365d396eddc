/* main.c — build/cvp: parse the command line, plan placement, run one configuration under one
 * model, verify its checksum against a serial pass over the same work, and print one row. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <malloc.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "coro.h"
#include "cvp.h"
#include "pin.h"
#include "report.h"
#include "server.h"

static const struct model *const models[] = {&model_serial, &model_threads, &model_procs,
					     &model_coros, NULL};

static const char *const kind_names[] = {[WL_CPU] = "cpu", [WL_IO] = "io", [WL_PROBE] = "probe"};
static const char *const pin_names[] = {[PIN_COMPACT] = "compact", [PIN_SCATTER] = "scatter",
					[PIN_NONE] = "none"};

enum { MAX_UNITS = 1000000, TIMER_SLACK_NS = 1 };
enum { DELAY_MS_DEFAULT = 10, WORK_DEFAULT = 100 }; /* IO workloads */
enum { TIMEOUT_S_DEFAULT = 600, TIMEOUT_S_MAX = 604800 }; /* the watchdog: 10 min, at most a week */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: cvp --model M --workload W [options]\n"
		"       cvp --list | --help\n"
		"\n"
		"Runs one workload under one execution model and prints one result row.\n"
		"\n"
		"  --model M          serial | threads | procs | coros (see --list)\n"
		"  --workload W       a workload from --list\n"
		"  --units N          units (threads, processes, coroutines); default: one per core\n"
		"  --tasks T          split the work into T tasks taken from a shared counter;\n"
		"                     default: one task per unit\n"
		"  --cores K          confine the run to K cores chosen by hwloc; default: all allowed\n"
		"  --pin P            compact (default) | scatter | none: how units are bound\n"
		"  --size S           total ops, split over the tasks; default: the workload's\n"
		"                     (sleep, echo, mixed: rounds per task; total = S x tasks)\n"
		"  --delay-ms D       sleep: D ms per round; echo, mixed: the delay server answers\n"
		"                     each request after D ms (default %d)\n"
		"  --work N           mixed: hash ops (256 steps each) after each reply (default %d)\n"
		"  --stack-kib K      stack size of a thread or coroutine (default: the system's for\n"
		"                     threads, %d KiB for coroutines)\n"
		"  --variant V        pingpong: futex | pipe (threads, procs; default futex),\n"
		"                     direct (coros, the default there)\n"
		"  --touch-kib K      idle: KiB of stack each unit touches (default 4)\n"
		"  --format F         csv (default) | json | text\n"
		"  --header           print the CSV header line before the row\n"
		"  --out FILE         also append the row as CSV to FILE (header if FILE is new)\n"
		"  --expect HEX       the serial checksum of this workload and size, if known;\n"
		"                     otherwise cvp computes it after the timed run\n"
		"  --timeout-s N      stop the whole run after N seconds, leaving nothing behind\n"
		"                     (default %d, at most %d)\n"
		"\n"
		"Exit status: 0 ok, 1 wrong result or failure (also a crashed unit, or a run stopped\n"
		"by --timeout-s), 2 usage error, 3 resource limit reached, 4 unsupported here;\n"
		"128 + N when stopped by signal N (SIGINT, SIGTERM, SIGHUP).\n",
		DELAY_MS_DEFAULT, WORK_DEFAULT, CORO_STACK_DEFAULT_KIB, TIMEOUT_S_DEFAULT,
		TIMEOUT_S_MAX);
}

static void list(void)
{
	for (int i = 0; models[i]; i++)
		printf("model     %-8s %s\n", models[i]->name, models[i]->desc);
	for (int i = 0; workloads[i]; i++)
		printf("workload  %-8s %-5s %s\n", workloads[i]->name, kind_names[workloads[i]->kind],
		       workloads[i]->desc);
}

/* A decimal integer in [min, max], or exit 2 naming the flag. */
static uint64_t parse_u64(const char *flag, const char *s, uint64_t min, uint64_t max)
{
	if (!*s)
		cvp_die(EXIT_USAGE, "%s: empty value; expected a whole number", flag);
	for (const char *p = s; *p; p++)
		if (*p < '0' || *p > '9')
			cvp_die(EXIT_USAGE, "%s: '%s' is not a whole number%s", flag, s,
				*s == '-' ? " (negative)" : "");
	errno = 0;
	char *end;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno == ERANGE || v > max || v < min)
		cvp_die(EXIT_USAGE, "%s: '%s' is out of range (%" PRIu64 "..%" PRIu64 ")", flag, s,
			min, max);
	return v;
}

/* Index of s in names[0..n), or exit 2 listing the valid ones. */
static int parse_name(const char *flag, const char *s, const char *const *names, int n)
{
	for (int i = 0; i < n; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	char valid[256] = "";
	for (int i = 0; i < n; i++)
		snprintf(valid + strlen(valid), sizeof valid - strlen(valid), "%s%s", i ? ", " : "",
			 names[i]);
	cvp_die(EXIT_USAGE, "%s: unknown value '%s' (valid: %s)", flag, s, valid);
}

static const struct model *find_model(const char *name)
{
	const char *names[8];
	int n = 0;
	for (; models[n]; n++)
		names[n] = models[n]->name;
	return models[parse_name("--model", name, names, n)];
}

static const struct workload *find_workload(const char *name)
{
	const char *names[64];
	int n = 0;
	for (; workloads[n] && n < 64; n++)
		names[n] = workloads[n]->name;
	return workloads[parse_name("--workload", name, names, n)];
}

static void parse(int argc, char **argv, struct opts *o)
{
	enum { O_MODEL = 256, O_WORKLOAD, O_UNITS, O_TASKS, O_CORES, O_PIN, O_SIZE, O_STACK,
	       O_FORMAT, O_HEADER, O_OUT, O_EXPECT, O_LIST, O_HELP, O_VARIANT, O_TOUCH, O_DELAY, O_WORK,
	       O_TIMEOUT };
	static const struct option lo[] = {
		{"model", required_argument, 0, O_MODEL},
		{"workload", required_argument, 0, O_WORKLOAD},
		{"units", required_argument, 0, O_UNITS},
		{"tasks", required_argument, 0, O_TASKS},
		{"cores", required_argument, 0, O_CORES},
		{"pin", required_argument, 0, O_PIN},
		{"size", required_argument, 0, O_SIZE},
		{"stack-kib", required_argument, 0, O_STACK},
		{"format", required_argument, 0, O_FORMAT},
		{"header", no_argument, 0, O_HEADER},
		{"out", required_argument, 0, O_OUT},
		{"expect", required_argument, 0, O_EXPECT},
		{"list", no_argument, 0, O_LIST},
		{"variant", required_argument, 0, O_VARIANT},
		{"touch-kib", required_argument, 0, O_TOUCH},
		{"delay-ms", required_argument, 0, O_DELAY},
		{"work", required_argument, 0, O_WORK},
		{"timeout-s", required_argument, 0, O_TIMEOUT},
		{"help", no_argument, 0, O_HELP},
		{0, 0, 0, 0},
	};
	static const char *const formats[] = {[FMT_CSV] = "csv", [FMT_JSON] = "json",
					      [FMT_TEXT] = "text"};
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, ":", lo, NULL)) != -1) {
		switch (c) {
		case O_MODEL: o->model = optarg; break;
		case O_WORKLOAD: o->workload = optarg; break;
		case O_UNITS:
			o->units = parse_u64("--units", optarg, 1, MAX_UNITS);
			o->units_set = true;
			break;
		case O_TASKS:
			o->tasks = parse_u64("--tasks", optarg, 1, UINT32_MAX);
			o->tasks_set = true;
			break;
		case O_CORES:
			o->cores = parse_u64("--cores", optarg, 1, 1u << 20);
			o->cores_set = true;
			break;
		case O_PIN: o->pin = parse_name("--pin", optarg, pin_names, 3); break;
		case O_SIZE:
			o->size = parse_u64("--size", optarg, 1, 1ULL << 48);
			o->size_set = true;
			break;
		case O_STACK:
			o->stack_kib = parse_u64("--stack-kib", optarg, 16, 1u << 20);
			o->stack_set = true;
			break;
		case O_FORMAT: o->format = parse_name("--format", optarg, formats, 3); break;
		case O_HEADER: o->header = true; break;
		case O_VARIANT: o->variant = optarg; break;
		case O_TOUCH:
			o->touch_kib = parse_u64("--touch-kib", optarg, 0, 1u << 20);
			o->touch_set = true;
			break;
		case O_DELAY:
			o->delay_ms = parse_u64("--delay-ms", optarg, 0, 3600000);
			o->delay_set = true;
			break;
		case O_WORK:
			o->work = parse_u64("--work", optarg, 0, 1u << 30);
			o->work_set = true;
			break;
		case O_TIMEOUT:
			o->timeout_s = parse_u64("--timeout-s", optarg, 1, TIMEOUT_S_MAX);
			break;
		case O_OUT:
			if (!*optarg)
				cvp_die(EXIT_USAGE, "--out: empty file name");
			o->out = optarg;
			break;
		case O_EXPECT: {
			char *end;
			errno = 0;
			o->expect = strtoull(optarg, &end, 16);
			if (!*optarg || *end || errno || *optarg == '-' || *optarg == '+')
				cvp_die(EXIT_USAGE, "--expect: '%s' is not a hexadecimal checksum",
					optarg);
			o->expect_set = true;
			break;
		}
		case O_LIST: list(); exit(EXIT_OK);
		case O_HELP: usage(stdout); exit(EXIT_OK);
		case ':': cvp_die(EXIT_USAGE, "%s: missing value", argv[optind - 1]);
		default: cvp_die(EXIT_USAGE, "unknown option '%s' (see cvp --help)", argv[optind - 1]);
		}
	}
	if (optind < argc)
		cvp_die(EXIT_USAGE, "unexpected argument '%s' (see cvp --help)", argv[optind]);
	if (!o->model)
		cvp_die(EXIT_USAGE, "--model: missing (one of: serial, threads, procs, coros)");
	if (!o->workload)
		cvp_die(EXIT_USAGE, "--workload: missing (see cvp --list)");
}

/* Space-separated distinct PU numbers (ascending) from the slots; "none" when unbound. */
static char *pu_list(const struct run *r, bool bound)
{
	enum { MAXPU = 4096 };
	bool seen[MAXPU] = {0};
	bool any = false;
	for (uint64_t u = 0; u < r->units; u++) {
		int pu = bound ? r->sh->slot[u].pu_bound : r->sh->slot[u].pu_run;
		if (pu >= 0 && pu < MAXPU)
			seen[pu] = any = true;
	}
	char *buf = calloc(MAXPU, 6);
	CHECK(buf);
	size_t len = 0;
	for (int pu = 0; pu < MAXPU; pu++)
		if (seen[pu])
			len += sprintf(buf + len, "%s%d", len ? " " : "", pu);
	if (!any)
		strcpy(buf, "none");
	return buf;
}

static void append_out(const char *path, const struct row *row)
{
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	CHECK(m);
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		cvp_die(EXIT_WRONG, "--out: cannot open '%s': %s", path, strerror(errno));
	struct stat st;
	CHECK(fstat(fd, &st) == 0);
	if (st.st_size == 0)
		row_header_csv(m);
	row_write(row, FMT_CSV, m);
	CHECK(fclose(m) == 0);
	/* One write with O_APPEND: rows from concurrent runs never interleave. */
	if (write(fd, text, len) != (ssize_t)len)
		cvp_die(EXIT_WRONG, "--out: cannot write '%s': %s", path, strerror(errno));
	close(fd);
	free(text);
}

int main(int argc, char **argv)
{
	struct opts o = {.pin = PIN_COMPACT, .format = FMT_CSV, .timeout_s = TIMEOUT_S_DEFAULT};
	parse(argc, argv, &o);

	struct run r = {.o = &o};
	r.model = find_model(o.model);
	r.wl = find_workload(o.workload);
	cleanup_init(r.model->name, o.timeout_s);

	/* glibc gives each thread that mallocs its own arena, a 64 MiB reservation, up to 8 per
	 * core: that is the allocator, not the thread, so cap it and let VSZ show stacks. */
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__) /* their own allocator */
	CHECK(mallopt(M_ARENA_MAX, 1) == 1);
#endif
	/* Timer slack is the same for every model, so sleeps compare fairly. */
	CHECK(prctl(PR_SET_TIMERSLACK, TIMER_SLACK_NS) == 0);

	r.pin = pin_open();
	unsigned have = pin_cores(r.pin);
	if (o.cores_set && o.cores > have)
		cvp_die(EXIT_USAGE,
			"--cores: %" PRIu64 " is more than the %u core%s this run may use "
			"(machine, taskset and cgroup cpuset)",
			o.cores, have, have == 1 ? "" : "s");
	r.cores = o.cores_set ? o.cores : have;
	r.units = o.units_set ? o.units : r.cores;
	r.tasks = o.tasks_set ? o.tasks : r.units;
	r.ctx.size = o.size_set ? o.size : r.wl->default_size;
	r.ctx.tasks = r.tasks;
	if (r.wl->per_task_size) {
		if (r.ctx.size > UINT64_MAX / 2 / r.tasks)
			cvp_die(EXIT_USAGE, "--size: %" PRIu64 " per task x %" PRIu64
					    " tasks is too many ops", r.ctx.size, r.tasks);
		r.ctx.size *= r.tasks;
	}
	r.ctx.delay_ms = o.delay_set ? o.delay_ms : DELAY_MS_DEFAULT;
	r.ctx.work = o.work_set ? o.work : WORK_DEFAULT;
	r.ctx.run = &r;
	probe_configure(&r);
	CHECK(pin_plan(r.pin, r.cores, o.pin, r.units) == 0);

	r.sh_len = sizeof *r.sh + r.units * sizeof r.sh->slot[0];
	r.sh = wl_shared_alloc(r.sh_len);
	if (!r.sh)
		cvp_die(EXIT_LIMIT, "cannot map %zu bytes of shared memory for %" PRIu64
				    " units (limit: memory)", r.sh_len, r.units);
	for (uint64_t u = 0; u < r.units; u++)
		r.sh->slot[u].pu_bound = r.sh->slot[u].pu_run = -1;

	/* IO workloads: descriptors for every connection, and the delay server, before the clock
	 * and before any unit, the same for every model. */
	struct server *sv = r.wl->kind == WL_IO ? io_begin(&r) : NULL;
	int st = r.wl->prepare ? r.wl->prepare(&r.ctx) : 0;
	if (st == EXIT_LIMIT)
		fprintf(stderr, "cvp: %s: cannot allocate its data (limit: memory)\n", r.wl->name);
	if (st == 0 && r.wl->probe == PROBE_MEMORY)
		probe_mem_before(&r);
	if (st == 0 && r.wl->probe == PROBE_SWITCH)
		st = probe_baton_open(&r);
	int64_t t_spawn = now_ns();
	if (st == 0)
		st = r.model->spawn(&r);
	if (st == 0)
		st = r.model->run(&r);
	r.model->reap(&r);
	double server_cpu_s = NAN;
	if (sv) {
		int sst = server_stop(sv, &server_cpu_s);
		st = st ? st : sst;
	}
	int64_t t_reaped = now_ns();
	if (r.wl->probe == PROBE_SWITCH)
		probe_baton_close(&r);
	if (st != 0) {
		if (r.wl->cleanup)
			r.wl->cleanup(&r.ctx);
		return st;
	}

	uint64_t checksum = 0, yields = 0, done = 0;
	int64_t end = r.sh->t0_ns;
	for (uint64_t u = 0; u < r.units; u++) {
		struct unit_slot *s = &r.sh->slot[u];
		checksum += s->checksum;
		yields += s->yields;
		done += s->tasks_done;
		if (s->end_ns > end)
			end = s->end_ns;
		if (r.model->per_unit_cpu) {
			r.user_us += s->user_us;
			r.sys_us += s->sys_us;
		}
	}
	CHECK(done == r.tasks);
	double wall = (end - r.sh->t0_ns) / 1e9;

	/* The reference: one serial pass over all the work, outside the clock. */
	uint64_t expect = o.expect_set ? o.expect
			  : r.wl->expect ? r.wl->expect(&r.ctx)
					 : r.wl->run(&r.ctx, 0, r.ctx.size);
	bool ok = checksum == expect;
	if (r.wl->cleanup)
		r.wl->cleanup(&r.ctx);

	char cs[20], ex[20];
	snprintf(cs, sizeof cs, "%016" PRIx64, checksum);
	snprintf(ex, sizeof ex, "%016" PRIx64, expect);
	struct row row = row_empty();
	row.model = r.model->name;
	row.workload = r.wl->name;
	row.kind = kind_names[r.wl->kind];
	row.pin = pin_names[o.pin];
	row.units = r.units;
	row.tasks = r.tasks;
	row.cores = r.cores;
	row.size = r.ctx.size;
	if (unit_stack_kib(&r))
		row.stack_kib = unit_stack_kib(&r);
	row.variant = r.ctx.variant;
	row.stack_guard = r.stack_guard;
	switch (r.wl->probe) {
	case PROBE_MEMORY:
		row.vsz_kib_per_unit = r.sh->mem_unit.vsz;
		row.rss_kib_per_unit = r.sh->mem_unit.rss;
		row.pss_kib_per_unit = r.sh->mem_unit.pss;
		row.kernel_kib_per_unit = r.sh->mem_unit.kernel;
		row.touch_kib = r.ctx.touch_kib;
		if (fabs(row.kernel_kib_per_unit) <= r.sh->mem_unit.kernel_spread)
			row.note = "kernel_kib_per_unit is within the noise of /proc/meminfo "
				   "(system-wide); use more units";
		break;
	case PROBE_SPAWN:
		row.spawn_us_per_unit = (t_reaped - t_spawn) / 1e3 / r.units;
		/* From asking for unit 0 to its first instruction. Where units first run at the
		 * clock's start, the creation of the others is not unit 0's latency: count its own
		 * creation plus the wait from the release to its first run. */
		row.start_us = (r.model->start_at_release
					? (r.sh->create0_end_ns - r.sh->create0_ns) +
						  (r.sh->slot[0].started_ns - r.sh->t0_ns)
					: r.sh->slot[0].started_ns - r.sh->create0_ns) /
			       1e3;
		break;
	case PROBE_SWITCH:
		row.ns_per_op = wall * 1e9 / r.ctx.size;
		break;
	case PROBE_NONE:
		break;
	}
	if (r.wl->kind == WL_IO)
		row.delay_ms = r.ctx.delay_ms;
	if (r.wl->uses_work)
		row.work = r.ctx.work;
	row.server_cpu_s = server_cpu_s;
	row.wall_s = wall;
	row.user_s = r.user_us / 1e6;
	row.sys_s = r.sys_us / 1e6;
	row.cpu_util = wall > 0 ? (row.user_s + row.sys_s) / wall : NAN;
	row.yields = yields;
	row.timer_slack_ns = prctl(PR_GET_TIMERSLACK);
	row.checksum = cs;
	row.expected = ex;
	row.verified = ok ? "true" : "false";
	row.pus_bound = pu_list(&r, true);
	row.pus_run = pu_list(&r, false);
	if (wall < 0.01)
		row.note = "wall below 10 ms: too short to time reliably";

	if (o.header && o.format == FMT_CSV)
		row_header_csv(stdout);
	row_write(&row, o.format, stdout);
	fflush(stdout);
	if (o.out)
		append_out(o.out, &row);
	if (!ok)
		fprintf(stderr, "cvp: %s under %s: checksum %s does not match the serial %s\n",
			r.wl->name, r.model->name, cs, ex);

	free((char *)row.pus_bound);
	free((char *)row.pus_run);
	wl_shared_free(r.sh, r.sh_len);
	pin_close(r.pin);
	return ok ? EXIT_OK : EXIT_WRONG;
}
