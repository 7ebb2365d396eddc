"""listing.py — what the arm says of itself: --help (every flag, from cli.py's tables) and
--list (every model and workload, in build/cvp's --list formats: text, csv, json, with the same
fields, so the matrix driver can read either runtime's)."""
import json
import textwrap

import cli
from models import MODELS, supports

LIST_KEYS = ("what", "name", "kind", "default_size", "size_per", "options", "figures", "plans",
             "models", "roles", "description")


def _flag_line(f):
    head = f"--{f.name}" + (f" {f.arg}" if f.arg else "")
    who = f"{', '.join(f.owners)}: " if f.owners else ""
    body = textwrap.wrap(who + f.help, 100 - 21)
    return "".join(f"  {head if i == 0 else '':<18} {line}\n" for i, line in enumerate(body))


def help_text():
    out = ["usage: cvp-py --model M --workload W [options]\n",
           "       cvp-py --list [--format csv|json] | --help\n\n",
           "Runs one workload under one execution model in CPython and prints one result row, in\n"
           "build/cvp's columns. The interpreter is $PYTHON, default /usr/bin/python3 (Debian's,\n"
           "which sees apt's python3-numpy); units are placed by build/cvp --places (CVP=path\n"
           "names another binary).\n\n"]
    out += [_flag_line(f) for f in cli.HARNESS]
    out.append("\nOptions of models, and --variant of the workloads with their own (given where\n"
               "they do not apply, a usage error):\n")
    out += [_flag_line(f) for f in cli.every().model]
    out.append("\nOptions of workloads (likewise):\n")
    out += [_flag_line(f) for f in cli.every().workload]
    out.append("\nModels (variants with --variant):\n")
    for m in MODELS.values():
        out.append(f"  {m.name:<11}{m.desc}\n")
        out += [f"    {v.name:<13}{v.desc}\n" for v in m.variants]
    out.append("\nWorkloads (kind; see --list for their options, figures and plans):\n")
    out += [f"  {w.name:<12}{w.kind:<6}{w.desc}\n" for w in cli.every().workloads.values()]
    out.append("\nExit status: 0 ok, 1 wrong result or failure (also a unit that died, or a run "
               "stopped\nby --timeout-s), 2 usage error, 3 resource limit reached, 4 unsupported "
               "here;\n128 + N when stopped by signal N (SIGINT, SIGTERM, SIGHUP).\n")
    return "".join(out)


def _models_of(wl):
    """model, or model/variant, for every pairing that runs the workload: the model's variants,
    or, for a workload whose --variant is its own and whose variants need what only some models
    offer (build/cvp's choice_needs), model/variant for each one a model that cannot do them all
    can do."""
    words = []
    own = wl.option("variant")
    for m in MODELS.values():
        if own and len(own.allowed(m.caps)) < len(own.choices):
            words += [f"{m.name}/{c}" for c in own.allowed(m.caps)
                      if supports(m, None, wl, {"variant": c}) is None]
            continue
        opts = {o.name: o.default_for(m.caps) for o in wl.options}
        if supports(m, None, wl, opts) is None:
            words.append(m.name)
        if not own:
            words += [f"{m.name}/{v.name}" for v in m.variants
                      if supports(m, v.name, wl, opts) is None]
    return " ".join(words)


def _option_text(o):
    return f"{o.name}={'|'.join(o.choices) if o.choices else o.default}"


def entries():
    for m in MODELS.values():
        opts = f"variant={'|'.join(v.name for v in m.variants)}" if m.variants else ""
        yield ("model", m.name, "", "", "", opts, "", "", " ".join(m.caps), "", m.desc)
    for w in cli.every().workloads.values():
        yield ("workload", w.name, w.kind, str(w.default_size) if w.size_per != "unit" else "",
               w.size_per, " ".join(_option_text(o) for o in w.options),
               " ".join(f"{f.name}:{f.unit}:{f.better}" for f in w.figures),
               " ".join(w.plans), _models_of(w), " ".join(f"{r.name}:{r.units}" for r in w.roles),
               w.desc)


def _csv_field(s):
    return '"' + s.replace('"', '""') + '"' if any(c in s for c in ',"\n') else s


def list_text(fmt):
    rows = list(entries())
    if fmt == "csv":
        return ",".join(LIST_KEYS) + "\n" + "".join(
            ",".join(_csv_field(v) for v in r) + "\n" for r in rows)
    if fmt == "json":
        return "[\n" + ",\n".join(json.dumps(dict(zip(LIST_KEYS, r)), ensure_ascii=False,
                                             separators=(",", ":")) for r in rows) + "\n]\n"
    return "".join(f"model     {r[1]:<11} {r[10]}\n" if r[0] == "model" else
                   f"workload  {r[1]:<11} {r[2]:<5} {r[10]}\n" for r in rows)
