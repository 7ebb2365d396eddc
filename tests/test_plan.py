"""test_plan.py — the planner (scripts/plan.py): the matrix it builds from a binary's list, its
predictions from a host's constants, and the budget: on a host four times slower in every
constant (and on the slow host of tests/fixtures/hosts) the default profile still fits its
budget, by cuts it records. Run by tests/test_plan.sh."""
import os
import subprocess
import sys
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import counted  # noqa: E402  (after the path is set)
import plan  # noqa: E402

HOSTS = os.path.join(ROOT, "tests", "fixtures", "hosts")
LIST = os.path.join(ROOT, "tests", "fixtures", "results-small", "list.csv")


def references(entries, p, seconds=0.5):
    """Serial references as the descriptors promise them: about half a second at the default
    size, scaled by the profile."""
    return tuple((e.runtime, e.name, int(int(e.default_size) * p.cpu_scale),
                  seconds * p.cpu_scale, 2.2 * seconds * p.cpu_scale)
                 for e in entries if e.what == "workload" and "cores" in e.plans)


class Budget(unittest.TestCase):
    def setUp(self):
        self.entries = plan.read_list(LIST)
        self.p = plan.PROFILES["default"]

    def fit(self, host):
        configs = plan.predict(plan.plan(self.entries, self.p, 2), host, self.p)
        return plan.fit_budget(configs, host, self.p, self.p.budget_s)

    def host(self, name, k=1):
        h = plan.read_host(os.path.join(HOSTS, name), "")
        return plan.Host(h.syscall, h.page_fault, h.swapcontext, h.thread, h.fork,
                         references(self.entries, self.p)).scaled(k)

    def test_a_fast_host_fits_with_no_cut(self):
        configs, notes = self.fit(self.host("fast-constants.csv"))
        self.assertEqual(notes, [])
        self.assertFalse(any(c.cut for c in configs))

    def test_every_constant_four_times_dearer_still_fits_by_cutting(self):
        h = self.host("fast-constants.csv", 4)
        before = plan.total_s(plan.predict(plan.plan(self.entries, self.p, 2), h, self.p), h)
        configs, notes = self.fit(h)
        self.assertGreater(before, self.p.budget_s)
        self.assertLessEqual(plan.total_s(configs, h), self.p.budget_s)
        self.assertTrue(notes)
        dropped = [c for c in configs if c.runs == 0]
        self.assertTrue(all(c.cut.startswith("not run: predicted") for c in dropped))
        self.assertTrue(all(c.runs <= plan.MIN_RUNS for c in configs))
        self.assertTrue(all(c.cut for c in configs if c.runs < self.p.runs))

    def test_the_slow_host_fits_by_cutting_the_largest_process_sweeps_first(self):
        h = self.host("slow-constants.csv")
        configs, notes = self.fit(h)
        self.assertLessEqual(plan.total_s(configs, h), self.p.budget_s)
        dropped = [c for c in configs if c.runs == 0]
        self.assertTrue(dropped)
        # the costliest model's largest unit counts go first
        self.assertEqual({c.units for c in dropped}, {max(self.p.io_units)})

    def test_predictions_grow_with_the_constants(self):
        a = plan.predict(plan.plan(self.entries, self.p, 2), self.host("fast-constants.csv"),
                         self.p)
        b = plan.predict(plan.plan(self.entries, self.p, 2),
                         self.host("fast-constants.csv", 4), self.p)
        self.assertTrue(all(y.predicted_s >= x.predicted_s for x, y in zip(a, b)))


class Command(unittest.TestCase):
    def run_plan(self, *args):
        return subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "plan.py"), LIST,
                               "--ncores", "2", *args], capture_output=True, text=True)

    def test_plan_lines_carry_prediction_and_cut(self):
        got = self.run_plan("--profile", "quick",
                            "--constants", os.path.join(HOSTS, "slow-constants.csv"))
        self.assertEqual(got.returncode, 0, got.stderr)
        for line in got.stdout.splitlines():
            self.assertEqual(len(line.split("|")), 16, line)
            float(line.split("|")[13])

    def test_a_budget_too_small_cuts_and_says_so(self):
        got = self.run_plan("--profile", "quick", "--budget", "20",
                            "--constants", os.path.join(HOSTS, "slow-constants.csv"))
        self.assertEqual(got.returncode, 0, got.stderr)
        self.assertIn("counted runs cut to 3", got.stderr)
        self.assertIn("not run: predicted", got.stdout)

    def test_bad_budget_and_names_are_usage_errors(self):
        for args, want in ((("--budget", "soon"), "BUDGET: 'soon'"),
                           (("--workloads", "nosuch"), "WORKLOADS: unknown 'nosuch'"),
                           (("--models", "fibers"), "MODELS: unknown 'fibers'")):
            got = self.run_plan("--profile", "quick", *args)
            self.assertEqual(got.returncode, 2, args)
            self.assertIn(want, got.stderr)


if __name__ == "__main__":
    counted.main("plan")
