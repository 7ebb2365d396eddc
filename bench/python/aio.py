"""aio.py — the coros model: one asyncio task per unit, all on one event loop in the calling
thread (bound to the plan's first place). Tasks are created before the clock and meet at a start
gate; the clock starts when the last has arrived. A CPU-bound unit yields between slices of work
with `await asyncio.sleep(0)`, as build/cvp's coroutines yield between slices (the row counts
the yields); a waiting workload awaits through the seam (seam.AsyncSeam). `--variant generator`
holds plain suspended generators instead of tasks, driven by the harness (probes only).
The idle probe runs twice: once to measure memory (PSS, kernel) with tracemalloc off, then again
with tracemalloc on, for the Python objects each parked unit holds."""
import asyncio
import dataclasses
import os
import threading
import tracemalloc
import typing

import memory
import places
import seam
import system
import unit as U
from workloads.common import M64, Unit


async def sliced(ctx, unit, run, b, e, step):
    """A CPU-bound task under coros: run over [b, e) slice by slice (step ops; 0: whole),
    yielding between; its sum and the yields."""
    step = step or max(1, e - b)
    total = yields = 0
    for sb in range(b, e, step):
        total += run(ctx, unit, sb, min(sb + step, e))
        if sb + step < e:
            await asyncio.sleep(0)
            yields += 1
    return total, yields


async def coro_unit(job, sh, u, useam, start):
    wl, ctx, s = job.wl, job.ctx, sh.slots
    s.put(u, U.STARTED_NS, system.now_ns())
    s.put(u, U.PID, os.getpid())
    s.put(u, U.PU_BOUND, job.placement.bound_pu(0))
    unit = Unit(useam, wl.scratch(ctx) if wl.scratch else None)
    await start.arrive()
    total = done = yields = 0
    if wl.roles:
        role, unit.role, unit.index, b, e = job.role_task(u)
        if role.arun:
            total = await role.arun(ctx, unit, b, e)
        else:
            total, yields = await sliced(ctx, unit, role.run, b, e, wl.slice)
        done = 1
    while not wl.roles and (t := sh.counter.take()) < ctx.tasks:
        b, e = job.bounds(t)
        if wl.arun:
            total += await wl.arun(ctx, unit, b, e)
        else:
            part, y = await sliced(ctx, unit, wl.run, b, e, wl.slice)
            total, yields = total + part, yields + y
        done += 1
        if sh.counter.peek() < ctx.tasks:  # between tasks too, so a pool shares the thread
            await asyncio.sleep(0)
            yields += 1
    s.put(u, U.END_NS, system.now_ns())
    s.put(u, U.CHECKSUM, total & M64)
    s.put(u, U.TASKS, done)
    s.put(u, U.YIELDS, yields)


@dataclasses.dataclass
class Hooks:
    """What a pass of the units does around them: just before the first unit is made, and while
    every unit is held (the measure)."""
    before_units: typing.Callable = lambda: None
    on_hold: typing.Callable = lambda: None


async def tasks_main(job, sh, o, hooks):
    loop = asyncio.get_running_loop()
    units = job.ctx.units
    start, hold = seam.Gate(units, loop), seam.Gate(units, loop)
    aseam = seam.AsyncSeam(hold, seam.Gate(units, loop), job.placement.all_pus())
    hooks.before_units()
    o.spawn_ns = system.now_ns()
    tasks = []
    for u in range(units):
        if u == 0:
            o.create0_ns = system.now_ns()
        tasks.append(loop.create_task(coro_unit(job, sh, u, aseam, start)))
        if u == 0:
            o.create0_end_ns = system.now_ns()
    o.run_ns = system.now_ns()
    await start.all_here
    o.t0_ns = system.now_ns()
    cpu0, kids0 = system.thread_cpu(), system.children_cpu()
    start.open()
    if job.wl.holds:
        await hold.all_here
        hooks.on_hold()
        hold.open()
    try:
        await asyncio.gather(*tasks)
    finally:  # a unit that failed: the others are cancelled, none left pending
        for t in tasks:
            t.cancel()
    cpu1, kids1 = system.thread_cpu(), system.children_cpu()
    o.reaped_ns = system.now_ns()
    o.user_s, o.sys_s = cpu1[0] - cpu0[0], cpu1[1] - cpu0[1]
    o.children(kids0, kids1)
    o.yields += aseam.yields
    if sh.waits is not None:
        sh.waits.add(aseam.waits)
    last_cpu(sh)


