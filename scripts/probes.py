"""probes.py — the derived files of the probe workloads, the units' own costs: memory.csv (per
unit, by part), spawn.csv and switch.csv (one bar per configuration, every runtime's, a model's
variants apart), the long file of a probe that observes rather than times (one row per figure of
its rows' figures field: the address-space experiment), and a probe's headline figure for the
per-workload section. Which probe feeds which file is the rule records' word (rules.PROBES);
nothing here names a workload. Every figure carries its median, best and cv (stats.py); the
bars' error bars use _min and _max."""
from dataclasses import dataclass

from results import DEFAULT_RUNTIME, FAMILY, MODELS, Figure, family, model_name
from stats import cols, spread

# A probe's headline figure when the binary's list does not name one, or its rows lack it
# (written before it): the first of these columns its rows fill. The last is a sum: memory a
# unit touched.
FALLBACK_FIGURES = (
    (Figure("ns_per_op", "ns", "lower"), ("ns_per_op",)),
    (Figure("spawn_us_per_unit", "µs", "lower"), ("spawn_us_per_unit",)),
    (Figure("touched_kib_per_unit", "KiB", "lower"), ("pss_kib_per_unit", "kernel_kib_per_unit")),
)
# memory.csv's parts: (name in the file, the cvp.csv columns summed). The first four are in
# every folder's rows; the kernel's parts only where the binary measured them (empty otherwise).
# touched = user PSS + kernel, what a unit costs the machine beyond the address space it reserves.
MEMORY = (("vsz", ("vsz_kib_per_unit",)), ("rss", ("rss_kib_per_unit",)),
          ("pss", ("pss_kib_per_unit",)), ("kernel", ("kernel_kib_per_unit",)),
          ("kernel_stack", ("kernel_stack_kib_per_unit",)),
          ("page_tables", ("page_tables_kib_per_unit",)), ("slab", ("slab_kib_per_unit",)),
          ("touched", ("pss_kib_per_unit", "kernel_kib_per_unit")))
MEMORY_NEEDED = 4  # rows without the first four parts are not drawn
# Beside the parts, in bytes: the objects a parked unit holds as its runtime's allocator counts
# them (CPython's tracemalloc: a suspended generator or a parked task), where its rows say.
OBJECTS = ("objects_b", ("tracemalloc_bytes_per_unit",))


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


def model_variant(run, st):
    """A configuration's variant where it is its model's own (another way to start or feed the
    units: procs' spawn), else "" (a workload's variant, as pingpong's futex)."""
    v = st["variant"]
    return v if v and v in run.own_variants(st["model"], st["runtime"]) else ""


def label(run, st, short=False):
    """A model's name in a plot, with its model variant, and its runtime's family when it is
    not the C binary's."""
    name = model_name(st["runtime"], st["model"], model_variant(run, st), short)
    if st["runtime"] == DEFAULT_RUNTIME:
        return name
    return f"{FAMILY.get(family(st['runtime']), st['runtime'])} {name}"


def probe_rows(run, workload):
    """(status row, configuration) of a probe's runs: the C binary's first, models in the
    table's order, a model's default before its variants."""
    order = {m: k for k, m in enumerate(MODELS)}
    cs = run.find(group="probe", workload=workload)
    cs.sort(key=lambda c: (run.status[c]["runtime"] != DEFAULT_RUNTIME, run.status[c]["runtime"],
                           order.get(run.status[c]["model"], len(order)),
                           run.status[c]["model"], model_variant(run, run.status[c]) != ""))
    return [(run.status[c], c) for c in cs]


def figure_values(run, config, columns):
    """The values of one figure over a configuration's runs: from its column(s) (summed), or
    from the rows' figures field."""
    vals = []
    for r in run.rows.get(config, []):
        got = [r[k] if k in r else r["figures"].get(k) for k in columns]
        if all(v is not None for v in got):
            vals.append(sum(got))
    return vals


def with_range(vals, better="lower"):
    """median, best, cv, min, max: a figure drawn with error bars."""
    return (*spread(vals, better), *((min(vals), max(vals)) if vals else ("", "")))


def choices(run, workload):
    """{config: the values of a model's choice options it ran with} where configurations of
    one model, variant and core count ran with different ones (coroutines' switch ucontext and
    asm), so each is labelled by its own; "" elsewhere."""
    groups = {}
    for st, c in probe_rows(run, workload):
        groups.setdefault((st["runtime"], st["model"], st["variant"], st["cores"]), []).append(c)
    out = {}
    for cs in groups.values():
        params = {c: dict(kv.partition("=")[::2] for kv in run.params(c).split(";") if kv)
                  for c in cs}
        differ = sorted({k for c in cs for k in params[c]
                         if len({params[o].get(k) for o in cs}) > 1})
        for c in cs:
            out[c] = " ".join(params[c].get(k, "") for k in differ)
    return out


