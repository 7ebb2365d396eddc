"""run.py — one run, from the request to its row, in named steps:
  setup     the model and workload, whether they go together, the guard (signals, watchdog),
            the process's tuning, placement (build/cvp --places), the counts, the delay server
            (for a workload that talks to it), the workload's state
  execute   the model creates the units, releases them together (the clock), waits and reaps
  collect   verify against one serial pass over the same work (or --expect), fill the row
  finish    stop multiprocessing's helpers, print the row
It knows no model or workload by name: what differs is in their descriptors. The delay server's
module is imported only for a workload that talks to it (the arm starts ~500 times per make
bench)."""
import dataclasses
import sys

import places
import row as R
import seam
import system
import unit as U
import workloads
from models import MODELS, supports
from stop import Exit, Guard, Unsupported, Usage, Wrong, say
from workloads.common import Ctx, Result, Unit


def runtime_name():
    """cpython-<version>-gil or -nogil: the GIL's state where the interpreter can say it (3.13+),
    else whether it was built free-threaded (none was before 3.13, which brought
    Py_GIL_DISABLED). The name and version are what platform.python_implementation() (lowered)
    and platform.python_version() say, taken from sys: importing platform and sysconfig cost
    every run ~4 ms."""
    if hasattr(sys, "_is_gil_enabled"):
        gil = sys._is_gil_enabled()  # noqa: SLF001
    elif sys.version_info >= (3, 13):  # a pre-release of 3.13
        import sysconfig
        gil = not sysconfig.get_config_var("Py_GIL_DISABLED")
    else:
        gil = True
    return f"{sys.implementation.name}-{sys.version.split()[0]}-" + ("gil" if gil else "nogil")


def role_units(wl, req):
    """With roles: (units asked for, the fewest the roles need), checked as build/cvp checks
    them; else (req.units, 0)."""
    if not wl.roles:
        return req.units, 0
    fixed = sum(r.units for r in wl.roles)
    shares = any(r.units == 0 for r in wl.roles)
    if not shares and req.units is not None and req.units != fixed:
        raise Usage(f"--units: {wl.name} runs exactly {fixed} units (one per role)")
    if shares and req.units is not None and req.units < fixed:
        raise Usage(f"--units: {wl.name} needs at least {fixed} units")
    return (req.units if shares else fixed), fixed


def counts(wl, req, units):
    """(tasks, size): --size split over the tasks as build/cvp splits it."""
    if wl.size_per == "unit" or wl.roles:
        if req.tasks is not None and req.tasks != units:
            raise Usage(f"--tasks: {wl.name} runs one task per unit ({units})")
        if wl.roles and wl.size_per != "unit":
            return units, req.size if req.size is not None else wl.default_size
        if req.size is not None:
            raise Usage(f"--size: does not apply to {wl.name} (one op per unit; use --units)")
        return units, units
    tasks = req.tasks if req.tasks is not None else units
    size = req.size if req.size is not None else wl.default_size
    return tasks, size * tasks if wl.size_per == "task" else size


def reference(job):
    """One serial pass over all the work, outside the clock (or what it would give)."""
    wl, ctx = job.wl, job.ctx
    if wl.expect:
        return wl.expect(ctx)
    return wl.run(ctx, Unit(seam.BlockingSeam(None), wl.scratch(ctx) if wl.scratch else None),
                  0, ctx.size)


def _pus(pus):
    return " ".join(map(str, pus)) if pus else "none"


