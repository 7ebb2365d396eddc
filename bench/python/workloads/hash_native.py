"""hash-native — each op hashes a fixed 64 KiB buffer with hashlib's blake2b (its number fed
first, so ops differ); hashlib releases the GIL for buffers of 2048 bytes or more, the way out
of the GIL the notes describe. The checksum is the sum of each digest's first 8 bytes."""
import hashlib

from workloads.common import M64, Workload

NATIVE_BYTES = 64 * 1024


def native_prepare(ctx):
    return bytes(range(256)) * (NATIVE_BYTES // 256)


def native_run(ctx, unit, begin, end):
    buf = ctx.state
    total = 0
    for op in range(begin, end):
        h = hashlib.blake2b(op.to_bytes(8, "little"))  # the op's number first: ops differ
        h.update(buf)
        total = (total + int.from_bytes(h.digest()[:8], "little")) & M64
    return total


WORKLOAD = Workload(
    "hash-native", "cpu", "hashlib blake2b of 64 KiB (releases the GIL from 2048 bytes on); op "
    "= one digest", 3500, native_run, slice=4, plans=("cores",), prepare=native_prepare)
