"""table.py — TABLE.md from one results folder and its derived figures, in sections later work
extends: the headline table (the original table's rows, one column per model, the CPython
claim and rule E), the rules under it, every workload's headline figure by model (grouped by
runtime when more than one ran), whole-process times, the noisy configurations (rule N), the
budget, and what is missing and why."""
import os

from evidence import Evidence
from results import DEFAULT_RUNTIME, HEADS, MODELS, g
from rules import RULE, RULES, markdown
from verdicts import same


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
    out += constants(run)
    inc = os.path.join(run.dir, "INCOMPLETE")
    if os.path.exists(inc):
        with open(inc, encoding="utf-8", errors="replace") as f:
            out += [f"**Incomplete run: {f.read().strip()}.** Cells of configurations that did "
                    "not run say missing.", ""]
    return out


def constants(run):
    """The host's constants, measured at the start of this run (cvp --machine): the rows cite
    them where they explain a figure."""
    if not run.constants:
        return ["Host constants: not measured in this run (it predates them).", ""]
    parts = [f"{c.what} {c.text()}" for c in run.constants.values()]
    return ["Host constants (measured at the start of this run, medians; rows cite them): "
            + "; ".join(parts) + ".", ""]


def budget(run, derived):
    """The plan's prediction against its budget, the cuts it made, and how the configurations'
    actual times compared with their predictions."""
    if not run.budget:
        return []
    out = ["## Budget", ""] + [f"- {line}" for line in run.budget]
    ratios = sorted(abs(r["log2_actual_over_predicted"]) for r in derived["timing.csv"].records()
                    if r["log2_actual_over_predicted"] != "")
    if ratios:
        med = ratios[len(ratios) // 2] if len(ratios) % 2 else \
            (ratios[len(ratios) // 2 - 1] + ratios[len(ratios) // 2]) / 2
        act = sum(float(r["actual_s"]) for r in derived["timing.csv"].records()
                  if r["actual_s"] != "")
        out.append(f"- the configurations took {act:.0f} s; each within a factor "
                   f"{2 ** med:.2f} of its prediction at the median (|log2(actual ÷ predicted)| "
                   f"= {med:.2f} over {len(ratios)}; derived/timing.csv)")
    fewer = [c for c, st in run.status.items() if st.get("cut") and st["status"] != "cut"]
    dropped = [c for c, st in run.status.items() if st["status"] == "cut"]
    if fewer:
        out.append(f"- {len(fewer)} configurations ran with fewer counted runs "
                   "(status.csv, column cut)")
    if dropped:
        out.append(f"- {len(dropped)} configurations were not run: {', '.join(dropped)}")
    return out + [""]


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


def columns(run, runtime):
    """The models a runtime ran, serial first, then the headline's order, then any others."""
    ran = dict.fromkeys(run.status[c]["model"] for c in run.find(runtime=runtime))
    return [m for m in ("serial",) + MODELS if m in ran] + [m for m in ran
                                                             if m not in MODELS + ("serial",)]


def count(x, what):
    x = int(x)
    return f"{x:,} {what}{'s' if x != 1 else ''}"


def variants(recs):
    """A label per record for the fields that vary among a workload's records (variant, the
    options in params, cores, units), so each of a probe's variants is told apart in its
    cell."""
    vary = [f for f in ("variant", "params", "cores", "units") if len({r[f] for r in recs}) > 1]
    return {id(r): " ".join(filter(None, (r[f] if f in ("variant", "params")
                                          else count(r[f], f[:-1]) for f in vary)))
            for r in recs}


def figure_of(kind, rec, n):
    if kind == "cpu":
        return f"speedup at {n} cores, median (best)"
    if kind == "io":
        return "overlap at the largest unit count"
    unit = f"{rec['unit']}, " if rec["unit"] else ""
    return f"{rec['figure']} ({unit}{rec['better']} is better, median)"


# Why a workload's configurations that ran left no headline figure, by kind.
NO_FIGURE = {"cpu": "no serial 1-core run to compare with", "io": "no delay to overlap",
             "probe": "no figure in its rows"}


def workload_cell(run, ev, kind, recs, labels, w, m):
    """One workload's headline figure under one model; "—" where the model was not planned for
    it (a CPU-bound one: at N cores), else why there is none."""
    mine = [r for r in recs if r["model"] == m]
    if not mine:
        where = {"cores": run.cores} if kind == "cpu" else {}
        cs = ev.find(group=kind, workload=w, model=m, **where)
        bad = [c for c in cs if run.status[c]["status"] != "ok"]
        if bad:
            return f"missing ({run.why(bad[0])})"
        return f"missing ({NO_FIGURE.get(kind, 'no figure')})" if cs else "—"
    r = mine[0]
    if r["kind"] == "cpu":
        return f"{g(r['value'])} (best {g(r['value_best'])})"
    if r["kind"] == "io":
        cap = [run.status[c] for c in ev.find(group="io", workload=w, model=m)
               if run.status[c]["status"] == "cap"
               and float(run.status[c]["units"]) > r["units"]]
        return (f"{g(r['value'], 2)} at {count(r['units'], 'unit')}"
                + (f" (capped at {count(cap[0]['units'], 'unit')})" if cap else ""))
    unit = f" {r['unit']}" if r["unit"] else ""
    return "; ".join(" ".join(filter(None, (labels[id(x)], g(x["value"]) + unit)))
                     for x in mine)


def per_workload(run, derived):
    """Every workload that ran, one row each, its kind's headline figure by model: a new
    workload shows here with no change to this code."""
    recs = derived["workloads.csv"].records()
    rts = run.runtimes()
    out = ["## Per workload", "",
           "Every workload that ran, by model. CPU-bound: speedup over the same runtime's serial "
           f"1-core run at {run.cores} cores, ratio of medians (best: of the fastest runs). "
           "IO: overlap (ideal ÷ measured completion time) at the largest unit count that ran. "
           "Probes: the workload's own headline figure, median over runs, per variant where "
           "there are several.", ""]
    for rt in rts:
        ev = Evidence(run, derived, rt)
        models = columns(run, rt)
        mine = [r for r in recs if r["runtime"] == rt]
        names = dict.fromkeys(run.status[c]["workload"] for c in run.find(runtime=rt)
                              if run.status[c]["group"] != "pool")
        if len(rts) > 1:
            out += [f"### Runtime {rt}", ""]
        # The headline's names describe the C binary's models; another runtime's keep theirs.
        heads = HEADS if rt == DEFAULT_RUNTIME else {}
        out += ["| workload | kind | figure | " + " | ".join(heads.get(m, m) for m in models)
                + " |", "|---" * (len(models) + 3) + "|"]
        for w in names:
            wrecs = [r for r in mine if r["workload"] == w]
            kind = wrecs[0]["kind"] if wrecs else run.kind(w) or "?"
            labels = variants(wrecs)
            fig = figure_of(kind, wrecs[0], run.cores) if wrecs else "—"
            out.append(f"| {w} | {kind} | {fig} | " + " | ".join(
                workload_cell(run, ev, kind, wrecs, labels, w, m) for m in models) + " |")
        out.append("")
    return out


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
                 and int(x["cores"]) == run.cores and x["repeat"] == 1]
            if r:
                any_ = True
                r = r[0]
                sp = (f", ×{g(r['process_speedup_best'])}" if r["process_speedup_best"] != ""
                      else "")
                line.append(f"{g(r['process_s_mean'])} ± {g(r['process_s_stddev'], 2)} s{sp}")
            else:
                line.append("missing")
        if any_:
            out.append(f"| {w} | " + " | ".join(line) + " |")
    return out + [""]


def percent(x, digits=2):
    return "—" if x == "" else f"{g(x, digits)} %"


def noisy(run, derived):
    """The configurations whose figure spread over their counted runs past their kind's cut-off
    (rule N), with the CPU busy and steal time of all PUs while they ran (status.csv): a figure
    of one of them is weighed with its spread, or measured again."""
    cut = RULE["N"].limits
    recs = derived["timing.csv"].records()
    judged = [r for r in recs if r["noisy"] != ""]
    if not judged:
        return []
    loud = [r for r in judged if r["noisy"] == 1]
    limits = ", ".join(f"{k} {v * 100:g} %" for k, v in cut.items())
    out = ["## Noisy configurations", ""]
    if not loud:
        out.append(f"None of the {len(judged)} configurations with two or more counted runs has "
                   f"a cv past its kind's cut-off (rule N: {limits}).")
    else:
        out += [f"{len(loud)} of the {len(judged)} configurations with two or more counted runs "
                f"have a cv past their kind's cut-off (rule N: {limits}; derived/timing.csv):",
                "", "| configuration | kind | figure | cv | CPU busy | steal |",
                "|---|---|---|---|---|---|"]
        out += [f"| {r['config']} | {r['kind']} | {r['figure']} | {percent(r['cv'] * 100)} | "
                f"{percent(r['busy_pct'], 3)} | {percent(r['steal_pct'])} |" for r in loud]
    if all(r["busy_pct"] == "" for r in recs):
        out += ["", "CPU busy and steal time: not recorded in this run (it predates them)."]
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
    out += per_workload(run, derived)
    out += whole_process(run, derived)
    out += noisy(run, derived)
    out += budget(run, derived)
    out += missing(run, ev.missing)
    return "\n".join(out)
