"""table.py — TABLE.md from one results folder and its derived figures, in sections later work
extends: the headline table (the original table's rows, one column per model, the CPython
claim and rule E), the rules under it, whole-process times, and what is missing and why."""
import os

from evidence import Evidence
from results import DEFAULT_RUNTIME, HEADS, MODELS
from rules import RULE, RULES, g, markdown, same


def intro(run):
    m0 = run.machine
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
    return out


def headline(ev):
    """The original table's rows measured for one runtime, each verdict by its rule, then the
    rules themselves."""
    e = RULE["E"]
    out = [
        "| | " + " | ".join(HEADS[m] for m in MODELS)
        + f" | CPython claim | {e.title} (rule {e.letter}) |",
        "|---" * (len(MODELS) + 3) + "|",
    ]
    for rule in RULES:
        if rule.verdict is None:
            continue
        cells = [rule.verdict(rule, ev, m) for m in MODELS]
        claim = rule.claim.text if rule.claim else "—"
        verdict = (" / ".join(same(e, rule, m, c) for m, c in zip(MODELS, cells))
                   if rule.claim else "—")
        out.append(f"| **{rule.row(ev.n)}** (rule {rule.letter}) | "
                   + " | ".join(c.text for c in cells) + f" | {claim} | {verdict} |")
    return out + [
        "",
        "Rules (every verdict word above comes from one of these; N = "
        f"{ev.n} cores, from hwloc):",
        "",
        markdown(ev.n),
        "",
    ]


def whole_process(run, derived):
    rows = [r for r in derived["speedup.csv"].records() if r["runtime"] == DEFAULT_RUNTIME]
    if not rows:
        return []
    models = ("serial",) + MODELS
    out = ["## Whole-process times (hyperfine)", "",
           "Process start to exit, mean ± standard deviation, at the largest core count; the "
           "speedup over the serial 1-core process, fastest run of each. Includes start-up, "
           "placement, preparing "
           "the data and creating the units, which the in-process times above leave out.", "",
           "| workload | " + " | ".join(HEADS[m] for m in models) + " |",
           "|---" * (len(models) + 1) + "|"]
    for w in dict.fromkeys(r["workload"] for r in rows):
        line, any_ = [], False
        for m in models:
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


def missing(run, lost):
    """The parts of cells without a measurement, and the configurations that were not
    measured (with the planned ones that never ran), each with why."""
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
    out = []
    if lost or notrun:
        out += ["## Missing", ""]
    if lost:
        out += [f"{len(lost)} parts of cells have no measurement:", ""]
        out += [f"- {row} / {HEADS.get(m, m)}: {why}" for row, m, why in lost]
        out.append("")
    if notrun:
        out += [f"{sum(map(len, notrun.values()))} of {total} configurations were not "
                "measured:", ""]
        out += [f"- {', '.join(cs)}: {why}" for why, cs in notrun.items()]
        out.append("")
    return out


def table(run, derived):
    """TABLE.md's text."""
    ev = Evidence(run, derived, DEFAULT_RUNTIME)
    out = intro(run) + headline(ev)
    out += whole_process(run, derived)
    out += missing(run, ev.missing)
    return "\n".join(out)
