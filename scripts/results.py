"""results.py — reads and checks one results folder written by scripts/bench.sh: machine.txt,
status.csv (what became of each configuration), cvp.csv (one row per counted run, of every
runtime), raw/<configuration>.json (hyperfine) and, where the run has them, list.csv (the C
binary's self-description) and list-KEY.csv (another runtime's, whose configurations are named
KEY-...), raw/constants.csv (the host's constants) and budget.txt (the plan's prediction and
cuts). Every CSV is read by header name. A missing or corrupt file raises Bad with a message
that starts with the file's path; nothing here knows any workload by name."""
import csv
import json
import math
import os
import statistics
from dataclasses import dataclass, field

# The models the original table has columns for, in its order, and what the table and the plots
# call them. A model outside these (a later one) is shown under its own name.
MODELS = ("threads", "procs", "coros")
HEADS = {"serial": "serial", "threads": "pthreads", "procs": "fork pool",
         "coros": "ucontext coroutines"}
SHORT = {"serial": "serial", "threads": "pthreads", "procs": "fork pool",
         "coros": "coroutines"}
DEFAULT_RUNTIME = "c"  # rows written before the runtime column were all the C binary's
# What another runtime's models and model variants (model/variant) are called, by the runtime's
# family (its name up to the first '-'), and how the family is written. A model or variant not
# named here is shown as "model (variant)".
FAMILY = {"cpython": "CPython"}
NAMES = {"cpython": {"serial": "serial", "threads": "threading", "procs": "multiprocessing",
                     "coros": "asyncio", "coros/generator": "generators"}}

STATUS_COLS = ("config", "group", "workload", "model", "variant", "units", "tasks", "cores",
               "size", "delay_ms", "status", "exit", "message")
# Columns of cvp.csv that must be there; the rest may change without breaking the reader.
NEEDED = ("config", "model", "workload", "units", "tasks", "cores", "size", "delay_ms",
          "wall_s", "cpu_util", "spawn_us_per_unit", "vsz_kib_per_unit", "rss_kib_per_unit",
          "pss_kib_per_unit", "kernel_kib_per_unit", "ns_per_op", "verified")
NUMERIC = ("units", "tasks", "cores", "size", "delay_ms", "wall_s", "cpu_util",
           "spawn_us_per_unit", "vsz_kib_per_unit", "rss_kib_per_unit", "pss_kib_per_unit",
           "kernel_kib_per_unit", "ns_per_op")
# Numeric columns a newer binary writes and an older folder lacks: read where the header has
# them, absent (None) otherwise. The start skew of the units and the minor page faults inside the
# timed interval; kernel memory per unit by part (KernelStack, PageTables, SUnreclaim), whose
# sum kernel_kib_per_unit is in rows that have them (before, it also held reclaimable slab); the
# waits of an IO row and the median and 99th percentile of one wait.
OPTIONAL_NUMERIC = ("start_skew_us", "minflt", "kernel_stack_kib_per_unit",
                    "page_tables_kib_per_unit", "slab_kib_per_unit", "waits", "wait_p50_us",
                    "wait_p99_us")
KERNEL_PARTS = ("kernel_stack_kib_per_unit", "page_tables_kib_per_unit", "slab_kib_per_unit")
# status.csv's optional numbers: the plan's prediction and the actual time; CPU busy and steal
# time of all PUs over the configuration's run (/proc/stat), in per cent.
STATUS_NUMERIC = ("units", "tasks", "cores", "predicted_s", "actual_s", "busy_pct", "steal_pct")
LIST_COLS = ("what", "name", "kind", "default_size", "size_per", "options", "figures", "plans",
             "models", "description")
KINDS = ("cpu", "io", "probe")
# The plan's groups and the kind of work each runs: a pool runs IO waits on few units; one unit
# waits beside busy ones; the notes' patterns are measured like probes, by their own figures.
GROUP_KIND = {"cpu": "cpu", "io": "io", "pool": "io", "probe": "probe", "beside": "io",
              "pattern": "probe"}
# The descriptor plans (list.csv's plans column) that put a workload in each group; lists written
# before the plans were renamed said cpu and io.
GROUP_PLANS = {"cpu": ("cores", "cpu"), "io": ("units", "io"), "pool": ("pool",),
               "beside": ("beside",), "pattern": ("pattern",), "probe": ("probe", "placement")}


