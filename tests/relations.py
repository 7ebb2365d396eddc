"""relations.py FIGURES.csv — the relations between figures that hold on any host for a physical
reason, checked on one host's figures (a CSV of figure,value). Stated once, here: tests/test_hosts.sh
checks them on figures measured in the test and on the two hosts' fixtures (tests/fixtures/hosts/:
a system call of 90 ns and of 1 µs), so a relation that holds only on a fast host cannot pass.
Prints one "ok"/"FAIL" line per relation; exit 1 if one fails, 2 on bad input."""
import csv
import sys
from dataclasses import dataclass


@dataclass(frozen=True)
class Relation:
    what: str
    small: str  # the figure that must be the smaller
    large: str
    why: str


RELATIONS = (
    Relation("a direct coroutine switch costs less than a same-core futex hand-off between threads",
             "switch_direct_ns", "switch_futex_same_core_ns",
             "one swapcontext (one system call) against two system calls and a pass through the "
             "kernel's scheduler"),
    Relation("spawning a coroutine costs less than a thread", "spawn_coros_us", "spawn_threads_us",
             "a stack from one mapping and a context, against a kernel task and its stack"),
    Relation("spawning a thread costs less than a process", "spawn_threads_us", "spawn_procs_us",
             "a process also copies the page tables and the file table, and is reaped"),
    Relation("fork + wait costs more than pthread_create + join", "thread_create_us", "fork_us",
             "the same kernel task, plus an address space"),
)


def check(figures):
    """(relation, small value, large value, holds) for every relation whose figures are there."""
    out = []
    for r in RELATIONS:
        if r.small in figures and r.large in figures:
            a, b = figures[r.small], figures[r.large]
            out.append((r, a, b, a < b))
    return out


def main():
    if len(sys.argv) != 2:
        print("usage: relations.py FIGURES.csv", file=sys.stderr)
        return 2
    with open(sys.argv[1], newline="", encoding="utf-8") as f:
        figures = {r["figure"]: float(r["value"]) for r in csv.DictReader(f) if r["value"]}
    results = check(figures)
    if not results:
        print(f"FAIL  {sys.argv[1]}: no relation's figures are there")
        return 1
    for r, a, b, ok in results:
        print(f"{'ok  ' if ok else 'FAIL'}  {r.what}: {r.small} {a:g} < {r.large} {b:g}"
              + ("" if ok else f" does not hold ({r.why})"))
    return 0 if all(ok for *_, ok in results) else 1


if __name__ == "__main__":
    sys.exit(main())
