"""``TensorBoard`` (``keras.callbacks.TensorBoard``): training curves and histograms for
``tensorboard --logdir``, written by glassnet itself (``event_file``; no TensorFlow).

As Keras: ``log_dir/train`` and ``log_dir/validation`` each get an event file; every epoch
writes ``epoch_<name>`` scalars (the loss, each metric, ``learning_rate``; the ``val_``
metrics go to ``validation`` without the prefix) at step = epoch; with ``update_freq="batch"``
(or N) the training logs are also written as ``batch_<name>`` every (N-th) batch, at the
global batch count. With ``histogram_freq=N``, every N-th epoch writes each weight as the
histogram ``<layer>/<weight>/histogram``.

What Keras dropped, glassnet writes when a ``glassnet.callbacks.Probe`` runs in the same fit:
each layer's activations (``activations/<layer>``) and gradients
(``gradients/<layer>/<weight>``) of the epoch's last training batch as histograms (read
from what the step computed; no second pass), the Probe's per-layer statistics as scalars
(``probe/<layer>/<statistic>``), and ``glassnet.diagnose`` of the run so far as text
(``diagnosis``, Markdown). ``write_graph`` is refused (glassnet has no graph to draw);
``write_images``, ``profile_batch``, ``embeddings_freq`` are accepted only off.
"""
import numbers
import os

import numpy as np

from ..arrays import to_host
from . import event_file
from .base import Callback

_PROBE_SCALARS = ("kernel_norm", "grad_norm", "update_ratio", "activation_mean",
                  "activation_std", "saturated_share", "dead_share")


