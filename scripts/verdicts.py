"""verdicts.py — the functions the rule records of rules.py call to give one cell from the
evidence: a model's cell of a headline table (one per runtime), a remedy's line (rule R), a
convoy series (rule V) or a pattern under one model (rules U, Q, F, G). Each reads its
thresholds, workloads and derived file from its record (rule), so a threshold or a name is
stated once, in the record. Where a model has variants of its own (another way to start its
units), its default decides and the variants are shown beside. Also rule E's comparison with
the CPython claim, and the host constants cited beside the figures they explain."""
from dataclasses import dataclass, field

from results import MODELS, g, model_name


@dataclass(frozen=True)
class Span:
    """A claimed amount of memory per unit, in KiB, and which measured figure it is about:
    'reserved' (VSZ) or 'touched' (PSS + kernel)."""
    lo: float
    hi: float
    figure: str


@dataclass(frozen=True)
class Cell:
    verdict: object  # a word, a frozenset of words, or None when there is no verdict
    text: str
    figures: dict = field(default_factory=dict)  # what rule E weighs against a Span
    said: tuple = ()  # the words of a set verdict that names none ("neither")
    brief: str = ""  # the figure behind the verdict, in a few words (the differences section)
    beside: dict = field(default_factory=dict)  # {model variant: figures}, rule E's too
    na: bool = False  # the rule's workloads do not run under the model at all

    @property
    def words(self):
        """The verdict words this cell says (the tests check each record's words are reached)."""
        if self.said:
            return set(self.said)
        if isinstance(self.verdict, str):
            return {self.verdict}
        return set(self.verdict or ())


# ---------------------------------------------------------------- words for numbers

def kib(x):
    return f"{g(x / 1024)} MiB" if x >= 10240 else f"{g(x)} KiB"


def whole(x):
    """A count: without decimals where it is whole."""
    return f"{int(x):,}" if float(x).is_integer() else g(x)


def band(bands, x):
    return next(word for limit, word in bands if x < limit)


def capital(v):
    return v[0].upper() + v[1:]


def plural(n, what):
    n = int(n)
    return f"{n:,} {what}{'s' if n != 1 else ''}"


def options(params):
    """A derived row's params field ('name=value;...') as a dict."""
    return dict(p.partition("=")[::2] for p in str(params).split(";") if p)


def not_applicable(why):
    return Cell(None, f"not applicable ({why})", na=True)


def probe_reason(ev, m, w, detail):
    """Why a probe's figure is missing for a model: its configuration's status, or that it ran
    and its rows lack the figure (detail), or that it was not in this run."""
    why = ev.why_probe(m, w)
    if why is None:
        return f"{w}: not in this run"
    return f"{w}: {detail}" if why == "ok" else f"{w}: {why}"


# ---------------------------------------------------------------- the verdicts, one model each

def rss_pss(rule, ev, m):
    """RSS ÷ PSS from the memory probe, shown beside the address-space verdict: pages shared
    copy-on-write count in full in RSS and split in PSS. A number, no longer a verdict."""
    r = ev.default(rule.also, m)
    if not r or not r[0]["pss"] or r[0]["pss"] <= 0:
        return ""
    return f"RSS ÷ PSS {g(r[0]['rss'] / r[0]['pss'])}"


