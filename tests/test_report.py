"""test_report.py — unit tests of the table generator (scripts/report.py and its modules): the
rule records and the prose made from them, README.md's copy of the rules, and the reader's
errors; with them it runs tests/test_measures.py's (each figure measures what its row says).
Run by tests/test_report.sh, which counts each test as a check; also runs alone with
python3 tests/test_report.py."""
import dataclasses
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPTS = os.path.join(ROOT, "scripts")
sys.path.insert(0, SCRIPTS)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import counted  # noqa: E402  (after the path is set)
import rules  # noqa: E402
import test_measures  # noqa: E402
from results import MODELS, Bad, Run  # noqa: E402

SMALL = os.path.join(ROOT, "tests", "fixtures", "results-small")
EXTRA = os.path.join(ROOT, "tests", "fixtures", "results-extra")


def report(*args):
    return subprocess.run([sys.executable, os.path.join(SCRIPTS, "report.py"), *args],
                          capture_output=True, text=True, check=False)


class Scratch(unittest.TestCase):
    """A test that works on copies of fixtures in a temporary folder."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="cvp-report-test.")

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def copy(self, fixture, name="run"):
        dst = os.path.join(self.tmp, name)
        shutil.copytree(fixture, dst)
        return dst


class RuleRecords(unittest.TestCase):
    def test_readme_rules_are_the_generated_ones(self):
        with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
            text = f.read()
        m = re.search(r"^<!-- rules:begin -->\n(.*?)^<!-- rules:end -->$", text, re.S | re.M)
        self.assertIsNotNone(m, "README.md lacks the rules:begin/rules:end markers")
        got = report("rules", "--cores", "2")
        self.assertEqual(got.returncode, 0, got.stderr)
        self.assertEqual(m.group(1), got.stdout,
                         "README.md's rule list differs from `report.py rules --cores 2`")

    def test_one_record_per_letter(self):
        letters = [r.letter for r in rules.RULES]
        self.assertEqual(len(letters), len(set(letters)))
        self.assertEqual(rules.markdown(2).count("\n- **"), len(letters) - 1)

    def test_prose_follows_the_thresholds(self):
        p = rules.RULE["P"]
        moved = dataclasses.replace(p, limits={**p.limits, "no": 1.3})
        self.assertIn("*no* below 1.2,", p.text(2))
        self.assertIn("*no* below 1.3,", moved.text(2))
        w = rules.RULE["W"]
        moved = dataclasses.replace(w, bands=((500, "fast"), (float("inf"), "slow")))
        self.assertIn("*fast* below 500 ns, *slow* above", moved.text(2))
        b = rules.RULE["B"]
        self.assertIn("*tiny* below 1 KiB touched, *small* below 64 KiB, *medium* below 1 MiB",
                      b.text(2))

    def test_n_scales_the_parallel_threshold(self):
        self.assertIn("0.75 × N = 1.50", rules.RULE["M"].text(2))
        self.assertIn("0.75 × N = 6.00", rules.RULE["M"].text(8))
        self.assertIn("at least 6.00, *one*", rules.RULE["C"].text(8))

    def test_claims_have_one_word_per_model(self):
        for r in rules.RULES:
            if r.claim:
                self.assertEqual(len(r.claim.words), len(MODELS), r.letter)

    def test_bad_cores_is_a_usage_error(self):
        for bad in ("0", "-1", "two"):
            self.assertEqual(report("rules", "--cores", bad).returncode, 2, bad)

    def test_workloads_are_named_only_by_rules(self):
        # Every workload the binary lists: quoted as a name in a module other than the rule
        # records, or as a word in the plot scripts (the shell's echo command aside).
        names = [os.path.splitext(f)[0] for f in os.listdir(os.path.join(ROOT, "workloads"))
                 if f.endswith(".c")]
        pattern = {".py": r"[\"']({})[\"']", ".sh": r"\b({})\b(?![.-])", ".gp": r"\b({})\b"}
        files = [f for f in sorted(os.listdir(SCRIPTS)) if f in ("plots.sh", "report.py", "bench.sh")
                 or f.endswith(".gp") or f.endswith(".py") and f != "rules.py"]
        for name in files:
            with open(os.path.join(SCRIPTS, name), encoding="utf-8") as f:
                for n, line in enumerate(f, 1):
                    if line.lstrip().startswith("#"):
                        continue  # a comment may say what a plot shows
                    # the shell's echo command, where a command stands (after a case pattern's
                    # closing parenthesis too)
                    line = re.sub(r"(^|[;&|(){]|\bthen|\bdo|\belse)\s*echo\b", r"\1",
                                  line.strip())
                    m = re.search(pattern[os.path.splitext(name)[1]].format("|".join(names)),
                                  line)
                    self.assertIsNone(m, f"scripts/{name}:{n} names a workload: {line.strip()}")


class Reading(Scratch):
    def test_listed_workloads_not_run_count_as_missing(self):
        run = Run(SMALL)
        self.assertTrue(run.listed)
        self.assertEqual(run.workloads("cpu", "c"), ["hash", "mandel", "stream"])
        self.assertEqual(run.runtimes(), ["c"])

    def test_old_folder_without_list_has_the_workloads_it_planned(self):
        d = self.copy(SMALL)
        os.remove(os.path.join(d, "list.csv"))
        run = Run(d)
        self.assertFalse(run.listed)
        self.assertEqual(run.workloads("cpu", "c"), ["hash"])

    def test_corrupt_list_names_the_file(self):
        d = self.copy(SMALL)
        with open(os.path.join(d, "list.csv"), "w", encoding="utf-8") as f:
            f.write("what,name,kind,default_size,size_per,options,figures,plans,models,"
                    "description\nworkload,x,cpu,,,,ops:ops:faster,,,\n")
        with self.assertRaisesRegex(Bad, r"list\.csv:2: corrupt: figure"):
            Run(d)

    def test_corrupt_figures_field_names_the_line(self):
        d = self.copy(SMALL)
        path = os.path.join(d, "cvp.csv")
        with open(path, encoding="utf-8") as f:
            lines = f.read().split("\n")
        col = lines[0].split(",").index("figures")
        fields = lines[2].split(",")
        fields[col] = "x=fast"
        lines[2] = ",".join(fields)
        with open(path, "w", encoding="utf-8") as f:
            f.write("\n".join(lines))
        with self.assertRaisesRegex(Bad, r"cvp\.csv:3: corrupt: figures x"):
            Run(d)


class Tables(Scratch):
    """A test that reads TABLE.md made from a copy of a fixture."""

    def table(self, fixture):
        d = self.copy(fixture)
        got = report("table", d)
        self.assertEqual(got.returncode, 0, got.stderr)
        with open(os.path.join(d, "TABLE.md"), encoding="utf-8") as f:
            return d, f.read()

    @staticmethod
    def section(text, head):
        return text.split(f"{head}\n", 1)[1].split("\n#", 1)[0]

    @staticmethod
    def row(text, workload):
        return next(line for line in text.splitlines() if line.startswith(f"| {workload} |"))

    @staticmethod
    def line(text, start):
        return next(x for x in text.splitlines() if x.startswith(start))


class Sections(Tables):
    """TABLE.md's per-workload section and runtime sections, from the fixtures."""

    def test_small_fixture_has_one_runtime_and_every_workload(self):
        _, text = self.table(SMALL)
        part = self.section(text, "## Per workload")
        self.assertNotIn("### Runtime", text)
        for w in ("hash", "sleep", "echo", "idle", "share", "spawn", "pingpong"):
            self.assertIn(f"| {w} |", part)
        # threads divide by the baseline measured again just before them (0.505 s): 1.98
        self.assertIn("| 1.98 (best 2.00) |", self.row(part, "hash"))
        self.assertIn("0.93 at 1 unit (capped at 100 units)", self.row(part, "echo"))
        self.assertIn("futex 1 core 2,415 ns; futex 2 cores 11,550 ns", self.row(part, "pingpong"))

    def test_a_new_workload_and_runtime_need_no_code(self):
        _, text = self.table(EXTRA)
        c = self.section(text, "### Runtime c")
        py = self.section(text, "### Runtime cpython-3.11.2-gil")
        self.assertIn("| scale | cpu |", c)
        self.assertIn("| 1.91 (best 1.90) |", self.row(c, "scale"))
        # A probe's headline figure from list.csv: a column (idle), or the figures field.
        self.assertIn("| 12.6 KiB |", self.row(c, "idle"))
        self.assertIn("futex 1 core 2,640 ns; futex 2 cores 12,100 ns", self.row(c, "handoff"))
        self.assertIn("| workload | kind | figure | serial | threading | multiprocessing | "
                      "asyncio |", py)
        self.assertIn("| 0.919 (best 0.909) |", self.row(py, "hash"))
        self.assertNotIn("| scale |", py)
        # Each table judges its runtime's rows; list.csv, not a legacy list, says what is
        # CPU-bound.
        self.assertIn("yes (hash 1.92, best 1.92; scale 1.91, best 1.90)", text)
        self.assertNotIn("mandel", text)

    def test_pattern_and_beside_rows_have_their_figure(self):
        _, text = self.table(EXTRA)
        c = self.section(text, "### Runtime c")
        self.assertIn("| 0 busy 1,230 µs; 1 busy 5,125 µs; 2 busy 9,225 µs |",
                      self.row(c, "convoy"))
        self.assertIn("| unlocked 75,000; mutex 0; atomic 0 |", self.row(c, "counter"))
        self.assertIn("cpu_util (cores, higher is better, median) | 0.960 cores |",
                      self.row(c, "subprocess"))
        self.assertIn("not applicable (generator: only coroutines switch like that",
                      self.row(c, "generator"))

    def test_optional_columns(self):
        run = Run(EXTRA)
        self.assertTrue(run.listed)
        self.assertEqual(run.runtimes(), ["c", "cpython-3.11.2-gil"])
        row = run.rows["cpu-scale-threads-c2"][0]
        self.assertEqual(row["params"], {"scale": "3"})
        self.assertEqual(row["figures"], {"ops_per_us": 470.0})
        self.assertEqual(Run(SMALL).rows["cpu-hash-threads-c2"][0]["runtime"], "c")

    def test_plots_follow_the_derived_files(self):
        if not shutil.which("gnuplot"):
            self.skipTest("gnuplot not installed")
        d, _ = self.table(EXTRA)
        got = subprocess.run(["sh", os.path.join(SCRIPTS, "plots.sh"), d], capture_output=True,
                             text=True, check=False)
        self.assertEqual(got.returncode, 0, got.stderr)
        made = set(os.listdir(os.path.join(d, "plots")))
        for p in ("speedup-hash", "speedup-scale", "speedup-hash-cpython-3.11.2-gil",
                  "io-sleep", "io-sleep-cpython-3.11.2-gil", "memory", "speedup-runtimes",
                  "beside-convoy"):
            self.assertTrue({f"{p}.png", f"{p}.svg"} <= made, p)
        self.assertIn("spawn: no measurements yet", got.stderr)

        def svg(name):
            with open(os.path.join(d, "plots", f"{name}.svg"), encoding="utf-8") as f:
                return f.read()
        # Both runtimes' bars, the model variants' and the objects a parked unit holds.
        memory = svg("memory")
        for label in ("pthreads", "CPython threading", "CPython multiprocessing (spawn)",
                      "CPython generators", "stackless", "Python objects (tracemalloc)"):
            self.assertIn(label, memory)
        runtimes = svg("speedup-runtimes")
        for label in ("CPython threading on hash", "CPython multiprocessing on hash",
                      "CPython threading on hash-native", "C pthreads on hash"):
            self.assertIn(label, runtimes)
        for label in ("C pthreads", "C coroutines", "CPython threading"):
            self.assertIn(label, svg("beside-convoy"))


