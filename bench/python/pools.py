"""pools.py — `--variant executor`: the tasks go through concurrent.futures, as a program would
use a pool: ThreadPoolExecutor (threads) or ProcessPoolExecutor with fork (procs), sized to
--units. The pool is started and every worker warmed up before the clock (one warm-up call per
worker, all held at a barrier so each worker takes exactly one: it binds itself there, makes its
scratch and notes its CPU time); the clock runs from submitting the first task to the caller
holding every result; afterwards one report call per worker, held the same way, brings back each
worker's CPU time over that interval and the PU it last ran on."""
import concurrent.futures
import dataclasses
import multiprocessing
import os
import signal
import threading
import typing

import places
import seam
import system
import unit as U
from stop import Wrong, creation_failed
from workloads.common import M64, Unit

# An executor's worker keeps its own state between the calls it is given only in itself: per
# thread (ThreadPoolExecutor), per process (ProcessPoolExecutor). This is that state's home.
WORKER = threading.local()


@dataclasses.dataclass
class WorkerInit:
    """What every worker gets when it starts (the executor's initargs)."""
    job: U.Job
    numbers: typing.Any  # a counter: each worker takes its unit number
    barrier: typing.Any
    threaded: bool
    parent: int


@dataclasses.dataclass
class WorkerState:
    init: WorkerInit
    u: int
    started_ns: int
    unit: Unit = None
    cpu0: tuple = (0.0, 0.0)
    checksum: int = 0
    tasks: int = 0
    end_ns: int = 0


def worker_start(init):
    """The executor's initializer, in each new worker."""
    started = system.now_ns()
    if not init.threaded:
        system.die_with_parent(init.parent)
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_DFL)
    u = init.numbers.take()
    places.bind(init.job.placement.pus(u), threading.get_native_id() if init.threaded else 0)
    WORKER.state = WorkerState(init, u, started)


def worker_warmup():
    st = WORKER.state
    wl = st.init.job.wl
    st.unit = Unit(seam.BlockingSeam(None, st.init.job.placement.all_pus()),
                   wl.scratch(st.init.job.ctx) if wl.scratch else None)
    st.init.barrier.wait()
    st.cpu0 = system.thread_cpu()


def worker_task(t):
    st = WORKER.state
    job = st.init.job
    c = job.wl.run(job.ctx, st.unit, *job.bounds(t))
    st.checksum = (st.checksum + c) & M64
    st.tasks += 1
    st.end_ns = system.now_ns()
    return c


def worker_report():
    st = WORKER.state
    st.init.barrier.wait()
    cpu = system.thread_cpu()
    return (st.u, st.checksum, st.tasks, st.end_ns, cpu[0] - st.cpu0[0], cpu[1] - st.cpu0[1],
            st.init.job.placement.bound_pu(st.u), system.last_cpu(), st.started_ns, os.getpid(),
            st.unit.seam.waits)


def _each_worker(ex, fn, n):
    """Calls fn once in each of the n workers (they meet at the barrier inside fn)."""
    return [f.result() for f in [ex.submit(fn) for _ in range(n)]]


def execute(job, threaded):
    units, tasks = job.ctx.units, job.ctx.tasks
    model = "threads" if threaded else "procs"
    if threaded:
        init = WorkerInit(job, U.LocalCounter(), threading.Barrier(units), True, os.getpid())
        make = lambda: concurrent.futures.ThreadPoolExecutor(  # noqa: E731
            max_workers=units, initializer=worker_start, initargs=(init,))
    else:
        mp = multiprocessing.get_context("fork")
        init = WorkerInit(job, U.SharedCounter(mp), mp.Barrier(units), False, os.getpid())
        make = lambda: concurrent.futures.ProcessPoolExecutor(  # noqa: E731
            max_workers=units, mp_context=mp, initializer=worker_start, initargs=(init,))
    sh = U.Shared(U.Slots(units), None)
    o = U.Outcome(spawn_ns=system.now_ns())
    o.create0_ns = o.spawn_ns
    ex = make()
    try:
        _each_worker(ex, worker_warmup, units)
    except (RuntimeError, OSError, MemoryError) as exc:
        # The workers it had started (its own tables, private to concurrent.futures).
        started = len(getattr(ex, "_threads" if threaded else "_processes", ()))
        raise creation_failed(model, "starting the executor's workers", started, units, exc)
    except concurrent.futures.process.BrokenProcessPool as exc:
        raise Wrong(f"{model}: the executor's workers failed to start: {exc}")
    o.create0_end_ns = system.now_ns()
    with ex:
        o.run_ns = o.t0_ns = system.now_ns()
        futures = [ex.submit(worker_task, t) for t in range(tasks)]
        concurrent.futures.wait(futures)
        o.end_ns = system.now_ns()
        try:
            for f in futures:
                o.checksum = (o.checksum + f.result()) & M64
            reports = _each_worker(ex, worker_report, units)
        except Exception as exc:  # a task's or a worker's failure, reported with the model
            raise Wrong(f"{model} --variant executor: {type(exc).__name__}: {exc}")
    o.reaped_ns = system.now_ns()
    s = sh.slots
    for (u, checksum, done, end_ns, user, sys_, bound, ran, started, pid, waits) in reports:
        for field, value in ((U.CHECKSUM, checksum), (U.TASKS, done), (U.END_NS, end_ns),
                             (U.PU_BOUND, bound), (U.PU_RUN, ran), (U.STARTED_NS, started),
                             (U.PID, pid)):
            s.put(u, field, value)
        o.user_s += user
        o.sys_s += sys_
        o.waits += len(waits)
        o.wait_ns += waits
    end, checksum = o.end_ns, o.checksum
    o.checksum = 0
    o.collect(sh, own_cpu=False)
    if o.checksum != checksum:
        raise Wrong(f"{model} --variant executor: the workers' sum {o.checksum:016x} differs "
                    f"from the results' {checksum:016x}")
    o.end_ns = end  # the caller holding every result, not the last worker's own end
    return o
