"""``Probe``: a callback that records what happens inside each layer while ``fit`` trains.

It reads what the training step already computed (each layer's cached output ``_y`` and its
gradients ``grads``) and does no second pass. Every ``every`` batches, and at the last batch
of each epoch, it appends one record to ``history.probes``::

    {"step": 12, "epoch": 0, "batch": 12, "loss": 2.07,
     "layers": [{"name": "dense", "class": "Dense", "activation": "relu",
                 "units": 300, "fan_in": 64,
                 "kernel_norm": ..., "grad_norm": ..., "update_ratio": ...,
                 "activation_mean": ..., "activation_std": ...,
                 "saturated_share": None, "dead_share": 0.0,
                 "dead_share_epoch": None, "identical_groups": None, "identical_units": None},
                ...]}

``loss`` is that batch's loss (before the update). Statistics that do not apply to a layer
are None (no kernel, not a bounded or ReLU activation). Statistics that cost more than a
step are computed once per epoch, from the weights at the epoch's end, and stored on the
epoch's last record: ``identical_groups`` / ``identical_units`` and ``dead_share_epoch`` (units
that were 0 on every probed batch of the epoch: with ``every=1``, on the whole training set).
NaN and inf are recorded as they are; nothing raises.
"""
import math
import sys

import numpy as np

from .. import data
from ..callbacks.base import Callback
from . import inspect

class Probe(Callback):
    """Records per-layer statistics every ``every`` batches into ``history.probes``.

    With ``verbose`` (default: fit's ``verbose``) it prints each finding of
    ``glassnet.diagnose`` the moment it appears, once, in ``lang`` ('en' or 'ko').
    The records are also ``probe.records``.
    """

    def __init__(self, every=1, verbose=None, lang="en", stream=None):
        super().__init__()
        if isinstance(every, bool) or not isinstance(every, (int, np.integer)) or every <= 0:
            raise ValueError(f"Probe(every=...) must be a positive number of batches, got "
                             f"{every!r}.")
        if lang not in ("en", "ko"):
            raise ValueError(f"Probe(lang=...) must be 'en' or 'ko', got {lang!r}.")
        self.every, self.verbose, self.lang, self.stream = int(every), verbose, lang, stream
        self.records = []

    # -- fit's events ---------------------------------------------------------------------------
    def on_train_begin(self, logs=None):
        history = getattr(self.model, "history", None)      # this fit's (CallbackList sets it)
        self.records = history.probes if history is not None else []
        self._layers = [_LayerProbe(layer) for layer in self.model.layers]
        self._step, self._last_batch = 0, (self.params.get("steps") or 0) - 1
        verbose = self.params.get("verbose", 0) if self.verbose is None else self.verbose
        self._watcher = None
        if verbose:
            from .diagnosis import Watcher
            self._watcher = Watcher(self.model)
            self._report(self._watcher.findings)

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch
        self._epoch_record = None
        self._seen, self._running_loss = 0, 0.0
        for probe in self._layers:
            probe.alive = None
        if self._probes(self._step, 0):
            self._remember_kernels()

    # The kernel before a step is the kernel after the one before: it is copied at the end
    # of the previous batch (or at the epoch's start), so no batch-begin hook is needed.
    def on_train_batch_end(self, batch, logs=None):
        loss = self._batch_loss(logs)
        if self._probes(self._step, batch):
            record = {"step": self._step, "epoch": self._epoch, "batch": batch, "loss": loss,
                      "layers": [probe.statistics() for probe in self._layers]}
            self.records.append(record)
            self._epoch_record = record
            if self._watcher is not None:
                self._report(self._watcher.add(record))
        self._step += 1
        if (batch < self._last_batch or self._last_batch < 0) \
                and self._probes(self._step, batch + 1):
            self._remember_kernels()

    def on_epoch_end(self, epoch, logs=None):
        record = self._epoch_record
        if record is None:
            return
        for probe, row in zip(self._layers, record["layers"]):
            row.update(probe.epoch_statistics())
        if self._watcher is not None:
            self._report(self._watcher.add_epoch_end(record))

    def on_train_end(self, logs=None):
        if self._watcher is not None:
            self._report(self._watcher.finish())

    # -- helpers --------------------------------------------------------------------------------
    def _probes(self, step, batch):
        """Whether batch ``batch`` of the epoch (``step`` of the fit) is recorded."""
        return step % self.every == 0 or batch == self._last_batch

    def _remember_kernels(self):
        for probe in self._layers:
            probe.remember_kernel()

    def _batch_loss(self, logs):
        """This batch's loss, from the epoch's running mean in ``logs`` (as Keras reports it):
        mean_k * seen_k - mean_(k-1) * seen_(k-1) = batch loss * batch size."""
        mean = (logs or {}).get("loss")
        size = self._batch_size()
        if mean is None or not size:
            return None
        previous = self._running_loss
        self._seen += size
        self._running_loss = float(mean) * self._seen
        return (self._running_loss - previous) / size if math.isfinite(previous) else \
            float("nan")

    def _batch_size(self):
        output = getattr(self._layers[-1].layer, "_y", None)    # this batch's predictions
        return 0 if output is None else len(output)

    def _report(self, findings):
        stream = self.stream or sys.stdout
        start = "\n" if getattr(stream, "isatty", lambda: False)() else ""   # past a live bar
        for finding in findings:
            print(start + finding.format(self.lang), file=stream)

    def get_config(self):
        return {"every": self.every, "verbose": self.verbose, "lang": self.lang}

    def __repr__(self):
        return f"Probe(every={self.every})"


