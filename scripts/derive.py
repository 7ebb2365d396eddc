"""derive.py — the figures derived from one results folder, computed once and written to
RESULTS/derived/*.csv, which the gnuplot scripts and the table read by column name:
speedup.csv (CPU-bound work vs the serial 1-core run measured nearest before it), io.csv and
pool.csv (overlap of IO waits; a pool's slowdown against one unit per task), the probes' files
(probes.py: memory.csv, spawn.csv, switch.csv and the observations the rules read),
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

from probes import COST_FILES, Derived, observed, probe_figure
from results import GROUP_KIND
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
        rows.append([st["runtime"], st["workload"], st["model"], st["cores"], st["size"], c,
                     base or "", repeat, len(t), *spread(t), min(t), max(t), *sp, st["cores"],
                     *spread(run.values(c, "cpu_util"), "higher"), *beside(run, c),
                     *process(run.hf[c], run.hf.get(base))])
    return Derived(("runtime", "workload", "model", "cores", "size", "config", "baseline",
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


def workloads(run, speed, io):
    """Every workload's headline figure per configuration: cpu, the speedup at N cores (median
    ratio, fastest runs, cv); io, the overlap at the largest unit count that ran; probe, the
    figure the workload names (median, best and cv over runs)."""
    rows = []
    head = ("runtime", "workload", "kind", "model", "variant", "units", "cores", "config",
            "params", "figure", "unit", "better", "value", "value_best", "value_cv", "runs")
    for r in speed.records():
        if int(r["cores"]) == run.cores and r["speedup"] != "" and r["repeat"] == 1:
            rows.append([r["runtime"], r["workload"], "cpu", r["model"], "", "", r["cores"],
                         r["config"], run.params(r["config"]), "speedup", "×", "higher",
                         r["speedup"], r["speedup_best"], r["speedup_cv"], r["runs"]])
    largest = {}
    for r in io.records():
        key = (r["runtime"], r["workload"], r["model"])
        if key not in largest or r["units"] > largest[key]["units"]:
            largest[key] = r
    for r in largest.values():
        rows.append([r["runtime"], r["workload"], "io", r["model"], "", r["units"], "",
                     r["config"], run.params(r["config"]), "overlap", "", "higher",
                     r["overlap"], r["overlap_best"], r["overlap_cv"], r["runs"]])
    for c in run.find(group="probe"):
        st = run.status[c]
        fig, vals = probe_figure(run, st["workload"], c)
        if not vals:
            continue
        rows.append([st["runtime"], st["workload"], "probe", st["model"], st["variant"],
                     st["units"], st["cores"], c, run.params(c), fig.name, fig.unit, fig.better,
                     *spread(vals, fig.better), len(vals)])
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


def headline_values(run, c):
    """(figure, values) a configuration is judged noisy by: its in-process time for CPU-bound
    and IO work, its headline figure for a probe."""
    st = run.status[c]
    if st["group"] == "probe":
        fig, vals = probe_figure(run, st["workload"], c)
        return (fig.name if fig else ""), vals
    return "wall_s", run.values(c, "wall_s")


def timing(run, cutoffs=None):
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
        fig, vals = headline_values(run, c) if st["status"] == "ok" else ("", [])
        v = cv(vals)
        noisy = "" if v == "" or not cutoffs or kind not in cutoffs else int(v > cutoffs[kind])
        rows.append([c, st["group"], kind, st["status"], len(vals), fig, v,
                     st.get("busy_pct") or "", st.get("steal_pct") or "", noisy, p, a, ratio])
    return Derived(head, rows)


def derive(run, probes, cutoffs=None):
    """{file name: Derived}. probes names the probe behind each probe file ({"memory.csv": ..,
    "spawn.csv": .., "switch.csv": .., and the observation files}), as the rules that read them
    name it; cutoffs, the noisy cut-off per kind (rule N's)."""
    speed = speedup(run)
    io = overlap(run, "io")
    out = {"speedup.csv": speed, "io.csv": io, "pool.csv": overlap(run, "pool")}
    for name, workload in probes.items():
        out[name] = COST_FILES.get(name, observed)(run, workload)
    out.update({
        "workloads.csv": workloads(run, speed, io),
        "constants.csv": constants(run),
        "timing.csv": timing(run, cutoffs),
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
