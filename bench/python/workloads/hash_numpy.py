"""hash-numpy — splitmix64 over 64 Ki words per op, vectorised with numpy, which releases the
GIL inside its loops; each unit works in two arrays it allocates once (out=). Exit 4 when
python3-numpy is missing."""
import dataclasses
import typing

from stop import Unsupported
from workloads.common import M64, Workload

NUMPY_WORDS = 1 << 16


@dataclasses.dataclass(frozen=True)
class NumpyState:
    base: typing.Any  # 0, 1, ..., NUMPY_WORDS - 1 as uint64 (read-only)


def numpy_prepare(ctx):
    try:
        import numpy as np
    except ImportError:
        raise Unsupported("hash-numpy: python3-numpy is not installed; make deps installs it")
    base = np.arange(NUMPY_WORDS, dtype=np.uint64)
    base.flags.writeable = False
    return NumpyState(base)


def numpy_scratch(ctx):
    """Two arrays per unit, allocated once and reused with out=: a fresh 512 KiB array per op
    would measure malloc returning memory and page faults, not the model (FIELD-NOTES)."""
    import numpy as np
    return np.zeros(NUMPY_WORDS, dtype=np.uint64), np.zeros(NUMPY_WORDS, dtype=np.uint64)


def numpy_run(ctx, unit, begin, end):
    import numpy as np
    x, tmp = unit.scratch
    base = ctx.state.base
    c1, c2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)
    s30, s27, s31 = np.uint64(30), np.uint64(27), np.uint64(31)
    total = 0
    for op in range(begin, end):
        np.add(base, np.uint64((op * NUMPY_WORDS) & M64), out=x)  # words op*N .. op*N + N-1
        np.right_shift(x, s30, out=tmp)
        np.bitwise_xor(x, tmp, out=x)
        np.multiply(x, c1, out=x)  # uint64 arithmetic wraps mod 2^64, as in C
        np.right_shift(x, s27, out=tmp)
        np.bitwise_xor(x, tmp, out=x)
        np.multiply(x, c2, out=x)
        np.right_shift(x, s31, out=tmp)
        np.bitwise_xor(x, tmp, out=x)
        total = (total + int(np.add.reduce(x, dtype=np.uint64))) & M64
    return total


WORKLOAD = Workload(
    "hash-numpy", "cpu", "numpy splitmix64 over 64 Ki words, arrays reused (releases the GIL); "
    "op = one array", 1200, numpy_run, slice=2, plans=("cores",), prepare=numpy_prepare,
    scratch=numpy_scratch)
