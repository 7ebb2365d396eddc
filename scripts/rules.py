"""rules.py — the rules behind every verdict word of TABLE.md, one record each: its letter and
row title, the section it judges in (the headline tables, the remedies, the convoy, the
patterns), its thresholds, the function that gives a cell from the evidence (verdicts.py), every
word that function can say, the prose printed under the tables (made from the same thresholds,
so changing one changes the other), the workloads it reads, the original table's claim about
CPython that rule E tests it against, and why C and CPython differ where they do. Rule N is the
cut-off that calls a configuration noisy. README.md's copy of the list is
`report.py rules --cores 2`."""
import math
from dataclasses import dataclass, field
from typing import Callable, Optional

from results import g
from verdicts import (Span, address, banded, children, cite_spawn, cite_switch, convoy,
                      convoy_series, cores, cost, lost, memory, mode, overlap, pattern_models,
                      pool, queue, remedies, remedy, scene, speedup)

PARALLEL = 0.75  # the share of N cores a speedup and the busy cores must reach (rules M, C, P)
SPEEDUP = {"parallel": PARALLEL, "no": 1.2}  # rule P's words for a speedup (rule R's too)


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
    # (rule, Evidence, item) -> Cell, an item being a model of the headline (or what `items`
    # lists); None: no cells (E, N)
    verdict: Optional[Callable] = None
    section: str = "headline"  # headline, remedies, convoy or patterns
    # (rule, Evidence) -> the items a section's rule judges (headline: the runtime's models)
    items: Optional[Callable] = None
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
    # Why C's verdict and another runtime's differ for a model, where they do: model -> text.
    why: dict = field(default_factory=dict)
    # Rule B: a model of the C binary -> (model, variant) of another runtime shown beside it;
    # the column of the objects a parked unit holds (bytes) and what it counts.
    kin: dict = field(default_factory=dict)
    objects: tuple = ()
    # Rule R: (model, variant, workload, how) of the reference and of each remedy; the speedup
    # series set side by side on one plot: (runtimes: c or other, model, workload).
    reference: tuple = ()
    remedies: tuple = ()
    picks: tuple = ()
    figure: str = ""  # a pattern's rule: the figure it judges by (its headline there)

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
ROUND_TRIP_BANDS = ((1000, "sub-µs"), (math.inf, "µs or more"))

# Why C and CPython differ, where a row's verdicts do (the differences section quotes these).
GIL = ("CPython's threads take the global interpreter lock (GIL) to run Python code, so one "
       "runs at a time whatever the cores; C's threads run on every core (rule R's remedies "
       "release the lock)")
APART = ("processes run apart in both runtimes, each with its own interpreter in CPython: "
         "nothing in the models makes them differ here, so weigh this run's noise (Noisy "
         "configurations) and each runtime's start-up")