class Runtimes(Tables):
    """The headline tables of both runtimes, where they differ and why, and the sections beside
    them: the remedies, the convoy, the patterns; model columns from the list."""

    def test_the_first_table_is_cpythons_when_it_ran(self):
        _, text = self.table(EXTRA)
        py = text.index("## The original table, measured for CPython 3.11.2 (GIL)")
        self.assertLess(py, text.index("## The same table for C"))
        first = next(x for x in text.splitlines() if x.startswith("| | "))
        self.assertTrue(first.startswith("| | threading | multiprocessing | asyncio | CPython "
                                         "claim | CPython 3.11.2 (GIL) as claimed? (rule E) |"),
                        first)
        self.assertIn("| **Speedup on CPU-bound work at 2 cores** (rule P) | no (hash 0.919, "
                      "best 0.909; executor: hash best 0.930) | yes (hash 1.85", text)

    def test_the_first_table_is_cs_without_cpython(self):
        _, text = self.table(SMALL)
        self.assertNotIn("## The original table", text)
        self.assertNotIn("differ, and why", text)
        first = next(x for x in text.splitlines() if x.startswith("| | "))
        self.assertTrue(first.startswith("| | pthreads | fork pool | ucontext coroutines |"))

    def test_cpython_alone_has_its_table_alone(self):
        d = self.copy(EXTRA)
        for f in ("status.csv", "cvp.csv"):
            with open(os.path.join(d, f), encoding="utf-8") as fh:
                lines = fh.read().splitlines()
            with open(os.path.join(d, f), "w", encoding="utf-8") as fh:
                fh.write("\n".join([lines[0]] + [x for x in lines[1:] if x.startswith("py-")])
                         + "\n")
        got = report("table", d)
        self.assertEqual(got.returncode, 0, got.stderr)
        with open(os.path.join(d, "TABLE.md"), encoding="utf-8") as f:
            text = f.read()
        self.assertIn("## The original table, measured for CPython 3.11.2 (GIL)", text)
        self.assertNotIn("## The same table for C", text)
        self.assertNotIn("differ, and why", text)
        self.assertIn("## The notes' remedies for the GIL, measured (CPython 3.11.2 (GIL))", text)

    def test_cpythons_memory_row_labels_what_each_figure_counts(self):
        _, text = self.table(EXTRA)
        row = self.line(text, "| **Memory per unit**")  # CPython's, the first
        self.assertIn("beside, spawn: touched 10,200 KiB (user PSS 10,100 KiB, kernel 100 KiB)",
                      row)
        self.assertIn("Python objects 1,464 B (tracemalloc); beside, generator: touched 0.420 KiB",
                      row)
        self.assertIn("| yes / no (5,015 KiB); spawn: yes / yes; generator: yes |", row)

    def test_model_columns_come_from_the_list(self):
        _, text = self.table(EXTRA)
        c = self.section(text, "## The same table for C")
        self.assertIn("| | pthreads | fork pool | ucontext coroutines | hybrid | stackless | "
                      "CPython claim |", c)
        self.assertIn("| yes (hash 1.87, best 1.85) | not applicable (hash: not run under "
                      "stackless (its list)", c)
        memory = self.line(c, "| **Memory per unit**")
        self.assertIn("| tiny: touched 0.200 KiB", memory)
        self.assertIn("beside it, CPython generators: touched 0.420 KiB; Python objects 409 B",
                      memory)
        self.assertIn("| yes / no (231 KiB) / no (9.98 KiB) / no claim / no claim |", memory)

    def test_where_they_differ_and_why(self):
        _, text = self.table(EXTRA)
        part = self.section(text, "## Where C and CPython 3.11.2 (GIL) differ, and why")
        self.assertIn("- **Speedup on CPU-bound work at 2 cores**, threads: C pthreads *yes* "
                      "(best 1.92 (hash)); CPython 3.11.2 (GIL) threading *no* (best 0.909 "
                      "(hash)). CPython's threads take the global interpreter lock (GIL)", part)
        self.assertIn("- **Memory per unit**, procs: C fork pool *medium* (touched 231 KiB); "
                      "CPython 3.11.2 (GIL) multiprocessing *large* (touched 5,015 KiB, spawn "
                      "10,200 KiB). A C process shares", part)
        self.assertNotIn("**Address space**", part)  # no verdict on either side

    def test_the_remedies_by_rule_ps_thresholds(self):
        _, text = self.table(EXTRA)
        part = self.section(text, "## The notes' remedies for the GIL, measured "
                                  "(CPython 3.11.2 (GIL))")
        for start, word in (("| threading on hash |", "no (0.919"),
                            ("| threading on hash-native |", "yes (1.92"),
                            ("| threading on hash-numpy |", "partly (1.33"),
                            ("| threading (executor) on hash |", "no (0.944"),
                            ("| multiprocessing (executor) on hash |", "yes (1.84")):
            self.assertIn(f"| {word}", self.line(part, start))
        self.assertNotIn("measured (C)", text)  # C ran none of them
        # The remedies are judged apart: CPython's headline speedup reads hash only.
        self.assertNotIn("hash-native", self.line(text, "| **Speedup"))

    def test_the_convoy(self):
        _, text = self.table(EXTRA)
        part = self.section(text, "## The convoy effect")
        self.assertIn("| CPython threading | 1,111 / 1,332 | 5,252 / 6,662 | 9,898 / 11,275 | "
                      "convoy (p99 ×8.46: 1,332 µs alone, 11,275 µs beside 2 busy units) |",
                      part)
        self.assertIn("| C pthreads | 1,060 / 1,230 | 1,071 / 1,538 | 1,081 / 1,845 | no convoy "
                      "(p99 ×1.50", part)
        self.assertIn("plots/beside-convoy.svg", part)

    def test_the_patterns(self):
        _, text = self.table(EXTRA)
        part = self.section(text, "## The notes' patterns")
        self.assertIn("| pattern | figure | CPython 3.11.2 (GIL) threading | CPython 3.11.2 (GIL) "
                      "asyncio | C serial | C pthreads | C ucontext coroutines |", part)
        counter = self.line(part, "| counter (rule U)")
        self.assertIn("| lost (unlocked 75,000 (at most 100,000); mutex 0; atomic 0 per "
                      "million) |", counter)
        self.assertIn("| none lost (unlocked 0; lock 0 per million) |", counter)
        self.assertIn("| overflowed (default 80,000 items/s; high water 70 of 64 items) |",
                      self.line(part, "| pipeline (rule Q)"))
        self.assertIn("| one (filter 0.960 cores busy) |", self.line(part, "| subprocess"))
        self.assertIn("| many (filter 1.65 cores busy) |", self.line(part, "| subprocess"))
        generator = self.line(part, "| generator (rule G)")
        self.assertIn("| µs or more (1,165 ns) |", generator)
        self.assertIn("| sub-µs (550 ns) |", generator)
        self.assertIn("not applicable (generator: not run under threads (its list))", generator)
        self.assertIn("Rule U: Lost updates", part)


# tests/test_report.sh runs this file only: the measures' tests run with these, and count the same.
MEASURES = (test_measures.Words, test_measures.AddressSpace, test_measures.Pool,
            test_measures.Mode, test_measures.Spread, test_measures.KernelMemory,
            test_measures.Switch, test_measures.OldFolders, test_measures.Compare)
for case in MEASURES:
    globals()[case.__name__] = case

if __name__ == "__main__":
    counted.main("report")
