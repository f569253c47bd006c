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


def paired(differences):
    """(mean, (lo, hi), n) of per-seed differences: the 95% interval is Student's t on the
    differences themselves, mean +- t(n-1) * s / sqrt(n). Pairing removes what two settings
    share in one seed (its data split, its shuffles), so it separates far more than two
    unpaired intervals do. Fewer than two finite differences give no interval (None)."""
    finite = clean(differences)
    finite = finite[np.isfinite(finite)]
    n = len(finite)
    if n == 0:
        return math.nan, None, 0
    mean = float(finite.mean())
    if n == 1:
        return mean, None, 1
    half = t_quantile(n - 1) * float(finite.std(ddof=1)) / math.sqrt(n)
    return mean, (mean - half, mean + half), n


def seeds_needed(mean, spread, largest=1000):
    """The fewest seeds n whose 95% interval, t(n-1) * spread / sqrt(n), would be narrower
    than |mean|: how many seeds would likely decide a difference of this size at this
    seed-to-seed spread (sample standard deviation of the differences). None when nothing
    up to ``largest`` would (a zero or tiny difference)."""
    if not math.isfinite(mean) or not math.isfinite(spread) or mean == 0:
        return None
    if spread == 0:
        return 2
    for n in range(2, largest + 1):
        if t_quantile(n - 1) * spread / math.sqrt(n) < abs(mean):
            return n
    return None


def geometric(values):
    """(geometric mean, low, high) of positive ``values``: mean and 95% interval of log10 of
    the values, turned back, so the range stays positive (a norm spread over orders of
    magnitude is never printed as '1376 ± 2137'). None when no value is positive."""
    finite = clean(values)
    finite = finite[np.isfinite(finite) & (finite > 0)]
    if len(finite) == 0:
        return None
    mean, half, _ = interval(np.log10(finite))
    half = 0.0 if math.isnan(half) else half
    return 10 ** mean, 10 ** (mean - half), 10 ** (mean + half)


def significant(value, digits=2):
    """``value`` with ``digits`` significant digits: '0.0013', '1.4e+03', '37'."""
    if value is None or not math.isfinite(value):
        return "n/a"
    if value == 0:
        return "0"
    if abs(value) >= 1e4 or abs(value) < 1e-3:
        return f"{value:.{max(digits - 1, 0)}e}"
    return f"{float(f'{value:.{digits}g}'):g}"


def format_positive(values, digits=2):
    """'1.4e+03 (95%: 3.1e+02 to 6.2e+03)': geometric mean and a positive range, or 'n/a'."""
    found = geometric(values)
    if found is None:
        return "n/a"
    mean, low, high = found
    if low == high:
        return significant(mean, digits)
    return f"{significant(mean, digits)} ({significant(low, digits)}–{significant(high, digits)})"
