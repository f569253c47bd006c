"""MNIST and Fashion-MNIST from local files in Keras's layout (``keras.datasets.mnist`` and
``keras.datasets.fashion_mnist``). glassnet never downloads: when a file is missing, the
error names it, says where to put it and where Keras fetches it from.

- ``mnist.load_data(path="mnist.npz")``: one NumPy ``.npz`` with ``x_train``, ``y_train``,
  ``x_test``, ``y_test``. A relative ``path`` is inside Keras's data folder,
  ``$KERAS_HOME/datasets`` (``~/.keras/datasets`` by default), as Keras resolves it.
- ``fashion_mnist.load_data(path=None)``: the four gzipped IDX files Keras keeps in
  ``<data folder>/fashion-mnist/`` (``path`` names another folder).

Both return ``(x_train, y_train), (x_test, y_test)``: images ``uint8`` of shape
``(n, 28, 28)`` with pixels 0..255, labels ``uint8`` 0..9, exactly as Keras returns them.
"""
import errno
import gzip
import os
import sys
import types

import numpy as np

ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
FASHION_FILES = ("train-labels-idx1-ubyte.gz", "train-images-idx3-ubyte.gz",
                 "t10k-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz")
_IDX_MAGIC = {1: 2049, 3: 2051}         # IDX header: 0x00000801 labels, 0x00000803 images


class DatasetFileNotFoundError(FileNotFoundError, ValueError):
    """A data set file is not on disk; the message says which file and where to put it."""

    def __str__(self):                  # the sentence, not OSError's "[Errno 2] ...: 'path'"
        return self.args[0]


class DatasetFileError(ValueError):
    """A data set file exists but is not what Keras's layout promises."""


def data_folder():
    """Keras's data folder: ``$KERAS_HOME/datasets``, else ``~/.keras/datasets``."""
    home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    return os.path.join(home, "datasets")


def _missing(paths, origin_names, folder):
    """The error for absent files, ``errno`` and ``filename`` (the first) set as by ``open``."""
    names = ", ".join(os.path.basename(p) for p in paths)
    urls = " ".join(ORIGIN + name for name in origin_names)
    error = DatasetFileNotFoundError(
        f"{names} not found in {folder}. glassnet does not download data: put "
        f"{'the file' if len(paths) == 1 else 'these files'} there (Keras fetches "
        f"{'it' if len(paths) == 1 else 'them'} from {urls}), or pass path= to where "
        f"{'it is' if len(paths) == 1 else 'they are'}.")
    error.errno, error.filename = errno.ENOENT, paths[0]
    return error


def load_mnist(path="mnist.npz"):
    """MNIST from Keras's ``mnist.npz``: ``(x_train, y_train), (x_test, y_test)``."""
    full = os.path.join(data_folder(), os.path.expanduser(os.fspath(path)))
    if not os.path.isfile(full):
        raise _missing([full], ["mnist.npz"], os.path.dirname(full))
    try:
        archive = np.load(full, allow_pickle=False)
    except (OSError, ValueError) as error:
        raise DatasetFileError(f"{full} is not a NumPy .npz archive ({error}).") from None
    with archive:
        keys = ("x_train", "y_train", "x_test", "y_test")
        absent = [k for k in keys if k not in archive.files]
        if absent:
            raise DatasetFileError(f"{full} lacks {', '.join(absent)}: Keras's mnist.npz holds "
                                   f"x_train, y_train, x_test and y_test.")
        x_train, y_train, x_test, y_test = (archive[k] for k in keys)
    _check_pairs(full, x_train, y_train, x_test, y_test)
    return (x_train, y_train), (x_test, y_test)


def load_fashion_mnist(path=None):
    """Fashion-MNIST from Keras's four IDX files: ``(x_train, y_train), (x_test, y_test)``."""
    folder = os.path.expanduser(os.fspath(path)) if path is not None else \
        os.path.join(data_folder(), "fashion-mnist")
    paths = [os.path.join(folder, name) for name in FASHION_FILES]
    absent = [p for p in paths if not os.path.isfile(p)]
    if absent:
        raise _missing(absent, [os.path.basename(p) for p in absent], folder)
    y_train, x_train, y_test, x_test = (_read_idx(p, 1 if "labels" in p else 3) for p in paths)
    _check_pairs(folder, x_train, y_train, x_test, y_test)
    return (x_train, y_train), (x_test, y_test)


def _read_idx(path, rank):
    """An IDX file (gzipped): a 4-byte magic number, ``rank`` big-endian sizes, the bytes."""
    try:
        with gzip.open(path, "rb") as stream:
            raw = stream.read()
    except (OSError, EOFError) as error:
        raise DatasetFileError(f"{path} is not a readable gzip file ({error}).") from None
    header = 4 * (1 + rank)
    if len(raw) < header:
        raise DatasetFileError(f"{path} is too short to be an IDX file.")
    magic, *sizes = np.frombuffer(raw, ">u4", count=1 + rank)
    if magic != _IDX_MAGIC[rank] or len(raw) - header != int(np.prod(sizes)):
        raise DatasetFileError(f"{path} is not an IDX file of {'labels' if rank == 1 else 'images'}"
                               f" (magic {int(magic)}, sizes {[int(s) for s in sizes]}, "
                               f"{len(raw) - header} bytes of data).")
    return np.frombuffer(raw, np.uint8, offset=header).reshape([int(s) for s in sizes])


def _check_pairs(where, x_train, y_train, x_test, y_test):
    for x, y, part in ((x_train, y_train, "training"), (x_test, y_test, "test")):
        if len(x) != len(y):
            raise DatasetFileError(f"{where}: the {part} images ({len(x)}) and labels "
                                   f"({len(y)}) differ in number.")


def _dataset_module(name, load_data):
    module = types.ModuleType(f"glassnet.datasets.{name}", load_data.__doc__)
    module.load_data = load_data
    sys.modules[module.__name__] = module          # `import glassnet.datasets.mnist` works too
    return module


mnist = _dataset_module("mnist", load_mnist)
fashion_mnist = _dataset_module("fashion_mnist", load_fashion_mnist)