ONE_LOOP = ("coroutines share one thread in both runtimes (C's scheduler, CPython's event "
            "loop): nothing in the models makes them differ here, so weigh this run's noise")

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
                      frozenset({"concurrency"}))),
         why={"threads": GIL, "procs": APART, "coros": ONE_LOOP}),
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
                      frozenset({"I/O", "network"}))),
         why={"threads": GIL, "procs": APART, "coros": ONE_LOOP}),
    Rule("C", "CPU cores used", limits={"parallel": PARALLEL},
         says=("many", "one"),
         verdict=cores,
         prose=lambda r, n: (
             f"CPU cores used: the largest median cpu_util ((user + sys) ÷ wall) of the "
             f"CPU-bound workloads at N cores; *many* when at least {par(n)}, *one* otherwise."),
         claim=Claim("one / many / —", ("one", "many", None)),
         why={"threads": GIL, "procs": APART, "coros": ONE_LOOP}),
    Rule("P", "Speedup on CPU-bound work at {n} cores",
         limits=SPEEDUP, why={"threads": GIL, "procs": APART, "coros": ONE_LOOP},
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
             f"{either(r.workloads, 'and')})."),
         why={"threads": "after each wait a CPython thread must take the GIL again before it "
                         "runs on: at many units the wake-ups queue for the lock",
              "coros": "every wake-up of an asyncio task runs the event loop's Python code (a "
                       "timer, a callback, a step of the task), many times what C's scheduler "
                       "spends on one: at many units that CPU time shows in the completion "
                       "time"}),
    Rule("B", "Memory per unit", source="memory.csv", workloads=("idle",), unit="KiB",
         bands=MEMORY_BANDS, says=words_of(MEMORY_BANDS),
         parts=(("kernel_stack", "stack"), ("page_tables", "page tables"),
                ("slab", "slab")),
         objects=("objects_b", "Python objects", "tracemalloc"),
         kin={"stackless": ("coros", "generator")},
         verdict=memory,
         prose=lambda r, n: (
             f"Memory per unit from the {r.workloads[0]} probe: touched = user PSS + kernel, "
             f"the kernel's part being its stacks (KernelStack), page tables (PageTables) and "
             f"unreclaimable slab (SUnreclaim), each shown; reserved = VSZ. "
             f"{bands_prose(r, ' touched')}. A model's own variants (another way to start its "
             f"units) are shown beside its default, which decides; so are, where a runtime "
             f"counts them, the {r.objects[1]} a parked unit holds (by {r.objects[2]}), and "
             + ", ".join(f"beside {m}, another runtime's {km} --variant {v}"
                         for m, (km, v) in r.kin.items()) + "."),
         claim=Claim("8 MB (stack) / 10–30 MB (per interpreter) / <1 KB (per call)",
                     (Span(8192, 8192, "reserved"), Span(10240, 30720, "touched"),
                      Span(0, 1, "touched"))),
         why={"threads": "both are pthreads with the same reserved stack; a CPython thread "
                         "adds its thread state and Python objects",
              "procs": "a C process shares its parent's pages until it writes them; a CPython "
                       "process is an interpreter: forked, it copies the pages its reference "
                       "counts and garbage collector write to (shared in RSS, its own in PSS); "
                       "spawned or from a forkserver it starts a fresh interpreter and imports "
                       "again — the claim's 10–30 MB per interpreter",
              "coros": "a ucontext coroutine owns a stack (at least the page it touched) and a "
                       "saved context; an asyncio task is heap objects — the Task and its "
                       "coroutines' frames — and a generator one frame, with no stack of its "
                       "own"}),
    Rule("T", "Spawn time per unit", source="spawn.csv", workloads=("spawn",), unit="µs",
         bands=SPAWN_BANDS, says=words_of(SPAWN_BANDS),
         verdict=cost("spawn time"), cite=cite_spawn,
         why={"threads": "creating a CPython thread is pthread_create plus the interpreter's "
                         "part: a Thread object, its locks and thread state, and the GIL handed "
                         "to the new thread to start it",
              "procs": "multiprocessing forks an interpreter and sets up its pipes and "
                       "bookkeeping; spawn and forkserver start a fresh interpreter each",
              "coros": "an asyncio task is a Task object scheduled on the event loop; a "
                       "ucontext coroutine maps and touches a stack"},
         prose=lambda r, n: (
             f"Spawn time per unit from the {r.workloads[0]} probe: {bands_prose(r)} (the "
             f"fastest variant decides).")),
    Rule("W", "Switch time (one way)", source="switch.csv", workloads=("pingpong",), unit="ns",
         bands=SWITCH_BANDS, says=words_of(SWITCH_BANDS),
         floor={"spin": ("handoff_ns", "a cache-line hand-off")},
         verdict=cost("switch time"), cite=cite_switch,
         why={"threads": "a hand-off between CPython threads also hands the GIL over",
              "coros": "an asyncio hand-off goes through a future and the event loop; a C "
                       "coroutine switches directly"},
         prose=lambda r, n: (
             f"Switch time per one-way hand-off from the {r.workloads[0]} probe (same core: "
             f"both units on one core; cross core: one on each of two): {bands_prose(r)} (the "
             f"fastest variant that switches decides). "
             + " ".join(f"The {v} variant (both units spinning on one cache line, cross core "
                        f"only) is shown beside as the floor of a cross-core hand-off without "
                        f"the kernel, and does not decide: on a virtual machine a blocking "
                        f"cross-core hand-off includes waking an idle vCPU, which the {v} "
                        f"variant, never sleeping, does not." for v in r.floor))),
    # E has no row: it is each table's last column, each row's cells against the row's claim.
    Rule("E", "as claimed?", limits={"factor": 2},
         says=("yes", "more", "no"),
         prose=lambda r, n: (
             f"A runtime behaves as claimed (*yes*) when a row's verdict words equal the CPython "
             f"claim's; *more* when they include the claim's and add some; *no* otherwise; a "
             f"model the original table has no column for makes no claim. Memory: the claim "
             f"holds when the measured figure is within a factor {r.limits['factor']:g} of it "
             f"(threads: the reserved stack, VSZ; processes and coroutines: touched memory, "
             f"PSS + kernel), for a model's default and, beside, each of its own variants.")),
    Rule("L", "IO on a pool of {n} (one unit per core)", workloads=("sleep",),
         limits={"serialised": 2},
         says=("serialised by the pool", "kept up"),
         verdict=pool,
         prose=lambda r, n: (
             f"The same waits on a pool of N units as on one unit per task (the reference; in "
             f"the plan, one coroutine per task): the ratio of their completion times "
             f"(medians); *serialised by the pool* when it passes "
             f"{r.limits['serialised']:g}, *kept up* otherwise.")),
    Rule("R", "The notes' remedies for the GIL", section="remedies", limits=SPEEDUP,
         says=("yes", "partly", "no"), verdict=remedy, items=remedies,
         workloads=("hash", "hash-native", "hash-numpy"),
         reference=("threads", "", "hash", "pure Python, which holds the GIL: the reference"),
         remedies=(("threads", "", "hash-native",
                    "hashlib releases the GIL while it hashes 2 048 bytes or more"),
                   ("threads", "", "hash-numpy", "numpy releases the GIL in its array loops"),
                   ("threads", "executor", "hash",
                    "concurrent.futures' ThreadPoolExecutor: a pool of threads"),
                   ("procs", "executor", "hash",
                    "concurrent.futures' ProcessPoolExecutor: a pool of processes")),
         picks=(("other", "threads", "hash"), ("other", "procs", "hash"),
                ("other", "threads", "hash-native"), ("c", "threads", "hash")),
         prose=lambda r, n: (
             f"The notes' remedies for the GIL: the speedup at N cores of {r.reference[2]} "
             f"under {r.reference[0]} ({r.reference[3]}) against "
             + "; ".join(f"{m}{' --variant ' + v if v else ''} on {w} ({how})"
                         for m, v, w, how in r.remedies)
             + f"; *yes*, *partly* and *no* by rule P's thresholds (*yes* at {par(n)}, *no* "
             f"below {r.limits['no']:g}), the best run deciding. A runtime's headline table "
             f"leaves the remedies' workloads "
             f"({', '.join(sorted({w for _, _, w, _ in r.remedies} - {r.reference[2]}))}) and "
             f"a model's own variants out: it judges the runtime's own code under each model's "
             f"default.")),
    Rule("V", "The convoy effect", section="convoy", workloads=("convoy",),
         limits={"factor": 2}, says=("convoy", "no convoy"), verdict=convoy,
         items=convoy_series,
         prose=lambda r, n: (
             f"Convoy, from the {r.workloads[0]} workload: one unit makes round trips to the "
             f"delay server beside K = 0, 1 … N units hashing until it is done; its wait's "
             f"median and 99th percentile per K. *convoy* when its 99th percentile beside the "
             f"most busy units is at least {r.limits['factor']:g} × its 99th percentile alone "
             f"(K = 0), *no convoy* otherwise: the waiting unit's wake-ups queued behind busy "
             f"ones (behind the scheduler's time slices, behind CPython's GIL and its switch "
             f"interval, behind a coroutine's whole slice of work between yields).")),
    Rule("U", "Lost updates", section="patterns", workloads=("counter",),
         figure="lost_per_million", unit="per million",
         experiment={"test": "unlocked"},
         says=("lost", "none lost"), verdict=lost, items=pattern_models,
         prose=lambda r, n: (
             f"Lost updates, from the {r.workloads[0]} pattern: every unit adds one to a shared "
             f"counter --size times; the notes say `cnt += 1` without a lock loses updates. "
             f"*lost* when the {r.experiment['test']} variant (a load and a separate store) "
             f"lost updates in some run ({r.figure} above 0), *none lost* when in none; every "
             f"other variant (a lock, an atomic add) is a control: if one loses updates there "
             f"is no verdict.")),
    Rule("Q", "Bounded queues", section="patterns", workloads=("pipeline",),
         figure="items_per_s",
         experiment={"marks": ("queue1_high_water", "queue2_high_water"),
                     "capacity": "capacity", "memory": "peak_rss_kib", "slow": "slow-consumer"},
         says=("bounded", "overflowed"), verdict=queue, items=pattern_models,
         prose=lambda r, n: (
             f"Bounded queues, from the {r.workloads[0]} pattern: three stages over two queues "
             f"of --{r.experiment['capacity']} items that close when their last sender is done; "
             f"*bounded* when no queue's high-water mark passed its {r.experiment['capacity']} "
             f"in any run (producers waited instead of the queue growing), *overflowed* "
             f"otherwise. Items per second per variant, and the {r.experiment['slow']} "
             f"variant's peak RSS, beside.")),
    Rule("F", "Work done by children", section="patterns", workloads=("subprocess",),
         figure="cpu_util", limits={"parallel": PARALLEL},
         says=("many", "one"), verdict=children, items=pattern_models,
         prose=lambda r, n: (
             f"Work done by children, from the {r.workloads[0]} pattern: each task streams its "
             f"bytes through a child filter over two pipes, the children's CPU counted in the "
             f"row; *many* when in some variant the parent and its children kept at least "
             f"{par(n)} cores busy ({r.limits['parallel']:g} × N, as rule C), *one* "
             f"otherwise.")),
    Rule("G", "Generator round trip", section="patterns", workloads=("generator",),
         figure="ns_per_round_trip", unit="ns", bands=ROUND_TRIP_BANDS,
         says=words_of(ROUND_TRIP_BANDS), verdict=banded, items=pattern_models,
         prose=lambda r, n: (
             f"The {r.workloads[0]} pattern: the running minimum kept by a coroutine that "
             f"values are sent into, one send and its answer a round trip: "
             f"{bands_prose(r)} (the fastest variant decides).")),
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
# The figure a pattern's rule judges it by: its headline in the derived files and the table.
HEADLINES = {w: r.figure for r in RULES if r.section == "patterns" for w in r.workloads}
# The CPU-bound workloads judged apart (rule R's remedies), not in the headline tables.
APART = tuple(sorted({w for _, _, w, _ in RULE["R"].remedies} - {RULE["R"].reference[2]}))
# The speedup series set side by side on one plot (derived/runtimes.csv).
PICKS = RULE["R"].picks


def markdown(n, sections=None):
    """The rule list at N cores, as README.md copies it (every rule) and TABLE.md prints the
    headline tables' under them (sections: headline, and "" for E and N, which have none)."""
    return "\n".join(r.text(n) for r in RULES
                     if sections is None or (r.section if r.verdict else "") in sections)
