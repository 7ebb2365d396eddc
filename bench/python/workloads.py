"""workloads.py — what a task does, one descriptor per workload, matched to build/cvp's
(workloads/*.c): the same ops, the same split of --size over tasks, the same checksums where a C
twin exists (hash). A workload does ops [begin, end) and returns an additive checksum mod 2^64,
so the harness may cut tasks into slices and sum them in any order, and verify against one
serial pass. It waits only through the unit's seam (unit.seam.sleep, unit.seam.hold): blocking
under serial, threads and procs, awaited under coros (arun), a bare yield in a generator (grun).
It never creates threads, processes or tasks and never binds."""
import dataclasses
import hashlib
import time
import typing

from stop import Unsupported

M64 = (1 << 64) - 1


def mix64(x):
    """wl_mix64 of workloads/workload.h (splitmix64's finaliser), wrapped to 64 bits."""
    x ^= x >> 30
    x = (x * 0xBF58476D1CE4E5B9) & M64
    x ^= x >> 27
    x = (x * 0x94D049BB133111EB) & M64
    return x ^ (x >> 31)


@dataclasses.dataclass(frozen=True)
class Option:
    name: str
    arg: str
    default: int
    lo: int
    hi: int
    help: str


@dataclasses.dataclass(frozen=True)
class Figure:
    name: str  # also its column, if the row has one
    unit: str
    better: str  # lower | higher
    help: str


@dataclasses.dataclass(frozen=True)
class Ctx:
    """What a workload sees of the run; picklable, so a fresh interpreter gets it too."""
    workload: str
    size: int   # total ops
    tasks: int
    units: int
    opts: dict  # its options' values by name
    state: typing.Any = None  # from prepare(); read-only afterwards


@dataclasses.dataclass
class Unit:
    """One unit as a workload sees it: its seam and its own scratch (from scratch())."""
    seam: typing.Any
    scratch: typing.Any = None


@dataclasses.dataclass
class Result:
    """What the harness measured, for a workload's report()."""
    wall_s: float
    lifecycle_s: float      # asking for the first unit to reaping the last
    first_start_s: float    # asking for unit 0 to its first instruction
    memory: typing.Any = None   # memory.Memory per unit, when units were held
    traced_bytes: float = None  # tracemalloc's bytes per parked unit, where measured
    traced_what: str = ""       # what those bytes are


@dataclasses.dataclass(frozen=True)
class Workload:
    name: str
    kind: str           # cpu | io | probe
    desc: str
    default_size: int   # about half a second under serial on a 2-core VM (CPython's speed)
    run: typing.Callable          # (ctx, unit, begin, end) -> checksum
    size_per: str = "run"         # run | task | unit, as build/cvp's size_per
    slice: int = 0                # ops per slice; coroutines yield between slices; 0: whole task
    plans: tuple = ()             # how make bench runs it: cores | units | pool | probe
    options: tuple = ()
    figures: tuple = ()
    holds: bool = False           # units park at unit.seam.hold() to be measured
    prepare: typing.Callable = None  # (ctx) -> state, before any unit exists
    scratch: typing.Callable = None  # (ctx) -> a unit's own scratch, before the start barrier
    arun: typing.Callable = None     # async (ctx, unit, begin, end): how its ops wait under coros
    grun: typing.Callable = None     # generator (ctx, unit, begin, end): a unit as a generator
    expect: typing.Callable = None   # (ctx) -> the serial checksum without redoing the waits
    report: typing.Callable = None   # (ctx, Result) -> ({figure: value}, note or None)

    @property
    def probe(self):
        return self.kind == "probe"


# ---- hash: exactly workloads/hash.c

TABLE_WORDS, STEPS = 2048, 256


def hash_prepare(ctx):
    return [mix64(i + 1) for i in range(TABLE_WORDS)]


def hash_run(ctx, unit, begin, end):
    t = ctx.state
    total = 0
    for op in range(begin, end):
        h = (op * 0x9E3779B97F4A7C15) & M64
        for k in range(op, op + STEPS * 7, 7):  # step s reads t[(op + 7 s) mod 2048]
            h ^= t[k & (TABLE_WORDS - 1)]
            h = (h * 0xFF51AFD7ED558CCD) & M64
            h ^= h >> 33
        total = (total + h) & M64
    return total