@dataclass(frozen=True)
class Constant:
    """One of the host's constants (cvp --machine): value None where it was not measurable."""
    name: str
    value: object
    unit: str
    what: str

    def text(self):
        """The value as prose cites it: '1,020 ns'."""
        return "n/a" if self.value is None else f"{g(self.value)} {self.unit}"


def family(runtime):
    """A runtime's family: its name up to the first '-' (cpython-3.11.2-gil: cpython)."""
    return runtime.split("-", 1)[0]


def runtime_name(runtime):
    """A runtime as prose and plots write it: C, CPython 3.11.2 (GIL)."""
    if runtime == DEFAULT_RUNTIME:
        return "C"
    fam, _, rest = runtime.partition("-")
    parts = rest.split("-")
    gil = {"gil": "GIL", "nogil": "no GIL"}.get(parts[-1]) if len(parts) > 1 else None
    version = "-".join(parts[:-1] if gil else parts)
    return " ".join(filter(None, (FAMILY.get(fam, fam), version))) + (f" ({gil})" if gil else "")


def model_name(runtime, model, variant="", short=False):
    """What the table and the plots call a runtime's model (and model variant): C's by HEADS
    (SHORT with short), another runtime's by its family's NAMES."""
    if runtime == DEFAULT_RUNTIME:
        base = (SHORT if short else HEADS).get(model, model)
    else:
        names = NAMES.get(family(runtime), {})
        if variant and f"{model}/{variant}" in names:
            return names[f"{model}/{variant}"]
        base = names.get(model, model)
    return f"{base} ({variant})" if variant else base


def g(x, digits=3):
    """A figure with `digits` significant digits, thousands separated."""
    if x is None:
        return "?"
    if x == 0:
        return "0"
    mag = math.floor(math.log10(abs(x)))
    dec = max(0, digits - 1 - mag)
    return f"{round(x, dec):,.{dec}f}"


class Bad(Exception):
    """An input file is missing or corrupt; the message starts with its path."""


@dataclass(frozen=True)
class Figure:
    """One figure a workload reports: name (a cvp.csv column or a key of its figures column),
    unit, and whether lower or higher is better."""
    name: str
    unit: str
    better: str


@dataclass(frozen=True)
class Entry:
    """One line of list.csv: a model or a workload as the binary describes itself."""
    what: str
    name: str
    kind: str
    figures: tuple  # of Figure; the first is the workload's headline figure
    plans: tuple = ()  # the plans it enters the matrix by
    models: tuple = ()  # the models it runs under, as model or model/variant
    roles: dict = field(default_factory=dict)  # role -> units (0: the rest)
    options: dict = field(default_factory=dict)  # option -> its default (or its choices)


def read_machine(path):
    if not os.path.isfile(path):
        raise Bad(f"{path}: missing")
    info = {}
    with open(path, encoding="utf-8", errors="replace") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line:
                break
            key, sep, value = line.partition(": ")
            if not sep:
                raise Bad(f"{path}:{n}: corrupt: expected 'key: value', got {line!r}")
            info[key] = value
    for key in ("host", "profile", "cpu model", "cores"):
        if key not in info:
            raise Bad(f"{path}: corrupt: no '{key}:' line")
    return info


def read_csv(path, need):
    """The rows of a CSV file as dicts keyed by its header, which must hold `need`."""
    if not os.path.isfile(path):
        raise Bad(f"{path}: missing")
    with open(path, newline="", encoding="utf-8", errors="replace") as f:
        rows = list(csv.reader(f))
    if not rows:
        raise Bad(f"{path}: corrupt: empty")
    head = rows[0]
    lost = [c for c in need if c not in head]
    if lost:
        raise Bad(f"{path}: corrupt: header lacks {', '.join(lost)}")
    out = []
    for n, r in enumerate(rows[1:], 2):
        if len(r) != len(head):
            raise Bad(f"{path}:{n}: corrupt: {len(r)} fields, the header has {len(head)}")
        out.append((n, dict(zip(head, r))))
    return out


def number(path, n, col, s):
    if s == "":
        return None
    try:
        v = float(s)
    except ValueError:
        raise Bad(f"{path}:{n}: corrupt: {col} is {s!r}, not a number") from None
    if math.isnan(v) or math.isinf(v):
        raise Bad(f"{path}:{n}: corrupt: {col} is {s!r}")
    return v


