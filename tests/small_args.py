"""small_args.py LIST.csv — for every workload of a binary's `--list --format csv`, a line
"name args": the arguments of a small, quick run — units and tasks unless the workload fixes
them (one op per unit, or roles: enough units for every role that shares them), a small size,
and small values of the options it has. The sanitizer and switch tests run every workload so."""
import csv
import sys

for r in csv.DictReader(open(sys.argv[1], encoding="utf-8")):
    if r["what"] != "workload":
        continue
    opts = [o.split("=")[0] for o in r["options"].split()]
    a = []
    if r["roles"]:
        roles = r["roles"].split()
        if any(x.endswith(":0") for x in roles):
            a += ["--units", str(len(roles) + 1)]
        a += [] if r["size_per"] == "unit" else ["--size", "200"]
    elif r["size_per"] == "unit":
        a += ["--units", "20"]
    else:
        a += ["--units", "3", "--tasks", "5", "--size", "200"]
    a += ["--delay-ms", "1"] if "delay-ms" in opts else []
    a += ["--work", "2"] if "work" in opts else []
    print(r["name"], " ".join(a))
