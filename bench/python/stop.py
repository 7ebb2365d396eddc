"""stop.py — how a run ends: the exit statuses and the exceptions that carry them, the name of the
system limit that stopped the creation of a unit, and the guard that makes every way out
(SIGINT, SIGTERM, SIGHUP, the --timeout-s watchdog, an error, a normal end) leave no process of
the run behind: unit processes, executor workers, the delay server (and its socket's directory),
children of units, the forkserver and the resource tracker."""
import contextlib
import dataclasses
import errno
import faulthandler
import os
import resource
import signal
import sys
import threading
import time
import typing

OK, WRONG, USAGE, LIMIT, UNSUPPORTED = 0, 1, 2, 3, 4
PROG = "cvp-py"
REAP_WAIT_S = 2.0
HARD_GRACE_S = 30  # past --timeout-s, the watchdog that needs no GIL ends the run


class Exit(Exception):
    """Ends the run with a status and a one-line message on stderr."""
    status = WRONG

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class Wrong(Exit):
    status = WRONG


class Usage(Exit):
    status = USAGE


class Limit(Exit):
    status = LIMIT


class Unsupported(Exit):
    status = UNSUPPORTED


def say(message):
    print(f"{PROG}: {message}", file=sys.stderr, flush=True)


# ---- which limit was reached

def read_text(path):
    """A small /proc or /sys file: one read(2) into a small buffer, no codec to import and no
    buffered reader to allocate, for when the address space or memory has run out."""
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        return os.read(fd, 4096).decode("latin-1")
    finally:
        os.close(fd)


def _first_number(path):
    try:
        return int(read_text(path).split()[0])
    except (OSError, ValueError, IndexError):
        return -1


def _cgroup_pids():
    """(current, max) of this process's cgroup v2 pids controller, or None."""
    try:
        lines = read_text("/proc/self/cgroup").splitlines()
    except OSError:
        return None
    for line in lines:
        if line.startswith("0::"):
            base = "/sys/fs/cgroup" + line[3:]
            cur, top = _first_number(base + "/pids.current"), _first_number(base + "/pids.max")
            if cur >= 0 and top > 0:
                return cur, top
    return None


def limit_name(err):
    """The limit that stops the creation of a thread or process, with its value: the checks of
    build/cvp (bench/sys/limits.c), in the order they bite. err: the errno seen, or None."""
    slack = 16
    try:
        tasks = int(read_text("/proc/loadavg").split()[3].split("/")[1])
    except (OSError, ValueError, IndexError):
        tasks = -1
    threads_max = _first_number("/proc/sys/kernel/threads-max")
    pid_max = _first_number("/proc/sys/kernel/pid_max")
    cg = _cgroup_pids()
    if err == errno.EMFILE:
        soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
        return f"RLIMIT_NOFILE (ulimit -n = {soft} descriptors)"
    if tasks >= 0 and threads_max > 0 and tasks + slack >= threads_max:
        return f"threads-max (/proc/sys/kernel/threads-max = {threads_max}, {tasks} tasks)"
    if tasks >= 0 and pid_max > 0 and tasks + slack >= pid_max:
        return f"pid_max (/proc/sys/kernel/pid_max = {pid_max}, {tasks} tasks)"
    if cg and cg[0] + slack >= cg[1]:
        return f"the cgroup's pids.max ({cg[1]}, {cg[0]} in use)"
    nproc, _ = resource.getrlimit(resource.RLIMIT_NPROC)
    if err == errno.EAGAIN and os.getuid() != 0 and nproc != resource.RLIM_INFINITY:
        return f"ulimit -u (RLIMIT_NPROC = {nproc} processes and threads of this user)"
    vm, _ = resource.getrlimit(resource.RLIMIT_AS)
    if vm != resource.RLIM_INFINITY:
        return f"memory: ulimit -v (RLIMIT_AS = {vm // 1024} KiB)"
    return "memory (or, in a container, a pids or memory cgroup limit)"


def creation_failed(model, what, unit, units, exc):
    """The Exit for a unit that could not be created: a limit (exit 3) when the error is one."""
    err = getattr(exc, "errno", None)
    if isinstance(exc, MemoryError) or err in (errno.EAGAIN, errno.ENOMEM, errno.EMFILE,
                                               errno.ENFILE) or \
            (isinstance(exc, RuntimeError) and "can't start new thread" in str(exc)):
        try:
            name = limit_name(err)
        except MemoryError:  # too little left even to read /proc: the limit is memory
            vm, _ = resource.getrlimit(resource.RLIMIT_AS)
            name = "memory" + (f": ulimit -v (RLIMIT_AS = {vm // 1024} KiB)"
                               if vm != resource.RLIM_INFINITY else "")
        return Limit(f"{model}: {what} failed at unit {unit} of {units}: {exc}; "
                     f"limit reached: {name}")
    return Wrong(f"{model}: {what} failed at unit {unit} of {units}: {exc}")


# ---- the process tree

def descendants(root):
    """Pids of every process below root, parents before children (from /proc's ppid fields)."""
    children = {}
    try:
        names = os.listdir("/proc")
    except OSError:  # out of descriptors: the caller has stopped what it knows of
        names = []
    for name in names:
        if not name.isdigit():
            continue
        try:
            text = read_text(f"/proc/{name}/stat")
        except OSError:
            continue
        ppid = int(text[text.rindex(")") + 2:].split()[1])
        children.setdefault(ppid, []).append(int(name))
    out, todo = [], [root]
    while todo:
        for pid in children.get(todo.pop(), []):
            out.append(pid)
            todo.append(pid)
    return out


