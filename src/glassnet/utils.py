"""Seeds and label helpers: ``set_random_seed`` and ``to_categorical``, as ``keras.utils``.

Every random draw in glassnet comes from a ``numpy.random.Generator``. A draw with an explicit
``seed`` uses a fresh generator seeded by it; any other draw (an unseeded initializer, dropout,
the shuffle in ``fit``) comes from the global generator that ``set_random_seed`` fixes, so one
seed gives the same weights and the same training run, bit for bit, in any process.
"""
import random

import numpy as np

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
