"""generator — the notes' generator coroutine (workloads/generator.c in C): a keeper that holds
the running minimum of the values sent into it, driven by send(): the driver sends value i (a fixed
pseudo-random sequence, made before the clock) and the keeper, a plain Python generator, folds
it in and yields back the minimum so far — one op = one round trip, two switches between frames
with no event loop and no kernel in between. Only coroutines switch like that (the model's
direct cap): under coros the driver is the asyncio task, and the keeper the generator it drives
(so one unit, where C has two coroutines); other models exit 4, by design. The checksum is the
sum of the minima handed back."""
from workloads.common import M64, Figure, Role, Workload, mix64


def sent(i):
    return mix64(i) >> 16


def generator_prepare(ctx):
    return [sent(i) for i in range(ctx.size)]


def running_min():
    """The keeper: the least of what it was sent so far, handed back after each value."""
    least = None
    value = yield
    while True:
        if least is None or value < least:
            least = value
        value = yield least


def driver(ctx, unit, begin, end):
    values = ctx.state
    keeper = running_min()
    next(keeper)  # to its first yield, ready for a value
    send, total = keeper.send, 0
    for i in range(begin, end):
        total += send(values[i])
    keeper.close()
    return total & M64


def generator_expect(ctx):
    total, least = 0, None
    for v in ctx.state:
        least = v if least is None else min(least, v)
        total += least
    return total & M64


def generator_report(ctx, res):
    return {"ns_per_round_trip": res.wall_s * 1e9 / ctx.size}, None


WORKLOAD = Workload(
    "generator", "probe", "the running minimum of values sent into a generator: ns per send and "
    "answer", 500000, plans=("pattern",),
    figures=(Figure("ns_per_round_trip", "ns", "lower", "one send and its answer"),),
    roles=(Role("driver", 1, driver),), needs=("direct",),
    prepare=generator_prepare, expect=generator_expect, report=generator_report)
