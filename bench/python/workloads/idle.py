"""idle — memory per unit: N units alive and parked at the seam's hold while the harness
measures them (memory.py says how), plus tracemalloc's bytes per parked asyncio task or
generator under coros. One op = one unit."""
from workloads.common import Figure, Workload, count_expect

TRACED = Figure("tracemalloc_bytes_per_unit", "B", "lower",
                "Python objects per parked unit, by tracemalloc (asyncio tasks, generators)")
IDLE_FIGURES = (
    Figure("touched_kib_per_unit", "KiB", "lower", "pss + kernel per unit"),
    Figure("pss_kib_per_unit", "KiB", "lower", "resident, shared pages split"),
    Figure("kernel_kib_per_unit", "KiB", "lower",
           "kernel stacks, page tables and unreclaimable slab per unit"),
    Figure("kernel_stack_kib_per_unit", "KiB", "lower", "kernel stacks per unit"),
    Figure("page_tables_kib_per_unit", "KiB", "lower", "page tables per unit"),
    Figure("slab_kib_per_unit", "KiB", "lower", "unreclaimable slab per unit"),
    Figure("rss_kib_per_unit", "KiB", "lower", "resident pages per unit"),
    Figure("vsz_kib_per_unit", "KiB", "lower", "address space reserved per unit"),
    TRACED,
)


def idle_run(ctx, unit, begin, end):
    for _ in range(begin, end):
        unit.seam.hold()
    return end - begin


async def idle_arun(ctx, unit, begin, end):
    for _ in range(begin, end):
        await unit.seam.hold()
    return end - begin


def idle_grun(ctx, unit, begin, end):
    for _ in range(begin, end):
        yield  # parked: the driver measures once every generator has got here
    return end - begin


def idle_report(ctx, res):
    figs, notes = {}, []
    m = res.memory
    if m is not None:
        figs.update(touched_kib_per_unit=m.touched, pss_kib_per_unit=m.pss,
                    kernel_kib_per_unit=m.kernel, kernel_stack_kib_per_unit=m.kstack,
                    page_tables_kib_per_unit=m.ptables, slab_kib_per_unit=m.slab,
                    rss_kib_per_unit=m.rss, vsz_kib_per_unit=m.vsz)
        if m.noisy():
            notes.append("kernel_kib_per_unit is within the noise of /proc/meminfo "
                         "(system-wide); use more units")
    if res.traced_bytes is not None:
        figs[TRACED.name] = res.traced_bytes
        notes.append(f"{TRACED.name} counts {res.traced_what}")
    return figs, "; ".join(notes) or None


WORKLOAD = Workload(
    "idle", "probe", "memory per unit: N units alive and parked (+ tracemalloc bytes under "
    "coros)", 0, idle_run, size_per="unit", plans=("probe",), figures=IDLE_FIGURES, holds=True,
    arun=idle_arun, grun=idle_grun, expect=count_expect, report=idle_report)