def kill_tree(root, spare=()):
    """SIGKILL every process below root but those in spare; reap our own children."""
    for pid in descendants(root):
        if pid not in spare:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    until = time.monotonic() + REAP_WAIT_S
    while time.monotonic() < until:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            if not [p for p in descendants(root) if p not in spare]:
                return
            time.sleep(0.001)


def _mp(name):
    """multiprocessing's module name if the run imported it, else None: only the models and
    workloads that use multiprocessing import it (the arm starts ~500 times per make bench),
    and what was never imported started no helper and left nothing to tidy."""
    return sys.modules.get(f"multiprocessing.{name}")


def _tracker_pid():
    tracker = _mp("resource_tracker")
    return getattr(tracker._resource_tracker, "_pid", None) if tracker else None  # noqa: SLF001


def tidy_multiprocessing():
    """multiprocessing's own exit work (unlink named semaphores, remove its temp folder), then
    stop the forkserver and the resource tracker and wait for them."""
    if _mp("util"):
        _mp("util")._exit_function()  # noqa: SLF001
    for name, helper in (("forkserver", "_forkserver"), ("resource_tracker", "_resource_tracker")):
        if _mp(name):
            try:
                getattr(_mp(name), helper)._stop()  # noqa: SLF001
            except (OSError, ChildProcessError, TypeError):
                pass


@dataclasses.dataclass
class Guard:
    """Owns the ways out of one run. install() sets the handlers and the watchdog; leave() is
    every abnormal end; finish() the normal one."""
    timeout_s: int
    owner: int = dataclasses.field(default_factory=os.getpid)
    server: typing.Any = None  # server.DelayServer while it runs: stopped first, politely
    null: typing.Any = None    # /dev/null, where the GIL-free watchdog would write
    held: typing.Any = None    # while holding(): the stop signals that came meanwhile

    def install(self):
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, self._on_stop)
        signal.signal(signal.SIGALRM, self._on_timeout)
        signal.setitimer(signal.ITIMER_REAL, self.timeout_s)
        # A Python signal handler runs once the main thread holds the GIL, which thousands of
        # runnable threads can keep from it for a minute: faulthandler's watchdog thread needs
        # no GIL and _exits (status 1) HARD_GRACE_S after the watchdog; unit processes and the
        # delay server go with the harness (their parent-death signals; the server removes its
        # directory), a unit's child at the end of its input.
        self.null = open(os.devnull, "w", encoding="ascii")  # noqa: SIM115 — kept till exit
        faulthandler.dump_traceback_later(self.timeout_s + HARD_GRACE_S, exit=True,
                                          file=self.null)

    @contextlib.contextmanager
    def holding(self):
        """Stop signals wait till the block is over: between starting the delay server and
        knowing it (guard.server), a stop would SIGKILL it and leave its directory behind."""
        self.held = []
        try:
            yield
        finally:
            held, self.held = self.held, None
            if held:
                self.leave(128 + held[0], None)

    def _in_child(self, sig):
        """A forked child between fork and resetting its handlers: die of the signal."""
        if os.getpid() == self.owner:
            return False
        signal.signal(sig, signal.SIG_DFL)
        os.kill(os.getpid(), sig)
        return True

    def _on_stop(self, sig, frame):
        if self._in_child(sig):
            return
        if self.held is not None:
            self.held.append(sig)
        else:
            self.leave(128 + sig, None)

    def _on_timeout(self, sig, frame):
        if not self._in_child(sig):
            self.leave(WRONG, f"run exceeded --timeout-s {self.timeout_s}; stopped")

    def leave(self, status, message):
        """Kill every unit process, worker and child of a unit, then stop the delay server, let
        multiprocessing tidy up (in a helper thread, bounded: this may run in a handler that
        interrupted one of its locks), kill whatever is left, then _exit: unit and executor
        threads end with the process."""
        try:
            signal.setitimer(signal.ITIMER_REAL, 0)
            for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
                signal.signal(sig, signal.SIG_IGN)
            tracker = _tracker_pid()
            spare = (tracker,) if tracker else ()
            if self.server is not None:
                # After the units, so none sees it go; by SIGTERM, so it removes its directory.
                kill_tree(self.owner, spare + (self.server.proc.pid,))
                self.server.kill()
            kill_tree(self.owner, spare=spare)
            try:
                helper = threading.Thread(target=tidy_multiprocessing, daemon=True)
                helper.start()
                helper.join(REAP_WAIT_S)
            except RuntimeError:  # no thread to be had (the limit reached): the tracker, on
                pass              # seeing us gone, unlinks what is registered with it
            kill_tree(self.owner, spare=spare)
            if message:
                say(message)
            sys.stdout.flush()
        finally:
            os._exit(status)

    def finish(self):
        """The normal end: the units are reaped; stop multiprocessing's helpers, check that
        nothing is left."""
        signal.setitimer(signal.ITIMER_REAL, 0)
        faulthandler.cancel_dump_traceback_later()
        tidy_multiprocessing()
        kill_tree(self.owner)
