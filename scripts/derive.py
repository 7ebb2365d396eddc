"""derive.py — the figures derived from one results folder, computed once and written to
RESULTS/derived/*.csv, which the gnuplot scripts and the table read by column name:
speedup.csv (CPU-bound work vs the serial 1-core run measured nearest before it), io.csv and
pool.csv (overlap of IO waits; a pool's slowdown against one unit per task), the probes' files
(probes.py: memory.csv, spawn.csv, switch.csv and the observations the rules read), beside.csv
(one unit's waits beside K busy ones: the convoy), patterns.csv (every figure of the notes'
patterns), runtimes.csv (the speedup series the rules pick to set the runtimes side by side),
workloads.csv (every workload's headline figure, whatever workloads ran), constants.csv (the
host's) and timing.csv (each configuration's time, spread, CPU busy and steal, and whether it
was noisy). Which workloads these cover comes from the plan's groups and the rows' kinds, never
from a list of names.

Every figure carries its median over the counted runs (the bare name), its best run (_best)
and its coefficient of variation (_cv; stats.py); _min and _max, where a plot draws error
bars."""
import csv
import math
import os

from probes import COST_FILES, Derived, label, model_variant, observed, probe_figure
from results import DEFAULT_RUNTIME, GROUP_KIND, Figure
from stats import cols, cv, ratio_cv, spread

# Per-run figures the binary reports beside a run's time, carried into speedup.csv and io.csv
# where the rows have them: the last unit's start after the release minus the first's, and the
# minor page faults taken inside the timed interval (both: lower is better).
BESIDE = ("start_skew_us", "minflt")


def ideal_io(st):
    """Completion time if every wait overlapped: the busiest unit's waits times the delay.
    For IO workloads --size is per task."""
    units, tasks, size, delay = (float(st[k] or "nan") for k in ("units", "tasks", "size",
                                                                  "delay_ms"))
    if not all(x > 0 for x in (units, tasks, size, delay)):
        return None
    return math.ceil(tasks / units) * size * delay / 1000


def beside(run, c):
    """start_skew_us and minflt of a configuration: median, best, cv each."""
    return [x for col in BESIDE for x in spread(run.values(c, col))]


def process(hf, hf1):
    """hyperfine's whole-process time: median, best, cv, mean and stddev, and the speedup over
    the baseline's process (median, best, cv), where there is a baseline."""
    t = hf["times"]
    own = (*spread(t), hf["mean"], hf["stddev"])
    if not hf1:
        return (*own, "", "", "")
    t1 = hf1["times"]
    return (*own, spread(t1)[0] / spread(t)[0], min(t1) / min(t), ratio_cv(cv(t1), cv(t)))


PROCESS = cols("process_s") + ("process_s_mean", "process_s_stddev") + cols("process_speedup")


def baselines(run, st):
    """The serial 1-core configurations of a CPU-bound row's runtime and workload that have
    runs, in plan order: the first measurement and each re-measurement."""
    return [b for b in run.find(group="cpu", runtime=st["runtime"], workload=st["workload"],
                                model="serial", cores=1) if run.values(b, "wall_s")]


def baseline(run, c, bases):
    """The baseline a configuration divides by: the serial 1-core run measured nearest before
    it in plan order, so slow drift of the machine (another guest, the temperature) reaches
    both sides of a ratio alike; where none was measured before it, the first one after."""
    before = [b for b in bases if run.position(b) <= run.position(c)]
    return before[-1] if before else (bases[0] if bases else None)


