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


class Sections(Scratch):
    """TABLE.md's per-workload section and runtime sections, from the fixtures."""

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
        py = self.section(text, "### Runtime cpython-3.11.2")
        self.assertIn("| scale | cpu |", c)
        self.assertIn("| 1.91 (best 1.90) |", self.row(c, "scale"))
        # A probe's headline figure from list.csv: a column (idle), or the figures field.
        self.assertIn("| 12.6 KiB |", self.row(c, "idle"))
        self.assertIn("futex 1 core 2,640 ns; futex 2 cores 12,100 ns", self.row(c, "handoff"))
        self.assertIn("| workload | kind | figure | serial | threads | procs | coros |", py)
        self.assertIn("| 0.919 (best 0.909) |", self.row(py, "hash"))
        self.assertNotIn("| scale |", py)
        # The headline judges the C rows only; list.csv, not a legacy list, says what is CPU-bound.
        self.assertIn("yes (hash 1.92, best 1.92; scale 1.91, best 1.90)", text)
        self.assertNotIn("mandel", text)

    def test_optional_columns(self):
        run = Run(EXTRA)
        self.assertTrue(run.listed)
        self.assertEqual(run.runtimes(), ["c", "cpython-3.11.2"])
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
        for p in ("speedup-hash", "speedup-scale", "speedup-hash-cpython-3.11.2", "io-sleep",
                  "io-sleep-cpython-3.11.2", "memory"):
            self.assertTrue({f"{p}.png", f"{p}.svg"} <= made, p)
        self.assertIn("spawn: no measurements yet", got.stderr)


# tests/test_report.sh runs this file only: the measures' tests run with these, and count the same.
MEASURES = (test_measures.Words, test_measures.AddressSpace, test_measures.Pool,
            test_measures.Mode, test_measures.Spread, test_measures.KernelMemory,
            test_measures.Switch, test_measures.OldFolders, test_measures.Compare)
for case in MEASURES:
    globals()[case.__name__] = case

if __name__ == "__main__":
    counted.main("report")
