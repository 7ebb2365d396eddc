"""rules.py — the rules behind every verdict word of TABLE.md's headline table, one record each:
its letter and row title, its thresholds, the function that gives a model's cell from the
evidence (verdicts.py), every word that function can say, the prose printed under the table
(made from the same thresholds, so changing one changes the other), the workloads it reads, and
the original table's claim about CPython that rule E tests it against. Rule N is the cut-off
that calls a configuration noisy. README.md's copy of the list is `report.py rules --cores 2`."""
import math
from dataclasses import dataclass, field
from typing import Callable, Optional

from results import g
from verdicts import (Span, address, cite_spawn, cite_switch, cores, cost, memory, mode,
                      overlap, pool, scene, speedup)

PARALLEL = 0.75  # the share of N cores a speedup and the busy cores must reach (rules M, C, P)


@dataclass(frozen=True)
class Claim:
    """What the original table says about CPython in one row: its cells as written, and per
    model (MODELS order) the verdict words C's must equal for rule E to say yes — a word, a set
    of words, a Span, or None where the table claims nothing."""
    text: str
    words: tuple


@dataclass(frozen=True)
class Rule:
    letter: str
    title: str  # the row's name in the table; {n} is N
    prose: Callable[["Rule", int], str]  # the text under the table at N cores
    verdict: Optional[Callable] = None  # (rule, Evidence, model) -> Cell; None: no row (E, N)
    says: tuple = ()  # every word its verdict can say (a test sees each one said)
    limits: dict = field(default_factory=dict)  # named thresholds
    bands: tuple = ()  # ((upper limit, word), ...) in `unit`, the last limit infinite
    unit: str = ""
    workloads: tuple = ()  # the workloads it reads, by name
    scenes: dict = field(default_factory=dict)  # rule S: the scene each IO workload stands for
    notes: dict = field(default_factory=dict)  # what the prose adds after a workload's name
    source: str = ""  # the derived probe file its verdict reads, drawn from its first workload
    also: str = ""  # a second derived file whose figure the cell shows beside (rule A)
    # Rule A's experiment: the figure its probe observes, the option that moves the shared
    # variable, the value of the experiment proper and the value of the control.
    experiment: dict = field(default_factory=dict)
    parts: tuple = ()  # rule B: (memory.csv column, name) of each part of kernel memory
    # Rule W: a variant shown beside but not deciding -> (host constant, what it is)
    floor: dict = field(default_factory=dict)
    claim: Optional[Claim] = None
    # The host constant that explains a model's figure, cited beside it from the run's own
    # constants: (rule, Evidence, model, figure) -> text, or None.
    cite: Optional[Callable] = None

    def row(self, n):
        return self.title.format(n=n)

    def text(self, n):
        return f"- **{self.letter}** {self.prose(self, n)}"


# ---------------------------------------------------------------- words for numbers

def amount(x, unit):
    """A threshold as prose says it: 1000 ns as 1 µs, 1024 KiB as 1 MiB."""
    if unit == "ns" and x >= 1000:
        return amount(x / 1000, "µs")
    if unit == "KiB" and x >= 1024:
        return amount(x / 1024, "MiB")
    return f"{x:g} {unit}"


def bands_prose(rule, after_first=""):
    *low, (_, top) = rule.bands
    parts = [f"*{word}* below {amount(limit, rule.unit)}" + (after_first if k == 0 else "")
             for k, (limit, word) in enumerate(low)]
    return ", ".join(parts + [f"*{top}* above"])


def words_of(bands):
    return tuple(word for _, word in bands)


def par(n):
    return g(PARALLEL * n)


def either(ws, word):
    return f" {word} ".join(ws)


def pct(x):
    return f"{x * 100:g} %"


# ---------------------------------------------------------------- the records, in the list's order

MEMORY_BANDS = ((1, "tiny"), (64, "small"), (1024, "medium"), (math.inf, "large"))
SPAWN_BANDS = ((10, "cheap"), (100, "moderate"), (math.inf, "costly"))
SWITCH_BANDS = ((1000, "sub-µs"), (10000, "µs"), (math.inf, "tens of µs"))

