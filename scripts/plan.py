#!/usr/bin/env python3
"""plan.py — the matrix `make bench` runs, built from the binary's description of itself
(list.csv, as `cvp --list --format csv` prints it), with the time each configuration is
predicted to take and the cuts that keep the whole run within its time budget.

Every workload enters by the plans its descriptor names, under the models (and variants) it
says it runs under. Nothing here names a workload or a model: what differs between them is read
from their capabilities (list.csv's models column).

  plan.py [KEY=]LIST.csv ... --profile P --ncores N [--workloads a,b] [--models x,y]
          [--constants raw/constants.csv] [--references raw/reference-times.csv]
          [--calibration raw/calibration.csv] [--budget SECONDS] [--calibrations]

One list per runtime, KEY naming it (c: build/cvp, whose list a bare path is; py: the CPython
arm, build/cvp-py); the runtimes' configurations follow each other in the order given, and
every runtime but c prefixes its configurations' names with its key. Prints plan.txt: one
configuration a line, fields separated by '|':
  name|runtime|group|workload|model|variant|units|tasks|cores|size|delay_ms|warmup|runs|
  predicted_s|cut|opts
(opts: a model's options given one value of their choices, name=value;...: the probes run
under each value of a model's choice option, such as coroutines' --switch ucontext|asm)
Groups (the report's): cpu (cores 1..N against a serial reference), io (a sweep of unit counts),
pool (a pool over many tasks), beside (one waiting unit beside busy ones), pattern (the notes'
patterns), probe (the cost probes). An empty field is left to the binary's default. `runs` 0
means cut: not run, with the reason in `cut`. On stderr: the predicted total and the cuts. Exit
2 with a message naming the bad value for an unknown workload, model or profile.

With --calibrations, prints instead the short runs that calibrate the predictions of each
runtime, one a line: key|what|workload|model|variant|units|size, what being `start` (one tiny
serial run: the process's own start, and the runtime's name in its row) or `create` (the spawn
probe at a few units, for each model and variant of a runtime other than c, whose creation
costs follow from the host's constants instead). bench.sh runs them into raw/calibration.csv.

Prediction (seconds per configuration) = (warm-up + counted runs) x one run, where one run is
the process's start, the units' creation and reaping, and the work, each from the host's
constants (cvp --machine) and, for CPU-bound work, from the serial reference run of this very
run; the coefficients below were fitted to runs on two hosts of the 2-core kind (a system call
of 90 ns and of 1 us). The budget cuts counted runs to 3 first, then the largest unit counts of
the model whose unit sweeps cost most, one at a time."""
import argparse
import csv
import math
import sys
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Profile:
    warmup: int
    runs: int
    cpu_scale: float       # CPU sizes: the workload's default size times this
    io_units: tuple        # unit counts of the io sweep
    io_delay_ms: int       # one wait; waits of 100 ms keep the ideal well above the cost of
    io_rounds: int         # starting 10 000 units, so overlap measures waiting, not spawning
    pool_tasks: int        # tasks of one wait each, on a pool of one unit per core
    pool_delay_ms: int
    probe_units: int       # units of the memory and spawn probes
    placement_size: int    # hand-offs of a placement probe (0: its default)
    beside_rounds: int     # round trips of the one unit waiting beside busy ones
    probe_create_s: float  # a probe's units are as many as are created in this time, at most
    rebase: bool           # the serial baseline measured again before each model's CPU runs
    budget_s: float        # the whole `make bench` after the build: BUDGET= overrides


PROFILES = {
    "quick": Profile(0, 3, 1 / 16, (1, 10, 100, 1000), 10, 2, 200, 1, 500, 5000, 10, 0.3,
                     False, 65),
    "default": Profile(1, 5, 1, (1, 10, 100, 1000, 10000), 100, 3, 1000, 1, 1000, 0, 200, 1.5,
                       True, 520),
    "full": Profile(2, 10, 4, (1, 10, 100, 1000, 10000, 100000), 100, 5, 1000, 1, 10000,
                    1000000, 500, 20, True, 3600),
}
# The runtime whose list a bare path is: build/cvp, the C binary. Its creation costs follow from
# the host's constants; every other runtime's are calibrated by its spawn probe.
C = "c"
# The figure of the probe that calibrates a runtime's creation costs, and its unit counts there:
# the cost per unit is the slope between them (a pool or an event loop costs once per run).
CREATE_FIGURE = "spawn_us_per_unit"
CREATE_UNITS = (2, 10)
# The wait of a unit beside busy ones: short, so a busy unit's hold on a shared resource (a
# scheduler's time slice; CPython's 5 ms switch interval) shows in its latency.
BESIDE_DELAY_MS = 1
MIN_RUNS = 3  # the first cut: counted runs down to this
WAIT_OTHER_S = 100e-6  # see wait_s()
STACKLESS_FACTOR = 100  # see plan_runtime()
# What a run costs besides the matrix: the constants, the references, the report and the plots.
FIXED_S = 15


