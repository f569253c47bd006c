"""Callbacks (``keras.callbacks``): hooks that see training as it happens.

``CallbackList`` calls batch hooks only when some callback overrides them (or a progress bar
needs them), so a plain ``fit`` pays nothing per batch.
"""
import math
import sys
import time

import numpy as np


class Callback:
    """Base class with Keras's hooks; ``self.model`` and ``self.params`` are set by ``fit``."""

    def __init__(self):
        self.model = None
        self.params = {}

    def set_model(self, model):
        self.model = model

    def set_params(self, params):
        self.params = params

    def on_train_begin(self, logs=None): pass
    def on_train_end(self, logs=None): pass
    def on_epoch_begin(self, epoch, logs=None): pass
    def on_epoch_end(self, epoch, logs=None): pass
    def on_train_batch_begin(self, batch, logs=None): pass
    def on_train_batch_end(self, batch, logs=None): pass

    def _overrides(self, hook):
        return getattr(type(self), hook) is not getattr(Callback, hook)


class History(Callback):
    """Records each epoch's logs: ``history.history["loss"]`` and friends, ``history.epoch``."""

    def __init__(self):
        super().__init__()
        self.history = {}
        self.epoch = []
        self.probes = []

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for key in sorted(logs or {}):
            self.history.setdefault(key, []).append(logs[key])

    def __repr__(self):
        return f"<History epochs={len(self.epoch)} keys={list(self.history)}>"


class CallbackList:
    """Dispatches ``fit``'s events to the user's callbacks, a ``History`` and a progress bar."""

    def __init__(self, callbacks, model, history, verbose, epochs, steps):
        self.callbacks = list(callbacks or [])
        for callback in self.callbacks:
            if not isinstance(callback, Callback):
                raise TypeError(f"callbacks must be glassnet.callbacks.Callback instances, got "
                                f"{callback!r}.")
        if verbose:
            self.callbacks.append(ProgbarLogger(verbose))
        self.callbacks.append(history)
        params = {"verbose": verbose, "epochs": epochs, "steps": steps}
        for callback in self.callbacks:
            callback.set_model(model)
            callback.set_params(params)
        self._batch_begin = [c for c in self.callbacks if c._overrides("on_train_batch_begin")]
        self._batch_end = [c for c in self.callbacks if c._overrides("on_train_batch_end")]
        self.wants_batch_logs = bool(self._batch_end)

    def on_train_begin(self):
        for c in self.callbacks:
            c.on_train_begin({})

    def on_train_end(self):
        for c in self.callbacks:
            c.on_train_end({})

    def on_epoch_begin(self, epoch):
        for c in self.callbacks:
            c.on_epoch_begin(epoch, {})

    def on_epoch_end(self, epoch, logs):
        for c in self.callbacks:
            c.on_epoch_end(epoch, logs)

    def on_train_batch_begin(self, step):
        for c in self._batch_begin:
            c.on_train_batch_begin(step, {})

    def on_train_batch_end(self, step, logs):
        for c in self._batch_end:
            c.on_train_batch_end(step, logs)


