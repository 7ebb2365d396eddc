"""models.py — how units run: the four models of build/cvp with the same names and meanings, and
their CPython variants. Every model implements execute(job) -> Outcome: create the units (before
the clock), release them together, wait, reap. The executor variants live in pools.py, asyncio
tasks and generators in aio.py; serial, threads and processes share unit.py's unit body.
  serial    units one after another in the calling thread (the baseline of every speedup)
  threads   one threading.Thread per unit          (--variant executor: ThreadPoolExecutor)
  procs     one multiprocessing process per unit, fork by default
            (--variant spawn|forkserver: fresh interpreters; executor: ProcessPoolExecutor)
  coros     one asyncio task per unit on one event loop (--variant generator: suspended
            generators, for the probes)
multiprocessing, pools.py, aio.py (asyncio) and memory.py are imported by the model that runs
them, on first use: the arm starts ~500 times per make bench, and a serial run needs none of
them."""
import dataclasses
import resource
import signal
import threading
import typing

import places
import system
import unit as U
from stop import Exit, Limit, Wrong, creation_failed

# What a model may offer (its caps), in build/cvp's words (workloads/workload.h, enum wl_caps),
# and how a skip names what a workload (or one value of its option) needs.
CAPS = {
    "coexist": "units alive at the same time",
    "block": "units that may block in the kernel while the others run",
    "direct": "a direct switch from one unit into another",
    "parallel": "units on several cores at once",
    "shared": "units that share one address space",
}


@dataclasses.dataclass(frozen=True)
class Variant:
    name: str
    desc: str
    probes: bool  # whether the harness makes the units: probes and roles need that
    needs_grun: bool = False  # a unit is a generator: the workload must have grun


@dataclasses.dataclass(frozen=True)
class Model:
    name: str
    desc: str
    caps: tuple  # what it is designed to offer, in build/cvp's words
    execute: typing.Callable  # (Job) -> Outcome
    variants: tuple = ()
    stack_kib: typing.Callable = lambda: None  # the stack each unit may grow to, if its own

    def variant(self, name):
        return next((v for v in self.variants if v.name == name), None)


def _lacks(needs, caps):
    return next((c for c in needs if c not in caps), None)


def _who(cap):
    return ", ".join(m.name for m in MODELS.values() if cap in m.caps)


def supports(model, variant, wl, opts=None):
    """None when the model (and variant) can run the workload (with the options' values opts),
    else why not (exit 4)."""
    needs = (("coexist",) if wl.probe else ()) + wl.needs
    lack = _lacks(needs, model.caps)
    if lack:
        return (f"{wl.name} under {model.name}: skipped, it needs {CAPS[lack]} ({_who(lack)})")
    for o in wl.options:
        value = (opts or {}).get(o.name)
        if o.choices and value in o.choices:
            lack = _lacks(o.needs_of(value), model.caps)
            if lack:
                return (f"{wl.name} --{o.name} {value} under {model.name}: skipped, it needs "
                        f"{CAPS[lack]} ({_who(lack)})")
    if variant and wl.option("variant"):
        return (f"{wl.name} under {model.name}/{variant}: skipped, --variant names the "
                "workload's own variant here")
    v = model.variant(variant) if variant else None
    if v and (wl.probe or wl.roles) and not v.probes:
        return (f"{wl.name} --variant {variant} under {model.name}: skipped, an executor "
                "starts and keeps its own workers; a probe, or units with roles, need units the "
                "harness makes")
    if v and v.needs_grun and not wl.grun:
        return (f"{wl.name} --variant {variant} under {model.name}: skipped, generators hold "
                "only the probes (idle, spawn)")
    return None


def _rlimit_stack_kib():
    soft, _ = resource.getrlimit(resource.RLIMIT_STACK)
    return None if soft == resource.RLIM_INFINITY else soft // 1024


def _threads_stack_kib():
    """CPython's threads take glibc's default stack (RLIMIT_STACK) unless stack_size() is set."""
    return threading.stack_size() // 1024 or _rlimit_stack_kib()