# ---- hash-native: hashlib over 64 KiB, which releases the GIL (buffers of 2048 bytes or more)

NATIVE_BYTES = 64 * 1024


def native_prepare(ctx):
    return bytes(range(256)) * (NATIVE_BYTES // 256)


def native_run(ctx, unit, begin, end):
    buf = ctx.state
    total = 0
    for op in range(begin, end):
        h = hashlib.blake2b(op.to_bytes(8, "little"))  # the op's number first: ops differ
        h.update(buf)
        total = (total + int.from_bytes(h.digest()[:8], "little")) & M64
    return total


# ---- hash-numpy: splitmix64 over 64 Ki words per op, vectorised; numpy releases the GIL

NUMPY_WORDS = 1 << 16


@dataclasses.dataclass(frozen=True)
class NumpyState:
    base: typing.Any  # 0, 1, ..., NUMPY_WORDS - 1 as uint64 (read-only)


def numpy_prepare(ctx):
    try:
        import numpy as np
    except ImportError:
        raise Unsupported("hash-numpy: python3-numpy is not installed; make deps installs it")
    base = np.arange(NUMPY_WORDS, dtype=np.uint64)
    base.flags.writeable = False
    return NumpyState(base)


def numpy_scratch(ctx):
    """Two arrays per unit, allocated once and reused with out=: a fresh 512 KiB array per op
    would measure malloc returning memory and page faults, not the model (FIELD-NOTES)."""
    import numpy as np
    return np.zeros(NUMPY_WORDS, dtype=np.uint64), np.zeros(NUMPY_WORDS, dtype=np.uint64)


def numpy_run(ctx, unit, begin, end):
    import numpy as np
    x, tmp = unit.scratch
    base = ctx.state.base
    c1, c2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)
    s30, s27, s31 = np.uint64(30), np.uint64(27), np.uint64(31)
    total = 0
    for op in range(begin, end):
        np.add(base, np.uint64((op * NUMPY_WORDS) & M64), out=x)  # words op*N .. op*N + N-1
        np.right_shift(x, s30, out=tmp)
        np.bitwise_xor(x, tmp, out=x)
        np.multiply(x, c1, out=x)  # uint64 arithmetic wraps mod 2^64, as in C
        np.right_shift(x, s27, out=tmp)
        np.bitwise_xor(x, tmp, out=x)
        np.multiply(x, c2, out=x)
        np.right_shift(x, s31, out=tmp)
        np.bitwise_xor(x, tmp, out=x)
        total = (total + int(np.add.reduce(x, dtype=np.uint64))) & M64
    return total


# ---- sleep: workloads/sleep.c

DELAY_MS = Option("delay-ms", "MS", 10, 0, 3600000, "one wait: a sleep")


def sleep_run(ctx, unit, begin, end):
    d = ctx.opts["delay-ms"] * 1_000_000
    total = 0
    for op in range(begin, end):
        t0 = time.monotonic_ns()
        unit.seam.sleep(d / 1e9)
        total = (total + mix64(op + 1) + (time.monotonic_ns() - t0 < d)) & M64
    return total


async def sleep_arun(ctx, unit, begin, end):
    d = ctx.opts["delay-ms"] * 1_000_000
    total = 0
    for op in range(begin, end):
        t0 = time.monotonic_ns()
        await unit.seam.sleep(d / 1e9)
        total = (total + mix64(op + 1) + (time.monotonic_ns() - t0 < d)) & M64
    return total


def sleep_expect(ctx):
    total = 0
    for op in range(ctx.size):
        total = (total + mix64(op + 1)) & M64
    return total


# ---- idle: units alive and parked while the harness measures them

TRACED = Figure("tracemalloc_bytes_per_unit", "B", "lower",
                "Python objects per parked unit, by tracemalloc (asyncio tasks, generators)")
