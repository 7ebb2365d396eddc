"""seam.py — what a workload calls to wait, the one way it waits (C's IO seam, workload.h): under
serial, threads and procs the calls block (BlockingSeam), under coros they are awaited on the
one event loop (AsyncSeam, the same names as coroutines). A workload never creates threads,
processes or tasks: a child process it needs comes from spawn() here.
  sleep(s)                   one wait of s seconds
  connect(path), call(conn, seed, bytes), close(conn)
                             a connection to the delay server and one round trip on it
                             (server.py: the protocol and its check)
  spawn(argv), stream(child, chunks, sink), reap(child)
                             a child on two pipes (subprocess.Popen; asyncio's subprocess):
                             its stdin fed while its stdout is read, so neither side can
                             deadlock on a full pipe, then its exit status
  hold()                     park while the harness measures every unit (the idle probe)
  meet()                     wait until every unit of the run has arrived (the share probe)
  give_way()                 CPU-bound code that runs until told to stop lets others run:
                             nothing where units are scheduled by the kernel
  chan.chan(ctx, ...)        a bounded queue between units that its senders close, made in
                             prepare (queue.Queue, multiprocessing.Queue or asyncio.Queue;
                             chan.py)
Every sleep and every round trip is a wait: its duration goes to the run's WaitLog, whose
median and 99th percentile are the row's wait_p50_us and wait_p99_us, merged over units, as in
build/cvp (bench/seam/waits.c). asyncio, multiprocessing and the delay server's client
(server.py) are imported where a call needs them, on first use: a unit process started with
spawn or forkserver carries only what its unit needs, and the arm, which starts ~500 times per
make bench, only what its run needs."""
import ctypes
import dataclasses
import errno
import os
import selectors
import subprocess
import threading
import time
import typing

from stop import Limit, Wrong

READ_BYTES = 64 * 1024  # what one read of a child's output takes at most
LIMIT_ERRNOS = {errno.EMFILE: "RLIMIT_NOFILE (ulimit -n)", errno.ENFILE: "fs.file-max",
                errno.ENOMEM: "memory", errno.ENOBUFS: "memory", errno.EAGAIN: "ulimit -u"}


def io_failed(what, exc):
    """The Exit for an IO failure: a limit (exit 3) when errno names one, else exit 1."""
    name = LIMIT_ERRNOS.get(getattr(exc, "errno", None))
    if name:
        return Limit(f"{what}: {exc}; limit reached: {name}")
    return Wrong(f"{what}: {exc}")


def client():
    """The delay server's client (server.py), imported on first use; a unit of a workload that
    talks to the server imports it before the start barrier (unit.enter), not inside the clock
    at its first connect."""
    import server
    return server


def raw(sync, typecode, n=None):
    """Zeroed C numbers (typecode: q or Q, as multiprocessing's) that every unit can write: n of
    them, or one value (n None); in this process's memory when every unit runs in it (sync: the
    threading module), else in multiprocessing's shared memory, which forked and fresh unit
    processes map too (sync: a multiprocessing context)."""
    if sync is threading:
        c = {"q": ctypes.c_longlong, "Q": ctypes.c_ulonglong}[typecode]
        return c() if n is None else (c * n)()
    import multiprocessing.sharedctypes
    if n is None:
        return multiprocessing.sharedctypes.RawValue(typecode, 0)
    return multiprocessing.sharedctypes.RawArray(typecode, n)


class WaitLog:
    """Each wait's duration in ns, in memory every unit can write (processes too): one slot per
    op, about, as C sizes it; a run that waits more keeps the first and counts them all. A unit
    keeps its own durations and adds them once, after the clock (add)."""

    def __init__(self, cap, sync):
        """sync: the threading module or a multiprocessing context, as the units are."""
        self.cap = cap
        self.a = raw(sync, "q", cap)
        self.n = raw(sync, "Q")
        self.lock = sync.Lock()

    def add(self, durations):
        if not durations:
            return
        with self.lock:
            first = self.n.value
            self.n.value = first + len(durations)
        for i, ns in enumerate(durations[:max(0, self.cap - first)]):
            self.a[first + i] = ns

    def durations(self):
        return list(self.a[:min(self.n.value, self.cap)])

    def count(self):
        return self.n.value


