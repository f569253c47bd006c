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


# -- 2-D toy data sets: two classes in the plane, for decision-boundary pictures ----------------
TOY_DATASETS = ("moons", "circles", "spirals", "xor")


def make_moons(n_samples=200, noise=0.1, seed=None):
    """Two interleaving half circles (as scikit-learn's ``make_moons``).

    Class 0: ``(cos t, sin t)``, class 1: ``(1 - cos t, 1/2 - sin t)``, t uniform in [0, pi],
    then Gaussian noise of std ``noise`` on both coordinates.
    """
    rng, counts = _start(n_samples, noise, seed)
    t0, t1 = rng.uniform(0.0, np.pi, counts[0]), rng.uniform(0.0, np.pi, counts[1])
    points = [np.stack([np.cos(t0), np.sin(t0)], 1),
              np.stack([1.0 - np.cos(t1), 0.5 - np.sin(t1)], 1)]
    return _finish(rng, points, noise)


def make_circles(n_samples=200, noise=0.05, factor=0.5, seed=None):
    """A circle of radius ``factor`` (class 1) inside a circle of radius 1 (class 0)."""
    if not 0.0 < factor < 1.0:
        raise ValueError(f"factor is the inner circle's radius, between 0 and 1; got {factor}.")
    rng, counts = _start(n_samples, noise, seed)
    angles = [rng.uniform(0.0, 2 * np.pi, count) for count in counts]
    points = [radius * np.stack([np.cos(a), np.sin(a)], 1)
              for radius, a in zip((1.0, factor), angles)]
    return _finish(rng, points, noise)


def make_spirals(n_samples=200, noise=0.05, turns=1.5, seed=None):
    """Two interleaved spirals: radius r = s, angle = 2 pi ``turns`` s (+ pi for class 1),
    s in (0, 1] drawn as sqrt(uniform) so points spread evenly along the arms."""
    rng, counts = _start(n_samples, noise, seed)
    points = []
    for label, count in enumerate(counts):
        s = np.sqrt(rng.uniform(0.02, 1.0, count))
        angle = 2 * np.pi * turns * s + np.pi * label
        points.append(np.stack([s * np.cos(angle), s * np.sin(angle)], 1))
    return _finish(rng, points, noise)


def make_xor(n_samples=200, noise=0.05, seed=None):
    """Points uniform in [-1, 1]^2, class 1 where exactly one coordinate is positive
    (the XOR of the two signs); no straight line separates the classes."""
    rng, counts = _start(n_samples, noise, seed)
    points = []
    for label, count in enumerate(counts):
        corner = rng.uniform(0.05, 1.0, (count, 2))           # first quadrant, off the axes
        signs = rng.choice([-1.0, 1.0], count)
        second = signs if label == 0 else -signs               # same signs: class 0
        points.append(corner * np.stack([signs, second], 1))
    return _finish(rng, points, noise)


def load_toy(name, n_samples=200, noise=None, seed=None):
    """One of ``TOY_DATASETS`` by name: ``(x float32 (n, 2), y int64 (n,))``, classes balanced
    and shuffled. ``noise=None`` takes the data set's default."""
    makers = {"moons": make_moons, "circles": make_circles, "spirals": make_spirals,
              "xor": make_xor}
    if name not in makers:
        raise ValueError(f"Unknown toy data set {name!r}; choose one of {', '.join(makers)}.")
    options = {} if noise is None else {"noise": noise}
    return makers[name](n_samples=n_samples, seed=seed, **options)


def _start(n_samples, noise, seed):
    if isinstance(n_samples, bool) or not isinstance(n_samples, (int, np.integer)) \
            or n_samples < 2:
        raise ValueError(f"n_samples must be an integer of at least 2, got {n_samples!r}.")
    if noise < 0:
        raise ValueError(f"noise is a standard deviation and cannot be negative, got {noise}.")
    from .utils import generator
    return generator(seed), (n_samples - n_samples // 2, n_samples // 2)


def _finish(rng, points, noise):
    x = np.concatenate(points)
    y = np.concatenate([np.full(len(p), label, dtype="int64") for label, p in enumerate(points)])
    x = x + noise * rng.standard_normal(x.shape)
    order = rng.permutation(len(x))
    return x[order].astype("float32"), y[order]


# Keras's image data sets from local files: glassnet.datasets.mnist.load_data(path=...)
from .image_datasets import fashion_mnist, mnist  # noqa: E402,F401