class TensorBoard(Callback):
    """Write TensorBoard logs to ``log_dir`` (default ``"logs"``)."""

    def __init__(self, log_dir="logs", histogram_freq=0, write_graph=False, write_images=False,
                 write_steps_per_second=False, update_freq="epoch", profile_batch=0,
                 embeddings_freq=0, embeddings_metadata=None):
        super().__init__()
        if write_graph:
            raise ValueError("TensorBoard(write_graph=True): glassnet has no computation graph "
                             "to draw; pass write_graph=False (the layers are in "
                             "model.summary()).")
        for name, value in (("write_images", write_images),
                            ("write_steps_per_second", write_steps_per_second),
                            ("profile_batch", profile_batch),
                            ("embeddings_freq", embeddings_freq),
                            ("embeddings_metadata", embeddings_metadata)):
            if value:
                raise ValueError(f"TensorBoard({name}=...) is not supported by glassnet; "
                                 f"leave it off.")
        if isinstance(histogram_freq, bool) or not isinstance(histogram_freq, numbers.Integral) \
                or histogram_freq < 0:
            raise ValueError(f"histogram_freq must be a number of epochs (0: no histograms), "
                             f"got {histogram_freq!r}.")
        if update_freq not in ("batch", "epoch") and (
                isinstance(update_freq, bool) or not isinstance(update_freq, numbers.Integral)
                or update_freq < 1):
            raise ValueError(f"update_freq must be 'epoch', 'batch' or a positive number of "
                             f"batches, got {update_freq!r}.")
        self.log_dir = os.fspath(log_dir)
        self.histogram_freq = int(histogram_freq)
        self.write_graph = False
        self.update_freq = 1 if update_freq == "batch" else update_freq
        self._writers = {}
        self._global_train_batch = 0

    def _writer(self, run):
        if run not in self._writers:
            self._writers[run] = event_file.EventFileWriter(os.path.join(self.log_dir, run))
        return self._writers[run]

    # -- scalars ------------------------------------------------------------------------------
    def on_train_begin(self, logs=None):
        self._global_train_batch = 0
        self._last_batch = None

    def _uses(self, hook):
        if hook == "on_train_batch_end":           # only when batches are written or probed
            return self.update_freq != "epoch" or bool(self.histogram_freq)
        return super()._uses(hook)

    def on_train_batch_end(self, batch, logs=None):
        self._global_train_batch += 1
        if self.update_freq != "epoch" and self._global_train_batch % self.update_freq == 0:
            values = [event_file.scalar_value(f"batch_{name}", value)
                      for name, value in _numbers(logs)]
            if values:
                self._writer("train").write(self._global_train_batch, values)
        if self._histograms_due(self._epoch) and self._probing():
            self._last_batch = self._snapshot()

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_epoch_end(self, epoch, logs=None):
        logs = dict(_numbers(logs))
        rate = getattr(getattr(self.model, "optimizer", None), "learning_rate", None)
        train = {k: v for k, v in logs.items() if not k.startswith("val_")}
        if isinstance(rate, numbers.Real):
            train["learning_rate"] = float(rate)
        validation = {k[4:]: v for k, v in logs.items() if k.startswith("val_")}
        for run, values in (("train", train), ("validation", validation)):
            if values:
                self._writer(run).write(epoch, [event_file.scalar_value(f"epoch_{k}", v)
                                                for k, v in values.items()])
        if self._histograms_due(epoch):
            self._write_histograms(epoch)
        for writer in self._writers.values():
            writer.flush()

    def on_train_end(self, logs=None):
        epoch = getattr(self, "_epoch", 0)
        if self._probing() and getattr(self, "_diagnosed", None) != epoch:
            self._write_diagnosis(epoch)
        for writer in self._writers.values():
            writer.close()
        self._writers = {}

    # -- histograms, probe statistics, diagnosis ----------------------------------------------
    def _histograms_due(self, epoch):
        return bool(self.histogram_freq) and epoch % self.histogram_freq == 0

    def _probing(self):
        """Whether a Probe records this fit (its records go to ``model.history.probes``)."""
        history = getattr(self.model, "history", None)
        return bool(getattr(history, "probes", None))

    def _snapshot(self):
        """The last training batch's activations and gradients, copied to the host (the
        gradient arrays are overwritten in place by the next step)."""
        return [(layer.name, _host(getattr(layer, "_y", None)),
                 [(name, np.array(_host(grad))) for name, grad in zip(layer.param_names,
                                                                      layer.grads)])
                for layer in self.model.layers]

    def _write_histograms(self, epoch):
        values = [event_file.histogram_value(f"{layer.name}/{name}/histogram", _host(weight))
                  for layer in self.model.layers
                  for name, weight in zip(layer.param_names + layer.buffer_names,
                                          layer.weights)]
        if self._probing():
            for name, activation, grads in self._last_batch or []:
                if activation is not None:
                    values.append(event_file.histogram_value(f"activations/{name}",
                                                             activation))
                values += [event_file.histogram_value(f"gradients/{name}/{weight}", grad)
                           for weight, grad in grads]
            values += self._probe_scalars()
            self._write_diagnosis(epoch)
        if values:
            self._writer("train").write(epoch, values)

    def _probe_scalars(self):
        record = self.model.history.probes[-1]
        return [event_file.scalar_value(f"probe/{layer['name']}/{key}", layer[key])
                for layer in record["layers"] for key in _PROBE_SCALARS
                if isinstance(layer.get(key), numbers.Real)]

    def _write_diagnosis(self, epoch):
        from ..insight.diagnosis import diagnose     # insight sits above the callbacks
        findings = diagnose(self.model.history)
        lines = [f"- **{f.severity}** `{f.code}`" + (f" ({f.layer})" if f.layer else "")
                 + f": {f.message('en')}" for f in findings]
        text = "\n".join(lines) or "No finding: nothing looks wrong in this run so far."
        self._writer("train").write(epoch, [event_file.text_value("diagnosis", text)])
        self._diagnosed = epoch

    def __repr__(self):
        return (f"<TensorBoard log_dir={self.log_dir!r} histogram_freq={self.histogram_freq} "
                f"update_freq={self.update_freq!r}>")


def _numbers(logs):
    for name, value in (logs or {}).items():
        try:
            yield name, float(value)
        except (TypeError, ValueError):
            continue


def _host(array):
    return None if array is None else np.asarray(to_host(array))
