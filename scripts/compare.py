#!/usr/bin/env python3
"""compare.py BASE OTHER [OUT] — two results folders side by side (`make compare`): every figure
both runs have (speedup and wall time of the CPU-bound runs, wall time and overlap of the IO
runs, the units' start skew and minor faults inside the clock, the pools and their slowdown
against one unit per task, memory per unit by part, creating a unit, a hand-off and its floor
without the kernel; a model's own variants apart), each with its cv in both runs, OTHER's value ÷ BASE's, and the host
constants of both. Where a figure differs by more than 2×, the table names the constant that
explains it (verdicts.EXPLAINS) and both runs' values of it, or says which run predates
the constants. Writes OUT/COMPARE.md, OUT/compare.csv and overlaid plots (OUT/plots/); OUT defaults
to results/compare-<BASE>-vs-<OTHER>. Reads both folders and writes nothing into them."""
import argparse
import csv
import os
import subprocess
import sys

import derive
import rules
import verdicts
from probes import MEMORY
from results import Bad, Run, g

FAR = 2.0  # a figure this many times larger or smaller is worth explaining


def figures(run):
    """{key: (family, model, label, value, unit, cv)} of one run's figures, from its derived
    data; cv is the figure's spread over its counted runs ("" where unknown)."""
    d = derive.derive(run, rules.PROBES, rules.NOISY)
    out = {}
    floors = rules.RULE["W"].floor

    def put(family, r, what, value, unit, spread=""):
        if value in ("", None):
            return
        # A model's own variant (executor, spawn) is a figure of its own; a hand-off's variant
        # is in `what` already.
        m = r["model"] + (f" ({r['variant']})" if r.get("variant") and family in
                          ("cpu", "memory", "create") else "")
        key = (family, r["runtime"], r["workload"], m, what)
        label = f"{r['workload']} {m}" + (f" {what}" if what else "") + \
            (f" [{r['runtime']}]" if r["runtime"] != "c" else "")
        out[key] = (family, r["model"], label, float(value), unit, spread)

    def beside(family, r, where):
        # the units' start skew and the page faults inside the clock, where the rows have them
        put(family, r, f"{where} start skew", r["start_skew_us"], "µs", r["start_skew_us_cv"])
        put(family, r, f"{where} minor faults", r["minflt"], "", r["minflt_cv"])
    for r in d["speedup.csv"].records():
        c = f"{int(r['cores'])} core{'s' if int(r['cores']) != 1 else ''}"
        if r["repeat"] != 1:  # the baseline measured again before a model's block
            c += f" (measured again, {int(r['repeat'])})"
        put("cpu", r, f"{c} wall", r["wall_s_best"], "s", r["wall_s_cv"])
        put("cpu", r, f"{c} speedup", r["speedup"], "×", r["speedup_cv"])
        beside("cpu", r, c)
    for r in d["io.csv"].records():
        u = f"{int(r['units'])} units"
        put("io", r, f"{u} wall", r["wall_s"], "s", r["wall_s_cv"])
        put("io", r, f"{u} overlap", r["overlap"], "", r["overlap_cv"])
        beside("io", r, u)
    for r in d["pool.csv"].records():
        put("io", r, f"pool of {int(r['units'])} wall", r["wall_s"], "s", r["wall_s_cv"])
        if r["slowdown_reference"] != r["config"]:
            put("io", r, f"pool of {int(r['units'])} ÷ one unit per task", r["slowdown"], "×",
                r["slowdown_cv"])
    for r in d["memory.csv"].records():
        for k, _ in MEMORY:
            put("memory", r, f"{k} KiB per unit", r[k], "KiB", r[f"{k}_cv"])
    for r in d["spawn.csv"].records():
        put("create", r, "per unit", r["value"], "µs", r["value_cv"])
    for r in d["switch.csv"].records():
        put("floor" if r["variant"] in floors else "handoff", r, r["what"], r["value"], "ns",
            r["value_cv"])
    return out


def explain(family, model, base, other):
    """Why a figure differs: the constant behind it with both runs' values, or which run has
    no constants."""
    lacking = [n for n, r in (("BASE", base), ("OTHER", other)) if not r.constants]
    if lacking:
        return f"constants not measured in {' and '.join(lacking)}"
    caps = base.caps(model) or other.caps(model)
    name = verdicts.EXPLAINS.get(family, lambda c: None)(caps)
    b, o = (base.constant(name), other.constant(name)) if name else (None, None)
    if not b or not o:
        return "no host constant explains it" + ("" if caps else " (no capabilities listed)")
    return f"{name}: {b.text()} → {o.text()} (×{g(o.value / b.value)})"


def times(r):
    return "—" if r == "" else f"×{g(r)}"


def pct(x):
    return "—" if x in ("", None) else f"{g(x * 100, 2)} %"


