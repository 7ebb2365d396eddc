"""table.py — TABLE.md from one results folder and its derived figures, in sections later work
extends: the headline tables (the original table's rows, one column per model the runtime's
list names, the CPython claim and rule E) — CPython's first where the run has its rows, then
C's — and the rules under them; where C and CPython differ, and why; the notes' remedies for the
GIL (rule R), the convoy effect (rule V) and the notes' patterns (rules U, Q, F, G); every
workload's headline figure by model (grouped by runtime when more than one ran), whole-process
times, the noisy configurations (rule N), the budget, and what is missing and why."""
import os

from evidence import Evidence
from results import DEFAULT_RUNTIME, HEADS, MODELS, g, model_name, runtime_name
from rules import APART, RULE, RULES, markdown
from verdicts import capital, same


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


HEADLINE = [r for r in RULES if r.section == "headline" and r.verdict is not None]


def headline(ev):
    """The original table's rows measured for one runtime, each verdict by its rule: the lines,
    and {(rule letter, model): Cell} for the differences section."""
    e = RULE["E"]
    models = ev.models
    out = [
        "| | " + " | ".join(ev.name(m) for m in models)
        + f" | CPython claim | {runtime_name(ev.runtime)} {e.title} (rule {e.letter}) |",
        "|---" * (len(models) + 3) + "|",
    ]
    cells = {}
    for rule in HEADLINE:
        row = [rule.verdict(rule, ev, m) for m in models]
        cells.update({(rule.letter, m): c for m, c in zip(models, row)})
        claim = rule.claim.text if rule.claim else "—"
        verdict = (" / ".join(same(e, rule, m, c) for m, c in zip(models, row))
                   if rule.claim else "—")
        out.append(f"| **{rule.row(ev.n)}** (rule {rule.letter}) | "
                   + " | ".join(c.text for c in row) + f" | {claim} | {verdict} |")
    return out + [""], cells


def headlines(run, derived):
    """The headline tables: the original table measured for each other runtime first (CPython's
    is what the original table was written about), then for C; then the rules. Returns the
    lines, {runtime: cells} and every runtime's Evidence."""
    ran = run.runtimes()
    rts = [rt for rt in ran if rt != DEFAULT_RUNTIME] + \
        [DEFAULT_RUNTIME] * (DEFAULT_RUNTIME in ran or not ran)
    evs = {rt: Evidence(run, derived, rt, apart=APART) for rt in rts}
    out, cells = [], {}
    for rt in rts:
        if rt != DEFAULT_RUNTIME:
            out += [f"## The original table, measured for {runtime_name(rt)}", ""]
        elif len(rts) > 1:
            out += ["## The same table for C", ""]
        lines, cells[rt] = headline(evs[rt])
        out += lines
    n = run.cores
    out += ["Rules (every verdict word above comes from one of these; N = "
            f"{n} cores, from hwloc; where a model has variants of its own — another way to "
            "start or feed its units — its default decides and the variants are shown "
            "beside):", "", markdown(n, ("headline", "")), ""]
    return out, cells, evs


def differences(evs, cells):
    """Where a row's verdict for a model differs between C and another runtime, both cells'
    words and figures and why (the rule record's reason for that model)."""
    out = []
    if DEFAULT_RUNTIME not in cells:  # one runtime only: nothing to set beside
        return out
    c = cells[DEFAULT_RUNTIME]
    for rt, mine in cells.items():
        if rt == DEFAULT_RUNTIME:
            continue
        lines = []
        for rule in HEADLINE:
            for m in evs[rt].models:
                a, b = c.get((rule.letter, m)), mine.get((rule.letter, m))
                if a is None or b is None or a.verdict is None or b.verdict is None \
                        or a.words == b.words:
                    continue
                why = rule.why.get(m, "no reason for this difference is recorded in rules.py")
                lines.append(
                    f"- **{rule.row(evs[rt].n)}**, {m}: C {evs[DEFAULT_RUNTIME].name(m)} "
                    f"*{words(a)}* ({a.brief}); {runtime_name(rt)} {evs[rt].name(m)} "
                    f"*{words(b)}* ({b.brief}). {capital(why)}.")
        out += [f"## Where C and {runtime_name(rt)} differ, and why", "",
                "Each row of the two tables above whose verdict words differ for a model, with "
                "the figure behind each and the reason its rule's record gives.", ""]
        out += lines or ["None: every row that has a verdict in both says the same words."]
        out.append("")
    return out


