"""What the loops check and walk: ``verbose``, ``batch_size``, ``steps``,
``validation_freq``, the (x, y, sample_weight) batches of one pass over arrays, and
``Columns`` (several arrays sliced as one).
"""
import numpy as np


def _batches(x, y, sample_weight, batch_size, order=None):
    """The (x, y, sample_weight) batches of one pass over arrays, in ``order`` if given."""
    for start in range(0, len(x), batch_size):
        # Each batch is gathered from the shuffled order: no per-epoch copy of x (180 MB
        # for 60,000 x 784 float32), so fit's own peak on such data is ~5 MB (tracemalloc).
        rows = slice(start, start + batch_size) if order is None else \
            order[start:start + batch_size]
        yield x[rows], y[rows], None if sample_weight is None else sample_weight[rows]


def _arguments(arguments):
    """A method's ``locals()`` as keyword arguments for its ``data_adapters`` twin."""
    return {k: v for k, v in arguments.items() if k not in ("self", "__class__")}


def _verbosity(verbose):
    if verbose == "auto":
        return 1
    if isinstance(verbose, (bool, int, np.integer)) and int(verbose) in (0, 1, 2):
        return int(verbose)
    raise ValueError(f"verbose must be 'auto', 0, 1 or 2; got {verbose!r}.")


def _should_validate(epoch, validation_freq):
    if isinstance(validation_freq, int) and not isinstance(validation_freq, bool):
        if validation_freq < 1:
            raise ValueError(f"validation_freq must be a positive number of epochs (1: every "
                             f"epoch) or a list of epochs, got {validation_freq!r}.")
        return (epoch + 1) % validation_freq == 0
    if isinstance(validation_freq, (list, tuple, set)):
        return epoch + 1 in validation_freq
    raise ValueError(f"validation_freq must be an int or a list of epochs, got "
                     f"{validation_freq!r}.")


def _batch_size(batch_size):
    return 32 if batch_size is None else _positive_int(batch_size, "batch_size")


def _first_batches(steps, batch_size, *arrays):
    """The arrays cut to their first ``steps`` batches (all of them when steps is None or
    more than there are), as Keras's ``steps`` on in-memory data."""
    if steps is None:
        return arrays
    end = _positive_int(steps, "steps") * batch_size
    return tuple(None if array is None else array[:end] for array in arrays)


def _positive_int(value, name):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(f"{name} must be a positive integer, got {value!r}.")
    return int(value)


def _non_negative_int(value, name):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
        raise ValueError(f"{name} must be a non-negative integer, got {value!r}.")
    return int(value)


class Columns:
    """Several arrays of one length (a model's inputs, or its targets, one per output),
    sliced together: ``len`` is the number of samples, ``[rows]`` those rows of each array.
    The loop treats it as one array, so one loop serves one input and several."""

    def __init__(self, arrays):
        self.arrays = list(arrays)

    def __len__(self):
        return len(self.arrays[0])

    def __getitem__(self, rows):
        return Columns([array[rows] for array in self.arrays])

    def __iter__(self):
        return iter(self.arrays)

    def __repr__(self):
        return f"<Columns shapes={[tuple(a.shape) for a in self.arrays]}>"