class ProgbarLogger(Callback):
    """Keras's progress line: ``40/40 ━━━━━━━━━━━━━━━━━━━━ 0s 2ms/step - accuracy: 0.9 - loss: 0.3``.

    ``verbose=1`` redraws the bar on a terminal (at most every 0.1 s) and prints it once per
    epoch elsewhere; ``verbose=2`` prints one line per epoch.
    """

    def __init__(self, verbose=1, stream=None):
        super().__init__()
        self.verbose = verbose
        self.stream = stream or sys.stdout
        self.interactive = verbose == 1 and getattr(self.stream, "isatty", lambda: False)()

    def on_epoch_begin(self, epoch, logs=None):
        self._start = self._last_draw = time.perf_counter()
        self._seen = 0
        if self.verbose == 1 and self.params.get("epochs"):
            print(f"Epoch {epoch + 1}/{self.params['epochs']}", file=self.stream)

    def on_train_batch_end(self, batch, logs=None):
        self._seen = batch + 1
        now = time.perf_counter()
        if self.interactive and now - self._last_draw >= 0.1:
            self._last_draw = now
            self.stream.write("\r" + self._line(self._seen, logs or {}, now))
            self.stream.flush()

    def on_epoch_end(self, epoch, logs=None):
        steps = self.params.get("steps") or self._seen
        line = self._line(steps, logs or {}, time.perf_counter())
        self.stream.write(("\r" if self.interactive else "") + line + "\n")
        self.stream.flush()

    def _line(self, done, logs, now):
        steps = self.params.get("steps") or done
        elapsed = now - self._start
        per_step = elapsed / max(done, 1)
        values = " - ".join(f"{k}: {_format(v)}" for k, v in sorted(logs.items()))
        if self.verbose == 2:
            return f"{steps}/{steps} - {elapsed:.0f}s - {_format_time(per_step)}/step - {values}"
        filled = int(20 * done / max(steps, 1))
        bar = "━" * filled + " " * (20 - filled)
        return (f"{done}/{steps} {bar} {elapsed:.0f}s {_format_time(per_step)}/step"
                + (f" - {values}" if values else ""))

    def _overrides(self, hook):
        if hook == "on_train_batch_end":
            return self.interactive
        return super()._overrides(hook)


def _format(value):
    return f"{value:.4f}" if abs(value) >= 1e-3 or value == 0 or not math.isfinite(value) \
        else f"{value:.4e}"


def _format_time(seconds):
    if seconds >= 1:
        return f"{seconds:.0f}s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.0f}ms"
    return f"{seconds * 1e6:.0f}us"


class TerminateOnNaN(Callback):
    """Stops training as soon as a batch's loss is NaN or inf, and says so."""

    def on_train_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(loss):
            print(f"Batch {batch}: Invalid loss, terminating training")
            self.model.stop_training = True


class EarlyStopping(Callback):
    """Stops when ``monitor`` has not improved by ``min_delta`` for ``patience`` epochs.

    Keras's rules: mode "auto" minimizes unless the name contains "acc"; with
    ``restore_best_weights`` the best epoch's weights come back when training stops.
    """

    def __init__(self, monitor="val_loss", min_delta=0, patience=0, verbose=0, mode="auto",
                 baseline=None, restore_best_weights=False, start_from_epoch=0):
        super().__init__()
        if mode not in ("auto", "min", "max"):
            raise ValueError(f"EarlyStopping mode must be 'auto', 'min' or 'max', got {mode!r}.")
        self.monitor, self.patience, self.verbose = monitor, patience, verbose
        self.baseline, self.restore_best_weights = baseline, restore_best_weights
        self.start_from_epoch = start_from_epoch
        maximize = mode == "max" or (mode == "auto" and ("acc" in monitor or "auc" in monitor))
        self.sign = 1.0 if maximize else -1.0
        self.min_delta = abs(min_delta)

    def on_train_begin(self, logs=None):
        self.wait = 0
        self.stopped_epoch = 0
        self.best = -np.inf if self.sign > 0 else np.inf
        self.best_weights = None
        self.best_epoch = 0

    def _improved(self, value, reference):
        if reference is None:
            return True
        return self.sign * (value - reference) > self.min_delta

    def on_epoch_end(self, epoch, logs=None):
        value = (logs or {}).get(self.monitor)
        if value is None:
            available = ", ".join(sorted(logs or {}))
            raise ValueError(f"EarlyStopping monitors {self.monitor!r}, which fit does not "
                             f"report; available: {available}. Pass validation data for "
                             f"'val_' metrics.")
        if epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights = self.model.get_weights()
        self.wait += 1
        if self._improved(value, self.best if math.isfinite(self.best) else None):
            self.best, self.best_epoch = value, epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self._improved(value, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None and self.stopped_epoch:
            if self.verbose:
                print(f"Restoring model weights from the end of the best epoch: "
                      f"{self.best_epoch + 1}.")
            self.model.set_weights(self.best_weights)