def address(rule, ev, m):
    """An experiment: one unit writes an ordinary variable, a barrier orders the write before
    the read, the other unit reads it. It saw the write only if both share one address space."""
    ex, w = rule.experiment, rule.workloads[0]
    beside = rss_pss(rule, ev, m)
    tail = f"; {beside}" if beside else ""
    rows = [r for r in ev.default(rule.source, m) if r["figure"] == ex["figure"]]

    def arm(value):
        # A row without the option ran with its default, the experiment proper.
        return [r for r in rows if options(r["params"]).get(ex["option"], ex["test"]) == value]
    test, control = arm(ex["test"]), arm(ex["control"])
    if not test:
        na = ev.na(m, (w,))
        if na:
            return not_applicable(na)
        why = probe_reason(ev, m, w, f"no {ex['figure']} in its rows")
        return Cell(None, ev.miss("address space", m, why) + tail)
    r = test[0]
    runs = int(r["runs"])
    if r["value_min"] != r["value_max"]:
        return Cell(None, ev.miss("address space", m, f"{w}: its runs disagree (the reader saw "
                                  f"the write in some of {runs} runs, not in others)") + tail)
    if control and control[0]["value_min"] < 1:
        return Cell(None, ev.miss("address space", m, f"{w}: the control failed (the reader "
                                  f"did not see a write to {ex['control']} memory either)")
                    + tail)
    seen = r["value_min"] >= 1
    v = "shared" if seen else "separate"
    ctl = (f", to {ex['control']} memory in {int(control[0]['runs'])} of "
           f"{int(control[0]['runs'])}" if control else "")
    return Cell(v, f"{v} (the reader saw a write to {ex['test']} memory in "
                f"{runs if seen else 0} of {runs} runs{ctl}{tail})",
                brief=f"write seen in {runs if seen else 0} of {runs} runs")


def mode(rule, ev, m):
    best, _ = ev.speed(m)
    io = {w: r for w in rule.workloads if (r := ev.io_largest(m, w))}
    words, nums, known = [], [], True
    cpu_na, io_na = ev.na(m, ev.cpu_workloads), ev.na(m, rule.workloads)
    if cpu_na and io_na:
        return not_applicable(f"{cpu_na}; {io_na}")
    if best is None and cpu_na:
        nums.append("parallelism not applicable")
    elif best is None:
        known = False
        nums.append(f"parallelism missing: {ev.why_cpu(m)}")
        ev.missing.append(("mode", m, ev.why_cpu(m)))
    elif ev.n < 2:
        nums.append(f"speedup {g(best['speedup_best'])}; one core, so parallelism cannot show")
    else:
        if ev.parallel(m, rule.limits["parallel"]):
            words.append("parallelism")
        busy = g(best["cpu_util"]) if best["cpu_util"] != "" else "?"
        nums.append(f"speedup {g(best['speedup_best'])} ({best['workload']}), {busy} cores busy")
    if not io and io_na:
        nums.append("concurrency not applicable")
    elif not io:
        known = False
        why = ev.why_io(m, rule.workloads[0])
        nums.append(f"concurrency missing: {why}")
        ev.missing.append(("mode", m, why))
    else:
        fl = max(io.values(), key=lambda r: r["in_flight"])
        if fl["in_flight"] > ev.n:
            words.append("concurrency")
        nums.append(f"{g(fl['in_flight'])} waits in flight")
    v = " + ".join(words) or ("neither" if known else "so far")
    return Cell(frozenset(words) if known else None, f"{capital(v)} ({'; '.join(nums)})",
                said=("neither",) if known and not words else (), brief="; ".join(nums))


def scene(rule, ev, m):
    best, _ = ev.speed(m)
    cpu_na = ev.na(m, ev.cpu_workloads)
    if cpu_na and ev.na(m, rule.workloads):
        return not_applicable(f"{cpu_na}; {ev.na(m, rule.workloads)}")
    got, nums, known = [], [], best is not None or bool(cpu_na)
    if ev.parallel(m, rule.limits["parallel"]):
        got.append("computing")
    for w in rule.workloads:
        r = ev.io_largest(m, w)
        if r is None and ev.na(m, (w,)):
            nums.append(f"{w} not applicable")
            continue
        if r is None:
            known = False
            nums.append(f"{w} missing")
            ev.missing.append(("applicable scene", m, ev.why_io(m, w)))
            continue
        if r["in_flight"] > ev.n:
            got.append(rule.scenes[w])
        nums.append(f"{w}: {g(r['in_flight'])} in flight")
    if best is None:
        nums.append("speedup not applicable" if cpu_na else "speedup missing")
    v = ", ".join(got) or ("none" if known else "so far none")
    return Cell(frozenset(got) if known else None, f"{capital(v)} ({'; '.join(nums)})",
                said=("none",) if known and not got else (), brief="; ".join(nums))


