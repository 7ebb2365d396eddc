"""convoy — workloads/convoy.c: one unit waits on the network while the others compute. The echo
unit makes --size round trips with the delay server (--delay-ms); the other units (roles echo:1,
busy: the rest) do the hash workload's ops slice by slice until it is done — pure Python, which
holds the GIL, or with --variant hash-native hashlib's, which releases it. What it shows is the
echo unit's latency per round trip (the row's wait_p50_us and wait_p99_us) with 0, 1, 2 ... busy
units beside it: where the busy units hold what the waiting one needs to go on (a core, or
CPython's global interpreter lock, handed over every switch interval, 5 ms), each wake-up of the
waiting unit queues behind them — the convoy effect. An op of the echo role is one round trip;
the busy units' ops are hash ops, as many as they get done, each unit's from its own range, so
the checksum still says every one was done right."""
import dataclasses
import typing

import workloads
from stop import Usage
from workloads.common import DELAY_MS, M64, Figure, Role, Workload, choice

MAX_BUSY = 1024
RANGE = 1 << 40  # busy unit k hashes ops [k x RANGE, ...)


@dataclasses.dataclass(frozen=True)
class ConvoyState:
    busy_ctx: typing.Any  # the busy work's own context (its table or buffer)
    done: typing.Any      # shared: the echo unit has finished
    ops: typing.Any       # shared: hash ops each busy unit did


def _busy(ctx):
    return workloads.get(ctx.opts["variant"])


def convoy_prepare(ctx):
    if ctx.units - 1 > MAX_BUSY:
        raise Usage(f"--units: at most {MAX_BUSY} busy units beside the echo one")
    w = _busy(ctx)
    import multiprocessing.sharedctypes
    return ConvoyState(
        dataclasses.replace(ctx, workload=w.name, opts={},
                            state=w.prepare(ctx) if w.prepare else None),
        multiprocessing.sharedctypes.RawValue("i", 0),
        multiprocessing.sharedctypes.RawArray("Q", MAX_BUSY))


def echo(ctx, unit, begin, end):
    """The echo workload's round trips (64 bytes each, as convoy.c's), then the busy units stop."""
    total = workloads.get("echo").run(ctx, unit, begin, end)
    ctx.state.done.value = 1
    return total


async def aecho(ctx, unit, begin, end):
    total = await workloads.get("echo").arun(ctx, unit, begin, end)
    ctx.state.done.value = 1
    return total


def busy(ctx, unit, begin, end):
    st, w = ctx.state, _busy(ctx)
    first = op = unit.index * RANGE
    step, total = w.slice or 8, 0
    while not st.done.value:
        total += w.run(st.busy_ctx, unit, op, op + step)
        op += step
        unit.seam.give_way()
    st.ops[unit.index] = op - first
    return total & M64


async def abusy(ctx, unit, begin, end):
    st, w = ctx.state, _busy(ctx)
    first = op = unit.index * RANGE
    step, total = w.slice or 8, 0
    while not st.done.value:
        total += w.run(st.busy_ctx, unit, op, op + step)
        op += step
        await unit.seam.give_way()
    st.ops[unit.index] = op - first
    return total & M64


def convoy_expect(ctx):
    st, run = ctx.state, _busy(ctx).run
    total = workloads.get("echo").expect(ctx)
    for k in range(ctx.units - 1):
        total += run(st.busy_ctx, None, k * RANGE, k * RANGE + st.ops[k])
    return total & M64


def convoy_report(ctx, res):
    return {"hash_ops": sum(ctx.state.ops[:ctx.units - 1])}, None


WORKLOAD = Workload(
    "convoy", "io", "one unit's round trips (--size) beside units hashing until it is done: its "
    "latency", 100, plans=("beside",),
    options=(DELAY_MS, choice("variant", "V", ("hash", "hash-native"),
                              "the busy units' work: pure Python (holds the GIL) or hashlib "
                              "(releases it)")),
    figures=(Figure("hash_ops", "ops", "higher", "hash ops the busy units did meanwhile"),),
    roles=(Role("echo", 1, echo, aecho), Role("busy", 0, busy, abusy)), needs=("coexist",),
    server=True, prepare=convoy_prepare, expect=convoy_expect, report=convoy_report)
