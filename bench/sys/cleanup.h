/* cleanup.h — the one place that makes sure a run leaves nothing behind, however it ends:
 * normal exit, exit() from an error, SIGINT/SIGTERM/SIGHUP (exit 128 + signal), the --timeout-s
 * watchdog (exit 1), a crash inside a unit (reported with the unit and the signal, exit 1), or
 * the harness being SIGKILLed (children die with it through PR_SET_PDEATHSIG). */
#ifndef CVP_CLEANUP_H
#define CVP_CLEANUP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* Installs the handlers and atexit hook, and arms the watchdog for timeout_s seconds of CLOCK_MONOTONIC.
 * model names the model in crash reports. Call once, in the harness, before any child exists. */
void cleanup_init(const char *model, uint64_t timeout_s);
/* fork() for every child of a run: the child joins the run's process group (so one kill
 * reaches them all), gets default signal handlers and dies with the harness; returns as fork(). */
pid_t cleanup_fork(void);
/* In a child of cleanup_fork(): when the harness dies, even by SIGKILL, remove the temp paths
 * it had registered (this child is then stopped by SIGTERM, the harness's or its death's). */
void cleanup_child_removes_paths(void);
/* One child of cleanup_fork() has been reaped (so its process group may be forgotten). */
void cleanup_reaped(void);
/* Removes path on every way out (rmdir when dir) until cleanup_forget(path); last added goes first. */
void cleanup_path(const char *path, bool dir);
/* The caller removed path itself. */
void cleanup_forget(const char *path);
/* When a signal or crash handler is already ending the run, waits for it instead of returning:
 * errors that follow from its stopping the children (a reset connection) are not reported. */
void cleanup_quiet_if_leaving(void);
/* Notes the unit now running on the calling thread, -1 for none: a crash report names it. */
void cleanup_unit(int64_t u);
/* The unit now running on the calling thread (-1: none). */
int64_t cleanup_current_unit(void);

#endif
