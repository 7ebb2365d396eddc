"""evidence.py — what the rules' verdicts read: one runtime's derived figures and the run's
status, with the questions several rules ask (the CPU-bound rows at N cores, the largest IO
run, a model's default against its own variants, whether a workload runs under a model at all,
why something is missing). It also collects the parts of cells that have no measurement, for
the table's "Missing" section."""
from dataclasses import dataclass, field

from results import model_name


@dataclass
class Evidence:
    run: object           # results.Run
    derived: dict         # {file name: derive.Derived}, the whole run
    runtime: str          # the runtime whose rows the rules judge
    missing: list = field(default_factory=list)  # (row, model, reason)
    apart: tuple = ()     # CPU-bound workloads judged apart (rule R's remedies), not here

    def __post_init__(self):
        self.n = self.run.cores
        self.d = {k: [r for r in t.records() if r.get("runtime", self.runtime) == self.runtime]
                  for k, t in self.derived.items()}
        # The CPU-bound workloads this runtime ran or was to run, from the plan and the list.
        self.cpu_workloads = [w for w in self.run.workloads("cpu", self.runtime)
                              if w not in self.apart]
        # The headline's columns: the models the runtime's list names (serial aside).
        self.models = self.run.models(self.runtime)

    def name(self, m, variant=""):
        """A model's name in this runtime's table."""
        return model_name(self.runtime, m, variant)

    def find(self, **want):
        return self.run.find(runtime=self.runtime, **want)

    def miss(self, row, m, reason):
        self.missing.append((row, m, reason))
        return f"missing ({reason})"

    def own(self, m, variant):
        """Whether a variant is model m's own (another way to start its units), which shows
        beside the model's default and does not decide."""
        return bool(variant) and variant in self.run.own_variants(m, self.runtime)

    def others(self, file):
        """A derived file's rows of the other runtimes."""
        return [r for r in self.derived[file].records()
                if r.get("runtime", self.runtime) != self.runtime]

    def na(self, m, workloads):
        """Why none of these workloads applies to model m (its list does not run them under
        it, or every configuration of them was unsupported), or None where one does."""
        why = []
        for w in workloads:
            if self.run.applies(self.runtime, w, m) is False:
                why.append(f"{w}: not run under {m} (its list)")
                continue
            cs = self.find(workload=w, model=m)
            bad = [c for c in cs if self.run.status[c]["status"] == "unsupported"]
            if cs and len(bad) == len(cs):
                why.append(f"{w}: {self.run.why(bad[0])}")
                continue
            return None
        return "; ".join(why) if why else None

    def cpu_at_n(self, m, variant=""):
        """{workload: speedup row at N cores} for model m (its default, or a variant)."""
        return {r["workload"]: r for r in self.d["speedup.csv"]
                if r["model"] == m and r["variant"] == variant and int(r["cores"]) == self.n
                and r["speedup"] != "" and r["repeat"] == 1 and r["workload"] not in self.apart}

    def variants_at_n(self, m):
        """{variant: {workload: speedup row at N cores}} of model m's own variants."""
        out = {}
        for r in self.d["speedup.csv"]:
            if r["model"] == m and self.own(m, r["variant"]) and r["workload"] not in self.apart:
                out.setdefault(r["variant"], {})
        return {v: self.cpu_at_n(m, v) for v in out}

    def why_cpu(self, m):
        cs = [c for w in self.cpu_workloads for c in self.find(group="cpu", workload=w, model=m,
                                                                cores=self.n, variant="")]
        base = [c for w in self.cpu_workloads for c in self.find(group="cpu", workload=w,
                                                                  model="serial", cores=1)]
        for c in cs + base:
            if self.run.status[c]["status"] != "ok":
                return f"{c} {self.run.why(c)}"
        return "no CPU-bound runs at N cores" if not cs else "no serial 1-core baseline"

    def why_cpu_workload(self, m, w):
        c = self.find(group="cpu", workload=w, model=m, cores=self.n, variant="")
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
        """A model's rows of a probe file (memory.csv, spawn.csv, switch.csv, an observation),
        its default's before its own variants'."""
        rows = [x for x in self.d[file] if x["model"] == m]
        return sorted(rows, key=lambda x: self.own(m, x.get("variant", "")))

    def default(self, file, m):
        """A model's rows of a probe file that decide its cell: not its own variants."""
        return [x for x in self.cost(file, m) if not self.own(m, x.get("variant", ""))]

    def variants(self, file, m):
        """A model's own variants' rows of a probe file: shown beside, never deciding."""
        return [x for x in self.cost(file, m) if self.own(m, x.get("variant", ""))]
