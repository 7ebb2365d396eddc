"""subprocess — the notes' parent streaming data through child processes (workloads/subprocess.c
in C): each task starts a filter child through the seam (subprocess.Popen under serial, threads
and procs — as the notes do it from threads —, asyncio.create_subprocess_exec under coros),
writes --size bytes to its stdin while reading its stdout, both at once so neither side can
deadlock on a full pipe, and checks what comes back. The child does the work and the harness
counts its CPU time in the row's (RUSAGE_CHILDREN over the clock), so threads, or one asyncio
thread, show cpu_util above one core: parallel work done by children while the GIL is free.
--variant filter runs build/cvp-filter (workloads/filter.h: 16 rounds of mixing per 8-byte
word), openssl (AES-128-CTR) and gzip (-1) those tools where installed (exit 4 naming the missing
one otherwise). A task's input is a 64 KiB block of mixed words repeated, starting at a place of
its own; its checksum is the first 8 bytes of the BLAKE2b of the output plus the output's
length: for the filter the expected output is computed (as C computes it), for a tool it is
one more run of the tool per task after the clock. One op = one byte."""
import dataclasses
import hashlib
import os
import shutil

import places
import seam
from stop import Unsupported, Wrong
from workloads.common import M64, Workload, choice, mix64

BLOCK_WORDS = 8192  # 64 KiB of input, repeated
BLOCK = BLOCK_WORDS * 8
FILTER_ROUNDS = 16
TOOLS = {
    "openssl": ("openssl", "enc", "-aes-128-ctr", "-nosalt", "-K",
                "000102030405060708090a0b0c0d0e0f", "-iv", "00000000000000000000000000000000"),
    "gzip": ("gzip", "-c", "-1", "-n"),
}


@dataclasses.dataclass(frozen=True)
class SubprocessState:
    argv: tuple
    words: tuple    # the input block, as words
    doubled: bytes  # the block twice, so any 64 KiB from any place is one slice


def subprocess_prepare(ctx):
    variant = ctx.opts["variant"]
    if variant == "filter":
        path = os.path.join(os.path.dirname(places.cvp_binary()), "cvp-filter")
        if not os.access(path, os.X_OK):
            raise Unsupported("build/cvp-filter is missing beside build/cvp (run make)")
        argv = (path,)
    else:
        argv = TOOLS[variant]
        if not shutil.which(argv[0]):
            raise Unsupported(f"--variant {variant}: {argv[0]} is not installed (apt-get "
                              f"install {argv[0]})")
    words = tuple(mix64(w + 1) for w in range(BLOCK_WORDS))
    block = b"".join(w.to_bytes(8, "little") for w in words)
    return SubprocessState(argv, words, block + block)


def _task_of(ctx, begin):
    return begin * ctx.tasks // ctx.size


def _start(t):
    """Where in the block task t's input starts, in words."""
    return t * 997 % BLOCK_WORDS


def chunks(st, t, n):
    """Task t's n bytes of input, in pieces of at most 64 KiB."""
    off = _start(t) * 8
    for pos in range(0, n, BLOCK):
        k = min(BLOCK, n - pos)
        o = (off + pos) % BLOCK
        yield st.doubled[o:o + k]


class Digest:
    """What the checksum keeps of a stream: its BLAKE2b (hashlib: the GIL released for large
    pieces) and its length."""

    def __init__(self):
        self.h, self.n = hashlib.blake2b(digest_size=8), 0

    def add(self, data):
        self.h.update(data)
        self.n += len(data)

    def value(self):
        return (int.from_bytes(self.h.digest(), "little") + self.n) & M64


def _check(st, code):
    if code != 0:
        raise Wrong(f"{st.argv[0]} " + (f"exited with status {code}" if code >= 0 else
                                         f"died of signal {-code}"))


def subprocess_run(ctx, unit, begin, end):
    st, t = ctx.state, _task_of(ctx, begin)
    d = Digest()
    child = unit.seam.spawn(st.argv)
    unit.seam.stream(child, chunks(st, t, end - begin), d.add)
    _check(st, unit.seam.reap(child))
    return d.value()


async def subprocess_arun(ctx, unit, begin, end):
    st, t = ctx.state, _task_of(ctx, begin)
    d = Digest()
    child = await unit.seam.spawn(st.argv)
    await unit.seam.stream(child, chunks(st, t, end - begin), d.add)
    _check(st, await unit.seam.reap(child))
    return d.value()


def filter_word(v):
    """workloads/filter.h's filter_word."""
    for i in range(FILTER_ROUNDS):
        v = (mix64(v) + i) & M64
    return v


def subprocess_expect(ctx):
    """The filter's output is known without running it; a tool's is what one run of the tool
    over the same input gives, after the clock."""
    st, total = ctx.state, 0
    out = None
    if ctx.opts["variant"] == "filter":
        block = b"".join(filter_word(w).to_bytes(8, "little") for w in st.words)
        out = dataclasses.replace(st, doubled=block + block)
    for t in range(ctx.tasks):
        begin, end = t * ctx.size // ctx.tasks, (t + 1) * ctx.size // ctx.tasks
        n, d = end - begin, Digest()
        if out is None:
            blocking = seam.BlockingSeam(None)
            child = blocking.spawn(st.argv)
            blocking.stream(child, chunks(st, t, n), d.add)
            _check(st, blocking.reap(child))
        else:
            for piece in chunks(out, t, n // 8 * 8):  # the whole words, filtered
                d.add(piece)
            if n % 8:  # the last partial word, zero-padded, as the filter reads it
                w = st.words[(_start(t) + n // 8) % BLOCK_WORDS] & ((1 << 8 * (n % 8)) - 1)
                d.add(filter_word(w).to_bytes(8, "little"))
        total += d.value()
    return total & M64


WORKLOAD = Workload(
    "subprocess", "cpu", "each task streams --size bytes through a child filter over two pipes; "
    "op = a byte", 32 << 20, subprocess_run, size_per="task", plans=("pattern",),
    options=(choice("variant", "V", ("filter", "openssl", "gzip"),
                    "the child: build/cvp-filter, openssl enc or gzip"),),
    prepare=subprocess_prepare, arun=subprocess_arun, expect=subprocess_expect)
