"""places.py — where units run, decided by build/cvp so both runtimes bind the same way:
`cvp --places --cores K --pin P --units N` prints one `unit,pus` line per unit (pus: the OS PU
numbers it is bound to). The arm applies them with os.sched_setaffinity inside the unit (a
thread binds itself by its native id, a process itself as 0) and reports, like build/cvp, the PU
each unit was bound to (when its set is one PU) and the one it last ran on."""
import dataclasses
import os
import subprocess

from stop import Unsupported, Usage, Wrong

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def cvp_binary():
    """build/cvp of this tree, or CVP=path."""
    path = os.environ.get("CVP") or os.path.join(ROOT, "build", "cvp")
    if not os.access(path, os.X_OK):
        raise Unsupported(f"{path} not found: build/cvp places the units (make builds it; "
                          "CVP=path names another)")
    return path


@dataclasses.dataclass(frozen=True)
class Placement:
    cores: int
    pin: str
    sets: tuple  # per unit, the tuple of PUs it is bound to

    def pus(self, u):
        return self.sets[u]

    def all_pus(self):
        """Every PU of the run's cores: where a unit's child runs (as build/cvp places it)."""
        return tuple(sorted({p for s in self.sets for p in s}))

    def bound_pu(self, u):
        """The PU unit u is bound to, or -1 when its set has several (--pin none)."""
        return self.sets[u][0] if len(self.sets[u]) == 1 else -1


def _places(cvp, cores, pin, units):
    """Each unit's PUs, as build/cvp places units (None: its default, one per core) on cores
    (None: every core)."""
    args = [cvp, "--places", "--pin", pin]
    if units is not None:
        args += ["--units", str(units)]
    if cores is not None:
        args += ["--cores", str(cores)]
    got = subprocess.run(args, capture_output=True, text=True, check=False)
    if got.returncode == 2:
        raise Usage(got.stderr.strip().removeprefix("cvp: "))
    if got.returncode != 0:
        raise Wrong(f"{' '.join(args)} failed: {got.stderr.strip()}")
    lines = got.stdout.splitlines()
    expected = units if units is not None else max(1, len(lines) - 1)
    if not lines or lines[0] != "unit,pus" or len(lines) != expected + 1:
        raise Wrong(f"{' '.join(args)}: unexpected output")
    return tuple(tuple(int(p) for p in line.split(",")[1].split()) for line in lines[1:])


def plan(cores, pin, units, least=0):
    """The placement of units (None: one per core, at least `least`) on cores (None: every core
    this process may use, as build/cvp counts them); returns it and the unit count."""
    cvp = cvp_binary()
    if cores is None and units is None:
        # build/cvp's own default, one unit per core on every core: one call (hwloc's topology
        # read, ~5 ms) places the units and counts the cores
        sets = _places(cvp, None, pin, None)
        cores = len(sets)
        if cores >= least:
            return Placement(cores, pin, sets), cores
    elif cores is None:  # under --pin none every unit gets one PU of each core
        cores = len(_places(cvp, None, "none", 1)[0])
    n = max(cores, least) if units is None else units
    return Placement(cores, pin, _places(cvp, cores, pin, n)), n


def bind(pus, tid=0):
    """Binds a thread (tid: its native id; 0: the caller) or, in a child, the process."""
    os.sched_setaffinity(tid, pus)
