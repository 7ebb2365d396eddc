/* constants.c — what this host charges for the primitives every model is built from, measured
 * (build/cvp --machine; `make bench` records them in each run). Many figures of the table are
 * mostly one of these: a ucontext switch is a system call (glibc's swapcontext makes one), a
 * process spawn is a fork, a forked child's first touch of inherited memory is a page fault.
 * Hosts of one kind differ in them by 4x (page-table isolation in the guest), so every run
 * carries its own. Each constant is the median of BATCHES timed batches, each long enough
 * (MIN_BATCH_NS) for the clock; min and max are reported beside it.
 *
 *   syscall_ns          one bare system call (getppid)
 *   page_fault_us       the first write to a fresh anonymous page (fault + zeroing)
 *   swapcontext_ns      one glibc swapcontext, one way (half of a round trip between two)
 *   thread_create_us    pthread_create + pthread_join of an empty thread
 *   fork_us             fork + waitpid of a child that exits at once
 *   handoff_ns          a cache line passed between two threads spinning on two cores, one way
 *   handoff_smt_ns      the same between two PUs of one core (SMT siblings); n/a without SMT */
#include "host/host.h"

#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

#include "sys/pin.h"

enum { BATCHES = 5, MIN_BATCH_NS = 20 * 1000 * 1000, MAX_OPS = 1 << 24 };

struct constant {
	const char *name, *unit, *what;
	double value, min, max; /* NAN: not measurable here */
};

/* One measurement: do n ops, return the ns they took. */
typedef int64_t (*measure_fn)(struct pin *p, uint64_t n);

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Grows n until a batch takes MIN_BATCH_NS, then times BATCHES batches: per op, in `scale`
 * units of ns. A measure that returns -1 makes the constant n/a. */
static void run(struct constant *c, struct pin *p, measure_fn fn, uint64_t n, double scale)
{
	int64_t t;
	while ((t = fn(p, n)) >= 0 && t < MIN_BATCH_NS && n < MAX_OPS)
		n *= 2;
	if (t < 0) {
		c->value = c->min = c->max = NAN;
		return;
	}
	double v[BATCHES];
	for (int i = 0; i < BATCHES; i++) {
		t = fn(p, n);
		v[i] = t < 0 ? NAN : t / (double)n / scale;
	}
	qsort(v, BATCHES, sizeof v[0], cmp_double);
	c->value = v[BATCHES / 2];
	c->min = v[0];
	c->max = v[BATCHES - 1];
}

static int64_t m_syscall(struct pin *p, uint64_t n)
{
	(void)p;
	int64_t t0 = now_ns();
	for (uint64_t i = 0; i < n; i++)
		syscall(SYS_getppid);
	return now_ns() - t0;
}

