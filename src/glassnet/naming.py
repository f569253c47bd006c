"""Automatic names as Keras gives them: ``dense``, ``dense_1``, ``sequential``, ..."""
import re

_counts = {}


def snake_case(class_name):
    """Keras's ``to_snake_case``: ``Dense`` -> ``dense``, ``ReLU`` -> ``re_lu``,
    ``LeakyReLU`` -> ``leaky_re_lu``, ``BatchNormalization`` -> ``batch_normalization``
    (an underscore before each capitalized word, and between a lower-case letter and a capital)."""
    name = re.sub(r"\W", "", class_name)
    name = re.sub(r"(?<=.)(?=[A-Z][a-z])", "_", name)
    name = re.sub(r"(?<=[a-z])(?=[A-Z])", "_", name)
    return name.lower()


def unique_name(base):
    """``base`` the first time, then ``base_1``, ``base_2``, ... until ``reset``."""
    count = _counts.get(base, 0)
    _counts[base] = count + 1
    return base if count == 0 else f"{base}_{count}"


def reset():
    _counts.clear()