def words(cell):
    return ", ".join(sorted(cell.words)) or "none"


def section_rules(rule, n):
    """A section's own rule, stated under it (the headline tables' are listed under them)."""
    return [f"Rule {rule.letter}: {rule.prose(rule, n)}", ""]


def remedies(evs):
    """Rule R: each remedy's speedup at N cores and its word, per runtime that ran them."""
    rule = RULE["R"]
    out = []
    for rt, ev in evs.items():
        items = rule.items(rule, ev)
        if not items:
            continue
        out += [f"## {rule.title}, measured ({runtime_name(rt)})", "",
                f"| remedy | how | gave a speedup at {ev.n} cores? (rule {rule.letter}: "
                "speedup, median and best) |", "|---|---|---|"]
        for item in items:
            m, v, w, how = item
            out.append(f"| {ev.name(m, v)} on {w} | {how} | "
                       f"{rule.verdict(rule, ev, item).text} |")
        out += [""] + section_rules(rule, ev.n)
    return out


def convoy(run, evs, derived):
    """Rule V: the waiting unit's median and 99th-percentile wait per count of busy units, per
    runtime and model (plots.sh draws them: plots/beside-WORKLOAD)."""
    rule = RULE["V"]
    recs = [r for r in derived["beside.csv"].records() if r["workload"] in rule.workloads]
    if not recs:
        return []
    ks = sorted({int(r["busy"]) for r in recs})
    plots = ", ".join(f"plots/beside-{w}.svg" for w in dict.fromkeys(r["workload"] for r in recs))
    out = ["## " + rule.title, "",
           "One unit waiting beside K busy ones: its wait, median / 99th percentile in µs "
           f"(median over runs; {plots}).", "",
           "| runtime, model | " + " | ".join(f"K = {k}" for k in ks)
           + f" | convoy? (rule {rule.letter}) |", "|---" * (len(ks) + 2) + "|"]
    for rt, ev in evs.items():
        for item in rule.items(rule, ev):
            mine = {int(r["busy"]): r for r in recs if r["runtime"] == rt
                    and (r["workload"], r["series"]) == item}
            cell = rule.verdict(rule, ev, item)
            label = next(iter(mine.values()))["label"]
            out.append(f"| {label} | " + " | ".join(
                f"{g(mine[k]['wait_p50_us'])} / {g(mine[k]['wait_p99_us'])}"
                if k in mine and mine[k]["wait_p99_us"] != "" else "—" for k in ks)
                + f" | {cell.text} |")
    return out + [""] + section_rules(rule, run.cores)


def patterns(run, evs, derived):
    """The notes' patterns: a row per pattern that ran, a column per runtime's model, each cell
    the figure its rule judges it by with the rule's word (a pattern no rule judges: its
    figure per variant)."""
    recs = derived["patterns.csv"].records()
    if not recs:
        return []
    judged = {w: r for r in RULES if r.section == "patterns" for w in r.workloads}
    cols = []
    for rt, ev in evs.items():
        ms = dict.fromkeys(r["model"] for r in recs if r["runtime"] == rt)
        cols += [(rt, m) for m in ("serial",) + tuple(ev.models) if m in ms]
    many = len({rt for rt, _ in cols}) > 1
    out = ["## The notes' patterns", "",
           "Each pattern under every model it ran under: the figure its rule judges it by, per "
           "variant, median over runs, with the rule's word.", "",
           "| pattern | figure | " + " | ".join(
               (f"{runtime_name(rt)} " if many else "") + model_name(rt, m) for rt, m in cols)
           + " |", "|---" * (len(cols) + 2) + "|"]
    shown = []
    for w in dict.fromkeys(r["workload"] for r in recs):
        rule = judged.get(w)
        fig = rule.figure if rule else next(r["figure"] for r in recs if r["workload"] == w)
        cells = []
        for rt, m in cols:
            if rule:
                cells.append(rule.verdict(rule, evs[rt], m).text)
                continue
            mine = [r for r in recs if r["runtime"] == rt and r["model"] == m
                    and r["workload"] == w and r["figure"] == fig]
            cells.append("; ".join(" ".join(filter(None, (r["variant"], g(r["value"]))))
                                   for r in mine) or "—")
        out.append(f"| {w}" + (f" (rule {rule.letter})" if rule else "") + f" | {fig} | "
                   + " | ".join(cells) + " |")
        if rule and rule not in shown:
            shown.append(rule)
    out.append("")
    for rule in shown:
        out += section_rules(rule, run.cores)
    return out


