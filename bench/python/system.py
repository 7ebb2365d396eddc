"""system.py — what the arm asks of Linux itself, and nothing else: the monotonic clock, a
thread's CPU time and the CPU it last ran on, and (through ctypes, the standard library's way to
reach libc) prctl for timer slack and a parent-death signal, and glibc's mallopt for one malloc
arena. build/cvp does the same two tunings for every model, so rows of both runtimes compare."""
import ctypes
import os
import resource
import signal
import threading
import time

PR_SET_PDEATHSIG = 1
PR_SET_TIMERSLACK = 29
PR_GET_TIMERSLACK = 30
M_ARENA_MAX = -8
TIMER_SLACK_NS = 1  # as build/cvp: sleeps compare fairly across models and runtimes

# The C library of this process (a handle, never changed).
LIBC = ctypes.CDLL(None, use_errno=True)
LIBC.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong,
                       ctypes.c_ulong]
LIBC.mallopt.argtypes = [ctypes.c_int, ctypes.c_int]


def now_ns():
    """CLOCK_MONOTONIC in nanoseconds (time.monotonic_ns reads it on Linux)."""
    return time.monotonic_ns()


def thread_cpu():
    """(user, sys) seconds of CPU the calling thread has used."""
    ru = resource.getrusage(resource.RUSAGE_THREAD)
    return ru.ru_utime, ru.ru_stime


def children_cpu():
    """(user, sys) seconds of CPU of this process's children that have been reaped."""
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime, ru.ru_stime


def last_cpu(pid=None, tid=None):
    """The CPU a thread (default: the calling one; pid, tid: another's) last ran on: field 39
    of its /proc stat; -1 when it is gone."""
    path = f"/proc/{pid or 'self'}/task/{tid or threading.get_native_id()}/stat"
    try:
        with open(path, "rb") as f:  # bytes: no codec to import
            text = f.read().decode("latin-1")
    except OSError:
        return -1
    # Fields after the command name (which may hold spaces and parentheses) start at field 3.
    return int(text[text.rindex(")") + 2:].split()[39 - 3])


def tune_process():
    """One malloc arena (glibc's per-thread arenas reserve 64 MiB each: VSZ then shows stacks,
    not the allocator) and 1 ns of timer slack, inherited by every thread and child made after."""
    LIBC.mallopt(M_ARENA_MAX, 1)
    if LIBC.prctl(PR_SET_TIMERSLACK, TIMER_SLACK_NS, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_TIMERSLACK)")


def timer_slack_ns():
    """The calling thread's timer slack, read back."""
    return LIBC.prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0)


def die_with_parent(parent):
    """In a child: SIGKILL when the parent (the thread that forked us) dies; if it already has,
    go now."""
    LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(1)
