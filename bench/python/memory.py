"""memory.py — what N parked units cost, counted as build/cvp counts it (bench/seam/hold.c), in
KiB per unit:
  vsz, rss  VmSize, VmRSS growth of the process (units in one address space), or the mean unit
            process's own VmSize, VmRSS (which counts the copy-on-write pages it shares)
  pss       Pss growth from /proc/PID/smaps_rollup, summed over the process and every process
            below it (unit processes, the forkserver, the resource tracker): shared pages split,
            not counted once per sharer, and a parent's PSS that drops after fork is counted
  kernel    KernelStack + PageTables + SUnreclaim growth from /proc/meminfo, and each part apart:
            system-wide, so each side is the median of several samples, and the baseline waits
            for the figures to settle
The baseline is taken before any unit exists; the measure while every unit is parked."""
import dataclasses
import math
import os
import time

from stop import descendants

KERNEL_SAMPLES = 7
KERNEL_KEYS = ("KernelStack", "PageTables", "SUnreclaim")


def proc_kib(path, keys):
    """The values of 'Key: value kB' lines of a /proc file for keys (NaN where absent)."""
    found = dict.fromkeys(keys, math.nan)
    try:
        with open(path, encoding="ascii") as f:
            for line in f:
                key, _, rest = line.partition(":")
                if key in found:
                    found[key] = float(rest.split()[0])
    except (OSError, ValueError, IndexError):
        pass
    return found


def process_kib(pid):
    """(VmSize, VmRSS, Pss) of one process."""
    status = proc_kib(f"/proc/{pid}/status", ("VmSize", "VmRSS"))
    pss = proc_kib(f"/proc/{pid}/smaps_rollup", ("Pss",))["Pss"]
    return status["VmSize"], status["VmRSS"], pss


def tree_pss_kib(root):
    """Pss of root and every process below it."""
    each = [process_kib(pid)[2] for pid in [root, *descendants(root)]]
    return sum(pss for pss in each if not math.isnan(pss))  # NaN: a process gone meanwhile


def kernel_kib():
    """({part: median}, range of the sums) of KernelStack, PageTables and SUnreclaim over a few
    samples 1 ms apart; reclaimable slab is left out, as other activity moves it."""
    samples = []
    for _ in range(KERNEL_SAMPLES):
        samples.append(proc_kib("/proc/meminfo", KERNEL_KEYS))
        time.sleep(0.001)
    parts = {k: sorted(s[k] for s in samples)[KERNEL_SAMPLES // 2] for k in KERNEL_KEYS}
    sums = sorted(sum(s.values()) for s in samples)
    return parts, sums[-1] - sums[0]


def settled_kernel_kib():
    """The kernel frees exited tasks late: wait, up to a second, until two readings 20 ms apart
    agree within 64 KiB."""
    prev = kernel_kib()
    for _ in range(50):
        time.sleep(0.02)
        now = kernel_kib()
        if abs(sum(now[0].values()) - sum(prev[0].values())) <= 64:
            return now
        prev = now
    return prev


@dataclasses.dataclass
class Memory:
    """KiB: of the process (a baseline) or per unit (a measure)."""
    vsz: float = math.nan
    rss: float = math.nan
    pss: float = math.nan
    kstack: float = math.nan   # the kernel's parts: KernelStack, PageTables, SUnreclaim
    ptables: float = math.nan
    slab: float = math.nan
    kernel_spread: float = math.nan  # range of the meminfo samples behind kernel

    @property
    def kernel(self):
        return self.kstack + self.ptables + self.slab

    @property
    def touched(self):
        return self.pss + self.kernel

    def noisy(self):
        return abs(self.kernel) <= self.kernel_spread


def baseline():
    """Before any unit exists: this process, the tree's Pss, the settled kernel figures."""
    vsz, rss, _ = process_kib(os.getpid())
    parts, spread = settled_kernel_kib()
    return Memory(vsz, rss, tree_pss_kib(os.getpid()), parts["KernelStack"],
                  parts["PageTables"], parts["SUnreclaim"], spread)


def per_unit(before, units, unit_pids=None):
    """While every unit is parked: growth per unit since before. unit_pids: the unit processes
    (units with address spaces of their own), None when units share this one."""
    parts, spread = kernel_kib()
    m = Memory(kstack=(parts["KernelStack"] - before.kstack) / units,
               ptables=(parts["PageTables"] - before.ptables) / units,
               slab=(parts["SUnreclaim"] - before.slab) / units,
               kernel_spread=(spread + before.kernel_spread) / units)
    m.pss = (tree_pss_kib(os.getpid()) - before.pss) / units
    if unit_pids is None:
        vsz, rss, _ = process_kib(os.getpid())
        m.vsz, m.rss = (vsz - before.vsz) / units, (rss - before.rss) / units
    else:
        each = [process_kib(pid) for pid in unit_pids]
        m.vsz = sum(e[0] for e in each) / units
        m.rss = sum(e[1] for e in each) / units
    return m