static int64_t m_page_fault(struct pin *p, uint64_t n)
{
	(void)p;
	size_t pg = sysconf(_SC_PAGESIZE);
	volatile char *m = mmap(NULL, n * pg, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	CHECK_MEM(m != MAP_FAILED);
	int64_t t0 = now_ns();
	for (uint64_t i = 0; i < n; i++)
		m[i * pg] = 1;
	int64_t t = now_ns() - t0;
	munmap((void *)m, n * pg);
	return t;
}

/* Two contexts bounce n times: 2n switches. */
struct bounce {
	ucontext_t main, other;
	uint64_t left;
};

static void bounce_other(unsigned hi, unsigned lo)
{
	struct bounce *b = (struct bounce *)(((uintptr_t)hi << 32) | lo);
	for (;;)
		CHECK(swapcontext(&b->other, &b->main) == 0);
}

static int64_t m_swapcontext(struct pin *p, uint64_t n)
{
	(void)p;
	enum { STACK = 64 * 1024 };
	struct bounce b = {.left = n};
	char *stack = malloc(STACK);
	CHECK_MEM(stack);
	CHECK(getcontext(&b.other) == 0);
	b.other.uc_stack.ss_sp = stack;
	b.other.uc_stack.ss_size = STACK;
	b.other.uc_link = NULL; /* it never returns */
	uintptr_t a = (uintptr_t)&b;
	makecontext(&b.other, (void (*)(void))bounce_other, 2, (unsigned)(a >> 32), (unsigned)a);
	CHECK(swapcontext(&b.main, &b.other) == 0); /* first entry, not timed */
	int64_t t0 = now_ns();
	for (uint64_t i = 0; i < n; i++)
		CHECK(swapcontext(&b.main, &b.other) == 0);
	int64_t t = now_ns() - t0;
	free(stack);
	return t / 2; /* two switches per round */
}

static void *nothing(void *arg)
{
	return arg;
}

static int64_t m_thread(struct pin *p, uint64_t n)
{
	(void)p;
	int64_t t0 = now_ns();
	for (uint64_t i = 0; i < n; i++) {
		pthread_t t;
		if (pthread_create(&t, NULL, nothing, NULL) != 0)
			return -1;
		CHECK(pthread_join(t, NULL) == 0);
	}
	return now_ns() - t0;
}

static int64_t m_fork(struct pin *p, uint64_t n)
{
	(void)p;
	fflush(NULL);
	int64_t t0 = now_ns();
	for (uint64_t i = 0; i < n; i++) {
		pid_t pid = fork();
		if (pid == 0)
			_exit(0);
		if (pid < 0)
			return -1;
		CHECK(waitpid(pid, NULL, 0) == pid);
	}
	return now_ns() - t0;
}

/* Two threads on two given PUs pass a counter back and forth by spinning on one cache line. */
struct spin {
	struct pin *p;
	int pu;
	_Atomic uint64_t *turn;
	uint64_t n;
};

static void *spin_pong(void *arg)
{
	struct spin *s = arg;
	if (pin_bind_pu(s->p, s->pu) != 0)
		return (void *)1;
	for (uint64_t t = 1; t < 2 * s->n; t += 2) {
		while (atomic_load_explicit(s->turn, memory_order_acquire) != t)
			cpu_relax();
		atomic_store_explicit(s->turn, t + 1, memory_order_release);
	}
	return NULL;
}

static int64_t handoff(struct pin *p, uint64_t n, bool siblings)
{
	int a, b;
	if (!pin_pair(p, siblings, &a, &b))
		return -1;
	_Alignas(128) _Atomic uint64_t turn = 0;
	struct spin s = {p, b, &turn, n};
	pthread_t t;
	CHECK(pin_bind_pu(p, a) == 0);
	CHECK(pthread_create(&t, NULL, spin_pong, &s) == 0);
	int64_t t0 = now_ns();
	for (uint64_t k = 0; k < 2 * n; k += 2) {
		atomic_store_explicit(&turn, k + 1, memory_order_release);
		while (atomic_load_explicit(&turn, memory_order_acquire) != k + 2)
			cpu_relax();
	}
	int64_t ns = now_ns() - t0;
	void *bad;
	CHECK(pthread_join(t, &bad) == 0 && !bad);
	return ns / 2; /* two hand-offs per round */
}

static int64_t m_handoff(struct pin *p, uint64_t n)
{
	return handoff(p, n, false);
}

static int64_t m_handoff_smt(struct pin *p, uint64_t n)
{
	return handoff(p, n, true);
}

int host_constants(enum out_format fmt, FILE *f)
{
	struct constant c[] = {
		{"syscall_ns", "ns", "one bare system call (getppid)", 0, 0, 0},
		{"page_fault_us", "µs", "first write to a fresh anonymous page", 0, 0, 0},
		{"swapcontext_ns", "ns", "one glibc swapcontext, one way", 0, 0, 0},
		{"thread_create_us", "µs", "pthread_create + join of an empty thread", 0, 0, 0},
		{"fork_us", "µs", "fork + waitpid of a child that exits at once", 0, 0, 0},
		{"handoff_ns", "ns", "a cache line between spinning threads on two cores, one way", 0,
		 0, 0},
		{"handoff_smt_ns", "ns", "the same between two PUs of one core (SMT)", 0, 0, 0},
	};
	struct {
		measure_fn fn;
		uint64_t n;
		double scale;
	} how[] = {
		{m_syscall, 1000, 1},       {m_page_fault, 64, 1000}, {m_swapcontext, 1000, 1},
		{m_thread, 16, 1000},       {m_fork, 4, 1000},        {m_handoff, 1000, 1},
		{m_handoff_smt, 1000, 1},
	};
	struct pin *p = pin_open();
	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++)
		run(&c[i], p, how[i].fn, how[i].n, how[i].scale);
	pin_close(p);

	if (fmt == FMT_CSV)
		fprintf(f, "constant,value,unit,min,max,what\n");
	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
		char v[32] = "n/a", lo[32] = "", hi[32] = "";
		if (!isnan(c[i].value)) {
			snprintf(v, sizeof v, "%.4g", c[i].value);
			snprintf(lo, sizeof lo, "%.4g", c[i].min);
			snprintf(hi, sizeof hi, "%.4g", c[i].max);
		}
		if (fmt == FMT_CSV)
			fprintf(f, "%s,%s,%s,%s,%s,\"%s\"\n", c[i].name, isnan(c[i].value) ? "" : v,
				c[i].unit, lo, hi, c[i].what);
		else if (fmt == FMT_JSON)
			fprintf(f, "%s\"%s\":%s", i ? "," : "{", c[i].name,
				isnan(c[i].value) ? "null" : v);
		else
			fprintf(f, "%-18s %10s %-3s  %s%s%s%s%s%s\n", c[i].name, v, c[i].unit, c[i].what,
				*lo ? " (" : "", lo, *lo ? ".." : "", hi, *lo ? ")" : "");
	}
	if (fmt == FMT_JSON)
		fputs("}\n", f);
	else if (fmt == FMT_TEXT)
		fputs("(median of 5 batches; min..max in brackets)\n", f);
	return EXIT_OK;
}
