"""sleep — workloads/sleep.c: each op is one --delay-ms wait through the seam (time.sleep, or
asyncio.sleep under coros); --size rounds per task. The checksum counts each op's number and
whether the wait ended early (it must not)."""
import time

from workloads.common import DELAY_MS, M64, Workload, mix64


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


WORKLOAD = Workload(
    "sleep", "io", "each task sleeps --delay-ms, --size rounds (size per task); op = one round",
    10, sleep_run, size_per="task", plans=("units", "pool"), options=(DELAY_MS,),
    arun=sleep_arun, expect=sleep_expect)
