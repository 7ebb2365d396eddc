"""counter — the notes' lost update (workloads/counter.c in C): every unit adds one to one shared
counter --size times (per task). --variant, as the notes write it:
  unlocked  `obj.cnt += 1` on an object the units share (threads, asyncio tasks, the serial
            baseline); between processes `v.value += 1` on a multiprocessing.Value (each access
            takes the Value's lock, the read-modify-write as a whole does not)
  mutex     the same inside `with lock:` (threading.Lock; between processes the Value's own
            lock, `with v.get_lock():`)
  atomic    `next(c)` on an itertools.count, one call into C that the GIL keeps whole: in one
            interpreter only (processes have no shared one)
The row gives the count expected, the count reached and the updates lost; unlocked verifies when
every unit finished and the count is not above the expected one (losing updates is its result,
not a failure), the others only when nothing was lost. Whether CPython's threads lose updates on
`+=` to an attribute is what a run measures, not what this file assumes. One op = one increment."""
import dataclasses
import itertools
import threading
import typing

from workloads.common import Figure, Workload, choice

VARIANT = choice("variant", "V", ("unlocked", "mutex", "atomic"), "how each increment is made",
                 needs=((), (), ("shared",)))


class Count:
    """The shared object of the notes' example."""

    def __init__(self):
        self.cnt = 0


@dataclasses.dataclass(frozen=True)
class CounterState:
    obj: typing.Any    # Count (units in one interpreter) or multiprocessing.Value (processes)
    lock: typing.Any   # threading.Lock, or None (the Value's own)
    it: typing.Any     # itertools.count (atomic)


def counter_prepare(ctx):
    if "shared" in ctx.caps:
        return CounterState(Count(), threading.Lock(), itertools.count())
    import multiprocessing
    return CounterState(multiprocessing.Value("Q", 0), None, None)


def counter_run(ctx, unit, begin, end):
    st, n = ctx.state, end - begin
    variant = ctx.opts["variant"]
    if st.lock is None:  # processes: a multiprocessing.Value
        v = st.obj
        if variant == "unlocked":
            for _ in range(n):
                v.value += 1
        else:
            lock = v.get_lock()
            for _ in range(n):
                with lock:
                    v.value += 1
    elif variant == "unlocked":
        obj = st.obj
        for _ in range(n):
            obj.cnt += 1
    elif variant == "mutex":
        obj, lock = st.obj, st.lock
        for _ in range(n):
            with lock:
                obj.cnt += 1
    else:
        it = st.it
        for _ in range(n):
            next(it)
    return n


def reached(ctx):
    st = ctx.state
    if st.lock is None:
        return st.obj.value
    if ctx.opts["variant"] == "atomic":
        return int(repr(st.it)[len("count("):-1])  # its next value, read without taking it
    return st.obj.cnt


def counter_expect(ctx):
    """The checksum is the increments made (each op returns one); it verifies against the count
    the variant promises: exactly the ops for mutex and atomic, at most them for unlocked."""
    got = reached(ctx)
    if ctx.opts["variant"] == "unlocked" and got <= ctx.size:
        return ctx.size
    return got


def counter_report(ctx, res):
    got = reached(ctx)
    lost = (ctx.size - got) * 1e6 / ctx.size if got <= ctx.size else 0
    return {"count_expected": ctx.size, "count_reached": got, "lost_per_million": lost}, None


WORKLOAD = Workload(
    "counter", "cpu", "every unit adds one to a shared counter --size times: lost updates "
    "(--variant)", 1000000, counter_run, size_per="task", slice=4096, plans=("pattern",),
    options=(VARIANT,),
    figures=(Figure("count_expected", "", "higher", "increments made"),
             Figure("count_reached", "", "higher", "what the counter says after"),
             Figure("lost_per_million", "", "lower", "updates lost per million made")),
    prepare=counter_prepare, expect=counter_expect, report=counter_report)
