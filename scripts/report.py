#!/usr/bin/env python3
"""report.py — the results pipeline's command, for one results folder written by
scripts/bench.sh:
  report.py derive RESULTS   writes RESULTS/derived/*.csv, the files the gnuplot scripts read;
  report.py table RESULTS    does the same and writes RESULTS/TABLE.md;
  report.py rules [--cores N]  prints the verdict rules at N cores as Markdown (README.md's
                             copy is the output at 2 cores).
Every figure comes from the folder's data; every verdict word from a rule in scripts/rules.py.
A missing or corrupt input file stops the run with a message naming the file (exit 1); a bad
command line exits 2. Standard library only; the work is done by results.py (reading),
derive.py (figures), rules.py (verdicts) and table.py (TABLE.md)."""
import argparse
import os
import sys

import derive
import rules
import table
from results import Bad, Run


def write_atomic(path, text):
    tmp = os.path.join(os.path.dirname(path), f".{os.path.basename(path)}.tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def positive(s):
    try:
        n = int(s)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{s!r} is not a whole number") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"{s!r} is not at least 1")
    return n


def parser():
    p = argparse.ArgumentParser(prog="report.py", description="TABLE.md, derived figures and "
                                "the verdict rules from a results folder")
    sub = p.add_subparsers(dest="command", required=True, metavar="derive|table|rules")
    for name, what in (("derive", "write RESULTS/derived/*.csv"),
                       ("table", "write RESULTS/derived/*.csv and RESULTS/TABLE.md")):
        s = sub.add_parser(name, help=what)
        s.add_argument("results", metavar="RESULTS", help="a results folder")
    s = sub.add_parser("rules", help="print the verdict rules as Markdown")
    s.add_argument("--cores", type=positive, default=2, metavar="N",
                   help="N, the cores the thresholds scale with (default 2)")
    return p


def main(argv):
    args = parser().parse_args(argv)
    if args.command == "rules":
        print(rules.markdown(args.cores))
        return 0
    folder = args.results
    if not os.path.isdir(folder):
        print(f"report: {folder}: missing (not a results folder)", file=sys.stderr)
        return 1
    try:
        run = Run(folder)
        figures = derive.derive(run, rules.PROBES, rules.NOISY, rules.HEADLINES, rules.PICKS)
    except Bad as e:
        print(f"report: {e}", file=sys.stderr)
        return 1
    derive.write(folder, figures)
    if args.command == "table":
        write_atomic(os.path.join(folder, "TABLE.md"), table.table(run, figures))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
