"""The checks of optimizer arguments: one clear error for a value out of range or of the
wrong type.
"""
import math
import numbers

import numpy as np


def _check_range(value, name, low, high, high_open=False):
    """``value`` as a float in [low, high] (or [low, high)); else one clear error."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {value!r}.")
    value = float(value)
    inside = low <= value < high if high_open else low <= value <= high
    if not inside:
        interval = f"[{low:g}, {high:g}{')' if high_open else ']'}"
        raise ValueError(f"{name} must be in {interval}, got {value!r}.")
    return value


def _optional(value, name, low):
    return None if value is None else _check_range(value, name, low, math.inf)


def _check_bool(value, name):
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {value!r}.")
    return bool(value)


def _accumulation_steps(value):
    """None (off) or an integer >= 2, as Keras requires."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 2:
        raise ValueError(f"gradient_accumulation_steps must be an integer >= 2 (or None); got "
                         f"{value!r}.")
    return int(value)


def _refuse(name, value, default):
    if value != default:
        raise ValueError(f"glassnet's optimizers do not support {name}={value!r} yet; leave it "
                         f"at {default!r}.")