RULES = (
    Rule("A", "Address space", source="address.csv", also="memory.csv",
         workloads=("share", "idle"),
         experiment={"figure": "write_seen", "option": "memory", "test": "ordinary",
                     "control": "shared"},
         says=("shared", "separate"),
         verdict=address,
         prose=lambda r, n: (
             f"Address space, an experiment (the {r.workloads[0]} probe): one unit stores to "
             f"an {r.experiment['test']} variable, a barrier orders the store before the read, "
             f"the other unit reads it. *shared* when the reader saw the write in every run "
             f"({r.experiment['figure']} = 1: one address space), *separate* when it saw it in "
             f"none (0); runs that disagree give no verdict. With "
             f"{r.experiment['option']}={r.experiment['control']} the variable is in "
             f"{r.experiment['control']} memory, a control every model must pass, else there "
             f"is no verdict either. RSS ÷ PSS of the {r.workloads[1]} probe is shown beside "
             f"(pages shared copy-on-write count in full in RSS, split in PSS); it does not "
             f"decide."),
         claim=Claim("Interpreter: shared / one per process / —", ("shared", "separate", None))),
    Rule("M", "Mode", workloads=("sleep", "echo"),
         limits={"parallel": PARALLEL},
         says=("parallelism", "concurrency", "neither"),
         verdict=mode,
         prose=lambda r, n: (
             f"Mode: *parallelism* when the best CPU-bound speedup at N cores (rule P) is at "
             f"least {r.limits['parallel']:g} × N = {par(n)} and the runs of that same "
             f"workload kept at least {par(n)} cores busy (their median cpu_util) — both, so a "
             f"baseline slowed by another process cannot make a speedup alone; *concurrency* "
             f"when, at the largest unit count that ran, more IO waits were in flight than "
             f"there are cores (units × overlap > {n}) in {either(r.workloads, 'or')}; "
             f"*neither* when both were measured and neither holds."),
         claim=Claim("Concurrency / Parallelism / Concurrency",
                     (frozenset({"concurrency"}), frozenset({"parallelism"}),
                      frozenset({"concurrency"})))),
    Rule("S", "Applicable scene", workloads=("sleep", "echo"),
         limits={"parallel": PARALLEL},
         scenes={"sleep": "I/O", "echo": "network"}, notes={"echo": "loopback delay server"},
         says=("computing", "I/O", "network", "none"),
         verdict=scene,
         prose=lambda r, n: (
             "Applicable scene: *computing* with parallelism; "
             + ", ".join(f"*{r.scenes[w]}* when {w}" + (f" ({r.notes[w]})" if w in r.notes
                                                        else "") for w in r.workloads)
             + " shows concurrency by rule M; *none* when all were measured and none holds."),
         claim=Claim("I/O, network / Computing / I/O, network",
                     (frozenset({"I/O", "network"}), frozenset({"computing"}),
                      frozenset({"I/O", "network"})))),
    Rule("C", "CPU cores used", limits={"parallel": PARALLEL},
         says=("many", "one"),
         verdict=cores,
         prose=lambda r, n: (
             f"CPU cores used: the largest median cpu_util ((user + sys) ÷ wall) of the "
             f"CPU-bound workloads at N cores; *many* when at least {par(n)}, *one* otherwise."),
         claim=Claim("one / many / —", ("one", "many", None))),
    Rule("P", "Speedup on CPU-bound work at {n} cores",
         limits={"parallel": PARALLEL, "no": 1.2},
         says=("yes", "partly", "no"),
         verdict=speedup,
         prose=lambda r, n: (
             f"Speedup = T(serial, 1 core) ÷ T(model, N cores), same workload and size, "
             f"in-process wall time; the serial run divided by is the one measured nearest "
             f"before the model's in plan order (it is re-measured before each model's block; "
             f"derived/speedup.csv names it). The cell gives the ratio of medians and the best "
             f"(fastest counted run of each: interference from other processes only adds "
             f"time); the best decides: *yes* when the best workload reaches {par(n)}, *no* "
             f"below {r.limits['no']:g}, *partly* between."),
         claim=Claim("no / yes / —", ("no", "yes", None))),
    Rule("O", "IO overlap at the largest unit count", workloads=("sleep", "echo"),
         limits={"high": 0.5},
         says=("high", "low"),
         verdict=overlap,
         prose=lambda r, n: (
             f"Overlap = ideal ÷ measured completion time; ideal = the busiest unit's waits × "
             f"the delay, i.e. the time if every wait overlapped. *high* at "
             f"{r.limits['high']:g} or more, *low* below (the better of "
             f"{either(r.workloads, 'and')}).")),
    Rule("B", "Memory per unit", source="memory.csv", workloads=("idle",), unit="KiB",
         bands=MEMORY_BANDS, says=words_of(MEMORY_BANDS),
         parts=(("kernel_stack", "stack"), ("page_tables", "page tables"),
                ("slab", "slab")),
         verdict=memory,
         prose=lambda r, n: (
             f"Memory per unit from the {r.workloads[0]} probe: touched = user PSS + kernel, "
             f"the kernel's part being its stacks (KernelStack), page tables (PageTables) and "
             f"unreclaimable slab (SUnreclaim), each shown; reserved = VSZ. "
             f"{bands_prose(r, ' touched')}."),
         claim=Claim("8 MB (stack) / 10–30 MB (per interpreter) / <1 KB (per call)",
                     (Span(8192, 8192, "reserved"), Span(10240, 30720, "touched"),
                      Span(0, 1, "touched")))),
    Rule("T", "Spawn time per unit", source="spawn.csv", workloads=("spawn",), unit="µs",
         bands=SPAWN_BANDS, says=words_of(SPAWN_BANDS),
         verdict=cost("spawn time"), cite=cite_spawn,
         prose=lambda r, n: (
             f"Spawn time per unit from the {r.workloads[0]} probe: {bands_prose(r)} (the "
             f"fastest variant decides).")),
    Rule("W", "Switch time (one way)", source="switch.csv", workloads=("pingpong",), unit="ns",
         bands=SWITCH_BANDS, says=words_of(SWITCH_BANDS),
         floor={"spin": ("handoff_ns", "a cache-line hand-off")},
         verdict=cost("switch time"), cite=cite_switch,
         prose=lambda r, n: (
             f"Switch time per one-way hand-off from the {r.workloads[0]} probe (same core: "
             f"both units on one core; cross core: one on each of two): {bands_prose(r)} (the "
             f"fastest variant that switches decides). "
             + " ".join(f"The {v} variant (both units spinning on one cache line, cross core "
                        f"only) is shown beside as the floor of a cross-core hand-off without "
                        f"the kernel, and does not decide: on a virtual machine a blocking "
                        f"cross-core hand-off includes waking an idle vCPU, which the {v} "
                        f"variant, never sleeping, does not." for v in r.floor))),
    # E has no row: it is the table's last column, each row's cells against the row's claim.
    Rule("E", "C behaves the same?", limits={"factor": 2},
         says=("yes", "more", "no"),
         prose=lambda r, n: (
             f"C behaves the same (*yes*) when a row's verdict words equal the CPython claim's; "
             f"*more* when they include the claim's and add some; *no* otherwise. Memory: the "
             f"claim holds when the measured figure is within a factor {r.limits['factor']:g} "
             f"of it (threads: the reserved stack, VSZ; processes and coroutines: touched "
             f"memory, PSS + kernel).")),
    Rule("L", "IO on a pool of {n} (one unit per core)", workloads=("sleep",),
         limits={"serialised": 2},
         says=("serialised by the pool", "kept up"),
         verdict=pool,
         prose=lambda r, n: (
             f"The same waits on a pool of N units as on one unit per task (the reference; in "
             f"the plan, one coroutine per task): the ratio of their completion times "
             f"(medians); *serialised by the pool* when it passes "
             f"{r.limits['serialised']:g}, *kept up* otherwise.")),
    # N has no row either: it marks configurations whose runs spread too much to trust alone.
    Rule("N", "Noisy configurations", limits={"cpu": 0.05, "io": 0.10, "probe": 0.15},
         says=("noisy",),
         prose=lambda r, n: (
             "Noisy: a configuration whose figure (its in-process time; a probe's headline "
             "figure) varies over its counted runs by a coefficient of variation (standard "
             "deviation ÷ mean) above "
             + ", ".join(f"{pct(r.limits[k])} for {w}" for k, w in (
                 ("cpu", "CPU-bound work"), ("io", "IO"), ("probe", "probes")))
             + " — a pinned CPU-bound run repeats within about 1 %, IO adds timer and wake-up "
             "jitter, probes are short or read system-wide counters — is listed under Noisy "
             "configurations with the CPU busy and steal time of all PUs while it ran.")),
)
RULE = {r.letter: r for r in RULES}
# The probe behind each derived probe file, as the rules that read them name it.
PROBES = {r.source: r.workloads[0] for r in RULES if r.source}
# The noisy cut-off per kind of work.
NOISY = RULE["N"].limits


def markdown(n):
    """The rule list at N cores, as TABLE.md prints it and README.md copies it."""
    return "\n".join(r.text(n) for r in RULES)
