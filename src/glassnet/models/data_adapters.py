"""Data that is not one array in memory, for ``fit`` / ``evaluate`` / ``predict``, as Keras's
data adapters: Python generators (and other iterators), ``PyDataset`` / ``utils.Sequence``
(and other re-iterable batch sources such as a torch ``DataLoader``), and arrays read a
fixed number of batches per epoch (``steps_per_epoch``, ``validation_steps``).

Every batch is ``x``, ``(x,)``, ``(x, y)`` or ``(x, y, sample_weight)``
(``utils.unpack_x_y_sample_weight``) and goes through the same checks as arrays do, batch by
batch, then through the one training loop (``Trainer._fit_epoch`` / ``_test_loop``).

How an epoch draws its batches (Keras 3's ``EpochIterator``):
- no ``steps_per_epoch``: one pass over the source (a ``PyDataset`` or arrays: all their
  batches; a generator: until it is exhausted);
- with ``steps_per_epoch``: that many batches, taken from one iterator that carries on from
  epoch to epoch; a source of known length starts a fresh pass (arrays reshuffled) once it is
  used up, and the epoch that reaches its end stops there, with Keras's warning "Your input
  ran out of data". Arrays without ``batch_size`` get ``ceil(samples / steps_per_epoch)``.
- A generator's first two batches are read ahead (the model and the metrics are built from
  the first) and every new pass replays them, as Keras's; a generator that ends inside an
  epoch gives Keras's warning, and the next epoch replays those two batches. Each
  validation (and each ``evaluate``) starts a fresh pass and takes ``validation_steps``
  batches of it.

A ``PyDataset``'s batches are visited in a shuffled order each epoch when ``shuffle=True``
(fit's default, as Keras), drawn from glassnet's seeded generator; made ahead by its
``workers`` (threads, or processes with ``use_multiprocessing``), consumed in order.
"""
import concurrent.futures
import itertools
import math
import multiprocessing
import warnings

import numpy as np

from .. import callbacks as callbacks_module
from .. import threads, utils
from ..py_dataset import PyDataset
from .batching import _non_negative_int, _positive_int, _should_validate, _verbosity

_RAN_OUT = ("Your input ran out of data; interrupting training. Make sure that your dataset "
            "or generator can generate at least `steps_per_epoch * epochs` batches.")


def is_batch_source(x):
    """Whether ``x`` hands out batches (a generator, a PyDataset, an iterable of batches)
    rather than being the data itself (arrays, lists of arrays, dicts of arrays)."""
    if x is None or isinstance(x, (np.ndarray, list, tuple, dict, str, bytes)):
        return False
    if _is_py_dataset(x) or hasattr(x, "__next__"):
        return True
    return hasattr(x, "__iter__") and not hasattr(x, "__array__") and not hasattr(x, "shape") \
        and not hasattr(x, "columns")            # a pandas DataFrame is data


def _is_py_dataset(x):
    return isinstance(x, PyDataset) or any(
        cls.__name__ in ("PyDataset", "Sequence") for cls in type(x).__mro__[1:])


# -- sources: where batches come from ---------------------------------------------------------

class _Arrays:
    """In-memory (x, y, sample_weight), checked once, in batches (reshuffled each pass)."""

    def __init__(self, x, y, sample_weight, batch_size, shuffle):
        self.x, self.y, self.sample_weight = x, y, sample_weight
        self.batch_size, self.shuffle = batch_size, shuffle
        self.num_batches = math.ceil(len(x) / batch_size)
        self._shuffler = utils.generator() if shuffle else None

    def passes(self):
        order = self._shuffler.permutation(len(self.x)) if self.shuffle else None
        for start in range(0, len(self.x), self.batch_size):
            rows = slice(start, start + self.batch_size) if order is None else \
                order[start:start + self.batch_size]
            yield (self.x[rows], self.y[rows],
                   None if self.sample_weight is None else self.sample_weight[rows])

    def on_epoch_begin(self):
        pass

    def on_epoch_end(self):
        pass


