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

from ..callbacks.base import Callback
from .diagnosis import Watcher
from .records import LayerProbe

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
        self._layers = [LayerProbe(layer) for layer in self.model.layers]
        self._step, self._last_batch = 0, (self.params.get("steps") or 0) - 1
        verbose = self.params.get("verbose", 0) if self.verbose is None else self.verbose
        self._watcher = None
        if verbose:
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
