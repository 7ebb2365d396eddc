"""counted.py — runs a module's unittest tests as checks of `make test`: each test prints one
"ok"/"FAIL"/"skip" line and appends pass/fail/skip to $RESULTS_FILE, as tests/lib.sh does for the
shell checks, so tests/run.sh counts them with the rest."""
import os
import sys
import unittest


class Counted(unittest.TextTestResult):
    prefix = ""

    def line(self, test, word, why=""):
        name = test.id().rsplit(".", 1)[-1].removeprefix("test_").replace("_", " ")
        print(f"{word:5s} {self.prefix}: {name}{why}", flush=True)
        with open(os.environ.get("RESULTS_FILE", os.devnull), "a", encoding="utf-8") as f:
            f.write({"ok": "pass", "FAIL": "fail", "skip": "skip"}[word] + "\n")

    def addSuccess(self, test):
        super().addSuccess(test)
        self.line(test, "ok")

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self.line(test, "FAIL", ": " + str(err[1]).splitlines()[0])

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self.line(test, "skip", f": {reason}")

    def addError(self, test, err):
        super().addError(test, err)
        self.line(test, "FAIL", f": {err[0].__name__}: {err[1]}")


def main(prefix):
    """Runs the calling module's tests, one line each; exits 1 if one failed."""
    Counted.prefix = prefix
    suite = unittest.defaultTestLoader.loadTestsFromModule(sys.modules["__main__"])
    with open(os.devnull, "w") as null:
        result = unittest.TextTestRunner(resultclass=Counted, verbosity=0, stream=null).run(suite)
    for test, trace in result.failures + result.errors:
        print(f"---- {test.id()}\n{trace}", file=sys.stderr)
    sys.exit(0 if result.wasSuccessful() else 1)
