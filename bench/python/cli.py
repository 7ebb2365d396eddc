"""cli.py — the command line, as build/cvp's where it applies: the same flag names, spelt out
(no abbreviations) and each given at most once, every error one line on stderr naming the
argument (exit 2). The tables below declare every flag once; the parser, the checks and --help
(listing.py) are made from them. A model's or workload's option given where it does not apply
(--delay-ms with hash, --variant under serial) is a usage error naming its owners.

The flags of workloads come from their files, and importing all of them cost a run about a
sixth of its start: a run's command line is parsed first with its own workload's flags alone
(parse says why that is safe), every workload's only for what is not a valid run, --help and
--list."""
import argparse
import dataclasses
import functools
import typing

from models import MODELS
from stop import PROG, Usage
import workloads

MAX_UNITS = 1_000_000


def uint(lo, hi):
    def parse(s):
        if not s.isdigit():
            raise argparse.ArgumentTypeError(
                f"'{s}' is not a whole number" + (" (negative)" if s.startswith("-") else ""))
        v = int(s)
        if not lo <= v <= hi:
            raise argparse.ArgumentTypeError(f"'{s}' is out of range ({lo}..{hi})")
        return v
    return parse


def hex64(s):
    try:
        v = int(s, 16)
    except ValueError:
        v = -1
    if not 0 <= v <= 0xFFFF_FFFF_FFFF_FFFF or s[:1] in "+-" or s[:2].lower() == "0x":
        raise argparse.ArgumentTypeError(f"'{s}' is not a hexadecimal checksum")
    return v


def text(s):
    if not s:
        raise argparse.ArgumentTypeError("empty value")
    return s


@dataclasses.dataclass(frozen=True)
class Flag:
    name: str
    arg: typing.Optional[str]  # the value's name in --help; None: a flag without a value
    help: str
    type: typing.Callable = None
    choices: tuple = None
    owners: tuple = ()  # the models or workloads it belongs to; () : the harness's


HARNESS = (
    Flag("model", "M", "the execution model (see Models below)", choices=tuple(MODELS)),
    Flag("workload", "W", "the workload (see Workloads below)", choices=workloads.names()),
    Flag("units", "N", "units (threads, processes, asyncio tasks); default: one per core",
         uint(1, MAX_UNITS)),
    Flag("tasks", "T", "split the work into T tasks taken from a shared counter; default: one "
         "per unit", uint(1, 2**32 - 1)),
    Flag("cores", "K", "confine the run to K cores chosen by build/cvp (hwloc); default: all "
         "allowed", uint(1, 1 << 20)),
    Flag("pin", "P", "how units are bound to the cores: compact | scatter | none (default "
         "compact)", choices=("compact", "scatter", "none")),
    Flag("size", "S", "ops, split over the tasks; default: the workload's (--list says whether "
         "per run or per task)", uint(1, 1 << 48)),
    Flag("format", "F", "how the row is written (--list: text unless given): csv | json | text "
         "(default csv)", choices=("csv", "json", "text")),
    Flag("header", None, "print the CSV header line before the row"),
    Flag("out", "FILE", "also append the row as CSV to FILE (header if FILE is new)", text),
    Flag("expect", "HEX", "the serial checksum of this workload and size, if known; otherwise "
         "it is computed after the timed run", hex64),
    Flag("timeout-s", "N", "stop the whole run after N seconds, leaving nothing behind (default "
         "600)", uint(1, 604800)),
    Flag("list", None, "every model and workload: options, figures, plans (--format csv|json)"),
    Flag("help", None, "this text"),
)


class Flags:
    """The flags of models and workloads, made from some workloads' descriptors (name ->
    descriptor, in the order of their files): a flag's choices, owners and help are those of
    the workloads given."""

    def __init__(self, wls):
        self.workloads = wls
        # --variant names a model's variant (executor, spawn ...) or, for a workload with a
        # variant option of its own (counter, pingpong ...), that workload's, as build/cvp's
        # --variant does; never both in one run.
        model_variants = [m for m in MODELS.values() if m.variants]
        variants = tuple(dict.fromkeys(
            [v.name for m in model_variants for v in m.variants] +
            [c for w in self._having("variant") for c in w.option("variant").choices]))
        self.model = (
            Flag("variant", "V", "; ".join(f"{m.name}: " + " | ".join(v.name for v in m.variants)
                                           for m in model_variants) +
                 " (default: none, the model itself); a workload's own: " +
                 self._choices_text("variant") + " (default: the first its model can do)",
                 choices=variants, owners=tuple(m.name for m in model_variants) +
                 tuple(w.name for w in self._having("variant"))),
        )
        self.workload = tuple(self._workload_flag(name, o)
                              for name, o in self._first_of_each_name().items()
                              if name not in {f.name for f in self.model})

    def _having(self, name):
        """The workloads with an option of that name."""
        return [w for w in self.workloads.values() if w.option(name)]

    def _choices_text(self, name):
        return "; ".join(f"{w.name}: " + " | ".join(w.option(name).choices)
                         for w in self._having(name))

    def _workload_flag(self, name, o):
        owners = tuple(w.name for w in self._having(name))
        if o.choices:
            return Flag(name, o.arg, f"{o.help}: {self._choices_text(name)} (default: the "
                        "first its model can do)", choices=tuple(dict.fromkeys(
                            c for w in self._having(name) for c in w.option(name).choices)),
                        owners=owners)
        return Flag(name, o.arg, f"{o.help} (default {o.default})", uint(o.lo, o.hi),
                    owners=owners)

    def _first_of_each_name(self):
        first = {}
        for w in self.workloads.values():
            for o in w.options:
                first.setdefault(o.name, o)
        return first


