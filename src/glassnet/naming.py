"""Automatic names as Keras gives them: ``dense``, ``dense_1``, ``sequential``, ..."""
import re

_counts = {}


def snake_case(name):
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def unique_name(base):
    """``base`` the first time, then ``base_1``, ``base_2``, ... until ``reset``."""
    count = _counts.get(base, 0)
    _counts[base] = count + 1
    return base if count == 0 else f"{base}_{count}"


def reset():
    _counts.clear()
