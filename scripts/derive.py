"""derive.py — the figures derived from one results folder, computed once and written to
RESULTS/derived/*.csv, which the gnuplot scripts and the table read by column name:
speedup.csv (CPU-bound work vs the serial 1-core run), io.csv and pool.csv (overlap of IO
waits), memory.csv, spawn.csv and switch.csv (the cost probes the headline rows use), and
workloads.csv (every workload's headline figure, whatever workloads ran). Which workloads
these cover comes from the plan's groups and the rows' kinds, never from a list of names."""
import math
import os
from dataclasses import dataclass

from results import DEFAULT_RUNTIME, MODELS, SHORT, HEADS, Figure

# A probe's headline figure when the binary's list does not name one, or its rows lack it
# (written before it): the first of these columns its rows fill. The last is a sum: memory a
# unit touched.
FALLBACK_FIGURES = (
    (Figure("ns_per_op", "ns", "lower"), ("ns_per_op",)),
    (Figure("spawn_us_per_unit", "µs", "lower"), ("spawn_us_per_unit",)),
    (Figure("touched_kib_per_unit", "KiB", "lower"), ("pss_kib_per_unit", "kernel_kib_per_unit")),
)
# The cost probes' columns in memory.csv: (name in the file, cvp.csv column).
MEMORY = (("vsz", "vsz_kib_per_unit"), ("rss", "rss_kib_per_unit"),
          ("pss", "pss_kib_per_unit"), ("kernel", "kernel_kib_per_unit"))


@dataclass
class Derived:
    """One derived CSV: its header and its rows (values in header order)."""
    head: tuple
    rows: list

    def records(self):
        """The rows as dicts keyed by the header; numbers stay numbers, text stays text."""
        return [dict(zip(self.head, map(as_number, r))) for r in self.rows]


def as_number(x):
    """Derived values as numbers where they are numbers (status fields arrive as text)."""
    if isinstance(x, str):
        try:
            return float(x)
        except ValueError:
            return x
    return x


def ideal_io(st):
    """Completion time if every wait overlapped: the busiest unit's waits times the delay.
    For IO workloads --size is per task."""
    units, tasks, size, delay = (float(st[k] or "nan") for k in ("units", "tasks", "size",
                                                                  "delay_ms"))
    if not all(x > 0 for x in (units, tasks, size, delay)):
        return None
    return math.ceil(tasks / units) * size * delay / 1000


def label(st, names):
    """A model's name in a plot, with its runtime when it is not the C binary's."""
    name = names.get(st["model"], st["model"])
    return name if st["runtime"] == DEFAULT_RUNTIME else f"{st['runtime']} {name}"


def speedup(run):
    rows = []
    for c in run.find(group="cpu"):
        st = run.status[c]
        s = run.stat(c, "wall_s")
        if s is None:
            continue
        base = run.find(group="cpu", runtime=st["runtime"], workload=st["workload"],
                        model="serial", cores=1)
        base = base[0] if base else None
        t1 = run.stat(base, "wall_s") if base else None
        # Best of runs: interference from other processes only ever adds time. The bar reaches
        # down to the slowest run; the median ratio is kept beside.
        sp = (t1[1] / s[1], t1[1] / s[2], t1[1] / s[1], t1[0] / s[0]) if t1 else ("",) * 4
        hf, hf1 = run.hf[c], run.hf.get(base)
        util = run.stat(c, "cpu_util")
        rows.append([st["runtime"], st["workload"], st["model"], st["cores"], st["size"],
                     len(run.rows[c]), *s, *sp, st["cores"], util[0] if util else "",
                     hf["mean"], hf["stddev"], hf["min"],
                     hf1["min"] / hf["min"] if hf1 else ""])
    return Derived(("runtime", "workload", "model", "cores", "size", "runs", "wall_s",
                    "wall_s_min", "wall_s_max", "speedup", "speedup_lo", "speedup_hi",
                    "speedup_median", "ideal", "cpu_util", "process_s", "process_s_stddev",
                    "process_s_min", "process_speedup"), rows)


def overlap(run, group):
    rows = []
    for c in run.find(group=group):
        s, st = run.stat(c, "wall_s"), run.status[c]
        ideal = ideal_io(st)
        if s is None or ideal is None:
            continue
        ov = ideal / s[0]
        rows.append([st["runtime"], st["workload"], st["model"], st["units"], st["tasks"],
                     st["delay_ms"], len(run.rows[c]), *s, ideal, ov, ov * float(st["units"]),
                     run.hf[c]["mean"], run.hf[c]["stddev"]])
    return Derived(("runtime", "workload", "model", "units", "tasks", "delay_ms", "runs",
                    "wall_s", "wall_s_min", "wall_s_max", "ideal_s", "overlap", "in_flight",
                    "process_s", "process_s_stddev"), rows)


def probe_rows(run, workload):
    """(status row, configuration) of a probe's runs, models in the table's order."""
    order = {m: k for k, m in enumerate(MODELS)}
    cs = run.find(group="probe", workload=workload)
    cs.sort(key=lambda c: (run.status[c]["runtime"] != DEFAULT_RUNTIME,
                           order.get(run.status[c]["model"], len(order))))
    return [(run.status[c], c) for c in cs]


def memory(run, workload):
    rows = []
    for st, c in probe_rows(run, workload):
        stats = [run.stat(c, col) for _, col in MEMORY]
        if all(stats):
            rows.append([st["runtime"], workload, label(st, HEADS), st["model"], st["units"],
                         *[x for s in stats for x in s]])
    return Derived(("runtime", "workload", "label", "model", "units")
                   + tuple(f"{k}{s}" for k, _ in MEMORY for s in ("", "_min", "_max")), rows)