@functools.cache
def every():
    """The flags of every workload (importing every workload's file)."""
    return Flags(workloads.every())


DEFAULTS = {"pin": "compact", "format": "csv", "timeout-s": 600}


class Parser(argparse.ArgumentParser):
    """argparse, with each error a Usage (one line on stderr and exit 2, from cvp.py). Its own
    help and usage are never written (listing.py writes --help), so its formatter is given a
    width: without one, it imports shutil to ask the terminal's, at every add_argument."""

    def __init__(self, **kwargs):
        super().__init__(formatter_class=functools.partial(argparse.HelpFormatter, width=100),
                         **kwargs)

    def error(self, message):
        raise Usage(message)


class Once(argparse.Action):
    """Stores a flag's value, or exits 2 when the flag was already given."""

    def __call__(self, parser, ns, values, option_string=None):
        if self.dest in ns.given:
            parser.error(f"{option_string}: given twice")
        ns.given.add(self.dest)
        setattr(ns, self.dest, True if self.nargs == 0 else values)


def parser(flags):
    p = Parser(prog=PROG, add_help=False, allow_abbrev=False)
    for f in HARNESS + flags.model + flags.workload:
        p.add_argument("--" + f.name, dest=f.name, metavar=f.arg, action=Once,
                       nargs=0 if f.arg is None else None, type=f.type, choices=f.choices)
    return p


@dataclasses.dataclass(frozen=True)
class Request:
    """One run, as asked for: None where a flag was not given and the default is the run's."""
    model: str
    workload: str
    variant: typing.Optional[str]  # the model's (a workload's own is in opts)
    units: typing.Optional[int]
    tasks: typing.Optional[int]
    cores: typing.Optional[int]
    pin: str
    size: typing.Optional[int]
    format: str
    header: bool
    out: typing.Optional[str]
    expect: typing.Optional[int]
    timeout_s: int
    opts: dict  # the workload's options by name, defaults filled


@dataclasses.dataclass(frozen=True)
class Command:
    what: str  # help | list | run
    format: str = None
    request: Request = None


def _owned_by(flag, owner):
    return owner in flag.owners


def _named_workload(argv):
    """The workload the command line names, if it names one, once (--workload W, --workload=W)."""
    named = [argv[i + 1] for i, a in enumerate(argv[:-1]) if a == "--workload"] + \
        [a[len("--workload="):] for a in argv if a.startswith("--workload=")]
    return named[0] if len(named) == 1 and named[0] in workloads.names() else None


def parse(argv):
    """The command. A run's command line is parsed with its own workload's flags alone, so a
    run imports one workload's file, not every one (the arm starts ~500 times per make bench).
    Where that finds a run, every workload's flags find the same one: the same flags take the
    same values through the same checks (workloads that share an option's name share its range,
    as the tables assume, taking the first's), and a flag or value only another workload takes
    is an error either way. Anything else (a usage error, --help, --list) is parsed with every
    workload's flags, which word every message."""
    name = _named_workload(argv)
    if name is not None:
        try:
            return _parse(argv, Flags({name: workloads.get(name)}))
        except Usage:
            pass
    return _parse(argv, every())


def _parse(argv, flags):
    ns = argparse.Namespace(given=set())
    parser(flags).parse_args(argv, namespace=ns)
    given = ns.given
    v = {f.name: getattr(ns, f.name, None) for f in HARNESS + flags.model + flags.workload}
    if "help" in given:
        return Command("help")
    if "list" in given:
        return Command("list", v["format"] if "format" in given else "text")
    for name in ("model", "workload"):
        if name not in given:
            raise Usage(f"--{name}: missing (one of: "
                        f"{', '.join(MODELS if name == 'model' else workloads.names())})")
    model, wl = MODELS[v["model"]], flags.workloads[v["workload"]]
    for f in flags.model + flags.workload:
        if f.name in given and not (_owned_by(f, model.name) or _owned_by(f, wl.name)):
            raise Usage(f"--{f.name}: does not apply to {wl.name} under {model.name} "
                        f"(an option of {', '.join(f.owners)})")
    own = wl.option("variant")
    if "variant" in given and not own and not model.variant(v["variant"]):
        raise Usage(f"--variant: {v['variant']} does not apply to {model.name} (variants of "
                    f"{model.name}: {', '.join(x.name for x in model.variants)})")
    for o in wl.options:
        if o.choices and o.name in given and v[o.name] not in o.choices:
            raise Usage(f"--{o.name}: {v[o.name]} is not one of {wl.name}'s (valid: "
                        f"{', '.join(o.choices)})")
    opts = {o.name: v[o.name] if o.name in given else o.default_for(model.caps)
            for o in wl.options}
    return Command("run", request=Request(
        model=model.name, workload=wl.name, variant=None if own else v["variant"],
        units=v["units"],
        tasks=v["tasks"], cores=v["cores"], pin=v["pin"] or DEFAULTS["pin"], size=v["size"],
        format=v["format"] or DEFAULTS["format"], header="header" in given, out=v["out"],
        expect=v["expect"], timeout_s=v["timeout-s"] or DEFAULTS["timeout-s"], opts=opts))