class _PyDataset:
    """A ``PyDataset``: batch ``i`` is ``dataset[i]``, made ahead by its workers."""

    def __init__(self, dataset, shuffle):
        self.dataset, self.shuffle = dataset, shuffle
        self.num_batches = dataset.num_batches
        self._shuffler = utils.generator() if shuffle and self.num_batches else None

    def passes(self):
        if self.num_batches is None:
            indices = itertools.count()
        elif self._shuffler is not None:
            indices = (int(i) for i in self._shuffler.permutation(self.num_batches))
        else:
            indices = iter(range(self.num_batches))
        workers = getattr(self.dataset, "workers", 1) or 1
        if workers <= 1 and not getattr(self.dataset, "use_multiprocessing", False):
            return (self.dataset[i] for i in indices)
        return _ahead(self.dataset, indices, workers,
                      getattr(self.dataset, "use_multiprocessing", False),
                      getattr(self.dataset, "max_queue_size", 10) or 10)

    def on_epoch_begin(self):
        getattr(self.dataset, "on_epoch_begin", lambda: None)()

    def on_epoch_end(self):
        getattr(self.dataset, "on_epoch_end", lambda: None)()


class _Iterator:
    """A generator (or any iterator). As Keras, its first two batches are read ahead (to
    build the model and metrics from) and every new pass replays them before carrying on
    with the rest of the generator."""

    num_batches = None
    PEEKED = 2                          # Keras's NUM_BATCHES_FOR_TENSOR_SPEC

    def __init__(self, iterator):
        self._first = list(itertools.islice(iterator, self.PEEKED))
        if not self._first:
            raise ValueError("The generator yielded no batch: a generator given to fit/evaluate/"
                             "predict must yield (x, y) batches.")
        self._rest = iterator

    def passes(self):
        return itertools.chain(self._first, self._rest)

    def peek(self):
        return self._first[0]

    def on_epoch_begin(self):
        pass

    def on_epoch_end(self):
        pass


class _Iterable:
    """A re-iterable batch source (e.g. a torch ``DataLoader``): a fresh ``iter`` per pass."""

    def __init__(self, iterable):
        self.iterable = iterable
        self.num_batches = len(iterable) if hasattr(iterable, "__len__") else None

    def passes(self):
        return iter(self.iterable)

    def on_epoch_begin(self):
        pass

    def on_epoch_end(self):
        pass


def _source(x, shuffle):
    if _is_py_dataset(x):
        return _PyDataset(x, shuffle)
    if hasattr(x, "__next__"):
        return _Iterator(x)
    return _Iterable(x)


def _peek(source):
    """The first raw batch of a source, without losing it."""
    if isinstance(source, _Iterator):
        return source.peek()
    if isinstance(source, _PyDataset):
        return source.dataset[0]
    for batch in source.passes():
        return batch
    raise ValueError("The batch source gave no batch: it must give (x, y) batches.")


def _ahead(dataset, indices, workers, processes, queue_size):
    """``dataset[i]`` for each index, made by a pool ``queue_size`` ahead, yielded in order."""
    if processes:
        pool = concurrent.futures.ProcessPoolExecutor(
            workers, mp_context=multiprocessing.get_context("fork"),
            initializer=_set_worker_dataset, initargs=(dataset,))
        get = _worker_batch
    else:
        pool = concurrent.futures.ThreadPoolExecutor(workers)
        get = dataset.__getitem__
    with pool:
        pending = [pool.submit(get, i) for i in itertools.islice(indices, queue_size)]
        while pending:
            batch = pending.pop(0).result()
            for i in itertools.islice(indices, 1):
                pending.append(pool.submit(get, i))
            yield batch


_WORKER = {}


def _set_worker_dataset(dataset):
    _WORKER["dataset"] = dataset


def _worker_batch(index):
    return _WORKER["dataset"][index]


# -- epochs: how many batches each epoch takes (Keras's EpochIterator) -------------------------

_END = object()


