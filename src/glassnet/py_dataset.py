"""``PyDataset`` (``keras.utils.PyDataset``, also ``keras.utils.Sequence``): a dataset that
hands out whole batches by index, for data that does not fit in one array or is made on the
fly (files read, augmentation).

A subclass defines ``__len__`` (the number of batches; or the ``num_batches`` property,
None for an endless dataset) and ``__getitem__(index)`` returning a batch ``(x, y)`` or
``(x, y, sample_weight)``; ``on_epoch_begin`` / ``on_epoch_end`` run around each epoch (to
reshuffle, say). ``fit`` / ``evaluate`` / ``predict`` take one as ``x``.

``workers`` (1) and ``use_multiprocessing`` (False) are Keras's: with ``workers > 1``,
batches are made ahead by that many threads (processes with ``use_multiprocessing=True``,
the dataset then pickled to each), at most ``max_queue_size`` (10) ahead; they are still
consumed in index order, so training is the same whatever the number of workers.
"""
import itertools


class PyDataset:
    """Base class of index-addressed batch datasets, as Keras's (subclass it; call
    ``super().__init__(**kwargs)`` with ``workers``, ``use_multiprocessing``,
    ``max_queue_size``)."""

    def __init__(self, workers=1, use_multiprocessing=False, max_queue_size=10):
        if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
            raise ValueError(f"workers must be a positive integer (1: batches made in the "
                             f"training thread), got {workers!r}.")
        if isinstance(max_queue_size, bool) or not isinstance(max_queue_size, int) \
                or max_queue_size < 1:
            raise ValueError(f"max_queue_size must be a positive integer, got "
                             f"{max_queue_size!r}.")
        self._workers = workers
        self._use_multiprocessing = bool(use_multiprocessing)
        self._max_queue_size = max_queue_size

    @property
    def workers(self):
        return getattr(self, "_workers", 1)

    @workers.setter
    def workers(self, value):
        self._workers = value

    @property
    def use_multiprocessing(self):
        return getattr(self, "_use_multiprocessing", False)

    @use_multiprocessing.setter
    def use_multiprocessing(self, value):
        self._use_multiprocessing = value

    @property
    def max_queue_size(self):
        return getattr(self, "_max_queue_size", 10)

    @max_queue_size.setter
    def max_queue_size(self, value):
        self._max_queue_size = value

    def __getitem__(self, index):
        """The batch at position ``index``."""
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__(index), "
                                  f"returning the batch (x, y) at that index.")

    @property
    def num_batches(self):
        """The number of batches (``len``), or None for an endless dataset."""
        if hasattr(type(self), "__len__"):
            return len(self)
        raise NotImplementedError(f"{type(self).__name__} must define __len__ (the number of "
                                  f"batches) or a num_batches property (None when endless).")

    def on_epoch_begin(self):
        """Called at the beginning of every epoch."""

    def on_epoch_end(self):
        """Called at the end of every epoch."""

    def __iter__(self):
        count = self.num_batches
        for index in (range(count) if count is not None else itertools.count()):
            yield self[index]


Sequence = PyDataset                    # Keras 3's keras.utils.Sequence is PyDataset
