"""Numbers over seeds: the mean and its 95% confidence interval.

With n seeds the interval is mean +- t * s / sqrt(n): s the sample standard deviation (n - 1
in the denominator) and t Student's 97.5% quantile with n - 1 degrees of freedom (scipy,
which scikit-learn brings). One seed has no interval (half-width NaN). Missing values (None,
from a diverged run) are left out and counted.
"""
import math

import numpy as np


def t_quantile(degrees):
    from scipy.stats import t
    return float(t.ppf(0.975, degrees))


def clean(values):
    """``values`` as floats with None turned into NaN."""
    return np.array([np.nan if v is None else float(v) for v in values], dtype="float64")


def interval(values):
    """(mean, half-width of the 95% interval, count) of the finite ``values``."""
    finite = clean(values)
    finite = finite[np.isfinite(finite)]
    n = len(finite)
    if n == 0:
        return math.nan, math.nan, 0
    mean = float(finite.mean())
    if n == 1:
        return mean, math.nan, 1
    half = t_quantile(n - 1) * float(finite.std(ddof=1)) / math.sqrt(n)
    return mean, half, n


def band(curves):
    """Per index of several curves (one per seed, possibly of different lengths): the mean
    and the 95% interval's lower and upper edge, as three arrays."""
    length = max((len(c) for c in curves), default=0)
    table = np.full((len(curves), length), np.nan)
    for row, curve in enumerate(curves):
        table[row, :len(curve)] = clean(curve)
    columns = [interval(table[:, i]) for i in range(length)]
    mean = np.array([c[0] for c in columns])
    half = np.nan_to_num(np.array([c[1] for c in columns]))
    return mean, mean - half, mean + half


def separated(a, b):
    """True when the 95% intervals of ``a`` and ``b`` (value lists) do not overlap."""
    mean_a, half_a, _ = interval(a)
    mean_b, half_b, _ = interval(b)
    if math.isnan(half_a) or math.isnan(half_b):
        return False
    return abs(mean_a - mean_b) > half_a + half_b


def format_interval(values, digits=3, percent=False):
    """'0.962 ± 0.004' (or '96.2% ± 0.4'; '5.64e+06 ± 8.8e+06' for very large or small
    means), 'n/a' when nothing is finite."""
    mean, half, n = interval(values)
    if n == 0:
        return "n/a"
    if not percent and (abs(mean) >= 1e4 or 0 < abs(mean) < 1e-3):     # '5.64e+06 ± 8.8e+06'
        return f"{mean:.2e}" + ("" if math.isnan(half) else f" ± {half:.1e}")
    scale, unit = (100.0, "%") if percent else (1.0, "")
    digits = 1 if percent else digits
    text = f"{mean * scale:.{digits}f}{unit}"
    if not math.isnan(half):
        text += f" ± {half * scale:.{digits}f}"
    return text
