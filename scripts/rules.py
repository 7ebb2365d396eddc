"""rules.py — the rules behind every verdict word of TABLE.md's headline table, one record each:
its letter and row title, its thresholds, the function that gives a model's cell from the
evidence, the prose printed under the table (made from the same thresholds, so changing one
changes the other), the workloads it reads, and the original table's claim about CPython that
rule E tests it against. README.md's copy of the list is `report.py rules --cores 2`."""
import math
from dataclasses import dataclass, field
from typing import Callable, Optional

from results import MODELS, g

PARALLEL = 0.75  # the share of N cores a speedup and the busy cores must reach (rules M, C, P)


@dataclass(frozen=True)
class Span:
    """A claimed amount of memory per unit, in KiB, and which measured figure it is about:
    'reserved' (VSZ) or 'touched' (PSS + kernel)."""
    lo: float
    hi: float
    figure: str


@dataclass(frozen=True)
class Claim:
    """What the original table says about CPython in one row: its cells as written, and per
    model (MODELS order) the verdict words C's must equal for rule E to say yes — a word, a set
    of words, a Span, or None where the table claims nothing."""
    text: str
    words: tuple


@dataclass(frozen=True)
class Cell:
    verdict: object  # a word, a frozenset of words, or None when a measurement is missing
    text: str
    figures: dict = field(default_factory=dict)  # what rule E weighs against a Span


@dataclass(frozen=True)
class Rule:
    letter: str
    title: str  # the row's name in the table; {n} is N
    prose: Callable[["Rule", int], str]  # the text under the table at N cores
    verdict: Optional[Callable] = None  # (rule, Evidence, model) -> Cell; None: no row (E)
    limits: dict = field(default_factory=dict)  # named thresholds
    bands: tuple = ()  # ((upper limit, word), ...) in `unit`, the last limit infinite
    unit: str = ""
    workloads: tuple = ()  # the workloads it reads, by name
    words: dict = field(default_factory=dict)  # rule S: the scene each IO workload stands for
    notes: dict = field(default_factory=dict)  # what the prose adds after a workload's name
    source: str = ""  # the derived cost file its verdict reads, drawn from its probe
    claim: Optional[Claim] = None
    # The host constant that explains a model's figure, cited beside it from the run's own
    # constants: (rule, Evidence, model, figure) -> text, or None.
    cite: Optional[Callable] = None

    def row(self, n):
        return self.title.format(n=n)

    def text(self, n):
        return f"- **{self.letter}** {self.prose(self, n)}"


# ---------------------------------------------------------------- words for numbers

def kib(x):
    return f"{g(x / 1024)} MiB" if x >= 10240 else f"{g(x)} KiB"


def amount(x, unit):
    """A threshold as prose says it: 1000 ns as 1 µs, 1024 KiB as 1 MiB."""
    if unit == "ns" and x >= 1000:
        return amount(x / 1000, "µs")
    if unit == "KiB" and x >= 1024:
        return amount(x / 1024, "MiB")
    return f"{x:g} {unit}"


def band(bands, x):
    return next(word for limit, word in bands if x < limit)


def bands_prose(rule, after_first=""):
    *low, (_, top) = rule.bands
    parts = [f"*{word}* below {amount(limit, rule.unit)}" + (after_first if k == 0 else "")
             for k, (limit, word) in enumerate(low)]
    return ", ".join(parts + [f"*{top}* above"])


def par(n):
    return g(PARALLEL * n)


def capital(v):
    return v[0].upper() + v[1:]


# ---------------------------------------------------------------- the verdicts, one model each