def memory(run, workload):
    rows, chosen = [], choices(run, workload)
    for st, c in probe_rows(run, workload):
        parts = [figure_values(run, c, columns) for _, columns in MEMORY + (OBJECTS,)]
        if all(parts[:MEMORY_NEEDED]):
            # Told apart by a choice (coroutines' switch): the short name and the choice, as
            # spawn and switch say it ("ucontext coroutines" would misname the asm ones).
            name = f"{label(run, st, True)} {chosen[c]}" if chosen.get(c) else label(run, st)
            rows.append([st["runtime"], workload, name, st["model"],
                         model_variant(run, st), st["units"], c, len(run.rows[c]),
                         *[x for vals in parts for x in with_range(vals)]])
    return Derived(("runtime", "workload", "label", "model", "variant", "units", "config", "runs")
                   + tuple(f for k, _ in MEMORY + (OBJECTS,)
                           for f in cols(k) + (f"{k}_min", f"{k}_max")), rows)


BARS = ("value", "value_best", "value_cv", "value_min", "value_max")


def spawn(run, workload):
    rows, chosen = [], choices(run, workload)
    for st, c in probe_rows(run, workload):
        vals = run.values(c, "spawn_us_per_unit")
        if vals:
            v = " ".join(filter(None, (model_variant(run, st), chosen.get(c))))
            rows.append([st["runtime"], workload, label(run, st, True), st["model"], v, v,
                         st["units"], c, len(vals), *with_range(vals)])
    return Derived(("runtime", "workload", "label", "model", "what", "variant", "units", "config",
                    "runs") + BARS, rows)


def switch(run, workload):
    rows, chosen = [], choices(run, workload)
    for st, c in probe_rows(run, workload):
        vals = run.values(c, "ns_per_op")
        if vals:
            where = "same-core" if st["cores"] == "1" else "cross-core"
            what = " ".join(filter(None, (st["variant"], chosen.get(c), where)))
            rows.append([st["runtime"], workload, f"{label(run, st, True)} {what}", st["model"],
                         what, st["variant"], st["cores"], c, len(vals), *with_range(vals)])
    return Derived(("runtime", "workload", "label", "model", "what", "variant", "cores", "config",
                    "runs") + BARS, rows)


def observed(run, workload):
    """A probe that observes something (did the reader see the write?) rather than timing it:
    one row per configuration and figure of its rows' figures field, with the options it ran
    with (params), its median, best (where list.csv gives the figure a direction), cv, and the
    lowest and highest run: a 0/1 observation is consistent when those two agree."""
    rows = []
    for st, c in probe_rows(run, workload):
        e = run.catalogue_of(st["runtime"]).get(workload) or run.catalogue.get(workload)
        better = {f.name: f.better for f in e.figures} if e else {}
        names = dict.fromkeys(k for r in run.rows.get(c, []) for k in r["figures"])
        for name in names:
            vals = figure_values(run, c, (name,))
            rows.append([st["runtime"], workload, st["model"], st["variant"], st["units"],
                         st["cores"], c, run.params(c), name, len(vals),
                         *with_range(vals, better.get(name, ""))])
    return Derived(("runtime", "workload", "model", "variant", "units", "cores", "config",
                    "params", "figure", "runs") + BARS, rows)


# The derived file each kind of probe file is made by; a rule's source that is not one of these
# cost files is an observation (observed()).
COST_FILES = {"memory.csv": memory, "spawn.csv": spawn, "switch.csv": switch}


def probe_figure(run, workload, config, name=None):
    """(Figure, values) of a probe configuration: the figure named (a rule's), else the one its
    runtime's list names first, where its rows have it; else the first fallback column its rows
    fill."""
    rt = run.status[config]["runtime"]
    named = (run.figure(workload, name, rt) or Figure(name, "", "")) if name else None
    for fig in (named, run.headline(workload, rt)):
        if fig is not None:
            vals = figure_values(run, config, (fig.name,))
            if vals:
                return fig, vals
    # Rows written before the binary reported that figure: the fixed columns.
    for fig, columns in FALLBACK_FIGURES:
        vals = figure_values(run, config, columns)
        if vals:
            return fig, vals
    return None, []
