"""unit.py — what every unit does, whatever the model, and what the harness and units share.
A unit notes when and where it starts, binds itself (threads and processes), makes its scratch,
waits at the start barrier, then takes tasks from the shared counter until none are left (or,
when the workload gives units roles, does its role's one task) and records its checksum, CPU
time and PU in its own slot. Shared holds the slots, the counter, the barriers, the hold gate
and the wait log, made of threading or multiprocessing primitives (the same methods), so one
unit body serves threads and processes (and the serial baseline). multiprocessing is imported
only for units that are processes: the arm starts ~500 times per make bench, and a serial or
threads run needs none of it."""
import dataclasses
import os
import signal
import sys
import threading
import typing

import places
import seam
import system
import workloads
from stop import Exit, Limit, say
from workloads.common import M64, Ctx, Unit

# A slot's fields, in one shared array of int64 (so processes write theirs too).
(CHECKSUM, TASKS, YIELDS, END_NS, USER_NS, SYS_NS, PU_BOUND, PU_RUN, STARTED_NS, PID, TID,
 NFIELDS) = range(12)
POLL_S = 0.05  # how often the harness looks for a dead unit while it waits


@dataclasses.dataclass(frozen=True)
class Job:
    """The run as units see it; picklable, so a fresh interpreter (spawn, forkserver) gets it."""
    ctx: Ctx
    placement: places.Placement
    model: str
    variant: str = None

    @property
    def wl(self):
        return workloads.get(self.ctx.workload)

    def bounds(self, t):
        """Task t covers [t*size//T, (t+1)*size//T): the remainder is spread, as in C."""
        size, tasks = self.ctx.size, self.ctx.tasks
        return t * size // tasks, (t + 1) * size // tasks

    def role_task(self, u):
        """With roles: unit u's role, its place k among the role's n units (noted in its
        Unit), and its one task [k*size//n, (k+1)*size//n) (C's do_role)."""
        wl, units, size = self.wl, self.ctx.units, self.ctx.size
        i, k = wl.role_of(units, u)
        n = wl.role_units(units, i)
        return wl.roles[i], i, k, k * size // n, (k + 1) * size // n


def waits_cap(wl, ctx):
    """Workloads that wait (kind io): a place for each wait, about one per op (as build/cvp)."""
    return min(ctx.size + 64, 1 << 21) if wl.kind == "io" else 0


class Slots:
    """One row of NFIELDS int64 per unit, in memory every model's units can write."""

    def __init__(self, units, sync=threading):
        """sync: the threading module or a multiprocessing context, as the units are."""
        self.units = units
        self.a = seam.raw(sync, "q", units * NFIELDS)
        for u in range(units):
            self.a[u * NFIELDS + PU_BOUND] = self.a[u * NFIELDS + PU_RUN] = -1

    def get(self, u, field):
        v = self.a[u * NFIELDS + field]
        return v & M64 if field == CHECKSUM else v

    def put(self, u, field, value):
        if field == CHECKSUM and value >= 1 << 63:
            value -= 1 << 64
        self.a[u * NFIELDS + field] = value


class LocalCounter:
    """The next task, for units in one process."""

    def __init__(self):
        self.next = 0
        self.lock = threading.Lock()

    def take(self):
        with self.lock:
            t = self.next
            self.next += 1
            return t

    def peek(self):
        return self.next


class SharedCounter:
    """The next task, for units in processes of their own."""

    def __init__(self, mp):
        self.v = mp.Value("Q", 0)

    def take(self):
        with self.v.get_lock():
            t = self.v.value
            self.v.value = t + 1
            return t

    def peek(self):
        return self.v.value


class Release:
    """A gate every waiter passes at once, as build/cvp's futex wake: waiters block reading a
    pipe, the harness closes its write end and the kernel wakes every reader together (a
    multiprocessing Event wakes its waiters one by one, each acknowledging: 1 000 processes
    took seconds). Pickled for a fresh interpreter without the write end; a forked child closes
    its copy (forget_writer), or the end would never come. Units of one process need no more
    than a plain pipe."""

    def __init__(self, sync=threading):
        """sync: the threading module or a multiprocessing context, as the units are."""
        if sync is threading:
            r, w = os.pipe()
            self.r, self.w = open(r, "rb", buffering=0), open(w, "wb", buffering=0)
        else:
            import multiprocessing
            self.r, self.w = multiprocessing.Pipe(duplex=False)

    def __getstate__(self):
        return {"r": self.r, "w": None}

    def wait(self):
        os.read(self.r.fileno(), 1)  # blocks in the kernel, the GIL released, until EOF

    def open(self):
        self.w.close()

    def forget_writer(self):
        if self.w is not None:
            self.w.close()


