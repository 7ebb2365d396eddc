"""common.py — what every workload file of this package is written against, said once: the
descriptor (Workload) with its options, figures and unit roles, what a workload sees of the run
(Ctx, Unit), what the harness measured for its report (Result), and the 64-bit helpers that
match build/cvp's arithmetic (workloads/workload.h). Each workload is one file beside this one,
ending in WORKLOAD = Workload(...); the package's __init__ finds them.

A workload does ops [begin, end) and returns an additive checksum mod 2^64, so the harness may
cut tasks into slices and sum them in any order, and verify against one serial pass. It waits
only through the unit's seam (unit.seam: seam.py): blocking under serial, threads and procs,
awaited under coros (arun), a bare yield in a generator (grun). It never creates threads,
processes or tasks and never binds."""
import dataclasses
import typing

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




def count_expect(ctx):
    """The checksum of a workload whose op returns one: its op count."""
    return ctx.size