class _LayerProbe:
    """What the Probe keeps for one layer: its kernel before the step and its live units."""

    def __init__(self, layer):
        self.layer = layer
        named = dict(zip(layer.param_names, layer.params))
        self.kernel = named.get("kernel")
        # fit's backward writes into the same gradient arrays every step (the optimizer
        # holds them too), so one reference is enough
        self.grad = dict(zip(layer.param_names, layer.grads)).get("kernel")
        self.before = None if self.kernel is None else np.empty_like(self.kernel)
        if self.kernel is not None:        # flat views for the norms: no reshape per step
            self.before_flat, self.grad_flat = self.before.reshape(-1), self.grad.reshape(-1)
        self.activation = inspect.activation_name(layer)
        self.kind = inspect.output_kind(layer)
        self.class_name = type(layer).__name__
        self.units = inspect.units(layer)
        self.fan_in = None if self.kernel is None else int(self.kernel.shape[0])
        self.alive = self.kernel_norm = None

    def remember_kernel(self):
        """Copy the kernel before a step, and take its norm while the copy is in cache."""
        if self.kernel is not None:
            self.before[...] = self.kernel
            self.kernel_norm = inspect.fast_norm(self.before_flat)

    def statistics(self, after=None):
        """This step's row; ``after`` is the kernel after the update (default: the layer's)."""
        layer = self.layer
        kernel_norm = grad_norm = update_ratio = None
        if self.kernel is not None:
            kernel_norm = self.kernel_norm
            np.subtract(self.kernel if after is None else after, self.before,
                        out=self.before)                                # the step's update
            grad_norm = inspect.fast_norm(self.grad_flat)
            update_ratio = inspect.ratio(inspect.fast_norm(self.before_flat), kernel_norm)
        mean = std = saturated = dead = None
        output = getattr(layer, "_y", None)
        if output is not None:
            mean, std, saturated, alive = inspect.output_statistics(layer, output, self.kind)
            if alive is not None:
                dead = 1.0 - int(np.add.reduce(alive)) / alive.size
                if self.alive is None:
                    self.alive = alive
                else:
                    np.logical_or(self.alive, alive, out=self.alive)
        return {"name": layer.name, "class": self.class_name, "activation": self.activation,
                "units": self.units, "fan_in": self.fan_in, "kernel_norm": kernel_norm,
                "grad_norm": grad_norm, "update_ratio": update_ratio, "activation_mean": mean,
                "activation_std": std, "saturated_share": saturated, "dead_share": dead,
                "dead_share_epoch": None, "identical_groups": None, "identical_units": None}

    def epoch_statistics(self):
        stats = {}
        if self.alive is not None:
            stats["dead_share_epoch"] = 1.0 - int(np.count_nonzero(self.alive)) / self.alive.size
        if self.kernel is not None:
            groups, members = inspect.identical_units(self.layer)
            stats["identical_groups"], stats["identical_units"] = groups, members
        return stats


def snapshot_record(model, x, y, sample_weight=None):
    """A Probe record for ``model`` on one batch, without training: the statistics of one
    forward and backward pass (dropout off), ``update_ratio`` from the step a fresh copy of
    the model's optimizer would take (on copies of the weights), the per-epoch statistics
    from this batch alone. Nothing in the model changes. Returns ``(record, targets)``, the
    targets as the loss sees them."""
    x = model._inputs(x)
    y = model._targets(y, len(x))
    sample_weight = data.as_sample_weight(sample_weight, len(x))
    with inspect._preserved(model), np.errstate(all="ignore"):
        loss, _ = inspect._loss_and_backward(model, x, y, sample_weight)
        probes = [_LayerProbe(layer) for layer in model.layers]
        after = _next_kernels(model)
        rows = []
        for probe in probes:
            probe.remember_kernel()
            rows.append(probe.statistics(after.get(id(probe.layer))))
            rows[-1].update(probe.epoch_statistics())
    record = {"step": 0, "epoch": 0, "batch": 0, "loss": loss, "layers": rows}
    return record, y


def _next_kernels(model):
    """Each trainable layer's kernel after one step of a fresh copy of the optimizer, taken
    on copies of the weights: {id(layer): kernel}. Empty when the optimizer cannot be copied."""
    optimizer = model.optimizer
    try:
        fresh = type(optimizer).from_config(optimizer.get_config())
    except (AttributeError, TypeError, ValueError):
        return {}
    layers = [layer for layer in model.layers if layer.trainable and layer.params]
    params = [p.copy() for layer in layers for p in layer.params]
    grads = [g for layer in layers for g in layer.grads]
    fresh.apply(params, grads)
    kernels, start = {}, 0
    for layer in layers:
        named = dict(zip(layer.param_names, params[start:start + len(layer.params)]))
        if "kernel" in named:
            kernels[id(layer)] = named["kernel"]
        start += len(layer.params)
    return kernels