def pairs(path, n, col, s):
    """A 'name=value;name=value' field (params, figures) as a dict of strings."""
    out = {}
    for part in filter(None, s.split(";")):
        key, sep, value = part.partition("=")
        if not sep or not key:
            raise Bad(f"{path}:{n}: corrupt: {col} has {part!r}, not name=value")
        out[key] = value
    return out


def read_list(path):
    """{name: Entry} of the workloads in a list.csv, {model: its capabilities} and {model: its
    own variants} (another way to start or feed its units: its options' variant choices), the
    models in the list's order."""
    out, caps, variants = {}, {}, {}
    for n, r in read_csv(path, LIST_COLS):
        if r["what"] not in ("model", "workload"):
            raise Bad(f"{path}:{n}: corrupt: what is {r['what']!r}, not model or workload")
        if r["what"] != "workload":
            caps[r["name"]] = frozenset(r["models"].split())
            opts = dict(o.partition("=")[::2] for o in r["options"].split())
            variants[r["name"]] = frozenset(filter(None, opts.get("variant", "").split("|")))
            continue
        if r["kind"] not in KINDS:
            raise Bad(f"{path}:{n}: corrupt: kind is {r['kind']!r}, not {' or '.join(KINDS)}")
        figs = []
        for spec in r["figures"].split():
            parts = spec.split(":")
            if len(parts) != 3 or not parts[0] or parts[2] not in ("lower", "higher"):
                raise Bad(f"{path}:{n}: corrupt: figure {spec!r} is not name:unit:lower|higher")
            figs.append(Figure(*parts))
        roles = {}
        for spec in r.get("roles", "").split():
            role, _, units = spec.partition(":")
            if not units.isdigit():
                raise Bad(f"{path}:{n}: corrupt: role {spec!r} is not name:units")
            roles[role] = int(units)
        out[r["name"]] = Entry(r["what"], r["name"], r["kind"], tuple(figs),
                               tuple(r["plans"].split()), tuple(r["models"].split()), roles,
                               dict(o.partition("=")[::2] for o in r["options"].split()))
    return out, caps, variants


def read_constants(path):
    """{name: Constant} from raw/constants.csv; {} for a run that predates them."""
    if not os.path.isfile(path):
        return {}
    out = {}
    for n, r in read_csv(path, ("constant", "value", "unit", "what")):
        out[r["constant"]] = Constant(r["constant"], number(path, n, r["constant"], r["value"]),
                                      r["unit"], r["what"])
    return out


def read_hyperfine(path, name):
    if not os.path.isfile(path):
        raise Bad(f"{path}: missing (configuration {name} is recorded as ok)")
    try:
        with open(path, encoding="utf-8") as f:
            res = json.load(f)["results"][0]
        times = [float(t) for t in res["times"]]
        mean = float(res["mean"])
    except (ValueError, KeyError, IndexError, TypeError) as e:
        raise Bad(f"{path}: corrupt: not hyperfine JSON ({type(e).__name__}: {e})") from None
    if not times:
        raise Bad(f"{path}: corrupt: no timed runs")
    sd = statistics.stdev(times) if len(times) > 1 else 0.0
    return {"mean": mean, "stddev": sd, "min": min(times), "runs": len(times), "times": times}