def spawn(run, workload):
    rows = []
    for st, c in probe_rows(run, workload):
        s = run.stat(c, "spawn_us_per_unit")
        if s:
            rows.append([st["runtime"], workload, label(st, SHORT), st["model"], "",
                         st["units"], *s])
    return Derived(("runtime", "workload", "label", "model", "what", "units", "value", "value_min",
                    "value_max"), rows)


def switch(run, workload):
    rows = []
    for st, c in probe_rows(run, workload):
        s = run.stat(c, "ns_per_op")
        if s:
            where = "same-core" if st["cores"] == "1" else "cross-core"
            what = f"{st['variant']} {where}"
            rows.append([st["runtime"], workload, f"{label(st, SHORT)} {what}", st["model"],
                         what, st["cores"], *s])
    return Derived(("runtime", "workload", "label", "model", "what", "cores", "value", "value_min",
                    "value_max"), rows)


def figure_values(run, config, cols):
    """The values of one figure over a configuration's runs: from its column(s) (summed), or
    from the rows' figures field."""
    vals = []
    for r in run.rows.get(config, []):
        got = [r[k] if k in r else r["figures"].get(k) for k in cols]
        if all(v is not None for v in got):
            vals.append(sum(got))
    return vals


def probe_figure(run, workload, config):
    """(Figure, values) of a probe configuration: the figure its list.csv names first where its
    rows have it, else the first fallback column its rows fill."""
    fig = run.headline(workload)
    if fig is not None:
        vals = figure_values(run, config, (fig.name,))
        if vals:
            return fig, vals
    # Rows written before the binary reported that figure: the fixed columns.
    for fig, cols in FALLBACK_FIGURES:
        vals = figure_values(run, config, cols)
        if vals:
            return fig, vals
    return None, []


def workloads(run, speed, io):
    """Every workload's headline figure per configuration: cpu, the speedup at N cores (median
    ratio and fastest runs); io, the overlap at the largest unit count that ran; probe, the
    figure the workload names (median and best over runs)."""
    rows = []
    head = ("runtime", "workload", "kind", "model", "variant", "units", "cores", "figure", "unit",
            "better", "value", "best", "runs")
    for r in speed.records():
        if int(r["cores"]) == run.cores and r["speedup"] != "":
            rows.append([r["runtime"], r["workload"], "cpu", r["model"], "", "", r["cores"],
                         "speedup", "×", "higher", r["speedup_median"], r["speedup"], r["runs"]])
    largest = {}
    for r in io.records():
        key = (r["runtime"], r["workload"], r["model"])
        if key not in largest or r["units"] > largest[key]["units"]:
            largest[key] = r
    for r in largest.values():
        rows.append([r["runtime"], r["workload"], "io", r["model"], "", r["units"], "",
                     "overlap", "", "higher", r["overlap"], r["ideal_s"] / r["wall_s_min"],
                     r["runs"]])
    for c in run.find(group="probe"):
        st = run.status[c]
        fig, vals = probe_figure(run, st["workload"], c)
        if not vals:
            continue
        vals.sort()
        best = vals[0] if fig.better == "lower" else vals[-1]
        rows.append([st["runtime"], st["workload"], "probe", st["model"], st["variant"],
                     st["units"], st["cores"], fig.name, fig.unit, fig.better,
                     median(vals), best, len(vals)])
    # In the order the configurations were planned, so the table's rows follow the plan.
    first = {}
    for c, st in run.status.items():
        first.setdefault((st["runtime"], st["workload"]), len(first))
    rows.sort(key=lambda r: first.get((r[0], r[1]), len(first)))
    return Derived(head, rows)


def median(sorted_vals):
    n = len(sorted_vals)
    mid = n // 2
    return sorted_vals[mid] if n % 2 else (sorted_vals[mid - 1] + sorted_vals[mid]) / 2


def constants(run):
    """The host's constants of this run (none for a run that predates them)."""
    head = ("constant", "value", "unit", "what")
    return Derived(head, [[c.name, "" if c.value is None else c.value, c.unit, c.what]
                          for c in run.constants.values()])


def timing(run):
    """Each configuration's predicted and actual seconds (plan.py, bench.sh), and log2 of their
    ratio: how well the plan's budget was kept."""
    head = ("config", "status", "predicted_s", "actual_s", "log2_actual_over_predicted")
    rows = []
    for c, st in run.status.items():
        p, a = st.get("predicted_s") or "", st.get("actual_s") or ""
        ratio = math.log2(float(a) / float(p)) if p and a and float(p) > 0 and float(a) > 0 \
            and st["status"] != "cut" else ""
        rows.append([c, st["status"], p, a, ratio])
    return Derived(head, rows)


def derive(run, probes):
    """{file name: Derived}. probes names the probe behind each cost file ({"memory.csv": ..,
    "spawn.csv": .., "switch.csv": ..}), as the rules that read them name it."""
    speed = speedup(run)
    io = overlap(run, "io")
    return {
        "speedup.csv": speed,
        "io.csv": io,
        "pool.csv": overlap(run, "pool"),
        "memory.csv": memory(run, probes["memory.csv"]),
        "spawn.csv": spawn(run, probes["spawn.csv"]),
        "switch.csv": switch(run, probes["switch.csv"]),
        "workloads.csv": workloads(run, speed, io),
        "constants.csv": constants(run),
        "timing.csv": timing(run),
    }


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
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(",".join(table.head) + "\n")
            for r in table.rows:
                f.write(",".join(fmt(x) for x in r) + "\n")
        os.replace(tmp, os.path.join(d, name))