def fill(req, job, model, o, expect, server_cpu_s=None):
    """The row of a run."""
    wl, ctx = job.wl, job.ctx
    r = R.Row()
    wall = (o.end_ns - o.t0_ns) / 1e9
    for name, value in (
            ("runtime", runtime_name()), ("model", model.name), ("workload", wl.name),
            ("kind", wl.kind), ("variant", req.variant), ("units", ctx.units),
            ("tasks", ctx.tasks), ("cores", job.placement.cores), ("pin", req.pin),
            ("size", ctx.size), ("stack_kib", model.stack_kib()), ("wall_s", wall),
            ("user_s", o.user_s), ("sys_s", o.sys_s),
            ("cpu_util", (o.user_s + o.sys_s) / wall if wall > 0 else None),
            ("yields", o.yields), ("timer_slack_ns", system.timer_slack_ns()),
            ("checksum", f"{o.checksum:016x}"), ("expected", f"{expect:016x}"),
            ("verified", "true" if o.checksum == expect else "false"),
            ("pus_bound", _pus(o.pus_bound)), ("pus_run", _pus(o.pus_run))):
        r.set(name, value)
    params = [f"{k}={v}" for k, v in ctx.opts.items() if not r.set(k, v)]
    figures, notes = [], []
    if wl.report:
        figs, note = wl.report(ctx, Result(
            wall_s=wall, lifecycle_s=(o.reaped_ns - o.spawn_ns) / 1e9,
            first_start_s=o.first_ns / 1e9, memory=o.memory, traced_bytes=o.traced_bytes,
            traced_what=o.traced_what))
        for name, value in figs.items():
            if not r.set(name, value):
                figures.append(f"{name}={value:.6g}")
        if note:
            notes.append(note)
    if o.wait_ns:
        r.set("waits", o.waits)
        p50, p99 = seam.percentiles(o.wait_ns)
        r.set("wait_p50_us", p50)
        r.set("wait_p99_us", p99)
    r.set("server_cpu_s", server_cpu_s)
    if wall < 0.01:
        notes.append("wall below 10 ms: too short to time reliably")
    r.set("params", ";".join(params) or None)
    r.set("figures", ";".join(figures) or None)
    r.set("note", "; ".join(notes) or None)
    return r


def setup(req, guard):
    model, wl = MODELS[req.model], workloads.get(req.workload)
    why = supports(model, req.variant, wl, req.opts)
    if why:
        raise Unsupported(why)
    system.tune_process()
    units, least = role_units(wl, req)
    placement, units = places.plan(req.cores, req.pin, units, least)
    tasks, size = counts(wl, req, units)
    ctx = Ctx(wl.name, size, tasks, units, dict(req.opts), caps=model.caps)
    if wl.server:  # every unit alive at once may hold a connection; serial units one at a time
        import server
        server.raise_nofile(min(units, tasks) if "coexist" in model.caps else 1)
        with guard.holding():
            guard.server = server.DelayServer.start(req.opts["delay-ms"], req.timeout_s)
        ctx = dataclasses.replace(ctx, server=guard.server.path)
    if wl.prepare:
        ctx = dataclasses.replace(ctx, state=wl.prepare(ctx))
    return model, U.Job(ctx, placement, model.name, req.variant)


def execute(req, guard):
    model, job = setup(req, guard)
    o = model.execute(job)
    server_cpu_s = None
    if guard.server:
        server_cpu_s = guard.server.stop()
        guard.server = None
    if o.tasks_done != job.ctx.tasks:
        raise Wrong(f"{job.wl.name} under {model.name}: {o.tasks_done} of {job.ctx.tasks} "
                    "tasks done")
    expect = req.expect if req.expect is not None else reference(job)
    r = fill(req, job, model, o, expect, server_cpu_s)
    guard.finish()
    out = (R.header_csv() if req.header and req.format == "csv" else "") + R.write(r, req.format)
    sys.stdout.write(out)
    sys.stdout.flush()
    if req.out:
        R.append_csv(req.out, r)
    if o.checksum != expect:
        say(f"{job.wl.name} under {model.name}: checksum {o.checksum:016x} does not match the "
            f"serial {expect:016x}")
        return 1
    return 0


def run(req):
    """Runs the request; every way out leaves nothing behind. Returns the exit status."""
    guard = Guard(req.timeout_s)
    guard.install()
    try:
        return execute(req, guard)
    except Exit as e:
        guard.leave(e.status, e.message)
    except OSError as e:
        guard.leave(1, f"{req.workload} under {req.model}: {e}")
    except Exception:  # a bug: say where, and still leave nothing behind
        import traceback  # here: a run that goes well has no use for it
        traceback.print_exc()
        guard.leave(1, f"{req.workload} under {req.model}: internal error")
    return 1
