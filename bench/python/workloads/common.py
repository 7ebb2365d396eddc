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
    """--name VALUE: a whole number in [lo, hi], or (choices) one of the words; a choice may
    need what some models offer (needs[i]: the caps choice i needs, as C's choice_needs), and
    its default is then the first choice the model can do."""
    name: str
    arg: str
    default: typing.Any
    lo: int
    hi: int
    help: str
    choices: tuple = ()
    needs: tuple = ()  # per choice: the caps it needs (models.CAPS); (): every model can do it

    def needs_of(self, choice):
        i = self.choices.index(choice)
        return self.needs[i] if i < len(self.needs) else ()

    def allowed(self, caps):
        """The choices a model with caps can do."""
        return [c for c in self.choices if set(self.needs_of(c)) <= set(caps)]

    def default_for(self, caps):
        if not self.choices:
            return self.default
        return (self.allowed(caps) or self.choices)[0]


def choice(name, arg, choices, help, needs=()):
    """An option that takes one of the words choices (the first is the default)."""
    return Option(name, arg, choices[0], 0, 0, help, tuple(choices), tuple(needs))


# The option every waiting workload shares, as C's WL_OPT_DELAY_MS.
DELAY_MS = Option("delay-ms", "MS", 10, 0, 3600000,
                  "one wait: a sleep, or the delay server's answer time")


@dataclasses.dataclass(frozen=True)
class Figure:
    name: str  # also its column, if the row has one
    unit: str
    better: str  # lower | higher
    help: str


@dataclasses.dataclass(frozen=True)
class Role:
    """Units with different jobs (C's struct wl_role): units go to the roles in order, `units`
    each; roles with 0 share the units the others leave evenly (the earlier take the
    remainder). Each role covers ops [0, size) with its own run, split evenly over its units,
    one task each; the run's checksum is the sum over the roles."""
    name: str
    units: int
    run: typing.Callable = None   # (ctx, unit, begin, end) -> checksum: blocking models
    arun: typing.Callable = None  # async, the same under coros


@dataclasses.dataclass(frozen=True)
class Ctx:
    """What a workload sees of the run; picklable, so a fresh interpreter gets it too."""
    workload: str
    size: int   # total ops
    tasks: int
    units: int
    opts: dict  # its options' values by name
    state: typing.Any = None  # from prepare(); read-only afterwards
    caps: tuple = ()  # what the model offers (models.CAPS): whether units share memory, block
    server: str = None  # the delay server's socket, for a workload that talks to it


@dataclasses.dataclass
class Unit:
    """One unit as a workload sees it: its seam, its own scratch (from scratch()) and, with
    roles, which it has and its place among its units."""
    seam: typing.Any
    scratch: typing.Any = None
    role: int = 0   # with roles: its role's number, in the order of the descriptor's
    index: int = 0  # and its place among that role's units


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
    run: typing.Callable = None   # (ctx, unit, begin, end) -> checksum (None: it has roles)
    size_per: str = "run"         # run | task | unit, as build/cvp's size_per
    slice: int = 0                # ops per slice; coroutines yield between slices; 0: whole task
    plans: tuple = ()             # how make bench runs it: cores | units | pool | probe |
    #                               placement | beside | pattern (build/cvp's words)
    options: tuple = ()
    figures: tuple = ()
    roles: tuple = ()             # Role, when units have different jobs
    needs: tuple = ()             # caps the model must offer (a probe needs coexist anyway)
    server: bool = False          # talks to the delay server (--delay-ms): the harness starts
    #                               it before any unit and gives its socket in ctx.server
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

    def option(self, name):
        return next((o for o in self.options if o.name == name), None)

    def role_units(self, units, i):
        """How many of the run's units role i has (C's role_units)."""
        fixed = sum(r.units for r in self.roles)
        shared = [j for j, r in enumerate(self.roles) if r.units == 0]
        if self.roles[i].units:
            return self.roles[i].units
        left = max(0, units - fixed)
        return left // len(shared) + (shared.index(i) < left % len(shared))

    def role_of(self, units, u):
        """(role index, place among its units) of unit u."""
        first = 0
        for i in range(len(self.roles)):
            n = self.role_units(units, i)
            if u < first + n:
                return i, u - first
            first += n
        raise ValueError(f"unit {u} has no role")


def count_expect(ctx):
    """The checksum of a workload whose op returns one: its op count."""
    return ctx.size
