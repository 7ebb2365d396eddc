"""stats.py — the spread every figure in derived/*.csv carries, computed one way for all of them:
its median over a configuration's counted runs (the figure itself), its best run (the lowest or
the highest, as the figure's direction says) and its coefficient of variation (cv = sample
standard deviation ÷ mean over the counted runs; rule N compares it with its kind's cut-off).
A figure of one run has no cv: the field is left empty rather than written as 0."""
import math
import statistics


def cv(vals):
    """Standard deviation ÷ |mean| of two or more values, else "" (no spread to measure)."""
    if len(vals) < 2:
        return ""
    mean = statistics.fmean(vals)
    # A mean of 0 (kernel memory within the noise) has no relative spread.
    return statistics.stdev(vals) / abs(mean) if mean else ""


def spread(vals, better="lower"):
    """(median, best, cv) of a figure's values; empty fields where there are none. A figure
    with no direction ("" for better) has no best."""
    if not vals:
        return "", "", ""
    best = min(vals) if better == "lower" else max(vals) if better == "higher" else ""
    return statistics.median(vals), best, cv(vals)


def ratio_cv(a, b):
    """The cv of a ratio of two independent sets of runs (a speedup, a slowdown): the relative
    spreads add in quadrature, the first-order propagation of errors."""
    if a == "" or b == "":
        return ""
    return math.hypot(a, b)


def cols(name):
    """The header fields of one figure: its median, best and cv."""
    return name, f"{name}_best", f"{name}_cv"
