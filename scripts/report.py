#!/usr/bin/env python3
"""report.py derive|table RESULTS — from one results folder written by scripts/bench.sh:
derive: writes RESULTS/derived/*.csv, the files the gnuplot scripts read;
table:  does the same and writes RESULTS/TABLE.md, the concurrency-vs-parallelism table.

Every figure comes from this folder's data; every verdict word comes from a rule printed under
the table; a cell without data says "missing" and why. A missing or corrupt input file stops
the run with a message naming the file (exit 1). Standard library only."""
import csv
import json
import math
import os
import statistics
import sys

MODELS = ("threads", "procs", "coros")  # the table's columns, in order
HEADS = ("pthreads", "fork pool", "ucontext coroutines")
SHORT = ("pthreads", "fork pool", "coroutines")  # plot labels
CPU_WORKLOADS = ("hash", "mandel", "stream")
IO_WORKLOADS = ("sleep", "echo")
STATUS_COLS = ("config,group,workload,model,variant,units,tasks,cores,size,delay_ms,status,"
               "exit,message").split(",")
# Columns of cvp.csv this script reads; the rest may change without breaking it.
NEEDED = ("config", "model", "workload", "units", "tasks", "cores", "size", "delay_ms",
          "wall_s", "cpu_util", "spawn_us_per_unit", "vsz_kib_per_unit", "rss_kib_per_unit",
          "pss_kib_per_unit", "kernel_kib_per_unit", "ns_per_op", "verified")
NUMERIC = ("units", "tasks", "cores", "size", "delay_ms", "wall_s", "cpu_util",
           "spawn_us_per_unit", "vsz_kib_per_unit", "rss_kib_per_unit", "pss_kib_per_unit",
           "kernel_kib_per_unit", "ns_per_op")


class Bad(Exception):
    """An input file is missing or corrupt; the message starts with its path."""


# ---------------------------------------------------------------- reading and checking

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
        out.append(dict(zip(head, r)))
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
    return {"mean": mean, "stddev": sd, "min": min(times), "runs": len(times)}


class Run:
    """One results folder: machine facts, what became of each configuration, and per
    configuration the cvp rows (medians, minima, maxima) and hyperfine's whole-process time."""

    def __init__(self, folder):
        self.dir = folder
        self.machine = read_machine(os.path.join(folder, "machine.txt"))
        spath = os.path.join(folder, "status.csv")
        self.status = {}
        for n, r in enumerate(read_csv(spath, STATUS_COLS), 2):
            for col in ("units", "tasks", "cores"):
                number(spath, n, col, r[col])
            self.status[r["config"]] = r
        self.rows = {}
        cpath = os.path.join(folder, "cvp.csv")
        ok = [c for c, r in self.status.items() if r["status"] == "ok"]
        if ok:
            for n, r in enumerate(read_csv(cpath, NEEDED), 2):
                if r["config"] not in self.status:
                    raise Bad(f"{cpath}:{n}: corrupt: configuration {r['config']!r} is not "
                              f"in status.csv")
                for col in NUMERIC:
                    r[col] = number(cpath, n, col, r[col])
                self.rows.setdefault(r["config"], []).append(r)
        self.hf = {}
        for c in ok:
            if c not in self.rows:
                raise Bad(f"{cpath}: corrupt: no rows for {c}, which status.csv says is ok")
            self.hf[c] = read_hyperfine(os.path.join(folder, "raw", c + ".json"), c)
        self.cores = int(number(os.path.join(folder, "machine.txt"), 0, "cores",
                                self.machine["cores"]) or 1)

    def stat(self, config, col):
        """(median, min, max) of a column over a configuration's runs, or None."""
        vals = [r[col] for r in self.rows.get(config, []) if r[col] is not None]
        if not vals:
            return None
        return statistics.median(vals), min(vals), max(vals)

    def find(self, **want):
        """Configurations (names) whose status.csv fields equal want, in file order."""
        return [c for c, r in self.status.items()
                if all(r[k] == str(v) for k, v in want.items())]

    def why(self, config):
        """Why a configuration has no data: its status and message, or 'not in this run'."""
        r = self.status.get(config)
        if r is None:
            return "not in this run"
        return f"{r['status']}: {r['message']}" if r["message"] else r["status"]