def columns(run, runtime):
    """The models a runtime ran, serial first, then the headline's order (its list's), then any
    others."""
    ran = dict.fromkeys(run.status[c]["model"] for c in run.find(runtime=runtime))
    order = ["serial"] + run.models(runtime)
    return [m for m in order if m in ran] + [m for m in ran if m not in order]


def count(x, what):
    x = int(x)
    return f"{x:,} {what}{'s' if x != 1 else ''}"


def variants(recs):
    """A label per record for the fields that vary among a workload's records (variant, the
    options in params, cores, units, busy units beside a waiting one), so each of a probe's
    variants is told apart in its cell."""
    vary = [f for f in ("variant", "params", "cores", "units", "busy")
            if len({r[f] for r in recs}) > 1]
    if "busy" in vary and "units" in vary:  # the busy units are the units but the waiting one
        vary.remove("units")
    return {id(r): " ".join(filter(None, (r[f] if f in ("variant", "params")
                                          else f"{int(r[f])} busy" if f == "busy"
                                          else count(r[f], f[:-1]) for f in vary)))
            for r in recs}


def figure_of(kind, rec, n):
    if kind == "cpu":
        return f"speedup at {n} cores, median (best)"
    if kind == "io":
        return "overlap at the largest unit count"
    unit = f"{rec['unit']}, " if rec["unit"] else ""
    beside = ", of the waiting unit beside K busy ones" if kind == "beside" else ""
    return f"{rec['figure']} ({unit}{rec['better']} is better, median{beside})"


# Why a workload's configurations that ran left no headline figure, by kind.
NO_FIGURE = {"cpu": "no serial 1-core run to compare with", "io": "no delay to overlap",
             "probe": "no figure in its rows", "pattern": "no figure in its rows",
             "beside": "no wait percentiles in its rows"}


def workload_cell(run, ev, kind, recs, labels, w, m):
    """One workload's headline figure under one model; "—" where the model was not planned for
    it (a CPU-bound one: at N cores), else why there is none."""
    mine = [r for r in recs if r["model"] == m]
    if not mine:
        where = {"cores": run.cores} if kind == "cpu" else {}
        cs = ev.find(group=kind, workload=w, model=m, **where)
        bad = [c for c in cs if run.status[c]["status"] != "ok"]
        if bad and all(run.status[c]["status"] == "unsupported" for c in cs):
            return f"not applicable ({run.status[bad[0]]['message'] or 'unsupported'})"
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
        out += ["| workload | kind | figure | " + " | ".join(model_name(rt, m) for m in models)
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
    rows = [r for r in derived["speedup.csv"].records() if r["runtime"] == DEFAULT_RUNTIME
            and r["variant"] == ""]
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


def missing(run, evs):
    """The parts of cells without a measurement (each runtime's; another runtime's named), and
    the configurations that were not measured (with the planned ones that never ran), each with
    why."""
    lost = [(f"{runtime_name(rt)}: " if rt != DEFAULT_RUNTIME else "", row,
             model_name(rt, m), why) for rt, ev in evs.items() for row, m, why in ev.missing]
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
        out += [f"- {rt}{row} / {m}: {why}" for rt, row, m, why in lost]
        out.append("")
    if notrun:
        out += [f"{sum(map(len, notrun.values()))} of {total} configurations were not "
                "measured:", ""]
        out += [f"- {', '.join(cs)}: {why}" for why, cs in notrun.items()]
        out.append("")
    return out


def table(run, derived):
    """TABLE.md's text."""
    heads, cells, evs = headlines(run, derived)
    out = intro(run) + heads
    out += differences(evs, cells)
    out += remedies(evs)
    out += convoy(run, evs, derived)
    out += patterns(run, evs, derived)
    out += per_workload(run, derived)
    out += whole_process(run, derived)
    out += noisy(run, derived)
    out += budget(run, derived)
    out += missing(run, evs)
    return "\n".join(out)