class Run:
    """One results folder: machine facts, what became of each configuration (status rows, each
    with its runtime), per configuration the cvp rows and hyperfine's whole-process time, and the
    binary's list of workloads (list.csv, where the folder has one)."""

    def __init__(self, folder):
        self.dir = folder
        self.machine = read_machine(os.path.join(folder, "machine.txt"))
        lpath = os.path.join(folder, "list.csv")
        self.listed = os.path.isfile(lpath)
        # Folders written before the binary described itself have none: their workloads are
        # those they planned. Another runtime's list is list-KEY.csv (read once its runtime's
        # name is known, below).
        self.catalogue, self.model_caps, self.model_variants = \
            read_list(lpath) if self.listed else ({}, {}, {})
        self.lists = {DEFAULT_RUNTIME: (self.catalogue, self.model_caps, self.model_variants)}
        self.constants = read_constants(os.path.join(folder, "raw", "constants.csv"))
        bpath = os.path.join(folder, "budget.txt")
        self.budget = []  # the plan's prediction and cuts, as plan.py said them
        if os.path.isfile(bpath):
            with open(bpath, encoding="utf-8", errors="replace") as f:
                self.budget = [line.rstrip("\n") for line in f if line.strip()]
        spath = os.path.join(folder, "status.csv")
        self.status = {}
        self._order = None
        for n, r in read_csv(spath, STATUS_COLS):
            for col in STATUS_NUMERIC:
                if col in r:
                    number(spath, n, col, r[col])
            self.status[r["config"]] = r
        self.rows = {}
        ok = [c for c, r in self.status.items() if r["status"] == "ok"]
        if ok:
            self._read_rows(os.path.join(folder, "cvp.csv"))
        for c, r in self.status.items():
            # A status row may say its runtime; else its runs do; else it is the C binary's.
            if not r.get("runtime"):
                runs = self.rows.get(c)
                r["runtime"] = runs[0]["runtime"] if runs else DEFAULT_RUNTIME
        self.hf = {}
        for c in ok:
            if c not in self.rows:
                raise Bad(f"{os.path.join(folder, 'cvp.csv')}: corrupt: no rows for {c}, which "
                          "status.csv says is ok")
            self.hf[c] = read_hyperfine(os.path.join(folder, "raw", c + ".json"), c)
        self.cores = int(number(os.path.join(folder, "machine.txt"), 0, "cores",
                                self.machine["cores"]) or 1)
        for key, name in self._list_keys(folder).items():
            self.lists[name] = read_list(os.path.join(folder, f"list-{key}.csv"))

    def _list_keys(self, folder):
        """{KEY: runtime} of the folder's list-KEY.csv files: the runtime machine.txt names for
        KEY ('runtime KEY: NAME, ...'), else the one its KEY-... configurations ran."""
        keys = {}
        for f in sorted(os.listdir(folder)):
            if f.startswith("list-") and f.endswith(".csv"):
                keys[f[len("list-"):-len(".csv")]] = None
        for key in keys:
            said = self.machine.get(f"runtime {key}", "").split(",", 1)[0].strip()
            ran = [r["runtime"] for c, r in self.status.items() if c.startswith(f"{key}-")]
            keys[key] = said or (ran[0] if ran else None)
        return {k: v for k, v in keys.items() if v and v != DEFAULT_RUNTIME}

    def _read_rows(self, path):
        # Numbers are checked here, so a bad field is reported with its line; the figures a
        # list.csv names may be columns of their own.
        named = {f.name for e in self.catalogue.values() for f in e.figures}
        for n, r in read_csv(path, NEEDED):
            if r["config"] not in self.status:
                raise Bad(f"{path}:{n}: corrupt: configuration {r['config']!r} is not in "
                          "status.csv")
            for col in dict.fromkeys(NUMERIC + tuple(sorted((named | set(OPTIONAL_NUMERIC))
                                                            & r.keys()))):
                r[col] = number(path, n, col, r[col])
            r["runtime"] = r.get("runtime") or DEFAULT_RUNTIME
            r["params"] = pairs(path, n, "params", r.get("params", ""))
            r["figures"] = {k: number(path, n, f"figures {k}", v)
                            for k, v in pairs(path, n, "figures", r.get("figures", "")).items()}
            self.rows.setdefault(r["config"], []).append(r)

    def values(self, config, col):
        """A column's values over a configuration's counted runs, where filled."""
        return [r[col] for r in self.rows.get(config, []) if r.get(col) is not None]

    def stat(self, config, col):
        """(median, min, max) of a column over a configuration's runs, or None."""
        vals = self.values(config, col)
        if not vals:
            return None
        return statistics.median(vals), min(vals), max(vals)

    def params(self, config):
        """A configuration's options that travel in its rows' params column (the first row's;
        a configuration's runs share them), as 'name=value;...' in name order."""
        runs = self.rows.get(config) or [{}]
        return ";".join(f"{k}={v}" for k, v in sorted(runs[0].get("params", {}).items()))

    def position(self, config):
        """A configuration's place in plan order (status.csv is written in it)."""
        if self._order is None:
            self._order = {c: k for k, c in enumerate(self.status)}
        return self._order[config]

    def find(self, **want):
        """Configurations (names) whose status fields equal want, in file order."""
        return [c for c, r in self.status.items()
                if all(r[k] == str(v) for k, v in want.items())]

    def why(self, config):
        """Why a configuration has no data: its status and message, or 'not in this run'."""
        r = self.status.get(config)
        if r is None:
            return "not in this run"
        return f"{r['status']}: {r['message']}" if r["message"] else r["status"]

    def runtimes(self):
        """The runtimes of this run, the C binary's first, then in file order."""
        seen = dict.fromkeys(r["runtime"] for r in self.status.values())
        return sorted(seen, key=lambda rt: rt != DEFAULT_RUNTIME)

    def kind(self, workload):
        """A workload's kind: what its rows say, else the binary's list, else its plan group."""
        for c in self.find(workload=workload):
            for r in self.rows.get(c, []):
                if r.get("kind") in KINDS:
                    return r["kind"]
        if workload in self.catalogue:
            return self.catalogue[workload].kind
        groups = [self.status[c]["group"] for c in self.find(workload=workload)]
        return GROUP_KIND.get(groups[0]) if groups else None

    def catalogue_of(self, runtime):
        """{workload: Entry} of a runtime's list (empty where the run has none)."""
        return self.lists.get(runtime, ({}, {}, {}))[0]

    def workloads(self, group, runtime):
        """The workloads of one plan group a runtime ran or was to run, in file order; also
        those the runtime's list enters in that group (by its plans; by its kind where the list
        names no plans) but this run did not plan, so a table can say they are missing."""
        out = dict.fromkeys(self.status[c]["workload"]
                            for c in self.find(group=group, runtime=runtime))
        for e in self.catalogue_of(runtime).values():
            if (set(e.plans) & set(GROUP_PLANS.get(group, ())) if e.plans
                    else e.kind == GROUP_KIND.get(group) and group in ("cpu", "io", "probe")):
                out.setdefault(e.name)
        return list(out)

    def caps(self, model, runtime=DEFAULT_RUNTIME):
        """A model's capabilities as the runtime's list gives them (coexist, block, parallel,
        shared, direct); empty for a run without the list."""
        return self.lists.get(runtime, ({}, {}, {}))[1].get(model, frozenset())

    def own_variants(self, model, runtime):
        """A model's own variants (another way to start or feed its units), as its list says."""
        return self.lists.get(runtime, ({}, {}, {}))[2].get(model, frozenset())

    def models(self, runtime):
        """The models of a runtime's headline columns (serial aside): the original table's
        first, then every other its list names, then any other that ran."""
        listed = list(self.lists.get(runtime, ({}, {}, {}))[1])
        ran = [self.status[c]["model"] for c in self.find(runtime=runtime)]
        known = dict.fromkeys(listed + ran)
        return [m for m in MODELS if m in known] + [m for m in known
                                                    if m not in MODELS and m != "serial"]

    def applies(self, runtime, workload, model, variant=""):
        """Whether a workload runs under a model (and variant) by the runtime's list: True,
        False, or None where the list does not say (no list, or not listed)."""
        e = self.catalogue_of(runtime).get(workload)
        if e is None or not e.models:
            return None
        names = {mv.partition("/")[0] for mv in e.models} | set(e.models)
        if variant in self.own_variants(model, runtime):
            return f"{model}/{variant}" in names
        return model in names

    def constant(self, name):
        """A host constant measured in this run, or None."""
        c = self.constants.get(name)
        return c if c and c.value is not None else None

    def headline(self, workload, runtime=DEFAULT_RUNTIME):
        """The workload's headline figure as its runtime's list names it (else the C binary's),
        or None when the list names none (the reader then falls back on fixed figure
        columns)."""
        e = self.catalogue_of(runtime).get(workload) or self.catalogue.get(workload)
        return e.figures[0] if e and e.figures else None

    def option(self, workload, name, runtime=DEFAULT_RUNTIME):
        """A workload's option's default as its runtime's list gives it, or None."""
        e = self.catalogue_of(runtime).get(workload) or self.catalogue.get(workload)
        return e.options.get(name) if e else None

    def figure(self, workload, name, runtime=DEFAULT_RUNTIME):
        """A named figure of a workload as its runtime's list gives it (else the C binary's),
        or None."""
        e = self.catalogue_of(runtime).get(workload) or self.catalogue.get(workload)
        return next((f for f in e.figures if f.name == name), None) if e else None