IDLE_FIGURES = (
    Figure("touched_kib_per_unit", "KiB", "lower", "pss + kernel per unit"),
    Figure("pss_kib_per_unit", "KiB", "lower", "resident, shared pages split"),
    Figure("kernel_kib_per_unit", "KiB", "lower",
           "kernel stacks, page tables and unreclaimable slab per unit"),
    Figure("kernel_stack_kib_per_unit", "KiB", "lower", "kernel stacks per unit"),
    Figure("page_tables_kib_per_unit", "KiB", "lower", "page tables per unit"),
    Figure("slab_kib_per_unit", "KiB", "lower", "unreclaimable slab per unit"),
    Figure("rss_kib_per_unit", "KiB", "lower", "resident pages per unit"),
    Figure("vsz_kib_per_unit", "KiB", "lower", "address space reserved per unit"),
    TRACED,
)


def idle_run(ctx, unit, begin, end):
    for _ in range(begin, end):
        unit.seam.hold()
    return end - begin


async def idle_arun(ctx, unit, begin, end):
    for _ in range(begin, end):
        await unit.seam.hold()
    return end - begin


def idle_grun(ctx, unit, begin, end):
    for _ in range(begin, end):
        yield  # parked: the driver measures once every generator has got here
    return end - begin


def count_expect(ctx):
    return ctx.size


def idle_report(ctx, res):
    figs, notes = {}, []
    m = res.memory
    if m is not None:
        figs.update(touched_kib_per_unit=m.touched, pss_kib_per_unit=m.pss,
                    kernel_kib_per_unit=m.kernel, kernel_stack_kib_per_unit=m.kstack,
                    page_tables_kib_per_unit=m.ptables, slab_kib_per_unit=m.slab,
                    rss_kib_per_unit=m.rss, vsz_kib_per_unit=m.vsz)
        if m.noisy():
            notes.append("kernel_kib_per_unit is within the noise of /proc/meminfo "
                         "(system-wide); use more units")
    if res.traced_bytes is not None:
        figs[TRACED.name] = res.traced_bytes
        notes.append(f"{TRACED.name} counts {res.traced_what}")
    return figs, "; ".join(notes) or None


# ---- spawn: create, start, finish and reap N empty units

SPAWN_FIGURES = (
    Figure("spawn_us_per_unit", "µs", "lower", "create, start, finish and reap, per unit"),
    Figure("start_us", "µs", "lower", "asking for unit 0 to its first instruction"),
)


def spawn_run(ctx, unit, begin, end):
    return end - begin


def spawn_grun(ctx, unit, begin, end):
    return end - begin
    yield  # unreachable: makes this a generator that finishes at once


def spawn_report(ctx, res):
    return {"spawn_us_per_unit": res.lifecycle_s * 1e6 / ctx.units,
            "start_us": res.first_start_s * 1e6}, None


WORKLOADS = {w.name: w for w in (
    Workload("hash", "cpu", "pure Python, holds the GIL: workloads/hash.c's mixing, same "
             "checksum; op = 256 dependent steps",
             6000, hash_run, slice=8, plans=("cores",), prepare=hash_prepare),
    Workload("hash-native", "cpu", "hashlib blake2b of 64 KiB (releases the GIL from 2048 "
             "bytes on); op = one digest",
             3500, native_run, slice=4, plans=("cores",), prepare=native_prepare),
    Workload("hash-numpy", "cpu", "numpy splitmix64 over 64 Ki words, arrays reused (releases "
             "the GIL); op = one array",
             1200, numpy_run, slice=2, plans=("cores",), prepare=numpy_prepare,
             scratch=numpy_scratch),
    Workload("idle", "probe", "memory per unit: N units alive and parked (+ tracemalloc bytes "
             "under coros)", 0, idle_run, size_per="unit", plans=("probe",),
             figures=IDLE_FIGURES, holds=True, arun=idle_arun, grun=idle_grun,
             expect=count_expect, report=idle_report),
    Workload("sleep", "io", "each task sleeps --delay-ms, --size rounds (size per task); op = "
             "one round", 10, sleep_run, size_per="task", plans=("units", "pool"),
             options=(DELAY_MS,), arun=sleep_arun, expect=sleep_expect),
    Workload("spawn", "probe", "create, start, finish and reap N empty units: us per unit, "
             "first-start latency", 0, spawn_run, size_per="unit", plans=("probe",),
             figures=SPAWN_FIGURES, grun=spawn_grun, expect=count_expect, report=spawn_report),
)}
