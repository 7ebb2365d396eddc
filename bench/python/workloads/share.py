"""share — do units share one interpreter's memory? An experiment, not an inference (rule A, as
workloads/share.c does it in C): the writer unit sets a module global of this file, the units
meet (the seam's barrier orders the store before what follows it), then the reader unit reads
the global. It sees the store only if the two units run in one interpreter: write_seen is 1 for
threads and asyncio tasks, 0 for processes, forked or fresh (each writes its own module's copy).
--memory shared puts the value in memory every unit shares (multiprocessing's shared ctypes),
where processes see it too: the outcome flips with the memory, not with the model's name. One op
= one unit."""
import dataclasses
import typing

from workloads.common import Figure, Role, Workload, choice

MARK = 0x5EED

# The experiment's subject: ordinary memory of the interpreter that runs the unit. A mutable
# module global on purpose — it is what the experiment asks about.
written = 0


@dataclasses.dataclass(frozen=True)
class ShareState:
    shared: typing.Any  # the same value, in memory every unit shares
    seen: typing.Any    # what the reader found: the result, where all can read it


def share_prepare(ctx):
    import multiprocessing.sharedctypes
    return ShareState(multiprocessing.sharedctypes.RawValue("i", 0),
                      multiprocessing.sharedctypes.RawValue("i", -1))


def _write(ctx):
    global written
    if ctx.opts["memory"] == "shared":
        ctx.state.shared.value = MARK
    else:
        written = MARK


def _read(ctx):
    value = ctx.state.shared.value if ctx.opts["memory"] == "shared" else written
    ctx.state.seen.value = int(value == MARK)


def writer(ctx, unit, begin, end):
    _write(ctx)
    unit.seam.meet()
    return end - begin


def reader(ctx, unit, begin, end):
    unit.seam.meet()
    _read(ctx)
    return end - begin


async def awriter(ctx, unit, begin, end):
    _write(ctx)
    await unit.seam.meet()
    return end - begin


async def areader(ctx, unit, begin, end):
    await unit.seam.meet()
    _read(ctx)
    return end - begin


def share_expect(ctx):
    return 2 * ctx.size  # each role covers every op


def share_report(ctx, res):
    seen = ctx.state.seen.value
    return ({"write_seen": seen} if seen >= 0 else {}), None


WORKLOAD = Workload(
    "share", "probe", "does a unit see another's store to a module global? (one interpreter's "
    "memory)", 0, size_per="unit", plans=("probe",),
    options=(choice("memory", "M", ("ordinary", "shared"),
                    "where the writer stores: a module global or multiprocessing shared memory"),),
    figures=(Figure("write_seen", "", "higher",
                    "1 if the reader saw the writer's store after the barrier"),),
    roles=(Role("writer", 1, writer, awriter), Role("reader", 1, reader, areader)),
    prepare=share_prepare, expect=share_expect, report=share_report)
