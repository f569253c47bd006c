"""Callbacks that hand each epoch to the user (``keras.callbacks``): ``CSVLogger`` writes
the logs to a CSV file, ``LambdaCallback`` calls the user's functions."""
import collections
import collections.abc
import csv
import os

import numpy as np

from .base import Callback


class CSVLogger(Callback):
    """One CSV row per epoch: ``epoch`` then the logs' keys in sorted order, as Keras 3
    writes it (the same columns, including Keras's ``val_`` columns filled with ``NA`` when
    no validation ran, comma-separated with ``\\r\\n`` line ends).

    ``append=True`` adds to an existing file, without a second header.
    """

    def __init__(self, filename, separator=",", append=False):
        super().__init__()
        self.filename = os.fspath(filename)
        self.sep = separator
        self.append = append
        self.writer = self.keys = self.csv_file = None
        self.append_header = True

    def on_train_begin(self, logs=None):
        mode = "w"
        if self.append:
            if os.path.exists(self.filename):
                with open(self.filename) as existing:
                    self.append_header = not bool(len(existing.readline()))
            mode = "a"
        if self.csv_file is not None and not self.csv_file.closed:
            self.csv_file.close()
        try:
            self.csv_file = open(self.filename, mode)
        except OSError as error:
            raise ValueError(f"CSVLogger cannot open {self.filename!r} for writing "
                             f"({error.strerror}). Give a path in a folder that exists and "
                             f"that you can write to.") from None
        self.writer = self.keys = None

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.keys is None:
            self.keys = sorted(logs)
            if self.keys and not any(key.startswith("val_") for key in self.keys):
                self.keys += [f"val_{key}" for key in self.keys]
        if self.writer is None:
            dialect = type("Dialect", (csv.excel,), {"delimiter": self.sep})
            self.writer = csv.DictWriter(self.csv_file, fieldnames=["epoch"] + self.keys,
                                         dialect=dialect)
            if self.append_header:
                self.writer.writeheader()
        row = collections.OrderedDict({"epoch": epoch})
        row.update((key, _cell(logs.get(key, "NA"))) for key in self.keys)
        self.writer.writerow(row)
        self.csv_file.flush()

    def on_train_end(self, logs=None):
        if self.csv_file is not None and not self.csv_file.closed:
            self.csv_file.close()
        self.writer = None


def _cell(value):
    """A log value as Keras writes it: a list or array as ``"[a, b]"``, else itself."""
    if isinstance(value, str) or (isinstance(value, np.ndarray) and value.ndim == 0):
        return value
    if isinstance(value, collections.abc.Iterable):
        return f'"[{", ".join(map(str, value))}]"'
    return value


class LambdaCallback(Callback):
    """A callback made of functions: ``on_epoch_begin(epoch, logs)``,
    ``on_epoch_end(epoch, logs)``, ``on_train_begin(logs)``, ``on_train_end(logs)``,
    ``on_train_batch_begin(batch, logs)``, ``on_train_batch_end(batch, logs)``; any other
    hook by its name as a keyword (``on_test_end=...``), as Keras's.
    """

    _HOOKS = ("on_epoch_begin", "on_epoch_end", "on_train_begin", "on_train_end",
              "on_train_batch_begin", "on_train_batch_end")

    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_train_begin=None,
                 on_train_end=None, on_train_batch_begin=None, on_train_batch_end=None,
                 **kwargs):
        super().__init__()
        given = dict(zip(self._HOOKS, (on_epoch_begin, on_epoch_end, on_train_begin,
                                       on_train_end, on_train_batch_begin, on_train_batch_end)))
        given.update(kwargs)
        for hook, function in given.items():
            if function is None:
                continue
            if not callable(function):
                raise TypeError(f"LambdaCallback {hook}= must be a function, got {function!r}.")
            setattr(self, hook, function)

    def _uses(self, hook):
        alias = {"on_train_batch_begin": "on_batch_begin",
                 "on_train_batch_end": "on_batch_end"}.get(hook)
        return hook in vars(self) or alias in vars(self) or super()._uses(hook)