def speedup(run):
    rows = []
    for c in run.find(group="cpu"):
        st = run.status[c]
        t = run.values(c, "wall_s")
        if not t:
            continue
        bases = baselines(run, st)
        base = baseline(run, c, bases)
        # The k-th measurement of the baseline is repeat k; every other row is 1 (plots draw
        # the first only).
        repeat = bases.index(c) + 1 if c in bases else 1
        t1 = run.values(base, "wall_s") if base else []
        if t1:
            # Best of runs: interference from other processes only ever adds time. The bar
            # reaches down to the slowest run; the ratio of medians is the figure itself.
            sp = (spread(t1)[0] / spread(t)[0], min(t1) / min(t),
                  0.0 if base == c else ratio_cv(cv(t1), cv(t)), min(t1) / max(t),
                  min(t1) / min(t))
        else:
            sp = ("",) * 5
        rows.append([st["runtime"], st["workload"], st["model"], st["variant"], st["cores"],
                     st["size"], c, base or "", repeat, len(t), *spread(t), min(t), max(t), *sp,
                     st["cores"], *spread(run.values(c, "cpu_util"), "higher"), *beside(run, c),
                     *process(run.hf[c], run.hf.get(base))])
    return Derived(("runtime", "workload", "model", "variant", "cores", "size", "config",
                    "baseline",
                    "repeat", "runs") + cols("wall_s") + ("wall_s_min", "wall_s_max")
                   + cols("speedup") + ("speedup_lo", "speedup_hi", "ideal") + cols("cpu_util")
                   + tuple(f for b in BESIDE for f in cols(b)) + PROCESS, rows)


def one_per_task(run, st):
    """The run of the same waits with one unit per task (the pool's reference), or None."""
    for c in run.find(group=st["group"], runtime=st["runtime"], workload=st["workload"],
                      tasks=st["tasks"], size=st["size"], delay_ms=st["delay_ms"]):
        if float(run.status[c]["units"]) >= float(st["tasks"]) and run.values(c, "wall_s"):
            return c
    return None


def overlap(run, group):
    """IO waits: completion time, overlap (ideal ÷ the median time; best: ÷ the fastest run;
    cv over the runs' own overlaps) and waits in flight (overlap × units). A pool's rows also
    carry their slowdown: completion time ÷ that of the same waits with one unit per task."""
    rows = []
    pool = group == "pool"
    for c in run.find(group=group):
        t, st = run.values(c, "wall_s"), run.status[c]
        ideal = ideal_io(st)
        if not t or ideal is None:
            continue
        units = float(st["units"])
        ov = [ideal / x for x in t]
        med = spread(t)[0]
        row = [st["runtime"], st["workload"], st["model"], st["units"], st["tasks"],
               st["delay_ms"], c, len(t), *spread(t), min(t), max(t), ideal,
               ideal / med, ideal / min(t), cv(ov), ideal / med * units, ideal / min(t) * units,
               cv(ov), *beside(run, c), *process(run.hf[c], None)[:5]]
        if pool:
            ref = one_per_task(run, st)
            r = run.values(ref, "wall_s") if ref else []
            row += ([med / spread(r)[0], min(t) / min(r),
                     0.0 if ref == c else ratio_cv(cv(t), cv(r)), ref] if r else ["", "", "", ""])
        rows.append(row)
    return Derived(("runtime", "workload", "model", "units", "tasks", "delay_ms", "config",
                    "runs") + cols("wall_s") + ("wall_s_min", "wall_s_max", "ideal_s")
                   + cols("overlap") + cols("in_flight")
                   + tuple(f for b in BESIDE for f in cols(b)) + PROCESS[:5]
                   + (cols("slowdown") + ("slowdown_reference",) if pool else ()), rows)


# A pattern whose rows name no figure of their own is judged by the cores it kept busy: its
# children's CPU counts in its row.
BUSY = Figure("cpu_util", "cores", "higher")


def judged(run, c, headlines=None):
    """(Figure, values) a probe or pattern configuration is shown by: the figure a rule judges
    its workload by (headlines: {workload: figure}), else its list's first, else a fixed
    column; a pattern without any, the cores it kept busy."""
    st = run.status[c]
    fig, vals = probe_figure(run, st["workload"], c, (headlines or {}).get(st["workload"]))
    if not vals and st["group"] == "pattern":
        fig, vals = BUSY, run.values(c, BUSY.name)
    # The cores a run kept busy is a column of every row, not a figure a list names.
    return (BUSY if fig and fig.name == BUSY.name else fig), vals


