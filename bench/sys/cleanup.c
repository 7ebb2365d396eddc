/* cleanup.c — every way out of a run goes through leave(): kill the run's children (one process
 * group: the delay server and every procs unit), reap them, remove the registered temp paths,
 * _exit. Reached from SIGINT/SIGTERM/SIGHUP (status 128 + signal), from the watchdog timer
 * (SIGALRM from a CLOCK_MONOTONIC timer_create timer: it works under every model, also coros,
 * where the main thread never returns to the harness until the run ends; status 1), and from a
 * crash (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT: report the unit and the signal, status 1).
 * A normal exit() gets the same removal from atexit. Everything in a handler is
 * async-signal-safe: atomics, kill, waitpid, unlink, rmdir, write, _exit.
 *
 * A crash kills a thread or coroutine unit's whole process — a unit shares the harness's address
 * space, so the harness cannot survive it; it can only report and clean up. A crash from stack
 * overflow is caught on the main thread (coros, serial) via an alternate signal stack; a thread
 * unit has no alternate stack (it would cost every thread memory the probes measure), so the
 * kernel kills the process there and only PR_SET_PDEATHSIG cleans up. */
#include "sys/cleanup.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sys/sys.h"

enum { MAX_PATHS = 8, REAP_WAIT_MS = 2000, ALT_STACK_BYTES = 64 * 1024 };

static const int stop_signals[] = {SIGINT, SIGTERM, SIGHUP};
static const int crash_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
#define NSIG_OF(a) (sizeof(a) / sizeof((a)[0]))

/* File scope, unlike the rest of the harness, because signal handlers and atexit take no
 * argument: this is what they must clean up. Written by the harness with atomics (a handler
 * may run at any moment on any thread); owner tells the harness from a forked child, which
 * inherits all of it but must clean up nothing. */
static pid_t owner;
static _Atomic pid_t group;  /* process group of the run's children; 0 while none is alive */
static _Atomic long alive;   /* children forked and not yet reaped */
/* Units fork too (their children: the subprocess workload), from several threads at once:
 * joining the group and counting its members is one step at a time. */
static pthread_mutex_t fork_lock = PTHREAD_MUTEX_INITIALIZER;
static _Atomic(const char *) paths[MAX_PATHS];
static _Atomic bool path_is_dir[MAX_PATHS];
static const char *model_name;
static char timeout_msg[96];
static atomic_flag leaving = ATOMIC_FLAG_INIT;
static _Atomic bool in_leave; /* a handler is on its way out: other threads stay quiet */
static _Thread_local int64_t unit_here = -1;
static char alt_stack[ALT_STACK_BYTES]; /* the main thread's crash handler runs here */

static void put(const char *s)
{
	size_t n = strlen(s);
	while (n > 0) {
		ssize_t k = write(STDERR_FILENO, s, n);
		if (k <= 0 && errno != EINTR)
			return;
		if (k > 0) {
			s += k;
			n -= k;
		}
	}
}

/* Decimal text of v into buf (at least 24 bytes); async-signal-safe, unlike snprintf. */
static char *decimal(char *buf, long long v)
{
	char *p = buf + 23;
	unsigned long long u = v < 0 ? -(unsigned long long)v : (unsigned long long)v;
	*p = 0;
	do
		*--p = '0' + u % 10;
	while (u /= 10);
	if (v < 0)
		*--p = '-';
	return p;
}

static int64_t ms_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Removes the temp paths, newest first. */
static void remove_paths(void)
{
	for (int i = MAX_PATHS - 1; i >= 0; i--) {
		const char *p = atomic_exchange(&paths[i], NULL);
		if (p && atomic_load(&path_is_dir[i]))
			rmdir(p);
		else if (p)
			unlink(p);
	}
}

