"""pipeline — the notes' producer-consumer pipeline (workloads/pipeline.c in C): three stages
joined by two bounded queues of 64-byte items (--capacity items each). Producers make items (one
op = one item), transformers take each from the first queue, work on it (16 rounds of mix64)
and put it in the second, consumers take them out; closing a queue (its last sender is done)
puts a sentinel per receiver behind every item, which ends the next stage's loop once it is
drained, and the run ends when every item is consumed and every stage has exited. --units are
split over the stages (roles produce, transform, consume), at least one each. The queues are
the seam's (chan.py): queue.Queue between threads, multiprocessing.Queue between processes,
asyncio.Queue between tasks. --variant slow-consumer makes consuming dear (64 rounds of mix64
per item: 4 times a transformer's; C's takes 4 000, too long in pure Python), so producers wait
on full queues instead of memory growing: the peak RSS (VmHWM) stays put whatever the size.
Verified: every item arrives exactly once (the checksum sums each item's value and counts
them: build/cvp's checksum for the same size), and in order per producer when one transformer
keeps the order (out_of_order counts the others)."""
import dataclasses
import struct
import typing

from chan import chan
from stop import Usage
from workloads.common import M64, Figure, Option, Role, Workload, choice, mix64

ITEM = struct.Struct("<QIIQ40x")  # seq, producer, transformer, value, padding: 64 bytes
WORK_STEPS, SLOW_STEPS = 16, 64
PRODUCE, TRANSFORM, CONSUME = range(3)


@dataclasses.dataclass(frozen=True)
class PipelineState:
    q1: typing.Any
    q2: typing.Any
    hw1: typing.Any           # per producer: the most the first queue held after its puts
    hw2: typing.Any           # per transformer, the second queue
    out_of_order: typing.Any  # per consumer
    peak_rss_kib: typing.Any  # per unit: its process's VmHWM at its end


def work(v, steps):
    for i in range(steps):
        v = mix64((v + i) & M64)
    return v


def transformed(seq):
    """What an item's value is once through the transformers."""
    return work(mix64(seq), WORK_STEPS)


def pipeline_prepare(ctx):
    wl = WORKLOAD
    p, t, c = (wl.role_units(ctx.units, i) for i in (PRODUCE, TRANSFORM, CONSUME))
    if not (p and t and c):
        raise Usage(f"--units: the three stages need one unit each at least ({ctx.units} "
                    "given)")
    cap = ctx.opts["capacity"]
    import multiprocessing.sharedctypes
    arr = multiprocessing.sharedctypes.RawArray
    return PipelineState(chan(ctx, cap, p, t), chan(ctx, cap, t, c), arr("Q", p), arr("Q", t),
                         arr("Q", c), arr("Q", ctx.units))


def note_peak(ctx, unit):
    """This process's VmHWM: a unit of each stage notes it (the slot of its unit number)."""
    with open("/proc/self/status", "rb") as f:
        for line in f:
            if line.startswith(b"VmHWM:"):
                k = WORKLOAD.role_units
                base = {PRODUCE: 0, TRANSFORM: k(ctx.units, PRODUCE),
                        CONSUME: k(ctx.units, PRODUCE) + k(ctx.units, TRANSFORM)}
                ctx.state.peak_rss_kib[base[unit.role] + unit.index] = int(line.split()[1])


def _consumed(ctx, item, last, ordered):
    """One item through the last stage: its part of the checksum; notes an item that comes after
    a later one of its producer."""
    seq, producer, _, value = ITEM.unpack(item)
    if ctx.opts["variant"] == "slow-consumer":
        work(seq, SLOW_STEPS)  # the work, not its value
    late = ordered and last.get(producer, 0) > seq + 1
    last[producer] = seq + 1
    return value + 1, late


def produce(ctx, unit, begin, end):
    st, most = ctx.state, 0
    for op in range(begin, end):
        most = max(most, st.q1.send(ITEM.pack(op, unit.index, 0, mix64(op))))
    st.q1.close()
    st.hw1[unit.index] = most
    note_peak(ctx, unit)
    return 0


def transform(ctx, unit, begin, end):
    st, most = ctx.state, 0
    while (item := st.q1.recv()) is not None:
        seq, producer, _, value = ITEM.unpack(item)
        most = max(most, st.q2.send(ITEM.pack(seq, producer, unit.index,
                                              work(value, WORK_STEPS))))
    st.q2.close()
    st.hw2[unit.index] = most
    note_peak(ctx, unit)
    return 0


def consume(ctx, unit, begin, end):
    st, total, late, last = ctx.state, 0, 0, {}
    ordered = WORKLOAD.role_units(ctx.units, TRANSFORM) == 1  # several may overtake each other
    while (item := st.q2.recv()) is not None:
        part, out = _consumed(ctx, item, last, ordered)
        total, late = total + part, late + out
    st.out_of_order[unit.index] = late
    note_peak(ctx, unit)
    return total & M64


async def aproduce(ctx, unit, begin, end):
    st, most = ctx.state, 0
    for op in range(begin, end):
        most = max(most, await st.q1.send(ITEM.pack(op, unit.index, 0, mix64(op))))
    await st.q1.close()
    st.hw1[unit.index] = most
    note_peak(ctx, unit)
    return 0


async def atransform(ctx, unit, begin, end):
    st, most = ctx.state, 0
    while (item := await st.q1.recv()) is not None:
        seq, producer, _, value = ITEM.unpack(item)
        most = max(most, await st.q2.send(ITEM.pack(seq, producer, unit.index,
                                                    work(value, WORK_STEPS))))
    await st.q2.close()
    st.hw2[unit.index] = most
    note_peak(ctx, unit)
    return 0


async def aconsume(ctx, unit, begin, end):
    st, total, late, last = ctx.state, 0, 0, {}
    ordered = WORKLOAD.role_units(ctx.units, TRANSFORM) == 1
    while (item := await st.q2.recv()) is not None:
        part, out = _consumed(ctx, item, last, ordered)
        total, late = total + part, late + out
    st.out_of_order[unit.index] = late
    note_peak(ctx, unit)
    return total & M64


def pipeline_expect(ctx):
    return sum(transformed(op) + 1 for op in range(ctx.size)) & M64


def pipeline_report(ctx, res):
    st = ctx.state
    return {"items_per_s": ctx.size / res.wall_s if res.wall_s > 0 else None,
            "items": ctx.size, "queue1_high_water": max(st.hw1), "queue2_high_water": max(st.hw2),
            "out_of_order": sum(st.out_of_order), "peak_rss_kib": max(st.peak_rss_kib)}, None


WORKLOAD = Workload(
    "pipeline", "cpu", "three stages, two bounded closable queues of 64-byte items: items/s, "
    "high water", 50000, plans=("pattern",),
    options=(Option("capacity", "N", 64, 1, 1 << 16, "items each queue holds"),
             choice("variant", "V", ("normal", "slow-consumer"), "who is slow")),
    figures=(Figure("items_per_s", "items/s", "higher", "items through all three stages"),
             Figure("items", "", "higher", "items the consumers took"),
             Figure("queue1_high_water", "items", "lower", "the most the first queue held"),
             Figure("queue2_high_water", "items", "lower", "the most the second queue held"),
             Figure("out_of_order", "", "lower", "items after a later one of their producer"),
             Figure("peak_rss_kib", "KiB", "lower", "the largest VmHWM of a unit's process")),
    roles=(Role("produce", 0, produce, aproduce), Role("transform", 0, transform, atransform),
           Role("consume", 0, consume, aconsume)), needs=("coexist",),
    prepare=pipeline_prepare, expect=pipeline_expect, report=pipeline_report)