def workloads(run, speed, io, side, headlines=None):
    """Every workload's headline figure per configuration: cpu, the speedup at N cores (median
    ratio, fastest runs, cv); io, the overlap at the largest unit count that ran; probe and
    pattern, the figure a rule judges it by or the workload names (median, best and cv over
    runs); beside, the waiting unit's 99th-percentile wait per count of busy units."""
    rows = []
    head = ("runtime", "workload", "kind", "model", "variant", "units", "cores", "busy", "config",
            "params", "figure", "unit", "better", "value", "value_best", "value_cv", "runs")
    for r in speed.records():
        if int(r["cores"]) == run.cores and r["speedup"] != "" and r["repeat"] == 1:
            rows.append([r["runtime"], r["workload"], "cpu", r["model"], r["variant"], "",
                         r["cores"], "", r["config"], run.params(r["config"]), "speedup", "×",
                         "higher", r["speedup"], r["speedup_best"], r["speedup_cv"], r["runs"]])
    largest = {}
    for r in io.records():
        key = (r["runtime"], r["workload"], r["model"])
        if key not in largest or r["units"] > largest[key]["units"]:
            largest[key] = r
    for r in largest.values():
        rows.append([r["runtime"], r["workload"], "io", r["model"], "", r["units"], "", "",
                     r["config"], run.params(r["config"]), "overlap", "", "higher",
                     r["overlap"], r["overlap_best"], r["overlap_cv"], r["runs"]])
    for c in run.find(group="probe") + run.find(group="pattern"):
        st = run.status[c]
        fig, vals = judged(run, c, headlines)
        if not vals:
            continue
        rows.append([st["runtime"], st["workload"], st["group"], st["model"],
                     st["variant"], st["units"], st["cores"], "", c, run.params(c), fig.name,
                     fig.unit, fig.better, *spread(vals, fig.better), len(vals)])
    # One waiting unit beside busy ones: its 99th-percentile wait at each count of busy units.
    for r in side.records():
        if r["wait_p99_us"] != "":
            rows.append([r["runtime"], r["workload"], "beside", r["model"], r["variant"],
                         r["units"], "", r["busy"], r["config"], run.params(r["config"]),
                         "wait_p99_us", "µs", "lower", r["wait_p99_us"], r["wait_p99_us_best"],
                         r["wait_p99_us_cv"], r["runs"]])
    # In the order the configurations were planned, so the table's rows follow the plan.
    first = {}
    for c, st in run.status.items():
        first.setdefault((st["runtime"], st["workload"]), len(first))
    rows.sort(key=lambda r: first.get((r[0], r[1]), len(first)))
    return Derived(head, rows)


def constants(run):
    """The host's constants of this run (none for a run that predates them): each the median of
    cvp --machine's timed batches; there are no per-batch values here to give a cv."""
    head = ("constant", "value", "unit", "what")
    return Derived(head, [[c.name, "" if c.value is None else c.value, c.unit, c.what]
                          for c in run.constants.values()])


def headline_values(run, c, headlines=None):
    """(figure, values) a configuration is judged noisy by: its in-process time for CPU-bound
    and IO work, its headline figure for a probe or a pattern."""
    st = run.status[c]
    if GROUP_KIND.get(st["group"]) == "probe":
        fig, vals = judged(run, c, headlines)
        return (fig.name if fig else ""), vals
    return "wall_s", run.values(c, "wall_s")


def timing(run, cutoffs=None, headlines=None):
    """Each configuration's predicted and actual seconds (plan.py, bench.sh) and log2 of their
    ratio; the spread of its figure over its counted runs, the CPU busy and steal time of all
    PUs while it ran (status.csv), and noisy = 1 where that cv passes its kind's cut-off
    (cutoffs, {kind: fraction}: rule N's record)."""
    head = ("config", "group", "kind", "status", "runs", "figure", "cv", "busy_pct", "steal_pct",
            "noisy", "predicted_s", "actual_s", "log2_actual_over_predicted")
    rows = []
    for c, st in run.status.items():
        p, a = st.get("predicted_s") or "", st.get("actual_s") or ""
        ratio = math.log2(float(a) / float(p)) if p and a and float(p) > 0 and float(a) > 0 \
            and st["status"] != "cut" else ""
        kind = GROUP_KIND.get(st["group"], "")
        fig, vals = headline_values(run, c, headlines) if st["status"] == "ok" else ("", [])
        v = cv(vals)
        noisy = "" if v == "" or not cutoffs or kind not in cutoffs else int(v > cutoffs[kind])
        rows.append([c, st["group"], kind, st["status"], len(vals), fig, v,
                     st.get("busy_pct") or "", st.get("steal_pct") or "", noisy, p, a, ratio])
    return Derived(head, rows)


