"""``keras.utils``: seeds (``set_random_seed``), labels (``to_categorical``), data helpers
(``normalize``, ``split_dataset``, ``pack_x_y_sample_weight`` / ``unpack_x_y_sample_weight``),
``PyDataset`` / ``Sequence`` (``py_dataset``) and ``Progbar`` (``progbar``).

Every random draw in glassnet comes from a ``numpy.random.Generator``. A draw with an explicit
``seed`` uses a fresh generator seeded by it; any other draw (an unseeded initializer, dropout,
the shuffle in ``fit``) comes from the global generator that ``set_random_seed`` fixes, so one
seed gives the same weights and the same training run, bit for bit, in any process.
"""
import random

import numpy as np

from .progbar import Progbar  # noqa: F401  (keras.utils names)
from .py_dataset import PyDataset, Sequence  # noqa: F401

_global = {"generator": np.random.default_rng()}


def set_random_seed(seed):
    """Seed glassnet's global generator (and Python's and NumPy's legacy ones, as Keras does)."""
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"The seed must be a non-negative integer, got {seed!r}.")
    seed = int(seed)
    random.seed(seed)
    np.random.seed(seed % 2**32)
    _global["generator"] = np.random.default_rng(seed)


def global_generator():
    """The generator behind every unseeded draw."""
    return _global["generator"]


def generator(seed=None):
    """A generator for one draw: seeded by ``seed``, else a child of the global generator."""
    if seed is None:
        return np.random.default_rng(global_generator().integers(2**63))
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(seed)


def to_categorical(x, num_classes=None):
    """One-hot encode integer labels as Keras does: ``(n,)`` (or ``(n, 1)``) -> ``(n,
    num_classes)`` float64, ``num_classes`` defaulting to the largest label + 1.

    Where Keras silently truncates 1.7 to 1 or wraps -1 to the last class, this raises.
    """
    x = np.asarray(x)
    if x.size and not np.issubdtype(x.dtype, np.integer):
        if x.dtype.kind not in "bf" or not np.all(np.isfinite(x)) or np.any(x != np.round(x)):
            raise ValueError("to_categorical needs integer class labels 0..K-1; got non-integer "
                             "values. Encode the classes as integers first.")
    labels = x.astype(np.int64)
    shape = labels.shape
    if len(shape) > 1 and shape[-1] == 1:
        shape = shape[:-1]
    labels = labels.reshape(-1)
    if labels.size and labels.min() < 0:
        raise ValueError(f"to_categorical needs labels >= 0; got {labels.min()}.")
    if not num_classes:
        num_classes = int(labels.max()) + 1 if labels.size else 0
    elif labels.size and labels.max() >= num_classes:
        raise ValueError(f"Label {labels.max()} does not fit num_classes={num_classes}: labels "
                         f"must be in 0..{num_classes - 1}. Raise num_classes or fix the labels.")
    categorical = np.zeros((labels.size, int(num_classes)))
    categorical[np.arange(labels.size), labels] = 1.0
    return categorical.reshape(shape + (int(num_classes),))


def normalize(x, axis=-1, order=2):
    """``x`` divided by its ``order``-norm along ``axis`` (a zero norm counts as 1, so an
    all-zero row stays zero), as ``keras.utils.normalize`` on NumPy input."""
    x = np.asarray(x)
    norm = np.atleast_1d(np.linalg.norm(x, order, axis))
    norm[norm == 0] = 1
    return x / np.expand_dims(norm, axis or -1)


def pack_x_y_sample_weight(x, y=None, sample_weight=None):
    """A batch as Keras packs it: ``x`` alone (``(x,)`` when x is itself a tuple), ``(x, y)``
    or ``(x, y, sample_weight)``."""
    if y is None:
        return (x,) if isinstance(x, tuple) else x
    if sample_weight is None:
        return (x, y)
    return (x, y, sample_weight)


def unpack_x_y_sample_weight(data):
    """``(x, y, sample_weight)`` from a batch ``x``, ``(x,)``, ``(x, y)`` or ``(x, y, w)``
    (missing parts None), as Keras."""
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return data, None, None
    if len(data) in (1, 2, 3):
        return tuple(data) + (None,) * (3 - len(data))
    raise ValueError(f"A batch is x, (x,), (x, y) or (x, y, sample_weight); got a tuple of "
                     f"{len(data)} elements.")


def split_dataset(dataset, left_size=None, right_size=None, shuffle=False, seed=None):
    """Split an array, or a tuple/list of arrays of one length (e.g. ``(x, y)``), into a left
    and a right part, as ``keras.utils.split_dataset`` (which returns ``tf.data`` datasets;
    glassnet returns the same samples as arrays, in the same structure).

    A size is a fraction (float in (0, 1), rounded to samples) or a count (int); the missing
    one is the rest. ``shuffle`` reorders the samples first, as Keras does with Python's
    ``random`` seeded by ``seed`` (the same order for the same seed).
    """
    arrays = list(dataset) if isinstance(dataset, (tuple, list)) else [dataset]
    arrays = [np.asarray(a) for a in arrays]
    if not arrays or any(a.ndim == 0 for a in arrays) or len({len(a) for a in arrays}) != 1:
        raise ValueError("split_dataset takes an array, or a tuple of arrays with one row per "
                         "sample and the same number of rows.")
    total = len(arrays[0])
    if left_size is None and right_size is None:
        raise ValueError("split_dataset needs left_size or right_size (a fraction such as 0.8, "
                         "or a number of samples).")
    left, right = _split_sizes(left_size, right_size, total)
    order = list(range(total))
    if shuffle:
        random.Random(random.randint(0, int(1e6)) if seed is None else seed).shuffle(order)
    order = np.asarray(order, dtype=np.int64)
    parts = [[a[order[:left]] for a in arrays], [a[order[left:left + right]] for a in arrays]]
    if isinstance(dataset, (tuple, list)):
        return tuple(type(dataset)(part) if isinstance(dataset, tuple) else part
                     for part in parts)
    return parts[0][0], parts[1][0]


def _split_sizes(left, right, total):
    """Each size as a count of samples, checked as Keras checks them."""
    for name, size in (("left_size", left), ("right_size", right)):
        if size is None:
            continue
        if isinstance(size, bool) or not isinstance(size, (int, float)):
            raise TypeError(f"{name} must be an int, a float or None, got {size!r}.")
        if isinstance(size, int) and not 0 < size < total or \
                isinstance(size, float) and not 0 < size < 1:
            raise ValueError(f"{name} must be a number of samples in 1..{total - 1} or a "
                             f"fraction in (0, 1); got {size!r}.")
    if isinstance(left, float) and isinstance(right, float) and left + right > 1:
        raise ValueError(f"left_size + right_size is {left + right}, more than 1.")
    left = round(left * total) if isinstance(left, float) else left
    right = round(right * total) if isinstance(right, float) else right
    left = total - right if left is None else left
    right = total - left if right is None else right
    if left + right > total or not left or not right:
        raise ValueError(f"left_size={left} and right_size={right} do not split {total} "
                         f"samples into two non-empty parts.")
    return int(left), int(right)
