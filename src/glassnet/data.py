"""Checking what users feed ``fit``/``evaluate``/``predict``: one clear error, before any work.

Each function takes what a user may pass (arrays, nested lists, pandas objects) and returns a
NumPy array, or raises a ``ValueError`` that says what is wrong and what to write instead.
"""
import math
import numbers

import numpy as np

from .arrays import on_device, to_host


def as_inputs(x, dtype, what="x"):
    """``x`` as a float array of ``dtype``; NaN, inf, text or ragged rows raise ``ValueError``."""
    if x is None:
        raise ValueError(f"{what} is None: pass the input data as an array with one row per "
                         f"sample.")
    array = _as_array(x, what)
    if array.dtype.kind not in "biuf":
        raise ValueError(f"{what} must be numbers, got an array of dtype {array.dtype}. Convert "
                         f"it with np.asarray({what.split()[-1]}, dtype='float32') after encoding "
                         f"any text.")
    if array.ndim < 2:
        raise ValueError(f"{what} has shape {array.shape}, but a model takes a batch: one row "
                         f"per sample, shape (samples, features). For one sample write "
                         f"x.reshape(1, -1); for one feature per sample, x.reshape(-1, 1).")
    array = array.astype(dtype, copy=False)
    check_finite(array, what)
    return array


def as_labels(y, what="y"):
    """``y`` as an array of numbers (ints stay ints for sparse losses); NaN/inf raise."""
    if y is None:
        raise ValueError(f"{what} is None: pass the labels (targets), one per sample.")
    array = _as_array(y, what)
    if array.dtype.kind not in "biuf":
        raise ValueError(f"{what} must be numbers, got dtype {array.dtype}. Encode class names "
                         f"as integers 0..K-1 first (e.g. with np.unique(y, return_inverse=True)).")
    if array.ndim == 0:
        raise ValueError(f"{what} is a single number; give one label per sample.")
    if array.dtype.kind == "b":
        array = array.astype(np.int64)
    check_finite(array, what)
    return array


def _as_array(x, what):
    if hasattr(x, "to_numpy"):                       # pandas DataFrame / Series
        x = x.to_numpy()
    if on_device(x):                                 # a GPU array: checked on a host copy
        x = to_host(x)
    if isinstance(x, dict) or (hasattr(x, "__iter__") and not hasattr(x, "__len__")):
        raise ValueError(f"{what} is a {type(x).__name__}; glassnet takes the data itself: a "
                         f"NumPy array, a (nested) list or a pandas object, one row per "
                         f"sample (no generators, datasets or dicts of named inputs). Collect "
                         f"the batches first, e.g. np.concatenate(list_of_batches).")
    try:
        return np.asarray(x)
    except ValueError as error:
        raise ValueError(f"{what} could not become one array ({error}); give every sample the "
                         f"same shape.") from None


def check_finite(array, what):
    """Raise when a float array holds NaN or inf, saying how many and where the first is."""
    # min and max are NaN or inf exactly when some entry is, and allocate nothing
    # (np.isfinite(array).all() would make a temporary the size of the data).
    if array.dtype.kind != "f" or array.size == 0 or (
            np.isfinite(array.min()) and np.isfinite(array.max())):
        return
    bad = ~np.isfinite(array)
    first = tuple(np.argwhere(bad)[0])
    kind = "NaN" if np.isnan(array[first]) else "inf"
    count = int(bad.sum())
    values = "value" if count == 1 else "values"
    raise ValueError(f"{what} contains {count} non-finite {values} ({kind} first, in sample "
                     f"{first[0]}). Remove or impute them before passing {what} to the model, "
                     f"e.g. drop those rows or use np.nan_to_num.")


def check_lengths(n_samples, n_labels, what="y"):
    if n_samples != n_labels:
        inputs = what[:-1] + "x" if what.endswith("y") else "x"
        raise ValueError(f"{inputs} and {what} have different lengths: {n_samples} samples but "
                         f"{n_labels} labels. Give exactly one label per sample.")