@dataclasses.dataclass
class Shared:
    """Slots, counter, the start barrier (ready, go, abort), the hold gate (held, opened), the
    finish barrier (finished, done): units wait for each other before exiting, so no unit's
    exit (a process's teardown takes milliseconds) runs inside the others' clock; the barrier
    where units meet (seam.meet) and the log of every wait."""
    slots: Slots
    counter: typing.Any
    ready: typing.Any = None
    go: typing.Any = None
    abort: typing.Any = None
    held: typing.Any = None
    opened: typing.Any = None
    finished: typing.Any = None
    done: typing.Any = None
    meet: typing.Any = None
    waits: typing.Any = None

    @classmethod
    def make(cls, units, sync, counter, waits_cap=0):
        """sync: the threading module or a multiprocessing context."""
        waits = seam.WaitLog(waits_cap, sync) if waits_cap else None
        return cls(Slots(units, sync), counter, sync.Semaphore(0), Release(sync), sync.Event(),
                   sync.Semaphore(0), Release(sync), sync.Semaphore(0), Release(sync),
                   sync.Barrier(units), waits)

    def forget_writers(self):
        """In a forked unit process: the harness alone may open the gates."""
        for gate in (self.go, self.opened, self.done):
            gate.forget_writer()


def wait_count(sem, n, check):
    """Takes n releases of sem; between tries check() raises if a unit died."""
    for _ in range(n):
        while not sem.acquire(timeout=POLL_S):
            check()


def enter(job, sh, u, bind):
    """A unit's first steps: note its start and process, bind itself (bind: the thread id to
    bind, 0 for the process, None when the model placed it), note its place, make its scratch."""
    sh.slots.put(u, STARTED_NS, system.now_ns())
    sh.slots.put(u, PID, os.getpid())
    sh.slots.put(u, TID, threading.get_native_id())
    if bind is not None:
        places.bind(job.placement.pus(u), bind)
    sh.slots.put(u, PU_BOUND, job.placement.bound_pu(u if bind is not None else 0))
    wl = job.wl
    if wl.server:
        seam.client()  # imported now, before the start barrier, not at its first connect
    return Unit(seam.BlockingSeam(sh, job.placement.all_pus()),
                wl.scratch(job.ctx) if wl.scratch else None)


def work(job, sh, u, unit, own_cpu=True, own_process=False):
    """After the release: take tasks until none are left (with roles: do its role's task); note
    the end and the CPU time at once, and return what else to record (record() writes it, once
    outside the clock). A unit that is a process of its own counts the CPU of the children it
    reaped meanwhile as its own (the subprocess workload's filters)."""
    wl, ctx = job.wl, job.ctx
    cpu0 = system.thread_cpu()
    kids0 = system.children_cpu() if own_process else (0.0, 0.0)
    total = done = 0
    if wl.roles:
        role, unit.role, unit.index, b, e = job.role_task(u)
        total, done = role.run(ctx, unit, b, e) & M64, 1
    else:
        while (t := sh.counter.take()) < ctx.tasks:
            total = (total + wl.run(ctx, unit, *job.bounds(t))) & M64
            done += 1
    cpu1 = system.thread_cpu()
    kids1 = system.children_cpu() if own_process else (0.0, 0.0)
    sh.slots.put(u, END_NS, system.now_ns())
    fields = [(CHECKSUM, total), (TASKS, done)]
    if own_cpu:
        fields += [(USER_NS, round((cpu1[0] - cpu0[0] + kids1[0] - kids0[0]) * 1e9)),
                   (SYS_NS, round((cpu1[1] - cpu0[1] + kids1[1] - kids0[1]) * 1e9))]
    return fields


def record(sh, u, fields, unit=None):
    """A unit's results into its slot and its waits into the log (after the finish barrier
    where units have one)."""
    for field, value in fields:
        sh.slots.put(u, field, value)
    if unit is not None and sh.waits is not None:
        sh.waits.add(unit.seam.waits)