class Epochs:
    """Batches of a source, epoch by epoch, each checked by ``check(raw batch)``: Keras's
    ``EpochIterator``, step for step (which batches each epoch gets, when a pass restarts)."""

    def __init__(self, source, steps, check):
        self.source, self.steps, self.check = source, steps, check
        self.reset()

    def reset(self):
        """Forget the current pass (fit does it once, evaluate and each validation every
        time, as Keras)."""
        self.num_batches = self.source.num_batches
        self._current, self._seen = None, 0

    @property
    def steps_per_epoch(self):
        return self.steps or self.num_batches

    def epoch(self):
        """This epoch's checked batches (x, y, sample_weight)."""
        self.source.on_epoch_begin()
        try:
            steps = self.steps or self.num_batches
            if not steps:                                    # length unknown: until it ends
                yield from self._until_exhausted(iter(self.source.passes()))
                return
            if self._current is None or self.steps is None:
                self._current, self._seen = iter(self.source.passes()), 0
            for _ in range(steps):
                if self.num_batches and self._seen >= self.num_batches:
                    if self.steps:
                        _warn_ran_out()
                    break
                self._seen += 1
                batch = next(self._current, _END)
                if batch is _END:
                    self._ran_out()
                    return
                yield self.check(batch)
            if self.num_batches and self._seen >= self.num_batches:
                self._current, self._seen = iter(self.source.passes()), 0
        finally:
            self.source.on_epoch_end()

    def _until_exhausted(self, iterator):
        self._seen = 0
        while True:
            self._seen += 1
            batch = next(iterator, _END)
            if batch is _END:
                self._ran_out()
                return
            yield self.check(batch)

    def _ran_out(self):
        """The source ended inside an epoch: Keras warns, learns its length (counting the
        step that found nothing, as Keras does) and starts a new pass next time."""
        if self.num_batches is None:
            self.num_batches = self._seen
        self._current = None
        _warn_ran_out()


def _warn_ran_out():
    warnings.warn(_RAN_OUT, UserWarning, stacklevel=4)


def _checker(model, class_weight=None, what=""):
    def check(batch):
        x, y, sample_weight = utils.unpack_x_y_sample_weight(batch)
        if y is None:
            raise ValueError(f"A {what}batch holds inputs only; fit and evaluate need batches "
                             f"(x, y) or (x, y, sample_weight).")
        return model._checked(x, y, sample_weight, class_weight, what=what)
    return check


def _epochs(model, x, y, sample_weight, class_weight, batch_size, shuffle, steps, what=""):
    """``Epochs`` over a batch source, or over arrays counted in steps."""
    if is_batch_source(x):
        for name, value in (("y", y), ("sample_weight", sample_weight)):
            if value is not None:
                raise ValueError(f"{name} must be None when x is a {type(x).__name__}: each "
                                 f"batch it gives carries its own (x, y, sample_weight).")
        return Epochs(_source(x, shuffle), steps, _checker(model, class_weight, what))
    x, y, sample_weight = model._checked(x, y, sample_weight, class_weight, what=what)
    if batch_size is None:
        batch_size = math.ceil(len(x) / steps) if steps else 32
    source = _Arrays(x, y, sample_weight, _positive(batch_size, "batch_size"), shuffle)
    return Epochs(source, steps, lambda batch: batch)


def _positive(value, name, allow_none=False):
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(f"{name} must be a positive integer, got {value!r}.")
    return int(value)


def _build_from_first_batch(model, epochs):
    """Build the model and the metrics from the first batch (as Keras's symbolic build)."""
    source = epochs.source
    y = source.y if isinstance(source, _Arrays) else epochs.check(_peek(source))[1]
    model._collect_params()
    model._build_optimizer()
    model._build_metrics(y)
    model._feed_batches = model._array_module() is not np


# -- fit / evaluate / predict on batch sources -----------------------------------------------

