"""test_python.py — the CPython arm (bench/python, run as build/cvp-py): its row and --list match
build/cvp's, its hash matches C's checksum, every model x workload x variant verifies or skips
with a reason, bad input is one line naming the argument, the GIL's effect shows as relations
that hold on any host (never absolute times), and nothing of a run survives it. Run by
tests/test_python.sh, which counts each test as a check; also runs alone with
/usr/bin/python3 tests/test_python.py (after make)."""
import csv
import io
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

import counted
from small_args import small_args

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PY = os.path.join(ROOT, "build", "cvp-py")
C = os.path.join(ROOT, "build", "cvp")
RUN_TIMEOUT_S = 120  # a run the arm wrongly never ends is bounded


def cvp(*args, binary=PY, env=None, check=True):
    """Runs a binary; with check, a run must exit 0 and give one CSV row (returned as a dict)."""
    got = subprocess.run([binary, *map(str, args)], capture_output=True, text=True,
                         timeout=RUN_TIMEOUT_S, env=env, check=False)
    if not check:
        return got
    if got.returncode != 0:
        raise AssertionError(f"{' '.join(map(str, args))}: exit {got.returncode}: "
                             f"{got.stderr.strip()}")
    return row(got.stdout)


def row(text):
    return next(csv.DictReader(io.StringIO(text)))


def listed():
    """(model name -> row, workload name -> row) from cvp-py --list --format csv."""
    rows = list(csv.DictReader(io.StringIO(cvp("--list", "--format", "csv", check=False).stdout)))
    return ({r["name"]: r for r in rows if r["what"] == "model"},
            {r["name"]: r for r in rows if r["what"] == "workload"})


def busy(window_s=0.2):
    """The fraction of this machine's CPU time that was busy over a short window."""
    def ticks():
        with open("/proc/stat", encoding="ascii") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        return sum(v[:8]), v[3] + v[4]  # all but guest (counted in user); idle + iowait
    t0, i0 = ticks()
    time.sleep(window_s)
    t1, i1 = ticks()
    return 1 - (i1 - i0) / max(1, t1 - t0)


def others_busy():
    """PUs that other programs keep busy, over one second in which this test runs nothing (as
    tests/lib.sh's others_busy)."""
    with open("/proc/stat", encoding="ascii") as f:
        pus = sum(1 for line in f if line.startswith("cpu") and line[3].isdigit())
    return pus * busy(1.0)


def wait_quiet(most_s=3):
    """Waits (a while at most) until no other process keeps a CPU busy: a timing run beside
    another program's measures that program."""
    until = time.monotonic() + most_s
    while busy() > 0.1 and time.monotonic() < until:
        pass


def session_left(sid):
    """Processes of session sid still alive (zombies are dead: init reaps them)."""
    left = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", encoding="ascii", errors="replace") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == sid and fields[0] != "Z":
            left.append(int(name))
    return left