def cores(rule, ev, m):
    if not ev.cpu_at_n(m):
        na = ev.na(m, ev.cpu_workloads)
        return not_applicable(na) if na else \
            Cell(None, ev.miss("CPU cores used", m, ev.why_cpu(m)))
    u = ev.busy(m)
    if u is None:
        return Cell(None, ev.miss("CPU cores used", m, "no cpu_util in the rows"))
    v = "many" if u >= rule.limits["parallel"] * ev.n else "one"
    return Cell(v, f"{v} ({g(u)} busy)", brief=f"{g(u)} cores busy")


def speedup_word(limits, n, s):
    """Rule P's word for a best speedup s at n cores (rule R judges its remedies by it too)."""
    return "yes" if s >= limits["parallel"] * n else "no" if s < limits["no"] else "partly"


def speedup(rule, ev, m):
    best, rows = ev.speed(m)
    if best is None:
        na = ev.na(m, ev.cpu_workloads)
        return not_applicable(na) if na else Cell(None, ev.miss("speedup", m, ev.why_cpu(m)))
    v = speedup_word(rule.limits, ev.n, best["speedup_best"])
    lost = [w for w in ev.cpu_workloads if w not in rows and not ev.na(m, (w,))]
    nums = "; ".join(f"{w} {g(rows[w]['speedup'])}, best {g(rows[w]['speedup_best'])}"
                     for w in ev.cpu_workloads if w in rows)
    if lost:
        nums += "; missing " + ", ".join(lost)
        ev.missing += [("speedup", m, ev.why_cpu_workload(m, w)) for w in lost]
    # A model's own variants (another way to start its units), beside: each one's best.
    for v2, vrows in ev.variants_at_n(m).items():
        if vrows:
            b = max(vrows.values(), key=lambda r: r["speedup_best"])
            nums += f"; {v2}: {b['workload']} best {g(b['speedup_best'])}"
    return Cell(v, f"{v} ({nums})",
                brief=f"best {g(best['speedup_best'])} ({best['workload']})")


def overlap(rule, ev, m):
    parts, best = [], None
    na = ev.na(m, rule.workloads)
    if na:
        return not_applicable(na)
    for w in rule.workloads:
        r = ev.io_largest(m, w)
        if r is None and ev.na(m, (w,)):
            parts.append(f"{w} not applicable")
            continue
        if r is None:
            parts.append(f"{w} missing")
            ev.missing.append(("IO overlap", m, ev.why_io(m, w)))
            continue
        cap = ev.caps(m, w)
        parts.append(f"{w} {g(r['overlap'], 2)} at {plural(r['units'], 'unit')}"
                     + (f", {cap}" if cap else ""))
        best = r["overlap"] if best is None else max(best, r["overlap"])
    if best is None:
        return Cell(None, "missing (" + "; ".join(parts) + ")")
    v = "high" if best >= rule.limits["high"] else "low"
    return Cell(v, f"{v} ({'; '.join(parts)})", brief=f"best {g(best, 2)}")


def objects(rule, r):
    """The objects a parked unit holds by its runtime's allocator (rule.objects: the column and
    what it counts), where its rows say."""
    col, what, by = rule.objects
    return f"; {what} {g(r[col])} B ({by})" if r.get(col, "") != "" else ""


def memory_beside(rule, ev, m):
    """A model's own variants' memory, and the units of other runtimes the record sets beside
    this model (rule.kin: a stackless C unit beside CPython's generator), each with what it
    counts."""
    out = [f"beside, {x['variant']}: touched {kib(x['touched'])} (user PSS {kib(x['pss'])}, "
           f"kernel {kib(x['kernel'])}), reserved {kib(x['vsz'])} (VSZ), at "
           f"{int(x['units']):,} units{objects(rule, x)}" for x in ev.variants(rule.source, m)]
    if m in rule.kin:
        km, kv = rule.kin[m]
        out += [f"beside it, {x['label']}: touched {kib(x['touched'])}{objects(rule, x)}"
                for x in ev.others(rule.source) if x["model"] == km and x["variant"] == kv]
    return out


