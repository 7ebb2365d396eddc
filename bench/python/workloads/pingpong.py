"""pingpong — workloads/pingpong.c: what a hand-off between two units costs. The ping unit and the
pong unit pass a token --size times; one op is one one-way hand-off (a turn), so ns_per_op is ns
per one-way switch, as in C. The ping unit takes the even turns, the pong unit the odd ones; the
token carries a value each turn mixes (one pure-Python mix64, part of every turn's cost here),
so the checksum — build/cvp's for the same size — depends on the order of the hand-offs.
--variant, the first the model can do by default:
  lock    two locks, each unit blocking on its own until the other releases it: threading.Lock
          between threads, multiprocessing.Lock (a POSIX semaphore) between processes
  pipe    two multiprocessing pipes, each unit blocking in read until the other writes
  future  asyncio: a unit awaits a future the other one resolves, through the event loop"""
import dataclasses
import threading
import typing

from workloads.common import M64, Figure, Role, Workload, choice, mix64

BLOCKING = ("coexist", "block")
VARIANT = choice("variant", "V", ("lock", "pipe", "future"), "how the token moves",
                 needs=(BLOCKING, BLOCKING, ("direct",)))


@dataclasses.dataclass
class LockBaton:
    """Turn t is done by the unit whose lock is locks[t % 2]: it waits to acquire it, and
    passes by releasing the other's."""
    locks: tuple
    value: typing.Any  # shared ctypes uint64

    def wait(self, turn):
        self.locks[turn & 1].acquire()
        return self.value.value

    def hand(self, turn, v):
        self.value.value = v
        self.locks[(turn + 1) & 1].release()


@dataclasses.dataclass
class PipeBaton:
    """pipes[s]: (reader, writer) of the pipe the unit doing turns of parity s reads."""
    pipes: tuple

    def wait(self, turn):
        return int.from_bytes(self.pipes[turn & 1][0].recv_bytes(), "little")

    def hand(self, turn, v):
        self.pipes[(turn + 1) & 1][1].send_bytes(v.to_bytes(8, "little"))


@dataclasses.dataclass
class FutureBaton:
    """One event loop: the token's turn and value, and the future of the unit waiting for its
    turn (at most one waits: the other is running)."""
    turn: int = 0
    value: int = 0
    waiter: typing.Any = None
    loop: typing.Any = None  # the units' event loop, looked up at the first wait, not every turn

    async def wait(self, turn):
        if self.loop is None:
            import asyncio
            self.loop = asyncio.get_running_loop()
        while self.turn != turn:
            self.waiter = self.loop.create_future()
            await self.waiter
        return self.value

    def hand(self, turn, v):
        self.value, self.turn = v, turn + 1
        w, self.waiter = self.waiter, None
        if w is not None and not w.done():
            w.set_result(None)


def pingpong_prepare(ctx):
    kind = ctx.opts["variant"]
    if kind == "future":
        return FutureBaton()
    import multiprocessing.sharedctypes
    if kind == "pipe":
        pipes = tuple(multiprocessing.Pipe(duplex=False) for _ in range(2))
        pipes[0][1].send_bytes((0).to_bytes(8, "little"))  # ping starts with the token
        return PipeBaton(pipes)
    lock = threading.Lock if "shared" in ctx.caps else multiprocessing.Lock
    locks = (lock(), lock())
    locks[1].acquire()  # ping starts with the token
    return LockBaton(locks, multiprocessing.sharedctypes.RawValue("Q", 0))


def step(carried, turn):
    """What turn t makes of the value the token brought."""
    return mix64((carried + turn) & M64)


def turns(ctx, first, begin, end):
    baton, total = ctx.state, 0
    for turn in range(begin + ((begin ^ first) & 1), end, 2):
        v = step(baton.wait(turn), turn)
        total += v
        baton.hand(turn, v)
    return total & M64


async def aturns(ctx, first, begin, end):
    baton, total = ctx.state, 0
    for turn in range(begin + ((begin ^ first) & 1), end, 2):
        v = step(await baton.wait(turn), turn)
        total += v
        baton.hand(turn, v)
    return total & M64


def ping(ctx, unit, begin, end):
    return turns(ctx, 0, begin, end)


def pong(ctx, unit, begin, end):
    return turns(ctx, 1, begin, end)


async def aping(ctx, unit, begin, end):
    return await aturns(ctx, 0, begin, end)


async def apong(ctx, unit, begin, end):
    return await aturns(ctx, 1, begin, end)


def pingpong_expect(ctx):
    """The chain of values, turn after turn, as a correct alternation makes it."""
    total = v = 0
    for turn in range(ctx.size):
        v = step(v, turn)
        total += v
    return total & M64


def pingpong_report(ctx, res):
    return {"ns_per_op": res.wall_s * 1e9 / ctx.size}, None


WORKLOAD = Workload(
    "pingpong", "probe", "two units pass a token --size times: ns per one-way switch (--variant)",
    10000, plans=("placement",), options=(VARIANT,),
    figures=(Figure("ns_per_op", "ns", "lower", "one one-way hand-off"),),
    roles=(Role("ping", 1, ping, aping), Role("pong", 1, pong, apong)),
    prepare=pingpong_prepare, expect=pingpong_expect, report=pingpong_report)
