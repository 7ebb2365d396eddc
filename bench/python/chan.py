"""chan.py — a bounded queue between units that its senders close (C's wl_chan,
bench/seam/chan.c), made in a workload's prepare() as the model's units can share one; part of
the seam (seam.py), in a file of its own as in C, since only the pipeline workload uses one and
a run compiles only what it imports (the arm starts ~500 times per make bench). Likewise the
queue's kind imports its module (queue, multiprocessing, asyncio) when one is made."""
import dataclasses
import time
import typing


def chan(ctx, capacity, senders, receivers):
    """A bounded queue of `capacity` items from `senders` units to `receivers` units, made in
    prepare(), as the model's units can share one: queue.Queue between threads (the notes'),
    a multiprocessing.Queue between processes, an asyncio.Queue between tasks. When its last
    sender closes it, one sentinel (None) per receiver follows every item, so each receiver's
    loop ends once the queue is drained, as in the notes."""
    import multiprocessing.sharedctypes
    left = multiprocessing.sharedctypes.RawValue("i", senders)
    if "block" not in ctx.caps:
        import asyncio
        return AsyncChan(asyncio.Queue(capacity), left, receivers)
    if "shared" in ctx.caps:
        import queue
        import threading
        return ThreadChan(queue.Queue(capacity), left, receivers, threading.Lock())
    return ProcChan(multiprocessing.Queue(capacity), left, receivers, multiprocessing.Lock(),
                    senders, multiprocessing.sharedctypes.RawValue("i", 0))


@dataclasses.dataclass
class ThreadChan:
    q: typing.Any
    left: typing.Any  # senders that have not closed it
    receivers: int
    lock: typing.Any

    def send(self, item):
        """Puts item in, waiting while the queue is full; returns how many it holds now."""
        self.q.put(item)
        return self.q.qsize()

    def recv(self):
        """The oldest item, waiting while the queue is empty; None once closed and drained."""
        return self.q.get()

    def close(self):
        with self.lock:
            self.left.value -= 1
            last = self.left.value == 0
        if last:
            for _ in range(self.receivers):
                self.q.put(None)


@dataclasses.dataclass
class ProcChan(ThreadChan):
    """Between processes a put goes to the sender's own feeder thread, which writes the pipe
    later: the last sender puts the sentinels only once every other sender has flushed its
    items (closed its end and joined its feeder), so no sentinel overtakes an item."""
    senders: int = 1
    flushed: typing.Any = None  # senders whose items are all in the pipe

    def close(self):
        with self.lock:
            self.left.value -= 1
            last = self.left.value == 0
        if last:
            while self.flushed.value < self.senders - 1:
                time.sleep(0.0002)
            for _ in range(self.receivers):
                self.q.put(None)
        self.q.close()
        self.q.join_thread()
        with self.lock:
            self.flushed.value += 1


@dataclasses.dataclass
class AsyncChan:
    q: typing.Any
    left: typing.Any
    receivers: int

    async def send(self, item):
        await self.q.put(item)
        return self.q.qsize()

    async def recv(self):
        return await self.q.get()

    async def close(self):
        self.left.value -= 1
        if self.left.value == 0:
            for _ in range(self.receivers):
                await self.q.put(None)
