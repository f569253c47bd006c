"""Data sets: scikit-learn's digits with the notes' split (scikit-learn imported lazily)."""
import numpy as np


def load_digits_split(seed=None, test_size=0.3, n_valid=50, scale=None):
    """The notes' ``load_mnist()``: digits, 70/30 train/test split, the first 50 training
    samples held out for validation.

    Returns ``(x_valid, x_train, y_valid, y_train, x_test, y_test)`` in the notes' order, x of
    shape (n, 64) float32 with raw pixels 0..16 (``scale=16`` divides them into 0..1), y int64.
    ``seed`` is ``train_test_split``'s ``random_state`` (the notes leave it unset: None).
    """
    try:
        from sklearn.datasets import load_digits
        from sklearn.model_selection import train_test_split
    except ImportError:
        raise ImportError("load_digits_split needs scikit-learn: pip install scikit-learn") from None
    digits = load_digits()
    x = digits.data.astype("float32")
    if scale:
        x = x / np.float32(scale)
    y = digits.target.astype("int64")
    x_train_full, x_test, y_train_full, y_test = train_test_split(
        x, y, test_size=test_size, random_state=seed)
    x_valid, x_train = x_train_full[:n_valid], x_train_full[n_valid:]
    y_valid, y_train = y_train_full[:n_valid], y_train_full[n_valid:]
    return x_valid, x_train, y_valid, y_train, x_test, y_test