def catches(pid, sig):
    """Whether process pid has a handler of its own for sig (/proc/PID/status, SigCgt)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            mask = next(int(line.split()[1], 16) for line in f if line.startswith("SigCgt:"))
    except (OSError, StopIteration):
        return False
    return bool(mask >> (sig - 1) & 1)


class Row(unittest.TestCase):
    def test_header_equals_build_cvps(self):
        c = cvp("--model", "serial", "--workload", "hash", "--size", 10, "--header", binary=C,
                check=False).stdout.splitlines()[0]
        p = cvp("--model", "serial", "--workload", "hash", "--size", 10, "--header",
                check=False).stdout.splitlines()[0]
        self.assertEqual(p, c)

    def test_hash_checksum_equals_cs_at_three_sizes(self):
        for size, model, extra in ((1, "serial", ()), (777, "threads", ("--tasks", 7)),
                                   (2049, "coros", ("--units", 3))):
            c = cvp("--model", "serial", "--workload", "hash", "--size", size, "--header",
                    binary=C)["checksum"]
            p = cvp("--model", model, "--workload", "hash", "--size", size, *extra, "--header")
            self.assertEqual((p["checksum"], p["verified"]), (c, "true"), f"size {size}")

    def test_runtime_names_the_interpreter_and_the_gil(self):
        r = cvp("--model", "serial", "--workload", "hash", "--size", 3, "--header")
        self.assertRegex(r["runtime"], r"^cpython-3\.\d+\.\d+.*-(gil|nogil)$")

    def test_formats_json_text_and_out(self):
        args = ("--model", "threads", "--workload", "sleep", "--size", 1, "--delay-ms", 1)
        j = json.loads(cvp(*args, "--format", "json", check=False).stdout)
        header = cvp("--model", "serial", "--workload", "hash", "--size", 3, "--header",
                     binary=C, check=False).stdout.splitlines()[0]
        self.assertEqual(",".join(j), header)
        self.assertIs(j["verified"], True)
        self.assertEqual((j["delay_ms"], j["work"]), (1, None))
        text = cvp(*args, "--format", "text", check=False).stdout
        self.assertIn("verified                  true\n", text)
        self.assertNotIn("work ", text)  # columns that do not apply are absent
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "rows.csv")
            for _ in range(2):
                cvp(*args, "--out", out, check=False)
            with open(out, encoding="utf-8") as f:
                rows = list(csv.DictReader(f))
            self.assertEqual([r["verified"] for r in rows], ["true", "true"])

    def test_placement_is_build_cvps(self):
        places = cvp("--places", "--cores", 1, "--units", 2, binary=C, check=False).stdout
        pu = places.splitlines()[1].split(",")[1]
        r = cvp("--model", "threads", "--workload", "hash", "--size", 20, "--cores", 1,
                "--header")
        self.assertEqual((r["cores"], r["pus_bound"], r["pus_run"]), ("1", pu, pu))
        r = cvp("--model", "threads", "--workload", "hash", "--size", 20, "--pin", "none",
                "--header")
        self.assertEqual(r["pus_bound"], "none" if int(r["cores"]) > 1 else pu)


class Listing(unittest.TestCase):
    def test_list_csv_has_build_cvps_fields_and_words(self):
        got = cvp("--list", "--format", "csv", check=False).stdout.splitlines()[0]
        want = cvp("--list", "--format", "csv", binary=C, check=False).stdout.splitlines()[0]
        self.assertEqual(got, want)
        models, workloads = listed()
        self.assertEqual(list(models), ["serial", "threads", "procs", "coros"])
        self.assertEqual(models["threads"]["models"], "coexist block parallel shared")
        self.assertEqual(workloads["hash"]["plans"], "cores")
        self.assertEqual(workloads["sleep"]["plans"], "units pool")
        self.assertEqual(workloads["idle"]["plans"], "probe")
        self.assertIn("threads/executor", workloads["hash"]["models"].split())
        self.assertNotIn("serial", workloads["idle"]["models"].split())
        self.assertTrue(workloads["idle"]["figures"].startswith("touched_kib_per_unit:KiB:"))

    def test_list_json_and_help(self):
        entries = json.loads(cvp("--list", "--format", "json", check=False).stdout)
        c = json.loads(cvp("--list", "--format", "json", binary=C, check=False).stdout)
        # Every workload of build/cvp's but its DRAM- and float-bound kernels, plus the two
        # ways out of the GIL.
        self.assertEqual({e["name"] for e in entries if e["what"] == "workload"},
                         {e["name"] for e in c if e["what"] == "workload"} -
                         {"mandel", "stream"} | {"hash-native", "hash-numpy"})
        text = cvp("--help", check=False).stdout
        for flag in ("--model", "--workload", "--units", "--tasks", "--cores", "--pin",
                     "--size", "--format", "--header", "--out", "--expect", "--timeout-s",
                     "--list", "--help", "--variant", "--delay-ms"):
            self.assertIn(f"  {flag} ", text)


def pairings(models, wrow):
    """(name, --variant value or None, whether --list says it runs) for every model and variant
    of a workload: its own variants when it has some (model/variant listed, or the model alone
    when it can do them all), else each model's."""
    runs = set(wrow["models"].split())
    own = next((o.split("=")[1].split("|") for o in wrow["options"].split()
                if o.startswith("variant=")), None)
    for m, mrow in models.items():
        if own:
            for v in own:
                yield f"{m}/{v}", m, v, f"{m}/{v}" in runs or m in runs
            continue
        variants = mrow["options"].removeprefix("variant=").split("|") if mrow["options"] else []
        for v in [None] + variants:
            name = f"{m}/{v}" if v else m
            yield name, m, v, name in runs