def address(rule, ev, m):
    r = ev.cost(rule.source, m)
    w = rule.workloads[0]
    if not r or not r[0]["pss"]:
        why = ev.why_probe(m, w)
        return Cell(None, ev.miss("address space", m, f"{w}: {why}" if why
                                  else f"{w} not in this run"))
    ratio = r[0]["rss"] / r[0]["pss"] if r[0]["pss"] > 0 else float("inf")
    v = "separate" if ratio > rule.limits["separate"] else "shared"
    return Cell(v, f"{v} (RSS ÷ PSS {g(ratio)})")


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
        nums.append(f"speedup {g(best['speedup_best'])}, {g(ev.busy(m) or 0)} cores busy")
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
    return Cell(frozenset(words) if known else None, f"{capital(v)} ({'; '.join(nums)})")


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
            got.append(rule.words[w])
        nums.append(f"{w}: {g(r['in_flight'])} in flight")
    if best is None:
        nums.append("speedup missing")
    v = ", ".join(got) or ("none" if known else "so far none")
    return Cell(frozenset(got) if known else None, f"{capital(v)} ({'; '.join(nums)})")


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
    nums = ", ".join(f"{w} {g(rows[w]['speedup_best'])}" for w in ev.cpu_workloads if w in rows)
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
        u = int(r["units"])
        parts.append(f"{w} {g(r['overlap'], 2)} at {u:,} unit{'s' if u > 1 else ''}"
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
        why = ev.why_probe(m, w)
        return Cell(None, ev.miss("memory per unit", m, f"{w}: {why}" if why
                                  else f"{w} not in this run"))
    r = r[0]
    touched = r["pss"] + r["kernel"]
    v = band(rule.bands, touched)
    return Cell(v, f"{v}: touched {kib(touched)} (user PSS {kib(r['pss'])}, RSS {kib(r['rss'])}; "
                f"kernel {kib(r['kernel'])}); reserved {kib(r['vsz'])} (VSZ), at "
                f"{int(r['units']):,} units", {"reserved": r["vsz"], "touched": touched})


def cost(what):
    """The verdict of a cost probe (spawn, switch): the fastest variant's band."""
    def verdict(rule, ev, m):
        rs = ev.cost(rule.source, m)
        w = rule.workloads[0]
        if not rs:
            why = ev.why_probe(m, w)
            return Cell(None, ev.miss(what, m, f"{w}: {why}" if why else f"{w} not in this run"))
        v = band(rule.bands, min(x["value"] for x in rs))
        nums = "; ".join(f"{x['what'] + ' ' if x['what'] else ''}{g(x['value'])} {rule.unit}"
                         for x in rs)
        why = rule.cite(rule, ev, m, min(x["value"] for x in rs)) if rule.cite else None
        sep = " " if why and why.startswith("=") else "; "
        return Cell(v, f"{v} ({nums}{sep + why if why else ''})")
    return verdict


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


def pool(rule, ev, m):
    r = ev.io_largest(m, rule.workloads[0], group="pool")
    if r is None:
        why = ev.why_probe(m, rule.workloads[0], group="pool")
        return Cell(None, ev.miss("IO on a pool", m, why or "not in this run"))
    v = "overlapped" if r["in_flight"] > ev.n else "serialised by the pool"
    return Cell(v, f"{v} ({int(r['tasks']):,} waits of {g(r['delay_ms'])} ms on "
                f"{int(r['units']):,} units: {g(r['wall_s'])} s, {g(r['in_flight'])} in flight)")


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
        return "no: " + (", ".join(sorted(cell.verdict)) or "neither")
    return "yes" if cell.verdict == claim else f"no: {cell.verdict}"


# ---------------------------------------------------------------- the records, in the list's order

def either(ws, word):
    return f" {word} ".join(ws)


RULES = (
    Rule("A", "Address space", source="memory.csv", workloads=("idle",),
         limits={"separate": 1.5},
         verdict=address,
         prose=lambda r, n: (
             f"Address space: *separate* when a unit's RSS exceeds its PSS by more than "
             f"{r.limits['separate']:g}× (pages shared copy-on-write between address spaces "
             f"count in full in RSS and are split in PSS), *shared* otherwise. From the "
             f"{r.workloads[0]} probe."),
         claim=Claim("Interpreter: shared / one per process / —", ("shared", "separate", None))),
    Rule("M", "Mode", workloads=("sleep", "echo"),
         limits={"parallel": PARALLEL},
         verdict=mode,
         prose=lambda r, n: (
             f"Mode: *parallelism* when the best CPU-bound speedup at N cores (rule P) is at "
             f"least {r.limits['parallel']:g} × N = {par(n)} and its runs kept at least "
             f"{par(n)} cores busy (rule C) — both, so a baseline slowed by another process "
             f"cannot make a speedup alone; *concurrency* when, at the largest unit count that "
             f"ran, more IO waits were in flight than there are cores (units × overlap > {n}) "
             f"in {either(r.workloads, 'or')}."),
         claim=Claim("Concurrency / Parallelism / Concurrency",
                     (frozenset({"concurrency"}), frozenset({"parallelism"}),
                      frozenset({"concurrency"})))),
    Rule("S", "Applicable scene", workloads=("sleep", "echo"),
         limits={"parallel": PARALLEL},
         words={"sleep": "I/O", "echo": "network"}, notes={"echo": "loopback delay server"},
         verdict=scene,
         prose=lambda r, n: (
             "Applicable scene: *computing* with parallelism; "
             + ", ".join(f"*{r.words[w]}* when {w}" + (f" ({r.notes[w]})" if w in r.notes
                                                       else "") for w in r.workloads)
             + " shows concurrency by rule M."),
         claim=Claim("I/O, network / Computing / I/O, network",
                     (frozenset({"I/O", "network"}), frozenset({"computing"}),
                      frozenset({"I/O", "network"})))),
    Rule("C", "CPU cores used", limits={"parallel": PARALLEL},
         verdict=cores,
         prose=lambda r, n: (
             f"CPU cores used: the largest median cpu_util ((user + sys) ÷ wall) of the "
             f"CPU-bound workloads at N cores; *many* when at least {par(n)}, *one* otherwise."),
         claim=Claim("one / many / —", ("one", "many", None))),
    Rule("P", "Speedup on CPU-bound work at {n} cores",
         limits={"parallel": PARALLEL, "no": 1.2},
         verdict=speedup,
         prose=lambda r, n: (
             f"Speedup = T(serial, 1 core) ÷ T(model, N cores), same workload and size, "
             f"in-process wall time of the fastest counted run of each (interference from other "
             f"processes only adds time; derived/speedup.csv also has the ratio of medians); "
             f"*yes* when the best workload reaches {par(n)}, *no* below {r.limits['no']:g}, "
             f"*partly* between."),
         claim=Claim("no / yes / —", ("no", "yes", None))),
    Rule("O", "IO overlap at the largest unit count", workloads=("sleep", "echo"),
         limits={"high": 0.5},
         verdict=overlap,
         prose=lambda r, n: (
             f"Overlap = ideal ÷ measured completion time; ideal = the busiest unit's waits × "
             f"the delay, i.e. the time if every wait overlapped. *high* at "
             f"{r.limits['high']:g} or more, *low* below (the better of "
             f"{either(r.workloads, 'and')}).")),
    Rule("B", "Memory per unit", source="memory.csv", workloads=("idle",), unit="KiB",
         bands=((1, "tiny"), (64, "small"), (1024, "medium"), (math.inf, "large")),
         verdict=memory,
         prose=lambda r, n: (
             f"Memory per unit from the {r.workloads[0]} probe: touched = user PSS + kernel "
             f"(stacks, slab, page tables); reserved = VSZ. {bands_prose(r, ' touched')}."),
         claim=Claim("8 MB (stack) / 10–30 MB (per interpreter) / <1 KB (per call)",
                     (Span(8192, 8192, "reserved"), Span(10240, 30720, "touched"),
                      Span(0, 1, "touched")))),
    Rule("T", "Spawn time per unit", source="spawn.csv", workloads=("spawn",), unit="µs",
         bands=((10, "cheap"), (100, "moderate"), (math.inf, "costly")),
         verdict=cost("spawn time"), cite=cite_spawn,
         prose=lambda r, n: (
             f"Spawn time per unit from the {r.workloads[0]} probe: {bands_prose(r)} (the "
             f"fastest variant decides).")),
    Rule("W", "Switch time (one way)", source="switch.csv", workloads=("pingpong",), unit="ns",
         bands=((1000, "sub-µs"), (10000, "µs"), (math.inf, "tens of µs")),
         verdict=cost("switch time"), cite=cite_switch,
         prose=lambda r, n: (
             f"Switch time per one-way hand-off from the {r.workloads[0]} probe (same core: "
             f"both units on one core; cross core: one on each of two): {bands_prose(r)} (the "
             f"fastest variant decides).")),
    # E has no row: it is the table's last column, each row's cells against the row's claim.
    Rule("E", "C behaves the same?", limits={"factor": 2},
         prose=lambda r, n: (
             f"C behaves the same (*yes*) when a row's verdict words equal the CPython claim's; "
             f"*more* when they include the claim's and add some; *no* otherwise. Memory: the "
             f"claim holds when the measured figure is within a factor {r.limits['factor']:g} "
             f"of it (threads: the reserved stack, VSZ; processes and coroutines: touched "
             f"memory, PSS + kernel).")),
    Rule("L", "IO on a pool of {n} (one unit per core)", workloads=("sleep",),
         verdict=pool,
         prose=lambda r, n: (
             "The same waits on a pool of N units as on one coroutine per task: *overlapped* "
             "when more waits were in flight than cores, *serialised by the pool* otherwise.")),
)
RULE = {r.letter: r for r in RULES}
# The probe behind each derived cost file, as the rules that read them name it.
PROBES = {r.source: r.workloads[0] for r in RULES
          if r.source in ("memory.csv", "spawn.csv", "switch.csv")}


def markdown(n):
    """The rule list at N cores, as TABLE.md prints it and README.md copies it."""
    return "\n".join(r.text(n) for r in RULES)
