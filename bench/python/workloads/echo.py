"""echo — workloads/echo.c: request/response with the delay server (build/cvp's own, started by
the harness: server.py), which holds each request --delay-ms before echoing it. --size is per
task: a task connects once and makes --size round trips of 64 payload bytes (one op = one round
trip): a blocking socket under serial, threads and procs, asyncio streams under coros. Verified
like C's: every echoed byte is compared with what was sent, and the checksum covers the bytes
and their count — build/cvp's checksum for the same size and tasks."""
from workloads.common import DELAY_MS, M64, Workload

ECHO_BYTES = 64


def echo_run(ctx, unit, begin, end):
    conn = unit.seam.connect(ctx.server)
    total = 0
    for op in range(begin, end):
        total += unit.seam.call(conn, op, ECHO_BYTES)
    unit.seam.close(conn)
    return total & M64


async def echo_arun(ctx, unit, begin, end):
    conn = await unit.seam.connect(ctx.server)
    total = 0
    for op in range(begin, end):
        total += await unit.seam.call(conn, op, ECHO_BYTES)
    await unit.seam.close(conn)
    return total & M64


def echo_expect(ctx):
    from server import payload_sum
    return sum(payload_sum(op, ECHO_BYTES) for op in range(ctx.size)) & M64


WORKLOAD = Workload(
    "echo", "io", "each task connects once, --size round trips with the delay server; op = one",
    10, echo_run, size_per="task", plans=("units",), options=(DELAY_MS,), server=True,
    arun=echo_arun, expect=echo_expect)