@dataclass(frozen=True)
class Entry:
    """A line of list.csv."""
    runtime: str  # the key of the list it came from
    what: str
    name: str
    kind: str
    default_size: str
    size_per: str  # run | task | unit
    options: dict  # name -> default, as listed
    plans: tuple
    models: tuple  # workload: model or model/variant; model: its capabilities
    roles: tuple
    figures: tuple  # the names of its figures


def read_list(path, runtime=C):
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return [Entry(runtime, r["what"], r["name"], r["kind"], r["default_size"], r["size_per"],
                  dict(o.partition("=")[::2] for o in r["options"].split()),
                  tuple(r["plans"].split()),
                  tuple(r["models"].split()), tuple(r["roles"].split()),
                  tuple(f.split(":")[0] for f in r["figures"].split())) for r in rows]


def read_lists(args):
    """[KEY=]PATH arguments: every runtime's entries, in the order given."""
    out = []
    for a in args:
        key, eq, path = a.partition("=")
        out += read_list(path, key) if eq else read_list(a)
    return out


@dataclass(frozen=True)
class Config:
    name: str
    runtime: str  # the key of its runtime's list
    plan: str  # the descriptor's plan it comes from
    group: str
    workload: str
    model: str
    variant: str
    units: object  # int, or "" for the binary's default
    tasks: object
    cores: int
    size: object
    delay_ms: object
    warmup: int
    runs: int
    caps: frozenset  # the model's capabilities
    size_per: str
    default_size: int
    work: int  # a workload's `work` option: ops of CPU work per wait (0: none)
    model_variant: bool = False  # its variant is the model's (another way to start the units)
    opts: str = ""  # a model's option given a value of its choice: name=value
    stackless: bool = False  # its units have no stack (where the list says which do)
    alt: bool = False  # one the table can do without: another value of a model's choice, a
    # pattern's variant past its first, a serial baseline measured again
    predicted_s: float = 0.0
    cut: str = ""

    def line(self):
        return "|".join(str(x) for x in (
            self.name, self.runtime, self.group, self.workload, self.model, self.variant, self.units,
            self.tasks, self.cores, self.size, self.delay_ms, self.warmup, self.runs,
            f"{self.predicted_s:.3g}", self.cut, self.opts))


def core_counts(n):
    """1..N on small machines; 1, 2, 4, ... and N on large ones."""
    if n <= 8:
        return list(range(1, n + 1))
    out, c = [], 1
    while c < n:
        out.append(c)
        c *= 2
    return out + [n]


def runtimes(entries):
    """The runtimes' keys, in the order their lists were given."""
    return list(dict.fromkeys(e.runtime for e in entries))


def plan(entries, p, ncores, only_workloads=None, only_models=None):
    """Every configuration of the matrix, unpredicted: each runtime's in turn."""
    out = []
    for rt in runtimes(entries):
        out += plan_runtime([e for e in entries if e.runtime == rt], p, ncores, only_workloads,
                            only_models)
    return out