# ---------------------------------------------------------------- derived data

def ideal_io(r):
    """Completion time if every wait overlapped: the busiest unit's waits times the delay.
    For IO workloads --size is per task (workloads/sleep.c, echo.c)."""
    units, tasks, size, delay = (float(r[k] or "nan") for k in ("units", "tasks", "size",
                                                                 "delay_ms"))
    if not all(x > 0 for x in (units, tasks, size, delay)):
        return None
    return math.ceil(tasks / units) * size * delay / 1000


def derive(run):
    """Returns {file name: (header, rows)} of the derived CSVs."""
    out = {}
    rows = []
    for w in CPU_WORKLOADS:
        base = run.find(group="cpu", workload=w, model="serial", cores=1)
        base = base[0] if base else None
        t1 = run.stat(base, "wall_s") if base else None
        for c in run.find(group="cpu", workload=w):
            s, st = run.stat(c, "wall_s"), run.status[c]
            if s is None:
                continue
            # Best of runs: interference from other processes only ever adds time. The bar
            # reaches down to the slowest run; the median ratio is kept beside.
            sp = (t1[1] / s[1], t1[1] / s[2], t1[1] / s[1], t1[0] / s[0]) if t1 else ("",) * 4
            hf, hf1 = run.hf[c], run.hf.get(base)
            rows.append([w, st["model"], st["cores"], st["size"], len(run.rows[c]),
                         *s, *sp, st["cores"], run.stat(c, "cpu_util")[0] if run.stat(
                             c, "cpu_util") else "", hf["mean"], hf["stddev"],
                         hf["min"], hf1["min"] / hf["min"] if hf1 else ""])
    out["speedup.csv"] = ("workload,model,cores,size,runs,wall_s,wall_s_min,wall_s_max,"
                          "speedup,speedup_lo,speedup_hi,speedup_median,ideal,cpu_util,"
                          "process_s,process_s_stddev,process_s_min,process_speedup", rows)
    for group, name in (("io", "io.csv"), ("pool", "pool.csv")):
        rows = []
        for c in run.find(group=group):
            s, st = run.stat(c, "wall_s"), run.status[c]
            ideal = ideal_io(st)
            if s is None or ideal is None:
                continue
            ov = ideal / s[0]
            rows.append([st["workload"], st["model"], st["units"], st["tasks"], st["delay_ms"],
                         len(run.rows[c]), *s, ideal, ov, ov * float(st["units"]),
                         run.hf[c]["mean"], run.hf[c]["stddev"]])
        out[name] = ("workload,model,units,tasks,delay_ms,runs,wall_s,wall_s_min,wall_s_max,"
                     "ideal_s,overlap,in_flight,process_s,process_s_stddev", rows)
    rows = []
    cols = ("vsz_kib_per_unit", "rss_kib_per_unit", "pss_kib_per_unit", "kernel_kib_per_unit")
    for m in MODELS:
        for c in run.find(group="probe", workload="idle", model=m):
            stats = [run.stat(c, k) for k in cols]
            if all(stats):
                rows.append([m, run.status[c]["units"], *[x for s in stats for x in s]])
    out["memory.csv"] = ("model,units," + ",".join(f"{k},{k}_min,{k}_max" for k in (
        "vsz", "rss", "pss", "kernel")), rows)
    rows = []
    for m in MODELS:
        for c in run.find(group="probe", workload="spawn", model=m):
            s = run.stat(c, "spawn_us_per_unit")
            if s:
                rows.append([SHORT[MODELS.index(m)], m, "", run.status[c]["units"], *s])
    out["spawn.csv"] = ("label,model,what,units,value,value_min,value_max", rows)
    rows = []
    for m in MODELS:
        for c in run.find(group="probe", workload="pingpong", model=m):
            s, st = run.stat(c, "ns_per_op"), run.status[c]
            if s:
                where = "same-core" if st["cores"] == "1" else "cross-core"
                what = f"{st['variant']} {where}"
                rows.append([f"{SHORT[MODELS.index(m)]} {what}", m, what, st["cores"], *s])
    out["switch.csv"] = ("label,model,what,cores,value,value_min,value_max", rows)
    return out


