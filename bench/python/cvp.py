"""cvp.py — the CPython arm of cvp: runs one workload under one execution model in this
interpreter and prints one result row in build/cvp's columns (build/cvp-py runs it with
$PYTHON, default Debian's /usr/bin/python3). Reads the command line and hands over:
  cli.py       the flags            listing.py  --help and --list
  run.py       the run's steps      row.py      the row
  models.py    serial, threads, procs (+ pools.py: executors; aio.py: asyncio, generators)
  unit.py      what every unit does, and what units and the harness share
  seam.py      what a workload calls to wait (sleep, round trips, children, queues, meet)
  server.py    the delay server (build/cvp --serve, the harness's child) and its protocol
  workloads/   one file per workload (hash, sleep, echo, ...), found by workloads/__init__.py;
               workloads/common.py the descriptor they are written against
  memory.py    memory per unit      places.py   binding, from build/cvp --places
  system.py    clocks, CPU time, prctl        stop.py     exits, limits, signals, cleanup"""
import sys


def main(argv):
    """Imports here, not at the top: a unit process started with spawn or forkserver imports
    this file as __mp_main__, and should carry only what its unit needs. Until the run's
    guard takes over (stop.Guard), a stop signal ends the arm with 128 + N: nothing is made
    yet that could be left behind."""
    import os
    import signal

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda n, _frame: os._exit(128 + n))
    import cli
    import run
    from stop import Exit, say

    try:
        cmd = cli.parse(argv)
    except Exit as e:
        say(e.message)
        return e.status
    if cmd.what in ("help", "list"):
        import listing
        sys.stdout.write(listing.help_text() if cmd.what == "help" else
                         listing.list_text(cmd.format))
        return 0
    return run.run(cmd.request)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
