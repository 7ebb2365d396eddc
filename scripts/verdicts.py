"""verdicts.py — the functions the rule records of rules.py call to give one model's cell of the
headline table from the evidence: each reads its thresholds, workloads and derived file from its
record (rule), so a threshold or a name is stated once, in the record. Also rule E's comparison
with the CPython claim, and the host constants cited beside the figures they explain."""
from dataclasses import dataclass, field

from results import MODELS, SHORT, g


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
    r = ev.cost(rule.also, m)
    if not r or not r[0]["pss"] or r[0]["pss"] <= 0:
        return ""
    return f"RSS ÷ PSS {g(r[0]['rss'] / r[0]['pss'])}"


def address(rule, ev, m):
    """An experiment: one unit writes an ordinary variable, a barrier orders the write before
    the read, the other unit reads it. It saw the write only if both share one address space."""
    ex, w = rule.experiment, rule.workloads[0]
    beside = rss_pss(rule, ev, m)
    tail = f"; {beside}" if beside else ""
    rows = [r for r in ev.cost(rule.source, m) if r["figure"] == ex["figure"]]

    def arm(value):
        # A row without the option ran with its default, the experiment proper.
        return [r for r in rows if options(r["params"]).get(ex["option"], ex["test"]) == value]
    test, control = arm(ex["test"]), arm(ex["control"])
    if not test:
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
                f"{runs if seen else 0} of {runs} runs{ctl}{tail})")


def mode(rule, ev, m):
    best, _ = ev.speed(m)
    io = {w: r for w in rule.workloads if (r := ev.io_largest(m, w))}
    words, nums, known = [], [], True
    if best is None:
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
    if not io:
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
                said=("neither",) if known and not words else ())


def scene(rule, ev, m):
    best, _ = ev.speed(m)
    got, nums, known = [], [], best is not None
    if ev.parallel(m, rule.limits["parallel"]):
        got.append("computing")
    for w in rule.workloads:
        r = ev.io_largest(m, w)
        if r is None:
            known = False
            nums.append(f"{w} missing")
            ev.missing.append(("applicable scene", m, ev.why_io(m, w)))
            continue
        if r["in_flight"] > ev.n:
            got.append(rule.scenes[w])
        nums.append(f"{w}: {g(r['in_flight'])} in flight")
    if best is None:
        nums.append("speedup missing")
    v = ", ".join(got) or ("none" if known else "so far none")
    return Cell(frozenset(got) if known else None, f"{capital(v)} ({'; '.join(nums)})",
                said=("none",) if known and not got else ())


def cores(rule, ev, m):
    if not ev.cpu_at_n(m):
        return Cell(None, ev.miss("CPU cores used", m, ev.why_cpu(m)))
    u = ev.busy(m)
    if u is None:
        return Cell(None, ev.miss("CPU cores used", m, "no cpu_util in the rows"))
    v = "many" if u >= rule.limits["parallel"] * ev.n else "one"
    return Cell(v, f"{v} ({g(u)} busy)")


def speedup(rule, ev, m):
    best, rows = ev.speed(m)
    if best is None:
        return Cell(None, ev.miss("speedup", m, ev.why_cpu(m)))
    s = best["speedup_best"]
    v = ("yes" if s >= rule.limits["parallel"] * ev.n else "no" if s < rule.limits["no"]
         else "partly")
    lost = [w for w in ev.cpu_workloads if w not in rows]
    nums = "; ".join(f"{w} {g(rows[w]['speedup'])}, best {g(rows[w]['speedup_best'])}"
                     for w in ev.cpu_workloads if w in rows)
    if lost:
        nums += "; missing " + ", ".join(lost)
        ev.missing += [("speedup", m, ev.why_cpu_workload(m, w)) for w in lost]
    return Cell(v, f"{v} ({nums})")


def overlap(rule, ev, m):
    parts, best = [], None
    for w in rule.workloads:
        r = ev.io_largest(m, w)
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
    return Cell(v, f"{v} ({'; '.join(parts)})")


def memory(rule, ev, m):
    r = ev.cost(rule.source, m)
    w = rule.workloads[0]
    if not r:
        return Cell(None, ev.miss("memory per unit", m, probe_reason(ev, m, w, "no figures")))
    r = r[0]
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
                f"{kernel}); reserved {kib(r['vsz'])} (VSZ), at {int(r['units']):,} units",
                {"reserved": r["vsz"], "touched": touched})


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
        every = ev.cost(rule.source, m)
        w = rule.workloads[0]
        floors = [x for x in every if x.get("variant") in rule.floor]
        rs = [x for x in every if x not in floors]
        if not rs:
            return Cell(None, ev.miss(what, m, probe_reason(ev, m, w, "no figures")))
        fastest = min(x["value"] for x in rs)
        v = band(rule.bands, fastest)
        nums = "; ".join(f"{x['what'] + ' ' if x['what'] else ''}{g(x['value'])} {rule.unit}"
                         for x in rs)
        why = rule.cite(rule, ev, m, fastest) if rule.cite else None
        sep = " " if why and why.startswith("=") else "; "
        beside = floor_text(rule, ev, m, floors, every, what) if rule.floor else []
        return Cell(v, f"{v} ({nums}{sep + why if why else ''}"
                    + "".join(f"; {b}" for b in beside) + ")")
    return verdict


def pool(rule, ev, m):
    """The same waits on a pool of N units as on one unit per task: completion time ÷ that of
    the reference, a measured ratio (the pool's tasks may or may not outnumber its units)."""
    w = rule.workloads[0]
    r = ev.io_largest(m, w, group="pool")
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
                f"{SHORT.get(ref['model'], ref['model'])}, one per task)")


def same(rule, row, m, cell):
    """Rule E: whether C behaves as the row's CPython claim says, for one model."""
    claim = row.claim.words[MODELS.index(m)] if row.claim and m in MODELS else None
    if claim is None:
        return "no claim"
    if cell.verdict is None:
        return "missing"
    if isinstance(claim, Span):
        got, f = cell.figures[claim.figure], rule.limits["factor"]
        ok = claim.lo / f <= got <= claim.hi * f if claim.lo else got <= claim.hi * f
        return "yes" if ok else f"no ({kib(got)})"
    if isinstance(claim, frozenset):
        if cell.verdict == claim:
            return "yes"
        if claim <= cell.verdict:
            return "more: also " + ", ".join(sorted(cell.verdict - claim))
        return "no: " + ", ".join(sorted(cell.words))
    return "yes" if cell.verdict == claim else f"no: {cell.verdict}"


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
    name, what = creation_constant(ev.run.caps(m))
    c = ev.run.constant(name) if name else None
    return f"{what} {c.text()} here" if c else None


def cite_switch(rule, ev, m, value):
    caps = ev.run.caps(m)
    c = ev.run.constant(switch_constant(caps) or "")
    if not c:
        return None
    if "direct" in caps and "block" not in caps and value > c.value:
        return f"= one system call ({c.text()} here) + {g(value - c.value)} ns"
    return f"a system call {c.text()} here"