def fmt(x):
    """A number for a CSV: plain, compact, no exponent surprises for gnuplot."""
    if isinstance(x, float):
        return f"{x:.6g}"
    return str(x)


def write_derived(run, derived):
    d = os.path.join(run.dir, "derived")
    os.makedirs(d, exist_ok=True)
    for name, (head, rows) in derived.items():
        tmp = os.path.join(d, f".{name}.tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(head + "\n")
            for r in rows:
                f.write(",".join(fmt(x) for x in r) + "\n")
        os.replace(tmp, os.path.join(d, name))


# ---------------------------------------------------------------- the table

def g(x, digits=3):
    """A figure with `digits` significant digits, thousands separated."""
    if x is None:
        return "?"
    if x == 0:
        return "0"
    mag = math.floor(math.log10(abs(x)))
    dec = max(0, digits - 1 - mag)
    return f"{round(x, dec):,.{dec}f}"


def as_number(x):
    """Derived values as numbers where they are numbers (status fields arrive as text)."""
    try:
        return float(x)
    except ValueError:
        return x


def kib(x):
    return f"{g(x / 1024)} MiB" if x >= 10240 else f"{g(x)} KiB"


class Table:
    def __init__(self, run, derived):
        self.run = run
        self.n = run.cores
        self.par = 0.75 * self.n  # the parallelism threshold: 1.5 at 2 cores
        self.d = {k: [dict(zip(h.split(","), map(as_number, r))) for r in rows]
                  for k, (h, rows) in derived.items()}
        self.missing = []  # (row, model, reason)

    def miss(self, row, m, reason):
        self.missing.append((row, m, reason))
        return f"missing ({reason})"

    def cpu_at_n(self, m):
        """{workload: speedup row at N cores} for model m."""
        return {r["workload"]: r for r in self.d["speedup.csv"]
                if r["model"] == m and int(r["cores"]) == self.n and r["speedup"] != ""}

    def why_cpu(self, m):
        cs = [c for w in CPU_WORKLOADS for c in self.run.find(group="cpu", workload=w, model=m,
                                                               cores=self.n)]
        base = [c for w in CPU_WORKLOADS for c in self.run.find(group="cpu", workload=w,
                                                                 model="serial", cores=1)]
        for c in cs + base:
            if self.run.status[c]["status"] != "ok":
                return f"{c} {self.run.why(c)}"
        return "no CPU-bound runs at N cores" if not cs else "no serial 1-core baseline"

    def io_largest(self, m, w, group="io"):
        rows = [r for r in self.d["io.csv" if group == "io" else "pool.csv"]
                if r["model"] == m and r["workload"] == w]
        return max(rows, key=lambda r: int(r["units"])) if rows else None

    def caps(self, m, w):
        """The cap message of (model, io workload), if a resource limit stopped a larger run."""
        for c in self.run.find(group="io", workload=w, model=m):
            st = self.run.status[c]
            if st["status"] == "cap":
                return f"capped at {int(float(st['units'])):,} units: {st['message']}"
        return None

    def why_io(self, m, w):
        cs = self.run.find(group="io", workload=w, model=m)
        return f"{w}: " + (self.run.why(cs[0]) if cs else "not in this run")

    # Each row method returns (cells, verdicts) with one cell per model.
    def busy(self, m):
        """The largest median cpu_util of model m's CPU-bound runs at N cores, or None."""
        u = [r["cpu_util"] for r in self.cpu_at_n(m).values() if r["cpu_util"] != ""]
        return max(u) if u else None

    def parallel(self, m, best):
        """Rule M's parallelism: speedup and busy cores both at least 0.75 x N."""
        busy = self.busy(m)
        return (self.n >= 2 and best["speedup"] >= self.par and busy is not None
                and busy >= self.par)

    def speed(self, m):
        rows = self.cpu_at_n(m)
        if not rows:
            return None, None
        best = max(rows.values(), key=lambda r: r["speedup"])
        return best, rows

    def concurrency(self, m):
        """{io workload: largest-units io row} and whether any shows waits in flight > N."""
        got = {w: self.io_largest(m, w) for w in IO_WORKLOADS}
        return {w: r for w, r in got.items() if r}

    def row_address(self):
        cells = []
        for m in MODELS:
            r = [x for x in self.d["memory.csv"] if x["model"] == m]
            if not r or not r[0]["pss"]:
                c = self.run.find(group="probe", workload="idle", model=m)
                cells.append((None, self.miss("address space", m, f"idle: {self.run.why(c[0])}"
                                                if c else "idle not in this run")))
                continue
            ratio = r[0]["rss"] / r[0]["pss"] if r[0]["pss"] > 0 else float("inf")
            v = "separate" if ratio > 1.5 else "shared"
            cells.append((v, f"{v} (RSS ÷ PSS {g(ratio)})"))
        return cells

    def row_mode(self):
        cells = []
        for m in MODELS:
            best, _ = self.speed(m)
            io = self.concurrency(m)
            words, nums, known = [], [], True
            if best is None:
                known = False
                nums.append(f"parallelism missing: {self.why_cpu(m)}")
                self.missing.append(("mode", m, self.why_cpu(m)))
            elif self.n < 2:
                nums.append(f"speedup {g(best['speedup'])}; one core, so parallelism cannot show")
            else:
                if self.parallel(m, best):
                    words.append("parallelism")
                nums.append(f"speedup {g(best['speedup'])}, {g(self.busy(m) or 0)} cores busy")
            if not io:
                known = False
                nums.append(f"concurrency missing: {self.why_io(m, 'sleep')}")
                self.missing.append(("mode", m, self.why_io(m, "sleep")))
            else:
                fl = max(io.values(), key=lambda r: r["in_flight"])
                if fl["in_flight"] > self.n:
                    words.append("concurrency")
                nums.append(f"{g(fl['in_flight'])} waits in flight")
            v = " + ".join(words) or ("neither" if known else "so far")
            cells.append((set(words) if known else None,
                          f"{v[0].upper() + v[1:]} ({'; '.join(nums)})"))
        return cells

    def row_scene(self, mode):
        cells = []
        for m, (words, _) in zip(MODELS, mode):
            best, _ = self.speed(m)
            scene, nums, known = [], [], best is not None
            if best is not None and self.parallel(m, best):
                scene.append("computing")
            for w, label in (("sleep", "I/O"), ("echo", "network")):
                r = self.io_largest(m, w)
                if r is None:
                    known = False
                    nums.append(f"{w} missing")
                    self.missing.append(("applicable scene", m, self.why_io(m, w)))
                    continue
                if r["in_flight"] > self.n:
                    scene.append(label)
                nums.append(f"{w}: {g(r['in_flight'])} in flight")
            if best is None:
                nums.append("speedup missing")
            v = ", ".join(scene) or ("none" if known else "so far none")
            cells.append((set(scene) if known else None,
                          f"{v[0].upper() + v[1:]} ({'; '.join(nums)})"))
        return cells

    def row_cores(self):
        cells = []
        for m in MODELS:
            rows = self.cpu_at_n(m)
            if not rows:
                cells.append((None, self.miss("CPU cores used", m, self.why_cpu(m))))
                continue
            u = self.busy(m)
            if u is None:
                cells.append((None, self.miss("CPU cores used", m, "no cpu_util in the rows")))
                continue
            v = "many" if u >= self.par else "one"
            cells.append((v, f"{v} ({g(u)} busy)"))
        return cells

    def row_speedup(self):
        cells = []
        for m in MODELS:
            best, rows = self.speed(m)
            if best is None:
                cells.append((None, self.miss("speedup", m, self.why_cpu(m))))
                continue
            s = best["speedup"]
            v = "yes" if s >= self.par else "no" if s < 1.2 else "partly"
            lost = [w for w in CPU_WORKLOADS if w not in rows]
            nums = ", ".join(f"{w} {g(rows[w]['speedup'])}" for w in CPU_WORKLOADS if w in rows)
            if lost:
                nums += "; missing " + ", ".join(lost)
                for w in lost:
                    c = self.run.find(group="cpu", workload=w, model=m, cores=self.n)
                    self.missing.append(("speedup", m, f"{w} at {self.n} cores: "
                                         + (self.run.why(c[0]) if c else "not in this run")))
            cells.append((v, f"{v} ({nums})"))
        return cells

    def row_overlap(self):
        cells = []
        for m in MODELS:
            parts, best = [], None
            for w in IO_WORKLOADS:
                r = self.io_largest(m, w)
                if r is None:
                    parts.append(f"{w} missing")
                    self.missing.append(("IO overlap", m, self.why_io(m, w)))
                    continue
                cap = self.caps(m, w)
                u = int(r["units"])
                parts.append(f"{w} {g(r['overlap'], 2)} at {u:,} unit{'s' if u > 1 else ''}"
                             + (f", {cap}" if cap else ""))
                best = r["overlap"] if best is None else max(best, r["overlap"])
            if best is None:
                cells.append((None, "missing (" + "; ".join(parts) + ")"))
                continue
            v = "high" if best >= 0.5 else "low"
            cells.append((v, f"{v} ({'; '.join(parts)})"))
        return cells

    def row_memory(self):
        cells = []
        for m in MODELS:
            r = [x for x in self.d["memory.csv"] if x["model"] == m]
            if not r:
                c = self.run.find(group="probe", workload="idle", model=m)
                cells.append((None, self.miss("memory per unit", m, f"idle: "
                                              f"{self.run.why(c[0])}" if c else "idle not run")))
                continue
            r = r[0]
            touched = r["pss"] + r["kernel"]
            v = ("tiny" if touched < 1 else "small" if touched < 64 else "medium"
                 if touched < 1024 else "large")
            cells.append(((v, r), f"{v}: touched {kib(touched)} (user PSS {kib(r['pss'])}, "
                          f"RSS {kib(r['rss'])}; kernel {kib(r['kernel'])}); reserved "
                          f"{kib(r['vsz'])} (VSZ), at {int(r['units']):,} units"))
        return cells

    def row_cost(self, file, row, unit, bands):
        cells = []
        for m in MODELS:
            rs = [x for x in self.d[file] if x["model"] == m]
            if not rs:
                wl = "spawn" if file == "spawn.csv" else "pingpong"
                c = self.run.find(group="probe", workload=wl, model=m)
                cells.append((None, self.miss(row, m, f"{wl}: {self.run.why(c[0])}" if c
                                              else f"{wl} not in this run")))
                continue
            low = min(x["value"] for x in rs)
            v = next(word for limit, word in bands if low < limit)
            nums = "; ".join(f"{x['what'] + ' ' if x['what'] else ''}{g(x['value'])} {unit}"
                             for x in rs)
            cells.append((v, f"{v} ({nums})"))
        return cells

    def row_pool(self):
        cells = []
        for m in MODELS:
            r = self.io_largest(m, "sleep", group="pool")
            if r is None:
                c = self.run.find(group="pool", model=m)
                cells.append((None, self.miss("IO on a pool", m, self.run.why(c[0]) if c
                                              else "not in this run")))
                continue
            v = "overlapped" if r["in_flight"] > self.n else "serialised by the pool"
            cells.append((v, f"{v} ({int(r['tasks']):,} waits of {g(r['delay_ms'])} ms on "
                          f"{int(r['units']):,} units: {g(r['wall_s'])} s, "
                          f"{g(r['in_flight'])} in flight)"))
        return cells


# The original table's claims (about CPython), per row, as (threads, procs, coros); None: none.
CLAIMS = {
    "Address space": ("shared", "separate", None),
    "Mode": ({"concurrency"}, {"parallelism"}, {"concurrency"}),
    "Applicable scene": ({"I/O", "network"}, {"computing"}, {"I/O", "network"}),
    "CPU cores used": ("one", "many", None),
    "Speedup on CPU-bound work": ("no", "yes", None),
    "Memory per unit": ("8 MB (stack)", "10–30 MB (per interpreter)", "<1 KB (per call)"),
}
CLAIM_TEXT = {
    "Address space": "Interpreter: shared / one per process / —",
    "Mode": "Concurrency / Parallelism / Concurrency",
    "Applicable scene": "I/O, network / Computing / I/O, network",
    "CPU cores used": "one / many / —",
    "Speedup on CPU-bound work": "no / yes / —",
    "Memory per unit": "8 MB (stack) / 10–30 MB (per interpreter) / <1 KB (per call)",
}


def same(row, m, verdict):
    """Whether C behaves as the CPython claim says, for one model: rule E under the table."""
    claim = CLAIMS.get(row, (None,) * 3)[MODELS.index(m)]
    if claim is None:
        return "no claim"
    if verdict is None:
        return "missing"
    if row == "Memory per unit":
        word, r = verdict
        # Threads: the claim is the reserved stack; processes and coroutines: touched memory.
        got = r["vsz"] if m == "threads" else r["pss"] + r["kernel"]
        lo, hi = {"threads": (8192, 8192), "procs": (10240, 30720), "coros": (0, 1)}[m]
        ok = lo / 2 <= got <= hi * 2 if lo else got <= hi * 2
        return "yes" if ok else f"no ({kib(got)})"
    if isinstance(claim, set):
        if verdict == claim:
            return "yes"
        if claim <= verdict:
            return "more: also " + ", ".join(sorted(verdict - claim))
        return "no: " + (", ".join(sorted(verdict)) or "neither")
    return "yes" if verdict == claim else f"no: {verdict}"


def table(run, derived):
    t = Table(run, derived)
    n, m0 = t.n, run.machine
    mode = t.row_mode()
    rows = [
        ("Address space", t.row_address(), "A"),
        ("Mode", mode, "M"),
        ("Applicable scene", t.row_scene(mode), "S"),
        ("CPU cores used", t.row_cores(), "C"),
        (f"Speedup on CPU-bound work at {n} cores", t.row_speedup(), "P"),
        ("IO overlap at the largest unit count", t.row_overlap(), "O"),
        ("Memory per unit", t.row_memory(), "B"),
        ("Spawn time per unit", t.row_cost("spawn.csv", "spawn time", "µs",
                                           ((10, "cheap"), (100, "moderate"),
                                            (math.inf, "costly"))), "T"),
        ("Switch time (one way)", t.row_cost("switch.csv", "switch time", "ns",
                                             ((1000, "sub-µs"), (10000, "µs"),
                                              (math.inf, "tens of µs"))), "W"),
        (f"IO on a pool of {n} (one unit per core)", t.row_pool(), "L"),
    ]
    runs = sorted({len(v) for v in run.rows.values()})
    out = [
        "# Concurrency vs parallelism, measured",
        "",
        f"Machine: {m0['cpu model']}, {m0['cores']} cores, {m0.get('pus', '?')} PUs, "
        f"memory {m0.get('memory', '?')}, {m0.get('kernel', '?')}, {m0.get('glibc', '?')}, "
        f"{m0.get('compiler', '?').split(': ', 1)[-1]} {m0.get('cflags', '')} "
        f"(host {m0['host']}; details in machine.txt).  ",
        f"Run: profile {m0['profile']}, started {m0.get('started', '?')}; "
        f"{'/'.join(map(str, runs)) or 'no'} counted runs per configuration under hyperfine; "
        f"figures are in-process times cvp reports, medians over those runs unless a rule says "
        f"otherwise.",
        "",
    ]
    busy = m0.get("cpu busy before the run", "")
    if busy:
        pct = busy.split("%")[0]
        loud = pct.isdigit() and int(pct) > 10
        out += [f"CPU busy just before the run: {busy}."
                + (" **Other work was running: these times include its interference.**"
                   if loud else ""), ""]
    inc = os.path.join(run.dir, "INCOMPLETE")
    if os.path.exists(inc):
        with open(inc, encoding="utf-8", errors="replace") as f:
            out += [f"**Incomplete run: {f.read().strip()}.** Cells of configurations that did "
                    "not run say missing.", ""]
    out += [
        "| | " + " | ".join(HEADS) + " | CPython claim | C behaves the same? (rule E) |",
        "|---|---|---|---|---|---|",
    ]
    for name, cells, rule in rows:
        key = name.split(" at ")[0]
        sames = [same(key, m, v) for m, (v, _) in zip(MODELS, cells)]
        claim = CLAIM_TEXT.get(key, "—")
        verdict = "—" if claim == "—" else " / ".join(sames)
        out.append(f"| **{name}** (rule {rule}) | " + " | ".join(c for _, c in cells)
                   + f" | {claim} | {verdict} |")
    p = g(t.par)
    out += [
        "",
        "Rules (every verdict word above comes from one of these; N = "
        f"{n} cores, from hwloc):",
        "",
        "- **A** Address space: *separate* when a unit's RSS exceeds its PSS by more than 1.5× "
        "(pages shared copy-on-write between address spaces count in full in RSS and are split "
        "in PSS), *shared* otherwise. From the idle probe.",
        f"- **M** Mode: *parallelism* when the best CPU-bound speedup at N cores (rule P) is at "
        f"least 0.75 × N = {p} and its runs kept at least {p} cores busy (rule C) — both, so a "
        f"baseline slowed by another process cannot make a speedup alone; *concurrency* when, "
        f"at the largest unit count that ran, more IO waits were in flight than there are "
        f"cores (units × overlap > {n}) in sleep or echo.",
        "- **S** Applicable scene: *computing* with parallelism; *I/O* when sleep, "
        "*network* when echo (loopback delay server) shows concurrency by rule M.",
        f"- **C** CPU cores used: the largest median cpu_util ((user + sys) ÷ wall) of the "
        f"CPU-bound workloads at N cores; *many* when at least {p}, *one* otherwise.",
        f"- **P** Speedup = T(serial, 1 core) ÷ T(model, N cores), same workload and size, "
        f"in-process wall time of the fastest counted run of each (interference from other "
        f"processes only adds time; derived/speedup.csv also has the ratio of medians); *yes* "
        f"when the best workload reaches {p}, *no* below 1.2, *partly* between.",
        "- **O** Overlap = ideal ÷ measured completion time; ideal = the busiest unit's waits × "
        "the delay, i.e. the time if every wait overlapped. *high* at 0.5 or more, *low* "
        "below (the better of sleep and echo).",
        "- **B** Memory per unit from the idle probe: touched = user PSS + kernel (stacks, slab, "
        "page tables); reserved = VSZ. *tiny* below 1 KiB touched, *small* below 64 KiB, "
        "*medium* below 1 MiB, *large* above.",
        "- **T** Spawn time per unit from the spawn probe: *cheap* below 10 µs, *moderate* below "
        "100 µs, *costly* above (the fastest variant decides).",
        "- **W** Switch time per one-way hand-off from the pingpong probe (same core: both "
        "units on one core; cross core: one on each of two): *sub-µs* below 1 µs, *µs* below "
        "10 µs, *tens of µs* above (the fastest variant decides).",
        "- **E** C behaves the same (*yes*) when a row's verdict words equal the CPython claim's; "
        "*more* when they include the claim's and add some; *no* otherwise. Memory: the claim "
        "holds when the measured figure is within a factor 2 of it (threads: the reserved "
        "stack, VSZ; processes and coroutines: touched memory, PSS + kernel).",
        f"- **L** The same waits on a pool of N units as on one coroutine per task: "
        f"*overlapped* when more waits were in flight than cores, *serialised by the pool* "
        f"otherwise.",
        "",
    ]
    out += whole_process(run, derived)
    notrun = {}
    for c, r in run.status.items():
        if r["status"] != "ok":
            notrun.setdefault(run.why(c), []).append(c)
    total = len(run.status)
    plan = os.path.join(run.dir, "plan.txt")
    if os.path.exists(plan):
        with open(plan, encoding="utf-8", errors="replace") as f:
            for line in f:
                c = line.split("|", 1)[0]
                if c and c not in run.status:
                    total += 1
                    notrun.setdefault("not run (the run stopped before it)", []).append(c)
    if t.missing or notrun:
        out += ["## Missing", ""]
    if t.missing:
        out += [f"{len(t.missing)} parts of cells have no measurement:", ""]
        out += [f"- {row} / {HEADS[MODELS.index(m)]}: {why}" for row, m, why in t.missing]
        out.append("")
    if notrun:
        out += [f"{sum(map(len, notrun.values()))} of {total} configurations were not "
                "measured:", ""]
        out += [f"- {', '.join(cs)}: {why}" for why, cs in notrun.items()]
        out.append("")
    return "\n".join(out)


def whole_process(run, derived):
    head, rows = derived["speedup.csv"]
    rows = [dict(zip(head.split(","), r)) for r in rows]
    if not rows:
        return []
    out = ["## Whole-process times (hyperfine)", "",
           "Process start to exit, mean ± standard deviation, at the largest core count; the "
           "speedup over the serial 1-core process, fastest run of each. Includes start-up, "
           "placement, preparing "
           "the data and creating the units, which the in-process times above leave out.", "",
           "| workload | " + " | ".join(("serial",) + HEADS) + " |",
           "|---|---|---|---|---|"]
    for w in CPU_WORKLOADS:
        line, any_ = [], False
        for m in ("serial",) + MODELS:
            r = [x for x in rows if x["workload"] == w and x["model"] == m
                 and int(x["cores"]) == run.cores]
            if r:
                any_ = True
                r = r[0]
                sp = f", ×{g(r['process_speedup'])}" if r["process_speedup"] != "" else ""
                line.append(f"{g(r['process_s'])} ± {g(r['process_s_stddev'], 2)} s{sp}")
            else:
                line.append("missing")
        if any_:
            out.append(f"| {w} | " + " | ".join(line) + " |")
    return out + [""]


def main(argv):
    if len(argv) != 3 or argv[1] not in ("derive", "table"):
        print("usage: report.py derive|table RESULTS_FOLDER", file=sys.stderr)
        return 2
    folder = argv[2]
    if not os.path.isdir(folder):
        print(f"report: {folder}: missing (not a results folder)", file=sys.stderr)
        return 1
    try:
        run = Run(folder)
        derived = derive(run)
    except Bad as e:
        print(f"report: {e}", file=sys.stderr)
        return 1
    write_derived(run, derived)
    if argv[1] == "table":
        text = table(run, derived)
        tmp = os.path.join(folder, ".TABLE.md.tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, os.path.join(folder, "TABLE.md"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