/* Kills and reaps every child, then removes the temp paths. */
static void remove_all(void)
{
	pid_t g = atomic_exchange(&group, 0);
	if (g > 0) {
		kill(-g, SIGKILL);
		/* Reap them, so none outlives the harness even as a zombie; bounded, since a child
		 * stuck in the kernel (D state) may take a while to die. */
		int64_t until = ms_now() + REAP_WAIT_MS;
		while (ms_now() < until) {
			pid_t p = waitpid(-g, NULL, WNOHANG);
			if (p < 0 && errno != EINTR)
				break; /* ECHILD: all gone */
			if (p == 0)
				nanosleep(&(struct timespec){0, 1000000}, NULL);
		}
	}
	remove_paths();
}

static _Noreturn void leave(int status)
{
	/* The first way out wins; another thread that gets here meanwhile waits for its _exit. */
	if (atomic_flag_test_and_set(&leaving))
		for (;;)
			pause();
	atomic_store(&in_leave, true);
	remove_all();
	_exit(status);
}

static void at_exit(void)
{
	if (getpid() != owner)
		return;
	if (atomic_flag_test_and_set(&leaving))
		for (;;)
			pause(); /* a handler is cleaning up on another thread; its _exit ends us */
	remove_all();
}

void cleanup_quiet_if_leaving(void)
{
	if (getpid() == owner && atomic_load(&in_leave))
		for (;;)
			pause();
}