def percentiles(durations):
    """(p50, p99) in µs as C's waits_percentiles: the median's lower middle, and the smallest
    at or above 99 %; None when there are none."""
    k = len(durations)
    if k == 0:
        return None
    d = sorted(durations)
    return d[(k - 1) // 2] / 1e3, d[(k * 99 + 99) // 100 - 1] / 1e3


def place_child(pid, pus):
    """A unit's child runs anywhere on the run's cores, as build/cvp's (bench/seam/child.c): it
    inherited the affinity of the thread that started it, one PU (every task's, under coros).
    Set from the parent once the child exists: only its first instructions ran on that PU."""
    if pus:
        try:
            os.sched_setaffinity(pid, pus)
        except ProcessLookupError:  # it has exited already
            pass


@dataclasses.dataclass
class BlockingSeam:
    """Waiting as threads and processes wait: in the kernel (the GIL released)."""
    sh: typing.Any  # unit.Shared: the hold gate and the meeting barrier
    pus: tuple = ()  # the run's PUs, for children
    waits: list = dataclasses.field(default_factory=list)

    def sleep(self, seconds):
        t0 = time.monotonic_ns()
        time.sleep(seconds)
        self.waits.append(time.monotonic_ns() - t0)

    def connect(self, path):
        try:
            return client().Conn.open(path)
        except OSError as e:
            raise io_failed("connect to the delay server", e)

    def call(self, conn, seed, nbytes):
        t0 = time.monotonic_ns()
        try:
            total = conn.call(seed, nbytes)
        except OSError as e:
            raise io_failed("round trip with the delay server", e)
        self.waits.append(time.monotonic_ns() - t0)
        return total

    def close(self, conn):
        conn.close()

    def spawn(self, argv):
        """A child of argv with stdin and stdout on pipes (unbuffered file objects)."""
        try:
            child = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     bufsize=0)
        except OSError as e:
            raise io_failed(f"start {argv[0]}", e)
        place_child(child.pid, self.pus)
        return child

    def stream(self, child, chunks, sink):
        """Writes the chunks (bytes) to the child's stdin, then closes it, while every byte of
        its stdout goes to sink, until its end: both pipes non-blocking, waiting (epoll) only
        when neither can move."""
        to, back = child.stdin.fileno(), child.stdout.fileno()
        os.set_blocking(to, False)
        os.set_blocking(back, False)
        sel = selectors.DefaultSelector()
        sel.register(back, selectors.EVENT_READ)
        sel.register(to, selectors.EVENT_WRITE)
        it, pending, writing = iter(chunks), memoryview(b""), True
        try:
            while True:
                for key, _ in sel.select():
                    if key.fd == back:
                        data = os.read(back, READ_BYTES)
                        if not data:
                            return
                        sink(data)
                        continue
                    if not pending:
                        chunk = next(it, None)
                        if chunk is None:  # end of input: the child finishes
                            sel.unregister(to)
                            child.stdin.close()
                            writing = False
                            continue
                        pending = memoryview(chunk)
                    try:
                        pending = pending[os.write(to, pending):]
                    except BlockingIOError:
                        pass
        except OSError as e:
            raise io_failed(f"stream through {child.args[0]}", e)
        finally:
            sel.close()
            if writing:
                child.stdin.close()
            child.stdout.close()

    def reap(self, child):
        """Waits for the child; its exit code (its CPU time is the process's children's)."""
        return child.wait()

    def hold(self):
        self.sh.held.release()
        self.sh.opened.wait()

    def meet(self):
        self.sh.meet.wait()

    def give_way(self):
        pass


class Gate:
    """All units arrive, then all go, on one event loop: one future the harness may await, one
    the units await (shared by all, so waiting costs a unit a callback); reusable, each round
    with fresh futures."""

    def __init__(self, n, loop):
        self.n, self.loop = n, loop
        self.arrived = 0
        self.all_here = loop.create_future()
        self.opened = loop.create_future()

    def arrive(self):
        self.arrived += 1
        if self.arrived == self.n:
            self.all_here.set_result(None)
        return self.opened

    def open(self):
        self.opened.set_result(None)

    def pass_together(self):
        """The units themselves open it: the last to arrive lets all through."""
        opened = self.arrive()
        if self.arrived == self.n:
            self.open()
            self.arrived = 0
            self.all_here = self.loop.create_future()
            self.opened = self.loop.create_future()
        return opened


@dataclasses.dataclass
class AsyncSeam:
    """Waiting as coroutines wait: by parking on the event loop. One for all units (they share
    a thread): the waits of all and the yields of all."""
    hold_gate: Gate
    meet_gate: Gate
    pus: tuple = ()  # the run's PUs, for children
    waits: list = dataclasses.field(default_factory=list)
    yields: int = 0
    aio: typing.Any = None  # the asyncio module, looked up once, not at every wait or yield

    def __post_init__(self):
        import asyncio  # the units' event loop runs: imported already
        self.aio = asyncio

    async def sleep(self, seconds):
        t0 = time.monotonic_ns()
        await self.aio.sleep(seconds)
        self.waits.append(time.monotonic_ns() - t0)

    async def connect(self, path):
        try:
            return await client().AConn.open(path)
        except OSError as e:
            raise io_failed("connect to the delay server", e)

    async def call(self, conn, seed, nbytes):
        t0 = time.monotonic_ns()
        try:
            total = await conn.call(seed, nbytes)
        except OSError as e:
            raise io_failed("round trip with the delay server", e)
        self.waits.append(time.monotonic_ns() - t0)
        return total

    async def close(self, conn):
        await conn.close()

    async def spawn(self, argv):
        try:
            child = await self.aio.create_subprocess_exec(*argv, stdin=subprocess.PIPE,
                                                         stdout=subprocess.PIPE)
        except OSError as e:
            raise io_failed(f"start {argv[0]}", e)
        place_child(child.pid, self.pus)
        return child

    async def stream(self, child, chunks, sink):
        """As BlockingSeam.stream: the feeding and the reading are two coroutines of the seam's
        own, gathered, so either waits without holding up the other."""
        async def feed():
            for chunk in chunks:
                child.stdin.write(chunk)
                await child.stdin.drain()
            child.stdin.close()
            await child.stdin.wait_closed()

        async def read():
            while data := await child.stdout.read(READ_BYTES):
                sink(data)

        try:
            await self.aio.gather(feed(), read())
        except OSError as e:
            raise io_failed("stream through the child", e)

    async def reap(self, child):
        return await child.wait()

    def hold(self):
        return self.hold_gate.arrive()

    def meet(self):
        return self.meet_gate.pass_together()

    def give_way(self):
        self.yields += 1
        return self.aio.sleep(0)
