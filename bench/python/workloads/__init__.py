"""The CPython arm's workloads: one file per workload in this folder, each ending in
`WORKLOAD = Workload(...)` (common.py says every field), matched to build/cvp's workloads/*.c.
Nothing here lists them: a file is registered by being here, as the Makefile registers C's, so
adding a workload is adding one file. The workload `a-b` lives in `a_b.py`.

A file is imported only when its workload is wanted — every one for --list, --help and a usage
error, just the run's own for a run (cli.py) and in a unit process started with spawn or
forkserver, which should carry only what its unit needs. As the arm starts ~500 times per make
bench, a file imports at its top only what its units' code runs; what only prepare() or
expect() uses (multiprocessing, the delay server's module) it imports there, in the harness,
outside the clock: a threads run of counter needs no multiprocessing."""
import functools
import importlib
import os
import pkgutil

COMMON = "common"  # the descriptor types and helpers, not a workload


@functools.cache  # get() asks for every name: the folder is read once
def names():
    """Every workload's name, in the order of their files (as build/cvp lists C's)."""
    return tuple(m.name.replace("_", "-") for m in pkgutil.iter_modules([os.path.dirname(__file__)])
                 if m.name != COMMON and not m.name.startswith("_"))


@functools.cache  # units ask for it often; a file is imported once anyway
def get(name):
    """The descriptor of workload name (importing its file); KeyError if there is none."""
    if name not in names():
        raise KeyError(name)
    wl = importlib.import_module(f"{__name__}.{name.replace('-', '_')}").WORKLOAD
    if wl.name != name:
        raise ImportError(f"workloads/{name.replace('-', '_')}.py describes '{wl.name}'")
    return wl


def every():
    """name -> descriptor of every workload."""
    return {name: get(name) for name in names()}
