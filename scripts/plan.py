#!/usr/bin/env python3
"""plan.py — the matrix `make bench` runs, built from the binary's description of itself
(list.csv, as `cvp --list --format csv` prints it): every workload enters by the plans its
descriptor names, under the models (and variants) it says it runs under. Nothing here names a
workload or a model; what differs between them is read from their capabilities.

  plan.py LIST.csv --profile P --ncores N [--workloads a,b] [--models x,y]

prints plan.txt: one configuration a line, fields separated by '|':
  name|group|workload|model|variant|units|tasks|cores|size|delay_ms|warmup|runs
Groups (the report's): cpu (cores 1..N against a serial reference), io (a sweep of unit counts),
pool (a pool over many tasks), probe (the cost probes). An empty field is left to the binary's
default. Exit 2 with a message naming the bad value for an unknown workload, model or profile."""
import argparse
import csv
import sys
from dataclasses import dataclass


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


PROFILES = {
    "quick": Profile(1, 3, 1 / 8, (1, 10, 100, 1000), 10, 2, 1000, 1, 1000, 20000),
    "default": Profile(1, 5, 1, (1, 10, 100, 1000, 10000), 100, 3, 1000, 1, 1000, 0),
    "full": Profile(2, 10, 4, (1, 10, 100, 1000, 10000, 100000), 100, 5, 1000, 1, 10000,
                    1000000),
}


@dataclass(frozen=True)
class Entry:
    """A line of list.csv."""
    what: str
    name: str
    kind: str
    default_size: str
    options: tuple
    plans: tuple
    models: tuple  # workload: model or model/variant; model: its capabilities
    roles: tuple


def read_list(path):
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return [Entry(r["what"], r["name"], r["kind"], r["default_size"],
                  tuple(o.split("=")[0] for o in r["options"].split()), tuple(r["plans"].split()),
                  tuple(r["models"].split()), tuple(r["roles"].split())) for r in rows]


def core_counts(n):
    """1..N on small machines; 1, 2, 4, ... and N on large ones."""
    if n <= 8:
        return list(range(1, n + 1))
    out, c = [], 1
    while c < n:
        out.append(c)
        c *= 2
    return out + [n]


def line(name, group, w, m, variant, units, tasks, cores, size, delay, p):
    return "|".join(str(x) for x in (name, group, w, m, variant, units, tasks, cores, size,
                                     delay, p.warmup, p.runs))


def plan(entries, p, ncores, only_workloads=None, only_models=None):
    caps = {e.name: set(e.models) for e in entries if e.what == "model"}
    models = [m for m in caps if not only_models or m in only_models]
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
        for plan_name in w.plans:
            for m in models:
                if m not in runs:
                    continue
                coexist = "coexist" in caps[m]
                if plan_name == "cores":
                    size = int(int(w.default_size) * p.cpu_scale)
                    for c in core_counts(ncores):
                        out.append(line(f"cpu-{w.name}-{m}-c{c}", "cpu", w.name, m, "", c, c, c,
                                        size, "", p))
                elif plan_name == "units" and coexist:  # units one after another: no sweep
                    for u in p.io_units:
                        out.append(line(f"io-{w.name}-{m}-u{u}", "io", w.name, m, "", u, u,
                                        ncores, p.io_rounds, delay(p.io_delay_ms), p))
                elif plan_name == "pool" and coexist:
                    # Units that block serve the tasks from a pool of one per core; units that
                    # wait by yielding can be one per task.
                    u = ncores if "block" in caps[m] else p.pool_tasks
                    out.append(line(f"pool-{w.name}-{m}-u{u}", "pool", w.name, m, "", u,
                                    p.pool_tasks, ncores, 1, delay(p.pool_delay_ms), p))
                elif plan_name == "probe":
                    u = p.probe_units
                    out.append(line(f"probe-{w.name}-{m}-u{u}", "probe", w.name, m, "", u, u,
                                    ncores, "", "", p))
                elif plan_name == "placement":
                    # Same core: every unit on one core; cross core: spread over two, where
                    # the model runs units on several cores at all.
                    for v in runs[m]:
                        for c in (1, 2):
                            if c > ncores or (c > 1 and "parallel" not in caps[m]):
                                continue
                            out.append(line(f"probe-{w.name}-{m}-{v}-c{c}".replace("--", "-"),
                                            "probe", w.name, m, v, fixed or "", fixed or "", c,
                                            p.placement_size or "", "", p))
    return out


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
    ap.add_argument("list")
    ap.add_argument("--profile", choices=sorted(PROFILES), required=True)
    ap.add_argument("--ncores", type=int, required=True)
    ap.add_argument("--workloads", default="")
    ap.add_argument("--models", default="")
    a = ap.parse_args()
    entries = read_list(a.list)
    ws = names(a.workloads, [e.name for e in entries if e.what == "workload"], "WORKLOADS")
    ms = names(a.models, [e.name for e in entries if e.what == "model"], "MODELS")
    out = plan(entries, PROFILES[a.profile], a.ncores, ws, ms)
    if not out:
        print("bench: nothing to run: no workload of WORKLOADS runs under MODELS", file=sys.stderr)
        sys.exit(2)
    print("\n".join(out))


if __name__ == "__main__":
    main()