static void on_stop(int sig)
{
	if (getpid() != owner) { /* a child between fork and resetting its handlers */
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	leave(128 + sig);
}

/* In a child that cleans up after a harness killed by SIGKILL (SIGTERM from PDEATHSIG). */
static void on_orphaned(int sig)
{
	remove_paths();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void on_timeout(int sig)
{
	(void)sig;
	put(timeout_msg);
	leave(EXIT_WRONG);
}

static void on_crash(int sig, siginfo_t *si, void *uc)
{
	(void)si;
	(void)uc;
	if (getpid() != owner) {
		signal(sig, SIG_DFL); /* returning re-runs the fault, which now kills */
		return;
	}
	char num[24];
	const char *abbrev = sigabbrev_np(sig);
	put("cvp: ");
	put(model_name);
	if (unit_here >= 0) {
		put(": unit ");
		put(decimal(num, unit_here));
	}
	put(" died of signal ");
	put(decimal(num, sig));
	put(" (SIG");
	put(abbrev ? abbrev : "?");
	put(unit_here >= 0 ? ")\n" : ") outside any unit\n");
	leave(EXIT_WRONG);
}

static void handle(int sig, void (*fn)(int), void (*act3)(int, siginfo_t *, void *), int flags)
{
	struct sigaction sa = {.sa_flags = flags};
	if (act3)
		sa.sa_sigaction = act3;
	else
		sa.sa_handler = fn;
	sigfillset(&sa.sa_mask); /* nothing interrupts the way out */
	CHECK(sigaction(sig, &sa, NULL) == 0);
}

void cleanup_init(const char *model, uint64_t timeout_s)
{
	owner = getpid();
	model_name = model;
	CHECK(atexit(at_exit) == 0);
	for (size_t i = 0; i < NSIG_OF(stop_signals); i++)
		handle(stop_signals[i], on_stop, NULL, SA_RESTART);
	/* A coroutine that overflows its stack faults on the guard page: the handler needs a
	 * stack of its own. */
	stack_t ss = {.ss_sp = alt_stack, .ss_size = sizeof alt_stack};
	CHECK(sigaltstack(&ss, NULL) == 0);
	for (size_t i = 0; i < NSIG_OF(crash_signals); i++)
		handle(crash_signals[i], NULL, on_crash, SA_SIGINFO | SA_ONSTACK | SA_RESETHAND);

	snprintf(timeout_msg, sizeof timeout_msg, "cvp: run exceeded --timeout-s %llu; stopped\n",
		 (unsigned long long)timeout_s);
	handle(SIGALRM, on_timeout, NULL, SA_RESTART);
	timer_t t;
	struct sigevent ev = {.sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGALRM};
	CHECK(timer_create(CLOCK_MONOTONIC, &ev, &t) == 0);
	struct itimerspec its = {.it_value = {(time_t)timeout_s, 0}};
	CHECK(timer_settime(t, 0, &its, NULL) == 0);
}

pid_t cleanup_fork(void)
{
	/* No handler runs between fork and noting the child, so none misses it. */
	sigset_t block, old;
	sigemptyset(&block);
	for (size_t i = 0; i < NSIG_OF(stop_signals); i++)
		sigaddset(&block, stop_signals[i]);
	sigaddset(&block, SIGALRM);
	CHECK(pthread_sigmask(SIG_BLOCK, &block, &old) == 0);
	CHECK(pthread_mutex_lock(&fork_lock) == 0);
	pid_t parent = getpid(), g = atomic_load(&group);
	pid_t pid = fork();
	int e = errno;
	if (pid == 0) {
		/* 0: the first child leads a new group. EPERM: the group's last member was reaped
		 * meanwhile, and with it the group; lead a new one (the parent does the same). */
		if (setpgid(0, g) != 0)
			setpgid(0, 0);
		for (size_t i = 0; i < NSIG_OF(stop_signals); i++)
			signal(stop_signals[i], SIG_DFL);
		for (size_t i = 0; i < NSIG_OF(crash_signals); i++)
			signal(crash_signals[i], SIG_DFL);
		signal(SIGALRM, SIG_DFL);
		/* If the harness died before PDEATHSIG was set, nobody would ever stop us. */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
			_exit(EXIT_WRONG);
	} else if (pid > 0) {
		/* Also here, so the group is right whichever of the two runs first. ESRCH/EACCES:
		 * the child has already exited or moved on; it is still ours to reap. EPERM: the
		 * group is gone (its members all reaped, the count not yet told): a new one. */
		if (g && setpgid(pid, g) != 0 && errno == EPERM)
			g = 0;
		if (!g && setpgid(pid, pid) != 0)
			CHECK(errno == ESRCH || errno == EACCES);
		/* Whoever ran first, the group is the one the child is in (a child that found the
		 * group gone leads its own). */
		pid_t in = getpgid(pid);
		if (in > 0)
			g = in;
		else if (!g)
			g = pid;
		atomic_store(&group, g);
		atomic_fetch_add(&alive, 1);
	}
	CHECK(pthread_mutex_unlock(&fork_lock) == 0);
	CHECK(pthread_sigmask(SIG_SETMASK, &old, NULL) == 0);
	errno = e;
	return pid;
}

void cleanup_child_removes_paths(void)
{
	handle(SIGTERM, on_orphaned, NULL, 0);
	CHECK(prctl(PR_SET_PDEATHSIG, SIGTERM) == 0);
	if (getppid() != owner) /* the harness died before PDEATHSIG was set */
		raise(SIGTERM);
}

void cleanup_reaped(void)
{
	CHECK(pthread_mutex_lock(&fork_lock) == 0);
	if (atomic_fetch_sub(&alive, 1) == 1)
		atomic_store(&group, 0); /* no member left: the group id may be reused */
	CHECK(pthread_mutex_unlock(&fork_lock) == 0);
}

void cleanup_path(const char *path, bool dir)
{
	for (int i = 0; i < MAX_PATHS; i++)
		if (!atomic_load(&paths[i])) {
			atomic_store(&path_is_dir[i], dir);
			atomic_store(&paths[i], path);
			return;
		}
	CHECK(!"more temp paths than cleanup.c holds");
}

void cleanup_forget(const char *path)
{
	for (int i = 0; i < MAX_PATHS; i++) {
		const char *want = path;
		atomic_compare_exchange_strong(&paths[i], &want, NULL);
	}
}

int64_t cleanup_current_unit(void)
{
	return unit_here;
}

void cleanup_unit(int64_t u)
{
	unit_here = u;
}
