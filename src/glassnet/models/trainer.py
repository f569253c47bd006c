"""The training loop, written once (as Keras's ``Trainer``): ``fit`` and ``train_on_batch``,
with callbacks, metrics and ``History``; ``evaluate``, ``predict`` and the test loop come from
the ``Inference`` mixin (``inference.py``), the argument checks and batches from ``batching.py``.

One training step: forward through the model, the loss and its gradient on the output (on the
logits when the last activation and the loss fuse: softmax + cross-entropy and sigmoid +
binary cross-entropy give ``(p - y) / n``), backward through the model, then the optimizer
applies the gradients in place. Callbacks see each step and each epoch.

Every check on the user's data happens before the first step, so bad input gives one clear
error and no half-trained model. The loop itself does only the step, the running loss and
the metrics: no copies beyond one shuffle per epoch, no per-batch work for absent callbacks.

What a model provides (``Model`` and its subclasses): ``_checked`` / ``_inputs`` (validated
arrays), ``_forward(x, training)``, ``_backward(y, y_pred, sample_weight, fused)``,
``_fused()``, ``_loss_value``, the metrics bookkeeping, ``_params`` / ``_grads``.
"""
import math
import warnings

import numpy as np

from .. import callbacks as callbacks_module
from .. import arrays as device_arrays
from .. import data, threads, utils
from . import data_adapters
from .batching import (Columns, _arguments, _batch_size, _batches, _non_negative_int, _positive_int,
                       _should_validate, _verbosity)
from .inference import Inference


class DivergenceWarning(RuntimeWarning):
    """The training loss became NaN or inf."""