def memory(rule, ev, m):
    rows = ev.default(rule.source, m)
    w = rule.workloads[0]
    beside = "".join(f"; {b}" for b in memory_beside(rule, ev, m))
    figs = {x["variant"]: {"reserved": x["vsz"], "touched": x["touched"]}
            for x in ev.variants(rule.source, m)}
    if not rows:
        na = ev.na(m, (w,))
        if na:
            return not_applicable(na)
        return Cell(None, ev.miss("memory per unit", m, probe_reason(ev, m, w, "no figures"))
                    + beside, beside=figs)
    r = rows[0]
    touched = r["touched"]
    v = band(rule.bands, touched)
    if all(r[k] != "" for k, _ in rule.parts):
        kernel = f"kernel {kib(r['kernel'])}: " + ", ".join(
            f"{name} {kib(r[k])}" for k, name in rule.parts)
    else:
        kernel = f"kernel {kib(r['kernel'])}, by part missing"
        ev.missing.append(("memory per unit", m, f"{w}: kernel memory by part: its rows predate "
                           "it (their kernel figure is KernelStack + PageTables + all of Slab)"))
    return Cell(v, f"{v}: touched {kib(touched)} (user PSS {kib(r['pss'])}, RSS {kib(r['rss'])}; "
                f"{kernel}); reserved {kib(r['vsz'])} (VSZ), at {int(r['units']):,} units"
                f"{objects(rule, r)}{beside}",
                {"reserved": r["vsz"], "touched": touched}, brief=f"touched {kib(touched)}"
                + "".join(f", {v2} {kib(f2['touched'])}" for v2, f2 in figs.items()),
                beside=figs)


def floor_text(rule, ev, m, rows, everything, row):
    """The variants shown beside a cost but not deciding it (rule W's spin: no kernel in the
    hand-off), each with the host constant that is the same thing measured apart; or why a
    model that ran across cores has none."""
    out = []
    for x in rows:
        name, what = rule.floor[x["variant"]]
        c = ev.run.constant(name)
        out.append(f"{x['what']} {g(x['value'])} {rule.unit}, the floor without the kernel"
                   + (f" ({what} {c.text()} here)" if c else ""))
    if rows or not any(int(x.get("cores") or 1) > 1 for x in everything):
        return out
    w = rule.workloads[0]
    for v in rule.floor:
        cs = [c for c in ev.find(group="probe", workload=w, model=m, variant=v)
              if ev.run.status[c]["cores"] != "1"]
        why = f"{cs[0]}: {ev.run.why(cs[0])}" if cs else f"{w} {v}: not in this run"
        ev.missing.append((row, m, why))
        out.append(f"{v} missing")
    return out


def cost(what):
    """The verdict of a cost probe (spawn, switch): the fastest variant's band; a floor variant
    (rule.floor) is shown beside and does not decide."""
    def verdict(rule, ev, m):
        every = ev.default(rule.source, m)
        w = rule.workloads[0]
        floors = [x for x in every if x.get("variant") in rule.floor]
        rs = [x for x in every if x not in floors]
        own = [f"beside, {x['variant']}: {g(x['value'])} {rule.unit}"
               for x in ev.variants(rule.source, m)]
        if not rs:
            na = ev.na(m, (w,))
            if na:
                return not_applicable(na)
            return Cell(None, ev.miss(what, m, probe_reason(ev, m, w, "no figures"))
                        + "".join(f"; {b}" for b in own))
        fastest = min(x["value"] for x in rs)
        v = band(rule.bands, fastest)
        nums = "; ".join(f"{x['what'] + ' ' if x['what'] else ''}{g(x['value'])} {rule.unit}"
                         for x in rs)
        why = rule.cite(rule, ev, m, fastest) if rule.cite else None
        sep = " " if why and why.startswith("=") else "; "
        beside = (floor_text(rule, ev, m, floors, every, what) if rule.floor else []) + own
        return Cell(v, f"{v} ({nums}{sep + why if why else ''}"
                    + "".join(f"; {b}" for b in beside) + ")",
                    brief=f"fastest {g(fastest)} {rule.unit}")
    return verdict