def fit(model, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
        validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
        sample_weight=None, initial_epoch=0, steps_per_epoch=None, validation_steps=None,
        validation_batch_size=None, validation_freq=1):
    """``Model.fit`` for batch sources and step counts: the same loop, callbacks and History."""
    verbose = _verbosity(verbose)
    epochs_count = _positive_int(epochs, "epochs")
    initial_epoch = _non_negative_int(initial_epoch, "initial_epoch")
    steps_per_epoch = _positive(steps_per_epoch, "steps_per_epoch", allow_none=True)
    validation_steps = _positive(validation_steps, "validation_steps", allow_none=True)
    _should_validate(0, validation_freq)
    if validation_split and is_batch_source(x):
        raise ValueError(f"validation_split needs arrays to split; x is a {type(x).__name__}. "
                         f"Pass validation_data= instead.")
    if validation_split:
        x, y, sample_weight = model._checked(x, y, sample_weight, class_weight)
        x, y, sample_weight, validation_data = model._split_validation(
            x, y, sample_weight, validation_split, None)
        class_weight = None                      # already in sample_weight
    train = _epochs(model, x, y, sample_weight, class_weight, batch_size, shuffle,
                    steps_per_epoch)
    validation = _validation(model, validation_data, validation_batch_size or batch_size,
                             validation_steps)
    _build_from_first_batch(model, train)
    fused = model._fused()
    callback_list = callbacks_module.CallbackList(
        callbacks, add_history=True, add_progbar=verbose != 0, model=model, verbose=verbose,
        epochs=epochs_count, steps=train.steps_per_epoch)
    model._shuffler = getattr(train.source, "_shuffler", None)   # for BackupAndRestore
    model._initial_epoch = None                                  # BackupAndRestore may set it
    model.stop_training = False
    model._warned_divergence = False
    logs = {}
    with threads.limit_for(model._multiply_adds(batch_size or 32)), np.errstate(all="ignore"):
        callback_list.on_train_begin()
        for epoch in range(model._initial_epoch or initial_epoch, epochs_count):
            model._reset_metrics()
            callback_list.on_epoch_begin(epoch)
            batches = _non_empty(train.epoch())
            if batches is None:                  # an epoch without one batch: nothing to learn
                break
            logs = model._fit_epoch(batches, fused, callback_list, epoch, verbose)
            if validation is not None and _should_validate(epoch, validation_freq):
                validation.reset()
                val_logs = model._test_loop(validation.epoch(), callback_list)
                logs.update({"val_" + k: v for k, v in val_logs.items()})
            callback_list.on_epoch_end(epoch, logs)
            if model.stop_training:
                break
        finalize = getattr(model.optimizer, "finalize_variable_values", None)
        if finalize is not None and epochs_count > initial_epoch:   # use_ema, as Trainer.fit
            finalize(model._params)
        callback_list.on_train_end(logs)
    return callback_list.history


def _validation(model, validation_data, batch_size, steps):
    if validation_data is None:
        return None
    if is_batch_source(validation_data):
        return _epochs(model, validation_data, None, None, None, None, False, steps,
                       "validation_data ")
    if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (2, 3):
        raise ValueError("validation_data must be a tuple (x_val, y_val) or (x_val, y_val, "
                         "sample_weight_val), a generator or a PyDataset.")
    x_val, y_val, w_val = utils.unpack_x_y_sample_weight(tuple(validation_data))
    return _epochs(model, x_val, y_val, w_val, None, batch_size, False, steps,
                   "validation_data ")


def _non_empty(batches):
    """``batches`` with its first element fetched ahead; None when there is none."""
    first = next(batches, None)
    if first is None:
        return None
    return itertools.chain([first], batches)


def evaluate(model, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None,
             steps=None, callbacks=None, return_dict=False):
    """``Model.evaluate`` on a batch source (``steps`` batches at most)."""
    verbose = _verbosity(verbose)
    steps = _positive(steps, "steps", allow_none=True)
    batches = _epochs(model, x, y, sample_weight, None, batch_size, False, steps)
    _build_from_first_batch(model, batches)
    callback_list = callbacks_module.CallbackList(
        callbacks, add_progbar=verbose != 0, model=model, verbose=verbose, epochs=1,
        steps=batches.steps_per_epoch)
    with threads.limit_for(model._multiply_adds(batch_size or 32)), np.errstate(all="ignore"):
        logs = model._test_loop(batches.epoch(), callback_list)
    return model._result(logs, return_dict)


def predict(model, x, batch_size=None, verbose="auto", steps=None, callbacks=None):
    """``Model.predict`` on a batch source: each batch's x (a batch may be x alone, or a
    tuple whose first element is x), outputs concatenated."""
    verbose = _verbosity(verbose)
    steps = _positive(steps, "steps", allow_none=True)
    source = _source(x, shuffle=False)
    batches = Epochs(source, steps, lambda batch: model._inputs(
        utils.unpack_x_y_sample_weight(batch)[0]))
    callback_list = callbacks_module.CallbackList(
        callbacks, add_progbar=verbose != 0, model=model, verbose=verbose, epochs=1,
        steps=batches.steps_per_epoch)
    outputs = []
    with np.errstate(all="ignore"):
        callback_list.on_predict_begin()
        for step, xb in enumerate(batches.epoch()):
            callback_list.on_predict_batch_begin(step)
            batch = model.predict_on_batch(xb)
            outputs.append(batch)
            callback_list.on_predict_batch_end(step, {"outputs": batch})
        callback_list.on_predict_end()
    if not outputs:
        raise ValueError("predict got no batch from its input.")
    if isinstance(outputs[0], list):
        return [np.concatenate(parts) for parts in zip(*outputs)]
    return np.concatenate(outputs)
