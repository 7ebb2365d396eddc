"""small_args.py LIST.csv — for every workload of a binary's `--list --format csv`, a line
"name args": the arguments of a small, quick run — units and tasks unless the workload fixes
them (one op per unit, or roles: enough units for every role that shares them), a small size,
and small values of the options it has. The sanitizer and switch tests run every workload so;
tests/test_python.py imports small_args() for the CPython arm, with smaller counts."""
import csv
import sys


def small_args(r, units=3, tasks=5, size=200, units_per_op=20):
    """The arguments for --list row r: units and tasks for a workload that takes them, or
    units_per_op where one op is one unit; size unless --size is per unit."""
    opts = [o.split("=")[0] for o in r["options"].split()]
    a = []
    if r["roles"]:
        roles = r["roles"].split()
        if any(x.endswith(":0") for x in roles):
            a += ["--units", str(len(roles) + 1)]
        a += [] if r["size_per"] == "unit" else ["--size", str(size)]
    elif r["size_per"] == "unit":
        a += ["--units", str(units_per_op)]
    else:
        a += ["--units", str(units), "--tasks", str(tasks), "--size", str(size)]
    a += ["--delay-ms", "1"] if "delay-ms" in opts else []
    a += ["--work", "2"] if "work" in opts else []
    return a


if __name__ == "__main__":
    for row in csv.DictReader(open(sys.argv[1], encoding="utf-8")):
        if row["what"] == "workload":
            print(row["name"], " ".join(small_args(row)))