def note_last_cpus(sh):
    """By the harness, while every unit waits at the finish barrier: the CPU each unit's thread
    last ran on (a /proc read each; in the units, 1 000 of them would queue for the GIL)."""
    for u in range(sh.slots.units):
        sh.slots.put(u, PU_RUN, system.last_cpu(sh.slots.get(u, PID), sh.slots.get(u, TID)))


def unit_main(job, sh, u, bind):
    """The whole life of a unit on a thread or process of its own."""
    unit = enter(job, sh, u, bind)
    sh.ready.release()
    sh.go.wait()
    if sh.abort.is_set():
        return
    fields = work(job, sh, u, unit, own_process=bind == 0)
    sh.finished.release()
    sh.done.wait()
    record(sh, u, fields, unit)


def process_unit(job, sh, u, parent):
    """A unit process (multiprocessing's target): dies with its parent, default signal
    handling (the harness kills units, they do not clean up), exit 3 when out of memory."""
    system.die_with_parent(parent)
    sh.forget_writers()
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_DFL)
    import multiprocessing.forkserver
    server = multiprocessing.forkserver._forkserver  # noqa: SLF001
    if server._forkserver_alive_fd is not None:  # noqa: SLF001
        # A unit makes no processes: drop the forkserver's keep-alive descriptor it inherits,
        # so the server (and by the parent-death signal, the unit) ends with the harness.
        os.close(server._forkserver_alive_fd)  # noqa: SLF001
        server._forkserver_alive_fd = None  # noqa: SLF001
    try:
        unit_main(job, sh, u, 0)
    except MemoryError:
        os._exit(3)
    except Exit as e:  # a limit (exit 3) or a failure the workload or the seam named
        say(f"{job.wl.name}: unit {u}: {e.message}")
        sys.stderr.flush()
        os._exit(3 if isinstance(e, Limit) else 1)


def first_start_ns(sh, o):
    """From asking for unit 0 to its first instruction; a unit that first runs only once the
    model's run began (units sharing the harness's thread) counts its creation, then from the
    run on (as build/cvp)."""
    started = sh.slots.get(0, STARTED_NS)
    if started < o.run_ns:
        return started - o.create0_ns
    return (o.create0_end_ns - o.create0_ns) + (started - o.run_ns)


@dataclasses.dataclass
class Outcome:
    """What a model's execution measured, in nanoseconds since CLOCK_MONOTONIC's epoch."""
    spawn_ns: int = 0        # asking for the first unit
    create0_ns: int = 0      # around the creation of unit 0
    create0_end_ns: int = 0
    run_ns: int = 0          # the model's run began (units released, or the loop started)
    t0_ns: int = 0           # the clock: release of the units ...
    end_ns: int = 0          # ... to the last unit's end
    reaped_ns: int = 0       # the last unit reaped
    first_ns: int = 0        # first_start_ns
    user_s: float = 0.0
    sys_s: float = 0.0
    checksum: int = 0
    tasks_done: int = 0
    yields: int = 0
    pus_bound: tuple = ()
    pus_run: tuple = ()
    memory: typing.Any = None       # per unit, when units were held
    traced_bytes: float = None
    traced_what: str = ""
    waits: int = 0                  # every wait of the run (some beyond the log's room)
    wait_ns: list = dataclasses.field(default_factory=list)  # the durations kept

    def children(self, before, after):
        """Adds the CPU of the units' children reaped over the clock (RUSAGE_CHILDREN of the
        harness, where units are its threads or run in its thread)."""
        self.user_s += after[0] - before[0]
        self.sys_s += after[1] - before[1]

    def collect(self, sh, own_cpu):
        """Sums the slots; CPU from them when each unit measured its own (own_cpu)."""
        s = sh.slots
        self.end_ns = max([self.t0_ns] + [s.get(u, END_NS) for u in range(s.units)])
        for u in range(s.units):
            self.checksum = (self.checksum + s.get(u, CHECKSUM)) & M64
            self.tasks_done += s.get(u, TASKS)
            self.yields += s.get(u, YIELDS)
            if own_cpu:
                self.user_s += s.get(u, USER_NS) / 1e9
                self.sys_s += s.get(u, SYS_NS) / 1e9
        self.pus_bound = tuple(sorted({s.get(u, PU_BOUND) for u in range(s.units)} - {-1}))
        self.pus_run = tuple(sorted({s.get(u, PU_RUN) for u in range(s.units)} - {-1}))
        self.first_ns = first_start_ns(sh, self)
        if sh.waits is not None:
            self.waits += sh.waits.count()
            self.wait_ns += sh.waits.durations()