def busy_units(run, st):
    """How many busy units a configuration of the beside group ran beside the waiting one: its
    units less those of the roles its list fixes (echo:1), else less the fewest units of its
    series (K = 0)."""
    e = run.catalogue_of(st["runtime"]).get(st["workload"])
    fixed = sum(e.roles.values()) if e and e.roles else None
    if fixed is None:
        fixed = min(int(float(run.status[c]["units"])) for c in run.find(
            group="beside", runtime=st["runtime"], workload=st["workload"], model=st["model"],
            variant=st["variant"]))
    return int(float(st["units"])) - fixed


def runtime_label(run, st):
    """A model's name where several runtimes share a plot: C's with 'C' before it."""
    name = label(run, st, True)
    return f"C {name}" if st["runtime"] == DEFAULT_RUNTIME else name


WAITS = ("wait_p50_us", "wait_p99_us")


def beside_waits(run):
    """One unit waiting (round trips to the delay server) beside K busy ones: per configuration
    its median and 99th-percentile wait (each: median over runs, best, cv, lowest and highest
    run) and the cores the run kept busy; series numbers one line per runtime, model, variant
    and options (params) within a workload, for its plot."""
    rows, series = [], {}
    ran = [c for c in run.find(group="beside") if run.values(c, "wall_s")]
    # A model's configurations that differ in their options (the busy units' work) are told
    # apart by them.
    opts = {}
    for c in ran:
        st = run.status[c]
        opts.setdefault((st["runtime"], st["workload"], st["model"], st["variant"]),
                        set()).add(run.params(c))
    for c in ran:
        st = run.status[c]
        key = (st["runtime"], st["workload"], st["model"], st["variant"])
        # Series are numbered within each workload (one plot each).
        mine = series.setdefault(st["workload"], {})
        k = mine.setdefault(key[:1] + key[2:] + (run.params(c),), len(mine) + 1)
        name = " ".join(filter(None, (
            runtime_label(run, st), st["variant"] if not model_variant(run, st) else "",
            run.params(c) if len(opts[key]) > 1 else "")))
        figs = [x for w in WAITS for x in with_ends(run.values(c, w))]
        rows.append([st["runtime"], st["workload"], st["model"], st["variant"], run.params(c), k,
                     name, busy_units(run, st), st["units"], st["delay_ms"],
                     c, len(run.values(c, "wall_s")), *figs,
                     *spread(run.values(c, "cpu_util"), "higher")])
    return Derived(("runtime", "workload", "model", "variant", "params", "series", "label",
                    "busy", "units", "delay_ms", "config", "runs")
                   + tuple(f for w in WAITS for f in cols(w) + (f"{w}_min", f"{w}_max"))
                   + cols("cpu_util"), rows)


def with_ends(vals, better="lower"):
    """median, best, cv, lowest, highest of a figure's values (empty fields where none)."""
    return (*spread(vals, better), *((min(vals), max(vals)) if vals else ("", "")))