class Trainer(Inference):
    """``fit`` / ``evaluate`` / ``predict`` and the single-batch variants, shared by every model."""

    def _train_step(self, x, y, sample_weight, fused):
        """Forward, backward and update for one batch; returns (loss value, predictions)."""
        y_pred = self._forward(x, training=True)
        loss_value = self._loss_value(y, y_pred, sample_weight)
        self._backward(y, y_pred, sample_weight, fused)
        self.optimizer.apply(self._params, self._grads)
        return loss_value, y_pred

    def _build_optimizer(self):
        """Make the optimizer's state for the trainable weights, as Keras does before the
        first step of fit/evaluate/train_on_batch (so summary() can count it)."""
        build = getattr(self.optimizer, "build", None)
        if build is not None and not getattr(self.optimizer, "built", False):
            build(self._params, **self._weight_roles(self._params))

    def _weight_roles(self, params):
        """``names=`` and ``constraints=`` for ``optimizer.build(params)``: each array's name
        ("kernel", "bias": what ``exclude_from_weight_decay(var_names=)`` matches, as Keras's
        variable names) and its layer's constraint for it (applied after every update)."""
        roles = {}
        for layer in self._layers:
            for param, name, constraint in zip(getattr(layer, "params", ()),
                                               getattr(layer, "param_names", ()),
                                               getattr(layer, "constraints", ())):
                roles[id(param)] = (name, constraint)
        pairs = [roles.get(id(param), (None, None)) for param in params]
        return {"names": [name for name, _ in pairs],
                "constraints": [constraint for _, constraint in pairs]}

    def _update_metrics(self, y, y_pred, sample_weight):
        for metric, weighted in self._metrics:
            metric.update_state(y, y_pred, sample_weight if weighted else None)

    # -- fit ----------------------------------------------------------------------------------
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0, steps_per_epoch=None, validation_steps=None,
            validation_batch_size=None, validation_freq=1):
        """Train for ``epochs`` passes over (x, y) in batches of ``batch_size`` (32).

        As Keras: ``validation_split`` takes the *last* fraction of the samples before any
        shuffling; ``validation_data`` (x, y) or (x, y, sample_weight) overrides it;
        ``shuffle`` reorders the training samples every epoch; an epoch's loss is the mean of
        its batch losses weighted by batch size, its metrics run over the whole epoch. A loss
        that becomes NaN or inf never raises: it is recorded, warned about once when
        verbose, and stops training under ``TerminateOnNaN``.

        ``x`` may also be a Python generator, a ``PyDataset`` (``utils.Sequence``) or another
        iterable of batches, and ``steps_per_epoch`` / ``validation_steps`` count batches, as
        Keras (see ``data_adapters``).
        """
        self._require_compiled("fit")
        if data_adapters.is_batch_source(x) or steps_per_epoch is not None or \
                data_adapters.is_batch_source(validation_data) or validation_steps is not None:
            return data_adapters.fit(self, **_arguments(locals()))
        verbose = _verbosity(verbose)
        batch_size = _batch_size(batch_size)
        epochs = _positive_int(epochs, "epochs")
        initial_epoch = _non_negative_int(initial_epoch, "initial_epoch")
        _should_validate(0, validation_freq)
        x, y, sample_weight = self._checked(x, y, sample_weight, class_weight)
        x, y, sample_weight, validation = self._split_validation(
            x, y, sample_weight, validation_split, validation_data)
        validation_batch_size = _batch_size(validation_batch_size or batch_size)
        self._collect_params()
        self._build_optimizer()
        self._build_metrics(y)
        x, y, sample_weight = self._device_data(x, y, sample_weight)
        if validation is not None:
            validation = self._device_data(*validation)
        fused = self._fused()
        steps = math.ceil(len(x) / batch_size)
        callback_list = callbacks_module.CallbackList(
            callbacks, add_history=True, add_progbar=verbose != 0, model=self,
            verbose=verbose, epochs=epochs, steps=steps)
        shuffler = self._shuffler = utils.generator()   # BackupAndRestore saves its state
        self._initial_epoch = None                      # BackupAndRestore may set it
        self.stop_training = False
        self._warned_divergence = False
        logs = {}
        with threads.limit_for(self._multiply_adds(batch_size)), np.errstate(all="ignore"):
            callback_list.on_train_begin()
            for epoch in range(self._initial_epoch or initial_epoch, epochs):
                self._reset_metrics()
                callback_list.on_epoch_begin(epoch)
                order = self._rows(shuffler.permutation(len(x))) if shuffle else None
                logs = self._fit_epoch(_batches(x, y, sample_weight, batch_size, order), fused,
                                       callback_list, epoch, verbose)
                if validation is not None and _should_validate(epoch, validation_freq):
                    val_logs = self._test_loop(_batches(*validation, validation_batch_size),
                                               callback_list)
                    logs.update({"val_" + k: v for k, v in val_logs.items()})
                callback_list.on_epoch_end(epoch, logs)
                if self.stop_training:
                    break
            finalize = getattr(self.optimizer, "finalize_variable_values", None)
            if finalize is not None and epochs > initial_epoch:    # use_ema: the averages in
                finalize(self._params)
            callback_list.on_train_end(logs)
        return callback_list.history

    def _fit_epoch(self, batches, fused, callback_list, epoch, verbose):
        """One pass over the epoch's ``batches`` of (x, y, sample_weight); returns its logs."""
        batch_begin = callback_list.uses("on_train_batch_begin")
        batch_end = callback_list.uses("on_train_batch_end")
        loss_total, seen = 0.0, 0
        for step, (xb, yb, wb) in enumerate(batches):
            xb, yb, wb = self._feed(xb, yb, wb)
            if batch_begin:
                callback_list.on_train_batch_begin(step)
            loss_value, y_pred = self._train_step(xb, yb, wb, fused)
            loss_total += loss_value * len(xb)
            seen += len(xb)
            self._update_metrics(yb, y_pred, wb)
            if batch_end:
                callback_list.on_train_batch_end(step, self._logs(loss_total / seen))
            # on a device the loss stays there: it is fetched with the logs, not per batch
            if not device_arrays.on_device(loss_value) and not math.isfinite(loss_value):
                self._note_divergence(loss_value, epoch, step, verbose)
            if self.stop_training:
                break
        logs = self._logs(loss_total / seen)
        if not math.isfinite(logs["loss"]) and not self._warned_divergence:
            self._note_divergence(logs["loss"], epoch, None, verbose)
        return logs

    def _note_divergence(self, loss_value, epoch, step, verbose):
        """Warn once per fit (when verbose) that the loss is no longer finite."""
        if verbose and not self._warned_divergence:
            then = ("Training stops here (TerminateOnNaN)." if self.stop_training else
                    "Add glassnet.callbacks.TerminateOnNaN() to stop at the first such batch.")
            warnings.warn(
                f"The loss became {loss_value} at epoch {epoch + 1}"
                f"{'' if step is None else f', batch {step + 1}'}: training "
                f"diverged (weights too large or learning rate too high). Lower the learning "
                f"rate or the initial weight scale. {then}", DivergenceWarning, stacklevel=4)
        self._warned_divergence = True

    def _split_validation(self, x, y, sample_weight, validation_split, validation_data):
        """(train x, y, w, validation (x, y, w) or None), checked before any training."""
        if validation_data is not None:
            if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (2, 3):
                raise ValueError("validation_data must be a tuple (x_val, y_val) or "
                                 "(x_val, y_val, sample_weight_val).")
            w_val = validation_data[2] if len(validation_data) == 3 else None
            validation = self._checked(validation_data[0], validation_data[1], w_val,
                                       what="validation_data ")
            return x, y, sample_weight, validation
        validation_split = data.as_validation_split(validation_split)   # "0.2" is refused
        if not validation_split:
            return x, y, sample_weight, None
        split_at = int(math.floor(len(x) * (1.0 - validation_split)))
        if split_at == 0 or split_at == len(x):
            raise ValueError(f"validation_split={validation_split} of {len(x)} samples leaves no "
                             f"training or no validation samples. Give more data or another "
                             f"validation_split.")
        w_train = None if sample_weight is None else sample_weight[:split_at]
        w_val = None if sample_weight is None else sample_weight[split_at:]
        return x[:split_at], y[:split_at], w_train, (x[split_at:], y[split_at:], w_val)

    def _multiply_adds(self, batch_size):
        return batch_size * sum(p.size for p in self.weights)

    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None,
                       return_dict=False):
        """One update on one batch; returns this batch's loss (and metrics), as Keras."""
        self._require_compiled("train_on_batch")
        x, y, sample_weight = self._checked(x, y, sample_weight, class_weight)
        self._collect_params()
        self._build_optimizer()
        self._build_metrics(y)
        x, y, sample_weight = self._device_data(x, y, sample_weight)
        with threads.limit_for(self._multiply_adds(len(x))), np.errstate(all="ignore"):
            loss_value, y_pred = self._train_step(x, y, sample_weight, self._fused())
        self._update_metrics(y, y_pred, sample_weight)
        return self._result(self._logs(loss_value), return_dict)

    # -- where the data goes ------------------------------------------------------------------
    def _device_data(self, *arrays):
        """The checked NumPy ``arrays`` where the model's weights live. On NumPy: themselves.
        On a device: copied there whole when together they take at most ``DEVICE_DATA_SHARE``
        of the free device memory (then every batch is a slice on the device), else left on
        the host for ``_feed`` to move batch by batch."""
        module = self._array_module()
        self._feed_batches = False
        if module is np:
            return arrays
        size = sum(a.nbytes for array in arrays if array is not None for a in _parts(array))
        if device_arrays.fits_on_device(module, size, DEVICE_DATA_SHARE):
            return tuple(_moved(array, module) for array in arrays)
        self._feed_batches = True
        return arrays

    def _array_module(self):
        """numpy, or the device array module that holds the model's weights."""
        return device_arrays.array_module(*self.weights[:1])

    def _feed(self, *arrays):
        """One batch moved to the device when ``_device_data`` left the data on the host."""
        if not getattr(self, "_feed_batches", False):
            return arrays
        module = self._array_module()
        return tuple(_moved(array, module) for array in arrays)

    def _rows(self, order):
        """The epoch's shuffled row order beside the data (on the device with it)."""
        module = self._array_module()
        if module is np or self._feed_batches:
            return order
        return module.asarray(order)


# Share of the free device memory that fit/evaluate/predict data may take to be copied to the
# device whole (one transfer); larger data stays on the host and moves one batch at a time.
DEVICE_DATA_SHARE = 0.25


def _parts(array):
    """The arrays inside ``array`` (a ``Columns`` of several inputs, or one array)."""
    return array.arrays if isinstance(array, Columns) else [array]


def _moved(array, module):
    if array is None:
        return None
    if isinstance(array, Columns):
        return Columns([module.asarray(a) for a in array.arrays])
    return module.asarray(array)