class Matrix(unittest.TestCase):
    def test_every_model_workload_and_variant_verifies_or_skips(self):
        """What --list says runs, verifies (an IO row with its wait percentiles, p99 >= p50); the
        rest exits 4 with a reason. Two at a time; nothing is left in their TMPDIR (the delay
        server's socket directory)."""
        models, workloads = listed()
        jobs = []
        for w, wrow in workloads.items():
            for name, m, v, should in pairings(models, wrow):
                small = small_args(wrow, units=2, tasks=3, size=6, units_per_op=2)
                args = ["--model", m, "--workload", w, "--header", *small,
                        *(["--variant", v] if v else [])]
                jobs.append((name, w, should, args, wrow["kind"]))
        self.assertGreaterEqual(len(jobs), 100)
        failures = []
        running = []

        def finish(p):
            name, w, should, _, kind = p.job
            out, err = p.communicate(timeout=RUN_TIMEOUT_S)
            if should and (p.returncode != 0 or row(out)["verified"] != "true"):
                failures.append(f"{w} under {name}: exit {p.returncode}: {err.strip()}")
            elif should and kind == "io":
                r = row(out)
                if not (int(r["waits"]) > 0 and 0 < float(r["wait_p50_us"]) <=
                        float(r["wait_p99_us"])):
                    failures.append(f"{w} under {name}: waits {r['waits']} p50 "
                                    f"{r['wait_p50_us']} p99 {r['wait_p99_us']}")
            if not should and (p.returncode != 4 or not err.strip() or out):
                failures.append(f"{w} under {name}: want exit 4 and a reason, got exit "
                                f"{p.returncode}: {err.strip()}")

        with tempfile.TemporaryDirectory() as tmp:
            for job in jobs:
                p = subprocess.Popen([PY, *map(str, job[3])], stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True,
                                     env={**os.environ, "TMPDIR": tmp})
                p.job = job
                running.append(p)
                if len(running) == 2:
                    finish(running.pop(0))
            for p in running:
                finish(p)
            self.assertEqual(os.listdir(tmp), [], "left in TMPDIR")
        self.assertEqual(failures, [])

    def test_numpy_missing_is_unsupported_with_the_reason(self):
        with tempfile.TemporaryDirectory() as d:
            os.mkdir(os.path.join(d, "numpy"))
            with open(os.path.join(d, "numpy", "__init__.py"), "w", encoding="utf-8") as f:
                f.write("raise ImportError('numpy hidden by the test')\n")
            got = cvp("--model", "threads", "--workload", "hash-numpy", "--size", 2,
                      env={**os.environ, "PYTHONPATH": d}, check=False)
        self.assertEqual(got.returncode, 4, got.stderr)
        self.assertIn("python3-numpy is not installed; make deps installs it", got.stderr)
        self.assertEqual(got.stdout, "")


class BadInput(unittest.TestCase):
    def assert_usage(self, want, *args):
        got = cvp(*args, check=False)
        self.assertEqual((got.returncode, got.stdout, len(got.stderr.splitlines())),
                         (2, "", 1), f"{args}: {got.stderr}")
        self.assertIn(want, got.stderr)

    def test_bad_input_is_one_line_naming_the_argument(self):
        h = ("--model", "threads", "--workload", "hash")
        self.assert_usage("--model", "--model", "fibers", "--workload", "hash")
        self.assert_usage("--units: given twice", *h, "--units", 2, "--units", 3)
        self.assert_usage("--units", *h, "--units", 0)
        self.assert_usage("--delay-ms: does not apply to hash under threads (an option of "
                          "convoy, echo, mixed, sleep)", *h, "--delay-ms", 5)
        self.assert_usage("--variant: does not apply to hash under serial", "--model",
                          "serial", "--workload", "hash", "--variant", "executor")
        self.assert_usage("--variant: spawn does not apply to threads", *h, "--variant",
                          "spawn")
        self.assert_usage("--mod", "--mod", "threads", "--workload", "hash")
        self.assert_usage("--size: does not apply to idle", "--model", "threads",
                          "--workload", "idle", "--size", 3)
        self.assert_usage("--workload: missing", "--model", "threads")

    def test_a_probe_under_serial_is_unsupported(self):
        got = cvp("--model", "serial", "--workload", "idle", check=False)
        self.assertEqual(got.returncode, 4)
        self.assertIn("needs units alive at the same time", got.stderr)

    def test_a_wrong_expect_is_a_wrong_result(self):
        got = cvp("--model", "threads", "--workload", "hash", "--size", 5, "--expect", "1",
                  "--header", check=False)
        self.assertEqual(got.returncode, 1)
        self.assertEqual(row(got.stdout)["verified"], "false")