def pool(rule, ev, m):
    """The same waits on a pool of N units as on one unit per task: completion time ÷ that of
    the reference, a measured ratio (the pool's tasks may or may not outnumber its units)."""
    w = rule.workloads[0]
    r = ev.io_largest(m, w, group="pool")
    if r is None and ev.na(m, (w,)):
        return not_applicable(ev.na(m, (w,)))
    if r is None:
        why = ev.why_probe(m, w, group="pool")
        return Cell(None, ev.miss("IO on a pool", m, why or "not in this run"))
    waits = f"{plural(r['tasks'], 'wait')} of {g(r['delay_ms'])} ms"
    if r["slowdown_reference"] == r["config"]:
        return Cell(None, f"the reference: one unit per task ({waits} on "
                    f"{plural(r['units'], 'unit')}: {g(r['wall_s'])} s)")
    if r["slowdown"] == "":
        return Cell(None, ev.miss("IO on a pool", m, f"{w}: no run of the same waits with one "
                                  "unit per task to compare with"))
    ref = next(x for x in ev.d["pool.csv"] if x["config"] == r["slowdown_reference"])
    v = ("serialised by the pool" if r["slowdown"] > rule.limits["serialised"]
         else "kept up")
    return Cell(v, f"{v} (×{g(r['slowdown'])}: {waits} took {g(r['wall_s'])} s on "
                f"{plural(r['units'], 'unit')}, {g(ref['wall_s'])} s on {int(ref['units']):,} "
                f"{model_name(ev.runtime, ref['model'], short=True)}, one per task)",
                brief=f"×{g(r['slowdown'])}")


def within(rule, claim, figures):
    """Rule E on a claimed amount: yes, or no with the figure."""
    got, f = figures[claim.figure], rule.limits["factor"]
    ok = claim.lo / f <= got <= claim.hi * f if claim.lo else got <= claim.hi * f
    return "yes" if ok else f"no ({kib(got)})"


def same(rule, row, m, cell):
    """Rule E: whether a runtime behaves as the row's CPython claim says, for one model (its
    default; a claimed amount also for each of its own variants, beside)."""
    claim = row.claim.words[MODELS.index(m)] if row.claim and m in MODELS else None
    if claim is None:
        return "no claim"
    if cell.na:
        return "not applicable"
    if cell.verdict is None:
        return "missing"
    if isinstance(claim, Span):
        return within(rule, claim, cell.figures) + "".join(
            f"; {v}: {within(rule, claim, f)}" for v, f in cell.beside.items())
    if isinstance(claim, frozenset):
        if cell.verdict == claim:
            return "yes"
        if claim <= cell.verdict:
            return "more: also " + ", ".join(sorted(cell.verdict - claim))
        return "no: " + ", ".join(sorted(cell.words))
    return "yes" if cell.verdict == claim else f"no: {cell.verdict}"


# ---------------------------------------------------------------- remedies, convoy, patterns

def remedies(rule, ev):
    """Rule R's lines a runtime has rows of, its reference first; none where it ran no
    remedy."""
    got = [x for x in (rule.reference,) + rule.remedies
           if ev.find(group="cpu", model=x[0], variant=x[1], workload=x[2])]
    return got if any(x in rule.remedies for x in got) else []


def remedy(rule, ev, item):
    """A remedy's speedup at N cores, worded by rule P's thresholds (rule.limits)."""
    m, v, w, _ = item
    rows = [r for r in ev.d["speedup.csv"] if r["model"] == m and r["variant"] == v
            and r["workload"] == w and int(r["cores"]) == ev.n and r["repeat"] == 1
            and r["speedup"] != ""]
    if not rows:
        cs = ev.find(group="cpu", model=m, variant=v, workload=w, cores=ev.n)
        why = f"{w} at {ev.n} cores: " + (ev.run.why(cs[0]) if cs else "not in this run")
        if cs and ev.run.status[cs[0]]["status"] == "unsupported":
            return not_applicable(why)
        return Cell(None, ev.miss("remedies", m, why))
    r = rows[0]
    word = speedup_word(rule.limits, ev.n, r["speedup_best"])
    busy = f"; {g(r['cpu_util'])} cores busy" if r["cpu_util"] != "" else ""
    return Cell(word, f"{word} ({g(r['speedup'])}, best {g(r['speedup_best'])}{busy})",
                brief=f"best {g(r['speedup_best'])}")


