"""evidence.py — what the rules' verdicts read: one runtime's derived figures and the run's
status, with the questions several rules ask (the CPU-bound rows at N cores, the largest IO
run, why something is missing). It also collects the parts of cells that have no measurement,
for the table's "Missing" section."""
from dataclasses import dataclass, field


@dataclass
class Evidence:
    run: object           # results.Run
    derived: dict         # {file name: derive.Derived}, the whole run
    runtime: str          # the runtime whose rows the rules judge
    missing: list = field(default_factory=list)  # (row, model, reason)

    def __post_init__(self):
        self.n = self.run.cores
        self.d = {k: [r for r in t.records() if r.get("runtime", self.runtime) == self.runtime]
                  for k, t in self.derived.items()}
        # The CPU-bound workloads this runtime ran or was to run, from the plan and the list.
        self.cpu_workloads = self.run.workloads("cpu", self.runtime)

    def find(self, **want):
        return self.run.find(runtime=self.runtime, **want)

    def miss(self, row, m, reason):
        self.missing.append((row, m, reason))
        return f"missing ({reason})"

    def cpu_at_n(self, m):
        """{workload: speedup row at N cores} for model m."""
        return {r["workload"]: r for r in self.d["speedup.csv"]
                if r["model"] == m and int(r["cores"]) == self.n and r["speedup"] != ""
                and r["repeat"] == 1}

    def why_cpu(self, m):
        cs = [c for w in self.cpu_workloads for c in self.find(group="cpu", workload=w, model=m,
                                                                cores=self.n)]
        base = [c for w in self.cpu_workloads for c in self.find(group="cpu", workload=w,
                                                                  model="serial", cores=1)]
        for c in cs + base:
            if self.run.status[c]["status"] != "ok":
                return f"{c} {self.run.why(c)}"
        return "no CPU-bound runs at N cores" if not cs else "no serial 1-core baseline"

    def why_cpu_workload(self, m, w):
        c = self.find(group="cpu", workload=w, model=m, cores=self.n)
        return f"{w} at {self.n} cores: " + (self.run.why(c[0]) if c else "not in this run")

    def io_largest(self, m, w, group="io"):
        rows = [r for r in self.d["io.csv" if group == "io" else "pool.csv"]
                if r["model"] == m and r["workload"] == w]
        return max(rows, key=lambda r: int(r["units"])) if rows else None

    def caps(self, m, w):
        """The cap message of (model, io workload), if a resource limit stopped a larger run."""
        for c in self.find(group="io", workload=w, model=m):
            st = self.run.status[c]
            if st["status"] == "cap":
                return f"capped at {int(float(st['units'])):,} units: {st['message']}"
        return None

    def why_io(self, m, w):
        cs = self.find(group="io", workload=w, model=m)
        return f"{w}: " + (self.run.why(cs[0]) if cs else "not in this run")

    def why_probe(self, m, w, group="probe"):
        cs = self.find(group=group, workload=w, model=m)
        return self.run.why(cs[0]) if cs else None

    def busy(self, m):
        """The largest median cpu_util of model m's CPU-bound runs at N cores, or None."""
        u = [r["cpu_util"] for r in self.cpu_at_n(m).values() if r["cpu_util"] != ""]
        return max(u) if u else None

    def speed(self, m):
        """The CPU-bound row with the best speedup (fastest runs) at N cores and all of them,
        or Nones."""
        rows = self.cpu_at_n(m)
        if not rows:
            return None, None
        return max(rows.values(), key=lambda r: r["speedup_best"]), rows

    def parallel(self, m, share):
        """Parallelism: at N >= 2 cores, the best speedup and the cores its own workload kept
        busy both reach share x N. Both, so a baseline slowed by another process cannot make a
        speedup alone; the same workload's, so another workload's busy cores cannot vouch for
        it."""
        best, _ = self.speed(m)
        return (best is not None and self.n >= 2 and best["speedup_best"] >= share * self.n
                and best["cpu_util"] != "" and best["cpu_util"] >= share * self.n)

    def cost(self, file, m):
        """A model's rows of a probe file (memory.csv, spawn.csv, switch.csv, an observation)."""
        return [x for x in self.d[file] if x["model"] == m]
