"""hash — exactly workloads/hash.c in pure Python (it holds the GIL): each op mixes its number
through 256 dependent steps over a 2048-word table, masked to 64 bits after every multiply and
add, so for the same --size the checksum is build/cvp's. One op = 256 steps."""
from workloads.common import M64, Workload, mix64

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


WORKLOAD = Workload(
    "hash", "cpu", "pure Python, holds the GIL: workloads/hash.c's mixing, same checksum; op = "
    "256 dependent steps", 6000, hash_run, slice=8, plans=("cores",), prepare=hash_prepare)