def shape_message(shape, expected, declared_by="Input", what="x"):
    """Why inputs of ``shape`` do not fit a model expecting ``expected`` per sample, and the fix.

    The notes' case: ``Flatten(input_shape=[28, 28])`` (784 features) fed 8x8 digits as rows
    of 64: say both numbers and what to write for 8x8 images or for flat rows.
    """
    expected = tuple(expected)
    given = tuple(shape[1:])
    n_expected, n_given = math.prod(expected), math.prod(given)
    declared = (f"{declared_by}(input_shape={list(expected)})" if declared_by != "Input"
                else f"Input(shape={expected})")
    message = (f"The model expects inputs of shape (None, {', '.join(map(str, expected))}) "
               f"({n_expected} features per sample, from {declared}), but {what} has shape "
               f"{tuple(shape)} ({n_given} features per sample).")
    layer = declared_by if declared_by != "Input" else "Flatten"
    side = math.isqrt(n_given)
    if len(expected) == 2 and side * side == n_given:
        return (message + f" For {side}x{side} images write {layer}(input_shape=[{side}, {side}]) "
                f"and pass {what}.reshape(-1, {side}, {side}); for flat rows write "
                f"Input(shape=({n_given},)) or {layer}(input_shape=[{n_given}]).")
    if declared_by != "Input":
        return message + (f" Write {declared_by}(input_shape={list(given)}) to match the data, "
                          f"or reshape {what}.")
    return message + f" Declare Input(shape={given}) to match the data, or reshape {what}."


def as_sample_weight(sample_weight, n, what="sample_weight"):
    """One finite, non-negative weight per sample, as a float64 vector (or None)."""
    if sample_weight is None:
        return None
    weights = to_host(sample_weight)                # NumPy (a GPU array is copied)
    if weights.dtype.kind not in "biuf":
        raise ValueError(f"{what} must be numbers, got dtype {weights.dtype}.")
    weights = weights.astype("float64")
    if weights.shape not in ((n,), (n, 1)):
        raise ValueError(f"{what} must have one weight per sample, shape ({n},); got shape "
                         f"{weights.shape}.")
    check_finite(weights, what)
    if (weights < 0).any():
        raise ValueError(f"{what} must be non-negative; got {weights.min()}.")
    return weights.reshape(n)


def as_validation_split(value):
    """``validation_split`` as a float in [0, 1) (0: no split); text, a bool, NaN or a value
    outside the range raise ``ValueError`` (``"0.2"`` would otherwise fail as a bare
    ``TypeError`` in a comparison)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise ValueError(f"validation_split is the fraction of samples held out, a number "
                         f"between 0 and 1 such as 0.2; got {value!r} "
                         f"({type(value).__name__}).")
    value = float(value)
    if not 0.0 <= value < 1.0:
        raise ValueError(f"validation_split is the fraction of samples held out, between 0 "
                         f"and 1; got {value}.")
    return value


def class_weight_to_sample_weight(y, class_weight):
    """Keras's ``class_weight``: each sample weighs its class's weight (1 for absent classes).

    Labels are integers, or one-hot rows (their argmax is the class). Keys must be class
    indices (whole numbers >= 0: ``{0.7: 2}`` is refused rather than read as class 0) and
    weights finite numbers >= 0.
    """
    if not isinstance(class_weight, dict):
        raise ValueError(f"class_weight must be a dict {{class index: weight}}, got "
                         f"{class_weight!r}.")
    labels = np.asarray(y)
    if labels.ndim > 1:
        labels = labels.argmax(axis=-1) if labels.shape[-1] != 1 else labels[..., 0]
    labels = np.round(labels).astype(np.int64)
    weights = np.ones(len(labels), dtype="float64")
    for cls, weight in class_weight.items():
        weights[labels == _class_index(cls, weight)] = _class_weight(cls, weight)
    return weights


def _class_index(cls, weight):
    whole = isinstance(cls, (numbers.Integral, float, np.floating)) and not isinstance(
        cls, (bool, np.bool_)) and float(cls).is_integer()
    if not whole or cls < 0:
        raise ValueError(f"class_weight maps class indices to numbers, e.g. {{0: 1.0, 1: "
                         f"5.0}}; a class index is a whole number 0, 1, 2, ..., got the key "
                         f"{cls!r} (for {weight!r}).")
    return int(cls)


def _class_weight(cls, weight):
    try:
        value = float(weight)
    except (TypeError, ValueError):
        value = math.nan
    if isinstance(weight, (bool, np.bool_, str)) or not (math.isfinite(value) and value >= 0):
        raise ValueError(f"class_weight maps class indices to numbers, e.g. {{0: 1.0, 1: "
                         f"5.0}}; a weight is finite and >= 0, got {cls!r}: {weight!r}.")
    return value