def _raise_nofile():
    """multiprocessing keeps descriptors per child: take the hard limit of RLIMIT_NOFILE."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


# ---- serial

def serial_execute(job):
    units = job.ctx.units
    sh = U.Shared.make(units, threading, U.LocalCounter(), U.waits_cap(job.wl, job.ctx))
    places.bind(job.placement.pus(0))
    o = U.Outcome(spawn_ns=system.now_ns())
    made = []
    for u in range(units):
        if u == 0:
            o.create0_ns = system.now_ns()
        made.append(U.enter(job, sh, u, None))
        if u == 0:
            o.create0_end_ns = system.now_ns()
    o.run_ns = o.t0_ns = system.now_ns()
    cpu0, kids0 = system.thread_cpu(), system.children_cpu()
    results = [U.work(job, sh, u, made[u], own_cpu=False) for u in range(units)]
    cpu1, kids1 = system.thread_cpu(), system.children_cpu()
    for u in range(units):
        U.record(sh, u, results[u], made[u])
    U.note_last_cpus(sh)
    o.reaped_ns = system.now_ns()
    o.user_s, o.sys_s = cpu1[0] - cpu0[0], cpu1[1] - cpu0[1]
    o.children(kids0, kids1)
    o.collect(sh, own_cpu=False)
    return o


# ---- threads

def _thread_body(job, sh, u, errors):
    try:
        U.unit_main(job, sh, u, threading.get_native_id())
    except BaseException as exc:  # noqa: BLE001 — reported by the harness, with the unit
        errors.append((u, exc))


def _raise_unit_error(model, errors):
    u, exc = errors[0]
    if isinstance(exc, Exit):  # a limit or a failure the workload or the seam named
        raise type(exc)(f"{model}: unit {u}: {exc.message}")
    if isinstance(exc, MemoryError):
        raise Limit(f"{model}: unit {u} ran out of memory; limit reached: memory")
    raise Wrong(f"{model}: unit {u} failed: {type(exc).__name__}: {exc}")


def threads_execute(job):
    import memory

    if job.variant == "executor":
        import pools
        return pools.execute(job, threaded=True)
    units, wl = job.ctx.units, job.wl
    sh = U.Shared.make(units, threading, U.LocalCounter(), U.waits_cap(wl, job.ctx))
    before = memory.baseline() if wl.holds else None
    errors, threads = [], []

    def check():
        if errors:
            _raise_unit_error("threads", errors)

    o = U.Outcome(spawn_ns=system.now_ns())
    for u in range(units):
        th = threading.Thread(target=_thread_body, args=(job, sh, u, errors), daemon=True,
                              name=f"unit-{u}")
        if u == 0:
            o.create0_ns = system.now_ns()
        try:
            th.start()
        except (RuntimeError, MemoryError) as exc:
            sh.abort.set()
            sh.go.open()
            raise creation_failed("threads", "threading.Thread.start", u, units, exc)
        if u == 0:
            o.create0_end_ns = system.now_ns()
        threads.append(th)
    U.wait_count(sh.ready, units, check)
    check()
    kids0 = system.children_cpu()
    o.run_ns = o.t0_ns = system.now_ns()
    sh.go.open()
    if wl.holds:
        U.wait_count(sh.held, units, check)
        check()
        o.memory = memory.per_unit(before, units)
        sh.opened.open()
    U.wait_count(sh.finished, units, check)
    kids1 = system.children_cpu()
    U.note_last_cpus(sh)
    sh.done.open()
    for th in threads:
        th.join()
    o.reaped_ns = system.now_ns()
    check()
    o.collect(sh, own_cpu=True)
    o.children(kids0, kids1)
    return o


# ---- procs

def _exit_text(code):
    if code < 0:
        return f"died of signal {-code} ({signal.Signals(-code).name})"
    return f"exited with status {code}"


def procs_execute(job):
    import memory
    import multiprocessing
    import multiprocessing.forkserver

    if job.variant == "executor":
        import pools
        return pools.execute(job, threaded=False)
    method = job.variant or "fork"
    units, wl = job.ctx.units, job.wl
    mp = multiprocessing.get_context(method)
    _raise_nofile()
    parent = None
    if method == "forkserver":  # started before the baseline: its memory is not a unit's
        # What units need, imported once and shared: their module and the shared memory of
        # their slots (which unit.py imports only for units that are processes).
        mp.set_forkserver_preload(["unit", "multiprocessing.sharedctypes"])
        multiprocessing.forkserver.ensure_running()
        parent = multiprocessing.forkserver._forkserver._forkserver_pid  # noqa: SLF001
    sh = U.Shared.make(units, mp, U.SharedCounter(mp), U.waits_cap(wl, job.ctx))
    before = memory.baseline() if wl.holds else None
    procs = []

    def check():
        for u, p in enumerate(procs):
            if p.exitcode is not None:
                raise (Limit if p.exitcode == 3 else Wrong)(
                    f"procs: unit {u} {_exit_text(p.exitcode)}")

    o = U.Outcome(spawn_ns=system.now_ns())
    for u in range(units):
        p = mp.Process(target=U.process_unit, daemon=True, name=f"unit-{u}",
                       args=(job, sh, u, parent or multiprocessing.current_process().pid))
        if u == 0:
            o.create0_ns = system.now_ns()
        try:
            p.start()
        except (OSError, MemoryError) as exc:
            for q in procs:  # and their descriptors: the limit may be RLIMIT_NOFILE
                q.kill()
                q.join()
                q.close()
            raise creation_failed("procs", f"Process.start ({method})", u, units, exc)
        if u == 0:
            o.create0_end_ns = system.now_ns()
        procs.append(p)
    U.wait_count(sh.ready, units, check)
    o.run_ns = o.t0_ns = system.now_ns()
    sh.go.open()
    if wl.holds:
        U.wait_count(sh.held, units, check)
        o.memory = memory.per_unit(before, units, [p.pid for p in procs])
        sh.opened.open()
    U.wait_count(sh.finished, units, check)
    U.note_last_cpus(sh)
    sh.done.open()
    for p in procs:
        p.join()
    o.reaped_ns = system.now_ns()
    check_exit = [(u, p.exitcode) for u, p in enumerate(procs) if p.exitcode != 0]
    if check_exit:
        u, code = check_exit[0]
        raise (Limit if code == 3 else Wrong)(f"procs: unit {u} {_exit_text(code)}")
    o.collect(sh, own_cpu=True)
    return o


# ---- coros

def coros_execute(job):
    import aio
    return aio.execute(job)


EXECUTOR = "{} of --units workers, started before the clock, runs the tasks"
MODELS = {m.name: m for m in (
    Model("serial", "baseline: units one after another in the calling thread",
          ("block", "shared"), serial_execute),
    Model("threads", "one threading.Thread per unit, bound inside the thread",
          ("coexist", "block", "parallel", "shared"), threads_execute,
          (Variant("executor", EXECUTOR.format("a ThreadPoolExecutor"), False),),
          _threads_stack_kib),
    Model("procs", "one multiprocessing process per unit (fork), started before the clock",
          ("coexist", "block", "parallel"), procs_execute,
          (Variant("executor", EXECUTOR.format("a ProcessPoolExecutor (fork)"), False),
           Variant("spawn", "each unit a fresh interpreter (start method spawn)", True),
           Variant("forkserver", "each unit forked from a fresh server interpreter (forkserver)", True)),
          _rlimit_stack_kib),
    Model("coros", "one asyncio task per unit on one event loop; CPU-bound units yield "
          "between slices", ("coexist", "direct", "shared"), coros_execute,
          (Variant("generator", "each unit a suspended generator (probes only)", True,
                   needs_grun=True),)),
)}