def drive_generators(job, sh, o, hooks):
    """Units as generators: created before the clock (suspended before their first line), then
    resumed round-robin until all finish; once every one still alive is parked at a yield, the
    hold is measured. A generator unit runs one task (the probes have one per unit)."""
    wl, ctx, s = job.wl, job.ctx, sh.slots
    shared_unit = Unit(None)  # no scratch, no seam: a generator parks with a bare yield
    hooks.before_units()
    o.spawn_ns = system.now_ns()
    gens = []
    for u in range(ctx.units):
        if u == 0:
            o.create0_ns = system.now_ns()
        gens.append(wl.grun(ctx, shared_unit, *job.bounds(sh.counter.take())))
        if u == 0:
            o.create0_end_ns = system.now_ns()
        s.put(u, U.PID, os.getpid())
        s.put(u, U.PU_BOUND, job.placement.bound_pu(0))
    alive, first = list(range(ctx.units)), True
    cpu0 = system.thread_cpu()
    o.run_ns = o.t0_ns = system.now_ns()
    while alive:
        parked = []
        for u in alive:
            if first:
                s.put(u, U.STARTED_NS, system.now_ns())
            try:
                next(gens[u])
                parked.append(u)
            except StopIteration as stop:
                gens[u] = None
                s.put(u, U.END_NS, system.now_ns())
                s.put(u, U.CHECKSUM, stop.value & M64)
                s.put(u, U.TASKS, 1)
        if first and wl.holds and parked:
            hooks.on_hold()
        alive, first = parked, False
    cpu1 = system.thread_cpu()
    o.reaped_ns = system.now_ns()
    o.user_s, o.sys_s = cpu1[0] - cpu0[0], cpu1[1] - cpu0[1]
    last_cpu(sh)


def last_cpu(sh):
    """Every unit ran on this thread: the CPU it last ran on, read once after the clock (a
    /proc read per unit would be inside the others' time)."""
    cpu = system.last_cpu()
    for u in range(sh.slots.units):
        sh.slots.put(u, U.PU_RUN, cpu)


@dataclasses.dataclass
class Phase:
    """One pass of the units: its outcome and how the hold is measured."""
    job: U.Job
    drive: typing.Callable  # (job, sh, outcome, hooks)
    o: U.Outcome = dataclasses.field(default_factory=U.Outcome)

    def run(self, hooks):
        cap = U.waits_cap(self.job.wl, self.job.ctx)
        sh = U.Shared(U.Slots(self.job.ctx.units), U.LocalCounter(),
                      waits=seam.WaitLog(cap, threading) if cap else None)
        if self.drive is drive_generators:
            self.drive(self.job, sh, self.o, hooks)
        else:
            asyncio.run(self.drive(self.job, sh, self.o, hooks))
        self.o.collect(sh, own_cpu=False)
        return self.o


WHAT_TRACED = {
    "tasks": "a parked asyncio Task: the Task and its context; the harness's unit coroutine and "
             "the workload's (idle: one frame each) with what their frames hold; and its wait on "
             "a future all tasks share",
    "generator": "a suspended generator: the generator object with its frame and what the frame "
                 "holds (its arguments and its loop's range iterator); the harness's slot is "
                 "outside it",
}


def execute(job):
    places.bind(job.placement.pus(0))
    drive = drive_generators if job.variant == "generator" else tasks_main
    units, holds = job.ctx.units, job.wl.holds
    before = memory.baseline() if holds else None
    main = Phase(job, drive)

    def measure_memory():
        main.o.memory = memory.per_unit(before, units)

    main.run(Hooks(on_hold=measure_memory))
    if holds:  # again with tracemalloc on (it costs memory of its own, so not in the first)
        traced = []

        def trace_start():
            tracemalloc.start()
            traced.append(tracemalloc.get_traced_memory()[0])

        def measure_traced():
            main.o.traced_bytes = (tracemalloc.get_traced_memory()[0] - traced[0]) / units

        try:
            Phase(job, drive).run(Hooks(trace_start, measure_traced))
        finally:
            tracemalloc.stop()
        main.o.traced_what = WHAT_TRACED["generator" if job.variant else "tasks"]
    return main.o
