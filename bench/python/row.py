"""row.py — the result row: exactly build/cvp's columns (bench/run/row.c), in its order and number
formats, written as CSV, JSON or text. A column that does not apply stays empty (CSV), null
(JSON) or absent (text): never invented. tests/test_python.py checks the header against
build/cvp's, so drift is caught."""
import math
import os

# (name, printf format for a number; None for text), in build/cvp's order.
COLUMNS = (
    ("runtime", None), ("model", None), ("workload", None), ("kind", None), ("variant", None),
    ("units", "%.0f"), ("tasks", "%.0f"), ("cores", "%.0f"), ("pin", None), ("size", "%.0f"),
    ("delay_ms", "%g"), ("work", "%.0f"), ("stack_kib", "%.0f"), ("stack_guard", None),
    ("wall_s", "%.6f"), ("user_s", "%.6f"), ("sys_s", "%.6f"), ("cpu_util", "%.3f"),
    ("start_skew_us", "%.1f"), ("minflt", "%.0f"),
    ("spawn_us_per_unit", "%.3f"), ("start_us", "%.3f"),
    ("vsz_kib_per_unit", "%.2f"), ("rss_kib_per_unit", "%.2f"), ("pss_kib_per_unit", "%.2f"),
    ("kernel_kib_per_unit", "%.2f"), ("kernel_stack_kib_per_unit", "%.2f"),
    ("page_tables_kib_per_unit", "%.2f"), ("slab_kib_per_unit", "%.2f"), ("touch_kib", "%.0f"),
    ("ns_per_op", "%.1f"),
    ("yields", "%.0f"), ("server_cpu_s", "%.6f"), ("timer_slack_ns", "%.0f"),
    ("waits", "%.0f"), ("wait_p50_us", "%.1f"), ("wait_p99_us", "%.1f"),
    ("checksum", None), ("expected", None), ("verified", None), ("pus_bound", None),
    ("pus_run", None), ("params", None), ("figures", None), ("note", None),
)
FORMAT = dict(COLUMNS)


class Row:
    """One row: column name -> value (a number or a string); unset columns are empty."""

    def __init__(self):
        self.values = {}

    def set(self, name, value):
        """Sets the column name ('-' stands for '_'); False when the row has no such column."""
        name = name.replace("-", "_")
        if name not in FORMAT:
            return False
        if value is not None and not (isinstance(value, float) and math.isnan(value)):
            self.values[name] = value
        return True

    def text(self, name):
        """The column's value as written, or None when empty."""
        v = self.values.get(name)
        if v is None:
            return None
        fmt = FORMAT[name]
        return fmt % v if fmt else str(v)


def header_csv():
    return ",".join(name for name, _ in COLUMNS) + "\n"


def _csv_field(s):
    if s is None:
        return ""
    if any(c in s for c in ',"\n'):
        return '"' + s.replace('"', '""') + '"'
    return s


def _json_value(row, name):
    s = row.text(name)
    if s is None:
        return "null"
    if FORMAT[name] or name == "verified":
        return s
    out = s.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + "".join(c if ord(c) >= 0x20 else f"\\u{ord(c):04x}" for c in out) + '"'


def write(row, fmt):
    """The row as text in fmt: csv, json or text."""
    if fmt == "csv":
        return ",".join(_csv_field(row.text(name)) for name, _ in COLUMNS) + "\n"
    if fmt == "json":
        return "{" + ",".join(f'"{name}":{_json_value(row, name)}' for name, _ in COLUMNS) + "}\n"
    return "".join(f"{name:<25} {row.text(name)}\n" for name, _ in COLUMNS
                   if row.text(name) is not None)


def append_csv(path, row):
    """Appends the row to a CSV file (the header first if the file is new or empty) in one
    write with O_APPEND, so rows of concurrent runs never interleave."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        text = (header_csv() if os.fstat(fd).st_size == 0 else "") + write(row, "csv")
        os.write(fd, text.encode())
    finally:
        os.close(fd)