def convoy_series(rule, ev):
    """(workload, series) of each waiting unit's series this runtime ran (rule V)."""
    return list(dict.fromkeys((r["workload"], r["series"]) for r in ev.d["beside.csv"]
                              if r["workload"] in rule.workloads))


def convoy(rule, ev, item):
    """The waiting unit's 99th-percentile wait beside the most busy units against alone."""
    rows = sorted((r for r in ev.d["beside.csv"] if (r["workload"], r["series"]) == item
                   and r["wait_p99_us"] != ""), key=lambda r: r["busy"])
    alone = [r for r in rows if r["busy"] == 0]
    if not alone or len(rows) < 2:
        m = next(r["model"] for r in ev.d["beside.csv"] if (r["workload"], r["series"]) == item)
        return Cell(None, ev.miss(rule.title.lower(), m, f"{item[0]}: no run alone and beside "
                                  "busy units with wait percentiles"))
    most = rows[-1]
    ratio = most["wait_p99_us"] / alone[0]["wait_p99_us"]
    word = rule.says[0] if ratio >= rule.limits["factor"] else rule.says[1]
    return Cell(word, f"{word} (p99 ×{g(ratio)}: {g(alone[0]['wait_p99_us'])} µs alone, "
                f"{g(most['wait_p99_us'])} µs beside {plural(most['busy'], 'busy unit')})",
                brief=f"p99 ×{g(ratio)}")


def pattern_models(rule, ev):
    """The models this runtime ran a pattern's workload under, serial first."""
    ms = dict.fromkeys(r["model"] for r in ev.d["patterns.csv"]
                       if r["workload"] in rule.workloads)
    return [m for m in ("serial",) + MODELS if m in ms] + [m for m in ms
                                                          if m not in MODELS + ("serial",)]


def pattern_rows(rule, ev, m, figure=None):
    """A pattern's rows of one figure (the record's) under model m, in plan order."""
    return [r for r in ev.d["patterns.csv"] if r["workload"] in rule.workloads
            and r["model"] == m and r["figure"] == (figure or rule.figure)]


def pattern_missing(rule, ev, m):
    """Why a pattern has no figure under a model: not applicable, or its status."""
    w = rule.workloads[0]
    na = ev.na(m, (w,))
    if na:
        return not_applicable(na)
    why = ev.why_probe(m, w, group="pattern")
    why = ("not in this run" if why is None else f"no {rule.figure} in its rows" if why == "ok"
           else why)
    return Cell(None, ev.miss(w, m, f"{w}: {why}"))


def lost(rule, ev, m):
    """The lost-update race: the test variant (unlocked) loses updates in some run or in none;
    every other variant (a lock, an atomic add) is a control that must lose none, else there is
    no verdict."""
    ex = rule.experiment
    rows = {r["variant"]: r for r in pattern_rows(rule, ev, m)}
    test = rows.get(ex["test"])
    if test is None:
        return pattern_missing(rule, ev, m)
    nums = "; ".join(f"{v} {g(r['value'])}" + (f" (at most {g(r['value_max'])})"
                                                if r["value_max"] != r["value"] else "")
                     for v, r in rows.items())
    bad = [v for v, r in rows.items() if v != ex["test"] and r["value_max"] > 0]
    if bad:
        return Cell(None, ev.miss(rule.workloads[0], m, f"{', '.join(bad)} lost updates too: "
                                  "the control failed") + f" ({nums} {rule.unit})")
    word = rule.says[0] if test["value_max"] > 0 else rule.says[1]
    return Cell(word, f"{word} ({nums} {rule.unit})", brief=f"{ex['test']} {g(test['value'])}")