def patterns(run):
    """The notes' patterns: one row per configuration and figure — every figure of its rows'
    figures field, and the cores it kept busy — with its unit and direction where its runtime's
    list names them."""
    rows = []
    for c in run.find(group="pattern"):
        st = run.status[c]
        names = dict.fromkeys(k for r in run.rows.get(c, []) for k in r["figures"])
        for name in list(names) + [BUSY.name]:
            fig = run.figure(st["workload"], name, st["runtime"]) or \
                (BUSY if name == BUSY.name else Figure(name, "", ""))
            vals = (run.values(c, name) if name == BUSY.name
                    else [r["figures"][name] for r in run.rows[c] if name in r["figures"]])
            if vals:
                rows.append([st["runtime"], st["workload"], st["model"], st["variant"],
                             st["units"], st["cores"], c, run.params(c), fig.name, fig.unit,
                             fig.better, len(vals), *with_ends(vals, fig.better)])
    return Derived(("runtime", "workload", "model", "variant", "units", "cores", "config",
                    "params", "figure", "unit", "better", "runs", "value", "value_best",
                    "value_cv", "value_min", "value_max"), rows)


def runtimes_side_by_side(run, speed, picks):
    """The speedup lines that set the runtimes side by side on one plot: picks, ((runtimes,
    model, workload), ...) with runtimes "c" (the C binary) or "other" (every other runtime),
    each one series of its default variant over the cores, in the order picked; none where
    only one runtime has any."""
    rows, n = [], 0
    for which, m, w in picks:
        for rt in run.runtimes():
            if (rt == DEFAULT_RUNTIME) != (which == DEFAULT_RUNTIME):
                continue
            mine = [r for r in speed.records() if r["runtime"] == rt and r["model"] == m
                    and r["workload"] == w and r["variant"] == "" and r["repeat"] == 1
                    and r["speedup"] != ""]
            if not mine:
                continue
            n += 1
            st = run.status[mine[0]["config"]]
            name = runtime_label(run, st)
            for r in sorted(mine, key=lambda r: r["cores"]):
                rows.append([rt, w, m, n, f"{name} on {w}", int(r["cores"]), r["config"],
                             r["speedup"], r["speedup_best"], r["speedup_cv"], r["speedup_lo"],
                             r["speedup_hi"], r["cpu_util"]])
    if len({r[0] for r in rows}) < 2:  # one runtime alone: nothing to set beside
        rows = []
    return Derived(("runtime", "workload", "model", "series", "label", "cores", "config")
                   + cols("speedup") + ("speedup_lo", "speedup_hi", "cpu_util"), rows)


def derive(run, probes, cutoffs=None, headlines=None, picks=()):
    """{file name: Derived}. probes names the probe behind each probe file ({"memory.csv": ..,
    "spawn.csv": .., "switch.csv": .., and the observation files}), as the rules that read them
    name it; cutoffs, the noisy cut-off per kind (rule N's); headlines, the figure a rule judges
    a probe or pattern by ({workload: figure}); picks, the speedup series set side by side
    (runtimes_side_by_side)."""
    speed = speedup(run)
    io = overlap(run, "io")
    side = beside_waits(run)
    out = {"speedup.csv": speed, "io.csv": io, "pool.csv": overlap(run, "pool")}
    for name, workload in probes.items():
        out[name] = COST_FILES.get(name, observed)(run, workload)
    out.update({
        "beside.csv": side,
        "patterns.csv": patterns(run),
        "runtimes.csv": runtimes_side_by_side(run, speed, picks),
        "workloads.csv": workloads(run, speed, io, side, headlines),
        "constants.csv": constants(run),
        "timing.csv": timing(run, cutoffs, headlines),
    })
    return out


def fmt(x):
    """A number for a CSV: plain, compact, no exponent surprises for gnuplot."""
    if isinstance(x, float):
        return f"{x:.6g}"
    return str(x)


def write(folder, derived):
    """Writes derived/*.csv, each whole or not at all."""
    d = os.path.join(folder, "derived")
    os.makedirs(d, exist_ok=True)
    for name, table in derived.items():
        tmp = os.path.join(d, f".{name}.tmp")
        with open(tmp, "w", newline="", encoding="utf-8") as f:
            # Quotes only around a field with a comma in it (a params value): none otherwise,
            # as gnuplot reads them.
            w = csv.writer(f, lineterminator="\n")
            w.writerow(table.head)
            w.writerows([fmt(x) for x in r] for r in table.rows)
        os.replace(tmp, os.path.join(d, name))
