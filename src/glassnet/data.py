"""Checking what users feed ``fit``/``evaluate``/``predict``: one clear error, before any work."""
import numpy as np


def as_inputs(x, dtype, what="x"):
    """``x`` as a float array of ``dtype``; NaN, inf, text or ragged rows raise ``ValueError``."""
    if x is None:
        raise ValueError(f"{what} is None: pass the input data as an array.")
    if hasattr(x, "to_numpy"):                       # pandas DataFrame / Series
        x = x.to_numpy()
    try:
        array = np.asarray(x)
    except ValueError as error:
        raise ValueError(f"{what} could not become one array ({error}); give every sample the "
                         f"same shape.") from None
    if array.dtype.kind not in "biuf":
        raise ValueError(f"{what} must be numbers, got an array of dtype {array.dtype}. Convert "
                         f"it with np.asarray({what}, dtype='float32') after encoding any text.")
    if array.ndim == 0:
        raise ValueError(f"{what} is a single number; give an array with one row per sample.")
    array = array.astype(dtype, copy=False)
    check_finite(array, what)
    return array


def as_labels(y, what="y"):
    if y is None:
        raise ValueError(f"{what} is None: pass the labels (targets) as an array.")
    if hasattr(y, "to_numpy"):
        y = y.to_numpy()
    array = np.asarray(y)
    if array.dtype.kind not in "biuf":
        raise ValueError(f"{what} must be numbers, got dtype {array.dtype}. Encode class names "
                         f"as integers 0..K-1 first.")
    if array.ndim == 0:
        raise ValueError(f"{what} is a single number; give one label per sample.")
    if array.dtype.kind == "f":
        check_finite(array, what)
    return array


def check_finite(array, what):
    if array.dtype.kind == "f" and not np.isfinite(array).all():
        bad = ~np.isfinite(array)
        first = np.argwhere(bad)[0]
        kind = "NaN" if np.isnan(array[tuple(first)]) else "inf"
        raise ValueError(f"{what} contains {int(bad.sum())} non-finite values ({kind} first, at "
                         f"sample {first[0]}). Remove or impute them before training, e.g. "
                         f"np.nan_to_num or dropping those rows.")


def check_lengths(x, y, what="x and y"):
    if y is not None and len(x) != len(y):
        raise ValueError(f"{what} have different lengths: {len(x)} samples vs {len(y)} labels. "
                         f"Give one label per sample.")


def as_sample_weight(sample_weight, n):
    if sample_weight is None:
        return None
    weights = np.asarray(sample_weight, dtype="float64")
    if weights.shape not in ((n,), (n, 1)):
        raise ValueError(f"sample_weight must have one weight per sample ({n}), got shape "
                         f"{weights.shape}.")
    check_finite(weights, "sample_weight")
    if (weights < 0).any():
        raise ValueError("sample_weight must be non-negative.")
    return weights.reshape(n)