def queue(rule, ev, m):
    """A bounded queue: every queue's high-water mark within its capacity (the run's option,
    or its list's default) in every run; items per second and the slow consumer's peak RSS
    beside."""
    ex = rule.experiment
    rows = pattern_rows(rule, ev, m)
    if not rows:
        return pattern_missing(rule, ev, m)
    marks = [r for f in ex["marks"] for r in pattern_rows(rule, ev, m, f)]
    cap = options(rows[0]["params"]).get(ex["capacity"]) or \
        ev.run.option(rule.workloads[0], ex["capacity"], ev.runtime)
    unit = f" {rows[0]['unit']}" if rows[0]["unit"] else ""
    nums = "; ".join(f"{r['variant'] or 'default'} {g(r['value'])}{unit}" for r in rows)
    high = max((r["value_max"] for r in marks), default=None)
    rss = [r for r in pattern_rows(rule, ev, m, ex["memory"]) if r["variant"] == ex["slow"]]
    peak = f"; {ex['slow']} peak RSS {kib(rss[0]['value'])}" if rss else ""
    if high is None or not cap:
        return Cell(None, ev.miss(rule.workloads[0], m, "no high-water marks or no capacity "
                                  "in its rows") + f" ({nums}{peak})")
    word = rule.says[0] if high <= float(cap) else rule.says[1]
    return Cell(word, f"{word} ({nums}; high water {whole(high)} of {whole(float(cap))} "
                f"items{peak})", brief=f"high water {whole(high)} of {whole(float(cap))}")


def children(rule, ev, m):
    """Work done by children: the cores the parent and its children kept busy, the best
    variant's deciding."""
    rows = pattern_rows(rule, ev, m)
    if not rows:
        return pattern_missing(rule, ev, m)
    best = max(r["value"] for r in rows)
    word = rule.says[0] if best >= rule.limits["parallel"] * ev.n else rule.says[1]
    nums = ", ".join(f"{r['variant'] or 'default'} {g(r['value'])}" for r in rows)
    return Cell(word, f"{word} ({nums} cores busy)", brief=f"best {g(best)} cores busy")


def banded(rule, ev, m):
    """A pattern's cost in the record's bands: the fastest variant decides."""
    rows = pattern_rows(rule, ev, m)
    if not rows:
        return pattern_missing(rule, ev, m)
    fastest = min(r["value"] for r in rows)
    word = band(rule.bands, fastest)
    nums = "; ".join(" ".join(filter(None, (r["variant"], f"{g(r['value'])} {rule.unit}")))
                     for r in rows)
    return Cell(word, f"{word} ({nums})", brief=f"{g(fastest)} {rule.unit}")


# ---------------------------------------------------------------- the host constants behind figures

def creation_constant(caps):
    """The primitive a model's unit is created with, and what it is called: a fork for processes,
    pthread_create for threads of their own, the first touch of a coroutine's stack (a page
    fault). (None, None) where a model does not say (a run without list.csv)."""
    if not caps:
        return None, None
    if "shared" not in caps:
        return "fork_us", "fork + wait"
    if "block" in caps and "coexist" in caps:
        return "thread_create_us", "pthread_create + join"
    if "coexist" in caps:
        return "page_fault_us", "a page fault"
    return None, None


def switch_constant(caps):
    """glibc's swapcontext makes one system call (rt_sigprocmask) per switch, so where units
    switch directly that call is most of a switch; a blocking hand-off is two system calls and a
    pass through the kernel's scheduler. Either way: the system call."""
    return "syscall_ns" if caps else None


# Which constant explains a family of figures for a model with these capabilities (make
# compare names it beside a figure that differs between two hosts).
EXPLAINS = {
    "create": lambda caps: creation_constant(caps)[0],
    "handoff": switch_constant,
    # two units spinning on one cache line: the same hand-off cvp --machine times apart
    "floor": lambda caps: "handoff_ns",
    # at many units, creating them is most of what the waiting does not cover
    "io": lambda caps: creation_constant(caps)[0],
    # a forked child's first touch of inherited memory is a page fault
    "cpu": lambda caps: "page_fault_us" if caps and "shared" not in caps else None,
}


def cite_spawn(rule, ev, m, value):
    name, what = creation_constant(ev.run.caps(m, ev.runtime))
    c = ev.run.constant(name) if name else None
    return f"{what} {c.text()} here" if c else None


def cite_switch(rule, ev, m, value):
    caps = ev.run.caps(m, ev.runtime)
    c = ev.run.constant(switch_constant(caps) or "")
    if not c:
        return None
    if "direct" in caps and "block" not in caps and value > c.value:
        return f"= one system call ({c.text()} here) + {g(value - c.value)} ns"
    return f"a system call {c.text()} here"