def write_csv(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(("family", "figure", "unit", "base", "other", "ratio", "base_cv", "other_cv",
                    "explained_by"))
        w.writerows(rows)


def plot(out, data):
    """Overlaid bars of the cost figures (creating a unit, a hand-off) of both runs, log scale."""
    os.makedirs(os.path.join(out, "plots"), exist_ok=True)
    gp = os.path.join(os.path.dirname(os.path.abspath(__file__)), "compare.gp")
    for fmt in ("png", "svg"):
        dst = os.path.join(out, "plots", f"costs.{fmt}")
        subprocess.run(["gnuplot", "-e", f"fmt='{fmt}'", "-c", gp, data, dst + ".tmp"],
                       check=True, capture_output=True)
        os.replace(dst + ".tmp", dst)


def compare(base_dir, other_dir, out):
    base, other = Run(base_dir), Run(other_dir)
    fb, fo = figures(base), figures(other)
    rows, far = [], []
    for key in fb:
        if key not in fo:
            continue
        family, model, label, b, unit, bcv = fb[key]
        o, ocv = fo[key][3], fo[key][5]
        # A figure of 0 in BASE (a coroutine's kernel stack) has no ratio unless OTHER's is 0.
        ratio = o / b if b else (1.0 if o == 0 else "")
        why = (explain(family, model, base, other)
               if ratio == "" or ratio > FAR or ratio < 1 / FAR else "")
        rows.append((family, label, unit, b, o, ratio, bcv, ocv, why))
        if why:
            far.append((label, unit, b, o, ratio, why))
    os.makedirs(out, exist_ok=True)
    write_csv(os.path.join(out, "compare.csv"), rows)
    costs = os.path.join(out, "costs.csv")
    with open(costs, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(("label", "base", "other"))
        w.writerows((r[1], r[3], r[4]) for r in rows if r[0] in ("create", "handoff", "floor"))
    plot(out, costs)
    names = sorted(set(base.constants) | set(other.constants), key=lambda n: (
        list(base.constants) + list(other.constants)).index(n))

    def const(r, n):
        c = r.constants.get(n)
        return c.text() if c else "not measured"
    text = [f"# {os.path.basename(os.path.normpath(other_dir))} compared with "
            f"{os.path.basename(os.path.normpath(base_dir))}", "",
            f"BASE: {base_dir} ({base.machine['cpu model']}, {base.machine.get('kernel', '?')}, "
            f"profile {base.machine['profile']}).  ",
            f"OTHER: {other_dir} ({other.machine['cpu model']}, "
            f"{other.machine.get('kernel', '?')}, profile {other.machine['profile']}).", "",
            "## Host constants", ""]
    if names:
        text += ["| constant | BASE | OTHER | OTHER ÷ BASE |", "|---|---|---|---|"]
        for n in names:
            b, o = base.constant(n), other.constant(n)
            ratio = f"×{g(o.value / b.value)}" if b and o else "—"
            text.append(f"| {n} | {const(base, n)} | {const(other, n)} | {ratio} |")
    else:
        text.append("Neither run measured them (both predate `cvp --machine`).")
    text += ["", f"## Figures that differ by more than {FAR:g}×", ""]
    if far:
        text += ["| figure | BASE | OTHER | OTHER ÷ BASE | explained by |", "|---|---|---|---|---|"]
        text += [f"| {label} | {g(b)} {unit} | {g(o)} {unit} | {times(r)} | {why} |"
                 .replace("  |", " |") for label, unit, b, o, r, why in far]
    else:
        text.append("None.")
    text += ["", "## Every figure both runs have", "",
             "The cv columns: each figure's spread over its counted runs (standard deviation ÷ "
             "mean), where a run has two or more.", "",
             "| figure | BASE | OTHER | OTHER ÷ BASE | cv BASE | cv OTHER |",
             "|---|---|---|---|---|---|"]
    text += [f"| {label} | {g(b)} {unit} | {g(o)} {unit} | {times(r)} | {pct(bcv)} | {pct(ocv)} |"
             .replace("  |", " |") for _, label, unit, b, o, r, bcv, ocv, _ in rows]
    text += ["", "Plots: plots/costs.svg (creating a unit and a hand-off, both runs, log scale)."]
    with open(os.path.join(out, "COMPARE.md"), "w", encoding="utf-8") as f:
        f.write("\n".join(text) + "\n")
    return len(rows), len(far)


def main():
    ap = argparse.ArgumentParser(description="Two results folders side by side.")
    ap.add_argument("base")
    ap.add_argument("other")
    ap.add_argument("out", nargs="?")
    a = ap.parse_args()
    for d in (a.base, a.other):
        if not os.path.isdir(d):
            print(f"compare: {d}: not a results folder", file=sys.stderr)
            return 2
    out = a.out or os.path.join("results", "compare-" + "-vs-".join(
        os.path.basename(os.path.normpath(os.path.realpath(d))) for d in (a.base, a.other)))
    try:
        n, far = compare(a.base, a.other, out)
    except Bad as e:
        print(f"compare: {e}", file=sys.stderr)
        return 1
    print(f"compare: {n} figures, {far} differ by more than {FAR:g}×: {out}/COMPARE.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