class Speedup:
    """T(serial) / T(model) at --cores 2, same size, runs taken in turns (serial, model, serial,
    ...) after waiting for no other process to keep a CPU busy. On a VM each vCPU's speed
    wanders (a host's other tenants): the ratio of the best wall of each estimates the machine
    undisturbed. When the relation does not hold after 3 pairs, up to 10 are taken; if it still
    does not, the median of the pairs' own ratios judges (adjacent runs see the same host, and
    one lucky serial run cannot decide it). 8 tasks on 2 units: a unit on a vCPU slowed
    meanwhile takes fewer of them instead of holding up the end."""
    FIRST, MOST = 3, 10

    def __init__(self, workload, size, *model):
        ref = cvp("--model", "serial", "--workload", workload, "--size", size, "--header")
        common = ("--workload", workload, "--size", size, "--tasks", 8, "--cores", 2,
                  "--expect", ref["checksum"])
        self.serial, self.model = ("--model", "serial", *common), ("--model", *model, *common)
        self.walls = ([], [])

    def best(self):
        return min(self.walls[0]) / min(self.walls[1])

    def paired(self):
        ratios = sorted(s / m for s, m in zip(*self.walls))
        n = len(ratios)
        return (ratios[(n - 1) // 2] + ratios[n // 2]) / 2

    def until(self, holds):
        while len(self.walls[0]) < self.FIRST or \
                (not holds(self.best()) and len(self.walls[0]) < self.MOST):
            wait_quiet()
            for walls, args in zip(self.walls, (self.serial, self.model)):
                walls.append(float(cvp(*args, "--header")["wall_s"]))
        return self.best() if holds(self.best()) else self.paired()

    def __str__(self):
        return (f"x{self.best():.2f} best, x{self.paired():.2f} paired median (walls: serial "
                f"{' '.join(f'{w:.3f}' for w in self.walls[0])}; model "
                f"{' '.join(f'{w:.3f}' for w in self.walls[1])})")


@unittest.skipIf(len(os.sched_getaffinity(0)) < 2, "needs 2 cores; this host has one")
class Gil(unittest.TestCase):
    def assert_speedup(self, below, at_least, workload, size, *model):
        s = Speedup(workload, size, *model)
        if below:
            self.assertLess(s.until(lambda v: v < below), below, f"{model} on {workload} {s}")
        else:
            got = s.until(lambda v: v >= at_least)
            if got < at_least and (others := others_busy()) >= 0.33:
                self.skipTest(f"{model} on {workload} {s} — not judged: other programs keep "
                              f"{others:.2f} PUs of this machine busy")
            self.assertGreaterEqual(got, at_least, f"{model} on {workload} {s}")

    def test_threads_on_pure_python_hash_do_not_speed_up(self):
        self.assert_speedup(1.3, None, "hash", 2500, "threads")

    def test_processes_on_pure_python_hash_do(self):
        self.assert_speedup(None, 1.5, "hash", 2500, "procs")

    def test_threads_on_hashlib_do(self):
        self.assert_speedup(None, 1.5, "hash-native", 1500, "threads")

    def test_a_thread_pool_on_pure_python_hash_does_not_speed_up(self):
        self.assert_speedup(1.3, None, "hash", 2500, "threads", "--variant", "executor")

    def test_a_process_pool_on_pure_python_hash_does(self):
        self.assert_speedup(None, 1.5, "hash", 2500, "procs", "--variant", "executor")


class Coroutines(unittest.TestCase):
    def test_asyncio_sleep_overlaps_1000_tasks(self):
        r = cvp("--model", "coros", "--workload", "sleep", "--units", 1000, "--size", 2,
                "--delay-ms", 50, "--header")
        overlap = 2 * 0.050 / float(r["wall_s"])
        self.assertGreaterEqual(overlap, 0.5, f"overlap {overlap:.2f}")

    def test_a_suspended_generator_takes_under_1_kib(self):
        r = cvp("--model", "coros", "--variant", "generator", "--workload", "idle", "--units",
                1000, "--header")
        figs = dict(kv.split("=") for kv in r["figures"].split(";"))
        self.assertLess(float(figs["tracemalloc_bytes_per_unit"]), 1024, r["figures"])
        self.assertIn("tracemalloc_bytes_per_unit counts a suspended generator", r["note"])


class Limits(unittest.TestCase):
    def limited(self, limit, value, *args):
        def lower():
            resource.setrlimit(limit, (value, value))
        return subprocess.run([PY, *map(str, args)], capture_output=True, text=True,
                              timeout=RUN_TIMEOUT_S, preexec_fn=lower, check=False)

    def test_a_limit_reached_is_exit_3_naming_it_and_the_count(self):
        # 1 000 threads of 8 MiB stacks do not fit in 2 GB of address space.
        for variant in ((), ("--variant", "executor")):
            got = self.limited(resource.RLIMIT_AS, 2_000_000_000, "--model", "threads",
                               *variant, "--workload", "hash", "--units", 1000, "--size", 1000)
            self.assertEqual(got.returncode, 3, got.stderr)
            self.assertRegex(got.stderr, r"at unit \d+ of 1000: .*limit reached: memory: "
                                         r"ulimit -v \(RLIMIT_AS")
        # multiprocessing keeps descriptors per child.
        got = self.limited(resource.RLIMIT_NOFILE, 40, "--model", "procs", "--workload", "idle",
                           "--units", 100)
        self.assertEqual((got.returncode, got.stdout), (3, ""), got.stderr)
        self.assertRegex(got.stderr, r"at unit \d+ of 100: .*limit reached: RLIMIT_NOFILE")


class NothingLeft(unittest.TestCase):
    def run_in_session(self, args, stop=None):
        """Runs cvp-py as the leader of a new session; stop: a signal sent 1 s after the arm
        has taken its stop signals over (before that, a loaded host may still be starting
        the interpreter, whose own SIGINT handler would end it with a traceback)."""
        p = subprocess.Popen([PY, *map(str, args)], stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, text=True, start_new_session=True)
        if stop:
            until = time.monotonic() + RUN_TIMEOUT_S
            while not catches(p.pid, signal.SIGTERM) and p.poll() is None and \
                    time.monotonic() < until:
                time.sleep(0.02)
            time.sleep(1.0)
            if p.poll() is None:  # else its status, checked by the caller, tells why
                os.kill(p.pid, stop)
        _, err = p.communicate(timeout=RUN_TIMEOUT_S)
        return p.returncode, err, session_left(p.pid)

    def test_nothing_of_a_run_survives_it(self):
        slow = ("--workload", "sleep", "--units", 3, "--size", 100, "--delay-ms", 100)
        for model, how, want in ((("procs",), "timeout", 1),
                                 (("procs", "--variant", "forkserver"), signal.SIGINT, 130),
                                 (("procs", "--variant", "spawn"), signal.SIGTERM, 143),
                                 (("procs", "--variant", "executor"), "timeout", 1),
                                 (("threads", "--variant", "executor"), signal.SIGINT, 130),
                                 (("coros",), signal.SIGTERM, 143)):
            args = ("--model", *model, *slow, *(("--timeout-s", 1) if how == "timeout" else ()))
            rc, err, left = self.run_in_session(args, None if how == "timeout" else how)
            self.assertEqual((rc, left), (want, []), f"{model} {how}: {err}")
        rc, err, left = self.run_in_session(("--model", "procs", "--variant", "forkserver",
                                             "--workload", "idle", "--units", 3))
        self.assertEqual((rc, left), (0, []), err)


class Source(unittest.TestCase):
    @unittest.skipIf(not shutil.which("pyflakes3"), "pyflakes3 is not installed (make deps)")
    def test_pyflakes_clean(self):
        src = os.path.join(ROOT, "bench", "python")
        files = sorted(os.path.join(d, f) for d, _, names in os.walk(src) for f in names
                       if f.endswith(".py"))
        got = subprocess.run(["pyflakes3", *files, __file__], capture_output=True, text=True,
                             check=False)
        self.assertEqual(got.stdout + got.stderr, "")


def main(label="python"):
    """Runs the calling file's tests as counted checks (tests/counted.py), once the binaries
    they run are built."""
    if not os.access(PY, os.X_OK) or not os.access(C, os.X_OK):
        print(f"FAIL  {label}: build/cvp and build/cvp-py are missing (run make)")
        sys.exit(1)
    counted.main(label)


if __name__ == "__main__":
    main()