def plan_runtime(entries, p, ncores, only_workloads=None, only_models=None):
    """The configurations of one runtime's list."""
    rt = entries[0].runtime
    prefix = "" if rt == C else f"{rt}-"
    caps = {e.name: frozenset(e.models) for e in entries if e.what == "model"}
    own = {e.name: set(e.options.get("variant", "").split("|")) - {""} for e in entries
           if e.what == "model"}
    # A model's other choices (coroutines' --switch ucontext|asm): the probes run under each
    # value, the first keeping the plain name.
    model_choices = {e.name: [(o, v.split("|")) for o, v in e.options.items()
                        if o != "variant" and "|" in v] for e in entries if e.what == "model"}
    models = [m for m in caps if not only_models or m in only_models]
    # Units without a stack of their own cost bytes, not pages: their probes count 100 times
    # as many, so the memory per unit stands above the noise of the process's PSS.
    nostack = {m for m in caps if "stack" not in caps[m]} if any(
        "stack" in c for c in caps.values()) else set()
    out = []
    for w in (e for e in entries if e.what == "workload"):
        if only_workloads and w.name not in only_workloads:
            continue
        # model -> variants it runs the workload with ([""] when the workload has none)
        runs = {}
        for mv in w.models:
            m, _, v = mv.partition("/")
            if m in models:
                runs.setdefault(m, []).append(v)
        delay = lambda d: d if "delay-ms" in w.options else ""  # noqa: E731
        fixed = sum(int(r.split(":")[1]) for r in w.roles) if w.roles else 0
        dsize = int(w.default_size) if w.default_size else 0
        work = int(w.options.get("work") or 0)
        # A placement probe's hand-offs: the profile's count for C's; an interpreter hands
        # off ten to a hundred times slower, so its own default at the profile's CPU scale.
        hand_offs = p.placement_size if rt == C or not p.placement_size else int(
            dsize * p.cpu_scale)

        def add(name, group, m, v, units, tasks, cores, size, dl, opts="", alt=False):
            out.append(Config(prefix + name.replace("--", "-"), rt, plan_name, group, w.name, m,
                              v, units, tasks, cores, size, dl, p.warmup, p.runs, caps[m],
                              w.size_per, dsize, work, v in own[m], opts, m in nostack, alt))

        def each_choice(m):
            """("", "") for a model without choices; else (name suffix, name=value) per value."""
            got = [("", "")]
            for o, vals in model_choices[m]:
                got = [(sfx + ("" if k == 0 else f"-{val}"), ";".join(filter(None, (opt,
                        f"{o}={val}")))) for sfx, opt in got for k, val in enumerate(vals)]
            return got
        for plan_name in w.plans:
            for m in models:
                if m not in runs:
                    continue
                coexist = "coexist" in caps[m]
                if plan_name == "cores":
                    size = int(dsize * p.cpu_scale)
                    # The speedup's baseline, measured again next to each model's runs (the
                    # report divides by the nearest before them), so a slower minute of the
                    # host does not land on one side of the ratio only.
                    base = [m0 for m0 in models if m0 in runs and "coexist" not in caps[m0]]
                    if base and m != base[0] and p.rebase:
                        k = sum(1 for c in out if c.workload == w.name and c.model == base[0]
                                and c.cores == 1) + 1
                        add(f"cpu-{w.name}-{base[0]}-c1-r{k}", "cpu", base[0], "", 1, 1, 1, size,
                            "", alt=True)
                    # The model's own way over every core count; each variant of it (another
                    # way to start or feed the same units) on all the cores only.
                    for v in runs[m]:
                        for c in core_counts(ncores) if not v else [ncores]:
                            add("-".join(filter(None, ("cpu", w.name, m, v, f"c{c}"))), "cpu", m,
                                v, c, c, c, size, "")
                elif plan_name == "units" and coexist:  # units one after another: no sweep
                    for u in p.io_units:
                        add(f"io-{w.name}-{m}-u{u}", "io", m, "", u, u, ncores, p.io_rounds,
                            delay(p.io_delay_ms))
                elif plan_name == "pool" and coexist:
                    # Units that block serve the tasks from a pool of one per core; units that
                    # wait by yielding can be one per task.
                    u = ncores if "block" in caps[m] else p.pool_tasks
                    add(f"pool-{w.name}-{m}-u{u}", "pool", m, "", u, p.pool_tasks, ncores, 1,
                        delay(p.pool_delay_ms))
                elif plan_name == "beside" and coexist:
                    # One unit waiting beside 0, 1 .. N busy ones.
                    for k in range(ncores + 1):
                        add(f"beside-{w.name}-{m}-k{k}", "beside", m, "", k + 1, k + 1, ncores,
                            p.beside_rounds, delay(BESIDE_DELAY_MS))
                elif plan_name == "pattern":
                    # One of the notes' patterns: each variant of it, on one unit per core (at
                    # least one per role), at the profile's CPU scale.
                    choices = [o for o in w.options.values() if "|" in o]
                    vs = [v for v in runs[m] if v] or (choices[0].split("|") if choices
                                                       else [""])
                    u = max(ncores, len(w.roles)) if not fixed else fixed
                    size = int(dsize * p.cpu_scale) if dsize else ""
                    # The other variants at an eighth of the size: they show a difference in
                    # kind (a slow consumer, a dearer child: gzip is ten times the filter), and
                    # their rates hold at any size.
                    for k, v in enumerate(vs):
                        add("-".join(filter(None, ("pattern", w.name, m, v))), "pattern", m, v,
                            u, u, ncores, max(size // 8, 1) if k and size else size, "",
                            alt=k > 0)
                elif plan_name == "probe":
                    # Each variant: how a unit is made is what a probe measures. The unit
                    # count is the profile's, or fewer where creating them would take longer
                    # than the profile allows a probe (set once the runtime is calibrated).
                    u = fixed or p.probe_units * (STACKLESS_FACTOR if m in nostack else 1)
                    for v in runs[m]:
                        for sfx, opts in each_choice(m):
                            add("-".join(filter(None, ("probe", w.name, m, v))) + sfx + f"-u{u}",
                                "probe", m, v, u, u, ncores, "", "", opts, alt=bool(sfx))
                elif plan_name == "placement":
                    # Same core: every unit on one core; cross core: spread over two, where
                    # the model runs units on several cores at all.
                    for v in runs[m]:
                        for c in (1, 2):
                            if c > ncores or (c > 1 and "parallel" not in caps[m]):
                                continue
                            for sfx, opts in each_choice(m):
                                add(f"probe-{w.name}-{m}-{v}{sfx}-c{c}", "probe", m, v,
                                    fixed or "", fixed or "", c, hand_offs or "", "", opts,
                                    alt=bool(sfx))
    return out


def calibrations(entries, configs):
    """The short runs that calibrate each runtime's predictions (see the module's text)."""
    out = []
    for rt in runtimes(entries):
        es = [e for e in entries if e.runtime == rt and e.what == "workload"]
        serial = [e for e in es if e.kind == "cpu" and any(m == "serial" for m in e.models)]
        if serial:
            out.append(f"{rt}|start|{serial[0].name}|serial||1|1")
        if rt == C:
            continue
        probe = next((e for e in es if CREATE_FIGURE in e.figures), None)
        if not probe:
            continue
        used = dict.fromkeys((c.model, c.variant) for c in configs
                             if c.runtime == rt and "coexist" in c.caps)
        for m, v in used:
            if (f"{m}/{v}" if v else m) in probe.models:
                out += [f"{rt}|create|{probe.name}|{m}|{v}|{u}|" for u in CREATE_UNITS]
    return out


# ---------------------------------------------------------------- prediction

@dataclass(frozen=True)
class Host:
    """The constants of `cvp --machine` (seconds), what the serial references took, and what
    the calibration runs measured."""
    syscall: float = 250e-9
    page_fault: float = 2e-6
    swapcontext: float = 350e-9
    thread: float = 40e-6
    fork: float = 150e-6
    # (runtime, workload, size, in-process wall, whole process) of each serial reference
    refs: tuple = ()
    # (runtime, what, model, variant, units, seconds per unit, whole process) of each
    # calibration run (see calibrations())
    calib: tuple = ()

    def scaled(self, k):
        """The same host, every constant and measurement k times slower (for the planner
        test)."""
        return Host(self.syscall * k, self.page_fault * k, self.swapcontext * k, self.thread * k,
                    self.fork * k, tuple((rt, w, s, wall * k, proc * k)
                                         for rt, w, s, wall, proc in self.refs),
                    tuple((rt, what, m, v, u, per * k, proc * k)
                          for rt, what, m, v, u, per, proc in self.calib))


UNITS = {"ns": 1e-9, "µs": 1e-6, "us": 1e-6, "ms": 1e-3, "s": 1.0}
CONSTANT_FIELDS = {"syscall_ns": "syscall", "page_fault_us": "page_fault",
                   "swapcontext_ns": "swapcontext", "thread_create_us": "thread",
                   "fork_us": "fork"}


def read_host(constants, references, calibration=""):
    vals = {}
    if constants:
        with open(constants, newline="", encoding="utf-8") as f:
            for r in csv.DictReader(f):
                if r["constant"] in CONSTANT_FIELDS and r["value"]:
                    vals[CONSTANT_FIELDS[r["constant"]]] = float(r["value"]) * UNITS[r["unit"]]
    refs = []
    if references:
        with open(references, newline="", encoding="utf-8") as f:
            refs = [(r.get("runtime") or C, r["workload"], int(r["size"]), float(r["wall_s"]),
                     float(r["process_s"])) for r in csv.DictReader(f)]
    calib = []
    if calibration:
        with open(calibration, newline="", encoding="utf-8") as f:
            calib = [(r["key"], r["what"], r["model"], r["variant"], int(r["units"]),
                      float(r["us_per_unit"] or 0) * 1e-6, float(r["process_s"]))
                     for r in csv.DictReader(f) if r["process_s"]]
    return Host(**vals, refs=tuple(refs), calib=tuple(calib))


def start_s(h, runtime=C):
    """A process of the runtime: its own start as calibrated; else, for cvp, exec, the
    loader's page faults, hwloc's topology and hyperfine's share from the constants."""
    got = [proc for rt, what, *_, proc in h.calib if rt == runtime and what == "start"]
    if got:
        return min(got)
    return 4e-3 + 20000 * h.syscall + 500 * h.page_fault


def create_per_unit_s(h, runtime, model, variant):
    """A runtime's calibrated seconds to create, start and reap one unit of a model (and
    variant, else its default): the slope between its calibration runs' total creation times;
    None where it was not calibrated."""
    runs = {}
    for rt, what, m, v, units, per, _ in h.calib:
        if rt == runtime and what == "create":
            runs.setdefault((m, v), []).append((units, units * per))
    got = runs.get((model, variant), runs.get((model, "")))
    if not got:
        return None
    (u0, t0), (u1, t1) = min(got), max(got)
    return max((t1 - t0) / (u1 - u0), 0.0) if u1 > u0 else t1 / u1


def create_s(h, c, units):
    """Creating, releasing and reaping `units` units of configuration c's model."""
    caps = c.caps
    if not units or "coexist" not in caps:
        return 0.0
    # processes: fork grows dearer with the number of processes (page tables to copy)
    grows = 1.1 + units / 10000 if "shared" not in caps else 1.0
    per = create_per_unit_s(h, c.runtime, c.model, c.variant)
    if per is not None:
        return units * per * grows
    if c.stackless:  # a struct queued
        return units * 2 * h.syscall
    if "shared" not in caps:
        return units * h.fork * grows
    if "block" in caps:  # threads of their own
        return units * h.thread * 1.8
    return units * (1.7 * h.page_fault + 2 * h.swapcontext)  # coroutine stacks, first switch


def one_run_s(c, h, p):
    units = c.units if isinstance(c.units, int) else 2
    ref = {w: (s, wall, proc) for rt, w, s, wall, proc in h.refs if rt == c.runtime}
    base = start_s(h, c.runtime) + create_s(h, c, units)
    if c.group == "cpu":
        if c.workload in ref:
            size, wall, proc = ref[c.workload]
            wall *= c.size / size
            # the reference also verified
            prepare = max(0.0, proc - start_s(h, c.runtime) - 2 * wall)
        else:  # descriptors size their default to about half a second under serial
            wall, prepare = 0.5 * c.size / max(c.default_size, 1), 0.0
        speedup = min(c.cores, units) if "parallel" in c.caps else 1
        return base + prepare + wall / speedup
    if c.group in ("io", "pool", "beside"):
        delay = float(c.delay_ms or 0) / 1000
        rounds = int(c.size or 1) * math.ceil(int(c.tasks) / units)
        waits = int(c.tasks) * int(c.size or 1)
        # CPU work between waits (about 0.5 µs an op on this kind of host), on the cores the
        # model can use
        cores = min(units, c.cores) if "parallel" in c.caps else 1
        wall = rounds * delay * 1.05 + waits * (wait_s(c, units) + c.work * 0.5e-6 / cores)
        if c.group == "beside":
            if c.runtime != C and "block" in c.caps and "shared" in c.caps:
                # an interpreter's threads: each round trip waits for the lock behind each
                # busy thread (~6 ms a busy thread here: CPython's 5 ms switch interval)
                wall = rounds * (delay * 1.05 + (units - 1) * 6e-3) * 1.4
            else:  # the busy units' ops are verified serially afterwards
                wall *= int(c.units)
        return base + wall
    if c.group == "pattern":  # descriptors size their default to about half a second serially
        size = int(c.size or c.default_size or 1)
        work = 0.5 * size / max(c.default_size, 1) * (int(c.tasks) if c.size_per == "task" else 1)
        return base + work / (min(units, c.cores) if "parallel" in c.caps else 1)
    if c.plan == "placement":  # hand-offs between two units
        turns = int(c.size or c.default_size or 100000)
        if c.variant == "spin":  # no kernel: a cache line between two cores
            per = 200e-9
        elif c.runtime != C:  # an interpreter's locks and pipes (fitted to runs here)
            per = 15e-6 if c.cores == 1 else 60e-6
        elif "block" not in c.caps:  # a direct switch
            per = 1.3 * h.swapcontext
        elif c.cores == 1:  # two system calls and a sleep and a wake on one core
            per = 1.5e-6 + 2 * h.syscall
        else:  # the same, waking an idle core (tens of µs on a virtual CPU)
            per = 20e-6 + 10 * h.syscall
        return base + turns * per
    # memory or spawn probe: the kernel's figures settle, /proc of every process is read
    per_unit_proc = 100e-6 if "shared" not in c.caps else 0.0
    return base + 0.04 + units * per_unit_proc


def wait_s(c, units):
    """What one wait costs a unit besides the wait itself: the seam's system calls and the
    wake-up in C, ten times that in the interpreter (fitted to runs here). An interpreter's
    threads share one lock to run (CPython's GIL): every waiter for it wakes each switch
    interval (5 ms) to ask for it, so each wait costs more the more threads there are — here
    3 × 100 ms sleeps took 0.4 s on 1 000 threads, 4.2 s on 2 000 and 20 s on 4 000."""
    if c.runtime == C:
        return 10e-6
    if "block" in c.caps and "shared" in c.caps:
        return WAIT_OTHER_S + units * 0.4e-6
    return WAIT_OTHER_S


def series_floor(x):
    """The largest of 1, 2, 5, 10, 20, 50 ... not above x (at least 2)."""
    best = 2
    for k in range(0, 9):
        for m in (1, 2, 5):
            if m * 10 ** k <= x:
                best = max(best, m * 10 ** k)
    return best


def fit_probes(configs, h, p):
    """A probe's units cut to as many as its runtime creates within the profile's time for a
    probe (fresh interpreters take tens of milliseconds each); its name says the count."""
    out = []
    for c in configs:
        if c.plan == "probe" and isinstance(c.units, int) and c.units > 2:
            per = create_s(h, c, 1)
            if per * c.units > p.probe_create_s:
                u = min(c.units, series_floor(p.probe_create_s / per))
                c = replace(c, name=c.name.removesuffix(f"-u{c.units}") + f"-u{u}", units=u,
                            tasks=u)
        out.append(c)
    return out


def predict(configs, h, p):
    return [replace(c, predicted_s=(c.warmup + c.runs) * one_run_s(c, h, p) if c.runs else 0.0)
            for c in configs]


def total_s(configs, h):
    measured = sum(r[-1] for r in h.refs) + sum(r[-1] for r in h.calib)
    return FIXED_S + measured + sum(c.predicted_s for c in configs)


def fit_budget(configs, h, p, budget):
    """Cuts until the predicted total fits: counted runs to MIN_RUNS; then the configurations
    the table can do without, in three tiers, dearest first within each: (1) a sweep's unit
    counts past its two smallest, a pattern's variants past its first, the serial baselines
    measured again or given more than one core; (2) a model's variants in CPU-bound runs; (3) the other values of a
    model's choice (--switch asm) and a model's variants in the probes (what a unit costs
    started another way). Returns the configs and the cuts' lines."""
    notes = []
    if total_s(configs, h) <= budget:
        return configs, notes
    before = total_s(configs, h)
    configs = predict([replace(c, runs=min(c.runs, MIN_RUNS),
                               cut=f"runs {c.runs} to {MIN_RUNS}" if c.runs > MIN_RUNS else "")
                       for c in configs], h, p)
    notes.append(f"predicted {before:.0f} s > budget {budget:.0f} s: counted runs cut to "
                 f"{MIN_RUNS} ({total_s(configs, h):.0f} s)")
    smallest = {}
    for c in sorted((c for c in configs if c.group == "io"), key=lambda c: c.units):
        smallest.setdefault((c.runtime, c.workload, c.model, c.variant), []).append(c.units)

    def tier(c):
        if c.group == "io" and c.units not in smallest[c.runtime, c.workload, c.model,
                                                        c.variant][:2]:
            return 1
        if c.alt and c.group in ("pattern", "cpu"):
            return 1
        if c.group == "cpu" and "coexist" not in c.caps and c.cores > 1:
            return 1  # the serial baseline given more cores: a control, it uses one
        if c.model_variant and c.group == "cpu":
            return 2
        return 3 if c.alt or c.model_variant else 0
    # last popped first: tier 1 before 2 before 3, dearest first, of equals the more units
    optional = sorted((c for c in configs if c.runs and tier(c)),
                      key=lambda c: (-tier(c), c.predicted_s,
                                     c.units if isinstance(c.units, int) else 0))
    cut = set()
    while total_s([c for c in configs if c.name not in cut], h) > budget and optional:
        big = optional.pop()
        cut.add(big.name)
        notes.append(f"{big.name}: not run: predicted {big.predicted_s:.1f} s would pass the "
                     f"budget of {budget:.0f} s (BUDGET)")
    configs = [replace(c, runs=0, predicted_s=0.0, cut=f"not run: predicted {c.predicted_s:.1f} "
                       f"s would pass the budget of {budget:.0f} s (BUDGET)")
               if c.name in cut else c for c in configs]
    if total_s(configs, h) > budget:
        notes.append(f"still predicted {total_s(configs, h):.0f} s: nothing more to cut")
    return configs, notes


def names(arg, valid, what):
    """A comma-separated subset, or exit 2 naming the unknown one."""
    if not arg:
        return None
    got = [x for x in arg.split(",") if x]
    for x in got:
        if x not in valid:
            print(f"bench: {what}: unknown '{x}' (valid: {', '.join(valid)})", file=sys.stderr)
            sys.exit(2)
    return set(got)


def main():
    ap = argparse.ArgumentParser(description="The matrix of make bench, from cvp --list.")
    ap.add_argument("lists", nargs="+", metavar="[KEY=]LIST.csv")
    ap.add_argument("--profile", choices=sorted(PROFILES), required=True)
    ap.add_argument("--ncores", type=int, required=True)
    ap.add_argument("--workloads", default="")
    ap.add_argument("--models", default="")
    ap.add_argument("--constants", default="")
    ap.add_argument("--references", default="")
    ap.add_argument("--calibration", default="")
    ap.add_argument("--calibrations", action="store_true",
                    help="print the calibration runs instead of the plan")
    ap.add_argument("--budget", default="", help="seconds (default: the profile's)")
    a = ap.parse_args()
    entries = read_lists(a.lists)
    ws = names(a.workloads, list(dict.fromkeys(e.name for e in entries if e.what == "workload")),
               "WORKLOADS")
    ms = names(a.models, list(dict.fromkeys(e.name for e in entries if e.what == "model")),
               "MODELS")
    p = PROFILES[a.profile]
    try:
        budget = float(a.budget) if a.budget else p.budget_s
        if not budget > 0:
            raise ValueError
    except ValueError:
        print(f"bench: BUDGET: '{a.budget}' is not a positive number of seconds",
              file=sys.stderr)
        sys.exit(2)
    configs = plan(entries, p, a.ncores, ws, ms)
    if not configs:
        print("bench: nothing to run: no workload of WORKLOADS runs under MODELS", file=sys.stderr)
        sys.exit(2)
    if a.calibrations:
        print("\n".join(calibrations(entries, configs)))
        return
    h = read_host(a.constants, a.references, a.calibration)
    configs, notes = fit_budget(predict(fit_probes(configs, h, p), h, p), h, p, budget)
    for n in notes:
        print(f"bench: budget: {n}", file=sys.stderr)
    print(f"bench: predicted {total_s(configs, h):.0f} s for {sum(1 for c in configs if c.runs)} "
          f"configurations (budget {budget:.0f} s)", file=sys.stderr)
    print("\n".join(c.line() for c in configs))


if __name__ == "__main__":
    main()
