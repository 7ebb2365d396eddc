"""spawn — create, start, finish and reap N empty units: µs per unit over the whole life, and
apart the first-start latency from asking for unit 0 to its first instruction."""
from workloads.common import Figure, Workload, count_expect

SPAWN_FIGURES = (
    Figure("spawn_us_per_unit", "µs", "lower", "create, start, finish and reap, per unit"),
    Figure("start_us", "µs", "lower", "asking for unit 0 to its first instruction"),
)


def spawn_run(ctx, unit, begin, end):
    return end - begin


def spawn_grun(ctx, unit, begin, end):
    return end - begin
    yield  # unreachable: makes this a generator that finishes at once


def spawn_report(ctx, res):
    return {"spawn_us_per_unit": res.lifecycle_s * 1e6 / ctx.units,
            "start_us": res.first_start_s * 1e6}, None


WORKLOAD = Workload(
    "spawn", "probe", "create, start, finish and reap N empty units: us per unit, first-start "
    "latency", 0, spawn_run, size_per="unit", plans=("probe",), figures=SPAWN_FIGURES,
    grun=spawn_grun, expect=count_expect, report=spawn_report)
