"""mixed — workloads/mixed.c: CPU and IO compete. echo with the delay server, and after each reply
--work ops of the hash workload (its own code, found by name: pure Python, so the GIL is held
while it runs). --size is per task; one op = one round trip plus its hash work. Verified like
echo, plus the hash checksum: build/cvp's for the same size, tasks and work. The default --work
is CPython's, about the CPU per reply that C's default is per reply relative to the wait: one
pure-Python hash op costs what a few hundred cost in C."""
import dataclasses
import typing

import workloads
from workloads.common import DELAY_MS, M64, Option, Workload

MIXED_BYTES = 64
WORK = Option("work", "N", 1, 0, 1 << 30, "hash ops (256 steps each) after each reply")


@dataclasses.dataclass(frozen=True)
class MixedState:
    hash_ctx: typing.Any  # the hash workload's context (its table)


def _hash():
    return workloads.get("hash")


def mixed_prepare(ctx):
    h = _hash()
    return MixedState(dataclasses.replace(ctx, workload=h.name, opts={}, state=h.prepare(ctx)))


def mixed_run(ctx, unit, begin, end):
    work, run, hctx = ctx.opts["work"], _hash().run, ctx.state.hash_ctx
    conn = unit.seam.connect(ctx.server)
    total = 0
    for op in range(begin, end):
        total += unit.seam.call(conn, op, MIXED_BYTES)
        total += run(hctx, unit, op * work, (op + 1) * work)
    unit.seam.close(conn)
    return total & M64


async def mixed_arun(ctx, unit, begin, end):
    work, run, hctx = ctx.opts["work"], _hash().run, ctx.state.hash_ctx
    conn = await unit.seam.connect(ctx.server)
    total = 0
    for op in range(begin, end):
        total += await unit.seam.call(conn, op, MIXED_BYTES)
        total += run(hctx, unit, op * work, (op + 1) * work)
    await unit.seam.close(conn)
    return total & M64


def mixed_expect(ctx):
    from server import payload_sum
    total = _hash().run(ctx.state.hash_ctx, None, 0, ctx.size * ctx.opts["work"])
    total += sum(payload_sum(op, MIXED_BYTES) for op in range(ctx.size))
    return total & M64


WORKLOAD = Workload(
    "mixed", "io", "echo plus --work hash ops per reply, so CPU and IO compete; op = one of each",
    10, mixed_run, size_per="task", plans=("units",), options=(DELAY_MS, WORK), server=True,
    prepare=mixed_prepare, arun=mixed_arun, expect=mixed_expect)
